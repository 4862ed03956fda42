// SPDX-License-Identifier: MIT
/*
 * The GEMM of enpu_gemm.h with arm64's dot-product extension (FEAT_DotProd:
 * optional from Armv8.2, in every Armv8.4 CPU): sdot sums four int8
 * products into each int32 lane. sdot is signed by signed, so the
 * unsigned patch bytes u become u - 128 again (one eor a sixteen-byte
 * load) and the variant says so (enpu_dot_ops.gemm_signed): gemm.c then
 * corrects the sums by in_zp * S[o] instead of (128 + in_zp) * S[o].
 * The variant's other kernels are dot_neon.c's (enpu_dot_neon_dotprod).
 *
 * The requantisation is enpu_rq_one()'s in four lanes: sqrdmulh is
 * SRDHM (floor((x * M + 2^30) / 2^31), saturating only for INT32_MIN
 * twice, as the scalar one), and a rounding shift right of x - 1 for a
 * negative x rounds its ties away from zero, as RDBPOT does.
 */
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_requant.h"
#include "enpu_simd.h"

#ifdef __aarch64__
#pragma GCC target("arch=armv8.2-a+dotprod")
#include <arm_neon.h>

/* Four lanes of a requantisation table, in registers. */
struct rq4 {
	int32x4_t bias, mult, left, nright;
};

static inline struct rq4 rq4_load(const struct enpu_rq_table *t, int j)
{
	const int32x4_t shift = vld1q_s32(t->shift + j), zero = vdupq_n_s32(0);
	const struct rq4 v = {
		.bias = vld1q_s32(t->bias + j), .mult = vld1q_s32(t->mult + j),
		.left = vmaxq_s32(shift, zero), .nright = vminq_s32(shift, zero),
	};

	return v;
}

/* MBQM(acc + bias): int32 lanes, before the zero point. */
static inline int32x4_t rq4(const struct rq4 *v, int32x4_t acc)
{
	int32x4_t x = vshlq_s32(vaddq_s32(acc, v->bias), v->left);
	int32x4_t fix;

	x = vqrdmulhq_s32(x, v->mult);
	/* -1 where x < 0 and the shift is right (nright's sign bit set) */
	fix = vshrq_n_s32(vandq_s32(x, v->nright), 31);
	return vrshlq_s32(vqaddq_s32(x, fix), v->nright);
}

/* Sixteen requantised lanes to int8: + zp and the clamp in int16, saturating. */
static inline int8x16_t rq_out16(const struct enpu_rq_table *t, const int32x4_t q[4])
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
static inline void store_n(int8_t *dst, int8x16_t v, int n)
{
	int8_t tmp[16];

	if (n >= 16) {
		vst1q_s8(dst, v);
		return;
	}
	vst1q_s8(tmp, v);
	memcpy(dst, tmp, (size_t)n);
}

/* One group of four taps of every row (lane @L of xv) into the block's accumulators. */
#define SDOT_GROUP(L, wg)							\
	do {									\
		const int8x16_t w0 = vld1q_s8(wg), w1 = vld1q_s8((wg) + 16);	\
		const int8x16_t w2 = vld1q_s8((wg) + 32), w3 = vld1q_s8((wg) + 48); \
		for (r = 0; r < ROWS; r++) {					\
			a[r][0] = vdotq_laneq_s32(a[r][0], w0, xv[r], L);	\
			a[r][1] = vdotq_laneq_s32(a[r][1], w1, xv[r], L);	\
			a[r][2] = vdotq_laneq_s32(a[r][2], w2, xv[r], L);	\
			a[r][3] = vdotq_laneq_s32(a[r][3], w3, xv[r], L);	\
		}								\
	} while (0)

/*
 * @ROWS patch rows against one block of sixteen channels (@w, packed by
 * enpu_gemm_pack(): per group of four taps, 64 bytes, four a channel),
 * requantised with table lanes j .. j + 15, the first @nch stored. Four
 * groups a step, one sixteen-byte load of each row; the last fewer than
 * four one at a time (a row is only k4 * 4 bytes long).
 */
static inline __attribute__((always_inline)) void
gemm_block(const uint8_t *const x[], const int8_t *w, size_t k4,
	   const struct enpu_rq_table *rq, int j, int nch, int8_t *out, size_t out_stride,
	   const int ROWS)
{
	const int8x16_t flip = vdupq_n_s8(-128);
	int32x4_t a[ENPU_GEMM_ROWS][4];
	size_t g = 0;
	int r, q;

	for (r = 0; r < ROWS; r++)
		for (q = 0; q < 4; q++)
			a[r][q] = vdupq_n_s32(0);
	for (; g + 4 <= k4; g += 4) {
		int8x16_t xv[ENPU_GEMM_ROWS];

		for (r = 0; r < ROWS; r++)
			xv[r] = veorq_s8(vreinterpretq_s8_u8(vld1q_u8(x[r] + 4 * g)), flip);
		SDOT_GROUP(0, w + g * 64);
		SDOT_GROUP(1, w + g * 64 + 64);
		SDOT_GROUP(2, w + g * 64 + 128);
		SDOT_GROUP(3, w + g * 64 + 192);
	}
	for (; g < k4; g++) {
		int8x16_t xv[ENPU_GEMM_ROWS];

		for (r = 0; r < ROWS; r++) {
			int32_t four;

			memcpy(&four, x[r] + 4 * g, 4);
			xv[r] = veorq_s8(vreinterpretq_s8_s32(vdupq_n_s32(four)), flip);
		}
		SDOT_GROUP(0, w + g * 64);
	}
	for (q = 0; q < 4; q++) {
		const struct rq4 v = rq4_load(rq, j + 4 * q);

		for (r = 0; r < ROWS; r++)
			a[r][q] = rq4(&v, a[r][q]);
	}
	for (r = 0; r < ROWS; r++)
		store_n(out + r * out_stride, rq_out16(rq, a[r]), nch);
}
#undef SDOT_GROUP

void enpu_neon_gemm_sdot(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			 int nblk, const struct enpu_rq_table *rq, int j, int nch,
			 int8_t *out, size_t out_stride)
{
	const size_t block = k4 * 4 * ENPU_GEMM_BLOCK;

	for (int b = 0; b < nblk; b++) {
		const int8_t *wb = w + b * block;
		const int jb = j + ENPU_GEMM_BLOCK * b, nb = nch - ENPU_GEMM_BLOCK * b;
		int8_t *ob = out + ENPU_GEMM_BLOCK * b;

		switch (rows) {
		case 1:
			gemm_block(x, wb, k4, rq, jb, nb, ob, out_stride, 1);
			break;
		case 2:
			gemm_block(x, wb, k4, rq, jb, nb, ob, out_stride, 2);
			break;
		case 3:
			gemm_block(x, wb, k4, rq, jb, nb, ob, out_stride, 3);
			break;
		default:
			gemm_block(x, wb, k4, rq, jb, nb, ob, out_stride, 4);
			break;
		}
	}
}

void enpu_neon_rq_store16(const struct enpu_rq_table *t, int j, const int32_t *acc,
			  int8_t *dst)
{
	int32x4_t q[4];

	for (int i = 0; i < 4; i++) {
		const struct rq4 v = rq4_load(t, j + 4 * i);

		q[i] = rq4(&v, vld1q_s32(acc + 4 * i));
	}
	vst1q_s8(dst, rq_out16(t, q));
}
#endif
