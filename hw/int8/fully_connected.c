// SPDX-License-Identifier: MIT
/*
 * FULLY_CONNECTED, int8 (TFLite reference_integer_ops::FullyConnected and
 * FullyConnectedPerChannel):
 *
 *   acc = bias[o] + sum_i w[o][i] * (x[b][i] - in_zp)
 *   out[b][o] = clamp(MBQM(acc, M, shift) + out_zp, act_min, act_max)
 *
 * with one multiplier (per-tensor weights) or one per output (per-channel).
 * Each input row is widened once to int16 with the offset added; the
 * weight matrix is then swept four rows at a time, two input rows at a
 * time when there are several batches (see enpu_dot.h). Rows longer than
 * ENPU_DOT_MAX_LEN use a plain int64 loop.
 */
#include <string.h>

#include "enpu_dot.h"
#include "enpu_int8_internal.h"
#include "enpu_requant.h"

int enpu_fc_check(const struct enpu_fc_params *p, size_t *in_count,
		  size_t *f_count, size_t *out_count)
{
	if (!p || !enpu_dim_ok(p->batches) || !enpu_dim_ok(p->input_depth) ||
	    !enpu_dim_ok(p->output_depth))
		return -EINVAL;
	if (enpu_mul_size((size_t)p->batches, (size_t)p->input_depth, in_count) ||
	    enpu_mul_size((size_t)p->output_depth, (size_t)p->input_depth, f_count) ||
	    enpu_mul_size((size_t)p->batches, (size_t)p->output_depth, out_count) ||
	    *in_count > ENPU_MAX_ELEMS || *f_count > ENPU_MAX_ELEMS ||
	    *out_count > ENPU_MAX_ELEMS)
		return -EINVAL;
	if ((p->num_quant != 1 && p->num_quant != (size_t)p->output_depth) ||
	    enpu_check_quant_array(p->multipliers, p->shifts, p->num_quant))
		return -EINVAL;
	return 0;
}

static int fc_validate(const struct enpu_fc_params *p,
		       const int8_t *input, size_t input_len,
		       const int8_t *filter, size_t filter_len,
		       const int32_t *bias, size_t bias_len,
		       const int8_t *output, size_t output_len)
{
	size_t in_count, f_count, out_count;

	if (enpu_fc_check(p, &in_count, &f_count, &out_count))
		return -EINVAL;
	if (enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_act(p->act_min, p->act_max))
		return -EINVAL;
	if (enpu_check_buf(input, input_len, in_count) ||
	    enpu_check_buf(filter, filter_len, f_count) ||
	    enpu_check_buf(output, output_len, out_count) ||
	    (bias && bias_len < (size_t)p->output_depth))
		return -EINVAL;
	return 0;
}

static int fc_fast(const struct enpu_fc_params *p, const int8_t *input,
		   const int8_t *filter, const int32_t *bias, int8_t *output)
{
	_Alignas(16) int16_t rows[2][ENPU_DOT_MAX_LEN];
	struct enpu_rq_table rq;
	const size_t depth = (size_t)p->input_depth;
	const size_t padded = enpu_dot_padded_len(depth);
	const int32_t outs = p->output_depth;
	const size_t qstep = p->num_quant == 1 ? 0 : 1;
	const int32_t in_offset = -p->input_zero_point;

	for (int32_t b = 0; b < p->batches; b += 2) {
		const int two = b + 1 < p->batches;

		for (int r = 0; r < 1 + two; r++) {
			enpu_widen_offset(rows[r], input + (size_t)(b + r) * depth,
					  depth, in_offset);
			memset(rows[r] + depth, 0, (padded - depth) * sizeof(int16_t));
		}
		for (int32_t oc0 = 0; oc0 < outs; oc0 += ENPU_RQ_CHUNK) {
			const int nch = outs - oc0 < ENPU_RQ_CHUNK ? outs - oc0 : ENPU_RQ_CHUNK;
			int8_t *o0 = output + (size_t)b * outs + oc0;

			enpu_rq_prepare(&rq, nch, bias ? bias + oc0 : NULL,
					p->multipliers + oc0 * qstep,
					p->shifts + oc0 * qstep, qstep,
					p->output_zero_point, p->act_min,
					p->act_max);
			for (int j = 0; j < nch; j += 4) {
				const int nc = nch - j < 4 ? nch - j : 4;
				const int8_t *w[4];
				int32_t acc[8];

				if (enpu_cancelled(p->cancel))
					return -ECANCELED;
				for (int i = 0; i < 4; i++)
					w[i] = filter + (size_t)(oc0 + j + (i < nc ? i : nc - 1)) * depth;
				if (two) {
					enpu_dot_2x4(rows[0], rows[1], w, depth, acc);
					enpu_rq_store4(&rq, j, acc, nc, o0 + j);
					enpu_rq_store4(&rq, j, acc + 4, nc, o0 + outs + j);
				} else {
					enpu_dot_1x4(rows[0], w, depth, acc);
					enpu_rq_store4(&rq, j, acc, nc, o0 + j);
				}
			}
		}
	}
	return 0;
}

static int fc_generic(const struct enpu_fc_params *p, const int8_t *input,
		      const int8_t *filter, const int32_t *bias,
		      int8_t *output)
{
	const size_t depth = (size_t)p->input_depth;
	const size_t qstep = p->num_quant == 1 ? 0 : 1;
	const int32_t in_offset = -p->input_zero_point;

	for (int32_t b = 0; b < p->batches; b++) {
		const int8_t *x = input + (size_t)b * depth;

		for (int32_t oc = 0; oc < p->output_depth; oc++) {
			const int8_t *w = filter + (size_t)oc * depth;
			int64_t acc = 0;

			if (enpu_cancelled(p->cancel))
				return -ECANCELED;
			for (size_t i = 0; i < depth; i++)
				acc += (int64_t)w[i] * (x[i] + in_offset);
			output[(size_t)b * p->output_depth + oc] = enpu_requant_one(
				enpu_wrap_i64(acc), bias ? bias + oc : NULL,
				p->multipliers[oc * qstep], p->shifts[oc * qstep],
				p->output_zero_point, p->act_min, p->act_max);
		}
	}
	return 0;
}

int enpu_fully_connected(const struct enpu_fc_params *p,
			 const int8_t *input, size_t input_len,
			 const int8_t *filter, size_t filter_len,
			 const int32_t *bias, size_t bias_len,
			 int8_t *output, size_t output_len)
{
	if (fc_validate(p, input, input_len, filter, filter_len,
			bias, bias_len, output, output_len))
		return -EINVAL;

	if ((size_t)p->input_depth <= ENPU_DOT_MAX_LEN)
		return fc_fast(p, input, filter, bias, output);
	return fc_generic(p, input, filter, bias, output);
}
