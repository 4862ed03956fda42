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
 * and the ratio job / doorbell (the goal of issue 19 is <= 2). Needs root
 * for debugfs; without it the doorbell rows are skipped and said so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "edgenpu_job_util.h"

#define RUNS	301

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
	qsort(t, n, sizeof(t[0]), cmp_double);
	return t[n / 2];
}

static int bench_ioctl(int fd, double *us)
{
	struct drm_edgenpu_device_info di;
	struct drm_edgenpu_query q;
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = now_us();

		q = (struct drm_edgenpu_query){ .query = DRM_EDGENPU_QUERY_DEVICE,
						.size = sizeof(di), .ptr = (uintptr_t)&di };
		if (enpu_ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q))
			return -errno;
		t[r] = now_us() - t0;
	}
	*us = median(t, RUNS);
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
		double t0 = now_us();
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		t[r] = now_us() - t0;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			close(fd);
			return ret;
		}
		buf[n] = '\0';
		k[r] = strtod(buf, NULL) / 1e3;
	}
	close(fd);
	*us = median(t, RUNS);
	*kernel_us = median(k, RUNS);
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
		double t0 = now_us();

		u = (struct drm_edgenpu_job){ .cmd_ptr = (uintptr_t)&end, .cmd_size = 4,
					      .bo_ptr = (uintptr_t)&ref, .bo_count = 1 };
		s = (struct drm_edgenpu_submit){ .jobs_ptr = (uintptr_t)&u, .job_count = 1,
						 .job_stride = sizeof(u) };
		w = (struct drm_edgenpu_bo_wait){ .handle = b.handle,
						  .timeout_ns = 10ll * 1000 * 1000 * 1000 };
		ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
		if (!ret)
			ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w);
		t[r] = now_us() - t0;
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
	*us = median(t, RUNS);
	return 0;
}

int main(void)
{
	double ioctl_us, bell_us = 0, bell_kernel_us = 0, job_us;
	int fd = edgenpu_open(), bell;

	if (fd < 0) {
		fprintf(stderr, "roundtrip_bench: no EdgeNPU: %d\n", fd);
		return 1;
	}
	if (bench_ioctl(fd, &ioctl_us) || bench_job(fd, &job_us)) {
		close(fd);
		return 1;
	}
	close(fd);
	bell = bench_doorbell(&bell_us, &bell_kernel_us);
	if (bell < 0) {
		fprintf(stderr, "roundtrip_bench: doorbell: %d\n", bell);
		return 1;
	}
	printf("round trips (guest wall time, median of %d, us):\n", RUNS);
	printf("  %-34s %8.1f\n", "ioctl (QUERY)", ioctl_us);
	if (bell)
		printf("  %-34s skipped: debugfs \"doorbell\" needs root and debugfs\n",
		       "doorbell");
	else
		printf("  %-34s %8.1f   (write to IRQ in the kernel: %.1f)\n",
		       "doorbell (read of debugfs file)", bell_us, bell_kernel_us);
	printf("  %-34s %8.1f\n", "job of one END (SUBMIT + BO_WAIT)", job_us);
	if (!bell)
		printf("  %-34s %8.2fx   (goal <= 2x)\n", "job / doorbell", job_us / bell_us);
	return 0;
}
