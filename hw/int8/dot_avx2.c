// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with AVX2: sixteen elements a step (the weights
 * sign-extended with vpmovsxbw, pairs summed by vpmaddwd), then SSE2's
 * steps and tail; and the GEMM of enpu_gemm.h without a byte dot product:
 * each packed group of four taps widened to int16 once for every row it
 * meets, the rows' four unsigned bytes widened and broadcast, vpmaddwd
 * summing two products a lane (255 * 128 * 2 fits easily: exact), the
 * pairs added at the end; and depthwise pixels sixteen lanes at a time,
 * two taps a vpmaddwd, requantised in registers. Compiled for AVX2
 * whatever the build's target, used only on a CPU that has it.
 */
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_requant.h"
#include "enpu_simd.h"

#ifdef ENPU_DOT_SSE2
#include <immintrin.h>

#include "enpu_dot_avx2.h"
#include "enpu_dot_x86.h"

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
 * enpu_gemm_pack(): group g's 64 bytes at w + g * @step), requantised with
 * @v's two halves (table lanes j .. j + 15), the first @nch stored.
 */
static inline __attribute__((always_inline)) AVX2 void
gemm_block(const uint8_t *const x[], const int8_t *w, size_t step, size_t k4,
	   const struct enpu_rq8 v[2], int nch, int8_t *out, size_t out_stride, const int ROWS)
{
	const uint8_t *xr[2] = { x[0], ROWS > 1 ? x[1] : x[0] };
	__m256i a[2][4];
	int r, q;

	/* unrolled: the accumulators and weights stay in registers */
#pragma GCC unroll 2
	for (r = 0; r < ROWS; r++)
#pragma GCC unroll 4
		for (q = 0; q < 4; q++)
			a[r][q] = _mm256_setzero_si256();
	for (size_t g = 0; g < k4; g++) {
		__m256i wv[4];

#pragma GCC unroll 4
		for (q = 0; q < 4; q++)
			wv[q] = _mm256_cvtepi8_epi16(
				_mm_loadu_si128((const __m128i *)(w + g * step + q * 16)));
#pragma GCC unroll 2
		for (r = 0; r < ROWS; r++) {
			int32_t four;
			__m256i xv;

			memcpy(&four, xr[r] + g * 4, 4);
			xv = _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(four)));
#pragma GCC unroll 4
			for (q = 0; q < 4; q++)
				a[r][q] = _mm256_add_epi32(a[r][q], _mm256_madd_epi16(xv, wv[q]));
		}
	}
	for (r = 0; r < ROWS; r++) {
		enpu_store8(out + r * out_stride, enpu_rq8(&v[0], sum_pairs(a[r][0], a[r][1])), nch);
		if (nch > 8)
			enpu_store8(out + r * out_stride + 8,
			       enpu_rq8(&v[1], sum_pairs(a[r][2], a[r][3])), nch - 8);
	}
}

/* enpu_avx2_block_fn: the rows two at a time, then the last alone. */
static AVX2 void block_avx2(const uint8_t *const x[], int rows, const int8_t *w, size_t step,
			    size_t k4, const struct enpu_rq8 v[2], int nch, int8_t *out,
			    size_t out_stride)
{
	for (int r = 0; r < rows; r += 2) {
		if (rows - r >= 2)
			gemm_block(x + r, w, step, k4, v, nch, out + r * out_stride, out_stride, 2);
		else
			gemm_block(x + r, w, step, k4, v, nch, out + r * out_stride, out_stride, 1);
	}
}

static AVX2 void gemm_u8_avx2(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			      int nblk, const struct enpu_rq_table *rq, int j, int nch,
			      int8_t *out, size_t out_stride)
{
	enpu_avx2_gemm(block_avx2, x, rows, w, k4, nblk, rq, j, nch, out, out_stride);
}

static AVX2 void rq_store16_avx2(const struct enpu_rq_table *t, int j, const int32_t *acc,
				 int8_t *dst)
{
	struct enpu_rq8 v;

	for (int h = 0; h < 2; h++) {
		enpu_rq8_load(&v, t, j + 8 * h);
		_mm_storel_epi64((__m128i *)(dst + 8 * h),
				 enpu_rq8(&v, _mm256_loadu_si256((const __m256i *)(acc + 8 * h))));
	}
}

/*
 * The depthwise run (enpu_dot_ops.dw_run) two taps at a time: a pair's
 * inputs sign-extended to int16 and interleaved tap by tap, so that one
 * vpmaddwd adds both taps' products in each int32 lane. Interleaving
 * within 128-bit halves leaves channels 0-3 and 8-11 in one vector and
 * 4-7 and 12-15 in the other; the weights are widened in that order and
 * the sums put back in order before the requantisation.
 */

/*
 * enpu_dot_ops.dw_widen: per pair of taps k, k + 1 (the last of an odd
 * count with weight 0), the two vectors of int16 pairs (w_k, w_k+1) that
 * dw_sums() multiplies: 32 int16 a pair, in the space of n taps.
 */
static AVX2 void dw_widen_avx2(const int8_t *w, size_t w_step, int n, int half,
			       int16_t *wide, int32_t *sums)
{
	__m256i sum_lo = _mm256_setzero_si256(), sum_hi = _mm256_setzero_si256();
	__m128i tw[2];

	for (int k = 0; k < n; k += 2) {
		for (int t = 0; t < 2; t++) {
			const int8_t *a = w + (size_t)(k + t) * w_step;

			if (k + t >= n)
				tw[t] = _mm_setzero_si128();
			else if (half)
				tw[t] = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)a),
							   _mm_loadl_epi64((const __m128i *)a));
			else
				tw[t] = _mm_loadu_si128((const __m128i *)a);
			sum_lo = _mm256_add_epi32(sum_lo, _mm256_cvtepi8_epi32(tw[t]));
			sum_hi = _mm256_add_epi32(sum_hi,
						  _mm256_cvtepi8_epi32(_mm_srli_si128(tw[t], 8)));
		}
		{
			const __m256i a16 = _mm256_cvtepi8_epi16(tw[0]);
			const __m256i b16 = _mm256_cvtepi8_epi16(tw[1]);

			_mm256_storeu_si256((__m256i *)(wide + 16 * k),
					    _mm256_unpacklo_epi16(a16, b16));
			_mm256_storeu_si256((__m256i *)(wide + 16 * k + 16),
					    _mm256_unpackhi_epi16(a16, b16));
		}
	}
	_mm256_storeu_si256((__m256i *)sums, sum_lo);
	_mm256_storeu_si256((__m256i *)(sums + 8), sum_hi);
}

/*
 * One pixel's sixteen lanes (pixel @p's, and @q's in ENPU_DW_HALF mode),
 * requantised with @v (lanes 0-7, 8-15): two vpmaddwd a pair of taps.
 */
static inline AVX2 __attribute__((always_inline)) __m128i
dw_pixel(const int8_t *p, const int8_t *q, const size_t *tap, int n, const int16_t *wide,
	 const struct enpu_rq8 v[2], const int mode)
{
	__m256i acc[2] = { _mm256_setzero_si256(), _mm256_setzero_si256() };

#pragma GCC unroll 16
	for (int k = 0; k < n; k += 2) {
		const __m256i a = _mm256_cvtepi8_epi16(enpu_dw_lanes(p + tap[k], q + tap[k], mode));
		/* the odd tap out reads its own bytes again, against weight 0 */
		const int k1 = k + 1 < n ? k + 1 : k;
		const __m256i b = _mm256_cvtepi8_epi16(enpu_dw_lanes(p + tap[k1], q + tap[k1],
								     mode));

		acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(
			_mm256_unpacklo_epi16(a, b),
			_mm256_loadu_si256((const __m256i *)(wide + 16 * k))));
		acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(
			_mm256_unpackhi_epi16(a, b),
			_mm256_loadu_si256((const __m256i *)(wide + 16 * k + 16))));
	}
	return _mm_unpacklo_epi64(enpu_rq8(&v[0], _mm256_permute2x128_si256(acc[0], acc[1], 0x20)),
				  enpu_rq8(&v[1], _mm256_permute2x128_si256(acc[0], acc[1], 0x31)));
}

/* dw_run's loops: blocks of sixteen lanes, output rows, pixels (two a step). */
static inline AVX2 __attribute__((always_inline)) void
dw_body(const int8_t *x, const size_t *tap, int n, size_t x_step, size_t y_step,
	const int16_t *wide, const int mode, int nblk, const struct enpu_rq_table *rq, int j,
	int rows, int cols, int8_t *out, size_t out_step, size_t out_row_step)
{
	const int per = mode & ENPU_DW_HALF ? 2 : 1;	/* pixels a vector */
	struct enpu_rq8 v[2];

	for (int b = 0; b < nblk; b++, wide += 32 * n, j += 16, x += 16, out += 16) {
		enpu_rq8_load(&v[0], rq, j);
		enpu_rq8_load(&v[1], rq, per == 2 ? j : j + 8);
		for (int r = 0; r < rows; r++) {
			const int8_t *xr = x + (size_t)r * y_step;
			int8_t *o = out + (size_t)r * out_row_step;
			int c = 0;

			/* the second pixel of a pair, or the first again past the last */
#define DW_Q(c) ((c) + 1 < cols ? xr + (size_t)((c) + 1) * x_step : xr + (size_t)(c) * x_step)
			for (; c + 2 * per <= cols; c += 2 * per) {
				const int8_t *p0 = xr + (size_t)c * x_step;
				const int8_t *p1 = xr + (size_t)(c + per) * x_step;
				const __m128i r0 = dw_pixel(p0, DW_Q(c), tap, n, wide, v, mode);
				const __m128i r1 = dw_pixel(p1, DW_Q(c + per), tap, n, wide, v,
							    mode);

				enpu_dw_store(r0, o, c, cols, out_step, mode);
				enpu_dw_store(r1, o, c + per, cols, out_step, mode);
			}
			/* a last pixel alone reads its own bytes only */
			for (; c < cols; c += per)
				enpu_dw_store(dw_pixel(xr + (size_t)c * x_step, DW_Q(c), tap, n,
						       wide, v, mode & ~ENPU_DW_PAIR),
					      o, c, cols, out_step, mode);
#undef DW_Q
		}
	}
}

ENPU_DW_RUN(dw_run_avx2, AVX2, dw_body)

/* enpu_dot_ops.to_u8: thirty-two bytes a store, then four. */
static AVX2 void to_u8_avx2(uint8_t *dst, const int8_t *src, size_t n)
{
	const __m256i flip = _mm256_set1_epi8((char)0x80);
	size_t i = 0;

	for (; i + 32 <= n; i += 32)
		_mm256_storeu_si256((__m256i *)(dst + i),
				    _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(src + i)),
						     flip));
	enpu_u8_groups(dst, src, i, n);
}

const struct enpu_dot_ops enpu_dot_avx2 = {
	.dot_2x4 = dot_2x4_avx2, .dot_1x4 = dot_1x4_avx2, .gemm_u8 = gemm_u8_avx2,
	.to_u8 = to_u8_avx2,
	.dw_widen = dw_widen_avx2, .dw_run = dw_run_avx2, .rq_store16 = rq_store16_avx2,
};

/* With AVX-VNNI: its GEMM and depthwise rows (dot_avx_vnni.c), AVX2's other kernels. */
const struct enpu_dot_ops enpu_dot_avx_vnni = {
	.dot_2x4 = dot_2x4_avx2, .dot_1x4 = dot_1x4_avx2, .gemm_u8 = enpu_avx_vnni_gemm,
	.gemv_u8 = enpu_avx_vnni_gemv, .to_u8 = to_u8_avx2,
	.dw_widen = dw_widen_avx2, .dw_run = dw_run_avx2,
	.dw_spread = enpu_avx_vnni_dw_spread, .dw_spread8 = enpu_avx_vnni_dw_spread8,
	.dw_rows = enpu_avx_vnni_dw_rows, .rq_store16 = rq_store16_avx2,
};
#endif
