/* SPDX-License-Identifier: MIT */
#ifndef EDGENPU_CPU_H
#define EDGENPU_CPU_H

#include "graph.h"

/*
 * Runs one prepared layer on the CPU; @buf holds a pointer to every
 * tensor's storage (constants included). Returns 0 or a negative errno.
 */
int enpu_cpu_exec(const struct enpu_graph *g, const struct enpu_prep *p,
		  void *const *buf);

#endif /* EDGENPU_CPU_H */
