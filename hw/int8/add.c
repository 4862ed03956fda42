// SPDX-License-Identifier: MIT
/*
 * ADD, int8 and int16 (TFLite reference_integer_ops::Add /
 * BroadcastAdd4DSlow, and reference_ops::AddGeneralParamScale for int16).
 * Both inputs are brought to a common scale with 20 bits of headroom (15
 * for int16):
 *
 *   a = MBQM((x1 - zp1) << left_shift, M1, s1)
 *   b = MBQM((x2 - zp2) << left_shift, M2, s2)
 *   out = clamp(MBQM(a + b, Mo, so) + zp_out, act_min, act_max)
 */
#include "enpu_int8_internal.h"

/*
 * TFLite's ADD Prepare for left_shift 20 (int8) or 15 (int16). The max is
 * taken in float, then widened.
 */
static int add_derive(float input1_scale, float input2_scale,
		      float output_scale, int32_t left_shift,
		      struct enpu_add_params *p)
{
	if (!p || enpu_check_scale(input1_scale) ||
	    enpu_check_scale(input2_scale) || enpu_check_scale(output_scale))
		return -EINVAL;

	const double twice_max = 2 * (double)(input1_scale > input2_scale ?
					      input1_scale : input2_scale);
	const double real1 = (double)input1_scale / twice_max;
	const double real2 = (double)input2_scale / twice_max;
	const double real_out = twice_max /
				((double)(1 << left_shift) * (double)output_scale);

	if (enpu_quantize_multiplier_below_one(real1, &p->input1_multiplier,
					       &p->input1_shift) ||
	    enpu_quantize_multiplier_below_one(real2, &p->input2_multiplier,
					       &p->input2_shift) ||
	    enpu_quantize_multiplier_below_one(real_out, &p->output_multiplier,
					       &p->output_shift))
		return -EINVAL;
	p->left_shift = left_shift;
	return 0;
}

int enpu_add_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_add_params *p)
{
	return add_derive(input1_scale, input2_scale, output_scale, 20, p);
}

int enpu_add_int16_derive(float input1_scale, float input2_scale,
			  float output_scale, struct enpu_add_params *p)
{
	return add_derive(input1_scale, input2_scale, output_scale, 15, p);
}

/*
 * The sum (or, with subtract, the difference: SUB) of x1 and x2 in the
 * output scale, before zero point and clamp. Callers pass a constant
 * subtract.
 */
static inline int32_t add_raw(const struct enpu_add_params *p, int32_t x1,
			      int32_t x2, int subtract)
{
	const int32_t a = enpu_mbqm(enpu_wrap_shl(x1 - p->input1_zero_point,
						  p->left_shift),
				    p->input1_multiplier, p->input1_shift);
	const int32_t b = enpu_mbqm(enpu_wrap_shl(x2 - p->input2_zero_point,
						  p->left_shift),
				    p->input2_multiplier, p->input2_shift);

	return enpu_mbqm(subtract ? enpu_wrap_sub(a, b) : enpu_wrap_add(a, b),
			 p->output_multiplier, p->output_shift);
}

static inline void addsub_row_i8(const struct enpu_add_params *p,
				 const int8_t *x1, size_t step1,
				 const int8_t *x2, size_t step2, int8_t *y,
				 size_t n, int subtract)
{
	for (size_t i = 0; i < n; i++)
		y[i] = enpu_out_i8(add_raw(p, x1[i * step1], x2[i * step2], subtract),
				   p->output_zero_point, p->act_min, p->act_max);
}

static void add_row_i8(const void *params, const void *in1, size_t step1,
		       const void *in2, size_t step2, void *out, size_t n)
{
	addsub_row_i8(params, in1, step1, in2, step2, out, n, 0);
}

static void sub_row_i8(const void *params, const void *in1, size_t step1,
		       const void *in2, size_t step2, void *out, size_t n)
{
	addsub_row_i8(params, in1, step1, in2, step2, out, n, 1);
}

static void add_row_i16(const void *params, const void *in1, size_t step1,
			const void *in2, size_t step2, void *out, size_t n)
{
	const struct enpu_add_params *p = params;
	const int16_t *x1 = in1, *x2 = in2;
	int16_t *y = out;

	for (size_t i = 0; i < n; i++)
		y[i] = enpu_out_i16(add_raw(p, x1[i * step1], x2[i * step2], 0),
				    p->output_zero_point, p->act_min, p->act_max);
}

/*
 * Validate (the zero points and activation bounds within [qmin, qmax])
 * and run over elements of @esize bytes with @row.
 */
static int add_run(const struct enpu_add_params *p, int32_t qmin, int32_t qmax,
		   size_t esize, const void *input1, size_t input1_len,
		   const void *input2, size_t input2_len,
		   void *output, size_t output_len, enpu_bcast_row_fn row)
{
	struct enpu_bcast b;

	if (!p || enpu_bcast_check(&p->input1, &p->input2, &p->output, input1,
				   input1_len, input2, input2_len, output,
				   output_len, &b) ||
	    enpu_check_binary_q(qmin, qmax, p->input1_zero_point,
				p->input2_zero_point, p->output_zero_point,
				p->act_min, p->act_max) ||
	    p->left_shift < 0 || p->left_shift > 31 ||
	    enpu_check_multiplier(p->input1_multiplier, p->input1_shift) ||
	    enpu_check_multiplier(p->input2_multiplier, p->input2_shift) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift))
		return -EINVAL;
	return enpu_bcast_run(&b, esize, input1, input2, output, row, p, p->cancel);
}

int enpu_add_or_sub_i8(const struct enpu_add_params *p, int subtract,
		       const int8_t *input1, size_t input1_len,
		       const int8_t *input2, size_t input2_len,
		       int8_t *output, size_t output_len)
{
	return add_run(p, INT8_MIN, INT8_MAX, 1, input1, input1_len, input2,
		       input2_len, output, output_len,
		       subtract ? sub_row_i8 : add_row_i8);
}

int enpu_add(const struct enpu_add_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len)
{
	return enpu_add_or_sub_i8(p, 0, input1, input1_len, input2, input2_len,
				  output, output_len);
}

int enpu_add_int16(const struct enpu_add_params *p,
		   const int16_t *input1, size_t input1_len,
		   const int16_t *input2, size_t input2_len,
		   int16_t *output, size_t output_len)
{
	return add_run(p, INT16_MIN, INT16_MAX, 2, input1, input1_len, input2,
		       input2_len, output, output_len, add_row_i16);
}
