// SPDX-License-Identifier: MIT
/* The graph builder: tensors, layers, inputs and outputs; topological order. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "internal.h"

static size_t dtype_size(enum enpu_dtype t)
{
	switch (t) {
	case ENPU_DTYPE_INT8:
		return 1;
	case ENPU_DTYPE_INT16:
		return 2;
	case ENPU_DTYPE_INT32:
	case ENPU_DTYPE_FLOAT32:
		return 4;
	case ENPU_DTYPE_INT64:
		return 8;
	}
	return 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	void *p;
	size_t n;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

ENPU_EXPORT int enpu_graph_create(struct enpu_graph **graph)
{
	if (!graph)
		return enpu_fail(-EINVAL, "enpu_graph_create: graph is NULL");
	*graph = calloc(1, sizeof(**graph));
	return *graph ? 0 : enpu_fail(-ENOMEM, "out of memory creating a graph");
}

ENPU_EXPORT void enpu_graph_destroy(struct enpu_graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->num_tensors; i++) {
		free(g->tensors[i].name);
		free(g->tensors[i].scales);
		free(g->tensors[i].zero_points);
		free(g->tensors[i].data);
		free(g->tensors[i].init);
	}
	free(g->tensors);
	free(g->layers);
	free(g->inputs);
	free(g->outputs);
	free(g);
}

ENPU_EXPORT int enpu_graph_add_tensor(struct enpu_graph *g,
				      const struct enpu_tensor_desc *d)
{
	struct enpu_gtensor *t;
	size_t count = 1, i;
	int id;

	if (!g || !d)
		return enpu_fail(-EINVAL, "enpu_graph_add_tensor: %s is NULL",
				 g ? "desc" : "graph");
	id = (int)g->num_tensors;
	if (!dtype_size(d->dtype))
		return enpu_fail(-EINVAL, "tensor %d (%s): unknown dtype %d", id,
				 d->name ? d->name : "?", d->dtype);
	if (d->rank < 0 || d->rank > ENPU_MAX_RANK)
		return enpu_fail(-EINVAL, "tensor %d (%s): rank %d is not 0..%d", id,
				 d->name ? d->name : "?", d->rank, ENPU_MAX_RANK);
	for (i = 0; i < (size_t)d->rank; i++) {
		if (d->dims[i] < 1 || d->dims[i] > (1 << 24))
			return enpu_fail(-EINVAL, "tensor %d (%s): dimension %zu is %d",
					 id, d->name ? d->name : "?", i, d->dims[i]);
		count *= (size_t)d->dims[i];
		if (count > (1u << 28))
			return enpu_fail(-EINVAL, "tensor %d (%s): over 2^28 elements",
					 id, d->name ? d->name : "?");
	}
	if (d->num_scales) {
		if (!d->scales)
			return enpu_fail(-EINVAL, "tensor %d: num_scales %zu but no scales",
					 id, d->num_scales);
		if (d->num_scales > 1 &&
		    (d->quant_axis < 0 || d->quant_axis >= (d->rank ? d->rank : 1) ||
		     (size_t)(d->rank ? d->dims[d->quant_axis] : 1) != d->num_scales))
			return enpu_fail(-EINVAL, "tensor %d (%s): %zu scales do not match axis %d",
					 id, d->name ? d->name : "?", d->num_scales,
					 d->quant_axis);
		for (i = 0; i < d->num_scales; i++)
			if (!(d->scales[i] > 0.0f) || !isfinite(d->scales[i]))
				return enpu_fail(-EINVAL, "tensor %d (%s): scale %zu is not positive",
						 id, d->name ? d->name : "?", i);
	}
	if (grow((void **)&g->tensors, &g->cap_tensors, g->num_tensors + 1,
		 sizeof(*g->tensors)))
		return enpu_fail(-ENOMEM, "out of memory adding a tensor");
	t = &g->tensors[g->num_tensors];
	memset(t, 0, sizeof(*t));
	t->dtype = d->dtype;
	t->rank = d->rank;
	memcpy(t->dims, d->dims, sizeof(t->dims));
	t->count = count;
	t->bytes = count * dtype_size(d->dtype);
	t->num_scales = d->num_scales;
	t->quant_axis = d->num_scales > 1 ? d->quant_axis : 0;
	t->producer = -1;
	if (d->name)
		t->name = strdup(d->name);
	if (d->num_scales) {
		t->scales = malloc(d->num_scales * sizeof(float));
		t->zero_points = calloc(d->num_scales, sizeof(int32_t));
		if (t->scales && t->zero_points) {
			memcpy(t->scales, d->scales, d->num_scales * sizeof(float));
			if (d->zero_points)
				memcpy(t->zero_points, d->zero_points,
				       d->num_scales * sizeof(int32_t));
		}
	}
	if (d->data) {
		t->data = malloc(t->bytes);
		if (t->data)
			memcpy(t->data, d->data, t->bytes);
	}
	if ((d->name && !t->name) || (d->num_scales && (!t->scales || !t->zero_points)) ||
	    (d->data && !t->data)) {
		free(t->name);
		free(t->scales);
		free(t->zero_points);
		free(t->data);
		return enpu_fail(-ENOMEM, "out of memory adding tensor %d", id);
	}
	g->num_tensors++;
	return id;
}

ENPU_EXPORT int enpu_graph_add_layer(struct enpu_graph *g,
				     const struct enpu_layer_desc *d)
{
	int id, i;

	if (!g || !d)
		return enpu_fail(-EINVAL, "enpu_graph_add_layer: %s is NULL",
				 g ? "desc" : "graph");
	id = (int)g->num_layers;
	if (!enpu_layer_type_name(d->type)[0])
		return enpu_fail(-EINVAL, "layer %d: unknown type %d", id, d->type);
	if (d->num_inputs < 1 || d->num_inputs > ENPU_MAX_LAYER_INPUTS)
		return enpu_fail(-EINVAL, "layer %d (%s): %d inputs", id,
				 enpu_layer_type_name(d->type), d->num_inputs);
	for (i = 0; i < d->num_inputs; i++)
		if (d->inputs[i] < -1 || d->inputs[i] >= (int)g->num_tensors)
			return enpu_fail(-EINVAL, "layer %d (%s): input %d is tensor %d, which does not exist",
					 id, enpu_layer_type_name(d->type), i, d->inputs[i]);
	if (d->output < 0 || d->output >= (int)g->num_tensors)
		return enpu_fail(-EINVAL, "layer %d (%s): output tensor %d does not exist",
				 id, enpu_layer_type_name(d->type), d->output);
	if (g->tensors[d->output].data)
		return enpu_fail(-EINVAL, "layer %d (%s): output tensor %d is a constant",
				 id, enpu_layer_type_name(d->type), d->output);
	if (g->tensors[d->output].variable)
		return enpu_fail(-EINVAL, "layer %d (%s): output tensor %d is a variable (its "
				 "layers update it in place: it is their state input)",
				 id, enpu_layer_type_name(d->type), d->output);
	if (enpu_graph_producer(g, d->output) >= 0)
		return enpu_fail(-EINVAL, "layer %d (%s): tensor %d is already written by layer %d",
				 id, enpu_layer_type_name(d->type), d->output,
				 enpu_graph_producer(g, d->output));
	if (grow((void **)&g->layers, &g->cap_layers, g->num_layers + 1,
		 sizeof(*g->layers)))
		return enpu_fail(-ENOMEM, "out of memory adding a layer");
	g->layers[g->num_layers++] = *d;
	g->tensors[d->output].producer = id;
	return id;
}

ENPU_EXPORT int enpu_graph_set_io(struct enpu_graph *g, const int *inputs,
				  size_t num_inputs, const int *outputs,
				  size_t num_outputs)
{
	int *in, *out;
	size_t i;

	if (!g || (num_inputs && !inputs) || !num_outputs || !outputs)
		return enpu_fail(-EINVAL, "enpu_graph_set_io: a graph needs outputs");
	for (i = 0; i < num_inputs + num_outputs; i++) {
		int t = i < num_inputs ? inputs[i] : outputs[i - num_inputs];

		if (t < 0 || t >= (int)g->num_tensors)
			return enpu_fail(-EINVAL, "graph %s %zu: tensor %d does not exist",
					 i < num_inputs ? "input" : "output",
					 i < num_inputs ? i : i - num_inputs, t);
		if (g->tensors[t].data)
			return enpu_fail(-EINVAL, "graph input/output tensor %d is a constant", t);
		if (g->tensors[t].variable)
			return enpu_fail(-EINVAL, "graph input/output tensor %d is a variable (state "
					 "is read and written with enpu_model_variable_read/_write)",
					 t);
	}
	in = malloc((num_inputs + 1) * sizeof(int));
	out = malloc(num_outputs * sizeof(int));
	if (!in || !out) {
		free(in);
		free(out);
		return enpu_fail(-ENOMEM, "out of memory");
	}
	memcpy(in, inputs, num_inputs * sizeof(int));
	memcpy(out, outputs, num_outputs * sizeof(int));
	free(g->inputs);
	free(g->outputs);
	g->inputs = in;
	g->outputs = out;
	g->num_inputs = num_inputs;
	g->num_outputs = num_outputs;
	return 0;
}

int enpu_graph_producer(const struct enpu_graph *g, int t)
{
	return g->tensors[t].producer;
}

static int is_graph_input(const struct enpu_graph *g, int t)
{
	size_t i;

	for (i = 0; i < g->num_inputs; i++)
		if (g->inputs[i] == t)
			return 1;
	return 0;
}

/* A min-heap of layer indexes. */
struct lheap {
	size_t *v;
	size_t n;
};

static void lheap_push(struct lheap *h, size_t x)
{
	size_t i = h->n++, up;

	while (i && h->v[up = (i - 1) / 2] > x) {
		h->v[i] = h->v[up];
		i = up;
	}
	h->v[i] = x;
}

static size_t lheap_pop(struct lheap *h)
{
	size_t top = h->v[0], x = h->v[--h->n], i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (x <= h->v[c])
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

/*
 * Kahn's algorithm over layers, in O((layers + tensors) log layers). The
 * order is that of sweeping the layers by index again and again, taking
 * each whose inputs are ready (what compiled models have always used):
 * a layer that becomes ready ahead of the sweep is taken in this sweep,
 * one behind it in the next. A tensor that is neither constant, a graph
 * input, nor written by a layer is an error, and so is a cycle.
 */
int enpu_graph_order(const struct enpu_graph *g, size_t *order)
{
	size_t L = g->num_layers, T = g->num_tensors, n = 0, i, k;
	unsigned char *done = calloc(L + 1, 1);
	unsigned char *ready = calloc(T + 1, 1);
	size_t *missing = calloc(L + 1, sizeof(size_t));
	size_t *first = calloc(T + 2, sizeof(size_t));
	size_t *users = NULL;
	struct lheap cur = { 0 }, next = { 0 }, tmp;
	int j, ret = 0;

	cur.v = calloc(L + 1, sizeof(size_t));
	next.v = calloc(L + 1, sizeof(size_t));
	if (!done || !ready || !missing || !first || !cur.v || !next.v) {
		ret = enpu_fail(-ENOMEM, "out of memory ordering the graph");
		goto out;
	}
	for (i = 0; i < T; i++)
		ready[i] = g->tensors[i].data || g->tensors[i].variable ||
			   is_graph_input(g, (int)i);
	/* the layers waiting on each tensor, grouped by tensor */
	for (i = 0; i < L; i++)
		for (j = 0; j < g->layers[i].num_inputs; j++) {
			int t = g->layers[i].inputs[j];

			if (t >= 0 && !ready[t]) {
				first[t + 1]++;
				missing[i]++;
			}
		}
	for (i = 0; i < T; i++)
		first[i + 1] += first[i];
	users = calloc(first[T] + 1, sizeof(size_t));
	if (!users) {
		ret = enpu_fail(-ENOMEM, "out of memory ordering the graph");
		goto out;
	}
	{
		size_t *fill = calloc(T + 1, sizeof(size_t));

		if (!fill) {
			ret = enpu_fail(-ENOMEM, "out of memory ordering the graph");
			goto out;
		}
		for (i = 0; i < L; i++)
			for (j = 0; j < g->layers[i].num_inputs; j++) {
				int t = g->layers[i].inputs[j];

				if (t >= 0 && !ready[t])
					users[first[t] + fill[t]++] = i;
			}
		free(fill);
	}
	for (i = 0; i < L; i++)
		if (!missing[i])
			lheap_push(&cur, i);
	while (n < L) {
		int t;

		if (!cur.n) {
			if (!next.n)
				break;		/* what is left waits on itself */
			tmp = cur;		/* the next sweep */
			cur = next;
			next = tmp;
		}
		i = lheap_pop(&cur);
		done[i] = 1;
		order[n++] = i;
		t = g->layers[i].output;
		if (ready[t])
			continue;
		ready[t] = 1;
		for (k = first[t]; k < first[t + 1]; k++)
			if (!--missing[users[k]])
				lheap_push(users[k] > i ? &cur : &next, users[k]);
	}
	if (n < g->num_layers) {
		for (i = 0; i < g->num_layers && !ret; i++) {
			const struct enpu_layer_desc *l = &g->layers[i];

			if (done[i])
				continue;
			for (j = 0; j < l->num_inputs && !ret; j++) {
				int t = l->inputs[j];

				if (t < 0 || ready[t])
					continue;
				if (enpu_graph_producer(g, t) < 0)
					ret = enpu_fail(-EINVAL, "layer %zu (%s): input tensor %d is never computed (not a constant, a graph input or a layer output)",
							i, enpu_layer_type_name(l->type), t);
				else
					ret = enpu_fail(-EINVAL, "layer %zu (%s): part of a cycle (tensor %d depends on its own output)",
							i, enpu_layer_type_name(l->type), t);
			}
		}
	}
	for (i = 0; i < g->num_outputs && !ret; i++)
		if (!ready[g->outputs[i]])
			ret = enpu_fail(-EINVAL, "graph output %zu (tensor %d) is never computed",
					i, g->outputs[i]);
out:
	free(done);
	free(ready);
	free(missing);
	free(first);
	free(users);
	free(cur.v);
	free(next.v);
	return ret;
}

int enpu_layer_is_activation(enum enpu_layer_type t)
{
	switch (t) {
	case ENPU_LAYER_RELU:
	case ENPU_LAYER_RELU6:
	case ENPU_LAYER_LEAKY_RELU:
	case ENPU_LAYER_LOGISTIC:
	case ENPU_LAYER_TANH:
	case ENPU_LAYER_HARD_SWISH:
		return 1;
	default:
		return 0;
	}
}

ENPU_EXPORT const char *enpu_layer_type_name(enum enpu_layer_type type)
{
	switch (type) {
	case ENPU_LAYER_CONV_2D: return "CONV_2D";
	case ENPU_LAYER_DEPTHWISE_CONV_2D: return "DEPTHWISE_CONV_2D";
	case ENPU_LAYER_FULLY_CONNECTED: return "FULLY_CONNECTED";
	case ENPU_LAYER_ADD: return "ADD";
	case ENPU_LAYER_AVERAGE_POOL_2D: return "AVERAGE_POOL_2D";
	case ENPU_LAYER_MAX_POOL_2D: return "MAX_POOL_2D";
	case ENPU_LAYER_RESHAPE: return "RESHAPE";
	case ENPU_LAYER_PAD: return "PAD";
	case ENPU_LAYER_CONCATENATION: return "CONCATENATION";
	case ENPU_LAYER_SOFTMAX: return "SOFTMAX";
	case ENPU_LAYER_QUANTIZE: return "QUANTIZE";
	case ENPU_LAYER_DEQUANTIZE: return "DEQUANTIZE";
	case ENPU_LAYER_MEAN: return "MEAN";
	case ENPU_LAYER_RELU: return "RELU";
	case ENPU_LAYER_RELU6: return "RELU6";
	case ENPU_LAYER_LEAKY_RELU: return "LEAKY_RELU";
	case ENPU_LAYER_LOGISTIC: return "LOGISTIC";
	case ENPU_LAYER_TANH: return "TANH";
	case ENPU_LAYER_HARD_SWISH: return "HARD_SWISH";
	case ENPU_LAYER_MUL: return "MUL";
	case ENPU_LAYER_SUB: return "SUB";
	case ENPU_LAYER_MAXIMUM: return "MAXIMUM";
	case ENPU_LAYER_MINIMUM: return "MINIMUM";
	case ENPU_LAYER_TRANSPOSE: return "TRANSPOSE";
	case ENPU_LAYER_STRIDED_SLICE: return "STRIDED_SLICE";
	case ENPU_LAYER_SPLIT: return "SPLIT";
	case ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR: return "RESIZE_NEAREST_NEIGHBOR";
	case ENPU_LAYER_RESIZE_BILINEAR: return "RESIZE_BILINEAR";
	case ENPU_LAYER_REDUCE_MAX: return "REDUCE_MAX";
	case ENPU_LAYER_SUM: return "SUM";
	case ENPU_LAYER_TRANSPOSE_CONV: return "TRANSPOSE_CONV";
	case ENPU_LAYER_SVDF: return "SVDF";
	}
	return "";
}

ENPU_EXPORT int enpu_graph_validate(const struct enpu_graph *g)
{
	struct enpu_prep prep;
	size_t *order, i;
	int ret;

	if (!g)
		return enpu_fail(-EINVAL, "enpu_graph_validate: graph is NULL");
	if (!g->num_outputs)
		return enpu_fail(-EINVAL, "graph has no outputs (enpu_graph_set_io)");
	order = malloc((g->num_layers + 1) * sizeof(*order));
	if (!order)
		return enpu_fail(-ENOMEM, "out of memory");
	ret = enpu_graph_order(g, order);
	for (i = 0; !ret && i < g->num_layers; i++) {
		ret = enpu_prepare_layer(g, i, &prep);
		if (!ret)
			enpu_prep_free(&prep);
	}
	free(order);
	return ret;
}

/* A deep copy of @g (constants and variables' initial values included). */
int enpu_graph_clone(const struct enpu_graph *g, struct enpu_graph **out)
{
	struct enpu_graph *c;
	size_t i;
	int ret;

	ret = enpu_graph_create(&c);
	if (ret)
		return ret;
	for (i = 0; i < g->num_tensors; i++) {
		const struct enpu_gtensor *t = &g->tensors[i];
		struct enpu_tensor_desc d = {
			.name = t->name, .dtype = t->dtype, .rank = t->rank,
			.num_scales = t->num_scales, .scales = t->scales,
			.zero_points = t->zero_points, .quant_axis = t->quant_axis,
			.data = t->data,
		};

		memcpy(d.dims, t->dims, sizeof(d.dims));
		ret = enpu_graph_add_tensor(c, &d);
		if (ret >= 0 && t->variable)
			ret = enpu_graph_set_variable(c, ret, t->init);
		if (ret < 0)
			goto err;
	}
	for (i = 0; i < g->num_layers; i++) {
		ret = enpu_graph_add_layer(c, &g->layers[i]);
		if (ret < 0)
			goto err;
	}
	ret = enpu_graph_set_io(c, g->inputs, g->num_inputs, g->outputs, g->num_outputs);
	if (ret)
		goto err;
	*out = c;
	return 0;
err:
	enpu_graph_destroy(c);
	return ret;
}
