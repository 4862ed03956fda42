// SPDX-License-Identifier: MIT
/*
 * Packed weights of recent layers, kept across jobs: a saving of the
 * simulator's, not device state. The INT8 GEMM (hw/int8/enpu_gemm.h) needs
 * a layer's weights packed; packing them at every command cost more than
 * the GEMM itself for a layer of few output pixels, which then took the
 * slower int16 path instead (person_detect's last 1x1 convolutions: 12 to
 * 31 us against 2 to 4 on the CPU backend, whose model packs once).
 *
 * An entry is found by address space, virtual address, length and
 * shape, and used only when the weights in memory are byte for byte those
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
	int8_t *orig;			/* the weights packed, as read; NULL: slot free */
	struct enpu_gemm_weights pw;
	size_t bytes;			/* held: the copy, the packing, the sums */
	uint64_t used;			/* LRU clock */
};

struct enpu_pack_cache {
	struct enpu_pack_entry e[ENPU_PACK_CACHE_ENTRIES];
	size_t bytes;
	uint64_t clock;
	unsigned int retired;		/* enpu_engine.asid_retired when last emptied */
};

static void drop(struct enpu_pack_cache *c, struct enpu_pack_entry *x)
{
	c->bytes -= x->bytes;
	free(x->orig);
	enpu_gemm_weights_free(&x->pw);
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
				      uint64_t len, int32_t channels, size_t k_len)
{
	for (unsigned int i = 0; c && i < ENPU_PACK_CACHE_ENTRIES; i++) {
		struct enpu_pack_entry *y = &c->e[i];

		if (y->orig && y->asid == asid && y->va == va && y->len == len &&
		    y->pw.channels == channels && y->pw.k_len == k_len)
			return y;
	}
	return NULL;
}

const int8_t *enpu_pack_cache_find(struct enpu_job *job, uint32_t va, uint64_t len,
				   int32_t channels, size_t k_len,
				   const struct enpu_gemm_weights **pw)
{
	struct enpu_pack_cache *c = cache_of(job->e);
	struct enpu_pack_entry *x = lookup(c, job->desc->asid, va, len, channels, k_len);

	if (!x || enpu_vm_equal(job, va, x->orig, len) != 1)
		return NULL;
	x->used = ++c->clock;
	job->e->packs_reused++;
	*pw = &x->pw;
	return x->orig;
}

const struct enpu_gemm_weights *enpu_pack_cache_get(struct enpu_job *job, uint32_t va,
						    const int8_t *w, uint64_t len,
						    int32_t channels, size_t k_len)
{
	struct enpu_engine *e = job->e;
	const uint32_t asid = job->desc->asid;
	struct enpu_pack_cache *c = cache_of(e);
	struct enpu_pack_entry *x, fresh = { .asid = asid, .va = va, .len = len };
	size_t bytes;

	if (channels <= 0 || !k_len || len / k_len != (uint64_t)channels || len % k_len)
		return NULL;	/* not @channels rows of @k_len: the kernel refuses it */
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->retired = atomic_load(&e->asid_retired);
		e->packs = c;
	}
	/* enpu_pack_cache_find() found it written since: packed again below */
	x = lookup(c, asid, va, len, channels, k_len);
	if (x)
		drop(c, x);

	bytes = len + enpu_gemm_packed_size(channels, k_len) + (size_t)channels * 4;
	/* -ENOTSUP: this CPU's kernels would not take them packed */
	if (bytes > ENPU_PACK_CACHE_BYTES ||
	    enpu_gemm_weights_pack(&fresh.pw, w, channels, k_len))
		return NULL;
	fresh.orig = malloc(len);
	if (!fresh.orig) {
		enpu_gemm_weights_free(&fresh.pw);
		return NULL;
	}
	memcpy(fresh.orig, w, len);
	fresh.bytes = bytes;
	x = make_room(c, bytes);
	*x = fresh;
	x->used = ++c->clock;
	c->bytes += bytes;
	e->packs_made++;
	return &x->pw;
}
