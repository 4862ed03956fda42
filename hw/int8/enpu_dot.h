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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "hw/int8 assumes a little-endian CPU (enpu_u8_groups)"
#endif

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

/*
 * dst[i] = src[i] + 128 as an unsigned byte, for i < n: the activations of
 * the u8 x s8 dot products (gemm_u8 below). The offset of the input zero
 * point is not added here but subtracted from the sums (enpu_gemm.h).
 */
static inline void enpu_to_u8(uint8_t *dst, const int8_t *src, size_t n)
{
	size_t i = 0;
#ifdef ENPU_DOT_SSE2
	const __m128i flip = _mm_set1_epi8((char)0x80);

	for (; i + 16 <= n; i += 16)
		_mm_storeu_si128((__m128i *)(dst + i),
				 _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + i)), flip));
#endif
	for (; i < n; i++)
		dst[i] = (uint8_t)(src[i] + 128);
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
 * The dot-product kernels, in one variant per instruction set (dot_*.c),
 * the one in use chosen at run time (simd.c, enpu_simd.h):
 *
 * dot_2x4: two patch rows x0, x1 (int16, padded with zeros to
 * enpu_dot_padded_len(len)) against four weight rows w[0..3] (int8, len
 * elements each, not padded): out[r * 4 + j] = dot(x_r, w_j).
 * dot_1x4: one patch row against four weight rows: out[j] = dot(x, w_j).
 *
 * Every variant computes the same exact integer sums.
 */
struct enpu_rq_table;

/* enpu_dot_ops.dw_run's modes, and the most taps it takes. */
#define ENPU_DW_BCAST		1
#define ENPU_DW_HALF		2
#define ENPU_DW_PAIR		4	/* with ENPU_DW_HALF alone: x_step is 8 */
#define ENPU_DW_RUN_TAPS	32

/*
 * The filters enpu_dot_ops.dw_rows takes: up to four taps a row (one
 * group of a dot-product instruction), up to eight rows.
 */
#define ENPU_DW_ROWS_KW		4
#define ENPU_DW_ROWS_KH		8

struct enpu_dot_ops {
	void (*dot_2x4)(const int16_t *x0, const int16_t *x1, const int8_t *const w[4],
			size_t len, int32_t out[8]);
	void (*dot_1x4)(const int16_t *x, const int8_t *const w[4], size_t len,
			int32_t out[4]);
	/*
	 * gemm_u8, NULL in a variant without a dot-product instruction
	 * of bytes (u8 x s8, or s8 x s8 with gemm_signed): @rows (1 to
	 * ENPU_GEMM_CALL_ROWS, done ENPU_GEMM_ROWS at a time) unsigned patch
	 * rows x[r], each k4 * 4 bytes,
	 * against @nblk (1 to ENPU_GEMM_BLOCKS) blocks of ENPU_GEMM_BLOCK
	 * output channels packed by enpu_gemm_pack(), one chunk (group g of
	 * block b at w + (g * nblk + b) * 64), requantised: channel c (c < @nch)
	 * of row r, sum over k of x[r][k] * weight[c][k] with
	 * table index j + c (enpu_requant.h), to out[r * out_stride + c].
	 */
	void (*gemm_u8)(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			int nblk, const struct enpu_rq_table *rq, int j, int nch, int8_t *out,
			size_t out_stride);
	/*
	 * gemv_u8, NULL in a variant without it (AVX-512 and AVX-VNNI
	 * have it): one
	 * unsigned row @x of k4 * 4 bytes against @nch (1 to
	 * ENPU_GEMM_MIN_CHANNELS - 1) channels packed narrow by
	 * enpu_gemm_pack() (channel c's k4 * 4 weights at
	 * w + c * enpu_gemv_stride(k4)),
	 * requantised: channel c, sum over k of x[k] * weight[c][k], with
	 * table index c, to out[c]. Nothing past x[k4 * 4 - 1] is read.
	 */
	void (*gemv_u8)(const uint8_t *x, const int8_t *w, size_t k4, int nch,
			const struct enpu_rq_table *rq, int8_t *out);
	/*
	 * dw_widen, with dw_run: the weights of @n taps of sixteen lanes
	 * (@half: eight, twice), tap k's at w + k * w_step, widened into
	 * @wide (room for 32 int16 a tap) in the order the variant's
	 * dw_run reads them, and each lane's sum over the taps into
	 * sums[16].
	 */
	void (*dw_widen)(const int8_t *w, size_t w_step, int n, int half, int16_t *wide,
			 int32_t *sums);
	/*
	 * dw_run, NULL in a variant without one (AVX2 and AVX-512 have it):
	 * @rows x @cols output pixels of a depthwise conv over @n taps (at
	 * most ENPU_DW_RUN_TAPS), requantised, sixteen lanes a step. Lane l
	 * of pixel (r, c): out = rq(sum over k of x * wt), x read at
	 * x + r * y_step + c * x_step + tap[k] + l and wt tap k's lane l of
	 * @wide (the weights widened by dw_widen);
	 * written to out + r * out_row_step + c * out_step + l; its table
	 * index j + l (the input offset is the caller's, in the table's
	 * bias). Modes: ENPU_DW_BCAST reads one byte for every lane (the
	 * input channel of a depth multiplier of 16 or more); ENPU_DW_HALF
	 * takes eight lanes of two pixels of a row a step (lanes 8-15 are
	 * pixel c + 1's lanes 0-7, with lanes 0-7's weights and table index),
	 * each reading eight bytes, or one with ENPU_DW_BCAST too;
	 * ENPU_DW_HALF | ENPU_DW_PAIR when x_step is 8 (the pair's bytes are
	 * adjacent: read at once). With mode
	 * 0, @nblk blocks of sixteen lanes: block b's lane l is lane
	 * 16 * b + l (the next n widened taps its weights); other modes take
	 * one.
	 */
	void (*dw_run)(const int8_t *x, const size_t *tap, int n, size_t x_step, size_t y_step,
		       const int16_t *wide, int mode, int nblk, const struct enpu_rq_table *rq,
		       int j, int rows, int cols, int8_t *out, size_t out_step,
		       size_t out_row_step);
	/*
	 * dw_spread and dw_rows, NULL in a variant without them (AVX-512
	 * VNNI has them): a depthwise conv of up to ENPU_DW_ROWS_KW taps a
	 * filter row as one unsigned-by-signed dot product of four bytes
	 * (u8 x s8) a lane and filter row.
	 *
	 * dw_spread lays out the inputs of one filter row, unsigned bytes
	 * (enpu_to_u8()): @npx columns of @nb chunks of sixteen lanes, chunk
	 * (px, b) at dst + (px * nb + b) * 64, its lane l's four bytes those
	 * at src + px * xs + b * 16 + l + t * tap_step for the taps t <
	 * @kw, and zeros past kw; in a variant with gemm_signed, flipped back
	 * to signed (dw_rows then sums signed by signed).
	 *
	 * dw_spread8 does it for a layer of one input channel and eight
	 * output channels (a depth multiplier of 8), whose eight lanes of a
	 * pixel read the same bytes: chunk px at dst + px * 64, lanes 0-7's
	 * bytes those at src + 2 * px * s + t for t < @kw, lanes 8-15's at
	 * src + (2 * px + 1) * s + t, zeros past kw (four bytes read from
	 * each; with gemm_signed, flipped back as dw_spread's).
	 *
	 * dw_rows: @rows output rows of @chunks chunks of sixteen lanes (a
	 * multiple of @nb), row r's chunk i the sum over filter rows ky <
	 * @kh (at most ENPU_DW_ROWS_KH) of the dot products of the spread
	 * chunk at e + r * e_oy + ky * e_ky + i * 64 with the weights of
	 * block b = i % nb for ky, at w + (b * kh + ky) * 64 (lane l's four
	 * weights of the taps, zeros past kw), requantised with table lanes
	 * rq[b * 16 / ENPU_RQ_CHUNK] from b * 16 % ENPU_RQ_CHUNK (with
	 * @half: lanes 0-7 twice, and nb is 1), written to out + r * out_row
	 * + i * 16, but for the bytes at or past @row_bytes (a last chunk of
	 * @half: eight bytes).
	 */
	void (*dw_spread)(uint8_t *dst, const uint8_t *src, size_t tap_step, int kw, int npx,
			  int nb, size_t xs);
	void (*dw_spread8)(uint8_t *dst, const uint8_t *src, int kw, int npx, size_t s);
	void (*dw_rows)(const uint8_t *e, size_t e_oy, size_t e_ky, int kh, const int8_t *w,
			int nb, const struct enpu_rq_table *rq, int half, int rows, int chunks,
			int8_t *out, size_t out_row, size_t row_bytes);
	/*
	 * rq_store16, NULL in a variant without sixteen-lane integer
	 * vectors: enpu_rq_store8() (enpu_requant.h) of sixteen channels,
	 * table index j (j + 16 <= ENPU_RQ_CHUNK), the same bytes: the
	 * requantisation gemm_u8 and dw_run do in registers, on its own for
	 * int8_unit_test to compare with the scalar one.
	 */
	void (*rq_store16)(const struct enpu_rq_table *t, int j, const int32_t *acc,
			   int8_t *dst);
	/*
	 * to_u8, NULL in a variant without vectors wider than SSE2's:
	 * enpu_to_u8() of @n bytes, then zeros up to the next multiple of
	 * four (a GEMM row of enpu_gemm_k4(n) groups). Stores as wide as the
	 * kernels' loads of the row, which then take the bytes straight
	 * from the stores.
	 */
	void (*to_u8)(uint8_t *dst, const int8_t *src, size_t n);
	/*
	 * gemm_signed: gemm_u8 sums (x[r][k] - 128) * weight[c][k] instead
	 * (a signed-by-signed dot product: the rows' bytes flipped back).
	 */
	int gemm_signed;
};

/* The variant in use (enpu_simd_use() changes it). */
const struct enpu_dot_ops *enpu_dot_ops(void);

/*
 * Bytes i .. n - 1 of a GEMM row (i a multiple of four) as enpu_to_u8()
 * makes them, four a store, the last group's bytes past n zero: a
 * kernel's four-byte load of a group then takes it straight from its
 * store (from several narrower stores, or a masked one, it waits for
 * them to reach the cache).
 */
static inline void enpu_u8_groups(uint8_t *dst, const int8_t *src, size_t i, size_t n)
{
	uint32_t g;

	for (; i + 4 <= n; i += 4) {
		memcpy(&g, src + i, 4);
		g ^= 0x80808080u;
		memcpy(dst + i, &g, 4);
	}
	if (i == n)
		return;
	/* the last bytes gathered in a register (x86-64 and arm64 are little-endian) */
	g = 0;
	for (size_t k = 0; i + k < n; k++)
		g |= (uint32_t)(uint8_t)(src[i + k] + 128) << (8 * k);
	memcpy(dst + i, &g, 4);
}

/* enpu_dot_ops.to_u8 of @ops, or what it does where @ops has none. */
static inline void enpu_row_u8(const struct enpu_dot_ops *ops, uint8_t *dst,
			       const int8_t *src, size_t n)
{
	if (ops->to_u8) {
		ops->to_u8(dst, src, n);
		return;
	}
	enpu_to_u8(dst, src, n & ~(size_t)15);
	enpu_u8_groups(dst, src, n & ~(size_t)15, n);
}

/*
 * enpu_dot_ops.dw_run named @NAME, compiled for @ATTR (a target
 * attribute, or nothing), from the variant's always-inline @BODY(x, tap,
 * n, x_step, y_step, wide, mode, nblk, rq, j, rows, cols, out, out_step,
 * out_row_step): specialised by mode, and for 3 x 3 filters by their tap
 * count, so that the tap loop is unrolled, without a branch, its offsets
 * in registers.
 */
#define ENPU_DW_RUN_MODE(NAME, ATTR, BODY, m)					\
	static ATTR void NAME##_mode##m(const int8_t *x, const size_t *tap, int n,	\
					size_t x_step, size_t y_step,		\
					const int16_t *wide, int nblk,		\
					const struct enpu_rq_table *rq, int j,	\
					int rows, int cols, int8_t *out,	\
					size_t out_step, size_t out_row_step)	\
	{									\
		if (n == 9)							\
			BODY(x, tap, 9, x_step, y_step, wide, m, nblk, rq, j, rows, \
			     cols, out, out_step, out_row_step);		\
		else								\
			BODY(x, tap, n, x_step, y_step, wide, m, nblk, rq, j, rows, \
			     cols, out, out_step, out_row_step);		\
	}

/*
 * Sets of accumulators a gemv_u8 body of @nch channels keeps for about
 * @chains independent chains of dependent dot-product instructions (with
 * fewer, the loop waits on the instruction's latency).
 */
#define ENPU_GEMV_SETS(nch, chains)	(((chains) + (nch) - 1) / (nch))

/*
 * enpu_dot_ops.gemv_u8 named @NAME (extern when @LINKAGE is empty), compiled
 * for @ATTR, from the variant's always-inline @BODY(x, w, k4, rq, out, nch)
 * with a constant nch, so that its loops over channels and sets unroll.
 */
#define ENPU_GEMV(LINKAGE, NAME, ATTR, BODY)					\
	LINKAGE ATTR void NAME(const uint8_t *x, const int8_t *w, size_t k4, int nch, \
			       const struct enpu_rq_table *rq, int8_t *out)	\
	{									\
		switch (nch) {							\
		case 1: BODY(x, w, k4, rq, out, 1); break;			\
		case 2: BODY(x, w, k4, rq, out, 2); break;			\
		case 3: BODY(x, w, k4, rq, out, 3); break;			\
		case 4: BODY(x, w, k4, rq, out, 4); break;			\
		case 5: BODY(x, w, k4, rq, out, 5); break;			\
		case 6: BODY(x, w, k4, rq, out, 6); break;			\
		default: BODY(x, w, k4, rq, out, 7); break;			\
		}								\
	}

/*
 * enpu_dot_ops.dw_spread named @NAME (extern when @LINKAGE is empty),
 * compiled for @ATTR, from the variant's always-inline @BODY(dst, src,
 * tap_step, kw, npx, nb, xs) with a constant kw, so that its loop over the
 * taps unrolls.
 */
#define ENPU_DW_SPREAD(LINKAGE, NAME, ATTR, BODY)				\
	LINKAGE ATTR void NAME(uint8_t *dst, const uint8_t *src, size_t tap_step, int kw, \
			       int npx, int nb, size_t xs)			\
	{									\
		switch (kw) {							\
		case 1: BODY(dst, src, tap_step, 1, npx, nb, xs); break;	\
		case 2: BODY(dst, src, tap_step, 2, npx, nb, xs); break;	\
		case 3: BODY(dst, src, tap_step, 3, npx, nb, xs); break;	\
		default: BODY(dst, src, tap_step, 4, npx, nb, xs); break;	\
		}								\
	}

/*
 * enpu_dot_ops.dw_rows named @NAME (extern when @LINKAGE is empty),
 * compiled for @ATTR, from the variant's always-inline @BODY(e, e_oy, e_ky,
 * kh, w, nb, rq, half, rows, chunks, out, out_row, row_bytes), with kh
 * constant for 3 x 3 filters, so that its loops over the filter rows
 * unroll and their weights stay in registers.
 */
#define ENPU_DW_ROWS(LINKAGE, NAME, ATTR, BODY)					\
	LINKAGE ATTR void NAME(const uint8_t *e, size_t e_oy, size_t e_ky, int kh,	\
			       const int8_t *w, int nb, const struct enpu_rq_table *rq, \
			       int half, int rows, int chunks, int8_t *out,	\
			       size_t out_row, size_t row_bytes)		\
	{									\
		if (kh == 3)							\
			BODY(e, e_oy, e_ky, 3, w, nb, rq, half, rows, chunks, out, \
			     out_row, row_bytes);				\
		else								\
			BODY(e, e_oy, e_ky, kh, w, nb, rq, half, rows, chunks, out, \
			     out_row, row_bytes);				\
	}

#define ENPU_DW_RUN_ARGS \
	x, tap, n, x_step, y_step, wide, nblk, rq, j, rows, cols, out, out_step, out_row_step

#define ENPU_DW_RUN(NAME, ATTR, BODY)						\
	ENPU_DW_RUN_MODE(NAME, ATTR, BODY, 0)					\
	ENPU_DW_RUN_MODE(NAME, ATTR, BODY, 1)					\
	ENPU_DW_RUN_MODE(NAME, ATTR, BODY, 2)					\
	ENPU_DW_RUN_MODE(NAME, ATTR, BODY, 3)					\
	ENPU_DW_RUN_MODE(NAME, ATTR, BODY, 6)					\
	static ATTR void NAME(const int8_t *x, const size_t *tap, int n, size_t x_step, \
			      size_t y_step, const int16_t *wide, int mode, int nblk, \
			      const struct enpu_rq_table *rq, int j, int rows,	\
			      int cols, int8_t *out, size_t out_step,		\
			      size_t out_row_step)				\
	{									\
		switch (mode) {							\
		case 0:								\
			NAME##_mode0(ENPU_DW_RUN_ARGS);				\
			break;							\
		case ENPU_DW_BCAST:						\
			NAME##_mode1(ENPU_DW_RUN_ARGS);				\
			break;							\
		case ENPU_DW_HALF:						\
			NAME##_mode2(ENPU_DW_RUN_ARGS);				\
			break;							\
		case ENPU_DW_HALF | ENPU_DW_PAIR:				\
			NAME##_mode6(ENPU_DW_RUN_ARGS);				\
			break;							\
		default:							\
			NAME##_mode3(ENPU_DW_RUN_ARGS);				\
			break;							\
		}								\
	}

#endif /* ENPU_DOT_H */
