/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU: PCI front end of the edgenpu INT8 NPU model.
 *
 * The register contract is hw/edgenpu_hw.h (copied beside this file by
 * qemu/build-qemu.sh); its behaviour is documented in hw/README.md.
 *
 * Usage:
 *   -device edgenpu[,macs-per-cycle=256][,clock-mhz=1000]
 *                  [,dram-bw-mbps=8000][,sram-size=524288][,sram-bw-mbps=64000]
 *
 * Properties (all reported to the guest in the capability registers):
 *   macs-per-cycle  INT8 multiply-accumulates per clock (default 256)
 *   clock-mhz       NPU core clock in MHz (default 1000)
 *   dram-bw-mbps    DRAM bandwidth in MB/s (default 8000)
 *   sram-size       on-chip SRAM in bytes (default 512 KiB)
 *   sram-bw-mbps    SRAM bandwidth in MB/s (default 64000)
 *
 * Trace with -trace 'edgenpu_*'.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/vmstate.h"
#include "trace.h"

#include "edgenpu_hw.h"

#define TYPE_EDGENPU "edgenpu"
OBJECT_DECLARE_SIMPLE_TYPE(EdgeNpuState, EDGENPU)

struct EdgeNpuState {
    PCIDevice parent_obj;

    MemoryRegion regs;

    /* Configuration (device properties). */
    uint32_t macs_per_cycle;
    uint32_t clock_mhz;
    uint32_t dram_bw_mbps;
    uint32_t sram_size;
    uint32_t sram_bw_mbps;

    /* Guest-visible state, reset by edgenpu_reset(). */
    uint32_t irq_status;
    uint32_t irq_mask;
    uint32_t scratch;
    uint32_t doorbell_ack;
    uint32_t doorbell_count;
    bool irq_asserted;
};

#define EDGENPU_GUEST_ERR(trace, fmt, ...)                              \
    do {                                                                \
        (trace);                                                        \
        qemu_log_mask(LOG_GUEST_ERROR, "edgenpu: " fmt "\n",            \
                      ## __VA_ARGS__);                                  \
    } while (0)

/*
 * Interrupt delivery: an MSI-X message is sent when the set of pending,
 * unmasked causes goes from empty to non-empty; with MSI-X disabled the
 * legacy INTx pin follows the same condition as a level.
 */
static void edgenpu_update_irq(EdgeNpuState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool level = (s->irq_status & s->irq_mask) != 0;

    if (msix_enabled(pdev)) {
        if (level && !s->irq_asserted) {
            trace_edgenpu_irq_msix(ENPU_MSIX_VECTOR_EVENTS, s->irq_status);
            msix_notify(pdev, ENPU_MSIX_VECTOR_EVENTS);
        }
    } else {
        trace_edgenpu_irq_intx(level);
        pci_set_irq(pdev, level);
    }
    s->irq_asserted = level;
}

static void edgenpu_raise(EdgeNpuState *s, uint32_t cause)
{
    s->irq_status |= cause;
    edgenpu_update_irq(s);
}

static void edgenpu_reset(EdgeNpuState *s)
{
    trace_edgenpu_reset();
    s->irq_status = 0;
    s->irq_mask = 0;
    s->scratch = 0;
    s->doorbell_ack = 0;
    s->doorbell_count = 0;
    if (!msix_enabled(PCI_DEVICE(s))) {
        pci_set_irq(PCI_DEVICE(s), 0);
    }
    s->irq_asserted = false;
}

static uint64_t edgenpu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    EdgeNpuState *s = opaque;
    uint64_t val = 0;

    switch (addr) {
    case ENPU_REG_ID:
        val = ENPU_ID_MAGIC;
        break;
    case ENPU_REG_VERSION:
        val = ENPU_HW_VERSION;
        break;
    case ENPU_REG_CAPS:
        val = ENPU_CAPS_V0;
        break;
    case ENPU_REG_CONFIG:
        val = ENPU_CONFIG_IRQ_VECTORS(ENPU_MSIX_VECTORS);
        break;
    case ENPU_REG_MACS_PER_CYCLE:
        val = s->macs_per_cycle;
        break;
    case ENPU_REG_CLOCK_MHZ:
        val = s->clock_mhz;
        break;
    case ENPU_REG_DRAM_BW_MBPS:
        val = s->dram_bw_mbps;
        break;
    case ENPU_REG_SRAM_SIZE:
        val = s->sram_size;
        break;
    case ENPU_REG_SRAM_BW_MBPS:
        val = s->sram_bw_mbps;
        break;
    case ENPU_REG_STATUS:
        val = ENPU_STATUS_READY;
        break;
    case ENPU_REG_SCRATCH:
        val = s->scratch;
        break;
    case ENPU_REG_IRQ_STATUS:
        val = s->irq_status;
        break;
    case ENPU_REG_IRQ_MASK:
        val = s->irq_mask;
        break;
    case ENPU_REG_DOORBELL_ACK:
        val = s->doorbell_ack;
        break;
    case ENPU_REG_DOORBELL_COUNT:
        val = s->doorbell_count;
        break;
    case ENPU_REG_RESET:
    case ENPU_REG_IRQ_CLEAR:
    case ENPU_REG_DOORBELL:
        /* write-only: reads as zero */
        break;
    default:
        EDGENPU_GUEST_ERR(trace_edgenpu_ub_mmio_read(addr),
                          "read of unassigned register 0x%" HWADDR_PRIx,
                          addr);
        break;
    }
    trace_edgenpu_mmio_read(addr, val);
    return val;
}

static void edgenpu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    EdgeNpuState *s = opaque;

    trace_edgenpu_mmio_write(addr, val);
    switch (addr) {
    case ENPU_REG_RESET:
        if (val == ENPU_RESET_MAGIC) {
            edgenpu_reset(s);
        } else {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_reset_value(val),
                              "RESET written with 0x%" PRIx64
                              " instead of the magic value", val);
        }
        break;
    case ENPU_REG_SCRATCH:
        s->scratch = val;
        break;
    case ENPU_REG_IRQ_MASK:
        s->irq_mask = val & ENPU_IRQ_ALL;
        edgenpu_update_irq(s);
        break;
    case ENPU_REG_IRQ_CLEAR:
        s->irq_status &= ~(uint32_t)val;
        edgenpu_update_irq(s);
        break;
    case ENPU_REG_DOORBELL:
        s->doorbell_ack = val;
        s->doorbell_count++;
        edgenpu_raise(s, ENPU_IRQ_DOORBELL);
        break;
    default:
        EDGENPU_GUEST_ERR(trace_edgenpu_ub_mmio_write(addr, val),
                          "write of 0x%" PRIx64 " to read-only or"
                          " unassigned register 0x%" HWADDR_PRIx, val, addr);
        break;
    }
}

static const MemoryRegionOps edgenpu_mmio_ops = {
    .read = edgenpu_mmio_read,
    .write = edgenpu_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void edgenpu_realize(PCIDevice *pdev, Error **errp)
{
    EdgeNpuState *s = EDGENPU(pdev);
    unsigned int i;

    if (!s->macs_per_cycle || !s->clock_mhz || !s->dram_bw_mbps ||
        !s->sram_bw_mbps) {
        error_setg(errp, "edgenpu: macs-per-cycle, clock-mhz, dram-bw-mbps"
                   " and sram-bw-mbps must be non-zero");
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    memory_region_init_io(&s->regs, OBJECT(s), &edgenpu_mmio_ops, s,
                          "edgenpu-regs", ENPU_REGS_SIZE);
    pci_register_bar(pdev, ENPU_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->regs);

    if (msix_init_exclusive_bar(pdev, ENPU_MSIX_VECTORS, ENPU_BAR_MSIX,
                                errp)) {
        return;
    }
    for (i = 0; i < ENPU_MSIX_VECTORS; i++) {
        msix_vector_use(pdev, i);
    }
}

static void edgenpu_exit(PCIDevice *pdev)
{
    msix_uninit_exclusive_bar(pdev);
}

static void edgenpu_reset_hold(Object *obj, ResetType type)
{
    edgenpu_reset(EDGENPU(obj));
}

static const VMStateDescription vmstate_edgenpu = {
    .name = "edgenpu",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, EdgeNpuState),
        VMSTATE_MSIX(parent_obj, EdgeNpuState),
        VMSTATE_UINT32(irq_status, EdgeNpuState),
        VMSTATE_UINT32(irq_mask, EdgeNpuState),
        VMSTATE_UINT32(scratch, EdgeNpuState),
        VMSTATE_UINT32(doorbell_ack, EdgeNpuState),
        VMSTATE_UINT32(doorbell_count, EdgeNpuState),
        VMSTATE_BOOL(irq_asserted, EdgeNpuState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property edgenpu_properties[] = {
    DEFINE_PROP_UINT32("macs-per-cycle", EdgeNpuState, macs_per_cycle,
                       ENPU_DEFAULT_MACS_PER_CYCLE),
    DEFINE_PROP_UINT32("clock-mhz", EdgeNpuState, clock_mhz,
                       ENPU_DEFAULT_CLOCK_MHZ),
    DEFINE_PROP_UINT32("dram-bw-mbps", EdgeNpuState, dram_bw_mbps,
                       ENPU_DEFAULT_DRAM_BW_MBPS),
    DEFINE_PROP_UINT32("sram-size", EdgeNpuState, sram_size,
                       ENPU_DEFAULT_SRAM_SIZE),
    DEFINE_PROP_UINT32("sram-bw-mbps", EdgeNpuState, sram_bw_mbps,
                       ENPU_DEFAULT_SRAM_BW_MBPS),
};

static void edgenpu_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = edgenpu_realize;
    k->exit = edgenpu_exit;
    k->vendor_id = ENPU_PCI_VENDOR_ID;
    k->device_id = ENPU_PCI_DEVICE_ID;
    k->revision = ENPU_PCI_REVISION;
    k->class_id = ENPU_PCI_CLASS_CODE;
    rc->phases.hold = edgenpu_reset_hold;
    dc->vmsd = &vmstate_edgenpu;
    dc->desc = "EdgeNPU INT8 neural processing unit";
    device_class_set_props(dc, edgenpu_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo edgenpu_types[] = {
    {
        .name = TYPE_EDGENPU,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(EdgeNpuState),
        .class_init = edgenpu_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(edgenpu_types)
