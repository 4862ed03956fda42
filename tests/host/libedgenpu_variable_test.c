// SPDX-License-Identifier: MIT
/*
 * Variable tensors (state kept across inferences) through the public API,
 * on the CPU backend: an SVDF's state carried from one inference to the
 * next exactly as TFLite-Micro's kernel carries it (hw/int8's enpu_svdf
 * called directly is the reference), read, written and reset; kept by a
 * compiled-model file; read from TFLite; and every misuse refused with
 * its reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"
#include "enpu_int8.h"
#include "svdf_tflite.h"

/* The graph, with the state a variable starting from s->init (NULL: zeros). */
static int build(struct svdf_graph *s, const int16_t *init)
{
	const float bias_s = st_s * wt_s;
	struct enpu_tensor_desc x = { .name = "x", .dtype = ENPU_DTYPE_INT8, .rank = 2,
				      .dims = { 1, IN }, .num_scales = 1, .scales = &in_s,
				      .zero_points = &in_zp };
	struct enpu_tensor_desc wf = { .name = "wf", .dtype = ENPU_DTYPE_INT8, .rank = 2,
				       .dims = { FILT, IN }, .num_scales = 1, .scales = &wf_s,
				       .zero_points = &zero, .data = s->wf };
	struct enpu_tensor_desc wt = { .name = "wt", .dtype = ENPU_DTYPE_INT16, .rank = 2,
				       .dims = { FILT, MEM }, .num_scales = 1, .scales = &wt_s,
				       .zero_points = &zero, .data = s->wt };
	struct enpu_tensor_desc b = { .name = "bias", .dtype = ENPU_DTYPE_INT32, .rank = 1,
				      .dims = { UNITS }, .num_scales = 1, .scales = &bias_s,
				      .zero_points = &zero, .data = s->bias };
	struct enpu_tensor_desc st = { .name = "state", .dtype = ENPU_DTYPE_INT16, .rank = 2,
				       .dims = { 1, STATE }, .num_scales = 1, .scales = &st_s,
				       .zero_points = &zero, .data = init };
	struct enpu_tensor_desc o = { .name = "y", .dtype = ENPU_DTYPE_INT8, .rank = 2,
				      .dims = { 1, UNITS }, .num_scales = 1, .scales = &out_s,
				      .zero_points = &out_zp };
	struct enpu_layer_desc l = { .type = ENPU_LAYER_SVDF, .num_inputs = 5 };

	if (enpu_graph_create(&s->g))
		return -1;
	s->x = enpu_graph_add_tensor(s->g, &x);
	l.inputs[0] = s->x;
	l.inputs[1] = enpu_graph_add_tensor(s->g, &wf);
	l.inputs[2] = enpu_graph_add_tensor(s->g, &wt);
	l.inputs[3] = enpu_graph_add_tensor(s->g, &b);
	s->state = l.inputs[4] = enpu_graph_add_variable(s->g, &st);
	s->out = l.output = enpu_graph_add_tensor(s->g, &o);
	if (s->x < 0 || l.inputs[1] < 0 || l.inputs[2] < 0 || l.inputs[3] < 0 ||
	    s->state < 0 || s->out < 0 || enpu_graph_add_layer(s->g, &l) < 0)
		return -1;
	return enpu_graph_set_io(s->g, &s->x, 1, &s->out, 1);
}

/* The reference: TFLite-Micro's kernel on @state, updated in place. */
static int reference(const struct svdf_graph *s, const int8_t *x, int16_t *state, int8_t *y)
{
	struct enpu_svdf_params p = {
		.batches = 1, .input_size = IN, .units = UNITS, .rank = RANK, .memory_size = MEM,
		.input_zero_point = in_zp, .output_zero_point = out_zp,
	};

	if (enpu_svdf_derive(in_s, wf_s, wt_s, st_s * wt_s, st_s, out_s, &p))
		return -1;
	return enpu_svdf(&p, x, IN, s->wf, FILT * IN, s->wt, FILT * MEM, s->bias, UNITS, state,
			 STATE, y, UNITS);
}

static void input(int k, int8_t *x)
{
	int i;

	for (i = 0; i < IN; i++)
		x[i] = (int8_t)(k * 37 + i * 11 - 60);
}

FIXTURE(v) {
	struct svdf_graph s;
	struct enpu_model *m;
};

FIXTURE_SETUP(v)
{
	memset(&self->s, 0, sizeof(self->s));
	fill(&self->s);
	ASSERT_EQ(0, build(&self->s, self->s.init)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(NULL, self->s.g, NULL, &self->m))
		TH_LOG("%s", enpu_last_error());
}

FIXTURE_TEARDOWN(v)
{
	enpu_model_destroy(self->m);
	enpu_graph_destroy(self->s.g);
}

/* Runs @n inferences of @m against the reference carried from @state. */
static void run_stream(struct __test_metadata *_metadata, const struct svdf_graph *s,
		       struct enpu_model *m, int16_t *state, int n)
{
	int8_t x[IN], want[UNITS], got[UNITS];
	int16_t have[STATE];
	const void *in[1] = { x };
	void *out[1] = { got };
	int k;

	for (k = 0; k < n; k++) {
		input(k, x);
		ASSERT_EQ(0, reference(s, x, state, want));
		memset(got, 0x55, sizeof(got));
		ASSERT_EQ(0, enpu_model_run(m, in, out, NULL)) TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(0, memcmp(got, want, sizeof(want))) TH_LOG("inference %d", k);
		ASSERT_EQ(0, enpu_model_variable_read(m, 0, have, sizeof(have)));
		EXPECT_EQ(0, memcmp(have, state, sizeof(have))) TH_LOG("state after %d", k);
	}
}

TEST_F(v, state_carried_across_inferences)
{
	struct enpu_tensor_info info;
	int16_t state[STATE];

	ASSERT_EQ(1, enpu_model_num_variables(self->m));
	ASSERT_EQ(0, enpu_model_variable_info(self->m, 0, &info));
	EXPECT_EQ(ENPU_DTYPE_INT16, info.dtype);
	EXPECT_EQ(2 * STATE, (int)info.bytes);
	EXPECT_EQ(STATE, info.dims[1]);
	memcpy(state, self->s.init, sizeof(state));
	run_stream(_metadata, &self->s, self->m, state, 6);
	/* the state moved: a model that forgot it would not have matched */
	EXPECT_NE(0, memcmp(state, self->s.init, sizeof(state)));
}

TEST_F(v, reset_and_write)
{
	int16_t state[STATE], have[STATE];
	int i;

	memcpy(state, self->s.init, sizeof(state));
	run_stream(_metadata, &self->s, self->m, state, 3);
	ASSERT_EQ(0, enpu_model_reset_variables(self->m));
	ASSERT_EQ(0, enpu_model_variable_read(self->m, 0, have, sizeof(have)));
	EXPECT_EQ(0, memcmp(have, self->s.init, sizeof(have)));
	memcpy(state, self->s.init, sizeof(state));
	run_stream(_metadata, &self->s, self->m, state, 2);
	for (i = 0; i < STATE; i++)
		state[i] = (int16_t)(i * 1000 - 20000);
	ASSERT_EQ(0, enpu_model_variable_write(self->m, 0, state, sizeof(state)));
	run_stream(_metadata, &self->s, self->m, state, 2);
}

TEST(zero_initial_state)
{
	struct svdf_graph s = { 0 };
	struct enpu_model *m = NULL;
	int16_t state[STATE] = { 0 };

	fill(&s);
	ASSERT_EQ(0, build(&s, NULL));
	ASSERT_EQ(0, enpu_model_compile(NULL, s.g, NULL, &m));
	run_stream(_metadata, &s, m, state, 3);
	enpu_model_destroy(m);
	enpu_graph_destroy(s.g);
}

/* A model compiled for a target, saved and read back, starts from the same state. */
TEST_F(v, compiled_file_keeps_state)
{
	struct enpu_model *planned = NULL, *loaded = NULL;
	struct enpu_target t;
	int16_t state[STATE];
	void *image = NULL;
	size_t size = 0;

	enpu_target_default(&t);
	ASSERT_EQ(0, enpu_model_compile_target(&t, self->s.g, NULL, &planned));
	EXPECT_NE(NULL, enpu_model_layer_reason(planned, 0));
	ASSERT_EQ(0, enpu_model_save_mem(planned, &image, &size)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_load_mem(NULL, image, size, NULL, &loaded))
		TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(1, enpu_model_num_variables(loaded));
	memcpy(state, self->s.init, sizeof(state));
	run_stream(_metadata, &self->s, loaded, state, 3);
	ASSERT_EQ(0, enpu_model_reset_variables(loaded));
	memcpy(state, self->s.init, sizeof(state));
	run_stream(_metadata, &self->s, loaded, state, 1);
	enpu_model_destroy(loaded);
	enpu_model_destroy(planned);
	free(image);
}

#define EXPECT_ERR(call, text) do {					\
		EXPECT_EQ(-EINVAL, (call));				\
		EXPECT_NE(NULL, strstr(enpu_last_error(), (text)))	\
			TH_LOG("message: %s", enpu_last_error());	\
	} while (0)

TEST_F(v, misuse_refused)
{
	int16_t buf[STATE + 1];
	struct enpu_tensor_info info;
	struct enpu_layer_desc add = { .type = ENPU_LAYER_ADD, .num_inputs = 2 };
	struct enpu_model *m = NULL;
	int io[1];

	EXPECT_ERR(enpu_model_variable_read(self->m, 0, buf, sizeof(buf)), "bytes given");
	EXPECT_ERR(enpu_model_variable_write(self->m, 1, buf, 2 * STATE), "variable 1, the "
		   "model has 1");
	EXPECT_ERR(enpu_model_variable_info(self->m, 3, &info), "the model has 1");
	EXPECT_ERR(enpu_model_variable_read(self->m, 0, NULL, 2 * STATE), "data is NULL");
	EXPECT_ERR(enpu_model_reset_variables(NULL), "model is NULL");
	EXPECT_EQ(0, (int)enpu_model_num_variables(NULL));
	/* a variable is no graph input or output, and no layer computes it */
	io[0] = self->s.state;
	EXPECT_ERR(enpu_graph_set_io(self->s.g, io, 1, &self->s.out, 1), "is a variable");
	EXPECT_ERR(enpu_graph_set_io(self->s.g, &self->s.x, 1, io, 1), "is a variable");
	add.inputs[0] = self->s.x;
	add.inputs[1] = self->s.x;
	add.output = self->s.state;
	EXPECT_ERR(enpu_graph_add_layer(self->s.g, &add), "is a variable");
	/* nor read by any other layer than the one keeping it */
	{
		struct svdf_graph s = { 0 };
		struct enpu_tensor_desc y = { .name = "y2", .dtype = ENPU_DTYPE_INT16, .rank = 2,
					      .dims = { 1, STATE }, .num_scales = 1,
					      .scales = &st_s, .zero_points = &zero };

		fill(&s);
		ASSERT_EQ(0, build(&s, NULL));
		add.inputs[0] = add.inputs[1] = s.state;
		add.output = enpu_graph_add_tensor(s.g, &y);
		ASSERT_LE(0, add.output);
		ASSERT_LE(0, enpu_graph_add_layer(s.g, &add));
		io[0] = add.output;
		ASSERT_EQ(0, enpu_graph_set_io(s.g, &s.x, 1, io, 1));
		EXPECT_ERR(enpu_model_compile(NULL, s.g, NULL, &m), "only SVDF's state");
		enpu_graph_destroy(s.g);
	}
}

/* SVDF's state must be a variable: an ordinary tensor would not keep it. */
TEST(state_must_be_variable)
{
	struct svdf_graph s = { 0 };
	struct enpu_tensor_desc st = { .name = "notstate", .dtype = ENPU_DTYPE_INT16, .rank = 2,
				       .dims = { 1, STATE }, .num_scales = 1, .scales = &st_s,
				       .zero_points = &zero, .data = NULL };
	struct enpu_model *m = NULL;

	fill(&s);
	/* an SVDF whose state is an ordinary tensor (a graph input) */
	{
		struct enpu_graph *g = NULL;
		struct enpu_layer_desc l = { .type = ENPU_LAYER_SVDF, .num_inputs = 5 };
		struct enpu_tensor_desc x = { .name = "x", .dtype = ENPU_DTYPE_INT8, .rank = 2,
					      .dims = { 1, IN }, .num_scales = 1,
					      .scales = &in_s, .zero_points = &in_zp };
		struct enpu_tensor_desc wf = { .name = "wf", .dtype = ENPU_DTYPE_INT8, .rank = 2,
					       .dims = { FILT, IN }, .num_scales = 1,
					       .scales = &wf_s, .zero_points = &zero,
					       .data = s.wf };
		struct enpu_tensor_desc wt = { .name = "wt", .dtype = ENPU_DTYPE_INT16, .rank = 2,
					       .dims = { FILT, MEM }, .num_scales = 1,
					       .scales = &wt_s, .zero_points = &zero,
					       .data = s.wt };
		struct enpu_tensor_desc o = { .name = "y", .dtype = ENPU_DTYPE_INT8, .rank = 2,
					      .dims = { 1, UNITS }, .num_scales = 1,
					      .scales = &out_s, .zero_points = &out_zp };
		int in[2];

		ASSERT_EQ(0, enpu_graph_create(&g));
		in[0] = l.inputs[0] = enpu_graph_add_tensor(g, &x);
		l.inputs[1] = enpu_graph_add_tensor(g, &wf);
		l.inputs[2] = enpu_graph_add_tensor(g, &wt);
		l.inputs[3] = -1;
		in[1] = l.inputs[4] = enpu_graph_add_tensor(g, &st);
		l.output = enpu_graph_add_tensor(g, &o);
		ASSERT_LE(0, enpu_graph_add_layer(g, &l));
		ASSERT_EQ(0, enpu_graph_set_io(g, in, 2, &l.output, 1));
		EXPECT_ERR(enpu_model_compile(NULL, g, NULL, &m), "must be a variable tensor");
		enpu_graph_destroy(g);
	}
}

/* ---- TFLite: is_variable tensors ------------------------------------------ */

TEST(tflite_variables)
{
	struct svdf_graph s = { 0 };
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	int16_t state[STATE] = { 0 }, have[STATE];
	uint8_t *file = NULL;
	size_t len;

	fill(&s);
	/* a TFLite variable starts from zeros */
	len = forge_svdf(&s, RANK, 0, &file);
	ASSERT_NE(0, len);
	ASSERT_EQ(0, enpu_model_load_tflite_mem(file, len, &g)) TH_LOG("%s", enpu_last_error());
	free(file);
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &m)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(1, enpu_model_num_variables(m));
	ASSERT_EQ(0, enpu_model_variable_read(m, 0, have, sizeof(have)));
	EXPECT_EQ(0, memcmp(have, state, sizeof(have)));
	run_stream(_metadata, &s, m, state, 3);
	enpu_model_destroy(m);
	enpu_graph_destroy(g);

	/* a rank the shapes do not have, and a variable with data, are refused */
	len = forge_svdf(&s, 3, 0, &file);
	EXPECT_ERR(enpu_model_load_tflite_mem(file, len, &g), "rank 3");
	free(file);
	len = forge_svdf(&s, RANK, 1, &file);
	EXPECT_ERR(enpu_model_load_tflite_mem(file, len, &g), "is a variable with data");
	free(file);
}

TEST_HARNESS_MAIN
