/* SPDX-License-Identifier: MIT */
/* TFLite's builtin operator and tensor type names (tflite_names.c). */
#ifndef EDGENPU_TFLITE_NAMES_H
#define EDGENPU_TFLITE_NAMES_H

#include <stdint.h>

/* "CONV_2D" for 3, ...; NULL for a code the schema does not name. */
const char *enpu_tfl_op_name(int32_t code);
/* "int16" for 7, ...; NULL for a type the schema does not name. */
const char *enpu_tfl_type_name(uint32_t type);

#endif /* EDGENPU_TFLITE_NAMES_H */
