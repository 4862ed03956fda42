// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs attributes of the NPU, on its bus device
 * (/sys/class/accel/accelN/device/):
 *
 *   npu_busy_time_us  microseconds the NPU spent running jobs since it was
 *                     bound, all files together (the per-file split is in
 *                     fdinfo: drm-engine-npu); grows when each job ends
 *   npu_jobs          jobs that ended since it was bound, whatever their
 *                     status (per file: fdinfo's edgenpu-jobs)
 */
#include <linux/device.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "edgenpu_drv.h"

/* The device's totals over its ended jobs, read together. */
static void edgenpu_busy_totals(struct device *dev, u64 *busy_ns, u64 *jobs)
{
	struct edgenpu_device *edev = dev_get_drvdata(dev);
	unsigned long flags;

	spin_lock_irqsave(&edev->busy_lock, flags);
	*busy_ns = edev->busy_ns;
	*jobs = edev->jobs_ended;
	spin_unlock_irqrestore(&edev->busy_lock, flags);
}

static ssize_t npu_busy_time_us_show(struct device *dev, struct device_attribute *attr,
				     char *buf)
{
	u64 busy, jobs;

	edgenpu_busy_totals(dev, &busy, &jobs);
	return sysfs_emit(buf, "%llu\n", div_u64(busy, NSEC_PER_USEC));
}
static DEVICE_ATTR_RO(npu_busy_time_us);

static ssize_t npu_jobs_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u64 busy, jobs;

	edgenpu_busy_totals(dev, &busy, &jobs);
	return sysfs_emit(buf, "%llu\n", jobs);
}
static DEVICE_ATTR_RO(npu_jobs);

static struct attribute *edgenpu_attrs[] = {
	&dev_attr_npu_busy_time_us.attr,
	&dev_attr_npu_jobs.attr,
	NULL,
};

static const struct attribute_group edgenpu_attr_group = {
	.attrs = edgenpu_attrs,
};

/**
 * edgenpu_sysfs_init() - add the NPU's attributes to its bus device
 * @edev: the device, its bus device's driver data
 *
 * Removed when the bus device is unbound (devres).
 *
 * Return: 0 or a negative errno.
 */
int edgenpu_sysfs_init(struct edgenpu_device *edev)
{
	return devm_device_add_group(edev->drm.dev, &edgenpu_attr_group);
}
