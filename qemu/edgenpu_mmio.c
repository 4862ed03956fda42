/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU: MMIO (sysbus) front end of the edgenpu INT8 NPU model, for
 * boards that describe the NPU in the device tree (the device model
 * itself is edgenpu_core.c). One 64 KiB register region, one level
 * interrupt that follows the pending, unmasked causes; DMA goes to the
 * system address space. A second, 4 KiB region stands in for the SoC's
 * system controller: the NPU's reset line and its power domain
 * (hw/edgenpu_sysctrl.h, hw/README.md).
 *
 * On the arm "virt" machine it is a dynamic sysbus device:
 *   qemu-system-aarch64 -M virt ... -device edgenpu-mmio[,<properties>]
 * lands on virt's platform bus -- the first such device at 0x0c000000
 * with GIC SPI 112 -- and the machine adds its device-tree node
 * (compatible "edgenpu,qemu-virt-npu", "edgenpu,npu-0.2";
 * edgenpu_mmio_fdt.h, binding dts/bindings/npu/edgenpu,npu.yaml).
 * (properties: edgenpu_core.h)
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "exec/address-spaces.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "trace.h"

#include "edgenpu_core.h"
#include "edgenpu_mmio.h"
#include "edgenpu_sysctrl.h"

OBJECT_DECLARE_SIMPLE_TYPE(EdgeNpuMmioState, EDGENPU_MMIO)

struct EdgeNpuMmioState {
    SysBusDevice parent_obj;
    EdgeNpuCore core;
    qemu_irq irq;
    MemoryRegion sysctrl;
    uint32_t reset_reg;      /* ENPU_SYSCTRL_RESET */
    uint32_t pwr_ctrl;       /* ENPU_SYSCTRL_PWR + ENPU_PWR_CTRL */
    bool dma_coherent;       /* the node says "dma-coherent" (fdt only) */
};

static uint64_t edgenpu_sysctrl_read(void *opaque, hwaddr addr, unsigned size)
{
    EdgeNpuMmioState *s = opaque;

    switch (addr) {
    case ENPU_SYSCTRL_RESET:
        return s->reset_reg;
    case ENPU_SYSCTRL_PWR + ENPU_PWR_CTRL:
        return s->pwr_ctrl;
    case ENPU_SYSCTRL_PWR + ENPU_PWR_STATUS:
        /* the model switches at once: the domain is as requested */
        return s->core.powered_off ? 0 : ENPU_PWR_NPU;
    }
    return 0;
}

static void edgenpu_sysctrl_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    EdgeNpuMmioState *s = opaque;

    switch (addr) {
    case ENPU_SYSCTRL_RESET:
        s->reset_reg = val & ENPU_SYSCTRL_RESET_NPU;
        edgenpu_core_set_reset_input(&s->core, s->reset_reg);
        return;
    case ENPU_SYSCTRL_PWR + ENPU_PWR_CTRL:
        s->pwr_ctrl = val & ENPU_PWR_NPU;
        edgenpu_core_set_power(&s->core, s->pwr_ctrl);
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "edgenpu-mmio: write to read-only or"
                  " unassigned system-control offset 0x%" HWADDR_PRIx "\n",
                  addr);
}

static const MemoryRegionOps edgenpu_sysctrl_ops = {
    .read = edgenpu_sysctrl_read,
    .write = edgenpu_sysctrl_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void edgenpu_mmio_set_irq(EdgeNpuCore *c, bool level, bool rising)
{
    EdgeNpuMmioState *s = c->opaque;

    trace_edgenpu_irq_line(level);
    qemu_set_irq(s->irq, level);
}

static void edgenpu_mmio_realize(DeviceState *dev, Error **errp)
{
    EdgeNpuMmioState *s = EDGENPU_MMIO(dev);

    s->core.dma_as = &address_space_memory;
    s->core.set_irq = edgenpu_mmio_set_irq;
    s->core.opaque = s;
    if (!edgenpu_core_realize(&s->core, dev, errp)) {
        return;
    }
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->core.regs);
    memory_region_init_io(&s->sysctrl, OBJECT(dev), &edgenpu_sysctrl_ops, s,
                          "edgenpu-sysctrl", ENPU_SYSCTRL_SIZE);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->sysctrl);
    sysbus_init_irq(SYS_BUS_DEVICE(dev), &s->irq);
}

static void edgenpu_mmio_unrealize(DeviceState *dev)
{
    edgenpu_core_unrealize(&EDGENPU_MMIO(dev)->core);
}

static void edgenpu_mmio_reset_hold(Object *obj, ResetType type)
{
    EdgeNpuMmioState *s = EDGENPU_MMIO(obj);

    s->reset_reg = 0;
    s->pwr_ctrl = ENPU_PWR_NPU;
    edgenpu_core_reset_inputs(&s->core);
}

static const VMStateDescription vmstate_edgenpu_mmio = {
    .name = "edgenpu-mmio",
    .version_id = 4,
    .minimum_version_id = 4,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, EdgeNpuMmioState, 1, vmstate_edgenpu_core,
                       EdgeNpuCore),
        VMSTATE_UINT32_V(reset_reg, EdgeNpuMmioState, 2),
        VMSTATE_UINT32_V(pwr_ctrl, EdgeNpuMmioState, 3),
        VMSTATE_END_OF_LIST()
    },
};

static const Property edgenpu_mmio_properties[] = {
    DEFINE_EDGENPU_CORE_PROPERTIES(EdgeNpuMmioState, core),
    /*
     * Whether the node describes the NPU as snooping CPU caches; off, the
     * guest's driver treats it as a non-coherent SoC device (write-combined
     * CPU mappings). TCG models no caches: what changes is the guest's path.
     */
    DEFINE_PROP_BOOL("dma-coherent", EdgeNpuMmioState, dma_coherent, true),
};

static void edgenpu_mmio_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = edgenpu_mmio_realize;
    dc->unrealize = edgenpu_mmio_unrealize;
    rc->phases.hold = edgenpu_mmio_reset_hold;
    dc->vmsd = &vmstate_edgenpu_mmio;
    dc->desc = "EdgeNPU INT8 neural processing unit (MMIO)";
    dc->user_creatable = true;
    device_class_set_props(dc, edgenpu_mmio_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo edgenpu_mmio_types[] = {
    {
        .name = TYPE_EDGENPU_MMIO,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(EdgeNpuMmioState),
        .class_init = edgenpu_mmio_class_init,
    },
};

DEFINE_TYPES(edgenpu_mmio_types)
