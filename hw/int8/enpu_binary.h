/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: MUL, SUB, MAXIMUM, MINIMUM (with broadcasting). Included by enpu_int8.h. */
#ifndef ENPU_INT8_BINARY_H
#define ENPU_INT8_BINARY_H

/*
 * All four take two int8 inputs of rank 0..4 and broadcast them as TFLite
 * (and ADD) do: shapes are right-aligned, and along each dimension the
 * two sizes are equal or one of them is 1 (or missing), which repeats.
 * The output's rank must be at least both inputs' and its dimensions
 * exactly the broadcast ones; -EINVAL otherwise. The buffers must hold
 * their shapes' element counts.
 *
 * Like ADD, each reads its cancel flag (may be NULL) before every 64 Ki
 * output elements and then returns -ECANCELED with the output partly
 * written (see the top of enpu_int8.h).
 */

/* ---- MUL -------------------------------------------------------------------- */

/*
 * out = clamp(MBQM((x1 - zp1) * (x2 - zp2), output_multiplier,
 *                  output_shift) + zp_out, act_min, act_max)
 * (TFLite reference_integer_ops::Mul / BroadcastMul6DSlow). The product
 * of the two offset inputs is exact in int32.
 */
struct enpu_mul_params {
	struct enpu_shape input1, input2, output;
	int32_t input1_zero_point, input2_zero_point, output_zero_point;
	int32_t output_multiplier, output_shift;
	int32_t act_min, act_max;	/* enpu_activation_range_int8() */
	const atomic_int *cancel;	/* may be NULL */
};

/*
 * TFLite's MUL Prepare: output_multiplier/shift = QuantizeMultiplier(
 * double(s1) * double(s2) / double(s_out)), which may be above 1 (shift
 * > 0) or, below 2^-31, multiplier 0 shift 0. Fills only those two fields.
 * -EINVAL for a scale that is not finite and positive or a multiplier
 * needing a shift above 31.
 */
int enpu_mul_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_mul_params *p);

/* Checks shapes, zero points, activation range, multiplier and buffers. */
int enpu_mul_i8(const struct enpu_mul_params *p,
		const int8_t *input1, size_t input1_len,
		const int8_t *input2, size_t input2_len,
		int8_t *output, size_t output_len);

/* ---- SUB -------------------------------------------------------------------- */

/*
 * ADD's arithmetic with the difference in place of the sum (TFLite
 * reference_ops::Sub / BroadcastQuantSubSlow):
 *
 *   a = MBQM((x1 - zp1) << left_shift, input1_multiplier, input1_shift)
 *   b = MBQM((x2 - zp2) << left_shift, input2_multiplier, input2_shift)
 *   out = clamp(MBQM(a - b, output_multiplier, output_shift) + zp_out,
 *               act_min, act_max)
 */
struct enpu_sub_params {
	struct enpu_shape input1, input2, output;
	int32_t input1_zero_point, input2_zero_point, output_zero_point;
	int32_t left_shift;		/* 20 for int8; [0, 31] */
	int32_t input1_multiplier, input1_shift;
	int32_t input2_multiplier, input2_shift;
	int32_t output_multiplier, output_shift;
	int32_t act_min, act_max;	/* enpu_activation_range_int8() */
	const atomic_int *cancel;	/* may be NULL */
};

/*
 * TFLite-Micro's SUB Prepare. The formulas are ADD's (left_shift 20,
 * twice_max = 2 * max(s1, s2), input multipliers s_k / twice_max, output
 * multiplier twice_max / (2^20 * s_out)) but, unlike ADD's, every
 * quotient is computed in float and only then widened to double, so the
 * multipliers differ from enpu_add_derive()'s in their low bits. Fills
 * left_shift and the multiplier/shift fields. -EINVAL for a bad scale or
 * a multiplier that is not below 1 (TFLite CHECK-fails).
 */
int enpu_sub_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_sub_params *p);

/* Checks shapes, zero points, activation range, shifts and buffers. */
int enpu_sub(const struct enpu_sub_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len);

/* ---- MAXIMUM / MINIMUM ------------------------------------------------------ */

/*
 * out = max(x1, x2) or min(x1, x2) of the raw int8 values, as TFLite
 * (no Prepare, no rescaling, no fused activation). That is the real
 * maximum / minimum only when both inputs and the output share one
 * scale and zero point: the caller must ensure it (TFLite-Micro does not
 * check it either).
 */
struct enpu_minmax_params {
	struct enpu_shape input1, input2, output;
	const atomic_int *cancel;	/* may be NULL */
};

/* Check the shapes and buffers. */
int enpu_maximum(const struct enpu_minmax_params *p,
		 const int8_t *input1, size_t input1_len,
		 const int8_t *input2, size_t input2_len,
		 int8_t *output, size_t output_len);
int enpu_minimum(const struct enpu_minmax_params *p,
		 const int8_t *input1, size_t input1_len,
		 const int8_t *input2, size_t input2_len,
		 int8_t *output, size_t output_len);

/*
 * ADD's and SUB's parameters hold their twelve arithmetic fields from
 * input1_zero_point to act_max contiguously, in the order the NPU's ADD
 * and ELTWISE commands do (hw/edgenpu_isa.h, ENPU_ARITH_WORDS).
 */
#define ENPU_ADD_ARITH_WORDS	12
_Static_assert(offsetof(struct enpu_add_params, act_max) -
	       offsetof(struct enpu_add_params, input1_zero_point) ==
	       4 * (ENPU_ADD_ARITH_WORDS - 1), "ADD's arithmetic block");
_Static_assert(offsetof(struct enpu_sub_params, act_max) -
	       offsetof(struct enpu_sub_params, input1_zero_point) ==
	       4 * (ENPU_ADD_ARITH_WORDS - 1), "SUB's arithmetic block");

#endif /* ENPU_INT8_BINARY_H */
