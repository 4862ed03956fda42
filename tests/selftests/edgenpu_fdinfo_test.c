// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM fdinfo of an accel file (Documentation/gpu/drm-usage-stats.rst):
 * drm-driver and drm-client-id from the DRM core; drm-engine-npu (busy
 * nanoseconds) and drm-cycles-npu (modelled cycles), the sums over the
 * file's ended jobs of what JOB_INFO reports of each; drm-maxfreq-npu;
 * the memory keys of its buffers. Two processes each see their own jobs.
 * A job's busy time is the device's time on it, not its wait behind
 * others; the device's total is sysfs npu_busy_time_us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define MS	10000

/* Value of @key in /proc/self/fdinfo/@fd (its unit in @unit), or -1. */
static long long fdinfo(int fd, const char *key, char *unit, size_t len)
{
	char path[64], line[256], u[32] = "";
	long long v = -1;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			if (sscanf(line + klen + 1, "%lld %31s", &v, u) < 1)
				v = -1;
			break;
		}
	fclose(f);
	if (unit)
		snprintf(unit, len, "%s", u);
	return v;
}

/* Runs @n jobs of @convs small convolutions; the sums JOB_INFO gives. */
static int run_jobs(int fd, int n, int convs, unsigned long long *ns,
		    unsigned long long *cycles)
{
	struct drm_edgenpu_job_info info;
	struct tcs *cs = calloc(1, sizeof(*cs));
	struct tconv conv;
	struct tjob j;
	int i, ret = -1;

	*ns = *cycles = 0;
	if (!cs || tconv_init(fd, &conv, 24, 24, 16, 16, 3))
		goto out;
	for (i = 0; i < n; i++) {
		cs->n = 0;
		tconv_job(&conv, cs, &j, convs);
		if (tsubmit(fd, &j, 1) || tjob_wait(fd, j.id, MS, &info) ||
		    info.status != DRM_EDGENPU_JOB_OK)
			goto fini;
		*ns += info.duration_ns;
		*cycles += info.cycles;
	}
	ret = 0;
fini:
	tconv_fini(fd, &conv);
out:
	free(cs);
	return ret;
}

FIXTURE(fdi) {
	int fd;
};

FIXTURE_SETUP(fdi)
{
	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
}

FIXTURE_TEARDOWN(fdi)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(fdi, keys_of_a_new_file)
{
	struct drm_edgenpu_device_info di;
	__u32 size = sizeof(di);
	char unit[32], path[64], *text;

	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &di, &size));
	EXPECT_LE(0, fdinfo(self->fd, "drm-client-id", NULL, 0));
	EXPECT_EQ(0, fdinfo(self->fd, "drm-engine-npu", unit, sizeof(unit)));
	EXPECT_STREQ("ns", unit);
	EXPECT_EQ(0, fdinfo(self->fd, "drm-cycles-npu", NULL, 0));
	EXPECT_EQ(0, fdinfo(self->fd, "edgenpu-jobs", NULL, 0));
	EXPECT_EQ(di.clock_mhz, fdinfo(self->fd, "drm-maxfreq-npu", unit, sizeof(unit)));
	EXPECT_STREQ("MHz", unit);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	text = tread_alloc(path);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "drm-driver:\tedgenpu\n")) TH_LOG("%s", text);
	free(text);
}

/* The busy time and cycles are the sums of what JOB_INFO says of each job. */
TEST_F(fdi, busy_time_and_cycles_are_the_files_jobs)
{
	unsigned long long ns, cycles;

	ASSERT_EQ(0, run_jobs(self->fd, 3, 4, &ns, &cycles));
	EXPECT_LT(0, ns);
	EXPECT_LT(0, cycles);
	EXPECT_EQ(ns, fdinfo(self->fd, "drm-engine-npu", NULL, 0));
	EXPECT_EQ(cycles, fdinfo(self->fd, "drm-cycles-npu", NULL, 0));
	EXPECT_EQ(3, fdinfo(self->fd, "edgenpu-jobs", NULL, 0));
}

/* A child process's jobs count in its file, not in its parent's. */
TEST_F(fdi, each_process_sees_its_own_jobs)
{
	unsigned long long ns, cycles, child[4];
	int p[2], status, fd2;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned long long r[4] = { 0 };

		fd2 = edgenpu_open();
		if (fd2 >= 0 && !run_jobs(fd2, 2, 8, &r[0], &r[1])) {
			r[2] = (unsigned long long)fdinfo(fd2, "drm-engine-npu", NULL, 0);
			r[3] = (unsigned long long)fdinfo(fd2, "drm-cycles-npu", NULL, 0);
		}
		_exit(write(p[1], r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	ASSERT_EQ(0, run_jobs(self->fd, 1, 2, &ns, &cycles));
	ASSERT_EQ(sizeof(child), read(p[0], child, sizeof(child)));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_LT(0, child[0]);
	EXPECT_EQ(child[0], child[2]) TH_LOG("child: jobs %llu ns, fdinfo %llu", child[0], child[2]);
	EXPECT_EQ(child[1], child[3]);
	EXPECT_EQ(ns, fdinfo(self->fd, "drm-engine-npu", NULL, 0));
	EXPECT_EQ(cycles, fdinfo(self->fd, "drm-cycles-npu", NULL, 0));
}

/* A size key of fdinfo in bytes (its unit: none, KiB or MiB), or -1. */
static long long fdinfo_bytes(int fd, const char *key)
{
	char unit[32];
	long long v = fdinfo(fd, key, unit, sizeof(unit));

	if (v < 0)
		return -1;
	if (!strcmp(unit, "KiB"))
		return v << 10;
	if (!strcmp(unit, "MiB"))
		return v << 20;
	return unit[0] ? -1 : v;
}

/* The file's buffers show in drm-total-memory, mapped ones as resident. */
TEST_F(fdi, memory_of_the_files_buffers)
{
	long long total, resident;
	struct tbo bo;

	total = fdinfo_bytes(self->fd, "drm-total-memory");
	ASSERT_LE(0, total);
	/* the DRM core prints resident memory once a buffer can say */
	resident = fdinfo_bytes(self->fd, "drm-resident-memory");
	if (resident < 0)
		resident = 0;
	ASSERT_EQ(0, tbo_create(self->fd, 4 << 20, DRM_EDGENPU_BO_CREATE_MAP, &bo));
	EXPECT_EQ(total + (4 << 20), fdinfo_bytes(self->fd, "drm-total-memory"));
	EXPECT_EQ(resident + (4 << 20), fdinfo_bytes(self->fd, "drm-resident-memory"));
	tbo_close(self->fd, &bo);
	EXPECT_EQ(total, fdinfo_bytes(self->fd, "drm-total-memory"));
}

/*
 * Jobs queued on the device behind each other count the time the device
 * ran them, not their wait: the durations of three jobs submitted at once
 * add up to at most the wall time they took together (before, a queued
 * job's time ran from when it was written to the ring).
 */
TEST_F(fdi, queued_jobs_count_their_own_time)
{
	struct drm_edgenpu_job_info info;
	struct tbusy t[3];
	struct tjob j[3];
	unsigned long long sum = 0;
	int64_t t0, wall;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, tbusy_init(self->fd, &t[i], 2));
		j[i] = t[i].job;
	}
	t0 = tnow_ms();
	ASSERT_EQ(0, tsubmit(self->fd, j, 3));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, tjob_wait(self->fd, j[i].id, MS, &info));
		ASSERT_EQ(DRM_EDGENPU_JOB_OK, info.status);
		EXPECT_LT(0, info.duration_ns);
		sum += info.duration_ns;
	}
	wall = tnow_ms() - t0 + 1;	/* whole milliseconds, rounded up */
	EXPECT_LE(sum, (unsigned long long)wall * 1000000ull)
		TH_LOG("3 jobs: %llu ns of device time in %lld ms", sum, (long long)wall);
	EXPECT_EQ(sum, fdinfo(self->fd, "drm-engine-npu", NULL, 0));
	for (i = 0; i < 3; i++)
		tbusy_fini(self->fd, &t[i]);
}

/* Attribute @name of the device's sysfs directory, or -1. */
static long long sysfs_value(const char *name)
{
	char path[128];
	long long v = -1;
	int minor, fd = edgenpu_open_minor(&minor);
	FILE *f;

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/%s", minor, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * The device's busy time grows by what the files' jobs took, and its job
 * count by their number, all files together.
 */
TEST_F(fdi, sysfs_busy_time_is_every_files_jobs)
{
	unsigned long long ns1, ns2, cycles;
	long long before, after, jobs;
	int fd2 = edgenpu_open();

	ASSERT_LE(0, fd2);
	before = sysfs_value("npu_busy_time_us");
	jobs = sysfs_value("npu_jobs");
	ASSERT_LE(0, before) TH_LOG("no npu_busy_time_us in sysfs");
	ASSERT_LE(0, jobs) TH_LOG("no npu_jobs in sysfs");
	ASSERT_EQ(0, run_jobs(self->fd, 2, 4, &ns1, &cycles));
	ASSERT_EQ(0, run_jobs(fd2, 3, 4, &ns2, &cycles));
	after = sysfs_value("npu_busy_time_us");
	EXPECT_EQ(jobs + 5, sysfs_value("npu_jobs"));
	/* each job rounds down to whole microseconds at most once */
	EXPECT_LE((long long)((ns1 + ns2) / 1000) - 5, after - before)
		TH_LOG("sysfs grew %lld us, the jobs took %llu + %llu ns", after - before,
		       ns1, ns2);
	EXPECT_GE((long long)((ns1 + ns2) / 1000) + 1, after - before);
	close(fd2);
}

TEST_HARNESS_MAIN
