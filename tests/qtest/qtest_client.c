// SPDX-License-Identifier: MIT
/*
 * qtest protocol client: see qtest_client.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qtest_client.h"

#ifndef EDGENPU_QEMU_BUILD_DEFAULT
#define EDGENPU_QEMU_BUILD_DEFAULT ""
#endif

#define QT_KSFT_FAIL		1	/* kselftest's KSFT_FAIL */
#define QT_STOP_GRACE_MS	3000
#define QT_WRITE_CHUNK		32768	/* bytes of guest memory per command */

int64_t qt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *qt_qemu_build_dir(void)
{
	const char *d = getenv("EDGENPU_QEMU_BUILD");

	return d && *d ? d : EDGENPU_QEMU_BUILD_DEFAULT;
}

static int qt_try_send(struct qt *q, const char *buf, size_t len);
static int qt_try_recv_line(struct qt *q, int64_t deadline, const char **err);

/* ---- process management ------------------------------------------------- */

static void qt_reap(struct qt *q, bool block)
{
	int status;
	pid_t r;

	if (q->pid <= 0 || q->reaped)
		return;
	do {
		r = waitpid(q->pid, &status, block ? 0 : WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == q->pid || (r < 0 && errno == ECHILD)) {
		q->exit_status = r == q->pid ? status : 0;
		q->reaped = true;
	}
}

bool qt_alive(struct qt *q)
{
	qt_reap(q, false);
	return q->pid > 0 && !q->reaped;
}

static void qt_close_fd(struct qt *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	if (q->qmp_fd >= 0)
		close(q->qmp_fd);
	q->qmp_fd = -1;
}

static void qt_kill(struct qt *q)
{
	int64_t deadline;

	qt_close_fd(q);
	if (q->pid <= 0 || q->reaped)
		return;
	kill(q->pid, SIGTERM);
	deadline = qt_now_ms() + QT_STOP_GRACE_MS;
	while (qt_now_ms() < deadline) {
		qt_reap(q, false);
		if (q->reaped)
			return;
		usleep(2000);
	}
	kill(q->pid, SIGKILL);
	qt_reap(q, true);
}

static bool qt_keep_files(void)
{
	return getenv("EDGENPU_QTEST_TRACE") != NULL;
}

/* Removes the socket, the log (still open) and the directory. */
static void qt_remove_files(struct qt *q)
{
	if (!q->dir[0])
		return;
	unlink(q->sock_path);
	unlink(q->qmp_path);
	unlink(q->log_path);
	rmdir(q->dir);
	q->dir[0] = 0;
}

void qt_cleanup(struct qt *q)
{
	if (!q->inited)
		return;
	qt_kill(q);
	if (q->dir[0] && qt_keep_files()) {
		unlink(q->sock_path);
		fprintf(stderr, "# qtest: QEMU's log kept in %s\n", q->log_path);
		q->dir[0] = 0;
	}
	qt_remove_files(q);
	if (q->log_fd >= 0)
		close(q->log_fd);
	q->log_fd = -1;
	free(q->rbuf);
	free(q->line);
	free(q->qbuf);
	q->rbuf = q->line = q->qbuf = NULL;
	q->rlen = q->rcap = q->line_cap = q->qlen = q->qcap = 0;
}

static char *qt_slurp_log(struct qt *q, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t r;

	*len = 0;
	if (!q->inited || q->log_fd < 0)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		r = pread(q->log_fd, buf + n, cap - n - 1, (off_t)n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

void qt_print_log_tail(struct qt *q, FILE *f, int lines)
{
	size_t len, i;
	char *buf = qt_slurp_log(q, &len), *p;
	int seen = 0;

	if (!buf || !len) {
		fprintf(f, "# (QEMU's log is empty)\n");
		free(buf);
		return;
	}
	i = len;
	if (i && buf[i - 1] == '\n')
		i--;
	while (i > 0) {
		if (buf[i - 1] == '\n' && ++seen == lines)
			break;
		i--;
	}
	fprintf(f, "# ---- QEMU's log, last %d lines ----\n", lines);
	for (p = buf + i; *p;) {
		char *nl = strchr(p, '\n');

		if (!nl)
			nl = p + strlen(p);
		fprintf(f, "#   %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	fprintf(f, "# ---- end of QEMU log ----\n");
	free(buf);
}

bool qt_log_contains(struct qt *q, const char *needle)
{
	size_t len;
	char *buf = qt_slurp_log(q, &len);
	bool found = buf && strstr(buf, needle);

	free(buf);
	return found;
}

void qt_fatal(struct qt *q, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# qtest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (q->pid > 0 && !qt_alive(q)) {
		if (WIFEXITED(q->exit_status))
			fprintf(stderr, "# qtest: QEMU exited with status %d\n",
				WEXITSTATUS(q->exit_status));
		else if (WIFSIGNALED(q->exit_status))
			fprintf(stderr, "# qtest: QEMU killed by signal %d\n",
				WTERMSIG(q->exit_status));
	}
	qt_kill(q);
	qt_print_log_tail(q, stderr, 30);
	qt_cleanup(q);
	fflush(stderr);
	_exit(QT_KSFT_FAIL);
}

int qt_start(struct qt *q, const char *const *extra)
{
	return qt_start_on(q, QT_Q35, extra);
}

static int qt_qmp_connect(struct qt *q, int64_t deadline);

int qt_start_on(struct qt *q, enum qt_machine machine, const char *const *extra)
{
	bool virt = machine == QT_VIRT;
	const char *build = qt_qemu_build_dir();
	char qemu[4096], optionrom[4096], qtest_arg[128], qmp_arg[160];
	const char *argv[QT_MAX_ARGS + 32];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = -1, logfd = -1, devnull, n = 0, i;
	pid_t parent = getpid();
	int64_t deadline;

	memset(q, 0, sizeof(*q));
	q->inited = true;
	q->fd = -1;
	q->qmp_fd = -1;
	q->log_fd = -1;
	q->timeout_ms = QT_DEFAULT_TIMEOUT_MS;
	snprintf(q->dir, sizeof(q->dir), "/tmp/enpu-qtest-XXXXXX");
	if (!mkdtemp(q->dir)) {
		q->dir[0] = 0;
		fprintf(stderr, "# qtest: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	snprintf(q->sock_path, sizeof(q->sock_path), "%s/qtest.sock", q->dir);
	snprintf(q->qmp_path, sizeof(q->qmp_path), "%s/qmp.sock", q->dir);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off", q->qmp_path);
	snprintf(q->log_path, sizeof(q->log_path), "%s/qemu.log", q->dir);
	snprintf(qemu, sizeof(qemu), "%s/qemu-system-%s", build, virt ? "aarch64" : "x86_64");
	snprintf(optionrom, sizeof(optionrom), "%s/pc-bios/optionrom", build);
	snprintf(qtest_arg, sizeof(qtest_arg), "unix:%s", q->sock_path);
	if (access(qemu, X_OK)) {
		fprintf(stderr, "# qtest: no QEMU at %s (set EDGENPU_QEMU_BUILD)\n", qemu);
		qt_remove_files(q);
		return -1;
	}

	argv[n++] = qemu;
	argv[n++] = "-M";
	argv[n++] = virt ? "virt" : machine == QT_PC ? "pc" : "q35";
	argv[n++] = "-accel";
	argv[n++] = "qtest";
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-m";
	argv[n++] = "256M";
	argv[n++] = "-L";
	argv[n++] = optionrom;
	argv[n++] = "-L";
	argv[n++] = "/usr/share/seabios";
	argv[n++] = "-d";
	argv[n++] = "guest_errors";
	argv[n++] = "-qtest";
	argv[n++] = qtest_arg;
	argv[n++] = "-qmp";
	argv[n++] = qmp_arg;
	/* QEMU logs the whole protocol to stderr unless told otherwise. */
	if (!getenv("EDGENPU_QTEST_TRACE")) {
		argv[n++] = "-qtest-log";
		argv[n++] = "none";
	}
	for (i = 0; extra && extra[i]; i++) {
		if (i >= QT_MAX_ARGS) {
			fprintf(stderr, "# qtest: too many QEMU arguments\n");
			return -1;
		}
		argv[n++] = extra[i];
	}
	argv[n] = NULL;

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, q->sock_path, strlen(q->sock_path) + 1);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1)) {
		fprintf(stderr, "# qtest: socket %s: %s\n", q->sock_path, strerror(errno));
		goto fail;
	}
	logfd = open(q->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	q->log_fd = open(q->log_path, O_RDONLY | O_CLOEXEC);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || q->log_fd < 0 || devnull < 0) {
		fprintf(stderr, "# qtest: %s: %s\n", q->log_path, strerror(errno));
		if (devnull >= 0)
			close(devnull);
		goto fail;
	}

	fflush(stdout);
	fflush(stderr);
	q->pid = fork();
	if (q->pid < 0) {
		fprintf(stderr, "# qtest: fork: %s\n", strerror(errno));
		q->pid = 0;
		close(devnull);
		goto fail;
	}
	if (q->pid == 0) {
		/* QEMU dies with the test process, whatever kills it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(devnull, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execv(qemu, (char *const *)argv);
		dprintf(2, "exec %s: %s\n", qemu, strerror(errno));
		_exit(127);
	}
	close(devnull);
	close(logfd);
	logfd = -1;

	/* QEMU connects to us; it may also refuse to start. */
	deadline = qt_now_ms() + q->timeout_ms;
	for (;;) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int r = poll(&pfd, 1, 20);

		if (r > 0) {
			q->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (q->fd >= 0)
				break;
		}
		if (!qt_alive(q))
			goto fail;
		if (qt_now_ms() > deadline) {
			fprintf(stderr, "# qtest: QEMU did not connect within %d ms\n",
				q->timeout_ms);
			goto fail;
		}
	}
	close(lfd);
	lfd = -1;

	/*
	 * QEMU connects before it creates the machine; it answers once its
	 * main loop runs. A device that fails to realize makes it exit here.
	 */
	for (int sent = 0;;) {
		const char *err = "cannot send";

		if ((!sent++ && qt_try_send(q, "endianness\n", 11)) ||
		    qt_try_recv_line(q, deadline, &err)) {
			fprintf(stderr, "# qtest: QEMU did not come up: %s\n", err);
			goto fail;
		}
		if (strncmp(q->line, "IRQ", 3))
			break;
	}
	if (strcmp(q->line, "OK little")) {
		fprintf(stderr, "# qtest: unexpected greeting '%.60s'\n", q->line);
		goto fail;
	}
	if (qt_qmp_connect(q, deadline))
		goto fail;
	if (!qt_keep_files())
		qt_remove_files(q);
	return 0;

fail:
	if (lfd >= 0)
		close(lfd);
	if (logfd >= 0)
		close(logfd);
	/* Give a QEMU that is exiting on its own time to do so (its status tells why). */
	qt_close_fd(q);
	deadline = qt_now_ms() + QT_STOP_GRACE_MS;
	while (q->pid > 0 && qt_alive(q) && qt_now_ms() < deadline)
		usleep(2000);
	qt_kill(q);
	if (!qt_keep_files())
		qt_remove_files(q);
	return -1;
}

/* ---- QMP ---------------------------------------------------------------- */

/* Next QMP line into q->qmp_reply (truncated): 0, or -1 on close/timeout. */
static int qt_qmp_recv(struct qt *q, int64_t deadline)
{
	for (;;) {
		char *nl = q->qlen ? memchr(q->qbuf, '\n', q->qlen) : NULL;
		struct pollfd pfd = { .fd = q->qmp_fd, .events = POLLIN };
		int64_t left;
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - q->qbuf);

			snprintf(q->qmp_reply, sizeof(q->qmp_reply), "%.*s", (int)n, q->qbuf);
			memmove(q->qbuf, nl + 1, q->qlen - n - 1);
			q->qlen -= n + 1;
			return 0;
		}
		if (q->qcap - q->qlen < 4096) {
			char *nb = realloc(q->qbuf, q->qcap + 65536);

			if (!nb)
				return -1;
			q->qbuf = nb;
			q->qcap += 65536;
		}
		left = deadline - qt_now_ms();
		if (left <= 0)
			return -1;
		r = poll(&pfd, 1, (int)left);
		if (r <= 0) {
			if (r < 0 && errno != EINTR)
				return -1;
			continue;
		}
		r = read(q->qmp_fd, q->qbuf + q->qlen, q->qcap - q->qlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		q->qlen += (size_t)r;
	}
}

/* An event line: its name remembered. Return: whether @line was one. */
static bool qt_qmp_note_event(struct qt *q, const char *line)
{
	const char *e = strstr(line, "\"event\"");
	char name[64];

	if (!e || sscanf(e, "\"event\": \"%63[^\"]\"", name) != 1)
		return false;
	if (strlen(q->qmp_events) + strlen(name) + 2 < sizeof(q->qmp_events)) {
		strcat(q->qmp_events, name);
		strcat(q->qmp_events, " ");
	}
	return true;
}

/* Sends @cmd; the answer's line in q->qmp_reply: 0 return, 1 error, -1 failure. */
static int qt_qmp_exchange(struct qt *q, const char *cmd, int64_t deadline)
{
	size_t len = strlen(cmd);

	while (len) {
		ssize_t r = send(q->qmp_fd, cmd, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		cmd += r;
		len -= (size_t)r;
	}
	for (;;) {
		if (qt_qmp_recv(q, deadline))
			return -1;
		if (qt_qmp_note_event(q, q->qmp_reply))
			continue;
		if (strstr(q->qmp_reply, "\"return\""))
			return 0;
		if (strstr(q->qmp_reply, "\"error\""))
			return 1;
	}
}

static int qt_qmp_connect(struct qt *q, int64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	q->qmp_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, q->qmp_path, strlen(q->qmp_path) + 1);
	if (q->qmp_fd < 0 || connect(q->qmp_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "# qtest: QMP socket %s: %s\n", q->qmp_path, strerror(errno));
		return -1;
	}
	/* the greeting, then capabilities negotiation */
	if (qt_qmp_recv(q, deadline) || !strstr(q->qmp_reply, "\"QMP\"") ||
	    qt_qmp_exchange(q, "{\"execute\": \"qmp_capabilities\"}\n", deadline)) {
		fprintf(stderr, "# qtest: QMP handshake failed: '%.100s'\n", q->qmp_reply);
		return -1;
	}
	return 0;
}

int qt_qmp(struct qt *q, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 1)
		qt_fatal(q, "QMP command too long");
	strcat(cmd, "\n");
	if (q->qmp_fd < 0)
		qt_fatal(q, "no QMP connection");
	r = qt_qmp_exchange(q, cmd, qt_now_ms() + q->timeout_ms);
	if (r < 0)
		qt_fatal(q, "QMP: no answer to %.100s", cmd);
	return r ? -1 : 0;
}

bool qt_qmp_event_wait(struct qt *q, const char *name, int ms)
{
	int64_t deadline = qt_now_ms() + ms;
	char key[80];

	snprintf(key, sizeof(key), "%s ", name);
	while (!strstr(q->qmp_events, key)) {
		if (qt_now_ms() >= deadline)
			return false;
		if (qt_qmp_recv(q, deadline))
			return strstr(q->qmp_events, key) != NULL;
		qt_qmp_note_event(q, q->qmp_reply);
	}
	return true;
}

/* ---- the line protocol -------------------------------------------------- */

static int qt_try_send(struct qt *q, const char *buf, size_t len)
{
	while (len) {
		ssize_t r = send(q->fd, buf, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static void qt_send(struct qt *q, const char *buf, size_t len)
{
	if (qt_try_send(q, buf, len))
		qt_fatal(q, "sending to QEMU: %s", strerror(errno));
}

/*
 * Next line from QEMU into q->line, within the deadline: 0, or -1 when
 * QEMU closed the connection, -2 on timeout (@err says which).
 */
static int qt_try_recv_line(struct qt *q, int64_t deadline, const char **err)
{
	for (;;) {
		char *nl = q->rlen ? memchr(q->rbuf, '\n', q->rlen) : NULL;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		int64_t left;
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - q->rbuf);

			if (q->line_cap < n + 1) {
				free(q->line);
				q->line = malloc(n + 1);
				if (!q->line)
					qt_fatal(q, "out of memory");
				q->line_cap = n + 1;
			}
			memcpy(q->line, q->rbuf, n);
			q->line[n] = 0;
			memmove(q->rbuf, nl + 1, q->rlen - n - 1);
			q->rlen -= n + 1;
			return 0;
		}
		if (q->rcap - q->rlen < 65536) {
			char *nb = realloc(q->rbuf, q->rcap + 131072);

			if (!nb)
				qt_fatal(q, "out of memory");
			q->rbuf = nb;
			q->rcap += 131072;
		}
		left = deadline - qt_now_ms();
		if (left <= 0) {
			*err = "no answer from QEMU in time";
			return -2;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;	/* deadline checked above */
		r = read(q->fd, q->rbuf + q->rlen, q->rcap - q->rlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*err = r < 0 ? strerror(errno) : "QEMU closed the qtest connection";
			return -1;
		}
		q->rlen += (size_t)r;
	}
}

static void qt_recv_line(struct qt *q, int64_t deadline)
{
	const char *err = NULL;

	if (qt_try_recv_line(q, deadline, &err))
		qt_fatal(q, "%s (timeout %d ms)", err, q->timeout_ms);
}

/* "IRQ raise N" / "IRQ lower N". */
static void qt_note_irq(struct qt *q, const char *line)
{
	char what[8];
	int n;

	if (sscanf(line, "IRQ %7s %d", what, &n) != 2 || n < 0 || n >= QT_MAX_IRQ)
		qt_fatal(q, "unexpected notification '%.60s'", line);
	if (!strcmp(what, "raise")) {
		q->irq_level[n] = 1;
		q->irq_raises[n]++;
	} else if (!strcmp(what, "lower")) {
		q->irq_level[n] = 0;
	} else {
		qt_fatal(q, "unexpected notification '%.60s'", line);
	}
}

/*
 * Sends one command line (without its newline) and returns the text
 * after "OK" of its answer (valid until the next command).
 */
static const char *qt_cmd_raw(struct qt *q, const char *cmd, size_t len)
{
	int64_t deadline = qt_now_ms() + q->timeout_ms;

	if (q->fd < 0)
		qt_fatal(q, "QEMU is not running");
	qt_send(q, cmd, len);
	qt_send(q, "\n", 1);
	for (;;) {
		qt_recv_line(q, deadline);
		if (!strncmp(q->line, "IRQ", 3)) {
			qt_note_irq(q, q->line);	/* asynchronous notification */
			continue;
		}
		if (!strncmp(q->line, "OK", 2))
			return q->line[2] == ' ' ? q->line + 3 : q->line + 2;
		qt_fatal(q, "command '%.60s%s' answered '%.200s'", cmd,
			 len > 60 ? "..." : "", q->line);
	}
}

static const char *qt_cmd(struct qt *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *qt_cmd(struct qt *q, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		qt_fatal(q, "command too long");
	return qt_cmd_raw(q, buf, (size_t)n);
}

static uint64_t qt_value(struct qt *q, const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		qt_fatal(q, "cannot parse value '%.60s'", s);
	return v;
}

void qt_outb(struct qt *q, uint16_t port, uint8_t v)
{
	qt_cmd(q, "outb 0x%x 0x%x", port, v);
}

void qt_outw(struct qt *q, uint16_t port, uint16_t v)
{
	qt_cmd(q, "outw 0x%x 0x%x", port, v);
}

void qt_outl(struct qt *q, uint16_t port, uint32_t v)
{
	qt_cmd(q, "outl 0x%x 0x%x", port, v);
}

uint8_t qt_inb(struct qt *q, uint16_t port)
{
	return (uint8_t)qt_value(q, qt_cmd(q, "inb 0x%x", port));
}

uint16_t qt_inw(struct qt *q, uint16_t port)
{
	return (uint16_t)qt_value(q, qt_cmd(q, "inw 0x%x", port));
}

uint32_t qt_inl(struct qt *q, uint16_t port)
{
	return (uint32_t)qt_value(q, qt_cmd(q, "inl 0x%x", port));
}

void qt_writeb(struct qt *q, uint64_t addr, uint8_t v)
{
	qt_cmd(q, "writeb 0x%llx 0x%x", (unsigned long long)addr, v);
}

void qt_writew(struct qt *q, uint64_t addr, uint16_t v)
{
	qt_cmd(q, "writew 0x%llx 0x%x", (unsigned long long)addr, v);
}

void qt_writel(struct qt *q, uint64_t addr, uint32_t v)
{
	qt_cmd(q, "writel 0x%llx 0x%x", (unsigned long long)addr, v);
}

void qt_writeq(struct qt *q, uint64_t addr, uint64_t v)
{
	qt_cmd(q, "writeq 0x%llx 0x%llx", (unsigned long long)addr,
	       (unsigned long long)v);
}

uint8_t qt_readb(struct qt *q, uint64_t addr)
{
	return (uint8_t)qt_value(q, qt_cmd(q, "readb 0x%llx", (unsigned long long)addr));
}

uint16_t qt_readw(struct qt *q, uint64_t addr)
{
	return (uint16_t)qt_value(q, qt_cmd(q, "readw 0x%llx", (unsigned long long)addr));
}

uint32_t qt_readl(struct qt *q, uint64_t addr)
{
	return (uint32_t)qt_value(q, qt_cmd(q, "readl 0x%llx", (unsigned long long)addr));
}

uint64_t qt_readq(struct qt *q, uint64_t addr)
{
	return qt_value(q, qt_cmd(q, "readq 0x%llx", (unsigned long long)addr));
}

static int qt_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void qt_memread(struct qt *q, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t n = len > QT_WRITE_CHUNK ? QT_WRITE_CHUNK : len, i;
		const char *s = qt_cmd(q, "read 0x%llx 0x%zx",
				       (unsigned long long)addr, n);

		if (strncmp(s, "0x", 2) || strlen(s) != 2 + 2 * n)
			qt_fatal(q, "read of %zu bytes answered '%.60s'", n, s);
		for (i = 0; i < n; i++) {
			int hi = qt_hexval(s[2 + 2 * i]), lo = qt_hexval(s[3 + 2 * i]);

			if (hi < 0 || lo < 0)
				qt_fatal(q, "bad hex in read answer");
			out[i] = (uint8_t)(hi << 4 | lo);
		}
		out += n;
		addr += n;
		len -= n;
	}
}

void qt_memwrite(struct qt *q, uint64_t addr, const void *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *in = buf;
	char *line = malloc(64 + 2 * QT_WRITE_CHUNK);

	if (!line)
		qt_fatal(q, "out of memory");
	while (len) {
		size_t n = len > QT_WRITE_CHUNK ? QT_WRITE_CHUNK : len, i;
		int k = snprintf(line, 64, "write 0x%llx 0x%zx 0x",
				 (unsigned long long)addr, n);

		for (i = 0; i < n; i++) {
			line[k++] = hex[in[i] >> 4];
			line[k++] = hex[in[i] & 15];
		}
		qt_cmd_raw(q, line, (size_t)k);
		in += n;
		addr += n;
		len -= n;
	}
	free(line);
}

void qt_memset(struct qt *q, uint64_t addr, size_t len, uint8_t v)
{
	qt_cmd(q, "memset 0x%llx 0x%zx 0x%x", (unsigned long long)addr, len, v);
}

void qt_irq_intercept_in(struct qt *q, const char *qom_path)
{
	qt_cmd(q, "irq_intercept_in %s", qom_path);
}

void qt_sync(struct qt *q)
{
	qt_cmd(q, "endianness");
}

int64_t qt_clock_step(struct qt *q, int64_t ns)
{
	const char *s = ns ? qt_cmd(q, "clock_step %lld", (long long)ns) :
			     qt_cmd(q, "clock_step");

	return (int64_t)qt_value(q, s);
}

/* ---- PCI configuration space --------------------------------------------- */

#define PCI_CFG_ADDR	0xcf8
#define PCI_CFG_DATA	0xcfc

static void qt_pci_select(struct qt *q, int devfn, int off)
{
	qt_outl(q, PCI_CFG_ADDR, 0x80000000u | (uint32_t)devfn << 8 | (off & 0xfc));
}

uint32_t qt_pci_cfg_readl(struct qt *q, int devfn, int off)
{
	qt_pci_select(q, devfn, off);
	return qt_inl(q, PCI_CFG_DATA);
}

uint16_t qt_pci_cfg_readw(struct qt *q, int devfn, int off)
{
	qt_pci_select(q, devfn, off);
	return qt_inw(q, PCI_CFG_DATA + (off & 2));
}

uint8_t qt_pci_cfg_readb(struct qt *q, int devfn, int off)
{
	qt_pci_select(q, devfn, off);
	return qt_inb(q, PCI_CFG_DATA + (off & 3));
}

void qt_pci_cfg_writel(struct qt *q, int devfn, int off, uint32_t v)
{
	qt_pci_select(q, devfn, off);
	qt_outl(q, PCI_CFG_DATA, v);
}

void qt_pci_cfg_writew(struct qt *q, int devfn, int off, uint16_t v)
{
	qt_pci_select(q, devfn, off);
	qt_outw(q, PCI_CFG_DATA + (off & 2), v);
}

void qt_pci_cfg_writeb(struct qt *q, int devfn, int off, uint8_t v)
{
	qt_pci_select(q, devfn, off);
	qt_outb(q, PCI_CFG_DATA + (off & 3), v);
}

int qt_pci_find(struct qt *q, uint16_t vendor, uint16_t device)
{
	int devfn;

	for (devfn = 0; devfn < 256; devfn++) {
		uint32_t id = qt_pci_cfg_readl(q, devfn, 0);

		if (id == ((uint32_t)device << 16 | vendor))
			return devfn;
		/* No function 0 in this slot: skip its other functions. */
		if ((devfn & 7) == 0 && (id & 0xffff) == 0xffff)
			devfn += 7;
	}
	return -1;
}

int qt_pci_find_cap(struct qt *q, int devfn, uint8_t id)
{
	int off, guard;

	if (!(qt_pci_cfg_readw(q, devfn, 0x06) & 0x10))	/* status: capability list */
		return 0;
	off = qt_pci_cfg_readb(q, devfn, 0x34) & 0xfc;
	for (guard = 0; off && guard < 48; guard++) {
		if (qt_pci_cfg_readb(q, devfn, off) == id)
			return off;
		off = qt_pci_cfg_readb(q, devfn, off + 1) & 0xfc;
	}
	return 0;
}
