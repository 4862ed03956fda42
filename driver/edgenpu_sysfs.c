// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs attributes of the NPU, on its bus device
 * (/sys/class/accel/accelN/device/):
 *
 *   npu_busy_time_us  microseconds the NPU spent running jobs since it was
 *                     bound, all files together (the per-file split is in
 *                     fdinfo: drm-engine-npu); grows when each job ends
 */
#include <linux/device.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "edgenpu_drv.h"

static ssize_t npu_busy_time_us_show(struct device *dev, struct device_attribute *attr,
				     char *buf)
{
	struct edgenpu_device *edev = dev_get_drvdata(dev);
	unsigned long flags;
	u64 busy;

	spin_lock_irqsave(&edev->busy_lock, flags);
	busy = edev->busy_ns;
	spin_unlock_irqrestore(&edev->busy_lock, flags);
	return sysfs_emit(buf, "%llu\n", div_u64(busy, NSEC_PER_USEC));
}
static DEVICE_ATTR_RO(npu_busy_time_us);

static struct attribute *edgenpu_attrs[] = {
	&dev_attr_npu_busy_time_us.attr,
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
