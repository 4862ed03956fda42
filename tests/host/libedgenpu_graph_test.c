// SPDX-License-Identifier: MIT
/*
 * libedgenpu graphs and models on the host (CPU backend): invalid graphs
 * are refused with errors naming the layer and the reason; results follow
 * TFLite's arithmetic on hand-computed cases; async runs, info queries,
 * DOT output and bad arguments behave.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"
#include "graph.h"		/* enpu_graph_order(), against the reference below */

static const float one = 1.0f, half = 0.5f, quarter = 0.25f, sm_scale = 1.0f / 256;
static const int32_t zero = 0, sm_zp = -128;

/* An int8 [1, h, w, c] activation with scale/zero point. */
static int act(struct enpu_graph *g, const char *name, int h, int w, int c,
	       const float *s, const int32_t *zp)
{
	struct enpu_tensor_desc d = {
		.name = name, .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, h, w, c },
		.num_scales = 1, .scales = s, .zero_points = zp,
	};

	return enpu_graph_add_tensor(g, &d);
}

static int weights(struct enpu_graph *g, int o, int kh, int kw, int i, const int8_t *data)
{
	struct enpu_tensor_desc d = {
		.name = "w", .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { o, kh, kw, i },
		.num_scales = 1, .scales = &one, .zero_points = &zero, .data = data,
	};

	return enpu_graph_add_tensor(g, &d);
}

#define EXPECT_ERR(call, text) do {					\
		EXPECT_EQ(-EINVAL, (call));				\
		EXPECT_NE(NULL, strstr(enpu_last_error(), (text)))	\
			TH_LOG("message: %s", enpu_last_error());	\
	} while (0)

FIXTURE(g) {
	struct enpu_graph *g;
	int8_t w[1024];
};

FIXTURE_SETUP(g)
{
	memset(self->w, 1, sizeof(self->w));
	ASSERT_EQ(0, enpu_graph_create(&self->g));
}

FIXTURE_TEARDOWN(g)
{
	enpu_graph_destroy(self->g);
}

TEST_F(g, conv_channel_mismatch_named)
{
	int x = act(self->g, "x", 4, 4, 8, &one, &zero);
	int w = weights(self->g, 4, 1, 1, 16, self->w);
	int y = act(self->g, "y", 4, 4, 4, &one, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_CONV_2D, .inputs = { x, w }, .num_inputs = 2, .output = y,
		.stride_h = 1, .stride_w = 1, .padding = ENPU_VALID,
	};

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &x, 1, &y, 1));
	EXPECT_ERR(enpu_graph_validate(self->g),
		   "layer 0 (CONV_2D): filter has 16 input channels, the input 8");
}

TEST_F(g, conv_output_size_checked)
{
	int x = act(self->g, "x", 5, 5, 1, &one, &zero);
	int w = weights(self->g, 1, 3, 3, 1, self->w);
	int y = act(self->g, "y", 5, 5, 1, &one, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_CONV_2D, .inputs = { x, w }, .num_inputs = 2, .output = y,
		.stride_h = 1, .stride_w = 1, .padding = ENPU_VALID,
	};

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &x, 1, &y, 1));
	EXPECT_ERR(enpu_graph_validate(self->g), "output height is 5, the layer computes 3");
}

TEST_F(g, weights_must_be_constant)
{
	int x = act(self->g, "x", 2, 2, 1, &one, &zero);
	struct enpu_tensor_desc wd = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 1, 1, 1 },
		.num_scales = 1, .scales = &one, .zero_points = &zero,
	};
	int w = enpu_graph_add_tensor(self->g, &wd);
	int y = act(self->g, "y", 2, 2, 1, &one, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_CONV_2D, .inputs = { x, w }, .num_inputs = 2, .output = y,
		.stride_h = 1, .stride_w = 1, .padding = ENPU_VALID,
	};
	int in[2] = { x, w };

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, in, 2, &y, 1));
	EXPECT_ERR(enpu_graph_validate(self->g), "weights must be a constant tensor");
}

TEST_F(g, missing_producer_and_cycle)
{
	int a = act(self->g, "a", 1, 1, 4, &one, &zero);
	int b = act(self->g, "b", 1, 1, 4, &one, &zero);
	int c = act(self->g, "c", 1, 1, 4, &one, &zero);
	struct enpu_layer_desc l1 = {
		.type = ENPU_LAYER_ADD, .inputs = { a, c }, .num_inputs = 2, .output = b,
	};
	struct enpu_layer_desc l2 = {
		.type = ENPU_LAYER_ADD, .inputs = { b, b }, .num_inputs = 2, .output = c,
	};

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l1));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &a, 1, &b, 1));
	EXPECT_ERR(enpu_graph_validate(self->g), "is never computed");
	ASSERT_EQ(1, enpu_graph_add_layer(self->g, &l2));
	EXPECT_ERR(enpu_graph_validate(self->g), "part of a cycle");
}

TEST_F(g, tensor_written_twice)
{
	int a = act(self->g, "a", 1, 1, 4, &one, &zero);
	int b = act(self->g, "b", 1, 1, 4, &one, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_ADD, .inputs = { a, a }, .num_inputs = 2, .output = b,
	};

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	EXPECT_ERR(enpu_graph_add_layer(self->g, &l), "already written by layer 0");
}

TEST_F(g, bad_tensors_refused)
{
	struct enpu_tensor_desc d = { .dtype = ENPU_DTYPE_INT8, .rank = 2, .dims = { 3, 0 } };
	float scales[3] = { 1, 2, 3 };

	EXPECT_ERR(enpu_graph_add_tensor(self->g, &d), "dimension 1 is 0");
	d.dims[1] = 2;
	d.rank = 5;
	EXPECT_ERR(enpu_graph_add_tensor(self->g, &d), "rank 5");
	d.rank = 2;
	d.num_scales = 3;
	d.scales = scales;
	d.quant_axis = 1;
	EXPECT_ERR(enpu_graph_add_tensor(self->g, &d), "3 scales do not match axis 1");
	scales[0] = -1;
	d.quant_axis = 0;
	EXPECT_ERR(enpu_graph_add_tensor(self->g, &d), "scale 0 is not positive");
	d.num_scales = 0;
	d.dtype = 77;
	EXPECT_ERR(enpu_graph_add_tensor(self->g, &d), "unknown dtype 77");
}

/*
 * A weight scale whose requantization needs a shift past 31 (a corrupt or
 * not-INT8 model) is refused when the model is compiled, with the layer,
 * the channel and the numbers, not when it runs.
 */
TEST_F(g, scale_out_of_range_refused_at_compile)
{
	static const float huge[2] = { 0.5f, 2e25f };
	int x = act(self->g, "x", 2, 2, 1, &one, &zero);
	struct enpu_tensor_desc wd = {
		.name = "w", .dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 2, 1, 1, 1 },
		.num_scales = 2, .scales = huge, .zero_points = (const int32_t[]){ 0, 0 },
		.quant_axis = 0, .data = self->w,
	};
	int w = enpu_graph_add_tensor(self->g, &wd);
	int y = act(self->g, "y", 2, 2, 2, &one, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_CONV_2D, .inputs = { x, w }, .num_inputs = 2, .output = y,
		.stride_h = 1, .stride_w = 1, .padding = ENPU_VALID,
	};
	struct enpu_model *m = NULL;

	ASSERT_LE(0, w) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &x, 1, &y, 1));
	EXPECT_ERR(enpu_model_compile(NULL, self->g, NULL, &m),
		   "layer 0 (CONV_2D): requantization of output channel 1: input scale 1 x "
		   "weight scale 2e+25 / output scale 1 = 2e+25 needs a shift of 85");
	EXPECT_EQ(NULL, m);
}

/* The same for a rescale: QUANTIZE int8 -> int8 between far-apart scales. */
TEST_F(g, rescale_out_of_range_refused_at_compile)
{
	static const float tiny = 1e-30f;
	int x = act(self->g, "x", 1, 1, 4, &one, &zero);
	int y = act(self->g, "y", 1, 1, 4, &tiny, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_QUANTIZE, .inputs = { x }, .num_inputs = 1, .output = y,
	};
	struct enpu_model *m = NULL;

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &x, 1, &y, 1));
	EXPECT_ERR(enpu_model_compile(NULL, self->g, NULL, &m),
		   "layer 0 (QUANTIZE): requantization: input scale 1 / output scale 1e-30");
	EXPECT_NE(NULL, strstr(enpu_last_error(), "outside the -31..31"));
}

/*
 * A hostile model declaring activations of hundreds of MiB is refused
 * before anything is allocated for them, with the figures and the knob.
 */
TEST_F(g, activations_bounded_before_allocation)
{
	static const float s = 1.0f;
	struct enpu_tensor_desc d = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 16384, 16384, 1 },
		.num_scales = 1, .scales = &s, .zero_points = &zero,
	};
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_activation_bytes = 64 << 20 };
	struct enpu_model *m = NULL;
	int t[5], i;

	/* five tensors of 2^28 elements (the most one may have), chained by ADDs */
	for (i = 0; i < 5; i++) {
		t[i] = enpu_graph_add_tensor(self->g, &d);
		ASSERT_LE(0, t[i]) TH_LOG("%s", enpu_last_error());
	}
	for (i = 0; i < 4; i++)
		ASSERT_LE(0, enpu_graph_add_layer(self->g, &(struct enpu_layer_desc){
			.type = ENPU_LAYER_ADD, .inputs = { t[i], t[i] }, .num_inputs = 2,
			.output = t[i + 1] }));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &t[0], 1, &t[4], 1));
	EXPECT_EQ(-E2BIG, enpu_model_compile(NULL, self->g, NULL, &m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "the model's activations take 1280 MiB, over "
			       "the 1024 MiB a compile may use")) TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(-E2BIG, enpu_model_compile(NULL, self->g, &opt, &m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "over the 64 MiB")) TH_LOG("%s", enpu_last_error());
}

/* The order layers always had: sweeps by index, each taking what is ready. */
static size_t reference_order(const struct enpu_graph *gr, size_t *order)
{
	unsigned char done[512] = { 0 }, ready[1024] = { 0 };
	size_t n = 0, i, k;
	int j, progress = 1;

	for (i = 0; i < gr->num_tensors; i++)
		for (k = 0; k < gr->num_inputs; k++)
			ready[i] |= gr->tensors[i].data || gr->inputs[k] == (int)i;
	while (n < gr->num_layers && progress) {
		progress = 0;
		for (i = 0; i < gr->num_layers; i++) {
			int ok = !done[i];

			for (j = 0; ok && j < gr->layers[i].num_inputs; j++)
				ok = gr->layers[i].inputs[j] < 0 || ready[gr->layers[i].inputs[j]];
			if (!ok)
				continue;
			done[i] = 1;
			ready[gr->layers[i].output] = 1;
			order[n++] = i;
			progress = 1;
		}
	}
	return n;
}

/*
 * The linear-time ordering gives exactly the order compiled models have
 * always used, on random graphs whose layers are added in random order.
 */
TEST(order_is_the_sweep_order)
{
	uint32_t seed = 12345;
	int round;

	for (round = 0; round < 200; round++) {
		struct enpu_graph *gr;
		size_t want[512], got[512], nl = 10 + round % 90, i, k, perm[512];
		int t[512], in;

		ASSERT_EQ(0, enpu_graph_create(&gr));
		for (i = 0; i <= nl; i++)
			t[i] = act(gr, "t", 2, 2, 1, &one, &zero);
		for (i = 0; i < nl; i++)
			perm[i] = i;
		for (i = nl; i > 1; i--) {
			seed = seed * 1664525u + 1013904223u;
			k = (seed >> 8) % i;
			size_t tmp = perm[i - 1];

			perm[i - 1] = perm[k];
			perm[k] = tmp;
		}
		/* layer producing t[p + 1] from t[p] and an earlier tensor, added in perm order */
		for (k = 0; k < nl; k++) {
			size_t p = perm[k];

			seed = seed * 1664525u + 1013904223u;
			ASSERT_LE(0, enpu_graph_add_layer(gr, &(struct enpu_layer_desc){
				.type = ENPU_LAYER_ADD, .inputs = { t[p], t[(seed >> 8) % (p + 1)] },
				.num_inputs = 2, .output = t[p + 1] }));
		}
		in = t[0];
		ASSERT_EQ(0, enpu_graph_set_io(gr, &in, 1, &t[nl], 1));
		ASSERT_EQ(nl, reference_order(gr, want));
		ASSERT_EQ(0, enpu_graph_order(gr, got)) TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(0, memcmp(want, got, nl * sizeof(size_t))) TH_LOG("round %d", round);
		enpu_graph_destroy(gr);
	}
}

/*
 * A 16,384-layer chain added last layer first (the old ordering's worst
 * case, one layer per sweep) compiles for the CPU; the time is printed.
 */
TEST(long_chain_compiles)
{
	enum { N = 16384 };
	struct enpu_graph *gr;
	struct enpu_model *m = NULL;
	struct timespec t0, t1;
	int *t = malloc((N + 1) * sizeof(int)), in, i;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, enpu_graph_create(&gr));
	for (i = 0; i <= N; i++)
		t[i] = act(gr, "t", 1, 1, 4, &one, &zero);
	for (i = N - 1; i >= 0; i--)
		ASSERT_LE(0, enpu_graph_add_layer(gr, &(struct enpu_layer_desc){
			.type = ENPU_LAYER_ADD, .inputs = { t[i], t[i] }, .num_inputs = 2,
			.output = t[i + 1] }));
	in = t[0];
	ASSERT_EQ(0, enpu_graph_set_io(gr, &in, 1, &t[N], 1));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, enpu_model_compile(NULL, gr, NULL, &m)) TH_LOG("%s", enpu_last_error());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("compiled %d chained layers for the CPU in %.1f ms (host wall time, ASan build)",
	       N, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	enpu_model_destroy(m);
	enpu_graph_destroy(gr);
	free(t);
}

TEST_F(g, softmax_output_quantization)
{
	int x = act(self->g, "x", 1, 1, 4, &one, &zero);
	int y = act(self->g, "y", 1, 1, 4, &one, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_SOFTMAX, .inputs = { x }, .num_inputs = 1, .output = y,
		.beta = 1.0f,
	};

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &x, 1, &y, 1));
	EXPECT_ERR(enpu_graph_validate(self->g), "scale 1/256, zero point -128");
}

TEST_F(g, pool_requires_shared_quantization)
{
	int x = act(self->g, "x", 2, 2, 1, &one, &zero);
	int y = act(self->g, "y", 1, 1, 1, &half, &zero);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_MAX_POOL_2D, .inputs = { x }, .num_inputs = 1, .output = y,
		.stride_h = 2, .stride_w = 2, .filter_h = 2, .filter_w = 2,
		.padding = ENPU_VALID,
	};

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &x, 1, &y, 1));
	EXPECT_ERR(enpu_graph_validate(self->g), "must share scale and zero point");
}

/*
 * A 1x1 convolution, scales 0.5 * 0.5 / 0.25 = 1 (QuantizeMultiplier(1.0)
 * = 2^30 with shift 1): out = clamp(bias + w * (x - in_zp) + out_zp).
 */
TEST_F(g, conv_arithmetic_by_hand)
{
	static const int8_t w[2] = { 3, -2 };
	static const int32_t bias[2] = { 10, -7 };
	static const int8_t x[4] = { 5, -4, 100, -128 };
	int8_t y[8];
	const int32_t in_zp = 2, out_zp = -1;
	struct enpu_tensor_desc bd = {
		.dtype = ENPU_DTYPE_INT32, .rank = 1, .dims = { 2 }, .data = bias,
	};
	struct enpu_tensor_desc wd = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 2, 1, 1, 1 },
		.num_scales = 1, .scales = &half, .zero_points = &zero, .data = w,
	};
	struct enpu_model *m;
	int xi = act(self->g, "x", 1, 4, 1, &half, &in_zp);
	int wi = enpu_graph_add_tensor(self->g, &wd);
	int bi = enpu_graph_add_tensor(self->g, &bd);
	int yi = act(self->g, "y", 1, 4, 2, &quarter, &out_zp);
	struct enpu_layer_desc l = {
		.type = ENPU_LAYER_CONV_2D, .inputs = { xi, wi, bi }, .num_inputs = 3,
		.output = yi, .stride_h = 1, .stride_w = 1, .padding = ENPU_VALID,
	};
	const void *in[1] = { x };
	void *out[1] = { y };
	int i, c;

	ASSERT_EQ(0, enpu_graph_add_layer(self->g, &l));
	ASSERT_EQ(0, enpu_graph_set_io(self->g, &xi, 1, &yi, 1));
	ASSERT_EQ(0, enpu_model_compile(NULL, self->g, NULL, &m)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_run(m, in, out, NULL));
	for (i = 0; i < 4; i++) {
		for (c = 0; c < 2; c++) {
			int v = bias[c] + w[c] * (x[i] - in_zp) + out_zp;

			v = v < -128 ? -128 : v > 127 ? 127 : v;
			EXPECT_EQ(v, y[2 * i + c]) TH_LOG("pixel %d channel %d", i, c);
		}
	}
	enpu_model_destroy(m);
}

/* A model of ADD then SOFTMAX, used by the model tests below. */
static struct enpu_model *add_softmax(struct __test_metadata *_metadata,
				      struct enpu_graph *g, unsigned int inflight)
{
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = inflight };
	int a = act(g, "a", 1, 1, 8, &quarter, &zero);
	int b = act(g, "b", 1, 1, 8, &quarter, &zero);
	int s = act(g, "s", 1, 1, 8, &half, &zero);
	int p = act(g, "p", 1, 1, 8, &sm_scale, &sm_zp);
	struct enpu_layer_desc l1 = {
		.type = ENPU_LAYER_ADD, .inputs = { a, b }, .num_inputs = 2, .output = s,
	};
	struct enpu_layer_desc l2 = {
		.type = ENPU_LAYER_SOFTMAX, .inputs = { s }, .num_inputs = 1, .output = p,
		.beta = 1.0f,
	};
	int in[2] = { a, b };
	struct enpu_model *m = NULL;

	EXPECT_EQ(0, enpu_graph_add_layer(g, &l1));
	EXPECT_EQ(1, enpu_graph_add_layer(g, &l2));
	EXPECT_EQ(0, enpu_graph_set_io(g, in, 2, &p, 1));
	EXPECT_EQ(0, enpu_model_compile(NULL, g, &opt, &m)) TH_LOG("%s", enpu_last_error());
	return m;
}

TEST_F(g, async_runs_match_sync)
{
	struct enpu_model *m = add_softmax(_metadata, self->g, 4);
	struct enpu_run *runs[3];
	int8_t a[3][8], b[8] = { 0 }, sync_out[8], async_out[8];
	struct enpu_profile prof = { .size = sizeof(prof) };
	const void *in[2];
	void *out[1];
	int fd, i, k;

	ASSERT_NE(NULL, m);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 8; k++)
			a[i][k] = (int8_t)(i * 20 + k * 5 - 30);
		in[0] = a[i];
		in[1] = b;
		ASSERT_EQ(0, enpu_model_submit(m, in, &runs[i]));
	}
	for (i = 0; i < 3; i++) {
		in[0] = a[i];
		out[0] = sync_out;
		ASSERT_EQ(0, enpu_model_run(m, in, out, NULL));
		out[0] = async_out;
		ASSERT_EQ(0, enpu_run_wait(runs[i], -1, out, &prof));
		EXPECT_EQ(0, memcmp(sync_out, async_out, 8)) TH_LOG("run %d", i);
		EXPECT_EQ(-ENOENT, enpu_run_sync_file(runs[i], &fd));
		enpu_run_release(runs[i]);
	}
	EXPECT_LT(0, prof.wall_ns);
	enpu_model_destroy(m);
}

TEST_F(g, model_info_and_dot)
{
	struct enpu_model *m = add_softmax(_metadata, self->g, 1);
	struct enpu_tensor_info ti;
	struct enpu_layer_info li;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_NE(NULL, m);
	EXPECT_EQ(2, enpu_model_num_inputs(m));
	EXPECT_EQ(1, enpu_model_num_outputs(m));
	ASSERT_EQ(0, enpu_model_output_info(m, 0, &ti));
	EXPECT_EQ(8, ti.bytes);
	EXPECT_EQ(-128, ti.zero_point);
	EXPECT_EQ(-EINVAL, enpu_model_input_info(m, 2, &ti));
	ASSERT_EQ(0, enpu_model_layer_info(m, 1, &li));
	EXPECT_EQ(ENPU_LAYER_SOFTMAX, li.type);
	EXPECT_EQ(0, li.on_npu);
	EXPECT_EQ(-EINVAL, enpu_model_layer_info(m, 2, &li));
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, enpu_model_write_dot(m, f));
	fclose(f);
	EXPECT_NE(NULL, strstr(buf, "digraph edgenpu"));
	EXPECT_NE(NULL, strstr(buf, "SOFTMAX"));
	free(buf);
	enpu_model_destroy(m);
}

TEST_F(g, bad_arguments)
{
	struct enpu_model *m = add_softmax(_metadata, self->g, 1);
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = 17 };
	struct enpu_model *m2;
	struct enpu_run *run;
	int8_t a[8] = { 0 };
	const void *in[2] = { a, NULL };

	ASSERT_NE(NULL, m);
	EXPECT_ERR(enpu_model_run(m, NULL, NULL, NULL), "inputs is NULL");
	EXPECT_ERR(enpu_model_run(m, in, NULL, NULL), "input 1 is NULL");
	EXPECT_ERR(enpu_model_submit(m, in, &run), "input 1 is NULL");
	EXPECT_ERR(enpu_model_compile(NULL, self->g, &opt, &m2), "max_inflight 17");
	EXPECT_EQ(-EINVAL, enpu_model_compile(NULL, NULL, NULL, &m2));
	EXPECT_EQ(-EINVAL, enpu_run_wait(NULL, 0, NULL, NULL));
	enpu_run_release(NULL);
	enpu_model_destroy(NULL);
	enpu_model_destroy(m);
}

TEST(tflite_errors_named)
{
	static const uint8_t not_tflite[16] = "0123456789abcde";
	struct enpu_graph *g;

	EXPECT_ERR(enpu_model_load_tflite_mem(not_tflite, sizeof(not_tflite), &g),
		   "not a TFLite model");
	EXPECT_EQ(-ENOENT, enpu_model_load_tflite("/nonexistent.tflite", &g));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "/nonexistent.tflite"));
}

/*
 * QUANTIZE between int8, int16 and int32 (TFLite's Requantize), on scales
 * whose ratios are powers of two so that every value is exact by hand:
 * int8 x (0.5, zp 3) -> int16 (0.125): 4 (x - 3) -> int32 (0.0625):
 * 8 (x - 3) -> int8 (0.5, zp -1): x - 4, saturated; and int16 -> int8
 * (0.5): x - 3, saturated. int32 to int32 is refused, as TFLite does.
 */
TEST(requantize_between_integer_types)
{
	static const float s8 = 0.5f, s16 = 0.125f, s32 = 0.0625f;
	static const int32_t z3 = 3, z0 = 0, zm1 = -1;
	struct enpu_tensor_desc d = { .rank = 1, .dims = { 256 }, .num_scales = 1 };
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	int8_t in[256], a[256], b[256];
	int16_t v16[256];
	int32_t v32[256];
	int t[6], outs[4], i;

	ASSERT_EQ(0, enpu_graph_create(&g));
#define T(dt, sc, zp) (d.dtype = (dt), d.scales = &(sc), d.zero_points = &(zp), \
		       enpu_graph_add_tensor(g, &d))
	t[0] = T(ENPU_DTYPE_INT8, s8, z3);
	t[1] = T(ENPU_DTYPE_INT16, s16, z0);
	t[2] = T(ENPU_DTYPE_INT32, s32, z0);
	t[3] = T(ENPU_DTYPE_INT8, s8, zm1);
	t[4] = T(ENPU_DTYPE_INT8, s8, z0);
	t[5] = T(ENPU_DTYPE_INT32, s8, z0);
#undef T
	for (i = 0; i < 4; i++)
		ASSERT_LE(0, enpu_graph_add_layer(g, &(struct enpu_layer_desc){
			.type = ENPU_LAYER_QUANTIZE, .num_inputs = 1,
			.inputs = { i == 3 ? t[1] : t[i] }, .output = t[i + 1] }))
			TH_LOG("%s", enpu_last_error());
	outs[0] = t[1];
	outs[1] = t[2];
	outs[2] = t[3];
	outs[3] = t[4];
	ASSERT_EQ(0, enpu_graph_set_io(g, &t[0], 1, outs, 4));
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &m)) TH_LOG("%s", enpu_last_error());
	for (i = 0; i < 256; i++)
		in[i] = (int8_t)(i - 128);
	ASSERT_EQ(0, enpu_model_run(m, (const void *const[]){ in },
				    (void *const[]){ v16, v32, a, b }, NULL));
	for (i = 0; i < 256; i++) {
		int x = in[i];

		EXPECT_EQ(4 * (x - 3), v16[i]);
		EXPECT_EQ(8 * (x - 3), v32[i]);
		EXPECT_EQ(x - 4 < -128 ? -128 : x - 4, a[i]);
		EXPECT_EQ(x - 3 < -128 ? -128 : x - 3, b[i]);
	}
	enpu_model_destroy(m);
	m = NULL;
	/* int32 to int32 is not one TFLite runs */
	ASSERT_LE(0, enpu_graph_add_layer(g, &(struct enpu_layer_desc){
		.type = ENPU_LAYER_QUANTIZE, .num_inputs = 1, .inputs = { t[2] },
		.output = t[5] }));
	EXPECT_EQ(-EINVAL, enpu_model_compile(NULL, g, NULL, &m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "from int32 to int32 is not one TFLite runs"))
		TH_LOG("%s", enpu_last_error());
	enpu_graph_destroy(g);
}

TEST_HARNESS_MAIN
