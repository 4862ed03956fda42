// SPDX-License-Identifier: MIT
/*
 * Turns a per-op golden case into a one-operator TFLite file (the test
 * forge, tests/fuzz/tflite_forge.h): its tensors in file order, the
 * constant ones (golden_graph_const_mask()) with their data in buffers,
 * its options in the builtin options table at the schema's field numbers.
 * Running that file through libedgenpu's TFLite reader checks the reader's
 * reading of every operator's options against TFLite-Micro's outputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_graph.h"
#include "golden_tflite.h"
#include "../fuzz/tflite_forge.h"

/* How an option's text becomes a field: int, bool, float, activation, padding, format. */
enum kind { K_INT, K_BOOL, K_FLOAT, K_ACT, K_PAD, K_FORMAT };

struct opt {
	const char *name;
	uint8_t slot, size;
	enum kind kind;
};

#define ACT(slot)	{ "fused_activation_function", slot, 1, K_ACT }
#define PADDING		{ "padding", 0, 1, K_PAD }
#define STRIDES		{ "stride_w", 1, 4, K_INT }, { "stride_h", 2, 4, K_INT }

static const struct {
	const char *op;
	int32_t code;
	struct opt opts[FG_MAX_FIELDS];
} ops[] = {
	{ "ADD", 0, { ACT(0) } },
	{ "AVERAGE_POOL_2D", 1, { PADDING, STRIDES, { "filter_width", 3, 4, K_INT },
				  { "filter_height", 4, 4, K_INT }, ACT(5) } },
	{ "CONCATENATION", 2, { { "axis", 0, 4, K_INT }, ACT(1) } },
	{ "CONV_2D", 3, { PADDING, STRIDES, ACT(3), { "dilation_w_factor", 4, 4, K_INT },
			  { "dilation_h_factor", 5, 4, K_INT } } },
	{ "DEPTHWISE_CONV_2D", 4, { PADDING, STRIDES, { "depth_multiplier", 3, 4, K_INT }, ACT(4),
				    { "dilation_w_factor", 5, 4, K_INT },
				    { "dilation_h_factor", 6, 4, K_INT } } },
	{ "DEQUANTIZE", 6, { { 0 } } },
	{ "FULLY_CONNECTED", 9, { ACT(0), { "weights_format", 1, 1, K_FORMAT },
				  { "keep_num_dims", 2, 1, K_BOOL },
				  { "asymmetric_quantize_inputs", 3, 1, K_BOOL } } },
	{ "LOGISTIC", 14, { { 0 } } },
	{ "MAX_POOL_2D", 17, { PADDING, STRIDES, { "filter_width", 3, 4, K_INT },
			       { "filter_height", 4, 4, K_INT }, ACT(5) } },
	{ "MUL", 18, { ACT(0) } },
	{ "RELU", 19, { { 0 } } },
	{ "RELU6", 21, { { 0 } } },
	{ "RESHAPE", 22, { { 0 } } },	/* the reader takes the output tensor's shape */
	{ "RESIZE_BILINEAR", 23, { { "align_corners", 2, 1, K_BOOL },
				   { "half_pixel_centers", 3, 1, K_BOOL } } },
	{ "SOFTMAX", 25, { { "beta", 0, 4, K_FLOAT } } },
	{ "SVDF", 27, { { "rank", 0, 4, K_INT }, ACT(1),
			{ "asymmetric_quantize_inputs", 2, 1, K_BOOL } } },
	{ "TANH", 28, { { 0 } } },
	{ "PAD", 34, { { 0 } } },
	{ "TRANSPOSE", 39, { { 0 } } },
	{ "MEAN", 40, { { "keep_dims", 0, 1, K_BOOL } } },
	{ "SUB", 41, { ACT(0) } },
	{ "STRIDED_SLICE", 45, { { "begin_mask", 0, 4, K_INT }, { "end_mask", 1, 4, K_INT },
				 { "ellipsis_mask", 2, 4, K_INT }, { "new_axis_mask", 3, 4, K_INT },
				 { "shrink_axis_mask", 4, 4, K_INT }, { "offset", 5, 1, K_BOOL } } },
	{ "SPLIT", 49, { { "num_splits", 0, 4, K_INT } } },
	{ "MAXIMUM", 55, { { 0 } } },
	{ "MINIMUM", 57, { { 0 } } },
	{ "PADV2", 60, { { 0 } } },
	{ "TRANSPOSE_CONV", 67, { PADDING, STRIDES, ACT(3) } },
	{ "SUM", 74, { { "keep_dims", 0, 1, K_BOOL } } },
	{ "REDUCE_MAX", 82, { { "keep_dims", 0, 1, K_BOOL } } },
	{ "RESIZE_NEAREST_NEIGHBOR", 97, { { "align_corners", 0, 1, K_BOOL },
					   { "half_pixel_centers", 1, 1, K_BOOL } } },
	{ "LEAKY_RELU", 98, { { "alpha", 0, 4, K_FLOAT } } },
	{ "QUANTIZE", 114, { { 0 } } },
	{ "HARD_SWISH", 117, { { 0 } } },
};

/* The field value of option text @v, or -1 when the value has no encoding here. */
static int encode(enum kind k, const char *v, uint64_t *val)
{
	static const char *const acts[] = { "NONE", "RELU", "RELU_N1_TO_1", "RELU6" };
	uint32_t bits;
	float f;
	size_t i;

	switch (k) {
	case K_INT:
		*val = (uint32_t)atoi(v);
		return 0;
	case K_BOOL:
		*val = !strcmp(v, "true");
		return 0;
	case K_FLOAT:
		f = strtof(v, NULL);
		memcpy(&bits, &f, 4);
		*val = bits;
		return 0;
	case K_ACT:
		for (i = 0; i < 4; i++)
			if (!strcmp(v, acts[i])) {
				*val = i;
				return 0;
			}
		return -1;
	case K_PAD:
		*val = !strcmp(v, "VALID");
		return strcmp(v, "VALID") && strcmp(v, "SAME") ? -1 : 0;
	case K_FORMAT:
		*val = 0;
		return strcmp(v, "DEFAULT") ? -1 : 0;
	}
	return -1;
}

static int fg_type(enum golden_dtype t, uint8_t *out)
{
	switch (t) {
	case GOLDEN_INT8:
		*out = FG_INT8;
		return 0;
	case GOLDEN_INT16:
		*out = FG_INT16;
		return 0;
	case GOLDEN_INT32:
		*out = FG_INT32;
		return 0;
	case GOLDEN_INT64:
		*out = FG_INT64;
		return 0;
	case GOLDEN_FLOAT32:
		*out = FG_FLOAT32;
		return 0;
	default:
		return -1;
	}
}

/* @constant: 1 a constant (its data in a buffer), 2 a variable. */
static int add_tensor(struct fg_model *m, const struct golden_tensor *t, int constant,
		      char *err, size_t errlen)
{
	struct fg_tensor *ft = &m->t[m->ntensors];
	size_t i;

	if (m->ntensors >= FG_MAX_TENSORS || m->nbuffers >= FG_MAX_BUFFERS) {
		snprintf(err, errlen, "more tensors than the forge takes");
		return -2;
	}
	memset(ft, 0, sizeof(*ft));
	ft->name = t->role;
	if (fg_type(t->dtype, &ft->type)) {
		snprintf(err, errlen, "tensor %s: dtype %s", t->role, golden_dtype_name(t->dtype));
		return -2;
	}
	ft->rank = t->rank;
	memcpy(ft->dims, t->dims, sizeof(int32_t) * (size_t)t->rank);
	if (t->quant.present) {
		if (t->quant.count > FG_MAX_SCALES) {
			snprintf(err, errlen, "tensor %s: %zu scales", t->role, t->quant.count);
			return -2;
		}
		ft->nscales = ft->nzps = (int)t->quant.count;
		for (i = 0; i < t->quant.count; i++) {
			ft->scales[i] = t->quant.scales[i];
			ft->zps[i] = t->quant.zero_points[i];
		}
		ft->qaxis = t->quant.axis < 0 ? 0 : t->quant.axis;
	}
	/* a variable has no data: the run writes its starting value */
	ft->is_variable = constant == 2;
	if (constant == 1) {
		ft->buffer = (uint32_t)m->nbuffers;
		m->b[m->nbuffers++] = (struct fg_buffer){ .data = t->data,
							  .len = (uint32_t)t->bytes };
	}
	return m->ntensors++;
}

int golden_tflite_build(const struct golden_file *g, uint8_t **buf, size_t *len,
			char *err, size_t errlen)
{
	struct fg_model m;
	struct fg_op *op = &m.op[0];
	unsigned int mask, var_mask;
	size_t i, k, o;
	int id;

	*buf = NULL;
	*len = 0;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(g->op, ops[i].op))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]) || golden_graph_const_mask(g->op, &mask, &var_mask)) {
		snprintf(err, errlen, "no TFLite operator written for %s", g->op);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.version = 3;
	m.nbuffers = 1;			/* buffer 0: empty, as converters write it */
	m.nops = 1;
	op->code = ops[i].code;
	for (o = 0; o < FG_MAX_FIELDS && ops[i].opts[o].name; o++) {
		const struct opt *d = &ops[i].opts[o];
		const char *v = golden_find_option(g, d->name);

		if (!v)
			continue;
		if (encode(d->kind, v, &op->opt[op->nopt].val)) {
			snprintf(err, errlen, "option %s %s", d->name, v);
			return 1;
		}
		op->opt[op->nopt].slot = d->slot;
		op->opt[op->nopt].size = d->size;
		op->nopt++;
	}
	for (k = 0; k < 8; k++) {
		char role[8];
		const struct golden_tensor *t;

		snprintf(role, sizeof(role), "in%zu", k);
		t = golden_find_tensor(g, role);
		if (!t) {
			snprintf(role, sizeof(role), "in%zu", k + 1);
			if (!golden_find_tensor(g, role))
				break;
			op->in[op->nin++] = -1;		/* absent optional operand */
			continue;
		}
		id = add_tensor(&m, t, (var_mask >> k) & 1 ? 2 : (int)((mask >> k) & 1), err,
				errlen);
		if (id < 0)
			return 1;
		op->in[op->nin++] = id;
		if (((mask | var_mask) >> k) & 1)
			continue;
		if (m.nin == 4) {
			snprintf(err, errlen, "more graph inputs than the forge takes");
			return 1;
		}
		m.in[m.nin++] = id;
	}
	for (k = 0; k < 4; k++) {
		char role[8];
		const struct golden_tensor *t;

		snprintf(role, sizeof(role), "out%zu", k);
		t = golden_find_tensor(g, role);
		if (!t)
			break;
		id = add_tensor(&m, t, 0, err, errlen);
		if (id < 0)
			return 1;
		op->outs[op->nout++] = id;
		m.out[m.nout++] = id;
	}
	*len = fg_build(&m, buf);
	if (!*len) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
