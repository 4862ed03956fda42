// SPDX-License-Identifier: MIT
/*
 * CONV_2D 16x8: int16 activations, per-output-channel int8 weights, int64
 * bias (TFLite reference_integer_ops::ConvPerChannel with an int64
 * accumulator):
 *
 *   acc = bias[oc] + sum over in-bounds taps and input channels of
 *         w[oc][ky][kx][ic] * x[iy][ix][ic]
 *   out = clamp(MBQM64(acc, M[oc], shift[oc]), act_min, act_max)
 *
 * TFLite applies no zero point on this path (int16 tensors are
 * symmetric), so both must be 0 here. The window walk (padding, tap
 * ranges) and the shape checks are the int8 kernel's. A product is at most
 * 2^22 in magnitude, so the int64 sum of a whole receptive field cannot
 * overflow; only the bias addition wraps, where TFLite would be undefined.
 */
#include "enpu_int8_internal.h"

struct conv16_buffers {
	const int16_t *input;
	const int8_t *filter;
	const int64_t *bias;
	int16_t *output;
};

static int conv16_pixel(const struct enpu_conv2d_params *p,
			const struct enpu_conv_pixel *px, void *ctx)
{
	const struct conv16_buffers *bufs = ctx;
	const int16_t *in_b = bufs->input + px->image;

	for (int32_t oc = 0; oc < p->output.c; oc++) {
		if (oc && enpu_cancelled(p->cancel))
			return -ECANCELED;
		int64_t acc = enpu_conv_window_sum(p, px, NULL, in_b, 0,
						   bufs->filter, oc);

		if (bufs->bias)
			acc = enpu_wrap_add64(acc, bufs->bias[oc]);
		bufs->output[px->out + oc] = enpu_out_i16(
			enpu_mbqm64(acc, p->multipliers[oc], p->shifts[oc]), 0,
			p->act_min, p->act_max);
	}
	return 0;
}

int enpu_conv2d_16x8(const struct enpu_conv2d_params *p,
		     const int16_t *input, size_t input_len,
		     const int8_t *filter, size_t filter_len,
		     const int64_t *bias, size_t bias_len,
		     int16_t *output, size_t output_len)
{
	struct enpu_wcounts n;

	/* int16 tensors are symmetric: TFLite applies no zero point. */
	if (enpu_conv2d_check(p, &n) ||
	    p->input_zero_point || p->output_zero_point ||
	    enpu_check_act_i16(p->act_min, p->act_max) ||
	    enpu_check_shifts_mbqm64(p->shifts, p->num_quant) ||
	    enpu_check_wbufs(&n, input, input_len, filter, filter_len,
			     bias, bias_len, output, output_len))
		return -EINVAL;

	struct conv16_buffers bufs = {
		.input = input, .filter = filter, .bias = bias, .output = output,
	};

	return enpu_conv2d_walk(p, conv16_pixel, &bufs);
}
