// SPDX-License-Identifier: MIT
/*
 * Throughput of a stream of person_detect inferences over 1, 2 and 4
 * EdgeNPUs, as many as the guest has (make bench boots it with four), two
 * ways: spread (an enpu_pool, least loaded, two runs in flight per
 * device) and pipelined (enpu_pipeline_load(): the model cut into one
 * stage per device, two runs in flight per stage). Two figures for each:
 *   guest wall time  inferences per second the guest saw (a TCG guest on
 *                    a 2-core host: the devices' models share its cores)
 *   modelled time    the device time the timing model gives: the busiest
 *                    device's cycles over the stream (each device file's
 *                    fdinfo drm-cycles-npu), at the device's clock (the
 *                    devices run in parallel)
 * and the speed-up of each over one NPU (the goal: 1.8x on two).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <edgenpu/edgenpu.h>

#include "bench_clock.h"

#define PD	"/usr/share/edgenpu/models/person_detect.tflite"
#define RUNS	96

/* drm-cycles-npu of @dev's file: the modelled cycles of its jobs so far. */
static long long cycles_of(struct enpu_device *dev)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", enpu_device_fd(dev));
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "drm-cycles-npu: %lld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static int submit(struct enpu_pool *pool, struct enpu_model *pipe, struct enpu_run **run)
{
	static int8_t in[96 * 96];

	return pool ? enpu_pool_submit(pool, (const void *const[]){ in }, run) :
		      enpu_model_submit(pipe, (const void *const[]){ in }, run);
}

/*
 * One stream over the first @n devices, pooled or (@pipelined) through one
 * pipelined model: wall ms and modelled ms.
 */
static int stream(struct enpu_device **dev, int n, int pipelined, double *wall,
		  double *modelled)
{
	/* two runs per device in flight: on each, or in each stage */
	struct enpu_compile_options opt = {
		.size = sizeof(opt), .max_inflight = pipelined ? 2 * (unsigned int)n : 2,
	};
	struct enpu_pool *pool = NULL;
	struct enpu_model *pipe = NULL;
	struct enpu_run *run[RUNS];
	struct enpu_device_info info;
	int8_t out[2];
	long long before[16], most = 0;
	double t0;
	int i, waited = 0, d;

	if (pipelined ? enpu_pipeline_load(dev, (size_t)n, PD, &opt, &pipe) :
			enpu_pool_load(dev, (size_t)n, PD, &opt, ENPU_POOL_LEAST_LOADED, &pool))
		goto fail;
	/* a first round: every slot set up */
	for (i = 0; i < (pipelined ? 1 : n) * (int)opt.max_inflight; i++)
		if (submit(pool, pipe, &run[i]))
			goto fail;
	while (i--) {
		if (enpu_run_wait(run[i], -1, (void *const[]){ out }, NULL))
			goto fail;
		enpu_run_release(run[i]);
	}
	for (d = 0; d < n; d++)
		before[d] = cycles_of(dev[d]);
	t0 = bench_now_ms();
	for (i = 0; i < RUNS; i++) {
		int ret = submit(pool, pipe, &run[i]);

		if (ret == -EBUSY) {
			if (enpu_run_wait(run[waited], -1, (void *const[]){ out }, NULL))
				goto fail;
			enpu_run_release(run[waited++]);
			ret = submit(pool, pipe, &run[i]);
		}
		if (ret)
			goto fail;
	}
	for (; waited < RUNS; waited++) {
		if (enpu_run_wait(run[waited], -1, (void *const[]){ out }, NULL))
			goto fail;
		enpu_run_release(run[waited]);
	}
	*wall = bench_now_ms() - t0;
	for (d = 0; d < n; d++) {
		long long c = cycles_of(dev[d]) - before[d];

		if (c > most)
			most = c;
	}
	enpu_query(dev[0], &info, sizeof(info));
	*modelled = (double)most / (info.clock_mhz * 1000.0);
	enpu_pool_destroy(pool);
	enpu_model_destroy(pipe);
	return 0;
fail:
	fprintf(stderr, "multi_bench: %s\n", enpu_last_error());
	enpu_pool_destroy(pool);
	enpu_model_destroy(pipe);
	return -1;
}

int main(void)
{
	static char nodes[16][64];
	struct enpu_device *dev[16];
	double wall1 = 0, mod1 = 0;
	int n = enpu_list(nodes, 16), i, k, p, rc = 0;

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
	for (p = 0; p < 2 && !rc; p++) {
		printf("%sperson_detect, a stream of %d inferences over N NPUs (%s)\n",
		       p ? "\n" : "", RUNS, p ? "one model pipelined: a stage per NPU" :
		       "pool, least loaded");
		printf("%4s %16s %9s %18s %9s\n", "NPUs", "guest wall inf/s", "speed-up",
		       "modelled inf/s", "speed-up");
		for (k = 1; k <= n && k <= 4; k *= 2) {
			double wall, mod;

			if (stream(dev, k, p, &wall, &mod)) {
				rc = 1;
				break;
			}
			if (k == 1) {
				wall1 = wall;
				mod1 = mod;
			}
			printf("%4d %16.1f %8.2fx %18.1f %8.2fx\n", k, RUNS * 1e3 / wall,
			       wall1 / wall, RUNS * 1e3 / mod, mod1 / mod);
		}
	}
	for (i = 0; i < n; i++)
		enpu_close(dev[i]);
	return rc;
}
