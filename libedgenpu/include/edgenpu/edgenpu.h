/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu: userspace interface to EdgeNPU devices.
 *
 * Conventions:
 *  - Functions returning int return 0 on success or a negative errno
 *    value (-ENODEV, -EINVAL, ...) on failure. enpu_strerror() turns the
 *    value into text; enpu_last_error() gives the full reason of the
 *    calling thread's most recent failure (which file, which field, what
 *    was expected), suitable for showing to a person.
 *  - Structures filled by the library take their size as an argument, so
 *    a program built against an older header keeps working with a newer
 *    library: pass sizeof(the structure).
 *  - Objects are not thread-safe unless stated; distinct objects may be
 *    used from distinct threads.
 */
#ifndef EDGENPU_EDGENPU_H
#define EDGENPU_EDGENPU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Library version (also the pkg-config version). */
#define ENPU_LIB_VERSION_MAJOR	0
#define ENPU_LIB_VERSION_MINOR	6
#define ENPU_LIB_VERSION_PATCH	1

/* An open EdgeNPU. */
struct enpu_device;

/**
 * struct enpu_device_info - identity and capabilities of a device
 * @node:            device node the device was opened through
 * @driver:          kernel driver name ("edgenpu")
 * @driver_major:    kernel interface version, major
 * @driver_minor:    kernel interface version, minor
 * @driver_patch:    kernel interface version, patch level
 * @pci_vendor:      PCI vendor ID, 0 when not on PCI
 * @pci_device:      PCI device ID, 0 when not on PCI
 * @hw_id:           ID register ("ENPU")
 * @hw_version:      hardware contract version, major << 16 | minor << 8 | patch
 * @hw_caps:         capability bits (enpu_caps_string() names them)
 * @irq_vectors:     interrupt vectors the driver uses
 * @macs_per_cycle:  INT8 multiply-accumulates per NPU cycle
 * @clock_mhz:       NPU clock
 * @dram_bw_mbps:    DRAM bandwidth, MB/s
 * @sram_bw_mbps:    on-chip SRAM bandwidth, MB/s
 * @sram_size:       on-chip SRAM, bytes
 * @peak_gops:       peak INT8 throughput, 10^9 operations (2 per MAC) per second
 */
struct enpu_device_info {
	char node[64];
	char driver[32];
	uint32_t driver_major;
	uint32_t driver_minor;
	uint32_t driver_patch;
	uint32_t pci_vendor;
	uint32_t pci_device;
	uint32_t hw_id;
	uint32_t hw_version;
	uint32_t hw_caps;
	uint32_t irq_vectors;
	uint32_t macs_per_cycle;
	uint32_t clock_mhz;
	uint32_t dram_bw_mbps;
	uint32_t sram_bw_mbps;
	uint64_t sram_size;
	uint64_t peak_gops;
};

/**
 * enpu_open() - open an EdgeNPU
 * @dev:  receives the device
 * @path: device node (e.g. "/dev/accel/accel0"), or NULL for the first
 *        EdgeNPU found: $EDGENPU_DEVICE if set, else the lowest-numbered
 *        accel node in $EDGENPU_ACCEL_DIR (default /dev/accel) whose driver
 *        is edgenpu. Nodes of other accel drivers are skipped.
 *
 * Return: 0, -ENOENT (no such node), -ENODEV (not an EdgeNPU, or none
 * found), -EACCES, -EPROTONOSUPPORT (kernel interface of another major
 * version), -EINVAL, -ENOMEM.
 */
int enpu_open(struct enpu_device **dev, const char *path);

/**
 * enpu_list() - the EdgeNPUs of this machine
 * @paths: receives up to @max device nodes, in enpu_open()'s order (NULL
 *         with @max 0: just count)
 * @max:   entries of @paths
 *
 * Return: how many EdgeNPUs there are (0 if none; more than @max means
 * some were left out), or -EACCES when there are nodes this user may not
 * open and no EdgeNPU it may.
 */
int enpu_list(char (*paths)[64], size_t max);

/** enpu_close() - close a device; NULL is accepted. */
void enpu_close(struct enpu_device *dev);

/**
 * enpu_query() - identity and capabilities
 * @dev:       device
 * @info:      filled in
 * @info_size: sizeof(*info) as the caller knows it; fields beyond the
 *             library's structure are zeroed
 *
 * Return: 0 or -EINVAL (NULL argument, @info_size too small to hold the
 * first version of the structure).
 */
int enpu_query(struct enpu_device *dev, struct enpu_device_info *info,
	       size_t info_size);

/** enpu_device_fd() - the DRM file descriptor, for poll() or sync files. */
int enpu_device_fd(const struct enpu_device *dev);

/**
 * enpu_caps_string() - names of capability bits, space separated
 * @caps: capability bits
 * @buf:  output buffer, always NUL-terminated when @len > 0
 * @len:  size of @buf
 *
 * Unknown bits are shown as "bitN". Return: the length the full string
 * needs, excluding the NUL (as snprintf).
 */
int enpu_caps_string(uint32_t caps, char *buf, size_t len);

/** enpu_strerror() - short description of a negative errno result. */
const char *enpu_strerror(int err);

/**
 * enpu_last_error() - the calling thread's most recent failure, in full
 *
 * Never NULL; an empty string when nothing has failed yet. Valid until the
 * thread's next call into the library.
 */
const char *enpu_last_error(void);

/** enpu_version_string() - the library's version, "major.minor.patch". */
const char *enpu_version_string(void);

/* ==== Buffers ================================================================
 *
 * Device memory shared between the CPU and the NPU: allocated on a
 * device, or imported from a dma-buf (another device's, a udmabuf).
 * Every buffer is mapped into the NPU address space of its device handle.
 */
struct enpu_buffer;

#define ENPU_BUFFER_NPU_READ_ONLY	(1u << 0)	/* the NPU only reads it */

int enpu_buffer_alloc(struct enpu_device *dev, size_t size, uint32_t flags,
		      struct enpu_buffer **buf);
/* Imports a dma-buf (the fd stays the caller's). */
int enpu_buffer_import(struct enpu_device *dev, int dmabuf_fd, uint32_t flags,
		       struct enpu_buffer **buf);
/* Exports a dma-buf fd of the buffer (the caller closes it). */
int enpu_buffer_export(struct enpu_buffer *buf, int *dmabuf_fd);
/* CPU address of the buffer (mapped once, until enpu_buffer_free()). */
int enpu_buffer_map(struct enpu_buffer *buf, void **ptr);
/* Waits until no NPU job uses the buffer; timeout_ns < 0 waits forever. */
int enpu_buffer_wait(struct enpu_buffer *buf, int64_t timeout_ns);
size_t enpu_buffer_size(const struct enpu_buffer *buf);
uint64_t enpu_buffer_npu_address(const struct enpu_buffer *buf);
void enpu_buffer_free(struct enpu_buffer *buf);

/* ==== Graphs ==================================================================
 *
 * A graph of quantized layers (TFLite semantics: NHWC int8 activations,
 * int8 weights with per-tensor or per-channel scales, int32 biases).
 * Tensors and layers are added in any order; ids are returned. The graph
 * is checked when compiled; errors name the layer and the reason.
 */
struct enpu_graph;

enum enpu_dtype {
	ENPU_DTYPE_INT8 = 1,
	ENPU_DTYPE_INT32 = 2,
	ENPU_DTYPE_FLOAT32 = 3,
	ENPU_DTYPE_INT16 = 4,	/* 16x8 activations (zero point 0) */
	ENPU_DTYPE_INT64 = 5,	/* 16x8 biases */
};

#define ENPU_MAX_RANK	4

/**
 * struct enpu_tensor_desc - a tensor
 * @name:        for messages and DOT output (copied; may be NULL)
 * @dtype:       element type
 * @rank:        0 to ENPU_MAX_RANK
 * @dims:        dimensions, outermost first (NHWC for activations)
 * @num_scales:  0 unquantized, 1 per-tensor, > 1 per-channel along
 *               @quant_axis (then equal to that dimension)
 * @scales:      @num_scales scales
 * @zero_points: @num_scales zero points (NULL: all 0)
 * @quant_axis:  axis of per-channel quantization
 * @data:        constant contents (copied; weights, biases, shapes), or
 *               NULL for a tensor computed at run time
 */
struct enpu_tensor_desc {
	const char *name;
	enum enpu_dtype dtype;
	int rank;
	int32_t dims[ENPU_MAX_RANK];
	size_t num_scales;
	const float *scales;
	const int32_t *zero_points;
	int quant_axis;
	const void *data;
};

enum enpu_layer_type {
	ENPU_LAYER_CONV_2D = 1,
	ENPU_LAYER_DEPTHWISE_CONV_2D,
	ENPU_LAYER_FULLY_CONNECTED,
	ENPU_LAYER_ADD,
	ENPU_LAYER_AVERAGE_POOL_2D,
	ENPU_LAYER_MAX_POOL_2D,
	ENPU_LAYER_RESHAPE,
	ENPU_LAYER_PAD,
	ENPU_LAYER_CONCATENATION,
	ENPU_LAYER_SOFTMAX,
	ENPU_LAYER_QUANTIZE,
	ENPU_LAYER_DEQUANTIZE,
	ENPU_LAYER_MEAN,
	ENPU_LAYER_RELU,
	ENPU_LAYER_RELU6,
	ENPU_LAYER_LEAKY_RELU,
	ENPU_LAYER_LOGISTIC,
	ENPU_LAYER_TANH,
	ENPU_LAYER_HARD_SWISH,
	ENPU_LAYER_MUL,
	ENPU_LAYER_SUB,
	ENPU_LAYER_MAXIMUM,
	ENPU_LAYER_MINIMUM,
	ENPU_LAYER_TRANSPOSE,
	ENPU_LAYER_STRIDED_SLICE,
	ENPU_LAYER_SPLIT,
	ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR,
	ENPU_LAYER_RESIZE_BILINEAR,
	ENPU_LAYER_REDUCE_MAX,
	ENPU_LAYER_SUM,
	ENPU_LAYER_TRANSPOSE_CONV,
	ENPU_LAYER_SVDF,
};

enum enpu_padding_type {
	ENPU_SAME = 1,
	ENPU_VALID = 2,
};

enum enpu_fused_activation {
	ENPU_FUSED_NONE = 0,
	ENPU_FUSED_RELU = 1,
	ENPU_FUSED_RELU_N1_TO_1 = 2,
	ENPU_FUSED_RELU6 = 3,
};

#define ENPU_MAX_LAYER_INPUTS	8

/**
 * struct enpu_layer_desc - a layer
 * @type:        the operation
 * @inputs:      tensor ids, TFLite's operand order: CONV_2D and
 *               DEPTHWISE_CONV_2D (input, filter[, bias]), FULLY_CONNECTED
 *               (input, weights[, bias]), ADD (a, b), pools (input),
 *               RESHAPE (input[, shape]), PAD (input, paddings[, value]),
 *               CONCATENATION (inputs...), SOFTMAX, QUANTIZE, DEQUANTIZE
 *               (input), MEAN, REDUCE_MAX, SUM (input, axes), the
 *               activations RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH,
 *               HARD_SWISH (input), MUL, SUB, MAXIMUM, MINIMUM (a, b),
 *               TRANSPOSE (input, perm), STRIDED_SLICE (input, begin, end,
 *               strides), SPLIT (axis, input), RESIZE_* (input, size),
 *               TRANSPOSE_CONV (output_shape, weights, input[, bias]),
 *               SVDF (input, weights_feature, weights_time[, bias],
 *               state: a variable, enpu_graph_add_variable()); -1 for an
 *               absent optional one. SVDF's rank is weights_feature's rows
 *               over the output's units (its last dimension); as in
 *               TFLite-Micro its int8 form ignores @activation
 * @num_inputs:  entries of @inputs
 * @output:      the tensor it computes
 * @stride_h:    convolutions and pools
 * @stride_w:    convolutions and pools
 * @dilation_h:  convolutions (0 means 1)
 * @dilation_w:  convolutions (0 means 1)
 * @padding:     convolutions and pools
 * @depth_multiplier: DEPTHWISE_CONV_2D
 * @filter_h:    pools
 * @filter_w:    pools
 * @activation:  fused activation (convolutions, FC, ADD, MUL, SUB, pools,
 *               CONCATENATION, TRANSPOSE_CONV)
 * @axis:        CONCATENATION (negative counts from the end)
 * @keep_dims:   MEAN, REDUCE_MAX, SUM
 * @beta:        SOFTMAX
 * @alpha:       LEAKY_RELU
 * @align_corners: RESIZE_*
 * @half_pixel_centers: RESIZE_*
 * @begin_mask:  STRIDED_SLICE
 * @end_mask:    STRIDED_SLICE
 * @shrink_axis_mask: STRIDED_SLICE
 * @num_splits:  SPLIT: the input is cut into this many equal parts along
 *               the axis (its first input, a constant) ...
 * @split_index: ... and the layer computes part @split_index (a TFLite
 *               SPLIT with n outputs is n such layers)
 */
struct enpu_layer_desc {
	enum enpu_layer_type type;
	int inputs[ENPU_MAX_LAYER_INPUTS];
	int num_inputs;
	int output;
	int stride_h, stride_w;
	int dilation_h, dilation_w;
	enum enpu_padding_type padding;
	int depth_multiplier;
	int filter_h, filter_w;
	enum enpu_fused_activation activation;
	int axis;
	int keep_dims;
	float beta;
	float alpha;
	int align_corners, half_pixel_centers;
	int begin_mask, end_mask, shrink_axis_mask;
	int num_splits, split_index;
};

int enpu_graph_create(struct enpu_graph **graph);
void enpu_graph_destroy(struct enpu_graph *graph);
/* Returns the new tensor's id (>= 0) or a negative errno. */
int enpu_graph_add_tensor(struct enpu_graph *graph, const struct enpu_tensor_desc *desc);
/*
 * enpu_graph_add_variable() - a variable tensor: state a model keeps from
 * one inference to the next (TFLite's is_variable tensors; SVDF's state)
 * @desc: as for enpu_graph_add_tensor(); @desc->data is the value each
 *        model starts from (and enpu_model_reset_variables() restores), or
 *        NULL for zeros (the zero point for int8, as TFLite-Micro resets)
 * A variable is only the state input of the layers that update it; it is
 * not a graph input or output, and no layer computes it. A model with
 * variables runs one inference at a time (each reads the state the last
 * one left). Returns the tensor's id (>= 0) or a negative errno.
 */
int enpu_graph_add_variable(struct enpu_graph *graph, const struct enpu_tensor_desc *desc);
/* Returns the new layer's id (>= 0) or a negative errno. */
int enpu_graph_add_layer(struct enpu_graph *graph, const struct enpu_layer_desc *desc);
int enpu_graph_set_io(struct enpu_graph *graph, const int *inputs, size_t num_inputs,
		      const int *outputs, size_t num_outputs);
/* Checks the whole graph; -EINVAL names the first bad layer and why. */
int enpu_graph_validate(const struct enpu_graph *graph);
const char *enpu_layer_type_name(enum enpu_layer_type type);

/*
 * Reads a TFLite flatbuffer (schema 3, subgraph 0) into a new graph: int8
 * models of the operators enpu_tflite_operator() says it runs, with
 * QUANTIZE/DEQUANTIZE for float inputs and outputs. Every offset,
 * length and index is checked; an unsupported operator or type, or a
 * corrupt file, gives -EINVAL with the reason (operator index and name).
 */
int enpu_model_load_tflite(const char *path, struct enpu_graph **graph);

/* Where libedgenpu runs a TFLite operator (enpu_tflite_operator()). */
enum enpu_op_support {
	ENPU_OP_UNSUPPORTED = 0,	/* a model using it is refused, naming it */
	ENPU_OP_CPU,			/* on the CPU backend */
	ENPU_OP_NPU,			/* on the NPU when its shapes fit the commands,
					 * else on the CPU, the reason reported */
};

/*
 * enpu_tflite_operator() - TFLite builtin operator @code: its schema name
 * (NULL for a code the schema does not name) and, in *support, where
 * libedgenpu runs it (edgenpu-info --operators prints the table).
 */
const char *enpu_tflite_operator(int code, enum enpu_op_support *support);
int enpu_model_load_tflite_mem(const void *data, size_t size, struct enpu_graph **graph);

/* ==== Compile targets ========================================================== */

/**
 * struct enpu_target - what the compiler needs to know of an NPU
 * @name:           for messages: "default", the device node's name, or the
 *                  name a target file gives (its path when it gives none)
 * @hw_version:     hardware contract version, major << 16 | minor << 8 | patch
 * @macs_per_cycle: INT8 multiply-accumulates per NPU cycle
 * @clock_mhz:      NPU clock
 * @dram_bw_mbps:   DRAM bandwidth, MB/s
 * @sram_bw_mbps:   on-chip SRAM bandwidth, MB/s
 * @sram_size:      on-chip SRAM, bytes
 *
 * A model compiled for a target is the model compiled on a device with the
 * same capabilities, without needing the device: placement, estimates and
 * the NPU's work can be inspected on any machine.
 */
struct enpu_target {
	char name[32];
	uint32_t hw_version;
	uint32_t macs_per_cycle;
	uint32_t clock_mhz;
	uint32_t dram_bw_mbps;
	uint32_t sram_bw_mbps;
	uint64_t sram_size;
};

/* The hardware contract's default SKU (what QEMU's NPU is unless told otherwise). */
void enpu_target_default(struct enpu_target *target);
/* The capabilities of an open device. */
int enpu_target_from_device(struct enpu_device *dev, struct enpu_target *target);
/*
 * "default", or a target file: "key = value" lines (name, hw_version as
 * MAJOR.MINOR.PATCH, macs_per_cycle, clock_mhz, dram_bw_mbps,
 * sram_bw_mbps, sram_size in bytes), '#' comments. Every capability must
 * be given; -EINVAL names the file, line and key at fault, -ENOENT a
 * target that is neither.
 */
int enpu_target_load(const char *spec, struct enpu_target *target);
/* Writes @target in the file format enpu_target_load() reads. */
int enpu_target_write(const struct enpu_target *target, FILE *f);
/* Values this library can compile for (-EINVAL says which is not). */
int enpu_target_check(const struct enpu_target *target);

/* ==== Models: compiled graphs ================================================= */
struct enpu_model;
struct enpu_run;

#define ENPU_COMPILE_NO_SRAM		(1u << 0)	/* activations in DRAM only */
#define ENPU_COMPILE_NO_PREFETCH	(1u << 1)	/* no DMA weight prefetch */

/* What a compile may use for activations unless told otherwise. */
#define ENPU_COMPILE_MAX_ACTIVATIONS	(1ull << 30)

/**
 * struct enpu_compile_options - optional compile settings
 * @size:         sizeof(struct enpu_compile_options)
 * @flags:        ENPU_COMPILE_*
 * @max_inflight: inferences that may be in flight at once (default 4)
 * @max_activation_bytes: bound on the bytes of all the model's activations
 *                (tensors that are not constants), checked before anything
 *                is allocated; 0 gives ENPU_COMPILE_MAX_ACTIVATIONS (1 GiB)
 */
struct enpu_compile_options {
	size_t size;
	uint32_t flags;
	unsigned int max_inflight;
	uint64_t max_activation_bytes;
};

/*
 * Compiles @graph for @dev, or for the CPU backend with @dev NULL (same
 * results, bit for bit, no device needed). Layers the NPU cannot run go
 * to the CPU; enpu_model_layer_info() says where each one runs.
 */
int enpu_model_compile(struct enpu_device *dev, const struct enpu_graph *graph,
		       const struct enpu_compile_options *options,
		       struct enpu_model **model);
/*
 * Compiles @graph for @target with no device: the same placement, estimates
 * and NPU work as enpu_model_compile() on a device of those capabilities.
 * Such a model can be inspected (enpu_model_layer_info(), DOT) but not
 * run (-ENODEV).
 */
int enpu_model_compile_target(const struct enpu_target *target,
			      const struct enpu_graph *graph,
			      const struct enpu_compile_options *options,
			      struct enpu_model **model);
/* The target a model was compiled for (-ENODEV: a CPU model has none). */
int enpu_model_target(const struct enpu_model *model, struct enpu_target *target);
void enpu_model_destroy(struct enpu_model *model);

/* ==== Compiled-model files and the compile cache ================================ */

/*
 * A compiled-model file (".enpu") holds everything a model needs to run:
 * the graph (tensors, quantization, layers), where each layer runs and why,
 * the NPU jobs' command streams with their relocations, the weights buffer,
 * the CPU steps, the target it was compiled for, the library version that
 * wrote it and a SHA-256 of its contents. The format is documented in
 * libedgenpu/model_file.c.
 */
#define ENPU_MODEL_FILE_VERSION_MAJOR	1
#define ENPU_MODEL_FILE_VERSION_MINOR	4

/* Where a model came from (enpu_model_origin()). */
enum enpu_model_origin {
	ENPU_ORIGIN_COMPILED = 0,	/* compiled in this process */
	ENPU_ORIGIN_FILE,		/* read from a compiled-model file */
	ENPU_ORIGIN_CACHE,		/* read from the compile cache */
};

/*
 * Writes @model, compiled for a device or a target (not the CPU backend),
 * as a compiled-model file: to a temporary file beside @path, renamed over
 * it once complete, so a reader never sees half a file.
 */
int enpu_model_save(const struct enpu_model *model, const char *path);
/* The same as bytes (free() them). */
int enpu_model_save_mem(const struct enpu_model *model, void **data, size_t *size);

/*
 * Loads @path, a TFLite model or a compiled-model file (told apart by their
 * contents), for @dev, or for the CPU backend with @dev NULL.
 *  - TFLite, with a device: compiled, through the compile cache: a compiled
 *    model kept from an earlier load of the same bytes, for the same target
 *    and library version, is read instead of compiling again. The cache is
 *    $EDGENPU_CACHE_DIR, else $XDG_CACHE_HOME/edgenpu, else ~/.cache/edgenpu;
 *    EDGENPU_CACHE_DISABLE=1 turns it off; EDGENPU_CACHE_MAX_SIZE (bytes,
 *    or with K, M or G; default 256M) bounds it, least recently used
 *    entries going first. Stale or damaged entries are compiled again and
 *    replaced; processes sharing the cache are safe.
 *  - A compiled-model file: checked (format version, checksum, every
 *    offset, size and index, every command against the model's buffers)
 *    and, with a device, its target against the device: a mismatch is
 *    -ENODEV naming what differs. With no device it runs on the CPU
 *    backend.
 * @options: max_inflight applies to both; flags and max_activation_bytes
 * to compiling.
 */
int enpu_model_load(struct enpu_device *dev, const char *path,
		    const struct enpu_compile_options *options, struct enpu_model **model);
int enpu_model_load_mem(struct enpu_device *dev, const void *data, size_t size,
			const struct enpu_compile_options *options, struct enpu_model **model);
enum enpu_model_origin enpu_model_origin(const struct enpu_model *model);

/* ==== Several NPUs ================================================================ */

struct enpu_pool;

#define ENPU_POOL_MAX_DEVICES	16

/* Where enpu_pool_submit() sends a run. */
enum enpu_pool_policy {
	ENPU_POOL_LEAST_LOADED = 0,	/* the device with the fewest runs in flight */
	ENPU_POOL_ROUND_ROBIN,		/* each device in turn */
};

/*
 * One model on @ndev devices, for independent inferences spread over them:
 * @path (TFLite, through the compile cache, or a compiled-model file) is
 * compiled once, for devs[0], and that compiled model loaded on every
 * device, each checked against it (a device of other capabilities is
 * -ENODEV naming it and what differs). @options as enpu_model_load();
 * max_inflight is per device.
 */
int enpu_pool_load(struct enpu_device *const *devs, size_t ndev, const char *path,
		   const struct enpu_compile_options *options, enum enpu_pool_policy policy,
		   struct enpu_pool **pool);
/*
 * Starts an inference on one of the pool's devices (a device that cannot
 * take it, all slots busy or failing, is passed over); the run is waited
 * for and released as any other (enpu_run_wait(), enpu_run_release()).
 * -EBUSY when every device has max_inflight runs in flight.
 */
int enpu_pool_submit(struct enpu_pool *pool, const void *const *inputs,
		     struct enpu_run **run);
size_t enpu_pool_size(const struct enpu_pool *pool);
/* The model on device @i (its layers, inputs and outputs; runs only there). */
struct enpu_model *enpu_pool_model(struct enpu_pool *pool, size_t i);
/* Destroys the models; the devices stay open. Runs must be released first. */
void enpu_pool_destroy(struct enpu_pool *pool);

/**
 * enpu_pipeline_load() - one model pipelined over several NPUs
 * @devs:    the devices, in stage order (all of one target)
 * @ndev:    how many (1 to ENPU_POOL_MAX_DEVICES)
 * @path:    TFLite (through the compile cache) or a compiled-model file
 * @options: as enpu_model_load()
 * @model:   the model, run as any other (enpu_model_run(), _submit(), ...)
 *
 * The compiled model is cut at layer boundaries into @ndev stages of about
 * equal modelled cycles, stage i on devs[i]; nothing is compiled again.
 * Inferences submitted one after another overlap: while devs[1] runs
 * stage 2 of one, devs[0] runs stage 1 of the next (max_inflight bounds
 * how many). Each inference's activations are one buffer the devices
 * share (dma-buf); every device holds the weights. enpu_model_layer_device()
 * tells which device runs a layer. A device of another target is -ENODEV
 * naming what differs. The model cannot be saved (save the one it was
 * loaded from).
 */
int enpu_pipeline_load(struct enpu_device *const *devs, size_t ndev, const char *path,
		       const struct enpu_compile_options *options, struct enpu_model **model);
/*
 * Index (in enpu_pipeline_load()'s @devs) of the device that runs layer @i;
 * 0 for a model on one device; -1 for a layer on the CPU.
 */
int enpu_model_layer_device(const struct enpu_model *model, size_t i);

/**
 * struct enpu_tensor_info - a model input or output
 * @dtype:  element type
 * @rank:   rank
 * @dims:   dimensions
 * @bytes:  size in bytes
 * @scale:  per-tensor scale (0 if unquantized)
 * @zero_point: per-tensor zero point
 */
struct enpu_tensor_info {
	enum enpu_dtype dtype;
	int rank;
	int32_t dims[ENPU_MAX_RANK];
	size_t bytes;
	float scale;
	int32_t zero_point;
};

size_t enpu_model_num_inputs(const struct enpu_model *model);
size_t enpu_model_num_outputs(const struct enpu_model *model);
int enpu_model_input_info(const struct enpu_model *model, size_t i,
			  struct enpu_tensor_info *info);
int enpu_model_output_info(const struct enpu_model *model, size_t i,
			   struct enpu_tensor_info *info);

/*
 * Variables: the state a model keeps across inferences (variable tensors,
 * in the order of their tensor ids). They start from their initial values
 * (enpu_graph_add_variable()); each inference reads and updates them.
 * Reading, writing or resetting them while an inference is in flight is
 * -EBUSY; @size must be the variable's bytes (enpu_model_variable_info()).
 */
size_t enpu_model_num_variables(const struct enpu_model *model);
int enpu_model_variable_info(const struct enpu_model *model, size_t i,
			     struct enpu_tensor_info *info);
int enpu_model_variable_read(const struct enpu_model *model, size_t i, void *data,
			     size_t size);
int enpu_model_variable_write(struct enpu_model *model, size_t i, const void *data,
			      size_t size);
/* Every variable back to its initial value (TFLite's ResetVariableTensors). */
int enpu_model_reset_variables(struct enpu_model *model);

/**
 * struct enpu_profile - what one inference cost
 * @size:          sizeof(struct enpu_profile)
 * @wall_ns:       submit to outputs ready
 * @device_ns:     time jobs spent on the device (driver's measure)
 * @device_cycles: modelled NPU cycles
 * @macs:          multiply-accumulates on the NPU
 * @dram_read:     NPU bytes read from DRAM
 * @dram_write:    NPU bytes written to DRAM
 * @sram_read:     NPU bytes read from SRAM
 * @sram_write:    NPU bytes written to SRAM
 * @stall_cycles:  NPU cycles engines waited on each other
 * @cpu_ns:        time spent in CPU layers
 * @submits:       job submissions (ioctls) made
 * @ioctls:        all ioctls made for the inference
 */
struct enpu_profile {
	size_t size;
	uint64_t wall_ns;
	uint64_t device_ns;
	uint64_t device_cycles;
	uint64_t macs;
	uint64_t dram_read;
	uint64_t dram_write;
	uint64_t sram_read;
	uint64_t sram_write;
	uint64_t stall_cycles;
	uint64_t cpu_ns;
	uint32_t submits;
	uint32_t ioctls;
};

/*
 * enpu_profile_roofline() - the fewest NPU cycles @profile's device work
 * can take on @target: the largest of its MACs at macs_per_cycle and its
 * DRAM and SRAM bytes (read plus written) at their bandwidths. The timing
 * model never reports fewer (hw/README.md, "Timing model");
 * device_cycles over this says how far a run is from the machine's limit.
 * 0 for a NULL argument.
 */
uint64_t enpu_profile_roofline(const struct enpu_target *target,
			       const struct enpu_profile *profile);

/*
 * Runs one inference: @inputs and @outputs hold one pointer per model
 * input/output (enpu_model_*_info() give the sizes). @profile may be NULL.
 */
int enpu_model_run(struct enpu_model *model, const void *const *inputs,
		   void *const *outputs, struct enpu_profile *profile);

/*
 * Starts an inference without waiting (up to max_inflight at once; then
 * -EBUSY). The inputs are copied before it returns.
 */
int enpu_model_submit(struct enpu_model *model, const void *const *inputs,
		      struct enpu_run **run);
/* Waits for it (timeout_ns < 0: forever; -ETIME on timeout), copies the outputs. */
int enpu_run_wait(struct enpu_run *run, int64_t timeout_ns, void *const *outputs,
		  struct enpu_profile *profile);
/*
 * A sync_file fd signalled when the run's device work ends (the caller
 * closes it); -ENOENT for a model without device work.
 */
int enpu_run_sync_file(struct enpu_run *run, int *fd);
/* Releases a run (waiting for it first if it is still going). */
void enpu_run_release(struct enpu_run *run);

/**
 * struct enpu_layer_info - where and how a layer runs
 * @type:          the operation
 * @on_npu:        1 on the NPU, 0 on the CPU
 * @segment:       index of its device job (NPU) or CPU step
 * @est_cycles:    timing-model estimate of its NPU cycles; 0 for a LUT
 *                 layer (LOGISTIC, HARD_SWISH, ...) whose table the
 *                 command of the CONV_2D, DEPTHWISE_CONV_2D or
 *                 FULLY_CONNECTED before it applies (fused, contract 0.6:
 *                 that layer's estimate includes it)
 * @macs:          its multiply-accumulates
 * @output_in_sram: its output stays in on-chip SRAM
 * @weights_prefetched: its weights are copied to SRAM by the DMA engine
 *                 while earlier layers compute (a fully-connected layer may
 *                 have only its first rows' weights copied, the others read
 *                 from DRAM by a command of their own: enpu_model_write_dot()
 *                 says how many)
 * @cpu_ns:        CPU time in the last run (CPU layers)
 */
struct enpu_layer_info {
	enum enpu_layer_type type;
	int on_npu;
	int segment;
	uint64_t est_cycles;
	uint64_t macs;
	int output_in_sram;
	int weights_prefetched;
	uint64_t cpu_ns;
};

size_t enpu_model_num_layers(const struct enpu_model *model);
/* Bytes of constants (weights, biases, requantization data) the model reads. */
uint64_t enpu_model_constant_bytes(const struct enpu_model *model);
int enpu_model_layer_info(const struct enpu_model *model, size_t i,
			  struct enpu_layer_info *info);
/*
 * Why layer @i runs on the CPU, in words ("the NPU has no instruction for
 * SOFTMAX", "an operand of 20.3 MiB is over the 16 MiB ..."); NULL when it
 * runs on the NPU. A model compiled for the CPU backend says so.
 */
const char *enpu_model_layer_reason(const struct enpu_model *model, size_t i);
/* On-chip SRAM the NPU plan uses (activations and weight prefetch), bytes. */
uint64_t enpu_model_sram_bytes(const struct enpu_model *model);
/* Writes the compiled graph (layers, placement, NPU/CPU partition) as Graphviz DOT. */
int enpu_model_write_dot(const struct enpu_model *model, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* EDGENPU_EDGENPU_H */
