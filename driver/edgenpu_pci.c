// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/* PCI bus glue: map BAR0, allocate interrupt vectors, register the device. */

#include <linux/devcoredump.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "edgenpu_drv.h"
#include "edgenpu_pm.h"
#include "edgenpu_sched.h"

static unsigned int edgenpu_job_timeout_ms = 500;
module_param_named(job_timeout_ms, edgenpu_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "time a job may run without progress before a reset (default 500)");

static void edgenpu_sched_fini_action(struct drm_device *drm, void *arg)
{
	edgenpu_sched_fini(arg);
}

static int edgenpu_pci_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct edgenpu_device *edev;
	void __iomem *regs;
	int nvec, ret;

	edev = devm_drm_dev_alloc(&pdev->dev, &edgenpu_drm_driver,
				  struct edgenpu_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	pci_set_drvdata(pdev, edev);
	edev->job_timeout_ms = max(edgenpu_job_timeout_ms, 10u);
	ida_init(&edev->asids);
	INIT_LIST_HEAD(&edev->files);
	ret = drmm_mutex_init(&edev->drm, &edev->files_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->reset_lock);
	if (ret)
		return ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	regs = pcim_iomap_region(pdev, ENPU_BAR_REGS, "edgenpu");
	if (IS_ERR(regs))
		return dev_err_probe(&pdev->dev, PTR_ERR(regs),
				     "cannot map register BAR %d\n",
				     ENPU_BAR_REGS);
	edev->regs = regs;

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "no usable DMA mask\n");
	pci_set_master(pdev);

	/* MSI-X; a single legacy interrupt where the platform has none. */
	nvec = pci_alloc_irq_vectors(pdev, 1, ENPU_MSIX_VECTORS,
				     PCI_IRQ_MSIX | PCI_IRQ_INTX);
	if (nvec < 0)
		return dev_err_probe(&pdev->dev, nvec,
				     "cannot allocate interrupt vectors\n");
	if (!pdev->msix_enabled)
		dev_warn(&pdev->dev, "MSI-X unavailable, using legacy INTx\n");
	edev->irq_vectors = nvec;
	edev->irq = pci_irq_vector(pdev, ENPU_MSIX_VECTOR_EVENTS);
	edev->pci_vendor = pdev->vendor;
	edev->pci_device = pdev->device;

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

	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		goto err_fini;
	edgenpu_debugfs_init(edev);

	edgenpu_pm_enable(&pdev->dev);
	pm_runtime_allow(&pdev->dev);
	pm_runtime_put_autosuspend(&pdev->dev);	/* the PCI core's reference */
	return 0;

err_fini:
	edgenpu_device_fini(edev);
	return ret;
}

/*
 * Unbind, with or without open files: the device is unplugged (ioctls
 * return -ENODEV from now on), stopped, and every job on it ended;
 * queued jobs end as they reach run_job. The DRM device and schedulers
 * live on until the last file is closed.
 */
static void edgenpu_pci_remove(struct pci_dev *pdev)
{
	struct edgenpu_device *edev = pci_get_drvdata(pdev);

	pm_runtime_get_sync(&pdev->dev);
	pm_runtime_forbid(&pdev->dev);
	edgenpu_pm_disable(&pdev->dev);
	drm_dev_unplug(&edev->drm);
	edgenpu_device_fini(edev);
	/* a hang's devcoredump would pin the module for minutes */
	dev_coredump_put(&pdev->dev);
}

static const struct pci_device_id edgenpu_pci_ids[] = {
	{ PCI_DEVICE(ENPU_PCI_VENDOR_ID, ENPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edgenpu_pci_ids);

static struct pci_driver edgenpu_pci_driver = {
	.name = "edgenpu",
	.id_table = edgenpu_pci_ids,
	.probe = edgenpu_pci_probe,
	.remove = edgenpu_pci_remove,
	.driver.pm = pm_ptr(&edgenpu_pm_ops),
};

int edgenpu_pci_register(void)
{
	return pci_register_driver(&edgenpu_pci_driver);
}

void edgenpu_pci_unregister(void)
{
	pci_unregister_driver(&edgenpu_pci_driver);
}
