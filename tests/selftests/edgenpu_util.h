/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the edgenpu kselftests: find and open the device. */
#ifndef EDGENPU_SELFTEST_UTIL_H
#define EDGENPU_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Only uAPI headers (drm.h comes with edgenpu_accel.h) and the selftests'
 * own: what they know of the hardware is in edgenpu_selftest_hw.h,
 * generated from the hardware contract (scripts/selftest-hw-header).
 */
#include <drm/edgenpu_accel.h>
#include "edgenpu_selftest_hw.h"

#define EDGENPU_MAX_NODES 64

/* Driver name of an open DRM fd, or -errno. */
static inline int edgenpu_driver_name(int fd, char *name, size_t len)
{
	struct drm_version v;

	memset(&v, 0, sizeof(v));
	memset(name, 0, len);
	v.name = name;
	v.name_len = len - 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return -errno;
	return 0;
}

/*
 * Opens the first accel node driven by edgenpu; its minor number goes to
 * *minor when not NULL. Returns the fd or -ENODEV.
 */
static inline int edgenpu_open_minor(int *minor)
{
	char path[64], name[64];
	int i, fd;

	for (i = 0; i < EDGENPU_MAX_NODES; i++) {
		snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!edgenpu_driver_name(fd, name, sizeof(name)) &&
		    !strcmp(name, "edgenpu")) {
			if (minor)
				*minor = i;
			return fd;
		}
		close(fd);
	}
	return -ENODEV;
}

static inline int edgenpu_open(void)
{
	return edgenpu_open_minor(NULL);
}

/*
 * For a test's setup, after opening the device into @fd: a machine without
 * an EdgeNPU skips, as any kselftest does on hardware the machine lacks,
 * unless EDGENPU_REQUIRE_DEVICE is set (the project's guests set it: there
 * a missing device is a failure). Needs kselftest_harness.h.
 */
#define EDGENPU_NEED_DEVICE(fd) do {						\
	if ((fd) < 0 && !getenv("EDGENPU_REQUIRE_DEVICE"))			\
		SKIP(return, "no EdgeNPU here: no /dev/accel node driven by "	\
		     "edgenpu (is edgenpu.ko loaded?)");			\
	ASSERT_LE(0, (fd)) TH_LOG("no /dev/accel node driven by edgenpu "	\
				  "(EDGENPU_REQUIRE_DEVICE is set)");		\
} while (0)

/* DRM_IOCTL_EDGENPU_QUERY; returns 0 or -errno. */
static inline int edgenpu_query(int fd, __u32 query, void *ptr, __u32 *size)
{
	struct drm_edgenpu_query q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.query = query;
	q.size = *size;
	q.ptr = (__u64)(unsigned long)ptr;
	ret = ioctl(fd, DRM_IOCTL_EDGENPU_QUERY, &q) ? -errno : 0;
	*size = q.size;
	return ret;
}

/* Reads a whole small file into buf (NUL-terminated); returns length or -errno. */
static inline int edgenpu_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return (int)total;
}

/* Last component of the symlink at @path, copied to @out. */
static inline int edgenpu_link_base(const char *path, char *out, size_t len)
{
	char link[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

/*
 * Device name of accel minor @minor, from sysfs: the PCI address
 * ("0000:00:01.0") or the platform device ("c000000.npu"); debugfs and
 * devcoredump name the device by it.
 */
static inline int edgenpu_dev_name(int minor, char *name, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device", minor);
	return edgenpu_link_base(path, name, len);
}

/* Bus of accel minor @minor's device: "pci" or "platform". */
static inline int edgenpu_dev_bus(int minor, char *bus, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/subsystem",
		 minor);
	return edgenpu_link_base(path, bus, len);
}

/* /sys/bus/<bus>/drivers/edgenpu/@file for accel minor @minor's device. */
static inline int edgenpu_driver_path(int minor, const char *file,
				      char *path, size_t len)
{
	char bus[32];
	int ret = edgenpu_dev_bus(minor, bus, sizeof(bus));

	if (ret)
		return ret;
	snprintf(path, len, "/sys/bus/%s/drivers/edgenpu/%s", bus, file);
	return 0;
}

/* Value of register @name in the debugfs "registers" dump, or -errno. */
static inline long long edgenpu_debugfs_reg(const char *devname,
					    const char *name)
{
	char path[256], buf[4096], *line;
	unsigned int off, val;
	char reg[64];
	int n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/registers",
		 devname);
	n = edgenpu_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "%63s %x %x", reg, &off, &val) == 3 &&
		    !strcmp(reg, name))
			return val;
	}
	return -ENOENT;
}

#endif /* EDGENPU_SELFTEST_UTIL_H */
