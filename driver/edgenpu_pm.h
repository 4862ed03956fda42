/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_PM_H__
#define __EDGENPU_PM_H__

#include <linux/pm.h>

#define EDGENPU_AUTOSUSPEND_MS	50

extern const struct dev_pm_ops edgenpu_pm_ops;

void edgenpu_pm_enable(struct device *dev);
void edgenpu_pm_disable(struct device *dev);

#endif /* __EDGENPU_PM_H__ */
