// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with arm64's Advanced SIMD (NEON, which every
 * arm64 CPU has): eight elements a step, the weights sign-extended with
 * vmovl_s8 and multiplied into int32 lanes with vmlal_s16, then the lanes
 * added and the last fewer than eight products in plain C.
 */
#include "enpu_simd.h"

#ifdef __aarch64__
#include <arm_neon.h>

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

const struct enpu_dot_ops enpu_dot_neon = { .dot_2x4 = dot_2x4_neon, .dot_1x4 = dot_1x4_neon };

/* With the dot-product extension: its GEMM (dot_neon_dotprod.c), signed by signed. */
const struct enpu_dot_ops enpu_dot_neon_dotprod = {
	.dot_2x4 = dot_2x4_neon, .dot_1x4 = dot_1x4_neon,
	.gemm_u8 = enpu_neon_gemm_sdot, .rq_store16 = enpu_neon_rq_store16,
	.gemm_signed = 1,
};
#endif
