// SPDX-License-Identifier: MIT
/*
 * Golden file reader: getline() (data lines can be hundreds of KB),
 * strtok_r() on single spaces, scales through strtof() so the float32 bit
 * pattern printed with %.9g comes back exactly.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

#define HEADER "# edgenpu golden v1"

struct parser {
	const char *path;
	size_t line;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errlen, "%s:%zu: ", ps->path, ps->line);

	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct {
	const char *name;
	enum golden_dtype dtype;
	size_t size;
} dtypes[] = {
	{ "int8", GOLDEN_INT8, 1 },
	{ "uint8", GOLDEN_UINT8, 1 },
	{ "int16", GOLDEN_INT16, 2 },
	{ "int32", GOLDEN_INT32, 4 },
	{ "int64", GOLDEN_INT64, 8 },
	{ "float32", GOLDEN_FLOAT32, 4 },
	{ "bool", GOLDEN_BOOL, 1 },
};

size_t golden_dtype_size(enum golden_dtype dtype)
{
	for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
		if (dtypes[i].dtype == dtype)
			return dtypes[i].size;
	return 0;
}

const char *golden_dtype_name(enum golden_dtype dtype)
{
	for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
		if (dtypes[i].dtype == dtype)
			return dtypes[i].name;
	return "?";
}

/* Grow *arr (of *n elements of size sz) by one zeroed element. */
static void *grow(void *arr_p, size_t *n, size_t sz)
{
	void **arr = arr_p;
	char *p = realloc(*arr, (*n + 1) * sz);

	if (!p)
		return NULL;
	memset(p + *n * sz, 0, sz);
	*arr = p;
	return p + (*n)++ * sz;
}

static int parse_i64(const char *tok, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	if (!tok || !*tok)
		return -1;
	errno = 0;
	v = strtoll(tok, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_scale(const char *tok, float *out)
{
	char *end;
	float v;

	if (!tok || !*tok)
		return -1;
	errno = 0;
	v = strtof(tok, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* Join the remaining strtok_r tokens with single spaces. */
static char *join_rest(char **save)
{
	size_t len = 0, cap = 64;
	char *s = malloc(cap), *tok;

	if (!s)
		return NULL;
	s[0] = '\0';
	while ((tok = strtok_r(NULL, " ", save))) {
		size_t tl = strlen(tok);

		if (len + tl + 2 > cap) {
			char *t;

			while (len + tl + 2 > cap)
				cap *= 2;
			t = realloc(s, cap);
			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
		if (len)
			s[len++] = ' ';
		memcpy(s + len, tok, tl + 1);
		len += tl;
	}
	return s;
}

static struct golden_tensor *current_tensor(struct golden_file *g)
{
	return g->num_tensors ? &g->tensors[g->num_tensors - 1] : NULL;
}

static int parse_tensor(struct parser *ps, struct golden_file *g, char **save)
{
	struct golden_tensor *prev = current_tensor(g), *t;
	const char *role = strtok_r(NULL, " ", save);
	const char *dt = strtok_r(NULL, " ", save);
	char *tok;
	int64_t count = 1;

	if (prev && !prev->has_data)
		return fail(ps, "tensor '%s' has no data line", prev->role);
	if (!role || !dt)
		return fail(ps, "tensor line needs a role and a dtype");
	if (golden_find_tensor(g, role))
		return fail(ps, "duplicate tensor role '%s'", role);
	t = grow(&g->tensors, &g->num_tensors, sizeof(*t));
	if (!t)
		return fail(ps, "out of memory");
	t->role = dup_str(role);
	if (!t->role)
		return fail(ps, "out of memory");
	t->quant.axis = -1;
	size_t i;

	for (i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
		if (!strcmp(dt, dtypes[i].name))
			break;
	if (i == sizeof(dtypes) / sizeof(dtypes[0]))
		return fail(ps, "unknown dtype '%s'", dt);
	t->dtype = dtypes[i].dtype;
	while ((tok = strtok_r(NULL, " ", save))) {
		int64_t d;

		if (t->rank == GOLDEN_MAX_RANK)
			return fail(ps, "tensor '%s': more than %d dims",
				    t->role, GOLDEN_MAX_RANK);
		if (parse_i64(tok, 0, INT32_MAX, &d))
			return fail(ps, "tensor '%s': bad dimension '%s'",
				    t->role, tok);
		t->dims[t->rank++] = (int32_t)d;
		/* d <= 2^31 and count <= 2^28 before: no int64 overflow. */
		count *= d;
		if (count > GOLDEN_MAX_ELEMS)
			return fail(ps, "tensor '%s': too many elements",
				    t->role);
	}
	t->count = (size_t)count;
	return 0;
}

static int parse_quant(struct parser *ps, struct golden_file *g, char **save)
{
	struct golden_tensor *t = current_tensor(g);
	struct golden_quant *q;
	char *tok = strtok_r(NULL, " ", save);
	size_t nz = 0;
	int64_t v;

	if (!t)
		return fail(ps, "quant line before any tensor");
	if (t->has_data || t->quant.present)
		return fail(ps, "quant line for tensor '%s' out of place",
			    t->role);
	q = &t->quant;
	q->axis = -1;
	if (tok && !strcmp(tok, "axis")) {
		tok = strtok_r(NULL, " ", save);
		if (parse_i64(tok, 0, GOLDEN_MAX_RANK - 1, &v))
			return fail(ps, "quant: bad axis");
		q->axis = (int)v;
		tok = strtok_r(NULL, " ", save);
	}
	if (!tok || strcmp(tok, "scale"))
		return fail(ps, "quant: expected 'scale'");
	while ((tok = strtok_r(NULL, " ", save)) && strcmp(tok, "zero_point")) {
		float *slot = grow(&q->scales, &q->count, sizeof(float));

		if (!slot)
			return fail(ps, "out of memory");
		if (parse_scale(tok, slot))
			return fail(ps, "quant: bad scale '%s'", tok);
	}
	if (!tok)
		return fail(ps, "quant: expected 'zero_point'");
	while ((tok = strtok_r(NULL, " ", save))) {
		int32_t *slot = grow(&q->zero_points, &nz, sizeof(int32_t));

		if (!slot)
			return fail(ps, "out of memory");
		if (parse_i64(tok, INT32_MIN, INT32_MAX, &v))
			return fail(ps, "quant: bad zero point '%s'", tok);
		*slot = (int32_t)v;
	}
	if (q->count == 0 || q->count != nz)
		return fail(ps, "quant: %zu scales but %zu zero points",
			    q->count, nz);
	if (q->axis < 0 && q->count != 1)
		return fail(ps, "quant: per-tensor quantization with %zu scales",
			    q->count);
	if (q->axis >= 0) {
		/* Rank-1 tensors may carry any axis (the flatbuffer quirk of
		 * DEPTHWISE_CONV_2D biases): it means their only axis.
		 */
		int axis = t->rank == 1 ? 0 : q->axis;

		if (axis >= t->rank)
			return fail(ps, "quant: axis %d out of range for rank %d",
				    q->axis, t->rank);
		if ((size_t)t->dims[axis] != q->count)
			return fail(ps, "quant: %zu scales for dimension %d of size %d",
				    q->count, axis, (int)t->dims[axis]);
	}
	q->present = 1;
	return 0;
}

static int parse_data(struct parser *ps, struct golden_file *g, char **save)
{
	struct golden_tensor *t = current_tensor(g);
	const char *hex = strtok_r(NULL, " ", save);
	size_t need, len;

	if (!t)
		return fail(ps, "data line before any tensor");
	if (t->has_data)
		return fail(ps, "second data line for tensor '%s'", t->role);
	if (!hex)
		hex = "";	/* zero-element tensor */
	if (strtok_r(NULL, " ", save))
		return fail(ps, "data: more than one hex token");
	need = t->count * golden_dtype_size(t->dtype);
	len = strlen(hex);
	if (len != 2 * need)
		return fail(ps, "tensor '%s': %zu hex digits, expected %zu (%zu x %s)",
			    t->role, len, 2 * need, t->count,
			    golden_dtype_name(t->dtype));
	t->data = malloc(need ? need : 1);
	if (!t->data)
		return fail(ps, "out of memory");
	for (size_t i = 0; i < need; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return fail(ps, "tensor '%s': bad hex digit at byte %zu",
				    t->role, i);
		t->data[i] = (uint8_t)(hi << 4 | lo);
	}
	t->bytes = need;
	t->has_data = 1;
	return 0;
}

static int parse_derived(struct parser *ps, struct golden_file *g, char **save)
{
	const char *name = strtok_r(NULL, " ", save);
	struct golden_derived *d;
	char *tok;

	if (!name)
		return fail(ps, "derived line without a name");
	if (golden_find_derived(g, name))
		return fail(ps, "duplicate derived '%s'", name);
	d = grow(&g->derived, &g->num_derived, sizeof(*d));
	if (!d || !(d->name = dup_str(name)))
		return fail(ps, "out of memory");
	while ((tok = strtok_r(NULL, " ", save))) {
		int64_t v;
		int64_t *slot;

		if (parse_i64(tok, INT64_MIN, INT64_MAX, &v))
			return fail(ps, "derived %s: bad integer '%s'", name, tok);
		slot = grow(&d->values, &d->count, sizeof(*slot));
		if (!slot)
			return fail(ps, "out of memory");
		*slot = v;
	}
	if (!d->count)
		return fail(ps, "derived %s: no values", name);
	return 0;
}

static int parse_option(struct parser *ps, struct golden_file *g, char **save)
{
	const char *name = strtok_r(NULL, " ", save);
	struct golden_option *o;

	if (!name)
		return fail(ps, "option line without a name");
	if (golden_find_option(g, name))
		return fail(ps, "duplicate option '%s'", name);
	o = grow(&g->options, &g->num_options, sizeof(*o));
	if (!o || !(o->name = dup_str(name)) || !(o->value = join_rest(save)))
		return fail(ps, "out of memory");
	return 0;
}

static int set_string(struct parser *ps, char **field, const char *kw,
		      char **save)
{
	if (*field)
		return fail(ps, "second '%s' line", kw);
	*field = join_rest(save);
	if (!*field)
		return fail(ps, "out of memory");
	if (!**field)
		return fail(ps, "'%s' line without a value", kw);
	return 0;
}

static int parse_line(struct parser *ps, struct golden_file *g, char *line)
{
	char *save = NULL;
	char *kw = strtok_r(line, " ", &save);

	if (!kw)
		return 0;	/* blank line */
	if (!strcmp(kw, "tensor"))
		return parse_tensor(ps, g, &save);
	if (!strcmp(kw, "quant"))
		return parse_quant(ps, g, &save);
	if (!strcmp(kw, "data"))
		return parse_data(ps, g, &save);
	if (g->num_tensors)
		return fail(ps, "'%s' line after the tensors", kw);
	if (!strcmp(kw, "option"))
		return parse_option(ps, g, &save);
	if (!strcmp(kw, "derived"))
		return parse_derived(ps, g, &save);
	if (!strcmp(kw, "op"))
		return set_string(ps, &g->op, "op", &save);
	if (!strcmp(kw, "model"))
		return set_string(ps, &g->model, "model", &save);
	if (!strcmp(kw, "source"))
		return set_string(ps, &g->source, "source", &save);
	if (!strcmp(kw, "tensor_ids"))
		return 0;	/* chaining information, not needed here */
	return fail(ps, "unknown keyword '%s'", kw);
}

int golden_load(const char *path, struct golden_file *g, char *err,
		size_t errlen)
{
	struct parser ps = { .path = path, .line = 0, .err = err,
			     .errlen = errlen };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;
	FILE *f;

	memset(g, 0, sizeof(*g));
	if (errlen)
		err[0] = '\0';
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	g->path = dup_str(path);
	if (!g->path)
		ret = fail(&ps, "out of memory");
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		ps.line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((size_t)n != strlen(line)) {
			ret = fail(&ps, "NUL byte in line");
			break;
		}
		if (ps.line == 1) {
			if (strcmp(line, HEADER))
				ret = fail(&ps, "missing '" HEADER "' header");
			continue;
		}
		if (line[0] == '#')
			continue;
		ret = parse_line(&ps, g, line);
	}
	if (!ret && ferror(f))
		ret = fail(&ps, "read error: %s", strerror(errno));
	if (!ret && ps.line == 0)
		ret = fail(&ps, "empty file");
	if (!ret && !g->op && !g->model)
		ret = fail(&ps, "no 'op' or 'model' line");
	if (!ret && g->op && g->model)
		ret = fail(&ps, "both 'op' and 'model' lines");
	if (!ret && !g->num_tensors)
		ret = fail(&ps, "no tensors");
	if (!ret && !current_tensor(g)->has_data)
		ret = fail(&ps, "tensor '%s' has no data line",
			   current_tensor(g)->role);
	free(line);
	fclose(f);
	if (ret)
		golden_free(g);
	return ret;
}

void golden_free(struct golden_file *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->num_options; i++) {
		free(g->options[i].name);
		free(g->options[i].value);
	}
	for (size_t i = 0; i < g->num_derived; i++) {
		free(g->derived[i].name);
		free(g->derived[i].values);
	}
	for (size_t i = 0; i < g->num_tensors; i++) {
		free(g->tensors[i].role);
		free(g->tensors[i].quant.scales);
		free(g->tensors[i].quant.zero_points);
		free(g->tensors[i].data);
	}
	free(g->options);
	free(g->derived);
	free(g->tensors);
	free(g->path);
	free(g->op);
	free(g->model);
	free(g->source);
	memset(g, 0, sizeof(*g));
}

const struct golden_tensor *golden_find_tensor(const struct golden_file *g,
					       const char *role)
{
	for (size_t i = 0; i < g->num_tensors; i++)
		if (g->tensors[i].role && !strcmp(g->tensors[i].role, role))
			return &g->tensors[i];
	return NULL;
}

const char *golden_find_option(const struct golden_file *g, const char *name)
{
	for (size_t i = 0; i < g->num_options; i++)
		if (g->options[i].name && !strcmp(g->options[i].name, name))
			return g->options[i].value;
	return NULL;
}

struct golden_derived *golden_find_derived(const struct golden_file *g,
					   const char *name)
{
	for (size_t i = 0; i < g->num_derived; i++)
		if (g->derived[i].name && !strcmp(g->derived[i].name, name))
			return &g->derived[i];
	return NULL;
}

int32_t golden_i32(const struct golden_tensor *t, size_t i)
{
	const uint8_t *p = t->data + 4 * i;

	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static int golden_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int golden_push(char ***v, size_t *n, size_t *cap, const char *a,
		       const char *b)
{
	char *p, **nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -1;
		*v = nv;
	}
	p = malloc(strlen(a) + strlen(b) + 2);
	if (!p)
		return -1;
	sprintf(p, "%s/%s", a, b);
	(*v)[(*n)++] = p;
	return 0;
}

char **golden_list(const char *dir, size_t *count)
{
	char **subs = NULL, **v = NULL;
	size_t nsubs = 0, cap_subs = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = opendir(dir), *f;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    golden_push(&subs, &nsubs, &cap_subs, dir, de->d_name))
			break;
	closedir(d);
	for (i = 0; i < nsubs; i++) {
		f = opendir(subs[i]);
		while (f && (de = readdir(f))) {
			size_t len = strlen(de->d_name);

			if (len > 7 && !strcmp(de->d_name + len - 7, ".golden") &&
			    golden_push(&v, count, &cap, subs[i], de->d_name))
				break;
		}
		if (f)
			closedir(f);
	}
	golden_list_free(subs, nsubs);
	if (*count)
		qsort(v, *count, sizeof(*v), golden_cmp);
	return v;
}

void golden_list_free(char **paths, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(paths[i]);
	free(paths);
}
