// SPDX-License-Identifier: MIT
/*
 * The GEMM of enpu_gemm.h with arm64's dot-product extension (FEAT_DotProd:
 * optional from Armv8.2, in every Armv8.4 CPU): sdot sums four int8
 * products into each int32 lane. sdot is signed by signed, so the
 * unsigned patch bytes u become u - 128 again (one eor a sixteen-byte
 * load) and the variant says so (enpu_dot_ops.gemm_signed): gemm.c then
 * corrects the sums by in_zp * S[o] instead of (128 + in_zp) * S[o].
 * A depthwise layer's filter rows are an sdot each (dw_spread, dw_rows, as
 * dot_avx512.c's, the spread bytes signed again).
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

/*
 * enpu_dot_ops.dw_spread with @kw constant: the taps' sixteen bytes,
 * flipped back to signed (sdot), interleaved into the lanes by zips of
 * bytes then of pairs.
 */
static inline __attribute__((always_inline)) void
dw_spread_body(uint8_t *dst, const uint8_t *src, size_t tap_step, const int kw, int npx, int nb,
	       size_t xs)
{
	const uint8x16_t flip = vdupq_n_u8(0x80);

	for (int px = 0; px < npx; px++) {
		for (int b = 0; b < nb; b++, dst += 64) {
			const uint8_t *a = src + (size_t)px * xs + (size_t)b * 16;
			uint8x16_t t[4];
			uint16x8_t ab0, ab1, cd0, cd1;

#pragma GCC unroll 4
			for (int i = 0; i < 4; i++)
				t[i] = i < kw ? veorq_u8(vld1q_u8(a + (size_t)i * tap_step), flip) :
						vdupq_n_u8(0);
			ab0 = vreinterpretq_u16_u8(vzip1q_u8(t[0], t[1]));
			ab1 = vreinterpretq_u16_u8(vzip2q_u8(t[0], t[1]));
			cd0 = vreinterpretq_u16_u8(vzip1q_u8(t[2], t[3]));
			cd1 = vreinterpretq_u16_u8(vzip2q_u8(t[2], t[3]));
			vst1q_u8(dst, vreinterpretq_u8_u16(vzip1q_u16(ab0, cd0)));
			vst1q_u8(dst + 16, vreinterpretq_u8_u16(vzip2q_u16(ab0, cd0)));
			vst1q_u8(dst + 32, vreinterpretq_u8_u16(vzip1q_u16(ab1, cd1)));
			vst1q_u8(dst + 48, vreinterpretq_u8_u16(vzip2q_u16(ab1, cd1)));
		}
	}
}

ENPU_DW_SPREAD(, enpu_neon_dw_spread, , dw_spread_body)

/* enpu_dot_ops.dw_spread8: each pixel's four bytes, signed again, to its eight lanes. */
void enpu_neon_dw_spread8(uint8_t *dst, const uint8_t *src, int kw, int npx, size_t s)
{
	const uint32x4_t keep = vdupq_n_u32(0xffffffffu >> (8 * (4 - kw)));

	for (int px = 0; px < npx; px++, dst += 64) {
		uint32_t a, b;
		uint32x4_t va, vb;

		memcpy(&a, src + 2 * (size_t)px * s, 4);
		memcpy(&b, src + (2 * (size_t)px + 1) * s, 4);
		va = vandq_u32(vdupq_n_u32(a ^ 0x80808080u), keep);
		vb = vandq_u32(vdupq_n_u32(b ^ 0x80808080u), keep);
		vst1q_u8(dst, vreinterpretq_u8_u32(va));
		vst1q_u8(dst + 16, vreinterpretq_u8_u32(va));
		vst1q_u8(dst + 32, vreinterpretq_u8_u32(vb));
		vst1q_u8(dst + 48, vreinterpretq_u8_u32(vb));
	}
}

/* enpu_dot_ops.dw_rows with @kh constant where the caller makes it so: four sdot a filter row. */
static inline __attribute__((always_inline)) void
dw_rows_body(const uint8_t *e, size_t e_oy, size_t e_ky, const int kh, const int8_t *w, int nb,
	     const struct enpu_rq_table *rq, int half, int rows, int chunks, int8_t *out,
	     size_t out_row, size_t row_bytes)
{
	for (int b = 0; b < nb; b++) {
		const int j = b * 16 % ENPU_RQ_CHUNK;
		const struct enpu_rq_table *t = rq + b * 16 / ENPU_RQ_CHUNK;
		int8x16_t wk[ENPU_DW_ROWS_KH][4] = { { vdupq_n_s8(0) } };
		struct enpu_rq4 v[4];

#pragma GCC unroll 8
		for (int ky = 0; ky < kh; ky++)
#pragma GCC unroll 4
			for (int q = 0; q < 4; q++)
				wk[ky][q] = vld1q_s8(w + ((size_t)b * kh + ky) * 64 + 16 * q);
		for (int q = 0; q < 4; q++)
			v[q] = enpu_rq4_load(t, j + 4 * (half ? q % 2 : q));
		for (int r = 0; r < rows; r++) {
			const uint8_t *er = e + (size_t)r * e_oy;
			int8_t *o = out + (size_t)r * out_row;

			for (int i = b; i < chunks; i += nb) {
				int32x4_t a[4] = { vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0),
						   vdupq_n_s32(0) };
				int8x16_t res;

#pragma GCC unroll 8
				for (int ky = 0; ky < kh; ky++) {
					const int8_t *c = (const int8_t *)(er + (size_t)ky * e_ky +
									   (size_t)i * 64);

#pragma GCC unroll 4
					for (int q = 0; q < 4; q++)
						a[q] = vdotq_s32(a[q], vld1q_s8(c + 16 * q), wk[ky][q]);
				}
#pragma GCC unroll 4
				for (int q = 0; q < 4; q++)
					a[q] = enpu_rq4(&v[q], a[q]);
				res = enpu_rq_out16(t, a);
				if ((size_t)i * 16 + 16 <= row_bytes)
					vst1q_s8(o + (size_t)i * 16, res);
				else
					vst1_s8(o + (size_t)i * 16, vget_low_s8(res));
			}
		}
	}
}

ENPU_DW_ROWS(, enpu_neon_dw_rows, , dw_rows_body)

void enpu_neon_gemm_sdot(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			 int nblk, const struct enpu_rq_table *rq, int j, int nch,
			 int8_t *out, size_t out_stride)
{
	const size_t step = enpu_gemm_step(nblk);

	for (int b = 0; b < nblk; b++) {
		const int8_t *wb = w + b * ENPU_GEMM_GROUP;
		const int jb = j + ENPU_GEMM_BLOCK * b, nb = nch - ENPU_GEMM_BLOCK * b;

		/* ENPU_GEMM_ROWS rows a step, the rest in the last */
		for (int r = 0; r < rows; r += ENPU_GEMM_ROWS) {
			const uint8_t *const *xr = x + r;
			int8_t *ob = out + (size_t)r * out_stride + ENPU_GEMM_BLOCK * b;

			switch (rows - r) {
			case 1:
				gemm_block(xr, wb, step, k4, rq, jb, nb, ob, out_stride, 1);
				break;
			case 2:
				gemm_block(xr, wb, step, k4, rq, jb, nb, ob, out_stride, 2);
				break;
			case 3:
				gemm_block(xr, wb, step, k4, rq, jb, nb, ob, out_stride, 3);
				break;
			default:
				gemm_block(xr, wb, step, k4, rq, jb, nb, ob, out_stride, 4);
				break;
			}
		}
	}
}

#endif
