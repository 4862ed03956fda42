// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's tracepoints through tracefs: one job's edgenpu_job_submit,
 * edgenpu_job_run and edgenpu_job_done in that order, the last with the
 * status, cycles and device time JOB_INFO reports; an injected MMU fault's
 * edgenpu_mmu_fault with the faulting address. Needs root and tracefs
 * (mounted here if it is not); skips otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define MS	10000

static char tracing[64];

/* Writes @text to tracing file @name; 0 or -errno. */
static int twrite(const char *name, const char *text)
{
	char path[160];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tracing, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	close(fd);
	return ret;
}

/* Finds tracefs, mounting it if needed: 0, or -1 to skip. */
static int find_tracing(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, F_OK)) {
			snprintf(tracing, sizeof(tracing), "%s", dirs[i]);
			return 0;
		}
	}
	if (!mount("nodev", dirs[0], "tracefs", 0, NULL) &&
	    !access("/sys/kernel/tracing/events", F_OK)) {
		snprintf(tracing, sizeof(tracing), "%s", dirs[0]);
		return 0;
	}
	return -1;
}

FIXTURE(tr) {
	int fd;
	char devname[64];
};

FIXTURE_SETUP(tr)
{
	char path[160];

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	if (geteuid())
		SKIP(return, "tracefs needs root");
	if (find_tracing())
		SKIP(return, "no tracefs (CONFIG_TRACING off?)");
	snprintf(path, sizeof(path), "%s/events/edgenpu", tracing);
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("no edgenpu events in %s", tracing);
	ASSERT_EQ(0, tdev_name(NULL, self->devname, sizeof(self->devname)));
	ASSERT_EQ(0, twrite("tracing_on", "0"));
	ASSERT_EQ(0, twrite("trace", ""));
	ASSERT_EQ(0, twrite("events/edgenpu/enable", "1"));
	ASSERT_EQ(0, twrite("tracing_on", "1"));
}

FIXTURE_TEARDOWN(tr)
{
	if (tracing[0]) {
		twrite("tracing_on", "0");
		twrite("events/edgenpu/enable", "0");
		twrite("trace", "");
		twrite("tracing_on", "1");
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* The trace so far (malloc'd), tracing stopped. */
static char *stop_and_read(void)
{
	char path[160];

	twrite("tracing_on", "0");
	snprintf(path, sizeof(path), "%s/trace", tracing);
	return tread_alloc(path);
}

/* Where event @ev naming "job=@id" (and @extra, if any) is in @t, or NULL. */
static const char *find_event(const char *t, const char *ev, unsigned long long id,
			      const char *extra)
{
	char key[64];
	const char *p = t;

	snprintf(key, sizeof(key), " job=%llu ", id);
	while ((p = strstr(p, ev))) {
		const char *eol = strchr(p, '\n');
		const char *k = strstr(p, key);

		if (k && (!eol || k < eol) && (!extra || (strstr(p, extra) &&
		    (!eol || strstr(p, extra) < eol))))
			return p;
		p += strlen(ev);
	}
	return NULL;
}

TEST_F(tr, one_jobs_events_in_order)
{
	struct drm_edgenpu_job_info info;
	struct tcs *cs = calloc(1, sizeof(*cs));
	struct tconv conv;
	struct tjob j;
	const char *sub, *run, *done;
	char want[128], *t;

	ASSERT_NE(NULL, cs);
	ASSERT_EQ(0, tconv_init(self->fd, &conv, 16, 16, 8, 8, 3));
	tconv_job(&conv, cs, &j, 2);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	t = stop_and_read();
	ASSERT_NE(NULL, t);
	sub = find_event(t, "edgenpu_job_submit:", j.id, NULL);
	run = find_event(t, "edgenpu_job_run:", j.id, NULL);
	snprintf(want, sizeof(want), "status=%u cycles=%llu busy_ns=%llu", info.status,
		 (unsigned long long)info.cycles, (unsigned long long)info.duration_ns);
	done = find_event(t, "edgenpu_job_done:", j.id, want);
	EXPECT_NE(NULL, sub) TH_LOG("trace:\n%s", t);
	EXPECT_NE(NULL, run);
	EXPECT_NE(NULL, done) TH_LOG("no done event with %s:\n%s", want, t);
	EXPECT_TRUE(sub && run && done && sub < run && run < done) TH_LOG("out of order:\n%s", t);
	EXPECT_NE(NULL, strstr(t, self->devname)) TH_LOG("events do not name %s", self->devname);
	free(t);
	tconv_fini(self->fd, &conv);
	free(cs);
}

TEST_F(tr, mmu_fault_is_traced)
{
	struct drm_edgenpu_job_info info;
	struct tcs *cs = calloc(1, sizeof(*cs));
	struct tconv conv;
	struct tjob j;
	char want[160], *t;

	ASSERT_NE(NULL, cs);
	if (tinject(self->devname, "mmu-fault"))
		SKIP(free(cs); return, "no fault injection (QEMU's debug=on)");
	ASSERT_EQ(0, tconv_init(self->fd, &conv, 16, 16, 8, 8, 3));
	tconv_job(&conv, cs, &j, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &j, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, j.id, MS, &info));
	ASSERT_EQ(DRM_EDGENPU_JOB_MMU_FAULT, info.status);
	t = stop_and_read();
	ASSERT_NE(NULL, t);
	snprintf(want, sizeof(want), "edgenpu_mmu_fault: dev=%s va=0x%08x", self->devname,
		 info.fault_addr);
	EXPECT_NE(NULL, strstr(t, want)) TH_LOG("no '%s' in:\n%s", want, t);
	snprintf(want, sizeof(want), "status=%u ", DRM_EDGENPU_JOB_MMU_FAULT);
	EXPECT_NE(NULL, find_event(t, "edgenpu_job_done:", j.id, want));
	free(t);
	tconv_fini(self->fd, &conv);
	free(cs);
}

TEST_HARNESS_MAIN
