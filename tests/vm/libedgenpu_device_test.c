// SPDX-License-Identifier: MIT
/*
 * libedgenpu against the real device (runs in the VM): discovery, the
 * identity it reports against the raw ioctl, versioned structure sizes,
 * and no descriptor leaks over many open/close cycles.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "kselftest_harness.h"
#include "../selftests/edgenpu_util.h"
#include "../host/tool_run.h"

static int count_fds(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

TEST(open_first_device)
{
	struct enpu_device_info info;
	struct enpu_device *dev;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_query(dev, &info, sizeof(info)));
	EXPECT_STREQ("edgenpu", info.driver);
	EXPECT_EQ(0, strncmp(info.node, "/dev/accel/accel", 16));
	EXPECT_EQ(ENPU_ID_MAGIC, info.hw_id);
	EXPECT_EQ(2ull * info.macs_per_cycle * info.clock_mhz / 1000, info.peak_gops);
	EXPECT_LE(0, enpu_device_fd(dev));
	enpu_close(dev);
}

TEST(identity_matches_kernel)
{
	struct drm_edgenpu_device_info kinfo;
	struct enpu_device_info info;
	struct enpu_device *dev;
	__u32 size = sizeof(kinfo);
	int fd;

	fd = edgenpu_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edgenpu_query(fd, DRM_EDGENPU_QUERY_DEVICE, &kinfo, &size));
	close(fd);

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_query(dev, &info, sizeof(info)));
	EXPECT_EQ(kinfo.pci_vendor, info.pci_vendor);
	EXPECT_EQ(kinfo.pci_device, info.pci_device);
	EXPECT_EQ(kinfo.hw_version, info.hw_version);
	EXPECT_EQ(kinfo.hw_caps, info.hw_caps);
	EXPECT_EQ(kinfo.irq_vectors, info.irq_vectors);
	EXPECT_EQ(kinfo.macs_per_cycle, info.macs_per_cycle);
	EXPECT_EQ(kinfo.clock_mhz, info.clock_mhz);
	EXPECT_EQ(kinfo.dram_bw_mbps, info.dram_bw_mbps);
	EXPECT_EQ(kinfo.sram_bw_mbps, info.sram_bw_mbps);
	EXPECT_EQ(kinfo.sram_size, info.sram_size);
	enpu_close(dev);
}

TEST(open_explicit_path)
{
	struct enpu_device_info info;
	struct enpu_device *dev, *dev2;

	ASSERT_EQ(0, enpu_open(&dev, NULL));
	ASSERT_EQ(0, enpu_query(dev, &info, sizeof(info)));
	ASSERT_EQ(0, enpu_open(&dev2, info.node)) TH_LOG("%s", enpu_last_error());
	enpu_close(dev2);
	enpu_close(dev);
}

TEST(query_struct_sizes)
{
	unsigned char big[sizeof(struct enpu_device_info) + 64];
	struct enpu_device_info info;
	struct enpu_device *dev;
	size_t i;

	ASSERT_EQ(0, enpu_open(&dev, NULL));
	EXPECT_EQ(-EINVAL, enpu_query(dev, &info, 8));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "info_size 8"));
	memset(big, 0xa5, sizeof(big));
	ASSERT_EQ(0, enpu_query(dev, (struct enpu_device_info *)big, sizeof(big)));
	for (i = sizeof(info); i < sizeof(big); i++)
		ASSERT_EQ(0, big[i]);
	enpu_close(dev);
}

TEST(open_close_no_leak)
{
	struct enpu_device *dev;
	int before, i;

	before = count_fds();
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
		enpu_close(dev);
	}
	EXPECT_EQ(before, count_fds());
}

TEST(tool_edgenpu_info)
{
	char buf[4096], pci_id[16];
	struct enpu_device_info info;
	struct enpu_device *dev;
	FILE *p;
	size_t n;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_query(dev, &info, sizeof(info))) TH_LOG("%s", enpu_last_error());
	enpu_close(dev);

	p = popen("edgenpu-info 2>&1", "r");
	ASSERT_NE(NULL, p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	EXPECT_EQ(0, pclose(p)) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "EdgeNPU at /dev/accel/accel"));
	EXPECT_NE(NULL, strstr(buf, "hardware contract"));
	snprintf(pci_id, sizeof(pci_id), "%04x:%04x", ENPU_PCI_VENDOR_ID,
		 ENPU_PCI_DEVICE_ID);
	if (info.pci_vendor) {
		EXPECT_NE(NULL, strstr(buf, pci_id));
		EXPECT_NE(NULL, strstr(buf, "bus                pci 0000:"));
	} else {
		EXPECT_EQ(NULL, strstr(buf, "PCI ID"));
		EXPECT_NE(NULL, strstr(buf, "bus                platform "));
		EXPECT_NE(NULL, strstr(buf, ".npu (device tree)"));
	}
}

/*
 * edgenpu-run on the NPU lists the layers it placed on the CPU, as the
 * library reports them.
 */
TEST(tool_edgenpu_run_lists_cpu_layers)
{
	struct enpu_graph *g = NULL;
	struct enpu_model *m = NULL;
	struct enpu_layer_info li;
	struct enpu_device *dev;
	char buf[8192], want[64];
	size_t i, n = 0;

	if (access("/usr/share/edgenpu/models/person_detect.tflite", R_OK))
		SKIP(return, "no person_detect.tflite staged");
	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_load_tflite("/usr/share/edgenpu/models/person_detect.tflite",
					    &g));
	ASSERT_EQ(0, enpu_model_compile(dev, g, NULL, &m)) TH_LOG("%s", enpu_last_error());
	for (i = 0; i < enpu_model_num_layers(m); i++)
		n += !enpu_model_layer_info(m, i, &li) && !li.on_npu;
	snprintf(want, sizeof(want), "CPU layers %zu of %zu", n, enpu_model_num_layers(m));
	enpu_model_destroy(m);
	enpu_graph_destroy(g);
	enpu_close(dev);

	EXPECT_EQ(0, tool_run("edgenpu-run /usr/share/edgenpu/models/person_detect.tflite 2>&1",
			      buf, sizeof(buf))) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("want '%s' in: %s", want, buf);
	EXPECT_NE(NULL, strstr(buf, "backend    EdgeNPU"));
}

/*
 * edgenpu-run's documented options on the NPU: --compare (both backends,
 * identical), a golden input (TFLite-Micro's output matched), labels,
 * --bench's one row, the synthetic CNN; and edgenpu-bench's table.
 */
TEST(tool_edgenpu_run_options)
{
	static char buf[16384];
	const char *pd = "/usr/share/edgenpu/models/person_detect.tflite";
	const char *golden = "/usr/share/edgenpu/goldens/models/person_detect/input_1.golden";
	char cmd[512];
	int lines, i;

	if (access(pd, R_OK) || access(golden, R_OK))
		SKIP(return, "no person_detect model or golden staged");
	snprintf(cmd, sizeof(cmd), "edgenpu-run --compare -l nobody,person %s 2>&1", pd);
	EXPECT_EQ(0, tool_run(cmd, buf, sizeof(buf))) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "compare    NPU and CPU outputs are identical")) TH_LOG("%s", buf);
	EXPECT_TRUE(strstr(buf, " nobody ") || strstr(buf, " person ")) TH_LOG("%s", buf);

	snprintf(cmd, sizeof(cmd), "edgenpu-run -i %s %s 2>&1", golden, pd);
	EXPECT_EQ(0, tool_run(cmd, buf, sizeof(buf))) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "reference  matches TFLite-Micro's output")) TH_LOG("%s", buf);

	snprintf(cmd, sizeof(cmd), "edgenpu-run --bench -n 2 %s 2>&1", pd);
	EXPECT_EQ(0, tool_run(cmd, buf, sizeof(buf))) TH_LOG("%s", buf);
	EXPECT_EQ(0, strncmp(buf, "person_detect.tflite", 20)) TH_LOG("%s", buf);
	lines = 0;
	for (i = 0; buf[i]; i++)
		lines += buf[i] == '\n';
	EXPECT_EQ(1, lines) TH_LOG("%s", buf);

	EXPECT_EQ(0, tool_run("edgenpu-run --synthetic 2>&1", buf, sizeof(buf))) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "backend    EdgeNPU"));

	EXPECT_EQ(0, tool_run("EDGENPU_SHARE=/nonexistent edgenpu-bench 2>&1", buf, sizeof(buf)))
		TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "dev cycles")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "synthetic")) TH_LOG("%s", buf);
}

/*
 * The device as a compile target: its capabilities, what edgenpu-info
 * --target prints (read back as a target file), and a model compiled for
 * that target with no device placed and estimated exactly as on the
 * device.
 */
#define MODEL "/usr/share/edgenpu/models/person_detect.tflite"

TEST(device_is_its_own_target)
{
	struct enpu_target t, from_file, of_model;
	struct enpu_model *on_dev = NULL, *offline = NULL;
	struct enpu_layer_info a, b;
	struct enpu_device_info info;
	struct enpu_graph *g = NULL;
	struct enpu_device *dev;
	char path[] = "/tmp/enpu-target-XXXXXX";
	char cmd[128];
	size_t i;
	int fd;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_query(dev, &info, sizeof(info)));
	ASSERT_EQ(0, enpu_target_from_device(dev, &t));
	EXPECT_EQ(info.hw_version, t.hw_version);
	EXPECT_EQ(info.macs_per_cycle, t.macs_per_cycle);
	EXPECT_EQ(info.clock_mhz, t.clock_mhz);
	EXPECT_EQ(info.dram_bw_mbps, t.dram_bw_mbps);
	EXPECT_EQ(info.sram_bw_mbps, t.sram_bw_mbps);
	EXPECT_EQ(info.sram_size, t.sram_size);
	EXPECT_EQ(0, enpu_target_check(&t)) TH_LOG("%s", enpu_last_error());

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(cmd, sizeof(cmd), "edgenpu-info --target > %s", path);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, enpu_target_load(path, &from_file)) TH_LOG("%s", enpu_last_error());
	unlink(path);
	EXPECT_EQ(0, memcmp(&t, &from_file, sizeof(t)));

	if (access(MODEL, R_OK)) {
		enpu_close(dev);
		SKIP(return, "no %s", MODEL);
	}
	ASSERT_EQ(0, enpu_model_load_tflite(MODEL, &g)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(dev, g, NULL, &on_dev)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile_target(&from_file, g, NULL, &offline))
		TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_target(on_dev, &of_model));
	EXPECT_EQ(0, memcmp(&t, &of_model, sizeof(t)));
	ASSERT_EQ(enpu_model_num_layers(on_dev), enpu_model_num_layers(offline));
	for (i = 0; i < enpu_model_num_layers(on_dev); i++) {
		ASSERT_EQ(0, enpu_model_layer_info(on_dev, i, &a));
		ASSERT_EQ(0, enpu_model_layer_info(offline, i, &b));
		EXPECT_EQ(a.type, b.type) TH_LOG("layer %zu", i);
		EXPECT_EQ(a.on_npu, b.on_npu) TH_LOG("layer %zu", i);
		EXPECT_EQ(a.segment, b.segment) TH_LOG("layer %zu", i);
		EXPECT_EQ(a.est_cycles, b.est_cycles) TH_LOG("layer %zu", i);
		EXPECT_EQ(a.macs, b.macs) TH_LOG("layer %zu", i);
		EXPECT_EQ(a.output_in_sram, b.output_in_sram) TH_LOG("layer %zu", i);
		EXPECT_EQ(a.weights_prefetched, b.weights_prefetched) TH_LOG("layer %zu", i);
	}
	enpu_model_destroy(offline);
	enpu_model_destroy(on_dev);
	enpu_graph_destroy(g);
	enpu_close(dev);
}

TEST_HARNESS_MAIN
