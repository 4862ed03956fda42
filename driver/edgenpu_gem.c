// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Buffers: GEM objects on the shmem helper (CPU mmap, PRIME export and
 * import come from it) and the ioctls that create, describe and wait for
 * them (mapping them into an NPU address space is edgenpu_vm.c's). The
 * device keeps a list of its buffers: at unbind their DMA mappings go with
 * the device, not with the last file that holds them.
 */

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_vm.h"

/**
 * struct edgenpu_bo - a buffer
 * @base: the shmem helper's object
 * @link: in edev->bos
 * @pinned: counted in edgenpu_pinned (its pages are pinned from its first
 *	NPU mapping until it is freed)
 */
struct edgenpu_bo {
	struct drm_gem_shmem_object base;
	struct list_head link;
	atomic_t pinned;
};

/*
 * Pages pinned for the NPU cannot be reclaimed, swapped, or freed by the
 * OOM killer's reaper: a process killed while it holds them keeps them
 * until its files close. Buffers and command streams of all devices
 * together are bounded, the way TTM bounds a GPU's, so that no user can
 * pin the machine's memory.
 */
static unsigned int edgenpu_max_pinned_mb;
module_param_named(max_pinned_mb, edgenpu_max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "MiB of buffers and command streams all NPUs together may pin (0 = half of RAM, the default)");

static atomic64_t edgenpu_pinned = ATOMIC64_INIT(0);

/**
 * edgenpu_gem_max_pinned() - bytes of buffer memory all devices may pin
 *
 * Return: the module parameter max_pinned_mb in bytes, or half of RAM
 * when it is 0.
 */
u64 edgenpu_gem_max_pinned(void)
{
	unsigned int mb = READ_ONCE(edgenpu_max_pinned_mb);

	return mb ? (u64)mb << 20 : ((u64)totalram_pages() << PAGE_SHIFT) / 2;
}

static struct edgenpu_bo *to_edgenpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct edgenpu_bo, base);
}

/**
 * edgenpu_gem_pin_bytes() - count memory about to be pinned for an NPU
 * @bytes: how much
 *
 * Counted whatever the outcome: edgenpu_gem_unpin_bytes() gives it back.
 * Return: false when all pinned memory now passes edgenpu_gem_max_pinned().
 */
bool edgenpu_gem_pin_bytes(u64 bytes)
{
	return atomic64_add_return(bytes, &edgenpu_pinned) <= edgenpu_gem_max_pinned();
}

void edgenpu_gem_unpin_bytes(u64 bytes)
{
	atomic64_sub(bytes, &edgenpu_pinned);
}

/**
 * edgenpu_gem_account_pin() - count a buffer's pages before they are pinned
 * @obj: the buffer, about to get its first NPU mapping (or another one)
 *
 * Return: 0, or -ENOMEM when pinning it would take all pinned memory past
 * edgenpu_gem_max_pinned(). An imported buffer is its exporter's to count.
 */
int edgenpu_gem_account_pin(struct drm_gem_object *obj)
{
	struct edgenpu_bo *bo = to_edgenpu_bo(obj);

	if (obj->import_attach || atomic_read(&bo->pinned))
		return 0;
	if (!edgenpu_gem_pin_bytes(obj->size)) {
		edgenpu_gem_unpin_bytes(obj->size);
		drm_dbg(obj->dev, "%zu KiB more pinned would pass max_pinned_mb (%llu MiB)\n",
			obj->size >> 10, edgenpu_gem_max_pinned() >> 20);
		return -ENOMEM;
	}
	/* another mapping of it counted it meanwhile */
	if (atomic_xchg(&bo->pinned, 1))
		edgenpu_gem_unpin_bytes(obj->size);
	return 0;
}

static void edgenpu_gem_free(struct drm_gem_object *obj)
{
	struct edgenpu_device *edev = to_edgenpu(obj->dev);
	struct edgenpu_bo *bo = to_edgenpu_bo(obj);

	mutex_lock(&edev->bos_lock);
	list_del_init(&bo->link);
	mutex_unlock(&edev->bos_lock);
	if (atomic_read(&bo->pinned))
		edgenpu_gem_unpin_bytes(obj->size);
	drm_gem_shmem_free(&bo->base);
}

/*
 * fdinfo's drm-resident-memory: a buffer with its pages is resident. Read
 * without the buffer's lock, as drm_gem.h allows for this callback.
 */
static enum drm_gem_object_status edgenpu_gem_status(struct drm_gem_object *obj)
{
	return READ_ONCE(to_drm_gem_shmem_obj(obj)->pages) ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs edgenpu_gem_funcs = {
	.free = edgenpu_gem_free,
	.status = edgenpu_gem_status,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/*
 * drm_driver.gem_create_object: every buffer, made here or imported. The
 * shmem helper frees it with kfree() if it fails to set it up: it joins
 * edev->bos only once it exists (edgenpu_ioctl_bo_create()).
 */
struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm, size_t size)
{
	struct edgenpu_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &edgenpu_gem_funcs;
	/*
	 * A device that does not snoop CPU caches: the CPU maps its buffers
	 * write-combined, so what a signalled job wrote is what a reader of
	 * the mapping sees (the uAPI's rule), with no sync ioctl.
	 */
	bo->base.map_wc = !dev_is_dma_coherent(drm->dev);
	INIT_LIST_HEAD(&bo->link);
	return &bo->base.base;
}

/**
 * edgenpu_gem_unbind_all() - the device goes: its buffers' DMA mappings too
 * @edev: the stopped, unplugged device
 *
 * What the device reached through its own buffers' scatter lists is
 * unmapped now, not when the last file holding them closes (imported
 * buffers are their exporter's to unmap, when they are detached). A later
 * user of a buffer (an export, a CPU mapping) does not need the list.
 */
void edgenpu_gem_unbind_all(struct edgenpu_device *edev)
{
	struct edgenpu_bo *bo;

	mutex_lock(&edev->bos_lock);
	list_for_each_entry(bo, &edev->bos, link) {
		struct drm_gem_shmem_object *shmem = &bo->base;

		if (shmem->base.import_attach)
			continue;
		dma_resv_lock(shmem->base.resv, NULL);
		if (shmem->sgt) {
			dma_unmap_sgtable(edev->drm.dev, shmem->sgt, DMA_BIDIRECTIONAL, 0);
			sg_free_table(shmem->sgt);
			kfree(shmem->sgt);
			shmem->sgt = NULL;
		}
		dma_resv_unlock(shmem->base.resv);
	}
	mutex_unlock(&edev->bos_lock);
}

int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	struct edgenpu_device *edev = to_edgenpu(drm);
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
	/* ours to unmap from the device at unbind (imports are the exporter's) */
	mutex_lock(&edev->bos_lock);
	list_add_tail(&container_of(shmem, struct edgenpu_bo, base)->link, &edev->bos);
	mutex_unlock(&edev->bos_lock);

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
