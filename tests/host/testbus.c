// SPDX-License-Identifier: MIT
/* Simulated bus, page tables and stream builder for engine tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_hw.h"
#include "edgenpu_stream.h"
#include "testbus.h"

const struct enpu_sku tbus_default_sku = {
	.macs_per_cycle = ENPU_DEFAULT_MACS_PER_CYCLE,
	.clock_mhz = ENPU_DEFAULT_CLOCK_MHZ,
	.dram_bw_mbps = ENPU_DEFAULT_DRAM_BW_MBPS,
	.sram_bw_mbps = ENPU_DEFAULT_SRAM_BW_MBPS,
	.sram_size = ENPU_DEFAULT_SRAM_SIZE,
};

static int tbus_access(struct tbus *b, uint64_t addr, size_t len, uint8_t need)
{
	size_t i;

	if (b->fail_after > 0 && --b->fail_after == 0)
		return -1;
	if (addr > b->size || len > b->size - addr)
		return -1;
	if (!b->perm)
		return 0;
	for (i = 0; i < len; i++)
		if ((b->perm[addr + i] & need) != need)
			break;
	if (i == len)
		return 0;
	if (!b->violation.count++) {
		b->violation.addr = addr + i;
		b->violation.len = len;
		b->violation.write = need == TBUS_WRITE;
	}
	return -1;
}

static int tbus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct tbus *b = opaque;

	if (tbus_access(b, addr, len, TBUS_READ))
		return -1;
	memcpy(buf, b->mem + addr, len);
	b->read_bytes += len;
	if (b->abort_after > 0 && !--b->abort_after)
		enpu_engine_abort(b->abort_engine);
	return 0;
}

static int tbus_equal(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	struct tbus *b = opaque;

	if (tbus_access(b, addr, len, TBUS_READ))
		return -1;
	b->equal_bytes += len;
	return !memcmp(b->mem + addr, buf, len);
}

static int tbus_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	struct tbus *b = opaque;

	if (tbus_access(b, addr, len, TBUS_WRITE))
		return -1;
	memcpy(b->mem + addr, buf, len);
	return 0;
}

const struct enpu_mem_ops tbus_ops = {
	.read = tbus_read,
	.write = tbus_write,
	.equal = tbus_equal,
};

const struct enpu_mem_ops tbus_ops_no_equal = {
	.read = tbus_read,
	.write = tbus_write,
};

int tbus_init(struct tbus *b, uint64_t size)
{
	memset(b, 0, sizeof(*b));
	b->mem = calloc(1, size);
	b->size = size;
	b->next = ENPU_PAGE_SIZE;	/* bus address 0 stays unused */
	return b->mem ? 0 : -1;
}

int tbus_shadow(struct tbus *b)
{
	free(b->perm);
	b->perm = calloc(1, b->size);
	memset(&b->violation, 0, sizeof(b->violation));
	return b->perm ? 0 : -1;
}

void tbus_allow(struct tbus *b, uint64_t addr, uint64_t len, uint8_t perm)
{
	uint64_t i;

	if (!b->perm || addr > b->size || len > b->size - addr) {
		fprintf(stderr, "testbus: 0x%llx+%llu is not bus memory\n",
			(unsigned long long)addr, (unsigned long long)len);
		abort();
	}
	for (i = 0; i < len; i++)
		b->perm[addr + i] |= perm;
}

void tbus_fini(struct tbus *b)
{
	free(b->perm);
	free(b->mem);
	memset(b, 0, sizeof(*b));
}

uint64_t tbus_alloc(struct tbus *b, uint64_t size, uint64_t align)
{
	uint64_t a = (b->next + align - 1) & ~(align - 1);

	if (a + size > b->size) {
		fprintf(stderr, "testbus: out of simulated memory\n");
		abort();
	}
	b->next = a + size;
	memset(b->mem + a, 0, size);
	return a;
}

void tctx_init(struct tctx *c, struct tbus *b, uint32_t asid)
{
	c->b = b;
	c->asid = asid;
	c->l1 = tbus_alloc(b, ENPU_L1_TABLE_SIZE, ENPU_PAGE_SIZE);
}

uint64_t *tctx_pte(struct tctx *c, uint32_t va)
{
	uint64_t *l1 = (uint64_t *)(c->b->mem + c->l1);
	uint64_t *pde = &l1[ENPU_L1_INDEX(va)];

	if (!(*pde & ENPU_PTE_VALID))
		*pde = ENPU_PDE(tbus_alloc(c->b, ENPU_L2_TABLE_SIZE, ENPU_PAGE_SIZE));
	return (uint64_t *)(c->b->mem + (*pde & ENPU_PTE_ADDR_MASK)) + ENPU_L2_INDEX(va);
}

void tctx_map_page(struct tctx *c, uint32_t va, uint64_t pa, uint64_t flags)
{
	*tctx_pte(c, va) = ENPU_PTE(pa, ENPU_PTE_VALID | flags);
}

uint64_t tctx_map_new(struct tctx *c, uint32_t va, uint64_t size, uint64_t flags)
{
	uint64_t first = 0, off;

	for (off = 0; off < size; off += ENPU_PAGE_SIZE) {
		uint64_t pa = tbus_alloc(c->b, ENPU_PAGE_SIZE, ENPU_PAGE_SIZE);

		if (!off)
			first = pa;
		tctx_map_page(c, va + off, pa, flags);
	}
	return first;
}

static uint8_t *tctx_host(struct tctx *c, uint32_t va)
{
	uint64_t pte = *tctx_pte(c, va);

	if (!(pte & ENPU_PTE_VALID)) {
		fprintf(stderr, "testbus: VA 0x%x not mapped\n", va);
		abort();
	}
	return c->b->mem + (pte & ENPU_PTE_ADDR_MASK) + ENPU_PAGE_OFFSET(va);
}

void tctx_write(struct tctx *c, uint32_t va, const void *data, uint64_t len)
{
	const uint8_t *p = data;

	while (len) {
		uint64_t n = ENPU_PAGE_SIZE - ENPU_PAGE_OFFSET(va);

		n = n < len ? n : len;
		memcpy(tctx_host(c, va), p, n);
		va += n;
		p += n;
		len -= n;
	}
}

void tctx_read(struct tctx *c, uint32_t va, void *data, uint64_t len)
{
	uint8_t *p = data;

	while (len) {
		uint64_t n = ENPU_PAGE_SIZE - ENPU_PAGE_OFFSET(va);

		n = n < len ? n : len;
		memcpy(p, tctx_host(c, va), n);
		va += n;
		p += n;
		len -= n;
	}
}

void ts_init(struct tstream *s)
{
	memset(s, 0, sizeof(*s));
}

void ts_free(struct tstream *s)
{
	free(s->w);
	memset(s, 0, sizeof(*s));
}

/* Room for @n more words (a test's stream: out of memory aborts the test). */
static uint32_t *ts_room(struct tstream *s, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2 + 16;
		s->w = realloc(s->w, s->cap * 4);
		if (!s->w)
			abort();
	}
	return s->w + s->n;
}

void ts_raw(struct tstream *s, const uint32_t *w, size_t n)
{
	memcpy(ts_room(s, n), w, n * 4);
	s->n += n;
}

void ts_cmd(struct tstream *s, uint32_t op, const void *cmd, size_t bytes)
{
	s->n += enpu_put_cmd(ts_room(s, bytes / 4), op, cmd, bytes);
}

void ts_sync(struct tstream *s, uint32_t op, uint32_t engine, uint32_t sem)
{
	s->n += enpu_put_sync(ts_room(s, ENPU_PUT_MAX_WORDS), op, engine, sem);
}

void ts_end(struct tstream *s)
{
	s->n += enpu_put_op(ts_room(s, 1), ENPU_OP_END);
}

void trun(struct enpu_engine *e, struct tctx *c, const struct tstream *s,
	  uint32_t seqno, struct enpu_job_completion *done)
{
	struct enpu_job_desc d;
	uint64_t cmd = tbus_alloc(c->b, s->n * 4, 64);

	memcpy(c->b->mem + cmd, s->w, s->n * 4);
	memset(&d, 0, sizeof(d));
	d.seqno = seqno;
	d.asid = c->asid;
	d.cmd_size = s->n * 4;
	d.pt_base = c->l1;
	d.cmd_addr = cmd;
	d.completion_addr = tbus_alloc(c->b, sizeof(*done), 64);
	enpu_engine_run(e, &d, done);
}
