// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Job execution: one drm_sched scheduler per hardware ring, one entity
 * per file and ring. run_job writes a descriptor and rings the doorbell;
 * the interrupt handler ends jobs from their completion records; the
 * timeout handler hands over to edgenpu_recovery.c (hangs, runtime
 * limits, resets, a device that does not confirm a reset).
 *
 * Fence rules: a job's hardware fence is allocated at submit and only
 * initialised in run_job; nothing here allocates with GFP_KERNEL or
 * resumes the device in the signalling path.
 */

#include <linux/dma-fence-chain.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_compat.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_gem.h"
#include "edgenpu_sched.h"
#include "edgenpu_trace.h"
#include "edgenpu_vm.h"

/* ---- hardware fences ----------------------------------------------------- */

static const char *edgenpu_fence_driver_name(struct dma_fence *fence)
{
	return "edgenpu";
}

static const char *edgenpu_fence_timeline_name(struct dma_fence *fence)
{
	struct edgenpu_ring *ring = container_of(edgenpu_dma_fence_lock(fence),
						 struct edgenpu_ring, lock);

	return ring->name;
}

static const struct dma_fence_ops edgenpu_fence_ops = {
	.get_driver_name = edgenpu_fence_driver_name,
	.get_timeline_name = edgenpu_fence_timeline_name,
};

/* ---- jobs ------------------------------------------------------------------ */

/*
 * The job's own copy of its command stream, @job->cmd_size bytes from
 * @src, at an address the device reads (@job->cmd_dma): up to
 * EDGENPU_CMD_SLAB_MAX bytes a slab object mapped for the device, else --
 * or under a carve-out, which the device's DMA may be limited to --
 * coherent memory, contiguous as the device reads it. Charged to the
 * submitter's memory cgroup either way; the job's release frees it,
 * whatever failed (a slab copy that failed is freed here).
 */
int edgenpu_job_copy_cmd(struct edgenpu_job *job, const void __user *src)
{
	struct device *dev = job->edev->drm.dev;
	int ret = 0;

	if (job->cmd_size > EDGENPU_CMD_SLAB_MAX || job->edev->carveout) {
		job->cmd = dma_alloc_coherent(dev, job->cmd_size, &job->cmd_dma,
					      GFP_KERNEL_ACCOUNT);
		if (!job->cmd)
			return -ENOMEM;
		return copy_from_user(job->cmd, src, job->cmd_size) ? -EFAULT : 0;
	}
	job->cmd = kmalloc(job->cmd_size, GFP_KERNEL_ACCOUNT);
	if (!job->cmd)
		return -ENOMEM;
	if (copy_from_user(job->cmd, src, job->cmd_size)) {
		ret = -EFAULT;
	} else {
		/* from here the CPU only reads it (validation, a hang's coredump) */
		job->cmd_dma = dma_map_single(dev, job->cmd, job->cmd_size, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, job->cmd_dma))
			ret = -ENOMEM;
	}
	if (ret) {
		kfree(job->cmd);
		job->cmd = NULL;
		return ret;
	}
	job->cmd_slab = true;
	return 0;
}

static void edgenpu_job_free_cmd(struct edgenpu_job *job)
{
	struct device *dev = job->edev->drm.dev;

	if (!job->cmd)
		return;
	if (job->cmd_slab) {
		dma_unmap_single(dev, job->cmd_dma, job->cmd_size, DMA_TO_DEVICE);
		kfree(job->cmd);
	} else {
		dma_free_coherent(dev, job->cmd_size, job->cmd, job->cmd_dma);
	}
}

static void edgenpu_job_release(struct kref *ref)
{
	struct edgenpu_job *job = container_of(ref, struct edgenpu_job, ref);
	struct edgenpu_device *edev = job->edev;
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
	for (i = 0; i < job->map_count; i++)
		edgenpu_mapping_put(job->maps[i]);
	for (i = 0; i < job->in_fence_count; i++)
		dma_fence_put(job->in_fences[i]);
	kvfree(job->in_fences);
	kvfree(job->bos);
	kvfree(job->bo_write);
	kvfree(job->maps);
	edgenpu_job_free_cmd(job);
	if (job->hw_fence_init)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	edgenpu_vm_put(job->vm);
	if (job->pm_ref) {
		pm_runtime_mark_last_busy(edev->drm.dev);
		pm_runtime_put_autosuspend(edev->drm.dev);
	}
	if (job->reserved)
		edgenpu_job_unpin_cmd(job);
	/* an unbind may be waiting for the last one */
	if (atomic_dec_and_test(&edev->jobs_alive))
		wake_up_var(&edev->jobs_alive);
	/* last: the file's close may be waiting for it, then free the device */
	if (job->reserved)
		edgenpu_job_table_unreserve(job->table, job->cmd_size);
	edgenpu_job_table_put(job->table);
	kfree(job);
}

/* What the job's command stream counts against the device and the machine. */
void edgenpu_job_unpin_cmd(struct edgenpu_job *job)
{
	atomic64_sub(job->cmd_size, &job->edev->cmd_pinned);
	edgenpu_gem_unpin_bytes(job->cmd_size);
}

void edgenpu_job_put(struct edgenpu_job *job)
{
	kref_put(&job->ref, edgenpu_job_release);
}

/*
 * Counts a job that ends now in the device's totals; returns its time on
 * the device. The device says when it started and ended the job (its
 * completion record, contract 0.3.1); the time it waited behind other
 * jobs is not its own. A device that does not say, or a job that ends
 * without a record (reset, canceled), is timed by the driver: from when
 * run_job handed it over, or the previous job ended if later. A job never
 * handed to the device took none.
 */
static u64 edgenpu_job_busy_ns(struct edgenpu_job *job,
			       const struct enpu_job_completion *done)
{
	struct edgenpu_device *edev = job->edev;
	unsigned long flags;
	u64 now, begin, busy = 0;

	spin_lock_irqsave(&edev->busy_lock, flags);
	edev->jobs_ended++;
	now = ktime_get_ns();
	if (done && done->end_time > done->start_time && done->start_time) {
		busy = done->end_time - done->start_time;
	} else if (job->start_ns) {
		begin = max(job->start_ns, edev->busy_last_end);
		busy = now > begin ? now - begin : 0;
	}
	if (job->start_ns)
		edev->busy_last_end = max(now, edev->busy_last_end);
	edev->busy_ns += busy;
	spin_unlock_irqrestore(&edev->busy_lock, flags);
	return busy;
}

/* Records how a job ended, once. */
static void edgenpu_job_end(struct edgenpu_job *job, u32 status,
			    const struct enpu_job_completion *done)
{
	u64 busy;

	if (job->ended)
		return;
	job->ended = true;
	busy = edgenpu_job_busy_ns(job, done);
	/* traced before JOB_INFO can show it ended: a reader then finds the event */
	trace_edgenpu_job_done(job, status, done ? done->cycles : 0, busy);
	edgenpu_job_table_end(job->table, job->id, status, done, busy, job->resets);
}

u32 edgenpu_job_hw_seqno(struct edgenpu_job *job)
{
	return lower_32_bits(job->hw_fence->seqno);
}

/* Writes @job's descriptor at the ring's tail; ring->lock held. */
void edgenpu_ring_emit(struct edgenpu_ring *ring, struct edgenpu_job *job)
{
	u32 slot = ring->tail % EDGENPU_RING_SIZE;
	struct enpu_job_desc *d = &ring->desc[slot];

	memset(d, 0, sizeof(*d));
	d->seqno = edgenpu_job_hw_seqno(job);
	/* a record the device has not written never names the job: not 0 */
	memset(&ring->done[slot], 0, sizeof(ring->done[slot]));
	ring->done[slot].seqno = ~d->seqno;
	d->asid = job->vm->asid;
	d->cmd_size = job->cmd_size;
	d->pt_base = job->vm->l1_dma;
	d->cmd_addr = job->cmd_dma;
	d->completion_addr = ring->done_dma + slot * sizeof(ring->done[0]);
	job->hw_index = ring->tail++;
	/* descriptor and completion slot visible before the doorbell */
	dma_wmb();
	edgenpu_ring_write(ring, ENPU_RING_TAIL, ring->tail);
}

/*
 * The error one of the job's in-syncs signalled, or 0. The scheduler only
 * waits for them; it does not pass their errors on.
 */
static int edgenpu_job_in_error(struct edgenpu_job *job)
{
	u32 i;

	for (i = 0; i < job->in_fence_count; i++) {
		struct dma_fence *f = dma_fence_chain_contained(job->in_fences[i]);

		if (f->error)
			return -ECANCELED;
	}
	return 0;
}

static struct dma_fence *edgenpu_run_job(struct drm_sched_job *sched_job)
{
	struct edgenpu_job *job = to_edgenpu_job(sched_job);
	struct edgenpu_ring *ring = job->ring;
	struct edgenpu_device *edev = job->edev;
	struct dma_fence *finished = &sched_job->s_fence->finished;
	struct dma_fence *fence = job->hw_fence;
	unsigned long flags;
	int idx, err;
	bool cookie;

	/* a dependency failed or the job was killed: do not run it */
	err = finished->error ?: edgenpu_job_in_error(job);
	if (unlikely(err)) {
		edgenpu_job_end(job, DRM_EDGENPU_JOB_CANCELED, NULL);
		return ERR_PTR(err);
	}
	/* set with the schedulers stopped: no run_job meanwhile */
	if (unlikely(edev->wedged)) {
		edgenpu_job_end(job, DRM_EDGENPU_JOB_CANCELED, NULL);
		return ERR_PTR(-EIO);
	}
	if (!drm_dev_enter(&edev->drm, &idx)) {
		edgenpu_job_end(job, DRM_EDGENPU_JOB_CANCELED, NULL);
		return ERR_PTR(-ENODEV);
	}

	/* no allocation or sleeping from here: the fence is already there */
	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&ring->lock, flags);
	dma_fence_init(fence, &edgenpu_fence_ops, &ring->lock,
		       ring->fence_context, ++ring->emit_seqno);
	job->hw_fence_init = true;
	job->start_ns = ktime_get_ns();
	/*
	 * The job holds the initial fence reference, the inflight list one
	 * and the scheduler one, both taken before the device can end it.
	 */
	dma_fence_get(fence);
	dma_fence_get(fence);
	list_add_tail(&job->node, &ring->inflight);
	/* before the doorbell: the job may end on another CPU right after */
	trace_edgenpu_job_run(job);
	edgenpu_ring_emit(ring, job);
	spin_unlock_irqrestore(&ring->lock, flags);
	dma_fence_end_signalling(cookie);

	drm_dev_exit(idx);
	return fence;
}

static int edgenpu_status_errno(u32 status)
{
	switch (status) {
	case DRM_EDGENPU_JOB_OK:
		return 0;
	case DRM_EDGENPU_JOB_MMU_FAULT:
		return -EFAULT;
	case DRM_EDGENPU_JOB_INVALID:
		return -EINVAL;
	case DRM_EDGENPU_JOB_DMA_ERROR:
		return -EIO;
	case DRM_EDGENPU_JOB_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -ECANCELED;
	}
}

u32 edgenpu_hw_status(u32 hw)
{
	switch (hw) {
	case ENPU_JOB_OK:
		return DRM_EDGENPU_JOB_OK;
	case ENPU_JOB_MMU_FAULT:
		return DRM_EDGENPU_JOB_MMU_FAULT;
	case ENPU_JOB_INVALID_COMMAND:
	case ENPU_JOB_INVALID_DESC:
		return DRM_EDGENPU_JOB_INVALID;
	case ENPU_JOB_DMA_ERROR:
		return DRM_EDGENPU_JOB_DMA_ERROR;
	default:
		return DRM_EDGENPU_JOB_CANCELED;
	}
}

/*
 * Ends @job with @status; ring->lock held, @job taken off the inflight
 * list. Once its fence signals, the scheduler may free the job on another
 * CPU at any moment: @job is not touched after that, unless the caller
 * holds a reference.
 */
void edgenpu_job_signal(struct edgenpu_job *job, u32 status,
			const struct enpu_job_completion *done)
{
	struct dma_fence *fence = job->hw_fence;
	int err = edgenpu_status_errno(status);

	edgenpu_job_end(job, status, done);
	if (err)
		dma_fence_set_error(fence, err);
	dma_fence_signal_locked(fence);
	dma_fence_put(fence);	/* the inflight list's reference */
}

/*
 * Ends every job the ring reports done (DONE_SEQNO), in order, from their
 * completion records. Called from the interrupt handler and, for missed
 * interrupts, from the timeout handler.
 */
void edgenpu_ring_complete(struct edgenpu_ring *ring)
{
	struct edgenpu_job *job, *next;
	unsigned long flags;
	u32 done_seqno;
	bool cookie;

	done_seqno = edgenpu_ring_read(ring, ENPU_RING_DONE_SEQNO);
	/* the records are read after the register that says they are there */
	dma_rmb();
	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&ring->lock, flags);
	list_for_each_entry_safe(job, next, &ring->inflight, node) {
		struct enpu_job_completion *rec =
			&ring->done[job->hw_index % EDGENPU_RING_SIZE];
		struct enpu_job_completion done;
		u32 status;

		/*
		 * DONE_SEQNO stays within the window of the jobs in flight,
		 * resets and resumes included (edgenpu_ring_hw_init()): the
		 * signed difference orders them across 2^31 and 2^32.
		 */
		if ((s32)(done_seqno - edgenpu_job_hw_seqno(job)) < 0)
			break;
		memcpy(&done, rec, sizeof(done));
		list_del_init(&job->node);
		if (done.seqno != edgenpu_job_hw_seqno(job))
			done.status = ENPU_JOB_ABORTED;
		status = edgenpu_hw_status(done.status);
		/* aborted by the driver: its runtime limit, its file closing */
		if (done.status == ENPU_JOB_ABORTED && job->abort_status)
			status = job->abort_status;
		edgenpu_job_signal(job, status, &done);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	dma_fence_end_signalling(cookie);
}

/*
 * DONE_SEQNO a ring starts with: just before its oldest job in flight
 * (jobs a reset replays), else its last seqno issued. The device zeroes
 * it on every reset and power-up; left at 0, jobs whose seqnos lie 2^31
 * or more away would read as done.
 */
static u32 edgenpu_ring_done_base(struct edgenpu_ring *ring)
{
	struct edgenpu_job *first;
	unsigned long flags;
	u32 base;

	spin_lock_irqsave(&ring->lock, flags);
	first = list_first_entry_or_null(&ring->inflight, struct edgenpu_job, node);
	base = first ? edgenpu_job_hw_seqno(first) - 1 : lower_32_bits(ring->emit_seqno);
	spin_unlock_irqrestore(&ring->lock, flags);
	return base;
}

/* Programs one ring, empty, and enables it. */
void edgenpu_ring_hw_init(struct edgenpu_ring *ring)
{
	edgenpu_ring_write(ring, ENPU_RING_CTRL, 0);
	edgenpu_ring_write(ring, ENPU_RING_ADDR_LO, lower_32_bits(ring->desc_dma));
	edgenpu_ring_write(ring, ENPU_RING_ADDR_HI, upper_32_bits(ring->desc_dma));
	edgenpu_ring_write(ring, ENPU_RING_SIZE, EDGENPU_RING_SIZE);
	edgenpu_ring_write(ring, ENPU_RING_DONE_SEQNO, edgenpu_ring_done_base(ring));
	edgenpu_ring_write(ring, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE);
	ring->tail = 0;
}

/*
 * Programs both rings, empty, after probe, reset or resume. The hang check
 * starts over: the device's counters restarted, replayed jobs start anew.
 */
void edgenpu_rings_hw_init(struct edgenpu_device *edev)
{
	unsigned int r;

	edev->hang.valid = false;
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_hw_init(&edev->ring[r]);
}

/*
 * Stops the rings' schedulers from running and freeing jobs; returns once
 * their work items are idle. Stops nest (a reset inside a system sleep, a
 * closing file during a reset): the last matching edgenpu_sched_start()
 * restarts them.
 */
void edgenpu_sched_stop(struct edgenpu_device *edev)
{
	unsigned int r;

	mutex_lock(&edev->sched_pause_lock);
	if (!edev->sched_pauses++)
		for (r = 0; r < ENPU_NUM_RINGS; r++)
			drm_sched_wqueue_stop(&edev->ring[r].sched);
	mutex_unlock(&edev->sched_pause_lock);
}

void edgenpu_sched_start(struct edgenpu_device *edev)
{
	unsigned int r;

	mutex_lock(&edev->sched_pause_lock);
	if (edev->sched_pauses && !--edev->sched_pauses)
		for (r = 0; r < ENPU_NUM_RINGS; r++)
			drm_sched_wqueue_start(&edev->ring[r].sched);
	mutex_unlock(&edev->sched_pause_lock);
}

static enum drm_gpu_sched_stat edgenpu_timedout_job(struct drm_sched_job *sched_job)
{
	return edgenpu_recovery_timeout(to_edgenpu_job(sched_job));
}

static void edgenpu_free_job(struct drm_sched_job *sched_job)
{
	struct edgenpu_job *job = to_edgenpu_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	if (!job->ended)
		edgenpu_job_end(job, DRM_EDGENPU_JOB_CANCELED, NULL);
	edgenpu_job_put(job);
}

static const struct drm_sched_backend_ops edgenpu_sched_ops = {
	.run_job = edgenpu_run_job,
	.timedout_job = edgenpu_timedout_job,
	.free_job = edgenpu_free_job,
};

/* ---- set-up ------------------------------------------------------------------- */

int edgenpu_sched_init(struct edgenpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	unsigned int r;
	int ret;

	/*
	 * Per-CPU, not the scheduler's own ordered (unbound) queue: a job's
	 * run_job work runs on the CPU that submitted it, and its free_job
	 * work on the CPU its interrupt came to, with no wake-up of another
	 * CPU on the way; high priority, so that run_job (a few microseconds)
	 * runs as soon as SUBMIT returns rather than when the submitter
	 * sleeps (tests/bench/roundtrip_bench.c). The scheduler lets the two
	 * works run at the same time (as nouveau's queue does); the ring
	 * state they share is under ring->lock. Fence signalling waits on
	 * them: WQ_MEM_RECLAIM.
	 */
	edev->sched_wq = alloc_workqueue("edgenpu-sched", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!edev->sched_wq)
		return -ENOMEM;

	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		ring->edev = edev;
		ring->id = r;
		spin_lock_init(&ring->lock);
		INIT_LIST_HEAD(&ring->inflight);
		ring->fence_context = dma_fence_context_alloc(1);
		snprintf(ring->name, sizeof(ring->name), "edgenpu-ring%u", r);
		ring->desc = dmam_alloc_coherent(dev, EDGENPU_RING_SIZE *
						 sizeof(*ring->desc),
						 &ring->desc_dma, GFP_KERNEL);
		ring->done = dmam_alloc_coherent(dev, EDGENPU_RING_SIZE *
						 sizeof(*ring->done),
						 &ring->done_dma, GFP_KERNEL);
		if (!ring->desc || !ring->done) {
			ret = -ENOMEM;
			goto err;
		}
		ret = edgenpu_drm_sched_init(&ring->sched, &edgenpu_sched_ops,
					     edev->sched_wq, EDGENPU_RING_SIZE - 1,
					     msecs_to_jiffies(edev->job_timeout_ms),
					     ring->name, dev);
		if (ret)
			goto err;
	}
	return 0;

err:
	while (r--)
		drm_sched_fini(&edev->ring[r].sched);
	destroy_workqueue(edev->sched_wq);
	return ret;
}

void edgenpu_sched_fini(struct edgenpu_device *edev)
{
	unsigned int r;

	for (r = 0; r < ENPU_NUM_RINGS; r++)
		drm_sched_fini(&edev->ring[r].sched);
	destroy_workqueue(edev->sched_wq);
}

int edgenpu_sched_file_init(struct edgenpu_file_priv *fpriv)
{
	struct edgenpu_device *edev = fpriv->edev;
	unsigned int r;
	int ret;

	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct drm_gpu_scheduler *sched = &edev->ring[r].sched;

		ret = drm_sched_entity_init(&fpriv->entity[r],
					    DRM_SCHED_PRIORITY_NORMAL, &sched, 1,
					    NULL);
		if (ret) {
			while (r--)
				drm_sched_entity_destroy(&fpriv->entity[r]);
			return ret;
		}
	}
	return 0;
}

/*
 * The file is closing: its jobs still queued in the scheduler are killed
 * (their fences signal -ESRCH), not run; edgenpu_abort_vm_jobs() ends the
 * ones on the device. The entities leave their run queues with the
 * schedulers' work stopped: in 6.12 drm_sched_entity_pop_job() puts an
 * entity back in its run queue's FIFO tree (drm_sched_rq_update_fifo_locked())
 * when the run-job work pops one of its jobs, even after
 * drm_sched_entity_kill() took it out, and the tree then holds the freed
 * file (an oops in rb_next() from drm_sched_run_job_work, 1 run in 30 of
 * the recovery suite on a loaded IOMMU guest).
 */
void edgenpu_sched_file_fini(struct edgenpu_file_priv *fpriv)
{
	unsigned int r;

	edgenpu_sched_stop(fpriv->edev);
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		drm_sched_entity_fini(&fpriv->entity[r]);
	edgenpu_sched_start(fpriv->edev);
}
