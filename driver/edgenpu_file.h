/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_FILE_H__
#define __EDGENPU_FILE_H__

#include <linux/list.h>
#include <linux/sched.h>

#include <drm/gpu_scheduler.h>

#include "edgenpu_hw.h"

struct edgenpu_device;
struct edgenpu_job_table;
struct edgenpu_vm;

/**
 * struct edgenpu_file_priv - state of one open file
 * @edev: the device
 * @vm: the file's NPU address space
 * @entity: one scheduler entity per hardware ring (priority)
 * @jobs: status records of the file's recent jobs
 * @link: in edev->files
 * @pid: opener, for debugfs
 * @comm: opener's name, for debugfs
 */
struct edgenpu_file_priv {
	struct edgenpu_device *edev;
	struct edgenpu_vm *vm;
	struct drm_sched_entity entity[ENPU_NUM_RINGS];
	struct edgenpu_job_table *jobs;
	struct list_head link;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

#endif /* __EDGENPU_FILE_H__ */
