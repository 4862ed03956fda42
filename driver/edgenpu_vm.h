/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_VM_H__
#define __EDGENPU_VM_H__

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include <drm/drm_mm.h>

#include "edgenpu_mmu.h"

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct edgenpu_device;

/**
 * struct edgenpu_vm - an NPU address space (one per open file)
 * @ref: held by the file and by every job and mapping using it
 * @edev: the device
 * @asid: address-space ID, tags the NPU's TLB entries
 * @l1: level-1 page table (coherent DMA memory)
 * @l1_dma: its bus address, the jobs' pt_base
 * @l2: level-2 tables, allocated on demand
 * @l2_dma: their bus addresses
 * @lock: protects @mm, the page tables and @mappings
 * @mm: virtual address allocator; its interval tree finds a VA's mapping
 * @mappings: live mappings, for debugfs and the file's close
 * @nmaps: entries of @mappings (at most DRM_EDGENPU_MAX_MAPPINGS)
 * @validate_seq: bumped for every job validated against the space
 *	(under @lock): edgenpu_mapping.job_seq tells the mappings a job
 *	already holds
 */
struct edgenpu_vm {
	struct kref ref;
	struct edgenpu_device *edev;
	u32 asid;
	__le64 *l1;
	dma_addr_t l1_dma;
	__le64 **l2;
	dma_addr_t *l2_dma;
	/* protects mm, the page tables and mappings */
	struct mutex lock;
	struct drm_mm mm;
	struct list_head mappings;
	u32 nmaps;
	u64 validate_seq;
};

/**
 * struct edgenpu_mapping - a buffer mapped into an address space
 * @ref: held by the address space until VM_UNMAP, and by each job using it
 * @vm: the address space (referenced)
 * @bo: the buffer (referenced)
 * @node: its virtual range (the buffer plus a guard page)
 * @size: bytes mapped
 * @writable: the NPU may write it
 * @unmapped: VM_UNMAP was called; new jobs may not use it
 * @job_seq: the @vm->validate_seq of the last job that took a reference
 *	while being validated (under @vm->lock)
 * @link: in @vm->mappings
 * @drop_link: in the list of mappings the file's close unmaps
 */
struct edgenpu_mapping {
	struct kref ref;
	struct edgenpu_vm *vm;
	struct drm_gem_object *bo;
	struct drm_mm_node node;
	u64 size;
	bool writable;
	bool unmapped;
	u64 job_seq;
	struct list_head link;
	struct list_head drop_link;
};

int edgenpu_vm_create(struct edgenpu_device *edev, struct edgenpu_vm **out);
void edgenpu_vm_put(struct edgenpu_vm *vm);

static inline struct edgenpu_vm *edgenpu_vm_get(struct edgenpu_vm *vm)
{
	kref_get(&vm->ref);
	return vm;
}

int edgenpu_vm_map(struct edgenpu_vm *vm, struct drm_gem_object *bo,
		   bool writable, u64 *va, struct edgenpu_mapping **out);
int edgenpu_vm_unmap(struct edgenpu_vm *vm, u64 va);
void edgenpu_vm_unmap_mapping(struct edgenpu_vm *vm, struct edgenpu_mapping *m);
void edgenpu_vm_unmap_all(struct edgenpu_vm *vm);
void edgenpu_vm_unbind_all(struct edgenpu_device *edev);

/* The live mapping covering [va, va + size), or NULL; vm->lock held. */
struct edgenpu_mapping *edgenpu_vm_lookup_locked(struct edgenpu_vm *vm,
						 u64 va, u64 size);
void edgenpu_mapping_put(struct edgenpu_mapping *m);

static inline struct edgenpu_mapping *
edgenpu_mapping_get(struct edgenpu_mapping *m)
{
	kref_get(&m->ref);
	return m;
}

int edgenpu_ioctl_vm_map(struct drm_device *drm, void *data,
			 struct drm_file *file);
int edgenpu_ioctl_vm_unmap(struct drm_device *drm, void *data,
			   struct drm_file *file);

#endif /* __EDGENPU_VM_H__ */
