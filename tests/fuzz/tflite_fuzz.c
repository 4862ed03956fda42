// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: enpu_model_load_tflite_mem() on arbitrary bytes, and
 * everything downstream of a successful load: enpu_graph_validate(), a
 * compile for the CPU backend, one run on zero inputs, the DOT writer.
 *
 * A failed load must be a negative errno with a message; anything else
 * (or a crash, a leak, undefined behaviour, an allocation over
 * -malloc_limit_mb) is reported by libFuzzer. Runs are bounded so that
 * a valid but enormous graph does not stall the fuzzer: no compile over
 * MAX_ACT_BYTES of activations, no run over MAX_MACS.
 *
 * Built and run by `make fuzz` (tests/fuzz/fuzz.mk).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgenpu/edgenpu.h>

#include "graph.h"		/* tensor sizes, before compiling allocates them */
#include "internal.h"		/* enpu_fail(): clears the last error */
#include "run_zero.h"

#define MAX_ACT_BYTES	(64u << 20)
#define MAX_MACS	(32ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what, int r)
{
	if (ok)
		return;
	fprintf(stderr, "tflite_fuzz: %s (result %d, message \"%s\")\n", what, r,
		enpu_last_error());
	abort();
}

static void run_zero(struct enpu_model *m)
{
	enum fuzz_run ran;
	int r = 0;

	ran = fuzz_run_zero(m, MAX_MACS, &r);
	check(ran != FUZZ_INFO_FAILED, "an info call failed on a compiled model", r);
	check(ran != FUZZ_RAN || (r <= 0 && (!r || enpu_last_error()[0])),
	      "run failed without a reason", r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct enpu_graph *g = (struct enpu_graph *)&g;	/* must become NULL or a graph */
	struct enpu_model *m = NULL;
	uint64_t act = 0;
	const char *e;
	size_t i;
	int r;

	enpu_fail(0, "%s", "");
	r = enpu_model_load_tflite_mem(size ? data : (const uint8_t *)"", size, &g);
	e = enpu_last_error();
	if (r) {
		check(r < 0, "load returned a positive value", r);
		check(!g, "failed load left a graph", r);
		check(e[0] && strcmp(e, "TFLite model: malformed"), "load failed without a reason", r);
		return 0;
	}
	check(g && g != (struct enpu_graph *)&g, "load succeeded without a graph", r);
	r = enpu_graph_validate(g);
	check(r <= 0 && (!r || enpu_last_error()[0]), "validate failed without a reason", r);
	for (i = 0; !r && i < g->num_tensors; i++)
		if (!g->tensors[i].data)
			act += g->tensors[i].bytes;
	if (!r && act <= MAX_ACT_BYTES) {
		r = enpu_model_compile(NULL, g, NULL, &m);
		check(r <= 0 && (!r || enpu_last_error()[0]), "compile failed without a reason", r);
		if (!r) {
			run_zero(m);
			if (!devnull)
				devnull = fopen("/dev/null", "w");
			if (devnull)
				enpu_model_write_dot(m, devnull);
			enpu_model_destroy(m);
		}
	}
	enpu_graph_destroy(g);
	return 0;
}
