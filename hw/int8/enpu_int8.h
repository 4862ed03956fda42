/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU INT8 operator kernels: bit-exact with TensorFlow Lite Micro's
 * reference kernels (see shared/spec/int8-arithmetic.md).
 *
 * Rules common to every kernel:
 *  - Activations are NHWC, row-major. Shapes are int32 dimensions; every
 *    dimension must be in [1, ENPU_MAX_DIM] and every tensor must have at
 *    most ENPU_MAX_ELEMS elements.
 *  - Buffers are provided by the caller together with their length in
 *    elements; a buffer shorter than its shape requires is an error
 *    (longer is fine, the tail is ignored). The kernels never allocate;
 *    some use a few tens of KiB of stack.
 *  - Every parameter is validated before any buffer is touched; invalid
 *    parameters return -EINVAL and nothing is written. The kernels are
 *    meant to be fed by untrusted guests: all size arithmetic is
 *    overflow-checked and every memory access stays inside the buffers.
 *    The only exception to "nothing written" is SOFTMAX, which can detect
 *    a row whose sum overflows TFLite's fixed-point range only after it
 *    wrote earlier rows.
 *  - Outputs must not overlap inputs: the result would be meaningless, but
 *    every access still stays inside the given buffers.
 *  - Quantized multipliers follow TFLite: int32 multiplier >= 0 (Q0.31) and
 *    shift in [-31, 31], > 0 meaning a left shift.
 *  - Zero points are in [-128, 127]; act_min <= act_max, both in
 *    [-128, 127].
 *  - Returns 0 on success or a negative errno value.
 *  - Cancellation: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD and the
 *    pools take an optional flag (params' cancel, NULL for none) that they
 *    read between units of bounded work -- an output pixel of the
 *    convolutions and pools (at most the filter's or the window's size in
 *    MACs or reads), or one channel of it for the filters too deep or
 *    large for the fast paths (kh x kw x cin MACs), four outputs of
 *    FULLY_CONNECTED, 64 Ki elements of ADD. Once it reads non-zero the
 *    kernel returns -ECANCELED with the output partly written. The device model sets it to stop a command
 *    in the middle for a reset or an abort (hw/README.md, "Reset").
 */
#ifndef ENPU_INT8_H
#define ENPU_INT8_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "enpu_quant.h"

#define ENPU_MAX_RANK	4
#define ENPU_MAX_DIM	(1 << 24)
#define ENPU_MAX_ELEMS	INT32_MAX

/* A 4-D NHWC shape (or OHWI / 1HWC for filters). */
struct enpu_nhwc {
	int32_t n, h, w, c;
};

/* A shape of rank 0..ENPU_MAX_RANK (rank 0 = scalar, one element). */
struct enpu_shape {
	int32_t rank;
	int32_t dims[ENPU_MAX_RANK];
};

/* Number of elements of a shape, or -EINVAL if it is invalid. */
int enpu_shape_count(const struct enpu_shape *shape, size_t *count);

/* ---- Prepare-time helpers (TFLite's derivations, bit-exact) -------------- */

enum enpu_padding {
	ENPU_PADDING_SAME = 1,	/* TfLitePadding values */
	ENPU_PADDING_VALID = 2,
};

/*
 * Output size and leading padding of one spatial axis, as TFLite's
 * ComputePaddingHeightWidth: SAME gives out = ceil(in / stride), VALID
 * out = (in + stride - eff) / stride with eff = (k - 1) * dilation + 1;
 * total = max((out - 1) * stride + eff - in, 0), before = total / 2,
 * offset = total % 2 (the odd pixel goes after). Any pointer may be NULL.
 */
int enpu_compute_padding(enum enpu_padding padding, int32_t in_size,
			 int32_t filter_size, int32_t stride, int32_t dilation,
			 int32_t *out_size, int32_t *pad_before,
			 int32_t *pad_offset);

/*
 * Per-channel conv / depthwise / per-channel FC multipliers: for every
 * channel QuantizeMultiplier(double(in_scale) * double(w_scale[c]) /
 * double(out_scale)). num_scales is 1 (broadcast) or num_channels.
 * These derivations give -EINVAL, as for a bad scale, when a multiplier
 * would need a shift outside -31..31, which no kernel runs.
 */
int enpu_derive_per_channel(float input_scale, const float *weight_scales,
			    size_t num_scales, float output_scale,
			    int32_t *multipliers, int32_t *shifts,
			    size_t num_channels);

/*
 * Per-tensor FULLY_CONNECTED: QuantizeMultiplier(double(float(in_scale *
 * w_scale)) / double(out_scale)) -- TFLite multiplies the two scales in
 * float here (GetQuantizedConvolutionMultipler).
 */
int enpu_derive_fc_per_tensor(float input_scale, float weight_scale,
			      float output_scale, int32_t *multiplier,
			      int32_t *shift);

/* Requantization (QUANTIZE int8->int8, MEAN): QuantizeMultiplier(in / out). */
int enpu_derive_rescale(float input_scale, float output_scale,
			int32_t *multiplier, int32_t *shift);

/* ---- Weights packed once ---------------------------------------------------- */

/*
 * CONV_2D's or FULLY_CONNECTED's int8 weights ([channels][k_len], row-major)
 * packed for the CPU's u8 x s8 GEMM (enpu_gemm.h) with each channel's sum.
 * A kernel given them (the params' @packed) does not pack its weights at
 * every call; one without them, or on a CPU variant without the GEMM,
 * reads the weights as they are. The CPU backend packs each layer it runs
 * once, when the model is made.
 */
struct enpu_rq_table;

/* What a layer's requantisation tables were made for (enpu_gemm_weights_requant). */
struct enpu_gemm_rq_key {
	const int32_t *bias, *multipliers, *shifts;
	size_t qstep;
	int32_t input_zero_point, output_zero_point, act_min, act_max;
	int gemm_signed;
};

struct enpu_gemm_weights {
	int8_t *data;
	int32_t *sums;
	int32_t channels;
	size_t k_len;
	/* the requantisation, made once, or NULL: see enpu_gemm_weights_requant() */
	struct enpu_rq_table *rq;
	struct enpu_gemm_rq_key rq_key;
};

/*
 * Packs @w (@channels rows of @k_len): 0, -ENOTSUP when the variant in use
 * has no GEMM for that many channels (enpu_gemm.h: a GEMV for fewer than
 * eight), or the rows are longer than it serves, -EINVAL, -ENOMEM.
 */
int enpu_gemm_weights_pack(struct enpu_gemm_weights *pw, const int8_t *w,
			   int32_t channels, size_t k_len);
/*
 * Makes @pw's requantisation tables once, the sums' correction folded into
 * the bias (enpu_gemm.h), for a layer of these quantisation parameters
 * (@bias may be NULL; @qstep 1 per channel, 0 per tensor), so that a call
 * does not make them again. A call uses them when its layer passes the
 * same arrays (the same addresses, unchanged since) and values, on a
 * variant of the same kind; otherwise it makes its own, as without them.
 * 0, -EINVAL (not packed), -ENOMEM (then @pw is as before).
 */
int enpu_gemm_weights_requant(struct enpu_gemm_weights *pw, const int32_t *bias,
			      const int32_t *multipliers, const int32_t *shifts, size_t qstep,
			      int32_t input_zero_point, int32_t output_zero_point,
			      int32_t act_min, int32_t act_max);
/* Frees what enpu_gemm_weights_pack() allocated (and zeroes @pw). */
void enpu_gemm_weights_free(struct enpu_gemm_weights *pw);

/* ---- CONV_2D --------------------------------------------------------------- */

struct enpu_conv2d_params {
	struct enpu_nhwc input;		/* [N, H, W, Cin] */
	struct enpu_nhwc filter;	/* [Cout, KH, KW, Cin] (OHWI) */
	struct enpu_nhwc output;	/* [N, OH, OW, Cout] */
	int32_t stride_h, stride_w;
	int32_t dilation_h, dilation_w;
	int32_t pad_top, pad_left;	/* enpu_compute_padding() "before" */
	int32_t input_zero_point, output_zero_point;
	int32_t act_min, act_max;
	const int32_t *multipliers;	/* [num_quant], per output channel */
	const int32_t *shifts;		/* [num_quant] */
	size_t num_quant;		/* must equal Cout */
	const atomic_int *cancel;	/* may be NULL: see the top of this file */
	const struct enpu_gemm_weights *packed;	/* may be NULL: the filter, packed */
};

/* bias may be NULL (bias_len ignored) or hold at least Cout values. */
int enpu_conv2d(const struct enpu_conv2d_params *p,
		const int8_t *input, size_t input_len,
		const int8_t *filter, size_t filter_len,
		const int32_t *bias, size_t bias_len,
		int8_t *output, size_t output_len);
/*
 * enpu_gemm_weights_requant() for a conv of @p whose filter @pw holds
 * packed, with @bias (may be NULL): what enpu_conv2d() then uses.
 */
int enpu_conv2d_requant(struct enpu_gemm_weights *pw, const struct enpu_conv2d_params *p,
			const int32_t *bias);

/* ---- DEPTHWISE_CONV_2D ----------------------------------------------------- */

/*
 * A DEPTHWISE_CONV_2D's weights made ready once (enpu_dw_weights_prepare()),
 * as the CPU variant in use then reads them (widened, each channel's sum),
 * and its requantisation tables (enpu_dw_weights_requant()), so that a
 * call does neither. A call uses them when its layer has their shape on
 * that same variant, and the tables when it passes the same arrays and
 * values; otherwise it makes its own, as without them. The caller keeps
 * them with the weights they were made from.
 */
struct enpu_dw_weights {
	void *mem;			/* owned: everything below */
	size_t bytes;			/* its size (the tables not counted) */
	const void *variant;		/* the enpu_dot_ops they were made for */
	int16_t *wide;			/* for enpu_dot_ops.dw_run, or NULL */
	int8_t *row_w;			/* for enpu_dot_ops.dw_rows, or NULL */
	int32_t *sums;
	int32_t channels, taps, depth_multiplier, filter_h;
	/* the requantisation, made once, or NULL (rq_key.gemm_signed: the rows are signed) */
	struct enpu_rq_table *rq;
	struct enpu_gemm_rq_key rq_key;
};

struct enpu_dwconv2d_params;

/*
 * Makes @dw for the layer @p of weights @filter: 0, -ENOTSUP when the
 * variant in use has no run of such a layer (then a call reads @filter
 * as it is), -EINVAL, -ENOMEM.
 */
int enpu_dw_weights_prepare(struct enpu_dw_weights *dw, const struct enpu_dwconv2d_params *p,
			    const int8_t *filter);
/* Adds @dw's requantisation tables, for @p with @bias (may be NULL). */
int enpu_dw_weights_requant(struct enpu_dw_weights *dw, const struct enpu_dwconv2d_params *p,
			    const int32_t *bias);
void enpu_dw_weights_free(struct enpu_dw_weights *dw);

struct enpu_dwconv2d_params {
	struct enpu_nhwc input;		/* [N, H, W, Cin] */
	struct enpu_nhwc filter;	/* [1, KH, KW, Cout] */
	struct enpu_nhwc output;	/* [N, OH, OW, Cout], Cout = Cin * mult */
	int32_t depth_multiplier;
	int32_t stride_h, stride_w;
	int32_t dilation_h, dilation_w;
	int32_t pad_top, pad_left;
	int32_t input_zero_point, output_zero_point;
	int32_t act_min, act_max;
	const int32_t *multipliers;	/* [Cout] */
	const int32_t *shifts;		/* [Cout] */
	size_t num_quant;		/* must equal Cout */
	const atomic_int *cancel;	/* may be NULL: see the top of this file */
	const struct enpu_dw_weights *prepared;	/* may be NULL: the weights, made ready */
};

int enpu_depthwise_conv2d(const struct enpu_dwconv2d_params *p,
			  const int8_t *input, size_t input_len,
			  const int8_t *filter, size_t filter_len,
			  const int32_t *bias, size_t bias_len,
			  int8_t *output, size_t output_len);

/* ---- FULLY_CONNECTED ------------------------------------------------------- */

/*
 * out[b][o] = requant(bias[o] + sum_i w[o][i] * (x[b][i] - in_zp)).
 * Weights [output_depth, input_depth], symmetric (zero point 0, as TFLite
 * requires). num_quant is 1 (per-tensor) or output_depth (per-channel).
 */
struct enpu_fc_params {
	int32_t batches;
	int32_t input_depth;		/* accumulation depth */
	int32_t output_depth;
	int32_t input_zero_point, output_zero_point;
	int32_t act_min, act_max;
	const int32_t *multipliers;
	const int32_t *shifts;
	size_t num_quant;
	const atomic_int *cancel;	/* may be NULL: see the top of this file */
	const struct enpu_gemm_weights *packed;	/* may be NULL: the weights, packed */
};

int enpu_fully_connected(const struct enpu_fc_params *p,
			 const int8_t *input, size_t input_len,
			 const int8_t *filter, size_t filter_len,
			 const int32_t *bias, size_t bias_len,
			 int8_t *output, size_t output_len);
/* The same for a fully-connected layer's weights (enpu_fully_connected()). */
int enpu_fc_requant(struct enpu_gemm_weights *pw, const struct enpu_fc_params *p,
		    const int32_t *bias);

/* ---- ADD -------------------------------------------------------------------- */

/*
 * Element-wise quantized add with NumPy/TFLite broadcasting (shapes are
 * right-aligned; a dimension broadcasts when it is 1 or missing).
 */
struct enpu_add_params {
	struct enpu_shape input1, input2, output;
	int32_t input1_zero_point, input2_zero_point, output_zero_point;
	int32_t left_shift;		/* 20 for int8 */
	int32_t input1_multiplier, input1_shift;
	int32_t input2_multiplier, input2_shift;
	int32_t output_multiplier, output_shift;
	int32_t act_min, act_max;
	const atomic_int *cancel;	/* may be NULL: see the top of this file */
};

/*
 * TFLite's ADD Prepare: left_shift 20, twice_max = 2 * max(s1, s2), input
 * multipliers s_k / twice_max and output multiplier twice_max / (2^20 *
 * s_out). Fills the multiplier, shift and left_shift fields of p.
 * -EINVAL if a multiplier would not be < 1 (TFLite rejects that too).
 */
int enpu_add_derive(float input1_scale, float input2_scale,
		    float output_scale, struct enpu_add_params *p);

int enpu_add(const struct enpu_add_params *p,
	     const int8_t *input1, size_t input1_len,
	     const int8_t *input2, size_t input2_len,
	     int8_t *output, size_t output_len);

/* ---- AVERAGE_POOL_2D / MAX_POOL_2D ----------------------------------------- */

struct enpu_pool_params {
	struct enpu_nhwc input;		/* [N, H, W, C] */
	struct enpu_nhwc output;	/* [N, OH, OW, C] */
	int32_t filter_h, filter_w;
	int32_t stride_h, stride_w;
	int32_t pad_top, pad_left;
	int32_t act_min, act_max;
	const atomic_int *cancel;	/* may be NULL: see the top of this file */
};

/*
 * Input and output share scale and zero point (TFLite int8 pooling does
 * not rescale). Every output window must overlap the input.
 */
int enpu_avg_pool(const struct enpu_pool_params *p,
		  const int8_t *input, size_t input_len,
		  int8_t *output, size_t output_len);
int enpu_max_pool(const struct enpu_pool_params *p,
		  const int8_t *input, size_t input_len,
		  int8_t *output, size_t output_len);

/* ---- PAD / PADV2 ------------------------------------------------------------ */

/*
 * Constant padding of a rank 1..4 tensor. Output dims are
 * before[i] + input.dims[i] + after[i]; PAD uses the output zero point as
 * value, PADV2 its constant input.
 */
struct enpu_pad_params {
	struct enpu_shape input;
	int32_t before[ENPU_MAX_RANK];
	int32_t after[ENPU_MAX_RANK];
	int8_t value;
};

/* Output shape of a pad; -EINVAL if parameters are invalid. */
int enpu_pad_output_shape(const struct enpu_pad_params *p,
			  struct enpu_shape *out);

int enpu_pad(const struct enpu_pad_params *p,
	     const int8_t *input, size_t input_len,
	     int8_t *output, size_t output_len);

/* ---- CONCATENATION ---------------------------------------------------------- */

/*
 * Concatenate num_inputs tensors of equal rank along axis (negative counts
 * from the end). All inputs share the output's quantization (TFLite
 * requires it), so this is a copy.
 */
int enpu_concatenation(int32_t axis, size_t num_inputs,
		       const struct enpu_shape *input_shapes,
		       const int8_t *const *inputs, const size_t *input_lens,
		       const struct enpu_shape *output_shape,
		       int8_t *output, size_t output_len);

/* ---- RESHAPE ---------------------------------------------------------------- */

/* A reshape moves no data within the tensor: a copy of count elements. */
int enpu_reshape(const int8_t *input, size_t input_len,
		 int8_t *output, size_t output_len, size_t count);

/* ---- SOFTMAX ---------------------------------------------------------------- */

/*
 * int8 -> int8 softmax over the last dimension; the output is quantized
 * with scale 1/256 and zero point -128 (the only int8 output TFLite
 * accepts). The input zero point cancels out (only differences to the
 * row maximum matter).
 */
struct enpu_softmax_params {
	int32_t input_multiplier;
	int32_t input_left_shift;	/* [0, 31] */
	int32_t diff_min;		/* <= 0 */
};

/* TFLite's PreprocessSoftmaxScaling + CalculateInputRadius (5 integer bits). */
int enpu_softmax_derive(float beta, float input_scale,
			struct enpu_softmax_params *p);

int enpu_softmax(const struct enpu_softmax_params *p,
		 int32_t outer_size, int32_t depth,
		 const int8_t *input, size_t input_len,
		 int8_t *output, size_t output_len);

/* ---- QUANTIZE / DEQUANTIZE -------------------------------------------------- */

/* float32 -> int8: clamp(round(x / scale) + zero_point), rounding in float. */
int enpu_quantize_f32(const float *input, size_t count, float scale,
		      int32_t zero_point, int8_t *output);

/* int8 -> int8: clamp(MBQM(x - in_zp, multiplier, shift) + out_zp). */
int enpu_requantize_i8(const int8_t *input, size_t count,
		       int32_t input_zero_point, int32_t output_zero_point,
		       int32_t multiplier, int32_t shift, int8_t *output);

/*
 * Between int8, int16 and int32 (not int32 to int32), TFLite's Requantize:
 * clamp(MBQM(x - in_zp, multiplier, shift) + out_zp) to the output type;
 * @input_size and @output_size are the element sizes, 1, 2 or 4.
 */
int enpu_requantize(const void *input, size_t input_size, size_t count,
		    int32_t input_zero_point, int32_t output_zero_point,
		    int32_t multiplier, int32_t shift, void *output, size_t output_size);

/* int8 -> float32: (float)(double(scale) * (x - zero_point)). */
int enpu_dequantize_i8(const int8_t *input, size_t count, float scale,
		       int32_t zero_point, float *output);

/* The same for int16 (16x8 models' inputs and outputs; any int16 zero point). */
int enpu_quantize_f32_i16(const float *input, size_t count, float scale,
			  int32_t zero_point, int16_t *output);
int enpu_dequantize_i16(const int16_t *input, size_t count, float scale,
			int32_t zero_point, float *output);

/* ---- MEAN ------------------------------------------------------------------- */

/*
 * int8 MEAN over a set of axes (TFLite QuantizedMeanOrSum): per output the
 * raw int8 values are summed in int32, the 1/n of the mean is folded into
 * the multiplier, and the result is requantized from the input to the
 * output quantization. multiplier/shift come from enpu_derive_rescale().
 * The output holds the non-reduced dimensions in order (keep_dims only
 * changes the shape, not the data).
 */
struct enpu_mean_params {
	struct enpu_shape input;
	const int32_t *axes;		/* may be negative, may repeat; <= 64 */
	size_t num_axes;
	int32_t input_zero_point, output_zero_point;
	int32_t multiplier, shift;
};

/* Number of output elements of a MEAN, or -EINVAL. */
int enpu_mean_output_count(const struct enpu_mean_params *p, size_t *count);

int enpu_mean(const struct enpu_mean_params *p,
	      const int8_t *input, size_t input_len,
	      int8_t *output, size_t output_len);

/* ---- The operator families of their own headers ----------------------------- */

#include "enpu_activation.h"
#include "enpu_binary.h"
#include "enpu_movement.h"
#include "enpu_reduce.h"
#include "enpu_wide.h"

#endif /* ENPU_INT8_H */
