// SPDX-License-Identifier: MIT
/*
 * Preparing the data-movement layers: TRANSPOSE, STRIDED_SLICE, SPLIT,
 * RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR. They move int8 values without
 * requantizing them, so the output must be quantized as the input is
 * (TFLite's converter always makes it so; a model where it is not would
 * mean something the kernels do not compute, and is refused). Their
 * parameters come from constant int32 tensors; the output tensor's shape
 * must be the one they give. A SPLIT layer computes one part, as the
 * STRIDED_SLICE that cuts it out.
 */
#include <string.h>

#include "internal.h"
#include "prepare.h"

/* Constant int32 input @k with @n values (n < 0: any), into @v (up to 4). */
static int const_ints(struct pctx *c, int k, const char *what, int n, int32_t *v,
		      size_t *count)
{
	const struct enpu_gtensor *t = pc_in(c, k, ENPU_DTYPE_INT32, -1, what);

	if (!t)
		return -EINVAL;
	if (!t->data)
		return pc_bad(c, "%s must be a constant tensor", what);
	if ((n >= 0 && t->count != (size_t)n) || t->count > ENPU_MAX_RANK)
		return pc_bad(c, "%s has %zu values, %d expected", what, t->count,
			      n >= 0 ? n : ENPU_MAX_RANK);
	memcpy(v, t->data, t->count * sizeof(int32_t));
	if (count)
		*count = t->count;
	return 0;
}

/* The output's shape is @s, and its quantization the input's. */
static int output_is(struct pctx *c, const struct enpu_gtensor *x,
		     const struct enpu_gtensor *o, const struct enpu_shape *s)
{
	if (o->rank != s->rank || memcmp(o->dims, s->dims, sizeof(s->dims[0]) * (size_t)s->rank))
		return pc_bad(c, "the output tensor's shape is not the one the layer computes "
			      "(rank %d, first dimension %d)", s->rank, s->rank ? s->dims[0] : 1);
	return pc_same_quant(c, x, o, "input");
}

static int prep_transpose(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1);
	struct enpu_transpose_params *p = &c->p->p.transpose;
	struct enpu_shape s;

	if (!x || !o || const_ints(c, 1, "perm", x->rank, p->perm, NULL))
		return -EINVAL;
	pc_to_shape(x, &p->input);
	if (enpu_transpose_output_shape(p, &s))
		return pc_bad(c, "perm is not a permutation of the input's %d axes", x->rank);
	return output_is(c, x, o, &s);
}

static int prep_strided_slice(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1);
	struct enpu_strided_slice_params *p = &c->p->p.strided_slice;
	struct enpu_shape s;

	if (!x || !o || const_ints(c, 1, "begin", x->rank, p->begin, NULL) ||
	    const_ints(c, 2, "end", x->rank, p->end, NULL) ||
	    const_ints(c, 3, "strides", x->rank, p->strides, NULL))
		return -EINVAL;
	pc_to_shape(x, &p->input);
	p->begin_mask = (uint32_t)c->l->begin_mask;
	p->end_mask = (uint32_t)c->l->end_mask;
	p->shrink_axis_mask = (uint32_t)c->l->shrink_axis_mask;
	if (enpu_strided_slice_output_shape(p, &s))
		return pc_bad(c, "begin, end, strides and masks do not select a non-empty "
			      "slice (a zero stride, an empty range, or a shrunk axis out of "
			      "range)");
	return output_is(c, x, o, &s);
}

/* Part split_index of num_splits, cut out as a STRIDED_SLICE. */
static int prep_split(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_in(c, 1, ENPU_DTYPE_INT8, -1, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1);
	struct enpu_strided_slice_params *p = &c->p->p.strided_slice;
	struct enpu_split_params sp = { .num_splits = c->l->num_splits };
	struct enpu_shape s;
	int32_t axis, part, i;

	if (!x || !o || const_ints(c, 0, "axis", 1, &sp.axis, NULL))
		return -EINVAL;
	pc_to_shape(x, &sp.input);
	if (enpu_split_output_shape(&sp, &s))
		return pc_bad(c, "axis %d of a rank-%d input does not split into %d equal parts",
			      sp.axis, x->rank, sp.num_splits);
	if (c->l->split_index < 0 || c->l->split_index >= sp.num_splits)
		return pc_bad(c, "part %d of %d", c->l->split_index, sp.num_splits);
	axis = sp.axis < 0 ? sp.axis + x->rank : sp.axis;
	part = x->dims[axis] / sp.num_splits;
	memset(p, 0, sizeof(*p));
	p->input = sp.input;
	for (i = 0; i < x->rank; i++) {
		p->begin[i] = i == axis ? part * c->l->split_index : 0;
		p->end[i] = i == axis ? part * (c->l->split_index + 1) : x->dims[i];
		p->strides[i] = 1;
	}
	return output_is(c, x, o, &s);
}

static int prep_resize(struct pctx *c, int bilinear)
{
	const struct enpu_gtensor *x = pc_in(c, 0, ENPU_DTYPE_INT8, 4, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, 4);
	struct enpu_resize_params *p = &c->p->p.resize;
	struct enpu_shape s = { .rank = 4 };
	struct enpu_nhwc on;
	int32_t size[2];

	if (!x || !o || const_ints(c, 1, "size", 2, size, NULL))
		return -EINVAL;
	p->input = pc_nhwc(x);
	p->output_height = size[0];
	p->output_width = size[1];
	p->align_corners = c->l->align_corners != 0;
	p->half_pixel_centers = c->l->half_pixel_centers != 0;
	if (bilinear && p->align_corners && p->half_pixel_centers)
		return pc_bad(c, "align_corners and half_pixel_centers cannot both be set "
			      "(TFLite refuses it)");
	if (enpu_resize_output_shape(p, &on))
		return pc_bad(c, "cannot resize %dx%d to %dx%d", x->dims[1], x->dims[2],
			      size[0], size[1]);
	s.dims[0] = on.n;
	s.dims[1] = on.h;
	s.dims[2] = on.w;
	s.dims[3] = on.c;
	return output_is(c, x, o, &s);
}

int enpu_prepare_movement(struct pctx *c)
{
	switch (c->l->type) {
	case ENPU_LAYER_TRANSPOSE:
		return prep_transpose(c);
	case ENPU_LAYER_STRIDED_SLICE:
		return prep_strided_slice(c);
	case ENPU_LAYER_SPLIT:
		return prep_split(c);
	case ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR:
		return prep_resize(c, 0);
	case ENPU_LAYER_RESIZE_BILINEAR:
		return prep_resize(c, 1);
	default:
		return pc_bad(c, "not a data-movement layer");
	}
}
