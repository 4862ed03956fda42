// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Platform bus glue: the NPU as a device-tree node (binding:
 * dts/bindings/npu/edgenpu,npu.yaml). Maps the register window, takes
 * the interrupt, the optional clocks and reset, the reserved carve-out,
 * and sets the DMA mask from the integration's address width. A power
 * domain is attached by the platform core and follows runtime PM; an
 * IOMMU named by "iommus" is used through the DMA API.
 */

#include <linux/clk.h>
#include <linux/dma-mapping.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/property.h>
#include <linux/reset.h>

#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "edgenpu_drv.h"
#include "edgenpu_pm.h"

#define EDGENPU_DMA_BITS_MIN	32
#define EDGENPU_DMA_BITS_MAX	64

static void edgenpu_platform_reserved_mem_release(struct drm_device *drm, void *dev)
{
	of_reserved_mem_device_release(dev);
}

/*
 * A "memory-region" carve-out backs the driver's coherent allocations
 * (rings, page tables, command streams). Page tables and command streams
 * live as long as the files and jobs using them, which may outlast an
 * unbind, so the carve-out is let go with the DRM device, after them.
 * Return: 1 when there is one, 0 when not, or a negative errno.
 */
static int edgenpu_platform_reserved_mem(struct edgenpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct reserved_mem *rmem;
	struct device_node *rn;
	int ret = of_reserved_mem_device_init(dev);

	if (ret == -ENODEV)
		return 0;	/* no memory-region */
	if (ret)
		return dev_err_probe(dev, ret, "cannot use the memory-region carve-out\n");
	ret = drmm_add_action_or_reset(&edev->drm, edgenpu_platform_reserved_mem_release,
				       dev);
	if (ret)
		return ret;
	edev->carveout = true;
	/*
	 * Command streams come from the carve-out too: half of it for them,
	 * all files together, the rest for page tables and rings.
	 */
	rn = of_parse_phandle(dev->of_node, "memory-region", 0);
	rmem = rn ? of_reserved_mem_lookup(rn) : NULL;
	of_node_put(rn);
	if (rmem)
		edev->cmd_budget = rmem->size / 2;
	return 1;
}

/* Return: the DMA address width set, or a negative errno. */
static int edgenpu_platform_dma_mask(struct device *dev)
{
	u32 bits = EDGENPU_DMA_BITS_MAX;
	int ret;

	ret = device_property_read_u32(dev, "edgenpu,dma-address-bits", &bits);
	if (ret && ret != -EINVAL)
		return dev_err_probe(dev, ret, "cannot read edgenpu,dma-address-bits\n");
	if (bits < EDGENPU_DMA_BITS_MIN || bits > EDGENPU_DMA_BITS_MAX)
		return dev_err_probe(dev, -EINVAL,
				     "edgenpu,dma-address-bits is %u, must be %u to %u\n",
				     bits, EDGENPU_DMA_BITS_MIN, EDGENPU_DMA_BITS_MAX);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		return dev_err_probe(dev, ret, "no usable %u-bit DMA mask\n", bits);
	/* the page tables take a buffer's pages one by one: any segment length */
	dma_set_max_seg_size(dev, UINT_MAX);
	return bits;
}

/* Undoes the power-up done at probe, unless runtime PM already did. */
static void edgenpu_platform_power_off(void *data)
{
	struct edgenpu_device *edev = data;
	struct device *dev = edev->drm.dev;

	if (!pm_runtime_status_suspended(dev))
		clk_bulk_disable_unprepare(edev->num_clks, edev->clks);
	pm_runtime_set_suspended(dev);
}

static void edgenpu_platform_reset_assert(void *rst)
{
	reset_control_assert(rst);
}

/* The reset line, pulsed: stops the device whatever it does. */
static int edgenpu_platform_hard_reset(struct edgenpu_device *edev)
{
	int ret = reset_control_assert(edev->rst);

	if (!ret)
		ret = reset_control_deassert(edev->rst);
	if (ret) {
		drm_err(&edev->drm, "cannot pulse the reset line: %d\n", ret);
		return ret;
	}
	return edgenpu_hw_reset(edev);
}

/* Return: 1 when a reset line was taken, 0 when not, or a negative errno. */
static int edgenpu_platform_power_on(struct edgenpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct reset_control *rst;
	int ret;

	ret = devm_clk_bulk_get_all(dev, &edev->clks);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot get clocks\n");
	edev->num_clks = ret;

	rst = devm_reset_control_get_optional_exclusive(dev, NULL);
	if (IS_ERR(rst))
		return dev_err_probe(dev, PTR_ERR(rst), "cannot get reset\n");

	ret = clk_bulk_prepare_enable(edev->num_clks, edev->clks);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable clocks\n");
	ret = pm_runtime_set_active(dev);
	if (ret) {
		clk_bulk_disable_unprepare(edev->num_clks, edev->clks);
		return ret;
	}
	ret = devm_add_action_or_reset(dev, edgenpu_platform_power_off, edev);
	if (ret)
		return ret;

	ret = reset_control_deassert(rst);
	if (ret)
		return dev_err_probe(dev, ret, "cannot deassert reset\n");
	ret = devm_add_action_or_reset(dev, edgenpu_platform_reset_assert, rst);
	if (ret)
		return ret;
	edev->rst = rst;
	if (rst)
		edev->hard_reset = edgenpu_platform_hard_reset;
	return !!rst;
}

static int edgenpu_platform_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct edgenpu_device *edev;
	int irq, ret, dma_bits, carveout, reset;
	void __iomem *regs;

	edev = edgenpu_device_alloc(dev);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(regs))
		return dev_err_probe(dev, PTR_ERR(regs), "cannot map registers\n");
	edev->regs = regs;

	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	edev->irq = irq;
	edev->irq_vectors = 1;

	ret = device_property_read_u32(dev, "edgenpu,sram-size", &edev->sram_size_fw);
	if (ret && ret != -EINVAL)
		return dev_err_probe(dev, ret, "cannot read edgenpu,sram-size\n");

	dma_bits = edgenpu_platform_dma_mask(dev);
	if (dma_bits < 0)
		return dma_bits;
	carveout = edgenpu_platform_reserved_mem(edev);
	if (carveout < 0)
		return carveout;
	reset = edgenpu_platform_power_on(edev);
	if (reset < 0)
		return reset;
	/* what the integration gave the NPU, for whoever brings up a board */
	dev_info(dev, "%d-bit DMA%s%s, %d clock(s), %s reset, %s power domain\n",
		 dma_bits, device_iommu_mapped(dev) ? " through the IOMMU" : "",
		 carveout ? " from the reserved memory-region" : "",
		 edev->num_clks, reset ? "a" : "no", dev->pm_domain ? "a" : "no");

	ret = devm_pm_runtime_enable(dev);
	if (ret)
		return ret;

	pm_runtime_get_noresume(dev);
	ret = edgenpu_device_register(edev);
	if (ret) {
		pm_runtime_put_noidle(dev);
		return ret;
	}
	pm_runtime_put_autosuspend(dev);
	return 0;
}

static void edgenpu_platform_remove(struct platform_device *pdev)
{
	struct edgenpu_device *edev = platform_get_drvdata(pdev);

	pm_runtime_get_sync(&pdev->dev);
	edgenpu_device_unplug(edev);
	pm_runtime_put_noidle(&pdev->dev);
}

static const struct of_device_id edgenpu_of_match[] = {
	{ .compatible = "edgenpu,npu-0.2" },
	{ }
};
MODULE_DEVICE_TABLE(of, edgenpu_of_match);

struct platform_driver edgenpu_platform_driver = {
	.driver = {
		.name = "edgenpu",
		.of_match_table = edgenpu_of_match,
		.pm = pm_ptr(&edgenpu_pm_ops),
	},
	.probe = edgenpu_platform_probe,
	.remove = edgenpu_platform_remove,
};
