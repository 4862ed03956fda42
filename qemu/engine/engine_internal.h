/* SPDX-License-Identifier: MIT */
/* Engine internals shared by its source files. */
#ifndef ENPU_ENGINE_INTERNAL_H
#define ENPU_ENGINE_INTERNAL_H

#include "enpu_engine.h"
#include "edgenpu_cmd.h"

/* One job in flight. */
struct enpu_job {
	struct enpu_engine *e;
	const struct enpu_job_desc *desc;
	struct enpu_job_completion *done;
	uint32_t cmd_offset;		/* byte offset of the current command */
};

/*
 * A command in flight on one engine: its operands were read and its
 * result computed when it started; the result is written when it
 * finishes.
 */
struct enpu_pending {
	const uint32_t *words;
	struct enpu_cmd_info info;
	uint32_t offset;		/* byte offset in the stream */
	uint8_t *result;
};

/*
 * Ends the job with @status (the first error wins) and returns -1, so
 * callers write: return enpu_job_fail(job, ...).
 */
int enpu_job_fail(struct enpu_job *job, uint32_t status, uint32_t info);

/* NPU virtual memory (mmu.c): 0, or -1 with the job failed. */
int enpu_vm_read(struct enpu_job *job, uint32_t va, void *buf, uint64_t len);
int enpu_vm_write(struct enpu_job *job, uint32_t va, const void *buf, uint64_t len);
void enpu_tlb_flush(struct enpu_engine *e);

/* Bus memory with fault injection (mmu.c). */
int enpu_bus_read(struct enpu_job *job, uint64_t addr, void *buf, size_t len);
int enpu_bus_write(struct enpu_job *job, uint64_t addr, const void *buf, size_t len);

/*
 * Commands (ops.c), 0 or -1 (job failed). start reads the operands and
 * computes into @p->result; finish writes the result to memory. Engine
 * @engine uses its own scratch buffers.
 */
int enpu_cmd_start(struct enpu_job *job, struct enpu_pending *p);
int enpu_cmd_finish(struct enpu_job *job, struct enpu_pending *p);
/* Duration of a data command from where its operands live (ops.c). */
uint64_t enpu_cmd_cycles(const struct enpu_sku *sku, const struct enpu_cmd_info *info);

/* A scratch buffer of at least @len bytes, or NULL (ops.c). */
uint8_t *enpu_scratch(struct enpu_engine *e, unsigned int slot, uint64_t len);

#endif /* ENPU_ENGINE_INTERNAL_H */
