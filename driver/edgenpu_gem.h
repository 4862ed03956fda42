/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_GEM_H__
#define __EDGENPU_GEM_H__

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct edgenpu_device;

#include <linux/sizes.h>
#include <linux/types.h>

#define EDGENPU_BO_MAX_SIZE	SZ_1G

struct drm_gem_object *edgenpu_gem_create_object(struct drm_device *drm, size_t size);
u64 edgenpu_gem_max_pinned(void);
bool edgenpu_gem_pin_bytes(u64 bytes);
void edgenpu_gem_unpin_bytes(u64 bytes);
int edgenpu_gem_account_pin(struct drm_gem_object *obj);
void edgenpu_gem_unbind_all(struct edgenpu_device *edev);
int edgenpu_ioctl_bo_create(struct drm_device *drm, void *data,
			    struct drm_file *file);
int edgenpu_ioctl_bo_info(struct drm_device *drm, void *data,
			  struct drm_file *file);
int edgenpu_ioctl_bo_wait(struct drm_device *drm, void *data,
			  struct drm_file *file);

#endif /* __EDGENPU_GEM_H__ */
