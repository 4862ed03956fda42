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

int enpu_nhwc_wcounts(const struct enpu_nhwc *input,
		      const struct enpu_nhwc *filter,
		      const struct enpu_nhwc *output, struct enpu_wcounts *n)
{
	if (enpu_nhwc_count(input, &n->in) ||
	    enpu_nhwc_count(filter, &n->filter) ||
	    enpu_nhwc_count(output, &n->out))
		return -EINVAL;
	n->bias = (size_t)output->c;
	return 0;
}

int enpu_ohwi_wcounts(const struct enpu_nhwc *input,
		      const struct enpu_nhwc *filter,
		      const struct enpu_nhwc *output, struct enpu_wcounts *n)
{
	if (enpu_nhwc_wcounts(input, filter, output, n) ||
	    filter->c != input->c || output->n != input->n ||
	    output->c != filter->n)
		return -EINVAL;
	return 0;
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

int enpu_quantize_multiplier_below_one(double real, int32_t *multiplier,
				       int32_t *shift)
{
	int s;

	if (!(real > 0.0 && real < 1.0) ||
	    enpu_quantize_multiplier(real, multiplier, &s) || s > 0)
		return -EINVAL;
	*shift = s;
	return 0;
}

/* ---- broadcast of the binary element-wise operators ------------------------ */

/* Right-align a (validated) shape into 4 dims, padding with leading 1s. */
static void extend4(const struct enpu_shape *s, int32_t d[4])
{
	const int32_t lead = 4 - s->rank;

	for (int32_t i = 0; i < 4; i++)
		d[i] = i < lead ? 1 : s->dims[i - lead];
}

int enpu_bcast_init(const struct enpu_shape *input1,
		    const struct enpu_shape *input2,
		    const struct enpu_shape *output, struct enpu_bcast *b)
{
	int32_t d1[4], d2[4], dout[4];
	/* Loops from the innermost out; n of them so far. */
	size_t size[4], step1[4], step2[4], acc1 = 1, acc2 = 1;
	int32_t n = 0;

	if (!b || enpu_shape_count(input1, &b->count1) ||
	    enpu_shape_count(input2, &b->count2) ||
	    enpu_shape_count(output, &b->count_out) ||
	    output->rank < input1->rank || output->rank < input2->rank)
		return -EINVAL;
	extend4(input1, d1);
	extend4(input2, d2);
	extend4(output, dout);
	for (int i = 3; i >= 0; i--) {
		if (d1[i] != d2[i] && d1[i] != 1 && d2[i] != 1)
			return -EINVAL;
		if (dout[i] != (d1[i] > d2[i] ? d1[i] : d2[i]))
			return -EINVAL;
		if (dout[i] == 1)
			continue;
		/* At most one input repeats here: the other has dout[i]. */
		const size_t s1 = d1[i] == 1 ? 0 : acc1;
		const size_t s2 = d2[i] == 1 ? 0 : acc2;

		/* Fuse with the loop inside when each input repeats along
		 * both or advances along both: the dims between them are all
		 * 1, so an advancing input is contiguous across the pair.
		 */
		if (n > 0 && !s1 == !step1[n - 1] && !s2 == !step2[n - 1]) {
			size[n - 1] *= (size_t)dout[i];
		} else {
			size[n] = (size_t)dout[i];
			step1[n] = s1;
			step2[n] = s2;
			n++;
		}
		acc1 *= (size_t)d1[i];
		acc2 *= (size_t)d2[i];
	}
	if (n == 0) {
		/* All dims 1: one element, read once. */
		size[0] = 1;
		step1[0] = step2[0] = 1;
		n = 1;
	}
	b->loops = n;
	for (int32_t k = 0; k < n; k++) {
		b->size[k] = size[n - 1 - k];
		b->step1[k] = step1[n - 1 - k];
		b->step2[k] = step2[n - 1 - k];
	}
	return 0;
}

int enpu_bcast_check(const struct enpu_shape *in1, const struct enpu_shape *in2,
		     const struct enpu_shape *out, const void *input1,
		     size_t input1_len, const void *input2, size_t input2_len,
		     const void *output, size_t output_len, struct enpu_bcast *b)
{
	if (enpu_bcast_init(in1, in2, out, b) ||
	    enpu_check_buf(input1, input1_len, b->count1) ||
	    enpu_check_buf(input2, input2_len, b->count2) ||
	    enpu_check_buf(output, output_len, b->count_out))
		return -EINVAL;
	return 0;
}

/* Elements between two reads of the cancel flag. */
#define BCAST_CHUNK	((size_t)1 << 16)

int enpu_bcast_run(const struct enpu_bcast *b, size_t esize, const void *input1,
		   const void *input2, void *output, enpu_bcast_row_fn row,
		   const void *params, const atomic_int *cancel)
{
	const uint8_t *x1 = input1, *x2 = input2;
	uint8_t *y = output;
	const int32_t last = b->loops - 1;
	const size_t len = b->size[last], r1 = b->step1[last], r2 = b->step2[last];
	size_t idx[ENPU_MAX_RANK] = { 0 };
	size_t o1 = 0, o2 = 0, o = 0, since = BCAST_CHUNK;

	for (;;) {
		for (size_t i = 0; i < len;) {
			if (since == BCAST_CHUNK) {
				if (enpu_cancelled(cancel))
					return -ECANCELED;
				since = 0;
			}
			size_t n = len - i;

			if (n > BCAST_CHUNK - since)
				n = BCAST_CHUNK - since;
			row(params, x1 + (o1 + i * r1) * esize, r1, x2 + (o2 + i * r2) * esize,
			    r2, y + (o + i) * esize, n);
			i += n;
			since += n;
		}
		o += len;

		/* Odometer over the outer loops. */
		int32_t k = last - 1;

		for (; k >= 0; k--) {
			if (++idx[k] < b->size[k]) {
				o1 += b->step1[k];
				o2 += b->step2[k];
				break;
			}
			o1 -= b->step1[k] * (b->size[k] - 1);
			o2 -= b->step2[k] * (b->size[k] - 1);
			idx[k] = 0;
		}
		if (k < 0)
			return 0;
	}
}

void enpu_gather_run(const struct enpu_gather *g, const int8_t *input, int8_t *output)
{
	int8_t *dst = output;

	for (int32_t k0 = 0; k0 < g->count[0]; k0++)
		for (int32_t k1 = 0; k1 < g->count[1]; k1++)
			for (int32_t k2 = 0; k2 < g->count[2]; k2++) {
				const int8_t *row = input + g->offset + k0 * g->step[0] +
						    k1 * g->step[1] + k2 * g->step[2];

				for (int32_t k3 = 0; k3 < g->count[3]; k3++)
					*dst++ = row[k3 * g->step[3]];
			}
}
