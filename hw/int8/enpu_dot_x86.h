/* SPDX-License-Identifier: MIT */
/*
 * What every x86-64 variant of the dot-product kernels shares: the SSE2
 * (baseline) steps of eight elements and the tail of fewer, which the
 * wider variants finish with after their own wide steps; and how the
 * depthwise runs (AVX2, AVX-512) read a tap's lanes and store a result.
 * Internal to hw/int8's dot_*.c.
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

/*
 * Sixteen lanes of one depthwise tap (enpu_dot_ops.dw_run): the bytes at
 * @p (sixteen, or one broadcast), or with ENPU_DW_HALF eight lanes from
 * @p and eight from @q (eight bytes, or one broadcast, each; with
 * ENPU_DW_PAIR, q is p + 8: one load).
 */
static inline __attribute__((always_inline)) __m128i
enpu_dw_lanes(const int8_t *p, const int8_t *q, int mode)
{
	switch (mode) {
	case 0:
		return _mm_loadu_si128((const __m128i *)p);
	case ENPU_DW_BCAST:
		return _mm_set1_epi8(*p);
	case ENPU_DW_HALF:
		return _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)p),
					  _mm_loadl_epi64((const __m128i *)q));
	case ENPU_DW_HALF | ENPU_DW_PAIR:
		return _mm_loadu_si128((const __m128i *)p);	/* q is p + 8 */
	default:
		return _mm_unpacklo_epi64(_mm_set1_epi8(*p), _mm_set1_epi8(*q));
	}
}

/* One vector's bytes to pixel @c of a row (and @c + 1's, in ENPU_DW_HALF mode). */
static inline __attribute__((always_inline)) void
enpu_dw_store(__m128i res, int8_t *o, int c, int cols, size_t out_step, const int mode)
{
	if (!(mode & ENPU_DW_HALF)) {
		_mm_storeu_si128((__m128i *)(o + (size_t)c * out_step), res);
		return;
	}
	_mm_storel_epi64((__m128i *)(o + (size_t)c * out_step), res);
	if (c + 1 < cols)
		_mm_storel_epi64((__m128i *)(o + (size_t)(c + 1) * out_step),
				 _mm_unpackhi_epi64(res, res));
}

#endif /* ENPU_DOT_X86_H */
