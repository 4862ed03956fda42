/* SPDX-License-Identifier: MIT */
/*
 * Command streams for fuzzing, built from the ISA (hw/edgenpu_isa.h):
 * commands with valid, small shapes over operand VAs the caller picks
 * (inside its buffers, at their edges, past them, in SRAM...), and streams
 * of a few of them, sometimes with one word mutated or no END. The ioctl
 * fuzzer submits them to the driver; the contract fuzzer runs them past
 * the decoder and the engine.
 */
#ifndef EDGENPU_CMD_GEN_H
#define EDGENPU_CMD_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "edgenpu_isa.h"
#include "fuzz_rng.h"

struct cmd_gen {
	struct rng *r;
	/* a VA for an operand of @len bytes */
	uint32_t (*va)(void *ctx, uint64_t len);
	void *ctx;
	uint32_t *s;		/* the stream */
	uint32_t cap;		/* its words */
	uint32_t n;		/* words so far */
};

static inline void cmd_gen_put(struct cmd_gen *g, uint32_t op, void *cmd, size_t bytes)
{
	if (g->n + bytes / 4 >= g->cap - 1)
		return;
	((uint32_t *)cmd)[0] = ENPU_CMD_HDR(op, bytes / 4);
	memcpy(g->s + g->n, cmd, bytes);
	g->n += bytes / 4;
}

/*
 * An ELTWISE of a random operation with that operation's fields (the
 * others zero): a [1, 1, h, w] input1 and output, input2 the same, a row
 * or a column broadcast over them; input2 and the output are input1 now
 * and then (x * x, x - x; in place).
 */
static inline void cmd_gen_eltwise(struct cmd_gen *g)
{
	struct rng *R = g->r;
	uint32_t h = 1 + below(R, 8), w = 1 + below(R, 32), b = below(R, 3);
	uint32_t h2 = b == 1 ? 1 : h, w2 = b == 2 ? 1 : w;
	struct enpu_cmd_eltwise c = {
		.op = ENPU_ELTWISE_SUB + below(R, 4),
		.input1 = g->va(g->ctx, h * w),
		.in1_shape = { 1, 1, h, w }, .in2_shape = { 1, 1, h2, w2 },
		.out_shape = { 1, 1, h, w },
	};

	if (c.op == ENPU_ELTWISE_SUB || c.op == ENPU_ELTWISE_MUL) {
		c.input1_zero_point = (int32_t)below(R, 256) - 128;
		c.input2_zero_point = (int32_t)below(R, 256) - 128;
		c.output_zero_point = (int32_t)below(R, 256) - 128;
		c.output_multiplier = 1 << 30;
		c.output_shift = -(int32_t)below(R, 8);
		c.act_min = -128;
		c.act_max = 127;
	}
	if (c.op == ENPU_ELTWISE_SUB) {
		c.left_shift = 20;
		c.input1_multiplier = 1 << 30;
		c.input2_multiplier = 1 << 30;
		c.output_shift = -20;
	}
	c.input2 = chance(R, 25) ? c.input1 : g->va(g->ctx, h2 * w2);
	c.output = chance(R, 25) ? c.input1 : g->va(g->ctx, h * w);
	cmd_gen_put(g, ENPU_OP_ELTWISE, &c, sizeof(c));
}

/* One command of the ISA. */
static inline void cmd_gen_one(struct cmd_gen *g)
{
	struct rng *R = g->r;
	uint32_t len = 1 + below(R, 256);

#define VA(l) g->va(g->ctx, (l))
	switch (below(R, 10)) {
	case 0: {
		struct enpu_cmd_dma_copy c = {
			.src = VA(len), .dst = VA(len), .row_bytes = len,
			.rows = 1 + below(R, 2), .planes = 1,
			.src_row_stride = len, .dst_row_stride = len,
		};

		cmd_gen_put(g, ENPU_OP_DMA_COPY, &c, sizeof(c));
		break;
	}
	case 1: {
		struct enpu_cmd_dma_fill c = {
			.dst = VA(len), .value = below(R, 256),
			.row_bytes = len, .rows = 1, .planes = 1,
		};

		cmd_gen_put(g, ENPU_OP_DMA_FILL, &c, sizeof(c));
		break;
	}
	case 2:
	case 3: {
		struct enpu_cmd_sync c = {
			.engine = below(R, 2), .sem = below(R, 3),
		};

		cmd_gen_put(g, below(R, 2) ? ENPU_OP_SIGNAL : ENPU_OP_WAIT, &c, sizeof(c));
		break;
	}
	case 4: {
		uint32_t hw = 1 + below(R, 8), c_in = 1 + below(R, 8);
		uint32_t k = 1 + below(R, 3), oc = 1 + below(R, 8);
		struct enpu_cmd_conv2d c = {
			.input = VA(hw * hw * c_in),
			.filter = VA(oc * k * k * c_in),
			.quant = VA(8 * oc), .output = VA(hw * hw * oc),
			.batches = 1, .in_h = hw, .in_w = hw, .in_c = c_in,
			.out_h = hw, .out_w = hw, .out_c = oc, .kernel_h = k,
			.kernel_w = k, .stride_h = 1, .stride_w = 1, .dilation_h = 1,
			.dilation_w = 1, .pad_top = k / 2, .pad_left = k / 2,
			.act_min = -128, .act_max = 127,
		};

		if (chance(R, 20)) {
			/* a table fused after it (contract 0.6) */
			c.flags |= ENPU_CONV_FLAG_LUT;
			c.lut = VA(ENPU_LUT_ENTRIES);
		}
		if (chance(R, 25)) {
			/* depthwise: one output channel per input channel */
			c.depth_multiplier = 1;
			c.out_c = c_in;
			c.filter = VA(k * k * c_in);
			c.quant = VA(8 * c_in);
			c.output = VA(hw * hw * c_in);
			cmd_gen_put(g, ENPU_OP_DWCONV2D, &c, sizeof(c));
		} else {
			cmd_gen_put(g, ENPU_OP_CONV2D, &c, sizeof(c));
		}
		break;
	}
	case 5: {
		uint32_t in = 1 + below(R, 64), out = 1 + below(R, 16);
		struct enpu_cmd_fc c = {
			.input = VA(in), .filter = VA(in * out),
			.quant = VA(8), .output = VA(out),
			.batches = 1, .in_depth = in, .out_depth = out,
			.act_min = -128, .act_max = 127,
		};

		if (chance(R, 20)) {
			c.flags |= ENPU_FC_FLAG_LUT;
			c.lut = VA(ENPU_LUT_ENTRIES);
		}
		cmd_gen_put(g, ENPU_OP_FULLY_CONNECTED, &c, sizeof(c));
		break;
	}
	case 6: {
		uint32_t e = 1 + below(R, 64);
		struct enpu_cmd_pool c = {
			.input = VA(e), .output = VA(e), .batches = 1,
			.in_h = 1, .in_w = e, .channels = 1, .out_h = 1, .out_w = e,
			.filter_h = 1, .filter_w = 1, .stride_h = 1, .stride_w = 1,
			.act_min = -128, .act_max = 127,
		};

		cmd_gen_put(g, below(R, 2) ? ENPU_OP_MAX_POOL : ENPU_OP_AVG_POOL, &c,
			    sizeof(c));
		break;
	}
	case 7: {
		/* ADD, or ELTWISE: its layout for the other binary operations */
		if (chance(R, 50)) {
			cmd_gen_eltwise(g);
			break;
		}
		uint32_t e = 1 + below(R, 64);
		struct enpu_cmd_add c = {
			.input1 = VA(e), .input2 = VA(e), .output = VA(e),
			.in1_shape = { 1, 1, 1, e }, .in2_shape = { 1, 1, 1, e },
			.out_shape = { 1, 1, 1, e }, .left_shift = 20,
			.input1_multiplier = 1 << 30, .input2_multiplier = 1 << 30,
			.output_multiplier = 1 << 30, .act_min = -128, .act_max = 127,
		};

		cmd_gen_put(g, ENPU_OP_ADD, &c, sizeof(c));
		break;
	}
	case 8: {
		struct enpu_cmd_lut c = {
			.src = VA(len), .table = VA(ENPU_LUT_ENTRIES), .count = len,
		};

		/* in place now and then, as activations are */
		c.dst = chance(R, 25) ? c.src : VA(len);
		cmd_gen_put(g, ENPU_OP_LUT, &c, sizeof(c));
		break;
	}
	default:
		if (g->n < g->cap - 1)
			g->s[g->n++] = ENPU_CMD_HDR(ENPU_OP_NOP, 1);
	}
#undef VA
}

/*
 * A stream of a few commands into g->s; sometimes one word mutated (a bit
 * flipped or an edge value), or no END. Returns its words.
 */
static inline uint32_t cmd_gen_stream(struct cmd_gen *g)
{
	struct rng *R = g->r;
	uint32_t cmds = 1 + below(R, 8), i;

	g->n = 0;
	for (i = 0; i < cmds; i++)
		cmd_gen_one(g);
	if (chance(R, 95))
		g->s[g->n++] = ENPU_CMD_HDR(ENPU_OP_END, 1);
	if (g->n && chance(R, 15)) {
		i = below(R, g->n);
		g->s[i] = chance(R, 50) ? g->s[i] ^ (1u << below(R, 32)) :
					  (uint32_t)edge64(R);
	}
	return g->n;
}

#endif /* EDGENPU_CMD_GEN_H */
