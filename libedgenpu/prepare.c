// SPDX-License-Identifier: MIT
/*
 * Layer preparation: checks every layer against TFLite's rules for its
 * operands (types, shapes, quantization, constants) and derives what the
 * INT8 kernels need, with the same derivations TFLite's Prepare makes
 * (hw/int8). Both backends execute the result, so they agree bit for bit.
 * Every refusal names the layer, its type and the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "prepare.h"

static int prep_conv(struct pctx *c, int depthwise)
{
	const struct enpu_gtensor *x, *w, *o;
	const void *bias;
	enum enpu_padding pad = ENPU_PADDING_VALID;
	float xs, os;
	int32_t xz, oz, lo, hi, pt, pl, cout;
	int32_t dh = c->l->dilation_h ? c->l->dilation_h : 1;
	int32_t dw = c->l->dilation_w ? c->l->dilation_w : 1;
	int ret;

	/* CONV_2D also 16x8: int16 activations, int8 weights, int64 bias */
	if (!(x = pc_act_in(c, 0, 4, "input", !depthwise)) ||
	    !(w = pc_in(c, 1, ENPU_DTYPE_INT8, 4, "filter")) ||
	    !(o = pc_out(c, x->dtype, 4)))
		return -EINVAL;
	if ((ret = pc_symmetric_weights(c, w)) ||
	    (ret = pc_per_tensor(c, x, "input", &xs, &xz)) ||
	    (ret = pc_per_tensor(c, o, "output", &os, &oz)) ||
	    (ret = pc_padding_type(c, &pad)))
		return ret;
	cout = depthwise ? w->dims[3] : w->dims[0];
	if (o->dims[3] != cout)
		return pc_bad(c, "output has %d channels, the filter makes %d", o->dims[3], cout);
	if (o->dims[0] != x->dims[0])
		return pc_bad(c, "output batch %d differs from input batch %d",
			   o->dims[0], x->dims[0]);
	if (depthwise) {
		if (w->dims[0] != 1)
			return pc_bad(c, "depthwise filter must be [1, h, w, channels]");
		if (c->l->depth_multiplier < 1 ||
		    (int64_t)x->dims[3] * c->l->depth_multiplier != cout)
			return pc_bad(c, "%d input channels x depth multiplier %d != %d output channels",
				   x->dims[3], c->l->depth_multiplier, cout);
	} else if (w->dims[3] != x->dims[3]) {
		return pc_bad(c, "filter has %d input channels, the input %d",
			   w->dims[3], x->dims[3]);
	}
	if (w->num_scales != 1 && w->num_scales != (size_t)cout)
		return pc_bad(c, "filter has %zu scales for %d output channels",
			   w->num_scales, cout);
	if ((ret = pc_spatial(c, pad, x->dims[1], w->dims[1], c->l->stride_h, dh,
			   o->dims[1], "height", &pt)) ||
	    (ret = pc_spatial(c, pad, x->dims[2], w->dims[2], c->l->stride_w, dw,
			   o->dims[2], "width", &pl)) ||
	    (ret = pc_bias_of(c, 2, cout, &bias)) ||
	    (ret = pc_act_range(c, os, oz, &lo, &hi)) ||
	    (ret = pc_alloc_quant(c, (size_t)cout)))
		return ret;
	if (enpu_derive_per_channel(xs, w->scales, w->num_scales, os, c->p->mult,
				    c->p->shift, (size_t)cout))
		return pc_bad_scale(c, xs, w->scales, w->num_scales, os, "requantization");

	if (depthwise) {
		struct enpu_dwconv2d_params *p = &c->p->p.dw;

		p->input = pc_nhwc(x);
		p->filter = pc_nhwc(w);
		p->output = pc_nhwc(o);
		p->depth_multiplier = c->l->depth_multiplier;
		p->stride_h = c->l->stride_h;
		p->stride_w = c->l->stride_w;
		p->dilation_h = dh;
		p->dilation_w = dw;
		p->pad_top = pt;
		p->pad_left = pl;
		p->input_zero_point = xz;
		p->output_zero_point = oz;
		p->act_min = lo;
		p->act_max = hi;
		p->multipliers = c->p->mult;
		p->shifts = c->p->shift;
		p->num_quant = (size_t)cout;
		c->p->macs = (uint64_t)o->count * w->dims[1] * w->dims[2];
	} else {
		struct enpu_conv2d_params *p = &c->p->p.conv;

		p->input = pc_nhwc(x);
		p->filter = pc_nhwc(w);
		p->output = pc_nhwc(o);
		p->stride_h = c->l->stride_h;
		p->stride_w = c->l->stride_w;
		p->dilation_h = dh;
		p->dilation_w = dw;
		p->pad_top = pt;
		p->pad_left = pl;
		p->input_zero_point = xz;
		p->output_zero_point = oz;
		p->act_min = lo;
		p->act_max = hi;
		p->multipliers = c->p->mult;
		p->shifts = c->p->shift;
		p->num_quant = (size_t)cout;
		c->p->macs = (uint64_t)o->count * w->dims[1] * w->dims[2] * w->dims[3];
	}
	return 0;
}

static int prep_fc(struct pctx *c)
{
	const struct enpu_gtensor *x, *w, *o;
	struct enpu_fc_params *p = &c->p->p.fc;
	const void *bias;
	float xs, os;
	int32_t xz, oz, lo, hi, depth, outs;
	size_t batches;
	int ret;

	/* also 16x8: int16 activations, int8 weights, int64 bias */
	if (!(x = pc_act_in(c, 0, -1, "input", 1)) ||
	    !(w = pc_in(c, 1, ENPU_DTYPE_INT8, 2, "weights")) ||
	    !(o = pc_out(c, x->dtype, -1)))
		return -EINVAL;
	if ((ret = pc_symmetric_weights(c, w)) ||
	    (ret = pc_per_tensor(c, x, "input", &xs, &xz)) ||
	    (ret = pc_per_tensor(c, o, "output", &os, &oz)))
		return ret;
	if (o->rank < 1)
		return pc_bad(c, "output must have rank >= 1");
	depth = w->dims[1];
	outs = o->dims[o->rank - 1];
	batches = o->count / (size_t)outs;
	if (outs != w->dims[0])
		return pc_bad(c, "output depth %d differs from the weights' %d rows",
			   outs, w->dims[0]);
	if (x->count != batches * (size_t)depth)
		return pc_bad(c, "input has %zu elements, %zu batches x %d expected",
			   x->count, batches, depth);
	if (w->num_scales != 1 && w->num_scales != (size_t)outs)
		return pc_bad(c, "weights have %zu scales for %d outputs", w->num_scales, outs);
	if ((ret = pc_bias_of(c, 2, outs, &bias)) ||
	    (ret = pc_act_range(c, os, oz, &lo, &hi)) ||
	    (ret = pc_alloc_quant(c, w->num_scales)))
		return ret;
	if (w->num_scales > 1 ?
	    enpu_derive_per_channel(xs, w->scales, w->num_scales, os, c->p->mult,
				    c->p->shift, w->num_scales) :
	    enpu_derive_fc_per_tensor(xs, w->scales[0], os, c->p->mult, c->p->shift))
		return pc_bad_scale(c, xs, w->scales, w->num_scales, os, "requantization");
	p->batches = (int32_t)batches;
	p->input_depth = depth;
	p->output_depth = outs;
	p->input_zero_point = xz;
	p->output_zero_point = oz;
	p->act_min = lo;
	p->act_max = hi;
	p->multipliers = c->p->mult;
	p->shifts = c->p->shift;
	p->num_quant = w->num_scales;
	c->p->macs = (uint64_t)batches * outs * depth;
	return 0;
}

static int prep_pool(struct pctx *c)
{
	const struct enpu_gtensor *x, *o;
	struct enpu_pool_params *p = &c->p->p.pool;
	enum enpu_padding pad = ENPU_PADDING_VALID;
	int ret;

	if (!(x = pc_in(c, 0, ENPU_DTYPE_INT8, 4, "input")) ||
	    !(o = pc_out(c, ENPU_DTYPE_INT8, 4)))
		return -EINVAL;
	if ((ret = pc_same_quant(c, x, o, "input")) ||
	    (ret = pc_padding_type(c, &pad)))
		return ret;
	if (c->l->filter_h < 1 || c->l->filter_w < 1)
		return pc_bad(c, "filter %dx%d", c->l->filter_h, c->l->filter_w);
	if (o->dims[0] != x->dims[0] || o->dims[3] != x->dims[3])
		return pc_bad(c, "output batch/channels differ from the input's");
	if ((ret = pc_spatial(c, pad, x->dims[1], c->l->filter_h, c->l->stride_h, 1,
			   o->dims[1], "height", &p->pad_top)) ||
	    (ret = pc_spatial(c, pad, x->dims[2], c->l->filter_w, c->l->stride_w, 1,
			   o->dims[2], "width", &p->pad_left)) ||
	    (ret = pc_act_range(c, o->scales[0], o->zero_points[0], &p->act_min,
			     &p->act_max)))
		return ret;
	p->input = pc_nhwc(x);
	p->output = pc_nhwc(o);
	p->filter_h = c->l->filter_h;
	p->filter_w = c->l->filter_w;
	p->stride_h = c->l->stride_h;
	p->stride_w = c->l->stride_w;
	return 0;
}

static int prep_reshape(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1);

	if (!x || !o)
		return -EINVAL;
	if (x->count != o->count)
		return pc_bad(c, "%zu elements cannot become %zu", x->count, o->count);
	return pc_same_quant(c, x, o, "input");
}

static int prep_pad(struct pctx *c)
{
	const struct enpu_gtensor *x, *pads, *v, *o;
	struct enpu_pad_params *p = &c->p->p.pad;
	struct enpu_shape os;
	const int32_t *pd;
	int i, ret;

	if (!(x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input")) ||
	    !(pads = pc_in(c, 1, ENPU_DTYPE_INT32, 2, "paddings")) ||
	    !(o = pc_out(c, ENPU_DTYPE_INT8, x->rank)))
		return -EINVAL;
	if ((ret = pc_same_quant(c, x, o, "input")))
		return ret;
	if (!pads->data || pads->dims[0] != x->rank || pads->dims[1] != 2)
		return pc_bad(c, "paddings must be a constant int32 [%d, 2]", x->rank);
	if (x->rank < 1)
		return pc_bad(c, "input must have rank >= 1");
	pd = pads->data;
	pc_to_shape(x, &p->input);
	for (i = 0; i < x->rank; i++) {
		p->before[i] = pd[2 * i];
		p->after[i] = pd[2 * i + 1];
	}
	p->value = (int8_t)o->zero_points[0];
	v = pc_opt_in(c, 2);
	if (v) {
		if (v->dtype != ENPU_DTYPE_INT8 || v->count != 1 || !v->data)
			return pc_bad(c, "pad value must be a constant int8 scalar");
		if (v->num_scales != 1 || v->scales[0] != o->scales[0] ||
		    v->zero_points[0] != o->zero_points[0])
			return pc_bad(c, "pad value must share the output's quantization");
		p->value = *(const int8_t *)v->data;
	}
	if (enpu_pad_output_shape(p, &os))
		return pc_bad(c, "negative or oversized paddings");
	for (i = 0; i < x->rank; i++)
		if (os.dims[i] != o->dims[i])
			return pc_bad(c, "output dimension %d is %d, padding makes %d", i,
				   o->dims[i], os.dims[i]);
	return 0;
}

static int prep_concat(struct pctx *c)
{
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1), *x;
	int32_t axis = c->l->axis, sum = 0;
	int k, i, ret;

	if (!o)
		return -EINVAL;
	if (c->l->activation != ENPU_FUSED_NONE)
		return pc_bad(c, "a fused activation is not supported on int8 concatenation");
	if (axis < 0)
		axis += o->rank;
	if (axis < 0 || axis >= o->rank)
		return pc_bad(c, "axis %d is outside rank %d", c->l->axis, o->rank);
	for (k = 0; k < c->l->num_inputs; k++) {
		if (!(x = pc_in(c, k, ENPU_DTYPE_INT8, o->rank, "input")))
			return -EINVAL;
		if ((ret = pc_same_quant(c, x, o, "every input")))
			return ret;
		for (i = 0; i < o->rank; i++)
			if (i != axis && x->dims[i] != o->dims[i])
				return pc_bad(c, "input %d differs from the output at dimension %d",
					   k, i);
		sum += x->dims[axis];
	}
	if (sum != o->dims[axis])
		return pc_bad(c, "inputs add up to %d along axis %d, the output has %d",
			   sum, axis, o->dims[axis]);
	c->p->concat_axis = axis;
	return 0;
}

static int prep_softmax(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input");
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_INT8, -1);
	float xs;
	int32_t xz;
	int ret;

	if (!x || !o)
		return -EINVAL;
	if ((ret = pc_per_tensor(c, x, "input", &xs, &xz)))
		return ret;
	if (o->count != x->count || o->num_scales != 1 ||
	    o->scales[0] != 1.0f / 256 || o->zero_points[0] != -128)
		return pc_bad(c, "int8 output must match the input's shape with scale 1/256, zero point -128");
	if (x->rank < 1)
		return pc_bad(c, "input must have rank >= 1");
	if (enpu_softmax_derive(c->l->beta, xs, &c->p->p.softmax))
		return pc_bad(c, "beta %g with input scale %g cannot be represented",
			   (double)c->l->beta, (double)xs);
	c->p->softmax_depth = x->dims[x->rank - 1];
	c->p->softmax_outer = (int32_t)(x->count / (size_t)c->p->softmax_depth);
	return 0;
}

/* int8, int16 or int32: the types QUANTIZE requantizes between. */
static int integer_type(enum enpu_dtype t)
{
	return t == ENPU_DTYPE_INT8 || t == ENPU_DTYPE_INT16 || t == ENPU_DTYPE_INT32;
}

/*
 * QUANTIZE as TFLite-Micro runs it: float32 to int8 or int16, and between
 * int8, int16 and int32 (not int32 to int32) by requantization.
 */
static int prep_quantize(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_opt_in(c, 0);
	const struct enpu_gtensor *o = &c->g->tensors[c->l->output];
	float xs;
	int ret;

	if (!x)
		return pc_bad(c, "input is missing");
	if (x->dtype == ENPU_DTYPE_FLOAT32 ?
	    o->dtype != ENPU_DTYPE_INT8 && o->dtype != ENPU_DTYPE_INT16 :
	    !integer_type(x->dtype) || !integer_type(o->dtype) ||
	    (x->dtype == ENPU_DTYPE_INT32 && o->dtype == ENPU_DTYPE_INT32))
		return pc_bad(c, "QUANTIZE from %s to %s is not one TFLite runs (float32 to int8 "
			      "or int16; between int8, int16 and int32)", pc_dtype_name(x->dtype),
			      pc_dtype_name(o->dtype));
	if (x->count != o->count)
		return pc_bad(c, "input and output sizes differ");
	c->p->count = x->count;
	if ((ret = pc_per_tensor(c, o, "output", &c->p->q_scale, &c->p->q_out_zp)))
		return ret;
	if (x->dtype == ENPU_DTYPE_FLOAT32)
		return 0;
	if ((ret = pc_per_tensor(c, x, "input", &xs, &c->p->q_in_zp)))
		return ret;
	if (enpu_derive_rescale(xs, c->p->q_scale, &c->p->q_mult, &c->p->q_shift))
		return pc_bad_scale(c, xs, NULL, 0, c->p->q_scale, "requantization");
	return 0;
}

static int prep_dequantize(struct pctx *c)
{
	const struct enpu_gtensor *x = pc_act_in(c, 0, -1, "input", 1);
	const struct enpu_gtensor *o = pc_out(c, ENPU_DTYPE_FLOAT32, -1);

	if (!x || !o)
		return -EINVAL;
	if (x->count != o->count)
		return pc_bad(c, "input and output sizes differ");
	return pc_per_tensor(c, x, "input", &c->p->q_scale, &c->p->q_in_zp);
}

static int prep_mean(struct pctx *c)
{
	const struct enpu_gtensor *x, *axes, *o;
	struct enpu_mean_params *p = &c->p->p.mean;
	float xs, os;
	size_t n;
	int ret;

	if (!(x = pc_in(c, 0, ENPU_DTYPE_INT8, -1, "input")) ||
	    !(axes = pc_in(c, 1, ENPU_DTYPE_INT32, -1, "axes")) ||
	    !(o = pc_out(c, ENPU_DTYPE_INT8, -1)))
		return -EINVAL;
	if (!axes->data)
		return pc_bad(c, "axes must be a constant tensor");
	if ((ret = pc_per_tensor(c, x, "input", &xs, &p->input_zero_point)) ||
	    (ret = pc_per_tensor(c, o, "output", &os, &p->output_zero_point)))
		return ret;
	c->p->mean_axes = malloc(axes->count * sizeof(int32_t));
	if (!c->p->mean_axes)
		return enpu_fail(-ENOMEM, "out of memory");
	memcpy(c->p->mean_axes, axes->data, axes->count * sizeof(int32_t));
	pc_to_shape(x, &p->input);
	p->axes = c->p->mean_axes;
	p->num_axes = axes->count;
	if (enpu_derive_rescale(xs, os, &p->multiplier, &p->shift))
		return pc_bad_scale(c, xs, NULL, 0, os, "requantization");
	if (enpu_mean_output_count(p, &n) || n != o->count)
		return pc_bad(c, "reducing these axes does not give the output's %zu elements",
			   o->count);
	return 0;
}

int enpu_prepare_layer(const struct enpu_graph *g, size_t i, struct enpu_prep *prep)
{
	struct pctx c = { .g = g, .idx = i, .l = &g->layers[i], .p = prep };
	int k, ret;

	memset(prep, 0, sizeof(*prep));
	prep->type = c.l->type;
	prep->num_in = c.l->num_inputs;
	for (k = 0; k < ENPU_MAX_LAYER_INPUTS; k++)
		prep->in[k] = k < c.l->num_inputs ? c.l->inputs[k] : -1;
	prep->out = c.l->output;
	/* state is only what the layers that keep it read */
	for (k = 0; k < c.l->num_inputs; k++)
		if (c.l->inputs[k] >= 0 && g->tensors[c.l->inputs[k]].variable &&
		    !(c.l->type == ENPU_LAYER_SVDF && k == 4))
			return pc_bad(&c, "input %d (tensor %d) is a variable; only SVDF's state "
				      "(its input 4) may be one", k, c.l->inputs[k]);

	switch (c.l->type) {
	case ENPU_LAYER_CONV_2D:
		ret = prep_conv(&c, 0);
		break;
	case ENPU_LAYER_DEPTHWISE_CONV_2D:
		ret = prep_conv(&c, 1);
		break;
	case ENPU_LAYER_FULLY_CONNECTED:
		ret = prep_fc(&c);
		break;
	case ENPU_LAYER_ADD:
		ret = enpu_prepare_binary(&c);
		break;
	case ENPU_LAYER_AVERAGE_POOL_2D:
	case ENPU_LAYER_MAX_POOL_2D:
		ret = prep_pool(&c);
		break;
	case ENPU_LAYER_RESHAPE:
		ret = prep_reshape(&c);
		break;
	case ENPU_LAYER_PAD:
		ret = prep_pad(&c);
		break;
	case ENPU_LAYER_CONCATENATION:
		ret = prep_concat(&c);
		break;
	case ENPU_LAYER_SOFTMAX:
		ret = prep_softmax(&c);
		break;
	case ENPU_LAYER_QUANTIZE:
		ret = prep_quantize(&c);
		break;
	case ENPU_LAYER_DEQUANTIZE:
		ret = prep_dequantize(&c);
		break;
	case ENPU_LAYER_MEAN:
		ret = prep_mean(&c);
		break;
	case ENPU_LAYER_MUL:
	case ENPU_LAYER_SUB:
	case ENPU_LAYER_MAXIMUM:
	case ENPU_LAYER_MINIMUM:
		ret = enpu_prepare_binary(&c);
		break;
	case ENPU_LAYER_TRANSPOSE:
	case ENPU_LAYER_STRIDED_SLICE:
	case ENPU_LAYER_SPLIT:
	case ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR:
	case ENPU_LAYER_RESIZE_BILINEAR:
		ret = enpu_prepare_movement(&c);
		break;
	case ENPU_LAYER_REDUCE_MAX:
	case ENPU_LAYER_SUM:
		ret = enpu_prepare_reduce(&c);
		break;
	case ENPU_LAYER_TRANSPOSE_CONV:
		ret = enpu_prepare_transpose_conv(&c);
		break;
	case ENPU_LAYER_SVDF:
		ret = enpu_prepare_svdf(&c);
		break;
	default:
		ret = enpu_layer_is_activation(c.l->type) ? enpu_prepare_activation(&c) :
		      pc_bad(&c, "unsupported layer type");
	}
	if (ret)
		enpu_prep_free(prep);
	return ret;
}

void enpu_prep_free(struct enpu_prep *prep)
{
	enpu_gemm_weights_free(&prep->gemm);
	enpu_dw_weights_free(&prep->dw);
	free(prep->mult);
	free(prep->shift);
	free(prep->mean_axes);
	prep->mult = prep->shift = prep->mean_axes = NULL;
}
