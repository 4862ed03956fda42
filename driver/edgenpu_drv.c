// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * DRM accel driver definition and ioctls. The bus glue (edgenpu_pci.c)
 * allocates the device and calls into edgenpu_device.c.
 */

#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_drv.h"

/*
 * Copy a query result of @ksize bytes to userspace following the size
 * negotiation documented at struct drm_edgenpu_query.
 */
static int edgenpu_copy_query(struct drm_edgenpu_query *args, const void *src,
			      u32 ksize, u32 min_size)
{
	void __user *ptr = u64_to_user_ptr(args->ptr);
	u32 copy;

	if (!args->size) {
		args->size = ksize;
		return 0;
	}
	if (args->size < min_size)
		return -EINVAL;

	copy = min(args->size, ksize);
	if (copy_to_user(ptr, src, copy))
		return -EFAULT;
	if (args->size > ksize && clear_user(ptr + ksize, args->size - ksize))
		return -EFAULT;
	args->size = copy;
	return 0;
}

static int edgenpu_query_device(struct edgenpu_device *edev,
				struct drm_edgenpu_query *args)
{
	struct drm_edgenpu_device_info info = {
		.pci_vendor = edev->pci_vendor,
		.pci_device = edev->pci_device,
		.hw_id = ENPU_ID_MAGIC,
		.hw_version = edev->hw_version,
		.hw_caps = edev->hw_caps,
		.irq_vectors = edev->irq_vectors,
		.macs_per_cycle = edev->macs_per_cycle,
		.clock_mhz = edev->clock_mhz,
		.dram_bw_mbps = edev->dram_bw_mbps,
		.sram_bw_mbps = edev->sram_bw_mbps,
		.sram_size = edev->sram_size,
	};

	return edgenpu_copy_query(args, &info, sizeof(info),
				  DRM_EDGENPU_DEVICE_INFO_SIZE_V0);
}

static int edgenpu_ioctl_query(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu(drm);
	struct drm_edgenpu_query *args = data;

	if (args->flags || args->pad)
		return -EINVAL;

	switch (args->query) {
	case DRM_EDGENPU_QUERY_DEVICE:
		return edgenpu_query_device(edev, args);
	default:
		return -EINVAL;
	}
}

#define EDGENPU_IOCTL(n, func, flags) \
	DRM_IOCTL_DEF_DRV(EDGENPU_##n, edgenpu_ioctl_##func, flags)

static const struct drm_ioctl_desc edgenpu_ioctls[] = {
	EDGENPU_IOCTL(QUERY, query, 0),
};

DEFINE_DRM_ACCEL_FOPS(edgenpu_accel_fops);

const struct drm_driver edgenpu_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL,
	.fops = &edgenpu_accel_fops,
	.ioctls = edgenpu_ioctls,
	.num_ioctls = ARRAY_SIZE(edgenpu_ioctls),
	.name = "edgenpu",
	.desc = "EdgeNPU INT8 neural processing unit",
	.major = DRM_EDGENPU_DRIVER_MAJOR,
	.minor = DRM_EDGENPU_DRIVER_MINOR,
};

static int __init edgenpu_init(void)
{
	return edgenpu_pci_register();
}

static void __exit edgenpu_exit(void)
{
	edgenpu_pci_unregister();
}

module_init(edgenpu_init);
module_exit(edgenpu_exit);

MODULE_DESCRIPTION("EdgeNPU DRM accel driver");
MODULE_AUTHOR("The edgenpu authors");
MODULE_LICENSE("GPL");
