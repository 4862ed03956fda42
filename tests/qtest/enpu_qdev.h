/* SPDX-License-Identifier: MIT */
/*
 * The EdgeNPU as a qtest sees it: PCI setup through configuration space
 * (BARs, bus mastering, MSI-X vector 0 aimed at guest RAM), register
 * access, a bump allocator over guest RAM, NPU page tables built exactly
 * as edgenpu_mmu.h describes them, command streams, rings, descriptors
 * and completions -- what a driver does, done from the test.
 *
 * Interrupts are observed without a CPU: MSI-X entry 0 carries the
 * address of a word of guest RAM (NPU_MSI_ADDR) and a data value
 * (NPU_MSI_DATA) of the test's choosing, so each message the device sends
 * shows up as a 32-bit write of that value to that word.
 *
 * Every helper that talks to QEMU fails the test through qt_fatal() when
 * the protocol breaks; the npu_wait_*() helpers return false on timeout
 * so that the test asserts (and its teardown prints QEMU's log).
 */
#ifndef EDGENPU_QDEV_H
#define EDGENPU_QDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edgenpu_hw.h"
#include "edgenpu_isa.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"
#include "qtest_client.h"

/* Guest physical layout (q35 with 256 MiB of RAM, no firmware has run). */
#define NPU_BAR0_ADDR		0xe0000000ull	/* registers, 64 KiB */
#define NPU_BAR2_ADDR		0xe0010000ull	/* MSI-X table and PBA */
#define NPU_MSI_ADDR		0x00f00000ull	/* the word MSI-X messages write */
#define NPU_MSI_DATA		0x4d534958u	/* "MSIX" */
#define NPU_HEAP_BASE		(16ull << 20)
#define NPU_HEAP_END		(256ull << 20)

#define NPU_WAIT_MS		10000	/* bound of every wait that should succeed */
#define NPU_QUIET_MS		150	/* how long "nothing happens" is watched */

/* PCI configuration space, the few fields the tests use. */
#define PCI_VENDOR_ID_OFF	0x00
#define PCI_COMMAND_OFF		0x04
#define   PCI_CMD_MEMORY	0x0002
#define   PCI_CMD_MASTER	0x0004
#define PCI_REVISION_OFF	0x08
#define PCI_BAR_OFF(n)		(0x10 + 4 * (n))
#define PCI_CAP_ID_MSIX		0x11
#define PCI_MSIX_CTRL		2		/* message control, in the capability */
#define   PCI_MSIX_ENABLE	0x8000
#define   PCI_MSIX_MASKALL	0x4000
#define   PCI_MSIX_QSIZE	0x07ff
#define PCI_MSIX_TABLE		4		/* table offset and BIR */
#define PCI_MSIX_PBA		8

struct npu_ring {
	uint64_t addr;		/* descriptor array */
	uint32_t size;		/* entries */
	uint32_t tail;		/* next index the test fills */
};

struct npu {
	struct qt *qt;
	int devfn;
	int msix_cap;
	uint64_t regs;		/* BAR0 */
	uint64_t msix_table;	/* entry 0, in BAR2 */
	uint64_t heap;		/* bump allocator */
	struct npu_ring ring[ENPU_NUM_RINGS];
};

/* Finds and sets up the device (BARs, memory + bus master, MSI-X on). */
void npu_open(struct npu *n, struct qt *q);

/* BAR0 registers and the rings' register blocks. */
uint32_t npu_rd(struct npu *n, uint32_t off);
void npu_wr(struct npu *n, uint32_t off, uint32_t v);
uint32_t npu_ring_rd(struct npu *n, int r, uint32_t off);
void npu_ring_wr(struct npu *n, int r, uint32_t off, uint32_t v);

/* Guest RAM: zeroed bump allocation, and accessors. */
uint64_t gmem_alloc(struct npu *n, uint64_t size, uint64_t align);
void gmem_write(struct npu *n, uint64_t addr, const void *buf, size_t len);
void gmem_read(struct npu *n, uint64_t addr, void *buf, size_t len);
uint32_t gmem_r32(struct npu *n, uint64_t addr);
void gmem_w32(struct npu *n, uint64_t addr, uint32_t v);
uint64_t gmem_r64(struct npu *n, uint64_t addr);
void gmem_w64(struct npu *n, uint64_t addr, uint64_t v);

/* ---- an NPU address space (edgenpu_mmu.h) ------------------------------ */

struct npu_as {
	struct npu *n;
	uint64_t l1;			/* bus address of the level-1 table */
	uint32_t asid;
	uint64_t l2[ENPU_L1_ENTRIES];	/* bus address of each level-2 table, or 0 */
};

void as_init(struct npu_as *a, struct npu *n, uint32_t asid);
/* Maps the page at @va to bus address @pa with level-2 @flags (VALID|READ|WRITE...). */
void as_map_page(struct npu_as *a, uint32_t va, uint64_t pa, uint64_t flags);
/* Maps [va, va + size) to fresh, zeroed, contiguous pages; returns the first's address. */
uint64_t as_map_new(struct npu_as *a, uint32_t va, uint64_t size, uint64_t flags);
/* Bus address of the level-2 entry of @va (its table must exist). */
uint64_t as_pte_addr(struct npu_as *a, uint32_t va);
/* Bus address behind @va, from the test's own shadow of the tables. */
uint64_t as_pa(struct npu_as *a, uint32_t va);

#define NPU_RW		(ENPU_PTE_VALID | ENPU_PTE_READ | ENPU_PTE_WRITE)
#define NPU_RO		(ENPU_PTE_VALID | ENPU_PTE_READ)

/* ---- command streams (edgenpu_isa.h) ------------------------------------ */

#define NPU_STREAM_WORDS	2048

struct npu_stream {
	uint32_t w[NPU_STREAM_WORDS];
	size_t n;
};

void st_init(struct npu_stream *s);
/* Appends @cmd (@bytes, a whole command structure) with its header set. */
void st_cmd(struct npu_stream *s, uint32_t op, const void *cmd, size_t bytes);
void st_raw(struct npu_stream *s, const uint32_t *w, size_t n);
void st_nop(struct npu_stream *s);
void st_end(struct npu_stream *s);
void st_sync(struct npu_stream *s, uint32_t op, uint32_t engine, uint32_t sem);
void st_fill(struct npu_stream *s, uint32_t dst, uint8_t value, uint32_t bytes);
void st_copy(struct npu_stream *s, uint32_t src, uint32_t dst, uint32_t bytes);
/* MAX_POOL with a 1x1 window: copies @bytes int8 values through the compute engine. */
void st_pool_copy(struct npu_stream *s, uint32_t src, uint32_t dst, uint32_t bytes);
static inline uint32_t st_bytes(const struct npu_stream *s) { return (uint32_t)(s->n * 4); }

/* ---- jobs and rings ------------------------------------------------------- */

struct npu_job {
	struct enpu_job_desc desc;	/* what goes into the ring */
	uint32_t index;			/* ring index it was queued at */
	int ring;
};

/* Allocates @entries descriptors, programs ADDR/SIZE and enables the ring. */
void npu_ring_init(struct npu *n, int r, uint32_t entries);
/*
 * Places @s in guest RAM and fills @j's descriptor: seqno @seqno, the
 * address space @a, a fresh zeroed completion record.
 */
void npu_job_prepare(struct npu *n, struct npu_job *j, struct npu_as *a,
		     const struct npu_stream *s, uint32_t seqno);
/* Writes @j's descriptor at the ring's next slot (no doorbell). */
void npu_queue(struct npu *n, int r, struct npu_job *j);
/* Doorbell: TAIL = the test's next index. */
void npu_kick(struct npu *n, int r);
static inline void npu_submit(struct npu *n, int r, struct npu_job *j)
{
	npu_queue(n, r, j);
	npu_kick(n, r);
}
/* Reads @j's completion record. */
void npu_completion(struct npu *n, const struct npu_job *j,
		    struct enpu_job_completion *c);

/* Polls until (register & mask) == value, at most @ms milliseconds. */
bool npu_wait_reg(struct npu *n, uint32_t off, uint32_t mask, uint32_t value, int ms);
/* Polls until ring @r's DONE_SEQNO == @seqno. */
bool npu_wait_seqno(struct npu *n, int r, uint32_t seqno, int ms);
/* Polls until the completion record of @j is written (status != PENDING). */
bool npu_wait_completion(struct npu *n, const struct npu_job *j, int ms);

/* MSI-X observation. */
void npu_msi_clear(struct npu *n);
bool npu_msi_seen(struct npu *n);
bool npu_msi_wait(struct npu *n, int ms);
/* MSI-X entry 0 vector control: mask (1) or unmask (0) the vector. */
void npu_msi_mask(struct npu *n, bool mask);

#endif /* EDGENPU_QDEV_H */
