// SPDX-License-Identifier: MIT
/*
 * Choosing the INT8 inner loops' variant (enpu_simd.h): once, at first
 * use, from the CPU's features and $EDGENPU_INT8_SIMD; then whenever
 * enpu_simd_use() is called. The choice is one atomic pointer, so a
 * kernel running on another thread sees either variant, whole.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "enpu_simd.h"

#ifdef __aarch64__
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

static const char *const names[ENPU_SIMD_COUNT] = {
	[ENPU_SIMD_C] = "c",
	[ENPU_SIMD_SSE2] = "sse2",
	[ENPU_SIMD_AVX2] = "avx2",
	[ENPU_SIMD_AVX_VNNI] = "avx-vnni",
	[ENPU_SIMD_AVX512] = "avx512-vnni",
	[ENPU_SIMD_NEON] = "neon",
	[ENPU_SIMD_NEON_DOTPROD] = "neon-dotprod",
};

static _Atomic(const struct enpu_dot_ops *) current_ops;
static _Atomic int current_simd = -1;

const char *enpu_simd_name(enum enpu_simd s)
{
	return (unsigned int)s < ENPU_SIMD_COUNT ? names[s] : NULL;
}

static const struct enpu_dot_ops *ops_of(enum enpu_simd s)
{
	switch (s) {
	case ENPU_SIMD_C:
		return &enpu_dot_c;
#ifdef ENPU_DOT_SSE2
	case ENPU_SIMD_SSE2:
		return &enpu_dot_sse2;
	case ENPU_SIMD_AVX2:
		return &enpu_dot_avx2;
	case ENPU_SIMD_AVX_VNNI:
		return &enpu_dot_avx_vnni;
	case ENPU_SIMD_AVX512:
		return &enpu_dot_avx512;
#endif
#ifdef __aarch64__
	case ENPU_SIMD_NEON:
		return &enpu_dot_neon;
	case ENPU_SIMD_NEON_DOTPROD:
		return &enpu_dot_neon_dotprod;
#endif
	default:
		return NULL;
	}
}

int enpu_simd_supported(enum enpu_simd s, const char **why)
{
	const char *no = NULL;

	if ((unsigned int)s >= ENPU_SIMD_COUNT)
		no = "no such variant";
	else if (!ops_of(s))
		no = s >= ENPU_SIMD_NEON ? "not in this build (arm64 only)" :
					   "not in this build (x86-64 only)";
#ifdef ENPU_DOT_SSE2
	else if (s >= ENPU_SIMD_AVX2 && (__builtin_cpu_init(), 0))
		;
	else if (s == ENPU_SIMD_AVX2 && !__builtin_cpu_supports("avx2"))
		no = "this CPU has no AVX2";
	else if (s == ENPU_SIMD_AVX_VNNI &&
		 !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni")))
		no = "this CPU has no AVX-VNNI";
	else if (s == ENPU_SIMD_AVX512 &&
		 !(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		   __builtin_cpu_supports("avx512vl") &&
		   __builtin_cpu_supports("avx512vnni")))
		no = "this CPU has no AVX-512 VNNI";
#endif
#ifdef __aarch64__
	else if (s == ENPU_SIMD_NEON_DOTPROD && !(getauxval(AT_HWCAP) & HWCAP_ASIMDDP))
		no = "this CPU has no dot-product extension (asimddp)";
#endif
	if (why)
		*why = no;
	return !no;
}

int enpu_simd_use(enum enpu_simd s)
{
	if (!enpu_simd_supported(s, NULL))
		return -ENOTSUP;
	atomic_store(&current_ops, ops_of(s));
	atomic_store(&current_simd, (int)s);
	return 0;
}

/* The best supported variant, or the one $EDGENPU_INT8_SIMD names if supported. */
static void choose(void)
{
	const char *want = getenv("EDGENPU_INT8_SIMD");
	int s;

	for (s = 0; want && s < ENPU_SIMD_COUNT; s++)
		if (!strcmp(want, names[s]) && !enpu_simd_use((enum enpu_simd)s))
			return;
	for (s = ENPU_SIMD_COUNT - 1; s >= 0; s--)
		if (!enpu_simd_use((enum enpu_simd)s))
			return;
}

const struct enpu_dot_ops *enpu_dot_ops(void)
{
	const struct enpu_dot_ops *ops = atomic_load(&current_ops);

	if (!ops) {
		choose();
		ops = atomic_load(&current_ops);
	}
	return ops;
}

enum enpu_simd enpu_simd_current(void)
{
	if (atomic_load(&current_simd) < 0)
		enpu_dot_ops();
	return (enum enpu_simd)atomic_load(&current_simd);
}
