// SPDX-License-Identifier: MIT
/* Golden-test backend that calls the INT8 kernels of hw/int8 directly. */
#include "golden_backend.h"

const struct golden_backend golden_cpu_backend = {
	.name = "cpu",
	.unsupported = "",
	.conv2d = enpu_conv2d,
	.depthwise_conv2d = enpu_depthwise_conv2d,
	.fully_connected = enpu_fully_connected,
	.add = enpu_add,
	.avg_pool = enpu_avg_pool,
	.max_pool = enpu_max_pool,
	.pad = enpu_pad,
	.concatenation = enpu_concatenation,
	.reshape = enpu_reshape,
	.softmax = enpu_softmax,
	.quantize_f32 = enpu_quantize_f32,
	.requantize_i8 = enpu_requantize_i8,
	.dequantize_i8 = enpu_dequantize_i8,
	.mean = enpu_mean,
	/* @@ activation entries @@ */
	.relu = enpu_relu,
	.relu6 = enpu_relu6,
	.leaky_relu = enpu_leaky_relu,
	.logistic = enpu_logistic,
	.tanh = enpu_tanh,
	.hard_swish = enpu_hard_swish,
	/* @@ binary entries @@ */
	.mul = enpu_mul_i8,
	.sub = enpu_sub,
	.maximum = enpu_maximum,
	.minimum = enpu_minimum,
	/* @@ movement entries @@ */
	.transpose = enpu_transpose,
	.strided_slice = enpu_strided_slice,
	.split = enpu_split,
	.resize_nearest_neighbor = enpu_resize_nearest_neighbor,
	.resize_bilinear = enpu_resize_bilinear,
	/* @@ reduce entries @@ */
	.reduce_max = enpu_reduce_max,
	.sum = enpu_sum,
	/* @@ 16x8 and stateful entries @@ */
	.transpose_conv = enpu_transpose_conv,
	.svdf = enpu_svdf,
	.conv2d_16x8 = enpu_conv2d_16x8,
	.fully_connected_16x8 = enpu_fully_connected_16x8,
	.add_int16 = enpu_add_int16,
	.last_error = NULL,
};
