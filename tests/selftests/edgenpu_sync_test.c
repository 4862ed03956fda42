// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ordering: chains of jobs through binary and timeline syncobjs, jobs of
 * one submission, implicit synchronisation on shared buffers, the two
 * priorities, a syncobj shared with another process, and compute
 * commands (FULLY_CONNECTED, MAX_POOL) whose results the test computes.
 *
 * The device runs one job at a time, so an ordering is only observable
 * when the later job could overtake the earlier one: the earlier job
 * waits behind a long job on the normal ring, the later one goes to the
 * high-priority ring (served first). If the driver dropped the
 * dependency, the later job would end first.
 */
#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define BUSY_COPIES	64	/* about 100 ms */
#define SLOW_COPIES	16	/* about 25 ms */
#define N		65536
#define MS		5000	/* bound of every wait */

FIXTURE(sync) {
	int fd;
	struct tbusy busy;
	struct tbusy slow;
	struct tbo src, mid, dst;
};

static uint8_t pat(unsigned int i)
{
	return (uint8_t)(i * 131 + (i >> 8) * 7 + 1);
}

FIXTURE_SETUP(sync)
{
	unsigned int i;

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, tbusy_init(self->fd, &self->busy, BUSY_COPIES));
	ASSERT_EQ(0, tbusy_init(self->fd, &self->slow, SLOW_COPIES));
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->src));
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->mid));
	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &self->dst));
	for (i = 0; i < N; i++)
		self->src.cpu[i] = pat(i);
}

FIXTURE_TEARDOWN(sync)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Queues the long job on the normal ring. */
static void start_busy(struct __test_metadata *_metadata, FIXTURE_DATA(sync) *self)
{
	ASSERT_EQ(0, tsubmit(self->fd, &self->busy.job, 1));
}

/*
 * Makes job @j (stream @cs, not yet ended) take a while, so that a job
 * ending before it is seen ending first.
 */
static void slow_down(FIXTURE_DATA(sync) *self, struct tjob *j, struct tcs *cs)
{
	tcs_copies(cs, self->slow.a.va, self->slow.b.va, TBUSY_SIZE, SLOW_COPIES);
	tjob_bo(j, self->slow.a.handle, 0);
	tjob_bo(j, self->slow.b.handle, 1);
}

static void expect_ok(struct __test_metadata *_metadata, int fd, uint64_t id)
{
	struct drm_edgenpu_job_info info;

	ASSERT_EQ(0, tjob_wait(fd, id, MS, &info)) TH_LOG("job %llu", (unsigned long long)id);
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status) TH_LOG("job %llu", (unsigned long long)id);
}

static void expect_bytes(struct __test_metadata *_metadata, int fd,
			 const struct tbo *bo, const uint8_t *want, size_t n)
{
	size_t i;

	ASSERT_EQ(0, tbo_wait(fd, bo->handle, MS * 1000000ll));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(want[i], bo->cpu[i]) TH_LOG("byte %zu", i);
	}
}

/*
 * Polls @later until it ends, then requires @earlier to have ended
 * already: the ordering held on the device.
 */
static void expect_ended_before(struct __test_metadata *_metadata, int fd,
				uint64_t earlier, uint64_t later)
{
	struct drm_edgenpu_job_info a, b;

	ASSERT_EQ(0, tjob_wait(fd, later, MS, &b));
	ASSERT_EQ(0, tjob_info(fd, earlier, &a));
	EXPECT_NE(DRM_EDGENPU_JOB_PENDING, a.status)
		TH_LOG("job %llu ended before job %llu it depends on",
		       (unsigned long long)later, (unsigned long long)earlier);
}

TEST_F(sync, binary_chain)
{
	struct tcs ca = { .n = 0 }, cb = { .n = 0 }, cc = { .n = 0 };
	struct tjob a = { .cs = &ca }, b = { .cs = &cb }, c = { .cs = &cc };
	uint32_t s1, s2, s3;
	int st;

	ASSERT_EQ(0, tsyncobj_create(self->fd, &s1));
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s2));
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s3));
	start_busy(_metadata, self);

	/* a: src -> mid behind the long job; b: mid -> dst (compute engine), high priority */
	tcs_copy(&ca, self->src.va, self->mid.va, N);
	tcs_end(&ca);
	tjob_bo(&a, self->src.handle, 0);
	tjob_bo(&a, self->mid.handle, 1);
	a.out_handle = s1;
	ASSERT_EQ(0, tsubmit(self->fd, &a, 1));

	tcs_pool_copy(&cb, self->mid.va, self->dst.va, 64, 64, 16);
	tcs_end(&cb);
	tjob_bo(&b, self->mid.handle, 0);
	tjob_bo(&b, self->dst.handle, 1);
	b.in[b.nin++] = (struct drm_edgenpu_sync){ .handle = s1 };
	b.out_handle = s2;
	b.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &b, 1));

	/* c: fills mid again once b has read it */
	tcs_fill(&cc, self->mid.va, 0x3c, N);
	tcs_end(&cc);
	tjob_bo(&c, self->mid.handle, 1);
	c.in[c.nin++] = (struct drm_edgenpu_sync){ .handle = s2 };
	c.out_handle = s3;
	c.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &c, 1));

	/* nothing of the chain can be done while the long job runs */
	EXPECT_EQ(-ETIME, tsyncobj_wait(self->fd, s3, 0, 0));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s1, &st));
	EXPECT_EQ(0, st);

	ASSERT_EQ(0, tsyncobj_wait(self->fd, s3, 0, MS));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s1, &st));
	EXPECT_EQ(1, st);
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s2, &st));
	EXPECT_EQ(1, st);
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s3, &st));
	EXPECT_EQ(1, st);
	expect_ok(_metadata, self->fd, a.id);
	expect_ok(_metadata, self->fd, b.id);
	expect_ok(_metadata, self->fd, c.id);
	expect_bytes(_metadata, self->fd, &self->dst, self->src.cpu, N);
	ASSERT_EQ(0, tbo_wait(self->fd, self->mid.handle, MS * 1000000ll));
	EXPECT_EQ(0x3c, self->mid.cpu[0]);
	EXPECT_EQ(0x3c, self->mid.cpu[N - 1]);
}

/* Explicit sync alone (no buffer in common): b may not overtake a. */
TEST_F(sync, binary_sync_without_shared_buffers)
{
	struct tcs ca = { .n = 0 }, cb = { .n = 0 };
	struct tjob a = { .cs = &ca }, b = { .cs = &cb };
	uint32_t s;

	ASSERT_EQ(0, tsyncobj_create(self->fd, &s));
	start_busy(_metadata, self);
	tcs_copy(&ca, self->src.va, self->mid.va, N);
	slow_down(self, &a, &ca);
	tcs_end(&ca);
	tjob_bo(&a, self->src.handle, 0);
	tjob_bo(&a, self->mid.handle, 1);
	a.out_handle = s;
	ASSERT_EQ(0, tsubmit(self->fd, &a, 1));
	tcs_fill(&cb, self->dst.va, 0x99, N);
	tcs_end(&cb);
	tjob_bo(&b, self->dst.handle, 1);
	b.in[b.nin++] = (struct drm_edgenpu_sync){ .handle = s };
	b.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &b, 1));
	expect_ended_before(_metadata, self->fd, a.id, b.id);
	expect_ok(_metadata, self->fd, a.id);
	expect_ok(_metadata, self->fd, b.id);
	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
	EXPECT_EQ(0x99, self->dst.cpu[N / 2]);
}

TEST_F(sync, timeline_chain)
{
	struct drm_syncobj_create create = { .flags = 0 };
	struct drm_syncobj_timeline_array q = { 0 };
	struct tcs cs[3] = { { .n = 0 }, { .n = 0 }, { .n = 0 } };
	struct tjob j[3];
	struct tbo step[3];
	uint64_t point;
	uint32_t t;
	unsigned int i;

	ASSERT_EQ(0, enpu_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &create));
	t = create.handle;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &step[i]));
	}
	start_busy(_metadata, self);

	/* job i copies step i-1 (src for the first) to step i; out at point i + 1 */
	for (i = 0; i < 3; i++) {
		j[i] = (struct tjob){ .cs = &cs[i] };
		tcs_copy(&cs[i], i ? step[i - 1].va : self->src.va, step[i].va, N);
		tjob_bo(&j[i], i ? step[i - 1].handle : self->src.handle, 0);
		tjob_bo(&j[i], step[i].handle, 1);
		if (!i)
			slow_down(self, &j[i], &cs[i]);
		tcs_end(&cs[i]);
		if (i)
			j[i].in[j[i].nin++] = (struct drm_edgenpu_sync){
				.handle = t, .point = i };
		j[i].out_handle = t;
		j[i].out_point = i + 1;
		j[i].priority = i % 2 ? DRM_EDGENPU_PRIORITY_HIGH : DRM_EDGENPU_PRIORITY_NORMAL;
		ASSERT_EQ(0, tsubmit(self->fd, &j[i], 1)) TH_LOG("job %u", i);
	}
	/* a point nobody will signal cannot be waited for at submit */
	{
		struct tjob bad = j[2];

		bad.in[0].point = 10;
		bad.out_handle = 0;
		EXPECT_EQ(-EINVAL, tsubmit(self->fd, &bad, 1));
	}
	EXPECT_EQ(-ETIME, tsyncobj_wait(self->fd, t, 3, 0));

	ASSERT_EQ(0, tsyncobj_wait(self->fd, t, 3, MS));
	ASSERT_EQ(0, tsyncobj_wait(self->fd, t, 1, 0));
	ASSERT_EQ(0, tsyncobj_wait(self->fd, t, 2, 0));
	q.handles = (uintptr_t)&t;
	q.points = (uintptr_t)&point;
	q.count_handles = 1;
	ASSERT_EQ(0, enpu_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_QUERY, &q));
	EXPECT_EQ(3, point);
	for (i = 0; i < 3; i++)
		expect_ok(_metadata, self->fd, j[i].id);
	expect_ended_before(_metadata, self->fd, j[0].id, j[1].id);
	expect_bytes(_metadata, self->fd, &step[2], self->src.cpu, N);
	for (i = 0; i < 3; i++)
		tbo_close(self->fd, &step[i]);
	tsyncobj_destroy(self->fd, t);
}

/* Jobs of one submission run in order, whatever their priorities. */
TEST_F(sync, multi_job_submission_in_order)
{
	struct tcs c[4] = { { .n = 0 }, { .n = 0 }, { .n = 0 }, { .n = 0 } };
	struct tjob j[4];
	struct tbo other;
	uint8_t want[N];
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &other));
	start_busy(_metadata, self);
	for (i = 0; i < 4; i++)
		j[i] = (struct tjob){ .cs = &c[i] };
	/* 1: src -> mid; 2 (high): mid -> dst; 3 (high): other buffer only; 4: src := 0 */
	tcs_copy(&c[0], self->src.va, self->mid.va, N);
	tjob_bo(&j[0], self->src.handle, 0);
	tjob_bo(&j[0], self->mid.handle, 1);
	slow_down(self, &j[0], &c[0]);
	tcs_copy(&c[1], self->mid.va, self->dst.va, N);
	tjob_bo(&j[1], self->mid.handle, 0);
	tjob_bo(&j[1], self->dst.handle, 1);
	j[1].priority = DRM_EDGENPU_PRIORITY_HIGH;
	tcs_fill(&c[2], other.va, 0x42, N);
	tjob_bo(&j[2], other.handle, 1);
	j[2].priority = DRM_EDGENPU_PRIORITY_HIGH;
	tcs_fill(&c[3], self->src.va, 0, N);
	tjob_bo(&j[3], self->src.handle, 1);
	for (i = 0; i < 4; i++)
		tcs_end(&c[i]);
	memcpy(want, self->src.cpu, N);
	ASSERT_EQ(0, tsubmit(self->fd, j, 4));
	for (i = 1; i < 4; i++) {
		EXPECT_EQ(j[0].id + i, j[i].id);
	}
	expect_ended_before(_metadata, self->fd, j[0].id, j[1].id);
	expect_ended_before(_metadata, self->fd, j[1].id, j[2].id);
	expect_ended_before(_metadata, self->fd, j[2].id, j[3].id);
	for (i = 0; i < 4; i++)
		expect_ok(_metadata, self->fd, j[i].id);
	expect_bytes(_metadata, self->fd, &self->dst, want, N);
	ASSERT_EQ(0, tbo_wait(self->fd, self->src.handle, MS * 1000000ll));
	EXPECT_EQ(0, self->src.cpu[0]);
	EXPECT_EQ(0x42, other.cpu[N - 1]);
	tbo_close(self->fd, &other);
}

/*
 * Implicit sync, separate submissions, no syncobj: a reader waits for the
 * writer, a writer for the readers, even on the faster ring.
 */
TEST_F(sync, implicit_sync)
{
	struct tcs cw = { .n = 0 }, cr = { .n = 0 }, cr2 = { .n = 0 }, cw2 = { .n = 0 };
	struct tjob w = { .cs = &cw }, r = { .cs = &cr }, r2 = { .cs = &cr2 }, w2 = { .cs = &cw2 };
	uint8_t want[N];
	struct tbo y;
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &y));
	start_busy(_metadata, self);

	/* read after write: w fills mid, r (high) copies mid -> dst */
	tcs_fill(&cw, self->mid.va, 0x5a, N);
	tjob_bo(&w, self->mid.handle, 1);
	slow_down(self, &w, &cw);
	tcs_end(&cw);
	ASSERT_EQ(0, tsubmit(self->fd, &w, 1));
	tcs_copy(&cr, self->mid.va, self->dst.va, N);
	tcs_end(&cr);
	tjob_bo(&r, self->mid.handle, 0);
	tjob_bo(&r, self->dst.handle, 1);
	r.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &r, 1));

	/* write after read: r2 copies src -> y, w2 (high) overwrites src */
	tcs_copy(&cr2, self->src.va, y.va, N);
	tjob_bo(&r2, self->src.handle, 0);
	tjob_bo(&r2, y.handle, 1);
	slow_down(self, &r2, &cr2);
	tcs_end(&cr2);
	ASSERT_EQ(0, tsubmit(self->fd, &r2, 1));
	tcs_fill(&cw2, self->src.va, 0xa5, N);
	tcs_end(&cw2);
	tjob_bo(&w2, self->src.handle, 1);
	w2.priority = DRM_EDGENPU_PRIORITY_HIGH;
	memcpy(want, self->src.cpu, N);
	ASSERT_EQ(0, tsubmit(self->fd, &w2, 1));

	expect_ok(_metadata, self->fd, w.id);
	expect_ok(_metadata, self->fd, r.id);
	expect_ok(_metadata, self->fd, r2.id);
	expect_ok(_metadata, self->fd, w2.id);
	expect_ended_before(_metadata, self->fd, w.id, r.id);
	expect_ended_before(_metadata, self->fd, r2.id, w2.id);
	ASSERT_EQ(0, tbo_wait(self->fd, self->dst.handle, MS * 1000000ll));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0x5a, self->dst.cpu[i]) TH_LOG("dst byte %u", i);
	}
	expect_bytes(_metadata, self->fd, &y, want, N);
	ASSERT_EQ(0, tbo_wait(self->fd, self->src.handle, MS * 1000000ll));
	EXPECT_EQ(0xa5, self->src.cpu[0]);
	tbo_close(self->fd, &y);
}

/* The high-priority ring is served first; both rings complete correctly. */
TEST_F(sync, priorities)
{
	struct tcs slow = { .n = 0 }, fast = { .n = 0 }, cs[16];
	struct tjob n1 = { .cs = &slow }, h1 = { .cs = &fast }, j[16];
	struct drm_edgenpu_job_info info;
	struct tbo x;
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, N, DRM_EDGENPU_BO_CREATE_MAP, &x));
	start_busy(_metadata, self);
	/* n1: normal and long (another 32 copies); h1: high, submitted after it */
	tcs_copies(&slow, self->busy.a.va, self->busy.b.va, TBUSY_SIZE, 32);
	tcs_end(&slow);
	tjob_bo(&n1, self->busy.a.handle, 0);
	tjob_bo(&n1, self->busy.b.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &n1, 1));
	tcs_fill(&fast, x.va, 0x66, N);
	tcs_end(&fast);
	tjob_bo(&h1, x.handle, 1);
	h1.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &h1, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, h1.id, MS, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tjob_info(self->fd, n1.id, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_PENDING, info.status)
		TH_LOG("the high-priority job did not overtake the normal one");
	expect_ok(_metadata, self->fd, n1.id);
	EXPECT_EQ(0x66, x.cpu[N - 1]);

	/* a mix of both rings, each job filling its own slice */
	for (i = 0; i < 16; i++) {
		cs[i].n = 0;
		j[i] = (struct tjob){ .cs = &cs[i] };
		tcs_fill(&cs[i], x.va + i * (N / 16), (uint8_t)(i + 1), N / 16);
		tcs_end(&cs[i]);
		tjob_bo(&j[i], x.handle, 1);
		j[i].priority = i % 3 ? DRM_EDGENPU_PRIORITY_NORMAL : DRM_EDGENPU_PRIORITY_HIGH;
		ASSERT_EQ(0, tsubmit(self->fd, &j[i], 1));
	}
	for (i = 0; i < 16; i++)
		expect_ok(_metadata, self->fd, j[i].id);
	ASSERT_EQ(0, tbo_wait(self->fd, x.handle, MS * 1000000ll));
	for (i = 0; i < N; i++) {
		ASSERT_EQ((uint8_t)(i / (N / 16) + 1), x.cpu[i]) TH_LOG("byte %u", i);
	}
	tbo_close(self->fd, &x);
}

/*
 * A syncobj shared with another process (through an fd) orders that
 * process's job after ours; its job is on the faster ring and could
 * otherwise run first.
 */
TEST_F(sync, cross_process_syncobj)
{
	struct tcs ca = { .n = 0 };
	struct tjob a = { .cs = &ca };
	int to_child[2], to_parent[2], sfd, st;
	uint32_t s;
	uint64_t go;
	pid_t pid;

	ASSERT_EQ(0, tsyncobj_create(self->fd, &s));
	ASSERT_EQ(0, tsyncobj_export(self->fd, s, &sfd));
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct drm_edgenpu_job_info info;
		struct tcs cb = { .n = 0 };
		struct tjob b = { .cs = &cb };
		int fd = edgenpu_open(), status = -1;
		uint32_t mine;
		struct tbo out;
		unsigned int i;

		if (fd < 0 || tsyncobj_import(fd, sfd, &mine) ||
		    tbo_create(fd, N, DRM_EDGENPU_BO_CREATE_MAP, &out))
			_exit(10);
		close(sfd);
		if (tpipe_put(to_parent[1], 1) || tpipe_get(to_child[0], &go, MS))
			_exit(11);
		tcs_fill(&cb, out.va, 0x7e, N);
		tcs_end(&cb);
		tjob_bo(&b, out.handle, 1);
		b.in[b.nin++] = (struct drm_edgenpu_sync){ .handle = mine };
		b.priority = DRM_EDGENPU_PRIORITY_HIGH;
		if (tsubmit(fd, &b, 1))
			_exit(12);
		if (tjob_wait(fd, b.id, MS, &info) || info.status != DRM_EDGENPU_JOB_OK)
			_exit(13);
		/* the other process's job had ended by then */
		if (tsyncobj_fence_status(fd, mine, &status) || status != 1)
			_exit(14);
		if (tbo_wait(fd, out.handle, MS * 1000000ll))
			_exit(15);
		for (i = 0; i < N; i++)
			if (out.cpu[i] != 0x7e)
				_exit(16);
		tbo_close(fd, &out);
		close(fd);
		_exit(0);
	}
	close(sfd);
	/* the child is ready to submit at once: the long job starts now */
	ASSERT_EQ(0, tpipe_get(to_parent[0], &go, MS));
	start_busy(_metadata, self);
	tcs_copy(&ca, self->src.va, self->dst.va, N);
	tjob_bo(&a, self->src.handle, 0);
	tjob_bo(&a, self->dst.handle, 1);
	slow_down(self, &a, &ca);
	tcs_end(&ca);
	a.out_handle = s;
	ASSERT_EQ(0, tsubmit(self->fd, &a, 1));
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s, &st));
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, tpipe_put(to_child[1], 1));
	EXPECT_EQ(0, tchild_wait(pid, 2 * MS));
	expect_ok(_metadata, self->fd, a.id);
	expect_bytes(_metadata, self->fd, &self->dst, self->src.cpu, N);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	tsyncobj_destroy(self->fd, s);
}

/* ---- compute ---------------------------------------------------------------- */

static int8_t clamp8(int32_t v, int32_t lo, int32_t hi)
{
	return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/*
 * FULLY_CONNECTED then MAX_POOL over its output, chained by a syncobj.
 * FC with multiplier 1 << 30 and shift 1 requantizes exactly:
 * out = clamp(bias + sum(w * (x - in_zp)) + out_zp) (hw/int8/fully_connected.c).
 */
TEST_F(sync, compute_chain)
{
	enum { B = 4, IN = 24, OUT = 12, ACT_LO = -90, ACT_HI = 100 };
	const int32_t in_zp = 3, out_zp = -7;
	/* params buffer: input, weights, bias, quant */
	const uint32_t o_in = 0, o_w = 256, o_bias = 1024, o_quant = 1280;
	int8_t want_fc[B * OUT], want_pool[(B / 2) * (OUT / 2) * 1];
	struct tcs cf = { .n = 0 }, cp = { .n = 0 };
	struct tjob f = { .cs = &cf }, p = { .cs = &cp };
	struct drm_edgenpu_job_info info;
	struct tbo prm, fco, po;
	int8_t *x, *w;
	int32_t *bias, *quant;
	uint32_t s;
	int b, o, i, st;

	ASSERT_EQ(0, tbo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &prm));
	ASSERT_EQ(0, tbo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &fco));
	ASSERT_EQ(0, tbo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &po));
	x = (int8_t *)prm.cpu + o_in;
	w = (int8_t *)prm.cpu + o_w;
	bias = (int32_t *)(prm.cpu + o_bias);
	quant = (int32_t *)(prm.cpu + o_quant);
	srand(7);
	for (i = 0; i < B * IN; i++)
		x[i] = (int8_t)(rand() % 21 - 10);
	for (i = 0; i < OUT * IN; i++)
		w[i] = (int8_t)(rand() % 5 - 2);
	for (o = 0; o < OUT; o++)
		bias[o] = rand() % 61 - 30;
	quant[0] = 1 << 30;
	quant[1] = 1;
	for (b = 0; b < B; b++)
		for (o = 0; o < OUT; o++) {
			int32_t acc = bias[o];

			for (i = 0; i < IN; i++)
				acc += w[o * IN + i] * (x[b * IN + i] - in_zp);
			want_fc[b * OUT + o] = clamp8(acc + out_zp, ACT_LO, ACT_HI);
		}
	/* the pool sees the FC output as [1, B, OUT, 1], 2x2 windows, stride 2 */
	for (b = 0; b < B / 2; b++)
		for (o = 0; o < OUT / 2; o++) {
			int m = -128;
			int dy, dx;

			for (dy = 0; dy < 2; dy++)
				for (dx = 0; dx < 2; dx++)
					if (want_fc[(2 * b + dy) * OUT + 2 * o + dx] > m)
						m = want_fc[(2 * b + dy) * OUT + 2 * o + dx];
			want_pool[b * (OUT / 2) + o] = clamp8(m, -20, 60);
		}
	memset(fco.cpu, 0x80, 4096);
	memset(po.cpu, 0x80, 4096);

	{
		struct enpu_cmd_fc fc = {
			.flags = ENPU_FC_FLAG_BIAS, .input = prm.va + o_in,
			.filter = prm.va + o_w, .bias = prm.va + o_bias,
			.quant = prm.va + o_quant, .output = fco.va, .batches = B,
			.in_depth = IN, .out_depth = OUT, .input_zero_point = in_zp,
			.output_zero_point = out_zp, .act_min = ACT_LO, .act_max = ACT_HI,
		};
		struct enpu_cmd_pool pool = {
			.input = fco.va, .output = po.va, .batches = 1, .in_h = B,
			.in_w = OUT, .channels = 1, .out_h = B / 2, .out_w = OUT / 2,
			.filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
			.act_min = -20, .act_max = 60,
		};

		tcs_cmd(&cf, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
		tcs_cmd(&cp, ENPU_OP_MAX_POOL, &pool, sizeof(pool));
	}
	tcs_end(&cf);
	tcs_end(&cp);
	ASSERT_EQ(0, tsyncobj_create(self->fd, &s));
	start_busy(_metadata, self);
	tjob_bo(&f, prm.handle, 0);
	tjob_bo(&f, fco.handle, 1);
	f.out_handle = s;
	ASSERT_EQ(0, tsubmit(self->fd, &f, 1));
	tjob_bo(&p, fco.handle, 0);
	tjob_bo(&p, po.handle, 1);
	p.in[p.nin++] = (struct drm_edgenpu_sync){ .handle = s };
	p.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(0, tsubmit(self->fd, &p, 1));

	expect_ok(_metadata, self->fd, p.id);
	expect_ok(_metadata, self->fd, f.id);
	ASSERT_EQ(0, tsyncobj_fence_status(self->fd, s, &st));
	EXPECT_EQ(1, st);
	expect_bytes(_metadata, self->fd, &fco, (const uint8_t *)want_fc, sizeof(want_fc));
	expect_bytes(_metadata, self->fd, &po, (const uint8_t *)want_pool, sizeof(want_pool));
	EXPECT_EQ(0x80, fco.cpu[sizeof(want_fc)]);
	EXPECT_EQ(0x80, po.cpu[sizeof(want_pool)]);
	ASSERT_EQ(0, tjob_info(self->fd, f.id, &info));
	EXPECT_EQ((uint64_t)B * IN * OUT, info.macs);
	EXPECT_EQ(1, info.commands);
	tbo_close(self->fd, &prm);
	tbo_close(self->fd, &fco);
	tbo_close(self->fd, &po);
	tsyncobj_destroy(self->fd, s);
}

TEST_HARNESS_MAIN
