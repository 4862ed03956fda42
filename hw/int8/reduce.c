// SPDX-License-Identifier: MIT
/*
 * What the int8 reductions share (MEAN, SUM, REDUCE_MAX): resolving the
 * axes as TFLite's ResolveAxis, the output shape, the walk over each
 * output's inputs and TFLite's QuantizedMeanOrSum arithmetic:
 *
 *   sum  = int32 sum of the raw int8 values of one output's n inputs
 *   MEAN folds 1/n into the multiplier:
 *     s  = min(floor(log2 n), 32, 31 + shift)
 *     M' = (int64(M) << s) / n,  shift' = shift - s
 *   out  = clamp(MBQM(sum - in_zp * n, M', shift') + out_zp)
 *
 * SUM uses M and shift as they are. REDUCE_MAX compares raw values (its
 * output keeps the input's quantization).
 */
#include "enpu_int8_internal.h"

#define MAX_AXES	64

int enpu_reduction_init(const struct enpu_shape *input, const int32_t *axes,
			size_t num_axes, struct enpu_reduction *r)
{
	int32_t dims[4];
	size_t acc;

	if (!input || !r || input->rank < 1 || (num_axes && !axes) ||
	    num_axes > MAX_AXES || enpu_shape_count(input, &r->in_count))
		return -EINVAL;

	const int32_t rank = input->rank, lead = 4 - rank;

	for (int i = 0; i < 4; i++) {
		r->reduced[i] = 0;
		dims[i] = i < lead ? 1 : input->dims[i - lead];
	}
	for (size_t k = 0; k < num_axes; k++) {
		int32_t a = axes[k];

		if (a < 0)
			a += rank;
		if (a < 0 || a >= rank)
			return -EINVAL;
		r->reduced[lead + a] = 1;
	}

	/* Sizes are bounded by in_count (<= ENPU_MAX_ELEMS): no overflow. */
	r->n = 1;
	acc = 1;
	for (int i = 3; i >= 0; i--) {
		r->istride[i] = acc;
		acc *= (size_t)dims[i];
		r->span[i] = r->reduced[i] ? dims[i] : 1;
		if (r->reduced[i])
			r->n *= (size_t)dims[i];
	}
	acc = 1;
	for (int i = 3; i >= 0; i--) {
		r->ostride[i] = r->reduced[i] ? 0 : acc;
		if (!r->reduced[i])
			acc *= (size_t)dims[i];
	}
	r->out_count = acc;
	return 0;
}

int enpu_reduce_output_shape(const struct enpu_shape *input,
			     const int32_t *axes, size_t num_axes,
			     bool keep_dims, struct enpu_shape *out)
{
	struct enpu_reduction r;
	struct enpu_shape s = { 0 };

	if (!out || enpu_reduction_init(input, axes, num_axes, &r))
		return -EINVAL;
	for (int32_t d = 0; d < input->rank; d++) {
		const int reduced = r.reduced[4 - input->rank + d];

		if (!reduced)
			s.dims[s.rank++] = input->dims[d];
		else if (keep_dims)
			s.dims[s.rank++] = 1;
	}
	*out = s;
	return 0;
}

/* Offset in the input of output o's first input. */
static size_t reduction_base(const struct enpu_reduction *r, size_t o)
{
	size_t base = 0;

	for (int i = 0; i < 4; i++) {
		if (!r->reduced[i]) {
			base += o / r->ostride[i] * r->istride[i];
			o %= r->ostride[i];
		}
	}
	return base;
}

/*
 * Fold the sub-box at in: the int64 sum of its values or, with want_max,
 * their maximum. The two callers below pass a constant, so each keeps its
 * own tight inner loop once this is inlined.
 */
static inline int64_t box_fold(const struct enpu_reduction *r, const int8_t *in,
			       int want_max)
{
	int64_t acc = want_max ? INT8_MIN : 0;

	for (int32_t i0 = 0; i0 < r->span[0]; i0++)
		for (int32_t i1 = 0; i1 < r->span[1]; i1++)
			for (int32_t i2 = 0; i2 < r->span[2]; i2++) {
				const int8_t *row = in + i0 * r->istride[0] +
						    i1 * r->istride[1] +
						    i2 * r->istride[2];

				for (int32_t i3 = 0; i3 < r->span[3]; i3++) {
					const int8_t v = row[i3 * r->istride[3]];

					if (!want_max)
						acc += v;
					else if (v > acc)
						acc = v;
				}
			}
	return acc;
}

/*
 * The int32 sum of the sub-box at in. TFLite adds every input into a
 * scratch array of int32 sums, wrapping; one output at a time needs no
 * scratch memory, and the int64 sum wrapped once gives the same bits
 * (wrapping additions do not depend on their order).
 */
static int32_t box_sum(const struct enpu_reduction *r, const int8_t *in)
{
	return enpu_wrap_i64(box_fold(r, in, 0));
}

static int8_t box_max(const struct enpu_reduction *r, const int8_t *in)
{
	return (int8_t)box_fold(r, in, 1);
}

void enpu_reduction_mean_or_sum(const struct enpu_reduction *r,
				const int8_t *input, int8_t *output,
				int32_t input_zero_point,
				int32_t output_zero_point,
				int32_t multiplier, int32_t shift,
				int compute_sum)
{
	const int64_t n = (int64_t)r->n;

	if (!compute_sum) {
		/* Fold 1/n into the multiplier (n >= 1, so s >= 0). */
		int s = 0;

		while (s < 62 && (n >> (s + 1)) != 0)
			s++;			/* floor(log2 n) */
		if (s > 32)
			s = 32;
		if (s > 31 + shift)
			s = 31 + shift;
		multiplier = (int32_t)(((int64_t)multiplier << s) / n);
		shift -= s;
	}
	for (size_t o = 0; o < r->out_count; o++) {
		const int32_t sum = box_sum(r, input + reduction_base(r, o));
		/* TFLite: (int64)(sum - zp * n) cast to int32. */
		const int32_t centered = enpu_wrap_i64((int64_t)sum -
						       (int64_t)input_zero_point * n);

		output[o] = enpu_out_i8(enpu_mbqm(centered, multiplier, shift),
					output_zero_point, -128, 127);
	}
}

void enpu_reduction_max(const struct enpu_reduction *r, const int8_t *input,
			int8_t *output)
{
	for (size_t o = 0; o < r->out_count; o++)
		output[o] = box_max(r, input + reduction_base(r, o));
}
