// SPDX-License-Identifier: MIT
/*
 * The compile cache: compiled-model files kept on disk so that a process
 * loading a TFLite model it (or any process of the user) loaded before
 * reads the compiled model instead of compiling again.
 *
 *  - Where: $EDGENPU_CACHE_DIR, else $XDG_CACHE_HOME/edgenpu, else
 *    $HOME/.cache/edgenpu (created 0700). EDGENPU_CACHE_DISABLE=1 (or true,
 *    yes) turns the cache off.
 *  - Key: SHA-256 over the model's bytes, the target's capabilities, the
 *    compile flags and this library's version; the entry is <key>.enpu. An
 *    entry is used only if it reads back clean (the file's own checks) and
 *    says it was written by this library version from the same model for
 *    the same target and flags; anything else is removed and compiled
 *    again.
 *  - Concurrency: entries are written to a temporary file in the cache
 *    directory and renamed into place, so a reader sees a whole old entry,
 *    a whole new one, or none; two processes missing at once both compile
 *    and the last rename wins.
 *  - Size: EDGENPU_CACHE_MAX_SIZE (bytes, or with a K, M or G suffix;
 *    default 256M). After a store the least recently used entries (a hit
 *    refreshes an entry's time) are removed until the cache fits, with
 *    temporary files a crashed writer left behind for over an hour.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "edgenpu_hw.h"
#include "internal.h"
#include "model_file.h"
#include "npu.h"
#include "sha256.h"

#define DEFAULT_MAX_SIZE	(256ull << 20)
#define MAX_ENTRY		(1ull << 30)
#define STALE_TMP_SECONDS	3600

static int env_true(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

/* The cache directory (created), or -1 when there is none to use. */
static int cache_dir(char *buf, size_t len)
{
	const char *dir = getenv("EDGENPU_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char parent[4096];
	int n;

	if (env_true("EDGENPU_CACHE_DISABLE"))
		return -1;
	if (dir && *dir) {
		n = snprintf(buf, len, "%s", dir);
		parent[0] = 0;
	} else if (xdg && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/edgenpu", xdg);
		snprintf(parent, sizeof(parent), "%s", xdg);
	} else if (home && home[0] == '/') {
		n = snprintf(buf, len, "%s/.cache/edgenpu", home);
		snprintf(parent, sizeof(parent), "%s/.cache", home);
	} else {
		return -1;
	}
	if (n < 0 || (size_t)n >= len - 80)
		return -1;
	if (parent[0] && mkdir(parent, 0700) && errno != EEXIST)
		return -1;
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

static uint64_t max_size(void)
{
	const char *v = getenv("EDGENPU_CACHE_MAX_SIZE");
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return DEFAULT_MAX_SIZE;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return DEFAULT_MAX_SIZE;
	switch (*end) {
	case 'K': case 'k':
		n <<= 10;
		end++;
		break;
	case 'M': case 'm':
		n <<= 20;
		end++;
		break;
	case 'G': case 'g':
		n <<= 30;
		end++;
		break;
	}
	return *end ? DEFAULT_MAX_SIZE : n;
}

void enpu_cache_key(const uint8_t source[32], const struct enpu_target *t, uint32_t flags,
		    uint8_t key[32])
{
	struct enpu_sha256 s;
	uint64_t caps[7] = {
		ENPU_VERSION_MAJOR(t->hw_version), ENPU_VERSION_MINOR(t->hw_version),
		t->macs_per_cycle, t->clock_mhz, t->dram_bw_mbps, t->sram_bw_mbps,
		t->sram_size,
	};
	uint8_t le[8 * 7 + 4];
	const char *ver = enpu_version_string();
	size_t i;
	int b;

	for (i = 0; i < 7; i++)
		for (b = 0; b < 8; b++)
			le[8 * i + (size_t)b] = (uint8_t)(caps[i] >> (8 * b));
	for (b = 0; b < 4; b++)
		le[56 + b] = (uint8_t)(flags >> (8 * b));
	enpu_sha256_init(&s);
	enpu_sha256_update(&s, "edgenpu compile cache 1", 23);
	enpu_sha256_update(&s, ver, strlen(ver) + 1);
	enpu_sha256_update(&s, source, 32);
	enpu_sha256_update(&s, le, sizeof(le));
	enpu_sha256_final(&s, key);
}

static void entry_path(char *buf, size_t len, const char *dir, const uint8_t key[32])
{
	char hex[65];
	int i;

	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	snprintf(buf, len, "%s/%s.enpu", dir, hex);
}

/* Reads regular file @path whole; NULL if it cannot. */
static void *slurp(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *p = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_ENTRY)
		goto out;
	p = malloc((size_t)st.st_size);
	while (p && got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			got += (size_t)n;
	}
	if (got != (size_t)st.st_size) {
		free(p);
		p = NULL;
	}
	*size = got;
out:
	close(fd);
	return p;
}

int enpu_cache_lookup(const struct enpu_target *have, const uint8_t key[32],
		      const uint8_t source[32], const struct enpu_compile_options *opt,
		      struct enpu_model **out)
{
	char dir[4096], path[4200], why[16];
	struct enpu_model *m = NULL;
	uint32_t flags = opt ? opt->flags : 0;
	size_t size = 0;
	void *data;

	*out = NULL;
	if (cache_dir(dir, sizeof(dir)))
		return 0;
	entry_path(path, sizeof(path), dir, key);
	data = slurp(path, &size);
	if (!data)
		return 0;
	if (enpu_file_read(data, size, opt, &m) || !m->has_source ||
	    memcmp(m->source_sha256, source, 32) || m->flags != flags ||
	    strcmp(m->written_by, enpu_version_string()) ||
	    enpu_target_compare(&m->target, have, why, sizeof(why))) {
		/* stale or damaged: compiled again and replaced */
		enpu_model_destroy(m);
		free(data);
		unlink(path);
		return 0;
	}
	free(data);
	utimensat(AT_FDCWD, path, NULL, 0);
	m->origin = ENPU_ORIGIN_CACHE;
	*out = m;
	return 0;
}

struct entry {
	char name[80];
	uint64_t size;
	time_t mtime;
};

static int by_age(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

/* Removes the oldest entries until the cache fits, and abandoned temporaries. */
static void evict(const char *dir, uint64_t max)
{
	struct entry *e = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t total = 0;
	struct dirent *d;
	time_t now = time(NULL);
	DIR *dp = opendir(dir);
	int dfd;

	if (!dp)
		return;
	dfd = dirfd(dp);
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name);
		const char *dot = strstr(d->d_name, ".enpu");
		struct stat st;

		if (!dot || len >= sizeof(e->name) ||
		    fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (dot[5]) {	/* a temporary: <key>.enpu.XXXXXX */
			if (now - st.st_mtime > STALE_TMP_SECONDS)
				unlinkat(dfd, d->d_name, 0);
			continue;
		}
		if (n == cap) {
			struct entry *ne = realloc(e, (cap * 2 + 16) * sizeof(*e));

			if (!ne)
				break;
			e = ne;
			cap = cap * 2 + 16;
		}
		memcpy(e[n].name, d->d_name, len + 1);	/* len < sizeof(name) */
		e[n].size = (uint64_t)st.st_size;
		e[n].mtime = st.st_mtime;
		total += e[n].size;
		n++;
	}
	if (total > max) {
		qsort(e, n, sizeof(*e), by_age);
		for (i = 0; i < n && total > max; i++)
			if (!unlinkat(dfd, e[i].name, 0))
				total -= e[i].size;
	}
	closedir(dp);
	free(e);
}

void enpu_cache_store(const struct enpu_model *m, const uint8_t key[32])
{
	char dir[4096], path[4200], tmp[4300];
	size_t size = 0, done = 0;
	void *data = NULL;
	int fd;

	if (cache_dir(dir, sizeof(dir)) || enpu_file_write(m, &data, &size))
		goto out;
	if (size > max_size())
		goto out;
	entry_path(path, sizeof(path), dir, key);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out;
	while (done < size) {
		ssize_t n = write(fd, (uint8_t *)data + done, size - done);

		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			done += (size_t)n;
	}
	if (close(fd) || done != size || rename(tmp, path))
		unlink(tmp);
	else
		evict(dir, max_size());
out:
	free(data);
}
