// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Recovery: what ends a job that does not end by itself, and what the
 * driver does when the device does not do what it is told.
 *
 * - A lost doorbell: the timeout handler writes a ring's TAIL again when
 *   the device's lags the driver's.
 * - A hang: the scheduler's timeout handler tells a slow job from a hung
 *   device by whether the device moved (ended a job, started one, or
 *   retired commands of the running one, its ring's PROGRESS) in a whole
 *   job timeout. A hang resets the device: the guilty job ends with
 *   TIMEOUT, the jobs that never started are replayed.
 * - A runtime limit: a job that keeps moving but runs longer than the
 *   job_max_ms module parameter is aborted on the device (ABORT_SEQNO:
 *   that job only, no reset) and ends with TIMEOUT.
 * - A closing file: its jobs on the device are aborted the same way, so
 *   close() waits for an abort, not for the jobs.
 * - A reset the device does not confirm (STATUS.READY not back): the
 *   device may still be running what it had, so nothing it may reach is
 *   freed. The device is declared wedged: its jobs end with an error but
 *   keep their memory (edev->pinned), new work is refused with -EIO, and
 *   only a hard reset -- a PCI function reset (the PCI core's reset,
 *   e.g. sysfs "reset"), the reset line, or the one done at unbind --
 *   which stops the device whatever it does, lets that memory go.
 *
 * A hang's devcoredump is captured without sleeping and handed to
 * devcoredump from a work item, outside the fence-signalling path.
 */

#include <linux/delay.h>
#include <linux/devcoredump.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_compat.h"
#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_sched.h"
#include "edgenpu_trace.h"
#include "edgenpu_vm.h"

/* ---- devcoredump ------------------------------------------------------------ */

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
 * Captures the hung job: registers and the command stream, with
 * GFP_NOWAIT (this is the fence-signalling path); edgenpu_coredump_work()
 * hands it to devcoredump. One capture at a time: a later one is dropped
 * while one waits.
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

	spin_lock(&edev->coredump_lock);
	if (!edev->coredump) {
		edev->coredump = d;
		d = NULL;
	}
	spin_unlock(&edev->coredump_lock);
	kfree(d);
	schedule_work(&edev->coredump_work);
}

static void edgenpu_coredump_work(struct work_struct *work)
{
	struct edgenpu_device *edev = container_of(work, struct edgenpu_device,
						   coredump_work);
	struct edgenpu_coredump *d;

	spin_lock(&edev->coredump_lock);
	d = edev->coredump;
	edev->coredump = NULL;
	spin_unlock(&edev->coredump_lock);
	if (d)
		dev_coredumpm(edev->drm.dev, THIS_MODULE, d, sizeof(*d) + d->len,
			      GFP_KERNEL, edgenpu_coredump_read,
			      edgenpu_coredump_free);
}

/* Whether a capture waits to reach devcoredump (debugfs, for tests). */
bool edgenpu_coredump_pending(struct edgenpu_device *edev)
{
	bool pending;

	spin_lock(&edev->coredump_lock);
	pending = edev->coredump || work_pending(&edev->coredump_work);
	spin_unlock(&edev->coredump_lock);
	return pending;
}

void edgenpu_recovery_init(struct edgenpu_device *edev)
{
	INIT_LIST_HEAD(&edev->pinned);
	spin_lock_init(&edev->coredump_lock);
	INIT_WORK(&edev->coredump_work, edgenpu_coredump_work);
}

/* At unbind: no capture is handed over any more; one waiting is dropped. */
void edgenpu_recovery_fini(struct edgenpu_device *edev)
{
	cancel_work_sync(&edev->coredump_work);
	kfree(edev->coredump);
	edev->coredump = NULL;
}

/* ---- what the device runs ----------------------------------------------------- */

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
 * nothing moves for a whole timeout. The sample also keeps when the
 * running job was first seen, for its runtime limit.
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

	if (last->valid && last->ring == now.ring && last->seqno == now.seqno)
		now.since = last->since;
	else
		now.since = jiffies;
	if (last->valid && last->jobs_done == now.jobs_done &&
	    last->ring == now.ring && last->seqno == now.seqno &&
	    last->progress == now.progress)
		return !time_before(jiffies, last->stamp +
				    msecs_to_jiffies(edev->job_timeout_ms));
	now.stamp = jiffies;
	*last = now;
	return false;
}

/* Whether the job the sample @last saw running ran past job_max_ms. */
static bool edgenpu_job_overran(const struct edgenpu_hang_check *last)
{
	return last->valid && last->ring < ENPU_NUM_RINGS &&
	       !time_before(jiffies, last->since +
			    msecs_to_jiffies(edgenpu_job_max_ms()));
}

/* Rings @ring's doorbell again if the device's TAIL lags the driver's. */
static void edgenpu_ring_kick(struct edgenpu_ring *ring)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	if (!list_empty(&ring->inflight) &&
	    edgenpu_ring_read(ring, ENPU_RING_TAIL) != ring->tail) {
		edgenpu_ring_write(ring, ENPU_RING_TAIL, ring->tail);
		ring->kicks++;
	}
	spin_unlock_irqrestore(&ring->lock, flags);
}

/*
 * Aborts the job @ring runs as @seqno, if it is one of ours, on the
 * device only (ABORT_SEQNO: never the job that started after it); it then
 * ends with @status. Return: the job, or NULL.
 */
static struct edgenpu_job *edgenpu_abort_job(struct edgenpu_ring *ring, u32 seqno,
					     u32 status, struct edgenpu_vm *only)
{
	struct edgenpu_job *job, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	list_for_each_entry(job, &ring->inflight, node) {
		if (edgenpu_job_hw_seqno(job) != seqno)
			continue;
		if (!only || job->vm == only) {
			job->abort_status = status;
			edgenpu_ring_write(ring, ENPU_RING_ABORT_SEQNO, seqno);
			found = job;
		}
		break;
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	return found;
}

/*
 * Before a reset: stops both rings from starting jobs and lets the running
 * one end for as long as the device moves (edgenpu_device_stalled(), the
 * hang check's rule) and the job is within its runtime limit. A reset
 * abandons the running job whatever it has written, so replaying it could
 * apply it twice; after this only jobs that never started are replayed.
 * @guilty, when it is the running job, is not waited for.
 * Return: the job to end with TIMEOUT: @guilty, or the running job if it
 * made no progress for a whole timeout or ran past its limit.
 */
static struct edgenpu_job *edgenpu_quiesce(struct edgenpu_device *edev,
					   struct edgenpu_job *guilty)
{
	/* the timeout handler's sample: when it saw the running job start */
	struct edgenpu_hang_check last = edev->hang;
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
		if (edgenpu_device_stalled(edev, &last, ring, seqno, progress) ||
		    edgenpu_job_overran(&last)) {
			drm_warn(&edev->drm, "job %llu on ring %u made no progress in %u ms or ran past %u ms, ending it\n",
				 job->id, ring->id, edev->job_timeout_ms,
				 edgenpu_job_max_ms());
			return job;
		}
		usleep_range(100, 500);
	}
	return guilty;
}

/* ---- ending jobs ------------------------------------------------------------ */

/* Ends every job on the hardware with @status (the device was stopped). */
void edgenpu_rings_cancel(struct edgenpu_device *edev, u32 status)
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
			edgenpu_job_signal(job, status, NULL);
		}
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	dma_fence_end_signalling(cookie);
}

/*
 * Ends every job on the hardware (@guilty with TIMEOUT, the others
 * CANCELED) but keeps what they use: the device may still be running
 * them. They go to edev->pinned with a reference each; their files no
 * longer wait for them. reset_lock held.
 */
static void edgenpu_pin_inflight(struct edgenpu_device *edev,
				 struct edgenpu_job *guilty)
{
	struct edgenpu_job *job, *next;
	struct edgenpu_job_table *table;
	unsigned long flags;
	unsigned int r;
	LIST_HEAD(pinned);
	bool cookie;

	cookie = dma_fence_begin_signalling();
	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		spin_lock_irqsave(&ring->lock, flags);
		list_for_each_entry_safe(job, next, &ring->inflight, node) {
			kref_get(&job->ref);
			list_move_tail(&job->node, &pinned);
			edgenpu_job_signal(job, job == guilty ? DRM_EDGENPU_JOB_TIMEOUT :
						DRM_EDGENPU_JOB_CANCELED, NULL);
		}
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	dma_fence_end_signalling(cookie);

	/* ended and recorded: the file's close need not wait for them */
	list_for_each_entry(job, &pinned, node) {
		table = job->table;
		if (job->reserved) {
			edgenpu_job_table_unreserve(table, job->cmd_size);
			edgenpu_job_unpin_cmd(job);
		}
		job->reserved = false;
		job->table = NULL;
		edgenpu_job_table_put(table);
	}
	list_splice_tail(&pinned, &edev->pinned);
}

/* The device is known to have stopped: what pinned jobs used may go. */
static void edgenpu_unpin(struct edgenpu_device *edev)
{
	struct edgenpu_job *job, *next;
	LIST_HEAD(pinned);

	list_splice_init(&edev->pinned, &pinned);
	list_for_each_entry_safe(job, next, &pinned, node) {
		list_del_init(&job->node);
		edgenpu_job_put(job);
	}
}

/*
 * The device did not confirm a reset (@why): it is wedged. Its jobs end,
 * @guilty with TIMEOUT, and stay pinned; it stays powered (a runtime
 * suspend is no hard reset on every bus); run_job and submit refuse work
 * until a hard reset. reset_lock held, the schedulers stopped or idle.
 */
static void edgenpu_wedge_locked(struct edgenpu_device *edev,
				 struct edgenpu_job *guilty, const char *why)
{
	if (!edev->wedged) {
		WRITE_ONCE(edev->wedged, true);
		edev->wedge_reason = why;
		pm_runtime_get_noresume(edev->drm.dev);
		drm_err(&edev->drm, "wedged: %s. Its jobs end with an error, what they use stays pinned and new jobs are refused (-EIO) until a hard reset: %s%s%s\n",
			why, dev_is_pci(edev->drm.dev) ?
			"a PCI function reset (echo 1 > /sys/bus/pci/devices/" : "",
			dev_is_pci(edev->drm.dev) ? dev_name(edev->drm.dev) : "",
			dev_is_pci(edev->drm.dev) ? "/reset) or unbinding the device" :
			"unbinding the device, which pulses its reset line");
	}
	edgenpu_pin_inflight(edev, guilty);
}

void edgenpu_wedge(struct edgenpu_device *edev, const char *why)
{
	edgenpu_wedge_locked(edev, NULL, why);
}

/* After a hard reset the device confirmed: no longer wedged. reset_lock held. */
static void edgenpu_unwedge_locked(struct edgenpu_device *edev)
{
	edgenpu_unpin(edev);
	if (!edev->wedged)
		return;
	WRITE_ONCE(edev->wedged, false);
	edev->wedge_reason = NULL;
	drm_info(&edev->drm, "recovered by a hard reset\n");
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
}

/* ---- resets ------------------------------------------------------------------- */

/*
 * After a reset the device confirmed: the rings start again with the jobs
 * that never ran. Jobs the device ended before the reset, their interrupt
 * not handled yet, end from their completion records; @guilty, if still
 * on the hardware, ends with @guilty_status. reset_lock held.
 */
static void edgenpu_rings_restart(struct edgenpu_device *edev,
				  struct edgenpu_job *guilty, u32 guilty_status)
{
	struct edgenpu_job *job, *next;
	unsigned long flags;
	unsigned int r;
	bool cookie;

	/* DONE_SEQNO is the rings' base again before a handler may read it */
	edgenpu_rings_hw_init(edev);
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, EDGENPU_IRQ_MASK_RUN);

	cookie = dma_fence_begin_signalling();
	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];
		LIST_HEAD(replay);

		spin_lock_irqsave(&ring->lock, flags);
		list_splice_init(&ring->inflight, &replay);
		/* checked before re-emitting reuses the record slots */
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
				edgenpu_job_signal(job, guilty_status, NULL);
				continue;
			}
			job->resets++;
			list_add_tail(&job->node, &ring->inflight);
			edgenpu_ring_emit(ring, job);
		}
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	dma_fence_end_signalling(cookie);
}

/*
 * Resets the device. The running job, unless it is @guilty, may end first
 * (edgenpu_quiesce()). @guilty, if on the hardware, ends with TIMEOUT;
 * every job on the hardware that did not start is replayed in order. A
 * device that does not confirm the reset is wedged.
 * Called with the schedulers' submission stopped and edev->reset_lock held.
 */
int edgenpu_reset(struct edgenpu_device *edev, struct edgenpu_job *guilty)
{
	unsigned int r;
	int ret, idx;

	if (edev->wedged)
		return -EIO;
	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	guilty = edgenpu_quiesce(edev, guilty);
	/*
	 * No interrupt handler may still be between reading IRQ_STATUS and
	 * reading DONE_SEQNO when the reset zeroes the latter: jobs with
	 * sequence numbers in the upper half of 2^32 would read as done, and
	 * end CANCELED without having run. What ended before, collect now.
	 */
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, 0);
	synchronize_irq(edev->irq);
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_complete(&edev->ring[r]);
	atomic_inc(&edev->resets);
	ret = edgenpu_hw_reset(edev);
	trace_edgenpu_reset(edev, ret);
	if (ret)
		edgenpu_wedge_locked(edev, guilty,
				     "the device did not confirm a reset");
	else
		edgenpu_rings_restart(edev, guilty, DRM_EDGENPU_JOB_TIMEOUT);
	drm_dev_exit(idx);
	return ret;
}

/*
 * The scheduler's timeout for @job's ring: collect what a lost interrupt
 * left, then look at the device. Not moving for a whole timeout is a
 * hang (reset); a running job past its runtime limit is aborted.
 */
enum drm_gpu_sched_stat edgenpu_recovery_timeout(struct edgenpu_job *job)
{
	struct drm_sched_job *sched_job = &job->base;
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
	 * Its jobs were ended when it was wedged; a device off for system
	 * sleep runs nothing (its jobs wait for the resume).
	 */
	if (edev->wedged || !READ_ONCE(edev->powered))
		goto keep;
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
	/*
	 * A doorbell the device did not hear: its TAIL lags the driver's.
	 * Writing TAIL again announces the jobs, whatever else the device is
	 * busy with meanwhile (another ring's jobs would hide the lost one
	 * from the hang check for as long as they keep coming).
	 */
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_kick(&edev->ring[r]);

	busy = edgenpu_device_active(edev, &ring, &seqno, &progress);
	/*
	 * Both rings' timeouts check the device: the previous check may have
	 * been a moment ago. Hung means it did not move for a whole timeout.
	 */
	if (!edgenpu_device_stalled(edev, &edev->hang, busy ? ring : NULL,
				    seqno, progress)) {
		if (busy && edgenpu_job_overran(&edev->hang)) {
			struct edgenpu_job *over;

			over = edgenpu_abort_job(ring, seqno, DRM_EDGENPU_JOB_TIMEOUT, NULL);
			if (over) {
				trace_edgenpu_job_timeout(over);
				drm_warn(&edev->drm, "job %llu on ring %u ran past %u ms (module parameter job_max_ms): aborted\n",
					 over->id, ring->id, edgenpu_job_max_ms());
			}
		}
		goto keep;
	}

	drm_warn(&edev->drm, "job %llu on ring %u hung (active: %s), resetting\n",
		 job->id, job->ring->id, busy ? "stuck" : "none");
	edgenpu_sched_stop(edev);
	/* it may have ended meanwhile; if not, it stays until the restart */
	if (busy)
		guilty = edgenpu_ring_find(ring, seqno);
	if (guilty) {
		trace_edgenpu_job_timeout(guilty);
		edgenpu_job_coredump(guilty);
	}
	edgenpu_reset(edev, guilty);
	edgenpu_sched_start(edev);
keep:
	mutex_unlock(&edev->reset_lock);
	drm_dev_exit(idx);
	return edgenpu_sched_job_keep(sched_job);
}

/*
 * Unbind: stops the device for good before anything it may reach goes --
 * a soft reset, or the bus's hard reset when that is not confirmed -- and
 * ends every job on it. A device nothing stops keeps what its jobs used
 * forever (pinned and forgotten: leaked on purpose). IRQs masked,
 * reset_lock held. Return: 0, or -EIO when the device could not be
 * stopped.
 */
int edgenpu_device_stop(struct edgenpu_device *edev)
{
	struct edgenpu_job *job, *next;
	unsigned int n = 0;
	int ret;

	ret = edgenpu_hw_reset(edev);
	if (ret && edev->hard_reset) {
		drm_info(&edev->drm, "soft reset not confirmed: hard reset\n");
		ret = edev->hard_reset(edev);
	}
	if (!ret) {
		edgenpu_rings_cancel(edev, DRM_EDGENPU_JOB_CANCELED);
		edgenpu_unwedge_locked(edev);
		return 0;
	}
	edgenpu_wedge_locked(edev, NULL, "the device could not be stopped at unbind");
	list_for_each_entry_safe(job, next, &edev->pinned, node) {
		list_del_init(&job->node);
		n++;
	}
	drm_err(&edev->drm, "%u job(s) left pinned for good: the device may still use their memory\n",
		n);
	return -EIO;
}

/*
 * A hard reset the PCI core does (its reset_prepare/reset_done, e.g.
 * sysfs "reset"): prepare stops job submission, the interrupt and the
 * hang check and keeps reset_lock until done; done restarts the device,
 * which the hard reset stopped whatever it did: a wedged device recovers
 * and its pinned jobs' memory goes. The job that was running ends
 * CANCELED; the ones that never started are replayed.
 */
int edgenpu_hard_reset_prepare(struct edgenpu_device *edev)
{
	struct edgenpu_ring *ring = NULL;
	u32 seqno = 0, progress;
	int ret = pm_runtime_resume_and_get(edev->drm.dev);

	if (ret)
		return ret;
	mutex_lock(&edev->reset_lock);
	edgenpu_sched_stop(edev);
	/* what runs now is gone after the reset */
	if (edgenpu_device_active(edev, &ring, &seqno, &progress)) {
		edev->hard_reset_ring = ring->id;
		edev->hard_reset_seqno = seqno;
	} else {
		edev->hard_reset_ring = ENPU_NUM_RINGS;
	}
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, 0);
	WRITE_ONCE(edev->powered, false);
	synchronize_irq(edev->irq);
	return 0;
}

int edgenpu_hard_reset_done(struct edgenpu_device *edev)
{
	struct edgenpu_job *running = NULL;
	int ret;

	WRITE_ONCE(edev->powered, true);
	ret = edgenpu_hw_reset(edev);
	if (ret) {
		edgenpu_wedge_locked(edev, NULL, "not ready after a hard reset");
	} else {
		if (edev->hard_reset_ring < ENPU_NUM_RINGS)
			running = edgenpu_ring_find(&edev->ring[edev->hard_reset_ring],
						    edev->hard_reset_seqno);
		edgenpu_rings_restart(edev, running, DRM_EDGENPU_JOB_CANCELED);
		edgenpu_unwedge_locked(edev);
		atomic_inc(&edev->resets);
	}
	edgenpu_sched_start(edev);
	mutex_unlock(&edev->reset_lock);
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
	return ret;
}

/* ---- system sleep ------------------------------------------------------------- */

/*
 * System suspend: the rings start no more jobs and the running one may end
 * for @ms; past that it is aborted (ABORT_SEQNO) and ends CANCELED. The
 * jobs that never started stay on the rings' lists, to run after the
 * resume (edgenpu_sleep_resume()); none is ever run twice. The schedulers
 * are stopped. reset_lock held. Return: 0, or -EBUSY when the device
 * does not stop the job.
 */
int edgenpu_sleep_drain(struct edgenpu_device *edev, unsigned int ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	unsigned long give_up = deadline +
		msecs_to_jiffies(2 * ENPU_RESET_TIME_MAX_US / 1000);
	struct edgenpu_ring *ring;
	u32 seqno, progress;
	bool aborted = false;
	unsigned int r;

	if (edev->wedged)
		return 0;
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_write(&edev->ring[r], ENPU_RING_CTRL, 0);
	while (edgenpu_device_active(edev, &ring, &seqno, &progress)) {
		if (!aborted && time_after(jiffies, deadline)) {
			edgenpu_abort_job(ring, seqno, DRM_EDGENPU_JOB_CANCELED, NULL);
			aborted = true;
		}
		if (time_after(jiffies, give_up)) {
			drm_err(&edev->drm, "suspend: the device did not stop its job\n");
			return -EBUSY;
		}
		usleep_range(200, 1000);
	}
	/* what ended meanwhile, before the interrupt is masked */
	for (r = 0; r < ENPU_NUM_RINGS; r++)
		edgenpu_ring_complete(&edev->ring[r]);
	return 0;
}

/*
 * System resume, the device up again: the jobs that never started before
 * the suspend go back on the rings. reset_lock held.
 */
void edgenpu_sleep_resume(struct edgenpu_device *edev)
{
	unsigned int r;
	bool any = false;

	for (r = 0; r < ENPU_NUM_RINGS; r++)
		any |= !list_empty(&edev->ring[r].inflight);
	/* (none: the device may well stay runtime-suspended) */
	if (any && !edev->wedged)
		edgenpu_rings_restart(edev, NULL, DRM_EDGENPU_JOB_CANCELED);
}

/* ---- closing files, sequence numbers ------------------------------------------ */

/*
 * A file is closing: aborts the job of address space @vm the device runs,
 * if any (the next one of it is aborted on the next call, once it runs).
 * Other files' jobs are not touched.
 */
void edgenpu_abort_vm_jobs(struct edgenpu_device *edev, struct edgenpu_vm *vm)
{
	struct device *dev = edev->drm.dev;
	unsigned int r;
	int idx, pm;

	if (!drm_dev_enter(&edev->drm, &idx))
		return;
	/* a suspended device runs nothing: not woken for this */
	pm = pm_runtime_get_if_active(dev);
	if (pm == 0)
		goto exit;
	mutex_lock(&edev->reset_lock);
	for (r = 0; r < ENPU_NUM_RINGS && !edev->wedged && READ_ONCE(edev->powered); r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		if (!(edgenpu_ring_read(ring, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY))
			continue;
		edgenpu_abort_job(ring, edgenpu_ring_read(ring, ENPU_RING_ACTIVE_SEQNO),
				  DRM_EDGENPU_JOB_CANCELED, vm);
	}
	mutex_unlock(&edev->reset_lock);
	if (pm > 0)
		pm_runtime_put_autosuspend(dev);
exit:
	drm_dev_exit(idx);
}

/*
 * Debugfs: continue @ring's sequence at @seqno (no lower than where it is;
 * the ring must have nothing on the device), to cross 2^31 and 2^32 in a
 * test. The device's DONE_SEQNO follows.
 */
int edgenpu_ring_set_seqno(struct edgenpu_device *edev, unsigned int r, u64 seqno)
{
	struct edgenpu_ring *ring;
	unsigned long flags;
	int ret;

	if (r >= ENPU_NUM_RINGS)
		return -EINVAL;
	ring = &edev->ring[r];
	ret = pm_runtime_resume_and_get(edev->drm.dev);
	if (ret)
		return ret;
	mutex_lock(&edev->reset_lock);
	edgenpu_sched_stop(edev);
	spin_lock_irqsave(&ring->lock, flags);
	if (!list_empty(&ring->inflight))
		ret = -EBUSY;
	else if (seqno < ring->emit_seqno)
		ret = -EINVAL;
	else
		ring->emit_seqno = seqno;
	spin_unlock_irqrestore(&ring->lock, flags);
	if (!ret && !edev->wedged)
		edgenpu_ring_hw_init(ring);
	edgenpu_sched_start(edev);
	mutex_unlock(&edev->reset_lock);
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
	return ret;
}
