// SPDX-License-Identifier: MIT
/*
 * Shape validation and Prepare-time derivations shared by the kernels.
 */
#include <math.h>

#include "enpu_int8_internal.h"

int enpu_shape_count(const struct enpu_shape *shape, size_t *count)
{
	size_t n = 1;

	if (!shape || shape->rank < 0 || shape->rank > ENPU_MAX_RANK)
		return -EINVAL;
	for (int32_t i = 0; i < shape->rank; i++) {
		if (!enpu_dim_ok(shape->dims[i]) ||
		    enpu_mul_size(n, (size_t)shape->dims[i], &n))
			return -EINVAL;
	}
	if (n > ENPU_MAX_ELEMS)
		return -EINVAL;
	*count = n;
	return 0;
}

int enpu_nhwc_count(const struct enpu_nhwc *s, size_t *count)
{
	const struct enpu_shape shape = {
		.rank = 4, .dims = { s->n, s->h, s->w, s->c },
	};

	return enpu_shape_count(&shape, count);
}

int enpu_check_quant_array(const int32_t *multipliers, const int32_t *shifts,
			   size_t num)
{
	if (!multipliers || !shifts || num == 0)
		return -EINVAL;
	for (size_t i = 0; i < num; i++)
		if (enpu_check_multiplier(multipliers[i], shifts[i]))
			return -EINVAL;
	return 0;
}

int enpu_check_window(int32_t in, int32_t out, int32_t k, int32_t stride,
		      int32_t dilation, int32_t pad)
{
	if (!enpu_dim_ok(in) || !enpu_dim_ok(out) || !enpu_dim_ok(k) ||
	    !enpu_dim_ok(stride) || !enpu_dim_ok(dilation) ||
	    pad < 0 || pad > ENPU_MAX_DIM)
		return -EINVAL;
	/* Each term is < 2^48: no int64 overflow. */
	const int64_t reach = (int64_t)(out - 1) * stride +
			      (int64_t)(k - 1) * dilation;
	return reach <= INT32_MAX / 4 ? 0 : -EINVAL;
}

int enpu_compute_padding(enum enpu_padding padding, int32_t in_size,
			 int32_t filter_size, int32_t stride, int32_t dilation,
			 int32_t *out_size, int32_t *pad_before,
			 int32_t *pad_offset)
{
	int64_t out;

	if (in_size < 0 || filter_size <= 0 || stride <= 0 || dilation <= 0)
		return -EINVAL;
	const int64_t eff = (int64_t)(filter_size - 1) * dilation + 1;

	switch (padding) {
	case ENPU_PADDING_SAME:
		out = ((int64_t)in_size + stride - 1) / stride;
		break;
	case ENPU_PADDING_VALID:
		/* C division truncates toward zero, as in TFLite. */
		out = ((int64_t)in_size + stride - eff) / stride;
		break;
	default:
		return -EINVAL;
	}
	if (out < 0 || out > INT32_MAX)
		return -EINVAL;

	int64_t total = (out - 1) * stride + eff - in_size;
	if (total < 0)
		total = 0;
	if (total / 2 > INT32_MAX)
		return -EINVAL;
	if (out_size)
		*out_size = (int32_t)out;
	if (pad_before)
		*pad_before = (int32_t)(total / 2);
	if (pad_offset)
		*pad_offset = (int32_t)(total % 2);
	return 0;
}

static int scale_ok(float s)
{
	return isfinite(s) && s > 0.0f;
}

int enpu_derive_per_channel(float input_scale, const float *weight_scales,
			    size_t num_scales, float output_scale,
			    int32_t *multipliers, int32_t *shifts,
			    size_t num_channels)
{
	if (!weight_scales || !multipliers || !shifts || num_channels == 0 ||
	    (num_scales != 1 && num_scales != num_channels) ||
	    !scale_ok(input_scale) || !scale_ok(output_scale))
		return -EINVAL;
	for (size_t c = 0; c < num_channels; c++) {
		const float ws = weight_scales[num_scales == 1 ? 0 : c];
		int shift;

		if (!scale_ok(ws))
			return -EINVAL;
		/* All three scales widened to double before multiplying. */
		const double real = (double)input_scale * (double)ws /
				    (double)output_scale;
		if (enpu_quantize_multiplier(real, &multipliers[c], &shift) ||
		    enpu_check_multiplier(multipliers[c], shift))
			return -EINVAL;
		shifts[c] = shift;
	}
	return 0;
}

int enpu_derive_fc_per_tensor(float input_scale, float weight_scale,
			      float output_scale, int32_t *multiplier,
			      int32_t *shift)
{
	int s;

	if (!multiplier || !shift || !scale_ok(input_scale) ||
	    !scale_ok(weight_scale) || !scale_ok(output_scale))
		return -EINVAL;
	/* The product is rounded to float first: not the same as above. */
	const float product = input_scale * weight_scale;
	const double real = (double)product / (double)output_scale;

	if (enpu_quantize_multiplier(real, multiplier, &s) ||
	    enpu_check_multiplier(*multiplier, s))
		return -EINVAL;
	*shift = s;
	return 0;
}

int enpu_derive_rescale(float input_scale, float output_scale,
			int32_t *multiplier, int32_t *shift)
{
	int s;

	if (!multiplier || !shift || !scale_ok(input_scale) ||
	    !scale_ok(output_scale))
		return -EINVAL;
	if (enpu_quantize_multiplier((double)input_scale / (double)output_scale,
				     multiplier, &s) ||
	    enpu_check_multiplier(*multiplier, s))
		return -EINVAL;
	*shift = s;
	return 0;
}
