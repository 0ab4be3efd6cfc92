/* SPDX-License-Identifier: Apache-2.0 */
#include "regs.h"

#include "dev.h"
#include "util/log.h"

FBNIC_NO_COVERAGE
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
			unsigned n, int bar, uint32_t idx, uint32_t val)
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
	else if (bar == 4)
		fbnic_fw_csr_set(dev, idx, val);
	else
		fbnic_csr_set(dev, idx, val);
}

uint32_t fbnic_csr_read(struct fbnic *dev, uint32_t idx)
{
	return block_read(dev, fbnic_bar0_blocks, fbnic_bar0_nblocks, dev->csr,
			  idx);
}

void fbnic_csr_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	block_write(dev, fbnic_bar0_blocks, fbnic_bar0_nblocks, 0, idx, val);
}

uint32_t fbnic_fw_csr_read(struct fbnic *dev, uint32_t idx)
{
	return block_read(dev, fbnic_bar4_blocks, fbnic_bar4_nblocks,
			  dev->fw_csr, idx);
}

void fbnic_fw_csr_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	block_write(dev, fbnic_bar4_blocks, fbnic_bar4_nblocks, 4, idx, val);
}

uint32_t fbnic_reg_peek(struct fbnic *dev, int bar, uint32_t idx,
			const struct reg_block **blk)
{
	const struct reg_block *const *tbl = bar == 4 ? fbnic_bar4_blocks
						       : fbnic_bar0_blocks;
	unsigned n = bar == 4 ? fbnic_bar4_nblocks : fbnic_bar0_nblocks;
	const uint32_t *store = bar == 4 ? dev->fw_csr : dev->csr;
	const struct reg_block *b = reg_block_find(tbl, n, idx);
	*blk = b;
	if (!b)
		return 0;
	if (b->peek)
		return b->peek(dev, idx);
	return b->read ? b->read(dev, idx) : store[idx];
}
