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
#include "run_zero.h"

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
	enum enpu_try_result res = ENPU_TRY_LOADED;
	int r;

	enpu_fail(0, "%s", "");
	r = enpu_model_load_mem(NULL, data, size, &opt, &m);
	if (r)
		return r < 0 && !m && enpu_last_error()[0] ? ENPU_TRY_REFUSED : ENPU_TRY_BAD;
	if (!m)
		return ENPU_TRY_BAD;
	enpu_fail(0, "%s", "");
	if (run && fuzz_run_zero(m, ENPU_TRY_MAX_MACS, &r) == FUZZ_RAN)
		res = r > 0 || (r < 0 && !enpu_last_error()[0]) ? ENPU_TRY_BAD : ENPU_TRY_RAN;
	enpu_model_destroy(m);
	return res;
}

#endif /* ENPU_FILE_TRY_H */
