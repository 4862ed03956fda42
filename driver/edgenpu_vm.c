// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * NPU address spaces: per-file page tables in the format of
 * hw/edgenpu_mmu.h, a virtual-address allocator, and refcounted mappings
 * of GEM buffers. A mapping's pages leave the page tables, and the NPU's
 * TLB is invalidated, only when the last job using it is gone. An address
 * space's ASID is retired on the device (its TLB entries and SRAM
 * dropped) before it can be given to another file. A runtime-suspended
 * device is not touched: it resumes with an empty TLB and cleared SRAM.
 * The VM_MAP and VM_UNMAP ioctls, a file's own mapping and unmapping of
 * its buffers, are at the end.
 */

#include <linux/dma-mapping.h>
#include <linux/pm_runtime.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_vm.h"

/* First usable VA: page 0 stays unmapped so a NULL address faults. */
#define EDGENPU_VA_START	ENPU_PAGE_SIZE

/*
 * Writes @val to the MMU register @reg, and reads a register back so the
 * write has landed -- unless the device is runtime-suspended (or going
 * there, or unplugged): it then holds no translation and no SRAM, and its
 * resume resets it.
 */
static void edgenpu_vm_mmu_write(struct edgenpu_device *edev, u32 reg, u32 val)
{
	struct device *dev = edev->drm.dev;
	int idx, pm;

	if (!drm_dev_enter(&edev->drm, &idx))
		return;
	pm = pm_runtime_get_if_active(dev);
	/* (runtime PM disabled: powered unless edev->powered says not) */
	if (pm > 0 || (pm < 0 && READ_ONCE(edev->powered))) {
		edgenpu_write(edev, reg, val);
		edgenpu_read(edev, ENPU_REG_STATUS);
	}
	if (pm > 0)
		pm_runtime_put_autosuspend(dev);
	drm_dev_exit(idx);
}

/* The page tables go (at release, or with the device at unbind); vm->lock or sole owner. */
static void edgenpu_vm_free_tables(struct edgenpu_vm *vm)
{
	struct device *dev = vm->edev->drm.dev;
	unsigned int i;

	for (i = 0; i < ENPU_L1_ENTRIES; i++) {
		if (vm->l2[i])
			dma_free_coherent(dev, ENPU_L2_TABLE_SIZE, vm->l2[i],
					  vm->l2_dma[i]);
		vm->l2[i] = NULL;
	}
	if (vm->l1)
		dma_free_coherent(dev, ENPU_L1_TABLE_SIZE, vm->l1, vm->l1_dma);
	vm->l1 = NULL;
}

static void edgenpu_vm_release(struct kref *ref)
{
	struct edgenpu_vm *vm = container_of(ref, struct edgenpu_vm, ref);

	/* the next file given this ASID finds no SRAM data and no TLB entry */
	edgenpu_vm_mmu_write(vm->edev, ENPU_REG_ASID_RETIRE, vm->asid);

	drm_mm_takedown(&vm->mm);
	edgenpu_vm_free_tables(vm);
	ida_free(&vm->edev->asids, vm->asid);
	mutex_destroy(&vm->lock);
	kvfree(vm->l2);
	kvfree(vm->l2_dma);
	kfree(vm);
}

int edgenpu_vm_create(struct edgenpu_device *edev, struct edgenpu_vm **out)
{
	struct device *dev = edev->drm.dev;
	struct edgenpu_vm *vm;
	int asid;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->l2 = kvcalloc(ENPU_L1_ENTRIES, sizeof(*vm->l2), GFP_KERNEL_ACCOUNT);
	vm->l2_dma = kvcalloc(ENPU_L1_ENTRIES, sizeof(*vm->l2_dma), GFP_KERNEL_ACCOUNT);
	if (!vm->l2 || !vm->l2_dma)
		goto err_free;
	vm->l1 = dma_alloc_coherent(dev, ENPU_L1_TABLE_SIZE, &vm->l1_dma,
				    GFP_KERNEL_ACCOUNT);
	if (!vm->l1)
		goto err_free;
	asid = ida_alloc_range(&edev->asids, 1, 0xfffffffe, GFP_KERNEL);
	if (asid < 0) {
		dma_free_coherent(dev, ENPU_L1_TABLE_SIZE, vm->l1, vm->l1_dma);
		kvfree(vm->l2);
		kvfree(vm->l2_dma);
		kfree(vm);
		return asid;
	}
	vm->asid = asid;
	vm->edev = edev;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->mappings);
	drm_mm_init(&vm->mm, EDGENPU_VA_START,
		    ENPU_DRAM_VA_END - EDGENPU_VA_START);
	*out = vm;
	return 0;

err_free:
	kvfree(vm->l2);
	kvfree(vm->l2_dma);
	kfree(vm);
	return -ENOMEM;
}

void edgenpu_vm_put(struct edgenpu_vm *vm)
{
	if (vm)
		kref_put(&vm->ref, edgenpu_vm_release);
}

/* The level-2 entry of @va, allocating its table; vm->lock held. */
static __le64 *edgenpu_vm_pte(struct edgenpu_vm *vm, u32 va, bool alloc)
{
	unsigned int i1 = ENPU_L1_INDEX(va);

	if (!vm->l2[i1]) {
		/* (no new table once the device is gone) */
		if (!alloc || !vm->l1)
			return NULL;
		vm->l2[i1] = dma_alloc_coherent(vm->edev->drm.dev,
						ENPU_L2_TABLE_SIZE,
						&vm->l2_dma[i1], GFP_KERNEL_ACCOUNT);
		if (!vm->l2[i1])
			return NULL;
		/* the table is zeroed before the NPU can see it */
		dma_wmb();
		vm->l1[i1] = cpu_to_le64(ENPU_PDE(vm->l2_dma[i1]));
	}
	return &vm->l2[i1][ENPU_L2_INDEX(va)];
}

/* Drops cached translations of @vm. */
static void edgenpu_vm_flush_tlb(struct edgenpu_vm *vm)
{
	edgenpu_vm_mmu_write(vm->edev, ENPU_REG_MMU_INVALIDATE, vm->asid);
}

static void edgenpu_vm_clear_locked(struct edgenpu_vm *vm, u64 va, u64 size)
{
	u64 off;

	for (off = 0; off < size; off += ENPU_PAGE_SIZE) {
		__le64 *pte = edgenpu_vm_pte(vm, va + off, false);

		if (pte)
			*pte = 0;
	}
	dma_wmb();
	edgenpu_vm_flush_tlb(vm);
}

static int edgenpu_vm_fill_locked(struct edgenpu_vm *vm, u64 va,
				  struct sg_table *sgt, u64 size, bool writable)
{
	u64 flags = ENPU_PTE_VALID | ENPU_PTE_READ |
		    (writable ? ENPU_PTE_WRITE : 0);
	struct sg_dma_page_iter iter;
	u64 off = 0, sub;

	for_each_sgtable_dma_page(sgt, &iter, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);

		for (sub = 0; sub < PAGE_SIZE && off < size;
		     sub += ENPU_PAGE_SIZE, off += ENPU_PAGE_SIZE) {
			__le64 *pte = edgenpu_vm_pte(vm, va + off, true);

			if (!pte) {
				edgenpu_vm_clear_locked(vm, va, off);
				return -ENOMEM;
			}
			*pte = cpu_to_le64(ENPU_PTE(addr + sub, flags));
		}
	}
	if (off < size) {
		edgenpu_vm_clear_locked(vm, va, off);
		return -EINVAL;
	}
	dma_wmb();
	return 0;
}

int edgenpu_vm_map(struct edgenpu_vm *vm, struct drm_gem_object *bo,
		   bool writable, u64 *va, struct edgenpu_mapping **out)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(bo);
	struct edgenpu_mapping *m;
	struct sg_table *sgt;
	int ret;

	ret = edgenpu_gem_account_pin(bo);
	if (ret)
		return ret;
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	kref_init(&m->ref);
	m->size = PAGE_ALIGN(bo->size);
	m->writable = writable;

	mutex_lock(&vm->lock);
	if (vm->nmaps >= DRM_EDGENPU_MAX_MAPPINGS) {
		drm_dbg(&vm->edev->drm, "VM_MAP: %u mappings in this file already\n",
			vm->nmaps);
		ret = -ENOSPC;
		goto err_unlock;
	}
	/* one guard page after each buffer catches overruns */
	ret = drm_mm_insert_node_generic(&vm->mm, &m->node,
					 m->size + ENPU_PAGE_SIZE,
					 ENPU_PAGE_SIZE, 0, DRM_MM_INSERT_BEST);
	if (ret)
		goto err_unlock;
	ret = edgenpu_vm_fill_locked(vm, m->node.start, sgt, m->size, writable);
	if (ret)
		goto err_remove;
	drm_gem_object_get(bo);
	m->bo = bo;
	m->vm = edgenpu_vm_get(vm);
	list_add_tail(&m->link, &vm->mappings);
	vm->nmaps++;
	*va = m->node.start;
	/* a reference for the caller: the VA is userspace's to unmap at once */
	if (out)
		*out = edgenpu_mapping_get(m);
	mutex_unlock(&vm->lock);
	return 0;

err_remove:
	drm_mm_remove_node(&m->node);
err_unlock:
	mutex_unlock(&vm->lock);
	kfree(m);
	return ret == -ENOSPC ? -ENOSPC : ret;
}

static void edgenpu_mapping_release(struct kref *ref)
{
	struct edgenpu_mapping *m = container_of(ref, struct edgenpu_mapping, ref);
	struct edgenpu_vm *vm = m->vm;

	mutex_lock(&vm->lock);
	edgenpu_vm_clear_locked(vm, m->node.start, m->size);
	drm_mm_remove_node(&m->node);
	list_del(&m->link);
	vm->nmaps--;
	mutex_unlock(&vm->lock);
	/* pages go only after the NPU can no longer reach them */
	drm_gem_object_put(m->bo);
	kfree(m);
	edgenpu_vm_put(vm);
}

void edgenpu_mapping_put(struct edgenpu_mapping *m)
{
	kref_put(&m->ref, edgenpu_mapping_release);
}

/*
 * In O(log n) of the address space's mappings: drm_mm keeps its nodes in
 * an interval tree, and each mapping's node covers its buffer (and its
 * guard page).
 */
struct edgenpu_mapping *edgenpu_vm_lookup_locked(struct edgenpu_vm *vm,
						 u64 va, u64 size)
{
	struct edgenpu_mapping *m;
	struct drm_mm_node *node;

	lockdep_assert_held(&vm->lock);
	drm_mm_for_each_node_in_range(node, &vm->mm, va, va + 1) {
		m = container_of(node, struct edgenpu_mapping, node);
		if (!m->unmapped && size <= m->size &&
		    va - m->node.start <= m->size - size)
			return m;
		break;
	}
	return NULL;
}

/*
 * Undoes edgenpu_vm_map() of @m, whatever happened to its VA meanwhile
 * (another thread may have unmapped it and mapped something else there);
 * the caller holds the reference edgenpu_vm_map() gave it.
 */
void edgenpu_vm_unmap_mapping(struct edgenpu_vm *vm, struct edgenpu_mapping *m)
{
	bool mine;

	mutex_lock(&vm->lock);
	mine = !m->unmapped;
	m->unmapped = true;
	mutex_unlock(&vm->lock);
	if (mine)
		edgenpu_mapping_put(m);
}

int edgenpu_vm_unmap(struct edgenpu_vm *vm, u64 va)
{
	struct edgenpu_mapping *m, *found = NULL;
	struct drm_mm_node *node;

	mutex_lock(&vm->lock);
	drm_mm_for_each_node_in_range(node, &vm->mm, va, va + 1) {
		m = container_of(node, struct edgenpu_mapping, node);
		if (!m->unmapped && m->node.start == va) {
			m->unmapped = true;
			found = m;
		}
		break;
	}
	mutex_unlock(&vm->lock);
	if (!found)
		return -ENOENT;
	edgenpu_mapping_put(found);
	return 0;
}

/**
 * edgenpu_vm_unbind_all() - the device goes: its files' page tables too
 * @edev: the stopped, unplugged device, whose jobs are all freed
 *
 * The files stay open until their owners close them, but nothing of the
 * device's DMA memory may outlive its binding: every open file's page
 * tables are freed now (its mappings' PTEs are gone with them; the device
 * will never walk them again).
 */
void edgenpu_vm_unbind_all(struct edgenpu_device *edev)
{
	struct edgenpu_file_priv *fpriv;

	mutex_lock(&edev->files_lock);
	list_for_each_entry(fpriv, &edev->files, link) {
		mutex_lock(&fpriv->vm->lock);
		edgenpu_vm_free_tables(fpriv->vm);
		mutex_unlock(&fpriv->vm->lock);
	}
	mutex_unlock(&edev->files_lock);
}

/* File close: drop the address space's own reference on every mapping. */
void edgenpu_vm_unmap_all(struct edgenpu_vm *vm)
{
	struct edgenpu_mapping *m, *next;
	LIST_HEAD(drop);

	mutex_lock(&vm->lock);
	list_for_each_entry(m, &vm->mappings, link) {
		if (m->unmapped)
			continue;
		m->unmapped = true;
		list_add_tail(&m->drop_link, &drop);
	}
	mutex_unlock(&vm->lock);
	list_for_each_entry_safe(m, next, &drop, drop_link)
		edgenpu_mapping_put(m);
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
