// SPDX-License-Identifier: MIT
/*
 * AVERAGE_POOL_2D and MAX_POOL_2D, int8 (TFLite reference_integer_ops
 * pooling). The window is clipped to the input: padding taps are not
 * counted, so an average at a SAME border divides by fewer taps. The
 * average rounds half away from zero: (sum +- n/2) / n with C's truncating
 * division. Input and output share their quantization.
 */
#include "enpu_int8_internal.h"

static int pool_validate(const struct enpu_pool_params *p,
			 const int8_t *input, size_t input_len,
			 const int8_t *output, size_t output_len)
{
	size_t in_count, out_count;

	if (!p || enpu_nhwc_count(&p->input, &in_count) ||
	    enpu_nhwc_count(&p->output, &out_count) ||
	    p->input.n != p->output.n || p->input.c != p->output.c)
		return -EINVAL;
	if (enpu_check_window(p->input.h, p->output.h, p->filter_h,
			      p->stride_h, 1, p->pad_top) ||
	    enpu_check_window(p->input.w, p->output.w, p->filter_w,
			      p->stride_w, 1, p->pad_left) ||
	    enpu_check_act(p->act_min, p->act_max))
		return -EINVAL;
	if (enpu_check_buf(input, input_len, in_count) ||
	    enpu_check_buf(output, output_len, out_count))
		return -EINVAL;

	/* TFLite fails on an empty window; find out before writing. The
	 * clipped window only depends on oy (rows) and ox (columns).
	 */
	for (int32_t oy = 0; oy < p->output.h; oy++) {
		int32_t y0, y1;

		enpu_tap_range(oy * p->stride_h - p->pad_top, 1, p->filter_h,
			       p->input.h, &y0, &y1);
		if (y0 >= y1)
			return -EINVAL;
	}
	for (int32_t ox = 0; ox < p->output.w; ox++) {
		int32_t x0, x1;

		enpu_tap_range(ox * p->stride_w - p->pad_left, 1, p->filter_w,
			       p->input.w, &x0, &x1);
		if (x0 >= x1)
			return -EINVAL;
	}
	return 0;
}

enum pool_kind { POOL_AVG, POOL_MAX };

/*
 * Both pools walk the clipped window channel-vectorized: a row of C
 * accumulators per output pixel, updated pixel by pixel over the window,
 * so the inner loop runs over contiguous channels.
 */
static int pool_run(const struct enpu_pool_params *p, enum pool_kind kind,
		    const int8_t *input, int8_t *output)
{
	const int32_t c = p->input.c;
	int8_t *o = output;

	for (int32_t b = 0; b < p->input.n; b++) {
		const int8_t *in_b = input +
			(size_t)b * p->input.h * p->input.w * c;

		for (int32_t oy = 0; oy < p->output.h; oy++) {
			const int32_t iy0 = oy * p->stride_h - p->pad_top;
			int32_t y0, y1;

			enpu_tap_range(iy0, 1, p->filter_h, p->input.h, &y0, &y1);
			for (int32_t ox = 0; ox < p->output.w; ox++, o += c) {
				const int32_t ix0 = ox * p->stride_w - p->pad_left;
				int32_t x0, x1;

				if (enpu_cancelled(p->cancel))
					return -ECANCELED;
				enpu_tap_range(ix0, 1, p->filter_w, p->input.w,
					       &x0, &x1);
				const int32_t count = (y1 - y0) * (x1 - x0);

				for (int32_t ch = 0; ch < c; ch++) {
					int32_t acc = kind == POOL_AVG ? 0 : -128;

					for (int32_t fy = y0; fy < y1; fy++) {
						const int8_t *row = in_b +
							((size_t)(iy0 + fy) * p->input.w +
							 (size_t)(ix0 + x0)) * c + ch;

						for (int32_t fx = 0; fx < x1 - x0; fx++) {
							const int32_t v = row[(size_t)fx * c];

							if (kind == POOL_AVG)
								acc += v;
							else if (v > acc)
								acc = v;
						}
					}
					if (kind == POOL_AVG)
						acc = acc > 0 ? (acc + count / 2) / count
							      : (acc - count / 2) / count;
					o[ch] = (int8_t)enpu_clamp_i32(acc, p->act_min,
								       p->act_max);
				}
			}
		}
	}
	return 0;
}

int enpu_avg_pool(const struct enpu_pool_params *p,
		  const int8_t *input, size_t input_len,
		  int8_t *output, size_t output_len)
{
	if (pool_validate(p, input, input_len, output, output_len))
		return -EINVAL;
	/* Keep the int32 window sum (at most taps * 128) exact. */
	if ((int64_t)p->filter_h * p->filter_w > INT32_MAX / 128)
		return -EINVAL;
	return pool_run(p, POOL_AVG, input, output);
}

int enpu_max_pool(const struct enpu_pool_params *p,
		  const int8_t *input, size_t input_len,
		  int8_t *output, size_t output_len)
{
	if (pool_validate(p, input, input_len, output, output_len))
		return -EINVAL;
	return pool_run(p, POOL_MAX, input, output);
}
