// SPDX-License-Identifier: MIT
/*
 * Every per-op golden case through libedgenpu's public API: built as a
 * graph, compiled, run, and compared byte for byte. On the host the
 * backend is the CPU, and each case also runs written as a one-operator
 * TFLite file through the TFLite reader (golden_tflite.c); with --npu (or built with GRAPH_GOLDEN_NPU=1, as
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
#include "golden_tflite.h"

/* 0 when variable @k of @m holds @want, 1 when not, < 0 on error. */
static int variable_is(struct enpu_model *m, size_t k, const void *want, size_t bytes)
{
	void *have = malloc(bytes + 1);
	int r;

	if (!have)
		return -1;
	r = enpu_model_variable_read(m, k, have, bytes);
	if (!r)
		r = memcmp(have, want, bytes) ? 1 : 0;
	free(have);
	return r;
}

/*
 * 0 pass, 1 skip, -1 fail; msg says why. @via_tflite: the case written as
 * a TFLite file and read by the TFLite reader, instead of the graph API.
 */
static int run_case(struct enpu_device *dev, const char *path, int via_tflite, char *msg,
		    size_t len)
{
	struct golden_graph gg;
	struct golden_file g;
	struct enpu_graph *tg = NULL;
	struct enpu_model *m = NULL;
	const void *in[ENPU_MAX_LAYER_INPUTS];
	void *outp[GOLDEN_GRAPH_MAX_OUTPUTS] = { 0 };
	size_t i, k, first = 0, ndiff = 0;
	int r;

	if (golden_load(path, &g, msg, len))
		return -1;
	r = golden_graph_build(&g, &gg, msg, len);
	if (r) {
		golden_free(&g);
		return r > 0 ? 1 : -1;
	}
	if (via_tflite) {
		uint8_t *file = NULL;
		size_t size = 0;

		r = golden_tflite_build(&g, &file, &size, msg, len);
		if (!r && enpu_model_load_tflite_mem(file, size, &tg)) {
			snprintf(msg, len, "TFLite reader: %s", enpu_last_error());
			r = -1;
		}
		free(file);
		if (r)
			goto out;
	}
	r = enpu_model_compile(dev, tg ? tg : gg.graph, NULL, &m);
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
	/*
	 * State (SVDF's): the graph's variable starts from the case's value; a
	 * TFLite variable starts from zeros and is given it.
	 */
	if (enpu_model_num_variables(m) != gg.num_variables) {
		snprintf(msg, len, "%zu variables, the case has %zu", enpu_model_num_variables(m),
			 gg.num_variables);
		r = -1;
		goto out;
	}
	for (k = 0; k < gg.num_variables; k++) {
		const struct golden_tensor *v = gg.variables[k];

		r = via_tflite ? enpu_model_variable_write(m, k, v->data, v->bytes) :
		    variable_is(m, k, v->data, v->bytes);
		if (r) {
			snprintf(msg, len, "variable %zu: %s", k,
				 r > 0 ? "does not start from its initial value" :
				 enpu_last_error());
			r = -1;
			goto out;
		}
	}
	for (k = 0; k < gg.num_outputs; k++) {
		outp[k] = malloc(gg.outputs[k]->bytes + 1);
		if (!outp[k]) {
			r = -1;
			goto out;
		}
		/* poisoned: an unwritten byte cannot pass by luck */
		memset(outp[k], 0xa5, gg.outputs[k]->bytes);
	}
	for (i = 0; i < gg.num_inputs; i++)
		in[i] = gg.inputs[i]->data;
	r = enpu_model_run(m, in, outp, NULL);
	if (r) {
		snprintf(msg, len, "run: %s", enpu_last_error());
		r = -1;
		goto out;
	}
	for (k = 0; k < gg.num_outputs && !ndiff; k++) {
		const uint8_t *got = outp[k], *want = gg.outputs[k]->data;

		for (i = 0; i < gg.outputs[k]->bytes; i++)
			if (got[i] != want[i] && !ndiff++)
				first = i;
		if (ndiff) {
			snprintf(msg, len, "out%zu: %zu of %zu bytes differ, first at %zu: "
				 "expected %d got %d", k, ndiff, gg.outputs[k]->bytes, first,
				 (int8_t)want[first], (int8_t)got[first]);
			r = -1;
		}
	}
out:
	for (k = 0; k < GOLDEN_GRAPH_MAX_OUTPUTS; k++)
		free(outp[k]);
	enpu_graph_destroy(tg);
	enpu_model_destroy(m);
	golden_graph_free(&gg);
	golden_free(&g);
	return r;
}

int main(int argc, char **argv)
{
	const char *root = getenv("EDGENPU_GOLDENS");
	static const char *const dirs[] = { "ops", "ops16x8" };
	struct enpu_device *dev = NULL;
	char ops[2][4096], msg[1024];
	size_t n[2] = { 0 }, i, b, d, nb = 1;
	char **paths[2];
#ifndef GRAPH_GOLDEN_NPU
#define GRAPH_GOLDEN_NPU 0
#endif
	int npu = GRAPH_GOLDEN_NPU || (argc > 1 && !strcmp(argv[1], "--npu"));

	if (!root || !*root)
		root = npu ? "/usr/share/edgenpu/goldens" : "../shared/goldens";
	ksft_print_header();
	/* the int8 cases and the 16x8 ones, each folder walked */
	for (d = 0; d < 2; d++) {
		snprintf(ops[d], sizeof(ops[d]), "%s/%s", root, dirs[d]);
		paths[d] = golden_list(ops[d], &n[d]);
	}
	if (!n[0]) {
		ksft_set_plan(1);
		ksft_test_result_skip("goldens: no *.golden files under %s (set EDGENPU_GOLDENS)\n",
				      ops[0]);
		ksft_finished();
	}
	/* the NPU and the CPU backend; on the host the CPU, through the API and TFLite */
	if (npu) {
		if (enpu_open(&dev, NULL))
			ksft_exit_fail_msg("cannot open the NPU: %s\n", enpu_last_error());
	}
	nb = 2;
	ksft_set_plan((unsigned int)((n[0] + n[1]) * nb));
	for (b = 0; b < nb; b++) {
		struct enpu_device *dv = b == 0 && npu ? dev : NULL;
		int via_tflite = !npu && b == 1;
		const char *name = dv ? "npu" : via_tflite ? "tflite" : "cpu";

		for (d = 0; d < 2; d++) {
			for (i = 0; i < n[d]; i++) {
				const char *rel = paths[d][i] + strlen(root) + 1;
				int r = run_case(dv, paths[d][i], via_tflite, msg, sizeof(msg));

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
	}
	for (d = 0; d < 2; d++)
		golden_list_free(paths[d], n[d]);
	enpu_close(dev);
	ksft_finished();
}
