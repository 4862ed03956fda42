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
