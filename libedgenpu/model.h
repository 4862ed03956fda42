/* SPDX-License-Identifier: MIT */
/* libedgenpu internals: compiled models and runs. */
#ifndef EDGENPU_MODEL_H
#define EDGENPU_MODEL_H

#include "graph.h"

struct enpu_npu;	/* npu.h: the device side of a model */

/*
 * One step of an inference: an NPU job or a CPU layer. A pipelined model
 * (pipeline.c) runs each NPU step on device @lane; the step copies
 * npu->spill_list[spill_first ..] in from the arena first (@nload tensors)
 * and out to it at its end (the @nstore after those).
 */
struct enpu_step {
	int on_npu;
	size_t first, count;	/* positions in model->order */
	unsigned int lane;
	uint32_t spill_first, nload, nstore;
};

#define ENPU_REASON_LEN	256

struct enpu_model {
	struct enpu_device *dev;	/* NULL: CPU backend */
	struct enpu_graph *g;		/* the model's own copy */
	size_t *order;			/* layers in execution order */
	struct enpu_prep *prep;		/* by layer id */
	struct enpu_layer_info *linfo;	/* by layer id */
	char (*why_cpu)[ENPU_REASON_LEN];	/* by layer id: why not the NPU */
	struct enpu_step *steps;
	size_t num_steps;
	unsigned int max_inflight;
	uint32_t flags;
	/* CPU backend: one storage pointer per tensor */
	void **buf;
	void **var;			/* by tensor id: a variable's value, or NULL */
	struct enpu_npu *npu;
	struct enpu_target target;	/* what the NPU plan is for */
	enum enpu_model_origin origin;
	int has_source;			/* source_sha256 is known */
	uint8_t source_sha256[32];	/* of the file it was compiled from */
	char written_by[16];		/* read from a file: the library version */
};

/*
 * One inference. CPU backend: computed at submit, outputs kept until
 * wait. NPU: the steps are advanced by submit (NPU jobs up to the first
 * CPU step) and by wait (the rest).
 */
struct enpu_run {
	struct enpu_model *m;
	struct enpu_profile prof;
	/* CPU backend */
	void **outputs;
	/* NPU */
	unsigned int slot;
	size_t next_step;
	uint64_t *job_ids;	/* per step, 0 for CPU steps */
	size_t pending_from;	/* first step whose job is not checked yet */
	uint64_t t0;
	int error;
};

/*
 * A model around @g (taken over, destroyed on failure) with its per-layer
 * arrays allocated and @opt's runtime settings; nothing ordered, prepared
 * or planned yet.
 */
int enpu_model_new(struct enpu_graph *g, const struct enpu_compile_options *opt,
		   struct enpu_model **m);
/* Prepares every layer (enpu_prepare_layer()) and fills type and MACs. */
int enpu_model_prepare(struct enpu_model *m);
/* The variables' values from their initial ones; max_inflight 1 if any. */
int enpu_model_variables_init(struct enpu_model *m);
void enpu_model_variables_free(struct enpu_model *m);
/* Host storage for every tensor: the model runs on the CPU backend. */
int enpu_model_cpu_backend(struct enpu_model *m);
/* -E2BIG when @g's activations exceed @opt's bound (or the default). */
int enpu_activations_bounded(const struct enpu_graph *g,
			     const struct enpu_compile_options *opt);

/* A deep copy of @g (graph.c). */
int enpu_graph_clone(const struct enpu_graph *g, struct enpu_graph **out);

/*
 * Compiles for @dev (NULL: the CPU backend), or, with @target and no
 * device, plans for the target only: placement, estimates and the NPU's
 * streams can be inspected, nothing runs.
 */
int enpu_model_compile_for(struct enpu_device *dev,
			   const struct enpu_target *target,
			   const struct enpu_graph *graph,
			   const struct enpu_compile_options *opt,
			   struct enpu_model **model);

/* npu_*.c */
int enpu_npu_compile(struct enpu_model *m);
void enpu_npu_destroy(struct enpu_model *m);
int enpu_npu_submit(struct enpu_model *m, const void *const *inputs,
		    struct enpu_run **run);
int enpu_npu_wait(struct enpu_run *run, int64_t timeout_ns, void *const *outputs,
		  struct enpu_profile *prof);
int enpu_npu_sync_file(struct enpu_run *run, int *fd);
void enpu_npu_release(struct enpu_run *run);

#endif /* EDGENPU_MODEL_H */
