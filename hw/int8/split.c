// SPDX-License-Identifier: MIT
/*
 * SPLIT, int8 (TFLite-Micro SplitImpl): num_splits equal parts along one
 * axis. Pure data movement: for each combination of the dims before the
 * axis, every output in turn takes the next contiguous chunk.
 */
#include <string.h>

#include "enpu_int8_internal.h"

int enpu_split_output_shape(const struct enpu_split_params *p,
			    struct enpu_shape *out)
{
	size_t count;

	if (!p || !out || p->input.rank < 1 ||
	    enpu_shape_count(&p->input, &count) || p->num_splits < 1)
		return -EINVAL;

	const int32_t rank = p->input.rank;
	const int32_t axis = p->axis < 0 ? p->axis + rank : p->axis;

	if (axis < 0 || axis >= rank ||
	    p->input.dims[axis] % p->num_splits != 0)
		return -EINVAL;
	*out = p->input;
	out->dims[axis] /= p->num_splits;
	return 0;
}

int enpu_split(const struct enpu_split_params *p,
	       const int8_t *input, size_t input_len,
	       int8_t *const *outputs, const size_t *output_lens)
{
	struct enpu_shape os;
	size_t in_count, out_count;

	if (enpu_split_output_shape(p, &os) ||
	    enpu_shape_count(&p->input, &in_count) ||
	    enpu_shape_count(&os, &out_count) ||
	    enpu_check_buf(input, input_len, in_count) ||
	    !outputs || !output_lens)
		return -EINVAL;
	for (int32_t i = 0; i < p->num_splits; i++)
		if (enpu_check_buf(outputs[i], output_lens[i], out_count))
			return -EINVAL;

	const int32_t axis = p->axis < 0 ? p->axis + p->input.rank : p->axis;
	size_t outer = 1, chunk = (size_t)os.dims[axis];

	for (int32_t i = 0; i < axis; i++)
		outer *= (size_t)p->input.dims[i];
	for (int32_t i = axis + 1; i < p->input.rank; i++)
		chunk *= (size_t)p->input.dims[i];

	const int8_t *src = input;

	for (size_t k = 0; k < outer; k++)
		for (int32_t i = 0; i < p->num_splits; i++, src += chunk)
			memmove(outputs[i] + k * chunk, src, chunk);
	return 0;
}
