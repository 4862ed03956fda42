/* SPDX-License-Identifier: MIT */
/*
 * One run of a compiled model on zero inputs, within a budget of
 * multiply-accumulates: what the reader tests (tflite_fuzz.c,
 * tflite_corrupt_test.c, enpu_file_try.h) do with a model that loaded.
 */
#ifndef ENPU_RUN_ZERO_H
#define ENPU_RUN_ZERO_H

#include <stdint.h>
#include <stdlib.h>

#include <edgenpu/edgenpu.h>

enum fuzz_run {
	FUZZ_NOT_RUN,		/* over @max_macs, or out of memory */
	FUZZ_RAN,		/* *result: enpu_model_run()'s */
	FUZZ_INFO_FAILED,	/* a layer, input or output info call failed */
};

static inline enum fuzz_run fuzz_run_zero(struct enpu_model *m, uint64_t max_macs,
					  int *result)
{
	size_t ni = enpu_model_num_inputs(m), no = enpu_model_num_outputs(m), i;
	void **in = calloc(ni + 1, sizeof(*in)), **out = calloc(no + 1, sizeof(*out));
	enum fuzz_run res = FUZZ_NOT_RUN;
	struct enpu_tensor_info info;
	struct enpu_layer_info li;
	uint64_t macs = 0;

	for (i = 0; i < enpu_model_num_layers(m); i++) {
		if (enpu_model_layer_info(m, i, &li)) {
			res = FUZZ_INFO_FAILED;
			goto done;
		}
		macs += li.macs;
	}
	if (!in || !out || macs > max_macs)
		goto done;
	for (i = 0; i < ni; i++) {
		if (enpu_model_input_info(m, i, &info)) {
			res = FUZZ_INFO_FAILED;
			goto done;
		}
		if (!(in[i] = calloc(1, info.bytes + 1)))
			goto done;
	}
	for (i = 0; i < no; i++) {
		if (enpu_model_output_info(m, i, &info)) {
			res = FUZZ_INFO_FAILED;
			goto done;
		}
		if (!(out[i] = malloc(info.bytes + 1)))
			goto done;
	}
	*result = enpu_model_run(m, (const void *const *)in, out, NULL);
	res = FUZZ_RAN;
done:
	for (i = 0; in && i < ni; i++)
		free(in[i]);
	for (i = 0; out && i < no; i++)
		free(out[i]);
	free(in);
	free(out);
	return res;
}

#endif /* ENPU_RUN_ZERO_H */
