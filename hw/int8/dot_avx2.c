// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with AVX2: sixteen elements a step (the weights
 * sign-extended with vpmovsxbw, pairs summed by vpmaddwd), then SSE2's
 * steps and tail; and the GEMM of enpu_gemm.h without a byte dot product:
 * each packed group of four taps widened to int16 once for every row it
 * meets, the rows' four unsigned bytes widened and broadcast, vpmaddwd
 * summing two products a lane (255 * 128 * 2 fits easily: exact), the
 * pairs added at the end. Compiled for AVX2 whatever the build's target,
 * used only on a CPU that has it.
 */
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_requant.h"
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

/*
 * enpu_rq_one() of enpu_requant.h on eight lanes (table lanes j .. j + 7),
 * as dot_avx512.c's rq16 does it: SRDHM is floor((x * M + 2^30) / 2^31)
 * from signed 32 x 32 -> 64-bit products; AVX2 has no 64-bit arithmetic
 * shift, but the result's 32 bits are bits 31 to 62 of the sum, which a
 * logical shift gives alike. RDBPOT rounds ties away from zero with
 * per-lane shifts. Returns eight int8 in the low half.
 */
static inline AVX2 __m128i rq8(const struct enpu_rq_table *t, int j, __m256i acc)
{
	const __m256i round = _mm256_set1_epi64x(1 << 30), zero = _mm256_setzero_si256();
	const __m256i shift = _mm256_loadu_si256((const __m256i *)(t->shift + j));
	const __m256i mult = _mm256_loadu_si256((const __m256i *)(t->mult + j));
	const __m256i left = _mm256_max_epi32(shift, zero);
	const __m256i right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
	const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), right),
					      _mm256_set1_epi32(1));
	__m256i x = _mm256_add_epi32(acc, _mm256_loadu_si256((const __m256i *)(t->bias + j)));
	__m256i even, odd, q, thr, up;
	__m128i y;

	x = _mm256_sllv_epi32(x, left);
	even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, mult), round), 31);
	odd = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32),
								   _mm256_srli_epi64(mult, 32)),
						 round), 31);
	x = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
	q = _mm256_srav_epi32(x, right);
	thr = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), _mm256_srai_epi32(x, 31));
	up = _mm256_cmpgt_epi32(_mm256_and_si256(x, mask), thr);
	q = _mm256_sub_epi32(q, up);
	/* int32 -> int16 saturating, + zp saturating, clamp, -> int8 saturating */
	y = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
	y = _mm_adds_epi16(y, _mm_set1_epi16((int16_t)t->out_zp));
	y = _mm_min_epi16(_mm_max_epi16(y, _mm_set1_epi16((int16_t)t->act_min)),
			  _mm_set1_epi16((int16_t)t->act_max));
	return _mm_packs_epi16(y, y);
}

/* The first @n (at most 8) bytes of @v's low half to @dst. */
static inline AVX2 void store8(int8_t *dst, __m128i v, int n)
{
	int8_t tmp[16];

	if (n >= 8) {
		_mm_storel_epi64((__m128i *)dst, v);
		return;
	}
	_mm_storeu_si128((__m128i *)tmp, v);
	memcpy(dst, tmp, (size_t)n);
}

/*
 * Two accumulators of four channels each (lanes: channel c's two partial
 * sums side by side) to eight channels' sums in order.
 */
static inline AVX2 __m256i sum_pairs(__m256i lo, __m256i hi)
{
	/* [c0 c1 c4 c5 | c2 c3 c6 c7] -> [c0 .. c7] */
	return _mm256_permute4x64_epi64(_mm256_hadd_epi32(lo, hi), 0xd8);
}

/*
 * @ROWS (1 or 2) rows against one block of sixteen channels @w (packed by
 * enpu_gemm_pack()), requantised with table lanes j .. j + 15, the first
 * @nch stored.
 */
static inline __attribute__((always_inline)) AVX2 void
gemm_block(const uint8_t *const x[], const int8_t *w, size_t k4,
	   const struct enpu_rq_table *rq, int j, int nch, int8_t *out, size_t out_stride,
	   const int ROWS)
{
	__m256i a[2][4];
	int r, q;

	for (r = 0; r < ROWS; r++)
		for (q = 0; q < 4; q++)
			a[r][q] = _mm256_setzero_si256();
	for (size_t g = 0; g < k4; g++) {
		__m256i wv[4];

		for (q = 0; q < 4; q++)
			wv[q] = _mm256_cvtepi8_epi16(
				_mm_loadu_si128((const __m128i *)(w + g * 64 + q * 16)));
		for (r = 0; r < ROWS; r++) {
			int32_t four;
			__m256i xv;

			memcpy(&four, x[r] + g * 4, 4);
			xv = _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(four)));
			for (q = 0; q < 4; q++)
				a[r][q] = _mm256_add_epi32(a[r][q], _mm256_madd_epi16(xv, wv[q]));
		}
	}
	for (r = 0; r < ROWS; r++) {
		store8(out + r * out_stride, rq8(rq, j, sum_pairs(a[r][0], a[r][1])), nch);
		if (nch > 8)
			store8(out + r * out_stride + 8,
			       rq8(rq, j + 8, sum_pairs(a[r][2], a[r][3])), nch - 8);
	}
}

static AVX2 void gemm_u8_avx2(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			      int nblk, const struct enpu_rq_table *rq, int j, int nch,
			      int8_t *out, size_t out_stride)
{
	const size_t block = k4 * 4 * ENPU_GEMM_BLOCK;

	for (int b = 0; b < nblk; b++) {
		const int8_t *wb = w + b * block;
		const int jb = j + ENPU_GEMM_BLOCK * b, nb = nch - ENPU_GEMM_BLOCK * b;
		int8_t *ob = out + ENPU_GEMM_BLOCK * b;

		for (int r = 0; r < rows; r += 2) {
			if (rows - r >= 2)
				gemm_block(x + r, wb, k4, rq, jb, nb, ob + r * out_stride,
					   out_stride, 2);
			else
				gemm_block(x + r, wb, k4, rq, jb, nb, ob + r * out_stride,
					   out_stride, 1);
		}
	}
}

static AVX2 void rq_store16_avx2(const struct enpu_rq_table *t, int j, const int32_t *acc,
				 int8_t *dst)
{
	for (int h = 0; h < 2; h++)
		_mm_storel_epi64((__m128i *)(dst + 8 * h),
				 rq8(t, j + 8 * h,
				     _mm256_loadu_si256((const __m256i *)(acc + 8 * h))));
}

const struct enpu_dot_ops enpu_dot_avx2 = {
	.dot_2x4 = dot_2x4_avx2, .dot_1x4 = dot_1x4_avx2, .gemm_u8 = gemm_u8_avx2,
	.rq_store16 = rq_store16_avx2,
};
#endif
