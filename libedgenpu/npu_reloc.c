// SPDX-License-Identifier: MIT
/*
 * Relocatable command streams. The NPU addresses of the weights buffer and
 * of each inference's arena are known only when the kernel maps them, so a
 * compiled model keeps each job's commands with those addresses as offsets,
 * plus the list of words that hold one (the relocations). A slot's stream
 * is that image with the two bases added: no layer is emitted again, and a
 * model read from a compiled-model file runs the commands the compiler
 * wrote.
 *
 * The relocations are found, not declared: emission is affine in the two
 * bases (every address is a base plus an offset, nothing else depends on
 * them), so a step emitted at bases (0, 0) and again at (DW, DA) differs
 * by exactly DW in the words relative to the weights, by DA in those
 * relative to the arena, and nowhere else. Any other difference is a
 * compiler bug and fails the compile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_cmd.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"
#include "internal.h"
#include "npu.h"

#define PROBE_WEIGHTS	0x00010000u
#define PROBE_ARENA	0x00400000u

static int build_one(struct enpu_model *m, size_t st, struct enpu_rstream *r)
{
	struct enpu_stream a = { 0 }, b = { 0 };
	size_t i, n = 0;
	int ret;

	ret = enpu_emit_step(m, st, 0, 0, &a);
	if (!ret)
		ret = enpu_emit_step(m, st, PROBE_WEIGHTS, PROBE_ARENA, &b);
	if (ret)
		goto out;
	if (a.n != b.n) {
		ret = enpu_fail(-EPROTO, "job %zu: its commands change size with the buffers' "
				"addresses (a compiler bug)", st);
		goto out;
	}
	for (i = 0; i < a.n; i++)
		n += a.w[i] != b.w[i];
	r->reloc = calloc(n + 1, sizeof(*r->reloc));
	if (!r->reloc) {
		ret = enpu_fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		uint32_t d = b.w[i] - a.w[i];

		if (!d)
			continue;
		if (d != PROBE_WEIGHTS && d != PROBE_ARENA) {
			ret = enpu_fail(-EPROTO, "job %zu: word %zu depends on the buffers' "
					"addresses other than as an offset (a compiler bug)",
					st, i);
			goto out;
		}
		r->reloc[r->nreloc++] = (uint32_t)i << 1 |
					(d == PROBE_ARENA ? ENPU_RELOC_ARENA : ENPU_RELOC_WEIGHTS);
	}
	r->w = a.w;
	r->n = (uint32_t)a.n;
	a.w = NULL;
out:
	free(a.w);
	free(b.w);
	return ret;
}

int enpu_npu_build_streams(struct enpu_model *m)
{
	struct enpu_npu *npu = m->npu;
	size_t st;
	int ret;

	npu->rstreams = calloc(m->num_steps + 1, sizeof(*npu->rstreams));
	if (!npu->rstreams)
		return enpu_fail(-ENOMEM, "out of memory");
	for (st = 0; st < m->num_steps; st++) {
		if (!m->steps[st].on_npu)
			continue;
		ret = build_one(m, st, &npu->rstreams[st]);
		if (ret)
			return ret;
	}
	return 0;
}

void enpu_npu_free_streams(struct enpu_model *m)
{
	size_t st;

	if (!m->npu->rstreams)
		return;
	for (st = 0; st < m->num_steps; st++) {
		free(m->npu->rstreams[st].w);
		free(m->npu->rstreams[st].reloc);
	}
	free(m->npu->rstreams);
	m->npu->rstreams = NULL;
}

static int in_span(const struct enpu_region *r, uint64_t base, uint64_t bytes)
{
	return r->va >= base && r->va - base + r->size <= bytes;
}

int enpu_npu_relocate(const struct enpu_model *m, size_t st, uint32_t weights_va,
		      uint32_t arena_va, struct enpu_stream *s)
{
	const struct enpu_npu *npu = m->npu;
	const struct enpu_rstream *r = &npu->rstreams[st];
	struct enpu_cmd_info info = { 0 };
	size_t i, pos = 0;
	int err;

	s->n = 0;
	s->oom = 0;
	if (r->n > s->cap) {
		uint32_t *w = realloc(s->w, (size_t)r->n * 4);

		if (!w)
			return enpu_fail(-ENOMEM, "out of memory");
		s->w = w;
		s->cap = r->n;
	}
	memcpy(s->w, r->w, (size_t)r->n * 4);
	s->n = r->n;
	for (i = 0; i < r->nreloc; i++)
		s->w[r->reloc[i] >> 1] += r->reloc[i] & ENPU_RELOC_ARENA ? arena_va : weights_va;

	/* every operand inside the weights, this arena or the SRAM */
	while (pos < s->n) {
		err = enpu_cmd_decode(s->w + pos, s->n - pos, &info);
		if (err)
			return enpu_fail(-EINVAL, "job %zu: command at word %zu does not decode "
					 "(error %d)", st, pos, err);
		for (i = 0; i < info.num_regions; i++) {
			const struct enpu_region *g = &info.regions[i];

			if (enpu_region_where(g, npu->sku.sram_size) == ENPU_REGION_SRAM ||
			    (!g->write && in_span(g, weights_va, npu->weights_bytes)) ||
			    in_span(g, arena_va, npu->arena_bytes))
				continue;
			return enpu_fail(-EINVAL, "job %zu: command at word %zu %s %llu bytes at "
					 "offset 0x%x outside the model's buffers", st, pos,
					 g->write ? "writes" : "reads",
					 (unsigned long long)g->size, g->va);
		}
		pos += info.words;
	}
	if (info.opcode != ENPU_OP_END)
		return enpu_fail(-EINVAL, "job %zu does not end with END", st);
	return 0;
}
