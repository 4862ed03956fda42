// SPDX-License-Identifier: MIT
/* Device discovery, open/close and the identity query. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xf86drm.h>

#include "drm/edgenpu_accel.h"
#include "edgenpu_hw.h"
#include "internal.h"

#define ENPU_DEFAULT_ACCEL_DIR	"/dev/accel"
#define ENPU_MAX_NODES		64

/* Checks that @fd is an edgenpu driver node and fills the identity. */
static int enpu_identify(struct enpu_device *dev, const char *path)
{
	struct drm_edgenpu_device_info kinfo;
	struct drm_edgenpu_query q;
	struct enpu_device_info *info = &dev->info;
	drmVersionPtr ver;
	int ret;

	ver = drmGetVersion(dev->fd);
	if (!ver)
		return enpu_fail(-ENODEV, "%s is not a DRM device (DRM_IOCTL_VERSION: %s)",
				 path, strerror(errno));
	if (strcmp(ver->name, "edgenpu") != 0) {
		ret = enpu_fail(-ENODEV, "%s belongs to driver '%s', not edgenpu",
				path, ver->name);
		drmFreeVersion(ver);
		return ret;
	}
	if (ver->version_major != DRM_EDGENPU_DRIVER_MAJOR) {
		ret = enpu_fail(-EPROTONOSUPPORT,
				"%s: kernel interface %d.%d, this library speaks %d.x",
				path, ver->version_major, ver->version_minor,
				DRM_EDGENPU_DRIVER_MAJOR);
		drmFreeVersion(ver);
		return ret;
	}
	snprintf(info->node, sizeof(info->node), "%s", path);
	snprintf(info->driver, sizeof(info->driver), "%s", ver->name);
	info->driver_major = ver->version_major;
	info->driver_minor = ver->version_minor;
	info->driver_patch = ver->version_patchlevel;
	drmFreeVersion(ver);

	memset(&kinfo, 0, sizeof(kinfo));
	memset(&q, 0, sizeof(q));
	q.query = DRM_EDGENPU_QUERY_DEVICE;
	q.size = sizeof(kinfo);
	q.ptr = (uintptr_t)&kinfo;
	if (drmIoctl(dev->fd, DRM_IOCTL_EDGENPU_QUERY, &q))
		return enpu_fail(-errno, "%s: DRM_IOCTL_EDGENPU_QUERY(DEVICE) failed: %s",
				 path, strerror(errno));
	if (q.size < DRM_EDGENPU_DEVICE_INFO_SIZE_V0 || q.size > sizeof(kinfo))
		return enpu_fail(-EPROTO, "%s: device query returned %u bytes, expected %zu",
				 path, q.size, sizeof(kinfo));
	if (kinfo.hw_id != ENPU_ID_MAGIC)
		return enpu_fail(-EPROTO, "%s: hardware ID 0x%08x is not EdgeNPU's 0x%08x",
				 path, kinfo.hw_id, ENPU_ID_MAGIC);

	info->pci_vendor = kinfo.pci_vendor;
	info->pci_device = kinfo.pci_device;
	info->hw_id = kinfo.hw_id;
	info->hw_version = kinfo.hw_version;
	info->hw_caps = kinfo.hw_caps;
	info->irq_vectors = kinfo.irq_vectors;
	info->macs_per_cycle = kinfo.macs_per_cycle;
	info->clock_mhz = kinfo.clock_mhz;
	info->dram_bw_mbps = kinfo.dram_bw_mbps;
	info->sram_bw_mbps = kinfo.sram_bw_mbps;
	info->sram_size = kinfo.sram_size;
	info->peak_gops = 2ull * kinfo.macs_per_cycle * kinfo.clock_mhz / 1000;
	return 0;
}

static int enpu_open_path(struct enpu_device **out, const char *path)
{
	struct enpu_device *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return enpu_fail(-ENOMEM, "out of memory opening %s", path);
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		if (ret == -EACCES || ret == -EPERM)
			enpu_fail(ret, "cannot open %s: %s (install edgenpu's udev rule or run as a member of the device's group)",
				  path, strerror(-ret));
		else
			enpu_fail(ret, "cannot open %s: %s", path, strerror(-ret));
		free(dev);
		return ret;
	}
	ret = enpu_identify(dev, path);
	if (ret) {
		close(dev->fd);
		free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

static int enpu_node_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The accelN nodes of @dir, numbers in ascending order; -ENODEV with why. */
static int enpu_scan_nodes(const char *dir, int *nodes, size_t *count)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return enpu_fail(-ENODEV, "no EdgeNPU found: cannot read %s: %s (is edgenpu.ko loaded?)",
				 dir, strerror(errno));
	while ((de = readdir(d)) && n < ENPU_MAX_NODES) {
		char *end;
		long num;

		if (strncmp(de->d_name, "accel", 5) != 0)
			continue;
		num = strtol(de->d_name + 5, &end, 10);
		if (end == de->d_name + 5 || *end || num < 0 || num > 65535)
			continue;
		nodes[n++] = (int)num;
	}
	closedir(d);
	if (!n)
		return enpu_fail(-ENODEV, "no EdgeNPU found: %s has no accel nodes (is edgenpu.ko loaded?)",
				 dir);
	qsort(nodes, n, sizeof(nodes[0]), enpu_node_cmp);
	*count = n;
	return 0;
}

static const char *enpu_accel_dir(void)
{
	const char *env = getenv("EDGENPU_ACCEL_DIR");

	return env && *env ? env : ENPU_DEFAULT_ACCEL_DIR;
}

/* Tries every accelN in @dir in numeric order; first EdgeNPU wins. */
static int enpu_open_first(struct enpu_device **out, const char *dir)
{
	char path[256], skipped[256] = "";
	char denied[512] = "";
	int nodes[ENPU_MAX_NODES];
	size_t n = 0, i, used = 0;
	int ret;

	ret = enpu_scan_nodes(dir, nodes, &n);
	if (ret)
		return ret;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/accel%d", dir, nodes[i]);
		ret = enpu_open_path(out, path);
		if (!ret)
			return 0;
		if (ret == -EACCES || ret == -EPERM) {
			/* maybe an EdgeNPU, maybe another driver's node */
			if (!denied[0])
				snprintf(denied, sizeof(denied), "%s", enpu_last_error());
			continue;
		}
		if (ret != -ENODEV)
			return ret;	/* an EdgeNPU that failed to open */
		if (used < sizeof(skipped))
			used += snprintf(skipped + used, sizeof(skipped) - used,
					 "%s%s", used ? ", " : "", enpu_last_error());
	}
	if (denied[0])
		return enpu_fail(-EACCES, "%s", denied);
	return enpu_fail(-ENODEV, "no EdgeNPU found in %s (%s)", dir, skipped);
}

ENPU_EXPORT int enpu_open(struct enpu_device **dev, const char *path)
{
	const char *env;

	if (!dev)
		return enpu_fail(-EINVAL, "enpu_open: dev is NULL");
	*dev = NULL;
	if (path)
		return enpu_open_path(dev, path);
	env = getenv("EDGENPU_DEVICE");
	if (env && *env)
		return enpu_open_path(dev, env);
	return enpu_open_first(dev, enpu_accel_dir());
}

ENPU_EXPORT int enpu_list(char (*paths)[64], size_t max)
{
	const char *dir = enpu_accel_dir();
	char denied[512] = "";
	int nodes[ENPU_MAX_NODES];
	size_t n = 0, i;
	int found = 0, ret;

	ret = enpu_scan_nodes(dir, nodes, &n);
	if (ret == -ENODEV)
		return 0;	/* none: not an error for a list */
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		struct enpu_device *dev;
		char path[256];

		snprintf(path, sizeof(path), "%s/accel%d", dir, nodes[i]);
		ret = enpu_open_path(&dev, path);
		if (ret == -EACCES || ret == -EPERM) {
			if (!denied[0])
				snprintf(denied, sizeof(denied), "%s", enpu_last_error());
			continue;
		}
		if (ret)
			continue;	/* another driver's node, or one gone meanwhile */
		enpu_close(dev);
		if (paths && (size_t)found < max)
			snprintf(paths[found], sizeof(paths[found]), "%.63s", path);
		found++;
	}
	if (!found && denied[0])
		return enpu_fail(-EACCES, "%s", denied);
	return found;
}

ENPU_EXPORT void enpu_close(struct enpu_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

ENPU_EXPORT int enpu_query(struct enpu_device *dev,
			   struct enpu_device_info *info, size_t info_size)
{
	size_t n;

	if (!dev || !info)
		return enpu_fail(-EINVAL, "enpu_query: %s is NULL", dev ? "info" : "dev");
	if (info_size < offsetof(struct enpu_device_info, peak_gops))
		return enpu_fail(-EINVAL, "enpu_query: info_size %zu is smaller than the first version of struct enpu_device_info (%zu bytes)",
				 info_size, offsetof(struct enpu_device_info, peak_gops));
	n = info_size < sizeof(dev->info) ? info_size : sizeof(dev->info);
	memcpy(info, &dev->info, n);
	if (info_size > n)
		memset((char *)info + n, 0, info_size - n);
	return 0;
}

ENPU_EXPORT int enpu_device_fd(const struct enpu_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

ENPU_EXPORT int enpu_caps_string(uint32_t caps, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
#define ENPU_CAP_NAME(bit, name) { bit, name },
		ENPU_CAPS_FOREACH(ENPU_CAP_NAME)
#undef ENPU_CAP_NAME
	};
	size_t used = 0, i;
	uint32_t known = 0;
	int bit;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		known |= names[i].bit;
		if (caps & names[i].bit)
			used += snprintf(used < len ? buf + used : NULL,
					 used < len ? len - used : 0, "%s%s",
					 used ? " " : "", names[i].name);
	}
	for (bit = 0; bit < 32; bit++) {
		if ((caps & ~known) & (1u << bit))
			used += snprintf(used < len ? buf + used : NULL,
					 used < len ? len - used : 0, "%sbit%d",
					 used ? " " : "", bit);
	}
	return (int)used;
}

ENPU_EXPORT const char *enpu_version_string(void)
{
#define ENPU_STR2(x) #x
#define ENPU_STR(x) ENPU_STR2(x)
	return ENPU_STR(ENPU_LIB_VERSION_MAJOR) "." ENPU_STR(ENPU_LIB_VERSION_MINOR)
	       "." ENPU_STR(ENPU_LIB_VERSION_PATCH);
}
