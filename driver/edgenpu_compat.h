/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Differences between the kernels edgenpu builds against, in one place.
 */

#ifndef __EDGENPU_COMPAT_H__
#define __EDGENPU_COMPAT_H__

#include <linux/dma-fence.h>
#include <linux/version.h>

#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>

/*
 * The spinlock a fence was initialised with: 7.1 replaced dma_fence.lock
 * by a union of an external and an inline lock, read through
 * dma_fence_spinlock().
 */
static inline spinlock_t *edgenpu_dma_fence_lock(struct dma_fence *fence)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 0)
	return dma_fence_spinlock(fence);
#else
	return fence->lock;
#endif
}

/*
 * drm_sched_init() takes its parameters in a struct drm_sched_init_args
 * since 6.15. One run-queue per priority, the driver's submission
 * workqueue, the system workqueue for timeouts, no hang limit and no
 * shared score.
 */
static inline int
edgenpu_drm_sched_init(struct drm_gpu_scheduler *sched,
		       const struct drm_sched_backend_ops *ops,
		       struct workqueue_struct *submit_wq,
		       u32 credit_limit, long timeout, const char *name,
		       struct device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	const struct drm_sched_init_args args = {
		.ops = ops,
		.submit_wq = submit_wq,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = credit_limit,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#else
	return drm_sched_init(sched, ops, submit_wq, DRM_SCHED_PRIORITY_COUNT,
			      credit_limit, 0, timeout, NULL, NULL, name, dev);
#endif
}

/*
 * drm_sched_job_init() takes the submitting file's client id (for the
 * scheduler's trace events) since 6.15.
 */
static inline int
edgenpu_drm_sched_job_init(struct drm_sched_job *job,
			   struct drm_sched_entity *entity, u32 credits,
			   void *owner, struct drm_file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	return drm_sched_job_init(job, entity, credits, owner, file->client_id);
#else
	return drm_sched_job_init(job, entity, credits, owner);
#endif
}

/*
 * A timed-out job that is not (or no longer) hung must go back on the
 * scheduler's pending list, or it would never be freed: up to 6.16
 * drm_sched_job_timedout() took it off before calling us and left putting
 * it back to the driver (status DRM_GPU_SCHED_STAT_NOMINAL). 6.17 renamed
 * NOMINAL to DRM_GPU_SCHED_STAT_RESET and added DRM_GPU_SCHED_STAT_NO_HANG,
 * on which the scheduler puts the job back itself and runs its free-job
 * work.
 *
 * Before 6.17 a job that ended while it was off the list must not go back:
 * the free-job work its end queued has run already and found another job,
 * or none, at the head, so the job would stay there, ended, for good. The
 * timeout handler looks at the list's first job only, so every later
 * timeout would find that ended job and a hang behind it would never be
 * seen. Such a job is freed by the scheduler once this handler returns
 * (free_guilty, as drm_sched_stop() does for a guilty job that completed).
 * One that ends after it is back on the list queues the free-job work
 * again, which then finds it.
 */
static inline enum drm_gpu_sched_stat
edgenpu_sched_job_keep(struct drm_sched_job *job)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
	struct drm_gpu_scheduler *sched = job->sched;

	spin_lock(&sched->job_list_lock);
	if (dma_fence_is_signaled(&job->s_fence->finished))
		sched->free_guilty = true;
	else
		list_add(&job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
#endif
}

#endif /* __EDGENPU_COMPAT_H__ */
