// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Buffers: GEM objects on the shmem helper (CPU mmap, PRIME export and
 * import come from it) and the ioctls that create, describe, wait for and
 * map them into the caller's NPU address space.
 */

#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/sched.h>

#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_vm.h"

int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	struct drm_edgenpu_bo_create *args = data;
	struct edgenpu_mapping *map = NULL;
	struct drm_gem_shmem_object *shmem;
	u64 va = 0;
	u32 handle;
	int ret;

	if (args->flags & ~DRM_EDGENPU_BO_CREATE_FLAGS)
		return -EINVAL;
	if ((args->flags & DRM_EDGENPU_BO_CREATE_READ_ONLY) &&
	    !(args->flags & DRM_EDGENPU_BO_CREATE_MAP))
		return -EINVAL;
	if (!args->size || args->size > EDGENPU_BO_MAX_SIZE)
		return -EINVAL;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);

	if (args->flags & DRM_EDGENPU_BO_CREATE_MAP) {
		ret = edgenpu_vm_map(fpriv->vm, &shmem->base,
				     !(args->flags & DRM_EDGENPU_BO_CREATE_READ_ONLY),
				     &va, &map);
		if (ret)
			goto out_put;
	}
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret) {
		/* this mapping: its VA may be someone else's by now */
		if (map)
			edgenpu_vm_unmap_mapping(fpriv->vm, map);
		goto out_put;
	}
	args->handle = handle;
	args->size = shmem->base.size;
	args->va = va;
out_put:
	if (map)
		edgenpu_mapping_put(map);
	/* the handle (and the mapping) hold their own references */
	drm_gem_object_put(&shmem->base);
	return ret;
}

int edgenpu_ioctl_bo_info(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_edgenpu_bo_info *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret) {
		args->size = obj->size;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
	return ret;
}

/* A wait of at least @ns in jiffies (one more for the tick in progress). */
static unsigned long edgenpu_wait_jiffies(s64 ns)
{
	if (ns <= 0)
		return 0;
	return min_t(u64, nsecs_to_jiffies64(ns) + 1, MAX_SCHEDULE_TIMEOUT);
}

int edgenpu_ioctl_bo_wait(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_edgenpu_bo_wait *args = data;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	s64 left = args->timeout_ns;
	ktime_t end;
	long ret;

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	/*
	 * -ETIME only once timeout_ns has passed on the monotonic clock: a
	 * wait in jiffies can end early when they lag behind it (late ticks
	 * on a busy virtual machine), so wait again for what is left.
	 */
	end = ktime_add_safe(ktime_get(), ns_to_ktime(left));
	do {
		ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
					    edgenpu_wait_jiffies(left));
		if (ret)
			break;
		left = ktime_to_ns(ktime_sub(end, ktime_get()));
	} while (left > 0);
	if (ret == 0)
		ret = args->timeout_ns ? -ETIME : -EBUSY;
	else if (ret > 0)
		ret = 0;

	/* what the NPU wrote becomes visible to the CPU */
	shmem = to_drm_gem_shmem_obj(obj);
	if (!ret && shmem->sgt)
		dma_sync_sgtable_for_cpu(drm->dev, shmem->sgt, DMA_BIDIRECTIONAL);
	drm_gem_object_put(obj);
	return ret;
}

int edgenpu_ioctl_vm_map(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	struct drm_edgenpu_vm_map *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags & ~DRM_EDGENPU_VM_MAP_READ_ONLY)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = edgenpu_vm_map(fpriv->vm, obj,
			     !(args->flags & DRM_EDGENPU_VM_MAP_READ_ONLY),
			     &args->va, NULL);
	drm_gem_object_put(obj);
	return ret;
}

int edgenpu_ioctl_vm_unmap(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	struct drm_edgenpu_vm_unmap *args = data;

	if (args->flags || args->pad)
		return -EINVAL;
	if (args->va >= ENPU_DRAM_VA_END)
		return -EINVAL;
	return edgenpu_vm_unmap(fpriv->vm, args->va);
}
