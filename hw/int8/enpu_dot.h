/* SPDX-License-Identifier: MIT */
/*
 * Integer dot-product building blocks of the conv / fully-connected kernels.
 *
 * Activations are first widened to int16 with the input offset already
 * added ("patch" rows: x - in_zp lies in [-255, 255]); weights stay int8
 * and are widened on the fly. Products are at most 255 * 128 = 32640 in
 * magnitude, so pairs of products summed by pmaddwd and the int32 lane
 * accumulators are exact as long as the dot length is bounded
 * (ENPU_DOT_MAX_LEN * 32640 < 2^31). Integer sums are exact, so the
 * summation order differs from TFLite's without changing any result.
 *
 * With SSE2 (baseline x86-64) the loops use intrinsics; elsewhere, or with
 * ENPU_INT8_NO_SIMD defined, plain C computes the same values.
 */
#ifndef ENPU_DOT_H
#define ENPU_DOT_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && !defined(ENPU_INT8_NO_SIMD)
#define ENPU_DOT_SSE2 1
#include <emmintrin.h>
#endif

/* Longest dot product accepted: 8192 * 32640 < 2^28. Multiple of 8. */
#define ENPU_DOT_MAX_LEN	8192

/* Patch rows are padded with zeros to a multiple of this many elements. */
#define ENPU_DOT_ALIGN		8

static inline size_t enpu_dot_padded_len(size_t len)
{
	return (len + ENPU_DOT_ALIGN - 1) & ~(size_t)(ENPU_DOT_ALIGN - 1);
}

/* dst[i] = src[i] + offset, int8 -> int16, for i < n. */
static inline void enpu_widen_offset(int16_t *dst, const int8_t *src, size_t n,
				     int32_t offset)
{
	size_t i = 0;
#ifdef ENPU_DOT_SSE2
	const __m128i off = _mm_set1_epi16((int16_t)offset);

	for (; i + 16 <= n; i += 16) {
		const __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
		/* Duplicate each byte into a 16-bit lane, then shift the
		 * copy in the high byte down arithmetically: sign extension.
		 */
		const __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
		const __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);

		_mm_storeu_si128((__m128i *)(dst + i), _mm_add_epi16(lo, off));
		_mm_storeu_si128((__m128i *)(dst + i + 8), _mm_add_epi16(hi, off));
	}
	if (i + 8 <= n) {
		const __m128i v = _mm_loadl_epi64((const __m128i *)(src + i));

		_mm_storeu_si128((__m128i *)(dst + i),
				 _mm_add_epi16(_mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8),
					       off));
		i += 8;
	}
#endif
	for (; i < n; i++)
		dst[i] = (int16_t)(src[i] + offset);
}

#ifdef ENPU_DOT_SSE2
/* Eight int8 weights at w, sign-extended to int16 lanes. */
static inline __m128i enpu_load8_i8(const int8_t *w)
{
	const __m128i v = _mm_loadl_epi64((const __m128i *)w);

	return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
}

/* Horizontal sums of four int32x4 vectors: { sum(a), sum(b), sum(c), sum(d) } */
static inline __m128i enpu_hsum4(__m128i a, __m128i b, __m128i c, __m128i d)
{
	const __m128i ab = _mm_add_epi32(_mm_unpacklo_epi32(a, b),
					 _mm_unpackhi_epi32(a, b));
	const __m128i cd = _mm_add_epi32(_mm_unpacklo_epi32(c, d),
					 _mm_unpackhi_epi32(c, d));

	return _mm_add_epi32(_mm_unpacklo_epi64(ab, cd),
			     _mm_unpackhi_epi64(ab, cd));
}
#endif

/*
 * Two patch rows x0, x1 (int16, padded with zeros to
 * enpu_dot_padded_len(len)) against four weight rows w[0..3] (int8, len
 * elements each, not padded): out[r * 4 + j] = dot(x_r, w_j).
 */
static inline void enpu_dot_2x4(const int16_t *x0, const int16_t *x1,
				const int8_t *const w[4], size_t len,
				int32_t out[8])
{
	const size_t main_len = len & ~(size_t)(ENPU_DOT_ALIGN - 1);
	size_t k = 0;
#ifdef ENPU_DOT_SSE2
	__m128i a00 = _mm_setzero_si128(), a01 = a00, a02 = a00, a03 = a00;
	__m128i a10 = a00, a11 = a00, a12 = a00, a13 = a00;

	for (; k < main_len; k += 8) {
		const __m128i p0 = _mm_loadu_si128((const __m128i *)(x0 + k));
		const __m128i p1 = _mm_loadu_si128((const __m128i *)(x1 + k));
		__m128i wv;

		wv = enpu_load8_i8(w[0] + k);
		a00 = _mm_add_epi32(a00, _mm_madd_epi16(p0, wv));
		a10 = _mm_add_epi32(a10, _mm_madd_epi16(p1, wv));
		wv = enpu_load8_i8(w[1] + k);
		a01 = _mm_add_epi32(a01, _mm_madd_epi16(p0, wv));
		a11 = _mm_add_epi32(a11, _mm_madd_epi16(p1, wv));
		wv = enpu_load8_i8(w[2] + k);
		a02 = _mm_add_epi32(a02, _mm_madd_epi16(p0, wv));
		a12 = _mm_add_epi32(a12, _mm_madd_epi16(p1, wv));
		wv = enpu_load8_i8(w[3] + k);
		a03 = _mm_add_epi32(a03, _mm_madd_epi16(p0, wv));
		a13 = _mm_add_epi32(a13, _mm_madd_epi16(p1, wv));
	}
	if (k < len) {
		/* Tail: copy the last < 8 weights of each row into a zeroed
		 * block; the patch rows are already zero-padded.
		 */
		int8_t t[4][8];
		const __m128i p0 = _mm_loadu_si128((const __m128i *)(x0 + k));
		const __m128i p1 = _mm_loadu_si128((const __m128i *)(x1 + k));

		memset(t, 0, sizeof(t));
		for (int j = 0; j < 4; j++)
			memcpy(t[j], w[j] + k, len - k);
		a00 = _mm_add_epi32(a00, _mm_madd_epi16(p0, enpu_load8_i8(t[0])));
		a10 = _mm_add_epi32(a10, _mm_madd_epi16(p1, enpu_load8_i8(t[0])));
		a01 = _mm_add_epi32(a01, _mm_madd_epi16(p0, enpu_load8_i8(t[1])));
		a11 = _mm_add_epi32(a11, _mm_madd_epi16(p1, enpu_load8_i8(t[1])));
		a02 = _mm_add_epi32(a02, _mm_madd_epi16(p0, enpu_load8_i8(t[2])));
		a12 = _mm_add_epi32(a12, _mm_madd_epi16(p1, enpu_load8_i8(t[2])));
		a03 = _mm_add_epi32(a03, _mm_madd_epi16(p0, enpu_load8_i8(t[3])));
		a13 = _mm_add_epi32(a13, _mm_madd_epi16(p1, enpu_load8_i8(t[3])));
	}
	_mm_storeu_si128((__m128i *)out, enpu_hsum4(a00, a01, a02, a03));
	_mm_storeu_si128((__m128i *)(out + 4), enpu_hsum4(a10, a11, a12, a13));
#else
	int32_t acc[8] = { 0 };

	(void)main_len;
	for (; k < len; k++) {
		for (int j = 0; j < 4; j++) {
			acc[j] += x0[k] * w[j][k];
			acc[4 + j] += x1[k] * w[j][k];
		}
	}
	memcpy(out, acc, sizeof(acc));
#endif
}

/* One patch row against four weight rows: out[j] = dot(x, w_j). */
static inline void enpu_dot_1x4(const int16_t *x, const int8_t *const w[4],
				size_t len, int32_t out[4])
{
	const size_t main_len = len & ~(size_t)(ENPU_DOT_ALIGN - 1);
	size_t k = 0;
#ifdef ENPU_DOT_SSE2
	__m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;

	for (; k < main_len; k += 8) {
		const __m128i p = _mm_loadu_si128((const __m128i *)(x + k));

		a0 = _mm_add_epi32(a0, _mm_madd_epi16(p, enpu_load8_i8(w[0] + k)));
		a1 = _mm_add_epi32(a1, _mm_madd_epi16(p, enpu_load8_i8(w[1] + k)));
		a2 = _mm_add_epi32(a2, _mm_madd_epi16(p, enpu_load8_i8(w[2] + k)));
		a3 = _mm_add_epi32(a3, _mm_madd_epi16(p, enpu_load8_i8(w[3] + k)));
	}
	if (k < len) {
		int8_t t[4][8];
		const __m128i p = _mm_loadu_si128((const __m128i *)(x + k));

		memset(t, 0, sizeof(t));
		for (int j = 0; j < 4; j++)
			memcpy(t[j], w[j] + k, len - k);
		a0 = _mm_add_epi32(a0, _mm_madd_epi16(p, enpu_load8_i8(t[0])));
		a1 = _mm_add_epi32(a1, _mm_madd_epi16(p, enpu_load8_i8(t[1])));
		a2 = _mm_add_epi32(a2, _mm_madd_epi16(p, enpu_load8_i8(t[2])));
		a3 = _mm_add_epi32(a3, _mm_madd_epi16(p, enpu_load8_i8(t[3])));
	}
	_mm_storeu_si128((__m128i *)out, enpu_hsum4(a0, a1, a2, a3));
#else
	int32_t acc[4] = { 0 };

	(void)main_len;
	for (; k < len; k++)
		for (int j = 0; j < 4; j++)
			acc[j] += x[k] * w[j][k];
	memcpy(out, acc, sizeof(acc));
#endif
}

#endif /* ENPU_DOT_H */
