// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation failures on every ioctl path. With failslab and
 * fail_page_alloc failing sleeping allocations too (CONFIG_FAULT_INJECTION,
 * the debug kernel), each path -- open, BO create, mmap, PRIME export and
 * import, map and unmap, a submission of many jobs with syncobjs, job
 * info, close with jobs in flight -- runs with the Nth fault-injection
 * point of the calling task failing (/proc/thread-self/fail-nth: this
 * task only), for N = 1, 2, ... until the path runs through without
 * reaching an Nth point. Every failure must be an errno (never a crash or
 * a warning: the VM runner checks the kernel log and kmemleak), the state
 * must stay consistent (the path then succeeds, the file works), and
 * nothing may leak.
 *
 * Skips without fault injection (a production kernel).
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define MS		10000
#define MAX_NTH		400	/* no path has that many injection points */
#define LEN		65536

FIXTURE(fault) {
	int fd;
	char devname[64];
	int nth_fd;
};

static int knob(const char *dir, const char *name, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", dir, name);
	return twrite_str(path, val);
}

/*
 * Failures for sleeping allocations too, quietly (a stack dump for each
 * failure would read as a warning), any size, any order.
 */
static int arm_fault_injection(void)
{
	static const char *const dirs[] = { "failslab", "fail_page_alloc" };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < 2; i++) {
		ret |= knob(dirs[i], "ignore-gfp-wait", "N");
		ret |= knob(dirs[i], "verbose", "0");
		ret |= knob(dirs[i], "probability", "0");
	}
	ret |= knob("fail_page_alloc", "ignore-gfp-highmem", "N");
	ret |= knob("fail_page_alloc", "min-order", "0");
	return ret;
}

FIXTURE_SETUP(fault)
{
	self->nth_fd = -1;
	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	if (access("/sys/kernel/debug/failslab", F_OK) ||
	    access("/proc/thread-self/fail-nth", W_OK))
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION, FAILSLAB)");
	ASSERT_EQ(0, arm_fault_injection());
	ASSERT_EQ(0, tdev_name(NULL, self->devname, sizeof(self->devname)));
	self->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth_fd);
}

FIXTURE_TEARDOWN(fault)
{
	char line[256];

	if (self->nth_fd >= 0)
		close(self->nth_fd);
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, tklog_bad_lines(line, sizeof(line))) TH_LOG("kernel log: %s", line);
}

/* The next Nth fault-injection point of this thread fails (0: none). */
static void fail_nth(FIXTURE_DATA(fault) *self, int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	if (pwrite(self->nth_fd, buf, strlen(buf), 0) < 0)
		abort();
}

/* Whether the armed failure happened (fail-nth reads 0), disarming it. */
static int failed(FIXTURE_DATA(fault) *self)
{
	char buf[16] = "";
	int left;

	if (pread(self->nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		abort();
	left = atoi(buf);
	fail_nth(self, 0);
	return left == 0;
}

/*
 * Runs @path with the 1st, 2nd, ... injection point failing until it runs
 * through. @path returns 0 on success or -errno; on a failure it must
 * leave nothing behind (it is run again). Returns the number of points.
 */
typedef int (*path_fn)(FIXTURE_DATA(fault) *self, void *arg);

static int every_failure(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
			 const char *name, path_fn path, void *arg)
{
	int n, ret;

	for (n = 1; n <= MAX_NTH; n++) {
		fail_nth(self, n);
		ret = path(self, arg);
		if (!failed(self)) {
			EXPECT_EQ(0, ret) TH_LOG("%s: %d without an injected failure", name, ret);
			TH_LOG("%s: %d injection points", name, n - 1);
			return n - 1;
		}
		/* an injected failure: an errno, or a success that survived it */
		EXPECT_TRUE(ret == 0 || (ret < 0 && ret > -4096))
			TH_LOG("%s, failure %d: %d", name, n, ret);
	}
	EXPECT_TRUE(0) TH_LOG("%s: over %d injection points", name, MAX_NTH);
	return n;
}

/* ---- the paths --------------------------------------------------------------- */

static int path_open(FIXTURE_DATA(fault) *self, void *arg)
{
	int fd = edgenpu_open();

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int path_bo_create(FIXTURE_DATA(fault) *self, void *arg)
{
	struct drm_edgenpu_bo_create c = { .size = LEN, .flags = DRM_EDGENPU_BO_CREATE_MAP };
	int ret = enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c);

	if (!ret)
		tgem_close(self->fd, c.handle);
	return ret;
}

static int path_mmap(FIXTURE_DATA(fault) *self, void *arg)
{
	struct tbo *b = arg;
	uint8_t *cpu = NULL;
	uint64_t size = 0;
	int ret = tbo_mmap(self->fd, b->handle, &cpu, &size);

	if (ret)
		return ret;
	cpu[0] = 1;		/* the fault that populates the page */
	cpu[size - 1] = 2;
	munmap(cpu, size);
	return 0;
}

static int path_map_unmap(FIXTURE_DATA(fault) *self, void *arg)
{
	struct tbo *b = arg;
	uint64_t va;
	int ret = tvm_map(self->fd, b->handle, 0, &va);

	if (ret)
		return ret;
	return tvm_unmap(self->fd, va);
}

static int path_prime(FIXTURE_DATA(fault) *self, void *arg)
{
	struct drm_prime_handle h = { .handle = ((struct tbo *)arg)->handle,
				      .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	int other, ret;

	ret = enpu_ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &h);
	if (ret)
		return ret;
	other = edgenpu_open();
	if (other < 0) {
		close(h.fd);
		return other;
	}
	h.handle = 0;
	h.flags = 0;
	ret = enpu_ioctl(other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &h);
	if (!ret) {
		uint64_t va;

		ret = tvm_map(other, h.handle, 0, &va);
	}
	close(other);
	close(h.fd);
	return ret;
}

/*
 * A submission of 8 jobs, each waiting for a signalled syncobj and
 * signalling one of its own (and each after the previous one).
 */
struct submit_arg {
	struct tbo a, b;
	uint32_t sync[9];
	struct tcs cs;
};

static int path_submit(FIXTURE_DATA(fault) *self, void *arg)
{
	struct submit_arg *s = arg;
	struct drm_edgenpu_job_info info;
	struct tjob j[8];
	unsigned int k;
	int ret;

	for (k = 0; k < 8; k++) {
		j[k] = (struct tjob){ .cs = &s->cs, .out_handle = s->sync[k + 1] };
		j[k].in[j[k].nin++] = (struct drm_edgenpu_sync){ .handle = s->sync[0] };
		tjob_bo(&j[k], s->a.handle, 0);
		tjob_bo(&j[k], s->b.handle, 1);
	}
	ret = tsubmit(self->fd, j, 8);
	if (ret)
		return ret;
	/* all or nothing: queued means every one of them runs */
	ret = tjob_wait(self->fd, j[7].id, MS, &info);
	return ret ? ret : info.status == DRM_EDGENPU_JOB_OK ? 0 : -EIO;
}

static int path_job_info(FIXTURE_DATA(fault) *self, void *arg)
{
	struct drm_edgenpu_job_info info;

	return tjob_info(self->fd, *(uint64_t *)arg, &info);
}

/* ---- the test -------------------------------------------------------------------- */

TEST_F_TIMEOUT(fault, every_allocation_of_every_path, 600)
{
	struct drm_edgenpu_job_info info;
	struct submit_arg *s = calloc(1, sizeof(*s));
	struct tcs c = { .n = 0 };
	struct tjob one = { .cs = &c };
	struct tbusy busy;
	struct tbo b;
	unsigned int i, k;
	int fd;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, tbo_create(self->fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &b));
	every_failure(_metadata, self, "open", path_open, NULL);
	every_failure(_metadata, self, "BO_CREATE", path_bo_create, NULL);
	every_failure(_metadata, self, "mmap", path_mmap, &b);
	every_failure(_metadata, self, "VM_MAP/UNMAP", path_map_unmap, &b);
	every_failure(_metadata, self, "PRIME", path_prime, &b);

	ASSERT_EQ(0, tbo_create(self->fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &s->a));
	ASSERT_EQ(0, tbo_create(self->fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &s->b));
	for (i = 0; i < LEN; i++)
		s->a.cpu[i] = (uint8_t)(i * 11 + 3);
	for (k = 0; k < 9; k++)
		ASSERT_EQ(0, tsyncobj_create(self->fd, &s->sync[k]));
	/* the first in-syncobj signalled: a job of its own, into b */
	tcs_fill(&c, b.va, 0, 1);
	tcs_end(&c);
	one.out_handle = s->sync[0];
	tjob_bo(&one, b.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &one, 1));
	ASSERT_EQ(0, tsyncobj_wait(self->fd, s->sync[0], 0, MS));
	tcs_copy(&s->cs, s->a.va, s->b.va, LEN);
	tcs_end(&s->cs);
	every_failure(_metadata, self, "SUBMIT", path_submit, s);
	ASSERT_EQ(0, tsubmit(self->fd, &one, 1));
	every_failure(_metadata, self, "JOB_INFO", path_job_info, &one.id);
	/* what ran under all those failures is right */
	ASSERT_EQ(0, tbo_wait(self->fd, s->b.handle, MS * 1000000ll));
	for (i = 0; i < LEN; i++)
		ASSERT_EQ((uint8_t)(i * 11 + 3), s->b.cpu[i]) TH_LOG("byte %u", i);

	/* closing a file with jobs in flight, an allocation failing anywhere */
	for (k = 1; k <= MAX_NTH; k++) {
		struct drm_edgenpu_job u[2];
		struct drm_edgenpu_submit sub = {
			.jobs_ptr = (uintptr_t)u, .job_count = 2, .job_stride = sizeof(u[0]),
		};

		fd = edgenpu_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, tbusy_init(fd, &busy, 32));
		tjob_fill(&busy.job, &u[0]);
		tjob_fill(&busy.job, &u[1]);
		ASSERT_EQ(0, enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &sub));
		fail_nth(self, (int)k);
		tbusy_fini(fd, &busy);
		close(fd);
		if (!failed(self))
			break;
	}
	TH_LOG("close with jobs in flight: %u injection points", k - 1);

	/* and the file still works */
	c.n = 0;
	tcs_fill(&c, b.va, 0x4e, 1);
	tcs_end(&c);
	one.out_handle = 0;
	ASSERT_EQ(0, tsubmit(self->fd, &one, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, one.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, b.handle, MS * 1000000ll));
	EXPECT_EQ(0x4e, b.cpu[0]);
	tbo_close(self->fd, &b);
	tbo_close(self->fd, &s->a);
	tbo_close(self->fd, &s->b);
	free(s);
}

TEST_HARNESS_MAIN
