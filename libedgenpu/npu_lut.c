// SPDX-License-Identifier: MIT
/*
 * Element-wise int8 -> int8 layers on the NPU as LUT commands: the table is
 * the layer's own CPU kernel applied to the 256 int8 values, so the NPU's
 * result is the CPU backend's, and TFLite-Micro's, by construction.
 */
#include <errno.h>

#include "edgenpu_isa.h"
#include "internal.h"
#include "npu.h"

int enpu_npu_is_lut(enum enpu_layer_type t)
{
	/* QUANTIZE from int8 to int8 is a requantization */
	return enpu_layer_is_activation(t) || t == ENPU_LAYER_QUANTIZE;
}

int enpu_npu_lut_table(const struct enpu_prep *p, int8_t table[ENPU_LUT_ENTRIES])
{
	int8_t x[ENPU_LUT_ENTRIES];
	const size_t n = ENPU_LUT_ENTRIES;
	int i;

	for (i = 0; i < ENPU_LUT_ENTRIES; i++)
		x[i] = (int8_t)(i - 128);
	switch (p->type) {
	case ENPU_LAYER_RELU:
		return enpu_relu(&p->p.relu, n, x, n, table, n);
	case ENPU_LAYER_RELU6:
		return enpu_relu6(&p->p.relu6, n, x, n, table, n);
	case ENPU_LAYER_LEAKY_RELU:
		return enpu_leaky_relu(&p->p.leaky_relu, n, x, n, table, n);
	case ENPU_LAYER_LOGISTIC:
		return enpu_logistic(&p->p.logistic, n, x, n, table, n);
	case ENPU_LAYER_TANH:
		return enpu_tanh(&p->p.tanh, n, x, n, table, n);
	case ENPU_LAYER_HARD_SWISH:
		return enpu_hard_swish(&p->p.hard_swish, n, x, n, table, n);
	case ENPU_LAYER_QUANTIZE:
		return enpu_requantize_i8(x, n, p->q_in_zp, p->q_out_zp, p->q_mult, p->q_shift,
					  table);
	default:
		return -EINVAL;
	}
}
