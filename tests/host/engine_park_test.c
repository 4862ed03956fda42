// SPDX-License-Identifier: MIT
/*
 * EdgeNPU execution engine, host tests: a job paused anywhere, saved to
 * bytes, loaded into another engine and resumed ends exactly as it ends
 * without the pause (what a device migrated with a job in flight needs),
 * and bytes that are not a parked job are refused.
 *
 * The job is a pipeline over both engines that updates its own input in
 * place, so replaying any finished part of it, losing a semaphore signal
 * or a pending result shows in its output. A LUT and an ELTWISE park with
 * their results held the same way.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edgenpu_cmd.h"
#include "edgenpu_hw.h"
#include "engine_internal.h"
#include "enpu_int8.h"
#include "testbus.h"

#define RW (ENPU_PTE_READ | ENPU_PTE_WRITE)

enum {
	HW = 32, C = 64,			/* activations 32x32x64 */
	ACT = HW * HW * C,			/* 64 KiB */
	ROUNDS = 24,
	VA_A = 0x100000,			/* the state, updated in place */
	VA_F = 0x200000,			/* filter 64x3x3x64 */
	VA_Q = 0x300000,			/* quant: multipliers, shifts */
	VA_OUT = 0x400000,			/* conv output */
	VA_LOG = 0x1000000,			/* each round's conv output */
	SRAM_A = ENPU_SRAM_VA_BASE,
	SRAM_B = ENPU_SRAM_VA_BASE + ACT,
	S_LOADED = 0, S_UPDATED = 1,		/* semaphores */
};

struct world {
	struct tbus bus;
	struct tctx ctx;
	struct enpu_engine e;
	struct enpu_job_desc desc;
};

static void rng_fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

static void sync_cmd(struct tstream *s, uint32_t op, uint32_t engine, uint32_t sem)
{
	ts_sync(s, op, engine, sem);
}

/*
 * Round r: the DMA engine brings A into SRAM in 4-byte rows (16,384 rows:
 * interrupt checks inside the command), signals, and fills SRAM_B while
 * the compute engine convolves SRAM_A into OUT and averages OUT into A in
 * place; the DMA engine then keeps OUT in the log.
 */
static void build_stream(struct tstream *s)
{
	struct enpu_cmd_dma_copy load = {
		.src = VA_A, .dst = SRAM_A, .row_bytes = 4, .rows = ACT / 4,
		.planes = 1, .src_row_stride = 4, .dst_row_stride = 4,
	};
	struct enpu_cmd_dma_fill fill = {
		.dst = SRAM_B, .row_bytes = 64, .rows = 1024, .planes = 1,
		.dst_row_stride = 64,
	};
	struct enpu_cmd_dma_copy keep = {
		.src = VA_OUT, .row_bytes = ACT, .rows = 1, .planes = 1,
	};
	struct enpu_cmd_conv2d conv = {
		.input = SRAM_A, .filter = VA_F, .quant = VA_Q, .output = VA_OUT,
		.batches = 1, .in_h = HW, .in_w = HW, .in_c = C,
		.out_h = HW, .out_w = HW, .out_c = C, .kernel_h = 3, .kernel_w = 3,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1, .act_min = -128, .act_max = 127,
	};
	struct enpu_cmd_add avg = {
		.input1 = VA_A, .input2 = VA_OUT, .output = VA_A,
		.in1_shape = { 1, HW, HW, C }, .in2_shape = { 1, HW, HW, C },
		.out_shape = { 1, HW, HW, C }, .left_shift = 20,
		.input1_multiplier = 1 << 30, .input2_multiplier = 1 << 30,
		.output_multiplier = 1 << 30, .output_shift = -19,
		.act_min = -128, .act_max = 127,
	};
	int r;

	for (r = 0; r < ROUNDS; r++) {
		if (r)
			sync_cmd(s, ENPU_OP_WAIT, ENPU_ENGINE_DMA, S_UPDATED);
		ts_cmd(s, ENPU_OP_DMA_COPY, &load, sizeof(load));
		sync_cmd(s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, S_LOADED);
		fill.value = (uint8_t)r;
		ts_cmd(s, ENPU_OP_DMA_FILL, &fill, sizeof(fill));
		sync_cmd(s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, S_LOADED);
		ts_cmd(s, ENPU_OP_CONV2D, &conv, sizeof(conv));
		ts_cmd(s, ENPU_OP_ADD, &avg, sizeof(avg));
		sync_cmd(s, ENPU_OP_SIGNAL, ENPU_ENGINE_COMPUTE, S_UPDATED);
		if (r) {
			keep.dst = VA_LOG + (r - 1) * ACT;
			ts_cmd(s, ENPU_OP_DMA_COPY, &keep, sizeof(keep));
		}
	}
	sync_cmd(s, ENPU_OP_WAIT, ENPU_ENGINE_DMA, S_UPDATED);
	keep.dst = VA_LOG + (ROUNDS - 1) * ACT;
	ts_cmd(s, ENPU_OP_DMA_COPY, &keep, sizeof(keep));
	ts_end(s);
}

/* The same world every time: memory, page tables, stream and descriptor. */
static int world_init(struct world *w)
{
	static const struct enpu_sku sku = {
		.macs_per_cycle = 256, .clock_mhz = 1000, .dram_bw_mbps = 8000,
		.sram_bw_mbps = 64000, .sram_size = 512 * 1024,
	};
	uint8_t *buf = malloc(ACT * 9);
	int32_t quant[2 * C];
	struct tstream s;
	uint64_t cmd;
	int i;

	if (!buf || tbus_init(&w->bus, 16 << 20) ||
	    enpu_engine_init(&w->e, &sku, &tbus_ops, &w->bus)) {
		free(buf);
		return -1;
	}
	tctx_init(&w->ctx, &w->bus, 3);
	tctx_map_new(&w->ctx, VA_A, ACT, RW);
	tctx_map_new(&w->ctx, VA_F, C * 9 * C, RW);
	tctx_map_new(&w->ctx, VA_Q, sizeof(quant), RW);
	tctx_map_new(&w->ctx, VA_OUT, ACT, RW);
	tctx_map_new(&w->ctx, VA_LOG, ROUNDS * ACT, RW);
	rng_fill(buf, ACT, 1);
	tctx_write(&w->ctx, VA_A, buf, ACT);
	rng_fill(buf, C * 9 * C, 2);
	tctx_write(&w->ctx, VA_F, buf, C * 9 * C);
	for (i = 0; i < C; i++) {
		quant[i] = (1 << 30) + i * 4099;
		quant[C + i] = -10;
	}
	tctx_write(&w->ctx, VA_Q, quant, sizeof(quant));
	free(buf);

	ts_init(&s);
	build_stream(&s);
	cmd = tbus_alloc(&w->bus, s.n * 4, 64);
	memcpy(w->bus.mem + cmd, s.w, s.n * 4);
	memset(&w->desc, 0, sizeof(w->desc));
	w->desc.seqno = 77;
	w->desc.asid = w->ctx.asid;
	w->desc.cmd_size = s.n * 4;
	w->desc.pt_base = w->ctx.l1;
	w->desc.cmd_addr = cmd;
	w->desc.completion_addr = tbus_alloc(&w->bus, 128, 64);
	ts_free(&s);
	return 0;
}

static void world_fini(struct world *w)
{
	enpu_engine_destroy(&w->e);
	tbus_fini(&w->bus);
}

/*
 * The device's side of a migration: the parked job as bytes, SRAM and its
 * owner carried beside them, into a new engine on the same memory.
 */
static int migrate_engine(struct world *w, uint32_t *bytes)
{
	struct enpu_engine fresh;
	uint64_t owner = atomic_load(&w->e.sram_owner);
	uint8_t *buf;
	uint32_t len;

	if (enpu_engine_save(&w->e, &buf, &len))
		return -1;
	if (enpu_engine_init(&fresh, &w->e.sku, &tbus_ops, &w->bus)) {
		free(buf);
		return -1;
	}
	memcpy(fresh.sram, w->e.sram, w->e.sku.sram_size);
	atomic_store(&fresh.sram_owner, owner);
	enpu_engine_destroy(&w->e);
	w->e = fresh;
	*bytes = len;
	if (enpu_engine_load(&w->e, buf, len)) {
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

struct runner {
	struct world *w;
	struct enpu_job_completion done;
	int resume, ret;
	atomic_int finished;
};

static void *runner_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = r->resume ? enpu_engine_resume(&r->w->e, &r->done) :
			     enpu_engine_run(&r->w->e, &r->w->desc, &r->done);
	atomic_store(&r->finished, 1);
	return NULL;
}

/* The parts of memory the job writes, and SRAM. */
static int same_results(struct world *a, struct world *b)
{
	uint8_t *x = malloc(ROUNDS * ACT), *y = malloc(ROUNDS * ACT);
	int same;

	if (!x || !y) {
		free(x);
		free(y);
		return 0;
	}
	tctx_read(&a->ctx, VA_LOG, x, ROUNDS * ACT);
	tctx_read(&b->ctx, VA_LOG, y, ROUNDS * ACT);
	same = !memcmp(x, y, ROUNDS * ACT);
	tctx_read(&a->ctx, VA_A, x, ACT);
	tctx_read(&b->ctx, VA_A, y, ACT);
	same = same && !memcmp(x, y, ACT) &&
	       !memcmp(a->e.sram, b->e.sram, a->e.sku.sram_size);
	free(x);
	free(y);
	return same;
}

FIXTURE(park) {
	struct world ref;	/* the job run without a pause */
	struct world w;
	struct enpu_job_completion ref_done;
};

FIXTURE_SETUP(park)
{
	uint8_t log[ACT];
	int distinct = 0, i, seen[256] = { 0 };

	ASSERT_EQ(0, world_init(&self->ref));
	ASSERT_EQ(0, world_init(&self->w));
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_run(&self->ref.e, &self->ref.desc,
						     &self->ref_done));
	ASSERT_EQ(ENPU_JOB_OK, self->ref_done.status);
	/* the pipeline computes something: the last round is not constant */
	tctx_read(&self->ref.ctx, VA_LOG + (ROUNDS - 1) * ACT, log, ACT);
	for (i = 0; i < ACT; i++)
		distinct += !seen[log[i]]++;
	ASSERT_LT(20, distinct);
}

FIXTURE_TEARDOWN(park)
{
	world_fini(&self->w);
	world_fini(&self->ref);
}

static void expect_same_completion(struct __test_metadata *_metadata,
				   const struct enpu_job_completion *want,
				   const struct enpu_job_completion *got)
{
	EXPECT_EQ(want->status, got->status);
	EXPECT_EQ(want->commands, got->commands);
	EXPECT_EQ(want->cycles, got->cycles);
	EXPECT_EQ(want->macs, got->macs);
	EXPECT_EQ(want->dram_read, got->dram_read);
	EXPECT_EQ(want->dram_write, got->dram_write);
	EXPECT_EQ(want->sram_read, got->sram_read);
	EXPECT_EQ(want->sram_write, got->sram_write);
	EXPECT_EQ(want->stall_cycles, got->stall_cycles);
	EXPECT_EQ(0, memcmp(want, got, sizeof(*want)));
}

/*
 * Paused at random moments from another thread -- inside a convolution,
 * inside a DMA command's rows, between commands, with the other engine
 * holding a result -- and moved to a new engine each time. Each pause
 * comes after the job retired one more command (a command interrupted
 * starts again, so pauses faster than the longest command would stop all
 * progress), then up to 2 ms later.
 */
TEST_F(park, paused_anywhere_and_migrated_ends_the_same)
{
	struct runner r = { .w = &self->w };
	unsigned int seed = (unsigned int)time(NULL), parks = 0, pending = 0;
	uint32_t bytes = 0, progress = 0;
	pthread_t th;

	TH_LOG("seed %u", seed);
	srand(seed);
	for (;;) {
		atomic_store(&r.finished, 0);
		ASSERT_EQ(0, pthread_create(&th, NULL, runner_thread, &r));
		while (enpu_engine_progress(&self->w.e) <= progress && !atomic_load(&r.finished))
			usleep(50);
		usleep(rand() % 2000);
		enpu_engine_pause(&self->w.e);
		pthread_join(th, NULL);
		if (r.ret == ENPU_ENGINE_ENDED)
			break;
		ASSERT_EQ(ENPU_ENGINE_PAUSED, r.ret);
		parks++;
		pending += self->w.e.parked->s.busy[0] || self->w.e.parked->s.busy[1];
		progress = enpu_engine_progress(&self->w.e);
		ASSERT_EQ(0, migrate_engine(&self->w, &bytes));
		/* the new engine reports the progress the job had made */
		EXPECT_EQ(progress, enpu_engine_progress(&self->w.e));
		r.resume = 1;
	}
	TH_LOG("%u pauses, %u with an engine holding a started command; last %u bytes",
	       parks, pending, bytes);
	ASSERT_LE(2, parks);
	expect_same_completion(_metadata, &self->ref_done, &r.done);
	EXPECT_TRUE(same_results(&self->ref, &self->w));
}

/*
 * A pause requested before the job starts parks it at its first unit of
 * work; resumed with no pause, it ends the same.
 */
TEST_F(park, paused_before_the_start)
{
	struct enpu_job_completion done;
	uint32_t bytes;

	enpu_engine_pause(&self->w.e);
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&self->w.e, &self->w.desc, &done));
	EXPECT_EQ(0, enpu_engine_progress(&self->w.e));
	ASSERT_EQ(0, migrate_engine(&self->w, &bytes));
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&self->w.e, &done));
	expect_same_completion(_metadata, &self->ref_done, &done);
	EXPECT_TRUE(same_results(&self->ref, &self->w));
	EXPECT_EQ(-1, enpu_engine_resume(&self->w.e, &done));
}

/*
 * A budget (enpu_engine_run_bounded(), what a device's doorbell runs
 * with): a job whose commands cost more parks before its first, with its
 * stream checked and nothing else done, and resumed without a budget
 * ends the same; one that costs less runs to its end; one whose start
 * alone costs more (its stream, or clearing SRAM for another address
 * space) is not started at all.
 */
TEST_F(park, budget_parks_or_defers_before_the_start)
{
	struct enpu_job_completion done, small_done;
	struct enpu_job_desc small = self->w.desc;
	struct tstream s;
	uint64_t cmd;
	uint32_t bytes;

	/* the pipeline: 24 rounds of a 64x3x3x64 conv on 32x32 */
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run_bounded(&self->w.e, &self->w.desc,
							      &done, 64 * 1024));
	EXPECT_EQ(0, enpu_engine_progress(&self->w.e));
	ASSERT_NE(NULL, self->w.e.parked);
	EXPECT_LT(64 * 1024, self->w.e.parked->cost);
	ASSERT_EQ(0, migrate_engine(&self->w, &bytes));
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&self->w.e, &done));
	expect_same_completion(_metadata, &self->ref_done, &done);
	EXPECT_TRUE(same_results(&self->ref, &self->w));

	/* a job of one small command runs to its end under the same budget */
	ts_init(&s);
	{
		struct enpu_cmd_dma_fill f = {
			.dst = VA_OUT, .value = 0x5a, .row_bytes = 4096, .rows = 1,
			.planes = 1,
		};
		uint8_t out[4096];

		ts_cmd(&s, ENPU_OP_DMA_FILL, &f, sizeof(f));
		ts_end(&s);
		cmd = tbus_alloc(&self->w.bus, s.n * 4, 64);
		memcpy(self->w.bus.mem + cmd, s.w, s.n * 4);
		small.cmd_addr = cmd;
		small.cmd_size = s.n * 4;
		small.seqno = 78;
		ASSERT_EQ(ENPU_ENGINE_ENDED,
			  enpu_engine_run_bounded(&self->w.e, &small, &small_done, 64 * 1024));
		EXPECT_EQ(ENPU_JOB_OK, small_done.status);
		EXPECT_EQ(78, small_done.seqno);
		EXPECT_EQ(1, small_done.commands);
		tctx_read(&self->w.ctx, VA_OUT, out, sizeof(out));
		EXPECT_EQ(0x5a, out[0]);
		EXPECT_EQ(0x5a, out[4095]);
		/* ... and costs the fill's bytes: below 4 Ki units it is not run */
		memset(&done, 0xee, sizeof(done));
		small.seqno = 79;
		ASSERT_EQ(ENPU_ENGINE_PAUSED,
			  enpu_engine_run_bounded(&self->w.e, &small, &done, 4095));
		EXPECT_EQ(0xeeeeeeee, done.status);
		ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&self->w.e, &done));
		EXPECT_EQ(79, done.seqno);
		EXPECT_EQ(ENPU_JOB_OK, done.status);
	}
	ts_free(&s);

	/* a stream longer than the budget: not started, nothing parked */
	ASSERT_EQ(ENPU_ENGINE_DEFERRED,
		  enpu_engine_run_bounded(&self->w.e, &small, &done, small.cmd_size - 1));
	EXPECT_EQ(NULL, self->w.e.parked);
	/* another address space: SRAM (512 KiB) would be cleared first */
	small.asid++;
	ASSERT_EQ(ENPU_ENGINE_DEFERRED,
		  enpu_engine_run_bounded(&self->w.e, &small, &done, 64 * 1024 / 2 - 1));
	EXPECT_EQ(NULL, self->w.e.parked);
	EXPECT_EQ(ENPU_SRAM_OWNED | self->w.desc.asid, atomic_load(&self->w.e.sram_owner));
}

/* An abort reaches a parked job: it ends ABORTED when resumed. */
TEST_F(park, abort_of_a_parked_job)
{
	struct enpu_job_completion done;
	uint32_t bytes;

	enpu_engine_pause(&self->w.e);
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&self->w.e, &self->w.desc, &done));
	ASSERT_EQ(0, migrate_engine(&self->w, &bytes));
	enpu_engine_abort(&self->w.e);
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&self->w.e, &done));
	EXPECT_EQ(ENPU_JOB_ABORTED, done.status);
	EXPECT_EQ(77, done.seqno);
}

/* A reset or a new job drops a parked one. */
TEST_F(park, reset_drops_a_parked_job)
{
	struct enpu_job_completion done;

	enpu_engine_pause(&self->w.e);
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&self->w.e, &self->w.desc, &done));
	enpu_engine_reset(&self->w.e);
	EXPECT_EQ(-1, enpu_engine_resume(&self->w.e, &done));
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&self->w.e, &self->w.desc, &done));
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&self->w.e, &self->w.desc, &done));
	enpu_engine_unpause(&self->w.e);
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&self->w.e, &done));
	EXPECT_EQ(-1, enpu_engine_resume(&self->w.e, &done));
}

/* Parks the job of @w a few commands in, and saves it. */
static int park_midway(struct world *w, uint8_t **buf, uint32_t *len)
{
	struct runner r = { .w = w };
	pthread_t th;

	atomic_store(&r.finished, 0);
	if (pthread_create(&th, NULL, runner_thread, &r))
		return -1;
	while (enpu_engine_progress(&w->e) < 12 && !atomic_load(&r.finished))
		usleep(100);
	enpu_engine_pause(&w->e);
	pthread_join(th, NULL);
	if (r.ret != ENPU_ENGINE_PAUSED)
		return -1;
	return enpu_engine_save(&w->e, buf, len);
}

/*
 * Bytes that are not a parked job are refused: every truncation, a wrong
 * header, and single-byte changes the checks can see. Any change that
 * loads still runs to an end (the sanitizers watch).
 */
TEST_F(park, broken_bytes_are_refused)
{
	struct enpu_engine fresh;
	struct enpu_job_completion done;
	unsigned int seed = (unsigned int)time(NULL), loaded = 0, i;
	uint8_t *buf, *bad;
	uint32_t len, n;

	ASSERT_EQ(0, park_midway(&self->w, &buf, &len));
	bad = malloc(len);
	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, enpu_engine_init(&fresh, &self->w.e.sku, &tbus_ops, &self->w.bus));

	for (n = 0; n < len; n += n < 4096 ? 1 : 997)
		ASSERT_EQ(-1, enpu_engine_load(&fresh, buf, n)) TH_LOG("%u of %u bytes", n, len);
	memcpy(bad, buf, len);
	bad[0] ^= 1;			/* magic */
	EXPECT_EQ(-1, enpu_engine_load(&fresh, bad, len));
	memcpy(bad, buf, len);
	bad[4] ^= 2;			/* version */
	EXPECT_EQ(-1, enpu_engine_load(&fresh, bad, len));
	EXPECT_EQ(NULL, fresh.parked);

	TH_LOG("seed %u", seed);
	srand(seed);
	for (i = 0; i < 300; i++) {
		uint32_t at = (uint32_t)rand() % len;

		memcpy(bad, buf, len);
		bad[at] ^= (uint8_t)(1u << (rand() % 8));
		if (enpu_engine_load(&fresh, bad, len))
			continue;
		/* a few run on to their end, the others stop at their first step */
		if (++loaded > 3)
			enpu_engine_abort(&fresh);
		ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&fresh, &done));
		enpu_engine_clear_abort(&fresh);
	}
	TH_LOG("%u of 300 one-bit changes loaded (data, clocks) and ran to an end", loaded);
	ASSERT_EQ(0, enpu_engine_load(&fresh, buf, len));
	free(bad);
	free(buf);
	enpu_engine_destroy(&fresh);
}

/*
 * An image of version 1 (before the memory channels' state was saved)
 * still loads: the same bytes with version 1 and without the channels'
 * state at the end resume to the same results; the version-2 image with
 * its state cut off, or a version 1 image with the state, is refused.
 */
TEST_F(park, version1_images_load)
{
	const uint32_t share_bytes = 8 + 2 * (8 + 8 * ENPU_T_PARTS + 4);
	struct enpu_job_completion done;
	struct enpu_engine fresh;
	uint8_t *buf;
	uint32_t len;

	ASSERT_EQ(0, park_midway(&self->w, &buf, &len));
	/* a new engine as migration makes it: the SRAM and its owner carried over */
	ASSERT_EQ(0, enpu_engine_init(&fresh, &self->w.e.sku, &tbus_ops, &self->w.bus));
	memcpy(fresh.sram, self->w.e.sram, self->w.e.sku.sram_size);
	atomic_store(&fresh.sram_owner, atomic_load(&self->w.e.sram_owner));
	enpu_engine_destroy(&self->w.e);
	self->w.e = fresh;
	ASSERT_EQ(2, buf[4]);
	EXPECT_EQ(-1, enpu_engine_load(&self->w.e, buf, len - share_bytes));
	buf[4] = 1;
	EXPECT_EQ(-1, enpu_engine_load(&self->w.e, buf, len));
	ASSERT_EQ(0, enpu_engine_load(&self->w.e, buf, len - share_bytes));
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&self->w.e, &done));
	EXPECT_EQ(ENPU_JOB_OK, done.status);
	EXPECT_EQ(self->ref_done.commands, done.commands);
	EXPECT_TRUE(same_results(&self->ref, &self->w));
	free(buf);
}

/*
 * A LUT's result parked with the job: the compute engine holds it from
 * the LUT's start to its finish. A bus that requests a pause as the DMA
 * engine reads its copy's source -- the LUT has started by then -- parks
 * the job with both engines holding a result. Saved, loaded into a new
 * engine and resumed, the LUT (in place) writes the table applied once,
 * and the job ends as it does without the pause. An engine for a device
 * without the LUT refuses those bytes.
 */
enum { LUT_VA = 0x100000, LUT_TABLE = 0x200000, LUT_CP = 0x300000, LUT_N = 100003 };

struct lut_world {
	struct tbus bus;
	struct tctx ctx;
	struct enpu_engine e;
	struct enpu_job_desc desc;
	uint64_t trigger;	/* the bus address whose read requests a pause */
	int armed;
};

static int lut_bus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct lut_world *w = opaque;

	if (w->armed && w->trigger >= addr && w->trigger - addr < len) {
		w->armed = 0;
		enpu_engine_pause(&w->e);
	}
	return tbus_ops.read(&w->bus, addr, buf, len);
}

static int lut_bus_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	struct lut_world *w = opaque;

	return tbus_ops.write(&w->bus, addr, buf, len);
}

static const struct enpu_mem_ops lut_bus_ops = {
	.read = lut_bus_read,
	.write = lut_bus_write,
};

/* The same memory, stream and descriptor every time; the table in @table. */
static int lut_world_init(struct lut_world *w, int8_t *table)
{
	struct enpu_cmd_lut lut = {
		.src = LUT_VA, .dst = LUT_VA, .table = LUT_TABLE, .count = LUT_N,
	};
	struct enpu_cmd_dma_copy cp = {
		.src = LUT_CP, .dst = LUT_CP + 64, .row_bytes = 64, .rows = 1, .planes = 1,
	};
	uint8_t *src = malloc(LUT_N);
	struct tstream s;
	uint64_t cmd;

	memset(w, 0, sizeof(*w));
	if (!src || tbus_init(&w->bus, 8 << 20) ||
	    enpu_engine_init(&w->e, &tbus_default_sku, &lut_bus_ops, w)) {
		free(src);
		return -1;
	}
	tctx_init(&w->ctx, &w->bus, 5);
	tctx_map_new(&w->ctx, LUT_VA, LUT_N, RW);
	tctx_map_new(&w->ctx, LUT_TABLE, ENPU_LUT_ENTRIES, RW);
	tctx_map_new(&w->ctx, LUT_CP, 128, RW);
	rng_fill(src, LUT_N, 7);
	tctx_write(&w->ctx, LUT_VA, src, LUT_N);
	rng_fill((uint8_t *)table, ENPU_LUT_ENTRIES, 8);
	tctx_write(&w->ctx, LUT_TABLE, table, ENPU_LUT_ENTRIES);
	rng_fill(src, 64, 9);
	tctx_write(&w->ctx, LUT_CP, src, 64);
	free(src);
	w->trigger = *tctx_pte(&w->ctx, LUT_CP) & ENPU_PTE_ADDR_MASK;

	ts_init(&s);
	ts_cmd(&s, ENPU_OP_LUT, &lut, sizeof(lut));
	ts_cmd(&s, ENPU_OP_DMA_COPY, &cp, sizeof(cp));
	ts_end(&s);
	cmd = tbus_alloc(&w->bus, s.n * 4, 64);
	memcpy(w->bus.mem + cmd, s.w, s.n * 4);
	w->desc.seqno = 9;
	w->desc.asid = w->ctx.asid;
	w->desc.cmd_size = s.n * 4;
	w->desc.pt_base = w->ctx.l1;
	w->desc.cmd_addr = cmd;
	w->desc.completion_addr = tbus_alloc(&w->bus, 128, 64);
	ts_free(&s);
	return 0;
}

static void lut_world_fini(struct lut_world *w)
{
	enpu_engine_destroy(&w->e);
	tbus_fini(&w->bus);
}

TEST(lut_result_parked_and_migrated)
{
	static uint8_t src[LUT_N], got[LUT_N], want[LUT_N];
	static struct lut_world ref, w;
	struct enpu_job_completion ref_done, done;
	struct enpu_engine fresh, older;
	const struct enpu_pending *pend;
	int8_t table[ENPU_LUT_ENTRIES];
	uint8_t *buf, a[128], b[128];
	uint32_t len;
	int i;

	ASSERT_EQ(0, lut_world_init(&ref, table));
	ASSERT_EQ(0, lut_world_init(&w, table));
	tctx_read(&w.ctx, LUT_VA, src, LUT_N);
	for (i = 0; i < LUT_N; i++)
		want[i] = (uint8_t)table[(int8_t)src[i] + 128];
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_run(&ref.e, &ref.desc, &ref_done));
	ASSERT_EQ(ENPU_JOB_OK, ref_done.status);
	tctx_read(&ref.ctx, LUT_VA, got, LUT_N);
	ASSERT_EQ(0, memcmp(want, got, LUT_N));

	w.armed = 1;
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&w.e, &w.desc, &done));
	ASSERT_NE(NULL, w.e.parked);
	pend = &w.e.parked->s.pend[ENPU_ENGINE_COMPUTE];
	ASSERT_TRUE(w.e.parked->s.busy[ENPU_ENGINE_COMPUTE]);
	ASSERT_EQ(ENPU_OP_LUT, pend->info.opcode);
	ASSERT_NE(NULL, pend->result);
	ASSERT_EQ(0, memcmp(want, pend->result, LUT_N));
	EXPECT_TRUE(w.e.parked->s.busy[ENPU_ENGINE_DMA]);
	tctx_read(&w.ctx, LUT_VA, got, LUT_N);
	EXPECT_EQ(0, memcmp(src, got, LUT_N)) TH_LOG("the parked LUT wrote");

	ASSERT_EQ(0, enpu_engine_save(&w.e, &buf, &len));
	EXPECT_LE(LUT_N, len);
	ASSERT_EQ(0, enpu_engine_init(&older, &tbus_default_sku, &tbus_ops, &w.bus));
	older.caps &= ~ENPU_CAP_LUT;
	EXPECT_EQ(-1, enpu_engine_load(&older, buf, len));
	EXPECT_EQ(NULL, older.parked);
	enpu_engine_destroy(&older);
	ASSERT_EQ(0, enpu_engine_init(&fresh, &tbus_default_sku, &tbus_ops, &w.bus));
	enpu_engine_destroy(&w.e);
	w.e = fresh;
	ASSERT_EQ(0, enpu_engine_load(&w.e, buf, len));
	free(buf);
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&w.e, &done));
	expect_same_completion(_metadata, &ref_done, &done);
	tctx_read(&w.ctx, LUT_VA, got, LUT_N);
	EXPECT_EQ(0, memcmp(want, got, LUT_N)) TH_LOG("the LUT's result after the migration");
	tctx_read(&ref.ctx, LUT_CP, a, sizeof(a));
	tctx_read(&w.ctx, LUT_CP, b, sizeof(b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	lut_world_fini(&w);
	lut_world_fini(&ref);
}

/*
 * An ELTWISE's result parked with the job, as the LUT's above: a MUL of
 * a state by a broadcast row, in place over the state, started when the
 * DMA engine's copy requests the pause. Saved, loaded into a new engine
 * and resumed, it writes the product once (the hw/int8 kernel's, bit for
 * bit), and the job ends as it does without the pause. An engine for a
 * device without ELTWISE refuses those bytes; one without the LUT takes
 * them.
 */
enum {
	ELT_VA = 0x100000, ELT_ROW = 0x200000, ELT_CP = 0x300000,
	ELT_H = 7, ELT_W = 113, ELT_C = 127, ELT_N = ELT_H * ELT_W * ELT_C,
};

static struct enpu_cmd_eltwise elt_mul(void)
{
	struct enpu_cmd_eltwise c = {
		.op = ENPU_ELTWISE_MUL, .input1 = ELT_VA, .input2 = ELT_ROW, .output = ELT_VA,
		.in1_shape = { 1, ELT_H, ELT_W, ELT_C }, .in2_shape = { 1, 1, 1, ELT_C },
		.out_shape = { 1, ELT_H, ELT_W, ELT_C },
		.input1_zero_point = -3, .input2_zero_point = 11, .output_zero_point = 2,
		.act_min = -128, .act_max = 127,
	};
	struct enpu_mul_params p = { 0 };

	if (enpu_mul_derive(0.04f, 0.03f, 0.01f, &p))
		abort();
	c.output_multiplier = p.output_multiplier;
	c.output_shift = p.output_shift;
	return c;
}

/* What the MUL writes over @state, by the hw/int8 kernel. */
static int elt_want(const int8_t *state, const int8_t *row, int8_t *out)
{
	struct enpu_cmd_eltwise c = elt_mul();
	struct enpu_mul_params p = {
		.input1 = { 4, { 1, ELT_H, ELT_W, ELT_C } },
		.input2 = { 4, { 1, 1, 1, ELT_C } },
		.output = { 4, { 1, ELT_H, ELT_W, ELT_C } },
		.input1_zero_point = c.input1_zero_point,
		.input2_zero_point = c.input2_zero_point,
		.output_zero_point = c.output_zero_point,
		.output_multiplier = c.output_multiplier, .output_shift = c.output_shift,
		.act_min = c.act_min, .act_max = c.act_max,
	};

	return enpu_mul_i8(&p, state, ELT_N, row, ELT_C, out, ELT_N);
}

/* The same memory, stream and descriptor every time. */
static int elt_world_init(struct lut_world *w)
{
	struct enpu_cmd_eltwise mul = elt_mul();
	struct enpu_cmd_dma_copy cp = {
		.src = ELT_CP, .dst = ELT_CP + 64, .row_bytes = 64, .rows = 1, .planes = 1,
	};
	uint8_t *buf = malloc(ELT_N);
	struct tstream s;
	uint64_t cmd;

	memset(w, 0, sizeof(*w));
	if (!buf || tbus_init(&w->bus, 8 << 20) ||
	    enpu_engine_init(&w->e, &tbus_default_sku, &lut_bus_ops, w)) {
		free(buf);
		return -1;
	}
	tctx_init(&w->ctx, &w->bus, 5);
	tctx_map_new(&w->ctx, ELT_VA, ELT_N, RW);
	tctx_map_new(&w->ctx, ELT_ROW, ELT_C, RW);
	tctx_map_new(&w->ctx, ELT_CP, 128, RW);
	rng_fill(buf, ELT_N, 17);
	tctx_write(&w->ctx, ELT_VA, buf, ELT_N);
	rng_fill(buf, ELT_C, 18);
	tctx_write(&w->ctx, ELT_ROW, buf, ELT_C);
	rng_fill(buf, 64, 19);
	tctx_write(&w->ctx, ELT_CP, buf, 64);
	free(buf);
	w->trigger = *tctx_pte(&w->ctx, ELT_CP) & ENPU_PTE_ADDR_MASK;

	ts_init(&s);
	ts_cmd(&s, ENPU_OP_ELTWISE, &mul, sizeof(mul));
	ts_cmd(&s, ENPU_OP_DMA_COPY, &cp, sizeof(cp));
	ts_end(&s);
	cmd = tbus_alloc(&w->bus, s.n * 4, 64);
	memcpy(w->bus.mem + cmd, s.w, s.n * 4);
	w->desc.seqno = 11;
	w->desc.asid = w->ctx.asid;
	w->desc.cmd_size = s.n * 4;
	w->desc.pt_base = w->ctx.l1;
	w->desc.cmd_addr = cmd;
	w->desc.completion_addr = tbus_alloc(&w->bus, 128, 64);
	ts_free(&s);
	return 0;
}

TEST(eltwise_result_parked_and_migrated)
{
	static int8_t state[ELT_N], got[ELT_N], want[ELT_N];
	static struct lut_world ref, w;
	struct enpu_job_completion ref_done, done;
	struct enpu_engine fresh, older;
	const struct enpu_pending *pend;
	int8_t row[ELT_C];
	uint8_t *buf, a[128], b[128];
	uint32_t len;

	ASSERT_EQ(0, elt_world_init(&ref));
	ASSERT_EQ(0, elt_world_init(&w));
	tctx_read(&w.ctx, ELT_VA, state, ELT_N);
	tctx_read(&w.ctx, ELT_ROW, row, ELT_C);
	ASSERT_EQ(0, elt_want(state, row, want));
	ASSERT_NE(0, memcmp(state, want, ELT_N));
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_run(&ref.e, &ref.desc, &ref_done));
	ASSERT_EQ(ENPU_JOB_OK, ref_done.status);
	tctx_read(&ref.ctx, ELT_VA, got, ELT_N);
	ASSERT_EQ(0, memcmp(want, got, ELT_N));

	w.armed = 1;
	ASSERT_EQ(ENPU_ENGINE_PAUSED, enpu_engine_run(&w.e, &w.desc, &done));
	ASSERT_NE(NULL, w.e.parked);
	pend = &w.e.parked->s.pend[ENPU_ENGINE_COMPUTE];
	ASSERT_TRUE(w.e.parked->s.busy[ENPU_ENGINE_COMPUTE]);
	ASSERT_EQ(ENPU_OP_ELTWISE, pend->info.opcode);
	ASSERT_NE(NULL, pend->result);
	ASSERT_EQ(0, memcmp(want, pend->result, ELT_N));
	EXPECT_TRUE(w.e.parked->s.busy[ENPU_ENGINE_DMA]);
	tctx_read(&w.ctx, ELT_VA, got, ELT_N);
	EXPECT_EQ(0, memcmp(state, got, ELT_N)) TH_LOG("the parked ELTWISE wrote");

	ASSERT_EQ(0, enpu_engine_save(&w.e, &buf, &len));
	EXPECT_LE(ELT_N, len);
	ASSERT_EQ(0, enpu_engine_init(&older, &tbus_default_sku, &tbus_ops, &w.bus));
	older.caps &= ~ENPU_CAP_ELTWISE;
	EXPECT_EQ(-1, enpu_engine_load(&older, buf, len));
	EXPECT_EQ(NULL, older.parked);
	enpu_engine_destroy(&older);
	ASSERT_EQ(0, enpu_engine_init(&older, &tbus_default_sku, &tbus_ops, &w.bus));
	older.caps &= ~ENPU_CAP_LUT;
	EXPECT_EQ(0, enpu_engine_load(&older, buf, len)) TH_LOG("refused without the LUT");
	enpu_engine_destroy(&older);
	ASSERT_EQ(0, enpu_engine_init(&fresh, &tbus_default_sku, &tbus_ops, &w.bus));
	enpu_engine_destroy(&w.e);
	w.e = fresh;
	ASSERT_EQ(0, enpu_engine_load(&w.e, buf, len));
	free(buf);
	ASSERT_EQ(ENPU_ENGINE_ENDED, enpu_engine_resume(&w.e, &done));
	expect_same_completion(_metadata, &ref_done, &done);
	tctx_read(&w.ctx, ELT_VA, got, ELT_N);
	EXPECT_EQ(0, memcmp(want, got, ELT_N)) TH_LOG("the ELTWISE's result after the migration");
	tctx_read(&ref.ctx, ELT_CP, a, sizeof(a));
	tctx_read(&w.ctx, ELT_CP, b, sizeof(b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	lut_world_fini(&w);
	lut_world_fini(&ref);
}

TEST_HARNESS_MAIN
