// SPDX-License-Identifier: MIT
/*
 * The checks every layer's preparation makes (prepare.h): operands present
 * with their type and rank, per-tensor quantization, scales that give
 * multipliers the kernels run, activation ranges, padding, constants.
 * Every refusal names the layer, its type and the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "prepare.h"


int pc_bad(struct pctx *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return enpu_fail(-EINVAL, "layer %zu (%s): %s", c->idx,
			 enpu_layer_type_name(c->l->type), msg);
}

/*
 * After a derivation failed: names the scale that cannot be a multiplier
 * the kernels run (a shift past -31..31, TFLite's range) and its value.
 * @ws is NULL for a rescale (input scale / output scale).
 */
int pc_bad_scale(struct pctx *c, float xs, const float *ws, size_t num_ws,
		     float os, const char *what)
{
	int32_t mult;
	int shift = 0;
	size_t i;

	for (i = 0; i < (ws ? num_ws : 1); i++) {
		double real = (double)xs * (ws ? (double)ws[i] : 1.0) / (double)os;

		if (!enpu_quantize_multiplier(real, &mult, &shift) &&
		    shift >= -31 && shift <= 31)
			continue;
		if (ws)
			return pc_bad(c, "%s%s%zu: input scale %g x weight scale %g / output "
				   "scale %g = %g needs a shift of %d, outside the -31..31 "
				   "TFLite and the NPU support (are the scales corrupt?)", what,
				   num_ws > 1 ? " of output channel " : "", num_ws > 1 ? i : 0,
				   (double)xs, (double)ws[i], (double)os, real, shift);
		return pc_bad(c, "%s: input scale %g / output scale %g = %g needs a shift of "
			   "%d, outside the -31..31 TFLite and the NPU support (are the "
			   "scales corrupt?)", what, (double)xs, (double)os, real, shift);
	}
	return pc_bad(c, "%s cannot be derived from scales %g and %g", what, (double)xs,
		   (double)os);
}

const char *pc_dtype_name(enum enpu_dtype t)
{
	return t == ENPU_DTYPE_INT8 ? "int8" : t == ENPU_DTYPE_INT16 ? "int16" :
	       t == ENPU_DTYPE_INT32 ? "int32" : t == ENPU_DTYPE_INT64 ? "int64" :
	       t == ENPU_DTYPE_FLOAT32 ? "float32" : "?";
}

/* Input @k of the layer, checked: present, dtype, rank (-1: any). */
const struct enpu_gtensor *pc_in(struct pctx *c, int k, enum enpu_dtype dt,
				     int rank, const char *what)
{
	const struct enpu_gtensor *t;

	if (k >= c->l->num_inputs || c->l->inputs[k] < 0) {
		pc_bad(c, "%s (input %d) is missing", what, k);
		return NULL;
	}
	t = &c->g->tensors[c->l->inputs[k]];
	if (t->dtype != dt) {
		pc_bad(c, "%s must be %s, tensor %d is %s", what, pc_dtype_name(dt),
		    c->l->inputs[k], pc_dtype_name(t->dtype));
		return NULL;
	}
	if (rank >= 0 && t->rank != rank) {
		pc_bad(c, "%s must have rank %d, tensor %d has rank %d", what, rank,
		    c->l->inputs[k], t->rank);
		return NULL;
	}
	return t;
}

const struct enpu_gtensor *pc_act_in(struct pctx *c, int k, int rank, const char *what,
				     int wide_ok)
{
	const struct enpu_gtensor *t = pc_opt_in(c, k);

	return pc_in(c, k, t && wide_ok && t->dtype == ENPU_DTYPE_INT16 ?
		     ENPU_DTYPE_INT16 : ENPU_DTYPE_INT8, rank, what);
}

const struct enpu_gtensor *pc_opt_in(struct pctx *c, int k)
{
	if (k >= c->l->num_inputs || c->l->inputs[k] < 0)
		return NULL;
	return &c->g->tensors[c->l->inputs[k]];
}

const struct enpu_gtensor *pc_out(struct pctx *c, enum enpu_dtype dt, int rank)
{
	const struct enpu_gtensor *t = &c->g->tensors[c->l->output];

	if (t->dtype != dt) {
		pc_bad(c, "output must be %s, tensor %d is %s", pc_dtype_name(dt),
		    c->l->output, pc_dtype_name(t->dtype));
		return NULL;
	}
	if (rank >= 0 && t->rank != rank) {
		pc_bad(c, "output must have rank %d, tensor %d has rank %d", rank,
		    c->l->output, t->rank);
		return NULL;
	}
	return t;
}

int pc_per_tensor(struct pctx *c, const struct enpu_gtensor *t,
		      const char *what, float *scale, int32_t *zp)
{
	*scale = 0;
	*zp = 0;
	if (t->num_scales != 1)
		return pc_bad(c, "%s needs per-tensor quantization (has %zu scales)",
			   what, t->num_scales);
	/* int16 (16x8) activations are symmetric: TFLite's converter writes 0 */
	if (t->dtype == ENPU_DTYPE_INT16 && t->zero_points[0])
		return pc_bad(c, "%s is int16 with zero point %d: 16x8 models have 0", what,
			      t->zero_points[0]);
	if (t->zero_points[0] < -128 || t->zero_points[0] > 127)
		return pc_bad(c, "%s zero point %d is outside int8", what,
			   t->zero_points[0]);
	*scale = t->scales[0];
	*zp = t->zero_points[0];
	return 0;
}

int pc_activation(struct pctx *c, enum enpu_activation *act)
{
	static const enum enpu_activation map[] = {
		[ENPU_FUSED_NONE] = ENPU_ACT_NONE,
		[ENPU_FUSED_RELU] = ENPU_ACT_RELU,
		[ENPU_FUSED_RELU_N1_TO_1] = ENPU_ACT_RELU_N1_TO_1,
		[ENPU_FUSED_RELU6] = ENPU_ACT_RELU6,
	};

	if ((unsigned int)c->l->activation >= sizeof(map) / sizeof(map[0]))
		return pc_bad(c, "unknown fused activation %d", c->l->activation);
	*act = map[c->l->activation];
	return 0;
}

int pc_act_range(struct pctx *c, float scale, int32_t zp, int32_t *lo,
		 int32_t *hi)
{
	enum enpu_activation act = ENPU_ACT_NONE;
	int wide = c->g->tensors[c->l->output].dtype == ENPU_DTYPE_INT16;

	if (pc_activation(c, &act))
		return -EINVAL;
	if (wide ? enpu_activation_range_int16(act, scale, zp, lo, hi) :
		   enpu_activation_range_int8(act, scale, zp, lo, hi))
		return pc_bad(c, "activation range cannot be derived for the output quantization");
	return 0;
}

int pc_padding_type(struct pctx *c, enum enpu_padding *pad)
{
	if (c->l->padding == ENPU_SAME)
		*pad = ENPU_PADDING_SAME;
	else if (c->l->padding == ENPU_VALID)
		*pad = ENPU_PADDING_VALID;
	else
		return pc_bad(c, "padding must be ENPU_SAME or ENPU_VALID");
	return 0;
}

/* Output size along one axis, checked against the output tensor. */
int pc_spatial(struct pctx *c, enum enpu_padding pad, int32_t in_size,
		   int32_t k, int32_t stride, int32_t dil, int32_t want,
		   const char *axis, int32_t *before)
{
	int32_t got;

	if (stride < 1 || dil < 1)
		return pc_bad(c, "%s stride %d / dilation %d must be >= 1", axis,
			   stride, dil);
	if (enpu_compute_padding(pad, in_size, k, stride, dil, &got, before, NULL) ||
	    got < 1)
		return pc_bad(c, "%s: a %d-wide kernel does not fit an input of %d",
			   axis, k, in_size);
	if (got != want)
		return pc_bad(c, "output %s is %d, the layer computes %d", axis, want, got);
	return 0;
}

struct enpu_nhwc pc_nhwc(const struct enpu_gtensor *t)
{
	struct enpu_nhwc s = { t->dims[0], t->dims[1], t->dims[2], t->dims[3] };

	return s;
}

int pc_alloc_quant(struct pctx *c, size_t n)
{
	c->p->mult = calloc(n, sizeof(int32_t));
	c->p->shift = calloc(n, sizeof(int32_t));
	c->p->num_quant = n;
	if (!c->p->mult || !c->p->shift)
		return enpu_fail(-ENOMEM, "out of memory preparing layer %zu", c->idx);
	return 0;
}

int pc_symmetric_weights(struct pctx *c, const struct enpu_gtensor *w)
{
	size_t i;

	if (!w->data)
		return pc_bad(c, "weights must be a constant tensor");
	if (!w->num_scales)
		return pc_bad(c, "weights are not quantized");
	for (i = 0; i < w->num_scales; i++)
		if (w->zero_points[i])
			return pc_bad(c, "weights must be symmetric (zero point %d)",
				   w->zero_points[i]);
	return 0;
}

int pc_bias_of(struct pctx *c, int k, int32_t channels,
		   const void **bias)
{
	const struct enpu_gtensor *b = pc_opt_in(c, k);
	/* 16x8 layers accumulate in int64, with an int64 bias */
	enum enpu_dtype want = c->g->tensors[c->l->output].dtype == ENPU_DTYPE_INT16 ?
			       ENPU_DTYPE_INT64 : ENPU_DTYPE_INT32;

	*bias = NULL;
	if (!b)
		return 0;
	if (b->dtype != want || b->rank != 1 || b->dims[0] != channels)
		return pc_bad(c, "bias must be %s [%d]", pc_dtype_name(want), channels);
	if (!b->data)
		return pc_bad(c, "bias must be a constant tensor");
	*bias = b->data;
	return 0;
}


void pc_to_shape(const struct enpu_gtensor *t, struct enpu_shape *s)
{
	s->rank = t->rank;
	memcpy(s->dims, t->dims, sizeof(s->dims));
}

int pc_same_quant(struct pctx *c, const struct enpu_gtensor *a,
		      const struct enpu_gtensor *b, const char *what)
{
	float sa = 0, sb = 0;
	int32_t za = 0, zb = 0;
	int ret;

	if ((ret = pc_per_tensor(c, a, what, &sa, &za)) ||
	    (ret = pc_per_tensor(c, b, "output", &sb, &zb)))
		return ret;
	if (sa != sb || za != zb)
		return pc_bad(c, "%s and output must share scale and zero point", what);
	return 0;
}
