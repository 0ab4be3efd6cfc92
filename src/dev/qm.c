/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Queue manager global registers (QM_TX, QM_RX).  Configuration is plain
 * storage (fbnic_mac_init_qm writes it once).  The *_IDLE registers report
 * one bit per queue, polled by fbnic_wait_all_queues_idle and
 * fbnic_wait_queue_idle after the driver disables rings (ifdown, the queue
 * API's stop): every queue reads idle (1), but a TX queue still finishing
 * the packets it was disabled with (queue.h fbnic_queue_tx_busy).
 */
#include <stddef.h>

#include "dev.h"
#include "regs.h"

/* The *_IDLE registers: one bit per queue, word w holding queues 32w ..
 * 32w + 31; the TX side's may read busy. */
static const struct idle_reg {
	uint32_t first, cnt;
	bool tx;
} idle_regs[] = {
	{ FBNIC_QM_TWQ_IDLE(0), FBNIC_QM_TWQ_IDLE_CNT, true },
	{ FBNIC_QM_TCQ_IDLE(0), FBNIC_QM_TCQ_IDLE_CNT, true },
	{ FBNIC_QM_TQS_IDLE(0), FBNIC_QM_TQS_IDLE_CNT, true },
	{ FBNIC_QM_TDE_IDLE(0), FBNIC_QM_TDE_IDLE_CNT, true },
	{ FBNIC_QM_RCQ_IDLE(0), FBNIC_QM_RCQ_IDLE_CNT, false },
	{ FBNIC_QM_HPQ_IDLE(0), FBNIC_QM_HPQ_IDLE_CNT, false },
	{ FBNIC_QM_PPQ_IDLE(0), FBNIC_QM_PPQ_IDLE_CNT, false },
};

static const struct idle_reg *idle_reg(uint32_t idx)
{
	for (size_t i = 0; i < sizeof(idle_regs) / sizeof(idle_regs[0]); i++)
		if (idx >= idle_regs[i].first &&
		    idx < idle_regs[i].first + idle_regs[i].cnt)
			return &idle_regs[i];
	return NULL;
}

/* Idle: every queue, but on the TX side those still finishing the work
 * they were disabled with (fbnic_queue_tx_busy). */
static uint32_t qm_read(struct fbnic *dev, uint32_t idx)
{
	const struct idle_reg *ir = idle_reg(idx);
	if (!ir)
		return dev->csr[idx];
	uint32_t v = UINT32_MAX;
	unsigned w = idx - ir->first;
	for (unsigned b = 0; ir->tx && b < 32 && 32 * w + b < FBNIC_MAX_QUEUES; b++)
		if (fbnic_queue_tx_busy(dev, 32 * w + b))
			v &= ~(1u << b);
	return v;
}

static void qm_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	if (!idle_reg(idx)) /* idle bits are status, read-only */
		fbnic_csr_set(dev, idx, val);
}

const struct reg_block fbnic_qm_tx_block = { "QM_TX", FBNIC_CSR_START_QM_TX, FBNIC_CSR_END_QM_TX,
					     qm_read, qm_write };
const struct reg_block fbnic_qm_rx_block = { "QM_RX", FBNIC_CSR_START_QM_RX, FBNIC_CSR_END_QM_RX,
					     qm_read, qm_write };
