// SPDX-License-Identifier: MIT
/*
 * Compile targets: what the compiler needs to know of an NPU, without the
 * NPU -- the hardware contract's default SKU, an open device's capability
 * registers, or a small text file of "key = value" lines (what
 * enpu_target_write() and `edgenpu-info --target` print).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgenpu_hw.h"
#include "edgenpu_timing.h"
#include "internal.h"

#define TARGET_SRAM_MAX	(64u << 20)	/* as the contract's SRAM_SIZE register allows */

ENPU_EXPORT void enpu_target_default(struct enpu_target *t)
{
	if (!t)
		return;
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "default");
	t->hw_version = ENPU_HW_VERSION;
	t->macs_per_cycle = ENPU_DEFAULT_MACS_PER_CYCLE;
	t->clock_mhz = ENPU_DEFAULT_CLOCK_MHZ;
	t->dram_bw_mbps = ENPU_DEFAULT_DRAM_BW_MBPS;
	t->sram_bw_mbps = ENPU_DEFAULT_SRAM_BW_MBPS;
	t->sram_size = ENPU_DEFAULT_SRAM_SIZE;
}

ENPU_EXPORT int enpu_target_from_device(struct enpu_device *dev, struct enpu_target *t)
{
	const struct enpu_device_info *di;
	const char *base;

	if (!dev || !t)
		return enpu_fail(-EINVAL, "enpu_target_from_device: NULL argument");
	di = &dev->info;
	base = strrchr(di->node, '/');
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%.31s", base ? base + 1 : di->node);
	t->hw_version = di->hw_version;
	/*
	 * Commands follow the contract's version, and a device may leave one
	 * out (its capability bit clear): such a device is the newest
	 * contract without it, so nothing compiled for it uses the command.
	 */
	if (!(di->hw_caps & ENPU_CAP_FUSED_LUT) &&
	    t->hw_version >= ENPU_VERSION(0, ENPU_FUSED_LUT_MINOR, 0))
		t->hw_version = ENPU_VERSION(0, ENPU_FUSED_LUT_MINOR - 1, 0);
	if (!(di->hw_caps & ENPU_CAP_ELTWISE) &&
	    t->hw_version >= ENPU_VERSION(0, ENPU_ELTWISE_MINOR, 0))
		t->hw_version = ENPU_VERSION(0, ENPU_ELTWISE_MINOR - 1, 0);
	if (!(di->hw_caps & ENPU_CAP_LUT) &&
	    t->hw_version >= ENPU_VERSION(0, ENPU_LUT_MINOR, 0))
		t->hw_version = ENPU_VERSION(0, ENPU_LUT_MINOR - 1, 1);
	t->macs_per_cycle = di->macs_per_cycle;
	t->clock_mhz = di->clock_mhz;
	t->dram_bw_mbps = di->dram_bw_mbps;
	t->sram_bw_mbps = di->sram_bw_mbps;
	t->sram_size = di->sram_size;
	return 0;
}

ENPU_EXPORT int enpu_target_check(const struct enpu_target *t)
{
	if (!t)
		return enpu_fail(-EINVAL, "enpu_target_check: NULL target");
	if (ENPU_VERSION_MAJOR(t->hw_version) != ENPU_HW_VERSION_MAJOR ||
	    ENPU_VERSION_MINOR(t->hw_version) > ENPU_HW_VERSION_MINOR)
		return enpu_fail(-EINVAL, "target '%s' has hardware contract %u.%u.%u; this "
				 "library compiles for %u.0 up to %u.%u",
				 t->name, ENPU_VERSION_MAJOR(t->hw_version),
				 ENPU_VERSION_MINOR(t->hw_version),
				 ENPU_VERSION_PATCH(t->hw_version), ENPU_HW_VERSION_MAJOR,
				 ENPU_HW_VERSION_MAJOR, ENPU_HW_VERSION_MINOR);
	if (!t->macs_per_cycle || !t->clock_mhz || !t->dram_bw_mbps || !t->sram_bw_mbps)
		return enpu_fail(-EINVAL, "target '%s': %s is 0", t->name,
				 !t->macs_per_cycle ? "macs_per_cycle" :
				 !t->clock_mhz ? "clock_mhz" :
				 !t->dram_bw_mbps ? "dram_bw_mbps" : "sram_bw_mbps");
	if (t->sram_size < 4096 || t->sram_size > TARGET_SRAM_MAX || t->sram_size % 4096)
		return enpu_fail(-EINVAL, "target '%s': sram_size %" PRIu64 " is not a multiple "
				 "of 4096 between 4096 and %u", t->name, t->sram_size,
				 TARGET_SRAM_MAX);
	return 0;
}

/* The file's keys, each a field of struct enpu_target. */
static const struct target_key {
	const char *key;
	size_t off;
	int wide;		/* uint64_t, else uint32_t */
} target_keys[] = {
	{ "hw_version", offsetof(struct enpu_target, hw_version), 0 },
	{ "macs_per_cycle", offsetof(struct enpu_target, macs_per_cycle), 0 },
	{ "clock_mhz", offsetof(struct enpu_target, clock_mhz), 0 },
	{ "dram_bw_mbps", offsetof(struct enpu_target, dram_bw_mbps), 0 },
	{ "sram_bw_mbps", offsetof(struct enpu_target, sram_bw_mbps), 0 },
	{ "sram_size", offsetof(struct enpu_target, sram_size), 1 },
};
#define NUM_KEYS	(sizeof(target_keys) / sizeof(target_keys[0]))

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* "0.3.0" for hw_version, else a decimal or 0x number. */
static int parse_value(const struct target_key *k, const char *v, uint64_t *out)
{
	unsigned int maj, min, pat;
	char *end;
	int n;

	if (!strcmp(k->key, "hw_version")) {
		if (sscanf(v, "%u.%u.%u%n", &maj, &min, &pat, &n) != 3 || v[n] ||
		    maj > 255 || min > 255 || pat > 255)
			return -1;
		*out = ENPU_VERSION(maj, min, pat);
		return 0;
	}
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 0);
	if (errno || *end || (!k->wide && *out > UINT32_MAX))
		return -1;
	return 0;
}

static int load_file(const char *path, FILE *f, struct enpu_target *t)
{
	char line[256], *key, *val, *eq;
	unsigned int seen = 0, lineno = 0;
	uint64_t v;
	size_t i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			return enpu_fail(-EINVAL, "%s:%u: line longer than %zu bytes", path,
					 lineno, sizeof(line) - 2);
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return enpu_fail(-EINVAL, "%s:%u: expected 'key = value', not '%s'",
					 path, lineno, key);
		*eq = 0;
		val = trim(eq + 1);
		key = trim(key);
		if (!strcmp(key, "name")) {
			if (strlen(val) >= sizeof(t->name) || !*val)
				return enpu_fail(-EINVAL, "%s:%u: a name has 1 to %zu characters",
						 path, lineno, sizeof(t->name) - 1);
			memset(t->name, 0, sizeof(t->name));
			memcpy(t->name, val, strlen(val));
			continue;
		}
		for (i = 0; i < NUM_KEYS; i++)
			if (!strcmp(key, target_keys[i].key))
				break;
		if (i == NUM_KEYS)
			return enpu_fail(-EINVAL, "%s:%u: unknown key '%s' (a target file has name, "
					 "hw_version, macs_per_cycle, clock_mhz, dram_bw_mbps, "
					 "sram_bw_mbps, sram_size)", path, lineno, key);
		if (seen & (1u << i))
			return enpu_fail(-EINVAL, "%s:%u: '%s' given twice", path, lineno, key);
		if (parse_value(&target_keys[i], val, &v))
			return enpu_fail(-EINVAL, "%s:%u: '%s' is not a valid %s (%s)", path,
					 lineno, val, key, i ? "number" : "version, like 0.3.0");
		seen |= 1u << i;
		if (target_keys[i].wide)
			*(uint64_t *)((char *)t + target_keys[i].off) = v;
		else
			*(uint32_t *)((char *)t + target_keys[i].off) = (uint32_t)v;
	}
	if (ferror(f))
		return enpu_fail(-EIO, "%s: read error", path);
	for (i = 0; i < NUM_KEYS; i++)
		if (!(seen & (1u << i)))
			return enpu_fail(-EINVAL, "%s: no '%s': a target file gives every capability "
					 "(edgenpu-info --target writes one on a machine with the NPU)",
					 path, target_keys[i].key);
	return enpu_target_check(t);
}

ENPU_EXPORT int enpu_target_load(const char *spec, struct enpu_target *t)
{
	FILE *f;
	int ret;

	if (!t)
		return enpu_fail(-EINVAL, "enpu_target_load: NULL target");
	if (!spec || !strcmp(spec, "default")) {
		enpu_target_default(t);
		return 0;
	}
	f = fopen(spec, "r");
	if (!f)
		return enpu_fail(-errno, "no target '%s' (%s): give 'default' or a target file "
				 "(edgenpu-info --target > FILE writes one on a machine with the NPU)",
				 spec, strerror(errno));
	ret = load_file(spec, f, t);
	fclose(f);
	return ret;
}

ENPU_EXPORT int enpu_target_write(const struct enpu_target *t, FILE *f)
{
	if (!t || !f)
		return enpu_fail(-EINVAL, "enpu_target_write: NULL argument");
	fprintf(f, "# EdgeNPU compile target (edgenpu-compile --target FILE)\n"
		"name = %s\nhw_version = %u.%u.%u\nmacs_per_cycle = %u\nclock_mhz = %u\n"
		"dram_bw_mbps = %u\nsram_bw_mbps = %u\nsram_size = %" PRIu64 "\n",
		t->name, ENPU_VERSION_MAJOR(t->hw_version), ENPU_VERSION_MINOR(t->hw_version),
		ENPU_VERSION_PATCH(t->hw_version), t->macs_per_cycle, t->clock_mhz,
		t->dram_bw_mbps, t->sram_bw_mbps, t->sram_size);
	return ferror(f) ? enpu_fail(-EIO, "cannot write the target") : 0;
}

ENPU_EXPORT uint64_t enpu_profile_roofline(const struct enpu_target *t,
					   const struct enpu_profile *p)
{
	struct enpu_sku sku;

	if (!t || !p)
		return 0;
	sku = (struct enpu_sku){
		.macs_per_cycle = t->macs_per_cycle, .clock_mhz = t->clock_mhz,
		.dram_bw_mbps = t->dram_bw_mbps, .sram_bw_mbps = t->sram_bw_mbps,
		.sram_size = (uint32_t)t->sram_size,
	};
	return enpu_t_roofline(&sku, p->macs, p->dram_read + p->dram_write,
			       p->sram_read + p->sram_write);
}
