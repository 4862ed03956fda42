/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu: userspace interface to EdgeNPU devices.
 *
 * Conventions:
 *  - Functions returning int return 0 on success or a negative errno
 *    value (-ENODEV, -EINVAL, ...) on failure. enpu_strerror() turns the
 *    value into text; enpu_last_error() gives the full reason of the
 *    calling thread's most recent failure (which file, which field, what
 *    was expected), suitable for showing to a person.
 *  - Structures filled by the library take their size as an argument, so
 *    a program built against an older header keeps working with a newer
 *    library: pass sizeof(the structure).
 *  - Objects are not thread-safe unless stated; distinct objects may be
 *    used from distinct threads.
 */
#ifndef EDGENPU_EDGENPU_H
#define EDGENPU_EDGENPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Library version (also the pkg-config version). */
#define ENPU_LIB_VERSION_MAJOR	0
#define ENPU_LIB_VERSION_MINOR	1
#define ENPU_LIB_VERSION_PATCH	0

/* An open EdgeNPU. */
struct enpu_device;

/**
 * struct enpu_device_info - identity and capabilities of a device
 * @node:            device node the device was opened through
 * @driver:          kernel driver name ("edgenpu")
 * @driver_major:    kernel interface version, major
 * @driver_minor:    kernel interface version, minor
 * @driver_patch:    kernel interface version, patch level
 * @pci_vendor:      PCI vendor ID, 0 when not on PCI
 * @pci_device:      PCI device ID, 0 when not on PCI
 * @hw_id:           ID register ("ENPU")
 * @hw_version:      hardware contract version, major << 16 | minor << 8 | patch
 * @hw_caps:         capability bits (enpu_caps_string() names them)
 * @irq_vectors:     interrupt vectors the driver uses
 * @macs_per_cycle:  INT8 multiply-accumulates per NPU cycle
 * @clock_mhz:       NPU clock
 * @dram_bw_mbps:    DRAM bandwidth, MB/s
 * @sram_bw_mbps:    on-chip SRAM bandwidth, MB/s
 * @sram_size:       on-chip SRAM, bytes
 * @peak_gops:       peak INT8 throughput, 10^9 operations (2 per MAC) per second
 */
struct enpu_device_info {
	char node[64];
	char driver[32];
	uint32_t driver_major;
	uint32_t driver_minor;
	uint32_t driver_patch;
	uint32_t pci_vendor;
	uint32_t pci_device;
	uint32_t hw_id;
	uint32_t hw_version;
	uint32_t hw_caps;
	uint32_t irq_vectors;
	uint32_t macs_per_cycle;
	uint32_t clock_mhz;
	uint32_t dram_bw_mbps;
	uint32_t sram_bw_mbps;
	uint64_t sram_size;
	uint64_t peak_gops;
};

/**
 * enpu_open() - open an EdgeNPU
 * @dev:  receives the device
 * @path: device node (e.g. "/dev/accel/accel0"), or NULL for the first
 *        EdgeNPU found: $EDGENPU_DEVICE if set, else the lowest-numbered
 *        accel node in $EDGENPU_ACCEL_DIR (default /dev/accel) whose driver
 *        is edgenpu. Nodes of other accel drivers are skipped.
 *
 * Return: 0, -ENOENT (no such node), -ENODEV (not an EdgeNPU, or none
 * found), -EACCES, -EPROTONOSUPPORT (kernel interface of another major
 * version), -EINVAL, -ENOMEM.
 */
int enpu_open(struct enpu_device **dev, const char *path);

/** enpu_close() - close a device; NULL is accepted. */
void enpu_close(struct enpu_device *dev);

/**
 * enpu_query() - identity and capabilities
 * @dev:       device
 * @info:      filled in
 * @info_size: sizeof(*info) as the caller knows it; fields beyond the
 *             library's structure are zeroed
 *
 * Return: 0 or -EINVAL (NULL argument, @info_size too small to hold the
 * first version of the structure).
 */
int enpu_query(struct enpu_device *dev, struct enpu_device_info *info,
	       size_t info_size);

/** enpu_device_fd() - the DRM file descriptor, for poll() or sync files. */
int enpu_device_fd(const struct enpu_device *dev);

/**
 * enpu_caps_string() - names of capability bits, space separated
 * @caps: capability bits
 * @buf:  output buffer, always NUL-terminated when @len > 0
 * @len:  size of @buf
 *
 * Unknown bits are shown as "bitN". Return: the length the full string
 * needs, excluding the NUL (as snprintf).
 */
int enpu_caps_string(uint32_t caps, char *buf, size_t len);

/** enpu_strerror() - short description of a negative errno result. */
const char *enpu_strerror(int err);

/**
 * enpu_last_error() - the calling thread's most recent failure, in full
 *
 * Never NULL; an empty string when nothing has failed yet. Valid until the
 * thread's next call into the library.
 */
const char *enpu_last_error(void);

/** enpu_version_string() - the library's version, "major.minor.patch". */
const char *enpu_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* EDGENPU_EDGENPU_H */
