// SPDX-License-Identifier: MIT
/*
 * TRANSPOSE_CONV, int8 activations, per-output-channel int8 weights
 * (TFLite reference_integer_ops::TransposeConv).
 *
 * TFLite scatters: every input pixel (iy, ix) adds its weighted values to
 * the outputs (iy * stride_h - pad_h + ky, ix * stride_w - pad_w + kx) that
 * fall inside the output, in an int32 scratch the size of the output, and
 * then requantizes the scratch. Here each output pixel instead gathers the
 * taps that reach it -- ky with (oy + pad_h - ky) a multiple of stride_h
 * and the quotient a valid input row, likewise for kx -- so no scratch is
 * needed. Integer sums wrap the same whatever their order, so the
 * accumulators equal TFLite's exactly:
 *
 *   acc = bias[oc] + sum w[oc][ky][kx][ic] * (x[iy][ix][ic] - in_zp)
 *   out = clamp(MBQM(acc, M[oc], shift[oc]) + out_zp, act_min, act_max)
 */
#include "enpu_int8_internal.h"

static int tconv_validate(const struct enpu_transpose_conv_params *p,
			  const int8_t *input, size_t input_len,
			  const int8_t *filter, size_t filter_len,
			  const int32_t *bias, size_t bias_len,
			  const int8_t *output, size_t output_len)
{
	struct enpu_wcounts n;

	if (!p || enpu_ohwi_wcounts(&p->input, &p->filter, &p->output, &n))
		return -EINVAL;
	/* Keeps oy + padding and the per-pixel tap list within bounds. */
	if (!enpu_dim_ok(p->stride_h) || !enpu_dim_ok(p->stride_w) ||
	    p->padding_height < 0 || p->padding_height > ENPU_MAX_DIM ||
	    p->padding_width < 0 || p->padding_width > ENPU_MAX_DIM)
		return -EINVAL;
	if (enpu_check_io_i8(p->input_zero_point, p->output_zero_point,
			     p->output_activation_min, p->output_activation_max))
		return -EINVAL;
	if (p->num_channels != (size_t)p->output.c ||
	    enpu_check_quant_array(p->output_multiplier, p->output_shift,
				   p->num_channels))
		return -EINVAL;
	return enpu_check_wbufs(&n, input, input_len, filter, filter_len,
				bias, bias_len, output, output_len);
}

/*
 * The filter taps of one axis that reach output coordinate o: k with
 * o + pad - k = i * stride for an input coordinate 0 <= i < in. They are
 * k0, k0 + stride, ... (n of them), coming from i0, i0 - 1, ...
 */
struct tconv_taps {
	int32_t k0, i0, n;
};

static void tconv_axis(int32_t o, int32_t pad, int32_t stride, int32_t taps,
		       int32_t in, struct tconv_taps *a)
{
	/* t >= 0 and every value below stays under 2^26. */
	const int64_t t = (int64_t)o + pad;
	const int64_t k = t % stride, q = t / stride;	/* k reads input q */
	/* Skip the taps reading past the input's end (i = q - j >= in)... */
	const int64_t j0 = q >= in ? q - in + 1 : 0;
	/* ...and stop at the filter's end or before the input's start. */
	int64_t j1 = k < taps ? (taps - 1 - k) / stride : -1;

	if (j1 > q)
		j1 = q;
	a->n = j1 >= j0 ? (int32_t)(j1 - j0 + 1) : 0;
	a->k0 = (int32_t)(k + j0 * stride);
	a->i0 = (int32_t)(q - j0);
}

/* The Cout outputs of one pixel, whose taps are ty x tx. */
static void tconv_pixel(const struct enpu_transpose_conv_params *p,
			const int8_t *in_b, const int8_t *filter,
			const int32_t *bias, const struct tconv_taps *ty,
			const struct tconv_taps *tx, int8_t *out)
{
	const int32_t cin = p->input.c;
	const int32_t kh = p->filter.h, kw = p->filter.w;
	const int32_t in_offset = -p->input_zero_point;

	for (int32_t oc = 0; oc < p->output.c; oc++) {
		/* At most 2^31 products of magnitude <= 2^15: no overflow. */
		int64_t acc = 0;

		for (int32_t j = 0; j < ty->n; j++) {
			const int32_t ky = ty->k0 + j * p->stride_h;
			const int32_t iy = ty->i0 - j;

			for (int32_t i = 0; i < tx->n; i++) {
				const int32_t kx = tx->k0 + i * p->stride_w;
				const int32_t ix = tx->i0 - i;
				const int8_t *x = in_b + ((size_t)iy * p->input.w + ix) * cin;
				const int8_t *w = filter +
					(((size_t)oc * kh + ky) * kw + kx) * cin;

				acc += enpu_sum_wx_i8(x, w, (size_t)cin, in_offset);
			}
		}
		out[oc] = enpu_requant_one(enpu_wrap_i64(acc),
					   bias ? bias + oc : NULL,
					   p->output_multiplier[oc], p->output_shift[oc],
					   p->output_zero_point, p->output_activation_min,
					   p->output_activation_max);
	}
}

int enpu_transpose_conv(const struct enpu_transpose_conv_params *p,
			const int8_t *input, size_t input_len,
			const int8_t *filter, size_t filter_len,
			const int32_t *bias, size_t bias_len,
			int8_t *output, size_t output_len)
{
	if (tconv_validate(p, input, input_len, filter, filter_len,
			   bias, bias_len, output, output_len))
		return -EINVAL;

	const size_t image = (size_t)p->input.h * p->input.w * p->input.c;
	int8_t *out = output;

	for (int32_t b = 0; b < p->input.n; b++) {
		const int8_t *in_b = input + (size_t)b * image;

		for (int32_t oy = 0; oy < p->output.h; oy++) {
			struct tconv_taps ty, tx;

			tconv_axis(oy, p->padding_height, p->stride_h, p->filter.h,
				   p->input.h, &ty);
			for (int32_t ox = 0; ox < p->output.w; ox++) {
				if (enpu_cancelled(p->cancel))
					return -ECANCELED;
				tconv_axis(ox, p->padding_width, p->stride_w,
					   p->filter.w, p->input.w, &tx);
				tconv_pixel(p, in_b, filter, bias, &ty, &tx, out);
				out += p->output.c;
			}
		}
	}
	return 0;
}

/*
 * TFLite's ComputePaddingHeightWidth, here with the output size in the
 * role of the input size: an axis whose VALID size would be negative
 * makes TFLite return zero padding on both axes.
 */
int enpu_transpose_conv_derive(enum enpu_padding padding,
			       enum enpu_activation activation,
			       float input_scale, const float *weight_scales,
			       size_t num_scales, float output_scale,
			       struct enpu_transpose_conv_params *p,
			       int32_t *multipliers, int32_t *shifts,
			       size_t num_channels)
{
	int32_t pad_h, pad_w, lo, hi;

	if (!p || (padding != ENPU_PADDING_SAME && padding != ENPU_PADDING_VALID) ||
	    !enpu_dim_ok(p->output.h) || !enpu_dim_ok(p->output.w) ||
	    !enpu_dim_ok(p->filter.h) || !enpu_dim_ok(p->filter.w) ||
	    !enpu_dim_ok(p->stride_h) || !enpu_dim_ok(p->stride_w) ||
	    num_channels != (size_t)p->filter.n)
		return -EINVAL;
	if (enpu_compute_padding(padding, p->output.w, p->filter.w, p->stride_w,
				 1, NULL, &pad_w, NULL) ||
	    enpu_compute_padding(padding, p->output.h, p->filter.h, p->stride_h,
				 1, NULL, &pad_h, NULL))
		pad_h = pad_w = 0;
	if (enpu_activation_range_int8(activation, output_scale,
				       p->output_zero_point, &lo, &hi) ||
	    enpu_derive_per_channel(input_scale, weight_scales, num_scales,
				    output_scale, multipliers, shifts,
				    num_channels))
		return -EINVAL;
	p->padding_height = pad_h;
	p->padding_width = pad_w;
	p->output_activation_min = lo;
	p->output_activation_max = hi;
	p->output_multiplier = multipliers;
	p->output_shift = shifts;
	p->num_channels = num_channels;
	return 0;
}
