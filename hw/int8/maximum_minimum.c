// SPDX-License-Identifier: MIT
/*
 * MAXIMUM / MINIMUM, int8 (TFLite reference_ops::MaximumMinimumBroadcastSlow):
 * a comparison of the raw int8 values, which the shared quantization of
 * the three tensors makes the real maximum / minimum.
 */
#include "enpu_int8_internal.h"

/*
 * One broadcast row of max(x1, x2) or, with want_max 0, min(x1, x2). The
 * two row functions below pass a constant, so each gets its own loop.
 */
static inline void minmax_row(const int8_t *in1, size_t step1,
			      const int8_t *in2, size_t step2, int8_t *out,
			      size_t n, int want_max)
{
	for (size_t i = 0; i < n; i++) {
		const int8_t a = in1[i * step1], b = in2[i * step2];

		out[i] = (want_max ? a > b : a < b) ? a : b;
	}
}

static void max_row(const void *params, const void *in1, size_t step1,
		    const void *in2, size_t step2, void *out, size_t n)
{
	(void)params;
	minmax_row(in1, step1, in2, step2, out, n, 1);
}

static void min_row(const void *params, const void *in1, size_t step1,
		    const void *in2, size_t step2, void *out, size_t n)
{
	(void)params;
	minmax_row(in1, step1, in2, step2, out, n, 0);
}

static int minmax(const struct enpu_minmax_params *p,
		  const int8_t *input1, size_t input1_len,
		  const int8_t *input2, size_t input2_len,
		  int8_t *output, size_t output_len, enpu_bcast_row_fn row)
{
	struct enpu_bcast b;

	if (!p || enpu_bcast_check(&p->input1, &p->input2, &p->output, input1,
				   input1_len, input2, input2_len, output,
				   output_len, &b))
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
