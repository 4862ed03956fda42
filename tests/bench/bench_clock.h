/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark of tests/bench times with: CLOCK_MONOTONIC in
 * milliseconds or microseconds, and the median of a set of figures.
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline double bench_now_ms(void)
{
	return bench_now_us() / 1e3;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n figures (sorts them). */
static inline double bench_median(double *t, size_t n)
{
	qsort(t, n, sizeof(t[0]), bench_cmp_double);
	return t[n / 2];
}

#endif /* BENCH_CLOCK_H */
