/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU MMIO front end: its type name and, for the boards that add its
 * device-tree node, the node's contents.
 */

#ifndef HW_EDGENPU_MMIO_H
#define HW_EDGENPU_MMIO_H

#define TYPE_EDGENPU_MMIO "edgenpu-mmio"

/* Most specific first; the driver matches the contract version. */
#define EDGENPU_MMIO_FDT_COMPAT "edgenpu,qemu-virt-npu\0edgenpu,npu-0.2"

#endif /* HW_EDGENPU_MMIO_H */
