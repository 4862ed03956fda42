/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internals: the graph as built, and each layer resolved into
 * the arithmetic parameters of hw/int8 (what both backends execute).
 */
#ifndef EDGENPU_GRAPH_H
#define EDGENPU_GRAPH_H

#include "edgenpu/edgenpu.h"
#include "enpu_int8.h"

struct enpu_gtensor {
	char *name;
	enum enpu_dtype dtype;
	int rank;
	int32_t dims[ENPU_MAX_RANK];
	size_t count;		/* elements */
	size_t bytes;
	size_t num_scales;
	float *scales;
	int32_t *zero_points;
	int quant_axis;
	void *data;		/* constant contents, or NULL */
	int producer;		/* the layer writing it, or -1 */
	int variable;		/* state kept across inferences (variable.c) */
	void *init;		/* a variable's initial value, @bytes */
};

struct enpu_graph {
	struct enpu_gtensor *tensors;
	size_t num_tensors, cap_tensors;
	struct enpu_layer_desc *layers;
	size_t num_layers, cap_layers;
	int *inputs, *outputs;
	size_t num_inputs, num_outputs;
};

/*
 * A layer resolved for execution: kernel parameters with the derived
 * multipliers, the tensors it reads and writes, and its cost.
 */
struct enpu_prep {
	enum enpu_layer_type type;
	int in[ENPU_MAX_LAYER_INPUTS];	/* tensor ids, -1 absent */
	int num_in;
	int out;
	union {
		struct enpu_conv2d_params conv;
		struct enpu_dwconv2d_params dw;
		struct enpu_fc_params fc;
		struct enpu_add_params add;
		struct enpu_pool_params pool;
		struct enpu_pad_params pad;
		struct enpu_softmax_params softmax;
		struct enpu_mean_params mean;
		struct enpu_relu_params relu;
		struct enpu_relu6_params relu6;
		struct enpu_leaky_relu_params leaky_relu;
		struct enpu_logistic_params logistic;
		struct enpu_tanh_params tanh;
		struct enpu_hard_swish_params hard_swish;
		struct enpu_mul_params mul;
		struct enpu_sub_params sub;
		struct enpu_minmax_params minmax;
		struct enpu_transpose_params transpose;
		struct enpu_strided_slice_params strided_slice;	/* and SPLIT */
		struct enpu_resize_params resize;
		struct enpu_reduce_max_params reduce_max;
		struct enpu_sum_params sum;
		struct enpu_transpose_conv_params tconv;
		struct enpu_svdf_params svdf;
	} p;
	size_t count;		/* element-wise layers: elements */
	struct enpu_gemm_weights gemm;	/* owned: CONV_2D / FC weights packed, or none */
	struct enpu_dw_weights dw;	/* owned: DEPTHWISE_CONV_2D weights made ready, or none */
	int32_t *mult;		/* owned: per-channel multipliers ... */
	int32_t *shift;		/* ... and shifts */
	size_t num_quant;
	int32_t concat_axis;	/* CONCATENATION, normalised */
	/* QUANTIZE / DEQUANTIZE */
	float q_scale;
	int32_t q_in_zp, q_out_zp, q_mult, q_shift;
	int32_t softmax_outer, softmax_depth;
	int32_t *mean_axes;	/* owned: MEAN's, REDUCE_MAX's and SUM's axes */
	uint64_t macs;
};

/* Checks layer @i of @g and fills @prep; -EINVAL names the layer and why. */
int enpu_prepare_layer(const struct enpu_graph *g, size_t i, struct enpu_prep *prep);
void enpu_prep_free(struct enpu_prep *prep);

/*
 * Makes tensor @id of @g a variable starting from @init (its bytes; NULL:
 * zeros, the zero point for int8). variable.c.
 */
int enpu_graph_set_variable(struct enpu_graph *g, int id, const void *init);

/* Layers in an order where every tensor is written before it is read. */
int enpu_graph_order(const struct enpu_graph *g, size_t *order);

/* RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH: one int8 tensor to one. */
int enpu_layer_is_activation(enum enpu_layer_type t);
/* The layer writing tensor @t, or -1. */
int enpu_graph_producer(const struct enpu_graph *g, int t);

#endif /* EDGENPU_GRAPH_H */
