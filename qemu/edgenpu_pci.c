/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU: PCI front end of the edgenpu INT8 NPU model (the device model
 * itself is edgenpu_core.c). BAR0 holds the registers, BAR1 the MSI-X
 * table; without MSI-X the INTx pin follows the pending causes. DMA goes
 * through the function's bus-master address space, so bus mastering and
 * an emulated IOMMU are honoured.
 *
 * Usage:
 *   -device edgenpu[,macs-per-cycle=256][,clock-mhz=1000]
 *                  [,dram-bw-mbps=8000][,sram-size=524288][,sram-bw-mbps=64000]
 *                  [,debug=on][,lut=off][,eltwise=off][,fused-lut=off]
 * (properties: edgenpu_core.h)
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/vmstate.h"
#include "trace.h"

#include "edgenpu_core.h"

#define TYPE_EDGENPU "edgenpu"
OBJECT_DECLARE_SIMPLE_TYPE(EdgeNpuPciState, EDGENPU)

struct EdgeNpuPciState {
    PCIDevice parent_obj;
    EdgeNpuCore core;
};

typedef struct EdgeNpuPciClass {
    PCIDeviceClass parent_class;
    DeviceRealize parent_dc_realize;
} EdgeNpuPciClass;

DECLARE_CLASS_CHECKERS(EdgeNpuPciClass, EDGENPU_PCI, TYPE_EDGENPU)

static void edgenpu_pci_set_irq(EdgeNpuCore *c, bool level, bool rising)
{
    PCIDevice *pdev = PCI_DEVICE(c->opaque);

    if (msix_enabled(pdev)) {
        if (rising) {
            trace_edgenpu_irq_msix(ENPU_MSIX_VECTOR_EVENTS, c->irq_status);
            msix_notify(pdev, ENPU_MSIX_VECTOR_EVENTS);
        }
    } else {
        trace_edgenpu_irq_intx(level);
        pci_set_irq(pdev, level);
    }
}

/*
 * Express or not is decided before the PCI core sizes the configuration
 * space: by the bus the function is plugged into.
 */
static void edgenpu_pci_dc_realize(DeviceState *dev, Error **errp)
{
    PCIDevice *pdev = PCI_DEVICE(dev);

    if (pci_bus_is_express(PCI_BUS(qdev_get_parent_bus(dev)))) {
        pdev->cap_present |= QEMU_PCI_CAP_EXPRESS;
    }
    EDGENPU_PCI_GET_CLASS(dev)->parent_dc_realize(dev, errp);
}

static void edgenpu_pci_write_config(PCIDevice *pdev, uint32_t addr,
                                     uint32_t val, int len)
{
    pci_default_write_config(pdev, addr, val, len);
    if (pci_is_express(pdev)) {
        pcie_cap_flr_write_config(pdev, addr, val, len);
    }
}

static void edgenpu_pci_realize(PCIDevice *pdev, Error **errp)
{
    EdgeNpuPciState *s = EDGENPU(pdev);
    unsigned int i;

    s->core.dma_as = pci_get_address_space(pdev);
    s->core.set_irq = edgenpu_pci_set_irq;
    s->core.opaque = s;
    s->core.msix = true;
    if (!edgenpu_core_realize(&s->core, DEVICE(pdev), errp)) {
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (pci_is_express(pdev)) {
        if (pcie_endpoint_cap_init(pdev, 0) < 0) {
            error_setg(errp, "edgenpu: cannot add the PCI Express capability");
            edgenpu_core_unrealize(&s->core);
            return;
        }
        pcie_cap_flr_init(pdev);
    }
    pci_register_bar(pdev, ENPU_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->core.regs);
    if (msix_init_exclusive_bar(pdev, ENPU_MSIX_VECTORS, ENPU_BAR_MSIX,
                                errp)) {
        edgenpu_core_unrealize(&s->core);
        return;
    }
    for (i = 0; i < ENPU_MSIX_VECTORS; i++) {
        msix_vector_use(pdev, i);
    }
}

static void edgenpu_pci_exit(PCIDevice *pdev)
{
    EdgeNpuPciState *s = EDGENPU(pdev);

    edgenpu_core_unrealize(&s->core);
    msix_uninit_exclusive_bar(pdev);
    if (pci_is_express(pdev)) {
        pcie_cap_exit(pdev);
    }
}

/* Bus reset and function level reset: the hard reset. */
static void edgenpu_pci_reset_hold(Object *obj, ResetType type)
{
    edgenpu_core_reset(&EDGENPU(obj)->core);
}

static const VMStateDescription vmstate_edgenpu_pci = {
    .name = "edgenpu",
    .version_id = 4,
    .minimum_version_id = 4,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, EdgeNpuPciState),
        VMSTATE_MSIX(parent_obj, EdgeNpuPciState),
        VMSTATE_STRUCT(core, EdgeNpuPciState, 1, vmstate_edgenpu_core,
                       EdgeNpuCore),
        VMSTATE_END_OF_LIST()
    },
};

static const Property edgenpu_pci_properties[] = {
    DEFINE_EDGENPU_CORE_PROPERTIES(EdgeNpuPciState, core),
};

static void edgenpu_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    EdgeNpuPciClass *ec = EDGENPU_PCI_CLASS(klass);

    device_class_set_parent_realize(dc, edgenpu_pci_dc_realize,
                                    &ec->parent_dc_realize);
    k->realize = edgenpu_pci_realize;
    k->config_write = edgenpu_pci_write_config;
    k->exit = edgenpu_pci_exit;
    k->vendor_id = ENPU_PCI_VENDOR_ID;
    k->device_id = ENPU_PCI_DEVICE_ID;
    k->revision = ENPU_PCI_REVISION;
    k->class_id = ENPU_PCI_CLASS_CODE;
    rc->phases.hold = edgenpu_pci_reset_hold;
    dc->vmsd = &vmstate_edgenpu_pci;
    dc->desc = "EdgeNPU INT8 neural processing unit (PCI)";
    device_class_set_props(dc, edgenpu_pci_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo edgenpu_pci_types[] = {
    {
        .name = TYPE_EDGENPU,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(EdgeNpuPciState),
        .class_size = sizeof(EdgeNpuPciClass),
        .class_init = edgenpu_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_PCIE_DEVICE },
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(edgenpu_pci_types)
