// SPDX-License-Identifier: MIT
/*
 * The EdgeNPU's MMIO front end (edgenpu-mmio on QEMU's arm virt) through
 * the qtest accelerator: its registers at the documented address, and the
 * SoC integration's two inputs, driven through the system-control block
 * (hw/edgenpu_sysctrl.h, hw/README.md "SoC integration"): the reset line
 * and the power domain. While either holds the NPU every register reads 0
 * and writes are ignored; off, the power domain loses every state; the
 * debug window counts releases and power-ups.
 *
 * Run from the repository root; $EDGENPU_QEMU_BUILD selects the QEMU
 * build (the Makefile's default is compiled in).
 */
#include <string.h>

#include "kselftest_harness.h"
#include "edgenpu_sysctrl.h"
#include "enpu_qdev.h"

/* virt's platform bus: the first dynamic sysbus device, then its region 1 */
#define VIRT_NPU	0x0c000000ull
#define VIRT_SYSCTRL	(VIRT_NPU + ENPU_REGS_SIZE)

#define PWR_CTRL	(ENPU_SYSCTRL_PWR + ENPU_PWR_CTRL)
#define PWR_STATUS	(ENPU_SYSCTRL_PWR + ENPU_PWR_STATUS)

FIXTURE(mmio) {
	struct qt qt;
	struct npu n;
};

FIXTURE_SETUP(mmio)
{
	static const char *const args[] = { "-device", "edgenpu-mmio,debug=on", NULL };

	if (qt_start_on(&self->qt, QT_VIRT, args)) {
		qt_print_log_tail(&self->qt, stderr, 20);
		qt_cleanup(&self->qt);
		ASSERT_TRUE(0) TH_LOG("QEMU virt with edgenpu-mmio did not start");
	}
	memset(&self->n, 0, sizeof(self->n));
	self->n.qt = &self->qt;
	self->n.regs = VIRT_NPU;
}

FIXTURE_TEARDOWN(mmio)
{
	if (_metadata->exit_code != KSFT_PASS)
		qt_print_log_tail(&self->qt, stderr, 30);
	qt_cleanup(&self->qt);
}

static uint32_t sysctrl_rd(struct npu *n, uint32_t off)
{
	return qt_readl(n->qt, VIRT_SYSCTRL + off);
}

static void sysctrl_wr(struct npu *n, uint32_t off, uint32_t v)
{
	qt_writel(n->qt, VIRT_SYSCTRL + off, v);
}

/* Up and ready: identity readable and STATUS.READY (reset done). */
static bool npu_up(struct npu *n)
{
	return npu_rd(n, ENPU_REG_ID) == ENPU_ID_MAGIC &&
	       npu_wait_reg(n, ENPU_REG_STATUS, ENPU_STATUS_READY, ENPU_STATUS_READY,
			    NPU_WAIT_MS);
}

/* Held by the SoC: registers read 0 and a write does not stick (5 accesses). */
static bool npu_dark(struct npu *n)
{
	npu_wr(n, ENPU_REG_SCRATCH, 0x600dcafe);
	return !npu_rd(n, ENPU_REG_ID) && !npu_rd(n, ENPU_REG_STATUS) &&
	       !npu_rd(n, ENPU_REG_SCRATCH) && !npu_rd(n, ENPU_REG_CAPS);
}

/* Non-reset state to lose: SCRATCH and IRQ_MASK. */
static void npu_scribble(struct npu *n)
{
	npu_wr(n, ENPU_REG_SCRATCH, 0x5a5a1234);
	npu_wr(n, ENPU_REG_IRQ_MASK, ENPU_IRQ_ALL);
}

static bool npu_scribbled(struct npu *n)
{
	return npu_rd(n, ENPU_REG_SCRATCH) == 0x5a5a1234 &&
	       npu_rd(n, ENPU_REG_IRQ_MASK) == ENPU_IRQ_ALL;
}

TEST_F(mmio, registers_at_the_documented_address)
{
	struct npu *n = &self->n;

	ASSERT_TRUE(npu_up(n));
	EXPECT_EQ(ENPU_HW_VERSION, npu_rd(n, ENPU_REG_VERSION));
	/* no MSI-X on a wire */
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_CAPS) & ENPU_CAP_MSIX);
	EXPECT_EQ(ENPU_CAP_DEBUG, npu_rd(n, ENPU_REG_CAPS) & ENPU_CAP_DEBUG);
	/* the machine starts with the domain on and the reset released */
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_CTRL));
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_STATUS));
	EXPECT_EQ(0, sysctrl_rd(n, ENPU_SYSCTRL_RESET));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_RESET_INPUTS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_POWER_UPS));
}

TEST_F(mmio, power_off_loses_everything)
{
	struct npu *n = &self->n;

	ASSERT_TRUE(npu_up(n));
	npu_scribble(n);
	ASSERT_TRUE(npu_scribbled(n));

	sysctrl_wr(n, PWR_CTRL, 0);
	EXPECT_EQ(0, sysctrl_rd(n, PWR_CTRL));
	EXPECT_EQ(0, sysctrl_rd(n, PWR_STATUS));
	EXPECT_TRUE(npu_dark(n));

	sysctrl_wr(n, PWR_CTRL, ENPU_PWR_NPU);
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_STATUS));
	ASSERT_TRUE(npu_up(n)) TH_LOG("not back after power-up: STATUS 0x%x",
				      npu_rd(n, ENPU_REG_STATUS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_SCRATCH));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_IRQ_MASK));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_DBG_POWER_UPS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_RESET_INPUTS));

	/* requesting what already is changes nothing */
	npu_scribble(n);
	sysctrl_wr(n, PWR_CTRL, ENPU_PWR_NPU);
	EXPECT_TRUE(npu_scribbled(n));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_DBG_POWER_UPS));
}

TEST_F(mmio, reset_line_holds_and_releases)
{
	struct npu *n = &self->n;

	ASSERT_TRUE(npu_up(n));
	npu_scribble(n);
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, ENPU_SYSCTRL_RESET_NPU);
	EXPECT_EQ(ENPU_SYSCTRL_RESET_NPU, sysctrl_rd(n, ENPU_SYSCTRL_RESET));
	EXPECT_TRUE(npu_dark(n));
	/* the domain stays on: only the reset holds it */
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_STATUS));

	sysctrl_wr(n, ENPU_SYSCTRL_RESET, 0);
	ASSERT_TRUE(npu_up(n));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_SCRATCH));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_DBG_RESET_INPUTS));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_POWER_UPS));
}

/* Either input holds the NPU; it comes up only once both let go. */
TEST_F(mmio, inputs_combine)
{
	struct npu *n = &self->n;

	ASSERT_TRUE(npu_up(n));
	/* powered up under an asserted reset: still held */
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, ENPU_SYSCTRL_RESET_NPU);
	sysctrl_wr(n, PWR_CTRL, 0);
	sysctrl_wr(n, PWR_CTRL, ENPU_PWR_NPU);
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_STATUS));
	EXPECT_TRUE(npu_dark(n));
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, 0);
	ASSERT_TRUE(npu_up(n));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_DBG_POWER_UPS));
	EXPECT_EQ(1, npu_rd(n, ENPU_REG_DBG_RESET_INPUTS));

	/* reset released while the domain is off: still dark */
	sysctrl_wr(n, PWR_CTRL, 0);
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, ENPU_SYSCTRL_RESET_NPU);
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, 0);
	EXPECT_TRUE(npu_dark(n));
	sysctrl_wr(n, PWR_CTRL, ENPU_PWR_NPU);
	ASSERT_TRUE(npu_up(n));
	EXPECT_EQ(2, npu_rd(n, ENPU_REG_DBG_POWER_UPS));
	EXPECT_EQ(2, npu_rd(n, ENPU_REG_DBG_RESET_INPUTS));
}

/*
 * Every register access made while the NPU is held -- by its reset line
 * or with its power domain off -- is counted in DBG_HELD_ACCESSES (and
 * logged as a guest error): what a driver must never do.
 */
TEST_F(mmio, accesses_while_held_are_counted)
{
	struct npu *n = &self->n;

	ASSERT_TRUE(npu_up(n));
	EXPECT_EQ(0, npu_rd(n, ENPU_REG_DBG_HELD_ACCESSES));
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, ENPU_SYSCTRL_RESET_NPU);
	npu_rd(n, ENPU_REG_IRQ_STATUS);
	npu_wr(n, ENPU_REG_MMU_INVALIDATE, 1);
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, 0);
	ASSERT_TRUE(npu_up(n));
	EXPECT_EQ(2, npu_rd(n, ENPU_REG_DBG_HELD_ACCESSES));
	EXPECT_TRUE(qt_log_contains(&self->qt, "read of 0x50 while held in reset"));
	EXPECT_TRUE(qt_log_contains(&self->qt, "write to 0x200 while held in reset"));

	sysctrl_wr(n, PWR_CTRL, 0);
	npu_rd(n, ENPU_REG_ID);
	sysctrl_wr(n, PWR_CTRL, ENPU_PWR_NPU);
	ASSERT_TRUE(npu_up(n));
	/* neither a reset nor a power-off clears the count */
	EXPECT_EQ(3, npu_rd(n, ENPU_REG_DBG_HELD_ACCESSES));
}

/* Reserved bits, read-only and unassigned offsets of the system control. */
TEST_F(mmio, sysctrl_malformed_accesses)
{
	struct npu *n = &self->n;

	ASSERT_TRUE(npu_up(n));
	sysctrl_wr(n, PWR_STATUS, 0);	/* read-only */
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_STATUS));
	EXPECT_TRUE(npu_up(n));
	sysctrl_wr(n, 0x800, ~0u);	/* unassigned */
	EXPECT_EQ(0, sysctrl_rd(n, 0x800));
	EXPECT_TRUE(npu_up(n));
	/* only bit 0 of each control register exists */
	sysctrl_wr(n, PWR_CTRL, ~0u);
	EXPECT_EQ(ENPU_PWR_NPU, sysctrl_rd(n, PWR_CTRL));
	sysctrl_wr(n, PWR_CTRL, ~ENPU_PWR_NPU);
	EXPECT_EQ(0, sysctrl_rd(n, PWR_CTRL));
	EXPECT_EQ(0, sysctrl_rd(n, PWR_STATUS));
	sysctrl_wr(n, PWR_CTRL, ENPU_PWR_NPU);
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, ~0u);
	EXPECT_EQ(ENPU_SYSCTRL_RESET_NPU, sysctrl_rd(n, ENPU_SYSCTRL_RESET));
	sysctrl_wr(n, ENPU_SYSCTRL_RESET, ~ENPU_SYSCTRL_RESET_NPU);
	EXPECT_EQ(0, sysctrl_rd(n, ENPU_SYSCTRL_RESET));
	ASSERT_TRUE(npu_up(n));
	EXPECT_TRUE(qt_log_contains(&self->qt, "system-control offset 0x800"));
}

TEST_HARNESS_MAIN
