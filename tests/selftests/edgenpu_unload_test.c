// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unload and unbind: the module unloads with the device idle and comes
 * back working; it refuses to unload while a file is open; unbinding the
 * PCI device under an open file turns its ioctls into -ENODEV without
 * crashing, and rebinding restores the device.
 *
 * Needs root and the module file: $EDGENPU_MODULE, default
 * /lib/modules/edgenpu/edgenpu.ko (where the edgenpu VM image puts it).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "edgenpu_util.h"

static const char *module_path(void)
{
	const char *p = getenv("EDGENPU_MODULE");

	return p && *p ? p : "/lib/modules/edgenpu/edgenpu.ko";
}

static int unload(void)
{
	return syscall(__NR_delete_module, "edgenpu", O_NONBLOCK) ? -errno : 0;
}

static int load(void)
{
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int query_errno(int fd)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);

	return edgenpu_query(fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size);
}

FIXTURE(mod) {
	int minor;
};

FIXTURE_SETUP(mod)
{
	int fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to load and unload modules");
	if (access(module_path(), R_OK))
		SKIP(return, "module file %s not readable", module_path());
	fd = edgenpu_open_minor(&self->minor);
	ASSERT_LE(0, fd) TH_LOG("edgenpu not loaded at test start");
	close(fd);
}

FIXTURE_TEARDOWN(mod)
{
	/* Leave the module loaded for whatever runs next. */
	int fd = edgenpu_open();

	if (fd >= 0)
		close(fd);
	else
		load();
}

TEST_F(mod, unload_idle_and_reload)
{
	struct stat st;
	char node[64];
	int fd;

	snprintf(node, sizeof(node), "/dev/accel/accel%d", self->minor);
	ASSERT_EQ(0, unload());
	EXPECT_EQ(-1, stat(node, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENODEV, edgenpu_open());

	ASSERT_EQ(0, load());
	fd = edgenpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, query_errno(fd));
	close(fd);
}

TEST_F(mod, unload_refused_while_open)
{
	int fd = edgenpu_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_EQ(0, query_errno(fd));
	close(fd);
}

TEST_F(mod, unbind_under_open_file)
{
	char pci[64], path[160];
	int fd, fd2;

	ASSERT_EQ(0, edgenpu_pci_address(self->minor, pci, sizeof(pci)));
	fd = edgenpu_open();
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, write_sysfs("/sys/bus/pci/drivers/edgenpu/unbind", pci));
	EXPECT_EQ(-ENODEV, query_errno(fd));
	EXPECT_EQ(-ENODEV, edgenpu_open());
	close(fd);

	ASSERT_EQ(0, write_sysfs("/sys/bus/pci/drivers/edgenpu/bind", pci));
	fd2 = edgenpu_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, query_errno(fd2));
	close(fd2);
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/edgenpu/%s", pci);
	EXPECT_EQ(0, access(path, F_OK));
}

TEST_F(mod, load_unload_cycles)
{
	int i, fd;

	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, load()) TH_LOG("cycle %d", i);
	}
	fd = edgenpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, query_errno(fd));
	close(fd);
}

TEST_HARNESS_MAIN
