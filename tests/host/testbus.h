/* SPDX-License-Identifier: MIT */
/*
 * A bus for driving the EdgeNPU engine in host tests: flat simulated
 * memory, page tables built the way a driver would (edgenpu_mmu.h), and
 * command streams assembled from the ISA's structures.
 */
#ifndef EDGENPU_TESTBUS_H
#define EDGENPU_TESTBUS_H

#include <stddef.h>
#include <stdint.h>

#include "edgenpu_isa.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"
#include "enpu_engine.h"

struct tbus {
	uint8_t *mem;
	uint64_t size;
	uint64_t next;		/* bump allocator */
	int fail_after;		/* >0: accesses until a bus error, for tests */
	/* bytes the engine read, and compared in place (tbus_ops.equal) */
	uint64_t read_bytes, equal_bytes;
	/* >0: reads until enpu_engine_abort(abort_engine), for tests */
	int abort_after;
	struct enpu_engine *abort_engine;
	/*
	 * A shadow of the memory's permissions, TBUS_READ | TBUS_WRITE a byte
	 * (NULL: every byte may be read and written). An access to a byte
	 * without the permission is a bus error, and the first one is kept.
	 */
	uint8_t *perm;
	struct tbus_violation {
		unsigned long count;
		uint64_t addr;	/* of the first */
		uint64_t len;
		int write;
	} violation;
};

#define TBUS_READ	1
#define TBUS_WRITE	2

extern const struct enpu_mem_ops tbus_ops;
/* The same bus without the in-place comparison: the engine reads and compares. */
extern const struct enpu_mem_ops tbus_ops_no_equal;
/* The contract's default SKU (hw/edgenpu_hw.h, ENPU_DEFAULT_*). */
extern const struct enpu_sku tbus_default_sku;

int tbus_init(struct tbus *b, uint64_t size);
void tbus_fini(struct tbus *b);
/* Starts the permission shadow: from now on no byte may be accessed. */
int tbus_shadow(struct tbus *b);
/* Grants @perm (TBUS_READ, TBUS_WRITE) on [addr, addr + len). */
void tbus_allow(struct tbus *b, uint64_t addr, uint64_t len, uint8_t perm);

/* Zeroed, @align-aligned bus memory; aborts the test program when full. */
uint64_t tbus_alloc(struct tbus *b, uint64_t size, uint64_t align);

/* An address space: a level-1 table and its ASID. */
struct tctx {
	struct tbus *b;
	uint64_t l1;
	uint32_t asid;
};

void tctx_init(struct tctx *c, struct tbus *b, uint32_t asid);
/* Map [va, va+size) to fresh zeroed pages with PTE @flags; returns bus address of the first. */
uint64_t tctx_map_new(struct tctx *c, uint32_t va, uint64_t size, uint64_t flags);
/* Map one page at @va to bus address @pa (page aligned). */
void tctx_map_page(struct tctx *c, uint32_t va, uint64_t pa, uint64_t flags);
/* Level-2 entry slot of @va (creating its table), for tests that corrupt it. */
uint64_t *tctx_pte(struct tctx *c, uint32_t va);
/* Copy to/from mapped VA ranges through the test's own page walk. */
void tctx_write(struct tctx *c, uint32_t va, const void *data, uint64_t len);
void tctx_read(struct tctx *c, uint32_t va, void *data, uint64_t len);

/* A command stream under construction. */
struct tstream {
	uint32_t *w;
	size_t n, cap;
};

void ts_init(struct tstream *s);
void ts_free(struct tstream *s);
/* Append a command structure; its header is set from @op and @bytes. */
void ts_cmd(struct tstream *s, uint32_t op, const void *cmd, size_t bytes);
/* Append raw words, e.g. a malformed command. */
void ts_raw(struct tstream *s, const uint32_t *w, size_t n);
void ts_sync(struct tstream *s, uint32_t op, uint32_t engine, uint32_t sem);
void ts_end(struct tstream *s);

/* Place @s in bus memory and run it as job @seqno of @c on @e. */
void trun(struct enpu_engine *e, struct tctx *c, const struct tstream *s,
	  uint32_t seqno, struct enpu_job_completion *done);

#endif /* EDGENPU_TESTBUS_H */
