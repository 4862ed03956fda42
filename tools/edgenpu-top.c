// SPDX-License-Identifier: MIT
/*
 * edgenpu-top: what the EdgeNPUs are doing, as intel_gpu_top and nvtop
 * show GPUs: per device its busy share and jobs per second (sysfs
 * npu_busy_time_us and npu_jobs), per process with the device open its
 * busy share, jobs, modelled cycles and buffer memory (DRM fdinfo:
 * drm-engine-npu, edgenpu-jobs, drm-cycles-npu, drm-total-memory,
 * drm-resident-memory). Figures are deltas over each interval, each over
 * the time between its own two readings.
 * Refreshes the terminal; with -n or when the output is not a terminal,
 * prints samples as text, or with -J as one JSON object a line.
 * Another user's processes are seen only by root (their fdinfo is private).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVS	16
#define MAX_CLIENTS	1024

struct client {
	int pid;
	unsigned long long id;		/* drm-client-id */
	char comm[32];
	unsigned long long busy_ns, jobs, cycles, total, resident;
	int seen;
	int fd;			/* the process's file descriptor of the device */
	double t;		/* when its fdinfo was read (seconds, monotonic) */
};

struct dev {
	int minor;
	char bus[64];
	unsigned long long busy_us, jobs;
	double t;		/* when its counters were read */
	struct client c[MAX_CLIENTS];
	int nc;
};

struct sample {
	struct dev d[MAX_DEVS];
	int nd;
	double t;		/* seconds, monotonic */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_ull(const char *path, unsigned long long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%llu", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* Whether accel minor @minor is driven by edgenpu; its bus name in @bus. */
static int is_edgenpu(int minor, char *bus, size_t len)
{
	char path[128], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/driver", minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	base = strrchr(link, '/');
	if (strcmp(base ? base + 1 : link, "edgenpu"))
		return 0;
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device", minor);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	base = strrchr(link, '/');
	snprintf(bus, len, "%s", base ? base + 1 : "?");
	return 1;
}

static int by_minor(const void *a, const void *b)
{
	return ((const struct dev *)a)->minor - ((const struct dev *)b)->minor;
}

/* The device nodes to watch: @only (a path or accelN), or every EdgeNPU, by minor. */
static int find_devs(struct sample *s, const char *only)
{
	struct dirent *e;
	DIR *d = opendir("/sys/class/accel");
	int minor;

	s->nd = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) && s->nd < MAX_DEVS) {
		struct dev *dv = &s->d[s->nd];

		if (sscanf(e->d_name, "accel%d", &minor) != 1)
			continue;
		if (only) {
			const char *b = strrchr(only, '/');

			if (strcmp(b ? b + 1 : only, e->d_name))
				continue;
		}
		if (!is_edgenpu(minor, dv->bus, sizeof(dv->bus)))
			continue;
		dv->minor = minor;
		s->nd++;
	}
	closedir(d);
	qsort(s->d, (size_t)s->nd, sizeof(s->d[0]), by_minor);
	return s->nd;
}

/* The minor of the accel node fd @fd of @pid points at, or -1. */
static int fd_minor(int pid, int fd)
{
	char path[128], link[128];
	ssize_t n;
	int minor;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	return sscanf(link, "/dev/accel/accel%d", &minor) == 1 ? minor : -1;
}

/* A size key's value in bytes (units none, KiB, MiB). */
static unsigned long long bytes_of(const char *v)
{
	char unit[16] = "";
	unsigned long long n = 0;

	if (sscanf(v, "%llu %15s", &n, unit) < 1)
		return 0;
	return !strcmp(unit, "KiB") ? n << 10 : !strcmp(unit, "MiB") ? n << 20 :
	       !strcmp(unit, "GiB") ? n << 30 : n;
}

/* Reads one fdinfo; 0 with @c filled if it is an edgenpu client. */
static int read_fdinfo(int pid, int fd, struct client *c)
{
	char path[128], line[256];
	int ours = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(c, 0, sizeof(*c));
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = 0;
		while (*v == '\t' || *v == ' ')
			v++;
		if (!strcmp(line, "drm-driver"))
			ours = !strncmp(v, "edgenpu", 7) && (v[7] == '\n' || !v[7]);
		else if (!strcmp(line, "drm-client-id"))
			c->id = strtoull(v, NULL, 10);
		else if (!strcmp(line, "drm-engine-npu"))
			c->busy_ns = strtoull(v, NULL, 10);
		else if (!strcmp(line, "drm-cycles-npu"))
			c->cycles = strtoull(v, NULL, 10);
		else if (!strcmp(line, "edgenpu-jobs"))
			c->jobs = strtoull(v, NULL, 10);
		else if (!strcmp(line, "drm-total-memory"))
			c->total = bytes_of(v);
		else if (!strcmp(line, "drm-resident-memory"))
			c->resident = bytes_of(v);
	}
	fclose(f);
	return ours ? 0 : -1;
}

static void read_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = 0;
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, (int)len, f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
}

/* Every process's edgenpu clients, by device; one entry per client id. */
static void scan_clients(struct sample *s)
{
	struct dirent *p, *fe;
	DIR *proc = opendir("/proc");
	int i;

	for (i = 0; i < s->nd; i++)
		s->d[i].nc = 0;
	while (proc && (p = readdir(proc))) {
		char fdir[64];
		int pid;
		DIR *fds;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		pid = atoi(p->d_name);
		snprintf(fdir, sizeof(fdir), "/proc/%d/fd", pid);
		fds = opendir(fdir);
		while (fds && (fe = readdir(fds))) {
			struct client c;
			int minor, k, dup = 0, fdn;
			struct dev *dv = NULL;

			if (!isdigit((unsigned char)fe->d_name[0]))
				continue;
			fdn = atoi(fe->d_name);
			minor = fd_minor(pid, fdn);
			for (i = 0; minor >= 0 && i < s->nd; i++)
				if (s->d[i].minor == minor)
					dv = &s->d[i];
			if (!dv || read_fdinfo(pid, fdn, &c))
				continue;
			c.t = now_s();
			c.fd = fdn;
			c.pid = pid;
			for (k = 0; k < dv->nc; k++)
				dup |= dv->c[k].id == c.id && dv->c[k].pid == c.pid;
			if (dup || dv->nc == MAX_CLIENTS)
				continue;
			read_comm(pid, c.comm, sizeof(c.comm));
			dv->c[dv->nc++] = c;
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
}

/*
 * A sample: the clients found first (a walk of /proc, which can take a
 * long while on a loaded machine), then each device's counters and, right
 * after them, its clients' counters read again, each with the time it
 * was read, so that a device and its clients are counted over the same
 * moments and their figures add up.
 */
static void take(struct sample *s)
{
	char path[128];
	int i, k;

	scan_clients(s);
	for (i = 0; i < s->nd; i++) {
		struct dev *d = &s->d[i];

		snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/npu_busy_time_us",
			 d->minor);
		if (read_ull(path, &d->busy_us))
			d->busy_us = 0;
		snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/npu_jobs", d->minor);
		if (read_ull(path, &d->jobs))
			d->jobs = 0;
		d->t = now_s();
		for (k = 0; k < d->nc; k++) {
			struct client *c = &d->c[k], n;

			/* gone, or the number reused since the walk: the walk's figures */
			if (!read_fdinfo(c->pid, c->fd, &n) && n.id == c->id) {
				c->busy_ns = n.busy_ns;
				c->jobs = n.jobs;
				c->cycles = n.cycles;
				c->total = n.total;
				c->resident = n.resident;
				c->t = now_s();
			}
		}
	}
	s->t = now_s();
}

/* The same client in the previous sample, or NULL (it opened the device since). */
static const struct client *before(const struct dev *prev, const struct client *c)
{
	int i;

	for (i = 0; prev && i < prev->nc; i++)
		if (prev->c[i].pid == c->pid && prev->c[i].id == c->id)
			return &prev->c[i];
	return NULL;
}

static double delta(unsigned long long now, unsigned long long then)
{
	return now >= then ? (double)(now - then) : 0.0;
}

/*
 * The time between two readings of the same counters. Each device's and
 * each client's counters are a rate over their own readings' times: a
 * scan of /proc can take a long while on a loaded machine, and a client
 * read late in one sample and early in the next would otherwise be
 * divided by the wrong interval (and its figures not add up to its
 * device's).
 */
static double span(double now, double then)
{
	return now > then ? now - then : 1e-9;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	putchar('"');
}

static void print_sample(const struct sample *prev, const struct sample *cur, int json,
			 int clear)
{
	double dt = cur->t - prev->t;
	int i, k;

	if (dt <= 0)
		dt = 1e-9;
	if (clear)
		printf("\033[H\033[2J");
	if (json)
		printf("{\"interval_s\":%.3f,\"devices\":[", dt);
	for (i = 0; i < cur->nd; i++) {
		const struct dev *d = &cur->d[i], *p = &prev->d[i];
		const double ddt = span(d->t, p->t);
		double busy = 100.0 * delta(d->busy_us, p->busy_us) / 1e6 / ddt;
		double jobs = delta(d->jobs, p->jobs) / ddt;

		if (json) {
			printf("%s{\"node\":\"accel%d\",\"bus\":", i ? "," : "", d->minor);
			json_str(d->bus);
			printf(",\"busy_pct\":%.2f,\"jobs_per_s\":%.1f,\"busy_time_us\":%llu,"
			       "\"jobs\":%llu,\"clients\":[", busy, jobs, d->busy_us, d->jobs);
		} else {
			printf("accel%d (%s): NPU busy %5.1f%%, %.1f jobs/s, over %.2f s\n",
			       d->minor, d->bus, busy, jobs, dt);
			printf("%8s %-16s %6s %9s %12s %10s %10s\n", "PID", "COMMAND", "BUSY%",
			       "JOBS/s", "MCYCLES/s", "MEM KiB", "RES KiB");
		}
		for (k = 0; k < d->nc; k++) {
			const struct client *c = &d->c[k], *b = before(p, c);
			const double cdt = b ? span(c->t, b->t) : 1;
			double cb = b ? 100.0 * delta(c->busy_ns, b->busy_ns) / 1e9 / cdt : 0;
			double cj = b ? delta(c->jobs, b->jobs) / cdt : 0;
			double cc = b ? delta(c->cycles, b->cycles) / cdt : 0;

			if (json) {
				printf("%s{\"pid\":%d,\"client_id\":%llu,\"command\":", k ? "," : "",
				       c->pid, c->id);
				json_str(c->comm);
				printf(",\"busy_pct\":%.2f,\"jobs_per_s\":%.1f,\"cycles_per_s\":%.0f,"
				       "\"memory_total\":%llu,\"memory_resident\":%llu,\"jobs\":%llu}",
				       cb, cj, cc, c->total, c->resident, c->jobs);
			} else {
				printf("%8d %-16.16s %6.1f %9.1f %12.3f %10llu %10llu\n", c->pid,
				       c->comm, cb, cj, cc / 1e6, c->total >> 10, c->resident >> 10);
			}
		}
		printf(json ? "]}" : "\n");
	}
	printf(json ? "]}\n" : "");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgenpu-top [-d DEVICE] [-i SECONDS] [-n SAMPLES] [-J]\n"
		"Show what the EdgeNPUs and the processes using them are doing.\n"
		"  -d, --device NODE   only this accel node (/dev/accel/accelN or accelN)\n"
		"  -i, --interval S    seconds between samples (default 1; 0.05 to 3600)\n"
		"  -n, --samples N     print N samples and exit (batch mode)\n"
		"  -J, --json          samples as JSON, one object a line\n"
		"  -h, --help          this help\n"
		"Figures: device busy %% and jobs/s (sysfs npu_busy_time_us, npu_jobs);\n"
		"per process busy %%, jobs/s, modelled cycles/s and buffer memory (DRM\n"
		"fdinfo). Other users' processes are shown to root only.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "samples", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct sample a, b;
	struct sample *prev = &a, *cur = &b, *t;
	const char *only = NULL;
	double interval = 1.0;
	long samples = -1, i;
	int c, json = 0, tty;
	char *end;

	while ((c = getopt_long(argc, argv, "d:i:n:Jh", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			only = optarg;
			break;
		case 'i':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(interval >= 0.05) ||
			    interval > 3600) {
				fprintf(stderr, "edgenpu-top: -i/--interval takes seconds from 0.05 "
					"to 3600, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			samples = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || samples < 1 || samples > 1000000) {
				fprintf(stderr, "edgenpu-top: -n/--samples takes a number from 1 to "
					"1000000, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'J':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!find_devs(prev, only)) {
		if (only)
			fprintf(stderr, "edgenpu-top: %s is not an EdgeNPU accel node (see "
				"/sys/class/accel)\n", only);
		else
			fprintf(stderr, "edgenpu-top: no EdgeNPU found: /sys/class/accel has no "
				"node driven by edgenpu (is edgenpu.ko loaded?)\n");
		return 1;
	}
	*cur = *prev;
	tty = isatty(STDOUT_FILENO) && samples < 0 && !json;
	take(prev);
	for (i = 0; samples < 0 || i < samples; i++) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (double)(time_t)interval) * 1e9),
		};

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		take(cur);
		print_sample(prev, cur, json, tty);
		t = prev;
		prev = cur;
		cur = t;
		*cur = *prev;
	}
	return 0;
}
