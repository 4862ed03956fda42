/* SPDX-License-Identifier: MIT */
/*
 * What every x86-64 variant of the dot-product kernels shares: the SSE2
 * (baseline) steps of eight elements and the tail of fewer, which the
 * wider variants finish with after their own wide steps. Internal to
 * hw/int8's dot_*.c.
 */
#ifndef ENPU_DOT_X86_H
#define ENPU_DOT_X86_H

#include <emmintrin.h>
#include <string.h>

#include "enpu_dot.h"

/*
 * Patch rows x[0 .. rows) against w[0..3] from element @k to @len, added
 * to the int32x4 accumulators a[r * 4 + j]: steps of eight, then the last
 * fewer than eight weights of each row copied into a zeroed block (the
 * patch rows are zero-padded already).
 */
static inline void enpu_dot_sse2_rest(const int16_t *const *x, int rows,
				      const int8_t *const w[4], size_t k, size_t len,
				      __m128i *a)
{
	const size_t main_len = len & ~(size_t)(ENPU_DOT_ALIGN - 1);
	int r, j;

	for (; k < main_len; k += 8) {
		__m128i p[2];

		for (r = 0; r < rows; r++)
			p[r] = _mm_loadu_si128((const __m128i *)(x[r] + k));
		for (j = 0; j < 4; j++) {
			const __m128i wv = enpu_load8_i8(w[j] + k);

			for (r = 0; r < rows; r++)
				a[r * 4 + j] = _mm_add_epi32(a[r * 4 + j], _mm_madd_epi16(p[r], wv));
		}
	}
	if (k < len) {
		int8_t t[4][8];
		__m128i p[2];

		memset(t, 0, sizeof(t));
		for (j = 0; j < 4; j++)
			memcpy(t[j], w[j] + k, len - k);
		for (r = 0; r < rows; r++)
			p[r] = _mm_loadu_si128((const __m128i *)(x[r] + k));
		for (j = 0; j < 4; j++)
			for (r = 0; r < rows; r++)
				a[r * 4 + j] = _mm_add_epi32(a[r * 4 + j],
							     _mm_madd_epi16(p[r], enpu_load8_i8(t[j])));
	}
}

/* out[r * 4 + j] = the horizontal sum of a[r * 4 + j]. */
static inline void enpu_dot_store(const __m128i *a, int rows, int32_t *out)
{
	int r;

	for (r = 0; r < rows; r++)
		_mm_storeu_si128((__m128i *)(out + 4 * r),
				 enpu_hsum4(a[4 * r], a[4 * r + 1], a[4 * r + 2], a[4 * r + 3]));
}

/* The whole dot product in SSE2's steps (every row of one that is short). */
static inline void enpu_dot_sse2_whole(const int16_t *const *x, int rows, const int8_t *const w[4],
				       size_t len, int32_t *out)
{
	__m128i a[8];
	int j;

	for (j = 0; j < 4 * rows; j++)
		a[j] = _mm_setzero_si128();
	enpu_dot_sse2_rest(x, rows, w, 0, len, a);
	enpu_dot_store(a, rows, out);
}

#endif /* ENPU_DOT_X86_H */
