// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one process can see of, or do to, another through the device: the
 * SRAM a process left behind is not readable by the next file given its
 * address-space ID; the high-priority ring, which the device serves
 * first, needs CAP_SYS_NICE.
 */
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define MS	10000	/* bound of every wait that should succeed */
#define LEN	4096

FIXTURE(iso) {
	int fd;
	char devname[64];
	char control[256];	/* the bus device's power/control */
};

FIXTURE_SETUP(iso)
{
	int minor = -1;

	self->fd = edgenpu_open_minor(&minor);
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, edgenpu_dev_name(minor, self->devname, sizeof(self->devname)));
	snprintf(self->control, sizeof(self->control),
		 "/sys/class/accel/accel%d/device/power/control", minor);
}

FIXTURE_TEARDOWN(iso)
{
	char line[256];

	if (self->control[0])
		twrite_str(self->control, "auto");
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, tklog_bad_lines(line, sizeof(line))) TH_LOG("kernel log: %s", line);
}

/* The ASID of the file process @pid opened last (debugfs "contexts"), or -1. */
static long tasid_of(const char *devname, pid_t pid)
{
	char *buf = tdebugfs_read(devname, "contexts"), *line, *save = NULL;
	unsigned int asid;
	long found = -1;
	char comm[64];
	int p;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "pid %d comm %63s asid %u", &p, comm, &asid) == 3 && p == pid)
			found = asid;
	free(buf);
	return found;
}

/* Runs @cs with @bo written, on @fd; its status. */
static uint32_t run_on(int fd, struct tcs *cs, struct tbo *bo)
{
	struct drm_edgenpu_job_info info;
	struct tjob j = { .cs = cs };

	tcs_end(cs);
	tjob_bo(&j, bo->handle, 1);
	if (tsubmit(fd, &j, 1) || tjob_wait(fd, j.id, MS, &info))
		return ~0u;
	return info.status;
}

/*
 * Process A fills SRAM with a pattern and exits; a file opened next is
 * given A's ASID and copies SRAM out: it finds zeros, not A's data. The
 * device stays powered throughout (a resume would clear SRAM anyway).
 * ASIDs are handed out lowest first: a lower one freed meanwhile (a
 * previous program's address space going with its last job) is taken by
 * a file held open until the next one gets A's.
 */
TEST_F(iso, sram_not_inherited_through_asid_reuse)
{
	struct tcs cs = { .n = 0 };
	int to_parent[2], fd, held[32], nheld = 0;
	uint64_t v = 0;
	struct tbo out;
	unsigned int i;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root for debugfs and power control");
	ASSERT_EQ(0, twrite_str(self->control, "on"));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tcs c = { .n = 0 };
		struct tbo x;
		int afd = edgenpu_open();

		if (afd < 0 || tbo_create(afd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &x))
			_exit(10);
		tcs_fill(&c, ENPU_SRAM_VA_BASE, 0x5a, LEN);
		if (run_on(afd, &c, &x) != DRM_EDGENPU_JOB_OK)
			_exit(11);
		tpipe_put(to_parent[1], (uint64_t)tasid_of(self->devname, getpid()));
		close(afd);
		_exit(0);
	}
	ASSERT_EQ(0, tpipe_get(to_parent[0], &v, MS));
	ASSERT_EQ(0, tchild_wait(pid, MS));
	ASSERT_NE((uint64_t)-1, v) TH_LOG("A's ASID not in debugfs contexts");

	for (;;) {
		fd = edgenpu_open();
		ASSERT_LE(0, fd);
		if (tasid_of(self->devname, getpid()) == (long)v)
			break;
		ASSERT_GT(32, nheld) TH_LOG("32 files opened, none got A's ASID %llu",
					   (unsigned long long)v);
		held[nheld++] = fd;
	}
	while (nheld)
		close(held[--nheld]);
	ASSERT_EQ(0, tbo_create(fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &out));
	memset(out.cpu, 0xee, LEN);
	tcs_copy(&cs, ENPU_SRAM_VA_BASE, out.va, LEN);
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run_on(fd, &cs, &out));
	ASSERT_EQ(0, tbo_wait(fd, out.handle, MS * 1000000ll));
	for (i = 0; i < LEN; i++)
		ASSERT_EQ(0, out.cpu[i]) TH_LOG("SRAM byte %u left by A: 0x%02x", i, out.cpu[i]);
	tbo_close(fd, &out);
	close(fd);
	close(to_parent[0]);
	close(to_parent[1]);
}

/*
 * A process without CAP_SYS_NICE (here: nobody, uid 65534, its file
 * opened before it dropped root) cannot use the high-priority ring: the
 * job is refused with -EACCES; normal priority works.
 */
TEST_F(iso, high_priority_needs_cap_sys_nice)
{
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tcs c = { .n = 0 };
		struct tjob j = { .cs = &c };
		struct tbo x;
		int fd = edgenpu_open();

		if (fd < 0 || tbo_create(fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &x))
			_exit(10);
		tcs_fill(&c, x.va, 1, LEN);
		tcs_end(&c);
		tjob_bo(&j, x.handle, 1);
		if (setgid(65534) || setuid(65534))
			_exit(11);
		j.priority = DRM_EDGENPU_PRIORITY_HIGH;
		if (tsubmit(fd, &j, 1) != -EACCES)
			_exit(12);
		j.priority = DRM_EDGENPU_PRIORITY_NORMAL;
		if (tsubmit(fd, &j, 1))
			_exit(13);
		_exit(0);
	}
	EXPECT_EQ(0, tchild_wait(pid, MS)) TH_LOG("12: high priority was allowed");
}

TEST_HARNESS_MAIN
