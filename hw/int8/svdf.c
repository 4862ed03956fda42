// SPDX-License-Identifier: MIT
/*
 * SVDF, int8 input/output with int16 time weights and activation state
 * (TFLite-Micro's EvalIntegerSvdfReference<int16_t>; see enpu_wide.h for
 * the three steps).
 *
 * TFLite-Micro shifts the whole state buffer left by one element, which
 * moves every filter's memory one slot toward the oldest and carries the
 * next filter's oldest value into each newest slot -- all of those are
 * then overwritten by the new feature activations, so a per-filter shift
 * is the same. It keeps the per-filter time dot products in an int32
 * scratch and sums them per unit into a second one; here each unit's
 * rank * memory products are summed at once. All these int32 sums wrap, so
 * the order does not change the result.
 */
#include <string.h>

#include "enpu_int8_internal.h"

static int scale_ok(float s)
{
	return isfinite(s) && s > 0.0f;
}

int enpu_svdf_derive(float input_scale, float weights_feature_scale,
		     float weights_time_scale, float bias_scale,
		     float state_scale, float output_scale,
		     struct enpu_svdf_params *p)
{
	int s1, s2;

	if (!p || !scale_ok(input_scale) || !scale_ok(weights_feature_scale) ||
	    !scale_ok(weights_time_scale) || !scale_ok(state_scale) ||
	    !scale_ok(output_scale) || !isfinite(bias_scale) || bias_scale < 0.0f)
		return -EINVAL;

	/* Float products and quotients, each rounded to float (the float
	 * variables force it), then widened: TFLite-Micro's expression.
	 */
	const float in_wf = input_scale * weights_feature_scale;
	const float scale_1 = in_wf / state_scale;
	const float st_wt = state_scale * weights_time_scale;
	const float scale_2 = st_wt / output_scale;

	if (bias_scale > 0.0f &&
	    !(fabs((double)bias_scale - (double)st_wt) < 1e-5))
		return -EINVAL;
	if (enpu_quantize_multiplier((double)scale_1, &p->effective_scale_1_a, &s1) ||
	    enpu_quantize_multiplier((double)scale_2, &p->effective_scale_2_a, &s2) ||
	    enpu_check_multiplier(p->effective_scale_1_a, s1) ||
	    enpu_check_multiplier(p->effective_scale_2_a, s2))
		return -EINVAL;
	p->effective_scale_1_b = s1;
	p->effective_scale_2_b = s2;
	return 0;
}

static int svdf_validate(const struct enpu_svdf_params *p,
			 const int8_t *input, size_t input_len,
			 const int8_t *weights_feature, size_t wf_len,
			 const int16_t *weights_time, size_t wt_len,
			 const int32_t *bias, size_t bias_len,
			 const int16_t *state, size_t state_len,
			 const int8_t *output, size_t output_len)
{
	size_t filters, in_count, wf_count, wt_count, state_count, out_count;

	if (!p || !enpu_dim_ok(p->batches) || !enpu_dim_ok(p->input_size) ||
	    !enpu_dim_ok(p->units) || !enpu_dim_ok(p->rank) ||
	    !enpu_dim_ok(p->memory_size))
		return -EINVAL;
	if (enpu_mul_size((size_t)p->units, (size_t)p->rank, &filters) ||
	    enpu_mul_size((size_t)p->batches, (size_t)p->input_size, &in_count) ||
	    enpu_mul_size(filters, (size_t)p->input_size, &wf_count) ||
	    enpu_mul_size(filters, (size_t)p->memory_size, &wt_count) ||
	    enpu_mul_size((size_t)p->batches, wt_count, &state_count) ||
	    enpu_mul_size((size_t)p->batches, (size_t)p->units, &out_count) ||
	    in_count > ENPU_MAX_ELEMS || wf_count > ENPU_MAX_ELEMS ||
	    state_count > ENPU_MAX_ELEMS || out_count > ENPU_MAX_ELEMS)
		return -EINVAL;
	if (enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    p->state_zero_point < INT16_MIN || p->state_zero_point > INT16_MAX ||
	    enpu_check_multiplier(p->effective_scale_1_a, p->effective_scale_1_b) ||
	    enpu_check_multiplier(p->effective_scale_2_a, p->effective_scale_2_b))
		return -EINVAL;
	if (enpu_check_buf(input, input_len, in_count) ||
	    enpu_check_buf(weights_feature, wf_len, wf_count) ||
	    enpu_check_buf(weights_time, wt_len, wt_count) ||
	    enpu_check_buf(state, state_len, state_count) ||
	    enpu_check_buf(output, output_len, out_count) ||
	    (bias && bias_len < (size_t)p->units))
		return -EINVAL;
	return 0;
}

int enpu_svdf(const struct enpu_svdf_params *p,
	      const int8_t *input, size_t input_len,
	      const int8_t *weights_feature, size_t weights_feature_len,
	      const int16_t *weights_time, size_t weights_time_len,
	      const int32_t *bias, size_t bias_len,
	      int16_t *state, size_t state_len,
	      int8_t *output, size_t output_len)
{
	if (svdf_validate(p, input, input_len, weights_feature,
			  weights_feature_len, weights_time, weights_time_len,
			  bias, bias_len, state, state_len, output, output_len))
		return -EINVAL;

	const size_t depth = (size_t)p->input_size;
	const size_t memory = (size_t)p->memory_size;
	const size_t filters = (size_t)p->units * (size_t)p->rank;
	const size_t row = filters * memory;	/* one batch's state */

	for (int32_t b = 0; b < p->batches; b++) {
		const int8_t *x = input + (size_t)b * depth;
		int16_t *s_b = state + (size_t)b * row;

		/* 1 and 2: age the memories, then the new feature column. */
		for (size_t f = 0; f < filters; f++) {
			const int8_t *w = weights_feature + f * depth;
			int16_t *s = s_b + f * memory;
			int64_t dot = 0;

			memmove(s, s + 1, (memory - 1) * sizeof(*s));
			for (size_t i = 0; i < depth; i++)
				dot += (int32_t)w[i] * (x[i] - p->input_zero_point);
			const int32_t v = enpu_clamp_i32(
				enpu_mbqm(enpu_wrap_i64(dot), p->effective_scale_1_a,
					  p->effective_scale_1_b),
				INT16_MIN, INT16_MAX);
			/* TFLite stores zp + v into int16: it wraps if zp != 0. */
			s[memory - 1] = (int16_t)(uint16_t)(uint32_t)(p->state_zero_point + v);
		}

		/* 3: time weights over every filter of each unit, bias, output. */
		for (int32_t u = 0; u < p->units; u++) {
			const size_t f0 = (size_t)u * (size_t)p->rank;
			const int16_t *wt = weights_time + f0 * memory;
			const int16_t *s = s_b + f0 * memory;
			const size_t n = (size_t)p->rank * memory;
			int64_t acc = bias ? bias[u] : 0;

			/* n <= 2^31 products below 2^32: no int64 overflow. */
			for (size_t m = 0; m < n; m++)
				acc += (int64_t)wt[m] * (s[m] - p->state_zero_point);
			output[(size_t)b * p->units + u] = enpu_out_i8(
				enpu_mbqm(enpu_wrap_i64(acc), p->effective_scale_2_a,
					  p->effective_scale_2_b),
				p->output_zero_point, -128, 127);
		}
	}
	return 0;
}
