// SPDX-License-Identifier: MIT
/*
 * Several EdgeNPUs in one guest (scripts/vm/edgenpu-vm --npus N): the
 * library lists and opens each; every shared model gives the CPU backend's
 * bits on every device; a pool (one model compiled once, loaded on all)
 * spreads a stream of inferences over them, least loaded or in turn,
 * every result bit-exact and every device used; one device hung (fault
 * injection) and reset while another keeps serving. One model pipelined
 * over the devices (enpu_pipeline_load()): every shared model bit-exact,
 * its stages on more than one device, a stream of inferences in flight
 * through the stages, a hung stage's run failing with the reason and the
 * pipeline serving again after the reset. Skips with fewer than two
 * EdgeNPUs.
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
	const char *name = strrchr(node, '/');
	char path[128];
	long long v = -1;
	FILE *f;

	if (!name)
		return -1;
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/npu_jobs", name + 1);
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

/* The shared models (.tflite files under MODELS), sorted, into @paths; their count. */
static int shared_models(char (*paths)[512], int max)
{
	struct dirent **ents;
	int n, i, count = 0;

	n = scandir(MODELS, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);

		if (len >= 8 && !strcmp(ents[i]->d_name + len - 7, ".tflite") && count < max)
			snprintf(paths[count++], 512, "%s/%s", MODELS, ents[i]->d_name);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return count;
}

#define MAX_MODELS	64
#define MAX_OUT		65536

typedef void (*model_check)(struct __test_metadata *_metadata, FIXTURE_DATA(multi) *self,
			    const char *path, const uint8_t *want);

/* @check on every shared model, with the CPU backend's outputs for seed 5. */
static void for_each_model(struct __test_metadata *_metadata, FIXTURE_DATA(multi) *self,
			   model_check check)
{
	static char paths[MAX_MODELS][512];
	static uint8_t want[MAX_OUT];
	int n = shared_models(paths, MAX_MODELS), i;

	if (!n)
		SKIP(return, "no models in %s", MODELS);
	for (i = 0; i < n; i++) {
		struct enpu_model *cpu = NULL;

		ASSERT_EQ(0, enpu_model_load(NULL, paths[i], NULL, &cpu));
		ASSERT_EQ(0, run_seeded(cpu, 5, want, sizeof(want)));
		enpu_model_destroy(cpu);
		check(_metadata, self, paths[i], want);
	}
}

/* @m's output for seed 5 is @want. */
static void same_output(struct __test_metadata *_metadata, struct enpu_model *m,
			const char *path, const char *where, const uint8_t *want)
{
	static uint8_t got[MAX_OUT];
	struct enpu_tensor_info oi;

	ASSERT_EQ(0, run_seeded(m, 5, got, sizeof(got)))
		TH_LOG("%s %s: %s", path, where, enpu_last_error());
	enpu_model_output_info(m, 0, &oi);
	EXPECT_EQ(0, memcmp(want, got, oi.bytes)) TH_LOG("%s differs %s", path, where);
}

static void on_each_device(struct __test_metadata *_metadata, FIXTURE_DATA(multi) *self,
			   const char *path, const uint8_t *want)
{
	int d;

	for (d = 0; d < self->n; d++) {
		struct enpu_model *m = NULL;
		char where[96];

		snprintf(where, sizeof(where), "on %s", self->nodes[d]);
		ASSERT_EQ(0, enpu_model_load(self->dev[d], path, NULL, &m))
			TH_LOG("%s %s: %s", path, where, enpu_last_error());
		same_output(_metadata, m, path, where, want);
		enpu_model_destroy(m);
	}
}

TEST_F(multi, every_model_bit_exact_on_every_device)
{
	for_each_model(_metadata, self, on_each_device);
}

enum { RUNS = 24 };

struct stream_data {
	int8_t in[RUNS][96 * 96];
	int8_t want[RUNS][2];
};

/* Seeded person_detect inputs and the CPU backend's outputs for them. */
static int stream_inputs(struct stream_data *sd, uint64_t seed)
{
	struct enpu_model *cpu = NULL;
	int i, k, ret;

	ret = enpu_model_load(NULL, PD, NULL, &cpu);
	for (i = 0; !ret && i < RUNS; i++) {
		for (k = 0; k < 96 * 96; k++)
			sd->in[i][k] = (int8_t)(splitmix64(&seed) >> 56);
		ret = enpu_model_run(cpu, (const void *const[]){ sd->in[i] },
				     (void *const[]){ sd->want[i] }, NULL);
	}
	enpu_model_destroy(cpu);
	return ret;
}

/*
 * The stream through a pool (@pool) or one model (@m), kept full: on
 * -EBUSY the oldest run is waited for. Every output checked.
 */
static void stream_run(struct __test_metadata *_metadata, const struct stream_data *sd,
		       struct enpu_pool *pool, struct enpu_model *m)
{
	struct enpu_run *run[RUNS];
	int8_t got[2];
	int i, waited = 0;

#define SUBMIT(i) (pool ? enpu_pool_submit(pool, (const void *const[]){ sd->in[i] }, &run[i]) : \
		   enpu_model_submit(m, (const void *const[]){ sd->in[i] }, &run[i]))
	for (i = 0; i < RUNS; i++) {
		int ret = SUBMIT(i);

		if (ret == -EBUSY) {
			ASSERT_EQ(0, enpu_run_wait(run[waited], 10000000000ll,
						   (void *const[]){ got }, NULL))
				TH_LOG("run %d: %s", waited, enpu_last_error());
			EXPECT_EQ(0, memcmp(got, sd->want[waited], sizeof(got)))
				TH_LOG("run %d", waited);
			enpu_run_release(run[waited]);
			waited++;
			ret = SUBMIT(i);
		}
		ASSERT_EQ(0, ret) TH_LOG("run %d: %s", i, enpu_last_error());
	}
#undef SUBMIT
	for (; waited < RUNS; waited++) {
		ASSERT_EQ(0, enpu_run_wait(run[waited], 10000000000ll, (void *const[]){ got },
					   NULL)) TH_LOG("run %d: %s", waited, enpu_last_error());
		EXPECT_EQ(0, memcmp(got, sd->want[waited], sizeof(got))) TH_LOG("run %d", waited);
		enpu_run_release(run[waited]);
	}
}

/* A stream of inferences through a pool of every device, two in flight each. */
static void stream(struct __test_metadata *_metadata, FIXTURE_DATA(multi) *self,
		   enum enpu_pool_policy policy)
{
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = 2 };
	static struct stream_data sd;
	struct enpu_pool *pool = NULL;
	long long before[MAXDEV];
	int d;

	ASSERT_EQ(0, enpu_pool_load(self->dev, (size_t)self->n, PD, &opt, policy, &pool))
		TH_LOG("%s", enpu_last_error());
	ASSERT_EQ((size_t)self->n, enpu_pool_size(pool));
	ASSERT_EQ(0, stream_inputs(&sd, 11)) TH_LOG("%s", enpu_last_error());
	for (d = 0; d < self->n; d++)
		before[d] = jobs_of(self->nodes[d]);
	stream_run(_metadata, &sd, pool, NULL);
	/* every device took its share */
	for (d = 0; d < self->n; d++) {
		long long jobs = jobs_of(self->nodes[d]) - before[d];

		EXPECT_LE(RUNS / self->n / 2, jobs) TH_LOG("%s ran %lld of %d", self->nodes[d],
							   jobs, RUNS);
	}
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

/*
 * Makes the next job of the device behind @node hang (debugfs fault
 * injection): 0, 1 when the device has no fault injection or we are not
 * root, -1 on error.
 */
static int inject_hang(struct enpu_device *dev, const char *node)
{
	struct enpu_device_info info;
	char link[256], path[256];
	ssize_t len;
	int fd, ok;

	if (enpu_query(dev, &info, sizeof(info)))
		return -1;
	if (!(info.hw_caps & ENPU_CAP_DEBUG) || geteuid())
		return 1;
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device", strrchr(node, '/') + 1);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return -1;
	link[len] = 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/inject", strrchr(link, '/') + 1);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, "hang", 4) == 4;
	close(fd);
	return ok ? 0 : -1;
}

/* One device hung and reset; the other serves meanwhile, and after, both do. */
TEST_F(multi, one_hung_the_other_serves)
{
	struct enpu_model *m0 = NULL, *m1 = NULL, *cpu = NULL;
	struct enpu_run *hung = NULL;
	static int8_t in[96 * 96];
	int8_t want[2], got[2];
	double t_hung, t_last = 0;
	int i, ret, served = 0;

	for (i = 0; i < (int)sizeof(in); i++)
		in[i] = (int8_t)(i * 13);
	ASSERT_EQ(0, enpu_model_load(NULL, PD, NULL, &cpu));
	ASSERT_EQ(0, enpu_model_run(cpu, (const void *const[]){ in }, (void *const[]){ want },
				    NULL));
	ASSERT_EQ(0, enpu_model_load(self->dev[0], PD, NULL, &m0));
	ASSERT_EQ(0, enpu_model_load(self->dev[1], PD, NULL, &m1));
	ret = inject_hang(self->dev[0], self->nodes[0]);
	if (ret > 0) {
		enpu_model_destroy(m0);
		enpu_model_destroy(m1);
		enpu_model_destroy(cpu);
		SKIP(return, "needs fault injection (QEMU's debug=on) and root");
	}
	ASSERT_EQ(0, ret);
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

/* NPU layers of pipelined @m per device, into @per (MAXDEV); the NPU layer count. */
static int stages_of(struct enpu_model *m, int *per)
{
	size_t l;
	int n = 0, d;

	memset(per, 0, MAXDEV * sizeof(*per));
	for (l = 0; l < enpu_model_num_layers(m); l++) {
		d = enpu_model_layer_device(m, l);
		if (d >= 0 && d < MAXDEV) {
			per[d]++;
			n++;
		}
	}
	return n;
}

static void pipelined(struct __test_metadata *_metadata, FIXTURE_DATA(multi) *self,
		      const char *path, const uint8_t *want)
{
	struct enpu_model *m = NULL;
	long long before[MAXDEV];
	int per[MAXDEV], layers, used = 0, d;
	void *data = NULL;
	size_t size = 0;

	ASSERT_EQ(0, enpu_pipeline_load(self->dev, (size_t)self->n, path, NULL, &m))
		TH_LOG("%s: %s", path, enpu_last_error());
	layers = stages_of(m, per);
	for (d = 0; d < self->n; d++) {
		used += per[d] > 0;
		before[d] = jobs_of(self->nodes[d]);
	}
	if (layers >= 2)
		EXPECT_LE(2, used) TH_LOG("%s: %d NPU layers on %d device(s)", path, layers,
					  used);
	same_output(_metadata, m, path, "pipelined", want);
	/* each stage ran on its own device */
	for (d = 0; d < self->n; d++)
		if (per[d])
			EXPECT_LE(1, jobs_of(self->nodes[d]) - before[d])
				TH_LOG("%s: %s ran no job", path, self->nodes[d]);
	/* a pipelined model is not saved: its source is */
	EXPECT_EQ(-EINVAL, enpu_model_save_mem(m, &data, &size));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "save the model it was loaded"));
	free(data);
	enpu_model_destroy(m);
}

TEST_F(multi, pipeline_every_model_bit_exact)
{
	for_each_model(_metadata, self, pipelined);
}

/* Inferences in flight through the stages, each bit-exact, every stage's device busy. */
TEST_F(multi, pipeline_stream)
{
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = 4 };
	static struct stream_data sd;
	struct enpu_model *m = NULL;
	long long before[MAXDEV];
	int per[MAXDEV], d;

	ASSERT_EQ(0, enpu_pipeline_load(self->dev, (size_t)self->n, PD, &opt, &m))
		TH_LOG("%s", enpu_last_error());
	stages_of(m, per);
	ASSERT_EQ(0, stream_inputs(&sd, 17)) TH_LOG("%s", enpu_last_error());
	for (d = 0; d < self->n; d++)
		before[d] = jobs_of(self->nodes[d]);
	stream_run(_metadata, &sd, NULL, m);
	/* every stage ran every inference, on its device */
	for (d = 0; d < self->n; d++)
		if (per[d])
			EXPECT_LE(RUNS, jobs_of(self->nodes[d]) - before[d])
				TH_LOG("%s ran %lld jobs for %d inferences", self->nodes[d],
				       jobs_of(self->nodes[d]) - before[d], RUNS);
	enpu_model_destroy(m);
}

/* A stage's device hung: the run fails saying so; after the reset the pipeline serves. */
TEST_F(multi, pipeline_stage_hung_then_serves)
{
	struct enpu_model *m = NULL, *cpu = NULL;
	struct enpu_run *hung = NULL;
	static int8_t in[96 * 96];
	int8_t want[2], got[2];
	int i, ret, last = self->n - 1;

	for (i = 0; i < (int)sizeof(in); i++)
		in[i] = (int8_t)(i * 29);
	ASSERT_EQ(0, enpu_model_load(NULL, PD, NULL, &cpu));
	ASSERT_EQ(0, enpu_model_run(cpu, (const void *const[]){ in }, (void *const[]){ want },
				    NULL));
	ASSERT_EQ(0, enpu_pipeline_load(self->dev, (size_t)self->n, PD, NULL, &m))
		TH_LOG("%s", enpu_last_error());
	ret = inject_hang(self->dev[last], self->nodes[last]);
	if (ret > 0) {
		enpu_model_destroy(m);
		enpu_model_destroy(cpu);
		SKIP(return, "needs fault injection (QEMU's debug=on) and root");
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, enpu_model_submit(m, (const void *const[]){ in }, &hung));
	EXPECT_EQ(-EIO, enpu_run_wait(hung, 60000000000ll, (void *const[]){ got }, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "a hang (the device was reset)"))
		TH_LOG("%s", enpu_last_error());
	enpu_run_release(hung);
	for (i = 0; i < 3; i++) {
		memset(got, 0, sizeof(got));
		EXPECT_EQ(0, enpu_model_run(m, (const void *const[]){ in },
					    (void *const[]){ got }, NULL))
			TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(0, memcmp(got, want, sizeof(got)));
	}
	enpu_model_destroy(m);
	enpu_model_destroy(cpu);
}

/* edgenpu-run --pipeline: a stage per device, the reference output matched. */
TEST_F(multi, edgenpu_run_pipelined)
{
	static char out[16384], cmd[512];
	int d;

	snprintf(cmd, sizeof(cmd), "edgenpu-run --pipeline %d %s -i "
		 "/usr/share/edgenpu/goldens/models/person_detect/input_1.golden 2>&1", self->n, PD);
	ASSERT_EQ(0, tool_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "reference  matches TFLite-Micro's output")) TH_LOG("%s", out);
	for (d = 0; d < self->n; d++) {
		char want[96];

		snprintf(want, sizeof(want), "stage %-4d %s: ", d + 1, self->nodes[d]);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no '%s' in:\n%s", want, out);
	}
	snprintf(cmd, sizeof(cmd), "edgenpu-run --pipeline %d %s 2>&1", self->n + 1, PD);
	EXPECT_EQ(1, tool_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "EdgeNPU(s) (edgenpu-info --list)")) TH_LOG("%s", out);
}

TEST_F(multi, pipeline_bad_arguments)
{
	struct enpu_model *m = (struct enpu_model *)1;

	EXPECT_EQ(-EINVAL, enpu_pipeline_load(self->dev, 0, PD, NULL, &m));
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(-EINVAL, enpu_pipeline_load(self->dev, MAXDEV + 1, PD, NULL, &m));
	EXPECT_EQ(-EINVAL, enpu_pipeline_load(NULL, 2, PD, NULL, &m));
	EXPECT_EQ(-ENOENT, enpu_pipeline_load(self->dev, (size_t)self->n,
					      MODELS "/no_such_model.tflite", NULL, &m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "no_such_model"));
	EXPECT_EQ(-1, enpu_model_layer_device(NULL, 0));
}

TEST_HARNESS_MAIN
