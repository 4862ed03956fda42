/* SPDX-License-Identifier: MIT */
/*
 * EdgeNPU MMU: 32-bit NPU virtual addresses, two-level page tables with
 * 4 KiB pages, one table tree per address space (ASID). hw/README.md,
 * "MMU", describes walks, faults and invalidation.
 *
 *   VA[31:21] level-1 index (2048 entries x 8 bytes = 16 KiB table)
 *   VA[20:12] level-2 index (512 entries x 8 bytes = 4 KiB table)
 *   VA[11:0]  byte in the 4 KiB page
 *
 * VAs from ENPU_SRAM_VA_BASE up are not translated: they address the
 * on-chip SRAM (up to SRAM_SIZE bytes; beyond it a fault).
 */
#ifndef EDGENPU_MMU_H
#define EDGENPU_MMU_H

#include "edgenpu_types.h"

#define ENPU_VA_BITS		32
#define ENPU_PAGE_SHIFT		12
#define ENPU_PAGE_SIZE		(1u << ENPU_PAGE_SHIFT)
#define ENPU_L1_SHIFT		21
#define ENPU_L1_ENTRIES		2048
#define ENPU_L2_ENTRIES		512
#define ENPU_L1_TABLE_SIZE	(ENPU_L1_ENTRIES * 8)
#define ENPU_L2_TABLE_SIZE	(ENPU_L2_ENTRIES * 8)

#define ENPU_L1_INDEX(va)	(((uint32_t)(va) >> ENPU_L1_SHIFT) & (ENPU_L1_ENTRIES - 1))
#define ENPU_L2_INDEX(va)	(((uint32_t)(va) >> ENPU_PAGE_SHIFT) & (ENPU_L2_ENTRIES - 1))
#define ENPU_PAGE_OFFSET(va)	((uint32_t)(va) & (ENPU_PAGE_SIZE - 1))

/* Translated range, and the SRAM window above it. */
#define ENPU_SRAM_VA_BASE	0xf0000000u
#define ENPU_DRAM_VA_END	ENPU_SRAM_VA_BASE	/* exclusive */

/*
 * Entries, both levels, 64-bit little-endian:
 *   bit 0      VALID
 *   bit 1      READ   (level 2 only; level-1 entries ignore it)
 *   bit 2      WRITE  (level 2 only)
 *   bits 11:3  must be zero (else the entry faults as not present)
 *   bits 51:12 bus address of the page (level 2) or level-2 table (level 1)
 *   bits 63:52 must be zero
 */
#define ENPU_PTE_VALID		(1ull << 0)
#define ENPU_PTE_READ		(1ull << 1)
#define ENPU_PTE_WRITE		(1ull << 2)
#define ENPU_PTE_ADDR_MASK	0x000ffffffffff000ull
#define ENPU_PTE_RESERVED_MASK	0xfff0000000000ff8ull

#define ENPU_PTE(addr, flags)	(((uint64_t)(addr) & ENPU_PTE_ADDR_MASK) | (flags))
#define ENPU_PDE(addr)		ENPU_PTE(addr, ENPU_PTE_VALID)

#endif /* EDGENPU_MMU_H */
