/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the edgenpu kselftests that run jobs: buffers, address-space
 * mappings, command streams, submission, syncobjs and job status.
 * Every helper returns 0 or -errno.
 */
#ifndef EDGENPU_JOB_UTIL_H
#define EDGENPU_JOB_UTIL_H

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/sync_file.h>

#include "edgenpu_util.h"

/*
 * Each test's time limit, when it sets none (the harness's default is
 * 30 s): a bound on a stuck test, not a speed target. The debug kernel's
 * guest beside four others on a loaded 2-core host runs several times
 * slower than alone (a module load/unload cycle: 1 s alone, 4 s there).
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300
#endif

static inline int enpu_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* A buffer created mapped: handle, NPU VA, CPU mapping. */
struct tbo {
	uint32_t handle;
	uint64_t va;
	uint64_t size;
	uint8_t *cpu;
};

/* BO_INFO and a CPU mapping of the whole buffer. */
static inline int tbo_mmap(int fd, uint32_t handle, uint8_t **cpu, uint64_t *size)
{
	struct drm_edgenpu_bo_info info = { .handle = handle };
	void *p;
	int ret;

	ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_INFO, &info);
	if (ret)
		return ret;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 info.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	*cpu = p;
	if (size)
		*size = info.size;
	return 0;
}

static inline int tbo_create(int fd, uint64_t size, uint32_t flags, struct tbo *bo)
{
	struct drm_edgenpu_bo_create c = { .size = size, .flags = flags };
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c);
	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = c.size;
	return tbo_mmap(fd, c.handle, &bo->cpu, NULL);
}

static inline int tbo_map(int fd, struct tbo *bo)
{
	return tbo_create(fd, bo->size, DRM_EDGENPU_BO_CREATE_MAP, bo);
}

static inline int tbo_wait(int fd, uint32_t handle, int64_t timeout_ns)
{
	struct drm_edgenpu_bo_wait w = { .handle = handle, .timeout_ns = timeout_ns };

	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w);
}

static inline void tbo_close(int fd, struct tbo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->cpu)
		munmap(bo->cpu, bo->size);
	if (bo->handle)
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	memset(bo, 0, sizeof(*bo));
}

static inline int tgem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return enpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* DRM_IOCTL_EDGENPU_VM_MAP of @handle; the VA goes to *va. */
static inline int tvm_map(int fd, uint32_t handle, uint32_t flags, uint64_t *va)
{
	struct drm_edgenpu_vm_map m = { .handle = handle, .flags = flags };
	int ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_VM_MAP, &m);

	*va = m.va;
	return ret;
}

static inline int tvm_unmap(int fd, uint64_t va)
{
	struct drm_edgenpu_vm_unmap u = { .va = va };

	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_VM_UNMAP, &u);
}

/* A command stream. */
struct tcs {
	uint32_t w[4096];
	uint32_t n;
};

/* Room for a command at the stream's end (a test's own stream: too long is its bug). */
static inline uint32_t *tcs_room(struct tcs *s)
{
	if (s->n + ENPU_PUT_MAX_WORDS >= sizeof(s->w) / sizeof(s->w[0]))
		abort();
	return &s->w[s->n];
}

static inline void tcs_cmd(struct tcs *s, uint32_t op, const void *cmd, size_t bytes)
{
	s->n += enpu_put_cmd(tcs_room(s), op, cmd, bytes);
}

static inline void tcs_end(struct tcs *s)
{
	s->n += enpu_put_op(tcs_room(s), ENPU_OP_END);
}

static inline void tcs_copy(struct tcs *s, uint32_t src, uint32_t dst, uint32_t n)
{
	s->n += enpu_put_copy(tcs_room(s), src, dst, n);
}

static inline void tcs_fill(struct tcs *s, uint32_t dst, uint8_t v, uint32_t n)
{
	s->n += enpu_put_fill(tcs_room(s), dst, v, n);
}

/* Copies @n bytes @reps times over the same range: a job that takes a while. */
static inline void tcs_copies(struct tcs *s, uint32_t src, uint32_t dst, uint32_t n,
			      unsigned int reps)
{
	while (reps--)
		tcs_copy(s, src, dst, n);
}

/*
 * MAX_POOL over [1, h, w, c] with a 1x1 window and stride 1: an exact
 * copy of h * w * c bytes done by the compute engine.
 */
static inline void tcs_pool_copy(struct tcs *s, uint32_t in, uint32_t out,
				 uint32_t h, uint32_t w, uint32_t c)
{
	struct enpu_cmd_pool p = {
		.input = in, .output = out, .batches = 1, .in_h = h, .in_w = w,
		.channels = c, .out_h = h, .out_w = w, .filter_h = 1,
		.filter_w = 1, .stride_h = 1, .stride_w = 1,
		.act_min = -128, .act_max = 127,
	};

	tcs_cmd(s, ENPU_OP_MAX_POOL, &p, sizeof(p));
}

/*
 * CONV2D with VALID padding over [1, h, w, cin] with a k x k kernel into
 * cout channels: operands at @in, @filt, @quant (cout multipliers then
 * cout shifts) and @out. The work is h' * w' * cout * k * k * cin MACs,
 * h' = h - k + 1, whatever the data.
 */
static inline void tcs_conv(struct tcs *s, uint32_t in, uint32_t filt, uint32_t quant,
			    uint32_t out, uint32_t h, uint32_t w, uint32_t cin,
			    uint32_t cout, uint32_t k)
{
	struct enpu_cmd_conv2d c = {
		.input = in, .filter = filt, .quant = quant, .output = out,
		.batches = 1, .in_h = h, .in_w = w, .in_c = cin,
		.out_h = h - k + 1, .out_w = w - k + 1, .out_c = cout,
		.kernel_h = k, .kernel_w = k, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1, .act_min = -128, .act_max = 127,
	};

	tcs_cmd(s, ENPU_OP_CONV2D, &c, sizeof(c));
}

/* The operands of tcs_conv(), in one buffer each, quantization set. */
struct tconv {
	struct tbo in, filt, quant, out;
	uint32_t h, w, cin, cout, k;
};

static inline int tconv_init(int fd, struct tconv *t, uint32_t h, uint32_t w,
			     uint32_t cin, uint32_t cout, uint32_t k)
{
	uint64_t oh = h - k + 1, ow = w - k + 1;
	int32_t *q;
	uint32_t i;
	int ret;

	memset(t, 0, sizeof(*t));
	*t = (struct tconv){ .h = h, .w = w, .cin = cin, .cout = cout, .k = k };
	ret = tbo_create(fd, (uint64_t)h * w * cin, DRM_EDGENPU_BO_CREATE_MAP, &t->in);
	if (!ret)
		ret = tbo_create(fd, (uint64_t)cout * k * k * cin,
				 DRM_EDGENPU_BO_CREATE_MAP, &t->filt);
	if (!ret)
		ret = tbo_create(fd, 8ull * cout, DRM_EDGENPU_BO_CREATE_MAP, &t->quant);
	if (!ret)
		ret = tbo_create(fd, oh * ow * cout, DRM_EDGENPU_BO_CREATE_MAP, &t->out);
	if (ret)
		return ret;
	q = (int32_t *)t->quant.cpu;
	for (i = 0; i < cout; i++) {
		q[i] = 1 << 30;
		q[cout + i] = -8;
	}
	return 0;
}

static inline void tconv_fini(int fd, struct tconv *t)
{
	tbo_close(fd, &t->in);
	tbo_close(fd, &t->filt);
	tbo_close(fd, &t->quant);
	tbo_close(fd, &t->out);
}

/* One job: stream, buffers, syncs. */
struct tjob {
	const struct tcs *cs;		/* the stream, or NULL: ... */
	const uint32_t *words;		/* ... these @nwords (tconv_long_job()) */
	uint32_t nwords;
	struct drm_edgenpu_bo_ref bos[16];
	uint32_t nbos;
	struct drm_edgenpu_sync in[8];
	uint32_t nin;
	uint32_t out_handle;
	uint64_t out_point;
	uint32_t priority;
	uint64_t id;
};

static inline void tjob_bo(struct tjob *j, uint32_t handle, int write)
{
	j->bos[j->nbos].handle = handle;
	j->bos[j->nbos].flags = write ? DRM_EDGENPU_BO_REF_WRITE : 0;
	j->nbos++;
}

/* Appends @n CONV2Ds over @t's operands to @s, and lists them in @j. */
static inline void tconv_job(struct tconv *t, struct tcs *s, struct tjob *j,
			     unsigned int n)
{
	while (n--)
		tcs_conv(s, t->in.va, t->filt.va, t->quant.va, t->out.va, t->h, t->w,
			 t->cin, t->cout, t->k);
	tcs_end(s);
	*j = (struct tjob){ .cs = s };
	tjob_bo(j, t->in.handle, 0);
	tjob_bo(j, t->filt.handle, 0);
	tjob_bo(j, t->quant.handle, 0);
	tjob_bo(j, t->out.handle, 1);
}

/*
 * A job of @n of @t's convolutions in a stream of its own (malloc'ed,
 * returned; NULL if out of memory), longer than a struct tcs holds: for a
 * job that must outlast a runtime limit however fast the host computes,
 * while each command stays as short as tconv_init() made it.
 */
static inline uint32_t *tconv_long_job(struct tconv *t, struct tjob *j, unsigned int n)
{
	struct tcs one = { .n = 0 };
	uint32_t *w;
	unsigned int i;

	tcs_conv(&one, t->in.va, t->filt.va, t->quant.va, t->out.va, t->h, t->w,
		 t->cin, t->cout, t->k);
	w = malloc(((size_t)one.n * n + ENPU_PUT_MAX_WORDS) * sizeof(*w));
	if (!w)
		return NULL;
	for (i = 0; i < n; i++)
		memcpy(w + (size_t)i * one.n, one.w, one.n * sizeof(*w));
	*j = (struct tjob){ .words = w };
	j->nwords = one.n * n + enpu_put_op(w + (size_t)one.n * n, ENPU_OP_END);
	tjob_bo(j, t->in.handle, 0);
	tjob_bo(j, t->filt.handle, 0);
	tjob_bo(j, t->quant.handle, 0);
	tjob_bo(j, t->out.handle, 1);
	return w;
}

static inline void tjob_fill(struct tjob *j, struct drm_edgenpu_job *u)
{
	memset(u, 0, sizeof(*u));
	u->cmd_ptr = j->cs ? (uintptr_t)j->cs->w : (uintptr_t)j->words;
	u->cmd_size = (j->cs ? j->cs->n : j->nwords) * 4;
	u->bo_ptr = (uintptr_t)j->bos;
	u->bo_count = j->nbos;
	u->priority = j->priority;
	u->in_syncs_ptr = (uintptr_t)j->in;
	u->in_sync_count = j->nin;
	if (j->out_handle) {
		u->flags = DRM_EDGENPU_JOB_OUT_SYNC;
		u->out_sync.handle = j->out_handle;
		u->out_sync.point = j->out_point;
	}
}

/* Submits @n jobs in one ioctl; their ids go back into @jobs. */
static inline int tsubmit(int fd, struct tjob *jobs, unsigned int n)
{
	struct drm_edgenpu_job u[64];
	struct drm_edgenpu_submit s = {
		.jobs_ptr = (uintptr_t)u, .job_count = n, .job_stride = sizeof(u[0]),
	};
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		tjob_fill(&jobs[i], &u[i]);
	ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
	for (i = 0; i < n; i++)
		jobs[i].id = u[i].job_id;
	return ret;
}

/*
 * A job that keeps the device busy for a while (8 MiB copies; each takes
 * about 1.5 ms in the TCG guest): jobs queued behind it are still pending
 * when their submission returns.
 */
#define TBUSY_SIZE	(8u << 20)

struct tbusy {
	struct tbo a, b;
	struct tcs cs;
	struct tjob job;
};

static inline int tbusy_init(int fd, struct tbusy *t, unsigned int copies)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = tbo_create(fd, TBUSY_SIZE, DRM_EDGENPU_BO_CREATE_MAP, &t->a);
	if (!ret)
		ret = tbo_create(fd, TBUSY_SIZE, DRM_EDGENPU_BO_CREATE_MAP, &t->b);
	if (ret)
		return ret;
	tcs_copies(&t->cs, t->a.va, t->b.va, TBUSY_SIZE, copies);
	tcs_end(&t->cs);
	t->job.cs = &t->cs;
	tjob_bo(&t->job, t->a.handle, 0);
	tjob_bo(&t->job, t->b.handle, 1);
	return 0;
}

static inline void tbusy_fini(int fd, struct tbusy *t)
{
	tbo_close(fd, &t->a);
	tbo_close(fd, &t->b);
}

/* CLOCK_MONOTONIC in ms: what the tests bound their waits with. */
static inline int64_t tnow_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

static inline int tjob_info(int fd, uint64_t id, struct drm_edgenpu_job_info *info)
{
	memset(info, 0, sizeof(*info));
	info->job_id = id;
	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_JOB_INFO, info);
}

/*
 * Polls JOB_INFO until the job is no longer pending, or @ms of wall time
 * pass (counted on the clock: on a loaded guest a 1 ms sleep takes far
 * longer).
 */
static inline int tjob_wait(int fd, uint64_t id, int ms, struct drm_edgenpu_job_info *info)
{
	int64_t t0 = tnow_ms();
	int ret;

	for (;;) {
		ret = tjob_info(fd, id, info);
		if (ret || info->status != DRM_EDGENPU_JOB_PENDING)
			return ret;
		if (tnow_ms() - t0 > ms)
			return -ETIME;
		usleep(1000);
	}
}

static inline int tsyncobj_create(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int ret = enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = c.handle;
	return ret;
}

static inline int tsyncobj_wait(int fd, uint32_t handle, uint64_t point, int64_t timeout_ms)
{
	struct timespec ts;
	int64_t abs;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	abs = ts.tv_sec * 1000000000ll + ts.tv_nsec + timeout_ms * 1000000ll;
	if (point) {
		struct drm_syncobj_timeline_wait w = {
			.handles = (uintptr_t)&handle, .points = (uintptr_t)&point,
			.timeout_nsec = abs, .count_handles = 1,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
		};
		return enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
	} else {
		struct drm_syncobj_wait w = {
			.handles = (uintptr_t)&handle, .timeout_nsec = abs,
			.count_handles = 1,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
		};
		return enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	}
}

static inline int tsyncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* Shares a syncobj with another process (or file): its fd goes to *out. */
static inline int tsyncobj_export(int fd, uint32_t handle, int *out)
{
	struct drm_syncobj_handle h = { .handle = handle, .fd = -1 };
	int ret = enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	*out = h.fd;
	return ret;
}

static inline int tsyncobj_import(int fd, int syncobj_fd, uint32_t *handle)
{
	struct drm_syncobj_handle h = { .fd = syncobj_fd };
	int ret = enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);

	*handle = h.handle;
	return ret;
}

/*
 * State of a binary syncobj's fence, through a sync_file: 1 signalled,
 * 0 pending, a negative errno when it signalled with that error.
 */
static inline int tsyncobj_fence_status(int fd, uint32_t handle, int *status)
{
	struct drm_syncobj_handle h = {
		.handle = handle, .fd = -1,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct sync_file_info info;
	int ret;

	ret = enpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	ret = ioctl(h.fd, SYNC_IOC_FILE_INFO, &info) ? -errno : 0;
	close(h.fd);
	*status = info.status;
	return ret;
}

/* ---- time, processes ------------------------------------------------------ */

/* Writes one 64-bit value into a pipe. */
static inline int tpipe_put(int wfd, uint64_t v)
{
	return write(wfd, &v, sizeof(v)) == sizeof(v) ? 0 : -EIO;
}

/* Reads one 64-bit value from a pipe, waiting at most @ms. */
static inline int tpipe_get(int rfd, uint64_t *v, int ms)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	int ret = poll(&p, 1, ms);

	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIME;
	return read(rfd, v, sizeof(*v)) == sizeof(*v) ? 0 : -EIO;
}

/*
 * Waits at most @ms for child @pid; kills it if it is still running.
 * Returns its exit status, or -ETIME / -errno.
 */
static inline int tchild_wait(pid_t pid, int ms)
{
	int64_t t0 = tnow_ms();
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0)
			return -errno;
		if (tnow_ms() - t0 > ms)
			break;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIME;
}

/* ---- debugfs and sysfs ------------------------------------------------------ */

/* The device's PCI address, for debugfs and sysfs paths, from an open fd's minor. */
static inline int tdev_name(int *minor_out, char *devname, size_t len)
{
	int minor, fd = edgenpu_open_minor(&minor);
	int ret;

	if (fd < 0)
		return fd;
	close(fd);
	ret = edgenpu_dev_name(minor, devname, len);
	if (minor_out)
		*minor_out = minor;
	return ret;
}

/* Whole file at @path, malloc'ed and NUL-terminated (NULL on error, errno set). */
static inline char *tread_alloc(const char *path)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static inline int twrite_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* The module parameter @name (/sys/module/edgenpu/parameters), or -errno. */
static inline int tparam_get(const char *name)
{
	char path[128], buf[32];
	int n;

	snprintf(path, sizeof(path), "/sys/module/edgenpu/parameters/%s", name);
	n = edgenpu_read_file(path, buf, sizeof(buf));
	return n < 0 ? n : atoi(buf);
}

static inline int tparam_set(const char *name, int v)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/edgenpu/parameters/%s", name);
	snprintf(buf, sizeof(buf), "%d", v);
	return twrite_str(path, buf);
}

/* Attribute @name of a device's power/ directory @dir, without its newline. */
static inline int tpower_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[320];
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = edgenpu_read_file(path, buf, len);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return n < 0 ? n : 0;
}

/* Whether runtime_status in @dir reads @want. */
static inline int tpower_is(const char *dir, const char *want)
{
	char buf[64];

	return !tpower_read(dir, "runtime_status", buf, sizeof(buf)) && !strcmp(buf, want);
}

/*
 * Whether the runtime PM core manages the device of power/ directory @dir:
 * its runtime_status is active, suspended, or on the way between them
 * (suspending, resuming: a device that has just gone idle reads
 * suspending for a moment); not "unsupported" (runtime PM disabled) or
 * "error". The status read is left in @buf; 0 when it cannot be read.
 */
static inline int tpower_in_use(const char *dir, char *buf, size_t len)
{
	static const char *const states[] = { "active", "suspended", "suspending", "resuming" };
	size_t i;

	if (tpower_read(dir, "runtime_status", buf, len))
		return 0;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(buf, states[i]))
			return 1;
	return 0;
}

/* Polls runtime_status in @dir for @want for at most @ms; the ms it took or -1. */
static inline int tpower_wait(const char *dir, const char *want, int ms)
{
	int64_t t0 = tnow_ms();

	while (!tpower_is(dir, want)) {
		if (tnow_ms() - t0 > ms)
			return -1;
		usleep(2000);
	}
	return (int)(tnow_ms() - t0);
}

/* Write @devname to /sys/bus/@bus/drivers/edgenpu/@file (bind, unbind). */
static inline int tdriver_write(const char *bus, const char *file,
				const char *devname)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/edgenpu/%s", bus, file);
	return twrite_str(path, devname);
}

static inline void tdebugfs_path(const char *devname, const char *name, char *path,
				 size_t len)
{
	snprintf(path, len, "/sys/kernel/debug/accel/%s/%s", devname, name);
}

static inline char *tdebugfs_read(const char *devname, const char *name)
{
	char path[256];

	tdebugfs_path(devname, name, path, sizeof(path));
	return tread_alloc(path);
}

/*
 * Where job @id's command stream lies, from debugfs "queues" once the job
 * is on the device (waiting up to @ms): its bus address in *@addr and
 * "mapped" (a slab object mapped for the device) or "coherent" in @kind.
 * 0, or -1 when the job was not seen there.
 */
static inline int tjob_cmd_memory(const char *devname, uint64_t id, int ms,
				  unsigned long long *addr, char *kind, size_t len)
{
	const int64_t end = tnow_ms() + ms;
	char want[48], k[16];

	snprintf(want, sizeof(want), "  job %llu ", (unsigned long long)id);
	do {
		char *q = tdebugfs_read(devname, "queues");
		char *p = q ? strstr(q, want) : NULL;
		char *eol = p ? strchr(p, '\n') : NULL;
		char *c = p ? strstr(p, " cmd ") : NULL;
		int found = c && (!eol || c < eol) &&
			    sscanf(c, " cmd %llx %15s", addr, k) == 2;

		free(q);
		if (found) {
			snprintf(kind, len, "%s", k);
			return 0;
		}
		usleep(1000);
	} while (tnow_ms() < end);
	return -1;
}

static inline int tdebugfs_write(const char *devname, const char *name, const char *val)
{
	char path[256];

	tdebugfs_path(devname, name, path, sizeof(path));
	return twrite_str(path, val);
}

/*
 * Arms one fault injection: "hang", "dma-error", "drop-irq", "mmu-fault",
 * "drop-doorbell".
 */
static inline int tinject(const char *devname, const char *what)
{
	return tdebugfs_write(devname, "inject", what);
}

/* The number debugfs "queues" holds where @fmt's one %d is, or -errno. */
static inline int tqueues_int(const char *devname, const char *fmt)
{
	char *q = tdebugfs_read(devname, "queues");
	int n = -1;

	if (!q)
		return -errno;
	if (sscanf(q, fmt, &n) != 1)
		n = -EINVAL;
	free(q);
	return n;
}

/* Device resets so far. */
static inline int tresets(const char *devname)
{
	return tqueues_int(devname, "resets %d");
}

/* The driver's job timeout (module parameter job_timeout_ms). */
static inline int tjob_timeout_ms(const char *devname)
{
	return tqueues_int(devname, "resets %*d job_timeout_ms %d");
}

/* Jobs on hardware ring @ring (on the device, not done), from debugfs "queues". */
static inline int tring_inflight(const char *devname, unsigned int ring)
{
	char *buf = tdebugfs_read(devname, "queues"), *line, *save = NULL;
	unsigned int r;
	int n = 0, mine = 0;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "edgenpu-ring%u:", &r) == 1)
			mine = r == ring;
		else if (mine && strstr(line, "  job "))
			n++;
	}
	free(buf);
	return n;
}

/* Doorbells ring @ring had to ring again (debugfs "queues"), or -errno. */
static inline int tring_kicks(const char *devname, unsigned int ring)
{
	char *buf = tdebugfs_read(devname, "queues"), *line, *save = NULL;
	unsigned int r, k;
	int n = -ENOENT;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, " kicks ");

		if (sscanf(line, "edgenpu-ring%u:", &r) == 1 && r == ring && p &&
		    sscanf(p, " kicks %u", &k) == 1)
			n = (int)k;
	}
	free(buf);
	return n;
}

/* Waits (at most @ms) until ring @ring has at least @n jobs on the device. */
static inline int tring_wait_inflight(const char *devname, unsigned int ring, int n, int ms)
{
	int64_t t0 = tnow_ms();
	int got;

	while ((got = tring_inflight(devname, ring)) < n) {
		if (got < 0)
			return got;
		if (tnow_ms() - t0 > ms)
			return -ETIME;
		usleep(500);
	}
	return 0;
}

/* Register @name (e.g. "RING0_STATUS") from debugfs "registers", or -errno. */
static inline int64_t treg(const char *devname, const char *name)
{
	char *buf = tdebugfs_read(devname, "registers"), *line, *save = NULL;
	unsigned int off, val;
	char reg[32];
	int64_t v = -ENOENT;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%31s 0x%x 0x%x", reg, &off, &val) == 3 && !strcmp(reg, name))
			v = val;
	free(buf);
	return v;
}

/* The ASID of the (first) file process @pid has open (debugfs "contexts"), or -errno. */
static inline int tfile_asid(const char *devname, pid_t pid)
{
	char *buf = tdebugfs_read(devname, "contexts"), *line, *save = NULL;
	unsigned int asid;
	int p, found = -ENOENT;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line && found < 0;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "pid %d comm %*s asid %u", &p, &asid) == 2 && p == pid)
			found = (int)asid;
	free(buf);
	return found;
}

/*
 * The sequence number of job @id of the file with ASID @asid while the job
 * is on a ring (debugfs "queues"; job ids are per file), or 0.
 */
static inline uint64_t tjob_seqno(const char *devname, int asid, uint64_t id)
{
	char *buf = tdebugfs_read(devname, "queues"), *line, *save = NULL;
	unsigned long long jid, seqno;
	unsigned int idx, a;
	uint64_t found = 0;

	if (!buf)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "  job %llu seqno %llu index %u asid %u", &jid, &seqno, &idx,
			   &a) == 4 && jid == id && (int)a == asid)
			found = seqno;
	free(buf);
	return found;
}

/*
 * Waits (at most @ms) until the device itself runs job @id of this
 * process's file on ring @ring (RINGn_STATUS busy with the job's sequence
 * number active), not only holds it on the ring: a job the device has not
 * fetched yet is one a reset replays. 0, or -errno.
 */
static inline int tjob_wait_running(const char *devname, unsigned int ring, uint64_t id,
				    int ms)
{
	int asid = tfile_asid(devname, getpid());
	char status[32], active[32];
	int64_t t0 = tnow_ms();

	if (asid < 0)
		return asid;
	snprintf(status, sizeof(status), "RING%u_STATUS", ring);
	snprintf(active, sizeof(active), "RING%u_ACTIVE_SEQNO", ring);
	for (;;) {
		uint64_t seqno = tjob_seqno(devname, asid, id);
		int64_t st = treg(devname, status), act = treg(devname, active);

		if (seqno && st >= 0 && (st & ENPU_RING_STATUS_BUSY) &&
		    act == (int64_t)(uint32_t)seqno)
			return 0;
		if (tnow_ms() - t0 > ms)
			return -ETIME;
		usleep(500);
	}
}

/*
 * Mappings listed in debugfs "contexts" under the files that process
 * @pid opened (those marked "unmapped, in use" too), or -errno.
 */
static inline int tcontext_mappings(const char *devname, pid_t pid)
{
	char *buf = tdebugfs_read(devname, "contexts"), *line, *save = NULL;
	int n = 0, mine = 0, p;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "pid %d", &p) == 1)
			mine = p == pid;
		else if (mine && strstr(line, "va 0x"))
			n++;
	}
	free(buf);
	return n;
}

/* Open files of process @pid in debugfs "contexts". */
static inline int tcontext_files(const char *devname, pid_t pid)
{
	char *buf = tdebugfs_read(devname, "contexts"), *line, *save = NULL;
	int n = 0, p;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "pid %d", &p) == 1 && p == pid)
			n++;
	free(buf);
	return n;
}

/*
 * Device coredumps (devcoredump, written when a hang is reset) of PCI
 * device @devname: returns how many there are; the first one's text goes to
 * @first (up to @len bytes) if not NULL; with @drop they are freed. A
 * pending coredump holds a reference on the module for minutes, so tests
 * that cause hangs drop theirs.
 */
static inline int tcoredumps(const char *devname, int drop, char *first, size_t len)
{
	const char *base = "/sys/class/devcoredump";
	char path[512], link[512];
	struct dirent *d;
	int n = 0;
	ssize_t l;
	DIR *dir;

	if (first && len)
		first[0] = '\0';
	dir = opendir(base);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dir))) {
		const char *dev;

		if (strncmp(d->d_name, "devcd", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s/failing_device", base, d->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l < 0)
			continue;
		link[l] = '\0';
		dev = strrchr(link, '/');
		if (strcmp(dev ? dev + 1 : link, devname))
			continue;
		snprintf(path, sizeof(path), "%s/%s/data", base, d->d_name);
		if (!n && first && len)
			edgenpu_read_file(path, first, len);
		if (drop)
			twrite_str(path, "1");
		n++;
	}
	closedir(dir);
	return n;
}

/* A capture of a hang still on its way to devcoredump (debugfs "queues"). */
static inline int tcoredump_pending(const char *devname)
{
	return tqueues_int(devname, "resets %*d job_timeout_ms %*d job_max_ms %*d "
			   "wedged %*s coredump_pending %d");
}

/*
 * Drops every coredump of device @devname, once none is on its way (a
 * hang's capture reaches devcoredump from a work item; devcoredump keeps
 * one a device and drops later ones until it is gone). For a test's
 * set-up and teardown.
 */
static inline void tcoredumps_settle(const char *devname)
{
	int64_t t0 = tnow_ms();

	while (tcoredump_pending(devname) > 0 && tnow_ms() - t0 < 5000)
		usleep(2000);
	tcoredumps(devname, 1, NULL, 0);
}

/*
 * Waits (at most @ms) until device @devname has a coredump: the driver
 * captures it at the hang and hands it to devcoredump from a work item.
 * Then as tcoredumps(); 0 if none came.
 */
static inline int tcoredump_wait(const char *devname, int ms, int drop, char *first,
				 size_t len)
{
	int64_t t0 = tnow_ms();
	int n;

	while (!(n = tcoredumps(devname, 0, NULL, 0)) && tnow_ms() - t0 < ms)
		usleep(2000);
	if (n <= 0)
		return n;
	return tcoredumps(devname, drop, first, len);
}

/*
 * Lines of the kernel log that report a warning, a bug or a crash (what
 * the VM test runner refuses); the first one goes to @first. -errno if
 * the log cannot be read.
 */
static inline int tklog_bad_lines(char *first, size_t len)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection", "Call Trace:",
		"UBSAN", "KASAN", "list_add corruption", "list_del corruption",
		"refcount_t:", "possible circular locking",
		"possible recursive locking", "suspicious RCU usage",
		"inconsistent lock state", "possible irq lock inversion",
		"blocked for more than", "soft lockup", "ODEBUG",
	};
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *save = NULL;
	unsigned int i;
	int n, count = 0;

	if (first && len)
		first[0] = '\0';
	if (size <= 0)
		return size < 0 ? -errno : 0;
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return -errno;
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(line, bad[i])) {
				if (!count && first && len)
					snprintf(first, len, "%s", line);
				count++;
				break;
			}
		}
	}
	free(buf);
	return count;
}

#endif /* EDGENPU_JOB_UTIL_H */
