// SPDX-License-Identifier: MIT
/*
 * One model pipelined over several NPUs. The compiled model (from the
 * compile cache or a compiled-model file: nothing is compiled again) is
 * cut at layer boundaries into one stage per device, of about equal
 * modelled cycles; inference i's stage 2 runs on device 1 while inference
 * i + 1's stage 1 runs on device 0.
 *
 * - Cuts: the smallest bound on a stage's cycles (the layers' timing-model
 *   estimates) for which the layers, in execution order, fit in the
 *   devices' number of stages, found by bisection; each stage takes layers
 *   in order up to it. A device job is split where a stage ends.
 * - Activations: each inference's arena is allocated on the first device
 *   and shared with the others as a dma-buf, so no byte is copied between
 *   devices by the CPU and a stage's job waits for the previous stage's
 *   through the arena's implicit fences. A tensor the plan keeps in one
 *   device's SRAM across a cut is copied out to its own place in the arena
 *   at the end of its stage and back in at the start of the next (DMA
 *   commands added to the two jobs).
 * - Weights: every device holds the whole weights buffer; the commands are
 *   the compiled model's, relocated to each device's buffers and checked
 *   like any other model's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model.h"
#include "model_file.h"
#include "npu.h"

#define ALIGN64(x)	(((x) + 63) & ~(uint64_t)63)
#define MAX_COST	(1ull << 40)	/* per layer: a damaged estimate cannot overflow */

/* How many stages layers of @cost (in order) need with at most @bound each. */
static unsigned int stages_needed(const uint64_t *cost, size_t n, uint64_t bound)
{
	unsigned int stages = 1;
	uint64_t acc = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		if (acc && acc + cost[k] > bound) {
			stages++;
			acc = 0;
		}
		acc += cost[k];
	}
	return stages;
}

/* Lane of each position in the order: balanced stages of NPU layers. */
static void assign_lanes(const struct enpu_model *m, uint64_t *cost, unsigned int nlanes,
			 unsigned int *lane_of)
{
	size_t n = m->g->num_layers, k;
	uint64_t lo = 0, hi = 0, acc = 0;
	unsigned int lane = 0;

	for (k = 0; k < n; k++) {
		const size_t l = m->order[k];
		const struct enpu_layer_info *li = &m->linfo[l];
		/*
		 * a layer's weights copied into the ring count as its own: a
		 * stage hides its copies behind its own layers only
		 */
		const uint64_t c = li->est_cycles + (li->weights_prefetched ?
			enpu_t_dma(&m->npu->sku, enpu_npu_filter_bytes(m, l),
				   enpu_npu_filter_bytes(m, l)) : 0);

		cost[k] = !li->on_npu ? 0 : c < 1 ? 1 : c > MAX_COST ? MAX_COST : c;
		hi += cost[k];
		if (cost[k] > lo)
			lo = cost[k];
	}
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (stages_needed(cost, n, mid) <= nlanes)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (k = 0; k < n; k++) {
		/* never between a layer and the table fused into its command */
		if (acc && acc + cost[k] > lo && lane + 1 < nlanes &&
		    enpu_npu_fused_into(m, m->order[k]) < 0) {
			lane++;
			acc = 0;
		}
		acc += cost[k];
		lane_of[k] = lane;
	}
}

struct cut_plan {
	struct enpu_step *steps;
	size_t nsteps;
	int *list;
	size_t nlist;
	uint64_t *spill_off;
	uint64_t arena_bytes;
};

/*
 * Step [a, b) of the order: SRAM tensors made before @a that it reads are
 * loaded; SRAM tensors it makes that are read at or after @b are stored.
 */
static void step_spills(const struct enpu_model *m, const int *pos_of, const int *last,
			size_t a, size_t b, unsigned int *seen, unsigned int stamp,
			struct cut_plan *cp, struct enpu_step *st)
{
	const struct enpu_graph *g = m->g;
	size_t k;
	int i;

	st->spill_first = (uint32_t)cp->nlist;
	for (k = a; k < b; k++) {
		const struct enpu_layer_desc *l = &g->layers[m->order[k]];

		for (i = 0; i < l->num_inputs; i++) {
			int t = l->inputs[i], prod;

			if (t < 0 || m->npu->place[t].loc != ENPU_LOC_SRAM || seen[t] == stamp)
				continue;
			prod = enpu_graph_producer(g, t);
			if (prod < 0 || (size_t)pos_of[prod] >= a)
				continue;
			seen[t] = stamp;
			cp->list[cp->nlist++] = t;
			st->nload++;
		}
	}
	for (k = a; k < b; k++) {
		int t = g->layers[m->order[k]].output;

		if (m->npu->place[t].loc != ENPU_LOC_SRAM || last[t] < (int)b)
			continue;
		if (cp->spill_off[t] == UINT64_MAX) {
			cp->spill_off[t] = cp->arena_bytes;
			cp->arena_bytes = ALIGN64(cp->arena_bytes + g->tensors[t].bytes);
		}
		cp->list[cp->nlist++] = t;
		st->nstore++;
	}
}

int enpu_npu_pipeline(struct enpu_model *m, unsigned int nlanes)
{
	struct enpu_graph *g = m->g;
	struct enpu_npu *npu = m->npu;
	size_t n = g->num_layers, nt = g->num_tensors, refs = 0, st, k, l;
	uint64_t *cost = calloc(n + 1, sizeof(*cost));
	unsigned int *lane_of = calloc(n + 1, sizeof(*lane_of));
	unsigned int *seen = calloc(nt + 1, sizeof(*seen));
	int *pos_of = calloc(n + 1, sizeof(*pos_of)), *last = calloc(nt + 1, sizeof(*last));
	struct cut_plan cp = {
		.steps = calloc(m->num_steps + n + 1, sizeof(*cp.steps)),
		.spill_off = malloc((nt + 1) * sizeof(*cp.spill_off)),
		.arena_bytes = ALIGN64(npu->arena_bytes),
	};
	int ret = 0;

	/* a step loads each tensor once, for one of its layers' inputs */
	for (l = 0; l < n; l++)
		refs += (size_t)g->layers[l].num_inputs + 1;
	cp.list = calloc(refs + 1, sizeof(*cp.list));
	if (!cost || !lane_of || !seen || !pos_of || !last || !cp.steps || !cp.list ||
	    !cp.spill_off) {
		ret = enpu_fail(-ENOMEM, "out of memory");
		goto out;
	}
	if (nlanes < 1 || nlanes > ENPU_MAX_LANES || (npu->slots && npu->slots[0].ready) ||
	    npu->spill_list) {
		ret = enpu_fail(-EINVAL, "enpu_npu_pipeline: %u lanes for a model %s", nlanes,
				"in use or already pipelined");
		goto out;
	}
	for (k = 0; k < n; k++)
		pos_of[m->order[k]] = (int)k;
	for (k = 0; k < nt; k++) {
		last[k] = -1;
		cp.spill_off[k] = UINT64_MAX;
	}
	for (l = 0; l < n; l++)
		for (int i = 0; i < g->layers[l].num_inputs; i++) {
			int t = g->layers[l].inputs[i];

			if (t >= 0 && pos_of[l] > last[t])
				last[t] = pos_of[l];
		}
	assign_lanes(m, cost, nlanes, lane_of);

	/* each NPU step split where its positions change lane */
	for (st = 0; st < m->num_steps; st++) {
		const struct enpu_step *old = &m->steps[st];
		size_t end = old->first + old->count, a = old->first;

		for (k = old->first; k <= end; k++) {
			struct enpu_step *ns;

			if (k < end && (!old->on_npu || lane_of[k] == lane_of[a]))
				continue;
			ns = &cp.steps[cp.nsteps];
			ns->on_npu = old->on_npu;
			ns->first = a;
			ns->count = k - a;
			ns->lane = old->on_npu ? lane_of[a] : 0;
			if (old->on_npu)
				step_spills(m, pos_of, last, a, k, seen, (unsigned int)cp.nsteps + 1,
					    &cp, ns);
			for (size_t j = a; j < k; j++)
				m->linfo[m->order[j]].segment = (int)cp.nsteps;
			cp.nsteps++;
			a = k;
		}
	}
	enpu_npu_free_streams(m);
	free(m->steps);
	m->steps = cp.steps;
	m->num_steps = cp.nsteps;
	cp.steps = NULL;
	npu->spill_list = cp.list;
	npu->spill_off = cp.spill_off;
	cp.list = NULL;
	cp.spill_off = NULL;
	npu->arena_bytes = cp.arena_bytes;
	/* a copy into the ring no longer hides behind a layer of another stage */
	ret = enpu_npu_plan_prefetch(m);
	if (!ret)
		ret = enpu_npu_build_streams(m);
out:
	free(cost);
	free(lane_of);
	free(seen);
	free(pos_of);
	free(last);
	free(cp.steps);
	free(cp.list);
	free(cp.spill_off);
	return ret;
}

/* Lanes 1.. : the devices, each with its own copy of the weights buffer. */
static int add_lanes(struct enpu_model *m, struct enpu_device *const *devs, size_t ndev)
{
	struct enpu_npu *npu = m->npu;
	size_t i;
	int ret;

	npu->lanes = calloc(ndev, sizeof(*npu->lanes));
	if (!npu->lanes)
		return enpu_fail(-ENOMEM, "out of memory");
	npu->nlanes = (unsigned int)ndev;
	npu->lanes[0].dev = devs[0];
	npu->lanes[0].weights = npu->weights;
	for (i = 1; i < ndev; i++) {
		uint8_t *cpu;

		npu->lanes[i].dev = devs[i];
		ret = enpu_buffer_alloc(devs[i], npu->weights_bytes, ENPU_BUFFER_NPU_READ_ONLY,
					&npu->lanes[i].weights);
		if (!ret)
			ret = enpu_buffer_map(npu->lanes[i].weights, (void **)&cpu);
		if (ret)
			return ret;
		enpu_npu_fill_weights(m, cpu);
	}
	return 0;
}

ENPU_EXPORT int enpu_pipeline_load(struct enpu_device *const *devs, size_t ndev,
				   const char *path, const struct enpu_compile_options *opt,
				   struct enpu_model **out)
{
	struct enpu_model *m = NULL;
	struct enpu_target have;
	char why[512];
	size_t i;
	int ret;

	if (!out || !devs || !path)
		return enpu_fail(-EINVAL, "enpu_pipeline_load: NULL argument");
	*out = NULL;
	if (!ndev || ndev > ENPU_MAX_LANES)
		return enpu_fail(-EINVAL, "enpu_pipeline_load: %zu devices (1 to %u)", ndev,
				 ENPU_MAX_LANES);
	for (i = 0; i < ndev; i++)
		if (!devs[i])
			return enpu_fail(-EINVAL, "enpu_pipeline_load: device %zu is NULL", i);
	ret = enpu_model_load(devs[0], path, opt, &m);
	if (ret)
		return ret;
	for (i = 1; i < ndev; i++) {
		ret = enpu_target_from_device(devs[i], &have);
		if (ret)
			goto fail;
		if (enpu_target_compare(&m->target, &have, why, sizeof(why))) {
			ret = enpu_fail(-ENODEV, "device %zu of the pipeline is not the target the "
					"model is compiled for: %s", i, why);
			goto fail;
		}
	}
	if (ndev > 1) {
		enpu_npu_free_slots(m);
		ret = enpu_npu_pipeline(m, (unsigned int)ndev);
		if (!ret)
			ret = add_lanes(m, devs, ndev);
		if (!ret)
			ret = enpu_npu_ready(m);
		if (ret)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	snprintf(why, sizeof(why), "%s", enpu_last_error());
	enpu_model_destroy(m);
	return enpu_fail(ret, "%s", why);
}

ENPU_EXPORT int enpu_model_layer_device(const struct enpu_model *m, size_t i)
{
	if (!m || i >= m->g->num_layers || !m->npu || !m->linfo[i].on_npu)
		return -1;
	return (int)m->steps[m->linfo[i].segment].lane;
}
