/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU hardware contract: the single definition of the device's
 * identity and register map, shared by the QEMU model (qemu/), the kernel
 * driver (driver/) and the userspace library (libedgenpu/).
 *
 * hw/README.md describes the behaviour behind every register. This header
 * only uses the preprocessor and fixed-width-free constants so it can be
 * included from kernel, QEMU and plain C11 code alike.
 */
#ifndef EDGENPU_HW_H
#define EDGENPU_HW_H

/* ---- PCI identity -------------------------------------------------------
 * 0x1234 is the vendor ID QEMU's own emulated devices (edu, stdvga) use; it
 * is not assigned to edgenpu by the PCI-SIG. Silicon would carry its own.
 */
#define ENPU_PCI_VENDOR_ID		0x1234
#define ENPU_PCI_DEVICE_ID		0x4e50	/* "NP" */
#define ENPU_PCI_REVISION		0x00
#define ENPU_PCI_CLASS_CODE		0x1200	/* processing accelerator */

#define ENPU_BAR_REGS			0	/* 64 KiB MMIO register file */
#define ENPU_BAR_MSIX			2	/* MSI-X table and PBA */
#define ENPU_REGS_SIZE			0x10000

/* ---- Contract version (ENPU_REG_VERSION) -------------------------------- */
#define ENPU_HW_VERSION_MAJOR		0
#define ENPU_HW_VERSION_MINOR		6
#define ENPU_HW_VERSION_PATCH		0
#define ENPU_VERSION(maj, min, pat)	(((maj) << 16) | ((min) << 8) | (pat))
#define ENPU_VERSION_MAJOR(v)		(((v) >> 16) & 0xff)
#define ENPU_VERSION_MINOR(v)		(((v) >> 8) & 0xff)
#define ENPU_VERSION_PATCH(v)		((v) & 0xff)
#define ENPU_HW_VERSION	ENPU_VERSION(ENPU_HW_VERSION_MAJOR, \
				     ENPU_HW_VERSION_MINOR, \
				     ENPU_HW_VERSION_PATCH)

/* ---- Register map (BAR0, 32-bit little-endian registers) ---------------- */

/* Identification and capabilities: read-only. */
#define ENPU_REG_ID			0x0000
#define   ENPU_ID_MAGIC			0x454e5055	/* "ENPU" */
#define ENPU_REG_VERSION		0x0004
#define ENPU_REG_CAPS			0x0008
#define   ENPU_CAP_DOORBELL		(1u << 0)
#define   ENPU_CAP_SOFT_RESET		(1u << 1)
#define   ENPU_CAP_MSIX			(1u << 2)
#define   ENPU_CAP_RINGS		(1u << 3)	/* job rings, edgenpu_job.h */
#define   ENPU_CAP_MMU			(1u << 4)	/* edgenpu_mmu.h */
#define   ENPU_CAP_SRAM			(1u << 5)
#define   ENPU_CAP_DMA			(1u << 6)
#define   ENPU_CAP_PERF			(1u << 7)	/* per-job counters */
#define   ENPU_CAP_DEBUG		(1u << 8)	/* fault-injection window */
#define   ENPU_CAP_LUT			(1u << 9)	/* 0.4: the LUT command */
#define ENPU_LUT_MINOR			4	/* the contract minor that adds it */
#define   ENPU_CAP_ELTWISE		(1u << 10)	/* 0.5: the ELTWISE command */
#define ENPU_ELTWISE_MINOR		5
#define   ENPU_CAP_FUSED_LUT		(1u << 11)	/* 0.6: a table after CONV/FC */
#define ENPU_FUSED_LUT_MINOR		6
#define   ENPU_CAPS_V0			(ENPU_CAP_DOORBELL | \
					 ENPU_CAP_SOFT_RESET | ENPU_CAP_MSIX)
#define   ENPU_CAPS_BASE		(ENPU_CAPS_V0 | ENPU_CAP_RINGS | \
					 ENPU_CAP_MMU | ENPU_CAP_SRAM | \
					 ENPU_CAP_DMA | ENPU_CAP_PERF | ENPU_CAP_LUT | \
					 ENPU_CAP_ELTWISE | ENPU_CAP_FUSED_LUT)
/* Capability bits with their names, for tools: X(bit, "name"). */
#define ENPU_CAPS_FOREACH(X)				\
	X(ENPU_CAP_DOORBELL, "doorbell")		\
	X(ENPU_CAP_SOFT_RESET, "soft-reset")		\
	X(ENPU_CAP_MSIX, "msix")			\
	X(ENPU_CAP_RINGS, "rings")			\
	X(ENPU_CAP_MMU, "mmu")				\
	X(ENPU_CAP_SRAM, "sram")			\
	X(ENPU_CAP_DMA, "dma")				\
	X(ENPU_CAP_PERF, "perf-counters")		\
	X(ENPU_CAP_DEBUG, "fault-injection")		\
	X(ENPU_CAP_LUT, "lut")				\
	X(ENPU_CAP_ELTWISE, "eltwise")			\
	X(ENPU_CAP_FUSED_LUT, "fused-lut")
#define ENPU_REG_CONFIG			0x000c
#define   ENPU_CONFIG_IRQ_VECTORS(v)	((v) & 0xff)
#define   ENPU_CONFIG_RINGS(v)		(((v) >> 8) & 0xff)
#define   ENPU_CONFIG_ISA_VERSION(v)	(((v) >> 16) & 0xff)
#define   ENPU_CONFIG_VA_BITS(v)	(((v) >> 24) & 0xff)
#define   ENPU_CONFIG_MAKE(irqs, rings, isa, va_bits) \
	((irqs) | ((rings) << 8) | ((isa) << 16) | ((va_bits) << 24))
#define ENPU_REG_MACS_PER_CYCLE		0x0010
#define ENPU_REG_CLOCK_MHZ		0x0014
#define ENPU_REG_DRAM_BW_MBPS		0x0018
#define ENPU_REG_SRAM_SIZE		0x001c	/* bytes */
#define ENPU_REG_SRAM_BW_MBPS		0x0020

/* Control. */
#define ENPU_REG_RESET			0x0040	/* write ENPU_RESET_MAGIC */
#define   ENPU_RESET_MAGIC		0x52535421	/* "RST!" */
/*
 * A reset (soft, bus or function reset, the reset input, power) or a
 * ring's ABORT stops the running job within this time (a command is cut
 * short, hw/README.md "Reset"); software may treat a device whose
 * STATUS.READY is not back after a soft reset by then as failed.
 */
#define   ENPU_RESET_TIME_MAX_US	100000
#define ENPU_REG_STATUS			0x0044
#define   ENPU_STATUS_READY		(1u << 0)	/* 0 while a reset is in progress */
#define ENPU_REG_SCRATCH		0x0048	/* free read/write register */

/* Interrupts: IRQ_STATUS is the latched cause, IRQ_MASK enables causes
 * (1 = delivered), a write to IRQ_CLEAR clears the bits written as 1.
 */
#define ENPU_REG_IRQ_STATUS		0x0050
#define ENPU_REG_IRQ_MASK		0x0054
#define ENPU_REG_IRQ_CLEAR		0x0058
#define   ENPU_IRQ_DOORBELL		(1u << 0)
#define   ENPU_IRQ_RING_DONE(r)		(1u << (1 + (r)))	/* a job of ring r ended */
#define   ENPU_IRQ_JOB_ERROR		(1u << 3)	/* ...with a status other than OK */
#define   ENPU_IRQ_MMU_FAULT		(1u << 4)	/* fault registers latched */
#define   ENPU_IRQ_RING_ERROR		(1u << 5)	/* bad descriptor or ring setup */
#define   ENPU_IRQ_ALL			(ENPU_IRQ_DOORBELL | \
					 ENPU_IRQ_RING_DONE(0) | \
					 ENPU_IRQ_RING_DONE(1) | \
					 ENPU_IRQ_JOB_ERROR | ENPU_IRQ_MMU_FAULT | \
					 ENPU_IRQ_RING_ERROR)

/* Doorbell: any write latches the value in DOORBELL_ACK, bumps
 * DOORBELL_COUNT and raises ENPU_IRQ_DOORBELL.
 */
#define ENPU_REG_DOORBELL		0x0060
#define ENPU_REG_DOORBELL_ACK		0x0064
#define ENPU_REG_DOORBELL_COUNT		0x0068

/*
 * Job rings (edgenpu_job.h): ENPU_NUM_RINGS rings of ENPU_RING_STRIDE bytes
 * of registers each. Indexes HEAD and TAIL run freely (mod 2^32); the slot
 * of index i is i % SIZE. Writing TAIL is the ring's doorbell.
 */
#define ENPU_NUM_RINGS			2
#define ENPU_RING_NORMAL		0
#define ENPU_RING_HIGH			1	/* served first when both have work */
/* ...but after this many ring-1 jobs in a row ring 0 gets the next turn. */
#define ENPU_RING_HIGH_BURST		4
#define ENPU_RING_BASE			0x0100
#define ENPU_RING_STRIDE		0x0040
#define ENPU_RING_REG(r, off)		(ENPU_RING_BASE + (r) * ENPU_RING_STRIDE + (off))
#define ENPU_RING_ADDR_LO		0x00	/* descriptor array, 64-byte aligned */
#define ENPU_RING_ADDR_HI		0x04
#define ENPU_RING_SIZE			0x08	/* entries: power of two, 2..4096 */
#define ENPU_RING_CTRL			0x0c
#define   ENPU_RING_CTRL_ENABLE		(1u << 0)	/* 0 -> 1 zeroes HEAD and TAIL */
#define   ENPU_RING_CTRL_ABORT		(1u << 1)	/* write 1: abort the running job */
#define ENPU_RING_HEAD			0x10	/* RO: next index the device fetches */
#define ENPU_RING_TAIL			0x14	/* RW: one past the last valid index */
#define ENPU_RING_DONE_SEQNO		0x18	/* seqno of the last job ended; RW while disabled */
#define ENPU_RING_STATUS		0x1c	/* RO */
#define   ENPU_RING_STATUS_BUSY		(1u << 0)	/* a job is running */
#define   ENPU_RING_STATUS_ERROR	(1u << 1)	/* stopped: bad descriptor/setup */
#define ENPU_RING_ACTIVE_SEQNO		0x20	/* RO: seqno of the running job */
#define ENPU_RING_PROGRESS		0x24	/* RO: commands retired by it */
/* WO: abort the running job if its seqno is the value written */
#define ENPU_RING_ABORT_SEQNO		0x28
#define ENPU_RING_SIZE_MIN		2
#define ENPU_RING_SIZE_MAX		4096

/* NPU MMU (edgenpu_mmu.h): invalidation and the first latched fault. */
#define ENPU_REG_MMU_INVALIDATE		0x0200	/* WO: ASID, or ENPU_ASID_ALL */
#define   ENPU_ASID_ALL			0xffffffffu
#define ENPU_REG_MMU_FAULT_STATUS	0x0204
#define   ENPU_FAULT_VALID		(1u << 0)
#define   ENPU_FAULT_WRITE		(1u << 1)	/* else a read */
#define   ENPU_FAULT_PERMISSION		(1u << 2)	/* else not present */
#define   ENPU_FAULT_RING(v)		(((v) >> 8) & 0xff)
#define ENPU_REG_MMU_FAULT_ADDR		0x0208	/* NPU VA */
#define ENPU_REG_MMU_FAULT_ASID		0x020c
#define ENPU_REG_MMU_FAULT_SEQNO	0x0210
#define ENPU_REG_MMU_FAULT_CLEAR	0x0214	/* WO: 1 unlatches */
/* WO: an ASID software is done with: its TLB entries and SRAM dropped. */
#define ENPU_REG_ASID_RETIRE		0x0218

/* Device-wide counters since reset (per-job ones are in the completion). */
#define ENPU_REG_JOBS_DONE		0x0300
#define ENPU_REG_BUSY_CYCLES_LO		0x0304	/* modelled NPU cycles */
#define ENPU_REG_BUSY_CYCLES_HI		0x0308

/*
 * Fault injection: present (and CAPS.DEBUG set) only on a device built
 * with it (QEMU: -device edgenpu,debug=on); otherwise reads 0, writes are
 * ignored. Each armed bit fires once, then clears itself.
 */
#define ENPU_REG_DBG_INJECT		0x0800
#define   ENPU_INJECT_HANG		(1u << 0)	/* next job never ends */
#define   ENPU_INJECT_DMA_ERROR		(1u << 1)	/* next memory access fails */
#define   ENPU_INJECT_DROP_IRQ		(1u << 2)	/* next interrupt not sent */
#define   ENPU_INJECT_MMU_FAULT		(1u << 3)	/* next job faults at once */
#define   ENPU_INJECT_DROP_DOORBELL	(1u << 4)	/* next TAIL write is lost */
/* the next soft reset never completes: what runs goes on, READY stays 0 */
#define   ENPU_INJECT_STUCK_RESET	(1u << 5)
#define   ENPU_INJECT_ALL		0x3fu
/*
 * With this bit, the job faults written (HANG, DMA_ERROR, MMU_FAULT) go to
 * the next job of ring 1 only: a test aims them at its own jobs while
 * other processes' jobs run on ring 0. Reads back while any is armed.
 */
#define   ENPU_INJECT_RING1		(1u << 31)
#define   ENPU_INJECT_JOB_FAULTS	(ENPU_INJECT_HANG | ENPU_INJECT_DMA_ERROR | \
					 ENPU_INJECT_MMU_FAULT)
/*
 * Debug window too, for a SoC integration (hw/README.md): how many times
 * the device's reset input was released, and how many times its power
 * domain was switched on, since the machine started. Neither a reset nor
 * a power-off clears them.
 */
#define ENPU_REG_DBG_RESET_INPUTS	0x0804
#define ENPU_REG_DBG_POWER_UPS		0x0808
/* Register accesses made while held in reset or unpowered (SoC). */
#define ENPU_REG_DBG_HELD_ACCESSES	0x080c
/*
 * Jobs a model ran to their end within the TAIL write that queued them
 * (hw/README.md, "Doorbell"): a device model's, not a hardware, figure.
 */
#define ENPU_REG_DBG_DOORBELL_JOBS	0x0810
/*
 * Resets a model completed within the register write (or bus reset)
 * that asked for them, its worker idle (hw/README.md, "Reset"): a device
 * model's figure too.
 */
#define ENPU_REG_DBG_RESETS_AT_WRITE	0x0814

/*
 * Every register, for dumps (debugfs, tools): X(name, offset). Write-only
 * registers (RESET, IRQ_CLEAR, DOORBELL) read as zero and are left out.
 */
#define ENPU_REGS_FOREACH(X)				\
	X(ID, ENPU_REG_ID)				\
	X(VERSION, ENPU_REG_VERSION)			\
	X(CAPS, ENPU_REG_CAPS)				\
	X(CONFIG, ENPU_REG_CONFIG)			\
	X(MACS_PER_CYCLE, ENPU_REG_MACS_PER_CYCLE)	\
	X(CLOCK_MHZ, ENPU_REG_CLOCK_MHZ)		\
	X(DRAM_BW_MBPS, ENPU_REG_DRAM_BW_MBPS)		\
	X(SRAM_SIZE, ENPU_REG_SRAM_SIZE)		\
	X(SRAM_BW_MBPS, ENPU_REG_SRAM_BW_MBPS)		\
	X(STATUS, ENPU_REG_STATUS)			\
	X(SCRATCH, ENPU_REG_SCRATCH)			\
	X(IRQ_STATUS, ENPU_REG_IRQ_STATUS)		\
	X(IRQ_MASK, ENPU_REG_IRQ_MASK)			\
	X(DOORBELL_ACK, ENPU_REG_DOORBELL_ACK)		\
	X(DOORBELL_COUNT, ENPU_REG_DOORBELL_COUNT)	\
	X(RING0_ADDR_LO, ENPU_RING_REG(0, ENPU_RING_ADDR_LO))	\
	X(RING0_ADDR_HI, ENPU_RING_REG(0, ENPU_RING_ADDR_HI))	\
	X(RING0_SIZE, ENPU_RING_REG(0, ENPU_RING_SIZE))		\
	X(RING0_CTRL, ENPU_RING_REG(0, ENPU_RING_CTRL))		\
	X(RING0_HEAD, ENPU_RING_REG(0, ENPU_RING_HEAD))		\
	X(RING0_TAIL, ENPU_RING_REG(0, ENPU_RING_TAIL))		\
	X(RING0_DONE_SEQNO, ENPU_RING_REG(0, ENPU_RING_DONE_SEQNO)) \
	X(RING0_STATUS, ENPU_RING_REG(0, ENPU_RING_STATUS))	\
	X(RING0_ACTIVE_SEQNO, ENPU_RING_REG(0, ENPU_RING_ACTIVE_SEQNO)) \
	X(RING0_PROGRESS, ENPU_RING_REG(0, ENPU_RING_PROGRESS))	\
	X(RING1_ADDR_LO, ENPU_RING_REG(1, ENPU_RING_ADDR_LO))	\
	X(RING1_ADDR_HI, ENPU_RING_REG(1, ENPU_RING_ADDR_HI))	\
	X(RING1_SIZE, ENPU_RING_REG(1, ENPU_RING_SIZE))		\
	X(RING1_CTRL, ENPU_RING_REG(1, ENPU_RING_CTRL))		\
	X(RING1_HEAD, ENPU_RING_REG(1, ENPU_RING_HEAD))		\
	X(RING1_TAIL, ENPU_RING_REG(1, ENPU_RING_TAIL))		\
	X(RING1_DONE_SEQNO, ENPU_RING_REG(1, ENPU_RING_DONE_SEQNO)) \
	X(RING1_STATUS, ENPU_RING_REG(1, ENPU_RING_STATUS))	\
	X(RING1_ACTIVE_SEQNO, ENPU_RING_REG(1, ENPU_RING_ACTIVE_SEQNO)) \
	X(RING1_PROGRESS, ENPU_RING_REG(1, ENPU_RING_PROGRESS))	\
	X(MMU_FAULT_STATUS, ENPU_REG_MMU_FAULT_STATUS)	\
	X(MMU_FAULT_ADDR, ENPU_REG_MMU_FAULT_ADDR)	\
	X(MMU_FAULT_ASID, ENPU_REG_MMU_FAULT_ASID)	\
	X(MMU_FAULT_SEQNO, ENPU_REG_MMU_FAULT_SEQNO)	\
	X(JOBS_DONE, ENPU_REG_JOBS_DONE)		\
	X(BUSY_CYCLES_LO, ENPU_REG_BUSY_CYCLES_LO)	\
	X(BUSY_CYCLES_HI, ENPU_REG_BUSY_CYCLES_HI)	\
	X(DBG_RESET_INPUTS, ENPU_REG_DBG_RESET_INPUTS)	\
	X(DBG_POWER_UPS, ENPU_REG_DBG_POWER_UPS)	\
	X(DBG_HELD_ACCESSES, ENPU_REG_DBG_HELD_ACCESSES)	\
	X(DBG_DOORBELL_JOBS, ENPU_REG_DBG_DOORBELL_JOBS)	\
	X(DBG_RESETS_AT_WRITE, ENPU_REG_DBG_RESETS_AT_WRITE)

/* MSI-X: every cause is delivered on vector 0. */
#define ENPU_MSIX_VECTORS		1
#define ENPU_MSIX_VECTOR_EVENTS		0

/* Default SKU, reported in the capability registers (hw/README.md). */
#define ENPU_DEFAULT_MACS_PER_CYCLE	256
#define ENPU_DEFAULT_CLOCK_MHZ		1000
#define ENPU_DEFAULT_DRAM_BW_MBPS	8000
#define ENPU_DEFAULT_SRAM_SIZE		(512 * 1024)
#define ENPU_DEFAULT_SRAM_BW_MBPS	64000

#endif /* EDGENPU_HW_H */
