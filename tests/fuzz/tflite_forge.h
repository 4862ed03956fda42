/* SPDX-License-Identifier: MIT */
/*
 * A tiny TFLite flatbuffer writer for tests: builds small models byte by
 * byte from a plain description (tensors, buffers, operators), so the
 * corruption test and the fuzzer's seed generator can forge files of
 * their own instead of copying real models.
 *
 * Layout is forward (parents before children): the root offset and the
 * "TFL3" identifier, then every table preceded by its own vtable (soffset
 * = table - vtable > 0), then the table's vectors, strings and child
 * tables, each reached by a forward uoffset; buffers marked external last,
 * after the flatbuffer (Buffer.offset/size). Every table field takes a
 * 4-byte cell (8 for 64-bit fields), in slot order; nothing is shared or
 * deduplicated, which keeps the output easy to follow in a hex dump
 * (tests/fuzz/corpus/fc_min.hex is one, annotated).
 *
 * Field numbers are those of the TFLite schema (a union takes two slots).
 * Only what libedgenpu's reader looks at is written.
 */
#ifndef TFLITE_FORGE_H
#define TFLITE_FORGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* TFLite enums used by the seeds. */
enum {
	FG_ADD = 0, FG_AVERAGE_POOL_2D = 1, FG_CONCATENATION = 2, FG_CONV_2D = 3,
	FG_DEPTHWISE_CONV_2D = 4, FG_DEQUANTIZE = 6, FG_FULLY_CONNECTED = 9,
	FG_MAX_POOL_2D = 17, FG_RESHAPE = 22, FG_SOFTMAX = 25, FG_PAD = 34,
	FG_MEAN = 40, FG_PADV2 = 60, FG_QUANTIZE = 114,
};
enum { FG_FLOAT32 = 0, FG_INT32 = 2, FG_INT64 = 4, FG_INT16 = 7, FG_INT8 = 9 };

#define FG_MAX_TENSORS	16
#define FG_MAX_BUFFERS	16
#define FG_MAX_OPS	8
#define FG_MAX_FIELDS	8
#define FG_MAX_SCALES	256

/* A scalar field of a table: @size 1, 4 or 8 bytes. */
struct fg_field {
	uint8_t slot;
	uint8_t size;
	uint64_t val;
};

struct fg_tensor {
	const char *name;		/* NULL: no name field */
	uint8_t type;			/* FG_INT8, FG_INT32, FG_FLOAT32 */
	int rank;
	int32_t dims[4];
	int nscales;			/* 0: no quantization table */
	float scales[FG_MAX_SCALES];
	int nzps;			/* zero points written (0 or nscales) */
	int64_t zps[FG_MAX_SCALES];
	int qaxis;
	uint32_t buffer;		/* index into fg_model.buffers */
	int is_variable;		/* written as is_variable true */
};

struct fg_buffer {
	const void *data;		/* NULL: no data vector */
	uint32_t len;
	int external;			/* @data after the flatbuffer, at offset/size */
	uint64_t offset, size;		/* or these offset/size fields as given */
};

struct fg_op {
	int32_t code;			/* builtin operator */
	int nin;
	int32_t in[8];
	int32_t out;
	int nout;			/* 0: the one output @out; else @outs */
	int32_t outs[4];
	int nopt;			/* 0: no builtin_options table */
	struct fg_field opt[FG_MAX_FIELDS];
};

struct fg_model {
	uint32_t version;		/* 3 */
	int ntensors, nbuffers, nops, nin, nout;
	struct fg_tensor t[FG_MAX_TENSORS];
	struct fg_buffer b[FG_MAX_BUFFERS];
	struct fg_op op[FG_MAX_OPS];
	int32_t in[4], out[4];
};

/* ---- the byte writer ----------------------------------------------------- */

struct forge {
	uint8_t *b;
	size_t len, cap;
	int oom;
};

static inline size_t fg_alloc(struct forge *f, size_t n, size_t align)
{
	size_t at = (f->len + align - 1) & ~(align - 1);

	if (at + n > f->cap) {
		size_t cap = f->cap ? f->cap : 256;
		uint8_t *p;

		while (cap < at + n)
			cap *= 2;
		p = realloc(f->b, cap);
		if (!p) {
			f->oom = 1;
			return 0;
		}
		memset(p + f->cap, 0, cap - f->cap);
		f->b = p;
		f->cap = cap;
	}
	f->len = at + n;
	return at;
}

static inline void fg_put(struct forge *f, size_t at, uint64_t v, int size)
{
	int i;

	if (f->oom)
		return;
	for (i = 0; i < size; i++)
		f->b[at + i] = (uint8_t)(v >> (8 * i));
}

/* A uoffset at @at pointing forward to @target. */
static inline void fg_ref(struct forge *f, size_t at, size_t target)
{
	fg_put(f, at, (uint32_t)(target - at), 4);
}

/*
 * A table with @n scalar fields and @nref reference fields (slots in
 * @ref_slots, their positions returned in @ref_at for fg_ref later).
 */
static inline size_t fg_table(struct forge *f, int n, const struct fg_field *fl,
			      int nref, const uint8_t *ref_slots, size_t *ref_at)
{
	uint16_t off[16] = { 0 };
	size_t vt, t, size = 4;
	int maxslot = -1, i, s;

	for (i = 0; i < n; i++)
		maxslot = fl[i].slot > maxslot ? fl[i].slot : maxslot;
	for (i = 0; i < nref; i++)
		maxslot = ref_slots[i] > maxslot ? ref_slots[i] : maxslot;
	/* cells in slot order: scalars 4 (or 8) bytes, references 4 */
	for (s = 0; s <= maxslot; s++) {
		for (i = 0; i < n; i++)
			if (fl[i].slot == s) {
				if (fl[i].size == 8)
					size = (size + 7) & ~(size_t)7;
				off[s] = (uint16_t)size;
				size += fl[i].size == 8 ? 8 : 4;
			}
		for (i = 0; i < nref; i++)
			if (ref_slots[i] == s) {
				off[s] = (uint16_t)size;
				size += 4;
			}
	}
	vt = fg_alloc(f, 4 + 2 * (size_t)(maxslot + 1), 4);
	fg_put(f, vt, 4 + 2 * (uint64_t)(maxslot + 1), 2);
	fg_put(f, vt + 2, size, 2);
	for (s = 0; s <= maxslot; s++)
		fg_put(f, vt + 4 + 2 * (size_t)s, off[s], 2);
	t = fg_alloc(f, size, 8);
	fg_put(f, t, (uint32_t)(t - vt), 4);
	for (i = 0; i < n; i++)
		fg_put(f, t + off[fl[i].slot], fl[i].val, fl[i].size);
	for (i = 0; i < nref; i++)
		ref_at[i] = t + off[ref_slots[i]];
	return t;
}

/* A vector of @n elements of @elem bytes from @data (NULL: zeros). */
static inline size_t fg_vec(struct forge *f, uint32_t n, size_t elem, const void *data)
{
	size_t v;

	/* 8-byte elements are 8-aligned: the count sits just before them */
	f->len = (f->len + 3) & ~(size_t)3;
	if (elem == 8 && (f->len + 4) % 8)
		f->len += 4;
	/* strings (and byte vectors) get a NUL after them */
	v = fg_alloc(f, 4 + (size_t)n * elem + (elem == 1), 4);
	fg_put(f, v, n, 4);
	if (data && !f->oom)
		memcpy(f->b + v + 4, data, (size_t)n * elem);
	return v;
}

static inline size_t fg_vec_i32(struct forge *f, int n, const int32_t *v)
{
	size_t at = fg_vec(f, (uint32_t)n, 4, NULL);
	int i;

	for (i = 0; i < n; i++)
		fg_put(f, at + 4 + 4 * (size_t)i, (uint32_t)v[i], 4);
	return at;
}

/* A vector of @n table references; their positions in @elem_at. */
static inline size_t fg_vec_refs(struct forge *f, int n, size_t *elem_at)
{
	size_t at = fg_vec(f, (uint32_t)n, 4, NULL);
	int i;

	for (i = 0; i < n; i++)
		elem_at[i] = at + 4 + 4 * (size_t)i;
	return at;
}

static inline void fg_tensor(struct forge *f, const struct fg_tensor *t, size_t ref)
{
	struct fg_field fl[3] = {
		{ .slot = 1, .size = 1, .val = t->type },
		{ .slot = 2, .size = 4, .val = t->buffer },
		{ .slot = 5, .size = 1, .val = 1 },	/* is_variable */
	};
	uint8_t rs[3] = { 0, 3, 4 };
	size_t ra[3], pos, v;
	int i, nref = t->nscales ? 3 : 2;

	if (!t->name) {
		rs[1] = 4;
		nref--;
	}
	pos = fg_table(f, t->is_variable ? 3 : 2, fl, nref, rs, ra);
	fg_ref(f, ref, pos);
	fg_ref(f, ra[0], fg_vec_i32(f, t->rank, t->dims));
	if (t->name)
		fg_ref(f, ra[1], fg_vec(f, (uint32_t)strlen(t->name), 1, t->name));
	if (t->nscales) {
		struct fg_field qf[1] = { { .slot = 6, .size = 4, .val = (uint32_t)t->qaxis } };
		uint8_t qs[2] = { 2, 3 };
		size_t qa[2], q;

		q = fg_table(f, t->qaxis ? 1 : 0, qf, t->nzps ? 2 : 1, qs, qa);
		fg_ref(f, ra[nref - 1], q);
		v = fg_vec(f, (uint32_t)t->nscales, 4, t->scales);
		fg_ref(f, qa[0], v);
		if (t->nzps) {
			v = fg_vec(f, (uint32_t)t->nzps, 8, NULL);
			for (i = 0; i < t->nzps; i++)
				fg_put(f, v + 4 + 8 * (size_t)i, (uint64_t)t->zps[i], 8);
			fg_ref(f, qa[1], v);
		}
	}
}

static inline void fg_operator(struct forge *f, const struct fg_op *op,
			       uint32_t opcode_index, size_t ref)
{
	struct fg_field fl[1] = { { .slot = 0, .size = 4, .val = opcode_index } };
	uint8_t rs[3] = { 1, 2, 4 };
	size_t ra[3], pos;

	pos = fg_table(f, opcode_index ? 1 : 0, fl, op->nopt ? 3 : 2, rs, ra);
	fg_ref(f, ref, pos);
	fg_ref(f, ra[0], fg_vec_i32(f, op->nin, op->in));
	fg_ref(f, ra[1], op->nout ? fg_vec_i32(f, op->nout, op->outs) :
				    fg_vec_i32(f, 1, &op->out));
	if (op->nopt)
		fg_ref(f, ra[2], fg_table(f, op->nopt, op->opt, 0, NULL, NULL));
}

/*
 * Writes @m; returns the size (0 when out of memory), the bytes in *out
 * (the caller frees them).
 */
static inline size_t fg_build(const struct fg_model *m, uint8_t **out)
{
	struct forge f = { 0 };
	size_t ra[3], el[FG_MAX_TENSORS], sra[4], root, sub;
	struct fg_field vf[1] = { { .slot = 0, .size = 4, .val = m->version } };
	uint8_t rs[3] = { 1, 2, 4 }, srs[4] = { 0, 1, 2, 3 };
	int32_t codes[FG_MAX_OPS];
	uint32_t opidx[FG_MAX_OPS];
	int ncodes = 0, i, k;

	for (i = 0; i < m->nops; i++) {
		for (k = 0; k < ncodes && codes[k] != m->op[i].code; k++)
			;
		if (k == ncodes)
			codes[ncodes++] = m->op[i].code;
		opidx[i] = (uint32_t)k;
	}
	root = fg_alloc(&f, 8, 4);
	fg_put(&f, root + 4, 0x334c4654, 4);		/* "TFL3" */
	fg_ref(&f, root, fg_table(&f, 1, vf, 3, rs, ra));

	/* operator_codes: the deprecated byte and the int32 code */
	fg_ref(&f, ra[0], fg_vec_refs(&f, ncodes, el));
	for (k = 0; k < ncodes; k++) {
		struct fg_field cf[2] = {
			{ .slot = 0, .size = 1, .val = (uint8_t)(codes[k] < 127 ? codes[k] : 127) },
			{ .slot = 3, .size = 4, .val = (uint32_t)codes[k] },
		};

		fg_ref(&f, el[k], fg_table(&f, 2, cf, 0, NULL, NULL));
	}

	/* subgraphs: one */
	fg_ref(&f, ra[1], fg_vec_refs(&f, 1, el));
	sub = fg_table(&f, 0, NULL, 4, srs, sra);
	fg_ref(&f, el[0], sub);
	fg_ref(&f, sra[0], fg_vec_refs(&f, m->ntensors, el));
	for (i = 0; i < m->ntensors; i++)
		fg_tensor(&f, &m->t[i], el[i]);
	fg_ref(&f, sra[1], fg_vec_i32(&f, m->nin, m->in));
	fg_ref(&f, sra[2], fg_vec_i32(&f, m->nout, m->out));
	fg_ref(&f, sra[3], fg_vec_refs(&f, m->nops, el));
	{
		size_t opref[FG_MAX_OPS];

		memcpy(opref, el, sizeof(opref));
		for (i = 0; i < m->nops; i++)
			fg_operator(&f, &m->op[i], opidx[i], opref[i]);
	}

	/* buffers */
	fg_ref(&f, ra[2], fg_vec_refs(&f, m->nbuffers, el));
	{
		size_t bref[FG_MAX_BUFFERS], ext_at[FG_MAX_BUFFERS] = { 0 };

		memcpy(bref, el, sizeof(bref));
		for (i = 0; i < m->nbuffers; i++) {
			struct fg_field xf[2] = {
				{ .slot = 1, .size = 8, .val = m->b[i].offset },
				{ .slot = 2, .size = 8, .val = m->b[i].size },
			};
			uint8_t ds[1] = { 0 };
			size_t da, t;

			if (m->b[i].external) {
				/* offset patched below; the table's vtable says where it is */
				xf[1].val = m->b[i].len;
				t = fg_table(&f, 2, xf, 0, NULL, NULL);
				fg_ref(&f, bref[i], t);
				if (!f.oom) {
					size_t vt = t - (f.b[t] | (size_t)f.b[t + 1] << 8);

					ext_at[i] = t + (f.b[vt + 6] | f.b[vt + 7] << 8);
				}
				continue;
			}
			if (!m->b[i].data) {
				fg_ref(&f, bref[i], fg_table(&f, m->b[i].offset || m->b[i].size ? 2 : 0,
							     xf, 0, NULL, NULL));
				continue;
			}
			fg_ref(&f, bref[i], fg_table(&f, 0, NULL, 1, ds, &da));
			fg_ref(&f, da, fg_vec(&f, m->b[i].len, 1, m->b[i].data));
		}
		/* external data: after the flatbuffer, 16-aligned, as converters do */
		for (i = 0; i < m->nbuffers; i++) {
			size_t at;

			if (!ext_at[i])
				continue;
			at = fg_alloc(&f, m->b[i].len, 16);
			if (!f.oom)
				memcpy(f.b + at, m->b[i].data, m->b[i].len);
			fg_put(&f, ext_at[i], at, 8);
		}
	}
	if (f.oom) {
		free(f.b);
		*out = NULL;
		return 0;
	}
	*out = f.b;
	return f.len;
}

/* ---- seeds: one tiny valid model per supported operator -------------------- */

static const int8_t fg_w12[2] = { 3, -1 };			/* FC weights [1, 2] */
static const int8_t fg_w_conv[2 * 3 * 3 * 1] = {		/* [2, 3, 3, 1] */
	1, 0, -1, 2, 0, -2, 1, 0, -1,
	0, 1, 0, 1, -4, 1, 0, 1, 0,
};
static const int8_t fg_w_dw[1 * 3 * 3 * 2] = {			/* [1, 3, 3, 2] */
	1, 1, 0, 2, -1, 1, 2, 0, 0, -1, 1, 1, 0, 3, -2, 1, 1, 0,
};
static const int32_t fg_bias2[2] = { 100, -50 };
static const int32_t fg_pads4[8] = { 0, 0, 1, 1, 2, 0, 0, 0 };	/* [4, 2] */
static const int32_t fg_axes2[2] = { 1, 2 };
static const int32_t fg_shape2[2] = { 1, 8 };

#define FG_I8(nm, r, d0, d1, d2, d3, sc, zp, buf) \
	{ .name = nm, .type = FG_INT8, .rank = r, .dims = { d0, d1, d2, d3 }, \
	  .nscales = 1, .scales = { sc }, .nzps = 1, .zps = { zp }, .buffer = buf }

static const char *const fg_seed_names[] = {
	"fc_min", "conv_bias_relu", "dwconv_pool", "add_concat_softmax",
	"quant_pad_mean_dequant", "reshape_maxpool", "fc_external",
};
#define FG_NUM_SEEDS (sizeof(fg_seed_names) / sizeof(fg_seed_names[0]))

/* Seed @i (0 .. FG_NUM_SEEDS - 1) into @m. */
static inline void fg_seed(unsigned int i, struct fg_model *m)
{
	memset(m, 0, sizeof(*m));
	m->version = 3;
	m->nbuffers = 1;		/* buffer 0: empty, as converters write */
	switch (i) {
	case 0:	/* fc_min: in int8 [1, 2] s1 -> FC (w [1, 2] s1) -> out int8 [1, 1] s2 */
	case 6:	/* fc_external: the same, its weights after the flatbuffer */
		m->ntensors = 3;
		m->t[0] = (struct fg_tensor){ .type = FG_INT8, .rank = 2, .dims = { 1, 2 },
					      .nscales = 1, .scales = { 1.0f } };
		m->t[1] = (struct fg_tensor){ .type = FG_INT8, .rank = 2, .dims = { 1, 2 },
					      .nscales = 1, .scales = { 1.0f }, .buffer = 1 };
		m->t[2] = (struct fg_tensor){ .type = FG_INT8, .rank = 2, .dims = { 1, 1 },
					      .nscales = 1, .scales = { 2.0f } };
		m->nbuffers = 2;
		m->b[1] = (struct fg_buffer){ .data = fg_w12, .len = 2, .external = i == 6 };
		m->nops = 1;
		m->op[0] = (struct fg_op){ .code = FG_FULLY_CONNECTED, .nin = 2, .in = { 0, 1 },
					   .out = 2 };
		m->nin = 1;
		m->nout = 1;
		m->out[0] = 2;
		break;
	case 1:	/* CONV_2D SAME stride 1, per-channel weights, bias, RELU */
		m->ntensors = 4;
		m->t[0] = (struct fg_tensor)FG_I8("x", 4, 1, 4, 4, 1, 0.5f, -3, 0);
		m->t[1] = (struct fg_tensor){ .name = "w", .type = FG_INT8, .rank = 4,
					      .dims = { 2, 3, 3, 1 }, .nscales = 2,
					      .scales = { 0.25f, 0.125f }, .nzps = 2, .buffer = 1 };
		m->t[2] = (struct fg_tensor){ .name = "b", .type = FG_INT32, .rank = 1,
					      .dims = { 2 }, .buffer = 2 };
		m->t[3] = (struct fg_tensor)FG_I8("y", 4, 1, 4, 4, 2, 0.75f, 5, 0);
		m->nbuffers = 3;
		m->b[1] = (struct fg_buffer){ .data = fg_w_conv, .len = sizeof(fg_w_conv) };
		m->b[2] = (struct fg_buffer){ .data = fg_bias2, .len = sizeof(fg_bias2) };
		m->nops = 1;
		m->op[0] = (struct fg_op){ .code = FG_CONV_2D, .nin = 3, .in = { 0, 1, 2 }, .out = 3,
					   .nopt = 4, .opt = { { 0, 1, 0 }, { 1, 4, 1 },
							       { 2, 4, 1 }, { 3, 1, 1 } } };
		m->nin = 1;
		m->nout = 1;
		m->out[0] = 3;
		break;
	case 2:	/* DEPTHWISE_CONV_2D VALID stride 2 (multiplier 2), then AVERAGE_POOL_2D */
		m->ntensors = 4;
		m->t[0] = (struct fg_tensor)FG_I8("x", 4, 1, 5, 5, 1, 0.5f, 0, 0);
		m->t[1] = (struct fg_tensor){ .name = "w", .type = FG_INT8, .rank = 4,
					      .dims = { 1, 3, 3, 2 }, .nscales = 2,
					      .scales = { 0.25f, 0.5f }, .qaxis = 3, .buffer = 1 };
		m->t[2] = (struct fg_tensor)FG_I8("d", 4, 1, 2, 2, 2, 1.0f, -1, 0);
		m->t[3] = (struct fg_tensor)FG_I8("p", 4, 1, 1, 1, 2, 1.0f, -1, 0);
		m->nbuffers = 2;
		m->b[1] = (struct fg_buffer){ .data = fg_w_dw, .len = sizeof(fg_w_dw) };
		m->nops = 2;
		m->op[0] = (struct fg_op){ .code = FG_DEPTHWISE_CONV_2D, .nin = 2, .in = { 0, 1 },
					   .out = 2, .nopt = 4,
					   .opt = { { 0, 1, 1 }, { 1, 4, 2 }, { 2, 4, 2 },
						    { 3, 4, 2 } } };
		m->op[1] = (struct fg_op){ .code = FG_AVERAGE_POOL_2D, .nin = 1, .in = { 2 },
					   .out = 3, .nopt = 5,
					   .opt = { { 0, 1, 1 }, { 1, 4, 2 }, { 2, 4, 2 },
						    { 3, 4, 2 }, { 4, 4, 2 } } };
		m->nin = 1;
		m->nout = 1;
		m->out[0] = 3;
		break;
	case 3:	/* ADD (broadcast) and CONCATENATION, then SOFTMAX */
		m->ntensors = 5;
		m->t[0] = (struct fg_tensor)FG_I8("a", 2, 2, 3, 0, 0, 0.1f, 2, 0);
		m->t[1] = (struct fg_tensor)FG_I8("b", 1, 3, 0, 0, 0, 0.05f, -4, 0);
		m->t[2] = (struct fg_tensor)FG_I8("s", 2, 2, 3, 0, 0, 0.2f, 0, 0);
		m->t[3] = (struct fg_tensor)FG_I8("c", 2, 2, 6, 0, 0, 0.2f, 0, 0);
		m->t[4] = (struct fg_tensor)FG_I8("o", 2, 2, 6, 0, 0, 1.0f / 256, -128, 0);
		m->nops = 3;
		m->op[0] = (struct fg_op){ .code = FG_ADD, .nin = 2, .in = { 0, 1 }, .out = 2 };
		m->op[1] = (struct fg_op){ .code = FG_CONCATENATION, .nin = 2, .in = { 2, 2 },
					   .out = 3, .nopt = 1, .opt = { { 0, 4, (uint32_t)-1 } } };
		m->op[2] = (struct fg_op){ .code = FG_SOFTMAX, .nin = 1, .in = { 3 }, .out = 4,
					   .nopt = 1, .opt = { { 0, 4, 0x3f800000 } } };
		m->nin = 2;
		m->in[1] = 1;
		m->nout = 1;
		m->out[0] = 4;
		break;
	case 4:	/* float in -> QUANTIZE -> PAD -> MEAN -> DEQUANTIZE -> float out */
		m->ntensors = 7;
		m->t[0] = (struct fg_tensor){ .name = "f", .type = FG_FLOAT32, .rank = 4,
					      .dims = { 1, 2, 2, 3 } };
		m->t[1] = (struct fg_tensor)FG_I8("q", 4, 1, 2, 2, 3, 0.02f, 1, 0);
		m->t[2] = (struct fg_tensor){ .name = "pads", .type = FG_INT32, .rank = 2,
					      .dims = { 4, 2 }, .buffer = 1 };
		m->t[3] = (struct fg_tensor)FG_I8("p", 4, 1, 4, 4, 3, 0.02f, 1, 0);
		m->t[4] = (struct fg_tensor){ .name = "axes", .type = FG_INT32, .rank = 1,
					      .dims = { 2 }, .buffer = 2 };
		m->t[5] = (struct fg_tensor)FG_I8("m", 4, 1, 1, 1, 3, 0.01f, 0, 0);
		m->t[6] = (struct fg_tensor){ .name = "out", .type = FG_FLOAT32, .rank = 4,
					      .dims = { 1, 1, 1, 3 } };
		m->nbuffers = 3;
		m->b[1] = (struct fg_buffer){ .data = fg_pads4, .len = sizeof(fg_pads4) };
		m->b[2] = (struct fg_buffer){ .data = fg_axes2, .len = sizeof(fg_axes2) };
		m->nops = 4;
		m->op[0] = (struct fg_op){ .code = FG_QUANTIZE, .nin = 1, .in = { 0 }, .out = 1 };
		m->op[1] = (struct fg_op){ .code = FG_PAD, .nin = 2, .in = { 1, 2 }, .out = 3 };
		m->op[2] = (struct fg_op){ .code = FG_MEAN, .nin = 2, .in = { 3, 4 }, .out = 5,
					   .nopt = 1, .opt = { { 0, 1, 1 } } };
		m->op[3] = (struct fg_op){ .code = FG_DEQUANTIZE, .nin = 1, .in = { 5 }, .out = 6 };
		m->nin = 1;
		m->nout = 1;
		m->out[0] = 6;
		break;
	case 5: /* RESHAPE (with its shape tensor) then MAX_POOL_2D SAME, RELU6 */
		m->ntensors = 4;
		m->t[0] = (struct fg_tensor)FG_I8("x", 2, 1, 8, 0, 0, 0.3f, 4, 0);
		m->t[1] = (struct fg_tensor){ .name = "shape", .type = FG_INT32, .rank = 1,
					      .dims = { 2 }, .buffer = 1 };
		m->t[2] = (struct fg_tensor)FG_I8("r", 4, 1, 2, 4, 1, 0.3f, 4, 0);
		m->t[3] = (struct fg_tensor)FG_I8("y", 4, 1, 1, 2, 1, 0.3f, 4, 0);
		m->nbuffers = 2;
		m->b[1] = (struct fg_buffer){ .data = fg_shape2, .len = sizeof(fg_shape2) };
		m->nops = 2;
		m->op[0] = (struct fg_op){ .code = FG_RESHAPE, .nin = 2, .in = { 0, 1 }, .out = 2 };
		m->op[1] = (struct fg_op){ .code = FG_MAX_POOL_2D, .nin = 1, .in = { 2 }, .out = 3,
					   .nopt = 6,
					   .opt = { { 0, 1, 0 }, { 1, 4, 2 }, { 2, 4, 2 },
						    { 3, 4, 2 }, { 4, 4, 2 }, { 5, 1, 3 } } };
		m->nin = 1;
		m->nout = 1;
		m->out[0] = 3;
		break;
	}
}

#endif /* TFLITE_FORGE_H */
