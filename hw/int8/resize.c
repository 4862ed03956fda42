// SPDX-License-Identifier: MIT
/*
 * RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR, int8 NHWC (TFLite
 * reference_ops::ResizeNearestNeighbor and ResizeBilinearInteger). Both
 * keep the input's quantization: the first copies pixels, the second
 * interpolates raw values.
 */
#include <math.h>
#include <string.h>

#include "enpu_int8_internal.h"

/* Keeps ResizeBilinearInteger's int32 arithmetic (1024 * size) in range. */
#define RESIZE_MAX_HW	(1 << 20)

static int hw_ok(int32_t d)
{
	return d >= 1 && d <= RESIZE_MAX_HW;
}

int enpu_resize_output_shape(const struct enpu_resize_params *p,
			     struct enpu_nhwc *out)
{
	struct enpu_nhwc s;
	size_t count;

	if (!p || !out || enpu_nhwc_count(&p->input, &count) ||
	    !hw_ok(p->input.h) || !hw_ok(p->input.w) ||
	    !hw_ok(p->output_height) || !hw_ok(p->output_width))
		return -EINVAL;
	s = (struct enpu_nhwc){ p->input.n, p->output_height, p->output_width,
				p->input.c };
	if (enpu_nhwc_count(&s, &count))
		return -EINVAL;
	*out = s;
	return 0;
}

/* Validated shape and both buffers: the element counts in *in, *out. */
static int resize_check(const struct enpu_resize_params *p,
			const int8_t *input, size_t input_len,
			int8_t *output, size_t output_len,
			size_t *in_count, size_t *out_count)
{
	struct enpu_nhwc os;

	if (enpu_resize_output_shape(p, &os) ||
	    enpu_nhwc_count(&p->input, in_count) ||
	    enpu_nhwc_count(&os, out_count) ||
	    enpu_check_buf(input, input_len, *in_count) ||
	    enpu_check_buf(output, output_len, *out_count))
		return -EINVAL;
	return 0;
}

/* ---- nearest neighbour ------------------------------------------------------- */

/* GetNearestNeighbor's scale, in float as TFLite divides. */
static float nearest_scale(int32_t in, int32_t out, bool align)
{
	return align && out > 1 ? (float)(in - 1) / (float)(out - 1) :
				  (float)in / (float)out;
}

/*
 * TFLite's GetNearestNeighbor in float: the rounding of the scale decides
 * which pixel a tie goes to, so no exact arithmetic may replace it.
 */
static int32_t nearest(int32_t x, float scale, int32_t in, bool align,
		       bool half_pixel)
{
	const float v = ((float)x + (half_pixel ? 0.5f : 0.0f)) * scale;
	int32_t r = (int32_t)(align ? roundf(v) : floorf(v));

	if (r > in - 1)
		r = in - 1;
	if (half_pixel && r < 0)
		r = 0;
	return r;
}

int enpu_resize_nearest_source(const struct enpu_resize_params *p, int width, int32_t out,
				int32_t *in)
{
	const int32_t n_in = width ? p->input.w : p->input.h;
	const int32_t n_out = width ? p->output_width : p->output_height;

	if (!p || !in || out < 0 || out >= n_out || n_in < 1)
		return -EINVAL;
	*in = nearest(out, nearest_scale(n_in, n_out, p->align_corners), n_in,
		      p->align_corners, p->half_pixel_centers);
	return 0;
}

int enpu_resize_nearest_neighbor(const struct enpu_resize_params *p,
				 const int8_t *input, size_t input_len,
				 int8_t *output, size_t output_len)
{
	size_t in_count, out_count;

	if (resize_check(p, input, input_len, output, output_len, &in_count,
			 &out_count))
		return -EINVAL;

	const struct enpu_nhwc *is = &p->input;
	const bool ac = p->align_corners, hp = p->half_pixel_centers;
	const float sh = nearest_scale(is->h, p->output_height, ac);
	const float sw = nearest_scale(is->w, p->output_width, ac);
	const size_t depth = (size_t)is->c, row = (size_t)is->w * depth;
	int8_t *dst = output;

	for (int32_t b = 0; b < is->n; b++) {
		const int8_t *image = input + (size_t)b * is->h * row;

		for (int32_t y = 0; y < p->output_height; y++) {
			const int8_t *src_row = image +
				(size_t)nearest(y, sh, is->h, ac, hp) * row;

			for (int32_t x = 0; x < p->output_width; x++) {
				const int32_t sx = nearest(x, sw, is->w, ac, hp);

				memmove(dst, src_row + (size_t)sx * depth, depth);
				dst += depth;
			}
		}
	}
	return 0;
}

/* ---- bilinear, integer ------------------------------------------------------- */

/* Source pixels per output pixel, in 1/1024 units, rounded to nearest. */
static int32_t scale_10(int32_t in, int32_t out, bool align)
{
	if (align && out > 1)
		return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
	return ((1 << 10) * in + out / 2) / out;
}

/*
 * Source coordinate of output coordinate v in 1/1024 units and its two
 * neighbours (ComputeInterpolationValuesInteger). C's division truncates
 * toward zero as C++'s does: a coordinate just below 0 (half-pixel
 * centres) gives lower = upper = 0. lower is not clamped to in - 1; the
 * caller checks it.
 */
static void source_coord(int32_t v, int32_t scale, bool half_pixel,
			 int32_t in, int32_t *pos, int32_t *lower,
			 int32_t *upper)
{
	const int32_t s = half_pixel ? v * scale + scale / 2 - (1 << 9) :
			  v * scale;
	const int32_t lo = s / (1 << 10), hi = (s + (1 << 10) - 1) / (1 << 10);

	*pos = s;
	*lower = lo > 0 ? lo : 0;
	*upper = hi < in - 1 ? hi : in - 1;
}

/*
 * Output coordinate v's two source neighbours along one axis and their
 * weights in 1/1024 (w1 for i1, w0 = 1024 - w1 for i0): the same for
 * rows and columns.
 */
struct lerp_axis {
	int32_t i0, i1;
	int64_t w0, w1;
};

static inline void lerp_axis(int32_t v, int32_t scale, bool half_pixel,
			     int32_t in, struct lerp_axis *a)
{
	int32_t pos;

	source_coord(v, scale, half_pixel, in, &pos, &a->i0, &a->i1);
	a->w1 = pos - (1 << 10) * a->i0;
	a->w0 = (1 << 10) - a->w1;
}

int enpu_resize_bilinear(const struct enpu_resize_params *p,
			 const int8_t *input, size_t input_len,
			 int8_t *output, size_t output_len)
{
	size_t in_count, out_count;
	int32_t pos, lo, hi;

	if (resize_check(p, input, input_len, output, output_len, &in_count,
			 &out_count) ||
	    (p->align_corners && p->half_pixel_centers))
		return -EINVAL;

	const struct enpu_nhwc *is = &p->input;
	const bool hp = p->half_pixel_centers;
	const int32_t sh = scale_10(is->h, p->output_height, p->align_corners);
	const int32_t sw = scale_10(is->w, p->output_width, p->align_corners);

	/*
	 * Coordinates grow with the output's, so the last row and column
	 * have the largest lower neighbour: past the input there, TFLite
	 * reads out of bounds.
	 */
	source_coord(p->output_height - 1, sh, hp, is->h, &pos, &lo, &hi);
	if (lo > is->h - 1)
		return -EINVAL;
	source_coord(p->output_width - 1, sw, hp, is->w, &pos, &lo, &hi);
	if (lo > is->w - 1)
		return -EINVAL;

	const size_t depth = (size_t)is->c, row = (size_t)is->w * depth;
	int8_t *dst = output;

	for (int32_t b = 0; b < is->n; b++) {
		const int8_t *image = input + (size_t)b * is->h * row;

		for (int32_t y = 0; y < p->output_height; y++) {
			struct lerp_axis ly;

			lerp_axis(y, sh, hp, is->h, &ly);
			const int8_t *r0 = image + (size_t)ly.i0 * row;
			const int8_t *r1 = image + (size_t)ly.i1 * row;

			for (int32_t x = 0; x < p->output_width; x++) {
				struct lerp_axis lx;

				lerp_axis(x, sw, hp, is->w, &lx);
				const int8_t *p00 = r0 + (size_t)lx.i0 * depth;
				const int8_t *p01 = r0 + (size_t)lx.i1 * depth;
				const int8_t *p10 = r1 + (size_t)lx.i0 * depth;
				const int8_t *p11 = r1 + (size_t)lx.i1 * depth;

				for (size_t c = 0; c < depth; c++) {
					const int64_t v = p00[c] * ly.w0 * lx.w0 +
							  p10[c] * ly.w1 * lx.w0 +
							  p01[c] * ly.w0 * lx.w1 +
							  p11[c] * ly.w1 * lx.w1;
					/* Rounded half away from zero. */
					const int64_t round = v > 0 ? (1 << 19) :
								      -(1 << 19);

					*dst++ = (int8_t)((v + round) / (1 << 20));
				}
			}
		}
	}
	return 0;
}
