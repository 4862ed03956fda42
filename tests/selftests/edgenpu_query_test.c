// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM_IOCTL_EDGENPU_QUERY: size negotiation (zero, short, exact, long),
 * bad pointers, unknown queries and non-zero reserved fields.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "edgenpu_util.h"

#define V0 DRM_EDGENPU_DEVICE_INFO_SIZE_V0

FIXTURE(query) {
	int fd;
	struct drm_edgenpu_device_info ref;
};

FIXTURE_SETUP(query)
{
	__u32 size = sizeof(self->ref);

	self->fd = edgenpu_open();
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &self->ref, &size));
	ASSERT_EQ(sizeof(self->ref), size);
	ASSERT_EQ(ENPU_ID_MAGIC, self->ref.hw_id);
}

FIXTURE_TEARDOWN(query)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(query, zero_size_reports_size)
{
	__u32 size = 0;

	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, NULL, &size));
	EXPECT_EQ(sizeof(struct drm_edgenpu_device_info), size);
}

TEST_F(query, zero_size_writes_nothing)
{
	unsigned char buf[sizeof(struct drm_edgenpu_device_info)];
	__u32 size = 0;
	size_t i;

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, buf, &size));
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0x5a, buf[i]);
}

TEST_F(query, short_sizes_rejected)
{
	static const __u32 sizes[] = { 1, 4, 8, V0 / 2, V0 - 1 };
	unsigned char buf[sizeof(struct drm_edgenpu_device_info)];
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		__u32 size = sizes[i];

		memset(buf, 0x5a, sizeof(buf));
		EXPECT_EQ(-EINVAL, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, buf, &size))
			TH_LOG("size %u", sizes[i]);
		EXPECT_EQ(0x5a, buf[0]);
	}
}

TEST_F(query, exact_size)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size));
	EXPECT_EQ(sizeof(info), size);
	EXPECT_EQ(0, memcmp(&info, &self->ref, sizeof(info)));
}

/* Newer userspace with a larger structure: the tail is zeroed. */
TEST_F(query, long_size_zero_fills)
{
	const size_t extra = 200;
	unsigned char buf[sizeof(struct drm_edgenpu_device_info) + 200];
	__u32 size = sizeof(buf);
	size_t i;

	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, buf, &size));
	EXPECT_EQ(sizeof(struct drm_edgenpu_device_info), size);
	EXPECT_EQ(0, memcmp(buf, &self->ref, sizeof(self->ref)));
	for (i = 0; i < extra; i++)
		ASSERT_EQ(0, buf[sizeof(self->ref) + i]) TH_LOG("tail byte %zu", i);
}

TEST_F(query, null_pointer_faults)
{
	__u32 size = V0;

	EXPECT_EQ(-EFAULT, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, NULL, &size));
}

TEST_F(query, kernel_pointer_faults)
{
	__u32 size = V0;

	EXPECT_EQ(-EFAULT, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE,
					 (void *)(uintptr_t)0xffff888000000000ull, &size));
	size = V0;
	EXPECT_EQ(-EFAULT, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE,
					 (void *)(uintptr_t)-4096ll, &size));
}

TEST_F(query, readonly_buffer_faults)
{
	__u32 size = V0;
	void *ro;

	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, ro, &size));
	munmap(ro, 4096);
}

/* The structure fits, the zero-filled tail runs into an unmapped page. */
TEST_F(query, tail_into_unmapped_page_faults)
{
	unsigned char *pages;
	__u32 size;

	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, munmap(pages + 4096, 4096));
	size = 4096;
	EXPECT_EQ(-EFAULT, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE,
					 pages + 4096 - V0, &size));
	munmap(pages, 4096);
}

TEST_F(query, args_pointer_faults)
{
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGENPU_QUERY, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGENPU_QUERY, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(query, unknown_query_rejected)
{
	struct drm_edgenpu_device_info info;
	static const __u32 ids[] = { 2, 3, 255, 0x80000000u, 0xffffffffu };
	unsigned int i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		__u32 size = sizeof(info);

		EXPECT_EQ(-EINVAL, edgenpu_query(self->fd, ids[i], &info, &size))
			TH_LOG("query id %u", ids[i]);
	}
}

/* The per-file limits, as the uAPI header states them (or less, never more). */
TEST_F(query, limits)
{
	struct drm_edgenpu_limits lim;
	__u32 size = 0;

	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_LIMITS, &lim, &size));
	EXPECT_EQ(sizeof(lim), size);
	size = sizeof(lim);
	memset(&lim, 0xff, sizeof(lim));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_LIMITS, &lim, &size));
	EXPECT_EQ(DRM_EDGENPU_MAX_MAPPINGS, lim.max_mappings);
	EXPECT_EQ(DRM_EDGENPU_MAX_PENDING_JOBS, lim.max_pending_jobs);
	EXPECT_LT(0, lim.max_pending_cmd);
	EXPECT_GE(DRM_EDGENPU_MAX_PENDING_CMD, lim.max_pending_cmd);
	EXPECT_LT(0, lim.max_pinned);
	if (lim.device_cmd_budget) {
		EXPECT_GE(lim.device_cmd_budget / 4, lim.max_pending_cmd);
	} else {
		EXPECT_EQ(DRM_EDGENPU_MAX_PENDING_CMD, lim.max_pending_cmd);
	}
}

TEST_F(query, reserved_fields_rejected)
{
	struct drm_edgenpu_device_info info;
	struct drm_edgenpu_query q;

	memset(&q, 0, sizeof(q));
	q.query = DRM_EDGENPU_QUERY_DEVICE;
	q.size = sizeof(info);
	q.ptr = (__u64)(uintptr_t)&info;
	q.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGENPU_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.flags = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGENPU_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.flags = 0;
	q.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_EDGENPU_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
	q.pad = 0;
	EXPECT_EQ(0, ioctl(self->fd, DRM_IOCTL_EDGENPU_QUERY, &q));
}

TEST_HARNESS_MAIN
