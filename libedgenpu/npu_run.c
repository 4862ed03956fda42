// SPDX-License-Identifier: MIT
/*
 * Running compiled models on the NPU. Each inference in flight owns a
 * slot: a DRAM arena for its activations, command streams built for that
 * arena, and a syncobj. A pipelined model's steps run on several devices
 * (each step on its lane's), over one arena they share. An NPU-only model costs three ioctls per
 * inference: SUBMIT, BO_WAIT (waits and makes the outputs visible to the
 * CPU) and JOB_INFO (status and counters). CPU layers between device jobs
 * run when the run is waited for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "clock.h"
#include "cpu.h"
#include "drm/edgenpu_accel.h"
#include "internal.h"
#include "npu.h"

static struct enpu_device *lane_dev(const struct enpu_model *m, unsigned int lane)
{
	return m->npu->nlanes ? m->npu->lanes[lane].dev : m->dev;
}

static struct enpu_buffer *lane_weights(const struct enpu_model *m, unsigned int lane)
{
	return lane ? m->npu->lanes[lane].weights : m->npu->weights;
}

static unsigned int num_lanes(const struct enpu_model *m)
{
	return m->npu->nlanes ? m->npu->nlanes : 1;
}

static void slot_fini(struct enpu_model *m, struct enpu_slot *sl)
{
	unsigned int lane;
	size_t st;

	for (lane = 0; lane < num_lanes(m); lane++) {
		if (sl->syncobj[lane])
			drmSyncobjDestroy(lane_dev(m, lane)->fd, sl->syncobj[lane]);
		enpu_buffer_free(sl->arena[lane]);
	}
	for (st = 0; sl->streams && st < m->num_steps; st++)
		free(sl->streams[st].w);
	free(sl->streams);
	free(sl->buf);
	memset(sl, 0, sizeof(*sl));
}

void enpu_npu_free_slots(struct enpu_model *m)
{
	unsigned int i;

	for (i = 0; m->npu->slots && i < m->npu->nslots; i++)
		slot_fini(m, &m->npu->slots[i]);
}

/* Lane @lane's handle of the slot's arena: the dma-buf of lane 0's. */
static int share_arena(struct enpu_model *m, struct enpu_slot *sl, unsigned int lane)
{
	int fd, ret;

	ret = enpu_buffer_export(sl->arena[0], &fd);
	if (ret)
		return ret;
	ret = enpu_buffer_import(lane_dev(m, lane), fd, 0, &sl->arena[lane]);
	close(fd);
	if (ret) {
		char why[512];

		snprintf(why, sizeof(why), "%s", enpu_last_error());
		return enpu_fail(ret, "device %u of the pipeline cannot share the activations "
				 "buffer of device 0: %s", lane, why);
	}
	return 0;
}

static int slot_setup(struct enpu_model *m, struct enpu_slot *sl)
{
	struct enpu_npu *npu = m->npu;
	struct enpu_graph *g = m->g;
	unsigned int lane;
	uint64_t off;
	size_t st, t;
	int ret;

	ret = enpu_buffer_alloc(m->dev, npu->arena_bytes ? npu->arena_bytes : 64, 0,
				&sl->arena[0]);
	if (ret)
		return ret;
	ret = enpu_buffer_map(sl->arena[0], (void **)&sl->cpu);
	if (ret)
		return ret;
	/* its pages faulted in now, not by the first inference's inputs */
	for (off = 0; off < npu->arena_bytes; off += 4096)
		((volatile uint8_t *)sl->cpu)[off] = 0;
	for (lane = 1; lane < num_lanes(m); lane++) {
		ret = share_arena(m, sl, lane);
		if (ret)
			return ret;
	}
	sl->streams = calloc(m->num_steps, sizeof(*sl->streams));
	sl->buf = calloc(g->num_tensors + 1, sizeof(*sl->buf));
	if (!sl->streams || !sl->buf)
		return enpu_fail(-ENOMEM, "out of memory");
	for (st = 0; st < m->num_steps; st++) {
		lane = m->steps[st].lane;
		if (!m->steps[st].on_npu)
			continue;
		ret = enpu_npu_relocate(m, st, (uint32_t)lane_weights(m, lane)->va,
					(uint32_t)sl->arena[lane]->va, &sl->streams[st]);
		if (ret)
			return ret;
	}
	for (t = 0; t < g->num_tensors; t++)
		sl->buf[t] = enpu_npu_host_ptr(m, t, sl->cpu);
	for (lane = 0; lane < num_lanes(m); lane++)
		if (drmSyncobjCreate(lane_dev(m, lane)->fd, 0, &sl->syncobj[lane]))
			return enpu_fail(-errno, "cannot create a syncobj: %s",
					 enpu_strerror(-errno));
	return 0;
}

void *enpu_npu_host_ptr(const struct enpu_model *m, size_t t, uint8_t *arena)
{
	const struct enpu_gtensor *gt = &m->g->tensors[t];

	if (gt->data)
		return gt->data;
	if (gt->variable)
		return m->var[t];
	return m->npu->place[t].loc == ENPU_LOC_ARENA ? arena + m->npu->place[t].off : NULL;
}

/* Sets slot @sl up; on failure it is left empty, to be tried again. */
static int slot_init(struct enpu_model *m, struct enpu_slot *sl)
{
	int ret = slot_setup(m, sl);

	if (ret)
		slot_fini(m, sl);
	else
		sl->ready = 1;
	return ret;
}

unsigned int enpu_npu_inflight(const struct enpu_model *m)
{
	unsigned int i, n = 0;

	for (i = 0; m->npu && i < m->npu->nslots; i++)
		n += !!m->npu->slots[i].busy;
	return n;
}

int enpu_npu_ready(struct enpu_model *m)
{
	struct enpu_slot *sl = &m->npu->slots[0];

	return sl->ready ? 0 : slot_init(m, sl);
}

static int submit_step(struct enpu_run *run, size_t st)
{
	struct enpu_model *m = run->m;
	struct enpu_slot *sl = &m->npu->slots[run->slot];
	unsigned int lane = m->steps[st].lane;
	struct drm_edgenpu_bo_ref bos[2] = {
		{ .handle = lane_weights(m, lane)->handle },
		{ .handle = sl->arena[lane]->handle, .flags = DRM_EDGENPU_BO_REF_WRITE },
	};
	struct drm_edgenpu_job job = {
		.cmd_ptr = (uintptr_t)sl->streams[st].w,
		.cmd_size = (uint32_t)(sl->streams[st].n * 4),
		.flags = DRM_EDGENPU_JOB_OUT_SYNC,
		.bo_ptr = (uintptr_t)bos, .bo_count = 2,
		.out_sync = { .handle = sl->syncobj[lane] },
	};
	struct drm_edgenpu_submit s = {
		.jobs_ptr = (uintptr_t)&job, .job_count = 1, .job_stride = sizeof(job),
	};
	int ret;

	run->prof.ioctls++;
	run->prof.submits++;
	ret = enpu_ioctl(lane_dev(m, lane)->fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
	if (ret)
		return enpu_fail(ret, "submitting job %zu of the model%s failed: %s%s", st,
				 m->npu->nlanes ? " to its device" : "", enpu_strerror(ret),
				 ret == -EINVAL ? " (the kernel refused the command stream)" : "");
	run->job_ids[st] = job.job_id;
	return 0;
}

/* Submits the NPU steps from run->next_step up to the next CPU step. */
static int advance(struct enpu_run *run)
{
	struct enpu_model *m = run->m;
	int ret;

	while (run->next_step < m->num_steps && m->steps[run->next_step].on_npu) {
		ret = submit_step(run, run->next_step);
		if (ret)
			return ret;
		run->next_step++;
	}
	return 0;
}

int enpu_npu_submit(struct enpu_model *m, const void *const *inputs,
		    struct enpu_run **runp)
{
	struct enpu_npu *npu = m->npu;
	struct enpu_slot *sl = NULL;
	struct enpu_run *run;
	unsigned int i;
	int ret;

	for (i = 0; i < npu->nslots; i++) {
		if (!npu->slots[i].busy) {
			sl = &npu->slots[i];
			break;
		}
	}
	if (!sl)
		return enpu_fail(-EBUSY, "%u inferences already in flight (max_inflight)",
				 npu->nslots);
	if (!sl->ready) {
		ret = slot_init(m, sl);
		if (ret)
			return ret;
	}
	run = calloc(1, sizeof(*run));
	if (run)
		run->job_ids = calloc(m->num_steps + 1, sizeof(*run->job_ids));
	if (!run || !run->job_ids) {
		free(run);
		return enpu_fail(-ENOMEM, "out of memory");
	}
	run->m = m;
	run->slot = i;
	run->prof.size = sizeof(run->prof);
	run->t0 = enpu_now_ns();
	for (i = 0; i < m->g->num_inputs; i++)
		memcpy(sl->buf[m->g->inputs[i]], inputs[i],
		       m->g->tensors[m->g->inputs[i]].bytes);
	sl->busy = 1;
	ret = advance(run);
	if (ret) {
		run->error = ret;
		enpu_npu_release(run);
		return ret;
	}
	*runp = run;
	return 0;
}

static const char *status_text(uint32_t s)
{
	switch (s) {
	case DRM_EDGENPU_JOB_MMU_FAULT: return "an MMU fault";
	case DRM_EDGENPU_JOB_INVALID: return "an invalid command";
	case DRM_EDGENPU_JOB_DMA_ERROR: return "a DMA error";
	case DRM_EDGENPU_JOB_TIMEOUT: return "a hang (the device was reset)";
	case DRM_EDGENPU_JOB_CANCELED: return "cancellation";
	default: return "an unknown status";
	}
}

/* Checks the jobs submitted since the last check and adds their counters. */
static int check_jobs(struct enpu_run *run)
{
	struct enpu_model *m = run->m;
	struct drm_edgenpu_job_info info;
	size_t st;
	int ret;

	for (st = run->pending_from; st < run->next_step; st++) {
		if (!run->job_ids[st])
			continue;
		memset(&info, 0, sizeof(info));
		info.job_id = run->job_ids[st];
		run->prof.ioctls++;
		ret = enpu_ioctl(lane_dev(m, m->steps[st].lane)->fd,
				 DRM_IOCTL_EDGENPU_JOB_INFO, &info);
		if (ret)
			return enpu_fail(ret, "JOB_INFO for job %llu failed: %s",
					 (unsigned long long)info.job_id, enpu_strerror(ret));
		if (info.status != DRM_EDGENPU_JOB_OK)
			return enpu_fail(-EIO, "NPU job %zu of the model ended with %s (status %u, command at byte %u, fault address 0x%x)",
					 st, status_text(info.status), info.status,
					 info.error_offset, info.fault_addr);
		run->prof.device_ns += info.duration_ns;
		run->prof.device_cycles += info.cycles;
		run->prof.macs += info.macs;
		run->prof.dram_read += info.dram_read;
		run->prof.dram_write += info.dram_write;
		run->prof.sram_read += info.sram_read;
		run->prof.sram_write += info.sram_write;
		run->prof.stall_cycles += info.stall_cycles;
	}
	run->pending_from = run->next_step;
	return 0;
}

int enpu_npu_wait(struct enpu_run *run, int64_t timeout_ns, void *const *outputs,
		  struct enpu_profile *prof)
{
	struct enpu_model *m = run->m;
	struct enpu_slot *sl = &m->npu->slots[run->slot];
	size_t i;
	int ret;

	if (run->error)
		return enpu_fail(run->error, "this run already failed");
	for (;;) {
		if (run->pending_from < run->next_step) {
			run->prof.ioctls++;
			ret = enpu_buffer_wait(sl->arena[0], timeout_ns);
			if (ret)
				return ret;	/* -ETIME: the run goes on */
			ret = check_jobs(run);
			if (ret) {
				run->error = ret;
				return ret;
			}
		}
		if (run->next_step >= m->num_steps)
			break;
		/* a CPU step, then the device steps after it */
		{
			const struct enpu_step *step = &m->steps[run->next_step];
			uint64_t t0 = enpu_now_ns();

			ret = enpu_cpu_run_layers(m, sl->buf, step->first, step->count);
			run->prof.cpu_ns += enpu_now_ns() - t0;
			run->next_step++;
			run->pending_from = run->next_step;
			if (!ret)
				ret = advance(run);
			if (ret) {
				run->error = ret;
				return ret;
			}
		}
	}
	if (outputs)
		for (i = 0; i < m->g->num_outputs; i++)
			memcpy(outputs[i], sl->buf[m->g->outputs[i]],
			       m->g->tensors[m->g->outputs[i]].bytes);
	run->prof.wall_ns = enpu_now_ns() - run->t0;
	if (prof && prof->size >= sizeof(size_t)) {
		size_t keep = prof->size;

		memcpy(prof, &run->prof, keep < sizeof(*prof) ? keep : sizeof(*prof));
		prof->size = keep;
	}
	return 0;
}

int enpu_npu_sync_file(struct enpu_run *run, int *fd)
{
	struct enpu_model *m = run->m;
	struct enpu_slot *sl = &m->npu->slots[run->slot];
	unsigned int lane = 0;
	size_t st;

	/* the last job submitted: it runs after every earlier one */
	for (st = 0; st < run->next_step; st++)
		if (run->job_ids[st])
			lane = m->steps[st].lane;
	if (drmSyncobjExportSyncFile(lane_dev(m, lane)->fd, sl->syncobj[lane], fd))
		return enpu_fail(-errno, "cannot export a sync_file: %s",
				 enpu_strerror(-errno));
	return 0;
}

void enpu_npu_release(struct enpu_run *run)
{
	struct enpu_slot *sl = &run->m->npu->slots[run->slot];

	/* the slot's arena may only be reused once the device is done with it */
	if (run->pending_from < run->next_step)
		enpu_buffer_wait(sl->arena[0], -1);
	sl->busy = 0;
	free(run->job_ids);
	free(run);
}
