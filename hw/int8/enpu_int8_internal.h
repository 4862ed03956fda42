/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by the INT8 kernels: parameter validation and
 * overflow-checked size arithmetic. Not part of the public API.
 */
#ifndef ENPU_INT8_INTERNAL_H
#define ENPU_INT8_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "enpu_int8.h"

/* r = a * b, -EINVAL on size_t overflow. */
static inline int enpu_mul_size(size_t a, size_t b, size_t *r)
{
	if (a != 0 && b > SIZE_MAX / a)
		return -EINVAL;
	*r = a * b;
	return 0;
}

/* @n rounded up to a whole number of cache lines (64 bytes). */
static inline size_t enpu_lines(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/*
 * @n bytes on a cache line's boundary, for free(): the kernels load
 * weights 64 bytes at a time, and a load that straddles two lines costs
 * two (malloc's 16-byte alignment halved the GEMM's vpdpbusd rate).
 */
static inline void *enpu_alloc_lines(size_t n)
{
	return aligned_alloc(64, enpu_lines(n ? n : 1));
}

/* The most scratch a thread keeps between kernel calls (scratch.c). */
#define ENPU_SCRATCH_KEEP	(256 * 1024)

/*
 * @n bytes on cache lines for one kernel call (scratch.c): this thread's
 * kept buffer when @n is at most ENPU_SCRATCH_KEEP, else allocated; NULL
 * without memory. Handed back by enpu_scratch_put() when the call ends.
 */
void *enpu_scratch_get(size_t n);
void enpu_scratch_put(void *p);
/* Bytes of scratch kept by the threads alive, all together. */
size_t enpu_scratch_kept(void);

static inline int enpu_dim_ok(int32_t d)
{
	return d >= 1 && d <= ENPU_MAX_DIM;
}

/* A buffer of len elements able to hold need elements. */
static inline int enpu_check_buf(const void *buf, size_t len, size_t need)
{
	return buf && len >= need ? 0 : -EINVAL;
}

static inline int enpu_check_zp(int32_t zp)
{
	return zp >= -128 && zp <= 127 ? 0 : -EINVAL;
}

static inline int enpu_check_act(int32_t act_min, int32_t act_max)
{
	return act_min >= -128 && act_max <= 127 && act_min <= act_max ?
	       0 : -EINVAL;
}

/* An int16 activation range (the 16x8 kernels). */
static inline int enpu_check_act_i16(int32_t act_min, int32_t act_max)
{
	return act_min >= INT16_MIN && act_max <= INT16_MAX &&
	       act_min <= act_max ? 0 : -EINVAL;
}

/*
 * Shifts TFLite's int64 MultiplyByQuantizedMultiplier accepts (at most 7,
 * see enpu_mbqm64()), on top of enpu_check_quant_array().
 */
static inline int enpu_check_shifts_mbqm64(const int32_t *shifts, size_t num)
{
	for (size_t i = 0; i < num; i++)
		if (shifts[i] > 7)
			return -EINVAL;
	return 0;
}

static inline int enpu_check_multiplier(int32_t multiplier, int32_t shift)
{
	return multiplier >= 0 && shift >= -31 && shift <= 31 ? 0 : -EINVAL;
}

/* Whether a kernel's cancel flag (enpu_int8.h) is set. */
static inline int enpu_cancelled(const atomic_int *cancel)
{
	return cancel && atomic_load_explicit(cancel, memory_order_relaxed);
}

/*
 * QuantizeMultiplierSmallerThanOneExp: QuantizeMultiplier for a real
 * multiplier in (0, 1); -EINVAL outside it, or when rounding would need a
 * shift > 0 (TFLite CHECK-fails on both).
 */
int enpu_quantize_multiplier_below_one(double real, int32_t *multiplier,
				       int32_t *shift);

/* Element count of an NHWC shape (all dims validated). */
int enpu_nhwc_count(const struct enpu_nhwc *s, size_t *count);

/* num per-channel multipliers/shifts, all valid. */
int enpu_check_quant_array(const int32_t *multipliers, const int32_t *shifts,
			   size_t num);

/*
 * One spatial axis of a windowed op: in, out, k, stride, dilation in
 * [1, ENPU_MAX_DIM], pad in [0, ENPU_MAX_DIM], and the furthest input
 * coordinate (out - 1) * stride + (k - 1) * dilation small enough that
 * all coordinate arithmetic fits comfortably in int32.
 */
int enpu_check_window(int32_t in, int32_t out, int32_t k, int32_t stride,
		      int32_t dilation, int32_t pad);

/*
 * Element counts of a weighted kernel's tensors (CONV_2D, DEPTHWISE_CONV_2D,
 * TRANSPOSE_CONV, FULLY_CONNECTED; int8 or 16x8): input, filter, output,
 * and the bias values it needs (one per output channel).
 */
struct enpu_wcounts {
	size_t in, filter, out, bias;
};

/* Valid NHWC input, filter and output shapes: 0 with their counts in *n. */
int enpu_nhwc_wcounts(const struct enpu_nhwc *input,
		      const struct enpu_nhwc *filter,
		      const struct enpu_nhwc *output, struct enpu_wcounts *n);

/*
 * As enpu_nhwc_wcounts(), and the shapes of an OHWI-filtered convolution
 * (CONV_2D, TRANSPOSE_CONV): filter [Cout, KH, KW, Cin] between input
 * [N, H, W, Cin] and output [N, OH, OW, Cout].
 */
int enpu_ohwi_wcounts(const struct enpu_nhwc *input,
		      const struct enpu_nhwc *filter,
		      const struct enpu_nhwc *output, struct enpu_wcounts *n);

/*
 * The shape, window and multiplier checks of a CONV_2D / FULLY_CONNECTED,
 * shared by the int8 and 16x8 kernels (which add their own zero point,
 * activation range and buffer checks): 0 with the element counts, or
 * -EINVAL.
 */
int enpu_conv2d_check(const struct enpu_conv2d_params *p, struct enpu_wcounts *n);
int enpu_fc_check(const struct enpu_fc_params *p, struct enpu_wcounts *n);

/* The zero points and activation range of an int8-in, int8-out kernel. */
static inline int enpu_check_io_i8(int32_t input_zero_point,
				   int32_t output_zero_point,
				   int32_t act_min, int32_t act_max)
{
	return enpu_check_zp(input_zero_point) ||
	       enpu_check_zp(output_zero_point) ||
	       enpu_check_act(act_min, act_max) ? -EINVAL : 0;
}

/*
 * A weighted kernel's buffers, in its arguments' order, against the counts
 * n: bias may be NULL (bias_len then ignored).
 */
static inline int enpu_check_wbufs(const struct enpu_wcounts *n,
				   const void *input, size_t input_len,
				   const void *filter, size_t filter_len,
				   const void *bias, size_t bias_len,
				   const void *output, size_t output_len)
{
	return enpu_check_buf(input, input_len, n->in) ||
	       enpu_check_buf(filter, filter_len, n->filter) ||
	       enpu_check_buf(output, output_len, n->out) ||
	       (bias && bias_len < n->bias) ? -EINVAL : 0;
}

/*
 * sum over i < n of w[i] * (x[i] + x_offset), in int64: the plain loops of
 * the weighted kernels' slow paths. A product fits int32 (|w| <= 128,
 * |x + x_offset| < 2^16); only the sum needs 64 bits.
 */
static inline int64_t enpu_sum_wx_i8(const int8_t *x, const int8_t *w,
				     size_t n, int32_t x_offset)
{
	int64_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += (int32_t)w[i] * (x[i] + x_offset);
	return acc;
}

/* As enpu_sum_wx_i8(), for int16 activations (the 16x8 kernels). */
static inline int64_t enpu_sum_wx_i16(const int16_t *x, const int8_t *w,
				      size_t n, int32_t x_offset)
{
	int64_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += (int32_t)w[i] * (x[i] + x_offset);
	return acc;
}

/*
 * One output pixel of a CONV_2D window walk: its batch and first output
 * element, the input coordinates of tap (0, 0) (may be negative: padding)
 * and the in-bounds taps [ky0, ky1) x [kx0, kx1) (see enpu_tap_range()).
 */
struct enpu_conv_pixel {
	int32_t b;
	size_t image;			/* index of batch b's first input */
	size_t out;			/* index of the pixel's first output */
	int32_t iy0, ix0;
	int32_t ky0, ky1, kx0, kx1;
};

/*
 * One output pixel's channels, reading p->cancel before each (a deep
 * filter's channel is up to kh x kw x cin MACs): 0, or -ECANCELED.
 */
typedef int (*enpu_conv_pixel_fn)(const struct enpu_conv2d_params *p,
				  const struct enpu_conv_pixel *px,
				  void *ctx);

/*
 * Call pixel() for every output pixel of a validated CONV_2D, in output
 * order, reading p->cancel before each: 0, or -ECANCELED (from it too).
 */
int enpu_conv2d_walk(const struct enpu_conv2d_params *p,
		     enpu_conv_pixel_fn pixel, void *ctx);

/*
 * The int64 sum over pixel px's in-bounds taps and input channels of
 * w[oc][ky][kx][ic] * (x[iy][ix][ic] + x_offset): the reference loop of a
 * CONV_2D, on px's batch image x, in8 for the int8 kernel or, when in8 is
 * NULL, in16 for the 16x8 one. Each kernel passes a constant NULL, so
 * once this is inlined the choice costs its per-channel loop nothing.
 */
static inline int64_t enpu_conv_window_sum(const struct enpu_conv2d_params *p,
					   const struct enpu_conv_pixel *px,
					   const int8_t *in8, const int16_t *in16,
					   int32_t x_offset, const int8_t *filter,
					   int32_t oc)
{
	const int32_t cin = p->input.c;
	const int32_t kh = p->filter.h, kw = p->filter.w;
	int64_t acc = 0;

	for (int32_t ky = px->ky0; ky < px->ky1; ky++) {
		const int32_t iy = px->iy0 + ky * p->dilation_h;

		for (int32_t kx = px->kx0; kx < px->kx1; kx++) {
			const int32_t ix = px->ix0 + kx * p->dilation_w;
			const size_t x_at = ((size_t)iy * p->input.w + ix) * cin;
			const int8_t *w = filter + (((size_t)oc * kh + ky) * kw + kx) * cin;

			acc += in8 ? enpu_sum_wx_i8(in8 + x_at, w, (size_t)cin, x_offset) :
				     enpu_sum_wx_i16(in16 + x_at, w, (size_t)cin, x_offset);
		}
	}
	return acc;
}

/*
 * First and one-past-last filter tap index whose input coordinate
 * origin + tap * dilation lies in [0, in_size).
 */
static inline void enpu_tap_range(int32_t origin, int32_t dilation,
				  int32_t taps, int32_t in_size,
				  int32_t *first, int32_t *end)
{
	int32_t lo = 0, hi = taps;

	if (origin < 0)
		lo = (-origin + dilation - 1) / dilation;
	if (origin + (int64_t)(taps - 1) * dilation >= in_size) {
		/* smallest t with origin + t * dilation >= in_size */
		const int64_t t = ((int64_t)in_size - origin + dilation - 1) /
				  dilation;
		hi = t < 0 ? 0 : (int32_t)t;
	}
	if (lo > hi)
		lo = hi;
	*first = lo;
	*end = hi;
}

/* int64 -> int32 keeping the low 32 bits (what int32 accumulation gives). */
static inline int32_t enpu_wrap_i64(int64_t v)
{
	return (int32_t)(uint32_t)(uint64_t)v;
}

/*
 * v + zero point, clamped to [act_min, act_max]. The addition saturates
 * (TFLite adds in int32; where that would overflow its behaviour is
 * undefined, here the clamp simply saturates).
 */
static inline int8_t enpu_out_i8(int32_t v, int32_t zero_point,
				 int32_t act_min, int32_t act_max)
{
	int64_t o = (int64_t)v + zero_point;

	o = o < act_min ? act_min : o;
	o = o > act_max ? act_max : o;
	return (int8_t)o;
}

/* An element-wise op's count (in [1, ENPU_MAX_ELEMS]) and its two buffers. */
static inline int enpu_check_unary(size_t count, const int8_t *input,
				   size_t input_len, const int8_t *output,
				   size_t output_len)
{
	return count >= 1 && count <= ENPU_MAX_ELEMS &&
	       !enpu_check_buf(input, input_len, count) &&
	       !enpu_check_buf(output, output_len, count) ? 0 : -EINVAL;
}

static inline int enpu_check_scale(float scale)
{
	return isfinite(scale) && scale > 0.0f ? 0 : -EINVAL;
}

/*
 * output[i] = fn(ctx, input[i]) for an element-wise int8 function. Past
 * 256 elements the function is tabulated once for every int8 value and
 * the table is applied: the same bytes, for a fraction of the work.
 */
static inline void enpu_map_i8(size_t count, const int8_t *input,
			       int8_t *output,
			       int8_t (*fn)(const void *ctx, int32_t x),
			       const void *ctx)
{
	if (count > 256) {
		int8_t table[256];

		for (int32_t v = -128; v <= 127; v++)
			table[(uint8_t)v] = fn(ctx, v);
		for (size_t i = 0; i < count; i++)
			output[i] = table[(uint8_t)input[i]];
		return;
	}
	for (size_t i = 0; i < count; i++)
		output[i] = fn(ctx, input[i]);
}

/*
 * x * 2^exponent, exponent in [0, 31], saturating to [INT32_MIN,
 * INT32_MAX] (gemmlowp SaturatingRoundingMultiplyByPOT / Rescale with a
 * positive exponent).
 */
static inline int32_t enpu_sat_shl(int32_t x, int exponent)
{
	const int32_t threshold =
		(int32_t)((INT64_C(1) << (31 - (exponent & 31))) - 1);

	if (x > threshold)
		return INT32_MAX;
	if (x < -threshold)
		return INT32_MIN;
	return enpu_wrap_shl(x, exponent);
}

/*
 * gemmlowp's fixed-point transcendental functions (fixedpoint.c), int32
 * raw values. Qi is a value with i integer bits and 31 - i fractional
 * bits; results are Q0.31. integer_bits is in [0, 28].
 */
/* exp(a) for a <= 0 in Q(integer_bits); exp(0) is INT32_MAX. */
int32_t enpu_fp_exp_on_negative_values(int32_t a, int integer_bits);
/* 1 / (1 + a) for a in [0, 1) in Q0. */
int32_t enpu_fp_one_over_one_plus_x(int32_t a);
/* (1 - a) / (1 + a) for a in [0, 1) in Q0. */
int32_t enpu_fp_one_minus_x_over_one_plus_x(int32_t a);
/* logistic(a) = 1 / (1 + exp(-a)), a in Q(integer_bits). */
int32_t enpu_fp_logistic(int32_t a, int integer_bits);
/* tanh(a), a in Q(integer_bits). */
int32_t enpu_fp_tanh(int32_t a, int integer_bits);

/* As enpu_out_i8(), for an int16 output (16x8 kernels, int16 ADD). */
static inline int16_t enpu_out_i16(int32_t v, int32_t zero_point,
				   int32_t act_min, int32_t act_max)
{
	int64_t o = (int64_t)v + zero_point;

	o = o < act_min ? act_min : o;
	o = o > act_max ? act_max : o;
	return (int16_t)o;
}

/* a + b in wrapping int64 (a bias added to an accumulator). */
static inline int64_t enpu_wrap_add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/*
 * The output stage of conv / depthwise / FC for one channel (the slow
 * paths; the fast ones use enpu_requant.h, which computes the same):
 * acc (+ bias) -> MultiplyByQuantizedMultiplier -> + output zero point ->
 * clamp to the activation range.
 */
static inline int8_t enpu_requant_one(int32_t acc, const int32_t *bias,
				      int32_t multiplier, int32_t shift,
				      int32_t output_zero_point,
				      int32_t act_min, int32_t act_max)
{
	if (bias)
		acc = enpu_wrap_add(acc, *bias);
	return enpu_out_i8(enpu_mbqm(acc, multiplier, shift),
			   output_zero_point, act_min, act_max);
}

/* ---- reductions over a set of axes (MEAN, SUM, REDUCE_MAX; reduce.c) ------ */

/*
 * The geometry of one reduction, worked in 4-D (leading dims of size 1,
 * never reduced). Output o reads the sub-box of the input spanned by the
 * reduced dims, the kept dims fixed at o's coordinates; outputs are the
 * kept dims in row-major order (keep_dims changes only the shape).
 */
struct enpu_reduction {
	int reduced[4];
	int32_t span[4];	/* dims of the sub-box: the dim, or 1 if kept */
	size_t istride[4];	/* input strides */
	size_t ostride[4];	/* output strides of the kept dims, 0 if reduced */
	size_t in_count, out_count;
	size_t n;		/* inputs per output */
};

/*
 * Validate input (rank 1..4) and axes (TFLite ResolveAxis: negative counts
 * from the end, repeats ignored, at most 64 entries; none reduces nothing)
 * and fill *r.
 */
int enpu_reduction_init(const struct enpu_shape *input, const int32_t *axes,
			size_t num_axes, struct enpu_reduction *r);

/*
 * TFLite QuantizedMeanOrSum on validated parameters: per output the int32
 * (wrapping) sum of its inputs, minus in_zp * n, requantized by
 * multiplier/shift -- with 1/n folded into the multiplier unless
 * compute_sum -- plus out_zp, saturated to int8.
 */
void enpu_reduction_mean_or_sum(const struct enpu_reduction *r,
				const int8_t *input, int8_t *output,
				int32_t input_zero_point,
				int32_t output_zero_point,
				int32_t multiplier, int32_t shift,
				int compute_sum);

/*
 * MEAN (compute_sum 0) or, with compute_sum, SUM, whose parameters map
 * one to one onto MEAN's: validate, then enpu_reduction_mean_or_sum().
 */
int enpu_mean_or_sum(const struct enpu_mean_params *p,
		     const int8_t *input, size_t input_len,
		     int8_t *output, size_t output_len, int compute_sum);

/* Maximum of each output's inputs, on validated parameters. */
void enpu_reduction_max(const struct enpu_reduction *r, const int8_t *input,
			int8_t *output);
/* ---- binary element-wise operators: TFLite's broadcast ------------------- */

/*
 * The walk of a binary element-wise operator over its output. Shapes are
 * right-aligned to 4-D; along each dimension the inputs are equal or one
 * of them is 1 (it repeats), and the output takes the larger size.
 * Dimensions of output size 1 are dropped and neighbours along which
 * each input repeats (or advances) alike are fused, so the walk is at most
 * 4 nested loops (at least one) and the innermost one steps each input by
 * 0 or 1 element.
 */
struct enpu_bcast {
	int32_t loops;			/* 1..4 */
	size_t size[ENPU_MAX_RANK];	/* outermost loop first */
	size_t step1[ENPU_MAX_RANK];	/* input elements per iteration, 0 = repeat */
	size_t step2[ENPU_MAX_RANK];
	size_t count1, count2, count_out;	/* elements of each tensor */
};

/*
 * Validate three shapes as a broadcast (the output's rank at least both
 * inputs', its dimensions exactly the broadcast ones) and plan the walk.
 * -EINVAL if any shape is invalid or they do not broadcast.
 */
int enpu_bcast_init(const struct enpu_shape *input1,
		    const struct enpu_shape *input2,
		    const struct enpu_shape *output, struct enpu_bcast *b);

/*
 * Walk the output in order, handing each run of the innermost loop to
 * row(), which computes out[i] = f(in1[i * step1], in2[i * step2]) for
 * i < n (steps 0 or 1; n <= 64 Ki). The cancel flag (may be NULL) is
 * read before every 64 Ki elements: once set, -ECANCELED with the output
 * partly written. Buffers must hold the counts of enpu_bcast_init().
 */
/* One row: n outputs from inputs stepping by step1/step2 elements (0: repeat). */
typedef void (*enpu_bcast_row_fn)(const void *params, const void *in1, size_t step1,
				  const void *in2, size_t step2, void *out, size_t n);

int enpu_bcast_run(const struct enpu_bcast *b, size_t esize, const void *input1,
		   const void *input2, void *output, enpu_bcast_row_fn row,
		   const void *params, const atomic_int *cancel);

/*
 * What every binary element-wise kernel checks first: its shapes as a
 * broadcast (planned into *b) and its buffers against b's counts.
 */
int enpu_bcast_check(const struct enpu_shape *in1, const struct enpu_shape *in2,
		     const struct enpu_shape *out, const void *input1,
		     size_t input1_len, const void *input2, size_t input2_len,
		     const void *output, size_t output_len, struct enpu_bcast *b);

/*
 * A quantized binary kernel's three zero points and activation range, all
 * within its type's [qmin, qmax] (ADD, SUB, MUL).
 */
static inline int enpu_check_binary_q(int32_t qmin, int32_t qmax,
				      int32_t input1_zero_point,
				      int32_t input2_zero_point,
				      int32_t output_zero_point,
				      int32_t act_min, int32_t act_max)
{
	return input1_zero_point < qmin || input1_zero_point > qmax ||
	       input2_zero_point < qmin || input2_zero_point > qmax ||
	       output_zero_point < qmin || output_zero_point > qmax ||
	       act_min < qmin || act_max > qmax || act_min > act_max ?
	       -EINVAL : 0;
}

/*
 * ADD's int8 kernel (add.c) or, with subtract, the same arithmetic on the
 * difference of the rescaled inputs: SUB, whose parameters are ADD's.
 */
int enpu_add_or_sub_i8(const struct enpu_add_params *p, int subtract,
		       const int8_t *input1, size_t input1_len,
		       const int8_t *input2, size_t input2_len,
		       int8_t *output, size_t output_len);

/* Runs a validated gather (enpu_movement.h): output in row-major order. */
void enpu_gather_run(const struct enpu_gather *g, const int8_t *input, int8_t *output);

struct enpu_rq_table;

/*
 * A layer's requantisation tables from its weights (gemm.c): how many
 * for @cout channels (one a ENPU_RQ_CHUNK); their filling for the layer
 * @k from each channel's weight sum, the input's zero point times it
 * taken from the bias; whether two layers' tables are the same.
 */
size_t enpu_rq_tables(int32_t cout);
void enpu_rq_fill(struct enpu_rq_table *rq, const int32_t *sums, int32_t cout,
		  const struct enpu_gemm_rq_key *k);
int enpu_rq_key_same(const struct enpu_gemm_rq_key *a, const struct enpu_gemm_rq_key *b);

#endif /* ENPU_INT8_INTERNAL_H */
