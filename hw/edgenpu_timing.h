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
 * What one decoded command needs, in cycles of each resource: @setup, then
 * @mac cycles of the MAC array (compute commands), @dram and @sram cycles
 * of the DRAM and SRAM channels (their bytes at the channel's bandwidth).
 * A DMA command moves its work bytes on each side, where that side lives;
 * a compute command reads and writes each of its regions once.
 */
struct enpu_t_parts {
	uint64_t setup, mac, dram, sram;
};

static inline void enpu_t_parts(const struct enpu_sku *sku, const struct enpu_cmd_info *info,
				struct enpu_t_parts *p)
{
	uint64_t dram = 0, sram = 0;
	unsigned int i;
	int dma = info->opcode == ENPU_OP_DMA_COPY || info->opcode == ENPU_OP_DMA_FILL;

	for (i = 0; i < info->num_regions; i++)
		*(info->regions[i].va >= ENPU_SRAM_VA_BASE ? &sram : &dram) +=
			dma ? info->work : info->regions[i].size;
	p->setup = dma ? ENPU_T_DMA_SETUP : ENPU_T_COMPUTE_SETUP;
	p->mac = dma || !sku->macs_per_cycle ? 0 :
		 (info->work + sku->macs_per_cycle - 1) / sku->macs_per_cycle;
	p->dram = enpu_t_bytes(dram, sku->dram_bw_mbps, sku->clock_mhz);
	p->sram = enpu_t_bytes(sram, sku->sram_bw_mbps, sku->clock_mhz);
}

static inline int enpu_t_is_sync(const struct enpu_cmd_info *info)
{
	return info->opcode == ENPU_OP_NOP || info->opcode == ENPU_OP_SIGNAL ||
	       info->opcode == ENPU_OP_WAIT;
}

/*
 * The cycles of one decoded command on its own: the timing model's one
 * cost rule, which the device model runs and the compiler estimates with.
 * END costs nothing (the job's overhead covers it); SIGNAL, WAIT and NOP
 * cost ENPU_T_SYNC; any other command its setup and the slowest of the
 * resources it uses, which work in parallel.
 */
static inline uint64_t enpu_t_cmd(const struct enpu_sku *sku, const struct enpu_cmd_info *info)
{
	struct enpu_t_parts p;

	if (info->opcode == ENPU_OP_END)
		return 0;
	if (enpu_t_is_sync(info))
		return ENPU_T_SYNC;
	enpu_t_parts(sku, info, &p);
	return p.setup + enpu_t_max3(p.mac, p.dram, p.sram);
}

/*
 * The memory channels the two engines share. A command in flight needs,
 * after its setup, MAC cycles (compute commands) and DRAM and SRAM
 * channel cycles (its bytes there at full bandwidth), all in parallel.
 * Each channel is shared fairly: while both engines' commands still have
 * bytes to move on it, each moves at half the bandwidth; alone, a command
 * has all of it. The MAC array belongs to the compute engine. So the two
 * engines never move more bytes together than a channel carries, every
 * job takes at least its bytes at the bandwidths (its roofline), and a
 * command alone takes exactly enpu_t_cmd().
 *
 * Work left is counted in half-cycles at full rate, so that every rate is
 * an integer: 2 per cycle alone, 1 shared. The device model keeps one
 * struct enpu_t_share per job: enpu_t_share_start() when a command starts
 * on an engine, enpu_t_share_end() when it finishes, and
 * enpu_t_share_finish() for when each engine's command will finish if
 * nothing else starts.
 */
#define ENPU_T_PARTS	3	/* MAC, DRAM, SRAM */

struct enpu_t_flight {
	uint64_t active_from;		/* its setup over */
	uint64_t left[ENPU_T_PARTS];	/* half-cycles of each part left */
	uint32_t busy;
};

struct enpu_t_share {
	struct enpu_t_flight f[2];	/* by engine (ENPU_ENGINE_*) */
	uint64_t now;			/* the state is as of this cycle */
};

/* Half-cycles per cycle engine @k's part @p progresses at, at cycle @t. */
static inline uint64_t enpu_t_rate(const struct enpu_t_share *s, int k, int p, uint64_t t)
{
	const struct enpu_t_flight *o = &s->f[!k];

	return p && o->busy && t >= o->active_from && o->left[p] ? 1 : 2;
}

static inline int enpu_t_flight_done(const struct enpu_t_flight *f, uint64_t t)
{
	return t >= f->active_from && !f->left[0] && !f->left[1] && !f->left[2];
}

/*
 * The next cycle, after @s->now and at most @to, where a rate can change
 * (a setup ends, a part is done), and every part's progress up to it.
 */
static inline void enpu_t_share_step(struct enpu_t_share *s, uint64_t to)
{
	uint64_t next = to, r, t = s->now, rate[2][ENPU_T_PARTS];
	int k, p;

	for (k = 0; k < 2; k++) {
		const struct enpu_t_flight *f = &s->f[k];

		if (!f->busy)
			continue;
		if (t < f->active_from) {
			if (f->active_from < next)
				next = f->active_from;
			continue;
		}
		for (p = 0; p < ENPU_T_PARTS; p++) {
			if (!f->left[p])
				continue;
			r = enpu_t_rate(s, k, p, t);
			if (t + (f->left[p] + r - 1) / r < next)
				next = t + (f->left[p] + r - 1) / r;
		}
	}
	/* both flights' rates as the phase began, then their progress over it */
	for (k = 0; k < 2; k++)
		for (p = 0; p < ENPU_T_PARTS; p++)
			rate[k][p] = enpu_t_rate(s, k, p, t);
	for (k = 0; k < 2; k++) {
		struct enpu_t_flight *f = &s->f[k];

		if (!f->busy || t < f->active_from)
			continue;
		for (p = 0; p < ENPU_T_PARTS; p++) {
			uint64_t used = (next - t) * rate[k][p];

			f->left[p] = used < f->left[p] ? f->left[p] - used : 0;
		}
	}
	s->now = next;
}

/* Every in-flight command's progress up to cycle @to (>= s->now). */
static inline void enpu_t_share_advance(struct enpu_t_share *s, uint64_t to)
{
	while (s->now < to)
		enpu_t_share_step(s, to);
}

/* When engine @k's command finishes if nothing else starts meanwhile. */
static inline uint64_t enpu_t_share_finish(const struct enpu_t_share *s, int k)
{
	struct enpu_t_share c = *s;

	while (!enpu_t_flight_done(&c.f[k], c.now))
		enpu_t_share_step(&c, UINT64_MAX);
	return c.now;
}

/* A command starts on engine @k at cycle @start (>= s->now). */
static inline void enpu_t_share_start(struct enpu_t_share *s, const struct enpu_sku *sku,
				      const struct enpu_cmd_info *info, int k, uint64_t start)
{
	struct enpu_t_flight *f = &s->f[k];
	struct enpu_t_parts p;

	enpu_t_share_advance(s, start);
	enpu_t_parts(sku, info, &p);
	f->busy = 1;
	f->active_from = start + p.setup;
	f->left[0] = 2 * p.mac;
	f->left[1] = 2 * p.dram;
	f->left[2] = 2 * p.sram;
}

/* Engine @k's command finishes at cycle @end (its enpu_t_share_finish()). */
static inline void enpu_t_share_end(struct enpu_t_share *s, int k, uint64_t end)
{
	enpu_t_share_advance(s, end);
	s->f[k].busy = 0;
}

/*
 * A job's roofline: the fewest cycles its work can take on this SKU, the
 * largest of its MACs at macs_per_cycle and its DRAM and SRAM bytes (read
 * plus written, the command stream included) at their bandwidths. Every
 * job's reported cycles are at least this.
 */
static inline uint64_t enpu_t_roofline(const struct enpu_sku *sku, uint64_t macs,
				       uint64_t dram_bytes, uint64_t sram_bytes)
{
	uint64_t mac = sku->macs_per_cycle ?
		(macs + sku->macs_per_cycle - 1) / sku->macs_per_cycle : 0;

	return enpu_t_max3(mac, enpu_t_bytes(dram_bytes, sku->dram_bw_mbps, sku->clock_mhz),
			   enpu_t_bytes(sram_bytes, sku->sram_bw_mbps, sku->clock_mhz));
}

/* Fetching the command stream itself, before the engines start. */
static inline uint64_t enpu_t_fetch(const struct enpu_sku *sku, uint64_t cmd_bytes)
{
	return ENPU_T_JOB_OVERHEAD +
	       enpu_t_bytes(cmd_bytes, sku->dram_bw_mbps, sku->clock_mhz);
}

#endif /* EDGENPU_TIMING_H */
