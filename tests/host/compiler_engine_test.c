// SPDX-License-Identifier: MIT
/*
 * The NPU compiler's output, decoded, checked and executed without a
 * kernel: every whole-model golden is compiled for the default EdgeNPU
 * SKU (with SRAM placement and weight prefetch, without prefetch, and
 * with everything in DRAM, written to a compiled-model file and read
 * back, and pipelined over two and four NPUs: each stage's jobs on an
 * engine of their own, sharing DRAM only), every command of every job is decoded with
 * the contract's decoder and its memory checked against the weights
 * buffer (never written), the arena and the SRAM window, semaphores are
 * checked to balance, and the jobs run on the device model's execution
 * engine (CPU layers in between on the CPU backend). Outputs must match
 * TFLite-Micro's byte for byte, and SRAM placement must cut DRAM traffic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "edgenpu_cmd.h"
#include "edgenpu_hw.h"
#include "golden.h"
#include "golden_graph.h"
#include "golden_placement.h"
#include "cpu.h"
#include "model.h"
#include "model_file.h"
#include "npu.h"
#include "old_format.h"
#include "testbus.h"
#include "alt_graph.h"
#include "svdf_graph.h"
#include "fused_graph.h"

#define WEIGHTS_VA	0x10000000u
#define ARENA_VA	0x40000000u

static struct enpu_target sku_info;	/* the contract's default SKU */

/*
 * "file" runs the first's model written to a compiled-model file and read
 * back; "file-1.2" that file as format 1.2 wrote its plan (two prefetch
 * slots), its streams emitted again from the plan read, as a pipeline
 * does; "pipeline" ones cut that file's model into stages (enpu_npu_pipeline());
 * "whole-copies" is the first's plan with no fully-connected layer split
 * between the prefetch ring and DRAM (npu_compile.c, best_split()), its
 * streams emitted again.
 */
static const struct {
	const char *name;
	uint32_t flags;
	int via_file;
	unsigned int lanes;
} variants[] = {
	{ "sram+prefetch", 0, 0, 1 },
	{ "sram", ENPU_COMPILE_NO_PREFETCH, 0, 1 },
	{ "dram", ENPU_COMPILE_NO_SRAM | ENPU_COMPILE_NO_PREFETCH, 0, 1 },
	{ "file", 0, 1, 1 },
	{ "file-1.2", 0, 2, 1 },
	{ "pipeline2", 0, 1, 2 },
	{ "pipeline4", 0, 1, 4 },
	{ "whole-copies", 0, 3, 1 },
};

#define NVAR (sizeof(variants) / sizeof(variants[0]))
#define WHOLE_COPIES	(NVAR - 1)	/* the variant without splits */

#define LANES 4

struct totals {
	uint64_t cycles, dram, jobs;
	uint64_t roofline;		/* the jobs' roofline bounds, summed */
	uint64_t lane_cycles[LANES];	/* per pipeline stage's device */
	uint64_t spills;		/* tensors copied across cuts */
};

/* Decodes @s and checks every region and the semaphore balance. */
static int check_stream(const struct enpu_model *m, const struct enpu_stream *s,
			char *msg, size_t len)
{
	const struct enpu_npu *npu = m->npu;
	int signals[ENPU_NUM_SEMS] = { 0 }, waits[ENPU_NUM_SEMS] = { 0 };
	struct enpu_cmd_info info;
	size_t pos = 0;
	unsigned int i;
	int err;

	while (pos < s->n) {
		err = enpu_cmd_decode(s->w + pos, s->n - pos, &info);
		if (err) {
			snprintf(msg, len, "command at %zu does not decode (%d)", pos * 4, err);
			return -1;
		}
		if (info.opcode == ENPU_OP_SIGNAL || info.opcode == ENPU_OP_WAIT)
			(info.opcode == ENPU_OP_SIGNAL ? signals : waits)[s->w[pos + 2]]++;
		for (i = 0; i < info.num_regions; i++) {
			const struct enpu_region *r = &info.regions[i];
			uint64_t end = (uint64_t)r->va + r->size;
			int in_w = r->va >= WEIGHTS_VA && end <= WEIGHTS_VA + npu->weights_bytes;
			int in_a = r->va >= ARENA_VA && end <= ARENA_VA + npu->arena_bytes;
			int in_s = r->va >= ENPU_SRAM_VA_BASE &&
				   end <= (uint64_t)ENPU_SRAM_VA_BASE + sku_info.sram_size;

			if (!in_w && !in_a && !in_s) {
				snprintf(msg, len, "command at %zu touches 0x%x+%llu outside weights, arena and SRAM",
					 pos * 4, r->va, (unsigned long long)r->size);
				return -1;
			}
			if (in_w && r->write) {
				snprintf(msg, len, "command at %zu writes the weights buffer", pos * 4);
				return -1;
			}
		}
		pos += info.words;
		if (info.opcode == ENPU_OP_END)
			break;
	}
	for (i = 0; i < ENPU_NUM_SEMS; i++) {
		if (waits[i] > signals[i]) {
			snprintf(msg, len, "semaphore %u: %d waits, %d signals", i, waits[i],
				 signals[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Runs planned model @m on the execution engine: its NPU steps as jobs,
 * its CPU steps on the CPU over the arena's contents, the inputs from
 * @ins, output @which into @out. 0, or -1 with @msg.
 */
static int engine_run_out(struct enpu_model *m, const void *const *ins, const size_t *in_bytes,
			  size_t which, void *out, size_t out_bytes, struct totals *tot,
			  char *msg, size_t len)
{
	const struct enpu_sku sku = {
		.macs_per_cycle = sku_info.macs_per_cycle, .clock_mhz = sku_info.clock_mhz,
		.dram_bw_mbps = sku_info.dram_bw_mbps, .sram_bw_mbps = sku_info.sram_bw_mbps,
		.sram_size = (uint32_t)sku_info.sram_size,
	};
	struct enpu_engine e[LANES];	/* a pipeline stage's own device: its own SRAM */
	struct tbus bus;
	struct tctx ctx;
	uint8_t *wbuf = NULL, *arena = NULL;
	void **buf = NULL;
	size_t st, t;
	unsigned int lane, engines = 0;
	int r = -1, have_bus = 0;

	/* room for both buffers twice over and the page tables: a small model, a small bus */
	if (tbus_init(&bus, 2 * (m->npu->weights_bytes + m->npu->arena_bytes) + (16u << 20))) {
		snprintf(msg, len, "out of memory");
		goto out;
	}
	have_bus = 1;
	tctx_init(&ctx, &bus, 1);
	wbuf = calloc(1, m->npu->weights_bytes);
	arena = calloc(1, m->npu->arena_bytes + 64);
	buf = calloc(m->g->num_tensors + 1, sizeof(*buf));
	if (!wbuf || !arena || !buf) {
		snprintf(msg, len, "out of memory");
		goto out;
	}
	enpu_npu_fill_weights(m, wbuf);
	tctx_map_new(&ctx, WEIGHTS_VA, m->npu->weights_bytes, ENPU_PTE_READ);
	tctx_write(&ctx, WEIGHTS_VA, wbuf, m->npu->weights_bytes);
	tctx_map_new(&ctx, ARENA_VA, m->npu->arena_bytes + 64, ENPU_PTE_READ | ENPU_PTE_WRITE);
	for (t = 0; t < m->g->num_inputs; t++)
		tctx_write(&ctx, ARENA_VA + (uint32_t)m->npu->place[m->g->inputs[t]].off, ins[t],
			   in_bytes[t]);

	for (st = 0; st < m->num_steps; st++) {
		if (m->steps[st].on_npu) {
			struct enpu_job_completion done;
			struct enpu_stream s = { 0 };
			struct tstream ts = { 0 };

			struct enpu_stream direct = { 0 };

			/*
			 * The job runs the relocated image (what the library
			 * submits); it must be the step emitted directly at
			 * these bases, word for word.
			 */
			if (enpu_npu_relocate(m, st, WEIGHTS_VA, ARENA_VA, &s) ||
			    enpu_emit_step(m, st, WEIGHTS_VA, ARENA_VA, &direct)) {
				snprintf(msg, len, "relocate: %.900s", enpu_last_error());
				free(s.w);
				free(direct.w);
				goto out;
			}
			if (s.n != direct.n || memcmp(s.w, direct.w, s.n * 4)) {
				snprintf(msg, len, "job %zu: the relocated stream differs from the "
					 "one emitted at its addresses", st);
				free(s.w);
				free(direct.w);
				goto out;
			}
			free(direct.w);
			if (check_stream(m, &s, msg, len)) {
				free(s.w);
				goto out;
			}
			lane = m->steps[st].lane;
			if (lane >= LANES) {
				snprintf(msg, len, "job %zu: lane %u", st, lane);
				free(s.w);
				goto out;
			}
			while (engines <= lane) {
				if (enpu_engine_init(&e[engines], &sku, &tbus_ops, &bus)) {
					snprintf(msg, len, "out of memory");
					free(s.w);
					goto out;
				}
				engines++;
			}
			ts.w = s.w;
			ts.n = s.n;
			trun(&e[lane], &ctx, &ts, (uint32_t)st + 1, &done);
			/*
			 * The compiler's estimate is the timing model's rule per
			 * command: exact for a serial job, an upper bound when the
			 * DMA engine prefetches beside the compute engine.
			 */
			{
				uint64_t est = enpu_npu_stream_estimate(&sku, s.w, s.n);
				int serial = (m->flags & ENPU_COMPILE_NO_PREFETCH) ||
					     !m->npu->ring_bytes;

				if (done.status == ENPU_JOB_OK &&
				    (serial ? done.cycles != est : done.cycles > est)) {
					snprintf(msg, len, "job %zu: %llu cycles, the compiler "
						 "estimates %llu%s", st,
						 (unsigned long long)done.cycles,
						 (unsigned long long)est, serial ? "" : " at most");
					free(s.w);
					goto out;
				}
			}
			free(s.w);
			if (done.status != ENPU_JOB_OK) {
				snprintf(msg, len, "job %zu: status %u info %u at byte %u VA 0x%x", st,
					 done.status, done.error_info, done.error_offset,
					 done.fault_addr);
				goto out;
			}
			/* physics: no job beats its MACs and bytes at the SKU's rates */
			{
				uint64_t roof = enpu_t_roofline(&sku, done.macs,
								done.dram_read + done.dram_write,
								done.sram_read + done.sram_write);

				tot->roofline += roof;
				if (done.cycles < roof) {
					snprintf(msg, len, "job %zu: %llu cycles, under its roofline of "
						 "%llu (%llu MACs, %llu DRAM and %llu SRAM bytes)", st,
						 (unsigned long long)done.cycles,
						 (unsigned long long)roof,
						 (unsigned long long)done.macs,
						 (unsigned long long)(done.dram_read + done.dram_write),
						 (unsigned long long)(done.sram_read + done.sram_write));
					goto out;
				}
			}
			tot->cycles += done.cycles;
			tot->lane_cycles[lane] += done.cycles;
			tot->dram += done.dram_read + done.dram_write;
			tot->spills += m->steps[st].nload + m->steps[st].nstore;
			tot->jobs++;
			continue;
		}
		/* a CPU step over the arena's contents */
		tctx_read(&ctx, ARENA_VA, arena, m->npu->arena_bytes);
		for (t = 0; t < m->g->num_tensors; t++)
			buf[t] = enpu_npu_host_ptr(m, t, arena);
		if (enpu_cpu_run_layers(m, buf, m->steps[st].first, m->steps[st].count)) {
			snprintf(msg, len, "CPU step %zu: %.900s", st, enpu_last_error());
			goto out;
		}
		tctx_write(&ctx, ARENA_VA, arena, m->npu->arena_bytes);
	}
	tctx_read(&ctx, ARENA_VA, arena, m->npu->arena_bytes);
	memcpy(out, arena + m->npu->place[m->g->outputs[which]].off, out_bytes);
	r = 0;
out:
	free(wbuf);
	free(arena);
	free(buf);
	while (engines)
		enpu_engine_destroy(&e[--engines]);
	if (have_bus)
		tbus_fini(&bus);
	return r;
}

/* engine_run_out() for the first output. */
static int engine_run(struct enpu_model *m, const void *in, size_t in_bytes, void *out,
		      size_t out_bytes, struct totals *tot, char *msg, size_t len)
{
	return engine_run_out(m, &in, &in_bytes, 0, out, out_bytes, tot, msg, len);
}

static uint64_t slowest(const struct totals *t, unsigned int lanes)
{
	uint64_t max = 0;
	unsigned int i;

	for (i = 0; i < lanes; i++)
		if (t->lane_cycles[i] > max)
			max = t->lane_cycles[i];
	return max;
}

/*
 * Cuts @m into @lanes stages: stages follow the execution order (a layer's
 * device never goes back), at least two get NPU work when the model has
 * two NPU layers, and a pipelined model refuses to be saved.
 */
static int pipeline(struct enpu_model *m, unsigned int lanes, char *msg, size_t len)
{
	unsigned int used = 0, npu_layers = 0;
	void *data = NULL;
	size_t size = 0, k;
	int prev = 0;

	if (enpu_npu_pipeline(m, lanes)) {
		snprintf(msg, len, "pipeline: %.900s", enpu_last_error());
		return -1;
	}
	for (k = 0; k < enpu_model_num_layers(m); k++) {
		size_t l = m->order[k];
		int d = enpu_model_layer_device(m, l);

		if (d < 0)
			continue;
		if (d >= (int)lanes || d < prev) {
			snprintf(msg, len, "layer %zu on device %d of %u after device %d", l, d,
				 lanes, prev);
			return -1;
		}
		used |= 1u << d;
		npu_layers++;
		prev = d;
	}
	if (npu_layers >= 2 && !(used & ~1u)) {
		snprintf(msg, len, "one stage for %u NPU layers", npu_layers);
		return -1;
	}
	if (enpu_model_save_mem(m, &data, &size) != -EINVAL ||
	    !strstr(enpu_last_error(), "pipelined")) {
		free(data);
		snprintf(msg, len, "a pipelined model was saved");
		return -1;
	}
	return 0;
}

/* Whether @m's DOT drawing names each split layer's rows through the ring. */
static int dot_names_splits(const struct enpu_model *m, char *msg, size_t len)
{
	char *buf = NULL, want[64];
	size_t size = 0, l;
	FILE *f = open_memstream(&buf, &size);
	int ok = f && !enpu_model_write_dot(m, f);

	if (f)
		fclose(f);
	if (!ok)
		snprintf(msg, len, "no DOT drawing: %.900s", enpu_last_error());
	for (l = 0; ok && l < m->g->num_layers; l++) {
		if (!enpu_npu_ring_rows(m->npu, l))
			continue;
		snprintf(want, sizeof(want), "weights of %u of %d rows prefetched",
			 enpu_npu_ring_rows(m->npu, l), m->prep[l].p.fc.output_depth);
		if (!strstr(buf, want)) {
			snprintf(msg, len, "the DOT drawing does not say '%s'", want);
			ok = 0;
		}
	}
	free(buf);
	return ok;
}

/* Compiles and runs one case; 0 pass, 1 skip, -1 fail. */
static int run_case(const char *models, const struct golden_file *g, uint32_t flags,
		    int via_file, unsigned int lanes, struct totals *tot, char *msg, size_t len)
{
	const struct golden_tensor *in = golden_find_tensor(g, "in0");
	const struct golden_tensor *out = golden_find_tensor(g, "out0");
	struct enpu_compile_options opt = { .size = sizeof(opt), .flags = flags };
	struct enpu_graph *graph = NULL;
	struct enpu_model *m = NULL;
	uint8_t *got = NULL;
	char path[600];
	int r = -1;

	snprintf(path, sizeof(path), "%.300s/%.200s", models, g->model);
	if (!in || !out) {
		snprintf(msg, len, "not a whole-model case");
		return -1;
	}
	if (enpu_model_load_tflite(path, &graph)) {
		snprintf(msg, len, "%.900s", enpu_last_error());
		return strstr(msg, "cannot open") ? 1 : -1;
	}
	if (enpu_model_compile_target(&sku_info, graph, &opt, &m)) {
		snprintf(msg, len, "plan: %.900s", enpu_last_error());
		goto out;
	}
	if (via_file == 3 && m->npu->ring_rows) {
		memset(m->npu->ring_rows, 0, m->g->num_layers * sizeof(*m->npu->ring_rows));
		enpu_npu_free_streams(m);
		if (enpu_npu_build_streams(m)) {
			snprintf(msg, len, "streams: %.900s", enpu_last_error());
			goto out;
		}
	} else if (via_file) {
		struct enpu_model *back = NULL;
		void *data = NULL;
		size_t size = 0;

		if (enpu_model_save_mem(m, &data, &size) ||
		    (via_file == 2 && old_format_1_2(data, size, old_format_slot(m))) ||
		    enpu_file_read(data, size, NULL, &back) ||
		    (via_file == 2 && (enpu_npu_free_streams(back), enpu_npu_build_streams(back)))) {
			snprintf(msg, len, "compiled-model file: %.900s", enpu_last_error());
			free(data);
			enpu_model_destroy(back);
			goto out;
		}
		free(data);
		enpu_model_destroy(m);
		m = back;
	}
	if (lanes > 1 && pipeline(m, lanes, msg, len))
		goto out;
	/* a layer split between the ring and DRAM says so in the graph drawn */
	if (!via_file && lanes == 1 && !dot_names_splits(m, msg, len))
		goto out;
	/* its NPU operators all planned for the NPU: no silent CPU fallback */
	if (golden_placement_check(m, NULL, msg, len))
		goto out;
	got = malloc(out->bytes);
	if (!got) {
		snprintf(msg, len, "out of memory");
		goto out;
	}
	if (engine_run(m, in->data, in->bytes, got, out->bytes, tot, msg, len))
		goto out;
	if (memcmp(got, out->data, out->bytes)) {
		snprintf(msg, len, "output differs from TFLite-Micro's");
		goto out;
	}
	r = 0;
	if (lanes > 1)
		snprintf(msg, len, ", slowest stage %.0f%% of the cycles",
			 100.0 * (double)slowest(tot, lanes) / (double)(tot->cycles ? tot->cycles : 1));
out:
	free(got);
	enpu_model_destroy(m);
	enpu_graph_destroy(graph);
	return r;
}

/*
 * A graph whose layers alternate NPU, CPU, NPU, CPU, NPU, CPU (three jobs
 * and three CPU steps handing tensors back and forth through the arena)
 * gives on the engine the bits the CPU backend gives.
 */
static void alternating_placement(void)
{
	struct enpu_graph *g = NULL;
	struct enpu_model *npu = NULL, *cpu = NULL;
	struct enpu_layer_info li;
	struct totals tot = { 0 };
	uint8_t in[ALT_IN_BYTES], want[ALT_OUT_BYTES], got[ALT_OUT_BYTES];
	const void *ins[] = { in };
	void *outs[] = { want };
	char msg[1024] = "";
	size_t i;
	int ok = 0, pattern = 1;

	alt_input(in, 7);
	if (alt_graph(&g) || enpu_model_compile_target(&sku_info, g, NULL, &npu) ||
	    enpu_model_compile(NULL, g, NULL, &cpu) || enpu_model_run(cpu, ins, outs, NULL)) {
		snprintf(msg, sizeof(msg), "%.900s", enpu_last_error());
		goto out;
	}
	for (i = 0; i < enpu_model_num_layers(npu); i++)
		pattern &= !enpu_model_layer_info(npu, i, &li) && li.on_npu == !(i % 2);
	if (!pattern) {
		snprintf(msg, sizeof(msg), "the layers are not placed NPU, CPU, NPU, ...");
		goto out;
	}
	if (engine_run(npu, in, sizeof(in), got, sizeof(got), &tot, msg, sizeof(msg)))
		goto out;
	{
		int seen[256] = { 0 }, distinct = 0;

		for (i = 0; i < sizeof(got); i++)
			distinct += !seen[got[i]]++;
		ok = !memcmp(want, got, sizeof(got)) && tot.jobs == 3 && distinct >= 8;
		if (!ok)
			snprintf(msg, sizeof(msg), "%llu jobs, %d distinct output values; "
				 "outputs %s", (unsigned long long)tot.jobs, distinct,
				 memcmp(want, got, sizeof(got)) ? "differ" : "agree");
		else
			snprintf(msg, sizeof(msg), " (3 jobs, 3 CPU steps, %d distinct values)",
				 distinct);
	}
out:
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	ksft_test_result(ok, "alternating_npu_cpu_layers_bit_exact%s%s\n", ok ? "" : ": ", msg);
}

/*
 * A stateful model (tests/host/svdf_graph.h: FC on the NPU, SVDF on the
 * CPU with its state a variable, FC on the NPU) over a stream of inputs:
 * every inference on the engine gives the CPU backend's bits, so the
 * state is carried from one to the next as the CPU backend carries it;
 * after a reset of both, the stream starts over alike.
 */
static void stateful_model_stream(void)
{
	struct enpu_graph *g = NULL;
	struct enpu_model *npu = NULL, *cpu = NULL;
	struct enpu_layer_info li;
	int8_t in[SVDF_IN_BYTES], want[SVDF_OUT_BYTES], first[SVDF_OUT_BYTES];
	int8_t got[SVDF_OUT_BYTES];
	const void *ins[] = { in };
	void *outs[] = { want };
	char msg[1024] = "";
	uint32_t k, changed = 0;
	size_t i;
	int ok = 0, pass;

	if (svdf_graph(&g) || enpu_model_compile_target(&sku_info, g, NULL, &npu) ||
	    enpu_model_compile(NULL, g, NULL, &cpu)) {
		snprintf(msg, sizeof(msg), "%.900s", enpu_last_error());
		goto out;
	}
	for (i = 0; i < enpu_model_num_layers(npu); i++)
		if (enpu_model_layer_info(npu, i, &li) || li.on_npu != (i != 1)) {
			snprintf(msg, sizeof(msg), "layer %zu is not where it belongs", i);
			goto out;
		}
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < 8; k++) {
			struct totals tot = { 0 };

			svdf_input(in, k % 3);
			if (enpu_model_run(cpu, ins, outs, NULL) ||
			    engine_run(npu, in, sizeof(in), got, sizeof(got), &tot, msg,
				       sizeof(msg)))
				goto out;
			if (memcmp(want, got, sizeof(got)) || tot.jobs != 2) {
				snprintf(msg, sizeof(msg), "pass %d inference %u: %s, %llu jobs",
					 pass, k, memcmp(want, got, sizeof(got)) ? "differs" :
					 "agrees", (unsigned long long)tot.jobs);
				goto out;
			}
			/* the same input gives another output as the state moves */
			if (!pass && k == 0)
				memcpy(first, want, sizeof(first));
			if (!pass && k % 3 == 0 && k)
				changed += !!memcmp(first, want, sizeof(first));
		}
		if (enpu_model_reset_variables(npu) || enpu_model_reset_variables(cpu)) {
			snprintf(msg, sizeof(msg), "%.900s", enpu_last_error());
			goto out;
		}
	}
	ok = changed > 0;
	snprintf(msg, sizeof(msg), ok ? " (16 inferences, 2 jobs each)" :
		 "the state never changed an output");
out:
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	ksft_test_result(ok, "stateful_model_stream_bit_exact%s%s\n", ok ? "" : ": ", msg);
}

/*
 * A model too long for one job (9,000 ADDs: more commands than the NPU
 * takes in one submission) is cut into several jobs, the tensors between
 * them in DRAM, and gives the CPU backend's bits; written to a file and
 * read back, the same.
 */
#define LONG_LAYERS	9000
#define LONG_N		16

static void long_model_is_split_into_jobs(void)
{
	static const float scale = 0.05f;
	static const int32_t zp = 0;
	struct enpu_tensor_desc d = {
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 1, 1, LONG_N },
		.num_scales = 1, .scales = &scale, .zero_points = &zp,
	};
	int8_t in[LONG_N], want[LONG_N], got[LONG_N], plus[LONG_N], minus[LONG_N];
	struct enpu_graph *g = NULL;
	struct enpu_model *npu = NULL, *cpu = NULL, *back = NULL;
	struct enpu_layer_info li;
	struct totals tot = { 0 };
	const void *ins[] = { in };
	void *outs[] = { want };
	char msg[1024] = "";
	void *data = NULL;
	size_t size = 0;
	int i, x, prev, cp, cm, ok = 0;

	for (i = 0; i < LONG_N; i++) {
		in[i] = (int8_t)(i * 7 - 50);
		plus[i] = (int8_t)(i * 3 - 20);
		minus[i] = (int8_t)-plus[i];
	}
	if (enpu_graph_create(&g))
		goto out;
	prev = x = enpu_graph_add_tensor(g, &d);
	d.data = plus;
	cp = enpu_graph_add_tensor(g, &d);
	d.data = minus;
	cm = enpu_graph_add_tensor(g, &d);
	d.data = NULL;
	for (i = 0; i < LONG_LAYERS; i++) {
		int t = enpu_graph_add_tensor(g, &d);

		if (t < 0 || enpu_graph_add_layer(g, &(struct enpu_layer_desc){
				.type = ENPU_LAYER_ADD, .inputs = { prev, i % 2 ? cm : cp },
				.num_inputs = 2, .output = t }) < 0)
			goto out;
		prev = t;
	}
	if (enpu_graph_set_io(g, &x, 1, &prev, 1) ||
	    enpu_model_compile_target(&sku_info, g, NULL, &npu) ||
	    enpu_model_compile(NULL, g, NULL, &cpu) || enpu_model_run(cpu, ins, outs, NULL)) {
		snprintf(msg, sizeof(msg), "%.900s", enpu_last_error());
		goto out;
	}
	enpu_model_layer_info(npu, LONG_LAYERS - 1, &li);
	if (li.segment < 1 || !li.on_npu) {
		snprintf(msg, sizeof(msg), "%d job(s)", li.segment + 1);
		goto out;
	}
	if (engine_run(npu, in, sizeof(in), got, sizeof(got), &tot, msg, sizeof(msg)))
		goto out;
	if (memcmp(want, got, sizeof(got)) || memcmp(want, in, sizeof(in))) {
		snprintf(msg, sizeof(msg), "outputs differ");
		goto out;
	}
	if (enpu_model_save_mem(npu, &data, &size) || enpu_file_read(data, size, NULL, &back) ||
	    engine_run(back, in, sizeof(in), got, sizeof(got), &tot, msg, sizeof(msg)) ||
	    memcmp(want, got, sizeof(got))) {
		snprintf(msg, sizeof(msg), "from a file: %.900s", enpu_last_error());
		goto out;
	}
	ok = 1;
	snprintf(msg, sizeof(msg), " (%d jobs)", li.segment + 1);
out:
	free(data);
	enpu_model_destroy(back);
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	ksft_test_result(ok, "long_model_is_split_into_jobs%s%s\n", ok ? "" : ": ", msg);
}

/* @graph compiled for the contract before minor @minor, which brought its command. */
static int older_contract(const struct enpu_graph *graph, int minor, struct enpu_model **m)
{
	struct enpu_target t = sku_info;

	t.hw_version = ENPU_VERSION(0, minor - 1, 0);
	return enpu_model_compile_target(&t, graph, NULL, m);
}

/*
 * Tables fused into the compute command before them (contract 0.6):
 * CONV_2D -> HARD_SWISH -> DEPTHWISE_CONV_2D -> LOGISTIC -> CONV_2D (1x1)
 * -> TANH. Compiled for the default SKU, each activation is applied by the
 * command before it (its estimate 0: it has no command of its own); for a
 * 0.5 target each is a LUT command. On the engine both give the CPU
 * backend's bytes, and the fused job takes fewer cycles and moves fewer
 * DRAM bytes (the intermediates are never written).
 */
static void fused_tables(void)
{
	struct enpu_graph *g = NULL;
	struct enpu_model *fused = NULL, *plain = NULL, *cpu = NULL, *back = NULL;
	struct totals tf = { 0 }, tp = { 0 };
	int8_t in[FUSED_BYTES], want[FUSED_BYTES], got[FUSED_BYTES], got_plain[FUSED_BYTES];
	char msg[1024] = "";
	size_t i, k;
	int ok = 0, r = 0;

	fused_input(in, 3);
	if (fused_graph(&g) ||
	    enpu_model_compile(NULL, g, NULL, &cpu) ||
	    enpu_model_compile_target(&sku_info, g, NULL, &fused) ||
	    older_contract(g, ENPU_FUSED_LUT_MINOR, &plain) ||
	    enpu_model_run(cpu, (const void *const[]){ in }, (void *const[]){ want }, NULL)) {
		snprintf(msg, sizeof(msg), "%.900s", enpu_last_error());
		goto out;
	}
	for (i = 0; i < enpu_model_num_layers(fused); i++) {
		struct enpu_layer_info a, b;

		if (enpu_model_layer_info(fused, i, &a) || enpu_model_layer_info(plain, i, &b) ||
		    !a.on_npu || !b.on_npu || !b.est_cycles || (a.est_cycles == 0) != (i % 2)) {
			snprintf(msg, sizeof(msg), "layer %zu (%s): estimates %llu fused, %llu "
				 "not; %s", i, enpu_layer_type_name(a.type),
				 (unsigned long long)a.est_cycles,
				 (unsigned long long)b.est_cycles,
				 a.on_npu && b.on_npu ? "every other layer's table is fused" :
				 "all of them on the NPU");
			goto out;
		}
	}
	if (engine_run(fused, in, sizeof(in), got, sizeof(got), &tf, msg, sizeof(msg)) ||
	    engine_run(plain, in, sizeof(in), got_plain, sizeof(got_plain), &tp, msg,
		       sizeof(msg)))
		goto out;
	if (memcmp(got, want, sizeof(got)) || memcmp(got_plain, want, sizeof(got))) {
		snprintf(msg, sizeof(msg), "%s differs from the CPU backend",
			 memcmp(got, want, sizeof(got)) ? "the fused model" : "the 0.5 model");
		goto out;
	}
	/*
	 * Written to a file and read back, the pairs are found again; cut
	 * into three pipeline stages, no pair is split; the bytes the same.
	 * The 0.5 model's LUT commands, with their tables, read back too.
	 */
	for (i = 0; i < 2; i++) {
		struct enpu_model *src = i ? plain : fused;
		struct totals tb = { 0 };
		void *data = NULL;
		size_t size = 0;

		enpu_model_destroy(back);
		back = NULL;
		r = enpu_model_save_mem(src, &data, &size) ||
		    enpu_file_read(data, size, NULL, &back);
		free(data);
		if (r) {
			snprintf(msg, sizeof(msg), "file: %.900s", enpu_last_error());
			goto out;
		}
		if (pipeline(back, 3, msg, sizeof(msg)))
			goto out;
		for (k = 1; !i && k < enpu_model_num_layers(back); k += 2)
			if (enpu_model_layer_device(back, k) != enpu_model_layer_device(back, k - 1)) {
				snprintf(msg, sizeof(msg), "layer %zu's table on device %d, the layer "
					 "applying it on %d", k, enpu_model_layer_device(back, k),
					 enpu_model_layer_device(back, k - 1));
				goto out;
			}
		memset(got, 0, sizeof(got));
		if (engine_run(back, in, sizeof(in), got, sizeof(got), &tb, msg, sizeof(msg)))
			goto out;
		if (memcmp(got, want, sizeof(got))) {
			snprintf(msg, sizeof(msg), "the %s model read back and pipelined differs",
				 i ? "0.5" : "fused");
			goto out;
		}
	}
	ok = tf.cycles < tp.cycles && tf.dram < tp.dram;
	snprintf(msg, sizeof(msg), "%s%llu vs %llu cycles, %llu vs %llu DRAM bytes%s",
		 ok ? " (" : "", (unsigned long long)tf.cycles, (unsigned long long)tp.cycles,
		 (unsigned long long)tf.dram, (unsigned long long)tp.dram, ok ? ")" : "");
out:
	enpu_model_destroy(back);
	enpu_model_destroy(fused);
	enpu_model_destroy(plain);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	ksft_test_result(ok, "tables_fused_into_compute_commands%s%s\n", ok ? "" : ": ", msg);
}

/*
 * A detection head built in code: CONV (1x1) -> LOGISTIC -> MUL with the
 * CONV's output (SiLU), RESIZE_NEAREST_NEIGHBOR 2x -> CONCATENATION with
 * itself -> STRIDED_SLICE (every other row) -> SPLIT in two. On the
 * default SKU all of it runs on the NPU, in one job; both outputs on the
 * engine equal the CPU backend's byte for byte.
 */
static void detection_head(void)
{
	static const float s_in = 0.05f, s_conv = 0.1f, s_sig = 1.0f / 256, s_mul = 0.05f;
	static const float s_w = 0.01f;
	static const int32_t z_in = 0, z_conv = 3, z_sig = -128, z_mul = -2, z0 = 0;
	static const int32_t size[2] = { 8, 8 }, axis = 3;
	static const int32_t begin[4] = { 0, 1, 0, 0 }, end[4] = { 1, 7, 8, 16 };
	static const int32_t strides[4] = { 1, 2, 1, 1 };
	static int8_t w[8 * 8];
	static int32_t bias[8];
	struct enpu_tensor_desc d = { .dtype = ENPU_DTYPE_INT8, .rank = 4, .num_scales = 1 };
	struct enpu_tensor_desc c32 = { .dtype = ENPU_DTYPE_INT32, .rank = 1 };
	struct enpu_graph *g = NULL;
	struct enpu_model *npu = NULL, *cpu = NULL;
	struct totals tot = { 0 };
	int8_t in[4 * 4 * 8], want0[3 * 8 * 8], want1[3 * 8 * 8], got[3 * 8 * 8];
	const int on_npu[] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	int x, t1, t2, t3, t4, t6, t7, t8, t9, k, outs[2];
	char msg[1024] = "";
	size_t i;
	int ok = 0;

#define ACT(h, w_, c, sc, zp) (d.dims[0] = 1, d.dims[1] = (h), d.dims[2] = (w_), \
			      d.dims[3] = (c), d.scales = &(sc), d.zero_points = &(zp), \
			      d.data = NULL, enpu_graph_add_tensor(g, &d))
#define LAYER(...) enpu_graph_add_layer(g, &(struct enpu_layer_desc){ __VA_ARGS__ })
	for (i = 0; i < sizeof(w); i++)
		w[i] = (int8_t)((i * 37) % 255 - 127);
	for (i = 0; i < 8; i++)
		bias[i] = (int32_t)(i * 50) - 200;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (int8_t)((i * 29) % 256 - 128);
	if (enpu_graph_create(&g))
		goto out;
	x = ACT(4, 4, 8, s_in, z_in);
	d.dims[0] = 8;
	d.dims[1] = d.dims[2] = 1;
	d.dims[3] = 8;
	d.scales = &s_w;
	d.zero_points = &z0;
	d.data = w;
	k = enpu_graph_add_tensor(g, &d);
	c32.dims[0] = 8;
	c32.data = bias;
	t1 = enpu_graph_add_tensor(g, &c32);
	t1 = LAYER(.type = ENPU_LAYER_CONV_2D, .inputs = { x, k, t1 }, .num_inputs = 3,
		   .output = ACT(4, 4, 8, s_conv, z_conv), .stride_h = 1, .stride_w = 1,
		   .padding = ENPU_SAME) < 0 ? -1 : (int)g->num_tensors - 1;
	t2 = LAYER(.type = ENPU_LAYER_LOGISTIC, .inputs = { t1 }, .num_inputs = 1,
		   .output = ACT(4, 4, 8, s_sig, z_sig)) < 0 ? -1 : (int)g->num_tensors - 1;
	t3 = LAYER(.type = ENPU_LAYER_MUL, .inputs = { t1, t2 }, .num_inputs = 2,
		   .output = ACT(4, 4, 8, s_mul, z_mul)) < 0 ? -1 : (int)g->num_tensors - 1;
	c32.dims[0] = 2;
	c32.data = size;
	k = enpu_graph_add_tensor(g, &c32);
	t4 = LAYER(.type = ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR, .inputs = { t3, k },
		   .num_inputs = 2, .output = ACT(8, 8, 8, s_mul, z_mul)) < 0 ? -1 :
		   (int)g->num_tensors - 1;
	t6 = LAYER(.type = ENPU_LAYER_CONCATENATION, .inputs = { t4, t4 }, .num_inputs = 2,
		   .axis = 3, .output = ACT(8, 8, 16, s_mul, z_mul)) < 0 ? -1 :
		   (int)g->num_tensors - 1;
	c32.dims[0] = 4;
	c32.data = begin;
	k = enpu_graph_add_tensor(g, &c32);
	c32.data = end;
	t7 = enpu_graph_add_tensor(g, &c32);
	c32.data = strides;
	t8 = enpu_graph_add_tensor(g, &c32);
	t7 = LAYER(.type = ENPU_LAYER_STRIDED_SLICE, .inputs = { t6, k, t7, t8 },
		   .num_inputs = 4, .output = ACT(3, 8, 16, s_mul, z_mul)) < 0 ? -1 :
		   (int)g->num_tensors - 1;
	c32.rank = 0;
	c32.data = &axis;
	k = enpu_graph_add_tensor(g, &c32);
	t8 = ACT(3, 8, 8, s_mul, z_mul);
	t9 = ACT(3, 8, 8, s_mul, z_mul);
	outs[0] = t8;
	outs[1] = t9;
	if (t1 < 0 || t2 < 0 || t3 < 0 || t4 < 0 || t6 < 0 || t7 < 0 ||
	    LAYER(.type = ENPU_LAYER_SPLIT, .inputs = { k, t7 }, .num_inputs = 2,
		  .num_splits = 2, .split_index = 0, .output = t8) < 0 ||
	    LAYER(.type = ENPU_LAYER_SPLIT, .inputs = { k, t7 }, .num_inputs = 2,
		  .num_splits = 2, .split_index = 1, .output = t9) < 0 ||
	    enpu_graph_set_io(g, &x, 1, outs, 2) ||
	    enpu_model_compile(NULL, g, NULL, &cpu) ||
	    enpu_model_compile_target(&sku_info, g, NULL, &npu) ||
	    enpu_model_run(cpu, (const void *const[]){ in }, (void *const[]){ want0, want1 },
			   NULL)) {
		snprintf(msg, sizeof(msg), "%.900s", enpu_last_error());
		goto out;
	}
#undef ACT
#undef LAYER
	for (i = 0; i < enpu_model_num_layers(npu); i++) {
		struct enpu_layer_info li;

		if (enpu_model_layer_info(npu, i, &li) || li.on_npu != on_npu[i]) {
			snprintf(msg, sizeof(msg), "layer %zu (%s) on the %s: %s", i,
				 enpu_layer_type_name(li.type), li.on_npu ? "NPU" : "CPU",
				 li.on_npu ? "" : enpu_model_layer_reason(npu, i));
			goto out;
		}
	}
	if (engine_run_out(npu, (const void *const[]){ in }, (const size_t[]){ sizeof(in) }, 0,
			   got, sizeof(got), &tot, msg, sizeof(msg)))
		goto out;
	if (memcmp(got, want0, sizeof(got))) {
		snprintf(msg, sizeof(msg), "first output differs from the CPU backend's");
		goto out;
	}
	if (engine_run_out(npu, (const void *const[]){ in }, (const size_t[]){ sizeof(in) }, 1,
			   got, sizeof(got), &tot, msg, sizeof(msg)))
		goto out;
	if (memcmp(got, want1, sizeof(got))) {
		snprintf(msg, sizeof(msg), "second output differs from the CPU backend's");
		goto out;
	}
	ok = 1;
	snprintf(msg, sizeof(msg), " (%llu jobs)", (unsigned long long)tot.jobs / 2);
out:
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	ksft_test_result(ok, "detection_head_bit_exact_on_both_backends%s%s\n", ok ? "" : ": ", msg);
}

/*
 * Operators of the per-op goldens run here: those the NPU runs as a LUT
 * command (contract 0.4, the first six), and the data movement it runs as
 * DMA copies.
 */
static const char *const lut_ops[] = {
	"RELU", "RELU6", "LEAKY_RELU", "LOGISTIC", "TANH", "HARD_SWISH", "QUANTIZE",
	"MUL", "SUB", "MAXIMUM", "MINIMUM",
	"TRANSPOSE", "STRIDED_SLICE", "SPLIT", "RESIZE_NEAREST_NEIGHBOR",
};
#define NUM_LUT_OPS	7	/* then the ELTWISE ones (contract 0.5) */
#define NUM_ELTWISE_OPS	4

/*
 * Where a case's layer runs on the default SKU: NULL on the NPU, else words
 * its reason for the CPU must contain. A QUANTIZE from float32 and a
 * STRIDED_SLICE walking backwards (a negative stride) are the CPU's; a
 * RESIZE_NEAREST_NEIGHBOR is the NPU's when its columns map by a stride or
 * an integer factor, so either place is right for it, with that reason
 * on the CPU (*either set).
 */
static const char *cpu_reason(const struct golden_file *g, int *either)
{
	const struct golden_tensor *st = golden_find_tensor(g, "in3");
	size_t i;

	*either = !strcmp(g->op, "RESIZE_NEAREST_NEIGHBOR");
	if (*either)
		return "do not read the input at a fixed stride";
	if (!strcmp(g->op, "QUANTIZE"))
		return golden_find_tensor(g, "in0")->dtype == GOLDEN_FLOAT32 ?
		       "QUANTIZE from float32" : NULL;
	for (i = 0; !strcmp(g->op, "STRIDED_SLICE") && st && i < st->count; i++)
		if (((const int32_t *)st->data)[i] < 0)
			return "walks its input backwards";
	return NULL;
}

/* The contract minor that brings the case's command to the NPU: 0 for older ones. */
static int needs_minor(const struct golden_file *g)
{
	size_t k;

	for (k = 0; k < NUM_LUT_OPS + NUM_ELTWISE_OPS; k++)
		if (!strcmp(g->op, lut_ops[k]))
			return k < NUM_LUT_OPS ? ENPU_LUT_MINOR : ENPU_ELTWISE_MINOR;
	return 0;
}

/* The per-op goldens of those operators (golden_list_free() them). */
static char **npu_op_paths(const char *root, size_t *count)
{
	char dir[512], **paths;
	size_t n, i, k, kept = 0;

	snprintf(dir, sizeof(dir), "%.400s/ops", root);
	paths = golden_list(dir, &n);
	for (i = 0; i < n; i++) {
		const char *op = paths[i] + strlen(dir) + 1;
		int lut = 0;

		for (k = 0; k < sizeof(lut_ops) / sizeof(lut_ops[0]); k++)
			lut |= !strncmp(op, lut_ops[k], strlen(lut_ops[k])) &&
			       op[strlen(lut_ops[k])] == '/';
		if (lut)
			paths[kept++] = paths[i];
		else
			free(paths[i]);
	}
	*count = kept;
	return paths;
}


/*
 * Every per-op golden of those operators compiled for the default SKU and
 * run on the engine, bit-exact, its layer where cpu_reason() says; a layer
 * on the NPU through a command of a newer contract is on the CPU for the
 * contract before, saying why.
 */
static void npu_op_goldens(const char *root)
{
	char msg[1024];
	size_t n, i;
	char **paths = npu_op_paths(root, &n);
	int resize_on_npu = 0;

	for (i = 0; i < n; i++) {
		struct golden_file g;
		struct golden_graph gg;
		struct enpu_model *m = NULL, *m_old = NULL;
		struct enpu_layer_info li;
		struct totals t = { 0 };
		uint8_t *got = NULL;
		const char *want;
		int ok = 0, either;

		msg[0] = 0;
		if (golden_load(paths[i], &g, msg, sizeof(msg)))
			goto report;
		if (golden_graph_build(&g, &gg, msg, sizeof(msg))) {
			golden_free(&g);
			goto report;
		}
		want = cpu_reason(&g, &either);
		got = malloc(gg.output->bytes);
		if (!got || enpu_model_compile_target(&sku_info, gg.graph, NULL, &m)) {
			snprintf(msg, sizeof(msg), "compile: %.900s", enpu_last_error());
		} else if (enpu_model_layer_info(m, 0, &li) ||
			   (li.on_npu ? want && !either :
			    !want || !strstr(enpu_model_layer_reason(m, 0), want))) {
			snprintf(msg, sizeof(msg), "on the %s: %s", li.on_npu ? "NPU" : "CPU",
				 li.on_npu ? "" : enpu_model_layer_reason(m, 0));
		} else if (needs_minor(&g) && li.on_npu &&
			   (older_contract(gg.graph, needs_minor(&g), &m_old) ||
			    enpu_model_layer_info(m_old, 0, &li) || li.on_npu ||
			    !strstr(enpu_model_layer_reason(m_old, 0), needs_minor(&g) ==
				    ENPU_LUT_MINOR ? "no LUT command" : "no ELTWISE command"))) {
			snprintf(msg, sizeof(msg), "older contract: %s",
				 !m_old ? enpu_last_error() : li.on_npu ? "on the NPU" :
				 enpu_model_layer_reason(m_old, 0));
		} else {
			const void *ins[ENPU_MAX_LAYER_INPUTS];
			size_t lens[ENPU_MAX_LAYER_INPUTS], k;

			for (k = 0; k < gg.num_inputs; k++) {
				ins[k] = gg.inputs[k]->data;
				lens[k] = gg.inputs[k]->bytes;
			}
			if (engine_run_out(m, ins, lens, 0, got, gg.output->bytes, &t, msg,
					   sizeof(msg)))
				goto done;
			ok = !memcmp(got, gg.output->data, gg.output->bytes);
			if (!ok)
				snprintf(msg, sizeof(msg), "output differs from TFLite-Micro's");
		}
done:
		if (ok && !strcmp(g.op, "RESIZE_NEAREST_NEIGHBOR") &&
		    !enpu_model_layer_info(m, 0, &li) && li.on_npu)
			resize_on_npu++;
		free(got);
		enpu_model_destroy(m);
		enpu_model_destroy(m_old);
		golden_graph_free(&gg);
		golden_free(&g);
report:
		ksft_test_result(ok, "npu-op:%s%s%s\n", paths[i] + strlen(root) + 1,
				 ok ? "" : ": ", msg);
	}
	golden_list_free(paths, n);
	/* the integer-factor and same-size resizes run on the NPU */
	ksft_test_result(resize_on_npu >= 5, "resize_nearest_neighbor_on_the_npu (%d of the "
			 "cases)\n", resize_on_npu);
}

/* Those per-op cases, counted before the plan is set. */
static size_t count_npu_op_goldens(const char *root)
{
	size_t n = 0;
	char **paths = npu_op_paths(root, &n);

	golden_list_free(paths, n);
	return n;
}

/* The first variant's totals per model, over its whole-model goldens. */
#define MAX_MODELS	64
static struct {
	char name[128];
	struct totals t;
} per_model[MAX_MODELS];
static size_t num_models;

static void add_model(const char *name, const struct totals *t)
{
	size_t i;

	for (i = 0; i < num_models && strcmp(per_model[i].name, name); i++)
		;
	if (i == MAX_MODELS)
		return;
	if (i == num_models)
		snprintf(per_model[num_models++].name, sizeof(per_model[0].name), "%s", name);
	per_model[i].t.cycles += t->cycles;
	per_model[i].t.roofline += t->roofline;
	per_model[i].t.jobs += t->jobs;
}

/*
 * The compiler's goal: each model's cycles within 1.25x its roofline
 * bound. A model whose jobs' fixed cost (ENPU_T_JOB_OVERHEAD: fetching
 * the descriptor, writing the completion) takes more than half the
 * goal's slack -- a bound under eight times that cost -- is bound by
 * that cost, not by its schedule: reported, not held to it
 * (hello_world: 81 cycles of work in a job of 256 cycles' overhead).
 */
#define ROOFLINE_GOAL	1.25

static void models_near_their_roofline(void)
{
	char list[1024] = "", *p = list;
	size_t i, held = 0;
	int ok = 1;

	for (i = 0; i < num_models; i++) {
		const struct totals *t = &per_model[i].t;
		double r = t->roofline ? (double)t->cycles / (double)t->roofline : 0;
		int bound = t->roofline >= 8 * t->jobs * ENPU_T_JOB_OVERHEAD;

		ksft_print_msg("%s: %.2fx its roofline%s\n", per_model[i].name, r,
			       bound ? "" : " (under eight times its jobs' fixed cost: not held to "
			       "the goal)");
		if (!bound)
			continue;
		held++;
		if (r > ROOFLINE_GOAL) {
			ok = 0;
			p += snprintf(p, sizeof(list) - (size_t)(p - list), " %.40s %.2fx",
				      per_model[i].name, r);
			if (p >= list + sizeof(list) - 64)
				break;
		}
	}
	if (!held)
		ksft_test_result_skip("models_near_their_roofline: no model run\n");
	else
		ksft_test_result(ok, "models_near_their_roofline (%zu models held to %.2fx)%s%s\n",
				 held, ROOFLINE_GOAL, ok ? "" : ": over it:", list);
}

int main(void)
{
	const char *root = getenv("EDGENPU_GOLDENS"), *models = getenv("EDGENPU_MODELS");
	struct totals pd[NVAR] = { 0 };
	uint64_t spills = 0, split_cycles[NVAR];
	unsigned int split_compared = 0, split_faster = 0, split_slower = 0;
	char dir[512], msg[1024], **paths;
	size_t n = 0, i, v;

	if (!root || !*root)
		root = "../shared/goldens";
	if (!models || !*models)
		models = "../shared/models";
	enpu_target_default(&sku_info);
	snprintf(dir, sizeof(dir), "%.400s/models", root);
	ksft_print_header();
	paths = golden_list(dir, &n);
	if (!n) {
		ksft_set_plan(1);
		ksft_test_result_skip("no whole-model goldens under %s\n", dir);
		ksft_finished();
	}
	ksft_set_plan((unsigned int)(n * NVAR + 11 + count_npu_op_goldens(root)));
	for (i = 0; i < n; i++) {
		struct golden_file g;
		const char *rel = paths[i] + strlen(dir) + 1;
		int is_pd = !strncmp(rel, "person_detect/", 14);

		if (golden_load(paths[i], &g, msg, sizeof(msg))) {
			for (v = 0; v < NVAR; v++)
				ksft_test_result_fail("%s:%s: %s\n", variants[v].name, rel, msg);
			continue;
		}
		for (v = 0; v < NVAR; v++) {
			struct totals t = { 0 };
			int r = run_case(models, &g, variants[v].flags, variants[v].via_file,
					     variants[v].lanes, &t, msg, sizeof(msg));

			if (!r)
				ksft_test_result_pass("%s:%s (%llu cycles, %.2fx the roofline, "
						      "%llu DRAM bytes%s)\n", variants[v].name, rel,
						      (unsigned long long)t.cycles,
						      t.roofline ? (double)t.cycles / t.roofline : 0.0,
						      (unsigned long long)t.dram, msg);
			else if (r > 0)
				ksft_test_result_skip("%s:%s: %s\n", variants[v].name, rel, msg);
			else
				ksft_test_result_fail("%s:%s: %s\n", variants[v].name, rel, msg);
			if (!r && !v)
				add_model(g.model, &t);
			split_cycles[v] = r ? 0 : t.cycles;
			if (is_pd) {
				pd[v].cycles += t.cycles;
				pd[v].dram += t.dram;
			}
			spills += t.spills;
		}
		if (split_cycles[0] && split_cycles[WHOLE_COPIES]) {
			split_compared++;
			split_faster += split_cycles[0] < split_cycles[WHOLE_COPIES];
			split_slower += split_cycles[0] > split_cycles[WHOLE_COPIES];
		}
		golden_free(&g);
	}
	golden_list_free(paths, n);
	alternating_placement();
	stateful_model_stream();
	fused_tables();
	long_model_is_split_into_jobs();
	npu_op_goldens(root);
	detection_head();
	/* the copies across cuts ran (and the outputs above stayed exact) */
	ksft_test_result(spills > 0, "pipelines_copy_sram_tensors_across_cuts (%llu copies)\n",
			 (unsigned long long)spills);
	for (v = 0; v < NVAR; v++)
		ksft_print_msg("person_detect, %s: %llu cycles, %llu DRAM bytes over its inputs\n",
			       variants[v].name, (unsigned long long)pd[v].cycles,
			       (unsigned long long)pd[v].dram);
	if (!pd[0].dram)
		ksft_test_result_skip("sram_cuts_dram_traffic: person_detect not run\n");
	else if (pd[0].dram < pd[2].dram && pd[0].cycles <= pd[2].cycles)
		ksft_test_result_pass("sram_cuts_dram_traffic (%.1fx fewer DRAM bytes)\n",
				      (double)pd[2].dram / (double)pd[0].dram);
	else
		ksft_test_result_fail("sram_cuts_dram_traffic: %llu vs %llu DRAM bytes\n",
				      (unsigned long long)pd[0].dram,
				      (unsigned long long)pd[2].dram);
	models_near_their_roofline();
	/*
	 * A split is chosen where the plan says the layer ends sooner: never
	 * slower on the device model, and faster on some model (micro_speech).
	 */
	if (!split_compared)
		ksft_test_result_skip("fc_splits_end_sooner: no model run\n");
	else if (!split_faster && !split_slower)
		ksft_test_result_fail("fc_splits_end_sooner: no case of %u faster or slower "
				      "split: no split chosen\n", split_compared);
	else
		ksft_test_result(!split_slower, "fc_splits_end_sooner (%u cases faster, %u "
				 "slower)\n", split_faster, split_slower);
	/* prefetch is only chosen where the timing model says it pays */
	if (!pd[0].cycles)
		ksft_test_result_skip("prefetch_never_slower: person_detect not run\n");
	else if (pd[0].cycles <= pd[1].cycles)
		ksft_test_result_pass("prefetch_never_slower (%llu vs %llu cycles)\n",
				      (unsigned long long)pd[0].cycles,
				      (unsigned long long)pd[1].cycles);
	else
		ksft_test_result_fail("prefetch_never_slower: %llu vs %llu cycles\n",
				      (unsigned long long)pd[0].cycles,
				      (unsigned long long)pd[1].cycles);
	ksft_finished();
}
