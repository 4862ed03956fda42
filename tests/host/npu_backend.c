// SPDX-License-Identifier: MIT
/*
 * Golden-test backend that runs each operator on the EdgeNPU execution
 * engine: operands are placed in simulated memory behind page tables,
 * the operator is encoded with the ISA of hw/edgenpu_isa.h (compute
 * commands, or DMA commands for PAD, CONCATENATION and RESHAPE) and
 * the job's output is read back. Anything but ENPU_JOB_OK fails the case
 * with the engine's status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "edgenpu_cmd.h"
#include "edgenpu_hw.h"
#include "golden_backend.h"
#include "testbus.h"

#define RW (ENPU_PTE_READ | ENPU_PTE_WRITE)
#define VA_BASE 0x00100000u

static char npu_err[256];

/* One job being assembled: memory, page tables, stream, the next free VA. */
struct npu_job {
	struct tbus bus;
	struct tctx ctx;
	struct tstream s;
	uint32_t next_va;
};

static int job_init(struct npu_job *j, uint64_t bytes)
{
	memset(j, 0, sizeof(*j));
	if (tbus_init(&j->bus, bytes * 2 + (8u << 20)))
		return -ENOMEM;
	tctx_init(&j->ctx, &j->bus, 1);
	ts_init(&j->s);
	j->next_va = VA_BASE;
	return 0;
}

static void job_free(struct npu_job *j)
{
	ts_free(&j->s);
	tbus_fini(&j->bus);
}

/* Maps @len bytes (copied from @data when not NULL); returns the VA. */
static uint32_t place(struct npu_job *j, const void *data, uint64_t len)
{
	uint32_t va = j->next_va;
	uint64_t span = (len + ENPU_PAGE_SIZE - 1) & ~(uint64_t)(ENPU_PAGE_SIZE - 1);

	if (!span)
		span = ENPU_PAGE_SIZE;
	tctx_map_new(&j->ctx, va, span, RW);
	if (data && len)
		tctx_write(&j->ctx, va, data, len);
	j->next_va += span + ENPU_PAGE_SIZE;	/* a guard page between operands */
	return va;
}

/* Multipliers then shifts, as the ISA's quant operand. */
static uint32_t place_quant(struct npu_job *j, const int32_t *m, const int32_t *s,
			    size_t n)
{
	uint32_t va = place(j, NULL, 8 * n);

	tctx_write(&j->ctx, va, m, 4 * n);
	tctx_write(&j->ctx, va + 4 * n, s, 4 * n);
	return va;
}

static int run(struct npu_job *j, uint32_t out_va, void *out, size_t len)
{
	struct enpu_job_completion done;
	struct enpu_engine e;

	ts_end(&j->s);
	if (enpu_engine_init(&e, &tbus_default_sku, &tbus_ops, &j->bus))
		return -ENOMEM;
	trun(&e, &j->ctx, &j->s, 1, &done);
	enpu_engine_destroy(&e);
	if (done.status != ENPU_JOB_OK) {
		snprintf(npu_err, sizeof(npu_err),
			 "NPU job status %u (info %u, command at byte %u, fault VA 0x%x)",
			 done.status, done.error_info, done.error_offset, done.fault_addr);
		return -EIO;
	}
	tctx_read(&j->ctx, out_va, out, len);
	return 0;
}

static int conv_common(const struct enpu_nhwc *in, const struct enpu_nhwc *out,
		       int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t dh,
		       int32_t dw, int32_t pt, int32_t pl, int32_t izp, int32_t ozp,
		       int32_t lo, int32_t hi, int32_t dm, const int32_t *mult,
		       const int32_t *shift, const int8_t *input, size_t input_len,
		       const int8_t *filter, size_t filter_len, const int32_t *bias,
		       int8_t *output, size_t output_len)
{
	struct enpu_cmd_conv2d c = { 0 };
	struct npu_job j;
	int ret;

	if (job_init(&j, input_len + filter_len + output_len + 16ull * out->c))
		return -ENOMEM;
	c.flags = bias ? ENPU_CONV_FLAG_BIAS : 0;
	c.input = place(&j, input, input_len);
	c.filter = place(&j, filter, filter_len);
	c.bias = bias ? place(&j, bias, 4ull * out->c) : 0;
	c.quant = place_quant(&j, mult, shift, out->c);
	c.output = place(&j, NULL, output_len);
	c.batches = in->n;
	c.in_h = in->h;
	c.in_w = in->w;
	c.in_c = in->c;
	c.out_h = out->h;
	c.out_w = out->w;
	c.out_c = out->c;
	c.kernel_h = kh;
	c.kernel_w = kw;
	c.stride_h = sh;
	c.stride_w = sw;
	c.dilation_h = dh;
	c.dilation_w = dw;
	c.pad_top = pt;
	c.pad_left = pl;
	c.depth_multiplier = dm;
	c.input_zero_point = izp;
	c.output_zero_point = ozp;
	c.act_min = lo;
	c.act_max = hi;
	ts_cmd(&j.s, dm ? ENPU_OP_DWCONV2D : ENPU_OP_CONV2D, &c, sizeof(c));
	ret = run(&j, c.output, output, output_len);
	job_free(&j);
	return ret;
}

static int npu_conv2d(const struct enpu_conv2d_params *p,
		      const int8_t *input, size_t input_len,
		      const int8_t *filter, size_t filter_len,
		      const int32_t *bias, size_t bias_len,
		      int8_t *output, size_t output_len)
{
	(void)bias_len;
	return conv_common(&p->input, &p->output, p->filter.h, p->filter.w,
			   p->stride_h, p->stride_w, p->dilation_h, p->dilation_w,
			   p->pad_top, p->pad_left, p->input_zero_point,
			   p->output_zero_point, p->act_min, p->act_max, 0,
			   p->multipliers, p->shifts, input, input_len, filter,
			   filter_len, bias, output, output_len);
}

static int npu_depthwise(const struct enpu_dwconv2d_params *p,
			 const int8_t *input, size_t input_len,
			 const int8_t *filter, size_t filter_len,
			 const int32_t *bias, size_t bias_len,
			 int8_t *output, size_t output_len)
{
	(void)bias_len;
	return conv_common(&p->input, &p->output, p->filter.h, p->filter.w,
			   p->stride_h, p->stride_w, p->dilation_h, p->dilation_w,
			   p->pad_top, p->pad_left, p->input_zero_point,
			   p->output_zero_point, p->act_min, p->act_max,
			   p->depth_multiplier, p->multipliers, p->shifts, input,
			   input_len, filter, filter_len, bias, output, output_len);
}

static int npu_fc(const struct enpu_fc_params *p,
		  const int8_t *input, size_t input_len,
		  const int8_t *filter, size_t filter_len,
		  const int32_t *bias, size_t bias_len,
		  int8_t *output, size_t output_len)
{
	struct enpu_cmd_fc c = { 0 };
	struct npu_job j;
	int ret;

	(void)bias_len;
	if (job_init(&j, input_len + filter_len + output_len + 16ull * p->output_depth))
		return -ENOMEM;
	c.flags = (bias ? ENPU_FC_FLAG_BIAS : 0) |
		  (p->num_quant > 1 ? ENPU_FC_FLAG_PER_CHANNEL : 0);
	c.input = place(&j, input, input_len);
	c.filter = place(&j, filter, filter_len);
	c.bias = bias ? place(&j, bias, 4ull * p->output_depth) : 0;
	c.quant = place_quant(&j, p->multipliers, p->shifts, p->num_quant);
	c.output = place(&j, NULL, output_len);
	c.batches = p->batches;
	c.in_depth = p->input_depth;
	c.out_depth = p->output_depth;
	c.input_zero_point = p->input_zero_point;
	c.output_zero_point = p->output_zero_point;
	c.act_min = p->act_min;
	c.act_max = p->act_max;
	ts_cmd(&j.s, ENPU_OP_FULLY_CONNECTED, &c, sizeof(c));
	ret = run(&j, c.output, output, output_len);
	job_free(&j);
	return ret;
}

/* Right-aligns a shape of rank <= 4 into 4-D. */
static int to4(const struct enpu_shape *s, uint32_t *d)
{
	int i, k = 4 - s->rank;

	if (s->rank < 0 || s->rank > 4)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		d[i] = i < k ? 1 : (uint32_t)s->dims[i - k];
	return 0;
}

static int npu_add(const struct enpu_add_params *p,
		   const int8_t *input1, size_t input1_len,
		   const int8_t *input2, size_t input2_len,
		   int8_t *output, size_t output_len)
{
	struct enpu_cmd_add c = { 0 };
	struct npu_job j;
	int ret;

	if (to4(&p->input1, c.in1_shape) || to4(&p->input2, c.in2_shape) ||
	    to4(&p->output, c.out_shape))
		return -EINVAL;
	if (job_init(&j, input1_len + input2_len + output_len))
		return -ENOMEM;
	c.input1 = place(&j, input1, input1_len);
	c.input2 = place(&j, input2, input2_len);
	c.output = place(&j, NULL, output_len);
	c.input1_zero_point = p->input1_zero_point;
	c.input2_zero_point = p->input2_zero_point;
	c.output_zero_point = p->output_zero_point;
	c.left_shift = p->left_shift;
	c.input1_multiplier = p->input1_multiplier;
	c.input1_shift = p->input1_shift;
	c.input2_multiplier = p->input2_multiplier;
	c.input2_shift = p->input2_shift;
	c.output_multiplier = p->output_multiplier;
	c.output_shift = p->output_shift;
	c.act_min = p->act_min;
	c.act_max = p->act_max;
	ts_cmd(&j.s, ENPU_OP_ADD, &c, sizeof(c));
	ret = run(&j, c.output, output, output_len);
	job_free(&j);
	return ret;
}

static int pool(uint32_t op, const struct enpu_pool_params *p,
		const int8_t *input, size_t input_len,
		int8_t *output, size_t output_len)
{
	struct enpu_cmd_pool c = { 0 };
	struct npu_job j;
	int ret;

	if (job_init(&j, input_len + output_len))
		return -ENOMEM;
	c.input = place(&j, input, input_len);
	c.output = place(&j, NULL, output_len);
	c.batches = p->input.n;
	c.in_h = p->input.h;
	c.in_w = p->input.w;
	c.channels = p->input.c;
	c.out_h = p->output.h;
	c.out_w = p->output.w;
	c.filter_h = p->filter_h;
	c.filter_w = p->filter_w;
	c.stride_h = p->stride_h;
	c.stride_w = p->stride_w;
	c.pad_top = p->pad_top;
	c.pad_left = p->pad_left;
	c.act_min = p->act_min;
	c.act_max = p->act_max;
	ts_cmd(&j.s, op, &c, sizeof(c));
	ret = run(&j, c.output, output, output_len);
	job_free(&j);
	return ret;
}

static int npu_avg_pool(const struct enpu_pool_params *p, const int8_t *input,
			size_t input_len, int8_t *output, size_t output_len)
{
	return pool(ENPU_OP_AVG_POOL, p, input, input_len, output, output_len);
}

static int npu_max_pool(const struct enpu_pool_params *p, const int8_t *input,
			size_t input_len, int8_t *output, size_t output_len)
{
	return pool(ENPU_OP_MAX_POOL, p, input, input_len, output, output_len);
}

/* Appends a DMA_COPY of planes x rows x row_bytes (counts split at 65535). */
static void copy3(struct tstream *s, uint32_t src, uint32_t dst, uint32_t row_bytes,
		  uint32_t rows, uint32_t planes, uint32_t srs, uint32_t sps,
		  uint32_t drs, uint32_t dps)
{
	struct enpu_cmd_dma_copy c = {
		.src = src, .dst = dst, .row_bytes = row_bytes, .rows = rows,
		.planes = planes, .src_row_stride = srs, .src_plane_stride = sps,
		.dst_row_stride = drs, .dst_plane_stride = dps,
	};

	ts_cmd(s, ENPU_OP_DMA_COPY, &c, sizeof(c));
}

/* PAD: fill the output with the pad value, then copy the input inside it. */
static int npu_pad(const struct enpu_pad_params *p, const int8_t *input,
		   size_t input_len, int8_t *output, size_t output_len)
{
	uint32_t in[4], out[4], b[4];
	struct enpu_cmd_dma_fill f = { 0 };
	struct enpu_shape os;
	struct npu_job j;
	uint32_t src, dst, i0;
	int i, k, ret;

	if (enpu_pad_output_shape(p, &os) || to4(&p->input, in) || to4(&os, out))
		return -EINVAL;
	k = 4 - p->input.rank;
	for (i = 0; i < 4; i++)
		b[i] = i < k ? 0 : (uint32_t)p->before[i - k];
	if (job_init(&j, input_len + output_len))
		return -ENOMEM;
	src = place(&j, input, input_len);
	dst = place(&j, NULL, output_len);
	f.dst = dst;
	f.value = (uint8_t)p->value;
	f.row_bytes = output_len;
	f.rows = 1;
	f.planes = 1;
	ts_cmd(&j.s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	for (i0 = 0; i0 < in[0] && input_len; i0++)
		copy3(&j.s, src + i0 * in[1] * in[2] * in[3],
		      dst + (((i0 + b[0]) * out[1] + b[1]) * out[2] + b[2]) * out[3] + b[3],
		      in[3], in[2], in[1], in[3], in[2] * in[3], out[3], out[2] * out[3]);
	ret = run(&j, dst, output, output_len);
	job_free(&j);
	return ret;
}

/* CONCATENATION: one strided copy per input into its slice of the output. */
static int npu_concat(int32_t axis, size_t num_inputs,
		      const struct enpu_shape *shapes, const int8_t *const *inputs,
		      const size_t *lens, const struct enpu_shape *os,
		      int8_t *output, size_t output_len)
{
	uint64_t outer = 1, inner = 1, total = output_len, off = 0;
	struct npu_job j;
	uint32_t dst;
	size_t n;
	int i, ret;

	if (axis < 0)
		axis += os->rank;
	if (axis < 0 || axis >= os->rank)
		return -EINVAL;
	for (i = 0; i < axis; i++)
		outer *= os->dims[i];
	for (i = axis + 1; i < os->rank; i++)
		inner *= os->dims[i];
	for (n = 0; n < num_inputs; n++)
		total += lens[n];
	if (outer > 65535 || job_init(&j, total))
		return -EINVAL;
	dst = place(&j, NULL, output_len);
	for (n = 0; n < num_inputs; n++) {
		uint32_t row = (uint32_t)(shapes[n].dims[axis] * inner);
		uint32_t src = place(&j, inputs[n], lens[n]);

		copy3(&j.s, src, dst + (uint32_t)off, row, (uint32_t)outer, 1, row, 0,
		      (uint32_t)(os->dims[axis] * inner), 0);
		off += row;
	}
	ret = run(&j, dst, output, output_len);
	job_free(&j);
	return ret;
}

static int npu_reshape(const int8_t *input, size_t input_len, int8_t *output,
		       size_t output_len, size_t count)
{
	struct npu_job j;
	uint32_t src, dst;
	int ret;

	if (count > input_len || count > output_len || !count)
		return -EINVAL;
	if (job_init(&j, 2 * count))
		return -ENOMEM;
	src = place(&j, input, count);
	dst = place(&j, NULL, count);
	copy3(&j.s, src, dst, count, 1, 1, 0, 0, 0, 0);
	ret = run(&j, dst, output, count);
	job_free(&j);
	return ret;
}

static const char *npu_last_error(void)
{
	return npu_err;
}

const struct golden_backend golden_npu_backend = {
	.name = "npu",
	.unsupported = "not an NPU operator: libedgenpu runs it on the CPU",
	.conv2d = npu_conv2d,
	.depthwise_conv2d = npu_depthwise,
	.fully_connected = npu_fc,
	.add = npu_add,
	.avg_pool = npu_avg_pool,
	.max_pool = npu_max_pool,
	.pad = npu_pad,
	.concatenation = npu_concat,
	.reshape = npu_reshape,
	.last_error = npu_last_error,
};
