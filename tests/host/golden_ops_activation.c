// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's runners of the element-wise activations: RELU, RELU6,
 * LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH. Each derives its Prepare-time
 * values from the file's scales (and options), checks them against the
 * `derived` lines, and runs the kernel on the input's element count.
 */
#include <stdlib.h>
#include <string.h>

#include "golden_ops.h"

/* The int8 input and output of a unary op, with their quantization. */
struct unary {
	const struct golden_tensor *in, *out;
	float in_scale, out_scale;
	int32_t in_zp, out_zp;
};

static int read_unary(struct ctx *c, struct unary *u)
{
	int r;

	if (!(u->in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(u->out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, u->in, &u->in_scale, &u->in_zp)) ||
	    (r = per_tensor(c, u->out, &u->out_scale, &u->out_zp)))
		return r;
	if (u->in->rank != u->out->rank ||
	    memcmp(u->in->dims, u->out->dims, sizeof(u->in->dims[0]) * (size_t)u->in->rank))
		return fail(c, "input and output shapes differ");
	return output_like(c, u->out);
}

/* Every kernel of the family has this signature past its params. */
#define RUN_UNARY(c, u, fn, p)						\
	((c)->be->fn((p), (u)->in->count, (const int8_t *)(u)->in->data,	\
		     (u)->in->count, (int8_t *)(c)->got, (c)->got_len))

int run_relu(struct ctx *c)
{
	struct enpu_relu_params p;
	struct unary u;
	int r;

	if ((r = read_unary(c, &u)))
		return r;
	if (enpu_relu_derive(u.in_scale, u.in_zp, u.out_scale, u.out_zp, &p))
		return fail(c, "RELU derivation failed");
	if ((r = check_derived1(c, "output_multiplier", p.output_multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.output_shift)) ||
	    (r = check_derived1(c, "quantized_activation_min",
				p.quantized_activation_min)) ||
	    (r = check_derived1(c, "quantized_activation_max",
				p.quantized_activation_max)))
		return r;
	r = RUN_UNARY(c, &u, relu, &p);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_relu6(struct ctx *c)
{
	struct enpu_relu6_params p;
	struct unary u;
	int r;

	if ((r = read_unary(c, &u)))
		return r;
	/* TFLM clamps in the input's quantization, whatever the output's. */
	if (enpu_relu6_derive(u.in_scale, u.in_zp, &p))
		return fail(c, "RELU6 derivation failed");
	if ((r = check_derived1(c, "six", p.six)) ||
	    (r = check_derived1(c, "zero", p.zero)))
		return r;
	r = RUN_UNARY(c, &u, relu6, &p);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_leaky_relu(struct ctx *c)
{
	const char *alpha_s = golden_find_option(c->g, "alpha");
	struct enpu_leaky_relu_params p;
	struct unary u;
	float alpha;
	char *end;
	int r;

	if ((r = read_unary(c, &u)))
		return r;
	if (!alpha_s)
		return fail(c, "option alpha missing");
	alpha = strtof(alpha_s, &end);
	if (end == alpha_s || *end)
		return fail(c, "bad alpha '%s'", alpha_s);
	if (enpu_leaky_relu_derive(alpha, u.in_scale, u.in_zp, u.out_scale,
				   u.out_zp, &p))
		return fail(c, "LEAKY_RELU derivation failed");
	if ((r = check_derived1(c, "output_multiplier_alpha",
				p.output_multiplier_alpha)) ||
	    (r = check_derived1(c, "output_shift_alpha", p.output_shift_alpha)) ||
	    (r = check_derived1(c, "output_multiplier_identity",
				p.output_multiplier_identity)) ||
	    (r = check_derived1(c, "output_shift_identity",
				p.output_shift_identity)))
		return r;
	r = RUN_UNARY(c, &u, leaky_relu, &p);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_logistic(struct ctx *c)
{
	struct enpu_logistic_params p;
	struct unary u;
	int r;

	if ((r = read_unary(c, &u)))
		return r;
	if (u.out_scale != 1.0f / 256 || u.out_zp != -128)
		return skip(c, "int8 LOGISTIC output must be scale 1/256, zp -128");
	if (enpu_logistic_derive(u.in_scale, u.in_zp, u.out_scale, u.out_zp, &p))
		return fail(c, "LOGISTIC derivation failed");
	if ((r = check_derived1(c, "input_multiplier", p.input_multiplier)) ||
	    (r = check_derived1(c, "input_left_shift", p.input_left_shift)) ||
	    (r = check_derived1(c, "input_range_radius", p.input_range_radius)))
		return r;
	r = RUN_UNARY(c, &u, logistic, &p);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_tanh(struct ctx *c)
{
	struct enpu_tanh_params p;
	struct unary u;
	int r;

	if ((r = read_unary(c, &u)))
		return r;
	if (u.out_scale != 1.0f / 128 || u.out_zp != 0)
		return skip(c, "int8 TANH output must be scale 1/128, zp 0");
	if (enpu_tanh_derive(u.in_scale, u.in_zp, u.out_scale, u.out_zp, &p))
		return fail(c, "TANH derivation failed");
	if ((r = check_derived1(c, "input_multiplier", p.input_multiplier)) ||
	    (r = check_derived1(c, "input_left_shift", p.input_left_shift)) ||
	    (r = check_derived1(c, "input_range_radius", p.input_range_radius)))
		return r;
	r = RUN_UNARY(c, &u, tanh, &p);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_hard_swish(struct ctx *c)
{
	struct enpu_hard_swish_params p;
	struct unary u;
	int r;

	if ((r = read_unary(c, &u)))
		return r;
	if (enpu_hard_swish_derive(u.in_scale, u.in_zp, u.out_scale, u.out_zp,
				   &p))
		return fail(c, "HARD_SWISH derivation failed");
	if ((r = check_derived1(c, "reluish_multiplier_fixedpoint_int16",
				p.reluish_multiplier_fixedpoint_int16)) ||
	    (r = check_derived1(c, "reluish_multiplier_exponent",
				p.reluish_multiplier_exponent)) ||
	    (r = check_derived1(c, "output_multiplier_fixedpoint_int16",
				p.output_multiplier_fixedpoint_int16)) ||
	    (r = check_derived1(c, "output_multiplier_exponent",
				p.output_multiplier_exponent)))
		return r;
	r = RUN_UNARY(c, &u, hard_swish, &p);
	return r ? kernel_fail(c, r) : R_PASS;
}
