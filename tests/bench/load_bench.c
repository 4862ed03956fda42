// SPDX-License-Identifier: MIT
/*
 * Start-up cost of a model on the NPU, for every shared model, in guest
 * wall time (a TCG guest: the figures are relative, not a board's):
 *   cold load    enpu_model_load() of the .tflite with an empty compile
 *                cache: read, compile, write the cache entry
 *   warm load    the same with the entry there: read and check it
 *   first (cold/warm)  the first inference after each load: the slot's
 *                arena, streams and syncobj are set up on first use
 *   steady       median of the inferences after it
 *   after idle   median of inferences each IDLE_MS after the last, as an
 *                application that runs a model now and then: the device
 *                has runtime-suspended (its autosuspend is 50 ms) and
 *                resumes for each
 * and the warm first inference and the one after idle against steady
 * state (the goal: within 1.5x). Warm figures are medians of several loads; a TCG guest's single
 * timings vary by tens of percent. Runs in the guest (make bench) with its own cache directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "bench_clock.h"

#define MODELS	"/usr/share/edgenpu/models"
#define RUNS	15
#define LOADS	5	/* warm loads, each with its first inference */
#define IDLE_MS	100	/* twice the driver's autosuspend delay */
#define IDLES	5	/* inferences after idle */

/* Milliseconds of one inference on zero inputs, or a negative value. */
static double infer(struct enpu_model *m)
{
	size_t ni = enpu_model_num_inputs(m), no = enpu_model_num_outputs(m), i;
	struct enpu_tensor_info info;
	void *in[8] = { 0 }, *out[8] = { 0 };
	double t = -1;

	if (ni > 8 || no > 8)
		return -1;
	for (i = 0; i < ni; i++)
		if (!enpu_model_input_info(m, i, &info))
			in[i] = calloc(1, info.bytes);
	for (i = 0; i < no; i++)
		if (!enpu_model_output_info(m, i, &info))
			out[i] = malloc(info.bytes);
	t = bench_now_ms();
	if (enpu_model_run(m, (const void *const *)in, out, NULL))
		t = -1;
	else
		t = bench_now_ms() - t;
	for (i = 0; i < 8; i++) {
		free(in[i]);
		free(out[i]);
	}
	return t;
}

static int one(struct enpu_device *dev, const char *path, const char *name)
{
	double cold, warm, first_cold, first_warm, steady[RUNS], warm_l[LOADS], warm_f[LOADS], t;
	double idle[IDLES];
	struct enpu_model *m = NULL;
	int i;

	t = bench_now_ms();
	if (enpu_model_load(dev, path, NULL, &m) || enpu_model_origin(m) != ENPU_ORIGIN_COMPILED)
		goto fail;
	cold = bench_now_ms() - t;
	first_cold = infer(m);
	for (i = 0; i < RUNS; i++)
		steady[i] = infer(m);
	for (i = 0; i < IDLES; i++) {
		usleep(IDLE_MS * 1000);
		idle[i] = infer(m);
		if (idle[i] < 0)
			goto fail;
	}
	enpu_model_destroy(m);
	m = NULL;
	for (i = 0; i < LOADS; i++) {
		t = bench_now_ms();
		if (enpu_model_load(dev, path, NULL, &m) ||
		    enpu_model_origin(m) != ENPU_ORIGIN_CACHE)
			goto fail;
		warm_l[i] = bench_now_ms() - t;
		warm_f[i] = infer(m);
		enpu_model_destroy(m);
		m = NULL;
		if (warm_f[i] < 0)
			goto fail;
	}
	qsort(warm_l, LOADS, sizeof(double), bench_cmp_double);
	qsort(warm_f, LOADS, sizeof(double), bench_cmp_double);
	warm = warm_l[LOADS / 2];
	first_warm = warm_f[LOADS / 2];
	qsort(steady, RUNS, sizeof(double), bench_cmp_double);
	qsort(idle, IDLES, sizeof(double), bench_cmp_double);
	if (first_cold < 0 || first_warm < 0 || steady[0] < 0)
		goto fail;
	printf("%-30s %9.2f %9.2f %10.3f %10.3f %9.3f %6.2fx %10.3f %6.2fx\n", name, cold, warm,
	       first_cold, first_warm, steady[RUNS / 2], first_warm / steady[RUNS / 2],
	       idle[IDLES / 2], idle[IDLES / 2] / steady[RUNS / 2]);
	return 0;
fail:
	printf("%-30s failed: %s\n", name, enpu_last_error());
	enpu_model_destroy(m);
	return -1;
}

int main(void)
{
	char dir[] = "/tmp/enpu-bench-cache-XXXXXX", cmd[128];
	struct enpu_device *dev = NULL;
	struct dirent **ents;
	int n, i, rc = 0;

	if (enpu_open(&dev, NULL)) {
		fprintf(stderr, "load_bench: %s\n", enpu_last_error());
		return 1;
	}
	if (!mkdtemp(dir)) {
		perror("load_bench: mkdtemp");
		return 1;
	}
	setenv("EDGENPU_CACHE_DIR", dir, 1);
	printf("model start-up on the NPU, guest wall time in ms (cache in %s)\n", dir);
	printf("%-30s %9s %9s %10s %10s %9s %7s %10s %7s\n", "model", "cold load", "warm load",
	       "1st (cold)", "1st (warm)", "steady", "1st/st", "after idle", "idle/st");
	n = scandir(MODELS, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		char path[512];

		if (len > 7 && !strcmp(ents[i]->d_name + len - 7, ".tflite")) {
			snprintf(path, sizeof(path), "%s/%s", MODELS, ents[i]->d_name);
			rc |= one(dev, path, ents[i]->d_name);
		}
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "load_bench: could not remove %s\n", dir);
	enpu_close(dev);
	return rc ? 1 : 0;
}
