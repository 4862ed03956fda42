// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Power management. Every queued job holds a runtime-PM reference from
 * submit to its end, so the device suspends (after a 50 ms autosuspend
 * delay) only when idle; resuming resets it and reprograms the rings.
 * System sleep stops the schedulers and lets the running job end (for at
 * most EDGENPU_SLEEP_DRAIN_MS, then aborts it), goes through the same
 * callbacks, and on resume puts the jobs that never started back on the
 * rings: a started job is never run again. Fault injections armed
 * through debugfs survive a suspend. From suspend to resume no register
 * is touched (edev->powered), and a resume whose reset the device does
 * not confirm wedges the device (edgenpu_recovery.c) instead of failing. On a platform device the
 * reset line is asserted and the clocks are gated while suspended, and the
 * power domain (attached by the platform core) follows the device's
 * runtime PM state.
 */

#include <linux/clk.h>
#include <linux/interrupt.h>
#include <linux/pm_runtime.h>
#include <linux/reset.h>

#include <drm/drm_print.h>

#include "edgenpu_drv.h"
#include "edgenpu_pm.h"
#include "edgenpu_sched.h"

static int edgenpu_runtime_suspend(struct device *dev)
{
	struct edgenpu_device *edev = dev_get_drvdata(dev);
	int ret;

	mutex_lock(&edev->reset_lock);
	edgenpu_write(edev, ENPU_REG_IRQ_MASK, 0);
	if (edev->hw_caps & ENPU_CAP_DEBUG)
		edev->inject_armed = edgenpu_read(edev, ENPU_REG_DBG_INJECT) &
				     (ENPU_INJECT_ALL | ENPU_INJECT_RING1);
	/* from here no register access until resume: not even a shared IRQ's */
	WRITE_ONCE(edev->powered, false);
	mutex_unlock(&edev->reset_lock);
	synchronize_irq(edev->irq);
	ret = reset_control_assert(edev->rst);
	if (ret) {
		drm_err(&edev->drm, "cannot assert reset on suspend: %d\n", ret);
		WRITE_ONCE(edev->powered, true);
		edgenpu_write(edev, ENPU_REG_IRQ_MASK, EDGENPU_IRQ_MASK_RUN);
		return ret;
	}
	clk_bulk_disable_unprepare(edev->num_clks, edev->clks);
	drm_dbg(&edev->drm, "runtime suspended\n");
	return 0;
}

static int edgenpu_runtime_resume(struct device *dev)
{
	struct edgenpu_device *edev = dev_get_drvdata(dev);
	int ret;

	ret = clk_bulk_prepare_enable(edev->num_clks, edev->clks);
	if (ret) {
		drm_err(&edev->drm, "cannot enable clocks on resume: %d\n", ret);
		return ret;
	}
	ret = reset_control_deassert(edev->rst);
	if (ret) {
		drm_err(&edev->drm, "cannot deassert reset on resume: %d\n", ret);
		clk_bulk_disable_unprepare(edev->num_clks, edev->clks);
		return ret;
	}
	mutex_lock(&edev->reset_lock);
	WRITE_ONCE(edev->powered, true);
	ret = edgenpu_hw_start(edev);
	if (!ret && edev->inject_armed) {
		edgenpu_write(edev, ENPU_REG_DBG_INJECT, edev->inject_armed);
		edev->inject_armed = 0;
	}
	/*
	 * A device that does not confirm its reset is wedged, not a failed
	 * resume: the PM core would refuse every later resume (-EINVAL) and
	 * the device could not even be recovered.
	 */
	if (ret)
		edgenpu_wedge(edev, "the device did not confirm its reset on resume");
	mutex_unlock(&edev->reset_lock);
	drm_dbg(&edev->drm, "runtime resumed: %d\n", ret);
	return 0;
}

/* How long system sleep lets the running job end before aborting it. */
#define EDGENPU_SLEEP_DRAIN_MS	1000

static int edgenpu_system_suspend(struct device *dev)
{
	struct edgenpu_device *edev = dev_get_drvdata(dev);
	int ret = 0;

	edgenpu_sched_stop(edev);
	mutex_lock(&edev->reset_lock);
	if (READ_ONCE(edev->powered))
		ret = edgenpu_sleep_drain(edev, EDGENPU_SLEEP_DRAIN_MS);
	mutex_unlock(&edev->reset_lock);
	if (!ret)
		ret = pm_runtime_force_suspend(dev);
	if (ret) {
		/* back to work: the rings run what they had */
		mutex_lock(&edev->reset_lock);
		edgenpu_sleep_resume(edev);
		mutex_unlock(&edev->reset_lock);
		edgenpu_sched_start(edev);
	}
	return ret;
}

static int edgenpu_system_resume(struct device *dev)
{
	struct edgenpu_device *edev = dev_get_drvdata(dev);
	int ret = pm_runtime_force_resume(dev);

	mutex_lock(&edev->reset_lock);
	if (!ret)
		edgenpu_sleep_resume(edev);
	mutex_unlock(&edev->reset_lock);
	edgenpu_sched_start(edev);
	return ret;
}

const struct dev_pm_ops edgenpu_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(edgenpu_system_suspend, edgenpu_system_resume)
	RUNTIME_PM_OPS(edgenpu_runtime_suspend, edgenpu_runtime_resume, NULL)
};

void edgenpu_pm_enable(struct device *dev)
{
	pm_runtime_set_autosuspend_delay(dev, EDGENPU_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
}

void edgenpu_pm_disable(struct device *dev)
{
	pm_runtime_dont_use_autosuspend(dev);
}
