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

/* QuantizeMultiplierSmallerThanOneExp: 0 < real < 1 and shift <= 0. */
static int multiplier_below_one(double real, int32_t *multiplier,
				int32_t *shift)
{
	int s;

	if (!(real > 0.0 && real < 1.0) ||
	    enpu_quantize_multiplier(real, multiplier, &s) || s > 0)
		return -EINVAL;
	*shift = s;
	return 0;
}

/*
 * TFLite's ADD Prepare for left_shift 20 (int8) or 15 (int16). The max is
 * taken in float, then widened.
 */
static int add_derive(float input1_scale, float input2_scale,
		      float output_scale, int32_t left_shift,
		      struct enpu_add_params *p)
{
	if (!p || !isfinite(input1_scale) || !isfinite(input2_scale) ||
	    !isfinite(output_scale) || !(input1_scale > 0.0f) ||
	    !(input2_scale > 0.0f) || !(output_scale > 0.0f))
		return -EINVAL;

	const double twice_max = 2 * (double)(input1_scale > input2_scale ?
					      input1_scale : input2_scale);
	const double real1 = (double)input1_scale / twice_max;
	const double real2 = (double)input2_scale / twice_max;
	const double real_out = twice_max /
				((double)(1 << left_shift) * (double)output_scale);

	if (multiplier_below_one(real1, &p->input1_multiplier, &p->input1_shift) ||
	    multiplier_below_one(real2, &p->input2_multiplier, &p->input2_shift) ||
	    multiplier_below_one(real_out, &p->output_multiplier,
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

/* The sum of x1 and x2 in the output scale, before zero point and clamp. */
static inline int32_t add_raw(const struct enpu_add_params *p, int32_t x1,
			      int32_t x2)
{
	const int32_t a = enpu_mbqm(enpu_wrap_shl(x1 - p->input1_zero_point,
						  p->left_shift),
				    p->input1_multiplier, p->input1_shift);
	const int32_t b = enpu_mbqm(enpu_wrap_shl(x2 - p->input2_zero_point,
						  p->left_shift),
				    p->input2_multiplier, p->input2_shift);

	return enpu_mbqm(enpu_wrap_add(a, b), p->output_multiplier,
			 p->output_shift);
}

/*
 * n outputs from element i1 + k * s1 of input1 and i2 + k * s2 of input2
 * (a stride is 0 along a broadcast dimension), one per element type.
 */
static void add_row_i8(const struct enpu_add_params *p, const void *in1,
		       size_t i1, size_t s1, const void *in2, size_t i2,
		       size_t s2, void *out, size_t o, size_t n)
{
	const int8_t *x1 = (const int8_t *)in1 + i1, *x2 = (const int8_t *)in2 + i2;
	int8_t *y = (int8_t *)out + o;

	for (size_t k = 0; k < n; k++)
		y[k] = enpu_out_i8(add_raw(p, x1[k * s1], x2[k * s2]),
				   p->output_zero_point, p->act_min, p->act_max);
}

static void add_row_i16(const struct enpu_add_params *p, const void *in1,
			size_t i1, size_t s1, const void *in2, size_t i2,
			size_t s2, void *out, size_t o, size_t n)
{
	const int16_t *x1 = (const int16_t *)in1 + i1;
	const int16_t *x2 = (const int16_t *)in2 + i2;
	int16_t *y = (int16_t *)out + o;

	for (size_t k = 0; k < n; k++)
		y[k] = enpu_out_i16(add_raw(p, x1[k * s1], x2[k * s2]),
				    p->output_zero_point, p->act_min, p->act_max);
}

typedef void (*add_row_fn)(const struct enpu_add_params *p, const void *in1,
			   size_t i1, size_t s1, const void *in2, size_t i2,
			   size_t s2, void *out, size_t o, size_t n);

/* Right-align a shape into 4 dims, padding with leading 1s. */
static void extend4(const struct enpu_shape *s, int32_t d[4])
{
	const int32_t lead = 4 - s->rank;

	for (int32_t i = 0; i < 4; i++)
		d[i] = i < lead ? 1 : s->dims[i - lead];
}

/* ADD reads its cancel flag before every 64 Ki elements (or fewer). */
#define ADD_CANCEL_CHUNK	((size_t)1 << 16)

/*
 * Validate (the zero points and activation bounds within [qmin, qmax])
 * and run, the element type being row()'s.
 */
static int add_run(const struct enpu_add_params *p, int32_t qmin, int32_t qmax,
		   const void *input1, size_t input1_len,
		   const void *input2, size_t input2_len,
		   void *output, size_t output_len, add_row_fn row)
{
	size_t n1, n2, n_out;
	int32_t d1[4], d2[4], dout[4];

	if (!p || enpu_shape_count(&p->input1, &n1) ||
	    enpu_shape_count(&p->input2, &n2) ||
	    enpu_shape_count(&p->output, &n_out))
		return -EINVAL;
	if (p->input1_zero_point < qmin || p->input1_zero_point > qmax ||
	    p->input2_zero_point < qmin || p->input2_zero_point > qmax ||
	    p->output_zero_point < qmin || p->output_zero_point > qmax ||
	    p->act_min < qmin || p->act_max > qmax || p->act_min > p->act_max ||
	    p->left_shift < 0 || p->left_shift > 31 ||
	    enpu_check_multiplier(p->input1_multiplier, p->input1_shift) ||
	    enpu_check_multiplier(p->input2_multiplier, p->input2_shift) ||
	    enpu_check_multiplier(p->output_multiplier, p->output_shift))
		return -EINVAL;
	if (enpu_check_buf(input1, input1_len, n1) ||
	    enpu_check_buf(input2, input2_len, n2) ||
	    enpu_check_buf(output, output_len, n_out))
		return -EINVAL;

	/* Broadcast rule: equal dims, or one of them 1; the output takes the
	 * larger one and must have the larger rank.
	 */
	extend4(&p->input1, d1);
	extend4(&p->input2, d2);
	extend4(&p->output, dout);
	if (p->output.rank < p->input1.rank || p->output.rank < p->input2.rank)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		if (d1[i] != d2[i] && d1[i] != 1 && d2[i] != 1)
			return -EINVAL;
		if (dout[i] != (d1[i] > d2[i] ? d1[i] : d2[i]))
			return -EINVAL;
	}

	if (n1 == n_out && n2 == n_out) {
		/* Same shapes (up to leading 1s): element-wise. */
		for (size_t i = 0; i < n_out; i += ADD_CANCEL_CHUNK) {
			const size_t n = n_out - i < ADD_CANCEL_CHUNK ?
					 n_out - i : ADD_CANCEL_CHUNK;

			if (enpu_cancelled(p->cancel))
				return -ECANCELED;
			row(p, input1, i, 1, input2, i, 1, output, i, n);
		}
		return 0;
	}

	/* Row-major strides, 0 along broadcast dimensions. */
	size_t s1[4], s2[4], acc1 = 1, acc2 = 1;

	for (int i = 3; i >= 0; i--) {
		s1[i] = d1[i] == 1 ? 0 : acc1;
		s2[i] = d2[i] == 1 ? 0 : acc2;
		acc1 *= (size_t)d1[i];
		acc2 *= (size_t)d2[i];
	}
	size_t o = 0;

	for (int32_t i0 = 0; i0 < dout[0]; i0++)
		for (int32_t i1 = 0; i1 < dout[1]; i1++)
			for (int32_t i2 = 0; i2 < dout[2]; i2++) {
				const size_t b1 = i0 * s1[0] + i1 * s1[1] + i2 * s1[2];
				const size_t b2 = i0 * s2[0] + i1 * s2[1] + i2 * s2[2];

				for (size_t i3 = 0; i3 < (size_t)dout[3];
				     i3 += ADD_CANCEL_CHUNK) {
					const size_t n = (size_t)dout[3] - i3 < ADD_CANCEL_CHUNK ?
							 (size_t)dout[3] - i3 : ADD_CANCEL_CHUNK;

					if (enpu_cancelled(p->cancel))
						return -ECANCELED;
					row(p, input1, b1 + i3 * s1[3], s1[3],
					    input2, b2 + i3 * s2[3], s2[3], output, o, n);
					o += n;
				}
			}
	return 0;
}

int enpu_add(const struct enpu_add_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len)
{
	return add_run(p, INT8_MIN, INT8_MAX, input1, input1_len, input2,
		       input2_len, output, output_len, add_row_i8);
}

int enpu_add_int16(const struct enpu_add_params *p,
		   const int16_t *input1, size_t input1_len,
		   const int16_t *input2, size_t input2_len,
		   int16_t *output, size_t output_len)
{
	return add_run(p, INT16_MIN, INT16_MAX, input1, input1_len, input2,
		       input2_len, output, output_len, add_row_i16);
}
