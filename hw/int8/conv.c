// SPDX-License-Identifier: MIT
/*
 * CONV_2D, int8 activations, per-output-channel int8 weights (TFLite
 * reference_integer_ops::ConvPerChannel semantics):
 *
 *   acc = bias[oc] + sum over in-bounds taps and input channels of
 *         w[oc][ky][kx][ic] * (x[iy][ix][ic] - in_zp)
 *   out = clamp(MBQM(acc, M[oc], shift[oc]) + out_zp, act_min, act_max)
 *
 * Fast path (an im2col GEMM): for each output pixel the receptive field is
 * gathered once into an int16 "patch" row in the filter's (ky, kx, ic)
 * order, with the input offset already added and out-of-bounds taps
 * written as zeros -- a zero contributes nothing, which is exactly TFLite
 * skipping the tap. Every output channel is then one contiguous dot
 * product of the patch with a filter row; two pixels times four channels
 * are computed together so each load is reused. A 1x1 stride-1 conv thus
 * becomes a plain GEMM.
 *
 * Where the CPU has a u8 x s8 dot product (enpu_gemm.h) the patches are
 * unsigned bytes instead and the weights packed, once by the caller
 * (params.packed) or at the call when there are pixels enough to pay.
 *
 * Filters deeper than ENPU_DOT_MAX_LEN taps use a straightforward loop
 * with int64 accumulation (bit-identical to int32 wrap-around).
 */
#include <stdlib.h>
#include <string.h>

#include "enpu_dot.h"
#include "enpu_gemm.h"
#include "enpu_int8_internal.h"
#include "enpu_requant.h"

int enpu_conv2d_check(const struct enpu_conv2d_params *p, struct enpu_wcounts *n)
{
	if (!p || enpu_ohwi_wcounts(&p->input, &p->filter, &p->output, n))
		return -EINVAL;
	if (enpu_check_window(p->input.h, p->output.h, p->filter.h,
			      p->stride_h, p->dilation_h, p->pad_top) ||
	    enpu_check_window(p->input.w, p->output.w, p->filter.w,
			      p->stride_w, p->dilation_w, p->pad_left))
		return -EINVAL;
	if (p->num_quant != (size_t)p->output.c ||
	    enpu_check_quant_array(p->multipliers, p->shifts, p->num_quant))
		return -EINVAL;
	return 0;
}

/*
 * How a patch row holds activations: int16 x - in_zp for the int16 dot
 * products (a tap outside the image is 0), or unsigned bytes x + 128 for
 * the u8 x s8 GEMM (a tap outside is 128 + in_zp; enpu_gemm.h).
 */
struct patch_fmt {
	size_t esize;
	void (*copy)(void *dst, const int8_t *src, size_t n, int32_t in_offset);
	void (*fill)(void *dst, size_t n, int32_t in_offset);
};

static void copy_i16(void *dst, const int8_t *src, size_t n, int32_t in_offset)
{
	enpu_widen_offset(dst, src, n, in_offset);
}

static void fill_i16(void *dst, size_t n, int32_t in_offset)
{
	(void)in_offset;
	memset(dst, 0, n * sizeof(int16_t));
}

static void copy_u8(void *dst, const int8_t *src, size_t n, int32_t in_offset)
{
	(void)in_offset;
	enpu_to_u8(dst, src, n);
}

static void fill_u8(void *dst, size_t n, int32_t in_offset)
{
	memset(dst, 128 - in_offset, n);
}

static const struct patch_fmt patch_i16 = { sizeof(int16_t), copy_i16, fill_i16 };
static const struct patch_fmt patch_u8 = { 1, copy_u8, fill_u8 };

/*
 * Gather the receptive field of output pixel (oy, ox) of one batch image
 * into dst: kh * kw * cin activations in format @f, then zeros up to
 * padded_len.
 */
static void conv_build_patch(const struct patch_fmt *f, void *dst, size_t padded_len,
			     const int8_t *in_image,
			     const struct enpu_conv2d_params *p,
			     int32_t oy, int32_t ox, int32_t in_offset)
{
	const int32_t cin = p->input.c, kh = p->filter.h, kw = p->filter.w;
	const size_t row_len = (size_t)kw * cin, es = f->esize;
	const int32_t iy0 = oy * p->stride_h - p->pad_top;
	const int32_t ix0 = ox * p->stride_w - p->pad_left;
	int32_t kx0, kx1;
	uint8_t *d = dst;

	if (kh == 1 && kw == 1) {
		/* Pointwise: the patch is one input pixel (or padding). */
		if (iy0 >= 0 && iy0 < p->input.h && ix0 >= 0 && ix0 < p->input.w)
			f->copy(d, in_image + ((size_t)iy0 * p->input.w + ix0) * cin,
				(size_t)cin, in_offset);
		else
			f->fill(d, (size_t)cin, in_offset);
		if (padded_len > (size_t)cin)
			memset(d + cin * es, 0, (padded_len - (size_t)cin) * es);
		return;
	}
	enpu_tap_range(ix0, p->dilation_w, kw, p->input.w, &kx0, &kx1);
	for (int32_t ky = 0; ky < kh; ky++, d += row_len * es) {
		const int32_t iy = iy0 + ky * p->dilation_h;

		if (iy < 0 || iy >= p->input.h || kx0 >= kx1) {
			f->fill(d, row_len, in_offset);
			continue;
		}
		const int8_t *row = in_image + (size_t)iy * p->input.w * cin;

		f->fill(d, (size_t)kx0 * cin, in_offset);
		if (p->dilation_w == 1) {
			/* In-bounds taps of one filter row are contiguous. */
			f->copy(d + (size_t)kx0 * cin * es, row + (size_t)(ix0 + kx0) * cin,
				(size_t)(kx1 - kx0) * cin, in_offset);
		} else {
			for (int32_t kx = kx0; kx < kx1; kx++) {
				const int32_t ix = ix0 + kx * p->dilation_w;

				f->copy(d + (size_t)kx * cin * es, row + (size_t)ix * cin,
					(size_t)cin, in_offset);
			}
		}
		f->fill(d + (size_t)kx1 * cin * es, (size_t)(kw - kx1) * cin, in_offset);
	}
	memset(d, 0, (padded_len - (size_t)kh * row_len) * es);
}

static int conv_fast(const struct enpu_conv2d_params *p,
		     const int8_t *input, const int8_t *filter,
		     const int32_t *bias, int8_t *output)
{
	_Alignas(16) int16_t patch[2][ENPU_DOT_MAX_LEN];
	const struct enpu_dot_ops *ops = enpu_dot_ops();
	struct enpu_rq_table rq;
	const int32_t cout = p->output.c;
	const size_t k_len = (size_t)p->filter.h * p->filter.w * p->filter.c;
	const size_t padded = enpu_dot_padded_len(k_len);
	const int64_t npix = (int64_t)p->output.h * p->output.w;
	const size_t in_image = (size_t)p->input.h * p->input.w * p->input.c;
	const int32_t in_offset = -p->input_zero_point;

	/* Output channels in chunks sharing one table of requantization
	 * constants; patches are rebuilt per chunk (1/64 of the MACs).
	 */
	for (int32_t oc0 = 0; oc0 < cout; oc0 += ENPU_RQ_CHUNK) {
		const int nch = cout - oc0 < ENPU_RQ_CHUNK ? cout - oc0 : ENPU_RQ_CHUNK;

		enpu_rq_prepare(&rq, nch, bias ? bias + oc0 : NULL,
				p->multipliers + oc0, p->shifts + oc0, 1,
				p->output_zero_point, p->act_min, p->act_max);
		for (int32_t b = 0; b < p->input.n; b++) {
			const int8_t *in_b = input + (size_t)b * in_image;
			int8_t *out_b = output + (size_t)b * npix * cout;

			for (int64_t pix = 0; pix < npix; pix += 2) {
				const int two = pix + 1 < npix;
				int8_t *o0 = out_b + (size_t)pix * cout + oc0;

				if (enpu_cancelled(p->cancel))
					return -ECANCELED;
				conv_build_patch(&patch_i16, patch[0], padded, in_b, p,
						 (int32_t)(pix / p->output.w),
						 (int32_t)(pix % p->output.w), in_offset);
				if (two)
					conv_build_patch(&patch_i16, patch[1], padded, in_b, p,
							 (int32_t)((pix + 1) / p->output.w),
							 (int32_t)((pix + 1) % p->output.w),
							 in_offset);
				for (int j = 0; j < nch; j += 4) {
					const int nc = nch - j < 4 ? nch - j : 4;
					const int8_t *w[4];
					int32_t acc[8];

					/* Past the last channel, repeat it (ignored). */
					for (int i = 0; i < 4; i++)
						w[i] = filter + (size_t)(oc0 + j + (i < nc ? i : nc - 1)) * k_len;
					if (two) {
						ops->dot_2x4(patch[0], patch[1], w, k_len, acc);
						enpu_rq_store4(&rq, j, acc, nc, o0 + j);
						enpu_rq_store4(&rq, j, acc + 4, nc, o0 + cout + j);
					} else {
						ops->dot_1x4(patch[0], w, k_len, acc);
						enpu_rq_store4(&rq, j, acc, nc, o0 + j);
					}
				}
			}
		}
	}
	return 0;
}

/*
 * A conv layer's rows for the GEMM: output pixels' patches (for a
 * pointwise conv whose pixels are the input's and whose rows are whole
 * groups of four taps, conv_gemm() gives the input converted once
 * instead: enpu_gemm_layer.rows_at).
 */
struct conv_rows {
	const struct enpu_conv2d_params *p;
	const int8_t *input;
	size_t in_image, padded;
	int64_t npix;
};

static const uint8_t *conv_row(void *ctx, int64_t i, uint8_t *dst)
{
	const struct conv_rows *c = ctx;
	const int64_t b = i / c->npix, pix = i % c->npix;

	conv_build_patch(&patch_u8, dst, c->padded, c->input + (size_t)b * c->in_image, c->p,
			 (int32_t)(pix / c->p->output.w), (int32_t)(pix % c->p->output.w),
			 -c->p->input_zero_point);
	return dst;
}

/* A 1x1 conv, stride 1, no padding, Cin a multiple of 4: rows are input pixels. */
static int conv_pointwise(const struct enpu_conv2d_params *p)
{
	return p->filter.h == 1 && p->filter.w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
	       p->pad_top == 0 && p->pad_left == 0 && p->output.h == p->input.h &&
	       p->output.w == p->input.w && p->input.c % 4 == 0;
}

int enpu_conv2d_requant(struct enpu_gemm_weights *pw, const struct enpu_conv2d_params *p,
			const int32_t *bias)
{
	/* one multiplier per output channel, as conv_gemm's layer takes them */
	return enpu_gemm_weights_requant(pw, bias, p->multipliers, p->shifts, 1,
					 p->input_zero_point, p->output_zero_point,
					 p->act_min, p->act_max);
}

/*
 * The u8 x s8 GEMM (enpu_gemm.h), where the CPU has one and it pays:
 * 0 or -ECANCELED when it ran, 1 when conv_fast is to.
 */
static int conv_gemm(const struct enpu_conv2d_params *p, const struct enpu_dot_ops *ops,
		     const int8_t *input, const int8_t *filter,
		     const int32_t *bias, int8_t *output)
{
	const size_t k_len = (size_t)p->filter.h * p->filter.w * p->filter.c;
	struct conv_rows c = {
		.p = p, .input = input,
		.in_image = (size_t)p->input.h * p->input.w * p->input.c,
		.padded = enpu_gemm_k4(k_len) * 4,
		.npix = (int64_t)p->output.h * p->output.w,
	};
	struct enpu_gemm_layer l = {
		.rows = c.npix * p->input.n, .channels = p->output.c, .k_len = k_len,
		.weights = filter, .packed = p->packed, .bias = bias,
		.multipliers = p->multipliers, .shifts = p->shifts, .qstep = 1,
		.input_zero_point = p->input_zero_point,
		.output_zero_point = p->output_zero_point,
		.act_min = p->act_min, .act_max = p->act_max, .cancel = p->cancel,
		.row = conv_row, .ctx = &c, .output = output,
	};
	uint8_t *direct = NULL;
	int ret;

	if (!enpu_gemm_suits(&l, ops))
		return 1;
	if (conv_pointwise(p)) {
		const size_t n = c.in_image * (size_t)p->input.n;

		/* without the memory, patches as for any conv */
		direct = malloc(n);
		if (direct)
			enpu_row_u8(ops, direct, input, n);	/* n is a multiple of 4 */
		l.rows_at = direct;
	}
	ret = enpu_gemm_run(&l, ops);
	free(direct);
	return ret == -ENOMEM ? 1 : ret;
}

int enpu_conv2d_walk(const struct enpu_conv2d_params *p,
		     enpu_conv_pixel_fn pixel, void *ctx)
{
	const size_t image = (size_t)p->input.h * p->input.w * p->input.c;
	struct enpu_conv_pixel px = { 0 };

	for (px.b = 0; px.b < p->input.n; px.b++) {
		px.image = (size_t)px.b * image;
		for (int32_t oy = 0; oy < p->output.h; oy++) {
			px.iy0 = oy * p->stride_h - p->pad_top;
			enpu_tap_range(px.iy0, p->dilation_h, p->filter.h,
				       p->input.h, &px.ky0, &px.ky1);
			for (int32_t ox = 0; ox < p->output.w; ox++) {
				if (enpu_cancelled(p->cancel))
					return -ECANCELED;
				px.ix0 = ox * p->stride_w - p->pad_left;
				enpu_tap_range(px.ix0, p->dilation_w, p->filter.w,
					       p->input.w, &px.kx0, &px.kx1);
				if (pixel(p, &px, ctx))
					return -ECANCELED;
				px.out += (size_t)p->output.c;
			}
		}
	}
	return 0;
}

struct conv_buffers {
	const int8_t *input, *filter;
	const int32_t *bias;
	int8_t *output;
};

/*
 * Deep filters: the reference loop order, int64 accumulation. A channel at
 * a time between reads of the cancel flag: a pixel of 1024 channels of
 * 64 x 64 x 16 taps is 67 M MACs of scalar work (0.07 ms a channel in the
 * sanitised build), which an abort or a reset must not wait for.
 */
static int conv_generic_pixel(const struct enpu_conv2d_params *p,
			      const struct enpu_conv_pixel *px, void *ctx)
{
	const struct conv_buffers *bufs = ctx;
	const int8_t *in_b = bufs->input + px->image;

	for (int32_t oc = 0; oc < p->output.c; oc++) {
		if (oc && enpu_cancelled(p->cancel))
			return -ECANCELED;
		const int64_t acc = enpu_conv_window_sum(p, px, in_b, NULL,
							 -p->input_zero_point,
							 bufs->filter, oc);

		bufs->output[px->out + oc] = enpu_requant_one(
			enpu_wrap_i64(acc), bufs->bias ? bufs->bias + oc : NULL,
			p->multipliers[oc], p->shifts[oc], p->output_zero_point,
			p->act_min, p->act_max);
	}
	return 0;
}

int enpu_conv2d(const struct enpu_conv2d_params *p,
		const int8_t *input, size_t input_len,
		const int8_t *filter, size_t filter_len,
		const int32_t *bias, size_t bias_len,
		int8_t *output, size_t output_len)
{
	struct enpu_wcounts n;

	if (enpu_conv2d_check(p, &n) ||
	    enpu_check_io_i8(p->input_zero_point, p->output_zero_point,
			     p->act_min, p->act_max) ||
	    enpu_check_wbufs(&n, input, input_len, filter, filter_len,
			     bias, bias_len, output, output_len))
		return -EINVAL;

	const size_t k_len = (size_t)p->filter.h * p->filter.w * p->filter.c;

	const int gemm = conv_gemm(p, enpu_dot_ops(), input, filter, bias, output);

	if (gemm <= 0)
		return gemm;
	if (k_len <= ENPU_DOT_MAX_LEN)
		return conv_fast(p, input, filter, bias, output);

	struct conv_buffers bufs = {
		.input = input, .filter = filter, .bias = bias, .output = output,
	};

	return enpu_conv2d_walk(p, conv_generic_pixel, &bufs);
}
