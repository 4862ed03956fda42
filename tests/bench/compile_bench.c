// SPDX-License-Identifier: MIT
/*
 * Compile time of large generated models (host wall time, this build of
 * the library): N int8 ADD layers in a chain (each adding the previous
 * result to the model's input), N = 1,024 to 16,384, compiled for the CPU
 * backend and for the default NPU target, written to a compiled-model file
 * and read back. Ordering is O(n log n) and placement linear, so the
 * figures grow about linearly with N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <edgenpu/edgenpu.h>

#include "bench_clock.h"

static int chain(int n, struct enpu_graph **out)
{
	static const float scale = 0.05f;
	static const int32_t zp = 0;
	struct enpu_tensor_desc d = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 8, 8, 16 },
		.num_scales = 1, .scales = &scale, .zero_points = &zp,
	};
	struct enpu_graph *g;
	int in, prev, i, t;

	if (enpu_graph_create(&g))
		return -1;
	in = prev = enpu_graph_add_tensor(g, &d);
	for (i = 0; i < n; i++) {
		t = enpu_graph_add_tensor(g, &d);
		if (t < 0 || enpu_graph_add_layer(g, &(struct enpu_layer_desc){
				.type = ENPU_LAYER_ADD, .inputs = { prev, in }, .num_inputs = 2,
				.output = t }) < 0)
			goto err;
		prev = t;
	}
	if (enpu_graph_set_io(g, &in, 1, &prev, 1))
		goto err;
	*out = g;
	return 0;
err:
	enpu_graph_destroy(g);
	return -1;
}

int main(void)
{
	struct enpu_target t;
	int n;

	enpu_target_default(&t);
	printf("compile time of a chain of N ADD layers (host wall time, ms)\n");
	printf("%7s %10s %12s %6s %10s %10s %12s\n", "N", "CPU", "NPU target", "jobs",
	       "write", "read", "file bytes");
	for (n = 1024; n <= 16384; n *= 2) {
		struct enpu_graph *g = NULL;
		struct enpu_model *cpu = NULL, *npu = NULL, *back = NULL;
		struct enpu_layer_info li;
		double t0, t1, t2, t3, t4;
		void *data = NULL;
		size_t size = 0;

		if (chain(n, &g))
			goto fail;
		t0 = bench_now_ms();
		if (enpu_model_compile(NULL, g, NULL, &cpu))
			goto fail;
		t1 = bench_now_ms();
		if (enpu_model_compile_target(&t, g, NULL, &npu))
			goto fail;
		t2 = bench_now_ms();
		if (enpu_model_save_mem(npu, &data, &size))
			goto fail;
		t3 = bench_now_ms();
		if (enpu_model_load_mem(NULL, data, size, NULL, &back))
			goto fail;
		t4 = bench_now_ms();
		enpu_model_layer_info(npu, (size_t)n - 1, &li);
		printf("%7d %10.1f %12.1f %6d %10.1f %10.1f %12zu\n", n, t1 - t0, t2 - t1,
		       li.segment + 1, t3 - t2, t4 - t3, size);
		free(data);
		enpu_model_destroy(cpu);
		enpu_model_destroy(npu);
		enpu_model_destroy(back);
		enpu_graph_destroy(g);
		continue;
fail:
		printf("%7d failed: %s\n", n, enpu_last_error());
		return 1;
	}
	return 0;
}
