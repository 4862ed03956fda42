/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU: the bus-independent part of the device model -- registers,
 * rings, the worker thread running the engine, interrupts causes, reset
 * and migration state. The front ends (edgenpu_pci.c, edgenpu_mmio.c)
 * embed an EdgeNpuCore, give it the address space its DMA goes to and a
 * function that drives their interrupt, and map core.regs.
 *
 * Properties shared by both front ends (the first five are reported in
 * the capability registers):
 *   macs-per-cycle  INT8 multiply-accumulates per clock (default 256)
 *   clock-mhz       NPU core clock in MHz (default 1000)
 *   dram-bw-mbps    DRAM bandwidth in MB/s (default 8000)
 *   sram-size       on-chip SRAM in bytes (default 512 KiB, at most 64 MiB)
 *   sram-bw-mbps    SRAM bandwidth in MB/s (default 64000)
 *   debug           expose the fault-injection registers (default off)
 *   lut             the LUT command (default on); off presents a device of
 *                   before contract 0.4: no ENPU_CAP_LUT, ISA version 1, and
 *                   LUT refused as an unknown opcode
 *   eltwise         the ELTWISE command (default on); off presents a device
 *                   of before contract 0.5: no ENPU_CAP_ELTWISE, ISA version
 *                   2 (1 if lut is off too), and ELTWISE refused as an
 *                   unknown opcode. The two are independent: lut=off alone
 *                   leaves ELTWISE (CAPS bit 10) with ISA version 1
 *   fused-lut       a table applied to CONV2D/DWCONV2D/FULLY_CONNECTED
 *                   results (default on; needs lut); off presents a device
 *                   of before contract 0.6: no ENPU_CAP_FUSED_LUT, ISA
 *                   version 3 (or lower, as above), and the commands' LUT
 *                   flag refused as a reserved bit
 *
 * Locking: the BQL covers MMIO handlers, the interrupt delivery (the
 * bottom half and the work queued on the first vCPU, whichever runs
 * first) and the interrupt registers. lock covers the rings, fault
 * registers, counters and the worker's hand-over state; the worker never
 * holds it across a bus access (a bus access may need the BQL, and MMIO
 * handlers take lock under the BQL), and never takes the BQL itself.
 */

#ifndef HW_EDGENPU_CORE_H
#define HW_EDGENPU_CORE_H

#include "qemu/thread.h"
#include "exec/memory.h"
#include "hw/qdev-properties.h"
#include "system/runstate.h"

#include "edgenpu_hw.h"
#include "engine/enpu_engine.h"

#define EDGENPU_SRAM_MAX (64u << 20)

typedef struct EdgeNpuCore EdgeNpuCore;

/*
 * The job the worker holds, from its descriptor fetch to its completion:
 * running in the engine, parked there while the machine is stopped (the
 * engine holds its state), or hung by an injection.
 */
typedef struct EdgeNpuJob {
    struct enpu_job_desc desc;
    int32_t ring;
    uint32_t enable_gen;     /* its ring's enable_gen when it started */
    bool valid;
    bool parked;             /* the engine holds it, paused */
    bool hang;               /* injected hang: waits for abort or reset */
    uint64_t start_time;     /* QEMU_CLOCK_VIRTUAL ns when it started */
} EdgeNpuJob;

/*
 * Drives the front end's interrupt (BQL held): @level is whether an
 * unmasked cause is pending, @rising whether that just became true (the
 * moment to send a message-signalled interrupt).
 */
typedef void (*EdgeNpuIrqFn)(EdgeNpuCore *c, bool level, bool rising);

typedef struct EdgeNpuRing {
    uint64_t addr;
    uint32_t size;
    uint32_t ctrl;
    uint32_t head;
    uint32_t tail;
    uint32_t done_seqno;
    uint32_t error;          /* ENPU_RING_STATUS_ERROR latched */
    uint32_t active_seqno;
    uint32_t enable_gen;     /* bumped each time the ring is (re)enabled */
    bool busy;               /* the worker runs (or hangs in) a job of it */
    bool running;            /* ...its descriptor fetched: STATUS.BUSY */
    bool hung;               /* injected hang: waits for abort or reset */
    bool abort;              /* RING_CTRL.ABORT while busy */
} EdgeNpuRing;

struct EdgeNpuCore {
    /* Set by the front end before edgenpu_core_realize(). */
    AddressSpace *dma_as;
    EdgeNpuIrqFn set_irq;
    void *opaque;            /* the front end's state, for set_irq */
    bool msix;               /* CAPS.MSIX: the front end has MSI-X */

    MemoryRegion regs;

    /* Configuration (device properties). */
    uint32_t macs_per_cycle;
    uint32_t clock_mhz;
    uint32_t dram_bw_mbps;
    uint32_t sram_size;
    uint32_t sram_bw_mbps;
    bool debug;
    bool lut;
    bool eltwise;
    bool fused_lut;
    uint32_t worker_wake_delay_us;  /* x-worker-wake-delay-us: testing */

    /* Under the BQL. */
    uint32_t irq_status;
    uint32_t irq_mask;
    uint32_t scratch;
    uint32_t doorbell_ack;
    uint32_t doorbell_count;
    bool irq_asserted;
    QEMUBH *irq_bh;
    DeviceState *owner;      /* the front end: referenced by queued vCPU work */

    /* Under lock. */
    QemuMutex lock;
    QemuCond cond;
    QemuThread worker;
    bool stopping;
    bool resetting;          /* STATUS.READY clear until the worker is idle */
    bool stuck;              /* injected stuck soft reset: until a hard one */
    uint32_t high_streak;    /* ring-1 jobs served in a row */
    uint32_t generation;     /* bumped by every reset */
    EdgeNpuRing ring[ENPU_NUM_RINGS];
    int active_ring;         /* -1 when idle */
    uint32_t fault_status;
    uint32_t fault_addr;
    uint32_t fault_asid;
    uint32_t fault_seqno;
    uint32_t jobs_done;
    /* SoC inputs (MMIO integration); either holds the device in reset. */
    bool held_in_reset;      /* reset input asserted */
    bool powered_off;        /* power domain off */
    uint32_t reset_inputs;   /* DBG_RESET_INPUTS: releases of the reset input */
    uint32_t power_ups;      /* DBG_POWER_UPS: power domain switched on */
    uint32_t held_accesses;  /* DBG_HELD_ACCESSES (under the BQL) */
    uint32_t doorbell_jobs;  /* DBG_DOORBELL_JOBS */
    uint32_t resets_at_write;    /* DBG_RESETS_AT_WRITE */
    uint64_t sram_owner;     /* engine.sram_owner, for migration */
    uint64_t busy_cycles;
    uint32_t inject;         /* armed ENPU_INJECT_* bits */
    uint32_t inject_ring1;   /* job faults armed for ring 1's next job */
    uint32_t pending_causes; /* for the bottom half or the vCPU work */
    bool irq_work_queued;    /* edgenpu_irq_work queued on the first vCPU */
    /* a job runs on the vCPU that rang (edgenpu_doorbell_locked) */
    bool at_doorbell;
    EdgeNpuJob job;
    /*
     * The machine runs (vm_running): while it is stopped the worker
     * starts nothing and a running job parks within the abort bound, so
     * a stopped machine's device is still and can be saved (quiet: the
     * worker waits and touches nothing).
     */
    bool vm_running;
    bool quiet;
    QemuCond quiet_cond;
    VMChangeStateEntry *vmse;
    /* Migration of a job in flight (the subsection "edgenpu-core/job"). */
    bool job_abort;
    bool job_stale;
    uint8_t *park_blob;      /* enpu_engine_save() */
    uint32_t park_len;

    struct enpu_engine engine;
};

/* The shared properties, for a front end whose state has core as @_f. */
#define DEFINE_EDGENPU_CORE_PROPERTIES(_s, _f)                          \
    DEFINE_PROP_UINT32("macs-per-cycle", _s, _f.macs_per_cycle,         \
                       ENPU_DEFAULT_MACS_PER_CYCLE),                    \
    DEFINE_PROP_UINT32("clock-mhz", _s, _f.clock_mhz,                   \
                       ENPU_DEFAULT_CLOCK_MHZ),                         \
    DEFINE_PROP_UINT32("dram-bw-mbps", _s, _f.dram_bw_mbps,             \
                       ENPU_DEFAULT_DRAM_BW_MBPS),                      \
    DEFINE_PROP_UINT32("sram-size", _s, _f.sram_size,                   \
                       ENPU_DEFAULT_SRAM_SIZE),                         \
    DEFINE_PROP_UINT32("sram-bw-mbps", _s, _f.sram_bw_mbps,             \
                       ENPU_DEFAULT_SRAM_BW_MBPS),                      \
    DEFINE_PROP_BOOL("debug", _s, _f.debug, false),                     \
    DEFINE_PROP_BOOL("lut", _s, _f.lut, true),                          \
    DEFINE_PROP_BOOL("eltwise", _s, _f.eltwise, true),                  \
    DEFINE_PROP_BOOL("fused-lut", _s, _f.fused_lut, true),              \
    DEFINE_PROP_UINT32("x-worker-wake-delay-us", _s,                    \
                       _f.worker_wake_delay_us, 0)

/*
 * Checks the properties, allocates SRAM, creates the register region
 * (owned by @owner) and starts the worker. False with @errp set on error.
 */
bool edgenpu_core_realize(EdgeNpuCore *c, DeviceState *owner, Error **errp);
void edgenpu_core_unrealize(EdgeNpuCore *c);
/*
 * A hard reset (bus or function reset): stops what runs, whatever the
 * device was doing, an injected stuck soft reset included; the front
 * end's interrupt is deasserted.
 */
void edgenpu_core_reset(EdgeNpuCore *c);
/*
 * The SoC-side inputs of the MMIO integration (hw/README.md): the reset
 * line, and the power domain, off losing every state (SRAM included).
 * While either holds it, registers read 0, writes are ignored and nothing
 * runs; when both let go it starts as at power-on.
 */
void edgenpu_core_set_reset_input(EdgeNpuCore *c, bool asserted);
void edgenpu_core_set_power(EdgeNpuCore *c, bool on);
/* The machine's reset: both inputs back to their power-on state. */
void edgenpu_core_reset_inputs(EdgeNpuCore *c);
/*
 * Migration: registers, rings, SRAM and its owner, and a job in flight
 * (parked when the machine stopped, it goes on where it was on the
 * destination).
 */
extern const VMStateDescription vmstate_edgenpu_core;

#endif /* HW_EDGENPU_CORE_H */
