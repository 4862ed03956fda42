/* SPDX-License-Identifier: MIT */
/*
 * Compiled-model files rewritten as an older format wrote them
 * (libedgenpu/model_file.c has the layouts), for the tests that check a
 * file of an older format still reads and runs.
 */
#ifndef EDGENPU_TEST_OLD_FORMAT_H
#define EDGENPU_TEST_OLD_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "npu.h"
#include "sha256.h"

static inline uint32_t old_format_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void old_format_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The checksum again, over the bytes after it. */
static inline void old_format_reseal(uint8_t *p, size_t size)
{
	enpu_sha256(p + 56, size - 56, p + 24);
}

/* The slot a 1.2 writer would have used for @m's prefetched weights. */
static inline uint32_t old_format_slot(const struct enpu_model *m)
{
	uint64_t max = 0, b;
	size_t l;

	for (l = 0; l < m->g->num_layers; l++)
		if (m->npu->prefetch[l] >= 0 && (b = enpu_npu_filter_bytes(m, l)) > max)
			max = b;
	return (uint32_t)((max + 63) & ~63ull);
}

/*
 * The file @p (@size bytes, a format 1.3 file as this library writes it)
 * as format 1.2 wrote its plan: each prefetched layer's field 0 instead of
 * its place in the ring, and the plan's last word the bytes of each of the
 * two prefetch slots (@slot) instead of the ring's. Its streams stay as
 * they are: a 1.2 file's were those of the same plan. Returns 0, or -1 if
 * the file has no PLAN section.
 */
static inline int old_format_1_2(uint8_t *p, size_t size, uint32_t slot)
{
	size_t off = 64, i;

	while (off + 16 <= size) {
		uint32_t id = old_format_u32(p + off);
		uint64_t len = old_format_u32(p + off + 8) |
			       (uint64_t)old_format_u32(p + off + 12) << 32;
		uint8_t *q = p + off + 16;

		if (id == 5) {		/* PLAN */
			uint32_t nl = old_format_u32(q);
			size_t at = 4 + 4 * (size_t)nl;

			for (i = 0; i < nl; i++) {
				uint32_t rlen;

				if ((int32_t)old_format_u32(q + at + 4) >= 0)
					old_format_put_u32(q + at + 4, 0);
				rlen = old_format_u32(q + at + 28);
				at += 32 + ((rlen + 3) & ~3u);
			}
			old_format_put_u32(q + len - 4, slot);
			p[10] = 2;
			p[11] = 0;
			old_format_reseal(p, size);
			return 0;
		}
		off += 16 + ((len + 7) & ~7ull);
	}
	return -1;
}

#endif /* EDGENPU_TEST_OLD_FORMAT_H */
