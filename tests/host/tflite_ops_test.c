// SPDX-License-Identifier: MIT
/*
 * TFLite models of the operators edge models bring (forged with
 * tests/fuzz/tflite_forge.h), read and compiled through the public API:
 * parameters TFLite itself would refuse are refused with the layer and the
 * reason (a LOGISTIC not quantized 1/256 and -128, a TANH not 1/128 and 0,
 * a TRANSPOSE whose perm is not a permutation, a STRIDED_SLICE with an
 * ellipsis mask, a SPLIT whose outputs are not num_splits), and a model
 * exported from PyTorch (NCHW input, a leading TRANSPOSE to NHWC) runs,
 * each SPLIT output in its place, and compiles with the TRANSPOSE and the
 * SPLIT on the NPU. The operators' arithmetic is checked
 * against TFLite-Micro by every per-op golden (graph_golden_test).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"
#include "../fuzz/tflite_forge.h"

static const int32_t perm_nhwc[4] = { 0, 2, 3, 1 }, perm_bad[4] = { 0, 0, 1, 2 };
static const int32_t split_axis = 3;

/* int8 [dims] with scale @s, zero point @zp, no data. */
static struct fg_tensor act(const char *name, int rank, const int32_t *dims, float s,
			    int64_t zp)
{
	struct fg_tensor t = { .name = name, .type = FG_INT8, .rank = rank, .nscales = 1,
			       .nzps = 1 };

	memcpy(t.dims, dims, sizeof(int32_t) * (size_t)rank);
	t.scales[0] = s;
	t.zps[0] = zp;
	return t;
}

/* Loads @m for the CPU backend: 0, or the negative errno with the message. */
static int load(const struct fg_model *m)
{
	struct enpu_model *model = NULL;
	uint8_t *buf = NULL;
	size_t len = fg_build(m, &buf);
	int ret;

	if (!len)
		return -ENOMEM;
	ret = enpu_model_load_mem(NULL, buf, len, NULL, &model);
	enpu_model_destroy(model);
	free(buf);
	return ret;
}

/* One operator @code from tensor 0 to tensor 1 (plus constant tensor 2 if @nin is 2). */
static void one_op(struct fg_model *m, int32_t code, int nin)
{
	memset(m, 0, sizeof(*m));
	m->version = 3;
	m->nbuffers = 1;
	m->nops = 1;
	m->op[0] = (struct fg_op){ .code = code, .nin = nin, .in = { 0, 2 }, .out = 1 };
	m->nin = 1;
	m->in[0] = 0;
	m->nout = 1;
	m->out[0] = 1;
	m->ntensors = nin == 2 ? 3 : 2;
}

TEST(logistic_output_quantization_is_refused)
{
	static const int32_t d[2] = { 1, 8 };
	struct fg_model m;

	one_op(&m, 14, 1);
	m.t[0] = act("x", 2, d, 0.1f, 0);
	m.t[1] = act("y", 2, d, 1.0f / 256, -128);
	ASSERT_EQ(0, load(&m)) TH_LOG("%s", enpu_last_error());
	m.t[1] = act("y", 2, d, 1.0f / 128, -128);
	EXPECT_EQ(-EINVAL, load(&m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "LOGISTIC")) TH_LOG("%s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), "scale 1/256 and zero point -128"));
	one_op(&m, 28, 1);	/* TANH */
	m.t[0] = act("x", 2, d, 0.1f, 0);
	m.t[1] = act("y", 2, d, 1.0f / 256, -128);
	EXPECT_EQ(-EINVAL, load(&m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "TANH")) TH_LOG("%s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), "scale 1/128 and zero point 0"));
}

TEST(transpose_perm_must_be_a_permutation)
{
	static const int32_t in[4] = { 1, 3, 4, 5 }, out[4] = { 1, 4, 5, 3 };
	struct fg_model m;

	one_op(&m, 39, 2);
	m.t[0] = act("x", 4, in, 0.5f, 1);
	m.t[1] = act("y", 4, out, 0.5f, 1);
	m.t[2] = (struct fg_tensor){ .name = "perm", .type = FG_INT32, .rank = 1,
				     .dims = { 4 }, .buffer = 1 };
	m.nbuffers = 2;
	m.b[1] = (struct fg_buffer){ .data = perm_nhwc, .len = sizeof(perm_nhwc) };
	ASSERT_EQ(0, load(&m)) TH_LOG("%s", enpu_last_error());
	m.b[1].data = perm_bad;
	EXPECT_EQ(-EINVAL, load(&m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "TRANSPOSE")) TH_LOG("%s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), "not a permutation"));
}

TEST(strided_slice_masks_tflite_micro_does_not_run)
{
	static const int32_t d[2] = { 4, 4 }, v[2] = { 0, 0 };
	struct fg_model m;

	one_op(&m, 45, 1);
	m.op[0].nin = 4;
	m.op[0].in[1] = m.op[0].in[2] = m.op[0].in[3] = 2;
	m.t[0] = act("x", 2, d, 0.5f, 1);
	m.t[1] = act("y", 2, d, 0.5f, 1);
	m.t[2] = (struct fg_tensor){ .name = "v", .type = FG_INT32, .rank = 1, .dims = { 2 },
				     .buffer = 1 };
	m.ntensors = 3;
	m.nbuffers = 2;
	m.b[1] = (struct fg_buffer){ .data = v, .len = sizeof(v) };
	m.op[0].nopt = 1;
	m.op[0].opt[0] = (struct fg_field){ .slot = 2, .size = 4, .val = 1 };	/* ellipsis */
	EXPECT_EQ(-EINVAL, load(&m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "ellipsis_mask")) TH_LOG("%s", enpu_last_error());
}

/*
 * A PyTorch export's head: an NCHW input, TRANSPOSE to NHWC, then SPLIT
 * along the channels into two outputs. Every output byte is the input's
 * in its NHWC place.
 */
TEST(pytorch_nchw_input_then_split)
{
	static const int32_t nchw[4] = { 1, 4, 2, 3 }, nhwc[4] = { 1, 2, 3, 4 };
	static const int32_t half[4] = { 1, 2, 3, 2 };
	struct enpu_model *model = NULL;
	struct fg_model m;
	int8_t x[24], y0[12], y1[12];
	uint8_t *buf = NULL;
	size_t len;
	int c, h, w;

	memset(&m, 0, sizeof(m));
	m.version = 3;
	m.t[0] = act("x", 4, nchw, 0.1f, -3);
	m.t[1] = act("t", 4, nhwc, 0.1f, -3);
	m.t[2] = (struct fg_tensor){ .name = "perm", .type = FG_INT32, .rank = 1,
				     .dims = { 4 }, .buffer = 1 };
	m.t[3] = (struct fg_tensor){ .name = "axis", .type = FG_INT32, .rank = 0, .buffer = 2 };
	m.t[4] = act("a", 4, half, 0.1f, -3);
	m.t[5] = act("b", 4, half, 0.1f, -3);
	m.ntensors = 6;
	m.nbuffers = 3;
	m.b[1] = (struct fg_buffer){ .data = perm_nhwc, .len = sizeof(perm_nhwc) };
	m.b[2] = (struct fg_buffer){ .data = &split_axis, .len = sizeof(split_axis) };
	m.nops = 2;
	m.op[0] = (struct fg_op){ .code = 39, .nin = 2, .in = { 0, 2 }, .out = 1 };
	m.op[1] = (struct fg_op){ .code = 49, .nin = 2, .in = { 3, 1 }, .nout = 2,
				  .outs = { 4, 5 }, .nopt = 1,
				  .opt = { { .slot = 0, .size = 4, .val = 2 } } };
	m.nin = 1;
	m.in[0] = 0;
	m.nout = 2;
	m.out[0] = 4;
	m.out[1] = 5;
	len = fg_build(&m, &buf);
	ASSERT_LT(0, len);
	ASSERT_EQ(0, enpu_model_load_mem(NULL, buf, len, NULL, &model))
		TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(3, (int)enpu_model_num_layers(model));	/* the SPLIT is two layers */
	for (c = 0; c < 24; c++)
		x[c] = (int8_t)(c * 5 - 60);
	ASSERT_EQ(0, enpu_model_run(model, (const void *const[]){ x },
				    (void *const[]){ y0, y1 }, NULL));
	for (h = 0; h < 2; h++)
		for (w = 0; w < 3; w++)
			for (c = 0; c < 4; c++) {
				int8_t want = x[(c * 2 + h) * 3 + w];
				int8_t got = c < 2 ? y0[(h * 3 + w) * 2 + c] :
						     y1[(h * 3 + w) * 2 + c - 2];

				ASSERT_EQ(want, got) TH_LOG("h %d w %d c %d", h, w, c);
			}
	enpu_model_destroy(model);
	/* for the NPU: the TRANSPOSE and both parts of the SPLIT are DMA copies */
	{
		struct enpu_target t;
		struct enpu_graph *g = NULL;
		struct enpu_layer_info li;
		size_t l;

		enpu_target_default(&t);
		ASSERT_EQ(0, enpu_model_load_tflite_mem(buf, len, &g));
		ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &model))
			TH_LOG("%s", enpu_last_error());
		for (l = 0; l < enpu_model_num_layers(model); l++) {
			ASSERT_EQ(0, enpu_model_layer_info(model, l, &li));
			EXPECT_EQ(1, li.on_npu) TH_LOG("layer %zu (%s): %s", l,
							enpu_layer_type_name(li.type),
							enpu_model_layer_reason(model, l));
		}
		enpu_model_destroy(model);
		enpu_graph_destroy(g);
		model = NULL;
	}
	/* three outputs for num_splits 2 */
	m.op[1].nout = 3;
	m.op[1].outs[2] = 1;
	free(buf);
	len = fg_build(&m, &buf);
	EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, buf, len, NULL, &model));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "3 outputs for num_splits 2"))
		TH_LOG("%s", enpu_last_error());
	free(buf);
}

/* README's operator table is the library's (edgenpu-info --operators --markdown). */
TEST(readme_operator_table_is_the_library)
{
	static const char *const where[] = { "not supported", "CPU", "NPU" };
	static char readme[1 << 20], want[1 << 16];
	const char *from, *to;
	enum enpu_op_support s;
	size_t n = 0, len;
	FILE *f = fopen("README.md", "r");
	int code;

	if (!f)
		SKIP(return, "README.md is not in the current directory (run from the tree's root)");
	len = fread(readme, 1, sizeof(readme) - 1, f);
	fclose(f);
	readme[len] = 0;
	n += (size_t)snprintf(want + n, sizeof(want) - n,
			      "| code | TFLite operator | libedgenpu |\n|---|---|---|\n");
	for (code = 0; code < 1024; code++) {
		const char *name = enpu_tflite_operator(code, &s);

		if (name)
			n += (size_t)snprintf(want + n, sizeof(want) - n, "| %d | %s | %s |\n",
					      code, name, where[s]);
	}
	ASSERT_LT(n, sizeof(want) - 1);
	from = strstr(readme, "<!-- operators: edgenpu-info --operators --markdown -->\n");
	to = strstr(readme, "<!-- end of operators -->");
	ASSERT_NE(NULL, from);
	ASSERT_NE(NULL, to);
	from = strchr(from, '\n') + 1;
	EXPECT_EQ(n, (size_t)(to - from)) TH_LOG("README's table: %zu bytes, the library's %zu: "
					 "regenerate it with edgenpu-info --operators --markdown",
					 (size_t)(to - from), n);
	EXPECT_EQ(0, strncmp(from, want, n));
	/* and the API answers for the operators users ask about */
	EXPECT_STREQ("TRANSPOSE", enpu_tflite_operator(39, &s));
	EXPECT_EQ(ENPU_OP_NPU, s);
	EXPECT_STREQ("SOFTMAX", enpu_tflite_operator(25, &s));
	EXPECT_EQ(ENPU_OP_CPU, s);
	EXPECT_STREQ("CONV_2D", enpu_tflite_operator(3, &s));
	EXPECT_EQ(ENPU_OP_NPU, s);
	EXPECT_STREQ("SVDF", enpu_tflite_operator(27, &s));
	EXPECT_EQ(ENPU_OP_CPU, s);
	EXPECT_STREQ("GATHER", enpu_tflite_operator(36, &s));
	EXPECT_EQ(ENPU_OP_UNSUPPORTED, s);
	EXPECT_EQ(NULL, enpu_tflite_operator(-1, &s));
	EXPECT_EQ(ENPU_OP_UNSUPPORTED, s);
}

TEST_HARNESS_MAIN
