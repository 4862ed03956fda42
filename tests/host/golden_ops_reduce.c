// SPDX-License-Identifier: MIT
/*
 * golden_ops_test's runners of the reductions REDUCE_MAX and SUM (MEAN's
 * is in golden_ops_test.c). in1 holds the axes, keep_dims only shapes the
 * output: the output shape is derived and checked against the file's.
 */
#include <string.h>

#include "golden_ops.h"

#define MAX_AXES	16

/*
 * The input shape, the axes and the output shape (checked against out)
 * of a reduction; keep_dims from the options.
 */
static int reduction(struct ctx *c, const struct golden_tensor *in,
		     const struct golden_tensor *out, struct enpu_shape *shape,
		     int32_t *axes, size_t *num_axes)
{
	const struct golden_tensor *at;
	const char *kd = golden_find_option(c->g, "keep_dims");
	struct enpu_shape os;
	int r;

	if (!(at = tensor(c, "in1", GOLDEN_INT32, -1)))
		return R_FAIL;
	if (!kd || (strcmp(kd, "true") && strcmp(kd, "false")))
		return fail(c, "option keep_dims missing or not a boolean");
	if ((r = to_shape(c, in, shape)))
		return r;
	if (at->count > MAX_AXES)
		return skip(c, "more than %d axes", MAX_AXES);
	for (size_t i = 0; i < at->count; i++)
		axes[i] = golden_i32(at, i);
	*num_axes = at->count;
	if (enpu_reduce_output_shape(shape, axes, *num_axes, !strcmp(kd, "true"),
				     &os))
		return fail(c, "reduction: invalid shape or axes");
	if (os.rank != out->rank)
		return fail(c, "derived output rank %d, tensor has %d",
			    (int)os.rank, out->rank);
	for (int i = 0; i < out->rank; i++)
		if (os.dims[i] != out->dims[i])
			return fail(c, "derived output dim %d is %d, tensor has %d",
				    i, (int)os.dims[i], (int)out->dims[i]);
	return output_like(c, out);
}

int run_reduce_max(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	struct enpu_reduce_max_params p;
	int32_t axes[MAX_AXES], zi, zo;
	float si, so;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, in, &si, &zi)) || (r = per_tensor(c, out, &so, &zo)))
		return r;
	if (si != so || zi != zo)
		return skip(c, "output quantization differs (TFLM requires the input's)");
	if ((r = reduction(c, in, out, &p.input, axes, &p.num_axes)))
		return r;
	p.axes = axes;
	r = c->be->reduce_max(&p, (const int8_t *)in->data, in->count,
			      (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}

int run_sum(struct ctx *c)
{
	const struct golden_tensor *in, *out;
	struct enpu_sum_params p;
	int32_t axes[MAX_AXES];
	float si, so;
	int r;

	memset(&p, 0, sizeof(p));
	if (!(in = tensor(c, "in0", GOLDEN_INT8, -1)) ||
	    !(out = tensor(c, "out0", GOLDEN_INT8, -1)))
		return R_FAIL;
	if ((r = per_tensor(c, in, &si, &p.input_zero_point)) ||
	    (r = per_tensor(c, out, &so, &p.output_zero_point)))
		return r;
	if (enpu_sum_derive(si, so, &p))
		return fail(c, "multiplier derivation failed");
	if ((r = check_derived1(c, "output_multiplier", p.output_multiplier)) ||
	    (r = check_derived1(c, "output_shift", p.output_shift)) ||
	    (r = reduction(c, in, out, &p.input, axes, &p.num_axes)))
		return r;
	p.axes = axes;
	r = c->be->sum(&p, (const int8_t *)in->data, in->count,
		       (int8_t *)c->got, c->got_len);
	return r ? kernel_fail(c, r) : R_PASS;
}
