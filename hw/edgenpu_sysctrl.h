/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU SoC integration: the system-control block a SoC puts around the
 * NPU, as the QEMU model's MMIO front end provides it (edgenpu-mmio's
 * second region, 4 KiB; on QEMU's arm virt at 0x0c010000). It drives the
 * block's two SoC-side inputs, its reset line and its power domain
 * (hw/README.md, "SoC integration"). Shared by the QEMU model and the
 * test board's power-domain driver (tests/board/).
 */
#ifndef EDGENPU_SYSCTRL_H
#define EDGENPU_SYSCTRL_H

#define ENPU_SYSCTRL_SIZE		0x1000

/*
 * Reset control, in the style of a SoC reset controller
 * ("edgenpu,qemu-virt-reset-controller-v1"; Linux's reset-simple drives it
 * through its "snps,dw-high-reset" fallback): bit 0 set holds the NPU in
 * reset; reads back as written. Power-on value 0.
 */
#define ENPU_SYSCTRL_RESET		0x000
#define   ENPU_SYSCTRL_RESET_NPU	(1u << 0)

/*
 * Power controller, one domain (the NPU's), at ENPU_SYSCTRL_PWR; offsets
 * below are from there. Setting bit 0 of PWR_CTRL requests the domain on,
 * clearing it requests it off; PWR_STATUS bit 0 reads 1 once the domain is
 * on and 0 once it is off. Power-on value of both: 1 (the domain starts
 * on, so software unaware of it still finds the NPU).
 */
#define ENPU_SYSCTRL_PWR		0x100
#define ENPU_SYSCTRL_PWR_SIZE		0x8
#define ENPU_PWR_CTRL			0x0
#define ENPU_PWR_STATUS			0x4
#define   ENPU_PWR_NPU			(1u << 0)

#endif /* EDGENPU_SYSCTRL_H */
