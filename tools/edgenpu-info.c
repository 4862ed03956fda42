// SPDX-License-Identifier: MIT
/*
 * edgenpu-info: print what an EdgeNPU reports about itself.
 *
 *   edgenpu-info [-d /dev/accel/accelN] [--target] [--list] [--operators [--markdown]] [-h]
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

static void usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [-d DEVICE] [--target] [--list] [--operators [--markdown]]\n"
		"Print the identity and capabilities of an EdgeNPU.\n"
		"  -d DEVICE  device node (default: first EdgeNPU, or $EDGENPU_DEVICE)\n"
		"  --target   print the device as a compile target file, for\n"
		"             edgenpu-compile --target FILE on a machine without it\n"
		"  -l, --list every EdgeNPU of the machine, one line each\n"
		"  --operators every TFLite builtin operator and where libedgenpu runs\n"
		"             it: NPU, CPU or not supported (no device needed);\n"
		"             --markdown as a table\n"
		"  -h         this help\n", argv0);
}

static void print_size(const char *label, unsigned long long bytes)
{
	if (bytes >= 1024 * 1024 && !(bytes % (1024 * 1024)))
		printf("  %-18s %llu MiB\n", label, bytes / (1024 * 1024));
	else if (bytes >= 1024 && !(bytes % 1024))
		printf("  %-18s %llu KiB\n", label, bytes / 1024);
	else
		printf("  %-18s %llu bytes\n", label, bytes);
}

/* Last component of the symlink /sys/dev/char/MAJ:MIN/@rel into @out. */
static int sysfs_link(dev_t rdev, const char *rel, char *out, size_t len)
{
	char path[128], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/%s", major(rdev),
		 minor(rdev), rel);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= len)
		return -1;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

/* The bus and device name behind the node: "pci 0000:00:02.0", "platform c000000.npu". */
static void print_bus(const char *node)
{
	char bus[64], name[128];
	struct stat st;

	if (stat(node, &st) || !S_ISCHR(st.st_mode) ||
	    sysfs_link(st.st_rdev, "device/subsystem", bus, sizeof(bus)) ||
	    sysfs_link(st.st_rdev, "device", name, sizeof(name)))
		return;	/* no sysfs: nothing to add */
	printf("  %-18s %s %s%s\n", "bus", bus, name,
	       strcmp(bus, "platform") ? "" : " (device tree)");
}

/* One line per EdgeNPU: node, bus, MACs/cycle, clock, SRAM, contract. */
static int list_all(void)
{
	char nodes[64][64];
	int n = enpu_list(nodes, 64), i, bad = 0;

	if (n < 0) {
		fprintf(stderr, "edgenpu-info: %s\n", enpu_last_error());
		return 1;
	}
	if (!n) {
		fprintf(stderr, "edgenpu-info: no EdgeNPU found: no accel node driven by edgenpu "
			"(is edgenpu.ko loaded?)\n");
		return 1;
	}
	for (i = 0; i < n && i < 64; i++) {
		struct enpu_device_info info;
		struct enpu_device *dev;
		char bus[64] = "?", name[128] = "?";
		struct stat st;

		if (enpu_open(&dev, nodes[i]) || enpu_query(dev, &info, sizeof(info))) {
			printf("%s  %s\n", nodes[i], enpu_last_error());
			bad = 1;
			continue;
		}
		if (!stat(nodes[i], &st)) {
			sysfs_link(st.st_rdev, "device/subsystem", bus, sizeof(bus));
			sysfs_link(st.st_rdev, "device", name, sizeof(name));
		}
		printf("%s  %s %s  %u MACs/cycle at %u MHz, %llu KiB SRAM, contract %u.%u.%u\n",
		       nodes[i], bus, name, info.macs_per_cycle, info.clock_mhz,
		       (unsigned long long)info.sram_size >> 10, (info.hw_version >> 16) & 0xff,
		       (info.hw_version >> 8) & 0xff, info.hw_version & 0xff);
		enpu_close(dev);
	}
	return bad;
}

/* Every TFLite builtin the schema names, and where libedgenpu runs it. */
static int print_operators(int markdown)
{
	static const char *const where[] = {
		[ENPU_OP_UNSUPPORTED] = "not supported",
		[ENPU_OP_CPU] = "CPU",
		[ENPU_OP_NPU] = "NPU",
	};
	enum enpu_op_support s;
	const char *name;
	int code;

	if (markdown)
		printf("| code | TFLite operator | libedgenpu |\n|---|---|---|\n");
	for (code = 0; code < 1024; code++) {
		name = enpu_tflite_operator(code, &s);
		if (!name)
			continue;
		printf(markdown ? "| %d | %s | %s |\n" : "%4d  %-32s %s\n", code, name, where[s]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct enpu_device_info info;
	struct enpu_device *dev;
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "target", no_argument, NULL, 'T' },
		{ "list", no_argument, NULL, 'l' },
		{ "operators", no_argument, NULL, 'O' },
		{ "markdown", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct enpu_target target;
	const char *path = NULL;
	int opt, ret, as_target = 0, list = 0, ops = 0, markdown = 0;
	char caps[256];

	while ((opt = getopt_long(argc, argv, "d:lh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			list = 1;
			break;
		case 'd':
			path = optarg;
			break;
		case 'T':
			as_target = 1;
			break;
		case 'O':
			ops = 1;
			break;
		case 'M':
			markdown = 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (list)
		return list_all();
	if (ops)
		return print_operators(markdown);

	ret = enpu_open(&dev, path);
	if (ret) {
		fprintf(stderr, "edgenpu-info: %s\n", enpu_last_error());
		return 1;
	}
	if (as_target) {
		ret = enpu_target_from_device(dev, &target);
		if (!ret)
			ret = enpu_target_write(&target, stdout);
		if (ret)
			fprintf(stderr, "edgenpu-info: %s\n", enpu_last_error());
		enpu_close(dev);
		return ret ? 1 : 0;
	}
	ret = enpu_query(dev, &info, sizeof(info));
	if (ret) {
		fprintf(stderr, "edgenpu-info: %s\n", enpu_last_error());
		enpu_close(dev);
		return 1;
	}
	enpu_caps_string(info.hw_caps, caps, sizeof(caps));

	printf("EdgeNPU at %s\n", info.node);
	printf("  %-18s %s %u.%u.%u (libedgenpu %s)\n", "driver", info.driver,
	       info.driver_major, info.driver_minor, info.driver_patch,
	       enpu_version_string());
	print_bus(info.node);
	if (info.pci_vendor || info.pci_device)
		printf("  %-18s %04x:%04x\n", "PCI ID", info.pci_vendor,
		       info.pci_device);
	printf("  %-18s %u.%u.%u\n", "hardware contract",
	       (info.hw_version >> 16) & 0xff, (info.hw_version >> 8) & 0xff,
	       info.hw_version & 0xff);
	printf("  %-18s %u MACs/cycle at %u MHz = %llu GOPS peak INT8\n",
	       "compute", info.macs_per_cycle, info.clock_mhz,
	       (unsigned long long)info.peak_gops);
	print_size("on-chip SRAM", info.sram_size);
	printf("  %-18s %u MB/s\n", "SRAM bandwidth", info.sram_bw_mbps);
	printf("  %-18s %u MB/s\n", "DRAM bandwidth", info.dram_bw_mbps);
	printf("  %-18s %u\n", "interrupt vectors", info.irq_vectors);
	printf("  %-18s %s\n", "capabilities", caps);
	enpu_close(dev);
	return 0;
}
