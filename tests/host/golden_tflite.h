/* SPDX-License-Identifier: MIT */
/* A per-op golden case as a one-operator TFLite file (golden_tflite.c). */
#ifndef EDGENPU_GOLDEN_TFLITE_H
#define EDGENPU_GOLDEN_TFLITE_H

#include <stddef.h>
#include <stdint.h>

#include "golden.h"

/*
 * The file in *buf (the caller frees it), *len bytes: 0; 1 when the case
 * cannot be written (an operator or option value the writer does not
 * know, a tensor type TFLite files of libedgenpu do not hold), -1 on
 * failure; @err says why.
 */
int golden_tflite_build(const struct golden_file *g, uint8_t **buf, size_t *len,
			char *err, size_t errlen);

#endif /* EDGENPU_GOLDEN_TFLITE_H */
