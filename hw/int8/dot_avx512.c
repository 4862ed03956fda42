// SPDX-License-Identifier: MIT
/*
 * The dot-product kernels with AVX-512 VNNI: thirty-two elements a step
 * (the weights sign-extended with vpmovsxbw, vpdpwssd multiplying int16
 * pairs and adding them to the accumulators in one instruction, without
 * saturation), then SSE2's steps and tail; the unsigned-by-signed GEMM
 * of enpu_gemm.h with vpdpbusd; depthwise pixels sixteen lanes at a time,
 * requantised in registers; and the requantisation of sixteen channels. Compiled
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

/*
 * GCC 12's avx512fintrin.h gives the unmasked intrinsics an uninitialised
 * vector (__Y = __Y) as their pass-through; with -Winit-self (QEMU builds
 * this file so) every use warns.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Winit-self"
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

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

/* A requantisation table's sixteen lanes, in registers. */
struct rq16 {
	__m512i bias, left, mult, mult_odd, right, mask, thr;
	__m512i zp, lo, hi;	/* lo and hi: the activation's bounds less zp */
	int any_left;
};

/*
 * Lanes j .. j + 15 of table @t, or with @half lanes j .. j + 7 twice
 * (eight channels of two pixels).
 */
static inline AVX512 void rq16_load(struct rq16 *v, const struct enpu_rq_table *t, int j,
				    int half)
{
#define RQ16_LANES(a) (half ? _mm512_broadcast_i64x4(_mm256_loadu_si256( \
			(const __m256i *)((a) + j))) : _mm512_loadu_si512((const void *)((a) + j)))
	const __m512i shift = RQ16_LANES(t->shift);
	const __m512i zero = _mm512_setzero_si512();

	v->bias = RQ16_LANES(t->bias);
	v->mult = RQ16_LANES(t->mult);
#undef RQ16_LANES
	v->mult_odd = _mm512_srli_epi64(v->mult, 32);
	v->left = _mm512_max_epi32(shift, zero);
	v->right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
	v->mask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), v->right),
				   _mm512_set1_epi32(1));
	v->thr = _mm512_srli_epi32(v->mask, 1);
	v->any_left = t->any_left;
	v->zp = _mm512_set1_epi32(t->out_zp);
	v->lo = _mm512_set1_epi32(t->act_min - t->out_zp);
	v->hi = _mm512_set1_epi32(t->act_max - t->out_zp);
}

/*
 * enpu_rq_one() of enpu_requant.h on sixteen lanes, the same value by
 * other steps (int8_unit_test compares them on random tables):
 * SRDHM(x, M) is floor((x * M + 2^30) / 2^31) for every x (gemmlowp's
 * nudge-then-truncate comes to that), here with signed 32 x 32 -> 64-bit
 * products, the result's 32 bits being bits 31 to 62 of each sum; RDBPOT
 * is gemmlowp's own steps with per-lane shifts: (x >> e) + 1 where the
 * remainder is over half, or over half plus one for a negative x.
 */
static inline AVX512 __m128i rq16(const struct rq16 *v, __m512i acc)
{
	const __m512i round = _mm512_set1_epi64(1 << 30);
	__m512i x = _mm512_add_epi32(acc, v->bias), even, odd, q, thr;
	__mmask16 up;

	if (v->any_left)
		x = _mm512_sllv_epi32(x, v->left);
	/* bits 31 to 62: the even lanes' shifted down, the odd lanes' up to the high half */
	even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, v->mult), round), 31);
	odd = _mm512_slli_epi64(_mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32),
								   v->mult_odd), round), 1);
	x = _mm512_mask_blend_epi32(0xaaaa, even, odd);
	q = _mm512_srav_epi32(x, v->right);
	thr = _mm512_sub_epi32(v->thr, _mm512_srai_epi32(x, 31));
	up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(x, v->mask), thr);
	q = _mm512_mask_sub_epi32(q, up, q, _mm512_set1_epi32(-1));
	/*
	 * clamp(q + zp, act_min, act_max) as clamp(q, act_min - zp, act_max -
	 * zp) + zp, which cannot overflow; the bytes then in range, truncated
	 */
	q = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(q, v->lo), v->hi), v->zp);
	return _mm512_cvtepi32_epi8(q);
}

/*
 * Independent chains of vpdpbusd a gemm_body keeps: a row against a block
 * is one chain, and with too few the loop waits on vpdpbusd's latency (a
 * one-row FC of sixteen channels ran at a fifth of the throughput), so the
 * groups of four taps are dealt round-robin to sets of accumulators, added
 * up at the end: the same integer sums. Sixteen chains where four or more
 * rows and blocks share each group's loads (a one-row FC of 64 channels:
 * 12% faster than with eight), eight where fewer do (adding up sixteen
 * sets costs a small layer more than it saves), none added where twelve
 * already are (more would not stay in registers).
 */
#define GEMM_CHAINS		16
#define GEMM_SETS(ROWS, NBLK)	((ROWS) * (NBLK) >= 12 ? 1 : (ROWS) * (NBLK) >= 4 ? \
				 (16 + (ROWS) * (NBLK) - 1) / ((ROWS) * (NBLK)) : \
				 (8 + (ROWS) * (NBLK) - 1) / ((ROWS) * (NBLK)))

/*
 * @ROWS patch rows against @NBLK blocks of sixteen channels: per group of
 * four taps, each row's four bytes broadcast to every lane, one vpdpbusd
 * per row and block (enpu_gemm.h), into GEMM_SETS() sets of accumulators;
 * then each block's table lanes loaded once (or taken from @pre, loaded
 * by the caller for all its steps of one block) and its rows requantised
 * in registers and stored, the last block's past @nch masked off.
 * Constant ROWS and NBLK unroll it.
 */
static inline __attribute__((always_inline)) AVX512 void
gemm_body(const uint8_t *const x[], const int8_t *w, size_t k4,
	  const struct enpu_rq_table *rq, int j, int nch, int8_t *out, size_t out_stride,
	  const struct rq16 *pre, const int ROWS, const int NBLK)
{
	const size_t step = enpu_gemm_step(NBLK);
	const int SETS = GEMM_SETS(ROWS, NBLK);
	__m512i a[GEMM_CHAINS + ENPU_GEMM_ROWS * ENPU_GEMM_BLOCKS];
	struct rq16 v;
	size_t g = 0;
	int r, b, s;

#define ACC(s, r, b) a[((s) * ROWS + (r)) * NBLK + (b)]
#pragma GCC unroll 16
	for (s = 0; s < SETS * ROWS * NBLK; s++)
		a[s] = _mm512_setzero_si512();
	/* group g + s into set s; what is left over into set 0 */
	for (;;) {
		const int sets = g + SETS <= k4 ? SETS : g < k4 ? 1 : 0;

		if (!sets)
			break;
#pragma GCC unroll 8
		for (s = 0; s < SETS; s++) {
			__m512i wv[ENPU_GEMM_BLOCKS];

			if (s >= sets)
				break;
#pragma GCC unroll 4
			for (b = 0; b < NBLK; b++)
				wv[b] = _mm512_loadu_si512((const void *)(w + (g + s) * step +
									  b * ENPU_GEMM_GROUP));
#pragma GCC unroll 4
			for (r = 0; r < ROWS; r++) {
				int32_t four;
				__m512i xv;

				memcpy(&four, x[r] + (g + s) * 4, 4);
				xv = _mm512_set1_epi32(four);
#pragma GCC unroll 4
				for (b = 0; b < NBLK; b++)
					ACC(s, r, b) = _mm512_dpbusd_epi32(ACC(s, r, b), xv, wv[b]);
			}
		}
		g += sets;
	}
	/* sets past 0 have groups only when every set got some */
	if (k4 >= (size_t)SETS)
#pragma GCC unroll 8
		for (s = 1; s < SETS; s++)
#pragma GCC unroll 4
			for (r = 0; r < ROWS; r++)
#pragma GCC unroll 4
				for (b = 0; b < NBLK; b++)
					ACC(0, r, b) = _mm512_add_epi32(ACC(0, r, b),
									ACC(s, r, b));
#pragma GCC unroll 4
	for (b = 0; b < NBLK; b++) {
		const int left = nch - 16 * b;
		const __mmask16 keep = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);

		if (pre)
			v = *pre;
		else
			rq16_load(&v, rq, j + 16 * b, 0);
#pragma GCC unroll 4
		for (r = 0; r < ROWS; r++)
			_mm_mask_storeu_epi8(out + r * out_stride + 16 * b, keep,
					     rq16(&v, ACC(0, r, b)));
	}
#undef ACC
}

#define GEMM_CASE(R, B)								\
	case (R) * 8 + (B):							\
		gemm_body(x, w, k4, rq, j, nch, out, out_stride, NULL, R, B);	\
		break

static AVX512 void gemm_u8_avx512(const uint8_t *const x[], int rows, const int8_t *w,
				  size_t k4, int nblk, const struct enpu_rq_table *rq, int j,
				  int nch, int8_t *out, size_t out_stride)
{
	/*
	 * One block: its table's lanes loaded once for all the steps (a
	 * pointwise conv of few input channels is mostly requantisation), in
	 * a loop of its own: made a case of the loop below, with one table
	 * loaded before it, person_detect's op02 took 22% longer.
	 */
	if (nblk == 1 && rows > ENPU_GEMM_ROWS) {
		struct rq16 v;

		rq16_load(&v, rq, j, 0);
		for (; rows >= ENPU_GEMM_ROWS; rows -= ENPU_GEMM_ROWS) {
			gemm_body(x, w, k4, rq, j, nch, out, out_stride, &v, 4, 1);
			x += ENPU_GEMM_ROWS;
			out += ENPU_GEMM_ROWS * out_stride;
		}
		if (!rows)
			return;
	}
	/* the other steps of four rows (two to four blocks), then the rest */
	for (; rows > ENPU_GEMM_ROWS; rows -= ENPU_GEMM_ROWS) {
		switch (nblk) {
		case 2:
			gemm_body(x, w, k4, rq, j, nch, out, out_stride, NULL, 4, 2);
			break;
		case 3:
			gemm_body(x, w, k4, rq, j, nch, out, out_stride, NULL, 4, 3);
			break;
		default:
			gemm_body(x, w, k4, rq, j, nch, out, out_stride, NULL, 4, 4);
			break;
		}
		x += ENPU_GEMM_ROWS;
		out += ENPU_GEMM_ROWS * out_stride;
	}
	switch (rows * 8 + nblk) {
	GEMM_CASE(1, 1); GEMM_CASE(1, 2); GEMM_CASE(1, 3); GEMM_CASE(1, 4);
	GEMM_CASE(2, 1); GEMM_CASE(2, 2); GEMM_CASE(2, 3); GEMM_CASE(2, 4);
	GEMM_CASE(3, 1); GEMM_CASE(3, 2); GEMM_CASE(3, 3); GEMM_CASE(3, 4);
	GEMM_CASE(4, 1); GEMM_CASE(4, 2); GEMM_CASE(4, 3);
	default:
		gemm_body(x, w, k4, rq, j, nch, out, out_stride, NULL, 4, 4);
		break;
	}
}
#undef GEMM_CASE

/*
 * enpu_dot_ops.gemv_u8 for a constant @NCH: 64 bytes of the row a step,
 * loaded once for every channel, each channel's 64 weights (as they lie:
 * one channel's consecutive taps, sixteen groups of four) multiplied
 * into its accumulator with one vpdpbusd, steps dealt round-robin to
 * ENPU_GEMV_SETS() sets; the last bytes masked. Then each channel's sixteen
 * lanes added up, and the channels requantised in registers.
 */
#define GEMV_CHAINS		8	/* GEMM_CHAINS' reason; sixteen gained nothing here */

static inline AVX512 __attribute__((always_inline)) void
gemv_body(const uint8_t *x, const int8_t *w, size_t k4, const struct enpu_rq_table *rq,
	  int8_t *out, const int NCH)
{
	const size_t len = k4 * 4, stride = enpu_gemv_stride(k4);
	const size_t sets = ENPU_GEMV_SETS(NCH, GEMV_CHAINS);
	__m512i acc[GEMV_CHAINS + ENPU_GEMM_MIN_CHANNELS];
	_Alignas(64) int32_t sum[16] = { 0 };
	struct rq16 v;
	size_t k = 0;

#pragma GCC unroll 16
	for (size_t a = 0; a < sets * NCH; a++)
		acc[a] = _mm512_setzero_si512();
	for (; k + 64 * sets <= len; k += 64 * sets) {
#pragma GCC unroll 8
		for (size_t s = 0; s < sets; s++) {
			const __m512i xv = _mm512_loadu_si512((const void *)(x + k + 64 * s));

#pragma GCC unroll 8
			for (int c = 0; c < NCH; c++)
				acc[s * NCH + c] = _mm512_dpbusd_epi32(
					acc[s * NCH + c], xv,
					_mm512_loadu_si512((const void *)(w + c * stride + k + 64 * s)));
		}
	}
	for (; k < len; k += 64) {
		const __mmask64 m = len - k >= 64 ? ~0ULL : (1ULL << (len - k)) - 1;
		const __m512i xv = _mm512_maskz_loadu_epi8(m, x + k);

#pragma GCC unroll 8
		for (int c = 0; c < NCH; c++)
			acc[c] = _mm512_dpbusd_epi32(acc[c], xv,
						     _mm512_maskz_loadu_epi8(m, w + c * stride + k));
	}
#pragma GCC unroll 8
	for (int c = 0; c < NCH; c++) {
#pragma GCC unroll 8
		for (size_t s = 1; s < sets; s++)
			acc[c] = _mm512_add_epi32(acc[c], acc[s * NCH + c]);
		sum[c] = _mm512_reduce_add_epi32(acc[c]);
	}
	rq16_load(&v, rq, 0, 0);
	_mm_mask_storeu_epi8(out, (__mmask16)((1u << NCH) - 1),
			     rq16(&v, _mm512_load_si512((const void *)sum)));
}

ENPU_GEMV(static, gemv_u8_avx512, AVX512, gemv_body)

/* enpu_dot_ops.to_u8: sixty-four bytes a store, then four (not one masked store). */
static AVX512 void to_u8_avx512(uint8_t *dst, const int8_t *src, size_t n)
{
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	size_t i = 0;

	for (; i + 64 <= n; i += 64)
		_mm512_storeu_si512((void *)(dst + i),
				    _mm512_xor_si512(_mm512_loadu_si512((const void *)(src + i)),
						     flip));
	enpu_u8_groups(dst, src, i, n);
}

static AVX512 void rq_store16_avx512(const struct enpu_rq_table *t, int j,
				     const int32_t *acc, int8_t *dst)
{
	struct rq16 v;

	rq16_load(&v, t, j, 0);
	_mm_storeu_si128((__m128i *)dst, rq16(&v, _mm512_loadu_si512((const void *)acc)));
}

/*
 * enpu_dot_ops.dw_widen: each tap's sixteen weights as int16 pairs (w, 0),
 * for a vpdpwssd against inputs sign-extended to 32 bits, whose high half
 * the 0 cancels.
 */
static AVX512 void dw_widen_avx512(const int8_t *w, size_t w_step, int n, int half,
				   int16_t *wide, int32_t *sums)
{
	__m512i sum = _mm512_setzero_si512();

	for (int k = 0; k < n; k++) {
		const int8_t *a = w + (size_t)k * w_step;
		__m128i wa;
		__m512i v;

		if (half) {
			wa = _mm_loadl_epi64((const __m128i *)a);
			wa = _mm_unpacklo_epi64(wa, wa);
		} else {
			wa = _mm_loadu_si128((const __m128i *)a);
		}
		v = _mm512_and_si512(_mm512_cvtepi8_epi32(wa), _mm512_set1_epi32(0xffff));
		_mm512_storeu_si512((void *)(wide + 32 * k), v);
		sum = _mm512_add_epi32(sum, _mm512_cvtepi8_epi32(wa));
	}
	_mm512_storeu_si512((void *)sums, sum);
}

/*
 * One vector's sums: pixel @p's lanes (and @q's, in ENPU_DW_HALF mode),
 * each tap's inputs sign-extended to 32 bits against its (w, 0) pairs:
 * one vpmovsxbd and one vpdpwssd a tap.
 */
static inline AVX512 __attribute__((always_inline)) __m512i
dw_sums(const int8_t *p, const int8_t *q, const size_t *tap, int n, const int16_t *wide,
	const int mode)
{
	/* three chains of dependent vpdpwssd, not one */
	__m512i acc[3] = { _mm512_setzero_si512(), _mm512_setzero_si512(),
			   _mm512_setzero_si512() };

#pragma GCC unroll 32
	for (int k = 0; k < n; k++)
		acc[k % 3] = _mm512_dpwssd_epi32(acc[k % 3],
						 _mm512_cvtepi8_epi32(enpu_dw_lanes(p + tap[k],
									       q + tap[k], mode)),
						 _mm512_loadu_si512((const void *)(wide + 32 * k)));
	return _mm512_add_epi32(_mm512_add_epi32(acc[0], acc[1]), acc[2]);
}

/*
 * Two vectors a step, so that two pixels' chains of dependent vpdpwssd
 * and requantisation steps overlap.
 */
static inline AVX512 __attribute__((always_inline)) void
dw_body(const int8_t *x, const size_t *tap, int n, size_t x_step, size_t y_step,
	const int16_t *wide, const int mode, int nblk, const struct enpu_rq_table *rq, int j,
	int rows, int cols, int8_t *out, size_t out_step, size_t out_row_step)
{
	const int per = mode & ENPU_DW_HALF ? 2 : 1;	/* pixels a vector */
	struct rq16 v;

	for (int b = 0; b < nblk; b++, wide += 32 * n, j += 16, x += 16, out += 16) {
		rq16_load(&v, rq, j, per == 2);
		for (int r = 0; r < rows; r++) {
			const int8_t *xr = x + (size_t)r * y_step;
			int8_t *o = out + (size_t)r * out_row_step;
			int c = 0;

			/* the second pixel of a pair, or the first again past the last */
#define DW_Q(c) ((c) + 1 < cols ? xr + (size_t)((c) + 1) * x_step : xr + (size_t)(c) * x_step)
			for (; c + 2 * per <= cols; c += 2 * per) {
				const __m512i a0 = dw_sums(xr + (size_t)c * x_step, DW_Q(c), tap, n,
							   wide, mode);
				const __m512i a1 = dw_sums(xr + (size_t)(c + per) * x_step,
							   DW_Q(c + per), tap, n, wide, mode);

				enpu_dw_store(rq16(&v, a0), o, c, cols, out_step, mode);
				enpu_dw_store(rq16(&v, a1), o, c + per, cols, out_step, mode);
			}
			/* a last pixel alone reads its own bytes only */
			for (; c < cols; c += per)
				enpu_dw_store(rq16(&v, dw_sums(xr + (size_t)c * x_step, DW_Q(c), tap, n,
							  wide, mode & ~ENPU_DW_PAIR)),
					 o, c, cols, out_step, mode);
#undef DW_Q
		}
	}
}

ENPU_DW_RUN(dw_run_avx512, AVX512, dw_body)

/*
 * enpu_dot_ops.dw_spread with @kw constant: tap t's sixteen bytes
 * zero-extended to the lanes' byte t, the taps ORed together.
 */
static inline AVX512 __attribute__((always_inline)) void
dw_spread_body(uint8_t *dst, const uint8_t *src, size_t tap_step, const int kw, int npx, int nb,
	       size_t xs)
{
	for (int px = 0; px < npx; px++) {
		for (int b = 0; b < nb; b++, dst += 64) {
			const uint8_t *a = src + (size_t)px * xs + (size_t)b * 16;
			__m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)a));

#pragma GCC unroll 4
			for (int t = 1; t < kw; t++)
				v = _mm512_or_si512(v, _mm512_slli_epi32(_mm512_cvtepu8_epi32(
					_mm_loadu_si128((const __m128i *)(a + (size_t)t * tap_step))),
									 8 * t));
			_mm512_storeu_si512((void *)dst, v);
		}
	}
}

ENPU_DW_SPREAD(static, dw_spread_avx512, AVX512, dw_spread_body)

/* enpu_dot_ops.dw_spread8: each pixel's four bytes broadcast to its eight lanes. */
static AVX512 void dw_spread8_avx512(uint8_t *dst, const uint8_t *src, int kw, int npx, size_t s)
{
	const __m512i keep = _mm512_set1_epi32((int)(0xffffffffu >> (8 * (4 - kw))));

	for (int px = 0; px < npx; px++, dst += 64) {
		uint32_t a, b;

		memcpy(&a, src + 2 * (size_t)px * s, 4);
		memcpy(&b, src + (2 * (size_t)px + 1) * s, 4);
		_mm512_storeu_si512((void *)dst,
				    _mm512_and_si512(_mm512_mask_set1_epi32(
					_mm512_set1_epi32((int)a), 0xff00, (int)b), keep));
	}
}

/* One chunk's sums of dw_rows: its filter rows' dot products, from @er. */
static inline AVX512 __attribute__((always_inline)) __m512i
dw_rows_sums(const uint8_t *er, size_t e_ky, const int kh, const __m512i *wk)
{
	__m512i acc = _mm512_setzero_si512();

#pragma GCC unroll 8
	for (int ky = 0; ky < kh; ky++)
		acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512((const void *)(er + (size_t)ky * e_ky)),
					  wk[ky]);
	return acc;
}

/* One chunk's bytes to @o: sixteen, or eight past @row_bytes (dw_rows). */
static inline AVX512 __attribute__((always_inline)) void
dw_rows_store(__m128i res, int8_t *o, size_t at, size_t row_bytes)
{
	if (at + 16 <= row_bytes)
		_mm_storeu_si128((__m128i *)(o + at), res);
	else
		_mm_storel_epi64((__m128i *)(o + at), res);
}

/*
 * enpu_dot_ops.dw_rows with @kh constant where the caller makes it so:
 * four chunks a step, whose chains of dot products and requantisation
 * steps are independent (one at a time, the loop waits on their latency).
 */
static inline AVX512 __attribute__((always_inline)) void
dw_rows_body(const uint8_t *e, size_t e_oy, size_t e_ky, const int kh, const int8_t *w, int nb,
	     const struct enpu_rq_table *rq, int half, int rows, int chunks, int8_t *out,
	     size_t out_row, size_t row_bytes)
{
	for (int b = 0; b < nb; b++) {
		__m512i wk[ENPU_DW_ROWS_KH];
		struct rq16 v;

#pragma GCC unroll 8
		for (int ky = 0; ky < kh; ky++)
			wk[ky] = _mm512_loadu_si512((const void *)(w + ((size_t)b * kh + ky) * 64));
		rq16_load(&v, rq + b * 16 / ENPU_RQ_CHUNK, b * 16 % ENPU_RQ_CHUNK, half);
		for (int r = 0; r < rows; r++) {
			const uint8_t *er = e + (size_t)r * e_oy;
			int8_t *o = out + (size_t)r * out_row;
			int i = b;

			for (; i + 3 * nb < chunks; i += 4 * nb) {
				const __m512i a0 = dw_rows_sums(er + (size_t)i * 64, e_ky, kh, wk);
				const __m512i a1 = dw_rows_sums(er + (size_t)(i + nb) * 64, e_ky, kh, wk);
				const __m512i a2 = dw_rows_sums(er + (size_t)(i + 2 * nb) * 64, e_ky, kh,
								wk);
				const __m512i a3 = dw_rows_sums(er + (size_t)(i + 3 * nb) * 64, e_ky, kh,
								wk);

				_mm_storeu_si128((__m128i *)(o + (size_t)i * 16), rq16(&v, a0));
				_mm_storeu_si128((__m128i *)(o + (size_t)(i + nb) * 16), rq16(&v, a1));
				_mm_storeu_si128((__m128i *)(o + (size_t)(i + 2 * nb) * 16),
						 rq16(&v, a2));
				dw_rows_store(rq16(&v, a3), o, (size_t)(i + 3 * nb) * 16, row_bytes);
			}
			for (; i < chunks; i += nb)
				dw_rows_store(rq16(&v, dw_rows_sums(er + (size_t)i * 64, e_ky, kh, wk)),
					      o, (size_t)i * 16, row_bytes);
		}
	}
}

ENPU_DW_ROWS(static, dw_rows_avx512, AVX512, dw_rows_body)

const struct enpu_dot_ops enpu_dot_avx512 = {
	.dot_2x4 = dot_2x4_avx512, .dot_1x4 = dot_1x4_avx512, .gemm_u8 = gemm_u8_avx512,
	.gemv_u8 = gemv_u8_avx512, .to_u8 = to_u8_avx512,
	.dw_widen = dw_widen_avx512, .dw_run = dw_run_avx512, .dw_spread = dw_spread_avx512,
	.dw_spread8 = dw_spread8_avx512, .dw_rows = dw_rows_avx512, .rq_store16 = rq_store16_avx512,
};
#endif
