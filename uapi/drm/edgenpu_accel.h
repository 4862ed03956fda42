/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * edgenpu DRM accel driver: userspace interface.
 *
 * Conventions, for every ioctl of this file:
 *  - Structures are laid out with explicit padding, 64-bit aligned, and
 *    never change once released; new fields are appended and their
 *    presence is negotiated by size (see DRM_IOCTL_EDGENPU_QUERY).
 *  - Fields named pad or reserved and undefined bits of flags must be
 *    zero; the kernel rejects anything else with -EINVAL so they can be
 *    given a meaning later.
 *  - User pointers are passed in 64-bit integer fields, whatever the
 *    caller's pointer size.
 */
#ifndef _UAPI_DRM_EDGENPU_ACCEL_H_
#define _UAPI_DRM_EDGENPU_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* Version of this interface, also reported by DRM_IOCTL_VERSION. */
#define DRM_EDGENPU_DRIVER_MAJOR	0
#define DRM_EDGENPU_DRIVER_MINOR	2

#define DRM_EDGENPU_QUERY		0x00
#define DRM_EDGENPU_BO_CREATE		0x01
#define DRM_EDGENPU_BO_INFO		0x02
#define DRM_EDGENPU_BO_WAIT		0x03
#define DRM_EDGENPU_VM_MAP		0x04
#define DRM_EDGENPU_VM_UNMAP		0x05
#define DRM_EDGENPU_SUBMIT		0x06
#define DRM_EDGENPU_JOB_INFO		0x07

#define DRM_IOCTL_EDGENPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_QUERY, struct drm_edgenpu_query)
#define DRM_IOCTL_EDGENPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_BO_CREATE, struct drm_edgenpu_bo_create)
#define DRM_IOCTL_EDGENPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_BO_INFO, struct drm_edgenpu_bo_info)
#define DRM_IOCTL_EDGENPU_BO_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGENPU_BO_WAIT, struct drm_edgenpu_bo_wait)
#define DRM_IOCTL_EDGENPU_VM_MAP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_VM_MAP, struct drm_edgenpu_vm_map)
#define DRM_IOCTL_EDGENPU_VM_UNMAP \
	DRM_IOW(DRM_COMMAND_BASE + DRM_EDGENPU_VM_UNMAP, struct drm_edgenpu_vm_unmap)
#define DRM_IOCTL_EDGENPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_SUBMIT, struct drm_edgenpu_submit)
#define DRM_IOCTL_EDGENPU_JOB_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDGENPU_JOB_INFO, struct drm_edgenpu_job_info)

/**
 * enum drm_edgenpu_query_id - what DRM_IOCTL_EDGENPU_QUERY returns
 * @DRM_EDGENPU_QUERY_DEVICE: &struct drm_edgenpu_device_info
 * @DRM_EDGENPU_QUERY_LIMITS: &struct drm_edgenpu_limits
 */
enum drm_edgenpu_query_id {
	DRM_EDGENPU_QUERY_DEVICE = 0,
	DRM_EDGENPU_QUERY_LIMITS = 1
};

/**
 * struct drm_edgenpu_query - size-negotiated information query
 * @query: one of &enum drm_edgenpu_query_id.
 * @size: in: bytes available at @ptr; out: bytes the kernel wrote.
 *	With @size 0 the kernel writes nothing and returns the size of its
 *	structure, so userspace can allocate it. Otherwise @size must be at
 *	least the size of the structure's first version
 *	(DRM_EDGENPU_DEVICE_INFO_SIZE_V0 for DRM_EDGENPU_QUERY_DEVICE);
 *	the kernel copies min(@size, its size) bytes and zero-fills the rest
 *	of the user's buffer, so newer userspace on an older kernel reads
 *	zero for fields the kernel does not know, and @size tells it which.
 * @ptr: user pointer to the result structure.
 * @flags: must be zero.
 * @pad: must be zero.
 */
struct drm_edgenpu_query {
	__u32 query;
	__u32 size;
	__u64 ptr;
	__u32 flags;
	__u32 pad;
};

/* Bits of &drm_edgenpu_device_info.hw_caps: ENPU_CAP_* of hw/edgenpu_hw.h. */

/**
 * struct drm_edgenpu_device_info - identity and capabilities
 * @pci_vendor: PCI vendor ID (0 for a platform device).
 * @pci_device: PCI device ID (0 for a platform device).
 * @hw_id: the ID register, "ENPU".
 * @hw_version: hardware contract version, major << 16 | minor << 8 | patch.
 * @hw_caps: hardware capability bits.
 * @irq_vectors: interrupt vectors in use.
 * @macs_per_cycle: INT8 multiply-accumulates per NPU clock.
 * @clock_mhz: NPU clock.
 * @dram_bw_mbps: DRAM bandwidth available to the NPU, MB/s.
 * @sram_bw_mbps: on-chip SRAM bandwidth, MB/s.
 * @sram_size: on-chip SRAM, bytes.
 * @pad: reserved, zero.
 */
struct drm_edgenpu_device_info {
	__u32 pci_vendor;
	__u32 pci_device;
	__u32 hw_id;
	__u32 hw_version;
	__u32 hw_caps;
	__u32 irq_vectors;
	__u32 macs_per_cycle;
	__u32 clock_mhz;
	__u32 dram_bw_mbps;
	__u32 sram_bw_mbps;
	__u64 sram_size;
	__u64 pad;
};

#define DRM_EDGENPU_DEVICE_INFO_SIZE_V0 \
	(sizeof(struct drm_edgenpu_device_info))

/**
 * struct drm_edgenpu_limits - what one open file may make the kernel hold
 * @max_mappings: mappings in its address space (DRM_EDGENPU_MAX_MAPPINGS).
 * @max_pending_jobs: jobs submitted and not yet ended
 *	(DRM_EDGENPU_MAX_PENDING_JOBS).
 * @max_pending_cmd: bytes of command stream those jobs hold: at most
 *	DRM_EDGENPU_MAX_PENDING_CMD, less where the device's DMA memory is
 *	a small reserved region (a SoC's carve-out): then a quarter of
 *	@device_cmd_budget, so that no one file can hold all of it.
 * @device_cmd_budget: bytes of command stream all files together may
 *	hold, 0 when only the per-file bound applies: half of a carve-out,
 *	the other half being for page tables and rings.
 * @max_pinned: bytes of memory all processes together may have pinned
 *	for NPUs, buffers mapped into an NPU address space and pending
 *	command streams alike (the module parameter max_pinned_mb, by default
 *	half of RAM): a VM_MAP, BO_CREATE or SUBMIT beyond fails with -ENOMEM.
 *	It can change at any time; what a process may pin within it is its
 *	memory cgroup's to say.
 */
struct drm_edgenpu_limits {
	__u32 max_mappings;
	__u32 max_pending_jobs;
	__u64 max_pending_cmd;
	__u64 device_cmd_budget;
	__u64 max_pinned;
};

#define DRM_EDGENPU_LIMITS_SIZE_V0	(sizeof(struct drm_edgenpu_limits))

/*
 * Buffers and NPU address spaces
 *
 * Buffers are GEM objects backed by shmem pages. Every open file has its
 * own NPU address space (32-bit virtual addresses, 4 KiB pages): a buffer
 * is visible to the NPU only once mapped into it, by VM_MAP or by
 * DRM_EDGENPU_BO_CREATE_MAP at creation. A mapping keeps its buffer
 * alive until VM_UNMAP or until the file is closed; the NPU's TLB is
 * invalidated before the pages are released. The SRAM window
 * (0xf0000000 up, ENPU_SRAM_VA_BASE) is never handed out.
 *
 * CPU access through mmap() needs no cache maintenance from the caller:
 * once a job's fence has signalled (syncobj, sync_file, BO_WAIT, JOB_INFO
 * no longer pending) the CPU sees what the job wrote, and what the CPU
 * wrote before SUBMIT is what the job reads. Where the device is not
 * DMA-coherent (a device-tree node without "dma-coherent"), buffers are
 * mapped write-combined for this, so CPU reads of them are uncached: read
 * results into local memory once rather than in place many times.
 */

/* Map the new buffer into the caller's address space; va is returned. */
#define DRM_EDGENPU_BO_CREATE_MAP	(1 << 0)
/* ...read-only for the NPU (with _MAP). */
#define DRM_EDGENPU_BO_CREATE_READ_ONLY	(1 << 1)
#define DRM_EDGENPU_BO_CREATE_FLAGS \
	(DRM_EDGENPU_BO_CREATE_MAP | DRM_EDGENPU_BO_CREATE_READ_ONLY)

/**
 * struct drm_edgenpu_bo_create - create a buffer
 * @size: in: bytes (rounded up to the page size, at most 1 GiB);
 *	out: the rounded size.
 * @flags: DRM_EDGENPU_BO_CREATE_*.
 * @handle: out: GEM handle.
 * @va: out: NPU virtual address with DRM_EDGENPU_BO_CREATE_MAP, else 0.
 */
struct drm_edgenpu_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 va;
};

/**
 * struct drm_edgenpu_bo_info - size and mmap offset of a buffer
 * @handle: GEM handle.
 * @flags: must be zero.
 * @size: out: bytes.
 * @mmap_offset: out: offset to mmap() the buffer through this file.
 */
struct drm_edgenpu_bo_info {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u64 mmap_offset;
};

/**
 * struct drm_edgenpu_bo_wait - wait until no job uses a buffer
 * @handle: GEM handle.
 * @flags: must be zero.
 * @timeout_ns: relative timeout. Returns -ETIME when it expires, or
 *	-EBUSY at once when 0 (a poll) and the buffer is busy.
 *
 * After a successful wait the CPU sees what the NPU wrote.
 */
struct drm_edgenpu_bo_wait {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
};

#define DRM_EDGENPU_VM_MAP_READ_ONLY	(1 << 0)

/**
 * struct drm_edgenpu_vm_map - map a buffer into the caller's address space
 * @handle: GEM handle (own or imported through PRIME).
 * @flags: DRM_EDGENPU_VM_MAP_*.
 * @va: out: NPU virtual address of the buffer's first byte.
 */
struct drm_edgenpu_vm_map {
	__u32 handle;
	__u32 flags;
	__u64 va;
};

/**
 * struct drm_edgenpu_vm_unmap - remove a mapping made by VM_MAP or BO_CREATE
 * @va: the address VM_MAP returned.
 * @flags: must be zero.
 * @pad: must be zero.
 *
 * Jobs already submitted keep their buffers; the range is reused only
 * once they are done.
 */
struct drm_edgenpu_vm_unmap {
	__u64 va;
	__u32 flags;
	__u32 pad;
};

/*
 * Submission
 *
 * One DRM_IOCTL_EDGENPU_SUBMIT queues one or more jobs. The kernel copies
 * each job's command stream into memory userspace cannot reach and
 * validates it: every command must decode (hw/edgenpu_cmd.h) and every
 * memory region it touches must lie inside a buffer of the job's buffer
 * list that is mapped in the caller's address space (writable, and listed
 * with DRM_EDGENPU_BO_REF_WRITE, where the command writes), or inside the
 * SRAM window. A stream that fails gets -EINVAL and nothing is queued:
 * a submission is all or nothing.
 *
 * Other errors: -EACCES for DRM_EDGENPU_PRIORITY_HIGH without
 * CAP_SYS_NICE; -EIO when the device is wedged (it did not confirm a
 * reset; the kernel log says how to recover it, with a hard reset).
 *
 * Closing the file ends its jobs: the queued ones never run, the one on
 * the device is aborted (they end CANCELED); other files' jobs go on.
 */

#define DRM_EDGENPU_BO_REF_WRITE	(1 << 0)

/**
 * struct drm_edgenpu_bo_ref - a buffer a job uses
 * @handle: GEM handle, mapped in the caller's address space.
 * @flags: DRM_EDGENPU_BO_REF_WRITE if the job writes it (implicit
 *	synchronisation then orders it after all users; readers only wait
 *	for writers).
 */
struct drm_edgenpu_bo_ref {
	__u32 handle;
	__u32 flags;
};

/**
 * struct drm_edgenpu_sync - a syncobj the job waits for or signals
 * @handle: syncobj handle.
 * @flags: must be zero.
 * @point: timeline point; 0 for a binary syncobj.
 */
struct drm_edgenpu_sync {
	__u32 handle;
	__u32 flags;
	__u64 point;
};

enum drm_edgenpu_priority {
	DRM_EDGENPU_PRIORITY_NORMAL = 0,
	DRM_EDGENPU_PRIORITY_HIGH = 1
};

#define DRM_EDGENPU_JOB_OUT_SYNC	(1 << 0)	/* out_sync is valid */

/**
 * struct drm_edgenpu_job - one job of a submission
 * @cmd_ptr: user pointer to the command stream.
 * @cmd_size: its size in bytes: a multiple of 4, at most 1 MiB.
 * @flags: DRM_EDGENPU_JOB_*.
 * @bo_ptr: user pointer to @bo_count struct drm_edgenpu_bo_ref.
 * @bo_count: at most 256.
 * @priority: enum drm_edgenpu_priority. The device serves the high
 *	priority queue first (never more than a few of its jobs in a row
 *	while normal jobs wait); it needs CAP_SYS_NICE.
 * @in_syncs_ptr: user pointer to @in_sync_count struct drm_edgenpu_sync
 *	the job waits for before it runs.
 * @in_sync_count: at most 64.
 * @pad: must be zero.
 * @out_sync: signalled when the job ends (with DRM_EDGENPU_JOB_OUT_SYNC).
 * @job_id: out: the job's id, for DRM_IOCTL_EDGENPU_JOB_INFO.
 *
 * Jobs of one submission run in order on their queue and each waits for
 * the previous one's end (a failed job does not cancel the next). A job
 * whose in-syncobj signals an error is not run: it ends CANCELED.
 *
 * After the device is unbound every ioctl returns -ENODEV; jobs that were
 * queued end with an error on their fences (out-syncobjs, sync_files).
 */
struct drm_edgenpu_job {
	__u64 cmd_ptr;
	__u32 cmd_size;
	__u32 flags;
	__u64 bo_ptr;
	__u32 bo_count;
	__u32 priority;
	__u64 in_syncs_ptr;
	__u32 in_sync_count;
	__u32 pad;
	struct drm_edgenpu_sync out_sync;
	__u64 job_id;
};

/**
 * struct drm_edgenpu_submit - queue jobs
 * @jobs_ptr: user pointer to @job_count jobs, @job_stride bytes apart.
 * @job_count: 1 to 64.
 * @job_stride: sizeof(struct drm_edgenpu_job) as userspace knows it; at
 *	least the first version's size. Fields past the kernel's structure
 *	must be zero.
 * @flags: must be zero.
 * @pad: must be zero.
 */
struct drm_edgenpu_submit {
	__u64 jobs_ptr;
	__u32 job_count;
	__u32 job_stride;
	__u32 flags;
	__u32 pad;
};

#define DRM_EDGENPU_MAX_JOBS		64
#define DRM_EDGENPU_MAX_BOS		256
#define DRM_EDGENPU_MAX_IN_SYNCS	64

/*
 * What one open file may make the kernel hold at once (on top of its
 * buffers, which are charged to the process's memory cgroup like the
 * kernel's own allocations for it):
 *  - DRM_EDGENPU_MAX_MAPPINGS mappings in its address space: VM_MAP and
 *    BO_CREATE with DRM_EDGENPU_BO_CREATE_MAP fail with -ENOSPC beyond;
 *  - DRM_EDGENPU_MAX_PENDING_JOBS jobs submitted and not yet ended, and
 *    DRM_EDGENPU_MAX_PENDING_CMD bytes of their command streams: SUBMIT
 *    fails with -EBUSY beyond (wait for some jobs to end, then retry).
 * A device whose DMA memory is a small carve-out lowers the last one and
 * bounds all files together: DRM_EDGENPU_QUERY_LIMITS says what applies.
 */
#define DRM_EDGENPU_MAX_MAPPINGS	131072
#define DRM_EDGENPU_MAX_PENDING_JOBS	1024
#define DRM_EDGENPU_MAX_PENDING_CMD	(32 << 20)

/* How a job ended. */
enum drm_edgenpu_job_status {
	DRM_EDGENPU_JOB_PENDING = 0,	/* queued or running */
	DRM_EDGENPU_JOB_OK = 1,
	DRM_EDGENPU_JOB_MMU_FAULT = 2,	/* fault_addr */
	DRM_EDGENPU_JOB_INVALID = 3,	/* the device refused a command */
	DRM_EDGENPU_JOB_DMA_ERROR = 4,
	/* hung (the device was reset), or ran past the job_max_ms limit */
	DRM_EDGENPU_JOB_TIMEOUT = 5,
	/*
	 * did not run to its end: an in-syncobj failed, its file was closed,
	 * the device went away or was wedged
	 */
	DRM_EDGENPU_JOB_CANCELED = 6
};

/**
 * struct drm_edgenpu_job_info - status and counters of a job
 * @job_id: a job of this file; the last 256 are kept (-ENOENT for
 *	older ones, -EINVAL for ids never issued).
 * @flags: must be zero.
 * @status: out: enum drm_edgenpu_job_status.
 * @error_offset: out: byte offset of the failing command.
 * @fault_addr: out: NPU VA of an MMU fault.
 * @error_info: out: detail from the device (hw/edgenpu_job.h).
 * @resets: out: device resets this job went through (it was re-run).
 * @cycles: out: NPU cycles.
 * @macs: out: multiply-accumulates.
 * @dram_read: out: bytes read from DRAM.
 * @dram_write: out: bytes written to DRAM.
 * @sram_read: out: bytes read from SRAM.
 * @sram_write: out: bytes written to SRAM.
 * @stall_cycles: out: cycles engines waited on each other.
 * @commands: out: commands retired.
 * @duration_ns: out: from the job's start on the device to its end (not the
 *	time it waited on the device behind other jobs).
 */
struct drm_edgenpu_job_info {
	__u64 job_id;
	__u32 flags;
	__u32 status;
	__u32 error_offset;
	__u32 fault_addr;
	__u32 error_info;
	__u32 resets;
	__u64 cycles;
	__u64 macs;
	__u64 dram_read;
	__u64 dram_write;
	__u64 sram_read;
	__u64 sram_write;
	__u64 stall_cycles;
	__u64 commands;
	__u64 duration_ns;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDGENPU_ACCEL_H_ */
