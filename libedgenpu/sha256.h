/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4): the checksum of compiled-model files and the key of
 * the compile cache.
 */
#ifndef EDGENPU_SHA256_H
#define EDGENPU_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ENPU_SHA256_BYTES	32

struct enpu_sha256 {
	uint32_t h[8];
	uint64_t bytes;		/* hashed so far */
	uint8_t block[64];
	size_t fill;		/* bytes waiting in @block */
};

void enpu_sha256_init(struct enpu_sha256 *s);
void enpu_sha256_update(struct enpu_sha256 *s, const void *data, size_t len);
void enpu_sha256_final(struct enpu_sha256 *s, uint8_t out[ENPU_SHA256_BYTES]);
/* One-shot. */
void enpu_sha256(const void *data, size_t len, uint8_t out[ENPU_SHA256_BYTES]);

#endif /* EDGENPU_SHA256_H */
