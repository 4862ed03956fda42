// SPDX-License-Identifier: MIT
/*
 * Fusing an element-wise table into the compute command before it
 * (contract 0.6, ENPU_CAP_FUSED_LUT): CONV_2D, DEPTHWISE_CONV_2D or
 * FULLY_CONNECTED followed by a layer the NPU runs as a LUT (LOGISTIC,
 * HARD_SWISH, TANH, ...) becomes one command that passes each result
 * through the LUT layer's table as it writes it. The result is bit for bit
 * the two commands' (the table is the same), without writing the
 * intermediate tensor and reading it back, and without a second command.
 *
 * A pair fuses when the LUT layer is the compute layer's only reader, the
 * next layer in the execution order, in the same job, and the
 * intermediate tensor is no graph output. The intermediate tensor is then
 * in no memory at all (ENPU_LOC_NONE), which is how a compiled-model file
 * records the choice: enpu_npu_find_fusions() reads it back from the
 * placement.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "model.h"
#include "npu.h"

/* Compute layers whose command takes a fused table. */
static int takes_table(enum enpu_layer_type t)
{
	return t == ENPU_LAYER_CONV_2D || t == ENPU_LAYER_DEPTHWISE_CONV_2D ||
	       t == ENPU_LAYER_FULLY_CONNECTED;
}

/* Readers of tensor @t (each input slot counted), graph outputs counted too. */
static size_t readers(const struct enpu_graph *g, int t)
{
	size_t n = 0, l, i;
	int k;

	for (l = 0; l < g->num_layers; l++)
		for (k = 0; k < g->layers[l].num_inputs; k++)
			n += g->layers[l].inputs[k] == t;
	for (i = 0; i < g->num_outputs; i++)
		n += g->outputs[i] == t;
	return n;
}

/* The step of order position @k, or -1. */
static long step_at(const struct enpu_model *m, size_t k)
{
	size_t st;

	for (st = 0; st < m->num_steps; st++)
		if (k >= m->steps[st].first && k < m->steps[st].first + m->steps[st].count)
			return (long)st;
	return -1;
}

/*
 * Whether the LUT layer at order position @k + 1 can be fused into the
 * layer at @k; on success *l1, *l2 are the two layers.
 */
static int pair_at(const struct enpu_model *m, size_t k, size_t *l1, size_t *l2)
{
	const struct enpu_graph *g = m->g;
	const struct enpu_prep *a, *b;

	if (k + 1 >= g->num_layers)
		return 0;
	*l1 = m->order[k];
	*l2 = m->order[k + 1];
	a = &m->prep[*l1];
	b = &m->prep[*l2];
	return m->linfo[*l1].on_npu && m->linfo[*l2].on_npu && takes_table(a->type) &&
	       enpu_npu_is_lut(b->type) && b->in[0] == a->out &&
	       g->tensors[a->out].dtype == ENPU_DTYPE_INT8 && readers(g, a->out) == 1 &&
	       step_at(m, k) == step_at(m, k + 1);
}

static int alloc_fused(struct enpu_model *m)
{
	size_t l;

	free(m->npu->fused_lut);
	m->npu->fused_lut = malloc((m->g->num_layers + 1) * sizeof(int));
	if (!m->npu->fused_lut)
		return enpu_fail(-ENOMEM, "out of memory");
	for (l = 0; l < m->g->num_layers; l++)
		m->npu->fused_lut[l] = -1;
	return 0;
}

int enpu_npu_choose_fusions(struct enpu_model *m, const struct enpu_target *t)
{
	size_t k, l1, l2;
	int ret = alloc_fused(m);

	if (ret || ENPU_VERSION_MINOR(t->hw_version) < ENPU_FUSED_LUT_MINOR)
		return ret;
	for (k = 0; k + 1 < m->g->num_layers; k++)
		if (pair_at(m, k, &l1, &l2))
			m->npu->fused_lut[l1] = (int)l2;
	return 0;
}

int enpu_npu_find_fusions(struct enpu_model *m)
{
	const struct enpu_graph *g = m->g;
	size_t k, l1, l2;
	int ret = alloc_fused(m);

	if (ret)
		return ret;
	for (k = 0; k + 1 < g->num_layers; k++) {
		int t = g->layers[m->order[k]].output;

		if (m->npu->place[t].loc != ENPU_LOC_NONE || g->tensors[t].data)
			continue;
		if (!pair_at(m, k, &l1, &l2))
			return enpu_fail(-EINVAL, "compiled model: PLAN section: tensor %d is in "
					 "no memory but is not a table fused into layer %zu",
					 t, m->order[k]);
		if (ENPU_VERSION_MINOR(m->target.hw_version) < ENPU_FUSED_LUT_MINOR)
			return enpu_fail(-EINVAL, "compiled model: PLAN section: a fused table "
					 "on a target of contract 0.%u (0.%u adds it)",
					 ENPU_VERSION_MINOR(m->target.hw_version),
					 ENPU_FUSED_LUT_MINOR);
		m->npu->fused_lut[l1] = (int)l2;
	}
	/* the last layer's output has a reader outside: a graph output */
	return 0;
}

int enpu_npu_fused_into(const struct enpu_model *m, size_t l)
{
	int t = m->prep[l].in[0], p;

	if (!m->npu || !m->npu->fused_lut || t < 0)
		return -1;
	p = enpu_graph_producer(m->g, t);
	return p >= 0 && m->npu->fused_lut[p] == (int)l ? p : -1;
}
