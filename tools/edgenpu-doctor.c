// SPDX-License-Identifier: MIT
/*
 * edgenpu-doctor: why the EdgeNPU does not work here, and the command that
 * fixes it. Checks in order, each depending on the ones before: the
 * module installed and loaded, a device bound, its accel node, that this
 * user may open it, the library's, kernel interface's and hardware
 * contract's versions, the IOMMU and runtime-PM state, edgenpu's warnings
 * in the kernel log, and a small job run on the NPU against the CPU
 * backend, bit for bit. Exit status 0 when healthy, 1 when not.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

static int failed;

static void say(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *tag, const char *fmt, ...)
{
	va_list ap;

	printf("[%s] ", tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A failed check: what is wrong, then the command that fixes it. */
static void fail(const char *fix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *fix, const char *fmt, ...)
{
	va_list ap;

	printf("[FAIL] ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n       fix: %s\n", fix);
	failed = 1;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Whether modules.dep of the running kernel lists edgenpu.ko. */
static int module_installed(const char *release)
{
	char path[PATH_MAX], line[1024];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", release);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = 0;
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		found = !strncmp(base, "edgenpu.ko", 10);
	}
	fclose(f);
	return found;
}

/* The lowest accel minor bound to edgenpu (or @only's), its bus name; -1 if none. */
static int bound_minor(const char *only, char *bus, size_t len)
{
	struct dirent *e;
	DIR *d = opendir("/sys/class/accel");
	int best = -1, minor;

	while (d && (e = readdir(d))) {
		char path[300], link[PATH_MAX], *base;
		ssize_t n;

		if (sscanf(e->d_name, "accel%d", &minor) != 1)
			continue;
		if (only && strcmp(strrchr(only, '/') ? strrchr(only, '/') + 1 : only, e->d_name))
			continue;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device/driver", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		base = strrchr(link, '/');
		if (strcmp(base ? base + 1 : link, "edgenpu") || (best >= 0 && minor > best))
			continue;
		best = minor;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		base = strrchr(link, '/');
		snprintf(bus, len, "%s", base ? base + 1 : "?");
	}
	if (d)
		closedir(d);
	return best;
}

/* Whether this process is in group @gid. */
static int in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups), i;

	if (getegid() == gid)
		return 1;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* Why this user cannot open @node, and the fix. */
static void explain_access(const char *node, int err)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *user = pw ? pw->pw_name : getenv("USER") ? getenv("USER") : "$USER";
	struct stat st;
	struct group *gr;
	char fix[512];

	if (stat(node, &st)) {
		fail("sudo udevadm trigger --subsystem-match=accel", "cannot stat %s: %s", node,
		     strerror(errno));
		return;
	}
	gr = getgrgid(st.st_gid);
	if (!(st.st_mode & S_IRGRP) || !(st.st_mode & S_IWGRP) || st.st_gid == 0) {
		fail("install the udev rule that gives the render group the node: sudo make "
		     "install-udev (tools/udev/70-edgenpu.rules), then sudo udevadm trigger "
		     "--subsystem-match=accel",
		     "cannot open %s: %s (mode %04o, group %s: only root may)", node, strerror(err),
		     st.st_mode & 07777, gr ? gr->gr_name : "?");
		return;
	}
	if (!in_group(st.st_gid)) {
		snprintf(fix, sizeof(fix), "sudo usermod -aG %s %s, then log in again",
			 gr ? gr->gr_name : "render", user);
		fail(fix, "cannot open %s: %s (user %s is not in group %s)", node, strerror(err),
		     user, gr ? gr->gr_name : "?");
		return;
	}
	fail("check the node's ACLs and security modules (getfacl, the audit log)",
	     "cannot open %s: %s", node, strerror(err));
}

/* edgenpu lines of warning level or worse in the kernel log: how many, the last. */
static void kernel_log(void)
{
	char rec[2048], last[512] = "";
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC), n = 0;
	ssize_t len;

	if (fd < 0) {
		say("info", "kernel log not readable (%s): run as root to check it",
		    strerror(errno));
		return;
	}
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		char *msg;
		int prio;

		if (len <= 0)
			continue;	/* overwritten records: go on */
		rec[len] = 0;
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%d", &prio) != 1 || (prio & 7) > 4)
			continue;
		msg++;
		if (!strstr(msg, "edgenpu"))
			continue;
		n++;
		msg[strcspn(msg, "\n")] = 0;
		snprintf(last, sizeof(last), "%.500s", msg);
	}
	close(fd);
	if (n)
		say("warn", "%d edgenpu warning%s or error%s in the kernel log since boot; the "
		    "last: %s", n, n == 1 ? "" : "s", n == 1 ? "" : "s", last);
	else
		say(" ok ", "no edgenpu warnings or errors in the kernel log");
}

/* A small graph: one CONV_2D, 8x8x4 to 8x8x8, 3x3, bias, ReLU. */
static int small_graph(struct enpu_graph **out)
{
	static const float s_in = 0.05f, s_out = 0.1f;
	static float s_w[8];
	static int32_t zp8[8], bias[8];
	static int8_t w[8 * 3 * 3 * 4];
	static const int32_t zp = 0;
	struct enpu_graph *g;
	float s_b[8];
	int x, f, b, y, i;

	for (i = 0; i < 8; i++) {
		s_w[i] = 0.01f * (float)(i + 1);
		s_b[i] = s_in * s_w[i];
		bias[i] = (i - 4) * 100;
	}
	for (i = 0; i < (int)sizeof(w); i++)
		w[i] = (int8_t)((i * 37) % 255 - 127);
	if (enpu_graph_create(&g))
		return -1;
	x = enpu_graph_add_tensor(g, &(struct enpu_tensor_desc){ .name = "in",
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 8, 8, 4 }, .num_scales = 1,
		.scales = &s_in, .zero_points = &zp });
	f = enpu_graph_add_tensor(g, &(struct enpu_tensor_desc){ .name = "w",
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 8, 3, 3, 4 }, .num_scales = 8,
		.scales = s_w, .zero_points = zp8, .quant_axis = 0, .data = w });
	b = enpu_graph_add_tensor(g, &(struct enpu_tensor_desc){ .name = "b",
		.dtype = ENPU_DTYPE_INT32, .rank = 1, .dims = { 8 }, .num_scales = 8,
		.scales = s_b, .zero_points = zp8, .data = bias });
	y = enpu_graph_add_tensor(g, &(struct enpu_tensor_desc){ .name = "out",
		.dtype = ENPU_DTYPE_INT8, .rank = 4, .dims = { 1, 8, 8, 8 }, .num_scales = 1,
		.scales = &s_out, .zero_points = &zp });
	if (x < 0 || f < 0 || b < 0 || y < 0 ||
	    enpu_graph_add_layer(g, &(struct enpu_layer_desc){ .type = ENPU_LAYER_CONV_2D,
		.inputs = { x, f, b }, .num_inputs = 3, .output = y, .stride_h = 1,
		.stride_w = 1, .padding = ENPU_SAME, .activation = ENPU_FUSED_RELU }) < 0 ||
	    enpu_graph_set_io(g, &x, 1, &y, 1)) {
		enpu_graph_destroy(g);
		return -1;
	}
	*out = g;
	return 0;
}

/* Runs the small graph on @dev and on the CPU backend; compares. */
static void small_job(struct enpu_device *dev, const char *node, const char *bus)
{
	struct enpu_graph *g = NULL;
	struct enpu_model *npu = NULL, *cpu = NULL;
	static int8_t in[8 * 8 * 4], a[8 * 8 * 8], b[8 * 8 * 8];
	const void *ins[] = { in };
	void *oa[] = { a }, *ob[] = { b };
	struct enpu_profile prof = { .size = sizeof(prof) };
	char fix[512];
	int i, ret;

	for (i = 0; i < (int)sizeof(in); i++)
		in[i] = (int8_t)((i * 53) % 200 - 100);
	if (small_graph(&g) || enpu_model_compile(NULL, g, NULL, &cpu) ||
	    enpu_model_run(cpu, ins, ob, NULL)) {
		fail("report this: it is a library bug", "the CPU backend failed the test "
		     "model: %s", enpu_last_error());
		goto out;
	}
	ret = enpu_model_compile(dev, g, NULL, &npu);
	if (!ret)
		ret = enpu_model_run(npu, ins, oa, &prof);
	if (ret) {
		if (strchr(bus, ':'))
			snprintf(fix, sizeof(fix), "a wedged NPU (the kernel log says so) recovers "
				 "with a function reset: echo 1 | sudo tee "
				 "/sys/bus/pci/devices/%s/reset", bus);
		else
			snprintf(fix, sizeof(fix), "a wedged NPU (the kernel log says so) recovers "
				 "when rebound: echo %s | sudo tee /sys/bus/platform/drivers/"
				 "edgenpu/unbind /sys/bus/platform/drivers/edgenpu/bind", bus);
		fail(fix, "the NPU did not run a job on %s: %s", node, enpu_last_error());
		goto out;
	}
	if (memcmp(a, b, sizeof(a))) {
		fail("report this with the output of edgenpu-info: the NPU's results must be "
		     "the reference's", "the NPU's result differs from the CPU backend's");
		goto out;
	}
	say(" ok ", "a job ran on the NPU, bit-exact with the CPU backend (%llu cycles, "
	    "%.3f ms)", (unsigned long long)prof.device_cycles, prof.wall_ns / 1e6);
out:
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgenpu-doctor [-d NODE]\n"
		"Check, in order, what the EdgeNPU needs and say what to do when it fails.\n"
		"  -d, --device NODE  check this accel node (default: the first EdgeNPU)\n"
		"  -h, --help         this help\n"
		"Exit status: 0 healthy, 1 not, 2 usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct enpu_device *dev = NULL;
	struct enpu_device_info info;
	struct enpu_target t;
	const char *only = NULL;
	char node[64], bus[128] = "", path[300], val[64], fix[512];
	struct utsname un;
	int c, minor, fd;

	while ((c = getopt_long(argc, argv, "d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': only = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	uname(&un);

	/* 1. the module */
	if (access("/sys/module/edgenpu", F_OK)) {
		if (module_installed(un.release))
			fail("sudo modprobe edgenpu", "edgenpu.ko is installed for kernel %s but "
			     "not loaded", un.release);
		else
			fail("install it for this kernel (make install-module, or make "
			     "install-dkms), then sudo modprobe edgenpu",
			     "edgenpu.ko is not loaded, nor installed for kernel %s", un.release);
		return 1;
	}
	say(" ok ", "edgenpu.ko is loaded (kernel %s)", un.release);

	/* 2. a device it drives, 3. its node */
	minor = bound_minor(only, bus, sizeof(bus));
	if (minor < 0) {
		if (only)
			fail("list the EdgeNPUs: ls -l /sys/class/accel/*/device/driver",
			     "%s is not an accel node driven by edgenpu", only);
		else
			fail("dmesg | grep edgenpu says why no device was bound; check that the "
			     "NPU is present (lspci -nn, or its device-tree node and status)",
			     "edgenpu.ko is loaded but drives no device");
		return 1;
	}
	snprintf(node, sizeof(node), "/dev/accel/accel%d", minor);
	say(" ok ", "accel%d is an EdgeNPU on %s", minor, bus);
	if (access(node, F_OK)) {
		snprintf(fix, sizeof(fix), "sudo udevadm trigger --subsystem-match=accel (or "
			 "mount devtmpfs on /dev)");
		fail(fix, "%s does not exist", node);
		return 1;
	}

	/* 4. this user may open it */
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		explain_access(node, errno);
		return 1;
	}
	close(fd);
	say(" ok ", "%s opens for this user", node);

	/* 5. versions */
	if (enpu_open(&dev, node)) {
		fail("install the library and the module of the same edgenpu release",
		     "%s", enpu_last_error());
		return 1;
	}
	enpu_query(dev, &info, sizeof(info));
	if (enpu_target_from_device(dev, &t) || enpu_target_check(&t))
		fail("install a libedgenpu that knows this hardware contract",
		     "%s", enpu_last_error());
	else
		say(" ok ", "libedgenpu %s, kernel interface %u.%u.%u, hardware contract "
		    "%u.%u.%u: compatible", enpu_version_string(), info.driver_major,
		    info.driver_minor, info.driver_patch, (info.hw_version >> 16) & 0xff,
		    (info.hw_version >> 8) & 0xff, info.hw_version & 0xff);

	/* 6. IOMMU, 7. runtime PM */
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/iommu_group", minor);
	{
		char link[PATH_MAX];
		ssize_t n = readlink(path, link, sizeof(link) - 1);

		link[n > 0 ? n : 0] = 0;
		if (n > 0)
			say("info", "IOMMU: group %s (the NPU's DMA is translated)",
			    strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		else
			say("info", "IOMMU: none (the NPU reaches memory by physical address)");
	}
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/power/runtime_status",
		 minor);
	if (!read_line(path, val, sizeof(val))) {
		char ctl[32] = "?";

		snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/power/control",
			 minor);
		read_line(path, ctl, sizeof(ctl));
		if (!strcmp(val, "error"))
			fail("dmesg | grep edgenpu says why; echo on | sudo tee " "/sys/class/"
			     "accel/accelN/device/power/control keeps it powered",
			     "runtime PM failed on %s (status error)", node);
		else
			say("info", "runtime PM: %s (control %s)", val, ctl);
	}

	/* 8. the kernel log, 9. a job */
	kernel_log();
	small_job(dev, node, bus);
	enpu_close(dev);
	printf("%s\n", failed ? "edgenpu-doctor: not healthy" : "edgenpu-doctor: healthy");
	return failed;
}
