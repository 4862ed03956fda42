// SPDX-License-Identifier: MIT
/* Error reporting: errno-style codes, their text, per-thread last reason. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local char last_error[1024];

int enpu_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

ENPU_EXPORT const char *enpu_last_error(void)
{
	return last_error;
}

ENPU_EXPORT const char *enpu_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "no EdgeNPU device";
	case -EPROTONOSUPPORT:
		return "kernel driver interface version not supported";
	case -EPROTO:
		return "kernel driver returned malformed data";
	case -EINVAL:
		return "invalid argument";
	case -ENOMEM:
		return "out of memory";
	default:
		break;
	}
	if (err < 0) {
		/* strerror() of glibc returns static strings for known codes */
		return strerror(-err);
	}
	return "not an error code (positive value)";
}
