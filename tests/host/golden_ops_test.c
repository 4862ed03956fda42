// SPDX-License-Identifier: MIT
/*
 * Runs every per-op golden vector (<goldens>/ops/<OP>/<case>.golden, and
 * the 16x8 ones of <goldens>/ops16x8/<OP>/, found by walking the
 * directories) through the hw/int8 kernels and requires
 * byte-exact outputs. Prepare-time values are derived from the float
 * scales by our own helpers and compared with every `derived` line the
 * file carries (a line no check consumed is a failure), then the kernels
 * run with our values, not the file's.
 *
 * Goldens directory: $EDGENPU_GOLDENS, default ../shared/goldens (run
 * from the repository root). Output: kselftest TAP, one result per file.
 *
 * Built with GOLDEN_OPS_GUEST (golden_ops_variants_test, staged into the
 * guests), it runs the CPU kernels only, once per variant the guest's CPU
 * has -- the arm64 guest's NEON -- from /usr/share/edgenpu/goldens by
 * default; the engine is the device model's, run on the host.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stddef.h>

#include "kselftest.h"

#include "golden_ops.h"
#include "enpu_simd.h"

/* ---- per-op runners ---------------------------------------------------------- */

static int run_conv(struct ctx *c, int depthwise)
{
	struct conv_case k;
	int32_t *bias_v = NULL;
	int r;

	if ((r = conv_prepare(c, GOLDEN_INT8, depthwise, &k)) ||
	    (r = bias_i32(c, k.bias, &bias_v)))
		goto out;

	const size_t bias_len = k.bias ? k.bias->count : 0;

	if (!depthwise) {
		const struct enpu_conv2d_params p = conv_params(&k);

		r = c->be->conv2d(&p, (const int8_t *)k.in->data, k.in->count,
				(const int8_t *)k.w->data, k.w->count,
				bias_v, bias_len, (int8_t *)c->got, c->got_len);
	} else {
		const struct enpu_dwconv2d_params p = {
			.input = k.is, .filter = k.fs, .output = k.os,
			.depth_multiplier = k.dm,
			.stride_h = k.sh, .stride_w = k.sw,
			.dilation_h = k.dh, .dilation_w = k.dw,
			.pad_top = k.pt, .pad_left = k.pl,
			.input_zero_point = k.in_zp, .output_zero_point = k.out_zp,
			.act_min = k.lo, .act_max = k.hi,
			.multipliers = k.mult, .shifts = k.shift,
			.num_quant = k.cout,
		};

		r = c->be->depthwise_conv2d(&p, (const int8_t *)k.in->data,
					  k.in->count, (const int8_t *)k.w->data,
					  k.w->count, bias_v, bias_len,
					  (int8_t *)c->got, c->got_len);
	}
	r = r ? kernel_fail(c, r) : R_PASS;
out:
	free(k.mult);
	free(k.shift);
	free(bias_v);
	return r;
}

static int run_conv2d(struct ctx *c)
{
	if (wide_case(c))
		return run_conv2d_16x8(c);
	return run_conv(c, 0);
}

static int run_depthwise(struct ctx *c)
{
	return run_conv(c, 1);
}

static int run_fully_connected(struct ctx *c)
{
	struct fc_case k;
	int32_t *bias_v = NULL;
	int r;

	if (wide_case(c))
		return run_fully_connected_16x8(c);
	if ((r = fc_prepare(c, GOLDEN_INT8, &k)) ||
	    (r = bias_i32(c, k.bias, &bias_v)))
		goto out;
	r = c->be->fully_connected(&k.p, (const int8_t *)k.in->data, k.in->count,
				 (const int8_t *)k.w->data, k.w->count,
				 bias_v, k.bias ? k.bias->count : 0,
				 (int8_t *)c->got, c->got_len);
	r = r ? kernel_fail(c, r) : R_PASS;
out:
	free(k.mult);
	free(k.shift);
	free(bias_v);
	return r;
}

static int run_add(struct ctx *c)
{
	struct enpu_add_params p;
	struct binary_case k;
	int r;

	if (wide_case(c))
		return run_add_int16(c);
	if ((r = add_prepare(c, GOLDEN_INT8, enpu_add_derive, &k, &p)))
		return r;
	r = c->be->add(&p, (const int8_t *)k.a->data, k.a->count,
		     (const int8_t *)k.b->data, k.b->count,
		     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_pool(struct ctx *c, int is_max)
{
	const struct golden_tensor *in, *out;
	float in_scale, out_scale;
	int32_t in_zp, out_zp, fh, fw, sh, sw;
	struct enpu_pool_params p;
	enum enpu_padding pad;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, 4)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, 4)))
		return R_FAIL;
	if ((r = per_tensor(c, in, &in_scale, &in_zp)) ||
	    (r = per_tensor(c, out, &out_scale, &out_zp)) ||
	    (r = to_nhwc(c, in, &p.input)) || (r = to_nhwc(c, out, &p.output)) ||
	    (r = opt_padding(c, &pad)) ||
	    (r = opt_int(c, "filter_height", &fh)) ||
	    (r = opt_int(c, "filter_width", &fw)) ||
	    (r = opt_int(c, "stride_h", &sh)) || (r = opt_int(c, "stride_w", &sw)))
		return r;
	if (in_scale != out_scale || in_zp != out_zp)
		return skip(c, "pooling with rescaling is not an int8 TFLM case");
	p.filter_h = fh;
	p.filter_w = fw;
	p.stride_h = sh;
	p.stride_w = sw;
	if ((r = activation_range(c, out, &p.act_min, &p.act_max)) ||
	    (r = spatial(c, pad, p.input.h, fh, sh, 1, p.output.h, "height",
			 &p.pad_top)) ||
	    (r = spatial(c, pad, p.input.w, fw, sw, 1, p.output.w, "width",
			 &p.pad_left)) ||
	    (r = output_like(c, out)))
		return r;
	r = (is_max ? c->be->max_pool : c->be->avg_pool)(&p,
		(const int8_t *)in->data, in->count, (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_avg_pool(struct ctx *c)
{
	return run_pool(c, 0);
}

static int run_max_pool(struct ctx *c)
{
	return run_pool(c, 1);
}

static int run_pad(struct ctx *c, int v2)
{
	const struct golden_tensor *in, *pads, *out, *cv = NULL;
	struct enpu_pad_params p;
	struct enpu_shape os;
	float s;
	int32_t zp;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(pads = tensor(c, "in1", GOLDEN_INT32, 2)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)) ||
	    (v2 && !(cv = tensor(c, "in2", GOLDEN_INT8, -1))))
		return R_FAIL;
	if ((r = per_tensor(c, out, &s, &zp)) || (r = to_shape(c, in, &p.input)))
		return r;
	if (pads->dims[0] != in->rank || pads->dims[1] != 2)
		return fail(c, "paddings shape [%d, %d] for rank %d",
			    (int)pads->dims[0], (int)pads->dims[1], in->rank);
	for (int i = 0; i < in->rank; i++) {
		p.before[i] = golden_i32(pads, 2 * (size_t)i);
		p.after[i] = golden_i32(pads, 2 * (size_t)i + 1);
	}
	if (v2) {
		if (cv->count != 1)
			return fail(c, "constant value must be a scalar");
		p.value = (int8_t)cv->data[0];
	} else {
		p.value = (int8_t)zp;	/* PAD pads with the output zero point */
	}
	if (enpu_pad_output_shape(&p, &os))
		return fail(c, "pad: invalid parameters");
	if (os.rank != out->rank)
		return fail(c, "pad: output rank mismatch");
	for (int i = 0; i < os.rank; i++)
		if (os.dims[i] != out->dims[i])
			return fail(c, "pad: output dim %d is %d, expected %d", i,
				    (int)os.dims[i], (int)out->dims[i]);
	if ((r = output_like(c, out)))
		return r;
	r = c->be->pad(&p, (const int8_t *)in->data, in->count,
		     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_pad1(struct ctx *c)
{
	return run_pad(c, 0);
}

static int run_pad2(struct ctx *c)
{
	return run_pad(c, 1);
}

static int run_concat(struct ctx *c)
{
	const struct golden_tensor *out, *ins[16];
	struct enpu_shape shapes[16], os;
	const int8_t *ptrs[16];
	size_t lens[16], n = 0;
	float so, si;
	int32_t axis, zo, zi;
	int r;

	if (!(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	for (;;) {
		char role[16];

		snprintf(role, sizeof(role), "in%zu", n);
		if (!golden_find_tensor(c->g, role))
			break;
		if (n == 16)
			return skip(c, "more than 16 inputs");
		if (!(ins[n] = tensor(c, role, GOLDEN_INT8, -1)))
			return R_FAIL;
		n++;
	}
	if ((r = opt_int(c, "axis", &axis)) || (r = per_tensor(c, out, &so, &zo)) ||
	    (r = to_shape(c, out, &os)))
		return r;
	for (size_t i = 0; i < n; i++) {
		if ((r = per_tensor(c, ins[i], &si, &zi)) ||
		    (r = to_shape(c, ins[i], &shapes[i])))
			return r;
		if (si != so || zi != zo)
			return skip(c, "input %zu quantization differs (TFLM requires equal)",
				    i);
		ptrs[i] = (const int8_t *)ins[i]->data;
		lens[i] = ins[i]->count;
	}
	if ((r = output_like(c, out)))
		return r;
	r = c->be->concatenation(axis, n, shapes, ptrs, lens, &os,
			       (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_reshape(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	int r;

	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if (in->count != out->count)
		return fail(c, "element counts differ (%zu vs %zu)", in->count,
			    out->count);
	if ((r = output_like(c, out)))
		return r;
	r = c->be->reshape((const int8_t *)in->data, in->count,
			 (int8_t *)c->got, c->got_len, in->count);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_softmax(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	struct enpu_softmax_params p;
	const char *beta_s = golden_find_option(c->g, "beta");
	float in_scale, out_scale, beta;
	int32_t in_zp, out_zp;
	char *end;
	int r;

	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, in, &in_scale, &in_zp)) ||
	    (r = per_tensor(c, out, &out_scale, &out_zp)))
		return r;
	if (!beta_s)
		return fail(c, "option beta missing");
	beta = strtof(beta_s, &end);
	if (*end)
		return fail(c, "bad beta '%s'", beta_s);
	if (out_zp != -128 || out_scale != 1.0f / 256)
		return skip(c, "int8 softmax output must be scale 1/256, zp -128");
	if (in->rank < 1 || in->count != out->count)
		return fail(c, "bad shapes");
	if (enpu_softmax_derive(beta, in_scale, &p))
		return fail(c, "softmax derivation failed");
	if ((r = check_derived1(c, "input_multiplier", p.input_multiplier)) ||
	    (r = check_derived1(c, "input_left_shift", p.input_left_shift)) ||
	    (r = check_derived1(c, "diff_min", p.diff_min)) ||
	    (r = output_like(c, out)))
		return r;

	const int32_t depth = in->dims[in->rank - 1];

	r = c->be->softmax(&p, (int32_t)(in->count / (size_t)depth), depth,
			 (const int8_t *)in->data, in->count,
			 (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_quantize(struct ctx *c)
{
	const struct golden_tensor *in = golden_find_tensor(c->g, "in0"), *out;
	float in_scale, out_scale;
	int32_t in_zp, out_zp, m, s;
	int r;

	if (!in || !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return fail(c, "tensors missing");
	if ((r = per_tensor(c, out, &out_scale, &out_zp)) ||
	    (r = output_like(c, out)))
		return r;
	if (in->count != out->count)
		return fail(c, "element counts differ");
	if (in->dtype == GOLDEN_FLOAT32) {
		float *x = malloc(in->count * sizeof(float) + 1);

		if (!x)
			return fail(c, "out of memory");
		memcpy(x, in->data, in->bytes);	/* little-endian host */
		r = c->be->quantize_f32(x, in->count, out_scale, out_zp,
				      (int8_t *)c->got);
		free(x);
	} else if (in->dtype == GOLDEN_INT8) {
		if ((r = per_tensor(c, in, &in_scale, &in_zp)))
			return r;
		if (enpu_derive_rescale(in_scale, out_scale, &m, &s))
			return fail(c, "multiplier derivation failed");
		if ((r = check_derived1(c, "output_multiplier", m)) ||
		    (r = check_derived1(c, "output_shift", s)))
			return r;
		r = c->be->requantize_i8((const int8_t *)in->data, in->count,
				       in_zp, out_zp, m, s, (int8_t *)c->got);
	} else {
		return skip(c, "QUANTIZE from %s not supported",
			    golden_dtype_name(in->dtype));
	}
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_dequantize(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	float scale;
	int32_t zp;
	int r;

	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_FLOAT32, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, in, &scale, &zp)) || (r = output_like(c, out)))
		return r;
	if (in->count != out->count)
		return fail(c, "element counts differ");

	float *y = malloc(out->count * sizeof(float) + 1);

	if (!y)
		return fail(c, "out of memory");
	r = c->be->dequantize_i8((const int8_t *)in->data, in->count, scale, zp, y);
	memcpy(c->got, y, out->bytes);	/* little-endian host */
	free(y);
	return r ? kernel_fail(c, r) : R_PASS;
}

static int run_mean(struct ctx *c)
{
	const struct golden_tensor *in, *axes, *out;
	struct enpu_mean_params p;
	float in_scale, out_scale;
	int32_t axis_v[16];
	size_t count;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(axes = tensor(c, "in1", GOLDEN_INT32, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, in, &in_scale, &p.input_zero_point)) ||
	    (r = per_tensor(c, out, &out_scale, &p.output_zero_point)) ||
	    (r = to_shape(c, in, &p.input)))
		return r;
	if (axes->count > 16)
		return skip(c, "more than 16 axes");
	for (size_t i = 0; i < axes->count; i++)
		axis_v[i] = golden_i32(axes, i);
	p.axes = axis_v;
	p.num_axes = axes->count;
	if (enpu_derive_rescale(in_scale, out_scale, &p.multiplier, &p.shift))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived1(c, "output_multiplier", p.multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.shift)))
		return r;
	if (enpu_mean_output_count(&p, &count) || count != out->count)
		return fail(c, "output element count mismatch");
	if ((r = output_like(c, out)))
		return r;
	r = c->be->mean(&p, (const int8_t *)in->data, in->count,
		      (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

#define BE(f) offsetof(struct golden_backend, f)

/* Each operator's runner and the backend entry (or entries) it calls. */
static const struct {
	const char *op;
	int (*run)(struct ctx *c);
	size_t fn, fn2;
} runners[] = {
	{ "CONV_2D", run_conv2d, BE(conv2d), BE(conv2d) },
	{ "DEPTHWISE_CONV_2D", run_depthwise, BE(depthwise_conv2d), BE(depthwise_conv2d) },
	{ "FULLY_CONNECTED", run_fully_connected, BE(fully_connected), BE(fully_connected) },
	{ "ADD", run_add, BE(add), BE(add) },
	{ "AVERAGE_POOL_2D", run_avg_pool, BE(avg_pool), BE(avg_pool) },
	{ "MAX_POOL_2D", run_max_pool, BE(max_pool), BE(max_pool) },
	{ "PAD", run_pad1, BE(pad), BE(pad) },
	{ "PADV2", run_pad2, BE(pad), BE(pad) },
	{ "CONCATENATION", run_concat, BE(concatenation), BE(concatenation) },
	{ "SOFTMAX", run_softmax, BE(softmax), BE(softmax) },
	{ "QUANTIZE", run_quantize, BE(quantize_f32), BE(requantize_i8) },
	{ "DEQUANTIZE", run_dequantize, BE(dequantize_i8), BE(dequantize_i8) },
	{ "MEAN", run_mean, BE(mean), BE(mean) },
	{ "RESHAPE", run_reshape, BE(reshape), BE(reshape) },
	/* @@ activation entries @@ */
	{ "RELU", run_relu, BE(relu), BE(relu) },
	{ "RELU6", run_relu6, BE(relu6), BE(relu6) },
	{ "LEAKY_RELU", run_leaky_relu, BE(leaky_relu), BE(leaky_relu) },
	{ "LOGISTIC", run_logistic, BE(logistic), BE(logistic) },
	{ "TANH", run_tanh, BE(tanh), BE(tanh) },
	{ "HARD_SWISH", run_hard_swish, BE(hard_swish), BE(hard_swish) },
	/* @@ binary entries @@ */
	{ "MUL", run_mul, BE(mul), BE(mul) },
	{ "SUB", run_sub, BE(sub), BE(sub) },
	{ "MAXIMUM", run_maximum, BE(maximum), BE(maximum) },
	{ "MINIMUM", run_minimum, BE(minimum), BE(minimum) },
	/* @@ movement entries @@ */
	{ "TRANSPOSE", run_transpose, BE(transpose), BE(transpose) },
	{ "STRIDED_SLICE", run_strided_slice, BE(strided_slice), BE(strided_slice) },
	{ "SPLIT", run_split, BE(split), BE(split) },
	{ "RESIZE_NEAREST_NEIGHBOR", run_resize_nearest_neighbor,
	  BE(resize_nearest_neighbor), BE(resize_nearest_neighbor) },
	{ "RESIZE_BILINEAR", run_resize_bilinear, BE(resize_bilinear), BE(resize_bilinear) },
	/* @@ reduce entries @@ */
	{ "REDUCE_MAX", run_reduce_max, BE(reduce_max), BE(reduce_max) },
	{ "SUM", run_sum, BE(sum), BE(sum) },
	/* @@ 16x8 and stateful entries @@ */
	{ "TRANSPOSE_CONV", run_transpose_conv, BE(transpose_conv), BE(transpose_conv) },
	{ "SVDF", run_svdf, BE(svdf), BE(svdf) },
};

/* Whether the backend has the entry at offset @fn. */
static int backend_has(const struct golden_backend *be, size_t fn)
{
	void (*f)(void);

	memcpy(&f, (const char *)be + fn, sizeof(f));
	return f != NULL;
}

/* ---- comparison ----------------------------------------------------------------- */

/*
 * Byte-exact comparison. Returns 0 if equal; otherwise 1 with the first
 * differing byte index in *first and the number of differing bytes in
 * *ndiff.
 */
static int compare_bytes(const uint8_t *exp, const uint8_t *got, size_t n,
			 size_t *first, size_t *ndiff)
{
	size_t d = 0;

	for (size_t i = n; i-- > 0;) {
		if (exp[i] != got[i]) {
			*first = i;
			d++;
		}
	}
	*ndiff = d;
	return d != 0;
}

static void describe_mismatch(struct ctx *c, const struct golden_tensor *out,
			      const uint8_t *exp, size_t first, size_t ndiff)
{
	if (out->dtype == GOLDEN_FLOAT32) {
		const size_t e = first / 4;
		float fe, fg;

		memcpy(&fe, exp + 4 * e, 4);
		memcpy(&fg, c->got + 4 * e, 4);
		fail(c, "output mismatch: first at element %zu: expected %.9g, got %.9g (%zu bytes differ)",
		     e, (double)fe, (double)fg, ndiff);
	} else {
		fail(c, "output mismatch: first at byte %zu: expected %d, got %d (%zu of %zu bytes differ)",
		     first, (int8_t)exp[first], (int8_t)c->got[first], ndiff,
		     out->bytes);
	}
}

/* ---- one case --------------------------------------------------------------------- */

/*
 * Load path, run it. expected_override (may be NULL) replaces the golden
 * output bytes (for the self-check); derived_tweak perturbs the first
 * derived value before running (also for the self-check).
 */
static int run_case(const struct golden_backend *be, const char *path,
		    struct ctx *c, int flip_byte, int derived_tweak)
{
	struct golden_file g;
	char err[512];
	int r = R_FAIL;

	memset(c, 0, sizeof(*c));
	c->be = be;
	if (golden_load(path, &g, err, sizeof(err))) {
		snprintf(c->msg, sizeof(c->msg), "%s", err);
		return R_FAIL;
	}
	c->g = &g;
	if (!g.op) {
		r = skip(c, "not a per-op case");
		goto out;
	}
	const struct golden_tensor *out = golden_find_tensor(&g, "out0");

	if (!out) {
		r = fail(c, "no out0 tensor");
		goto out;
	}
	c->derived_used = calloc(g.num_derived + 1, 1);
	c->got_len = out->bytes;
	c->got = malloc(out->bytes + 1);
	if (!c->derived_used || !c->got) {
		r = fail(c, "out of memory");
		goto out;
	}
	/* Poison the output so an unwritten byte cannot pass by luck. */
	memset(c->got, 0xa5, out->bytes);
	if (derived_tweak && g.num_derived)
		g.derived[0].values[0] ^= 1;
	if (flip_byte >= 0 && (size_t)flip_byte < out->bytes)
		((struct golden_tensor *)out)->data[flip_byte] ^= 0x01;

	size_t i;

	for (i = 0; i < sizeof(runners) / sizeof(runners[0]); i++)
		if (!strcmp(g.op, runners[i].op))
			break;
	if (i == sizeof(runners) / sizeof(runners[0])) {
		r = skip(c, "no kernel for op %s", g.op);
		goto out;
	}
	if (!backend_has(be, runners[i].fn) || !backend_has(be, runners[i].fn2)) {
		r = skip(c, "%s: %s", g.op, be->unsupported);
		goto out;
	}
	r = runners[i].run(c);
	if (r != R_PASS)
		goto out;
	if ((r = check_all_derived_used(c)))
		goto out;

	size_t first, ndiff;

	if (compare_bytes(out->data, c->got, out->bytes, &first, &ndiff)) {
		describe_mismatch(c, out, out->data, first, ndiff);
		r = R_FAIL;
	}
out:
	free(c->got);
	free(c->derived_used);
	c->got = NULL;
	c->derived_used = NULL;
	c->g = NULL;
	c->be = NULL;
	golden_free(&g);
	return r;
}

/* ---- directory walk ----------------------------------------------------------------- */

struct case_list {
	char **paths;
	char **names;	/* "<OP>/<case>" */
	size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && !strcmp(s + ls - lx, suffix);
}

/* Sorted names of directory entries (skipping dot files). */
static char **list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char **t;

		if (e->d_name[0] == '.')
			continue;
		t = realloc(v, (n + 1) * sizeof(*v));
		if (!t)
			break;
		v = t;
		v[n] = strdup(e->d_name);
		if (!v[n])
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int add_case(struct case_list *l, const char *path, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->paths, cap * sizeof(char *));

		if (!p)
			return -1;
		l->paths = p;
		p = realloc(l->names, cap * sizeof(char *));
		if (!p)
			return -1;
		l->names = p;
		l->cap = cap;
	}
	l->paths[l->n] = strdup(path);
	l->names[l->n] = strdup(name);
	if (!l->paths[l->n] || !l->names[l->n]) {
		free(l->paths[l->n]);
		free(l->names[l->n]);
		return -1;
	}
	l->n++;
	return 0;
}

/* a/b into buf; -1 if it does not fit. */
static int join_path(char *buf, size_t size, const char *a, const char *b)
{
	const int n = snprintf(buf, size, "%s/%s", a, b);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Every <ops_dir>/<OP>/<case>.golden, named "<prefix><OP>/<case>". */
static int collect_cases(const char *ops_dir, const char *prefix,
			 struct case_list *l)
{
	size_t nops;
	char **ops = list_dir(ops_dir, &nops);

	for (size_t i = 0; i < nops; i++) {
		char dir[4096];
		size_t nfiles;
		char **files;

		if (join_path(dir, sizeof(dir), ops_dir, ops[i]) || !is_dir(dir))
			continue;
		files = list_dir(dir, &nfiles);
		for (size_t j = 0; j < nfiles; j++) {
			char path[4096], name[512];

			if (!has_suffix(files[j], ".golden") ||
			    join_path(path, sizeof(path), dir, files[j]))
				continue;
			snprintf(name, sizeof(name), "%s%s/%.*s", prefix, ops[i],
				 (int)(strlen(files[j]) - strlen(".golden")),
				 files[j]);
			if (add_case(l, path, name)) {
				free_names(files, nfiles);
				free_names(ops, nops);
				return -1;
			}
		}
		free_names(files, nfiles);
	}
	free_names(ops, nops);
	return 0;
}

/* ---- self-check: the comparison and the derived checks can fail ----------------- */

static void self_check(const struct case_list *l)
{
	struct ctx c;
	const char *path = NULL;
	size_t i;

	/* A real case with derived lines and a multi-byte output. */
	for (i = 0; i < l->n; i++)
		if (!strncmp(l->names[i], "CONV_2D/", 8)) {
			path = l->paths[i];
			break;
		}
	if (!path) {
		ksft_test_result_skip("selfcheck/flipped_output_byte: no CONV_2D case\n");
		ksft_test_result_skip("selfcheck/tweaked_derived_value: no CONV_2D case\n");
		return;
	}

	/* Unmodified it passes; with one expected byte flipped it must fail
	 * and name that byte.
	 */
	const int base = run_case(&golden_cpu_backend, path, &c, -1, 0);
	const int flipped = run_case(&golden_cpu_backend, path, &c, 3, 0);
	const int names_byte = strstr(c.msg, "first at byte 3:") != NULL;

	if (base == R_PASS && flipped == R_FAIL && names_byte) {
		ksft_print_msg("selfcheck: %s with byte 3 flipped: %s\n",
			       l->names[i], c.msg);
		ksft_test_result_pass("selfcheck/flipped_output_byte\n");
	} else {
		ksft_print_msg("selfcheck: base %d flipped %d msg '%s'\n", base,
			       flipped, c.msg);
		ksft_test_result_fail("selfcheck/flipped_output_byte\n");
	}

	const int tweaked = run_case(&golden_cpu_backend, path, &c, -1, 1);

	if (base == R_PASS && tweaked == R_FAIL && strstr(c.msg, "derived")) {
		ksft_print_msg("selfcheck: %s with a derived value changed: %s\n",
			       l->names[i], c.msg);
		ksft_test_result_pass("selfcheck/tweaked_derived_value\n");
	} else {
		ksft_print_msg("selfcheck: base %d tweaked %d msg '%s'\n", base,
			       tweaked, c.msg);
		ksft_test_result_fail("selfcheck/tweaked_derived_value\n");
	}
}

int main(void)
{
	const char *root = getenv("EDGENPU_GOLDENS");
#ifdef GOLDEN_OPS_GUEST
	static const struct golden_backend *const backends[] = { &golden_cpu_backend };
	const char *default_root = "/usr/share/edgenpu/goldens";
	const int engine_runs = 0;
#else
	static const struct golden_backend *const backends[] = {
		&golden_cpu_backend, &golden_npu_backend,
	};
	const char *default_root = "../shared/goldens";
	const int engine_runs = 1;
#endif
	struct case_list l = { 0 };
	char ops_dir[4096], wide_dir[4096];

	if (!root || !*root)
		root = default_root;
	snprintf(ops_dir, sizeof(ops_dir), "%s/ops", root);
	/* The 16x8 cases (int16 activations), walked the same way. */
	snprintf(wide_dir, sizeof(wide_dir), "%s/ops16x8", root);

	ksft_print_header();
	if (!is_dir(ops_dir)) {
		ksft_set_plan(1);
		ksft_test_result_skip("goldens: %s not found (set EDGENPU_GOLDENS)\n",
				      ops_dir);
		ksft_finished();
	}
	const int have_wide = is_dir(wide_dir);

	if (collect_cases(ops_dir, "", &l))
		ksft_exit_fail_msg("out of memory listing %s\n", ops_dir);
	if (have_wide && collect_cases(wide_dir, "ops16x8/", &l))
		ksft_exit_fail_msg("out of memory listing %s\n", wide_dir);
	if (l.n == 0) {
		ksft_set_plan(1);
		ksft_test_result_skip("goldens: no *.golden files under %s\n",
				      ops_dir);
		ksft_finished();
	}
	/* the CPU kernels once per instruction-set variant this CPU runs */
	const enum enpu_simd best = enpu_simd_current();
	unsigned int variants = 0, missing = 0;

	for (int v = 0; v < ENPU_SIMD_COUNT; v++) {
		if (enpu_simd_supported((enum enpu_simd)v, NULL))
			variants++;
		else
			missing++;
	}
	ksft_print_msg("%zu golden files under %s and %s, each run on the CPU kernels (%u "
		       "instruction-set variants)%s\n", l.n, ops_dir, wide_dir, variants,
		       engine_runs ? " and on the NPU engine" : "");
	ksft_set_plan((unsigned int)((variants + engine_runs) * l.n) + missing + 2 +
		      !have_wide);
	if (!have_wide)
		ksft_test_result_skip("goldens: %s not found: no 16x8 cases\n",
				      wide_dir);

	/* runs 0 .. ENPU_SIMD_COUNT - 1: the CPU kernels per variant; the last, the engine */
	for (int run = 0; run < ENPU_SIMD_COUNT + engine_runs; run++) {
		const int cpu = run < ENPU_SIMD_COUNT;
		const struct golden_backend *be = backends[cpu ? 0 : engine_runs];
		size_t pass = 0, fails = 0, skips = 0;
		const char *why;
		char name[64];

		if (cpu && !enpu_simd_supported((enum enpu_simd)run, &why)) {
			ksft_test_result_skip("%s[%s]: every golden file: %s\n", be->name,
					      enpu_simd_name((enum enpu_simd)run), why);
			continue;
		}
		enpu_simd_use(cpu ? (enum enpu_simd)run : best);
		snprintf(name, sizeof(name), cpu ? "%s[%s]" : "%s", be->name,
			 enpu_simd_name(cpu ? (enum enpu_simd)run : best));
		for (size_t i = 0; i < l.n; i++) {
			struct ctx c;
			const int r = run_case(be, l.paths[i], &c, -1, 0);

			if (r == R_PASS) {
				pass++;
				ksft_test_result_pass("%s:%s\n", name, l.names[i]);
			} else if (r == R_SKIP) {
				skips++;
				ksft_test_result_skip("%s:%s: %s\n", name, l.names[i], c.msg);
			} else {
				fails++;
				ksft_print_msg("%s:%s: %s\n", name, l.names[i], c.msg);
				ksft_test_result_fail("%s:%s\n", name, l.names[i]);
			}
		}
		ksft_print_msg("%s: golden files: %zu passed, %zu failed, %zu skipped\n",
			       name, pass, fails, skips);
	}
	self_check(&l);

	for (size_t i = 0; i < l.n; i++) {
		free(l.paths[i]);
		free(l.names[i]);
	}
	free(l.paths);
	free(l.names);
	ksft_finished();
}
