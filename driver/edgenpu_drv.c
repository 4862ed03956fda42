// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * DRM accel driver definition and ioctls. The bus glue (edgenpu_pci.c,
 * edgenpu_platform.c) maps the device and calls into edgenpu_device.c.
 */

#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include <drm/edgenpu_accel.h>

#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_sched.h"
#include "edgenpu_vm.h"

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

/*
 * The per-file command-stream bound: the uAPI's, or under a device budget a
 * quarter of it, so that no one file can take all of it from the others.
 */
u64 edgenpu_file_cmd_limit(struct edgenpu_device *edev)
{
	u64 lim = DRM_EDGENPU_MAX_PENDING_CMD;

	return edev->cmd_budget ? min(lim, edev->cmd_budget / 4) : lim;
}

static int edgenpu_query_limits(struct edgenpu_device *edev,
				struct drm_edgenpu_query *args)
{
	struct drm_edgenpu_limits lim = {
		.max_mappings = DRM_EDGENPU_MAX_MAPPINGS,
		.max_pending_jobs = DRM_EDGENPU_MAX_PENDING_JOBS,
		.max_pending_cmd = edgenpu_file_cmd_limit(edev),
		.device_cmd_budget = edev->cmd_budget,
		.max_pinned = edgenpu_gem_max_pinned(),
	};

	return edgenpu_copy_query(args, &lim, sizeof(lim), DRM_EDGENPU_LIMITS_SIZE_V0);
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
	case DRM_EDGENPU_QUERY_LIMITS:
		return edgenpu_query_limits(edev, args);
	default:
		return -EINVAL;
	}
}

static int edgenpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct edgenpu_device *edev = to_edgenpu(drm);
	struct edgenpu_file_priv *fpriv;
	int ret;

	fpriv = kzalloc(sizeof(*fpriv), GFP_KERNEL_ACCOUNT);
	if (!fpriv)
		return -ENOMEM;
	fpriv->edev = edev;
	fpriv->pid = task_pid_nr(current);
	get_task_comm(fpriv->comm, current);
	fpriv->jobs = edgenpu_job_table_create();
	if (!fpriv->jobs) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = edgenpu_vm_create(edev, &fpriv->vm);
	if (ret)
		goto err_table;
	ret = edgenpu_sched_file_init(fpriv);
	if (ret)
		goto err_vm;
	mutex_lock(&edev->files_lock);
	list_add_tail(&fpriv->link, &edev->files);
	mutex_unlock(&edev->files_lock);
	file->driver_priv = fpriv;
	return 0;

err_vm:
	edgenpu_vm_put(fpriv->vm);
err_table:
	edgenpu_job_table_put(fpriv->jobs);
err_free:
	kfree(fpriv);
	return ret;
}

/* How often a closing file looks for its jobs on the device to abort. */
#define EDGENPU_CLOSE_POLL_MS	5

/*
 * Closing a file ends its jobs instead of waiting for them: the queued
 * ones are killed, the ones on the device aborted (each as the device
 * starts it), other files' jobs untouched. Jobs keep the address space
 * and the status table alive through their own references until freed.
 */
static void edgenpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	struct edgenpu_device *edev = fpriv->edev;

	edgenpu_sched_file_fini(fpriv);
	/* nothing of the file may outlive the device this close may release */
	while (!edgenpu_job_table_wait_idle(fpriv->jobs, EDGENPU_CLOSE_POLL_MS))
		edgenpu_abort_vm_jobs(edev, fpriv->vm);
	mutex_lock(&edev->files_lock);
	list_del(&fpriv->link);
	mutex_unlock(&edev->files_lock);
	edgenpu_vm_unmap_all(fpriv->vm);
	edgenpu_vm_put(fpriv->vm);
	edgenpu_job_table_put(fpriv->jobs);
	kfree(fpriv);
}

#define EDGENPU_IOCTL(n, func, flags) \
	DRM_IOCTL_DEF_DRV(EDGENPU_##n, edgenpu_ioctl_##func, flags)

static const struct drm_ioctl_desc edgenpu_ioctls[] = {
	EDGENPU_IOCTL(QUERY, query, 0),
	EDGENPU_IOCTL(BO_CREATE, bo_create, 0),
	EDGENPU_IOCTL(BO_INFO, bo_info, 0),
	EDGENPU_IOCTL(BO_WAIT, bo_wait, 0),
	EDGENPU_IOCTL(VM_MAP, vm_map, 0),
	EDGENPU_IOCTL(VM_UNMAP, vm_unmap, 0),
	EDGENPU_IOCTL(SUBMIT, submit, 0),
	EDGENPU_IOCTL(JOB_INFO, job_info, 0),
};

/*
 * fdinfo (Documentation/gpu/drm-usage-stats.rst): the DRM core prints
 * drm-driver and drm-client-id; this adds the file's NPU busy time and
 * modelled cycles (sums over its ended jobs, as JOB_INFO reports each),
 * the clock they count at, the memory of its buffers, and the
 * driver-specific edgenpu-jobs: how many of its jobs ended.
 */
static void edgenpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	u64 busy_ns, cycles, ended;

	edgenpu_job_table_usage(fpriv->jobs, &busy_ns, &cycles, &ended);
	drm_printf(p, "drm-engine-npu:\t%llu ns\n", busy_ns);
	drm_printf(p, "drm-cycles-npu:\t%llu\n", cycles);
	drm_printf(p, "edgenpu-jobs:\t%llu\n", ended);
	drm_printf(p, "drm-maxfreq-npu:\t%u MHz\n", fpriv->edev->clock_mhz);
	drm_show_memory_stats(p, file);
}

static const struct file_operations edgenpu_accel_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

const struct drm_driver edgenpu_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = edgenpu_open,
	.postclose = edgenpu_postclose,
	.show_fdinfo = edgenpu_show_fdinfo,
	.gem_create_object = edgenpu_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
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
	int ret = platform_driver_register(&edgenpu_platform_driver);

	if (ret)
		return ret;
	ret = edgenpu_pci_register();
	if (ret)
		platform_driver_unregister(&edgenpu_platform_driver);
	return ret;
}

static void __exit edgenpu_exit(void)
{
	edgenpu_pci_unregister();
	platform_driver_unregister(&edgenpu_platform_driver);
}

module_init(edgenpu_init);
module_exit(edgenpu_exit);

MODULE_DESCRIPTION("EdgeNPU DRM accel driver");
MODULE_AUTHOR("The edgenpu authors");
MODULE_LICENSE("GPL");
