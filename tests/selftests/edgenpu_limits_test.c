// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one open file may make the kernel hold (uapi/drm/edgenpu_accel.h):
 * DRM_EDGENPU_MAX_MAPPINGS mappings (-ENOSPC beyond), and
 * DRM_EDGENPU_MAX_PENDING_JOBS jobs or DRM_EDGENPU_MAX_PENDING_CMD bytes
 * of command stream not yet ended (-EBUSY beyond). Jobs are validated
 * against a full address space correctly (the lookup is a tree walk), and
 * a file at a limit gets its room back as its jobs end or it unmaps.
 * Memory pinned for NPUs, by all files together, is bounded too
 * (max_pinned_mb, half of RAM by default: -ENOMEM beyond).
 */
#include <sys/sysinfo.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define MS	10000	/* bound of every wait that should succeed */

FIXTURE(lim) {
	int fd;
	int job_max_ms;		/* the module parameters, restored after */
	int max_pinned_mb;
};

FIXTURE_SETUP(lim)
{
	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	/* the long jobs that hold the others back must not hit their limit */
	self->max_pinned_mb = -1;
	self->job_max_ms = tparam_get("job_max_ms");
	if (self->job_max_ms > 0 && geteuid() == 0)
		tparam_set("job_max_ms", 120000);
}

FIXTURE_TEARDOWN(lim)
{
	char line[256];

	if (self->fd >= 0)
		close(self->fd);
	if (self->job_max_ms > 0 && geteuid() == 0)
		tparam_set("job_max_ms", self->job_max_ms);
	if (self->max_pinned_mb >= 0)
		tparam_set("max_pinned_mb", self->max_pinned_mb);
	EXPECT_EQ(0, tklog_bad_lines(line, sizeof(line))) TH_LOG("kernel log: %s", line);
}

/*
 * A full address space: the mapping after the last one allowed is refused,
 * an unmap makes room; a job whose buffer is the last mapped one (the end
 * of the tree) validates and runs.
 */
TEST_F_TIMEOUT(lim, mappings, 600)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	uint64_t va, first = 0, last = 0;
	struct tbo b;
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, 4096, 0, &b));
	for (i = 0; i < DRM_EDGENPU_MAX_MAPPINGS; i++) {
		ASSERT_EQ(0, tvm_map(self->fd, b.handle, 0, &va)) TH_LOG("mapping %u", i);
		if (!i)
			first = va;
		last = va;
	}
	EXPECT_EQ(-ENOSPC, tvm_map(self->fd, b.handle, 0, &va));
	EXPECT_EQ(0, tvm_unmap(self->fd, first));
	EXPECT_EQ(0, tvm_map(self->fd, b.handle, 0, &va));
	EXPECT_EQ(-ENOSPC, tvm_map(self->fd, b.handle, 0, &va));

	tcs_fill(&cs, last, 0x3c, 4096);
	tcs_end(&cs);
	tjob_bo(&j, b.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, b.handle, MS * 1000000ll));
	EXPECT_EQ(0x3c, b.cpu[0]);
	EXPECT_EQ(0x3c, b.cpu[4095]);
	tbo_close(self->fd, &b);
}

/*
 * Long jobs that hold back whatever is queued behind @conv's input:
 * LONG_JOBS of them, chained through their shared output, each of
 * LONG_CONVS convolutions of 0.57 G MACs. Each command is small enough to
 * show progress well within the driver's hang timeout (500 ms without a
 * command ending) on a slow, busy host -- a 2.4 G MAC one, on the debug
 * kernel beside other builds, once was reset as stuck and the jobs behind
 * it ran -- and together (4.6 T MACs) they take 20 s or more however fast
 * the host computes (at this host's measured INT8 peak, 235 G MACs a
 * second on a core), outlasting any test's submissions. Closing the
 * file ends them. Returns their stream (tconv_long_job(), to free; its
 * length in words in *@nwords), or NULL.
 */
#define LONG_JOBS	4
#define LONG_CONVS	2000

static uint32_t *hold_back(int fd, struct tconv *conv, uint32_t *nwords)
{
	struct tjob lng[LONG_JOBS];
	uint32_t *stream;
	int k;

	if (tconv_init(fd, conv, 64, 64, 128, 128, 3))
		return NULL;
	stream = tconv_long_job(conv, &lng[0], LONG_CONVS);
	if (!stream)
		return NULL;
	*nwords = lng[0].nwords;
	for (k = 1; k < LONG_JOBS; k++)
		lng[k] = lng[0];
	if (tsubmit(fd, lng, LONG_JOBS)) {
		free(stream);
		return NULL;
	}
	return stream;
}

/*
 * Jobs queued behind long ones (implicit sync on their input) pile up to
 * the limit, then submissions get -EBUSY, all or nothing; once the jobs
 * end, there is room again.
 */
TEST_F_TIMEOUT(lim, pending_jobs, 600)
{
	struct drm_edgenpu_job_info info;
	struct tcs c = { .n = 0 };
	struct tjob jobs[DRM_EDGENPU_MAX_JOBS];
	unsigned int n = LONG_JOBS, k;
	struct tconv conv;
	uint32_t *held, held_words;
	int ret;

	held = hold_back(self->fd, &conv, &held_words);
	ASSERT_NE(NULL, held);
	tcs_fill(&c, conv.in.va, 1, 64);
	tcs_end(&c);
	for (k = 0; k < DRM_EDGENPU_MAX_JOBS; k++) {
		jobs[k] = (struct tjob){ .cs = &c };
		tjob_bo(&jobs[k], conv.in.handle, 1);	/* after the long job's read */
	}
	while (n + DRM_EDGENPU_MAX_JOBS <= DRM_EDGENPU_MAX_PENDING_JOBS) {
		ASSERT_EQ(0, tsubmit(self->fd, jobs, DRM_EDGENPU_MAX_JOBS)) TH_LOG("at %u", n);
		n += DRM_EDGENPU_MAX_JOBS;
	}
	ASSERT_EQ(-EBUSY, tsubmit(self->fd, jobs, DRM_EDGENPU_MAX_JOBS));
	ASSERT_EQ(0, tsubmit(self->fd, jobs, DRM_EDGENPU_MAX_PENDING_JOBS - n));
	EXPECT_EQ(-EBUSY, tsubmit(self->fd, jobs, 1));

	/* the long job ends early (runtime limit aside): closing the file */
	close(self->fd);
	self->fd = edgenpu_open();
	ASSERT_LE(0, self->fd);
	tconv_fini(self->fd, &conv);
	ASSERT_EQ(0, tconv_init(self->fd, &conv, 16, 16, 8, 8, 3));
	tcs_fill(&c, conv.in.va, 1, 64);
	for (k = 0; k < DRM_EDGENPU_MAX_JOBS; k++) {
		jobs[k] = (struct tjob){ .cs = &c };
		tjob_bo(&jobs[k], conv.in.handle, 1);
	}
	ret = tsubmit(self->fd, jobs, DRM_EDGENPU_MAX_JOBS);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, tjob_wait(self->fd, jobs[DRM_EDGENPU_MAX_JOBS - 1].id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	tconv_fini(self->fd, &conv);
	free(held);
}

/*
 * Command memory: 1 MiB streams queued behind a long job, up to what the
 * file may hold (DRM_EDGENPU_MAX_PENDING_CMD, or less under a carve-out);
 * the next one gets -EBUSY.
 */
TEST_F_TIMEOUT(lim, pending_command_memory, 600)
{
	const uint32_t words = ENPU_MAX_CMD_SIZE / 4;
	uint32_t *held, held_words;
	struct drm_edgenpu_bo_ref ref;
	struct drm_edgenpu_limits lim;
	__u32 size = sizeof(lim);
	struct drm_edgenpu_submit s;
	struct drm_edgenpu_job u;
	unsigned int k, fit;
	struct tconv conv;
	uint32_t *big;
	int other;

	big = calloc(words, 4);
	ASSERT_NE(NULL, big);
	for (k = 0; k < words - 1; k++)
		big[k] = ENPU_CMD_HDR(ENPU_OP_NOP, 1);
	big[words - 1] = ENPU_CMD_HDR(ENPU_OP_END, 1);
	held = hold_back(self->fd, &conv, &held_words);
	ASSERT_NE(NULL, held);

	ref = (struct drm_edgenpu_bo_ref){ .handle = conv.in.handle,
					   .flags = DRM_EDGENPU_BO_REF_WRITE };
	u = (struct drm_edgenpu_job){ .cmd_ptr = (uintptr_t)big, .cmd_size = words * 4,
				      .bo_ptr = (uintptr_t)&ref, .bo_count = 1 };
	s = (struct drm_edgenpu_submit){ .jobs_ptr = (uintptr_t)&u, .job_count = 1,
					 .job_stride = sizeof(u) };
	/* the long jobs' own streams count too; a carve-out may lower the bound */
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_LIMITS, &lim, &size));
	fit = (lim.max_pending_cmd - LONG_JOBS * held_words * 4) / (words * 4);
	for (k = 0; k < fit; k++)
		ASSERT_EQ(0, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s)) TH_LOG("stream %u", k);
	EXPECT_EQ(-EBUSY, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s));

	/* a full file does not lock another out, carve-out or not */
	other = edgenpu_open();
	ASSERT_LE(0, other);
	u.bo_count = 0;
	EXPECT_EQ(0, enpu_ioctl(other, DRM_IOCTL_EDGENPU_SUBMIT, &s));
	close(other);
	close(self->fd);
	self->fd = -1;
	free(big);
	free(held);
}

static uint64_t max_pinned(int fd)
{
	struct drm_edgenpu_limits lim = { 0 };
	__u32 size = sizeof(lim);

	if (edgenpu_query(fd, DRM_EDGENPU_QUERY_LIMITS, &lim, &size))
		return 0;
	return lim.max_pinned;
}

/*
 * By default, NPUs may pin half of RAM: a buffer of 1 GiB, mapped, on a
 * machine of less than 2 GiB is refused before any page of it is taken
 * (the pages could not be reclaimed, and the OOM killer could not free
 * them from the process it kills).
 */
TEST_F_TIMEOUT(lim, half_of_ram_pinned_at_most, 600)
{
	struct drm_edgenpu_bo_create c = { .size = 1ull << 30,
					   .flags = DRM_EDGENPU_BO_CREATE_MAP };
	int mb = tparam_get("max_pinned_mb");
	struct sysinfo si;

	ASSERT_LE(0, mb) TH_LOG("no max_pinned_mb module parameter");
	if (mb != 0)
		SKIP(return, "max_pinned_mb is set: not the default bound");
	ASSERT_EQ(0, sysinfo(&si));
	EXPECT_EQ((uint64_t)si.totalram * si.mem_unit / 2, max_pinned(self->fd));
	if (max_pinned(self->fd) >= c.size)
		SKIP(return, "2 GiB of RAM or more: a 1 GiB buffer may be pinned");
	EXPECT_EQ(-ENOMEM, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c));
}

/*
 * Under max_pinned_mb, buffers count once from their first NPU mapping,
 * command streams while their jobs are pending; freeing a buffer gives
 * its share back.
 */
TEST_F_TIMEOUT(lim, pinned_memory, 600)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	uint64_t va2, va3;
	struct tbo a, b;
	int k;

	if (geteuid() != 0)
		SKIP(return, "setting max_pinned_mb needs root");
	self->max_pinned_mb = tparam_get("max_pinned_mb");
	ASSERT_LE(0, self->max_pinned_mb);
	ASSERT_EQ(0, tparam_set("max_pinned_mb", 8));
	EXPECT_EQ(8ull << 20, max_pinned(self->fd));

	ASSERT_EQ(0, tbo_create(self->fd, 6 << 20, DRM_EDGENPU_BO_CREATE_MAP, &a));
	ASSERT_EQ(0, tbo_create(self->fd, 4 << 20, 0, &b));	/* not pinned yet */
	EXPECT_EQ(-ENOMEM, tvm_map(self->fd, b.handle, 0, &va3));
	ASSERT_EQ(0, tvm_map(self->fd, a.handle, 0, &va2));	/* counted once */

	/* 6 MiB and a command stream fit in 8, not in 6 */
	tcs_fill(&cs, a.va, 0x5a, 4096);
	tcs_end(&cs);
	tjob_bo(&j, a.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tparam_set("max_pinned_mb", 6));
	EXPECT_EQ(-ENOMEM, tsubmit(self->fd, &j, 1));

	/* the 6 MiB buffer goes (its mappings and handle): room again */
	ASSERT_EQ(0, tparam_set("max_pinned_mb", 8));
	EXPECT_EQ(0, tvm_unmap(self->fd, a.va));
	EXPECT_EQ(0, tvm_unmap(self->fd, va2));
	tbo_close(self->fd, &a);
	/* (the ended job's references go when the scheduler frees it) */
	for (k = 0; k < 200 && tvm_map(self->fd, b.handle, 0, &va3) == -ENOMEM; k++)
		usleep(10000);
	EXPECT_GT(200, k);
	tbo_close(self->fd, &b);
}

TEST_HARNESS_MAIN
