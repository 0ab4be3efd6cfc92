/* SPDX-License-Identifier: Apache-2.0 */
#include "mbx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "intr.h"
#include "util/log.h"

#define SUB "mbx"

static uint64_t desc_get(struct fbnic *dev, unsigned ring, unsigned d)
{
	uint32_t i = FBNIC_IPC_MBX(ring, d);
	return dev->fw_csr[i] | (uint64_t)dev->fw_csr[i + 1] << 32;
}

static void desc_set(struct fbnic *dev, unsigned ring, unsigned d, uint64_t v)
{
	uint32_t i = FBNIC_IPC_MBX(ring, d);
	fbnic_fw_csr_set(dev, i, (uint32_t)v);
	fbnic_fw_csr_set(dev, i + 1, (uint32_t)(v >> 32));
}

static unsigned desc_state(struct fbnic *dev, unsigned ring, unsigned d)
{
	return dev->fw_csr[FBNIC_IPC_MBX(ring, d)] & 3u;
}

static bool pul_bme(struct fbnic *dev, uint32_t idx)
{
	return dev->csr[idx] & FBNIC_PUL_OB_TLP_HDR_CFG_BME;
}

/* Walk a FW pointer over "done/skip" (3) descriptors, at most once round
 * the ring.  After a host ring reset (desc0 = 0, desc1..15 = 3) this lands
 * on desc0 wherever the pointer was: the reset's design intent
 * (fbnic_fw.c: fbnic_mbx_reset_desc_ring). */
static unsigned skip_done(struct fbnic *dev, unsigned ring, unsigned p)
{
	for (unsigned n = 0; n < FBNIC_IPC_MBX_DESC_LEN; n++) {
		if (desc_state(dev, ring, p) != 3)
			break;
		p = (p + 1) % FBNIC_IPC_MBX_DESC_LEN;
	}
	return p;
}

/* A message's first dword, its TLV header (type, length), for the trace;
 * 0 for a message shorter than that. */
static uint32_t msg_head(const uint8_t *p, size_t len)
{
	return len >= 4 ? (uint32_t)p[0] | (uint32_t)p[1] << 8 |
				  (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
			: 0;
}

/* A host message's turnaround is over: the firmware looks at the ring. */
static void turnaround_expired(struct fbnic *dev, struct fbnic_timer *t)
{
	(void)t;
	dev->host.kick(dev->host.opaque);
}

int fbnic_mbx_init(struct fbnic *dev)
{
	fbnic_timer_init(&dev->mbx.turnaround, turnaround_expired);
	dev->mbx.outq = calloc(FBNIC_MBX_OUTQ_LEN, sizeof(*dev->mbx.outq));
	return dev->mbx.outq ? 0 : -ENOMEM;
}

void fbnic_mbx_fini(struct fbnic *dev)
{
	free(dev->mbx.outq);
	dev->mbx.outq = NULL;
}

static void mbx_reset(struct fbnic *dev)
{
	struct fbnic_mbx *m = &dev->mbx;
	struct fbnic_mbx_msg *q = m->outq;
	uint32_t tx_gen = m->tx_gen, rx_gen = m->rx_gen;
	struct fbnic_mbx_stats st = m->stats;
	struct fbnic_mbx_peer peer = m->peer;
	fbnic_timer_cancel(dev, &m->turnaround);
	memset(m, 0, sizeof(*m));
	m->outq = q;
	m->stats = st;
	m->peer = peer;
	m->tx_gen = tx_gen + 1;
	m->rx_gen = rx_gen + 1;
	fbnic_timer_init(&m->turnaround, turnaround_expired);
}

void fbnic_mbx_set_peer(struct fbnic *dev, const struct fbnic_mbx_peer *peer)
{
	dev->mbx.peer = *peer;
}

int fbnic_mbx_send(struct fbnic *dev, const void *msg, size_t len)
{
	struct fbnic_mbx *m = &dev->mbx;
	if (len == 0 || len > FBNIC_MBX_PAGE_SIZE)
		return -EMSGSIZE;
	if (m->out_count == FBNIC_MBX_OUTQ_LEN) {
		/* Only unsolicited messages (firmware log lines) can get here:
		 * TX processing keeps room for every reply it may produce. */
		m->stats.overflowed++;
		return -ENOBUFS;
	}
	struct fbnic_mbx_msg *slot =
		&m->outq[(m->out_head + m->out_count) % FBNIC_MBX_OUTQ_LEN];
	slot->len = (uint16_t)len;
	memcpy(slot->data, msg, len);
	m->out_count++;
	dev->host.kick(dev->host.opaque);
	return 0;
}

/* Host->FW: consume every ready TX descriptor in ring order. */
static bool process_tx(struct fbnic *dev)
{
	struct fbnic_mbx *m = &dev->mbx;
	uint8_t *page = m->tx_page;
	bool progress = false;
	for (;;) {
		m->fw_tx = skip_done(dev, FBNIC_IPC_MBX_TX_IDX, m->fw_tx);
		unsigned d = m->fw_tx;
		if (desc_state(dev, FBNIC_IPC_MBX_TX_IDX, d) != 1)
			break;
		/* Device reads need AR_CFG.BME (set by fbnic_mbx_init_desc_ring). */
		if (!pul_bme(dev, FBNIC_PUL_OB_TLP_HDR_AR_CFG))
			break;
		/* Replies to this message need room; let the host's TX ring
		 * back up instead of losing them. */
		if (m->out_count + 4 > FBNIC_MBX_OUTQ_LEN)
			break;
		/* The firmware has not looked at the ring since the host
		 * posted this message: come back when it does. */
		uint64_t due = m->tx_posted_ns[d] + dev->cfg.fw_turnaround_ns;
		if (dev->cfg.fw_turnaround_ns &&
		    dev->host.now_ns(dev->host.opaque) < due) {
			m->stats.turnaround_waits++;
			fbnic_timer_set(dev, &m->turnaround, due);
			break;
		}
		uint32_t gen = m->tx_gen;
		uint64_t desc = desc_get(dev, FBNIC_IPC_MBX_TX_IDX, d);
		uint64_t addr = desc & FBNIC_IPC_MBX_DESC_ADDR_MASK;
		unsigned len = (unsigned)(desc >> FBNIC_IPC_MBX_DESC_LEN_SHIFT);
		int err = 0;
		if (len == 0 || len > FBNIC_MBX_PAGE_SIZE ||
		    !(desc & FBNIC_IPC_MBX_DESC_EOM)) {
			log_guest(SUB, "TX desc %u: length %u%s refused", d, len,
				  desc & FBNIC_IPC_MBX_DESC_EOM ? "" : " without EOM");
			err = -EINVAL;
		} else {
			err = fbnic_dma_read(dev, addr, page, len);
			if (m->tx_gen != gen) {
				/* Flushed or reset while we read: the message
				 * belongs to a ring that no longer exists. */
				m->stats.dma_races++;
				continue;
			}
			if (err)
				log_guest(SUB, "TX desc %u: DMA read of %u bytes at "
					  "0x%llx failed: %d", d, len,
					  (unsigned long long)addr, err);
			else if (m->peer.receive)
				err = m->peer.receive(m->peer.opaque, page, len);
		}
		/* The host may have rewritten the descriptor while we were in
		 * DMA (the device lock can drop there): only complete what we
		 * consumed. */
		if (desc_get(dev, FBNIC_IPC_MBX_TX_IDX, d) == desc) {
			desc |= FBNIC_IPC_MBX_DESC_FW_CMPL;
			if (err)
				desc |= FBNIC_IPC_MBX_DESC_FW_ERR;
			desc_set(dev, FBNIC_IPC_MBX_TX_IDX, d, desc);
		}
		if (err)
			m->stats.tx_errors++;
		else
			m->stats.tx_msgs++;
		fbnic_trace(dev, FBNIC_TR_MBX_TX, d, len, msg_head(page, len));
		m->fw_tx = (d + 1) % FBNIC_IPC_MBX_DESC_LEN;
		progress = true;
	}
	return progress;
}

/* FW->host: deliver queued messages into ready RX pages. */
static bool process_rx(struct fbnic *dev)
{
	struct fbnic_mbx *m = &dev->mbx;
	bool progress = false;
	while (m->out_count) {
		/* Device writes need AW_CFG.BME. */
		if (!pul_bme(dev, FBNIC_PUL_OB_TLP_HDR_AW_CFG))
			break;
		m->fw_rx = skip_done(dev, FBNIC_IPC_MBX_RX_IDX, m->fw_rx);
		unsigned d = m->fw_rx;
		if (desc_state(dev, FBNIC_IPC_MBX_RX_IDX, d) != 1)
			break; /* no page posted: the message waits */
		struct fbnic_mbx_msg *msg = &m->outq[m->out_head];
		uint32_t gen = m->rx_gen;
		uint64_t desc = desc_get(dev, FBNIC_IPC_MBX_RX_IDX, d);
		uint64_t addr = desc & FBNIC_IPC_MBX_DESC_ADDR_MASK;
		unsigned room = (unsigned)(desc >> FBNIC_IPC_MBX_DESC_LEN_SHIFT);
		int err = 0;
		if (msg->len > room) {
			log_guest(SUB, "RX desc %u: %u-byte page for a %u-byte "
				  "message", d, room, msg->len);
			err = -EMSGSIZE;
		} else {
			err = fbnic_dma_write(dev, addr, msg->data, msg->len);
		}
		if (m->rx_gen != gen) {
			/* Flushed or reset while we wrote: the queue and the
			 * pointer are the new ring's; the message is gone
			 * with the flush (counted there). */
			m->stats.dma_races++;
			continue;
		}
		if (desc_get(dev, FBNIC_IPC_MBX_RX_IDX, d) != desc)
			continue; /* the host rewrote the page meanwhile: retry */
		if (err) {
			/* FW_ERR: the host drops the page's content and
			 * recycles it (fbnic_mbx_process_rx_msgs); the message
			 * is lost, and counted. */
			m->stats.rx_errors++;
			desc |= FBNIC_IPC_MBX_DESC_FW_CMPL | FBNIC_IPC_MBX_DESC_FW_ERR;
		} else {
			m->stats.rx_msgs++;
			fbnic_trace(dev, FBNIC_TR_MBX_RX, d, msg->len,
				    msg_head(msg->data, msg->len));
			desc &= ~(0xffffull << FBNIC_IPC_MBX_DESC_LEN_SHIFT);
			desc |= (uint64_t)msg->len << FBNIC_IPC_MBX_DESC_LEN_SHIFT |
				FBNIC_IPC_MBX_DESC_EOM | FBNIC_IPC_MBX_DESC_FW_CMPL;
		}
		desc_set(dev, FBNIC_IPC_MBX_RX_IDX, d, desc);
		m->out_head = (m->out_head + 1) % FBNIC_MBX_OUTQ_LEN;
		m->out_count--;
		m->fw_rx = (d + 1) % FBNIC_IPC_MBX_DESC_LEN;
		progress = true;
	}
	return progress;
}

void fbnic_mbx_work(struct fbnic *dev)
{
	struct fbnic_mbx *m = &dev->mbx;
	bool notify = m->tx_written;
	m->tx_written = false;
	m->rx_written = false;
	/* Alternate until neither side moves: replies produced by TX go
	 * out in the same pass, and freed queue room lets TX continue. */
	for (;;) {
		bool tx = process_tx(dev);
		bool rx = process_rx(dev);
		notify |= tx || rx;
		if (!tx && !rx)
			break;
	}
	/* Every FW->host event is bit 0 of INTR_STATUS(0) (vector 0).  A TX
	 * descriptor write, including the ring-reset pattern, is answered
	 * with it too: the "sign of life" fbnic_mbx_poll_tx_ready waits for. */
	if (notify)
		fbnic_intr_raise(dev, FBNIC_FW_MSIX_ENTRY);
}

void fbnic_mbx_pul_cfg_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	struct fbnic_mbx *m = &dev->mbx;
	fbnic_csr_set(dev, idx, val);
	/* AW_CFG with FLUSH is the RX ring reset (fbnic_mbx_reset_desc_ring):
	 * messages for the previous driver instance are flushed, as the
	 * hardware drains parked writes without landing them. */
	if (idx == FBNIC_PUL_OB_TLP_HDR_AW_CFG &&
	    (val & FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH)) {
		m->stats.flushed += m->out_count;
		m->out_count = 0;
		m->fw_rx = 0;
		m->rx_gen++;
	}
	if (idx == FBNIC_PUL_OB_TLP_HDR_AR_CFG &&
	    (val & FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH)) {
		m->fw_tx = 0;
		m->tx_gen++;
	}
	if (val & FBNIC_PUL_OB_TLP_HDR_CFG_BME)
		dev->host.kick(dev->host.opaque);
}

static void ipc_mbx_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	fbnic_fw_csr_set(dev, idx, val);
	unsigned rel = idx - FBNIC_IPC_MBX(0, 0);
	bool low = (rel & 1) == 0;
	if (!low)
		return; /* upper dwords are committed by the low-dword write */
	/* Walk the FW pointer now, while the host writes the reset pattern:
	 * by the time deferred work runs the host may already have re-posted
	 * pages over the "skip" descriptors, and a pointer left behind would
	 * deliver where the host is not looking (fbnic_mbx_reset_desc_ring). */
	if (rel / 2 >= FBNIC_IPC_MBX_DESC_LEN) {
		dev->mbx.tx_posted_ns[rel / 2 - FBNIC_IPC_MBX_DESC_LEN] =
			dev->host.now_ns(dev->host.opaque);
		dev->mbx.tx_written = true;
		dev->mbx.fw_tx = skip_done(dev, FBNIC_IPC_MBX_TX_IDX, dev->mbx.fw_tx);
	} else {
		dev->mbx.rx_written = true;
		dev->mbx.fw_rx = skip_done(dev, FBNIC_IPC_MBX_RX_IDX, dev->mbx.fw_rx);
	}
	dev->host.kick(dev->host.opaque);
}

static uint32_t ipc_mbx_read(struct fbnic *dev, uint32_t idx)
{
	uint32_t v = dev->fw_csr[idx];
	/* FBNIC_FW_ZERO_REG (RX desc 0 low) doubles as the BAR4 liveness
	 * probe (fbnic_fw_rd32): it must never read all-ones. */
	return idx == FBNIC_IPC_MBX(0, 0) && v == UINT32_MAX ? 0 : v;
}

static const struct counter_desc mbx_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_mbx_stats, n, h)
	FBNIC_MBX_COUNTERS(D)
#undef D
};

static void mbx_dump(struct fbnic *dev, FILE *out)
{
	const struct fbnic_mbx *m = &dev->mbx;
	fprintf(out, "mbx.fw_tx %u\nmbx.fw_rx %u\nmbx.queued %u\n", m->fw_tx,
		m->fw_rx, m->out_count);
	fprintf(out, "mbx.turnaround_ns %llu\n",
		(unsigned long long)dev->cfg.fw_turnaround_ns);
	counters_dump(out, "mbx", &m->stats, mbx_counters,
		      COUNTER_COUNT(mbx_counters));
}

const struct reg_block fbnic_ipc_mbx_block = {
	.name = "IPC_MBX",
	.first = FBNIC_CSR_START_IPC_MBX,
	.last = FBNIC_CSR_END_IPC_MBX,
	.read = ipc_mbx_read,
	.write = ipc_mbx_write,
	.reset = mbx_reset,
	.dump = mbx_dump,
};

/* PUL_USER: the outbound TLP configs gate the mailbox's DMA; the rest of
 * the block is storage. */
static void pul_user_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	if (idx == FBNIC_PUL_OB_TLP_HDR_AW_CFG ||
	    idx == FBNIC_PUL_OB_TLP_HDR_AR_CFG)
		fbnic_mbx_pul_cfg_write(dev, idx, val);
	else
		fbnic_csr_set(dev, idx, val);
}

const struct reg_block fbnic_pul_user_block = { "PUL_USER",
						FBNIC_CSR_START_PUL_USER,
						FBNIC_CSR_END_PUL_USER, NULL,
						pul_user_write };
