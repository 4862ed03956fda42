// SPDX-License-Identifier: MIT
/* The dot-product kernels in plain C: any CPU, and the reference for the others. */
#include "enpu_simd.h"

static void dot_2x4_c(const int16_t *x0, const int16_t *x1, const int8_t *const w[4],
		      size_t len, int32_t out[8])
{
	int32_t acc[8] = { 0 };
	size_t k;
	int j;

	for (k = 0; k < len; k++) {
		for (j = 0; j < 4; j++) {
			acc[j] += x0[k] * w[j][k];
			acc[4 + j] += x1[k] * w[j][k];
		}
	}
	for (j = 0; j < 8; j++)
		out[j] = acc[j];
}

static void dot_1x4_c(const int16_t *x, const int8_t *const w[4], size_t len, int32_t out[4])
{
	int32_t acc[4] = { 0 };
	size_t k;
	int j;

	for (k = 0; k < len; k++)
		for (j = 0; j < 4; j++)
			acc[j] += x[k] * w[j][k];
	for (j = 0; j < 4; j++)
		out[j] = acc[j];
}

const struct enpu_dot_ops enpu_dot_c = { .dot_2x4 = dot_2x4_c, .dot_1x4 = dot_1x4_c };
