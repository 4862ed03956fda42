// SPDX-License-Identifier: MIT
/*
 * Preparing the binary element-wise layers ADD, MUL, SUB, MAXIMUM and
 * MINIMUM: two int8 operands (ADD also int16: 16x8) broadcast against each other
 * as TFLite does (right-aligned; along each dimension equal or 1), to an
 * output of the broadcast shape. MUL and SUB requantize with TFLite-Micro's
 * derivations (hw/int8/enpu_binary.h) and apply the fused activation;
 * MAXIMUM and MINIMUM compare raw values, so all three tensors must share
 * one quantization, which is checked.
 */
#include "internal.h"
#include "prepare.h"

struct operands {
	const struct enpu_gtensor *a, *b, *o;
	struct enpu_shape sa, sb, so;
	float as, bs, os;		/* quant_operands() only */
	int32_t az, bz, oz;
};

static int operands(struct pctx *c, struct operands *x)
{
	int wide_ok = c->l->type == ENPU_LAYER_ADD;
	int i;

	if (!(x->a = pc_act_in(c, 0, -1, "first operand", wide_ok)) ||
	    !(x->b = pc_in(c, 1, x->a->dtype, -1, "second operand")) ||
	    !(x->o = pc_out(c, x->a->dtype, -1)))
		return -EINVAL;
	if (x->a->rank > x->o->rank || x->b->rank > x->o->rank)
		return pc_bad(c, "an operand has a higher rank than the output");
	for (i = 1; i <= x->o->rank; i++) {
		int32_t od = x->o->dims[x->o->rank - i];
		int32_t ad = i <= x->a->rank ? x->a->dims[x->a->rank - i] : 1;
		int32_t bd = i <= x->b->rank ? x->b->dims[x->b->rank - i] : 1;

		if ((ad != od && ad != 1) || (bd != od && bd != 1) || (ad != od && bd != od))
			return pc_bad(c, "shapes do not broadcast to the output at dimension %d",
				      x->o->rank - i);
	}
	pc_to_shape(x->a, &x->sa);
	pc_to_shape(x->b, &x->sb);
	pc_to_shape(x->o, &x->so);
	return 0;
}

/* operands() and each tensor's per-tensor quantization (MUL, SUB). */
static int quant_operands(struct pctx *c, struct operands *x)
{
	if (operands(c, x) ||
	    pc_per_tensor(c, x->a, "first operand", &x->as, &x->az) ||
	    pc_per_tensor(c, x->b, "second operand", &x->bs, &x->bz) ||
	    pc_per_tensor(c, x->o, "output", &x->os, &x->oz))
		return -EINVAL;
	return 0;
}

static int prep_mul(struct pctx *c)
{
	struct enpu_mul_params *p = &c->p->p.mul;
	struct operands x;

	if (quant_operands(c, &x))
		return -EINVAL;
	*p = (struct enpu_mul_params){
		.input1 = x.sa, .input2 = x.sb, .output = x.so,
		.input1_zero_point = x.az, .input2_zero_point = x.bz,
		.output_zero_point = x.oz,
	};
	if (enpu_mul_derive(x.as, x.bs, x.os, p))
		return pc_bad(c, "scales %g x %g / %g give a multiplier TFLite cannot use",
			      (double)x.as, (double)x.bs, (double)x.os);
	return pc_act_range(c, x.os, x.oz, &p->act_min, &p->act_max);
}

static int prep_sub(struct pctx *c)
{
	struct enpu_sub_params *p = &c->p->p.sub;
	struct operands x;

	if (quant_operands(c, &x))
		return -EINVAL;
	*p = (struct enpu_sub_params){
		.input1 = x.sa, .input2 = x.sb, .output = x.so,
		.input1_zero_point = x.az, .input2_zero_point = x.bz,
		.output_zero_point = x.oz,
	};
	if (enpu_sub_derive(x.as, x.bs, x.os, p))
		return pc_bad(c, "scales give a multiplier of 1 or more (TFLite refuses these too)");
	return pc_act_range(c, x.os, x.oz, &p->act_min, &p->act_max);
}

static int prep_minmax(struct pctx *c)
{
	struct enpu_minmax_params *p = &c->p->p.minmax;
	struct operands x;

	if (operands(c, &x) || pc_same_quant(c, x.a, x.o, "first operand") ||
	    pc_same_quant(c, x.b, x.o, "second operand"))
		return -EINVAL;
	if (c->l->activation != ENPU_FUSED_NONE)
		return pc_bad(c, "%s has no fused activation", enpu_layer_type_name(c->l->type));
	p->input1 = x.sa;
	p->input2 = x.sb;
	p->output = x.so;
	return 0;
}

/* ADD: TFLite-Micro's derivation for int8 (20 bits of headroom) or int16 (15). */
static int prep_add(struct pctx *c)
{
	struct enpu_add_params *p = &c->p->p.add;
	struct operands x;

	if (quant_operands(c, &x))
		return -EINVAL;
	p->input1 = x.sa;
	p->input2 = x.sb;
	p->output = x.so;
	p->input1_zero_point = x.az;
	p->input2_zero_point = x.bz;
	p->output_zero_point = x.oz;
	if (x.a->dtype == ENPU_DTYPE_INT16 ? enpu_add_int16_derive(x.as, x.bs, x.os, p) :
					     enpu_add_derive(x.as, x.bs, x.os, p))
		return pc_bad(c, "scales give a multiplier of 1 or more (TFLite refuses these too)");
	return pc_act_range(c, x.os, p->output_zero_point, &p->act_min, &p->act_max);
}

int enpu_prepare_binary(struct pctx *c)
{
	switch (c->l->type) {
	case ENPU_LAYER_ADD:
		return prep_add(c);
	case ENPU_LAYER_MUL:
		return prep_mul(c);
	case ENPU_LAYER_SUB:
		return prep_sub(c);
	case ENPU_LAYER_MAXIMUM:
	case ENPU_LAYER_MINIMUM:
		return prep_minmax(c);
	default:
		return pc_bad(c, "not a binary element-wise layer");
	}
}
