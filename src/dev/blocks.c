/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one table of register blocks, per BAR, sorted by index as the
 * driver's fbnic_csr.h delimits them (FBNIC_CSR_START_* .. END_*).  It
 * drives register dispatch (regs.c), the order of the function reset and
 * the dump (fbnic.c).  Blocks with behaviour live in their own files;
 * the ones that are plain storage so far are defined here.
 */
#include "dev.h"
#include "regs.h"

#define STORAGE(name)                                                \
	static const struct reg_block blk_##name = {                 \
		#name, FBNIC_CSR_START_##name, FBNIC_CSR_END_##name }
STORAGE(TCE);
STORAGE(TCE_RAM);
STORAGE(TMI);
STORAGE(FAB);
STORAGE(PCIE_SS_COMPHY);
STORAGE(NS_OTP);
#undef STORAGE

/* RPC and RPC_RAM: storage; a write or a reset tells the data path to
 * rebuild what its classifier derives from them (dp/rpc.h, the TCAMs'
 * valid entries and the RSS key's table). */
static void rpc_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	fbnic_csr_set(dev, idx, val);
	dev->dp.rpc_gen++;
}

static void rpc_reset(struct fbnic *dev)
{
	dev->dp.rpc_gen++;
}

static const struct reg_block blk_RPC = {
	"RPC", FBNIC_CSR_START_RPC, FBNIC_CSR_END_RPC, NULL, rpc_write,
	NULL, rpc_reset, NULL
};
static const struct reg_block blk_RPC_RAM = {
	"RPC_RAM", FBNIC_CSR_START_RPC_RAM, FBNIC_CSR_END_RPC_RAM, NULL,
	rpc_write, NULL, rpc_reset, NULL
};

/* MASTER: storage, with the liveness rule on FBNIC_MASTER_SPARE_0: the
 * driver re-reads it after any all-ones read and detaches the device if
 * it reads all-ones too (fbnic_pci.c fbnic_rd32 / fbnic_fw_present). */
static uint32_t master_read(struct fbnic *dev, uint32_t idx)
{
	uint32_t v = dev->csr[idx];
	return idx == FBNIC_MASTER_SPARE_0 && v == UINT32_MAX ? 0 : v;
}

static const struct reg_block blk_MASTER = { "MASTER", FBNIC_CSR_START_MASTER,
					     FBNIC_CSR_END_MASTER, master_read };

const struct reg_block *const fbnic_bar0_blocks[] = {
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
	&fbnic_pul_user_block,
	&fbnic_queue_block,
};
const unsigned fbnic_bar0_nblocks =
	sizeof(fbnic_bar0_blocks) / sizeof(fbnic_bar0_blocks[0]);

const struct reg_block *const fbnic_bar4_blocks[] = {
	&blk_NS_OTP,
	&fbnic_ipc_mbx_block,
};
const unsigned fbnic_bar4_nblocks =
	sizeof(fbnic_bar4_blocks) / sizeof(fbnic_bar4_blocks[0]);
