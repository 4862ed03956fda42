// SPDX-License-Identifier: MIT
/*
 * Every per-op golden case through libedgenpu's public API: built as a
 * graph, compiled, run, and compared byte for byte. On the host the
 * backend is the CPU; with --npu (or built with GRAPH_GOLDEN_NPU=1, as
 * the VM suite's graph_golden_npu_test) the same cases run on the EdgeNPU
 * through the driver, and on the CPU backend again.
 * The goldens folder is walked, never listed; $EDGENPU_GOLDENS overrides
 * ../shared/goldens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest.h"
#include "golden_graph.h"
#include "golden_placement.h"

/* 0 pass, 1 skip, -1 fail; msg says why. */
static int run_case(struct enpu_device *dev, const char *path, char *msg, size_t len)
{
	struct golden_graph gg;
	struct golden_file g;
	struct enpu_model *m = NULL;
	const void *in[ENPU_MAX_LAYER_INPUTS];
	void *outp[1];
	uint8_t *got = NULL;
	size_t i, first = 0, ndiff = 0;
	int r;

	if (golden_load(path, &g, msg, len))
		return -1;
	r = golden_graph_build(&g, &gg, msg, len);
	if (r) {
		golden_free(&g);
		return r > 0 ? 1 : -1;
	}
	r = enpu_model_compile(dev, gg.graph, NULL, &m);
	if (r) {
		snprintf(msg, len, "compile: %s", enpu_last_error());
		r = -1;
		goto out;
	}
	/* on the NPU, its operators ran there: no silent CPU fallback */
	if (dev && golden_placement_check(m, NULL, msg, len)) {
		r = -1;
		goto out;
	}
	got = malloc(gg.output->bytes + 1);
	if (!got) {
		r = -1;
		goto out;
	}
	memset(got, 0xa5, gg.output->bytes);
	for (i = 0; i < gg.num_inputs; i++)
		in[i] = gg.inputs[i]->data;
	outp[0] = got;
	r = enpu_model_run(m, in, outp, NULL);
	if (r) {
		snprintf(msg, len, "run: %s", enpu_last_error());
		r = -1;
		goto out;
	}
	for (i = 0; i < gg.output->bytes; i++)
		if (got[i] != gg.output->data[i] && !ndiff++)
			first = i;
	if (ndiff) {
		snprintf(msg, len, "%zu of %zu bytes differ, first at %zu: expected %d got %d",
			 ndiff, gg.output->bytes, first, (int8_t)gg.output->data[first],
			 (int8_t)got[first]);
		r = -1;
	}
out:
	free(got);
	enpu_model_destroy(m);
	golden_graph_free(&gg);
	golden_free(&g);
	return r;
}

int main(int argc, char **argv)
{
	const char *root = getenv("EDGENPU_GOLDENS");
	struct enpu_device *dev = NULL;
	char ops[4096], msg[1024];
	size_t n = 0, i, b, nb = 1;
	char **paths;
#ifndef GRAPH_GOLDEN_NPU
#define GRAPH_GOLDEN_NPU 0
#endif
	int npu = GRAPH_GOLDEN_NPU || (argc > 1 && !strcmp(argv[1], "--npu"));

	if (!root || !*root)
		root = npu ? "/usr/share/edgenpu/goldens" : "../shared/goldens";
	snprintf(ops, sizeof(ops), "%s/ops", root);
	ksft_print_header();
	paths = golden_list(ops, &n);
	if (!n) {
		ksft_set_plan(1);
		ksft_test_result_skip("goldens: no *.golden files under %s (set EDGENPU_GOLDENS)\n", ops);
		ksft_finished();
	}
	if (npu) {
		if (enpu_open(&dev, NULL))
			ksft_exit_fail_msg("cannot open the NPU: %s\n", enpu_last_error());
		nb = 2;
	}
	ksft_set_plan((unsigned int)(n * nb));
	for (b = 0; b < nb; b++) {
		struct enpu_device *d = b == 0 && npu ? dev : NULL;
		const char *name = d ? "npu" : "cpu";

		for (i = 0; i < n; i++) {
			const char *rel = paths[i] + strlen(ops) + 1;
			int r = run_case(d, paths[i], msg, sizeof(msg));

			if (!r) {
				ksft_test_result_pass("%s:%s\n", name, rel);
			} else if (r > 0) {
				ksft_test_result_skip("%s:%s: %s\n", name, rel, msg);
			} else {
				ksft_print_msg("%s:%s: %s\n", name, rel, msg);
				ksft_test_result_fail("%s:%s\n", name, rel);
			}
		}
	}
	golden_list_free(paths, n);
	enpu_close(dev);
	ksft_finished();
}
