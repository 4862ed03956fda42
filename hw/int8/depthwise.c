// SPDX-License-Identifier: MIT
/*
 * DEPTHWISE_CONV_2D, int8, per-channel weights (TFLite
 * reference_integer_ops::DepthwiseConvPerChannel semantics). Output channel
 * oc = ic * depth_multiplier + m reads input channel ic:
 *
 *   acc = bias[oc] + sum over in-bounds taps of
 *         w[ky][kx][oc] * (x[iy][ix][oc / depth_multiplier] - in_zp)
 *
 * Where the CPU variant has enpu_dot_ops.dw_rows (AVX-512 VNNI), a layer of
 * one input channel an output channel, up to four taps a filter row and
 * channels in sixteens (or eight at stride 1) runs through it
 * (dw_rows_layer()): each input row, padded with its zero point, is spread
 * once so that a lane's four bytes are one filter row's taps, and an output
 * chunk of sixteen channels is then one u8 x s8 dot product a filter row
 * (three for 3 x 3, where dw_run takes nine multiply-adds of pairs).
 *
 * Otherwise, where the CPU variant has enpu_dot_ops.dw_run (AVX2, AVX-512), a layer with
 * up to ENPU_DW_RUN_TAPS taps whose channels come in eights (depth
 * multiplier 1) or whose multiplier does runs through it (dw_run_layer()):
 * on the input padded with its zero point, so that a tap outside the image
 * adds 0, as TFLite leaves it out, one call a block of channels and up to
 * DW_RUN_ROWS output rows.
 *
 * Otherwise, per output pixel the in-bounds taps are listed once (no
 * per-tap bounds checks afterwards), then channels are processed eight at
 * a time: input and weight vectors of two taps are interleaved so that one
 * pmaddwd adds both taps' products per channel. Kernels with more than
 * DW_MAX_TAPS taps use a plain loop with int64 accumulation.
 */
#include <stdlib.h>
#include <string.h>

#include "enpu_dot.h"
#include "enpu_int8_internal.h"
#include "enpu_requant.h"

/* 16x16 taps; 256 taps * 32640 is far from int32 overflow. */
#define DW_MAX_TAPS	256

static int dw_validate(const struct enpu_dwconv2d_params *p,
		       const int8_t *input, size_t input_len,
		       const int8_t *filter, size_t filter_len,
		       const int32_t *bias, size_t bias_len,
		       const int8_t *output, size_t output_len)
{
	struct enpu_wcounts n;

	if (!p || enpu_nhwc_wcounts(&p->input, &p->filter, &p->output, &n))
		return -EINVAL;
	if (!enpu_dim_ok(p->depth_multiplier) || p->filter.n != 1 ||
	    (int64_t)p->input.c * p->depth_multiplier != p->output.c ||
	    p->filter.c != p->output.c || p->output.n != p->input.n)
		return -EINVAL;
	if (enpu_check_window(p->input.h, p->output.h, p->filter.h,
			      p->stride_h, p->dilation_h, p->pad_top) ||
	    enpu_check_window(p->input.w, p->output.w, p->filter.w,
			      p->stride_w, p->dilation_w, p->pad_left))
		return -EINVAL;
	if (enpu_check_io_i8(p->input_zero_point, p->output_zero_point,
			     p->act_min, p->act_max))
		return -EINVAL;
	if (p->num_quant != (size_t)p->output.c ||
	    enpu_check_quant_array(p->multipliers, p->shifts, p->num_quant))
		return -EINVAL;
	return enpu_check_wbufs(&n, input, input_len, filter, filter_len,
				bias, bias_len, output, output_len);
}

/* Taps of one output pixel that fall inside the input image. */
struct dw_taps {
	int n;
	size_t in_off[DW_MAX_TAPS];	/* pixel offset into the image */
	size_t w_off[DW_MAX_TAPS];	/* tap offset into the filter */
};

#ifdef ENPU_DOT_SSE2
/*
 * Input values (minus the zero point) feeding output channels
 * [oc, oc + 8) at one input pixel: channel oc + j reads input channel
 * (oc + j) / mult.
 */
static inline __m128i dw_load_x(const int8_t *px, size_t oc, int32_t mult,
				__m128i off)
{
	if (mult == 1)
		return _mm_add_epi16(enpu_load8_i8(px + oc), off);
	if (mult % 8 == 0)	/* all eight lanes share one input channel */
		return _mm_add_epi16(_mm_set1_epi16(px[oc / (size_t)mult]), off);

	_Alignas(16) int16_t g[8];

	for (int j = 0; j < 8; j++)
		g[j] = px[(oc + (size_t)j) / (size_t)mult];
	return _mm_add_epi16(_mm_load_si128((const __m128i *)g), off);
}

/* Accumulators of output channels [oc, oc + 8) over all listed taps. */
static void dw_block8(const int8_t *in, const int8_t *filter,
		      const struct dw_taps *t, size_t oc, int32_t mult,
		      int32_t in_offset, int32_t out[8])
{
	const __m128i off = _mm_set1_epi16((int16_t)in_offset);
	const __m128i zero = _mm_setzero_si128();
	__m128i acc_lo = zero, acc_hi = zero;

	for (int k = 0; k < t->n; k += 2) {
		const __m128i x0 = dw_load_x(in + t->in_off[k], oc, mult, off);
		const __m128i w0 = enpu_load8_i8(filter + t->w_off[k] + oc);
		__m128i x1 = zero, w1 = zero;

		if (k + 1 < t->n) {
			x1 = dw_load_x(in + t->in_off[k + 1], oc, mult, off);
			w1 = enpu_load8_i8(filter + t->w_off[k + 1] + oc);
		}
		/* Lanes (x0[c], x1[c]) . (w0[c], w1[c]): two taps of channel c. */
		acc_lo = _mm_add_epi32(acc_lo,
				       _mm_madd_epi16(_mm_unpacklo_epi16(x0, x1),
						      _mm_unpacklo_epi16(w0, w1)));
		acc_hi = _mm_add_epi32(acc_hi,
				       _mm_madd_epi16(_mm_unpackhi_epi16(x0, x1),
						      _mm_unpackhi_epi16(w0, w1)));
	}
	_mm_storeu_si128((__m128i *)out, acc_lo);
	_mm_storeu_si128((__m128i *)(out + 4), acc_hi);
}
#endif

/* One output channel over all listed taps (scalar). */
static int32_t dw_channel(const int8_t *in, const int8_t *filter,
			  const struct dw_taps *t, size_t oc, int32_t mult,
			  int32_t in_offset)
{
	const size_t ic = oc / (size_t)mult;
	int32_t acc = 0;

	for (int k = 0; k < t->n; k++)
		acc += filter[t->w_off[k] + oc] *
		       (in[t->in_off[k] + ic] + in_offset);
	return acc;
}

/* List the in-bounds taps of output pixel (oy, ox). */
static void dw_list_taps(const struct enpu_dwconv2d_params *p, int32_t oy,
			 int32_t ox, struct dw_taps *t)
{
	const int32_t iy0 = oy * p->stride_h - p->pad_top;
	const int32_t ix0 = ox * p->stride_w - p->pad_left;
	int32_t ky0, ky1, kx0, kx1;

	enpu_tap_range(iy0, p->dilation_h, p->filter.h, p->input.h, &ky0, &ky1);
	enpu_tap_range(ix0, p->dilation_w, p->filter.w, p->input.w, &kx0, &kx1);
	t->n = 0;
	for (int32_t ky = ky0; ky < ky1; ky++) {
		const int32_t iy = iy0 + ky * p->dilation_h;

		for (int32_t kx = kx0; kx < kx1; kx++) {
			const int32_t ix = ix0 + kx * p->dilation_w;

			t->in_off[t->n] = ((size_t)iy * p->input.w + ix) * p->input.c;
			t->w_off[t->n] = ((size_t)ky * p->filter.w + kx) * p->output.c;
			t->n++;
		}
	}
}

/* What every pixel of one block of channels shares. */
struct dw_ctx {
	const struct enpu_dwconv2d_params *p;
	const struct enpu_rq_table *rq;
	const int8_t *in_b, *filter;
	int32_t oc0, nch, in_offset;
};

/*
 * Channels [oc0, oc0 + nch) of the output pixel at @o, whose taps are
 * listed (their input offsets from in_b + @base). The context is read into
 * locals first: stores to @o (bytes)
 * could alias it and would make the compiler read it again each time.
 */
static void dw_pixel(const struct dw_ctx *c, const struct dw_taps *t, size_t base, int8_t *o)
{
	const struct enpu_rq_table *rq = c->rq;
	const int8_t *in_b = c->in_b + base, *filter = c->filter;
	const int32_t mult = c->p->depth_multiplier, nch = c->nch, oc0 = c->oc0;
	const int32_t in_offset = c->in_offset;
	int j = 0;

#ifdef ENPU_DOT_SSE2
	for (; j + 8 <= nch; j += 8) {
		int32_t acc[8];

		dw_block8(in_b, filter, t, (size_t)(oc0 + j), mult, in_offset, acc);
		enpu_rq_store8(rq, j, acc, o + j);
	}
#endif
	for (; j < nch; j++)
		o[j] = enpu_rq_one(rq, j, dw_channel(in_b, filter, t, (size_t)(oc0 + j), mult,
						     in_offset));
}

/*
 * The taps of any pixel whose window lies inside the image, relative to
 * the window's first input pixel: the same for every such pixel, so
 * listed once a layer instead of once a pixel.
 */
static void dw_list_inside(const struct enpu_dwconv2d_params *p, struct dw_taps *t)
{
	t->n = 0;
	for (int32_t ky = 0; ky < p->filter.h; ky++) {
		for (int32_t kx = 0; kx < p->filter.w; kx++) {
			t->in_off[t->n] = ((size_t)ky * p->dilation_h * p->input.w +
					   (size_t)kx * p->dilation_w) * p->input.c;
			t->w_off[t->n] = ((size_t)ky * p->filter.w + kx) * p->output.c;
			t->n++;
		}
	}
}

static int dw_fast(const struct enpu_dwconv2d_params *p,
		   const int8_t *input, const int8_t *filter,
		   const int32_t *bias, int8_t *output)
{
	struct dw_taps taps, inside;
	struct enpu_rq_table rq;
	const int32_t cout = p->output.c;
	const int32_t span_h = (p->filter.h - 1) * p->dilation_h;
	const int32_t span_w = (p->filter.w - 1) * p->dilation_w;
	const size_t in_image = (size_t)p->input.h * p->input.w * p->input.c;
	struct dw_ctx c = {
		.p = p, .rq = &rq, .filter = filter,
		.in_offset = -p->input_zero_point,
	};

	dw_list_inside(p, &inside);
	for (c.oc0 = 0; c.oc0 < cout; c.oc0 += ENPU_RQ_CHUNK) {
		c.nch = cout - c.oc0 < ENPU_RQ_CHUNK ? cout - c.oc0 : ENPU_RQ_CHUNK;
		enpu_rq_prepare(&rq, c.nch, bias ? bias + c.oc0 : NULL,
				p->multipliers + c.oc0, p->shifts + c.oc0, 1,
				p->output_zero_point, p->act_min, p->act_max);
		for (int32_t b = 0; b < p->input.n; b++) {
			c.in_b = input + (size_t)b * in_image;
			for (int32_t oy = 0; oy < p->output.h; oy++) {
				int8_t *row = output + c.oc0 +
					((size_t)b * p->output.h + oy) * p->output.w * cout;
				const int32_t iy0 = oy * p->stride_h - p->pad_top;
				const int rows_inside = iy0 >= 0 && iy0 + span_h < p->input.h;
				int32_t ox = 0;

				while (ox < p->output.w) {
					const int32_t ix0 = ox * p->stride_w - p->pad_left;
					int8_t *o = row + (size_t)ox * cout;
					const struct dw_taps *t = &inside;
					size_t base = 0;

					if (enpu_cancelled(p->cancel))
						return -ECANCELED;
					if (rows_inside && ix0 >= 0 && ix0 + span_w < p->input.w) {
						base = ((size_t)iy0 * p->input.w + ix0) * p->input.c;
					} else {
						dw_list_taps(p, oy, ox, &taps);
						t = &taps;
					}
					dw_pixel(&c, t, base, o);
					ox++;
				}
			}
		}
	}
	return 0;
}

/* Whether ops->dw_run takes the layer (dw_run_layer()). */
static int dw_run_fits(const struct enpu_dwconv2d_params *p, const struct enpu_dot_ops *ops)
{
	return ops->dw_run && ops->dw_widen &&
	       (int64_t)p->filter.h * p->filter.w <= ENPU_DW_RUN_TAPS &&
	       (p->depth_multiplier == 1 ? p->output.c % 8 == 0 : p->depth_multiplier % 8 == 0);
}

/*
 * The blocks of channels from @oc up to @end one ops->dw_run call takes:
 * their mode and count (*@nblk), and how many channels they cover.
 */
static int dw_run_block(const struct enpu_dwconv2d_params *p, int32_t oc, int32_t end,
			int *mode, int *nblk)
{
	const int32_t mult = p->depth_multiplier;

	*nblk = 1;
	if (oc + 16 <= end && mult == 1) {
		*mode = 0;
		*nblk = (end - oc) / 16;
		return 16 * *nblk;
	}
	if (oc + 16 <= end && mult % 16 == 0) {
		*mode = ENPU_DW_BCAST;
		return 16;
	}
	*mode = (mult == 1 ? 0 : ENPU_DW_BCAST) | ENPU_DW_HALF;
	/* eight channels, stride 1: two pixels' bytes are adjacent */
	if (*mode == ENPU_DW_HALF && (int64_t)p->stride_w * p->input.c == 8)
		*mode |= ENPU_DW_PAIR;
	return 8;
}

/*
 * Where the widened weights of the block at channel @oc are, in blocks:
 * blocks of sixteen in order (a last block of eight after them), or of
 * eight where every block has eight.
 */
static size_t dw_slot(const struct enpu_dwconv2d_params *p, int32_t oc)
{
	const int32_t mult = p->depth_multiplier;

	return (size_t)(mult != 1 && mult % 16 ? oc / 8 : oc / 16);
}

/* Output rows of one ops->dw_run call: a cancel request is seen between calls. */
#define DW_RUN_ROWS	8

/* Bytes of a layer's widened weights, and of their sums (dw_widen writes sixteen a block). */
static size_t dw_wide_bytes(const struct enpu_dwconv2d_params *p)
{
	return (size_t)(p->output.c / 8) * p->filter.h * p->filter.w * 64;
}

static size_t dw_sums_bytes(const struct enpu_dwconv2d_params *p)
{
	return ((size_t)p->output.c + 16) * sizeof(int32_t);
}

/*
 * @filter widened for ops->dw_run into @wide, block by block (chunks of
 * ENPU_RQ_CHUNK end where blocks do), and each channel's sum into @sums.
 */
static void dw_widen_layer(const struct enpu_dwconv2d_params *p, const struct enpu_dot_ops *ops,
			   const int8_t *filter, int16_t *wide, int32_t *sums)
{
	const int32_t cout = p->output.c, n = p->filter.h * p->filter.w;
	int32_t width;
	int mode, nblk;

	for (int32_t oc = 0; oc < cout; oc += width) {
		width = dw_run_block(p, oc, oc + 16 < cout ? oc + 16 : cout, &mode, &nblk);
		ops->dw_widen(filter + oc, (size_t)cout, n, mode & ENPU_DW_HALF,
			      wide + dw_slot(p, oc) * n * 32, sums + oc);
	}
}

/*
 * The key of @p's tables with @bias for the variant @ops, through dw_rows
 * (@rows) or dw_run: signed rows where dw_run takes the input's bytes as
 * they are, or dw_spread flips them back (a variant with gemm_signed, as
 * its GEMM), else unsigned ones, so that enpu_rq_fill() takes the input's
 * zero point (plus 128) times each channel's weight sum from the bias.
 */
static struct enpu_gemm_rq_key dw_key(const struct enpu_dwconv2d_params *p, const int32_t *bias,
				      const struct enpu_dot_ops *ops, int rows)
{
	return (struct enpu_gemm_rq_key){
		.bias = bias, .multipliers = p->multipliers, .shifts = p->shifts, .qstep = 1,
		.input_zero_point = p->input_zero_point,
		.output_zero_point = p->output_zero_point,
		.act_min = p->act_min, .act_max = p->act_max,
		.gemm_signed = rows ? ops->gemm_signed : 1,
	};
}

/*
 * p->prepared, when it was made for this layer's shape on the variant @ops
 * for dw_rows (@rows) or dw_run.
 */
static const struct enpu_dw_weights *dw_ready(const struct enpu_dwconv2d_params *p,
					      const struct enpu_dot_ops *ops, int rows)
{
	const struct enpu_dw_weights *dw = p->prepared;

	return dw && (rows ? !!dw->row_w : !!dw->wide) && dw->variant == (const void *)ops &&
	       dw->channels == p->output.c && dw->taps == p->filter.h * p->filter.w &&
	       dw->filter_h == p->filter.h &&
	       dw->depth_multiplier == p->depth_multiplier ? dw : NULL;
}

/*
 * Whether the layer is one of dw_spread8's: one input channel, eight
 * output channels, taps of a filter row side by side.
 */
static int dw_rows_one_input(const struct enpu_dwconv2d_params *p)
{
	return p->input.c == 1 && p->depth_multiplier == 8 && p->dilation_w == 1;
}

/*
 * Whether ops->dw_rows takes the layer (dw_rows_layer()): up to four
 * taps a filter row, and one input channel an output channel, channels in
 * sixteens, or eight of them a pixel at stride 1 (two pixels a chunk); or
 * one input channel for eight (ops->dw_spread8, two pixels a chunk).
 */
static int dw_rows_fits(const struct enpu_dwconv2d_params *p, const struct enpu_dot_ops *ops)
{
	if (!ops->dw_rows || p->filter.w > ENPU_DW_ROWS_KW || p->filter.h > ENPU_DW_ROWS_KH)
		return 0;
	if (dw_rows_one_input(p))
		return !!ops->dw_spread8;
	return ops->dw_spread && p->depth_multiplier == 1 &&
	       (p->output.c % 16 == 0 || (p->output.c == 8 && p->stride_w == 1));
}

/* Blocks of sixteen lanes of a dw_rows layer (one, of eight channels twice, with eight). */
static int dw_rows_blocks(const struct enpu_dwconv2d_params *p)
{
	return p->output.c == 8 ? 1 : p->output.c / 16;
}

/* Bytes of a dw_rows layer's weights: a block's filter rows, 64 bytes each. */
static size_t dw_row_w_bytes(const struct enpu_dwconv2d_params *p)
{
	return (size_t)dw_rows_blocks(p) * p->filter.h * 64;
}

/*
 * @filter laid out for ops->dw_rows into @rw: block b's filter row ky at
 * rw + (b * kh + ky) * 64, lane l's four bytes the row's taps of channel
 * 16 * b + l (with eight channels, l % 8), zeros past the taps; and each
 * channel's sum over the taps into @sums.
 */
static void dw_row_weights(const struct enpu_dwconv2d_params *p, const int8_t *filter,
			   int8_t *rw, int32_t *sums)
{
	const int32_t c = p->output.c, kh = p->filter.h, kw = p->filter.w;
	const int nb = dw_rows_blocks(p);

	memset(rw, 0, dw_row_w_bytes(p));
	for (int b = 0; b < nb; b++)
		for (int32_t ky = 0; ky < kh; ky++)
			for (int l = 0; l < 16; l++)
				for (int32_t t = 0; t < kw; t++)
					rw[((size_t)b * kh + ky) * 64 + (size_t)l * 4 + t] =
						filter[((size_t)ky * kw + t) * c +
						       (c == 8 ? l % 8 : 16 * b + l)];
	for (int32_t oc = 0; oc < c; oc++) {
		sums[oc] = 0;
		for (int32_t k = 0; k < kh * kw; k++)
			sums[oc] += filter[(size_t)k * c + oc];
	}
}

int enpu_dw_weights_prepare(struct enpu_dw_weights *dw, const struct enpu_dwconv2d_params *p,
			    const int8_t *filter)
{
	const struct enpu_dot_ops *ops = enpu_dot_ops();
	size_t laid;
	int rows;

	if (!dw || !p || !filter)
		return -EINVAL;
	memset(dw, 0, sizeof(*dw));
	if (!enpu_dim_ok(p->filter.h) || !enpu_dim_ok(p->filter.w) ||
	    !enpu_dim_ok(p->output.c) || !enpu_dim_ok(p->input.c) ||
	    !enpu_dim_ok(p->depth_multiplier) || p->filter.c != p->output.c ||
	    (int64_t)p->input.c * p->depth_multiplier != p->output.c)
		return -EINVAL;
	rows = dw_rows_fits(p, ops);
	if (!rows && !dw_run_fits(p, ops))
		return -ENOTSUP;
	/* the weights in the path's layout, then their sums */
	laid = rows ? enpu_lines(dw_row_w_bytes(p)) : dw_wide_bytes(p);
	dw->bytes = laid + dw_sums_bytes(p);
	dw->mem = enpu_alloc_lines(dw->bytes);
	if (!dw->mem)
		return -ENOMEM;
	dw->sums = (int32_t *)(void *)((char *)dw->mem + laid);
	if (rows) {
		dw->row_w = dw->mem;
		dw_row_weights(p, filter, dw->row_w, dw->sums);
	} else {
		dw->wide = dw->mem;
		dw_widen_layer(p, ops, filter, dw->wide, dw->sums);
	}
	dw->variant = ops;
	dw->channels = p->output.c;
	dw->taps = p->filter.h * p->filter.w;
	dw->filter_h = p->filter.h;
	dw->depth_multiplier = p->depth_multiplier;
	return 0;
}

int enpu_dw_weights_requant(struct enpu_dw_weights *dw, const struct enpu_dwconv2d_params *p,
			    const int32_t *bias)
{
	struct enpu_rq_table *rq;

	if (!dw || !dw->mem || !p || p->output.c != dw->channels ||
	    p->num_quant != (size_t)dw->channels ||
	    enpu_check_quant_array(p->multipliers, p->shifts, p->num_quant))
		return -EINVAL;
	rq = enpu_alloc_lines(enpu_rq_tables(dw->channels) * sizeof(*rq));
	if (!rq)
		return -ENOMEM;
	free(dw->rq);
	dw->rq = rq;
	dw->rq_key = dw_key(p, bias, dw->variant, !!dw->row_w);
	enpu_rq_fill(rq, dw->sums, dw->channels, &dw->rq_key);
	return 0;
}

void enpu_dw_weights_free(struct enpu_dw_weights *dw)
{
	if (!dw)
		return;
	free(dw->mem);
	free(dw->rq);
	memset(dw, 0, sizeof(*dw));
}

/*
 * The layer through ops->dw_run, on the input padded with its zero point
 * where the filter reaches past the image (a tap there adds nothing: x +
 * offset is 0), so that every output pixel's taps lie at the same offsets
 * from it; the weights widened and the tables made here unless
 * p->prepared holds them. -ENOMEM (nothing written) without room for the
 * padded image, the weights and the tables; -ECANCELED when cancelled.
 */
static int dw_run_layer(const struct enpu_dwconv2d_params *p, const struct enpu_dot_ops *ops,
			const int8_t *input, const int8_t *filter, const int32_t *bias,
			int8_t *output)
{
	const int32_t cin = p->input.c, cout = p->output.c, mult = p->depth_multiplier;
	const int32_t kh = p->filter.h, kw = p->filter.w, n = kh * kw;
	const int32_t oh = p->output.h, ow = p->output.w;
	const int32_t ph = (oh - 1) * p->stride_h + (kh - 1) * p->dilation_h + 1;
	const int32_t pw = (ow - 1) * p->stride_w + (kw - 1) * p->dilation_w + 1;
	const int pad = p->pad_top || p->pad_left || ph > p->input.h || pw > p->input.w;
	const size_t row = (size_t)(pad ? pw : p->input.w) * cin;
	const size_t in_image = (size_t)p->input.h * p->input.w * cin;
	const size_t img_bytes = pad ? ((size_t)ph * row + 63) & ~(size_t)63 : 0;
	const struct enpu_dw_weights *ready = dw_ready(p, ops, 0);
	const struct enpu_gemm_rq_key key = dw_key(p, bias, ops, 0);
	const struct enpu_rq_table *tables = ready && ready->rq &&
		enpu_rq_key_same(&ready->rq_key, &key) ? ready->rq : NULL;
	const size_t rq_bytes = tables ? 0 :
				enpu_lines(enpu_rq_tables(cout) * sizeof(struct enpu_rq_table));
	const size_t wide_bytes = ready ? 0 : dw_wide_bytes(p) + dw_sums_bytes(p);
	size_t tap[ENPU_DW_RUN_TAPS];
	const int16_t *wide;
	const int32_t *sums;
	int32_t oc, width;
	int8_t *buf, *img_buf;
	int mode, nblk;

	/* the tables, the padded image, the widened weights and sums: each on its own lines */
	buf = enpu_scratch_get(rq_bytes + img_bytes + wide_bytes + 1);
	if (!buf)
		return -ENOMEM;
	img_buf = buf + rq_bytes;
	if (ready) {
		wide = ready->wide;
		sums = ready->sums;
	} else {
		int16_t *w = (int16_t *)(void *)(img_buf + img_bytes);
		int32_t *s = (int32_t *)(void *)((char *)w + dw_wide_bytes(p));

		dw_widen_layer(p, ops, filter, w, s);
		wide = w;
		sums = s;
	}
	if (!tables) {
		enpu_rq_fill((struct enpu_rq_table *)(void *)buf, sums, cout, &key);
		tables = (const struct enpu_rq_table *)(void *)buf;
	}
	for (int32_t ky = 0; ky < kh; ky++)
		for (int32_t kx = 0; kx < kw; kx++)
			tap[ky * kw + kx] = (size_t)ky * p->dilation_h * row +
					    (size_t)kx * p->dilation_w * cin;
	for (int32_t b = 0; b < p->input.n; b++) {
		const int8_t *img = input + (size_t)b * in_image;

		if (pad) {
			const int32_t cols = p->input.w < pw - p->pad_left ?
					     p->input.w : pw - p->pad_left;

			for (int32_t py = 0; py < ph; py++) {
				const int32_t iy = py - p->pad_top;

				memset(img_buf + (size_t)py * row, (uint8_t)p->input_zero_point, row);
				if (iy >= 0 && iy < p->input.h && cols > 0)
					memcpy(img_buf + (size_t)py * row +
					       (size_t)p->pad_left * cin,
					       img + (size_t)iy * p->input.w * cin,
					       (size_t)cols * cin);
			}
			img = img_buf;
		}
		for (int32_t oc0 = 0; oc0 < cout; oc0 += ENPU_RQ_CHUNK) {
			const int32_t end = cout - oc0 < ENPU_RQ_CHUNK ? cout : oc0 + ENPU_RQ_CHUNK;
			const struct enpu_rq_table *rq = &tables[oc0 / ENPU_RQ_CHUNK];

			for (oc = oc0; oc < end; oc += width) {
				const int8_t *x = img + (mult == 1 ? oc : oc / mult);
				const int16_t *wd = wide + dw_slot(p, oc) * n * 32;

				width = dw_run_block(p, oc, end, &mode, &nblk);
				for (int32_t oy = 0; oy < oh; oy += DW_RUN_ROWS) {
					if (enpu_cancelled(p->cancel)) {
						enpu_scratch_put(buf);
						return -ECANCELED;
					}
					ops->dw_run(x + (size_t)oy * p->stride_h * row, tap, n,
						    (size_t)p->stride_w * cin,
						    (size_t)p->stride_h * row, wd, mode, nblk, rq,
						    oc - oc0,
						    oh - oy < DW_RUN_ROWS ? oh - oy : DW_RUN_ROWS,
						    ow, output + ((size_t)b * oh + oy) * ow * cout + oc,
						    (size_t)cout, (size_t)ow * cout);
				}
			}
		}
	}
	enpu_scratch_put(buf);
	return 0;
}

/* Output rows of one ops->dw_rows call: their spread rows in about this many bytes. */
#define DW_BAND_BYTES	(32 * 1024)

/* What a dw_rows layer's calls share: how its rows are spread and cut. */
struct dw_rows_geo {
	int half, one_input, nb, npx, chunks;
	size_t xs;		/* input bytes from a column of chunks to the next */
	size_t prow;		/* bytes of an input row padded with its zero point */
	size_t erow;		/* bytes of a spread row */
	int32_t span;		/* input rows under the filter */
	int32_t band;		/* output rows a call */
};

static void dw_rows_geo(const struct enpu_dwconv2d_params *p, struct dw_rows_geo *g)
{
	const int32_t c = p->output.c, ow = p->output.w, kw = p->filter.w;
	size_t fit;

	g->half = c == 8;
	g->one_input = dw_rows_one_input(p);
	g->nb = dw_rows_blocks(p);
	g->npx = g->half ? (ow + 1) / 2 : ow;
	g->chunks = g->npx * g->nb;
	if (g->one_input) {
		/* a byte a pixel; the last column's second pixel (maybe past ow) reads four */
		g->xs = 2 * (size_t)p->stride_w;
		g->prow = (size_t)(2 * g->npx - 1) * p->stride_w + 4;
	} else {
		/* the last column's last tap reads a whole chunk (with half, a pixel past ow) */
		g->xs = g->half ? 16 : (size_t)p->stride_w * c;
		g->prow = (size_t)(g->npx - 1) * g->xs + (size_t)(kw - 1) * p->dilation_w * c +
			  (g->half ? 16 : (size_t)c);
	}
	g->erow = (size_t)g->chunks * 64;
	g->span = (p->filter.h - 1) * p->dilation_h + 1;
	fit = DW_BAND_BYTES / g->erow;
	g->band = fit > (size_t)g->span ? (int32_t)((fit - g->span) / p->stride_h) + 1 : 1;
	if (g->band > p->output.h)
		g->band = p->output.h;
}

/*
 * Padded input row @py of image @img (its zero point where the filter
 * reaches past the image), unsigned (enpu_to_u8()), spread into @e.
 */
static void dw_spread_row(const struct enpu_dwconv2d_params *p, const struct enpu_dot_ops *ops,
			  const struct dw_rows_geo *g, const int8_t *img, int32_t py,
			  uint8_t *prow, uint8_t *e)
{
	const int32_t c = p->input.c, iy = py - p->pad_top, pl = p->pad_left;
	const int32_t px_end = (int32_t)(g->prow / (size_t)c);
	const int32_t px0 = pl > 0 ? pl : 0;
	const int32_t px1 = pl + p->input.w < px_end ? pl + p->input.w : px_end;
	const uint8_t zp = (uint8_t)(p->input_zero_point + 128);

	if (iy >= 0 && iy < p->input.h && px1 > px0) {
		const int8_t *from = img + ((size_t)iy * p->input.w + (size_t)(px0 - pl)) * c;

		/* channels in eights: no padding past the bytes (enpu_row_u8()) */
		if (c % 4 == 0)
			enpu_row_u8(ops, prow + (size_t)px0 * c, from, (size_t)(px1 - px0) * c);
		else
			enpu_to_u8(prow + (size_t)px0 * c, from, (size_t)(px1 - px0) * c);
		memset(prow, zp, (size_t)px0 * c);
		memset(prow + (size_t)px1 * c, zp, g->prow - (size_t)px1 * c);
	} else {
		memset(prow, zp, g->prow);
	}
	if (g->one_input)
		ops->dw_spread8(e, prow, p->filter.w, g->npx, (size_t)p->stride_w);
	else
		ops->dw_spread(e, prow, (size_t)p->dilation_w * c, p->filter.w, g->npx, g->nb,
			       g->xs);
}

/*
 * The layer through ops->dw_spread and ops->dw_rows, a band of output
 * rows at a time: the band's input rows padded, spread, and its rows
 * summed from them (an input row is spread once for the filter rows that
 * read it). The weights laid out and the tables made here unless
 * p->prepared holds them. -ENOMEM (nothing written) without room;
 * -ECANCELED when cancelled.
 */
static int dw_rows_layer(const struct enpu_dwconv2d_params *p, const struct enpu_dot_ops *ops,
			 const int8_t *input, const int8_t *filter, const int32_t *bias,
			 int8_t *output)
{
	const int32_t c = p->output.c, oh = p->output.h, ow = p->output.w;
	const int32_t sh = p->stride_h;
	const size_t in_image = (size_t)p->input.h * p->input.w * p->input.c;
	const struct enpu_dw_weights *ready = dw_ready(p, ops, 1);
	const struct enpu_gemm_rq_key key = dw_key(p, bias, ops, 1);
	const struct enpu_rq_table *tables = ready && ready->rq &&
		enpu_rq_key_same(&ready->rq_key, &key) ? ready->rq : NULL;
	const size_t rq_bytes = tables ? 0 :
				enpu_lines(enpu_rq_tables(c) * sizeof(struct enpu_rq_table));
	const size_t w_bytes = ready ? 0 : enpu_lines(dw_row_w_bytes(p)) + dw_sums_bytes(p);
	const int32_t *sums = ready ? ready->sums : NULL;
	const int8_t *rw = ready ? ready->row_w : NULL;
	struct dw_rows_geo g;
	size_t e_bytes, prow_bytes;
	uint8_t *e, *prow;
	int8_t *buf;

	dw_rows_geo(p, &g);
	e_bytes = (size_t)((g.band - 1) * sh + g.span) * g.erow;
	prow_bytes = enpu_lines(g.prow);
	/* the tables, the spread rows, a padded row, the weights and sums: each on its lines */
	buf = enpu_scratch_get(rq_bytes + e_bytes + prow_bytes + w_bytes + 1);
	if (!buf)
		return -ENOMEM;
	e = (uint8_t *)buf + rq_bytes;
	prow = e + e_bytes;
	if (!ready) {
		int8_t *w = (int8_t *)prow + prow_bytes;
		int32_t *s = (int32_t *)(void *)(w + enpu_lines(dw_row_w_bytes(p)));

		dw_row_weights(p, filter, w, s);
		rw = w;
		sums = s;
	}
	if (!tables) {
		enpu_rq_fill((struct enpu_rq_table *)(void *)buf, sums, c, &key);
		tables = (const struct enpu_rq_table *)(void *)buf;
	}
	for (int32_t b = 0; b < p->input.n; b++) {
		const int8_t *img = input + (size_t)b * in_image;

		for (int32_t oy = 0; oy < oh; oy += g.band) {
			const int32_t rows = oh - oy < g.band ? oh - oy : g.band;
			const int32_t n_e = (rows - 1) * sh + g.span;

			if (enpu_cancelled(p->cancel)) {
				enpu_scratch_put(buf);
				return -ECANCELED;
			}
			for (int32_t k = 0; k < n_e; k++)
				dw_spread_row(p, ops, &g, img, oy * sh + k, prow, e + (size_t)k * g.erow);
			ops->dw_rows(e, (size_t)sh * g.erow, (size_t)p->dilation_h * g.erow,
				     p->filter.h, rw, g.nb, tables, g.half, rows, g.chunks,
				     output + ((size_t)b * oh + oy) * ow * c, (size_t)ow * c,
				     (size_t)ow * c);
		}
	}
	enpu_scratch_put(buf);
	return 0;
}

/* Large kernels: reference loop order, int64 accumulation. */
static int dw_generic(const struct enpu_dwconv2d_params *p,
		      const int8_t *input, const int8_t *filter,
		      const int32_t *bias, int8_t *output)
{
	const int32_t cin = p->input.c, cout = p->output.c;
	const int32_t kh = p->filter.h, kw = p->filter.w;
	const int32_t mult = p->depth_multiplier;
	const int32_t in_offset = -p->input_zero_point;
	size_t o = 0;

	for (int32_t b = 0; b < p->input.n; b++) {
		const int8_t *in_b = input +
			(size_t)b * p->input.h * p->input.w * cin;

		for (int32_t oy = 0; oy < p->output.h; oy++) {
			const int32_t iy0 = oy * p->stride_h - p->pad_top;
			int32_t ky0, ky1;

			enpu_tap_range(iy0, p->dilation_h, kh, p->input.h,
				       &ky0, &ky1);
			for (int32_t ox = 0; ox < p->output.w; ox++) {
				const int32_t ix0 = ox * p->stride_w - p->pad_left;
				int32_t kx0, kx1;

				if (enpu_cancelled(p->cancel))
					return -ECANCELED;
				enpu_tap_range(ix0, p->dilation_w, kw,
					       p->input.w, &kx0, &kx1);
				for (int32_t oc = 0; oc < cout; oc++, o++) {
					const int32_t ic = oc / mult;
					int64_t acc = 0;

					/* a large kernel's channel at a time (enpu_int8.h) */
					if (oc && enpu_cancelled(p->cancel))
						return -ECANCELED;

					for (int32_t ky = ky0; ky < ky1; ky++) {
						const int32_t iy = iy0 + ky * p->dilation_h;

						for (int32_t kx = kx0; kx < kx1; kx++) {
							const int32_t ix = ix0 + kx * p->dilation_w;
							const int32_t x = in_b[((size_t)iy * p->input.w + ix) * cin + ic];
							const int32_t w = filter[((size_t)ky * kw + kx) * cout + oc];

							acc += (int64_t)w * (x + in_offset);
						}
					}
					output[o] = enpu_requant_one(
						enpu_wrap_i64(acc),
						bias ? bias + oc : NULL,
						p->multipliers[oc], p->shifts[oc],
						p->output_zero_point,
						p->act_min, p->act_max);
				}
			}
		}
	}
	return 0;
}

int enpu_depthwise_conv2d(const struct enpu_dwconv2d_params *p,
			  const int8_t *input, size_t input_len,
			  const int8_t *filter, size_t filter_len,
			  const int32_t *bias, size_t bias_len,
			  int8_t *output, size_t output_len)
{
	if (dw_validate(p, input, input_len, filter, filter_len,
			bias, bias_len, output, output_len))
		return -EINVAL;

	if (dw_rows_fits(p, enpu_dot_ops())) {
		int ret = dw_rows_layer(p, enpu_dot_ops(), input, filter, bias, output);

		if (ret != -ENOMEM)
			return ret;
	}
	if (dw_run_fits(p, enpu_dot_ops())) {
		int ret = dw_run_layer(p, enpu_dot_ops(), input, filter, bias, output);

		if (ret != -ENOMEM)
			return ret;
	}
	if ((int64_t)p->filter.h * p->filter.w <= DW_MAX_TAPS)
		return dw_fast(p, input, filter, bias, output);
	return dw_generic(p, input, filter, bias, output);
}
