// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu ioctl fuzzer: what the worst process in the render group can do
 * to the driver. It knows every ioctl of uapi/drm/edgenpu_accel.h and the
 * DRM core ioctls a render node offers (GEM close, PRIME, syncobjs), and
 * mixes valid and hostile values: sizes and counts at their edges, flags
 * and reserved fields, handles of another file and freed handles, user
 * pointers that are NULL, unmapped or read-only, VA ranges at the edges
 * of mappings, command streams built from the ISA (valid ones, and valid
 * ones with one field mutated), raw ioctl numbers with random bytes.
 * Several processes share a file and race submissions against closes,
 * unmaps, buffer frees and dma-buf export/import; as root a chaos thread
 * arms the device's fault injections and resets it through debugfs, and
 * max_pinned_mb is a quarter of RAM for the run.
 *
 * Deterministic from its seed (each worker's sequence of calls; the
 * interleaving of processes is the scheduler's): the seed is printed,
 * and --seed reproduces a run.
 *
 * After the run: every job ended (nothing left on a ring), the kernel log
 * holds no report, and the device still copies and computes bit-exactly.
 * Prints "fuzz: N ioctls, E errors returned, R reports" and TAP.
 *
 *   edgenpu_ioctl_fuzz [--seed N] [--ioctls N] [--seconds S] [--workers N]
 *
 * Defaults: 100,000 ioctls over 6 workers (each with a second thread that
 * destroys: more calls in flight than the guest has CPUs, since many of
 * them sleep in the kernel); $EDGENPU_FUZZ_IOCTLS and
 * $EDGENPU_FUZZ_SECONDS override them (make fuzz-ioctl FUZZ_SECONDS=N).
 * A count is also bounded by 20 minutes (a debug kernel on a loaded host
 * takes about 8 for the default count): the figures say what ran.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include "cmd_gen.h"
#include "fuzz_args.h"
#include "edgenpu_job_util.h"
#include "fuzz_rng.h"

#define MAX_WORKERS	8
#define POOL		48	/* handles, VAs, syncobjs, ids kept per worker */
#define STREAM_WORDS	2048
#define FUZZ_PINNED_MB	128ull	/* max_pinned_mb during a run (root) */

/* Counters shared by every worker process. */
struct shared {
	atomic_ullong ioctls;
	atomic_ullong errors;
	atomic_ullong jobs;
	atomic_ullong submits;
	atomic_ullong submit_errno[64];	/* how submissions failed */
	/* by ioctl number: calls and guest wall time inside them, all workers */
	atomic_ullong nr_calls[256];
	atomic_ullong nr_ns[256];
	atomic_int stop;
};

static struct shared *sh;
static char devname[64];

/* ---- randomness ------------------------------------------------------------ */

/* ---- a worker's world -------------------------------------------------------- */

struct bo {
	uint32_t handle;
	uint32_t fd_index;	/* the file it belongs to */
	uint64_t size;
	uint64_t va;		/* 0 when not mapped */
};

/* Each thread draws from its own generator, seeded from the run's seed. */
static __thread struct rng trng;
#define R (&trng)

struct world {
	int fd[2];		/* its own file; a file shared with the others */
	struct bo bo[POOL];
	uint32_t nbo;
	uint32_t sync[POOL];
	uint32_t nsync;
	uint64_t ids[POOL];
	uint32_t nids;
	void *ro_page;		/* readable, not writable */
	void *bad;		/* an address nothing maps */
	pthread_mutex_t lock;	/* the pools, between a worker's two threads */
	struct bo use[4];	/* the buffers the job being generated uses */
	uint32_t nuse;
	atomic_ulong ops;	/* the first thread's calls */
	sem_t tick;		/* posted every fourth: paces the second thread */
	uint64_t seed;		/* this worker's */
	uint64_t budget;	/* ioctls, all workers together */
	int64_t deadline_ms;
};

static int done(struct world *w)
{
	return atomic_load(&sh->stop) || atomic_load(&sh->ioctls) >= w->budget ||
	       tnow_ms() > w->deadline_ms;
}

/* Every ioctl goes through here: counted; a failure must be an errno. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	struct timespec t0, t1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ioctl(fd, req, arg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_fetch_add(&sh->nr_calls[_IOC_NR(req) & 255], 1);
	atomic_fetch_add(&sh->nr_ns[_IOC_NR(req) & 255],
			 (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull + t1.tv_nsec - t0.tv_nsec);
	atomic_fetch_add(&sh->ioctls, 1);
	if (ret) {
		atomic_fetch_add(&sh->errors, 1);
		return -errno;
	}
	return 0;
}

/* A handle to use: usually a live one, sometimes stale, foreign or noise. */
static uint32_t any_handle(struct world *w, uint32_t *fd_index)
{
	uint32_t i, h;

	*fd_index = below(R, 2);
	pthread_mutex_lock(&w->lock);
	if (w->nbo && chance(R, 85)) {
		i = below(R, w->nbo);
		*fd_index = chance(R, 90) ? w->bo[i].fd_index : !w->bo[i].fd_index;
		h = w->bo[i].handle;
	} else {
		h = chance(R, 50) ? below(R, 64) : edge32(R);
	}
	pthread_mutex_unlock(&w->lock);
	return h;
}

/* A user pointer: valid @good, or NULL, unmapped, read-only, misaligned. */
static uint64_t any_ptr(struct world *w, void *good)
{
	switch (chance(R, 85) ? 0 : below(R, 5)) {
	case 0:
		return (uintptr_t)good;
	case 1:
		return 0;
	case 2:
		return (uintptr_t)w->bad;
	case 3:
		return (uintptr_t)w->ro_page;
	default:
		return (uintptr_t)good + 1;
	}
}

/*
 * A VA for an operand of @len bytes: usually inside one of the buffers the
 * job lists, sometimes at their edges, past them, in SRAM, or noise.
 */
static uint32_t any_va(struct world *w, uint64_t len)
{
	struct bo b;

	if (!w->nuse || chance(R, 5))
		return chance(R, 50) ? ENPU_SRAM_VA_BASE + below(R, 4096) : edge32(R);
	b = w->use[below(R, w->nuse)];
	if (len > b.size)
		len = b.size;
	switch (chance(R, 92) ? 9 : below(R, 4)) {
	case 0:
		return (uint32_t)(b.va + b.size - len + 1);	/* one past */
	case 1:
		return (uint32_t)(b.va + b.size);		/* the guard page */
	case 2:
		return (uint32_t)b.va - 1;
	case 3:
		return (uint32_t)(b.va + b.size - len);	/* the last bytes */
	default:
		return (uint32_t)(b.va + (b.size > len ? below(R, b.size - len + 1) : 0));
	}
}

/*
 * Keeps @handle in the pool; a full pool closes the one it replaces (the
 * guest's memory bounds how many buffers a run may hold).
 */
static void add_bo(struct world *w, uint32_t handle, uint32_t fd_index,
		   uint64_t size, uint64_t va)
{
	struct drm_gem_close c = { 0 };
	uint32_t i, f = 0;

	pthread_mutex_lock(&w->lock);
	if (w->nbo < POOL) {
		w->bo[w->nbo++] = (struct bo){ handle, fd_index, size, va };
	} else {
		i = below(R, POOL);
		c.handle = w->bo[i].handle;
		f = w->bo[i].fd_index;
		w->bo[i] = (struct bo){ handle, fd_index, size, va };
	}
	pthread_mutex_unlock(&w->lock);
	if (c.handle)
		xioctl(w->fd[f], DRM_IOCTL_GEM_CLOSE, &c);
}

/* ---- the buffer and address-space ioctls ---------------------------------------- */

static void op_bo_create(struct world *w)
{
	static const uint64_t odd[] = {
		0, 1, 4095, 4097, 65537, (1ull << 30) + 1, 1ull << 40, ~0ull,
	};
	/*
	 * Now and then a buffer of a quarter of the pinning bound the run
	 * sets (FUZZ_PINNED_MB), or one far past it, refused before anything
	 * is pinned. Under KASAN and DMA-API debug every page costs, so the
	 * bound is small; big buffers holding most of it would make the
	 * others' submissions fail for want of pinnable memory.
	 */
	static const uint64_t huge[] = { FUZZ_PINNED_MB / 4 << 20, 1ull << 30 };
	struct drm_edgenpu_bo_create c = {
		.size = chance(R, 85) ? 4096u << below(R, 5) :
			chance(R, 97) ? odd[below(R, sizeof(odd) / sizeof(odd[0]))] :
			huge[below(R, 2)],
		.flags = chance(R, 85) ? DRM_EDGENPU_BO_CREATE_MAP |
			 (chance(R, 20) ? DRM_EDGENPU_BO_CREATE_READ_ONLY : 0) :
			 edge32(R),
		.handle = chance(R, 90) ? 0 : edge32(R),
		.va = chance(R, 90) ? 0 : edge64(R),
	};
	uint32_t f = chance(R, 80) ? 0 : 1;

	if (!xioctl(w->fd[f], DRM_IOCTL_EDGENPU_BO_CREATE, &c))
		add_bo(w, c.handle, f, c.size, c.va);
}

static void op_bo_info_mmap(struct world *w)
{
	struct drm_edgenpu_bo_info i = { 0 };
	uint32_t f;
	void *p;

	i.handle = any_handle(w, &f);
	i.flags = chance(R, 95) ? 0 : edge32(R);
	if (xioctl(w->fd[f], DRM_IOCTL_EDGENPU_BO_INFO, &i) || !chance(R, 30))
		return;
	/*
	 * Mapping a buffer gives it all its pages (the shmem helper), which
	 * are the process's memory, not pinned: a 1 GiB one in the 2 GiB
	 * guest had the OOM killer end two workers.
	 */
	if (i.size > FUZZ_PINNED_MB << 20)
		return;
	/* touch it through a CPU mapping, maybe past its end */
	p = mmap(NULL, i.size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd[f],
		 chance(R, 90) ? i.mmap_offset : i.mmap_offset + 4096);
	if (p == MAP_FAILED)
		return;
	((volatile uint8_t *)p)[below(R, i.size)] = (uint8_t)rnd(R);
	munmap(p, i.size);
}

static void op_bo_wait(struct world *w)
{
	struct drm_edgenpu_bo_wait bw = { 0 };
	uint32_t f;

	bw.handle = any_handle(w, &f);
	bw.flags = chance(R, 95) ? 0 : edge32(R);
	bw.timeout_ns = chance(R, 80) ? (int64_t)below(R, 3) * 1000000 :
					    (int64_t)edge64(R) % 2000000;
	xioctl(w->fd[f], DRM_IOCTL_EDGENPU_BO_WAIT, &bw);
}

static void op_vm_map(struct world *w)
{
	struct drm_edgenpu_vm_map m = { 0 };
	uint32_t f;

	m.handle = any_handle(w, &f);
	m.flags = chance(R, 90) ? below(R, 2) : edge32(R);
	if (!xioctl(w->fd[f], DRM_IOCTL_EDGENPU_VM_MAP, &m))
		add_bo(w, m.handle, f, 4096, m.va);
}

static void op_vm_unmap(struct world *w)
{
	struct drm_edgenpu_vm_unmap u = { 0 };
	uint32_t f = below(R, 2), i;

	pthread_mutex_lock(&w->lock);
	if (w->nbo && chance(R, 80)) {
		i = below(R, w->nbo);
		u.va = w->bo[i].va;
		f = w->bo[i].fd_index;
		w->bo[i].va = 0;
	} else {
		u.va = edge64(R);
	}
	pthread_mutex_unlock(&w->lock);
	u.flags = chance(R, 95) ? 0 : edge32(R);
	u.pad = chance(R, 95) ? 0 : edge32(R);
	xioctl(w->fd[f], DRM_IOCTL_EDGENPU_VM_UNMAP, &u);
}

static void op_gem_close(struct world *w)
{
	struct drm_gem_close c = { 0 };
	uint32_t f = below(R, 2), i;

	pthread_mutex_lock(&w->lock);
	if (w->nbo && chance(R, 80)) {
		i = below(R, w->nbo);
		c.handle = w->bo[i].handle;
		f = w->bo[i].fd_index;
		w->bo[i] = w->bo[--w->nbo];
	} else {
		c.handle = edge32(R);
	}
	pthread_mutex_unlock(&w->lock);
	xioctl(w->fd[f], DRM_IOCTL_GEM_CLOSE, &c);
}

/* dma-buf: export from one file, import into the other, maybe map it there. */
static void op_prime(struct world *w)
{
	struct drm_prime_handle h = { .fd = -1 };
	uint32_t f;

	h.handle = any_handle(w, &f);
	h.flags = chance(R, 90) ? DRM_CLOEXEC | (chance(R, 50) ? DRM_RDWR : 0) :
				      edge32(R);
	if (xioctl(w->fd[f], DRM_IOCTL_PRIME_HANDLE_TO_FD, &h))
		return;
	h.handle = 0;
	h.flags = 0;
	if (!xioctl(w->fd[!f], DRM_IOCTL_PRIME_FD_TO_HANDLE, &h)) {
		add_bo(w, h.handle, !f, 4096, 0);
		if (chance(R, 50))
			op_vm_map(w);
	}
	close(h.fd);
}

static void op_query(struct world *w)
{
	struct drm_edgenpu_device_info info;
	struct drm_edgenpu_query q = {
		.query = chance(R, 90) ? below(R, 2) : edge32(R),
		.size = chance(R, 50) ? sizeof(info) : edge32(R) % 256,
		.flags = chance(R, 95) ? 0 : edge32(R),
	};

	q.ptr = any_ptr(w, &info);
	xioctl(w->fd[below(R, 2)], DRM_IOCTL_EDGENPU_QUERY, &q);
}

static void op_job_info(struct world *w)
{
	struct drm_edgenpu_job_info i;

	memset(&i, 0, sizeof(i));
	i.job_id = w->nids && chance(R, 80) ? w->ids[below(R, w->nids)] :
						  edge64(R);
	i.flags = chance(R, 95) ? 0 : edge32(R);
	xioctl(w->fd[below(R, 2)], DRM_IOCTL_EDGENPU_JOB_INFO, &i);
}

static void op_syncobj(struct world *w)
{
	uint32_t f = below(R, 2), h;

	switch (below(R, 4)) {
	case 0: {
		struct drm_syncobj_create c = {
			.flags = chance(R, 50) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
		};

		if (!xioctl(w->fd[0], DRM_IOCTL_SYNCOBJ_CREATE, &c)) {
			pthread_mutex_lock(&w->lock);
			if (w->nsync < POOL)
				w->sync[w->nsync++] = c.handle;
			pthread_mutex_unlock(&w->lock);
		}
		break;
	}
	case 1: {
		struct drm_syncobj_destroy d = { 0 };

		pthread_mutex_lock(&w->lock);
		d.handle = w->nsync ? w->sync[below(R, w->nsync)] : edge32(R);
		pthread_mutex_unlock(&w->lock);
		xioctl(w->fd[0], DRM_IOCTL_SYNCOBJ_DESTROY, &d);
		break;
	}
	case 2: {
		struct drm_syncobj_wait sw = {
			.handles = (uintptr_t)&h, .count_handles = 1,
			.timeout_nsec = 0,
			.flags = chance(R, 50) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT : 0,
		};

		h = w->nsync ? w->sync[below(R, w->nsync)] : edge32(R);
		xioctl(w->fd[f], DRM_IOCTL_SYNCOBJ_WAIT, &sw);
		break;
	}
	default: {
		struct drm_syncobj_array a = {
			.handles = any_ptr(w, &h), .count_handles = 1,
		};

		h = w->nsync ? w->sync[below(R, w->nsync)] : edge32(R);
		xioctl(w->fd[f], chance(R, 50) ? DRM_IOCTL_SYNCOBJ_SIGNAL :
			DRM_IOCTL_SYNCOBJ_RESET, &a);
	}
	}
}

/* Any ioctl number of the driver's range, any size, random bytes. */
static void op_raw(struct world *w)
{
	uint64_t buf[64];
	unsigned int size = below(R, 200), i;
	unsigned long nr = DRM_COMMAND_BASE + below(R, 12);
	unsigned long req;

	for (i = 0; i < 64; i++)
		buf[i] = chance(R, 50) ? 0 : edge64(R);
	req = (chance(R, 50) ? _IOWR('d', nr, char[1]) : _IOW('d', nr, char[1]));
	req = (req & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | ((unsigned long)size << _IOC_SIZESHIFT);
	xioctl(w->fd[below(R, 2)], req, buf);
}

/* ---- command streams ------------------------------------------------------------- */

/* The generator's VA source: the buffers of the job being built. */
static uint32_t world_va(void *ctx, uint64_t len)
{
	return any_va(ctx, len);
}

static void op_submit(struct world *w)
{
	static __thread uint32_t streams[4][STREAM_WORDS];
	struct drm_edgenpu_bo_ref refs[4][8];
	struct drm_edgenpu_sync syncs[4][2];
	struct drm_edgenpu_job jobs[5];
	struct drm_edgenpu_submit s = { 0 };
	struct cmd_gen gen;
	uint32_t count = chance(R, 70) ? 1 : 2 + below(R, 3), j, b, hf;
	uint32_t f = chance(R, 85) ? 0 : 1;
	int err;

	memset(jobs, 0, sizeof(jobs));
	for (j = 0; j < count; j++) {
		struct drm_edgenpu_job *u = &jobs[j];
		uint32_t nb = 0, words, i, k;

		/* mapped buffers of the submitting file, listed for writing */
		w->nuse = 0;
		pthread_mutex_lock(&w->lock);
		for (k = 0; k < 8 && w->nbo && w->nuse < 1 + below(R, 3); k++) {
			i = below(R, w->nbo);
			if (w->bo[i].va && w->bo[i].fd_index == f)
				w->use[w->nuse++] = w->bo[i];
		}
		pthread_mutex_unlock(&w->lock);
		for (b = 0; b < w->nuse; b++, nb++) {
			refs[j][nb].handle = w->use[b].handle;
			refs[j][nb].flags = chance(R, 95) ? DRM_EDGENPU_BO_REF_WRITE : 0;
		}
		/* and now and then one more: any handle, any flags */
		if (chance(R, 15)) {
			refs[j][nb].handle = any_handle(w, &hf);
			refs[j][nb++].flags = chance(R, 50) ? 0 : edge32(R);
		}
		gen = (struct cmd_gen){ .r = R, .va = world_va, .ctx = w,
					.s = streams[j], .cap = STREAM_WORDS };
		words = cmd_gen_stream(&gen);
		u->cmd_ptr = any_ptr(w, streams[j]);
		u->cmd_size = chance(R, 90) ? words * 4 : edge32(R);
		u->bo_ptr = any_ptr(w, refs[j]);
		u->bo_count = chance(R, 95) ? nb : edge32(R);
		u->priority = chance(R, 85) ? DRM_EDGENPU_PRIORITY_NORMAL :
			      chance(R, 70) ? DRM_EDGENPU_PRIORITY_HIGH : edge32(R);
		if (w->nsync && chance(R, 10)) {
			syncs[j][0] = (struct drm_edgenpu_sync){
				.handle = w->sync[below(R, w->nsync)],
				.point = chance(R, 80) ? 0 : edge64(R) % 8,
			};
			u->in_syncs_ptr = any_ptr(w, syncs[j]);
			u->in_sync_count = chance(R, 95) ? 1 : edge32(R);
		}
		if (w->nsync && chance(R, 30)) {
			u->flags = DRM_EDGENPU_JOB_OUT_SYNC;
			u->out_sync.handle = w->sync[below(R, w->nsync)];
			u->out_sync.point = chance(R, 80) ? 0 : 1 + below(R, 8);
		}
		if (chance(R, 5))
			u->flags |= edge32(R);
		if (chance(R, 3))
			u->pad = edge32(R);
	}
	s.jobs_ptr = any_ptr(w, jobs);
	s.job_count = chance(R, 95) ? count : edge32(R);
	s.job_stride = chance(R, 90) ? sizeof(jobs[0]) : edge32(R) % 8192;
	s.flags = chance(R, 97) ? 0 : edge32(R);
	s.pad = chance(R, 97) ? 0 : edge32(R);
	atomic_fetch_add(&sh->submits, 1);
	err = xioctl(w->fd[f], DRM_IOCTL_EDGENPU_SUBMIT, &s);
	if (err)
		atomic_fetch_add(&sh->submit_errno[-err < 64 ? -err : 63], 1);
	if (!err) {
		atomic_fetch_add(&sh->jobs, s.job_count);
		pthread_mutex_lock(&w->lock);
		for (j = 0; j < count && j < s.job_count; j++)
			w->ids[w->nids++ % POOL] = jobs[j].job_id;
		if (w->nids > POOL)
			w->nids = POOL;
		pthread_mutex_unlock(&w->lock);
	}
}

/* ---- workers ------------------------------------------------------------------------ */

/* The second thread of a worker: frees, unmaps and closes under the first. */
static void *destroyer(void *arg)
{
	struct world *w = arg;

	trng.s = w->seed ^ 0x9e3779b97f4a7c15ull;
	while (!done(w)) {
		/*
		 * one destruction for every four calls of the first thread,
		 * asleep meanwhile (a spinning thread would take the guest's
		 * CPUs from the ones calling)
		 */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (sem_timedwait(&w->tick, &ts))
			continue;
		switch (below(R, 4)) {
		case 0:
			op_vm_unmap(w);
			break;
		case 1:
			op_gem_close(w);
			break;
		case 2:
			op_syncobj(w);
			break;
		default:
			op_bo_wait(w);
		}
	}
	return NULL;
}

static void worker(int index, uint64_t seed, int shared_fd, uint64_t budget,
		   int64_t deadline)
{
	struct world *w = calloc(1, sizeof(*w));
	pthread_t th;
	int k;

	if (!w)
		_exit(2);
	w->seed = seed * 0x9e3779b97f4a7c15ull + (uint64_t)index * 7919 + 1;
	trng.s = w->seed;
	w->budget = budget;
	w->deadline_ms = deadline;
	w->fd[0] = edgenpu_open();
	w->fd[1] = shared_fd;
	w->ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->bad = (void *)0x10000;
	pthread_mutex_init(&w->lock, NULL);
	sem_init(&w->tick, 0, 0);
	if (w->fd[0] < 0 || w->ro_page == MAP_FAILED)
		_exit(3);
	if (pthread_create(&th, NULL, destroyer, w))
		_exit(4);
	while (!done(w)) {
		if (!(atomic_fetch_add(&w->ops, 1) % 4))
			sem_post(&w->tick);
		switch (below(R, 16)) {
		case 0:
		case 1:
		case 2:
			op_bo_create(w);
			break;
		case 3:
			op_bo_info_mmap(w);
			break;
		case 4:
			op_vm_map(w);
			break;
		case 5:
			op_prime(w);
			break;
		case 6:
			op_query(w);
			break;
		case 7:
			op_job_info(w);
			break;
		case 8:
			op_syncobj(w);
			break;
		case 9:
			op_raw(w);
			break;
		case 10:
			/* its own file goes, with whatever is queued on it */
			if (chance(R, 10)) {
				pthread_mutex_lock(&w->lock);
				close(w->fd[0]);
				w->fd[0] = edgenpu_open();
				for (k = 0; k < (int)w->nbo; k++)
					if (!w->bo[k].fd_index)
						w->bo[k] = w->bo[--w->nbo], k--;
				w->nsync = 0;
				pthread_mutex_unlock(&w->lock);
				if (w->fd[0] < 0)
					_exit(5);
			}
			break;
		default:
			op_submit(w);
		}
	}
	pthread_join(th, NULL);
	close(w->fd[0]);
	_exit(0);
}

/* As root: fault injections and resets through debugfs, now and then. */
static void chaos(uint64_t seed, int64_t deadline)
{
	static const char *const what[] = {
		"dma-error", "mmu-fault", "drop-irq", "drop-doorbell", "hang",
	};
	struct rng r = { .s = seed ^ 0xc4a05c4a05ull };

	while (!atomic_load(&sh->stop) && tnow_ms() < deadline) {
		usleep(150000 + below(&r, 300000));
		if (chance(&r, 25))
			tdebugfs_write(devname, "reset", "1");
		else
			tinject(devname, what[below(&r, chance(&r, 85) ? 4 : 5)]);
	}
	_exit(0);
}

/* ---- after the run ------------------------------------------------------------------ */

/* The ioctls that took the most time, for whoever tunes the mix. */
static void print_time_by_ioctl(void)
{
	static const struct {
		unsigned long req;
		const char *name;
	} names[] = {
#define N(x) { DRM_IOCTL_##x, #x }
		N(EDGENPU_BO_CREATE), N(EDGENPU_BO_INFO), N(EDGENPU_BO_WAIT),
		N(EDGENPU_JOB_INFO), N(EDGENPU_QUERY), N(EDGENPU_SUBMIT),
		N(EDGENPU_VM_MAP), N(EDGENPU_VM_UNMAP), N(GEM_CLOSE),
		N(PRIME_FD_TO_HANDLE), N(PRIME_HANDLE_TO_FD), N(SYNCOBJ_CREATE),
		N(SYNCOBJ_DESTROY), N(SYNCOBJ_RESET), N(SYNCOBJ_SIGNAL), N(SYNCOBJ_WAIT),
#undef N
	};
	unsigned int shown, nr, best, k;
	uint64_t used[256] = { 0 }, ns;

	printf("# fuzz: time inside ioctls (guest wall time, all workers):");
	for (shown = 0; shown < 6; shown++) {
		best = 256;
		for (nr = 0; nr < 256; nr++)
			if (!used[nr] && atomic_load(&sh->nr_calls[nr]) &&
			    (best == 256 || atomic_load(&sh->nr_ns[nr]) > atomic_load(&sh->nr_ns[best])))
				best = nr;
		if (best == 256)
			break;
		used[best] = 1;
		ns = atomic_load(&sh->nr_ns[best]);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (_IOC_NR(names[k].req) == best)
				break;
		printf("%s ", shown ? "," : "");
		if (k < sizeof(names) / sizeof(names[0]))
			printf("%s", names[k].name);
		else
			printf("nr 0x%x", best);
		printf(" %.1f s (%llu calls)", ns / 1e9,
		       (unsigned long long)atomic_load(&sh->nr_calls[best]));
	}
	printf("\n");
}

/* Nothing left on either ring (jobs end, hung ones are reset), bounded. */
static int rings_idle(int ms)
{
	int64_t t0 = tnow_ms();

	while (tring_inflight(devname, 0) > 0 || tring_inflight(devname, 1) > 0) {
		if (tnow_ms() - t0 > ms)
			return 0;
		usleep(20000);
	}
	return 1;
}

/* A copy and a fill, checked byte by byte: the device still works. */
static int device_works(void)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob j = { .cs = &cs };
	struct tbo a, b;
	unsigned int i;
	int fd = edgenpu_open(), ok = 1;

	if (fd < 0 || tbo_create(fd, 65536, DRM_EDGENPU_BO_CREATE_MAP, &a) ||
	    tbo_create(fd, 65536, DRM_EDGENPU_BO_CREATE_MAP, &b))
		return 0;
	for (i = 0; i < 65536; i++)
		a.cpu[i] = (uint8_t)(i * 13 + 5);
	tcs_copy(&cs, a.va, b.va, 32768);
	tcs_fill(&cs, b.va + 32768, 0x6b, 32768);
	tcs_end(&cs);
	tjob_bo(&j, a.handle, 0);
	tjob_bo(&j, b.handle, 1);
	if (tsubmit(fd, &j, 1) || tjob_wait(fd, j.id, 10000, &info) ||
	    info.status != DRM_EDGENPU_JOB_OK || tbo_wait(fd, b.handle, 10000000000ll))
		ok = 0;
	for (i = 0; ok && i < 65536; i++)
		ok = b.cpu[i] == (i < 32768 ? (uint8_t)(i * 13 + 5) : 0x6b);
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	uint64_t seed = arg_or_env(argc, argv, "--seed", "EDGENPU_FUZZ_SEED",
				   (uint64_t)time(NULL));
	uint64_t budget = arg_or_env(argc, argv, "--ioctls", "EDGENPU_FUZZ_IOCTLS", 100000);
	uint64_t seconds = arg_or_env(argc, argv, "--seconds", "EDGENPU_FUZZ_SECONDS", 0);
	unsigned int workers = arg_or_env(argc, argv, "--workers", "EDGENPU_FUZZ_WORKERS", 6);
	pid_t pids[MAX_WORKERS + 1];
	int64_t deadline, t0 = tnow_ms();
	int shared_fd, root = geteuid() == 0, i, status, bad = 0, reports, idle, works;
	int max_pinned_mb = -1;
	struct sysinfo si;
	char first[256];

	printf("TAP version 13\n1..1\n");
	shared_fd = edgenpu_open();
	if (shared_fd < 0) {
		printf("ok 1 ioctl_fuzz # SKIP no /dev/accel node driven by edgenpu\n");
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
		return 4;
	}
	if (tdev_name(NULL, devname, sizeof(devname)))
		devname[0] = 0;
	if (workers < 1 || workers > MAX_WORKERS)
		workers = 6;
	/* with a time given, the time bounds the run, not the count */
	if (seconds)
		budget = ~0ull;
	deadline = t0 + (seconds ? seconds * 1000 : 1200000);
	printf("# fuzz: seed %llu, %u workers, %s\n", (unsigned long long)seed, workers,
	       root ? "with fault injection and resets (root)" : "no fault injection");
	fflush(stdout);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset(sh, 0, sizeof(*sh));
	/*
	 * Pinned memory bounded for the run: FUZZ_PINNED_MB, or a quarter of
	 * RAM in a smaller guest, leaves the workers (and KASAN) room enough
	 * not to be OOM-killed, and keeps the buffers that reach the bound
	 * cheap enough to make often.
	 */
	if (root && !sysinfo(&si)) {
		uint64_t quarter = (uint64_t)si.totalram * si.mem_unit / 4 >> 20;

		max_pinned_mb = tparam_get("max_pinned_mb");
		if (max_pinned_mb >= 0)
			tparam_set("max_pinned_mb",
				   (int)(quarter < FUZZ_PINNED_MB ? quarter : FUZZ_PINNED_MB));
	}
	tcoredumps_settle(devname);
	for (i = 0; i < (int)workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(i, seed, shared_fd, budget, deadline);
	}
	pids[workers] = root && devname[0] ? fork() : -1;
	if (pids[workers] == 0)
		chaos(seed, deadline);
	for (i = 0; i < (int)workers; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# worker %d ended with status 0x%x\n", i, status);
			bad = 1;
		}
	}
	atomic_store(&sh->stop, 1);
	if (pids[workers] > 0)
		waitpid(pids[workers], &status, 0);
	close(shared_fd);
	if (max_pinned_mb >= 0)
		tparam_set("max_pinned_mb", max_pinned_mb);

	/* every job ends: closed files aborted theirs, hung ones were reset */
	idle = !devname[0] || rings_idle(30000);
	/* a reset disarms what the chaos left armed and did not fire yet */
	if (root && devname[0])
		tdebugfs_write(devname, "reset", "1");
	tcoredumps_settle(devname);
	works = device_works();
	reports = tklog_bad_lines(first, sizeof(first));
	printf("# fuzz: %llu ioctls, %llu errors returned, %llu jobs queued, %d reports, %.1f s\n",
	       (unsigned long long)atomic_load(&sh->ioctls),
	       (unsigned long long)atomic_load(&sh->errors),
	       (unsigned long long)atomic_load(&sh->jobs), reports,
	       (tnow_ms() - t0) / 1000.0);
	printf("# submissions: %llu, refused:", (unsigned long long)atomic_load(&sh->submits));
	for (i = 1; i < 64; i++)
		if (atomic_load(&sh->submit_errno[i]))
			printf(" %s %llu", strerrorname_np(i) ?: "?",
			       (unsigned long long)atomic_load(&sh->submit_errno[i]));
	printf("\n");
	print_time_by_ioctl();
	if (!idle)
		printf("# jobs still on the device after 30 s\n");
	if (!works)
		printf("# the device no longer copies and fills correctly\n");
	if (reports)
		printf("# kernel log: %s\n", first);
	if (bad || !idle || !works || reports) {
		printf("not ok 1 ioctl_fuzz (seed %llu)\n", (unsigned long long)seed);
		printf("# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n");
		return 1;
	}
	printf("ok 1 ioctl_fuzz\n");
	printf("# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n");
	return 0;
}
