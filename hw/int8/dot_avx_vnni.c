// SPDX-License-Identifier: MIT
/*
 * The GEMM of enpu_gemm.h with AVX-VNNI: the VEX-encoded vpdpbusd on
 * 256-bit vectors, four u8 x s8 products summed into each int32 lane
 * without saturation, as AVX-512 VNNI's on half the width. The CPUs with
 * AVX-VNNI and without AVX-512 (Intel's client cores since Alder Lake)
 * otherwise take AVX2's vpmaddwd. A packed group of four taps of a block
 * of sixteen channels is two vectors of eight channels; a row's four
 * bytes are broadcast to every lane; the sums are in channel order and
 * requantised in registers as AVX2's are (enpu_dot_avx2.h); a layer of
 * fewer than eight channels takes each channel's taps as they lie (gemv_u8).
 * The variant's
 * other kernels are AVX2's (enpu_dot_avx_vnni, in dot_avx2.c). Compiled
 * for AVX2 and AVX-VNNI whatever the build's target, used only on a CPU
 * that has them.
 */
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_simd.h"

#ifdef ENPU_DOT_SSE2
#include "enpu_dot_avx2.h"

#define AVX_VNNI __attribute__((target("avx2,avxvnni")))

/*
 * Sets of accumulators (as in dot_avx512.c): one row is two chains of
 * dependent vpdpbusd, which wait on its latency; the groups of four taps
 * are dealt round-robin to enough sets for eight, added up at the end.
 */
#define VNNI_SETS(ROWS)	((ROWS) >= 4 ? 1 : (ROWS) == 1 ? 4 : 2)

/*
 * @ROWS (1 to 4) rows against one block of sixteen channels @w (packed by
 * enpu_gemm_pack(): group g's 64 bytes at w + g * @step), requantised with
 * @v's two halves (table lanes j .. j + 15), the first @nch stored. Constant ROWS unrolls it: eight
 * accumulators and two weight vectors in registers.
 */
static inline __attribute__((always_inline)) AVX_VNNI void
gemm_block(const uint8_t *const x[], const int8_t *w, size_t step, size_t k4,
	   const struct enpu_rq8 v[2], int nch, int8_t *out, size_t out_stride, const int ROWS)
{
	const int SETS = VNNI_SETS(ROWS);
	__m256i a[4][ENPU_GEMM_ROWS][2];
	size_t g = 0;
	int r, s;

#pragma GCC unroll 4
	for (s = 0; s < SETS; s++)
#pragma GCC unroll 4
		for (r = 0; r < ROWS; r++) {
			a[s][r][0] = _mm256_setzero_si256();
			a[s][r][1] = _mm256_setzero_si256();
		}
	/* group g + s into set s; what is left over into set 0 */
	for (;;) {
		const int sets = g + SETS <= k4 ? SETS : g < k4 ? 1 : 0;

		if (!sets)
			break;
#pragma GCC unroll 4
		for (s = 0; s < SETS; s++) {
			const int8_t *wg = w + (g + s) * step;
			__m256i w0, w1;

			if (s >= sets)
				break;
			w0 = _mm256_loadu_si256((const __m256i *)wg);
			w1 = _mm256_loadu_si256((const __m256i *)(wg + 32));
#pragma GCC unroll 4
			for (r = 0; r < ROWS; r++) {
				int32_t four;
				__m256i xv;

				memcpy(&four, x[r] + (g + s) * 4, 4);
				xv = _mm256_set1_epi32(four);
				a[s][r][0] = _mm256_dpbusd_avx_epi32(a[s][r][0], xv, w0);
				a[s][r][1] = _mm256_dpbusd_avx_epi32(a[s][r][1], xv, w1);
			}
		}
		g += sets;
	}
#pragma GCC unroll 4
	for (s = 1; s < SETS; s++)
#pragma GCC unroll 4
		for (r = 0; r < ROWS; r++) {
			a[0][r][0] = _mm256_add_epi32(a[0][r][0], a[s][r][0]);
			a[0][r][1] = _mm256_add_epi32(a[0][r][1], a[s][r][1]);
		}
#pragma GCC unroll 4
	for (r = 0; r < ROWS; r++) {
		enpu_store8(out + r * out_stride, enpu_rq8(&v[0], a[0][r][0]), nch);
		if (nch > 8)
			enpu_store8(out + r * out_stride + 8, enpu_rq8(&v[1], a[0][r][1]), nch - 8);
	}
}

/* enpu_avx2_block_fn: up to four rows in one pass. */
static AVX_VNNI void block_avx_vnni(const uint8_t *const x[], int rows, const int8_t *w,
				    size_t step, size_t k4, const struct enpu_rq8 v[2], int nch,
				    int8_t *out, size_t out_stride)
{
	switch (rows) {
	case 1:
		gemm_block(x, w, step, k4, v, nch, out, out_stride, 1);
		break;
	case 2:
		gemm_block(x, w, step, k4, v, nch, out, out_stride, 2);
		break;
	case 3:
		gemm_block(x, w, step, k4, v, nch, out, out_stride, 3);
		break;
	default:
		gemm_block(x, w, step, k4, v, nch, out, out_stride, 4);
		break;
	}
}

/* Independent vpdpbusd chains a gemv_body keeps (VNNI_SETS' reason). */
#define GEMV_CHAINS	8

/*
 * enpu_dot_ops.gemv_u8 for a constant @NCH: 32 bytes of the row a step,
 * loaded once for every channel, against each channel's 32 weights as
 * they lie (one channel's consecutive taps), steps dealt round-robin to
 * ENPU_GEMV_SETS() sets; a last part of fewer than 32 bytes (a multiple of four)
 * read with a masked load of dwords. Then each channel's eight lanes
 * added up and the channels requantised in registers.
 */
static inline __attribute__((always_inline)) AVX_VNNI void
gemv_body(const uint8_t *x, const int8_t *w, size_t k4, const struct enpu_rq_table *rq,
	  int8_t *out, const int NCH)
{
	const size_t len = k4 * 4, stride = enpu_gemv_stride(k4);
	const size_t sets = ENPU_GEMV_SETS(NCH, GEMV_CHAINS);
	__m256i acc[GEMV_CHAINS + ENPU_GEMM_MIN_CHANNELS];
	_Alignas(32) int32_t sum[8] = { 0 };
	struct enpu_rq8 v;
	size_t k = 0;

#pragma GCC unroll 16
	for (size_t a = 0; a < sets * NCH; a++)
		acc[a] = _mm256_setzero_si256();
	for (; k + 32 * sets <= len; k += 32 * sets) {
#pragma GCC unroll 8
		for (size_t s = 0; s < sets; s++) {
			const __m256i xv = _mm256_loadu_si256((const __m256i *)(x + k + 32 * s));

#pragma GCC unroll 8
			for (int c = 0; c < NCH; c++)
				acc[s * NCH + c] = _mm256_dpbusd_avx_epi32(
					acc[s * NCH + c], xv,
					_mm256_loadu_si256((const __m256i *)(w + c * stride + k +
									     32 * s)));
		}
	}
	for (; k < len; k += 32) {
		const int dwords = len - k >= 32 ? 8 : (int)(len - k) / 4;
		const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(dwords),
						     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
		const __m256i xv = _mm256_maskload_epi32((const int *)(const void *)(x + k), m);

#pragma GCC unroll 8
		for (int c = 0; c < NCH; c++)
			acc[c] = _mm256_dpbusd_avx_epi32(
				acc[c], xv,
				_mm256_maskload_epi32((const int *)(const void *)(w + c * stride + k),
						      m));
	}
#pragma GCC unroll 8
	for (int c = 0; c < NCH; c++) {
		__m128i h;

#pragma GCC unroll 8
		for (size_t s = 1; s < sets; s++)
			acc[c] = _mm256_add_epi32(acc[c], acc[s * NCH + c]);
		h = _mm_add_epi32(_mm256_castsi256_si128(acc[c]),
				  _mm256_extracti128_si256(acc[c], 1));
		h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(1, 0, 3, 2)));
		h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(2, 3, 0, 1)));
		sum[c] = _mm_cvtsi128_si32(h);
	}
	enpu_rq8_load(&v, rq, 0);
	enpu_store8(out, enpu_rq8(&v, _mm256_load_si256((const __m256i *)sum)), NCH);
}

ENPU_GEMV(, enpu_avx_vnni_gemv, AVX_VNNI, gemv_body)

AVX_VNNI void enpu_avx_vnni_gemm(const uint8_t *const x[], int rows, const int8_t *w,
				 size_t k4, int nblk, const struct enpu_rq_table *rq, int j,
				 int nch, int8_t *out, size_t out_stride)
{
	enpu_avx2_gemm(block_avx_vnni, x, rows, w, k4, nblk, rq, j, nch, out, out_stride);
}
#endif
