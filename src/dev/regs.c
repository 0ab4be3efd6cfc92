/* SPDX-License-Identifier: Apache-2.0 */
#include "regs.h"

#include "dev.h"
#include "util/log.h"

/* FBNIC_MASTER_SPARE_0: the driver's "is the device still there" probe
 * (fbnic_rd32 re-reads it after any all-ones read, fbnic_pci.c). */
#define FBNIC_MASTER_SPARE_0 0x0c41b
/* FBNIC_FW_ZERO_REG = FBNIC_IPC_MBX(0, 0): the same probe on BAR4
 * (fbnic_fw_rd32). */
#define FBNIC_FW_ZERO_REG 0x6000

static uint32_t master_read(struct fbnic *dev, uint32_t idx)
{
	uint32_t v = dev->csr[idx];
	/* Liveness rule: all-ones here makes the driver detach the device. */
	return idx == FBNIC_MASTER_SPARE_0 && v == UINT32_MAX ? 0 : v;
}

/* BAR0 blocks, sorted, with the driver's section delimiters. */
static const struct reg_block bar0_blocks[] = {
	{ "INTR", 0x00000, 0x000ff },
	{ "INTR_CQ", 0x00400, 0x007ff },
	{ "QM_TX", 0x00800, 0x00873 },
	{ "QM_RX", 0x00c00, 0x00c34 },
	{ "TCE", 0x04000, 0x04050 },
	{ "TCE_RAM", 0x04200, 0x0421f },
	{ "TMI", 0x04400, 0x0443f },
	{ "PTP", 0x04800, 0x0480d },
	{ "RXB", 0x08000, 0x081b1 },
	{ "RPC", 0x08400, 0x0856b },
	{ "RPC_RAM", 0x08800, 0x08f1f },
	{ "FAB", 0x0c000, 0x0c020 },
	{ "MASTER", 0x0c400, 0x0c452, master_read, NULL },
	{ "PCS", 0x10000, 0x10668 },
	{ "RSFEC", 0x10800, 0x108c8 },
	{ "MAC_MAC", 0x11000, 0x11028 },
	{ "SIG", 0x11800, 0x1184e },
	{ "MAC_STAT", 0x11a00, 0x11a5f },
	{ "PCIE_SS_COMPHY", 0x2442e, 0x279d7 },
	{ "PUL_USER", 0x31000, 0x310ea },
	{ "QUEUE", 0x40000, 0x5ffff },
};

static uint32_t fw_zero_read(struct fbnic *dev, uint32_t idx)
{
	uint32_t v = dev->fw_csr[idx];
	return idx == FBNIC_FW_ZERO_REG && v == UINT32_MAX ? 0 : v;
}

static const struct reg_block bar4_blocks[] = {
	{ "NS_OTP", 0x0021d, 0x0021e },
	{ "IPC_MBX", 0x06000, 0x0603f, fw_zero_read, NULL },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct reg_block *reg_block_find(const struct reg_block *tbl,
				       unsigned n, uint32_t idx)
{
	unsigned lo = 0, hi = n;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (tbl[mid].last < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && tbl[lo].first <= idx ? &tbl[lo] : NULL;
}

static uint32_t block_read(struct fbnic *dev, const struct reg_block *tbl,
			   unsigned n, uint32_t *store, uint32_t idx)
{
	const struct reg_block *b = reg_block_find(tbl, n, idx);
	if (!b)
		return 0;
	return b->read ? b->read(dev, idx) : store[idx];
}

static void block_write(struct fbnic *dev, const struct reg_block *tbl,
			unsigned n, uint32_t *store, uint32_t idx, uint32_t val)
{
	const struct reg_block *b = reg_block_find(tbl, n, idx);
	if (!b) {
		dev->cnt.unmapped_writes++;
		log_debug("regs", "write 0x%08x to unimplemented index 0x%05x",
			  val, idx);
		return;
	}
	if (b->write)
		b->write(dev, idx, val);
	else
		store[idx] = val;
}

uint32_t fbnic_csr_read(struct fbnic *dev, uint32_t idx)
{
	return block_read(dev, bar0_blocks, ARRAY_SIZE(bar0_blocks), dev->csr,
			  idx);
}

void fbnic_csr_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	block_write(dev, bar0_blocks, ARRAY_SIZE(bar0_blocks), dev->csr, idx,
		    val);
}

uint32_t fbnic_fw_csr_read(struct fbnic *dev, uint32_t idx)
{
	return block_read(dev, bar4_blocks, ARRAY_SIZE(bar4_blocks),
			  dev->fw_csr, idx);
}

void fbnic_fw_csr_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	block_write(dev, bar4_blocks, ARRAY_SIZE(bar4_blocks), dev->fw_csr,
		    idx, val);
}
