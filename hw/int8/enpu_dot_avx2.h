/* SPDX-License-Identifier: MIT */
/*
 * What the AVX2 kernels (dot_avx2.c) share with those of AVX-VNNI
 * (dot_avx_vnni.c, AVX2 with the VEX-encoded vpdpbusd): the requantisation
 * of eight lanes in registers, the store of up to eight bytes, and the
 * GEMM's loop over blocks of channels.
 * Compiled for AVX2 whatever the build's target; internal to hw/int8's
 * dot_avx*.c, which run them only on a CPU that has it.
 */
#ifndef ENPU_DOT_AVX2_H
#define ENPU_DOT_AVX2_H

#include <immintrin.h>
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_requant.h"

#define AVX2 __attribute__((target("avx2")))

/* Eight lanes of a requantisation table, in registers. */
struct enpu_rq8 {
	__m256i bias, mult, mult_odd, left, right, mask, thr;
	__m128i zp, lo, hi;
	int any_left;
};

/* Lanes j .. j + 7 of table @t. */
static inline AVX2 void enpu_rq8_load(struct enpu_rq8 *v, const struct enpu_rq_table *t, int j)
{
	const __m256i shift = _mm256_loadu_si256((const __m256i *)(t->shift + j));
	const __m256i zero = _mm256_setzero_si256();

	v->bias = _mm256_loadu_si256((const __m256i *)(t->bias + j));
	v->mult = _mm256_loadu_si256((const __m256i *)(t->mult + j));
	v->mult_odd = _mm256_srli_epi64(v->mult, 32);
	v->left = _mm256_max_epi32(shift, zero);
	v->right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
	v->mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), v->right),
				   _mm256_set1_epi32(1));
	v->thr = _mm256_srli_epi32(v->mask, 1);
	v->any_left = t->any_left;
	v->zp = _mm_set1_epi16((int16_t)t->out_zp);
	v->lo = _mm_set1_epi16((int16_t)t->act_min);
	v->hi = _mm_set1_epi16((int16_t)t->act_max);
}

/*
 * enpu_rq_one() of enpu_requant.h on eight lanes, as dot_avx512.c's rq16
 * does it: SRDHM is floor((x * M + 2^30) / 2^31) from signed 32 x 32 ->
 * 64-bit products; AVX2 has no 64-bit arithmetic shift, but the result's
 * 32 bits are bits 31 to 62 of the sum, which a logical shift gives
 * alike. RDBPOT rounds ties away from zero with per-lane shifts. Returns
 * eight int8 in the low half.
 */
static inline AVX2 __m128i enpu_rq8(const struct enpu_rq8 *v, __m256i acc)
{
	const __m256i round = _mm256_set1_epi64x(1 << 30);
	__m256i x = _mm256_add_epi32(acc, v->bias), even, odd, q, thr, up;
	__m128i y;

	if (v->any_left)
		x = _mm256_sllv_epi32(x, v->left);
	/* bits 31 to 62: the even lanes' shifted down, the odd lanes' up to the high half */
	even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, v->mult), round), 31);
	odd = _mm256_slli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32),
								   v->mult_odd),
						 round), 1);
	x = _mm256_blend_epi32(even, odd, 0xaa);
	q = _mm256_srav_epi32(x, v->right);
	thr = _mm256_sub_epi32(v->thr, _mm256_srai_epi32(x, 31));
	up = _mm256_cmpgt_epi32(_mm256_and_si256(x, v->mask), thr);
	q = _mm256_sub_epi32(q, up);
	/* int32 -> int16 saturating, + zp saturating, clamp, -> int8 saturating */
	y = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
	y = _mm_adds_epi16(y, v->zp);
	y = _mm_min_epi16(_mm_max_epi16(y, v->lo), v->hi);
	return _mm_packs_epi16(y, y);
}

/* The first @n (at most 8) bytes of @v's low half to @dst. */
static inline AVX2 void enpu_store8(int8_t *dst, __m128i v, int n)
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
 * A block routine of an AVX2-class GEMM: @rows (1 to ENPU_GEMM_CALL_ROWS) rows
 * x[] against one block of sixteen channels (packed by enpu_gemm_pack():
 * group g's 64 bytes at w + g * @step), requantised with @v's two halves,
 * the first @nch stored.
 */
typedef void enpu_avx2_block_fn(const uint8_t *const x[], int rows, const int8_t *w,
				size_t step, size_t k4, const struct enpu_rq8 v[2], int nch,
				int8_t *out, size_t out_stride);

/*
 * enpu_dot_ops.gemm_u8 of an AVX2-class variant: each block's weights,
 * table lanes (loaded once, for all its rows) and outputs, to @block.
 */
static inline AVX2 __attribute__((always_inline)) void
enpu_avx2_gemm(enpu_avx2_block_fn *block, const uint8_t *const x[], int rows,
	       const int8_t *w, size_t k4, int nblk, const struct enpu_rq_table *rq, int j,
	       int nch, int8_t *out, size_t out_stride)
{
	const size_t step = enpu_gemm_step(nblk);

	for (int b = 0; b < nblk; b++) {
		const int c = ENPU_GEMM_BLOCK * b;
		struct enpu_rq8 v[2];

		enpu_rq8_load(&v[0], rq, j + c);
		enpu_rq8_load(&v[1], rq, j + c + 8);
		block(x, rows, w + b * ENPU_GEMM_GROUP, step, k4, v, nch - c, out + c, out_stride);
	}
}

#endif /* ENPU_DOT_AVX2_H */
