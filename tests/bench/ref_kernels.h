/* SPDX-License-Identifier: MIT */
/*
 * Straightforward TFLite-reference-style loops (per-tap bounds checks,
 * Offset() index arithmetic, int32 accumulation) for CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED: the baseline of int8_bench.
 * Parameters are the hw/int8 structs; no validation (trusted input).
 */
#ifndef EDGENPU_REF_KERNELS_H
#define EDGENPU_REF_KERNELS_H

#include "enpu_int8.h"

void ref_conv2d(const struct enpu_conv2d_params *p, const int8_t *input,
		const int8_t *filter, const int32_t *bias, int8_t *output);
void ref_depthwise_conv2d(const struct enpu_dwconv2d_params *p,
			  const int8_t *input, const int8_t *filter,
			  const int32_t *bias, int8_t *output);
void ref_fully_connected(const struct enpu_fc_params *p, const int8_t *input,
			 const int8_t *filter, const int32_t *bias,
			 int8_t *output);

#endif /* EDGENPU_REF_KERNELS_H */
