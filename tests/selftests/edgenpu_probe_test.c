// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgenpu probe and identity: the PCI or device-tree device is bound,
 * the accel node answers as edgenpu, and what QUERY reports is what the
 * hardware's registers hold (read independently through debugfs).
 */
#include <dirent.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "edgenpu_util.h"

FIXTURE(dev) {
	int fd;
	int minor;
	char devname[64];
	char bus[32];		/* pci or platform */
};

FIXTURE_SETUP(dev)
{
	self->fd = edgenpu_open_minor(&self->minor);
	EDGENPU_NEED_DEVICE(self->fd);
	ASSERT_EQ(0, edgenpu_dev_name(self->minor, self->devname, sizeof(self->devname)));
	ASSERT_EQ(0, edgenpu_dev_bus(self->minor, self->bus, sizeof(self->bus)));
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

	if (strcmp(self->bus, "pci"))
		SKIP(return, "the NPU is on the %s bus, not PCI", self->bus);
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", self->devname);
	EXPECT_EQ(ENPU_PCI_VENDOR_ID, sysfs_hex(dir, "vendor"));
	EXPECT_EQ(ENPU_PCI_DEVICE_ID, sysfs_hex(dir, "device"));
	EXPECT_EQ((unsigned long)ENPU_PCI_CLASS_CODE << 8, sysfs_hex(dir, "class"));

	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("edgenpu", strrchr(link, '/') + 1);
}

/* On a device-tree system: bound through the binding's compatible. */
TEST_F(dev, dt_identity)
{
	char path[192], compat[256], link[64];
	int n;

	if (strcmp(self->bus, "platform"))
		SKIP(return, "the NPU is on the %s bus, not a device-tree platform device",
		     self->bus);
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/of_node/compatible",
		 self->minor);
	n = edgenpu_read_file(path, compat, sizeof(compat));
	ASSERT_LT(0, n) TH_LOG("%s unreadable: no device-tree node", path);
	/* a NUL-separated list: "edgenpu,qemu-virt-npu", "edgenpu,npu-0.2" */
	EXPECT_TRUE(memmem(compat, n, "edgenpu,npu-0.2", sizeof("edgenpu,npu-0.2")) != NULL)
		TH_LOG("compatible \"%s\" lacks edgenpu,npu-0.2", compat);
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/driver", self->minor);
	ASSERT_EQ(0, edgenpu_link_base(path, link, sizeof(link)));
	EXPECT_STREQ("edgenpu", link);
	/* the unit address in the name is where reg put the registers */
	EXPECT_NE(NULL, strstr(self->devname, ".npu"));
}

TEST_F(dev, msix_in_use)
{
	char path[160];
	struct dirent *de;
	int vectors = 0;
	DIR *d;

	if (strcmp(self->bus, "pci"))
		SKIP(return, "MSI-X is a PCI feature; the NPU is on the %s bus", self->bus);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", self->devname);
	d = opendir(path);
	ASSERT_NE(NULL, d) TH_LOG("%s: MSI-X not enabled", path);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			vectors++;
	closedir(d);
	EXPECT_EQ(ENPU_MSIX_VECTORS, vectors);
}

/*
 * With an IOMMU in front of the NPU (the VM runner's --iommu boots with
 * intel_iommu=on), its DMA is translated: the device sits in an IOMMU
 * group with a DMA domain, and every other test's jobs run through it.
 */
TEST_F(dev, dma_through_iommu)
{
	char path[160], type[32], cmdline[1024];
	bool wanted;
	int n;

	n = edgenpu_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	wanted = n > 0 && strstr(cmdline, "intel_iommu=on");
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/iommu_group/type",
		 self->minor);
	n = edgenpu_read_file(path, type, sizeof(type));
	if (n <= 0) {
		ASSERT_FALSE(wanted)
			TH_LOG("the kernel was asked for an IOMMU, but %s is in no IOMMU group",
			       self->devname);
		SKIP(return, "no IOMMU in front of the NPU");
	}
	type[strcspn(type, "\n")] = '\0';
	EXPECT_TRUE(!strcmp(type, "DMA") || !strcmp(type, "DMA-FQ"))
		TH_LOG("%s's IOMMU domain is \"%s\", not a translated one", self->devname, type);
}

TEST_F(dev, query_matches_registers)
{
	struct drm_edgenpu_device_info info;
	__u32 size = sizeof(info);

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, edgenpu_query(self->fd, DRM_EDGENPU_QUERY_DEVICE, &info, &size));
	ASSERT_EQ(sizeof(info), size);

	if (!strcmp(self->bus, "pci")) {
		EXPECT_EQ(ENPU_PCI_VENDOR_ID, info.pci_vendor);
		EXPECT_EQ(ENPU_PCI_DEVICE_ID, info.pci_device);
		EXPECT_EQ(ENPU_CAPS_V0, info.hw_caps & ENPU_CAPS_V0);
	} else {
		/* no PCI IDs, and a wired interrupt rather than MSI-X */
		EXPECT_EQ(0, info.pci_vendor);
		EXPECT_EQ(0, info.pci_device);
		EXPECT_EQ(ENPU_CAPS_V0 & ~ENPU_CAP_MSIX, info.hw_caps & ENPU_CAPS_V0);
	}
	EXPECT_EQ(ENPU_ID_MAGIC, info.hw_id);
	EXPECT_EQ(ENPU_HW_VERSION_MAJOR, ENPU_VERSION_MAJOR(info.hw_version));
	EXPECT_EQ(ENPU_MSIX_VECTORS, info.irq_vectors);
	EXPECT_EQ(0, info.pad);

	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "ID"), info.hw_id);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "VERSION"), info.hw_version);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "CAPS"), info.hw_caps);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "MACS_PER_CYCLE"), info.macs_per_cycle);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "CLOCK_MHZ"), info.clock_mhz);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "DRAM_BW_MBPS"), info.dram_bw_mbps);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "SRAM_BW_MBPS"), info.sram_bw_mbps);
	EXPECT_EQ(edgenpu_debugfs_reg(self->devname, "SRAM_SIZE"), (long long)info.sram_size);
	EXPECT_NE(0, info.macs_per_cycle);
	EXPECT_NE(0, info.clock_mhz);
}

/* The driver's interrupt count (debugfs "irq"), or -1. */
static long long irq_count(const char *devname)
{
	char path[160], buf[512], *p;

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/irq", devname);
	if (edgenpu_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "count ");
	return p ? (long long)strtoull(p + 6, NULL, 10) : -1;
}

/*
 * The driver's probe rang the doorbell and took its interrupt (probe fails
 * otherwise), then reset the device and unmasked the job interrupts.
 */
TEST_F(dev, interrupt_selftest_ran)
{
	long long mask;

	EXPECT_EQ(ENPU_STATUS_READY, edgenpu_debugfs_reg(self->devname, "STATUS") & ENPU_STATUS_READY);
	mask = edgenpu_debugfs_reg(self->devname, "IRQ_MASK");
	EXPECT_TRUE(mask == (ENPU_IRQ_ALL & ~ENPU_IRQ_DOORBELL) || mask == 0)
		TH_LOG("IRQ_MASK 0x%llx: neither running nor runtime-suspended", mask);
	EXPECT_EQ(0, edgenpu_debugfs_reg(self->devname, "IRQ_STATUS"));

	EXPECT_LE(1, irq_count(self->devname));
}

/*
 * debugfs "doorbell" rings the doorbell once per read and prints the
 * nanoseconds to its interrupt: each read takes one interrupt, and the
 * running mask is back afterwards. (The driver's count, not the device's
 * DOORBELL_COUNT: a runtime suspend between reads resets the device.)
 */
TEST_F(dev, doorbell_round_trip)
{
	long long before, after, mask;
	char path[160], buf[64];
	int i;

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/doorbell", self->devname);
	before = irq_count(self->devname);
	ASSERT_LE(0, before) TH_LOG("no interrupt count in debugfs irq");
	for (i = 0; i < 3; i++) {
		unsigned long long ns;
		char *end;

		ASSERT_LT(0, edgenpu_read_file(path, buf, sizeof(buf)))
			TH_LOG("no debugfs doorbell file, or reading it failed");
		ns = strtoull(buf, &end, 10);
		EXPECT_TRUE(end != buf && *end == '\n') TH_LOG("doorbell printed \"%s\"", buf);
		EXPECT_LT(0, ns);
		EXPECT_GT(2000000000ull, ns);
	}
	after = irq_count(self->devname);
	EXPECT_LE(before + 3, after);
	mask = edgenpu_debugfs_reg(self->devname, "IRQ_MASK");
	EXPECT_TRUE(mask == (ENPU_IRQ_ALL & ~ENPU_IRQ_DOORBELL) || mask == 0)
		TH_LOG("IRQ_MASK 0x%llx after the doorbell: not the running mask", mask);
	EXPECT_EQ(0, edgenpu_debugfs_reg(self->devname, "IRQ_STATUS"));
}

TEST_HARNESS_MAIN
