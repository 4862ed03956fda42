// SPDX-License-Identifier: MIT
/*
 * The GEMM of enpu_gemm.h with arm64's dot-product extension (FEAT_DotProd:
 * optional from Armv8.2, in every Armv8.4 CPU): sdot sums four int8
 * products into each int32 lane. sdot is signed by signed, so the
 * unsigned patch bytes u become u - 128 again (one eor a sixteen-byte
 * load) and the variant says so (enpu_dot_ops.gemm_signed): gemm.c then
 * corrects the sums by in_zp * S[o] instead of (128 + in_zp) * S[o].
 * The variant's other kernels are dot_neon.c's (enpu_dot_neon_dotprod);
 * the requantisation in registers is enpu_dot_neon.h's.
 */
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_requant.h"
#include "enpu_simd.h"

#ifdef __aarch64__
#pragma GCC target("arch=armv8.2-a+dotprod")
#include <arm_neon.h>

#include "enpu_dot_neon.h"

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
 * enpu_gemm_pack(): group g's 64 bytes, four a channel, at w + g * @step),
 * requantised with table lanes j .. j + 15, the first @nch stored. Four
 * groups a step, one sixteen-byte load of each row; the last fewer than
 * four one at a time (a row is only k4 * 4 bytes long).
 */
static inline __attribute__((always_inline)) void
gemm_block(const uint8_t *const x[], const int8_t *w, size_t step, size_t k4,
	   const struct enpu_rq_table *rq, int j, int nch, int8_t *out, size_t out_stride,
	   const int ROWS)
{
	const int8x16_t flip = vdupq_n_s8(-128);
	int32x4_t a[ENPU_GEMM_ROWS][4];
	size_t g = 0;
	int r, q;

	/* unrolled: the accumulators stay in registers */
#pragma GCC unroll 4
	for (r = 0; r < ROWS; r++)
#pragma GCC unroll 4
		for (q = 0; q < 4; q++)
			a[r][q] = vdupq_n_s32(0);
	for (; g + 4 <= k4; g += 4) {
		int8x16_t xv[ENPU_GEMM_ROWS];

		for (r = 0; r < ROWS; r++)
			xv[r] = veorq_s8(vreinterpretq_s8_u8(vld1q_u8(x[r] + 4 * g)), flip);
		SDOT_GROUP(0, w + g * step);
		SDOT_GROUP(1, w + (g + 1) * step);
		SDOT_GROUP(2, w + (g + 2) * step);
		SDOT_GROUP(3, w + (g + 3) * step);
	}
	for (; g < k4; g++) {
		int8x16_t xv[ENPU_GEMM_ROWS];

		for (r = 0; r < ROWS; r++) {
			int32_t four;

			memcpy(&four, x[r] + 4 * g, 4);
			xv[r] = veorq_s8(vreinterpretq_s8_s32(vdupq_n_s32(four)), flip);
		}
		SDOT_GROUP(0, w + g * step);
	}
	for (q = 0; q < 4; q++) {
		const struct enpu_rq4 v = enpu_rq4_load(rq, j + 4 * q);

		for (r = 0; r < ROWS; r++)
			a[r][q] = enpu_rq4(&v, a[r][q]);
	}
	for (r = 0; r < ROWS; r++)
		enpu_store_n(out + r * out_stride, enpu_rq_out16(rq, a[r]), nch);
}
#undef SDOT_GROUP

void enpu_neon_gemm_sdot(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			 int nblk, const struct enpu_rq_table *rq, int j, int nch,
			 int8_t *out, size_t out_stride)
{
	const size_t step = enpu_gemm_step(nblk);

	for (int b = 0; b < nblk; b++) {
		const int8_t *wb = w + b * ENPU_GEMM_GROUP;
		const int jb = j + ENPU_GEMM_BLOCK * b, nb = nch - ENPU_GEMM_BLOCK * b;
		int8_t *ob = out + ENPU_GEMM_BLOCK * b;

		switch (rows) {
		case 1:
			gemm_block(x, wb, step, k4, rq, jb, nb, ob, out_stride, 1);
			break;
		case 2:
			gemm_block(x, wb, step, k4, rq, jb, nb, ob, out_stride, 2);
			break;
		case 3:
			gemm_block(x, wb, step, k4, rq, jb, nb, ob, out_stride, 3);
			break;
		default:
			gemm_block(x, wb, step, k4, rq, jb, nb, ob, out_stride, 4);
			break;
		}
	}
}

#endif
