/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: TRANSPOSE_CONV, SVDF, and the 16x8 kernels (int16 activations, int8 weights): CONV_2D, FULLY_CONNECTED, ADD. Included by enpu_int8.h. */
#ifndef ENPU_INT8_WIDE_H
#define ENPU_INT8_WIDE_H

/*
 * The rules at the top of enpu_int8.h hold here too, with these
 * differences for int16 tensors: their values and activation ranges span
 * [-32768, 32767], and the 16x8 CONV_2D / FULLY_CONNECTED take int64
 * biases and accumulate in int64 (TFLite's int64-accumulator path).
 */

/* ---- TRANSPOSE_CONV ------------------------------------------------------ */

/*
 * TRANSPOSE_CONV, int8 activations, per-output-channel int8 weights
 * (TFLite reference_integer_ops::TransposeConv). Every input pixel
 * scatters its filter-weighted values into the output:
 *
 *   out[oy][ox][oc] = requant(bias[oc] + sum over (iy, ky, ix, kx, ic) with
 *                     iy * stride_h - padding_height + ky == oy and
 *                     ix * stride_w - padding_width + kx == ox of
 *                     w[oc][ky][kx][ic] * (x[iy][ix][ic] - in_zp))
 *
 * summed in wrapping int32 as TFLite's scratch buffer does. The output
 * size is free (TFLite takes it from the output_shape tensor): pixels no
 * tap reaches hold the requantized bias. Dilation is always 1.
 */
struct enpu_transpose_conv_params {
	struct enpu_nhwc input;		/* [N, H, W, Cin] */
	struct enpu_nhwc filter;	/* [Cout, KH, KW, Cin] (OHWI) */
	struct enpu_nhwc output;	/* [N, OH, OW, Cout] */
	int32_t stride_h, stride_w;
	int32_t padding_height, padding_width;	/* >= 0 */
	int32_t input_zero_point, output_zero_point;
	int32_t output_activation_min, output_activation_max;
	const int32_t *output_multiplier;	/* [num_channels] */
	const int32_t *output_shift;		/* [num_channels] */
	size_t num_channels;			/* must equal Cout */
	const atomic_int *cancel;	/* may be NULL; read per output pixel */
};

/*
 * TFLite's TRANSPOSE_CONV Prepare, for a p whose shapes, strides and
 * output zero point are set. Fills padding_height/width as TFLite does
 * (ComputePaddingHeightWidth with the *output* size in the role of the
 * input size, so SAME pads as a conv from the output back to the input
 * would; when either axis' VALID size comes out negative both paddings
 * stay 0), the int8 output's activation range, and multipliers[c] /
 * shifts[c] = QuantizeMultiplier(in_scale * w_scale[c] / out_scale) for
 * the num_channels = Cout channels (num_scales is 1 or Cout); then points
 * p's output_multiplier / output_shift at them and sets num_channels.
 */
int enpu_transpose_conv_derive(enum enpu_padding padding,
			       enum enpu_activation activation,
			       float input_scale, const float *weight_scales,
			       size_t num_scales, float output_scale,
			       struct enpu_transpose_conv_params *p,
			       int32_t *multipliers, int32_t *shifts,
			       size_t num_channels);

/* bias may be NULL (bias_len ignored) or hold at least Cout values. */
int enpu_transpose_conv(const struct enpu_transpose_conv_params *p,
			const int8_t *input, size_t input_len,
			const int8_t *filter, size_t filter_len,
			const int32_t *bias, size_t bias_len,
			int8_t *output, size_t output_len);

/* ---- SVDF ---------------------------------------------------------------- */

/*
 * SVDF, int8 input/output, int8 feature weights, int16 time weights and
 * int16 activation state (TFLite-Micro EvalIntegerSvdfReference). With
 * F = units * rank filters and M = memory_size, the state is
 * [batches, F * M] (filter f's memory at f * M .. f * M + M - 1, oldest
 * first). Each call:
 *
 *   1. shifts every filter's memory one step toward the oldest slot,
 *   2. writes into the newest slot (M - 1) of filter f
 *      state_zp + clamp16(MBQM(sum_i wf[f][i] * (x[b][i] - in_zp),
 *                              effective_scale_1_a, effective_scale_1_b)),
 *   3. out[b][u] = clamp8(MBQM(bias[u] + sum over the rank filters f of
 *                  unit u and the M slots m of wt[f][m] * (s[f][m] -
 *                  state_zp), effective_scale_2_a, effective_scale_2_b)
 *                  + out_zp), all sums in wrapping int32.
 *
 * The int8 SVDF applies no fused activation (TFLite's ignores it too).
 * The state is updated in place, and only once every parameter and
 * buffer has been validated.
 */
struct enpu_svdf_params {
	int32_t batches;
	int32_t input_size;
	int32_t units;
	int32_t rank;			/* filters per unit */
	int32_t memory_size;
	int32_t input_zero_point, output_zero_point;	/* [-128, 127] */
	int32_t state_zero_point;	/* [-32768, 32767], 0 in practice */
	int32_t effective_scale_1_a, effective_scale_1_b;	/* feature */
	int32_t effective_scale_2_a, effective_scale_2_b;	/* output */
};

/*
 * TFLite-Micro's SVDF Prepare: effective_scale_1 = in_scale *
 * weights_feature_scale / state_scale and effective_scale_2 = state_scale *
 * weights_time_scale / out_scale, each computed in float (as TFLite-Micro
 * does, unlike the conv derivations) and then QuantizeMultiplier()'d into
 * the _a (multiplier) / _b (shift) fields of p. bias_scale, when > 0, must
 * be within 1e-5 of float(state_scale * weights_time_scale), as
 * TFLite-Micro requires; pass 0 for no bias.
 */
int enpu_svdf_derive(float input_scale, float weights_feature_scale,
		     float weights_time_scale, float bias_scale,
		     float state_scale, float output_scale,
		     struct enpu_svdf_params *p);

/*
 * weights_feature [F, input_size], weights_time [F, memory_size], bias
 * [units] or NULL (bias_len ignored), state [batches, F * memory_size]
 * (read and updated), output [batches, units]. The state must not overlap
 * any other buffer.
 */
int enpu_svdf(const struct enpu_svdf_params *p,
	      const int8_t *input, size_t input_len,
	      const int8_t *weights_feature, size_t weights_feature_len,
	      const int16_t *weights_time, size_t weights_time_len,
	      const int32_t *bias, size_t bias_len,
	      int16_t *state, size_t state_len,
	      int8_t *output, size_t output_len);

/* ---- 16x8: int16 activations, int8 weights -------------------------------- */

/*
 * CONV_2D and FULLY_CONNECTED derive their Prepare-time values as the int8
 * kernels do (enpu_derive_per_channel, enpu_derive_fc_per_tensor,
 * enpu_compute_padding), the output range with
 * enpu_activation_range_int16() (enpu_quant.h).
 */

/*
 * CONV_2D 16x8 (TFLite reference_integer_ops::ConvPerChannel for int16
 * input, int64 bias):
 *
 *   acc = bias[oc] + sum over in-bounds taps of w * x      (int64)
 *   out = clamp(MBQM64(acc, M[oc], shift[oc]), act_min, act_max)
 *
 * MBQM64 is TFLite's int64 MultiplyByQuantizedMultiplier: the multiplier
 * is first rounded to 16 bits, then a single rounding shift, so the
 * results differ from the int8 kernels' double rounding. The parameters
 * are those of enpu_conv2d() (same derivations: enpu_derive_per_channel,
 * enpu_compute_padding) except that both zero points must be 0 (TFLite
 * ignores them on this path), act_min/act_max are int16 values and every
 * shift must be in [-31, 7] (TFLite asserts it). Biases are taken as
 * they are: where acc leaves TFLite's asserted +-2^47, the result wraps
 * instead of aborting.
 */
int enpu_conv2d_16x8(const struct enpu_conv2d_params *p,
		     const int16_t *input, size_t input_len,
		     const int8_t *filter, size_t filter_len,
		     const int64_t *bias, size_t bias_len,
		     int16_t *output, size_t output_len);

/*
 * FULLY_CONNECTED 16x8 (TFLite reference_integer_ops::FullyConnected /
 * FullyConnectedPerChannel, int16 input, int64 bias):
 *
 *   acc = bias[o] + sum_i w[o][i] * (x[b][i] - in_zp)     (int64)
 *   out[b][o] = clamp(MBQM64(acc, M, shift) + out_zp, act_min, act_max)
 *
 * The parameters are those of enpu_fully_connected() (same derivations),
 * with zero points in [-32768, 32767] (0 in practice: TFLite's int16
 * tensors are symmetric), int16 activation bounds and shifts in [-31, 7].
 * A missing bias takes this int64 path too, as TFLite-Micro does unless
 * the model asks for an int32 bias type.
 */
int enpu_fully_connected_16x8(const struct enpu_fc_params *p,
			      const int16_t *input, size_t input_len,
			      const int8_t *filter, size_t filter_len,
			      const int64_t *bias, size_t bias_len,
			      int16_t *output, size_t output_len);

/*
 * ADD int16 (TFLite's general int16 path, which TFLite-Micro always takes
 * whatever pot_scale_int16 says): enpu_add()'s arithmetic and
 * broadcasting with left_shift 15, int16 zero points (0 in practice) and
 * int16 activation bounds. The derivation is enpu_add_derive()'s with
 * left_shift 15.
 */
int enpu_add_int16_derive(float input1_scale, float input2_scale,
			  float output_scale, struct enpu_add_params *p);

int enpu_add_int16(const struct enpu_add_params *p,
		   const int16_t *input1, size_t input1_len,
		   const int16_t *input2, size_t input2_len,
		   int16_t *output, size_t output_len);

#endif /* ENPU_INT8_WIDE_H */
