// SPDX-License-Identifier: MIT
/*
 * A parked job as bytes, for a device that migrates while a job runs
 * (enpu_engine.h): the descriptor, the completion so far, the command
 * stream as it was fetched, both engines' schedules with their
 * semaphores, and the result each busy engine holds for its finish. All
 * little-endian, independent of the host.
 *
 * Loading trusts nothing: the stream is validated again and every index
 * the schedule holds is checked against it, so bytes that do not
 * describe a consistent parked job are refused instead of run.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

#define SNAP_MAGIC	0x4b504e45u	/* "ENPK" */
#define SNAP_VERSION	2u	/* 2 adds the memory channels' state */

struct snap_out {
	uint8_t *buf;
	size_t len, cap;
	int err;
};

static void out_bytes(struct snap_out *o, const void *p, size_t n)
{
	uint8_t *nb;
	size_t cap;

	if (o->err || !n)
		return;
	if (o->len + n > o->cap) {
		cap = o->cap ? o->cap : 4096;
		while (cap < o->len + n)
			cap *= 2;
		nb = realloc(o->buf, cap);
		if (!nb) {
			o->err = 1;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void out32(struct snap_out *o, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	out_bytes(o, b, 4);
}

static void out64(struct snap_out *o, uint64_t v)
{
	out32(o, (uint32_t)v);
	out32(o, (uint32_t)(v >> 32));
}

struct snap_in {
	const uint8_t *p;
	size_t left;
	int err;
};

static const uint8_t *in_bytes(struct snap_in *in, size_t n)
{
	const uint8_t *p = in->p;

	if (in->err || n > in->left) {
		in->err = 1;
		return NULL;
	}
	in->p += n;
	in->left -= n;
	return p;
}

static uint32_t in32(struct snap_in *in)
{
	const uint8_t *b = in_bytes(in, 4);

	return b ? b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24 : 0;
}

static uint64_t in64(struct snap_in *in)
{
	uint64_t lo = in32(in);

	return lo | (uint64_t)in32(in) << 32;
}

/* The descriptor and the completion, field by field. */
static void out_desc(struct snap_out *o, const struct enpu_job_desc *d)
{
	unsigned int i;

	out32(o, d->flags);
	out32(o, d->seqno);
	out32(o, d->asid);
	out32(o, d->cmd_size);
	out64(o, d->pt_base);
	out64(o, d->cmd_addr);
	out64(o, d->completion_addr);
	for (i = 0; i < 3; i++)
		out64(o, d->reserved[i]);
}

static void in_desc(struct snap_in *in, struct enpu_job_desc *d)
{
	unsigned int i;

	d->flags = in32(in);
	d->seqno = in32(in);
	d->asid = in32(in);
	d->cmd_size = in32(in);
	d->pt_base = in64(in);
	d->cmd_addr = in64(in);
	d->completion_addr = in64(in);
	for (i = 0; i < 3; i++)
		d->reserved[i] = in64(in);
}

static void out_done(struct snap_out *o, const struct enpu_job_completion *c)
{
	const uint64_t *v = &c->cycles;
	unsigned int i;

	out32(o, c->seqno);
	out32(o, c->status);
	out32(o, c->error_offset);
	out32(o, c->fault_addr);
	out32(o, c->error_info);
	out32(o, c->reserved0);
	for (i = 0; i < 13; i++)
		out64(o, v[i]);
}

static void in_done(struct snap_in *in, struct enpu_job_completion *c)
{
	uint64_t *v = &c->cycles;
	unsigned int i;

	c->seqno = in32(in);
	c->status = in32(in);
	c->error_offset = in32(in);
	c->fault_addr = in32(in);
	c->error_info = in32(in);
	c->reserved0 = in32(in);
	for (i = 0; i < 13; i++)
		v[i] = in64(in);
}

/* cycles .. reserved[4]: thirteen 64-bit counters in a row */
ENPU_STATIC_ASSERT(sizeof(struct enpu_job_completion) ==
		   offsetof(struct enpu_job_completion, cycles) + 13 * 8,
		   "the completion ends in thirteen 64-bit fields");

int enpu_engine_save(struct enpu_engine *e, uint8_t **buf, uint32_t *len)
{
	const struct enpu_run *run = e->parked;
	struct snap_out o = { 0 };
	const struct schedule *s;
	uint64_t n;
	uint32_t i;
	int k;

	if (!run)
		return -1;
	s = &run->s;
	out32(&o, SNAP_MAGIC);
	out32(&o, SNAP_VERSION);
	out_desc(&o, &run->desc);
	out_done(&o, &run->done);
	out32(&o, run->job.cmd_offset);
	out32(&o, run->nwords);
	for (i = 0; i < run->nwords; i++)
		out32(&o, run->words[i]);
	for (k = 0; k < 2; k++) {
		out32(&o, s->pos[k]);
		out64(&o, s->t[k]);
		out32(&o, s->busy[k]);
		out64(&o, s->finish_t[k]);
		out32(&o, s->busy[k] ? s->pend[k].offset : 0);
		n = s->busy[k] && s->pend[k].result ? enpu_pending_bytes(&s->pend[k]) : 0;
		out32(&o, (uint32_t)n);
		out_bytes(&o, s->pend[k].result, n);
	}
	for (i = 0; i < ENPU_NUM_SEMS; i++) {
		out32(&o, s->sem[i].head);
		out32(&o, s->sem[i].tail);
		out32(&o, s->sem[i].count);
	}
	out32(&o, s->nsig);
	for (i = 0; i < s->nsig; i++) {
		out64(&o, s->sig_time[i]);
		out32(&o, s->sig_next[i]);
	}
	out64(&o, s->share.now);
	for (k = 0; k < 2; k++) {
		out64(&o, s->share.f[k].active_from);
		for (i = 0; i < ENPU_T_PARTS; i++)
			out64(&o, s->share.f[k].left[i]);
		out32(&o, s->share.f[k].busy);
	}
	if (o.err || o.len > UINT32_MAX) {
		free(o.buf);
		return -1;
	}
	*buf = o.buf;
	*len = (uint32_t)o.len;
	return 0;
}

/* Each semaphore's queue is a chain of @count signals ending at tail. */
static int sems_ok(const struct schedule *s)
{
	uint32_t i, c, at;

	for (i = 0; i < ENPU_NUM_SEMS; i++) {
		const struct sem_queue *q = &s->sem[i];

		if (q->count > s->nsig)
			return 0;
		if (!q->count)
			continue;
		at = q->head;
		for (c = 1; ; c++) {
			if (at >= s->nsig)
				return 0;
			if (c == q->count)
				break;
			at = s->sig_next[at];
		}
		if (at != q->tail)
			return 0;
	}
	return 1;
}

/* Engine @k's pending command: the last it took, a command that runs. */
static int load_pending(struct enpu_engine *e, struct enpu_run *run, int k,
			uint32_t offset, const uint8_t *bytes, uint32_t n)
{
	struct schedule *s = &run->s;
	struct enpu_pending *p = &s->pend[k];
	uint32_t i;

	if (!s->pos[k])
		return -1;
	i = s->list[k][s->pos[k] - 1];
	if (offset != run->offs[i] * 4)
		return -1;
	p->words = run->words + run->offs[i];
	p->offset = offset;
	enpu_cmd_decode(p->words, 1u << 30, &p->info);
	if (p->info.opcode == ENPU_OP_SIGNAL || p->info.opcode == ENPU_OP_WAIT)
		return -1;
	return enpu_pending_restore(e, p, bytes, n);
}

/* The channels' state (version 2); a flight only where its engine is busy. */
static void load_share(struct snap_in *in, struct schedule *s)
{
	int k, p;

	s->share.now = in64(in);
	for (k = 0; k < 2; k++) {
		s->share.f[k].active_from = in64(in);
		for (p = 0; p < ENPU_T_PARTS; p++)
			s->share.f[k].left[p] = in64(in);
		s->share.f[k].busy = in32(in);
		if (s->share.f[k].busy != (uint32_t)s->busy[k])
			in->err = 1;
	}
}

/*
 * A version 1 image has no channel state: its busy commands keep the
 * finishes it records, and share no channel with what starts after.
 */
static void version1_share(struct schedule *s)
{
	int k;

	memset(&s->share, 0, sizeof(s->share));
	s->share.now = s->t[0] < s->t[1] ? s->t[0] : s->t[1];
	for (k = 0; k < 2; k++) {
		s->share.f[k].busy = (uint32_t)s->busy[k];
		s->share.f[k].active_from = s->finish_t[k];
	}
}

int enpu_engine_load(struct enpu_engine *e, const uint8_t *buf, uint32_t len)
{
	struct snap_in in = { .p = buf, .left = len };
	const uint8_t *result[2];
	uint32_t offset[2], rlen[2], cmd_offset, i;
	struct enpu_run *run;
	struct schedule *s;
	int k;

	uint32_t version;

	if (in32(&in) != SNAP_MAGIC)
		return -1;
	/* version 1 (no channel state): the channels are free */
	version = in32(&in);
	if (version < 1 || version > SNAP_VERSION)
		return -1;
	run = calloc(1, sizeof(*run));
	if (!run)
		return -1;
	s = &run->s;
	run->job.e = e;
	run->job.desc = &run->desc;
	run->job.done = &run->done;
	in_desc(&in, &run->desc);
	in_done(&in, &run->done);
	cmd_offset = in32(&in);
	run->nwords = in32(&in);
	if (in.err || !enpu_desc_ok(&run->desc) || run->nwords != run->desc.cmd_size / 4 ||
	    run->done.status != ENPU_JOB_OK || run->done.seqno != run->desc.seqno)
		goto bad;
	run->words = malloc(run->desc.cmd_size);
	run->offs = malloc(sizeof(uint32_t) * run->nwords);
	if (!run->words || !run->offs)
		goto bad;
	for (i = 0; i < run->nwords; i++)
		run->words[i] = in32(&in);
	if (in.err || enpu_run_validate(run) || enpu_run_schedule_init(run, 0))
		goto bad;
	run->job.cmd_offset = cmd_offset;

	for (k = 0; k < 2; k++) {
		s->pos[k] = in32(&in);
		s->t[k] = in64(&in);
		s->busy[k] = in32(&in);
		s->finish_t[k] = in64(&in);
		offset[k] = in32(&in);
		rlen[k] = in32(&in);
		result[k] = in_bytes(&in, rlen[k]);
		if (in.err || s->pos[k] > s->n[k] || s->busy[k] > 1 ||
		    (!s->busy[k] && rlen[k]))
			goto bad;
	}
	for (i = 0; i < ENPU_NUM_SEMS; i++) {
		s->sem[i].head = in32(&in);
		s->sem[i].tail = in32(&in);
		s->sem[i].count = in32(&in);
	}
	s->nsig = in32(&in);
	if (in.err || s->nsig > run->ncmds)
		goto bad;
	for (i = 0; i < s->nsig; i++) {
		s->sig_time[i] = in64(&in);
		s->sig_next[i] = in32(&in);
	}
	if (version >= 2)
		load_share(&in, s);
	else
		version1_share(s);
	if (in.err || in.left || !sems_ok(s))
		goto bad;
	/* both engines share no scratch slot: results go back after the checks */
	for (k = 0; k < 2; k++)
		if (s->busy[k] && load_pending(e, run, k, offset[k], result[k], rlen[k]))
			goto bad;

	enpu_engine_drop(e);
	e->parked = run;
	atomic_store(&e->progress, (uint32_t)run->done.commands);
	enpu_tlb_flush(e);
	return 0;
bad:
	enpu_run_free(run);
	return -1;
}
