/* SPDX-License-Identifier: MIT */
/*
 * Reader for the edgenpu golden test vectors ("# edgenpu golden v1", see
 * shared/goldens/README.md). Every line is validated: shapes, quantization
 * arrays, hex data lengths. Errors name the file and line.
 */
#ifndef EDGENPU_GOLDEN_H
#define EDGENPU_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#define GOLDEN_MAX_RANK		8
/* Refuse absurd tensors rather than trying to allocate them. */
#define GOLDEN_MAX_ELEMS	(INT64_C(1) << 28)

enum golden_dtype {
	GOLDEN_INT8,
	GOLDEN_UINT8,
	GOLDEN_INT16,
	GOLDEN_INT32,
	GOLDEN_INT64,
	GOLDEN_FLOAT32,
	GOLDEN_BOOL,
};

struct golden_quant {
	int present;
	int axis;		/* -1: per-tensor (one scale) */
	size_t count;		/* number of scales / zero points */
	float *scales;
	int32_t *zero_points;
};

struct golden_tensor {
	char *role;		/* "in0", "in2", "out0", ... */
	enum golden_dtype dtype;
	int rank;		/* 0 = scalar */
	int32_t dims[GOLDEN_MAX_RANK];
	size_t count;		/* elements (1 for a scalar) */
	struct golden_quant quant;
	uint8_t *data;		/* count * golden_dtype_size(dtype) bytes */
	size_t bytes;
	int has_data;
};

struct golden_option {
	char *name;
	char *value;		/* remaining tokens joined by single spaces */
};

struct golden_derived {
	char *name;
	int64_t *values;
	size_t count;
};

struct golden_file {
	char *path;
	char *op;		/* "op" line, NULL for whole-model cases */
	char *model;		/* "model" line, NULL for per-op cases */
	char *source;
	struct golden_option *options;
	size_t num_options;
	struct golden_derived *derived;
	size_t num_derived;
	struct golden_tensor *tensors;
	size_t num_tensors;
};

/*
 * Parse path into *g. Returns 0, or -1 with a "path:line: reason" message
 * in err (and *g left empty; golden_free() on it is harmless).
 */
int golden_load(const char *path, struct golden_file *g, char *err,
		size_t errlen);
void golden_free(struct golden_file *g);

/*
 * Every "<dir>/<sub>/<name>.golden", sorted: the folders are walked, never
 * listed by hand. Returns NULL with *count 0 when there is none; free
 * with golden_list_free().
 */
char **golden_list(const char *dir, size_t *count);
void golden_list_free(char **paths, size_t count);

size_t golden_dtype_size(enum golden_dtype dtype);
const char *golden_dtype_name(enum golden_dtype dtype);

const struct golden_tensor *golden_find_tensor(const struct golden_file *g,
					       const char *role);
const char *golden_find_option(const struct golden_file *g, const char *name);
struct golden_derived *golden_find_derived(const struct golden_file *g,
					   const char *name);

/* Little-endian element accessors (index must be < t->count). */
int32_t golden_i32(const struct golden_tensor *t, size_t i);

#endif /* EDGENPU_GOLDEN_H */
