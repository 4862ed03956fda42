// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sharing buffers as dma-bufs: a buffer exported through PRIME is
 * imported by another file (and another process), mapped into its NPU
 * address space and used by its jobs, with implicit synchronisation
 * across the files; a udmabuf (memfd pages) is imported and used as a
 * job's input and output tensor.
 */
#include <sys/mman.h>
#include <linux/udmabuf.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define SIZE	65536
#define MS	5000

static uint8_t pat(unsigned int i)
{
	return (uint8_t)(i * 17 + (i >> 7) + 5);
}

static int prime_export(int fd, uint32_t handle, int *dmabuf)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	int ret = enpu_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*dmabuf = p.fd;
	return ret;
}

static int prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int ret = enpu_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = p.handle;
	return ret;
}

/* Runs one job (bounded wait) and returns its status, or a negative errno. */
static int run(int fd, struct tjob *j)
{
	struct drm_edgenpu_job_info info;
	int ret = tsubmit(fd, j, 1);

	if (!ret)
		ret = tjob_wait(fd, j->id, MS, &info);
	return ret ? ret : (int)info.status;
}

FIXTURE(prime) {
	int fd, fd2;
	struct tbo x;	/* exported by fd */
};

FIXTURE_SETUP(prime)
{
	unsigned int i;

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	self->fd2 = edgenpu_open();
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, tbo_create(self->fd, SIZE, DRM_EDGENPU_BO_CREATE_MAP, &self->x));
	for (i = 0; i < SIZE; i++)
		self->x.cpu[i] = pat(i);
}

FIXTURE_TEARDOWN(prime)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
}

TEST_F(prime, export_import_second_file)
{
	struct tcs c1 = { .n = 0 }, c2 = { .n = 0 };
	struct tjob j1 = { .cs = &c1 }, j2 = { .cs = &c2 };
	uint32_t h2, h2b;
	uint64_t va2;
	struct tbo y;
	uint8_t *view;
	int dmabuf, dmabuf2;
	unsigned int i;

	ASSERT_EQ(0, prime_export(self->fd, self->x.handle, &dmabuf));
	ASSERT_LE(0, dmabuf);
	/* the dma-buf has the buffer's size and contents */
	EXPECT_EQ(SIZE, lseek(dmabuf, 0, SEEK_END));
	view = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, dmabuf, 0);
	ASSERT_NE(MAP_FAILED, view);
	EXPECT_EQ(0, memcmp(view, self->x.cpu, SIZE));

	ASSERT_EQ(0, prime_import(self->fd2, dmabuf, &h2));
	ASSERT_NE(0, h2);
	/* importing again, or an export of the same buffer, gives the same handle */
	ASSERT_EQ(0, prime_import(self->fd2, dmabuf, &h2b));
	EXPECT_EQ(h2, h2b);
	ASSERT_EQ(0, prime_export(self->fd, self->x.handle, &dmabuf2));
	ASSERT_EQ(0, prime_import(self->fd2, dmabuf2, &h2b));
	EXPECT_EQ(h2, h2b);
	close(dmabuf2);
	/* back into the exporting file: its own handle */
	ASSERT_EQ(0, prime_import(self->fd, dmabuf, &h2b));
	EXPECT_EQ(self->x.handle, h2b);

	ASSERT_EQ(0, tvm_map(self->fd2, h2, 0, &va2));
	ASSERT_EQ(0, tbo_create(self->fd2, SIZE, DRM_EDGENPU_BO_CREATE_MAP, &y));

	/* the importer reads it... */
	tcs_copy(&c1, va2, y.va, SIZE);
	tcs_end(&c1);
	tjob_bo(&j1, h2, 0);
	tjob_bo(&j1, y.handle, 1);
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run(self->fd2, &j1));
	ASSERT_EQ(0, tbo_wait(self->fd2, y.handle, MS * 1000000ll));
	for (i = 0; i < SIZE; i++) {
		ASSERT_EQ(pat(i), y.cpu[i]) TH_LOG("byte %u", i);
	}
	/* ...and writes it: the exporter's CPU mapping and the dma-buf see it */
	tcs_fill(&c2, va2 + 4096, 0xab, 8192);
	tcs_end(&c2);
	tjob_bo(&j2, h2, 1);
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run(self->fd2, &j2));
	ASSERT_EQ(0, tbo_wait(self->fd, self->x.handle, MS * 1000000ll));
	for (i = 0; i < SIZE; i++) {
		ASSERT_EQ(i >= 4096 && i < 12288 ? 0xab : pat(i), self->x.cpu[i]) TH_LOG("byte %u", i);
	}
	EXPECT_EQ(0xab, view[4096]);

	/* the import keeps the buffer after the exporter lets go of it */
	munmap(view, SIZE);
	close(dmabuf);
	tbo_close(self->fd, &self->x);
	c1.n = 0;
	tcs_fill(&c1, y.va, 0, SIZE);
	tcs_copy(&c1, va2 + 4096, y.va, 16);
	tcs_end(&c1);
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run(self->fd2, &j1));
	ASSERT_EQ(0, tbo_wait(self->fd2, y.handle, MS * 1000000ll));
	EXPECT_EQ(0xab, y.cpu[15]);
	EXPECT_EQ(0, y.cpu[16]);
	EXPECT_EQ(0, tvm_unmap(self->fd2, va2));
	EXPECT_EQ(0, tgem_close(self->fd2, h2));
	tbo_close(self->fd2, &y);
}

/* Implicit sync across files: the importer's reader waits for the exporter's writer. */
TEST_F(prime, implicit_sync_across_files)
{
	struct tcs cw = { .n = 0 }, cr = { .n = 0 };
	struct tjob w = { .cs = &cw }, r = { .cs = &cr };
	struct tbusy busy;
	uint32_t h2;
	uint64_t va2;
	struct tbo y;
	int dmabuf;
	unsigned int i;

	ASSERT_EQ(0, tbusy_init(self->fd, &busy, 32));
	ASSERT_EQ(0, prime_export(self->fd, self->x.handle, &dmabuf));
	ASSERT_EQ(0, prime_import(self->fd2, dmabuf, &h2));
	close(dmabuf);
	ASSERT_EQ(0, tvm_map(self->fd2, h2, DRM_EDGENPU_VM_MAP_READ_ONLY, &va2));
	ASSERT_EQ(0, tbo_create(self->fd2, SIZE, DRM_EDGENPU_BO_CREATE_MAP, &y));

	/* the exporter's writer queues behind a long job; the reader is high priority */
	ASSERT_EQ(0, tsubmit(self->fd, &busy.job, 1));
	tcs_fill(&cw, self->x.va, 0x6d, SIZE);
	tcs_end(&cw);
	tjob_bo(&w, self->x.handle, 1);
	ASSERT_EQ(0, tsubmit(self->fd, &w, 1));
	tcs_copy(&cr, va2, y.va, SIZE);
	tcs_end(&cr);
	tjob_bo(&r, h2, 0);
	tjob_bo(&r, y.handle, 1);
	r.priority = DRM_EDGENPU_PRIORITY_HIGH;
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run(self->fd2, &r));
	ASSERT_EQ(0, tbo_wait(self->fd2, y.handle, MS * 1000000ll));
	for (i = 0; i < SIZE; i++) {
		ASSERT_EQ(0x6d, y.cpu[i]) TH_LOG("byte %u", i);
	}
	/* a read-only mapping of the import cannot be written */
	cr.n = 0;
	tcs_fill(&cr, va2, 0, 16);
	tcs_end(&cr);
	r.bos[0].flags = DRM_EDGENPU_BO_REF_WRITE;
	EXPECT_EQ(-EINVAL, tsubmit(self->fd2, &r, 1));
	tbo_close(self->fd2, &y);
	tbusy_fini(self->fd, &busy);
}

/* Another process imports the dma-buf (inherited fd) into its own file. */
TEST_F(prime, other_process)
{
	int dmabuf, status;
	pid_t pid;
	unsigned int i;

	ASSERT_EQ(0, prime_export(self->fd, self->x.handle, &dmabuf));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tcs cs = { .n = 0 };
		struct tjob j = { .cs = &cs };
		int fd = edgenpu_open();
		struct tbo y;
		uint32_t h;
		uint64_t va;

		if (fd < 0 || prime_import(fd, dmabuf, &h) || tvm_map(fd, h, 0, &va) ||
		    tbo_create(fd, SIZE, DRM_EDGENPU_BO_CREATE_MAP, &y))
			_exit(10);
		/* y := x, then x[0..256) := 0x5c */
		tcs_copy(&cs, va, y.va, SIZE);
		tcs_fill(&cs, va, 0x5c, 256);
		tcs_end(&cs);
		tjob_bo(&j, h, 1);
		tjob_bo(&j, y.handle, 1);
		if (run(fd, &j) != DRM_EDGENPU_JOB_OK)
			_exit(11);
		if (tbo_wait(fd, y.handle, MS * 1000000ll))
			_exit(12);
		for (i = 0; i < SIZE; i++)
			if (y.cpu[i] != pat(i))
				_exit(13);
		close(fd);
		_exit(0);
	}
	close(dmabuf);
	status = tchild_wait(pid, 2 * MS);
	EXPECT_EQ(0, status);
	ASSERT_EQ(0, tbo_wait(self->fd, self->x.handle, MS * 1000000ll));
	for (i = 0; i < SIZE; i++) {
		ASSERT_EQ(i < 256 ? 0x5c : pat(i), self->x.cpu[i]) TH_LOG("byte %u", i);
	}
}

/* ---- udmabuf ------------------------------------------------------------------- */

/* A dma-buf of @size bytes of memfd pages; *cpu maps them. Returns the fd or -errno. */
static int udmabuf_create(size_t size, uint8_t **cpu, int *memfd_out)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev, memfd, buf;

	memfd = memfd_create("edgenpu-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		close(memfd);
		return -errno;
	}
	*cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (*cpu == MAP_FAILED) {
		close(memfd);
		return -errno;
	}
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		buf = -errno;
	} else {
		c.memfd = memfd;
		buf = ioctl(dev, UDMABUF_CREATE, &c);
		if (buf < 0)
			buf = -errno;
		close(dev);
	}
	if (buf < 0) {
		munmap(*cpu, size);
		close(memfd);
		return buf;
	}
	*memfd_out = memfd;
	return buf;
}

/*
 * A udmabuf as the input tensor of a MAX_POOL (2x2, stride 2) and as
 * the output of a copy; the CPU sees the results through the memfd.
 */
TEST_F(prime, udmabuf_tensor)
{
	enum { H = 32, W = 32, C = 8, OH = H / 2, OW = W / 2 };
	const size_t size = 16384;
	struct tcs cs = { .n = 0 }, c2 = { .n = 0 };
	struct tjob j = { .cs = &cs }, j2 = { .cs = &c2 };
	int8_t want[OH * OW * C];
	struct enpu_cmd_pool pool = {
		.batches = 1, .in_h = H, .in_w = W, .channels = C, .out_h = OH,
		.out_w = OW, .filter_h = 2, .filter_w = 2, .stride_h = 2,
		.stride_w = 2, .act_min = -100, .act_max = 100,
	};
	int8_t *in;
	uint8_t *cpu;
	int buf, memfd = -1, y, x, c, dy, dx;
	uint32_t h;
	uint64_t va;
	struct tbo out;
	unsigned int i;

	if (access("/dev/udmabuf", F_OK))
		SKIP(return, "no /dev/udmabuf (CONFIG_UDMABUF)");
	buf = udmabuf_create(size, &cpu, &memfd);
	ASSERT_LE(0, buf) TH_LOG("udmabuf: %s", strerror(-buf));
	in = (int8_t *)cpu;
	srand(3);
	for (i = 0; i < H * W * C; i++)
		in[i] = (int8_t)(rand() % 256 - 128);
	memset(cpu + H * W * C, 0x21, size - H * W * C);
	for (y = 0; y < OH; y++)
		for (x = 0; x < OW; x++)
			for (c = 0; c < C; c++) {
				int m = -128;

				for (dy = 0; dy < 2; dy++)
					for (dx = 0; dx < 2; dx++) {
						int v = in[((2 * y + dy) * W + 2 * x + dx) * C + c];

						m = v > m ? v : m;
					}
				want[(y * OW + x) * C + c] = (int8_t)(m > 100 ? 100 : m < -100 ? -100 : m);
			}

	ASSERT_EQ(0, prime_import(self->fd, buf, &h));
	ASSERT_EQ(0, tvm_map(self->fd, h, 0, &va));
	ASSERT_NE(0, va);
	ASSERT_EQ(0, tbo_create(self->fd, 4096, DRM_EDGENPU_BO_CREATE_MAP, &out));
	memset(out.cpu, 0x80, 4096);

	pool.input = va;
	pool.output = out.va;
	tcs_cmd(&cs, ENPU_OP_MAX_POOL, &pool, sizeof(pool));
	tcs_end(&cs);
	tjob_bo(&j, h, 0);
	tjob_bo(&j, out.handle, 1);
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run(self->fd, &j));
	ASSERT_EQ(0, tbo_wait(self->fd, out.handle, MS * 1000000ll));
	for (i = 0; i < sizeof(want); i++) {
		ASSERT_EQ((uint8_t)want[i], out.cpu[i]) TH_LOG("output %u", i);
	}
	EXPECT_EQ(0x80, out.cpu[sizeof(want)]);

	/* the NPU writes the udmabuf: the pooled tensor goes after the input */
	tcs_copy(&c2, out.va, va + H * W * C, sizeof(want));
	tcs_end(&c2);
	tjob_bo(&j2, out.handle, 0);
	tjob_bo(&j2, h, 1);
	ASSERT_EQ(DRM_EDGENPU_JOB_OK, run(self->fd, &j2));
	ASSERT_EQ(0, tbo_wait(self->fd, h, MS * 1000000ll));
	for (i = 0; i < sizeof(want); i++) {
		ASSERT_EQ((uint8_t)want[i], cpu[H * W * C + i]) TH_LOG("udmabuf byte %u", i);
	}
	EXPECT_EQ(0x21, cpu[H * W * C + sizeof(want)]);
	EXPECT_EQ(0x21, cpu[size - 1]);

	/* beyond the udmabuf's size is outside the mapping */
	c2.n = 0;
	tcs_copy(&c2, out.va, va + size - 8, 16);
	tcs_end(&c2);
	EXPECT_EQ(-EINVAL, tsubmit(self->fd, &j2, 1));

	EXPECT_EQ(0, tvm_unmap(self->fd, va));
	EXPECT_EQ(0, tgem_close(self->fd, h));
	tbo_close(self->fd, &out);
	close(buf);
	munmap(cpu, size);
	close(memfd);
}

TEST_HARNESS_MAIN
