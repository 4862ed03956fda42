/* SPDX-License-Identifier: MIT */
/*
 * golden_ops_test's shared parts: the state of one case and the helpers
 * every operator's runner uses to read tensors, options and derived
 * values (golden_ops_util.c). Runners live in golden_ops_test.c and in
 * golden_ops_<family>.c files; each returns R_PASS, R_FAIL or R_SKIP.
 */
#ifndef EDGENPU_GOLDEN_OPS_H
#define EDGENPU_GOLDEN_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "enpu_int8.h"
#include "golden.h"
#include "golden_backend.h"

enum { R_PASS, R_FAIL, R_SKIP };

/* State of one case run. */
struct ctx {
	const struct golden_backend *be;
	const struct golden_file *g;
	unsigned char *derived_used;	/* one flag per derived line */
	char msg[1024];
	uint8_t *got;			/* output produced by the kernel */
	size_t got_len;
};

int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int skip(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kernel_fail(struct ctx *c, int r);
const struct golden_tensor *tensor(struct ctx *c, const char *role, enum golden_dtype dtype, int rank);
int per_tensor(struct ctx *c, const struct golden_tensor *t, float *scale, int32_t *zp);
int opt_int(struct ctx *c, const char *name, int32_t *v);
int opt_activation(struct ctx *c, enum enpu_activation *act);
int opt_padding(struct ctx *c, enum enpu_padding *pad);
int check_derived(struct ctx *c, const char *name, const int32_t *vals, size_t n);
int check_derived1(struct ctx *c, const char *name, int32_t v);
int check_all_derived_used(struct ctx *c);
int activation_range(struct ctx *c, const struct golden_tensor *out, int32_t *lo, int32_t *hi);
int to_nhwc(struct ctx *c, const struct golden_tensor *t, struct enpu_nhwc *s);
int to_shape(struct ctx *c, const struct golden_tensor *t, struct enpu_shape *s);
int output_like(struct ctx *c, const struct golden_tensor *out);
int spatial(struct ctx *c, enum enpu_padding pad, int32_t in, int32_t k, int32_t stride, int32_t dil, int32_t out_expected, const char *axis, int32_t *pad_before);

/*
 * The weighted operators' shared reading (golden_ops_weighted.c), for
 * int8 (act GOLDEN_INT8) or 16x8 (GOLDEN_INT16) activations.
 */
/* Every zero point of a (per-channel) weight tensor is 0, else a skip. */
int symmetric_weights(struct ctx *c, const struct golden_tensor *w);
/* The optional bias at role: int32 rank 1 for int8, int64 for 16x8. */
int weighted_bias(struct ctx *c, const char *role, enum golden_dtype act,
		  const struct golden_tensor **bias);
/* A calloc'd int32 copy of bias' values, or NULL without a bias. */
int bias_i32(struct ctx *c, const struct golden_tensor *bias, int32_t **v);

/* A CONV_2D / DEPTHWISE_CONV_2D case read and derived by conv_prepare(). */
struct conv_case {
	const struct golden_tensor *in, *w, *bias, *out;
	float in_scale, out_scale;
	int32_t in_zp, out_zp;
	struct enpu_nhwc is, fs, os;
	enum enpu_padding pad;
	int32_t sh, sw, dh, dw, dm;
	size_t cout;
	int32_t *mult, *shift;		/* [cout], the caller frees them */
	int32_t lo, hi, pt, pl;		/* activation range, padding */
};

int conv_prepare(struct ctx *c, enum golden_dtype act, int depthwise,
		 struct conv_case *k);
struct enpu_conv2d_params conv_params(const struct conv_case *k);

/* A FULLY_CONNECTED case: p is complete but for its cancel flag. */
struct fc_case {
	const struct golden_tensor *in, *w, *bias, *out;
	float in_scale, out_scale;
	int32_t in_zp, out_zp;
	int32_t *mult, *shift;		/* the caller frees them */
	struct enpu_fc_params p;
};

int fc_prepare(struct ctx *c, enum golden_dtype act, struct fc_case *k);

/*
 * A quantized binary operator's golden (golden_ops_binary.c): in0, in1 and
 * out0 of one type, their shapes and per-tensor quantizations.
 */
struct binary_case {
	const struct golden_tensor *a, *b, *out;
	struct enpu_shape sa, sb, so;
	float scale_a, scale_b, scale_out;
	int32_t zp_a, zp_b, zp_out;
};

int binary_prepare(struct ctx *c, enum golden_dtype dtype, struct binary_case *k);
/* ADD (int8 or int16, by its derive function): p ready to run. */
int add_prepare(struct ctx *c, enum golden_dtype dtype,
		int (*derive)(float, float, float, struct enpu_add_params *),
		struct binary_case *k, struct enpu_add_params *p);

/*
 * Runners of the golden_ops_<family>.c files, listed in golden_ops_test.c's
 * table. A runner of a multi-output operator compares out1.. itself.
 */
/* @@ activation runners (golden_ops_activation.c) @@ */
int run_relu(struct ctx *c);
int run_relu6(struct ctx *c);
int run_leaky_relu(struct ctx *c);
int run_logistic(struct ctx *c);
int run_tanh(struct ctx *c);
int run_hard_swish(struct ctx *c);
/* @@ binary runners (golden_ops_binary.c) @@ */
int run_mul(struct ctx *c);
int run_sub(struct ctx *c);
int run_maximum(struct ctx *c);
int run_minimum(struct ctx *c);
/* @@ movement runners (golden_ops_movement.c) @@ */
int run_transpose(struct ctx *c);
int run_strided_slice(struct ctx *c);
int run_split(struct ctx *c);
int run_resize_nearest_neighbor(struct ctx *c);
int run_resize_bilinear(struct ctx *c);
/* @@ reduce runners (golden_ops_reduce.c) @@ */
int run_reduce_max(struct ctx *c);
int run_sum(struct ctx *c);
/* @@ 16x8 and stateful runners (golden_ops_wide.c) @@ */
int run_transpose_conv(struct ctx *c);
int run_svdf(struct ctx *c);
/* A case whose in0 is int16: the 16x8 CONV_2D / FULLY_CONNECTED / ADD. */
int wide_case(struct ctx *c);
int run_conv2d_16x8(struct ctx *c);
int run_fully_connected_16x8(struct ctx *c);
int run_add_int16(struct ctx *c);

#endif /* EDGENPU_GOLDEN_OPS_H */
