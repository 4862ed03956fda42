// SPDX-License-Identifier: MIT
/*
 * libFuzzer target (make fuzz-contract): the hardware contract's decoder and
 * the kernel's region rule against what the engine touches, one job an
 * input (contract_check.h gives the input's layout). A finding aborts with
 * the reason; contract_fuzz_test --input FILE replays it without clang.
 */
#include <stdio.h>
#include <stdlib.h>

#include "contract_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct contract_stats st;
	char why[512];

	if (contract_run(data, len, &st, why, sizeof(why))) {
		fprintf(stderr, "contract: %s\n", why);
		abort();
	}
	return 0;
}
