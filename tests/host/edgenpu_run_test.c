// SPDX-License-Identifier: MIT
/*
 * edgenpu-run on the CPU backend (no device): its documented options,
 * the errors a mistyped option or a wrong input file gets (each naming the
 * problem, exit 2 for usage, 1 for the rest), and which outputs it calls
 * probabilities. The NPU side (its CPU-layer listing) runs in the VM.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tool_run.h"

/* Runs edgenpu-run @args; its exit status, its output (both streams) in @out. */
static int run(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int run(char *out, size_t len, const char *fmt, ...)
{
	char args[1024], cmd[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "EDGENPU_ACCEL_DIR=/nonexistent LD_LIBRARY_PATH=%s/../lib "
		 "%s/edgenpu-run %s 2>&1", tool_bin_dir(), tool_bin_dir(), args);
	return tool_run(cmd, out, len);
}

FIXTURE(tool) {
	char out[65536];
	char model[512];
	char file[64];
};

FIXTURE_SETUP(tool)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/edgenpu-run", tool_bin_dir());
	if (access(path, X_OK))
		SKIP(return, "no %s (run from the tree, or set EDGENPU_BIN)", path);
	snprintf(self->model, sizeof(self->model), "%s/person_detect.tflite", tool_models_dir());
	snprintf(self->file, sizeof(self->file), "/tmp/enpu-run-XXXXXX");
	fd = mkstemp(self->file);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(tool)
{
	if (self->file[0])
		unlink(self->file);
}

static void put_bytes(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	if (!f)
		return;
	for (i = 0; i < n; i++)
		fputc((int)(i * 7), f);
	fclose(f);
}

/* person_detect's softmax output is a probability; its input is 96x96x1. */
TEST_F(tool, cpu_run_and_its_input_file)
{
	if (access(self->model, R_OK))
		SKIP(return, "no %s", self->model);
	ASSERT_EQ(0, run(self->out, sizeof(self->out), "--cpu -r 3 %s", self->model))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "backend    CPU"));
	EXPECT_NE(NULL, strstr(self->out, "top 2:"));
	EXPECT_NE(NULL, strstr(self->out, "p=")) TH_LOG("%s", self->out);

	put_bytes(self->file, 96 * 96);
	EXPECT_EQ(0, run(self->out, sizeof(self->out), "--cpu -i %s %s", self->file,
			 self->model)) TH_LOG("%s", self->out);
	put_bytes(self->file, 96 * 96 + 1);
	EXPECT_EQ(1, run(self->out, sizeof(self->out), "--cpu -i %s %s", self->file,
			 self->model));
	EXPECT_NE(NULL, strstr(self->out, "has 9217 bytes; the input tensor needs exactly 9216"))
		TH_LOG("%s", self->out);
	put_bytes(self->file, 100);
	EXPECT_EQ(1, run(self->out, sizeof(self->out), "--cpu -i %s %s", self->file,
			 self->model));
	EXPECT_NE(NULL, strstr(self->out, "has 100 bytes; the input tensor needs exactly 9216"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(1, run(self->out, sizeof(self->out), "--cpu -i /tmp %s", self->model));
	EXPECT_NE(NULL, strstr(self->out, "/tmp is not a regular file")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, run(self->out, sizeof(self->out), "--cpu -i /nonexistent %s", self->model));
	EXPECT_NE(NULL, strstr(self->out, "cannot open /nonexistent")) TH_LOG("%s", self->out);
}

/* hello_world's output is a sine value, not a probability. */
TEST_F(tool, values_are_not_probabilities)
{
	char model[600];

	snprintf(model, sizeof(model), "%s/hello_world_int8.tflite", tool_models_dir());
	if (access(model, R_OK))
		SKIP(return, "no %s", model);
	ASSERT_EQ(0, run(self->out, sizeof(self->out), "--cpu %s", model)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "value=")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "p="));
	/* the synthetic CNN ends in a softmax */
	ASSERT_EQ(0, run(self->out, sizeof(self->out), "--cpu --synthetic"));
	EXPECT_NE(NULL, strstr(self->out, "p=")) TH_LOG("%s", self->out);
}

/* Each mistyped number is a usage error that names the option. */
TEST_F(tool, numbers_are_checked)
{
	static const struct {
		const char *args, *want;
	} bad[] = {
		{ "-r notanumber", "-r/--random takes a number" },
		{ "-r 12x", "not '12x'" },
		{ "-r -1", "not '-1'" },
		{ "-k three", "-k/--top takes a number" },
		{ "-k -2", "not '-2'" },
		{ "-n 0", "-n/--repeat is at least 1" },
		{ "-n many", "-n/--repeat takes a number" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(2, run(self->out, sizeof(self->out), "--cpu --synthetic %s",
				 bad[i].args)) TH_LOG("%s", bad[i].args);
		EXPECT_NE(NULL, strstr(self->out, bad[i].want))
			TH_LOG("%s: %s", bad[i].args, self->out);
	}
	EXPECT_EQ(0, run(self->out, sizeof(self->out), "--cpu --synthetic -r 0x10 -k 2 -n 3"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "over 3 runs"));
	EXPECT_NE(NULL, strstr(self->out, "top 2:"));
}

TEST_HARNESS_MAIN
