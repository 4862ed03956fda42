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

/*
 * Records the reason for a failure in the thread's last-error buffer and
 * returns @err, so call sites read: return enpu_fail(-EINVAL, "...", ...).
 */
int enpu_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EDGENPU_INTERNAL_H */
