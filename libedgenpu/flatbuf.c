// SPDX-License-Identifier: MIT
/* Bounds-checked flatbuffer reads (flatbuf.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatbuf.h"

/* Bounds-checked little-endian reads. */
int fb_has(const struct fb *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

uint32_t fb_rd32(const struct fb *f, size_t off)
{
	const uint8_t *b = f->p + off;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

uint16_t fb_rd16(const struct fb *f, size_t off)
{
	return (uint16_t)(f->p[off] | f->p[off + 1] << 8);
}

int fb_fail(struct fb *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->err[0]) {
		va_start(ap, fmt);
		vsnprintf(f->err, sizeof(f->err), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int fb_table(struct fb *f, size_t pos, struct tbl *t, const char *what)
{
	int64_t vt;

	if (!fb_has(f, pos, 4))
		return fb_fail(f, "%s: table at %zu is outside the file", what, pos);
	vt = (int64_t)pos - (int32_t)fb_rd32(f, pos);
	if (vt < 0 || !fb_has(f, (uint64_t)vt, 4))
		return fb_fail(f, "%s: vtable outside the file", what);
	t->pos = pos;
	t->vt = (size_t)vt;
	t->vt_len = fb_rd16(f, t->vt);
	if (t->vt_len < 4 || (t->vt_len & 1) || !fb_has(f, t->vt, t->vt_len))
		return fb_fail(f, "%s: malformed vtable", what);
	return 0;
}

/* Offset of field @slot in the table, 0 if absent; checks @len bytes fit. */
size_t fb_field(struct fb *f, const struct tbl *t, unsigned int slot, size_t len)
{
	size_t e = 4 + 2 * (size_t)slot;
	uint16_t o;

	if (e + 2 > t->vt_len)
		return 0;
	o = fb_rd16(f, t->vt + e);
	if (!o)
		return 0;
	if (!fb_has(f, t->pos + o, len)) {
		fb_fail(f, "field %u of a table runs past the end of the file", slot);
		return 0;
	}
	return t->pos + o;
}

uint32_t fb_u32(struct fb *f, const struct tbl *t, unsigned int slot, uint32_t dflt)
{
	size_t o = fb_field(f, t, slot, 4);

	return o ? fb_rd32(f, o) : dflt;
}

uint8_t fb_u8(struct fb *f, const struct tbl *t, unsigned int slot, uint8_t dflt)
{
	size_t o = fb_field(f, t, slot, 1);

	return o ? f->p[o] : dflt;
}

/* Follows an offset field to its target (table, vector or string). */
int fb_ref(struct fb *f, const struct tbl *t, unsigned int slot, size_t *pos)
{
	size_t o = fb_field(f, t, slot, 4);
	uint64_t target;

	*pos = 0;
	if (!o)
		return f->err[0] ? -EINVAL : 0;
	target = (uint64_t)o + fb_rd32(f, o);
	if (!fb_has(f, target, 4))
		return fb_fail(f, "reference in field %u points outside the file", slot);
	*pos = (size_t)target;
	return 1;
}

/* A vector field: element count and position of element 0. */
int fb_vec(struct fb *f, const struct tbl *t, unsigned int slot, size_t elem,
	   uint32_t *count, size_t *first)
{
	size_t pos;
	int r = fb_ref(f, t, slot, &pos);

	*count = 0;
	*first = 0;
	if (r <= 0)
		return r;
	*count = fb_rd32(f, pos);
	if (!fb_has(f, pos + 4, (uint64_t)*count * elem))
		return fb_fail(f, "vector in field %u (%u elements) runs past the end of the file",
			       slot, *count);
	*first = pos + 4;
	return 1;
}

/* Element @i of a vector of tables. */
int fb_vec_table(struct fb *f, size_t first, uint32_t i, struct tbl *t, const char *what)
{
	size_t at = first + 4 * (size_t)i;

	return fb_table(f, at + fb_rd32(f, at), t, what);
}

char *fb_string(struct fb *f, const struct tbl *t, unsigned int slot)
{
	uint32_t n;
	size_t first;
	char *s;

	if (fb_vec(f, t, slot, 1, &n, &first) <= 0 || n > 4096)
		return NULL;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, f->p + first, n);
		s[n] = '\0';
	}
	return s;
}
