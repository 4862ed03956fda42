// SPDX-License-Identifier: MIT
/*
 * edgenpu-top in the VM while a process runs person_detect in a loop: the
 * JSON samples show that process busy with jobs per second, and its
 * figures and every other client's add up to the device's; the text view
 * names it; a node that is not an EdgeNPU and a bad interval are errors
 * that say so.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"
#include "../host/tool_run.h"

#define PD	"/usr/share/edgenpu/models/person_detect.tflite"

/* A child that runs person_detect until killed; its pid, or -1. */
static pid_t start_load(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct enpu_device *dev = NULL;
		struct enpu_model *m = NULL;
		static int8_t in[96 * 96], out[16];
		const void *ins[] = { in };
		void *outs[] = { out };

		close(p[0]);
		if (enpu_open(&dev, NULL) || enpu_model_load(dev, PD, NULL, &m))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			if (enpu_model_run(m, ins, outs, NULL))
				_exit(2);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	return pid;
}

static void stop_load(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The number after "@key": from @p, or -1. */
static double num_after(const char *p, const char *key)
{
	const char *k = p ? strstr(p, key) : NULL;

	return k ? atof(k + strlen(key)) : -1;
}

FIXTURE(top) {
	pid_t load;
	char out[65536];
};

FIXTURE_SETUP(top)
{
	struct enpu_device *dev = NULL;

	self->load = -1;
	if (enpu_open(&dev, NULL))
		SKIP(return, "no EdgeNPU: %s", enpu_last_error());
	enpu_close(dev);
	if (access(PD, R_OK))
		SKIP(return, "no %s", PD);
	self->load = start_load();
	ASSERT_LT(0, self->load);
}

FIXTURE_TEARDOWN(top)
{
	if (self->load > 0)
		stop_load(self->load);
}

TEST_F(top, json_samples_add_up)
{
	char *line, *save = NULL, key[32];
	int samples = 0;

	ASSERT_EQ(0, tool_run("edgenpu-top -J -n 2 -i 0.3 2>&1", self->out, sizeof(self->out)))
		TH_LOG("%s", self->out);
	snprintf(key, sizeof(key), "{\"pid\":%d,", self->load);
	for (line = strtok_r(self->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *me = strstr(line, key), *dev = NULL, *end, *p;
		double dbusy, djobs, sum = 0, sumj = 0;

		ASSERT_NE(NULL, me) TH_LOG("the load (pid %d) is not listed: %s", self->load, line);
		/* the device the load uses: the last one listed before it */
		for (p = strstr(line, "\"node\":\"accel"); p && p < me;
		     p = strstr(p + 1, "\"node\":\"accel"))
			dev = p;
		ASSERT_NE(NULL, dev) TH_LOG("%s", line);
		end = strstr(dev + 1, "\"node\":\"accel");
		dbusy = num_after(dev, "\"busy_pct\":");
		djobs = num_after(dev, "\"jobs_per_s\":");
		/* every client of that device: their busy shares add up to its */
		for (p = strstr(dev, "{\"pid\":"); p && (!end || p < end);
		     p = strstr(p + 1, "{\"pid\":")) {
			sum += num_after(p, "\"busy_pct\":");
			sumj += num_after(p, "\"jobs_per_s\":");
		}
		/* busy at all: how busy depends on how fast this machine runs the guest */
		EXPECT_LT(0.0, num_after(me, "\"busy_pct\":")) TH_LOG("%s", line);
		EXPECT_LT(1.0, num_after(me, "\"jobs_per_s\":")) TH_LOG("%s", line);
		EXPECT_LT(0, num_after(me, "\"memory_total\":"));
		EXPECT_GE(5.0 + 0.1 * dbusy, dbusy > sum ? dbusy - sum : sum - dbusy)
			TH_LOG("device %.2f%% busy, its clients %.2f%%: %s", dbusy, sum, line);
		EXPECT_GE(5.0 + 0.1 * djobs, djobs > sumj ? djobs - sumj : sumj - djobs)
			TH_LOG("device %.1f jobs/s, its clients %.1f: %s", djobs, sumj, line);
		samples++;
	}
	EXPECT_EQ(2, samples);
}

TEST_F(top, text_view_names_the_process)
{
	char pid[32];

	ASSERT_EQ(0, tool_run("edgenpu-top -n 1 -i 0.3 2>&1", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "NPU busy")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "PID COMMAND"));
	snprintf(pid, sizeof(pid), "%8d ", self->load);
	EXPECT_NE(NULL, strstr(self->out, pid)) TH_LOG("%s", self->out);
}

TEST(mistakes_are_errors)
{
	static char out[4096];

	EXPECT_EQ(1, tool_run("edgenpu-top -d accel99 -n 1 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "accel99 is not an EdgeNPU accel node"))
		TH_LOG("%s", out);
	EXPECT_EQ(2, tool_run("edgenpu-top -i 0 -n 1 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "-i/--interval takes seconds"));
	EXPECT_EQ(2, tool_run("edgenpu-top -n x 2>&1", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "-n/--samples takes a number"));
}

TEST_HARNESS_MAIN
