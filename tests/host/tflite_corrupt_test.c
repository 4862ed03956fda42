// SPDX-License-Identifier: MIT
/*
 * The TFLite reader against corrupt and hostile files. Every model of
 * shared/models ($EDGENPU_MODELS, default ../shared/models) goes through
 * deterministic mutation families; so do small models forged here
 * (tests/fuzz/tflite_forge.h), which also give hand-made files: vectors
 * claiming huge lengths, tables referencing themselves, graphs with
 * cycles, a wrong identifier, another schema version.
 *
 * Every mutated file is copied into a heap block of exactly its size (so
 * ASan sees any read past its end) and given to
 * enpu_model_load_tflite_mem(). The result must be either success (the
 * graph is then validated, and when valid compiled for the CPU backend
 * and run once on zero inputs, within a budget) or a negative errno with
 * a specific enpu_last_error(). Specific corruptions must give specific
 * messages, and the unmodified models must load, validate and run.
 * Built with ASan and UBSan; a crash, a leak or undefined behaviour fails
 * the test as well.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest.h"
#include <edgenpu/edgenpu.h>

#include "graph.h"		/* tensor sizes: the downstream budget */
#include "internal.h"		/* enpu_fail(): clears the last error */
#include "run_zero.h"
#include "tflite_forge.h"

#define SEED_HEX	"tests/fuzz/corpus/fc_min.hex"
#define MAX_MODELS	32
#define RUNS_PER_FAMILY	12		/* compile + run on zero inputs */
#define MAX_RUN_BYTES	(64u << 20)	/* activations of a run */
#define MAX_RUN_MACS	(64ull << 20)

/* ---- one mutated file --------------------------------------------------- */

struct stats {
	unsigned int tried, loaded, rejected, validated, ran, run_errors, bad;
	unsigned int runs_left;
	const char *family;
	const char *model;
};

static void stats_init(struct stats *st, const char *model, const char *family)
{
	memset(st, 0, sizeof(*st));
	st->model = model;
	st->family = family;
	st->runs_left = RUNS_PER_FAMILY;
}

static void clear_error(void)
{
	enpu_fail(0, "%s", "");
}

/* Activation bytes a CPU-backend compile of @g allocates. */
static uint64_t activation_bytes(const struct enpu_graph *g)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < g->num_tensors; i++)
		if (!g->tensors[i].data)
			n += g->tensors[i].bytes;
	return n;
}

/*
 * Validates a loaded graph and, within the family's budget, compiles it
 * for the CPU backend and runs it once on zero inputs.
 */
static void downstream(struct enpu_graph *g, struct stats *st)
{
	struct enpu_model *m = NULL;
	int r = 0;

	if (enpu_graph_validate(g)) {
		if (!enpu_last_error()[0])
			st->bad++;
		return;
	}
	st->validated++;
	if (!st->runs_left || activation_bytes(g) > MAX_RUN_BYTES)
		return;
	st->runs_left--;
	if (enpu_model_compile(NULL, g, NULL, &m)) {
		if (!enpu_last_error()[0])
			st->bad++;
		return;
	}
	if (fuzz_run_zero(m, MAX_RUN_MACS, &r) == FUZZ_RAN) {
		st->ran++;
		if (r) {
			st->run_errors++;
			if (r > 0 || !enpu_last_error()[0])
				st->bad++;
		}
	}
	enpu_model_destroy(m);
}

/* A heap block of exactly @size bytes (kept while the size stays the same). */
static uint8_t *exact_block(size_t size)
{
	static uint8_t *blk;
	static size_t blk_size;

	if (!blk || size != blk_size) {
		free(blk);
		blk = malloc(size ? size : 1);
		blk_size = size;
		if (!blk)
			ksft_exit_fail_msg("out of memory\n");
	}
	return blk;
}

/*
 * Loads @size bytes of @data from a block of exactly that size. Returns
 * the load's result; *msg (if given) gets the message of a failure.
 */
static int feed(const uint8_t *data, size_t size, struct stats *st, const char *what,
		size_t where, char *msg, size_t msg_len)
{
	struct enpu_graph *g = (struct enpu_graph *)&g;	/* must become NULL or a graph */
	uint8_t *copy = exact_block(size);
	const char *e;
	int r;

	if (size)
		memcpy(copy, data, size);
	clear_error();
	r = enpu_model_load_tflite_mem(copy, size, &g);
	e = enpu_last_error();
	st->tried++;
	if (msg)
		snprintf(msg, msg_len, "%s", r ? e : "");
	if (!r && g) {
		st->loaded++;
		downstream(g, st);
		enpu_graph_destroy(g);
	} else if (r < 0 && !g && e[0] && strcmp(e, "TFLite model: malformed")) {
		st->rejected++;
	} else {
		if (st->bad++ < 5)
			ksft_print_msg("%s %s: %s at %zu: result %d, graph %p, message \"%s\"\n",
				       st->model, st->family, what, where, r, (void *)g, e);
		if (!r)
			enpu_graph_destroy(g);
	}
	return r;
}

static void report(const struct stats *st)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "%s %s: %u files, %u loaded (%u valid, %u run, %u run errors), %u rejected",
		 st->model, st->family, st->tried, st->loaded, st->validated, st->ran,
		 st->run_errors, st->rejected);
	if (st->bad) {
		ksft_print_msg("%s: %u results were neither success nor an explained error\n",
			       line, st->bad);
		ksft_test_result_fail("%s %s\n", st->model, st->family);
	} else {
		ksft_print_msg("%s\n", line);
		ksft_test_result_pass("%s %s\n", st->model, st->family);
	}
}

/* ---- a map of a (valid) model: tables, vtables, vectors, references ------ */

#define W_MAX 4096

struct walk {
	const uint8_t *p;
	size_t size;
	size_t vt[W_MAX];	/* every distinct vtable */
	size_t vt_len[W_MAX];
	int nvt;
	size_t cell[W_MAX];	/* 32-bit cells near the root and chosen tables */
	int ncell;
	size_t vlen[W_MAX];	/* vector length words */
	int nvlen;
	size_t ref[W_MAX];	/* uoffset words */
	int nref;
	size_t alias_at[W_MAX], alias_to[W_MAX];	/* vector element -> element 0's table */
	int nalias;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void add(size_t *v, int *n, size_t x)
{
	int i;

	for (i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	if (*n < W_MAX)
		v[(*n)++] = x;
}

struct wt {
	size_t pos, vt;
	uint16_t vt_len, t_len;
};

/* The table at @pos; with @mark its cells are mutation targets. */
static int w_table(struct walk *w, size_t pos, int mark, struct wt *t)
{
	int64_t vt;
	size_t k;
	int i;

	if (pos + 4 > w->size)
		return -1;
	vt = (int64_t)pos - (int32_t)le32(w->p + pos);
	if (vt < 0 || (size_t)vt + 4 > w->size)
		return -1;
	t->pos = pos;
	t->vt = (size_t)vt;
	t->vt_len = le16(w->p + vt);
	t->t_len = le16(w->p + vt + 2);
	if (t->vt_len < 4 || t->vt + t->vt_len > w->size || pos + t->t_len > w->size)
		return -1;
	for (i = 0; i < w->nvt && w->vt[i] != t->vt; i++)
		;
	if (i == w->nvt && w->nvt < W_MAX) {
		w->vt_len[w->nvt] = t->vt_len;
		w->vt[w->nvt++] = t->vt;
	}
	if (mark) {
		for (k = 0; k + 4 <= t->t_len; k += 4)
			add(w->cell, &w->ncell, pos + k);
		for (k = 0; k + 4 <= t->vt_len; k += 2)
			add(w->cell, &w->ncell, t->vt + k);
	}
	return 0;
}

static size_t w_field(const struct walk *w, const struct wt *t, unsigned int slot)
{
	size_t e = 4 + 2 * (size_t)slot;
	uint16_t o;

	if (e + 2 > t->vt_len)
		return 0;
	o = le16(w->p + t->vt + e);
	return o && t->pos + o + 4 <= w->size ? t->pos + o : 0;
}

/* Follows reference field @slot; 0 if absent. */
static size_t w_ref(struct walk *w, const struct wt *t, unsigned int slot, int mark)
{
	size_t at = w_field(w, t, slot), to;

	if (!at)
		return 0;
	to = at + le32(w->p + at);
	if (to + 4 > w->size)
		return 0;
	if (mark)
		add(w->ref, &w->nref, at);
	return to;
}

/* A vector field: its length word (0 if absent), the count in *n. */
static size_t w_vec(struct walk *w, const struct wt *t, unsigned int slot, int mark,
		    uint32_t *n, size_t elem)
{
	size_t v = w_ref(w, t, slot, mark);

	*n = 0;
	if (!v)
		return 0;
	*n = le32(w->p + v);
	if ((uint64_t)*n * elem > w->size - v - 4) {
		*n = 0;
		return 0;
	}
	if (mark)
		add(w->vlen, &w->nvlen, v);
	return v;
}

/* Element @i of a vector of tables. */
static int w_elem(struct walk *w, size_t v, uint32_t i, int mark, struct wt *t)
{
	size_t at = v + 4 + 4 * (size_t)i;

	if (mark)
		add(w->ref, &w->nref, at);
	return w_table(w, at + le32(w->p + at), mark, t);
}

/* Marks elements 1.. of a vector of tables as aliases of element 0. */
static void w_alias(struct walk *w, size_t v, uint32_t n)
{
	size_t first = v + 4 + le32(w->p + v + 4);
	uint32_t i;

	for (i = 1; i < n && i <= 8 && w->nalias < W_MAX; i++) {
		size_t at = v + 4 + 4 * (size_t)i;

		if (first > at) {
			w->alias_at[w->nalias] = at;
			w->alias_to[w->nalias++] = first;
		}
	}
}

static int chosen(uint32_t i, uint32_t n)
{
	return i < 3 || i + 1 == n;
}

static void walk_model(struct walk *w, const uint8_t *p, size_t size)
{
	struct wt model, t, q, sub;
	size_t v, tv, x;
	uint32_t n, i, m;

	memset(w, 0, sizeof(*w));
	w->p = p;
	w->size = size;
	add(w->cell, &w->ncell, 0);
	add(w->cell, &w->ncell, 4);
	if (size < 8 || w_table(w, le32(p), 1, &model))
		return;
	/* operator codes */
	v = w_vec(w, &model, 1, 1, &n, 4);
	if (v)
		w_alias(w, v, n);
	for (i = 0; v && i < n; i++)
		w_elem(w, v, i, i < 4, &t);
	/* buffers: their data vectors */
	v = w_vec(w, &model, 4, 1, &n, 4);
	if (v)
		w_alias(w, v, n);
	for (i = 0; v && i < n; i++)
		if (!w_elem(w, v, i, chosen(i, n), &t))
			w_vec(w, &t, 0, chosen(i, n), &m, 1);
	/* subgraph 0 */
	v = w_vec(w, &model, 2, 1, &n, 4);
	if (!v || !n || w_elem(w, v, 0, 1, &sub))
		return;
	w_vec(w, &sub, 1, 1, &m, 4);
	w_vec(w, &sub, 2, 1, &m, 4);
	w_ref(w, &sub, 4, 1);
	tv = w_vec(w, &sub, 0, 1, &n, 4);
	if (tv)
		w_alias(w, tv, n);
	for (i = 0; tv && i < n; i++) {
		int mk = chosen(i, n);

		if (w_elem(w, tv, i, mk, &t))
			continue;
		w_vec(w, &t, 0, mk, &m, 4);
		w_vec(w, &t, 3, mk, &m, 1);
		x = w_ref(w, &t, 4, mk);
		if (x && !w_table(w, x, mk, &q)) {
			w_vec(w, &q, 2, mk, &m, 4);
			w_vec(w, &q, 3, mk, &m, 8);
		}
	}
	v = w_vec(w, &sub, 3, 1, &n, 4);
	if (v)
		w_alias(w, v, n);
	for (i = 0; v && i < n; i++) {
		int mk = chosen(i, n);

		if (w_elem(w, v, i, mk, &t))
			continue;
		w_vec(w, &t, 1, mk, &m, 4);
		w_vec(w, &t, 2, mk, &m, 4);
		x = w_ref(w, &t, 4, mk);
		if (x)
			w_table(w, x, mk, &q);
	}
}

/* ---- mutation families --------------------------------------------------- */

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		ksft_exit_fail_msg("out of memory\n");
	memcpy(c, p, n);
	return c;
}

static void put32(uint8_t *p, size_t size, size_t at, uint32_t v)
{
	size_t i;

	for (i = 0; i < 4 && at + i < size; i++)
		p[at + i] = (uint8_t)(v >> (8 * i));
}

static void fam_truncate(const uint8_t *p, size_t size, const char *model, int every)
{
	struct stats st;
	size_t len, step = every ? 1 : size / 256 + 1;

	stats_init(&st, model, "truncate");
	for (len = 0; len < size; len++)
		if (len < 64 || len % step == 0 || len + 16 >= size)
			feed(p, len, &st, "length", len, NULL, 0);
	report(&st);
}

static void flip_at(uint8_t *c, const uint8_t *p, size_t size, size_t at, uint8_t x,
		    struct stats *st)
{
	c[at] ^= x;
	feed(c, size, st, "flip", at, NULL, 0);
	c[at] = p[at];
}

static void fam_flip(const uint8_t *p, size_t size, const struct walk *w,
		     const char *model, int every)
{
	static const uint8_t xs[] = { 0xff, 0x01, 0x80 };
	size_t at, step = every ? 1 : size / 768 + 1, k;
	uint8_t *c = dup_bytes(p, size);
	struct stats st;
	unsigned int x;
	int i;

	stats_init(&st, model, every ? "flip-every-byte" : "flip");
	for (at = 0; at < size; at++) {
		if (at < 256 || every)
			for (x = 0; x < sizeof(xs); x++)
				flip_at(c, p, size, at, xs[x], &st);
		else if (at % step == 0)
			flip_at(c, p, size, at, xs[at / step % 2], &st);
	}
	for (i = 0; !every && i < w->nvt; i++)
		for (k = 0; k < w->vt_len[i]; k++)
			if (w->vt[i] + k >= 256) {
				flip_at(c, p, size, w->vt[i] + k, 0xff, &st);
				flip_at(c, p, size, w->vt[i] + k, 0x01, &st);
			}
	free(c);
	report(&st);
}

static void overwrite(const uint8_t *p, size_t size, uint8_t *c, size_t at,
		      const uint32_t *vals, int nv, struct stats *st, const char *what)
{
	int k;

	for (k = 0; k < nv; k++) {
		put32(c, size, at, vals[k]);
		feed(c, size, st, what, at, NULL, 0);
		memcpy(c + at, p + at, at + 4 <= size ? 4 : size - at);
	}
}

static void fam_field32(const uint8_t *p, size_t size, const struct walk *w,
			const char *model, int every)
{
	const uint32_t vals[] = { 0, 0xffffffffu, 0x7fffffffu, 0x80000000u,
				  (uint32_t)size, (uint32_t)size - 4 };
	uint8_t *c = dup_bytes(p, size);
	struct stats st;
	size_t at;
	int i;

	stats_init(&st, model, every ? "field32-everywhere" : "field32");
	if (every)
		for (at = 0; at + 4 <= size; at += 4)
			overwrite(p, size, c, at, vals, 6, &st, "word");
	else
		for (i = 0; i < w->ncell; i++)
			overwrite(p, size, c, w->cell[i], vals, 6, &st, "word");
	free(c);
	report(&st);
}

static void fam_vectors(const uint8_t *p, size_t size, const struct walk *w,
			const char *model)
{
	const uint32_t vals[] = { 0x40000000u, 0x40000001u, 0x20000000u, 0x3fffffffu,
				  (uint32_t)(size / 4 + 1), 0xfffffff0u, 0 };
	uint8_t *c = dup_bytes(p, size);
	struct stats st;
	int i;

	stats_init(&st, model, "huge-vectors");
	for (i = 0; i < w->nvlen; i++)
		overwrite(p, size, c, w->vlen[i], vals, 7, &st, "vector length");
	free(c);
	report(&st);
}

/* References to themselves, just past themselves, and aliased tables. */
static void fam_refs(const uint8_t *p, size_t size, const struct walk *w,
		     const char *model)
{
	const uint32_t vals[] = { 0, 4 };
	uint8_t *c = dup_bytes(p, size);
	struct stats st;
	uint32_t v;
	int i, k;

	stats_init(&st, model, "self-references");
	for (i = 0; i < w->nref; i++)
		overwrite(p, size, c, w->ref[i], vals, 2, &st, "reference");
	/* every element of a vector of tables pointing at element 0's table */
	for (i = 0; i < w->nalias; i++) {
		v = (uint32_t)(w->alias_to[i] - w->alias_at[i]);
		overwrite(p, size, c, w->alias_at[i], &v, 1, &st, "alias");
	}
	for (i = 0; i + 1 < w->nalias; i++) {
		if (w->alias_to[i] != w->alias_to[i + 1])
			continue;
		for (k = i; k < w->nalias && w->alias_to[k] == w->alias_to[i]; k++)
			put32(c, size, w->alias_at[k],
			      (uint32_t)(w->alias_to[k] - w->alias_at[k]));
		feed(c, size, &st, "aliased vector", w->alias_at[i], NULL, 0);
		memcpy(c, p, size);
		i = k - 1;
	}
	free(c);
	report(&st);
}

/* ---- the real models ------------------------------------------------------ */

static int load_file(const char *path, uint8_t **p, size_t *size)
{
	struct stat s;
	FILE *f = fopen(path, "rb");

	*p = NULL;
	if (!f)
		return -1;
	if (fstat(fileno(f), &s) || s.st_size <= 0 ||
	    !(*p = malloc((size_t)s.st_size)) ||
	    fread(*p, 1, (size_t)s.st_size, f) != (size_t)s.st_size) {
		fclose(f);
		free(*p);
		*p = NULL;
		return -1;
	}
	fclose(f);
	*size = (size_t)s.st_size;
	return 0;
}

/* The unmodified model loads (by path and from memory), validates and runs. */
static void pristine(const char *path, const uint8_t *p, size_t size, const char *model)
{
	struct enpu_graph *g = NULL;
	struct stats st;
	int ok;

	if (enpu_model_load_tflite(path, &g)) {
		ksft_print_msg("%s: %s\n", model, enpu_last_error());
		ksft_test_result_fail("%s loads unmodified\n", model);
		return;
	}
	enpu_graph_destroy(g);
	stats_init(&st, model, "unmodified");
	ok = !feed(p, size, &st, "unmodified", 0, NULL, 0);
	ok = ok && st.validated == 1 && st.ran == 1 && !st.run_errors && !st.bad;
	if (!ok)
		ksft_print_msg("%s: loaded %u, valid %u, ran %u (%u errors): %s\n", model,
			       st.loaded, st.validated, st.ran, st.run_errors,
			       enpu_last_error());
	ksft_test_result(ok, "%s loads unmodified, validates and runs\n", model);
}

#define FAMILIES_PER_MODEL 7

static void mutate_model(const char *path, const char *model)
{
	struct walk *w = malloc(sizeof(*w));
	uint8_t *p;
	size_t size;
	int i;

	if (!w || load_file(path, &p, &size)) {
		ksft_print_msg("cannot read %s\n", path);
		for (i = 0; i < FAMILIES_PER_MODEL; i++)
			ksft_test_result_fail("%s: unreadable\n", model);
		free(w);
		return;
	}
	walk_model(w, p, size);
	ksft_print_msg("%s: %zu bytes, %d vtables, %d fields, %d vectors, %d references\n",
		       model, size, w->nvt, w->ncell, w->nvlen, w->nref);
	pristine(path, p, size, model);
	fam_truncate(p, size, model, 0);
	fam_flip(p, size, w, model, 0);
	fam_field32(p, size, w, model, 0);
	fam_vectors(p, size, w, model);
	fam_refs(p, size, w, model);
	/* the whole file: identifier and version, each a specific message */
	{
		uint8_t *c = dup_bytes(p, size);
		char m1[512], m2[512];
		struct stats st;
		struct wt t;
		size_t vat = 0;
		int r1, r2;

		stats_init(&st, model, "identifier/version");
		c[7] = '4';		/* "TFL4" */
		r1 = feed(c, size, &st, "identifier", 4, m1, sizeof(m1));
		c[7] = '3';
		if (!w_table(w, le32(c), 0, &t))
			vat = w_field(w, &t, 0);
		if (vat)
			put32(c, size, vat, 4);
		r2 = vat ? feed(c, size, &st, "version", vat, m2, sizeof(m2)) : 0;
		free(c);
		if (r1 != -EINVAL || !strstr(m1, "not a TFLite model") || r2 != -EINVAL ||
		    !strstr(m2, "schema version 4")) {
			ksft_print_msg("%s: identifier \"%s\" (%d), version \"%s\" (%d)\n",
				       model, m1, r1, vat ? m2 : "(no version field)", r2);
			ksft_test_result_fail("%s identifier/version\n", model);
		} else {
			ksft_test_result_pass("%s identifier/version\n", model);
		}
	}
	free(p);
	free(w);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_models(const char *dir, char **names)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAX_MODELS) {
		size_t len = strlen(de->d_name);

		if (len > 7 && !strcmp(de->d_name + len - 7, ".tflite"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	return n;
}

/* ---- forged files ----------------------------------------------------------- */

static size_t forge(unsigned int seed, uint8_t **p)
{
	struct fg_model m;
	size_t n;

	fg_seed(seed, &m);
	n = fg_build(&m, p);
	if (!n)
		ksft_exit_fail_msg("out of memory forging a model\n");
	return n;
}

/* Every seed is valid; the hex seed in the tree is the forged fc_min, and computes. */
static void forged_seeds(void)
{
	struct enpu_graph *g;
	struct enpu_model *m;
	unsigned int i, bad = 0;
	uint8_t *p, *hex = NULL;
	size_t n, nhex = 0, cap = 0;
	int8_t x[2] = { 10, 4 }, y = 0;
	const void *ins[1] = { x };
	void *outs[1] = { &y };
	char line[512];
	FILE *f;

	for (i = 0; i < FG_NUM_SEEDS; i++) {
		struct stats st;

		n = forge(i, &p);
		stats_init(&st, fg_seed_names[i], "seed");
		feed(p, n, &st, "seed", 0, NULL, 0);
		if (st.ran != 1 || st.run_errors) {
			ksft_print_msg("seed %s: loaded %u valid %u ran %u: %s\n",
				       fg_seed_names[i], st.loaded, st.validated, st.ran,
				       enpu_last_error());
			bad++;
		}
		free(p);
	}
	/* fc_min: y = round(0.5 * (3 * x0 - x1)) = 13 */
	n = forge(0, &p);
	if (enpu_model_load_tflite_mem(p, n, &g) || enpu_model_compile(NULL, g, NULL, &m)) {
		ksft_print_msg("fc_min: %s\n", enpu_last_error());
		bad++;
	} else {
		if (enpu_model_run(m, ins, outs, NULL) || y != 13) {
			ksft_print_msg("fc_min: computes %d for (10, 4), not 13: %s\n", y,
				       enpu_last_error());
			bad++;
		}
		enpu_model_destroy(m);
		enpu_graph_destroy(g);
	}
	f = fopen(SEED_HEX, "r");
	if (!f) {
		ksft_print_msg("%s not found (run from the repository root)\n", SEED_HEX);
		bad++;
	}
	while (f && fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		if ((e = strchr(s, '#')))
			*e = '\0';
		for (;;) {
			unsigned long b;

			while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
				s++;
			if (!*s)
				break;
			b = strtoul(s, &e, 16);
			if (e != s + 2 || b > 255) {
				ksft_print_msg("%s: bad hex \"%.8s\"\n", SEED_HEX, s);
				bad++;
				break;
			}
			s = e;
			if (nhex == cap) {
				cap = cap ? 2 * cap : 1024;
				hex = realloc(hex, cap);
				if (!hex)
					ksft_exit_fail_msg("out of memory\n");
			}
			hex[nhex++] = (uint8_t)b;
		}
	}
	if (f)
		fclose(f);
	if (f && (nhex != n || memcmp(hex, p, n))) {
		ksft_print_msg("%s (%zu bytes) differs from the forged fc_min (%zu bytes)\n",
			       SEED_HEX, nhex, n);
		bad++;
	}
	free(hex);
	free(p);
	ksft_test_result(!bad, "forged seeds load, validate, run; %s matches\n", SEED_HEX);
}

/* Every truncation, every byte flipped three ways, every word overwritten. */
static void forged_exhaustive(unsigned int seed)
{
	struct walk *w = malloc(sizeof(*w));
	uint8_t *p;
	size_t n = forge(seed, &p);

	if (!w)
		ksft_exit_fail_msg("out of memory\n");
	walk_model(w, p, n);
	fam_truncate(p, n, fg_seed_names[seed], 1);
	fam_flip(p, n, w, fg_seed_names[seed], 1);
	fam_field32(p, n, w, fg_seed_names[seed], 1);
	fam_vectors(p, n, w, fg_seed_names[seed]);
	fam_refs(p, n, w, fg_seed_names[seed]);
	free(w);
	free(p);
}

#define EXHAUSTIVE_FAMILIES 5

/* A forged file, mutated by @fix, must fail with a message containing @want. */
struct expect {
	const char *what;
	unsigned int seed;
	int (*fix)(struct walk *w, uint8_t *p, size_t *size);
	int err;		/* 0: loads, then fails validation */
	const char *want;	/* in the message */
	void (*pre)(struct fg_model *m);	/* changes the model before it is forged */
};

static size_t at_root_field(struct walk *w, uint8_t *p, unsigned int slot)
{
	struct wt t;

	return w_table(w, le32(p), 0, &t) ? 0 : w_field(w, &t, slot);
}

/* Table reached from the model: subgraph 0, its tensor @ti / operator @oi. */
static int sub0(struct walk *w, uint8_t *p, struct wt *sub)
{
	struct wt model;
	uint32_t n;
	size_t v;

	if (w_table(w, le32(p), 0, &model))
		return -1;
	v = w_vec(w, &model, 2, 0, &n, 4);
	return v && n ? w_elem(w, v, 0, 0, sub) : -1;
}

static int tensor_tbl(struct walk *w, uint8_t *p, uint32_t ti, struct wt *t)
{
	struct wt sub;
	uint32_t n;
	size_t v;

	if (sub0(w, p, &sub))
		return -1;
	v = w_vec(w, &sub, 0, 0, &n, 4);
	return v && ti < n ? w_elem(w, v, ti, 0, t) : -1;
}

static int op_tbl(struct walk *w, uint8_t *p, uint32_t oi, struct wt *t)
{
	struct wt sub;
	uint32_t n;
	size_t v;

	if (sub0(w, p, &sub))
		return -1;
	v = w_vec(w, &sub, 3, 0, &n, 4);
	return v && oi < n ? w_elem(w, v, oi, 0, t) : -1;
}

static int fix_ident(struct walk *w, uint8_t *p, size_t *size)
{
	(void)w, (void)size;
	memcpy(p + 4, "TFL2", 4);
	return 0;
}

static int fix_version4(struct walk *w, uint8_t *p, size_t *size)
{
	size_t at = at_root_field(w, p, 0);

	(void)size;
	if (!at)
		return -1;
	put32(p, *size, at, 4);
	return 0;
}

static int fix_no_version(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;

	(void)size;
	if (w_table(w, le32(p), 0, &t))
		return -1;
	p[t.vt + 4] = p[t.vt + 5] = 0;	/* version field absent */
	return 0;
}

static int fix_tiny(struct walk *w, uint8_t *p, size_t *size)
{
	(void)w, (void)p;
	*size = 7;
	return 0;
}

static int fix_root_out(struct walk *w, uint8_t *p, size_t *size)
{
	(void)w;
	put32(p, *size, 0, (uint32_t)*size);
	return 0;
}

static int fix_root_self(struct walk *w, uint8_t *p, size_t *size)
{
	(void)w;
	put32(p, *size, 0, 0);	/* the root table at 0: its vtable at 0, 0 bytes long */
	return 0;
}

static int fix_vtable_self(struct walk *w, uint8_t *p, size_t *size)
{
	(void)w;
	put32(p, *size, le32(p), 0);	/* the model's vtable is the model table */
	return 0;
}

/* A vector length of @v for vector field @slot of the model table. */
static int huge_model_vec(struct walk *w, uint8_t *p, size_t *size, unsigned int slot,
			  uint32_t v)
{
	struct wt t;
	uint32_t n;
	size_t at;

	if (w_table(w, le32(p), 0, &t) || !(at = w_vec(w, &t, slot, 0, &n, 4)))
		return -1;
	put32(p, *size, at, v);
	return 0;
}

static int fix_huge_subgraphs(struct walk *w, uint8_t *p, size_t *size)
{
	return huge_model_vec(w, p, size, 2, 0xffffffffu);
}

static int fix_huge_buffers(struct walk *w, uint8_t *p, size_t *size)
{
	return huge_model_vec(w, p, size, 4, 0x40000000u);	/* x4 wraps 32 bits */
}

static int fix_huge_codes(struct walk *w, uint8_t *p, size_t *size)
{
	return huge_model_vec(w, p, size, 1, 0x7fffffffu);
}

static int sub_vec(struct walk *w, uint8_t *p, size_t *size, unsigned int slot, uint32_t v)
{
	struct wt sub;
	uint32_t n;
	size_t at;

	if (sub0(w, p, &sub) || !(at = w_vec(w, &sub, slot, 0, &n, 4)))
		return -1;
	put32(p, *size, at, v);
	return 0;
}

static int fix_huge_tensors(struct walk *w, uint8_t *p, size_t *size)
{
	return sub_vec(w, p, size, 0, 0x40000001u);
}

static int fix_huge_ops(struct walk *w, uint8_t *p, size_t *size)
{
	return sub_vec(w, p, size, 3, 0x80000000u);
}

static int fix_huge_shape(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	if (tensor_tbl(w, p, 0, &t) || !(at = w_vec(w, &t, 0, 0, &n, 4)))
		return -1;
	put32(p, *size, at, 0x40000000u);
	return 0;
}

/*
 * conv_bias_relu's output, tensor 3, is the last one read and (with
 * pre_empty_data) has every field the reader asks for: nothing after a bad
 * field of it fails on its own, so the load must not succeed anyway.
 */
static int fix_huge_name(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	if (tensor_tbl(w, p, 3, &t) || !(at = w_vec(w, &t, 3, 0, &n, 1)))
		return -1;
	put32(p, *size, at, 0xffffffffu);
	return 0;
}

static int fix_huge_scales(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t, q;
	uint32_t n;
	size_t at, x;

	if (tensor_tbl(w, p, 0, &t) || !(x = w_ref(w, &t, 4, 0)) || w_table(w, x, 0, &q) ||
	    !(at = w_vec(w, &q, 2, 0, &n, 4)))
		return -1;
	put32(p, *size, at, 0x40000000u);
	return 0;
}

static int fix_type_far(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;

	if (tensor_tbl(w, p, 3, &t))
		return -1;
	/* the type field (slot 1) placed 65 000 bytes into the table */
	p[t.vt + 6] = 0xe8;
	p[t.vt + 7] = 0xfd;
	(void)size;
	return 0;
}

static int fix_tensor_index(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	if (op_tbl(w, p, 0, &t) || !(at = w_vec(w, &t, 2, 0, &n, 4)))
		return -1;
	put32(p, *size, at + 4, 1000);
	return 0;
}

static int fix_opcode_index(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt model, t;
	uint32_t n;
	size_t v;

	/* an opcode index past the vector: patch the vector's length to 0 */
	if (w_table(w, le32(p), 0, &model) || !(v = w_vec(w, &model, 1, 0, &n, 4)) ||
	    op_tbl(w, p, 0, &t))
		return -1;
	put32(p, *size, v, 0);
	return 0;
}

static int fix_unsupported_op(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt model, t;
	uint32_t n;
	size_t v, at;

	if (w_table(w, le32(p), 0, &model) || !(v = w_vec(w, &model, 1, 0, &n, 4)) ||
	    w_elem(w, v, 0, 0, &t))
		return -1;
	if ((at = w_field(w, &t, 0)))
		p[at] = 36;		/* GATHER */
	if ((at = w_field(w, &t, 3)))
		put32(p, *size, at, 18);
	return 0;
}

static int fix_buffer_index(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	size_t at;

	if (tensor_tbl(w, p, 1, &t) || !(at = w_field(w, &t, 2)))
		return -1;
	put32(p, *size, at, 77);
	return 0;
}

static int fix_type_uint8(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	size_t at;

	(void)size;
	if (tensor_tbl(w, p, 0, &t) || !(at = w_field(w, &t, 1)))
		return -1;
	p[at] = 3;			/* UINT8 */
	return 0;
}

static int fix_rank5(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	/* tensor 0 of seed 1 has rank 4 and a name after its shape */
	if (tensor_tbl(w, p, 0, &t) || !(at = w_vec(w, &t, 0, 0, &n, 4)))
		return -1;
	put32(p, *size, at, 5);
	return 0;
}

static int fix_dim_zero(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	if (tensor_tbl(w, p, 0, &t) || !(at = w_vec(w, &t, 0, 0, &n, 4)))
		return -1;
	put32(p, *size, at + 4, 0);
	return 0;
}

static int fix_data_size(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt model, t;
	uint32_t n;
	size_t v, at;

	/* the weights' buffer one byte short */
	if (w_table(w, le32(p), 0, &model) || !(v = w_vec(w, &model, 4, 0, &n, 4)) ||
	    n < 2 || w_elem(w, v, 1, 0, &t) || !(at = w_vec(w, &t, 0, 0, &n, 1)))
		return -1;
	put32(p, *size, at, n - 1);
	return 0;
}

static int fix_zero_point(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t, q;
	uint32_t n;
	size_t at, x;

	if (tensor_tbl(w, p, 0, &t) || !(x = w_ref(w, &t, 4, 0)) || w_table(w, x, 0, &q) ||
	    !(at = w_vec(w, &q, 3, 0, &n, 8)))
		return -1;
	put32(p, *size, at + 4, 300);
	put32(p, *size, at + 8, 0);
	return 0;
}

static int fix_graph_self_cycle(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	/* reshape_maxpool: the pool reads its own output */
	if (op_tbl(w, p, 1, &t) || !(at = w_vec(w, &t, 1, 0, &n, 4)))
		return -1;
	put32(p, *size, at + 4, 3);
	return 0;
}

static int fix_graph_two_cycle(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	uint32_t n;
	size_t at;

	/* reshape_maxpool: the reshape reads the pool's output, the pool the reshape's */
	if (op_tbl(w, p, 0, &t) || !(at = w_vec(w, &t, 1, 0, &n, 4)))
		return -1;
	put32(p, *size, at + 4, 3);
	return 0;
}

static int fix_opt_self(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	size_t at;

	/* conv: the builtin options reference points at itself */
	if (op_tbl(w, p, 0, &t) || !(at = w_field(w, &t, 4)))
		return -1;
	put32(p, *size, at, 0);
	return 0;
}

static int fix_quant_self(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt t;
	size_t at;

	if (tensor_tbl(w, p, 0, &t) || !(at = w_field(w, &t, 4)))
		return -1;
	put32(p, *size, at, 0);
	return 0;
}

static int fix_subgraph_is_model(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt model;
	uint32_t n;
	size_t v;

	/* subgraph 0 is the model table itself: can't point back, so the
	 * model's vtable is copied as the subgraph's (same table shape) */
	if (w_table(w, le32(p), 0, &model) || !(v = w_vec(w, &model, 2, 0, &n, 4)))
		return -1;
	{
		struct wt sub;

		if (w_elem(w, v, 0, 0, &sub))
			return -1;
		put32(p, *size, sub.pos, (uint32_t)(sub.pos - model.vt));
	}
	return 0;
}

static int fix_all_tensors_alias(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt sub;
	uint32_t n, i;
	size_t v, first;

	/* every tensor of the subgraph is tensor 0's table */
	if (sub0(w, p, &sub) || !(v = w_vec(w, &sub, 0, 0, &n, 4)) || n < 2)
		return -1;
	first = v + 4 + le32(p + v + 4);
	for (i = 1; i < n; i++)
		put32(p, *size, v + 4 + 4 * i, (uint32_t)(first - (v + 4 + 4 * i)));
	return 0;
}

static int fix_all_ops_alias(struct walk *w, uint8_t *p, size_t *size)
{
	struct wt sub;
	uint32_t n, i;
	size_t v, first;

	if (sub0(w, p, &sub) || !(v = w_vec(w, &sub, 3, 0, &n, 4)) || n < 2)
		return -1;
	first = v + 4 + le32(p + v + 4);
	for (i = 1; i < n; i++)
		put32(p, *size, v + 4 + 4 * i, (uint32_t)(first - (v + 4 + 4 * i)));
	return 0;
}

static int fix_none(struct walk *w, uint8_t *p, size_t *size)
{
	(void)w, (void)p, (void)size;
	return 0;
}

/* Buffer 0 with an empty data vector rather than no data field. */
static void pre_empty_data(struct fg_model *m)
{
	m->b[0] = (struct fg_buffer){ .data = "", .len = 0 };
}

/* Buffer 1 kept outside the flatbuffer (offset/size fields), past the file's end. */
static void pre_external_buffer(struct fg_model *m)
{
	m->b[1] = (struct fg_buffer){ .offset = 0x10000, .size = 2 };
}

static const struct expect expects[] = {
	{ "wrong identifier", 0, fix_ident, -EINVAL, "not a TFLite model", NULL },
	{ "schema version 4", 0, fix_version4, -EINVAL, "schema version 4", NULL },
	{ "no version field", 0, fix_no_version, -EINVAL, "schema version 0", NULL },
	{ "7 bytes", 0, fix_tiny, -EINVAL, "too small", NULL },
	{ "root past the end", 0, fix_root_out, -EINVAL, "outside the file", NULL },
	{ "root table at 0 (self)", 0, fix_root_self, -EINVAL, "malformed vtable", NULL },
	{ "vtable is the table (self)", 0, fix_vtable_self, -EINVAL, "malformed vtable", NULL },
	{ "2^32-1 subgraphs", 0, fix_huge_subgraphs, -EINVAL, "runs past the end", NULL },
	{ "2^30 buffers", 0, fix_huge_buffers, -EINVAL, "runs past the end", NULL },
	{ "2^31-1 operator codes", 0, fix_huge_codes, -EINVAL, "runs past the end", NULL },
	{ "2^30+1 tensors", 0, fix_huge_tensors, -EINVAL, "runs past the end", NULL },
	{ "2^31 operators", 0, fix_huge_ops, -EINVAL, "runs past the end", NULL },
	{ "2^30 dimensions", 0, fix_huge_shape, -EINVAL, "runs past the end", NULL },
	{ "2^30 scales", 0, fix_huge_scales, -EINVAL, "runs past the end", NULL },
	{ "4 GiB name of the last tensor", 1, fix_huge_name, -EINVAL, "runs past the end",
	  pre_empty_data },
	{ "type field of the last tensor past the end", 1, fix_type_far, -EINVAL,
	  "past the end of the file", pre_empty_data },
	{ "4 GiB tensor name", 1, fix_huge_name, -EINVAL, "runs past the end", NULL },
	{ "type field past the end", 1, fix_type_far, -EINVAL, "past the end of the file", NULL },
	{ "tensor index 1000", 0, fix_tensor_index, -EINVAL, "tensor index 1000", NULL },
	{ "opcode index past the codes", 0, fix_opcode_index, -EINVAL, "opcode index 0", NULL },
	{ "GATHER", 0, fix_unsupported_op, -EINVAL, "cannot run yet (int8, int16, int32, int64 "
	  "and float32 tensors are supported): operator 0: GATHER (builtin 36)", NULL },
	{ "buffer index 77", 0, fix_buffer_index, -EINVAL, "buffer index 77", NULL },
	{ "uint8 tensor", 0, fix_type_uint8, -EINVAL, "tensor 0 '' of operator 0: uint8 "
	  "tensors are not supported", NULL },
	{ "rank 5", 1, fix_rank5, -EINVAL, "rank 5", NULL },
	{ "dimension 0", 0, fix_dim_zero, -EINVAL, "dimension 0 is 0", NULL },
	{ "weights one byte short", 0, fix_data_size, -EINVAL, "1 bytes of data for 2", NULL },
	{ "zero point 300", 1, fix_zero_point, -EINVAL, "zero point 300", NULL },
	{ "options reference to itself", 1, fix_opt_self, -EINVAL, "builtin options", NULL },
	{ "quantization reference to itself", 0, fix_quant_self, -EINVAL, "quantization", NULL },
	{ "buffer outside the file", 0, fix_none, -EINVAL, "offset 65536 + size 2 beyond the file",
	  pre_external_buffer },
	{ "all operators one table", 5, fix_all_ops_alias, -EINVAL, "already written", NULL },
	/* graphs that load and must then fail validation */
	{ "graph: a layer reading its own output", 5, fix_graph_self_cycle, 0, "cycle", NULL },
	{ "graph: two layers feeding each other", 5, fix_graph_two_cycle, 0, "cycle", NULL },
	{ "graph: all tensors one table", 3, fix_all_tensors_alias, 0, "", NULL },
	{ "subgraph 0 read with the model's vtable", 0, fix_subgraph_is_model, 0,
	  "never computed", NULL },
};

static void expectations(void)
{
	unsigned int i, bad = 0, n = 0;

	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *x = &expects[i];
		struct walk *w = malloc(sizeof(*w));
		struct enpu_graph *g = NULL;
		struct fg_model fm;
		uint8_t *p, *c;
		size_t size;
		const char *e;
		int r, v = 0;

		fg_seed(x->seed, &fm);
		if (x->pre)
			x->pre(&fm);
		size = fg_build(&fm, &p);
		if (!w || !size)
			ksft_exit_fail_msg("out of memory\n");
		walk_model(w, p, size);
		if (x->fix(w, p, &size)) {
			ksft_print_msg("%s: the forged file has no such field\n", x->what);
			bad++;
			free(p);
			free(w);
			continue;
		}
		c = dup_bytes(p, size);
		clear_error();
		r = enpu_model_load_tflite_mem(c, size, &g);
		e = enpu_last_error();
		if (!r) {
			v = enpu_graph_validate(g);
			e = enpu_last_error();
			enpu_graph_destroy(g);
		}
		n++;
		if (x->err ? r != x->err || g : r || v != -EINVAL) {
			ksft_print_msg("%s: load %d, validate %d, \"%s\"; expected %s\n", x->what,
				       r, v, e, x->err ? "a load error" : "a validation error");
			bad++;
		} else if (!e[0] || !strstr(e, x->want)) {
			ksft_print_msg("%s: \"%s\" does not say \"%s\"\n", x->what, e, x->want);
			bad++;
		} else if (getenv("TFLITE_CORRUPT_VERBOSE")) {
			ksft_print_msg("%s: %s\n", x->what, e);
		}
		free(c);
		free(p);
		free(w);
	}
	ksft_print_msg("%u hand-made corruptions, %u with the wrong result or message\n", n, bad);
	ksft_test_result(!bad, "hand-made corruptions give their specific errors\n");
}

/* NULL arguments, an impossible size, the file API's own errors. */
static void api_edges(void)
{
	char dir[] = "/tmp/tflite_corrupt_XXXXXX", path[64];
	struct enpu_graph *g = NULL;
	uint8_t byte = 0;
	unsigned int bad = 0;
	int fd, r;

	if (enpu_model_load_tflite_mem(NULL, 8, &g) != -EINVAL ||
	    enpu_model_load_tflite_mem(&byte, 1, NULL) != -EINVAL ||
	    enpu_model_load_tflite(NULL, &g) != -EINVAL)
		bad++;
	/* 4 GiB + 1 is refused before a byte is read */
	r = enpu_model_load_tflite_mem(&byte, (size_t)UINT32_MAX + 1, &g);
	if (r != -EFBIG || g || !strstr(enpu_last_error(), "at most 4 GiB"))
		bad++;
	if (enpu_model_load_tflite("/nonexistent/model.tflite", &g) != -ENOENT || g)
		bad++;
	if (!mkdtemp(dir)) {
		bad++;
	} else {
		if (enpu_model_load_tflite(dir, &g) != -EINVAL ||
		    !strstr(enpu_last_error(), "regular file"))
			bad++;
		snprintf(path, sizeof(path), "%s/empty.tflite", dir);
		fd = open(path, O_CREAT | O_WRONLY, 0600);
		if (fd < 0)
			bad++;
		else
			close(fd);
		if (enpu_model_load_tflite(path, &g) != -EINVAL ||
		    !strstr(enpu_last_error(), "non-empty"))
			bad++;
		/* a corrupt file: the message names it */
		fd = open(path, O_WRONLY | O_TRUNC);
		if (fd < 0 || write(fd, "\x08\0\0\0TFL2", 8) != 8)
			bad++;
		if (fd >= 0)
			close(fd);
		if (enpu_model_load_tflite(path, &g) != -EINVAL || g ||
		    strncmp(enpu_last_error(), path, strlen(path)) ||
		    !strstr(enpu_last_error(), "not a TFLite model"))
			bad++;
		unlink(path);
		rmdir(dir);
	}
	if (bad)
		ksft_print_msg("%u API edge cases wrong, last: %s\n", bad, enpu_last_error());
	ksft_test_result(!bad, "NULL arguments, 4 GiB, missing/empty/directory/corrupt files\n");
}

/*
 * One buffer referenced by many tensor indices: the file is small, so the
 * graph must be too (the reader copies constants into it).
 */
static void amplification(void)
{
	enum { NT = 4096, NOPS = NT / 8, DATA = 16384 };
	static uint8_t blob[DATA];
	struct forge f = { 0 };
	size_t root, ra[3], el[1], sra[4], sub, tv, ta, tb, v, ops, sa, da;
	struct fg_field vf[1] = { { 0, 4, 3 } };
	struct fg_field cf[1] = { { 0, 1, FG_CONCATENATION } };
	struct fg_field tf[2] = { { 1, 1, FG_INT8 }, { 2, 4, 1 } };
	uint8_t rs[3] = { 1, 2, 4 }, srs[4] = { 0, 1, 2, 3 }, ts[1] = { 0 };
	uint8_t os[2] = { 1, 2 }, ds[1] = { 0 };
	int32_t dim = DATA, odim = 8 * DATA, out0 = NT;
	struct enpu_graph *g = NULL;
	uint64_t copied = 0;
	size_t i, k;
	int r, ok;

	/*
	 * Operator code 0: CONCATENATION. Tensors 0 .. NT-1 are all one table,
	 * [DATA] int8 on buffer 1 (DATA bytes); tensors NT .. NT+NOPS-1 one
	 * table, [8 DATA] int8 without data. Operator k concatenates tensors
	 * 8k .. 8k+7 into tensor NT+k: NT distinct constant tensors.
	 */
	root = fg_alloc(&f, 8, 4);
	fg_put(&f, root + 4, 0x334c4654, 4);
	fg_ref(&f, root, fg_table(&f, 1, vf, 3, rs, ra));
	fg_ref(&f, ra[0], fg_vec_refs(&f, 1, el));
	fg_ref(&f, el[0], fg_table(&f, 1, cf, 0, NULL, NULL));
	fg_ref(&f, ra[1], fg_vec_refs(&f, 1, el));
	sub = fg_table(&f, 0, NULL, 4, srs, sra);
	fg_ref(&f, el[0], sub);
	tv = fg_vec(&f, NT + NOPS, 4, NULL);
	fg_ref(&f, sra[0], tv);
	ta = fg_table(&f, 2, tf, 1, ts, &sa);
	fg_ref(&f, sa, fg_vec_i32(&f, 1, &dim));
	tf[1].val = 0;
	tb = fg_table(&f, 2, tf, 1, ts, &sa);
	fg_ref(&f, sa, fg_vec_i32(&f, 1, &odim));
	for (i = 0; i < NT + NOPS; i++)
		fg_ref(&f, tv + 4 + 4 * i, i < NT ? ta : tb);
	fg_ref(&f, sra[1], fg_vec(&f, 0, 4, NULL));
	fg_ref(&f, sra[2], fg_vec_i32(&f, 1, &out0));
	ops = fg_vec(&f, NOPS, 4, NULL);
	fg_ref(&f, sra[3], ops);
	for (k = 0; k < NOPS; k++) {
		int32_t ins[8], o = (int32_t)(NT + k);
		size_t oa[2];

		for (i = 0; i < 8; i++)
			ins[i] = (int32_t)(8 * k + i);
		fg_ref(&f, ops + 4 + 4 * k, fg_table(&f, 0, NULL, 2, os, oa));
		fg_ref(&f, oa[0], fg_vec_i32(&f, 8, ins));
		fg_ref(&f, oa[1], fg_vec_i32(&f, 1, &o));
	}
	v = fg_vec(&f, 2, 4, NULL);
	fg_ref(&f, ra[2], v);
	fg_ref(&f, v + 4, fg_table(&f, 0, NULL, 0, NULL, NULL));
	fg_ref(&f, v + 8, fg_table(&f, 0, NULL, 1, ds, &da));
	fg_ref(&f, da, fg_vec(&f, DATA, 1, blob));
	if (f.oom)
		ksft_exit_fail_msg("out of memory\n");

	clear_error();
	r = enpu_model_load_tflite_mem(f.b, f.len, &g);
	if (!r) {
		for (i = 0; i < g->num_tensors; i++)
			if (g->tensors[i].data)
				copied += g->tensors[i].bytes;
		enpu_graph_destroy(g);
	}
	ok = r ? r == -EINVAL && strstr(enpu_last_error(), "more than") :
	     copied <= 4 * (uint64_t)f.len + (1u << 20);
	ksft_print_msg("shared buffer: %zu-byte file, %d tensors on one %d-byte buffer: %s%s (%llu bytes copied)\n",
		       f.len, NT, DATA, r ? "refused: " : "loaded",
		       r ? enpu_last_error() : "", (unsigned long long)copied);
	ksft_test_result(ok, "one buffer shared by many tensors: allocation bounded by the file\n");
	free(f.b);
}

/*
 * Graph building costs grow with the square of the layers: a file listing
 * more operators than the reader's limit (all one table here: 64 KiB) is
 * refused before any is read.
 */
/*
 * A model with several things libedgenpu cannot run yet learns of all of
 * them in one message, by name: operators without support (the schema's
 * names, LSTM and GATHER among them), a uint8 tensor with its name, an
 * unnamed builtin code.
 */
static void everything_unsupported_at_once(void)
{
	struct fg_model m;
	struct enpu_graph *g = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int r, ok;

	fg_seed(0, &m);			/* fc_min: FC of tensors 0, 1 into 2 */
	m.ntensors = 6;
	m.t[3] = (struct fg_tensor){ .name = "audio", .type = 3, .rank = 2, .dims = { 1, 2 },
				     .nscales = 1, .scales = { 1.0f } };
	m.t[4] = m.t[2];
	m.t[5] = m.t[2];
	m.nops = 4;
	m.op[1] = (struct fg_op){ .code = 36, .nin = 1, .in = { 2 }, .out = 4 };
	m.op[2] = (struct fg_op){ .code = 16, .nin = 1, .in = { 3 }, .out = 5 };
	m.op[3] = (struct fg_op){ .code = 250, .nin = 1, .in = { 5 }, .out = 5 };
	len = fg_build(&m, &buf);
	if (!len)
		ksft_exit_fail_msg("out of memory\n");
	clear_error();
	r = enpu_model_load_tflite_mem(buf, len, &g);
	ok = r == -EINVAL && !g &&
	     strstr(enpu_last_error(), "the model uses 4 things libedgenpu cannot run yet") &&
	     strstr(enpu_last_error(), "operator 1: GATHER (builtin 36)") &&
	     strstr(enpu_last_error(), "operator 2: LSTM (builtin 16)") &&
	     strstr(enpu_last_error(), "tensor 3 'audio' of operator 2: uint8 tensors are not "
		    "supported") &&
	     strstr(enpu_last_error(), "operator 3: unnamed operator (builtin 250)");
	ksft_print_msg("%s\n", enpu_last_error());
	if (!r)
		enpu_graph_destroy(g);
	free(buf);
	ksft_test_result(ok, "every unsupported operator and type is named in one message\n");
}

static void many_operators(void)
{
	enum { NOPS = 16385 };
	struct forge f = { 0 };
	size_t root, ra[3], el[1], sra[4], sub, ops, op, oa[2], k;
	struct fg_field vf[1] = { { 0, 4, 3 } };
	struct fg_field cf[1] = { { 0, 1, FG_RESHAPE } };
	uint8_t rs[3] = { 1, 2, 4 }, srs[4] = { 0, 1, 2, 3 }, os[2] = { 1, 2 };
	int32_t zero = 0, one = 1;
	struct enpu_graph *g = NULL;
	int r, ok;

	root = fg_alloc(&f, 8, 4);
	fg_put(&f, root + 4, 0x334c4654, 4);
	fg_ref(&f, root, fg_table(&f, 1, vf, 3, rs, ra));
	fg_ref(&f, ra[0], fg_vec_refs(&f, 1, el));
	fg_ref(&f, el[0], fg_table(&f, 1, cf, 0, NULL, NULL));
	fg_ref(&f, ra[1], fg_vec_refs(&f, 1, el));
	sub = fg_table(&f, 0, NULL, 4, srs, sra);
	fg_ref(&f, el[0], sub);
	fg_ref(&f, sra[0], fg_vec(&f, 0, 4, NULL));
	fg_ref(&f, sra[1], fg_vec_i32(&f, 1, &zero));
	fg_ref(&f, sra[2], fg_vec_i32(&f, 1, &one));
	ops = fg_vec(&f, NOPS, 4, NULL);
	fg_ref(&f, sra[3], ops);
	op = fg_table(&f, 0, NULL, 2, os, oa);
	fg_ref(&f, oa[0], fg_vec_i32(&f, 1, &zero));
	fg_ref(&f, oa[1], fg_vec_i32(&f, 1, &one));
	for (k = 0; k < NOPS; k++)
		fg_ref(&f, ops + 4 + 4 * k, op);
	fg_ref(&f, ra[2], fg_vec(&f, 0, 4, NULL));
	if (f.oom)
		ksft_exit_fail_msg("out of memory\n");
	clear_error();
	r = enpu_model_load_tflite_mem(f.b, f.len, &g);
	ok = r == -EINVAL && !g && strstr(enpu_last_error(), "16385 operators");
	ksft_print_msg("%zu-byte file with %d operators: %d, %s\n", f.len, NOPS, r,
		       enpu_last_error());
	if (!r)
		enpu_graph_destroy(g);
	ksft_test_result(ok, "more operators than the reader's limit are refused up front\n");
	free(f.b);
}

int main(void)
{
	const char *dir = getenv("EDGENPU_MODELS");
	char *names[MAX_MODELS], path[4096];
	unsigned int i;
	int n;

	if (!dir || !*dir)
		dir = "../shared/models";
	n = list_models(dir, names);
	ksft_print_header();
	ksft_set_plan((unsigned int)(n ? n * FAMILIES_PER_MODEL : 1) + 1 +
		      FG_NUM_SEEDS * EXHAUSTIVE_FAMILIES + 5);
	if (!n)
		ksft_test_result_skip("no .tflite models in %s (set EDGENPU_MODELS)\n", dir);
	for (i = 0; i < (unsigned int)n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		mutate_model(path, names[i]);
		free(names[i]);
	}
	forged_seeds();
	for (i = 0; i < FG_NUM_SEEDS; i++)
		forged_exhaustive(i);
	expectations();
	api_edges();
	amplification();
	many_operators();
	everything_unsupported_at_once();
	free(exact_block(0));
	ksft_finished();
}
