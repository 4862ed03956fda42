// SPDX-License-Identifier: MIT
/*
 * Compiled-model files and the compile cache, with no device: SHA-256
 * against FIPS 180-4's examples; every shared model compiled for the
 * default target, written, read back (the same plan, streams, weights and
 * bytes when written again) and run on the CPU backend bit-exactly; each
 * refusal (format version, checksum, size, CPU-only model) with its
 * message; the cache's hits, stale and damaged entries, its switch and its
 * size bound. Running a file on the NPU is checked by compiler_engine_test
 * (on the device model's engine) and in the VM.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"
#include "model_file.h"
#include "npu.h"
#include "old_format.h"
#include "sha256.h"

static const char *models_dir(void)
{
	const char *d = getenv("EDGENPU_MODELS");

	return d ? d : "../shared/models";
}

/* Every .tflite of the shared models, sorted; NULL-terminated. */
static char **model_paths(size_t *count)
{
	struct dirent **ents;
	char **paths;
	int n, i;
	size_t k = 0;

	n = scandir(models_dir(), &ents, NULL, alphasort);
	if (n < 0)
		return NULL;
	paths = calloc((size_t)n + 1, sizeof(*paths));
	for (i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);

		if (paths && len > 7 && !strcmp(ents[i]->d_name + len - 7, ".tflite") &&
		    asprintf(&paths[k], "%s/%s", models_dir(), ents[i]->d_name) > 0)
			k++;
		free(ents[i]);
	}
	free(ents);
	*count = k;
	return paths;
}

static void hex(const uint8_t *d, char *out)
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

TEST(sha256_fips_examples)
{
	static const char *const want[] = {
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	};
	struct enpu_sha256 s;
	uint8_t d[32];
	char h[65];
	char *mil = malloc(1000000);
	size_t i;

	ASSERT_NE(NULL, mil);
	enpu_sha256("", 0, d);
	hex(d, h);
	EXPECT_STREQ(want[0], h);
	enpu_sha256("abc", 3, d);
	hex(d, h);
	EXPECT_STREQ(want[1], h);
	enpu_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	hex(d, h);
	EXPECT_STREQ(want[2], h);
	/* a million 'a', fed in uneven pieces */
	memset(mil, 'a', 1000000);
	enpu_sha256_init(&s);
	for (i = 0; i < 1000000; i += 997)
		enpu_sha256_update(&s, mil + i, i + 997 > 1000000 ? 1000000 - i : 997);
	enpu_sha256_final(&s, d);
	hex(d, h);
	EXPECT_STREQ(want[3], h);
	free(mil);
}

/* Fills @buf with a pattern for input @i. */
static void pattern(void *buf, size_t bytes, unsigned int seed)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)((i * 131 + seed * 17) ^ (i >> 7));
}

/* Runs @m once on the pattern inputs; the outputs concatenated, malloc'd. */
static uint8_t *run_once(struct enpu_model *m, size_t *total)
{
	size_t ni = enpu_model_num_inputs(m), no = enpu_model_num_outputs(m), i, off = 0;
	const void *ins[8];
	void *outs[8];
	struct enpu_tensor_info info;
	uint8_t *all;

	*total = 0;
	if (ni > 8 || no > 8)
		return NULL;
	for (i = 0; i < ni; i++) {
		enpu_model_input_info(m, i, &info);
		ins[i] = malloc(info.bytes);
		pattern((void *)ins[i], info.bytes, (unsigned int)i);
	}
	for (i = 0; i < no; i++) {
		enpu_model_output_info(m, i, &info);
		*total += info.bytes;
	}
	all = calloc(1, *total + 1);
	for (i = 0; i < no; i++) {
		enpu_model_output_info(m, i, &info);
		outs[i] = all + off;
		off += info.bytes;
	}
	if (enpu_model_run(m, ins, outs, NULL)) {
		free(all);
		all = NULL;
	}
	for (i = 0; i < ni; i++)
		free((void *)ins[i]);
	return all;
}

/* Whether two planned models have the same plan, streams and weights. */
static int same_plan(const struct enpu_model *a, const struct enpu_model *b, char *why)
{
	const struct enpu_npu *x = a->npu, *y = b->npu;
	size_t i;

	if (a->g->num_layers != b->g->num_layers || a->num_steps != b->num_steps ||
	    x->weights_bytes != y->weights_bytes || x->arena_bytes != y->arena_bytes ||
	    x->sram_act_bytes != y->sram_act_bytes || x->ring_bytes != y->ring_bytes)
		return sprintf(why, "sizes differ"), 0;
	for (i = 0; i < a->g->num_layers; i++) {
		const struct enpu_layer_info *p = &a->linfo[i], *q = &b->linfo[i];

		if (a->order[i] != b->order[i] || p->on_npu != q->on_npu ||
		    p->segment != q->segment || p->est_cycles != q->est_cycles ||
		    p->macs != q->macs || p->output_in_sram != q->output_in_sram ||
		    p->weights_prefetched != q->weights_prefetched ||
		    strcmp(a->why_cpu[i], b->why_cpu[i]) || x->prefetch[i] != y->prefetch[i] ||
		    enpu_npu_ring_rows(x, i) != enpu_npu_ring_rows(y, i) ||
		    x->quant_off[i] != y->quant_off[i])
			return sprintf(why, "layer %zu differs", i), 0;
	}
	for (i = 0; i < a->g->num_tensors; i++)
		if (x->place[i].loc != y->place[i].loc || x->place[i].off != y->place[i].off)
			return sprintf(why, "tensor %zu is placed differently", i), 0;
	for (i = 0; i < a->num_steps; i++) {
		const struct enpu_rstream *r = &x->rstreams[i], *s = &y->rstreams[i];

		if (r->n != s->n || r->nreloc != s->nreloc ||
		    (r->n && memcmp(r->w, s->w, r->n * 4)) ||
		    (r->nreloc && memcmp(r->reloc, s->reloc, r->nreloc * 4)))
			return sprintf(why, "step %zu's stream differs", i), 0;
	}
	return 1;
}

TEST(every_shared_model_round_trips)
{
	struct enpu_target t;
	size_t n = 0, i;
	char **paths = model_paths(&n);

	ASSERT_NE(NULL, paths);
	if (!n)
		SKIP(return, "no models in %s", models_dir());
	enpu_target_default(&t);
	for (i = 0; i < n; i++) {
		struct enpu_graph *g = NULL;
		struct enpu_model *planned = NULL, *back = NULL, *cpu_file = NULL, *cpu = NULL;
		void *data = NULL, *again = NULL;
		size_t size = 0, size2 = 0, b1 = 0, b2 = 0;
		uint8_t *o1, *o2;
		char why[128] = "";

		ASSERT_EQ(0, enpu_model_load_tflite(paths[i], &g)) TH_LOG("%s", enpu_last_error());
		ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &planned))
			TH_LOG("%s: %s", paths[i], enpu_last_error());
		ASSERT_EQ(0, enpu_model_save_mem(planned, &data, &size));
		ASSERT_EQ(0, enpu_file_read(data, size, NULL, &back))
			TH_LOG("%s: %s", paths[i], enpu_last_error());
		EXPECT_EQ(ENPU_ORIGIN_FILE, enpu_model_origin(back));
		EXPECT_TRUE(same_plan(planned, back, why)) TH_LOG("%s: %s", paths[i], why);
		/* written again, the same bytes */
		ASSERT_EQ(0, enpu_model_save_mem(back, &again, &size2));
		EXPECT_EQ(size, size2);
		EXPECT_EQ(0, memcmp(data, again, size < size2 ? size : size2)) TH_LOG("%s", paths[i]);
		/* the file on the CPU backend gives the bits the graph does */
		ASSERT_EQ(0, enpu_model_load_mem(NULL, data, size, NULL, &cpu_file))
			TH_LOG("%s", enpu_last_error());
		ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &cpu));
		o1 = run_once(cpu, &b1);
		o2 = run_once(cpu_file, &b2);
		ASSERT_NE(NULL, o1);
		ASSERT_NE(NULL, o2) TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(b1, b2);
		EXPECT_EQ(0, memcmp(o1, o2, b1)) TH_LOG("%s: outputs differ", paths[i]);
		ksft_print_msg("%s: %zu bytes, %zu steps\n", strrchr(paths[i], '/') + 1, size,
			       planned->num_steps);
		free(o1);
		free(o2);
		free(data);
		free(again);
		enpu_model_destroy(planned);
		enpu_model_destroy(back);
		enpu_model_destroy(cpu_file);
		enpu_model_destroy(cpu);
		enpu_graph_destroy(g);
		free(paths[i]);
	}
	free(paths);
}

FIXTURE(file) {
	uint8_t *data;
	size_t size;
	struct enpu_model *m;
	uint64_t quant_off;	/* of an NPU layer's requantization data */
};

FIXTURE_SETUP(file)
{
	struct enpu_target t;
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	char path[600];

	snprintf(path, sizeof(path), "%s/person_detect.tflite", models_dir());
	if (access(path, R_OK))
		SKIP(return, "%s is not there", path);
	enpu_target_default(&t);
	ASSERT_EQ(0, enpu_model_load_tflite(path, &g));
	ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &m));
	enpu_graph_destroy(g);
	ASSERT_EQ(0, enpu_model_save_mem(m, (void **)&self->data, &self->size));
	self->quant_off = m->npu->quant_off[m->order[0]];
	enpu_model_destroy(m);
	ASSERT_NE(UINT64_MAX, self->quant_off);
}

FIXTURE_TEARDOWN(file)
{
	enpu_model_destroy(self->m);
	free(self->data);
}

TEST_F(file, damaged_byte_fails_the_checksum)
{
	self->data[self->size / 2] ^= 0x40;
	EXPECT_EQ(-EBADMSG, enpu_model_load_mem(NULL, self->data, self->size, NULL, &self->m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "checksum mismatch"));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "compile it again"));
}

TEST_F(file, newer_format_is_refused_with_what_to_do)
{
	self->data[8] = ENPU_MODEL_FILE_VERSION_MAJOR + 1;
	self->data[10] = 0;
	EXPECT_EQ(-EPROTONOSUPPORT,
		  enpu_model_load_mem(NULL, self->data, self->size, NULL, &self->m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "format 2.0"));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "edgenpu-compile"));
	/* a newer minor too: it may hold what this library cannot check */
	self->data[8] = ENPU_MODEL_FILE_VERSION_MAJOR;
	self->data[10] = ENPU_MODEL_FILE_VERSION_MINOR + 1;
	EXPECT_EQ(-EPROTONOSUPPORT,
		  enpu_model_load_mem(NULL, self->data, self->size, NULL, &self->m));
}

TEST_F(file, truncated_or_extended_is_refused)
{
	uint8_t *big = calloc(1, self->size + 8);

	ASSERT_EQ(-EINVAL, enpu_model_load_mem(NULL, self->data, self->size - 8, NULL,
					       &self->m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "truncated or appended"));
	ASSERT_NE(NULL, big);
	memcpy(big, self->data, self->size);
	EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, big, self->size + 8, NULL, &self->m));
	free(big);
	EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, self->data, 40, NULL, &self->m));
}

TEST_F(file, resealed_lies_are_caught_by_the_checks)
{
	uint8_t *p = self->data;
	size_t off = 64, i;
	int sections = 0;

	while (off < self->size) {
		uint32_t id = p[off] | p[off + 1] << 8;
		uint64_t len = 0;

		for (i = 0; i < 8; i++)
			len |= (uint64_t)p[off + 8 + i] << (8 * i);
		if (id == 6) {
			/* requantization data changed: not what the graph gives */
			uint8_t *copy = malloc(self->size);

			memcpy(copy, p, self->size);
			copy[off + 16 + self->quant_off] ^= 1;
			old_format_reseal(copy, self->size);
			EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, copy, self->size, NULL,
							       &self->m));
			EXPECT_NE(NULL, strstr(enpu_last_error(), "WEIGHTS section"))
				TH_LOG("%s", enpu_last_error());
			free(copy);
		}
		if (id == 7) {
			/* a relocation made absolute: the command leaves the buffers */
			uint8_t *copy = malloc(self->size);

			memcpy(copy, p, self->size);
			/* first stream: step, words, relocs at off+16 */
			copy[off + 16 + 12 + 4 * 2 + 3] |= 0x7f;
			old_format_reseal(copy, self->size);
			EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, copy, self->size, NULL,
							       &self->m));
			EXPECT_NE(NULL, strstr(enpu_last_error(), "STREAMS section"))
				TH_LOG("%s", enpu_last_error());
			free(copy);
		}
		if (id == 9) {
			/* rows through the ring for a convolution, or one entry short */
			uint8_t *copy = malloc(self->size);
			int lie;

			for (lie = 0; lie < 2; lie++) {
				memcpy(copy, p, self->size);
				copy[off + 16 + (lie ? 0 : 4)] += 1;
				old_format_reseal(copy, self->size);
				EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, copy, self->size,
								       NULL, &self->m));
				EXPECT_NE(NULL, strstr(enpu_last_error(), lie ?
						       "one entry per layer" : "cannot be split"))
					TH_LOG("%s", enpu_last_error());
				EXPECT_NE(NULL, strstr(enpu_last_error(), "RING_ROWS section"))
					TH_LOG("%s", enpu_last_error());
			}
			free(copy);
		}
		sections++;
		off += 16 + ((len + 7) & ~7ull);
	}
	EXPECT_EQ(9, sections);
	EXPECT_EQ(NULL, self->m);
}

/*
 * @data without its LAYER_OPTIONS section (id 8), as format @minor, resealed:
 * what a 1.0 writer wrote. Returns the new size.
 */
static size_t without_layer_options(uint8_t *p, size_t size, unsigned int minor)
{
	size_t off = 64, i;

	while (off < size) {
		uint32_t id = p[off] | p[off + 1] << 8;
		uint64_t len = 0, span;

		for (i = 0; i < 8; i++)
			len |= (uint64_t)p[off + 8 + i] << (8 * i);
		span = 16 + ((len + 7) & ~7ull);
		if (id == 8) {
			memmove(p + off, p + off + span, size - off - span);
			size -= span;
			break;
		}
		off += span;
	}
	p[10] = (uint8_t)minor;
	p[11] = 0;
	for (i = 0; i < 8; i++)
		p[16 + i] = (uint8_t)((uint64_t)size >> (8 * i));
	p[56]--;	/* one section fewer */
	old_format_reseal(p, size);
	return size;
}

/* Files of format 1.0 (no LAYER_OPTIONS) still load, and run as before. */
TEST_F(file, format_1_0_still_reads)
{
	uint8_t *copy = malloc(self->size);
	static int8_t in[96 * 96];
	int8_t want[2], got[2];
	struct enpu_model *m = NULL;
	size_t size;

	ASSERT_NE(NULL, copy);
	memcpy(copy, self->data, self->size);
	ASSERT_EQ(0, enpu_file_read(self->data, self->size, NULL, &m));
	ASSERT_EQ(0, old_format_1_2(copy, self->size, old_format_slot(m)));
	enpu_model_destroy(m);
	m = NULL;
	size = without_layer_options(copy, self->size, 0);
	ASSERT_GT(self->size, size);
	ASSERT_EQ(0, enpu_model_load_mem(NULL, copy, size, NULL, &self->m))
		TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_load_mem(NULL, self->data, self->size, NULL, &m));
	memset(in, 3, sizeof(in));
	ASSERT_EQ(0, enpu_model_run(m, (const void *const[]){ in }, (void *const[]){ want }, NULL));
	ASSERT_EQ(0, enpu_model_run(self->m, (const void *const[]){ in }, (void *const[]){ got },
				    NULL));
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
	enpu_model_destroy(m);
	/* format 1.1 without the section is damaged, not old */
	memcpy(copy, self->data, self->size);
	m = NULL;
	ASSERT_EQ(0, enpu_file_read(self->data, self->size, NULL, &m));
	ASSERT_EQ(0, old_format_1_2(copy, self->size, old_format_slot(m)));
	enpu_model_destroy(m);
	size = without_layer_options(copy, self->size, 1);
	enpu_model_destroy(self->m);
	self->m = NULL;
	EXPECT_EQ(-EINVAL, enpu_model_load_mem(NULL, copy, size, NULL, &self->m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "no LAYER_OPTIONS section"))
		TH_LOG("%s", enpu_last_error());
	free(copy);
}

/*
 * A format 1.2 plan's two prefetch slots become a ring of both: each step's
 * prefetched layers at the slots' starts in turn, as 1.2 placed them.
 */
TEST_F(file, format_1_2_slots_become_a_ring)
{
	struct enpu_model *m = NULL;
	uint32_t slot;
	size_t st, k, seen = 0;

	ASSERT_EQ(0, enpu_file_read(self->data, self->size, NULL, &m));
	slot = old_format_slot(m);
	ASSERT_LT(0, slot);
	enpu_model_destroy(m);
	ASSERT_EQ(0, old_format_1_2(self->data, self->size, slot));
	ASSERT_EQ(0, enpu_file_read(self->data, self->size, NULL, &self->m))
		TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(2 * slot, self->m->npu->ring_bytes);
	EXPECT_EQ((uint64_t)self->m->npu->sram_act_bytes + 2 * slot,
		  enpu_model_sram_bytes(self->m));
	for (st = 0; st < self->m->num_steps; st++) {
		unsigned int q = 0;

		for (k = self->m->steps[st].first;
		     k < self->m->steps[st].first + self->m->steps[st].count; k++) {
			int pf = self->m->npu->prefetch[self->m->order[k]];

			if (pf < 0)
				continue;
			EXPECT_EQ((int)((q++ % 2) * slot), pf);
			seen++;
		}
	}
	EXPECT_LT(2, seen);
	/* a slot larger than half the SRAM is no 1.2 plan, even with room above the activations */
	slot = (uint32_t)(self->m->target.sram_size / 2 + 64);
	ASSERT_GE(self->m->target.sram_size, self->m->npu->sram_act_bytes + (uint64_t)slot);
	ASSERT_EQ(0, old_format_1_2(self->data, self->size, slot));
	enpu_model_destroy(self->m);
	self->m = NULL;
	EXPECT_EQ(-EINVAL, enpu_file_read(self->data, self->size, NULL, &self->m));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "out of range")) TH_LOG("%s", enpu_last_error());
}

TEST(cpu_backend_model_cannot_be_saved)
{
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	char path[600];
	void *data = NULL;
	size_t size;

	snprintf(path, sizeof(path), "%s/hello_world_int8.tflite", models_dir());
	if (access(path, R_OK))
		SKIP(return, "%s is not there", path);
	ASSERT_EQ(0, enpu_model_load_tflite(path, &g));
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &m));
	EXPECT_EQ(-EINVAL, enpu_model_save_mem(m, &data, &size));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "compile it for a device or a target"));
	EXPECT_EQ(NULL, data);
	enpu_model_destroy(m);
	enpu_graph_destroy(g);
}

/* ---- the compile cache ---- */

FIXTURE(cache) {
	char dir[64];
	struct enpu_target t;
	struct enpu_model *planned;
	uint8_t source[32], key[32];
};

FIXTURE_SETUP(cache)
{
	struct enpu_graph *g = NULL;
	char path[600];

	snprintf(self->dir, sizeof(self->dir), "/tmp/enpu-cache-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	setenv("EDGENPU_CACHE_DIR", self->dir, 1);
	unsetenv("EDGENPU_CACHE_DISABLE");
	unsetenv("EDGENPU_CACHE_MAX_SIZE");
	snprintf(path, sizeof(path), "%s/hello_world_int8.tflite", models_dir());
	if (access(path, R_OK))
		SKIP(return, "%s is not there", path);
	enpu_target_default(&self->t);
	ASSERT_EQ(0, enpu_model_load_tflite(path, &g));
	ASSERT_EQ(0, enpu_model_compile_target(&self->t, g, NULL, &self->planned));
	enpu_graph_destroy(g);
	memset(self->source, 0x5a, sizeof(self->source));
	self->planned->has_source = 1;
	memcpy(self->planned->source_sha256, self->source, 32);
	enpu_cache_key(self->source, &self->t, 0, self->key);
}

FIXTURE_TEARDOWN(cache)
{
	char cmd[128];

	enpu_model_destroy(self->planned);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		ksft_print_msg("could not remove %s\n", self->dir);
	unsetenv("EDGENPU_CACHE_DIR");
}

static int entries(const char *dir)
{
	struct dirent *d;
	int n = 0;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp)))
		n += d->d_name[0] != '.';
	if (dp)
		closedir(dp);
	return n;
}

TEST_F(cache, hit_after_store_and_key_covers_everything)
{
	struct enpu_model *m = NULL;
	struct enpu_target other = self->t;
	uint8_t k2[32];
	char why[64];

	EXPECT_EQ(0, enpu_cache_lookup(&self->t, self->key, self->source, NULL, &m));
	EXPECT_EQ(NULL, m);
	enpu_cache_store(self->planned, self->key);
	EXPECT_EQ(1, entries(self->dir));
	EXPECT_EQ(0, enpu_cache_lookup(&self->t, self->key, self->source, NULL, &m));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(ENPU_ORIGIN_CACHE, enpu_model_origin(m));
	EXPECT_TRUE(same_plan(self->planned, m, why)) TH_LOG("%s", why);
	enpu_model_destroy(m);
	/* another target, other flags, another model: other keys */
	other.sram_size /= 2;
	enpu_cache_key(self->source, &other, 0, k2);
	EXPECT_NE(0, memcmp(k2, self->key, 32));
	enpu_cache_key(self->source, &self->t, ENPU_COMPILE_NO_SRAM, k2);
	EXPECT_NE(0, memcmp(k2, self->key, 32));
	k2[0] = self->source[0] ^ 1;
	memcpy(k2 + 1, self->source + 1, 31);
	enpu_cache_key(k2, &self->t, 0, k2);
	EXPECT_NE(0, memcmp(k2, self->key, 32));
}

/* The entry's own path: the only file in the cache. */
static void only_entry(const char *dir, char *path, size_t len)
{
	struct dirent *d;
	DIR *dp = opendir(dir);

	path[0] = 0;
	while (dp && (d = readdir(dp)))
		if (d->d_name[0] != '.' && strlen(dir) + strlen(d->d_name) + 2 <= len)
			sprintf(path, "%s/%s", dir, d->d_name);
	if (dp)
		closedir(dp);
}

TEST_F(cache, damaged_entry_is_removed)
{
	struct enpu_model *m = NULL;
	char path[400];
	FILE *f;

	enpu_cache_store(self->planned, self->key);
	only_entry(self->dir, path, sizeof(path));
	f = fopen(path, "r+");
	ASSERT_NE(NULL, f);
	fseek(f, 200, SEEK_SET);
	fputc(0xee, f);
	fclose(f);
	EXPECT_EQ(0, enpu_cache_lookup(&self->t, self->key, self->source, NULL, &m));
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(0, entries(self->dir));
}

TEST_F(cache, stale_entry_is_removed)
{
	struct enpu_model *m = NULL;
	struct enpu_compile_options opt = { .size = sizeof(opt), .flags = ENPU_COMPILE_NO_SRAM };
	uint8_t other[32];

	/* stored under this key, but for another source (a key collision or a lie) */
	enpu_cache_store(self->planned, self->key);
	memset(other, 0x33, sizeof(other));
	EXPECT_EQ(0, enpu_cache_lookup(&self->t, self->key, other, NULL, &m));
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(0, entries(self->dir));
	/* or other flags */
	enpu_cache_store(self->planned, self->key);
	EXPECT_EQ(0, enpu_cache_lookup(&self->t, self->key, self->source, &opt, &m));
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(0, entries(self->dir));
}

TEST_F(cache, disabled_by_the_environment)
{
	struct enpu_model *m = NULL;

	setenv("EDGENPU_CACHE_DISABLE", "1", 1);
	enpu_cache_store(self->planned, self->key);
	EXPECT_EQ(0, entries(self->dir));
	unsetenv("EDGENPU_CACHE_DISABLE");
	enpu_cache_store(self->planned, self->key);
	setenv("EDGENPU_CACHE_DISABLE", "true", 1);
	EXPECT_EQ(0, enpu_cache_lookup(&self->t, self->key, self->source, NULL, &m));
	EXPECT_EQ(NULL, m);
	EXPECT_EQ(1, entries(self->dir));
	unsetenv("EDGENPU_CACHE_DISABLE");
}

TEST_F(cache, bounded_least_recently_used_first)
{
	uint8_t k[32];
	void *data;
	size_t size;
	char max[32];
	int i;

	ASSERT_EQ(0, enpu_model_save_mem(self->planned, &data, &size));
	free(data);
	/* room for three entries */
	snprintf(max, sizeof(max), "%zu", 3 * size + size / 2);
	setenv("EDGENPU_CACHE_MAX_SIZE", max, 1);
	for (i = 0; i < 5; i++) {
		char path[200], hexk[65];
		struct timespec ts[2] = { { .tv_sec = 1000000 + i }, { .tv_sec = 1000000 + i } };

		memcpy(k, self->key, 32);
		k[0] = (uint8_t)i;
		enpu_cache_store(self->planned, k);
		hex(k, hexk);
		snprintf(path, sizeof(path), "%s/%s.enpu", self->dir, hexk);
		/* each a second older than the next */
		utimensat(AT_FDCWD, path, ts, 0);
	}
	EXPECT_EQ(3, entries(self->dir));
	/* the two oldest went */
	for (i = 0; i < 5; i++) {
		char path[200], hexk[65];

		memcpy(k, self->key, 32);
		k[0] = (uint8_t)i;
		hex(k, hexk);
		snprintf(path, sizeof(path), "%s/%s.enpu", self->dir, hexk);
		EXPECT_EQ(i >= 2, !access(path, F_OK)) TH_LOG("entry %d", i);
	}
	unsetenv("EDGENPU_CACHE_MAX_SIZE");
}

TEST_F(cache, abandoned_temporaries_are_cleaned)
{
	char path[200];
	struct timespec old[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };
	FILE *f;

	snprintf(path, sizeof(path), "%s/abc.enpu.XXXXXX", self->dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("half", f);
	fclose(f);
	utimensat(AT_FDCWD, path, old, 0);
	enpu_cache_store(self->planned, self->key);
	EXPECT_NE(0, access(path, F_OK));
	EXPECT_EQ(1, entries(self->dir));
}

TEST_HARNESS_MAIN
