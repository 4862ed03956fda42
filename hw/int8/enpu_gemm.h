/* SPDX-License-Identifier: MIT */
/*
 * Unsigned-by-signed GEMM for conv layers on CPUs with a u8 x s8 dot
 * product (AVX-512 VNNI's vpdpbusd: four byte products summed into each
 * int32 lane, without saturation).
 *
 * Activations become unsigned bytes u = x + 128 (enpu_to_u8); a tap
 * outside the image becomes 128 + in_zp, the byte whose x - in_zp is 0.
 * Then, for output channel o with weights w[o][k],
 *
 *   sum_k (x_k - in_zp) * w[o][k] = sum_k u_k * w[o][k] - (128 + in_zp) * S[o]
 *
 * where S[o] = sum_k w[o][k], computed when the weights are packed. A
 * signed-by-signed kernel (arm64's sdot: enpu_dot_ops.gemm_signed) takes
 * the bytes back as x = u - 128 and subtracts in_zp * S[o] instead. Every
 * term is an exact integer: u_k <= 255, |w| <= 128 and k < ENPU_GEMM_MAX_LEN
 * keep each sum below 2^28, so the result is TFLite's, bit for bit.
 *
 * Packed weights: output channels in blocks of ENPU_GEMM_BLOCK, blocks in
 * chunks of ENPU_GEMM_BLOCKS (one gemm_u8 call's: one requantisation
 * table's channels); in a chunk of n blocks, for each group g of four
 * taps, block 0's 64 bytes, then block 1's, ..., each channel's taps
 * 4g .. 4g + 3 in turn (one int32 lane per channel, as vpdpbusd takes
 * them): block b's group g at chunk + (g * n + b) * 64, so that a call
 * reads one stream, not n (a one-row FC of 640 channels: 22% faster).
 * Chunk c starts at c * ENPU_GEMM_BLOCKS * k4 * 4 * ENPU_GEMM_BLOCK; taps
 * past the filter and channels past the last are zero. A layer of fewer than
 * ENPU_GEMM_MIN_CHANNELS channels is packed narrow instead, for
 * enpu_dot_ops.gemv_u8: each channel's taps in order, zero-padded to
 * a whole number of cache lines (a block would leave most of its lanes
 * idle; the padding puts every channel's 64-byte loads on a line's
 * boundary).
 */
#ifndef ENPU_GEMM_H
#define ENPU_GEMM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "enpu_dot.h"
#include "enpu_int8.h"

#define ENPU_GEMM_BLOCK		16	/* output channels a block */
#define ENPU_GEMM_ROWS		4	/* patch rows (pixels) a gemm_u8 kernel step */
#define ENPU_GEMM_CALL_ROWS	32	/* patch rows a gemm_u8 call, at most */
#define ENPU_GEMM_BLOCKS	4	/* blocks a gemm_u8 call: one requantisation table */
#define ENPU_GEMM_MAX_LEN	8192	/* longest filter, in taps */

/* Bytes of one block's group of four taps: sixteen channels' four bytes. */
#define ENPU_GEMM_GROUP		(4 * ENPU_GEMM_BLOCK)

/*
 * Bytes from a block's group of taps to its next in a chunk of @nblk
 * blocks, whose groups are interleaved: block b's group g at
 * g * enpu_gemm_step(nblk) + b * ENPU_GEMM_GROUP.
 */
static inline size_t enpu_gemm_step(int nblk)
{
	return (size_t)nblk * ENPU_GEMM_GROUP;
}

/* Groups of four taps of a filter of @k_len taps. */
static inline size_t enpu_gemm_k4(size_t k_len)
{
	return (k_len + 3) / 4;
}

/*
 * Fewer output channels than this leave most of a block's lanes idle:
 * such a layer is packed narrow, and runs through enpu_dot_ops.gemv_u8
 * where the variant has it, else through the int16 dot products, which
 * are faster than a block (micro_speech's FC of 4 outputs: 0.8 us
 * against 1.3).
 */
#define ENPU_GEMM_MIN_CHANNELS	8

/* Whether a layer of @channels output channels is packed narrow. */
static inline int enpu_gemm_narrow(int32_t channels)
{
	return channels < ENPU_GEMM_MIN_CHANNELS;
}

/* Bytes from one channel of a narrow packing to the next: k4 * 4 taps and padding. */
static inline size_t enpu_gemv_stride(size_t k4)
{
	return (k4 * 4 + 63) & ~(size_t)63;
}

/* Bytes of @channels output channels of @k_len taps, packed. */
static inline size_t enpu_gemm_packed_size(int32_t channels, size_t k_len)
{
	const size_t blocks = ((size_t)channels + ENPU_GEMM_BLOCK - 1) / ENPU_GEMM_BLOCK;

	if (enpu_gemm_narrow(channels))
		return (size_t)channels * enpu_gemv_stride(enpu_gemm_k4(k_len));
	return blocks * enpu_gemm_k4(k_len) * 4 * ENPU_GEMM_BLOCK;
}

/*
 * Packs @channels rows of @k_len int8 weights (row-major, as CONV_2D's
 * OHWI filter) into @dst (enpu_gemm_packed_size() bytes) and writes each
 * row's sum to sums[o].
 */
void enpu_gemm_pack(int8_t *dst, int32_t *sums, const int8_t *w, int32_t channels,
		    size_t k_len);

/*
 * Below this many rows (output pixels, batches) packing the weights at a
 * call costs more than the GEMM saves over the int16 dot products
 * (measured on person_detect: a win at 36 pixels, a loss at 9); weights
 * packed beforehand (enpu_gemm_weights) take the GEMM at any count.
 */
#define ENPU_GEMM_MIN_ROWS	16

/*
 * One int8 GEMM layer: @rows rows of activations times the weights,
 * requantised into output + i * channels. Row i is @row(ctx, i, dst): it
 * writes the row's k4 * 4 unsigned bytes (enpu_to_u8() and padding) to
 * @dst and returns @dst, or returns where the row already is; or, when
 * @rows_at is set, row i is at rows_at + i * k4 * 4 (no call a row). The
 * weights come packed (@packed, when it matches) or are packed for this
 * call.
 */
struct enpu_gemm_layer {
	int64_t rows;
	int32_t channels;
	size_t k_len;
	const int8_t *weights;
	const struct enpu_gemm_weights *packed;	/* may be NULL */
	const int32_t *bias;			/* may be NULL */
	const int32_t *multipliers, *shifts;
	size_t qstep;				/* 1 per channel, 0 per tensor */
	int32_t input_zero_point, output_zero_point, act_min, act_max;
	const atomic_int *cancel;
	const uint8_t *(*row)(void *ctx, int64_t i, uint8_t *dst);
	void *ctx;
	const uint8_t *rows_at;			/* may be NULL */
	int8_t *output;
};

/*
 * Whether the GEMM serves @l with the kernels @ops: a variant with one
 * (gemv_u8 for a narrow layer, gemm_u8 for others), rows short enough,
 * and the weights packed or enough rows to pay for packing them.
 */
int enpu_gemm_suits(const struct enpu_gemm_layer *l, const struct enpu_dot_ops *ops);
/* Runs @l: 0, -ECANCELED, or -ENOMEM (nothing written: take another path). */
int enpu_gemm_run(const struct enpu_gemm_layer *l, const struct enpu_dot_ops *ops);

#endif /* ENPU_GEMM_H */
