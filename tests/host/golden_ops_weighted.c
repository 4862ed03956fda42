// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's reading of the weighted operators' goldens, shared by
 * the int8 runners of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
 * (golden_ops_test.c) and their 16x8 twins (golden_ops_wide.c): the
 * tensors, options, symmetric weights, the per-channel or per-tensor
 * multipliers and the activation range, each checked against the file's
 * derived lines. The runners only add the bias and input conversions of
 * their type and the kernel call.
 */
#include <stdlib.h>
#include <string.h>

#include "golden_ops.h"

int symmetric_weights(struct ctx *c, const struct golden_tensor *w)
{
	if (!w->quant.present)
		return fail(c, "weights not quantized");
	for (size_t i = 0; i < w->quant.count; i++)
		if (w->quant.zero_points[i] != 0)
			return skip(c, "asymmetric weights (TFLM rejects them)");
	return R_PASS;
}

int weighted_bias(struct ctx *c, const char *role, enum golden_dtype act,
		  const struct golden_tensor **bias)
{
	const struct golden_tensor *b = golden_find_tensor(c->g, role);

	*bias = b;
	if (!b)
		return R_PASS;
	if (act == GOLDEN_INT16) {
		if (b->dtype != GOLDEN_INT64 || b->rank != 1)
			return skip(c, "16x8 bias must be int64 rank 1 (no int32-bias kernel)");
	} else if (b->dtype != GOLDEN_INT32 || b->rank != 1) {
		return fail(c, "bias must be int32 rank 1");
	}
	return R_PASS;
}

int bias_i32(struct ctx *c, const struct golden_tensor *bias, int32_t **v)
{
	*v = NULL;
	if (!bias)
		return R_PASS;
	if (!(*v = calloc(bias->count, sizeof(int32_t))))
		return fail(c, "out of memory");
	for (size_t i = 0; i < bias->count; i++)
		(*v)[i] = golden_i32(bias, i);
	return R_PASS;
}

/*
 * An activation tensor's scale and zero point; an int16 one must have the
 * zero point 0 the 16x8 kernels take.
 */
static int weighted_act(struct ctx *c, const struct golden_tensor *t,
			float *scale, int32_t *zp)
{
	int r;

	if ((r = per_tensor(c, t, scale, zp)))
		return r;
	if (t->dtype == GOLDEN_INT16 && *zp != 0)
		return skip(c, "tensor %s: int16 zero point %d (TFLM's 16x8 kernels assume 0)",
			    t->role, (int)*zp);
	return R_PASS;
}

/* ---- CONV_2D / DEPTHWISE_CONV_2D --------------------------------------------- */

int conv_prepare(struct ctx *c, enum golden_dtype act, int depthwise,
		 struct conv_case *k)
{
	int r;

	memset(k, 0, sizeof(*k));
	k->dm = 1;
	if (!(k->in = tensor(c, "in0", act, 4)) ||
	    !(k->w = tensor(c, "in1", GOLDEN_INT8, 4)) ||
	    !(k->out = tensor(c, "out0", act, 4)))
		return R_FAIL;
	if ((r = weighted_bias(c, "in2", act, &k->bias)) ||
	    (r = weighted_act(c, k->in, &k->in_scale, &k->in_zp)) ||
	    (r = weighted_act(c, k->out, &k->out_scale, &k->out_zp)) ||
	    (r = to_nhwc(c, k->in, &k->is)) || (r = to_nhwc(c, k->w, &k->fs)) ||
	    (r = to_nhwc(c, k->out, &k->os)) || (r = opt_padding(c, &k->pad)) ||
	    (r = opt_int(c, "stride_h", &k->sh)) ||
	    (r = opt_int(c, "stride_w", &k->sw)) ||
	    (r = opt_int(c, "dilation_h_factor", &k->dh)) ||
	    (r = opt_int(c, "dilation_w_factor", &k->dw)) ||
	    (depthwise && (r = opt_int(c, "depth_multiplier", &k->dm))) ||
	    (r = symmetric_weights(c, k->w)))
		return r;

	const int32_t cout = depthwise ? k->fs.c : k->fs.n;

	k->cout = (size_t)(cout > 0 ? cout : 0);
	k->mult = calloc(k->cout + 1, sizeof(int32_t));
	k->shift = calloc(k->cout + 1, sizeof(int32_t));
	if (!k->mult || !k->shift)
		return fail(c, "out of memory");
	if (enpu_derive_per_channel(k->in_scale, k->w->quant.scales,
				    k->w->quant.count, k->out_scale, k->mult,
				    k->shift, k->cout))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived(c, "output_multiplier", k->mult, k->cout)) ||
	    (r = check_derived(c, "output_shift", k->shift, k->cout)) ||
	    (r = activation_range(c, k->out, &k->lo, &k->hi)) ||
	    (r = spatial(c, k->pad, k->is.h, k->fs.h, k->sh, k->dh, k->os.h,
			 "height", &k->pt)) ||
	    (r = spatial(c, k->pad, k->is.w, k->fs.w, k->sw, k->dw, k->os.w,
			 "width", &k->pl)) ||
	    (r = output_like(c, k->out)))
		return r;
	return R_PASS;
}

struct enpu_conv2d_params conv_params(const struct conv_case *k)
{
	const struct enpu_conv2d_params p = {
		.input = k->is, .filter = k->fs, .output = k->os,
		.stride_h = k->sh, .stride_w = k->sw,
		.dilation_h = k->dh, .dilation_w = k->dw,
		.pad_top = k->pt, .pad_left = k->pl,
		.input_zero_point = k->in_zp, .output_zero_point = k->out_zp,
		.act_min = k->lo, .act_max = k->hi,
		.multipliers = k->mult, .shifts = k->shift,
		.num_quant = k->cout,
	};

	return p;
}

/* ---- FULLY_CONNECTED ------------------------------------------------------------ */

int fc_prepare(struct ctx *c, enum golden_dtype act, struct fc_case *k)
{
	const char *fmt = golden_find_option(c->g, "weights_format");
	const char *asym = golden_find_option(c->g, "asymmetric_quantize_inputs");
	int r;

	memset(k, 0, sizeof(*k));
	if (fmt && strcmp(fmt, "DEFAULT"))
		return skip(c, "weights_format %s not supported", fmt);
	if (asym && strcmp(asym, "false"))
		return skip(c, "hybrid (asymmetric_quantize_inputs) not supported");
	if (!(k->in = tensor(c, "in0", act, -1)) ||
	    !(k->w = tensor(c, "in1", GOLDEN_INT8, 2)) ||
	    !(k->out = tensor(c, "out0", act, -1)))
		return R_FAIL;
	if ((r = weighted_bias(c, "in2", act, &k->bias)) ||
	    (r = weighted_act(c, k->in, &k->in_scale, &k->in_zp)) ||
	    (r = weighted_act(c, k->out, &k->out_scale, &k->out_zp)) ||
	    (r = symmetric_weights(c, k->w)))
		return r;
	if (k->out->rank < 1)
		return fail(c, "output rank 0");

	/* TFLite: batches = output flat size without its last dim. */
	const int32_t depth = k->w->dims[1];
	const int32_t outs = k->out->dims[k->out->rank - 1];
	const size_t batches = k->out->count / (size_t)outs;
	const size_t nq = k->w->quant.count;

	if (outs != k->w->dims[0] || k->in->count != batches * (size_t)depth)
		return fail(c, "inconsistent shapes");
	k->mult = calloc(nq, sizeof(int32_t));
	k->shift = calloc(nq, sizeof(int32_t));
	if (!k->mult || !k->shift)
		return fail(c, "out of memory");
	if (nq > 1 ? enpu_derive_per_channel(k->in_scale, k->w->quant.scales, nq,
					     k->out_scale, k->mult, k->shift, nq) :
		     enpu_derive_fc_per_tensor(k->in_scale, k->w->quant.scales[0],
					       k->out_scale, k->mult, k->shift))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived(c, "output_multiplier", k->mult, nq)) ||
	    (r = check_derived(c, "output_shift", k->shift, nq)) ||
	    (r = activation_range(c, k->out, &k->p.act_min, &k->p.act_max)) ||
	    (r = output_like(c, k->out)))
		return r;
	k->p.batches = (int32_t)batches;
	k->p.input_depth = depth;
	k->p.output_depth = outs;
	k->p.input_zero_point = k->in_zp;
	k->p.output_zero_point = k->out_zp;
	k->p.multipliers = k->mult;
	k->p.shifts = k->shift;
	k->p.num_quant = nq;
	return R_PASS;
}
