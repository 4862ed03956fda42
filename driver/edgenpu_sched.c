// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Job execution: one drm_sched scheduler per hardware ring, one entity
 * per file and ring. run_job writes a descriptor and rings the doorbell;
 * the interrupt handler ends jobs from their completion records; the
 * timeout handler tells a slow job from a hung device by whether the
 * device moved (ended a job, started one, or retired commands of the
 * running one, its ring's PROGRESS register) in a whole timeout and, for a
 * hang, resets the device, ends the guilty job with a timeout and replays
 * the innocent ones.
 *
 * Fence rules: a job's hardware fence is allocated at submit and only
 * initialised in run_job; nothing here allocates with GFP_KERNEL or
 * resumes the device in the signalling path.
 */

#include <linux/devcoredump.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_compat.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_sched.h"
#include "edgenpu_vm.h"

#define EDGENPU_RESET_TIMEOUT_US	1000000

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
	if (job->cmd)
		dma_free_coherent(edev->drm.dev, job->cmd_size, job->cmd,
				  job->cmd_dma);
	if (job->hw_fence_init)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	edgenpu_vm_put(job->vm);
	if (job->pm_ref) {
		pm_runtime_mark_last_busy(edev->drm.dev);
		pm_runtime_put_autosuspend(edev->drm.dev);
	}
	/* last: the file's close may be waiting for it, then free the device */
	edgenpu_job_table_put(job->table);
	kfree(job);
}

void edgenpu_job_put(struct edgenpu_job *job)
{
	kref_put(&job->ref, edgenpu_job_release);
}

/* Records how a job ended, once. */
static void edgenpu_job_end(struct edgenpu_job *job, u32 status,
			    const struct enpu_job_completion *done)
{
	if (job->ended)
		return;
	job->ended = true;
	edgenpu_job_table_end(job->table, job->id, status, done,
			      job->start_ns ? ktime_get_ns() - job->start_ns : 0,
			      job->resets);
}

static u32 edgenpu_job_hw_seqno(struct edgenpu_job *job)
{
	return lower_32_bits(job->hw_fence->seqno);
}

/* Writes @job's descriptor at the ring's tail; ring->lock held. */
static void edgenpu_ring_emit(struct edgenpu_ring *ring, struct edgenpu_job *job)
{
	u32 slot = ring->tail % EDGENPU_RING_SIZE;
	struct enpu_job_desc *d = &ring->desc[slot];

	memset(&ring->done[slot], 0, sizeof(ring->done[slot]));
	memset(d, 0, sizeof(*d));
	d->seqno = edgenpu_job_hw_seqno(job);
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

static u32 edgenpu_hw_status(u32 hw)
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
 * CPU at any moment: @job is not touched after that.
 */
static void edgenpu_job_signal(struct edgenpu_job *job, u32 status,
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

		if ((s32)(done_seqno - edgenpu_job_hw_seqno(job)) < 0)
			break;
		memcpy(&done, rec, sizeof(done));
		list_del_init(&job->node);
		if (done.seqno != edgenpu_job_hw_seqno(job))
			done.status = ENPU_JOB_ABORTED;
		edgenpu_job_signal(job, edgenpu_hw_status(done.status), &done);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	dma_fence_end_signalling(cookie);
}

/* Ends every job on the hardware with @error (device gone). */
void edgenpu_rings_cancel(struct edgenpu_device *edev, int error)
{
	struct edgenpu_job *job, *next;
	unsigned long flags;
	unsigned int r;
	bool cookie = dma_fence_begin_signalling();

	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		spin_lock_irqsave(&ring->lock, flags);
		list_for_each_entry_safe(job, next, &ring->inflight, node) {
			list_del_init(&job->node);
			edgenpu_job_signal(job, DRM_EDGENPU_JOB_CANCELED, NULL);
		}
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	dma_fence_end_signalling(cookie);
}

/*
 * Programs both rings, empty, after probe, reset or resume. The hang check
 * starts over: the device's counters restarted, replayed jobs start anew.
 */
void edgenpu_rings_hw_init(struct edgenpu_device *edev)
{
	unsigned int r;

	edev->hang.valid = false;

	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		edgenpu_ring_write(ring, ENPU_RING_CTRL, 0);
		edgenpu_ring_write(ring, ENPU_RING_ADDR_LO, lower_32_bits(ring->desc_dma));
		edgenpu_ring_write(ring, ENPU_RING_ADDR_HI, upper_32_bits(ring->desc_dma));
		edgenpu_ring_write(ring, ENPU_RING_SIZE, EDGENPU_RING_SIZE);
		edgenpu_ring_write(ring, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE);
		ring->tail = 0;
	}
}

/* ---- hangs and recovery ------------------------------------------------------ */

struct edgenpu_coredump {
	size_t len;
	char data[];
};

static ssize_t edgenpu_coredump_read(char *buffer, loff_t offset, size_t count,
				     void *data, size_t datalen)
{
	struct edgenpu_coredump *d = data;

	return memory_read_from_buffer(buffer, count, &offset, d->data, d->len);
}

static void edgenpu_coredump_free(void *data)
{
	kfree(data);
}

/*
 * A devcoredump of the hung job: registers and the command stream. Best
 * effort with GFP_NOWAIT: this runs in the fence-signalling path.
 */
static void edgenpu_job_coredump(struct edgenpu_job *job)
{
	struct edgenpu_device *edev = job->edev;
	size_t size = 4096 + 3 * job->cmd_size;
	struct edgenpu_coredump *d;
	const u32 *w = job->cmd;
	size_t n = 0;
	u32 i;

	if (size > SZ_1M)
		size = SZ_1M;
	d = kmalloc(sizeof(*d) + size, GFP_NOWAIT | __GFP_NOWARN);
	if (!d)
		return;
	n += scnprintf(d->data + n, size - n,
		       "edgenpu hang: job %llu ring %u seqno %u asid %u resets %u\n",
		       job->id, job->ring->id, edgenpu_job_hw_seqno(job),
		       job->vm->asid, job->resets);
	for (i = 0; i < edgenpu_num_reg_names; i++)
		n += scnprintf(d->data + n, size - n, "%-20s 0x%08x\n",
			       edgenpu_reg_names[i].name,
			       edgenpu_read(edev, edgenpu_reg_names[i].offset));
	n += scnprintf(d->data + n, size - n, "command stream, %u bytes:\n",
		       job->cmd_size);
	for (i = 0; i < job->cmd_size / 4 && size - n > 12; i++)
		n += scnprintf(d->data + n, size - n, "%08x%c", w[i],
			       (i % 8 == 7) ? '\n' : ' ');
	d->len = n;
	dev_coredumpm(edev->drm.dev, THIS_MODULE, d, sizeof(*d) + n, GFP_NOWAIT,
		      edgenpu_coredump_read, edgenpu_coredump_free);
}

/*
 * @ring's job with hardware seqno @seqno if the device has not ended it.
 * The pointer may only be used with the schedulers' work stopped (then
 * nothing frees the job); otherwise only compared with NULL.
 */
static struct edgenpu_job *edgenpu_ring_find(struct edgenpu_ring *ring, u32 seqno)
{
	struct edgenpu_job *job, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	list_for_each_entry(job, &ring->inflight, node) {
		if (edgenpu_job_hw_seqno(job) == seqno) {
			found = job;
			break;
		}
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	return found;
}

/*
 * Whether the device is running one of our jobs, and which: its ring,
 * hardware seqno and the ring's PROGRESS count.
 */
static bool edgenpu_device_active(struct edgenpu_device *edev,
				  struct edgenpu_ring **active, u32 *seqno,
				  u32 *progress)
{
	unsigned int r;

	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		if (!(edgenpu_ring_read(ring, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY))
			continue;
		*seqno = edgenpu_ring_read(ring, ENPU_RING_ACTIVE_SEQNO);
		*progress = edgenpu_ring_read(ring, ENPU_RING_PROGRESS);
		if (edgenpu_ring_find(ring, *seqno)) {
			*active = ring;
			return true;
		}
	}
	return false;
}

/*
 * The hang check's rule, for the timeout handler and for a reset's
 * quiesce: whether the device did not move for a whole job timeout, given
 * what it runs now (@ring, NULL when none of our jobs runs: its job
 * @seqno and PROGRESS @progress) and @last, the previous sample, which is
 * updated. Moving is ending a job, starting another, or the running one
 * retiring commands. Idle with jobs waiting is not yet a hang: the device
 * may be between two jobs, or fetching the next descriptor; it is when
 * nothing moves for a whole timeout.
 */
static bool edgenpu_device_stalled(struct edgenpu_device *edev,
				   struct edgenpu_hang_check *last,
				   struct edgenpu_ring *ring, u32 seqno,
				   u32 progress)
{
	struct edgenpu_hang_check now = {
		.valid = true,
		.jobs_done = edgenpu_read(edev, ENPU_REG_JOBS_DONE),
		.ring = ring ? ring->id : ENPU_NUM_RINGS,
		.seqno = ring ? seqno : 0,
		.progress = ring ? progress : 0,
	};

	if (last->valid && last->jobs_done == now.jobs_done &&
	    last->ring == now.ring && last->seqno == now.seqno &&
	    last->progress == now.progress)
		return !time_before(jiffies, last->stamp +
				    msecs_to_jiffies(edev->job_timeout_ms));
	now.stamp = jiffies;
	*last = now;
	return false;
}

/*
 * Before a reset: stops both rings from starting jobs and lets the running
 * one end for as long as the device moves (edgenpu_device_stalled(), the
 * hang check's rule). A reset abandons the running job whatever it has
 * written, so replaying it could apply it twice; after this only jobs
 * that never started are replayed.
 * @guilty, when it is the running job, is not waited for.
 * Return: the job to end with TIMEOUT: @guilty, or the running job if it
 * made no progress for a whole timeout.
 */
static struct edgenpu_job *edgenpu_quiesce(struct edgenpu_device *edev,
					   struct edgenpu_job *guilty)
{
	struct edgenpu_hang_check last = { };
	struct edgenpu_ring *ring;
	struct edgenpu_job *job;
	u32 seqno, progress;
	unsigned int r;

	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_write(&edev->ring[r], ENPU_RING_CTRL, 0);
	while (edgenpu_device_active(edev, &ring, &seqno, &progress)) {
		job = edgenpu_ring_find(ring, seqno);
		if (!job || job == guilty)
			break;
		if (edgenpu_device_stalled(edev, &last, ring, seqno, progress)) {
			drm_warn(&edev->drm, "job %llu on ring %u made no progress in %u ms, ending it\n",
				 job->id, ring->id, edev->job_timeout_ms);
			return job;
		}
		usleep_range(100, 500);
	}
	return guilty;
}

/*
 * Resets the device. The running job, unless it is @guilty, may end first
 * (edgenpu_quiesce()). @guilty, if on the hardware, ends with TIMEOUT;
 * every job on the hardware that did not start is replayed in order.
 * Called with the schedulers' submission stopped and edev->reset_lock held.
 */
int edgenpu_reset(struct edgenpu_device *edev, struct edgenpu_job *guilty)
{
	struct edgenpu_job *job, *next;
	unsigned long flags;
	unsigned int r;
	bool cookie;
	u32 status;
	int ret, idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	guilty = edgenpu_quiesce(edev, guilty);
	atomic_inc(&edev->resets);
	edgenpu_write(edev, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ret = readl_poll_timeout(edev->regs + ENPU_REG_STATUS, status,
				 status & ENPU_STATUS_READY, 100,
				 EDGENPU_RESET_TIMEOUT_US);
	if (ret) {
		drm_err(&edev->drm, "reset: device not ready after %d ms\n",
			EDGENPU_RESET_TIMEOUT_US / 1000);
		edgenpu_rings_cancel(edev, -EIO);
		drm_dev_exit(idx);
		return ret;
	}
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL & ~ENPU_IRQ_DOORBELL);
	edgenpu_rings_hw_init(edev);

	cookie = dma_fence_begin_signalling();
	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];
		LIST_HEAD(replay);

		spin_lock_irqsave(&ring->lock, flags);
		list_splice_init(&ring->inflight, &replay);
		/*
		 * Jobs the device ended before the reset, their interrupt not
		 * handled yet, have their completion record: they must not run
		 * again. Checked before re-emitting reuses the record slots.
		 */
		list_for_each_entry_safe(job, next, &replay, node) {
			struct enpu_job_completion done;

			memcpy(&done, &ring->done[job->hw_index % EDGENPU_RING_SIZE],
			       sizeof(done));
			if (done.seqno != edgenpu_job_hw_seqno(job))
				continue;
			list_del_init(&job->node);
			edgenpu_job_signal(job, edgenpu_hw_status(done.status), &done);
		}
		list_for_each_entry_safe(job, next, &replay, node) {
			list_del_init(&job->node);
			if (job == guilty) {
				edgenpu_job_signal(job, DRM_EDGENPU_JOB_TIMEOUT, NULL);
				continue;
			}
			job->resets++;
			list_add_tail(&job->node, &ring->inflight);
			edgenpu_ring_emit(ring, job);
		}
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	dma_fence_end_signalling(cookie);
	drm_dev_exit(idx);
	return 0;
}

static enum drm_gpu_sched_stat edgenpu_timedout_job(struct drm_sched_job *sched_job)
{
	struct edgenpu_job *job = to_edgenpu_job(sched_job);
	struct edgenpu_device *edev = job->edev;
	struct edgenpu_ring *ring = NULL;
	struct edgenpu_job *guilty = NULL;
	u32 seqno = 0, progress = 0;
	unsigned int r;
	bool busy;
	int idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return edgenpu_sched_job_keep(sched_job);

	mutex_lock(&edev->reset_lock);
	/*
	 * An interrupt may have been lost: collect what is already done, and
	 * clear the causes it left latched, or no interrupt would follow.
	 */
	edgenpu_irq_ack(edev);
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_complete(&edev->ring[r]);
	if (dma_fence_is_signaled(&sched_job->s_fence->finished) ||
	    (job->hw_fence_init && dma_fence_is_signaled(job->hw_fence)))
		goto keep;

	busy = edgenpu_device_active(edev, &ring, &seqno, &progress);
	/*
	 * Both rings' timeouts check the device: the previous check may have
	 * been a moment ago. Hung means it did not move for a whole timeout.
	 */
	if (!edgenpu_device_stalled(edev, &edev->hang, busy ? ring : NULL,
				    seqno, progress))
		goto keep;

	drm_warn(&edev->drm, "job %llu on ring %u hung (active: %s), resetting\n",
		 job->id, job->ring->id, busy ? "stuck" : "none");
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		drm_sched_wqueue_stop(&edev->ring[r].sched);
	/* it may have ended meanwhile; if not, it stays until the restart */
	if (busy)
		guilty = edgenpu_ring_find(ring, seqno);
	if (guilty)
		edgenpu_job_coredump(guilty);
	edgenpu_reset(edev, guilty);
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		drm_sched_wqueue_start(&edev->ring[r].sched);
keep:
	mutex_unlock(&edev->reset_lock);
	drm_dev_exit(idx);
	return edgenpu_sched_job_keep(sched_job);
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
					     EDGENPU_RING_SIZE - 1,
					     msecs_to_jiffies(edev->job_timeout_ms),
					     ring->name, dev);
		if (ret)
			goto err;
	}
	return 0;

err:
	while (r--)
		drm_sched_fini(&edev->ring[r].sched);
	return ret;
}

void edgenpu_sched_fini(struct edgenpu_device *edev)
{
	unsigned int r;

	for (r = 0; r < ENPU_NUM_RINGS; r++)
		drm_sched_fini(&edev->ring[r].sched);
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

void edgenpu_sched_file_fini(struct edgenpu_file_priv *fpriv)
{
	unsigned int r;

	for (r = 0; r < ENPU_NUM_RINGS; r++)
		drm_sched_entity_destroy(&fpriv->entity[r]);
}
