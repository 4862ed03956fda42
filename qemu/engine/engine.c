// SPDX-License-Identifier: MIT
/*
 * Job execution: descriptor checks, command-stream fetch and validation,
 * and the two-engine schedule.
 *
 * The compute and DMA engines each run their commands in stream order;
 * SIGNAL/WAIT on counting semaphores order them against each other. The
 * schedule is a deterministic discrete-event simulation with two events
 * per command: at its start it reads its operands (and computes), at its
 * finish -- start plus its modelled duration -- it writes its result.
 * Events run in time order (finishes before starts at equal times, then
 * stream order). A stream that reads data before waiting for the DMA that
 * brings it therefore sees stale data whenever the timing model says the
 * DMA had not finished -- as the hardware would.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

int enpu_engine_init(struct enpu_engine *e, const struct enpu_sku *sku,
		     const struct enpu_mem_ops *mem, void *opaque)
{
	memset(e, 0, sizeof(*e));
	e->sku = *sku;
	e->caps = ENPU_CAPS_BASE;
	e->mem = mem;
	e->mem_opaque = opaque;
	e->sram = calloc(1, sku->sram_size ? sku->sram_size : 1);
	if (!e->sram)
		return -1;
	atomic_init(&e->tlb_flush_req, 0);
	atomic_init(&e->interrupt, 0);
	atomic_init(&e->sram_owner, 0);
	atomic_init(&e->progress, 0);
	atomic_init(&e->inject_dma_error, 0);
	atomic_init(&e->inject_mmu_fault, 0);
	atomic_init(&e->asid_retired, 0);
	return 0;
}

void enpu_engine_destroy(struct enpu_engine *e)
{
	unsigned int i;

	enpu_engine_drop(e);
	enpu_pack_cache_free(e);
	for (i = 0; i < ENPU_ENGINE_SCRATCH; i++)
		free(e->scratch[i]);
	free(e->sram);
	memset(e, 0, sizeof(*e));
}

void enpu_engine_reset(struct enpu_engine *e)
{
	enpu_engine_drop(e);
	enpu_pack_cache_flush(e);
	memset(e->sram, 0, e->sku.sram_size);
	atomic_store(&e->sram_owner, 0);
	enpu_tlb_flush(e);
	enpu_engine_clear_abort(e);
	atomic_store(&e->progress, 0);
	atomic_store(&e->inject_dma_error, 0);
	atomic_store(&e->inject_mmu_fault, 0);
}

void enpu_engine_invalidate_tlb(struct enpu_engine *e)
{
	atomic_fetch_add(&e->tlb_flush_req, 1);
}

void enpu_engine_retire_asid(struct enpu_engine *e, uint32_t asid)
{
	uint64_t owner = ENPU_SRAM_OWNED | asid;

	atomic_compare_exchange_strong(&e->sram_owner, &owner, 0);
	atomic_fetch_add(&e->asid_retired, 1);
	enpu_engine_invalidate_tlb(e);
}

void enpu_engine_abort(struct enpu_engine *e)
{
	atomic_fetch_or(&e->interrupt, ENPU_ENGINE_ABORT);
}

void enpu_engine_clear_abort(struct enpu_engine *e)
{
	atomic_fetch_and(&e->interrupt, ~ENPU_ENGINE_ABORT);
}

void enpu_engine_pause(struct enpu_engine *e)
{
	atomic_fetch_or(&e->interrupt, ENPU_ENGINE_PAUSE);
}

void enpu_engine_unpause(struct enpu_engine *e)
{
	atomic_fetch_and(&e->interrupt, ~ENPU_ENGINE_PAUSE);
}

uint32_t enpu_engine_progress(struct enpu_engine *e)
{
	return atomic_load(&e->progress);
}

int enpu_job_fail(struct enpu_job *job, uint32_t status, uint32_t info)
{
	if (job->done->status == ENPU_JOB_OK) {
		job->done->status = status;
		job->done->error_info = info;
		job->done->error_offset = job->cmd_offset;
	}
	return -1;
}

int enpu_interrupted(struct enpu_job *job)
{
	if (atomic_load(&job->e->interrupt) & ENPU_ENGINE_ABORT)
		return enpu_job_fail(job, ENPU_JOB_ABORTED, 0);
	return ENPU_CMD_PAUSED;
}

int enpu_desc_ok(const struct enpu_job_desc *d)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (d->reserved[i])
			return 0;
	return !d->flags && d->cmd_size >= 4 && d->cmd_size <= ENPU_MAX_CMD_SIZE &&
	       !(d->cmd_size & 3) && !(d->cmd_addr & 3) && !(d->pt_base & 0xfff);
}

/* @a + @b, or UINT64_MAX past it: a job's cost (enpu_engine_run_bounded()). */
static uint64_t cost_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * Pass 1: every command decodes and END is present. Fills offs, ncmds and
 * cost. A command the device lacks the capability for is, to it, an
 * unknown opcode: refused as the decoder refuses one, before its size and
 * fields; a fused table it lacks is a reserved flag bit.
 */

int enpu_run_validate(struct enpu_run *run)
{
	struct enpu_job *job = &run->job;
	const uint32_t *words = run->words;
	uint32_t nwords = run->nwords;
	struct enpu_cmd_info info;
	uint32_t pos = 0, n = 0;
	int err;

	while (pos < nwords) {
		job->cmd_offset = pos * 4;
		err = enpu_cmd_decode(words + pos, nwords - pos, &info);
		if (!(words[pos] & ENPU_CMD_HDR_RESERVED) &&
		    (enpu_cmd_cap(info.opcode) & ~job->e->caps))
			err = ENPU_CMD_ERR_OPCODE;
		/* a fused table's flag is a reserved bit to a device without it */
		else if (!err && (enpu_cmd_caps(&info) & ~job->e->caps))
			err = ENPU_CMD_ERR_RESERVED;
		if (err)
			return enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, err);
		if (info.opcode == ENPU_OP_END) {
			run->ncmds = n;
			return 0;
		}
		run->cost = cost_add(run->cost, ENPU_COST_PER_COMMAND + info.macs);
		for (uint32_t i = 0; i < info.num_regions; i++)
			run->cost = cost_add(run->cost, info.regions[i].size);
		run->offs[n++] = pos;
		pos += info.words;
	}
	job->cmd_offset = nwords * 4;
	return enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_NO_END);
}

static void sem_signal(struct schedule *s, uint32_t sem, uint64_t when)
{
	struct sem_queue *q = &s->sem[sem];
	uint32_t i = s->nsig++;

	s->sig_time[i] = when;
	s->sig_next[i] = UINT32_MAX;
	if (q->count)
		s->sig_next[q->tail] = i;
	else
		q->head = i;
	q->tail = i;
	q->count++;
}

static uint64_t sem_take(struct schedule *s, uint32_t sem)
{
	struct sem_queue *q = &s->sem[sem];
	uint64_t when = s->sig_time[q->head];

	q->head = s->sig_next[q->head];
	q->count--;
	return when;
}

int enpu_run_schedule_init(struct enpu_run *run, uint64_t start)
{
	struct schedule *s = &run->s;
	struct enpu_cmd_info info;
	uint32_t i, n = run->ncmds + 1;

	s->list[0] = malloc(sizeof(uint32_t) * n);
	s->list[1] = malloc(sizeof(uint32_t) * n);
	s->sig_time = malloc(sizeof(uint64_t) * n);
	s->sig_next = malloc(sizeof(uint32_t) * n);
	if (!s->list[0] || !s->list[1] || !s->sig_time || !s->sig_next)
		return -1;
	for (i = 0; i < run->ncmds; i++) {
		enpu_cmd_decode(run->words + run->offs[i], 1u << 30, &info);
		s->list[info.engine][s->n[info.engine]++] = i;
	}
	s->t[0] = s->t[1] = start;
	memset(&s->share, 0, sizeof(s->share));
	s->share.now = start;
	return 0;
}

void enpu_run_free(struct enpu_run *run)
{
	if (!run)
		return;
	free(run->s.list[0]);
	free(run->s.list[1]);
	free(run->s.sig_time);
	free(run->s.sig_next);
	free(run->words);
	free(run->offs);
	free(run);
}

/*
 * Runs the schedule from where it stands: ENPU_ENGINE_ENDED (the status
 * in run->done), or ENPU_ENGINE_PAUSED with the schedule as it was
 * before the event a pause interrupted, so that resuming runs that event
 * again.
 */
/*
 * The schedule's next event: the finish of a busy engine or the start of
 * a free one's next command, the earliest first; at equal times finishes
 * before starts, then stream order. Returns the engine (and in *when its
 * time, in *finish whether it is a finish), or -1 when neither engine
 * has one (both done, or a WAIT nothing will satisfy).
 */
static int next_event(const struct enpu_run *run, uint64_t *when, int *finish)
{
	const struct schedule *s = &run->s;
	const struct enpu_pending *pend = s->pend;
	uint64_t st[2], best_t = UINT64_MAX;
	int ready[2], k, best = -1, best_finish = 0;

	for (k = 0; k < 2; k++) {
		const uint32_t *w;

		ready[k] = !s->busy[k] && s->pos[k] < s->n[k];
		if (!ready[k])
			continue;
		w = run->words + run->offs[s->list[k][s->pos[k]]];
		st[k] = s->t[k];
		if (ENPU_CMD_OPCODE(w[0]) == ENPU_OP_WAIT) {
			const struct enpu_cmd_sync *c = (const void *)w;
			const struct sem_queue *q = &s->sem[c->sem];

			if (!q->count)
				ready[k] = 0;
			else if (s->sig_time[q->head] > st[k])
				st[k] = s->sig_time[q->head];
		}
	}
	for (k = 0; k < 2; k++) {
		if (s->busy[k] && (s->finish_t[k] < best_t ||
				   (s->finish_t[k] == best_t && !best_finish) ||
				   (s->finish_t[k] == best_t && best_finish &&
				    pend[k].offset < pend[best].offset))) {
			best = k;
			best_t = s->finish_t[k];
			best_finish = 1;
		}
	}
	for (k = 0; k < 2; k++) {
		if (ready[k] && (st[k] < best_t ||
				 (st[k] == best_t && !best_finish && best >= 0 &&
				  s->list[k][s->pos[k]] < s->list[best][s->pos[best]]))) {
			best = k;
			best_t = st[k];
			best_finish = 0;
		}
	}
	*when = best_t;
	*finish = best_finish;
	return best;
}

/* What one event did to the schedule. */
enum step_result {
	STEP_RETIRED,	/* a command retired: counted */
	STEP_STARTED,	/* a command started: retired at its finish */
	STEP_PAUSED,	/* the engine was interrupted: the event runs again */
	STEP_FAILED,	/* the job failed */
};

/* Engine @k's busy command finishes: its result is written back. */
static enum step_result retire(struct enpu_run *run, int k)
{
	struct schedule *s = &run->s;
	struct enpu_job *job = &run->job;
	struct enpu_job_completion before = run->done;
	uint64_t t_before = s->t[k];
	int ret;

	job->cmd_offset = s->pend[k].offset;
	s->busy[k] = 0;
	s->t[k] = s->finish_t[k];
	ret = enpu_cmd_finish(job, &s->pend[k]);
	if (ret == ENPU_CMD_PAUSED) {
		/* the finish runs again: it rewrites the same bytes */
		s->busy[k] = 1;
		s->t[k] = t_before;
		run->done = before;
		return STEP_PAUSED;
	}
	if (ret)
		return STEP_FAILED;
	/* the other engine's command may now have a channel to itself */
	enpu_t_share_end(&s->share, k, s->t[k]);
	if (s->busy[!k])
		s->finish_t[!k] = enpu_t_share_finish(&s->share, !k);
	return STEP_RETIRED;
}

/*
 * Engine @k's next command starts at @when: a WAIT or SIGNAL is done at
 * once, anything else gathers its operands and computes (enpu_cmd_start)
 * and keeps the engine busy for its cycles.
 */
static enum step_result start(struct enpu_engine *e, struct enpu_run *run, int k,
			      uint64_t when)
{
	struct schedule *s = &run->s;
	struct enpu_job *job = &run->job;
	struct enpu_pending *pend = &s->pend[k];
	struct enpu_job_completion before = run->done;
	uint32_t i = s->list[k][s->pos[k]++];
	const uint32_t *w = run->words + run->offs[i];
	struct enpu_cmd_info info;
	int ret;

	job->cmd_offset = run->offs[i] * 4;
	enpu_cmd_decode(w, 1u << 30, &info);
	if (info.opcode == ENPU_OP_WAIT) {
		sem_take(s, ((const struct enpu_cmd_sync *)w)->sem);
		job->done->stall_cycles += when - s->t[k];
		s->t[k] = when + ENPU_T_SYNC;
		return STEP_RETIRED;
	}
	if (info.opcode == ENPU_OP_SIGNAL) {
		s->t[k] = when + ENPU_T_SYNC;
		sem_signal(s, ((const struct enpu_cmd_sync *)w)->sem, s->t[k]);
		return STEP_RETIRED;
	}
	pend->words = w;
	pend->info = info;
	pend->offset = run->offs[i] * 4;
	ret = enpu_cmd_start(job, pend);
	if (ret == ENPU_CMD_PAUSED) {
		/* it wrote nothing: it starts again */
		s->pos[k]--;
		run->done = before;
		return STEP_PAUSED;
	}
	if (ret)
		return STEP_FAILED;
	s->busy[k] = 1;
	/* both engines' finishes move when they come to share a channel */
	enpu_t_share_start(&s->share, &e->sku, &info, k, when);
	s->finish_t[k] = enpu_t_share_finish(&s->share, k);
	if (s->busy[!k])
		s->finish_t[!k] = enpu_t_share_finish(&s->share, !k);
	job->done->macs += info.macs;
	return STEP_STARTED;
}

/* Runs the schedule's events until the job ends or the engine is interrupted. */
static int run_schedule(struct enpu_engine *e, struct enpu_run *run)
{
	struct enpu_job *job = &run->job;
	struct schedule *s = &run->s;
	enum step_result r;
	uint64_t when;
	int k, finish;

	for (;;) {
		k = next_event(run, &when, &finish);
		if (k < 0) {
			for (k = 0; k < 2; k++) {
				if (s->pos[k] < s->n[k]) {
					job->cmd_offset = run->offs[s->list[k][s->pos[k]]] * 4;
					enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND,
						      ENPU_CMD_ERR_DEADLOCK);
					goto out;
				}
			}
			break;	/* both engines done */
		}
		r = finish ? retire(run, k) : start(e, run, k, when);
		if (r == STEP_PAUSED)
			return ENPU_ENGINE_PAUSED;
		if (r == STEP_FAILED)
			goto out;
		if (r == STEP_STARTED)
			continue;
		job->done->commands++;
		atomic_fetch_add(&e->progress, 1);
		if (atomic_load(&e->interrupt) & ENPU_ENGINE_ABORT) {
			enpu_job_fail(job, ENPU_JOB_ABORTED, 0);
			goto out;
		}
		if (atomic_load(&e->interrupt))
			return ENPU_ENGINE_PAUSED;
	}
out:
	job->done->cycles = s->t[0] > s->t[1] ? s->t[0] : s->t[1];
	return ENPU_ENGINE_ENDED;
}

/*
 * Runs @run on from where it stands (a job that failed before its
 * schedule began ends here); it ends (freed) or parks.
 */
static int run_on(struct enpu_engine *e, struct enpu_run *run,
		  struct enpu_job_completion *done)
{
	if (run->done.status == ENPU_JOB_OK &&
	    run_schedule(e, run) == ENPU_ENGINE_PAUSED) {
		e->parked = run;
		return ENPU_ENGINE_PAUSED;
	}
	/* an injected MMU fault belongs to this job even if it never fired */
	atomic_store(&e->inject_mmu_fault, 0);
	*done = run->done;
	enpu_run_free(run);
	return ENPU_ENGINE_ENDED;
}

int enpu_engine_run_bounded(struct enpu_engine *e,
			    const struct enpu_job_desc *desc,
			    struct enpu_job_completion *done, uint64_t budget)
{
	struct enpu_run *run;
	struct enpu_job *job;
	uint64_t start;

	enpu_engine_drop(e);
	/* its start alone (stream fetch, SRAM cleared) would take too long */
	if (budget && (desc->cmd_size > budget ||
		       (atomic_load(&e->sram_owner) != (ENPU_SRAM_OWNED | desc->asid) &&
			e->sku.sram_size / ENPU_SRAM_CLEAR_PER_UNIT > budget)))
		return ENPU_ENGINE_DEFERRED;
	atomic_store(&e->progress, 0);
	run = calloc(1, sizeof(*run));
	if (!run) {
		memset(done, 0, sizeof(*done));
		done->seqno = desc->seqno;
		done->status = ENPU_JOB_INVALID_DESC;
		atomic_store(&e->inject_mmu_fault, 0);
		return ENPU_ENGINE_ENDED;
	}
	run->desc = *desc;
	run->done.seqno = desc->seqno;
	run->done.status = ENPU_JOB_OK;
	job = &run->job;
	job->e = e;
	job->desc = &run->desc;
	job->done = &run->done;
	if (!enpu_desc_ok(desc)) {
		enpu_job_fail(job, ENPU_JOB_INVALID_DESC, 0);
		return run_on(e, run, done);
	}

	/*
	 * SRAM never carries data from one address space to another, nor
	 * from a retired one to its ASID's next user.
	 */
	if (atomic_load(&e->sram_owner) != (ENPU_SRAM_OWNED | desc->asid)) {
		memset(e->sram, 0, e->sku.sram_size);
		atomic_store(&e->sram_owner, ENPU_SRAM_OWNED | desc->asid);
	}

	run->nwords = desc->cmd_size / 4;
	run->words = malloc(desc->cmd_size);
	run->offs = malloc(sizeof(uint32_t) * run->nwords);
	if (!run->words || !run->offs) {
		enpu_job_fail(job, ENPU_JOB_INVALID_DESC, 0);
		return run_on(e, run, done);
	}
	if (enpu_bus_read(job, desc->cmd_addr, run->words, desc->cmd_size))
		return run_on(e, run, done);
	run->done.dram_read += desc->cmd_size;
	start = enpu_t_fetch(&e->sku, desc->cmd_size);
	run->done.cycles = start;
	if (enpu_run_validate(run))
		return run_on(e, run, done);
	if (enpu_run_schedule_init(run, start)) {
		enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_TOO_BIG);
		run->done.cycles = 0;
	} else if (budget && run->cost > budget) {
		e->parked = run;	/* before its first command */
		return ENPU_ENGINE_PAUSED;
	}
	return run_on(e, run, done);
}

int enpu_engine_run(struct enpu_engine *e, const struct enpu_job_desc *desc,
		    struct enpu_job_completion *done)
{
	return enpu_engine_run_bounded(e, desc, done, 0);
}

int enpu_engine_resume(struct enpu_engine *e, struct enpu_job_completion *done)
{
	struct enpu_run *run = e->parked;

	if (!run)
		return -1;
	e->parked = NULL;
	return run_on(e, run, done);
}

void enpu_engine_drop(struct enpu_engine *e)
{
	enpu_run_free(e->parked);
	e->parked = NULL;
}
