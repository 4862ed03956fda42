// SPDX-License-Identifier: MIT
/*
 * Preparing the element-wise activations: RELU, RELU6, LEAKY_RELU,
 * LOGISTIC, TANH, HARD_SWISH. Each takes one int8 tensor to one of the
 * same shape, per-tensor quantized; the derivations are TFLite-Micro's
 * (hw/int8/enpu_activation.h), and what TFLite-Micro requires of the
 * quantization (LOGISTIC's output 1/256 and -128, TANH's 1/128 and 0,
 * HARD_SWISH's output scale above the input's / 128) is refused with the
 * reason rather than computed wrongly.
 */
#include <string.h>

#include "internal.h"
#include "prepare.h"

/* Input and output: int8, per tensor, the same shape. */
static int unary(struct pctx *c, float *in_scale, int32_t *in_zp, float *out_scale,
		 int32_t *out_zp)
{
	const struct enpu_gtensor *x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1);

	if (!x || !o)
		return -EINVAL;
	if (x->rank != o->rank || memcmp(x->dims, o->dims, sizeof(x->dims[0]) * (size_t)x->rank))
		return pc_bad(c, "the output must have the input's shape");
	if (pc_per_tensor(c, x, "input", in_scale, in_zp) ||
	    pc_per_tensor(c, o, "output", out_scale, out_zp))
		return -EINVAL;
	c->p->count = x->count;
	return 0;
}

static int prep_relu(struct pctx *c)
{
	float xs, os;
	int32_t xz, oz;

	if (unary(c, &xs, &xz, &os, &oz))
		return -EINVAL;
	if (enpu_relu_derive(xs, xz, os, oz, &c->p->p.relu))
		return pc_bad_scale(c, xs, NULL, 0, os, "the requantization");
	return 0;
}

/* TFLite-Micro's RELU6 clamps in the input's quantization, whatever the output's. */
static int prep_relu6(struct pctx *c)
{
	float xs, os;
	int32_t xz, oz;

	if (unary(c, &xs, &xz, &os, &oz))
		return -EINVAL;
	if (enpu_relu6_derive(xs, xz, &c->p->p.relu6))
		return pc_bad(c, "6.0 cannot be quantized with scale %g", (double)xs);
	return 0;
}

static int prep_leaky_relu(struct pctx *c)
{
	float xs, os;
	int32_t xz, oz;

	if (unary(c, &xs, &xz, &os, &oz))
		return -EINVAL;
	if (!(c->l->alpha == c->l->alpha) || c->l->alpha > 1e6f || c->l->alpha < -1e6f)
		return pc_bad(c, "alpha %g is not a usable number", (double)c->l->alpha);
	if (enpu_leaky_relu_derive(c->l->alpha, xs, xz, os, oz, &c->p->p.leaky_relu))
		return pc_bad(c, "alpha %g with input scale %g and output scale %g gives "
			      "multipliers outside what TFLite supports", (double)c->l->alpha,
			      (double)xs, (double)os);
	return 0;
}

/* LOGISTIC and TANH: their output quantization is fixed by TFLite. */
static int prep_sigmoid(struct pctx *c, int tanh)
{
	float xs, os, want = tanh ? 1.0f / 128 : 1.0f / 256;
	int32_t xz, oz, want_zp = tanh ? 0 : -128;
	int ret;

	if (unary(c, &xs, &xz, &os, &oz))
		return -EINVAL;
	if (os != want || oz != want_zp)
		return pc_bad(c, "the output must be quantized with scale 1/%d and zero point %d "
			      "(TFLite's int8 %s), not %g and %d", tanh ? 128 : 256, want_zp,
			      tanh ? "TANH" : "LOGISTIC", (double)os, oz);
	ret = tanh ? enpu_tanh_derive(xs, xz, os, oz, &c->p->p.tanh) :
		     enpu_logistic_derive(xs, xz, os, oz, &c->p->p.logistic);
	if (ret)
		return pc_bad(c, "input scale %g cannot be brought to the fixed-point input "
			      "%s needs", (double)xs, tanh ? "TANH" : "LOGISTIC");
	return 0;
}

static int prep_hard_swish(struct pctx *c)
{
	float xs, os;
	int32_t xz, oz;

	if (unary(c, &xs, &xz, &os, &oz))
		return -EINVAL;
	if (enpu_hard_swish_derive(xs, xz, os, oz, &c->p->p.hard_swish))
		return pc_bad(c, "the output scale %g must be more than the input scale %g / 128 "
			      "(TFLite's int8 HARD_SWISH)", (double)os, (double)xs);
	return 0;
}

int enpu_prepare_activation(struct pctx *c)
{
	switch (c->l->type) {
	case ENPU_LAYER_RELU:
		return prep_relu(c);
	case ENPU_LAYER_RELU6:
		return prep_relu6(c);
	case ENPU_LAYER_LEAKY_RELU:
		return prep_leaky_relu(c);
	case ENPU_LAYER_LOGISTIC:
		return prep_sigmoid(c, 0);
	case ENPU_LAYER_TANH:
		return prep_sigmoid(c, 1);
	case ENPU_LAYER_HARD_SWISH:
		return prep_hard_swish(c);
	default:
		return pc_bad(c, "not an activation");
	}
}
