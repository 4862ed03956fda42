/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * edgenpu DRM accel driver: userspace interface.
 *
 * Conventions, for every ioctl of this file:
 *  - Structures are laid out with explicit padding, 64-bit aligned, and
 *    never change once released; new fields are appended and their
 *    presence is negotiated by size (see DRM_IOCTL_EDGENPU_QUERY).
 *  - Fields named pad or reserved and undefined bits of flags must be
 *    zero; the kernel rejects anything else with -EINVAL so they can be
 *    given a meaning later.
 *  - User pointers are passed as __u64.
 */
#ifndef _UAPI_DRM_EDGENPU_ACCEL_H_
#define _UAPI_DRM_EDGENPU_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* Version of this interface, also reported by DRM_IOCTL_VERSION. */
#define DRM_EDGENPU_DRIVER_MAJOR	0
#define DRM_EDGENPU_DRIVER_MINOR	1

#define DRM_EDGENPU_QUERY		0x00

#define DRM_IOCTL_EDGENPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_QUERY, struct drm_edgenpu_query)

/**
 * enum drm_edgenpu_query_id - what DRM_IOCTL_EDGENPU_QUERY returns
 * @DRM_EDGENPU_QUERY_DEVICE: &struct drm_edgenpu_device_info
 */
enum drm_edgenpu_query_id {
	DRM_EDGENPU_QUERY_DEVICE = 0,
};

/**
 * struct drm_edgenpu_query - size-negotiated information query
 * @query: one of &enum drm_edgenpu_query_id.
 * @size: in: bytes available at @ptr; out: bytes the kernel wrote.
 *	With @size 0 the kernel writes nothing and returns the size of its
 *	structure, so userspace can allocate it. Otherwise @size must be at
 *	least the size of the structure's first version
 *	(DRM_EDGENPU_DEVICE_INFO_SIZE_V0 for DRM_EDGENPU_QUERY_DEVICE);
 *	the kernel copies min(@size, its size) bytes and zero-fills the rest
 *	of the user's buffer, so newer userspace on an older kernel reads
 *	zero for fields the kernel does not know, and @size tells it which.
 * @ptr: user pointer to the result structure.
 * @flags: must be zero.
 * @pad: must be zero.
 */
struct drm_edgenpu_query {
	__u32 query;
	__u32 size;
	__u64 ptr;
	__u32 flags;
	__u32 pad;
};

/* Bits of &drm_edgenpu_device_info.hw_caps: ENPU_CAP_* of hw/edgenpu_hw.h. */

/**
 * struct drm_edgenpu_device_info - identity and capabilities
 * @pci_vendor: PCI vendor ID (0 for a platform device).
 * @pci_device: PCI device ID (0 for a platform device).
 * @hw_id: the ID register, "ENPU".
 * @hw_version: hardware contract version, major << 16 | minor << 8 | patch.
 * @hw_caps: hardware capability bits.
 * @irq_vectors: interrupt vectors in use.
 * @macs_per_cycle: INT8 multiply-accumulates per NPU clock.
 * @clock_mhz: NPU clock.
 * @dram_bw_mbps: DRAM bandwidth available to the NPU, MB/s.
 * @sram_bw_mbps: on-chip SRAM bandwidth, MB/s.
 * @sram_size: on-chip SRAM, bytes.
 * @pad: reserved, zero.
 */
struct drm_edgenpu_device_info {
	__u32 pci_vendor;
	__u32 pci_device;
	__u32 hw_id;
	__u32 hw_version;
	__u32 hw_caps;
	__u32 irq_vectors;
	__u32 macs_per_cycle;
	__u32 clock_mhz;
	__u32 dram_bw_mbps;
	__u32 sram_bw_mbps;
	__u64 sram_size;
	__u64 pad;
};

#define DRM_EDGENPU_DEVICE_INFO_SIZE_V0 \
	(sizeof(struct drm_edgenpu_device_info))

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDGENPU_ACCEL_H_ */
