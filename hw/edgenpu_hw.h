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
#define ENPU_HW_VERSION_MINOR		1
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
#define   ENPU_CAPS_V0			(ENPU_CAP_DOORBELL | \
					 ENPU_CAP_SOFT_RESET | ENPU_CAP_MSIX)
/* Capability bits with their names, for tools: X(bit, "name"). */
#define ENPU_CAPS_FOREACH(X)				\
	X(ENPU_CAP_DOORBELL, "doorbell")		\
	X(ENPU_CAP_SOFT_RESET, "soft-reset")		\
	X(ENPU_CAP_MSIX, "msix")
#define ENPU_REG_CONFIG			0x000c
#define   ENPU_CONFIG_IRQ_VECTORS(v)	((v) & 0xff)
#define ENPU_REG_MACS_PER_CYCLE		0x0010
#define ENPU_REG_CLOCK_MHZ		0x0014
#define ENPU_REG_DRAM_BW_MBPS		0x0018
#define ENPU_REG_SRAM_SIZE		0x001c	/* bytes */
#define ENPU_REG_SRAM_BW_MBPS		0x0020

/* Control. */
#define ENPU_REG_RESET			0x0040	/* write ENPU_RESET_MAGIC */
#define   ENPU_RESET_MAGIC		0x52535421	/* "RST!" */
#define ENPU_REG_STATUS			0x0044
#define   ENPU_STATUS_READY		(1u << 0)
#define ENPU_REG_SCRATCH		0x0048	/* free read/write register */

/* Interrupts: IRQ_STATUS is the latched cause, IRQ_MASK enables causes
 * (1 = delivered), a write to IRQ_CLEAR clears the bits written as 1.
 */
#define ENPU_REG_IRQ_STATUS		0x0050
#define ENPU_REG_IRQ_MASK		0x0054
#define ENPU_REG_IRQ_CLEAR		0x0058
#define   ENPU_IRQ_DOORBELL		(1u << 0)
#define   ENPU_IRQ_ALL			(ENPU_IRQ_DOORBELL)

/* Doorbell: any write latches the value in DOORBELL_ACK, bumps
 * DOORBELL_COUNT and raises ENPU_IRQ_DOORBELL.
 */
#define ENPU_REG_DOORBELL		0x0060
#define ENPU_REG_DOORBELL_ACK		0x0064
#define ENPU_REG_DOORBELL_COUNT		0x0068

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
	X(DOORBELL_COUNT, ENPU_REG_DOORBELL_COUNT)

/* MSI-X: causes are delivered on vector 0 in contract version 0. */
#define ENPU_MSIX_VECTORS		1
#define ENPU_MSIX_VECTOR_EVENTS		0

/* Default SKU, reported in the capability registers (hw/README.md). */
#define ENPU_DEFAULT_MACS_PER_CYCLE	256
#define ENPU_DEFAULT_CLOCK_MHZ		1000
#define ENPU_DEFAULT_DRAM_BW_MBPS	8000
#define ENPU_DEFAULT_SRAM_SIZE		(512 * 1024)
#define ENPU_DEFAULT_SRAM_BW_MBPS	64000

#endif /* EDGENPU_HW_H */
