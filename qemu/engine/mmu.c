// SPDX-License-Identifier: MIT
/*
 * The NPU MMU and memory paths: two-level page-table walks with an
 * ASID-tagged TLB, the SRAM window, bus accesses with fault injection,
 * and the per-job byte counters.
 */
#include <string.h>

#include "edgenpu_hw.h"
#include "edgenpu_mmu.h"
#include "engine_internal.h"

void enpu_tlb_flush(struct enpu_engine *e)
{
	memset(e->tlb, 0, sizeof(e->tlb));
}

int enpu_bus_read(struct enpu_job *job, uint64_t addr, void *buf, size_t len)
{
	struct enpu_engine *e = job->e;

	if (atomic_exchange(&e->inject_dma_error, 0) ||
	    e->mem->read(e->mem_opaque, addr, buf, len))
		return enpu_job_fail(job, ENPU_JOB_DMA_ERROR, 0);
	return 0;
}

int enpu_bus_write(struct enpu_job *job, uint64_t addr, const void *buf,
		   size_t len)
{
	struct enpu_engine *e = job->e;

	if (atomic_exchange(&e->inject_dma_error, 0) ||
	    e->mem->write(e->mem_opaque, addr, buf, len))
		return enpu_job_fail(job, ENPU_JOB_DMA_ERROR, 0);
	return 0;
}

static int mmu_fault(struct enpu_job *job, uint32_t va, uint32_t flags)
{
	job->done->fault_addr = va;
	return enpu_job_fail(job, ENPU_JOB_MMU_FAULT, ENPU_FAULT_VALID | flags);
}

/* Bus address of @va for an access of kind @write, or -1 (job failed). */
static int mmu_translate(struct enpu_job *job, uint32_t va, int write,
			 uint64_t *pa)
{
	struct enpu_engine *e = job->e;
	uint32_t asid = job->desc->asid, vpn = va >> ENPU_PAGE_SHIFT;
	unsigned int flush = atomic_load(&e->tlb_flush_req);
	struct enpu_tlb_entry *t = &e->tlb[vpn % ENPU_TLB_ENTRIES];
	uint32_t wflag = write ? ENPU_FAULT_WRITE : 0;
	uint64_t pde, pte;

	if (flush != e->tlb_flush_done) {
		enpu_tlb_flush(e);
		e->tlb_flush_done = flush;
	}

	if (t->pte && t->asid == asid && t->vpn == vpn) {
		pte = t->pte;
	} else {
		if (enpu_bus_read(job, job->desc->pt_base + 8ull * ENPU_L1_INDEX(va),
				  &pde, 8))
			return -1;
		if (!(pde & ENPU_PTE_VALID) || (pde & ENPU_PTE_RESERVED_MASK))
			return mmu_fault(job, va, wflag);
		if (enpu_bus_read(job, (pde & ENPU_PTE_ADDR_MASK) +
				  8ull * ENPU_L2_INDEX(va), &pte, 8))
			return -1;
		if (!(pte & ENPU_PTE_VALID) || (pte & ENPU_PTE_RESERVED_MASK))
			return mmu_fault(job, va, wflag);
		t->asid = asid;
		t->vpn = vpn;
		t->pte = pte;
	}
	if (!(pte & (write ? ENPU_PTE_WRITE : ENPU_PTE_READ)))
		return mmu_fault(job, va, wflag | ENPU_FAULT_PERMISSION);
	*pa = (pte & ENPU_PTE_ADDR_MASK) | ENPU_PAGE_OFFSET(va);
	return 0;
}

/* SRAM window: [ENPU_SRAM_VA_BASE, + sram_size); beyond faults. */
static uint8_t *sram_span(struct enpu_job *job, uint32_t va, uint64_t len,
			  int write)
{
	uint64_t off = (uint64_t)va - ENPU_SRAM_VA_BASE;

	if (off + len > job->e->sku.sram_size) {
		uint32_t bad = off >= job->e->sku.sram_size ? va :
			       ENPU_SRAM_VA_BASE + job->e->sku.sram_size;

		mmu_fault(job, bad, write ? ENPU_FAULT_WRITE : 0);
		return NULL;
	}
	return job->e->sram + off;
}

/*
 * One page's worth of VM_EQUAL: the bus's own comparison where it has one
 * and the memory allows, else a read and a compare. 1, 0, or -1 (job
 * failed).
 */
static int bus_equal(struct enpu_job *job, uint64_t pa, const uint8_t *p, uint64_t len)
{
	struct enpu_engine *e = job->e;
	uint8_t page[ENPU_PAGE_SIZE];
	int ret;

	if (atomic_exchange(&e->inject_dma_error, 0))
		return enpu_job_fail(job, ENPU_JOB_DMA_ERROR, 0);
	ret = e->mem->equal ? e->mem->equal(e->mem_opaque, pa, p, len) : ENPU_MEM_NOT_IN_PLACE;
	if (ret == ENPU_MEM_NOT_IN_PLACE)
		ret = e->mem->read(e->mem_opaque, pa, page, len) ? -1 : !memcmp(page, p, len);
	return ret < 0 ? enpu_job_fail(job, ENPU_JOB_DMA_ERROR, 0) : ret;
}

enum vm_op { VM_READ, VM_WRITE, VM_EQUAL };

/*
 * Pages between two reads of the abort request: gathering a large operand
 * page by page (a fault of the host's each, the first time) took tens of
 * milliseconds, which a reset must not wait for (ENPU_RESET_TIME_MAX_US).
 */
#define VM_PAGES_PER_CHECK	64

/*
 * @len bytes at @va read into @buf, written from it, or compared with it
 * where they lie, page by page through the MMU, each page counted in the
 * job's traffic as it is done: 1, 0 (VM_EQUAL only: they differ, and
 * nothing stays counted), or -1 (job failed: its fault or bus error).
 */
static int vm_do(struct enpu_job *job, uint32_t va, void *buf, uint64_t len, enum vm_op op)
{
	const int write = op == VM_WRITE;
	uint64_t *count = write ? &job->done->dram_write : &job->done->dram_read;
	uint64_t pa = 0, counted = 0;
	uint8_t *p = buf;
	int ret;

	if (atomic_exchange(&job->e->inject_mmu_fault, 0) ||
	    (uint64_t)va + len > (1ull << 32))
		return mmu_fault(job, va, write ? ENPU_FAULT_WRITE : 0);
	if (va >= ENPU_SRAM_VA_BASE) {
		uint8_t *s = sram_span(job, va, len, write);

		if (!s)
			return -1;
		if (op == VM_EQUAL && memcmp(s, buf, len))
			return 0;
		if (op == VM_WRITE)
			memcpy(s, buf, len);
		else if (op == VM_READ)
			memcpy(buf, s, len);
		*(write ? &job->done->sram_write : &job->done->sram_read) += len;
		return 1;
	}
	for (uint64_t page = 1; len; page++) {
		uint64_t chunk = ENPU_PAGE_SIZE - ENPU_PAGE_OFFSET(va);

		if (chunk > len)
			chunk = len;
		if (va >= ENPU_DRAM_VA_END)	/* DRAM range runs into SRAM */
			return mmu_fault(job, va, write ? ENPU_FAULT_WRITE : 0);
		/* an abort ends the command here; a pause waits for its end */
		if (!(page % VM_PAGES_PER_CHECK) &&
		    (atomic_load(&job->e->interrupt) & ENPU_ENGINE_ABORT))
			return enpu_job_fail(job, ENPU_JOB_ABORTED, 0);
		if (mmu_translate(job, va, write, &pa))
			return -1;
		ret = op == VM_EQUAL ? bus_equal(job, pa, p, chunk) :
		      (write ? enpu_bus_write(job, pa, p, chunk) :
			       enpu_bus_read(job, pa, p, chunk)) ? -1 : 1;
		if (ret < 0)
			return -1;
		if (!ret) {
			/* the caller reads the range: counted then */
			*count -= counted;
			return 0;
		}
		*count += chunk;
		counted += chunk;
		p += chunk;
		va += chunk;
		len -= chunk;
	}
	return 1;
}

int enpu_vm_equal(struct enpu_job *job, uint32_t va, const void *buf, uint64_t len)
{
	return vm_do(job, va, (void *)buf, len, VM_EQUAL);
}

int enpu_vm_read(struct enpu_job *job, uint32_t va, void *buf, uint64_t len)
{
	return vm_do(job, va, buf, len, VM_READ) < 0 ? -1 : 0;
}

int enpu_vm_write(struct enpu_job *job, uint32_t va, const void *buf,
		  uint64_t len)
{
	return vm_do(job, va, (void *)buf, len, VM_WRITE) < 0 ? -1 : 0;
}
