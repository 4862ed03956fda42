// SPDX-License-Identifier: MIT
/*
 * TRANSPOSE, int8 (TFLite reference_ops::Transpose): output dim i is input
 * dim perm[i]. Pure data movement.
 */
#include "enpu_int8_internal.h"

int enpu_transpose_output_shape(const struct enpu_transpose_params *p,
				struct enpu_shape *out)
{
	struct enpu_shape s = { 0 };
	unsigned int seen = 0;
	size_t count;

	if (!p || !out || p->input.rank < 1 ||
	    enpu_shape_count(&p->input, &count))
		return -EINVAL;
	s.rank = p->input.rank;
	for (int32_t i = 0; i < s.rank; i++) {
		const int32_t a = p->perm[i];

		if (a < 0 || a >= s.rank || (seen & (1u << a)))
			return -EINVAL;
		seen |= 1u << a;
		s.dims[i] = p->input.dims[a];
	}
	*out = s;
	return 0;
}

int enpu_transpose(const struct enpu_transpose_params *p,
		   const int8_t *input, size_t input_len,
		   int8_t *output, size_t output_len)
{
	struct enpu_shape os;
	size_t count, istride[4], acc = 1;
	int32_t odims[4];

	if (enpu_transpose_output_shape(p, &os) ||
	    enpu_shape_count(&p->input, &count) ||
	    enpu_check_buf(input, input_len, count) ||
	    enpu_check_buf(output, output_len, count))
		return -EINVAL;

	/*
	 * In 4-D, leading dims of size 1 mapped to themselves. Walk the
	 * output in order; stride[i] is how far the input moves when output
	 * coordinate i does.
	 */
	const int32_t rank = p->input.rank, lead = 4 - rank;
	size_t in_stride[ENPU_MAX_RANK];

	for (int32_t i = rank - 1; i >= 0; i--) {
		in_stride[i] = acc;
		acc *= (size_t)p->input.dims[i];
	}
	for (int32_t i = 0; i < 4; i++) {
		odims[i] = i < lead ? 1 : os.dims[i - lead];
		istride[i] = i < lead ? 0 : in_stride[p->perm[i - lead]];
	}

	int8_t *dst = output;

	for (int32_t o0 = 0; o0 < odims[0]; o0++)
		for (int32_t o1 = 0; o1 < odims[1]; o1++)
			for (int32_t o2 = 0; o2 < odims[2]; o2++) {
				const int8_t *src = input + o0 * istride[0] +
						    o1 * istride[1] +
						    o2 * istride[2];

				for (int32_t o3 = 0; o3 < odims[3]; o3++)
					*dst++ = src[o3 * istride[3]];
			}
	return 0;
}
