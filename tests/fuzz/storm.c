// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault storm: many injected faults -- hangs, DMA errors, MMU faults, lost
 * interrupts, lost doorbells -- on one process's high-priority jobs, while
 * two other processes run ordinary jobs on the normal queue. Every fault
 * is recovered (its job ends, with its status), every innocent job ends
 * OK with its output bit-exact and its fence signalled, and the device
 * resets no more often than the faults that need a reset (hangs, lost
 * doorbells).
 *
 * To be quick it reloads edgenpu.ko with job_timeout_ms=100 (the hang
 * check's period: a hang is seen after two), and puts the module back as
 * it was after. Prints what it did and how long recoveries took:
 *
 *   storm: 120 faults (hang 24, ...), 120 recovered, 3456 innocent jobs
 *   bit-exact, 41 resets; recovery median 231 ms, worst 612 ms
 *
 *   edgenpu_storm [--faults N] [--seed N]     (make stress: 1000 faults)
 *
 * Needs root (debugfs, the module) and a device with fault injection.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "edgenpu_job_util.h"

#define MS		20000	/* bound of every wait */
#define LEN		32768
#define TIMEOUT_MS	100	/* job_timeout_ms for the storm */

static const char *const kinds[] = {
	"hang@high", "dma-error@high", "mmu-fault@high", "drop-irq", "drop-doorbell",
};
enum { HANG, DMA, MMU, IRQ, DOORBELL, KINDS };

struct stats {
	atomic_ullong innocent_ok;
	atomic_ullong innocent_bad;
	atomic_int stop;
};

static const char *module_path(void)
{
	const char *p = getenv("EDGENPU_MODULE");

	return p && *p ? p : "/lib/modules/edgenpu/edgenpu.ko";
}

/*
 * Reloads edgenpu.ko with @params; 0 or -errno. (A coredump just dropped
 * lets go of the module a moment later: busy is retried for a while.)
 */
static int reload(const char *params)
{
	int64_t t0 = tnow_ms();
	int fd, ret;

	while (syscall(SYS_delete_module, "edgenpu", O_NONBLOCK) && errno != ENOENT) {
		if ((errno != EBUSY && errno != EAGAIN) || tnow_ms() - t0 > 10000) {
			ret = -errno;
			printf("# cannot unload edgenpu.ko: %s\n", strerror(-ret));
			return ret;
		}
		usleep(20000);
	}
	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* An innocent process: copies with a pattern of its own, each checked. */
static void innocent(struct stats *st, int id)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j;
	struct tbo a, b;
	uint32_t sync, round = 0, i;
	int fd = edgenpu_open(), fst;

	if (fd < 0 || tbo_create(fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &a) ||
	    tbo_create(fd, LEN, DRM_EDGENPU_BO_CREATE_MAP, &b) || tsyncobj_create(fd, &sync))
		_exit(10);
	tcs_copy(&cs, a.va, b.va, LEN);
	tcs_end(&cs);
	while (!atomic_load(&st->stop)) {
		round++;
		for (i = 0; i < LEN; i++)
			a.cpu[i] = (uint8_t)(i * 7 + round * 13 + id);
		memset(b.cpu, 0, LEN);
		j = (struct tjob){ .cs = &cs, .out_handle = sync };
		tjob_bo(&j, a.handle, 0);
		tjob_bo(&j, b.handle, 1);
		if (tsubmit(fd, &j, 1) || tjob_wait(fd, j.id, MS, &info) ||
		    tsyncobj_wait(fd, sync, 0, MS) || tsyncobj_fence_status(fd, sync, &fst) ||
		    tbo_wait(fd, b.handle, MS * 1000000ll)) {
			fprintf(stderr, "# innocent %d: job %u did not end\n", id, round);
			atomic_fetch_add(&st->innocent_bad, 1);
			continue;
		}
		for (i = 0; i < LEN && info.status == DRM_EDGENPU_JOB_OK && fst == 1; i++)
			if (b.cpu[i] != (uint8_t)(i * 7 + round * 13 + id))
				break;
		if (info.status != DRM_EDGENPU_JOB_OK || fst != 1 || i < LEN) {
			fprintf(stderr, "# innocent %d: job %u status %u fence %d byte %u\n",
				id, round, info.status, fst, i);
			atomic_fetch_add(&st->innocent_bad, 1);
		} else {
			atomic_fetch_add(&st->innocent_ok, 1);
		}
	}
	close(fd);
	_exit(0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t expected(int kind)
{
	switch (kind) {
	case HANG:
		return DRM_EDGENPU_JOB_TIMEOUT;
	case DMA:
		return DRM_EDGENPU_JOB_DMA_ERROR;
	case MMU:
		return DRM_EDGENPU_JOB_MMU_FAULT;
	default:
		return DRM_EDGENPU_JOB_OK;	/* the job itself is fine */
	}
}

int main(int argc, char **argv)
{
	unsigned int faults = 120, seed = 1, count[KINDS] = { 0 }, recovered = 0, f, k;
	int64_t *took, t0;
	struct drm_edgenpu_device_info dev;
	struct drm_edgenpu_job_info info;
	__u32 size = sizeof(dev);
	char devname[64], params[64];
	int fd, before, after, pid[2], i, status, bad = 0, old_timeout;
	struct tcs cs = { .n = 0 };
	struct stats *st;
	struct tjob j;
	struct tbo x;

	for (i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--faults"))
			faults = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoul(argv[i + 1], NULL, 0);
	}
	printf("TAP version 13\n1..1\n");
	fd = edgenpu_open();
	if (fd < 0 || edgenpu_query(fd, DRM_EDGENPU_QUERY_DEVICE, &dev, &size) ||
	    !(dev.hw_caps & ENPU_CAP_DEBUG) || geteuid() != 0 ||
	    access(module_path(), R_OK)) {
		printf("ok 1 fault_storm # SKIP needs root, the module file and fault injection (debug=on)\n");
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
		return 4;
	}
	close(fd);
	old_timeout = tparam_get("job_timeout_ms");
	snprintf(params, sizeof(params), "job_timeout_ms=%d", TIMEOUT_MS);
	if (reload(params)) {
		printf("not ok 1 fault_storm # cannot reload edgenpu.ko with %s\n", params);
		return 1;
	}
	fd = edgenpu_open();
	if (fd < 0 || tdev_name(NULL, devname, sizeof(devname)) ||
	    tbo_create(fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &x))
		return 1;
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	took = calloc(faults, sizeof(*took));
	if (st == MAP_FAILED || !took)
		return 1;
	memset(st, 0, sizeof(*st));
	tcoredumps_settle(devname);
	before = tresets(devname);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			innocent(st, i);
	}

	tcs_fill(&cs, x.va, 0x5f, 4096);
	tcs_end(&cs);
	srand(seed);
	for (f = 0; f < faults; f++) {
		k = (unsigned int)rand() % KINDS;
		if (tinject(devname, kinds[k])) {
			printf("# cannot arm %s\n", kinds[k]);
			bad = 1;
			break;
		}
		count[k]++;
		j = (struct tjob){ .cs = &cs, .priority = DRM_EDGENPU_PRIORITY_HIGH };
		tjob_bo(&j, x.handle, 1);
		t0 = tnow_ms();
		if (tsubmit(fd, &j, 1) || tjob_wait(fd, j.id, MS, &info)) {
			printf("# fault %u (%s): the job did not end\n", f, kinds[k]);
			bad = 1;
			break;
		}
		took[f] = tnow_ms() - t0;
		/* a lost interrupt or doorbell may hit an innocent job instead */
		if (info.status == expected(k) ||
		    ((k == IRQ || k == DOORBELL) && info.status == DRM_EDGENPU_JOB_OK)) {
			recovered++;
		} else {
			printf("# fault %u (%s): the job ended with %u\n", f, kinds[k], info.status);
			bad = 1;
		}
		/* a drop-irq or drop-doorbell that no one used is used up now */
		if ((k == IRQ || k == DOORBELL) && f + 1 == faults)
			tjob_wait(fd, j.id, MS, &info);
	}
	atomic_store(&st->stop, 1);
	for (i = 0; i < 2; i++) {
		if (waitpid(pid[i], &status, 0) != pid[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("# innocent process %d ended with 0x%x\n", i, status);
			bad = 1;
		}
	}
	after = tresets(devname);
	/* (a CPU mapping keeps the file, and the module, in use) */
	tbo_close(fd, &x);
	close(fd);
	tcoredumps_settle(devname);
	qsort(took, f, sizeof(*took), cmp_i64);
	printf("# storm: %u faults (hang %u, dma-error %u, mmu-fault %u, drop-irq %u, drop-doorbell %u), %u recovered, %llu innocent jobs bit-exact, %llu not, %d resets; recovery median %lld ms, worst %lld ms (guest wall time, job_timeout_ms %d)\n",
	       f, count[HANG], count[DMA], count[MMU], count[IRQ], count[DOORBELL], recovered,
	       (unsigned long long)atomic_load(&st->innocent_ok),
	       (unsigned long long)atomic_load(&st->innocent_bad), after - before,
	       f ? (long long)took[f / 2] : 0, f ? (long long)took[f - 1] : 0, TIMEOUT_MS);
	if (atomic_load(&st->innocent_bad) || !atomic_load(&st->innocent_ok))
		bad = 1;
	/* only hangs and lost doorbells need a reset */
	if (after - before > (int)(count[HANG] + count[DOORBELL])) {
		printf("# %d resets for %u hangs and %u lost doorbells\n", after - before,
		       count[HANG], count[DOORBELL]);
		bad = 1;
	}
	snprintf(params, sizeof(params), "job_timeout_ms=%d", old_timeout > 0 ? old_timeout : 500);
	if (reload(params)) {
		printf("# cannot reload edgenpu.ko with %s\n", params);
		bad = 1;
	}
	printf("%s 1 fault_storm\n", bad ? "not ok" : "ok");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", !bad, bad);
	free(took);
	return bad;
}
