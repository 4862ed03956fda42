// SPDX-License-Identifier: MIT
/*
 * Preparing the reductions REDUCE_MAX and SUM (MEAN is in prepare.c): the
 * axes come from a constant int32 tensor (negative ones count from the
 * end, repeats allowed, as TFLite); the output's shape must be what
 * reducing them gives, with or without keep_dims. REDUCE_MAX keeps the
 * input's quantization (TFLite-Micro requires it); SUM requantizes.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "prepare.h"

/* The layer's axes, copied into the prep (it owns them). */
static int axes_of(struct pctx *c, const struct enpu_gtensor **x, const struct enpu_gtensor **o,
		   struct enpu_shape *in, const int32_t **axes, size_t *n)
{
	const struct enpu_gtensor *a;
	struct enpu_shape s;

	if (!(*x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input")) ||
	    !(a = pc_in(c, 1, ENPU_DTYPE_INT32, -1, "axes")) ||
	    !(*o = pc_out(c, ENPU_DTYPE_INT8, -1)))
		return -EINVAL;
	if (!a->data)
		return pc_bad(c, "axes must be a constant tensor");
	c->p->mean_axes = malloc((a->count + 1) * sizeof(int32_t));
	if (!c->p->mean_axes)
		return enpu_fail(-ENOMEM, "out of memory");
	memcpy(c->p->mean_axes, a->data, a->count * sizeof(int32_t));
	pc_to_shape(*x, in);
	*axes = c->p->mean_axes;
	*n = a->count;
	if (enpu_reduce_output_shape(in, *axes, *n, c->l->keep_dims != 0, &s))
		return pc_bad(c, "the axes are not axes of the rank-%d input", (*x)->rank);
	if ((*o)->rank != s.rank ||
	    memcmp((*o)->dims, s.dims, sizeof(s.dims[0]) * (size_t)s.rank))
		return pc_bad(c, "the output tensor's shape is not what reducing these axes gives");
	return 0;
}

static int prep_reduce_max(struct pctx *c)
{
	struct enpu_reduce_max_params *p = &c->p->p.reduce_max;
	const struct enpu_gtensor *x, *o;

	if (axes_of(c, &x, &o, &p->input, &p->axes, &p->num_axes))
		return -EINVAL;
	return pc_same_quant(c, x, o, "input");
}

static int prep_sum(struct pctx *c)
{
	struct enpu_sum_params *p = &c->p->p.sum;
	const struct enpu_gtensor *x, *o;
	float xs, os;

	if (axes_of(c, &x, &o, &p->input, &p->axes, &p->num_axes) ||
	    pc_per_tensor(c, x, "input", &xs, &p->input_zero_point) ||
	    pc_per_tensor(c, o, "output", &os, &p->output_zero_point))
		return -EINVAL;
	if (enpu_sum_derive(xs, os, p))
		return pc_bad_scale(c, xs, NULL, 0, os, "requantization");
	return 0;
}

int enpu_prepare_reduce(struct pctx *c)
{
	switch (c->l->type) {
	case ENPU_LAYER_REDUCE_MAX:
		return prep_reduce_max(c);
	case ENPU_LAYER_SUM:
		return prep_sum(c);
	default:
		return pc_bad(c, "not a reduction");
	}
}
