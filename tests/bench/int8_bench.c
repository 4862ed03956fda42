// SPDX-License-Identifier: MIT
/*
 * INT8 kernel benchmark, host wall time on one core: hw/int8's kernels
 * (what the CPU backend and the device model run) against this project's
 * own plain loops in TFLite's reference style (ref_kernels.c; not
 * TFLite-Micro's build) on real layers taken from the goldens: every
 * person_detect CONV_2D and DEPTHWISE_CONV_2D op, and the FULLY_CONNECTED
 * ops of the models. Both must produce the golden output (a mismatch
 * exits 1); timing never fails the run. The kernels' GMAC/s are printed
 * against the host's measured INT8 peak on one core (host_peak.c),
 * measured before the layers and after them, the higher taken.
 *
 * Goldens: $EDGENPU_GOLDENS, default ../shared/goldens (run from the repo
 * root). Per layer: steady state, the best of 5 trials after a warm-up,
 * each repeating the kernel for at least ~20 ms.
 *
 * Usage: int8_bench [CONV_2D | DEPTHWISE_CONV_2D | FULLY_CONNECTED]: one
 * op's layers only (all three when none is named).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "enpu_int8.h"
#include "golden.h"
#include "host_peak.h"
#include "ref_kernels.h"

enum kind { K_CONV, K_DW, K_FC };

struct layer {
	enum kind kind;
	struct golden_file g;
	struct enpu_conv2d_params conv;
	struct enpu_dwconv2d_params dw;
	struct enpu_fc_params fc;
	int32_t *mult, *shift, *bias;
	size_t nbias;			/* bias values: found once, not in the timed loop */
	const struct golden_tensor *in, *w, *out;
	int8_t *got;
	double macs;
	struct enpu_gemm_weights pw;	/* the weights packed, as the CPU backend has them */
	struct enpu_dw_weights dw_ready;	/* a depthwise layer's, made ready */
	/*
	 * As the device model's engine has them: packed (depthwise: widened),
	 * kept with the bytes they were made from (qemu/engine/pack_cache.c),
	 * no tables made; and its scratch, which every operand is read into.
	 */
	struct enpu_gemm_weights pw_engine;
	struct enpu_dw_weights dw_engine;
	int8_t *kept, *scratch_in, *scratch_w;
};

/* How a layer runs: the plain loops, hw/int8 as the CPU backend or as the engine. */
enum mode { M_REF, M_CPU, M_ENGINE };

static int opt_i(const struct golden_file *g, const char *name, int32_t *v)
{
	const char *s = golden_find_option(g, name);

	if (!s)
		return -1;
	*v = (int32_t)strtol(s, NULL, 10);
	return 0;
}

static int activation(const struct golden_file *g, const struct golden_tensor *out,
		      int32_t *lo, int32_t *hi)
{
	static const char *const names[] = { "NONE", "RELU", "RELU_N1_TO_1", "RELU6" };
	const char *s = golden_find_option(g, "fused_activation_function");

	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, names[i]))
			return enpu_activation_range_int8((enum enpu_activation)i,
							  out->quant.scales[0],
							  out->quant.zero_points[0],
							  lo, hi);
	return -1;
}

static enum enpu_padding padding(const struct golden_file *g)
{
	const char *s = golden_find_option(g, "padding");

	return s && !strcmp(s, "VALID") ? ENPU_PADDING_VALID : ENPU_PADDING_SAME;
}

static void free_layer(struct layer *L)
{
	enpu_gemm_weights_free(&L->pw);
	enpu_gemm_weights_free(&L->pw_engine);
	enpu_dw_weights_free(&L->dw_ready);
	enpu_dw_weights_free(&L->dw_engine);
	free(L->kept);
	free(L->scratch_in);
	free(L->scratch_w);
	free(L->mult);
	free(L->shift);
	free(L->bias);
	free(L->got);
	golden_free(&L->g);
}

/* A copy of the weights, as the engine keeps beside what it made of them. */
static void keep_as_engine(struct layer *L)
{
	L->kept = malloc(L->w->count);
	if (L->kept)
		memcpy(L->kept, L->w->data, L->w->count);
}

/*
 * The weights packed and the requantisation made once, as the CPU backend
 * does; and as the engine keeps them.
 */
static void pack_as_cpu_backend(struct layer *L)
{
	const int conv = L->kind == K_CONV;
	const int32_t outs = conv ? L->conv.output.c : L->fc.output_depth;

	if (L->kind == K_DW) {
		if (!enpu_dw_weights_prepare(&L->dw_ready, &L->dw, (const int8_t *)L->w->data))
			enpu_dw_weights_requant(&L->dw_ready, &L->dw, L->bias);
		if (!enpu_dw_weights_prepare(&L->dw_engine, &L->dw, (const int8_t *)L->w->data))
			keep_as_engine(L);
		return;
	}

	if (enpu_gemm_weights_pack(&L->pw, (const int8_t *)L->w->data, outs,
				   L->w->count / (size_t)outs))
		return;
	if (!enpu_gemm_weights_pack(&L->pw_engine, (const int8_t *)L->w->data, outs,
				    L->w->count / (size_t)outs))
		keep_as_engine(L);
	if (conv)
		enpu_conv2d_requant(&L->pw, &L->conv, L->bias);
	else
		enpu_fc_requant(&L->pw, &L->fc, L->bias);
}

/* Load a conv / depthwise / FC golden into a ready-to-run layer. */
static int load_layer(const char *path, struct layer *L)
{
	char err[512];
	int32_t lo, hi, pt, pl, oh, ow, sh = 1, sw = 1, dh = 1, dw = 1, dm = 1;
	const struct golden_tensor *bias;

	memset(L, 0, sizeof(*L));
	if (golden_load(path, &L->g, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	L->kind = !strcmp(L->g.op, "CONV_2D") ? K_CONV :
		  !strcmp(L->g.op, "DEPTHWISE_CONV_2D") ? K_DW : K_FC;
	L->in = golden_find_tensor(&L->g, "in0");
	L->w = golden_find_tensor(&L->g, "in1");
	L->out = golden_find_tensor(&L->g, "out0");
	bias = golden_find_tensor(&L->g, "in2");
	if (!L->in || !L->w || !L->out || !L->w->quant.present ||
	    activation(&L->g, L->out, &lo, &hi))
		return -1;

	const size_t nq = L->w->quant.count;
	const size_t nch = L->kind == K_CONV ? (size_t)L->w->dims[0] :
			   L->kind == K_DW ? (size_t)L->w->dims[3] :
			   nq;

	L->mult = calloc(nch, sizeof(int32_t));
	L->shift = calloc(nch, sizeof(int32_t));
	L->got = malloc(L->out->bytes);
	if (!L->mult || !L->shift || !L->got)
		return -1;
	if (bias) {
		L->bias = calloc(bias->count, sizeof(int32_t));
		if (!L->bias)
			return -1;
		L->nbias = bias->count;
		for (size_t i = 0; i < bias->count; i++)
			L->bias[i] = golden_i32(bias, i);
	}
	const float in_scale = L->in->quant.scales[0];
	const float out_scale = L->out->quant.scales[0];
	const int32_t in_zp = L->in->quant.zero_points[0];
	const int32_t out_zp = L->out->quant.zero_points[0];

	if (L->kind == K_FC) {
		const int32_t outs = L->w->dims[0], depth = L->w->dims[1];

		if ((nq > 1 ? enpu_derive_per_channel(in_scale, L->w->quant.scales,
						      nq, out_scale, L->mult,
						      L->shift, nq)
			    : enpu_derive_fc_per_tensor(in_scale, L->w->quant.scales[0],
							out_scale, L->mult, L->shift)))
			return -1;
		L->fc = (struct enpu_fc_params){
			.batches = (int32_t)(L->out->count / (size_t)outs),
			.input_depth = depth, .output_depth = outs,
			.input_zero_point = in_zp, .output_zero_point = out_zp,
			.act_min = lo, .act_max = hi,
			.multipliers = L->mult, .shifts = L->shift, .num_quant = nq,
		};
		L->macs = (double)L->fc.batches * outs * depth;
		return 0;
	}

	if (opt_i(&L->g, "stride_h", &sh) || opt_i(&L->g, "stride_w", &sw) ||
	    opt_i(&L->g, "dilation_h_factor", &dh) ||
	    opt_i(&L->g, "dilation_w_factor", &dw) ||
	    (L->kind == K_DW && opt_i(&L->g, "depth_multiplier", &dm)))
		return -1;
	if (enpu_derive_per_channel(in_scale, L->w->quant.scales, nq, out_scale,
				    L->mult, L->shift, nch))
		return -1;

	const struct enpu_nhwc is = { L->in->dims[0], L->in->dims[1],
				      L->in->dims[2], L->in->dims[3] };
	const struct enpu_nhwc fs = { L->w->dims[0], L->w->dims[1],
				      L->w->dims[2], L->w->dims[3] };
	const struct enpu_nhwc os = { L->out->dims[0], L->out->dims[1],
				      L->out->dims[2], L->out->dims[3] };

	if (enpu_compute_padding(padding(&L->g), is.h, fs.h, sh, dh, &oh, &pt, NULL) ||
	    enpu_compute_padding(padding(&L->g), is.w, fs.w, sw, dw, &ow, &pl, NULL) ||
	    oh != os.h || ow != os.w)
		return -1;
	if (L->kind == K_CONV) {
		L->conv = (struct enpu_conv2d_params){
			.input = is, .filter = fs, .output = os,
			.stride_h = sh, .stride_w = sw,
			.dilation_h = dh, .dilation_w = dw,
			.pad_top = pt, .pad_left = pl,
			.input_zero_point = in_zp, .output_zero_point = out_zp,
			.act_min = lo, .act_max = hi,
			.multipliers = L->mult, .shifts = L->shift, .num_quant = nch,
		};
		L->macs = (double)L->out->count * fs.h * fs.w * fs.c;
	} else {
		L->dw = (struct enpu_dwconv2d_params){
			.input = is, .filter = fs, .output = os,
			.depth_multiplier = dm,
			.stride_h = sh, .stride_w = sw,
			.dilation_h = dh, .dilation_w = dw,
			.pad_top = pt, .pad_left = pl,
			.input_zero_point = in_zp, .output_zero_point = out_zp,
			.act_min = lo, .act_max = hi,
			.multipliers = L->mult, .shifts = L->shift, .num_quant = nch,
		};
		L->macs = (double)L->out->count * fs.h * fs.w;
	}
	return 0;
}

static void run_ref(struct layer *L)
{
	const int8_t *in = (const int8_t *)L->in->data;
	const int8_t *w = (const int8_t *)L->w->data;

	switch (L->kind) {
	case K_CONV:
		ref_conv2d(&L->conv, in, w, L->bias, L->got);
		break;
	case K_DW:
		ref_depthwise_conv2d(&L->dw, in, w, L->bias, L->got);
		break;
	case K_FC:
		ref_fully_connected(&L->fc, in, w, L->bias, L->got);
		break;
	}
}

/*
 * hw/int8 as the CPU backend runs it (CONV_2D and FULLY_CONNECTED weights
 * packed once for the GEMM, where the CPU has one, DEPTHWISE_CONV_2D
 * weights widened once, their requantisation made once) or as the device model's engine does in a steady state: the
 * input read into its scratch, the weights of a layer it keeps packed or
 * widened compared where they lie (other weights read into scratch), and
 * then run on its copy, packed or widened (without tables made).
 */
static int run_fast(struct layer *L, enum mode mode)
{
	const int8_t *in = (const int8_t *)L->in->data;
	const int8_t *w = (const int8_t *)L->w->data;
	const size_t nb = L->nbias;
	const struct enpu_gemm_weights *pw = mode == M_CPU && L->pw.data ? &L->pw : NULL;
	const struct enpu_dw_weights *dw = mode == M_CPU && L->dw_ready.mem ? &L->dw_ready : NULL;

	if (mode == M_ENGINE) {
		if (!L->scratch_in)
			L->scratch_in = malloc(L->in->count);
		if (!L->scratch_w)
			L->scratch_w = malloc(L->w->count);
		if (!L->scratch_in || !L->scratch_w)
			return -1;
		in = memcpy(L->scratch_in, in, L->in->count);
		if (L->kept && !memcmp(L->kept, w, L->w->count)) {
			w = L->kept;	/* compared where they lie, not copied */
			pw = L->pw_engine.data ? &L->pw_engine : NULL;
			dw = L->dw_engine.mem ? &L->dw_engine : NULL;
		} else {
			w = memcpy(L->scratch_w, w, L->w->count);
		}
	}

	L->conv.packed = pw;
	L->fc.packed = pw;
	L->dw.prepared = dw;
	switch (L->kind) {
	case K_CONV:
		return enpu_conv2d(&L->conv, in, L->in->count, w, L->w->count,
				   L->bias, nb, L->got, L->out->bytes);
	case K_DW:
		return enpu_depthwise_conv2d(&L->dw, in, L->in->count, w,
					     L->w->count, L->bias, nb, L->got,
					     L->out->bytes);
	case K_FC:
		return enpu_fully_connected(&L->fc, in, L->in->count, w,
					    L->w->count, L->bias, nb, L->got,
					    L->out->bytes);
	}
	return -1;
}

static void run(struct layer *L, enum mode mode)
{
	if (mode == M_REF)
		run_ref(L);
	else
		run_fast(L, mode);
}

/* Best-of-5 microseconds per call. */
static double time_layer(struct layer *L, enum mode mode)
{
	double best = 1e30;
	long reps = 1;

	/* Calibrate the repetition count to ~20 ms per trial. */
	for (;;) {
		const double t0 = bench_now_us();

		for (long i = 0; i < reps; i++)
			run(L, mode);
		const double dt = bench_now_us() - t0;

		if (dt >= 20000 || reps >= (1L << 24))
			break;
		reps = dt < 100 ? reps * 16 : (long)(reps * 22000 / dt) + 1;
	}
	for (int trial = 0; trial < 5; trial++) {
		const double t0 = bench_now_us();

		for (long i = 0; i < reps; i++)
			run(L, mode);
		const double per = (bench_now_us() - t0) / reps;

		if (per < best)
			best = per;
	}
	return best;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.golden files of dir whose name starts with prefix ("" = all
 * model files, i.e. not synth_*).
 */
static char **list(const char *dir, const char *prefix, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		const size_t len = strlen(e->d_name);
		char **t;

		if (len < 8 || strcmp(e->d_name + len - 7, ".golden") ||
		    strncmp(e->d_name, prefix, strlen(prefix)) ||
		    !strncmp(e->d_name, "synth_", 6))
			continue;
		t = realloc(v, (*n + 1) * sizeof(*v));
		if (!t)
			break;
		v = t;
		v[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

struct total {
	double macs, ref_us, fast_us, engine_us;
};

static int bench_dir(const char *root, const char *op, const char *prefix,
		     struct total *tot)
{
	char dir[1024];
	size_t n;
	char **files;
	int bad = 0;

	snprintf(dir, sizeof(dir), "%s/ops/%s", root, op);
	files = list(dir, prefix, &n);
	for (size_t i = 0; i < n; i++) {
		char path[2048], name[512];
		struct layer L;
		int ok;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		snprintf(name, sizeof(name), "%s/%.*s", op,
			 (int)(strlen(files[i]) - 7), files[i]);
		if (load_layer(path, &L)) {
			printf("%-40s  cannot load\n", name);
			free_layer(&L);
			bad = 1;
			free(files[i]);
			continue;
		}
		pack_as_cpu_backend(&L);
		/* Every way must reproduce the golden output. */
		memset(L.got, 0x55, L.out->bytes);
		run_ref(&L);
		ok = !memcmp(L.got, L.out->data, L.out->bytes);
		for (int m = M_CPU; m <= M_ENGINE; m++) {
			memset(L.got, 0x55, L.out->bytes);
			ok = ok && !run_fast(&L, m) &&
			     !memcmp(L.got, L.out->data, L.out->bytes);
		}
		if (!ok) {
			printf("%-40s  OUTPUT MISMATCH\n", name);
			bad = 1;
		} else {
			const double r = time_layer(&L, M_REF), f = time_layer(&L, M_CPU);
			const double e = time_layer(&L, M_ENGINE);

			printf("%-40s %10.0f %11.2f %11.2f %11.2f %8.1fx %8.1f\n", name,
			       L.macs, r, f, e, r / f, L.macs / f / 1e3);
			tot->macs += L.macs;
			tot->ref_us += r;
			tot->fast_us += f;
			tot->engine_us += e;
		}
		fflush(stdout);
		free_layer(&L);
		free(files[i]);
	}
	free(files);
	return bad;
}

static void print_total(const char *what, const struct total *t)
{
	printf("%-40s %10.0f %11.2f %11.2f %11.2f %8.1fx %8.1f\n", what, t->macs,
	       t->ref_us, t->fast_us, t->engine_us,
	       t->fast_us > 0 ? t->ref_us / t->fast_us : 0.0,
	       t->fast_us > 0 ? t->macs / t->fast_us / 1e3 : 0.0);
}

/* The kernels' GMAC/s over @t against the host's peak. */
static void print_peak(const char *what, const struct total *t, const struct host_peak *pk)
{
	double g = t->fast_us > 0 ? t->macs / t->fast_us / 1e3 : 0.0;

	printf("%s: CPU backend %.1f GMAC/s = %.1f%% of %s's %.1f", what, g,
	       pk->baseline > 0 ? 100.0 * g / pk->baseline : 0.0, pk->baseline_name,
	       pk->baseline);
	if (pk->best_name)
		printf(", %.1f%% of %s's %.1f", pk->best > 0 ? 100.0 * g / pk->best : 0.0,
		       pk->best_name, pk->best);
	printf(" (GMAC/s, one core)\n");
}

/* Whether the run benches @op: every op, or the one named on the command line. */
static int runs(const char *only, const char *op)
{
	return !only || !strcmp(only, op);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	const char *root = getenv("EDGENPU_GOLDENS");
	struct total conv = { 0 }, dw = { 0 }, pd, fc = { 0 };
	struct host_peak pk;
	char probe[1024];
	DIR *d;
	int bad = 0;

	if (!root || !*root)
		root = "../shared/goldens";
	snprintf(probe, sizeof(probe), "%s/ops", root);
	d = opendir(probe);
	if (!d) {
		printf("int8_bench: %s not found (set EDGENPU_GOLDENS); nothing to do\n",
		       probe);
		return 0;
	}
	closedir(d);
	if (!runs(only, "CONV_2D") && !runs(only, "DEPTHWISE_CONV_2D") &&
	    !runs(only, "FULLY_CONNECTED")) {
		fprintf(stderr, "int8_bench: no op %s: name CONV_2D, DEPTHWISE_CONV_2D or "
			"FULLY_CONNECTED, or none for all three\n", only);
		return 2;
	}

	host_peak(&pk);
	printf("host wall time, one core, microseconds per layer (steady state, best of 5)\n"
	       "plain C = this project's reference-style loops; CPU backend = hw/int8 with "
	       "CONV_2D/FC weights packed and DEPTHWISE_CONV_2D weights widened once (what\n"
	       "libedgenpu runs); engine = what the device model's engine does per command, "
	       "steady state: operands read into scratch,\nkept CONV_2D/FC weights compared "
	       "where they lie (not copied), the kernel on their packing; speed-up and "
	       "GMAC/s are\nthe CPU backend's\n\n");
	printf("%-40s %10s %11s %11s %11s %9s %8s\n", "layer", "MACs", "plain C us",
	       "CPU be us", "engine us", "speed-up", "GMAC/s");
	if (runs(only, "CONV_2D"))
		bad |= bench_dir(root, "CONV_2D", "person_detect_", &conv);
	if (runs(only, "DEPTHWISE_CONV_2D"))
		bad |= bench_dir(root, "DEPTHWISE_CONV_2D", "person_detect_", &dw);
	pd = (struct total){
		.macs = conv.macs + dw.macs, .ref_us = conv.ref_us + dw.ref_us,
		.fast_us = conv.fast_us + dw.fast_us, .engine_us = conv.engine_us + dw.engine_us,
	};
	if (pd.macs > 0) {
		print_total("TOTAL person_detect CONV_2D", &conv);
		print_total("TOTAL person_detect DEPTHWISE_CONV_2D", &dw);
		print_total("TOTAL person_detect CONV+DEPTHWISE", &pd);
		printf("\n");
	}
	if (runs(only, "FULLY_CONNECTED")) {
		bad |= bench_dir(root, "FULLY_CONNECTED", "", &fc);
		print_total("TOTAL FULLY_CONNECTED (models)", &fc);
		printf("\n");
	}
	/*
	 * The peak again, after the layers: the host's speed drifts, and a
	 * peak measured in a slow moment would flatter every layer. The
	 * higher of the two is the one printed against.
	 */
	{
		struct host_peak after;

		host_peak(&after);
		pk.baseline = after.baseline > pk.baseline ? after.baseline : pk.baseline;
		pk.best = after.best > pk.best ? after.best : pk.best;
	}
	if (conv.macs > 0)
		print_peak("person_detect CONV_2D", &conv, &pk);
	if (dw.macs > 0)
		print_peak("person_detect DEPTHWISE_CONV_2D", &dw, &pk);
	if (conv.macs > 0 && dw.macs > 0)
		print_peak("person_detect CONV+DEPTHWISE", &pd, &pk);
	if (fc.macs > 0)
		print_peak("FULLY_CONNECTED (models)", &fc, &pk);
	return bad;
}
