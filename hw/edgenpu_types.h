/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width types for the hardware contract headers, from the kernel's
 * or the C library's headers. Every structure of the contract is made of
 * naturally aligned 32/64-bit little-endian fields, with no padding.
 */
#ifndef EDGENPU_TYPES_H
#define EDGENPU_TYPES_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#define ENPU_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#include <stddef.h>
#include <stdint.h>
#define ENPU_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#endif /* EDGENPU_TYPES_H */
