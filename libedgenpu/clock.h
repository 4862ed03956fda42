/* SPDX-License-Identifier: MIT */
/* libedgenpu internals: the monotonic clock runs and layers are timed with. */
#ifndef EDGENPU_CLOCK_H
#define EDGENPU_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t enpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* EDGENPU_CLOCK_H */
