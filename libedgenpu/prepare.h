/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internals: what every layer's preparation uses (prepare_check.c):
 * its context, refusals that name the layer, and the checks of operands,
 * quantization and options TFLite makes. prepare.c dispatches on the
 * layer type; each operator family's preparation is in a prepare_*.c.
 */
#ifndef EDGENPU_PREPARE_H
#define EDGENPU_PREPARE_H

#include "graph.h"

struct pctx {
	const struct enpu_graph *g;
	size_t idx;
	const struct enpu_layer_desc *l;
	struct enpu_prep *p;
};

/* -EINVAL with "layer N (TYPE): " and the reason. */
int pc_bad(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pc_bad_scale(struct pctx *c, float xs, const float *ws, size_t num_ws, float os,
		 const char *what);
const char *pc_dtype_name(enum enpu_dtype t);
const struct enpu_gtensor *pc_in(struct pctx *c, int k, enum enpu_dtype dt, int rank,
				 const char *what);
/* Input @k, an activation: int8, or int16 when @wide_ok (a 16x8 layer). */
const struct enpu_gtensor *pc_act_in(struct pctx *c, int k, int rank, const char *what,
				     int wide_ok);
const struct enpu_gtensor *pc_opt_in(struct pctx *c, int k);
const struct enpu_gtensor *pc_out(struct pctx *c, enum enpu_dtype dt, int rank);
int pc_per_tensor(struct pctx *c, const struct enpu_gtensor *t, const char *what, float *scale,
		  int32_t *zp);
/* The fused activation as the kernels name it. */
int pc_activation(struct pctx *c, enum enpu_activation *act);
int pc_act_range(struct pctx *c, float scale, int32_t zp, int32_t *lo, int32_t *hi);
int pc_padding_type(struct pctx *c, enum enpu_padding *pad);
int pc_spatial(struct pctx *c, enum enpu_padding pad, int32_t in_size, int32_t k, int32_t stride,
	       int32_t dil, int32_t want, const char *axis, int32_t *before);
struct enpu_nhwc pc_nhwc(const struct enpu_gtensor *t);
int pc_alloc_quant(struct pctx *c, size_t n);
int pc_symmetric_weights(struct pctx *c, const struct enpu_gtensor *w);
int pc_bias_of(struct pctx *c, int k, int32_t channels, const void **bias);
void pc_to_shape(const struct enpu_gtensor *t, struct enpu_shape *s);
int pc_same_quant(struct pctx *c, const struct enpu_gtensor *a, const struct enpu_gtensor *b,
		  const char *what);

/* Each operator family's preparation (prepare_<family>.c), by layer type. */
int enpu_prepare_activation(struct pctx *c);
int enpu_prepare_binary(struct pctx *c);
int enpu_prepare_movement(struct pctx *c);
int enpu_prepare_reduce(struct pctx *c);
int enpu_prepare_transpose_conv(struct pctx *c);
int enpu_prepare_svdf(struct pctx *c);

#endif /* EDGENPU_PREPARE_H */
