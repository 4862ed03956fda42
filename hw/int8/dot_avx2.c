// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with AVX2: sixteen elements a step (the weights
 * sign-extended with vpmovsxbw, pairs summed by vpmaddwd), then SSE2's
 * steps and tail. Compiled for AVX2 whatever the build's target, used
 * only on a CPU that has it.
 */
#include "enpu_simd.h"

#ifdef ENPU_DOT_SSE2
#include <immintrin.h>

#include "enpu_dot_x86.h"

#define AVX2 __attribute__((target("avx2")))

/* Rows x[0 .. rows) against w[0..3], sixteen at a time, then the rest. */
static inline AVX2 void dot_avx2(const int16_t *const *x, int rows, const int8_t *const w[4],
				 size_t len, int32_t *out)
{
	const size_t main_len = len & ~(size_t)15;
	__m256i a[8];
	__m128i b[8];
	size_t k;
	int r, j;

	if (!main_len) {
		/* shorter than one step: SSE2's loop, without the reduction */
		enpu_dot_sse2_whole(x, rows, w, len, out);
		return;
	}
	for (j = 0; j < 8; j++)
		a[j] = _mm256_setzero_si256();
	for (k = 0; k < main_len; k += 16) {
		__m256i p[2];

		for (r = 0; r < rows; r++)
			p[r] = _mm256_loadu_si256((const __m256i *)(x[r] + k));
		for (j = 0; j < 4; j++) {
			const __m256i wv = _mm256_cvtepi8_epi16(
				_mm_loadu_si128((const __m128i *)(w[j] + k)));

			for (r = 0; r < rows; r++)
				a[r * 4 + j] = _mm256_add_epi32(a[r * 4 + j],
								_mm256_madd_epi16(p[r], wv));
		}
	}
	for (j = 0; j < 4 * rows; j++)
		b[j] = _mm_add_epi32(_mm256_castsi256_si128(a[j]),
				     _mm256_extracti128_si256(a[j], 1));
	enpu_dot_sse2_rest(x, rows, w, k, len, b);
	enpu_dot_store(b, rows, out);
}

static AVX2 void dot_2x4_avx2(const int16_t *x0, const int16_t *x1, const int8_t *const w[4],
			      size_t len, int32_t out[8])
{
	const int16_t *x[2] = { x0, x1 };

	dot_avx2(x, 2, w, len, out);
}

static AVX2 void dot_1x4_avx2(const int16_t *x0, const int8_t *const w[4], size_t len,
			      int32_t out[4])
{
	const int16_t *x[1] = { x0 };

	dot_avx2(x, 1, w, len, out);
}

const struct enpu_dot_ops enpu_dot_avx2 = { .dot_2x4 = dot_2x4_avx2, .dot_1x4 = dot_1x4_avx2 };
#endif
