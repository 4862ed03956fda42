// SPDX-License-Identifier: MIT
/*
 * libedgenpu host tests: everything that needs no device. Discovery
 * failures must give errno-style codes and messages that name the cause.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"

FIXTURE(tmpdir) {
	char dir[64];
};

FIXTURE_SETUP(tmpdir)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/enpu-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	unsetenv("EDGENPU_DEVICE");
}

FIXTURE_TEARDOWN(tmpdir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
}

TEST(open_null_out_pointer)
{
	EXPECT_EQ(-EINVAL, enpu_open(NULL, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "dev is NULL"));
}

TEST(open_missing_path)
{
	struct enpu_device *dev = (void *)1;

	EXPECT_EQ(-ENOENT, enpu_open(&dev, "/nonexistent/accel7"));
	EXPECT_EQ(NULL, dev);
	EXPECT_NE(NULL, strstr(enpu_last_error(), "/nonexistent/accel7"))
		TH_LOG("message: %s", enpu_last_error());
}

TEST(open_non_drm_file)
{
	struct enpu_device *dev;

	EXPECT_EQ(-ENODEV, enpu_open(&dev, "/dev/null"));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "not a DRM device"))
		TH_LOG("message: %s", enpu_last_error());
}

TEST_F(tmpdir, discovery_missing_dir)
{
	struct enpu_device *dev;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/none", self->dir);
	setenv("EDGENPU_ACCEL_DIR", dir, 1);
	EXPECT_EQ(-ENODEV, enpu_open(&dev, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "is edgenpu.ko loaded"))
		TH_LOG("message: %s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), dir));
	unsetenv("EDGENPU_ACCEL_DIR");
}

TEST_F(tmpdir, discovery_empty_dir)
{
	struct enpu_device *dev;

	setenv("EDGENPU_ACCEL_DIR", self->dir, 1);
	EXPECT_EQ(-ENODEV, enpu_open(&dev, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "has no accel nodes"))
		TH_LOG("message: %s", enpu_last_error());
	unsetenv("EDGENPU_ACCEL_DIR");
}

/* Nodes that are not EdgeNPUs are skipped, each named in the reason. */
TEST_F(tmpdir, discovery_skips_foreign_nodes)
{
	struct enpu_device *dev;
	char path[128];

	snprintf(path, sizeof(path), "%s/accel0", self->dir);
	ASSERT_EQ(0, symlink("/dev/null", path));
	snprintf(path, sizeof(path), "%s/accel3", self->dir);
	ASSERT_EQ(0, symlink("/dev/zero", path));
	snprintf(path, sizeof(path), "%s/accelX", self->dir);
	ASSERT_EQ(0, symlink("/dev/zero", path));
	setenv("EDGENPU_ACCEL_DIR", self->dir, 1);
	EXPECT_EQ(-ENODEV, enpu_open(&dev, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "accel0 is not a DRM device"))
		TH_LOG("message: %s", enpu_last_error());
	EXPECT_NE(NULL, strstr(enpu_last_error(), "accel3 is not a DRM device"));
	EXPECT_EQ(NULL, strstr(enpu_last_error(), "accelX"));
	unsetenv("EDGENPU_ACCEL_DIR");
}

/* enpu_list(): none in a missing, empty or foreign directory; not an error. */
TEST_F(tmpdir, list_counts_only_edgenpus)
{
	char path[128], nodes[2][64];

	snprintf(path, sizeof(path), "%s/none", self->dir);
	setenv("EDGENPU_ACCEL_DIR", path, 1);
	EXPECT_EQ(0, enpu_list(nodes, 2));
	setenv("EDGENPU_ACCEL_DIR", self->dir, 1);
	EXPECT_EQ(0, enpu_list(nodes, 2));
	EXPECT_EQ(0, enpu_list(NULL, 0));
	snprintf(path, sizeof(path), "%s/accel0", self->dir);
	ASSERT_EQ(0, symlink("/dev/null", path));
	EXPECT_EQ(0, enpu_list(nodes, 2));
	unsetenv("EDGENPU_ACCEL_DIR");
}

TEST_F(tmpdir, env_device_overrides)
{
	struct enpu_device *dev;
	char path[128];

	snprintf(path, sizeof(path), "%s/mydev", self->dir);
	setenv("EDGENPU_DEVICE", path, 1);
	EXPECT_EQ(-ENOENT, enpu_open(&dev, NULL));
	EXPECT_NE(NULL, strstr(enpu_last_error(), path));
	unsetenv("EDGENPU_DEVICE");
}

TEST(query_null_arguments)
{
	struct enpu_device_info info;

	EXPECT_EQ(-EINVAL, enpu_query(NULL, &info, sizeof(info)));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "dev is NULL"));
}

TEST(close_null_is_harmless)
{
	enpu_close(NULL);
	EXPECT_EQ(-EINVAL, enpu_device_fd(NULL));
}

TEST(strerror_texts)
{
	EXPECT_STREQ("success", enpu_strerror(0));
	EXPECT_STREQ("no EdgeNPU device", enpu_strerror(-ENODEV));
	EXPECT_STREQ("invalid argument", enpu_strerror(-EINVAL));
	EXPECT_STREQ(strerror(EACCES), enpu_strerror(-EACCES));
	EXPECT_STREQ("not an error code (positive value)", enpu_strerror(5));
}

TEST(caps_string)
{
	char buf[128];

	EXPECT_EQ((int)strlen("doorbell soft-reset msix"),
		  enpu_caps_string(0x7, buf, sizeof(buf)));
	EXPECT_STREQ("doorbell soft-reset msix", buf);

	enpu_caps_string(0, buf, sizeof(buf));
	EXPECT_STREQ("", buf);

	enpu_caps_string((1u << 1) | (1u << 31), buf, sizeof(buf));
	EXPECT_STREQ("soft-reset bit31", buf);

	/* Truncation: NUL-terminated, returns the length it needed. */
	EXPECT_EQ((int)strlen("doorbell soft-reset msix"),
		  enpu_caps_string(0x7, buf, 5));
	EXPECT_STREQ("door", buf);
	EXPECT_EQ((int)strlen("doorbell"), enpu_caps_string(0x1, NULL, 0));
}

TEST(version_string)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", ENPU_LIB_VERSION_MAJOR,
		 ENPU_LIB_VERSION_MINOR, ENPU_LIB_VERSION_PATCH);
	EXPECT_STREQ(want, enpu_version_string());
}

TEST_HARNESS_MAIN
