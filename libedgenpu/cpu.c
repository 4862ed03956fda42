// SPDX-License-Identifier: MIT
/*
 * The CPU backend's layer execution: the INT8 kernels of hw/int8 with the
 * parameters prepare.c derived. Also runs the CPU-only layers of models
 * compiled for the NPU.
 */
#include <errno.h>
#include <stdlib.h>

#include "clock.h"
#include "cpu.h"
#include "internal.h"
#include "model.h"

static int exec_concat(const struct enpu_graph *g, const struct enpu_prep *p,
		       void *const *buf)
{
	const struct enpu_gtensor *o = &g->tensors[p->out];
	struct enpu_shape shapes[ENPU_MAX_LAYER_INPUTS], os;
	const int8_t *ptrs[ENPU_MAX_LAYER_INPUTS];
	size_t lens[ENPU_MAX_LAYER_INPUTS];
	int k;

	for (k = 0; k < p->num_in; k++) {
		const struct enpu_gtensor *t = &g->tensors[p->in[k]];

		shapes[k].rank = t->rank;
		for (int i = 0; i < ENPU_MAX_RANK; i++)
			shapes[k].dims[i] = t->dims[i];
		ptrs[k] = buf[p->in[k]];
		lens[k] = t->count;
	}
	os.rank = o->rank;
	for (int i = 0; i < ENPU_MAX_RANK; i++)
		os.dims[i] = o->dims[i];
	return enpu_concatenation(p->concat_axis, (size_t)p->num_in, shapes, ptrs,
				  lens, &os, buf[p->out], o->count);
}

/* CONV_2D, FULLY_CONNECTED and ADD with int16 activations (16x8). */
static int exec_16x8(const struct enpu_graph *g, const struct enpu_prep *p,
		     void *const *buf)
{
	const struct enpu_gtensor *x = &g->tensors[p->in[0]], *o = &g->tensors[p->out];
	const struct enpu_gtensor *w = p->num_in > 1 && p->in[1] >= 0 ? &g->tensors[p->in[1]] :
				       NULL;
	const struct enpu_gtensor *b = p->num_in > 2 && p->in[2] >= 0 ? &g->tensors[p->in[2]] :
				       NULL;

	switch (p->type) {
	case ENPU_LAYER_CONV_2D:
		return enpu_conv2d_16x8(&p->p.conv, buf[p->in[0]], x->count, buf[p->in[1]],
					w->count, b ? buf[p->in[2]] : NULL, b ? b->count : 0,
					buf[p->out], o->count);
	case ENPU_LAYER_FULLY_CONNECTED:
		return enpu_fully_connected_16x8(&p->p.fc, buf[p->in[0]], x->count,
						 buf[p->in[1]], w->count,
						 b ? buf[p->in[2]] : NULL, b ? b->count : 0,
						 buf[p->out], o->count);
	case ENPU_LAYER_ADD:
		return enpu_add_int16(&p->p.add, buf[p->in[0]], x->count, buf[p->in[1]],
				      w->count, buf[p->out], o->count);
	default:
		return -EINVAL;
	}
}

int enpu_cpu_exec(const struct enpu_graph *g, const struct enpu_prep *p,
		  void *const *buf)
{
	const struct enpu_gtensor *o = &g->tensors[p->out];
	const struct enpu_gtensor *x = &g->tensors[p->in[0]];
	const void *b = p->num_in > 2 && p->in[2] >= 0 ? buf[p->in[2]] : NULL;
	size_t blen = b ? g->tensors[p->in[2]].count : 0;
	void *out = buf[p->out];
	const void *in0 = buf[p->in[0]];
	const void *in1 = p->num_in > 1 && p->in[1] >= 0 ? buf[p->in[1]] : NULL;
	size_t in1_len = in1 ? g->tensors[p->in[1]].count : 0;

	if (x->dtype == ENPU_DTYPE_INT16 && (p->type == ENPU_LAYER_CONV_2D ||
					      p->type == ENPU_LAYER_FULLY_CONNECTED ||
					      p->type == ENPU_LAYER_ADD))
		return exec_16x8(g, p, buf);
	switch (p->type) {
	case ENPU_LAYER_CONV_2D: {
		struct enpu_conv2d_params cp = p->p.conv;

		cp.packed = p->gemm.data ? &p->gemm : NULL;
		return enpu_conv2d(&cp, in0, x->count, in1, in1_len, b, blen, out, o->count);
	}
	case ENPU_LAYER_DEPTHWISE_CONV_2D: {
		struct enpu_dwconv2d_params dp = p->p.dw;

		dp.prepared = p->dw.mem ? &p->dw : NULL;
		return enpu_depthwise_conv2d(&dp, in0, x->count, in1, in1_len, b, blen, out,
					     o->count);
	}
	case ENPU_LAYER_FULLY_CONNECTED: {
		struct enpu_fc_params fp = p->p.fc;

		fp.packed = p->gemm.data ? &p->gemm : NULL;
		return enpu_fully_connected(&fp, in0, x->count, in1, in1_len, b, blen, out,
					    o->count);
	}
	case ENPU_LAYER_ADD:
		return enpu_add(&p->p.add, in0, x->count, in1, in1_len, out, o->count);
	case ENPU_LAYER_AVERAGE_POOL_2D:
		return enpu_avg_pool(&p->p.pool, in0, x->count, out, o->count);
	case ENPU_LAYER_MAX_POOL_2D:
		return enpu_max_pool(&p->p.pool, in0, x->count, out, o->count);
	case ENPU_LAYER_RESHAPE:
		return enpu_reshape(in0, x->count, out, o->count, o->count);
	case ENPU_LAYER_PAD:
		return enpu_pad(&p->p.pad, in0, x->count, out, o->count);
	case ENPU_LAYER_CONCATENATION:
		return exec_concat(g, p, buf);
	case ENPU_LAYER_SOFTMAX:
		return enpu_softmax(&p->p.softmax, p->softmax_outer, p->softmax_depth,
				    in0, x->count, out, o->count);
	case ENPU_LAYER_QUANTIZE:
		if (x->dtype != ENPU_DTYPE_FLOAT32)
			return enpu_requantize(in0, x->bytes / x->count, x->count, p->q_in_zp,
					       p->q_out_zp, p->q_mult, p->q_shift, out,
					       o->bytes / o->count);
		return o->dtype == ENPU_DTYPE_INT16 ?
		       enpu_quantize_f32_i16(in0, x->count, p->q_scale, p->q_out_zp, out) :
		       enpu_quantize_f32(in0, x->count, p->q_scale, p->q_out_zp, out);
	case ENPU_LAYER_DEQUANTIZE:
		return x->dtype == ENPU_DTYPE_INT16 ?
		       enpu_dequantize_i16(in0, x->count, p->q_scale, p->q_in_zp, out) :
		       enpu_dequantize_i8(in0, x->count, p->q_scale, p->q_in_zp, out);
	case ENPU_LAYER_MEAN:
		return enpu_mean(&p->p.mean, in0, x->count, out, o->count);
	case ENPU_LAYER_RELU:
		return enpu_relu(&p->p.relu, p->count, in0, x->count, out, o->count);
	case ENPU_LAYER_RELU6:
		return enpu_relu6(&p->p.relu6, p->count, in0, x->count, out, o->count);
	case ENPU_LAYER_LEAKY_RELU:
		return enpu_leaky_relu(&p->p.leaky_relu, p->count, in0, x->count, out, o->count);
	case ENPU_LAYER_LOGISTIC:
		return enpu_logistic(&p->p.logistic, p->count, in0, x->count, out, o->count);
	case ENPU_LAYER_TANH:
		return enpu_tanh(&p->p.tanh, p->count, in0, x->count, out, o->count);
	case ENPU_LAYER_HARD_SWISH:
		return enpu_hard_swish(&p->p.hard_swish, p->count, in0, x->count, out, o->count);
	case ENPU_LAYER_MUL:
		return enpu_mul_i8(&p->p.mul, in0, x->count, in1, in1_len, out, o->count);
	case ENPU_LAYER_SUB:
		return enpu_sub(&p->p.sub, in0, x->count, in1, in1_len, out, o->count);
	case ENPU_LAYER_MAXIMUM:
		return enpu_maximum(&p->p.minmax, in0, x->count, in1, in1_len, out, o->count);
	case ENPU_LAYER_MINIMUM:
		return enpu_minimum(&p->p.minmax, in0, x->count, in1, in1_len, out, o->count);
	case ENPU_LAYER_TRANSPOSE:
		return enpu_transpose(&p->p.transpose, in0, x->count, out, o->count);
	case ENPU_LAYER_STRIDED_SLICE:
		return enpu_strided_slice(&p->p.strided_slice, in0, x->count, out, o->count);
	case ENPU_LAYER_SPLIT:
		/* its input is the second: the first is the axis */
		return enpu_strided_slice(&p->p.strided_slice, in1, in1_len, out, o->count);
	case ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR:
		return enpu_resize_nearest_neighbor(&p->p.resize, in0, x->count, out, o->count);
	case ENPU_LAYER_RESIZE_BILINEAR:
		return enpu_resize_bilinear(&p->p.resize, in0, x->count, out, o->count);
	case ENPU_LAYER_REDUCE_MAX:
		return enpu_reduce_max(&p->p.reduce_max, in0, x->count, out, o->count);
	case ENPU_LAYER_SUM:
		return enpu_sum(&p->p.sum, in0, x->count, out, o->count);
	case ENPU_LAYER_TRANSPOSE_CONV: {
		/* (output_shape, weights, input[, bias]) */
		const struct enpu_gtensor *tb = p->num_in > 3 && p->in[3] >= 0 ?
						&g->tensors[p->in[3]] : NULL;

		return enpu_transpose_conv(&p->p.tconv, buf[p->in[2]], g->tensors[p->in[2]].count,
					   in1, in1_len, tb ? buf[p->in[3]] : NULL,
					   tb ? tb->count : 0, out, o->count);
	}
	case ENPU_LAYER_SVDF: {
		/* (input, weights_feature, weights_time, bias, state): the state updated */
		const struct enpu_gtensor *tb = p->in[3] >= 0 ? &g->tensors[p->in[3]] : NULL;

		return enpu_svdf(&p->p.svdf, in0, x->count, in1, in1_len, buf[p->in[2]],
				 g->tensors[p->in[2]].count, tb ? buf[p->in[3]] : NULL,
				 tb ? tb->count : 0, buf[p->in[4]], g->tensors[p->in[4]].count,
				 out, o->count);
	}
	}
	return -EINVAL;
}

/*
 * A packed layer's requantisation tables too, when its bias is constant
 * (the array enpu_cpu_exec() then passes: m->buf holds constants' data).
 * Left without them (no memory), every call makes its own.
 */
static void pack_requant(const struct enpu_graph *g, struct enpu_prep *p)
{
	const int has_bias = p->num_in > 2 && p->in[2] >= 0;
	const int32_t *bias = has_bias ? g->tensors[p->in[2]].data : NULL;

	if (has_bias && !bias)
		return;
	if (p->type == ENPU_LAYER_DEPTHWISE_CONV_2D)
		enpu_dw_weights_requant(&p->dw, &p->p.dw, bias);
	else if (p->type == ENPU_LAYER_CONV_2D)
		enpu_conv2d_requant(&p->gemm, &p->p.conv, bias);
	else
		enpu_fc_requant(&p->gemm, &p->p.fc, bias);
}

/*
 * Packs the constant weights of the int8 CONV_2D and FULLY_CONNECTED
 * layers the CPU runs for the CPU's GEMM (enpu_gemm_weights), and makes
 * those of its DEPTHWISE_CONV_2D layers ready (enpu_dw_weights), once,
 * when the model is made, not at every inference. Nothing is packed on a
 * CPU variant without the kernels, and a layer left unpacked (rows too
 * long, no memory) reads its weights as they are: this cannot fail.
 */
void enpu_cpu_pack_weights(struct enpu_model *m)
{
	const struct enpu_graph *g = m->g;

	for (size_t l = 0; l < g->num_layers; l++) {
		struct enpu_prep *p = &m->prep[l];
		const struct enpu_gtensor *w;
		int32_t channels;

		if (m->linfo[l].on_npu || p->gemm.data || p->dw.mem || p->num_in < 2 ||
		    p->in[1] < 0 || g->tensors[p->in[0]].dtype != ENPU_DTYPE_INT8)
			continue;
		w = &g->tensors[p->in[1]];
		if (p->type == ENPU_LAYER_DEPTHWISE_CONV_2D) {
			if (w->data && w->count == (size_t)p->p.dw.filter.h * p->p.dw.filter.w *
						   p->p.dw.output.c &&
			    !enpu_dw_weights_prepare(&p->dw, &p->p.dw, w->data))
				pack_requant(g, p);
			continue;
		}
		if (p->type == ENPU_LAYER_CONV_2D)
			channels = p->p.conv.output.c;
		else if (p->type == ENPU_LAYER_FULLY_CONNECTED)
			channels = p->p.fc.output_depth;
		else
			continue;
		if (!w->data || channels <= 0 || w->count % (size_t)channels ||
		    enpu_gemm_weights_pack(&p->gemm, w->data, channels,
					   w->count / (size_t)channels))
			continue;
		pack_requant(g, p);
	}
}

int enpu_cpu_run_layers(struct enpu_model *m, void *const *buf, size_t first,
			size_t count)
{
	size_t k;

	for (k = first; k < first + count; k++) {
		size_t l = m->order[k];
		uint64_t t0 = enpu_now_ns();
		int ret = enpu_cpu_exec(m->g, &m->prep[l], buf);

		m->linfo[l].cpu_ns = enpu_now_ns() - t0;
		if (ret)
			return enpu_fail(ret, "layer %zu (%s) failed on the CPU: %s", l,
					 enpu_layer_type_name(m->prep[l].type),
					 enpu_strerror(ret));
	}
	return 0;
}
