// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's runners of the data-movement operators: TRANSPOSE,
 * STRIDED_SLICE, SPLIT, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR. None has
 * a derived line: TFLite-Micro's Prepare computes nothing numeric for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_ops.h"

/* These ops move raw values: an output must have its input's quantization. */
static int same_quant(struct ctx *c, const struct golden_tensor *in,
		      const struct golden_tensor *out)
{
	float si, so;
	int32_t zi, zo;
	int r;

	if ((r = per_tensor(c, in, &si, &zi)) || (r = per_tensor(c, out, &so, &zo)))
		return r;
	if (si != so || zi != zo)
		return skip(c, "%s quantization differs from %s's (TFLM moves raw values)",
			    out->role, in->role);
	return R_PASS;
}

/* The shape our output-shape function gave against the file's tensor. */
static int expect_shape(struct ctx *c, const struct enpu_shape *s,
			const struct golden_tensor *t)
{
	if (s->rank != t->rank)
		return fail(c, "%s: derived rank %d, tensor has %d", t->role,
			    (int)s->rank, t->rank);
	for (int i = 0; i < t->rank; i++)
		if (s->dims[i] != t->dims[i])
			return fail(c, "%s: derived dim %d is %d, tensor has %d",
				    t->role, i, (int)s->dims[i], (int)t->dims[i]);
	return R_PASS;
}

static int opt_bool(struct ctx *c, const char *name, bool *v)
{
	const char *s = golden_find_option(c->g, name);

	*v = false;
	if (s && !strcmp(s, "true"))
		*v = true;
	else if (!s || strcmp(s, "false"))
		return fail(c, "option %s missing or not a boolean", name);
	return R_PASS;
}

/* An int32 parameter tensor of rank 1 with exactly n entries, into v. */
static int int_params(struct ctx *c, const char *role, int n, int32_t *v)
{
	const struct golden_tensor *t = tensor(c, role, GOLDEN_INT32, 1);

	if (!t)
		return R_FAIL;
	if (t->count != (size_t)n)
		return fail(c, "tensor %s: %zu entries, expected %d", role,
			    t->count, n);
	for (int i = 0; i < n; i++)
		v[i] = golden_i32(t, (size_t)i);
	return R_PASS;
}

int run_transpose(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	struct enpu_transpose_params p;
	struct enpu_shape os;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = same_quant(c, in, out)) || (r = to_shape(c, in, &p.input)) ||
	    (r = int_params(c, "in1", in->rank, p.perm)))
		return r;
	if (enpu_transpose_output_shape(&p, &os))
		return fail(c, "transpose: invalid parameters");
	if ((r = expect_shape(c, &os, out)) || (r = output_like(c, out)))
		return r;
	r = c->be->transpose(&p, (const int8_t *)in->data, in->count,
			     (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_strided_slice(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	struct enpu_strided_slice_params p;
	struct enpu_shape os;
	int32_t bm, em, sm;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	/*
	 * ellipsis_mask, new_axis_mask and offset are not read: TFLite-Micro
	 * sets the first two to 0 and ignores the third.
	 */
	if ((r = same_quant(c, in, out)) || (r = to_shape(c, in, &p.input)) ||
	    (r = int_params(c, "in1", in->rank, p.begin)) ||
	    (r = int_params(c, "in2", in->rank, p.end)) ||
	    (r = int_params(c, "in3", in->rank, p.strides)) ||
	    (r = opt_int(c, "begin_mask", &bm)) ||
	    (r = opt_int(c, "end_mask", &em)) ||
	    (r = opt_int(c, "shrink_axis_mask", &sm)))
		return r;
	p.begin_mask = (uint32_t)bm;
	p.end_mask = (uint32_t)em;
	p.shrink_axis_mask = (uint32_t)sm;
	if (enpu_strided_slice_output_shape(&p, &os))
		return fail(c, "strided_slice: invalid parameters");
	if ((r = expect_shape(c, &os, out)) || (r = output_like(c, out)))
		return r;
	r = c->be->strided_slice(&p, (const int8_t *)in->data, in->count,
				 (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

#define SPLIT_MAX_OUTPUTS	16

/*
 * SPLIT: the harness compares out0 (c->got); out1.. are compared here,
 * byte for byte, against the file.
 */
int run_split(struct ctx *c)
{
	const struct golden_tensor *axis, *in, *outs[SPLIT_MAX_OUTPUTS];
	int8_t *bufs[SPLIT_MAX_OUTPUTS] = { 0 };
	size_t lens[SPLIT_MAX_OUTPUTS];
	struct enpu_split_params p;
	struct enpu_shape os;
	int32_t num_splits;
	int n = 0, r;

	memset(&p, 0, sizeof(p));
	if (!(axis = tensor(c, "in0", GOLDEN_INT32, -1)) ||
	    !(in = tensor(c, "in1", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = opt_int(c, "num_splits", &num_splits)))
		return r;
	for (;;) {
		char role[16];

		snprintf(role, sizeof(role), "out%d", n);
		if (!golden_find_tensor(c->g, role))
			break;
		if (n == SPLIT_MAX_OUTPUTS)
			return skip(c, "more than %d outputs", SPLIT_MAX_OUTPUTS);
		if (!(outs[n] = tensor(c, role, GOLDEN_INT8, -1)))
			return R_FAIL;
		if ((r = same_quant(c, in, outs[n])))
			return r;
		n++;
	}
	if (axis->count != 1)
		return fail(c, "axis must be a scalar");
	if (num_splits != n)
		return fail(c, "num_splits %d but %d outputs", (int)num_splits, n);
	if ((r = to_shape(c, in, &p.input)))
		return r;
	p.axis = golden_i32(axis, 0);
	p.num_splits = num_splits;
	if (enpu_split_output_shape(&p, &os))
		return fail(c, "split: invalid parameters");
	for (int i = 0; i < n; i++)
		if ((r = expect_shape(c, &os, outs[i])))
			return r;
	if ((r = output_like(c, outs[0])))
		return r;

	bufs[0] = (int8_t *)c->got;
	lens[0] = c->got_len;
	for (int i = 1; i < n; i++) {
		lens[i] = outs[i]->bytes;
		bufs[i] = malloc(lens[i] + 1);
		if (!bufs[i]) {
			r = fail(c, "out of memory");
			goto out;
		}
		/* Poisoned as out0 is, so an unwritten byte cannot pass. */
		memset(bufs[i], 0xa5, lens[i]);
	}
	r = c->be->split(&p, (const int8_t *)in->data, in->count, bufs, lens);
	if (r) {
		r = kernel_fail(c, r);
		goto out;
	}
	for (int i = 1; i < n; i++) {
		size_t first = 0, ndiff = 0;

		for (size_t b = 0; b < lens[i]; b++) {
			if ((uint8_t)bufs[i][b] != outs[i]->data[b] && !ndiff++)
				first = b;
		}
		if (ndiff) {
			r = fail(c, "%s mismatch: first at byte %zu: expected %d, got %d "
				 "(%zu of %zu bytes differ)", outs[i]->role, first,
				 (int8_t)outs[i]->data[first], bufs[i][first], ndiff,
				 lens[i]);
			goto out;
		}
	}
	r = R_PASS;
out:
	for (int i = 1; i < n; i++)
		free(bufs[i]);
	return r;
}

static int run_resize(struct ctx *c, int bilinear)
{
	const struct golden_tensor *in, *out;
	struct enpu_resize_params p;
	struct enpu_nhwc os, want;
	int32_t size[2] = { 0, 0 };
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, 4)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, 4)))
		return R_FAIL;
	if ((r = same_quant(c, in, out)) || (r = to_nhwc(c, in, &p.input)) ||
	    (r = to_nhwc(c, out, &want)) || (r = int_params(c, "in1", 2, size)) ||
	    (r = opt_bool(c, "align_corners", &p.align_corners)) ||
	    (r = opt_bool(c, "half_pixel_centers", &p.half_pixel_centers)))
		return r;
	p.output_height = size[0];
	p.output_width = size[1];
	if (enpu_resize_output_shape(&p, &os))
		return fail(c, "resize: invalid parameters");
	if (os.n != want.n || os.h != want.h || os.w != want.w || os.c != want.c)
		return fail(c, "resize: derived output [%d,%d,%d,%d], tensor has [%d,%d,%d,%d]",
			    (int)os.n, (int)os.h, (int)os.w, (int)os.c, (int)want.n,
			    (int)want.h, (int)want.w, (int)want.c);
	if ((r = output_like(c, out)))
		return r;
	r = (bilinear ? c->be->resize_bilinear : c->be->resize_nearest_neighbor)(&p,
		(const int8_t *)in->data, in->count, (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_resize_nearest_neighbor(struct ctx *c)
{
	return run_resize(c, 0);
}

int run_resize_bilinear(struct ctx *c)
{
	return run_resize(c, 1);
}
