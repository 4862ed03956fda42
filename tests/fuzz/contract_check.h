/* SPDX-License-Identifier: MIT */
/*
 * The hardware contract against hostile command streams, on the host: what
 * the decoder and the kernel's region rule accept, against what the engine
 * really touches in memory. One input is one job:
 *
 *   byte 0       bit 0: raw (skip the kernel's rule); bits 1-3: buffers - 1
 *   1 byte each  a buffer: bits 0-2 pages - 1, bit 3 read-only pages,
 *                bit 4 not listed for writing (writable pages: the kernel's
 *                rule alone keeps commands from writing them)
 *   the rest     the command stream, little-endian 32-bit words
 *
 * Buffer i is mapped at CONTRACT_BUF_VA(i), with unmapped pages between
 * buffers. contract_run() checks it twice over, each against a shadow of
 * bus memory (tests/host/testbus.h) in which any access not granted is a
 * violation:
 *
 *  - validated: the stream is checked as the kernel checks a submission
 *    (enpu_cmd_decode() up to END; every command one the device has,
 *    enpu_cmd_cap(); every region in the SRAM window and its
 *    SRAM, or inside one buffer and, where written, a buffer both writable
 *    and listed for writing: driver/edgenpu_submit.c). An accepted stream
 *    runs with only its declared regions accessible (read or written as
 *    declared), plus the page tables and the stream; it must not fault on
 *    the MMU, meet a bus error, or be found invalid by the device (a WAIT
 *    nothing signals is the one refusal the kernel leaves to the device).
 *  - raw (a stream the rule refuses, or an input asking for it): the engine
 *    runs it as it is; it must end and touch nothing but the mapped pages
 *    (writing only writable ones), the page tables and the stream.
 *
 * A stream whose decodable part costs more than CONTRACT_MAX_MACS or
 * CONTRACT_MAX_WORK is not run (counted): that huge commands end within a
 * bounded time is the abort's business (engine_test, the recovery tests).
 */
#ifndef EDGENPU_CONTRACT_CHECK_H
#define EDGENPU_CONTRACT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "edgenpu_mmu.h"

#define CONTRACT_MAX_BUFS	8
#define CONTRACT_MAX_PAGES	8
#define CONTRACT_BUF_VA(i)	(0x10000u + (uint32_t)(i) * 0x10000u)
#define CONTRACT_MAX_WORDS	4096
#define CONTRACT_MAX_MACS	(1ull << 22)
#define CONTRACT_MAX_WORK	(1ull << 25)

#define CONTRACT_RAW		0x01
#define CONTRACT_BUF_RO		0x08
#define CONTRACT_BUF_NOWRITE	0x10

struct contract_stats {
	unsigned long inputs;
	unsigned long accepted;		/* by the kernel's rule */
	unsigned long refused_decode;	/* by the decoder */
	unsigned long refused_region;	/* by the region rule */
	unsigned long raw_runs;
	unsigned long too_costly;	/* not run */
	unsigned long status[8];	/* enum enpu_job_status, of every run */
	unsigned long long bytes_granted;	/* accessible bytes, all runs */
};

/*
 * For the check's own test: grant every accepted region one byte short, so
 * that a correct engine is reported.
 */
extern int contract_grant_short;

/* The name of a job status (enum enpu_job_status), "?" beyond them. */
const char *contract_status_name(uint32_t s);

/* The SRAM the checks assume (the contract's default SKU). */
uint32_t contract_sram_size(void);

/*
 * Checks one input. Returns 0, or -1 with the reason in @why: a violation
 * (an access outside what was granted), an accepted stream that faulted
 * or was refused by the device. Inputs too short to be a job pass.
 */
int contract_run(const uint8_t *data, size_t len, struct contract_stats *st,
		 char *why, size_t why_len);

#endif /* EDGENPU_CONTRACT_CHECK_H */
