// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/*
 * Power controller of the EdgeNPU's QEMU virt integration: the NPU's power
 * domain, switched through edgenpu-mmio's system-control block
 * (hw/edgenpu_sysctrl.h; binding
 * dts/bindings/power/edgenpu,qemu-virt-power-controller.yaml). A generic
 * PM domain provider, as a SoC's power controller driver in
 * drivers/pmdomain/ is; with it the arm64 test guest runs edgenpu.ko in a
 * power domain that loses the NPU's state when it is off.
 *
 * Test-board support, not part of the NPU driver. Like most power
 * controller drivers it cannot be unbound or unloaded: devices in its
 * domain would be left without power management.
 */

#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm_domain.h>

#include "edgenpu_sysctrl.h"

/* The model switches at once; a SoC takes microseconds. */
#define EDGENPU_VIRT_PD_TIMEOUT_US	1000

struct edgenpu_virt_pd {
	struct generic_pm_domain genpd;
	void __iomem *regs;
	struct device *dev;
};

static int edgenpu_virt_pd_set(struct generic_pm_domain *genpd, bool on)
{
	struct edgenpu_virt_pd *pd = container_of(genpd, struct edgenpu_virt_pd, genpd);
	u32 want = on ? ENPU_PWR_NPU : 0;
	u32 status;
	int ret;

	writel(want, pd->regs + ENPU_PWR_CTRL);
	ret = readl_poll_timeout(pd->regs + ENPU_PWR_STATUS, status,
				 (status & ENPU_PWR_NPU) == want, 1,
				 EDGENPU_VIRT_PD_TIMEOUT_US);
	if (ret)
		dev_err(pd->dev, "domain %s did not power %s in %d us (status 0x%x)\n",
			genpd->name, on ? "on" : "off", EDGENPU_VIRT_PD_TIMEOUT_US, status);
	return ret;
}

static int edgenpu_virt_pd_power_on(struct generic_pm_domain *genpd)
{
	return edgenpu_virt_pd_set(genpd, true);
}

static int edgenpu_virt_pd_power_off(struct generic_pm_domain *genpd)
{
	return edgenpu_virt_pd_set(genpd, false);
}

static int edgenpu_virt_pd_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct edgenpu_virt_pd *pd;
	bool off;
	int ret;

	pd = devm_kzalloc(dev, sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->dev = dev;
	pd->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(pd->regs))
		return dev_err_probe(dev, PTR_ERR(pd->regs), "cannot map registers\n");

	pd->genpd.name = devm_kasprintf(dev, GFP_KERNEL, "%pOFn", dev->of_node);
	if (!pd->genpd.name)
		return -ENOMEM;
	pd->genpd.power_on = edgenpu_virt_pd_power_on;
	pd->genpd.power_off = edgenpu_virt_pd_power_off;
	/* start from what the controller says, whatever ran before us */
	off = !(readl(pd->regs + ENPU_PWR_STATUS) & ENPU_PWR_NPU);
	ret = pm_genpd_init(&pd->genpd, NULL, off);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the power domain\n");
	ret = of_genpd_add_provider_simple(dev->of_node, &pd->genpd);
	if (ret) {
		pm_genpd_remove(&pd->genpd);
		return dev_err_probe(dev, ret, "cannot add the power domain provider\n");
	}
	dev_info(dev, "power domain %s, initially %s\n", pd->genpd.name, off ? "off" : "on");
	return 0;
}

static const struct of_device_id edgenpu_virt_pd_of_match[] = {
	{ .compatible = "edgenpu,qemu-virt-power-controller-v1" },
	{ }
};
MODULE_DEVICE_TABLE(of, edgenpu_virt_pd_of_match);

static struct platform_driver edgenpu_virt_pd_driver = {
	.driver = {
		.name = "edgenpu-virt-pd",
		.of_match_table = edgenpu_virt_pd_of_match,
		.suppress_bind_attrs = true,
	},
	.probe = edgenpu_virt_pd_probe,
};
builtin_platform_driver(edgenpu_virt_pd_driver);

MODULE_DESCRIPTION("EdgeNPU QEMU virt integration: NPU power domain");
MODULE_LICENSE("GPL");
