// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NPU as a device-tree platform device: what the node gives the
 * driver is what the driver took. The probe logs one line with the DMA
 * width, the carve-out, the clocks and the reset it uses; it must agree
 * with the node (of_node in sysfs), and the clocks must be gated, the
 * reset line asserted and the power domain off while the device is
 * runtime-suspended. Skipped on PCI.
 */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include "kselftest_harness.h"
#include "edgenpu_job_util.h"

#define SUSPEND_MS	1000

FIXTURE(plat) {
	int minor;
	char devname[64];
	char of_node[128];	/* the node's directory in sysfs */
	char power[128];
};

FIXTURE_SETUP(plat)
{
	char bus[32];
	int fd;

	fd = edgenpu_open_minor(&self->minor);
	EDGENPU_NEED_DEVICE(fd);
	close(fd);
	ASSERT_EQ(0, edgenpu_dev_bus(self->minor, bus, sizeof(bus)));
	if (strcmp(bus, "platform"))
		SKIP(return, "the NPU is on the %s bus, not a device-tree platform device", bus);
	ASSERT_EQ(0, edgenpu_dev_name(self->minor, self->devname, sizeof(self->devname)));
	snprintf(self->of_node, sizeof(self->of_node),
		 "/sys/class/accel/accel%d/device/of_node", self->minor);
	snprintf(self->power, sizeof(self->power),
		 "/sys/class/accel/accel%d/device/power", self->minor);
}

FIXTURE_TEARDOWN(plat)
{
}

/* Size of property @prop of the node, -1 when absent; its bytes in @buf. */
static int of_prop(const char *node, const char *prop, char *buf, size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", node, prop);
	return edgenpu_read_file(path, buf, len);
}

/* The driver's probe summary for @devname from the kernel log, or NULL. */
static char *probe_line(const char *devname, char *line, size_t len)
{
	char want[96];
	FILE *p = popen("dmesg", "r");
	char *found = NULL;

	if (!p)
		return NULL;
	snprintf(want, sizeof(want), "edgenpu %s: ", devname);
	while (fgets(line, len, p))
		if (strstr(line, want) && strstr(line, "-bit DMA")) {
			found = line;
			break;
		}
	while (fgets(want, sizeof(want), p))
		;	/* drain */
	pclose(p);
	return found;
}

TEST_F(plat, probe_took_what_the_node_gives)
{
	char line[512], buf[256], *p;
	unsigned int bits = 64, want_clocks = 0;
	int n, clocks;

	ASSERT_NE(NULL, probe_line(self->devname, line, sizeof(line)))
		TH_LOG("no probe summary for %s in the kernel log", self->devname);
	TH_LOG("%s", line);

	n = of_prop(self->of_node, "edgenpu,dma-address-bits", buf, sizeof(buf));
	if (n == 4)
		bits = ntohl(*(uint32_t *)buf);
	p = strstr(line, "-bit DMA");
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	EXPECT_EQ(bits, strtoul(p, NULL, 10));

	/* one name per clock: "core\0bus\0" */
	n = of_prop(self->of_node, "clock-names", buf, sizeof(buf));
	for (int i = 0; i < n; i++)
		want_clocks += buf[i] == '\0';
	p = strstr(line, " clock(s)");
	ASSERT_NE(NULL, p);
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	clocks = atoi(p);
	EXPECT_EQ(want_clocks, clocks);

	if (of_prop(self->of_node, "memory-region", buf, sizeof(buf)) > 0) {
		EXPECT_NE(NULL, strstr(line, "from the reserved memory-region"));
	} else {
		EXPECT_EQ(NULL, strstr(line, "reserved memory-region"));
	}
	if (of_prop(self->of_node, "resets", buf, sizeof(buf)) > 0) {
		EXPECT_NE(NULL, strstr(line, ", a reset"));
	} else {
		EXPECT_NE(NULL, strstr(line, ", no reset"));
	}
	if (of_prop(self->of_node, "power-domains", buf, sizeof(buf)) > 0) {
		EXPECT_NE(NULL, strstr(line, ", a power domain"));
	} else {
		EXPECT_NE(NULL, strstr(line, ", no power domain"));
	}
}

/* nftw() has no user pointer: the search's state. */
static uint32_t want_phandle;
static char found_node[256];

static int match_phandle(const char *path, const struct stat *st, int type,
			 struct FTW *ftw)
{
	char buf[8];
	const char *base = path + ftw->base;

	if (type != FTW_F || strcmp(base, "phandle"))
		return 0;
	if (edgenpu_read_file(path, buf, sizeof(buf)) != 4 ||
	    ntohl(*(uint32_t *)buf) != want_phandle)
		return 0;
	snprintf(found_node, sizeof(found_node), "%.*s", (int)ftw->base - 1, path);
	return 1;
}

/* clk_enable_count of the node's first clock (via the provider's name). */
static int clock_enable_count(const char *of_node)
{
	char buf[64], path[320];
	int n;

	n = of_prop(of_node, "clocks", buf, sizeof(buf));
	if (n < 4)
		return -1;
	want_phandle = ntohl(*(uint32_t *)buf);
	found_node[0] = '\0';
	if (nftw("/sys/firmware/devicetree/base", match_phandle, 16, FTW_PHYS) != 1)
		return -1;
	n = of_prop(found_node, "clock-output-names", buf, sizeof(buf));
	if (n <= 0)
		return -1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/clk/%s/clk_enable_count", buf);
	n = edgenpu_read_file(path, buf, sizeof(buf));
	return n > 0 ? atoi(buf) : -1;
}

/* Big-endian cells @n (1 or 2) at @p as one number. */
static uint64_t of_cells(const char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | ntohl(*(const uint32_t *)(p + 4 * i));
	return v;
}

/*
 * The node's first memory-region: its [*base, *base + *size) from the
 * reserved-memory node's reg, in its parent's cells. 0, or -1.
 */
static int carve_out(const char *of_node, uint64_t *base, uint64_t *size)
{
	char buf[32], parent[300], *slash;
	int ac = 2, sc = 2, n;

	if (of_prop(of_node, "memory-region", buf, sizeof(buf)) < 4)
		return -1;
	want_phandle = ntohl(*(uint32_t *)buf);
	found_node[0] = '\0';
	if (nftw("/sys/firmware/devicetree/base", match_phandle, 16, FTW_PHYS) != 1)
		return -1;
	snprintf(parent, sizeof(parent), "%s", found_node);
	slash = strrchr(parent, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (of_prop(parent, "#address-cells", buf, sizeof(buf)) == 4)
		ac = (int)ntohl(*(uint32_t *)buf);
	if (of_prop(parent, "#size-cells", buf, sizeof(buf)) == 4)
		sc = (int)ntohl(*(uint32_t *)buf);
	n = of_prop(found_node, "reg", buf, sizeof(buf));
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || n < 4 * (ac + sc))
		return -1;
	*base = of_cells(buf, ac);
	*size = of_cells(buf + 4 * ac, sc);
	return 0;
}

/*
 * With a memory-region carve-out, which the device's DMA may be limited
 * to, a job's command stream comes from it, however short (without one
 * a short stream is a slab object: edgenpu_submit_test). The short job
 * queues behind a long one (about 500 ms of copies), so it is on the
 * device's ring, and in debugfs, however late this process looks.
 */
TEST_F(plat, command_streams_from_the_carve_out)
{
	struct drm_edgenpu_job_info info;
	unsigned long long addr;
	uint64_t base, size;
	struct tbusy busy, b;
	char kind[16], buf[8];
	int fd;

	if (of_prop(self->of_node, "memory-region", buf, sizeof(buf)) < 4)
		SKIP(return, "the node has no memory-region");
	ASSERT_EQ(0, carve_out(self->of_node, &base, &size))
		TH_LOG("cannot read the memory-region's reserved-memory node");
	fd = edgenpu_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tbusy_init(fd, &busy, 320));
	ASSERT_EQ(0, tbusy_init(fd, &b, 32));
	ASSERT_EQ(0, tsubmit(fd, &busy.job, 1));
	ASSERT_EQ(0, tsubmit(fd, &b.job, 1));
	ASSERT_EQ(0, tjob_cmd_memory(self->devname, b.job.id, 2000, &addr, kind, sizeof(kind)))
		TH_LOG("job not seen in debugfs queues (debugfs mounted?)");
	TH_LOG("carve-out 0x%llx+0x%llx, command stream at 0x%llx (%s)",
	       (unsigned long long)base, (unsigned long long)size, addr, kind);
	EXPECT_STREQ("coherent", kind);
	EXPECT_LE(base, addr);
	EXPECT_GT(base + size, addr + b.cs.n * 4ull);
	ASSERT_EQ(0, tjob_wait(fd, busy.job.id, 10000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	ASSERT_EQ(0, tjob_wait(fd, b.job.id, 10000, &info));
	EXPECT_EQ(DRM_EDGENPU_JOB_OK, info.status);
	tbusy_fini(fd, &busy);
	tbusy_fini(fd, &b);
	close(fd);
}

static int write_power(FIXTURE_DATA(plat) *self, const char *file, const char *val)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", self->power, file);
	return twrite_str(path, val);
}

/*
 * The uAPI's CPU-access rule: a device that is not DMA-coherent (no
 * "dma-coherent" in its node) gets write-combined CPU mappings, so a reader
 * of a signalled job's buffer needs no cache maintenance.
 */
/*
 * Whether the node describes a DMA-coherent device, as the kernel decides
 * (of_dma_is_coherent()): the first of it and its ancestors that says
 * "dma-coherent" or "dma-noncoherent" decides; none, not coherent (arm64).
 */
static int of_dma_coherent(const char *of_node)
{
	char node[PATH_MAX], buf[8], *slash;

	if (!realpath(of_node, node))
		return -errno;
	while (strlen(node) > strlen("/sys/firmware/devicetree/base")) {
		if (of_prop(node, "dma-coherent", buf, sizeof(buf)) >= 0)
			return 1;
		if (of_prop(node, "dma-noncoherent", buf, sizeof(buf)) >= 0)
			return 0;
		slash = strrchr(node, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	return 0;
}

TEST_F(plat, cpu_mappings_follow_dma_coherence)
{
	char *mem = tdebugfs_read(self->devname, "memory");
	int coherent = of_dma_coherent(self->of_node);

	ASSERT_NE(NULL, mem) TH_LOG("no debugfs memory file (debugfs mounted?)");
	ASSERT_LE(0, coherent) TH_LOG("cannot resolve %s", self->of_node);
	TH_LOG("node %s dma-coherent; driver: %s", coherent ? "is" : "is not", mem);
	if (coherent) {
		EXPECT_NE(NULL, strstr(mem, "dma_coherent yes\ncpu_mappings cached\n"));
	} else {
		EXPECT_NE(NULL, strstr(mem, "dma_coherent no\ncpu_mappings write-combined\n"));
	}
	free(mem);
}

TEST_F(plat, clocks_gated_while_suspended)
{
	char buf[16];

	if (of_prop(self->of_node, "clocks", buf, sizeof(buf)) < 4)
		SKIP(return, "the node has no clocks");
	if (clock_enable_count(self->of_node) < 0)
		SKIP(return, "clock not visible in debugfs (clk_enable_count)");

	ASSERT_EQ(0, write_power(self, "control", "on"));
	EXPECT_EQ(1, clock_enable_count(self->of_node)) TH_LOG("clock off while active");
	ASSERT_EQ(0, write_power(self, "control", "auto"));
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS))
		TH_LOG("not runtime-suspended %d ms after being let go", SUSPEND_MS);
	EXPECT_EQ(0, clock_enable_count(self->of_node)) TH_LOG("clock on while suspended");

	/* and back on when it is used again */
	ASSERT_EQ(0, write_power(self, "control", "on"));
	EXPECT_EQ(1, clock_enable_count(self->of_node));
	ASSERT_EQ(0, write_power(self, "control", "auto"));
}

#define GENPD_DEBUGFS	"/sys/kernel/debug/pm_genpd"

/*
 * The current_state file of the generic PM domain @devname is in (genpd's
 * debugfs lists each domain's devices by name). Return: 0 or -1.
 */
static int genpd_state_file(const char *devname, char *path, size_t len)
{
	DIR *d = opendir(GENPD_DEBUGFS);
	struct dirent *e;
	int ret = -1;

	if (!d)
		return -1;
	while (ret && (e = readdir(d))) {
		char devices[320], *list, *line;

		if (e->d_name[0] == '.')
			continue;
		snprintf(devices, sizeof(devices), GENPD_DEBUGFS "/%s/devices", e->d_name);
		list = tread_alloc(devices);
		if (!list)
			continue;
		for (line = strtok(list, "\n"); line; line = strtok(NULL, "\n"))
			if (!strcmp(line, devname)) {
				snprintf(path, len, GENPD_DEBUGFS "/%s/current_state", e->d_name);
				ret = 0;
				break;
			}
		free(list);
	}
	closedir(d);
	return ret;
}

/* "on", or "off" for any of the domain's off states ("off-0"...). */
static const char *genpd_state(const char *path, char *buf, size_t len)
{
	if (edgenpu_read_file(path, buf, len) <= 0)
		return "unreadable";
	buf[strcspn(buf, "\n")] = '\0';
	return strncmp(buf, "off", 3) ? buf : "off";
}

/*
 * One runtime suspend and resume of the device, from active: how much the
 * debug-window register @counter moved. With @state (the current_state
 * file of the device's power domain) the domain must be on while the
 * device is active and off while it is suspended. The device must come
 * back ready.
 */
static long long suspend_resume(struct __test_metadata *_metadata, FIXTURE_DATA(plat) *self,
				const char *counter, const char *state)
{
	long long before, after;
	char st[32];

	ASSERT_EQ(0, write_power(self, "control", "on"));
	if (state)
		EXPECT_STREQ("on", genpd_state(state, st, sizeof(st)));
	before = edgenpu_debugfs_reg(self->devname, counter);
	ASSERT_LE(0, before) TH_LOG("%s not in debugfs registers", counter);
	/* while active, nothing touches the input */
	EXPECT_EQ(before, edgenpu_debugfs_reg(self->devname, counter));

	ASSERT_EQ(0, write_power(self, "control", "auto"));
	ASSERT_LE(0, tpower_wait(self->power, "suspended", SUSPEND_MS))
		TH_LOG("not runtime-suspended %d ms after being let go", SUSPEND_MS);
	if (state)
		EXPECT_STREQ("off", genpd_state(state, st, sizeof(st)))
			TH_LOG("power domain not off while the NPU is suspended");

	ASSERT_EQ(0, write_power(self, "control", "on"));
	if (state)
		EXPECT_STREQ("on", genpd_state(state, st, sizeof(st)));
	after = edgenpu_debugfs_reg(self->devname, counter);
	/* and the device came out of it ready */
	EXPECT_EQ(ENPU_STATUS_READY,
		  edgenpu_debugfs_reg(self->devname, "STATUS") & ENPU_STATUS_READY);
	ASSERT_EQ(0, write_power(self, "control", "auto"));
	return after - before;
}

/*
 * The node's reset line is asserted while the device is runtime-suspended
 * and released when it resumes: one suspend and resume is one release of
 * the device's reset input (DBG_RESET_INPUTS, in the debug window).
 */
TEST_F(plat, reset_held_while_suspended)
{
	char buf[16];
	long long n;

	if (of_prop(self->of_node, "resets", buf, sizeof(buf)) < 4)
		SKIP(return, "the node has no reset line");
	if (!(edgenpu_debugfs_reg(self->devname, "CAPS") & ENPU_CAP_DEBUG))
		SKIP(return, "the device has no debug window (needs debug=on)");

	n = suspend_resume(_metadata, self, "DBG_RESET_INPUTS", NULL);
	EXPECT_EQ(1, n) TH_LOG("suspend and resume released the reset %lld times", n);
}

/*
 * The node's power domain is off while the device is runtime-suspended and
 * on while it is active (genpd's view), and the NPU really lost power: one
 * suspend and resume is one power-up of its domain (DBG_POWER_UPS, in the
 * debug window), after which the device is ready. (The pm tests' jobs
 * submitted to a suspended device run through this power-up.)
 */
TEST_F(plat, power_domain_off_while_suspended)
{
	char buf[16], state[320];
	long long n;

	if (of_prop(self->of_node, "power-domains", buf, sizeof(buf)) < 4)
		SKIP(return, "the node has no power domain");
	if (!(edgenpu_debugfs_reg(self->devname, "CAPS") & ENPU_CAP_DEBUG))
		SKIP(return, "the device has no debug window (needs debug=on)");
	ASSERT_EQ(0, genpd_state_file(self->devname, state, sizeof(state)))
		TH_LOG("%s is in no power domain listed in " GENPD_DEBUGFS, self->devname);

	n = suspend_resume(_metadata, self, "DBG_POWER_UPS", state);
	EXPECT_EQ(1, n) TH_LOG("suspend and resume powered the domain up %lld times", n);
}

TEST_HARNESS_MAIN
