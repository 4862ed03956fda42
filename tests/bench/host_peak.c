// SPDX-License-Identifier: MIT
/*
 * The host's INT8 multiply-accumulate peak on one core, measured: a loop
 * of independent dot-product instructions with nothing else in it, the
 * most any INT8 kernel could do. Baseline x86-64 has SSE2's pmaddwd (8
 * int16 MACs per instruction, what hw/int8's kernels use today); a CPU
 * with AVX-512 VNNI has vpdpbusd (64 u8 x s8 MACs per instruction), tried
 * only when the CPU reports it. Elsewhere the plain-C figure is a loop of
 * scalar multiply-adds. Figures are GMAC/s, host wall time.
 */
#include <stdint.h>
#include <time.h>

#include "host_peak.h"

#define ITERS	(1L << 22)
/*
 * Independent chains: more than latency x throughput. The loop over them
 * is unrolled so that they stay in registers: kept in memory, each
 * instruction waits on a load and a store, and the figure halves.
 */
#define ACCS	12

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#if defined(__x86_64__)
#include <immintrin.h>

static double sse2_peak(void)
{
	__m128i a[ACCS], x = _mm_set1_epi16(3), y = _mm_set1_epi16(5);
	volatile int32_t sink;
	double t0, dt;
	long i;
	int k;

	for (k = 0; k < ACCS; k++)
		a[k] = _mm_setzero_si128();
	__asm__ volatile("" : "+x"(x), "+x"(y));
	t0 = now_s();
	for (i = 0; i < ITERS; i++)
#pragma GCC unroll 12
		for (k = 0; k < ACCS; k++)
			a[k] = _mm_add_epi32(a[k], _mm_madd_epi16(x, y));
	dt = now_s() - t0;
	for (k = 1; k < ACCS; k++)
		a[0] = _mm_add_epi32(a[0], a[k]);
	sink = _mm_cvtsi128_si32(a[0]);
	(void)sink;
	return (double)ITERS * ACCS * 8 / dt / 1e9;
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static double vnni_peak(void)
{
	_Alignas(64) int32_t out[16];
	__m512i a[ACCS], x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(5);
	volatile int32_t sink;
	double t0, dt;
	long i;
	int k;

	for (k = 0; k < ACCS; k++)
		a[k] = _mm512_setzero_si512();
	__asm__ volatile("" : "+v"(x), "+v"(y));
	t0 = now_s();
	for (i = 0; i < ITERS; i++)
#pragma GCC unroll 12
		for (k = 0; k < ACCS; k++)
			a[k] = _mm512_dpbusd_epi32(a[k], x, y);
	dt = now_s() - t0;
	for (k = 1; k < ACCS; k++)
		a[0] = _mm512_add_epi32(a[0], a[k]);
	_mm512_store_si512((void *)out, a[0]);
	sink = out[0];
	(void)sink;
	return (double)ITERS * ACCS * 64 / dt / 1e9;
}

/*
 * The best of PEAK_TRIALS runs of each loop: one run alone, the first
 * thing a process does, was found at 60% of the figure (the core not yet
 * at its clock).
 */
#define PEAK_TRIALS	5

int host_peak(struct host_peak *p)
{
	int vnni;

	__builtin_cpu_init();
	vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
	p->baseline_name = "SSE2 pmaddwd";
	p->baseline = 0;
	p->best_name = vnni ? "AVX-512 VNNI vpdpbusd" : NULL;
	p->best = 0;
	for (int t = 0; t < PEAK_TRIALS; t++) {
		const double s = sse2_peak(), v = vnni ? vnni_peak() : 0;

		p->baseline = s > p->baseline ? s : p->baseline;
		p->best = v > p->best ? v : p->best;
	}
	return 0;
}
#else
int host_peak(struct host_peak *p)
{
	volatile int32_t x = 3, y = 5;
	int32_t a[8] = { 0 };
	double t0, dt;
	long i;
	int k;

	t0 = now_s();
	for (i = 0; i < ITERS; i++)
		for (k = 0; k < 8; k++)
			a[k] += x * y;
	dt = now_s() - t0;
	p->baseline_name = "scalar C";
	p->baseline = (double)ITERS * 8 / dt / 1e9 + 0 * a[0];
	p->best_name = NULL;
	p->best = 0;
	return 0;
}
#endif
