/* SPDX-License-Identifier: MIT */
/*
 * Output stage of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED, four
 * channels at a time:
 *
 *   out = clamp(MBQM(acc + bias, M, shift) + out_zp, act_min, act_max)
 *
 * Per-channel constants are prepared once per block of ENPU_RQ_CHUNK
 * channels. With SSE2 the MultiplyByQuantizedMultiplier of four lanes is
 * done with 32x32->64 unsigned multiplies (pmuludq), which needs the
 * multiplier to be >= 0 (the kernels validate it):
 *
 *   - x << left: the low 32 bits of x * 2^left (wraps like TFLite's int32).
 *   - SRDHM(x, M): gemmlowp's nudge-then-truncate equals
 *     floor((x * M + 2^30) / 2^31). With P = |x| * M this is
 *     (P + 2^30) >> 31 for x >= 0 and -((P + 2^30 - 1) >> 31) for x < 0.
 *   - RDBPOT(t, e) rounds half away from zero, so it is symmetric:
 *     sign(t) * ((|t| + half) >> e) with half = 2^(e-1) (0 when e = 0);
 *     the per-lane shift is a multiply by 2^(31-e) and a shift by 31.
 *
 * The result plus the zero point is clamped with saturation (where TFLite's
 * int32 addition would overflow, which is undefined behaviour there, the
 * clamp saturates instead of wrapping). The scalar path computes the same.
 */
#ifndef ENPU_REQUANT_H
#define ENPU_REQUANT_H

#include <stdint.h>
#include <string.h>

#include "enpu_dot.h"
#include "enpu_quant.h"

#define ENPU_RQ_CHUNK	64

struct enpu_rq_table {
	/* on a cache line: the vector kernels load sixteen lanes at a time */
	_Alignas(64) int32_t bias[ENPU_RQ_CHUNK];
	int32_t mult[ENPU_RQ_CHUNK];
	int32_t shift[ENPU_RQ_CHUNK];
	uint32_t lpow[ENPU_RQ_CHUNK];	/* 2^left */
	uint32_t rpow[ENPU_RQ_CHUNK];	/* 2^(31 - right) */
	uint32_t half[ENPU_RQ_CHUNK];	/* right ? 2^(right - 1) : 0 */
	int any_left;			/* some channel has shift > 0 */
	int32_t out_zp, act_min, act_max;
};

/*
 * Constants of n (<= ENPU_RQ_CHUNK) channels. bias may be NULL; qstep is 1
 * for per-channel multipliers, 0 for one per-tensor multiplier.
 */
static inline void enpu_rq_prepare(struct enpu_rq_table *t, int n,
				   const int32_t *bias,
				   const int32_t *multipliers,
				   const int32_t *shifts, size_t qstep,
				   int32_t out_zp, int32_t act_min,
				   int32_t act_max)
{
	/* Fill whole groups of eight lanes (what the vector stores read). */
	const int lanes = (n + 7) & ~7;

	t->any_left = 0;
	for (int j = 0; j < lanes; j++) {
		/* Unused tail lanes repeat a harmless configuration. */
		const int valid = j < n;
		const int32_t s = valid ? shifts[j * qstep] : 0;
		const int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;

		t->bias[j] = valid && bias ? bias[j] : 0;
		t->mult[j] = valid ? multipliers[j * qstep] : 0;
		t->shift[j] = s;
		t->lpow[j] = UINT32_C(1) << left;
		t->rpow[j] = UINT32_C(1) << (31 - right);
		t->half[j] = right ? UINT32_C(1) << (right - 1) : 0;
		t->any_left |= left > 0;
	}
	t->out_zp = out_zp;
	t->act_min = act_min;
	t->act_max = act_max;
}

/* One channel, scalar (identical results to the vector path). */
static inline int8_t enpu_rq_one(const struct enpu_rq_table *t, int j,
				 int32_t acc)
{
	const int32_t v = enpu_mbqm(enpu_wrap_add(acc, t->bias[j]), t->mult[j],
				    t->shift[j]);
	int64_t o = (int64_t)v + t->out_zp;

	o = o < t->act_min ? t->act_min : o;
	o = o > t->act_max ? t->act_max : o;
	return (int8_t)o;
}

#ifdef ENPU_DOT_SSE2
/* Low 32 bits of the lane-wise products a * b (SSE2 has no pmulld). */
static inline __m128i enpu_mullo32(__m128i a, __m128i b)
{
	const __m128i even = _mm_mul_epu32(a, b);
	const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(a, 32),
					  _mm_srli_epi64(b, 32));

	return _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
				  _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
}

/*
 * Lane-wise (u * m + add) >> 31 for unsigned u, m, add < 2^32 whose result
 * fits in 32 bits (the 64-bit intermediate never overflows).
 */
static inline __m128i enpu_mulshr31(__m128i u, __m128i m, __m128i add)
{
	const __m128i lo32 = _mm_set_epi32(0, -1, 0, -1);
	__m128i even = _mm_mul_epu32(u, m);
	__m128i odd = _mm_mul_epu32(_mm_srli_epi64(u, 32), _mm_srli_epi64(m, 32));

	even = _mm_srli_epi64(_mm_add_epi64(even, _mm_and_si128(add, lo32)), 31);
	odd = _mm_srli_epi64(_mm_add_epi64(odd, _mm_srli_epi64(add, 32)), 31);
	/* results sit in the low dword of each 64-bit lane */
	return _mm_or_si128(even, _mm_slli_epi64(odd, 32));
}

/* MBQM of four lanes with the table's constants at j. */
static inline __m128i enpu_rq_mbqm4(const struct enpu_rq_table *t, int j,
				    __m128i x)
{
	const __m128i bias = _mm_loadu_si128((const __m128i *)(t->bias + j));
	const __m128i mult = _mm_loadu_si128((const __m128i *)(t->mult + j));
	const __m128i rpow = _mm_loadu_si128((const __m128i *)(t->rpow + j));
	const __m128i half = _mm_loadu_si128((const __m128i *)(t->half + j));
	const __m128i round = _mm_set1_epi32(1 << 30);
	__m128i s, a;

	x = _mm_add_epi32(x, bias);
	if (t->any_left)
		x = enpu_mullo32(x, _mm_loadu_si128((const __m128i *)(t->lpow + j)));
	/* SRDHM: |x| * M, + 2^30 (- 1 if x < 0), >> 31, sign restored. */
	s = _mm_srai_epi32(x, 31);
	a = _mm_sub_epi32(_mm_xor_si128(x, s), s);
	x = enpu_mulshr31(a, mult, _mm_add_epi32(round, s));
	x = _mm_sub_epi32(_mm_xor_si128(x, s), s);
	/* RDBPOT: sign(x) * ((|x| + half) >> right) */
	s = _mm_srai_epi32(x, 31);
	a = _mm_add_epi32(_mm_sub_epi32(_mm_xor_si128(x, s), s), half);
	x = enpu_mulshr31(a, rpow, _mm_setzero_si128());
	return _mm_sub_epi32(_mm_xor_si128(x, s), s);
}

/*
 * Eight lanes (lo = channels j..j+3, hi = j+4..j+7) to int8 with zero
 * point and clamp, saturating at every step: int32 -> int16 -> + zp ->
 * clamp -> int8.
 */
static inline __m128i enpu_rq_pack8(const struct enpu_rq_table *t,
				    __m128i lo, __m128i hi)
{
	__m128i v = _mm_adds_epi16(_mm_packs_epi32(lo, hi),
				   _mm_set1_epi16((int16_t)t->out_zp));

	v = _mm_max_epi16(v, _mm_set1_epi16((int16_t)t->act_min));
	v = _mm_min_epi16(v, _mm_set1_epi16((int16_t)t->act_max));
	return _mm_packs_epi16(v, v);
}
#endif

/* n (<= 4) channels starting at table index j: dst[i] for acc[i]. */
static inline void enpu_rq_store4(const struct enpu_rq_table *t, int j,
				  const int32_t *acc, int n, int8_t *dst)
{
#ifdef ENPU_DOT_SSE2
	if (n == 4) {
		const __m128i v = enpu_rq_mbqm4(t, j,
			_mm_loadu_si128((const __m128i *)acc));
		const int32_t packed = _mm_cvtsi128_si32(enpu_rq_pack8(t, v, v));

		memcpy(dst, &packed, 4);
		return;
	}
#endif
	for (int i = 0; i < n; i++)
		dst[i] = enpu_rq_one(t, j + i, acc[i]);
}

/* Eight channels starting at table index j (j + 8 <= ENPU_RQ_CHUNK). */
static inline void enpu_rq_store8(const struct enpu_rq_table *t, int j,
				  const int32_t *acc, int8_t *dst)
{
#ifdef ENPU_DOT_SSE2
	const __m128i lo = enpu_rq_mbqm4(t, j, _mm_loadu_si128((const __m128i *)acc));
	const __m128i hi = enpu_rq_mbqm4(t, j + 4,
					 _mm_loadu_si128((const __m128i *)(acc + 4)));

	_mm_storel_epi64((__m128i *)dst, enpu_rq_pack8(t, lo, hi));
#else
	for (int i = 0; i < 8; i++)
		dst[i] = enpu_rq_one(t, j + i, acc[i]);
#endif
}

#endif /* ENPU_REQUANT_H */
