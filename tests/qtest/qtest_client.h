/* SPDX-License-Identifier: MIT */
/*
 * A small client for QEMU's qtest protocol (system/qtest.c, "QTest
 * Protocol"): the test listens on a UNIX socket, starts QEMU with
 * `-qtest unix:PATH -accel qtest` (QEMU connects as the client), then
 * drives the machine with one text command per line -- port and memory
 * accesses, guest-RAM reads and writes -- each answered by a line
 * starting with OK (or FAIL/ERR). Lines starting with "IRQ" are
 * asynchronous notifications and are skipped.
 *
 * Robustness: every read from QEMU is bounded by a timeout. A protocol
 * failure (timeout, QEMU exited, unexpected answer) is fatal for the
 * calling test: the client prints what happened and the tail of QEMU's
 * log, kills QEMU and exits the test process with KSFT_FAIL, so a test
 * fails instead of hanging. QEMU is started with PR_SET_PDEATHSIG, so it
 * never outlives the test process, and its temporary files are unlinked
 * as soon as it runs (the log stays readable through an open descriptor),
 * so a test killed by the harness leaves nothing behind.
 * EDGENPU_QTEST_TRACE=1 keeps the files and has QEMU log the protocol.
 *
 * QMP: QEMU also gets a QMP socket, connected at start (capabilities
 * negotiated), for the few tests that need the monitor -- hot-unplug,
 * migration. qt_qmp() sends one command and waits (bounded) for its
 * answer; events met meanwhile are remembered for qt_qmp_event_wait().
 */
#ifndef EDGENPU_QTEST_CLIENT_H
#define EDGENPU_QTEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define QT_DEFAULT_TIMEOUT_MS	10000
#define QT_MAX_ARGS		64
#define QT_MAX_IRQ		256	/* QEMU's qtest tracks this many lines */

struct qt {
	bool inited;		/* qt_start() ran: the fields below are valid */
	pid_t pid;		/* QEMU, 0 when not running */
	int fd;			/* the qtest connection, -1 when closed */
	int log_fd;		/* QEMU's log, open for reading, -1 when closed */
	int timeout_ms;		/* bound on every answer */
	int exit_status;	/* waitpid() status once QEMU was reaped */
	bool reaped;
	char dir[64];		/* private temporary directory */
	char sock_path[108];
	char qmp_path[108];
	char log_path[128];	/* QEMU's stdout and stderr (unlinked once QEMU runs) */
	int qmp_fd;		/* the QMP connection, -1 when closed */
	char *qbuf;		/* QMP: received, not yet consumed bytes */
	size_t qlen, qcap;
	char qmp_reply[4096];	/* QMP: the last answer, NUL-terminated */
	char qmp_events[4096];	/* QMP: names of the events seen, space-separated */
	char *rbuf;		/* received, not yet consumed bytes */
	size_t rlen, rcap;
	char *line;		/* the last answer line, NUL-terminated */
	size_t line_cap;
	/* Intercepted interrupt lines ("IRQ raise|lower N" notifications). */
	uint8_t irq_level[QT_MAX_IRQ];
	unsigned int irq_raises[QT_MAX_IRQ];
};

/* Directory of the QEMU build: $EDGENPU_QEMU_BUILD, else the compiled default. */
const char *qt_qemu_build_dir(void);

/*
 * Starts QEMU (q35, qtest accelerator, no default devices, 256 MiB, the
 * firmware search paths) with the extra arguments @argv (NULL-terminated,
 * e.g. { "-device", "edgenpu,debug=on", NULL }) and waits for it to
 * connect. Returns 0, or -1 if QEMU exited or did not connect in time:
 * then its log is kept (qt_log_contains(), qt_print_log_tail()) until
 * qt_cleanup().
 */
int qt_start(struct qt *q, const char *const *argv);

/*
 * The machines qt_start_on() boots: q35 (x86_64), pc (x86_64, i440fx:
 * conventional PCI with ACPI hotplug) or arm virt (aarch64).
 */
enum qt_machine { QT_Q35, QT_PC, QT_VIRT };
int qt_start_on(struct qt *q, enum qt_machine machine, const char *const *argv);

/*
 * Stops QEMU (SIGTERM, then SIGKILL after a grace period), reaps it and
 * removes the temporary files. Safe to call more than once and on a
 * struct qt that qt_start() failed on or never saw (zeroed).
 */
void qt_cleanup(struct qt *q);

/* True if QEMU is still running (reaps it when it exited). */
bool qt_alive(struct qt *q);

/* Prints the last @lines lines of QEMU's log to @f, each prefixed "# ". */
void qt_print_log_tail(struct qt *q, FILE *f, int lines);
/* True if QEMU's log contains @needle. */
bool qt_log_contains(struct qt *q, const char *needle);

/* Fatal protocol error: message, QEMU's log tail, kill QEMU, exit KSFT_FAIL. */
void qt_fatal(struct qt *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * QMP: sends @fmt (a JSON command) and waits for its answer, kept in
 * q->qmp_reply. Returns 0 for a "return", -1 for an "error" (fatal on a
 * protocol failure or timeout).
 */
int qt_qmp(struct qt *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Waits (at most @ms) until QEMU sent the event @name; true if it did. */
bool qt_qmp_event_wait(struct qt *q, const char *name, int ms);

/* Port I/O. */
void qt_outb(struct qt *q, uint16_t port, uint8_t v);
void qt_outw(struct qt *q, uint16_t port, uint16_t v);
void qt_outl(struct qt *q, uint16_t port, uint32_t v);
uint8_t qt_inb(struct qt *q, uint16_t port);
uint16_t qt_inw(struct qt *q, uint16_t port);
uint32_t qt_inl(struct qt *q, uint16_t port);

/* Memory-mapped accesses from the CPU's point of view (little-endian). */
void qt_writeb(struct qt *q, uint64_t addr, uint8_t v);
void qt_writew(struct qt *q, uint64_t addr, uint16_t v);
void qt_writel(struct qt *q, uint64_t addr, uint32_t v);
void qt_writeq(struct qt *q, uint64_t addr, uint64_t v);
uint8_t qt_readb(struct qt *q, uint64_t addr);
uint16_t qt_readw(struct qt *q, uint64_t addr);
uint32_t qt_readl(struct qt *q, uint64_t addr);
uint64_t qt_readq(struct qt *q, uint64_t addr);

/* Bulk guest memory. */
void qt_memread(struct qt *q, uint64_t addr, void *buf, size_t len);
void qt_memwrite(struct qt *q, uint64_t addr, const void *buf, size_t len);
void qt_memset(struct qt *q, uint64_t addr, size_t len, uint8_t v);

/*
 * Interrupt lines: after qt_irq_intercept_in(q, "ioapic") QEMU reports
 * every level change of the IOAPIC's inputs; q->irq_level[] and
 * q->irq_raises[] follow them as answers are read. qt_sync() reads
 * whatever QEMU reported so far (one round trip).
 */
void qt_irq_intercept_in(struct qt *q, const char *qom_path);
void qt_sync(struct qt *q);

/* Advances the virtual clock by @ns (0: to the next deadline); returns it. */
int64_t qt_clock_step(struct qt *q, int64_t ns);

/* Monotonic milliseconds, for bounded polling loops. */
int64_t qt_now_ms(void);

/* ---- PCI configuration space through ports 0xcf8/0xcfc ---------------- */

uint32_t qt_pci_cfg_readl(struct qt *q, int devfn, int off);
uint16_t qt_pci_cfg_readw(struct qt *q, int devfn, int off);
uint8_t qt_pci_cfg_readb(struct qt *q, int devfn, int off);
void qt_pci_cfg_writel(struct qt *q, int devfn, int off, uint32_t v);
void qt_pci_cfg_writew(struct qt *q, int devfn, int off, uint16_t v);
void qt_pci_cfg_writeb(struct qt *q, int devfn, int off, uint8_t v);
/* devfn of the first bus-0 function with @vendor:@device, or -1. */
int qt_pci_find(struct qt *q, uint16_t vendor, uint16_t device);
/* Config-space offset of capability @id, or 0. */
int qt_pci_find_cap(struct qt *q, int devfn, uint8_t id);

#endif /* EDGENPU_QTEST_CLIENT_H */
