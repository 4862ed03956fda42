/* SPDX-License-Identifier: MIT */
/*
 * A graph whose activations the NPU applies inside the command before
 * them (contract 0.6, tables fused into compute commands): CONV_2D ->
 * HARD_SWISH -> DEPTHWISE_CONV_2D -> LOGISTIC -> CONV_2D (1x1) -> TANH on
 * int8 [1, 6, 6, 8], built with the public graph API. Layers 1, 3 and 5
 * are the tables. The engine test and the VM test compare it with the CPU
 * backend.
 */
#ifndef EDGENPU_FUSED_GRAPH_H
#define EDGENPU_FUSED_GRAPH_H

#include <stdint.h>

#include <edgenpu/edgenpu.h>

#define FUSED_BYTES	(6 * 6 * 8)	/* the input's and the output's */

static inline uint32_t fused_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static inline void fused_input(int8_t *in, uint32_t seed)
{
	size_t i;

	for (i = 0; i < FUSED_BYTES; i++)
		in[i] = (int8_t)(fused_rand(&seed) >> 24);
}

static inline int fused_graph(struct enpu_graph **out)
{
	static const float s_x = 0.05f, s_w = 0.02f, s_a = 0.1f, s_hs = 0.05f;
	static const float s_sig = 1.0f / 256, s_tanh = 1.0f / 128;
	static const int32_t z_x = 1, z0 = 0, z_a = -3, z_hs = -40, z_sig = -128;
	static int8_t w1[8 * 3 * 3 * 8], w2[1 * 3 * 3 * 8], w3[8 * 1 * 1 * 8];
	const struct enpu_tensor_desc d[] = {
		{ "x", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_x, &z_x, 0, NULL },
		{ "w1", ENPU_DTYPE_INT8, 4, { 8, 3, 3, 8 }, 1, &s_w, &z0, 0, w1 },
		{ "a", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_a, &z_a, 0, NULL },
		{ "hs", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_hs, &z_hs, 0, NULL },
		{ "w2", ENPU_DTYPE_INT8, 4, { 1, 3, 3, 8 }, 1, &s_w, &z0, 0, w2 },
		{ "b", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_a, &z_a, 0, NULL },
		{ "sig", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_sig, &z_sig, 0, NULL },
		{ "w3", ENPU_DTYPE_INT8, 4, { 8, 1, 1, 8 }, 1, &s_w, &z0, 0, w3 },
		{ "c", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_a, &z_a, 0, NULL },
		{ "y", ENPU_DTYPE_INT8, 4, { 1, 6, 6, 8 }, 1, &s_tanh, &z0, 0, NULL },
	};
	const struct enpu_layer_desc l[] = {
		{ .type = ENPU_LAYER_CONV_2D, .inputs = { 0, 1, -1 }, .num_inputs = 3,
		  .output = 2, .stride_h = 1, .stride_w = 1, .padding = ENPU_SAME },
		{ .type = ENPU_LAYER_HARD_SWISH, .inputs = { 2 }, .num_inputs = 1, .output = 3 },
		{ .type = ENPU_LAYER_DEPTHWISE_CONV_2D, .inputs = { 3, 4, -1 }, .num_inputs = 3,
		  .output = 5, .stride_h = 1, .stride_w = 1, .padding = ENPU_SAME,
		  .depth_multiplier = 1 },
		{ .type = ENPU_LAYER_LOGISTIC, .inputs = { 5 }, .num_inputs = 1, .output = 6 },
		{ .type = ENPU_LAYER_CONV_2D, .inputs = { 6, 7, -1 }, .num_inputs = 3,
		  .output = 8, .stride_h = 1, .stride_w = 1, .padding = ENPU_VALID },
		{ .type = ENPU_LAYER_TANH, .inputs = { 8 }, .num_inputs = 1, .output = 9 },
	};
	const int in_id = 0, out_id = 9;
	struct enpu_graph *g;
	uint32_t seed = 3;
	size_t i;
	int r;

	for (i = 0; i < sizeof(w1); i++)
		w1[i] = (int8_t)(fused_rand(&seed) >> 24);
	for (i = 0; i < sizeof(w2); i++)
		w2[i] = (int8_t)(fused_rand(&seed) >> 24);
	for (i = 0; i < sizeof(w3); i++)
		w3[i] = (int8_t)(fused_rand(&seed) >> 24);
	r = enpu_graph_create(&g);
	if (r)
		return r;
	for (i = 0; i < sizeof(d) / sizeof(d[0]) && r >= 0; i++)
		r = enpu_graph_add_tensor(g, &d[i]);
	for (i = 0; i < sizeof(l) / sizeof(l[0]) && r >= 0; i++)
		r = enpu_graph_add_layer(g, &l[i]);
	if (r >= 0)
		r = enpu_graph_set_io(g, &in_id, 1, &out_id, 1);
	if (r < 0) {
		enpu_graph_destroy(g);
		return r;
	}
	*out = g;
	return 0;
}

#endif /* EDGENPU_FUSED_GRAPH_H */
