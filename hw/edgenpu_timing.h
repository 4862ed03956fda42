/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU timing model: how many NPU cycles each command takes, from the
 * SKU's capability registers. The model is deterministic; hw/README.md,
 * "Timing model", explains it. The device model reports these cycles in
 * the completion record; the library's compiler uses the same formulas to
 * estimate schedules.
 */
#ifndef EDGENPU_TIMING_H
#define EDGENPU_TIMING_H

#include "edgenpu_cmd.h"
#include "edgenpu_types.h"

/* The SKU: the capability registers' values. */
struct enpu_sku {
	uint32_t macs_per_cycle;
	uint32_t clock_mhz;
	uint32_t dram_bw_mbps;
	uint32_t sram_bw_mbps;
	uint32_t sram_size;
};

#define ENPU_T_JOB_OVERHEAD	256	/* descriptor fetch, completion write */
#define ENPU_T_COMPUTE_SETUP	32	/* per compute command */
#define ENPU_T_DMA_SETUP	64	/* per DMA command */
#define ENPU_T_SYNC		4	/* SIGNAL, WAIT, NOP */

/* Cycles to move @bytes at @bw_mbps MB/s with the NPU at @clock_mhz (rounded up). */
static inline uint64_t enpu_t_bytes(uint64_t bytes, uint32_t bw_mbps,
				    uint32_t clock_mhz)
{
	if (!bytes || !bw_mbps)
		return 0;
	return (bytes * clock_mhz + bw_mbps - 1) / bw_mbps;
}

static inline uint64_t enpu_t_max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

/*
 * A compute command: the MAC array, DRAM and SRAM work in parallel, so
 * the slowest of the three sets the time: @work operations at
 * macs_per_cycle, @dram_bytes and @sram_bytes (operands read plus results
 * written, each once) at their bandwidths.
 */
static inline uint64_t enpu_t_compute(const struct enpu_sku *sku, uint64_t work,
				      uint64_t dram_bytes, uint64_t sram_bytes)
{
	uint64_t mac = sku->macs_per_cycle ?
		(work + sku->macs_per_cycle - 1) / sku->macs_per_cycle : 0;

	return ENPU_T_COMPUTE_SETUP +
	       enpu_t_max3(mac, enpu_t_bytes(dram_bytes, sku->dram_bw_mbps, sku->clock_mhz),
			   enpu_t_bytes(sram_bytes, sku->sram_bw_mbps, sku->clock_mhz));
}

/*
 * A DMA command: each byte is read from its source and written to its
 * destination; DRAM and SRAM sides transfer concurrently.
 */
static inline uint64_t enpu_t_dma(const struct enpu_sku *sku,
				  uint64_t dram_bytes, uint64_t sram_bytes)
{
	uint64_t d = enpu_t_bytes(dram_bytes, sku->dram_bw_mbps, sku->clock_mhz);
	uint64_t s = enpu_t_bytes(sram_bytes, sku->sram_bw_mbps, sku->clock_mhz);

	return ENPU_T_DMA_SETUP + (d > s ? d : s);
}

/*
 * The cycles of one decoded command: the timing model's one cost rule,
 * which the device model runs and the compiler estimates with.
 * END costs nothing (the job's overhead covers it); SIGNAL, WAIT and NOP
 * cost ENPU_T_SYNC; a DMA command moves its work
 * bytes on each side, where that side lives (DRAM or SRAM); a compute
 * command reads and writes each of its regions once.
 */
static inline uint64_t enpu_t_cmd(const struct enpu_sku *sku, const struct enpu_cmd_info *info)
{
	uint64_t dram = 0, sram = 0;
	unsigned int i;
	int dma = info->opcode == ENPU_OP_DMA_COPY || info->opcode == ENPU_OP_DMA_FILL;

	if (info->opcode == ENPU_OP_END)
		return 0;
	if (info->opcode == ENPU_OP_NOP || info->opcode == ENPU_OP_SIGNAL ||
	    info->opcode == ENPU_OP_WAIT)
		return ENPU_T_SYNC;
	for (i = 0; i < info->num_regions; i++)
		*(info->regions[i].va >= ENPU_SRAM_VA_BASE ? &sram : &dram) +=
			dma ? info->work : info->regions[i].size;
	return dma ? enpu_t_dma(sku, dram, sram) : enpu_t_compute(sku, info->work, dram, sram);
}

/* Fetching the command stream itself, before the engines start. */
static inline uint64_t enpu_t_fetch(const struct enpu_sku *sku, uint64_t cmd_bytes)
{
	return ENPU_T_JOB_OVERHEAD +
	       enpu_t_bytes(cmd_bytes, sku->dram_bw_mbps, sku->clock_mhz);
}

#endif /* EDGENPU_TIMING_H */
