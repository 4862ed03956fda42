/* SPDX-License-Identifier: MIT */
/*
 * A graph whose layers alternate between the NPU and the CPU: CONV_2D,
 * RESIZE_BILINEAR (to the same size), DEPTHWISE_CONV_2D, SOFTMAX, ADD,
 * RESIZE_BILINEAR on
 * [1, 8, 8, 8] int8 activations, built with the public graph API. The
 * NPU runs the convolutions and the ADD, the CPU the rest, so a compiled
 * model hands tensors back and forth six times. The engine test and the
 * VM test compare it against the CPU backend.
 */
#ifndef EDGENPU_ALT_GRAPH_H
#define EDGENPU_ALT_GRAPH_H

#include <stdint.h>

#include <edgenpu/edgenpu.h>

#define ALT_IN_BYTES	(8 * 8 * 8)
#define ALT_OUT_BYTES	(8 * 8 * 8)

static inline uint8_t alt_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (uint8_t)(*s >> 24);
}

static inline void alt_input(uint8_t *in, uint32_t seed)
{
	int i;

	for (i = 0; i < ALT_IN_BYTES; i++)
		in[i] = alt_rand(&seed);
}

static inline int alt_graph(struct enpu_graph **out)
{
	static int8_t w1[8 * 3 * 3 * 8], w2[1 * 3 * 3 * 8];
	static int32_t b1[8], b2[8];
	static const int32_t same[2] = { 8, 8 };
	static const float s_x = 0.5f, s_w1 = 0.02f, s_a = 0.25f, s_w2 = 0.05f,
		s_c = 0.2f, s_d = 1.0f / 256, s_e = 0.25f;
	static const int32_t z_x = -3, z_a = 2, z0 = 0, z_d = -128, z_e = 1;
	const struct enpu_tensor_desc d[] = {
		{ "x", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_x, &z_x, 0, NULL },
		{ "w1", ENPU_DTYPE_INT8, 4, { 8, 3, 3, 8 }, 1, &s_w1, &z0, 0, w1 },
		{ "b1", ENPU_DTYPE_INT32, 1, { 8 }, 0, NULL, NULL, 0, b1 },
		{ "a", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_a, &z_a, 0, NULL },
		{ "b", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_a, &z_a, 0, NULL },
		{ "w2", ENPU_DTYPE_INT8, 4, { 1, 3, 3, 8 }, 1, &s_w2, &z0, 0, w2 },
		{ "b2", ENPU_DTYPE_INT32, 1, { 8 }, 0, NULL, NULL, 0, b2 },
		{ "c", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_c, &z0, 0, NULL },
		{ "d", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_d, &z_d, 0, NULL },
		{ "e", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_e, &z_e, 0, NULL },
		{ "f", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_e, &z_e, 0, NULL },
		{ "size", ENPU_DTYPE_INT32, 1, { 2 }, 0, NULL, NULL, 0, same },
	};
	const struct enpu_layer_desc l[] = {
		{ .type = ENPU_LAYER_CONV_2D, .inputs = { 0, 1, 2 }, .num_inputs = 3,
		  .output = 3, .stride_h = 1, .stride_w = 1, .padding = ENPU_SAME,
		  .activation = ENPU_FUSED_RELU },
		{ .type = ENPU_LAYER_RESIZE_BILINEAR, .inputs = { 3, 11 }, .num_inputs = 2,
		  .output = 4 },
		{ .type = ENPU_LAYER_DEPTHWISE_CONV_2D, .inputs = { 4, 5, 6 }, .num_inputs = 3,
		  .output = 7, .stride_h = 1, .stride_w = 1, .padding = ENPU_SAME,
		  .depth_multiplier = 1 },
		{ .type = ENPU_LAYER_SOFTMAX, .inputs = { 7 }, .num_inputs = 1, .output = 8,
		  .beta = 1.0f },
		{ .type = ENPU_LAYER_ADD, .inputs = { 7, 8 }, .num_inputs = 2, .output = 9 },
		{ .type = ENPU_LAYER_RESIZE_BILINEAR, .inputs = { 9, 11 }, .num_inputs = 2,
		  .output = 10 },
	};
	struct enpu_graph *g;
	uint32_t seed = 99;
	int i, in = 0, res = 10;

	for (i = 0; i < (int)sizeof(w1); i++)
		w1[i] = (int8_t)alt_rand(&seed);
	for (i = 0; i < (int)sizeof(w2); i++)
		w2[i] = (int8_t)alt_rand(&seed);
	for (i = 0; i < 8; i++) {
		b1[i] = (int32_t)(alt_rand(&seed) * 8) - 1000;
		b2[i] = (int32_t)(alt_rand(&seed) * 4) - 500;
	}
	if (enpu_graph_create(&g))
		return -1;
	for (i = 0; i < (int)(sizeof(d) / sizeof(d[0])); i++)
		if (enpu_graph_add_tensor(g, &d[i]) != i)
			goto err;
	for (i = 0; i < (int)(sizeof(l) / sizeof(l[0])); i++)
		if (enpu_graph_add_layer(g, &l[i]) != i)
			goto err;
	if (enpu_graph_set_io(g, &in, 1, &res, 1))
		goto err;
	*out = g;
	return 0;
err:
	enpu_graph_destroy(g);
	return -1;
}

#endif /* EDGENPU_ALT_GRAPH_H */
