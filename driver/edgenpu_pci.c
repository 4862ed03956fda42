// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * PCI bus glue: map BAR0, allocate interrupt vectors, register the device;
 * the function level reset, the hard reset that stops the device
 * whatever it does (used at unbind when a soft reset is not confirmed),
 * and the PCI core's reset (sysfs "reset"), which recovers a wedged
 * device.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "edgenpu_drv.h"
#include "edgenpu_pm.h"
#include "edgenpu_sched.h"

/*
 * Function level reset, the configuration space kept (BARs, MSI-X):
 * 0 once the device is back and READY.
 */
static int edgenpu_pci_flr(struct edgenpu_device *edev)
{
	struct pci_dev *pdev = to_pci_dev(edev->drm.dev);
	int ret;

	if (pcie_reset_flr(pdev, PCI_RESET_PROBE))
		return -ENOTTY;
	pci_save_state(pdev);
	ret = pcie_flr(pdev);
	pci_restore_state(pdev);
	if (ret) {
		drm_err(&edev->drm, "function level reset failed: %d\n", ret);
		return ret;
	}
	return edgenpu_hw_reset(edev);
}

static int edgenpu_pci_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct edgenpu_device *edev;
	void __iomem *regs;
	int nvec, ret;

	edev = edgenpu_device_alloc(&pdev->dev);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

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
	/* the page tables take a buffer's pages one by one: any segment length */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
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
	edev->hard_reset = edgenpu_pci_flr;

	/* the PCI core holds the device runtime-active during probe */
	ret = edgenpu_device_register(edev);
	if (ret)
		return ret;
	pm_runtime_allow(&pdev->dev);
	pm_runtime_put_autosuspend(&pdev->dev);	/* the PCI core's reference */
	return 0;
}

static void edgenpu_pci_remove(struct pci_dev *pdev)
{
	struct edgenpu_device *edev = pci_get_drvdata(pdev);

	pm_runtime_get_sync(&pdev->dev);
	pm_runtime_forbid(&pdev->dev);
	edgenpu_device_unplug(edev);
}

/* The PCI core resets the function (sysfs "reset", AER): edgenpu_recovery.c */
static void edgenpu_pci_reset_prepare(struct pci_dev *pdev)
{
	struct edgenpu_device *edev = pci_get_drvdata(pdev);
	int idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return;
	if (edgenpu_hard_reset_prepare(edev))
		drm_err(&edev->drm, "cannot resume for a function reset\n");
	else
		edev->pci_resetting = true;
	drm_dev_exit(idx);
}

static void edgenpu_pci_reset_done(struct pci_dev *pdev)
{
	struct edgenpu_device *edev = pci_get_drvdata(pdev);

	if (!edev->pci_resetting)
		return;
	edev->pci_resetting = false;
	edgenpu_hard_reset_done(edev);
}

static const struct pci_error_handlers edgenpu_pci_err_handlers = {
	.reset_prepare = edgenpu_pci_reset_prepare,
	.reset_done = edgenpu_pci_reset_done,
};

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
	.err_handler = &edgenpu_pci_err_handlers,
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
