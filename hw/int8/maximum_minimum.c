// SPDX-License-Identifier: MIT
/*
 * MAXIMUM / MINIMUM, int8 (TFLite reference_ops::MaximumMinimumBroadcastSlow):
 * a comparison of the raw int8 values, which the shared quantization of
 * the three tensors makes the real maximum / minimum.
 */
#include "enpu_int8_internal.h"

static void max_row(const void *params, const void *vin1, size_t step1,
		    const void *vin2, size_t step2, void *vout, size_t n)
{
	const int8_t *in1 = vin1, *in2 = vin2;
	int8_t *out = vout;
	(void)params;
	for (size_t i = 0; i < n; i++) {
		const int8_t a = in1[i * step1], b = in2[i * step2];

		out[i] = a > b ? a : b;
	}
}

static void min_row(const void *params, const void *vin1, size_t step1,
		    const void *vin2, size_t step2, void *vout, size_t n)
{
	const int8_t *in1 = vin1, *in2 = vin2;
	int8_t *out = vout;
	(void)params;
	for (size_t i = 0; i < n; i++) {
		const int8_t a = in1[i * step1], b = in2[i * step2];

		out[i] = a < b ? a : b;
	}
}

static int minmax(const struct enpu_minmax_params *p,
		  const int8_t *input1, size_t input1_len,
		  const int8_t *input2, size_t input2_len,
		  int8_t *output, size_t output_len, enpu_bcast_row_fn row)
{
	struct enpu_bcast b;

	if (!p || enpu_bcast_init(&p->input1, &p->input2, &p->output, &b) ||
	    enpu_check_buf(input1, input1_len, b.count1) ||
	    enpu_check_buf(input2, input2_len, b.count2) ||
	    enpu_check_buf(output, output_len, b.count_out))
		return -EINVAL;
	return enpu_bcast_run(&b, 1, input1, input2, output, row, NULL, p->cancel);
}

int enpu_maximum(const struct enpu_minmax_params *p,
		 const int8_t *input1, size_t input1_len,
		 const int8_t *input2, size_t input2_len,
		 int8_t *output, size_t output_len)
{
	return minmax(p, input1, input1_len, input2, input2_len, output,
		      output_len, max_row);
}

int enpu_minimum(const struct enpu_minmax_params *p,
		 const int8_t *input1, size_t input1_len,
		 const int8_t *input2, size_t input2_len,
		 int8_t *output, size_t output_len)
{
	return minmax(p, input1, input1_len, input2, input2_len, output,
		      output_len, min_row);
}
