/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_SCHED_H__
#define __EDGENPU_SCHED_H__

#include <linux/kref.h>
#include <linux/list.h>

#include <drm/gpu_scheduler.h>

struct dma_fence;
struct drm_device;
struct drm_file;
struct drm_gem_object;
struct edgenpu_device;
struct edgenpu_file_priv;
struct edgenpu_job_table;
struct edgenpu_mapping;
struct edgenpu_ring;
struct edgenpu_vm;
struct enpu_job_completion;

/**
 * struct edgenpu_job - one submitted command stream
 * @base: the scheduler's job
 * @ref: the submit ioctl's and the scheduler's references
 * @edev: the device
 * @ring: the hardware ring it runs on
 * @vm: address space it runs in (referenced)
 * @table: the submitter's status records (referenced)
 * @id: job id returned to userspace
 * @cmd: validated command stream, kernel-owned: a slab object mapped for
 *	the device's reads, or coherent DMA memory (edgenpu_job_copy_cmd())
 * @cmd_dma: its bus address
 * @cmd_size: its size in bytes
 * @cmd_slab: @cmd is a slab object, mapped at @cmd_dma
 * @bos: buffers of the job's list (referenced)
 * @bo_write: whether the job writes each of them
 * @bo_count: entries of @bos
 * @maps: mappings the stream uses (referenced, keeps their VAs alive)
 * @map_count: entries of @maps
 * @in_fences: fences of the job's in-syncs (referenced): if one of them
 *	signalled an error, the job is canceled instead of run
 * @in_fence_count: entries of @in_fences
 * @hw_fence: allocated at submit, initialised by run_job, signalled
 *	when the device ends the job
 * @hw_fence_init: @hw_fence was initialised (else it is only freed)
 * @hw_index: ring index of its descriptor (slot = index % ring size)
 * @node: in ring->inflight while on the hardware
 * @start_ns: when run_job handed it to the device
 * @resets: device resets it went through
 * @pm_ref: holds a runtime-PM reference
 * @ended: its status was recorded
 * @reserved: counted in @table's limits (edgenpu_job_table_reserve()),
 *	the device's and all devices' pinned memory (edgenpu_job_unpin_cmd())
 * @abort_status: set when the driver aborts the job on the device (its
 *	runtime limit, its file closing): the status it ends with then,
 *	instead of the device's ABORTED (under the ring's lock)
 */
struct edgenpu_job {
	struct drm_sched_job base;
	struct kref ref;
	struct edgenpu_device *edev;
	struct edgenpu_ring *ring;
	struct edgenpu_vm *vm;
	struct edgenpu_job_table *table;
	u64 id;
	void *cmd;
	dma_addr_t cmd_dma;
	u32 cmd_size;
	bool cmd_slab;
	struct drm_gem_object **bos;
	bool *bo_write;
	u32 bo_count;
	struct edgenpu_mapping **maps;
	u32 map_count;
	struct dma_fence **in_fences;
	u32 in_fence_count;
	struct dma_fence *hw_fence;
	bool hw_fence_init;
	u32 hw_index;
	struct list_head node;
	u64 start_ns;
	u32 resets;
	bool pm_ref;
	bool ended;
	bool reserved;
	u32 abort_status;
};

static inline struct edgenpu_job *to_edgenpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct edgenpu_job, base);
}

void edgenpu_job_put(struct edgenpu_job *job);

/* edgenpu_sched.c */
int edgenpu_sched_init(struct edgenpu_device *edev);
void edgenpu_sched_fini(struct edgenpu_device *edev);
void edgenpu_sched_stop(struct edgenpu_device *edev);
void edgenpu_sched_start(struct edgenpu_device *edev);
void edgenpu_rings_hw_init(struct edgenpu_device *edev);
void edgenpu_ring_hw_init(struct edgenpu_ring *ring);
void edgenpu_ring_complete(struct edgenpu_ring *ring);
void edgenpu_job_signal(struct edgenpu_job *job, u32 status,
			const struct enpu_job_completion *done);
u32 edgenpu_job_hw_seqno(struct edgenpu_job *job);
u32 edgenpu_hw_status(u32 hw);
void edgenpu_ring_emit(struct edgenpu_ring *ring, struct edgenpu_job *job);
int edgenpu_sched_file_init(struct edgenpu_file_priv *fpriv);
void edgenpu_sched_file_fini(struct edgenpu_file_priv *fpriv);

/* edgenpu_recovery.c */
void edgenpu_recovery_init(struct edgenpu_device *edev);
void edgenpu_recovery_fini(struct edgenpu_device *edev);
bool edgenpu_coredump_pending(struct edgenpu_device *edev);
enum drm_gpu_sched_stat edgenpu_recovery_timeout(struct edgenpu_job *job);
int edgenpu_reset(struct edgenpu_device *edev, struct edgenpu_job *guilty);
void edgenpu_rings_cancel(struct edgenpu_device *edev, u32 status);
int edgenpu_device_stop(struct edgenpu_device *edev);
void edgenpu_wedge(struct edgenpu_device *edev, const char *why);
int edgenpu_hard_reset_prepare(struct edgenpu_device *edev);
int edgenpu_hard_reset_done(struct edgenpu_device *edev);
void edgenpu_abort_vm_jobs(struct edgenpu_device *edev, struct edgenpu_vm *vm);
int edgenpu_sleep_drain(struct edgenpu_device *edev, unsigned int ms);
void edgenpu_sleep_resume(struct edgenpu_device *edev);
int edgenpu_ring_set_seqno(struct edgenpu_device *edev, unsigned int ring,
			   u64 seqno);

/* edgenpu_submit.c */
int edgenpu_ioctl_submit(struct drm_device *drm, void *data,
			 struct drm_file *file);

/* edgenpu_jobinfo.c */
struct edgenpu_job_table *edgenpu_job_table_create(void);
void edgenpu_job_table_get(struct edgenpu_job_table *t);
void edgenpu_job_table_put(struct edgenpu_job_table *t);
bool edgenpu_job_table_wait_idle(struct edgenpu_job_table *t, unsigned int ms);
/*
 * Command streams up to this size -- nearly every job's -- are copied into
 * a slab object and mapped for the device (but under a carve-out): coherent
 * memory is whole pages, allocated and zeroed on every submission's path.
 */
#define EDGENPU_CMD_SLAB_MAX	PAGE_SIZE

int edgenpu_job_copy_cmd(struct edgenpu_job *job, const void __user *src);
int edgenpu_job_table_reserve(struct edgenpu_job_table *t, u32 cmd_size,
			      u64 cmd_limit);
void edgenpu_job_table_unreserve(struct edgenpu_job_table *t, u32 cmd_size);
void edgenpu_job_unpin_cmd(struct edgenpu_job *job);
u64 edgenpu_job_table_add(struct edgenpu_job_table *t);
void edgenpu_job_table_usage(struct edgenpu_job_table *t, u64 *busy_ns, u64 *cycles,
			     u64 *ended);
void edgenpu_job_table_end(struct edgenpu_job_table *t, u64 id, u32 status,
			   const struct enpu_job_completion *done,
			   u64 duration_ns, u32 resets);
int edgenpu_ioctl_job_info(struct drm_device *drm, void *data,
			   struct drm_file *file);

#endif /* __EDGENPU_SCHED_H__ */
