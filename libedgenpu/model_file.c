// SPDX-License-Identifier: MIT
/*
 * Compiled-model files (".enpu"): a compiled model written out, and read
 * back with everything in it checked, so that a file from anywhere (a
 * workstation, the compile cache, a hostile user) can at worst be refused.
 *
 * Format 1.4. All integers little-endian, floats as their IEEE-754 bits.
 *
 *   header, 64 bytes
 *     0  magic "ENPUMODL"
 *     8  u16 major, u16 minor   readers take their own major, any minor up
 *                               to theirs (a newer minor only adds
 *                               sections a reader may skip)
 *    12  u32 header bytes (64)
 *    16  u64 file bytes
 *    24  u8[32] SHA-256 of bytes 56 .. end
 *    56  u32 sections, u32 reserved (0)
 *   then the sections, each 8-byte aligned:
 *     u32 id (bit 31: a reader that does not know it may skip it),
 *     u32 reserved (0), u64 payload bytes, the payload, zeros to 8 bytes.
 *
 *   1 INFO     char[16] library version that wrote it; u8[32] SHA-256 of
 *              the source model, u32 1 if known; u32 compile flags;
 *              the target: char[32] name, u32 hw_version, macs_per_cycle,
 *              clock_mhz, dram_bw_mbps, sram_bw_mbps, u32 0, u64 sram_size
 *   2 TENSORS  u32 count; each: u32 name bytes, dtype, rank, i32 dims[4],
 *              u32 scales, i32 quant axis, u32 data (0 none, 1 inline,
 *              2 in the weights buffer, 3 a variable's initial value
 *              inline: format 1.2), u64 weights offset, then the name,
 *              f32 scales, i32 zero points, inline data, each padded to 4
 *   3 LAYERS   u32 count; each 23 x i32: type, inputs used, inputs[8],
 *              output, stride h/w, dilation h/w, padding, depth
 *              multiplier, filter h/w, activation, axis, keep_dims, beta
 *   4 IO       u32 inputs, u32 outputs, then the tensor ids
 *   5 PLAN     u32 layers, the execution order (layer ids); per layer:
 *              u32 on NPU, i32 prefetch (-1 none; where the weights go
 *              in the ring; format 1.2: 0, a slot of two in turn), u64
 *              quantization
 *              data offset (all ones: none), u64 estimated cycles, u32
 *              output in SRAM, u32 reason bytes, the reason (why it is not
 *              on the NPU) padded to 4; u32 steps, each u32 on NPU, first,
 *              count (positions in the order); per tensor u32 location,
 *              u32 0, u64 offset; u64 weights bytes, u64 arena bytes,
 *              u32 SRAM bytes of activations, u32 prefetch ring bytes
 *              (format 1.2: each slot's bytes)
 *   6 WEIGHTS  the NPU weights buffer, as the device reads it
 *   7 STREAMS  per NPU step, in step order: u32 step, u32 words, u32
 *              relocations, the words (addresses as offsets into the
 *              weights buffer or the arena), the relocations (word << 1 |
 *              1 for the arena)
 *   8 LAYER_OPTIONS (format 1.1; a 1.0 file has none: all zero) u32
 *              count (the layers'), each 8 x i32: alpha (f32),
 *              align_corners, half_pixel_centers, begin_mask, end_mask,
 *              shrink_axis_mask, num_splits, split_index
 *   9 RING_ROWS (format 1.4; written optional, a 1.3 file has none: all
 *              zero) u32 count (the layers'), each u32: 0, or the output
 *              rows of a prefetched fully-connected layer whose weights
 *              go through the ring, the others' read from DRAM by a
 *              command of their own (npu_compile.c, best_split()); the
 *              streams hold both commands, so a reader that skips it runs
 *              the model alike
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"
#include "edgenpu_hw.h"
#include "internal.h"
#include "model_file.h"
#include "npu.h"
#include "sha256.h"

#define HDR_BYTES	64
#define SUM_FROM	56
#define SEC_OPTIONAL	(1u << 31)

enum { SEC_INFO = 1, SEC_TENSORS, SEC_LAYERS, SEC_IO, SEC_PLAN, SEC_WEIGHTS, SEC_STREAMS,
       SEC_LAYER_OPTIONS, SEC_RING_ROWS, SEC_COUNT };

static const char *const sec_name[SEC_COUNT] = {
	"?", "INFO", "TENSORS", "LAYERS", "IO", "PLAN", "WEIGHTS", "STREAMS", "LAYER_OPTIONS",
	"RING_ROWS",
};

#define MAX_TENSORS	(1u << 20)
#define MAX_LAYERS	(1u << 20)
#define MAX_NAME	4096
#define LAYER_WORDS	23
#define LAYER_OPTION_WORDS	8

/* ---- writing -------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int oom;
};

static void put(struct wbuf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len > b->cap) {
		size_t cap = (b->n + len) * 2 + 4096;
		uint8_t *p = realloc(b->p, cap);

		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (data)
		memcpy(b->p + b->n, data, len);
	else
		memset(b->p + b->n, 0, len);
	b->n += len;
}

static void put_le(struct wbuf *b, uint64_t v, int bytes)
{
	uint8_t x[8];
	int i;

	for (i = 0; i < bytes; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	put(b, x, (size_t)bytes);
}

static void put_u32(struct wbuf *b, uint32_t v)
{
	put_le(b, v, 4);
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	put_le(b, v, 8);
}

static void put_f32(struct wbuf *b, float f)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	put_u32(b, v);
}

static void pad(struct wbuf *b, size_t to)
{
	put(b, NULL, (to - b->n % to) % to);
}

static void set_le(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Starts section @id; returns where its size goes. */
static size_t sec_begin(struct wbuf *b, uint32_t id)
{
	size_t at;

	put_u32(b, id);
	put_u32(b, 0);
	at = b->n;
	put_u64(b, 0);
	return at;
}

static void sec_end(struct wbuf *b, size_t at, unsigned int *count)
{
	if (!b->oom)
		set_le(b->p + at, b->n - at - 8, 8);
	pad(b, 8);
	(*count)++;
}

static void put_bytes_padded(struct wbuf *b, const void *data, size_t len)
{
	put(b, data, len);
	pad(b, 4);
}

static void write_info(struct wbuf *b, const struct enpu_model *m)
{
	const struct enpu_target *t = &m->target;
	char ver[16] = { 0 }, name[32] = { 0 };

	snprintf(ver, sizeof(ver), "%s", enpu_version_string());
	memcpy(name, t->name, strnlen(t->name, sizeof(t->name) - 1));
	put(b, ver, sizeof(ver));
	put(b, m->source_sha256, sizeof(m->source_sha256));
	put_u32(b, (uint32_t)m->has_source);
	put_u32(b, m->flags);
	put(b, name, sizeof(name));
	put_u32(b, t->hw_version);
	put_u32(b, t->macs_per_cycle);
	put_u32(b, t->clock_mhz);
	put_u32(b, t->dram_bw_mbps);
	put_u32(b, t->sram_bw_mbps);
	put_u32(b, 0);
	put_u64(b, t->sram_size);
}

static void write_tensors(struct wbuf *b, const struct enpu_model *m)
{
	const struct enpu_graph *g = m->g;
	size_t i, k;

	put_u32(b, (uint32_t)g->num_tensors);
	for (i = 0; i < g->num_tensors; i++) {
		const struct enpu_gtensor *t = &g->tensors[i];
		const struct enpu_place *pl = &m->npu->place[i];
		size_t nlen = t->name ? strnlen(t->name, MAX_NAME) : 0;
		uint32_t where = t->variable ? 3 : !t->data ? 0 :
				 pl->loc == ENPU_LOC_WEIGHTS ? 2 : 1;

		put_u32(b, (uint32_t)nlen);
		put_u32(b, (uint32_t)t->dtype);
		put_u32(b, (uint32_t)t->rank);
		for (k = 0; k < ENPU_MAX_RANK; k++)
			put_u32(b, (uint32_t)t->dims[k]);
		put_u32(b, (uint32_t)t->num_scales);
		put_u32(b, (uint32_t)t->quant_axis);
		put_u32(b, where);
		put_u64(b, where == 2 ? pl->off : 0);
		put_bytes_padded(b, t->name, nlen);
		for (k = 0; k < t->num_scales; k++)
			put_f32(b, t->scales[k]);
		for (k = 0; k < t->num_scales; k++)
			put_u32(b, (uint32_t)t->zero_points[k]);
		if (where == 1 || where == 3)
			put_bytes_padded(b, where == 1 ? t->data : t->init, t->bytes);
	}
}

static void write_layers(struct wbuf *b, const struct enpu_model *m)
{
	size_t i;
	int k;

	put_u32(b, (uint32_t)m->g->num_layers);
	for (i = 0; i < m->g->num_layers; i++) {
		const struct enpu_layer_desc *l = &m->g->layers[i];

		put_u32(b, (uint32_t)l->type);
		put_u32(b, (uint32_t)l->num_inputs);
		for (k = 0; k < ENPU_MAX_LAYER_INPUTS; k++)
			put_u32(b, (uint32_t)l->inputs[k]);
		put_u32(b, (uint32_t)l->output);
		put_u32(b, (uint32_t)l->stride_h);
		put_u32(b, (uint32_t)l->stride_w);
		put_u32(b, (uint32_t)l->dilation_h);
		put_u32(b, (uint32_t)l->dilation_w);
		put_u32(b, (uint32_t)l->padding);
		put_u32(b, (uint32_t)l->depth_multiplier);
		put_u32(b, (uint32_t)l->filter_h);
		put_u32(b, (uint32_t)l->filter_w);
		put_u32(b, (uint32_t)l->activation);
		put_u32(b, (uint32_t)l->axis);
		put_u32(b, (uint32_t)l->keep_dims);
		put_f32(b, l->beta);
	}
}

static void write_layer_options(struct wbuf *b, const struct enpu_model *m)
{
	size_t i;

	put_u32(b, (uint32_t)m->g->num_layers);
	for (i = 0; i < m->g->num_layers; i++) {
		const struct enpu_layer_desc *l = &m->g->layers[i];

		put_f32(b, l->alpha);
		put_u32(b, (uint32_t)l->align_corners);
		put_u32(b, (uint32_t)l->half_pixel_centers);
		put_u32(b, (uint32_t)l->begin_mask);
		put_u32(b, (uint32_t)l->end_mask);
		put_u32(b, (uint32_t)l->shrink_axis_mask);
		put_u32(b, (uint32_t)l->num_splits);
		put_u32(b, (uint32_t)l->split_index);
	}
}

static void write_io(struct wbuf *b, const struct enpu_graph *g)
{
	size_t i;

	put_u32(b, (uint32_t)g->num_inputs);
	put_u32(b, (uint32_t)g->num_outputs);
	for (i = 0; i < g->num_inputs; i++)
		put_u32(b, (uint32_t)g->inputs[i]);
	for (i = 0; i < g->num_outputs; i++)
		put_u32(b, (uint32_t)g->outputs[i]);
}

static void write_plan(struct wbuf *b, const struct enpu_model *m)
{
	const struct enpu_npu *npu = m->npu;
	size_t i, nl = m->g->num_layers;

	put_u32(b, (uint32_t)nl);
	for (i = 0; i < nl; i++)
		put_u32(b, (uint32_t)m->order[i]);
	for (i = 0; i < nl; i++) {
		const struct enpu_layer_info *li = &m->linfo[i];
		size_t rlen = li->on_npu ? 0 : strnlen(m->why_cpu[i], ENPU_REASON_LEN - 1);

		put_u32(b, (uint32_t)li->on_npu);
		put_u32(b, (uint32_t)npu->prefetch[i]);
		put_u64(b, npu->quant_off[i]);
		put_u64(b, li->est_cycles);
		put_u32(b, (uint32_t)li->output_in_sram);
		put_u32(b, (uint32_t)rlen);
		put_bytes_padded(b, m->why_cpu[i], rlen);
	}
	put_u32(b, (uint32_t)m->num_steps);
	for (i = 0; i < m->num_steps; i++) {
		put_u32(b, (uint32_t)m->steps[i].on_npu);
		put_u32(b, (uint32_t)m->steps[i].first);
		put_u32(b, (uint32_t)m->steps[i].count);
	}
	for (i = 0; i < m->g->num_tensors; i++) {
		put_u32(b, (uint32_t)npu->place[i].loc);
		put_u32(b, 0);
		put_u64(b, npu->place[i].off);
	}
	put_u64(b, npu->weights_bytes);
	put_u64(b, npu->arena_bytes);
	put_u32(b, npu->sram_act_bytes);
	put_u32(b, npu->ring_bytes);
}

static void write_ring_rows(struct wbuf *b, const struct enpu_model *m)
{
	size_t i, nl = m->g->num_layers;

	put_u32(b, (uint32_t)nl);
	for (i = 0; i < nl; i++)
		put_u32(b, enpu_npu_ring_rows(m->npu, i));
}

static void write_streams(struct wbuf *b, const struct enpu_model *m)
{
	size_t st, i;

	for (st = 0; st < m->num_steps; st++) {
		const struct enpu_rstream *r = &m->npu->rstreams[st];

		if (!m->steps[st].on_npu)
			continue;
		put_u32(b, (uint32_t)st);
		put_u32(b, r->n);
		put_u32(b, r->nreloc);
		for (i = 0; i < r->n; i++)
			put_u32(b, r->w[i]);
		for (i = 0; i < r->nreloc; i++)
			put_u32(b, r->reloc[i]);
	}
}

int enpu_file_write(const struct enpu_model *m, void **data, size_t *size)
{
	struct wbuf b = { 0 };
	unsigned int count = 0;
	uint8_t *w = NULL;
	size_t at;

	*data = NULL;
	*size = 0;
	if (!m->npu)
		return enpu_fail(-EINVAL, "the model was compiled for the CPU backend: a "
				 "compiled-model file holds an NPU plan (compile it for a device "
				 "or a target)");
	if (m->npu->spill_list)
		return enpu_fail(-EINVAL, "a pipelined model cannot be saved: save the model "
				 "it was loaded from (any compiled model pipelines when loaded)");
	put(&b, "ENPUMODL", 8);
	put_le(&b, ENPU_MODEL_FILE_VERSION_MAJOR, 2);
	put_le(&b, ENPU_MODEL_FILE_VERSION_MINOR, 2);
	put_u32(&b, HDR_BYTES);
	put(&b, NULL, 8 + ENPU_SHA256_BYTES + 8);

	at = sec_begin(&b, SEC_INFO);
	write_info(&b, m);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_TENSORS);
	write_tensors(&b, m);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_LAYERS);
	write_layers(&b, m);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_LAYER_OPTIONS);
	write_layer_options(&b, m);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_IO);
	write_io(&b, m->g);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_PLAN);
	write_plan(&b, m);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_WEIGHTS);
	if (!b.oom) {
		put(&b, NULL, m->npu->weights_bytes);
		w = b.oom ? NULL : b.p + b.n - m->npu->weights_bytes;
		if (w)
			enpu_npu_fill_weights(m, w);
	}
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_STREAMS);
	write_streams(&b, m);
	sec_end(&b, at, &count);
	at = sec_begin(&b, SEC_RING_ROWS | SEC_OPTIONAL);
	write_ring_rows(&b, m);
	sec_end(&b, at, &count);
	if (b.oom) {
		free(b.p);
		return enpu_fail(-ENOMEM, "out of memory writing the compiled model");
	}
	set_le(b.p + 16, b.n, 8);
	set_le(b.p + 56, count, 4);
	enpu_sha256(b.p + SUM_FROM, b.n - SUM_FROM, b.p + 24);
	*data = b.p;
	*size = b.n;
	return 0;
}

/* ---- reading -------------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n, pos;
	const char *sec;	/* for messages */
	int bad;
};

/* A failure of reader @r, named by section; returns -EINVAL. */
static int bad(struct rd *r, const char *what)
{
	if (!r->bad)
		enpu_fail(-EINVAL, "compiled model: %s section: %s", r->sec, what);
	r->bad = 1;
	return -EINVAL;
}

static uint64_t get_le(struct rd *r, int bytes)
{
	uint64_t v = 0;
	int i;

	if (r->bad || r->n - r->pos < (size_t)bytes) {
		bad(r, "truncated");
		return 0;
	}
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->pos + i] << (8 * i);
	r->pos += (size_t)bytes;
	return v;
}

static uint32_t get_u32(struct rd *r)
{
	return (uint32_t)get_le(r, 4);
}

static int32_t get_i32(struct rd *r)
{
	return (int32_t)get_u32(r);
}

static uint64_t get_u64(struct rd *r)
{
	return get_le(r, 8);
}

static float get_f32(struct rd *r)
{
	uint32_t v = get_u32(r);
	float f;

	memcpy(&f, &v, 4);
	return f;
}

/* @len bytes in place (padded to 4), or NULL. */
static const uint8_t *get_bytes(struct rd *r, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;
	const uint8_t *p;

	if (r->bad || padded < len || r->n - r->pos < padded) {
		bad(r, "truncated");
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += padded;
	return p;
}

/* Whether @count records of at least @min bytes each can be in what is left. */
static int room_for(struct rd *r, uint64_t count, uint64_t min)
{
	return !r->bad && count <= (r->n - r->pos) / min;
}

struct file {
	uint32_t minor;			/* the format's minor version */
	struct rd sec[SEC_COUNT];
	int have[SEC_COUNT];
	char version[16];
	uint32_t flags;
	struct enpu_target target;
	int has_source;
	uint8_t source[ENPU_SHA256_BYTES];
	const uint8_t *weights;
	uint64_t weights_bytes;
};

static int read_header(const uint8_t *p, size_t size, struct file *f)
{
	struct rd r = { .p = p, .n = size, .sec = "header" };
	uint8_t sum[ENPU_SHA256_BYTES];
	uint32_t major, minor, nsec, i;

	if (size < HDR_BYTES || memcmp(p, "ENPUMODL", 8))
		return enpu_fail(-EINVAL, "not a compiled-model file (no ENPUMODL header)");
	r.pos = 8;
	major = (uint32_t)get_le(&r, 2);
	minor = (uint32_t)get_le(&r, 2);
	f->minor = minor;
	if (major != ENPU_MODEL_FILE_VERSION_MAJOR || minor > ENPU_MODEL_FILE_VERSION_MINOR)
		return enpu_fail(-EPROTONOSUPPORT, "compiled-model file format %u.%u; this "
				 "library (%s) reads %u.0 to %u.%u: compile the model again "
				 "from its .tflite with this library's edgenpu-compile",
				 major, minor, enpu_version_string(),
				 ENPU_MODEL_FILE_VERSION_MAJOR, ENPU_MODEL_FILE_VERSION_MAJOR,
				 ENPU_MODEL_FILE_VERSION_MINOR);
	if (get_u32(&r) != HDR_BYTES)
		return bad(&r, "header size is not 64");
	if (get_u64(&r) != size)
		return enpu_fail(-EINVAL, "compiled model: the header gives a size other than "
				 "the file's %zu bytes (truncated or appended to)", size);
	enpu_sha256(p + SUM_FROM, size - SUM_FROM, sum);
	if (memcmp(sum, p + 24, sizeof(sum)))
		return enpu_fail(-EBADMSG, "compiled model: checksum mismatch, the file is "
				 "damaged: compile it again");
	r.pos = SUM_FROM;
	nsec = get_u32(&r);
	if (get_u32(&r))
		return bad(&r, "reserved field is not 0");
	r.pos = HDR_BYTES;
	for (i = 0; i < nsec; i++) {
		uint32_t id = get_u32(&r), known = id & ~SEC_OPTIONAL;
		uint64_t len;

		get_u32(&r);
		len = get_u64(&r);
		if (r.bad)
			return -EINVAL;
		if (len > r.n - r.pos)
			return enpu_fail(-EINVAL, "compiled model: section %u of %u runs past the "
					 "end of the file", i + 1, nsec);
		if (known >= 1 && known < SEC_COUNT) {
			if (f->have[known])
				return enpu_fail(-EINVAL, "compiled model: two %s sections",
						 sec_name[known]);
			f->have[known] = 1;
			f->sec[known] = (struct rd) {
				.p = p + r.pos, .n = (size_t)len, .sec = sec_name[known],
			};
		} else if (!(id & SEC_OPTIONAL)) {
			return enpu_fail(-EPROTONOSUPPORT, "compiled model: section id %u is "
					 "unknown to this library (%s) and not optional: compile "
					 "the model again with this library", id,
					 enpu_version_string());
		}
		r.pos += (size_t)((len + 7) & ~7ull);
		if (r.pos > r.n)
			r.pos = r.n;
	}
	if (r.pos != r.n)
		return enpu_fail(-EINVAL, "compiled model: %zu bytes after the last section",
				 r.n - r.pos);
	for (i = 1; i < SEC_COUNT; i++)
		if (!f->have[i] && i != SEC_RING_ROWS && (i != SEC_LAYER_OPTIONS || f->minor >= 1))
			return enpu_fail(-EINVAL, "compiled model: no %s section", sec_name[i]);
	return 0;
}

static int read_info(struct file *f)
{
	struct rd *r = &f->sec[SEC_INFO];
	const uint8_t *p;
	struct enpu_target *t = &f->target;

	p = get_bytes(r, sizeof(f->version));
	if (p)
		memcpy(f->version, p, sizeof(f->version));
	f->version[sizeof(f->version) - 1] = 0;
	p = get_bytes(r, sizeof(f->source));
	if (p)
		memcpy(f->source, p, sizeof(f->source));
	f->has_source = get_u32(r) == 1;
	f->flags = get_u32(r);
	p = get_bytes(r, sizeof(t->name));
	if (p)
		memcpy(t->name, p, sizeof(t->name));
	t->name[sizeof(t->name) - 1] = 0;
	t->hw_version = get_u32(r);
	t->macs_per_cycle = get_u32(r);
	t->clock_mhz = get_u32(r);
	t->dram_bw_mbps = get_u32(r);
	t->sram_bw_mbps = get_u32(r);
	get_u32(r);
	t->sram_size = get_u64(r);
	if (r->bad)
		return -EINVAL;
	if (f->flags & ~(uint32_t)(ENPU_COMPILE_NO_SRAM | ENPU_COMPILE_NO_PREFETCH))
		return bad(r, "unknown compile flags");
	if (enpu_target_check(t)) {
		char why[512];

		snprintf(why, sizeof(why), "compiled for a target this library cannot "
			 "use: %s", enpu_last_error());
		return bad(r, why);
	}
	return 0;
}

static int read_tensors(struct file *f, struct enpu_graph *g)
{
	struct rd *r = &f->sec[SEC_TENSORS];
	uint32_t n = get_u32(r), i, k;
	char why[160];

	if (n > MAX_TENSORS || !room_for(r, n, 48))
		return bad(r, "tensor count out of range");
	for (i = 0; i < n; i++) {
		struct enpu_tensor_desc d = { 0 };
		uint32_t nlen, where, ns;
		uint64_t woff;
		const uint8_t *name, *sc, *zp;
		float *scales = NULL;
		int32_t *zps = NULL;
		char *cname = NULL;
		int id;

		nlen = get_u32(r);
		d.dtype = (enum enpu_dtype)get_u32(r);
		d.rank = get_i32(r);
		for (k = 0; k < ENPU_MAX_RANK; k++)
			d.dims[k] = get_i32(r);
		ns = get_u32(r);
		d.quant_axis = get_i32(r);
		where = get_u32(r);
		woff = get_u64(r);
		if (r->bad)
			return -EINVAL;
		snprintf(why, sizeof(why), "tensor %u: ", i);
		if (nlen > MAX_NAME || ns > (1u << 24) || !room_for(r, ns, 8) ||
		    where > (f->minor >= 2 ? 3u : 2u))
			return bad(r, strcat(why, "field out of range"));
		name = get_bytes(r, nlen);
		sc = get_bytes(r, 4ull * ns);
		zp = get_bytes(r, 4ull * ns);
		if (r->bad)
			return -EINVAL;
		cname = malloc(nlen + 1);
		scales = malloc(4ull * ns + 4);
		zps = malloc(4ull * ns + 4);
		if (!cname || !scales || !zps) {
			free(cname);
			free(scales);
			free(zps);
			return enpu_fail(-ENOMEM, "out of memory");
		}
		memcpy(cname, name, nlen);
		cname[nlen] = 0;
		for (k = 0; k < ns; k++) {
			uint32_t s = (uint32_t)sc[4 * k] | (uint32_t)sc[4 * k + 1] << 8 |
				     (uint32_t)sc[4 * k + 2] << 16 | (uint32_t)sc[4 * k + 3] << 24;

			memcpy(&scales[k], &s, 4);
			zps[k] = (int32_t)((uint32_t)zp[4 * k] | (uint32_t)zp[4 * k + 1] << 8 |
					   (uint32_t)zp[4 * k + 2] << 16 |
					   (uint32_t)zp[4 * k + 3] << 24);
		}
		d.name = cname;
		d.num_scales = ns;
		d.scales = scales;
		d.zero_points = zps;
		id = enpu_graph_add_tensor(g, &d);
		free(cname);
		free(scales);
		free(zps);
		if (id < 0) {
			char e[400];

			snprintf(e, sizeof(e), "%s", enpu_last_error());
			return bad(r, e);
		}
		if (where == 3) {
			const uint8_t *src = get_bytes(r, g->tensors[id].bytes);
			char e[400];

			if (!src)
				return -EINVAL;
			if (!enpu_graph_set_variable(g, id, src))
				continue;
			snprintf(e, sizeof(e), "%s", enpu_last_error());
			return bad(r, e);
		}
		if (where) {
			struct enpu_gtensor *t = &g->tensors[id];
			const uint8_t *src;

			if (where == 2) {
				if (woff > f->weights_bytes || t->bytes > f->weights_bytes - woff)
					return bad(r, strcat(why, "data outside the weights"));
				src = f->weights + woff;
			} else {
				src = get_bytes(r, t->bytes);
				if (!src)
					return -EINVAL;
			}
			t->data = malloc(t->bytes ? t->bytes : 1);
			if (!t->data)
				return enpu_fail(-ENOMEM, "out of memory for tensor %u", i);
			memcpy(t->data, src, t->bytes);
		}
	}
	return r->pos == r->n ? 0 : bad(r, "bytes left over");
}

static int read_layers(struct file *f, struct enpu_graph *g)
{
	struct rd *r = &f->sec[SEC_LAYERS];
	struct rd *o = f->have[SEC_LAYER_OPTIONS] ? &f->sec[SEC_LAYER_OPTIONS] : NULL;
	uint32_t n = get_u32(r), i;
	int k;

	if (n > MAX_LAYERS || !room_for(r, n, 4 * LAYER_WORDS))
		return bad(r, "layer count out of range");
	if (o && (get_u32(o) != n || !room_for(o, n, 4 * LAYER_OPTION_WORDS)))
		return bad(o, "not one entry per layer");
	for (i = 0; i < n; i++) {
		struct enpu_layer_desc l = { 0 };

		l.type = (enum enpu_layer_type)get_u32(r);
		l.num_inputs = get_i32(r);
		for (k = 0; k < ENPU_MAX_LAYER_INPUTS; k++)
			l.inputs[k] = get_i32(r);
		l.output = get_i32(r);
		l.stride_h = get_i32(r);
		l.stride_w = get_i32(r);
		l.dilation_h = get_i32(r);
		l.dilation_w = get_i32(r);
		l.padding = (enum enpu_padding_type)get_u32(r);
		l.depth_multiplier = get_i32(r);
		l.filter_h = get_i32(r);
		l.filter_w = get_i32(r);
		l.activation = (enum enpu_fused_activation)get_u32(r);
		l.axis = get_i32(r);
		l.keep_dims = get_i32(r);
		l.beta = get_f32(r);
		if (o) {
			l.alpha = get_f32(o);
			l.align_corners = get_i32(o);
			l.half_pixel_centers = get_i32(o);
			l.begin_mask = get_i32(o);
			l.end_mask = get_i32(o);
			l.shrink_axis_mask = get_i32(o);
			l.num_splits = get_i32(o);
			l.split_index = get_i32(o);
		}
		if (r->bad || (o && o->bad))
			return -EINVAL;
		if (enpu_graph_add_layer(g, &l) < 0) {
			char e[400];

			snprintf(e, sizeof(e), "%s", enpu_last_error());
			return bad(r, e);
		}
	}
	if (o && o->pos != o->n)
		return bad(o, "bytes left over");
	return r->pos == r->n ? 0 : bad(r, "bytes left over");
}

static int read_io(struct file *f, struct enpu_graph *g)
{
	struct rd *r = &f->sec[SEC_IO];
	uint32_t ni = get_u32(r), no = get_u32(r), i;
	int *ids;
	int ret;

	if (!room_for(r, (uint64_t)ni + no, 4) || (uint64_t)ni + no != (r->n - r->pos) / 4)
		return bad(r, "input and output counts do not match its size");
	ids = calloc((size_t)ni + no + 1, sizeof(*ids));
	if (!ids)
		return enpu_fail(-ENOMEM, "out of memory");
	for (i = 0; i < ni + no; i++)
		ids[i] = get_i32(r);
	ret = enpu_graph_set_io(g, ids, ni, ids + ni, no);
	free(ids);
	if (ret) {
		char e[400];

		snprintf(e, sizeof(e), "%s", enpu_last_error());
		return bad(r, e);
	}
	return 0;
}

/* Whether CPU code can reach tensor @t: a constant, or in the arena. */
static int host_visible(const struct enpu_model *m, int t)
{
	return m->g->tensors[t].data || m->g->tensors[t].variable ||
	       m->npu->place[t].loc == ENPU_LOC_ARENA;
}

static int check_places(struct enpu_model *m, struct rd *r, const struct enpu_target *t)
{
	const struct enpu_graph *g = m->g;
	const struct enpu_npu *npu = m->npu;
	size_t i, st, k;
	char why[160];

	for (i = 0; i < g->num_tensors; i++) {
		const struct enpu_place *p = &npu->place[i];
		uint64_t bytes = g->tensors[i].bytes;
		int cst = !!g->tensors[i].data;
		uint64_t lim;

		/* a variable lives in host memory only (variable.c) */
		if (g->tensors[i].variable && p->loc != ENPU_LOC_NONE) {
			snprintf(why, sizeof(why), "variable tensor %zu placed in device memory",
				 i);
			return bad(r, why);
		}
		switch (p->loc) {
		case ENPU_LOC_NONE:
		case ENPU_LOC_HOST:
			continue;
		case ENPU_LOC_WEIGHTS:
			lim = cst ? npu->weights_bytes : 0;
			break;
		case ENPU_LOC_ARENA:
			lim = cst ? 0 : npu->arena_bytes;
			break;
		case ENPU_LOC_SRAM:
			lim = cst ? 0 : t->sram_size;
			break;
		default:
			lim = 0;
		}
		if (p->off > lim || bytes > lim - p->off) {
			snprintf(why, sizeof(why), "tensor %zu placed outside its buffer", i);
			return bad(r, why);
		}
	}
	for (i = 0; i < g->num_inputs + g->num_outputs; i++) {
		int id = i < g->num_inputs ? g->inputs[i] : g->outputs[i - g->num_inputs];

		if (npu->place[id].loc != ENPU_LOC_ARENA)
			return bad(r, "a model input or output is not in the arena");
	}
	for (st = 0; st < m->num_steps; st++) {
		if (m->steps[st].on_npu)
			continue;
		for (k = m->steps[st].first; k < m->steps[st].first + m->steps[st].count; k++) {
			const struct enpu_prep *p = &m->prep[m->order[k]];
			int j;

			for (j = 0; j < p->num_in; j++)
				if (p->in[j] >= 0 && !host_visible(m, p->in[j]))
					return bad(r, "a CPU layer reads a tensor the CPU cannot");
			if (!host_visible(m, p->out))
				return bad(r, "a CPU layer writes a tensor the CPU cannot");
		}
	}
	return 0;
}

/*
 * Format 1.2 had two prefetch slots of @slot bytes each at the top of SRAM,
 * the prefetched layers of a step taking them in turn: as a ring, two
 * slots' worth, each layer at its slot's start. Returns the ring's bytes.
 */
static uint64_t legacy_slots(struct enpu_model *m, uint64_t slot)
{
	size_t st, k;

	for (st = 0; st < m->num_steps; st++) {
		unsigned int q = 0;

		for (k = m->steps[st].first; k < m->steps[st].first + m->steps[st].count; k++)
			if (m->npu->prefetch[m->order[k]] >= 0)
				m->npu->prefetch[m->order[k]] = (int)((q++ % 2) * slot);
	}
	return 2 * slot;
}

/* The order must list each layer once, each after the producers of its inputs. */
static int check_order(struct enpu_model *m, struct rd *r)
{
	const struct enpu_graph *g = m->g;
	size_t nl = g->num_layers, k;
	size_t *pos = calloc(nl + 1, sizeof(*pos));
	int ret = 0;

	if (!pos)
		return enpu_fail(-ENOMEM, "out of memory");
	for (k = 0; k < nl; k++)
		pos[k] = SIZE_MAX;
	for (k = 0; k < nl && !ret; k++) {
		if (m->order[k] >= nl || pos[m->order[k]] != SIZE_MAX)
			ret = bad(r, "the order is not a permutation of the layers");
		else
			pos[m->order[k]] = k;
	}
	for (k = 0; k < nl && !ret; k++) {
		const struct enpu_layer_desc *l = &g->layers[k];
		int j;

		for (j = 0; j < l->num_inputs && !ret; j++) {
			int prod = l->inputs[j] >= 0 ? g->tensors[l->inputs[j]].producer : -1;

			if (prod >= 0 && pos[prod] >= pos[k])
				ret = bad(r, "the order runs a layer before its input's producer");
		}
	}
	free(pos);
	return ret;
}

static int read_plan(struct file *f, struct enpu_model *m)
{
	struct rd *r = &f->sec[SEC_PLAN];
	struct enpu_npu *npu = m->npu;
	const struct enpu_graph *g = m->g;
	size_t nl = g->num_layers, i, next = 0;
	uint64_t ring;
	uint32_t ns;
	int ret;

	if (get_u32(r) != nl || !room_for(r, nl, 4))
		return bad(r, "its layer count is not the model's");
	for (i = 0; i < nl; i++)
		m->order[i] = get_u32(r);
	if (r->bad)
		return -EINVAL;
	ret = check_order(m, r);
	if (ret)
		return ret;
	for (i = 0; i < nl; i++) {
		struct enpu_layer_info *li = &m->linfo[i];
		uint32_t rlen;
		int32_t pf;
		const uint8_t *why;

		li->on_npu = (int)get_u32(r);
		pf = get_i32(r);
		npu->quant_off[i] = get_u64(r);
		li->est_cycles = get_u64(r);
		li->output_in_sram = (int)get_u32(r);
		rlen = get_u32(r);
		if (r->bad)
			return -EINVAL;
		if (li->on_npu > 1 || li->output_in_sram > 1 || pf < -1 ||
		    (f->minor < 3 && pf > 0) || rlen >= ENPU_REASON_LEN)
			return bad(r, "a layer's placement is out of range");
		why = get_bytes(r, rlen);
		if (!why)
			return -EINVAL;
		memcpy(m->why_cpu[i], why, rlen);
		m->why_cpu[i][rlen] = 0;
		npu->prefetch[i] = pf;
		li->weights_prefetched = pf >= 0;
		if (npu->quant_off[i] != UINT64_MAX &&
		    (!li->on_npu || !enpu_npu_quant_bytes(&m->prep[i]) ||
		     npu->quant_off[i] > f->weights_bytes ||
		     enpu_npu_quant_bytes(&m->prep[i]) > f->weights_bytes - npu->quant_off[i]))
			return bad(r, "a layer's quantization data is outside the weights");
		if (pf >= 0 && !li->on_npu)
			return bad(r, "a CPU layer has weights prefetched");
	}
	ns = get_u32(r);
	if (ns > nl || !room_for(r, ns, 12))
		return bad(r, "step count out of range");
	m->steps = calloc((size_t)ns + 1, sizeof(*m->steps));
	if (!m->steps)
		return enpu_fail(-ENOMEM, "out of memory");
	for (i = 0; i < ns; i++) {
		struct enpu_step *s = &m->steps[i];
		size_t k;

		s->on_npu = (int)get_u32(r);
		s->first = get_u32(r);
		s->count = get_u32(r);
		if (r->bad)
			return -EINVAL;
		if (s->first != next || !s->count || s->count > nl - next || s->on_npu > 1)
			return bad(r, "the steps do not cover the order once, in order");
		for (k = s->first; k < s->first + s->count; k++) {
			if (m->linfo[m->order[k]].on_npu != s->on_npu)
				return bad(r, "a step mixes NPU and CPU layers");
			m->linfo[m->order[k]].segment = (int)i;
		}
		next += s->count;
	}
	m->num_steps = ns;
	if (next != nl)
		return bad(r, "the steps do not cover every layer");
	if (!room_for(r, g->num_tensors, 16))
		return bad(r, "truncated");
	for (i = 0; i < g->num_tensors; i++) {
		npu->place[i].loc = (enum enpu_loc)get_u32(r);
		get_u32(r);
		npu->place[i].off = get_u64(r);
	}
	npu->weights_bytes = get_u64(r);
	npu->arena_bytes = get_u64(r);
	npu->sram_act_bytes = get_u32(r);
	ring = get_u32(r);
	if (r->bad)
		return -EINVAL;
	if (r->pos != r->n)
		return bad(r, "bytes left over");
	if (npu->weights_bytes != f->weights_bytes)
		return bad(r, "its weights size is not the WEIGHTS section's");
	if (f->minor < 3) {
		/* two slots above the activations: each at most half the SRAM */
		if (ring > f->target.sram_size / 2)
			return bad(r, "buffer sizes out of range");
		ring = legacy_slots(m, ring);
	}
	if (npu->arena_bytes > ENPU_SRAM_VA_BASE / 2 ||
	    (uint64_t)npu->sram_act_bytes + ring > f->target.sram_size)
		return bad(r, "buffer sizes out of range");
	npu->ring_bytes = (uint32_t)ring;
	for (i = 0; i < nl; i++) {
		const struct enpu_prep *p = &m->prep[i];

		if (npu->prefetch[i] >= 0 &&
		    (p->num_in < 2 || p->in[1] < 0 ||
		     (uint64_t)npu->prefetch[i] + g->tensors[p->in[1]].bytes > ring))
			return bad(r, "a prefetched layer's weights do not fit the ring");
	}
	return check_places(m, r, &f->target);
}

/*
 * After read_plan(): the rows each split layer's ring holds; none without
 * the section or in a file of an older format, whose writer had none.
 */
static int read_ring_rows(struct file *f, struct enpu_model *m)
{
	struct rd *r = &f->sec[SEC_RING_ROWS];
	struct enpu_npu *npu = m->npu;
	size_t i, nl = m->g->num_layers;

	if (!f->have[SEC_RING_ROWS] || f->minor < 4)
		return 0;
	if (get_u32(r) != nl)
		return bad(r, "not one entry per layer");
	npu->ring_rows = calloc(nl + 1, sizeof(*npu->ring_rows));
	if (!npu->ring_rows)
		return enpu_fail(-ENOMEM, "out of memory");
	for (i = 0; i < nl; i++) {
		uint32_t rows = get_u32(r);

		if (rows && (npu->prefetch[i] < 0 || !enpu_npu_fc_splits(m, i) ||
			     rows >= (uint32_t)m->prep[i].p.fc.output_depth))
			return bad(r, "rows through the ring for a layer that cannot be split there");
		npu->ring_rows[i] = rows;
	}
	if (r->bad)
		return -EINVAL;
	return r->pos != r->n ? bad(r, "bytes left over") : 0;
}

static int read_streams(struct file *f, struct enpu_model *m)
{
	struct rd *r = &f->sec[SEC_STREAMS];
	struct enpu_npu *npu = m->npu;
	struct enpu_stream probe = { 0 };
	uint32_t weights_va = ENPU_PAGE_SIZE, arena_va;
	size_t st, i;
	int ret = 0;

	npu->rstreams = calloc(m->num_steps + 1, sizeof(*npu->rstreams));
	if (!npu->rstreams)
		return enpu_fail(-ENOMEM, "out of memory");
	for (st = 0; st < m->num_steps; st++) {
		struct enpu_rstream *rs = &npu->rstreams[st];

		if (!m->steps[st].on_npu)
			continue;
		if (get_u32(r) != st)
			return bad(r, "the streams are not those of the NPU steps, in order");
		rs->n = get_u32(r);
		rs->nreloc = get_u32(r);
		if (r->bad)
			return -EINVAL;
		if (!rs->n || rs->n > ENPU_MAX_CMD_SIZE / 4 || rs->nreloc > rs->n ||
		    !room_for(r, (uint64_t)rs->n + rs->nreloc, 4))
			return bad(r, "a stream's size is out of range");
		rs->w = calloc(rs->n, 4);
		rs->reloc = calloc(rs->nreloc + 1, 4);
		if (!rs->w || !rs->reloc)
			return enpu_fail(-ENOMEM, "out of memory");
		for (i = 0; i < rs->n; i++)
			rs->w[i] = get_u32(r);
		for (i = 0; i < rs->nreloc; i++) {
			rs->reloc[i] = get_u32(r);
			if ((rs->reloc[i] >> 1) >= rs->n || (i && rs->reloc[i] <= rs->reloc[i - 1]))
				return bad(r, "a relocation is out of range or out of order");
		}
	}
	if (r->pos != r->n)
		return bad(r, "bytes left over");
	/*
	 * Relocated at addresses where the two buffers do not overlap, every
	 * command must decode and stay inside the weights, the arena or SRAM.
	 */
	arena_va = weights_va + (uint32_t)((npu->weights_bytes + ENPU_PAGE_SIZE - 1) &
					   ~(uint64_t)(ENPU_PAGE_SIZE - 1));
	for (st = 0; st < m->num_steps && !ret; st++) {
		if (!m->steps[st].on_npu)
			continue;
		ret = enpu_npu_relocate(m, st, weights_va, arena_va, &probe);
		if (ret) {
			char e[400];

			snprintf(e, sizeof(e), "%s", enpu_last_error());
			ret = bad(r, e);
		}
	}
	free(probe.w);
	return ret;
}

int enpu_file_is_compiled(const void *data, size_t size)
{
	return size >= 8 && !memcmp(data, "ENPUMODL", 8);
}

int enpu_file_read(const void *data, size_t size, const struct enpu_compile_options *opt,
		   struct enpu_model **out)
{
	struct file *f;
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	struct enpu_npu *npu;
	int ret;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return enpu_fail(-ENOMEM, "out of memory");
	ret = read_header(data, size, f);
	if (!ret)
		ret = read_info(f);
	if (ret)
		goto out;
	f->weights = f->sec[SEC_WEIGHTS].p;
	f->weights_bytes = f->sec[SEC_WEIGHTS].n;
	ret = enpu_graph_create(&g);
	if (!ret)
		ret = read_tensors(f, g);
	if (!ret)
		ret = read_layers(f, g);
	if (!ret)
		ret = read_io(f, g);
	if (!ret)
		ret = enpu_graph_validate(g);
	if (!ret)
		ret = enpu_activations_bounded(g, opt);
	if (ret)
		goto out;
	ret = enpu_model_new(g, opt, &m);
	g = NULL;
	if (ret)
		goto out;
	ret = enpu_model_prepare(m);
	if (ret)
		goto out;
	m->flags = f->flags;
	m->target = f->target;
	m->has_source = f->has_source;
	memcpy(m->source_sha256, f->source, sizeof(f->source));
	memcpy(m->written_by, f->version, sizeof(m->written_by));
	m->origin = ENPU_ORIGIN_FILE;
	npu = calloc(1, sizeof(*npu));
	if (!npu) {
		ret = enpu_fail(-ENOMEM, "out of memory");
		goto out;
	}
	m->npu = npu;
	npu->sku = (struct enpu_sku) {
		.macs_per_cycle = f->target.macs_per_cycle, .clock_mhz = f->target.clock_mhz,
		.dram_bw_mbps = f->target.dram_bw_mbps, .sram_bw_mbps = f->target.sram_bw_mbps,
		.sram_size = (uint32_t)f->target.sram_size,
	};
	npu->place = calloc(m->g->num_tensors + 1, sizeof(*npu->place));
	npu->quant_off = calloc(m->g->num_layers + 1, sizeof(*npu->quant_off));
	npu->prefetch = calloc(m->g->num_layers + 1, sizeof(*npu->prefetch));
	npu->nslots = m->max_inflight;
	npu->slots = calloc(npu->nslots, sizeof(*npu->slots));
	if (!npu->place || !npu->quant_off || !npu->prefetch || !npu->slots) {
		ret = enpu_fail(-ENOMEM, "out of memory");
		goto out;
	}
	ret = read_plan(f, m);
	if (!ret)
		ret = read_ring_rows(f, m);
	if (!ret)
		ret = enpu_npu_find_fusions(m);
	if (!ret)
		ret = read_streams(f, m);
	if (!ret)
		ret = enpu_file_check_weights(m, f->weights);
	if (ret)
		goto out;
	enpu_cpu_pack_weights(m);
	*out = m;
	m = NULL;
out:
	enpu_graph_destroy(g);
	enpu_model_destroy(m);
	free(f);
	return ret;
}

/*
 * The weights buffer must be what the graph and plan say: its constants at
 * their offsets and each NPU layer's requantization data. A file whose
 * weights disagree with its graph would give the NPU and the CPU backend
 * different results.
 */
int enpu_file_check_weights(const struct enpu_model *m, const uint8_t *weights)
{
	uint8_t *want = malloc(m->npu->weights_bytes ? m->npu->weights_bytes : 1);
	int same;

	if (!want)
		return enpu_fail(-ENOMEM, "out of memory");
	enpu_npu_fill_weights(m, want);
	same = !memcmp(want, weights, m->npu->weights_bytes);
	free(want);
	return same ? 0 : enpu_fail(-EINVAL, "compiled model: WEIGHTS section: not the "
				    "model's constants and requantization data");
}

int enpu_target_compare(const struct enpu_target *want, const struct enpu_target *have,
			char *why, size_t len)
{
	size_t n = 0;

	why[0] = 0;
#define DIFF(cond, ...) do { \
		if ((cond) && n < len) \
			n += (size_t)snprintf(why + n, len - n, __VA_ARGS__); \
	} while (0)
	DIFF(ENPU_VERSION_MAJOR(want->hw_version) != ENPU_VERSION_MAJOR(have->hw_version) ||
	     ENPU_VERSION_MINOR(want->hw_version) > ENPU_VERSION_MINOR(have->hw_version),
	     "%shardware contract %u.%u (the device has %u.%u)", n ? ", " : "",
	     ENPU_VERSION_MAJOR(want->hw_version), ENPU_VERSION_MINOR(want->hw_version),
	     ENPU_VERSION_MAJOR(have->hw_version), ENPU_VERSION_MINOR(have->hw_version));
	DIFF(want->sram_size != have->sram_size, "%ssram_size %llu (the device has %llu)",
	     n ? ", " : "", (unsigned long long)want->sram_size,
	     (unsigned long long)have->sram_size);
	DIFF(want->macs_per_cycle != have->macs_per_cycle, "%smacs_per_cycle %u (the device "
	     "has %u)", n ? ", " : "", want->macs_per_cycle, have->macs_per_cycle);
	DIFF(want->clock_mhz != have->clock_mhz, "%sclock_mhz %u (the device has %u)",
	     n ? ", " : "", want->clock_mhz, have->clock_mhz);
	DIFF(want->dram_bw_mbps != have->dram_bw_mbps, "%sdram_bw_mbps %u (the device has %u)",
	     n ? ", " : "", want->dram_bw_mbps, have->dram_bw_mbps);
	DIFF(want->sram_bw_mbps != have->sram_bw_mbps, "%ssram_bw_mbps %u (the device has %u)",
	     n ? ", " : "", want->sram_bw_mbps, have->sram_bw_mbps);
#undef DIFF
	return n ? -ENODEV : 0;
}
