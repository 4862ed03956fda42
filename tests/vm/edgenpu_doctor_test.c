// SPDX-License-Identifier: MIT
/*
 * edgenpu-doctor in the VM, healthy and with each failure induced: the
 * node only root may open (mode 0600) and a user outside its group, as
 * user nobody; the module not loaded; the device held in reset (fault
 * injection: its next resume is not confirmed, so it is wedged) and then
 * recovered with the reset the doctor names. Each must give its message
 * and fix, and exit 1; healthy exits 0. Needs root (skips otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "edgenpu_hw.h"
#include "kselftest_harness.h"
#include "../host/tool_run.h"

#define NOBODY	65534

static const char *module_path(void)
{
	const char *p = getenv("EDGENPU_MODULE");

	return p && *p ? p : "/lib/modules/edgenpu/edgenpu.ko";
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

static int read_str(const char *path, char *buf, size_t len)
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

/* Runs edgenpu-doctor as user nobody; its exit status, output in @out. */
static int doctor_as_nobody(char *out, size_t len)
{
	char tmp[] = "/tmp/enpu-doctor-XXXXXX";
	int fd = mkstemp(tmp), st = 0;
	ssize_t n;
	pid_t pid;

	if (fd < 0)
		return -1;
	fchmod(fd, 0666);
	pid = fork();
	if (!pid) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("edgenpu-doctor", "edgenpu-doctor", (char *)NULL);
		_exit(101);
	}
	waitpid(pid, &st, 0);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(tmp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(doc) {
	struct enpu_device_info info;
	char node[64], bus[64], sysdev[128];
	char out[65536];
};

FIXTURE_SETUP(doc)
{
	struct enpu_device *dev = NULL;
	char link[256], path[160];
	ssize_t n;
	int minor;

	if (geteuid())
		SKIP(return, "needs root");
	if (enpu_open(&dev, NULL))
		SKIP(return, "no EdgeNPU: %s", enpu_last_error());
	enpu_query(dev, &self->info, sizeof(self->info));
	enpu_close(dev);
	snprintf(self->node, sizeof(self->node), "%s", self->info.node);
	ASSERT_EQ(1, sscanf(self->node, "/dev/accel/accel%d", &minor));
	snprintf(self->sysdev, sizeof(self->sysdev), "/sys/class/accel/accel%d/device", minor);
	n = readlink(self->sysdev, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	snprintf(self->bus, sizeof(self->bus), "%s", strrchr(link, '/') + 1);
	snprintf(path, sizeof(path), "%s/subsystem", self->sysdev);
}

FIXTURE_TEARDOWN(doc)
{
}

TEST_F(doc, healthy)
{
	ASSERT_EQ(0, tool_run("edgenpu-doctor 2>&1", self->out, sizeof(self->out)))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "[ ok ] edgenpu.ko is loaded"));
	EXPECT_NE(NULL, strstr(self->out, "opens for this user"));
	EXPECT_NE(NULL, strstr(self->out, ": compatible"));
	EXPECT_NE(NULL, strstr(self->out, "[info] IOMMU: "));
	EXPECT_NE(NULL, strstr(self->out, "[ ok ] a job ran on the NPU, bit-exact"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "edgenpu-doctor: healthy"));
}

/* Adds group render (gid 990) to /etc/group if there is none; 1 if it did. */
static int add_render_group(void)
{
	FILE *f;

	if (getgrnam("render"))
		return 0;
	f = fopen("/etc/group", "a");
	if (!f)
		return -1;
	fputs("render:x:990:\n", f);
	fclose(f);
	return 1;
}

/* Takes the line add_render_group() added out again. */
static void remove_render_group(void)
{
	char *text = NULL, *line;
	size_t len = 0;
	FILE *f = fopen("/etc/group", "r");

	if (!f)
		return;
	if (getdelim(&text, &len, 0, f) < 0) {
		fclose(f);
		free(text);
		return;
	}
	fclose(f);
	line = strstr(text, "render:x:990:\n");
	if (line && (line == text || line[-1] == '\n')) {
		memmove(line, line + 14, strlen(line + 14) + 1);
		f = fopen("/etc/group", "w");
		if (f) {
			fputs(text, f);
			fclose(f);
		}
	}
	free(text);
}

TEST_F(doc, node_the_user_cannot_open)
{
	int added = add_render_group();
	struct group *render = getgrnam("render");
	struct stat st;

	ASSERT_EQ(0, stat(self->node, &st));
	ASSERT_EQ(0, chmod(self->node, 0600));
	EXPECT_EQ(1, doctor_as_nobody(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "mode 0600")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "fix: install the udev rule"));
	if (render) {
		ASSERT_EQ(0, chown(self->node, 0, render->gr_gid));
		ASSERT_EQ(0, chmod(self->node, 0660));
		EXPECT_EQ(1, doctor_as_nobody(self->out, sizeof(self->out)));
		EXPECT_NE(NULL, strstr(self->out, "is not in group render")) TH_LOG("%s", self->out);
		EXPECT_NE(NULL, strstr(self->out, "fix: sudo usermod -aG render "));
	} else {
		TH_LOG("no render group here, and none could be added: the group case is "
		       "not checked");
	}
	ASSERT_EQ(0, chown(self->node, st.st_uid, st.st_gid));
	ASSERT_EQ(0, chmod(self->node, st.st_mode & 07777));
	if (added == 1)
		remove_render_group();
}

TEST_F(doc, module_not_loaded)
{
	int fd, ret;

	if (access(module_path(), R_OK))
		SKIP(return, "module file %s not readable", module_path());
	if (syscall(__NR_delete_module, "edgenpu", O_NONBLOCK))
		SKIP(return, "edgenpu.ko is in use (%s): not unloaded", strerror(errno));
	EXPECT_EQ(1, tool_run("edgenpu-doctor 2>&1", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "[FAIL] edgenpu.ko is")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not loaded"));
	EXPECT_NE(NULL, strstr(self->out, "modprobe edgenpu"));
	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	ASSERT_EQ(0, ret) TH_LOG("reloading %s: %s", module_path(), strerror(errno));
	/* the node comes back */
	for (ret = 0; ret < 500 && access(self->node, F_OK); ret++)
		usleep(10000);
	EXPECT_EQ(0, tool_run("edgenpu-doctor 2>&1", self->out, sizeof(self->out)))
		TH_LOG("%s", self->out);
}

/* Waits up to 5 s for runtime PM status @want. */
static int power_wait(const char *sysdev, const char *want)
{
	char path[192], st[32];
	int i;

	snprintf(path, sizeof(path), "%s/power/runtime_status", sysdev);
	for (i = 0; i < 500; i++) {
		if (!read_str(path, st, sizeof(st)) && !strcmp(st, want))
			return 0;
		usleep(10000);
	}
	return -1;
}

TEST_F(doc, device_held_in_reset)
{
	char path[192], want[256];

	if (!(self->info.hw_caps & ENPU_CAP_DEBUG))
		SKIP(return, "no fault injection (QEMU's debug=on)");
	if (!strchr(self->bus, ':'))
		SKIP(return, "a platform device: the PCI reset path is what is checked");
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/inject", self->bus);
	ASSERT_EQ(0, write_str(path, "stuck-reset"));
	/* its next resume is not confirmed: the doctor's job finds it wedged */
	if (power_wait(self->sysdev, "suspended"))
		SKIP(return, "runtime PM not in use");
	EXPECT_EQ(1, tool_run("edgenpu-doctor 2>&1", self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "[FAIL] the NPU did not run a job")) TH_LOG("%s", self->out);
	snprintf(want, sizeof(want), "echo 1 | sudo tee /sys/bus/pci/devices/%s/reset", self->bus);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s", self->out);
	/* the fix it names works */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", self->bus);
	ASSERT_EQ(0, write_str(path, "1"));
	EXPECT_EQ(0, tool_run("edgenpu-doctor 2>&1", self->out, sizeof(self->out)))
		TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
