/* SPDX-License-Identifier: MIT */
/*
 * A stateful graph for the NPU: FULLY_CONNECTED (NPU) -> SVDF (CPU, its
 * state a variable kept across inferences) -> FULLY_CONNECTED (NPU), on
 * int8 [1, 16] inputs, built with the public graph API. The engine test
 * and the VM test run streams of inferences through it and compare every
 * step with the CPU backend's: an NPU model that lost, copied or reset
 * the state would part from it after the first inference.
 */
#ifndef EDGENPU_SVDF_GRAPH_H
#define EDGENPU_SVDF_GRAPH_H

#include <stdint.h>

#include <edgenpu/edgenpu.h>

#define SVDF_IN_BYTES	16
#define SVDF_OUT_BYTES	4

static inline void svdf_input(int8_t *in, uint32_t k)
{
	uint32_t s = 0x9e3779b9u * (k + 1);
	int i;

	for (i = 0; i < SVDF_IN_BYTES; i++) {
		s = s * 1664525u + 1013904223u;
		in[i] = (int8_t)(s >> 24);
	}
}

static inline int svdf_graph(struct enpu_graph **out)
{
	static int8_t w1[8 * 16], wf[8 * 8], w2[4 * 4];
	static int16_t wt[8 * 5];
	static int32_t b1[8], bs[4], b2[4];
	static const float s_x = 0.1f, s_w1 = 0.02f, s_h = 0.05f, s_wf = 0.01f,
		s_wt = 0.0005f, s_st = 0.002f, s_y = 0.03f, s_w2 = 0.03f, s_z = 0.02f;
	static const int32_t z0 = 0, z_h = -2, z_y = 1;
	const struct enpu_tensor_desc d[] = {
		{ "x", ENPU_DTYPE_INT8, 2, { 1, 16 }, 1, &s_x, &z0, 0, NULL },
		{ "w1", ENPU_DTYPE_INT8, 2, { 8, 16 }, 1, &s_w1, &z0, 0, w1 },
		{ "b1", ENPU_DTYPE_INT32, 1, { 8 }, 0, NULL, NULL, 0, b1 },
		{ "h", ENPU_DTYPE_INT8, 2, { 1, 8 }, 1, &s_h, &z_h, 0, NULL },
		{ "wf", ENPU_DTYPE_INT8, 2, { 8, 8 }, 1, &s_wf, &z0, 0, wf },
		{ "wt", ENPU_DTYPE_INT16, 2, { 8, 5 }, 1, &s_wt, &z0, 0, wt },
		{ "bs", ENPU_DTYPE_INT32, 1, { 4 }, 0, NULL, NULL, 0, bs },
		{ "y", ENPU_DTYPE_INT8, 2, { 1, 4 }, 1, &s_y, &z_y, 0, NULL },
		{ "w2", ENPU_DTYPE_INT8, 2, { 4, 4 }, 1, &s_w2, &z0, 0, w2 },
		{ "b2", ENPU_DTYPE_INT32, 1, { 4 }, 0, NULL, NULL, 0, b2 },
		{ "z", ENPU_DTYPE_INT8, 2, { 1, 4 }, 1, &s_z, &z0, 0, NULL },
	};
	/* tensor 11: the state, [1, filters 8 x memory 5] */
	const struct enpu_tensor_desc state = {
		"state", ENPU_DTYPE_INT16, 2, { 1, 40 }, 1, &s_st, &z0, 0, NULL
	};
	const struct enpu_layer_desc l[] = {
		{ .type = ENPU_LAYER_FULLY_CONNECTED, .inputs = { 0, 1, 2 }, .num_inputs = 3,
		  .output = 3 },
		{ .type = ENPU_LAYER_SVDF, .inputs = { 3, 4, 5, 6, 11 }, .num_inputs = 5,
		  .output = 7 },
		{ .type = ENPU_LAYER_FULLY_CONNECTED, .inputs = { 7, 8, 9 }, .num_inputs = 3,
		  .output = 10 },
	};
	const int in = 0, outs = 10;
	struct enpu_graph *g;
	uint32_t s = 1;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(w1); i++)
		w1[i] = (int8_t)((s = s * 1664525u + 1013904223u) >> 24);
	for (i = 0; i < sizeof(wf); i++)
		wf[i] = (int8_t)((s = s * 1664525u + 1013904223u) >> 24);
	for (i = 0; i < sizeof(w2); i++)
		w2[i] = (int8_t)((s = s * 1664525u + 1013904223u) >> 24);
	for (i = 0; i < sizeof(wt) / sizeof(wt[0]); i++)
		wt[i] = (int16_t)((s = s * 1664525u + 1013904223u) >> 16);
	for (i = 0; i < 8; i++)
		b1[i] = (int32_t)((s = s * 1664525u + 1013904223u) >> 22) - 512;
	for (i = 0; i < 4; i++) {
		bs[i] = (int32_t)((s = s * 1664525u + 1013904223u) >> 20) - 2048;
		b2[i] = (int32_t)((s = s * 1664525u + 1013904223u) >> 24) - 128;
	}
	ret = enpu_graph_create(&g);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(d) / sizeof(d[0]) && ret >= 0; i++)
		ret = enpu_graph_add_tensor(g, &d[i]);
	if (ret >= 0)
		ret = enpu_graph_add_variable(g, &state);
	for (i = 0; i < sizeof(l) / sizeof(l[0]) && ret >= 0; i++)
		ret = enpu_graph_add_layer(g, &l[i]);
	if (ret >= 0)
		ret = enpu_graph_set_io(g, &in, 1, &outs, 1);
	if (ret < 0) {
		enpu_graph_destroy(g);
		return ret;
	}
	*out = g;
	return 0;
}

#endif /* EDGENPU_SVDF_GRAPH_H */
