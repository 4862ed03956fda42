// SPDX-License-Identifier: MIT
/*
 * The GEMM of enpu_gemm.h with AVX-VNNI: the VEX-encoded vpdpbusd on
 * 256-bit vectors, four u8 x s8 products summed into each int32 lane
 * without saturation, as AVX-512 VNNI's on half the width. The CPUs with
 * AVX-VNNI and without AVX-512 (Intel's client cores since Alder Lake)
 * otherwise take AVX2's vpmaddwd. A packed group of four taps of a block
 * of sixteen channels is two vectors of eight channels; a row's four
 * bytes are broadcast to every lane; the sums are in channel order and
 * requantised in registers as AVX2's are (enpu_dot_avx2.h). The variant's
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
 * enpu_gemm_pack()), requantised with @v's two halves (table lanes j ..
 * j + 15), the first @nch stored. Constant ROWS unrolls it: eight
 * accumulators and two weight vectors in registers.
 */
static inline __attribute__((always_inline)) AVX_VNNI void
gemm_block(const uint8_t *const x[], const int8_t *w, size_t k4, const struct enpu_rq8 v[2],
	   int nch, int8_t *out, size_t out_stride, const int ROWS)
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
			const int8_t *wg = w + (g + s) * 64;
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
				    size_t k4, const struct enpu_rq8 v[2], int nch, int8_t *out,
				    size_t out_stride)
{
	switch (rows) {
	case 1:
		gemm_block(x, w, k4, v, nch, out, out_stride, 1);
		break;
	case 2:
		gemm_block(x, w, k4, v, nch, out, out_stride, 2);
		break;
	case 3:
		gemm_block(x, w, k4, v, nch, out, out_stride, 3);
		break;
	default:
		gemm_block(x, w, k4, v, nch, out, out_stride, 4);
		break;
	}
}

AVX_VNNI void enpu_avx_vnni_gemm(const uint8_t *const x[], int rows, const int8_t *w,
				 size_t k4, int nblk, const struct enpu_rq_table *rq, int j,
				 int nch, int8_t *out, size_t out_stride)
{
	enpu_avx2_gemm(block_avx_vnni, x, rows, w, k4, nblk, rq, j, nch, out, out_stride);
}
#endif
