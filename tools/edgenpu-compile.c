// SPDX-License-Identifier: MIT
/*
 * edgenpu-compile: compile a TFLite model for the EdgeNPU and show the
 * result: per-layer placement and estimates, and optionally a Graphviz
 * DOT of the compiled graph; with -o, a compiled-model file that
 * edgenpu-run and enpu_model_load() run without compiling again. For a
 * device, or for a target (the contract's default SKU, or a target file)
 * on a machine without one.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <edgenpu/edgenpu.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgenpu-compile [options] MODEL.tflite\n"
		"Compile a model for the EdgeNPU and print where every layer runs.\n"
		"  -t, --target T  compile for T with no device: 'default' (the hardware\n"
		"                  contract's default SKU) or a target file\n"
		"                  (edgenpu-info --target writes one)\n"
		"  -d, --device PATH  compile on this device (default: the first EdgeNPU)\n"
		"  -o, --output FILE  write the compiled model to FILE (.enpu), for\n"
		"                  edgenpu-run and enpu_model_load() on a device of the target\n"
		"  --dot FILE      write the compiled graph as Graphviz DOT ('-': stdout)\n"
		"  --no-sram       keep activations in DRAM\n"
		"  --no-prefetch   no DMA weight prefetch into SRAM\n"
		"  -h, --help      this help\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dot", required_argument, NULL, 'D' },
		{ "no-sram", no_argument, NULL, 'S' },
		{ "no-prefetch", no_argument, NULL, 'P' },
		{ "device", required_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct enpu_compile_options opt = { .size = sizeof(opt) };
	const char *dot = NULL, *device = NULL, *target_spec = NULL, *output = NULL;
	struct enpu_target target;
	struct enpu_device *dev = NULL;
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	unsigned long long total = 0, macs = 0, npu_macs = 0;
	size_t i, n, npu = 0;
	int c, rc = 1, jobs = 0, last_job = -1;

	while ((c = getopt_long(argc, argv, "d:t:o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'D': dot = optarg; break;
		case 'S': opt.flags |= ENPU_COMPILE_NO_SRAM; break;
		case 'P': opt.flags |= ENPU_COMPILE_NO_PREFETCH; break;
		case 'd': device = optarg; break;
		case 't': target_spec = optarg; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (device && target_spec) {
		fprintf(stderr, "edgenpu-compile: --device and --target exclude each other: "
			"a device is its own target\n");
		return 2;
	}
	if (enpu_model_load_tflite(argv[optind], &g)) {
		fprintf(stderr, "edgenpu-compile: %s\n", enpu_last_error());
		goto out;
	}
	if (target_spec) {
		if (enpu_target_load(target_spec, &target) ||
		    enpu_model_compile_target(&target, g, &opt, &m)) {
			fprintf(stderr, "edgenpu-compile: %s\n", enpu_last_error());
			goto out;
		}
	} else if (enpu_open(&dev, device)) {
		fprintf(stderr, "edgenpu-compile: %s\n%s", enpu_last_error(), device ? "" :
			"edgenpu-compile: without a device, compile for a target: --target "
			"default, or --target FILE (edgenpu-info --target writes one)\n");
		goto out;
	} else if (enpu_model_compile(dev, g, &opt, &m) || enpu_model_target(m, &target)) {
		fprintf(stderr, "edgenpu-compile: %s\n", enpu_last_error());
		goto out;
	}
	printf("target %s: hardware contract %u.%u.%u, %u MACs/cycle at %u MHz, "
	       "%llu KiB SRAM, DRAM %u MB/s, SRAM %u MB/s%s\n", target.name,
	       (target.hw_version >> 16) & 0xff, (target.hw_version >> 8) & 0xff,
	       target.hw_version & 0xff, target.macs_per_cycle, target.clock_mhz,
	       (unsigned long long)target.sram_size >> 10, target.dram_bw_mbps,
	       target.sram_bw_mbps, dev ? "" : " (no device)");
	printf("%-5s %-18s %-4s %4s %10s %10s %5s %8s\n", "layer", "type", "unit", "job",
	       "MACs", "est.cyc", "SRAM", "prefetch");
	for (i = 0; i < enpu_model_num_layers(m); i++) {
		struct enpu_layer_info li;

		enpu_model_layer_info(m, i, &li);
		printf("%-5zu %-18s %-4s %4d %10llu %10llu %5s %8s\n", i,
		       enpu_layer_type_name(li.type), li.on_npu ? "NPU" : "CPU", li.segment,
		       (unsigned long long)li.macs, (unsigned long long)li.est_cycles,
		       li.output_in_sram ? "yes" : "", li.weights_prefetched ? "yes" : "");
		total += li.est_cycles;
		if (li.on_npu) {
			npu_macs += li.macs;
			if (li.segment != last_job)
				jobs++;
			last_job = li.segment;
		}
		macs += li.macs;
		npu += (size_t)li.on_npu;
	}
	n = enpu_model_num_layers(m);
	printf("%zu layers: %zu on the NPU in %d job%s, %zu on the CPU; %llu MACs\n", n, npu,
	       jobs, jobs == 1 ? "" : "s", n - npu, macs);
	printf("NPU: %llu cycles estimated (layers back to back) = %.3f ms at %u MHz, "
	       "%.1f%% MAC utilisation; SRAM %llu of %llu KiB\n", total,
	       total / (target.clock_mhz * 1000.0), target.clock_mhz,
	       total ? 100.0 * (double)npu_macs / ((double)total * target.macs_per_cycle) : 0.0,
	       (unsigned long long)enpu_model_sram_bytes(m) >> 10,
	       (unsigned long long)target.sram_size >> 10);
	if (npu < n)
		printf("on the CPU, and why:\n");
	for (i = 0; i < n; i++) {
		const char *why = enpu_model_layer_reason(m, i);
		struct enpu_layer_info li;

		if (why && !enpu_model_layer_info(m, i, &li))
			printf("  layer %zu %s: %s\n", i, enpu_layer_type_name(li.type), why);
	}
	rc = 0;
	if (output) {
		struct stat st;

		if (enpu_model_save(m, output) || stat(output, &st)) {
			fprintf(stderr, "edgenpu-compile: %s\n", enpu_last_error());
			rc = 1;
		} else {
			printf("wrote %s: %lld bytes, for target %s\n", output,
			       (long long)st.st_size, target.name);
		}
	}
	if (dot) {
		FILE *f = strcmp(dot, "-") ? fopen(dot, "w") : stdout;

		if (!f || enpu_model_write_dot(m, f)) {
			fprintf(stderr, "edgenpu-compile: cannot write %s\n", dot);
			rc = 1;
		}
		if (f && f != stdout)
			fclose(f);
	}
out:
	enpu_model_destroy(m);
	enpu_graph_destroy(g);
	enpu_close(dev);
	return rc;
}
