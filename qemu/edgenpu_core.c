/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EdgeNPU: the bus-independent device model (see edgenpu_core.h).
 *
 * The register contract is hw/edgenpu_hw.h and the job, MMU and command
 * formats are hw/edgenpu_{job,mmu,isa}.h (copied beside this file by
 * qemu/build-qemu.sh); hw/README.md documents the behaviour. Jobs run in
 * the execution engine (engine/, plain C) on a worker thread, so a long
 * job never stalls a vCPU; all bus accesses go through the front end's
 * DMA address space, so an emulated IOMMU is honoured.
 *
 * Trace with -trace 'edgenpu_*'.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "hw/core/cpu.h"
#include "qapi/error.h"
#include "system/dma.h"
#include "migration/vmstate.h"
#include "trace.h"

#include "edgenpu_core.h"
#include "edgenpu_isa.h"
#include "edgenpu_job.h"
#include "edgenpu_mmu.h"

#define EDGENPU_GUEST_ERR(trace, fmt, ...)                              \
    do {                                                                \
        (trace);                                                        \
        qemu_log_mask(LOG_GUEST_ERROR, "edgenpu: " fmt "\n",            \
                      ## __VA_ARGS__);                                  \
    } while (0)

/* ---- interrupts (BQL) ---------------------------------------------------- */

/*
 * The front end hears of every change of the pending, unmasked causes
 * (MSI-X: a message when they go from empty to non-empty; a wire: the
 * level). An armed drop-irq injection swallows one rising edge.
 */
static void edgenpu_update_irq(EdgeNpuCore *s)
{
    bool level = (s->irq_status & s->irq_mask) != 0;
    bool rising = level && !s->irq_asserted;

    if (rising) {
        qemu_mutex_lock(&s->lock);
        if (s->inject & ENPU_INJECT_DROP_IRQ) {
            s->inject &= ~ENPU_INJECT_DROP_IRQ;
            rising = false;
            trace_edgenpu_inject("drop-irq");
        }
        qemu_mutex_unlock(&s->lock);
    }
    s->set_irq(s, level, rising);
    s->irq_asserted = level;
}

static void edgenpu_raise(EdgeNpuCore *s, uint32_t cause)
{
    s->irq_status |= cause;
    edgenpu_update_irq(s);
}

/*
 * Causes raised by the worker thread reach the guest from here, with the
 * big lock held. Two paths, whichever runs first (the other then finds
 * nothing pending): work queued on the first vCPU, which async_run_on_cpu()
 * kicks at once, and a bottom half in the main loop. Through the main loop
 * alone every job took ~60 us more in a TCG guest (its thread is the last
 * to wake, tests/bench/roundtrip_bench.c); the vCPU runs the work before it
 * runs the guest again.
 */
static void edgenpu_deliver(EdgeNpuCore *s)
{
    uint32_t causes;

    qemu_mutex_lock(&s->lock);
    causes = s->pending_causes;
    s->pending_causes = 0;
    qemu_mutex_unlock(&s->lock);
    if (causes) {
        edgenpu_raise(s, causes);
    }
}

static void edgenpu_irq_bh(void *opaque)
{
    edgenpu_deliver(opaque);
}

/*
 * vCPU work (big lock held). The work holds a reference on the device:
 * one unplugged since is left alone (its lock is gone) and let go.
 */
static void edgenpu_irq_work(CPUState *cpu, run_on_cpu_data data)
{
    EdgeNpuCore *s = data.host_ptr;
    DeviceState *owner = s->owner;

    if (owner->realized) {
        qemu_mutex_lock(&s->lock);
        s->irq_work_queued = false;
        qemu_mutex_unlock(&s->lock);
        edgenpu_deliver(s);
    }
    object_unref(OBJECT(owner));
}

/*
 * Worker side, with s->lock held. At most one vCPU work is queued. A job
 * run at its doorbell leaves its causes to that vCPU, which delivers them
 * as soon as the job ends.
 */
static void edgenpu_post_locked(EdgeNpuCore *s, uint32_t causes)
{
    s->pending_causes |= causes;
    if (s->at_doorbell) {
        return;
    }
    if (!s->irq_work_queued && first_cpu) {
        s->irq_work_queued = true;
        object_ref(OBJECT(s->owner));
        async_run_on_cpu(first_cpu, edgenpu_irq_work, RUN_ON_CPU_HOST_PTR(s));
    }
    qemu_bh_schedule(s->irq_bh);
}

/* ---- bus access for the engine (worker thread, no lock held) ------------- */

/*
 * The NPU's DMA reaches memory only (hw/README.md): an access that lands
 * on device registers is a bus error. It is refused before anything
 * takes the big lock, so a guest that points its NPU at MMIO gets a
 * DMA error instead of a worker waiting on the lock that unplug holds.
 */
static const MemTxAttrs edgenpu_dma_attrs = { .memory = 1 };

static int edgenpu_bus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    EdgeNpuCore *s = opaque;

    return dma_memory_read(s->dma_as, addr, buf, len,
                           edgenpu_dma_attrs) == MEMTX_OK ? 0 : -1;
}

static int edgenpu_bus_write(void *opaque, uint64_t addr, const void *buf,
                             size_t len)
{
    EdgeNpuCore *s = opaque;

    return dma_memory_write(s->dma_as, addr, buf, len,
                            edgenpu_dma_attrs) == MEMTX_OK ? 0 : -1;
}

/*
 * Memory compared with @buf where it lies (a kept layer's weights, the
 * engine's pack cache): mapped when it is RAM, which is all a guest's
 * weights ever are; anything else -- device registers, a bounce buffer,
 * a mapping cut short -- the engine reads as any DMA, and it fails as a
 * read fails. 1 equal, 0 not, or ENPU_MEM_NOT_IN_PLACE.
 */
static int edgenpu_bus_equal(void *opaque, uint64_t addr, const void *buf,
                             size_t len)
{
    EdgeNpuCore *s = opaque;
    dma_addr_t l = len;
    ram_addr_t offset;
    void *p;
    int same;

    p = dma_memory_map(s->dma_as, addr, &l, DMA_DIRECTION_TO_DEVICE,
                       edgenpu_dma_attrs);
    if (p && l == len && memory_region_from_host(p, &offset)) {
        same = !memcmp(p, buf, len);
        dma_memory_unmap(s->dma_as, p, l, DMA_DIRECTION_TO_DEVICE, len);
        return same;
    }
    if (p) {
        dma_memory_unmap(s->dma_as, p, l, DMA_DIRECTION_TO_DEVICE, 0);
    }
    return ENPU_MEM_NOT_IN_PLACE;
}

static const struct enpu_mem_ops edgenpu_mem_ops = {
    .read = edgenpu_bus_read,
    .write = edgenpu_bus_write,
    .equal = edgenpu_bus_equal,
};

/* ---- the worker ------------------------------------------------------------ */

/*
 * Host work (enpu_engine_run_bounded() units, about a nanosecond each at
 * the slowest) a job may take on the vCPU that rang its doorbell, with the
 * big lock held: at most ~50 us for the worst mix measured (two hundred
 * one-byte DMA copies), a few for a job of a small model.
 */
#define EDGENPU_DOORBELL_BUDGET (64u * 1024)

static bool edgenpu_ring_ready(EdgeNpuRing *r)
{
    return (r->ctrl & ENPU_RING_CTRL_ENABLE) && !r->error && !r->busy &&
           r->tail - r->head - 1 < r->size;     /* 1 <= TAIL - HEAD <= SIZE */
}

/*
 * Next ring to serve: the high-priority ring first, but after
 * ENPU_RING_HIGH_BURST of its jobs in a row a ready normal ring gets the
 * next turn. Lock held.
 */
static int edgenpu_pick_ring(EdgeNpuCore *s)
{
    bool high = edgenpu_ring_ready(&s->ring[ENPU_RING_HIGH]);
    bool normal = edgenpu_ring_ready(&s->ring[ENPU_RING_NORMAL]);

    if (high && (!normal || s->high_streak < ENPU_RING_HIGH_BURST)) {
        s->high_streak++;
        return ENPU_RING_HIGH;
    }
    if (normal) {
        s->high_streak = 0;
        return ENPU_RING_NORMAL;
    }
    return -1;
}

/*
 * Lock held: the job of ring @r ended with @done (NULL: descriptor fetch
 * failed). A job whose ring was re-enabled while it ran (@stale) still
 * ends and reports, but no longer moves the new ring's HEAD or DONE_SEQNO.
 */
static void edgenpu_finish_locked(EdgeNpuCore *s, int r,
                                  const struct enpu_job_completion *done,
                                  uint32_t asid, bool stale)
{
    EdgeNpuRing *ring = &s->ring[r];
    uint32_t causes;

    ring->busy = false;
    ring->running = false;
    ring->hung = false;
    ring->abort = false;
    s->active_ring = -1;
    if (!done) {
        ring->error = ENPU_RING_STATUS_ERROR;
        edgenpu_post_locked(s, ENPU_IRQ_RING_ERROR);
        return;
    }
    if (!stale) {
        ring->head++;
        ring->done_seqno = done->seqno;
    }
    s->jobs_done++;
    s->busy_cycles += done->cycles;
    causes = ENPU_IRQ_RING_DONE(r);
    if (done->status != ENPU_JOB_OK) {
        causes |= ENPU_IRQ_JOB_ERROR;
    }
    if (done->status == ENPU_JOB_MMU_FAULT) {
        if (!(s->fault_status & ENPU_FAULT_VALID)) {
            s->fault_status = done->error_info | (uint32_t)r << 8;
            s->fault_addr = done->fault_addr;
            s->fault_asid = asid;
            s->fault_seqno = done->seqno;
        }
        causes |= ENPU_IRQ_MMU_FAULT;
    }
    trace_edgenpu_job_done(r, done->seqno, done->status, done->cycles);
    edgenpu_post_locked(s, causes);
}

/* The most x-worker-wake-delay-us may be (a testing property). */
#define EDGENPU_WAKE_DELAY_MAX_US 100000

/*
 * Worker side, lock held: waits for a change while touching nothing, so
 * that a stopped machine's device can be saved. x-worker-wake-delay-us
 * makes each wake-up that late, still quiet, as a busy host may: tests
 * run with it to show they do not count on the worker waking at once.
 */
static void edgenpu_worker_wait(EdgeNpuCore *s)
{
    s->quiet = true;
    qemu_cond_broadcast(&s->quiet_cond);
    qemu_cond_wait(&s->cond, &s->lock);
    if (s->worker_wake_delay_us) {
        qemu_mutex_unlock(&s->lock);
        g_usleep(s->worker_wake_delay_us);
        qemu_mutex_lock(&s->lock);
    }
    s->quiet = false;
}

/*
 * Runs s->job on (from its start, or from where it parked) to its end,
 * or until it parks because the machine stopped. Lock held.
 */
static void edgenpu_job_run(EdgeNpuCore *s)
{
    EdgeNpuJob *job = &s->job;
    int r = job->ring;
    EdgeNpuRing *ring = &s->ring[r];
    struct enpu_job_completion done;
    struct enpu_job_desc desc = job->desc;    /* a reset clears s->job */
    uint64_t start_time = job->start_time;
    uint32_t gen = s->generation, rgen = job->enable_gen;
    bool parked = job->parked;
    int ret;

    if (job->hang) {
        /* The job never progresses: only an abort or a reset ends it. */
        ring->hung = true;
        while ((!ring->abort || !s->vm_running) && !s->stopping &&
               gen == s->generation) {
            edgenpu_worker_wait(s);
        }
        if (gen != s->generation || s->stopping) {
            return;
        }
        memset(&done, 0, sizeof(done));
        done.seqno = desc.seqno;
        done.status = ENPU_JOB_ABORTED;
    } else {
        job->parked = false;
        qemu_mutex_unlock(&s->lock);
        ret = parked ? enpu_engine_resume(&s->engine, &done) :
              enpu_engine_run_bounded(&s->engine, &desc, &done,
                                      s->at_doorbell ? EDGENPU_DOORBELL_BUDGET : 0);
        qemu_mutex_lock(&s->lock);
        if (gen != s->generation) {
            return;     /* reset while running: no completion */
        }
        if (ret == ENPU_ENGINE_DEFERRED) {
            return;     /* the worker starts it */
        }
        if (ret == ENPU_ENGINE_PAUSED) {
            job->parked = true;     /* goes on when the machine runs */
            trace_edgenpu_job_parked(r, desc.seqno,
                                     enpu_engine_progress(&s->engine));
            return;
        }
    }
    job->valid = false;
    /* its own time: the clock stands while the machine is stopped */
    done.start_time = start_time;
    done.end_time = MAX(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), start_time);

    qemu_mutex_unlock(&s->lock);
    if (edgenpu_bus_write(s, desc.completion_addr, &done, sizeof(done))) {
        EDGENPU_GUEST_ERR(trace_edgenpu_ub_completion(r, desc.completion_addr),
                          "ring %d: cannot write completion at 0x%" PRIx64,
                          r, (uint64_t)desc.completion_addr);
    }
    qemu_mutex_lock(&s->lock);
    if (gen == s->generation) {
        edgenpu_finish_locked(s, r, &done, desc.asid, ring->enable_gen != rgen);
    }
}

/* Starts the next job of ring @r. Called and returns with the lock held. */
static void edgenpu_run_one(EdgeNpuCore *s, int r)
{
    EdgeNpuRing *ring = &s->ring[r];
    struct enpu_job_desc desc;
    uint64_t daddr = ring->addr + (uint64_t)(ring->head % ring->size) *
                     sizeof(desc);
    uint32_t gen = s->generation, rgen = ring->enable_gen;
    uint32_t faults;
    bool hang;

    ring->busy = true;
    s->active_ring = r;
    enpu_engine_clear_abort(&s->engine);
    qemu_mutex_unlock(&s->lock);

    if (edgenpu_bus_read(s, daddr, &desc, sizeof(desc)) ||
        (desc.completion_addr & 63)) {
        qemu_mutex_lock(&s->lock);
        if (gen == s->generation) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_descriptor(r, daddr),
                              "ring %d: cannot use descriptor at 0x%" PRIx64,
                              r, daddr);
            edgenpu_finish_locked(s, r, NULL, 0, false);
        }
        return;
    }

    qemu_mutex_lock(&s->lock);
    if (gen != s->generation) {
        return;
    }
    ring->active_seqno = desc.seqno;
    ring->running = true;
    faults = s->inject & ENPU_INJECT_JOB_FAULTS & ~ENPU_INJECT_DMA_ERROR;
    s->inject &= ~faults;
    if (r == ENPU_RING_HIGH) {
        /* aimed at ring 1's next job: this one */
        faults |= s->inject_ring1;
        s->inject_ring1 = 0;
        if (faults & ENPU_INJECT_DMA_ERROR) {
            atomic_store(&s->engine.inject_dma_error, 1);
        }
    }
    hang = faults & ENPU_INJECT_HANG;
    if (faults & ENPU_INJECT_MMU_FAULT) {
        /* this job takes it: at its first access, or never if it hangs */
        atomic_store(&s->engine.inject_mmu_fault, !hang);
    }
    trace_edgenpu_job_start(r, desc.seqno, desc.asid, desc.cmd_size);
    if (hang) {
        trace_edgenpu_inject("hang");
    }
    s->job = (EdgeNpuJob) {
        .desc = desc, .ring = r, .enable_gen = rgen, .valid = true,
        .hang = hang, .start_time = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL),
    };
    edgenpu_job_run(s);
}

/*
 * Doorbell (TAIL written; BQL and lock held): when the worker is idle and
 * nothing stands in the way, the vCPU that rang runs the job itself, up to
 * EDGENPU_DOORBELL_BUDGET of host work (enpu_engine_run_bounded()), and
 * delivers its interrupt on the way back: a small job then costs the
 * guest one register write instead of waking the worker and a vCPU (two
 * host threads, tens of microseconds each on a busy host). A job that
 * would take longer parks before its first command, or is not started,
 * and the worker goes on with it. Jobs with injected faults (a hang waits
 * for an abort that needs the BQL) are the worker's. True when the caller
 * has causes to deliver.
 */
static bool edgenpu_doorbell_locked(EdgeNpuCore *s)
{
    int r;

    if (!s->quiet || s->job.valid || s->active_ring >= 0 || s->resetting ||
        s->stopping || !s->vm_running || (s->inject & ENPU_INJECT_JOB_FAULTS) ||
        s->inject_ring1 || (r = edgenpu_pick_ring(s)) < 0) {
        qemu_cond_broadcast(&s->cond);
        return false;
    }
    s->at_doorbell = true;
    edgenpu_run_one(s, r);
    s->at_doorbell = false;
    if (s->job.valid) {
        trace_edgenpu_job_deferred(r, s->job.desc.seqno, s->job.parked);
    } else {
        s->doorbell_jobs++;
    }
    qemu_cond_broadcast(&s->cond);  /* a deferred job, the other ring */
    return true;
}

static void *edgenpu_worker(void *opaque)
{
    EdgeNpuCore *s = opaque;
    int r;

    qemu_mutex_lock(&s->lock);
    while (!s->stopping) {
        if (s->at_doorbell) {
            edgenpu_worker_wait(s);     /* a vCPU has the engine */
            continue;
        }
        if (s->resetting) {
            enpu_engine_reset(&s->engine);
            s->resetting = false;
            continue;
        }
        if (!s->vm_running) {
            edgenpu_worker_wait(s);
            continue;
        }
        if (s->job.valid) {
            edgenpu_job_run(s);     /* parked, or migrated in */
            continue;
        }
        r = edgenpu_pick_ring(s);
        if (r < 0) {
            edgenpu_worker_wait(s);
            continue;
        }
        edgenpu_run_one(s, r);
    }
    s->quiet = true;
    qemu_cond_broadcast(&s->quiet_cond);
    qemu_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- reset ----------------------------------------------------------------- */

/*
 * SRAM up to this size is cleared within the reset's register write when
 * the worker is idle (tens of microseconds of host time with the BQL
 * held); a bigger one is the worker's, as a running job is.
 */
#define EDGENPU_RESET_AT_WRITE_SRAM (1u << 20)

/*
 * Any reset: a running job is abandoned (no completion, its ring's
 * DONE_SEQNO does not move; the engine stops it within
 * ENPU_RESET_TIME_MAX_US), rings are disabled, SRAM and TLB are cleared
 * and STATUS.READY set again: at once when the worker is idle (nothing
 * runs on the engine) and SRAM small, so that the driver's first poll
 * finds it ready (a runtime resume is a reset); else by the worker once
 * the engine has stopped. @hard (bus or function reset, the reset input,
 * power) also ends an injected stuck reset.
 */
static void edgenpu_do_reset(EdgeNpuCore *s, bool hard)
{
    trace_edgenpu_reset(hard);
    qemu_mutex_lock(&s->lock);
    if (!hard && (s->stuck || (s->inject & ENPU_INJECT_STUCK_RESET))) {
        /* what runs goes on, READY reads 0 until a hard reset */
        if (!s->stuck) {
            trace_edgenpu_inject("stuck-reset");
        }
        s->inject &= ~ENPU_INJECT_STUCK_RESET;
        s->stuck = true;
        qemu_mutex_unlock(&s->lock);
        return;
    }
    s->stuck = false;
    s->high_streak = 0;
    s->generation++;
    s->resetting = true;
    memset(&s->job, 0, sizeof(s->job));     /* the worker drops a parked one */
    enpu_engine_abort(&s->engine);
    memset(s->ring, 0, sizeof(s->ring));
    s->active_ring = -1;
    s->fault_status = 0;
    s->fault_addr = 0;
    s->fault_asid = 0;
    s->fault_seqno = 0;
    s->jobs_done = 0;
    s->busy_cycles = 0;
    s->inject = 0;
    s->inject_ring1 = 0;
    s->pending_causes = 0;
    /*
     * A quiet worker waits on s->cond, and a doorbell job holds the BQL
     * as this write does: the engine runs nothing.
     */
    if (s->quiet && s->sram_size <= EDGENPU_RESET_AT_WRITE_SRAM) {
        enpu_engine_reset(&s->engine);
        s->resetting = false;
        s->resets_at_write++;
    }
    qemu_cond_broadcast(&s->cond);
    qemu_mutex_unlock(&s->lock);

    s->irq_status = 0;
    s->irq_mask = 0;
    s->scratch = 0;
    s->doorbell_ack = 0;
    s->doorbell_count = 0;
    s->set_irq(s, false, false);
    s->irq_asserted = false;
}

void edgenpu_core_reset(EdgeNpuCore *s)
{
    edgenpu_do_reset(s, true);
}

/* Held in reset by the SoC: its reset line, or its power domain off. */
static bool edgenpu_held(EdgeNpuCore *s)
{
    return s->held_in_reset || s->powered_off;
}

/*
 * The SoC-side inputs (MMIO integration). Going into the held state the
 * device is reset (a running job abandoned, SRAM cleared: nothing
 * survives a power-off either); leaving it, it is reset again and starts
 * as at power-on.
 */
void edgenpu_core_set_reset_input(EdgeNpuCore *s, bool asserted)
{
    if (asserted == s->held_in_reset) {
        return;
    }
    trace_edgenpu_reset_input(asserted);
    edgenpu_do_reset(s, true);
    s->held_in_reset = asserted;
    if (!asserted) {
        s->reset_inputs++;
    }
}

void edgenpu_core_set_power(EdgeNpuCore *s, bool on)
{
    if (on == !s->powered_off) {
        return;
    }
    trace_edgenpu_power(on);
    edgenpu_do_reset(s, true);
    s->powered_off = !on;
    if (on) {
        s->power_ups++;
    }
}

void edgenpu_core_reset_inputs(EdgeNpuCore *s)
{
    s->held_in_reset = false;
    s->powered_off = false;
    edgenpu_do_reset(s, true);
}

/* ---- registers --------------------------------------------------------------- */

static uint32_t edgenpu_caps(EdgeNpuCore *s)
{
    uint32_t caps = ENPU_CAPS_BASE | (s->debug ? ENPU_CAP_DEBUG : 0);

    if (!s->lut) {
        caps &= ~ENPU_CAP_LUT;
    }
    if (!s->eltwise) {
        caps &= ~ENPU_CAP_ELTWISE;
    }
    if (!s->fused_lut || !s->lut) {
        caps &= ~ENPU_CAP_FUSED_LUT;
    }
    return s->msix ? caps : caps & ~ENPU_CAP_MSIX;
}

/*
 * CONFIG's ISA version: each is the one before and one addition (2 adds
 * LUT, 3 ELTWISE, 4 the fused table), and the device reports the newest
 * whose additions it all has. With lut=off that is 1 whatever eltwise
 * says: CAPS, not the version, tells whether ELTWISE runs.
 */
static uint32_t edgenpu_isa_version(EdgeNpuCore *s)
{
    if (!s->lut) {
        return 1;
    }
    if (!s->eltwise) {
        return 2;
    }
    if (!s->fused_lut) {
        return 3;
    }
    return ENPU_ISA_VERSION;
}

/* Ring registers; lock held. */
static uint64_t edgenpu_ring_read(EdgeNpuCore *s, int r, hwaddr off)
{
    EdgeNpuRing *ring = &s->ring[r];

    switch (off) {
    case ENPU_RING_ADDR_LO:
        return (uint32_t)ring->addr;
    case ENPU_RING_ADDR_HI:
        return ring->addr >> 32;
    case ENPU_RING_SIZE:
        return ring->size;
    case ENPU_RING_CTRL:
        return ring->ctrl;
    case ENPU_RING_HEAD:
        return ring->head;
    case ENPU_RING_TAIL:
        return ring->tail;
    case ENPU_RING_DONE_SEQNO:
        return ring->done_seqno;
    case ENPU_RING_STATUS:
        return (ring->running ? ENPU_RING_STATUS_BUSY : 0) | ring->error;
    case ENPU_RING_ACTIVE_SEQNO:
        return ring->active_seqno;
    case ENPU_RING_PROGRESS:
        return s->active_ring == r && !ring->hung ?
               enpu_engine_progress(&s->engine) : 0;
    }
    return 0;
}

/* RING_CTRL.ABORT, ABORT_SEQNO: end the ring's running job. Lock held. */
static void edgenpu_ring_abort_locked(EdgeNpuCore *s, int r)
{
    EdgeNpuRing *ring = &s->ring[r];

    if (!ring->busy) {
        return;
    }
    ring->abort = true;
    if (s->active_ring == r && !ring->hung) {
        enpu_engine_abort(&s->engine);
    }
    qemu_cond_broadcast(&s->cond);
}

static bool edgenpu_ring_config_ok(EdgeNpuRing *ring)
{
    return ring->size >= ENPU_RING_SIZE_MIN && ring->size <= ENPU_RING_SIZE_MAX &&
           is_power_of_2(ring->size) && !(ring->addr & 63);
}

/* Ring registers; lock held. True when TAIL was rung (a doorbell taken). */
static bool edgenpu_ring_write(EdgeNpuCore *s, int r, hwaddr off,
                               uint32_t val)
{
    EdgeNpuRing *ring = &s->ring[r];
    bool enabled = ring->ctrl & ENPU_RING_CTRL_ENABLE;

    switch (off) {
    case ENPU_RING_ADDR_LO:
    case ENPU_RING_ADDR_HI:
    case ENPU_RING_SIZE:
        if (enabled) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_ring(r, "setup while enabled"),
                              "ring %d reconfigured while enabled", r);
            return false;
        }
        if (off == ENPU_RING_ADDR_LO) {
            ring->addr = deposit64(ring->addr, 0, 32, val);
        } else if (off == ENPU_RING_ADDR_HI) {
            ring->addr = deposit64(ring->addr, 32, 32, val);
        } else {
            ring->size = val;
        }
        return false;
    case ENPU_RING_CTRL:
        if (val & ENPU_RING_CTRL_ABORT) {
            edgenpu_ring_abort_locked(s, r);
        }
        if ((val & ENPU_RING_CTRL_ENABLE) && !enabled) {
            ring->enable_gen++;
            ring->head = 0;
            ring->tail = 0;
            ring->error = 0;
            if (!edgenpu_ring_config_ok(ring)) {
                EDGENPU_GUEST_ERR(trace_edgenpu_ub_ring(r, "bad size or address"),
                                  "ring %d enabled with size %u at 0x%" PRIx64,
                                  r, ring->size, ring->addr);
                ring->error = ENPU_RING_STATUS_ERROR;
                edgenpu_post_locked(s, ENPU_IRQ_RING_ERROR);
            }
        }
        ring->ctrl = val & ENPU_RING_CTRL_ENABLE;
        return false;
    case ENPU_RING_ABORT_SEQNO:
        /* only that job: it may have ended and another one started */
        if (ring->running && ring->active_seqno == val) {
            edgenpu_ring_abort_locked(s, r);
        }
        return false;
    case ENPU_RING_DONE_SEQNO:
        /* software continues its sequence across a reset */
        if (enabled) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_ring(r, "done_seqno while enabled"),
                              "ring %d: DONE_SEQNO written while enabled", r);
            return false;
        }
        ring->done_seqno = val;
        return false;
    case ENPU_RING_TAIL:
        if (!enabled || ring->error) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_ring(r, "tail while stopped"),
                              "ring %d: TAIL written while disabled or stopped", r);
            return false;
        }
        if (val - ring->head > ring->size) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_ring(r, "tail beyond size"),
                              "ring %d: TAIL %u is more than SIZE past HEAD %u",
                              r, val, ring->head);
            ring->error = ENPU_RING_STATUS_ERROR;
            edgenpu_post_locked(s, ENPU_IRQ_RING_ERROR);
            return false;
        }
        if (s->inject & ENPU_INJECT_DROP_DOORBELL) {
            s->inject &= ~ENPU_INJECT_DROP_DOORBELL;
            trace_edgenpu_inject("drop-doorbell");
            return false;
        }
        ring->tail = val;
        trace_edgenpu_doorbell(r, val);
        return true;
    default:
        EDGENPU_GUEST_ERR(trace_edgenpu_ub_mmio_write(ENPU_RING_REG(r, off), val),
                          "write to read-only ring %d register 0x%" HWADDR_PRIx,
                          r, off);
    }
    return false;
}

static uint64_t edgenpu_locked_read(EdgeNpuCore *s, hwaddr addr, bool *ok)
{
    *ok = true;
    if (addr >= ENPU_RING_BASE &&
        addr < ENPU_RING_BASE + ENPU_NUM_RINGS * ENPU_RING_STRIDE &&
        (addr - ENPU_RING_BASE) % ENPU_RING_STRIDE <= ENPU_RING_ABORT_SEQNO) {
        return edgenpu_ring_read(s, (addr - ENPU_RING_BASE) / ENPU_RING_STRIDE,
                                 (addr - ENPU_RING_BASE) % ENPU_RING_STRIDE);
    }
    switch (addr) {
    case ENPU_REG_STATUS:
        return s->resetting || s->stuck ? 0 : ENPU_STATUS_READY;
    case ENPU_REG_MMU_FAULT_STATUS:
        return s->fault_status;
    case ENPU_REG_MMU_FAULT_ADDR:
        return s->fault_addr;
    case ENPU_REG_MMU_FAULT_ASID:
        return s->fault_asid;
    case ENPU_REG_MMU_FAULT_SEQNO:
        return s->fault_seqno;
    case ENPU_REG_JOBS_DONE:
        return s->jobs_done;
    case ENPU_REG_BUSY_CYCLES_LO:
        return (uint32_t)s->busy_cycles;
    case ENPU_REG_BUSY_CYCLES_HI:
        return s->busy_cycles >> 32;
    case ENPU_REG_DBG_RESET_INPUTS:
        return s->debug ? s->reset_inputs : 0;
    case ENPU_REG_DBG_POWER_UPS:
        return s->debug ? s->power_ups : 0;
    case ENPU_REG_DBG_HELD_ACCESSES:
        return s->debug ? s->held_accesses : 0;
    case ENPU_REG_DBG_DOORBELL_JOBS:
        return s->debug ? s->doorbell_jobs : 0;
    case ENPU_REG_DBG_RESETS_AT_WRITE:
        return s->debug ? s->resets_at_write : 0;
    case ENPU_REG_DBG_INJECT:
        /* armed bits read back until they fire */
        return s->debug ? s->inject | s->inject_ring1 |
               (s->inject_ring1 ? ENPU_INJECT_RING1 : 0) |
               (atomic_load(&s->engine.inject_dma_error) ? ENPU_INJECT_DMA_ERROR : 0) : 0;
    }
    *ok = false;
    return 0;
}

static uint64_t edgenpu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    EdgeNpuCore *s = opaque;
    uint64_t val = 0;
    bool ok;

    if (edgenpu_held(s)) {
        s->held_accesses++;
        EDGENPU_GUEST_ERR(trace_edgenpu_ub_held(addr, false),
                          "read of 0x%" HWADDR_PRIx " while held in reset"
                          " or powered off", addr);
        return 0;
    }
    switch (addr) {
    case ENPU_REG_ID:
        val = ENPU_ID_MAGIC;
        break;
    case ENPU_REG_VERSION:
        val = ENPU_HW_VERSION;
        break;
    case ENPU_REG_CAPS:
        val = edgenpu_caps(s);
        break;
    case ENPU_REG_CONFIG:
        val = ENPU_CONFIG_MAKE(ENPU_MSIX_VECTORS, ENPU_NUM_RINGS,
                               edgenpu_isa_version(s), 32);
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
    case ENPU_REG_MMU_INVALIDATE:
    case ENPU_REG_MMU_FAULT_CLEAR:
    case ENPU_REG_ASID_RETIRE:
        /* write-only: reads as zero */
        break;
    default:
        qemu_mutex_lock(&s->lock);
        val = edgenpu_locked_read(s, addr, &ok);
        qemu_mutex_unlock(&s->lock);
        if (!ok) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_mmio_read(addr),
                              "read of unassigned register 0x%" HWADDR_PRIx,
                              addr);
        }
        break;
    }
    trace_edgenpu_mmio_read(addr, val);
    return val;
}

static void edgenpu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    EdgeNpuCore *s = opaque;

    trace_edgenpu_mmio_write(addr, val);
    if (edgenpu_held(s)) {
        s->held_accesses++;
        EDGENPU_GUEST_ERR(trace_edgenpu_ub_held(addr, true),
                          "write to 0x%" HWADDR_PRIx " while held in reset"
                          " or powered off", addr);
        return;
    }
    if (addr >= ENPU_RING_BASE &&
        addr < ENPU_RING_BASE + ENPU_NUM_RINGS * ENPU_RING_STRIDE) {
        bool deliver = false;

        qemu_mutex_lock(&s->lock);
        if (edgenpu_ring_write(s, (addr - ENPU_RING_BASE) / ENPU_RING_STRIDE,
                               (addr - ENPU_RING_BASE) % ENPU_RING_STRIDE, val)) {
            deliver = edgenpu_doorbell_locked(s);
        }
        qemu_mutex_unlock(&s->lock);
        if (deliver) {
            edgenpu_deliver(s);
        }
        return;
    }
    switch (addr) {
    case ENPU_REG_RESET:
        if (val == ENPU_RESET_MAGIC) {
            edgenpu_do_reset(s, false);
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
    case ENPU_REG_MMU_INVALIDATE:
        trace_edgenpu_tlb_invalidate(val);
        enpu_engine_invalidate_tlb(&s->engine);
        break;
    case ENPU_REG_ASID_RETIRE:
        trace_edgenpu_asid_retire(val);
        enpu_engine_retire_asid(&s->engine, val);
        break;
    case ENPU_REG_MMU_FAULT_CLEAR:
        if (val & 1) {
            qemu_mutex_lock(&s->lock);
            s->fault_status = 0;
            qemu_mutex_unlock(&s->lock);
        }
        break;
    case ENPU_REG_DBG_INJECT:
        if (!s->debug) {
            EDGENPU_GUEST_ERR(trace_edgenpu_ub_mmio_write(addr, val),
                              "fault injection written without debug=on");
            break;
        }
        qemu_mutex_lock(&s->lock);
        if (val & ENPU_INJECT_RING1) {
            s->inject_ring1 |= val & ENPU_INJECT_JOB_FAULTS;
            val &= ~(uint64_t)ENPU_INJECT_JOB_FAULTS;
        }
        s->inject |= val & (ENPU_INJECT_HANG | ENPU_INJECT_DROP_IRQ |
                            ENPU_INJECT_MMU_FAULT | ENPU_INJECT_DROP_DOORBELL |
                            ENPU_INJECT_STUCK_RESET);
        qemu_mutex_unlock(&s->lock);
        if (val & ENPU_INJECT_DMA_ERROR) {
            atomic_store(&s->engine.inject_dma_error, 1);
        }
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

/* ---- life cycle -------------------------------------------------------------- */

/*
 * The machine stops or runs again. Stopped, the device starts no job and
 * a running one parks within ENPU_RESET_TIME_MAX_US: nothing it does
 * reaches memory while the machine is stopped (a stop for migration, a
 * snapshot, the monitor's "stop").
 */
static void edgenpu_vm_state_change(void *opaque, bool running, RunState state)
{
    EdgeNpuCore *s = opaque;

    qemu_mutex_lock(&s->lock);
    s->vm_running = running;
    if (running) {
        enpu_engine_unpause(&s->engine);
    } else {
        enpu_engine_pause(&s->engine);
    }
    qemu_cond_broadcast(&s->cond);
    qemu_mutex_unlock(&s->lock);
}

bool edgenpu_core_realize(EdgeNpuCore *s, DeviceState *owner, Error **errp)
{
    struct enpu_sku sku;

    if (!s->macs_per_cycle || !s->clock_mhz || !s->dram_bw_mbps ||
        !s->sram_bw_mbps) {
        error_setg(errp, "edgenpu: macs-per-cycle, clock-mhz, dram-bw-mbps"
                   " and sram-bw-mbps must be non-zero");
        return false;
    }
    if (!s->sram_size || s->sram_size > EDGENPU_SRAM_MAX ||
        (s->sram_size & (ENPU_PAGE_SIZE - 1))) {
        error_setg(errp, "edgenpu: sram-size must be a multiple of 4 KiB"
                   " between 4 KiB and %u MiB", EDGENPU_SRAM_MAX >> 20);
        return false;
    }
    if (s->worker_wake_delay_us > EDGENPU_WAKE_DELAY_MAX_US) {
        error_setg(errp, "edgenpu: x-worker-wake-delay-us is at most %u",
                   EDGENPU_WAKE_DELAY_MAX_US);
        return false;
    }
    sku = (struct enpu_sku) {
        .macs_per_cycle = s->macs_per_cycle,
        .clock_mhz = s->clock_mhz,
        .dram_bw_mbps = s->dram_bw_mbps,
        .sram_bw_mbps = s->sram_bw_mbps,
        .sram_size = s->sram_size,
    };
    if (enpu_engine_init(&s->engine, &sku, &edgenpu_mem_ops, s)) {
        error_setg(errp, "edgenpu: cannot allocate %u bytes of SRAM",
                   s->sram_size);
        return false;
    }
    /* the engine refuses the commands of what the device does not have */
    s->engine.caps = edgenpu_caps(s);

    memory_region_init_io(&s->regs, OBJECT(owner), &edgenpu_mmio_ops, s,
                          "edgenpu-regs", ENPU_REGS_SIZE);
    s->owner = owner;
    s->irq_work_queued = false;
    s->irq_bh = qemu_bh_new_guarded(edgenpu_irq_bh, s,
                                    &owner->mem_reentrancy_guard);
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->cond);
    qemu_cond_init(&s->quiet_cond);
    s->active_ring = -1;
    s->stopping = false;
    edgenpu_vm_state_change(s, runstate_is_running(), runstate_get());
    s->vmse = qemu_add_vm_change_state_handler(edgenpu_vm_state_change, s);
    qemu_thread_create(&s->worker, "edgenpu", edgenpu_worker, s,
                       QEMU_THREAD_JOINABLE);
    return true;
}

void edgenpu_core_unrealize(EdgeNpuCore *s)
{
    qemu_mutex_lock(&s->lock);
    s->stopping = true;
    enpu_engine_abort(&s->engine);
    qemu_cond_broadcast(&s->cond);
    qemu_mutex_unlock(&s->lock);
    qemu_thread_join(&s->worker);

    qemu_del_vm_change_state_handler(s->vmse);
    qemu_bh_delete(s->irq_bh);
    qemu_cond_destroy(&s->quiet_cond);
    qemu_cond_destroy(&s->cond);
    qemu_mutex_destroy(&s->lock);
    enpu_engine_destroy(&s->engine);
}

/*
 * Migration carries the registers, the rings, SRAM with its owner and a
 * job in flight. The machine stops first (edgenpu_vm_state_change()):
 * the worker parks the running job within the abort bound and goes
 * quiet, and the job travels as the engine's bytes; on the destination
 * it goes on when the machine runs. Jobs still queued are only ring
 * state. The wait for the worker is bounded: should it not go quiet,
 * saving fails with a message instead of hanging (its DMA never takes
 * the big lock: edgenpu_dma_attrs).
 */
#define EDGENPU_SAVE_WAIT_MS    (10 * ENPU_RESET_TIME_MAX_US / 1000)

static int edgenpu_pre_save(void *opaque)
{
    EdgeNpuCore *s = opaque;
    int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                       EDGENPU_SAVE_WAIT_MS;
    int i, ret = 0;

    qemu_mutex_lock(&s->lock);
    if (s->vm_running) {
        /* a live snapshot: only an idle device is consistent */
        for (i = 0; i < ENPU_NUM_RINGS; i++) {
            if (s->ring[i].busy || s->ring[i].head != s->ring[i].tail) {
                ret = -EBUSY;
            }
        }
        if (ret) {
            error_report("edgenpu: cannot save a running machine's NPU while it "
                         "has work; stop the machine first");
        }
    } else {
        while (!s->quiet &&
               qemu_clock_get_ms(QEMU_CLOCK_REALTIME) < deadline) {
            qemu_cond_timedwait(&s->quiet_cond, &s->lock, 10);
        }
        if (!s->quiet) {
            error_report("edgenpu: the NPU did not stop within %d ms; cannot "
                         "save it", EDGENPU_SAVE_WAIT_MS);
            ret = -EBUSY;
        }
    }
    s->sram_owner = atomic_load(&s->engine.sram_owner);
    s->park_len = 0;
    if (!ret && s->job.valid) {
        EdgeNpuRing *ring = &s->ring[s->job.ring];

        s->job_abort = ring->abort;
        s->job_stale = ring->enable_gen != s->job.enable_gen;
        if (s->job.parked &&
            enpu_engine_save(&s->engine, &s->park_blob, &s->park_len)) {
            error_report("edgenpu: out of memory saving the job in flight");
            ret = -ENOMEM;
        }
        trace_edgenpu_job_migrated(s->job.ring, s->job.desc.seqno, s->park_len);
    }
    qemu_mutex_unlock(&s->lock);
    return ret;
}

static int edgenpu_post_save(void *opaque)
{
    EdgeNpuCore *s = opaque;

    free(s->park_blob);
    s->park_blob = NULL;
    s->park_len = 0;
    return 0;
}

static int edgenpu_post_load(void *opaque, int version_id)
{
    EdgeNpuCore *s = opaque;

    atomic_store(&s->engine.sram_owner, s->sram_owner);
    return 0;
}

static bool edgenpu_job_needed(void *opaque)
{
    EdgeNpuCore *s = opaque;

    return s->job.valid;
}

/*
 * The job in flight, on the destination: its ring runs it again where it
 * was, and the engine takes its state back. The worker is quiet (the
 * machine has not started).
 */
static int edgenpu_job_post_load(void *opaque, int version_id)
{
    EdgeNpuCore *s = opaque;
    EdgeNpuJob *job = &s->job;
    EdgeNpuRing *ring;
    int ret = 0;

    if (job->ring < 0 || job->ring >= ENPU_NUM_RINGS ||
        (job->hang == (s->park_len != 0))) {
        error_report("edgenpu: the migrated job in flight is inconsistent");
        ret = -EINVAL;
        goto out;
    }
    qemu_mutex_lock(&s->lock);
    ring = &s->ring[job->ring];
    ring->busy = true;
    ring->running = true;
    ring->hung = job->hang;
    ring->abort = s->job_abort;
    ring->active_seqno = job->desc.seqno;
    job->enable_gen = ring->enable_gen - s->job_stale;
    s->active_ring = job->ring;
    job->valid = true;
    job->parked = !job->hang;
    if (job->parked && enpu_engine_load(&s->engine, s->park_blob, s->park_len)) {
        error_report("edgenpu: the migrated job in flight is not one the "
                     "engine can resume");
        memset(job, 0, sizeof(*job));
        ring->busy = ring->running = ring->hung = ring->abort = false;
        s->active_ring = -1;
        ret = -EINVAL;
    } else if (s->job_abort && !job->hang) {
        enpu_engine_abort(&s->engine);
    }
    qemu_mutex_unlock(&s->lock);
out:
    g_free(s->park_blob);
    s->park_blob = NULL;
    s->park_len = 0;
    return ret;
}

static const VMStateDescription vmstate_edgenpu_job = {
    .name = "edgenpu-core/job",
    .version_id = 2,
    .minimum_version_id = 1,
    .needed = edgenpu_job_needed,
    .post_load = edgenpu_job_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT32(job.ring, EdgeNpuCore),
        VMSTATE_UINT32(job.desc.flags, EdgeNpuCore),
        VMSTATE_UINT32(job.desc.seqno, EdgeNpuCore),
        VMSTATE_UINT32(job.desc.asid, EdgeNpuCore),
        VMSTATE_UINT32(job.desc.cmd_size, EdgeNpuCore),
        VMSTATE_UINT64(job.desc.pt_base, EdgeNpuCore),
        VMSTATE_UINT64(job.desc.cmd_addr, EdgeNpuCore),
        VMSTATE_UINT64(job.desc.completion_addr, EdgeNpuCore),
        VMSTATE_UINT64_ARRAY(job.desc.reserved, EdgeNpuCore, 3),
        VMSTATE_BOOL(job.hang, EdgeNpuCore),
        VMSTATE_BOOL(job_abort, EdgeNpuCore),
        VMSTATE_BOOL(job_stale, EdgeNpuCore),
        VMSTATE_UINT32(park_len, EdgeNpuCore),
        VMSTATE_VBUFFER_ALLOC_UINT32(park_blob, EdgeNpuCore, 1, NULL, park_len),
        VMSTATE_UINT64_V(job.start_time, EdgeNpuCore, 2),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_edgenpu_ring = {
    .name = "edgenpu-ring",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(addr, EdgeNpuRing),
        VMSTATE_UINT32(size, EdgeNpuRing),
        VMSTATE_UINT32(ctrl, EdgeNpuRing),
        VMSTATE_UINT32(head, EdgeNpuRing),
        VMSTATE_UINT32(tail, EdgeNpuRing),
        VMSTATE_UINT32(done_seqno, EdgeNpuRing),
        VMSTATE_UINT32(error, EdgeNpuRing),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_edgenpu_core = {
    .name = "edgenpu-core",
    .version_id = 4,
    .minimum_version_id = 1,
    .pre_save = edgenpu_pre_save,
    .post_save = edgenpu_post_save,
    .post_load = edgenpu_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(irq_status, EdgeNpuCore),
        VMSTATE_UINT32(irq_mask, EdgeNpuCore),
        VMSTATE_UINT32(scratch, EdgeNpuCore),
        VMSTATE_UINT32(doorbell_ack, EdgeNpuCore),
        VMSTATE_UINT32(doorbell_count, EdgeNpuCore),
        VMSTATE_BOOL(irq_asserted, EdgeNpuCore),
        VMSTATE_STRUCT_ARRAY(ring, EdgeNpuCore, ENPU_NUM_RINGS, 1,
                             vmstate_edgenpu_ring, EdgeNpuRing),
        VMSTATE_UINT32(fault_status, EdgeNpuCore),
        VMSTATE_UINT32(fault_addr, EdgeNpuCore),
        VMSTATE_UINT32(fault_asid, EdgeNpuCore),
        VMSTATE_UINT32(fault_seqno, EdgeNpuCore),
        VMSTATE_UINT32(jobs_done, EdgeNpuCore),
        VMSTATE_UINT64(busy_cycles, EdgeNpuCore),
        VMSTATE_BOOL_V(held_in_reset, EdgeNpuCore, 2),
        VMSTATE_UINT32_V(reset_inputs, EdgeNpuCore, 2),
        VMSTATE_BOOL_V(powered_off, EdgeNpuCore, 3),
        VMSTATE_UINT32_V(power_ups, EdgeNpuCore, 3),
        VMSTATE_UINT64_V(sram_owner, EdgeNpuCore, 4),
        VMSTATE_BOOL_V(stuck, EdgeNpuCore, 4),
        VMSTATE_UINT32_V(high_streak, EdgeNpuCore, 4),
        VMSTATE_UINT32_V(held_accesses, EdgeNpuCore, 4),
        VMSTATE_UINT32_V(inject_ring1, EdgeNpuCore, 4),
        VMSTATE_VBUFFER_UINT32(engine.sram, EdgeNpuCore, 1, NULL, sram_size),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_edgenpu_job,
        NULL
    },
};
