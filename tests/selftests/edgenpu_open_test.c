// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening and closing: many times in a row, many at once, and from several
 * processes concurrently; no process locks the others out.
 */
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "edgenpu_util.h"

/*
 * Up to CYCLES opens in a row, at least MIN_CYCLES, stopping at BUDGET_S
 * seconds: under TCG with a debug kernel (KASAN, lockdep) on a busy host
 * one open and close can take 30 ms, and 1000 of them once ran past the
 * harness's 30 s per test. The leak checks hold for any count.
 */
#define CYCLES		1000
#define MIN_CYCLES	100
#define BUDGET_S	10
#define AT_ONCE		64
#define PROCS		8
#define PROC_CYCLES	100

static int count_fds(void)
{
	char path[64];
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (!access(path, F_OK))
			n++;
	}
	return n;
}

static int query_ok(int fd)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);

	return !edgenpu_query(fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size) &&
	       info.hw_id == ENPU_ID_MAGIC;
}

/* The first node driven by edgenpu, or a skip when there is none. */
FIXTURE(node) {
	char path[64];
};

FIXTURE_SETUP(node)
{
	int minor = -1, fd = edgenpu_open_minor(&minor);

	EDGENPU_NEED_DEVICE(fd);
	close(fd);
	snprintf(self->path, sizeof(self->path), "/dev/accel/accel%d", minor);
}

FIXTURE_TEARDOWN(node)
{
}

TEST_F(node, open_close_repeatedly)
{
	struct timespec t0, t;
	int fd, i, before;

	before = count_fds();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < CYCLES; i++) {
		fd = open(self->path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("open #%d: %s", i, strerror(errno));
		if (i % 100 == 0)
			ASSERT_TRUE(query_ok(fd));
		ASSERT_EQ(0, close(fd));
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (i + 1 >= MIN_CYCLES && t.tv_sec - t0.tv_sec >= BUDGET_S) {
			TH_LOG("%d cycles in %d s", i + 1, BUDGET_S);
			break;
		}
	}
	EXPECT_EQ(before, count_fds());
}

TEST_F(node, many_open_at_once)
{
	int fds[AT_ONCE], i;

	for (i = 0; i < AT_ONCE; i++) {
		fds[i] = open(self->path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]) TH_LOG("open #%d: %s", i, strerror(errno));
	}
	for (i = 0; i < AT_ONCE; i++)
		EXPECT_TRUE(query_ok(fds[i]));
	for (i = 0; i < AT_ONCE; i++)
		EXPECT_EQ(0, close(fds[i]));
}

TEST_F(node, concurrent_processes)
{
	pid_t pids[PROCS];
	int i, status, failures = 0;

	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int j, fd;

			for (j = 0; j < PROC_CYCLES; j++) {
				fd = edgenpu_open();
				if (fd < 0 || !query_ok(fd))
					_exit(1);
				close(fd);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failures++;
	}
	EXPECT_EQ(0, failures);
}

TEST_HARNESS_MAIN
