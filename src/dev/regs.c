/* SPDX-License-Identifier: Apache-2.0 */
#include "regs.h"

#include "dev.h"
#include "intr.h"
#include "mbx.h"
#include "util/log.h"

static uint32_t master_read(struct fbnic *dev, uint32_t idx)
{
	uint32_t v = dev->csr[idx];
	/* Liveness rule: all-ones here makes the driver detach the device. */
	return idx == FBNIC_MASTER_SPARE_0 && v == UINT32_MAX ? 0 : v;
}

/* PUL_USER: the outbound TLP configs gate the mailbox's DMA. */
static void pul_user_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	if (idx == FBNIC_PUL_OB_TLP_HDR_AW_CFG ||
	    idx == FBNIC_PUL_OB_TLP_HDR_AR_CFG)
		fbnic_mbx_pul_cfg_write(dev, idx, val);
	else
		dev->csr[idx] = val;
}

/* Blocks that are plain storage so far, with the driver's delimiters. */
#define STORAGE(name)                                                \
	static const struct reg_block blk_##name = {                 \
		#name, FBNIC_CSR_START_##name, FBNIC_CSR_END_##name }
STORAGE(TCE);
STORAGE(TCE_RAM);
STORAGE(TMI);
STORAGE(RPC);
STORAGE(RPC_RAM);
STORAGE(FAB);
STORAGE(PCIE_SS_COMPHY);
STORAGE(NS_OTP);
#undef STORAGE

static const struct reg_block blk_MASTER = { "MASTER", FBNIC_CSR_START_MASTER,
					     FBNIC_CSR_END_MASTER,
					     master_read, NULL };
static const struct reg_block blk_PUL_USER = { "PUL_USER", FBNIC_CSR_START_PUL_USER,
					       FBNIC_CSR_END_PUL_USER,
					       NULL, pul_user_write };

/* BAR0 blocks, sorted by index. */
static const struct reg_block *const bar0_blocks[] = {
	&fbnic_intr_block,
	&fbnic_intr_cq_block,
	&fbnic_qm_tx_block,
	&fbnic_qm_rx_block,
	&blk_TCE,
	&blk_TCE_RAM,
	&blk_TMI,
	&fbnic_ptp_block,
	&fbnic_rxb_block,
	&blk_RPC,
	&blk_RPC_RAM,
	&blk_FAB,
	&blk_MASTER,
	&fbnic_pcs_block,
	&fbnic_rsfec_block,
	&fbnic_mac_block,
	&fbnic_sig_block,
	&fbnic_mac_stat_block,
	&blk_PCIE_SS_COMPHY,
	&blk_PUL_USER,
	&fbnic_queue_block,
};

/* BAR4 blocks, sorted by index. */
static const struct reg_block *const bar4_blocks[] = {
	&blk_NS_OTP,
	&fbnic_ipc_mbx_block,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct reg_block *reg_block_find(const struct reg_block *const *tbl,
				       unsigned n, uint32_t idx)
{
	unsigned lo = 0, hi = n;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (tbl[mid]->last < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && tbl[lo]->first <= idx ? tbl[lo] : NULL;
}

static uint32_t block_read(struct fbnic *dev, const struct reg_block *const *tbl,
			   unsigned n, const uint32_t *store, uint32_t idx)
{
	const struct reg_block *b = reg_block_find(tbl, n, idx);
	if (!b)
		return 0;
	return b->read ? b->read(dev, idx) : store[idx];
}

static void block_write(struct fbnic *dev, const struct reg_block *const *tbl,
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
