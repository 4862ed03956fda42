/* SPDX-License-Identifier: MIT */
/*
 * libedgenpu internals: reading a flatbuffer (the TFLite file format)
 * without generated code. Every read is bounds-checked against the buffer:
 * tables and their vtables, scalar fields with defaults, references,
 * vectors and strings. The first failure is kept in f->err (later ones do
 * not overwrite it) and -EINVAL returned, so a reader can go on and report
 * the first thing wrong.
 */
#ifndef EDGENPU_FLATBUF_H
#define EDGENPU_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

struct fb {
	const uint8_t *p;
	size_t size;
	char err[960];
};

/* A table: its position and its vtable. */
struct tbl {
	size_t pos;
	size_t vt;
	uint16_t vt_len;
};

/* Whether @len bytes at @off lie inside the buffer. */
int fb_has(const struct fb *f, uint64_t off, uint64_t len);
/* Little-endian reads at a checked offset. */
uint32_t fb_rd32(const struct fb *f, size_t off);
uint16_t fb_rd16(const struct fb *f, size_t off);
/* Records the first failure in f->err; returns -EINVAL. */
int fb_fail(struct fb *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The table at @pos and its vtable, checked; @what names it in failures. */
int fb_table(struct fb *f, size_t pos, struct tbl *t, const char *what);
/* Offset of field @slot in the table, 0 if absent; checks @len bytes fit. */
size_t fb_field(struct fb *f, const struct tbl *t, unsigned int slot, size_t len);
/* Scalar fields, @dflt when absent. */
uint32_t fb_u32(struct fb *f, const struct tbl *t, unsigned int slot, uint32_t dflt);
uint8_t fb_u8(struct fb *f, const struct tbl *t, unsigned int slot, uint8_t dflt);
/* Follows an offset field to its target: 1 found, 0 absent, -EINVAL. */
int fb_ref(struct fb *f, const struct tbl *t, unsigned int slot, size_t *pos);
/* A vector field of @elem-byte elements: its count and element 0's position. */
int fb_vec(struct fb *f, const struct tbl *t, unsigned int slot, size_t elem,
	      uint32_t *count, size_t *first);
/* Element @i of a vector of tables starting at @first. */
int fb_vec_table(struct fb *f, size_t first, uint32_t i, struct tbl *t, const char *what);
/* A string field as a new NUL-terminated copy (free() it), NULL if absent. */
char *fb_string(struct fb *f, const struct tbl *t, unsigned int slot);

#endif /* EDGENPU_FLATBUF_H */
