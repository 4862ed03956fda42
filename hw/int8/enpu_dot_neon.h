/* SPDX-License-Identifier: MIT */
/*
 * What both arm64 variants of the dot-product kernels share (dot_neon.c,
 * dot_neon_dotprod.c): the requantisation of four lanes in registers and
 * the store of a partial vector. Baseline Advanced SIMD only. Internal to
 * hw/int8's dot_neon*.c, which include arm_neon.h first (the dot-product
 * file after its target pragma).
 *
 * The requantisation is enpu_rq_one()'s in four lanes: sqrdmulh is SRDHM
 * (floor((x * M + 2^30) / 2^31), saturating only for INT32_MIN twice, as
 * the scalar one), and a rounding shift right of x - 1 for a negative x
 * rounds its ties away from zero, as RDBPOT does.
 */
#ifndef ENPU_DOT_NEON_H
#define ENPU_DOT_NEON_H

#include <string.h>

#include "enpu_requant.h"

/* Four lanes of a requantisation table, in registers. */
struct enpu_rq4 {
	int32x4_t bias, mult, left, nright;
};

static inline struct enpu_rq4 enpu_rq4_load(const struct enpu_rq_table *t, int j)
{
	const int32x4_t shift = vld1q_s32(t->shift + j), zero = vdupq_n_s32(0);
	const struct enpu_rq4 v = {
		.bias = vld1q_s32(t->bias + j), .mult = vld1q_s32(t->mult + j),
		.left = vmaxq_s32(shift, zero), .nright = vminq_s32(shift, zero),
	};

	return v;
}

/* MBQM(acc + bias): int32 lanes, before the zero point. */
static inline int32x4_t enpu_rq4(const struct enpu_rq4 *v, int32x4_t acc)
{
	int32x4_t x = vshlq_s32(vaddq_s32(acc, v->bias), v->left);
	int32x4_t fix;

	x = vqrdmulhq_s32(x, v->mult);
	/* -1 where x < 0 and the shift is right (nright's sign bit set) */
	fix = vshrq_n_s32(vandq_s32(x, v->nright), 31);
	return vrshlq_s32(vqaddq_s32(x, fix), v->nright);
}

/* Sixteen requantised lanes to int8: + zp and the clamp in int16, saturating. */
static inline int8x16_t enpu_rq_out16(const struct enpu_rq_table *t, const int32x4_t q[4])
{
	const int16x8_t zp = vdupq_n_s16((int16_t)t->out_zp);
	const int16x8_t lo = vdupq_n_s16((int16_t)t->act_min);
	const int16x8_t hi = vdupq_n_s16((int16_t)t->act_max);
	int16x8_t a = vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]));
	int16x8_t b = vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]));

	a = vminq_s16(vmaxq_s16(vqaddq_s16(a, zp), lo), hi);
	b = vminq_s16(vmaxq_s16(vqaddq_s16(b, zp), lo), hi);
	return vcombine_s8(vqmovn_s16(a), vqmovn_s16(b));
}

/* The first @n (<= 16) bytes of @v to @dst. */
static inline void enpu_store_n(int8_t *dst, int8x16_t v, int n)
{
	int8_t tmp[16];

	if (n >= 16) {
		vst1q_s8(dst, v);
		return;
	}
	vst1q_s8(tmp, v);
	memcpy(dst, tmp, (size_t)n);
}

#endif /* ENPU_DOT_NEON_H */
