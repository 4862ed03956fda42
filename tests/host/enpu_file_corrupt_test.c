// SPDX-License-Identifier: MIT
/*
 * The compiled-model reader against damaged and hostile files. Every model
 * of shared/models ($EDGENPU_MODELS) is compiled for the default target,
 * written, and put through deterministic mutation families:
 *   truncated      cut at many lengths: always refused
 *   flipped        a byte changed, checksum kept: always refused
 *   as written     loads (and runs, within the budget)
 *   word=V         a word of every section but the weights set to an
 *                  edge value (0, 1, -1, INT_MIN, +1, -1, a bit) and the
 *                  checksum recomputed: the file's own checks must hold
 *   weights        a weights byte changed, resealed: refused (padding,
 *                  requantization data) or a model with other weights
 * Each mutated file is a heap block of exactly its size (ASan sees any
 * read past it) given to enpu_model_load_mem() with no device; the first
 * loads of each family run once on zero inputs (tests/fuzz/enpu_file_try.h). A refusal must
 * be an errno with a message; built with ASan and UBSan, a crash, a leak
 * or undefined behaviour fails the test too.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "enpu_file_try.h"
#include "sha256.h"

#define HDR	64

#define RUNS_PER_FAMILY	12	/* loads that also run, per family */

struct stats {
	unsigned int tried, refused, loaded, ran, bad;
};

static unsigned int runs_left;

static enum enpu_try_result try_one(const uint8_t *p, size_t size)
{
	enum enpu_try_result r = enpu_file_try(p, size, runs_left > 0);

	runs_left -= r == ENPU_TRY_RAN;
	return r;
}

static uint8_t *exact(const uint8_t *src, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	if (p)
		memcpy(p, src, size);
	return p;
}

static void reseal(uint8_t *p, size_t size)
{
	enpu_sha256(p + 56, size - 56, p + 24);
}

static void count(struct stats *st, enum enpu_try_result r)
{
	st->tried++;
	st->refused += r == ENPU_TRY_REFUSED;
	st->loaded += r == ENPU_TRY_LOADED;
	st->ran += r == ENPU_TRY_RAN;
	st->bad += r == ENPU_TRY_BAD;
}

static enum enpu_try_result try_copy(const uint8_t *src, size_t size, int resealed)
{
	uint8_t *p = exact(src, size);
	enum enpu_try_result r;

	if (!p)
		return ENPU_TRY_BAD;
	if (resealed && size >= HDR)
		reseal(p, size);
	r = try_one(p, size);
	free(p);
	return r;
}

static uint64_t le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void report(const char *model, const char *family, const struct stats *st, int ok,
		   const char *want)
{
	ksft_test_result(ok, "%s:%s: %u files, %u refused, %u loaded, %u ran%s%s\n", model,
			 family, st->tried, st->refused, st->loaded, st->ran,
			 ok ? "" : "; expected ", ok ? "" : want);
}

static void one_model(const char *path, const char *name)
{
	struct enpu_target t;
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	struct stats st;
	uint8_t *data = NULL, *w;
	size_t size = 0, off, i, budget;
	int k;

	enpu_target_default(&t);
	if (enpu_model_load_tflite(path, &g) || enpu_model_compile_target(&t, g, NULL, &m) ||
	    enpu_model_save_mem(m, (void **)&data, &size)) {
		ksft_test_result_fail("%s: %s\n", name, enpu_last_error());
		for (k = 0; k < 4; k++)
			ksft_test_result_skip("%s: not written\n", name);
		goto out;
	}

	/* unmodified: loads and runs */
	memset(&st, 0, sizeof(st));
	runs_left = RUNS_PER_FAMILY;
	count(&st, try_copy(data, size, 0));
	report(name, "as written", &st, st.ran + st.loaded == 1, "it to load");

	memset(&st, 0, sizeof(st));
	runs_left = RUNS_PER_FAMILY;
	for (i = 0; i <= 40; i++) {
		size_t cut = i < 8 ? (size_t[]){ 0, 7, 8, 56, 63, 64, 80, size - 1 }[i] :
			     (size - 1) * (i - 8) / 32;

		count(&st, try_copy(data, cut, 0));
		count(&st, try_copy(data, cut, 1));
	}
	report(name, "truncated", &st, st.refused == st.tried, "every one refused");

	memset(&st, 0, sizeof(st));
	runs_left = RUNS_PER_FAMILY;
	for (i = 0; i < 120; i++) {
		size_t at = (i * 7919) % size;

		if (at >= 24 && at < 56)	/* the checksum itself */
			continue;
		w = exact(data, size);
		if (!w)
			break;
		w[at] ^= (uint8_t)(1u << (i % 8));
		count(&st, try_one(w, size));
		free(w);
	}
	report(name, "flipped", &st, st.refused == st.tried, "every one refused");

	/* every word of every section but the weights (strided on big files) */
	memset(&st, 0, sizeof(st));
	runs_left = RUNS_PER_FAMILY;
	/* every checked try hashes the file twice: fewer on the big ones */
	budget = size < (64u << 10) ? 1500 : 150;
	for (off = HDR; off + 16 <= size;) {
		uint32_t id = (uint32_t)le(data + off, 4);
		uint64_t len = le(data + off + 8, 8);
		size_t words = (size_t)(len / 4), stride = 1, wi;

		if (id != 6) {
			if (words > budget / 7 / 7)
				stride = words / (budget / 7 / 7) + 1;
			/* the section header's own words too */
			for (wi = 0; wi < words + 4; wi += wi < 4 ? 1 : stride) {
				size_t at = wi < 4 ? off + 4 * wi : off + 16 + 4 * (wi - 4);
				uint32_t old = (uint32_t)le(data + at, 4);
				const uint32_t vals[7] = { 0, 1, 0xffffffffu, 0x80000000u, old + 1,
							   old - 1, old ^ 0x100 };

				for (k = 0; k < 7; k++) {
					w = exact(data, size);
					if (!w)
						break;
					for (int b = 0; b < 4; b++)
						w[at + (size_t)b] = (uint8_t)(vals[k] >> (8 * b));
					reseal(w, size);
					count(&st, try_one(w, size));
					free(w);
				}
			}
		}
		off += 16 + (size_t)((len + 7) & ~7ull);
	}
	report(name, "word=V, resealed", &st, !st.bad && st.refused, "no broken contract");

	memset(&st, 0, sizeof(st));
	runs_left = RUNS_PER_FAMILY;
	for (off = HDR; off + 16 <= size;) {
		uint64_t len = le(data + off + 8, 8);

		if (le(data + off, 4) == 6 && len)
			for (i = 0; i < 64; i++) {
				w = exact(data, size);
				if (!w)
					break;
				w[off + 16 + (i * 104729) % len] ^= 0x11;
				reseal(w, size);
				count(&st, try_one(w, size));
				free(w);
			}
		off += 16 + (size_t)((len + 7) & ~7ull);
	}
	report(name, "weights, resealed", &st, !st.bad && st.tried == 64, "no broken contract");
out:
	free(data);
	enpu_model_destroy(m);
	enpu_graph_destroy(g);
}

int main(void)
{
	const char *dir = getenv("EDGENPU_MODELS") ? getenv("EDGENPU_MODELS") :
			  "../shared/models";
	struct dirent **ents;
	int n, i, models = 0;

	ksft_print_header();
	n = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);

		models += len > 7 && !strcmp(ents[i]->d_name + len - 7, ".tflite");
	}
	if (n <= 0 || !models) {
		ksft_set_plan(1);
		ksft_test_result_skip("no models in %s\n", dir);
		ksft_finished();
	}
	ksft_set_plan((unsigned int)models * 5);
	for (i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		char path[600];

		if (len > 7 && !strcmp(ents[i]->d_name + len - 7, ".tflite")) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			one_model(path, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	ksft_finished();
}
