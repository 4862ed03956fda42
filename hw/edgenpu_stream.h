/* SPDX-License-Identifier: MIT */
/*
 * Writing EdgeNPU command streams (edgenpu_isa.h), defined once for every
 * writer: the library's compiler, the execution engine's host tests, the
 * QEMU device's qtests and the kernel selftests. Each writer keeps its own
 * storage (growing, or a fixed array) and asks these for the words: a
 * command with its header filled in, the semaphore commands, NOP, END and
 * the one-row DMA copy and fill tests use most.
 *
 * Every function writes into @w, which must have room for the command
 * (ENPU_CMD_WORDS_OF() of its structure; one word for NOP and END), and
 * returns the words written. Static inline C for userspace and the kernel.
 */
#ifndef EDGENPU_STREAM_H
#define EDGENPU_STREAM_H

#include "edgenpu_isa.h"
#include "edgenpu_types.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

/*
 * A command of @bytes (its structure's size: a multiple of 4) whose first
 * word, the header, is set from @op and the size; the rest is @cmd's.
 */
static inline uint32_t enpu_put_cmd(uint32_t *w, uint32_t op, const void *cmd, size_t bytes)
{
	memcpy(w, cmd, bytes);
	w[0] = ENPU_CMD_HDR(op, bytes / 4);
	return (uint32_t)(bytes / 4);
}

/* SIGNAL or WAIT (@op) of semaphore @sem on @engine (ENPU_ENGINE_*). */
static inline uint32_t enpu_put_sync(uint32_t *w, uint32_t op, uint32_t engine, uint32_t sem)
{
	struct enpu_cmd_sync c = { .engine = engine, .sem = sem };

	return enpu_put_cmd(w, op, &c, sizeof(c));
}

/* A one-word command: NOP or END. */
static inline uint32_t enpu_put_op(uint32_t *w, uint32_t op)
{
	w[0] = ENPU_CMD_HDR(op, 1);
	return 1;
}

/* DMA_COPY of @bytes in one row from @src to @dst. */
static inline uint32_t enpu_put_copy(uint32_t *w, uint32_t src, uint32_t dst, uint32_t bytes)
{
	struct enpu_cmd_dma_copy c = {
		.src = src, .dst = dst, .row_bytes = bytes, .rows = 1, .planes = 1,
	};

	return enpu_put_cmd(w, ENPU_OP_DMA_COPY, &c, sizeof(c));
}

/* DMA_FILL of @bytes in one row at @dst with @value. */
static inline uint32_t enpu_put_fill(uint32_t *w, uint32_t dst, uint8_t value, uint32_t bytes)
{
	struct enpu_cmd_dma_fill c = {
		.dst = dst, .value = value, .row_bytes = bytes, .rows = 1, .planes = 1,
	};

	return enpu_put_cmd(w, ENPU_OP_DMA_FILL, &c, sizeof(c));
}

/* The most words one of these writes: the largest command structure's. */
#define ENPU_PUT_MAX_WORDS	32
ENPU_STATIC_ASSERT(sizeof(struct enpu_cmd_conv2d) / 4 <= ENPU_PUT_MAX_WORDS &&
		   sizeof(struct enpu_cmd_add) / 4 <= ENPU_PUT_MAX_WORDS &&
		   sizeof(struct enpu_cmd_eltwise) / 4 <= ENPU_PUT_MAX_WORDS,
		   "ENPU_PUT_MAX_WORDS holds every command");

#endif /* EDGENPU_STREAM_H */
