/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU command-stream ISA, version 1: the binary encoding of every
 * command, defined once. hw/README.md, "Command stream", gives the
 * semantics; edgenpu_cmd.h decodes commands and computes the memory each
 * one touches (used by the device and by the kernel's validator alike).
 *
 * A stream is a sequence of commands, each starting with a 32-bit header:
 *   bits 7:0   opcode (enum enpu_opcode)
 *   bits 15:8  must be zero
 *   bits 31:16 command size in 32-bit words, header included; it must be
 *              exactly the size of the opcode's structure below
 * and ends with END. All fields are little-endian; addresses are 32-bit
 * NPU virtual addresses (edgenpu_mmu.h); tensors are dense, row-major,
 * NHWC int8 unless stated; "reserved" fields must be zero.
 */
#ifndef EDGENPU_ISA_H
#define EDGENPU_ISA_H

#include "edgenpu_types.h"

#define ENPU_ISA_VERSION	4

#define ENPU_CMD_HDR(op, words)	((uint32_t)(op) | ((uint32_t)(words) << 16))
#define ENPU_CMD_OPCODE(hdr)	((hdr) & 0xffu)
#define ENPU_CMD_WORDS(hdr)	((hdr) >> 16)
#define ENPU_CMD_HDR_RESERVED	0x0000ff00u
#define ENPU_CMD_WORDS_OF(type)	(sizeof(type) / 4)

enum enpu_opcode {
	ENPU_OP_NOP = 0x00,
	ENPU_OP_END = 0x01,
	ENPU_OP_SIGNAL = 0x02,
	ENPU_OP_WAIT = 0x03,
	ENPU_OP_DMA_COPY = 0x10,
	ENPU_OP_DMA_FILL = 0x11,
	ENPU_OP_CONV2D = 0x20,
	ENPU_OP_DWCONV2D = 0x21,
	ENPU_OP_FULLY_CONNECTED = 0x22,
	ENPU_OP_ADD = 0x23,
	ENPU_OP_AVG_POOL = 0x24,
	ENPU_OP_MAX_POOL = 0x25,
	ENPU_OP_LUT = 0x26,		/* contract 0.4, ENPU_CAP_LUT */
	ENPU_OP_ELTWISE = 0x27,		/* contract 0.5, ENPU_CAP_ELTWISE */
};

/* The two engines; each runs its commands in stream order. */
enum enpu_cmd_engine {
	ENPU_ENGINE_COMPUTE = 0,
	ENPU_ENGINE_DMA = 1,
};

#define ENPU_NUM_SEMS		16	/* counting semaphores, zero at job start */
#define ENPU_CMD_MAX_DIM		65535	/* any shape or count field */

/* NOP and END: header only. */
struct enpu_cmd_hdr {
	uint32_t hdr;
};

/*
 * SIGNAL: @engine increments semaphore @sem once all its earlier commands
 * are done. WAIT: @engine waits until @sem is non-zero, then decrements it.
 */
struct enpu_cmd_sync {
	uint32_t hdr;
	uint32_t engine;
	uint32_t sem;
	uint32_t reserved;
};

/*
 * DMA_COPY (DMA engine): planes x rows x row_bytes, each row contiguous;
 * row r of plane p is at base + p * plane_stride + r * row_stride on each
 * side. Covers DRAM<->SRAM transfers, strided and concatenating copies.
 */
struct enpu_cmd_dma_copy {
	uint32_t hdr;
	uint32_t src;
	uint32_t dst;
	uint32_t row_bytes;
	uint32_t rows;
	uint32_t planes;
	uint32_t src_row_stride;
	uint32_t src_plane_stride;
	uint32_t dst_row_stride;
	uint32_t dst_plane_stride;
	uint32_t reserved[2];
};

/* DMA_FILL (DMA engine): the same shape at @dst, every byte = @value. */
struct enpu_cmd_dma_fill {
	uint32_t hdr;
	uint32_t dst;
	uint32_t value;			/* bits 7:0; bits 31:8 reserved */
	uint32_t row_bytes;
	uint32_t rows;
	uint32_t planes;
	uint32_t dst_row_stride;
	uint32_t dst_plane_stride;
};

#define ENPU_CONV_FLAG_BIAS		(1u << 0)
#define ENPU_CONV_FLAG_LUT		(1u << 1)	/* 0.6, ENPU_CAP_FUSED_LUT */

/*
 * CONV2D and DWCONV2D (compute engine), per-channel quantized.
 *   input  [batches, in_h, in_w, in_c]
 *   filter CONV2D [out_c, kernel_h, kernel_w, in_c];
 *          DWCONV2D [1, kernel_h, kernel_w, out_c], out_c = in_c * depth_multiplier
 *   bias   int32 [out_c] when FLAG_BIAS
 *   quant  int32 multiplier[out_c] then int32 shift[out_c] (TFLite convention)
 *   lut    256 bytes when FLAG_LUT (contract 0.6): every output value v
 *          becomes lut[v + 128] as it is written, the LUT command fused
 *   output [batches, out_h, out_w, out_c]
 * depth_multiplier must be 0 for CONV2D.
 */
struct enpu_cmd_conv2d {
	uint32_t hdr;
	uint32_t flags;
	uint32_t input;
	uint32_t filter;
	uint32_t bias;
	uint32_t quant;
	uint32_t output;
	uint32_t batches;
	uint32_t in_h;
	uint32_t in_w;
	uint32_t in_c;
	uint32_t out_h;
	uint32_t out_w;
	uint32_t out_c;
	uint32_t kernel_h;
	uint32_t kernel_w;
	uint32_t stride_h;
	uint32_t stride_w;
	uint32_t dilation_h;
	uint32_t dilation_w;
	uint32_t pad_top;
	uint32_t pad_left;
	uint32_t depth_multiplier;
	int32_t input_zero_point;
	int32_t output_zero_point;
	int32_t act_min;
	int32_t act_max;
	uint32_t lut;			/* FLAG_LUT; else 0 */
	uint32_t reserved[4];
};

#define ENPU_FC_FLAG_BIAS		(1u << 0)
#define ENPU_FC_FLAG_PER_CHANNEL	(1u << 1)
#define ENPU_FC_FLAG_LUT		(1u << 2)	/* 0.6, ENPU_CAP_FUSED_LUT */

/*
 * FULLY_CONNECTED (compute engine).
 *   input [batches, in_depth], filter [out_depth, in_depth], bias int32
 *   [out_depth] when FLAG_BIAS, quant int32 multiplier[q] then shift[q]
 *   with q = out_depth when FLAG_PER_CHANNEL else 1, output [batches, out_depth];
 *   with FLAG_LUT (contract 0.6) every output value v becomes lut[v + 128].
 */
struct enpu_cmd_fc {
	uint32_t hdr;
	uint32_t flags;
	uint32_t input;
	uint32_t filter;
	uint32_t bias;
	uint32_t quant;
	uint32_t output;
	uint32_t batches;
	uint32_t in_depth;
	uint32_t out_depth;
	int32_t input_zero_point;
	int32_t output_zero_point;
	int32_t act_min;
	int32_t act_max;
	uint32_t lut;			/* FLAG_LUT: 256 bytes; else 0 */
	uint32_t reserved;
};

/*
 * ADD (compute engine) with broadcasting: shapes are 4-D (leading 1s for
 * lower ranks); each input dimension equals the output's or is 1.
 * Arithmetic: TFLite's int8 ADD (left_shift, per-input and output
 * multipliers/shifts).
 */
struct enpu_cmd_add {
	uint32_t hdr;
	uint32_t flags;			/* reserved */
	uint32_t input1;
	uint32_t input2;
	uint32_t output;
	uint32_t in1_shape[4];
	uint32_t in2_shape[4];
	uint32_t out_shape[4];
	int32_t input1_zero_point;
	int32_t input2_zero_point;
	int32_t output_zero_point;
	int32_t left_shift;
	int32_t input1_multiplier;
	int32_t input1_shift;
	int32_t input2_multiplier;
	int32_t input2_shift;
	int32_t output_multiplier;
	int32_t output_shift;
	int32_t act_min;
	int32_t act_max;
	uint32_t reserved[3];
};

/*
 * AVG_POOL and MAX_POOL (compute engine): input [batches, in_h, in_w,
 * channels], output [batches, out_h, out_w, channels], same quantization.
 */
struct enpu_cmd_pool {
	uint32_t hdr;
	uint32_t flags;			/* reserved */
	uint32_t input;
	uint32_t output;
	uint32_t batches;
	uint32_t in_h;
	uint32_t in_w;
	uint32_t channels;
	uint32_t out_h;
	uint32_t out_w;
	uint32_t filter_h;
	uint32_t filter_w;
	uint32_t stride_h;
	uint32_t stride_w;
	uint32_t pad_top;
	uint32_t pad_left;
	int32_t act_min;
	int32_t act_max;
	uint32_t reserved[2];
};

/*
 * LUT (compute engine, contract 0.4, ENPU_CAP_LUT): @count int8 values,
 * each replaced by the entry of a 256-byte table it indexes:
 * dst[i] = table[src[i] + 128]. Any int8 -> int8 element-wise function
 * (an activation, a requantization, a chain of them) is such a table, so
 * the result is whatever the function computes, bit for bit. @src and
 * @dst may be the same bytes (each element is read before it is written).
 */
struct enpu_cmd_lut {
	uint32_t hdr;
	uint32_t src;
	uint32_t dst;
	uint32_t table;			/* 256 bytes */
	uint32_t count;			/* elements, 1 .. 16 MiB */
	uint32_t reserved[3];
};

#define ENPU_LUT_ENTRIES	256

/* What ELTWISE computes (its @op). */
enum enpu_eltwise_op {
	ENPU_ELTWISE_SUB = 1,	/* ADD's arithmetic on x1 - x2 */
	ENPU_ELTWISE_MUL = 2,	/* (x1 - zp1) * (x2 - zp2), requantized by the output's */
	ENPU_ELTWISE_MAX = 3,	/* the larger raw int8 value */
	ENPU_ELTWISE_MIN = 4,	/* the smaller */
};

/*
 * ELTWISE (compute engine, contract 0.5, ENPU_CAP_ELTWISE): ADD's layout
 * and broadcasting for the other binary element-wise operations, each
 * TFLite's int8 kernel bit for bit. SUB uses every field ADD does; MUL
 * the zero points, output_multiplier/shift and the activation range (the
 * rest zero); MAX and MIN compare raw values (every arithmetic field
 * zero: the three tensors share one quantization).
 */
struct enpu_cmd_eltwise {
	uint32_t hdr;
	uint32_t op;			/* enum enpu_eltwise_op */
	uint32_t input1;
	uint32_t input2;
	uint32_t output;
	uint32_t in1_shape[4];
	uint32_t in2_shape[4];
	uint32_t out_shape[4];
	int32_t input1_zero_point;
	int32_t input2_zero_point;
	int32_t output_zero_point;
	int32_t left_shift;
	int32_t input1_multiplier;
	int32_t input1_shift;
	int32_t input2_multiplier;
	int32_t input2_shift;
	int32_t output_multiplier;
	int32_t output_shift;
	int32_t act_min;
	int32_t act_max;
	uint32_t reserved[3];
};

ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_sync) == 16, "SIGNAL/WAIT size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_dma_copy) == 48, "DMA_COPY size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_dma_fill) == 32, "DMA_FILL size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_conv2d) == 128, "CONV2D size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_fc) == 64, "FULLY_CONNECTED size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_add) == 128, "ADD size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_pool) == 80, "POOL size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_lut) == 32, "LUT size");
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_eltwise) == 128, "ELTWISE size");

/*
 * ADD's and ELTWISE's arithmetic: the twelve int32 fields from
 * input1_zero_point to act_max, in the same order in both commands and in
 * hw/int8's ADD and SUB parameters (ENPU_ADD_ARITH_WORDS), so software
 * copies them as one block.
 */
#define ENPU_ARITH_WORDS	12
ENPU_STATIC_ASSERT(offsetof(struct enpu_cmd_add, act_max) -
		   offsetof(struct enpu_cmd_add, input1_zero_point) == 4 * (ENPU_ARITH_WORDS - 1),
		   "ADD's arithmetic block");
ENPU_STATIC_ASSERT(offsetof(struct enpu_cmd_eltwise, act_max) -
		   offsetof(struct enpu_cmd_eltwise, input1_zero_point) ==
		   4 * (ENPU_ARITH_WORDS - 1), "ELTWISE's arithmetic block");

#endif /* EDGENPU_ISA_H */
