// SPDX-License-Identifier: MIT
/*
 * Variable tensors: state a model keeps from one inference to the next
 * (TFLite's is_variable tensors, SVDF's activation state).
 *
 * The graph holds each variable's initial value. A model holds the current
 * value, one copy in host memory shared by both backends (only CPU layers
 * read and update state), and runs one inference at a time: inference
 * k + 1 must read what inference k left, so the two cannot overlap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model.h"
#include "npu.h"

int enpu_graph_set_variable(struct enpu_graph *g, int id, const void *init)
{
	struct enpu_gtensor *t = &g->tensors[id];

	if (t->data)
		return enpu_fail(-EINVAL, "tensor %d (%s): a constant cannot be a variable", id,
				 t->name ? t->name : "?");
	if (t->producer >= 0)
		return enpu_fail(-EINVAL, "tensor %d (%s): computed by layer %d, it cannot be a "
				 "variable", id, t->name ? t->name : "?", t->producer);
	t->init = malloc(t->bytes ? t->bytes : 1);
	if (!t->init)
		return enpu_fail(-ENOMEM, "out of memory for variable %d", id);
	if (init)
		memcpy(t->init, init, t->bytes);
	else
		memset(t->init, t->dtype == ENPU_DTYPE_INT8 && t->num_scales ?
		       (int8_t)t->zero_points[0] : 0, t->bytes);
	t->variable = 1;
	return 0;
}

ENPU_EXPORT int enpu_graph_add_variable(struct enpu_graph *g,
					const struct enpu_tensor_desc *d)
{
	struct enpu_tensor_desc c;
	struct enpu_gtensor *t;
	int id, ret;

	if (!g || !d)
		return enpu_fail(-EINVAL, "enpu_graph_add_variable: %s is NULL",
				 g ? "desc" : "graph");
	c = *d;
	c.data = NULL;
	id = enpu_graph_add_tensor(g, &c);
	if (id < 0)
		return id;
	ret = enpu_graph_set_variable(g, id, d->data);
	if (ret) {
		/* it is the last tensor: taken back */
		t = &g->tensors[id];
		free(t->name);
		free(t->scales);
		free(t->zero_points);
		g->num_tensors--;
		return ret;
	}
	return id;
}

/* The tensor id of variable @i, or -1. */
static int variable_id(const struct enpu_model *m, size_t i)
{
	size_t t;

	for (t = 0; t < m->g->num_tensors; t++)
		if (m->g->tensors[t].variable && !i--)
			return (int)t;
	return -1;
}

int enpu_model_variables_init(struct enpu_model *m)
{
	struct enpu_graph *g = m->g;
	size_t t;

	for (t = 0; t < g->num_tensors; t++) {
		if (!g->tensors[t].variable)
			continue;
		if (!m->var) {
			m->var = calloc(g->num_tensors + 1, sizeof(*m->var));
			if (!m->var)
				return enpu_fail(-ENOMEM, "out of memory");
		}
		m->var[t] = malloc(g->tensors[t].bytes ? g->tensors[t].bytes : 1);
		if (!m->var[t])
			return enpu_fail(-ENOMEM, "out of memory for variable tensor %zu", t);
		memcpy(m->var[t], g->tensors[t].init, g->tensors[t].bytes);
	}
	if (m->var)
		m->max_inflight = 1;
	return 0;
}

void enpu_model_variables_free(struct enpu_model *m)
{
	size_t t;

	if (!m->var)
		return;
	for (t = 0; t < m->g->num_tensors; t++)
		free(m->var[t]);
	free(m->var);
	m->var = NULL;
}

/* -EBUSY while an inference may be reading or updating the state. */
static int idle(const struct enpu_model *m, const char *what)
{
	if (m->dev && m->npu && enpu_npu_inflight(m))
		return enpu_fail(-EBUSY, "%s: an inference is in flight; wait for it first",
				 what);
	return 0;
}

/* Variable @i of @m, checked; NULL after setting the error. */
static const struct enpu_gtensor *variable(const struct enpu_model *m, size_t i,
					   const char *what, int *id)
{
	if (!m) {
		enpu_fail(-EINVAL, "%s: model is NULL", what);
		return NULL;
	}
	*id = variable_id(m, i);
	if (*id < 0) {
		enpu_fail(-EINVAL, "%s: variable %zu, the model has %zu", what, i,
			  enpu_model_num_variables(m));
		return NULL;
	}
	return &m->g->tensors[*id];
}

ENPU_EXPORT size_t enpu_model_num_variables(const struct enpu_model *m)
{
	size_t t, n = 0;

	if (!m)
		return 0;
	for (t = 0; t < m->g->num_tensors; t++)
		n += !!m->g->tensors[t].variable;
	return n;
}

ENPU_EXPORT int enpu_model_variable_info(const struct enpu_model *m, size_t i,
					 struct enpu_tensor_info *info)
{
	const struct enpu_gtensor *t;
	int id;

	if (!info)
		return enpu_fail(-EINVAL, "enpu_model_variable_info: info is NULL");
	t = variable(m, i, "enpu_model_variable_info", &id);
	if (!t)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->dtype = t->dtype;
	info->rank = t->rank;
	memcpy(info->dims, t->dims, sizeof(info->dims));
	info->bytes = t->bytes;
	if (t->num_scales) {
		info->scale = t->scales[0];
		info->zero_point = t->zero_points[0];
	}
	return 0;
}

/* Variable @i for a copy of @size bytes: its storage, or NULL with the error set. */
static void *storage(const struct enpu_model *m, size_t i, const void *data, size_t size,
		     const char *what, int *ret)
{
	const struct enpu_gtensor *t;
	int id;

	*ret = -EINVAL;
	t = variable(m, i, what, &id);
	if (!t)
		return NULL;
	if (!data) {
		enpu_fail(-EINVAL, "%s: data is NULL", what);
		return NULL;
	}
	if (size != t->bytes) {
		enpu_fail(-EINVAL, "%s: %zu bytes given, variable %zu (%s) has %zu", what, size,
			  i, t->name ? t->name : "?", t->bytes);
		return NULL;
	}
	*ret = idle(m, what);
	return *ret ? NULL : m->var[id];
}

ENPU_EXPORT int enpu_model_variable_read(const struct enpu_model *m, size_t i, void *data,
					 size_t size)
{
	int ret;
	void *v = storage(m, i, data, size, "enpu_model_variable_read", &ret);

	if (v)
		memcpy(data, v, size);
	return ret;
}

ENPU_EXPORT int enpu_model_variable_write(struct enpu_model *m, size_t i, const void *data,
					  size_t size)
{
	int ret;
	void *v = storage(m, i, data, size, "enpu_model_variable_write", &ret);

	if (v)
		memcpy(v, data, size);
	return ret;
}

ENPU_EXPORT int enpu_model_reset_variables(struct enpu_model *m)
{
	size_t t;
	int ret;

	if (!m)
		return enpu_fail(-EINVAL, "enpu_model_reset_variables: model is NULL");
	ret = idle(m, "enpu_model_reset_variables");
	if (ret)
		return ret;
	for (t = 0; m->var && t < m->g->num_tensors; t++)
		if (m->var[t])
			memcpy(m->var[t], m->g->tensors[t].init, m->g->tensors[t].bytes);
	return 0;
}
