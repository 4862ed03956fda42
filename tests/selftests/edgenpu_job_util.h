/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the edgenpu kselftests that run jobs: buffers, address-space
 * mappings, command streams, submission, syncobjs and job status.
 * Every helper returns 0 or -errno.
 */
#ifndef EDGENPU_JOB_UTIL_H
#define EDGENPU_JOB_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "edgenpu_util.h"
#include "edgenpu_isa.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"

static inline int enpu_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* A buffer created mapped: handle, NPU VA, CPU mapping. */
struct tbo {
	uint32_t handle;
	uint64_t va;
	uint64_t size;
	uint8_t *cpu;
};

static inline int tbo_create(int fd, uint64_t size, uint32_t flags, struct tbo *bo)
{
	struct drm_edgenpu_bo_create c = { .size = size, .flags = flags };
	struct drm_edgenpu_bo_info info = { 0 };
	void *p;
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c);
	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = c.size;
	info.handle = c.handle;
	ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &info);
	if (ret)
		return ret;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 info.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	bo->cpu = p;
	return 0;
}

static inline int tbo_map(int fd, struct tbo *bo)
{
	return tbo_create(fd, bo->size, DRM_EDGENPU_BO_CREATE_MAP, bo);
}

static inline int tbo_wait(int fd, uint32_t handle, int64_t timeout_ns)
{
	struct drm_edgenpu_bo_wait w = { .handle = handle, .timeout_ns = timeout_ns };

	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w);
}

static inline void tbo_close(int fd, struct tbo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->cpu)
		munmap(bo->cpu, bo->size);
	if (bo->handle)
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	memset(bo, 0, sizeof(*bo));
}

/* A command stream. */
struct tcs {
	uint32_t w[4096];
	uint32_t n;
};

static inline void tcs_cmd(struct tcs *s, uint32_t op, const void *cmd, size_t bytes)
{
	memcpy(&s->w[s->n], cmd, bytes);
	s->w[s->n] = ENPU_CMD_HDR(op, bytes / 4);
	s->n += bytes / 4;
}

static inline void tcs_end(struct tcs *s)
{
	s->w[s->n++] = ENPU_CMD_HDR(ENPU_OP_END, 1);
}

static inline void tcs_copy(struct tcs *s, uint32_t src, uint32_t dst, uint32_t n)
{
	struct enpu_cmd_dma_copy c = {
		.src = src, .dst = dst, .row_bytes = n, .rows = 1, .planes = 1,
	};

	tcs_cmd(s, ENPU_OP_DMA_COPY, &c, sizeof(c));
}

static inline void tcs_fill(struct tcs *s, uint32_t dst, uint8_t v, uint32_t n)
{
	struct enpu_cmd_dma_fill c = {
		.dst = dst, .value = v, .row_bytes = n, .rows = 1, .planes = 1,
	};

	tcs_cmd(s, ENPU_OP_DMA_FILL, &c, sizeof(c));
}

/* One job: stream, buffers, syncs. */
struct tjob {
	const struct tcs *cs;
	struct drm_edgenpu_bo_ref bos[16];
	uint32_t nbos;
	struct drm_edgenpu_sync in[8];
	uint32_t nin;
	uint32_t out_handle;
	uint64_t out_point;
	uint32_t priority;
	uint64_t id;
};

static inline void tjob_bo(struct tjob *j, uint32_t handle, int write)
{
	j->bos[j->nbos].handle = handle;
	j->bos[j->nbos].flags = write ? DRM_EDGENPU_BO_REF_WRITE : 0;
	j->nbos++;
}

static inline void tjob_fill(struct tjob *j, struct drm_edgenpu_job *u)
{
	memset(u, 0, sizeof(*u));
	u->cmd_ptr = (uintptr_t)j->cs->w;
	u->cmd_size = j->cs->n * 4;
	u->bo_ptr = (uintptr_t)j->bos;
	u->bo_count = j->nbos;
	u->priority = j->priority;
	u->in_syncs_ptr = (uintptr_t)j->in;
	u->in_sync_count = j->nin;
	if (j->out_handle) {
		u->flags = DRM_EDGENPU_JOB_OUT_SYNC;
		u->out_sync.handle = j->out_handle;
		u->out_sync.point = j->out_point;
	}
}

/* Submits @n jobs in one ioctl; their ids go back into @jobs. */
static inline int tsubmit(int fd, struct tjob *jobs, unsigned int n)
{
	struct drm_edgenpu_job u[64];
	struct drm_edgenpu_submit s = {
		.jobs_ptr = (uintptr_t)u, .job_count = n, .job_stride = sizeof(u[0]),
	};
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		tjob_fill(&jobs[i], &u[i]);
	ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
	for (i = 0; i < n; i++)
		jobs[i].id = u[i].job_id;
	return ret;
}

static inline int tjob_info(int fd, uint64_t id, struct drm_edgenpu_job_info *info)
{
	memset(info, 0, sizeof(*info));
	info->job_id = id;
	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_JOB_INFO, info);
}

/* Polls JOB_INFO until the job is no longer pending (or @ms pass). */
static inline int tjob_wait(int fd, uint64_t id, int ms, struct drm_edgenpu_job_info *info)
{
	int ret;

	for (;;) {
		ret = tjob_info(fd, id, info);
		if (ret || info->status != DRM_EDGENPU_JOB_PENDING)
			return ret;
		if (ms-- <= 0)
			return -ETIME;
		usleep(1000);
	}
}

static inline int tsyncobj_create(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return ret;
}

static inline int tsyncobj_wait(int fd, uint32_t handle, uint64_t point, int64_t timeout_ms)
{
	struct timespec ts;
	int64_t abs;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	abs = ts.tv_sec * 1000000000ll + ts.tv_nsec + timeout_ms * 1000000ll;
	if (point) {
		struct drm_syncobj_timeline_wait w = {
			.handles = (uintptr_t)&handle, .points = (uintptr_t)&point,
			.timeout_nsec = abs, .count_handles = 1,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
		};
		return enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
	} else {
		struct drm_syncobj_wait w = {
			.handles = (uintptr_t)&handle, .timeout_nsec = abs,
			.count_handles = 1,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
		};
		return enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	}
}

#endif /* EDGENPU_JOB_UTIL_H */
