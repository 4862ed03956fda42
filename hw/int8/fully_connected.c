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
 * time when there are several batches (see enpu_dot.h). Where the CPU has
 * a u8 x s8 dot product and the weights come packed (the CPU backend
 * packs them once), or batches are many, the GEMM of enpu_gemm.h runs
 * instead. Rows longer than ENPU_DOT_MAX_LEN use a plain int64 loop.
 */
#include <string.h>

#include "enpu_dot.h"
#include "enpu_gemm.h"
#include "enpu_int8_internal.h"
#include "enpu_requant.h"

int enpu_fc_check(const struct enpu_fc_params *p, struct enpu_wcounts *n)
{
	if (!p || !enpu_dim_ok(p->batches) || !enpu_dim_ok(p->input_depth) ||
	    !enpu_dim_ok(p->output_depth))
		return -EINVAL;
	if (enpu_mul_size((size_t)p->batches, (size_t)p->input_depth, &n->in) ||
	    enpu_mul_size((size_t)p->output_depth, (size_t)p->input_depth, &n->filter) ||
	    enpu_mul_size((size_t)p->batches, (size_t)p->output_depth, &n->out) ||
	    n->in > ENPU_MAX_ELEMS || n->filter > ENPU_MAX_ELEMS ||
	    n->out > ENPU_MAX_ELEMS)
		return -EINVAL;
	n->bias = (size_t)p->output_depth;
	if ((p->num_quant != 1 && p->num_quant != (size_t)p->output_depth) ||
	    enpu_check_quant_array(p->multipliers, p->shifts, p->num_quant))
		return -EINVAL;
	return 0;
}

/* The multipliers' step through the outputs: one for all outputs, or one each. */
static size_t fc_qstep(const struct enpu_fc_params *p)
{
	return p->num_quant == 1 ? 0 : 1;
}

static int fc_fast(const struct enpu_fc_params *p, const int8_t *input,
		   const int8_t *filter, const int32_t *bias, int8_t *output)
{
	_Alignas(16) int16_t rows[2][ENPU_DOT_MAX_LEN];
	const struct enpu_dot_ops *ops = enpu_dot_ops();
	struct enpu_rq_table rq;
	const size_t depth = (size_t)p->input_depth;
	const size_t padded = enpu_dot_padded_len(depth);
	const int32_t outs = p->output_depth;
	const size_t qstep = fc_qstep(p);
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
					ops->dot_2x4(rows[0], rows[1], w, depth, acc);
					enpu_rq_store4(&rq, j, acc, nc, o0 + j);
					enpu_rq_store4(&rq, j, acc + 4, nc, o0 + outs + j);
				} else {
					ops->dot_1x4(rows[0], w, depth, acc);
					enpu_rq_store4(&rq, j, acc, nc, o0 + j);
				}
			}
		}
	}
	return 0;
}

/* A fully-connected layer's rows for the GEMM: its batches, as unsigned bytes. */
struct fc_rows {
	const struct enpu_dot_ops *ops;
	const int8_t *input;
	size_t depth;
};

static const uint8_t *fc_row(void *ctx, int64_t i, uint8_t *dst)
{
	const struct fc_rows *c = ctx;

	enpu_row_u8(c->ops, dst, c->input + (size_t)i * c->depth, c->depth);
	return dst;
}

int enpu_fc_requant(struct enpu_gemm_weights *pw, const struct enpu_fc_params *p,
		    const int32_t *bias)
{
	return enpu_gemm_weights_requant(pw, bias, p->multipliers, p->shifts, fc_qstep(p),
					 p->input_zero_point, p->output_zero_point,
					 p->act_min, p->act_max);
}

/*
 * The u8 x s8 GEMM (enpu_gemm.h): with weights packed beforehand (the CPU
 * backend's), or batches enough to pay for packing them. 0 or -ECANCELED
 * when it ran, 1 when fc_fast is to.
 */
static int fc_gemm(const struct enpu_fc_params *p, const int8_t *input,
		   const int8_t *filter, const int32_t *bias, int8_t *output)
{
	const struct enpu_dot_ops *ops = enpu_dot_ops();
	struct fc_rows c = { .ops = ops, .input = input, .depth = (size_t)p->input_depth };
	const struct enpu_gemm_layer l = {
		.rows = p->batches, .channels = p->output_depth,
		.k_len = (size_t)p->input_depth, .weights = filter, .packed = p->packed,
		.bias = bias, .multipliers = p->multipliers, .shifts = p->shifts,
		.qstep = fc_qstep(p),
		.input_zero_point = p->input_zero_point,
		.output_zero_point = p->output_zero_point,
		.act_min = p->act_min, .act_max = p->act_max, .cancel = p->cancel,
		.row = fc_row, .ctx = &c, .output = output,
	};
	int ret;

	if (!enpu_gemm_suits(&l, ops))
		return 1;
	ret = enpu_gemm_run(&l, ops);
	return ret == -ENOMEM ? 1 : ret;
}

static int fc_generic(const struct enpu_fc_params *p, const int8_t *input,
		      const int8_t *filter, const int32_t *bias,
		      int8_t *output)
{
	const size_t depth = (size_t)p->input_depth;
	const size_t qstep = fc_qstep(p);
	const int32_t in_offset = -p->input_zero_point;

	for (int32_t b = 0; b < p->batches; b++) {
		const int8_t *x = input + (size_t)b * depth;

		for (int32_t oc = 0; oc < p->output_depth; oc++) {
			const int8_t *w = filter + (size_t)oc * depth;
			int64_t acc;

			if (enpu_cancelled(p->cancel))
				return -ECANCELED;
			acc = enpu_sum_wx_i8(x, w, depth, in_offset);
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
	struct enpu_wcounts n;

	if (enpu_fc_check(p, &n) ||
	    enpu_check_io_i8(p->input_zero_point, p->output_zero_point,
			     p->act_min, p->act_max) ||
	    enpu_check_wbufs(&n, input, input_len, filter, filter_len,
			     bias, bias_len, output, output_len))
		return -EINVAL;

	const int gemm = fc_gemm(p, input, filter, bias, output);

	if (gemm <= 0)
		return gemm;
	if ((size_t)p->input_depth <= ENPU_DOT_MAX_LEN)
		return fc_fast(p, input, filter, bias, output);
	return fc_generic(p, input, filter, bias, output);
}
