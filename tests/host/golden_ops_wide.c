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
	if ((r = weighted_bias(c, "in3", GOLDEN_INT8, &bias)) ||
	    (r = per_tensor(c, in, &in_scale, &p.input_zero_point)) ||
	    (r = per_tensor(c, out, &out_scale, &p.output_zero_point)) ||
	    (r = to_nhwc(c, in, &p.input)) || (r = to_nhwc(c, w, &p.filter)) ||
	    (r = to_nhwc(c, out, &p.output)) || (r = opt_padding(c, &pad)) ||
	    (r = opt_activation(c, &act)) ||
	    (r = opt_int(c, "stride_h", &p.stride_h)) ||
	    (r = opt_int(c, "stride_w", &p.stride_w)) ||
	    (r = symmetric_weights(c, w)))
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

/* The int16 input copy, output buffer and int64 bias copy of a 16x8 run. */
struct wide_bufs {
	int16_t *x, *y;
	int64_t *bias;			/* NULL without a bias */
};

static int wide_bufs_alloc(struct ctx *c, const struct golden_tensor *in,
			   const struct golden_tensor *bias,
			   struct wide_bufs *b)
{
	if (!(b->y = malloc(c->got_len + 1)) || !(b->x = copy_data(c, in)) ||
	    (bias && !(b->bias = copy_data(c, bias))))
		return fail(c, "out of memory");
	return R_PASS;
}

static void wide_bufs_free(struct wide_bufs *b)
{
	free(b->x);
	free(b->y);
	free(b->bias);
}

int run_conv2d_16x8(struct ctx *c)
{
	struct wide_bufs b = { 0 };
	struct conv_case k;
	int r;

	if (!c->be->conv2d_16x8)
		return unsupported(c, "16x8 CONV_2D");
	if ((r = conv_prepare(c, GOLDEN_INT16, 0, &k)) ||
	    (r = wide_bufs_alloc(c, k.in, k.bias, &b)))
		goto out;

	const struct enpu_conv2d_params p = conv_params(&k);

	r = got_i16(c, c->be->conv2d_16x8(&p, b.x, k.in->count, (const int8_t *)k.w->data,
					  k.w->count, b.bias, k.bias ? k.bias->count : 0,
					  b.y, k.out->count), b.y);
out:
	free(k.mult);
	free(k.shift);
	wide_bufs_free(&b);
	return r;
}

int run_fully_connected_16x8(struct ctx *c)
{
	struct wide_bufs b = { 0 };
	struct fc_case k;
	int r;

	if (!c->be->fully_connected_16x8)
		return unsupported(c, "16x8 FULLY_CONNECTED");
	if ((r = fc_prepare(c, GOLDEN_INT16, &k)) ||
	    (r = wide_bufs_alloc(c, k.in, k.bias, &b)))
		goto out;
	r = got_i16(c, c->be->fully_connected_16x8(&k.p, b.x, k.in->count,
						   (const int8_t *)k.w->data, k.w->count,
						   b.bias, k.bias ? k.bias->count : 0,
						   b.y, k.out->count), b.y);
out:
	free(k.mult);
	free(k.shift);
	wide_bufs_free(&b);
	return r;
}

int run_add_int16(struct ctx *c)
{
	struct enpu_add_params p;
	struct binary_case k;
	int16_t *xa = NULL, *xb = NULL, *y = NULL;
	int r;

	if (!c->be->add_int16)
		return unsupported(c, "int16 ADD");
	if ((r = add_prepare(c, GOLDEN_INT16, enpu_add_int16_derive, &k, &p)))
		return r;
	if (!(y = malloc(c->got_len + 1)) || !(xa = copy_data(c, k.a)) ||
	    !(xb = copy_data(c, k.b))) {
		r = fail(c, "out of memory");
		goto out;
	}
	r = got_i16(c, c->be->add_int16(&p, xa, k.a->count, xb, k.b->count, y,
					k.out->count), y);
out:
	free(xa);
	free(xb);
	free(y);
	return r;
}
