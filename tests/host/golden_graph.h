/* SPDX-License-Identifier: MIT */
/* A per-op golden case as a one-layer libedgenpu graph. */
#ifndef EDGENPU_GOLDEN_GRAPH_H
#define EDGENPU_GOLDEN_GRAPH_H

#include <edgenpu/edgenpu.h>

#include "golden.h"

/* The graph and which golden tensors feed its inputs, in order. */
#define GOLDEN_GRAPH_MAX_OUTPUTS	16

struct golden_graph {
	struct enpu_graph *graph;
	const struct golden_tensor *inputs[ENPU_MAX_LAYER_INPUTS];
	size_t num_inputs;
	const struct golden_tensor *output;	/* outputs[0] */
	const struct golden_tensor *outputs[GOLDEN_GRAPH_MAX_OUTPUTS];
	size_t num_outputs;
	/* variables (state), in tensor order, each starting from the case's value */
	const struct golden_tensor *variables[ENPU_MAX_LAYER_INPUTS];
	size_t num_variables;
};

/* Builds it; 1 = not representable (err says why, a skip), -1 = error. */
int golden_graph_build(const struct golden_file *g, struct golden_graph *gg,
		       char *err, size_t errlen);
void golden_graph_free(struct golden_graph *gg);
/*
 * Which inputs of @op are constants, and which variables (bit k: input k);
 * -1 for an unknown op.
 */
int golden_graph_const_mask(const char *op, unsigned int *mask, unsigned int *var_mask);

#endif /* EDGENPU_GOLDEN_GRAPH_H */
