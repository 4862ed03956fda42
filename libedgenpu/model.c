// SPDX-License-Identifier: MIT
/*
 * Models: compiling a graph (checking, ordering, partitioning between NPU
 * and CPU), running it, and the CPU backend, which runs every layer with
 * the INT8 kernels on host memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cpu.h"
#include "internal.h"
#include "model.h"
#include "npu.h"

static int cpu_alloc(struct enpu_model *m)
{
	struct enpu_graph *g = m->g;
	size_t i;

	m->buf = calloc(g->num_tensors + 1, sizeof(*m->buf));
	if (!m->buf)
		return enpu_fail(-ENOMEM, "out of memory");
	for (i = 0; i < g->num_tensors; i++) {
		if (g->tensors[i].data || g->tensors[i].variable) {
			m->buf[i] = g->tensors[i].data ? g->tensors[i].data : m->var[i];
			continue;
		}
		m->buf[i] = calloc(1, g->tensors[i].bytes ? g->tensors[i].bytes : 1);
		if (!m->buf[i])
			return enpu_fail(-ENOMEM, "out of memory for tensor %zu (%zu bytes)",
					 i, g->tensors[i].bytes);
	}
	return 0;
}

/*
 * A hostile model can declare activations of 2^31 elements: their bytes
 * are bounded before anything is allocated for them.
 */
int enpu_activations_bounded(const struct enpu_graph *g,
			       const struct enpu_compile_options *opt)
{
	uint64_t max = ENPU_COMPILE_MAX_ACTIVATIONS, sum = 0;
	size_t i;

	if (opt && opt->size >= offsetof(struct enpu_compile_options, max_activation_bytes) +
				sizeof(uint64_t) && opt->max_activation_bytes)
		max = opt->max_activation_bytes;
	for (i = 0; i < g->num_tensors; i++)
		if (!g->tensors[i].data)
			sum += g->tensors[i].bytes;
	if (sum > max)
		return enpu_fail(-E2BIG, "the model's activations take %llu MiB, over the %llu "
				 "MiB a compile may use (enpu_compile_options.max_activation_bytes"
				 " raises it)", (unsigned long long)(sum >> 20),
				 (unsigned long long)(max >> 20));
	return 0;
}

int enpu_model_new(struct enpu_graph *g, const struct enpu_compile_options *opt,
		   struct enpu_model **out)
{
	struct enpu_model *m;
	int ret;

	*out = NULL;
	if (opt && opt->size < sizeof(size_t) + sizeof(uint32_t)) {
		enpu_graph_destroy(g);
		return enpu_fail(-EINVAL, "enpu_compile_options.size is %zu", opt->size);
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		enpu_graph_destroy(g);
		return enpu_fail(-ENOMEM, "out of memory");
	}
	m->g = g;
	m->max_inflight = 4;
	if (opt) {
		m->flags = opt->flags;
		if (opt->size >= offsetof(struct enpu_compile_options, max_inflight) +
				 sizeof(unsigned int) && opt->max_inflight)
			m->max_inflight = opt->max_inflight;
	}
	if (m->max_inflight > 16) {
		ret = enpu_fail(-EINVAL, "max_inflight %u is over 16", m->max_inflight);
		goto err;
	}
	m->order = calloc(g->num_layers + 1, sizeof(*m->order));
	m->prep = calloc(g->num_layers + 1, sizeof(*m->prep));
	m->linfo = calloc(g->num_layers + 1, sizeof(*m->linfo));
	m->why_cpu = calloc(g->num_layers + 1, sizeof(*m->why_cpu));
	if (!m->order || !m->prep || !m->linfo || !m->why_cpu) {
		ret = enpu_fail(-ENOMEM, "out of memory");
		goto err;
	}
	*out = m;
	return 0;
err:
	enpu_model_destroy(m);
	return ret;
}

int enpu_model_prepare(struct enpu_model *m)
{
	size_t i;
	int ret;

	for (i = 0; i < m->g->num_layers; i++) {
		ret = enpu_prepare_layer(m->g, i, &m->prep[i]);
		if (ret)
			return ret;
		m->linfo[i].type = m->prep[i].type;
		m->linfo[i].macs = m->prep[i].macs;
	}
	return enpu_model_variables_init(m);
}

int enpu_model_cpu_backend(struct enpu_model *m)
{
	return cpu_alloc(m);
}

int enpu_model_compile_for(struct enpu_device *dev,
			   const struct enpu_target *target,
			   const struct enpu_graph *graph,
			   const struct enpu_compile_options *opt,
			   struct enpu_model **model)
{
	struct enpu_graph *g;
	struct enpu_model *m;
	int ret;

	if (!graph || !model)
		return enpu_fail(-EINVAL, "enpu_model_compile: %s is NULL",
				 graph ? "model" : "graph");
	*model = NULL;
	ret = enpu_graph_validate(graph);
	if (ret)
		return ret;
	ret = enpu_activations_bounded(graph, opt);
	if (ret)
		return ret;
	ret = enpu_graph_clone(graph, &g);
	if (ret)
		return ret;
	ret = enpu_model_new(g, opt, &m);
	if (ret)
		return ret;
	m->dev = dev;
	ret = enpu_graph_order(m->g, m->order);
	if (!ret)
		ret = enpu_model_prepare(m);
	if (ret)
		goto err;
	if (target)
		ret = enpu_npu_plan(m, target);
	else
		ret = dev ? enpu_npu_compile(m) : cpu_alloc(m);
	if (ret)
		goto err;
	if (!target)
		enpu_cpu_pack_weights(m);
	*model = m;
	return 0;
err:
	enpu_model_destroy(m);
	return ret;
}

ENPU_EXPORT int enpu_model_compile(struct enpu_device *dev,
				   const struct enpu_graph *graph,
				   const struct enpu_compile_options *opt,
				   struct enpu_model **model)
{
	return enpu_model_compile_for(dev, NULL, graph, opt, model);
}

ENPU_EXPORT int enpu_model_compile_target(const struct enpu_target *target,
					  const struct enpu_graph *graph,
					  const struct enpu_compile_options *opt,
					  struct enpu_model **model)
{
	int ret;

	if (model)
		*model = NULL;
	ret = enpu_target_check(target);
	return ret ? ret : enpu_model_compile_for(NULL, target, graph, opt, model);
}

ENPU_EXPORT int enpu_model_target(const struct enpu_model *m, struct enpu_target *t)
{
	if (!m || !t)
		return enpu_fail(-EINVAL, "enpu_model_target: NULL argument");
	if (!m->npu)
		return enpu_fail(-ENODEV, "the model was compiled for the CPU, not an NPU target");
	*t = m->target;
	return 0;
}

ENPU_EXPORT void enpu_model_destroy(struct enpu_model *m)
{
	size_t i;

	if (!m)
		return;
	if (m->npu)
		enpu_npu_destroy(m);
	if (m->buf && m->g)
		for (i = 0; i < m->g->num_tensors; i++)
			if (!m->g->tensors[i].data && !m->g->tensors[i].variable)
				free(m->buf[i]);
	free(m->buf);
	if (m->g)
		enpu_model_variables_free(m);
	if (m->prep && m->g)
		for (i = 0; i < m->g->num_layers; i++)
			enpu_prep_free(&m->prep[i]);
	free(m->prep);
	free(m->linfo);
	free(m->why_cpu);
	free(m->order);
	free(m->steps);
	enpu_graph_destroy(m->g);
	free(m);
}

static int io_info(const struct enpu_model *m, const int *ids, size_t n, size_t i,
		   struct enpu_tensor_info *info)
{
	const struct enpu_gtensor *t;

	if (!m || !info)
		return enpu_fail(-EINVAL, "enpu_model_*_info: NULL argument");
	if (i >= n)
		return enpu_fail(-EINVAL, "the model has %zu, not %zu", n, i + 1);
	t = &m->g->tensors[ids[i]];
	memset(info, 0, sizeof(*info));
	info->dtype = t->dtype;
	info->rank = t->rank;
	memcpy(info->dims, t->dims, sizeof(info->dims));
	info->bytes = t->bytes;
	if (t->num_scales == 1) {
		info->scale = t->scales[0];
		info->zero_point = t->zero_points[0];
	}
	return 0;
}

ENPU_EXPORT size_t enpu_model_num_inputs(const struct enpu_model *m)
{
	return m ? m->g->num_inputs : 0;
}

ENPU_EXPORT size_t enpu_model_num_outputs(const struct enpu_model *m)
{
	return m ? m->g->num_outputs : 0;
}

ENPU_EXPORT int enpu_model_input_info(const struct enpu_model *m, size_t i,
				      struct enpu_tensor_info *info)
{
	return io_info(m, m ? m->g->inputs : NULL, m ? m->g->num_inputs : 0, i, info);
}

ENPU_EXPORT int enpu_model_output_info(const struct enpu_model *m, size_t i,
				       struct enpu_tensor_info *info)
{
	return io_info(m, m ? m->g->outputs : NULL, m ? m->g->num_outputs : 0, i, info);
}

ENPU_EXPORT size_t enpu_model_num_layers(const struct enpu_model *m)
{
	return m ? m->g->num_layers : 0;
}

ENPU_EXPORT uint64_t enpu_model_constant_bytes(const struct enpu_model *m)
{
	uint64_t n = 0;
	size_t i;

	if (!m)
		return 0;
	for (i = 0; i < m->g->num_tensors; i++)
		if (m->g->tensors[i].data)
			n += m->g->tensors[i].bytes;
	for (i = 0; i < m->g->num_layers; i++)
		n += 8 * m->prep[i].num_quant;
	return n;
}

ENPU_EXPORT const char *enpu_model_layer_reason(const struct enpu_model *m, size_t i)
{
	if (!m || i >= m->g->num_layers) {
		enpu_fail(-EINVAL, "enpu_model_layer_reason: no layer %zu", i);
		return NULL;
	}
	if (!m->npu)
		return "the model was compiled for the CPU backend";
	return m->linfo[i].on_npu ? NULL : m->why_cpu[i];
}

ENPU_EXPORT uint64_t enpu_model_sram_bytes(const struct enpu_model *m)
{
	return m && m->npu ? (uint64_t)m->npu->sram_act_bytes + m->npu->ring_bytes : 0;
}

ENPU_EXPORT int enpu_model_layer_info(const struct enpu_model *m, size_t i,
				      struct enpu_layer_info *info)
{
	if (!m || !info || i >= m->g->num_layers)
		return enpu_fail(-EINVAL, "enpu_model_layer_info: no layer %zu", i);
	*info = m->linfo[i];
	return 0;
}

static int check_io(const struct enpu_model *m, const void *const *inputs,
		    void *const *outputs)
{
	size_t i;

	if (m->g->num_inputs && !inputs)
		return enpu_fail(-EINVAL, "the model has %zu inputs, inputs is NULL",
				 m->g->num_inputs);
	for (i = 0; i < m->g->num_inputs; i++)
		if (!inputs[i])
			return enpu_fail(-EINVAL, "input %zu is NULL", i);
	if (outputs)
		for (i = 0; i < m->g->num_outputs; i++)
			if (!outputs[i])
				return enpu_fail(-EINVAL, "output %zu is NULL", i);
	return 0;
}

static int cpu_run(struct enpu_model *m, const void *const *inputs,
		   void *const *outputs, struct enpu_profile *prof)
{
	uint64_t t0 = enpu_now_ns();
	size_t i;
	int ret;

	for (i = 0; i < m->g->num_inputs; i++)
		memcpy(m->buf[m->g->inputs[i]], inputs[i],
		       m->g->tensors[m->g->inputs[i]].bytes);
	ret = enpu_cpu_run_layers(m, m->buf, 0, m->g->num_layers);
	if (ret)
		return ret;
	if (outputs)
		for (i = 0; i < m->g->num_outputs; i++)
			memcpy(outputs[i], m->buf[m->g->outputs[i]],
			       m->g->tensors[m->g->outputs[i]].bytes);
	if (prof && prof->size >= sizeof(size_t) + 2 * sizeof(uint64_t)) {
		size_t sz = prof->size < sizeof(*prof) ? prof->size : sizeof(*prof);
		struct enpu_profile p = { .size = prof->size };

		p.wall_ns = enpu_now_ns() - t0;
		p.cpu_ns = p.wall_ns;
		memcpy(prof, &p, sz);
	}
	return 0;
}

/* A model planned for a target without a device does not run. */
static int plan_only(const struct enpu_model *m)
{
	return enpu_fail(-ENODEV, "the model was compiled for target '%s' without a device: "
			 "it can be inspected, not run; compile it with a device (or for "
			 "the CPU, with none) to run it", m->target.name);
}

ENPU_EXPORT int enpu_model_run(struct enpu_model *m, const void *const *inputs,
			       void *const *outputs, struct enpu_profile *prof)
{
	struct enpu_run *run;
	int ret;

	if (!m)
		return enpu_fail(-EINVAL, "enpu_model_run: model is NULL");
	ret = check_io(m, inputs, outputs);
	if (ret)
		return ret;
	if (!m->dev && m->npu)
		return plan_only(m);
	if (!m->dev)
		return cpu_run(m, inputs, outputs, prof);
	ret = enpu_npu_submit(m, inputs, &run);
	if (ret)
		return ret;
	ret = enpu_npu_wait(run, -1, outputs, prof);
	enpu_npu_release(run);
	return ret;
}

ENPU_EXPORT int enpu_model_submit(struct enpu_model *m, const void *const *inputs,
				  struct enpu_run **runp)
{
	struct enpu_run *run;
	size_t i;
	int ret;

	if (!m || !runp)
		return enpu_fail(-EINVAL, "enpu_model_submit: NULL argument");
	ret = check_io(m, inputs, NULL);
	if (ret)
		return ret;
	if (m->dev)
		return enpu_npu_submit(m, inputs, runp);
	if (m->npu)
		return plan_only(m);

	run = calloc(1, sizeof(*run));
	if (!run)
		return enpu_fail(-ENOMEM, "out of memory");
	run->m = m;
	run->prof.size = sizeof(run->prof);
	run->outputs = calloc(m->g->num_outputs, sizeof(void *));
	for (i = 0; run->outputs && i < m->g->num_outputs; i++)
		run->outputs[i] = malloc(m->g->tensors[m->g->outputs[i]].bytes);
	for (i = 0; run->outputs && i < m->g->num_outputs; i++)
		if (!run->outputs[i])
			break;
	if (!run->outputs || i < m->g->num_outputs) {
		enpu_run_release(run);
		return enpu_fail(-ENOMEM, "out of memory for outputs");
	}
	ret = cpu_run(m, inputs, run->outputs, &run->prof);
	if (ret) {
		enpu_run_release(run);
		return ret;
	}
	*runp = run;
	return 0;
}

ENPU_EXPORT int enpu_run_wait(struct enpu_run *run, int64_t timeout_ns,
			      void *const *outputs, struct enpu_profile *prof)
{
	size_t i;

	if (!run)
		return enpu_fail(-EINVAL, "enpu_run_wait: run is NULL");
	if (run->m->dev)
		return enpu_npu_wait(run, timeout_ns, outputs, prof);
	if (outputs)
		for (i = 0; i < run->m->g->num_outputs; i++)
			memcpy(outputs[i], run->outputs[i],
			       run->m->g->tensors[run->m->g->outputs[i]].bytes);
	if (prof && prof->size >= sizeof(size_t)) {
		size_t sz = prof->size < sizeof(*prof) ? prof->size : sizeof(*prof);
		size_t keep = prof->size;

		memcpy(prof, &run->prof, sz);
		prof->size = keep;
	}
	return 0;
}

ENPU_EXPORT int enpu_run_sync_file(struct enpu_run *run, int *fd)
{
	if (!run || !fd)
		return enpu_fail(-EINVAL, "enpu_run_sync_file: NULL argument");
	if (!run->m->dev)
		return enpu_fail(-ENOENT, "a CPU-backend run has no device work to wait for");
	return enpu_npu_sync_file(run, fd);
}

ENPU_EXPORT void enpu_run_release(struct enpu_run *run)
{
	size_t i;

	if (!run)
		return;
	if (run->m->dev) {
		enpu_npu_release(run);
		return;
	}
	if (run->outputs)
		for (i = 0; i < run->m->g->num_outputs; i++)
			free(run->outputs[i]);
	free(run->outputs);
	free(run);
}
