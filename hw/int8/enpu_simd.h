/* SPDX-License-Identifier: MIT */
/*
 * The instruction-set variants of the INT8 inner loops, chosen at run
 * time: the library and the device model are built for baseline x86-64
 * (or arm64) and use the widest variant the CPU they run on has. Every
 * variant computes the same integers: the golden tests run each one this
 * CPU supports.
 *
 * $EDGENPU_INT8_SIMD names the variant to use from the start ("c",
 * "sse2", "avx2", "avx-vnni", "avx512-vnni", "neon", "neon-dotprod"); one this CPU or
 * build lacks is not taken (the best supported is). enpu_simd_use()
 * changes it at any time (the tests force each in turn).
 */
#ifndef ENPU_SIMD_H
#define ENPU_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include "enpu_dot.h"

enum enpu_simd {
	ENPU_SIMD_C = 0,	/* plain C: any CPU */
	ENPU_SIMD_SSE2,		/* x86-64 baseline */
	ENPU_SIMD_AVX2,		/* x86-64 with AVX2 */
	ENPU_SIMD_AVX_VNNI,	/* x86-64 with AVX2 and AVX-VNNI (vpdpbusd on 256 bits) */
	ENPU_SIMD_AVX512,	/* x86-64 with AVX-512 F, BW, VL and VNNI */
	ENPU_SIMD_NEON,		/* arm64 (Advanced SIMD: every arm64 CPU) */
	ENPU_SIMD_NEON_DOTPROD,	/* arm64 with the dot-product extension (sdot) */
	ENPU_SIMD_COUNT,
};

/*
 * "c", "sse2", "avx2", "avx-vnni", "avx512-vnni", "neon", "neon-dotprod";
 * NULL past the last.
 */
const char *enpu_simd_name(enum enpu_simd s);
/* 1 when this build has variant @s and this CPU runs it; else 0, *why says why. */
int enpu_simd_supported(enum enpu_simd s, const char **why);
/* The variant in use. */
enum enpu_simd enpu_simd_current(void);
/* Uses variant @s from now on: 0, or -ENOTSUP when it is not supported. */
int enpu_simd_use(enum enpu_simd s);

/* Each variant's kernels (dot_*.c); the x86 ones only in x86-64 builds, NEON in arm64's. */
extern const struct enpu_dot_ops enpu_dot_c;
#ifdef ENPU_DOT_SSE2
extern const struct enpu_dot_ops enpu_dot_sse2, enpu_dot_avx2, enpu_dot_avx_vnni,
	enpu_dot_avx512;
/* dot_avx_vnni.c's GEMM, GEMV and depthwise rows, in enpu_dot_avx_vnni (dot_avx2.c) */
void enpu_avx_vnni_gemm(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			int nblk, const struct enpu_rq_table *rq, int j, int nch,
			int8_t *out, size_t out_stride);
void enpu_avx_vnni_gemv(const uint8_t *x, const int8_t *w, size_t k4, int nch,
			const struct enpu_rq_table *rq, int8_t *out);
void enpu_avx_vnni_dw_spread(uint8_t *dst, const uint8_t *src, size_t tap_step, int kw,
			     int npx, int nb, size_t xs);
void enpu_avx_vnni_dw_spread8(uint8_t *dst, const uint8_t *src, int kw, int npx, size_t s);
void enpu_avx_vnni_dw_rows(const uint8_t *e, size_t e_oy, size_t e_ky, int kh,
			   const int8_t *w, int nb, const struct enpu_rq_table *rq, int half,
			   int rows, int chunks, int8_t *out, size_t out_row, size_t row_bytes);
#endif
#ifdef __aarch64__
extern const struct enpu_dot_ops enpu_dot_neon, enpu_dot_neon_dotprod;
/* dot_neon_dotprod.c's GEMM and depthwise rows, in enpu_dot_neon_dotprod (dot_neon.c) */
void enpu_neon_gemm_sdot(const uint8_t *const x[], int rows, const int8_t *w, size_t k4,
			 int nblk, const struct enpu_rq_table *rq, int j, int nch,
			 int8_t *out, size_t out_stride);
void enpu_neon_dw_spread(uint8_t *dst, const uint8_t *src, size_t tap_step, int kw, int npx,
			 int nb, size_t xs);
void enpu_neon_dw_spread8(uint8_t *dst, const uint8_t *src, int kw, int npx, size_t s);
void enpu_neon_dw_rows(const uint8_t *e, size_t e_oy, size_t e_ky, int kh, const int8_t *w,
		       int nb, const struct enpu_rq_table *rq, int half, int rows, int chunks,
		       int8_t *out, size_t out_row, size_t row_bytes);
#endif

#endif /* ENPU_SIMD_H */
