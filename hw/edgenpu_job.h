/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU job rings: the descriptor the kernel writes into a ring and the
 * completion record the device writes back. hw/README.md, "Job rings",
 * describes the protocol.
 */
#ifndef EDGENPU_JOB_H
#define EDGENPU_JOB_H

#include "edgenpu_types.h"

/**
 * struct enpu_job_desc - one ring entry (64 bytes, little-endian)
 * @flags:      reserved, must be 0
 * @seqno:      written back in the completion and DONE_SEQNO
 * @asid:       address-space ID: tags TLB entries and fault reports
 * @cmd_size:   bytes of command stream, multiple of 4, at most
 *              ENPU_MAX_CMD_SIZE
 * @pt_base:    bus address of the context's level-1 page table (4 KiB
 *              aligned), edgenpu_mmu.h
 * @cmd_addr:   bus address of the command stream (contiguous, 4-byte
 *              aligned; not translated by the NPU MMU)
 * @completion_addr: bus address of a struct enpu_job_completion
 *              (64-byte aligned)
 * @reserved:   must be 0
 */
struct enpu_job_desc {
	uint32_t flags;
	uint32_t seqno;
	uint32_t asid;
	uint32_t cmd_size;
	uint64_t pt_base;
	uint64_t cmd_addr;
	uint64_t completion_addr;
	uint64_t reserved[3];
};
ENPU_STATIC_ASSERT(sizeof(struct enpu_job_desc) == 64, "job descriptor is 64 bytes");

#define ENPU_MAX_CMD_SIZE	(1u << 20)

/* Job status, in the completion record. */
enum enpu_job_status {
	ENPU_JOB_PENDING = 0,		/* never written by the device */
	ENPU_JOB_OK = 1,
	ENPU_JOB_MMU_FAULT = 2,		/* fault_addr, error_offset valid */
	ENPU_JOB_INVALID_COMMAND = 3,	/* error_offset valid */
	ENPU_JOB_DMA_ERROR = 4,		/* a bus access failed */
	ENPU_JOB_ABORTED = 5,		/* RING_CTRL.ABORT */
	ENPU_JOB_INVALID_DESC = 6,	/* descriptor fields out of range */
};

/**
 * struct enpu_job_completion - written by the device when a job ends (128 bytes)
 * @seqno:        the descriptor's seqno
 * @status:       enum enpu_job_status
 * @error_offset: byte offset in the command stream of the command that
 *                failed (status MMU_FAULT, INVALID_COMMAND, DMA_ERROR)
 * @fault_addr:   NPU VA of an MMU fault
 * @error_info:   status-specific detail: for INVALID_COMMAND an
 *                enum enpu_cmd_error, for MMU_FAULT ENPU_FAULT_* bits
 * @reserved0:    0
 * @cycles:       modelled NPU cycles from fetch to completion
 * @macs:         multiply-accumulates performed
 * @dram_read:    bytes read from DRAM (commands and data)
 * @dram_write:   bytes written to DRAM
 * @sram_read:    bytes read from on-chip SRAM
 * @sram_write:   bytes written to on-chip SRAM
 * @stall_cycles: cycles an engine spent waiting on a semaphore
 * @commands:     commands retired
 * @reserved:     0
 */
struct enpu_job_completion {
	uint32_t seqno;
	uint32_t status;
	uint32_t error_offset;
	uint32_t fault_addr;
	uint32_t error_info;
	uint32_t reserved0;
	uint64_t cycles;
	uint64_t macs;
	uint64_t dram_read;
	uint64_t dram_write;
	uint64_t sram_read;
	uint64_t sram_write;
	uint64_t stall_cycles;
	uint64_t commands;
	/*
	 * Since contract 0.3.1: when the job started running and when it
	 * ended, in nanoseconds of a clock of the device's that only moves
	 * forward (its origin is the device's; only differences mean
	 * something). The device runs one job at a time, so end - start is
	 * the job's own time on it. 0 in both: the device does not say.
	 */
	uint64_t start_time;
	uint64_t end_time;
	uint64_t reserved[3];
};
ENPU_STATIC_ASSERT(sizeof(struct enpu_job_completion) == 128,
		   "completion record is 128 bytes");

#endif /* EDGENPU_JOB_H */
