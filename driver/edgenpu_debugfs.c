// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * debugfs, in /sys/kernel/debug/accel/<device>/:
 *   registers  every register (hw/edgenpu_hw.h)
 *   irq        interrupt counters
 *   contexts   open files: address space, mappings
 *   queues     rings: hardware indexes, jobs on the hardware, resets
 *   inject     write "hang", "dma-error", "drop-irq", "mmu-fault",
 *              "drop-doorbell" or "stuck-reset" to arm the device's fault
 *              injection (devices with debug=on only); "hang@high",
 *              "dma-error@high", "mmu-fault@high" for the next job of the
 *              high-priority ring only
 *   reset      write 1 to reset the device: the running job ends first (or
 *              with TIMEOUT if it makes no progress), jobs queued on the
 *              device are replayed
 *   seqno      write "RING SEQNO" to continue an idle ring's sequence at
 *              SEQNO (no lower than where it is): tests cross 2^31 and
 *              2^32 with it
 */

#include <linux/debugfs.h>
#include <linux/dma-map-ops.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "edgenpu_drv.h"
#include "edgenpu_file.h"
#include "edgenpu_sched.h"
#include "edgenpu_vm.h"

const struct edgenpu_reg_name edgenpu_reg_names[] = {
#define EDGENPU_REG_ENTRY(n, off) { #n, off },
	ENPU_REGS_FOREACH(EDGENPU_REG_ENTRY)
#undef EDGENPU_REG_ENTRY
};

const unsigned int edgenpu_num_reg_names = ARRAY_SIZE(edgenpu_reg_names);

static struct edgenpu_device *edgenpu_m(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_edgenpu(entry->dev);
}

static int edgenpu_debugfs_registers(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_m(m);
	unsigned int i;
	int idx, ret;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(edev->drm.dev);
	if (!ret) {
		for (i = 0; i < edgenpu_num_reg_names; i++)
			seq_printf(m, "%-20s 0x%04x 0x%08x\n", edgenpu_reg_names[i].name,
				   edgenpu_reg_names[i].offset,
				   edgenpu_read(edev, edgenpu_reg_names[i].offset));
		pm_runtime_mark_last_busy(edev->drm.dev);
		pm_runtime_put_autosuspend(edev->drm.dev);
	}
	drm_dev_exit(idx);
	return ret;
}

static int edgenpu_debugfs_irq(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_m(m);
	u64 count;
	u32 last;

	spin_lock_irq(&edev->irq_lock);
	count = edev->irq_count;
	last = edev->irq_last_status;
	spin_unlock_irq(&edev->irq_lock);

	seq_printf(m, "irq %d\nvectors %u\ncount %llu\nlast_status 0x%08x\n",
		   edev->irq, edev->irq_vectors, count, last);
	return 0;
}

/* How the CPU sees buffers (uAPI: no cache maintenance by the caller). */
static int edgenpu_debugfs_memory(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_m(m);
	bool coherent = dev_is_dma_coherent(edev->drm.dev);

	seq_printf(m, "dma_coherent %s\ncpu_mappings %s\n", coherent ? "yes" : "no",
		   coherent ? "cached" : "write-combined");
	return 0;
}

static int edgenpu_debugfs_contexts(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_m(m);
	struct edgenpu_file_priv *fpriv;
	struct edgenpu_mapping *map;

	mutex_lock(&edev->files_lock);
	list_for_each_entry(fpriv, &edev->files, link) {
		struct edgenpu_vm *vm = fpriv->vm;

		seq_printf(m, "pid %d comm %s asid %u pt_base 0x%llx\n", fpriv->pid,
			   fpriv->comm, vm->asid, (u64)vm->l1_dma);
		mutex_lock(&vm->lock);
		list_for_each_entry(map, &vm->mappings, link)
			seq_printf(m, "  va 0x%08llx size %llu %s%s\n", map->node.start,
				   map->size, map->writable ? "rw" : "ro",
				   map->unmapped ? " (unmapped, in use)" : "");
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&edev->files_lock);
	return 0;
}

static int edgenpu_debugfs_queues(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_m(m);
	struct edgenpu_job *job;
	unsigned long flags;
	unsigned int r;
	u64 now = ktime_get_ns();

	seq_printf(m, "resets %d\njob_timeout_ms %u\njob_max_ms %u\nwedged %s\ncoredump_pending %d\n",
		   atomic_read(&edev->resets), edev->job_timeout_ms,
		   edgenpu_job_max_ms(),
		   READ_ONCE(edev->wedged) ? "yes" : "no",
		   edgenpu_coredump_pending(edev));
	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		struct edgenpu_ring *ring = &edev->ring[r];

		spin_lock_irqsave(&ring->lock, flags);
		seq_printf(m, "%s: tail %u last_seqno %llu credits %u/%u kicks %u\n",
			   ring->name, ring->tail, ring->emit_seqno,
			   atomic_read(&ring->sched.credit_count),
			   ring->sched.credit_limit, ring->kicks);
		list_for_each_entry(job, &ring->inflight, node)
			seq_printf(m, "  job %llu seqno %llu index %u asid %u running %llu us resets %u cmd %pad %s\n",
				   job->id, job->hw_fence->seqno, job->hw_index,
				   job->vm->asid, (now - job->start_ns) / 1000,
				   job->resets, &job->cmd_dma,
				   job->cmd_slab ? "mapped" : "coherent");
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	return 0;
}

/*
 * "doorbell": rings the doorbell once and prints the nanoseconds from the
 * register write to its interrupt's completion, the shortest round trip
 * to the device and back (tests/bench/roundtrip_bench.c compares a job's
 * with it). The cause is unmasked for the ring only, under reset_lock,
 * which every other writer of the mask holds.
 */
#define EDGENPU_DOORBELL_COOKIE	0xd00be11u

static int edgenpu_debugfs_doorbell(struct seq_file *m, void *data)
{
	struct edgenpu_device *edev = edgenpu_m(m);
	u64 ns = 0;
	int idx, ret;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(edev->drm.dev);
	if (ret)
		goto exit;
	mutex_lock(&edev->reset_lock);
	if (edev->wedged) {
		ret = -EIO;
	} else {
		edgenpu_write(edev, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
		ret = edgenpu_doorbell_roundtrip(edev, EDGENPU_DOORBELL_COOKIE, &ns);
		edgenpu_write(edev, ENPU_REG_IRQ_MASK, EDGENPU_IRQ_MASK_RUN);
	}
	mutex_unlock(&edev->reset_lock);
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
	if (!ret)
		seq_printf(m, "%llu\n", ns);
exit:
	drm_dev_exit(idx);
	return ret;
}

static const struct drm_debugfs_info edgenpu_debugfs_list[] = {
	{ .name = "registers", .show = edgenpu_debugfs_registers },
	{ .name = "irq", .show = edgenpu_debugfs_irq },
	{ .name = "memory", .show = edgenpu_debugfs_memory },
	{ .name = "contexts", .show = edgenpu_debugfs_contexts },
	{ .name = "queues", .show = edgenpu_debugfs_queues },
	{ .name = "doorbell", .show = edgenpu_debugfs_doorbell },
};

static const struct {
	const char *name;
	u32 bit;
} edgenpu_inject_names[] = {
	{ "hang", ENPU_INJECT_HANG },
	{ "dma-error", ENPU_INJECT_DMA_ERROR },
	{ "drop-irq", ENPU_INJECT_DROP_IRQ },
	{ "mmu-fault", ENPU_INJECT_MMU_FAULT },
	{ "drop-doorbell", ENPU_INJECT_DROP_DOORBELL },
	{ "stuck-reset", ENPU_INJECT_STUCK_RESET },
};

static ssize_t edgenpu_inject_write(struct file *f, const char __user *ubuf,
				    size_t len, loff_t *pos)
{
	struct edgenpu_device *edev = file_inode(f)->i_private;
	char buf[32], *name, *at;
	unsigned int i;
	u32 bits = 0;
	int idx, ret;

	if (!(edev->hw_caps & ENPU_CAP_DEBUG))
		return -ENODEV;	/* the device has no fault injection */
	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	name = strim(buf);
	/* "NAME@high": a job fault for the next high-priority job only */
	at = strchr(name, '@');
	if (at) {
		*at++ = '\0';
		if (strcmp(at, "high"))
			return -EINVAL;
		bits = ENPU_INJECT_RING1;
	}
	for (i = 0; i < ARRAY_SIZE(edgenpu_inject_names); i++)
		if (!strcmp(name, edgenpu_inject_names[i].name))
			break;
	if (i == ARRAY_SIZE(edgenpu_inject_names))
		return -EINVAL;
	bits |= edgenpu_inject_names[i].bit;
	if ((bits & ENPU_INJECT_RING1) && !(bits & ENPU_INJECT_JOB_FAULTS))
		return -EINVAL;
	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(edev->drm.dev);
	if (!ret) {
		edgenpu_write(edev, ENPU_REG_DBG_INJECT, bits);
		pm_runtime_mark_last_busy(edev->drm.dev);
		pm_runtime_put_autosuspend(edev->drm.dev);
	}
	drm_dev_exit(idx);
	return ret ? ret : len;
}

static const struct file_operations edgenpu_inject_fops = {
	.owner = THIS_MODULE,
	.write = edgenpu_inject_write,
	.llseek = noop_llseek,
};

static ssize_t edgenpu_reset_write(struct file *f, const char __user *ubuf,
				   size_t len, loff_t *pos)
{
	struct edgenpu_device *edev = file_inode(f)->i_private;
	bool go;
	int ret;

	ret = kstrtobool_from_user(ubuf, len, &go);
	if (ret)
		return ret;
	if (!go)
		return len;
	ret = pm_runtime_resume_and_get(edev->drm.dev);
	if (ret)
		return ret;
	mutex_lock(&edev->reset_lock);
	edgenpu_sched_stop(edev);
	ret = edgenpu_reset(edev, NULL);
	edgenpu_sched_start(edev);
	mutex_unlock(&edev->reset_lock);
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
	return ret ? ret : len;
}

static const struct file_operations edgenpu_reset_fops = {
	.owner = THIS_MODULE,
	.write = edgenpu_reset_write,
	.llseek = noop_llseek,
};

static ssize_t edgenpu_seqno_write(struct file *f, const char __user *ubuf,
				   size_t len, loff_t *pos)
{
	struct edgenpu_device *edev = file_inode(f)->i_private;
	unsigned int ring;
	char buf[48];
	u64 seqno;
	int idx, ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %llu", &ring, &seqno) != 2)
		return -EINVAL;
	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = edgenpu_ring_set_seqno(edev, ring, seqno);
	drm_dev_exit(idx);
	return ret ? ret : len;
}

static const struct file_operations edgenpu_seqno_fops = {
	.owner = THIS_MODULE,
	.write = edgenpu_seqno_write,
	.llseek = noop_llseek,
};

void edgenpu_debugfs_init(struct edgenpu_device *edev)
{
	drm_debugfs_add_files(&edev->drm, edgenpu_debugfs_list,
			      ARRAY_SIZE(edgenpu_debugfs_list));
	debugfs_create_file("inject", 0200, edev->drm.debugfs_root, edev,
			    &edgenpu_inject_fops);
	debugfs_create_file("reset", 0200, edev->drm.debugfs_root, edev,
			    &edgenpu_reset_fops);
	debugfs_create_file("seqno", 0200, edev->drm.debugfs_root, edev,
			    &edgenpu_seqno_fops);
}
