// SPDX-License-Identifier: MIT
/* One job of the contract check (contract_check.h): rule, shadow, engine. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract_check.h"
#include "edgenpu_cmd.h"
#include "edgenpu_hw.h"
#include "testbus.h"

#define BUS_SIZE	(512u << 10)
#define ASID		1

struct buf {
	uint32_t va, size;
	int ro;			/* read-only pages */
	int nowrite;		/* not listed for writing */
};

struct job {
	unsigned int nbuf;
	struct buf buf[CONTRACT_MAX_BUFS];
	uint32_t words[CONTRACT_MAX_WORDS];
	uint32_t nwords;
	int raw;
};

/* One bus and one engine for every input (the engine is reset for each). */
static struct tbus bus;
static struct enpu_engine engine;
static int ready;

int contract_grant_short;

uint32_t contract_sram_size(void)
{
	return tbus_default_sku.sram_size;
}

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse(const uint8_t *d, size_t len, struct job *j)
{
	size_t i, n;

	if (len < 2)
		return -1;
	j->raw = d[0] & CONTRACT_RAW;
	j->nbuf = 1 + ((d[0] >> 1) & 7);
	if (len < 1 + j->nbuf)
		return -1;
	for (i = 0; i < j->nbuf; i++) {
		j->buf[i].va = CONTRACT_BUF_VA(i);
		j->buf[i].size = (1 + (d[1 + i] & 7)) * ENPU_PAGE_SIZE;
		j->buf[i].ro = !!(d[1 + i] & CONTRACT_BUF_RO);
		j->buf[i].nowrite = !!(d[1 + i] & CONTRACT_BUF_NOWRITE);
	}
	d += 1 + j->nbuf;
	n = (len - 1 - j->nbuf) / 4;
	if (!n)
		return -1;
	j->nwords = n > CONTRACT_MAX_WORDS ? CONTRACT_MAX_WORDS : (uint32_t)n;
	for (i = 0; i < j->nwords; i++)
		j->words[i] = (uint32_t)d[4 * i] | (uint32_t)d[4 * i + 1] << 8 |
			      (uint32_t)d[4 * i + 2] << 16 | (uint32_t)d[4 * i + 3] << 24;
	return 0;
}

/* The buffer holding all of region @r, or NULL: the driver's lookup. */
static const struct buf *buf_of(const struct job *j, const struct enpu_region *r)
{
	unsigned int i;

	for (i = 0; i < j->nbuf; i++)
		if (r->va >= j->buf[i].va && r->size <= j->buf[i].size &&
		    r->va - j->buf[i].va <= j->buf[i].size - r->size)
			return &j->buf[i];
	return NULL;
}

/* The address space of the job being run. */
static struct tctx ctx;

/* Grants @perm on the bus bytes behind [va, va + len), mapped pages only. */
static void grant_va(uint32_t va, uint64_t len, uint8_t perm, struct contract_stats *st)
{
	while (len) {
		uint64_t pte = *tctx_pte(&ctx, va);
		uint64_t n = ENPU_PAGE_SIZE - ENPU_PAGE_OFFSET(va);

		n = n < len ? n : len;
		if (pte & ENPU_PTE_VALID) {
			tbus_allow(&bus, (pte & ENPU_PTE_ADDR_MASK) + ENPU_PAGE_OFFSET(va), n, perm);
			st->bytes_granted += n;
		}
		va += (uint32_t)n;
		len -= n;
	}
}

/* What the engine may run of the stream: its decodable part's cost. */
static void stream_cost(const struct job *j, uint64_t *macs, uint64_t *work)
{
	struct enpu_cmd_info info;
	uint32_t pos = 0;

	*macs = 0;
	*work = 0;
	while (pos < j->nwords && !enpu_cmd_decode(j->words + pos, j->nwords - pos, &info) &&
	       info.opcode != ENPU_OP_END) {
		*macs += info.macs;
		*work += info.work;
		pos += info.words;
	}
}

enum verdict { ACCEPTED, REFUSED_DECODE, REFUSED_REGION };

/*
 * The kernel's rule (driver/edgenpu_submit.c, edgenpu_validate() and
 * edgenpu_check_region()), for a device with the engine's capabilities.
 * @st: on an accepted stream, grant its regions in the shadow, as each is
 * declared (read or written).
 */
static enum verdict kernel_rule(const struct job *j, struct contract_stats *st)
{
	struct enpu_cmd_info info;
	uint32_t pos = 0, i;

	while (pos < j->nwords) {
		if (enpu_cmd_decode(j->words + pos, j->nwords - pos, &info))
			return REFUSED_DECODE;
		if (info.opcode == ENPU_OP_END)
			return ACCEPTED;
		if (enpu_cmd_cap(info.opcode) & ~engine.caps)
			return REFUSED_DECODE;
		for (i = 0; i < info.num_regions; i++) {
			const struct enpu_region *r = &info.regions[i];
			const struct buf *b;

			switch (enpu_region_where(r, tbus_default_sku.sram_size)) {
			case ENPU_REGION_SRAM:
				break;
			case ENPU_REGION_BAD:
				return REFUSED_REGION;
			default:
				b = buf_of(j, r);
				if (!b || (r->write && (b->ro || b->nowrite)))
					return REFUSED_REGION;
				if (st)
					grant_va(r->va, r->size - !!contract_grant_short,
						 r->write ? TBUS_WRITE : TBUS_READ, st);
			}
		}
		pos += info.words;
	}
	return REFUSED_DECODE;	/* no END */
}

/* The page tables and the stream: the device reads them. */
static void grant_tables(uint64_t l1, uint64_t cmd, uint32_t cmd_bytes)
{
	const uint64_t *pde = (const uint64_t *)(bus.mem + l1);
	unsigned int i;

	tbus_allow(&bus, l1, ENPU_L1_TABLE_SIZE, TBUS_READ);
	for (i = 0; i < ENPU_L1_ENTRIES; i++)
		if (pde[i] & ENPU_PTE_VALID)
			tbus_allow(&bus, pde[i] & ENPU_PTE_ADDR_MASK, ENPU_L2_TABLE_SIZE,
				   TBUS_READ);
	tbus_allow(&bus, cmd, cmd_bytes, TBUS_READ);
}

const char *contract_status_name(uint32_t s)
{
	static const char *const names[] = {
		"PENDING", "OK", "MMU_FAULT", "INVALID_COMMAND", "DMA_ERROR",
		"ABORTED", "INVALID_DESC",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/*
 * What the device may refuse in a stream the kernel accepted: a WAIT that
 * nothing signals (a property of the schedule, not of one command), and a
 * convolution's or fully-connected layer's per-channel quantisation that
 * it reads from memory (multipliers and shifts out of range: data no
 * submission check sees).
 */
static int device_may_refuse(const struct job *j, const struct enpu_job_completion *done)
{
	struct enpu_cmd_info info;
	uint32_t pos = done->error_offset / 4;

	if (done->status != ENPU_JOB_INVALID_COMMAND)
		return 0;
	if (done->error_info == ENPU_CMD_ERR_DEADLOCK)
		return 1;
	if (done->error_info != ENPU_CMD_ERR_PARAM || pos >= j->nwords ||
	    enpu_cmd_decode(j->words + pos, j->nwords - pos, &info))
		return 0;
	return info.opcode == ENPU_OP_CONV2D || info.opcode == ENPU_OP_DWCONV2D ||
	       info.opcode == ENPU_OP_FULLY_CONNECTED;
}

/*
 * Maps the job's buffers in a fresh address space and runs the stream on
 * the engine, @validated: with only the accepted regions granted.
 */
static int run(const struct job *j, int validated, struct contract_stats *st,
	       char *why, size_t why_len)
{
	struct enpu_job_completion done;
	struct enpu_job_desc d;
	uint64_t cmd;
	unsigned int i;

	memset(bus.mem, 0, bus.size);
	bus.next = ENPU_PAGE_SIZE;
	if (tbus_shadow(&bus))
		return fail(why, why_len, "out of memory for the shadow");
	tctx_init(&ctx, &bus, ASID);
	for (i = 0; i < j->nbuf; i++) {
		uint32_t off;

		tctx_map_new(&ctx, j->buf[i].va, j->buf[i].size,
			     ENPU_PTE_READ | (j->buf[i].ro ? 0 : ENPU_PTE_WRITE));
		/* something to compute on (the pages are not contiguous) */
		for (off = 0; off < j->buf[i].size; off += ENPU_PAGE_SIZE)
			memset(bus.mem + (*tctx_pte(&ctx, j->buf[i].va + off) & ENPU_PTE_ADDR_MASK),
			       0x11 * (i + 1), ENPU_PAGE_SIZE);
	}
	cmd = tbus_alloc(&bus, j->nwords * 4, 64);
	memcpy(bus.mem + cmd, j->words, j->nwords * 4);
	if (validated) {
		kernel_rule(j, st);
	} else {
		for (i = 0; i < j->nbuf; i++)
			grant_va(j->buf[i].va, j->buf[i].size,
				 TBUS_READ | (j->buf[i].ro ? 0 : TBUS_WRITE), st);
	}
	grant_tables(ctx.l1, cmd, j->nwords * 4);

	memset(&d, 0, sizeof(d));
	d.seqno = 1;
	d.asid = ASID;
	d.cmd_size = j->nwords * 4;
	d.pt_base = ctx.l1;
	d.cmd_addr = cmd;
	d.completion_addr = 0;	/* written by the caller, not the engine */
	enpu_engine_reset(&engine);
	memset(&done, 0, sizeof(done));
	enpu_engine_run(&engine, &d, &done);
	st->status[done.status < 8 ? done.status : 0]++;

	if (bus.violation.count)
		return fail(why, why_len,
			    "%s stream: the engine %s bus 0x%llx (%llu-byte access, %lu in all), "
			    "which it was not given; job status %s at command offset %u",
			    validated ? "accepted" : "raw",
			    bus.violation.write ? "wrote" : "read",
			    (unsigned long long)bus.violation.addr,
			    (unsigned long long)bus.violation.len, bus.violation.count,
			    contract_status_name(done.status), done.error_offset);
	if (validated && done.status != ENPU_JOB_OK && !device_may_refuse(j, &done))
		return fail(why, why_len,
			    "a stream the kernel accepts ended %s (info %u) at command offset %u, "
			    "fault address 0x%llx",
			    contract_status_name(done.status), done.error_info, done.error_offset,
			    (unsigned long long)done.fault_addr);
	if (done.status == ENPU_JOB_PENDING || done.status > ENPU_JOB_INVALID_DESC)
		return fail(why, why_len, "the job ended with status %u", done.status);
	return 0;
}

int contract_run(const uint8_t *data, size_t len, struct contract_stats *st,
		 char *why, size_t why_len)
{
	static struct job j;
	enum verdict v;
	uint64_t macs, work;

	if (!ready) {
		if (tbus_init(&bus, BUS_SIZE) ||
		    enpu_engine_init(&engine, &tbus_default_sku, &tbus_ops, &bus))
			return fail(why, why_len, "out of memory for the bus or the engine");
		ready = 1;
	}
	if (why_len)
		why[0] = '\0';
	if (parse(data, len, &j))
		return 0;
	st->inputs++;
	stream_cost(&j, &macs, &work);
	if (macs > CONTRACT_MAX_MACS || work > CONTRACT_MAX_WORK) {
		st->too_costly++;
		return 0;
	}
	v = kernel_rule(&j, NULL);
	st->accepted += v == ACCEPTED;
	st->refused_decode += v == REFUSED_DECODE;
	st->refused_region += v == REFUSED_REGION;
	if (v == ACCEPTED && run(&j, 1, st, why, why_len))
		return -1;
	if (v != ACCEPTED || j.raw) {
		st->raw_runs++;
		return run(&j, 0, st, why, why_len);
	}
	return 0;
}
