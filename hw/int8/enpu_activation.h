/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU INT8 kernels: RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH.
 * Included by enpu_int8.h, whose rules apply.
 *
 * All six are element-wise, int8 in and int8 out, so they take any shape
 * as its element count: count in [1, ENPU_MAX_ELEMS], input and output
 * buffers of at least count elements. Each operator's Prepare-time values
 * come from its enpu_<op>_derive(), computed from the float scales exactly
 * as TensorFlow Lite Micro does (field names are those of TFLM's OpData,
 * as written in the golden files' `derived` lines); a derivation TFLM
 * would abort on, or whose values would make TFLM's kernel undefined,
 * gives -EINVAL. The kernels validate the params they are given as
 * strictly as any other (they may come from an untrusted guest).
 */
#ifndef ENPU_INT8_ACTIVATION_H
#define ENPU_INT8_ACTIVATION_H

/* ---- RELU -------------------------------------------------------------------- */

/*
 * TFLM's int8 RELU requantizes from the input's to the output's
 * quantization (ReluOpData.params):
 *   out = clamp(MBQM(x - input_zp, output_multiplier, output_shift) +
 *               output_zp, quantized_activation_min, quantized_activation_max)
 */
struct enpu_relu_params {
	int32_t input_zero_point, output_zero_point;
	int32_t output_multiplier, output_shift;
	int32_t quantized_activation_min;	/* the output zero point (0.0) */
	int32_t quantized_activation_max;	/* 127: RELU has no upper bound */
};

/*
 * CalculateReluOpData: QuantizeMultiplier(in_scale / out_scale), the
 * division done in float; the activation range is [q(0.0), 127] in the
 * output's quantization. Fills every field of p.
 */
int enpu_relu_derive(float input_scale, int32_t input_zero_point,
		     float output_scale, int32_t output_zero_point,
		     struct enpu_relu_params *p);

/* Checks zero points, multiplier/shift, the range and the buffers. */
int enpu_relu(const struct enpu_relu_params *p, size_t count,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len);

/* ---- RELU6 ------------------------------------------------------------------- */

/*
 * TFLM's int8 RELU6 only clamps, in the *input's* quantization, to
 * [zero, six] (Relu6OpData): the output's scale and zero point are
 * ignored, so a model whose RELU6 output is quantized differently from
 * its input gets TFLM's (wrong) values, here as there.
 */
struct enpu_relu6_params {
	int32_t six;	/* q(6.0): clamp(round(6 / scale) + zp, -128, 127) */
	int32_t zero;	/* q(0.0): the input zero point */
};

/* Relu6Prepare: six = q(6.0f), zero = the input zero point. */
int enpu_relu6_derive(float input_scale, int32_t input_zero_point,
		      struct enpu_relu6_params *p);

/* out = min(max(x, zero), six). Checks -128 <= zero <= six <= 127. */
int enpu_relu6(const struct enpu_relu6_params *p, size_t count,
	       const int8_t *input, size_t input_len,
	       int8_t *output, size_t output_len);

/* ---- LEAKY_RELU -------------------------------------------------------------- */

/*
 * LeakyReluOpData: with d = x - input_zp,
 *   out = clamp(output_zp + (d >= 0 ? MBQM(d, identity) : MBQM(d, alpha)))
 * A negative alpha gives a negative output_multiplier_alpha: the kernel
 * multiplies by its magnitude and negates the product, as TFLM does.
 */
struct enpu_leaky_relu_params {
	int32_t input_zero_point, output_zero_point;
	int32_t output_multiplier_alpha;	/* != INT32_MIN, sign of alpha */
	int32_t output_shift_alpha;
	int32_t output_multiplier_identity;	/* >= 0 */
	int32_t output_shift_identity;
};

/*
 * CalculateOpDataLeakyRelu: QuantizeMultiplier(in_scale * alpha /
 * out_scale) and QuantizeMultiplier(in_scale / out_scale), both computed
 * in float. alpha may be any finite value (TFLite's option is a float).
 */
int enpu_leaky_relu_derive(float alpha, float input_scale,
			   int32_t input_zero_point, float output_scale,
			   int32_t output_zero_point,
			   struct enpu_leaky_relu_params *p);

int enpu_leaky_relu(const struct enpu_leaky_relu_params *p, size_t count,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len);

/* ---- LOGISTIC / TANH --------------------------------------------------------- */

/*
 * OpDataLogistic and tanh.cc's OpData (the same four fields). With
 * d = x - input_zp: d <= -input_range_radius saturates to the lowest
 * output, d >= input_range_radius to the highest; in between d is scaled
 * into Q4.27 by MBQM(d, input_multiplier, input_left_shift) and run
 * through gemmlowp's fixed-point logistic or tanh.
 *
 * The int8 kernels assume a fixed output quantization, whatever the
 * output tensor says: LOGISTIC scale 1/256, zero point -128 (out =
 * logistic * 256 - 128), TANH scale 1/128, zero point 0 (out = tanh *
 * 128). TFLM checks only LOGISTIC's zero point and nothing for TANH; the
 * derivations here refuse any other output quantization, as a model
 * loader must.
 */
struct enpu_logistic_params {
	int32_t input_zero_point;
	int32_t input_multiplier;	/* >= 0 */
	int32_t input_left_shift;	/* [-31, 31], or up to 62 if radius 0 */
	int32_t input_range_radius;	/* >= 0 */
};

struct enpu_tanh_params {
	int32_t input_zero_point;
	int32_t input_multiplier;
	int32_t input_left_shift;
	int32_t input_range_radius;
};

/*
 * frexp(in_scale * 2^27) gives input_left_shift and, rounded to 31 bits,
 * input_multiplier (not QuantizeMultiplier: no folding, exact anyway for
 * a float scale); input_range_radius = floor(15 * 2^27 / 2^shift)
 * (CalculateInputRadius with 4 integer bits). -EINVAL for an output
 * quantization other than the one the kernel assumes, and for input
 * scales outside [2^-28, 2^35) (TFLM's shifts would be undefined). From
 * scale 8 on the radius is 0: outputs are the lowest for x <= zp, even
 * at x = zp, and the highest above (TFLM's boundary test, kept).
 */
int enpu_logistic_derive(float input_scale, int32_t input_zero_point,
			 float output_scale, int32_t output_zero_point,
			 struct enpu_logistic_params *p);
int enpu_tanh_derive(float input_scale, int32_t input_zero_point,
		     float output_scale, int32_t output_zero_point,
		     struct enpu_tanh_params *p);

int enpu_logistic(const struct enpu_logistic_params *p, size_t count,
		  const int8_t *input, size_t input_len,
		  int8_t *output, size_t output_len);
int enpu_tanh(const struct enpu_tanh_params *p, size_t count,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len);

/* ---- HARD_SWISH -------------------------------------------------------------- */

/*
 * HardSwishParams: out = x * relu6(x + 3) / 6, computed by TFLite's
 * reference kernel in 16-bit fixed point. The input is first put on a
 * "high-res" scale (x - input_zp) * 2^7; the output multiplier takes it
 * to the output scale, the "reluish" multiplier to a scale where 3.0 is
 * 2^15. Multipliers are Q0.15 int16 with an exponent (> 0: left shift).
 * The kernel reproduces TFLite's int16 arithmetic exactly, including its
 * wrap-around when the output zero point is added.
 */
struct enpu_hard_swish_params {
	int32_t input_zero_point, output_zero_point;
	int16_t reluish_multiplier_fixedpoint_int16;	/* >= 0 */
	int32_t reluish_multiplier_exponent;		/* [-31, 31] */
	int16_t output_multiplier_fixedpoint_int16;	/* >= 0 */
	int32_t output_multiplier_exponent;		/* [-31, 0] */
};

/*
 * HardSwishPrepare: hires = in_scale / 128, then QuantizeMultiplier of
 * hires / out_scale and of hires / (3 / 32768), all in float, each
 * rounded down to 16 bits (DownScaleInt32ToInt16Multiplier). -EINVAL
 * when output_multiplier_exponent would be > 0 (out_scale <= in_scale /
 * 128: TFLM refuses it too) or the reluish exponent > 31.
 */
int enpu_hard_swish_derive(float input_scale, int32_t input_zero_point,
			   float output_scale, int32_t output_zero_point,
			   struct enpu_hard_swish_params *p);

int enpu_hard_swish(const struct enpu_hard_swish_params *p, size_t count,
		    const int8_t *input, size_t input_len,
		    int8_t *output, size_t output_len);

#endif /* ENPU_INT8_ACTIVATION_H */
