// SPDX-License-Identifier: MIT
/*
 * STRIDED_SLICE, int8 (TFLite-Micro: StridedSlicePrepare's output shape,
 * reference_ops::StridedSlice with StridedSliceStartForAxis /
 * StridedSliceEndForAxis). Pure data movement.
 */
#include "enpu_int8_internal.h"

/* Where one axis starts, its stride and how many elements it keeps. */
struct slice_axis {
	int64_t start, stride;
	int32_t count;
};

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* An index of an axis of size n as TFLite resolves begin or end. */
static int64_t resolve_index(int64_t v, int64_t n, int64_t stride)
{
	if (v < 0)
		v += n;
	return stride > 0 ? clamp64(v, 0, n) : clamp64(v, -1, n - 1);
}

static int slice_axis(const struct enpu_strided_slice_params *p, int32_t i,
		      struct slice_axis *a)
{
	const int64_t n = p->input.dims[i], stride = p->strides[i];
	const uint32_t bit = 1u << i;
	int64_t start, stop, count;

	if (stride == 0)
		return -EINVAL;
	start = resolve_index(p->begin[i], n, stride);
	if (p->begin_mask & bit)
		start = stride > 0 ? 0 : n - 1;
	if (p->shrink_axis_mask & bit) {
		/*
		 * One element. TFLite-Micro's loop would write nothing for a
		 * negative stride (it stops at start + 1) or a start clamped
		 * to n: rejected rather than left unwritten.
		 */
		if (stride < 0 || start >= n)
			return -EINVAL;
		count = 1;
	} else {
		stop = resolve_index(p->end[i], n, stride);
		if (p->end_mask & bit)
			stop = stride > 0 ? n : -1;
		/*
		 * ceil((stop - start) / stride) in integers: TFLite divides in
		 * float, which gives the same for |stop - start| <= n <= 2^24.
		 */
		if (stride > 0)
			count = stop > start ? (stop - start + stride - 1) / stride : 0;
		else
			count = start > stop ? (start - stop - stride - 1) / -stride : 0;
		if (count < 1)
			return -EINVAL;
	}
	a->start = start;
	a->stride = stride;
	a->count = (int32_t)count;
	return 0;
}

int enpu_strided_slice_output_shape(const struct enpu_strided_slice_params *p,
				    struct enpu_shape *out)
{
	struct enpu_shape s = { 0 };
	struct slice_axis a;
	size_t count;

	if (!p || !out || p->input.rank < 1 ||
	    enpu_shape_count(&p->input, &count))
		return -EINVAL;
	for (int32_t i = 0; i < p->input.rank; i++) {
		if (slice_axis(p, i, &a))
			return -EINVAL;
		if (!(p->shrink_axis_mask & (1u << i)))
			s.dims[s.rank++] = a.count;
	}
	*out = s;
	return 0;
}

int enpu_strided_slice_gather(const struct enpu_strided_slice_params *p,
			      struct enpu_gather *g)
{
	struct enpu_shape os;
	struct slice_axis a;
	size_t acc = 1;

	if (!g || enpu_strided_slice_output_shape(p, &os))
		return -EINVAL;
	/* In 4-D, leading axes of size 1 taken whole. */
	const int32_t rank = p->input.rank, lead = 4 - rank;

	g->offset = 0;
	for (int32_t i = 3; i >= 0; i--) {
		if (i < lead) {
			g->step[i] = 0;
			g->count[i] = 1;
			continue;
		}
		slice_axis(p, i - lead, &a);
		g->offset += a.start * (int64_t)acc;
		g->step[i] = a.stride * (int64_t)acc;
		g->count[i] = a.count;
		acc *= (size_t)p->input.dims[i - lead];
	}
	return 0;
}

int enpu_strided_slice(const struct enpu_strided_slice_params *p,
		       const int8_t *input, size_t input_len,
		       int8_t *output, size_t output_len)
{
	struct enpu_shape os;
	struct enpu_gather g;
	size_t in_count, out_count;

	if (enpu_strided_slice_gather(p, &g) ||
	    enpu_strided_slice_output_shape(p, &os) ||
	    enpu_shape_count(&p->input, &in_count) ||
	    enpu_shape_count(&os, &out_count) ||
	    enpu_check_buf(input, input_len, in_count) ||
	    enpu_check_buf(output, output_len, out_count))
		return -EINVAL;
	/*
	 * Every visited index start + k * stride (k < count) is inside its
	 * axis by construction, so the walk stays in the input.
	 */
	enpu_gather_run(&g, input, output);
	return 0;
}
