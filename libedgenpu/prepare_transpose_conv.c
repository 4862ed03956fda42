// SPDX-License-Identifier: MIT
/*
 * Preparing TRANSPOSE_CONV (TFLite's operand order: output_shape, weights,
 * input[, bias]): the output shape is a constant int32 [4] that must be
 * the output tensor's; weights are constant, symmetric, per-tensor or per
 * output channel, [Cout, KH, KW, Cin]; the bias, when there is one, is a
 * constant int32 [Cout]. Padding, activation range and multipliers are
 * TFLite-Micro's derivations (hw/int8/enpu_wide.h).
 */
#include <string.h>

#include "internal.h"
#include "prepare.h"

int enpu_prepare_transpose_conv(struct pctx *c)
{
	struct enpu_transpose_conv_params *p = &c->p->p.tconv;
	const struct enpu_gtensor *shape, *w, *x, *o;
	const void *bias;
	enum enpu_activation act = ENPU_ACT_NONE;
	enum enpu_padding pad;
	float xs, os;

	if (!(shape = pc_in(c, 0, ENPU_DTYPE_INT32, 1, "output shape")) ||
	    !(w = pc_in(c, 1, ENPU_DTYPE_INT8, 4, "weights")) ||
	    !(x = pc_in(c, 2, ENPU_DTYPE_INT8, 4, "input")) ||
	    !(o = pc_out(c, ENPU_DTYPE_INT8, 4)))
		return -EINVAL;
	if (!shape->data || shape->count != 4 ||
	    memcmp(shape->data, o->dims, 4 * sizeof(int32_t)))
		return pc_bad(c, "the output shape must be a constant [4] equal to the output "
			      "tensor's shape");
	if (pc_symmetric_weights(c, w) || pc_padding_type(c, &pad) || pc_activation(c, &act) ||
	    pc_per_tensor(c, x, "input", &xs, &p->input_zero_point) ||
	    pc_per_tensor(c, o, "output", &os, &p->output_zero_point))
		return -EINVAL;
	if (w->num_scales != 1 && w->num_scales != (size_t)w->dims[0])
		return pc_bad(c, "weights have %zu scales for %d output channels", w->num_scales,
			      w->dims[0]);
	if (w->dims[3] != x->dims[3] || w->dims[0] != o->dims[3] || x->dims[0] != o->dims[0])
		return pc_bad(c, "weights [%d, %d, %d, %d] do not take the input's %d channels "
			      "to the output's %d", w->dims[0], w->dims[1], w->dims[2],
			      w->dims[3], x->dims[3], o->dims[3]);
	if (pc_bias_of(c, 3, w->dims[0], &bias))
		return -EINVAL;
	if (c->l->stride_h < 1 || c->l->stride_w < 1)
		return pc_bad(c, "strides %d x %d must be at least 1", c->l->stride_h,
			      c->l->stride_w);
	p->input = pc_nhwc(x);
	p->filter = pc_nhwc(w);
	p->output = pc_nhwc(o);
	p->stride_h = c->l->stride_h;
	p->stride_w = c->l->stride_w;
	if (pc_alloc_quant(c, (size_t)w->dims[0]))
		return -ENOMEM;
	if (enpu_transpose_conv_derive(pad, act, xs, w->scales, w->num_scales, os, p,
				       c->p->mult, c->p->shift, (size_t)w->dims[0]))
		return pc_bad_scale(c, xs, w->scales, w->num_scales, os, "the multiplier");
	c->p->macs = (uint64_t)x->count * (uint64_t)w->dims[0] * (uint64_t)w->dims[1] *
		     (uint64_t)w->dims[2];
	return 0;
}
