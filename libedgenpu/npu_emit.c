// SPDX-License-Identifier: MIT
/*
 * Command emission: one prepared layer as EdgeNPU commands (hw/edgenpu_isa.h)
 * at the addresses the placement chose, and one step (a device job) as the
 * stream of its layers with the prefetch copies and semaphore hand-overs
 * between the engines. Compute layers become one command (a LUT layer fused
 * into the one before it none: npu_fuse.c); PAD, CONCATENATION, RESHAPE,
 * TRANSPOSE, STRIDED_SLICE, SPLIT and RESIZE_NEAREST_NEIGHBOR become DMA
 * commands; element-wise activations one LUT command (npu_lut.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_isa.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"
#include "edgenpu_stream.h"
#include "internal.h"
#include "npu.h"

/* Room for @n more words at the stream's end, or NULL (s->oom set). */
static uint32_t *stream_room(struct enpu_stream *s, size_t n)
{
	if (s->oom)
		return NULL;
	if (s->n + n > s->cap) {
		size_t cap = (s->n + n) * 2 + 64;
		uint32_t *p = realloc(s->w, cap * 4);

		if (!p) {
			s->oom = 1;
			return NULL;
		}
		s->w = p;
		s->cap = cap;
	}
	return s->w + s->n;
}

void enpu_stream_cmd(struct enpu_stream *s, uint32_t op, const void *cmd, size_t bytes)
{
	uint32_t *w = stream_room(s, bytes / 4);

	if (w)
		s->n += enpu_put_cmd(w, op, cmd, bytes);
}

void enpu_stream_sync(struct enpu_stream *s, uint32_t op, uint32_t engine, uint32_t sem)
{
	uint32_t *w = stream_room(s, ENPU_CMD_WORDS_OF(struct enpu_cmd_sync));

	if (w)
		s->n += enpu_put_sync(w, op, engine, sem);
}

void enpu_stream_op(struct enpu_stream *s, uint32_t op)
{
	uint32_t *w = stream_room(s, 1);

	if (w)
		s->n += enpu_put_op(w, op);
}

uint32_t enpu_tensor_va(const struct enpu_npu *npu, int t, uint32_t weights_va,
			uint32_t arena_va)
{
	const struct enpu_place *p = &npu->place[t];

	switch (p->loc) {
	case ENPU_LOC_WEIGHTS:
		return weights_va + (uint32_t)p->off;
	case ENPU_LOC_ARENA:
		return arena_va + (uint32_t)p->off;
	case ENPU_LOC_SRAM:
		return ENPU_SRAM_VA_BASE + (uint32_t)p->off;
	default:
		return 0;
	}
}

static void copy3(struct enpu_stream *s, uint32_t src, uint32_t dst, uint32_t row,
		  uint32_t rows, uint32_t planes, uint32_t srs, uint32_t sps,
		  uint32_t drs, uint32_t dps)
{
	struct enpu_cmd_dma_copy c = {
		.src = src, .dst = dst, .row_bytes = row, .rows = rows, .planes = planes,
		.src_row_stride = srs, .src_plane_stride = sps,
		.dst_row_stride = drs, .dst_plane_stride = dps,
	};

	enpu_stream_cmd(s, ENPU_OP_DMA_COPY, &c, sizeof(c));
}

/* Right-aligns a shape into 4-D. */
static void dims4(const struct enpu_shape *sh, uint32_t *d)
{
	int i, k = 4 - sh->rank;

	for (i = 0; i < 4; i++)
		d[i] = i < k ? 1 : (uint32_t)sh->dims[i - k];
}

/* @lut: a fused table's address (contract 0.6), or 0. */
static void emit_conv(const struct enpu_prep *p, uint32_t in, uint32_t filt,
		      uint32_t bias, uint32_t quant, uint32_t lut, uint32_t out,
		      struct enpu_stream *s)
{
	struct enpu_cmd_conv2d c = { 0 };
	int dw = p->type == ENPU_LAYER_DEPTHWISE_CONV_2D;
	const struct enpu_nhwc *x = dw ? &p->p.dw.input : &p->p.conv.input;
	const struct enpu_nhwc *f = dw ? &p->p.dw.filter : &p->p.conv.filter;
	const struct enpu_nhwc *o = dw ? &p->p.dw.output : &p->p.conv.output;

	c.flags = (bias ? ENPU_CONV_FLAG_BIAS : 0) | (lut ? ENPU_CONV_FLAG_LUT : 0);
	c.lut = lut;
	c.input = in;
	c.filter = filt;
	c.bias = bias;
	c.quant = quant;
	c.output = out;
	c.batches = x->n;
	c.in_h = x->h;
	c.in_w = x->w;
	c.in_c = x->c;
	c.out_h = o->h;
	c.out_w = o->w;
	c.out_c = o->c;
	c.kernel_h = f->h;
	c.kernel_w = f->w;
	if (dw) {
		c.stride_h = p->p.dw.stride_h;
		c.stride_w = p->p.dw.stride_w;
		c.dilation_h = p->p.dw.dilation_h;
		c.dilation_w = p->p.dw.dilation_w;
		c.pad_top = p->p.dw.pad_top;
		c.pad_left = p->p.dw.pad_left;
		c.depth_multiplier = p->p.dw.depth_multiplier;
		c.input_zero_point = p->p.dw.input_zero_point;
		c.output_zero_point = p->p.dw.output_zero_point;
		c.act_min = p->p.dw.act_min;
		c.act_max = p->p.dw.act_max;
	} else {
		c.stride_h = p->p.conv.stride_h;
		c.stride_w = p->p.conv.stride_w;
		c.dilation_h = p->p.conv.dilation_h;
		c.dilation_w = p->p.conv.dilation_w;
		c.pad_top = p->p.conv.pad_top;
		c.pad_left = p->p.conv.pad_left;
		c.input_zero_point = p->p.conv.input_zero_point;
		c.output_zero_point = p->p.conv.output_zero_point;
		c.act_min = p->p.conv.act_min;
		c.act_max = p->p.conv.act_max;
	}
	enpu_stream_cmd(s, dw ? ENPU_OP_DWCONV2D : ENPU_OP_CONV2D, &c, sizeof(c));
}

/*
 * Output rows @first .. @first + @rows of a fully-connected layer of one
 * batch with one requantisation (enpu_npu_fc_splits()); @rows 0: all of
 * it. @filt is where those rows' weights are.
 */
static void emit_fc(const struct enpu_prep *p, uint32_t in, uint32_t filt,
		    uint32_t bias, uint32_t quant, uint32_t lut, uint32_t out,
		    uint32_t first, uint32_t rows, struct enpu_stream *s)
{
	struct enpu_cmd_fc c = { 0 };

	c.flags = (bias ? ENPU_FC_FLAG_BIAS : 0) | (lut ? ENPU_FC_FLAG_LUT : 0) |
		  (p->p.fc.num_quant > 1 ? ENPU_FC_FLAG_PER_CHANNEL : 0);
	c.lut = lut;
	c.input = in;
	c.filter = filt;
	c.bias = bias ? bias + first * 4 : 0;
	c.quant = quant;
	c.output = out + first;
	c.batches = p->p.fc.batches;
	c.in_depth = p->p.fc.input_depth;
	c.out_depth = rows ? rows : (uint32_t)p->p.fc.output_depth;
	c.input_zero_point = p->p.fc.input_zero_point;
	c.output_zero_point = p->p.fc.output_zero_point;
	c.act_min = p->p.fc.act_min;
	c.act_max = p->p.fc.act_max;
	enpu_stream_cmd(s, ENPU_OP_FULLY_CONNECTED, &c, sizeof(c));
}

/* ADD's and ELTWISE's arithmetic fields are one block in parameters and commands alike */
#define ARITH_WORDS	ENPU_ARITH_WORDS
_Static_assert(ENPU_ARITH_WORDS == ENPU_ADD_ARITH_WORDS, "one arithmetic block");

/* An ADD or ELTWISE command (same layout) for operands of these shapes. */
static void emit_bcast(uint32_t opcode, uint32_t op, const struct enpu_shape *s1,
		       const struct enpu_shape *s2, const struct enpu_shape *so,
		       const int32_t *arith, uint32_t a, uint32_t b, uint32_t out,
		       struct enpu_stream *s)
{
	struct enpu_cmd_eltwise c = { 0 };

	c.op = op;
	c.input1 = a;
	c.input2 = b;
	c.output = out;
	dims4(s1, c.in1_shape);
	dims4(s2, c.in2_shape);
	dims4(so, c.out_shape);
	if (arith)
		memcpy(&c.input1_zero_point, arith, 4 * ARITH_WORDS);
	enpu_stream_cmd(s, opcode, &c, sizeof(c));
}

static void emit_add(const struct enpu_prep *p, uint32_t a, uint32_t b, uint32_t out,
		     struct enpu_stream *s)
{
	const struct enpu_add_params *q = &p->p.add;

	emit_bcast(ENPU_OP_ADD, 0, &q->input1, &q->input2, &q->output, &q->input1_zero_point,
		   a, b, out, s);
}

/* SUB, MUL, MAXIMUM, MINIMUM: ELTWISE (contract 0.5). */
static void emit_eltwise(const struct enpu_prep *p, uint32_t a, uint32_t b, uint32_t out,
			 struct enpu_stream *s)
{
	const struct enpu_sub_params *sub = &p->p.sub;
	const struct enpu_mul_params *mul = &p->p.mul;
	const struct enpu_minmax_params *mm = &p->p.minmax;
	int32_t arith[ARITH_WORDS] = { 0 };

	switch (p->type) {
	case ENPU_LAYER_SUB:
		emit_bcast(ENPU_OP_ELTWISE, ENPU_ELTWISE_SUB, &sub->input1, &sub->input2,
			   &sub->output, &sub->input1_zero_point, a, b, out, s);
		return;
	case ENPU_LAYER_MUL:
		/* zero points, output multiplier and shift, activation range */
		arith[0] = mul->input1_zero_point;
		arith[1] = mul->input2_zero_point;
		arith[2] = mul->output_zero_point;
		arith[8] = mul->output_multiplier;
		arith[9] = mul->output_shift;
		arith[10] = mul->act_min;
		arith[11] = mul->act_max;
		emit_bcast(ENPU_OP_ELTWISE, ENPU_ELTWISE_MUL, &mul->input1, &mul->input2,
			   &mul->output, arith, a, b, out, s);
		return;
	default:
		emit_bcast(ENPU_OP_ELTWISE, p->type == ENPU_LAYER_MAXIMUM ? ENPU_ELTWISE_MAX :
			   ENPU_ELTWISE_MIN, &mm->input1, &mm->input2, &mm->output, NULL, a, b,
			   out, s);
	}
}

static void emit_pool(const struct enpu_prep *p, uint32_t in, uint32_t out,
		      struct enpu_stream *s)
{
	const struct enpu_pool_params *q = &p->p.pool;
	struct enpu_cmd_pool c = { 0 };

	c.input = in;
	c.output = out;
	c.batches = q->input.n;
	c.in_h = q->input.h;
	c.in_w = q->input.w;
	c.channels = q->input.c;
	c.out_h = q->output.h;
	c.out_w = q->output.w;
	c.filter_h = q->filter_h;
	c.filter_w = q->filter_w;
	c.stride_h = q->stride_h;
	c.stride_w = q->stride_w;
	c.pad_top = q->pad_top;
	c.pad_left = q->pad_left;
	c.act_min = q->act_min;
	c.act_max = q->act_max;
	enpu_stream_cmd(s, p->type == ENPU_LAYER_MAX_POOL_2D ? ENPU_OP_MAX_POOL :
			ENPU_OP_AVG_POOL, &c, sizeof(c));
}

/* PAD: the whole output filled with the pad value, then the input copied in. */
static int emit_pad(const struct enpu_model *m, const struct enpu_prep *p,
		    uint32_t in, uint32_t out, struct enpu_stream *s)
{
	const struct enpu_pad_params *q = &p->p.pad;
	const struct enpu_gtensor *o = &m->g->tensors[p->out];
	struct enpu_cmd_dma_fill f = { 0 };
	struct enpu_shape os;
	uint32_t x[4], y[4], b[4], i0;
	int i, k = 4 - q->input.rank;

	if (enpu_pad_output_shape(q, &os))
		return -EINVAL;
	dims4(&q->input, x);
	dims4(&os, y);
	for (i = 0; i < 4; i++)
		b[i] = i < k ? 0 : (uint32_t)q->before[i - k];
	f.dst = out;
	f.value = (uint8_t)q->value;
	f.row_bytes = (uint32_t)o->bytes;
	f.rows = 1;
	f.planes = 1;
	enpu_stream_cmd(s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	for (i0 = 0; i0 < x[0]; i0++)
		copy3(s, in + i0 * x[1] * x[2] * x[3],
		      out + (((i0 + b[0]) * y[1] + b[1]) * y[2] + b[2]) * y[3] + b[3],
		      x[3], x[2], x[1], x[3], x[2] * x[3], y[3], y[2] * y[3]);
	return 0;
}

/* CONCATENATION: each input copied into its slice of the output. */
static int emit_concat(const struct enpu_model *m, const struct enpu_prep *p,
		       uint32_t weights_va, uint32_t arena_va, uint32_t out,
		       struct enpu_stream *s)
{
	const struct enpu_gtensor *o = &m->g->tensors[p->out];
	uint64_t outer = 1, inner = 1, off = 0;
	int i, k;

	for (i = 0; i < p->concat_axis; i++)
		outer *= (uint64_t)o->dims[i];
	for (i = p->concat_axis + 1; i < o->rank; i++)
		inner *= (uint64_t)o->dims[i];
	if (outer > ENPU_CMD_MAX_DIM)
		return -EINVAL;
	for (k = 0; k < p->num_in; k++) {
		const struct enpu_gtensor *t = &m->g->tensors[p->in[k]];
		uint32_t row = (uint32_t)(t->dims[p->concat_axis] * inner);

		copy3(s, enpu_tensor_va(m->npu, p->in[k], weights_va, arena_va),
		      out + (uint32_t)off, row, (uint32_t)outer, 1, row, 0,
		      (uint32_t)(o->dims[p->concat_axis] * inner), 0);
		off += row;
	}
	return 0;
}

/*
 * A gather (TRANSPOSE, STRIDED_SLICE, SPLIT) as DMA copies from @in to
 * the contiguous @out: with a contiguous innermost axis, one copy per
 * outermost index (rows and planes over the next two axes); otherwise
 * one-byte rows, one copy per index of the two outer axes. -ERANGE when
 * it walks its input backwards (DMA strides are unsigned), -EINVAL when an
 * axis is longer than a copy's rows or planes.
 */
static int emit_gather(const struct enpu_gather *g, uint32_t in, uint32_t out,
		       struct enpu_stream *s)
{
	const uint32_t c1 = (uint32_t)g->count[1], c2 = (uint32_t)g->count[2];
	const uint32_t c3 = (uint32_t)g->count[3];
	uint32_t k0, k1;
	int i;

	for (i = 0; i < 4; i++) {
		if (g->step[i] < 0)
			return -ERANGE;
		if (g->count[i] > ENPU_CMD_MAX_DIM || g->step[i] > UINT32_MAX)
			return -EINVAL;
	}
	if (g->step[3] == 1 || c3 == 1) {
		for (k0 = 0; k0 < (uint32_t)g->count[0]; k0++)
			copy3(s, in + (uint32_t)(g->offset + k0 * g->step[0]),
			      out + k0 * c1 * c2 * c3, c3, c2, c1, (uint32_t)g->step[2],
			      (uint32_t)g->step[1], c3, c2 * c3);
		return 0;
	}
	for (k0 = 0; k0 < (uint32_t)g->count[0]; k0++)
		for (k1 = 0; k1 < c1; k1++)
			copy3(s, in + (uint32_t)(g->offset + k0 * g->step[0] + k1 * g->step[1]),
			      out + (k0 * c1 + k1) * c2 * c3, 1, c3, c2, (uint32_t)g->step[3],
			      (uint32_t)g->step[2], 1, c3);
	return 0;
}

/*
 * RESIZE_NEAREST_NEIGHBOR as DMA copies, one per output row: its columns
 * read the input at a fixed stride (a same-size or integer-factor
 * downscale) or repeat each input column k times (an integer-factor
 * upscale). -EOPNOTSUPP for any other mapping (align_corners, uneven
 * factors).
 */
static int emit_resize_nearest(const struct enpu_resize_params *q, uint32_t in, uint32_t out,
			       struct enpu_stream *s)
{
	const uint32_t c = (uint32_t)q->input.c, ow = (uint32_t)q->output_width;
	const uint32_t iw = (uint32_t)q->input.w, ih = (uint32_t)q->input.h;
	int32_t x0, x1, v, y, b;
	uint32_t x, k = 0, step = 0;
	int affine = 1, repeat = ow % iw == 0;

	if (enpu_resize_nearest_source(q, 1, 0, &x0) ||
	    (ow > 1 && enpu_resize_nearest_source(q, 1, 1, &x1)))
		return -EINVAL;
	if (ow > 1 && x1 >= x0)
		step = (uint32_t)(x1 - x0);
	k = repeat ? ow / iw : 0;
	for (x = 0; x < ow; x++) {
		if (enpu_resize_nearest_source(q, 1, (int32_t)x, &v))
			return -EINVAL;
		affine &= v == x0 + (int32_t)(x * step);
		repeat &= v == (int32_t)(x / (k ? k : 1));
	}
	if (!affine && !repeat)
		return -EOPNOTSUPP;
	if (ow > ENPU_CMD_MAX_DIM || iw > ENPU_CMD_MAX_DIM)
		return -EINVAL;
	for (b = 0; b < q->input.n; b++)
		for (y = 0; y < q->output_height; y++) {
			uint32_t src, dst = ((uint32_t)b * (uint32_t)q->output_height + (uint32_t)y) *
					    ow * c;

			if (enpu_resize_nearest_source(q, 0, y, &v))
				return -EINVAL;
			src = in + (((uint32_t)b * ih + (uint32_t)v) * iw) * c;
			if (affine)
				copy3(s, src + (uint32_t)x0 * c, out + dst, c, ow, 1, step * c, 0, c,
				      0);
			else
				copy3(s, src, out + dst, c, k, iw, 0, c, c, k * c);
		}
	return 0;
}

int enpu_npu_fc_splits(const struct enpu_model *m, size_t l)
{
	const struct enpu_prep *p = &m->prep[l];

	return p->type == ENPU_LAYER_FULLY_CONNECTED && p->p.fc.batches == 1 &&
	       p->p.fc.num_quant == 1 && p->p.fc.output_depth > 1;
}

int enpu_emit_layer(const struct enpu_model *m, size_t l, uint32_t weights_va,
		    uint32_t arena_va, uint32_t filter_va, struct enpu_stream *s)
{
	return enpu_emit_rows(m, l, weights_va, arena_va, filter_va, 0, 0, s);
}

int enpu_emit_rows(const struct enpu_model *m, size_t l, uint32_t weights_va,
		   uint32_t arena_va, uint32_t filter_va, uint32_t first, uint32_t rows,
		   struct enpu_stream *s)
{
	const struct enpu_prep *p = &m->prep[l];
	const struct enpu_npu *npu = m->npu;
	uint32_t in = enpu_tensor_va(npu, p->in[0], weights_va, arena_va);
	uint32_t out = enpu_tensor_va(npu, p->out, weights_va, arena_va);
	uint32_t quant = npu->quant_off[l] == UINT64_MAX ? 0 :
			 weights_va + (uint32_t)npu->quant_off[l];
	uint32_t bias = p->num_in > 2 && p->in[2] >= 0 ?
			enpu_tensor_va(npu, p->in[2], weights_va, arena_va) : 0;
	uint32_t filt = filter_va ? filter_va :
			p->num_in > 1 && p->in[1] >= 0 ?
			enpu_tensor_va(npu, p->in[1], weights_va, arena_va) : 0;
	uint32_t lut = 0;

	if (rows && (!enpu_npu_fc_splits(m, l) ||
		     (uint64_t)first + rows > (uint64_t)p->p.fc.output_depth))
		return -EINVAL;
	if (rows && !filter_va)
		filt += first * (uint32_t)p->p.fc.input_depth;

	/* a fused table: applied by its producer's command, which writes its output */
	if (enpu_npu_fused_into(m, l) >= 0)
		return 0;
	if (npu->fused_lut && npu->fused_lut[l] >= 0) {
		size_t k = (size_t)npu->fused_lut[l];

		lut = weights_va + (uint32_t)npu->quant_off[k];
		out = enpu_tensor_va(npu, m->prep[k].out, weights_va, arena_va);
	}
	if (enpu_npu_is_lut(p->type)) {
		struct enpu_cmd_lut c = {
			.src = in, .dst = out, .table = quant, .count = (uint32_t)p->count,
		};

		enpu_stream_cmd(s, ENPU_OP_LUT, &c, sizeof(c));
		return 0;
	}
	switch (p->type) {
	case ENPU_LAYER_CONV_2D:
	case ENPU_LAYER_DEPTHWISE_CONV_2D:
		emit_conv(p, in, filt, bias, quant, lut, out, s);
		return 0;
	case ENPU_LAYER_FULLY_CONNECTED:
		emit_fc(p, in, filt, bias, quant, lut, out, first, rows, s);
		return 0;
	case ENPU_LAYER_ADD:
		emit_add(p, in, enpu_tensor_va(npu, p->in[1], weights_va, arena_va), out, s);
		return 0;
	case ENPU_LAYER_SUB:
	case ENPU_LAYER_MUL:
	case ENPU_LAYER_MAXIMUM:
	case ENPU_LAYER_MINIMUM:
		emit_eltwise(p, in, enpu_tensor_va(npu, p->in[1], weights_va, arena_va), out, s);
		return 0;
	case ENPU_LAYER_AVERAGE_POOL_2D:
	case ENPU_LAYER_MAX_POOL_2D:
		emit_pool(p, in, out, s);
		return 0;
	case ENPU_LAYER_PAD:
		return emit_pad(m, p, in, out, s);
	case ENPU_LAYER_CONCATENATION:
		return emit_concat(m, p, weights_va, arena_va, out, s);
	case ENPU_LAYER_RESHAPE:
		if (in != out)
			copy3(s, in, out, (uint32_t)m->g->tensors[p->out].bytes, 1, 1, 0, 0, 0, 0);
		return 0;
	case ENPU_LAYER_TRANSPOSE: {
		struct enpu_gather g;

		return enpu_transpose_gather(&p->p.transpose, &g) ? -EINVAL :
		       emit_gather(&g, in, out, s);
	}
	case ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR:
		return emit_resize_nearest(&p->p.resize, in, out, s);
	case ENPU_LAYER_STRIDED_SLICE:
	case ENPU_LAYER_SPLIT: {
		/* a SPLIT's input is its second: the first is the axis */
		struct enpu_gather g;

		if (enpu_strided_slice_gather(&p->p.strided_slice, &g))
			return -EINVAL;
		return emit_gather(&g, p->type == ENPU_LAYER_SPLIT ?
				   enpu_tensor_va(npu, p->in[1], weights_va, arena_va) : in,
				   out, s);
	}
	default:
		return -ENOTSUP;	/* a CPU layer */
	}
}

/*
 * Semaphores of a job's stream. The prefetch copies run in the order of
 * their layers, so one counting semaphore each way serves them all: the
 * compute engine's n-th WAIT on SEM_LOADED returns once the n-th copy is
 * in, and the DMA engine's n-th WAIT on SEM_FREE once the step's n-th
 * prefetched layer has run.
 */
#define SEM_LOADED		0	/* DMA -> compute: weights in */
#define SEM_FREE		2	/* compute -> DMA: a prefetched layer done */
#define SEM_TO_DMA		4	/* compute done, DMA may move */
#define SEM_TO_COMPUTE		5	/* DMA done, compute may read */

int enpu_npu_layer_moves(const struct enpu_model *m, size_t l)
{
	const struct enpu_prep *p = &m->prep[l];
	const struct enpu_place *a, *b;

	if (!enpu_npu_layer_is_dma(p->type))
		return 0;
	if (p->type != ENPU_LAYER_RESHAPE || p->in[0] < 0)
		return 1;
	a = &m->npu->place[p->in[0]];
	b = &m->npu->place[p->out];
	return a->loc != b->loc || a->off != b->off;
}

uint32_t enpu_npu_ring_va(const struct enpu_npu *npu, uint32_t off)
{
	return ENPU_SRAM_VA_BASE + npu->sku.sram_size - npu->ring_bytes + off;
}

uint32_t enpu_npu_ring_rows(const struct enpu_npu *npu, size_t l)
{
	return npu->ring_rows ? npu->ring_rows[l] : 0;
}

uint64_t enpu_npu_ring_part(const struct enpu_model *m, size_t l)
{
	uint32_t r = enpu_npu_ring_rows(m->npu, l);

	return r ? (uint64_t)r * (uint64_t)m->prep[l].p.fc.input_depth :
		   enpu_npu_filter_bytes(m, l);
}

static int ring_overlap(const struct enpu_model *m, size_t a, size_t b)
{
	uint64_t oa = (uint64_t)m->npu->prefetch[a], ob = (uint64_t)m->npu->prefetch[b];

	return oa < ob + enpu_npu_filter_bytes(m, b) && ob < oa + enpu_npu_filter_bytes(m, a);
}

size_t enpu_npu_copy_after(const struct enpu_model *m, size_t st, size_t k,
			   unsigned int *after)
{
	const struct enpu_step *step = &m->steps[st];
	size_t l = m->order[k], p, j;

	*after = 0;
	for (p = k; p > step->first; p--) {
		size_t o = m->order[p - 1];

		/* the DMA engine runs it once every layer before it has run */
		if (enpu_npu_layer_moves(m, o))
			break;
		if (m->npu->prefetch[o] < 0 || !ring_overlap(m, l, o))
			continue;
		for (j = step->first; j < p; j++)
			*after += m->npu->prefetch[m->order[j]] >= 0;
		break;
	}
	return p;
}

/*
 * A pipelined step's SRAM tensor crossing a cut (pipeline.c): copied from
 * its arena copy into its SRAM place (@in), or back out.
 */
static void emit_spill(const struct enpu_model *m, int t, uint32_t weights_va,
		       uint32_t arena_va, int in, struct enpu_stream *s)
{
	const struct enpu_npu *npu = m->npu;
	uint32_t sram = enpu_tensor_va(npu, t, weights_va, arena_va);
	uint32_t dram = arena_va + (uint32_t)npu->spill_off[t];
	struct enpu_cmd_dma_copy c = {
		.src = in ? dram : sram, .dst = in ? sram : dram,
		.row_bytes = (uint32_t)m->g->tensors[t].bytes, .rows = 1, .planes = 1,
	};

	enpu_stream_cmd(s, ENPU_OP_DMA_COPY, &c, sizeof(c));
}

/*
 * The DMA engine's copy of layer @l's weights into its place in the ring,
 * once the step's first @after prefetched layers have run (@freed of them
 * already waited for), then the signal the layer waits for.
 */
static void emit_prefetch(const struct enpu_model *m, size_t l, uint32_t weights_va,
			  uint32_t arena_va, unsigned int *freed, unsigned int after,
			  struct enpu_stream *s)
{
	const struct enpu_npu *npu = m->npu;
	struct enpu_cmd_dma_copy c = {
		.src = enpu_tensor_va(npu, m->prep[l].in[1], weights_va, arena_va),
		.dst = enpu_npu_ring_va(npu, (uint32_t)npu->prefetch[l]),
		.row_bytes = (uint32_t)enpu_npu_ring_part(m, l), .rows = 1, .planes = 1,
	};

	for (; *freed < after; (*freed)++)
		enpu_stream_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_DMA, SEM_FREE);
	enpu_stream_cmd(s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	enpu_stream_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, SEM_LOADED);
}

/*
 * Emits step @st for the given bases: a pipelined step's tensors copied
 * in, prefetch copies on the DMA engine, semaphore hand-overs around
 * data-movement layers, the tensors copied out, END.
 */
int enpu_emit_step(const struct enpu_model *m, size_t st, uint32_t weights_va,
		   uint32_t arena_va, struct enpu_stream *s)
{
	const struct enpu_step *step = &m->steps[st];
	const struct enpu_npu *npu = m->npu;
	const int *spill = npu->spill_list ? npu->spill_list + step->spill_first : NULL;
	/* the next copy to issue: its layer's position, from where it may start */
	size_t k, next = step->first, from = SIZE_MAX;
	unsigned int freed = 0, after = 0;
	uint32_t i;
	int ret;

	for (i = 0; i < step->nload; i++)
		emit_spill(m, spill[i], weights_va, arena_va, 1, s);
	if (step->nload) {
		/* compute starts once the DMA engine has put them back */
		enpu_stream_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, SEM_TO_COMPUTE);
		enpu_stream_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, SEM_TO_COMPUTE);
	}
	for (k = step->first; k < step->first + step->count; k++) {
		size_t l = m->order[k];
		enum enpu_layer_type t = m->prep[l].type;

		/* the copies that may start here, in the order of their layers */
		while (next < step->first + step->count) {
			if (npu->prefetch[m->order[next]] < 0) {
				next++;
				continue;
			}
			if (from == SIZE_MAX)
				from = enpu_npu_copy_after(m, st, next, &after);
			if (from > k)
				break;
			emit_prefetch(m, m->order[next], weights_va, arena_va, &freed, after, s);
			next++;
			from = SIZE_MAX;
		}
		if (npu->prefetch[l] >= 0) {
			uint32_t r = enpu_npu_ring_rows(npu, l);

			ret = 0;
			/* the rows read from DRAM run first, beside the copy of the others */
			if (r)
				ret = enpu_emit_rows(m, l, weights_va, arena_va, 0, r,
						     (uint32_t)m->prep[l].p.fc.output_depth - r, s);
			enpu_stream_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, SEM_LOADED);
			if (!ret)
				ret = enpu_emit_rows(m, l, weights_va, arena_va,
						     enpu_npu_ring_va(npu, (uint32_t)npu->prefetch[l]),
						     0, r, s);
			enpu_stream_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_COMPUTE, SEM_FREE);
		} else if (enpu_npu_layer_moves(m, l)) {
			/* data movement runs on the DMA engine, between compute layers */
			enpu_stream_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_COMPUTE, SEM_TO_DMA);
			enpu_stream_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_DMA, SEM_TO_DMA);
			ret = enpu_emit_layer(m, l, weights_va, arena_va, 0, s);
			enpu_stream_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, SEM_TO_COMPUTE);
			enpu_stream_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, SEM_TO_COMPUTE);
		} else {
			ret = enpu_emit_layer(m, l, weights_va, arena_va, 0, s);
		}
		if (ret)
			return enpu_fail(ret, "layer %zu (%s) cannot be emitted", l,
					 enpu_layer_type_name(t));
	}
	if (step->nstore) {
		/* copied out once the compute engine has written them */
		enpu_stream_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_COMPUTE, SEM_TO_DMA);
		enpu_stream_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_DMA, SEM_TO_DMA);
	}
	for (i = 0; i < step->nstore; i++)
		emit_spill(m, spill[step->nload + i], weights_va, arena_va, 0, s);
	enpu_stream_op(s, ENPU_OP_END);
	if (s->oom)
		return enpu_fail(-ENOMEM, "out of memory emitting commands");
	if (s->n * 4 > ENPU_MAX_CMD_SIZE)
		return enpu_fail(-E2BIG, "job %zu needs %zu bytes of commands, the NPU takes %u",
				 st, s->n * 4, ENPU_MAX_CMD_SIZE);
	return 0;
}
