// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recovery, with the device's fault injection (debug=on) through debugfs
 * "inject" and "reset": a hung job ends with TIMEOUT after a device reset
 * and its out-syncobj signals with an error, while the jobs queued behind
 * it (another process's too) are replayed and complete; DMA errors and
 * MMU faults end only the job they hit, and a job waiting for a failed
 * one through a syncobj is canceled; a lost interrupt costs a timeout,
 * not a job, and a lost doorbell a reset, not a job; resets requested while jobs are queued lose none of them and
 * run none twice; a long job that keeps progressing is not a hang; a
 * process killed with jobs queued leaves nothing behind. Hangs leave a
 * devcoredump naming the job. The kernel log stays free of warnings.
 *
 * A hang is detected after two job timeouts without progress (module
 * parameter job_timeout_ms, 500 by default): about a second.
 */
#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define N		16384
#define MS		10000	/* bound of every wait: several hang timeouts */
#define TICK_MS_MAX	10	/* a kernel tick, at the slowest (HZ=100) */

FIXTURE(rec) {
	int fd;
	char devname[64];
	struct tbo src, dst;
};

static uint8_t pat(unsigned int i, unsigned int seed)
{
	return (uint8_t)(i * 37 + seed * 101 + (i >> 9));
}

FIXTURE_SETUP(rec)
{
	struct drm_edgenpu_device_info dev;
	__u32 size = sizeof(dev);
	unsigned int i;

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &dev, &size));
	if (!(dev.hw_caps & ENPU_CAP_DEBUG))
		SKIP(return, "the device has no fault injection (needs debug=on)");
	if (geteuid() != 0)
		SKIP(return, "needs root for debugfs");
	ASSERT_EQ(0, tdev_name(NULL, self->devname, sizeof(self->devname)));
	tcoredumps_settle(self->devname);
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->src));
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->dst));
	for (i = 0; i < N; i++)
		self->src.cpu[i] = pat(i, 1);
}

FIXTURE_TEARDOWN(rec)
{
	char line[256];

	if (self->fd >= 0)
		close(self->fd);
	/* coredumps of the hangs hold the module: free them */
	if (self->devname[0])
		tcoredumps_settle(self->devname);
	EXPECT_EQ(0, tklog_bad_lines(line, sizeof(line))) TH_LOG("kernel log: %s", line);
}

/* A copy job src -> dst (with an out-syncobj when @sync). */
static void copy_job(FIXTURE_DATA(rec) *self, struct tcs *cs, struct tjob *j,
		     uint32_t sync)
{
	cs->n = 0;
	*j = (struct tjob){ .cs = cs, .out_handle = sync };
	tcs_copy(cs, self->src.va, self->dst.va, N);
	tcs_end(cs);
	tjob_bo(j, self->src.handle, 0);
	tjob_bo(j, self->dst.handle, 1);
}

/* A job filling dst with @v: hung by an injection, it keeps dst busy. */
static void fill_job(FIXTURE_DATA(rec) *self, struct tcs *cs, struct tjob *j, uint8_t v)
{
	cs->n = 0;
	*j = (struct tjob){ .cs = cs };
	tcs_fill(cs, self->dst.va, v, N);
	tcs_end(cs);
	tjob_bo(j, self->dst.handle, 1);
}

static void expect_copied(struct __test_metadata *_metadata, FIXTURE_DATA(rec) *self)
{
	unsigned int i;

	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(pat(i, 1), self->dst.cpu[i]) TH_LOG("dst byte %u", i);
	}
}

/* Status of job @id once it ended (bounded). */
static uint32_t end_status(struct __test_metadata *_metadata, int fd, uint64_t id,
			   struct drm_edgenpu_job_info *info)
{
	int ret = tjob_wait(fd, id, MS, info);

	EXPECT_EQ(0, ret) TH_LOG("job %llu did not end within %d ms",
				 (unsigned long long)id, MS);
	return ret ? DRM_EDGENPU_JOB_PENDING : info->status;
}

/* ---- another process with its own file, buffers and job -------------------- */

struct peer {
	pid_t pid;
	int to_child[2], to_parent[2];
};

/*
 * Forks a process that opens the device and prepares a copy job; on
 * peer_go() it submits the job (normal or high priority), waits for it,
 * reports status and resets, and exits 0 if the copy is correct.
 */
static int peer_start(struct peer *p, uint32_t priority)
{
	uint64_t v;

	if (pipe(p->to_child) || pipe(p->to_parent))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		struct drm_edgenpu_job_info info;
		struct tcs cs = { .n = 0 };
		struct tjob j = { .cs = &cs, .priority = priority };
		struct tbo a, b;
		unsigned int i;
		int fd = edgenpu_open();

		if (fd < 0 || tbo_create(fd, N, DRM_EDGENPU_BO_CREATE_MAP, &a) ||
		    tbo_create(fd, N, DRM_EDGENPU_BO_CREATE_MAP, &b))
			_exit(10);
		for (i = 0; i < N; i++)
			a.cpu[i] = pat(i, 2);
		tcs_copy(&cs, a.va, b.va, N);
		tcs_end(&cs);
		tjob_bo(&j, a.handle, 0);
		tjob_bo(&j, b.handle, 1);
		if (tpipe_put(p->to_parent[1], 1) || tpipe_get(p->to_child[0], &v, MS))
			_exit(11);
		if (tsubmit(fd, &j, 1) || tpipe_put(p->to_parent[1], 2))
			_exit(12);
		if (tjob_wait(fd, j.id, MS, &info))
			_exit(13);
		if (tpipe_put(p->to_parent[1], info.status | (uint64_t)info.resets << 8))
			_exit(14);
		if (tbo_wait(fd, b.handle, MS * 1000000ll))
			_exit(15);
		for (i = 0; i < N; i++)
			if (b.cpu[i] != pat(i, 2))
				_exit(16);
		close(fd);
		_exit(0);
	}
	return tpipe_get(p->to_parent[0], &v, MS);
}

/* Lets the peer submit; returns once its job is queued. */
static int peer_go(struct peer *p)
{
	uint64_t v;

	if (tpipe_put(p->to_child[1], 1))
		return -EIO;
	return tpipe_get(p->to_parent[0], &v, MS);
}

/* Waits for the peer: its job's status and resets, and its exit status. */
static int peer_finish(struct peer *p, uint32_t *status, uint32_t *resets)
{
	uint64_t v = 0;
	int ret = tpipe_get(p->to_parent[0], &v, MS);

	*status = v & 0xff;
	*resets = v >> 8;
	if (!ret)
		ret = tchild_wait(p->pid, MS);
	else
		tchild_wait(p->pid, 0);
	close(p->to_child[0]);
	close(p->to_child[1]);
	close(p->to_parent[0]);
	close(p->to_parent[1]);
	return ret;
}

/* ---- tests --------------------------------------------------------------------- */

TEST_F(rec, hang)
{
	struct drm_edgenpu_job_info info;
	struct tcs ch = { .n = 0 }, cl = { .n = 0 }, chi = { .n = 0 };
	struct tjob hung, later, high;
	uint32_t s_hung, s_later, st, resets;
	char dump[8192], want[64];
	int before, fst, queued;
	struct peer p;
	struct tbo x;
	int64_t t0;

	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &x));
	memset(x.cpu, 0x17, N);
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s_hung));
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s_later));
	ASSERT_EQ(0, peer_start(&p, DRM_EDGENPU_PRIORITY_NORMAL));
	before = tresets(self->devname);
	ASSERT_LE(0, before);

	/* the hung job fills x; behind it: the peer's job, ours, a high-priority one */
	hung = (struct tjob){ .cs = &ch, .out_handle = s_hung };
	tcs_fill(&ch, x.va, 0x99, N);
	tcs_end(&ch);
	tjob_bo(&hung, x.handle, 1);
	ASSERT_EQ(0, tinject(self->devname, "hang"));
	t0 = tnow_ms();
	ASSERT_EQ(0, tsubmit(self->fd, &hung, 1));
	copy_job(self, &cl, &later, s_later);
	ASSERT_EQ(0, tsubmit(self->fd, &later, 1));
	/* on the ring behind the hung one before the hang is found: replayed */
	ASSERT_EQ(0, tring_wait_inflight(self->devname, ENPU_RING_NORMAL, 2, MS));
	queued = tresets(self->devname) == before;
	ASSERT_EQ(0, peer_go(&p));
	high = (struct tjob){ .cs = &chi, .priority = DRM_EDGENPU_PRIORITY_HIGH };
	tcs_copy(&chi, self->src.va, self->dst.va + N / 2, N / 2);
	tcs_end(&chi);
	tjob_bo(&high, self->src.handle, 0);
	tjob_bo(&high, self->dst.handle, 1);

	ASSERT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, hung.id, &info));
	EXPECT_GT(5000, tnow_ms() - t0) TH_LOG("the hang took %lld ms to detect",
					      (long long)(tnow_ms() - t0));
	EXPECT_LE(before + 1, tresets(self->devname));
	ASSERT_EQ(0, tsyncobj_wait(self->fd, s_hung, 0, MS));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s_hung, &fst));
	EXPECT_EQ(-ETIMEDOUT, fst) TH_LOG("the hung job's fence signalled %d", fst);
	/* a coredump names the job and holds its command stream */
	ASSERT_EQ(1, tcoredump_wait(self->devname, 5000, 1, dump, sizeof(dump)));
	snprintf(want, sizeof(want), "edgenpu hang: job %llu ring 0 ",
		 (unsigned long long)hung.id);
	EXPECT_EQ(0, strncmp(dump, want, strlen(want))) TH_LOG("coredump: %.80s", dump);
	snprintf(want, sizeof(want), "\n%08x %08x %08x", ch.w[0], ch.w[1], ch.w[2]);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no command stream in the coredump");
	/* it never ran a command */
	ASSERT_EQ(0, tbo_wait(self->fd, x.handle, MS * 1000000ll));
	EXPECT_EQ(0x17, x.cpu[0]);
	EXPECT_EQ(0x17, x.cpu[N - 1]);

	/* the job queued behind it was replayed, once */
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, later.id, &info));
	if (queued) {
		EXPECT_EQ(1, info.resets);
	} else {
		TH_LOG("the hang was found before the later job reached the ring");
	}
	ASSERT_EQ(0, tsyncobj_wait(self->fd, s_later, 0, MS));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s_later, &fst));
	EXPECT_EQ(1, fst);
	expect_copied(_metadata, self);
	EXPECT_EQ(0, peer_finish(&p, &st, &resets)) TH_LOG("the other process's copy is wrong");
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, st);
	/* the other process's job, wherever the reset found it: at most once */
	EXPECT_GE(1, resets);

	/* and the device works */
	memset(self->dst.cpu, 0, N);
	ASSERT_EQ(0, tsubmit(self->fd, &high, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, high.id, &info));
	EXPECT_EQ(0, info.resets);
	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
	EXPECT_EQ(pat(0, 1), self->dst.cpu[N / 2]);
	EXPECT_EQ(0, self->dst.cpu[0]);
	tbo_close(self->fd, &x);
	tsyncobj_destroy(self->fd, s_hung);
	tsyncobj_destroy(self->fd, s_later);
}

/* A hang on the high-priority ring, jobs of both rings behind it. */
TEST_F(rec, hang_high_priority)
{
	struct drm_edgenpu_job_info info;
	struct tcs ch = { .n = 0 }, cl = { .n = 0 };
	struct tjob hung, later;
	uint32_t st, resets;
	char dump[256], want[64];
	struct peer p;
	int before;

	ASSERT_EQ(0, peer_start(&p, DRM_EDGENPU_PRIORITY_HIGH));
	before = tresets(self->devname);
	hung = (struct tjob){ .cs = &ch, .priority = DRM_EDGENPU_PRIORITY_HIGH };
	tcs_fill(&ch, self->dst.va, 0x99, N);
	tcs_end(&ch);
	tjob_bo(&hung, self->dst.handle, 1);
	ASSERT_EQ(0, tinject(self->devname, "hang"));
	ASSERT_EQ(0, tsubmit(self->fd, &hung, 1));
	copy_job(self, &cl, &later, 0);
	ASSERT_EQ(0, tsubmit(self->fd, &later, 1));
	ASSERT_EQ(0, peer_go(&p));
	EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, hung.id, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, later.id, &info));
	expect_copied(_metadata, self);
	ASSERT_EQ(1, tcoredump_wait(self->devname, 5000, 1, dump, sizeof(dump)));
	snprintf(want, sizeof(want), "edgenpu hang: job %llu ring 1 ",
		 (unsigned long long)hung.id);
	EXPECT_EQ(0, strncmp(dump, want, strlen(want))) TH_LOG("coredump: %.80s", dump);
	EXPECT_EQ(0, peer_finish(&p, &st, &resets));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, st);
	EXPECT_LE(before + 1, tresets(self->devname));
}

TEST_F(rec, dma_error)
{
	struct drm_edgenpu_job_info info;
	struct tcs c1, c2;
	struct tjob j1, j2;
	uint32_t s1;
	int before, fst;

	ASSERT_EQ(0, tsyncobj_create(self->fd, &s1));
	before = tresets(self->devname);
	copy_job(self, &c1, &j1, s1);
	copy_job(self, &c2, &j2, 0);
	ASSERT_EQ(0, tinject(self->devname, "dma-error"));
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	ASSERT_EQ(0, tsubmit(self->fd, &j2, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_DMA_ERROR, end_status(_metadata, self->fd, j1.id, &info));
	ASSERT_EQ(0, tsyncobj_wait(self->fd, s1, 0, MS));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s1, &fst));
	EXPECT_EQ(-EIO, fst);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j2.id, &info));
	expect_copied(_metadata, self);
	EXPECT_EQ(before, tresets(self->devname)) TH_LOG("a DMA error needs no reset");
	tsyncobj_destroy(self->fd, s1);
}

TEST_F(rec, mmu_fault)
{
	struct drm_edgenpu_job_info info;
	struct tcs c1, c2;
	struct tjob j1, j2;
	uint32_t s1, st, resets;
	struct peer p;
	int before, fst;

	ASSERT_EQ(0, tsyncobj_create(self->fd, &s1));
	ASSERT_EQ(0, peer_start(&p, DRM_EDGENPU_PRIORITY_NORMAL));
	before = tresets(self->devname);
	copy_job(self, &c1, &j1, s1);
	copy_job(self, &c2, &j2, 0);
	ASSERT_EQ(0, tinject(self->devname, "mmu-fault"));
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	ASSERT_EQ(0, peer_go(&p));
	ASSERT_EQ(0, tsubmit(self->fd, &j2, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_MMU_FAULT, end_status(_metadata, self->fd, j1.id, &info));
	/* the fault hit the first access: the copy's source */
	EXPECT_EQ(self->src.va, info.fault_addr);
	EXPECT_EQ(0, info.error_offset);
	/* the job's status comes before its fence signals: wait for that */
	ASSERT_EQ(0, tsyncobj_wait(self->fd, s1, 0, MS));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s1, &fst));
	EXPECT_EQ(-EFAULT, fst);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j2.id, &info));
	expect_copied(_metadata, self);
	EXPECT_EQ(0, peer_finish(&p, &st, &resets));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, st);
	EXPECT_EQ(0, resets);
	EXPECT_EQ(before, tresets(self->devname)) TH_LOG("an MMU fault needs no reset");
	tsyncobj_destroy(self->fd, s1);
}

/* A job whose in-sync failed does not run: CANCELED (uAPI: "dependency failed"). */
TEST_F(rec, failed_dependency)
{
	struct drm_edgenpu_job_info info;
	struct tcs c1, c2, c3;
	struct tjob j1, j2, j3;
	uint32_t s1, s2;
	int fst;

	ASSERT_EQ(0, tsyncobj_create(self->fd, &s1));
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s2));
	copy_job(self, &c1, &j1, s1);
	copy_job(self, &c3, &j3, 0);
	/* j2 fills dst once j1 is done; it must not run after j1 failed */
	j2 = (struct tjob){ .cs = &c2, .out_handle = s2 };
	c2.n = 0;
	tcs_fill(&c2, self->dst.va, 0xdd, N);
	tcs_end(&c2);
	tjob_bo(&j2, self->dst.handle, 1);
	j2.in[j2.nin++] = (struct drm_edgenpu_sync){ .handle = s1 };
	j2.priority = DRM_EDGENPU_PRIORITY_HIGH;
	memset(self->dst.cpu, 0x11, N);
	ASSERT_EQ(0, tinject(self->devname, "dma-error"));
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	ASSERT_EQ(0, tsubmit(self->fd, &j2, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_DMA_ERROR, end_status(_metadata, self->fd, j1.id, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_CANCELED, end_status(_metadata, self->fd, j2.id, &info));
	ASSERT_EQ(0, tsyncobj_wait(self->fd, s2, 0, MS));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s2, &fst));
	EXPECT_GT(0, fst);
	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
	EXPECT_EQ(0x11, self->dst.cpu[0]);
	/* an independent job still runs */
	ASSERT_EQ(0, tsubmit(self->fd, &j3, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j3.id, &info));
	expect_copied(_metadata, self);
	tsyncobj_destroy(self->fd, s1);
	tsyncobj_destroy(self->fd, s2);
}

/*
 * A lost interrupt: the timeout handler collects the job (OK, no reset),
 * and the interrupts that follow are delivered again.
 */
TEST_F(rec, drop_irq)
{
	struct drm_edgenpu_job_info info;
	struct tcs c1, c2;
	struct tjob j1, j2;
	int before, i;
	int64_t t0;

	before = tresets(self->devname);
	copy_job(self, &c1, &j1, 0);
	ASSERT_EQ(0, tinject(self->devname, "drop-irq"));
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j1.id, &info));
	EXPECT_EQ(0, info.resets);
	expect_copied(_metadata, self);
	EXPECT_EQ(before, tresets(self->devname)) TH_LOG("a lost interrupt needs no reset");

	/* the next jobs complete by interrupt again, well within a timeout */
	for (i = 0; i < 3; i++) {
		memset(self->dst.cpu, 0, N);
		copy_job(self, &c2, &j2, 0);
		t0 = tnow_ms();
		ASSERT_EQ(0, tsubmit(self->fd, &j2, 1));
		EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j2.id, &info));
		EXPECT_GT(250, tnow_ms() - t0) TH_LOG("job %d after the lost interrupt took %lld ms",
						     i, (long long)(tnow_ms() - t0));
		expect_copied(_metadata, self);
	}
}

/*
 * A lost doorbell: the device sits idle with the job announced to no one.
 * The timeout handler sees the device's TAIL lag the driver's and writes
 * it again: the job runs, late by a timeout, with no reset.
 */
TEST_F(rec, drop_doorbell)
{
	struct drm_edgenpu_job_info info;
	int before, kicks, timeout_ms;
	struct tcs c1, c2;
	struct tjob j1, j2;
	int64_t t0;

	timeout_ms = tjob_timeout_ms(self->devname);
	ASSERT_LT(0, timeout_ms);
	before = tresets(self->devname);
	kicks = tring_kicks(self->devname, 0);
	ASSERT_LE(0, kicks);
	copy_job(self, &c1, &j1, 0);
	ASSERT_EQ(0, tinject(self->devname, "drop-doorbell"));
	t0 = tnow_ms();
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j1.id, &info));
	/*
	 * the timeout is a timer of jiffies: it fires up to a tick (10 ms at
	 * HZ=100) short of timeout_ms by the clock (499 ms of 500 once in CI)
	 */
	EXPECT_LE(timeout_ms - TICK_MS_MAX, tnow_ms() - t0)
		TH_LOG("done after %lld ms: no doorbell lost?", (long long)(tnow_ms() - t0));
	EXPECT_EQ(0, info.resets);
	EXPECT_EQ(before, tresets(self->devname));
	EXPECT_EQ(kicks + 1, tring_kicks(self->devname, 0));
	expect_copied(_metadata, self);

	/* the next job is announced as usual */
	memset(self->dst.cpu, 0, N);
	copy_job(self, &c2, &j2, 0);
	ASSERT_EQ(0, tsubmit(self->fd, &j2, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j2.id, &info));
	EXPECT_EQ(before, tresets(self->devname));
	EXPECT_EQ(kicks + 1, tring_kicks(self->devname, 0));
	expect_copied(_metadata, self);
}

/*
 * A lost doorbell on the high-priority ring while another process keeps
 * the normal ring busy: the device never looks idle, yet the lost job
 * runs within a couple of timeouts (the hang check alone never saw it).
 */
TEST_F(rec, drop_doorbell_behind_a_busy_ring)
{
	struct drm_edgenpu_job_info info;
	int to_child[2], before, timeout_ms;
	struct tcs c1;
	struct tjob j1;
	uint64_t v;
	int64_t t0;
	pid_t pid;

	timeout_ms = tjob_timeout_ms(self->devname);
	ASSERT_LT(0, timeout_ms);
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct drm_edgenpu_job_info i2;
		struct tbusy busy;
		int fd = edgenpu_open();
		struct pollfd p = { .fd = to_child[0], .events = POLLIN };

		if (fd < 0 || tbusy_init(fd, &busy, 4))
			_exit(10);
		/* jobs back to back on the normal ring until told to stop */
		while (!poll(&p, 1, 0)) {
			if (tsubmit(fd, &busy.job, 1) || tjob_wait(fd, busy.job.id, MS, &i2) ||
			    i2.status != DRM_EDGENPU_JOB_OK)
				_exit(11);
		}
		_exit(0);
	}
	ASSERT_EQ(0, tring_wait_inflight(self->devname, 0, 1, MS));
	before = tresets(self->devname);
	copy_job(self, &c1, &j1, 0);
	j1.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tinject(self->devname, "drop-doorbell"));
	t0 = tnow_ms();
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j1.id, &info));
	EXPECT_GT(4 * timeout_ms, tnow_ms() - t0) TH_LOG("the lost job ran after %lld ms",
							 (long long)(tnow_ms() - t0));
	EXPECT_EQ(before, tresets(self->devname));
	expect_copied(_metadata, self);
	v = 1;
	EXPECT_EQ(sizeof(v), write(to_child[1], &v, sizeof(v)));
	EXPECT_EQ(0, tchild_wait(pid, MS));
	close(to_child[0]);
	close(to_child[1]);
}

/* debugfs "reset" while jobs are queued: every job still completes, correctly. */
TEST_F(rec, reset_with_queued_jobs)
{
	enum { JOBS = 8 };
	struct drm_edgenpu_job_info info;
	struct tcs cs[JOBS];
	struct tjob j[JOBS];
	struct tbo out[JOBS];
	struct tbusy busy;
	uint32_t st, resets;
	unsigned int i, k, replayed = 0;
	struct peer p;
	int before;

	/* about 300 ms: the reset comes while it runs */
	ASSERT_EQ(0, tbusy_init(self->fd, &busy, 200));
	ASSERT_EQ(0, peer_start(&p, DRM_EDGENPU_PRIORITY_NORMAL));
	for (i = 0; i < JOBS; i++) {
		ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &out[i]));
	}
	before = tresets(self->devname);
	ASSERT_EQ(0, tsubmit(self->fd, &busy.job, 1));
	ASSERT_EQ(0, peer_go(&p));
	for (i = 0; i < JOBS; i++) {
		cs[i].n = 0;
		j[i] = (struct tjob){ .cs = &cs[i] };
		j[i].priority = i % 2 ? DRM_EDGENPU_PRIORITY_HIGH : DRM_EDGENPU_PRIORITY_NORMAL;
		tcs_copy(&cs[i], self->src.va, out[i].va, N);
		tcs_fill(&cs[i], out[i].va, (uint8_t)i, 16);
		tcs_end(&cs[i]);
		tjob_bo(&j[i], self->src.handle, 0);
		tjob_bo(&j[i], out[i].handle, 1);
		ASSERT_EQ(0, tsubmit(self->fd, &j[i], 1));
	}
	/*
	 * The long job is on the device and at least one job is queued
	 * behind it on the same ring (the scheduler may take a moment).
	 */
	ASSERT_EQ(0, tring_wait_inflight(self->devname, ENPU_RING_NORMAL, 2, MS));
	/*
	 * ...and the device has started the long one: on the ring is not
	 * enough (on a loaded host the device may not have fetched it yet,
	 * and a reset rightly replays a job that never started: 1 run in 50
	 * on the IOMMU guest with both cores busy).
	 */
	ASSERT_EQ(0, tjob_wait_running(self->devname, ENPU_RING_NORMAL, busy.job.id, MS));
	ASSERT_EQ(0, tjob_info(self->fd, busy.job.id, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_PENDING, info.status) TH_LOG("the long job ended too soon");
	ASSERT_EQ(0, tdebugfs_write(self->devname, "reset", "1"));
	EXPECT_EQ(before + 1, tresets(self->devname));

	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, busy.job.id, &info));
	/* it was running: the reset let it end rather than run it again */
	EXPECT_EQ(0, info.resets);
	for (i = 0; i < JOBS; i++) {
		EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j[i].id, &info));
		replayed += info.resets;
		ASSERT_EQ(0, tbo_wait(self->fd, out[i].handle, MS * 1000000ll));
		for (k = 0; k < N; k++) {
			ASSERT_EQ(k < 16 ? i : pat(k, 1), out[i].cpu[k])
				TH_LOG("job %u, byte %u", i, k);
		}
		tbo_close(self->fd, &out[i]);
	}
	EXPECT_EQ(0, peer_finish(&p, &st, &resets));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, st);
	replayed += resets;
	/* the jobs queued behind it on the device were replayed */
	EXPECT_LE(1, replayed);
	/* a reset with nothing queued is harmless too */
	ASSERT_EQ(0, tdebugfs_write(self->devname, "reset", "1"));
	EXPECT_EQ(before + 2, tresets(self->devname));
	EXPECT_EQ(0, tdebugfs_write(self->devname, "reset", "0"));
	EXPECT_EQ(before + 2, tresets(self->devname));
	tbusy_fini(self->fd, &busy);
}

/*
 * Resets at random moments among many short jobs: a job the device had
 * finished when the reset came (its interrupt not handled yet), or was
 * running, must not run again, nor be reported canceled. Each job is not
 * idempotent: it copies the first 16 bytes of its buffer to the next 16,
 * then overwrites them; run twice, the copy holds the new bytes.
 */
TEST_F(rec, reset_storm)
{
	enum { JOBS = 32, ROUNDS = 24 };
	struct drm_edgenpu_job_info info;
	struct tcs cs[JOBS];
	struct tjob j[JOBS];
	struct tbo b[JOBS];
	struct tbusy busy[2];
	unsigned int i, k, round, bad = 0, replayed = 0;
	int before;

	for (i = 0; i < JOBS; i++) {
		ASSERT_EQ(0, tbo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &b[i]));
	}
	before = tresets(self->devname);
	/*
	 * Two long jobs of about 300 ms each, one behind the other: the reset
	 * comes while one of them runs (reset_with_queued_jobs). One was not
	 * enough: the 32 submissions take 118-279 ms in the debug guest with
	 * the host busy, and once (CI) the long job and every job behind it
	 * had ended before the waits below began.
	 */
	ASSERT_EQ(0, tbusy_init(self->fd, &busy[0], 200));
	ASSERT_EQ(0, tbusy_init(self->fd, &busy[1], 200));
	for (round = 0; round < ROUNDS; round++) {
		/* every fourth round the jobs queue up behind a long one */
		if (!(round % 4)) {
			ASSERT_EQ(0, tsubmit(self->fd, &busy[0].job, 1));
			ASSERT_EQ(0, tsubmit(self->fd, &busy[1].job, 1));
			ASSERT_EQ(0, tring_wait_inflight(self->devname, ENPU_RING_NORMAL, 2, MS));
		}
		for (i = 0; i < JOBS; i++) {
			memset(b[i].cpu, 0, 64);
			cs[i].n = 0;
			j[i] = (struct tjob){ .cs = &cs[i] };
			tcs_copy(&cs[i], b[i].va, b[i].va + 16, 16);
			tcs_fill(&cs[i], b[i].va, (uint8_t)(i + 1), 16);
			tcs_end(&cs[i]);
			tjob_bo(&j[i], b[i].handle, 1);
			j[i].priority = i % 2 ? DRM_EDGENPU_PRIORITY_HIGH : DRM_EDGENPU_PRIORITY_NORMAL;
			ASSERT_EQ(0, tsubmit(self->fd, &j[i], 1));
		}
		if (round % 4) {
			usleep(round * 150);
		} else {
			/*
			 * The long job is running and a job is queued behind it
			 * on its ring when the reset comes: that job is replayed.
			 * Without these waits the reset came whenever the 32
			 * submissions ended, on a slow guest (the debug kernel
			 * beside the fuzzer's) after the long job and all the
			 * others had ended: nothing replayed in any round.
			 */
			ASSERT_EQ(0, tjob_info(self->fd, busy[1].job.id, &info));
			EXPECT_EQ(DRM_EDGENPU_JOB_PENDING, info.status)
				TH_LOG("round %u: the long jobs ended before the reset", round);
			ASSERT_EQ(0, tring_wait_inflight(self->devname, ENPU_RING_NORMAL, 2, MS));
		}
		ASSERT_EQ(0, tdebugfs_write(self->devname, "reset", "1"));
		for (i = 0; i < JOBS; i++) {
			ASSERT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j[i].id, &info))
				TH_LOG("round %u job %u", round, i);
			replayed += info.resets;
			ASSERT_EQ(0, tbo_wait(self->fd, b[i].handle, MS * 1000000ll));
			for (k = 0; k < 32; k++) {
				if (b[i].cpu[k] != (k < 16 ? i + 1 : 0)) {
					bad++;
					TH_LOG("round %u job %u ran %s: byte %u is %u", round, i,
					       b[i].cpu[16] ? "twice" : "wrongly", k, b[i].cpu[k]);
					break;
				}
			}
		}
	}
	EXPECT_EQ(0, bad);
	/* some rounds reset the device with jobs still queued on it */
	EXPECT_LE(1, replayed);
	TH_LOG("%u of %u jobs replayed", replayed, JOBS * ROUNDS);
	EXPECT_EQ(before + ROUNDS, tresets(self->devname));
	for (i = 0; i < JOBS; i++)
		tbo_close(self->fd, &b[i]);
	tbusy_fini(self->fd, &busy[0]);
	tbusy_fini(self->fd, &busy[1]);
}

/*
 * A job that runs longer than the job timeout but keeps retiring commands
 * is not a hang, even when both rings' timeouts expire together (a job
 * of the other ring waits behind it).
 */
/*
 * One CONV2D of 8.5 * 10^11 MACs (operands of 4, 4 and 13 MiB, about as
 * big as a job may make them: hours of host CPU) retires nothing: a hang
 * to the driver. It is stopped within a bounded time -- the device stops
 * it in its middle -- and another process's job, queued behind it,
 * completes correctly right after.
 */
TEST_F(rec, huge_command_is_stopped)
{
	struct drm_edgenpu_job_info info;
	struct tcs *cs = calloc(1, sizeof(*cs));
	uint32_t st, resets;
	struct tconv conv;
	struct peer p;
	struct tjob j;
	int64_t t0, took;
	int timeout_ms = tjob_timeout_ms(self->devname);

	ASSERT_NE(NULL, cs);
	ASSERT_LT(0, timeout_ms);
	ASSERT_EQ(0, tconv_init(self->fd, &conv, 512, 512, 16, 64, 64));
	tconv_job(&conv, cs, &j, 1);
	ASSERT_EQ(0, peer_start(&p, DRM_EDGENPU_PRIORITY_NORMAL));
	t0 = tnow_ms();
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tring_wait_inflight(self->devname, 0, 1, MS));
	ASSERT_EQ(0, peer_go(&p));
	EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, j.id, &info));
	took = tnow_ms() - t0;
	/* two timeouts to see no progress, one more at most to notice */
	EXPECT_GT(3 * timeout_ms + 3000, took) TH_LOG("stopped after %lld ms",
						       (long long)took);
	EXPECT_EQ(0, info.commands);
	EXPECT_EQ(0, peer_finish(&p, &st, &resets)) TH_LOG("the other process's copy is wrong");
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, st);
	tconv_fini(self->fd, &conv);
	free(cs);
}

/*
 * A job that keeps progressing but runs longer than the job_max_ms module
 * parameter is aborted on the device -- no reset -- and ends with
 * TIMEOUT; the job behind it runs.
 */
TEST_F(rec, runtime_limit_aborts_a_long_job)
{
	enum { LIMIT_MS = 1000, CONVS = 4000 };
	struct drm_edgenpu_job_info info;
	int old = tparam_get("job_max_ms"), before;
	struct tjob l, next;
	struct tconv conv;
	int64_t t0, took;
	uint32_t *stream;
	struct tcs cc;

	ASSERT_LT(0, old) TH_LOG("no job_max_ms module parameter");
	/*
	 * 0.57 G MACs a command, each ending well within the hang timeout on
	 * a slow, busy host; 4,000 of them (2.3 T MACs) outlast the limit
	 * many times over on a fast one (120 once did not: the INT8 kernels
	 * got faster)
	 */
	ASSERT_EQ(0, tconv_init(self->fd, &conv, 64, 64, 128, 128, 3));
	stream = tconv_long_job(&conv, &l, CONVS);
	ASSERT_NE(NULL, stream);
	copy_job(self, &cc, &next, 0);
	ASSERT_EQ(0, tparam_set("job_max_ms", LIMIT_MS));
	before = tresets(self->devname);
	t0 = tnow_ms();
	ASSERT_EQ(0, tsubmit(self->fd, &l, 1));
	ASSERT_EQ(0, tsubmit(self->fd, &next, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, l.id, &info));
	took = tnow_ms() - t0;
	TH_LOG("job of %u commands, %u run: ended after %lld ms", CONVS,
	       (unsigned int)info.commands, (long long)took);
	EXPECT_LT(0, info.commands) TH_LOG("it made progress");
	EXPECT_GT(CONVS, info.commands);
	EXPECT_LE(LIMIT_MS, took);
	EXPECT_GT(LIMIT_MS + 2 * tjob_timeout_ms(self->devname) + 3000, took)
		TH_LOG("aborted after %lld ms", (long long)took);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, next.id, &info));
	expect_copied(_metadata, self);
	EXPECT_EQ(before, tresets(self->devname)) TH_LOG("an abort, not a reset");
	EXPECT_EQ(0, tparam_set("job_max_ms", old));
	tconv_fini(self->fd, &conv);
	free(stream);
}

/*
 * Closing a file with long jobs on the device and more queued aborts them
 * instead of waiting for them: close() returns within a bounded time, and
 * another file's job queued behind them runs right after.
 */
TEST_F(rec, close_aborts_the_files_jobs)
{
	enum { JOBS = 8, CONVS = 120 };
	struct drm_edgenpu_job_info info;
	int to_parent[2], before;
	uint64_t v = 0;
	struct tcs cc;
	struct tjob mine;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_parent));
	before = tresets(self->devname);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tcs *cs = calloc(1, sizeof(*cs));
		struct tjob jobs[JOBS];
		struct tconv conv;
		int fd = edgenpu_open(), k;
		int64_t t0;

		/* each job seconds, all of them minutes; every command well within the hang timeout */
		if (!cs || fd < 0 || tconv_init(fd, &conv, 64, 64, 128, 128, 3))
			_exit(10);
		tconv_job(&conv, cs, &jobs[0], CONVS);
		for (k = 1; k < JOBS; k++)
			jobs[k] = jobs[0];
		if (tsubmit(fd, jobs, JOBS) ||
		    tring_wait_inflight(self->devname, 0, 1, MS))
			_exit(11);
		usleep(200 * 1000);
		t0 = tnow_ms();
		close(fd);
		tpipe_put(to_parent[1], tnow_ms() - t0);
		_exit(0);
	}
	ASSERT_EQ(0, tpipe_get(to_parent[0], &v, 60000));
	EXPECT_GT(3000, (int64_t)v) TH_LOG("close() took %lld ms", (long long)v);
	EXPECT_EQ(0, tchild_wait(pid, MS));
	copy_job(self, &cc, &mine, 0);
	ASSERT_EQ(0, tsubmit(self->fd, &mine, 1));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, mine.id, &info));
	expect_copied(_metadata, self);
	EXPECT_EQ(before, tresets(self->devname)) TH_LOG("aborts, not a reset");
	close(to_parent[0]);
	close(to_parent[1]);
}

/*
 * Hardware sequence numbers are 32 bits: a ring crosses 2^31 and 2^32
 * (debugfs "seqno" moves it there) with a reset while jobs are queued
 * and a runtime suspend in between; every job ends when it really ends,
 * with its own status, and its data is right. The jobs are queued on the
 * device behind a hung one, which holds them there however slowly the
 * guest runs (behind a long job they were not, once in 14 runs with the
 * host's cores busy: the device, which runs on the host, finished it
 * first); the reset ends it with TIMEOUT and replays them.
 */
/*
 * Ring 0's first sequence number at or after where it is now that equals
 * @want modulo 2^32 (debugfs "seqno" only moves a ring forward, and an
 * earlier run in the same boot left it past @want). 0 if unknown.
 */
static unsigned long long ring0_seqno_like(const char *devname, unsigned long long want)
{
	char *q = tdebugfs_read(devname, "queues"), *p;
	unsigned long long now, s;

	p = q ? strstr(q, "last_seqno ") : NULL;
	if (!p || sscanf(p, "last_seqno %llu", &now) != 1) {
		free(q);
		return 0;
	}
	free(q);
	s = (now & ~0xffffffffull) | (want & 0xffffffffull);
	return s > now ? s : s + (1ull << 32);
}

/*
 * Until @n jobs are on ring 0 (the hung one, @hung, and those behind it)
 * and the device has started @hung (one it has not is one a reset
 * replays, and the reset disarms the injection: it then ends OK), or the
 * driver's hang check has reset the device since it had @resets (a guest
 * slower than the check's timeout): 1 when the caller is to reset it, 0
 * when the check did, -ETIME, -errno.
 */
static int queued_behind_hang(const char *devname, uint64_t hung, int n, int resets)
{
	int64_t t0 = tnow_ms();
	int got;

	for (;;) {
		if (tresets(devname) != resets)
			return 0;
		got = tring_inflight(devname, 0);
		if (got < 0)
			return got;
		if (got >= n && !tjob_wait_running(devname, 0, hung, 0))
			return 1;
		if (tnow_ms() - t0 > MS)
			return -ETIME;
		usleep(500);
	}
}

TEST_F(rec, seqno_wraps_across_resets_and_suspends)
{
	static const unsigned long long bases[] = { (1ull << 31) - 3, (1ull << 32) - 3 };
	enum { JOBS = 6, PART = N / JOBS };
	struct drm_edgenpu_job_info info;
	struct tcs cs[JOBS], ch;
	struct tjob j[JOBS], hung;
	char base[64];
	unsigned int b, k, i;
	int resets, ret;

	for (b = 0; b < 2; b++) {
		unsigned long long at = ring0_seqno_like(self->devname, bases[b]);

		ASSERT_NE(0, at) TH_LOG("no ring 0 last_seqno in debugfs queues");
		snprintf(base, sizeof(base), "0 %llu", at);
		ASSERT_EQ(0, tdebugfs_write(self->devname, "seqno", base))
			TH_LOG("debugfs seqno refused %s", base);
		memset(self->dst.cpu, 0, N);
		/* a hung job, the copies queued on the device behind it */
		fill_job(self, &ch, &hung, 0x99);
		resets = tresets(self->devname);
		ASSERT_EQ(0, tinject(self->devname, "hang"));
		ASSERT_EQ(0, tsubmit(self->fd, &hung, 1));
		for (k = 0; k < JOBS; k++) {
			cs[k].n = 0;
			j[k] = (struct tjob){ .cs = &cs[k] };
			tcs_copy(&cs[k], self->src.va + k * PART, self->dst.va + k * PART, PART);
			tcs_end(&cs[k]);
			tjob_bo(&j[k], self->src.handle, 0);
			tjob_bo(&j[k], self->dst.handle, 1);
		}
		ASSERT_EQ(0, tsubmit(self->fd, j, JOBS));
		ret = queued_behind_hang(self->devname, hung.id, 3, resets);
		ASSERT_LE(0, ret) TH_LOG("base %llu: jobs not queued behind the hung one", bases[b]);
		if (ret)
			ASSERT_EQ(0, tdebugfs_write(self->devname, "reset", "1"));
		EXPECT_LT(resets, tresets(self->devname));
		EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, hung.id, &info));
		for (k = 0; k < JOBS; k++)
			EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j[k].id, &info))
				TH_LOG("base %llu: job %u", bases[b], k);
		ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
		for (i = 0; i < PART * JOBS; i++)
			ASSERT_EQ(pat(i, 1), self->dst.cpu[i]) TH_LOG("base %llu: byte %u",
								    bases[b], i);
		/* idle long enough to suspend; the sequence goes on after the resume */
		usleep(300 * 1000);
		memset(self->dst.cpu, 0, N);
		ASSERT_EQ(0, tsubmit(self->fd, j, JOBS));
		for (k = 0; k < JOBS; k++)
			EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j[k].id, &info));
		ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
		EXPECT_EQ(pat(PART * JOBS - 1, 1), self->dst.cpu[PART * JOBS - 1]);
	}
}

TEST_F(rec, long_job_is_not_a_hang)
{
	enum { BIG = 16 << 20, COPIES = 300 };	/* about a second */
	struct drm_edgenpu_job_info info;
	struct tcs *cl = calloc(1, sizeof(*cl)), ch = { .n = 0 };
	struct tjob l = { .cs = cl }, h = { .cs = &ch };
	struct tbo a, b;
	int before, max_ms = tparam_get("job_max_ms");

	ASSERT_NE(NULL, cl);
	/*
	 * About a second on an idle machine, many on a loaded one: not the
	 * runtime limit's to end (rec.runtime_limit_aborts_a_long_job), and
	 * waited for as long as it takes
	 */
	ASSERT_LT(0, max_ms);
	ASSERT_EQ(0, tparam_set("job_max_ms", 600000));
	ASSERT_EQ(0, tbo_create(self->fd, BIG, DRM_EDGENPU_BO_CREATE_MAP, &a));
	ASSERT_EQ(0, tbo_create(self->fd, BIG, DRM_EDGENPU_BO_CREATE_MAP, &b));
	tcs_copies(cl, a.va, b.va, BIG, COPIES);
	tcs_end(cl);
	tjob_bo(&l, a.handle, 0);
	tjob_bo(&l, b.handle, 1);
	copy_job(self, &ch, &h, 0);
	h.priority = DRM_EDGENPU_PRIORITY_HIGH;
	before = tresets(self->devname);
	ASSERT_EQ(0, tsubmit(self->fd, &l, 1));
	ASSERT_EQ(0, tsubmit(self->fd, &h, 1));
	EXPECT_EQ(0, tjob_wait(self->fd, l.id, 600000, &info));
	tparam_set("job_max_ms", max_ms);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	EXPECT_EQ(COPIES, info.commands);
	EXPECT_EQ(0, info.resets);
	EXPECT_LT(500000000ull, info.duration_ns) TH_LOG("the job took %llu ms only",
		(unsigned long long)info.duration_ns / 1000000);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, h.id, &info));
	EXPECT_EQ(before, tresets(self->devname));
	tbo_close(self->fd, &a);
	tbo_close(self->fd, &b);
	free(cl);
}

/*
 * A process killed (or exiting) with jobs on the device and more queued
 * behind them: nothing leaks or warns, the device carries on.
 */
TEST_F(rec, killed_with_queued_jobs)
{
	struct drm_edgenpu_job_info info;
	int to_parent[2], files, i;
	struct tcs cs;
	struct tjob j;
	uint64_t v;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_parent));
	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct tcs c = { .n = 0 };
			struct tjob jobs[32];
			struct tbusy busy;
			struct tbo x;
			int fd = edgenpu_open(), k;

			if (fd < 0 || tbusy_init(fd, &busy, 64) ||
			    tbo_create(fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &x))
				_exit(10);
			tcs_fill(&c, x.va, 1, 4096);
			tcs_end(&c);
			if (tsubmit(fd, &busy.job, 1))
				_exit(11);
			for (k = 0; k < 32; k++) {
				jobs[k] = (struct tjob){ .cs = &c };
				tjob_bo(&jobs[k], x.handle, 1);
				/* behind the long one through implicit sync */
				tjob_bo(&jobs[k], busy.b.handle, 0);
			}
			if (tsubmit(fd, jobs, 32) || tpipe_put(to_parent[1], 1))
				_exit(12);
			if (i)	/* the second one exits on its own */
				_exit(0);
			pause();
			_exit(13);
		}
		ASSERT_EQ(0, tpipe_get(to_parent[0], &v, MS));
		if (!i) {
			kill(pid, SIGKILL);
			EXPECT_EQ(128 + SIGKILL, tchild_wait(pid, MS));
		} else {
			EXPECT_EQ(0, tchild_wait(pid, MS));
		}
		/* its file goes away (its jobs end first) */
		files = -1;
		for (v = 0; v < 100 && files; v++) {
			files = tcontext_files(self->devname, pid);
			usleep(50000);
		}
		EXPECT_EQ(0, files) TH_LOG("process %d's file is still there", pid);
		copy_job(self, &cs, &j, 0);
		ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
		EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, j.id, &info));
		expect_copied(_metadata, self);
	}
	close(to_parent[0]);
	close(to_parent[1]);
}

/* Several hangs in a row, each its own reset; the device keeps working. */
TEST_F(rec, repeated_hangs)
{
	struct drm_edgenpu_job_info info;
	struct tcs ch, cl;
	struct tjob hung, later;
	int before, i;

	before = tresets(self->devname);
	for (i = 0; i < 2; i++) {
		fill_job(self, &ch, &hung, 0x99);
		memset(self->dst.cpu, 0, N);
		copy_job(self, &cl, &later, 0);
		ASSERT_EQ(0, tinject(self->devname, "hang"));
		ASSERT_EQ(0, tsubmit(self->fd, &hung, 1));
		ASSERT_EQ(0, tsubmit(self->fd, &later, 1));
		EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, hung.id, &info));
		EXPECT_EQ(DRM_EDGENPU_JOB_OK, end_status(_metadata, self->fd, later.id, &info));
		expect_copied(_metadata, self);
	}
	EXPECT_EQ(before + 2, tresets(self->devname));
}

/*
 * Hangs with nothing queued behind them, one after the other on one ring.
 * The first hung job ends while the timeout handler has it off the
 * scheduler's list and nothing else on the ring ends afterwards: it must
 * still be freed, or every later timeout of the ring would look at it
 * (ended, so no hang) and the second hang would never be detected.
 */
TEST_F(rec, lone_hangs_in_a_row)
{
	struct drm_edgenpu_job_info info;
	struct tcs ch;
	struct tjob hung;
	int before, i;
	int64_t t0;

	before = tresets(self->devname);
	for (i = 0; i < 3; i++) {
		fill_job(self, &ch, &hung, 0x99);
		ASSERT_EQ(0, tinject(self->devname, "hang"));
		t0 = tnow_ms();
		ASSERT_EQ(0, tsubmit(self->fd, &hung, 1));
		ASSERT_EQ(DRM_EDGENPU_JOB_TIMEOUT, end_status(_metadata, self->fd, hung.id, &info))
			TH_LOG("hang %d not detected", i + 1);
		EXPECT_GT(5000, tnow_ms() - t0) TH_LOG("hang %d took %lld ms to detect", i + 1,
						      (long long)(tnow_ms() - t0));
	}
	EXPECT_EQ(before + 3, tresets(self->devname));
}

TEST_HARNESS_MAIN
