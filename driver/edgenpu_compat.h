/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Differences between the kernels edgenpu builds against, in one place.
 */

#ifndef __EDGENPU_COMPAT_H__
#define __EDGENPU_COMPAT_H__

#include <drm/gpu_scheduler.h>

/*
 * A timed-out job that is not (or no longer) hung must go back on the
 * scheduler's pending list: up to 6.16 drm_sched_job_timedout() took it
 * off before calling us, and only DRM_GPU_SCHED_STAT_NO_HANG (6.17) puts
 * it back by itself. Without this the job would never be freed.
 */
static inline enum drm_gpu_sched_stat
edgenpu_sched_job_keep(struct drm_sched_job *job)
{
	struct drm_gpu_scheduler *sched = job->sched;

	spin_lock(&sched->job_list_lock);
	list_add(&job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

#endif /* __EDGENPU_COMPAT_H__ */
