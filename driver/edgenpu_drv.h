/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_DRV_H__
#define __EDGENPU_DRV_H__

#include <linux/completion.h>
#include <linux/io.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <drm/drm_device.h>

#include "edgenpu_hw.h"

struct edgenpu_file_priv;

/**
 * struct edgenpu_device - one NPU
 * @drm: the DRM accel device; embedded, owns this structure's lifetime
 * @regs: register BAR
 * @irq: Linux interrupt number
 * @irq_vectors: interrupt vectors allocated (1 in contract version 0)
 * @pci_vendor: PCI vendor ID, 0 on a non-PCI bus
 * @pci_device: PCI device ID, 0 on a non-PCI bus
 * @hw_version: the VERSION register, read at probe
 * @hw_caps: the CAPS register, read at probe
 * @macs_per_cycle: capability register, read at probe
 * @clock_mhz: capability register, read at probe
 * @dram_bw_mbps: capability register, read at probe
 * @sram_bw_mbps: capability register, read at probe
 * @sram_size: capability register, read at probe
 * @irq_lock: protects @irq_count and @irq_last_status, taken in hard IRQ
 * @irq_count: interrupts handled since probe
 * @irq_last_status: IRQ_STATUS of the last interrupt handled
 * @doorbell_done: completed by the doorbell interrupt (self-test)
 */
struct edgenpu_device {
	struct drm_device drm;
	void __iomem *regs;
	int irq;
	unsigned int irq_vectors;

	u32 pci_vendor;
	u32 pci_device;
	u32 hw_version;
	u32 hw_caps;
	u32 macs_per_cycle;
	u32 clock_mhz;
	u32 dram_bw_mbps;
	u32 sram_bw_mbps;
	u32 sram_size;

	/* protects irq_count and irq_last_status */
	spinlock_t irq_lock;
	u64 irq_count;
	u32 irq_last_status;
	struct completion doorbell_done;
};

static inline struct edgenpu_device *to_edgenpu(struct drm_device *drm)
{
	return container_of(drm, struct edgenpu_device, drm);
}

static inline u32 edgenpu_read(struct edgenpu_device *edev, u32 reg)
{
	return readl(edev->regs + reg);
}

static inline void edgenpu_write(struct edgenpu_device *edev, u32 reg, u32 val)
{
	writel(val, edev->regs + reg);
}

extern const struct drm_driver edgenpu_drm_driver;

int edgenpu_device_init(struct edgenpu_device *edev);
void edgenpu_device_fini(struct edgenpu_device *edev);

void edgenpu_debugfs_init(struct edgenpu_device *edev);

int edgenpu_pci_register(void);
void edgenpu_pci_unregister(void);

#endif /* __EDGENPU_DRV_H__ */
