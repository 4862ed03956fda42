/* SPDX-License-Identifier: MIT */
/* libedgenpu internals: the device side of a compiled model. */
#ifndef EDGENPU_NPU_H
#define EDGENPU_NPU_H

#include <stdint.h>

#include "edgenpu_timing.h"
#include "model.h"

/* Where a tensor lives. */
enum enpu_loc {
	ENPU_LOC_NONE = 0,
	ENPU_LOC_HOST,		/* constant used only by CPU layers */
	ENPU_LOC_WEIGHTS,	/* constant in the shared read-only buffer */
	ENPU_LOC_ARENA,		/* activation in the per-inference DRAM arena */
	ENPU_LOC_SRAM,		/* activation kept in on-chip SRAM */
};

struct enpu_place {
	enum enpu_loc loc;
	uint64_t off;
};

/* A growable command stream. */
struct enpu_stream {
	uint32_t *w;
	size_t n, cap;
	int oom;
};

void enpu_stream_cmd(struct enpu_stream *s, uint32_t op, const void *cmd, size_t bytes);
void enpu_stream_sync(struct enpu_stream *s, uint32_t op, uint32_t engine, uint32_t sem);
/* A one-word command, NOP or END. */
void enpu_stream_op(struct enpu_stream *s, uint32_t op);

/*
 * A job's commands with the weights' and the arena's addresses as offsets
 * (npu_reloc.c): @reloc lists the words to add a base to, as
 * word index << 1 | ENPU_RELOC_*.
 */
#define ENPU_RELOC_WEIGHTS	0u
#define ENPU_RELOC_ARENA	1u

struct enpu_rstream {
	uint32_t *w;
	uint32_t n;
	uint32_t *reloc;
	uint32_t nreloc;
};

/* The devices of a pipelined model (pipeline.c): one per lane. */
#define ENPU_MAX_LANES	ENPU_POOL_MAX_DEVICES

struct enpu_lane {
	struct enpu_device *dev;
	struct enpu_buffer *weights;	/* lane 0: npu->weights */
};

/*
 * Resources of one inference in flight. The arena is allocated on lane 0
 * and shared (dma-buf) with every other lane: arena[i] is lane i's handle
 * of the same memory, so jobs on different devices order themselves on
 * it (implicit fences) and BO_WAIT on arena[0] waits for all of them.
 */
struct enpu_slot {
	struct enpu_buffer *arena[ENPU_MAX_LANES];
	uint8_t *cpu;
	struct enpu_stream *streams;	/* per step; empty for CPU steps */
	void **buf;			/* CPU view of every tensor */
	uint32_t syncobj[ENPU_MAX_LANES];
	int ready;
	int busy;
};

struct enpu_npu {
	struct enpu_sku sku;
	struct enpu_place *place;	/* per tensor */
	uint64_t *quant_off;		/* per layer: its requantization data or LUT
					 * table in the weights; UINT64_MAX: none */
	int *prefetch;			/* per layer: -1, or where its weights go in
					 * the prefetch ring (bytes from its start) */
	uint32_t *ring_rows;		/* per layer: 0, or the output rows of a
					 * prefetched FC whose weights go through
					 * the ring (the others' are read from
					 * DRAM); NULL: none (a model read from
					 * a file, whose streams are made) */
	int *fused_lut;			/* per layer: the LUT layer its command
					 * applies (npu_fuse.c), or -1 */
	struct enpu_buffer *weights;
	uint64_t weights_bytes;
	uint64_t arena_bytes;
	uint32_t sram_act_bytes;	/* SRAM used by activations */
	uint32_t ring_bytes;		/* the weight-prefetch ring, at the top of SRAM */
	struct enpu_rstream *rstreams;	/* per step; empty for CPU steps */
	struct enpu_slot *slots;
	unsigned int nslots;
	/* pipelined (pipeline.c); nlanes 0: one device, m->dev */
	struct enpu_lane *lanes;
	unsigned int nlanes;
	int *spill_list;		/* tensors the steps copy in and out */
	uint64_t *spill_off;		/* per tensor: its arena copy across a cut */
};

/*
 * Whether the NPU has commands for layers of type @t (compute, data
 * movement, or a LUT in contracts from 0.4).
 */
int enpu_npu_runs_type(enum enpu_layer_type t);
/* Element-wise int8 layers the NPU runs as a LUT command (npu_lut.c). */
int enpu_npu_is_lut(enum enpu_layer_type t);
/* The 256 outputs of prepared layer @p for inputs -128 .. 127. */
int enpu_npu_lut_table(const struct enpu_prep *p, int8_t table[256]);

/*
 * A job's cycles if its two engines never overlapped: fetching the stream
 * plus every command's cost (hw/edgenpu_timing.h). The device model takes
 * exactly this when the stream is serial, and less when the DMA engine
 * runs beside the compute engine.
 */
uint64_t enpu_npu_stream_estimate(const struct enpu_sku *sku, const uint32_t *w, size_t n);

/*
 * Fused tables (npu_fuse.c, contract 0.6). Compiling for @t: chooses the
 * pairs, before activations are placed (the intermediate tensors get no
 * place). Reading a compiled model: finds them from the placement (-EINVAL
 * for an unplaced tensor that is no such pair). enpu_npu_fused_into(): the
 * layer whose command applies LUT layer @l's table, or -1.
 */
int enpu_npu_choose_fusions(struct enpu_model *m, const struct enpu_target *t);
int enpu_npu_find_fusions(struct enpu_model *m);
int enpu_npu_fused_into(const struct enpu_model *m, size_t l);

/*
 * The most enpu_emit_step() adds around one layer: a prefetch (a DMA copy
 * and four semaphore commands, counting the DMA engine's wait for a layer
 * it overwrites, one per prefetched layer at most) or a data-movement
 * layer's four hand-overs.
 */
#define ENPU_STEP_OVERHEAD_WORDS	(ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy) + \
				 4 * ENPU_CMD_WORDS_OF(struct enpu_cmd_sync))

/* Data movement: layers the DMA engine runs. */
int enpu_npu_layer_is_dma(enum enpu_layer_type t);
/*
 * Whether layer @l is data movement that moves bytes: not a RESHAPE whose
 * output shares its input's place (npu_compile.c), which emits nothing.
 */
int enpu_npu_layer_moves(const struct enpu_model *m, size_t l);
/* Bytes of layer @l's weights (its input 1), 0 if it has none. */
uint64_t enpu_npu_filter_bytes(const struct enpu_model *m, size_t l);
/* NPU address @off bytes into the weight-prefetch ring, at the top of SRAM. */
uint32_t enpu_npu_ring_va(const struct enpu_npu *npu, uint32_t off);
/*
 * Weight prefetch (npu_emit.c): the DMA engine copies the weights of each
 * prefetched layer of step @st into the ring, in the order of the layers,
 * as early as the ring allows. For the prefetched layer at position @k of
 * the order: the first position before which its copy may start (after
 * the step's last earlier layer whose ring bytes it overwrites, and after
 * the last data-movement layer before it), and in @after how many of the
 * step's prefetched layers must have run first.
 */
size_t enpu_npu_copy_after(const struct enpu_model *m, size_t st, size_t k,
			   unsigned int *after);
/*
 * Which layers' weights go through the ring, and where, for the model's
 * steps as they are (npu_compile.c; a pipeline runs it again on its
 * stages), with each layer's estimate. 0 or -ENOMEM.
 */
int enpu_npu_plan_prefetch(struct enpu_model *m);

/* Emits layer @l (commands only, no prefetch) for the given base addresses. */
int enpu_emit_layer(const struct enpu_model *m, size_t l, uint32_t weights_va,
		    uint32_t arena_va, uint32_t filter_va, struct enpu_stream *s);
/*
 * The same for output rows @first .. @first + @rows of a fully-connected
 * layer that enpu_npu_fc_splits() (@rows 0: all of it, any layer), with
 * those rows' weights at @filter_va, or 0: where the layer's lie.
 */
int enpu_emit_rows(const struct enpu_model *m, size_t l, uint32_t weights_va,
		   uint32_t arena_va, uint32_t filter_va, uint32_t first, uint32_t rows,
		   struct enpu_stream *s);
/*
 * Whether layer @l may run as two commands over its output rows, the
 * weights of some read from the prefetch ring and the others' from DRAM:
 * a fully-connected layer of one batch, of more than one output, whose
 * rows share one requantisation (a per-channel layer's multipliers and
 * shifts are one array each, which a part of its rows cannot address).
 */
int enpu_npu_fc_splits(const struct enpu_model *m, size_t l);
/* Layer @l's rows through the ring (0: all of its weights), and their bytes. */
uint32_t enpu_npu_ring_rows(const struct enpu_npu *npu, size_t l);
uint64_t enpu_npu_ring_part(const struct enpu_model *m, size_t l);

/*
 * The device-independent part of compiling for the NPU: classification,
 * steps, placement, prefetch, estimates, for target @t.
 * enpu_npu_compile() adds the weights buffer on the real device; host
 * tests use the plan with the execution engine instead.
 */
int enpu_npu_plan(struct enpu_model *m, const struct enpu_target *t);
/*
 * On m->dev, for a planned model: the weights buffer allocated and filled,
 * and the first inference slot set up (enpu_npu_ready()).
 */
int enpu_npu_upload(struct enpu_model *m);
/*
 * Bytes of an NPU layer's data after its constants in the weights buffer:
 * a LUT layer's table, others' multipliers and shifts (0: none).
 */
uint64_t enpu_npu_quant_bytes(const struct enpu_prep *p);
/* Writes the weights buffer's contents (npu->weights_bytes) to @dst. */
void enpu_npu_fill_weights(const struct enpu_model *m, uint8_t *dst);

/* Emits device step @st (one job) for the given base addresses. */
int enpu_emit_step(const struct enpu_model *m, size_t st, uint32_t weights_va,
		   uint32_t arena_va, struct enpu_stream *s);

/*
 * Sets up the first inference slot (arena, relocated streams, syncobj) so
 * that the first inference after a compile or a load costs what the next
 * ones do.
 */
int enpu_npu_ready(struct enpu_model *m);

/*
 * Where the CPU reads or writes tensor @t of @m, with an inference's arena
 * mapped at @arena: a constant's or a variable's host copy, or its place in
 * the arena; NULL for a tensor only the NPU sees (in SRAM).
 */
void *enpu_npu_host_ptr(const struct enpu_model *m, size_t t, uint8_t *arena);
/* Inferences of @m in flight (slots busy). */
unsigned int enpu_npu_inflight(const struct enpu_model *m);
/* Frees every slot's resources (no run may be in flight); they are set up again on use. */
void enpu_npu_free_slots(struct enpu_model *m);

/*
 * Cuts planned model @m into up to @nlanes stages of about equal modelled
 * cycles (pipeline.c): its NPU steps split where a stage ends, each step
 * given its lane, SRAM tensors crossing a cut copied out to the arena and
 * in again, the streams rebuilt. Device-independent.
 */
int enpu_npu_pipeline(struct enpu_model *m, unsigned int nlanes);

/* Builds npu->rstreams from the plan. */
int enpu_npu_build_streams(struct enpu_model *m);
void enpu_npu_free_streams(struct enpu_model *m);
/*
 * Step @st's stream for the given bases, into @s (reused): the relocated
 * image, checked to decode and to touch only the weights (read), the arena
 * and the SRAM.
 */
int enpu_npu_relocate(const struct enpu_model *m, size_t st, uint32_t weights_va,
		      uint32_t arena_va, struct enpu_stream *s);

/* VA of tensor @t given the bases. */
uint32_t enpu_tensor_va(const struct enpu_npu *npu, int t, uint32_t weights_va,
			uint32_t arena_va);

#endif /* EDGENPU_NPU_H */
