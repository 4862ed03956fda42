/* SPDX-License-Identifier: MIT */
/* libedgenpu internals shared between its source files. */
#ifndef EDGENPU_INTERNAL_H
#define EDGENPU_INTERNAL_H

#include "edgenpu/edgenpu.h"

#define ENPU_EXPORT __attribute__((visibility("default")))

struct enpu_device {
	int fd;
	struct enpu_device_info info;
};

struct enpu_buffer {
	struct enpu_device *dev;
	uint32_t handle;
	uint64_t size;
	uint64_t va;		/* NPU address */
	void *cpu;		/* mmap, or NULL */
};

/*
 * Maps regular, non-empty file @path read-only (file.c); the failure
 * names the file and why. enpu_unmap_file() undoes it.
 */
int enpu_map_file(const char *path, void **data, size_t *size);
void enpu_unmap_file(void *data, size_t size);

/* ioctl with EINTR/EAGAIN retry; returns 0 or -errno. */
int enpu_ioctl(int fd, unsigned long request, void *arg);

/*
 * Records the reason for a failure in the thread's last-error buffer and
 * returns @err, so call sites read: return enpu_fail(-EINVAL, "...", ...).
 */
int enpu_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EDGENPU_INTERNAL_H */
