// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's runners of the binary element-wise operators: MUL,
 * SUB, MAXIMUM, MINIMUM (int8, with broadcasting).
 */
#include <string.h>

#include "golden_ops.h"

/*
 * in0, in1, out0 as tensors of dtype of any rank, their shapes (checked
 * against the output buffer) and quantizations.
 */
int binary_prepare(struct ctx *c, enum golden_dtype dtype, struct binary_case *k)
{
	int r;

	memset(k, 0, sizeof(*k));
	if (!(k->a = tensor(c, "in0", dtype, -1)) ||
	    !(k->b = tensor(c, "in1", dtype, -1)) ||
	    !(k->out = tensor(c, "out0", dtype, -1)))
		return R_FAIL;
	if ((r = to_shape(c, k->a, &k->sa)) || (r = to_shape(c, k->b, &k->sb)) ||
	    (r = to_shape(c, k->out, &k->so)) || (r = output_like(c, k->out)) ||
	    (r = per_tensor(c, k->a, &k->scale_a, &k->zp_a)) ||
	    (r = per_tensor(c, k->b, &k->scale_b, &k->zp_b)) ||
	    (r = per_tensor(c, k->out, &k->scale_out, &k->zp_out)))
		return r;
	return R_PASS;
}

/* The derived lines of ADD's and SUB's rescaling (the same fields). */
static int check_rescale(struct ctx *c, int32_t left_shift, int32_t m1,
			 int32_t s1, int32_t m2, int32_t s2, int32_t m_out,
			 int32_t s_out)
{
	int r;

	if ((r = check_derived1(c, "left_shift", left_shift)) ||
	    (r = check_derived1(c, "input1_multiplier", m1)) ||
	    (r = check_derived1(c, "input1_shift", s1)) ||
	    (r = check_derived1(c, "input2_multiplier", m2)) ||
	    (r = check_derived1(c, "input2_shift", s2)) ||
	    (r = check_derived1(c, "output_multiplier", m_out)) ||
	    (r = check_derived1(c, "output_shift", s_out)))
		return r;
	return R_PASS;
}

int add_prepare(struct ctx *c, enum golden_dtype dtype,
		int (*derive)(float, float, float, struct enpu_add_params *),
		struct binary_case *k, struct enpu_add_params *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	if ((r = binary_prepare(c, dtype, k)))
		return r;
	*p = (struct enpu_add_params){
		.input1 = k->sa, .input2 = k->sb, .output = k->so,
		.input1_zero_point = k->zp_a, .input2_zero_point = k->zp_b,
		.output_zero_point = k->zp_out,
	};
	if (derive(k->scale_a, k->scale_b, k->scale_out, p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_rescale(c, p->left_shift, p->input1_multiplier,
			       p->input1_shift, p->input2_multiplier,
			       p->input2_shift, p->output_multiplier,
			       p->output_shift)) ||
	    (r = activation_range(c, k->out, &p->act_min, &p->act_max)))
		return r;
	return R_PASS;
}

int run_mul(struct ctx *c)
{
	struct binary_case k;
	int r;

	if ((r = binary_prepare(c, GOLDEN_INT8, &k)))
		return r;

	struct enpu_mul_params p = {
		.input1 = k.sa, .input2 = k.sb, .output = k.so,
		.input1_zero_point = k.zp_a, .input2_zero_point = k.zp_b,
		.output_zero_point = k.zp_out,
	};

	if (enpu_mul_derive(k.scale_a, k.scale_b, k.scale_out, &p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived1(c, "output_multiplier", p.output_multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.output_shift)) ||
	    (r = activation_range(c, k.out, &p.act_min, &p.act_max)))
		return r;
	r = c->be->mul(&p, (const int8_t *)k.a->data, k.a->count,
		     (const int8_t *)k.b->data, k.b->count,
		     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_sub(struct ctx *c)
{
	struct binary_case k;
	int r;

	if ((r = binary_prepare(c, GOLDEN_INT8, &k)))
		return r;

	struct enpu_sub_params p = {
		.input1 = k.sa, .input2 = k.sb, .output = k.so,
		.input1_zero_point = k.zp_a, .input2_zero_point = k.zp_b,
		.output_zero_point = k.zp_out,
	};

	if (enpu_sub_derive(k.scale_a, k.scale_b, k.scale_out, &p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_rescale(c, p.left_shift, p.input1_multiplier,
			       p.input1_shift, p.input2_multiplier,
			       p.input2_shift, p.output_multiplier,
			       p.output_shift)) ||
	    (r = activation_range(c, k.out, &p.act_min, &p.act_max)))
		return r;
	r = c->be->sub(&p, (const int8_t *)k.a->data, k.a->count,
		     (const int8_t *)k.b->data, k.b->count,
		     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_minmax(struct ctx *c, int is_max)
{
	struct enpu_minmax_params p;
	struct binary_case k;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = binary_prepare(c, GOLDEN_INT8, &k)))
		return r;
	/* TFLM would still compare raw values; that is not a real max/min. */
	if (k.scale_a != k.scale_out || k.scale_b != k.scale_out ||
	    k.zp_a != k.zp_out || k.zp_b != k.zp_out)
		return skip(c, "tensors' quantizations differ (the kernel compares raw values)");
	p.input1 = k.sa;
	p.input2 = k.sb;
	p.output = k.so;
	r = (is_max ? c->be->maximum : c->be->minimum)(&p,
		(const int8_t *)k.a->data, k.a->count,
		(const int8_t *)k.b->data, k.b->count,
		(int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_maximum(struct ctx *c)
{
	return run_minmax(c, 1);
}

int run_minimum(struct ctx *c)
{
	return run_minmax(c, 0);
}
