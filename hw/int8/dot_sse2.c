// SPDX-License-Identifier: MIT
/* The dot-product kernels with SSE2 (every x86-64): pmaddwd, eight at a time. */
#include "enpu_simd.h"

#ifdef ENPU_DOT_SSE2
#include "enpu_dot_x86.h"

static void dot_2x4_sse2(const int16_t *x0, const int16_t *x1, const int8_t *const w[4],
			 size_t len, int32_t out[8])
{
	const int16_t *x[2] = { x0, x1 };

	enpu_dot_sse2_whole(x, 2, w, len, out);
}

static void dot_1x4_sse2(const int16_t *x0, const int8_t *const w[4], size_t len,
			 int32_t out[4])
{
	const int16_t *x[1] = { x0 };

	enpu_dot_sse2_whole(x, 1, w, len, out);
}

const struct enpu_dot_ops enpu_dot_sse2 = { .dot_2x4 = dot_2x4_sse2, .dot_1x4 = dot_1x4_sse2 };
#endif
