// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: compiled-model files (enpu_model_load_mem() with no
 * device, and a run of what loads). The checksum is recomputed over each
 * input first, so that the fuzzer reaches the checks behind it; with
 * EDGENPU_FUZZ_KEEP_SUM=1 it is left alone. A refusal must be an errno
 * with a message; anything else, a crash, a leak or undefined behaviour
 * is reported by libFuzzer. Built and run by `make fuzz-enpu`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "enpu_file_try.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int keep = -1;
	uint8_t *p = malloc(size ? size : 1);

	if (!p)
		return 0;
	if (keep < 0)
		keep = getenv("EDGENPU_FUZZ_KEEP_SUM") != NULL;
	memcpy(p, data, size);
	if (!keep && size >= 64 && !memcmp(p, "ENPUMODL", 8))
		enpu_sha256(p + 56, size - 56, p + 24);
	if (enpu_file_try(p, size, 1) == ENPU_TRY_BAD) {
		fprintf(stderr, "enpu_file_fuzz: an error without a message, or a bad result "
			"(\"%s\")\n", enpu_last_error());
		abort();
	}
	free(p);
	return 0;
}
