// SPDX-License-Identifier: MIT
/*
 * Compiled-model files and the compile cache on the device (in the VM):
 * every shared model compiled with no device, written and loaded, gives
 * on the NPU the bits of the model compiled on the device; a file for
 * another target is refused with what differs and what to do; the cache
 * hits, rebuilds a damaged entry, can be turned off, and is shared safely
 * by processes loading at once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"

#define MODELS	"/usr/share/edgenpu/models"
#define PD	MODELS "/person_detect.tflite"

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Runs @m once on seeded inputs; the outputs concatenated (malloc'd), NULL on error. */
static uint8_t *run_once(struct enpu_model *m, uint64_t seed, size_t *total)
{
	size_t ni = enpu_model_num_inputs(m), no = enpu_model_num_outputs(m), i, k, off = 0;
	struct enpu_tensor_info info;
	const void *ins[8] = { 0 };
	void *outs[8];
	uint8_t *all = NULL;

	*total = 0;
	if (ni > 8 || no > 8)
		return NULL;
	for (i = 0; i < ni; i++) {
		uint8_t *p;

		enpu_model_input_info(m, i, &info);
		p = malloc(info.bytes);
		for (k = 0; p && k < info.bytes; k++)
			p[k] = (uint8_t)(splitmix64(&seed) >> 56);
		ins[i] = p;
	}
	for (i = 0; i < no; i++) {
		enpu_model_output_info(m, i, &info);
		*total += info.bytes;
	}
	all = calloc(1, *total + 1);
	for (i = 0; all && i < no; i++) {
		enpu_model_output_info(m, i, &info);
		outs[i] = all + off;
		off += info.bytes;
	}
	if (all && enpu_model_run(m, ins, outs, NULL)) {
		free(all);
		all = NULL;
	}
	for (i = 0; i < ni; i++)
		free((void *)ins[i]);
	return all;
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

TEST(every_shared_model_compiled_offline_runs_the_same)
{
	struct enpu_device *dev = NULL;
	struct enpu_target t, have;
	struct dirent **ents;
	int n, i, done = 0;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	n = scandir(MODELS, &ents, NULL, alphasort);
	if (n <= 0) {
		enpu_close(dev);
		SKIP(return, "no models in %s", MODELS);
	}
	/* the contract's default SKU, as a developer's machine would use */
	enpu_target_default(&t);
	ASSERT_EQ(0, enpu_target_from_device(dev, &have));
	if (t.sram_size != have.sram_size || t.macs_per_cycle != have.macs_per_cycle ||
	    t.clock_mhz != have.clock_mhz) {
		ksft_print_msg("the device is not the default SKU: compiling for its capabilities\n");
		t = have;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name), b1 = 0, b2 = 0, b3 = 0, size = 0;
		struct enpu_graph *g = NULL;
		struct enpu_model *off = NULL, *file = NULL, *ondev = NULL, *cpu = NULL;
		uint8_t *o1, *o2, *o3;
		void *data = NULL;
		char path[512];

		if (len < 8 || strcmp(name + len - 7, ".tflite")) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", MODELS, name);
		ASSERT_EQ(0, enpu_model_load_tflite(path, &g)) TH_LOG("%s", enpu_last_error());
		ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &off));
		ASSERT_EQ(0, enpu_model_save_mem(off, &data, &size));
		ASSERT_EQ(0, enpu_model_load_mem(dev, data, size, NULL, &file))
			TH_LOG("%s: %s", name, enpu_last_error());
		EXPECT_EQ(ENPU_ORIGIN_FILE, enpu_model_origin(file));
		ASSERT_EQ(0, enpu_model_compile(dev, g, NULL, &ondev));
		ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &cpu));
		o1 = run_once(file, 11, &b1);
		o2 = run_once(ondev, 11, &b2);
		o3 = run_once(cpu, 11, &b3);
		ASSERT_NE(NULL, o1) TH_LOG("%s: %s", name, enpu_last_error());
		ASSERT_NE(NULL, o2);
		ASSERT_NE(NULL, o3);
		ASSERT_EQ(b1, b2);
		EXPECT_EQ(0, memcmp(o1, o2, b1)) TH_LOG("%s: file and on-device compile differ", name);
		EXPECT_EQ(0, memcmp(o1, o3, b1)) TH_LOG("%s: file on the NPU and CPU differ", name);
		ksft_print_msg("%s: %zu-byte file, same bits as compiled on the device\n", name,
			       size);
		done++;
		free(o1);
		free(o2);
		free(o3);
		free(data);
		enpu_model_destroy(off);
		enpu_model_destroy(file);
		enpu_model_destroy(ondev);
		enpu_model_destroy(cpu);
		enpu_graph_destroy(g);
		free(ents[i]);
	}
	free(ents);
	enpu_close(dev);
	EXPECT_LT(0, done);
}

TEST(file_for_another_target_is_refused)
{
	struct enpu_device *dev = NULL;
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL, *back = NULL;
	struct enpu_target t;
	void *data = NULL;
	size_t size = 0;

	if (access(PD, R_OK))
		SKIP(return, "no %s", PD);
	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_target_from_device(dev, &t));
	t.sram_size /= 2;
	snprintf(t.name, sizeof(t.name), "half-sram");
	ASSERT_EQ(0, enpu_model_load_tflite(PD, &g));
	ASSERT_EQ(0, enpu_model_compile_target(&t, g, NULL, &m));
	ASSERT_EQ(0, enpu_model_save_mem(m, &data, &size));
	EXPECT_EQ(-ENODEV, enpu_model_load_mem(dev, data, size, NULL, &back));
	EXPECT_EQ(NULL, back);
	EXPECT_NE(NULL, strstr(enpu_last_error(), "compiled for target 'half-sram'"))
		TH_LOG("%s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), "sram_size")) TH_LOG("%s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), "edgenpu-compile -d"));
	/* the same file still runs on the CPU backend */
	EXPECT_EQ(0, enpu_model_load_mem(NULL, data, size, NULL, &back));
	enpu_model_destroy(back);
	free(data);
	enpu_model_destroy(m);
	enpu_graph_destroy(g);
	enpu_close(dev);
}

FIXTURE(cache) {
	char dir[64];
	struct enpu_device *dev;
};

FIXTURE_SETUP(cache)
{
	if (access(PD, R_OK))
		SKIP(return, "no %s", PD);
	snprintf(self->dir, sizeof(self->dir), "/tmp/enpu-vmcache-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	setenv("EDGENPU_CACHE_DIR", self->dir, 1);
	unsetenv("EDGENPU_CACHE_DISABLE");
	ASSERT_EQ(0, enpu_open(&self->dev, NULL)) TH_LOG("%s", enpu_last_error());
}

FIXTURE_TEARDOWN(cache)
{
	char cmd[128];

	enpu_close(self->dev);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (self->dir[0] && system(cmd))
		ksft_print_msg("could not remove %s\n", self->dir);
	unsetenv("EDGENPU_CACHE_DIR");
	unsetenv("EDGENPU_CACHE_DISABLE");
}

/* Loads person_detect; its origin, its output on seed 5 in @out (16 bytes). */
static int load_pd(struct enpu_device *dev, uint8_t *out, enum enpu_model_origin *origin)
{
	struct enpu_model *m = NULL;
	uint8_t *o;
	size_t b = 0;

	if (enpu_model_load(dev, PD, NULL, &m))
		return -1;
	*origin = enpu_model_origin(m);
	o = run_once(m, 5, &b);
	enpu_model_destroy(m);
	if (!o || b > 16)
		return free(o), -1;
	memcpy(out, o, b);
	free(o);
	return 0;
}

TEST_F(cache, hit_damaged_and_disabled)
{
	enum enpu_model_origin origin;
	uint8_t first[16] = { 0 }, again[16] = { 0 };
	struct dirent *d;
	char entry[400] = "";
	DIR *dp;
	FILE *f;

	ASSERT_EQ(0, load_pd(self->dev, first, &origin)) TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(ENPU_ORIGIN_COMPILED, origin);
	ASSERT_EQ(1, entries(self->dir));
	ASSERT_EQ(0, load_pd(self->dev, again, &origin));
	EXPECT_EQ(ENPU_ORIGIN_CACHE, origin);
	EXPECT_EQ(0, memcmp(first, again, sizeof(first)));

	/* a damaged entry is compiled again and replaced */
	dp = opendir(self->dir);
	ASSERT_NE(NULL, dp);
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.')
			snprintf(entry, sizeof(entry), "%s/%.300s", self->dir, d->d_name);
	closedir(dp);
	f = fopen(entry, "r+");
	ASSERT_NE(NULL, f);
	fseek(f, 4096, SEEK_SET);
	fputc(0x5a ^ fgetc(f), f);
	fclose(f);
	memset(again, 0, sizeof(again));
	ASSERT_EQ(0, load_pd(self->dev, again, &origin));
	EXPECT_EQ(ENPU_ORIGIN_COMPILED, origin);
	EXPECT_EQ(0, memcmp(first, again, sizeof(first)));
	EXPECT_EQ(1, entries(self->dir));
	ASSERT_EQ(0, load_pd(self->dev, again, &origin));
	EXPECT_EQ(ENPU_ORIGIN_CACHE, origin);

	/* turned off: compiled, nothing read or written */
	unlink(entry);
	setenv("EDGENPU_CACHE_DISABLE", "1", 1);
	ASSERT_EQ(0, load_pd(self->dev, again, &origin));
	EXPECT_EQ(ENPU_ORIGIN_COMPILED, origin);
	EXPECT_EQ(0, entries(self->dir));
}

/* Four processes load the same model into an empty cache at once. */
TEST_F(cache, processes_loading_at_once)
{
	enum enpu_model_origin origin;
	uint8_t want[16] = { 0 };
	pid_t pids[4];
	int i, ok = 0, pipefd[2];
	char go;

	/* the expected bits, from the CPU backend with the cache off */
	{
		struct enpu_model *cpu = NULL;
		uint8_t *o;
		size_t b = 0;

		ASSERT_EQ(0, enpu_model_load(NULL, PD, NULL, &cpu));
		o = run_once(cpu, 5, &b);
		ASSERT_NE(NULL, o);
		memcpy(want, o, b);
		free(o);
		enpu_model_destroy(cpu);
	}
	ASSERT_EQ(0, pipe(pipefd));
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct enpu_device *dev = NULL;
			uint8_t got[16] = { 0 };

			close(pipefd[1]);
			/* all start together */
			if (read(pipefd[0], &go, 1) < 0)
				_exit(3);
			if (enpu_open(&dev, NULL) || load_pd(dev, got, &origin))
				_exit(2);
			enpu_close(dev);
			_exit(memcmp(got, want, sizeof(got)) ? 1 : 0);
		}
	}
	close(pipefd[0]);
	close(pipefd[1]);	/* EOF releases them all */
	for (i = 0; i < 4; i++) {
		int st = 0;

		ASSERT_EQ(pids[i], waitpid(pids[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("child %d: status %d", i, st);
		ok += WIFEXITED(st) && !WEXITSTATUS(st);
	}
	EXPECT_EQ(4, ok);
	/* one entry, no temporaries left, and it is used */
	EXPECT_EQ(1, entries(self->dir));
	ASSERT_EQ(0, load_pd(self->dev, want, &origin));
	EXPECT_EQ(ENPU_ORIGIN_CACHE, origin);
}

TEST_HARNESS_MAIN
