// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile submissions. Every command stream the device would refuse, and
 * every one that reaches memory outside the submitter's listed, mapped
 * (and, where written, writable) buffers or beyond the SRAM, is refused
 * with -EINVAL before anything is queued: no job id is consumed and no
 * byte changes, in this process or in another one whose buffer the
 * stream names; so is a LUT or an ELTWISE on a device without it. SUBMIT
 * and JOB_INFO argument checks.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define BO_SIZE		8192
#define DST_BYTE	0xee
#define CANARY_SIZE	65536

FIXTURE(val) {
	int fd;
	uint64_t sram_size;
	uint32_t hw_caps;
	uint64_t last_id;	/* last job id this file was given */
	struct tbo src;		/* rw, listed, pattern */
	struct tbo dst;		/* rw, listed, DST_BYTE: no attack may change it */
	struct tbo ro;		/* read-only mapping, listed */
	struct tbo unlisted;	/* mapped, never listed */
	struct tbo out;		/* rw, listed: where valid control jobs write */
};

static uint8_t pattern(unsigned int i)
{
	return (uint8_t)(i * 29 + 11);
}

FIXTURE_SETUP(val)
{
	struct drm_edgenpu_device_info dev;
	__u32 size = sizeof(dev);
	unsigned int i;

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &dev, &size));
	self->sram_size = dev.sram_size;
	self->hw_caps = dev.hw_caps;
	ASSERT_LT(0, self->sram_size);
	ASSERT_EQ(0, tbo_create(self->fd, BO_SIZE, DRM_EDGENPU_BO_CREATE_MAP, &self->src));
	ASSERT_EQ(0, tbo_create(self->fd, BO_SIZE, DRM_EDGENPU_BO_CREATE_MAP, &self->dst));
	ASSERT_EQ(0, tbo_create(self->fd, BO_SIZE, DRM_EDGENPU_BO_CREATE_MAP |
				DRM_EDGENPU_BO_CREATE_READ_ONLY, &self->ro));
	ASSERT_EQ(0, tbo_create(self->fd, BO_SIZE, DRM_EDGENPU_BO_CREATE_MAP,
				&self->unlisted));
	ASSERT_EQ(0, tbo_create(self->fd, BO_SIZE, DRM_EDGENPU_BO_CREATE_MAP, &self->out));
	for (i = 0; i < BO_SIZE; i++)
		self->src.cpu[i] = pattern(i);
	memset(self->dst.cpu, DST_BYTE, BO_SIZE);
	memset(self->ro.cpu, 0x44, BO_SIZE);
	memset(self->unlisted.cpu, 0x55, BO_SIZE);
	self->last_id = 0;
}

FIXTURE_TEARDOWN(val)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The job list every attack uses: everything but "unlisted", written where allowed. */
static void list_all(FIXTURE_DATA(val) *self, struct tjob *j)
{
	tjob_bo(j, self->src.handle, 1);
	tjob_bo(j, self->dst.handle, 1);
	tjob_bo(j, self->ro.handle, 0);
	tjob_bo(j, self->out.handle, 1);
}

/* No job id was handed out since the last accepted job. */
static void expect_nothing_issued(struct __test_metadata *_metadata,
				  FIXTURE_DATA(val) *self)
{
	struct drm_edgenpu_job_info info;

	EXPECT_EQ(-EINVAL, tjob_info(self->fd, self->last_id + 1, &info))
		TH_LOG("a refused submission consumed job id %llu",
		       (unsigned long long)self->last_id + 1);
}

/* Submits stream @cs with the usual list; expects @err and nothing issued. */
static void refuse(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self,
		   const struct tcs *cs, int err, const char *what)
{
	struct tjob j = { .cs = cs };

	list_all(self, &j);
	EXPECT_EQ(err, tsubmit(self->fd, &j, 1)) TH_LOG("%s", what);
	expect_nothing_issued(_metadata, self);
}

/* Runs a valid job and checks it got the next id and ended OK. */
static void accept_job(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self,
		       struct tjob *j)
{
	struct drm_edgenpu_job_info info;

	ASSERT_EQ(0, tsubmit(self->fd, j, 1));
	EXPECT_EQ(self->last_id + 1, j->id);
	self->last_id = j->id;
	ASSERT_EQ(0, tjob_wait(self->fd, j->id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
}

/* dst, ro and unlisted still hold what the CPU put there; src too. */
static void expect_untouched(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self)
{
	unsigned int i;

	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, 2000000000ll));
	for (i = 0; i < BO_SIZE; i++) {
		ASSERT_EQ(DST_BYTE, self->dst.cpu[i]) TH_LOG("dst byte %u", i);
		ASSERT_EQ(0x44, self->ro.cpu[i]) TH_LOG("ro byte %u", i);
		ASSERT_EQ(0x55, self->unlisted.cpu[i]) TH_LOG("unlisted byte %u", i);
		ASSERT_EQ(pattern(i), self->src.cpu[i]) TH_LOG("src byte %u", i);
	}
}

/* A good copy src -> out after the attacks: it gets the next id and works. */
static void control_job(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self)
{
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	unsigned int i;

	memset(self->out.cpu, 0, BO_SIZE);
	tcs_copy(&cs, self->src.va, self->out.va, BO_SIZE);
	tcs_end(&cs);
	list_all(self, &j);
	accept_job(_metadata, self, &j);
	ASSERT_EQ(0, tbo_wait(self->fd, self->out.handle, 2000000000ll));
	for (i = 0; i < BO_SIZE; i++) {
		ASSERT_EQ(pattern(i), self->out.cpu[i]) TH_LOG("out byte %u", i);
	}
	expect_untouched(_metadata, self);
}

/*
 * A stream whose commands need capability @cap: refused on a device
 * without it (@what names the case; 1 returned, the device checked still
 * to run a valid job), else run over a zeroed out and waited for (0).
 */
static int run_if_capable(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self,
			  const struct tcs *cs, uint32_t cap, const char *what)
{
	struct tjob j = { .cs = cs };

	if (!(self->hw_caps & cap)) {
		refuse(_metadata, self, cs, -EINVAL, what);
		control_job(_metadata, self);
		return 1;
	}
	memset(self->out.cpu, 0, BO_SIZE);
	list_all(self, &j);
	accept_job(_metadata, self, &j);
	EXPECT_EQ(0, tbo_wait(self->fd, self->out.handle, 2000000000ll));
	return 0;
}

static void words(struct tcs *cs, const uint32_t *w, unsigned int n)
{
	memcpy(cs->w, w, n * 4);
	cs->n = n;
}

static struct enpu_cmd_dma_copy copy_cmd(uint32_t src, uint32_t dst, uint32_t n)
{
	struct enpu_cmd_dma_copy c = {
		.hdr = ENPU_CMD_HDR(ENPU_OP_DMA_COPY, ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy)),
		.src = src, .dst = dst, .row_bytes = n, .rows = 1, .planes = 1,
	};

	return c;
}

/* A stream of one DMA_COPY (as given) and END. */
static void one_copy(struct tcs *cs, const struct enpu_cmd_dma_copy *c)
{
	cs->n = 0;
	memcpy(cs->w, c, sizeof(*c));
	cs->n = sizeof(*c) / 4;
	tcs_end(cs);
}

TEST_F(val, decode_errors)
{
	const uint32_t end = ENPU_CMD_HDR(ENPU_OP_END, 1);
	const uint32_t nop = ENPU_CMD_HDR(ENPU_OP_NOP, 1);
	static const uint32_t bad_ops[] = { 0x04, 0x0f, 0x12, 0x1f, 0x28, 0x7f, 0x80, 0xff };
	struct enpu_cmd_dma_copy c = copy_cmd(self->src.va, self->dst.va, 64);
	struct enpu_cmd_dma_fill f = {
		.dst = self->dst.va, .value = 1, .row_bytes = 64, .rows = 1, .planes = 1,
	};
	struct enpu_cmd_sync sy = { .engine = ENPU_ENGINE_DMA, .sem = 0 };
	struct tcs cs = { .n = 0 };
	unsigned int i;

	for (i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		uint32_t w[] = { nop, ENPU_CMD_HDR(bad_ops[i], 1), end };

		words(&cs, w, 3);
		refuse(_metadata, self, &cs, -EINVAL, "unknown opcode");
	}
	{	/* size field not the opcode's, including 0 (must not loop) */
		uint32_t w0[] = { ENPU_CMD_HDR(ENPU_OP_NOP, 0), end };
		uint32_t w2[] = { ENPU_CMD_HDR(ENPU_OP_NOP, 2), 0, end };
		uint32_t we[] = { ENPU_CMD_HDR(ENPU_OP_END, 2), 0 };

		words(&cs, w0, 2);
		refuse(_metadata, self, &cs, -EINVAL, "NOP of 0 words");
		words(&cs, w2, 3);
		refuse(_metadata, self, &cs, -EINVAL, "NOP of 2 words");
		words(&cs, we, 2);
		refuse(_metadata, self, &cs, -EINVAL, "END of 2 words");
		one_copy(&cs, &c);
		cs.w[0] = ENPU_CMD_HDR(ENPU_OP_DMA_COPY, 11);
		refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY of 11 words");
		cs.w[0] = ENPU_CMD_HDR(ENPU_OP_DMA_COPY, 13);
		refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY of 13 words");
	}
	/* truncated: the command runs past the end of the stream */
	one_copy(&cs, &c);
	cs.n = 6;
	refuse(_metadata, self, &cs, -EINVAL, "truncated DMA_COPY");
	one_copy(&cs, &c);
	memcpy(&cs.w[cs.n - 1], &c, 16);	/* END replaced by 4 words of a copy */
	cs.n += 3;
	refuse(_metadata, self, &cs, -EINVAL, "copy, then a truncated copy");
	/* no END */
	one_copy(&cs, &c);
	cs.n--;
	refuse(_metadata, self, &cs, -EINVAL, "no END");
	{
		uint32_t w[] = { nop, nop, nop };

		words(&cs, w, 3);
		refuse(_metadata, self, &cs, -EINVAL, "NOPs, no END");
	}
	/* reserved header bits */
	for (i = 8; i < 16; i++) {
		uint32_t w[] = { nop | (1u << i), end };
		uint32_t w2[] = { nop, end | (1u << i) };

		words(&cs, w, 2);
		refuse(_metadata, self, &cs, -EINVAL, "reserved bit in NOP header");
		words(&cs, w2, 2);
		refuse(_metadata, self, &cs, -EINVAL, "reserved bit in END header");
	}
	/* reserved fields and out-of-range parameters */
	c.reserved[1] = 1;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY reserved field");
	c.reserved[1] = 0;
	c.rows = 0;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY rows 0");
	c.rows = 65536;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY rows 65536");
	c.rows = 1;
	c.row_bytes = 0;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY row_bytes 0");
	c.row_bytes = 4097;	/* 4097 x 4096 bytes: over the 16 MiB operand limit */
	c.rows = 4096;
	c.src_row_stride = 0;
	c.dst_row_stride = 0;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "DMA_COPY over 16 MiB");

	f.value = 0x100;
	cs.n = 0;
	tcs_cmd(&cs, ENPU_OP_DMA_FILL, &f, sizeof(f));
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "DMA_FILL value above 8 bits");

	sy.sem = ENPU_NUM_SEMS;
	cs.n = 0;
	tcs_cmd(&cs, ENPU_OP_SIGNAL, &sy, sizeof(sy));
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "SIGNAL semaphore 16");
	sy.sem = 0;
	sy.engine = 2;
	cs.n = 0;
	tcs_cmd(&cs, ENPU_OP_SIGNAL, &sy, sizeof(sy));
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "SIGNAL engine 2");
	sy.engine = 0;
	sy.reserved = 1;
	cs.n = 0;
	tcs_cmd(&cs, ENPU_OP_WAIT, &sy, sizeof(sy));
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "WAIT reserved field");

	{
		struct tcs pc = { .n = 0 };

		tcs_pool_copy(&pc, self->src.va, self->dst.va, 8, 8, 8);
		tcs_end(&pc);
		pc.w[1] = 1;	/* flags */
		refuse(_metadata, self, &pc, -EINVAL, "MAX_POOL flags");
		pc.w[1] = 0;
		pc.w[16] = -129;	/* act_min */
		refuse(_metadata, self, &pc, -EINVAL, "MAX_POOL act_min -129");
	}
	/* a valid command before the bad one does not run either */
	cs.n = 0;
	tcs_fill(&cs, self->dst.va, 0, BO_SIZE);
	cs.w[cs.n++] = ENPU_CMD_HDR(0x7f, 1);
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "fill, then an unknown opcode");

	control_job(_metadata, self);
}

TEST_F(val, regions_outside_mappings)
{
	const uint32_t s = self->src.va, d = self->dst.va;
	struct enpu_cmd_dma_copy c;
	struct tcs cs = { .n = 0 };
	struct tjob tj = { .cs = &cs };
	uint64_t gone;
	struct tbo tmp;

	/* nowhere: page 0, the guard pages, unallocated space */
	c = copy_cmd(0, self->out.va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read page 0");
	c = copy_cmd(s, 0x10, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write page 0");
	c = copy_cmd(s + BO_SIZE, self->out.va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read the guard page after src");
	c = copy_cmd(s - 1, self->out.va, 2);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read from just before src");
	c = copy_cmd(s, 0x80000000u, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write to unallocated 0x80000000");
	c = copy_cmd(s, ENPU_SRAM_VA_BASE - 16, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write just below the SRAM window");

	/* past the end of a buffer */
	c = copy_cmd(s, self->out.va, BO_SIZE + 1);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read one byte past src");
	c = copy_cmd(s, d + 8000, 193);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write one byte past dst");
	c = copy_cmd(s, d, 16);
	c.rows = 2;
	c.dst_row_stride = BO_SIZE - 15;	/* second row ends one byte past dst */
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "2-D write past dst");
	c = copy_cmd(s, d, 16);
	c.planes = 3;
	c.src_plane_stride = BO_SIZE / 2;	/* third plane past src */
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "3-D read past src");

	/* extents that wrap 32-bit arithmetic back into the buffer */
	c = copy_cmd(s, d, 16);
	c.rows = 3;
	c.dst_row_stride = 0x80000000u;	/* 2 * stride == 2^32 */
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "rows * stride wraps to 0");
	c = copy_cmd(s, d + 4096, 16);
	c.rows = 2;
	c.dst_row_stride = 0xfffff000u;	/* second row at d + 4096 - 4096 mod 2^32 */
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "row stride wraps below dst");
	c = copy_cmd(s, d, 1);
	c.planes = 65535;
	c.dst_plane_stride = 0xffffffffu;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "planes * plane_stride huge");
	c = copy_cmd(s, d, 1);
	c.rows = 65535;
	c.planes = 65535;
	c.dst_row_stride = 0x10000;
	c.dst_plane_stride = 0x10001;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "rows and planes huge");
	c = copy_cmd(s, 0xffffff00u, 512);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write across 2^32");
	{
		struct tcs pc = { .n = 0 };

		/* 65535 x 65535 x 4 elements: wraps a 32-bit product to a small size */
		tcs_pool_copy(&pc, s, d, 65535, 65535, 4);
		tcs_end(&pc);
		refuse(_metadata, self, &pc, -EINVAL, "MAX_POOL of 2^34 elements");
		pc.n = 0;
		tcs_pool_copy(&pc, s, d, 1, 1, BO_SIZE + 1);
		tcs_end(&pc);
		refuse(_metadata, self, &pc, -EINVAL, "MAX_POOL past both buffers");
	}
	{
		struct enpu_cmd_fc fc = {
			.input = s, .filter = s, .quant = s, .output = d,
			.batches = 2, .in_depth = BO_SIZE / 2 + 1, .out_depth = 1,
			.act_min = -128, .act_max = 127,
		};

		cs.n = 0;
		tcs_cmd(&cs, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
		tcs_end(&cs);
		refuse(_metadata, self, &cs, -EINVAL, "FC input past src");
		fc.in_depth = 16;
		fc.flags = ENPU_FC_FLAG_BIAS;
		fc.bias = s + BO_SIZE - 2;
		cs.n = 0;
		tcs_cmd(&cs, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
		tcs_end(&cs);
		refuse(_metadata, self, &cs, -EINVAL, "FC bias past src");
	}

	/* SRAM: inside is fine, beyond its size is not */
	c = copy_cmd(s, ENPU_SRAM_VA_BASE + self->sram_size - 8, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write across the end of SRAM");
	c = copy_cmd(ENPU_SRAM_VA_BASE + self->sram_size, self->out.va, 1);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read just past SRAM");
	c = copy_cmd(s, 0xffff0000u, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write far beyond SRAM");
	c = copy_cmd(ENPU_SRAM_VA_BASE, self->out.va, BO_SIZE);
	c.rows = 2;
	c.src_row_stride = self->sram_size - BO_SIZE + 1;
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "2-D read past SRAM");
	{
		struct tcs ok = { .n = 0 };
		struct tjob j = { .cs = &ok };
		unsigned int i;

		memset(self->out.cpu, 0, BO_SIZE);
		tcs_copy(&ok, s, ENPU_SRAM_VA_BASE + self->sram_size - BO_SIZE, BO_SIZE);
		tcs_copy(&ok, ENPU_SRAM_VA_BASE + self->sram_size - BO_SIZE,
			 self->out.va, BO_SIZE);
		tcs_end(&ok);
		list_all(self, &j);
		accept_job(_metadata, self, &j);
		ASSERT_EQ(0, tbo_wait(self->fd, self->out.handle, 2000000000ll));
		for (i = 0; i < BO_SIZE; i++) {
			ASSERT_EQ(pattern(i), self->out.cpu[i]) TH_LOG("SRAM round trip, byte %u", i);
		}
	}

	/* an unmapped VA of a listed buffer */
	ASSERT_EQ(0, tbo_create(self->fd, BO_SIZE, 0, &tmp));
	ASSERT_EQ(0, tvm_map(self->fd, tmp.handle, 0, &gone));
	ASSERT_EQ(0, tvm_unmap(self->fd, gone));
	c = copy_cmd(s, gone, 16);
	one_copy(&cs, &c);
	list_all(self, &tj);
	tjob_bo(&tj, tmp.handle, 1);
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, &tj, 1));
	expect_nothing_issued(_metadata, self);
	tbo_close(self->fd, &tmp);

	control_job(_metadata, self);
}

TEST_F(val, buffer_list_and_permissions)
{
	struct enpu_cmd_dma_copy c;
	struct tcs cs = { .n = 0 };
	uint64_t dst_ro_va;

	/* mapped, but not in the job's list */
	c = copy_cmd(self->unlisted.va, self->out.va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read an unlisted buffer");
	c = copy_cmd(self->src.va, self->unlisted.va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write an unlisted buffer");

	/* written, but listed without WRITE */
	c = copy_cmd(self->src.va, self->dst.va, 16);
	one_copy(&cs, &c);
	{
		struct tjob j = { .cs = &cs };

		tjob_bo(&j, self->src.handle, 1);
		tjob_bo(&j, self->dst.handle, 0);
		EXPECT_EQ(-EINVAL, tsubmit(self->fd, &j, 1));
		expect_nothing_issued(_metadata, self);
	}
	/* a read-only mapping, listed with WRITE */
	c = copy_cmd(self->src.va, self->ro.va, 16);
	one_copy(&cs, &c);
	{
		struct tjob j = { .cs = &cs };

		tjob_bo(&j, self->src.handle, 0);
		tjob_bo(&j, self->ro.handle, 1);
		EXPECT_EQ(-EINVAL, tsubmit(self->fd, &j, 1));
		expect_nothing_issued(_metadata, self);
	}
	cs.n = 0;
	tcs_fill(&cs, self->ro.va, 0, 1);
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "fill a read-only mapping");

	/* a read-only second mapping of a writable buffer */
	ASSERT_EQ(0, tvm_map(self->fd, self->dst.handle, DRM_EDGENPU_VM_MAP_READ_ONLY,
			     &dst_ro_va));
	c = copy_cmd(self->src.va, dst_ro_va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write dst through its read-only VA");

	/* reading through read-only mappings is fine */
	{
		struct tcs ok = { .n = 0 };
		struct tjob j = { .cs = &ok };
		unsigned int i;

		tcs_copy(&ok, self->ro.va, self->out.va, 4096);
		tcs_copy(&ok, dst_ro_va + 4096, self->out.va + 4096, 4096);
		tcs_end(&ok);
		tjob_bo(&j, self->ro.handle, 0);
		tjob_bo(&j, self->dst.handle, 0);
		tjob_bo(&j, self->out.handle, 1);
		accept_job(_metadata, self, &j);
		ASSERT_EQ(0, tbo_wait(self->fd, self->out.handle, 2000000000ll));
		for (i = 0; i < BO_SIZE; i++) {
			ASSERT_EQ(i < 4096 ? 0x44 : DST_BYTE, self->out.cpu[i]) TH_LOG("byte %u", i);
		}
	}
	EXPECT_EQ(0, tvm_unmap(self->fd, dst_ro_va));
	control_job(_metadata, self);
}

/* Two jobs in one submission, the second invalid: neither is queued. */
TEST_F(val, all_or_nothing)
{
	struct tcs good = { .n = 0 }, bad = { .n = 0 };
	struct tjob j[3] = { { .cs = &good }, { .cs = &good }, { .cs = &bad } };
	unsigned int i;

	tcs_fill(&good, self->dst.va, 0, BO_SIZE);
	tcs_end(&good);
	tcs_fill(&bad, self->unlisted.va, 0, BO_SIZE);
	tcs_end(&bad);
	for (i = 0; i < 3; i++)
		list_all(self, &j[i]);
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, j, 3));
	expect_nothing_issued(_metadata, self);
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, j, 2 + 1));
	expect_nothing_issued(_metadata, self);
	/* the bad job first */
	j[0].cs = &bad;
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, j, 2));
	expect_nothing_issued(_metadata, self);
	usleep(50000);
	expect_untouched(_metadata, self);
	control_job(_metadata, self);
}

/*
 * Another process's buffer: its VA means nothing in our address space.
 * The child keeps a canary buffer mapped; we aim every attack at its VA;
 * the canary must not change by a single byte.
 */
TEST_F(val, other_process_buffer)
{
	int to_child[2], to_parent[2];
	uint64_t canary_va, ok_byte;
	struct enpu_cmd_dma_copy c;
	struct tcs cs = { .n = 0 };
	struct tbo big;
	pid_t pid;
	unsigned int i;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tbo filler, canary;
		uint64_t v;
		int fd = edgenpu_open();

		if (fd < 0)
			_exit(10);
		/* put the canary above the parent's small buffers */
		if (tbo_create(fd, 1 << 20, DRM_EDGENPU_BO_CREATE_MAP, &filler) ||
		    tbo_create(fd, CANARY_SIZE, DRM_EDGENPU_BO_CREATE_MAP, &canary))
			_exit(11);
		for (i = 0; i < CANARY_SIZE; i++)
			canary.cpu[i] = (uint8_t)(i ^ 0xa5);
		if (tpipe_put(to_parent[1], canary.va) ||
		    tpipe_get(to_child[0], &v, 20000))
			_exit(12);
		if (tbo_wait(fd, canary.handle, 2000000000ll))
			_exit(13);
		for (i = 0; i < CANARY_SIZE; i++)
			if (canary.cpu[i] != (uint8_t)(i ^ 0xa5))
				_exit(14);
		tbo_close(fd, &canary);
		tbo_close(fd, &filler);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, tpipe_get(to_parent[0], &canary_va, 10000));
	ASSERT_NE(0, canary_va);
	/* not inside any of our buffers (they are all small and low) */
	EXPECT_LE(self->out.va + BO_SIZE, canary_va);
	EXPECT_LE(self->unlisted.va + BO_SIZE, canary_va);

	c = copy_cmd(canary_va, self->out.va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "read the other process's canary");
	c = copy_cmd(self->src.va, canary_va, 16);
	one_copy(&cs, &c);
	refuse(_metadata, self, &cs, -EINVAL, "write the other process's canary");
	cs.n = 0;
	tcs_fill(&cs, canary_va, 0, CANARY_SIZE);
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "fill the other process's canary");
	cs.n = 0;
	tcs_pool_copy(&cs, self->src.va, canary_va, 1, 1, 64);
	tcs_end(&cs);
	refuse(_metadata, self, &cs, -EINVAL, "MAX_POOL into the canary");

	/*
	 * Now map a buffer of our own over that VA: the same numbers reach
	 * our buffer, never the other process's.
	 */
	ASSERT_EQ(0, tbo_create(self->fd, 4 << 20, DRM_EDGENPU_BO_CREATE_MAP, &big));
	ASSERT_LE(big.va, canary_va);
	ASSERT_LE(canary_va + CANARY_SIZE, big.va + big.size);
	memset(big.cpu, 0x33, big.size);
	cs.n = 0;
	tcs_fill(&cs, canary_va, 0xc3, CANARY_SIZE);
	tcs_end(&cs);
	{
		struct tjob j = { .cs = &cs };

		tjob_bo(&j, big.handle, 1);
		accept_job(_metadata, self, &j);
	}
	ASSERT_EQ(0, tbo_wait(self->fd, big.handle, 2000000000ll));
	for (i = 0; i < big.size; i += 4096) {
		uint64_t va = big.va + i;
		uint8_t want = va >= canary_va && va < canary_va + CANARY_SIZE ? 0xc3 : 0x33;

		ASSERT_EQ(want, big.cpu[i]) TH_LOG("offset %u", i);
	}
	tbo_close(self->fd, &big);

	ok_byte = 1;
	ASSERT_EQ(0, tpipe_put(to_child[1], ok_byte));
	EXPECT_EQ(0, tchild_wait(pid, 10000)) TH_LOG("the other process's canary changed");
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	control_job(_metadata, self);
}

/* ---- LUT (contract 0.4) ------------------------------------------------------ */

#define LUT_TAB_OFF	1000	/* the table: 256 bytes of src's pattern */

/* A stream of one LUT and END. */
static void one_lut(struct tcs *cs, uint32_t src, uint32_t dst, uint32_t table,
		    uint32_t count)
{
	struct enpu_cmd_lut l = {
		.src = src, .dst = dst, .table = table, .count = count,
	};

	cs->n = 0;
	tcs_cmd(cs, ENPU_OP_LUT, &l, sizeof(l));
	tcs_end(cs);
}

/*
 * On a device with the LUT (CAPS bit 9), a LUT over every int8 value
 * passes validation and writes the table applied, and a second one in
 * place applies it again; on one without, the same stream is refused. A
 * LUT whose table or destination (or source) lies outside the job's
 * buffers, in a buffer it may not write or past SRAM is refused either way.
 */
TEST_F(val, lut)
{
	const uint32_t count = BO_SIZE - 3, tab = self->src.va + LUT_TAB_OFF;
	const uint32_t sram_end = ENPU_SRAM_VA_BASE + self->sram_size;
	const uint8_t *t = self->src.cpu + LUT_TAB_OFF;
	struct tcs cs = { .n = 0 };
	struct enpu_cmd_lut l = {
		.src = self->src.va, .dst = self->out.va, .table = tab, .count = count,
	};
	unsigned int i;

	/* the table is not the identity */
	for (i = 0; i < 256 && t[i] == (uint8_t)(i - 128); i++)
		;
	ASSERT_GT(256, i);

	/* table outside the job's buffers, or past SRAM */
	one_lut(&cs, self->src.va, self->out.va, self->src.va + BO_SIZE - 255, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT table one byte past src");
	one_lut(&cs, self->src.va, self->out.va, self->unlisted.va, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT table in an unlisted buffer");
	one_lut(&cs, self->src.va, self->out.va, 0, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT table at page 0");
	one_lut(&cs, self->src.va, self->out.va, sram_end - 255, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT table one byte past SRAM");
	/* destination outside the job's buffers, read-only, or past SRAM */
	one_lut(&cs, self->src.va, self->out.va + BO_SIZE - 63, tab, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT dst one byte past out");
	one_lut(&cs, self->src.va, self->unlisted.va, tab, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT dst in an unlisted buffer");
	one_lut(&cs, self->src.va, self->ro.va, tab, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT dst in a read-only buffer");
	one_lut(&cs, self->src.va, sram_end - 32, tab, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT dst across the end of SRAM");
	/* and the source */
	one_lut(&cs, self->src.va + BO_SIZE - 63, self->out.va, tab, 64);
	refuse(_metadata, self, &cs, -EINVAL, "LUT src one byte past src");
	expect_untouched(_metadata, self);

	cs.n = 0;
	tcs_cmd(&cs, ENPU_OP_LUT, &l, sizeof(l));
	l.src = self->out.va;
	tcs_cmd(&cs, ENPU_OP_LUT, &l, sizeof(l));	/* in place */
	tcs_end(&cs);
	if (run_if_capable(_metadata, self, &cs, ENPU_CAP_LUT,
			   "LUT on a device without it"))
		return;
	for (i = 0; i < BO_SIZE; i++) {
		uint8_t once = t[(uint8_t)(pattern(i) ^ 0x80)];
		uint8_t want = i < count ? t[(uint8_t)(once ^ 0x80)] : 0;

		ASSERT_EQ(want, self->out.cpu[i]) TH_LOG("out byte %u", i);
	}
	expect_untouched(_metadata, self);
	control_job(_metadata, self);
}

/* ---- a LUT fused into FULLY_CONNECTED (contract 0.6) -------------------------- */

#define FUSED_N		8	/* an 8 x 8 FULLY_CONNECTED */
#define FUSED_OUT_OFF	512	/* its output, in out */

/* One FULLY_CONNECTED of src with zero multipliers (quant) and a table, and END. */
static void one_fused_fc(struct tcs *cs, uint32_t src, uint32_t quant, uint32_t table,
			 uint32_t out)
{
	struct enpu_cmd_fc fc = {
		.flags = ENPU_FC_FLAG_LUT, .input = src, .filter = src, .quant = quant,
		.lut = table, .output = out, .batches = 1, .in_depth = FUSED_N,
		.out_depth = FUSED_N, .output_zero_point = -128, .act_min = -128,
		.act_max = 127,
	};

	cs->n = 0;
	tcs_cmd(cs, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	tcs_end(cs);
}

/*
 * A table fused into FULLY_CONNECTED (CAPS bit 11) is a region the kernel
 * checks like any other: outside the job's buffers, in an unlisted one or
 * past SRAM it is refused. On a device with the capability the command
 * runs: zero multipliers make every result the zero point, -128, so the
 * output is table[0] throughout; on one without, it is refused.
 */
TEST_F(val, fused_lut)
{
	const uint32_t tab = self->src.va + LUT_TAB_OFF, quant = self->out.va;
	const uint32_t out = self->out.va + FUSED_OUT_OFF;
	const uint32_t sram_end = ENPU_SRAM_VA_BASE + self->sram_size;
	const uint8_t *t = self->src.cpu + LUT_TAB_OFF;
	struct tcs cs = { .n = 0 };
	unsigned int i;

	one_fused_fc(&cs, self->src.va, quant, self->src.va + BO_SIZE - 255, out);
	refuse(_metadata, self, &cs, -EINVAL, "fused table one byte past src");
	one_fused_fc(&cs, self->src.va, quant, self->unlisted.va, out);
	refuse(_metadata, self, &cs, -EINVAL, "fused table in an unlisted buffer");
	one_fused_fc(&cs, self->src.va, quant, 0, out);
	refuse(_metadata, self, &cs, -EINVAL, "fused table at page 0");
	one_fused_fc(&cs, self->src.va, quant, sram_end - 255, out);
	refuse(_metadata, self, &cs, -EINVAL, "fused table one byte past SRAM");
	expect_untouched(_metadata, self);

	one_fused_fc(&cs, self->src.va, quant, tab, out);
	if (run_if_capable(_metadata, self, &cs, ENPU_CAP_FUSED_LUT,
			   "a fused table on a device without it"))
		return;
	for (i = 0; i < FUSED_N; i++)
		ASSERT_EQ(t[0], self->out.cpu[FUSED_OUT_OFF + i]) TH_LOG("out byte %u", i);
	ASSERT_EQ(0, self->out.cpu[FUSED_OUT_OFF + FUSED_N]);
	expect_untouched(_metadata, self);
	control_job(_metadata, self);
}

/* ---- ELTWISE (contract 0.5) ------------------------------------------------- */

#define ELT_C		128		/* a row broadcast over a [1, 1, H, C] tensor */
#define ELT_H		(BO_SIZE / ELT_C)
#define ELT_ROW2	1000		/* the second row: src's bytes from there */

/* A stream of one ELTWISE of @op, a [1, 1, H, C] tensor with a [1, 1, 1, C] row, and END. */
static void one_eltwise(struct tcs *cs, uint32_t op, uint32_t in1, uint32_t in2,
			uint32_t out, uint32_t h)
{
	struct enpu_cmd_eltwise e = {
		.hdr = ENPU_CMD_HDR(ENPU_OP_ELTWISE, ENPU_CMD_WORDS_OF(struct enpu_cmd_eltwise)),
		.op = op, .input1 = in1, .input2 = in2, .output = out,
		.in1_shape = { 1, 1, h, ELT_C }, .in2_shape = { 1, 1, 1, ELT_C },
		.out_shape = { 1, 1, h, ELT_C },
	};

	tcs_cmd(cs, ENPU_OP_ELTWISE, &e, sizeof(e));
}

/*
 * On a device with ELTWISE (CAPS bit 10), a MAX of src and its first row
 * broadcast over it, then a MIN in place of that with another row of
 * src's, pass validation and write the larger, then the smaller, raw int8
 * values;
 * on one without, the same stream is refused. An ELTWISE with an input
 * or its output outside the job's buffers, in a buffer it may not write
 * or past SRAM is refused either way.
 */
TEST_F(val, eltwise)
{
	const uint32_t sram_end = ENPU_SRAM_VA_BASE + self->sram_size;
	const uint32_t tail = self->src.va + BO_SIZE - ELT_C;
	struct tcs cs = { .n = 0 };
	unsigned int i;

#define ELT_REFUSE(op, in1, in2, out, h, what) do {			\
		cs.n = 0;						\
		one_eltwise(&cs, (op), (in1), (in2), (out), (h));	\
		tcs_end(&cs);						\
		refuse(_metadata, self, &cs, -EINVAL, (what));		\
	} while (0)
	/* inputs outside the job's buffers, or past SRAM */
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va + 1, self->src.va, self->out.va, ELT_H,
		   "ELTWISE input1 one byte past src");
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va, tail + 1, self->out.va, ELT_H,
		   "ELTWISE input2 one byte past src");
	ELT_REFUSE(ENPU_ELTWISE_SUB, self->src.va, self->unlisted.va, self->out.va, 1,
		   "ELTWISE input2 in an unlisted buffer");
	ELT_REFUSE(ENPU_ELTWISE_MIN, self->unlisted.va, self->src.va, self->out.va, 1,
		   "ELTWISE input1 in an unlisted buffer");
	ELT_REFUSE(ENPU_ELTWISE_MUL, 0, self->src.va, self->out.va, 1,
		   "ELTWISE input1 at page 0");
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va, sram_end - ELT_C + 1, self->out.va, 1,
		   "ELTWISE input2 one byte past SRAM");
	/* output outside the job's buffers, read-only, or past SRAM */
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va, self->src.va, self->out.va + 1, ELT_H,
		   "ELTWISE output one byte past out");
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va, self->src.va, self->unlisted.va, 1,
		   "ELTWISE output in an unlisted buffer");
	ELT_REFUSE(ENPU_ELTWISE_MIN, self->src.va, self->src.va, self->ro.va, 1,
		   "ELTWISE output in a read-only buffer");
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va, self->src.va, sram_end - 64, 1,
		   "ELTWISE output across the end of SRAM");
	ELT_REFUSE(ENPU_ELTWISE_MAX, self->src.va, self->src.va, self->dst.va - 64, 1,
		   "ELTWISE output across the start of dst");
#undef ELT_REFUSE
	expect_untouched(_metadata, self);

	cs.n = 0;
	one_eltwise(&cs, ENPU_ELTWISE_MAX, self->src.va, self->src.va, self->out.va, ELT_H);
	one_eltwise(&cs, ENPU_ELTWISE_MIN, self->out.va, self->src.va + ELT_ROW2, self->out.va,
		    ELT_H);
	tcs_end(&cs);
	if (run_if_capable(_metadata, self, &cs, ENPU_CAP_ELTWISE,
			   "ELTWISE on a device without it"))
		return;
	for (i = 0; i < BO_SIZE; i++) {
		int8_t x = (int8_t)pattern(i), r1 = (int8_t)pattern(i % ELT_C);
		int8_t r2 = (int8_t)pattern(ELT_ROW2 + i % ELT_C);
		int8_t hi = x > r1 ? x : r1, want = hi < r2 ? hi : r2;

		ASSERT_EQ((uint8_t)want, self->out.cpu[i]) TH_LOG("out byte %u", i);
	}
	expect_untouched(_metadata, self);
	control_job(_metadata, self);
}

/* ---- SUBMIT and JOB_INFO arguments ---------------------------------------- */

static int raw_submit(int fd, void *jobs, uint32_t count, uint32_t stride,
		      uint32_t flags, uint32_t pad)
{
	struct drm_edgenpu_submit s = {
		.jobs_ptr = (uintptr_t)jobs, .job_count = count,
		.job_stride = stride, .flags = flags, .pad = pad,
	};

	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
}

/* A valid job description: copy 64 bytes src -> out. */
struct base {
	struct tcs cs;
	struct tjob tj;
	struct drm_edgenpu_job j;
};

static void base_init(FIXTURE_DATA(val) *self, struct base *b)
{
	memset(b, 0, sizeof(*b));
	tcs_copy(&b->cs, self->src.va, self->out.va, 64);
	tcs_end(&b->cs);
	b->tj.cs = &b->cs;
	tjob_bo(&b->tj, self->src.handle, 0);
	tjob_bo(&b->tj, self->out.handle, 1);
	tjob_fill(&b->tj, &b->j);
}

/* Submits @j alone (stride sizeof), expects @err and nothing issued. */
static void refuse_job(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self,
		       struct drm_edgenpu_job *j, int err, const char *what)
{
	EXPECT_EQ(err, raw_submit(self->fd, j, 1, sizeof(*j), 0, 0)) TH_LOG("%s", what);
	expect_nothing_issued(_metadata, self);
}

static void accept_raw(struct __test_metadata *_metadata, FIXTURE_DATA(val) *self,
		       void *jobs, uint32_t stride)
{
	struct drm_edgenpu_job_info info;
	struct drm_edgenpu_job *j = jobs;

	ASSERT_EQ(0, raw_submit(self->fd, jobs, 1, stride, 0, 0));
	EXPECT_EQ(self->last_id + 1, j->job_id);
	self->last_id = j->job_id;
	ASSERT_EQ(0, tjob_wait(self->fd, j->job_id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
}

TEST_F(val, submit_args)
{
	struct drm_edgenpu_job many[DRM_EDGENPU_MAX_JOBS + 1];
	struct drm_edgenpu_bo_ref refs[DRM_EDGENPU_MAX_BOS + 1];
	struct drm_edgenpu_sync syncs[DRM_EDGENPU_MAX_IN_SYNCS + 1];
	uint8_t wide[8192] __attribute__((aligned(8)));
	struct drm_edgenpu_job j;
	struct base b;
	uint32_t *big_cs;
	void *noaccess;
	uint32_t i, sync;

	base_init(self, &b);
	noaccess = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, noaccess);

	/* job_count */
	for (i = 0; i <= DRM_EDGENPU_MAX_JOBS; i++)
		many[i] = b.j;
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, 0, sizeof(j), 0, 0));
	expect_nothing_issued(_metadata, self);
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, DRM_EDGENPU_MAX_JOBS + 1, sizeof(j), 0, 0));
	expect_nothing_issued(_metadata, self);
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, 0xffffffffu, sizeof(j), 0, 0));
	expect_nothing_issued(_metadata, self);

	/* job_stride */
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, 1, 0, 0, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, 1, 8, 0, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, 1, sizeof(j) - 8, 0, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, many, 1, sizeof(j) - 1, 0, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, wide, 1, 4097, 0, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, wide, 1, 8192, 0, 0));
	expect_nothing_issued(_metadata, self);
	memset(wide, 0, sizeof(wide));
	memcpy(wide, &b.j, sizeof(b.j));
	wide[sizeof(j) + 3] = 1;
	EXPECT_EQ(-E2BIG, raw_submit(self->fd, wide, 1, sizeof(j) + 8, 0, 0));
	expect_nothing_issued(_metadata, self);
	wide[sizeof(j) + 3] = 0;
	wide[4095] = 1;
	EXPECT_EQ(-E2BIG, raw_submit(self->fd, wide, 1, 4096, 0, 0));
	expect_nothing_issued(_metadata, self);
	wide[4095] = 0;
	accept_raw(_metadata, self, wide, 4096);	/* a zero tail is fine */
	accept_raw(_metadata, self, wide, sizeof(j) + 8);

	/* submit flags and pad */
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, &b.j, 1, sizeof(j), 1, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, &b.j, 1, sizeof(j), 0x80000000u, 0));
	EXPECT_EQ(-EINVAL, raw_submit(self->fd, &b.j, 1, sizeof(j), 0, 1));
	expect_nothing_issued(_metadata, self);

	/* job flags, pad, priority */
	j = b.j;
	j.flags = 1u << 1;
	refuse_job(_metadata, self, &j, -EINVAL, "job flag bit 1");
	j.flags = 0x80000000u;
	refuse_job(_metadata, self, &j, -EINVAL, "job flag bit 31");
	j = b.j;
	j.pad = 1;
	refuse_job(_metadata, self, &j, -EINVAL, "job pad");
	j = b.j;
	j.priority = 2;
	refuse_job(_metadata, self, &j, -EINVAL, "priority 2");
	j.priority = 0xffffffffu;
	refuse_job(_metadata, self, &j, -EINVAL, "priority ~0");

	/* cmd_size */
	j = b.j;
	j.cmd_size = 0;
	refuse_job(_metadata, self, &j, -EINVAL, "cmd_size 0");
	j.cmd_size = b.cs.n * 4 - 2;
	refuse_job(_metadata, self, &j, -EINVAL, "cmd_size not a multiple of 4");
	j.cmd_size = b.cs.n * 4 + 1;
	refuse_job(_metadata, self, &j, -EINVAL, "cmd_size not a multiple of 4");
	big_cs = calloc(1, ENPU_MAX_CMD_SIZE + 4096);
	ASSERT_NE(NULL, big_cs);
	for (i = 0; i < ENPU_MAX_CMD_SIZE / 4; i++)
		big_cs[i] = ENPU_CMD_HDR(ENPU_OP_NOP, 1);
	big_cs[ENPU_MAX_CMD_SIZE / 4 - 1] = ENPU_CMD_HDR(ENPU_OP_END, 1);
	j = b.j;
	j.cmd_ptr = (uintptr_t)big_cs;
	j.cmd_size = ENPU_MAX_CMD_SIZE + 4;
	refuse_job(_metadata, self, &j, -EINVAL, "cmd_size 1 MiB + 4");
	j.cmd_size = 0xfffffffcu;
	refuse_job(_metadata, self, &j, -EINVAL, "cmd_size 4 GiB - 4");
	j.cmd_size = ENPU_MAX_CMD_SIZE;	/* exactly 1 MiB: NOPs and END */
	accept_raw(_metadata, self, &j, sizeof(j));
	free(big_cs);

	/* the buffer list */
	for (i = 0; i <= DRM_EDGENPU_MAX_BOS; i++)
		refs[i] = (struct drm_edgenpu_bo_ref){ .handle = self->src.handle };
	j = b.j;
	j.bo_ptr = (uintptr_t)refs;
	j.bo_count = DRM_EDGENPU_MAX_BOS + 1;
	refuse_job(_metadata, self, &j, -EINVAL, "bo_count 257");
	j.bo_count = 0xffffffffu;
	refuse_job(_metadata, self, &j, -EINVAL, "bo_count ~0");
	refs[0] = (struct drm_edgenpu_bo_ref){ .handle = self->src.handle };
	refs[1] = (struct drm_edgenpu_bo_ref){ .handle = self->out.handle,
					       .flags = DRM_EDGENPU_BO_REF_WRITE };
	refs[2] = refs[0];
	j.bo_count = 3;
	refuse_job(_metadata, self, &j, -EINVAL, "buffer listed twice");
	refs[2] = refs[1];
	refs[2].flags = 0;
	refuse_job(_metadata, self, &j, -EINVAL, "buffer listed twice, other flags");
	refs[2] = (struct drm_edgenpu_bo_ref){ .handle = 0xdead };
	refuse_job(_metadata, self, &j, -ENOENT, "unknown buffer handle");
	refs[2].handle = 0;
	refuse_job(_metadata, self, &j, -ENOENT, "buffer handle 0");
	j.bo_count = 2;
	refs[1].flags = 1u << 1;
	refuse_job(_metadata, self, &j, -EINVAL, "unknown bo ref flag");
	refs[1].flags = 0x80000000u | DRM_EDGENPU_BO_REF_WRITE;
	refuse_job(_metadata, self, &j, -EINVAL, "unknown bo ref flag bit 31");

	/* bad pointers */
	j = b.j;
	j.cmd_ptr = 8;
	refuse_job(_metadata, self, &j, -EFAULT, "cmd_ptr 8");
	j.cmd_ptr = (uintptr_t)noaccess;
	refuse_job(_metadata, self, &j, -EFAULT, "cmd_ptr PROT_NONE");
	j = b.j;
	j.bo_ptr = (uintptr_t)noaccess;
	refuse_job(_metadata, self, &j, -EFAULT, "bo_ptr PROT_NONE");
	j.bo_ptr = 0;
	refuse_job(_metadata, self, &j, -EFAULT, "bo_ptr NULL");
	j = b.j;
	j.in_sync_count = 1;
	j.in_syncs_ptr = (uintptr_t)noaccess;
	refuse_job(_metadata, self, &j, -EFAULT, "in_syncs_ptr PROT_NONE");
	j.in_syncs_ptr = 0;
	refuse_job(_metadata, self, &j, -EFAULT, "in_syncs_ptr NULL");
	EXPECT_EQ(-EFAULT, raw_submit(self->fd, noaccess, 1, sizeof(j), 0, 0));
	EXPECT_EQ(-EFAULT, raw_submit(self->fd, NULL, 1, sizeof(j), 0, 0));
	expect_nothing_issued(_metadata, self);
	/* jobs the kernel can read but cannot write the ids back into */
	ASSERT_EQ(0, mprotect(noaccess, 4096, PROT_READ | PROT_WRITE));
	memcpy(noaccess, &b.j, sizeof(b.j));
	ASSERT_EQ(0, mprotect(noaccess, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, raw_submit(self->fd, noaccess, 1, sizeof(j), 0, 0));
	expect_nothing_issued(_metadata, self);
	ASSERT_EQ(0, mprotect(noaccess, 4096, PROT_NONE));

	/* syncobjs */
	ASSERT_EQ(0, tsyncobj_create(self->fd, &sync));
	memset(syncs, 0, sizeof(syncs));
	for (i = 0; i <= DRM_EDGENPU_MAX_IN_SYNCS; i++)
		syncs[i].handle = sync;
	j = b.j;
	j.in_syncs_ptr = (uintptr_t)syncs;
	j.in_sync_count = DRM_EDGENPU_MAX_IN_SYNCS + 1;
	refuse_job(_metadata, self, &j, -EINVAL, "in_sync_count 65");
	j.in_sync_count = 1;
	syncs[0].handle = 0xdead;
	refuse_job(_metadata, self, &j, -ENOENT, "unknown in-sync handle");
	syncs[0].handle = 0;
	refuse_job(_metadata, self, &j, -ENOENT, "in-sync handle 0");
	syncs[0].handle = sync;
	syncs[0].flags = 1;
	refuse_job(_metadata, self, &j, -EINVAL, "in-sync flags");
	syncs[0].flags = 0;

	j = b.j;
	j.flags = DRM_EDGENPU_JOB_OUT_SYNC;
	j.out_sync.handle = 0xdead;
	refuse_job(_metadata, self, &j, -ENOENT, "unknown out-sync handle");
	j.out_sync.handle = sync;
	j.out_sync.flags = 1;
	refuse_job(_metadata, self, &j, -EINVAL, "out-sync flags");
	j = b.j;
	j.out_sync.handle = sync;
	refuse_job(_metadata, self, &j, -EINVAL, "out_sync.handle without OUT_SYNC");
	j = b.j;
	j.out_sync.point = 1;
	refuse_job(_metadata, self, &j, -EINVAL, "out_sync.point without OUT_SYNC");
	j = b.j;
	j.out_sync.flags = 1;
	refuse_job(_metadata, self, &j, -EINVAL, "out_sync.flags without OUT_SYNC");

	/* a valid job with an out-sync still works */
	j = b.j;
	j.flags = DRM_EDGENPU_JOB_OUT_SYNC;
	j.out_sync.handle = sync;
	accept_raw(_metadata, self, &j, sizeof(j));
	EXPECT_EQ(0, tsyncobj_wait(self->fd, sync, 0, 5000));
	tsyncobj_destroy(self->fd, sync);
	munmap(noaccess, 4096);
	control_job(_metadata, self);
}

TEST_F(val, job_info_args)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob jobs[DRM_EDGENPU_MAX_JOBS];
	unsigned int i, round;
	int fd2;

	EXPECT_EQ(-EINVAL, tjob_info(self->fd, 0, &info));
	EXPECT_EQ(-EINVAL, tjob_info(self->fd, 1, &info));
	EXPECT_EQ(-EINVAL, tjob_info(self->fd, ~0ull, &info));

	control_job(_metadata, self);
	EXPECT_EQ(0, tjob_info(self->fd, self->last_id, &info));
	EXPECT_EQ(self->last_id, info.job_id);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	memset(&info, 0, sizeof(info));
	info.job_id = self->last_id;
	info.flags = 1;
	EXPECT_EQ(-EINVAL, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_JOB_INFO, &info));
	EXPECT_EQ(-EINVAL, tjob_info(self->fd, self->last_id + 1, &info));
	EXPECT_EQ(-EINVAL, tjob_info(self->fd, 0, &info));

	/* ids are per file */
	fd2 = edgenpu_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EINVAL, tjob_info(fd2, self->last_id, &info));
	close(fd2);

	/* the last 256 are kept: older ones are -ENOENT */
	tcs_end(&cs);
	for (i = 0; i < DRM_EDGENPU_MAX_JOBS; i++)
		jobs[i] = (struct tjob){ .cs = &cs };
	for (round = 0; round < 5; round++) {
		ASSERT_EQ(0, tsubmit(self->fd, jobs, DRM_EDGENPU_MAX_JOBS));
		for (i = 0; i < DRM_EDGENPU_MAX_JOBS; i++) {
			EXPECT_EQ(self->last_id + 1 + i, jobs[i].id);
		}
		self->last_id += DRM_EDGENPU_MAX_JOBS;
	}
	ASSERT_EQ(0, tjob_wait(self->fd, self->last_id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	EXPECT_EQ(0, tjob_info(self->fd, self->last_id - 255, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	EXPECT_EQ(-ENOENT, tjob_info(self->fd, self->last_id - 256, &info));
	EXPECT_EQ(-ENOENT, tjob_info(self->fd, 1, &info));
	EXPECT_EQ(-EINVAL, tjob_info(self->fd, self->last_id + 1, &info));
}

TEST_HARNESS_MAIN
