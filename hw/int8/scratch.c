// SPDX-License-Identifier: MIT
/*
 * A kernel call's scratch, kept per thread for its next call.
 *
 * A depthwise layer needs a few KB of scratch a call (its padded or spread
 * input rows, and tables or weights not made ready); allocating and
 * freeing them each call cost 0.1-0.15 us, a tenth of a small layer's
 * time, most of it in malloc_consolidate() when a free left a large
 * chunk. Each thread keeps one buffer instead, grown to the largest call
 * it has had, up to ENPU_SCRATCH_KEEP bytes (larger calls allocate and
 * free theirs), freed when the thread exits. A call nested in another of
 * the same thread (none does now) gets its own allocation.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "enpu_int8_internal.h"

struct scratch {
	void *mem;
	size_t bytes;
	int busy;
};

static pthread_key_t scratch_key;
static atomic_size_t kept;		/* bytes every thread keeps */
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_ok;

static void scratch_drop(void *v)
{
	struct scratch *s = v;

	atomic_fetch_sub(&kept, s->bytes);
	free(s->mem);
	free(s);
}

static void scratch_init(void)
{
	scratch_ok = !pthread_key_create(&scratch_key, scratch_drop);
}

/* This thread's kept buffer, made on first use; NULL without one. */
static struct scratch *scratch_mine(void)
{
	struct scratch *s;

	if (pthread_once(&scratch_once, scratch_init) || !scratch_ok)
		return NULL;
	s = pthread_getspecific(scratch_key);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (s && pthread_setspecific(scratch_key, s)) {
		free(s);
		s = NULL;
	}
	return s;
}

void *enpu_scratch_get(size_t n)
{
	struct scratch *s = n <= ENPU_SCRATCH_KEEP ? scratch_mine() : NULL;

	if (!s || s->busy)
		return enpu_alloc_lines(n);
	if (s->bytes < n) {
		void *mem = enpu_alloc_lines(n);

		if (!mem)
			return NULL;
		free(s->mem);
		atomic_fetch_add(&kept, n - s->bytes);
		s->mem = mem;
		s->bytes = n;
	}
	s->busy = 1;
	return s->mem;
}

void enpu_scratch_put(void *p)
{
	struct scratch *s = scratch_ok ? pthread_getspecific(scratch_key) : NULL;

	if (s && s->busy && p == s->mem) {
		s->busy = 0;
		return;
	}
	free(p);
}

size_t enpu_scratch_kept(void)
{
	return atomic_load(&kept);
}
