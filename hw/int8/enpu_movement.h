/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU INT8 kernels: TRANSPOSE, STRIDED_SLICE, SPLIT,
 * RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR. Included by enpu_int8.h.
 *
 * None of them requantizes: TFLite gives (or, for TRANSPOSE and
 * STRIDED_SLICE, assumes) the outputs the input's scale and zero point, so
 * they move raw int8 values and RESIZE_BILINEAR interpolates them.
 */
#ifndef ENPU_INT8_MOVEMENT_H
#define ENPU_INT8_MOVEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enpu_int8.h"

/* ---- The walk TRANSPOSE, STRIDED_SLICE and SPLIT share ---------------------- */

/*
 * A 4-D gather: output element (k0, k1, k2, k3), in row-major order, is
 * input element offset + k0 * step[0] + ... + k3 * step[3], for
 * k_i < count[i]. Steps are in elements and may be negative (a slice
 * walking backwards) or 0 (a leading axis of size 1). It is how the
 * kernels below move data, and how the NPU compiler writes them as DMA
 * copies.
 */
struct enpu_gather {
	int64_t offset;
	int64_t step[4];
	int32_t count[4];
};

/* ---- TRANSPOSE -------------------------------------------------------------- */

/*
 * Output dim i is input dim perm[i] (TFLite reference_ops::Transpose), for
 * a rank 1..4 input. perm[0..rank) must be a permutation of 0..rank-1:
 * TFLite only checks that each entry is in range, a repeated one is
 * rejected here too.
 */
struct enpu_transpose_params {
	struct enpu_shape input;
	int32_t perm[ENPU_MAX_RANK];
};

/* Output shape of a transpose; -EINVAL if parameters are invalid. */
int enpu_transpose_output_shape(const struct enpu_transpose_params *p,
				struct enpu_shape *out);

/* The transpose as a gather (offset 0); -EINVAL if parameters are invalid. */
int enpu_transpose_gather(const struct enpu_transpose_params *p, struct enpu_gather *g);

int enpu_transpose(const struct enpu_transpose_params *p,
		   const int8_t *input, size_t input_len,
		   int8_t *output, size_t output_len);

/* ---- STRIDED_SLICE ------------------------------------------------------------ */

/*
 * input[begin:end:strides] of a rank 1..4 input, with TFLite-Micro's rules
 * (its Prepare forces ellipsis_mask and new_axis_mask to 0 and ignores
 * offset, so they have no field here). Per axis of size n:
 *   start = begin (+ n if negative), clamped to [0, n] for a positive
 *           stride, [-1, n - 1] for a negative one; begin_mask: 0 / n - 1
 *   stop  = the same from end; end_mask: n / -1
 *   the axis keeps ceil((stop - start) / stride) elements.
 * A shrink_axis_mask bit takes the one element at start and drops the axis
 * from the output. TFLite-Micro applies begin_mask on a shrunk axis too
 * (TF does not: x[-4] of a [5] with begin_mask gives x[0] here, x[1] in
 * TF); that is kept. Mask bits at or above the rank are ignored, as in
 * TFLite-Micro.
 * Rejected: a zero stride, an axis left with no element (shapes have no
 * zero dims), a shrunk axis with a negative stride or a start past its end
 * (TFLite-Micro writes nothing for those).
 */
struct enpu_strided_slice_params {
	struct enpu_shape input;
	int32_t begin[ENPU_MAX_RANK];
	int32_t end[ENPU_MAX_RANK];
	int32_t strides[ENPU_MAX_RANK];
	uint32_t begin_mask, end_mask, shrink_axis_mask;
};

/* Output shape (shrunk axes removed, so possibly rank 0), or -EINVAL. */
int enpu_strided_slice_output_shape(const struct enpu_strided_slice_params *p,
				    struct enpu_shape *out);

/* The slice as a gather; -EINVAL as enpu_strided_slice_output_shape(). */
int enpu_strided_slice_gather(const struct enpu_strided_slice_params *p,
			      struct enpu_gather *g);

int enpu_strided_slice(const struct enpu_strided_slice_params *p,
		       const int8_t *input, size_t input_len,
		       int8_t *output, size_t output_len);

/* ---- SPLIT -------------------------------------------------------------------- */

/*
 * SPLIT of a rank 1..4 input into num_splits equal parts along axis
 * (negative counts from the end): outputs[i] gets the i-th part. The
 * axis' dim must be a multiple of num_splits. Every output has the shape
 * enpu_split_output_shape() gives and its own buffer and length.
 */
struct enpu_split_params {
	struct enpu_shape input;
	int32_t axis;
	int32_t num_splits;		/* the number of outputs, >= 1 */
};

/* Shape of each output, or -EINVAL. */
int enpu_split_output_shape(const struct enpu_split_params *p,
			    struct enpu_shape *out);

int enpu_split(const struct enpu_split_params *p,
	       const int8_t *input, size_t input_len,
	       int8_t *const *outputs, const size_t *output_lens);

/* ---- RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR -------------------------------- */

/*
 * Resize of an NHWC input's H and W to output_height x output_width (the
 * op's size tensor); N and C are kept. The input and output heights and
 * widths are at most 2^20 (RESIZE_BILINEAR's integer arithmetic keeps 10
 * fractional bits in int32).
 *
 * RESIZE_NEAREST_NEIGHBOR (TFLite GetNearestNeighbor, in float as TFLite):
 * scale = (in - 1) / (out - 1) with align_corners and out > 1, else
 * in / out; source = (x + (half_pixel_centers ? 0.5 : 0)) * scale,
 * rounded (align_corners) or floored, at most in - 1 and with
 * half_pixel_centers at least 0. TFLite-Micro runs it with both options
 * set: so does this.
 *
 * RESIZE_BILINEAR, int8 (TFLite ResizeBilinearInteger, no float): source
 * coordinates in 1/1024 units from scale_10 = round(1024 * in / out) (or
 * the align_corners ratio), half_pixel_centers shifting by half a pixel;
 * the four neighbours weighted in 1/2^20, rounded half away from zero.
 * Rejected: both options set (TFLite rejects it), and a resize whose last
 * output row or column would read past the input (TFLite's rounded
 * scale_10 reaches beyond it for some large enlargements; it reads out of
 * bounds there).
 */
struct enpu_resize_params {
	struct enpu_nhwc input;
	int32_t output_height, output_width;
	bool align_corners, half_pixel_centers;
};

/* Output shape [N, output_height, output_width, C], or -EINVAL. */
int enpu_resize_output_shape(const struct enpu_resize_params *p,
			     struct enpu_nhwc *out);

/*
 * The input row (@width 0) or column (@width 1) that output row or
 * column @out of a nearest-neighbour resize reads, in *in.
 */
int enpu_resize_nearest_source(const struct enpu_resize_params *p, int width, int32_t out,
			       int32_t *in);

int enpu_resize_nearest_neighbor(const struct enpu_resize_params *p,
				 const int8_t *input, size_t input_len,
				 int8_t *output, size_t output_len);

int enpu_resize_bilinear(const struct enpu_resize_params *p,
			 const int8_t *input, size_t input_len,
			 int8_t *output, size_t output_len);

#endif /* ENPU_INT8_MOVEMENT_H */
