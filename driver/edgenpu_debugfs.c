// SPDX-License-Identifier: GPL-2.0-only
/* Copyright (c) 2026 The edgenpu authors */
/* debugfs: /sys/kernel/debug/accel/<device>/{registers,irq} */

#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "edgenpu_drv.h"

static const struct {
	const char *name;
	u32 offset;
} edgenpu_regs[] = {
#define EDGENPU_REG_ENTRY(n, off) { #n, off },
	ENPU_REGS_FOREACH(EDGENPU_REG_ENTRY)
#undef EDGENPU_REG_ENTRY
};

static int edgenpu_debugfs_registers(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct edgenpu_device *edev = to_edgenpu(entry->dev);
	unsigned int i;
	int idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(edgenpu_regs); i++)
		seq_printf(m, "%-16s 0x%04x 0x%08x\n", edgenpu_regs[i].name,
			   edgenpu_regs[i].offset,
			   edgenpu_read(edev, edgenpu_regs[i].offset));
	drm_dev_exit(idx);
	return 0;
}

static int edgenpu_debugfs_irq(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct edgenpu_device *edev = to_edgenpu(entry->dev);
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

static const struct drm_debugfs_info edgenpu_debugfs_list[] = {
	{ "registers", edgenpu_debugfs_registers, 0 },
	{ "irq", edgenpu_debugfs_irq, 0 },
};

void edgenpu_debugfs_init(struct edgenpu_device *edev)
{
	drm_debugfs_add_files(&edev->drm, edgenpu_debugfs_list,
			      ARRAY_SIZE(edgenpu_debugfs_list));
}
