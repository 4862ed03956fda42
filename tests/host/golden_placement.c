// SPDX-License-Identifier: MIT
/* See golden_placement.h. */
#include <stdio.h>
#include <string.h>

#include "golden_placement.h"

/* The operators the EdgeNPU computes or moves (hw/README.md, the ISA). */
static int npu_operator(enum enpu_layer_type t)
{
	switch (t) {
	case ENPU_LAYER_CONV_2D:
	case ENPU_LAYER_DEPTHWISE_CONV_2D:
	case ENPU_LAYER_FULLY_CONNECTED:
	case ENPU_LAYER_ADD:
	case ENPU_LAYER_AVERAGE_POOL_2D:
	case ENPU_LAYER_MAX_POOL_2D:
	case ENPU_LAYER_PAD:
	case ENPU_LAYER_CONCATENATION:
	case ENPU_LAYER_RESHAPE:
	case ENPU_LAYER_TRANSPOSE:
	case ENPU_LAYER_STRIDED_SLICE:
	case ENPU_LAYER_SPLIT:
	case ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR:
	/* as a LUT command (contract 0.4) */
	case ENPU_LAYER_RELU:
	case ENPU_LAYER_RELU6:
	case ENPU_LAYER_LEAKY_RELU:
	case ENPU_LAYER_LOGISTIC:
	case ENPU_LAYER_TANH:
	case ENPU_LAYER_HARD_SWISH:
	case ENPU_LAYER_QUANTIZE:
	/* as an ELTWISE command (contract 0.5) */
	case ENPU_LAYER_SUB:
	case ENPU_LAYER_MUL:
	case ENPU_LAYER_MAXIMUM:
	case ENPU_LAYER_MINIMUM:
		return 1;
	default:
		return 0;
	}
}

int golden_placement_check(const struct enpu_model *m, size_t *npu_layers,
			   char *msg, size_t len)
{
	size_t i, n = enpu_model_num_layers(m), on = 0;
	struct enpu_layer_info li;

	for (i = 0; i < n; i++) {
		if (enpu_model_layer_info(m, i, &li)) {
			snprintf(msg, len, "layer %zu: no layer info: %s", i, enpu_last_error());
			return -1;
		}
		/*
		 * A slice walking backwards is the one data movement the DMA
		 * cannot do, a QUANTIZE from float32 is no int8 function, and
		 * the NPU computes int8, not a 16x8 layer's int16.
		 */
		if (!li.on_npu && (strstr(enpu_model_layer_reason(m, i), "walks its input "
					  "backwards") ||
				   strstr(enpu_model_layer_reason(m, i), "QUANTIZE from float32") ||
				   strstr(enpu_model_layer_reason(m, i), "int16 activations (16x8)") ||
				   strstr(enpu_model_layer_reason(m, i), "do not read the input at a "
					  "fixed stride")))
			continue;
		if (li.on_npu != npu_operator(li.type)) {
			snprintf(msg, len, "layer %zu (%s) placed on the %s, expected the %s",
				 i, enpu_layer_type_name(li.type), li.on_npu ? "NPU" : "CPU",
				 li.on_npu ? "CPU" : "NPU");
			return -1;
		}
		on += li.on_npu;
	}
	if (npu_layers)
		*npu_layers = on;
	return 0;
}
