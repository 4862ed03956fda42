/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the EdgeNPU driver, for trace-cmd and perf: a job's life
 * (submitted, handed to the device, ended with its status, cycles and
 * device time), hangs, resets and MMU faults. A job is named by its
 * address space and its id in that file's job table.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM edgenpu

#if !defined(_EDGENPU_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _EDGENPU_TRACE_H_

#include <linux/tracepoint.h>
#include <linux/types.h>

#include "edgenpu_drv.h"
#include "edgenpu_sched.h"
#include "edgenpu_vm.h"

DECLARE_EVENT_CLASS(edgenpu_job_class,
	TP_PROTO(struct edgenpu_job *job),
	TP_ARGS(job),
	TP_STRUCT__entry(
		__string(dev, dev_name(job->edev->drm.dev))
		__field(u32, asid)
		__field(u64, id)
		__field(u32, ring)
		__field(u32, cmd_size)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->asid = job->vm->asid;
		__entry->id = job->id;
		__entry->ring = job->ring->id;
		__entry->cmd_size = job->cmd_size;
	),
	TP_printk("dev=%s asid=%u job=%llu ring=%u cmd_size=%u", __get_str(dev),
		  __entry->asid, __entry->id, __entry->ring, __entry->cmd_size)
);

/* queued to the scheduler by SUBMIT */
DEFINE_EVENT(edgenpu_job_class, edgenpu_job_submit,
	TP_PROTO(struct edgenpu_job *job),
	TP_ARGS(job)
);

/* written to the device's ring by run_job */
DEFINE_EVENT(edgenpu_job_class, edgenpu_job_run,
	TP_PROTO(struct edgenpu_job *job),
	TP_ARGS(job)
);

/* hung: the device did not move for job_timeout_ms, or ran past job_max_ms */
DEFINE_EVENT(edgenpu_job_class, edgenpu_job_timeout,
	TP_PROTO(struct edgenpu_job *job),
	TP_ARGS(job)
);

TRACE_EVENT(edgenpu_job_done,
	TP_PROTO(struct edgenpu_job *job, u32 status, u64 cycles, u64 busy_ns),
	TP_ARGS(job, status, cycles, busy_ns),
	TP_STRUCT__entry(
		__string(dev, dev_name(job->edev->drm.dev))
		__field(u32, asid)
		__field(u64, id)
		__field(u32, ring)
		__field(u32, status)
		__field(u64, cycles)
		__field(u64, busy_ns)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->asid = job->vm->asid;
		__entry->id = job->id;
		__entry->ring = job->ring->id;
		__entry->status = status;
		__entry->cycles = cycles;
		__entry->busy_ns = busy_ns;
	),
	TP_printk("dev=%s asid=%u job=%llu ring=%u status=%u cycles=%llu busy_ns=%llu",
		  __get_str(dev), __entry->asid, __entry->id, __entry->ring,
		  __entry->status, __entry->cycles, __entry->busy_ns)
);

TRACE_EVENT(edgenpu_reset,
	TP_PROTO(struct edgenpu_device *edev, int result),
	TP_ARGS(edev, result),
	TP_STRUCT__entry(
		__string(dev, dev_name(edev->drm.dev))
		__field(int, result)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->result = result;
	),
	TP_printk("dev=%s result=%d", __get_str(dev), __entry->result)
);

TRACE_EVENT(edgenpu_mmu_fault,
	TP_PROTO(struct edgenpu_device *edev, u32 va, u32 asid, u32 seqno, u32 status),
	TP_ARGS(edev, va, asid, seqno, status),
	TP_STRUCT__entry(
		__string(dev, dev_name(edev->drm.dev))
		__field(u32, va)
		__field(u32, asid)
		__field(u32, seqno)
		__field(u32, status)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->va = va;
		__entry->asid = asid;
		__entry->seqno = seqno;
		__entry->status = status;
	),
	TP_printk("dev=%s va=0x%08x asid=%u seqno=%u status=0x%x", __get_str(dev),
		  __entry->va, __entry->asid, __entry->seqno, __entry->status)
);

#endif /* _EDGENPU_TRACE_H_ */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE edgenpu_trace
#include <trace/define_trace.h>
