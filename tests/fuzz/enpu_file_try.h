/* SPDX-License-Identifier: MIT */
/*
 * One compiled-model file given to the library, for the corruption test
 * (tests/host/enpu_file_corrupt_test.c) and the libFuzzer target
 * (tests/fuzz/enpu_file_fuzz.c): enpu_model_load_mem() with no device
 * (every check of the file, then the CPU backend), and when it loads and
 * @run is set, one run on zero inputs within a budget. A refusal must be a negative errno
 * with a message.
 */
#ifndef ENPU_FILE_TRY_H
#define ENPU_FILE_TRY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <edgenpu/edgenpu.h>

#include "internal.h"		/* enpu_fail(): clears the last error */

#define ENPU_TRY_MAX_ACT	(64u << 20)	/* activation bytes of a load */
#define ENPU_TRY_MAX_MACS	(32ull << 20)	/* a run's work */

enum enpu_try_result {
	ENPU_TRY_REFUSED,	/* -errno with a message */
	ENPU_TRY_LOADED,	/* loaded, not run (over the budget) */
	ENPU_TRY_RAN,		/* loaded and ran (its result an errno or outputs) */
	ENPU_TRY_BAD,		/* a contract broken: an error with no message... */
};

static inline enum enpu_try_result enpu_file_try(const uint8_t *data, size_t size, int run)
{
	struct enpu_compile_options opt = {
		.size = sizeof(opt), .max_activation_bytes = ENPU_TRY_MAX_ACT,
	};
	struct enpu_model *m = (struct enpu_model *)1;
	struct enpu_tensor_info info;
	struct enpu_layer_info li;
	enum enpu_try_result res = ENPU_TRY_LOADED;
	void **in = NULL, **out = NULL;
	uint64_t macs = 0;
	size_t ni, no, i;
	int r;

	enpu_fail(0, "%s", "");
	r = enpu_model_load_mem(NULL, data, size, &opt, &m);
	if (r)
		return r < 0 && !m && enpu_last_error()[0] ? ENPU_TRY_REFUSED : ENPU_TRY_BAD;
	if (!m)
		return ENPU_TRY_BAD;
	for (i = 0; i < enpu_model_num_layers(m); i++)
		if (!enpu_model_layer_info(m, i, &li))
			macs += li.macs;
	ni = enpu_model_num_inputs(m);
	no = enpu_model_num_outputs(m);
	in = calloc(ni + 1, sizeof(*in));
	out = calloc(no + 1, sizeof(*out));
	if (!run || macs > ENPU_TRY_MAX_MACS || !in || !out)
		goto done;
	for (i = 0; i < ni; i++)
		if (enpu_model_input_info(m, i, &info) || !(in[i] = calloc(1, info.bytes + 1)))
			goto done;
	for (i = 0; i < no; i++)
		if (enpu_model_output_info(m, i, &info) || !(out[i] = malloc(info.bytes + 1)))
			goto done;
	enpu_fail(0, "%s", "");
	r = enpu_model_run(m, (const void *const *)in, out, NULL);
	res = r > 0 || (r < 0 && !enpu_last_error()[0]) ? ENPU_TRY_BAD : ENPU_TRY_RAN;
done:
	for (i = 0; in && i < ni; i++)
		free(in[i]);
	for (i = 0; out && i < no; i++)
		free(out[i]);
	free(in);
	free(out);
	enpu_model_destroy(m);
	return res;
}

#endif /* ENPU_FILE_TRY_H */
