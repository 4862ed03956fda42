// SPDX-License-Identifier: GPL-2.0-only
/*
 * Submission basics: a job moves data through the NPU MMU, ends with its
 * status and counters, signals its syncobj; buffers and mappings behave.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

FIXTURE(npu) {
	int fd;
};

FIXTURE_SETUP(npu)
{
	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
}

FIXTURE_TEARDOWN(npu)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(npu, copy_job)
{
	struct drm_edgenpu_job_info info;
	struct tbo src, dst;
	struct tcs cs = { .n = 0 };
	struct tjob job = { .cs = &cs };
	uint32_t sync;
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, 8192, DRM_EDGENPU_BO_CREATE_MAP, &src));
	ASSERT_EQ(0, tbo_create(self->fd, 8192, DRM_EDGENPU_BO_CREATE_MAP, &dst));
	ASSERT_NE(0, src.va);
	ASSERT_NE(src.va, dst.va);
	for (i = 0; i < 8192; i++)
		src.cpu[i] = (uint8_t)(i * 13 + 7);
	memset(dst.cpu, 0xee, 8192);

	tcs_copy(&cs, src.va, dst.va + 100, 5000);
	tcs_end(&cs);
	tjob_bo(&job, src.handle, 0);
	tjob_bo(&job, dst.handle, 1);
	ASSERT_EQ(0, tsyncobj_create(self->fd, &sync));
	job.out_handle = sync;
	ASSERT_EQ(0, tsubmit(self->fd, &job, 1));
	EXPECT_LT(0, job.id);
	ASSERT_EQ(0, tsyncobj_wait(self->fd, sync, 0, 5000));
	ASSERT_EQ(0, tbo_wait(self->fd, dst.handle, 1000000000));

	for (i = 0; i < 8192; i++) {
		uint8_t want = i >= 100 && i < 5100 ? (uint8_t)((i - 100) * 13 + 7) : 0xee;

		ASSERT_EQ(want, dst.cpu[i]) TH_LOG("byte %u", i);
	}
	ASSERT_EQ(0, tjob_info(self->fd, job.id, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	EXPECT_EQ(1, info.commands);
	EXPECT_EQ(5000, info.dram_write);
	EXPECT_EQ(5000 + cs.n * 4, info.dram_read);
	EXPECT_LT(0, info.cycles);
	EXPECT_LT(0, info.duration_ns);
	tbo_close(self->fd, &src);
	tbo_close(self->fd, &dst);
}

/*
 * A job's command stream of up to a page is a slab object mapped for the
 * device (coherent memory would be allocated and zeroed a page at a time
 * on every submission), a longer one coherent memory; under a carve-out
 * (QUERY_LIMITS' device_cmd_budget) every one is coherent, from the
 * carve-out (edgenpu_platform_test checks where). The short one queues
 * behind the long one (about 500 ms of copies), so it is on the device's
 * ring, and in debugfs, however late this process looks.
 */
TEST_F(npu, command_stream_memory)
{
	struct drm_edgenpu_limits lim;
	struct drm_edgenpu_job_info info;
	uint32_t size = sizeof(lim);
	const long page = sysconf(_SC_PAGESIZE);
	struct tbusy small, big;
	unsigned long long addr;
	char devname[64], kind[16];
	int minor;

	ASSERT_EQ(0, tdev_name(&minor, devname, sizeof(devname)));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_LIMITS, &lim, &size));
	ASSERT_EQ(0, tbusy_init(self->fd, &small, 64));
	ASSERT_EQ(0, tbusy_init(self->fd, &big, 320));
	ASSERT_GE(page, small.cs.n * 4);
	ASSERT_LT(page, big.cs.n * 4);
	ASSERT_EQ(0, tsubmit(self->fd, &big.job, 1));
	ASSERT_EQ(0, tsubmit(self->fd, &small.job, 1));

	ASSERT_EQ(0, tjob_cmd_memory(devname, small.job.id, 2000, &addr, kind, sizeof(kind)))
		TH_LOG("job %llu not seen in debugfs queues (debugfs mounted?)",
		       (unsigned long long)small.job.id);
	EXPECT_STREQ(lim.device_cmd_budget ? "coherent" : "mapped", kind);
	EXPECT_NE(0, addr);
	ASSERT_EQ(0, tjob_cmd_memory(devname, big.job.id, 2000, &addr, kind, sizeof(kind)));
	EXPECT_STREQ("coherent", kind);

	/* both ran: the device read both streams */
	ASSERT_EQ(0, tjob_wait(self->fd, big.job.id, 10000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tjob_wait(self->fd, small.job.id, 10000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	tbusy_fini(self->fd, &small);
	tbusy_fini(self->fd, &big);
}

TEST_HARNESS_MAIN
