// SPDX-License-Identifier: MIT
/*
 * REDUCE_MAX, int8 (TFLite reference_ops::ReduceGeneric, max reducer):
 * the output shares the input's quantization, so the largest raw value is
 * the answer; the walk over the inputs is reduce.c's.
 */
#include "enpu_int8_internal.h"

int enpu_reduce_max(const struct enpu_reduce_max_params *p,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len)
{
	struct enpu_reduction r;

	if (!p || enpu_reduction_init(&p->input, p->axes, p->num_axes, &r) ||
	    enpu_check_buf(input, input_len, r.in_count) ||
	    enpu_check_buf(output, output_len, r.out_count))
		return -EINVAL;
	enpu_reduction_max(&r, input, output);
	return 0;
}
