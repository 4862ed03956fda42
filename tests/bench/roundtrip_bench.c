// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fixed cost of one job: the round trip of the smallest job against
 * the smallest round trip to the device and back, in the same guest
 * (make bench). Guest wall time, medians of RUNS:
 *
 *   ioctl     DRM_IOCTL_EDGENPU_QUERY: a bare system call into the driver
 *   doorbell  one read of debugfs "doorbell": a system call that rings the
 *             doorbell register and waits for its interrupt (the kernel's
 *             own part, write to completion, printed beside it)
 *   job       SUBMIT of a job of one command (END) writing one buffer,
 *             then BO_WAIT on that buffer until the job's fence signals:
 *             submit -> scheduler -> ring -> device -> IRQ -> fence -> wait
 *             returns, what every inference pays on top of its work
 *
 * and the ratio job / doorbell (the goal of issue 19 is <= 2). Each is
 * measured pinned to each CPU in turn (up to MAX_CPUS): the doorbell's
 * interrupt goes to one of them, and waking a task on another costs a
 * cross-CPU wake-up of its own; the ratio is taken on the CPU whose
 * doorbell is the quickest. Needs root for debugfs; without it the
 * doorbell figures are skipped and said so.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"
#include "edgenpu_job_util.h"

#define RUNS	301
#define MAX_CPUS	4

static int bench_ioctl(int fd, double *us)
{
	struct drm_edgenpu_device_info di;
	struct drm_edgenpu_query q;
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = bench_now_us();

		q = (struct drm_edgenpu_query){ .query = DRM_EDGENPU_QUERY_DEVICE,
						.size = sizeof(di), .ptr = (uintptr_t)&di };
		if (enpu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q))
			return -errno;
		t[r] = bench_now_us() - t0;
	}
	*us = bench_median(t, RUNS);
	return 0;
}

/* 0, 1 when debugfs is out of reach (not root, not mounted), or -errno. */
static int bench_doorbell(double *us, double *kernel_us)
{
	double t[RUNS], k[RUNS];
	char devname[64], path[256], buf[64];
	int fd, ret;

	ret = tdev_name(NULL, devname, sizeof(devname));
	if (ret)
		return ret;
	tdebugfs_path(devname, "doorbell", path, sizeof(path));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	for (int r = 0; r < RUNS; r++) {
		double t0 = bench_now_us();
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		t[r] = bench_now_us() - t0;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			close(fd);
			return ret;
		}
		buf[n] = '\0';
		k[r] = strtod(buf, NULL) / 1e3;
	}
	close(fd);
	*us = bench_median(t, RUNS);
	*kernel_us = bench_median(k, RUNS);
	return 0;
}

static int bench_job(int fd, double *us)
{
	const uint32_t end = ENPU_CMD_HDR(ENPU_OP_END, 1);
	struct drm_edgenpu_bo_ref ref;
	struct drm_edgenpu_submit s;
	struct drm_edgenpu_bo_wait w;
	struct drm_edgenpu_job u;
	struct drm_edgenpu_job_info info;
	double t[RUNS];
	struct tbo b;
	int ret = tbo_create(fd, 4096, 0, &b);

	if (ret)
		return ret;
	ref = (struct drm_edgenpu_bo_ref){ .handle = b.handle,
					   .flags = DRM_EDGENPU_BO_REF_WRITE };
	for (int r = 0; r < RUNS && !ret; r++) {
		double t0 = bench_now_us();

		u = (struct drm_edgenpu_job){ .cmd_ptr = (uintptr_t)&end, .cmd_size = 4,
					      .bo_ptr = (uintptr_t)&ref, .bo_count = 1 };
		s = (struct drm_edgenpu_submit){ .jobs_ptr = (uintptr_t)&u, .job_count = 1,
						 .job_stride = sizeof(u) };
		w = (struct drm_edgenpu_bo_wait){ .handle = b.handle,
						  .timeout_ns = 10ll * 1000 * 1000 * 1000 };
		ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
		if (!ret)
			ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w);
		t[r] = bench_now_us() - t0;
		if (!ret)
			ret = tjob_info(fd, u.job_id, &info);
		if (!ret && info.status != DRM_EDGENPU_JOB_OK)
			ret = -EIO;
	}
	tbo_close(fd, &b);
	if (ret) {
		fprintf(stderr, "roundtrip_bench: job: %d\n", ret);
		return ret;
	}
	*us = bench_median(t, RUNS);
	return 0;
}

/* One CPU's figures: 0, or 1 when the process cannot be pinned there. */
static int measure_on(int cpu, double *ioctl_us, double *bell_us, double *bell_kernel_us,
		      int *bell, double *job_us)
{
	cpu_set_t set;
	int fd, ret;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return 1;
	fd = edgenpu_open();
	if (fd < 0) {
		fprintf(stderr, "roundtrip_bench: no EdgeNPU: %d\n", fd);
		return -ENODEV;
	}
	ret = bench_ioctl(fd, ioctl_us);
	if (!ret)
		ret = bench_job(fd, job_us);
	close(fd);
	if (ret)
		return ret;
	*bell = bench_doorbell(bell_us, bell_kernel_us);
	if (*bell < 0) {
		fprintf(stderr, "roundtrip_bench: doorbell: %d\n", *bell);
		return *bell;
	}
	return 0;
}

int main(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double best_bell = 0, best_job = 0;
	int best = -1;

	printf("round trips (guest wall time, median of %d, us), pinned to each CPU:\n", RUNS);
	printf("  %-4s %8s %10s %12s %10s\n", "CPU", "ioctl", "doorbell", "(in kernel)",
	       "job");
	for (int cpu = 0; cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		double ioctl_us = 0, bell_us = 0, bell_kernel_us = 0, job_us = 0;
		int bell = 1, ret;

		ret = measure_on(cpu, &ioctl_us, &bell_us, &bell_kernel_us, &bell, &job_us);
		if (ret < 0)
			return 1;
		if (ret)
			continue;
		if (bell) {
			printf("  %-4d %8.1f %10s %12s %10.1f\n", cpu, ioctl_us, "skipped", "",
			       job_us);
			continue;
		}
		printf("  %-4d %8.1f %10.1f %12.1f %10.1f\n", cpu, ioctl_us, bell_us,
		       bell_kernel_us, job_us);
		if (best < 0 || bell_us < best_bell) {
			best = cpu;
			best_bell = bell_us;
			best_job = job_us;
		}
	}
	printf("  ioctl: QUERY; doorbell: a read of debugfs \"doorbell\"\n");
	printf("  (in kernel): from the doorbell write to its interrupt\n");
	printf("  job: SUBMIT of one END, then BO_WAIT\n");
	if (best < 0)
		printf("  job / doorbell: skipped: debugfs \"doorbell\" needs root and debugfs\n");
	else
		printf("  job / doorbell on CPU %d (its interrupt's): %.2fx (goal <= 2x)\n", best,
		       best_job / best_bell);
	return 0;
}
