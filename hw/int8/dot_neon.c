// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with arm64's Advanced SIMD (NEON, which every
 * arm64 CPU has): eight elements a step, the weights sign-extended with
 * vmovl_s8 and multiplied into int32 lanes with vmlal_s16, then the lanes
 * added and the last fewer than eight products in plain C; depthwise
 * pixels sixteen lanes at a time, requantised in registers; and the
 * requantisation of sixteen channels.
 */
#include "enpu_simd.h"

#ifdef __aarch64__
#include <arm_neon.h>

#include "enpu_dot_neon.h"

/* Rows x[0 .. rows) against w[0..3]: out[r * 4 + j]. */
static inline void dot_neon(const int16_t *const *x, int rows, const int8_t *const w[4],
			    size_t len, int32_t *out)
{
	int32x4_t a[8];
	size_t k;
	int r, j;

	for (j = 0; j < 4 * rows; j++)
		a[j] = vdupq_n_s32(0);
	for (k = 0; k + 8 <= len; k += 8) {
		int16x8_t p[2];

		for (r = 0; r < rows; r++)
			p[r] = vld1q_s16(x[r] + k);
		for (j = 0; j < 4; j++) {
			const int16x8_t wv = vmovl_s8(vld1_s8(w[j] + k));

			for (r = 0; r < rows; r++) {
				a[r * 4 + j] = vmlal_s16(a[r * 4 + j], vget_low_s16(p[r]),
							 vget_low_s16(wv));
				a[r * 4 + j] = vmlal_high_s16(a[r * 4 + j], p[r], wv);
			}
		}
	}
	for (r = 0; r < rows; r++) {
		for (j = 0; j < 4; j++) {
			int32_t sum = vaddvq_s32(a[r * 4 + j]);

			for (size_t t = k; t < len; t++)
				sum += x[r][t] * w[j][t];
			out[r * 4 + j] = sum;
		}
	}
}

static void dot_2x4_neon(const int16_t *x0, const int16_t *x1, const int8_t *const w[4],
			 size_t len, int32_t out[8])
{
	const int16_t *x[2] = { x0, x1 };

	dot_neon(x, 2, w, len, out);
}

static void dot_1x4_neon(const int16_t *x0, const int8_t *const w[4], size_t len,
			 int32_t out[4])
{
	const int16_t *x[1] = { x0 };

	dot_neon(x, 1, w, len, out);
}

static void rq_store16_neon(const struct enpu_rq_table *t, int j, const int32_t *acc,
			    int8_t *dst)
{
	int32x4_t q[4];

	for (int i = 0; i < 4; i++) {
		const struct enpu_rq4 v = enpu_rq4_load(t, j + 4 * i);

		q[i] = enpu_rq4(&v, vld1q_s32(acc + 4 * i));
	}
	vst1q_s8(dst, enpu_rq_out16(t, q));
}

/*
 * enpu_dot_ops.dw_widen: each tap's sixteen weights (@half: eight, twice)
 * as int16, sixteen a tap, as dw_pixel() multiplies them.
 */
static void dw_widen_neon(const int8_t *w, size_t w_step, int n, int half, int16_t *wide,
			  int32_t *sums)
{
	int32x4_t s[4] = { vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0) };

	for (int k = 0; k < n; k++) {
		const int8_t *a = w + (size_t)k * w_step;
		const int8x16_t v = half ? vcombine_s8(vld1_s8(a), vld1_s8(a)) : vld1q_s8(a);
		const int16x8_t lo = vmovl_s8(vget_low_s8(v)), hi = vmovl_high_s8(v);

		vst1q_s16(wide + 16 * k, lo);
		vst1q_s16(wide + 16 * k + 8, hi);
		s[0] = vaddw_s16(s[0], vget_low_s16(lo));
		s[1] = vaddw_high_s16(s[1], lo);
		s[2] = vaddw_s16(s[2], vget_low_s16(hi));
		s[3] = vaddw_high_s16(s[3], hi);
	}
	for (int i = 0; i < 4; i++)
		vst1q_s32(sums + 4 * i, s[i]);
}

/*
 * Sixteen lanes of one depthwise tap (enpu_dot_ops.dw_run): the bytes at
 * @p (sixteen, or one broadcast), or with ENPU_DW_HALF eight lanes from
 * @p and eight from @q (eight bytes, or one broadcast, each; with
 * ENPU_DW_PAIR, q is p + 8: one load).
 */
static inline __attribute__((always_inline)) int8x16_t
dw_lanes(const int8_t *p, const int8_t *q, const int mode)
{
	switch (mode) {
	case 0:
	case ENPU_DW_HALF | ENPU_DW_PAIR:	/* q is p + 8 */
		return vld1q_s8(p);
	case ENPU_DW_BCAST:
		return vdupq_n_s8(*p);
	case ENPU_DW_HALF:
		return vcombine_s8(vld1_s8(p), vld1_s8(q));
	default:
		return vcombine_s8(vdup_n_s8(*p), vdup_n_s8(*q));
	}
}

/*
 * One pixel's sixteen lanes (pixel @p's, and @q's in ENPU_DW_HALF mode),
 * requantised with @v: four vmlal_s16 a tap into four accumulators.
 */
static inline __attribute__((always_inline)) int8x16_t
dw_pixel(const int8_t *p, const int8_t *q, const size_t *tap, int n, const int16_t *wide,
	 const struct enpu_rq4 v[4], const struct enpu_rq_table *rq, const int mode)
{
	int32x4_t a[4] = { vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0) };

#pragma GCC unroll 32
	for (int k = 0; k < n; k++) {
		const int8x16_t x = dw_lanes(p + tap[k], q + tap[k], mode);
		const int16x8_t xl = vmovl_s8(vget_low_s8(x)), xh = vmovl_high_s8(x);
		const int16x8_t wl = vld1q_s16(wide + 16 * k), wh = vld1q_s16(wide + 16 * k + 8);

		a[0] = vmlal_s16(a[0], vget_low_s16(xl), vget_low_s16(wl));
		a[1] = vmlal_high_s16(a[1], xl, wl);
		a[2] = vmlal_s16(a[2], vget_low_s16(xh), vget_low_s16(wh));
		a[3] = vmlal_high_s16(a[3], xh, wh);
	}
	for (int i = 0; i < 4; i++)
		a[i] = enpu_rq4(&v[i], a[i]);
	return enpu_rq_out16(rq, a);
}

/*
 * enpu_dot_ops.dw_run's loops for one mode: blocks of sixteen lanes,
 * output rows, pixels (@per a vector: two in ENPU_DW_HALF mode, the
 * second one's lanes 8-15 with lanes 0-7's table).
 */
static inline __attribute__((always_inline)) void
dw_body(const int8_t *x, const size_t *tap, int n, size_t x_step, size_t y_step,
	const int16_t *wide, const int mode, int nblk, const struct enpu_rq_table *rq, int j,
	int rows, int cols, int8_t *out, size_t out_step, size_t out_row_step)
{
	const int per = mode & ENPU_DW_HALF ? 2 : 1;
	struct enpu_rq4 v[4];

	for (int b = 0; b < nblk; b++, wide += 32 * n, j += 16, x += 16, out += 16) {
		for (int i = 0; i < 4; i++)
			v[i] = enpu_rq4_load(rq, j + 4 * (per == 2 ? i % 2 : i));
		for (int r = 0; r < rows; r++) {
			const int8_t *xr = x + (size_t)r * y_step;
			int8_t *o = out + (size_t)r * out_row_step;

			for (int c = 0; c < cols; c += per) {
				/* a last pixel alone reads its own bytes only */
				const int two = c + 1 < cols;
				const int8_t *p = xr + (size_t)c * x_step;
				const int8_t *q = two ? p + x_step : p;
				const int8x16_t res =
					dw_pixel(p, q, tap, n, wide, v, rq,
						 two ? mode : mode & ~ENPU_DW_PAIR);

				if (per == 1) {
					vst1q_s8(o + (size_t)c * out_step, res);
					continue;
				}
				vst1_s8(o + (size_t)c * out_step, vget_low_s8(res));
				if (two)
					vst1_s8(o + (size_t)(c + 1) * out_step, vget_high_s8(res));
			}
		}
	}
}

/* baseline Advanced SIMD: no target attribute */
#define NEON_BASE

ENPU_DW_RUN(dw_run_neon, NEON_BASE, dw_body)

/* enpu_dot_ops.to_u8: sixteen bytes a store, then four. */
static NEON_BASE void to_u8_neon(uint8_t *dst, const int8_t *src, size_t n)
{
	const uint8x16_t flip = vdupq_n_u8(0x80);
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		vst1q_u8(dst + i, veorq_u8(vld1q_u8((const uint8_t *)src + i), flip));
	enpu_u8_groups(dst, src, i, n);
}

const struct enpu_dot_ops enpu_dot_neon = {
	.dot_2x4 = dot_2x4_neon, .dot_1x4 = dot_1x4_neon, .to_u8 = to_u8_neon,
	.dw_widen = dw_widen_neon, .dw_run = dw_run_neon, .rq_store16 = rq_store16_neon,
};

/*
 * With the dot-product extension: its GEMM and depthwise rows
 * (dot_neon_dotprod.c), signed by signed.
 */
const struct enpu_dot_ops enpu_dot_neon_dotprod = {
	.dot_2x4 = dot_2x4_neon, .dot_1x4 = dot_1x4_neon,
	.gemm_u8 = enpu_neon_gemm_sdot, .to_u8 = to_u8_neon, .rq_store16 = rq_store16_neon,
	.dw_widen = dw_widen_neon, .dw_run = dw_run_neon,
	.dw_spread = enpu_neon_dw_spread, .dw_spread8 = enpu_neon_dw_spread8,
	.dw_rows = enpu_neon_dw_rows, .gemm_signed = 1,
};
#endif
