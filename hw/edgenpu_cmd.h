/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU command decoding, defined once for everyone who must agree on
 * it: the device model executes what enpu_cmd_decode() accepts, and the
 * kernel refuses, before submission, any stream it would not accept or
 * whose memory regions fall outside the submitter's mappings.
 *
 * Written as static inline C that builds in the kernel and in userspace
 * (no library calls); all size arithmetic is 64-bit and overflow-checked.
 */
#ifndef EDGENPU_CMD_H
#define EDGENPU_CMD_H

#include "edgenpu_types.h"
#include "edgenpu_hw.h"
#include "edgenpu_isa.h"
#include "edgenpu_mmu.h"

/* Why a command was refused (completion error_info for INVALID_COMMAND). */
enum enpu_cmd_error {
	ENPU_CMD_OK = 0,
	ENPU_CMD_ERR_TRUNCATED = 1,	/* command runs past the stream's end */
	ENPU_CMD_ERR_OPCODE = 2,	/* unknown opcode */
	ENPU_CMD_ERR_SIZE = 3,		/* size field is not the opcode's */
	ENPU_CMD_ERR_RESERVED = 4,	/* reserved bits or fields not zero */
	ENPU_CMD_ERR_PARAM = 5,		/* a field out of its range */
	ENPU_CMD_ERR_EXTENT = 6,	/* an operand past the 32-bit VA space */
	ENPU_CMD_ERR_NO_END = 7,	/* the stream has no END */
	ENPU_CMD_ERR_DEADLOCK = 8,	/* a WAIT that nothing will satisfy */
	ENPU_CMD_ERR_TOO_BIG = 9,	/* an operand over ENPU_MAX_OPERAND */
};

#define ENPU_CMD_MAX_REGIONS	6
#define ENPU_MAX_OPERAND	(16u << 20)	/* bytes, any one operand */

/* A span of NPU virtual memory a command reads or writes. */
struct enpu_region {
	uint32_t va;
	uint32_t write;		/* 1: written, 0: read */
	uint64_t size;		/* bytes, > 0 */
};

struct enpu_cmd_info {
	uint32_t opcode;
	uint32_t words;		/* command size, header included */
	uint32_t engine;	/* enum enpu_cmd_engine */
	uint32_t num_regions;
	struct enpu_region regions[ENPU_CMD_MAX_REGIONS];
	uint64_t macs;		/* multiply-accumulates (convolutions, FC) */
	uint64_t work;		/* operations for the timing model */
	uint32_t lut;		/* 1: a fused table (contract 0.6), the region
				 * before the output */
};

/* a * b, or 0 with *over set when the product exceeds 2^63. */
static inline uint64_t enpu_mul(uint64_t a, uint64_t b, int *over)
{
	if (a && b > (~0ull >> 1) / a) {
		*over = 1;
		return 0;
	}
	return a * b;
}

static inline int enpu_dim_ok(uint32_t d)
{
	return d >= 1 && d <= ENPU_CMD_MAX_DIM;
}

static inline int enpu_q8_ok(int32_t v)
{
	return v >= -128 && v <= 127;
}

static inline int enpu_act_ok(int32_t lo, int32_t hi)
{
	return enpu_q8_ok(lo) && enpu_q8_ok(hi) && lo <= hi;
}

/* A fixed-point multiplier (Q31, not negative) and its shift, as TFLite's. */
static inline int enpu_mult_ok(int32_t multiplier, int32_t shift)
{
	return multiplier >= 0 && shift >= -31 && shift <= 31;
}

/* Adds region (va, size) to @info; checks it fits the VA space. */
static inline int enpu_add_region(struct enpu_cmd_info *info, uint32_t va,
				  uint64_t size, uint32_t write, int over)
{
	struct enpu_region *r;

	if (over || size > ENPU_MAX_OPERAND)
		return ENPU_CMD_ERR_TOO_BIG;
	if (!size)
		return ENPU_CMD_ERR_PARAM;
	if ((uint64_t)va + size > (1ull << 32))
		return ENPU_CMD_ERR_EXTENT;
	r = &info->regions[info->num_regions++];
	r->va = va;
	r->write = write;
	r->size = size;
	return ENPU_CMD_OK;
}

/*
 * A fused table (contract 0.6): its 256 bytes read, and one lookup per
 * output element added to the command's work. The caller adds the output
 * region next, so the table is the region before it.
 */
static inline int enpu_add_lut(struct enpu_cmd_info *info, uint32_t va, uint64_t outputs)
{
	info->lut = 1;
	info->work += outputs;
	return enpu_add_region(info, va, ENPU_LUT_ENTRIES, 0, 0);
}

/* Extent of a planes x rows x row_bytes transfer, or *over. */
static inline uint64_t enpu_dma_extent(uint32_t row_bytes, uint32_t rows,
				       uint32_t planes, uint32_t row_stride,
				       uint32_t plane_stride, int *over)
{
	uint64_t e = row_bytes;

	e += enpu_mul(rows - 1, row_stride, over);
	e += enpu_mul(planes - 1, plane_stride, over);
	return e;
}

static inline int enpu_decode_sync(const struct enpu_cmd_sync *c,
				   struct enpu_cmd_info *info)
{
	if (c->reserved)
		return ENPU_CMD_ERR_RESERVED;
	if (c->engine > ENPU_ENGINE_DMA || c->sem >= ENPU_NUM_SEMS)
		return ENPU_CMD_ERR_PARAM;
	info->engine = c->engine;
	return ENPU_CMD_OK;
}

static inline int enpu_decode_dma_copy(const struct enpu_cmd_dma_copy *c,
				       struct enpu_cmd_info *info)
{
	int over = 0, ret;
	uint64_t bytes;

	if (c->reserved[0] || c->reserved[1])
		return ENPU_CMD_ERR_RESERVED;
	if (!c->row_bytes || !enpu_dim_ok(c->rows) || !enpu_dim_ok(c->planes))
		return ENPU_CMD_ERR_PARAM;
	bytes = enpu_mul(enpu_mul(c->row_bytes, c->rows, &over), c->planes, &over);
	if (over || bytes > ENPU_MAX_OPERAND)
		return ENPU_CMD_ERR_TOO_BIG;
	info->engine = ENPU_ENGINE_DMA;
	info->work = bytes;
	ret = enpu_add_region(info, c->src,
			      enpu_dma_extent(c->row_bytes, c->rows, c->planes,
					      c->src_row_stride, c->src_plane_stride,
					      &over), 0, over);
	if (ret)
		return ret;
	return enpu_add_region(info, c->dst,
			       enpu_dma_extent(c->row_bytes, c->rows, c->planes,
					       c->dst_row_stride, c->dst_plane_stride,
					       &over), 1, over);
}

static inline int enpu_decode_dma_fill(const struct enpu_cmd_dma_fill *c,
				       struct enpu_cmd_info *info)
{
	int over = 0;

	if (c->value & ~0xffu)
		return ENPU_CMD_ERR_RESERVED;
	if (!c->row_bytes || !enpu_dim_ok(c->rows) || !enpu_dim_ok(c->planes))
		return ENPU_CMD_ERR_PARAM;
	info->engine = ENPU_ENGINE_DMA;
	info->work = enpu_mul(enpu_mul(c->row_bytes, c->rows, &over), c->planes, &over);
	if (over || info->work > ENPU_MAX_OPERAND)
		return ENPU_CMD_ERR_TOO_BIG;
	return enpu_add_region(info, c->dst,
			       enpu_dma_extent(c->row_bytes, c->rows, c->planes,
					       c->dst_row_stride, c->dst_plane_stride,
					       &over), 1, over);
}

static inline int enpu_decode_conv2d(const struct enpu_cmd_conv2d *c, int dw,
				     struct enpu_cmd_info *info)
{
	uint64_t in_bytes, out_bytes, filt_bytes, taps;
	unsigned int i;
	int over = 0, ret;

	for (i = 0; i < sizeof(c->reserved) / sizeof(c->reserved[0]); i++)
		if (c->reserved[i])
			return ENPU_CMD_ERR_RESERVED;
	if (c->flags & ~(ENPU_CONV_FLAG_BIAS | ENPU_CONV_FLAG_LUT) ||
	    (!(c->flags & ENPU_CONV_FLAG_LUT) && c->lut))
		return ENPU_CMD_ERR_RESERVED;
	if (!enpu_dim_ok(c->batches) || !enpu_dim_ok(c->in_h) ||
	    !enpu_dim_ok(c->in_w) || !enpu_dim_ok(c->in_c) ||
	    !enpu_dim_ok(c->out_h) || !enpu_dim_ok(c->out_w) ||
	    !enpu_dim_ok(c->out_c) || !enpu_dim_ok(c->kernel_h) ||
	    !enpu_dim_ok(c->kernel_w) || !enpu_dim_ok(c->stride_h) ||
	    !enpu_dim_ok(c->stride_w) || !enpu_dim_ok(c->dilation_h) ||
	    !enpu_dim_ok(c->dilation_w) || c->pad_top > ENPU_CMD_MAX_DIM ||
	    c->pad_left > ENPU_CMD_MAX_DIM)
		return ENPU_CMD_ERR_PARAM;
	if (!enpu_q8_ok(c->input_zero_point) || !enpu_q8_ok(c->output_zero_point) ||
	    !enpu_act_ok(c->act_min, c->act_max))
		return ENPU_CMD_ERR_PARAM;
	if (dw) {
		if (!enpu_dim_ok(c->depth_multiplier) ||
		    (uint64_t)c->in_c * c->depth_multiplier != c->out_c)
			return ENPU_CMD_ERR_PARAM;
	} else if (c->depth_multiplier) {
		return ENPU_CMD_ERR_PARAM;
	}

	info->engine = ENPU_ENGINE_COMPUTE;
	in_bytes = enpu_mul(enpu_mul(c->batches, c->in_h, &over),
			    enpu_mul(c->in_w, c->in_c, &over), &over);
	out_bytes = enpu_mul(enpu_mul(c->batches, c->out_h, &over),
			     enpu_mul(c->out_w, c->out_c, &over), &over);
	taps = enpu_mul(c->kernel_h, c->kernel_w, &over);
	filt_bytes = enpu_mul(taps, dw ? c->out_c : enpu_mul(c->out_c, c->in_c, &over),
			      &over);
	info->macs = enpu_mul(out_bytes, dw ? taps : enpu_mul(taps, c->in_c, &over),
			      &over);
	info->work = info->macs;

	ret = enpu_add_region(info, c->input, in_bytes, 0, over);
	if (!ret)
		ret = enpu_add_region(info, c->filter, filt_bytes, 0, over);
	if (!ret && (c->flags & ENPU_CONV_FLAG_BIAS))
		ret = enpu_add_region(info, c->bias, 4ull * c->out_c, 0, over);
	if (!ret)
		ret = enpu_add_region(info, c->quant, 8ull * c->out_c, 0, over);
	if (!ret && (c->flags & ENPU_CONV_FLAG_LUT))
		ret = enpu_add_lut(info, c->lut, out_bytes);
	if (!ret)
		ret = enpu_add_region(info, c->output, out_bytes, 1, over);
	return ret;
}

static inline int enpu_decode_fc(const struct enpu_cmd_fc *c,
				 struct enpu_cmd_info *info)
{
	uint64_t nq;
	int over = 0, ret;

	if (c->reserved ||
	    (c->flags & ~(ENPU_FC_FLAG_BIAS | ENPU_FC_FLAG_PER_CHANNEL | ENPU_FC_FLAG_LUT)) ||
	    (!(c->flags & ENPU_FC_FLAG_LUT) && c->lut))
		return ENPU_CMD_ERR_RESERVED;
	if (!enpu_dim_ok(c->batches) || !enpu_dim_ok(c->in_depth) ||
	    !enpu_dim_ok(c->out_depth) || !enpu_q8_ok(c->input_zero_point) ||
	    !enpu_q8_ok(c->output_zero_point) ||
	    !enpu_act_ok(c->act_min, c->act_max))
		return ENPU_CMD_ERR_PARAM;
	info->engine = ENPU_ENGINE_COMPUTE;
	info->macs = enpu_mul(enpu_mul(c->batches, c->out_depth, &over),
			      c->in_depth, &over);
	info->work = info->macs;
	nq = (c->flags & ENPU_FC_FLAG_PER_CHANNEL) ? c->out_depth : 1;
	ret = enpu_add_region(info, c->input,
			      enpu_mul(c->batches, c->in_depth, &over), 0, over);
	if (!ret)
		ret = enpu_add_region(info, c->filter,
				      enpu_mul(c->out_depth, c->in_depth, &over), 0, over);
	if (!ret && (c->flags & ENPU_FC_FLAG_BIAS))
		ret = enpu_add_region(info, c->bias, 4ull * c->out_depth, 0, over);
	if (!ret)
		ret = enpu_add_region(info, c->quant, 8 * nq, 0, over);
	if (!ret && (c->flags & ENPU_FC_FLAG_LUT))
		ret = enpu_add_lut(info, c->lut, enpu_mul(c->batches, c->out_depth, &over));
	if (!ret)
		ret = enpu_add_region(info, c->output,
				      enpu_mul(c->batches, c->out_depth, &over), 1, over);
	return ret;
}

static inline uint64_t enpu_shape4_bytes(const uint32_t *s, int *over)
{
	return enpu_mul(enpu_mul(s[0], s[1], over), enpu_mul(s[2], s[3], over), over);
}

/*
 * ADD's and ELTWISE's shapes and operands: each input dimension the
 * output's or 1 (one of them the output's); input1, input2, then the
 * output region.
 */
static inline int enpu_decode_bcast(const uint32_t *in1_shape, const uint32_t *in2_shape,
				    const uint32_t *out_shape, uint32_t input1,
				    uint32_t input2, uint32_t output,
				    struct enpu_cmd_info *info)
{
	int over = 0, ret, i;

	for (i = 0; i < 4; i++) {
		if (!enpu_dim_ok(in1_shape[i]) || !enpu_dim_ok(in2_shape[i]) ||
		    !enpu_dim_ok(out_shape[i]))
			return ENPU_CMD_ERR_PARAM;
		if ((in1_shape[i] != out_shape[i] && in1_shape[i] != 1) ||
		    (in2_shape[i] != out_shape[i] && in2_shape[i] != 1) ||
		    (in1_shape[i] != out_shape[i] && in2_shape[i] != out_shape[i]))
			return ENPU_CMD_ERR_PARAM;
	}
	info->engine = ENPU_ENGINE_COMPUTE;
	info->work = enpu_shape4_bytes(out_shape, &over);
	ret = enpu_add_region(info, input1, enpu_shape4_bytes(in1_shape, &over), 0, over);
	if (!ret)
		ret = enpu_add_region(info, input2, enpu_shape4_bytes(in2_shape, &over), 0, over);
	if (!ret)
		ret = enpu_add_region(info, output, info->work, 1, over);
	return ret;
}

static inline int enpu_decode_add(const struct enpu_cmd_add *c,
				  struct enpu_cmd_info *info)
{
	if (c->flags || c->reserved[0] || c->reserved[1] || c->reserved[2])
		return ENPU_CMD_ERR_RESERVED;
	if (!enpu_q8_ok(c->input1_zero_point) || !enpu_q8_ok(c->input2_zero_point) ||
	    !enpu_q8_ok(c->output_zero_point) ||
	    !enpu_act_ok(c->act_min, c->act_max) ||
	    c->left_shift < 0 || c->left_shift > 31 ||
	    !enpu_mult_ok(c->input1_multiplier, c->input1_shift) ||
	    !enpu_mult_ok(c->input2_multiplier, c->input2_shift) ||
	    !enpu_mult_ok(c->output_multiplier, c->output_shift))
		return ENPU_CMD_ERR_PARAM;
	return enpu_decode_bcast(c->in1_shape, c->in2_shape, c->out_shape, c->input1,
				 c->input2, c->output, info);
}

/* ELTWISE: each operation's fields checked, those it does not use zero. */
static inline int enpu_decode_eltwise(const struct enpu_cmd_eltwise *c,
				      struct enpu_cmd_info *info)
{
	int ok;

	if (c->reserved[0] || c->reserved[1] || c->reserved[2])
		return ENPU_CMD_ERR_RESERVED;
	switch (c->op) {
	case ENPU_ELTWISE_SUB:
		ok = enpu_q8_ok(c->input1_zero_point) && enpu_q8_ok(c->input2_zero_point) &&
		     enpu_q8_ok(c->output_zero_point) && enpu_act_ok(c->act_min, c->act_max) &&
		     c->left_shift >= 0 && c->left_shift <= 31 &&
		     enpu_mult_ok(c->input1_multiplier, c->input1_shift) &&
		     enpu_mult_ok(c->input2_multiplier, c->input2_shift) &&
		     enpu_mult_ok(c->output_multiplier, c->output_shift);
		break;
	case ENPU_ELTWISE_MUL:
		ok = enpu_q8_ok(c->input1_zero_point) && enpu_q8_ok(c->input2_zero_point) &&
		     enpu_q8_ok(c->output_zero_point) && enpu_act_ok(c->act_min, c->act_max) &&
		     enpu_mult_ok(c->output_multiplier, c->output_shift) && !c->left_shift &&
		     !c->input1_multiplier && !c->input1_shift && !c->input2_multiplier &&
		     !c->input2_shift;
		break;
	case ENPU_ELTWISE_MAX:
	case ENPU_ELTWISE_MIN:
		ok = !c->input1_zero_point && !c->input2_zero_point && !c->output_zero_point &&
		     !c->left_shift && !c->input1_multiplier && !c->input1_shift &&
		     !c->input2_multiplier && !c->input2_shift && !c->output_multiplier &&
		     !c->output_shift && !c->act_min && !c->act_max;
		break;
	default:
		ok = 0;
	}
	if (!ok)
		return ENPU_CMD_ERR_PARAM;
	return enpu_decode_bcast(c->in1_shape, c->in2_shape, c->out_shape, c->input1,
				 c->input2, c->output, info);
}

/* LUT: the source, the table, then the destination (the region written is last). */
static inline int enpu_decode_lut(const struct enpu_cmd_lut *c, struct enpu_cmd_info *info)
{
	int ret;

	if (c->reserved[0] || c->reserved[1] || c->reserved[2])
		return ENPU_CMD_ERR_RESERVED;
	if (!c->count)
		return ENPU_CMD_ERR_PARAM;
	info->engine = ENPU_ENGINE_COMPUTE;
	info->work = c->count;
	ret = enpu_add_region(info, c->src, c->count, 0, 0);
	if (!ret)
		ret = enpu_add_region(info, c->table, ENPU_LUT_ENTRIES, 0, 0);
	if (!ret)
		ret = enpu_add_region(info, c->dst, c->count, 1, 0);
	return ret;
}

/*
 * Whether every output of a pool along one axis has at least one input in
 * its window (TFLite fails on an empty one): the windows start at
 * o * stride - pad, in order, so the first must end past 0 and the last
 * start before @in. Dimensions already checked (at most ENPU_CMD_MAX_DIM).
 */
static inline int enpu_pool_window_ok(uint32_t in, uint32_t out, uint32_t filter,
				      uint32_t stride, uint32_t pad)
{
	return pad < filter && (uint64_t)(out - 1) * stride < (uint64_t)in + pad;
}

static inline int enpu_decode_pool(const struct enpu_cmd_pool *c,
				   struct enpu_cmd_info *info)
{
	uint64_t out_bytes;
	int over = 0, ret;

	if (c->flags || c->reserved[0] || c->reserved[1])
		return ENPU_CMD_ERR_RESERVED;
	if (!enpu_dim_ok(c->batches) || !enpu_dim_ok(c->in_h) ||
	    !enpu_dim_ok(c->in_w) || !enpu_dim_ok(c->channels) ||
	    !enpu_dim_ok(c->out_h) || !enpu_dim_ok(c->out_w) ||
	    !enpu_dim_ok(c->filter_h) || !enpu_dim_ok(c->filter_w) ||
	    !enpu_dim_ok(c->stride_h) || !enpu_dim_ok(c->stride_w) ||
	    c->pad_top > ENPU_CMD_MAX_DIM || c->pad_left > ENPU_CMD_MAX_DIM ||
	    !enpu_act_ok(c->act_min, c->act_max) ||
	    !enpu_pool_window_ok(c->in_h, c->out_h, c->filter_h, c->stride_h, c->pad_top) ||
	    !enpu_pool_window_ok(c->in_w, c->out_w, c->filter_w, c->stride_w, c->pad_left))
		return ENPU_CMD_ERR_PARAM;
	info->engine = ENPU_ENGINE_COMPUTE;
	out_bytes = enpu_mul(enpu_mul(c->batches, c->out_h, &over),
			     enpu_mul(c->out_w, c->channels, &over), &over);
	info->work = enpu_mul(out_bytes, enpu_mul(c->filter_h, c->filter_w, &over), &over);
	ret = enpu_add_region(info, c->input,
			      enpu_mul(enpu_mul(c->batches, c->in_h, &over),
				       enpu_mul(c->in_w, c->channels, &over), &over),
			      0, over);
	if (!ret)
		ret = enpu_add_region(info, c->output, out_bytes, 1, over);
	return ret;
}

/*
 * The size in words (header included) of commands of @opcode, or 0 for an
 * opcode the ISA does not have. Its table is the one list of the commands:
 * adding one starts here (hw/README.md, "Adding a command").
 */
static inline uint32_t enpu_cmd_words(uint32_t opcode)
{
	static const uint8_t sizes[] = {
		[ENPU_OP_NOP] = 1,
		[ENPU_OP_END] = 1,
		[ENPU_OP_SIGNAL] = ENPU_CMD_WORDS_OF(struct enpu_cmd_sync),
		[ENPU_OP_WAIT] = ENPU_CMD_WORDS_OF(struct enpu_cmd_sync),
		[ENPU_OP_DMA_COPY] = ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy),
		[ENPU_OP_DMA_FILL] = ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_fill),
		[ENPU_OP_CONV2D] = ENPU_CMD_WORDS_OF(struct enpu_cmd_conv2d),
		[ENPU_OP_DWCONV2D] = ENPU_CMD_WORDS_OF(struct enpu_cmd_conv2d),
		[ENPU_OP_FULLY_CONNECTED] = ENPU_CMD_WORDS_OF(struct enpu_cmd_fc),
		[ENPU_OP_ADD] = ENPU_CMD_WORDS_OF(struct enpu_cmd_add),
		[ENPU_OP_AVG_POOL] = ENPU_CMD_WORDS_OF(struct enpu_cmd_pool),
		[ENPU_OP_MAX_POOL] = ENPU_CMD_WORDS_OF(struct enpu_cmd_pool),
		[ENPU_OP_LUT] = ENPU_CMD_WORDS_OF(struct enpu_cmd_lut),
		[ENPU_OP_ELTWISE] = ENPU_CMD_WORDS_OF(struct enpu_cmd_eltwise),
	};

	return opcode < sizeof(sizes) / sizeof(sizes[0]) ? sizes[opcode] : 0;
}

/**
 * enpu_cmd_decode() - decode the command at the start of @words
 * @words:  the stream from this command on (little-endian 32-bit words)
 * @avail:  words left in the stream
 * @info:   filled: opcode, size, engine, memory regions, work
 *
 * Return: ENPU_CMD_OK or an enum enpu_cmd_error. On error @info->words is
 * still the command's size when the header could be read.
 */
static inline int enpu_cmd_decode(const uint32_t *words, uint64_t avail,
				  struct enpu_cmd_info *info)
{
	uint32_t hdr, expect;
	const void *c = words;

	info->opcode = 0;
	info->words = 0;
	info->engine = ENPU_ENGINE_COMPUTE;
	info->num_regions = 0;
	info->macs = 0;
	info->work = 0;
	info->lut = 0;
	if (avail < 1)
		return ENPU_CMD_ERR_TRUNCATED;
	hdr = words[0];
	info->opcode = ENPU_CMD_OPCODE(hdr);
	info->words = ENPU_CMD_WORDS(hdr);
	if (hdr & ENPU_CMD_HDR_RESERVED)
		return ENPU_CMD_ERR_RESERVED;

	expect = enpu_cmd_words(info->opcode);
	if (!expect)
		return ENPU_CMD_ERR_OPCODE;
	if (info->words != expect)
		return ENPU_CMD_ERR_SIZE;
	if (avail < expect)
		return ENPU_CMD_ERR_TRUNCATED;

	switch (info->opcode) {
	case ENPU_OP_NOP:
	case ENPU_OP_END:
		return ENPU_CMD_OK;
	case ENPU_OP_SIGNAL:
	case ENPU_OP_WAIT:
		return enpu_decode_sync(c, info);
	case ENPU_OP_DMA_COPY:
		return enpu_decode_dma_copy(c, info);
	case ENPU_OP_DMA_FILL:
		return enpu_decode_dma_fill(c, info);
	case ENPU_OP_CONV2D:
		return enpu_decode_conv2d(c, 0, info);
	case ENPU_OP_DWCONV2D:
		return enpu_decode_conv2d(c, 1, info);
	case ENPU_OP_FULLY_CONNECTED:
		return enpu_decode_fc(c, info);
	case ENPU_OP_ADD:
		return enpu_decode_add(c, info);
	case ENPU_OP_LUT:
		return enpu_decode_lut(c, info);
	case ENPU_OP_ELTWISE:
		return enpu_decode_eltwise(c, info);
	default:
		return enpu_decode_pool(c, info);
	}
}

/*
 * The capability bit (ENPU_CAP_*) a device must report in CAPS to run
 * commands of @opcode, or 0 for the commands every device runs. A device
 * without it refuses the command as an unknown opcode (ENPU_CMD_ERR_OPCODE,
 * before its size or fields are looked at); the kernel refuses it before
 * submission.
 */
static inline uint32_t enpu_cmd_cap(uint32_t opcode)
{
	return opcode == ENPU_OP_LUT ? ENPU_CAP_LUT :
	       opcode == ENPU_OP_ELTWISE ? ENPU_CAP_ELTWISE : 0;
}

/*
 * Every capability bit a decoded command needs: its opcode's and, for a
 * fused table (@info->lut), ENPU_CAP_FUSED_LUT. A device without the
 * latter sees the flag as a reserved bit (ENPU_CMD_ERR_RESERVED); the
 * kernel refuses the command before submission.
 */
static inline uint32_t enpu_cmd_caps(const struct enpu_cmd_info *info)
{
	return enpu_cmd_cap(info->opcode) | (info->lut ? ENPU_CAP_FUSED_LUT : 0);
}

/*
 * Where region @r lies for a device with @sram_size bytes of SRAM:
 * ENPU_REGION_DRAM (below the SRAM window: translated by the MMU, so it
 * must lie inside memory the job may reach), ENPU_REGION_SRAM (inside the
 * window and its SRAM), or ENPU_REGION_BAD (in the window but past the
 * SRAM's end). The rule the kernel applies before a submission.
 */
enum enpu_region_where {
	ENPU_REGION_DRAM = 0,
	ENPU_REGION_SRAM = 1,
	ENPU_REGION_BAD = -1,
};

static inline int enpu_region_where(const struct enpu_region *r, uint32_t sram_size)
{
	if (r->va < ENPU_SRAM_VA_BASE)
		return ENPU_REGION_DRAM;
	return (uint64_t)(r->va - ENPU_SRAM_VA_BASE) + r->size > sram_size ?
	       ENPU_REGION_BAD : ENPU_REGION_SRAM;
}

#endif /* EDGENPU_CMD_H */
