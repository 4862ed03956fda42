// SPDX-License-Identifier: MIT
/*
 * Command execution in two steps, as the scheduler sees a command: when
 * it starts, its operands are gathered from NPU virtual memory into
 * scratch buffers and the INT8 kernels of hw/int8 compute the result
 * (passed through its fused table, if it has one); when it finishes, the
 * result is written back. DMA copies read all their rows at the start and
 * write them at the finish. Compute commands use scratch slots 0 to
 * ENPU_CMD_MAX_REGIONS - 1 (slot i holds region i), the DMA engine slot
 * ENPU_DMA_SLOT, so one command of each engine can be in flight. The
 * result has a slot of its own, so a command whose destination overlaps
 * its source has read all of it before it writes any.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_mmu.h"
#include "engine_internal.h"
#include "enpu_int8.h"

#define ENPU_DMA_SLOT	(ENPU_ENGINE_SCRATCH - 1)

/*
 * A slot's contents live from a command's start to its finish only, so a
 * slot that must grow is replaced, not copied, and grows at least twofold
 * (in 64 KiB steps): a job of ever larger layers reallocates a handful of
 * times, not once per layer.
 */
uint8_t *enpu_scratch(struct enpu_engine *e, unsigned int slot, uint64_t len)
{
	uint64_t want;
	uint8_t *p;

	if (slot >= ENPU_ENGINE_SCRATCH || len > ENPU_MAX_OPERAND)
		return NULL;
	if (!len)
		len = 1;
	if (e->scratch_size[slot] < len) {
		want = 2 * (uint64_t)e->scratch_size[slot];
		if (want < len)
			want = len;
		want = (want + 0xffff) & ~(uint64_t)0xffff;
		if (want > ENPU_MAX_OPERAND)
			want = ENPU_MAX_OPERAND;
		p = malloc(want);
		if (!p)
			return NULL;
		free(e->scratch[slot]);
		e->scratch[slot] = p;
		e->scratch_size[slot] = want;
	}
	return e->scratch[slot];
}

/* Reads region @i of @info into scratch slot @i. */
static void *load(struct enpu_job *job, const struct enpu_cmd_info *info,
		  unsigned int i)
{
	const struct enpu_region *r = &info->regions[i];
	uint8_t *p = enpu_scratch(job->e, i, r->size);

	if (!p) {
		enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_TOO_BIG);
		return NULL;
	}
	return enpu_vm_read(job, r->va, p, r->size) ? NULL : p;
}

/*
 * Region 1, a layer's weights of @shape (a depthwise layer's: @dw's): the
 * pack cache's copy, and in @ready what was made of it, while memory
 * still holds those bytes (compared where they lie, not copied), else
 * read into scratch and made ready for the next time (@ready NULL if they
 * could not be). NULL with the job failed.
 */
static const int8_t *load_kept(struct enpu_job *job, const struct enpu_cmd_info *info,
			       const struct enpu_pack_shape *shape,
			       const struct enpu_dwconv2d_params *dw, const void **ready)
{
	const struct enpu_region *r = &info->regions[1];
	const int8_t *w;

	*ready = NULL;
	w = enpu_pack_cache_find(job, r->va, r->size, shape, ready);
	if (w || job->done->status != ENPU_JOB_OK)
		return w;
	w = load(job, info, 1);
	if (w && dw)
		*ready = enpu_pack_cache_get_dw(job, r->va, w, r->size, dw);
	else if (w)
		*ready = enpu_pack_cache_get(job, r->va, w, r->size, shape->channels,
					     (size_t)shape->a);
	return w;
}

/* A GEMM layer's weights, @channels rows of @k_len (load_kept()). */
static const int8_t *load_weights(struct enpu_job *job, const struct enpu_cmd_info *info,
				  int32_t channels, size_t k_len,
				  const struct enpu_gemm_weights **pw)
{
	const struct enpu_pack_shape shape = {
		.kind = ENPU_PACK_GEMM, .channels = channels, .a = (int64_t)k_len,
	};
	const void *ready;
	const int8_t *w = load_kept(job, info, &shape, NULL, &ready);

	*pw = ready;
	return w;
}

/* Scratch slot @i for the result, region @i. */
static void *out_buf(struct enpu_job *job, const struct enpu_cmd_info *info,
		     unsigned int i)
{
	uint8_t *p = enpu_scratch(job->e, i, info->regions[i].size);

	if (!p)
		enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_TOO_BIG);
	return p;
}

/*
 * A kernel stopped for an abort, a reset or a pause (its cancel flag is
 * the engine's interrupt request), or refused parameters the decoder let
 * through.
 */
static int kernel_result(struct enpu_job *job, int ret)
{
	if (ret == -ECANCELED)
		return enpu_interrupted(job);
	if (ret)
		return enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_PARAM);
	return 0;
}

/*
 * DMA rows between two reads of the interrupt request: a row is one bus
 * access per page it spans, and a command moves at most ENPU_MAX_OPERAND
 * bytes, so a command of one-byte rows is the longest to walk.
 */
#define DMA_ROWS_PER_CHECK	4096u

static int dma_interrupted(struct enpu_job *job, uint64_t row)
{
	if (row % DMA_ROWS_PER_CHECK || !atomic_load(&job->e->interrupt))
		return 0;
	return enpu_interrupted(job);
}

/* DMA_COPY start: every row, packed, into the DMA engine's scratch. */
static int start_dma_copy(struct enpu_job *job, struct enpu_pending *pd)
{
	const struct enpu_cmd_dma_copy *c = (const void *)pd->words;
	uint8_t *buf = enpu_scratch(job->e, ENPU_DMA_SLOT, pd->info.work);
	uint32_t p, r;
	int ret;

	if (!buf)
		return enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_TOO_BIG);
	pd->result = buf;
	for (p = 0; p < c->planes; p++) {
		for (r = 0; r < c->rows; r++, buf += c->row_bytes) {
			ret = dma_interrupted(job, (uint64_t)p * c->rows + r);
			if (ret)
				return ret;
			if (enpu_vm_read(job, c->src + p * c->src_plane_stride +
					 r * c->src_row_stride, buf, c->row_bytes))
				return -1;
		}
	}
	return 0;
}

static int start_dma_fill(struct enpu_job *job, struct enpu_pending *pd)
{
	const struct enpu_cmd_dma_fill *c = (const void *)pd->words;
	uint8_t *row = enpu_scratch(job->e, ENPU_DMA_SLOT, c->row_bytes);

	if (!row)
		return enpu_job_fail(job, ENPU_JOB_INVALID_COMMAND, ENPU_CMD_ERR_TOO_BIG);
	memset(row, (int)c->value, c->row_bytes);
	pd->result = row;
	return 0;
}

/* DMA finish: rows to their destinations (packed for a copy, one row for a fill). */
static int finish_dma(struct enpu_job *job, struct enpu_pending *pd)
{
	const struct enpu_cmd_dma_copy *cp = (const void *)pd->words;
	const struct enpu_cmd_dma_fill *f = (const void *)pd->words;
	int copy = pd->info.opcode == ENPU_OP_DMA_COPY;
	uint32_t dst = copy ? cp->dst : f->dst;
	uint32_t row_bytes = copy ? cp->row_bytes : f->row_bytes;
	uint32_t rows = copy ? cp->rows : f->rows;
	uint32_t planes = copy ? cp->planes : f->planes;
	uint32_t rstride = copy ? cp->dst_row_stride : f->dst_row_stride;
	uint32_t pstride = copy ? cp->dst_plane_stride : f->dst_plane_stride;
	const uint8_t *buf = pd->result;
	uint32_t p, r;
	int ret;

	for (p = 0; p < planes; p++) {
		for (r = 0; r < rows; r++) {
			ret = dma_interrupted(job, (uint64_t)p * rows + r);
			if (ret)
				return ret;
			if (enpu_vm_write(job, dst + p * pstride + r * rstride,
					  buf, row_bytes))
				return -1;
			if (copy)
				buf += row_bytes;
		}
	}
	return 0;
}

/* What a CONV2D and a DWCONV2D command give either kernel's parameters alike. */
#define CONV_PARAMS_COMMON(c, job)						\
	.input = { (c)->batches, (c)->in_h, (c)->in_w, (c)->in_c },		\
	.output = { (c)->batches, (c)->out_h, (c)->out_w, (c)->out_c },		\
	.stride_h = (c)->stride_h, .stride_w = (c)->stride_w,			\
	.dilation_h = (c)->dilation_h, .dilation_w = (c)->dilation_w,		\
	.pad_top = (c)->pad_top, .pad_left = (c)->pad_left,			\
	.input_zero_point = (c)->input_zero_point,				\
	.output_zero_point = (c)->output_zero_point,				\
	.act_min = (c)->act_min, .act_max = (c)->act_max,			\
	.num_quant = (c)->out_c,						\
	.cancel = &(job)->e->interrupt

static int start_conv(struct enpu_job *job, const struct enpu_cmd_conv2d *c,
		     const struct enpu_cmd_info *info, int dw)
{
	unsigned int bias_i = (c->flags & ENPU_CONV_FLAG_BIAS) ? 2 : 0;
	unsigned int quant_i = bias_i ? 3 : 2, out_i = info->num_regions - 1;
	const size_t k_len = (size_t)c->kernel_h * c->kernel_w * c->in_c;
	const struct enpu_gemm_weights *packed = NULL;
	const void *widened = NULL;
	struct enpu_dwconv2d_params dp = {
		CONV_PARAMS_COMMON(c, job),
		.filter = { 1, c->kernel_h, c->kernel_w, c->out_c },
		.depth_multiplier = c->depth_multiplier,
	};
	const struct enpu_pack_shape dw_shape = enpu_pack_shape_dw(&dp);
	const int8_t *in, *filt = NULL;
	const int32_t *bias = NULL, *quant;
	int8_t *out;
	int ret;

	in = load(job, info, 0);
	if (in)
		filt = dw ? load_kept(job, info, &dw_shape, &dp, &widened) :
		       load_weights(job, info, (int32_t)c->out_c, k_len, &packed);
	if (filt && bias_i)
		bias = load(job, info, bias_i);
	quant = filt && (!bias_i || bias) ? load(job, info, quant_i) : NULL;
	out = quant ? out_buf(job, info, out_i) : NULL;
	if (!out)
		return -1;

	if (dw) {
		dp.multipliers = quant;
		dp.shifts = quant + c->out_c;
		dp.prepared = widened;
		ret = enpu_depthwise_conv2d(&dp, in, info->regions[0].size,
					    filt, info->regions[1].size,
					    bias, bias ? c->out_c : 0,
					    out, info->regions[out_i].size);
	} else {
		struct enpu_conv2d_params p = {
			CONV_PARAMS_COMMON(c, job),
			.filter = { c->out_c, c->kernel_h, c->kernel_w, c->in_c },
			.multipliers = quant, .shifts = quant + c->out_c,
			.packed = packed,
		};

		ret = enpu_conv2d(&p, in, info->regions[0].size,
				  filt, info->regions[1].size,
				  bias, bias ? c->out_c : 0,
				  out, info->regions[out_i].size);
	}
	return kernel_result(job, ret);
}

static int start_fc(struct enpu_job *job, const struct enpu_cmd_fc *c,
		   const struct enpu_cmd_info *info)
{
	unsigned int bias_i = (c->flags & ENPU_FC_FLAG_BIAS) ? 2 : 0;
	unsigned int quant_i = bias_i ? 3 : 2, out_i = info->num_regions - 1;
	size_t nq = (c->flags & ENPU_FC_FLAG_PER_CHANNEL) ? c->out_depth : 1;
	const struct enpu_gemm_weights *packed = NULL;
	const int32_t *bias = NULL, *quant;
	const int8_t *in, *filt;
	int8_t *out;
	int ret;

	in = load(job, info, 0);
	filt = in ? load_weights(job, info, (int32_t)c->out_depth, c->in_depth, &packed) : NULL;
	if (filt && bias_i)
		bias = load(job, info, bias_i);
	quant = filt && (!bias_i || bias) ? load(job, info, quant_i) : NULL;
	out = quant ? out_buf(job, info, out_i) : NULL;
	if (!out)
		return -1;

	{
		struct enpu_fc_params p = {
			.batches = c->batches,
			.input_depth = c->in_depth,
			.output_depth = c->out_depth,
			.input_zero_point = c->input_zero_point,
			.output_zero_point = c->output_zero_point,
			.act_min = c->act_min, .act_max = c->act_max,
			.multipliers = quant, .shifts = quant + nq,
			.num_quant = nq,
			.cancel = &job->e->interrupt,
			.packed = packed,
		};

		ret = enpu_fully_connected(&p, in, info->regions[0].size,
					   filt, info->regions[1].size,
					   bias, bias ? c->out_depth : 0,
					   out, info->regions[out_i].size);
	}
	return kernel_result(job, ret);
}

static void shape4(struct enpu_shape *s, const uint32_t *d)
{
	int i;

	s->rank = 4;
	for (i = 0; i < 4; i++)
		s->dims[i] = (int32_t)d[i];
}

/* ADD's and ELTWISE's arithmetic fields are one block in commands and parameters alike */
_Static_assert(ENPU_ARITH_WORDS == ENPU_ADD_ARITH_WORDS, "one arithmetic block");

static int start_add(struct enpu_job *job, const struct enpu_cmd_add *c,
		    const struct enpu_cmd_info *info)
{
	struct enpu_add_params p = { .cancel = &job->e->interrupt };
	const int8_t *a, *b;

	memcpy(&p.input1_zero_point, &c->input1_zero_point, 4 * ENPU_ARITH_WORDS);
	int8_t *out;

	shape4(&p.input1, c->in1_shape);
	shape4(&p.input2, c->in2_shape);
	shape4(&p.output, c->out_shape);
	a = load(job, info, 0);
	b = a ? load(job, info, 1) : NULL;
	out = b ? out_buf(job, info, 2) : NULL;
	if (!out)
		return -1;
	return kernel_result(job, enpu_add(&p, a, info->regions[0].size,
					   b, info->regions[1].size,
					   out, info->regions[2].size));
}

/*
 * ELTWISE: ADD's operands and result slots, and the hw/int8 kernel of its
 * operation with the fields that operation uses (the decoder has checked
 * that the others are zero).
 */
static int start_eltwise(struct enpu_job *job, const struct enpu_cmd_eltwise *c,
			 const struct enpu_cmd_info *info)
{
	const atomic_int *cancel = &job->e->interrupt;
	struct enpu_shape in1, in2, out_shape;
	size_t n1 = info->regions[0].size, n2 = info->regions[1].size;
	size_t n_out = info->regions[2].size;
	const int8_t *a, *b;
	int8_t *out;
	int ret;

	shape4(&in1, c->in1_shape);
	shape4(&in2, c->in2_shape);
	shape4(&out_shape, c->out_shape);
	a = load(job, info, 0);
	b = a ? load(job, info, 1) : NULL;
	out = b ? out_buf(job, info, 2) : NULL;
	if (!out)
		return -1;
	switch (c->op) {
	case ENPU_ELTWISE_SUB: {
		struct enpu_sub_params p = {
			.input1 = in1, .input2 = in2, .output = out_shape, .cancel = cancel,
		};

		memcpy(&p.input1_zero_point, &c->input1_zero_point, 4 * ENPU_ARITH_WORDS);
		ret = enpu_sub(&p, a, n1, b, n2, out, n_out);
		break;
	}
	case ENPU_ELTWISE_MUL: {
		struct enpu_mul_params p = {
			.input1 = in1, .input2 = in2, .output = out_shape,
			.input1_zero_point = c->input1_zero_point,
			.input2_zero_point = c->input2_zero_point,
			.output_zero_point = c->output_zero_point,
			.output_multiplier = c->output_multiplier,
			.output_shift = c->output_shift,
			.act_min = c->act_min, .act_max = c->act_max,
			.cancel = cancel,
		};

		ret = enpu_mul_i8(&p, a, n1, b, n2, out, n_out);
		break;
	}
	case ENPU_ELTWISE_MAX:
	case ENPU_ELTWISE_MIN: {
		struct enpu_minmax_params p = {
			.input1 = in1, .input2 = in2, .output = out_shape,
			.cancel = cancel,
		};

		ret = c->op == ENPU_ELTWISE_MAX ?
		      enpu_maximum(&p, a, n1, b, n2, out, n_out) :
		      enpu_minimum(&p, a, n1, b, n2, out, n_out);
		break;
	}
	default:
		ret = -EINVAL;	/* the decoder refuses any other */
	}
	return kernel_result(job, ret);
}

static int start_pool(struct enpu_job *job, const struct enpu_cmd_pool *c,
		     const struct enpu_cmd_info *info, int max)
{
	struct enpu_pool_params p = {
		.input = { c->batches, c->in_h, c->in_w, c->channels },
		.output = { c->batches, c->out_h, c->out_w, c->channels },
		.filter_h = c->filter_h, .filter_w = c->filter_w,
		.stride_h = c->stride_h, .stride_w = c->stride_w,
		.pad_top = c->pad_top, .pad_left = c->pad_left,
		.act_min = c->act_min, .act_max = c->act_max,
		.cancel = &job->e->interrupt,
	};
	const int8_t *in = load(job, info, 0);
	int8_t *out = in ? out_buf(job, info, 1) : NULL;
	int ret;

	if (!out)
		return -1;
	ret = max ? enpu_max_pool(&p, in, info->regions[0].size, out,
				  info->regions[1].size) :
		    enpu_avg_pool(&p, in, info->regions[0].size, out,
				  info->regions[1].size);
	return kernel_result(job, ret);
}

/* LUT elements between two reads of the interrupt request (ADD's unit). */
#define LUT_CHUNK	(1u << 16)

/* LUT: source (slot 0) and table (slot 1) in, the result in slot 2. */
static int start_lut(struct enpu_job *job, const struct enpu_cmd_lut *c,
		     const struct enpu_cmd_info *info)
{
	const int8_t *src = load(job, info, 0);
	const int8_t *table = src ? load(job, info, 1) : NULL;
	int8_t *out = table ? out_buf(job, info, 2) : NULL;
	uint32_t i;

	if (!out)
		return -1;
	for (i = 0; i < c->count; i++) {
		if (i % LUT_CHUNK == 0 && atomic_load(&job->e->interrupt))
			return enpu_interrupted(job);
		out[i] = table[src[i] + 128];
	}
	return 0;
}

/* Index of the region a compute command writes: its last one. */
static unsigned int out_region(const struct enpu_cmd_info *info)
{
	return info->num_regions - 1;
}

/*
 * A fused table (contract 0.6): the result in its slot passed through the
 * table, the region before the output's, as the LUT command would.
 */
static int apply_fused_lut(struct enpu_job *job, const struct enpu_cmd_info *info)
{
	unsigned int o = out_region(info);
	const int8_t *table = load(job, info, o - 1);
	int8_t *out = (int8_t *)job->e->scratch[o];
	uint64_t i;

	if (!table)
		return -1;
	for (i = 0; i < info->regions[o].size; i++) {
		if (i % LUT_CHUNK == 0 && atomic_load(&job->e->interrupt))
			return enpu_interrupted(job);
		out[i] = table[out[i] + 128];
	}
	return 0;
}

int enpu_cmd_start(struct enpu_job *job, struct enpu_pending *p)
{
	const void *c = p->words;
	const struct enpu_cmd_info *info = &p->info;
	int ret;

	p->result = NULL;
	switch (info->opcode) {
	case ENPU_OP_DMA_COPY:
		return start_dma_copy(job, p);
	case ENPU_OP_DMA_FILL:
		return start_dma_fill(job, p);
	case ENPU_OP_CONV2D:
		ret = start_conv(job, c, info, 0);
		break;
	case ENPU_OP_DWCONV2D:
		ret = start_conv(job, c, info, 1);
		break;
	case ENPU_OP_FULLY_CONNECTED:
		ret = start_fc(job, c, info);
		break;
	case ENPU_OP_ADD:
		ret = start_add(job, c, info);
		break;
	case ENPU_OP_AVG_POOL:
		ret = start_pool(job, c, info, 0);
		break;
	case ENPU_OP_MAX_POOL:
		ret = start_pool(job, c, info, 1);
		break;
	case ENPU_OP_LUT:
		ret = start_lut(job, c, info);
		break;
	case ENPU_OP_ELTWISE:
		ret = start_eltwise(job, c, info);
		break;
	default:
		return 0;	/* NOP: nothing to do */
	}
	if (!ret && info->lut)
		ret = apply_fused_lut(job, info);
	if (!ret)
		p->result = job->e->scratch[out_region(info)];
	return ret;
}

uint64_t enpu_pending_bytes(const struct enpu_pending *p)
{
	const struct enpu_cmd_dma_fill *f = (const void *)p->words;

	switch (p->info.opcode) {
	case ENPU_OP_NOP:
		return 0;
	case ENPU_OP_DMA_COPY:
		return p->info.work;
	case ENPU_OP_DMA_FILL:
		return f->row_bytes;
	}
	return p->info.regions[out_region(&p->info)].size;
}

int enpu_pending_restore(struct enpu_engine *e, struct enpu_pending *p,
			 const uint8_t *bytes, uint64_t len)
{
	unsigned int slot = ENPU_DMA_SLOT;

	p->result = NULL;
	if (len != enpu_pending_bytes(p))
		return -1;
	if (p->info.opcode == ENPU_OP_NOP)
		return 0;
	if (p->info.engine != ENPU_ENGINE_DMA)
		slot = out_region(&p->info);
	p->result = enpu_scratch(e, slot, len);
	if (!p->result)
		return -1;
	memcpy(p->result, bytes, len);
	return 0;
}

int enpu_cmd_finish(struct enpu_job *job, struct enpu_pending *p)
{
	const struct enpu_region *r;

	if (!p->result)
		return 0;
	if (p->info.opcode == ENPU_OP_DMA_COPY || p->info.opcode == ENPU_OP_DMA_FILL)
		return finish_dma(job, p);
	r = &p->info.regions[out_region(&p->info)];
	return enpu_vm_write(job, r->va, p->result, r->size);
}

