// SPDX-License-Identifier: MIT
/*
 * The EdgeNPU driven from a qtest: see enpu_qdev.h.
 */
#include <string.h>
#include <unistd.h>

#include "edgenpu_stream.h"
#include "enpu_qdev.h"

/* ---- PCI ------------------------------------------------------------------- */

void npu_open(struct npu *n, struct qt *q)
{
	uint32_t bar, table;
	uint16_t cmd, ctrl;

	memset(n, 0, sizeof(*n));
	n->qt = q;
	n->heap = NPU_HEAP_BASE;
	n->devfn = qt_pci_find(q, ENPU_PCI_VENDOR_ID, ENPU_PCI_DEVICE_ID);
	if (n->devfn < 0)
		qt_fatal(q, "no %04x:%04x on PCI bus 0", ENPU_PCI_VENDOR_ID,
			 ENPU_PCI_DEVICE_ID);

	/* BAR0: 32-bit memory. BAR2 (MSI-X) may be 64-bit: clear its high half. */
	qt_pci_cfg_writel(q, n->devfn, PCI_BAR_OFF(ENPU_BAR_REGS), (uint32_t)NPU_BAR0_ADDR);
	bar = qt_pci_cfg_readl(q, n->devfn, PCI_BAR_OFF(ENPU_BAR_MSIX));
	qt_pci_cfg_writel(q, n->devfn, PCI_BAR_OFF(ENPU_BAR_MSIX), (uint32_t)NPU_BAR2_ADDR);
	if ((bar & 0x7) == 0x4)
		qt_pci_cfg_writel(q, n->devfn, PCI_BAR_OFF(ENPU_BAR_MSIX + 1), 0);
	n->regs = NPU_BAR0_ADDR;

	cmd = qt_pci_cfg_readw(q, n->devfn, PCI_COMMAND_OFF);
	qt_pci_cfg_writew(q, n->devfn, PCI_COMMAND_OFF,
			  cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER);

	/* MSI-X: entry 0 -> NPU_MSI_ADDR/NPU_MSI_DATA, unmasked, enabled. */
	n->msix_cap = qt_pci_find_cap(q, n->devfn, PCI_CAP_ID_MSIX);
	if (!n->msix_cap)
		qt_fatal(q, "no MSI-X capability");
	table = qt_pci_cfg_readl(q, n->devfn, n->msix_cap + PCI_MSIX_TABLE);
	if ((table & 7) != ENPU_BAR_MSIX)
		qt_fatal(q, "MSI-X table in BAR%u, expected BAR%u", table & 7,
			 ENPU_BAR_MSIX);
	n->msix_table = NPU_BAR2_ADDR + (table & ~7u);
	qt_memset(q, NPU_MSI_ADDR, 4096, 0);
	qt_writel(q, n->msix_table + 0, (uint32_t)NPU_MSI_ADDR);
	qt_writel(q, n->msix_table + 4, (uint32_t)(NPU_MSI_ADDR >> 32));
	qt_writel(q, n->msix_table + 8, NPU_MSI_DATA);
	qt_writel(q, n->msix_table + 12, 0);
	ctrl = qt_pci_cfg_readw(q, n->devfn, n->msix_cap + PCI_MSIX_CTRL);
	qt_pci_cfg_writew(q, n->devfn, n->msix_cap + PCI_MSIX_CTRL,
			  (ctrl | PCI_MSIX_ENABLE) & ~PCI_MSIX_MASKALL);
}

uint32_t npu_rd(struct npu *n, uint32_t off)
{
	return qt_readl(n->qt, n->regs + off);
}

void npu_wr(struct npu *n, uint32_t off, uint32_t v)
{
	qt_writel(n->qt, n->regs + off, v);
}

uint32_t npu_ring_rd(struct npu *n, int r, uint32_t off)
{
	return npu_rd(n, ENPU_RING_REG(r, off));
}

void npu_ring_wr(struct npu *n, int r, uint32_t off, uint32_t v)
{
	npu_wr(n, ENPU_RING_REG(r, off), v);
}

/* ---- guest RAM ----------------------------------------------------------- */

uint64_t gmem_alloc(struct npu *n, uint64_t size, uint64_t align)
{
	uint64_t a = (n->heap + align - 1) & ~(align - 1);

	if (!size)
		size = 1;
	if (a + size > NPU_HEAP_END)
		qt_fatal(n->qt, "guest heap exhausted (%llu bytes asked)",
			 (unsigned long long)size);
	n->heap = a + size;
	qt_memset(n->qt, a, size, 0);
	return a;
}

void gmem_write(struct npu *n, uint64_t addr, const void *buf, size_t len)
{
	qt_memwrite(n->qt, addr, buf, len);
}

void gmem_read(struct npu *n, uint64_t addr, void *buf, size_t len)
{
	qt_memread(n->qt, addr, buf, len);
}

uint32_t gmem_r32(struct npu *n, uint64_t addr)
{
	return qt_readl(n->qt, addr);
}

void gmem_w32(struct npu *n, uint64_t addr, uint32_t v)
{
	qt_writel(n->qt, addr, v);
}

uint64_t gmem_r64(struct npu *n, uint64_t addr)
{
	return qt_readq(n->qt, addr);
}

void gmem_w64(struct npu *n, uint64_t addr, uint64_t v)
{
	qt_writeq(n->qt, addr, v);
}

/* ---- address spaces ------------------------------------------------------ */

void as_init(struct npu_as *a, struct npu *n, uint32_t asid)
{
	memset(a, 0, sizeof(*a));
	a->n = n;
	a->asid = asid;
	a->l1 = gmem_alloc(n, ENPU_L1_TABLE_SIZE, ENPU_PAGE_SIZE);
}

static uint64_t as_l2(struct npu_as *a, uint32_t va)
{
	uint32_t i = ENPU_L1_INDEX(va);

	if (!a->l2[i]) {
		a->l2[i] = gmem_alloc(a->n, ENPU_L2_TABLE_SIZE, ENPU_PAGE_SIZE);
		gmem_w64(a->n, a->l1 + 8ull * i, ENPU_PDE(a->l2[i]));
	}
	return a->l2[i];
}

void as_map_page(struct npu_as *a, uint32_t va, uint64_t pa, uint64_t flags)
{
	gmem_w64(a->n, as_l2(a, va) + 8ull * ENPU_L2_INDEX(va), ENPU_PTE(pa, flags));
}

uint64_t as_map_new(struct npu_as *a, uint32_t va, uint64_t size, uint64_t flags)
{
	uint64_t pages = (ENPU_PAGE_OFFSET(va) + size + ENPU_PAGE_SIZE - 1) / ENPU_PAGE_SIZE;
	uint64_t pa = gmem_alloc(a->n, pages * ENPU_PAGE_SIZE, ENPU_PAGE_SIZE), i = 0;
	uint32_t base = va & ~(ENPU_PAGE_SIZE - 1);
	uint64_t ptes[ENPU_L2_ENTRIES];

	/* One write per level-2 table touched. */
	while (i < pages) {
		uint32_t v = base + (uint32_t)(i * ENPU_PAGE_SIZE);
		uint32_t first = ENPU_L2_INDEX(v), k;
		uint64_t l2 = as_l2(a, v);

		for (k = 0; first + k < ENPU_L2_ENTRIES && i < pages; k++, i++)
			ptes[k] = ENPU_PTE(pa + i * ENPU_PAGE_SIZE, flags);
		gmem_write(a->n, l2 + 8ull * first, ptes, 8ull * k);
	}
	return pa + ENPU_PAGE_OFFSET(va);
}

uint64_t as_pte_addr(struct npu_as *a, uint32_t va)
{
	uint32_t i = ENPU_L1_INDEX(va);

	if (!a->l2[i])
		qt_fatal(a->n->qt, "no level-2 table for VA 0x%x", va);
	return a->l2[i] + 8ull * ENPU_L2_INDEX(va);
}

uint64_t as_pa(struct npu_as *a, uint32_t va)
{
	uint64_t pte = gmem_r64(a->n, as_pte_addr(a, va));

	return (pte & ENPU_PTE_ADDR_MASK) | ENPU_PAGE_OFFSET(va);
}

/* ---- streams ------------------------------------------------------------- */

void st_init(struct npu_stream *s)
{
	s->n = 0;
}

static uint32_t *st_grow(struct npu_stream *s, size_t words)
{
	uint32_t *p;

	if (s->n + words > NPU_STREAM_WORDS) {
		fprintf(stderr, "# stream overflow\n");
		_exit(1);
	}
	p = s->w + s->n;
	s->n += words;
	return p;
}

void st_cmd(struct npu_stream *s, uint32_t op, const void *cmd, size_t bytes)
{
	enpu_put_cmd(st_grow(s, bytes / 4), op, cmd, bytes);
}

void st_raw(struct npu_stream *s, const uint32_t *w, size_t n)
{
	memcpy(st_grow(s, n), w, n * 4);
}

void st_nop(struct npu_stream *s)
{
	enpu_put_op(st_grow(s, 1), ENPU_OP_NOP);
}

void st_end(struct npu_stream *s)
{
	enpu_put_op(st_grow(s, 1), ENPU_OP_END);
}

void st_sync(struct npu_stream *s, uint32_t op, uint32_t engine, uint32_t sem)
{
	enpu_put_sync(st_grow(s, ENPU_CMD_WORDS_OF(struct enpu_cmd_sync)), op, engine, sem);
}

void st_fill(struct npu_stream *s, uint32_t dst, uint8_t value, uint32_t bytes)
{
	enpu_put_fill(st_grow(s, ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_fill)), dst, value,
		      bytes);
}

void st_copy(struct npu_stream *s, uint32_t src, uint32_t dst, uint32_t bytes)
{
	enpu_put_copy(st_grow(s, ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy)), src, dst, bytes);
}

void st_pool_copy(struct npu_stream *s, uint32_t src, uint32_t dst, uint32_t bytes)
{
	struct enpu_cmd_pool c = {
		.input = src, .output = dst, .batches = 1, .in_h = 1, .in_w = 1,
		.channels = bytes, .out_h = 1, .out_w = 1, .filter_h = 1,
		.filter_w = 1, .stride_h = 1, .stride_w = 1,
		.act_min = -128, .act_max = 127,
	};

	st_cmd(s, ENPU_OP_MAX_POOL, &c, sizeof(c));
}

/* ---- rings and jobs ------------------------------------------------------ */

void npu_ring_init(struct npu *n, int r, uint32_t entries)
{
	struct npu_ring *ring = &n->ring[r];

	ring->size = entries;
	ring->tail = 0;
	ring->addr = gmem_alloc(n, (uint64_t)entries * sizeof(struct enpu_job_desc), 64);
	npu_ring_wr(n, r, ENPU_RING_ADDR_LO, (uint32_t)ring->addr);
	npu_ring_wr(n, r, ENPU_RING_ADDR_HI, (uint32_t)(ring->addr >> 32));
	npu_ring_wr(n, r, ENPU_RING_SIZE, entries);
	npu_ring_wr(n, r, ENPU_RING_CTRL, ENPU_RING_CTRL_ENABLE);
}

void npu_job_prepare(struct npu *n, struct npu_job *j, struct npu_as *a,
		     const struct npu_stream *s, uint32_t seqno)
{
	uint64_t cmd = gmem_alloc(n, st_bytes(s), 64);

	gmem_write(n, cmd, s->w, st_bytes(s));
	memset(j, 0, sizeof(*j));
	j->desc.seqno = seqno;
	j->desc.asid = a->asid;
	j->desc.cmd_size = st_bytes(s);
	j->desc.pt_base = a->l1;
	j->desc.cmd_addr = cmd;
	j->desc.completion_addr = gmem_alloc(n, sizeof(struct enpu_job_completion), 64);
	j->ring = -1;
}

void npu_queue(struct npu *n, int r, struct npu_job *j)
{
	struct npu_ring *ring = &n->ring[r];

	j->ring = r;
	j->index = ring->tail;
	gmem_write(n, ring->addr + (uint64_t)(ring->tail % ring->size) * sizeof(j->desc),
		   &j->desc, sizeof(j->desc));
	ring->tail++;
}

void npu_kick(struct npu *n, int r)
{
	npu_ring_wr(n, r, ENPU_RING_TAIL, n->ring[r].tail);
}

void npu_completion(struct npu *n, const struct npu_job *j,
		    struct enpu_job_completion *c)
{
	gmem_read(n, j->desc.completion_addr, c, sizeof(*c));
}

/* ---- waiting --------------------------------------------------------------- */

/* Polling pace: fast at first, then gentler on the two cores we share. */
static void npu_pause(int64_t start)
{
	usleep(qt_now_ms() - start < 20 ? 50 : 1000);
}

bool npu_wait_reg(struct npu *n, uint32_t off, uint32_t mask, uint32_t value, int ms)
{
	int64_t start = qt_now_ms();

	for (;;) {
		if ((npu_rd(n, off) & mask) == value)
			return true;
		if (qt_now_ms() - start > ms)
			return false;
		npu_pause(start);
	}
}

bool npu_wait_seqno(struct npu *n, int r, uint32_t seqno, int ms)
{
	return npu_wait_reg(n, ENPU_RING_REG(r, ENPU_RING_DONE_SEQNO), ~0u, seqno, ms);
}

bool npu_wait_completion(struct npu *n, const struct npu_job *j, int ms)
{
	int64_t start = qt_now_ms();

	for (;;) {
		if (gmem_r32(n, j->desc.completion_addr +
			     offsetof(struct enpu_job_completion, status)) != ENPU_JOB_PENDING)
			return true;
		if (qt_now_ms() - start > ms)
			return false;
		npu_pause(start);
	}
}

void npu_msi_clear(struct npu *n)
{
	gmem_w32(n, NPU_MSI_ADDR, 0);
}

bool npu_msi_seen(struct npu *n)
{
	uint32_t v = gmem_r32(n, NPU_MSI_ADDR);

	if (v && v != NPU_MSI_DATA)
		qt_fatal(n->qt, "MSI-X word holds 0x%08x, not the programmed 0x%08x",
			 v, NPU_MSI_DATA);
	return v == NPU_MSI_DATA;
}

bool npu_msi_wait(struct npu *n, int ms)
{
	int64_t start = qt_now_ms();

	for (;;) {
		if (npu_msi_seen(n))
			return true;
		if (qt_now_ms() - start > ms)
			return false;
		npu_pause(start);
	}
}

void npu_msi_mask(struct npu *n, bool mask)
{
	qt_writel(n->qt, n->msix_table + 12, mask ? 1 : 0);
}
