// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Job status records: each file keeps the final status and counters of
 * its last EDGENPU_JOB_RECORDS jobs, written when a job ends (in the
 * interrupt handler), read with DRM_IOCTL_EDGENPU_JOB_INFO. Every job
 * holds a reference on its file's table until it is freed: closing the
 * file waits for that (edgenpu_job_table_wait_idle()).
 */

#include <linux/kref.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>

#include <drm/drm_file.h>
#include <drm/edgenpu_accel.h>

#include "edgenpu_file.h"
#include "edgenpu_job.h"
#include "edgenpu_sched.h"

#define EDGENPU_JOB_RECORDS	256

/*
 * @pending, @pending_cmd: the file's jobs not yet freed and the bytes of
 * command stream they hold, bounded by DRM_EDGENPU_MAX_PENDING_JOBS and
 * DRM_EDGENPU_MAX_PENDING_CMD.
 * @busy_ns, @cycles: the sums of every ended job's duration and modelled
 * cycles (what JOB_INFO reports of each), for fdinfo.
 * @ended: jobs that ended, whatever their status, for fdinfo.
 */
struct edgenpu_job_table {
	struct kref ref;
	atomic_t pending;
	atomic_t pending_cmd;
	/* protects next_id, rec, busy_ns, cycles and ended; taken in hard IRQ */
	spinlock_t lock;
	u64 next_id;
	u64 busy_ns;
	u64 cycles;
	u64 ended;
	struct drm_edgenpu_job_info rec[EDGENPU_JOB_RECORDS];
};

struct edgenpu_job_table *edgenpu_job_table_create(void)
{
	struct edgenpu_job_table *t = kvzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);

	if (!t)
		return NULL;
	kref_init(&t->ref);
	spin_lock_init(&t->lock);
	t->next_id = 1;
	return t;
}

static void edgenpu_job_table_release(struct kref *ref)
{
	kvfree(container_of(ref, struct edgenpu_job_table, ref));
}

void edgenpu_job_table_get(struct edgenpu_job_table *t)
{
	kref_get(&t->ref);
}

void edgenpu_job_table_put(struct edgenpu_job_table *t)
{
	if (!t || kref_put(&t->ref, edgenpu_job_table_release))
		return;
	/* the file's close may wait for its last job (only @t's address is used) */
	smp_mb__after_atomic();
	wake_up_var(&t->ref);
}

/**
 * edgenpu_job_table_wait_idle() - wait until the file's jobs are all freed
 * @t: the closing file's table, referenced by the file
 * @ms: at most this long
 *
 * A job's buffers, mappings and address space go with the job, when the
 * scheduler frees it; after an unbind the closing file may hold the last
 * reference on the DRM device, and nothing may outlive the device (its
 * GEM offset manager, its rings, the module's code). The closing file
 * aborts its jobs meanwhile (edgenpu_abort_vm_jobs()), so the whole wait
 * is bounded by aborts, not by what the jobs would run.
 *
 * Return: whether they are all freed.
 */
bool edgenpu_job_table_wait_idle(struct edgenpu_job_table *t, unsigned int ms)
{
	return wait_var_event_timeout(&t->ref, kref_read(&t->ref) == 1,
				      msecs_to_jiffies(ms)) > 0 ||
	       kref_read(&t->ref) == 1;
}

/**
 * edgenpu_job_table_reserve() - count a job of @cmd_size bytes against the
 *	file's limits
 * @t: the file's table
 * @cmd_size: its command stream
 * @cmd_limit: bytes of command stream the file may hold
 *
 * Return: 0, or -EBUSY when the file holds as many jobs or as much command
 * memory as it may; edgenpu_job_table_unreserve() gives it back.
 */
int edgenpu_job_table_reserve(struct edgenpu_job_table *t, u32 cmd_size,
			      u64 cmd_limit)
{
	if (atomic_inc_return(&t->pending) > DRM_EDGENPU_MAX_PENDING_JOBS) {
		atomic_dec(&t->pending);
		return -EBUSY;
	}
	if (atomic_add_return(cmd_size, &t->pending_cmd) > cmd_limit) {
		atomic_sub(cmd_size, &t->pending_cmd);
		atomic_dec(&t->pending);
		return -EBUSY;
	}
	return 0;
}

void edgenpu_job_table_unreserve(struct edgenpu_job_table *t, u32 cmd_size)
{
	atomic_sub(cmd_size, &t->pending_cmd);
	atomic_dec(&t->pending);
}

/* A new pending record; returns its job id. */
u64 edgenpu_job_table_add(struct edgenpu_job_table *t)
{
	struct drm_edgenpu_job_info *r;
	unsigned long flags;
	u64 id;

	spin_lock_irqsave(&t->lock, flags);
	id = t->next_id++;
	r = &t->rec[id % EDGENPU_JOB_RECORDS];
	memset(r, 0, sizeof(*r));
	r->job_id = id;
	r->status = DRM_EDGENPU_JOB_PENDING;
	spin_unlock_irqrestore(&t->lock, flags);
	return id;
}

void edgenpu_job_table_end(struct edgenpu_job_table *t, u64 id, u32 status,
			   const struct enpu_job_completion *done,
			   u64 duration_ns, u32 resets)
{
	struct drm_edgenpu_job_info *r;
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	t->ended++;
	t->busy_ns += duration_ns;
	if (done)
		t->cycles += done->cycles;
	r = &t->rec[id % EDGENPU_JOB_RECORDS];
	if (r->job_id == id) {
		r->status = status;
		r->resets = resets;
		r->duration_ns = duration_ns;
		if (done) {
			r->error_offset = done->error_offset;
			r->fault_addr = done->fault_addr;
			r->error_info = done->error_info;
			r->cycles = done->cycles;
			r->macs = done->macs;
			r->dram_read = done->dram_read;
			r->dram_write = done->dram_write;
			r->sram_read = done->sram_read;
			r->sram_write = done->sram_write;
			r->stall_cycles = done->stall_cycles;
			r->commands = done->commands;
		}
	}
	spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * edgenpu_job_table_usage() - what a file's ended jobs used
 * @t: the file's table
 * @busy_ns: the sum of their durations
 * @cycles: the sum of their modelled NPU cycles
 * @ended: how many there were
 */
void edgenpu_job_table_usage(struct edgenpu_job_table *t, u64 *busy_ns, u64 *cycles,
			     u64 *ended)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	*busy_ns = t->busy_ns;
	*cycles = t->cycles;
	*ended = t->ended;
	spin_unlock_irqrestore(&t->lock, flags);
}

int edgenpu_ioctl_job_info(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct edgenpu_file_priv *fpriv = file->driver_priv;
	struct edgenpu_job_table *t = fpriv->jobs;
	struct drm_edgenpu_job_info *args = data;
	unsigned long flags;
	u64 id = args->job_id;
	int ret = 0;

	if (args->flags)
		return -EINVAL;
	spin_lock_irqsave(&t->lock, flags);
	if (!id || id >= t->next_id)
		ret = -EINVAL;		/* never issued */
	else if (t->rec[id % EDGENPU_JOB_RECORDS].job_id != id)
		ret = -ENOENT;		/* too old, record reused */
	else
		*args = t->rec[id % EDGENPU_JOB_RECORDS];
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}
