// SPDX-License-Identifier: MIT
/*
 * Compile targets, with no device: the contract's default SKU, target
 * files (each mistake named with its file, line and key), compiling for a
 * target and what such a model can and cannot do, and edgenpu-compile
 * --target. The same compile on a device is checked in the VM
 * (libedgenpu_device_test).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "edgenpu_hw.h"
#include "kselftest_harness.h"
#include "tool_run.h"

FIXTURE(tfile) {
	char path[64];
};

FIXTURE_SETUP(tfile)
{
	int fd;

	snprintf(self->path, sizeof(self->path), "/tmp/enpu-target-XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(tfile)
{
	unlink(self->path);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

#define GOOD "name = board\nhw_version = 0.3.0\nmacs_per_cycle = 64\nclock_mhz = 800\n" \
	     "dram_bw_mbps = 4000\nsram_bw_mbps = 32000\nsram_size = 262144\n"

TEST(default_is_the_contracts_sku)
{
	struct enpu_target t;

	enpu_target_default(&t);
	EXPECT_STREQ("default", t.name);
	EXPECT_EQ(ENPU_HW_VERSION, t.hw_version);
	EXPECT_EQ(ENPU_DEFAULT_MACS_PER_CYCLE, t.macs_per_cycle);
	EXPECT_EQ(ENPU_DEFAULT_CLOCK_MHZ, t.clock_mhz);
	EXPECT_EQ(ENPU_DEFAULT_DRAM_BW_MBPS, t.dram_bw_mbps);
	EXPECT_EQ(ENPU_DEFAULT_SRAM_BW_MBPS, t.sram_bw_mbps);
	EXPECT_EQ(ENPU_DEFAULT_SRAM_SIZE, t.sram_size);
	EXPECT_EQ(0, enpu_target_check(&t));
	memset(&t, 0, sizeof(t));
	EXPECT_EQ(0, enpu_target_load("default", &t));
	EXPECT_EQ(ENPU_DEFAULT_SRAM_SIZE, t.sram_size);
}

TEST_F(tfile, file_written_reads_back)
{
	struct enpu_target t, u;
	size_t i;
	FILE *f;

	put(self->path, "# a board\n\n" GOOD);
	ASSERT_EQ(0, enpu_target_load(self->path, &t)) TH_LOG("%s", enpu_last_error());
	EXPECT_STREQ("board", t.name);
	for (i = strlen(t.name); i < sizeof(t.name); i++)
		EXPECT_EQ(0, t.name[i]) TH_LOG("name byte %zu", i);
	EXPECT_EQ(ENPU_VERSION(0, 3, 0), t.hw_version);
	EXPECT_EQ(64, t.macs_per_cycle);
	EXPECT_EQ(800, t.clock_mhz);
	EXPECT_EQ(262144, t.sram_size);
	f = fopen(self->path, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, enpu_target_write(&t, f));
	fclose(f);
	ASSERT_EQ(0, enpu_target_load(self->path, &u));
	EXPECT_EQ(0, memcmp(&t, &u, sizeof(t)));
}

/* Each broken file, and words the error must contain. */
static const struct {
	const char *text, *want[2];
} broken[] = {
	{ GOOD "colour = blue\n", { ":8: unknown key 'colour'", "sram_size" } },
	{ "name = x\nhw_version = 0.3.0\nmacs_per_cycle = 64\nclock_mhz = 800\n"
	  "dram_bw_mbps = 4000\nsram_bw_mbps = 32000\n", { "no 'sram_size'", "edgenpu-info --target" } },
	{ GOOD "clock_mhz = 900\n", { ":8: 'clock_mhz' given twice", NULL } },
	{ "macs_per_cycle = lots\n", { ":1: 'lots' is not a valid macs_per_cycle", NULL } },
	{ "macs_per_cycle = 4294967296\n", { "not a valid macs_per_cycle", NULL } },
	{ "hw_version = 3\n", { "not a valid hw_version", "0.3.0" } },
	{ "just words\n", { ":1: expected 'key = value'", NULL } },
	{ "name = x\nhw_version = 1.0.0\nmacs_per_cycle = 64\nclock_mhz = 800\n"
	  "dram_bw_mbps = 4000\nsram_bw_mbps = 32000\nsram_size = 262144\n",
	  { "hardware contract 1.0.0", "compiles for 0" } },
	{ "name = x\nhw_version = 0.3.0\nmacs_per_cycle = 64\nclock_mhz = 800\n"
	  "dram_bw_mbps = 4000\nsram_bw_mbps = 32000\nsram_size = 1000\n",
	  { "sram_size 1000 is not a multiple of 4096", NULL } },
	{ "name = x\nhw_version = 0.3.0\nmacs_per_cycle = 0\nclock_mhz = 800\n"
	  "dram_bw_mbps = 4000\nsram_bw_mbps = 32000\nsram_size = 262144\n",
	  { "macs_per_cycle is 0", NULL } },
};

TEST_F(tfile, broken_files_say_what_and_where)
{
	struct enpu_target t;
	unsigned int i, k;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		put(self->path, broken[i].text);
		EXPECT_EQ(-EINVAL, enpu_target_load(self->path, &t)) TH_LOG("case %u", i);
		for (k = 0; k < 2 && broken[i].want[k]; k++)
			EXPECT_NE(NULL, strstr(enpu_last_error(), broken[i].want[k]))
				TH_LOG("case %u: '%s' lacks '%s'", i, enpu_last_error(),
				       broken[i].want[k]);
	}
	EXPECT_EQ(-ENOENT, enpu_target_load("/nonexistent/board.target", &t));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "give 'default' or a target file"));
}

static int load_model(struct __test_metadata *_metadata, const char *name,
		      struct enpu_graph **g)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tool_models_dir(), name);
	if (access(path, R_OK))
		return -1;
	EXPECT_EQ(0, enpu_model_load_tflite(path, g)) TH_LOG("%s", enpu_last_error());
	return *g ? 0 : -1;
}

/*
 * person_detect compiled for the default target with no device: layers on
 * the NPU with estimates, the target kept, and a clear refusal to run.
 */
TEST(compile_for_a_target_without_a_device)
{
	struct enpu_target t, got;
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	struct enpu_layer_info li;
	uint64_t cycles = 0;
	size_t i, npu = 0;
	uint8_t in[96 * 96], out[2];
	const void *ins[] = { in };
	void *outs[] = { out };

	if (load_model(_metadata, "person_detect.tflite", &g))
		SKIP(return, "no person_detect.tflite in %s", tool_models_dir());
	enpu_target_default(&t);
	ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &m)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_target(m, &got));
	EXPECT_EQ(0, memcmp(&t, &got, sizeof(t)));
	for (i = 0; i < enpu_model_num_layers(m); i++) {
		ASSERT_EQ(0, enpu_model_layer_info(m, i, &li));
		npu += li.on_npu;
		cycles += li.est_cycles;
	}
	EXPECT_LT(20, npu);
	EXPECT_LT(0, cycles);
	EXPECT_LT(0, enpu_model_sram_bytes(m));
	EXPECT_GE(t.sram_size, enpu_model_sram_bytes(m));
	memset(in, 0, sizeof(in));
	EXPECT_EQ(-ENODEV, enpu_model_run(m, ins, outs, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "compiled for target 'default' without a device"))
		TH_LOG("%s", enpu_last_error());
	enpu_model_destroy(m);

	/* a CPU model has no target */
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &m));
	EXPECT_EQ(-ENODEV, enpu_model_target(m, &got));
	enpu_model_destroy(m);

	/* a bad target is refused before any work */
	t.sram_size = 12345;
	EXPECT_EQ(-EINVAL, enpu_model_compile_target(&t, g, NULL, &m));
	EXPECT_EQ(NULL, m);
	enpu_graph_destroy(g);
}

/* The target drives the plan: a slower, smaller NPU gets other estimates. */
TEST(the_target_drives_the_plan)
{
	struct enpu_target big, small;
	struct enpu_graph *g = NULL;
	struct enpu_model *a = NULL, *b = NULL;
	struct enpu_layer_info la, lb;
	uint64_t ca = 0, cb = 0;
	size_t i, sram_a = 0, sram_b = 0;

	if (load_model(_metadata, "person_detect.tflite", &g))
		SKIP(return, "no person_detect.tflite in %s", tool_models_dir());
	enpu_target_default(&big);
	small = big;
	snprintf(small.name, sizeof(small.name), "small");
	small.macs_per_cycle = 32;
	small.sram_size = 16384;
	ASSERT_EQ(0, enpu_model_compile_target(&big, g, NULL, &a));
	ASSERT_EQ(0, enpu_model_compile_target(&small, g, NULL, &b));
	for (i = 0; i < enpu_model_num_layers(a); i++) {
		enpu_model_layer_info(a, i, &la);
		enpu_model_layer_info(b, i, &lb);
		ca += la.est_cycles;
		cb += lb.est_cycles;
		sram_a += la.output_in_sram;
		sram_b += lb.output_in_sram;
	}
	TH_LOG("cycles %llu vs %llu, outputs in SRAM %zu vs %zu", (unsigned long long)ca,
	       (unsigned long long)cb, sram_a, sram_b);
	EXPECT_LT(ca, cb);
	EXPECT_LT(sram_b, sram_a);
	enpu_model_destroy(a);
	enpu_model_destroy(b);
	enpu_graph_destroy(g);
}

static const float one = 1.0f;
static const int32_t zero;

static int act(struct enpu_graph *g, int h, int w, int c)
{
	struct enpu_tensor_desc d = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, h, w, c },
		.num_scales = 1, .scales = &one, .zero_points = &zero,
	};

	return enpu_graph_add_tensor(g, &d);
}

/*
 * Every layer left on the CPU says why, in words: an operation the NPU
 * has no instruction for, an operand over the NPU's per-operand limit, a
 * shape past what its commands hold. NPU layers have no reason.
 */
TEST(cpu_layers_say_why)
{
	static int8_t w[16];
	struct enpu_tensor_desc wd = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 1, 1, 16 },
		.num_scales = 1, .scales = &one, .zero_points = &zero, .data = w,
	};
	struct enpu_graph *g;
	struct enpu_model *m = NULL;
	struct enpu_target t;
	const char *why;
	int x, wt, big, row1, row2, small, wide, wide2, out1, sum;

	ASSERT_EQ(0, enpu_graph_create(&g));
	/* 0: a 1x1 conv over 32 MiB: too big an operand for one command */
	x = act(g, 1024, 2048, 16);
	wt = enpu_graph_add_tensor(g, &wd);
	big = act(g, 1024, 2048, 1);
	ASSERT_LE(0, enpu_graph_add_layer(g, &(struct enpu_layer_desc){
		.type = ENPU_LAYER_CONV_2D, .inputs = { x, wt }, .num_inputs = 2,
		.output = big, .stride_h = 1, .stride_w = 1, .padding = ENPU_VALID }));
	/* 1: an ADD of rows of 70,000: a dimension past 65,535 */
	row1 = act(g, 1, 70000, 1);
	row2 = act(g, 1, 70000, 1);
	small = act(g, 1, 70000, 1);
	ASSERT_LE(0, enpu_graph_add_layer(g, &(struct enpu_layer_desc){
		.type = ENPU_LAYER_ADD, .inputs = { row1, row2 }, .num_inputs = 2,
		.output = small }));
	/* 2: an ADD the NPU runs, 3: a softmax it has no instruction for */
	wide = act(g, 1, 64, 8);
	wide2 = act(g, 1, 64, 8);
	sum = act(g, 1, 64, 8);
	ASSERT_LE(0, enpu_graph_add_layer(g, &(struct enpu_layer_desc){
		.type = ENPU_LAYER_ADD, .inputs = { wide, wide2 }, .num_inputs = 2,
		.output = sum }));
	{
		static const float sm_scale = 1.0f / 256;
		static const int32_t sm_zp = -128;
		struct enpu_tensor_desc od = {
			.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 1, 64, 8 },
			.num_scales = 1, .scales = &sm_scale, .zero_points = &sm_zp,
		};

		out1 = enpu_graph_add_tensor(g, &od);
	}
	ASSERT_LE(0, enpu_graph_add_layer(g, &(struct enpu_layer_desc){
		.type = ENPU_LAYER_SOFTMAX, .inputs = { sum }, .num_inputs = 1,
		.output = out1, .beta = 1.0f }));
	ASSERT_EQ(0, enpu_graph_set_io(g, (int[]){ x, row1, row2, wide, wide2 }, 5,
				       (int[]){ big, small, out1 }, 3)) TH_LOG("%s", enpu_last_error());

	enpu_target_default(&t);
	ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &m)) TH_LOG("%s", enpu_last_error());
	why = enpu_model_layer_reason(m, 0);
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "an operand of 32.0 MiB (its largest tensor) is over the "
			       "16 MiB an NPU command takes per operand")) TH_LOG("%s", why);
	why = enpu_model_layer_reason(m, 1);
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "outside what the NPU's commands take for ADD "
			       "(dimensions up to 65535")) TH_LOG("%s", why);
	EXPECT_EQ(NULL, enpu_model_layer_reason(m, 2)) TH_LOG("%s", enpu_model_layer_reason(m, 2));
	why = enpu_model_layer_reason(m, 3);
	ASSERT_NE(NULL, why);
	EXPECT_STREQ("the NPU has no instruction for SOFTMAX", why);
	EXPECT_EQ(NULL, enpu_model_layer_reason(m, 4));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "no layer 4"));
	enpu_model_destroy(m);

	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &m));
	EXPECT_STREQ("the model was compiled for the CPU backend", enpu_model_layer_reason(m, 2));
	EXPECT_EQ(0, enpu_model_sram_bytes(m));
	enpu_model_destroy(m);
	enpu_graph_destroy(g);
}

/* Runs the built edgenpu-compile; its exit status, output in @out. */
static int tool(char *out, size_t len, const char *args)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "EDGENPU_ACCEL_DIR=/nonexistent LD_LIBRARY_PATH=%s/../lib "
		 "%s/edgenpu-compile %s 2>&1", tool_bin_dir(), tool_bin_dir(), args);
	return tool_run(cmd, out, len);
}

TEST_F(tfile, edgenpu_compile_without_a_device)
{
	static char out[65536];
	char args[768];

	if (access("build/bin/edgenpu-compile", X_OK) && !getenv("EDGENPU_BIN"))
		SKIP(return, "no build/bin/edgenpu-compile (run from the tree, or set EDGENPU_BIN)");
	snprintf(args, sizeof(args), "--target default %s/person_detect.tflite", tool_models_dir());
	ASSERT_EQ(0, tool(out, sizeof(out), args)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "target default: hardware contract")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "(no device)"));
	EXPECT_NE(NULL, strstr(out, "31 layers: 30 on the NPU in 1 job, 1 on the CPU"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "MAC utilisation; SRAM "));
	EXPECT_NE(NULL, strstr(out, "on the CPU, and why:\n  layer 30 SOFTMAX: the NPU has no "
			       "instruction for SOFTMAX"));

	put(self->path, GOOD);
	snprintf(args, sizeof(args), "-t %s %s/person_detect.tflite", self->path, tool_models_dir());
	ASSERT_EQ(0, tool(out, sizeof(out), args)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "target board: hardware contract 0.3.0, 64 MACs/cycle at 800 MHz"))
		TH_LOG("%s", out);

	/* --dot writes Graphviz that Graphviz renders */
	{
		char dotfile[] = "/tmp/enpu-dot-XXXXXX", cmd[256];
		int fd = mkstemp(dotfile);

		ASSERT_LE(0, fd);
		close(fd);
		snprintf(args, sizeof(args), "-t default --dot %s %s/person_detect.tflite",
			 dotfile, tool_models_dir());
		EXPECT_EQ(0, tool(out, sizeof(out), args)) TH_LOG("%s", out);
		snprintf(cmd, sizeof(cmd), "dot -Tsvg %s > /dev/null 2>&1", dotfile);
		if (system("command -v dot > /dev/null 2>&1"))
			TH_LOG("no Graphviz 'dot' here: the DOT file is not rendered");
		else
			EXPECT_EQ(0, system(cmd)) TH_LOG("dot refused %s", dotfile);
		unlink(dotfile);
		snprintf(args, sizeof(args), "-t default --dot /nonexistent/x.dot "
			 "%s/person_detect.tflite", tool_models_dir());
		EXPECT_EQ(1, tool(out, sizeof(out), args));
		EXPECT_NE(NULL, strstr(out, "cannot write /nonexistent/x.dot")) TH_LOG("%s", out);
	}

	/*
	 * -o writes a compiled-model file that edgenpu-run runs (on the CPU
	 * here) with the .tflite's output; garbage and an unwritable path
	 * are errors that say so
	 */
	{
		char enpu[] = "/tmp/enpu-out-XXXXXX", cmd[1024];
		static char a[65536], b[65536];
		int fd = mkstemp(enpu);

		ASSERT_LE(0, fd);
		close(fd);
		snprintf(args, sizeof(args), "-t default -o %s %s/person_detect.tflite", enpu,
			 tool_models_dir());
		ASSERT_EQ(0, tool(out, sizeof(out), args)) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "wrote /tmp/enpu-out-")) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "bytes, for target default"));
		snprintf(cmd, sizeof(cmd), "LD_LIBRARY_PATH=%s/../lib %s/edgenpu-run --cpu -r 5 "
			 "%s 2>&1 | grep -v '^model'", tool_bin_dir(), tool_bin_dir(), enpu);
		EXPECT_EQ(0, tool_run(cmd, a, sizeof(a)));
		snprintf(cmd, sizeof(cmd), "LD_LIBRARY_PATH=%s/../lib %s/edgenpu-run --cpu -r 5 "
			 "%s/person_detect.tflite 2>&1 | grep -v '^model'", tool_bin_dir(),
			 tool_bin_dir(), tool_models_dir());
		EXPECT_EQ(0, tool_run(cmd, b, sizeof(b)));
		EXPECT_NE(NULL, strstr(a, "output     [")) TH_LOG("%s", a);
		/* the latency line differs; everything before it must not */
		if (strstr(a, "latency"))
			*strstr(a, "latency") = 0;
		if (strstr(b, "latency"))
			*strstr(b, "latency") = 0;
		EXPECT_STREQ(b, a);
		snprintf(cmd, sizeof(cmd), "LD_LIBRARY_PATH=%s/../lib %s/edgenpu-run --cpu %s "
			 "2>&1", tool_bin_dir(), tool_bin_dir(), self->path);
		EXPECT_EQ(1, tool_run(cmd, a, sizeof(a)));
		EXPECT_NE(NULL, strstr(a, "neither a TFLite model (no TFL3 identifier) nor a "
				       "compiled-model file")) TH_LOG("%s", a);
		unlink(enpu);
		snprintf(args, sizeof(args), "-t default -o /nonexistent/x.enpu "
			 "%s/person_detect.tflite", tool_models_dir());
		EXPECT_EQ(1, tool(out, sizeof(out), args));
		EXPECT_NE(NULL, strstr(out, "cannot create a file beside /nonexistent/x.enpu"))
			TH_LOG("%s", out);
	}

	/* no device and no target: the error says what to do */
	snprintf(args, sizeof(args), "%s/person_detect.tflite", tool_models_dir());
	EXPECT_EQ(1, tool(out, sizeof(out), args));
	EXPECT_NE(NULL, strstr(out, "--target default")) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "--target nosuch %s/person_detect.tflite", tool_models_dir());
	EXPECT_EQ(1, tool(out, sizeof(out), args));
	EXPECT_NE(NULL, strstr(out, "no target 'nosuch'")) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "-d /dev/null --target default %s/person_detect.tflite",
		 tool_models_dir());
	EXPECT_EQ(2, tool(out, sizeof(out), args));
	EXPECT_NE(NULL, strstr(out, "exclude each other")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
