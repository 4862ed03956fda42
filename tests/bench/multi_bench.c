// SPDX-License-Identifier: MIT
/*
 * Throughput of a stream of person_detect inferences spread over 1, 2 and
 * 4 EdgeNPUs (an enpu_pool, least loaded, two runs in flight per device),
 * as many as the guest has (make bench boots it with four). Two figures
 * for each:
 *   guest wall time  inferences per second the guest saw (a TCG guest on
 *                    a 2-core host: the devices' models share its cores)
 *   modelled time    the device time the timing model gives: the busiest
 *                    device's jobs times the cycles of one inference, at
 *                    the device's clock (the devices run in parallel)
 * and the speed-up of each over one NPU (the goal: 1.8x on two).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <edgenpu/edgenpu.h>

#define PD	"/usr/share/edgenpu/models/person_detect.tflite"
#define RUNS	96

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

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

/* One stream over the first @n devices: wall ms and modelled ms. */
static int stream(struct enpu_device **dev, char (*nodes)[64], int n, double *wall,
		  double *modelled)
{
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = 2 };
	struct enpu_profile prof = { .size = sizeof(prof) };
	struct enpu_pool *pool = NULL;
	struct enpu_run *run[RUNS];
	struct enpu_device_info info;
	static int8_t in[96 * 96];
	int8_t out[2];
	long long before[16], most = 0;
	uint64_t cycles = 0;
	double t0;
	int i, waited = 0, d;

	if (enpu_pool_load(dev, (size_t)n, PD, &opt, ENPU_POOL_LEAST_LOADED, &pool))
		return -1;
	/* one inference first: its cycles, and the slots set up */
	if (enpu_model_run(enpu_pool_model(pool, 0), (const void *const[]){ in },
			   (void *const[]){ out }, &prof))
		goto fail;
	cycles = prof.device_cycles;
	for (d = 0; d < n; d++)
		before[d] = jobs_of(nodes[d]);
	t0 = now_ms();
	for (i = 0; i < RUNS; i++) {
		int ret = enpu_pool_submit(pool, (const void *const[]){ in }, &run[i]);

		if (ret == -EBUSY) {
			if (enpu_run_wait(run[waited], -1, (void *const[]){ out }, NULL))
				goto fail;
			enpu_run_release(run[waited++]);
			ret = enpu_pool_submit(pool, (const void *const[]){ in }, &run[i]);
		}
		if (ret)
			goto fail;
	}
	for (; waited < RUNS; waited++) {
		if (enpu_run_wait(run[waited], -1, (void *const[]){ out }, NULL))
			goto fail;
		enpu_run_release(run[waited]);
	}
	*wall = now_ms() - t0;
	for (d = 0; d < n; d++) {
		long long j = jobs_of(nodes[d]) - before[d];

		if (j > most)
			most = j;
	}
	enpu_query(dev[0], &info, sizeof(info));
	*modelled = (double)most * (double)cycles / (info.clock_mhz * 1000.0);
	enpu_pool_destroy(pool);
	return 0;
fail:
	fprintf(stderr, "multi_bench: %s\n", enpu_last_error());
	enpu_pool_destroy(pool);
	return -1;
}

int main(void)
{
	static char nodes[16][64];
	struct enpu_device *dev[16];
	double wall1 = 0, mod1 = 0;
	int n = enpu_list(nodes, 16), i, k, rc = 0;

	if (n < 1) {
		fprintf(stderr, "multi_bench: no EdgeNPU: %s\n", n ? enpu_last_error() : "none");
		return 1;
	}
	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++)
		if (enpu_open(&dev[i], nodes[i])) {
			fprintf(stderr, "multi_bench: %s\n", enpu_last_error());
			return 1;
		}
	printf("person_detect, a stream of %d inferences over N NPUs (pool, least loaded)\n", RUNS);
	printf("%4s %16s %9s %18s %9s\n", "NPUs", "guest wall inf/s", "speed-up",
	       "modelled inf/s", "speed-up");
	for (k = 1; k <= n && k <= 4; k *= 2) {
		double wall, mod;

		if (stream(dev, nodes, k, &wall, &mod)) {
			rc = 1;
			break;
		}
		if (k == 1) {
			wall1 = wall;
			mod1 = mod;
		}
		printf("%4d %16.1f %8.2fx %18.1f %8.2fx\n", k, RUNS * 1e3 / wall, wall1 / wall,
		       RUNS * 1e3 / mod, mod1 / mod);
	}
	for (i = 0; i < n; i++)
		enpu_close(dev[i]);
	return rc;
}
