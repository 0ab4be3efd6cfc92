/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the fbnic PCIe config space (src/dev/pcie_cfg.c). */
#include "dev/pcie_cfg.h"
#include "test.h"

static struct pcie_cfg cfg;
static struct fbnic_pci_layout layout = {
	.bar_size = { 2u << 20, 0, 0x2000, 0, 128u << 10, 0 },
	.bar_is_64 = { true, false, true, false, true, false },
	.msix_vectors = 130,
	.msix_bar = 2,
	.msix_table_offset = 0,
	.msix_pba_offset = 0x1000,
	.config_size = 4096,
};

static void init(void)
{
	pcie_cfg_init(&cfg, &layout, 0x02fb00fffe000001ull);
}

static void wr(uint32_t off, uint32_t v, uint32_t len)
{
	pcie_cfg_write(&cfg, off, &v, len);
}

static void test_identity_and_caps(void)
{
	init();
	CHECK_EQ(pcie_cfg_get16(&cfg, PCI_VENDOR_ID), 0x1d9b);
	CHECK_EQ(pcie_cfg_get16(&cfg, PCI_DEVICE_ID), 0x0013);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x08) >> 8, 0x020000); /* Ethernet */
	CHECK(pcie_cfg_get16(&cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST);
	/* walk the standard chain: PM -> MSI-X -> PCIe, then the end */
	uint8_t ids[8];
	unsigned n = 0;
	for (uint8_t p = cfg.data[PCI_CAPABILITY_LIST]; p && n < 8; p = cfg.data[p + 1])
		ids[n++] = cfg.data[p];
	CHECK_INT(n, 3);
	CHECK_EQ(ids[0], PCI_CAP_ID_PM);
	CHECK_EQ(ids[1], PCI_CAP_ID_MSIX);
	CHECK_EQ(ids[2], PCI_CAP_ID_EXP);
	/* MSI-X: N-1, table and PBA in BAR2 */
	CHECK_EQ(pcie_cfg_get16(&cfg, FBNIC_CFG_MSIX + 2) & 0x7ff, 129);
	CHECK_EQ(pcie_cfg_get32(&cfg, FBNIC_CFG_MSIX + 4), 0x00000002);
	CHECK_EQ(pcie_cfg_get32(&cfg, FBNIC_CFG_MSIX + 8), 0x00001002);
	/* PCIe endpoint, version 2, no FLR capability */
	CHECK_EQ(pcie_cfg_get16(&cfg, FBNIC_CFG_EXP + 2), 0x0002);
	CHECK(!(pcie_cfg_get32(&cfg, FBNIC_CFG_EXP + 4) & (1u << 28)));
	/* DSN as pci_get_dsn reads it */
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x100), 0x00010003);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x104), 0xfe000001);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x108), 0x02fb00ff);
	CHECK_EQ(cfg.data[PCI_INTERRUPT_PIN], 0); /* MSI-X only */
}

static void test_bar_sizing(void)
{
	init();
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x10), 0x4); /* 64-bit memory */
	wr(0x10, 0xffffffff, 4);
	wr(0x14, 0xffffffff, 4);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x10), 0xffe00004); /* 2 MiB */
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x14), 0xffffffff);
	wr(0x18, 0xffffffff, 4);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x18), 0xffffe004); /* 8 KiB */
	wr(0x20, 0xffffffff, 4);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x20), 0xfffe0004); /* 128 KiB */
	wr(0x10, 0xfe000000, 4);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x10), 0xfe000004);
	/* BAR1/3/5 are upper halves; ROM stays 0 (no ROM) */
	wr(0x30, 0xfffff800, 4);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x30), 0);
}

static void test_write_rules(void)
{
	init();
	wr(0x00, 0x12345678, 4); /* IDs are read-only */
	CHECK_EQ(pcie_cfg_get32(&cfg, 0), 0x00131d9b);
	wr(PCI_COMMAND, 0xffff, 2);
	CHECK_EQ(pcie_cfg_get16(&cfg, PCI_COMMAND), 0x0546); /* no I/O space */
	wr(PCI_CAPABILITY_LIST, 0, 1);
	CHECK_EQ(cfg.data[PCI_CAPABILITY_LIST], FBNIC_CFG_PM);
	wr(PCI_INTERRUPT_LINE, 0x0b, 1);
	CHECK_EQ(cfg.data[PCI_INTERRUPT_LINE], 0x0b);
	/* STATUS error bits are write-1-to-clear, cap list stays */
	cfg.data[PCI_STATUS + 1] = 0x80;
	wr(PCI_STATUS, 0xffff, 2);
	CHECK_EQ(pcie_cfg_get16(&cfg, PCI_STATUS), PCI_STATUS_CAP_LIST);
	/* MSI-X enable/mask RW, table size RO */
	wr(FBNIC_CFG_MSIX + 2, 0xffff, 2);
	CHECK_EQ(pcie_cfg_get16(&cfg, FBNIC_CFG_MSIX + 2), 0xc000 | 129);
	/* PMCSR power state round-trips, NoSoftReset stays */
	wr(FBNIC_CFG_PM + 4, 0x3, 2);
	CHECK_EQ(pcie_cfg_get16(&cfg, FBNIC_CFG_PM + 4), 0x000b);
	/* DevCtl MPS/MRRS RW, FLR bit not writable */
	wr(FBNIC_CFG_EXP + 8, 0xffff, 2);
	CHECK_EQ(pcie_cfg_get16(&cfg, FBNIC_CFG_EXP + 8), 0x7cff);
	/* DSN is read-only */
	wr(0x104, 0, 4);
	CHECK_EQ(pcie_cfg_get32(&cfg, 0x104), 0xfe000001);
	/* reset returns the power-on image */
	pcie_cfg_reset(&cfg);
	CHECK_EQ(pcie_cfg_get16(&cfg, PCI_COMMAND), 0);
	CHECK_EQ(pcie_cfg_get16(&cfg, FBNIC_CFG_EXP + 8), 0x2810);
}

static void test_bounds(void)
{
	init();
	uint8_t buf[8];
	CHECK_INT(pcie_cfg_read(&cfg, 4092, buf, 4), 0);
	CHECK_INT(pcie_cfg_read(&cfg, 4093, buf, 4), -22);
	CHECK_INT(pcie_cfg_read(&cfg, 4096, buf, 1), -22);
	CHECK_INT(pcie_cfg_read(&cfg, 0xffffffff, buf, 2), -22);
	CHECK_INT(pcie_cfg_write(&cfg, 4095, buf, 2), -22);
	static uint8_t all[4096];
	CHECK_INT(pcie_cfg_read(&cfg, 0, all, 4096), 0);
	CHECK_EQ(all[0], 0x9b);
}

TEST_MAIN("unit-pcie-cfg", TEST_CASE(test_identity_and_caps),
	  TEST_CASE(test_bar_sizing), TEST_CASE(test_write_rules),
	  TEST_CASE(test_bounds))
