// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffers and address spaces: BO_CREATE, BO_INFO, BO_WAIT, VM_MAP and
 * VM_UNMAP argument checks; where buffers land in the NPU address space
 * (never page 0, never the SRAM window, never overlapping, a guard page
 * between neighbours); mapping one buffer twice; many mappings come and
 * go without leaking (debugfs "contexts").
 */
#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define GUARD		ENPU_PAGE_SIZE
#define MANY		512

FIXTURE(bo) {
	int fd;
	char devname[64];
};

FIXTURE_SETUP(bo)
{
	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, tdev_name(NULL, self->devname, sizeof(self->devname)));
}

FIXTURE_TEARDOWN(bo)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int bo_create(int fd, uint64_t size, uint32_t flags,
		     struct drm_edgenpu_bo_create *c)
{
	memset(c, 0, sizeof(*c));
	c->size = size;
	c->flags = flags;
	return enpu_ioctl(fd, DRM_IOCTL_EDGENPU_BO_CREATE, c);
}

TEST_F(bo, create_sizes)
{
	static const struct { uint64_t in, out; } ok[] = {
		{ 1, 4096 }, { 4095, 4096 }, { 4096, 4096 }, { 4097, 8192 },
		{ 65536, 65536 }, { (1ull << 30) - 1, 1ull << 30 },
		{ 1ull << 30, 1ull << 30 },
	};
	struct drm_edgenpu_bo_create c;
	unsigned int i;

	EXPECT_EQ(-EINVAL, bo_create(self->fd, 0, 0, &c));
	EXPECT_EQ(-EINVAL, bo_create(self->fd, (1ull << 30) + 1, 0, &c));
	EXPECT_EQ(-EINVAL, bo_create(self->fd, 1ull << 40, 0, &c));
	EXPECT_EQ(-EINVAL, bo_create(self->fd, ~0ull, 0, &c));
	EXPECT_EQ(-EINVAL, bo_create(self->fd, ~0ull - 4094, 0, &c));

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct drm_edgenpu_bo_info info = { 0 };

		ASSERT_EQ(0, bo_create(self->fd, ok[i].in, 0, &c)) TH_LOG("size %llu",
			(unsigned long long)ok[i].in);
		EXPECT_EQ(ok[i].out, c.size);
		EXPECT_NE(0, c.handle);
		EXPECT_EQ(0, c.va);	/* not mapped without _MAP */
		info.handle = c.handle;
		ASSERT_EQ(0, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info));
		EXPECT_EQ(ok[i].out, info.size);
		EXPECT_EQ(0, tgem_close(self->fd, c.handle));
	}
}

TEST_F(bo, create_flags)
{
	struct drm_edgenpu_bo_create c;
	uint32_t bit;

	for (bit = 2; bit < 32; bit++) {
		EXPECT_EQ(-EINVAL, bo_create(self->fd, 4096, 1u << bit, &c))
			TH_LOG("flag bit %u", bit);
	}
	EXPECT_EQ(-EINVAL, bo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_READ_ONLY, &c));

	ASSERT_EQ(0, bo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &c));
	EXPECT_NE(0, c.va);
	EXPECT_EQ(0, tvm_unmap(self->fd, c.va));
	EXPECT_EQ(0, tgem_close(self->fd, c.handle));

	ASSERT_EQ(0, bo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP |
			       DRM_EDGENPU_BO_CREATE_READ_ONLY, &c));
	EXPECT_NE(0, c.va);
	EXPECT_EQ(0, tvm_unmap(self->fd, c.va));
	EXPECT_EQ(0, tgem_close(self->fd, c.handle));
}

TEST_F(bo, info_and_mmap_round_trip)
{
	struct drm_edgenpu_bo_info info = { 0 }, again = { 0 };
	struct drm_edgenpu_bo_create c;
	uint8_t *p;
	unsigned int i;

	ASSERT_EQ(0, bo_create(self->fd, 3 * 4096 + 5, 0, &c));
	info.handle = c.handle;
	ASSERT_EQ(0, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info));
	EXPECT_EQ(4 * 4096, info.size);
	EXPECT_NE(0, info.mmap_offset);
	EXPECT_EQ(0, info.mmap_offset % 4096);

	/* the offset is stable */
	again.handle = c.handle;
	ASSERT_EQ(0, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &again));
	EXPECT_EQ(info.mmap_offset, again.mmap_offset);

	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < info.size; i++) {
		ASSERT_EQ(0, p[i]) TH_LOG("new buffer not zeroed at %u", i);
	}
	for (i = 0; i < info.size; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	ASSERT_EQ(0, munmap(p, info.size));

	p = mmap(NULL, info.size, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < info.size; i++) {
		ASSERT_EQ((uint8_t)(i * 7 + 3), p[i]) TH_LOG("byte %u", i);
	}
	ASSERT_EQ(0, munmap(p, info.size));

	/* a mapping larger than the buffer is refused */
	p = mmap(NULL, info.size + 4096, PROT_READ, MAP_SHARED, self->fd,
		 info.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, info.size + 4096);

	/* flags must be zero; unknown handles */
	info.flags = 1;
	EXPECT_EQ(-EINVAL, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info));
	EXPECT_EQ(0, tgem_close(self->fd, c.handle));
	memset(&info, 0, sizeof(info));
	info.handle = c.handle;
	EXPECT_EQ(-ENOENT, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info));
	info.handle = 0;
	EXPECT_EQ(-ENOENT, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info));
	info.handle = 0xdeadbeef;
	EXPECT_EQ(-ENOENT, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info));
}

TEST_F(bo, handles_are_per_file)
{
	struct drm_edgenpu_bo_info info = { 0 };
	struct drm_edgenpu_bo_create c;
	int fd2 = edgenpu_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, bo_create(self->fd, 4096, 0, &c));
	info.handle = c.handle;
	EXPECT_EQ(-ENOENT, enpu_ioctl(fd2, DRM_IOCTL_EDGENPU_BO_INFO, &info));
	EXPECT_EQ(-ENOENT, tbo_wait(fd2, c.handle, 0));
	close(fd2);
	EXPECT_EQ(0, tgem_close(self->fd, c.handle));
}

TEST_F(bo, wait)
{
	struct drm_edgenpu_bo_wait w = { 0 };
	struct drm_edgenpu_bo_create c;

	ASSERT_EQ(0, bo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &c));
	EXPECT_EQ(0, tbo_wait(self->fd, c.handle, 0));
	EXPECT_EQ(0, tbo_wait(self->fd, c.handle, 1000000000));
	EXPECT_EQ(-EINVAL, tbo_wait(self->fd, c.handle, -1));
	EXPECT_EQ(-EINVAL, tbo_wait(self->fd, c.handle, INT64_MIN));
	w.handle = c.handle;
	w.flags = 1;
	EXPECT_EQ(-EINVAL, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w));
	w.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w));
	EXPECT_EQ(-ENOENT, tbo_wait(self->fd, c.handle + 1000, 0));
	EXPECT_EQ(-ENOENT, tbo_wait(self->fd, 0, 0));
	EXPECT_EQ(0, tvm_unmap(self->fd, c.va));
	EXPECT_EQ(0, tgem_close(self->fd, c.handle));
}

/* A buffer kept busy by a job behind a hang is reported busy, then idle. */
TEST_F(bo, wait_busy)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob job = { .cs = &cs };
	struct tbo a;
	int64_t t0;
	int ret;

	ASSERT_EQ(0, tbo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &a));
	tcoredumps_settle(self->devname);
	if (tinject(self->devname, "hang"))
		SKIP(return, "no fault injection (debug=on) in debugfs");
	tcs_fill(&cs, a.va, 0x5a, 4096);
	tcs_end(&cs);
	tjob_bo(&job, a.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &job, 1));

	EXPECT_EQ(-EBUSY, tbo_wait(self->fd, a.handle, 0));
	t0 = tnow_ms();
	ret = tbo_wait(self->fd, a.handle, 100 * 1000000ll);
	EXPECT_EQ(-ETIME, ret);
	EXPECT_LE(90, tnow_ms() - t0);
	/* the hang is detected within two timeouts; the buffer becomes idle */
	EXPECT_EQ(0, tbo_wait(self->fd, a.handle, 10000 * 1000000ll));
	ASSERT_EQ(0, tjob_wait(self->fd, job.id, 1000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_TIMEOUT, info.status);
	/* the hang left a device coredump (which pins the module): drop it */
	EXPECT_EQ(1, tcoredump_wait(self->devname, 5000, 1, NULL, 0));
	tbo_close(self->fd, &a);
}

TEST_F(bo, map_unmap_args)
{
	struct drm_edgenpu_vm_unmap u = { 0 };
	struct drm_edgenpu_bo_create c;
	uint64_t va, va2;
	uint32_t bit;

	ASSERT_EQ(0, bo_create(self->fd, 8192, 0, &c));
	EXPECT_EQ(-ENOENT, tvm_map(self->fd, 0, 0, &va));
	EXPECT_EQ(-ENOENT, tvm_map(self->fd, c.handle + 100, 0, &va));
	for (bit = 1; bit < 32; bit++) {
		EXPECT_EQ(-EINVAL, tvm_map(self->fd, c.handle, 1u << bit, &va))
			TH_LOG("flag bit %u", bit);
	}

	ASSERT_EQ(0, tvm_map(self->fd, c.handle, 0, &va));
	EXPECT_NE(0, va);
	ASSERT_EQ(0, tvm_map(self->fd, c.handle, DRM_EDGENPU_VM_MAP_READ_ONLY, &va2));
	EXPECT_NE(0, va2);

	/* only the exact start of a live mapping can be unmapped */
	EXPECT_EQ(-ENOENT, tvm_unmap(self->fd, va + 4096));
	EXPECT_EQ(-ENOENT, tvm_unmap(self->fd, va + 1));
	EXPECT_EQ(-ENOENT, tvm_unmap(self->fd, 0));
	EXPECT_EQ(-ENOENT, tvm_unmap(self->fd, 0x10000000));
	EXPECT_EQ(-EINVAL, tvm_unmap(self->fd, ENPU_SRAM_VA_BASE));
	EXPECT_EQ(-EINVAL, tvm_unmap(self->fd, ENPU_SRAM_VA_BASE + 4096));
	EXPECT_EQ(-EINVAL, tvm_unmap(self->fd, 0xffffffffull));
	EXPECT_EQ(-EINVAL, tvm_unmap(self->fd, 1ull << 32));
	EXPECT_EQ(-EINVAL, tvm_unmap(self->fd, va + (1ull << 32)));
	u.va = va;
	u.flags = 1;
	EXPECT_EQ(-EINVAL, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_VM_UNMAP, &u));
	u.flags = 0;
	u.pad = 1;
	EXPECT_EQ(-EINVAL, enpu_ioctl(self->fd, DRM_IOCTL_EDGENPU_VM_UNMAP, &u));

	/* the rejected calls left the mapping alone */
	EXPECT_EQ(0, tvm_unmap(self->fd, va));
	EXPECT_EQ(-ENOENT, tvm_unmap(self->fd, va));
	EXPECT_EQ(0, tvm_unmap(self->fd, va2));
	EXPECT_EQ(-ENOENT, tvm_unmap(self->fd, va2));

	/* a mapping outlives the handle and keeps the buffer */
	ASSERT_EQ(0, tvm_map(self->fd, c.handle, 0, &va));
	EXPECT_EQ(0, tgem_close(self->fd, c.handle));
	EXPECT_EQ(1, tcontext_mappings(self->devname, getpid()));
	EXPECT_EQ(0, tvm_unmap(self->fd, va));
	EXPECT_EQ(0, tcontext_mappings(self->devname, getpid()));
	EXPECT_EQ(-ENOENT, tvm_map(self->fd, c.handle, 0, &va));
}

struct span {
	uint64_t va, size;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Every VA is page aligned, off page 0, below the SRAM window, with a guard gap. */
static void check_layout(struct __test_metadata *_metadata, struct span *s,
			 unsigned int n)
{
	unsigned int i;

	qsort(s, n, sizeof(*s), span_cmp);
	for (i = 0; i < n; i++) {
		EXPECT_NE(0, s[i].va);
		EXPECT_LE(ENPU_PAGE_SIZE, s[i].va);
		EXPECT_EQ(0, s[i].va % ENPU_PAGE_SIZE);
		EXPECT_LE(s[i].va + s[i].size, ENPU_SRAM_VA_BASE)
			TH_LOG("0x%llx+%llu reaches the SRAM window",
			       (unsigned long long)s[i].va,
			       (unsigned long long)s[i].size);
		if (i) {
			EXPECT_LE(s[i - 1].va + s[i - 1].size + GUARD, s[i].va)
				TH_LOG("0x%llx+%llu and 0x%llx: no guard page",
				       (unsigned long long)s[i - 1].va,
				       (unsigned long long)s[i - 1].size,
				       (unsigned long long)s[i].va);
		}
	}
}

TEST_F(bo, va_layout)
{
	static const uint64_t sizes[] = {
		1, 4096, 4097, 12288, 65536, 1 << 20, 3 * 4096 + 1, 2 << 20, 4096,
		100000,
	};
	const unsigned int n = sizeof(sizes) / sizeof(sizes[0]);
	struct span s[2 * sizeof(sizes) / sizeof(sizes[0])];
	uint32_t handles[sizeof(sizes) / sizeof(sizes[0])];
	struct drm_edgenpu_bo_create c;
	unsigned int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, bo_create(self->fd, sizes[i], DRM_EDGENPU_BO_CREATE_MAP, &c));
		handles[i] = c.handle;
		s[i].va = c.va;
		s[i].size = c.size;
	}
	/* the same buffers mapped a second time get VAs of their own */
	for (i = 0; i < n; i++) {
		s[n + i].size = s[i].size;
		ASSERT_EQ(0, tvm_map(self->fd, handles[i], 0, &s[n + i].va));
		EXPECT_NE(s[i].va, s[n + i].va);
	}
	check_layout(_metadata, s, 2 * n);
	EXPECT_EQ(2 * n, tcontext_mappings(self->devname, getpid()));
	for (i = 0; i < 2 * n; i++) {
		EXPECT_EQ(0, tvm_unmap(self->fd, s[i].va));
	}
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, tgem_close(self->fd, handles[i]));
	}
	EXPECT_EQ(0, tcontext_mappings(self->devname, getpid()));
}

/* Two VAs of one buffer alias: the NPU writes through one, the CPU reads it. */
TEST_F(bo, double_map_aliases)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 };
	struct tjob job = { .cs = &cs };
	struct tbo b;
	uint64_t va2;
	unsigned int i;

	ASSERT_EQ(0, tbo_create(self->fd, 8192, DRM_EDGENPU_BO_CREATE_MAP, &b));
	ASSERT_EQ(0, tvm_map(self->fd, b.handle, 0, &va2));
	ASSERT_NE(b.va, va2);
	memset(b.cpu, 0x11, 8192);
	tcs_fill(&cs, va2 + 4096, 0x77, 4096);
	tcs_end(&cs);
	tjob_bo(&job, b.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &job, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, job.id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, b.handle, 1000000000));
	for (i = 0; i < 8192; i++) {
		ASSERT_EQ(i < 4096 ? 0x11 : 0x77, b.cpu[i]) TH_LOG("byte %u", i);
	}

	/* once unmapped, the second VA is refused; the first still works */
	ASSERT_EQ(0, tvm_unmap(self->fd, va2));
	job.id = 0;
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, &job, 1));
	cs.n = 0;
	tcs_fill(&cs, b.va, 0x22, 4096);
	tcs_end(&cs);
	ASSERT_EQ(0, tsubmit(self->fd, &job, 1));
	ASSERT_EQ(0, tjob_wait(self->fd, job.id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, b.handle, 1000000000));
	EXPECT_EQ(0x22, b.cpu[0]);
	EXPECT_EQ(0x22, b.cpu[4095]);
	EXPECT_EQ(0x77, b.cpu[4096]);
	tbo_close(self->fd, &b);
}

/*
 * Unmapping (and closing) a buffer a queued job uses: the job keeps it
 * and still writes it; the range is not handed out again until the job
 * is done; new jobs cannot use the VA any more.
 */
TEST_F(bo, unmap_while_in_use)
{
	struct drm_edgenpu_job_info info;
	struct tcs cs = { .n = 0 }, c2 = { .n = 0 };
	struct tjob job = { .cs = &cs }, j2 = { .cs = &c2 };
	struct tbusy busy;
	struct tbo x, y;
	uint64_t va;
	uint8_t *keep;
	unsigned int i;
	char *ctx;

	ASSERT_EQ(0, tbusy_init(self->fd, &busy, 64));
	ASSERT_EQ(0, tbo_create(self->fd, 8192, DRM_EDGENPU_BO_CREATE_MAP, &x));
	memset(x.cpu, 0x10, 8192);
	va = x.va;
	ASSERT_EQ(0, tsubmit(self->fd, &busy.job, 1));
	tcs_fill(&cs, va, 0x7a, 8192);
	tcs_end(&cs);
	tjob_bo(&job, x.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &job, 1));

	/* gone for userspace: VA and handle; the CPU mapping stays */
	keep = x.cpu;
	ASSERT_EQ(0, tvm_unmap(self->fd, va));
	ASSERT_EQ(0, tgem_close(self->fd, x.handle));
	ctx = tdebugfs_read(self->devname, "contexts");
	ASSERT_NE(NULL, ctx);
	EXPECT_NE(NULL, strstr(ctx, "(unmapped, in use)")) TH_LOG("contexts:\n%s", ctx);
	free(ctx);

	/* while the job is queued its range is not reused */
	ASSERT_EQ(0, tbo_create(self->fd, 8192, DRM_EDGENPU_BO_CREATE_MAP, &y));
	EXPECT_NE(va, y.va);
	EXPECT_TRUE(y.va + 8192 <= va || y.va >= va + 8192);
	/* and a new job cannot use the old VA */
	tcs_fill(&c2, va, 0, 16);
	tcs_end(&c2);
	tjob_bo(&j2, y.handle, 1);
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, &j2, 1));

	ASSERT_EQ(0, tjob_wait(self->fd, job.id, 5000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tbo_wait(self->fd, busy.b.handle, 5000000000ll));
	for (i = 0; i < 8192; i++) {
		ASSERT_EQ(0x7a, keep[i]) TH_LOG("byte %u", i);
	}
	munmap(keep, 8192);
	/* once the job is done, the mapping is gone for good */
	usleep(100000);
	ctx = tdebugfs_read(self->devname, "contexts");
	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(NULL, strstr(ctx, "(unmapped, in use)")) TH_LOG("contexts:\n%s", ctx);
	free(ctx);
	tbo_close(self->fd, &y);
	tbusy_fini(self->fd, &busy);
}

/* Many mappings, then none: debugfs shows them, then not. */
TEST_F(bo, many_mappings_no_leak)
{
	struct span *s = calloc(MANY, sizeof(*s));
	uint32_t *h = calloc(MANY, sizeof(*h));
	struct drm_edgenpu_bo_create c;
	unsigned int i, round;
	uint64_t first_va = 0;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, tcontext_mappings(self->devname, getpid()));
	for (round = 0; round < 2; round++) {
		for (i = 0; i < MANY; i++) {
			ASSERT_EQ(0, bo_create(self->fd, 4096 * (1 + i % 4),
					       DRM_EDGENPU_BO_CREATE_MAP, &c))
				TH_LOG("buffer %u", i);
			h[i] = c.handle;
			s[i].va = c.va;
			s[i].size = c.size;
		}
		if (!round) {
			first_va = s[0].va;
		} else {
			/* the address space was given back */
			EXPECT_EQ(first_va, s[0].va);
		}
		EXPECT_EQ(MANY, tcontext_mappings(self->devname, getpid()));
		for (i = 0; i < MANY; i++) {
			EXPECT_EQ(0, tvm_unmap(self->fd, s[i].va));
			EXPECT_EQ(0, tgem_close(self->fd, h[i]));
		}
		EXPECT_EQ(0, tcontext_mappings(self->devname, getpid()));
	}
	free(s);
	free(h);
}

/* Closing the file drops its mappings and its context. */
TEST_F(bo, close_drops_mappings)
{
	struct drm_edgenpu_bo_create c;
	int fd2, i, files;

	files = tcontext_files(self->devname, getpid());
	ASSERT_LE(1, files);
	fd2 = edgenpu_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(files + 1, tcontext_files(self->devname, getpid()));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, bo_create(fd2, 8192, DRM_EDGENPU_BO_CREATE_MAP, &c));
	}
	EXPECT_EQ(64, tcontext_mappings(self->devname, getpid()));
	close(fd2);
	EXPECT_EQ(files, tcontext_files(self->devname, getpid()));
	EXPECT_EQ(0, tcontext_mappings(self->devname, getpid()));
}

TEST_HARNESS_MAIN
