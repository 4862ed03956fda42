// SPDX-License-Identifier: MIT
/*
 * MEAN, int8 (TFLite reference_ops::QuantizedMeanOrSum, the path TFLite
 * Micro takes for every int8 MEAN):
 *
 *   sum  = int32 sum of the raw int8 values of one output's n inputs
 *   s    = min(floor(log2 n), 32, 31 + shift)
 *   M'   = (int64(M) << s) / n            (1/n folded into the multiplier)
 *   out  = clamp(MBQM(sum - in_zp * n, M', shift - s) + out_zp)
 *
 * M/shift requantize input scale -> output scale (enpu_derive_rescale).
 */
#include "enpu_int8_internal.h"

/* Resolve axes like TFLite: negative counts from the end, duplicates
 * ignored. reduced[d] = 1 for reduced dimensions.
 */
static int mean_resolve(const struct enpu_mean_params *p, int reduced[4])
{
	const int32_t rank = p->input.rank;

	if (rank < 1 || (p->num_axes && !p->axes) || p->num_axes > 64)
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		reduced[i] = 0;
	for (size_t k = 0; k < p->num_axes; k++) {
		int32_t a = p->axes[k];

		if (a < 0)
			a += rank;
		if (a < 0 || a >= rank)
			return -EINVAL;
		reduced[a] = 1;
	}
	return 0;
}

int enpu_mean_output_count(const struct enpu_mean_params *p, size_t *count)
{
	int reduced[4];
	size_t in_count, n = 1;

	if (!p || !count || enpu_shape_count(&p->input, &in_count) ||
	    mean_resolve(p, reduced))
		return -EINVAL;
	for (int32_t d = 0; d < p->input.rank; d++)
		if (!reduced[d])
			n *= (size_t)p->input.dims[d];
	*count = n;
	return 0;
}

int enpu_mean(const struct enpu_mean_params *p,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len)
{
	int reduced[4];
	size_t in_count, out_count;
	int32_t dims[4];

	if (enpu_mean_output_count(p, &out_count) ||
	    enpu_shape_count(&p->input, &in_count) ||
	    mean_resolve(p, reduced) ||
	    enpu_check_zp(p->input_zero_point) ||
	    enpu_check_zp(p->output_zero_point) ||
	    enpu_check_multiplier(p->multiplier, p->shift) ||
	    enpu_check_buf(input, input_len, in_count) ||
	    enpu_check_buf(output, output_len, out_count))
		return -EINVAL;

	/* Work in 4-D with leading non-reduced dims of size 1. */
	const int32_t lead = 4 - p->input.rank;
	int red4[4];

	for (int i = 0; i < 4; i++) {
		dims[i] = i < lead ? 1 : p->input.dims[i - lead];
		red4[i] = i < lead ? 0 : reduced[i - lead];
	}
	const int64_t n = (int64_t)(in_count / out_count);

	/* Output strides over the kept dims (0 on reduced ones). */
	size_t ostride[4], acc = 1;

	for (int i = 3; i >= 0; i--) {
		ostride[i] = red4[i] ? 0 : acc;
		if (!red4[i])
			acc *= (size_t)dims[i];
	}

	/* Fold 1/n into the multiplier (n >= 1, so s >= 0). */
	int s = 0;

	while (s < 62 && (n >> (s + 1)) != 0)
		s++;			/* floor(log2 n) */
	if (s > 32)
		s = 32;
	if (s > 31 + p->shift)
		s = 31 + p->shift;
	const int32_t multiplier =
		(int32_t)(((int64_t)p->multiplier << s) / n);
	const int shift = p->shift - s;

	/*
	 * No scratch memory: for each output, sum the sub-box spanned by the
	 * reduced dims (kept dims are fixed at the output's coordinates).
	 */
	size_t istride[4];
	int32_t span[4];

	acc = 1;
	for (int i = 3; i >= 0; i--) {
		istride[i] = acc;
		acc *= (size_t)dims[i];
		span[i] = red4[i] ? dims[i] : 1;
	}
	for (size_t o = 0; o < out_count; o++) {
		size_t rem = o, base = 0;
		int64_t sum = 0;

		for (int i = 0; i < 4; i++) {
			if (!red4[i]) {
				base += rem / ostride[i] * istride[i];
				rem %= ostride[i];
			}
		}
		for (int32_t i0 = 0; i0 < span[0]; i0++)
			for (int32_t i1 = 0; i1 < span[1]; i1++)
				for (int32_t i2 = 0; i2 < span[2]; i2++) {
					const int8_t *row = input + base +
						i0 * istride[0] + i1 * istride[1] +
						i2 * istride[2];

					for (int32_t i3 = 0; i3 < span[3]; i3++)
						sum += row[i3 * istride[3]];
				}
		/* TFLite: int32 temp_sum, then (int64) - zp * n cast to int32. */
		const int32_t sum32 = enpu_wrap_i64(sum);
		const int32_t centered = enpu_wrap_i64((int64_t)sum32 -
						       (int64_t)p->input_zero_point * n);
		const int32_t v = enpu_mbqm(centered, multiplier, shift);

		output[o] = enpu_out_i8(v, p->output_zero_point, -128, 127);
	}
	return 0;
}
