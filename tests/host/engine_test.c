// SPDX-License-Identifier: MIT
/*
 * EdgeNPU execution engine, host tests: MMU walks, faults and TLB, SRAM
 * window, DMA, LUT, ELTWISE, stream validation, semaphores between the
 * engines, the timing model and counters, fault injection and abort.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edgenpu_cmd.h"
#include "edgenpu_hw.h"
#include "enpu_int8.h"
#include "testbus.h"

#define RW (ENPU_PTE_READ | ENPU_PTE_WRITE)

static const struct enpu_sku sku = {
	.macs_per_cycle = 256, .clock_mhz = 1000, .dram_bw_mbps = 8000,
	.sram_bw_mbps = 64000, .sram_size = 512 * 1024,
};

FIXTURE(eng) {
	struct tbus bus;
	struct enpu_engine e;
	struct tctx ctx;
	struct tstream s;
	struct enpu_job_completion done;
};

FIXTURE_SETUP(eng)
{
	ASSERT_EQ(0, tbus_init(&self->bus, 64 << 20));
	ASSERT_EQ(0, enpu_engine_init(&self->e, &sku, &tbus_ops, &self->bus));
	tctx_init(&self->ctx, &self->bus, 1);
	ts_init(&self->s);
}

FIXTURE_TEARDOWN(eng)
{
	ts_free(&self->s);
	enpu_engine_destroy(&self->e);
	tbus_fini(&self->bus);
}

static struct enpu_cmd_dma_copy copy1d(uint32_t src, uint32_t dst, uint32_t n)
{
	struct enpu_cmd_dma_copy c = {
		.src = src, .dst = dst, .row_bytes = n, .rows = 1, .planes = 1,
	};
	return c;
}

static struct enpu_cmd_dma_fill fill1d(uint32_t dst, uint8_t v, uint32_t n)
{
	struct enpu_cmd_dma_fill c = {
		.dst = dst, .value = v, .row_bytes = n, .rows = 1, .planes = 1,
	};
	return c;
}

TEST_F(eng, dma_copy_strided)
{
	struct enpu_cmd_dma_copy c = {
		.src = 0x10000, .dst = 0x20000, .row_bytes = 5, .rows = 3,
		.planes = 2, .src_row_stride = 7, .src_plane_stride = 100,
		.dst_row_stride = 16, .dst_plane_stride = 1000,
	};
	uint8_t src[4096], dst[4096], want[4096];
	unsigned int p, r, i;

	tctx_map_new(&self->ctx, 0x10000, 4096, RW);
	tctx_map_new(&self->ctx, 0x20000, 4096, RW);
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	tctx_write(&self->ctx, 0x10000, src, sizeof(src));
	memset(want, 0, sizeof(want));
	for (p = 0; p < 2; p++)
		for (r = 0; r < 3; r++)
			memcpy(want + p * 1000 + r * 16, src + p * 100 + r * 7, 5);

	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 7, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	EXPECT_EQ(7, self->done.seqno);
	tctx_read(&self->ctx, 0x20000, dst, sizeof(dst));
	EXPECT_EQ(0, memcmp(want, dst, sizeof(dst)));
	EXPECT_EQ(1, self->done.commands);
	EXPECT_EQ(30, self->done.dram_write);
	EXPECT_EQ(30 + self->s.n * 4, self->done.dram_read);
}

TEST_F(eng, sram_fill_and_copy_out)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE + 64, 0x5a, 256);
	struct enpu_cmd_dma_copy c = copy1d(ENPU_SRAM_VA_BASE, 0x30000, 512);
	uint8_t out[512];
	unsigned int i;

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x30000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(i >= 64 && i < 320 ? 0x5a : 0, out[i]) TH_LOG("byte %u", i);
	EXPECT_EQ(256 + 512, self->done.sram_write + self->done.sram_read);
	EXPECT_EQ(512, self->done.dram_write);
}

TEST_F(eng, unmapped_read_faults)
{
	struct enpu_cmd_dma_copy c = copy1d(0x50000, 0x30000, 16);

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_cmd(&self->s, ENPU_OP_NOP, &(uint32_t){0}, 4);
	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(0x50000, self->done.fault_addr);
	EXPECT_EQ(4, self->done.error_offset);
	EXPECT_EQ(ENPU_FAULT_VALID, self->done.error_info);
}

TEST_F(eng, readonly_write_faults)
{
	struct enpu_cmd_dma_fill f = fill1d(0x30010, 1, 8);

	tctx_map_new(&self->ctx, 0x30000, 4096, ENPU_PTE_READ);
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(0x30010, self->done.fault_addr);
	EXPECT_EQ(ENPU_FAULT_VALID | ENPU_FAULT_WRITE | ENPU_FAULT_PERMISSION,
		  self->done.error_info);
}

TEST_F(eng, fault_at_second_page)
{
	struct enpu_cmd_dma_fill f = fill1d(0x30ff0, 1, 64);
	uint8_t b[16];

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(0x31000, self->done.fault_addr);
	tctx_read(&self->ctx, 0x30ff0, b, sizeof(b));
	EXPECT_EQ(1, b[0]);	/* the first page was written before the fault */
}

TEST_F(eng, reserved_pte_bits_fault)
{
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 1, 8);

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	*tctx_pte(&self->ctx, 0x30000) |= 1ull << 5;
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(0x30000, self->done.fault_addr);
}

TEST_F(eng, sram_window_bounds)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE + sku.sram_size - 8, 1, 16);

	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(ENPU_SRAM_VA_BASE + sku.sram_size, self->done.fault_addr);
}

/* The TLB keeps a translation until it is invalidated. */
TEST_F(eng, tlb_needs_invalidation)
{
	struct enpu_cmd_dma_copy c = copy1d(0x40000, 0x30000, 1);
	uint64_t a = tbus_alloc(&self->bus, 4096, 4096);
	uint64_t b = tbus_alloc(&self->bus, 4096, 4096);
	uint8_t v;

	self->bus.mem[a] = 1;
	self->bus.mem[b] = 2;
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	tctx_map_page(&self->ctx, 0x40000, a, ENPU_PTE_READ);
	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&self->s);

	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x30000, &v, 1);
	EXPECT_EQ(1, v);

	tctx_map_page(&self->ctx, 0x40000, b, ENPU_PTE_READ);
	trun(&self->e, &self->ctx, &self->s, 2, &self->done);
	tctx_read(&self->ctx, 0x30000, &v, 1);
	EXPECT_EQ(1, v);	/* stale: not invalidated yet */

	enpu_engine_invalidate_tlb(&self->e);
	trun(&self->e, &self->ctx, &self->s, 3, &self->done);
	tctx_read(&self->ctx, 0x30000, &v, 1);
	EXPECT_EQ(2, v);
}

/*
 * SRAM keeps data between jobs of one address space, and another address
 * space finds it cleared.
 */
TEST_F(eng, sram_isolated_between_address_spaces)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE, 0x5a, 64);
	struct enpu_cmd_dma_copy c = copy1d(ENPU_SRAM_VA_BASE, 0x30000, 64);
	struct tstream fill, peek;
	struct tctx other;
	uint8_t out[64];
	unsigned int i;

	tctx_init(&other, &self->bus, 2);
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	tctx_map_new(&other, 0x30000, 4096, RW);
	ts_init(&fill);
	ts_cmd(&fill, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&fill);
	ts_init(&peek);
	ts_cmd(&peek, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&peek);

	trun(&self->e, &self->ctx, &fill, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	trun(&self->e, &self->ctx, &peek, 2, &self->done);	/* same space */
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x30000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0x5a, out[i]);

	trun(&self->e, &other, &peek, 3, &self->done);		/* another one */
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&other, 0x30000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0, out[i]) TH_LOG("byte %u leaked from address space 1", i);
	ts_free(&fill);
	ts_free(&peek);
}

/*
 * An ASID software retired (ASID_RETIRE) owns SRAM no longer: the next
 * address space given that ASID finds SRAM cleared. Retiring an ASID that
 * does not own SRAM leaves the owner's data alone.
 */
TEST_F(eng, retired_asid_loses_sram)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE, 0x5a, 64);
	struct enpu_cmd_dma_copy c = copy1d(ENPU_SRAM_VA_BASE, 0x30000, 64);
	struct tstream fill, peek;
	struct tctx reuse;
	uint8_t out[64];
	unsigned int i;

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_init(&fill);
	ts_cmd(&fill, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&fill);
	ts_init(&peek);
	ts_cmd(&peek, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&peek);

	trun(&self->e, &self->ctx, &fill, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	enpu_engine_retire_asid(&self->e, 7);		/* not the owner */
	trun(&self->e, &self->ctx, &peek, 2, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x30000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0x5a, out[i]);

	/* the same ASID, a new address space: its own tables */
	enpu_engine_retire_asid(&self->e, self->ctx.asid);
	tctx_init(&reuse, &self->bus, self->ctx.asid);
	tctx_map_new(&reuse, 0x30000, 4096, RW);
	trun(&self->e, &reuse, &peek, 3, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&reuse, 0x30000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0, out[i]) TH_LOG("byte %u of the retired space's SRAM", i);
	ts_free(&fill);
	ts_free(&peek);
}

/* Same VA in two address spaces: the ASID-tagged TLB keeps them apart. */
TEST_F(eng, asid_isolation)
{
	struct enpu_cmd_dma_copy c = copy1d(0x40000, 0x30000, 1);
	struct tctx other;
	uint8_t v;

	tctx_init(&other, &self->bus, 2);
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	tctx_map_new(&other, 0x30000, 4096, RW);
	tctx_map_new(&self->ctx, 0x40000, 4096, RW);
	tctx_map_new(&other, 0x40000, 4096, RW);
	tctx_write(&self->ctx, 0x40000, "\x11", 1);
	tctx_write(&other, 0x40000, "\x22", 1);
	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&self->s);

	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	trun(&self->e, &other, &self->s, 2, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x30000, &v, 1);
	EXPECT_EQ(0x11, v);
	tctx_read(&other, 0x30000, &v, 1);
	EXPECT_EQ(0x22, v);
}

/* Each malformed stream is refused before anything executes. */
TEST_F(eng, invalid_streams)
{
	static const struct {
		const char *what;
		uint32_t bad[8];
		unsigned int words;
		uint32_t err;
	} cases[] = {
		{ "unknown opcode", { ENPU_CMD_HDR(0x7f, 1) }, 1, ENPU_CMD_ERR_OPCODE },
		{ "wrong size", { ENPU_CMD_HDR(ENPU_OP_SIGNAL, 3), 0, 0 }, 3, ENPU_CMD_ERR_SIZE },
		{ "reserved header bits", { ENPU_CMD_HDR(ENPU_OP_NOP, 1) | 0x100 }, 1,
		  ENPU_CMD_ERR_RESERVED },
		{ "bad engine", { ENPU_CMD_HDR(ENPU_OP_SIGNAL, 4), 2, 0, 0 }, 4, ENPU_CMD_ERR_PARAM },
		{ "bad semaphore", { ENPU_CMD_HDR(ENPU_OP_WAIT, 4), 0, ENPU_NUM_SEMS, 0 }, 4,
		  ENPU_CMD_ERR_PARAM },
		{ "sync reserved", { ENPU_CMD_HDR(ENPU_OP_WAIT, 4), 0, 0, 1 }, 4,
		  ENPU_CMD_ERR_RESERVED },
	};
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 0x77, 16);
	unsigned int i;
	uint8_t b;

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tstream s;

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
		ts_raw(&s, cases[i].bad, cases[i].words);
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, i, &self->done);
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].err, self->done.error_info) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(sizeof(f), self->done.error_offset) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, self->done.commands);
		tctx_read(&self->ctx, 0x30000, &b, 1);
		EXPECT_EQ(0, b) TH_LOG("%s: the fill before it ran", cases[i].what);
		ts_free(&s);
	}
}

TEST_F(eng, truncated_and_endless_streams)
{
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 0x77, 16);
	struct tstream s;

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status);
	EXPECT_EQ(ENPU_CMD_ERR_NO_END, self->done.error_info);

	ts_init(&s);
	ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	s.n -= 2;	/* cut the command short */
	trun(&self->e, &self->ctx, &s, 2, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status);
	EXPECT_EQ(ENPU_CMD_ERR_TRUNCATED, self->done.error_info);
	EXPECT_EQ(0, self->done.error_offset);
	ts_free(&s);
}

TEST_F(eng, invalid_descriptors)
{
	struct enpu_job_desc d;
	uint64_t cmd = tbus_alloc(&self->bus, 64, 64);

	*(uint32_t *)(self->bus.mem + cmd) = ENPU_CMD_HDR(ENPU_OP_END, 1);
	memset(&d, 0, sizeof(d));
	d.cmd_size = 4;
	d.cmd_addr = cmd;
	d.pt_base = self->ctx.l1;
	enpu_engine_run(&self->e, &d, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);

	d.flags = 1;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.flags = 0;
	d.cmd_size = 0;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.cmd_size = ENPU_MAX_CMD_SIZE + 4;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.cmd_size = 4;
	d.cmd_addr = cmd + 2;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.cmd_addr = cmd;
	d.pt_base = self->ctx.l1 + 8;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.pt_base = self->ctx.l1;
	d.reserved[2] = 1;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.reserved[2] = 0;
	d.cmd_addr = self->bus.size - 2;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_DESC, self->done.status);
	d.cmd_addr = self->bus.size + 4096;
	enpu_engine_run(&self->e, &d, &self->done);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, self->done.status);
}

TEST_F(eng, injected_faults_fire_once)
{
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 1, 8);

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);

	atomic_store(&self->e.inject_mmu_fault, 1);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(0x30000, self->done.fault_addr);
	trun(&self->e, &self->ctx, &self->s, 2, &self->done);
	EXPECT_EQ(ENPU_JOB_OK, self->done.status);

	atomic_store(&self->e.inject_dma_error, 1);
	trun(&self->e, &self->ctx, &self->s, 3, &self->done);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, self->done.status);
	trun(&self->e, &self->ctx, &self->s, 4, &self->done);
	EXPECT_EQ(ENPU_JOB_OK, self->done.status);

	enpu_engine_invalidate_tlb(&self->e);
	self->bus.fail_after = 3;	/* fetch, level 1, then level 2 fails */
	trun(&self->e, &self->ctx, &self->s, 5, &self->done);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, self->done.status);
}

/* An abort requested before a job's first command: nothing is written. */
TEST_F(eng, abort_before_first_command)
{
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 1, 8);
	uint8_t v;

	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	enpu_engine_abort(&self->e);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	EXPECT_EQ(ENPU_JOB_ABORTED, self->done.status);
	EXPECT_EQ(0, self->done.commands);
	tctx_read(&self->ctx, 0x30000, &v, 1);
	EXPECT_EQ(0, v);
}

/* ---- LUT ---------------------------------------------------------------------- */

#define LUT_COUNT	4099	/* a prime: no multiple of a page, a chunk or a row */

/* A table that is no identity nor any simple function of its index. */
static void lut_table(int8_t *t)
{
	unsigned int i;

	for (i = 0; i < ENPU_LUT_ENTRIES; i++)
		t[i] = (int8_t)(i * 167 + 13 + (i >> 3) * (i & 5));
}

/* Every int8 value, in a scrambled order, then more of them. */
static void lut_source(int8_t *src, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		src[i] = (int8_t)(i * 37 + 5);
}

/* Writes @len bytes at @va: SRAM (owned by @c's address space) or DRAM. */
static void lut_put(struct enpu_engine *e, struct tctx *c, uint32_t va,
		    const void *p, uint32_t len)
{
	if (va >= ENPU_SRAM_VA_BASE) {
		memcpy(e->sram + (va - ENPU_SRAM_VA_BASE), p, len);
		atomic_store(&e->sram_owner, ENPU_SRAM_OWNED | c->asid);
	} else {
		tctx_write(c, va, p, len);
	}
}

static void lut_get(struct enpu_engine *e, struct tctx *c, uint32_t va, void *p,
		    uint32_t len)
{
	if (va >= ENPU_SRAM_VA_BASE)
		memcpy(p, e->sram + (va - ENPU_SRAM_VA_BASE), len);
	else
		tctx_read(c, va, p, len);
}

static struct enpu_cmd_lut lut_cmd(uint32_t src, uint32_t dst, uint32_t table,
				   uint32_t count)
{
	struct enpu_cmd_lut c = {
		.src = src, .dst = dst, .table = table, .count = count,
	};
	return c;
}

/* Bytes of a region of @len at @va, added to the SRAM or the DRAM side. */
static void lut_side(uint32_t va, uint64_t len, uint64_t *dram, uint64_t *sram)
{
	*(va >= ENPU_SRAM_VA_BASE ? sram : dram) += len;
}

/*
 * dst[i] = table[src[i] + 128] over all 256 values, bit for bit, with
 * operands in DRAM and in SRAM, the destination apart from the source,
 * the same bytes (in place) or overlapping them shifted; the job's
 * counters and cycles those of a compute command of work count.
 */
TEST_F(eng, lut_bit_exact)
{
	enum { D = 0x100000, D2 = 0x200000, DT = 0x300000 };
	const uint32_t S = ENPU_SRAM_VA_BASE;
	static const struct {
		const char *what;
		uint32_t src, dst, table;
	} cases[] = {
		{ "DRAM to DRAM", D, D2, DT },
		{ "DRAM in place", D, D, DT },
		{ "DRAM, destination 3 bytes past the source", D, D + 3, DT },
		{ "DRAM, destination 5 bytes before the source", D + 5, D, DT },
		{ "SRAM in place, table in SRAM", S + 4096, S + 4096, S },
		{ "SRAM to SRAM, table in DRAM", S + 512, S + 65536 + 1, DT },
		{ "DRAM to SRAM", D + 1, S + 3, S + 0x20000 },
		{ "SRAM to DRAM", S + 7, D2 + 9, DT },
	};
	static int8_t src[LUT_COUNT], got[LUT_COUNT], want[LUT_COUNT], zero[LUT_COUNT + 8];
	int8_t table[ENPU_LUT_ENTRIES];
	unsigned int i, k, seen[256] = { 0 }, distinct = 0;

	lut_table(table);
	lut_source(src, LUT_COUNT);
	for (i = 0; i < LUT_COUNT; i++) {
		want[i] = table[src[i] + 128];
		distinct += !seen[(uint8_t)src[i]]++;
	}
	ASSERT_EQ(256, distinct);
	for (i = 0; i < ENPU_LUT_ENTRIES && table[i] == (int8_t)(i - 128); i++)
		;
	ASSERT_GT(ENPU_LUT_ENTRIES, i) TH_LOG("the table is the identity");
	tctx_map_new(&self->ctx, D, 2 * 4096 + 4096, RW);
	tctx_map_new(&self->ctx, D2, 2 * 4096 + 4096, RW);
	tctx_map_new(&self->ctx, DT, 4096, RW);

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct enpu_cmd_lut c = lut_cmd(cases[k].src, cases[k].dst, cases[k].table,
						LUT_COUNT);
		uint64_t dram = 0, sram = 0;
		struct tstream s;

		/* fresh operands: SRAM and DRAM zeroed around them */
		memset(self->e.sram, 0, sku.sram_size);
		lut_put(&self->e, &self->ctx, D, zero, sizeof(zero));
		lut_put(&self->e, &self->ctx, D2, zero, sizeof(zero));
		lut_put(&self->e, &self->ctx, cases[k].table, table, sizeof(table));
		lut_put(&self->e, &self->ctx, cases[k].src, src, sizeof(src));

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_LUT, &c, sizeof(c));
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, k + 1, &self->done);
		ASSERT_EQ(ENPU_JOB_OK, self->done.status)
			TH_LOG("%s: error %u at %u", cases[k].what, self->done.error_info,
			       self->done.error_offset);
		lut_get(&self->e, &self->ctx, cases[k].dst, got, sizeof(got));
		for (i = 0; i < LUT_COUNT && got[i] == want[i]; i++)
			;
		ASSERT_EQ(LUT_COUNT, i) TH_LOG("%s: element %u differs", cases[k].what, i);

		/* counters and the compute formula: work = count */
		lut_side(cases[k].src, LUT_COUNT, &dram, &sram);
		lut_side(cases[k].table, ENPU_LUT_ENTRIES, &dram, &sram);
		EXPECT_EQ(dram + s.n * 4, self->done.dram_read) TH_LOG("%s", cases[k].what);
		EXPECT_EQ(sram, self->done.sram_read) TH_LOG("%s", cases[k].what);
		lut_side(cases[k].dst, LUT_COUNT, &dram, &sram);
		EXPECT_EQ(cases[k].dst >= S ? 0 : LUT_COUNT, self->done.dram_write);
		EXPECT_EQ(cases[k].dst >= S ? LUT_COUNT : 0, self->done.sram_write);
		EXPECT_EQ(1, self->done.commands);
		EXPECT_EQ(0, self->done.macs);
		EXPECT_EQ(enpu_t_fetch(&sku, s.n * 4) + enpu_t_compute(&sku, LUT_COUNT, dram, sram),
			  self->done.cycles) TH_LOG("%s", cases[k].what);
		ts_free(&s);
	}
}

/*
 * With one MAC per cycle the work term sets a LUT's time: one cycle per
 * element after the compute setup.
 */
TEST_F(eng, lut_work_is_count)
{
	struct enpu_sku slow = sku;
	const uint32_t S = ENPU_SRAM_VA_BASE;
	struct enpu_cmd_lut c = lut_cmd(S, S + 65536, S + 131072, LUT_COUNT);
	uint64_t sram_t;

	slow.macs_per_cycle = 1;
	enpu_engine_destroy(&self->e);
	ASSERT_EQ(0, enpu_engine_init(&self->e, &slow, &tbus_ops, &self->bus));
	ts_cmd(&self->s, ENPU_OP_LUT, &c, sizeof(c));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	sram_t = enpu_t_bytes(2 * LUT_COUNT + ENPU_LUT_ENTRIES, slow.sram_bw_mbps,
			      slow.clock_mhz);
	ASSERT_LT(sram_t, LUT_COUNT);
	EXPECT_EQ(enpu_t_fetch(&slow, self->s.n * 4) + ENPU_T_COMPUTE_SETUP + LUT_COUNT,
		  self->done.cycles);
}

/* A LUT's operands fault like any other's: the table's page unmapped. */
TEST_F(eng, lut_table_fault)
{
	struct enpu_cmd_lut c = lut_cmd(0x10000, 0x10000, 0x20ff8, 100);
	uint8_t v[100];
	unsigned int i;

	tctx_map_new(&self->ctx, 0x10000, 4096, RW);
	tctx_map_new(&self->ctx, 0x20000, 4096, RW);
	for (i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)i;
	tctx_write(&self->ctx, 0x10000, v, sizeof(v));
	ts_cmd(&self->s, ENPU_OP_LUT, &c, sizeof(c));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, self->done.status);
	EXPECT_EQ(0x21000, self->done.fault_addr);
	tctx_read(&self->ctx, 0x10000, v, sizeof(v));
	for (i = 0; i < sizeof(v); i++)
		ASSERT_EQ(i, v[i]) TH_LOG("byte %u written by a LUT that faulted", i);
}

/* A LUT the decoder refuses: nothing of the stream runs. */
TEST_F(eng, lut_invalid)
{
	static const struct {
		const char *what;
		struct enpu_cmd_lut c;
		uint32_t err;
	} cases[] = {
		{ "reserved[0]", { .src = 0x10000, .dst = 0x10000, .table = 0x10000,
				   .count = 16, .reserved = { 1, 0, 0 } }, ENPU_CMD_ERR_RESERVED },
		{ "reserved[1]", { .src = 0x10000, .dst = 0x10000, .table = 0x10000,
				   .count = 16, .reserved = { 0, 0x80000000u, 0 } },
		  ENPU_CMD_ERR_RESERVED },
		{ "reserved[2]", { .src = 0x10000, .dst = 0x10000, .table = 0x10000,
				   .count = 16, .reserved = { 0, 0, 2 } }, ENPU_CMD_ERR_RESERVED },
		{ "count 0", { .src = 0x10000, .dst = 0x10000, .table = 0x10000, .count = 0 },
		  ENPU_CMD_ERR_PARAM },
		{ "count over 16 MiB", { .src = 0x10000, .dst = 0x10000, .table = 0x10000,
					 .count = ENPU_MAX_OPERAND + 1 }, ENPU_CMD_ERR_TOO_BIG },
		{ "table past 2^32", { .src = 0x10000, .dst = 0x10000, .table = 0xffffff01u,
				       .count = 16 }, ENPU_CMD_ERR_EXTENT },
	};
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 0x77, 16);
	unsigned int i;
	uint8_t b;

	tctx_map_new(&self->ctx, 0x10000, 4096, RW);
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct enpu_cmd_lut c = cases[i].c;
		struct tstream s;

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
		ts_cmd(&s, ENPU_OP_LUT, &c, sizeof(c));
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, i + 1, &self->done);
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].err, self->done.error_info) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(sizeof(f), self->done.error_offset) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, self->done.commands) TH_LOG("%s", cases[i].what);
		tctx_read(&self->ctx, 0x30000, &b, 1);
		EXPECT_EQ(0, b) TH_LOG("%s: the fill before it ran", cases[i].what);
		ts_free(&s);
	}
}

/*
 * An engine for a device without ENPU_CAP_LUT (an older one) knows no
 * LUT: the opcode is refused as an unknown one, at the LUT's offset and
 * before its size or fields are looked at (a reserved header bit is still
 * the header's error). Other commands run as before, and LUT again once
 * the capability is back.
 */
TEST_F(eng, lut_refused_without_the_capability)
{
	static const struct {
		const char *what;
		uint32_t w[8];
		unsigned int words;
		uint32_t err;
	} cases[] = {
		{ "a valid LUT", { ENPU_CMD_HDR(ENPU_OP_LUT, 8), 0x10000, 0x10000, 0x10100, 16 },
		  8, ENPU_CMD_ERR_OPCODE },
		{ "a LUT of the wrong size", { ENPU_CMD_HDR(ENPU_OP_LUT, 1) }, 1,
		  ENPU_CMD_ERR_OPCODE },
		{ "a LUT with a reserved word", { ENPU_CMD_HDR(ENPU_OP_LUT, 8), 0x10000, 0x10000,
						  0x10100, 16, 0, 0, 1 }, 8, ENPU_CMD_ERR_OPCODE },
		{ "a LUT of count 0", { ENPU_CMD_HDR(ENPU_OP_LUT, 8), 0x10000, 0x10000,
					0x10100 }, 8, ENPU_CMD_ERR_OPCODE },
		{ "a LUT cut short by the stream's end", { ENPU_CMD_HDR(ENPU_OP_LUT, 8) }, 1,
		  ENPU_CMD_ERR_OPCODE },
		{ "a LUT with a reserved header bit", { ENPU_CMD_HDR(ENPU_OP_LUT, 8) | 0x100,
							0x10000, 0x10000, 0x10100, 16 }, 8,
		  ENPU_CMD_ERR_RESERVED },
	};
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 0x77, 16);
	struct enpu_cmd_lut c = lut_cmd(0x10000, 0x10000, 0x10100, 16);
	int8_t table[ENPU_LUT_ENTRIES], v[16];
	unsigned int i;
	uint8_t b;

	tctx_map_new(&self->ctx, 0x10000, 4096, RW);
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	lut_table(table);
	tctx_write(&self->ctx, 0x10100, table, sizeof(table));
	self->e.caps &= ~ENPU_CAP_LUT;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tstream s;

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
		ts_raw(&s, cases[i].w, cases[i].words);
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, i + 1, &self->done);
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].err, self->done.error_info) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(sizeof(f), self->done.error_offset) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, self->done.commands) TH_LOG("%s", cases[i].what);
		tctx_read(&self->ctx, 0x30000, &b, 1);
		EXPECT_EQ(0, b) TH_LOG("%s: the fill before it ran", cases[i].what);
		ts_free(&s);
	}

	/* the rest of the ISA runs */
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 10, &self->done);
	EXPECT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x30000, &b, 1);
	EXPECT_EQ(0x77, b);

	/* and with the capability, the LUT */
	self->e.caps |= ENPU_CAP_LUT;
	ts_free(&self->s);
	ts_init(&self->s);
	ts_cmd(&self->s, ENPU_OP_LUT, &c, sizeof(c));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 11, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x10000, v, sizeof(v));
	for (i = 0; i < sizeof(v); i++)
		EXPECT_EQ(table[128], v[i]) TH_LOG("element %u", i);	/* zeros in */
}

/* ---- LUT fused into a compute command (contract 0.6) ---------------------------- */

/*
 * An FC with a fused table gives, bit for bit, the FC followed by a LUT
 * over its output, as one command: the intermediate is never written
 * (DRAM writes are the output's only), the table is read once, and the
 * cycles are a compute command's of work MACs + outputs. The same for
 * CONV2D. Without ENPU_CAP_FUSED_LUT the flag is a reserved bit; a table
 * address without the flag is refused too.
 */
#define FUSE_IN		96
#define FUSE_OUT	64

TEST_F(eng, fused_lut_equals_the_two_commands)
{
	enum { IN = 0x10000, W = 0x20000, Q = 0x30000, T = 0x31000, MID = 0x40000,
	       TWO = 0x50000, ONE = 0x60000 };
	struct enpu_cmd_fc fc = {
		.flags = ENPU_FC_FLAG_PER_CHANNEL,
		.input = IN, .filter = W, .quant = Q, .output = MID, .batches = 1,
		.in_depth = FUSE_IN, .out_depth = FUSE_OUT, .input_zero_point = 3,
		.output_zero_point = -5, .act_min = -128, .act_max = 127,
	};
	struct enpu_cmd_lut lut = lut_cmd(MID, TWO, T, FUSE_OUT);
	struct enpu_cmd_conv2d cv = {
		.flags = ENPU_CONV_FLAG_LUT, .input = IN, .filter = W, .quant = Q, .lut = T,
		.output = ONE, .batches = 1, .in_h = 1, .in_w = 1, .in_c = FUSE_IN,
		.out_h = 1, .out_w = 1, .out_c = FUSE_OUT, .kernel_h = 1, .kernel_w = 1,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.input_zero_point = 3, .output_zero_point = -5, .act_min = -128,
		.act_max = 127,
	};
	static int8_t in[FUSE_IN], w[FUSE_OUT * FUSE_IN];
	int8_t table[ENPU_LUT_ENTRIES], two[FUSE_OUT], one[FUSE_OUT];
	int32_t quant[2 * FUSE_OUT];
	uint32_t seed = 5;
	struct tstream s;
	unsigned int i, distinct = 0, seen[256] = { 0 };
	uint64_t dram_read;

	for (i = 0; i < FUSE_IN; i++)
		in[i] = (int8_t)((seed = seed * 1664525u + 1013904223u) >> 24);
	for (i = 0; i < sizeof(w); i++)
		w[i] = (int8_t)((seed = seed * 1664525u + 1013904223u) >> 24);
	for (i = 0; i < FUSE_OUT; i++) {
		quant[i] = 1518500250;		/* 0.707 */
		quant[FUSE_OUT + i] = -9;	/* per channel, as CONV2D takes them */
	}
	lut_table(table);
	tctx_map_new(&self->ctx, IN, 4096, RW);
	tctx_map_new(&self->ctx, W, 2 * 4096, RW);
	tctx_map_new(&self->ctx, Q, 2 * 4096, RW);
	tctx_map_new(&self->ctx, MID, 4096, RW);
	tctx_map_new(&self->ctx, TWO, 4096, RW);
	tctx_map_new(&self->ctx, ONE, 4096, RW);
	tctx_write(&self->ctx, IN, in, sizeof(in));
	tctx_write(&self->ctx, W, w, sizeof(w));
	tctx_write(&self->ctx, Q, quant, sizeof(quant));
	tctx_write(&self->ctx, T, table, sizeof(table));

	/* FC then LUT: the reference */
	ts_init(&s);
	ts_cmd(&s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	ts_cmd(&s, ENPU_OP_LUT, &lut, sizeof(lut));
	ts_end(&s);
	trun(&self->e, &self->ctx, &s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	ASSERT_EQ(2, self->done.commands);
	ts_free(&s);
	tctx_read(&self->ctx, TWO, two, sizeof(two));
	for (i = 0; i < FUSE_OUT; i++)
		distinct += !seen[(uint8_t)two[i]]++;
	ASSERT_LE(16, distinct) TH_LOG("a test that could pass by luck");

	/* FC with the table fused */
	fc.flags = ENPU_FC_FLAG_PER_CHANNEL | ENPU_FC_FLAG_LUT;
	fc.lut = T;
	fc.output = ONE;
	ts_init(&s);
	ts_cmd(&s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	ts_end(&s);
	trun(&self->e, &self->ctx, &s, 2, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, ONE, one, sizeof(one));
	EXPECT_EQ(0, memcmp(one, two, sizeof(one)));
	EXPECT_EQ(1, self->done.commands);
	EXPECT_EQ(FUSE_OUT, self->done.dram_write);
	dram_read = s.n * 4 + FUSE_IN + sizeof(w) + sizeof(quant) + ENPU_LUT_ENTRIES;
	EXPECT_EQ(dram_read, self->done.dram_read);
	EXPECT_EQ(enpu_t_fetch(&sku, s.n * 4) +
		  enpu_t_compute(&sku, FUSE_IN * FUSE_OUT + FUSE_OUT,
				 dram_read - s.n * 4 + FUSE_OUT, 0), self->done.cycles);
	ts_free(&s);

	/* CONV2D 1x1 over one pixel is the same FC, per channel */
	memset(one, 0, sizeof(one));
	tctx_write(&self->ctx, ONE, one, sizeof(one));
	ts_init(&s);
	ts_cmd(&s, ENPU_OP_CONV2D, &cv, sizeof(cv));
	ts_end(&s);
	trun(&self->e, &self->ctx, &s, 3, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, ONE, one, sizeof(one));
	EXPECT_EQ(0, memcmp(one, two, sizeof(one)));
	ts_free(&s);

	/* a device of before 0.6: the flag is a reserved bit */
	self->e.caps &= ~ENPU_CAP_FUSED_LUT;
	ts_init(&s);
	ts_cmd(&s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	ts_end(&s);
	trun(&self->e, &self->ctx, &s, 4, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status);
	EXPECT_EQ(ENPU_CMD_ERR_RESERVED, self->done.error_info);
	ts_free(&s);
	self->e.caps |= ENPU_CAP_FUSED_LUT;

	/* a table address without the flag */
	fc.flags = ENPU_FC_FLAG_PER_CHANNEL;
	ts_init(&s);
	ts_cmd(&s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	ts_end(&s);
	trun(&self->e, &self->ctx, &s, 5, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status);
	EXPECT_EQ(ENPU_CMD_ERR_RESERVED, self->done.error_info);
	ts_free(&s);
}

/* ---- ELTWISE ------------------------------------------------------------------ */

/* Deterministic int8 noise from @seed. */
static void rng_fill_i8(int8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (int8_t)(seed >> 24);
	}
}

/* The four operations, named for the messages. */
static const struct {
	uint32_t op;
	const char *name;
} elt_ops[] = {
	{ ENPU_ELTWISE_SUB, "SUB" }, { ENPU_ELTWISE_MUL, "MUL" },
	{ ENPU_ELTWISE_MAX, "MAX" }, { ENPU_ELTWISE_MIN, "MIN" },
};

/*
 * An ELTWISE of @op with fields as a compiler sets them: TFLite's Prepare
 * for scales that differ between the inputs (so that swapping any pair
 * of fields changes the result), zero points of both signs and an
 * activation range that clamps; every field the operation does not use
 * zero.
 */
static struct enpu_cmd_eltwise elt_cmd(uint32_t op, uint32_t in1, uint32_t in2,
				       uint32_t out, const uint32_t *s1,
				       const uint32_t *s2, const uint32_t *so)
{
	struct enpu_cmd_eltwise c = {
		.op = op, .input1 = in1, .input2 = in2, .output = out,
	};
	struct enpu_sub_params sp = { 0 };
	struct enpu_mul_params mp = { 0 };

	memcpy(c.in1_shape, s1, sizeof(c.in1_shape));
	memcpy(c.in2_shape, s2, sizeof(c.in2_shape));
	memcpy(c.out_shape, so, sizeof(c.out_shape));
	switch (op) {
	case ENPU_ELTWISE_SUB:
		if (enpu_sub_derive(0.05f, 0.02f, 0.03f, &sp))
			abort();
		c.input1_zero_point = 3;
		c.input2_zero_point = -7;
		c.output_zero_point = 5;
		c.left_shift = sp.left_shift;
		c.input1_multiplier = sp.input1_multiplier;
		c.input1_shift = sp.input1_shift;
		c.input2_multiplier = sp.input2_multiplier;
		c.input2_shift = sp.input2_shift;
		c.output_multiplier = sp.output_multiplier;
		c.output_shift = sp.output_shift;
		c.act_min = -100;
		c.act_max = 120;
		break;
	case ENPU_ELTWISE_MUL:
		if (enpu_mul_derive(0.05f, 0.02f, 0.004f, &mp))
			abort();
		c.input1_zero_point = -9;
		c.input2_zero_point = 4;
		c.output_zero_point = -2;
		c.output_multiplier = mp.output_multiplier;
		c.output_shift = mp.output_shift;
		c.act_min = -110;
		c.act_max = 100;
		break;
	}
	return c;
}

static void elt_shape(struct enpu_shape *s, const uint32_t *d)
{
	int i;

	s->rank = 4;
	for (i = 0; i < 4; i++)
		s->dims[i] = (int32_t)d[i];
}

static uint32_t elt_count(const uint32_t *d)
{
	return d[0] * d[1] * d[2] * d[3];
}

/* What the hw/int8 kernel of @c's operation computes; 0 or its error. */
static int elt_ref(const struct enpu_cmd_eltwise *c, const int8_t *a, const int8_t *b,
		   int8_t *out)
{
	struct enpu_shape s1, s2, so;
	size_t n1 = elt_count(c->in1_shape), n2 = elt_count(c->in2_shape);
	size_t no = elt_count(c->out_shape);

	elt_shape(&s1, c->in1_shape);
	elt_shape(&s2, c->in2_shape);
	elt_shape(&so, c->out_shape);
	switch (c->op) {
	case ENPU_ELTWISE_SUB: {
		struct enpu_sub_params p = {
			.input1 = s1, .input2 = s2, .output = so,
			.input1_zero_point = c->input1_zero_point,
			.input2_zero_point = c->input2_zero_point,
			.output_zero_point = c->output_zero_point,
			.left_shift = c->left_shift,
			.input1_multiplier = c->input1_multiplier,
			.input1_shift = c->input1_shift,
			.input2_multiplier = c->input2_multiplier,
			.input2_shift = c->input2_shift,
			.output_multiplier = c->output_multiplier,
			.output_shift = c->output_shift,
			.act_min = c->act_min, .act_max = c->act_max,
		};
		return enpu_sub(&p, a, n1, b, n2, out, no);
	}
	case ENPU_ELTWISE_MUL: {
		struct enpu_mul_params p = {
			.input1 = s1, .input2 = s2, .output = so,
			.input1_zero_point = c->input1_zero_point,
			.input2_zero_point = c->input2_zero_point,
			.output_zero_point = c->output_zero_point,
			.output_multiplier = c->output_multiplier,
			.output_shift = c->output_shift,
			.act_min = c->act_min, .act_max = c->act_max,
		};
		return enpu_mul_i8(&p, a, n1, b, n2, out, no);
	}
	default: {
		struct enpu_minmax_params p = { .input1 = s1, .input2 = s2, .output = so };

		return c->op == ENPU_ELTWISE_MAX ? enpu_maximum(&p, a, n1, b, n2, out, no) :
						   enpu_minimum(&p, a, n1, b, n2, out, no);
	}
	}
}

/*
 * Each operation bit for bit the hw/int8 kernel's, on 4-D shapes that
 * broadcast either input or both along different dimensions, with
 * operands in DRAM, in SRAM and split between them, the output apart or
 * over input1 (in place); the job's counters and cycles those of a
 * compute command of work = output elements.
 */
TEST_F(eng, eltwise_bit_exact)
{
	enum { D1 = 0x100000, D2 = 0x200000, DO = 0x300000, MAXN = 2 * 3 * 37 * 29 };
	const uint32_t S = ENPU_SRAM_VA_BASE;
	static const struct {
		const char *what;
		uint32_t s1[4], s2[4], so[4];
	} shapes[] = {
		{ "same shapes", { 2, 3, 37, 29 }, { 2, 3, 37, 29 }, { 2, 3, 37, 29 } },
		{ "input2 broadcast on N, W", { 2, 3, 37, 29 }, { 1, 3, 1, 29 },
		  { 2, 3, 37, 29 } },
		{ "input1 broadcast on H, C", { 2, 1, 37, 1 }, { 2, 3, 37, 29 },
		  { 2, 3, 37, 29 } },
		{ "both broadcast", { 1, 3, 1, 29 }, { 2, 1, 37, 1 }, { 2, 3, 37, 29 } },
		{ "input2 a scalar", { 2, 3, 37, 29 }, { 1, 1, 1, 1 }, { 2, 3, 37, 29 } },
	};
	static const struct {
		const char *what;
		uint32_t in1, in2, out;
	} places[] = {
		{ "DRAM", D1, D2, DO },
		{ "SRAM", S, S + 0x10000, S + 0x20000 + 3 },
		{ "DRAM and SRAM", D1 + 5, S + 0x10001, DO },
		{ "in place over input1", D1, D2 + 1, D1 },
	};
	static int8_t a[MAXN], b[MAXN], got[MAXN], want[MAXN], zero[MAXN];
	unsigned int o, k, l, i, run = 0;

	rng_fill_i8(a, MAXN, 1);
	rng_fill_i8(b, MAXN, 2);
	tctx_map_new(&self->ctx, D1, MAXN + 4096, RW);
	tctx_map_new(&self->ctx, D2, MAXN + 4096, RW);
	tctx_map_new(&self->ctx, DO, MAXN + 4096, RW);
	for (o = 0; o < sizeof(elt_ops) / sizeof(elt_ops[0]); o++) {
		for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
			for (l = 0; l < sizeof(places) / sizeof(places[0]); l++) {
				struct enpu_cmd_eltwise c = elt_cmd(elt_ops[o].op, places[l].in1,
								    places[l].in2, places[l].out,
								    shapes[k].s1, shapes[k].s2,
								    shapes[k].so);
				uint32_t n1 = elt_count(c.in1_shape), n2 = elt_count(c.in2_shape);
				uint32_t no = elt_count(c.out_shape);
				uint64_t dram = 0, sram = 0;
				unsigned int clamped = 0;
				struct tstream s;

				if (places[l].out == places[l].in1 && n1 != no)
					continue;	/* in place needs input1's size */
				ASSERT_EQ(0, elt_ref(&c, a, b, want));
				for (i = 0; i < no; i++)
					clamped += want[i] == c.act_min || want[i] == c.act_max;
				if (k == 0 && c.act_min != c.act_max)
					ASSERT_LT(0, clamped) TH_LOG("%s: nothing clamps",
								     elt_ops[o].name);

				memset(self->e.sram, 0, sku.sram_size);
				lut_put(&self->e, &self->ctx, D1, zero, sizeof(zero));
				lut_put(&self->e, &self->ctx, D2, zero, sizeof(zero));
				lut_put(&self->e, &self->ctx, DO, zero, sizeof(zero));
				lut_put(&self->e, &self->ctx, places[l].in1, a, n1);
				lut_put(&self->e, &self->ctx, places[l].in2, b, n2);

				ts_init(&s);
				ts_cmd(&s, ENPU_OP_ELTWISE, &c, sizeof(c));
				ts_end(&s);
				trun(&self->e, &self->ctx, &s, ++run, &self->done);
				ASSERT_EQ(ENPU_JOB_OK, self->done.status)
					TH_LOG("%s, %s, %s: error %u", elt_ops[o].name,
					       shapes[k].what, places[l].what,
					       self->done.error_info);
				lut_get(&self->e, &self->ctx, places[l].out, got, no);
				for (i = 0; i < no && got[i] == want[i]; i++)
					;
				ASSERT_EQ(no, i) TH_LOG("%s, %s, %s: element %u differs",
							elt_ops[o].name, shapes[k].what,
							places[l].what, i);

				lut_side(places[l].in1, n1, &dram, &sram);
				lut_side(places[l].in2, n2, &dram, &sram);
				EXPECT_EQ(dram + s.n * 4, self->done.dram_read);
				EXPECT_EQ(sram, self->done.sram_read);
				lut_side(places[l].out, no, &dram, &sram);
				EXPECT_EQ(places[l].out >= S ? 0 : no, self->done.dram_write);
				EXPECT_EQ(places[l].out >= S ? no : 0, self->done.sram_write);
				EXPECT_EQ(1, self->done.commands);
				EXPECT_EQ(0, self->done.macs);
				EXPECT_EQ(enpu_t_fetch(&sku, s.n * 4) +
					  enpu_t_compute(&sku, no, dram, sram),
					  self->done.cycles)
					TH_LOG("%s, %s, %s", elt_ops[o].name, shapes[k].what,
					       places[l].what);
				ts_free(&s);
			}
		}
	}
}

/*
 * The four operations differ where they should: on the same operands,
 * no two give the same output, and MAX and MIN are the larger and the
 * smaller raw value element by element.
 */
TEST_F(eng, eltwise_ops_differ)
{
	enum { D1 = 0x100000, D2 = 0x200000, DO = 0x300000, N = 1000 };
	static const uint32_t sh[4] = { 1, 1, 10, 100 };
	int8_t a[N], b[N], out[4][N];
	unsigned int o, i;

	rng_fill_i8(a, N, 3);
	rng_fill_i8(b, N, 4);
	tctx_map_new(&self->ctx, D1, 4096, RW);
	tctx_map_new(&self->ctx, D2, 4096, RW);
	tctx_map_new(&self->ctx, DO, 4096, RW);
	tctx_write(&self->ctx, D1, a, N);
	tctx_write(&self->ctx, D2, b, N);
	for (o = 0; o < 4; o++) {
		struct enpu_cmd_eltwise c = elt_cmd(elt_ops[o].op, D1, D2, DO, sh, sh, sh);
		struct tstream s;

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_ELTWISE, &c, sizeof(c));
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, o + 1, &self->done);
		ASSERT_EQ(ENPU_JOB_OK, self->done.status) TH_LOG("%s", elt_ops[o].name);
		tctx_read(&self->ctx, DO, out[o], N);
		ts_free(&s);
	}
	for (o = 0; o < 4; o++)
		for (i = 0; i < o; i++)
			EXPECT_NE(0, memcmp(out[o], out[i], N))
				TH_LOG("operations %u and %u", elt_ops[o].op, elt_ops[i].op);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(a[i] > b[i] ? a[i] : b[i], out[2][i]) TH_LOG("MAX %u", i);
		ASSERT_EQ(a[i] < b[i] ? a[i] : b[i], out[3][i]) TH_LOG("MIN %u", i);
	}
}

/* An ELTWISE the decoder refuses: nothing of the stream runs. */
TEST_F(eng, eltwise_invalid)
{
	static const uint32_t sh[4] = { 1, 2, 3, 4 }, one[4] = { 1, 1, 1, 1 };
	static const uint32_t bad[4] = { 1, 2, 2, 4 }, zero_dim[4] = { 1, 0, 3, 4 };
	enum { V = 0x10000 };
	struct {
		const char *what;
		struct enpu_cmd_eltwise c;
		uint32_t err;
	} cases[32];
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 0x77, 16);
	int8_t x[24], want[24], got[24];
	unsigned int n = 0, i;
	uint8_t b;

#define ELT_CASE(w, op, field, v, e) do {					\
		cases[n].what = (w);						\
		cases[n].c = elt_cmd((op), V, V, V, sh, one, sh);		\
		cases[n].c.field = (v);						\
		cases[n++].err = (e);						\
	} while (0)
	ELT_CASE("op 0", ENPU_ELTWISE_SUB, op, 0, ENPU_CMD_ERR_PARAM);
	ELT_CASE("op 5", ENPU_ELTWISE_SUB, op, 5, ENPU_CMD_ERR_PARAM);
	ELT_CASE("op ~0", ENPU_ELTWISE_MAX, op, 0xffffffffu, ENPU_CMD_ERR_PARAM);
	ELT_CASE("reserved[0]", ENPU_ELTWISE_SUB, reserved[0], 1, ENPU_CMD_ERR_RESERVED);
	ELT_CASE("reserved[1]", ENPU_ELTWISE_MUL, reserved[1], 0x80000000u,
		 ENPU_CMD_ERR_RESERVED);
	ELT_CASE("reserved[2]", ENPU_ELTWISE_MIN, reserved[2], 2, ENPU_CMD_ERR_RESERVED);
	ELT_CASE("SUB left_shift 32", ENPU_ELTWISE_SUB, left_shift, 32, ENPU_CMD_ERR_PARAM);
	ELT_CASE("SUB left_shift -1", ENPU_ELTWISE_SUB, left_shift, -1, ENPU_CMD_ERR_PARAM);
	ELT_CASE("SUB input2 shift 32", ENPU_ELTWISE_SUB, input2_shift, 32, ENPU_CMD_ERR_PARAM);
	ELT_CASE("SUB negative multiplier", ENPU_ELTWISE_SUB, output_multiplier, -1,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("SUB zero point 128", ENPU_ELTWISE_SUB, input1_zero_point, 128,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("SUB act_min above act_max", ENPU_ELTWISE_SUB, act_min, 121,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("MUL left_shift", ENPU_ELTWISE_MUL, left_shift, 20, ENPU_CMD_ERR_PARAM);
	ELT_CASE("MUL input1_multiplier", ENPU_ELTWISE_MUL, input1_multiplier, 1 << 30,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("MUL input2_shift", ENPU_ELTWISE_MUL, input2_shift, -1, ENPU_CMD_ERR_PARAM);
	ELT_CASE("MUL output zero point -129", ENPU_ELTWISE_MUL, output_zero_point, -129,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("MUL output shift -32", ENPU_ELTWISE_MUL, output_shift, -32,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("MAX zero point", ENPU_ELTWISE_MAX, input2_zero_point, 1, ENPU_CMD_ERR_PARAM);
	ELT_CASE("MAX output_multiplier", ENPU_ELTWISE_MAX, output_multiplier, 1 << 30,
		 ENPU_CMD_ERR_PARAM);
	ELT_CASE("MIN act_max", ENPU_ELTWISE_MIN, act_max, 127, ENPU_CMD_ERR_PARAM);
	ELT_CASE("MIN act_min", ENPU_ELTWISE_MIN, act_min, -128, ENPU_CMD_ERR_PARAM);
	ELT_CASE("MIN left_shift", ENPU_ELTWISE_MIN, left_shift, 20, ENPU_CMD_ERR_PARAM);
#undef ELT_CASE
	cases[n].what = "input2 dimension neither 1 nor the output's";
	cases[n].c = elt_cmd(ENPU_ELTWISE_SUB, V, V, V, sh, bad, sh);
	cases[n++].err = ENPU_CMD_ERR_PARAM;
	cases[n].what = "both inputs broadcast where the output is not 1";
	cases[n].c = elt_cmd(ENPU_ELTWISE_MAX, V, V, V, one, one, sh);
	cases[n++].err = ENPU_CMD_ERR_PARAM;
	cases[n].what = "a dimension 0";
	cases[n].c = elt_cmd(ENPU_ELTWISE_MUL, V, V, V, zero_dim, one, zero_dim);
	cases[n++].err = ENPU_CMD_ERR_PARAM;
	cases[n].what = "output past 2^32";
	cases[n].c = elt_cmd(ENPU_ELTWISE_MIN, V, V, 0xfffffff0u, sh, one, sh);
	cases[n++].err = ENPU_CMD_ERR_EXTENT;

	tctx_map_new(&self->ctx, V, 4096, RW);
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	for (i = 0; i < n; i++) {
		struct tstream s;

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
		ts_cmd(&s, ENPU_OP_ELTWISE, &cases[i].c, sizeof(cases[i].c));
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, i + 1, &self->done);
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].err, self->done.error_info) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(sizeof(f), self->done.error_offset) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, self->done.commands) TH_LOG("%s", cases[i].what);
		tctx_read(&self->ctx, 0x30000, &b, 1);
		EXPECT_EQ(0, b) TH_LOG("%s: the fill before it ran", cases[i].what);
		ts_free(&s);
	}

	/* and each operation's valid form runs: in place, input2 input1's first byte */
	rng_fill_i8(x, sizeof(x), 7);
	tctx_write(&self->ctx, V, x, sizeof(x));
	for (i = 0; i < 4; i++) {
		struct enpu_cmd_eltwise c = elt_cmd(elt_ops[i].op, V, V, V, sh, one, sh);
		struct tstream s;

		tctx_read(&self->ctx, V, x, sizeof(x));
		ASSERT_EQ(0, elt_ref(&c, x, x, want));
		ts_init(&s);
		ts_cmd(&s, ENPU_OP_ELTWISE, &c, sizeof(c));
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, 100 + i, &self->done);
		EXPECT_EQ(ENPU_JOB_OK, self->done.status) TH_LOG("%s", elt_ops[i].name);
		tctx_read(&self->ctx, V, got, sizeof(got));
		EXPECT_EQ(0, memcmp(want, got, sizeof(got))) TH_LOG("%s", elt_ops[i].name);
		ts_free(&s);
	}
}

/*
 * An engine for a device without ENPU_CAP_ELTWISE knows no ELTWISE: the
 * opcode is refused as an unknown one, at its offset and before its size
 * or fields (a reserved header bit is still the header's error). LUT
 * runs without ELTWISE and ELTWISE without LUT: each command needs its
 * own bit only. ELTWISE runs again once the capability is back.
 */
TEST_F(eng, eltwise_refused_without_the_capability)
{
	static const uint32_t sh[4] = { 1, 1, 4, 4 };
	const uint32_t words = sizeof(struct enpu_cmd_eltwise) / 4;
	struct enpu_cmd_eltwise valid = elt_cmd(ENPU_ELTWISE_MAX, 0x10000, 0x10100, 0x10200,
						sh, sh, sh);
	struct enpu_cmd_eltwise bad_op, reserved;
	struct {
		const char *what;
		uint32_t w[32];
		unsigned int words;
		uint32_t err;
	} cases[5];
	struct enpu_cmd_dma_fill f = fill1d(0x30000, 0x77, 16);
	struct enpu_cmd_lut l = lut_cmd(0x10000, 0x10300, 0x10000, 16);
	int8_t x[16], y[16], v[16];
	unsigned int i, n = 0;
	uint8_t b;

	valid.hdr = ENPU_CMD_HDR(ENPU_OP_ELTWISE, words);
	bad_op = valid;
	bad_op.op = 9;
	reserved = valid;
	reserved.reserved[1] = 1;
	cases[n].what = "a valid ELTWISE";
	memcpy(cases[n].w, &valid, sizeof(valid));
	cases[n].words = words;
	cases[n++].err = ENPU_CMD_ERR_OPCODE;
	cases[n].what = "an ELTWISE of an unknown operation";
	memcpy(cases[n].w, &bad_op, sizeof(bad_op));
	cases[n].words = words;
	cases[n++].err = ENPU_CMD_ERR_OPCODE;
	cases[n].what = "an ELTWISE with a reserved word";
	memcpy(cases[n].w, &reserved, sizeof(reserved));
	cases[n].words = words;
	cases[n++].err = ENPU_CMD_ERR_OPCODE;
	cases[n].what = "an ELTWISE of the wrong size";
	memset(cases[n].w, 0, sizeof(cases[n].w));
	cases[n].w[0] = ENPU_CMD_HDR(ENPU_OP_ELTWISE, 2);
	cases[n].words = 2;
	cases[n++].err = ENPU_CMD_ERR_OPCODE;
	cases[n].what = "an ELTWISE with a reserved header bit";
	memcpy(cases[n].w, &valid, sizeof(valid));
	cases[n].w[0] = ENPU_CMD_HDR(ENPU_OP_ELTWISE, words) | 0x100;
	cases[n].words = words;
	cases[n++].err = ENPU_CMD_ERR_RESERVED;

	tctx_map_new(&self->ctx, 0x10000, 4096, RW);
	tctx_map_new(&self->ctx, 0x30000, 4096, RW);
	rng_fill_i8(x, sizeof(x), 5);
	rng_fill_i8(y, sizeof(y), 6);
	tctx_write(&self->ctx, 0x10000, x, sizeof(x));
	tctx_write(&self->ctx, 0x10100, y, sizeof(y));
	self->e.caps &= ~ENPU_CAP_ELTWISE;
	for (i = 0; i < n; i++) {
		struct tstream s;

		ts_init(&s);
		ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
		ts_raw(&s, cases[i].w, cases[i].words);
		ts_end(&s);
		trun(&self->e, &self->ctx, &s, i + 1, &self->done);
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].err, self->done.error_info) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(sizeof(f), self->done.error_offset) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, self->done.commands) TH_LOG("%s", cases[i].what);
		tctx_read(&self->ctx, 0x30000, &b, 1);
		EXPECT_EQ(0, b) TH_LOG("%s: the fill before it ran", cases[i].what);
		ts_free(&s);
	}

	/* LUT runs on a device without ELTWISE ... */
	ts_cmd(&self->s, ENPU_OP_LUT, &l, sizeof(l));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 10, &self->done);
	EXPECT_EQ(ENPU_JOB_OK, self->done.status);

	/* ... and ELTWISE on one without LUT, which refuses the LUT */
	self->e.caps = (self->e.caps | ENPU_CAP_ELTWISE) & ~ENPU_CAP_LUT;
	ts_free(&self->s);
	ts_init(&self->s);
	ts_cmd(&self->s, ENPU_OP_ELTWISE, &valid, sizeof(valid));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 11, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x10200, v, sizeof(v));
	for (i = 0; i < sizeof(v); i++)
		EXPECT_EQ(x[i] > y[i] ? x[i] : y[i], v[i]) TH_LOG("element %u", i);
	ts_free(&self->s);
	ts_init(&self->s);
	ts_cmd(&self->s, ENPU_OP_LUT, &l, sizeof(l));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 12, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status);
	EXPECT_EQ(ENPU_CMD_ERR_OPCODE, self->done.error_info);
}

/* ---- weights packed across jobs (qemu/engine/pack_cache.c) -------------------- */

#define PK_PIX		3	/* 3 x 3 output pixels: too few to pack at every command */
#define PK_IN		64
#define PK_OUT		32

/* CONV2D 1x1 of PK_IN -> PK_OUT over PK_PIX x PK_PIX pixels, as the kernels compute it. */
static void pk_ref(const int8_t *in, const int8_t *w, const int32_t *quant, int8_t *out)
{
	const struct enpu_conv2d_params p = {
		.input = { 1, PK_PIX, PK_PIX, PK_IN }, .filter = { PK_OUT, 1, 1, PK_IN },
		.output = { 1, PK_PIX, PK_PIX, PK_OUT }, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1, .input_zero_point = -7,
		.output_zero_point = 4, .act_min = -128, .act_max = 127,
		.multipliers = quant, .shifts = quant + PK_OUT, .num_quant = PK_OUT,
	};

	if (enpu_conv2d(&p, in, PK_PIX * PK_PIX * PK_IN, w, PK_OUT * PK_IN, NULL, 0, out,
			PK_PIX * PK_PIX * PK_OUT))
		abort();
}

/*
 * The kept-weights tests: @a and @b (a new address space, ASID 2) with
 * KEPT_IN, _W, _Q and _OUT mapped and the same input and quantisation in
 * each; KEPT_RUN runs the test's stream in one and expects the output of
 * its weight set @which, KEPT_COUNTS the engine's counts of weights made
 * ready and used again (when this CPU's kernels take them made ready).
 */
enum { KEPT_IN = 0x10000, KEPT_W = 0x20000, KEPT_Q = 0x30000, KEPT_OUT = 0x40000 };

static void kept_spaces(struct tctx *a, struct tctx *b, struct tbus *bus,
			const int8_t *in, size_t in_len, const int32_t *quant, size_t q_len)
{
	tctx_init(b, bus, 2);
	for (unsigned int j = 0; j < 2; j++) {
		struct tctx *c = j ? b : a;

		tctx_map_new(c, KEPT_IN, 4096, RW);
		tctx_map_new(c, KEPT_W, 4096, RW);
		tctx_map_new(c, KEPT_Q, 4096, RW);
		tctx_map_new(c, KEPT_OUT, 4096, RW);
		tctx_write(c, KEPT_IN, in, in_len);
		tctx_write(c, KEPT_Q, quant, q_len);
	}
}

#define KEPT_COUNTS(made, reused)						\
	do {									\
		if (keeps) {							\
			EXPECT_EQ((uint64_t)(made), self->e.packs_made);	\
			EXPECT_EQ((uint64_t)(reused), self->e.packs_reused);	\
		}								\
	} while (0)
#define KEPT_RUN(ctx, which)							\
	do {									\
		trun(&self->e, (ctx), &self->s, seqno++, &self->done);		\
		ASSERT_EQ(ENPU_JOB_OK, self->done.status);			\
		tctx_read((ctx), KEPT_OUT, got, sizeof(got));			\
		EXPECT_EQ(0, memcmp(got, want[which], sizeof(got)))		\
			TH_LOG("job %u: not the output of weight set %d", seqno - 1, which); \
	} while (0)

/*
 * The engine keeps a layer's weights packed from one command to the next:
 * weights written since, the same address in another address space, and
 * an address space retired in between all give what the memory holds.
 */
TEST_F(eng, packed_weights_follow_memory)
{
	const struct enpu_cmd_conv2d cv = {
		.input = KEPT_IN, .filter = KEPT_W, .quant = KEPT_Q, .output = KEPT_OUT,
		.batches = 1,
		.in_h = PK_PIX, .in_w = PK_PIX, .in_c = PK_IN, .out_h = PK_PIX,
		.out_w = PK_PIX, .out_c = PK_OUT, .kernel_h = 1, .kernel_w = 1,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.input_zero_point = -7, .output_zero_point = 4, .act_min = -128,
		.act_max = 127,
	};
	static int8_t in[PK_PIX * PK_PIX * PK_IN], w[3][PK_OUT * PK_IN];
	static int8_t want[3][PK_PIX * PK_PIX * PK_OUT], got[PK_PIX * PK_PIX * PK_OUT];
	int32_t quant[2 * PK_OUT];
	struct enpu_gemm_weights probe = { 0 };
	struct tctx other;
	unsigned int i, j;
	uint32_t seqno = 1;

	rng_fill_i8(in, sizeof(in), 11);
	for (j = 0; j < 3; j++)
		rng_fill_i8(w[j], sizeof(w[j]), 20 + j);
	/* the second set is the first with one output channel's weights changed */
	memcpy(w[1], w[0], sizeof(w[0]));
	for (i = 0; i < PK_IN; i++)
		w[1][5 * PK_IN + i] = (int8_t)(w[1][5 * PK_IN + i] ^ 0x55);
	for (i = 0; i < PK_OUT; i++) {
		quant[i] = 1518500250;
		quant[PK_OUT + i] = -7;
	}
	for (j = 0; j < 3; j++)
		pk_ref(in, w[j], quant, want[j]);
	ASSERT_NE(0, memcmp(want[0], want[1], sizeof(want[0])));
	ASSERT_NE(0, memcmp(want[0], want[2], sizeof(want[0])));

	kept_spaces(&self->ctx, &other, &self->bus, in, sizeof(in), quant, sizeof(quant));
	ts_cmd(&self->s, ENPU_OP_CONV2D, &cv, sizeof(cv));
	ts_end(&self->s);

	/* a CPU whose kernels take no packed weights packs none: then only the results */
	const int keeps = enpu_gemm_weights_pack(&probe, w[0], PK_OUT, PK_IN) == 0;

	enpu_gemm_weights_free(&probe);

	tctx_write(&self->ctx, KEPT_W, w[0], sizeof(w[0]));
	KEPT_RUN(&self->ctx, 0);		/* packed and kept */
	KEPT_COUNTS(1, 0);
	KEPT_RUN(&self->ctx, 0);		/* kept */
	KEPT_COUNTS(1, 1);
	tctx_write(&self->ctx, KEPT_W, w[1], sizeof(w[1]));
	KEPT_RUN(&self->ctx, 1);		/* one row written since */
	KEPT_COUNTS(2, 1);
	tctx_write(&other, KEPT_W, w[1], sizeof(w[1]));
	KEPT_RUN(&other, 1);		/* the same bytes at the same address elsewhere */
	KEPT_COUNTS(3, 1);
	tctx_write(&other, KEPT_W, w[2], sizeof(w[2]));
	KEPT_RUN(&other, 2);
	KEPT_COUNTS(4, 1);
	KEPT_RUN(&self->ctx, 1);		/* its own still kept */
	KEPT_COUNTS(4, 2);
	enpu_engine_retire_asid(&self->e, other.asid);
	KEPT_RUN(&self->ctx, 1);		/* emptied, packed again */
	KEPT_COUNTS(5, 2);
	tctx_write(&self->ctx, KEPT_W, w[0], sizeof(w[0]));
	KEPT_RUN(&self->ctx, 0);
	KEPT_COUNTS(6, 2);
	enpu_engine_reset(&self->e);
	KEPT_RUN(&self->ctx, 0);		/* a reset empties it too */
	KEPT_COUNTS(7, 2);
}

/*
 * A depthwise layer's weights are kept widened from one command to the
 * next, as a GEMM layer's are kept packed: the same command again uses
 * them; weights written since, the same bytes in another address space,
 * an address space retired and a reset each make them again; every run
 * gives the reference's bytes for what memory holds.
 */
#define DK_HW		6
#define DK_C		32	/* a multiple of the kernels' blocks of 8 and 16 */

static void dk_ref(const int8_t *in, const int8_t *w, const int32_t *quant, int8_t *out)
{
	const struct enpu_dwconv2d_params p = {
		.input = { 1, DK_HW, DK_HW, DK_C }, .filter = { 1, 3, 3, DK_C },
		.output = { 1, DK_HW, DK_HW, DK_C }, .depth_multiplier = 1,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1, .input_zero_point = 9,
		.output_zero_point = -2, .act_min = -128, .act_max = 127,
		.multipliers = quant, .shifts = quant + DK_C, .num_quant = DK_C,
	};

	if (enpu_depthwise_conv2d(&p, in, DK_HW * DK_HW * DK_C, w, 9 * DK_C, NULL, 0, out,
				  DK_HW * DK_HW * DK_C))
		abort();
}

TEST_F(eng, depthwise_weights_kept_widened)
{
	const struct enpu_cmd_conv2d cv = {
		.input = KEPT_IN, .filter = KEPT_W, .quant = KEPT_Q, .output = KEPT_OUT,
		.batches = 1,
		.in_h = DK_HW, .in_w = DK_HW, .in_c = DK_C, .out_h = DK_HW,
		.out_w = DK_HW, .out_c = DK_C, .kernel_h = 3, .kernel_w = 3,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1, .depth_multiplier = 1,
		.input_zero_point = 9, .output_zero_point = -2, .act_min = -128,
		.act_max = 127,
	};
	const struct enpu_dwconv2d_params shape = {
		.input = { 1, DK_HW, DK_HW, DK_C }, .filter = { 1, 3, 3, DK_C },
		.output = { 1, DK_HW, DK_HW, DK_C }, .depth_multiplier = 1,
	};
	static int8_t in[DK_HW * DK_HW * DK_C], w[2][9 * DK_C];
	static int8_t want[2][DK_HW * DK_HW * DK_C], got[DK_HW * DK_HW * DK_C];
	int32_t quant[2 * DK_C];
	struct enpu_dw_weights probe;
	struct tctx other;
	unsigned int i, j;
	uint32_t seqno = 1;
	int keeps;

	rng_fill_i8(in, sizeof(in), 31);
	rng_fill_i8(w[0], sizeof(w[0]), 32);
	/* the second set is the first with one tap of one channel changed */
	memcpy(w[1], w[0], sizeof(w[0]));
	w[1][4 * DK_C + 7] ^= 0x41;
	for (i = 0; i < DK_C; i++) {
		quant[i] = 1300000000 + (int32_t)i * 7000;
		quant[DK_C + i] = -6;
	}
	for (j = 0; j < 2; j++)
		dk_ref(in, w[j], quant, want[j]);
	ASSERT_NE(0, memcmp(want[0], want[1], sizeof(want[0])));

	kept_spaces(&self->ctx, &other, &self->bus, in, sizeof(in), quant, sizeof(quant));
	ts_cmd(&self->s, ENPU_OP_DWCONV2D, &cv, sizeof(cv));
	ts_end(&self->s);

	/* a CPU whose kernels read the weights as they are keeps none: then only the results */
	keeps = enpu_dw_weights_prepare(&probe, &shape, w[0]) == 0;
	enpu_dw_weights_free(&probe);

	tctx_write(&self->ctx, KEPT_W, w[0], sizeof(w[0]));
	KEPT_RUN(&self->ctx, 0);		/* widened and kept */
	KEPT_COUNTS(1, 0);
	KEPT_RUN(&self->ctx, 0);		/* kept */
	KEPT_COUNTS(1, 1);
	tctx_write(&self->ctx, KEPT_W, w[1], sizeof(w[1]));
	KEPT_RUN(&self->ctx, 1);		/* one tap written since */
	KEPT_COUNTS(2, 1);
	tctx_write(&other, KEPT_W, w[1], sizeof(w[1]));
	KEPT_RUN(&other, 1);		/* the same bytes at the same address elsewhere */
	KEPT_COUNTS(3, 1);
	KEPT_RUN(&self->ctx, 1);		/* its own still kept */
	KEPT_COUNTS(3, 2);
	enpu_engine_retire_asid(&self->e, other.asid);
	KEPT_RUN(&self->ctx, 1);		/* emptied, widened again */
	KEPT_COUNTS(4, 2);
	enpu_engine_reset(&self->e);
	KEPT_RUN(&self->ctx, 1);		/* a reset empties it too */
	KEPT_COUNTS(5, 2);
}

/*
 * A kept layer's weights are compared where they lie, not copied: the
 * bus reads every other operand as before and compares the weights, and
 * the job's completion -- results, cycles, traffic counters -- is that of
 * an engine with nothing kept, with the bus's comparison or without it,
 * when one page of the weights was written since, and when one is no
 * longer mapped (the same fault at the same address).
 */
#define KW_IN		256
#define KW_OUT		64

/* @s run by an engine that has nothing kept (a new one). */
static void kw_fresh_run(struct tbus *b, const struct enpu_mem_ops *ops, struct tctx *c,
			 const struct tstream *s, struct enpu_job_completion *done)
{
	struct enpu_engine e;

	if (enpu_engine_init(&e, &sku, ops, b))
		abort();
	trun(&e, c, s, 1, done);
	enpu_engine_destroy(&e);
}

TEST_F(eng, kept_weights_compared_not_copied)
{
	enum { IN = 0x10000, Q = 0x20000, OUT = 0x30000, W = 0x100000,
	       WLEN = KW_IN * KW_OUT };
	static int8_t in[KW_IN], w[WLEN], got[KW_OUT];
	struct enpu_cmd_fc fc = {
		.flags = ENPU_FC_FLAG_PER_CHANNEL, .input = IN, .filter = W, .quant = Q,
		.output = OUT, .batches = 1, .in_depth = KW_IN, .out_depth = KW_OUT,
		.input_zero_point = 5, .output_zero_point = -3, .act_min = -128,
		.act_max = 127,
	};
	int32_t quant[2 * KW_OUT];
	struct enpu_job_completion fresh, kept;
	const struct enpu_mem_ops *ops[2] = { &tbus_ops, &tbus_ops_no_equal };
	int8_t want[KW_OUT];
	uint64_t reads;
	unsigned int i, k;

	rng_fill_i8(in, sizeof(in), 5);
	rng_fill_i8(w, sizeof(w), 6);
	for (i = 0; i < KW_OUT; i++) {
		quant[i] = 1300000000 + (int32_t)i * 1000;
		quant[KW_OUT + i] = -8;
	}
	tctx_map_new(&self->ctx, IN, 4096, RW);
	tctx_map_new(&self->ctx, Q, 4096, RW);
	tctx_map_new(&self->ctx, OUT, 4096, RW);
	tctx_map_new(&self->ctx, W, WLEN, RW);
	tctx_write(&self->ctx, IN, in, sizeof(in));
	tctx_write(&self->ctx, Q, quant, sizeof(quant));
	tctx_write(&self->ctx, W, w, sizeof(w));
	ts_cmd(&self->s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	ts_end(&self->s);

	for (k = 0; k < 2; k++) {
		struct enpu_engine e;

		ASSERT_EQ(0, enpu_engine_init(&e, &sku, ops[k], &self->bus));
		kw_fresh_run(&self->bus, ops[k], &self->ctx, &self->s, &fresh);
		ASSERT_EQ(ENPU_JOB_OK, fresh.status);
		tctx_read(&self->ctx, OUT, want, sizeof(want));

		trun(&e, &self->ctx, &self->s, 1, &kept);	/* packs and keeps */
		reads = self->bus.read_bytes;
		self->bus.equal_bytes = 0;
		memset(got, 0, sizeof(got));
		tctx_write(&self->ctx, OUT, got, sizeof(got));
		trun(&e, &self->ctx, &self->s, 1, &kept);	/* runs on the kept copy */
		EXPECT_EQ(0, memcmp(&fresh, &kept, sizeof(kept))) TH_LOG("ops %u", k);
		tctx_read(&self->ctx, OUT, got, sizeof(got));
		EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
		if (k == 0) {
			/*
			 * the weights compared, not read: the rest read as
			 * before (and a few page-table entries at most)
			 */
			EXPECT_EQ(WLEN, self->bus.equal_bytes);
			EXPECT_LE(self->bus.read_bytes - reads, fresh.dram_read - WLEN + 256);
		} else {
			EXPECT_EQ(0, self->bus.equal_bytes);
		}
		EXPECT_EQ(1, e.packs_made);
		EXPECT_EQ(1, e.packs_reused);

		/* the last page written since: read, packed again, counted once */
		w[WLEN - 1] ^= 0x7f;
		tctx_write(&self->ctx, W, w, sizeof(w));
		kw_fresh_run(&self->bus, ops[k], &self->ctx, &self->s, &fresh);
		tctx_read(&self->ctx, OUT, want, sizeof(want));
		trun(&e, &self->ctx, &self->s, 1, &kept);
		EXPECT_EQ(0, memcmp(&fresh, &kept, sizeof(kept))) TH_LOG("ops %u", k);
		tctx_read(&self->ctx, OUT, got, sizeof(got));
		EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
		EXPECT_EQ(2, e.packs_made);

		/* the third page unmapped: the fault a read meets, the same counts */
		uint64_t pte = *tctx_pte(&self->ctx, W + 2 * ENPU_PAGE_SIZE);

		*tctx_pte(&self->ctx, W + 2 * ENPU_PAGE_SIZE) = 0;
		enpu_engine_invalidate_tlb(&e);
		kw_fresh_run(&self->bus, ops[k], &self->ctx, &self->s, &fresh);
		trun(&e, &self->ctx, &self->s, 1, &kept);
		EXPECT_EQ(ENPU_JOB_MMU_FAULT, kept.status);
		EXPECT_EQ(W + 2 * ENPU_PAGE_SIZE, kept.fault_addr);
		EXPECT_EQ(0, memcmp(&fresh, &kept, sizeof(kept))) TH_LOG("ops %u", k);
		*tctx_pte(&self->ctx, W + 2 * ENPU_PAGE_SIZE) = pte;
		enpu_engine_destroy(&e);
		w[WLEN - 1] ^= 0x7f;
		tctx_write(&self->ctx, W, w, sizeof(w));
	}
}

/*
 * Entries are bounded by bytes as well as by count: two layers of 9 MiB of
 * weights do not fit ENPU_PACK_CACHE_BYTES together, so the second drops
 * the first (the cache then has free slots, and the eviction must not wait
 * for one to be taken), and the first is packed again when it comes back.
 */
#define PKB_IN		8192
#define PKB_OUT		1152

TEST_F(eng, packed_weights_bounded_by_bytes)
{
	enum { IN = 0x10000, Q = 0x20000, OUT = 0x30000, W0 = 0x100000,
	       W1 = 0x100000 + 0x1000000 };
	static int8_t in[PKB_IN], w[2][PKB_OUT * PKB_IN], want[2][PKB_OUT], got[PKB_OUT];
	struct enpu_cmd_fc fc = {
		.flags = ENPU_FC_FLAG_PER_CHANNEL, .input = IN, .quant = Q, .output = OUT,
		.batches = 1, .in_depth = PKB_IN, .out_depth = PKB_OUT,
		.input_zero_point = 5, .output_zero_point = -3, .act_min = -128,
		.act_max = 127,
	};
	const struct enpu_fc_params p = {
		.batches = 1, .input_depth = PKB_IN, .output_depth = PKB_OUT,
		.input_zero_point = 5, .output_zero_point = -3, .act_min = -128,
		.act_max = 127, .num_quant = PKB_OUT,
	};
	struct enpu_fc_params ref = p;
	struct enpu_gemm_weights probe = { 0 };
	static int32_t quant[2 * PKB_OUT];
	const uint32_t wva[2] = { W0, W1 };
	struct tstream s[2];
	unsigned int i;
	int packs;

	/* two of them exceed the cache's bytes; one fits */
	ASSERT_LT(ENPU_PACK_CACHE_BYTES, 2 * 2 * sizeof(w[0]));
	ASSERT_GE(ENPU_PACK_CACHE_BYTES, 2 * sizeof(w[0]) + 4 * PKB_OUT);
	rng_fill_i8(in, sizeof(in), 3);
	for (i = 0; i < PKB_OUT; i++) {
		quant[i] = 1518500250;
		quant[PKB_OUT + i] = -12;
	}
	ref.multipliers = quant;
	ref.shifts = quant + PKB_OUT;
	tctx_map_new(&self->ctx, IN, sizeof(in), RW);
	tctx_map_new(&self->ctx, Q, sizeof(quant), RW);
	tctx_map_new(&self->ctx, OUT, sizeof(got), RW);
	tctx_write(&self->ctx, IN, in, sizeof(in));
	tctx_write(&self->ctx, Q, quant, sizeof(quant));
	for (i = 0; i < 2; i++) {
		rng_fill_i8(w[i], sizeof(w[i]), 40 + i);
		ASSERT_EQ(0, enpu_fully_connected(&ref, in, sizeof(in), w[i], sizeof(w[i]),
						  NULL, 0, want[i], sizeof(want[i])));
		tctx_map_new(&self->ctx, wva[i], sizeof(w[i]), RW);
		tctx_write(&self->ctx, wva[i], w[i], sizeof(w[i]));
		fc.filter = wva[i];
		ts_init(&s[i]);
		ts_cmd(&s[i], ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
		ts_end(&s[i]);
	}
	ASSERT_NE(0, memcmp(want[0], want[1], sizeof(want[0])));
	packs = enpu_gemm_weights_pack(&probe, w[0], PKB_OUT, PKB_IN) == 0;
	enpu_gemm_weights_free(&probe);

	for (i = 0; i < 3; i++) {
		trun(&self->e, &self->ctx, &s[i % 2], i + 1, &self->done);
		ASSERT_EQ(ENPU_JOB_OK, self->done.status);
		tctx_read(&self->ctx, OUT, got, sizeof(got));
		EXPECT_EQ(0, memcmp(got, want[i % 2], sizeof(got))) TH_LOG("job %u", i + 1);
		if (packs) {
			/* each one packed again: the other had taken its room */
			EXPECT_EQ(i + 1, self->e.packs_made);
			EXPECT_EQ(0, self->e.packs_reused);
		}
	}
	for (i = 0; i < 2; i++)
		ts_free(&s[i]);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

struct long_run {
	struct enpu_engine *e;
	struct tctx *ctx;
	struct tstream *s;
	struct enpu_job_completion *done;
	_Atomic int64_t ended_ms;
};

static void *long_run_thread(void *arg)
{
	struct long_run *r = arg;

	trun(r->e, r->ctx, r->s, 1, r->done);
	atomic_store(&r->ended_ms, now_ms());
	return NULL;
}

/*
 * One CONV2D of 8.5 * 10^11 MACs (operands of 4, 4 and 13 MiB, near as
 * big as a guest may make them: hours of host CPU) is stopped in its
 * middle: an abort ends the job within ENPU_RESET_TIME_MAX_US, ABORTED,
 * with nothing written.
 */
/*
 * An abort stops a command while it gathers an operand, within
 * VM_PAGES_PER_CHECK (64) pages: a copy of one 1 MiB row, aborted from
 * the bus a few reads in, ends ABORTED having read a fraction of it. The
 * row was read whole before (a reset waited 30 ms for such a gather).
 */
TEST_F(eng, abort_stops_gathering_an_operand)
{
	enum { SRC = 0x100000, DST = 0x300000, LEN = 1 << 20 };
	struct enpu_cmd_dma_copy c = copy1d(SRC, DST, LEN);

	tctx_map_new(&self->ctx, SRC, LEN, RW);
	tctx_map_new(&self->ctx, DST, LEN, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &c, sizeof(c));
	ts_end(&self->s);
	self->bus.read_bytes = 0;
	self->bus.abort_engine = &self->e;
	self->bus.abort_after = 12;	/* the stream, page tables, a few pages */
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	TH_LOG("%llu bytes read", (unsigned long long)self->bus.read_bytes);
	EXPECT_EQ(ENPU_JOB_ABORTED, self->done.status);
	EXPECT_GT(LEN / 4, self->bus.read_bytes);
	EXPECT_EQ(0, self->done.dram_write);
}

TEST_F(eng, abort_stops_a_long_command_midway)
{
	enum { H = 512, W = 512, CIN = 16, COUT = 64, K = 64, OH = H - K + 1 };
	struct enpu_cmd_conv2d c = {
		.input = 0x100000, .filter = 0x600000, .quant = 0xb00000,
		.output = 0x1000000, .batches = 1, .in_h = H, .in_w = W,
		.in_c = CIN, .out_h = OH, .out_w = OH, .out_c = COUT,
		.kernel_h = K, .kernel_w = K, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1, .act_min = -128,
		.act_max = 127,
	};
	struct long_run r = {
		.e = &self->e, .ctx = &self->ctx, .s = &self->s,
		.done = &self->done,
	};
	int32_t quant[2 * COUT];
	uint8_t out[4096];
	int64_t aborted;
	pthread_t th;
	unsigned int i;

	/* room for the operands: a bigger bus and an engine on it */
	enpu_engine_destroy(&self->e);
	tbus_fini(&self->bus);
	ASSERT_EQ(0, tbus_init(&self->bus, 48 << 20));
	ASSERT_EQ(0, enpu_engine_init(&self->e, &sku, &tbus_ops, &self->bus));
	tctx_init(&self->ctx, &self->bus, 1);
	tctx_map_new(&self->ctx, c.input, H * W * CIN, RW);
	tctx_map_new(&self->ctx, c.filter, COUT * K * K * CIN, RW);
	tctx_map_new(&self->ctx, c.quant, sizeof(quant), RW);
	tctx_map_new(&self->ctx, c.output, OH * OH * COUT, RW);
	for (i = 0; i < COUT; i++) {
		quant[i] = 1 << 30;
		quant[COUT + i] = -8;
	}
	tctx_write(&self->ctx, c.quant, quant, sizeof(quant));
	ts_cmd(&self->s, ENPU_OP_CONV2D, &c, sizeof(c));
	ts_end(&self->s);

	atomic_store(&r.ended_ms, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, long_run_thread, &r));
	usleep(200 * 1000);
	aborted = now_ms();
	enpu_engine_abort(&self->e);
	pthread_join(th, NULL);
	EXPECT_EQ(ENPU_JOB_ABORTED, self->done.status)
		TH_LOG("error_info %u", self->done.error_info);
	EXPECT_EQ(0, self->done.commands);
	EXPECT_GE(ENPU_RESET_TIME_MAX_US / 1000, atomic_load(&r.ended_ms) - aborted)
		TH_LOG("the abort took %lld ms",
		       (long long)(atomic_load(&r.ended_ms) - aborted));
	tctx_read(&self->ctx, c.output, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0, out[i]) TH_LOG("output byte %u written", i);
}

/*
 * A 1x1 max pool copies SRAM data filled by the DMA engine. With the
 * WAIT the pool sees the data; without it the pool runs before the
 * (slower) DMA has finished and reads stale SRAM, as hardware would.
 */
static void pool_after_fill(struct tstream *s, int with_wait)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE, 9, 65536);
	struct enpu_cmd_pool p = {
		.input = ENPU_SRAM_VA_BASE, .output = 0x100000, .batches = 1,
		.in_h = 1, .in_w = 1024, .channels = 64, .out_h = 1, .out_w = 1024,
		.filter_h = 1, .filter_w = 1, .stride_h = 1, .stride_w = 1,
		.act_min = -128, .act_max = 127,
	};

	ts_cmd(s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, 0);
	if (with_wait)
		ts_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, 0);
	ts_cmd(s, ENPU_OP_MAX_POOL, &p, sizeof(p));
	ts_end(s);
}

TEST_F(eng, semaphores_order_engines)
{
	uint64_t fetch, dma, pool;
	uint8_t out[65536];
	unsigned int i;

	tctx_map_new(&self->ctx, 0x100000, 65536, RW);
	pool_after_fill(&self->s, 1);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x100000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(9, out[i]);

	/* Timing: fetch, then the fill, signal, wait, then the pool. */
	fetch = enpu_t_fetch(&sku, self->s.n * 4);
	dma = enpu_t_dma(&sku, 0, 65536);
	pool = enpu_t_compute(&sku, 65536, 65536, 65536);
	EXPECT_EQ(fetch + dma + ENPU_T_SYNC + ENPU_T_SYNC + pool, self->done.cycles);
	EXPECT_EQ(dma + ENPU_T_SYNC, self->done.stall_cycles);
	EXPECT_EQ(4, self->done.commands);
}

TEST_F(eng, missing_wait_reads_stale_data)
{
	uint8_t out[256];
	unsigned int i;

	tctx_map_new(&self->ctx, 0x100000, 65536, RW);
	pool_after_fill(&self->s, 0);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);
	tctx_read(&self->ctx, 0x100000, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		ASSERT_EQ(0, out[i]);
}

TEST_F(eng, wait_without_signal_deadlocks)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE, 1, 16);

	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_sync(&self->s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, 3);
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, self->done.status);
	EXPECT_EQ(ENPU_CMD_ERR_DEADLOCK, self->done.error_info);
	EXPECT_EQ(sizeof(f), self->done.error_offset);
}

/* Independent DMA and compute overlap: the job takes the longer of the two. */
TEST_F(eng, engines_overlap)
{
	struct enpu_cmd_dma_fill f = fill1d(ENPU_SRAM_VA_BASE, 1, 262144);
	struct enpu_cmd_fc fc = {
		.flags = 0, .input = 0x10000, .filter = 0x20000, .quant = 0x30000,
		.output = 0x40000, .batches = 1, .in_depth = 1024, .out_depth = 1024,
		.act_min = -128, .act_max = 127,
	};
	int32_t quant[2] = { 1 << 30, 0 };
	uint64_t t_dma, t_fc, fetch;

	tctx_map_new(&self->ctx, 0x10000, 1024, RW);
	tctx_map_new(&self->ctx, 0x20000, 1024 * 1024, RW);
	tctx_map_new(&self->ctx, 0x30000, 8, RW);
	tctx_map_new(&self->ctx, 0x40000, 1024, RW);
	tctx_write(&self->ctx, 0x30000, quant, sizeof(quant));
	ts_cmd(&self->s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	ts_cmd(&self->s, ENPU_OP_DMA_FILL, &f, sizeof(f));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);

	fetch = enpu_t_fetch(&sku, self->s.n * 4);
	t_dma = enpu_t_dma(&sku, 0, 262144);
	t_fc = enpu_t_compute(&sku, 1024 * 1024, 1024 + 1024 * 1024 + 8 + 1024, 0);
	EXPECT_EQ(fetch + (t_dma > t_fc ? t_dma : t_fc), self->done.cycles);
	EXPECT_LT(self->done.cycles, fetch + t_dma + t_fc);
	EXPECT_EQ(1024 * 1024, self->done.macs);
	EXPECT_EQ(0, self->done.stall_cycles);
}

/*
 * Two engines moving DRAM bytes at once share the channel fairly: a DMA
 * copy and a MAX_POOL of 32 KiB each, DRAM to DRAM (64 KiB of DRAM
 * traffic each, 8192 cycles alone). The pool's setup ends first and has
 * the channel to itself for 32 cycles; from then on each moves at half
 * the bandwidth until the pool is done (at 16384 cycles), then the copy
 * has its last 32 cycles alone. The job takes 16416 cycles after the
 * fetch -- its bytes at the bandwidth, not the 8256 two full-rate engines
 * would claim -- and no less than its roofline.
 */
TEST_F(eng, engines_share_dram)
{
	enum { N = 32768, A = 0x100000, B = 0x200000, C = 0x300000, D = 0x400000 };
	struct enpu_cmd_dma_copy cp = {
		.src = A, .dst = B, .row_bytes = N, .rows = 1, .planes = 1,
	};
	struct enpu_cmd_pool pool = {
		.input = C, .output = D, .batches = 1, .in_h = 1, .in_w = 1, .channels = N,
		.out_h = 1, .out_w = 1, .filter_h = 1, .filter_w = 1, .stride_h = 1,
		.stride_w = 1, .act_min = -128, .act_max = 127,
	};
	uint64_t fetch, alone_dma, alone_pool;

	ASSERT_EQ(8000u, sku.dram_bw_mbps);
	ASSERT_EQ(1000u, sku.clock_mhz);
	tctx_map_new(&self->ctx, A, N, RW);
	tctx_map_new(&self->ctx, B, N, RW);
	tctx_map_new(&self->ctx, C, N, RW);
	tctx_map_new(&self->ctx, D, N, RW);
	ts_cmd(&self->s, ENPU_OP_DMA_COPY, &cp, sizeof(cp));
	ts_cmd(&self->s, ENPU_OP_MAX_POOL, &pool, sizeof(pool));
	ts_end(&self->s);
	trun(&self->e, &self->ctx, &self->s, 1, &self->done);
	ASSERT_EQ(ENPU_JOB_OK, self->done.status);

	fetch = enpu_t_fetch(&sku, self->s.n * 4);
	alone_dma = enpu_t_dma(&sku, 2 * N, 0);
	alone_pool = enpu_t_compute(&sku, N, 2 * N, 0);
	EXPECT_EQ(ENPU_T_DMA_SETUP + 2 * N / 8, alone_dma);
	EXPECT_EQ(ENPU_T_COMPUTE_SETUP + 2 * N / 8, alone_pool);
	EXPECT_EQ(fetch + ENPU_T_DMA_SETUP + 2 * (2 * N / 8) - (ENPU_T_DMA_SETUP -
		  ENPU_T_COMPUTE_SETUP), self->done.cycles);
	EXPECT_EQ(fetch + 16416, self->done.cycles);
	EXPECT_GE(self->done.cycles, enpu_t_roofline(&sku, self->done.macs,
						     self->done.dram_read + self->done.dram_write,
						     self->done.sram_read + self->done.sram_write));
	EXPECT_EQ(4ull * N + self->s.n * 4, self->done.dram_read + self->done.dram_write);
}

TEST_HARNESS_MAIN
