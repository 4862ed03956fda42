// SPDX-License-Identifier: MIT
/*
 * Whole models: every file of goldens/models (walked, not listed) names a
 * .tflite model in shared/models and holds an input and TFLite-Micro's
 * output. The model is read with enpu_model_load_tflite(), compiled and
 * run; the output must match byte for byte. Host: CPU backend. Built with
 * MODEL_GOLDEN_NPU=1 (the VM suite): on the NPU through the driver.
 * Missing models are explicit skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "golden.h"
#include "golden_placement.h"

#include <edgenpu/edgenpu.h>

#ifndef MODEL_GOLDEN_NPU
#define MODEL_GOLDEN_NPU 0
#endif

/* 0 pass, 1 skip, -1 fail. */
static int run(struct enpu_device *dev, const char *models, const char *path,
	       char *msg, size_t len)
{
	const struct golden_tensor *in, *out;
	struct enpu_graph *graph = NULL;
	struct enpu_model *m = NULL;
	struct golden_file g;
	char model_path[512];
	uint8_t *got = NULL;
	const void *ins[1];
	void *outs[1];
	size_t i, ndiff = 0, first = 0;
	FILE *f;
	int r = -1;

	if (golden_load(path, &g, msg, len))
		return -1;
	in = golden_find_tensor(&g, "in0");
	out = golden_find_tensor(&g, "out0");
	if (!g.model || !in || !out) {
		snprintf(msg, len, "not a whole-model case");
		goto done;
	}
	snprintf(model_path, sizeof(model_path), "%.300s/%.200s", models, g.model);
	f = fopen(model_path, "rb");
	if (!f) {
		snprintf(msg, len, "model %.400s not found (shared/models absent?)", model_path);
		r = 1;
		goto done;
	}
	fclose(f);
	if (enpu_model_load_tflite(model_path, &graph)) {
		snprintf(msg, len, "load: %s", enpu_last_error());
		goto done;
	}
	if (enpu_model_compile(dev, graph, NULL, &m)) {
		snprintf(msg, len, "compile: %s", enpu_last_error());
		goto done;
	}
	/* on the NPU, its operators ran there: no silent CPU fallback */
	if (dev && golden_placement_check(m, NULL, msg, len))
		goto done;
	got = malloc(out->bytes + 1);
	if (!got)
		goto done;
	memset(got, 0xa5, out->bytes);
	ins[0] = in->data;
	outs[0] = got;
	if (enpu_model_run(m, ins, outs, NULL)) {
		snprintf(msg, len, "run: %s", enpu_last_error());
		goto done;
	}
	for (i = 0; i < out->bytes; i++)
		if (got[i] != out->data[i] && !ndiff++)
			first = i;
	if (ndiff)
		snprintf(msg, len, "%zu of %zu bytes differ, first at %zu: expected %d got %d",
			 ndiff, out->bytes, first, (int8_t)out->data[first], (int8_t)got[first]);
	else
		r = 0;
done:
	free(got);
	enpu_model_destroy(m);
	enpu_graph_destroy(graph);
	golden_free(&g);
	return r;
}

int main(void)
{
	const char *root = getenv("EDGENPU_GOLDENS"), *models = getenv("EDGENPU_MODELS");
	struct enpu_device *dev = NULL;
	char dir[4096], msg[1024];
	size_t n, i;
	char **paths;

	if (!root || !*root)
		root = MODEL_GOLDEN_NPU ? "/usr/share/edgenpu/goldens" : "../shared/goldens";
	if (!models || !*models)
		models = MODEL_GOLDEN_NPU ? "/usr/share/edgenpu/models" : "../shared/models";
	snprintf(dir, sizeof(dir), "%s/models", root);
	ksft_print_header();
	paths = golden_list(dir, &n);
	if (!n) {
		ksft_set_plan(1);
		ksft_test_result_skip("no whole-model goldens under %s (set EDGENPU_GOLDENS)\n", dir);
		ksft_finished();
	}
	if (MODEL_GOLDEN_NPU && enpu_open(&dev, NULL))
		ksft_exit_fail_msg("cannot open the NPU: %s\n", enpu_last_error());
	ksft_set_plan((unsigned int)n);
	for (i = 0; i < n; i++) {
		const char *rel = paths[i] + strlen(dir) + 1;
		int r = run(dev, models, paths[i], msg, sizeof(msg));

		if (!r)
			ksft_test_result_pass("%s:%s\n", dev ? "npu" : "cpu", rel);
		else if (r > 0)
			ksft_test_result_skip("%s: %s\n", rel, msg);
		else {
			ksft_print_msg("%s: %s\n", rel, msg);
			ksft_test_result_fail("%s:%s\n", dev ? "npu" : "cpu", rel);
		}
	}
	golden_list_free(paths, n);
	enpu_close(dev);
	ksft_finished();
}
