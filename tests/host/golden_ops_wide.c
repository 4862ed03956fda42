// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's runners of TRANSPOSE_CONV, SVDF and the 16x8 cases of
 * CONV_2D, FULLY_CONNECTED and ADD (shared/goldens/ops16x8: int16
 * activations, int8 weights, int64 biases), which the int8 runners hand
 * over when in0 is int16. Tensors of more than one byte per element are
 * copied out of the file's bytes (the host is little-endian, as the
 * format) and the int16 outputs copied back into c->got.
 */
#include <stdlib.h>
#include <string.h>

#include "golden_ops.h"

/* ---- helpers ---------------------------------------------------------------- */

/* A malloc'd copy of t's elements (dtype checked by the caller). */
static void *copy_data(struct ctx *c, const struct golden_tensor *t)
{
	void *v = malloc(t->bytes + 1);

	if (!v) {
		fail(c, "out of memory");
		return NULL;
	}
	memcpy(v, t->data, t->bytes);
	return v;
}

/* Every zero point of a (per-channel) weight tensor is 0. */
static int symmetric(struct ctx *c, const struct golden_tensor *w)
{
	if (!w->quant.present)
		return fail(c, "weights not quantized");
	for (size_t i = 0; i < w->quant.count; i++)
		if (w->quant.zero_points[i] != 0)
			return skip(c, "asymmetric weights (TFLM rejects them)");
	return R_PASS;
}

/* The int16 output's activation range, checked against the derived lines. */
static int activation_range16(struct ctx *c, const struct golden_tensor *out,
			      int32_t *lo, int32_t *hi)
{
	enum enpu_activation act;
	float scale;
	int32_t zp;
	int r;

	if ((r = opt_activation(c, &act)) || (r = per_tensor(c, out, &scale, &zp)))
		return r;
	if (enpu_activation_range_int16(act, scale, zp, lo, hi))
		return fail(c, "activation range derivation failed");
	if ((r = check_derived1(c, "output_activation_min", *lo)) ||
	    (r = check_derived1(c, "output_activation_max", *hi)))
		return r;
	return R_PASS;
}

/* An entry the backend lacks: an explicit skip naming why. */
static int unsupported(struct ctx *c, const char *what)
{
	return skip(c, "%s: %s", what, c->be->unsupported);
}

/* The int16 output of a run (little-endian host) into c->got. */
static int got_i16(struct ctx *c, int r, const int16_t *y)
{
	if (r)
		return kernel_fail(c, r);
	memcpy(c->got, y, c->got_len);
	return R_PASS;
}

/* ---- TRANSPOSE_CONV ----------------------------------------------------------- */

int run_transpose_conv(struct ctx *c)
{
	const struct golden_tensor *oshape, *w, *in, *bias, *out;
	struct enpu_transpose_conv_params p;
	float in_scale, out_scale;
	enum enpu_padding pad;
	enum enpu_activation act;
	int32_t *mult = NULL, *shift = NULL, *bias_v = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(oshape = tensor(c, "in0", GOLDEN_INT32, 1)) ||
	    !(w = tensor(c, "in1", GOLDEN_INT8, 4)) ||
	    !(in = tensor(c, "in2", GOLDEN_INT8, 4)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, 4)))
		return R_FAIL;
	bias = golden_find_tensor(c->g, "in3");
	if (bias && (bias->dtype != GOLDEN_INT32 || bias->rank != 1))
		return fail(c, "bias must be int32 rank 1");
	if ((r = per_tensor(c, in, &in_scale, &p.input_zero_point)) ||
	    (r = per_tensor(c, out, &out_scale, &p.output_zero_point)) ||
	    (r = to_nhwc(c, in, &p.input)) || (r = to_nhwc(c, w, &p.filter)) ||
	    (r = to_nhwc(c, out, &p.output)) || (r = opt_padding(c, &pad)) ||
	    (r = opt_activation(c, &act)) ||
	    (r = opt_int(c, "stride_h", &p.stride_h)) ||
	    (r = opt_int(c, "stride_w", &p.stride_w)) ||
	    (r = symmetric(c, w)))
		return r;
	/* TFLM takes the output size from the output tensor; the
	 * output_shape input must say the same.
	 */
	if (oshape->count != 4)
		return fail(c, "output_shape has %zu values", oshape->count);
	for (int i = 0; i < 4; i++)
		if (golden_i32(oshape, (size_t)i) != out->dims[i])
			return fail(c, "output_shape[%d] %d, out0 has %d", i,
				    (int)golden_i32(oshape, (size_t)i),
				    (int)out->dims[i]);

	const size_t cout = (size_t)(p.filter.n > 0 ? p.filter.n : 0);

	mult = calloc(cout + 1, sizeof(int32_t));
	shift = calloc(cout + 1, sizeof(int32_t));
	if (!mult || !shift || (bias && !(bias_v = copy_data(c, bias)))) {
		r = fail(c, "out of memory");
		goto out;
	}
	if (enpu_transpose_conv_derive(pad, act, in_scale, w->quant.scales,
				       w->quant.count, out_scale, &p, mult, shift,
				       cout)) {
		r = fail(c, "transpose_conv derivation failed");
		goto out;
	}
	if ((r = check_derived(c, "output_multiplier", mult, cout)) ||
	    (r = check_derived(c, "output_shift", shift, cout)) ||
	    (r = check_derived1(c, "output_activation_min", p.output_activation_min)) ||
	    (r = check_derived1(c, "output_activation_max", p.output_activation_max)) ||
	    (r = check_derived1(c, "padding_width", p.padding_width)) ||
	    (r = check_derived1(c, "padding_height", p.padding_height)) ||
	    (r = output_like(c, out)))
		goto out;
	r = c->be->transpose_conv(&p, (const int8_t *)in->data, in->count,
				  (const int8_t *)w->data, w->count,
				  bias_v, bias ? bias->count : 0,
				  (int8_t *)c->got, c->got_len);
	r = r ? kernel_fail(c, r) : R_PASS;
out:
	free(mult);
	free(shift);
	free(bias_v);
	return r;
}

/* ---- SVDF ----------------------------------------------------------------------- */

int run_svdf(struct ctx *c)
{
	const struct golden_tensor *in, *wf, *wt, *bias, *st, *out;
	const char *asym = golden_find_option(c->g, "asymmetric_quantize_inputs");
	struct enpu_svdf_params p;
	float in_scale, wf_scale, wt_scale, bias_scale = 0.0f, st_scale, out_scale;
	enum enpu_activation act;
	int32_t zp, rank, *bias_v = NULL;
	int16_t *wt_v = NULL, *state = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (asym && strcmp(asym, "false"))
		return skip(c, "hybrid (asymmetric_quantize_inputs) not supported");
	if (!(in = tensor(c, "in0", GOLDEN_INT8, 2)) ||
	    !(wf = tensor(c, "in1", GOLDEN_INT8, 2)) ||
	    !(wt = tensor(c, "in2", GOLDEN_INT16, 2)) ||
	    !(st = tensor(c, "in4", GOLDEN_INT16, 2)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, 2)))
		return R_FAIL;
	bias = golden_find_tensor(c->g, "in3");
	if (bias && (bias->dtype != GOLDEN_INT32 || bias->rank != 1))
		return fail(c, "bias must be int32 rank 1");
	/* Read (it must be valid) but not applied: TFLM's int8 SVDF ignores it. */
	if ((r = opt_activation(c, &act)) || (r = opt_int(c, "rank", &rank)) ||
	    (r = per_tensor(c, in, &in_scale, &p.input_zero_point)) ||
	    (r = per_tensor(c, wf, &wf_scale, &zp)) ||
	    (r = per_tensor(c, wt, &wt_scale, &zp)) ||
	    (r = per_tensor(c, st, &st_scale, &p.state_zero_point)) ||
	    (r = per_tensor(c, out, &out_scale, &p.output_zero_point)) ||
	    (bias && (r = per_tensor(c, bias, &bias_scale, &zp))))
		return r;
	if (rank < 1 || wf->dims[0] % rank)
		return fail(c, "rank %d does not divide %d filters", (int)rank,
			    (int)wf->dims[0]);
	p.batches = in->dims[0];
	p.input_size = in->dims[1];
	p.rank = rank;
	p.units = wf->dims[0] / rank;
	p.memory_size = wt->dims[1];
	if (wf->dims[1] != p.input_size || wt->dims[0] != wf->dims[0] ||
	    st->dims[0] != p.batches ||
	    (int64_t)st->dims[1] != (int64_t)p.memory_size * wf->dims[0] ||
	    out->dims[0] != p.batches || out->dims[1] != p.units ||
	    (bias && bias->dims[0] != p.units))
		return fail(c, "inconsistent shapes");
	if (enpu_svdf_derive(in_scale, wf_scale, wt_scale, bias_scale, st_scale,
			     out_scale, &p))
		return fail(c, "svdf derivation failed");
	if ((r = check_derived1(c, "effective_scale_1_a", p.effective_scale_1_a)) ||
	    (r = check_derived1(c, "effective_scale_1_b", p.effective_scale_1_b)) ||
	    (r = check_derived1(c, "effective_scale_2_a", p.effective_scale_2_a)) ||
	    (r = check_derived1(c, "effective_scale_2_b", p.effective_scale_2_b)) ||
	    (r = output_like(c, out)))
		return r;
	/* The state is updated in place: run on a copy of the file's. */
	if (!(wt_v = copy_data(c, wt)) || !(state = copy_data(c, st)) ||
	    (bias && !(bias_v = copy_data(c, bias)))) {
		r = R_FAIL;
		goto out;
	}
	r = c->be->svdf(&p, (const int8_t *)in->data, in->count,
			(const int8_t *)wf->data, wf->count, wt_v, wt->count,
			bias_v, bias ? bias->count : 0, state, st->count,
			(int8_t *)c->got, c->got_len);
	r = r ? kernel_fail(c, r) : R_PASS;
out:
	free(wt_v);
	free(state);
	free(bias_v);
	return r;
}

/* ---- 16x8 CONV_2D / FULLY_CONNECTED / ADD ------------------------------------------ */

int wide_case(struct ctx *c)
{
	const struct golden_tensor *t = golden_find_tensor(c->g, "in0");

	return t && t->dtype == GOLDEN_INT16;
}

/* An int16 tensor's scale, with the zero point 0 the 16x8 kernels take. */
static int symmetric16(struct ctx *c, const struct golden_tensor *t,
		       float *scale)
{
	int32_t zp;
	int r;

	if ((r = per_tensor(c, t, scale, &zp)))
		return r;
	if (zp != 0)
		return skip(c, "tensor %s: int16 zero point %d (TFLM's 16x8 kernels assume 0)",
			    t->role, (int)zp);
	return R_PASS;
}

int run_conv2d_16x8(struct ctx *c)
{
	const struct golden_tensor *in, *w, *bias, *out;
	struct enpu_conv2d_params p;
	float in_scale, out_scale;
	enum enpu_padding pad;
	int32_t *mult = NULL, *shift = NULL;
	int16_t *x = NULL, *y = NULL;
	int64_t *bias_v = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (!c->be->conv2d_16x8)
		return unsupported(c, "16x8 CONV_2D");
	if (!(in = tensor(c, "in0", GOLDEN_INT16, 4)) ||
	    !(w = tensor(c, "in1", GOLDEN_INT8, 4)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT16, 4)))
		return R_FAIL;
	bias = golden_find_tensor(c->g, "in2");
	if (bias && (bias->dtype != GOLDEN_INT64 || bias->rank != 1))
		return skip(c, "16x8 bias must be int64 rank 1 (no int32-bias kernel)");
	if ((r = symmetric16(c, in, &in_scale)) ||
	    (r = symmetric16(c, out, &out_scale)) ||
	    (r = to_nhwc(c, in, &p.input)) || (r = to_nhwc(c, w, &p.filter)) ||
	    (r = to_nhwc(c, out, &p.output)) || (r = opt_padding(c, &pad)) ||
	    (r = opt_int(c, "stride_h", &p.stride_h)) ||
	    (r = opt_int(c, "stride_w", &p.stride_w)) ||
	    (r = opt_int(c, "dilation_h_factor", &p.dilation_h)) ||
	    (r = opt_int(c, "dilation_w_factor", &p.dilation_w)) ||
	    (r = symmetric(c, w)))
		return r;

	const size_t cout = (size_t)(p.filter.n > 0 ? p.filter.n : 0);

	mult = calloc(cout + 1, sizeof(int32_t));
	shift = calloc(cout + 1, sizeof(int32_t));
	y = malloc(c->got_len + 1);
	if (!mult || !shift || !y || !(x = copy_data(c, in)) ||
	    (bias && !(bias_v = copy_data(c, bias)))) {
		r = fail(c, "out of memory");
		goto out;
	}
	if (enpu_derive_per_channel(in_scale, w->quant.scales, w->quant.count,
				    out_scale, mult, shift, cout)) {
		r = fail(c, "multiplier derivation failed");
		goto out;
	}
	if ((r = check_derived(c, "output_multiplier", mult, cout)) ||
	    (r = check_derived(c, "output_shift", shift, cout)) ||
	    (r = activation_range16(c, out, &p.act_min, &p.act_max)) ||
	    (r = spatial(c, pad, p.input.h, p.filter.h, p.stride_h, p.dilation_h,
			 p.output.h, "height", &p.pad_top)) ||
	    (r = spatial(c, pad, p.input.w, p.filter.w, p.stride_w, p.dilation_w,
			 p.output.w, "width", &p.pad_left)) ||
	    (r = output_like(c, out)))
		goto out;
	p.multipliers = mult;
	p.shifts = shift;
	p.num_quant = cout;
	r = got_i16(c, c->be->conv2d_16x8(&p, x, in->count, (const int8_t *)w->data,
					  w->count, bias_v, bias ? bias->count : 0,
					  y, out->count), y);
out:
	free(mult);
	free(shift);
	free(x);
	free(y);
	free(bias_v);
	return r;
}

int run_fully_connected_16x8(struct ctx *c)
{
	const struct golden_tensor *in, *w, *bias, *out;
	const char *fmt = golden_find_option(c->g, "weights_format");
	const char *asym = golden_find_option(c->g, "asymmetric_quantize_inputs");
	struct enpu_fc_params p;
	float in_scale, out_scale;
	int32_t *mult = NULL, *shift = NULL;
	int16_t *x = NULL, *y = NULL;
	int64_t *bias_v = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (!c->be->fully_connected_16x8)
		return unsupported(c, "16x8 FULLY_CONNECTED");
	if (fmt && strcmp(fmt, "DEFAULT"))
		return skip(c, "weights_format %s not supported", fmt);
	if (asym && strcmp(asym, "false"))
		return skip(c, "hybrid (asymmetric_quantize_inputs) not supported");
	if (!(in = tensor(c, "in0", GOLDEN_INT16, -1)) ||
	    !(w = tensor(c, "in1", GOLDEN_INT8, 2)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT16, -1)))
		return R_FAIL;
	bias = golden_find_tensor(c->g, "in2");
	if (bias && (bias->dtype != GOLDEN_INT64 || bias->rank != 1))
		return skip(c, "16x8 bias must be int64 rank 1 (no int32-bias kernel)");
	if ((r = symmetric16(c, in, &in_scale)) ||
	    (r = symmetric16(c, out, &out_scale)) || (r = symmetric(c, w)))
		return r;
	if (out->rank < 1)
		return fail(c, "output rank 0");

	/* TFLite: batches = output flat size without its last dim. */
	const int32_t depth = w->dims[1];
	const int32_t outs = out->dims[out->rank - 1];
	const size_t batches = out->count / (size_t)outs;
	const size_t nq = w->quant.count;

	if (outs != w->dims[0] || in->count != batches * (size_t)depth)
		return fail(c, "inconsistent shapes");
	mult = calloc(nq, sizeof(int32_t));
	shift = calloc(nq, sizeof(int32_t));
	y = malloc(c->got_len + 1);
	if (!mult || !shift || !y || !(x = copy_data(c, in)) ||
	    (bias && !(bias_v = copy_data(c, bias)))) {
		r = fail(c, "out of memory");
		goto out;
	}
	if (nq > 1 ? enpu_derive_per_channel(in_scale, w->quant.scales, nq,
					     out_scale, mult, shift, nq) :
		     enpu_derive_fc_per_tensor(in_scale, w->quant.scales[0],
					       out_scale, mult, shift)) {
		r = fail(c, "multiplier derivation failed");
		goto out;
	}
	if ((r = check_derived(c, "output_multiplier", mult, nq)) ||
	    (r = check_derived(c, "output_shift", shift, nq)) ||
	    (r = activation_range16(c, out, &p.act_min, &p.act_max)) ||
	    (r = output_like(c, out)))
		goto out;
	p.batches = (int32_t)batches;
	p.input_depth = depth;
	p.output_depth = outs;
	p.multipliers = mult;
	p.shifts = shift;
	p.num_quant = nq;
	r = got_i16(c, c->be->fully_connected_16x8(&p, x, in->count,
						   (const int8_t *)w->data, w->count,
						   bias_v, bias ? bias->count : 0,
						   y, out->count), y);
out:
	free(mult);
	free(shift);
	free(x);
	free(y);
	free(bias_v);
	return r;
}

int run_add_int16(struct ctx *c)
{
	const struct golden_tensor *a, *b, *out;
	struct enpu_add_params p;
	float sa, sb, so;
	int16_t *xa = NULL, *xb = NULL, *y = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (!c->be->add_int16)
		return unsupported(c, "int16 ADD");
	if (!(a = tensor(c, "in0", GOLDEN_INT16, -1)) ||
	    !(b = tensor(c, "in1", GOLDEN_INT16, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT16, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, a, &sa, &p.input1_zero_point)) ||
	    (r = per_tensor(c, b, &sb, &p.input2_zero_point)) ||
	    (r = per_tensor(c, out, &so, &p.output_zero_point)) ||
	    (r = to_shape(c, a, &p.input1)) || (r = to_shape(c, b, &p.input2)) ||
	    (r = to_shape(c, out, &p.output)))
		return r;
	if (enpu_add_int16_derive(sa, sb, so, &p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived1(c, "left_shift", p.left_shift)) ||
	    (r = check_derived1(c, "input1_multiplier", p.input1_multiplier)) ||
	    (r = check_derived1(c, "input1_shift", p.input1_shift)) ||
	    (r = check_derived1(c, "input2_multiplier", p.input2_multiplier)) ||
	    (r = check_derived1(c, "input2_shift", p.input2_shift)) ||
	    (r = check_derived1(c, "output_multiplier", p.output_multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.output_shift)) ||
	    (r = activation_range16(c, out, &p.act_min, &p.act_max)) ||
	    (r = output_like(c, out)))
		return r;
	y = malloc(c->got_len + 1);
	if (!y || !(xa = copy_data(c, a)) || !(xb = copy_data(c, b))) {
		r = fail(c, "out of memory");
		goto out;
	}
	r = got_i16(c, c->be->add_int16(&p, xa, a->count, xb, b->count, y,
					out->count), y);
out:
	free(xa);
	free(xb);
	free(y);
	return r;
}
