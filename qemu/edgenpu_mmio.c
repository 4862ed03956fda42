/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU: MMIO (sysbus) front end of the edgenpu INT8 NPU model, for
 * boards that describe the NPU in the device tree (the device model
 * itself is edgenpu_core.c). One 64 KiB register region, one level
 * interrupt that follows the pending, unmasked causes; DMA goes to the
 * system address space. A second, 4 KiB region stands in for the SoC's
 * reset controller: one register whose bit 0 drives the NPU's reset
 * input (active high, read back as written; hw/README.md).
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

OBJECT_DECLARE_SIMPLE_TYPE(EdgeNpuMmioState, EDGENPU_MMIO)

#define EDGENPU_MMIO_RESET_CTRL_SIZE 0x1000
#define EDGENPU_MMIO_RESET_NPU       (1u << 0)

struct EdgeNpuMmioState {
    SysBusDevice parent_obj;
    EdgeNpuCore core;
    qemu_irq irq;
    MemoryRegion reset_ctrl;
    uint32_t reset_reg;
};

static uint64_t edgenpu_reset_ctrl_read(void *opaque, hwaddr addr,
                                        unsigned size)
{
    EdgeNpuMmioState *s = opaque;

    return addr ? 0 : s->reset_reg;
}

static void edgenpu_reset_ctrl_write(void *opaque, hwaddr addr, uint64_t val,
                                     unsigned size)
{
    EdgeNpuMmioState *s = opaque;

    if (addr) {
        qemu_log_mask(LOG_GUEST_ERROR, "edgenpu-mmio: write to unassigned"
                      " reset-control offset 0x%" HWADDR_PRIx "\n", addr);
        return;
    }
    s->reset_reg = val & EDGENPU_MMIO_RESET_NPU;
    edgenpu_core_set_reset_input(&s->core, s->reset_reg & EDGENPU_MMIO_RESET_NPU);
}

static const MemoryRegionOps edgenpu_reset_ctrl_ops = {
    .read = edgenpu_reset_ctrl_read,
    .write = edgenpu_reset_ctrl_write,
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
    memory_region_init_io(&s->reset_ctrl, OBJECT(dev), &edgenpu_reset_ctrl_ops,
                          s, "edgenpu-reset-ctrl", EDGENPU_MMIO_RESET_CTRL_SIZE);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->reset_ctrl);
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
    s->core.held_in_reset = false;
    edgenpu_core_reset(&s->core);
}

static const VMStateDescription vmstate_edgenpu_mmio = {
    .name = "edgenpu-mmio",
    .version_id = 2,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, EdgeNpuMmioState, 1, vmstate_edgenpu_core,
                       EdgeNpuCore),
        VMSTATE_UINT32_V(reset_reg, EdgeNpuMmioState, 2),
        VMSTATE_END_OF_LIST()
    },
};

static const Property edgenpu_mmio_properties[] = {
    DEFINE_EDGENPU_CORE_PROPERTIES(EdgeNpuMmioState, core),
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
