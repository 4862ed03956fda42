// SPDX-License-Identifier: MIT
/*
 * FULLY_CONNECTED 16x8: int16 input and output, int8 weights, int64 bias
 * (TFLite reference_integer_ops::FullyConnected / FullyConnectedPerChannel
 * instantiated with an int64 accumulator):
 *
 *   acc = bias[o] + sum_i w[o][i] * (x[b][i] - in_zp)
 *   out[b][o] = clamp(MBQM64(acc, M, shift) + out_zp, act_min, act_max)
 *
 * One multiplier (per-tensor weights) or one per output. The shape and
 * multiplier checks are the int8 kernel's. A product is below 2^24 in
 * magnitude, so an int64 row sum cannot overflow; only the bias addition
 * wraps, where TFLite would be undefined.
 */
#include "enpu_int8_internal.h"

/* FULLY_CONNECTED reads its cancel flag every this many outputs. */
#define FC16_CANCEL_EVERY	4

int enpu_fully_connected_16x8(const struct enpu_fc_params *p,
			      const int16_t *input, size_t input_len,
			      const int8_t *filter, size_t filter_len,
			      const int64_t *bias, size_t bias_len,
			      int16_t *output, size_t output_len)
{
	struct enpu_wcounts n;

	if (enpu_fc_check(p, &n) ||
	    p->input_zero_point < INT16_MIN || p->input_zero_point > INT16_MAX ||
	    p->output_zero_point < INT16_MIN || p->output_zero_point > INT16_MAX ||
	    enpu_check_act_i16(p->act_min, p->act_max) ||
	    enpu_check_shifts_mbqm64(p->shifts, p->num_quant) ||
	    enpu_check_wbufs(&n, input, input_len, filter, filter_len,
			     bias, bias_len, output, output_len))
		return -EINVAL;

	const size_t depth = (size_t)p->input_depth;
	const size_t qstep = p->num_quant == 1 ? 0 : 1;
	const int32_t in_offset = -p->input_zero_point;

	for (int32_t b = 0; b < p->batches; b++) {
		const int16_t *x = input + (size_t)b * depth;
		int16_t *out = output + (size_t)b * p->output_depth;

		for (int32_t oc = 0; oc < p->output_depth; oc++) {
			const int8_t *w = filter + (size_t)oc * depth;
			int64_t acc;

			if (oc % FC16_CANCEL_EVERY == 0 && enpu_cancelled(p->cancel))
				return -ECANCELED;
			acc = enpu_sum_wx_i16(x, w, depth, in_offset);
			if (bias)
				acc = enpu_wrap_add64(acc, bias[oc]);
			out[oc] = enpu_out_i16(enpu_mbqm64(acc, p->multipliers[oc * qstep],
							   p->shifts[oc * qstep]),
					       p->output_zero_point, p->act_min, p->act_max);
		}
	}
	return 0;
}
