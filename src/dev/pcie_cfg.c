/* SPDX-License-Identifier: Apache-2.0 */
#include "pcie_cfg.h"

#include <errno.h>
#include <string.h>

/* Little-endian field setters for the image and its masks. */
static void put8(uint8_t *a, uint32_t off, uint8_t v)
{
	a[off] = v;
}

static void put16(uint8_t *a, uint32_t off, uint16_t v)
{
	a[off] = (uint8_t)v;
	a[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *a, uint32_t off, uint32_t v)
{
	put16(a, off, (uint16_t)v);
	put16(a, off + 2, (uint16_t)(v >> 16));
}

uint16_t pcie_cfg_get16(const struct pcie_cfg *c, uint32_t off)
{
	return (uint16_t)(c->data[off] | c->data[off + 1] << 8);
}

uint32_t pcie_cfg_get32(const struct pcie_cfg *c, uint32_t off)
{
	return pcie_cfg_get16(c, off) | (uint32_t)pcie_cfg_get16(c, off + 2) << 16;
}

/* A memory BAR: type bits read-only, address bits above the size
 * writable, so the 0xffffffff sizing write reads back ~(size-1). */
static void add_bar(struct pcie_cfg *c, int bar, uint64_t size, bool is64)
{
	uint32_t off = PCI_BASE_ADDRESS_0 + 4u * (uint32_t)bar;
	uint64_t mask = ~(size - 1);
	put32(c->data, off, is64 ? 0x4u : 0x0u); /* memory, non-prefetchable */
	put32(c->wmask, off, (uint32_t)mask & ~0xfu);
	if (is64)
		put32(c->wmask, off + 4, (uint32_t)(mask >> 32));
}

static void build_header(struct pcie_cfg *c, const struct fbnic_pci_layout *l)
{
	uint8_t *d = c->data, *w = c->wmask;
	put16(d, PCI_VENDOR_ID, FBNIC_PCI_VENDOR_META);
	put16(d, PCI_DEVICE_ID, FBNIC_PCI_DEVICE_ASIC);
	/* No I/O BARs, so I/O enable is hard-wired 0.  INTx disable stays
	 * writable although the pin is 0: software sets it freely. */
	put16(w, PCI_COMMAND,
	      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		      PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	put16(d, PCI_STATUS, PCI_STATUS_CAP_LIST);
	/* Error bits of STATUS are write-1-to-clear. */
	put16(c->w1cmask, PCI_STATUS, 0xf900);
	put8(d, PCI_REVISION_ID, 0x00);
	put8(d, PCI_CLASS_PROG, 0x00);   /* class 02/00/00: Ethernet */
	put8(d, PCI_CLASS_PROG + 1, 0x00);
	put8(d, PCI_CLASS_PROG + 2, 0x02);
	put8(w, PCI_CACHE_LINE_SIZE, 0xff);
	put8(d, PCI_HEADER_TYPE, 0x00);
	for (int bar = 0; bar < FBNIC_NUM_BARS; bar++)
		if (l->bar_size[bar])
			add_bar(c, bar, l->bar_size[bar], l->bar_is_64[bar]);
	put16(d, PCI_SUBSYSTEM_VENDOR_ID, FBNIC_PCI_VENDOR_META);
	put16(d, PCI_SUBSYSTEM_ID, FBNIC_PCI_DEVICE_ASIC);
	/* 0x30 ROM BAR: no ROM, hard-wired 0, else QEMU registers a ROM BAR
	 * and fails with "Device ROM size is zero" (hw/vfio/pci.c). */
	put8(d, PCI_CAPABILITY_LIST, FBNIC_CFG_PM);
	put8(w, PCI_INTERRUPT_LINE, 0xff);
	/* Pin 0: fbnic is MSI-X only (fbnic_alloc_irqs asks PCI_IRQ_MSIX). */
	put8(d, PCI_INTERRUPT_PIN, 0);
}

static void build_pm(struct pcie_cfg *c)
{
	const uint32_t o = FBNIC_CFG_PM;
	put8(c->data, o, PCI_CAP_ID_PM);
	put8(c->data, o + 1, FBNIC_CFG_MSIX);
	put16(c->data, o + 2, 0x0003); /* PMC: version 3, no D1/D2, no PME */
	/* PMCSR: power state RW; NoSoftReset=1 (D3hot->D0 keeps state, so
	 * the PCI core need not restore config after a PM transition). */
	put16(c->data, o + 4, 0x0008);
	put16(c->wmask, o + 4, 0x0003);
}

static void build_msix(struct pcie_cfg *c, const struct fbnic_pci_layout *l)
{
	const uint32_t o = FBNIC_CFG_MSIX;
	put8(c->data, o, PCI_CAP_ID_MSIX);
	put8(c->data, o + 1, FBNIC_CFG_EXP);
	/* Table size N-1 read-only; enable (15) and function mask (14) RW. */
	put16(c->data, o + 2, (uint16_t)(l->msix_vectors - 1));
	put16(c->wmask, o + 2, 0xc000);
	put32(c->data, o + 4, (uint32_t)l->msix_table_offset | (uint32_t)l->msix_bar);
	put32(c->data, o + 8, (uint32_t)l->msix_pba_offset | (uint32_t)l->msix_bar);
}

static void build_exp(struct pcie_cfg *c)
{
	const uint32_t o = FBNIC_CFG_EXP;
	uint8_t *d = c->data, *w = c->wmask, *w1c = c->w1cmask;
	put8(d, o, PCI_CAP_ID_EXP);
	put8(d, o + 1, 0); /* end of the standard list */
	put16(d, o + 2, 0x0002); /* version 2, type 0: PCIe Endpoint */
	/* DevCap: MPS 256 B, role-based error reporting; no FLR: QEMU would
	 * forward an FLR as a plain config write, not a DEVICE_RESET. */
	put32(d, o + 4, 0x00008001);
	/* DevCtl: error reporting enables, relaxed ordering (the driver
	 * reads it, fbnic_devlink_alloc), MPS, extended tags, no-snoop and
	 * MRRS are RW.  Power-on: RO+NS on, MPS 128, MRRS 512. */
	put16(d, o + 8, 0x2810);
	put16(w, o + 8, 0x7cff);
	put16(w1c, o + 10, 0x000f); /* DevSta error bits */
	/* LnkCap: 16 GT/s x16, port 0; LnkSta reports the same.  LnkCtl
	 * ASPM/RCB/common-clock/extended-sync bits are RW. */
	put32(d, o + 12, 0x00000104);
	put16(w, o + 16, 0x00cb);
	put16(d, o + 18, 0x0104);
	/* DevCap2/DevCtl2: completion timeout fields and LTR are RW. */
	put16(w, o + 0x28, 0x041f);
	put32(d, o + 0x2c, 0x0000001e); /* LnkCap2: 2.5 to 16 GT/s */
	put16(d, o + 0x30, 0x0004);     /* LnkCtl2: target 16 GT/s */
	put16(w, o + 0x30, 0x000f);
}

static void build_dsn(struct pcie_cfg *c, uint64_t dsn)
{
	const uint32_t o = FBNIC_CFG_DSN;
	/* Extended header: ID, version 1, next 0 (the only extended cap).
	 * pci_get_dsn: cap+4 = DSN[31:0], cap+8 = DSN[63:32]. */
	put32(c->data, o, PCI_EXT_CAP_ID_DSN | 1u << 16);
	put32(c->data, o + 4, (uint32_t)dsn);
	put32(c->data, o + 8, (uint32_t)(dsn >> 32));
}

void pcie_cfg_init(struct pcie_cfg *c, const struct fbnic_pci_layout *l,
		   uint64_t dsn)
{
	memset(c, 0, sizeof(*c));
	build_header(c, l);
	build_pm(c);
	build_msix(c, l);
	build_exp(c);
	build_dsn(c, dsn);
	memcpy(c->power_on, c->data, sizeof(c->data));
}

void pcie_cfg_reset(struct pcie_cfg *c)
{
	memcpy(c->data, c->power_on, sizeof(c->data));
}

int pcie_cfg_read(const struct pcie_cfg *c, uint32_t off, void *buf,
		  uint32_t len)
{
	if (off >= PCIE_CFG_SIZE || len > PCIE_CFG_SIZE - off)
		return -EINVAL;
	memcpy(buf, c->data + off, len);
	return 0;
}

int pcie_cfg_write(struct pcie_cfg *c, uint32_t off, const void *buf,
		   uint32_t len)
{
	if (off >= PCIE_CFG_SIZE || len > PCIE_CFG_SIZE - off)
		return -EINVAL;
	const uint8_t *in = buf;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t a = off + i;
		uint8_t v = c->data[a];
		v = (uint8_t)((v & ~c->wmask[a]) | (in[i] & c->wmask[a]));
		v = (uint8_t)(v & ~(in[i] & c->w1cmask[a]));
		c->data[a] = v;
	}
	return 0;
}
