/* SPDX-License-Identifier: MIT */
/*
 * The fuzzers' random numbers: xorshift64*, deterministic from a seed, and
 * the values a hostile caller tries (the edges of the types, the
 * contract's own limits).
 */
#ifndef EDGENPU_FUZZ_RNG_H
#define EDGENPU_FUZZ_RNG_H

#include <stdint.h>

#include "edgenpu_job.h"
#include "edgenpu_mmu.h"

struct rng {
	uint64_t s;		/* never 0 */
};

static inline uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static inline uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

/* True with probability @pct percent. */
static inline int chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

static inline uint64_t edge64(struct rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 63, 64, 255, 256, 4095, 4096, 4097, 65536,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
		ENPU_SRAM_VA_BASE, ENPU_MAX_CMD_SIZE, ENPU_MAX_CMD_SIZE + 4,
		1ull << 30, (1ull << 30) + 1,
	};

	return chance(r, 70) ? v[below(r, sizeof(v) / sizeof(v[0]))] : rnd(r);
}

static inline uint32_t edge32(struct rng *r)
{
	return (uint32_t)edge64(r);
}

#endif /* EDGENPU_FUZZ_RNG_H */
