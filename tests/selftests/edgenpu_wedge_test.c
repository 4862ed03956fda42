// SPDX-License-Identifier: GPL-2.0-only
/*
 * A device that does not confirm a reset (fault injection "stuck-reset":
 * the soft reset never completes and the device goes on with what it
 * ran, memory accesses included). The driver must never free what such a
 * device may still write: the device is declared wedged, its jobs end
 * with an error but keep their memory, new jobs are refused with -EIO,
 * and a hard reset recovers it -- a PCI function reset (sysfs "reset"),
 * or unbinding the device (the driver's own hard reset: function level
 * reset, or the reset line of a platform device).
 *
 * stuck_reset_pins_memory reproduces a review's finding: process A's long
 * job is given up, A exits, process V opens with the same layout of
 * buffers; with a driver that freed A's memory when the reset failed,
 * A's output landed in V's buffer.
 */
#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define MS		10000	/* bound of every wait that should succeed */
#define OUT		65536	/* A's output and V's buffer */

/*
 * A CONV2D that retires nothing for seconds, a hang to the driver, still
 * running when the driver gives up its reset: 40 x 40 x 128 in, 9 x 9
 * filters, 384 out, 4.1 * 10^9 MACs in one command. Its filters (10,368
 * taps) are longer than the int8 kernels take in their SIMD paths
 * (ENPU_GEMM_MAX_LEN), so it runs the plain int64 loop, about 3 s on any
 * x86-64 host variant (1.3 GMAC/s measured with AVX-512, SSE2 and C alike):
 * over five job timeouts, and well within MS. A 7 x 7 conv of 1.25 * 10^11
 * MACs, the largest the u8 GEMM takes within ENPU_MAX_OPERAND, ended in
 * 0.7 s once the GEMM got faster, before the hang check gave up.
 */
#define LONG_HW		40
#define LONG_CIN	128
#define LONG_COUT	384
#define LONG_K		9

FIXTURE(wedge) {
	int fd;
	char devname[64];
	char bus[32];
	char control[256];	/* the bus device's power/control */
};

static int twedged(const char *devname)
{
	char *q = tdebugfs_read(devname, "queues");
	int w;

	if (!q)
		return -errno;
	w = strstr(q, "wedged yes") != NULL;
	free(q);
	return w;
}

/* JOBS_DONE: jobs the device ended since its last reset that happened. */
static long long tjobs_done(const char *devname)
{
	return edgenpu_debugfs_reg(devname, "JOBS_DONE");
}

/*
 * A hard reset of the device: the PCI core's function reset, or for a
 * platform device an unbind and a bind (whose remove pulses the reset
 * line). The fixture's file is reopened.
 */
static int recover(FIXTURE_DATA(wedge) *self)
{
	char path[256];
	int ret;

	if (!strcmp(self->bus, "pci")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", self->devname);
		return twrite_str(path, "1");
	}
	close(self->fd);
	self->fd = -1;
	ret = tdriver_write(self->bus, "unbind", self->devname);
	if (!ret)
		ret = tdriver_write(self->bus, "bind", self->devname);
	if (!ret)
		self->fd = edgenpu_open();
	return ret ? ret : self->fd < 0 ? self->fd : 0;
}

FIXTURE_SETUP(wedge)
{
	struct drm_edgenpu_device_info dev;
	__u32 size = sizeof(dev);
	int minor = -1;

	self->fd = edgenpu_open_minor(&minor);
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &dev, &size));
	if (!(dev.hw_caps & ENPU_CAP_DEBUG))
		SKIP(return, "the device has no fault injection (needs debug=on)");
	if (geteuid() != 0)
		SKIP(return, "needs root for debugfs and sysfs");
	ASSERT_EQ(0, edgenpu_dev_name(minor, self->devname, sizeof(self->devname)));
	ASSERT_EQ(0, edgenpu_dev_bus(minor, self->bus, sizeof(self->bus)));
	snprintf(self->control, sizeof(self->control),
		 "/sys/class/accel/accel%d/device/power/control", minor);
	tcoredumps_settle(self->devname);
}

FIXTURE_TEARDOWN(wedge)
{
	char line[256];

	/* never leave a wedged device behind for the next test */
	if (self->devname[0] && twedged(self->devname) > 0)
		recover(self);
	if (self->control[0])
		twrite_str(self->control, "auto");
	if (self->fd >= 0)
		close(self->fd);
	if (self->devname[0])
		tcoredumps_settle(self->devname);
	EXPECT_EQ(0, tklog_bad_lines(line, sizeof(line))) TH_LOG("kernel log: %s", line);
}

/* A copy job on the fixture's file: correct after recovery. */
static void copy_ok(struct __test_metadata *_metadata, FIXTURE_DATA(wedge) *self)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	struct tbo a, b;
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, OUT, DRM_EDGENPU_BO_CREATE_MAP, &a));
	ASSERT_EQ(0, tbo_create(self->fd, OUT, DRM_EDGENPU_BO_CREATE_MAP, &b));
	for (i = 0; i < OUT; i++)
		a.cpu[i] = (uint8_t)(i * 7 + 1);
	tcs_copy(&cs, a.va, b.va, OUT);
	tcs_end(&cs);
	tjob_bo(&j, a.handle, 0);
	tjob_bo(&j, b.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, b.handle, MS * 1000000ll));
	for (i = 0; i < OUT; i++)
		ASSERT_EQ((uint8_t)(i * 7 + 1), b.cpu[i]) TH_LOG("byte %u", i);
	tbo_close(self->fd, &a);
	tbo_close(self->fd, &b);
}

/*
 * Process A: its output buffer first (the lowest VA), then the long
 * CONV2D (LONG_*), then the output written. Reports when the job runs,
 * then its end status, and exits (closing its file).
 */
static void process_a(const char *devname, int to_parent)
{
	struct drm_edgenpu_job_info info;
	struct tcs *cs = calloc(1, sizeof(*cs));
	struct tconv conv;
	struct tjob j;
	struct tbo out;
	int fd = edgenpu_open();

	if (!cs || fd < 0 || tbo_create(fd, OUT, DRM_EDGENPU_BO_CREATE_MAP, &out) ||
	    tconv_init(fd, &conv, LONG_HW, LONG_HW, LONG_CIN, LONG_COUT, LONG_K))
		_exit(10);
	tcs_conv(cs, conv.in.va, conv.filt.va, conv.quant.va, conv.out.va, LONG_HW, LONG_HW,
		 LONG_CIN, LONG_COUT, LONG_K);
	tcs_fill(cs, out.va, 0xa5, OUT);
	tcs_end(cs);
	j = (struct tjob){ .cs = cs };
	tjob_bo(&j, conv.in.handle, 0);
	tjob_bo(&j, conv.filt.handle, 0);
	tjob_bo(&j, conv.quant.handle, 0);
	tjob_bo(&j, conv.out.handle, 1);
	tjob_bo(&j, out.handle, 1);
	if (tsubmit(fd, &j, 1) || tring_wait_inflight(devname, 0, 1, MS) ||
	    tpipe_put(to_parent, 1))
		_exit(11);
	if (tjob_wait(fd, j.id, 6 * MS, &info))
		_exit(12);
	tpipe_put(to_parent, info.status);
	close(fd);
	_exit(0);
}

TEST_F(wedge, stuck_reset_pins_memory)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	int to_parent[2], resets;
	long long done;
	uint64_t v = 0;
	struct tbo out;
	unsigned int i;
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_parent));
	/* awake throughout: the injection is for the hang's reset, not a resume's */
	ASSERT_EQ(0, twrite_str(self->control, "on"));
	resets = tresets(self->devname);
	done = tjobs_done(self->devname);
	ASSERT_LE(0, done);
	ASSERT_EQ(0, tinject(self->devname, "stuck-reset"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		process_a(self->devname, to_parent[1]);
	ASSERT_EQ(0, tpipe_get(to_parent[0], &v, MS));

	/* the hang check gives up on A's job; the reset is not confirmed */
	ASSERT_EQ(0, tpipe_get(to_parent[0], &v, 6 * MS));
	EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, v) TH_LOG("A's job ended with status %llu",
						     (unsigned long long)v);
	EXPECT_EQ(0, tchild_wait(pid, MS));
	EXPECT_EQ(1, twedged(self->devname));

	/* V: the same layout of buffers as A, written by the CPU */
	ASSERT_EQ(0, tbo_create(self->fd, OUT, DRM_EDGENPU_BO_CREATE_MAP, &out));
	memset(out.cpu, 0x11, OUT);
	tcs_fill(&cs, out.va, 0x22, OUT);
	tcs_end(&cs);
	tjob_bo(&j, out.handle, 1);
	EXPECT_EQ(-EIO, tsubmit(self->fd, &j, 1)) TH_LOG("a wedged device refuses jobs");

	/* the device goes on with A's job to its end: into A's pinned memory */
	t0 = tnow_ms();
	while (tjobs_done(self->devname) <= done && tnow_ms() - t0 < 6 * MS)
		usleep(20000);
	ASSERT_LT(done, tjobs_done(self->devname)) TH_LOG("the device did not finish A's job");
	for (i = 0; i < OUT; i++)
		ASSERT_EQ(0x11, out.cpu[i]) TH_LOG("byte %u of V's buffer written by A's job", i);

	/* a hard reset recovers it */
	ASSERT_EQ(0, recover(self));
	EXPECT_EQ(0, twedged(self->devname));
	/* (a platform device was rebound: a new device, its count from 0) */
	if (!strcmp(self->bus, "pci"))
		EXPECT_LT(resets, tresets(self->devname));
	copy_ok(_metadata, self);
	if (!strcmp(self->bus, "pci")) {
		ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
		ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
		EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
		ASSERT_EQ(0, tbo_wait(self->fd, out.handle, MS * 1000000ll));
		EXPECT_EQ(0x22, out.cpu[0]);
		EXPECT_EQ(0x22, out.cpu[OUT - 1]);
		tbo_close(self->fd, &out);
	}
	close(to_parent[0]);
	close(to_parent[1]);
}

/*
 * A runtime resume whose reset the device does not confirm: the device is
 * wedged -- not a failed resume, after which the PM core would refuse
 * every resume for the rest of the boot -- and a function reset recovers
 * it. (On a platform device a suspend asserts the reset line, a hard
 * reset: nothing is stuck there.)
 */
TEST_F(wedge, resume_not_confirmed)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	char power[256], buf[64];
	struct tbo a;
	int minor = -1;

	if (strcmp(self->bus, "pci"))
		SKIP(return, "a platform device is hard-reset while suspended");
	ASSERT_EQ(0, tdev_name(&minor, buf, sizeof(buf)));
	snprintf(power, sizeof(power), "/sys/class/accel/accel%d/device/power", minor);
	if (!tpower_in_use(power, buf, sizeof(buf)))
		SKIP(return, "runtime PM not in use: status %s", buf);
	ASSERT_EQ(0, tbo_create(self->fd, OUT, DRM_EDGENPU_BO_CREATE_MAP, &a));
	tcs_fill(&cs, a.va, 0x33, OUT);
	tcs_end(&cs);
	tjob_bo(&j, a.handle, 1);

	ASSERT_EQ(0, tinject(self->devname, "stuck-reset"));
	ASSERT_LE(0, tpower_wait(power, "suspended", MS)) TH_LOG("did not suspend");
	/* the resume for this job is not confirmed: the job is refused */
	EXPECT_EQ(-EIO, tsubmit(self->fd, &j, 1));
	EXPECT_EQ(1, twedged(self->devname));
	EXPECT_EQ(-EIO, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tpower_read(power, "runtime_status", buf, sizeof(buf)));
	EXPECT_STREQ("active", buf) TH_LOG("a wedged device stays up");

	ASSERT_EQ(0, recover(self));
	EXPECT_EQ(0, twedged(self->devname));
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, a.handle, MS * 1000000ll));
	EXPECT_EQ(0x33, a.cpu[OUT - 1]);
	/* and runtime PM works again */
	EXPECT_LE(0, tpower_wait(power, "suspended", MS));
	tbo_close(self->fd, &a);
}

/*
 * Unbinding while the device runs a job and does not confirm the soft
 * reset: the driver's hard reset stops it before anything goes, and a
 * bind brings the device back.
 */
TEST_F(wedge, unbind_with_stuck_reset)
{
	struct tcs *cs = calloc(1, sizeof(*cs));
	struct tconv conv;
	struct tjob j;

	ASSERT_NE(NULL, cs);
	ASSERT_EQ(0, twrite_str(self->control, "on"));
	ASSERT_EQ(0, tconv_init(self->fd, &conv, LONG_HW, LONG_HW, LONG_CIN, LONG_COUT, LONG_K));
	tconv_job(&conv, cs, &j, 1);
	ASSERT_EQ(0, tinject(self->devname, "stuck-reset"));
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tring_wait_inflight(self->devname, 0, 1, MS));
	ASSERT_EQ(0, tdriver_write(self->bus, "unbind", self->devname));
	/* the file stays open on an unplugged device: -ENODEV */
	EXPECT_EQ(-ENODEV, tsubmit(self->fd, &j, 1));
	tconv_fini(self->fd, &conv);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, tdriver_write(self->bus, "bind", self->devname));
	self->fd = edgenpu_open();
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, twedged(self->devname));
	copy_ok(_metadata, self);
	free(cs);
}

TEST_HARNESS_MAIN
