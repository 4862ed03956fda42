// SPDX-License-Identifier: MIT
/*
 * Reference loops in the plain style of TFLite's reference kernels: the
 * loop nest follows the output layout, every tap is bounds-checked, every
 * element address goes through Offset(), the input offset is added per
 * multiply-accumulate.
 */
#include "ref_kernels.h"

static inline int offset(const struct enpu_nhwc *s, int i0, int i1, int i2,
			 int i3)
{
	return ((i0 * s->h + i1) * s->w + i2) * s->c + i3;
}

static inline int8_t output_stage(int32_t acc, int32_t multiplier,
				  int32_t shift, int32_t out_zp,
				  int32_t act_min, int32_t act_max)
{
	acc = enpu_mbqm(acc, multiplier, shift);
	acc += out_zp;
	acc = acc < act_min ? act_min : acc;
	acc = acc > act_max ? act_max : acc;
	return (int8_t)acc;
}

void ref_conv2d(const struct enpu_conv2d_params *p, const int8_t *input,
		const int8_t *filter, const int32_t *bias, int8_t *output)
{
	const int32_t input_offset = -p->input_zero_point;

	for (int batch = 0; batch < p->output.n; ++batch) {
		for (int out_y = 0; out_y < p->output.h; ++out_y) {
			const int in_y_origin = out_y * p->stride_h - p->pad_top;

			for (int out_x = 0; out_x < p->output.w; ++out_x) {
				const int in_x_origin = out_x * p->stride_w - p->pad_left;

				for (int out_c = 0; out_c < p->output.c; ++out_c) {
					int32_t acc = 0;

					for (int fy = 0; fy < p->filter.h; ++fy) {
						const int in_y = in_y_origin + p->dilation_h * fy;

						for (int fx = 0; fx < p->filter.w; ++fx) {
							const int in_x = in_x_origin + p->dilation_w * fx;
							const int inside = in_x >= 0 && in_x < p->input.w &&
									   in_y >= 0 && in_y < p->input.h;

							if (!inside)
								continue;
							for (int in_c = 0; in_c < p->input.c; ++in_c) {
								const int32_t x = input[offset(&p->input, batch, in_y, in_x, in_c)];
								const int32_t w = filter[offset(&p->filter, out_c, fy, fx, in_c)];

								acc += w * (x + input_offset);
							}
						}
					}
					if (bias)
						acc += bias[out_c];
					output[offset(&p->output, batch, out_y, out_x, out_c)] =
						output_stage(acc, p->multipliers[out_c],
							     p->shifts[out_c],
							     p->output_zero_point,
							     p->act_min, p->act_max);
				}
			}
		}
	}
}

void ref_depthwise_conv2d(const struct enpu_dwconv2d_params *p,
			  const int8_t *input, const int8_t *filter,
			  const int32_t *bias, int8_t *output)
{
	const int32_t input_offset = -p->input_zero_point;

	for (int batch = 0; batch < p->output.n; ++batch) {
		for (int out_y = 0; out_y < p->output.h; ++out_y) {
			for (int out_x = 0; out_x < p->output.w; ++out_x) {
				for (int in_c = 0; in_c < p->input.c; ++in_c) {
					for (int m = 0; m < p->depth_multiplier; ++m) {
						const int out_c = m + in_c * p->depth_multiplier;
						const int in_x_origin = out_x * p->stride_w - p->pad_left;
						const int in_y_origin = out_y * p->stride_h - p->pad_top;
						int32_t acc = 0;

						for (int fy = 0; fy < p->filter.h; ++fy) {
							for (int fx = 0; fx < p->filter.w; ++fx) {
								const int in_x = in_x_origin + p->dilation_w * fx;
								const int in_y = in_y_origin + p->dilation_h * fy;
								const int inside = in_x >= 0 && in_x < p->input.w &&
										   in_y >= 0 && in_y < p->input.h;

								if (inside) {
									const int32_t x = input[offset(&p->input, batch, in_y, in_x, in_c)];
									const int32_t w = filter[offset(&p->filter, 0, fy, fx, out_c)];

									acc += w * (x + input_offset);
								}
							}
						}
						if (bias)
							acc += bias[out_c];
						output[offset(&p->output, batch, out_y, out_x, out_c)] =
							output_stage(acc, p->multipliers[out_c],
								     p->shifts[out_c],
								     p->output_zero_point,
								     p->act_min, p->act_max);
					}
				}
			}
		}
	}
}

void ref_fully_connected(const struct enpu_fc_params *p, const int8_t *input,
			 const int8_t *filter, const int32_t *bias,
			 int8_t *output)
{
	const int32_t input_offset = -p->input_zero_point;
	const int per_channel = p->num_quant > 1;

	for (int b = 0; b < p->batches; ++b) {
		for (int out_c = 0; out_c < p->output_depth; ++out_c) {
			const int q = per_channel ? out_c : 0;
			int32_t acc = 0;

			for (int d = 0; d < p->input_depth; ++d) {
				const int32_t x = input[b * p->input_depth + d];
				const int32_t w = filter[out_c * p->input_depth + d];

				acc += w * (x + input_offset);
			}
			if (bias)
				acc += bias[out_c];
			output[out_c + p->output_depth * b] =
				output_stage(acc, p->multipliers[q], p->shifts[q],
					     p->output_zero_point, p->act_min,
					     p->act_max);
		}
	}
}
