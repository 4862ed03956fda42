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

#include "enpu_int8.h"

/* r = a * b, -EINVAL on size_t overflow. */
static inline int enpu_mul_size(size_t a, size_t b, size_t *r)
{
	if (a != 0 && b > SIZE_MAX / a)
		return -EINVAL;
	*r = a * b;
	return 0;
}

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
 * The shape, window and multiplier checks of a CONV_2D / FULLY_CONNECTED,
 * shared by the int8 and 16x8 kernels (which add their own zero point,
 * activation range and buffer checks): 0 with the input, filter and
 * output element counts, or -EINVAL.
 */
int enpu_conv2d_check(const struct enpu_conv2d_params *p, size_t *in_count,
		      size_t *f_count, size_t *out_count);
int enpu_fc_check(const struct enpu_fc_params *p, size_t *in_count,
		  size_t *f_count, size_t *out_count);

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

typedef void (*enpu_conv_pixel_fn)(const struct enpu_conv2d_params *p,
				   const struct enpu_conv_pixel *px,
				   void *ctx);

/*
 * Call pixel() for every output pixel of a validated CONV_2D, in output
 * order, reading p->cancel before each: 0, or -ECANCELED.
 */
int enpu_conv2d_walk(const struct enpu_conv2d_params *p,
		     enpu_conv_pixel_fn pixel, void *ctx);

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

#endif /* ENPU_INT8_INTERNAL_H */
