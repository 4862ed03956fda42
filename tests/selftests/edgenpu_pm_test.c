// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runtime power management: the device suspends within a second of
 * idleness (50 ms autosuspend), even with files open and buffers mapped;
 * it is active while a job is queued or running; jobs submitted to a
 * suspended device run correctly on the mappings made before; power
 * control "on" keeps it awake; a fault injection armed before a suspend
 * still fires.
 */
#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define N		65536
/*
 * How long an idle device may take to suspend (autosuspend after 50 ms):
 * a bound, not a speed target. A starved guest on a loaded TCG host (the
 * debug kernel's, beside four other guests in make check) runs the
 * suspend work item seconds late; a device that never suspends still
 * fails.
 */
#define SUSPEND_MS	10000

FIXTURE(pm) {
	int fd;
	char power[256];	/* the bus device's power/ directory */
	struct tbo src, dst;
};

static long long power_num(FIXTURE_DATA(pm) *self, const char *name)
{
	char buf[64];

	if (tpower_read(self->power, name, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

FIXTURE_SETUP(pm)
{
	char devname[64], buf[64];
	unsigned int i;
	int minor = -1;

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, tdev_name(&minor, devname, sizeof(devname)));
	/* the bus device's power attributes (PCI or platform) */
	snprintf(self->power, sizeof(self->power), "/sys/class/accel/accel%d/device/power", minor);
	if (tpower_read(self->power, "runtime_status", buf, sizeof(buf)))
		SKIP(return, "no runtime PM in sysfs (CONFIG_PM)");
	if (!tpower_in_use(self->power, buf, sizeof(buf)))
		SKIP(return, "runtime PM not in use: status %s", buf);
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->src));
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->dst));
	for (i = 0; i < N; i++)
		self->src.cpu[i] = (uint8_t)(i * 3 + (i >> 8));
}

FIXTURE_TEARDOWN(pm)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/control", self->power);
	twrite_str(path, "auto");
	if (self->fd >= 0)
		close(self->fd);
}

/* A copy src -> dst with a fresh pattern check. */
static void copy_and_check(struct __test_metadata *_metadata, FIXTURE_DATA(pm) *self)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	unsigned int i;

	memset(self->dst.cpu, 0, N);
	tcs_copy(&cs, self->src.va, self->dst.va, N);
	tcs_end(&cs);
	tjob_bo(&j, self->src.handle, 0);
	tjob_bo(&j, self->dst.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, 5000000000ll));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(self->src.cpu[i], self->dst.cpu[i]) TH_LOG("byte %u", i);
	}
}

/*
 * A fault injection armed through debugfs waits for the next job even when
 * the device suspends in between (a suspend resets it): a hang armed, a
 * suspend, then a job; the job hangs and ends with TIMEOUT.
 */
TEST_F(pm, injection_survives_suspend)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	char devname[64];

	ASSERT_EQ(0, tdev_name(NULL, devname, sizeof(devname)));
	if (tinject(devname, "hang"))
		SKIP(return, "no fault injection (debug=on) in debugfs");
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS))
		TH_LOG("not suspended %d ms after the injection", SUSPEND_MS);
	tcs_fill(&cs, self->dst.va, 0x5a, N);
	tcs_end(&cs);
	tjob_bo(&j, self->dst.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, 10000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, info.status)
		TH_LOG("the hang armed before the suspend did not fire");
	/* the hang left a device coredump (which pins the module): drop it */
	EXPECT_EQ(1, tcoredump_wait(devname, 5000, 1, NULL, 0));
}

TEST_F(pm, suspends_when_idle)
{
	int ms;

	EXPECT_EQ(50, power_num(self, "autosuspend_delay_ms"));
	/* an open file with mapped buffers does not keep the device awake */
	ms = tpower_wait(self->power, "suspended", SUSPEND_MS);
	EXPECT_LE(0, ms) TH_LOG("still not suspended after %d ms", SUSPEND_MS);
	/* and it stays suspended while nothing happens */
	usleep(200000);
	EXPECT_TRUE(tpower_is(self->power, "suspended"));
}

TEST_F(pm, job_from_suspended)
{
	long long suspended_before;
	int round;

	for (round = 0; round < 4; round++) {
		ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS)) TH_LOG("round %d", round);
		suspended_before = power_num(self, "runtime_suspended_time");
		copy_and_check(_metadata, self);
		EXPECT_LE(suspended_before, power_num(self, "runtime_suspended_time"));
	}
	EXPECT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS));
}

/* Active from submission to the end of the job, then suspended again. */
TEST_F(pm, active_around_a_job)
{
	struct drm_edgenpu_job_info info;
	long long active_before, active_after;
	struct tbusy busy;
	int samples = 0, not_active = 0, ms;

	ASSERT_EQ(0, tbusy_init(self->fd, &busy, 64));
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS));
	active_before = power_num(self, "runtime_active_time");
	ASSERT_LE(0, active_before);

	ASSERT_EQ(0, tsubmit(self->fd, &busy.job, 1));
	/* poll while the job is pending: the device must be active throughout */
	for (;;) {
		ASSERT_EQ(0, tjob_info(self->fd, busy.job.id, &info));
		if (info.status != DRM_EDGENPU_JOB_PENDING)
			break;
		samples++;
		if (!tpower_is(self->power, "active"))
			not_active++;
		usleep(2000);
		ASSERT_GT(10000, samples);
	}
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	EXPECT_LT(0, samples) TH_LOG("the job ended before it could be observed");
	EXPECT_EQ(0, not_active) TH_LOG("%d of %d samples not active during the job",
					not_active, samples);

	ms = tpower_wait(self->power, "suspended", SUSPEND_MS);
	EXPECT_LE(0, ms) TH_LOG("not suspended %d ms after the job", SUSPEND_MS);
	active_after = power_num(self, "runtime_active_time");
	/* the job ran for tens of ms with the device active */
	EXPECT_LT(active_before + 10, active_after);
	tbusy_fini(self->fd, &busy);
}

/* Jobs queued behind a dependency hold the device awake too. */
TEST_F(pm, active_while_queued)
{
	struct tcs c1 = { .n = 0 }, c2 = { .n = 0 };
	struct tjob j1 = { .cs = &c1 }, j2 = { .cs = &c2 };
	struct drm_edgenpu_job_info info;
	struct tbusy busy;
	uint32_t s;

	ASSERT_EQ(0, tbusy_init(self->fd, &busy, 64));
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s));
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS));
	busy.job.out_handle = s;
	ASSERT_EQ(0, tsubmit(self->fd, &busy.job, 1));
	/* j2 waits for the long job; j1 is independent */
	tcs_fill(&c1, self->dst.va, 1, 16);
	tcs_end(&c1);
	tjob_bo(&j1, self->dst.handle, 1);
	tcs_fill(&c2, self->src.va + N - 16, 2, 16);
	tcs_end(&c2);
	tjob_bo(&j2, self->src.handle, 1);
	j2.in[j2.nin++] = (struct drm_edgenpu_sync){ .handle = s };
	j2.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &j2, 1));
	ASSERT_EQ(0, tsubmit(self->fd, &j1, 1));
	EXPECT_TRUE(tpower_is(self->power, "active"));
	ASSERT_EQ(0, tjob_wait(self->fd, j2.id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tjob_wait(self->fd, j1.id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, self->src.handle, 5000000000ll));
	EXPECT_EQ(2, self->src.cpu[N - 1]);
	EXPECT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS));
	tsyncobj_destroy(self->fd, s);
	tbusy_fini(self->fd, &busy);
}

/* power/control "on" keeps the device awake; "auto" lets it suspend again. */
TEST_F(pm, control_on)
{
	char path[320];

	if (geteuid() != 0)
		SKIP(return, "needs root to write power/control");
	snprintf(path, sizeof(path), "%s/control", self->power);
	ASSERT_EQ(0, twrite_str(path, "on"));
	EXPECT_TRUE(tpower_is(self->power, "active"));
	usleep(300000);
	EXPECT_TRUE(tpower_is(self->power, "active"));
	copy_and_check(_metadata, self);
	usleep(200000);
	EXPECT_TRUE(tpower_is(self->power, "active"));
	ASSERT_EQ(0, twrite_str(path, "auto"));
	EXPECT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS));
	copy_and_check(_metadata, self);
}

/*
 * System suspend and resume, through the kernel's pm_test facility: with
 * pm_test=devices a "freeze" suspends every device (edgenpu included) and
 * resumes it, without firmware. The device must work before and after,
 * including from a runtime-active state with a job just done.
 */
/*
 * While the device is held in reset or unpowered (a SoC integration's
 * runtime suspend), the driver touches no register: an unmap and a file
 * closed while suspended leave the model's DBG_HELD_ACCESSES count alone.
 * On PCI the device is never held: skipped.
 */
TEST_F(pm, no_register_access_while_suspended)
{
	char devname[64];
	long long held, inputs;
	struct tbo b;
	int fd2;

	ASSERT_EQ(0, tdev_name(NULL, devname, sizeof(devname)));
	inputs = edgenpu_debugfs_reg(devname, "DBG_RESET_INPUTS");
	held = edgenpu_debugfs_reg(devname, "DBG_HELD_ACCESSES");
	if (held < 0 || inputs < 0)
		SKIP(return, "no debug window (debug=on) or no debugfs");
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS * 5));
	copy_and_check(_metadata, self);	/* a resume: held, then released? */
	if (edgenpu_debugfs_reg(devname, "DBG_RESET_INPUTS") == inputs)
		SKIP(return, "the device is not held in reset while suspended");

	fd2 = edgenpu_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, tbo_create(fd2, N, DRM_EDGENPU_BO_CREATE_MAP, &b));
	held = edgenpu_debugfs_reg(devname, "DBG_HELD_ACCESSES");
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS * 5));
	/* an unmap and a close while suspended: TLB and ASID work deferred */
	EXPECT_EQ(0, tvm_unmap(fd2, b.va));
	tbo_close(fd2, &b);
	close(fd2);
	EXPECT_EQ(held, edgenpu_debugfs_reg(devname, "DBG_HELD_ACCESSES"))
		TH_LOG("registers accessed while the device was held");
	copy_and_check(_metadata, self);
}

TEST_F(pm, system_suspend_resume)
{
	char buf[64];
	int fd, round;

	if (access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/pm_test (CONFIG_PM_DEBUG)");
	/* no pause while suspended: the cycle itself is what is tested */
	twrite_str("/sys/module/suspend/parameters/pm_test_delay", "0");
	ASSERT_EQ(0, twrite_str("/sys/power/pm_test", "devices"));
	for (round = 0; round < 2; round++) {
		copy_and_check(_metadata, self);
		fd = open("/sys/power/state", O_WRONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(6, write(fd, "freeze", 6)) TH_LOG("round %d: %s", round, strerror(errno));
		close(fd);
		copy_and_check(_metadata, self);
	}
	ASSERT_EQ(0, twrite_str("/sys/power/pm_test", "none"));
	/* runtime PM still works: idle, the device suspends; a job wakes it */
	EXPECT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS * 5))
		TH_LOG("no runtime suspend after system sleep: %s",
		       tpower_read(self->power, "runtime_status", buf, sizeof(buf)) ? "?" : buf);
	copy_and_check(_metadata, self);
}

/*
 * System sleep with jobs on the device and more queued: suspend lets the
 * running job end (or aborts it), resume runs the rest; every job ends
 * with its own status -- OK with its data exact, or CANCELED if it was
 * cut short -- none with TIMEOUT, none run twice, and no reset.
 */
TEST_F(pm, system_suspend_with_jobs_in_flight)
{
	enum { JOBS = 12, PART = N / JOBS };
	struct drm_edgenpu_job_info info;
	struct tcs cs[JOBS];
	struct tjob j[JOBS];
	struct tbusy busy;
	char devname[64];
	unsigned int k, i, ok = 0;
	int fd, resets;

	if (access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/pm_test (CONFIG_PM_DEBUG)");
	ASSERT_EQ(0, tdev_name(NULL, devname, sizeof(devname)));
	resets = tresets(devname);
	twrite_str("/sys/module/suspend/parameters/pm_test_delay", "0");
	ASSERT_EQ(0, twrite_str("/sys/power/pm_test", "devices"));
	ASSERT_EQ(0, tbusy_init(self->fd, &busy, 256));
	memset(self->dst.cpu, 0, N);
	ASSERT_EQ(0, tsubmit(self->fd, &busy.job, 1));
	for (k = 0; k < JOBS; k++) {
		cs[k].n = 0;
		j[k] = (struct tjob){ .cs = &cs[k] };
		/* each copy counts its own byte: one run twice would not show, */
		tcs_copy(&cs[k], self->src.va + k * PART, self->dst.va + k * PART, PART);
		tcs_end(&cs[k]);
		tjob_bo(&j[k], self->src.handle, 0);
		tjob_bo(&j[k], self->dst.handle, 1);
		ASSERT_EQ(0, tsubmit(self->fd, &j[k], 1));
	}
	ASSERT_EQ(0, tring_wait_inflight(devname, 0, 2, 5000));
	fd = open("/sys/power/state", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(6, write(fd, "freeze", 6)) TH_LOG("%s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, twrite_str("/sys/power/pm_test", "none"));

	ASSERT_EQ(0, tjob_wait(self->fd, busy.job.id, 10000, &info));
	EXPECT_TRUE(info.status == DRM_EDGENPU_JOB_OK || info.status == DRM_EDGENPU_JOB_CANCELED)
		TH_LOG("the running job ended with %u", info.status);
	for (k = 0; k < JOBS; k++) {
		ASSERT_EQ(0, tjob_wait(self->fd, j[k].id, 10000, &info)) TH_LOG("job %u", k);
		EXPECT_TRUE(info.status == DRM_EDGENPU_JOB_OK ||
			    info.status == DRM_EDGENPU_JOB_CANCELED)
			TH_LOG("job %u ended with %u", k, info.status);
		if (info.status != DRM_EDGENPU_JOB_OK)
			continue;
		ok++;
		for (i = k * PART; i < (k + 1) * PART; i++)
			ASSERT_EQ(self->src.cpu[i], self->dst.cpu[i]) TH_LOG("job %u byte %u", k, i);
	}
	EXPECT_EQ(JOBS, ok) TH_LOG("jobs that never started were not run after the resume");
	EXPECT_EQ(resets, tresets(devname)) TH_LOG("no hang, no reset");
	tbusy_fini(self->fd, &busy);
}

TEST_HARNESS_MAIN
