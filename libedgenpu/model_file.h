/* SPDX-License-Identifier: MIT */
/* libedgenpu internals: compiled-model files (model_file.c) and the compile cache. */
#ifndef EDGENPU_MODEL_FILE_H
#define EDGENPU_MODEL_FILE_H

#include "model.h"

/* Whether @data starts like a compiled-model file. */
int enpu_file_is_compiled(const void *data, size_t size);
/* @m (with an NPU plan) as a compiled-model file image in @data (free() it). */
int enpu_file_write(const struct enpu_model *m, void **data, size_t *size);
/*
 * Reads and checks a compiled-model file image: a model planned for its
 * target with no device (m->dev NULL), as enpu_model_compile_target() gives.
 */
int enpu_file_read(const void *data, size_t size, const struct enpu_compile_options *opt,
		   struct enpu_model **m);
/* 0 when @weights is the weights buffer @m's graph and plan describe. */
int enpu_file_check_weights(const struct enpu_model *m, const uint8_t *weights);
/*
 * 0 when a plan for @want runs as planned on a device of capabilities
 * @have, else -ENODEV with each difference in @why.
 */
int enpu_target_compare(const struct enpu_target *want, const struct enpu_target *have,
			char *why, size_t len);

/*
 * The compile cache (cache.c). Lookup gives a model for a device of
 * capabilities @have (planned, not attached to a device) read from the
 * cache, or 0 with *m NULL on a miss (a stale or damaged entry is removed);
 * store keeps @m; neither fails a load: a cache that cannot be used is not
 * used.
 */
void enpu_cache_key(const uint8_t source[32], const struct enpu_target *t, uint32_t flags,
		    uint8_t key[32]);
int enpu_cache_lookup(const struct enpu_target *have, const uint8_t key[32],
		      const uint8_t source[32], const struct enpu_compile_options *opt,
		      struct enpu_model **m);
void enpu_cache_store(const struct enpu_model *m, const uint8_t key[32]);

#endif /* EDGENPU_MODEL_FILE_H */
