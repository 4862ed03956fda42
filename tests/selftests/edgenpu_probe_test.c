// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu probe and identity: the PCI device is bound, the accel node
 * answers as edgenpu, and what QUERY reports is what the hardware's
 * registers hold (read independently through debugfs).
 */
#include <dirent.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "edgenpu_util.h"

FIXTURE(dev) {
	int fd;
	int minor;
	char pci[64];
};

FIXTURE_SETUP(dev)
{
	self->fd = edgenpu_open_minor(&self->minor);
	ASSERT_LE(0, self->fd) TH_LOG("no /dev/accel node driven by edgenpu");
	ASSERT_EQ(0, edgenpu_pci_address(self->minor, self->pci, sizeof(self->pci)));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, drm_version)
{
	char name[64], desc[128], date[64];
	struct drm_version v;

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	v.desc = desc;
	v.desc_len = sizeof(desc) - 1;
	v.date = date;
	v.date_len = sizeof(date) - 1;
	memset(name, 0, sizeof(name));
	memset(desc, 0, sizeof(desc));
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VERSION, &v));
	EXPECT_STREQ("edgenpu", name);
	EXPECT_EQ(DRM_EDGENPU_DRIVER_MAJOR, v.version_major);
	EXPECT_EQ(DRM_EDGENPU_DRIVER_MINOR, v.version_minor);
	EXPECT_NE(0, strlen(desc));
}

static unsigned long sysfs_hex(const char *dir, const char *file)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (edgenpu_read_file(path, buf, sizeof(buf)) <= 0)
		return ~0ul;
	return strtoul(buf, NULL, 16);
}

TEST_F(dev, pci_identity)
{
	char dir[128], link[256], path[160];
	ssize_t n;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", self->pci);
	EXPECT_EQ(ENPU_PCI_VENDOR_ID, sysfs_hex(dir, "vendor"));
	EXPECT_EQ(ENPU_PCI_DEVICE_ID, sysfs_hex(dir, "device"));
	EXPECT_EQ((unsigned long)ENPU_PCI_CLASS_CODE << 8, sysfs_hex(dir, "class"));

	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("edgenpu", strrchr(link, '/') + 1);
}

TEST_F(dev, msix_in_use)
{
	char path[160];
	struct dirent *de;
	int vectors = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", self->pci);
	d = opendir(path);
	ASSERT_NE(NULL, d) TH_LOG("%s: MSI-X not enabled", path);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			vectors++;
	closedir(d);
	EXPECT_EQ(ENPU_MSIX_VECTORS, vectors);
}

TEST_F(dev, query_matches_registers)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size));
	ASSERT_EQ(sizeof(info), size);

	EXPECT_EQ(ENPU_PCI_VENDOR_ID, info.pci_vendor);
	EXPECT_EQ(ENPU_PCI_DEVICE_ID, info.pci_device);
	EXPECT_EQ(ENPU_ID_MAGIC, info.hw_id);
	EXPECT_EQ(ENPU_HW_VERSION_MAJOR, ENPU_VERSION_MAJOR(info.hw_version));
	EXPECT_EQ(ENPU_CAPS_V0, info.hw_caps & ENPU_CAPS_V0);
	EXPECT_EQ(ENPU_MSIX_VECTORS, info.irq_vectors);
	EXPECT_EQ(0, info.pad);

	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "ID"), info.hw_id);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "VERSION"), info.hw_version);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "CAPS"), info.hw_caps);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "MACS_PER_CYCLE"), info.macs_per_cycle);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "CLOCK_MHZ"), info.clock_mhz);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "DRAM_BW_MBPS"), info.dram_bw_mbps);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "SRAM_BW_MBPS"), info.sram_bw_mbps);
	EXPECT_EQ(edgenpu_debugfs_reg(self->pci, "SRAM_SIZE"), (long long)info.sram_size);
	EXPECT_NE(0, info.macs_per_cycle);
	EXPECT_NE(0, info.clock_mhz);
}

/*
 * The driver's probe rang the doorbell and took its interrupt (probe fails
 * otherwise), then reset the device and unmasked the job interrupts.
 */
TEST_F(dev, interrupt_selftest_ran)
{
	char path[160], buf[512], *p;
	unsigned long long count = 0;
	long long mask;

	EXPECT_EQ(ENPU_STATUS_READY, edgenpu_debugfs_reg(self->pci, "STATUS") & ENPU_STATUS_READY);
	mask = edgenpu_debugfs_reg(self->pci, "IRQ_MASK");
	EXPECT_TRUE(mask == (ENPU_IRQ_ALL & ~ENPU_IRQ_DOORBELL) || mask == 0)
		TH_LOG("IRQ_MASK 0x%llx: neither running nor runtime-suspended", mask);
	EXPECT_EQ(0, edgenpu_debugfs_reg(self->pci, "IRQ_STATUS"));

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/irq", self->pci);
	ASSERT_LT(0, edgenpu_read_file(path, buf, sizeof(buf)));
	p = strstr(buf, "count ");
	ASSERT_NE(NULL, p);
	count = strtoull(p + 6, NULL, 10);
	EXPECT_LE(1, count);
}

TEST_HARNESS_MAIN
