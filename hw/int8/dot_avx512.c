// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with AVX-512 VNNI: thirty-two elements a step
 * (the weights sign-extended with vpmovsxbw, vpdpwssd multiplying int16
 * pairs and adding them to the accumulators in one instruction, without
 * saturation), then SSE2's steps and tail; the unsigned-by-signed GEMM
 * of enpu_gemm.h with vpdpbusd; thirty-two depthwise lanes; and the
 * requantisation of sixteen channels. Compiled
 * for AVX-512 F, BW, VL and VNNI whatever the build's target, used only on a
 * CPU that has them.
 */
#include "enpu_simd.h"

#ifdef ENPU_DOT_SSE2
#include <immintrin.h>

#include "enpu_dot_x86.h"
#include "enpu_gemm.h"
#include "enpu_requant.h"

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/* The four 128-bit quarters of @v added. */
static inline AVX512 __m128i quarters(__m512i v)
{
	_Alignas(64) int32_t t[16];

	/*
	 * Through memory: GCC 12 warns of an uninitialized value inside its
	 * own extract intrinsics.
	 */
	_mm512_store_si512((void *)t, v);
	return _mm_add_epi32(_mm_add_epi32(_mm_load_si128((const __m128i *)t),
					   _mm_load_si128((const __m128i *)(t + 4))),
			     _mm_add_epi32(_mm_load_si128((const __m128i *)(t + 8)),
					   _mm_load_si128((const __m128i *)(t + 12))));
}

/* Rows x[0 .. rows) against w[0..3], thirty-two at a time, then the rest. */
static inline AVX512 void dot_avx512(const int16_t *const *x, int rows,
				     const int8_t *const w[4], size_t len, int32_t *out)
{
	const size_t main_len = len & ~(size_t)31;
	__m512i a[8];
	__m128i b[8];
	size_t k;
	int r, j;

	if (!main_len) {
		/* shorter than one step: SSE2's loop, without the reduction */
		enpu_dot_sse2_whole(x, rows, w, len, out);
		return;
	}
	for (j = 0; j < 8; j++)
		a[j] = _mm512_setzero_si512();
	for (k = 0; k < main_len; k += 32) {
		__m512i p[2];

		for (r = 0; r < rows; r++)
			p[r] = _mm512_loadu_si512((const void *)(x[r] + k));
		for (j = 0; j < 4; j++) {
			const __m512i wv = _mm512_cvtepi8_epi16(
				_mm256_loadu_si256((const __m256i *)(w[j] + k)));

			for (r = 0; r < rows; r++)
				a[r * 4 + j] = _mm512_dpwssd_epi32(a[r * 4 + j], p[r], wv);
		}
	}
	for (j = 0; j < 4 * rows; j++)
		b[j] = quarters(a[j]);
	enpu_dot_sse2_rest(x, rows, w, k, len, b);
	enpu_dot_store(b, rows, out);
}

static AVX512 void dot_2x4_avx512(const int16_t *x0, const int16_t *x1,
				  const int8_t *const w[4], size_t len, int32_t out[8])
{
	const int16_t *x[2] = { x0, x1 };

	dot_avx512(x, 2, w, len, out);
}

static AVX512 void dot_1x4_avx512(const int16_t *x0, const int8_t *const w[4], size_t len,
				  int32_t out[4])
{
	const int16_t *x[1] = { x0 };

	dot_avx512(x, 1, w, len, out);
}

/*
 * @ROWS patch rows against @NBLK blocks of sixteen channels: per group of
 * four taps, each row's four bytes broadcast to every lane, one vpdpbusd
 * per row and block (enpu_gemm.h). Constant ROWS and NBLK unroll it.
 */
static inline __attribute__((always_inline)) AVX512 void
gemm_body(const uint8_t *const x[], const int8_t *w, size_t k4, int32_t *out,
	  const int ROWS, const int NBLK)
{
	const size_t block = k4 * 4 * ENPU_GEMM_BLOCK;
	__m512i a[ENPU_GEMM_ROWS][2];
	int r, b;

	for (r = 0; r < ROWS; r++)
		for (b = 0; b < NBLK; b++)
			a[r][b] = _mm512_setzero_si512();
	for (size_t g = 0; g < k4; g++) {
		__m512i wv[2];

		for (b = 0; b < NBLK; b++)
			wv[b] = _mm512_loadu_si512((const void *)(w + b * block + g * 64));
		for (r = 0; r < ROWS; r++) {
			int32_t four;
			__m512i xv;

			memcpy(&four, x[r] + g * 4, 4);
			xv = _mm512_set1_epi32(four);
			for (b = 0; b < NBLK; b++)
				a[r][b] = _mm512_dpbusd_epi32(a[r][b], xv, wv[b]);
		}
	}
	for (r = 0; r < ROWS; r++)
		for (b = 0; b < NBLK; b++)
			_mm512_storeu_si512((void *)(out + r * 2 * ENPU_GEMM_BLOCK +
						     b * ENPU_GEMM_BLOCK), a[r][b]);
}

static AVX512 void gemm_u8_avx512(const uint8_t *const x[], int rows, const int8_t *w,
				  size_t k4, int nblk, int32_t *out)
{
	switch (rows * 2 + nblk - 1) {
	case 2:
		gemm_body(x, w, k4, out, 1, 1);
		break;
	case 3:
		gemm_body(x, w, k4, out, 1, 2);
		break;
	case 4:
		gemm_body(x, w, k4, out, 2, 1);
		break;
	case 5:
		gemm_body(x, w, k4, out, 2, 2);
		break;
	case 6:
		gemm_body(x, w, k4, out, 3, 1);
		break;
	case 7:
		gemm_body(x, w, k4, out, 3, 2);
		break;
	case 8:
		gemm_body(x, w, k4, out, 4, 1);
		break;
	default:
		gemm_body(x, w, k4, out, 4, 2);
		break;
	}
}

/* Thirty-two int8 weights, or @wrep of them repeated, widened to int16. */
static inline AVX512 __m512i dw_weights(const int8_t *w, int wrep)
{
	__m256i v;

	if (wrep == 32) {
		v = _mm256_loadu_si256((const __m256i *)w);
	} else if (wrep == 16) {
		v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)w));
	} else {
		int64_t eight;

		memcpy(&eight, w, 8);
		v = _mm256_set1_epi64x(eight);
	}
	return _mm512_cvtepi8_epi16(v);
}

/*
 * Two taps a step: each lane's (x, w) pairs of both taps interleaved so
 * one vpdpwssd adds both products. The interleave works within 128-bit
 * quarters, so the sums come out as channels 0-3, 8-11, ... (lo) and
 * 4-7, 12-15, ... (hi) and are put back in order at the end.
 */
static AVX512 void dw_32_avx512(const int8_t *x, const int8_t *w, const size_t *in_off,
				const size_t *w_off, int n, int wrep, int32_t in_offset,
				int32_t out[32])
{
	const __m512i off = _mm512_set1_epi16((int16_t)in_offset);
	const __m512i idx0 = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19,
					       4, 5, 6, 7, 20, 21, 22, 23);
	const __m512i idx1 = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27,
					       12, 13, 14, 15, 28, 29, 30, 31);
	__m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();

	for (int k = 0; k < n; k += 2) {
		const __m512i x0 = _mm512_add_epi16(_mm512_cvtepi8_epi16(
			_mm256_loadu_si256((const __m256i *)(x + in_off[k]))), off);
		const __m512i w0 = dw_weights(w + w_off[k], wrep);
		__m512i x1 = _mm512_setzero_si512(), w1 = _mm512_setzero_si512();

		if (k + 1 < n) {
			x1 = _mm512_add_epi16(_mm512_cvtepi8_epi16(
				_mm256_loadu_si256((const __m256i *)(x + in_off[k + 1]))), off);
			w1 = dw_weights(w + w_off[k + 1], wrep);
		}
		lo = _mm512_dpwssd_epi32(lo, _mm512_unpacklo_epi16(x0, x1),
					 _mm512_unpacklo_epi16(w0, w1));
		hi = _mm512_dpwssd_epi32(hi, _mm512_unpackhi_epi16(x0, x1),
					 _mm512_unpackhi_epi16(w0, w1));
	}
	_mm512_storeu_si512((void *)out, _mm512_permutex2var_epi32(lo, idx0, hi));
	_mm512_storeu_si512((void *)(out + 16), _mm512_permutex2var_epi32(lo, idx1, hi));
}

/*
 * (u * m + add) >> 31 lane-wise for unsigned u, m, add < 2^32 whose result
 * fits in 32 bits: enpu_mulshr31() of enpu_requant.h, sixteen lanes.
 */
static inline AVX512 __m512i mulshr31(__m512i u, __m512i m, __m512i add)
{
	const __m512i lo32 = _mm512_set1_epi64(0xffffffff);
	__m512i even = _mm512_mul_epu32(u, m);
	__m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(u, 32), _mm512_srli_epi64(m, 32));

	even = _mm512_srli_epi64(_mm512_add_epi64(even, _mm512_and_si512(add, lo32)), 31);
	odd = _mm512_srli_epi64(_mm512_add_epi64(odd, _mm512_srli_epi64(add, 32)), 31);
	return _mm512_or_si512(even, _mm512_slli_epi64(odd, 32));
}

/* x with the sign of s (s = 0 or -1 per lane): (x ^ s) - s. */
static inline AVX512 __m512i signed_as(__m512i x, __m512i s)
{
	return _mm512_sub_epi32(_mm512_xor_si512(x, s), s);
}

/*
 * enpu_rq_mbqm4() and enpu_rq_pack8() of enpu_requant.h on sixteen lanes:
 * the same steps, so the same bytes (int8_unit_test compares them).
 */
static AVX512 void rq_store16_avx512(const struct enpu_rq_table *t, int j,
				     const int32_t *acc, int8_t *dst)
{
	const __m512i mult = _mm512_loadu_si512((const void *)(t->mult + j));
	const __m512i rpow = _mm512_loadu_si512((const void *)(t->rpow + j));
	const __m512i half = _mm512_loadu_si512((const void *)(t->half + j));
	__m512i x = _mm512_add_epi32(_mm512_loadu_si512((const void *)acc),
				     _mm512_loadu_si512((const void *)(t->bias + j)));
	__m512i s, a;
	__m256i v;

	if (t->any_left)
		x = _mm512_mullo_epi32(x, _mm512_loadu_si512((const void *)(t->lpow + j)));
	/* SRDHM: |x| * M, + 2^30 (- 1 if x < 0), >> 31, sign restored */
	s = _mm512_srai_epi32(x, 31);
	a = signed_as(x, s);
	x = signed_as(mulshr31(a, mult, _mm512_add_epi32(_mm512_set1_epi32(1 << 30), s)), s);
	/* RDBPOT: sign(x) * ((|x| + half) >> right) */
	s = _mm512_srai_epi32(x, 31);
	a = _mm512_add_epi32(signed_as(x, s), half);
	x = signed_as(mulshr31(a, rpow, _mm512_setzero_si512()), s);
	/* int32 -> int16 saturating, + zp saturating, clamp, -> int8 saturating */
	v = _mm256_adds_epi16(_mm512_cvtsepi32_epi16(x), _mm256_set1_epi16((int16_t)t->out_zp));
	v = _mm256_max_epi16(v, _mm256_set1_epi16((int16_t)t->act_min));
	v = _mm256_min_epi16(v, _mm256_set1_epi16((int16_t)t->act_max));
	_mm_storeu_si128((__m128i *)dst, _mm256_cvtsepi16_epi8(v));
}

const struct enpu_dot_ops enpu_dot_avx512 = {
	dot_2x4_avx512, dot_1x4_avx512, gemm_u8_avx512, dw_32_avx512, rq_store16_avx512,
};
#endif
