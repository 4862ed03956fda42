/* SPDX-License-Identifier: MIT */
/*
 * Where golden_ops_test runs an operator: the CPU backend calls the INT8
 * kernels directly; the NPU backend (npu_backend.c) encodes the operator
 * as EdgeNPU commands and runs them through the device's execution
 * engine, MMU and DMA. Both take the kernels' own signatures, so one set
 * of runners feeds both. A NULL entry means the backend cannot run the
 * operator; @unsupported says why.
 */
#ifndef EDGENPU_GOLDEN_BACKEND_H
#define EDGENPU_GOLDEN_BACKEND_H

#include "enpu_int8.h"

struct golden_backend {
	const char *name;
	const char *unsupported;
	int (*conv2d)(const struct enpu_conv2d_params *p,
		      const int8_t *input, size_t input_len,
		      const int8_t *filter, size_t filter_len,
		      const int32_t *bias, size_t bias_len,
		      int8_t *output, size_t output_len);
	int (*depthwise_conv2d)(const struct enpu_dwconv2d_params *p,
				const int8_t *input, size_t input_len,
				const int8_t *filter, size_t filter_len,
				const int32_t *bias, size_t bias_len,
				int8_t *output, size_t output_len);
	int (*fully_connected)(const struct enpu_fc_params *p,
			       const int8_t *input, size_t input_len,
			       const int8_t *filter, size_t filter_len,
			       const int32_t *bias, size_t bias_len,
			       int8_t *output, size_t output_len);
	int (*add)(const struct enpu_add_params *p,
		   const int8_t *input1, size_t input1_len,
		   const int8_t *input2, size_t input2_len,
		   int8_t *output, size_t output_len);
	int (*avg_pool)(const struct enpu_pool_params *p,
			const int8_t *input, size_t input_len,
			int8_t *output, size_t output_len);
	int (*max_pool)(const struct enpu_pool_params *p,
			const int8_t *input, size_t input_len,
			int8_t *output, size_t output_len);
	int (*pad)(const struct enpu_pad_params *p,
		   const int8_t *input, size_t input_len,
		   int8_t *output, size_t output_len);
	int (*concatenation)(int32_t axis, size_t num_inputs,
			     const struct enpu_shape *input_shapes,
			     const int8_t *const *inputs, const size_t *input_lens,
			     const struct enpu_shape *output_shape,
			     int8_t *output, size_t output_len);
	int (*reshape)(const int8_t *input, size_t input_len,
		       int8_t *output, size_t output_len, size_t count);
	int (*softmax)(const struct enpu_softmax_params *p,
		       int32_t outer_size, int32_t depth,
		       const int8_t *input, size_t input_len,
		       int8_t *output, size_t output_len);
	int (*quantize_f32)(const float *input, size_t count, float scale,
			    int32_t zero_point, int8_t *output);
	int (*requantize_i8)(const int8_t *input, size_t count,
			     int32_t input_zero_point, int32_t output_zero_point,
			     int32_t multiplier, int32_t shift, int8_t *output);
	int (*dequantize_i8)(const int8_t *input, size_t count, float scale,
			     int32_t zero_point, float *output);
	int (*mean)(const struct enpu_mean_params *p,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len);
	/* @@ activation entries @@ */
	int (*relu)(const struct enpu_relu_params *p, size_t count,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len);
	int (*relu6)(const struct enpu_relu6_params *p, size_t count,
		     const int8_t *input, size_t input_len,
		     int8_t *output, size_t output_len);
	int (*leaky_relu)(const struct enpu_leaky_relu_params *p, size_t count,
			  const int8_t *input, size_t input_len,
			  int8_t *output, size_t output_len);
	int (*logistic)(const struct enpu_logistic_params *p, size_t count,
			const int8_t *input, size_t input_len,
			int8_t *output, size_t output_len);
	int (*tanh)(const struct enpu_tanh_params *p, size_t count,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len);
	int (*hard_swish)(const struct enpu_hard_swish_params *p, size_t count,
			  const int8_t *input, size_t input_len,
			  int8_t *output, size_t output_len);
	/* @@ binary entries @@ */
	int (*mul)(const struct enpu_mul_params *p,
		   const int8_t *input1, size_t input1_len,
		   const int8_t *input2, size_t input2_len,
		   int8_t *output, size_t output_len);
	int (*sub)(const struct enpu_sub_params *p,
		   const int8_t *input1, size_t input1_len,
		   const int8_t *input2, size_t input2_len,
		   int8_t *output, size_t output_len);
	int (*maximum)(const struct enpu_minmax_params *p,
		       const int8_t *input1, size_t input1_len,
		       const int8_t *input2, size_t input2_len,
		       int8_t *output, size_t output_len);
	int (*minimum)(const struct enpu_minmax_params *p,
		       const int8_t *input1, size_t input1_len,
		       const int8_t *input2, size_t input2_len,
		       int8_t *output, size_t output_len);
	/* @@ movement entries @@ */
	int (*transpose)(const struct enpu_transpose_params *p,
			 const int8_t *input, size_t input_len,
			 int8_t *output, size_t output_len);
	int (*strided_slice)(const struct enpu_strided_slice_params *p,
			     const int8_t *input, size_t input_len,
			     int8_t *output, size_t output_len);
	int (*split)(const struct enpu_split_params *p,
		     const int8_t *input, size_t input_len,
		     int8_t *const *outputs, const size_t *output_lens);
	int (*resize_nearest_neighbor)(const struct enpu_resize_params *p,
				       const int8_t *input, size_t input_len,
				       int8_t *output, size_t output_len);
	int (*resize_bilinear)(const struct enpu_resize_params *p,
			       const int8_t *input, size_t input_len,
			       int8_t *output, size_t output_len);
	/* @@ reduce entries @@ */
	int (*reduce_max)(const struct enpu_reduce_max_params *p,
			  const int8_t *input, size_t input_len,
			  int8_t *output, size_t output_len);
	int (*sum)(const struct enpu_sum_params *p,
		   const int8_t *input, size_t input_len,
		   int8_t *output, size_t output_len);
	/* @@ 16x8 and stateful entries @@ */
	int (*transpose_conv)(const struct enpu_transpose_conv_params *p,
			      const int8_t *input, size_t input_len,
			      const int8_t *filter, size_t filter_len,
			      const int32_t *bias, size_t bias_len,
			      int8_t *output, size_t output_len);
	int (*svdf)(const struct enpu_svdf_params *p,
		    const int8_t *input, size_t input_len,
		    const int8_t *weights_feature, size_t weights_feature_len,
		    const int16_t *weights_time, size_t weights_time_len,
		    const int32_t *bias, size_t bias_len,
		    int16_t *state, size_t state_len,
		    int8_t *output, size_t output_len);
	int (*conv2d_16x8)(const struct enpu_conv2d_params *p,
			   const int16_t *input, size_t input_len,
			   const int8_t *filter, size_t filter_len,
			   const int64_t *bias, size_t bias_len,
			   int16_t *output, size_t output_len);
	int (*fully_connected_16x8)(const struct enpu_fc_params *p,
				    const int16_t *input, size_t input_len,
				    const int8_t *filter, size_t filter_len,
				    const int64_t *bias, size_t bias_len,
				    int16_t *output, size_t output_len);
	int (*add_int16)(const struct enpu_add_params *p,
			 const int16_t *input1, size_t input1_len,
			 const int16_t *input2, size_t input2_len,
			 int16_t *output, size_t output_len);
	/* Detail of the last failure, or "" (NULL: none kept). */
	const char *(*last_error)(void);
};

extern const struct golden_backend golden_cpu_backend;
extern const struct golden_backend golden_npu_backend;

#endif /* EDGENPU_GOLDEN_BACKEND_H */
