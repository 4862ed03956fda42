// SPDX-License-Identifier: MIT
/*
 * EdgeNPU device-model tests through QEMU's qtest accelerator: no guest
 * kernel, the test is the driver. Each test starts its own QEMU (q35,
 * -accel qtest, -device edgenpu[,...]), sets the device up through PCI
 * configuration space (BARs, bus mastering, MSI-X into guest RAM), builds
 * page tables, rings, descriptors and command streams in guest RAM and
 * checks what the hardware contract (hw/README.md, the hw/ headers) promises:
 * register values, completion records, data bytes, interrupt causes and
 * MSI-X messages.
 *
 * Run from the repository root; $EDGENPU_QEMU_BUILD selects the QEMU
 * build (the Makefile's default is compiled in).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edgenpu_cmd.h"
#include "edgenpu_timing.h"
#include "enpu_qdev.h"

#define SRAM		ENPU_SRAM_VA_BASE
#define RING0		ENPU_RING_NORMAL
#define RING1		ENPU_RING_HIGH

static const char *const dev_debug[] = { "-device", "edgenpu,debug=on", NULL };
static const char *const dev_plain[] = { "-device", "edgenpu", NULL };

/* ---- fixtures ---------------------------------------------------------------- */

/*
 * npu: a QEMU with -device edgenpu,debug=on, set up (BARs, MSI-X), and
 * an address space (ASID 1) with an empty level-1 table. Every test runs
 * twice: with the model's worker thread waking as the host lets it, and
 * (late_worker) waking 2 ms late each time, as on a loaded host: a test
 * must not count on when the worker takes a job the doorbell left it.
 */
FIXTURE(npu) {
	struct qt qt;
	struct npu n;
	struct npu_as as;
};

FIXTURE_VARIANT(npu) {
	const char *const *dev;
};

FIXTURE_VARIANT_ADD(npu, prompt_worker) {
	.dev = dev_debug,
};

static const char *const dev_late_worker[] = {
	"-device", "edgenpu,debug=on,x-worker-wake-delay-us=2000", NULL
};

FIXTURE_VARIANT_ADD(npu, late_worker) {
	.dev = dev_late_worker,
};

static int start_npu(struct qt *qt, struct npu *n, struct npu_as *as,
		     const char *const *args)
{
	if (qt_start(qt, args)) {
		qt_print_log_tail(qt, stderr, 20);
		return -1;
	}
	npu_open(n, qt);
	as_init(as, n, 1);
	return 0;
}

FIXTURE_SETUP(npu)
{
	if (start_npu(&self->qt, &self->n, &self->as, variant->dev)) {
		qt_cleanup(&self->qt);
		ASSERT_TRUE(0) TH_LOG("QEMU did not start");
	}
}

FIXTURE_TEARDOWN(npu)
{
	if (_metadata->exit_code != KSFT_PASS)
		qt_print_log_tail(&self->qt, stderr, 30);
	qt_cleanup(&self->qt);
}

/* qemu: the test starts QEMU itself, with the device options it needs. */
FIXTURE(qemu) {
	struct qt qt;
	struct npu n;
	struct npu_as as;
};

FIXTURE_SETUP(qemu)
{
}

FIXTURE_TEARDOWN(qemu)
{
	if (_metadata->exit_code != KSFT_PASS)
		qt_print_log_tail(&self->qt, stderr, 30);
	qt_cleanup(&self->qt);
}

/* ---- helpers --------------------------------------------------------------------- */

/* Waits for @j to end (its DONE_SEQNO), or fails the test with the ring's state. */
static void wait_job(struct npu *n, const struct npu_job *j)
{
	if (npu_wait_seqno(n, j->ring, j->desc.seqno, NPU_WAIT_MS) &&
	    npu_wait_completion(n, j, NPU_WAIT_MS))
		return;
	qt_fatal(n->qt, "job %u on ring %d did not end: DONE_SEQNO %u HEAD %u TAIL %u"
		 " STATUS 0x%x ACTIVE_SEQNO %u", j->desc.seqno, j->ring,
		 npu_ring_rd(n, j->ring, ENPU_RING_DONE_SEQNO),
		 npu_ring_rd(n, j->ring, ENPU_RING_HEAD),
		 npu_ring_rd(n, j->ring, ENPU_RING_TAIL),
		 npu_ring_rd(n, j->ring, ENPU_RING_STATUS),
		 npu_ring_rd(n, j->ring, ENPU_RING_ACTIVE_SEQNO));
}

/* Submits @s as job @seqno on ring @r, waits for it and reads its completion. */
static void run_job(struct npu *n, struct npu_as *a, int r, const struct npu_stream *s,
		    uint32_t seqno, struct npu_job *j, struct enpu_job_completion *c)
{
	npu_job_prepare(n, j, a, s, seqno);
	npu_submit(n, r, j);
	wait_job(n, j);
	npu_completion(n, j, c);
}

/* Waits until ring @r runs job @seqno. */
static bool wait_running(struct npu *n, int r, uint32_t seqno)
{
	int64_t start = qt_now_ms();

	do {
		if ((npu_ring_rd(n, r, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY) &&
		    npu_ring_rd(n, r, ENPU_RING_ACTIVE_SEQNO) == seqno)
			return true;
		usleep(200);
	} while (qt_now_ms() - start < NPU_WAIT_MS);
	return false;
}

static struct enpu_sku sku_of(struct npu *n)
{
	struct enpu_sku s = {
		.macs_per_cycle = npu_rd(n, ENPU_REG_MACS_PER_CYCLE),
		.clock_mhz = npu_rd(n, ENPU_REG_CLOCK_MHZ),
		.dram_bw_mbps = npu_rd(n, ENPU_REG_DRAM_BW_MBPS),
		.sram_bw_mbps = npu_rd(n, ENPU_REG_SRAM_BW_MBPS),
		.sram_size = npu_rd(n, ENPU_REG_SRAM_SIZE),
	};
	return s;
}

static void pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
}

static bool all_bytes(const uint8_t *buf, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != v)
			return false;
	return true;
}

static bool completion_reserved_zero(const struct enpu_job_completion *c)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (c->reserved[i])
			return false;
	return !c->reserved0;
}

/*
 * An order log kept by the device itself in SRAM: each marker job shifts
 * the LOG_LEN-byte log at SRAM offset 0 up by one byte (a DMA copy reads
 * its whole source when it starts and writes when it finishes, so the
 * overlap is well defined) and writes its id at byte 0. Reading the log
 * afterwards gives the order in which the device ran the jobs, newest
 * first, independent of how fast the test polls.
 */
#define LOG_LEN		64

static void st_marker(struct npu_stream *s, uint8_t id)
{
	st_copy(s, SRAM, SRAM + 1, LOG_LEN - 1);
	st_fill(s, SRAM, id, 1);
}

/* Copies the SRAM log to guest RAM (through @a, at VA @va) and reads it. */
static void read_log(struct npu *n, struct npu_as *a, int r, uint32_t va,
		     uint32_t seqno, uint8_t *log)
{
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	st_init(&s);
	st_copy(&s, SRAM, va, LOG_LEN);
	st_end(&s);
	run_job(n, a, r, &s, seqno, &j, &c);
	if (c.status != ENPU_JOB_OK)
		qt_fatal(n->qt, "log read-out job ended with status %u", c.status);
	gmem_read(n, as_pa(a, va), log, LOG_LEN);
}

/*
 * A compute-heavy job for tests that need the device busy for a while:
 * @convs CONV2D commands, 96x96x256 -> 96x96x256 with a 3x3 kernel
 * (5.4 G MACs, a few hundred milliseconds of host time each), operands
 * in DRAM at VA BIG_VA (mapped by map_big()). The data is all zero: the
 * work does not depend on it.
 */
#define BIG_VA		0x1000000u
#define BIG_HW		96
#define BIG_C		256
#define BIG_IN		BIG_VA
#define BIG_FILT	(BIG_IN + BIG_HW * BIG_HW * BIG_C)
#define BIG_QUANT	(BIG_FILT + 9 * BIG_C * BIG_C)
#define BIG_OUT		(BIG_QUANT + 8 * BIG_C)
#define BIG_END		(BIG_OUT + BIG_HW * BIG_HW * BIG_C)

static void map_big(struct npu_as *a)
{
	as_map_new(a, BIG_VA, BIG_END - BIG_VA, NPU_RW);
}

static void st_big_convs(struct npu_stream *s, int convs)
{
	struct enpu_cmd_conv2d c = {
		.input = BIG_IN, .filter = BIG_FILT, .quant = BIG_QUANT, .output = BIG_OUT,
		.batches = 1, .in_h = BIG_HW, .in_w = BIG_HW, .in_c = BIG_C,
		.out_h = BIG_HW, .out_w = BIG_HW, .out_c = BIG_C,
		.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
		.dilation_h = 1, .dilation_w = 1, .pad_top = 1, .pad_left = 1,
		.act_min = -128, .act_max = 127,
	};
	int i;

	for (i = 0; i < convs; i++)
		st_cmd(s, ENPU_OP_CONV2D, &c, sizeof(c));
}

/* ---- TFLite integer arithmetic, written from the formulas (test oracle) ---- */

static int32_t ref_srdhm(int32_t a, int32_t b)
{
	int64_t ab = (int64_t)a * b;
	int64_t nudge = ab >= 0 ? (1ll << 30) : 1 - (1ll << 30);

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	return (int32_t)((ab + nudge) / (1ll << 31));
}

static int32_t ref_rdbpot(int32_t x, int exp)
{
	int32_t mask = (int32_t)((1ll << exp) - 1);
	int32_t rem = x & mask, threshold = (mask >> 1) + (x < 0 ? 1 : 0);

	return (x >> exp) + (rem > threshold ? 1 : 0);
}

static int32_t ref_mbqm(int32_t x, int32_t mult, int32_t shift)
{
	int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;

	return ref_rdbpot(ref_srdhm((int32_t)((int64_t)x * (1ll << left)), mult), right);
}

/* TFLite FullyConnected, per-tensor, int8. */
static void ref_fc(int batches, int in_depth, int out_depth, const int8_t *in,
		   const int8_t *w, const int32_t *bias, int32_t mult, int32_t shift,
		   int32_t in_zp, int32_t out_zp, int32_t act_min, int32_t act_max,
		   int8_t *out)
{
	int b, o, i;

	for (b = 0; b < batches; b++) {
		for (o = 0; o < out_depth; o++) {
			int32_t acc = bias ? bias[o] : 0;

			for (i = 0; i < in_depth; i++)
				acc += (int32_t)w[o * in_depth + i] *
				       ((int32_t)in[b * in_depth + i] - in_zp);
			acc = ref_mbqm(acc, mult, shift) + out_zp;
			if (acc < act_min)
				acc = act_min;
			if (acc > act_max)
				acc = act_max;
			out[b * out_depth + o] = (int8_t)acc;
		}
	}
}

/* ======================================================================== */
/* Identity                                                                 */
/* ======================================================================== */

TEST_F(npu, identity_and_reset_values)
{
	struct npu *n = &self->n;
	struct qt *q = &self->qt;
	uint32_t v = npu_rd(n, ENPU_REG_VERSION), cfg = npu_rd(n, ENPU_REG_CONFIG);
	uint32_t bar, size;
	uint16_t ctrl;
	int r;

	/* PCI identity. */
	EXPECT_EQ((uint32_t)ENPU_PCI_DEVICE_ID << 16 | ENPU_PCI_VENDOR_ID,
		  qt_pci_cfg_readl(q, n->devfn, PCI_VENDOR_ID_OFF));
	EXPECT_EQ(ENPU_PCI_REVISION, qt_pci_cfg_readb(q, n->devfn, PCI_REVISION_OFF));
	EXPECT_EQ(ENPU_PCI_CLASS_CODE, qt_pci_cfg_readw(q, n->devfn, 0x0a));
	/* BAR0: 64 KiB of 32-bit memory. */
	qt_pci_cfg_writel(q, n->devfn, PCI_BAR_OFF(0), 0xffffffff);
	bar = qt_pci_cfg_readl(q, n->devfn, PCI_BAR_OFF(0));
	qt_pci_cfg_writel(q, n->devfn, PCI_BAR_OFF(0), (uint32_t)NPU_BAR0_ADDR);
	size = ~(bar & ~0xfu) + 1;
	EXPECT_EQ(ENPU_REGS_SIZE, size);
	EXPECT_EQ(0, bar & 0x7);
	/* MSI-X: one vector. */
	ctrl = qt_pci_cfg_readw(q, n->devfn, n->msix_cap + PCI_MSIX_CTRL);
	EXPECT_EQ(ENPU_MSIX_VECTORS, (ctrl & PCI_MSIX_QSIZE) + 1);

	/* Identity registers. */
	EXPECT_EQ(ENPU_ID_MAGIC, npu_rd(n, ENPU_REG_ID));
	EXPECT_EQ(ENPU_HW_VERSION, v);
	EXPECT_EQ(ENPU_HW_VERSION_MAJOR, ENPU_VERSION_MAJOR(v));
	EXPECT_EQ(ENPU_HW_VERSION_MINOR, ENPU_VERSION_MINOR(v));
	EXPECT_EQ(ENPU_HW_VERSION_PATCH, ENPU_VERSION_PATCH(v));
	EXPECT_EQ(ENPU_CAPS_BASE | ENPU_CAP_DEBUG, npu_rd(n, ENPU_REG_CAPS));
	EXPECT_EQ(ENPU_MSIX_VECTORS, ENPU_CONFIG_IRQ_VECTORS(cfg));
	EXPECT_EQ(ENPU_NUM_RINGS, ENPU_CONFIG_RINGS(cfg));
	EXPECT_EQ(ENPU_ISA_VERSION, ENPU_CONFIG_ISA_VERSION(cfg));
	EXPECT_EQ(ENPU_VA_BITS, ENPU_CONFIG_VA_BITS(cfg));
	EXPECT_EQ(ENPU_DEFAULT_MACS_PER_CYCLE, npu_rd(n, ENPU_REG_MACS_PER_CYCLE));
	EXPECT_EQ(ENPU_DEFAULT_CLOCK_MHZ, npu_rd(n, ENPU_REG_CLOCK_MHZ));
	EXPECT_EQ(ENPU_DEFAULT_DRAM_BW_MBPS, npu_rd(n, ENPU_REG_DRAM_BW_MBPS));
	EXPECT_EQ(ENPU_DEFAULT_SRAM_SIZE, npu_rd(n, ENPU_REG_SRAM_SIZE));
	EXPECT_EQ(ENPU_DEFAULT_SRAM_BW_MBPS, npu_rd(n, ENPU_REG_SRAM_BW_MBPS));

	/* Reset values. */
	EXPECT_EQ(ENPU_STATUS_READY, npu_rd(n, ENPU_REG_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_SCRATCH));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_MASK));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DOORBELL_ACK));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DOORBELL_COUNT));
	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		uint32_t off;

		for (off = 0; off <= ENPU_RING_PROGRESS; off += 4)
			EXPECT_EQ(0, npu_ring_rd(n, r, off)) TH_LOG("ring %d +0x%x", r, off);
	}
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_ASID));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_BUSY_CYCLES_LO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_BUSY_CYCLES_HI));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));

	/* SCRATCH is a plain read/write register. */
	npu_wr(n, ENPU_REG_SCRATCH, 0xdeadbeef);
	EXPECT_EQ(0xdeadbeef, npu_rd(n, ENPU_REG_SCRATCH));
	npu_wr(n, ENPU_REG_SCRATCH, 0x01234567);
	EXPECT_EQ(0x01234567, npu_rd(n, ENPU_REG_SCRATCH));
}

TEST_F(qemu, no_debug_window)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t out[64];

	ASSERT_EQ(0, start_npu(&self->qt, n, &self->as, dev_plain));
	EXPECT_EQ(ENPU_CAPS_BASE, npu_rd(n, ENPU_REG_CAPS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_CAPS) & ENPU_CAP_DEBUG);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_ALL);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));

	/* Nothing was armed: a job neither hangs nor faults, its interrupt arrives. */
	npu_ring_init(n, RING0, 4);
	as_map_new(&self->as, 0x10000, 4096, NPU_RW);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	npu_msi_clear(n);
	st_init(&s);
	st_fill(&s, 0x10000, 0x3c, sizeof(out));
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, as_pa(&self->as, 0x10000), out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x3c));
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	EXPECT_EQ(ENPU_IRQ_RING_DONE(0), npu_rd(n, ENPU_REG_IRQ_STATUS));
}

TEST_F(qemu, sku_properties)
{
	static const char *const args[] = {
		"-device", "edgenpu,debug=on,macs-per-cycle=64,sram-size=262144,"
		"clock-mhz=500,dram-bw-mbps=4000,sram-bw-mbps=32000", NULL };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct enpu_sku sku;
	struct npu_stream s;
	struct npu_job j;

	ASSERT_EQ(0, start_npu(&self->qt, n, &self->as, args));
	EXPECT_EQ(64, npu_rd(n, ENPU_REG_MACS_PER_CYCLE));
	EXPECT_EQ(262144, npu_rd(n, ENPU_REG_SRAM_SIZE));
	EXPECT_EQ(500, npu_rd(n, ENPU_REG_CLOCK_MHZ));
	EXPECT_EQ(4000, npu_rd(n, ENPU_REG_DRAM_BW_MBPS));
	EXPECT_EQ(32000, npu_rd(n, ENPU_REG_SRAM_BW_MBPS));
	sku = sku_of(n);
	npu_ring_init(n, RING0, 4);
	as_map_new(&self->as, 0x10000, 8192, NPU_RW);

	/* The timing model uses the SKU: a 5000-byte DRAM fill at 4000 MB/s, 500 MHz. */
	st_init(&s);
	st_fill(&s, 0x10000, 1, 5000);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(enpu_t_fetch(&sku, st_bytes(&s)) + enpu_t_dma(&sku, 5000, 0), c.cycles);
	EXPECT_EQ(256 + 5 + 64 + 625, c.cycles);	/* by hand: 36-byte stream, 5000 bytes */

	/* The SRAM window ends at the configured size. */
	st_init(&s);
	st_fill(&s, SRAM + 262144 - 32, 7, 32);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	st_init(&s);
	st_fill(&s, SRAM + 262144 - 16, 7, 32);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	EXPECT_EQ(SRAM + 262144, c.fault_addr);
	EXPECT_EQ(ENPU_FAULT_VALID | ENPU_FAULT_WRITE, c.error_info);
}

TEST_F(qemu, invalid_properties_refused)
{
	static const struct {
		const char *dev;
		const char *msg;
	} bad[] = {
		{ "edgenpu,sram-size=1000", "sram-size must be a multiple of 4 KiB" },
		{ "edgenpu,sram-size=0", "sram-size must be a multiple of 4 KiB" },
		{ "edgenpu,sram-size=134217728", "sram-size must be a multiple of 4 KiB" },
		{ "edgenpu,macs-per-cycle=0", "must be non-zero" },
		{ "edgenpu,clock-mhz=0", "must be non-zero" },
		{ "edgenpu,dram-bw-mbps=0", "must be non-zero" },
		{ "edgenpu,sram-bw-mbps=0", "must be non-zero" },
	};
	static const char *const good[] = { "-device", "edgenpu,sram-size=4096", NULL };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "-device", bad[i].dev, NULL };

		EXPECT_EQ(-1, qt_start(&self->qt, args)) TH_LOG("%s started", bad[i].dev);
		EXPECT_TRUE(self->qt.reaped) TH_LOG("%s: QEMU still running", bad[i].dev);
		EXPECT_TRUE(WIFEXITED(self->qt.exit_status) &&
			    WEXITSTATUS(self->qt.exit_status) != 0)
			TH_LOG("%s: exit status 0x%x", bad[i].dev, self->qt.exit_status);
		EXPECT_TRUE(qt_log_contains(&self->qt, bad[i].msg))
			TH_LOG("%s: no '%s' in QEMU's output", bad[i].dev, bad[i].msg);
		if (_metadata->exit_code != KSFT_PASS)
			qt_print_log_tail(&self->qt, stderr, 5);
		qt_cleanup(&self->qt);
	}
	/* The smallest valid SRAM is accepted. */
	ASSERT_EQ(0, start_npu(&self->qt, &self->n, &self->as, good));
	EXPECT_EQ(4096, npu_rd(&self->n, ENPU_REG_SRAM_SIZE));
}

/* ======================================================================== */
/* A job end to end                                                         */
/* ======================================================================== */

TEST_F(npu, job_end_to_end)
{
	enum { VA_SRC = 0x10000, VA_DST = 0x20000, VA_FC = 0x30000 };
	enum { FC_IN = VA_FC, FC_W = VA_FC + 0x100, FC_BIAS = VA_FC + 0x200,
	       FC_Q = VA_FC + 0x300, FC_OUT = VA_FC + 0x400 };
	enum { B = 2, IN = 8, OUT = 4, FILL = 256, COPY = 300 };
	const int32_t mult = 1518500250, shift = -3, in_zp = -5, out_zp = 3;
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct enpu_sku sku = sku_of(n);
	struct npu_stream s;
	struct npu_job j;
	uint8_t src[8192], dst[8192], want[8192];
	int8_t in[B * IN], w[OUT * IN], got[B * OUT], exp[B * OUT];
	int32_t bias[OUT] = { 100, -2000, 35, 7000 }, quant[2] = { mult, shift };
	uint64_t src_pa, dst_pa, fc_pa, fetch, dma, fc;
	struct enpu_cmd_fc fcc = {
		.flags = ENPU_FC_FLAG_BIAS, .input = FC_IN, .filter = FC_W,
		.bias = FC_BIAS, .quant = FC_Q, .output = FC_OUT, .batches = B,
		.in_depth = IN, .out_depth = OUT, .input_zero_point = in_zp,
		.output_zero_point = out_zp, .act_min = -100, .act_max = 100,
	};

	qt_clock_step(n->qt, 1000);	/* qtest's virtual clock: past 0 */
	src_pa = as_map_new(a, VA_SRC, sizeof(src), NPU_RW);
	dst_pa = as_map_new(a, VA_DST, sizeof(dst), NPU_RW);
	fc_pa = as_map_new(a, VA_FC, 4096, NPU_RW);
	pattern(src, sizeof(src), 1);
	gmem_write(n, src_pa, src, sizeof(src));
	pattern((uint8_t *)in, sizeof(in), 2);
	pattern((uint8_t *)w, sizeof(w), 3);
	gmem_write(n, fc_pa + (FC_IN - VA_FC), in, sizeof(in));
	gmem_write(n, fc_pa + (FC_W - VA_FC), w, sizeof(w));
	gmem_write(n, fc_pa + (FC_BIAS - VA_FC), bias, sizeof(bias));
	gmem_write(n, fc_pa + (FC_Q - VA_FC), quant, sizeof(quant));
	ref_fc(B, IN, OUT, in, w, bias, mult, shift, in_zp, out_zp, -100, 100, exp);

	npu_ring_init(n, RING0, 16);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	npu_msi_clear(n);

	/* Fill, then a copy across page boundaries on both sides, and an FC. */
	st_init(&s);
	st_fill(&s, VA_DST, 0x5a, FILL);
	st_copy(&s, VA_SRC + 0xf00, VA_DST + 0xf00, COPY);
	st_cmd(&s, ENPU_OP_FULLY_CONNECTED, &fcc, sizeof(fcc));
	st_end(&s);
	run_job(n, a, RING0, &s, 0x1234, &j, &c);

	/* Data. */
	memset(want, 0, sizeof(want));
	memset(want, 0x5a, FILL);
	memcpy(want + 0xf00, src + 0xf00, COPY);
	gmem_read(n, dst_pa, dst, sizeof(dst));
	EXPECT_EQ(0, memcmp(want, dst, sizeof(dst)));
	gmem_read(n, fc_pa + (FC_OUT - VA_FC), got, sizeof(got));
	EXPECT_EQ(0, memcmp(exp, got, sizeof(got))) {
		int i;

		for (i = 0; i < B * OUT; i++)
			TH_LOG("fc out[%d] = %d, expected %d", i, got[i], exp[i]);
	}

	/* Completion record. */
	EXPECT_EQ(0x1234, c.seqno);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(0, c.error_offset);
	EXPECT_EQ(0, c.fault_addr);
	EXPECT_EQ(0, c.error_info);
	EXPECT_EQ(3, c.commands);
	EXPECT_EQ(B * IN * OUT, c.macs);
	EXPECT_EQ(st_bytes(&s) + COPY + sizeof(in) + sizeof(w) + sizeof(bias) +
		  sizeof(quant), c.dram_read);
	EXPECT_EQ(FILL + COPY + sizeof(got), c.dram_write);
	EXPECT_EQ(0, c.sram_read);
	EXPECT_EQ(0, c.sram_write);
	EXPECT_EQ(0, c.stall_cycles);
	EXPECT_TRUE(completion_reserved_zero(&c));
	EXPECT_LT(0, c.start_time);
	EXPECT_LE(c.start_time, c.end_time);
	/* Timing model: the DMA engine (fill, copy) and compute (FC) run concurrently. */
	fetch = enpu_t_fetch(&sku, st_bytes(&s));
	dma = enpu_t_dma(&sku, FILL, 0) + enpu_t_dma(&sku, 2 * COPY, 0);
	fc = enpu_t_compute(&sku, B * IN * OUT, sizeof(in) + sizeof(w) + sizeof(bias) +
			    sizeof(quant) + sizeof(got), 0);
	EXPECT_EQ(fetch + (dma > fc ? dma : fc), c.cycles);

	/* Ring and device registers. */
	EXPECT_EQ(0x1234, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(1, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(1, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_EQ(ENPU_RING_CTRL_ENABLE, npu_ring_rd(n, RING0, ENPU_RING_CTRL));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ((uint32_t)c.cycles, npu_rd(n, ENPU_REG_BUSY_CYCLES_LO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_BUSY_CYCLES_HI));
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_DONE_SEQNO));

	/* Interrupt: RING0_DONE only, one MSI-X message, cleared by IRQ_CLEAR. */
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_RING_DONE(0),
				 NPU_WAIT_MS))
		TH_LOG("IRQ_STATUS 0x%x", npu_rd(n, ENPU_REG_IRQ_STATUS));
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_RING_DONE(0));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
}

/* ======================================================================== */
/* LUT (contract 0.4)                                                       */
/* ======================================================================== */

/* A table that is not the identity, and @n values covering every int8. */
static void lut_data(int8_t *table, int8_t *src, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < ENPU_LUT_ENTRIES; i++)
		table[i] = (int8_t)(i * 167 + 13 + (i >> 3) * (i & 5));
	for (i = 0; i < n; i++)
		src[i] = (int8_t)(i * 37 + 5);
}

/*
 * The device has the LUT (CAPS bit 9, ISA version 2 or later) and runs it
 * through its MMU: the source over three pages mapped in reverse physical
 * order, the table across a page boundary, the destination in another buffer,
 * then a second LUT in place over the destination: table applied twice,
 * bit for bit. Counters and cycles are two compute commands' of work
 * count.
 */
TEST_F(npu, lut_through_the_mmu)
{
	enum { VA_SRC = 0x10000, VA_TAB = 0x20000, VA_DST = 0x30000, N = 9001 };
	const uint32_t tab = VA_TAB + 4096 - 100;
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_sku sku = sku_of(n);
	struct enpu_cmd_lut l1 = { .src = VA_SRC, .dst = VA_DST, .table = tab, .count = N };
	struct enpu_cmd_lut l2 = { .src = VA_DST, .dst = VA_DST, .table = tab, .count = N };
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	int8_t table[ENPU_LUT_ENTRIES], src[N], got[N], want[N];
	uint64_t pa[3], dst_pa, per;
	unsigned int i;

	EXPECT_EQ(ENPU_CAP_LUT, npu_rd(n, ENPU_REG_CAPS) & ENPU_CAP_LUT);
	EXPECT_LE(2, ENPU_CONFIG_ISA_VERSION(npu_rd(n, ENPU_REG_CONFIG)));

	lut_data(table, src, N);
	for (i = 0; i < N; i++)
		want[i] = table[table[src[i] + 128] + 128];
	for (i = 0; i < 3; i++)
		pa[i] = gmem_alloc(n, 4096, 4096);
	for (i = 0; i < 3; i++)
		as_map_page(a, VA_SRC + i * 4096, pa[2 - i], NPU_RO);
	for (i = 0; i < N; i += 4096)
		gmem_write(n, as_pa(a, VA_SRC + i), src + i, N - i < 4096 ? N - i : 4096);
	as_map_new(a, VA_TAB, 8192, NPU_RO);
	gmem_write(n, as_pa(a, tab), table, 100);
	gmem_write(n, as_pa(a, tab + 100), table + 100, ENPU_LUT_ENTRIES - 100);
	dst_pa = as_map_new(a, VA_DST, 3 * 4096, NPU_RW);

	npu_ring_init(n, RING0, 4);
	st_init(&s);
	st_cmd(&s, ENPU_OP_LUT, &l1, sizeof(l1));
	st_cmd(&s, ENPU_OP_LUT, &l2, sizeof(l2));
	st_end(&s);
	run_job(n, a, RING0, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status)
		TH_LOG("error_info %u at %u, fault 0x%x", c.error_info, c.error_offset,
		       c.fault_addr);
	gmem_read(n, dst_pa, got, sizeof(got));
	for (i = 0; i < N && got[i] == want[i]; i++)
		;
	EXPECT_EQ(N, i) TH_LOG("element %u differs", i);

	EXPECT_EQ(2, c.commands);
	EXPECT_EQ(0, c.macs);
	EXPECT_EQ(st_bytes(&s) + 2 * (N + ENPU_LUT_ENTRIES), c.dram_read);
	EXPECT_EQ(2 * N, c.dram_write);
	EXPECT_EQ(0, c.sram_read);
	EXPECT_EQ(0, c.sram_write);
	per = enpu_t_compute(&sku, N, 2 * N + ENPU_LUT_ENTRIES, 0);
	EXPECT_EQ(enpu_t_fetch(&sku, st_bytes(&s)) + 2 * per, c.cycles);
}

/*
 * lut=off presents a device of before contract 0.4: CAPS without the LUT,
 * ISA version 1, and a LUT refused as an unknown opcode is, whatever its
 * fields, before anything of the stream runs. The rest works as before.
 */
TEST_F(qemu, lut_off_presents_an_older_device)
{
	static const char *const args[] = { "-device", "edgenpu,lut=off", NULL };
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_cmd_lut l = { .src = VA_OUT, .dst = VA_OUT, .table = VA_OUT, .count = 64 };
	const uint32_t fill_words = sizeof(struct enpu_cmd_dma_fill) / 4;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint64_t out_pa;
	uint8_t out[64];
	uint32_t cfg;

	ASSERT_EQ(0, start_npu(&self->qt, n, a, args));
	cfg = npu_rd(n, ENPU_REG_CONFIG);
	EXPECT_EQ(ENPU_CAPS_BASE & ~ENPU_CAP_LUT & ~ENPU_CAP_FUSED_LUT, npu_rd(n, ENPU_REG_CAPS));
	EXPECT_EQ(1, ENPU_CONFIG_ISA_VERSION(cfg));
	EXPECT_EQ(ENPU_NUM_RINGS, ENPU_CONFIG_RINGS(cfg));
	EXPECT_EQ(ENPU_HW_VERSION, npu_rd(n, ENPU_REG_VERSION));

	out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);

	/* a valid LUT, after a fill that must not run */
	st_init(&s);
	st_fill(&s, VA_OUT, 0x66, sizeof(out));
	st_cmd(&s, ENPU_OP_LUT, &l, sizeof(l));
	st_end(&s);
	run_job(n, a, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status);
	EXPECT_EQ(ENPU_CMD_ERR_OPCODE, c.error_info);
	EXPECT_EQ(4 * fill_words, c.error_offset);
	EXPECT_EQ(0, c.commands);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0));

	/* one with a reserved word: still the opcode, not the field */
	l.reserved[2] = 1;
	st_init(&s);
	st_nop(&s);
	st_cmd(&s, ENPU_OP_LUT, &l, sizeof(l));
	st_end(&s);
	run_job(n, a, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status);
	EXPECT_EQ(ENPU_CMD_ERR_OPCODE, c.error_info);
	EXPECT_EQ(4, c.error_offset);

	/* the device goes on */
	st_init(&s);
	st_fill(&s, VA_OUT, 0x55, sizeof(out));
	st_end(&s);
	run_job(n, a, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x55));
}

/* ======================================================================== */
/* ELTWISE (contract 0.5)                                                   */
/* ======================================================================== */

/*
 * ELTWISE's arithmetic, written from TFLite's formulas (the test's
 * oracle): element o of the output reads each input at o's coordinates,
 * 0 along a dimension it broadcasts.
 */
static int8_t ref_clamp(int32_t v, int32_t lo, int32_t hi)
{
	return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

static int8_t ref_eltwise_one(const struct enpu_cmd_eltwise *c, int32_t x1, int32_t x2)
{
	int32_t a, b;

	switch (c->op) {
	case ENPU_ELTWISE_SUB:
		a = ref_mbqm((x1 - c->input1_zero_point) * (1 << c->left_shift),
			     c->input1_multiplier, c->input1_shift);
		b = ref_mbqm((x2 - c->input2_zero_point) * (1 << c->left_shift),
			     c->input2_multiplier, c->input2_shift);
		return ref_clamp(ref_mbqm(a - b, c->output_multiplier, c->output_shift) +
				 c->output_zero_point, c->act_min, c->act_max);
	case ENPU_ELTWISE_MUL:
		return ref_clamp(ref_mbqm((x1 - c->input1_zero_point) *
					  (x2 - c->input2_zero_point),
					  c->output_multiplier, c->output_shift) +
				 c->output_zero_point, c->act_min, c->act_max);
	case ENPU_ELTWISE_MAX:
		return (int8_t)(x1 > x2 ? x1 : x2);
	default:
		return (int8_t)(x1 < x2 ? x1 : x2);
	}
}

static void ref_eltwise(const struct enpu_cmd_eltwise *c, const int8_t *in1,
			const int8_t *in2, int8_t *out)
{
	const uint32_t *s1 = c->in1_shape, *s2 = c->in2_shape, *so = c->out_shape;
	uint32_t i[4], k1, k2, o = 0;

	for (i[0] = 0; i[0] < so[0]; i[0]++)
		for (i[1] = 0; i[1] < so[1]; i[1]++)
			for (i[2] = 0; i[2] < so[2]; i[2]++)
				for (i[3] = 0; i[3] < so[3]; i[3]++, o++) {
					int d;

					k1 = k2 = 0;
					for (d = 0; d < 4; d++) {
						k1 = k1 * s1[d] + (s1[d] == 1 ? 0 : i[d]);
						k2 = k2 * s2[d] + (s2[d] == 1 ? 0 : i[d]);
					}
					out[o] = ref_eltwise_one(c, in1[k1], in2[k2]);
				}
}

static void eltwise_shapes(struct enpu_cmd_eltwise *c, const uint32_t *s1,
			   const uint32_t *s2, const uint32_t *so)
{
	memcpy(c->in1_shape, s1, sizeof(c->in1_shape));
	memcpy(c->in2_shape, s2, sizeof(c->in2_shape));
	memcpy(c->out_shape, so, sizeof(c->out_shape));
}

/*
 * The device has ELTWISE (CAPS bit 10, ISA version 3) and runs it
 * through its MMU: a SUB of a row broadcast over a state spanning three
 * pages mapped in reverse physical order, the row across a page
 * boundary; a MUL by the row in place; a MAX with the state; a MIN with
 * the row broadcast as input1 -- each bit for bit the formulas', the
 * four commands' counters and cycles those of compute commands of work
 * = output elements.
 */
TEST_F(npu, eltwise_through_the_mmu)
{
	enum { VA_X = 0x10000, VA_ROW = 0x20000, VA_DST = 0x30000, N = 2 * 3 * 41 * 37 };
	static const uint32_t full[4] = { 2, 3, 41, 37 }, row[4] = { 1, 3, 1, 37 };
	const uint32_t va_row = VA_ROW + 4096 - 50, nrow = 3 * 37;
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_sku sku = sku_of(n);
	struct enpu_cmd_eltwise sub = {
		.op = ENPU_ELTWISE_SUB, .input1 = VA_X, .input2 = va_row, .output = VA_DST,
		.input1_zero_point = 3, .input2_zero_point = -7, .output_zero_point = 5,
		.left_shift = 20, .input1_multiplier = 1073741824, .input1_shift = 0,
		.input2_multiplier = 1717986918, .input2_shift = -1,
		.output_multiplier = 1395864371, .output_shift = -20,
		.act_min = -100, .act_max = 120,
	};
	struct enpu_cmd_eltwise mul = {
		.op = ENPU_ELTWISE_MUL, .input1 = VA_DST, .input2 = va_row, .output = VA_DST,
		.input1_zero_point = -9, .input2_zero_point = 4, .output_zero_point = -2,
		.output_multiplier = 1288490189, .output_shift = -6,
		.act_min = -110, .act_max = 100,
	};
	struct enpu_cmd_eltwise max = {
		.op = ENPU_ELTWISE_MAX, .input1 = VA_DST, .input2 = VA_X, .output = VA_DST,
	};
	struct enpu_cmd_eltwise min = {
		.op = ENPU_ELTWISE_MIN, .input1 = va_row, .input2 = VA_DST, .output = VA_DST,
	};
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	static int8_t x[N], r[3 * 37], got[N], want[N], tmp[N];
	uint64_t pa[3], dst_pa, per_full, per_row;
	unsigned int i;

	EXPECT_EQ(ENPU_CAP_ELTWISE, npu_rd(n, ENPU_REG_CAPS) & ENPU_CAP_ELTWISE);
	EXPECT_LE(3, ENPU_CONFIG_ISA_VERSION(npu_rd(n, ENPU_REG_CONFIG)));

	eltwise_shapes(&sub, full, row, full);
	eltwise_shapes(&mul, full, row, full);
	eltwise_shapes(&max, full, full, full);
	eltwise_shapes(&min, row, full, full);
	pattern((uint8_t *)x, N, 21);
	pattern((uint8_t *)r, nrow, 22);
	ref_eltwise(&sub, x, r, want);
	ref_eltwise(&mul, want, r, tmp);
	ref_eltwise(&max, tmp, x, want);
	ref_eltwise(&min, r, want, tmp);
	memcpy(want, tmp, N);

	for (i = 0; i < 3; i++)
		pa[i] = gmem_alloc(n, 4096, 4096);
	for (i = 0; i < 3; i++)
		as_map_page(a, VA_X + i * 4096, pa[2 - i], NPU_RO);
	for (i = 0; i < N; i += 4096)
		gmem_write(n, as_pa(a, VA_X + i), x + i, N - i < 4096 ? N - i : 4096);
	as_map_new(a, VA_ROW, 8192, NPU_RO);
	gmem_write(n, as_pa(a, va_row), r, 50);
	gmem_write(n, as_pa(a, va_row + 50), r + 50, nrow - 50);
	dst_pa = as_map_new(a, VA_DST, 3 * 4096, NPU_RW);

	npu_ring_init(n, RING0, 4);
	st_init(&s);
	st_cmd(&s, ENPU_OP_ELTWISE, &sub, sizeof(sub));
	st_cmd(&s, ENPU_OP_ELTWISE, &mul, sizeof(mul));
	st_cmd(&s, ENPU_OP_ELTWISE, &max, sizeof(max));
	st_cmd(&s, ENPU_OP_ELTWISE, &min, sizeof(min));
	st_end(&s);
	run_job(n, a, RING0, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status)
		TH_LOG("error_info %u at %u, fault 0x%x", c.error_info, c.error_offset,
		       c.fault_addr);
	gmem_read(n, dst_pa, got, sizeof(got));
	for (i = 0; i < N && got[i] == want[i]; i++)
		;
	EXPECT_EQ(N, i) TH_LOG("element %u differs", i);

	EXPECT_EQ(4, c.commands);
	EXPECT_EQ(0, c.macs);
	EXPECT_EQ(st_bytes(&s) + 3 * (N + nrow) + 2 * N, c.dram_read);
	EXPECT_EQ(4 * N, c.dram_write);
	EXPECT_EQ(0, c.sram_read);
	EXPECT_EQ(0, c.sram_write);
	per_row = enpu_t_compute(&sku, N, 2 * N + nrow, 0);
	per_full = enpu_t_compute(&sku, N, 3 * N, 0);
	EXPECT_EQ(enpu_t_fetch(&sku, st_bytes(&s)) + 3 * per_row + per_full, c.cycles);
}

/* One job of a fill then @cmd (a NOP if NULL); its completion. */
static void fill_then(struct npu *n, struct npu_as *a, uint32_t fill_va, uint32_t op,
		      void *cmd, size_t bytes, uint32_t seqno, struct enpu_job_completion *c)
{
	struct npu_stream s;
	struct npu_job j;

	st_init(&s);
	st_fill(&s, fill_va, 0x66, 64);
	if (cmd)
		st_cmd(&s, op, cmd, bytes);
	else
		st_nop(&s);
	st_end(&s);
	run_job(n, a, RING0, &s, seqno, &j, c);
}

/*
 * eltwise=off presents a device of before contract 0.5: CAPS without
 * bit 10, ISA version 2, and an ELTWISE refused as an unknown opcode,
 * whatever its fields, before anything of the stream runs; LUT and the
 * rest work. With lut=off and eltwise=off, a device of before 0.4: ISA
 * version 1, neither command. lut=off alone keeps ELTWISE (bit 10 set)
 * but reports ISA version 1, the newest whose commands it all has.
 * fused-lut=off presents a device of before 0.6: CAPS without bit 11, ISA
 * version 3, and FULLY_CONNECTED's table flag a reserved bit; lut=off
 * takes the fused table away too (it is the LUT unit's).
 */
TEST_F(qemu, eltwise_off_presents_an_older_device)
{
	static const struct {
		const char *dev;
		uint32_t caps, isa;
	} devs[] = {
		{ "edgenpu,eltwise=off", ENPU_CAPS_BASE & ~ENPU_CAP_ELTWISE, 2 },
		{ "edgenpu,lut=off,eltwise=off", ENPU_CAPS_BASE & ~ENPU_CAP_ELTWISE &
						  ~ENPU_CAP_LUT & ~ENPU_CAP_FUSED_LUT, 1 },
		{ "edgenpu,lut=off", ENPU_CAPS_BASE & ~ENPU_CAP_LUT & ~ENPU_CAP_FUSED_LUT, 1 },
		{ "edgenpu,fused-lut=off", ENPU_CAPS_BASE & ~ENPU_CAP_FUSED_LUT, 3 },
		{ "edgenpu,lut=on,eltwise=on", ENPU_CAPS_BASE, 4 },
	};
	enum { VA = 0x10000, VA_OUT = 0x20000 };
	const uint32_t fill_words = sizeof(struct enpu_cmd_dma_fill) / 4;
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_cmd_eltwise e = {
		.op = ENPU_ELTWISE_MAX, .input1 = VA, .input2 = VA + 64, .output = VA + 128,
		.in1_shape = { 1, 1, 1, 64 }, .in2_shape = { 1, 1, 1, 64 },
		.out_shape = { 1, 1, 1, 64 },
	};
	struct enpu_cmd_lut l = { .src = VA, .dst = VA + 192, .table = VA, .count = 64 };
	/* zero multipliers: every result the zero point, -128, so table[0] = in[0] */
	struct enpu_cmd_fc fc = {
		.flags = ENPU_FC_FLAG_LUT, .input = VA, .filter = VA + 64, .quant = VA + 256,
		.lut = VA, .output = VA_OUT + 192, .batches = 1, .in_depth = 8,
		.out_depth = 8, .output_zero_point = -128, .act_min = -128, .act_max = 127,
	};
	struct enpu_job_completion c;
	uint8_t in[128], out[64];
	unsigned int d, i;

	pattern(in, sizeof(in), 5);
	for (d = 0; d < sizeof(devs) / sizeof(devs[0]); d++) {
		const char *args[] = { "-device", devs[d].dev, NULL };
		int has_elt = !!(devs[d].caps & ENPU_CAP_ELTWISE);
		int has_lut = !!(devs[d].caps & ENPU_CAP_LUT);
		uint64_t pa, out_pa;
		uint32_t cfg;

		if (d)
			qt_cleanup(&self->qt);
		ASSERT_EQ(0, start_npu(&self->qt, n, a, args)) TH_LOG("%s", devs[d].dev);
		cfg = npu_rd(n, ENPU_REG_CONFIG);
		EXPECT_EQ(devs[d].caps, npu_rd(n, ENPU_REG_CAPS)) TH_LOG("%s", devs[d].dev);
		EXPECT_EQ(devs[d].isa, ENPU_CONFIG_ISA_VERSION(cfg)) TH_LOG("%s", devs[d].dev);
		EXPECT_EQ(ENPU_NUM_RINGS, ENPU_CONFIG_RINGS(cfg));
		EXPECT_EQ(ENPU_HW_VERSION, npu_rd(n, ENPU_REG_VERSION));

		pa = as_map_new(a, VA, 4096, NPU_RW);
		gmem_write(n, pa, in, sizeof(in));
		out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
		npu_ring_init(n, RING0, 8);

		/* a valid ELTWISE, after a fill that must not run where it is refused */
		e.op = ENPU_ELTWISE_MAX;
		fill_then(n, a, VA_OUT, ENPU_OP_ELTWISE, &e, sizeof(e), 1, &c);
		if (has_elt) {
			EXPECT_EQ(ENPU_JOB_OK, c.status) TH_LOG("%s", devs[d].dev);
			gmem_read(n, pa + 128, out, sizeof(out));
			for (i = 0; i < sizeof(out); i++)
				EXPECT_EQ((int8_t)in[i] > (int8_t)in[64 + i] ? in[i] : in[64 + i],
					  out[i]) TH_LOG("%s: element %u", devs[d].dev, i);
		} else {
			EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status) TH_LOG("%s", devs[d].dev);
			EXPECT_EQ(ENPU_CMD_ERR_OPCODE, c.error_info) TH_LOG("%s", devs[d].dev);
			EXPECT_EQ(4 * fill_words, c.error_offset);
			EXPECT_EQ(0, c.commands);
			gmem_read(n, out_pa, out, sizeof(out));
			EXPECT_TRUE(all_bytes(out, sizeof(out), 0)) TH_LOG("%s", devs[d].dev);
		}

		/* one with an unknown operation: the opcode where it has none */
		e.op = 99;
		fill_then(n, a, VA_OUT + 64, ENPU_OP_ELTWISE, &e, sizeof(e), 2, &c);
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status) TH_LOG("%s", devs[d].dev);
		EXPECT_EQ(has_elt ? ENPU_CMD_ERR_PARAM : ENPU_CMD_ERR_OPCODE, c.error_info)
			TH_LOG("%s", devs[d].dev);
		EXPECT_EQ(4 * fill_words, c.error_offset);

		/* LUT by its own bit */
		fill_then(n, a, VA_OUT + 128, ENPU_OP_LUT, &l, sizeof(l), 3, &c);
		EXPECT_EQ(has_lut ? ENPU_JOB_OK : ENPU_JOB_INVALID_COMMAND, c.status)
			TH_LOG("%s", devs[d].dev);
		if (!has_lut)
			EXPECT_EQ(ENPU_CMD_ERR_OPCODE, c.error_info);

		/* the fused table by its own bit: a reserved flag bit without it */
		fill_then(n, a, VA_OUT + 256, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc), 4, &c);
		if (devs[d].caps & ENPU_CAP_FUSED_LUT) {
			EXPECT_EQ(ENPU_JOB_OK, c.status) TH_LOG("%s", devs[d].dev);
			gmem_read(n, out_pa + 192, out, 8);
			for (i = 0; i < 8; i++)
				EXPECT_EQ(in[0], out[i]) TH_LOG("%s: element %u", devs[d].dev, i);
		} else {
			EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status) TH_LOG("%s", devs[d].dev);
			EXPECT_EQ(ENPU_CMD_ERR_RESERVED, c.error_info) TH_LOG("%s", devs[d].dev);
			EXPECT_EQ(4 * fill_words, c.error_offset);
		}

		/* the device goes on */
		fill_then(n, a, VA_OUT, ENPU_OP_NOP, NULL, 0, 5, &c);
		EXPECT_EQ(ENPU_JOB_OK, c.status) TH_LOG("%s", devs[d].dev);
		gmem_read(n, out_pa, out, sizeof(out));
		EXPECT_TRUE(all_bytes(out, sizeof(out), 0x66)) TH_LOG("%s", devs[d].dev);
		qt_cleanup(&self->qt);
	}
}

/* ======================================================================== */
/* Interrupts                                                               */
/* ======================================================================== */

TEST_F(npu, interrupt_delivery)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint32_t table = qt_pci_cfg_readl(&self->qt, n->devfn, n->msix_cap + PCI_MSIX_PBA);
	uint64_t pba = NPU_BAR2_ADDR + (table & ~7u);

	/* Bring-up handshake: unmask DOORBELL, ring it, get the message and the ack. */
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_DOORBELL);
	EXPECT_EQ(ENPU_IRQ_DOORBELL, npu_rd(n, ENPU_REG_IRQ_MASK));
	npu_msi_clear(n);
	npu_wr(n, ENPU_REG_DOORBELL, 0xc0ffee01);
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	EXPECT_EQ(0xc0ffee01, npu_rd(n, ENPU_REG_DOORBELL_ACK));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_DOORBELL_COUNT));
	EXPECT_EQ(ENPU_IRQ_DOORBELL, npu_rd(n, ENPU_REG_IRQ_STATUS));

	/* Still pending: another cause sends no new message. */
	npu_msi_clear(n);
	npu_wr(n, ENPU_REG_DOORBELL, 0xc0ffee02);
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_FALSE(npu_msi_seen(n));
	EXPECT_EQ(0xc0ffee02, npu_rd(n, ENPU_REG_DOORBELL_ACK));
	EXPECT_EQ(2, npu_rd(n, ENPU_REG_DOORBELL_COUNT));

	/* IRQ_CLEAR clears only the bits written as 1; then a new cause, a new message. */
	npu_wr(n, ENPU_REG_IRQ_CLEAR, 0);
	EXPECT_EQ(ENPU_IRQ_DOORBELL, npu_rd(n, ENPU_REG_IRQ_STATUS));
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_DOORBELL);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
	npu_wr(n, ENPU_REG_DOORBELL, 3);
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);

	/* A masked cause latches but sends nothing ... */
	npu_ring_init(n, RING0, 4);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	npu_msi_clear(n);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_RING_DONE(0),
				 NPU_WAIT_MS));
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_FALSE(npu_msi_seen(n));
	/* ... until it is unmasked: the pending value goes from 0 to non-zero. */
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_DOORBELL | ENPU_IRQ_RING_DONE(0));
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);

	/* MSI-X vector masked in the table: pending bit set, delivered on unmask. */
	npu_msi_mask(n, true);
	npu_msi_clear(n);
	npu_wr(n, ENPU_REG_DOORBELL, 4);
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_FALSE(npu_msi_seen(n));
	EXPECT_EQ(1, qt_readl(&self->qt, pba) & 1);
	npu_msi_mask(n, false);
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	EXPECT_EQ(0, qt_readl(&self->qt, pba) & 1);
}

/* The IOAPIC input that is high, or -1 (none) / -2 (several). */
static int high_line(struct qt *q)
{
	int i, line = -1;

	for (i = 0; i < QT_MAX_IRQ; i++)
		if (q->irq_level[i])
			line = line == -1 ? i : -2;
	return line;
}

static bool wait_line(struct qt *q, int line, int level, int ms)
{
	int64_t start = qt_now_ms();

	for (;;) {
		qt_sync(q);
		if (q->irq_level[line] == level)
			return true;
		if (qt_now_ms() - start > ms)
			return false;
		usleep(500);
	}
}

TEST_F(npu, intx_follows_pending_causes_without_msix)
{
	struct npu *n = &self->n;
	struct qt *q = &self->qt;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint16_t ctrl;
	unsigned int raises;
	int line;

	/* MSI-X off: the device signals on its INTx pin, a level. */
	ctrl = qt_pci_cfg_readw(q, n->devfn, n->msix_cap + PCI_MSIX_CTRL);
	qt_pci_cfg_writew(q, n->devfn, n->msix_cap + PCI_MSIX_CTRL, ctrl & ~PCI_MSIX_ENABLE);
	EXPECT_EQ(1, qt_pci_cfg_readb(q, n->devfn, 0x3d));	/* interrupt pin INTA */
	qt_irq_intercept_in(q, "ioapic");
	qt_sync(q);
	ASSERT_EQ(-1, high_line(q));

	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_DOORBELL);
	npu_msi_clear(n);
	npu_wr(n, ENPU_REG_DOORBELL, 1);
	qt_sync(q);
	line = high_line(q);
	ASSERT_GE(line, 16) TH_LOG("no single PCI interrupt line high (%d)", line);
	EXPECT_EQ(0x08, qt_pci_cfg_readw(q, n->devfn, 0x06) & 0x08);	/* status: INTx */
	raises = q->irq_raises[line];

	/* A level: more causes keep it high without a new edge. */
	npu_wr(n, ENPU_REG_DOORBELL, 2);
	qt_sync(q);
	EXPECT_EQ(1, q->irq_level[line]);
	EXPECT_EQ(raises, q->irq_raises[line]);
	EXPECT_FALSE(npu_msi_seen(n));	/* and no message */

	/* Cleared: low. Masked while pending: low; unmasked: high again. */
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_DOORBELL);
	qt_sync(q);
	EXPECT_EQ(0, q->irq_level[line]);
	EXPECT_EQ(0, qt_pci_cfg_readw(q, n->devfn, 0x06) & 0x08);
	npu_wr(n, ENPU_REG_DOORBELL, 3);
	qt_sync(q);
	EXPECT_EQ(1, q->irq_level[line]);
	npu_wr(n, ENPU_REG_IRQ_MASK, 0);
	qt_sync(q);
	EXPECT_EQ(0, q->irq_level[line]);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_DOORBELL);
	qt_sync(q);
	EXPECT_EQ(1, q->irq_level[line]);
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);
	qt_sync(q);
	EXPECT_EQ(0, q->irq_level[line]);

	/* A job's completion raises it from the device's side. */
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	npu_ring_init(n, RING0, 4);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_TRUE(wait_line(q, line, 1, NPU_WAIT_MS));
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_RING_DONE(0));
	EXPECT_TRUE(wait_line(q, line, 0, NPU_WAIT_MS));

	/* A reset drops it. */
	npu_wr(n, ENPU_REG_DOORBELL, 4);
	EXPECT_TRUE(wait_line(q, line, 1, NPU_WAIT_MS));
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	EXPECT_TRUE(wait_line(q, line, 0, NPU_WAIT_MS));
	EXPECT_EQ(-1, high_line(q));
}

/* ======================================================================== */
/* Rings                                                                    */
/* ======================================================================== */

/*
 * The model's doorbell (hw/README.md, "Job rings"): a small job, rung
 * while the device is idle, has ended -- completion written, DONE_SEQNO
 * moved, interrupt raised -- by the time its TAIL write returns, and
 * DBG_DOORBELL_JOBS counts it. A big job goes to the worker (the write
 * returns while it runs), and so does a small job rung while it runs;
 * both end as before.
 */
TEST_F(npu, small_job_ends_within_its_doorbell)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s, nop;
	struct npu_job j, big, behind;
	uint32_t at_doorbell;

	map_big(&self->as);
	npu_ring_init(n, RING0, 8);
	npu_ring_init(n, RING1, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&nop);
	st_nop(&nop);
	st_end(&nop);
	/* this address space's first job may clear SRAM: done before */
	run_job(n, &self->as, RING0, &nop, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);
	at_doorbell = npu_rd(n, ENPU_REG_DBG_DOORBELL_JOBS);

	/* no polling: each read below follows the TAIL write */
	npu_job_prepare(n, &j, &self->as, &nop, 2);
	npu_submit(n, RING0, &j);
	EXPECT_EQ(2, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(ENPU_IRQ_RING_DONE(0),
		  npu_rd(n, ENPU_REG_IRQ_STATUS) & ENPU_IRQ_RING_DONE(0));
	npu_completion(n, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(1, c.commands);
	EXPECT_EQ(at_doorbell + 1, npu_rd(n, ENPU_REG_DBG_DOORBELL_JOBS));

	/* a big job: the worker's, running after the write returns */
	st_init(&s);
	st_big_convs(&s, 2);
	st_end(&s);
	npu_job_prepare(n, &big, &self->as, &s, 3);
	npu_submit(n, RING0, &big);
	ASSERT_TRUE(wait_running(n, RING0, 3));
	/* a small one behind it, on the other ring: the worker's too */
	npu_job_prepare(n, &behind, &self->as, &nop, 4);
	npu_submit(n, RING1, &behind);
	EXPECT_NE(4, npu_ring_rd(n, RING1, ENPU_RING_DONE_SEQNO));
	wait_job(n, &big);
	wait_job(n, &behind);
	npu_completion(n, &big, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(2, c.commands);
	npu_completion(n, &behind, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(at_doorbell + 1, npu_rd(n, ENPU_REG_DBG_DOORBELL_JOBS));
	EXPECT_EQ(4, npu_rd(n, ENPU_REG_JOBS_DONE));
}

TEST_F(npu, many_jobs_wrap_around_in_order)
{
	enum { JOBS = 32, RING_SIZE = 16, VA_OUT = 0x100000, VA_LOG = 0x200000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct npu_job jobs[JOBS];
	struct enpu_job_completion c;
	struct npu_stream s;
	uint8_t out[JOBS * 16], log[LOG_LEN];
	uint64_t out_pa, cycles = 0;
	int next = 0, i, kicks = 0;
	int64_t start;

	/* qtest's virtual clock moves only when told: past 0, then still */
	qt_clock_step(n->qt, 1000);
	out_pa = as_map_new(a, VA_OUT, sizeof(out), NPU_RW);
	as_map_new(a, VA_LOG, LOG_LEN, NPU_RW);
	npu_ring_init(n, RING0, RING_SIZE);
	for (i = 0; i < JOBS; i++) {
		st_init(&s);
		st_fill(&s, VA_OUT + 16 * i, (uint8_t)(0x80 + i), 16);
		st_marker(&s, (uint8_t)(i + 1));
		st_end(&s);
		npu_job_prepare(n, &jobs[i], a, &s, 1000 + i);
	}

	/* Keep the ring full: queue while TAIL - HEAD < SIZE, then ring. */
	start = qt_now_ms();
	while (next < JOBS) {
		uint32_t head = npu_ring_rd(n, RING0, ENPU_RING_HEAD);
		int queued = 0;

		ASSERT_LE(n->ring[RING0].tail - head, RING_SIZE);
		while (next < JOBS && n->ring[RING0].tail - head < RING_SIZE) {
			npu_queue(n, RING0, &jobs[next++]);
			queued++;
		}
		if (queued) {
			npu_kick(n, RING0);
			kicks++;
		}
		ASSERT_LT(qt_now_ms() - start, NPU_WAIT_MS);
		usleep(100);
	}
	wait_job(n, &jobs[JOBS - 1]);
	EXPECT_GE(kicks, 2);	/* the indexes did wrap around the ring */

	for (i = 0; i < JOBS; i++) {
		uint64_t prev_end = i ? c.end_time : 0;

		npu_completion(n, &jobs[i], &c);
		EXPECT_EQ(1000 + i, c.seqno);
		EXPECT_EQ(ENPU_JOB_OK, c.status) TH_LOG("job %d", i);
		EXPECT_EQ(3, c.commands);
		EXPECT_GT(c.cycles, 0);
		cycles += c.cycles;
		/* one at a time: each starts once the one before ended */
		EXPECT_LT(0, c.start_time);
		EXPECT_LE(c.start_time, c.end_time);
		EXPECT_LE(prev_end, c.start_time) TH_LOG("job %d started before job %d ended",
							 i, i - 1);
	}
	EXPECT_EQ(JOBS, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(JOBS, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	EXPECT_EQ(1000 + JOBS - 1, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(JOBS, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(cycles, npu_rd(n, ENPU_REG_BUSY_CYCLES_LO) |
		  (uint64_t)npu_rd(n, ENPU_REG_BUSY_CYCLES_HI) << 32);
	gmem_read(n, out_pa, out, sizeof(out));
	for (i = 0; i < JOBS; i++)
		EXPECT_TRUE(all_bytes(out + 16 * i, 16, (uint8_t)(0x80 + i))) TH_LOG("job %d", i);

	/* The device ran them in ring order. */
	read_log(n, a, RING0, VA_LOG, 5000, log);
	for (i = 0; i < JOBS; i++)
		EXPECT_EQ(JOBS - i, log[i]) TH_LOG("log[%d]", i);
	EXPECT_EQ(0, log[JOBS]);
}

TEST_F(npu, tail_more_than_size_ahead_stops_ring)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j[4];
	int i;

	npu_ring_init(n, RING0, 4);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&s);
	st_nop(&s);
	st_end(&s);

	/* TAIL = HEAD + SIZE is allowed: four jobs at once. */
	for (i = 0; i < 4; i++) {
		npu_job_prepare(n, &j[i], &self->as, &s, 10 + i);
		npu_queue(n, RING0, &j[i]);
	}
	npu_kick(n, RING0);
	wait_job(n, &j[3]);
	for (i = 0; i < 4; i++) {
		npu_completion(n, &j[i], &c);
		EXPECT_EQ(ENPU_JOB_OK, c.status);
	}
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS) & ENPU_IRQ_RING_ERROR);
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);

	/* HEAD = 4: TAIL = 9 is SIZE + 1 ahead. */
	npu_msi_clear(n);
	npu_ring_wr(n, RING0, ENPU_RING_TAIL, 9);
	EXPECT_TRUE(npu_wait_reg(n, ENPU_RING_REG(RING0, ENPU_RING_STATUS), ~0u,
				 ENPU_RING_STATUS_ERROR, NPU_WAIT_MS));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ENPU_IRQ_RING_ERROR,
				 ENPU_IRQ_RING_ERROR, NPU_WAIT_MS));
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	EXPECT_EQ(4, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(4, npu_ring_rd(n, RING0, ENPU_RING_TAIL));

	/* A stopped ring ignores its doorbell. */
	npu_job_prepare(n, &j[0], &self->as, &s, 20);
	npu_queue(n, RING0, &j[0]);
	npu_kick(n, RING0);
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(4, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	EXPECT_EQ(4, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(ENPU_JOB_PENDING, gmem_r32(n, j[0].desc.completion_addr + 4));

	/* Re-enabling clears the error and zeroes the indexes. */
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, 0);
	npu_ring_init(n, RING0, 4);
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	run_job(n, &self->as, RING0, &s, 21, &j[1], &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

TEST_F(npu, bad_ring_setup_is_refused_on_enable)
{
	static const struct { uint32_t size; uint32_t misalign; bool ok; } cases[] = {
		{ 0, 0, false }, { 1, 0, false }, { 3, 0, false }, { 6, 0, false },
		{ 4097, 0, false }, { 8192, 0, false }, { 16, 32, false }, { 16, 8, false },
		{ 2, 0, true }, { 4096, 0, true }, { 16, 64, true },
	};
	struct npu *n = &self->n;
	uint64_t base = gmem_alloc(n, 4096 * 64 + 128, 4096);
	unsigned int i;

	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t addr = base + cases[i].misalign;

		npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);
		npu_msi_clear(n);
		npu_ring_wr(n, RING1, ENPU_RING_CTRL, 0);
		npu_ring_wr(n, RING1, ENPU_RING_ADDR_LO, (uint32_t)addr);
		npu_ring_wr(n, RING1, ENPU_RING_ADDR_HI, 0);
		npu_ring_wr(n, RING1, ENPU_RING_SIZE, cases[i].size);
		EXPECT_EQ(cases[i].size, npu_ring_rd(n, RING1, ENPU_RING_SIZE));
		EXPECT_EQ((uint32_t)addr, npu_ring_rd(n, RING1, ENPU_RING_ADDR_LO));
		npu_ring_wr(n, RING1, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE);
		if (cases[i].ok) {
			usleep(20000);
			EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_STATUS))
				TH_LOG("size %u misalign %u", cases[i].size, cases[i].misalign);
			EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
		} else {
			EXPECT_EQ(ENPU_RING_STATUS_ERROR, npu_ring_rd(n, RING1, ENPU_RING_STATUS))
				TH_LOG("size %u misalign %u", cases[i].size, cases[i].misalign);
			EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u,
						 ENPU_IRQ_RING_ERROR, NPU_WAIT_MS))
				TH_LOG("size %u misalign %u: IRQ_STATUS 0x%x", cases[i].size,
				       cases[i].misalign, npu_rd(n, ENPU_REG_IRQ_STATUS));
			EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
			/* A stopped ring ignores TAIL. */
			npu_ring_wr(n, RING1, ENPU_RING_TAIL, 1);
			EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_TAIL));
		}
	}
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));
}

TEST_F(npu, ring_setup_is_read_only_while_enabled)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint64_t other = gmem_alloc(n, 64 * 64, 64);
	uint64_t addr;

	npu_ring_init(n, RING0, 16);
	addr = n->ring[RING0].addr;
	npu_ring_wr(n, RING0, ENPU_RING_ADDR_LO, (uint32_t)other);
	npu_ring_wr(n, RING0, ENPU_RING_ADDR_HI, 1);
	npu_ring_wr(n, RING0, ENPU_RING_SIZE, 64);
	EXPECT_EQ((uint32_t)addr, npu_ring_rd(n, RING0, ENPU_RING_ADDR_LO));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_ADDR_HI));
	EXPECT_EQ(16, npu_ring_rd(n, RING0, ENPU_RING_SIZE));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_STATUS));

	/* The device still fetches from the original array. */
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 77, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);

	/* Disabled, the setup can change again. */
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, 0);
	npu_ring_wr(n, RING0, ENPU_RING_SIZE, 64);
	npu_ring_wr(n, RING0, ENPU_RING_ADDR_LO, (uint32_t)other);
	EXPECT_EQ(64, npu_ring_rd(n, RING0, ENPU_RING_SIZE));
	EXPECT_EQ((uint32_t)other, npu_ring_rd(n, RING0, ENPU_RING_ADDR_LO));
}

/*
 * Re-enabling a ring (CTRL 0 then ENABLE: HEAD = TAIL = 0) while its job
 * still runs -- a driver resetting a ring around a hung job, then
 * aborting it. When that job ends the device must not fetch descriptors
 * past TAIL: TAIL - HEAD <= SIZE always holds and nothing was submitted.
 */
TEST_F(npu, reenabled_ring_runs_nothing_past_tail)
{
	struct npu *n = &self->n;
	struct npu_job hung, canary[3];
	struct enpu_job_completion c;
	struct npu_stream s;
	int i;

	npu_ring_init(n, RING0, 4);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	npu_job_prepare(n, &hung, &self->as, &s, 1);
	for (i = 0; i < 3; i++)
		npu_job_prepare(n, &canary[i], &self->as, &s, 901 + i);
	/* Slots 1-3 hold valid descriptors that are never submitted. */
	npu_queue(n, RING0, &hung);
	for (i = 0; i < 3; i++)
		npu_queue(n, RING0, &canary[i]);
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG);
	npu_ring_wr(n, RING0, ENPU_RING_TAIL, 1);
	ASSERT_TRUE(wait_running(n, RING0, 1));

	npu_ring_wr(n, RING0, ENPU_RING_CTRL, 0);
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE);
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	ASSERT_TRUE(npu_wait_completion(n, &hung, NPU_WAIT_MS));
	npu_completion(n, &hung, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);

	usleep(NPU_QUIET_MS * 1000);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(ENPU_JOB_PENDING, gmem_r32(n, canary[i].desc.completion_addr + 4))
			TH_LOG("descriptor %d past TAIL was run", i + 1);
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(npu_ring_rd(n, RING0, ENPU_RING_TAIL), npu_ring_rd(n, RING0, ENPU_RING_HEAD))
		TH_LOG("TAIL %u HEAD %u", npu_ring_rd(n, RING0, ENPU_RING_TAIL),
		       npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_LE(npu_ring_rd(n, RING0, ENPU_RING_TAIL) - npu_ring_rd(n, RING0, ENPU_RING_HEAD),
		  4);
}

TEST_F(npu, unusable_descriptor_stops_ring)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&s);
	st_nop(&s);
	st_end(&s);

	/* A completion address that is not 64-byte aligned. */
	npu_ring_init(n, RING0, 4);
	npu_job_prepare(n, &j, &self->as, &s, 5);
	j.desc.completion_addr += 32;
	npu_submit(n, RING0, &j);
	EXPECT_TRUE(npu_wait_reg(n, ENPU_RING_REG(RING0, ENPU_RING_STATUS), ~0u,
				 ENPU_RING_STATUS_ERROR, NPU_WAIT_MS));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_RING_ERROR,
				 NPU_WAIT_MS)) TH_LOG("IRQ_STATUS 0x%x", npu_rd(n, ENPU_REG_IRQ_STATUS));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(0, gmem_r32(n, j.desc.completion_addr + 4));

	/* A descriptor array the bus cannot read (1 TiB: no memory there). */
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);
	npu_ring_wr(n, RING1, ENPU_RING_ADDR_LO, 0);
	npu_ring_wr(n, RING1, ENPU_RING_ADDR_HI, 0x100);
	npu_ring_wr(n, RING1, ENPU_RING_SIZE, 4);
	npu_ring_wr(n, RING1, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE);
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_STATUS));
	npu_ring_wr(n, RING1, ENPU_RING_TAIL, 1);
	EXPECT_TRUE(npu_wait_reg(n, ENPU_RING_REG(RING1, ENPU_RING_STATUS), ~0u,
				 ENPU_RING_STATUS_ERROR, NPU_WAIT_MS));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_RING_ERROR,
				 NPU_WAIT_MS));
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));

	/* The other ring is unaffected. */
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, 0);
	npu_ring_init(n, RING0, 4);
	run_job(n, &self->as, RING0, &s, 6, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/* ======================================================================== */
/* Priorities                                                               */
/* ======================================================================== */

TEST_F(npu, high_priority_ring_served_first)
{
	enum { N = 4, VA_LOG = 0x100000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct npu_job hang, norm[N], high[N];
	struct enpu_job_completion c;
	struct npu_stream s;
	uint8_t log[LOG_LEN];
	int i;

	as_map_new(a, VA_LOG, LOG_LEN, NPU_RW);
	npu_ring_init(n, RING0, 16);
	npu_ring_init(n, RING1, 16);

	/* Hold the device: the first normal job hangs. */
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG);
	st_init(&s);
	st_marker(&s, 0xee);
	st_end(&s);
	npu_job_prepare(n, &hang, a, &s, 100);
	npu_submit(n, RING0, &hang);
	ASSERT_TRUE(wait_running(n, RING0, 100));

	/* Normal jobs first, then high-priority ones. */
	for (i = 0; i < N; i++) {
		st_init(&s);
		st_marker(&s, (uint8_t)(0x10 + i));
		st_end(&s);
		npu_job_prepare(n, &norm[i], a, &s, 101 + i);
		npu_queue(n, RING0, &norm[i]);
	}
	npu_kick(n, RING0);
	for (i = 0; i < N; i++) {
		st_init(&s);
		st_marker(&s, (uint8_t)(0x20 + i));
		st_end(&s);
		npu_job_prepare(n, &high[i], a, &s, 201 + i);
		npu_queue(n, RING1, &high[i]);
	}
	npu_kick(n, RING1);

	/* A running job is not preempted. */
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_STATUS));
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(ENPU_RING_STATUS_BUSY, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));

	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	wait_job(n, &norm[N - 1]);
	wait_job(n, &high[N - 1]);
	npu_completion(n, &hang, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	for (i = 0; i < N; i++) {
		npu_completion(n, &norm[i], &c);
		EXPECT_EQ(ENPU_JOB_OK, c.status);
		npu_completion(n, &high[i], &c);
		EXPECT_EQ(ENPU_JOB_OK, c.status);
	}

	/* Device-side order: all high-priority jobs, then the normal ones. */
	read_log(n, a, RING1, VA_LOG, 300, log);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(0x10 + i, log[N - 1 - i]) TH_LOG("log[%d]", N - 1 - i);
		EXPECT_EQ(0x20 + i, log[2 * N - 1 - i]) TH_LOG("log[%d]", 2 * N - 1 - i);
	}
	EXPECT_EQ(0, log[2 * N]);	/* the hung job never ran its stream */
}

/*
 * With both rings full the high-priority ring does not starve the normal
 * one: after ENPU_RING_HIGH_BURST high-priority jobs in a row a normal
 * job gets its turn.
 */
TEST_F(npu, normal_ring_not_starved_by_high)
{
	enum { NH = 3 * ENPU_RING_HIGH_BURST, NN = 3, VA_LOG = 0x100000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct npu_job hang, norm[NN], high[NH];
	struct enpu_job_completion c;
	struct npu_stream s;
	uint8_t log[LOG_LEN];
	int i, k, h = 0, m = 0;

	as_map_new(a, VA_LOG, LOG_LEN, NPU_RW);
	npu_ring_init(n, RING0, 16);
	npu_ring_init(n, RING1, 16);

	/* Hold the device while both rings fill up. */
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG);
	st_init(&s);
	st_end(&s);
	npu_job_prepare(n, &hang, a, &s, 100);
	npu_submit(n, RING0, &hang);
	ASSERT_TRUE(wait_running(n, RING0, 100));
	for (i = 0; i < NN; i++) {
		st_init(&s);
		st_marker(&s, (uint8_t)(0x10 + i));
		st_end(&s);
		npu_job_prepare(n, &norm[i], a, &s, 101 + i);
		npu_queue(n, RING0, &norm[i]);
	}
	npu_kick(n, RING0);
	for (i = 0; i < NH; i++) {
		st_init(&s);
		st_marker(&s, (uint8_t)(0x40 + i));
		st_end(&s);
		npu_job_prepare(n, &high[i], a, &s, 201 + i);
		npu_queue(n, RING1, &high[i]);
	}
	npu_kick(n, RING1);

	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	wait_job(n, &norm[NN - 1]);
	wait_job(n, &high[NH - 1]);
	npu_completion(n, &hang, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);

	/* Device-side order (the log is newest first): BURST high, 1 normal, ... */
	read_log(n, a, RING1, VA_LOG, 300, log);
	for (k = NH + NN - 1; k >= 0; k--) {
		int pos = NH + NN - 1 - k;	/* 0 = first job run */
		int want_normal = (pos % (ENPU_RING_HIGH_BURST + 1)) == ENPU_RING_HIGH_BURST &&
				  m < NN;

		if (want_normal || h == NH) {
			EXPECT_EQ(0x10 + m, log[k]) TH_LOG("job %d run", pos);
			m++;
		} else {
			EXPECT_EQ(0x40 + h, log[k]) TH_LOG("job %d run", pos);
			h++;
		}
	}
}

/* ======================================================================== */
/* MMU                                                                      */
/* ======================================================================== */

TEST_F(npu, mmu_fault_reports_and_latches)
{
	struct npu *n = &self->n;
	struct npu_as a7, a9;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t buf[64];
	uint32_t cause = ENPU_IRQ_RING_DONE(1) | ENPU_IRQ_JOB_ERROR | ENPU_IRQ_MMU_FAULT;

	as_init(&a7, n, 7);
	as_init(&a9, n, 9);
	as_map_new(&a7, 0x10000, 4096, NPU_RW);
	as_map_new(&a9, 0x10000, 4096, NPU_RW);
	npu_ring_init(n, RING1, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	npu_msi_clear(n);

	/* A fill that works, then a copy from an unmapped VA (a read fault). */
	st_init(&s);
	st_fill(&s, 0x10000, 0x42, 64);
	st_copy(&s, 0x500000, 0x10000, 64);
	st_end(&s);
	run_job(n, &a7, RING1, &s, 41, &j, &c);
	EXPECT_EQ(41, c.seqno);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	EXPECT_EQ(0x500000, c.fault_addr);
	EXPECT_EQ(ENPU_FAULT_VALID, c.error_info);
	EXPECT_EQ(sizeof(struct enpu_cmd_dma_fill), c.error_offset);
	gmem_read(n, as_pa(&a7, 0x10000), buf, sizeof(buf));
	EXPECT_TRUE(all_bytes(buf, sizeof(buf), 0x42));	/* the fill before it ran */
	EXPECT_EQ(ENPU_FAULT_VALID | 1u << 8, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));
	EXPECT_EQ(1, ENPU_FAULT_RING(npu_rd(n, ENPU_REG_MMU_FAULT_STATUS)));
	EXPECT_EQ(0x500000, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR));
	EXPECT_EQ(7, npu_rd(n, ENPU_REG_MMU_FAULT_ASID));
	EXPECT_EQ(41, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, cause, NPU_WAIT_MS))
		TH_LOG("IRQ_STATUS 0x%x", npu_rd(n, ENPU_REG_IRQ_STATUS));
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));

	/* A second fault (write, other ASID) does not overwrite the first. */
	st_init(&s);
	st_fill(&s, 0x600010, 1, 4);
	st_end(&s);
	run_job(n, &a9, RING1, &s, 42, &j, &c);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	EXPECT_EQ(0x600010, c.fault_addr);
	EXPECT_EQ(ENPU_FAULT_VALID | ENPU_FAULT_WRITE, c.error_info);
	EXPECT_EQ(0, c.error_offset);
	EXPECT_EQ(ENPU_FAULT_VALID | 1u << 8, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));
	EXPECT_EQ(0x500000, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR));
	EXPECT_EQ(7, npu_rd(n, ENPU_REG_MMU_FAULT_ASID));
	EXPECT_EQ(41, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));

	/* MMU_FAULT_CLEAR unlatches; the next fault is recorded (ring 0 now). */
	npu_wr(n, ENPU_REG_MMU_FAULT_CLEAR, 1);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS) & ENPU_FAULT_VALID);
	npu_ring_init(n, RING0, 8);
	run_job(n, &a9, RING0, &s, 43, &j, &c);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	EXPECT_EQ(ENPU_FAULT_VALID | ENPU_FAULT_WRITE, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));
	EXPECT_EQ(0, ENPU_FAULT_RING(npu_rd(n, ENPU_REG_MMU_FAULT_STATUS)));
	EXPECT_EQ(0x600010, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR));
	EXPECT_EQ(9, npu_rd(n, ENPU_REG_MMU_FAULT_ASID));
	EXPECT_EQ(43, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));

	/* The device goes on with the next job. */
	st_init(&s);
	st_fill(&s, 0x10000, 0x17, 64);
	st_end(&s);
	run_job(n, &a9, RING0, &s, 44, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, as_pa(&a9, 0x10000), buf, sizeof(buf));
	EXPECT_TRUE(all_bytes(buf, sizeof(buf), 0x17));
}

TEST_F(npu, mmu_fault_kinds)
{
	enum { VA_RO = 0x10000, VA_WO = 0x11000, VA_BADPTE = 0x12000, VA_OK = 0x13000,
	       VA_NOL2 = 0x40000000, VA_BADPDE = 0x800000, VA_RWPDE = 0xa00000 };
	static const struct {
		const char *what;
		int write;		/* the faulting access is a fill (else a copy's read) */
		uint32_t va, fault_addr, info;
	} cases[] = {
		{ "write to read-only page", 1, VA_RO, VA_RO,
		  ENPU_FAULT_VALID | ENPU_FAULT_WRITE | ENPU_FAULT_PERMISSION },
		{ "read of write-only page", 0, VA_WO, VA_WO,
		  ENPU_FAULT_VALID | ENPU_FAULT_PERMISSION },
		{ "reserved PTE bits", 0, VA_BADPTE, VA_BADPTE, ENPU_FAULT_VALID },
		{ "no level-2 table", 1, VA_NOL2, VA_NOL2,
		  ENPU_FAULT_VALID | ENPU_FAULT_WRITE },
		{ "reserved PDE bits", 0, VA_BADPDE, VA_BADPDE, ENPU_FAULT_VALID },
		{ "second page of a span", 1, VA_OK + 0xff0, VA_OK + 0x1000,
		  ENPU_FAULT_VALID | ENPU_FAULT_WRITE },
		{ "DRAM span running into SRAM", 1, SRAM - 16, SRAM,
		  ENPU_FAULT_VALID | ENPU_FAULT_WRITE },
		{ "beyond the SRAM", 0, SRAM + ENPU_DEFAULT_SRAM_SIZE,
		  SRAM + ENPU_DEFAULT_SRAM_SIZE, ENPU_FAULT_VALID },
	};
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t buf[64];
	uint64_t ro_pa, pte;
	unsigned int i;

	ro_pa = as_map_new(a, VA_RO, 4096, NPU_RO);
	qt_memset(&self->qt, ro_pa, 4096, 0x99);
	as_map_new(a, VA_WO, 4096, ENPU_PTE_VALID | ENPU_PTE_WRITE);
	as_map_new(a, VA_BADPTE, 4096, NPU_RW);
	pte = gmem_r64(n, as_pte_addr(a, VA_BADPTE));
	gmem_w64(n, as_pte_addr(a, VA_BADPTE), pte | 0x100);	/* bit 8: reserved */
	as_map_new(a, VA_OK, 4096, NPU_RW);
	as_map_new(a, SRAM - 4096, 4096, NPU_RW);	/* would map, but it's past the DRAM range */
	as_map_new(a, VA_BADPDE, 4096, NPU_RW);
	gmem_w64(n, a->l1 + 8 * ENPU_L1_INDEX(VA_BADPDE),
		 ENPU_PDE(a->l2[ENPU_L1_INDEX(VA_BADPDE)]) | 0x8);	/* bit 3: reserved */
	/* Level-1 entries ignore READ/WRITE: this one maps fine. */
	as_map_new(a, VA_RWPDE, 4096, NPU_RW);
	gmem_w64(n, a->l1 + 8 * ENPU_L1_INDEX(VA_RWPDE),
		 ENPU_PDE(a->l2[ENPU_L1_INDEX(VA_RWPDE)]) | ENPU_PTE_READ | ENPU_PTE_WRITE);
	as_map_new(a, 0x20000, 4096, NPU_RW);
	npu_ring_init(n, RING0, 16);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		npu_wr(n, ENPU_REG_MMU_FAULT_CLEAR, 1);
		st_init(&s);
		if (cases[i].write)
			st_fill(&s, cases[i].va, 0x11, 32);
		else
			st_copy(&s, cases[i].va, 0x20000, 32);
		st_end(&s);
		run_job(n, a, RING0, &s, 60 + i, &j, &c);
		EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].fault_addr, c.fault_addr) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].info, c.error_info) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].info, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS))
			TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].fault_addr, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR))
			TH_LOG("%s", cases[i].what);
		EXPECT_EQ(60 + i, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));
	}
	/* The read-only page was not written. */
	gmem_read(n, ro_pa, buf, sizeof(buf));
	EXPECT_TRUE(all_bytes(buf, sizeof(buf), 0x99));
	/* Reading the read-only page is fine, and so is a PDE with READ|WRITE. */
	st_init(&s);
	st_copy(&s, VA_RO, VA_RWPDE, 32);
	st_end(&s);
	run_job(n, a, RING0, &s, 99, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, as_pa(a, VA_RWPDE), buf, 32);
	EXPECT_TRUE(all_bytes(buf, 32, 0x99));
}

TEST_F(npu, tlb_keeps_translation_until_invalidate)
{
	enum { VA = 0x40000, VA_OUT = 0x50000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct npu_as other;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint64_t p1, p2, p3, out_pa;
	uint8_t out[32];

	p1 = as_map_new(a, VA, 4096, NPU_RO);
	p2 = gmem_alloc(n, 4096, 4096);
	p3 = gmem_alloc(n, 4096, 4096);
	qt_memset(&self->qt, p1, 4096, 0x11);
	qt_memset(&self->qt, p2, 4096, 0x22);
	qt_memset(&self->qt, p3, 4096, 0x33);
	out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 16);
	st_init(&s);
	st_copy(&s, VA, VA_OUT, sizeof(out));
	st_end(&s);

	/* First use: walks the tables, caches the translation. */
	run_job(n, a, RING0, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x11));

	/* PTE changed without invalidation: the old page is still used. */
	as_map_page(a, VA, p2, NPU_RO);
	run_job(n, a, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x11)) TH_LOG("out[0] = 0x%x", out[0]);

	/* Another ASID with its own tables sees its own mapping (TLB is ASID-tagged). */
	as_init(&other, n, 2);
	as_map_page(&other, VA, p3, NPU_RO);
	as_map_page(&other, VA_OUT, out_pa, NPU_RW);
	run_job(n, &other, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x33)) TH_LOG("out[0] = 0x%x", out[0]);

	/* After MMU_INVALIDATE the new mapping is used. */
	npu_wr(n, ENPU_REG_MMU_INVALIDATE, a->asid);
	run_job(n, a, RING0, &s, 4, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x22)) TH_LOG("out[0] = 0x%x", out[0]);

	/* Removing the entry: cached until invalidated (ENPU_ASID_ALL), then a fault. */
	gmem_w64(n, as_pte_addr(a, VA), 0);
	run_job(n, a, RING0, &s, 5, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	npu_wr(n, ENPU_REG_MMU_INVALIDATE, ENPU_ASID_ALL);
	run_job(n, a, RING0, &s, 6, &j, &c);
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	EXPECT_EQ(VA, c.fault_addr);
}

/* ======================================================================== */
/* Invalid streams and descriptors                                          */
/* ======================================================================== */

TEST_F(npu, invalid_command_streams)
{
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t out[64];
	uint64_t out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
	uint32_t seq = 1;
	struct enpu_cmd_dma_fill bad_fill = {
		.dst = VA_OUT, .value = 0x1ff, .row_bytes = 4, .rows = 1, .planes = 1,
	};
	struct enpu_cmd_dma_fill zero_rows = {
		.dst = VA_OUT, .value = 1, .row_bytes = 4, .rows = 0, .planes = 1,
	};
	struct enpu_cmd_dma_copy past_va = {
		.src = 0xfffffff0, .dst = VA_OUT, .row_bytes = 32, .rows = 1, .planes = 1,
	};
	struct enpu_cmd_dma_fill too_big = {
		.dst = VA_OUT, .value = 1, .row_bytes = 4096, .rows = 4097, .planes = 1,
	};
	const uint32_t fill_words = sizeof(struct enpu_cmd_dma_fill) / 4;

	npu_ring_init(n, RING0, 32);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);

#define EXPECT_INVALID(_err, _off) do {						\
		run_job(n, a, RING0, &s, seq, &j, &c);				\
		EXPECT_EQ(seq, c.seqno);					\
		EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status) TH_LOG("job %u", seq); \
		EXPECT_EQ(_err, c.error_info) TH_LOG("job %u", seq);		\
		EXPECT_EQ(_off, c.error_offset) TH_LOG("job %u", seq);	\
		EXPECT_EQ(0, c.commands) TH_LOG("job %u", seq);		\
		seq++;								\
	} while (0)

	/* The stream is validated before any of it runs: the fill never happens. */
	st_init(&s);
	st_fill(&s, VA_OUT, 0x77, sizeof(out));
	st_raw(&s, (const uint32_t[]){ ENPU_CMD_HDR(0x7f, 1) }, 1);
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_OPCODE, 4 * fill_words);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u,
				 ENPU_IRQ_RING_DONE(0) | ENPU_IRQ_JOB_ERROR, NPU_WAIT_MS))
		TH_LOG("IRQ_STATUS 0x%x", npu_rd(n, ENPU_REG_IRQ_STATUS));

	/* Wrong size for the opcode. */
	st_init(&s);
	st_nop(&s);
	st_raw(&s, (const uint32_t[]){ ENPU_CMD_HDR(ENPU_OP_NOP, 2), 0 }, 2);
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_SIZE, 4);

	/* Reserved header bits. */
	st_init(&s);
	st_nop(&s);
	st_nop(&s);
	st_raw(&s, (const uint32_t[]){ ENPU_CMD_HDR(ENPU_OP_NOP, 1) | 0x100 }, 1);
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_RESERVED, 8);

	/* Reserved bits of a field. */
	st_init(&s);
	st_cmd(&s, ENPU_OP_DMA_FILL, &bad_fill, sizeof(bad_fill));
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_RESERVED, 0);

	/* A field out of range. */
	st_init(&s);
	st_nop(&s);
	st_cmd(&s, ENPU_OP_DMA_FILL, &zero_rows, sizeof(zero_rows));
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_PARAM, 4);

	/* An operand past the 32-bit VA space. */
	st_init(&s);
	st_cmd(&s, ENPU_OP_DMA_COPY, &past_va, sizeof(past_va));
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_EXTENT, 0);

	/* An operand over 16 MiB. */
	st_init(&s);
	st_cmd(&s, ENPU_OP_DMA_FILL, &too_big, sizeof(too_big));
	st_end(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_TOO_BIG, 0);

	/* Truncated: a fill cut short by the end of the stream. */
	st_init(&s);
	st_nop(&s);
	st_raw(&s, (const uint32_t[]){ ENPU_CMD_HDR(ENPU_OP_DMA_FILL, fill_words), 0 }, 2);
	EXPECT_INVALID(ENPU_CMD_ERR_TRUNCATED, 4);

	/* No END: the offset is the end of the stream. */
	st_init(&s);
	st_nop(&s);
	st_nop(&s);
	EXPECT_INVALID(ENPU_CMD_ERR_NO_END, 8);

	/* A WAIT nothing can satisfy: found while running, after the fill. */
	st_init(&s);
	st_fill(&s, VA_OUT, 0x66, sizeof(out));
	st_sync(&s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, 3);
	st_end(&s);
	run_job(n, a, RING0, &s, seq, &j, &c);
	EXPECT_EQ(ENPU_JOB_INVALID_COMMAND, c.status);
	EXPECT_EQ(ENPU_CMD_ERR_DEADLOCK, c.error_info);
	EXPECT_EQ(4 * fill_words, c.error_offset);
	seq++;

	/* The device goes on: a valid job after all of them. */
	st_init(&s);
	st_fill(&s, VA_OUT, 0x55, sizeof(out));
	st_end(&s);
	run_job(n, a, RING0, &s, seq, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x55));
	EXPECT_EQ(seq, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
#undef EXPECT_INVALID
}

TEST_F(npu, invalid_descriptors)
{
	enum { VA_OUT = 0x10000, NBAD = 8 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct npu_job jobs[NBAD + 1];
	struct enpu_job_completion c;
	struct npu_stream s;
	uint8_t out[16];
	uint64_t out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
	int i;

	npu_ring_init(n, RING0, 16);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&s);
	st_fill(&s, VA_OUT, 0x5e, sizeof(out));
	st_end(&s);
	for (i = 0; i <= NBAD; i++)
		npu_job_prepare(n, &jobs[i], a, &s, 300 + i);
	jobs[0].desc.flags = 1;
	jobs[1].desc.reserved[0] = 1;
	jobs[2].desc.reserved[2] = 0x100000000ull;
	jobs[3].desc.cmd_size = 6;
	jobs[4].desc.cmd_size = 0;
	jobs[5].desc.cmd_size = ENPU_MAX_CMD_SIZE + 4;
	jobs[6].desc.cmd_addr += 2;
	jobs[7].desc.pt_base += 0x800;

	/* All queued at once; each bad one ends INVALID_DESC, the last one runs. */
	for (i = 0; i <= NBAD; i++)
		npu_queue(n, RING0, &jobs[i]);
	npu_kick(n, RING0);
	wait_job(n, &jobs[NBAD]);
	for (i = 0; i < NBAD; i++) {
		npu_completion(n, &jobs[i], &c);
		EXPECT_EQ(300 + i, c.seqno) TH_LOG("descriptor %d", i);
		EXPECT_EQ(ENPU_JOB_INVALID_DESC, c.status) TH_LOG("descriptor %d", i);
		EXPECT_EQ(0, c.commands) TH_LOG("descriptor %d", i);
	}
	npu_completion(n, &jobs[NBAD], &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x5e));
	EXPECT_EQ(NBAD + 1, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(NBAD + 1, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u,
				 ENPU_IRQ_RING_DONE(0) | ENPU_IRQ_JOB_ERROR, NPU_WAIT_MS))
		TH_LOG("IRQ_STATUS 0x%x", npu_rd(n, ENPU_REG_IRQ_STATUS));
}

TEST_F(npu, bus_error_ends_job_with_dma_error)
{
	enum { VA_BAD = 0x10000, VA_OK = 0x20000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	/* A valid PTE to a bus address where nothing answers (1 TiB). */
	as_map_page(a, VA_BAD, 0x10000000000ull, NPU_RW);
	as_map_new(a, VA_OK, 4096, NPU_RW);
	npu_ring_init(n, RING0, 4);
	st_init(&s);
	st_fill(&s, VA_OK, 1, 16);
	st_copy(&s, VA_BAD, VA_OK, 16);
	st_end(&s);
	run_job(n, a, RING0, &s, 8, &j, &c);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, c.status);
	EXPECT_EQ(sizeof(struct enpu_cmd_dma_fill), c.error_offset);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));

	/* A stream at an unreadable bus address. */
	npu_job_prepare(n, &j, a, &s, 9);
	j.desc.cmd_addr = 0x10000000000ull;
	npu_submit(n, RING0, &j);
	wait_job(n, &j);
	npu_completion(n, &j, &c);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, c.status);
	EXPECT_EQ(0, c.commands);
}

/* ======================================================================== */
/* Reset, abort, hang                                                       */
/* ======================================================================== */

/* Everything a reset clears, and what it keeps. */
static void expect_reset_state(struct __test_metadata *_metadata, struct npu *n)
{
	int r;

	EXPECT_EQ(ENPU_STATUS_READY, npu_rd(n, ENPU_REG_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_SCRATCH));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_MASK));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DOORBELL_ACK));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DOORBELL_COUNT));
	for (r = 0; r < ENPU_NUM_RINGS; r++) {
		EXPECT_EQ(0, npu_ring_rd(n, r, ENPU_RING_CTRL) & ENPU_RING_CTRL_ENABLE);
		EXPECT_EQ(0, npu_ring_rd(n, r, ENPU_RING_HEAD));
		EXPECT_EQ(0, npu_ring_rd(n, r, ENPU_RING_TAIL));
		EXPECT_EQ(0, npu_ring_rd(n, r, ENPU_RING_STATUS));
		EXPECT_EQ(0, npu_ring_rd(n, r, ENPU_RING_PROGRESS));
	}
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_ASID));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_BUSY_CYCLES_LO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_BUSY_CYCLES_HI));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));
	EXPECT_EQ(ENPU_ID_MAGIC, npu_rd(n, ENPU_REG_ID));
	EXPECT_EQ(ENPU_CAPS_BASE | ENPU_CAP_DEBUG, npu_rd(n, ENPU_REG_CAPS));
	EXPECT_EQ(ENPU_DEFAULT_SRAM_SIZE, npu_rd(n, ENPU_REG_SRAM_SIZE));
	EXPECT_EQ(ENPU_DEFAULT_MACS_PER_CYCLE, npu_rd(n, ENPU_REG_MACS_PER_CYCLE));
}

TEST_F(npu, reset_abandons_hung_job)
{
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j, hung;
	uint8_t out[64];
	uint64_t out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);

	npu_ring_init(n, RING0, 8);
	npu_ring_init(n, RING1, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	npu_wr(n, ENPU_REG_SCRATCH, 0x5ca1ab1e);
	npu_wr(n, ENPU_REG_DOORBELL, 0x99);

	/* A job that leaves data in SRAM, and a fault to latch. */
	st_init(&s);
	st_fill(&s, SRAM, 0xa5, 4096);
	st_fill(&s, 0x700000, 1, 1);
	st_end(&s);
	run_job(n, a, RING1, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	ASSERT_NE(0, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));

	/* The next job hangs. */
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG);
	st_init(&s);
	st_fill(&s, VA_OUT, 0x12, sizeof(out));
	st_end(&s);
	npu_job_prepare(n, &hung, a, &s, 2);
	npu_submit(n, RING0, &hung);
	ASSERT_TRUE(wait_running(n, RING0, 2));
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_DROP_IRQ | ENPU_INJECT_MMU_FAULT |
	       ENPU_INJECT_DMA_ERROR);

	/* A wrong value is ignored. */
	npu_wr(n, ENPU_REG_RESET, 0x12345678);
	EXPECT_EQ(0x5ca1ab1e, npu_rd(n, ENPU_REG_SCRATCH));
	EXPECT_EQ(ENPU_RING_STATUS_BUSY, npu_ring_rd(n, RING0, ENPU_RING_STATUS));

	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	expect_reset_state(_metadata, n);
	EXPECT_NE(2, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_NE(2, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
	/* The abandoned job did not run its stream. */
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0));

	/* The device works again; SRAM was cleared; injections were disarmed. */
	npu_ring_init(n, RING0, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	npu_msi_clear(n);
	st_init(&s);
	st_copy(&s, SRAM, VA_OUT, sizeof(out));
	st_end(&s);
	qt_memset(&self->qt, out_pa, sizeof(out), 0xff);
	run_job(n, a, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0)) TH_LOG("out[0] = 0x%x", out[0]);
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_JOBS_DONE));
}

/*
 * A reset of an idle device is done within its write (hw/README.md,
 * "Reset"): the read that follows finds READY, no polling, and
 * DBG_RESETS_AT_WRITE counts it. One while a job runs is the worker's,
 * once the job has stopped, and is not counted.
 */
TEST_F(npu, idle_reset_ready_at_its_write)
{
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j, big;
	uint8_t out[64];
	uint64_t out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
	uint32_t count;

	map_big(a);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_fill(&s, SRAM, 0xa5, 4096);
	st_end(&s);
	run_job(n, a, RING0, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	/* the worker back waiting: nothing runs, nothing is queued */
	usleep(NPU_QUIET_MS * 1000);
	count = npu_rd(n, ENPU_REG_DBG_RESETS_AT_WRITE);

	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	EXPECT_EQ(ENPU_STATUS_READY, npu_rd(n, ENPU_REG_STATUS));
	EXPECT_EQ(count + 1, npu_rd(n, ENPU_REG_DBG_RESETS_AT_WRITE));
	expect_reset_state(_metadata, n);

	/* it works again, from a cleared SRAM */
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_copy(&s, SRAM, VA_OUT, sizeof(out));
	st_end(&s);
	qt_memset(&self->qt, out_pa, sizeof(out), 0xff);
	run_job(n, a, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0)) TH_LOG("out[0] = 0x%x", out[0]);

	/*
	 * While a long job runs the worker resets, once the engine stopped.
	 * ACTIVE_SEQNO alone does not say the engine runs it: a job the
	 * doorbell deferred is the worker's, and a reset before the worker
	 * woke is one of an idle engine. Its first command done, it runs.
	 */
	st_init(&s);
	st_big_convs(&s, 3);
	st_end(&s);
	npu_job_prepare(n, &big, a, &s, 3);
	npu_submit(n, RING0, &big);
	ASSERT_TRUE(wait_running(n, RING0, 3));
	ASSERT_TRUE(npu_wait_reg(n, ENPU_RING_REG(RING0, ENPU_RING_PROGRESS), ~0u, 1,
				 NPU_WAIT_MS));
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	EXPECT_EQ(count + 1, npu_rd(n, ENPU_REG_DBG_RESETS_AT_WRITE));
	EXPECT_NE(3, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
}

TEST_F(npu, reset_during_long_job)
{
	enum { CONVS = 4 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j, big;
	uint32_t progress = 0, p;
	bool saw_progress = false;
	int64_t start;

	map_big(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_big_convs(&s, CONVS);
	st_end(&s);
	npu_job_prepare(n, &big, &self->as, &s, 50);
	npu_submit(n, RING0, &big);
	ASSERT_TRUE(wait_running(n, RING0, 50));

	/* PROGRESS moves while the job runs (what a hang check watches). */
	start = qt_now_ms();
	while (qt_now_ms() - start < NPU_WAIT_MS) {
		p = npu_ring_rd(n, RING0, ENPU_RING_PROGRESS);
		ASSERT_GE(p, progress);
		ASSERT_LT(p, CONVS);
		progress = p;
		if (p >= 1) {
			saw_progress = true;
			break;
		}
		usleep(1000);
	}
	ASSERT_TRUE(saw_progress);
	ASSERT_EQ(ENPU_RING_STATUS_BUSY, npu_ring_rd(n, RING0, ENPU_RING_STATUS));

	/*
	 * Reset: READY reads 0 until the device stopped the job (within
	 * ENPU_RESET_TIME_MAX_US, in the middle of a CONV2D: often before the
	 * next read), then 1.
	 */
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	expect_reset_state(_metadata, n);
	EXPECT_NE(50, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));

	/* Works again. */
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 51, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_JOBS_DONE));
}

/*
 * One CONV2D the size of a hostile job: 449x449x64 outputs of a 64x64x16
 * kernel over a 512x512x16 input, 8.5 * 10^11 MACs (hours of host time).
 * Its operands live at VA HUGE_VA (map_huge()).
 */
#define HUGE_VA		0x4000000u
#define HUGE_HW		512
#define HUGE_C		16
#define HUGE_K		64
#define HUGE_OC		64
#define HUGE_OHW	(HUGE_HW - HUGE_K + 1)
#define HUGE_IN		HUGE_VA
#define HUGE_FILT	(HUGE_IN + HUGE_HW * HUGE_HW * HUGE_C)
#define HUGE_QUANT	(HUGE_FILT + HUGE_OC * HUGE_K * HUGE_K * HUGE_C)
#define HUGE_OUT	(HUGE_QUANT + 8 * HUGE_OC)
#define HUGE_END	(HUGE_OUT + HUGE_OHW * HUGE_OHW * HUGE_OC)

static uint64_t map_huge(struct npu_as *a)
{
	return as_map_new(a, HUGE_VA, HUGE_END - HUGE_VA, NPU_RW);
}

static void st_huge_conv(struct npu_stream *s)
{
	struct enpu_cmd_conv2d c = {
		.input = HUGE_IN, .filter = HUGE_FILT, .quant = HUGE_QUANT,
		.output = HUGE_OUT, .batches = 1, .in_h = HUGE_HW, .in_w = HUGE_HW,
		.in_c = HUGE_C, .out_h = HUGE_OHW, .out_w = HUGE_OHW,
		.out_c = HUGE_OC, .kernel_h = HUGE_K, .kernel_w = HUGE_K,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.act_min = -128, .act_max = 127,
	};

	st_cmd(s, ENPU_OP_CONV2D, &c, sizeof(c));
}

/*
 * A reset stops even a command of hours within ENPU_RESET_TIME_MAX_US:
 * READY is back by then and the device runs the next job.
 */
TEST_F(npu, reset_stops_a_huge_command_in_bounded_time)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job huge, j;
	int64_t t0, took;

	map_huge(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_huge_conv(&s);
	st_end(&s);
	npu_job_prepare(n, &huge, &self->as, &s, 90);
	npu_submit(n, RING0, &huge);
	ASSERT_TRUE(wait_running(n, RING0, 90));
	usleep(100 * 1000);
	ASSERT_EQ(ENPU_RING_STATUS_BUSY, npu_ring_rd(n, RING0, ENPU_RING_STATUS));

	t0 = qt_now_ms();
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	took = qt_now_ms() - t0;
	EXPECT_GE(ENPU_RESET_TIME_MAX_US / 1000, took) TH_LOG("reset took %lld ms",
							      (long long)took);
	expect_reset_state(_metadata, n);
	EXPECT_EQ(ENPU_JOB_PENDING, gmem_r32(n, huge.desc.completion_addr + 4));

	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 91, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/*
 * ABORT_SEQNO aborts the running job only if it is the one named: a
 * driver aborting one job cannot hit the next one, which may belong to
 * someone else.
 */
TEST_F(npu, abort_seqno_ends_only_the_job_named)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job huge, next;

	map_huge(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_huge_conv(&s);
	st_end(&s);
	npu_job_prepare(n, &huge, &self->as, &s, 96);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	npu_job_prepare(n, &next, &self->as, &s, 97);
	npu_queue(n, RING0, &huge);
	npu_queue(n, RING0, &next);
	npu_kick(n, RING0);
	ASSERT_TRUE(wait_running(n, RING0, 96));

	npu_ring_wr(n, RING0, ENPU_RING_ABORT_SEQNO, 97);	/* not running */
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(ENPU_RING_STATUS_BUSY, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_EQ(96, npu_ring_rd(n, RING0, ENPU_RING_ACTIVE_SEQNO));
	npu_ring_wr(n, RING0, ENPU_RING_ABORT_SEQNO, 96);
	ASSERT_TRUE(npu_wait_completion(n, &huge, ENPU_RESET_TIME_MAX_US / 1000 + 1000));
	npu_completion(n, &huge, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	wait_job(n, &next);
	npu_completion(n, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_ABORT_SEQNO));
	EXPECT_EQ(ENPU_RING_CTRL_ENABLE, npu_ring_rd(n, RING0, ENPU_RING_CTRL));
}

/* ABORT cuts the running command short too: the job ends ABORTED at once. */
TEST_F(npu, abort_stops_a_huge_command_in_bounded_time)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job huge, next;
	int64_t t0, took;

	map_huge(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_huge_conv(&s);
	st_end(&s);
	npu_job_prepare(n, &huge, &self->as, &s, 92);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	npu_job_prepare(n, &next, &self->as, &s, 93);
	npu_queue(n, RING0, &huge);
	npu_queue(n, RING0, &next);
	npu_kick(n, RING0);
	ASSERT_TRUE(wait_running(n, RING0, 92));
	usleep(100 * 1000);

	t0 = qt_now_ms();
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	ASSERT_TRUE(npu_wait_completion(n, &huge, NPU_WAIT_MS));
	took = qt_now_ms() - t0;
	EXPECT_GE(ENPU_RESET_TIME_MAX_US / 1000, took) TH_LOG("abort took %lld ms",
							      (long long)took);
	npu_completion(n, &huge, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	EXPECT_EQ(0, c.commands);
	wait_job(n, &next);
	npu_completion(n, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/* The PCI Express capability, and its device control register. */
#define PCI_CAP_ID_EXP		0x10
#define PCI_EXP_DEVCAP		4
#define   PCI_EXP_DEVCAP_FLR	(1u << 28)
#define PCI_EXP_DEVCTL		8
#define   PCI_EXP_DEVCTL_FLR	0x8000

/*
 * A function level reset, then the function set up again as after boot
 * (BARs, bus mastering, MSI-X); the test's guest memory is kept.
 */
static void npu_flr(struct npu *n, int exp_cap)
{
	uint64_t heap = n->heap;
	uint16_t ctl = qt_pci_cfg_readw(n->qt, n->devfn, exp_cap + PCI_EXP_DEVCTL);

	qt_pci_cfg_writew(n->qt, n->devfn, exp_cap + PCI_EXP_DEVCTL,
			  ctl | PCI_EXP_DEVCTL_FLR);
	npu_open(n, n->qt);
	n->heap = heap;
}

/*
 * A soft reset that never completes (injected): the job goes on and
 * writes everything it was given, READY stays 0 whatever software does,
 * further soft resets change nothing; only a function level reset (a
 * hard reset) stops the device and brings it back.
 */
TEST_F(npu, stuck_soft_reset_needs_a_function_reset)
{
	enum { CONVS = 3, VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job big, j;
	uint8_t out[64];
	uint64_t out_pa;
	int exp;

	exp = qt_pci_find_cap(n->qt, n->devfn, PCI_CAP_ID_EXP);
	ASSERT_NE(0, exp) TH_LOG("on q35 the NPU is a PCI Express function");
	ASSERT_TRUE(qt_pci_cfg_readl(n->qt, n->devfn, exp + PCI_EXP_DEVCAP) &
		    PCI_EXP_DEVCAP_FLR);

	map_big(&self->as);
	out_pa = as_map_new(&self->as, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_big_convs(&s, CONVS);
	st_fill(&s, VA_OUT, 0x77, sizeof(out));
	st_end(&s);
	npu_job_prepare(n, &big, &self->as, &s, 60);
	npu_submit(n, RING0, &big);
	ASSERT_TRUE(wait_running(n, RING0, 60));

	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_STUCK_RESET);
	EXPECT_EQ(ENPU_INJECT_STUCK_RESET, npu_rd(n, ENPU_REG_DBG_INJECT));
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_STATUS) & ENPU_STATUS_READY);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));

	/* The job runs to its end and writes its output and completion. */
	wait_job(n, &big);
	npu_completion(n, &big, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x77));
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_STATUS) & ENPU_STATUS_READY);

	npu_flr(n, exp);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	expect_reset_state(_metadata, n);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 61, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/* A function level reset stops a running job as any reset does. */
TEST_F(npu, function_reset_stops_a_huge_command)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job huge, j;
	int64_t t0;
	int exp = qt_pci_find_cap(n->qt, n->devfn, PCI_CAP_ID_EXP);

	ASSERT_NE(0, exp);
	map_huge(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_huge_conv(&s);
	st_end(&s);
	npu_job_prepare(n, &huge, &self->as, &s, 94);
	npu_submit(n, RING0, &huge);
	ASSERT_TRUE(wait_running(n, RING0, 94));

	t0 = qt_now_ms();
	npu_flr(n, exp);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	EXPECT_GE(ENPU_RESET_TIME_MAX_US / 1000, qt_now_ms() - t0);
	expect_reset_state(_metadata, n);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 95, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/*
 * DONE_SEQNO can be set while the ring is disabled (software continuing
 * its sequence after a reset), not while it is enabled.
 */
TEST_F(npu, done_seqno_set_while_disabled)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	npu_ring_wr(n, RING0, ENPU_RING_DONE_SEQNO, 0xfffffff0u);
	EXPECT_EQ(0xfffffff0u, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	npu_ring_init(n, RING0, 8);
	EXPECT_EQ(0xfffffff0u, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	npu_ring_wr(n, RING0, ENPU_RING_DONE_SEQNO, 5);
	EXPECT_EQ(0xfffffff0u, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_TRUE(qt_log_contains(n->qt, "DONE_SEQNO written while enabled"));

	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 0xfffffff1u, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(0xfffffff1u, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
}

/*
 * ASID_RETIRE: the retired address space's SRAM is cleared before the
 * next job of the same ASID (a new address space given a freed ASID);
 * without it jobs of one ASID hand data over in SRAM.
 */
TEST_F(npu, retired_asid_finds_sram_cleared)
{
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream fill, peek;
	struct npu_as again;
	struct npu_job j;
	uint8_t out[256];
	uint64_t pa;

	as_map_new(&self->as, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);
	st_init(&fill);
	st_fill(&fill, SRAM, 0xc3, sizeof(out));
	st_end(&fill);
	st_init(&peek);
	st_copy(&peek, SRAM, VA_OUT, sizeof(out));
	st_end(&peek);

	run_job(n, &self->as, RING0, &fill, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	npu_wr(n, ENPU_REG_ASID_RETIRE, self->as.asid + 1);	/* someone else */
	run_job(n, &self->as, RING0, &peek, 2, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, as_pa(&self->as, VA_OUT), out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0xc3));

	npu_wr(n, ENPU_REG_ASID_RETIRE, self->as.asid);
	as_init(&again, n, self->as.asid);
	pa = as_map_new(&again, VA_OUT, 4096, NPU_RW);
	run_job(n, &again, RING0, &peek, 3, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0)) TH_LOG("out[0] = 0x%x", out[0]);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_ASID_RETIRE));
}

TEST_F(npu, abort_hung_job_then_next_runs)
{
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job hung, next;
	uint8_t out[32];
	uint64_t out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);

	npu_ring_init(n, RING0, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);

	/* A job that retires three commands first (PROGRESS must not keep its count). */
	st_init(&s);
	st_nop(&s);
	st_nop(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, a, RING0, &s, 69, &next, &c);
	ASSERT_EQ(3, c.commands);
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);

	/* Armed injections read back until they fire. */
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG);
	EXPECT_EQ(ENPU_INJECT_HANG, npu_rd(n, ENPU_REG_DBG_INJECT));

	st_init(&s);
	st_fill(&s, VA_OUT, 0x31, sizeof(out));
	st_end(&s);
	npu_job_prepare(n, &hung, a, &s, 70);
	st_init(&s);
	st_fill(&s, VA_OUT + 64, 0x32, sizeof(out));
	st_end(&s);
	npu_job_prepare(n, &next, a, &s, 71);
	npu_queue(n, RING0, &hung);
	npu_queue(n, RING0, &next);
	npu_kick(n, RING0);
	ASSERT_TRUE(wait_running(n, RING0, 70));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT) & ENPU_INJECT_HANG);

	/* Hung: nothing moves. */
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(ENPU_RING_STATUS_BUSY, npu_ring_rd(n, RING0, ENPU_RING_STATUS));
	EXPECT_EQ(70, npu_ring_rd(n, RING0, ENPU_RING_ACTIVE_SEQNO));
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_PROGRESS));
	EXPECT_EQ(69, npu_ring_rd(n, RING0, ENPU_RING_DONE_SEQNO));
	EXPECT_EQ(1, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_STATUS));
	EXPECT_EQ(ENPU_JOB_PENDING, gmem_r32(n, hung.desc.completion_addr + 4));
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0));

	/* ABORT (the ring stays enabled): ABORTED, then the next job runs. */
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	wait_job(n, &next);
	npu_completion(n, &hung, &c);
	EXPECT_EQ(70, c.seqno);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	EXPECT_EQ(0, c.commands);
	npu_completion(n, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa + 64, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x32));
	EXPECT_EQ(3, npu_rd(n, ENPU_REG_JOBS_DONE));
	EXPECT_EQ(3, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(ENPU_RING_CTRL_ENABLE, npu_ring_rd(n, RING0, ENPU_RING_CTRL));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u,
				 ENPU_IRQ_RING_DONE(0) | ENPU_IRQ_JOB_ERROR, NPU_WAIT_MS));

	/* ABORT of an idle ring changes nothing. */
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, a, RING0, &s, 72, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/*
 * ABORT of a job of several commands: the running command is cut short
 * (its MACs counted, its result not written), the rest never starts, and
 * the next job runs.
 */
TEST_F(npu, abort_long_job_cuts_the_running_command)
{
	enum { CONVS = 4 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job big, next;
	const uint64_t per_conv = (uint64_t)BIG_HW * BIG_HW * BIG_C * 9 * BIG_C;

	map_big(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_big_convs(&s, CONVS);
	st_end(&s);
	npu_job_prepare(n, &big, &self->as, &s, 80);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	npu_job_prepare(n, &next, &self->as, &s, 81);
	npu_queue(n, RING0, &big);
	npu_queue(n, RING0, &next);
	npu_kick(n, RING0);
	ASSERT_TRUE(wait_running(n, RING0, 80));
	ASSERT_TRUE(npu_wait_reg(n, ENPU_RING_REG(RING0, ENPU_RING_PROGRESS), ~0u, 1,
				 NPU_WAIT_MS));

	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	wait_job(n, &next);
	npu_completion(n, &big, &c);
	EXPECT_EQ(80, c.seqno);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	EXPECT_GE(c.commands, 1);
	EXPECT_LT(c.commands, CONVS);
	EXPECT_LE(c.commands * per_conv, c.macs);
	EXPECT_GE((c.commands + 1) * per_conv, c.macs);
	EXPECT_GT(c.cycles, 0);
	npu_completion(n, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/* ======================================================================== */
/* Fault injection                                                          */
/* ======================================================================== */

TEST_F(npu, inject_bits_read_back_until_fired)
{
	struct npu *n = &self->n;
	uint32_t bit;

	/* No ring is enabled: nothing can consume them. */
	for (bit = 1; bit & ENPU_INJECT_ALL; bit <<= 1) {
		npu_wr(n, ENPU_REG_DBG_INJECT, bit);
		EXPECT_EQ(bit, npu_rd(n, ENPU_REG_DBG_INJECT) & bit) TH_LOG("bit 0x%x", bit);
	}
	EXPECT_EQ(ENPU_INJECT_ALL, npu_rd(n, ENPU_REG_DBG_INJECT));
	/* Writing 0 disarms nothing ("writing 1s arms"). */
	npu_wr(n, ENPU_REG_DBG_INJECT, 0);
	EXPECT_EQ(ENPU_INJECT_ALL, npu_rd(n, ENPU_REG_DBG_INJECT));
	/*
	 * A soft reset fires the stuck-reset injection: it does not happen,
	 * the others stay armed. A reset that happens disarms them all.
	 */
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	EXPECT_EQ(ENPU_INJECT_ALL & ~ENPU_INJECT_STUCK_RESET,
		  npu_rd(n, ENPU_REG_DBG_INJECT));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_STATUS) & ENPU_STATUS_READY);
	npu_flr(n, qt_pci_find_cap(n->qt, n->devfn, PCI_CAP_ID_EXP));
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG | ENPU_INJECT_DROP_IRQ);
	npu_wr(n, ENPU_REG_RESET, ENPU_RESET_MAGIC);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
				 NPU_WAIT_MS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));
}

/*
 * Job faults written with bit 31 wait for ring 1's next job: ring 0's jobs
 * run untouched meanwhile.
 */
TEST_F(npu, inject_ring1_spares_ring0)
{
	enum { VA = 0x10000 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	as_map_new(&self->as, VA, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);
	npu_ring_init(n, RING1, 8);
	st_init(&s);
	st_fill(&s, VA, 1, 64);
	st_end(&s);
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_RING1 | ENPU_INJECT_MMU_FAULT |
	       ENPU_INJECT_DMA_ERROR);
	EXPECT_EQ(ENPU_INJECT_RING1 | ENPU_INJECT_MMU_FAULT | ENPU_INJECT_DMA_ERROR,
		  npu_rd(n, ENPU_REG_DBG_INJECT));
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	run_job(n, &self->as, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	run_job(n, &self->as, RING1, &s, 3, &j, &c);
	EXPECT_TRUE(c.status == ENPU_JOB_MMU_FAULT || c.status == ENPU_JOB_DMA_ERROR)
		TH_LOG("ring 1's job ended with %u", c.status);
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT) & ENPU_INJECT_RING1);
	run_job(n, &self->as, RING1, &s, 4, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);

	/* a hang too */
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_RING1 | ENPU_INJECT_HANG);
	run_job(n, &self->as, RING0, &s, 5, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	npu_job_prepare(n, &j, &self->as, &s, 6);
	npu_submit(n, RING1, &j);
	ASSERT_TRUE(wait_running(n, RING1, 6));
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(6, npu_ring_rd(n, RING1, ENPU_RING_ACTIVE_SEQNO));
	EXPECT_EQ(0, npu_ring_rd(n, RING1, ENPU_RING_PROGRESS));
	npu_ring_wr(n, RING1, ENPU_RING_ABORT_SEQNO, 6);
	ASSERT_TRUE(npu_wait_completion(n, &j, NPU_WAIT_MS));
	npu_completion(n, &j, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
}

TEST_F(npu, inject_dma_error_fires_once)
{
	enum { VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t out[32];
	uint64_t out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);

	npu_ring_init(n, RING0, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&s);
	st_fill(&s, VA_OUT, 0x4d, sizeof(out));
	st_end(&s);

	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_DMA_ERROR);
	run_job(n, a, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, c.status);
	EXPECT_EQ(1, c.seqno);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u,
				 ENPU_IRQ_RING_DONE(0) | ENPU_IRQ_JOB_ERROR, NPU_WAIT_MS));

	/* Once only. */
	run_job(n, a, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, sizeof(out));
	EXPECT_TRUE(all_bytes(out, sizeof(out), 0x4d));
}

TEST_F(npu, inject_drop_irq_fires_once)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	npu_ring_init(n, RING0, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&s);
	st_nop(&s);
	st_end(&s);

	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_DROP_IRQ);
	npu_msi_clear(n);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	/* The cause latches, the message is not sent. */
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_RING_DONE(0),
				 NPU_WAIT_MS));
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_FALSE(npu_msi_seen(n));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));

	/* The next one arrives. */
	npu_wr(n, ENPU_REG_IRQ_CLEAR, ENPU_IRQ_ALL);
	run_job(n, &self->as, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_TRUE(npu_msi_wait(n, NPU_WAIT_MS));
	EXPECT_EQ(ENPU_IRQ_RING_DONE(0), npu_rd(n, ENPU_REG_IRQ_STATUS));
}

TEST_F(npu, inject_drop_doorbell_fires_once)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j, k;

	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_nop(&s);
	st_end(&s);

	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_DROP_DOORBELL);
	EXPECT_EQ(ENPU_INJECT_DROP_DOORBELL, npu_rd(n, ENPU_REG_DBG_INJECT));
	npu_job_prepare(n, &j, &self->as, &s, 21);
	npu_submit(n, RING0, &j);
	/* The write is lost: TAIL did not move, the job does not run. */
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_EQ(0, npu_ring_rd(n, RING0, ENPU_RING_HEAD));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_JOBS_DONE));

	/* The next doorbell announces it along with the next job. */
	npu_job_prepare(n, &k, &self->as, &s, 22);
	npu_submit(n, RING0, &k);
	EXPECT_EQ(2, npu_ring_rd(n, RING0, ENPU_RING_TAIL));
	wait_job(n, &k);
	npu_completion(n, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(21, c.seqno);
	npu_completion(n, &k, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(2, npu_rd(n, ENPU_REG_JOBS_DONE));
}

TEST_F(npu, inject_mmu_fault_fires_once)
{
	enum { VA_IN = 0x10000, VA_OUT = 0x20000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t out[32];
	uint64_t out_pa;

	as_map_new(a, VA_IN, 4096, NPU_RW);
	out_pa = as_map_new(a, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
	st_init(&s);
	st_nop(&s);
	st_copy(&s, VA_IN, VA_OUT, sizeof(out));
	st_fill(&s, VA_OUT, 0x3e, 1);
	st_end(&s);

	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_MMU_FAULT);
	run_job(n, a, RING0, &s, 11, &j, &c);
	/* Faults at its first access, the copy's read of VA_IN, although mapped. */
	EXPECT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	EXPECT_EQ(VA_IN, c.fault_addr);
	EXPECT_EQ(ENPU_FAULT_VALID, c.error_info & ENPU_FAULT_VALID);
	EXPECT_EQ(4, c.error_offset);
	EXPECT_EQ(ENPU_FAULT_VALID, npu_rd(n, ENPU_REG_MMU_FAULT_STATUS) & ENPU_FAULT_VALID);
	EXPECT_EQ(VA_IN, npu_rd(n, ENPU_REG_MMU_FAULT_ADDR));
	EXPECT_EQ(11, npu_rd(n, ENPU_REG_MMU_FAULT_SEQNO));
	EXPECT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_RING_DONE(0) |
				 ENPU_IRQ_JOB_ERROR | ENPU_IRQ_MMU_FAULT, NPU_WAIT_MS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_INJECT));

	/* Once only. */
	run_job(n, a, RING0, &s, 12, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa, out, 1);
	EXPECT_EQ(0x3e, out[0]);
}

/*
 * "bit 3: the next job takes an MMU fault at its first access". When the
 * next job's accesses are all to SRAM, the injection must still be used
 * up by that job: it may not fire on a later one.
 */
TEST_F(npu, inject_mmu_fault_is_consumed_by_next_job)
{
	enum { VA_OUT = 0x20000 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	as_map_new(a, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);

	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_MMU_FAULT);
	st_init(&s);
	st_fill(&s, SRAM, 0x21, 64);
	st_end(&s);
	run_job(n, a, RING0, &s, 1, &j, &c);
	TH_LOG("SRAM-only job after arming MMU_FAULT: status %u", c.status);

	st_init(&s);
	st_fill(&s, VA_OUT, 0x22, 64);
	st_end(&s);
	run_job(n, a, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status)
		TH_LOG("the injection armed before job 1 fired on job 2 (fault_addr 0x%x)",
		       c.fault_addr);
}

/* ======================================================================== */
/* Semaphores                                                               */
/* ======================================================================== */

TEST_F(npu, semaphores_order_dma_and_compute)
{
	enum { VA_OUT = 0x10000, LEN = 256 };
	struct npu *n = &self->n;
	struct npu_as *a = &self->as;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	uint8_t out[LEN];
	uint64_t out_pa = as_map_new(a, VA_OUT, 3 * 4096, NPU_RW);

	npu_ring_init(n, RING0, 8);

	/* SRAM holds 0x11. */
	st_init(&s);
	st_fill(&s, SRAM, 0x11, LEN);
	st_end(&s);
	run_job(n, a, RING0, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(LEN, c.sram_write);

	/* Fill 0x22; SIGNAL/WAIT; compute reads SRAM: sees 0x22, having stalled. */
	st_init(&s);
	st_fill(&s, SRAM, 0x22, LEN);
	st_sync(&s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, 0);
	st_sync(&s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, 0);
	st_pool_copy(&s, SRAM, VA_OUT, LEN);
	st_end(&s);
	run_job(n, a, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(4, c.commands);
	EXPECT_GT(c.stall_cycles, 0);
	EXPECT_EQ(LEN, c.sram_read);
	EXPECT_EQ(LEN, c.sram_write);
	gmem_read(n, out_pa, out, LEN);
	EXPECT_TRUE(all_bytes(out, LEN, 0x22)) TH_LOG("out[0] = 0x%x", out[0]);

	/* Without the WAIT the compute engine reads before the fill lands: stale. */
	st_init(&s);
	st_fill(&s, SRAM, 0x33, LEN);
	st_pool_copy(&s, SRAM, VA_OUT + 4096, LEN);
	st_end(&s);
	run_job(n, a, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_EQ(0, c.stall_cycles);
	gmem_read(n, out_pa + 4096, out, LEN);
	EXPECT_TRUE(all_bytes(out, LEN, 0x22)) TH_LOG("out[0] = 0x%x", out[0]);

	/* ... but the fill did land. */
	st_init(&s);
	st_pool_copy(&s, SRAM, VA_OUT + 8192, LEN);
	st_end(&s);
	run_job(n, a, RING0, &s, 4, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, out_pa + 8192, out, LEN);
	EXPECT_TRUE(all_bytes(out, LEN, 0x33)) TH_LOG("out[0] = 0x%x", out[0]);
}

/* ======================================================================== */
/* Hot-unplug and migration                                                 */
/* ======================================================================== */

/*
 * Hot-unplug while one command of hours runs (i440fx's ACPI hotplug, the
 * guest's eject being a port write) completes within the reset bound: the
 * device stops its worker in the middle of the command instead of
 * freezing the machine until the command ends.
 */
TEST_F(qemu, unplug_during_a_huge_command)
{
	static const char *const args[] = { "-device", "edgenpu,debug=on,id=npu", NULL };
	struct npu *n = &self->n;
	struct npu_stream s;
	struct npu_job huge;
	int64_t t0, took;
	int slot;

	ASSERT_EQ(0, qt_start_on(&self->qt, QT_PC, args));
	npu_open(n, &self->qt);
	as_init(&self->as, n, 1);
	map_huge(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_huge_conv(&s);
	st_end(&s);
	npu_job_prepare(n, &huge, &self->as, &s, 1);
	npu_submit(n, RING0, &huge);
	ASSERT_TRUE(wait_running(n, RING0, 1));
	usleep(100 * 1000);

	slot = n->devfn >> 3;
	ASSERT_EQ(0, qt_qmp(&self->qt, "{\"execute\": \"device_del\", "
			    "\"arguments\": {\"id\": \"npu\"}}")) TH_LOG("%s", self->qt.qmp_reply);
	t0 = qt_now_ms();
	qt_outl(&self->qt, 0xae08, 1u << slot);	/* PIIX4 ACPI PCI hotplug: eject */
	ASSERT_TRUE(qt_qmp_event_wait(&self->qt, "DEVICE_DELETED", NPU_WAIT_MS));
	took = qt_now_ms() - t0;
	EXPECT_GE(ENPU_RESET_TIME_MAX_US / 1000 + 500, took) TH_LOG("unplug took %lld ms",
								    (long long)took);
	EXPECT_EQ(-1, qt_pci_find(&self->qt, ENPU_PCI_VENDOR_ID, ENPU_PCI_DEVICE_ID));
}

/* query-status says @status. */
static bool qt_status_is(struct qt *q, const char *status)
{
	char want[64];

	snprintf(want, sizeof(want), "\"status\": \"%s\"", status);
	return !qt_qmp(q, "{\"execute\": \"query-status\"}") && strstr(q->qmp_reply, want);
}

/*
 * Migrates @src to a new QEMU started in @dst (its file at @path) and
 * waits until the destination is in @status: "running", or "paused" when
 * the source was stopped.
 */
static void migrate_to(struct __test_metadata *_metadata, struct qt *src, struct qt *dst,
		       const char *path, const char *status)
{
	char incoming[160];
	const char *args[] = { "-device", "edgenpu,debug=on", "-incoming", incoming, NULL };
	int64_t t0 = qt_now_ms();

	ASSERT_EQ(0, qt_qmp(src, "{\"execute\": \"migrate\", \"arguments\": "
			    "{\"uri\": \"file:%s\"}}", path)) TH_LOG("%s", src->qmp_reply);
	do {
		ASSERT_EQ(0, qt_qmp(src, "{\"execute\": \"query-migrate\"}"));
		ASSERT_EQ(NULL, strstr(src->qmp_reply, "\"failed\"")) TH_LOG("%s", src->qmp_reply);
		if (strstr(src->qmp_reply, "\"completed\""))
			break;
		usleep(10000);
	} while (qt_now_ms() - t0 < NPU_WAIT_MS);
	ASSERT_NE(NULL, strstr(src->qmp_reply, "\"completed\"")) TH_LOG("%s", src->qmp_reply);
	qt_cleanup(src);

	snprintf(incoming, sizeof(incoming), "file:%s", path);
	ASSERT_EQ(0, qt_start(dst, args));
	while (!qt_status_is(dst, status) && qt_now_ms() - t0 < 2 * NPU_WAIT_MS)
		usleep(10000);
	ASSERT_TRUE(qt_status_is(dst, status)) TH_LOG("%s", dst->qmp_reply);
}

static void migrate(struct __test_metadata *_metadata, struct qt *src, struct qt *dst,
		    const char *path)
{
	migrate_to(_metadata, src, dst, path, "running");
}

/* A file for a migration stream, in @path. */
static int migration_file(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/enpu-migrate-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/*
 * A machine migrates while its NPU runs a command of hours: the device
 * parks the command when the machine stops (within the abort bound)
 * instead of refusing to be saved, and on the destination the same job
 * runs on -- busy, the same sequence number -- until an abort ends it;
 * the job queued behind it then runs.
 */
TEST_F(qemu, migration_during_a_huge_command)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s, nop;
	struct npu_job huge, next;
	struct qt dst;
	char path[64];
	int64_t t0;

	memset(&dst, 0, sizeof(dst));
	ASSERT_EQ(0, migration_file(path, sizeof(path)));
	ASSERT_EQ(0, qt_start(&self->qt, dev_debug));
	npu_open(n, &self->qt);
	as_init(&self->as, n, 1);
	map_huge(&self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_huge_conv(&s);
	st_end(&s);
	st_init(&nop);
	st_nop(&nop);
	st_end(&nop);
	npu_job_prepare(n, &huge, &self->as, &s, 1);
	npu_job_prepare(n, &next, &self->as, &nop, 2);
	npu_queue(n, RING0, &huge);
	npu_queue(n, RING0, &next);
	npu_kick(n, RING0);
	ASSERT_TRUE(wait_running(n, RING0, 1));
	usleep(100 * 1000);

	t0 = qt_now_ms();
	migrate(_metadata, &self->qt, &dst, path);
	unlink(path);
	TH_LOG("migrated with the command running in %lld ms", (long long)(qt_now_ms() - t0));
	n->qt = &dst;
	EXPECT_TRUE(npu_ring_rd(n, RING0, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY);
	EXPECT_EQ(1, npu_ring_rd(n, RING0, ENPU_RING_ACTIVE_SEQNO));
	EXPECT_EQ(ENPU_JOB_PENDING, gmem_r32(n, huge.desc.completion_addr + 4));

	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	ASSERT_TRUE(npu_wait_completion(n, &huge, NPU_WAIT_MS));
	npu_completion(n, &huge, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	wait_job(n, &next);
	npu_completion(n, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	EXPECT_FALSE(qt_log_contains(&dst, "edgenpu: "));
	qt_cleanup(&dst);
}

/*
 * The pipeline for the next test: ROUNDS convolutions of the big operands
 * (map_big()), each result copied back over the input by the DMA engine,
 * the engines ordered by semaphores. Every round depends on the one
 * before, so a replayed or lost part shows in the output.
 */
#define PIPE_ROUNDS	6

static void st_pipeline(struct npu_stream *s)
{
	int r;

	for (r = 0; r < PIPE_ROUNDS; r++) {
		if (r)
			st_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_COMPUTE, 1);
		st_big_convs(s, 1);
		st_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_COMPUTE, 0);
		st_sync(s, ENPU_OP_WAIT, ENPU_ENGINE_DMA, 0);
		st_copy(s, BIG_OUT, BIG_IN, BIG_HW * BIG_HW * BIG_C);
		st_sync(s, ENPU_OP_SIGNAL, ENPU_ENGINE_DMA, 1);
	}
	st_end(s);
}

/* Input, filter and quantisation of the pipeline, the same every time. */
static void pipeline_data(struct npu *n, struct npu_as *a)
{
	enum { IN = BIG_HW * BIG_HW * BIG_C, FILT = 9 * BIG_C * BIG_C };
	int32_t quant[2 * BIG_C];
	uint8_t *buf = malloc(IN);
	int i;

	if (!buf)
		qt_fatal(n->qt, "out of memory");
	pattern(buf, IN, 11);
	gmem_write(n, as_pa(a, BIG_IN), buf, IN);
	pattern(buf, FILT, 12);
	gmem_write(n, as_pa(a, BIG_FILT), buf, FILT);
	for (i = 0; i < BIG_C; i++) {
		quant[i] = (1 << 30) + i * 7919;
		quant[BIG_C + i] = -11;
	}
	gmem_write(n, as_pa(a, BIG_QUANT), quant, sizeof(quant));
	free(buf);
}

/*
 * A job stopped midway with its machine -- the device goes still: no
 * command retires while the machine is stopped -- migrates and, when
 * the destination runs, ends with the bits and counters of the same job
 * run without a migration.
 */
TEST_F(qemu, job_migrated_midway_ends_the_same)
{
	enum { OUT = BIG_HW * BIG_HW * BIG_C };
	struct npu *n = &self->n;
	struct enpu_job_completion c, ref;
	struct npu_stream s;
	struct npu_job j;
	uint32_t progress;
	uint8_t *got = malloc(OUT), *want = malloc(OUT);
	struct qt dst;
	char path[64];
	int distinct = 0, seen[256] = { 0 }, i;
	int64_t t0;

	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, want);
	memset(&dst, 0, sizeof(dst));
	ASSERT_EQ(0, migration_file(path, sizeof(path)));
	ASSERT_EQ(0, qt_start(&self->qt, dev_debug));
	npu_open(n, &self->qt);
	as_init(&self->as, n, 1);
	map_big(&self->as);
	pipeline_data(n, &self->as);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_pipeline(&s);
	npu_job_prepare(n, &j, &self->as, &s, 1);
	npu_submit(n, RING0, &j);
	t0 = qt_now_ms();
	while (npu_ring_rd(n, RING0, ENPU_RING_PROGRESS) < 3 && qt_now_ms() - t0 < NPU_WAIT_MS)
		usleep(1000);

	/* stopped, the device is still: the job stays where it parked */
	ASSERT_EQ(0, qt_qmp(&self->qt, "{\"execute\": \"stop\"}"));
	usleep(100 * 1000);
	progress = npu_ring_rd(n, RING0, ENPU_RING_PROGRESS);
	ASSERT_LE(3, progress);
	usleep(300 * 1000);
	ASSERT_TRUE(npu_ring_rd(n, RING0, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY)
		TH_LOG("the job ended before the machine stopped");
	EXPECT_EQ(progress, npu_ring_rd(n, RING0, ENPU_RING_PROGRESS));
	EXPECT_GT(6 * PIPE_ROUNDS, progress);

	migrate_to(_metadata, &self->qt, &dst, path, "paused");
	unlink(path);
	n->qt = &dst;
	EXPECT_TRUE(npu_ring_rd(n, RING0, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY);
	EXPECT_EQ(1, npu_ring_rd(n, RING0, ENPU_RING_ACTIVE_SEQNO));
	EXPECT_EQ(progress, npu_ring_rd(n, RING0, ENPU_RING_PROGRESS));
	ASSERT_EQ(0, qt_qmp(&dst, "{\"execute\": \"cont\"}"));
	wait_job(n, &j);
	npu_completion(n, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	gmem_read(n, as_pa(&self->as, BIG_OUT), got, OUT);

	/* the same job again from the same data, not migrated */
	pipeline_data(n, &self->as);
	run_job(n, &self->as, RING0, &s, 2, &j, &ref);
	ASSERT_EQ(ENPU_JOB_OK, ref.status);
	gmem_read(n, as_pa(&self->as, BIG_OUT), want, OUT);
	EXPECT_EQ(0, memcmp(want, got, OUT));
	EXPECT_EQ(ref.commands, c.commands);
	EXPECT_EQ(ref.macs, c.macs);
	EXPECT_EQ(ref.cycles, c.cycles);
	EXPECT_EQ(ref.dram_read, c.dram_read);
	EXPECT_EQ(ref.dram_write, c.dram_write);
	EXPECT_EQ(ref.stall_cycles, c.stall_cycles);
	for (i = 0; i < OUT; i++)
		distinct += !seen[want[i]]++;
	EXPECT_LT(20, distinct) TH_LOG("the pipeline's output is nearly constant");
	EXPECT_FALSE(qt_log_contains(&dst, "edgenpu: "));
	free(got);
	free(want);
	qt_cleanup(&dst);
}

/* A hung job migrates hung; an abort on the destination ends it. */
TEST_F(qemu, hung_job_migrates)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job hung, next;
	struct qt dst;
	char path[64];

	memset(&dst, 0, sizeof(dst));
	ASSERT_EQ(0, migration_file(path, sizeof(path)));
	ASSERT_EQ(0, qt_start(&self->qt, dev_debug));
	npu_open(n, &self->qt);
	as_init(&self->as, n, 1);
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	npu_job_prepare(n, &hung, &self->as, &s, 1);
	npu_job_prepare(n, &next, &self->as, &s, 2);
	npu_wr(n, ENPU_REG_DBG_INJECT, ENPU_INJECT_HANG);
	npu_queue(n, RING0, &hung);
	npu_queue(n, RING0, &next);
	npu_kick(n, RING0);
	ASSERT_TRUE(wait_running(n, RING0, 1));

	migrate(_metadata, &self->qt, &dst, path);
	unlink(path);
	n->qt = &dst;
	usleep(NPU_QUIET_MS * 1000);
	EXPECT_TRUE(npu_ring_rd(n, RING0, ENPU_RING_STATUS) & ENPU_RING_STATUS_BUSY);
	EXPECT_EQ(1, npu_ring_rd(n, RING0, ENPU_RING_ACTIVE_SEQNO));
	npu_ring_wr(n, RING0, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE | ENPU_RING_CTRL_ABORT);
	ASSERT_TRUE(npu_wait_completion(n, &hung, NPU_WAIT_MS));
	npu_completion(n, &hung, &c);
	EXPECT_EQ(ENPU_JOB_ABORTED, c.status);
	wait_job(n, &next);
	npu_completion(n, &next, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
	qt_cleanup(&dst);
}

/*
 * SRAM migrates with its owner: after a migration the address space that
 * owned it on the source finds its data, and the first job of another one
 * finds it cleared (a destination that forgot the owner let the next
 * address space read the previous one's SRAM).
 */
TEST_F(qemu, sram_and_its_owner_migrate)
{
	enum { VA_OUT = 0x10000, LEN = 256 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream fill, peek;
	struct npu_as other;
	struct npu_job j;
	struct qt dst;
	uint8_t out[LEN];
	char path[64];
	int round, fd;

	st_init(&fill);
	st_fill(&fill, SRAM, 0x5a, LEN);
	st_end(&fill);
	st_init(&peek);
	st_copy(&peek, SRAM, VA_OUT, LEN);
	st_end(&peek);
	for (round = 0; round < 2; round++) {
		struct npu_as *reader = round ? &self->as : &other;

		memset(&dst, 0, sizeof(dst));
		snprintf(path, sizeof(path), "/tmp/enpu-migrate-XXXXXX");
		fd = mkstemp(path);
		ASSERT_LE(0, fd);
		close(fd);
		ASSERT_EQ(0, qt_start(&self->qt, dev_debug));
		npu_open(n, &self->qt);
		as_init(&self->as, n, 1);
		as_init(&other, n, 2);
		as_map_new(&self->as, VA_OUT, 4096, NPU_RW);
		as_map_new(&other, VA_OUT, 4096, NPU_RW);
		npu_ring_init(n, RING0, 8);
		run_job(n, &self->as, RING0, &fill, 1, &j, &c);
		ASSERT_EQ(ENPU_JOB_OK, c.status);

		migrate(_metadata, &self->qt, &dst, path);
		unlink(path);
		n->qt = &dst;
		run_job(n, reader, RING0, &peek, 2, &j, &c);
		EXPECT_EQ(ENPU_JOB_OK, c.status);
		gmem_read(n, as_pa(reader, VA_OUT), out, LEN);
		/* the owner finds its data; another address space, zeros */
		EXPECT_TRUE(all_bytes(out, LEN, round ? 0x5a : 0))
			TH_LOG("round %d: out[0] = 0x%x", round, out[0]);
		qt_cleanup(&dst);
	}
}

/*
 * The NPU's DMA reaches memory only: a job whose page table points at the
 * device's own registers gets a DMA error, reading or writing, and the
 * registers are untouched (before: the fill wrote SCRATCH, through the
 * big lock, from the worker thread).
 */
TEST_F(npu, dma_to_device_registers_is_a_bus_error)
{
	enum { VA_REGS = 0x300000, VA_OUT = 0x10000 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;

	npu_wr(n, ENPU_REG_SCRATCH, 0x5ca1ab1e);
	as_map_page(&self->as, VA_REGS, n->regs, NPU_RW);
	as_map_new(&self->as, VA_OUT, 4096, NPU_RW);
	npu_ring_init(n, RING0, 8);

	st_init(&s);
	st_fill(&s, VA_REGS + ENPU_REG_SCRATCH, 0x77, 4);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, c.status);
	EXPECT_EQ(0x5ca1ab1e, npu_rd(n, ENPU_REG_SCRATCH));

	st_init(&s);
	st_copy(&s, VA_REGS, VA_OUT, 64);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 2, &j, &c);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, c.status);

	/* and the device goes on */
	st_init(&s);
	st_fill(&s, VA_OUT, 0x11, 64);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

/*
 * The engine compares a kept layer's weights where they lie (its pack
 * cache) instead of reading them: weights moved onto device registers
 * since are still a bus error, as any DMA there is, even when the bytes
 * it kept (zeros) are what a failed read would have left.
 */
TEST_F(npu, kept_weights_moved_to_registers_is_a_bus_error)
{
	enum { IN = 64, OUT = 32, VA_IO = 0x10000, VA_W = 0x20000,
	       V_IN = VA_IO, V_Q = VA_IO + 0x100, V_OUT = VA_IO + 0x400 };
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct npu_stream s;
	struct npu_job j;
	const struct enpu_cmd_fc fc = {
		.flags = ENPU_FC_FLAG_PER_CHANNEL, .input = V_IN, .filter = VA_W,
		.quant = V_Q, .output = V_OUT, .batches = 1, .in_depth = IN,
		.out_depth = OUT, .act_min = -128, .act_max = 127,
	};
	int32_t quant[2 * OUT];
	uint64_t io_pa;
	int i;

	for (i = 0; i < OUT; i++) {
		quant[i] = 1 << 30;
		quant[OUT + i] = 0;
	}
	io_pa = as_map_new(&self->as, VA_IO, 4096, NPU_RW);
	as_map_new(&self->as, VA_W, 4096, NPU_RW);	/* zeros */
	gmem_write(n, io_pa + (V_Q - VA_IO), quant, sizeof(quant));
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_cmd(&s, ENPU_OP_FULLY_CONNECTED, &fc, sizeof(fc));
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 1, &j, &c);
	ASSERT_EQ(ENPU_JOB_OK, c.status);
	run_job(n, &self->as, RING0, &s, 2, &j, &c);	/* on the kept copy */
	ASSERT_EQ(ENPU_JOB_OK, c.status);

	as_map_page(&self->as, VA_W, n->regs, NPU_RW);
	npu_wr(n, ENPU_REG_MMU_INVALIDATE, 1);
	run_job(n, &self->as, RING0, &s, 3, &j, &c);
	EXPECT_EQ(ENPU_JOB_DMA_ERROR, c.status);
}

/* ======================================================================== */
/* Malformed MMIO                                                           */
/* ======================================================================== */

static bool assigned(uint32_t off)
{
#define X(name, o) if (off == (o)) return true;
	ENPU_REGS_FOREACH(X)
#undef X
	return off == ENPU_REG_RESET || off == ENPU_REG_IRQ_CLEAR ||
	       off == ENPU_REG_DOORBELL || off == ENPU_REG_MMU_INVALIDATE ||
	       off == ENPU_REG_MMU_FAULT_CLEAR || off == ENPU_REG_ASID_RETIRE ||
	       off == ENPU_REG_DBG_INJECT ||
	       off == ENPU_RING_REG(0, ENPU_RING_ABORT_SEQNO) ||
	       off == ENPU_RING_REG(1, ENPU_RING_ABORT_SEQNO);
}

static const uint32_t read_only[] = {
	ENPU_REG_ID, ENPU_REG_VERSION, ENPU_REG_CAPS, ENPU_REG_CONFIG,
	ENPU_REG_MACS_PER_CYCLE, ENPU_REG_CLOCK_MHZ, ENPU_REG_DRAM_BW_MBPS,
	ENPU_REG_SRAM_SIZE, ENPU_REG_SRAM_BW_MBPS, ENPU_REG_STATUS,
	ENPU_REG_IRQ_STATUS, ENPU_REG_DOORBELL_ACK, ENPU_REG_DOORBELL_COUNT,
	ENPU_REG_MMU_FAULT_STATUS, ENPU_REG_MMU_FAULT_ADDR, ENPU_REG_MMU_FAULT_ASID,
	ENPU_REG_MMU_FAULT_SEQNO, ENPU_REG_JOBS_DONE, ENPU_REG_BUSY_CYCLES_LO,
	ENPU_REG_BUSY_CYCLES_HI, ENPU_REG_DBG_DOORBELL_JOBS, ENPU_REG_DBG_RESETS_AT_WRITE,
	ENPU_RING_REG(0, ENPU_RING_HEAD), ENPU_RING_REG(0, ENPU_RING_STATUS),
	ENPU_RING_REG(0, ENPU_RING_ACTIVE_SEQNO), ENPU_RING_REG(0, ENPU_RING_PROGRESS),
	ENPU_RING_REG(1, ENPU_RING_HEAD), ENPU_RING_REG(1, ENPU_RING_STATUS),
	ENPU_RING_REG(1, ENPU_RING_ACTIVE_SEQNO),
	ENPU_RING_REG(1, ENPU_RING_PROGRESS),
};

struct reg_dump {
	uint32_t v[64];
	int n;
};

static void dump_regs(struct npu *n, struct reg_dump *d)
{
	d->n = 0;
#define X(name, o) d->v[d->n++] = npu_rd(n, o);
	ENPU_REGS_FOREACH(X)
#undef X
	d->v[d->n++] = npu_rd(n, ENPU_REG_DBG_INJECT);
}

TEST_F(npu, malformed_mmio_is_harmless)
{
	struct npu *n = &self->n;
	struct enpu_job_completion c;
	struct reg_dump before, after;
	struct npu_stream s;
	struct npu_job j;
	uint32_t off;
	unsigned int i;
	int k;

	/* Give the registers non-trivial contents first. */
	npu_ring_init(n, RING0, 8);
	st_init(&s);
	st_fill(&s, 0x900000, 1, 1);	/* unmapped: latches a fault */
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 7, &j, &c);
	ASSERT_EQ(ENPU_JOB_MMU_FAULT, c.status);
	npu_wr(n, ENPU_REG_SCRATCH, 0x600d600d);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_DOORBELL);
	npu_wr(n, ENPU_REG_DOORBELL, 0xabcd);
	ASSERT_TRUE(npu_wait_reg(n, ENPU_REG_IRQ_STATUS, ~0u, ENPU_IRQ_DOORBELL |
				 ENPU_IRQ_RING_DONE(0) | ENPU_IRQ_JOB_ERROR |
				 ENPU_IRQ_MMU_FAULT, NPU_WAIT_MS));
	EXPECT_FALSE(qt_log_contains(&self->qt, "edgenpu: "));
	dump_regs(n, &before);

	/* Unassigned offsets read as 0; write-only registers read as 0. */
	for (off = 0; off < 0x1000; off += 4)
		if (!assigned(off))
			EXPECT_EQ(0, npu_rd(n, off)) TH_LOG("offset 0x%x", off);
	for (off = 0x1000; off < ENPU_REGS_SIZE; off += 0x7fc)
		EXPECT_EQ(0, npu_rd(n, off)) TH_LOG("offset 0x%x", off);
	EXPECT_EQ(0, npu_rd(n, ENPU_REGS_SIZE - 4));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_RESET));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_CLEAR));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DOORBELL));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_INVALIDATE));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_MMU_FAULT_CLEAR));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_ASID_RETIRE));

	/* Writes to unassigned offsets and read-only registers change nothing. */
	for (off = 0; off < 0x1000; off += 4)
		if (!assigned(off))
			npu_wr(n, off, 0xffffffff);
	npu_wr(n, ENPU_REGS_SIZE - 4, 0xffffffff);
	for (i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++)
		npu_wr(n, read_only[i], 0xffffffff);
	for (i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++)
		npu_wr(n, read_only[i], 0);
	dump_regs(n, &after);
	ASSERT_EQ(before.n, after.n);
	for (k = 0; k < before.n; k++)
		EXPECT_EQ(before.v[k], after.v[k]) TH_LOG("register #%d of the dump", k);
	for (off = 0; off < 0x1000; off += 4)
		if (!assigned(off))
			EXPECT_EQ(0, npu_rd(n, off)) TH_LOG("offset 0x%x after write", off);

	/* Logged as guest errors. */
	EXPECT_TRUE(qt_log_contains(&self->qt, "edgenpu: "));

	/* And the device still works. */
	npu_wr(n, ENPU_REG_MMU_FAULT_CLEAR, 1);
	st_init(&s);
	st_nop(&s);
	st_end(&s);
	run_job(n, &self->as, RING0, &s, 8, &j, &c);
	EXPECT_EQ(ENPU_JOB_OK, c.status);
}

TEST_HARNESS_MAIN
