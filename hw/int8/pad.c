// SPDX-License-Identifier: MIT
/*
 * PAD / PADV2, int8, constant value (TFLite reference_ops::Pad): the
 * output is the input surrounded by before[i] / after[i] elements of the
 * pad value along every dimension.
 */
#include <string.h>

#include "enpu_int8_internal.h"

int enpu_pad_output_shape(const struct enpu_pad_params *p,
			  struct enpu_shape *out)
{
	size_t count;

	if (!p || !out || p->input.rank < 1 ||
	    enpu_shape_count(&p->input, &count))
		return -EINVAL;
	out->rank = p->input.rank;
	for (int32_t i = 0; i < ENPU_MAX_RANK; i++)
		out->dims[i] = 0;
	for (int32_t i = 0; i < p->input.rank; i++) {
		if (p->before[i] < 0 || p->after[i] < 0 ||
		    p->before[i] > ENPU_MAX_DIM || p->after[i] > ENPU_MAX_DIM)
			return -EINVAL;
		out->dims[i] = p->input.dims[i] + p->before[i] + p->after[i];
	}
	return enpu_shape_count(out, &count);
}

int enpu_pad(const struct enpu_pad_params *p,
	     const int8_t *input, size_t input_len,
	     int8_t *output, size_t output_len)
{
	struct enpu_shape os;
	size_t in_count, out_count;
	int32_t in[4], out[4], before[4];

	if (enpu_pad_output_shape(p, &os) ||
	    enpu_shape_count(&p->input, &in_count) ||
	    enpu_shape_count(&os, &out_count) ||
	    enpu_check_buf(input, input_len, in_count) ||
	    enpu_check_buf(output, output_len, out_count))
		return -EINVAL;

	/* Work in 4-D, leading dims of size 1 with no padding. */
	const int32_t lead = 4 - p->input.rank;

	for (int32_t i = 0; i < 4; i++) {
		in[i] = i < lead ? 1 : p->input.dims[i - lead];
		out[i] = i < lead ? 1 : os.dims[i - lead];
		before[i] = i < lead ? 0 : p->before[i - lead];
	}

	/* Fill with the pad value, then copy each input row in place. */
	memset(output, (unsigned char)p->value, out_count);
	const size_t row = (size_t)in[3];
	const int8_t *src = input;

	for (int32_t i0 = 0; i0 < in[0]; i0++)
		for (int32_t i1 = 0; i1 < in[1]; i1++)
			for (int32_t i2 = 0; i2 < in[2]; i2++, src += row) {
				const size_t dst =
					((((size_t)(i0 + before[0]) * out[1] +
					   (size_t)(i1 + before[1])) * out[2] +
					  (size_t)(i2 + before[2])) * out[3]) +
					(size_t)before[3];

				memmove(output + dst, src, row);
			}
	return 0;
}
