// SPDX-License-Identifier: MIT
/*
 * Graphviz DOT of a compiled model: one node per layer (NPU layers in
 * clusters per device job, CPU layers apart), one per tensor, with where
 * each tensor lives (SRAM, DRAM arena, weights, host).
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"
#include "model.h"
#include "npu.h"

static const char *loc_name(const struct enpu_model *m, size_t t)
{
	if (!m->npu)
		return m->g->tensors[t].data ? "constant" : "host";
	switch (m->npu->place[t].loc) {
	case ENPU_LOC_SRAM: return "SRAM";
	case ENPU_LOC_ARENA: return "DRAM";
	case ENPU_LOC_WEIGHTS: return "weights";
	case ENPU_LOC_HOST: return "host";
	default: return "-";
	}
}

static void dims(FILE *f, const struct enpu_gtensor *t)
{
	int i;

	for (i = 0; i < t->rank; i++)
		fprintf(f, "%s%d", i ? "x" : "", t->dims[i]);
}

ENPU_EXPORT int enpu_model_write_dot(const struct enpu_model *m, FILE *f)
{
	const struct enpu_graph *g;
	size_t st, k, t, l;
	int j;

	if (!m || !f)
		return enpu_fail(-EINVAL, "enpu_model_write_dot: NULL argument");
	g = m->g;
	fprintf(f, "digraph edgenpu {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
	for (t = 0; t < g->num_tensors; t++) {
		const struct enpu_gtensor *ts = &g->tensors[t];

		if (ts->data && ts->bytes > 64 && !m->npu)
			continue;
		fprintf(f, "  t%zu [shape=note, label=\"%s\\n", t, ts->name ? ts->name : "");
		dims(f, ts);
		fprintf(f, " %s\\n%s\"%s];\n", ts->dtype == 1 ? "int8" : ts->dtype == 2 ?
			"int32" : "float32", loc_name(m, t),
			m->npu && m->npu->place[t].loc == ENPU_LOC_SRAM ?
			", style=filled, fillcolor=\"#d8f0d8\"" : "");
	}
	for (st = 0; st < (m->num_steps ? m->num_steps : 1); st++) {
		size_t first = m->num_steps ? m->steps[st].first : 0;
		size_t count = m->num_steps ? m->steps[st].count : g->num_layers;
		int npu = m->num_steps && m->steps[st].on_npu;

		fprintf(f, "  subgraph cluster_%zu {\n    label=\"%s %zu\"; style=rounded; color=\"%s\";\n",
			st, npu ? "NPU job" : "CPU", st, npu ? "#2060c0" : "#c06020");
		for (k = first; k < first + count; k++) {
			const struct enpu_layer_info *li;

			l = m->order[k];
			li = &m->linfo[l];
			fprintf(f, "    l%zu [shape=box, style=filled, fillcolor=\"%s\", label=\"%zu %s\\n%s",
				l, li->on_npu ? "#cfe0ff" : "#ffe0c8", l,
				enpu_layer_type_name(li->type), li->on_npu ? "NPU" : "CPU");
			if (li->macs)
				fprintf(f, " %llu MACs", (unsigned long long)li->macs);
			if (li->est_cycles)
				fprintf(f, "\\n~%llu cycles", (unsigned long long)li->est_cycles);
			if (li->weights_prefetched && enpu_npu_ring_rows(m->npu, l))
				fprintf(f, "\\nweights of %u of %d rows prefetched,\\nthe rest read from DRAM",
					enpu_npu_ring_rows(m->npu, l),
					m->prep[l].p.fc.output_depth);
			else if (li->weights_prefetched)
				fprintf(f, "\\nweights prefetched");
			fprintf(f, "\"];\n");
		}
		fprintf(f, "  }\n");
	}
	for (l = 0; l < g->num_layers; l++) {
		const struct enpu_layer_desc *d = &g->layers[l];

		for (j = 0; j < d->num_inputs; j++) {
			if (d->inputs[j] < 0)
				continue;
			if (g->tensors[d->inputs[j]].data && g->tensors[d->inputs[j]].bytes > 64 &&
			    !m->npu)
				continue;
			fprintf(f, "  t%d -> l%zu;\n", d->inputs[j], l);
		}
		fprintf(f, "  l%zu -> t%d;\n", l, d->output);
	}
	fprintf(f, "}\n");
	return ferror(f) ? enpu_fail(-EIO, "writing the DOT output failed") : 0;
}
