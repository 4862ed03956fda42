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
 * A depthwise layer's filter rows are a vpdpbusd each (dw_spread, dw_rows,
 * as dot_avx512.c's on two vectors of eight lanes). The variant's
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
	/* sets past 0 have groups only when every set got some */
	if (k4 >= (size_t)SETS)
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

/* enpu_avx2_block_fn: four rows a pass, the rest in the last. */
static AVX_VNNI void block_avx_vnni(const uint8_t *const x[], int rows, const int8_t *w,
				    size_t step, size_t k4, const struct enpu_rq8 v[2], int nch,
				    int8_t *out, size_t out_stride)
{
	for (int r = 0; r < rows; r += ENPU_GEMM_ROWS) {
		const uint8_t *const *xr = x + r;
		int8_t *o = out + (size_t)r * out_stride;

		switch (rows - r) {
		case 1:
			gemm_block(xr, w, step, k4, v, nch, o, out_stride, 1);
			break;
		case 2:
			gemm_block(xr, w, step, k4, v, nch, o, out_stride, 2);
			break;
		case 3:
			gemm_block(xr, w, step, k4, v, nch, o, out_stride, 3);
			break;
		default:
			gemm_block(xr, w, step, k4, v, nch, o, out_stride, 4);
			break;
		}
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

/*
 * enpu_dot_ops.dw_spread with @kw constant: each half of a chunk (eight
 * lanes) a tap's eight bytes zero-extended to the lanes' byte t, the taps
 * ORed together.
 */
static inline __attribute__((always_inline)) AVX_VNNI void
dw_spread_body(uint8_t *dst, const uint8_t *src, size_t tap_step, const int kw, int npx, int nb,
	       size_t xs)
{
	for (int px = 0; px < npx; px++) {
		for (int b = 0; b < nb; b++, dst += 64) {
			const uint8_t *a = src + (size_t)px * xs + (size_t)b * 16;

#pragma GCC unroll 2
			for (int h = 0; h < 2; h++) {
				__m256i v = _mm256_setzero_si256();

#pragma GCC unroll 4
				for (int t = 0; t < kw; t++)
					v = _mm256_or_si256(v, _mm256_slli_epi32(_mm256_cvtepu8_epi32(
						_mm_loadl_epi64((const __m128i *)(a + 8 * h +
										  (size_t)t * tap_step))),
										 8 * t));
				_mm256_storeu_si256((__m256i *)(dst + 32 * h), v);
			}
		}
	}
}

ENPU_DW_SPREAD(, enpu_avx_vnni_dw_spread, AVX_VNNI, dw_spread_body)

/* enpu_dot_ops.dw_spread8: each pixel's four bytes broadcast to its eight lanes. */
AVX_VNNI void enpu_avx_vnni_dw_spread8(uint8_t *dst, const uint8_t *src, int kw, int npx,
				       size_t s)
{
	const __m256i keep = _mm256_set1_epi32((int)(0xffffffffu >> (8 * (4 - kw))));

	for (int px = 0; px < npx; px++, dst += 64) {
		uint32_t a, b;

		memcpy(&a, src + 2 * (size_t)px * s, 4);
		memcpy(&b, src + (2 * (size_t)px + 1) * s, 4);
		_mm256_storeu_si256((__m256i *)dst,
				    _mm256_and_si256(_mm256_set1_epi32((int)a), keep));
		_mm256_storeu_si256((__m256i *)(dst + 32),
				    _mm256_and_si256(_mm256_set1_epi32((int)b), keep));
	}
}

/*
 * One chunk of dw_rows from @er: its two halves' sums over the filter
 * rows, requantised with @v's halves, to @o (the second half's eight bytes
 * only before @row_bytes).
 */
static inline __attribute__((always_inline)) AVX_VNNI void
dw_rows_chunk(const uint8_t *er, size_t e_ky, const int kh, const __m256i (*wk)[2],
	      const struct enpu_rq8 v[2], int8_t *o, size_t at, size_t row_bytes)
{
	__m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();

#pragma GCC unroll 8
	for (int ky = 0; ky < kh; ky++) {
		const uint8_t *c = er + (size_t)ky * e_ky;

		lo = _mm256_dpbusd_avx_epi32(lo, _mm256_loadu_si256((const __m256i *)c), wk[ky][0]);
		hi = _mm256_dpbusd_avx_epi32(hi, _mm256_loadu_si256((const __m256i *)(c + 32)),
					     wk[ky][1]);
	}
	_mm_storel_epi64((__m128i *)(o + at), enpu_rq8(&v[0], lo));
	if (at + 16 <= row_bytes)
		_mm_storel_epi64((__m128i *)(o + at + 8), enpu_rq8(&v[1], hi));
}

/* enpu_dot_ops.dw_rows with @kh constant where the caller makes it so. */
static inline __attribute__((always_inline)) AVX_VNNI void
dw_rows_body(const uint8_t *e, size_t e_oy, size_t e_ky, const int kh, const int8_t *w, int nb,
	     const struct enpu_rq_table *rq, int half, int rows, int chunks, int8_t *out,
	     size_t out_row, size_t row_bytes)
{
	for (int b = 0; b < nb; b++) {
		const int j = b * 16 % ENPU_RQ_CHUNK;
		const struct enpu_rq_table *t = rq + b * 16 / ENPU_RQ_CHUNK;
		__m256i wk[ENPU_DW_ROWS_KH][2] = { { _mm256_setzero_si256() } };
		struct enpu_rq8 v[2];

#pragma GCC unroll 8
		for (int ky = 0; ky < kh; ky++) {
			const int8_t *wr = w + ((size_t)b * kh + ky) * 64;

			wk[ky][0] = _mm256_loadu_si256((const __m256i *)wr);
			wk[ky][1] = _mm256_loadu_si256((const __m256i *)(wr + 32));
		}
		enpu_rq8_load(&v[0], t, j);
		enpu_rq8_load(&v[1], t, half ? j : j + 8);
		for (int r = 0; r < rows; r++) {
			const uint8_t *er = e + (size_t)r * e_oy;
			int8_t *o = out + (size_t)r * out_row;

			for (int i = b; i < chunks; i += nb)
				dw_rows_chunk(er + (size_t)i * 64, e_ky, kh,
					      (const __m256i (*)[2])wk, v, o, (size_t)i * 16, row_bytes);
		}
	}
}

ENPU_DW_ROWS(, enpu_avx_vnni_dw_rows, AVX_VNNI, dw_rows_body)

AVX_VNNI void enpu_avx_vnni_gemm(const uint8_t *const x[], int rows, const int8_t *w,
				 size_t k4, int nblk, const struct enpu_rq_table *rq, int j,
				 int nch, int8_t *out, size_t out_stride)
{
	enpu_avx2_gemm(block_avx_vnni, x, rows, w, k4, nblk, rq, j, nch, out, out_stride);
}
#endif
