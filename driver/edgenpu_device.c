// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Bus-independent bring-up of the NPU: the DRM device's life from the
 * bus glue's probe to its remove (edgenpu_pci.c, edgenpu_platform.c),
 * identification, soft reset, interrupt handling and the interrupt
 * self-test done at probe.
 */

#include <linux/devcoredump.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "edgenpu_drv.h"
#include "edgenpu_gem.h"
#include "edgenpu_pm.h"
#include "edgenpu_sched.h"
#include "edgenpu_trace.h"
#include "edgenpu_vm.h"

#define EDGENPU_SELFTEST_COOKIE		0x5e1f7e57
#define EDGENPU_SELFTEST_TIMEOUT_MS	2000
/*
 * How long a reset may take before the device is taken for failed: the
 * contract's bound (ENPU_RESET_TIME_MAX_US) with room for an emulated
 * device on a loaded host.
 */
#define EDGENPU_RESET_TIMEOUT_US	(10 * ENPU_RESET_TIME_MAX_US)
/* The oldest contract the driver drives: ASID_RETIRE, ABORT_SEQNO... */
#define EDGENPU_HW_MINOR_MIN		3

static unsigned int edgenpu_job_timeout_ms = 500;
module_param_named(job_timeout_ms, edgenpu_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "time a job may run without progress before a reset (default 500)");

static unsigned int edgenpu_job_max_ms_param = 10000;
module_param_named(job_max_ms, edgenpu_job_max_ms_param, uint, 0644);
MODULE_PARM_DESC(job_max_ms,
		 "time a job may run on the device, progressing or not, before it is aborted with TIMEOUT (default 10000; read at every check)");

/* The runtime limit of a job (module parameter job_max_ms, at least 10 ms). */
unsigned int edgenpu_job_max_ms(void)
{
	return max(READ_ONCE(edgenpu_job_max_ms_param), 10u);
}

/**
 * edgenpu_irq_ack() - acknowledge and handle the latched interrupt causes
 * @edev: device
 *
 * Called by the interrupt handler, and by the timeout handler for a lost
 * interrupt message: the device sends a new message only once every
 * latched cause has been cleared.
 *
 * Return: the causes handled.
 */
u32 edgenpu_irq_ack(struct edgenpu_device *edev)
{
	u32 status;

	status = edgenpu_read(edev, ENPU_REG_IRQ_STATUS);
	/* all ones: the device is gone from the bus */
	if (!status || status == ~0u)
		return 0;
	status &= edgenpu_read(edev, ENPU_REG_IRQ_MASK);
	if (!status)
		return 0;

	edgenpu_write(edev, ENPU_REG_IRQ_CLEAR, status);

	if (status & ENPU_IRQ_DOORBELL)
		complete(&edev->doorbell_done);
	if (status & ENPU_IRQ_MMU_FAULT) {
		u32 va = edgenpu_read(edev, ENPU_REG_MMU_FAULT_ADDR);
		u32 asid = edgenpu_read(edev, ENPU_REG_MMU_FAULT_ASID);
		u32 seqno = edgenpu_read(edev, ENPU_REG_MMU_FAULT_SEQNO);
		u32 why = edgenpu_read(edev, ENPU_REG_MMU_FAULT_STATUS);

		/* the owning job learns it from its completion record */
		drm_dbg(&edev->drm, "MMU fault: VA 0x%08x asid %u seqno %u status 0x%x\n",
			va, asid, seqno, why);
		trace_edgenpu_mmu_fault(edev, va, asid, seqno, why);
		edgenpu_write(edev, ENPU_REG_MMU_FAULT_CLEAR, 1);
	}
	if (status & ENPU_IRQ_RING_ERROR)
		drm_err_ratelimited(&edev->drm, "ring stopped: ring0 0x%x ring1 0x%x\n",
				    edgenpu_ring_read(&edev->ring[0], ENPU_RING_STATUS),
				    edgenpu_ring_read(&edev->ring[1], ENPU_RING_STATUS));
	if (status & (ENPU_IRQ_RING_DONE(0) | ENPU_IRQ_RING_DONE(1) |
		      ENPU_IRQ_JOB_ERROR)) {
		edgenpu_ring_complete(&edev->ring[ENPU_RING_HIGH]);
		edgenpu_ring_complete(&edev->ring[ENPU_RING_NORMAL]);
	}
	return status;
}

static irqreturn_t edgenpu_irq(int irq, void *arg)
{
	struct edgenpu_device *edev = arg;
	u32 status;

	/* a shared line may fire while the device is off: not ours */
	if (!READ_ONCE(edev->powered))
		return IRQ_NONE;
	status = edgenpu_irq_ack(edev);
	if (!status)
		return IRQ_NONE;

	spin_lock(&edev->irq_lock);
	edev->irq_count++;
	edev->irq_last_status = status;
	spin_unlock(&edev->irq_lock);
	return IRQ_HANDLED;
}

static int edgenpu_identify(struct edgenpu_device *edev)
{
	struct drm_device *drm = &edev->drm;
	u32 id = edgenpu_read(edev, ENPU_REG_ID);

	if (id != ENPU_ID_MAGIC) {
		drm_err(drm, "ID register reads 0x%08x, expected 0x%08x: not an EdgeNPU\n",
			id, ENPU_ID_MAGIC);
		return -ENODEV;
	}

	edev->hw_version = edgenpu_read(edev, ENPU_REG_VERSION);
	if (ENPU_VERSION_MAJOR(edev->hw_version) != ENPU_HW_VERSION_MAJOR ||
	    ENPU_VERSION_MINOR(edev->hw_version) < EDGENPU_HW_MINOR_MIN) {
		drm_err(drm, "hardware contract %u.%u.%u is not supported (driver speaks %u.%u and later %u.x)\n",
			ENPU_VERSION_MAJOR(edev->hw_version),
			ENPU_VERSION_MINOR(edev->hw_version),
			ENPU_VERSION_PATCH(edev->hw_version),
			ENPU_HW_VERSION_MAJOR, EDGENPU_HW_MINOR_MIN,
			ENPU_HW_VERSION_MAJOR);
		return -ENODEV;
	}

	edev->hw_caps = edgenpu_read(edev, ENPU_REG_CAPS);
	edev->macs_per_cycle = edgenpu_read(edev, ENPU_REG_MACS_PER_CYCLE);
	edev->clock_mhz = edgenpu_read(edev, ENPU_REG_CLOCK_MHZ);
	edev->dram_bw_mbps = edgenpu_read(edev, ENPU_REG_DRAM_BW_MBPS);
	edev->sram_bw_mbps = edgenpu_read(edev, ENPU_REG_SRAM_BW_MBPS);
	edev->sram_size = edgenpu_read(edev, ENPU_REG_SRAM_SIZE);
	if (!edev->sram_size)
		edev->sram_size = edev->sram_size_fw;
	return 0;
}

/**
 * edgenpu_hw_reset() - soft reset, and wait for the device to confirm it
 * @edev: device
 *
 * The device clears STATUS.READY until it has stopped what it ran (within
 * the contract's ENPU_RESET_TIME_MAX_US).
 *
 * Return: 0, or -ETIMEDOUT when READY is not back: the device may still
 * be running, and whatever it may reach must stay.
 */
int edgenpu_hw_reset(struct edgenpu_device *edev)
{
	u32 status;
	int ret;

	edgenpu_write(edev, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ret = readl_poll_timeout(edev->regs + ENPU_REG_STATUS, status,
				 status & ENPU_STATUS_READY, 100,
				 EDGENPU_RESET_TIMEOUT_US);
	if (ret)
		drm_err(&edev->drm, "NPU not ready %d ms after soft reset\n",
			EDGENPU_RESET_TIMEOUT_US / 1000);
	return ret;
}

/**
 * edgenpu_doorbell_roundtrip() - ring the doorbell and wait for its interrupt
 * @edev: powered device whose IRQ mask lets the doorbell cause through
 * @cookie: value written; DOORBELL_ACK must return it
 * @ns: the time from the write to the interrupt's completion (may be NULL)
 *
 * Proves MMIO and IRQ routing (the probe's self-test) and measures the
 * smallest round trip to the device and back (debugfs "doorbell"). Callers
 * serialise on @edev->reset_lock or run before the device is registered.
 *
 * Return: 0, or -EIO (logged) when no interrupt came within
 * EDGENPU_SELFTEST_TIMEOUT_MS or the device acknowledged another value.
 */
int edgenpu_doorbell_roundtrip(struct edgenpu_device *edev, u32 cookie, u64 *ns)
{
	unsigned long left;
	u64 start;
	u32 ack;

	reinit_completion(&edev->doorbell_done);
	start = ktime_get_ns();
	edgenpu_write(edev, ENPU_REG_DOORBELL, cookie);
	left = wait_for_completion_timeout(&edev->doorbell_done,
					   msecs_to_jiffies(EDGENPU_SELFTEST_TIMEOUT_MS));
	if (ns)
		*ns = ktime_get_ns() - start;
	if (!left) {
		drm_err(&edev->drm, "doorbell: no interrupt within %d ms (IRQ %d)\n",
			EDGENPU_SELFTEST_TIMEOUT_MS, edev->irq);
		return -EIO;
	}
	ack = edgenpu_read(edev, ENPU_REG_DOORBELL_ACK);
	if (ack != cookie) {
		drm_err(&edev->drm, "doorbell: acknowledged 0x%08x, wrote 0x%08x\n",
			ack, cookie);
		return -EIO;
	}
	return 0;
}

/**
 * edgenpu_device_init() - bring up the NPU once the bus glue mapped it
 * @edev: device with @regs, @irq and @irq_vectors set
 *
 * Return: 0, or a negative errno with the reason logged.
 */
int edgenpu_device_init(struct edgenpu_device *edev)
{
	struct drm_device *drm = &edev->drm;
	int ret;

	spin_lock_init(&edev->irq_lock);
	init_completion(&edev->doorbell_done);
	edgenpu_recovery_init(edev);
	WRITE_ONCE(edev->powered, true);
	for (ret = 0; ret < ENPU_NUM_RINGS; ret++) {
		spin_lock_init(&edev->ring[ret].lock);
		INIT_LIST_HEAD(&edev->ring[ret].inflight);
	}

	ret = edgenpu_identify(edev);
	if (ret)
		return ret;

	ret = edgenpu_hw_reset(edev);
	if (ret)
		return ret;

	ret = devm_request_irq(drm->dev, edev->irq, edgenpu_irq, IRQF_SHARED,
			       dev_name(drm->dev), edev);
	if (ret) {
		drm_err(drm, "cannot request IRQ %d: %d\n", edev->irq, ret);
		return ret;
	}

	/* the interrupt self-test: proves MMIO and IRQ routing */
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	ret = edgenpu_doorbell_roundtrip(edev, EDGENPU_SELFTEST_COOKIE, NULL);
	if (ret) {
		edgenpu_write(edev, ENPU_REG_IRQ_MASK, 0);
		return ret;
	}

	drm_info(drm, "EdgeNPU contract %u.%u.%u, %u MACs/cycle at %u MHz, %u KiB SRAM, %u IRQ vector(s)\n",
		 ENPU_VERSION_MAJOR(edev->hw_version),
		 ENPU_VERSION_MINOR(edev->hw_version),
		 ENPU_VERSION_PATCH(edev->hw_version),
		 edev->macs_per_cycle, edev->clock_mhz, edev->sram_size / 1024,
		 edev->irq_vectors);
	return 0;
}

/**
 * edgenpu_hw_start() - make the NPU take jobs
 * @edev: identified device whose rings are allocated (edgenpu_sched_init)
 *
 * Resets the device, programs both rings and unmasks the job interrupts.
 * Used at probe and when resuming.
 *
 * Return: 0 or -EIO.
 */
int edgenpu_hw_start(struct edgenpu_device *edev)
{
	int ret = edgenpu_hw_reset(edev);

	if (ret)
		return ret;
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, EDGENPU_IRQ_MASK_RUN);
	edgenpu_rings_hw_init(edev);
	return 0;
}

/**
 * edgenpu_device_fini() - quiesce the NPU before the bus glue lets go
 * @edev: device
 *
 * Masks every interrupt, stops the device (a reset abandons what it was
 * running; a hard reset if the soft one is not confirmed) and ends every
 * job it held as CANCELED, so no fence is left unsignalled; the IRQ can
 * be released afterwards. Memory the device may still reach is freed
 * only once it is known to have stopped (edgenpu_device_stop()).
 */
void edgenpu_device_fini(struct edgenpu_device *edev)
{
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, 0);
	edgenpu_write(edev, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);
	synchronize_irq(edev->irq);
	mutex_lock(&edev->reset_lock);
	edgenpu_device_stop(edev);
	WRITE_ONCE(edev->powered, false);
	mutex_unlock(&edev->reset_lock);
}

/* How long an unbind waits for the device's jobs to be freed. */
#define EDGENPU_UNPLUG_JOBS_MS	10000

/*
 * Unbind: every job was ended (edgenpu_device_fini()); the scheduler frees
 * them, and with them their command streams and what they mapped. A job
 * still waiting for another device's fence may take longer: bounded.
 */
static void edgenpu_wait_jobs_freed(struct edgenpu_device *edev)
{
	if (!wait_var_event_timeout(&edev->jobs_alive, !atomic_read(&edev->jobs_alive),
				    msecs_to_jiffies(EDGENPU_UNPLUG_JOBS_MS)))
		drm_warn(&edev->drm, "unbind: %d job(s) not freed after %u ms\n",
			 atomic_read(&edev->jobs_alive), EDGENPU_UNPLUG_JOBS_MS);
}

/**
 * edgenpu_device_alloc() - allocate the NPU for a bus device
 * @dev: the PCI or platform device
 *
 * The structure lives as long as the DRM device (devm: at least until
 * @dev is unbound, longer while files are open). @dev's driver data is
 * set to it.
 *
 * Return: the device, or an ERR_PTR().
 */
struct edgenpu_device *edgenpu_device_alloc(struct device *dev)
{
	struct edgenpu_device *edev;
	int ret;

	edev = devm_drm_dev_alloc(dev, &edgenpu_drm_driver,
				  struct edgenpu_device, drm);
	if (IS_ERR(edev))
		return edev;
	dev_set_drvdata(dev, edev);
	edev->job_timeout_ms = max(edgenpu_job_timeout_ms, 10u);
	spin_lock_init(&edev->busy_lock);
	ida_init(&edev->asids);
	INIT_LIST_HEAD(&edev->files);
	INIT_LIST_HEAD(&edev->bos);
	ret = drmm_mutex_init(&edev->drm, &edev->files_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->bos_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->reset_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->sched_pause_lock);
	return ret ? ERR_PTR(ret) : edev;
}

static void edgenpu_sched_fini_action(struct drm_device *drm, void *arg)
{
	edgenpu_sched_fini(arg);
}

/**
 * edgenpu_device_register() - bring the NPU up and expose it
 * @edev: device whose bus glue set @regs, @irq, @irq_vectors and powered
 *	it (runtime PM active, with a usage reference the glue drops after)
 *
 * Identifies and resets the NPU, proves its interrupt, creates the
 * schedulers and rings, registers the accel node and debugfs and sets up
 * autosuspend.
 *
 * Return: 0, or a negative errno with the reason logged; on error the
 * device is left quiesced.
 */
int edgenpu_device_register(struct edgenpu_device *edev)
{
	int ret;

	ret = edgenpu_device_init(edev);
	if (ret)
		return ret;
	ret = edgenpu_sched_init(edev);
	if (ret)
		goto err_fini;
	ret = drmm_add_action_or_reset(&edev->drm, edgenpu_sched_fini_action, edev);
	if (ret)
		goto err_fini;
	ret = edgenpu_hw_start(edev);
	if (ret)
		goto err_fini;
	ret = edgenpu_sysfs_init(edev);
	if (ret)
		goto err_fini;

	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		goto err_fini;
	edgenpu_debugfs_init(edev);
	edgenpu_pm_enable(edev->drm.dev);
	return 0;

err_fini:
	edgenpu_device_fini(edev);
	return ret;
}

/**
 * edgenpu_device_unplug() - take the NPU away at unbind
 * @edev: registered device, runtime-resumed by the caller
 *
 * With or without open files: the device is unplugged (ioctls return
 * -ENODEV from now on), stopped, and every job on it ended; queued jobs
 * end as they reach run_job. The DRM device and the schedulers live on
 * until the last file is closed.
 */
void edgenpu_device_unplug(struct edgenpu_device *edev)
{
	struct device *dev = edev->drm.dev;

	edgenpu_pm_disable(dev);
	drm_dev_unplug(&edev->drm);
	edgenpu_device_fini(edev);
	/* nothing the device could reach outlives its binding */
	edgenpu_wait_jobs_freed(edev);
	edgenpu_vm_unbind_all(edev);
	edgenpu_gem_unbind_all(edev);
	/* a hang's devcoredump would pin the module for minutes */
	edgenpu_recovery_fini(edev);
	dev_coredump_put(dev);
}
