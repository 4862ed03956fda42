/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU execution engine: runs one job (hw/edgenpu_job.h) the way the
 * hardware contract says -- command stream fetch and validation, the NPU
 * MMU, on-chip SRAM, the DMA and compute engines with their semaphores,
 * the INT8 arithmetic (hw/int8) and the timing model -- against bus memory
 * reached through callbacks. Plain C with no QEMU dependency: the QEMU
 * device (qemu/edgenpu_pci.c) and the host tests drive it alike.
 *
 * Threading: enpu_engine_run() runs on one thread at a time. From other
 * threads only enpu_engine_invalidate_tlb(), enpu_engine_retire_asid(),
 * enpu_engine_abort() and enpu_engine_progress() may be called while it
 * runs. An abort request ends the running job within one unit of work: a
 * command's worth of a SIGNAL or WAIT, an output pixel of a convolution
 * (the kernels' cancel flag, hw/int8/enpu_int8.h), 4096 rows of a DMA
 * command; the command then writes nothing. The caller clears it
 * (atomic_store(&e->abort_req, 0)) before starting the next job.
 */
#ifndef ENPU_ENGINE_H
#define ENPU_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "edgenpu_job.h"
#include "edgenpu_timing.h"

/* Bus memory as the device sees it. Return 0, or -1 for a bus error. */
struct enpu_mem_ops {
	int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len);
};

#define ENPU_TLB_ENTRIES	64
#define ENPU_ENGINE_SCRATCH	6	/* operand buffers per command */

struct enpu_tlb_entry {
	uint32_t asid;
	uint32_t vpn;		/* VA >> 12 */
	uint64_t pte;		/* level-2 entry; 0 = slot empty */
};

struct enpu_engine {
	struct enpu_sku sku;
	const struct enpu_mem_ops *mem;
	void *mem_opaque;
	uint8_t *sram;
	/*
	 * The address space whose data SRAM holds: ENPU_SRAM_OWNED | ASID,
	 * or 0 when SRAM holds nobody's (after reset, or once its owner was
	 * retired). A job of any other address space starts on cleared SRAM.
	 */
	_Atomic uint64_t sram_owner;

	struct enpu_tlb_entry tlb[ENPU_TLB_ENTRIES];
	atomic_uint tlb_flush_req;	/* bumped by other threads */
	unsigned int tlb_flush_done;

	atomic_int abort_req;		/* abort the running job */
	atomic_uint progress;		/* commands retired by the running job */

	/* Fault injection, armed by the device, consumed here. */
	atomic_int inject_dma_error;
	atomic_int inject_mmu_fault;

	/* Scratch for operands, grown on demand, kept across jobs. */
	uint8_t *scratch[ENPU_ENGINE_SCRATCH];
	size_t scratch_size[ENPU_ENGINE_SCRATCH];
};

int enpu_engine_init(struct enpu_engine *e, const struct enpu_sku *sku,
		     const struct enpu_mem_ops *mem, void *opaque);
void enpu_engine_destroy(struct enpu_engine *e);

/* Device reset: SRAM cleared, TLB emptied, injections and abort disarmed. */
void enpu_engine_reset(struct enpu_engine *e);

/*
 * Runs @desc to its end and fills @done (not written to memory: the
 * caller writes it to desc->completion_addr). Never fails otherwise:
 * whatever the job holds ends in a status.
 */
void enpu_engine_run(struct enpu_engine *e, const struct enpu_job_desc *desc,
		     struct enpu_job_completion *done);

#define ENPU_SRAM_OWNED		(1ull << 32)

void enpu_engine_invalidate_tlb(struct enpu_engine *e);
/* ASID_RETIRE: @asid owns SRAM no longer (hw/README.md, "SRAM"). */
void enpu_engine_retire_asid(struct enpu_engine *e, uint32_t asid);
void enpu_engine_abort(struct enpu_engine *e);
uint32_t enpu_engine_progress(struct enpu_engine *e);

#endif /* ENPU_ENGINE_H */
