// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's runners of the binary element-wise operators: MUL,
 * SUB, MAXIMUM, MINIMUM (int8, with broadcasting).
 */
#include <string.h>

#include "golden_ops.h"

/* in0, in1, out0 as int8 tensors of any rank, and their shapes. */
static int binary_tensors(struct ctx *c, const struct golden_tensor **a,
			  const struct golden_tensor **b,
			  const struct golden_tensor **out,
			  struct enpu_shape *sa, struct enpu_shape *sb,
			  struct enpu_shape *so)
{
	int r;

	if (!(*a = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(*b = tensor(c, "in1", GOLDEN_INT8, -1)) ||
	    !(*out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = to_shape(c, *a, sa)) || (r = to_shape(c, *b, sb)) ||
	    (r = to_shape(c, *out, so)) || (r = output_like(c, *out)))
		return r;
	return R_PASS;
}

int run_mul(struct ctx *c)
{
	const struct golden_tensor *a, *b, *out;
	struct enpu_mul_params p;
	float sa, sb, so;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = binary_tensors(c, &a, &b, &out, &p.input1, &p.input2,
				&p.output)) ||
	    (r = per_tensor(c, a, &sa, &p.input1_zero_point)) ||
	    (r = per_tensor(c, b, &sb, &p.input2_zero_point)) ||
	    (r = per_tensor(c, out, &so, &p.output_zero_point)))
		return r;
	if (enpu_mul_derive(sa, sb, so, &p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived1(c, "output_multiplier", p.output_multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.output_shift)) ||
	    (r = activation_range(c, out, &p.act_min, &p.act_max)))
		return r;
	r = c->be->mul(&p, (const int8_t *)a->data, a->count,
		     (const int8_t *)b->data, b->count,
		     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_sub(struct ctx *c)
{
	const struct golden_tensor *a, *b, *out;
	struct enpu_sub_params p;
	float sa, sb, so;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = binary_tensors(c, &a, &b, &out, &p.input1, &p.input2,
				&p.output)) ||
	    (r = per_tensor(c, a, &sa, &p.input1_zero_point)) ||
	    (r = per_tensor(c, b, &sb, &p.input2_zero_point)) ||
	    (r = per_tensor(c, out, &so, &p.output_zero_point)))
		return r;
	if (enpu_sub_derive(sa, sb, so, &p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived1(c, "left_shift", p.left_shift)) ||
	    (r = check_derived1(c, "input1_multiplier", p.input1_multiplier)) ||
	    (r = check_derived1(c, "input1_shift", p.input1_shift)) ||
	    (r = check_derived1(c, "input2_multiplier", p.input2_multiplier)) ||
	    (r = check_derived1(c, "input2_shift", p.input2_shift)) ||
	    (r = check_derived1(c, "output_multiplier", p.output_multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.output_shift)) ||
	    (r = activation_range(c, out, &p.act_min, &p.act_max)))
		return r;
	r = c->be->sub(&p, (const int8_t *)a->data, a->count,
		     (const int8_t *)b->data, b->count,
		     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_minmax(struct ctx *c, int is_max)
{
	const struct golden_tensor *a, *b, *out;
	struct enpu_minmax_params p;
	float sa, sb, so;
	int32_t za, zb, zo;
	int r;

	memset(&p, 0, sizeof(p));
	if ((r = binary_tensors(c, &a, &b, &out, &p.input1, &p.input2,
				&p.output)) ||
	    (r = per_tensor(c, a, &sa, &za)) || (r = per_tensor(c, b, &sb, &zb)) ||
	    (r = per_tensor(c, out, &so, &zo)))
		return r;
	/* TFLM would still compare raw values; that is not a real max/min. */
	if (sa != so || sb != so || za != zo || zb != zo)
		return skip(c, "tensors' quantizations differ (the kernel compares raw values)");
	r = (is_max ? c->be->maximum : c->be->minimum)(&p,
		(const int8_t *)a->data, a->count,
		(const int8_t *)b->data, b->count,
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
