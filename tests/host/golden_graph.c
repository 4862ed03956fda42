// SPDX-License-Identifier: MIT
/*
 * Turns a per-op golden case into a one-layer graph through libedgenpu's
 * public API, the way a model importer would: TFLite's operator options
 * become the layer's parameters, weights and other parameter tensors
 * become constants, activations become graph inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_graph.h"

static const struct {
	const char *op;
	enum enpu_layer_type type;
	unsigned int const_mask;	/* inputs that are constants */
	unsigned int var_mask;		/* inputs that are variables (state) */
} ops[] = {
	{ "CONV_2D", ENPU_LAYER_CONV_2D, 0x6, 0 },
	{ "DEPTHWISE_CONV_2D", ENPU_LAYER_DEPTHWISE_CONV_2D, 0x6, 0 },
	{ "FULLY_CONNECTED", ENPU_LAYER_FULLY_CONNECTED, 0x6, 0 },
	{ "ADD", ENPU_LAYER_ADD, 0, 0 },
	{ "AVERAGE_POOL_2D", ENPU_LAYER_AVERAGE_POOL_2D, 0, 0 },
	{ "MAX_POOL_2D", ENPU_LAYER_MAX_POOL_2D, 0, 0 },
	{ "RESHAPE", ENPU_LAYER_RESHAPE, 0x2, 0 },
	{ "PAD", ENPU_LAYER_PAD, 0x2, 0 },
	{ "PADV2", ENPU_LAYER_PAD, 0x6, 0 },
	{ "CONCATENATION", ENPU_LAYER_CONCATENATION, 0, 0 },
	{ "SOFTMAX", ENPU_LAYER_SOFTMAX, 0, 0 },
	{ "QUANTIZE", ENPU_LAYER_QUANTIZE, 0, 0 },
	{ "DEQUANTIZE", ENPU_LAYER_DEQUANTIZE, 0, 0 },
	{ "MEAN", ENPU_LAYER_MEAN, 0x2, 0 },
	{ "RELU", ENPU_LAYER_RELU, 0, 0 },
	{ "RELU6", ENPU_LAYER_RELU6, 0, 0 },
	{ "LEAKY_RELU", ENPU_LAYER_LEAKY_RELU, 0, 0 },
	{ "LOGISTIC", ENPU_LAYER_LOGISTIC, 0, 0 },
	{ "TANH", ENPU_LAYER_TANH, 0, 0 },
	{ "HARD_SWISH", ENPU_LAYER_HARD_SWISH, 0, 0 },
	{ "MUL", ENPU_LAYER_MUL, 0, 0 },
	{ "SUB", ENPU_LAYER_SUB, 0, 0 },
	{ "MAXIMUM", ENPU_LAYER_MAXIMUM, 0, 0 },
	{ "MINIMUM", ENPU_LAYER_MINIMUM, 0, 0 },
	{ "TRANSPOSE", ENPU_LAYER_TRANSPOSE, 0x2, 0 },
	{ "STRIDED_SLICE", ENPU_LAYER_STRIDED_SLICE, 0xe, 0 },
	{ "SPLIT", ENPU_LAYER_SPLIT, 0x1, 0 },
	{ "RESIZE_NEAREST_NEIGHBOR", ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR, 0x2, 0 },
	{ "RESIZE_BILINEAR", ENPU_LAYER_RESIZE_BILINEAR, 0x2, 0 },
	{ "REDUCE_MAX", ENPU_LAYER_REDUCE_MAX, 0x2, 0 },
	{ "SUM", ENPU_LAYER_SUM, 0x2, 0 },
	{ "TRANSPOSE_CONV", ENPU_LAYER_TRANSPOSE_CONV, 0xb, 0 },
	{ "SVDF", ENPU_LAYER_SVDF, 0xe, 0x10 },
};

int golden_graph_const_mask(const char *op, unsigned int *mask, unsigned int *var_mask)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(op, ops[i].op)) {
			*mask = ops[i].const_mask;
			*var_mask = ops[i].var_mask;
			return 0;
		}
	}
	return -1;
}

static int opt_bool(const struct golden_file *g, const char *name)
{
	const char *v = golden_find_option(g, name);

	return v && !strcmp(v, "true");
}

static int opt_int(const struct golden_file *g, const char *name, int dflt)
{
	const char *v = golden_find_option(g, name);

	return v ? atoi(v) : dflt;
}

static enum enpu_fused_activation opt_act(const struct golden_file *g, int *ok)
{
	const char *v = golden_find_option(g, "fused_activation_function");

	*ok = 1;
	if (!v || !strcmp(v, "NONE"))
		return ENPU_FUSED_NONE;
	if (!strcmp(v, "RELU"))
		return ENPU_FUSED_RELU;
	if (!strcmp(v, "RELU6"))
		return ENPU_FUSED_RELU6;
	if (!strcmp(v, "RELU_N1_TO_1"))
		return ENPU_FUSED_RELU_N1_TO_1;
	*ok = 0;
	return ENPU_FUSED_NONE;
}

/* @constant: 1 a constant, 2 a variable starting from the case's data. */
static int add_tensor(struct enpu_graph *graph, const struct golden_tensor *t,
		      int constant, char *err, size_t errlen)
{
	struct enpu_tensor_desc d = { .name = t->role, .rank = t->rank };
	int i, id;

	switch (t->dtype) {
	case GOLDEN_INT8:
		d.dtype = ENPU_DTYPE_INT8;
		break;
	case GOLDEN_INT16:
		d.dtype = ENPU_DTYPE_INT16;
		break;
	case GOLDEN_INT32:
		d.dtype = ENPU_DTYPE_INT32;
		break;
	case GOLDEN_INT64:
		d.dtype = ENPU_DTYPE_INT64;
		break;
	case GOLDEN_FLOAT32:
		d.dtype = ENPU_DTYPE_FLOAT32;
		break;
	default:
		snprintf(err, errlen, "tensor %s: dtype %s", t->role,
			 golden_dtype_name(t->dtype));
		return -2;
	}
	if (t->rank > ENPU_MAX_RANK) {
		snprintf(err, errlen, "tensor %s: rank %d", t->role, t->rank);
		return -2;
	}
	for (i = 0; i < t->rank; i++)
		d.dims[i] = t->dims[i];
	if (t->quant.present && (d.dtype == ENPU_DTYPE_INT8 || d.dtype == ENPU_DTYPE_INT16)) {
		d.num_scales = t->quant.count;
		d.scales = t->quant.scales;
		d.zero_points = t->quant.zero_points;
		/* per-channel on a rank-1 tensor: along its only axis */
		d.quant_axis = t->rank == 1 ? 0 : t->quant.axis;
	}
	d.data = constant ? t->data : NULL;
	id = constant == 2 ? enpu_graph_add_variable(graph, &d) :
	     enpu_graph_add_tensor(graph, &d);
	if (id < 0)
		snprintf(err, errlen, "%s", enpu_last_error());
	return id;
}

int golden_graph_build(const struct golden_file *g, struct golden_graph *gg,
		       char *err, size_t errlen)
{
	struct enpu_layer_desc l = { 0 };
	const struct golden_tensor *out;
	int graph_in[ENPU_MAX_LAYER_INPUTS], graph_out[GOLDEN_GRAPH_MAX_OUTPUTS];
	size_t i, k, nin = 0;
	int id, ok;

	memset(gg, 0, sizeof(*gg));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(g->op, ops[i].op))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		snprintf(err, errlen, "no libedgenpu layer for %s", g->op);
		return 1;
	}
	out = golden_find_tensor(g, "out0");
	if (!out) {
		snprintf(err, errlen, "no out0");
		return -1;
	}
	if (enpu_graph_create(&gg->graph)) {
		snprintf(err, errlen, "%s", enpu_last_error());
		return -1;
	}
	l.type = ops[i].type;
	l.activation = opt_act(g, &ok);
	if (!ok) {
		snprintf(err, errlen, "fused activation %s",
			 golden_find_option(g, "fused_activation_function"));
		goto unsupported;
	}
	l.stride_h = opt_int(g, "stride_h", 1);
	l.stride_w = opt_int(g, "stride_w", 1);
	l.dilation_h = opt_int(g, "dilation_h_factor", 1);
	l.dilation_w = opt_int(g, "dilation_w_factor", 1);
	l.depth_multiplier = opt_int(g, "depth_multiplier", 1);
	l.filter_h = opt_int(g, "filter_height", 1);
	l.filter_w = opt_int(g, "filter_width", 1);
	l.axis = opt_int(g, "axis", 0);
	l.keep_dims = opt_bool(g, "keep_dims");
	l.alpha = golden_find_option(g, "alpha") ? strtof(golden_find_option(g, "alpha"), NULL) : 0;
	l.align_corners = opt_bool(g, "align_corners");
	l.half_pixel_centers = opt_bool(g, "half_pixel_centers");
	l.begin_mask = opt_int(g, "begin_mask", 0);
	l.end_mask = opt_int(g, "end_mask", 0);
	l.shrink_axis_mask = opt_int(g, "shrink_axis_mask", 0);
	l.num_splits = opt_int(g, "num_splits", 0);
	if (opt_int(g, "ellipsis_mask", 0) || opt_int(g, "new_axis_mask", 0)) {
		snprintf(err, errlen, "STRIDED_SLICE's ellipsis and new-axis masks");
		goto unsupported;
	}
	l.padding = golden_find_option(g, "padding") &&
		    !strcmp(golden_find_option(g, "padding"), "SAME") ? ENPU_SAME : ENPU_VALID;
	l.beta = golden_find_option(g, "beta") ? strtof(golden_find_option(g, "beta"), NULL) : 1.0f;

	for (k = 0; k < ENPU_MAX_LAYER_INPUTS; k++) {
		char role[8];
		const struct golden_tensor *t;
		int constant = (ops[i].var_mask >> k) & 1 ? 2 : (ops[i].const_mask >> k) & 1;

		snprintf(role, sizeof(role), "in%zu", k);
		t = golden_find_tensor(g, role);
		if (!t) {
			/* absent optional input (a bias) */
			if (k + 1 < ENPU_MAX_LAYER_INPUTS) {
				char next[8];

				snprintf(next, sizeof(next), "in%zu", k + 1);
				if (golden_find_tensor(g, next)) {
					l.inputs[l.num_inputs++] = -1;
					continue;
				}
			}
			break;
		}
		id = add_tensor(gg->graph, t, constant, err, errlen);
		if (id == -2)
			goto unsupported;
		if (id < 0)
			goto fail;
		l.inputs[l.num_inputs++] = id;
		if (constant == 2)
			gg->variables[gg->num_variables++] = t;
		if (!constant) {
			graph_in[nin] = id;
			gg->inputs[nin++] = t;
		}
	}
	gg->num_inputs = nin;
	/* one layer per output: a SPLIT's parts are layers of their own */
	for (k = 0; k < GOLDEN_GRAPH_MAX_OUTPUTS; k++) {
		char role[8];
		const struct golden_tensor *t;

		snprintf(role, sizeof(role), "out%zu", k);
		t = k ? golden_find_tensor(g, role) : out;
		if (!t)
			break;
		id = add_tensor(gg->graph, t, 0, err, errlen);
		if (id == -2)
			goto unsupported;
		if (id < 0)
			goto fail;
		l.output = id;
		l.split_index = (int)k;
		graph_out[k] = id;
		gg->outputs[k] = t;
		gg->num_outputs++;
		if (enpu_graph_add_layer(gg->graph, &l) < 0) {
			snprintf(err, errlen, "%s", enpu_last_error());
			goto fail;
		}
	}
	gg->output = out;
	if (enpu_graph_set_io(gg->graph, graph_in, nin, graph_out, gg->num_outputs)) {
		snprintf(err, errlen, "%s", enpu_last_error());
		goto fail;
	}
	return 0;
unsupported:
	golden_graph_free(gg);
	return 1;
fail:
	golden_graph_free(gg);
	return -1;
}

void golden_graph_free(struct golden_graph *gg)
{
	enpu_graph_destroy(gg->graph);
	memset(gg, 0, sizeof(*gg));
}
