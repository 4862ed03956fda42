// SPDX-License-Identifier: MIT
/*
 * The NPU compiler:
 *  1. which layers the NPU runs: each is emitted and checked with the
 *     contract's own decoder (hw/edgenpu_cmd.h); what the NPU cannot
 *     express (softmax, quantize, oversized operands...) runs on the CPU;
 *  2. steps: runs of consecutive NPU layers become one device job each;
 *  3. placement by liveness: activations produced and consumed inside one
 *     job stay in on-chip SRAM when they fit; the rest share a DRAM arena
 *     where tensors that are never alive together reuse the same bytes;
 *     constants go to one read-only weights buffer;
 *  4. weight prefetch: a ring in the SRAM above the activations that the
 *     DMA engine fills with later layers' weights, as far ahead as the
 *     ring allows, while the compute engine works, for the layers the
 *     timing model says end earlier for it; a job's last such layer, if
 *     fully connected, split over its output rows between the ring and
 *     DRAM where that ends sooner;
 *  5. per-layer cycle estimates from the timing model (hw/edgenpu_timing.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "edgenpu_cmd.h"
#include "edgenpu_hw.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"
#include "internal.h"
#include "npu.h"

#define ALIGN64(x)	(((x) + 63) & ~(uint64_t)63)
#define DRY_BASE	0x00100000u	/* any DRAM address for dry runs */

/* SUB, MUL, MAXIMUM, MINIMUM: the ELTWISE command (contract 0.5). */
static int layer_is_eltwise(enum enpu_layer_type t)
{
	return t == ENPU_LAYER_SUB || t == ENPU_LAYER_MUL || t == ENPU_LAYER_MAXIMUM ||
	       t == ENPU_LAYER_MINIMUM;
}

static int layer_is_compute(enum enpu_layer_type t)
{
	return t == ENPU_LAYER_CONV_2D || t == ENPU_LAYER_DEPTHWISE_CONV_2D ||
	       t == ENPU_LAYER_FULLY_CONNECTED || t == ENPU_LAYER_ADD ||
	       t == ENPU_LAYER_AVERAGE_POOL_2D || t == ENPU_LAYER_MAX_POOL_2D ||
	       layer_is_eltwise(t);
}

int enpu_npu_layer_is_dma(enum enpu_layer_type t)
{
	return t == ENPU_LAYER_PAD || t == ENPU_LAYER_CONCATENATION ||
	       t == ENPU_LAYER_RESHAPE || t == ENPU_LAYER_TRANSPOSE ||
	       t == ENPU_LAYER_STRIDED_SLICE || t == ENPU_LAYER_SPLIT ||
	       t == ENPU_LAYER_RESIZE_NEAREST_NEIGHBOR;
}

int enpu_npu_runs_type(enum enpu_layer_type t)
{
	return layer_is_compute(t) || enpu_npu_layer_is_dma(t) || enpu_npu_is_lut(t);
}

static int layer_has_weights(enum enpu_layer_type t)
{
	return t == ENPU_LAYER_CONV_2D || t == ENPU_LAYER_DEPTHWISE_CONV_2D ||
	       t == ENPU_LAYER_FULLY_CONNECTED;
}

/*
 * Whether every command of @s decodes, with each operand inside the VA
 * space: 0, the first command's ENPU_CMD_ERR_*, or -ENOMEM when emitting
 * it ran out of memory.
 */
static int stream_error(const struct enpu_stream *s)
{
	struct enpu_cmd_info info;
	size_t pos = 0;
	int err;

	if (s->oom)
		return -ENOMEM;
	while (pos < s->n) {
		err = enpu_cmd_decode(s->w + pos, s->n - pos, &info);
		if (err)
			return err;
		pos += info.words;
	}
	return 0;
}

/* The largest of layer @l's tensors, bytes. */
static uint64_t largest_operand(const struct enpu_model *m, size_t l)
{
	const struct enpu_layer_desc *gl = &m->g->layers[l];
	uint64_t max = m->g->tensors[gl->output].bytes;
	int i;

	for (i = 0; i < gl->num_inputs; i++)
		if (gl->inputs[i] >= 0 && m->g->tensors[gl->inputs[i]].bytes > max)
			max = m->g->tensors[gl->inputs[i]].bytes;
	return max;
}

/* Why layer @l's commands are refused (@err from stream_error()), in @why. */
static void refusal(const struct enpu_model *m, size_t l, int err, char *why, size_t len)
{
	const char *type = enpu_layer_type_name(m->prep[l].type);

	switch (err) {
	case -ENOMEM:
		snprintf(why, len, "out of memory emitting its NPU commands");
		break;
	case ENPU_CMD_ERR_TOO_BIG:
		snprintf(why, len, "an operand of %.1f MiB (its largest tensor) is over the "
			 "%u MiB an NPU command takes per operand",
			 largest_operand(m, l) / 1048576.0, ENPU_MAX_OPERAND >> 20);
		break;
	case ENPU_CMD_ERR_EXTENT:
		snprintf(why, len, "its operands reach past the NPU's 32-bit address space");
		break;
	default:
		snprintf(why, len, "its parameters are outside what the NPU's commands take "
			 "for %s (dimensions up to %u, 8-bit zero points, shifts -31..31, "
			 "ADD broadcasting)", type, ENPU_CMD_MAX_DIM);
	}
}

/*
 * Whether the NPU can run layer @l: emit it at dry-run addresses and
 * decode. If not, @why says why. @words: the layer's command words.
 */
static int npu_capable(struct enpu_model *m, size_t l, char *why, size_t len,
		       uint32_t *words)
{
	const struct enpu_prep *p = &m->prep[l];
	struct enpu_stream s = { 0 };
	int ret;

	if (!enpu_npu_runs_type(p->type)) {
		snprintf(why, len, "the NPU has no instruction for %s",
			 enpu_layer_type_name(p->type));
		return 0;
	}
	if (m->g->tensors[p->out].dtype == ENPU_DTYPE_INT16 ||
	    m->g->tensors[p->in[0] >= 0 ? p->in[0] : p->out].dtype == ENPU_DTYPE_INT16) {
		snprintf(why, len, "it has int16 activations (16x8), and the NPU computes int8");
		return 0;
	}
	if (p->type == ENPU_LAYER_QUANTIZE &&
	    (m->g->tensors[p->in[0]].dtype != ENPU_DTYPE_INT8 ||
	     m->g->tensors[p->out].dtype != ENPU_DTYPE_INT8)) {
		snprintf(why, len, "QUANTIZE from %s runs on the CPU (the NPU computes int8 only)",
			 m->g->tensors[p->in[0]].dtype == ENPU_DTYPE_FLOAT32 ? "float32" :
			 m->g->tensors[p->in[0]].dtype == ENPU_DTYPE_INT8 ? "int8 to a wider type" :
			 "a wider type");
		return 0;
	}
	if ((enpu_npu_is_lut(p->type) || layer_is_eltwise(p->type)) &&
	    !ENPU_VERSION_MAJOR(m->target.hw_version) &&
	    ENPU_VERSION_MINOR(m->target.hw_version) <
	    (enpu_npu_is_lut(p->type) ? ENPU_LUT_MINOR : ENPU_ELTWISE_MINOR)) {
		snprintf(why, len, "the target's hardware contract %u.%u has no %s command, "
			 "which %s needs (contract 0.%u adds it)",
			 ENPU_VERSION_MAJOR(m->target.hw_version),
			 ENPU_VERSION_MINOR(m->target.hw_version),
			 enpu_npu_is_lut(p->type) ? "LUT" : "ELTWISE",
			 enpu_layer_type_name(p->type),
			 enpu_npu_is_lut(p->type) ? ENPU_LUT_MINOR : ENPU_ELTWISE_MINOR);
		return 0;
	}
	ret = enpu_emit_layer(m, l, DRY_BASE, DRY_BASE, 0, &s);
	*words = (uint32_t)s.n;
	if (ret == -ERANGE)
		snprintf(why, len, "it walks its input backwards (a negative stride), which "
			 "the DMA engine's strides cannot");
	else if (ret == -EOPNOTSUPP)
		snprintf(why, len, "its output columns do not read the input at a fixed stride "
			 "or repeat it an integer number of times (align_corners or an uneven "
			 "factor), which DMA copies cannot express");
	else if (ret)
		snprintf(why, len, "its shape does not fit the NPU's commands (more than %u "
			 "rows or planes in one copy)", ENPU_CMD_MAX_DIM);
	else if (s.n + ENPU_STEP_OVERHEAD_WORDS + 1 > ENPU_MAX_CMD_SIZE / 4)
		snprintf(why, len, "its commands take %zu bytes, over the %u bytes of one "
			 "NPU job", s.n * 4, ENPU_MAX_CMD_SIZE), ret = -E2BIG;
	else if ((ret = stream_error(&s)))
		refusal(m, l, ret, why, len);
	free(s.w);
	return !ret;
}

/*
 * Modelled cycles of layer @l as placed (output rows @first .. @first +
 * @rows of a fully-connected layer, enpu_emit_rows()), the timing
 * model's rule per command; in *@dram (may be NULL) the DRAM channel's
 * cycles of them.
 */
static uint64_t layer_cost(struct enpu_model *m, size_t l, uint32_t filter_va, uint32_t first,
			   uint32_t rows, uint64_t *dram)
{
	struct enpu_stream s = { 0 };
	struct enpu_cmd_info info;
	struct enpu_t_parts parts;
	uint64_t cycles = 0;
	size_t pos = 0;

	if (dram)
		*dram = 0;
	if (enpu_emit_rows(m, l, DRY_BASE, DRY_BASE, filter_va, first, rows, &s))
		goto out;
	while (pos < s.n && !enpu_cmd_decode(s.w + pos, s.n - pos, &info)) {
		cycles += enpu_t_cmd(&m->npu->sku, &info);
		if (dram && !enpu_t_is_sync(&info) && info.opcode != ENPU_OP_END) {
			enpu_t_parts(&m->npu->sku, &info, &parts);
			*dram += parts.dram;
		}
		pos += info.words;
	}
out:
	free(s.w);
	return cycles;
}

uint64_t enpu_npu_stream_estimate(const struct enpu_sku *sku, const uint32_t *w, size_t n)
{
	struct enpu_cmd_info info;
	uint64_t cycles = enpu_t_fetch(sku, 4 * (uint64_t)n);
	size_t pos = 0;

	while (pos < n && !enpu_cmd_decode(w + pos, n - pos, &info)) {
		cycles += enpu_t_cmd(sku, &info);
		pos += info.words;
	}
	return cycles;
}

struct live {
	int t;
	int def, last;		/* positions in the order, inclusive */
	uint64_t bytes;
};

static int overlaps(const struct live *a, const struct live *b)
{
	return a->def <= b->last && b->def <= a->last;
}

static int by_size_desc(const void *x, const void *y)
{
	const struct live *a = x, *b = y;

	return a->bytes < b->bytes ? 1 : a->bytes > b->bytes ? -1 : a->t - b->t;
}

/*
 * First fit: the lowest 64-byte aligned offset where @cur overlaps no
 * placed tensor alive at the same time. Returns the end of the placement.
 */
static uint64_t first_fit(const struct live *placed, const uint64_t *offs, size_t n,
			  const struct live *cur)
{
	uint64_t off = 0;
	size_t i;
	int moved = 1;

	while (moved) {
		moved = 0;
		for (i = 0; i < n; i++) {
			if (!overlaps(&placed[i], cur))
				continue;
			if (off < offs[i] + ALIGN64(placed[i].bytes) &&
			    offs[i] < off + ALIGN64(cur->bytes)) {
				off = offs[i] + ALIGN64(placed[i].bytes);
				moved = 1;
			}
		}
	}
	return off;
}

/*
 * The tensor whose bytes tensor @t is: a RESHAPE's output only renames its
 * input's bytes, so an NPU RESHAPE's output shares its input's place (and
 * the layer moves nothing: enpu_npu_layer_moves()), through chains of
 * them; any other tensor is its own.
 */
static int alias_root(const struct enpu_model *m, int t)
{
	int prod;

	while ((prod = enpu_graph_producer(m->g, t)) >= 0 &&
	       m->prep[prod].type == ENPU_LAYER_RESHAPE && m->linfo[prod].on_npu &&
	       m->prep[prod].in[0] >= 0 && !m->g->tensors[m->prep[prod].in[0]].data &&
	       !m->g->tensors[m->prep[prod].in[0]].variable &&
	       m->g->tensors[m->prep[prod].in[0]].bytes == m->g->tensors[t].bytes)
		t = m->prep[prod].in[0];
	return t;
}

/* Places activations: SRAM where eligible and fitting, then the DRAM arena. */
static int place_activations(struct enpu_model *m, const int *pos_of,
			     const int *step_of)
{
	struct enpu_graph *g = m->g;
	struct enpu_npu *npu = m->npu;
	size_t nt = g->num_tensors, n = 0, ns = 0, nd = 0, i, k;
	struct live *lv = calloc(nt + 1, sizeof(*lv));
	struct live *sp = calloc(nt + 1, sizeof(*sp)), *dp = calloc(nt + 1, sizeof(*dp));
	uint64_t *soff = calloc(nt + 1, sizeof(*soff)), *doff = calloc(nt + 1, sizeof(*doff));
	uint64_t sram_cap = npu->sku.sram_size - (uint64_t)npu->ring_bytes;
	int *idx = calloc(nt + 1, sizeof(*idx));
	char *sram = calloc(nt + 1, 1);
	int ret = 0;

	if (!lv || !sp || !dp || !soff || !doff || !idx || !sram) {
		ret = enpu_fail(-ENOMEM, "out of memory planning memory");
		goto out;
	}
	for (i = 0; i < nt; i++) {
		int prod = enpu_graph_producer(g, (int)i);

		idx[i] = -1;
		/*
		 * variables live in host memory (variable.c), for CPU layers
		 * only; a table fused into its producer's command has an
		 * input that is never written (npu_fuse.c)
		 */
		if (g->tensors[i].data || g->tensors[i].variable ||
		    (prod >= 0 && npu->fused_lut[prod] >= 0) || alias_root(m, (int)i) != (int)i)
			continue;
		idx[i] = (int)n;
		lv[n].t = (int)i;
		lv[n].bytes = g->tensors[i].bytes;
		lv[n].def = prod >= 0 ? pos_of[prod] : -1;
		lv[n].last = lv[n].def;
		/* SRAM only for what one NPU job produces and consumes */
		sram[n] = !(m->flags & ENPU_COMPILE_NO_SRAM) && prod >= 0 &&
			  m->linfo[prod].on_npu;
		n++;
	}
	/* last uses, and consumers outside the producer's job, in one pass */
	for (k = 0; k < g->num_layers; k++) {
		const struct enpu_layer_desc *l = &g->layers[k];

		for (int j = 0; j < l->num_inputs; j++) {
			int t = l->inputs[j] >= 0 ? alias_root(m, l->inputs[j]) : -1;
			int x = t >= 0 ? idx[t] : -1;
			int prod;

			if (x < 0)
				continue;
			prod = enpu_graph_producer(g, t);
			if (pos_of[k] > lv[x].last)
				lv[x].last = pos_of[k];
			if (!m->linfo[k].on_npu || prod < 0 || step_of[k] != step_of[prod])
				sram[x] = 0;
		}
	}
	for (k = 0; k < g->num_inputs + g->num_outputs; k++) {
		int out = k >= g->num_inputs;
		int t = alias_root(m, out ? g->outputs[k - g->num_inputs] : g->inputs[k]);
		int x = idx[t];

		if (x < 0)
			continue;
		if (out)
			lv[x].last = INT_MAX;
		sram[x] = 0;
	}
	for (i = 0; i < n; i++)
		npu->place[lv[i].t].loc = sram[i] ? ENPU_LOC_SRAM : ENPU_LOC_ARENA;
	qsort(lv, n, sizeof(*lv), by_size_desc);
	for (i = 0; i < n; i++) {
		struct enpu_place *pl = &npu->place[lv[i].t];

		if (pl->loc == ENPU_LOC_SRAM) {
			uint64_t off = first_fit(sp, soff, ns, &lv[i]);

			if (off + ALIGN64(lv[i].bytes) <= sram_cap) {
				sp[ns] = lv[i];
				soff[ns++] = off;
				pl->off = off;
				if (off + ALIGN64(lv[i].bytes) > npu->sram_act_bytes)
					npu->sram_act_bytes = off + ALIGN64(lv[i].bytes);
				continue;
			}
			pl->loc = ENPU_LOC_ARENA;	/* does not fit: DRAM */
		}
		pl->off = first_fit(dp, doff, nd, &lv[i]);
		dp[nd] = lv[i];
		doff[nd++] = pl->off;
		if (pl->off + ALIGN64(lv[i].bytes) > npu->arena_bytes)
			npu->arena_bytes = pl->off + ALIGN64(lv[i].bytes);
	}
	for (i = 0; i < nt; i++)
		if (!g->tensors[i].data && !g->tensors[i].variable)
			npu->place[i] = npu->place[alias_root(m, (int)i)];
out:
	free(lv);
	free(sp);
	free(dp);
	free(soff);
	free(doff);
	free(idx);
	free(sram);
	return ret;
}

/* Constants of NPU layers and their requantization arrays: offsets in one buffer. */
static void place_weights(struct enpu_model *m)
{
	struct enpu_graph *g = m->g;
	struct enpu_npu *npu = m->npu;
	uint64_t off = 0;
	size_t l, i;

	for (l = 0; l < g->num_layers; l++) {
		const struct enpu_prep *p = &m->prep[l];

		for (i = 0; i < (size_t)p->num_in; i++) {
			int t = p->in[i];

			if (t < 0 || !g->tensors[t].data)
				continue;
			if (!m->linfo[l].on_npu) {
				if (npu->place[t].loc == ENPU_LOC_NONE)
					npu->place[t].loc = ENPU_LOC_HOST;
				continue;
			}
			if (npu->place[t].loc == ENPU_LOC_WEIGHTS)
				continue;
			npu->place[t].loc = ENPU_LOC_WEIGHTS;
			npu->place[t].off = off;
			off = ALIGN64(off + g->tensors[t].bytes);
		}
		if (m->linfo[l].on_npu && enpu_npu_quant_bytes(p)) {
			npu->quant_off[l] = off;
			off = ALIGN64(off + enpu_npu_quant_bytes(p));
		}
	}
	npu->weights_bytes = off ? off : 64;
}

uint64_t enpu_npu_quant_bytes(const struct enpu_prep *p)
{
	return enpu_npu_is_lut(p->type) ? ENPU_LUT_ENTRIES : 8ull * p->num_quant;
}

void enpu_npu_fill_weights(const struct enpu_model *m, uint8_t *dst)
{
	const struct enpu_graph *g = m->g;
	const struct enpu_npu *npu = m->npu;
	size_t i, l;

	memset(dst, 0, npu->weights_bytes);
	for (i = 0; i < g->num_tensors; i++)
		if (npu->place[i].loc == ENPU_LOC_WEIGHTS)
			memcpy(dst + npu->place[i].off, g->tensors[i].data,
			       g->tensors[i].bytes);
	for (l = 0; l < g->num_layers; l++) {
		const struct enpu_prep *p = &m->prep[l];

		if (npu->quant_off[l] == UINT64_MAX)
			continue;
		if (enpu_npu_is_lut(p->type)) {
			/* prepared, so it cannot fail: a zero table would show */
			enpu_npu_lut_table(p, (int8_t *)(dst + npu->quant_off[l]));
			continue;
		}
		memcpy(dst + npu->quant_off[l], p->mult, 4 * p->num_quant);
		memcpy(dst + npu->quant_off[l] + 4 * p->num_quant, p->shift,
		       4 * p->num_quant);
	}
}

uint64_t enpu_npu_filter_bytes(const struct enpu_model *m, size_t l)
{
	const struct enpu_prep *p = &m->prep[l];

	return p->num_in > 1 && p->in[1] >= 0 ? m->g->tensors[p->in[1]].bytes : 0;
}

/*
 * Prefetch, in two passes around activation placement. Before it, SRAM
 * for the prefetch ring is set aside: room for the two largest weights
 * that could use it (each at most a quarter of SRAM), so activations keep
 * the rest. After it, the ring is all SRAM above the activations, and the
 * layers whose weights go through it are chosen (choose_prefetch()).
 */
static void size_prefetch_ring(struct enpu_model *m)
{
	struct enpu_npu *npu = m->npu;
	uint64_t cap = npu->sku.sram_size / 4, max = 0;
	size_t l;

	for (l = 0; l < m->g->num_layers; l++) {
		uint64_t b = enpu_npu_filter_bytes(m, l);

		npu->prefetch[l] = -1;
		if (!(m->flags & ENPU_COMPILE_NO_PREFETCH) && m->linfo[l].on_npu &&
		    layer_has_weights(m->prep[l].type) && b <= cap && b > max)
			max = b;
	}
	npu->ring_bytes = (uint32_t)(2 * ALIGN64(max));
}

/* Cycles of the DMA engine's hand-overs around a data-movement layer. */
#define HANDOVER_CYCLES	(4 * ENPU_T_SYNC)

/* The most candidate splits of one layer that best_split() weighs. */
#define SPLIT_CANDIDATES	64

/*
 * Where a prefetched fully-connected layer @l (enpu_npu_fc_splits()) is
 * best split: its first r output rows' weights copied into the ring, the
 * copy beginning at @cs on the DMA engine, and the other rows run first,
 * from @tc on the compute engine, reading theirs from DRAM beside the
 * copy; then the ring's rows. A layer that reads all its weights from
 * the ring waits for the whole copy, then for the SRAM channel to read
 * them again (micro_speech's, 4 rows of 4,000 weights: 2,000 cycles of
 * copy, then 345 of its command, bound by SRAM); split, half its rows
 * read from DRAM while the copy of the other half ends, and only that
 * half is read from SRAM after it (micro_speech 1.27x -> 1.22x its
 * roofline). Unlike the rest of this plan, which
 * times each command alone, this weighs the DRAM channel's sharing
 * (hw/edgenpu_timing.h): the copy shares it with @busy cycles of the
 * compute layers it runs beside, and with the DRAM rows' command; a
 * whole-layer copy is weighed the same way. Returns r, 0 when the whole
 * layer through the ring ends no later; in *@end and *@copied when the
 * layer and the copy end, in *@est the layer's commands' own cycles.
 */
static uint32_t best_split(struct enpu_model *m, size_t l, uint64_t cs, uint64_t tc,
			   uint64_t busy, uint64_t *end, uint64_t *copied, uint64_t *est)
{
	const struct enpu_sku *sku = &m->npu->sku;
	const uint32_t n = (uint32_t)m->prep[l].p.fc.output_depth;
	const uint32_t tries = n < SPLIT_CANDIDATES ? n : SPLIT_CANDIDATES;
	const uint64_t row = (uint64_t)m->prep[l].p.fc.input_depth;
	uint32_t best = 0, i, r;

	/* r from n down: the whole layer is weighed first and wins ties */
	for (i = tries; i >= 1; i--) {
		uint64_t c, ce, e, a, b = 0, dram = 0, done;

		r = (uint32_t)(((uint64_t)n * i + tries - 1) / tries);
		/* the copy's own time, longer by what it shares of the DRAM channel */
		c = enpu_t_bytes(r * row, sku->dram_bw_mbps, sku->clock_mhz);
		ce = cs + enpu_t_dma(sku, r * row, r * row) + (busy < c ? busy : c);
		a = layer_cost(m, l, ENPU_SRAM_VA_BASE, 0, r < n ? r : 0, NULL);
		done = tc;
		if (r < n) {
			/* the DRAM rows, sharing the channel while the copy runs */
			uint64_t t0 = tc + ENPU_T_COMPUTE_SETUP, left, dend;

			b = layer_cost(m, l, 0, r, n - r, &dram);
			left = ce > t0 ? ce - t0 : 0;
			dend = t0 + (left < dram ? left + dram : 2 * dram);
			if (left)
				ce = t0 + (left <= dram ? 2 * left : left + dram);
			done = tc + b > dend ? tc + b : dend;
		}
		e = (done > ce + ENPU_T_SYNC ? done : ce + ENPU_T_SYNC) + ENPU_T_SYNC + a +
		    ENPU_T_SYNC;
		if (i == tries || e < *end) {
			*end = e;
			*copied = ce;
			*est = a + b;
			best = r < n ? r : 0;
		}
	}
	return best;
}

/*
 * Splits prefetched layer @l where best_split() finds it ends earlier;
 * then its copy's end (with the hand-over) in *@start, the layer's in
 * *@with (with @fetch, fetching the commands), as the plan follows them.
 */
static void plan_split(struct enpu_model *m, size_t l, uint64_t cs, uint64_t tc, uint64_t busy,
		       uint64_t fetch, uint64_t *start, uint64_t *with)
{
	uint64_t end = 0, copied = 0, est = 0;

	m->npu->ring_rows[l] = best_split(m, l, cs, tc, busy, &end, &copied, &est);
	if (m->npu->ring_rows[l]) {
		m->linfo[l].est_cycles = est;
		*start = copied + 2 * ENPU_T_SYNC;
		*with = end + fetch;
	}
}

/*
 * DRAM cycles of the compute layers at positions @from .. @k - 1 of the
 * order after @cs, each layer's spread evenly over its time (it ends at
 * @done[], its DRAM cycles in @dram[]): what a copy beginning at @cs
 * shares the channel with.
 */
static uint64_t dram_beside(const struct enpu_model *m, const uint64_t *done,
			    const uint64_t *dram, size_t from, size_t k, uint64_t cs)
{
	uint64_t busy = 0;
	size_t j;

	for (j = from; j < k; j++) {
		uint64_t t = m->linfo[m->order[j]].est_cycles;
		uint64_t b0 = done[j] > t ? done[j] - t : 0;

		if (done[j] > cs && t)
			busy += dram[j] * (done[j] - (cs > b0 ? cs : b0)) / t;
	}
	return busy;
}

/*
 * Which layers' weights go through the ring, and where: each job's layers
 * in order, the two engines' times followed as the timing model runs them
 * (each command alone; the DRAM channel's sharing is left out). A layer
 * with weights is prefetched when its command reads them faster from SRAM
 * and it then ends earlier, counting the hand-overs and fetching their
 * commands: its copy starts when the DMA engine is free
 * and the layers whose ring bytes it takes have run, and the layer waits
 * for it. The ring is filled in order, from its start again when the next
 * weights do not fit before its end. The ring then shrinks to what is
 * used, which only moves it up, away from the activations. The step's
 * last layer with weights, if a fully-connected one, may then be split
 * (best_split()): only there, since before it the DMA engine has later
 * layers' weights to copy, whose DRAM time the split's DRAM rows would
 * take. Run again on a model cut into pipeline stages, where no copy
 * crosses a cut.
 */
int enpu_npu_plan_prefetch(struct enpu_model *m)
{
	struct enpu_npu *npu = m->npu;
	/* fetching the copy and the hand-overs, at most */
	uint64_t fetch = enpu_t_bytes(4 * ENPU_STEP_OVERHEAD_WORDS, npu->sku.dram_bw_mbps,
				      npu->sku.clock_mhz);
	uint64_t ring = 0, used = 0;
	uint64_t *done, *dram;
	size_t st, k;

	if (npu->ring_bytes)
		ring = (npu->sku.sram_size - ALIGN64(npu->sram_act_bytes)) & ~(uint64_t)63;
	if (!npu->ring_rows)
		npu->ring_rows = calloc(m->g->num_layers + 1, sizeof(*npu->ring_rows));
	done = calloc(m->g->num_layers + 1, sizeof(*done));
	dram = calloc(m->g->num_layers + 1, sizeof(*dram));
	if (!npu->ring_rows || !done || !dram) {
		free(done);
		free(dram);
		return enpu_fail(-ENOMEM, "out of memory");
	}
	for (k = 0; k < m->g->num_layers; k++) {
		npu->prefetch[k] = -1;
		npu->ring_rows[k] = 0;
		m->linfo[k].weights_prefetched = 0;
	}
	for (st = 0; st < m->num_steps; st++) {
		const struct enpu_step *step = &m->steps[st];
		uint64_t tc = 0, td = 0, cursor = 0;
		size_t last = 0;

		if (!step->on_npu)
			continue;
		/* the step's last layer with weights: what the DMA engine copies last */
		for (k = step->first; k < step->first + step->count; k++)
			if (layer_has_weights(m->prep[m->order[k]].type))
				last = k;
		for (k = step->first; k < step->first + step->count; k++) {
			size_t l = m->order[k];
			uint64_t b = enpu_npu_filter_bytes(m, l);
			uint64_t in_dram = layer_cost(m, l, 0, 0, 0, &dram[k]);

			/* the layer's own estimate: its weights where they end up */
			m->linfo[l].est_cycles = in_dram;
			if (enpu_npu_layer_moves(m, l)) {
				tc = (tc > td ? tc : td) + in_dram + HANDOVER_CYCLES;
				td = tc;
				dram[k] = 0;	/* on the DMA engine */
			} else if (layer_has_weights(m->prep[l].type) && b && b <= ring) {
				uint64_t sram_dram, in_sram;
				uint64_t off = cursor + b <= ring ? cursor : 0, cs, start, with;
				unsigned int after;
				size_t from;

				in_sram = layer_cost(m, l, ENPU_SRAM_VA_BASE, 0, 0, &sram_dram);
				npu->prefetch[l] = (int)off;
				from = enpu_npu_copy_after(m, st, k, &after);
				cs = from > step->first && done[from - 1] > td ? done[from - 1] : td;
				start = cs + enpu_t_dma(&npu->sku, b, b) + 2 * ENPU_T_SYNC;
				with = (start > tc ? start : tc) + in_sram + 2 * ENPU_T_SYNC + fetch;
				if (with < tc + in_dram) {
					m->linfo[l].weights_prefetched = 1;
					m->linfo[l].est_cycles = in_sram;
					dram[k] = sram_dram;
					if (k == last && enpu_npu_fc_splits(m, l))
						plan_split(m, l, cs, tc,
							   dram_beside(m, done, dram, from, k, cs),
							   fetch, &start, &with);
					td = start;
					tc = with;
					cursor = off + ALIGN64(b);
					if (cursor > used)
						used = cursor;
				} else {
					npu->prefetch[l] = -1;
					tc += in_dram;
				}
			} else {
				tc += in_dram;
			}
			done[k] = tc;
		}
	}
	free(done);
	free(dram);
	npu->ring_bytes = (uint32_t)used;
	return 0;
}

/*
 * Runs of consecutive NPU layers become one job each, cut where the job's
 * commands would pass ENPU_MAX_CMD_SIZE: each layer counted with the most
 * enpu_emit_step() adds around it, plus the END.
 */
static int build_steps(struct enpu_model *m, int *step_of, const uint32_t *words)
{
	size_t k, n = 0, used = 0;

	m->steps = calloc(m->g->num_layers + 1, sizeof(*m->steps));
	if (!m->steps)
		return enpu_fail(-ENOMEM, "out of memory");
	for (k = 0; k < m->g->num_layers; k++) {
		size_t l = m->order[k];
		int npu = m->linfo[l].on_npu;
		/* a fully-connected layer's command may be emitted twice, split */
		size_t need = !npu ? 0 : words[l] * (enpu_npu_fc_splits(m, l) ? 2 : 1) +
					 ENPU_STEP_OVERHEAD_WORDS;

		if (!n || !npu || !m->steps[n - 1].on_npu ||
		    used + need + 1 > ENPU_MAX_CMD_SIZE / 4) {
			m->steps[n].on_npu = npu;
			m->steps[n].first = k;
			n++;
			used = 0;
		}
		used += need;
		m->steps[n - 1].count++;
		step_of[l] = (int)n - 1;
		m->linfo[l].segment = (int)n - 1;
	}
	m->num_steps = n;
	return 0;
}

int enpu_npu_plan(struct enpu_model *m, const struct enpu_target *t)
{
	struct enpu_graph *g = m->g;
	struct enpu_npu *npu;
	int *pos_of = NULL, *step_of = NULL;
	uint32_t *words = NULL;
	size_t l, k;
	int ret;

	npu = calloc(1, sizeof(*npu));
	if (!npu)
		return enpu_fail(-ENOMEM, "out of memory");
	m->npu = npu;
	m->target = *t;
	npu->sku = (struct enpu_sku) {
		.macs_per_cycle = t->macs_per_cycle, .clock_mhz = t->clock_mhz,
		.dram_bw_mbps = t->dram_bw_mbps, .sram_bw_mbps = t->sram_bw_mbps,
		.sram_size = (uint32_t)t->sram_size,
	};
	npu->place = calloc(g->num_tensors + 1, sizeof(*npu->place));
	npu->quant_off = calloc(g->num_layers + 1, sizeof(*npu->quant_off));
	npu->prefetch = calloc(g->num_layers + 1, sizeof(*npu->prefetch));
	pos_of = calloc(g->num_layers + 1, sizeof(int));
	step_of = calloc(g->num_layers + 1, sizeof(int));
	words = calloc(g->num_layers + 1, sizeof(*words));
	if (!npu->place || !npu->quant_off || !npu->prefetch || !pos_of || !step_of || !words) {
		ret = enpu_fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (l = 0; l < g->num_layers; l++)
		npu->quant_off[l] = UINT64_MAX;
	for (k = 0; k < g->num_layers; k++)
		pos_of[m->order[k]] = (int)k;

	/* 1. NPU or CPU: dry-run emission with every tensor in DRAM */
	for (l = 0; l < g->num_tensors; l++)
		npu->place[l].loc = ENPU_LOC_ARENA;
	for (l = 0; l < g->num_layers; l++)
		m->linfo[l].on_npu = npu_capable(m, l, m->why_cpu[l], sizeof(m->why_cpu[l]),
						 &words[l]);
	memset(npu->place, 0, (g->num_tensors + 1) * sizeof(*npu->place));
	ret = build_steps(m, step_of, words);
	if (ret)
		goto out;
	size_prefetch_ring(m);
	ret = enpu_npu_choose_fusions(m, t);
	if (ret)
		goto out;
	ret = place_activations(m, pos_of, step_of);
	if (ret)
		goto out;
	place_weights(m);
	ret = enpu_npu_plan_prefetch(m);
	if (ret)
		goto out;
	for (l = 0; l < g->num_layers; l++)
		m->linfo[l].output_in_sram = m->linfo[l].on_npu &&
			npu->place[m->prep[l].out].loc == ENPU_LOC_SRAM;
	ret = enpu_npu_build_streams(m);
	if (ret)
		goto out;
	npu->nslots = m->max_inflight;
	npu->slots = calloc(npu->nslots, sizeof(*npu->slots));
	if (!npu->slots)
		ret = enpu_fail(-ENOMEM, "out of memory");
out:
	free(pos_of);
	free(step_of);
	free(words);
	return ret;
}

int enpu_npu_upload(struct enpu_model *m)
{
	uint8_t *cpu;
	int ret;

	ret = enpu_buffer_alloc(m->dev, m->npu->weights_bytes, ENPU_BUFFER_NPU_READ_ONLY,
				&m->npu->weights);
	if (!ret)
		ret = enpu_buffer_map(m->npu->weights, (void **)&cpu);
	if (ret)
		return ret;
	enpu_npu_fill_weights(m, cpu);
	return enpu_npu_ready(m);
}

/* Plans for the device and uploads the weights buffer. */
int enpu_npu_compile(struct enpu_model *m)
{
	struct enpu_target t;
	int ret;

	ret = enpu_target_from_device(m->dev, &t);
	if (!ret)
		ret = enpu_target_check(&t);
	if (!ret)
		ret = enpu_npu_plan(m, &t);
	return ret ? ret : enpu_npu_upload(m);
}

void enpu_npu_destroy(struct enpu_model *m)
{
	struct enpu_npu *npu = m->npu;
	unsigned int i;

	enpu_npu_free_slots(m);
	free(npu->slots);
	enpu_npu_free_streams(m);
	for (i = 1; i < npu->nlanes; i++)
		enpu_buffer_free(npu->lanes[i].weights);
	free(npu->lanes);
	free(npu->spill_list);
	free(npu->spill_off);
	enpu_buffer_free(npu->weights);
	free(npu->place);
	free(npu->quant_off);
	free(npu->prefetch);
	free(npu->ring_rows);
	free(npu->fused_lut);
	free(npu);
	m->npu = NULL;
}
