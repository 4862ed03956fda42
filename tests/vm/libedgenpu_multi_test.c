// SPDX-License-Identifier: MIT
/*
 * Several EdgeNPUs in one guest (tools/vm/edgenpu-vm --npus N): the
 * library lists and opens each; every shared model gives the CPU backend's
 * bits on every device; a pool (one model compiled once, loaded on all)
 * spreads a stream of inferences over them, least loaded or in turn,
 * every result bit-exact and every device used; one device hung (fault
 * injection) and reset while another keeps serving. Skips with fewer than
 * two EdgeNPUs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "edgenpu_hw.h"
#include "kselftest_harness.h"
#include "../host/tool_run.h"

#define MODELS	"/usr/share/edgenpu/models"
#define PD	MODELS "/person_detect.tflite"
#define MAXDEV	ENPU_POOL_MAX_DEVICES

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* sysfs npu_jobs of the device behind @node, or -1. */
static long long jobs_of(const char *node)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/npu_jobs", strrchr(node, '/') + 1);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

FIXTURE(multi) {
	char nodes[MAXDEV][64];
	struct enpu_device *dev[MAXDEV];
	int n;
};

FIXTURE_SETUP(multi)
{
	int i;

	self->n = enpu_list(self->nodes, MAXDEV);
	ASSERT_LE(0, self->n) TH_LOG("%s", enpu_last_error());
	if (self->n < 2)
		SKIP(return, "%d EdgeNPU(s): boot the guest with --npus 2 or more", self->n);
	if (self->n > MAXDEV)
		self->n = MAXDEV;
	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, enpu_open(&self->dev[i], self->nodes[i]))
			TH_LOG("%s: %s", self->nodes[i], enpu_last_error());
	}
}

FIXTURE_TEARDOWN(multi)
{
	int i;

	for (i = 0; i < self->n && i < MAXDEV; i++)
		enpu_close(self->dev[i]);
}

TEST_F(multi, edgenpu_info_lists_every_one)
{
	static char out[8192];
	int i;

	ASSERT_EQ(0, tool_run("edgenpu-info --list 2>&1", out, sizeof(out))) TH_LOG("%s", out);
	for (i = 0; i < self->n; i++) {
		char want[96];

		snprintf(want, sizeof(want), "%s  pci ", self->nodes[i]);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no '%s' in:\n%s", want, out);
	}
	EXPECT_NE(NULL, strstr(out, "MACs/cycle at"));
}

TEST_F(multi, listed_in_order_and_each_opens)
{
	struct enpu_device_info info;
	int i, count = enpu_list(NULL, 0);

	EXPECT_EQ(self->n, count);
	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, enpu_query(self->dev[i], &info, sizeof(info)));
		EXPECT_STREQ(self->nodes[i], info.node);
		EXPECT_STREQ("edgenpu", info.driver);
		if (i)
			EXPECT_LT(atoi(self->nodes[i - 1] + 16), atoi(self->nodes[i] + 16));
	}
}

/* Runs @m once on seeded inputs into @out (@len bytes max). */
static int run_seeded(struct enpu_model *m, uint64_t seed, uint8_t *out, size_t len)
{
	struct enpu_tensor_info ii, oi;
	uint8_t *in;
	size_t k;
	int ret;

	if (enpu_model_input_info(m, 0, &ii) || enpu_model_output_info(m, 0, &oi) ||
	    oi.bytes > len)
		return -1;
	in = malloc(ii.bytes);
	if (!in)
		return -1;
	for (k = 0; k < ii.bytes; k++)
		in[k] = (uint8_t)(splitmix64(&seed) >> 56);
	ret = enpu_model_run(m, (const void *const[]){ in }, (void *const[]){ out }, NULL);
	free(in);
	return ret;
}

TEST_F(multi, every_model_bit_exact_on_every_device)
{
	struct dirent **ents;
	int n, i, d, done = 0;

	n = scandir(MODELS, &ents, NULL, alphasort);
	if (n <= 0)
		SKIP(return, "no models in %s", MODELS);
	for (i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		static uint8_t want[65536], got[65536];
		struct enpu_model *cpu = NULL;
		char path[512];

		if (len < 8 || strcmp(ents[i]->d_name + len - 7, ".tflite")) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", MODELS, ents[i]->d_name);
		ASSERT_EQ(0, enpu_model_load(NULL, path, NULL, &cpu));
		ASSERT_EQ(0, run_seeded(cpu, 3, want, sizeof(want)));
		for (d = 0; d < self->n; d++) {
			struct enpu_model *m = NULL;
			struct enpu_tensor_info oi;

			ASSERT_EQ(0, enpu_model_load(self->dev[d], path, NULL, &m))
				TH_LOG("%s on %s: %s", path, self->nodes[d], enpu_last_error());
			ASSERT_EQ(0, run_seeded(m, 3, got, sizeof(got)))
				TH_LOG("%s on %s: %s", path, self->nodes[d], enpu_last_error());
			enpu_model_output_info(m, 0, &oi);
			EXPECT_EQ(0, memcmp(want, got, oi.bytes))
				TH_LOG("%s differs on %s", ents[i]->d_name, self->nodes[d]);
			enpu_model_destroy(m);
		}
		enpu_model_destroy(cpu);
		free(ents[i]);
		done++;
	}
	free(ents);
	EXPECT_LT(0, done);
}

/* A stream of @runs inferences through a pool of every device, @per in flight each. */
static void stream(struct __test_metadata *_metadata, FIXTURE_DATA(multi) *self,
		   enum enpu_pool_policy policy)
{
	enum { RUNS = 24 };
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = 2 };
	struct enpu_pool *pool = NULL;
	struct enpu_model *cpu = NULL;
	struct enpu_run *run[RUNS];
	static int8_t in[RUNS][96 * 96];
	int8_t want[RUNS][2], got[2];
	long long before[MAXDEV];
	uint64_t seed = 11;
	int i, k, d, waited = 0;

	ASSERT_EQ(0, enpu_pool_load(self->dev, (size_t)self->n, PD, &opt, policy, &pool))
		TH_LOG("%s", enpu_last_error());
	ASSERT_EQ((size_t)self->n, enpu_pool_size(pool));
	ASSERT_EQ(0, enpu_model_load(NULL, PD, NULL, &cpu));
	for (i = 0; i < RUNS; i++) {
		for (k = 0; k < 96 * 96; k++)
			in[i][k] = (int8_t)(splitmix64(&seed) >> 56);
		ASSERT_EQ(0, enpu_model_run(cpu, (const void *const[]){ in[i] },
					    (void *const[]){ want[i] }, NULL));
	}
	for (d = 0; d < self->n; d++)
		before[d] = jobs_of(self->nodes[d]);
	/* keep every device's two slots busy: wait for the oldest when full */
	for (i = 0; i < RUNS; i++) {
		int ret = enpu_pool_submit(pool, (const void *const[]){ in[i] }, &run[i]);

		if (ret == -EBUSY) {
			ASSERT_EQ(0, enpu_run_wait(run[waited], 10000000000ll,
						   (void *const[]){ got }, NULL));
			EXPECT_EQ(0, memcmp(got, want[waited], sizeof(got))) TH_LOG("run %d", waited);
			enpu_run_release(run[waited]);
			waited++;
			ret = enpu_pool_submit(pool, (const void *const[]){ in[i] }, &run[i]);
		}
		ASSERT_EQ(0, ret) TH_LOG("run %d: %s", i, enpu_last_error());
	}
	for (; waited < RUNS; waited++) {
		ASSERT_EQ(0, enpu_run_wait(run[waited], 10000000000ll, (void *const[]){ got },
					   NULL));
		EXPECT_EQ(0, memcmp(got, want[waited], sizeof(got))) TH_LOG("run %d", waited);
		enpu_run_release(run[waited]);
	}
	/* every device took its share */
	for (d = 0; d < self->n; d++) {
		long long jobs = jobs_of(self->nodes[d]) - before[d];

		EXPECT_LE(RUNS / self->n / 2, jobs) TH_LOG("%s ran %lld of %d", self->nodes[d],
							   jobs, RUNS);
	}
	enpu_model_destroy(cpu);
	enpu_pool_destroy(pool);
}

TEST_F(multi, pool_least_loaded)
{
	stream(_metadata, self, ENPU_POOL_LEAST_LOADED);
}

TEST_F(multi, pool_round_robin)
{
	stream(_metadata, self, ENPU_POOL_ROUND_ROBIN);
}

/* One device hung and reset; the other serves meanwhile, and after, both do. */
TEST_F(multi, one_hung_the_other_serves)
{
	struct enpu_device_info info;
	struct enpu_model *m0 = NULL, *m1 = NULL, *cpu = NULL;
	struct enpu_run *hung = NULL;
	static int8_t in[96 * 96];
	int8_t want[2], got[2];
	char link[256], path[256];
	double t_hung, t_last = 0;
	ssize_t len;
	int i, fd, served = 0;

	ASSERT_EQ(0, enpu_query(self->dev[0], &info, sizeof(info)));
	if (!(info.hw_caps & ENPU_CAP_DEBUG) || geteuid())
		SKIP(return, "needs fault injection (QEMU's debug=on) and root");
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device", strrchr(self->nodes[0], '/') + 1);
	len = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, len);
	link[len] = 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/inject", strrchr(link, '/') + 1);
	for (i = 0; i < (int)sizeof(in); i++)
		in[i] = (int8_t)(i * 13);
	ASSERT_EQ(0, enpu_model_load(NULL, PD, NULL, &cpu));
	ASSERT_EQ(0, enpu_model_run(cpu, (const void *const[]){ in }, (void *const[]){ want },
				    NULL));
	ASSERT_EQ(0, enpu_model_load(self->dev[0], PD, NULL, &m0));
	ASSERT_EQ(0, enpu_model_load(self->dev[1], PD, NULL, &m1));
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("%s", path);
	ASSERT_EQ(4, write(fd, "hang", 4));
	close(fd);
	ASSERT_EQ(0, enpu_model_submit(m0, (const void *const[]){ in }, &hung));
	t_hung = now_ms();
	/* device 1 serves while device 0 hangs, until the driver resets it */
	while (enpu_run_wait(hung, 0, (void *const[]){ got }, NULL) == -ETIME &&
	       now_ms() - t_hung < 30000) {
		ASSERT_EQ(0, enpu_model_run(m1, (const void *const[]){ in },
					    (void *const[]){ got }, NULL));
		EXPECT_EQ(0, memcmp(got, want, sizeof(got)));
		served++;
		t_last = now_ms();
	}
	EXPECT_LT(3, served) TH_LOG("device 1 ran %d inferences while device 0 hung", served);
	EXPECT_LT(0, t_last - t_hung);
	/* the hung run ended with an error, not with outputs */
	EXPECT_NE(0, enpu_run_wait(hung, 30000000000ll, (void *const[]){ got }, NULL));
	enpu_run_release(hung);
	/* and device 0 serves again */
	EXPECT_EQ(0, enpu_model_run(m0, (const void *const[]){ in }, (void *const[]){ got }, NULL))
		TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(0, memcmp(got, want, sizeof(got)));
	enpu_model_destroy(m0);
	enpu_model_destroy(m1);
	enpu_model_destroy(cpu);
}

TEST_HARNESS_MAIN
