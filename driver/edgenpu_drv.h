/* SPDX-License-Identifier: GPL-2.0-only */
/* Copyright (c) 2026 The edgenpu authors */

#ifndef __EDGENPU_DRV_H__
#define __EDGENPU_DRV_H__

#include <linux/clk.h>
#include <linux/completion.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>

#include "edgenpu_hw.h"
#include "edgenpu_job.h"

struct edgenpu_coredump;
struct edgenpu_job;
struct reset_control;

/*
 * The interrupt causes a running device signals: all but the doorbell,
 * which only the self-test and debugfs "doorbell" ring, with it unmasked.
 */
#define EDGENPU_IRQ_MASK_RUN	(ENPU_IRQ_ALL & ~ENPU_IRQ_DOORBELL)

/* Descriptors per hardware ring; at most EDGENPU_RING_SIZE - 1 in flight. */
#define EDGENPU_RING_SIZE	64

/**
 * struct edgenpu_ring - one hardware job ring and its scheduler
 * @edev: the device
 * @id: ENPU_RING_NORMAL or ENPU_RING_HIGH
 * @sched: drm_sched instance feeding this ring
 * @desc: descriptor array (coherent DMA memory)
 * @desc_dma: its bus address
 * @done: one completion record per descriptor slot
 * @done_dma: its bus address
 * @lock: protects @tail, @inflight and @emit_seqno; taken in hard IRQ
 * @tail: next descriptor index to write (free-running)
 * @inflight: jobs handed to the hardware, oldest first
 * @fence_context: dma-fence context of the hardware fences
 * @emit_seqno: last hardware fence seqno issued
 * @kicks: doorbells rung again because the device had not heard them
 * @name: timeline name
 */
struct edgenpu_ring {
	struct edgenpu_device *edev;
	unsigned int id;
	struct drm_gpu_scheduler sched;
	struct enpu_job_desc *desc;
	dma_addr_t desc_dma;
	struct enpu_job_completion *done;
	dma_addr_t done_dma;
	/* protects tail, inflight and emit_seqno; taken in hard IRQ */
	spinlock_t lock;
	u32 tail;
	struct list_head inflight;
	u64 fence_context;
	u64 emit_seqno;
	u32 kicks;
	char name[16];
};

/**
 * struct edgenpu_hang_check - what the device ran at the previous look of
 *	the hang check (the timeout handler's, or a reset's quiesce)
 * @valid: false until the first look (after probe, reset or resume for
 *	the timeout handler's)
 * @jobs_done: the device's JOBS_DONE count
 * @ring: the ring of the job running, ENPU_NUM_RINGS when none
 * @seqno: that job's hardware seqno
 * @progress: its ring's PROGRESS count
 * @stamp: when a check last saw any of these change (jiffies)
 * @since: when a check first saw this job (@ring, @seqno) running
 *	(jiffies): the runtime limit counts from there
 */
struct edgenpu_hang_check {
	bool valid;
	u32 jobs_done;
	u32 ring;
	u32 seqno;
	u32 progress;
	unsigned long stamp;
	unsigned long since;
};

/**
 * struct edgenpu_device - one NPU
 * @drm: the DRM accel device; embedded, owns this structure's lifetime
 * @regs: register BAR
 * @irq: Linux interrupt number
 * @irq_vectors: interrupt vectors allocated
 * @pci_vendor: PCI vendor ID, 0 on a non-PCI bus
 * @pci_device: PCI device ID, 0 on a non-PCI bus
 * @hw_version: the VERSION register, read at probe
 * @hw_caps: the CAPS register, read at probe
 * @macs_per_cycle: capability register, read at probe
 * @clock_mhz: capability register, read at probe
 * @dram_bw_mbps: capability register, read at probe
 * @sram_bw_mbps: capability register, read at probe
 * @sram_size: capability register, read at probe; @sram_size_fw when it
 *	reads 0
 * @sram_size_fw: SRAM size from the firmware description (platform glue)
 * @clks: clocks to gate when runtime-suspended (platform glue; none on PCI)
 * @num_clks: number of @clks
 * @rst: reset line, asserted while runtime-suspended (platform glue;
 *	NULL when the node has none, and on PCI)
 * @hard_reset: the bus glue's hard reset (PCI function level reset, the
 *	reset line), which stops the device whatever it does; NULL when
 *	the bus has none. Called with the schedulers stopped, IRQs masked.
 * @inject_armed: fault injections (debug window) armed and not yet fired
 *	when the device suspended, armed again on resume: a suspend resets
 *	the device, and an injection must not depend on how soon the job it
 *	is meant for comes (runtime PM, under reset_lock)
 * @powered: the device may be accessed: false from runtime suspend to
 *	resume (the interrupt handler reads it, a shared line may fire
 *	while the device is off)
 * @irq_lock: protects @irq_count and @irq_last_status, taken in hard IRQ
 * @irq_count: interrupts handled since probe
 * @irq_last_status: IRQ_STATUS of the last interrupt handled
 * @doorbell_done: completed by the doorbell interrupt (self-test)
 * @ring: the hardware rings
 * @asids: address-space IDs in use
 * @reset_lock: serialises device resets against each other and against
 *	runtime PM; never held while allocating or waiting for a fence
 * @sched_pause_lock: protects @sched_pauses
 * @sched_pauses: edgenpu_sched_stop() calls not yet matched by an
 *	edgenpu_sched_start(): they nest, the last start restarts the rings
 * @resets: device resets since probe
 * @hang: the hang check's last sample (under @reset_lock)
 * @wedged: the device did not confirm a reset: no job runs on it, and
 *	what its jobs used stays pinned in @pinned until a hard reset
 *	(under @reset_lock; read without it to refuse work early)
 * @wedge_reason: why, for the log and debugfs
 * @pinned: jobs the device may still be running although they ended:
 *	their memory stays until the device is known to have stopped
 *	(under @reset_lock)
 * @coredump: a hang's capture waiting to go to devcoredump (under
 *	@coredump_lock); @coredump_work hands it over, outside the
 *	fence-signalling path
 * @pci_resetting: between the PCI core's reset_prepare and reset_done
 * @hard_reset_ring: the ring whose job ran when a hard reset by the PCI
 *	core began (ENPU_NUM_RINGS: none), @hard_reset_seqno its seqno
 * @hard_reset_seqno: see @hard_reset_ring
 * @coredump_lock: protects @coredump
 * @coredump_work: see @coredump
 * @files_lock: protects @files
 * @files: open files, for debugfs and the unplug
 * @bos_lock: protects @bos
 * @bos: every buffer of the device (edgenpu_gem.c)
 * @cmd_budget: bytes of command stream all jobs together may hold (half
 *	a carve-out), 0 for no device-wide bound (platform glue)
 * @carveout: the device's coherent allocations come from a memory-region
 *	carve-out, which its DMA may be limited to: command streams are
 *	coherent memory too (platform glue)
 * @cmd_pinned: bytes of command stream jobs hold now
 * @jobs_alive: jobs allocated and not yet freed: the unplug waits for
 *	them, and what they hold, to go
 * @job_timeout_ms: scheduler timeout per job
 * @busy_lock: protects @busy_ns, @busy_last_end and @jobs_ended; taken in
 *	hard IRQ
 * @busy_ns: time the device spent running jobs, over the jobs ended since
 *	probe (sysfs npu_busy_time_us)
 * @busy_last_end: when the last job handed to the device ended: a job
 *	the driver times counts from then at the earliest, not for the time
 *	it waited behind that one
 * @jobs_ended: jobs ended since probe, whatever their status (sysfs
 *	npu_jobs)
 */
struct edgenpu_device {
	struct drm_device drm;
	void __iomem *regs;
	int irq;
	unsigned int irq_vectors;

	u32 pci_vendor;
	u32 pci_device;
	u32 hw_version;
	u32 hw_caps;
	u32 macs_per_cycle;
	u32 clock_mhz;
	u32 dram_bw_mbps;
	u32 sram_bw_mbps;
	u32 sram_size;
	u32 sram_size_fw;
	struct clk_bulk_data *clks;
	int num_clks;
	struct reset_control *rst;
	int (*hard_reset)(struct edgenpu_device *edev);
	u32 inject_armed;
	bool powered;

	/* protects irq_count and irq_last_status */
	spinlock_t irq_lock;
	u64 irq_count;
	u32 irq_last_status;
	struct completion doorbell_done;

	struct edgenpu_ring ring[ENPU_NUM_RINGS];
	/* both rings' scheduler work (edgenpu_sched_init) */
	struct workqueue_struct *sched_wq;
	struct ida asids;
	/* serialises resets (and runtime PM transitions) */
	struct mutex reset_lock;
	/* edgenpu_sched_stop() calls not yet matched by a start: they nest */
	struct mutex sched_pause_lock;
	unsigned int sched_pauses;
	atomic_t resets;
	struct edgenpu_hang_check hang;
	bool wedged;
	const char *wedge_reason;
	struct list_head pinned;
	bool pci_resetting;
	u32 hard_reset_ring;
	u32 hard_reset_seqno;
	/* protects coredump */
	spinlock_t coredump_lock;
	struct edgenpu_coredump *coredump;
	struct work_struct coredump_work;
	/* protects files */
	struct mutex files_lock;
	struct list_head files;
	/* protects bos */
	struct mutex bos_lock;
	struct list_head bos;
	u64 cmd_budget;
	bool carveout;
	atomic64_t cmd_pinned;
	atomic_t jobs_alive;
	unsigned int job_timeout_ms;
	/* protects busy_ns, busy_last_end and jobs_ended; taken in hard IRQ */
	spinlock_t busy_lock;
	u64 busy_ns;
	u64 busy_last_end;
	u64 jobs_ended;
};

static inline struct edgenpu_device *to_edgenpu(struct drm_device *drm)
{
	return container_of(drm, struct edgenpu_device, drm);
}

static inline u32 edgenpu_read(struct edgenpu_device *edev, u32 reg)
{
	return readl(edev->regs + reg);
}

static inline void edgenpu_write(struct edgenpu_device *edev, u32 reg, u32 val)
{
	writel(val, edev->regs + reg);
}

static inline u32 edgenpu_ring_read(struct edgenpu_ring *ring, u32 off)
{
	return edgenpu_read(ring->edev, ENPU_RING_REG(ring->id, off));
}

static inline void edgenpu_ring_write(struct edgenpu_ring *ring, u32 off, u32 val)
{
	edgenpu_write(ring->edev, ENPU_RING_REG(ring->id, off), val);
}

extern const struct drm_driver edgenpu_drm_driver;

/* Every register by name (hw/edgenpu_hw.h), for dumps: edgenpu_debugfs.c. */
struct edgenpu_reg_name {
	const char *name;
	u32 offset;
};

extern const struct edgenpu_reg_name edgenpu_reg_names[];
extern const unsigned int edgenpu_num_reg_names;

/* edgenpu_device.c */
unsigned int edgenpu_job_max_ms(void);
struct edgenpu_device *edgenpu_device_alloc(struct device *dev);
int edgenpu_device_register(struct edgenpu_device *edev);
void edgenpu_device_unplug(struct edgenpu_device *edev);
int edgenpu_device_init(struct edgenpu_device *edev);
void edgenpu_device_fini(struct edgenpu_device *edev);
int edgenpu_hw_start(struct edgenpu_device *edev);
int edgenpu_hw_reset(struct edgenpu_device *edev);
int edgenpu_doorbell_roundtrip(struct edgenpu_device *edev, u32 cookie, u64 *ns);
u32 edgenpu_irq_ack(struct edgenpu_device *edev);

/* edgenpu_drv.c */
u64 edgenpu_file_cmd_limit(struct edgenpu_device *edev);

/* edgenpu_debugfs.c */
void edgenpu_debugfs_init(struct edgenpu_device *edev);

/* edgenpu_pci.c */
#if IS_ENABLED(CONFIG_PCI)
int edgenpu_pci_register(void);
void edgenpu_pci_unregister(void);
#else
static inline int edgenpu_pci_register(void) { return 0; }
static inline void edgenpu_pci_unregister(void) { }
#endif

/* edgenpu_platform.c */
extern struct platform_driver edgenpu_platform_driver;

/* edgenpu_sysfs.c */
int edgenpu_sysfs_init(struct edgenpu_device *edev);

#endif /* __EDGENPU_DRV_H__ */
