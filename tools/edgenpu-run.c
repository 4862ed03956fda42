// SPDX-License-Identifier: MIT
/*
 * edgenpu-run: run a quantized model (TFLite, or a compiled-model file) on
 * an EdgeNPU (or the CPU backend) and print its outputs, top classes,
 * latency and device figures.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <edgenpu/edgenpu.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgenpu-run [options] MODEL.tflite|MODEL.enpu\n"
		"       edgenpu-run [options] --synthetic\n"
		"Run a quantized TFLite model, or one edgenpu-compile -o compiled, on the\n"
		"EdgeNPU and print its outputs. TFLite models are compiled through the\n"
		"compile cache (EDGENPU_CACHE_DIR, EDGENPU_CACHE_DISABLE=1).\n"
		"  -i, --input FILE   input: raw bytes of the input tensor, or an edgenpu\n"
		"                     golden file (its in0; its out0 is then checked)\n"
		"  -r, --random SEED  input from the splitmix64 generator (default seed 1)\n"
		"      --synthetic    a small CNN built in code instead of a model file\n"
		"  -k, --top K        print the K highest outputs (default 5)\n"
		"  -l, --labels LIST  comma-separated class names for the top-k\n"
		"  -n, --repeat N     run N times, report min and median latency (default 1)\n"
		"      --cpu          use the CPU backend instead of the NPU\n"
		"      --compare      run on both and report any output difference\n"
		"      --bench        print one summary row (used by make bench)\n"
		"  -d, --device PATH  device node (default: first EdgeNPU)\n"
		"  -p, --pipeline N   pipeline the model over the first N EdgeNPUs: a stage\n"
		"                     on each (enpu_pipeline_load()); not with --synthetic\n"
		"  -h, --help         this help\n"
		"Exit status: 0 ok, 1 failure or mismatch, 2 usage.\n");
}

struct opts {
	const char *model, *input, *labels, *device;
	uint64_t seed;
	int top, repeat, cpu, compare, bench, synthetic, pipeline;
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Reads the data line of tensor @role from a golden file into @buf.
 * Returns 1 found, 0 absent, -1 malformed.
 */
static int golden_tensor(const char *path, const char *role, uint8_t *buf, size_t len)
{
	char *line = NULL, want[32];
	size_t cap = 0, i;
	int in_tensor = 0, ret = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "tensor %s ", role);
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "tensor ", 7)) {
			in_tensor = !strncmp(line, want, strlen(want));
			continue;
		}
		if (!in_tensor || strncmp(line, "data ", 5))
			continue;
		for (i = 0; i < len; i++) {
			int hi = hexval(line[5 + 2 * i]), lo = hi < 0 ? -1 : hexval(line[6 + 2 * i]);

			if (hi < 0 || lo < 0)
				break;
			buf[i] = (uint8_t)(hi << 4 | lo);
		}
		ret = i == len && hexval(line[5 + 2 * len]) < 0 ? 1 : -1;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

static int is_golden(const char *path)
{
	char head[24] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(head, sizeof(head), f))
		head[0] = '\0';
	fclose(f);
	return !strncmp(head, "# edgenpu golden v1", 19);
}

static int read_input(const struct opts *o, uint8_t *buf, size_t len)
{
	uint64_t state = o->seed;
	struct stat st;
	FILE *f;
	size_t n;

	if (!o->input) {
		for (n = 0; n < len; n++)
			buf[n] = (uint8_t)(splitmix64(&state) >> 56);
		return 0;
	}
	if (is_golden(o->input)) {
		if (golden_tensor(o->input, "in0", buf, len) != 1) {
			fprintf(stderr, "edgenpu-run: %s has no %zu-byte in0 tensor\n", o->input, len);
			return -1;
		}
		return 0;
	}
	f = fopen(o->input, "rb");
	if (!f) {
		fprintf(stderr, "edgenpu-run: cannot open %s: %s\n", o->input, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "edgenpu-run: %s is not a regular file: -i takes the input "
			"tensor's raw bytes (%zu of them) or a golden file\n", o->input, len);
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, len, f);
	if (n == len && fgetc(f) != EOF)
		n = (size_t)st.st_size;
	fclose(f);
	if (n != len) {
		fprintf(stderr, "edgenpu-run: %s has %zu bytes; the input tensor needs exactly "
			"%zu\n", o->input, n, len);
		return -1;
	}
	return 0;
}

/* A small CNN with deterministic weights: for trying edgenpu without models. */
static int synthetic_graph(struct enpu_graph **out)
{
	static int8_t w1[8 * 3 * 3 * 1], w2[1 * 3 * 3 * 8], w3[4 * 8 * 8 * 8];
	static int32_t b1[8], b2[8], b3[4];
	float s_in = 0.02f, s_a = 0.05f, s_b = 0.08f, s_o = 4.0f, s_w = 0.01f;
	float s_sm = 1.0f / 256;
	int32_t zp_in = -3, zp_sm = -128, zero = 0;
	struct enpu_graph *g;
	int t[16], i, n = 0;
	uint64_t st = 42;
	struct enpu_tensor_desc d[] = {
		{ "input", ENPU_DTYPE_INT8, 4, { 1, 16, 16, 1 }, 1, &s_in, &zp_in, 0, NULL },
		{ "conv.w", ENPU_DTYPE_INT8, 4, { 8, 3, 3, 1 }, 1, &s_w, &zero, 0, w1 },
		{ "conv.b", ENPU_DTYPE_INT32, 1, { 8 }, 0, NULL, NULL, 0, b1 },
		{ "conv", ENPU_DTYPE_INT8, 4, { 1, 16, 16, 8 }, 1, &s_a, &zero, 0, NULL },
		{ "dw.w", ENPU_DTYPE_INT8, 4, { 1, 3, 3, 8 }, 1, &s_w, &zero, 0, w2 },
		{ "dw.b", ENPU_DTYPE_INT32, 1, { 8 }, 0, NULL, NULL, 0, b2 },
		{ "dw", ENPU_DTYPE_INT8, 4, { 1, 8, 8, 8 }, 1, &s_b, &zero, 0, NULL },
		{ "fc.w", ENPU_DTYPE_INT8, 2, { 4, 512 }, 1, &s_w, &zero, 0, w3 },
		{ "fc.b", ENPU_DTYPE_INT32, 1, { 4 }, 0, NULL, NULL, 0, b3 },
		{ "logits", ENPU_DTYPE_INT8, 2, { 1, 4 }, 1, &s_o, &zero, 0, NULL },
		{ "probs", ENPU_DTYPE_INT8, 2, { 1, 4 }, 1, &s_sm, &zp_sm, 0, NULL },
	};
	struct enpu_layer_desc l[] = {
		{ .type = ENPU_LAYER_CONV_2D, .inputs = { 0, 1, 2 }, .num_inputs = 3,
		  .output = 3, .stride_h = 1, .stride_w = 1, .padding = ENPU_SAME,
		  .activation = ENPU_FUSED_RELU },
		{ .type = ENPU_LAYER_DEPTHWISE_CONV_2D, .inputs = { 3, 4, 5 },
		  .num_inputs = 3, .output = 6, .stride_h = 2, .stride_w = 2,
		  .padding = ENPU_SAME, .depth_multiplier = 1,
		  .activation = ENPU_FUSED_RELU6 },
		{ .type = ENPU_LAYER_FULLY_CONNECTED, .inputs = { 6, 7, 8 },
		  .num_inputs = 3, .output = 9 },
		{ .type = ENPU_LAYER_SOFTMAX, .inputs = { 9 }, .num_inputs = 1,
		  .output = 10, .beta = 1.0f },
	};

	for (i = 0; i < (int)sizeof(w1); i++)
		w1[i] = (int8_t)(splitmix64(&st) >> 56);
	for (i = 0; i < (int)sizeof(w2); i++)
		w2[i] = (int8_t)(splitmix64(&st) >> 56);
	for (i = 0; i < (int)sizeof(w3); i++)
		w3[i] = (int8_t)(splitmix64(&st) >> 58);
	for (i = 0; i < 8; i++) {
		b1[i] = (int32_t)(splitmix64(&st) % 2001) - 1000;
		b2[i] = (int32_t)(splitmix64(&st) % 2001) - 1000;
	}
	for (i = 0; i < 4; i++)
		b3[i] = (int32_t)(splitmix64(&st) % 2001) - 1000;
	if (enpu_graph_create(&g))
		return -1;
	for (i = 0; i < (int)(sizeof(d) / sizeof(d[0])); i++)
		if ((t[n++] = enpu_graph_add_tensor(g, &d[i])) < 0)
			goto err;
	for (i = 0; i < (int)(sizeof(l) / sizeof(l[0])); i++)
		if (enpu_graph_add_layer(g, &l[i]) < 0)
			goto err;
	if (enpu_graph_set_io(g, &t[0], 1, &t[10], 1))
		goto err;
	*out = g;
	return 0;
err:
	enpu_graph_destroy(g);
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Whether an int8 output holds probabilities: TFLite quantizes the int8
 * outputs of SOFTMAX and LOGISTIC, and only those, with scale 1/256 and
 * zero point -128. Anything else (logits, regressions) is a value.
 */
static int probabilities(const struct enpu_tensor_info *info)
{
	return info->zero_point == -128 && info->scale == 1.0f / 256;
}

static void print_topk(const struct opts *o, const struct enpu_tensor_info *info,
		       const int8_t *out)
{
	size_t n = info->bytes, i, k, best;
	unsigned char *used = calloc(n, 1);
	char labels[1024], *names[256] = { 0 }, *save = NULL, *tok;
	int nl = 0;

	if (!used)
		return;
	if (o->labels) {
		snprintf(labels, sizeof(labels), "%s", o->labels);
		for (tok = strtok_r(labels, ",", &save); tok && nl < 256;
		     tok = strtok_r(NULL, ",", &save))
			names[nl++] = tok;
	}
	printf("top %d:\n", o->top < (int)n ? o->top : (int)n);
	for (k = 0; k < (size_t)o->top && k < n; k++) {
		best = n;
		for (i = 0; i < n; i++)
			if (!used[i] && (best == n || out[i] > out[best]))
				best = i;
		used[best] = 1;
		printf("  class %-4zu %-12s score %4d  %s=%.3f\n", best,
		       (int)best < nl ? names[best] : "", out[best],
		       probabilities(info) ? "p" : "value",
		       info->scale * (out[best] - info->zero_point));
	}
	free(used);
}

/* The layers the NPU cannot run, placed on the CPU. */
static void print_cpu_layers(const struct enpu_model *m)
{
	struct enpu_layer_info li;
	size_t i, n = 0;

	for (i = 0; i < enpu_model_num_layers(m); i++)
		if (!enpu_model_layer_info(m, i, &li) && !li.on_npu)
			n++;
	printf("CPU layers %zu of %zu", n, enpu_model_num_layers(m));
	for (i = 0, n = 0; i < enpu_model_num_layers(m); i++)
		if (!enpu_model_layer_info(m, i, &li) && !li.on_npu)
			printf("%s %zu %s (%s)", n++ ? "," : ":", i, enpu_layer_type_name(li.type),
			       enpu_model_layer_reason(m, i));
	printf("\n");
}

/*
 * The model for @dev (NULL: the CPU backend): the graph built in code, or
 * the file, TFLite (through the compile cache) or compiled.
 */
static int load(const struct opts *o, struct enpu_graph *g, struct enpu_device *dev,
		struct enpu_model **m)
{
	return g ? enpu_model_compile(dev, g, NULL, m) : enpu_model_load(dev, o->model, NULL, m);
}

/*
 * The first o->pipeline EdgeNPUs opened into @devs, the model pipelined
 * over them; an error is printed.
 */
static int load_pipelined(const struct opts *o, struct enpu_device **devs,
			  struct enpu_model **m)
{
	char nodes[ENPU_POOL_MAX_DEVICES][64];
	int n = enpu_list(nodes, ENPU_POOL_MAX_DEVICES), i;

	if (n >= 0 && n < o->pipeline) {
		fprintf(stderr, "edgenpu-run: --pipeline %d: this machine has %d EdgeNPU(s) "
			"(edgenpu-info --list)\n", o->pipeline, n);
		return -1;
	}
	for (i = 0; n >= 0 && i < o->pipeline; i++)
		if (enpu_open(&devs[i], nodes[i]))
			n = -1;
	if (n < 0 || enpu_pipeline_load(devs, (size_t)o->pipeline, o->model, NULL, m)) {
		fprintf(stderr, "edgenpu-run: %s\n", enpu_last_error());
		return -1;
	}
	return 0;
}

/* Which device runs which layers of a pipelined model, and their estimates. */
static void print_stages(const struct opts *o, const struct enpu_model *m,
			 struct enpu_device *const *devs)
{
	struct enpu_device_info di;
	struct enpu_layer_info li;
	int d;

	for (d = 0; d < o->pipeline; d++) {
		uint64_t cycles = 0;
		size_t i, n = 0;

		for (i = 0; i < enpu_model_num_layers(m); i++) {
			if (enpu_model_layer_device(m, i) != d || enpu_model_layer_info(m, i, &li))
				continue;
			cycles += li.est_cycles;
			n++;
		}
		enpu_query(devs[d], &di, sizeof(di));
		printf("stage %-4d %s: %zu layers, ~%llu cycles\n", d + 1, di.node, n,
		       (unsigned long long)cycles);
	}
}

static const char *const origin_text[] = {
	[ENPU_ORIGIN_COMPILED] = "compiled now",
	[ENPU_ORIGIN_FILE] = "compiled-model file",
	[ENPU_ORIGIN_CACHE] = "from the compile cache",
};

/* The roofline of @prof on the target @m was compiled for (0: none, the CPU). */
static uint64_t model_roofline(const struct enpu_model *m, const struct enpu_profile *prof)
{
	struct enpu_target t;

	return enpu_model_target(m, &t) ? 0 : enpu_profile_roofline(&t, prof);
}

static int run(const struct opts *o, struct enpu_graph *g)
{
	struct enpu_device *dev = NULL, *devs[ENPU_POOL_MAX_DEVICES] = { 0 };
	struct enpu_model *m = NULL, *mc = NULL;
	struct enpu_tensor_info ii, oi;
	struct enpu_profile prof = { .size = sizeof(prof) };
	struct enpu_device_info di = { 0 };
	uint8_t *in = NULL, *out = NULL, *ref = NULL;
	uint64_t *lat = NULL, cpu_ns = 0, roof;
	const void *ins[1];
	void *outs[1];
	int i, rc = 1, golden;

	if (o->pipeline) {
		if (load_pipelined(o, devs, &m))
			goto out;
		enpu_query(devs[0], &di, sizeof(di));
	} else if (!o->cpu || o->compare) {
		if (enpu_open(&dev, o->device)) {
			fprintf(stderr, "edgenpu-run: %s\n", enpu_last_error());
			return 1;
		}
		enpu_query(dev, &di, sizeof(di));
	}
	if (!o->pipeline && load(o, g, o->cpu ? NULL : dev, &m)) {
		fprintf(stderr, "edgenpu-run: %s\n", enpu_last_error());
		goto out;
	}
	if (enpu_model_num_inputs(m) != 1 || enpu_model_num_outputs(m) < 1) {
		fprintf(stderr, "edgenpu-run: models with one input are supported (this one has %zu)\n",
			enpu_model_num_inputs(m));
		goto out;
	}
	enpu_model_input_info(m, 0, &ii);
	enpu_model_output_info(m, 0, &oi);
	in = malloc(ii.bytes);
	out = malloc(oi.bytes);
	ref = malloc(oi.bytes);
	lat = calloc((size_t)o->repeat, sizeof(*lat));
	if (!in || !out || !ref || !lat || read_input(o, in, ii.bytes))
		goto out;
	ins[0] = in;
	outs[0] = out;
	for (i = 0; i < o->repeat; i++) {
		if (enpu_model_run(m, ins, outs, &prof)) {
			fprintf(stderr, "edgenpu-run: %s\n", enpu_last_error());
			goto out;
		}
		lat[i] = prof.wall_ns;
	}
	qsort(lat, (size_t)o->repeat, sizeof(*lat), cmp_u64);

	if (o->bench) {
		struct enpu_profile cp = { .size = sizeof(cp) };
		uint64_t *cl = calloc((size_t)o->repeat, sizeof(*cl));
		int n = 0;

		/* the CPU backend in the same place, like for like: the median of as many runs */
		if (cl && !load(o, g, NULL, &mc))
			for (n = 0; n < o->repeat && !enpu_model_run(mc, ins, outs, &cp); n++)
				cl[n] = cp.wall_ns;
		if (n) {
			qsort(cl, (size_t)n, sizeof(*cl), cmp_u64);
			cpu_ns = cl[(n - 1) / 2];
		}
		free(cl);
		roof = model_roofline(m, &prof);
		printf("%-28s %9.3f %12llu %7.1f%% %7.2fx %12llu %12llu %4u %9.3f\n",
		       o->synthetic ? "synthetic" : strrchr(o->model, '/') ?
		       strrchr(o->model, '/') + 1 : o->model,
		       lat[(o->repeat - 1) / 2] / 1e6,
		       (unsigned long long)prof.device_cycles,
		       prof.device_cycles && di.macs_per_cycle ?
		       100.0 * (double)prof.macs / ((double)prof.device_cycles * di.macs_per_cycle) : 0.0,
		       roof ? (double)prof.device_cycles / (double)roof : 0.0,
		       (unsigned long long)(prof.dram_read + prof.dram_write),
		       (unsigned long long)(enpu_model_constant_bytes(m) + ii.bytes + oi.bytes),
		       prof.ioctls, cpu_ns / 1e6);
		rc = 0;
		goto out;
	}

	printf("model      %s (%zu layers, %s)\n", o->synthetic ? "synthetic CNN" : o->model,
	       enpu_model_num_layers(m), origin_text[enpu_model_origin(m)]);
	if (o->pipeline) {
		printf("backend    EdgeNPU, pipelined over %d\n", o->pipeline);
		print_stages(o, m, devs);
	} else {
		printf("backend    %s\n", o->cpu ? "CPU" : "EdgeNPU");
	}
	if (!o->cpu)
		print_cpu_layers(m);
	printf("output     [");
	for (i = 0; i < (int)oi.bytes && i < 32; i++)
		printf("%s%d", i ? ", " : "", ((int8_t *)out)[i]);
	printf("%s]\n", oi.bytes > 32 ? ", ..." : "");
	if (oi.rank >= 1 && oi.dtype == ENPU_DTYPE_INT8 && oi.bytes <= 1000)
		print_topk(o, &oi, (int8_t *)out);
	printf("latency    %.3f ms (min %.3f ms over %d run%s)\n",
	       lat[(o->repeat - 1) / 2] / 1e6, lat[0] / 1e6, o->repeat, o->repeat > 1 ? "s" : "");
	if (!o->cpu) {
		printf("device     %llu cycles = %.3f ms at %u MHz, %llu MACs, %.1f%% MAC utilisation\n",
		       (unsigned long long)prof.device_cycles,
		       di.clock_mhz ? prof.device_cycles / (di.clock_mhz * 1000.0) : 0.0,
		       di.clock_mhz, (unsigned long long)prof.macs,
		       prof.device_cycles && di.macs_per_cycle ?
		       100.0 * (double)prof.macs / ((double)prof.device_cycles * di.macs_per_cycle) : 0.0);
		roof = model_roofline(m, &prof);
		printf("roofline   %llu cycles (MACs, DRAM and SRAM bytes at the SKU's rates): "
		       "the device took %.2fx\n", (unsigned long long)roof,
		       roof ? (double)prof.device_cycles / (double)roof : 0.0);
		printf("memory     DRAM %llu B read, %llu B written; SRAM %llu B read, %llu B written\n",
		       (unsigned long long)prof.dram_read, (unsigned long long)prof.dram_write,
		       (unsigned long long)prof.sram_read, (unsigned long long)prof.sram_write);
		printf("calls      %u submission%s, %u ioctls per inference; CPU layers %.3f ms\n",
		       prof.submits, prof.submits == 1 ? "" : "s", prof.ioctls, prof.cpu_ns / 1e6);
	}
	rc = 0;
	golden = o->input && is_golden(o->input) ? golden_tensor(o->input, "out0", ref, oi.bytes) : 0;
	if (golden == 1) {
		int same = !memcmp(ref, out, oi.bytes);

		printf("reference  %s TFLite-Micro's output (%s)\n", same ? "matches" : "DIFFERS FROM",
		       o->input);
		rc = same ? 0 : 1;
	}
	if (o->compare) {
		if (load(o, g, o->cpu ? dev : NULL, &mc) ||
		    (outs[0] = ref, enpu_model_run(mc, ins, outs, NULL))) {
			fprintf(stderr, "edgenpu-run: compare: %s\n", enpu_last_error());
			rc = 1;
		} else {
			size_t k, nd = 0;

			for (k = 0; k < oi.bytes; k++)
				nd += ref[k] != out[k];
			printf("compare    NPU and CPU outputs %s", nd ? "DIFFER" : "are identical");
			if (nd)
				printf(" (%zu of %zu bytes)", nd, oi.bytes);
			printf("\n");
			rc = nd ? 1 : rc;
		}
	}
out:
	free(in);
	free(out);
	free(ref);
	free(lat);
	enpu_model_destroy(m);
	enpu_model_destroy(mc);
	enpu_close(dev);
	for (i = 0; i < o->pipeline; i++)
		enpu_close(devs[i]);
	return rc;
}

/* A whole decimal or 0x number up to @max for option @what, or a message. */
static int number(const char *arg, const char *what, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 0);
	if (*arg < '0' || *arg > '9' || *end || errno || *v > max) {
		fprintf(stderr, "edgenpu-run: %s takes a number from 0 to %llu, not '%s'\n",
			what, (unsigned long long)max, arg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "random", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 'k' },
		{ "labels", required_argument, NULL, 'l' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'd' },
		{ "pipeline", required_argument, NULL, 'p' },
		{ "cpu", no_argument, NULL, 'C' },
		{ "compare", no_argument, NULL, 'P' },
		{ "bench", no_argument, NULL, 'B' },
		{ "synthetic", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct opts o = { .seed = 1, .top = 5, .repeat = 1 };
	struct enpu_graph *g = NULL;
	uint64_t v = 1;
	int c, rc;

	while ((c = getopt_long(argc, argv, "i:r:k:l:n:d:p:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.input = optarg; break;
		case 'r':
			if (number(optarg, "-r/--random", UINT64_MAX, &v))
				return 2;
			o.seed = v;
			break;
		case 'k':
			if (number(optarg, "-k/--top", INT32_MAX, &v))
				return 2;
			o.top = (int)v;
			break;
		case 'l': o.labels = optarg; break;
		case 'n':
			if (number(optarg, "-n/--repeat", 1000000, &v) || !v) {
				if (!v)
					fprintf(stderr, "edgenpu-run: -n/--repeat is at least 1\n");
				return 2;
			}
			o.repeat = (int)v;
			break;
		case 'd': o.device = optarg; break;
		case 'p':
			if (number(optarg, "-p/--pipeline", ENPU_POOL_MAX_DEVICES, &v) || !v) {
				if (!v)
					fprintf(stderr, "edgenpu-run: -p/--pipeline is at least 1\n");
				return 2;
			}
			o.pipeline = (int)v;
			break;
		case 'C': o.cpu = 1; break;
		case 'P': o.compare = 1; break;
		case 'B': o.bench = 1; break;
		case 'S': o.synthetic = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.repeat < 1 || o.top < 0 || (optind + !o.synthetic) != argc) {
		usage(stderr);
		return 2;
	}
	if (o.pipeline && (o.synthetic || o.cpu || o.compare || o.device)) {
		fprintf(stderr, "edgenpu-run: --pipeline takes a model file and the first N "
			"EdgeNPUs: not with --synthetic, --cpu, --compare or --device\n");
		return 2;
	}
	o.model = o.synthetic ? NULL : argv[optind];
	if (o.synthetic && synthetic_graph(&g)) {
		fprintf(stderr, "edgenpu-run: %s\n", enpu_last_error());
		return 1;
	}
	rc = run(&o, g);
	enpu_graph_destroy(g);
	return rc;
}
