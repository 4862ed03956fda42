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
 * enpu_engine_abort(), enpu_engine_pause() and enpu_engine_progress() may
 * be called while it runs.
 *
 * Abort and pause take effect within one unit of work: a command's worth
 * of a SIGNAL or WAIT, an output pixel of a convolution or one channel of
 * a deep one (the kernels' cancel flag, hw/int8/enpu_int8.h), 64 pages of
 * an operand being gathered (abort only), 64 Ki elements of a LUT, 4096
 * rows of a DMA command. An aborted command writes nothing and the job ends
 * ABORTED; the caller clears the request (enpu_engine_clear_abort())
 * before the next job. A paused job parks in the engine with everything
 * it needs to go on -- the state of both engines' schedules, their
 * semaphores, the result of a command that has started and not finished
 * -- and the command that was interrupted runs again from its start when
 * the job resumes (it had written nothing; pausing more often than a
 * command lasts therefore keeps that command from ending). A parked job
 * can be saved to bytes and loaded into another engine (a migrated
 * device): it then ends exactly as it would have without the pause.
 */
#ifndef ENPU_ENGINE_H
#define ENPU_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "edgenpu_job.h"
#include "edgenpu_timing.h"

struct enpu_run;
struct enpu_pack_cache;

/*
 * Bus memory as the device sees it. Return 0, or -1 for a bus error.
 * equal (optional) compares memory with @buf where it lies, without a
 * copy: 1 the same bytes, 0 not, -1 a bus error, exactly as a read of
 * the range would have failed, or ENPU_MEM_NOT_IN_PLACE for memory it
 * cannot compare there; then, and without it, the engine reads and
 * compares (@len is at most a page).
 */
#define ENPU_MEM_NOT_IN_PLACE	2
struct enpu_mem_ops {
	int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len);
	int (*equal)(void *opaque, uint64_t addr, const void *buf, size_t len);
};

#define ENPU_TLB_ENTRIES	64
#define ENPU_PACK_CACHE_ENTRIES	64		/* layers whose packed weights are kept */
#define ENPU_PACK_CACHE_BYTES	(32u << 20)	/* and what they may hold */
#define ENPU_ENGINE_SCRATCH	(ENPU_CMD_MAX_REGIONS + 1)	/* operand buffers, + DMA's */

struct enpu_tlb_entry {
	uint32_t asid;
	uint32_t vpn;		/* VA >> 12 */
	uint64_t pte;		/* level-2 entry; 0 = slot empty */
};

struct enpu_engine {
	struct enpu_sku sku;
	/*
	 * The capability bits (ENPU_CAP_*) of the device it runs for: all of
	 * ENPU_CAPS_BASE after enpu_engine_init(). A device presenting
	 * older hardware clears some before its first job; a command that
	 * needs one it lacks (edgenpu_cmd.h, enpu_cmd_cap()) is then refused
	 * as an unknown opcode.
	 */
	uint32_t caps;
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

	/* ENPU_ENGINE_ABORT | ENPU_ENGINE_PAUSE; the kernels' cancel flag */
	atomic_int interrupt;
	struct enpu_run *parked;	/* a paused job, or NULL */
	atomic_uint progress;		/* commands retired by the running job */

	/* Fault injection, armed by the device, consumed here. */
	atomic_int inject_dma_error;
	atomic_int inject_mmu_fault;

	/* Scratch for operands, grown on demand, kept across jobs. */
	uint8_t *scratch[ENPU_ENGINE_SCRATCH];
	size_t scratch_size[ENPU_ENGINE_SCRATCH];

	/* Recent layers' weights packed (pack_cache.c), made on first use. */
	struct enpu_pack_cache *packs;
	atomic_uint asid_retired;	/* bumped by enpu_engine_retire_asid() */
	uint64_t packs_made, packs_reused;	/* host-side counts, for tests */
};

int enpu_engine_init(struct enpu_engine *e, const struct enpu_sku *sku,
		     const struct enpu_mem_ops *mem, void *opaque);
void enpu_engine_destroy(struct enpu_engine *e);

/*
 * Device reset: SRAM cleared, TLB emptied, a parked job dropped,
 * injections and abort disarmed (a pause request stays).
 */
void enpu_engine_reset(struct enpu_engine *e);

#define ENPU_ENGINE_ABORT	1
#define ENPU_ENGINE_PAUSE	2

/* enpu_engine_run() and enpu_engine_resume() */
#define ENPU_ENGINE_ENDED	0	/* @done filled */
#define ENPU_ENGINE_PAUSED	1	/* parked; @done untouched */
#define ENPU_ENGINE_DEFERRED	2	/* not started (run_bounded); @done untouched */

/*
 * Runs @desc until it ends and fills @done (not written to memory: the
 * caller writes it to desc->completion_addr), or until a pause parks it.
 * Never fails otherwise: whatever the job holds ends in a status. A job
 * still parked from before is dropped.
 */
int enpu_engine_run(struct enpu_engine *e, const struct enpu_job_desc *desc,
		    struct enpu_job_completion *done);
/*
 * enpu_engine_run() with a bound on the host work done before it returns:
 * @budget units (0: no bound), about a nanosecond each at the slowest --
 * one per multiply-accumulate, per byte of operand and of command stream,
 * ENPU_COST_PER_COMMAND per command (decoding, scheduling, translating),
 * and one per ENPU_SRAM_CLEAR_PER_UNIT bytes of SRAM cleared (a memset's
 * pace). A job whose start alone costs more (its stream, or clearing SRAM
 * for another address space) is not started: ENPU_ENGINE_DEFERRED, for
 * enpu_engine_run(). One whose commands cost more parks before its first:
 * ENPU_ENGINE_PAUSED, for enpu_engine_resume(). A device runs a small job
 * on the thread that rang its doorbell this way and leaves the rest to
 * its worker.
 */
#define ENPU_COST_PER_COMMAND		256
#define ENPU_SRAM_CLEAR_PER_UNIT	16
int enpu_engine_run_bounded(struct enpu_engine *e,
			    const struct enpu_job_desc *desc,
			    struct enpu_job_completion *done, uint64_t budget);
/* Goes on with the parked job; -1 if there is none. */
int enpu_engine_resume(struct enpu_engine *e, struct enpu_job_completion *done);
/* Forgets the parked job, if any. */
void enpu_engine_drop(struct enpu_engine *e);

/*
 * A parked job as bytes (snapshot.c): 0 with *@buf (malloc'd) and *@len,
 * or -1 (no parked job, out of memory). enpu_engine_load() checks every
 * field against the stream it carries and parks the job in @e: 0, or -1
 * for bytes that are not a consistent parked job.
 */
int enpu_engine_save(struct enpu_engine *e, uint8_t **buf, uint32_t *len);
int enpu_engine_load(struct enpu_engine *e, const uint8_t *buf, uint32_t len);

#define ENPU_SRAM_OWNED		(1ull << 32)

void enpu_engine_invalidate_tlb(struct enpu_engine *e);
/* ASID_RETIRE: @asid owns SRAM no longer (hw/README.md, "SRAM"). */
void enpu_engine_retire_asid(struct enpu_engine *e, uint32_t asid);
void enpu_engine_abort(struct enpu_engine *e);
void enpu_engine_clear_abort(struct enpu_engine *e);
/* Park the running job at its next unit of work (and any job started later). */
void enpu_engine_pause(struct enpu_engine *e);
void enpu_engine_unpause(struct enpu_engine *e);
uint32_t enpu_engine_progress(struct enpu_engine *e);

#endif /* ENPU_ENGINE_H */
