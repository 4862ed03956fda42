// SPDX-License-Identifier: MIT
/*
 * CONCATENATION, int8: pure data movement (TFLite requires every input to
 * share the output's scale and zero point, so nothing is requantized).
 */
#include <string.h>

#include "enpu_int8_internal.h"

int enpu_concatenation(int32_t axis, size_t num_inputs,
		       const struct enpu_shape *input_shapes,
		       const int8_t *const *inputs, const size_t *input_lens,
		       const struct enpu_shape *output_shape,
		       int8_t *output, size_t output_len)
{
	size_t out_count, axis_sum = 0;

	if (!input_shapes || !inputs || !input_lens || !output_shape ||
	    num_inputs == 0 || num_inputs > ENPU_MAX_DIM ||
	    enpu_shape_count(output_shape, &out_count) ||
	    enpu_check_buf(output, output_len, out_count))
		return -EINVAL;

	const int32_t rank = output_shape->rank;

	if (rank < 1)
		return -EINVAL;
	if (axis < 0)
		axis += rank;
	if (axis < 0 || axis >= rank)
		return -EINVAL;

	/* Same rank, same dims off the axis, axis dims adding up. */
	for (size_t k = 0; k < num_inputs; k++) {
		size_t count;

		if (input_shapes[k].rank != rank ||
		    enpu_shape_count(&input_shapes[k], &count) ||
		    enpu_check_buf(inputs[k], input_lens[k], count))
			return -EINVAL;
		for (int32_t i = 0; i < rank; i++)
			if (i != axis &&
			    input_shapes[k].dims[i] != output_shape->dims[i])
				return -EINVAL;
		axis_sum += (size_t)input_shapes[k].dims[axis];
	}
	if (axis_sum != (size_t)output_shape->dims[axis])
		return -EINVAL;

	/* outer = product of dims before the axis, inner = after it. */
	size_t outer = 1, inner = 1;

	for (int32_t i = 0; i < axis; i++)
		outer *= (size_t)output_shape->dims[i];
	for (int32_t i = axis + 1; i < rank; i++)
		inner *= (size_t)output_shape->dims[i];

	int8_t *dst = output;

	for (size_t o = 0; o < outer; o++) {
		for (size_t k = 0; k < num_inputs; k++) {
			const size_t chunk = (size_t)input_shapes[k].dims[axis] * inner;

			memmove(dst, inputs[k] + o * chunk, chunk);
			dst += chunk;
		}
	}
	return 0;
}
