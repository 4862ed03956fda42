/* SPDX-License-Identifier: MIT */
/* Engine internals shared by its source files. */
#ifndef ENPU_ENGINE_INTERNAL_H
#define ENPU_ENGINE_INTERNAL_H

#include "enpu_engine.h"
#include "edgenpu_cmd.h"
#include "edgenpu_timing.h"

/* One job in flight. */
struct enpu_job {
	struct enpu_engine *e;
	const struct enpu_job_desc *desc;
	struct enpu_job_completion *done;
	uint32_t cmd_offset;		/* byte offset of the current command */
};

/*
 * A command in flight on one engine: its operands were read and its
 * result computed when it started; the result is written when it
 * finishes.
 */
struct enpu_pending {
	const uint32_t *words;
	struct enpu_cmd_info info;
	uint32_t offset;		/* byte offset in the stream */
	uint8_t *result;
};

/* The two engines' schedule (engine.c). */
struct sem_queue {
	uint32_t head, tail;	/* indexes into the signal arrays, chained */
	uint32_t count;
};

struct schedule {
	uint32_t *list[2];	/* command indexes per engine */
	uint32_t n[2], pos[2];
	uint64_t t[2];		/* engine clocks */
	struct sem_queue sem[ENPU_NUM_SEMS];
	uint64_t *sig_time;	/* signal events, ncmds + 1 of each */
	uint32_t *sig_next;
	uint32_t nsig;
	struct enpu_pending pend[2];	/* what a busy engine runs */
	uint64_t finish_t[2];
	int busy[2];
	struct enpu_t_share share;	/* the memory channels the engines share */
};

/* A job in the engine, running or parked (enpu_engine.h). */
struct enpu_run {
	struct enpu_job job;
	struct enpu_job_desc desc;
	struct enpu_job_completion done;
	uint32_t *words, nwords;	/* the stream, fetched at the start */
	uint32_t *offs, ncmds;		/* each command's first word */
	uint64_t cost;			/* host work (enpu_engine_run_bounded()) */
	struct schedule s;
};

/*
 * After the stream of @run is in words (validated, offs and ncmds
 * filled): allocates and fills the schedule's lists, both clocks at
 * @start. 0, or -1 (out of memory).
 */
int enpu_run_schedule_init(struct enpu_run *run, uint64_t start);
/* The descriptor's fields are in range (engine.c). */
int enpu_desc_ok(const struct enpu_job_desc *d);
/*
 * Checks a stream and fills @offs, @ncmds and @cost: 0, or -1 with the
 * job failed.
 */
int enpu_run_validate(struct enpu_run *run);
void enpu_run_free(struct enpu_run *run);
/*
 * Bytes of result a started command (@p: words and info set) holds until
 * its finish, and putting them back in the engine's scratch (ops.c): 0,
 * or -1 for a length that is not the command's or no memory.
 */
uint64_t enpu_pending_bytes(const struct enpu_pending *p);
int enpu_pending_restore(struct enpu_engine *e, struct enpu_pending *p,
			 const uint8_t *bytes, uint64_t len);

/*
 * An abort or a pause stopped a command midway: the job fails ABORTED
 * (-1) on an abort, else ENPU_CMD_PAUSED (the command runs again from
 * its start when the job resumes).
 */
#define ENPU_CMD_PAUSED	1
int enpu_interrupted(struct enpu_job *job);

/*
 * Ends the job with @status (the first error wins) and returns -1, so
 * callers write: return enpu_job_fail(job, ...).
 */
int enpu_job_fail(struct enpu_job *job, uint32_t status, uint32_t info);

/* NPU virtual memory (mmu.c): 0, or -1 with the job failed. */
int enpu_vm_read(struct enpu_job *job, uint32_t va, void *buf, uint64_t len);
/*
 * Whether the @len bytes at @va are @buf's, compared where they lie: 1
 * (the job's counters as after enpu_vm_read()), 0 (counters untouched: the
 * caller reads them), or -1 (job failed: the fault or bus error a read
 * would have met, counters as a read leaves them).
 */
int enpu_vm_equal(struct enpu_job *job, uint32_t va, const void *buf, uint64_t len);
int enpu_vm_write(struct enpu_job *job, uint32_t va, const void *buf, uint64_t len);
void enpu_tlb_flush(struct enpu_engine *e);

/* Bus memory with fault injection (mmu.c). */
int enpu_bus_read(struct enpu_job *job, uint64_t addr, void *buf, size_t len);
int enpu_bus_write(struct enpu_job *job, uint64_t addr, const void *buf, size_t len);

/*
 * Commands (ops.c), 0, -1 (job failed) or ENPU_CMD_PAUSED. start reads the operands and
 * computes into @p->result; finish writes the result to memory. Engine
 * @engine uses its own scratch buffers.
 */
int enpu_cmd_start(struct enpu_job *job, struct enpu_pending *p);
int enpu_cmd_finish(struct enpu_job *job, struct enpu_pending *p);
/* Duration of a data command from where its operands live (ops.c). */

/*
 * A layer's weights made ready for the CPU's kernels, kept (pack_cache.c):
 * the GEMM's packing (@a the row length) or depthwise's widening (@a the
 * taps, @b the depth multiplier), for @channels outputs.
 */
enum { ENPU_PACK_GEMM = 1, ENPU_PACK_DW };
struct enpu_pack_shape {
	int32_t kind;
	int32_t channels;
	int64_t a, b;
};

struct enpu_dwconv2d_params;
struct enpu_pack_shape enpu_pack_shape_dw(const struct enpu_dwconv2d_params *p);

/*
 * The @len weights at @va of @job's address space, of @shape.
 * enpu_pack_cache_find(): a kept entry's copy and, in @ready, what was
 * made of it (a struct enpu_gemm_weights or enpu_dw_weights, as @shape
 * says) when memory still holds those bytes (compared where they lie,
 * counted as a read), else NULL, with the job failed if the comparison
 * met a fault. enpu_pack_cache_get() (the GEMM's @channels rows of
 * @k_len) and _get_dw() (the depthwise layer @p), when find() had none:
 * after the caller read them to @w, made ready now and kept (in place of
 * an entry whose bytes differed); NULL when the CPU's kernels would not
 * take them so, or without memory (the caller runs them as they are).
 */
struct enpu_gemm_weights;
struct enpu_dw_weights;
const int8_t *enpu_pack_cache_find(struct enpu_job *job, uint32_t va, uint64_t len,
				   const struct enpu_pack_shape *shape, const void **ready);
const struct enpu_gemm_weights *enpu_pack_cache_get(struct enpu_job *job, uint32_t va,
						    const int8_t *w, uint64_t len,
						    int32_t channels, size_t k_len);
const struct enpu_dw_weights *enpu_pack_cache_get_dw(struct enpu_job *job, uint32_t va,
						     const int8_t *w, uint64_t len,
						     const struct enpu_dwconv2d_params *p);
/* Empties the cache (a reset); frees it (the engine's end). */
void enpu_pack_cache_flush(struct enpu_engine *e);
void enpu_pack_cache_free(struct enpu_engine *e);

/* A scratch buffer of at least @len bytes, or NULL (ops.c). */
uint8_t *enpu_scratch(struct enpu_engine *e, unsigned int slot, uint64_t len);

#endif /* ENPU_ENGINE_INTERNAL_H */
