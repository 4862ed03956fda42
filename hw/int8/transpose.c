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

int enpu_transpose_gather(const struct enpu_transpose_params *p, struct enpu_gather *g)
{
	struct enpu_shape os;
	size_t in_stride[ENPU_MAX_RANK], acc = 1;

	if (!g || enpu_transpose_output_shape(p, &os))
		return -EINVAL;
	/*
	 * In 4-D, leading dims of size 1; step[i] is how far the input moves
	 * when output coordinate i does.
	 */
	const int32_t rank = p->input.rank, lead = 4 - rank;

	for (int32_t i = rank - 1; i >= 0; i--) {
		in_stride[i] = acc;
		acc *= (size_t)p->input.dims[i];
	}
	g->offset = 0;
	for (int32_t i = 0; i < 4; i++) {
		g->count[i] = i < lead ? 1 : os.dims[i - lead];
		g->step[i] = i < lead ? 0 : (int64_t)in_stride[p->perm[i - lead]];
	}
	return 0;
}

int enpu_transpose(const struct enpu_transpose_params *p,
		   const int8_t *input, size_t input_len,
		   int8_t *output, size_t output_len)
{
	struct enpu_gather g;
	size_t count;

	if (enpu_transpose_gather(p, &g) || enpu_shape_count(&p->input, &count) ||
	    enpu_check_buf(input, input_len, count) ||
	    enpu_check_buf(output, output_len, count))
		return -EINVAL;
	enpu_gather_run(&g, input, output);
	return 0;
}
