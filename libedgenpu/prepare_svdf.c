// SPDX-License-Identifier: MIT
/*
 * Preparing SVDF (TFLite's operand order: input, weights_feature,
 * weights_time, bias, activation_state): input int8 [batches, input_size];
 * weights_feature constant int8 [filters, input_size]; weights_time
 * constant int16 [filters, memory]; bias, when there is one, constant
 * int32 [units]; the state a variable int16 [batches, filters * memory]
 * (updated by every inference); output int8 [batches, units]. The rank is
 * filters / units. Every tensor per-tensor quantized; the effective scales
 * are TFLite-Micro's (hw/int8/enpu_wide.h). The int8 SVDF ignores its fused
 * activation, as TFLite-Micro's does.
 */
#include "internal.h"
#include "prepare.h"

int enpu_prepare_svdf(struct pctx *c)
{
	struct enpu_svdf_params *p = &c->p->p.svdf;
	const struct enpu_gtensor *x, *wf, *wt, *b, *st, *o;
	float xs, wfs, wts, bs = 0.0f, sts, os;
	int32_t zp;

	if (!(x = pc_in(c, 0, ENPU_DTYPE_INT8, 2, "input")) ||
	    !(wf = pc_in(c, 1, ENPU_DTYPE_INT8, 2, "weights_feature")) ||
	    !(wt = pc_in(c, 2, ENPU_DTYPE_INT16, 2, "weights_time")) ||
	    !(st = pc_in(c, 4, ENPU_DTYPE_INT16, 2, "state")) ||
	    !(o = pc_out(c, ENPU_DTYPE_INT8, 2)))
		return -EINVAL;
	b = pc_opt_in(c, 3);
	if (!wf->data || !wt->data)
		return pc_bad(c, "weights_feature and weights_time must be constant tensors");
	if (!st->variable)
		return pc_bad(c, "the state (input 4, tensor %d) must be a variable tensor "
			      "(enpu_graph_add_variable)", c->l->inputs[4]);
	if (pc_per_tensor(c, x, "input", &xs, &p->input_zero_point) ||
	    pc_per_tensor(c, wf, "weights_feature", &wfs, &zp) ||
	    pc_per_tensor(c, wt, "weights_time", &wts, &zp) ||
	    pc_per_tensor(c, st, "state", &sts, &p->state_zero_point) ||
	    pc_per_tensor(c, o, "output", &os, &p->output_zero_point))
		return -EINVAL;
	p->batches = x->dims[0];
	p->input_size = x->dims[1];
	p->units = o->dims[1];
	p->memory_size = wt->dims[1];
	if (wf->dims[0] % p->units)
		return pc_bad(c, "weights_feature's %d filters are not a multiple of the output's "
			      "%d units", wf->dims[0], p->units);
	p->rank = wf->dims[0] / p->units;
	if (wf->dims[1] != p->input_size || wt->dims[0] != wf->dims[0] ||
	    o->dims[0] != p->batches || st->dims[0] != p->batches ||
	    (int64_t)st->dims[1] != (int64_t)wf->dims[0] * p->memory_size)
		return pc_bad(c, "shapes do not agree: input [%d, %d], weights_feature [%d, %d], "
			      "weights_time [%d, %d], state [%d, %d], output [%d, %d]",
			      x->dims[0], x->dims[1], wf->dims[0], wf->dims[1], wt->dims[0],
			      wt->dims[1], st->dims[0], st->dims[1], o->dims[0], o->dims[1]);
	if (b) {
		if (b->dtype != ENPU_DTYPE_INT32 || b->rank != 1 || b->dims[0] != p->units ||
		    !b->data)
			return pc_bad(c, "bias must be a constant int32 [%d]", p->units);
		/* int32 tensors carry no quantization here: checked when given */
		if (b->num_scales && pc_per_tensor(c, b, "bias", &bs, &zp))
			return -EINVAL;
	}
	if (enpu_svdf_derive(xs, wfs, wts, bs, sts, os, p))
		return pc_bad(c, "its scales give no multiplier in range, or the bias scale is "
			      "not state scale x weights_time scale");
	c->p->macs = (uint64_t)p->batches * (uint64_t)wf->dims[0] *
		     ((uint64_t)p->input_size + (uint64_t)p->memory_size);
	return 0;
}
