/* SPDX-License-Identifier: MIT */
/*
 * Where a compiled model's layers run, against what the NPU is for: a
 * golden case that passes bit-exactly because a layer silently ran on the
 * CPU is not a pass of the NPU.
 */
#ifndef EDGENPU_GOLDEN_PLACEMENT_H
#define EDGENPU_GOLDEN_PLACEMENT_H

#include <stddef.h>

#include <edgenpu/edgenpu.h>

/*
 * 0 when every layer the NPU runs (convolutions, fully connected, ADD,
 * pooling, PAD, CONCATENATION, RESHAPE) is on the NPU and every other one
 * (SOFTMAX, QUANTIZE, DEQUANTIZE, MEAN) on the CPU; else -1 and @msg names
 * the first layer placed otherwise. @npu_layers counts the NPU's.
 */
int golden_placement_check(const struct enpu_model *m, size_t *npu_layers,
			   char *msg, size_t len);

#endif /* EDGENPU_GOLDEN_PLACEMENT_H */
