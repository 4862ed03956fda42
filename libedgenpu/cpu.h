/* SPDX-License-Identifier: MIT */
/* libedgenpu internals: the CPU backend's layer execution (cpu.c). */
#ifndef EDGENPU_CPU_H
#define EDGENPU_CPU_H

#include "graph.h"

struct enpu_model;

/*
 * Runs one prepared layer on the CPU; @buf holds a pointer to every
 * tensor's storage (constants included). Returns 0 or a negative errno.
 */
int enpu_cpu_exec(const struct enpu_graph *g, const struct enpu_prep *p,
		  void *const *buf);

/*
 * Runs layers order[first .. first + count) of @m on the CPU over @buf,
 * timing each (its layer info's cpu_ns); the failure names the layer.
 */
int enpu_cpu_run_layers(struct enpu_model *m, void *const *buf, size_t first,
			size_t count);

/*
 * Packs the weights of the int8 CONV_2D and FULLY_CONNECTED layers @m runs
 * on the CPU for the CPU's GEMM, once (cpu.c); cannot fail.
 */
void enpu_cpu_pack_weights(struct enpu_model *m);

#endif /* EDGENPU_CPU_H */
