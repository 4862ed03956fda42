// SPDX-License-Identifier: MIT
/* golden_ops_test's helpers: reading a case's tensors, options and derived values. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_ops.h"

int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return R_FAIL;
}

int skip(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return R_SKIP;
}

/* A backend refused or failed to run the case. */
int kernel_fail(struct ctx *c, int r)
{
	const char *why = c->be->last_error ? c->be->last_error() : "";

	return fail(c, "%s backend returned %d%s%s", c->be->name, r,
		    *why ? ": " : "", why);
}

/* ---- helpers to read a case ------------------------------------------------ */

const struct golden_tensor *tensor(struct ctx *c, const char *role,
					  enum golden_dtype dtype, int rank)
{
	const struct golden_tensor *t = golden_find_tensor(c->g, role);

	if (!t) {
		fail(c, "tensor %s missing", role);
		return NULL;
	}
	if (t->dtype != dtype || (rank >= 0 && t->rank != rank)) {
		fail(c, "tensor %s: unexpected %s rank %d", role,
		     golden_dtype_name(t->dtype), t->rank);
		return NULL;
	}
	return t;
}

/* Per-tensor scale / zero point of a quantized tensor. */
int per_tensor(struct ctx *c, const struct golden_tensor *t,
		      float *scale, int32_t *zp)
{
	*scale = 0.0f;
	*zp = 0;
	if (!t->quant.present || t->quant.count != 1)
		return fail(c, "tensor %s: expected per-tensor quantization",
			    t->role);
	*scale = t->quant.scales[0];
	*zp = t->quant.zero_points[0];
	return R_PASS;
}

int opt_int(struct ctx *c, const char *name, int32_t *v)
{
	const char *s = golden_find_option(c->g, name);
	char *end;
	long x;

	*v = 0;
	if (!s)
		return fail(c, "option %s missing", name);
	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || *end || x < INT32_MIN || x > INT32_MAX)
		return fail(c, "option %s: bad integer '%s'", name, s);
	*v = (int32_t)x;
	return R_PASS;
}

int opt_activation(struct ctx *c, enum enpu_activation *act)
{
	static const struct { const char *name; enum enpu_activation act; } map[] = {
		{ "NONE", ENPU_ACT_NONE }, { "RELU", ENPU_ACT_RELU },
		{ "RELU_N1_TO_1", ENPU_ACT_RELU_N1_TO_1 },
		{ "RELU6", ENPU_ACT_RELU6 }, { "TANH", ENPU_ACT_TANH },
		{ "SIGN_BIT", ENPU_ACT_SIGN_BIT },
	};
	const char *s = golden_find_option(c->g, "fused_activation_function");

	*act = ENPU_ACT_NONE;
	if (!s)
		return fail(c, "option fused_activation_function missing");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(s, map[i].name)) {
			*act = map[i].act;
			return R_PASS;
		}
	}
	return fail(c, "unknown activation '%s'", s);
}

int opt_padding(struct ctx *c, enum enpu_padding *pad)
{
	const char *s = golden_find_option(c->g, "padding");

	*pad = ENPU_PADDING_SAME;
	if (s && !strcmp(s, "SAME"))
		*pad = ENPU_PADDING_SAME;
	else if (s && !strcmp(s, "VALID"))
		*pad = ENPU_PADDING_VALID;
	else
		return fail(c, "option padding missing or unknown");
	return R_PASS;
}

/*
 * Compare our value(s) with a `derived` line, if the file has it, and mark
 * the line as verified.
 */
int check_derived(struct ctx *c, const char *name, const int32_t *vals,
			 size_t n)
{
	const struct golden_derived *d = golden_find_derived(c->g, name);

	if (!d)
		return R_PASS;
	c->derived_used[d - c->g->derived] = 1;
	if (d->count != n)
		return fail(c, "derived %s: file has %zu values, we derived %zu",
			    name, d->count, n);
	for (size_t i = 0; i < n; i++)
		if (d->values[i] != vals[i])
			return fail(c, "derived %s[%zu]: TFLM %lld, ours %d",
				    name, i, (long long)d->values[i], (int)vals[i]);
	return R_PASS;
}

int check_derived1(struct ctx *c, const char *name, int32_t v)
{
	return check_derived(c, name, &v, 1);
}

/* Every derived line must have been verified by the op's runner. */
int check_all_derived_used(struct ctx *c)
{
	for (size_t i = 0; i < c->g->num_derived; i++)
		if (!c->derived_used[i])
			return fail(c, "derived %s not verified by this test",
				    c->g->derived[i].name);
	return R_PASS;
}

int activation_range(struct ctx *c, const struct golden_tensor *out,
			    int32_t *lo, int32_t *hi)
{
	enum enpu_activation act;
	float scale;
	int32_t zp;
	int r;

	if ((r = opt_activation(c, &act)) || (r = per_tensor(c, out, &scale, &zp)))
		return r;
	/* The 16x8 kernels and int16 ADD clamp to an int16 range. */
	if (out->dtype == GOLDEN_INT16 ?
	    enpu_activation_range_int16(act, scale, zp, lo, hi) :
	    enpu_activation_range_int8(act, scale, zp, lo, hi))
		return fail(c, "activation range derivation failed");
	if ((r = check_derived1(c, "output_activation_min", *lo)) ||
	    (r = check_derived1(c, "output_activation_max", *hi)))
		return r;
	return R_PASS;
}

int to_nhwc(struct ctx *c, const struct golden_tensor *t,
		   struct enpu_nhwc *s)
{
	if (t->rank != 4)
		return fail(c, "tensor %s: expected rank 4", t->role);
	s->n = t->dims[0];
	s->h = t->dims[1];
	s->w = t->dims[2];
	s->c = t->dims[3];
	return R_PASS;
}

int to_shape(struct ctx *c, const struct golden_tensor *t,
		    struct enpu_shape *s)
{
	if (t->rank > ENPU_MAX_RANK)
		return skip(c, "tensor %s: rank %d > %d", t->role, t->rank,
			    ENPU_MAX_RANK);
	memset(s, 0, sizeof(*s));
	s->rank = t->rank;
	for (int i = 0; i < t->rank; i++)
		s->dims[i] = t->dims[i];
	return R_PASS;
}

/* The kernel's output buffer must be exactly the expected size. */
int output_like(struct ctx *c, const struct golden_tensor *out)
{
	if (c->got_len != out->bytes)
		return fail(c, "internal: output buffer size");
	return R_PASS;
}

/*
 * Output size and leading padding of one spatial axis, checked against the
 * output tensor and the derived padding_* lines.
 */
int spatial(struct ctx *c, enum enpu_padding pad, int32_t in,
		   int32_t k, int32_t stride, int32_t dil, int32_t out_expected,
		   const char *axis, int32_t *pad_before)
{
	int32_t out, before, offset;
	char name[64];
	int r;

	if (enpu_compute_padding(pad, in, k, stride, dil, &out, &before, &offset))
		return fail(c, "padding derivation failed (%s)", axis);
	if (out != out_expected)
		return fail(c, "%s: derived output size %d, tensor has %d", axis,
			    out, out_expected);
	snprintf(name, sizeof(name), "padding_%s", axis);
	if ((r = check_derived1(c, name, before)))
		return r;
	snprintf(name, sizeof(name), "padding_%s_offset", axis);
	if ((r = check_derived1(c, name, offset)))
		return r;
	*pad_before = before;
	return R_PASS;
}
