// SPDX-License-Identifier: MIT
/*
 * A TFLite model reader, written for libedgenpu: the flatbuffer is walked
 * directly (no generated code, no C++ runtime) and turned into a graph.
 * Every offset, length and index is checked against the file before it is
 * used, so a corrupt or hostile file gets an error naming what is wrong,
 * never a crash, a hang or an allocation larger than the file justifies.
 *
 * Field numbers follow the TFLite schema (a union takes two slots: its type
 * and its value). Only subgraph 0 is read.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatbuf.h"
#include "graph.h"
#include "internal.h"
#include "npu.h"
#include "tflite_names.h"

#define TFL_MAX_DEPTH	8		/* nesting of tables we follow */
/* graph building is quadratic in the layers: bounds a hostile file's cost */
#define TFL_MAX_OPERATORS	16384

/* TFLite enums the reader maps. */
enum {
	TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONCATENATION = 2, TFL_CONV_2D = 3,
	TFL_DEPTHWISE_CONV_2D = 4, TFL_DEQUANTIZE = 6, TFL_FULLY_CONNECTED = 9,
	TFL_LOGISTIC = 14, TFL_MAX_POOL_2D = 17, TFL_MUL = 18, TFL_RELU = 19, TFL_RELU6 = 21,
	TFL_RESHAPE = 22, TFL_RESIZE_BILINEAR = 23, TFL_SOFTMAX = 25, TFL_SVDF = 27,
	TFL_TANH = 28,
	TFL_PAD = 34, TFL_TRANSPOSE = 39, TFL_MEAN = 40, TFL_SUB = 41, TFL_STRIDED_SLICE = 45,
	TFL_SPLIT = 49, TFL_MAXIMUM = 55, TFL_MINIMUM = 57, TFL_PADV2 = 60,
	TFL_TRANSPOSE_CONV = 67, TFL_SUM = 74, TFL_REDUCE_MAX = 82,
	TFL_RESIZE_NEAREST_NEIGHBOR = 97, TFL_LEAKY_RELU = 98, TFL_QUANTIZE = 114,
	TFL_HARD_SWISH = 117,
};

enum { TFL_FLOAT32 = 0, TFL_INT32 = 2, TFL_INT64 = 4, TFL_INT16 = 7, TFL_INT8 = 9 };

static const char *tfl_op_name(int32_t code)
{
	return enpu_tfl_op_name(code);
}

struct reader {
	struct fb f;
	struct enpu_graph *g;
	struct tbl sub;
	uint32_t ntensors;
	size_t tensors_first;
	uint32_t nbuffers;
	size_t buffers_first;
	int *map;		/* tflite tensor -> graph tensor, -1 not yet */
	uint64_t budget;	/* bytes tensors may still copy into the graph */
	int32_t svdf_rank;	/* the operator being read's, when an SVDF */
};

/* Constant data of buffer @b, or NULL if it is empty. */
static int buffer_data(struct reader *r, uint32_t b, const void **data, uint64_t *len)
{
	struct tbl bt;
	uint32_t n;
	size_t first;
	uint64_t off, size;

	*data = NULL;
	*len = 0;
	if (b >= r->nbuffers)
		return fb_fail(&r->f, "buffer index %u, the model has %u", b, r->nbuffers);
	if (fb_vec_table(&r->f, r->buffers_first, b, &bt, "buffer"))
		return -EINVAL;
	if (fb_vec(&r->f, &bt, 0, 1, &n, &first) < 0)
		return -EINVAL;
	if (n) {
		*data = r->f.p + first;
		*len = n;
		return 0;
	}
	/* large models keep data after the flatbuffer: offset/size fields */
	off = fb_field(&r->f, &bt, 1, 8) ? (uint64_t)fb_rd32(&r->f, fb_field(&r->f, &bt, 1, 8)) |
	      (uint64_t)fb_rd32(&r->f, fb_field(&r->f, &bt, 1, 8) + 4) << 32 : 0;
	size = fb_field(&r->f, &bt, 2, 8) ? (uint64_t)fb_rd32(&r->f, fb_field(&r->f, &bt, 2, 8)) |
	       (uint64_t)fb_rd32(&r->f, fb_field(&r->f, &bt, 2, 8) + 4) << 32 : 0;
	if (off > 1 && size) {
		if (!fb_has(&r->f, off, size))
			return fb_fail(&r->f, "buffer %u: offset %llu + size %llu beyond the file",
				       b, (unsigned long long)off, (unsigned long long)size);
		*data = r->f.p + off;
		*len = size;
	}
	return 0;
}

/* Tensor @i's element type: its dtype and element size, or -EINVAL. */
static int tensor_type(struct reader *r, const struct tbl *t, int32_t i, const char *name,
		       enum enpu_dtype *dtype, uint64_t *esize)
{
	static const struct {
		uint8_t tfl;
		enum enpu_dtype dtype;
		uint8_t size;
	} types[] = {
		{ TFL_INT8, ENPU_DTYPE_INT8, 1 }, { TFL_INT16, ENPU_DTYPE_INT16, 2 },
		{ TFL_INT32, ENPU_DTYPE_INT32, 4 }, { TFL_INT64, ENPU_DTYPE_INT64, 8 },
		{ TFL_FLOAT32, ENPU_DTYPE_FLOAT32, 4 },
	};
	uint8_t ty = fb_u8(&r->f, t, 1, 0);
	size_t k;

	for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		if (types[k].tfl == ty) {
			*dtype = types[k].dtype;
			*esize = types[k].size;
			return 0;
		}
	}
	return fb_fail(&r->f, "tensor %d (%s): element type %u is not supported (int8, int16, "
		       "int32, int64, float32 are)", i, name ? name : "", ty);
}

/* Tensor @i's shape into @d; *bytes its size in bytes of @esize elements. */
static int tensor_shape(struct reader *r, const struct tbl *t, int32_t i, const char *name,
			uint64_t esize, struct enpu_tensor_desc *d, uint64_t *bytes)
{
	uint64_t need = esize;
	size_t first;
	uint32_t n, k;

	if (fb_vec(&r->f, t, 0, 4, &n, &first) < 0)
		return -EINVAL;
	if (n > ENPU_MAX_RANK)
		return fb_fail(&r->f, "tensor %d (%s): rank %u is over %d", i, name ? name : "",
			       n, ENPU_MAX_RANK);
	d->rank = (int)n;
	for (k = 0; k < n; k++) {
		d->dims[k] = (int32_t)fb_rd32(&r->f, first + 4 * k);
		if (d->dims[k] < 1 || d->dims[k] > (1 << 24))
			return fb_fail(&r->f, "tensor %d (%s): dimension %u is %d", i,
				       name ? name : "", k, d->dims[k]);
		need *= (uint64_t)d->dims[k];
	}
	*bytes = need;
	return 0;
}

/*
 * Tensor @i's quantization (int8 and int16 tensors; others ignore theirs)
 * into @d, its arrays in *scales and *zps for the caller to free.
 */
static int tensor_quant(struct reader *r, const struct tbl *t, int32_t i,
			struct enpu_tensor_desc *d, float **scales, int32_t **zps)
{
	const int64_t zmax = d->dtype == ENPU_DTYPE_INT8 ? 127 : 32767;
	size_t qpos, sfirst, zfirst;
	uint32_t ns, nz, k;
	struct tbl q;

	if (fb_ref(&r->f, t, 4, &qpos) < 0 || (qpos && fb_table(&r->f, qpos, &q, "quantization")))
		return -EINVAL;
	if (!qpos)
		return 0;
	if (fb_vec(&r->f, &q, 2, 4, &ns, &sfirst) < 0 || fb_vec(&r->f, &q, 3, 8, &nz, &zfirst) < 0)
		return -EINVAL;
	if (!ns || (d->dtype != ENPU_DTYPE_INT8 && d->dtype != ENPU_DTYPE_INT16))
		return 0;
	if (nz && nz != ns)
		return fb_fail(&r->f, "tensor %d: %u scales but %u zero points", i, ns, nz);
	*scales = malloc(ns * sizeof(float));
	*zps = calloc(ns, sizeof(int32_t));
	if (!*scales || !*zps)
		return -ENOMEM;
	for (k = 0; k < ns; k++) {
		uint32_t bits = fb_rd32(&r->f, sfirst + 4 * k);
		int64_t z = 0;

		memcpy(&(*scales)[k], &bits, 4);
		if (nz) {
			z = (int64_t)((uint64_t)fb_rd32(&r->f, zfirst + 8 * k) |
				      (uint64_t)fb_rd32(&r->f, zfirst + 8 * k + 4) << 32);
			if (z < -zmax - 1 || z > zmax)
				return fb_fail(&r->f, "tensor %d: zero point %lld is outside %s", i,
					       (long long)z, zmax == 127 ? "int8" : "int16");
		}
		(*zps)[k] = (int32_t)z;
	}
	d->num_scales = ns;
	d->scales = *scales;
	d->zero_points = *zps;
	/* a 1-D per-channel tensor (bias) is quantized along its only axis */
	d->quant_axis = ns > 1 && d->rank > 1 ? (int)fb_u32(&r->f, &q, 6, 0) : 0;
	return 0;
}

/* The graph tensor for tflite tensor @i, created on first use. */
static int tensor(struct reader *r, int32_t i)
{
	struct enpu_tensor_desc d = { 0 };
	float *scales = NULL;
	int32_t *zps = NULL;
	struct tbl t;
	const void *data;
	uint64_t len, need = 0, cost, esize = 1;
	int id = -EINVAL, ret;
	char *name;

	if (i < 0 || (uint32_t)i >= r->ntensors)
		return fb_fail(&r->f, "tensor index %d, the subgraph has %u", i, r->ntensors);
	if (r->map[i] >= 0)
		return r->map[i];
	if (fb_vec_table(&r->f, r->tensors_first, (uint32_t)i, &t, "tensor"))
		return -EINVAL;
	name = fb_string(&r->f, &t, 3);
	d.name = name;
	if (tensor_type(r, &t, i, name, &d.dtype, &esize) ||
	    tensor_shape(r, &t, i, name, esize, &d, &need))
		goto out;
	ret = tensor_quant(r, &t, i, &d, &scales, &zps);
	if (ret) {
		id = ret;
		goto out;
	}
	if (buffer_data(r, fb_u32(&r->f, &t, 2, 0), &data, &len))
		goto out;
	if (data && fb_u8(&r->f, &t, 5, 0)) {
		fb_fail(&r->f, "tensor %d (%s) is a variable with data: TFLite does not allow "
			"it (a variable starts from zeros)", i, name ? name : "");
		goto out;
	}
	if (data) {
		if (len != need) {
			fb_fail(&r->f, "tensor %d (%s): %llu bytes of data for %llu needed", i,
				name ? name : "", (unsigned long long)len,
				(unsigned long long)need);
			goto out;
		}
		d.data = data;
	}
	/* many tensors may share one buffer or name: copies are bounded by the file */
	cost = (d.data ? len : 0) + 8 * (uint64_t)d.num_scales + (name ? strlen(name) + 1 : 0);
	if (cost > r->budget) {
		fb_fail(&r->f, "tensor %d (%s): tensors would copy more than 4x the file's bytes (+1 MiB) of data, scales and names",
			i, name ? name : "");
		goto out;
	}
	r->budget -= cost;
	/* is_variable: state kept across inferences, reset to zeros (TFLite-Micro) */
	id = fb_u8(&r->f, &t, 5, 0) ? enpu_graph_add_variable(r->g, &d) :
	     enpu_graph_add_tensor(r->g, &d);
	if (id >= 0)
		r->map[i] = id;
	else
		fb_fail(&r->f, "tensor %d: %s", i, enpu_last_error());
out:
	free(name);
	free(scales);
	free(zps);
	return id;
}

static enum enpu_fused_activation act(struct reader *r, uint8_t a, int *ok)
{
	*ok = 1;
	switch (a) {
	case 0: return ENPU_FUSED_NONE;
	case 1: return ENPU_FUSED_RELU;
	case 2: return ENPU_FUSED_RELU_N1_TO_1;
	case 3: return ENPU_FUSED_RELU6;
	}
	*ok = 0;
	fb_fail(&r->f, "fused activation %u is not supported", a);
	return ENPU_FUSED_NONE;
}

/* Fills the layer's parameters from its builtin options table. */
static int options(struct reader *r, int32_t code, const struct tbl *o,
		   struct enpu_layer_desc *l)
{
	struct fb *f = &r->f;
	int ok = 1;

	l->dilation_h = l->dilation_w = 1;
	l->beta = 1.0f;
	r->svdf_rank = 0;
	if (!o)
		return 0;
	switch (code) {
	case TFL_CONV_2D:
		l->padding = fb_u8(f, o, 0, 0) ? ENPU_VALID : ENPU_SAME;
		l->stride_w = (int)fb_u32(f, o, 1, 0);
		l->stride_h = (int)fb_u32(f, o, 2, 0);
		l->activation = act(r, fb_u8(f, o, 3, 0), &ok);
		l->dilation_w = (int)fb_u32(f, o, 4, 1);
		l->dilation_h = (int)fb_u32(f, o, 5, 1);
		break;
	case TFL_DEPTHWISE_CONV_2D:
		l->padding = fb_u8(f, o, 0, 0) ? ENPU_VALID : ENPU_SAME;
		l->stride_w = (int)fb_u32(f, o, 1, 0);
		l->stride_h = (int)fb_u32(f, o, 2, 0);
		l->depth_multiplier = (int)fb_u32(f, o, 3, 0);
		l->activation = act(r, fb_u8(f, o, 4, 0), &ok);
		l->dilation_w = (int)fb_u32(f, o, 5, 1);
		l->dilation_h = (int)fb_u32(f, o, 6, 1);
		break;
	case TFL_FULLY_CONNECTED:
		l->activation = act(r, fb_u8(f, o, 0, 0), &ok);
		if (fb_u8(f, o, 1, 0))
			return fb_fail(f, "shuffled FULLY_CONNECTED weights are not supported");
		if (fb_u8(f, o, 3, 0))
			return fb_fail(f, "hybrid FULLY_CONNECTED (asymmetric_quantize_inputs) is not supported");
		break;
	case TFL_ADD:
	case TFL_MUL:
	case TFL_SUB:
		l->activation = act(r, fb_u8(f, o, 0, 0), &ok);
		break;
	case TFL_LEAKY_RELU: {
		uint32_t bits = fb_u32(f, o, 0, 0);

		memcpy(&l->alpha, &bits, 4);
		break;
	}
	case TFL_RESIZE_BILINEAR:
		l->align_corners = fb_u8(f, o, 2, 0);
		l->half_pixel_centers = fb_u8(f, o, 3, 0);
		break;
	case TFL_RESIZE_NEAREST_NEIGHBOR:
		l->align_corners = fb_u8(f, o, 0, 0);
		l->half_pixel_centers = fb_u8(f, o, 1, 0);
		break;
	case TFL_STRIDED_SLICE:
		l->begin_mask = (int)fb_u32(f, o, 0, 0);
		l->end_mask = (int)fb_u32(f, o, 1, 0);
		if (fb_u32(f, o, 2, 0) || fb_u32(f, o, 3, 0))
			return fb_fail(f, "STRIDED_SLICE with an ellipsis_mask or a new_axis_mask is "
				       "not supported (TFLite-Micro does not run them either)");
		l->shrink_axis_mask = (int)fb_u32(f, o, 4, 0);
		if (fb_u8(f, o, 5, 0))
			return fb_fail(f, "STRIDED_SLICE with offset true is not supported");
		break;
	case TFL_SPLIT:
		l->num_splits = (int)fb_u32(f, o, 0, 0);
		break;
	case TFL_SVDF:
		/* implied by the shapes: checked against them in read_operator() */
		r->svdf_rank = (int32_t)fb_u32(f, o, 0, 0);
		l->activation = act(r, fb_u8(f, o, 1, 0), &ok);
		if (fb_u8(f, o, 2, 0))
			return fb_fail(f, "hybrid SVDF (asymmetric_quantize_inputs) is not supported");
		break;
	case TFL_TRANSPOSE_CONV:
		l->padding = fb_u8(f, o, 0, 0) ? ENPU_VALID : ENPU_SAME;
		l->stride_w = (int)fb_u32(f, o, 1, 0);
		l->stride_h = (int)fb_u32(f, o, 2, 0);
		l->activation = act(r, fb_u8(f, o, 3, 0), &ok);
		break;
	case TFL_AVERAGE_POOL_2D:
	case TFL_MAX_POOL_2D:
		l->padding = fb_u8(f, o, 0, 0) ? ENPU_VALID : ENPU_SAME;
		l->stride_w = (int)fb_u32(f, o, 1, 0);
		l->stride_h = (int)fb_u32(f, o, 2, 0);
		l->filter_w = (int)fb_u32(f, o, 3, 0);
		l->filter_h = (int)fb_u32(f, o, 4, 0);
		l->activation = act(r, fb_u8(f, o, 5, 0), &ok);
		break;
	case TFL_SOFTMAX: {
		uint32_t bits = fb_u32(f, o, 0, 0);

		memcpy(&l->beta, &bits, 4);
		break;
	}
	case TFL_CONCATENATION:
		l->axis = (int)fb_u32(f, o, 0, 0);
		l->activation = act(r, fb_u8(f, o, 1, 0), &ok);
		break;
	case TFL_MEAN:
	case TFL_SUM:
	case TFL_REDUCE_MAX:
		l->keep_dims = fb_u8(f, o, 0, 0);
		break;
	}
	return ok && !f->err[0] ? 0 : -EINVAL;
}

static int layer_type(int32_t code, enum enpu_layer_type *t)
{
	switch (code) {
	case TFL_CONV_2D: *t = ENPU_LAYER_CONV_2D; return 0;
	case TFL_DEPTHWISE_CONV_2D: *t = ENPU_LAYER_DEPTHWISE_CONV_2D; return 0;
	case TFL_FULLY_CONNECTED: *t = ENPU_LAYER_FULLY_CONNECTED; return 0;
	case TFL_ADD: *t = ENPU_LAYER_ADD; return 0;
	case TFL_AVERAGE_POOL_2D: *t = ENPU_LAYER_AVERAGE_POOL_2D; return 0;
	case TFL_MAX_POOL_2D: *t = ENPU_LAYER_MAX_POOL_2D; return 0;
	case TFL_RESHAPE: *t = ENPU_LAYER_RESHAPE; return 0;
	case TFL_PAD:
	case TFL_PADV2: *t = ENPU_LAYER_PAD; return 0;
	case TFL_CONCATENATION: *t = ENPU_LAYER_CONCATENATION; return 0;
	case TFL_SOFTMAX: *t = ENPU_LAYER_SOFTMAX; return 0;
	case TFL_QUANTIZE: *t = ENPU_LAYER_QUANTIZE; return 0;
	case TFL_DEQUANTIZE: *t = ENPU_LAYER_DEQUANTIZE; return 0;
	case TFL_MEAN: *t = ENPU_LAYER_MEAN; return 0;
	case TFL_RELU: *t = ENPU_LAYER_RELU; return 0;
	case TFL_RELU6: *t = ENPU_LAYER_RELU6; return 0;
	case TFL_LEAKY_RELU: *t = ENPU_LAYER_LEAKY_RELU; return 0;
	case TFL_LOGISTIC: *t = ENPU_LAYER_LOGISTIC; return 0;
	case TFL_TANH: *t = ENPU_LAYER_TANH; return 0;
	case TFL_HARD_SWISH: *t = ENPU_LAYER_HARD_SWISH; return 0;
	case TFL_MUL: *t = ENPU_LAYER_MUL; return 0;
	case TFL_SUB: *t = ENPU_LAYER_SUB; return 0;
	case TFL_MAXIMUM: *t = ENPU_LAYER_MAXIMUM; return 0;
	case TFL_MINIMUM: *t = ENPU_LAYER_MINIMUM; return 0;
	case TFL_TRANSPOSE: *t = ENPU_LAYER_TRANSPOSE; return 0;
	case TFL_STRIDED_SLICE: *t = ENPU_LAYER_STRIDED_SLICE; return 0;
	case TFL_SPLIT: *t = ENPU_LAYER_SPLIT; return 0;
	case TFL_RESIZE_NEAREST_NEIGHBOR: *t = ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR; return 0;
	case TFL_RESIZE_BILINEAR: *t = ENPU_LAYER_RESIZE_BILINEAR; return 0;
	case TFL_REDUCE_MAX: *t = ENPU_LAYER_REDUCE_MAX; return 0;
	case TFL_SUM: *t = ENPU_LAYER_SUM; return 0;
	case TFL_TRANSPOSE_CONV: *t = ENPU_LAYER_TRANSPOSE_CONV; return 0;
	case TFL_SVDF: *t = ENPU_LAYER_SVDF; return 0;
	}
	return -1;
}

ENPU_EXPORT const char *enpu_tflite_operator(int code, enum enpu_op_support *support)
{
	enum enpu_layer_type t;

	if (support)
		*support = layer_type(code, &t) ? ENPU_OP_UNSUPPORTED :
			   enpu_npu_runs_type(t) ? ENPU_OP_NPU : ENPU_OP_CPU;
	return enpu_tfl_op_name(code);
}

/* The builtin code of operator @op (number @i). */
static int op_code(struct fb *f, const struct tbl *model, const struct tbl *op, uint32_t i,
		   int32_t *code)
{
	size_t codes_first;
	uint32_t ncodes, idx;
	struct tbl oc;

	if (fb_vec(f, model, 1, 4, &ncodes, &codes_first) < 0)
		return -EINVAL;
	idx = fb_u32(f, op, 0, 0);
	if (idx >= ncodes)
		return fb_fail(f, "operator %u: opcode index %u, the model has %u", i, idx, ncodes);
	if (fb_vec_table(f, codes_first, idx, &oc, "operator code"))
		return -EINVAL;
	/* the builtin is the larger of the deprecated byte and the int32 code */
	*code = (int8_t)fb_u8(f, &oc, 0, 0);
	if ((int32_t)fb_u32(f, &oc, 3, 0) > *code)
		*code = (int32_t)fb_u32(f, &oc, 3, 0);
	return 0;
}

/* Appends one item to a survey's list, while it fits. */
static void note(char *list, size_t size, size_t *len, unsigned int *shown,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(char *list, size_t size, size_t *len, unsigned int *shown,
		 const char *fmt, ...)
{
	char item[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	n = snprintf(list + *len, size - *len, "%s%s", *shown ? "; " : "", item);
	if (n > 0 && (size_t)n < size - *len) {
		*len += (size_t)n;
		(*shown)++;
	}
}

/*
 * Before anything is built: every operator and every tensor element type
 * of the model that libedgenpu cannot run yet, all in one message, so that
 * one run tells a user everything.
 */
static int survey(struct reader *r, const struct tbl *model, size_t ops_first, uint32_t nops)
{
	struct fb *f = &r->f;
	enum enpu_layer_type type;
	char list[700];
	size_t len = 0, first;
	unsigned int nbad = 0, shown = 0, k, field;
	uint8_t *seen;
	uint32_t i, n;
	int32_t code, t;
	int ret = 0;

	seen = calloc(r->ntensors + 1, 1);
	if (!seen)
		return -ENOMEM;
	list[0] = 0;
	for (i = 0; i < nops; i++) {
		struct tbl op;

		if (fb_vec_table(f, ops_first, i, &op, "operator") || op_code(f, model, &op, i, &code)) {
			ret = -EINVAL;
			goto out;
		}
		if (layer_type(code, &type)) {
			nbad++;
			note(list, sizeof(list), &len, &shown, "operator %u: %s (builtin %d)", i,
			     tfl_op_name(code) ? tfl_op_name(code) : "unnamed operator", code);
		}
		for (field = 1; field <= 2; field++) {
			if (fb_vec(f, &op, field, 4, &n, &first) < 0) {
				ret = -EINVAL;
				goto out;
			}
			for (k = 0; k < n; k++) {
				struct tbl tt;
				const char *tn;
				char *name;
				uint8_t ty;

				t = (int32_t)fb_rd32(f, first + 4 * k);
				if (t < 0 || (uint32_t)t >= r->ntensors || seen[t])
					continue;
				seen[t] = 1;
				if (fb_vec_table(f, r->tensors_first, (uint32_t)t, &tt, "tensor")) {
					ret = -EINVAL;
					goto out;
				}
				ty = fb_u8(f, &tt, 1, 0);
				if (ty == TFL_INT8 || ty == TFL_INT16 || ty == TFL_INT32 ||
				    ty == TFL_INT64 || ty == TFL_FLOAT32)
					continue;
				nbad++;
				name = fb_string(f, &tt, 3);
				tn = enpu_tfl_type_name(ty);
				note(list, sizeof(list), &len, &shown, "tensor %d '%s' of "
				     "operator %u: %s%s tensors are not supported", t,
				     name ? name : "", i, tn ? tn : "element type ",
				     tn ? "" : "unknown");
				free(name);
			}
		}
	}
	if (nbad)
		ret = fb_fail(f, "the model uses %u thing%s libedgenpu cannot run yet (int8, "
			      "int16, int32, int64 and float32 tensors are supported): %s%s", nbad,
			      nbad == 1 ? "" : "s", list,
			      shown < nbad ? "; and more" : "");
out:
	free(seen);
	return ret;
}

/*
 * SVDF's rank option against its shapes: weights_feature (input 1) has
 * rank x units rows, units the last dimension of output tensor @out.
 */
static int svdf_rank_bad(const struct reader *r, const struct enpu_layer_desc *l, int out)
{
	const struct enpu_gtensor *o = &r->g->tensors[out], *wf;

	if (l->num_inputs < 2 || l->inputs[1] < 0 || r->svdf_rank < 1 || o->rank < 1)
		return 1;
	wf = &r->g->tensors[l->inputs[1]];
	return wf->rank < 1 ||
	       (int64_t)wf->dims[0] != (int64_t)r->svdf_rank * o->dims[o->rank - 1];
}

static int read_operator(struct reader *r, const struct tbl *model, size_t ops_first,
			 uint32_t i)
{
	struct fb *f = &r->f;
	struct enpu_layer_desc l = { 0 };
	struct tbl op, opt;
	size_t first, opos;
	uint32_t n, k;
	int32_t code;
	int id, have_opt;

	if (fb_vec_table(f, ops_first, i, &op, "operator"))
		return -EINVAL;
	if (op_code(f, model, &op, i, &code))
		return -EINVAL;
	if (layer_type(code, &l.type)) {
		const char *nm = tfl_op_name(code);

		return fb_fail(f, "operator %u: %s%s (builtin %d) is not supported by libedgenpu",
			       i, nm ? nm : "operator", nm ? "" : " code", code);
	}

	have_opt = fb_ref(f, &op, 4, &opos);
	if (have_opt < 0 || (have_opt && fb_table(f, opos, &opt, "builtin options")))
		return -EINVAL;
	if (options(r, code, have_opt ? &opt : NULL, &l))
		return fb_fail(f, "operator %u (%s): bad options", i, tfl_op_name(code));

	if (fb_vec(f, &op, 1, 4, &n, &first) < 0)
		return -EINVAL;
	if (n < 1 || n > ENPU_MAX_LAYER_INPUTS)
		return fb_fail(f, "operator %u (%s): %u inputs", i, tfl_op_name(code), n);
	if (code == TFL_RESHAPE)
		n = 1;	/* the new shape is the output tensor's */
	for (k = 0; k < n; k++) {
		int32_t t = (int32_t)fb_rd32(f, first + 4 * k);

		if (t < 0) {
			l.inputs[l.num_inputs++] = -1;
			continue;
		}
		id = tensor(r, t);
		if (id < 0)
			return id;
		l.inputs[l.num_inputs++] = id;
	}
	if (fb_vec(f, &op, 2, 4, &n, &first) < 0)
		return -EINVAL;
	if (code == TFL_SPLIT && n != (uint32_t)l.num_splits)
		return fb_fail(f, "operator %u (SPLIT): %u outputs for num_splits %d", i, n,
			       l.num_splits);
	if (code != TFL_SPLIT && n != 1)
		return fb_fail(f, "operator %u (%s): %u outputs, 1 supported", i,
			       tfl_op_name(code), n);
	/* a SPLIT's n outputs are n layers, each computing its own part */
	for (k = 0; k < n; k++) {
		id = tensor(r, (int32_t)fb_rd32(f, first + 4 * k));
		if (id < 0)
			return id;
		if (code == TFL_SVDF && svdf_rank_bad(r, &l, id))
			return fb_fail(f, "operator %u (SVDF): rank %d, but its weights_feature "
				       "rows over its output's units are not that", i,
				       (int)r->svdf_rank);
		l.output = id;
		l.split_index = (int)k;
		id = enpu_graph_add_layer(r->g, &l);
		if (id < 0)
			return fb_fail(f, "operator %u: %s", i, enpu_last_error());
	}
	return 0;
}

static int read_io(struct reader *r, unsigned int slot, int **ids, size_t *count)
{
	size_t first;
	uint32_t n, k;
	int id;

	if (fb_vec(&r->f, &r->sub, slot, 4, &n, &first) < 0)
		return -EINVAL;
	if (n > 64)
		return fb_fail(&r->f, "subgraph has %u %s", n, slot == 1 ? "inputs" : "outputs");
	*ids = calloc(n + 1, sizeof(int));
	if (!*ids)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		id = tensor(r, (int32_t)fb_rd32(&r->f, first + 4 * k));
		if (id < 0)
			return id;
		(*ids)[k] = id;
	}
	*count = n;
	return 0;
}

static int parse(struct reader *r)
{
	struct fb *f = &r->f;
	struct tbl model;
	size_t subs_first, ops_first;
	uint32_t nsubs, nops, i, version;
	int *in = NULL, *out = NULL;
	size_t nin = 0, nout = 0;
	int ret;

	if (f->size < 8)
		return fb_fail(f, "%zu bytes is too small for a TFLite model", f->size);
	if (memcmp(f->p + 4, "TFL3", 4))
		return fb_fail(f, "no TFL3 identifier: not a TFLite model");
	if (fb_table(f, fb_rd32(f, 0), &model, "model"))
		return -EINVAL;
	version = fb_u32(f, &model, 0, 0);
	if (version != 3)
		return fb_fail(f, "schema version %u (3 is supported)", version);
	if (fb_vec(f, &model, 4, 4, &r->nbuffers, &r->buffers_first) < 0 ||
	    fb_vec(f, &model, 2, 4, &nsubs, &subs_first) < 0)
		return -EINVAL;
	if (!nsubs)
		return fb_fail(f, "the model has no subgraph");
	if (fb_vec_table(f, subs_first, 0, &r->sub, "subgraph") ||
	    fb_vec(f, &r->sub, 0, 4, &r->ntensors, &r->tensors_first) < 0 ||
	    fb_vec(f, &r->sub, 3, 4, &nops, &ops_first) < 0)
		return -EINVAL;
	if (nops > TFL_MAX_OPERATORS)
		return fb_fail(f, "the subgraph has %u operators, at most %d are supported",
			       nops, TFL_MAX_OPERATORS);
	r->map = malloc((r->ntensors + 1) * sizeof(int));
	if (!r->map)
		return -ENOMEM;
	memset(r->map, 0xff, (r->ntensors + 1) * sizeof(int));
	ret = survey(r, &model, ops_first, nops);
	if (ret)
		return ret;

	for (i = 0; i < nops; i++) {
		ret = read_operator(r, &model, ops_first, i);
		if (ret)
			return ret;
	}
	ret = read_io(r, 1, &in, &nin);
	if (!ret)
		ret = read_io(r, 2, &out, &nout);
	/* a field that could not be read (and gave its default) fails the file */
	if (!ret && f->err[0])
		ret = -EINVAL;
	if (!ret && enpu_graph_set_io(r->g, in, nin, out, nout))
		ret = fb_fail(f, "%s", enpu_last_error());
	free(in);
	free(out);
	return ret;
}

ENPU_EXPORT int enpu_model_load_tflite_mem(const void *data, size_t size,
					   struct enpu_graph **graph)
{
	struct reader r = { .f = { .p = data, .size = size },
			    .budget = 4 * (uint64_t)size + (1u << 20) };
	int ret;

	if (!data || !graph)
		return enpu_fail(-EINVAL, "enpu_model_load_tflite_mem: NULL argument");
	*graph = NULL;
	if (size > UINT32_MAX)
		return enpu_fail(-EFBIG, "TFLite flatbuffers are at most 4 GiB (%zu bytes given)",
				 size);
	ret = enpu_graph_create(&r.g);
	if (ret)
		return ret;
	ret = parse(&r);
	free(r.map);
	if (ret) {
		enpu_graph_destroy(r.g);
		if (ret == -ENOMEM)
			return enpu_fail(ret, "out of memory reading the model");
		return enpu_fail(ret, "TFLite model: %s", r.f.err[0] ? r.f.err : "malformed");
	}
	*graph = r.g;
	return 0;
}

ENPU_EXPORT int enpu_model_load_tflite(const char *path, struct enpu_graph **graph)
{
	size_t size;
	void *p;
	int ret;

	if (!path || !graph)
		return enpu_fail(-EINVAL, "enpu_model_load_tflite: NULL argument");
	ret = enpu_map_file(path, &p, &size);
	if (ret)
		return ret;
	ret = enpu_model_load_tflite_mem(p, size, graph);
	enpu_unmap_file(p, size);
	if (ret) {
		char why[512];

		snprintf(why, sizeof(why), "%s", enpu_last_error());
		return enpu_fail(ret, "%s: %s", path, why);
	}
	return 0;
}
