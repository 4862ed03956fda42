// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unload and unbind: the module unloads with the device idle and comes
 * back working; it refuses to unload while a file is open; unbinding the
 * PCI device under an open file turns its ioctls into -ENODEV without
 * crashing, and rebinding restores the device. Unbinding under jobs (one
 * hung on the device, others queued behind it or waiting for it) ends
 * every one of them with an error, signals their syncobjs, and neither
 * the unbind nor closing the file hangs.
 *
 * Needs root and the module file: $EDGENPU_MODULE, default
 * /lib/modules/edgenpu/edgenpu.ko (where the edgenpu VM image puts it).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

/* up to this many cycles, at least the minimum, within the time given */
#define LOAD_UNLOAD_CYCLES	100
#define LOAD_UNLOAD_MIN		10
#define LOAD_UNLOAD_MS		15000
#define QUEUED			4	/* jobs behind the hung one */
#define MS			5000

static const char *module_path(void)
{
	const char *p = getenv("EDGENPU_MODULE");

	return p && *p ? p : "/lib/modules/edgenpu/edgenpu.ko";
}

static int unload(void)
{
	return syscall(__NR_delete_module, "edgenpu", O_NONBLOCK) ? -errno : 0;
}

static int load(void)
{
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int query_errno(int fd)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);

	return edgenpu_query(fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size);
}

FIXTURE(mod) {
	int minor;
	char devname[64];
	char bus[32];		/* pci or platform */
};

FIXTURE_SETUP(mod)
{
	int fd = edgenpu_open_minor(&self->minor);

	EDGENPU_NEED_DEVICE(fd);
	close(fd);
	if (geteuid() != 0)
		SKIP(return, "needs root to load and unload modules");
	if (access(module_path(), R_OK))
		SKIP(return, "module file %s not readable", module_path());
	/* coredumps of earlier hangs hold a reference on the module */
	ASSERT_EQ(0, edgenpu_dev_name(self->minor, self->devname, sizeof(self->devname)));
	ASSERT_EQ(0, edgenpu_dev_bus(self->minor, self->bus, sizeof(self->bus)));
	tcoredumps_settle(self->devname);
}

FIXTURE_TEARDOWN(mod)
{
	/* Leave the module loaded for whatever runs next. */
	int fd = edgenpu_open();

	if (fd >= 0)
		close(fd);
	else
		load();
}

TEST_F(mod, unload_idle_and_reload)
{
	struct stat st;
	char node[64];
	int fd;

	snprintf(node, sizeof(node), "/dev/accel/accel%d", self->minor);
	ASSERT_EQ(0, unload());
	EXPECT_EQ(-1, stat(node, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENODEV, edgenpu_open());

	ASSERT_EQ(0, load());
	fd = edgenpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, query_errno(fd));
	close(fd);
}

TEST_F(mod, unload_refused_while_open)
{
	int fd = edgenpu_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_EQ(0, query_errno(fd));
	close(fd);
}

TEST_F(mod, unbind_under_open_file)
{
	char devname[64], path[160], node[64];
	int fd, fd2;

	ASSERT_EQ(0, edgenpu_dev_name(self->minor, devname, sizeof(devname)));
	fd = edgenpu_open();
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, tdriver_write(self->bus, "unbind", devname));
	EXPECT_EQ(-ENODEV, query_errno(fd));
	/* its node is gone (a machine may have other EdgeNPUs: not "none left") */
	snprintf(node, sizeof(node), "/dev/accel/accel%d", self->minor);
	EXPECT_EQ(-1, open(node, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	close(fd);

	ASSERT_EQ(0, tdriver_write(self->bus, "bind", devname));
	fd2 = edgenpu_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, query_errno(fd2));
	close(fd2);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/edgenpu/%s", self->bus, devname);
	EXPECT_EQ(0, access(path, F_OK));
}

/*
 * At least LOAD_UNLOAD_MIN cycles, more while within LOAD_UNLOAD_MS: a
 * debug kernel takes about a second a cycle, four on a loaded host, so the
 * harness's own limit is not the default 30 s.
 */
TEST_F_TIMEOUT(mod, load_unload_cycles, 600)
{
	int64_t t0 = tnow_ms();
	int i, fd;

	for (i = 0; i < LOAD_UNLOAD_CYCLES; i++) {
		if (i >= LOAD_UNLOAD_MIN && tnow_ms() - t0 > LOAD_UNLOAD_MS)
			break;
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, load()) TH_LOG("cycle %d", i);
	}
	fd = edgenpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, query_errno(fd));
	close(fd);
}

/*
 * A file with jobs on the device: one hung (fault injection), QUEUED
 * behind it, one waiting for the last of them through a syncobj. Their
 * fences are exported as sync_files, which outlive the device.
 */
struct busy_file {
	int fd;
	struct tbo a, b;
	struct tcs cs, hang_cs;
	struct tjob hung, jobs[QUEUED + 1];
	uint32_t sync[QUEUED + 2];
	int fence[QUEUED + 2];	/* sync_file of each job */
};

static int export_fence(int fd, uint32_t sync, int *out)
{
	struct drm_syncobj_handle h = {
		.handle = sync, .fd = -1,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	int ret = ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h) ? -errno : 0;

	*out = h.fd;
	return ret;
}

static void busy_file_start(struct __test_metadata *_metadata, const char *devname,
			    struct busy_file *bf)
{
	struct drm_edgenpu_job_info info;
	unsigned int i;

	memset(bf, 0, sizeof(*bf));
	bf->fd = edgenpu_open();
	ASSERT_LE(0, bf->fd);
	ASSERT_EQ(0, tbo_create(bf->fd, 65536, DRM_EDGENPU_BO_CREATE_MAP, &bf->a));
	ASSERT_EQ(0, tbo_create(bf->fd, 65536, DRM_EDGENPU_BO_CREATE_MAP, &bf->b));
	memset(bf->b.cpu, 0x3e, 65536);
	for (i = 0; i < QUEUED + 2; i++) {
		ASSERT_EQ(0, tsyncobj_create(bf->fd, &bf->sync[i]));
	}

	tcs_fill(&bf->hang_cs, bf->a.va, 0x11, 65536);
	tcs_end(&bf->hang_cs);
	bf->hung.cs = &bf->hang_cs;
	tjob_bo(&bf->hung, bf->a.handle, 1);
	bf->hung.out_handle = bf->sync[0];
	tcs_copy(&bf->cs, bf->a.va, bf->b.va, 65536);
	tcs_end(&bf->cs);
	for (i = 0; i <= QUEUED; i++) {
		struct tjob *j = &bf->jobs[i];

		j->cs = &bf->cs;
		tjob_bo(j, bf->a.handle, 0);
		tjob_bo(j, bf->b.handle, 1);
		j->out_handle = bf->sync[i + 1];
		j->priority = i % 2 ? DRM_EDGENPU_PRIORITY_HIGH : DRM_EDGENPU_PRIORITY_NORMAL;
	}
	/* the last one waits for the one before through its syncobj */
	bf->jobs[QUEUED].in[bf->jobs[QUEUED].nin++] =
		(struct drm_edgenpu_sync){ .handle = bf->sync[QUEUED] };

	ASSERT_EQ(0, tinject(devname, "hang"));
	ASSERT_EQ(0, tsubmit(bf->fd, &bf->hung, 1));
	for (i = 0; i <= QUEUED; i++) {
		ASSERT_EQ(0, tsubmit(bf->fd, &bf->jobs[i], 1));
	}
	for (i = 0; i < QUEUED + 2; i++) {
		ASSERT_EQ(0, export_fence(bf->fd, bf->sync[i], &bf->fence[i]));
		ASSERT_LE(0, bf->fence[i]);
	}
	/* all still pending: the device hangs on the first */
	for (i = 0; i <= QUEUED; i++) {
		ASSERT_EQ(0, tjob_info(bf->fd, bf->jobs[i].id, &info));
		EXPECT_EQ(DRM_EDGENPU_JOB_PENDING, info.status) TH_LOG("job %u", i);
	}
}

/* Every job's fence signals (bounded) with an error. */
static void expect_fences_failed(struct __test_metadata *_metadata, struct busy_file *bf)
{
	struct sync_file_info info;
	unsigned int i;

	for (i = 0; i < QUEUED + 2; i++) {
		struct pollfd p = { .fd = bf->fence[i], .events = POLLIN };

		EXPECT_EQ(1, poll(&p, 1, MS)) TH_LOG("fence %u not signalled", i);
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(0, ioctl(bf->fence[i], SYNC_IOC_FILE_INFO, &info));
		EXPECT_GT(0, info.status) TH_LOG("job %u ended with status %d", i, info.status);
		close(bf->fence[i]);
	}
}

/* The unbound file: every ioctl is -ENODEV; closing it does not hang. */
static void busy_file_close(struct __test_metadata *_metadata, struct busy_file *bf)
{
	struct drm_edgenpu_job_info info;
	int64_t t0;

	EXPECT_EQ(-ENODEV, tjob_info(bf->fd, bf->jobs[0].id, &info));
	EXPECT_EQ(-ENODEV, tsubmit(bf->fd, &bf->jobs[0], 1));
	EXPECT_EQ(-ENODEV, tsyncobj_wait(bf->fd, bf->sync[0], 0, 0));
	/* the CPU mappings of its buffers still read what they held */
	EXPECT_EQ(0x3e, bf->b.cpu[0]);
	t0 = tnow_ms();
	munmap(bf->a.cpu, bf->a.size);
	munmap(bf->b.cpu, bf->b.size);
	EXPECT_EQ(0, close(bf->fd));
	EXPECT_GT(MS, tnow_ms() - t0);
}

/* A fresh file on the (re)bound device runs a job. */
static void expect_device_works(struct __test_metadata *_metadata)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	struct tbo a, b;
	int fd = edgenpu_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tbo_create(fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &a));
	ASSERT_EQ(0, tbo_create(fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &b));
	memset(a.cpu, 0x71, 4096);
	tcs_copy(&cs, a.va, b.va, 4096);
	tcs_end(&cs);
	tjob_bo(&j, a.handle, 0);
	tjob_bo(&j, b.handle, 1);
	ASSERT_EQ(0, tsubmit(fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(fd, j.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(fd, b.handle, MS * 1000000ll));
	EXPECT_EQ(0x71, b.cpu[0]);
	EXPECT_EQ(0x71, b.cpu[4095]);
	tbo_close(fd, &a);
	tbo_close(fd, &b);
	close(fd);
}

static int has_fault_injection(void)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);
	int fd = edgenpu_open(), ret;

	if (fd < 0)
		return 0;
	ret = edgenpu_query(fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size);
	close(fd);
	return !ret && (info.hw_caps & ENPU_CAP_DEBUG);
}

TEST_F(mod, unbind_with_queued_jobs)
{
	struct busy_file bf;
	char devname[64];
	int64_t t0;

	if (!has_fault_injection())
		SKIP(return, "the device has no fault injection (needs debug=on)");
	ASSERT_EQ(0, edgenpu_dev_name(self->minor, devname, sizeof(devname)));
	busy_file_start(_metadata, devname, &bf);

	t0 = tnow_ms();
	ASSERT_EQ(0, tdriver_write(self->bus, "unbind", devname));
	EXPECT_GT(MS, tnow_ms() - t0) TH_LOG("unbind took %lld ms", (long long)(tnow_ms() - t0));
	expect_fences_failed(_metadata, &bf);
	busy_file_close(_metadata, &bf);

	ASSERT_EQ(0, tdriver_write(self->bus, "bind", devname));
	expect_device_works(_metadata);
}

/* The same, then the module goes away and comes back. */
TEST_F(mod, unload_after_unbind_with_queued_jobs)
{
	struct busy_file bf;
	char devname[64];

	if (!has_fault_injection())
		SKIP(return, "the device has no fault injection (needs debug=on)");
	ASSERT_EQ(0, edgenpu_dev_name(self->minor, devname, sizeof(devname)));
	busy_file_start(_metadata, devname, &bf);
	/* the open file holds the module */
	EXPECT_EQ(-EWOULDBLOCK, unload());
	ASSERT_EQ(0, tdriver_write(self->bus, "unbind", devname));
	EXPECT_EQ(-EWOULDBLOCK, unload());
	expect_fences_failed(_metadata, &bf);
	busy_file_close(_metadata, &bf);
	tcoredumps_settle(devname);
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load());
	expect_device_works(_metadata);
}

TEST_HARNESS_MAIN
