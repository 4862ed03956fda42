// SPDX-License-Identifier: MIT
/*
 * Weights of recent layers made ready for the CPU's kernels, kept across
 * jobs: a saving of the simulator's, not device state. The INT8 GEMM
 * (hw/int8/enpu_gemm.h) needs a layer's weights packed; packing them at
 * every command cost more than the GEMM itself for a layer of few output
 * pixels, which then took the slower int16 path instead (person_detect's
 * last 1x1 convolutions: 12 to 31 us against 2 to 4 on the CPU backend,
 * whose model packs once). A depthwise layer's are widened for its kernel
 * (struct enpu_dw_weights), a third of a small layer's time when done at
 * each command.
 *
 * An entry is found by address space, virtual address, length, kind
 * and shape, and used only when the weights in memory are byte for byte those
 * it was packed from (kept beside it), compared where they lie: the
 * command then runs on the kept copy and its packing, and the weights are
 * not copied at all. Memory written since, by anyone, only costs a read
 * and a packing again. The result is the same
 * either way; only host time differs. Entries of an address space are
 * used by that address space's jobs alone, and an ASID_RETIRE (a process
 * gone) empties the cache, so that no job's host time depends on the
 * weights of a process before it. Bounded: ENPU_PACK_CACHE_ENTRIES entries
 * and ENPU_PACK_CACHE_BYTES bytes, the least recently used going first.
 * Only the engine's thread touches it.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "enpu_gemm.h"
#include "enpu_int8.h"

struct enpu_pack_entry {
	uint32_t asid, va;
	uint64_t len;
	struct enpu_pack_shape shape;
	int8_t *orig;			/* the weights made ready, as read; NULL: slot free */
	union {
		struct enpu_gemm_weights pw;	/* ENPU_PACK_GEMM */
		struct enpu_dw_weights dw;	/* ENPU_PACK_DW */
	} ready;
	size_t bytes;			/* held: the copy and what was made of it */
	uint64_t used;			/* LRU clock */
};

struct enpu_pack_cache {
	struct enpu_pack_entry e[ENPU_PACK_CACHE_ENTRIES];
	size_t bytes;
	uint64_t clock;
	unsigned int retired;		/* enpu_engine.asid_retired when last emptied */
};

static void free_ready(struct enpu_pack_entry *x)
{
	if (x->shape.kind == ENPU_PACK_DW)
		enpu_dw_weights_free(&x->ready.dw);
	else
		enpu_gemm_weights_free(&x->ready.pw);
}

static void drop(struct enpu_pack_cache *c, struct enpu_pack_entry *x)
{
	c->bytes -= x->bytes;
	free(x->orig);
	free_ready(x);
	memset(x, 0, sizeof(*x));
}

void enpu_pack_cache_flush(struct enpu_engine *e)
{
	struct enpu_pack_cache *c = e->packs;

	if (!c)
		return;
	for (unsigned int i = 0; i < ENPU_PACK_CACHE_ENTRIES; i++)
		if (c->e[i].orig)
			drop(c, &c->e[i]);
}

void enpu_pack_cache_free(struct enpu_engine *e)
{
	enpu_pack_cache_flush(e);
	free(e->packs);
	e->packs = NULL;
}

/* The least recently used entry, or NULL when there is none. */
static struct enpu_pack_entry *least_used(struct enpu_pack_cache *c)
{
	struct enpu_pack_entry *v = NULL;

	for (unsigned int i = 0; i < ENPU_PACK_CACHE_ENTRIES; i++)
		if (c->e[i].orig && (!v || c->e[i].used < v->used))
			v = &c->e[i];
	return v;
}

/*
 * A slot for an entry of @bytes (at most ENPU_PACK_CACHE_BYTES): the least
 * recently used entries dropped until the bytes fit, then a free slot, or
 * the least recently used entry's.
 */
static struct enpu_pack_entry *make_room(struct enpu_pack_cache *c, size_t bytes)
{
	struct enpu_pack_entry *x;

	/* entries hold every byte counted: one is there while any is */
	while (c->bytes + bytes > ENPU_PACK_CACHE_BYTES)
		drop(c, least_used(c));
	for (unsigned int i = 0; i < ENPU_PACK_CACHE_ENTRIES; i++)
		if (!c->e[i].orig)
			return &c->e[i];
	x = least_used(c);
	drop(c, x);
	return x;
}

/* The cache, emptied if an address space was retired since; NULL: none yet. */
static struct enpu_pack_cache *cache_of(struct enpu_engine *e)
{
	const unsigned int retired = atomic_load(&e->asid_retired);
	struct enpu_pack_cache *c = e->packs;

	if (c && c->retired != retired) {
		enpu_pack_cache_flush(e);
		c->retired = retired;
	}
	return c;
}

static struct enpu_pack_entry *lookup(struct enpu_pack_cache *c, uint32_t asid, uint32_t va,
				      uint64_t len, const struct enpu_pack_shape *shape)
{
	for (unsigned int i = 0; c && i < ENPU_PACK_CACHE_ENTRIES; i++) {
		struct enpu_pack_entry *y = &c->e[i];

		if (y->orig && y->asid == asid && y->va == va && y->len == len &&
		    !memcmp(&y->shape, shape, sizeof(*shape)))
			return y;
	}
	return NULL;
}

const int8_t *enpu_pack_cache_find(struct enpu_job *job, uint32_t va, uint64_t len,
				   const struct enpu_pack_shape *shape, const void **ready)
{
	struct enpu_pack_cache *c = cache_of(job->e);
	struct enpu_pack_entry *x = lookup(c, job->desc->asid, va, len, shape);

	if (!x || enpu_vm_equal(job, va, x->orig, len) != 1)
		return NULL;
	x->used = ++c->clock;
	job->e->packs_reused++;
	*ready = &x->ready;
	return x->orig;
}

/*
 * The cache, made if there is none yet, without an entry for @shape at
 * @va (enpu_pack_cache_find() found its bytes written since); NULL
 * without memory.
 */
static struct enpu_pack_cache *room_for(struct enpu_job *job, uint32_t va, uint64_t len,
					const struct enpu_pack_shape *shape)
{
	struct enpu_engine *e = job->e;
	struct enpu_pack_cache *c = cache_of(e);
	struct enpu_pack_entry *x;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->retired = atomic_load(&e->asid_retired);
		e->packs = c;
	}
	x = lookup(c, job->desc->asid, va, len, shape);
	if (x)
		drop(c, x);
	return c;
}

/*
 * Keeps @fresh (what was made ready, @fresh->bytes with the copy) with a
 * copy of its weights @w; NULL, @fresh freed, without memory.
 */
static struct enpu_pack_entry *keep(struct enpu_job *job, struct enpu_pack_cache *c,
				    struct enpu_pack_entry *fresh, const int8_t *w)
{
	struct enpu_pack_entry *x;

	fresh->orig = malloc(fresh->len);
	if (!fresh->orig) {
		free_ready(fresh);
		return NULL;
	}
	memcpy(fresh->orig, w, fresh->len);
	x = make_room(c, fresh->bytes);
	*x = *fresh;
	x->used = ++c->clock;
	c->bytes += x->bytes;
	job->e->packs_made++;
	return x;
}

const struct enpu_gemm_weights *enpu_pack_cache_get(struct enpu_job *job, uint32_t va,
						    const int8_t *w, uint64_t len,
						    int32_t channels, size_t k_len)
{
	struct enpu_pack_entry *x, fresh = {
		.asid = job->desc->asid, .va = va, .len = len,
		.shape = { .kind = ENPU_PACK_GEMM, .channels = channels, .a = (int64_t)k_len },
	};
	struct enpu_pack_cache *c;

	if (channels <= 0 || !k_len || len / k_len != (uint64_t)channels || len % k_len)
		return NULL;	/* not @channels rows of @k_len: the kernel refuses it */
	c = room_for(job, va, len, &fresh.shape);
	fresh.bytes = len + enpu_gemm_packed_size(channels, k_len) + (size_t)channels * 4;
	/* -ENOTSUP: this CPU's kernels would not take them packed */
	if (!c || fresh.bytes > ENPU_PACK_CACHE_BYTES ||
	    enpu_gemm_weights_pack(&fresh.ready.pw, w, channels, k_len))
		return NULL;
	x = keep(job, c, &fresh, w);
	return x ? &x->ready.pw : NULL;
}

struct enpu_pack_shape enpu_pack_shape_dw(const struct enpu_dwconv2d_params *p)
{
	return (struct enpu_pack_shape){
		.kind = ENPU_PACK_DW, .channels = p->output.c,
		.a = (int64_t)p->filter.h * p->filter.w, .b = p->depth_multiplier,
	};
}

const struct enpu_dw_weights *enpu_pack_cache_get_dw(struct enpu_job *job, uint32_t va,
						     const int8_t *w, uint64_t len,
						     const struct enpu_dwconv2d_params *p)
{
	struct enpu_pack_entry *x, fresh = {
		.asid = job->desc->asid, .va = va, .len = len,
		.shape = enpu_pack_shape_dw(p),
	};
	struct enpu_pack_cache *c;

	if (fresh.shape.a * fresh.shape.channels != (int64_t)len)
		return NULL;	/* not the layer's weights: the kernel refuses them */
	c = room_for(job, va, len, &fresh.shape);
	/* -ENOTSUP: this CPU's kernels read them as they are */
	if (!c || enpu_dw_weights_prepare(&fresh.ready.dw, p, w))
		return NULL;
	fresh.bytes = len + fresh.ready.dw.bytes;
	if (fresh.bytes > ENPU_PACK_CACHE_BYTES) {
		enpu_dw_weights_free(&fresh.ready.dw);
		return NULL;
	}
	x = keep(job, c, &fresh, w);
	return x ? &x->ready.dw : NULL;
}
