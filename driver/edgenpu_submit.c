// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * DRM_IOCTL_EDGENPU_SUBMIT: copy each job's command stream into memory
 * userspace cannot reach, validate it with the contract's decoder against
 * the caller's mappings and buffer list, then queue every job. All or
 * nothing: everything that can fail -- the jobs armed, each one's
 * dependency on the previous one of the submission added -- happens
 * before the first job is pushed to the scheduler.
 */

#include <linux/capability.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-mapping.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_cmd.h"
#include "edgenpu_compat.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_sched.h"
#include "edgenpu_trace.h"
#include "edgenpu_vm.h"

/* The first released struct drm_edgenpu_job ends with job_id. */
#define EDGENPU_JOB_SIZE_V0	offsetofend(struct drm_edgenpu_job, job_id)

/* Per-job state of one submission, before the job is queued. */
struct edgenpu_submit_job {
	struct edgenpu_job *job;
	struct drm_edgenpu_job args;
	struct drm_syncobj *out_syncobj;
	struct dma_fence_chain *out_chain;
	bool sched_init;
};

/*
 * Takes a reference on @m for @job, once: @seq is the job's validation
 * serial (edgenpu_vm.validate_seq), and vm->lock is held throughout the
 * job's validation.
 */
static int edgenpu_add_map(struct edgenpu_job *job, struct edgenpu_mapping *m,
			   u32 *cap, u64 seq)
{
	if (m->job_seq == seq)
		return 0;
	if (job->map_count == *cap) {
		struct edgenpu_mapping **n;

		n = kvrealloc(job->maps, sizeof(*n) * *cap * 2, GFP_KERNEL_ACCOUNT);
		if (!n)
			return -ENOMEM;
		job->maps = n;
		*cap *= 2;
	}
	job->maps[job->map_count++] = edgenpu_mapping_get(m);
	m->job_seq = seq;
	return 0;
}

/*
 * Checks one memory region of a command: inside the SRAM window, or inside
 * a live mapping of one of the job's buffers, writable and listed for
 * writing where the command writes. vm->lock held.
 */
static int edgenpu_check_region(struct edgenpu_job *job,
				const struct enpu_region *r, u32 offset, u32 *cap,
				u64 seq)
{
	struct edgenpu_device *edev = job->edev;
	struct edgenpu_mapping *m;
	u32 i;

	switch (enpu_region_where(r, edev->sram_size)) {
	case ENPU_REGION_SRAM:
		return 0;
	case ENPU_REGION_BAD:
		drm_dbg(&edev->drm, "command at %u: SRAM range 0x%x+%llu beyond %u bytes\n",
			offset, r->va, r->size, edev->sram_size);
		return -EINVAL;
	}
	m = edgenpu_vm_lookup_locked(job->vm, r->va, r->size);
	if (!m) {
		drm_dbg(&edev->drm, "command at %u: 0x%x+%llu is not inside one mapping\n",
			offset, r->va, r->size);
		return -EINVAL;
	}
	for (i = 0; i < job->bo_count; i++)
		if (job->bos[i] == m->bo)
			break;
	if (i == job->bo_count) {
		drm_dbg(&edev->drm, "command at %u: buffer at 0x%llx not in the job's list\n",
			offset, m->node.start);
		return -EINVAL;
	}
	if (r->write && (!m->writable || !job->bo_write[i])) {
		drm_dbg(&edev->drm, "command at %u: writes read-only buffer at 0x%llx\n",
			offset, m->node.start);
		return -EINVAL;
	}
	return edgenpu_add_map(job, m, cap, seq);
}

/* Commands decoded between two chances to reschedule. */
#define EDGENPU_VALIDATE_BATCH	1024

/*
 * Decodes the whole stream; every command must be one the device has (its
 * CAPS, enpu_cmd_caps(): LUT needs ENPU_CAP_LUT, ELTWISE ENPU_CAP_ELTWISE, a
 * fused table ENPU_CAP_FUSED_LUT)
 * and every region must pass edgenpu_check_region(). Linear in the stream,
 * logarithmic in the address space's mappings.
 */
static int edgenpu_validate(struct edgenpu_job *job)
{
	const u32 *w = job->cmd;
	u32 nwords = job->cmd_size / 4, pos = 0, i, cap = 8, n = 0;
	struct enpu_cmd_info info;
	int err, ret = -EINVAL;
	u64 seq;

	job->maps = kvmalloc_array(cap, sizeof(*job->maps), GFP_KERNEL_ACCOUNT);
	if (!job->maps)
		return -ENOMEM;

	mutex_lock(&job->vm->lock);
	seq = ++job->vm->validate_seq;
	while (pos < nwords) {
		if (++n % EDGENPU_VALIDATE_BATCH == 0)
			cond_resched();
		err = enpu_cmd_decode(w + pos, nwords - pos, &info);
		if (err) {
			drm_dbg(&job->edev->drm, "command at %u: decode error %d\n",
				pos * 4, err);
			goto out;
		}
		if (info.opcode == ENPU_OP_END) {
			ret = 0;
			goto out;
		}
		if (enpu_cmd_caps(&info) & ~job->edev->hw_caps) {
			drm_dbg(&job->edev->drm,
				"command at %u: opcode 0x%x needs capabilities 0x%x the device lacks\n",
				pos * 4, info.opcode,
				enpu_cmd_caps(&info) & ~job->edev->hw_caps);
			goto out;
		}
		for (i = 0; i < info.num_regions; i++) {
			ret = edgenpu_check_region(job, &info.regions[i], pos * 4, &cap,
						   seq);
			if (ret)
				goto out;
		}
		ret = -EINVAL;
		pos += info.words;
	}
	drm_dbg(&job->edev->drm, "command stream has no END\n");
out:
	mutex_unlock(&job->vm->lock);
	return ret;
}

static int edgenpu_job_lookup_bos(struct edgenpu_job *job, struct drm_file *file,
				  const struct drm_edgenpu_job *args)
{
	struct drm_edgenpu_bo_ref __user *uref = u64_to_user_ptr(args->bo_ptr);
	struct drm_edgenpu_bo_ref ref;
	u32 i, j;

	job->bos = kvcalloc(args->bo_count, sizeof(*job->bos), GFP_KERNEL_ACCOUNT);
	job->bo_write = kvcalloc(args->bo_count, sizeof(*job->bo_write),
				 GFP_KERNEL_ACCOUNT);
	if (!job->bos || !job->bo_write)
		return -ENOMEM;
	for (i = 0; i < args->bo_count; i++) {
		if (copy_from_user(&ref, &uref[i], sizeof(ref)))
			return -EFAULT;
		if (ref.flags & ~DRM_EDGENPU_BO_REF_WRITE)
			return -EINVAL;
		job->bos[i] = drm_gem_object_lookup(file, ref.handle);
		if (!job->bos[i])
			return -ENOENT;
		job->bo_count = i + 1;
		job->bo_write[i] = ref.flags & DRM_EDGENPU_BO_REF_WRITE;
		for (j = 0; j < i; j++)
			if (job->bos[j] == job->bos[i])
				return -EINVAL;	/* listed twice */
	}
	return 0;
}

static int edgenpu_job_in_syncs(struct edgenpu_job *job, struct drm_file *file,
				const struct drm_edgenpu_job *args)
{
	struct drm_edgenpu_sync __user *usync = u64_to_user_ptr(args->in_syncs_ptr);
	struct drm_edgenpu_sync s;
	struct dma_fence *fence;
	u32 i;
	int ret;

	if (!args->in_sync_count)
		return 0;
	job->in_fences = kvcalloc(args->in_sync_count, sizeof(*job->in_fences),
				  GFP_KERNEL_ACCOUNT);
	if (!job->in_fences)
		return -ENOMEM;
	for (i = 0; i < args->in_sync_count; i++) {
		if (copy_from_user(&s, &usync[i], sizeof(s)))
			return -EFAULT;
		if (s.flags)
			return -EINVAL;
		ret = drm_syncobj_find_fence(file, s.handle, s.point, 0, &fence);
		if (ret)
			return ret;
		/* kept to cancel the job if it signals an error */
		job->in_fences[job->in_fence_count++] = dma_fence_get(fence);
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

static int edgenpu_check_job_args(struct drm_device *drm,
				  const struct drm_edgenpu_job *a)
{
	if (a->flags & ~DRM_EDGENPU_JOB_OUT_SYNC || a->pad || a->out_sync.flags)
		return -EINVAL;
	if (!(a->flags & DRM_EDGENPU_JOB_OUT_SYNC) &&
	    (a->out_sync.handle || a->out_sync.point))
		return -EINVAL;
	if (a->priority > DRM_EDGENPU_PRIORITY_HIGH)
		return -EINVAL;
	/*
	 * The device serves the high-priority ring first: only a process
	 * allowed to raise its own scheduling priority may use it, as for
	 * elevated priority in drm_sched-based drivers.
	 */
	if (a->priority == DRM_EDGENPU_PRIORITY_HIGH && !capable(CAP_SYS_NICE)) {
		drm_dbg(drm, "high priority needs CAP_SYS_NICE\n");
		return -EACCES;
	}
	if (!a->cmd_size || a->cmd_size > ENPU_MAX_CMD_SIZE || a->cmd_size & 3)
		return -EINVAL;
	if (a->bo_count > DRM_EDGENPU_MAX_BOS ||
	    a->in_sync_count > DRM_EDGENPU_MAX_IN_SYNCS)
		return -EINVAL;
	return 0;
}

/* Everything about one job that can fail, before any job is queued. */
static int edgenpu_prepare_job(struct drm_device *drm, struct drm_file *file,
			       struct edgenpu_submit_job *sj)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	const struct drm_edgenpu_job *a = &sj->args;
	struct edgenpu_device *edev = to_edgenpu(drm);
	struct edgenpu_job *job;
	bool pinned_ok;
	u32 ring;
	int ret;

	ret = edgenpu_check_job_args(drm, a);
	if (ret)
		return ret;
	ring = a->priority == DRM_EDGENPU_PRIORITY_HIGH ? ENPU_RING_HIGH :
							  ENPU_RING_NORMAL;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return -ENOMEM;
	atomic_inc(&edev->jobs_alive);
	kref_init(&job->ref);
	INIT_LIST_HEAD(&job->node);
	job->edev = edev;
	job->ring = &edev->ring[ring];
	job->vm = edgenpu_vm_get(fpriv->vm);
	edgenpu_job_table_get(fpriv->jobs);
	job->table = fpriv->jobs;
	sj->job = job;
	/* what it counts against the file, and frees, whatever fails next */
	job->cmd_size = a->cmd_size;
	ret = edgenpu_job_table_reserve(job->table, job->cmd_size,
					edgenpu_file_cmd_limit(edev));
	if (ret) {
		drm_dbg(drm, "submit: the file holds %u jobs or %llu KiB of command streams already\n",
			DRM_EDGENPU_MAX_PENDING_JOBS, edgenpu_file_cmd_limit(edev) >> 10);
		return ret;
	}
	/* under a carve-out all files together too, and all pinned memory */
	job->reserved = true;
	atomic64_add(job->cmd_size, &edev->cmd_pinned);
	pinned_ok = edgenpu_gem_pin_bytes(job->cmd_size);
	if (edev->cmd_budget && atomic64_read(&edev->cmd_pinned) > edev->cmd_budget) {
		drm_dbg(drm, "submit: %llu KiB of command streams pinned on the device already\n",
			edev->cmd_budget >> 10);
		return -EBUSY;
	}
	if (!pinned_ok) {
		drm_dbg(drm, "submit: the command stream would pass max_pinned_mb (%llu MiB)\n",
			edgenpu_gem_max_pinned() >> 20);
		return -ENOMEM;
	}

	job->hw_fence = kzalloc(sizeof(*job->hw_fence), GFP_KERNEL_ACCOUNT);
	if (!job->hw_fence)
		return -ENOMEM;
	ret = edgenpu_job_copy_cmd(job, u64_to_user_ptr(a->cmd_ptr));
	if (ret)
		return ret;

	ret = edgenpu_job_lookup_bos(job, file, a);
	if (ret)
		return ret;
	ret = edgenpu_validate(job);
	if (ret)
		return ret;

	ret = pm_runtime_resume_and_get(drm->dev);
	if (ret)
		return ret;
	job->pm_ref = true;
	/* the resume may have found a device that does not confirm its reset */
	if (READ_ONCE(edev->wedged))
		return -EIO;

	ret = edgenpu_drm_sched_job_init(&job->base, &fpriv->entity[ring], 1,
					 fpriv, file);
	if (ret)
		return ret;
	sj->sched_init = true;
	ret = edgenpu_job_in_syncs(job, file, a);
	if (ret)
		return ret;

	if (a->flags & DRM_EDGENPU_JOB_OUT_SYNC) {
		sj->out_syncobj = drm_syncobj_find(file, a->out_sync.handle);
		if (!sj->out_syncobj)
			return -ENOENT;
		if (a->out_sync.point) {
			sj->out_chain = dma_fence_chain_alloc();
			if (!sj->out_chain)
				return -ENOMEM;
		}
	}
	return 0;
}

static void edgenpu_unprepare_job(struct edgenpu_submit_job *sj)
{
	if (sj->out_chain)
		dma_fence_chain_free(sj->out_chain);
	if (sj->out_syncobj)
		drm_syncobj_put(sj->out_syncobj);
	if (!sj->job)
		return;
	/* (an armed job never pushed: its fences are dropped unsignalled) */
	if (sj->sched_init)
		drm_sched_job_cleanup(&sj->job->base);
	edgenpu_job_put(sj->job);
}

/* Locks every buffer of every job and adds the implicit dependencies. */
static int edgenpu_lock_and_sync(struct drm_exec *exec,
				 struct edgenpu_submit_job *sjs, u32 count)
{
	u32 i, b;
	int ret = 0;

	drm_exec_until_all_locked(exec) {
		for (i = 0; i < count; i++) {
			struct edgenpu_job *job = sjs[i].job;

			for (b = 0; b < job->bo_count; b++) {
				ret = drm_exec_prepare_obj(exec, job->bos[b], count);
				drm_exec_retry_on_contention(exec);
				if (ret)
					return ret;
			}
		}
	}
	for (i = 0; i < count; i++) {
		struct edgenpu_job *job = sjs[i].job;

		for (b = 0; b < job->bo_count; b++) {
			struct drm_gem_shmem_object *shmem =
				to_drm_gem_shmem_obj(job->bos[b]);

			ret = drm_sched_job_add_implicit_dependencies(&job->base,
								      job->bos[b],
								      job->bo_write[b]);
			if (ret)
				return ret;
			/* what the CPU wrote becomes visible to the NPU */
			if (shmem->sgt)
				dma_sync_sgtable_for_device(job->edev->drm.dev, shmem->sgt,
							    DMA_BIDIRECTIONAL);
		}
	}
	return 0;
}

/*
 * Arms one prepared job and makes it wait for the previous one of the
 * submission; the buffers are locked. Undone by edgenpu_unprepare_job()
 * until the job is pushed.
 */
static int edgenpu_arm_job(struct edgenpu_submit_job *sj,
			   struct edgenpu_submit_job *prev)
{
	struct edgenpu_job *job = sj->job;
	int ret;

	drm_sched_job_arm(&job->base);
	if (prev) {
		struct dma_fence *prev_done = &prev->job->base.s_fence->finished;

		ret = drm_sched_job_add_dependency(&job->base,
						   dma_fence_get(prev_done));
		if (ret)
			return ret;
	}
	return 0;
}

/* Queues one armed job: nothing here can fail. */
static void edgenpu_push_job(struct edgenpu_submit_job *sj)
{
	struct edgenpu_job *job = sj->job;
	struct dma_fence *done;
	u32 b;

	/* only jobs that are queued get an id (and a status record) */
	job->id = edgenpu_job_table_add(job->table);
	trace_edgenpu_job_submit(job);
	done = dma_fence_get(&job->base.s_fence->finished);
	kref_get(&job->ref);	/* put by free_job */
	drm_sched_entity_push_job(&job->base);
	sj->sched_init = false;	/* the scheduler owns it now */

	for (b = 0; b < job->bo_count; b++)
		dma_resv_add_fence(job->bos[b]->resv, done,
				   job->bo_write[b] ? DMA_RESV_USAGE_WRITE :
						      DMA_RESV_USAGE_READ);
	if (sj->out_chain) {
		drm_syncobj_add_point(sj->out_syncobj, sj->out_chain, done,
				      sj->args.out_sync.point);
		sj->out_chain = NULL;
	} else if (sj->out_syncobj) {
		drm_syncobj_replace_fence(sj->out_syncobj, done);
	}
	dma_fence_put(done);
}

/* Where job @i of the submission gets its id. */
static u64 __user *edgenpu_job_id_ptr(const struct drm_edgenpu_submit *args,
				      u32 i)
{
	u8 __user *ujobs = u64_to_user_ptr(args->jobs_ptr);

	return (u64 __user *)(ujobs + (size_t)i * args->job_stride +
			      offsetof(struct drm_edgenpu_job, job_id));
}

int edgenpu_ioctl_submit(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_edgenpu_submit *args = data;
	struct edgenpu_submit_job *sjs;
	u8 __user *ujobs = u64_to_user_ptr(args->jobs_ptr);
	struct drm_exec exec;
	u32 i, queued = 0;
	int ret, idx;

	if (args->flags || args->pad)
		return -EINVAL;
	if (!args->job_count || args->job_count > DRM_EDGENPU_MAX_JOBS)
		return -EINVAL;
	if (args->job_stride < EDGENPU_JOB_SIZE_V0 || args->job_stride > SZ_4K)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	if (READ_ONCE(to_edgenpu(drm)->wedged)) {
		drm_err_ratelimited(drm, "submission refused: the device is wedged (%s); a hard reset recovers it\n",
				    to_edgenpu(drm)->wedge_reason ?: "reset not confirmed");
		ret = -EIO;
		goto out_exit;
	}

	sjs = kvcalloc(args->job_count, sizeof(*sjs), GFP_KERNEL_ACCOUNT);
	if (!sjs) {
		ret = -ENOMEM;
		goto out_exit;
	}
	for (i = 0; i < args->job_count; i++) {
		ret = copy_struct_from_user(&sjs[i].args, sizeof(sjs[i].args),
					    ujobs + (size_t)i * args->job_stride,
					    args->job_stride);
		if (ret)
			goto out_free;
		ret = edgenpu_prepare_job(drm, file, &sjs[i]);
		if (ret)
			goto out_free;
		/* the id is written once the job is queued: check we can */
		if (put_user(0ull, edgenpu_job_id_ptr(args, i))) {
			ret = -EFAULT;
			goto out_free;
		}
	}

	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT | DRM_EXEC_IGNORE_DUPLICATES,
		      0);
	ret = edgenpu_lock_and_sync(&exec, sjs, args->job_count);
	for (i = 0; !ret && i < args->job_count; i++)
		ret = edgenpu_arm_job(&sjs[i], i ? &sjs[i - 1] : NULL);
	if (!ret) {
		for (i = 0; i < args->job_count; i++)
			edgenpu_push_job(&sjs[i]);
		queued = args->job_count;
	}
	drm_exec_fini(&exec);
	for (i = 0; i < queued; i++)
		if (put_user(sjs[i].job->id, edgenpu_job_id_ptr(args, i)) && !ret)
			ret = -EFAULT;

out_free:
	for (i = 0; i < args->job_count; i++)
		edgenpu_unprepare_job(&sjs[i]);
	kvfree(sjs);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
