/* SPDX-License-Identifier: Apache-2.0 */
#include "hdrv.h"

#include <string.h>

#include "dev/intr.h"
#include "dev/mbx.h"

static void wr_desc(struct hdrv *d, unsigned ring, unsigned i, uint64_t v)
{
	/* upper first, flush, then the committing lower dword */
	h_wr32(d->h, 4, FBNIC_IPC_MBX(ring, i) + 1, (uint32_t)(v >> 32));
	(void)h_rd32(d->h, 4, FBNIC_IPC_MBX(0, 0));
	h_wr32(d->h, 4, FBNIC_IPC_MBX(ring, i), (uint32_t)v);
}

static uint64_t rd_desc(struct hdrv *d, unsigned ring, unsigned i)
{
	uint64_t lo = h_rd32(d->h, 4, FBNIC_IPC_MBX(ring, i));
	return lo | (uint64_t)h_rd32(d->h, 4, FBNIC_IPC_MBX(ring, i) + 1) << 32;
}

void hdrv_reset_ring(struct hdrv *d, unsigned ring)
{
	if (ring == FBNIC_IPC_MBX_RX_IDX)
		h_wr32(d->h, 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG,
		       FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH | FBNIC_PUL_OB_TLP_HDR_AW_CFG_FLUSH_MODE);
	else
		h_wr32(d->h, 0, FBNIC_PUL_OB_TLP_HDR_AR_CFG, FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH);
	h_wr32(d->h, 4, FBNIC_IPC_MBX(ring, 0), 0);
	h_wr32(d->h, 4, FBNIC_IPC_MBX(ring, 0) + 1, 0);
	for (unsigned i = 15; i; i--) {
		h_wr32(d->h, 4, FBNIC_IPC_MBX(ring, i),
		       FBNIC_IPC_MBX_DESC_FW_CMPL | FBNIC_IPC_MBX_DESC_HOST_CMPL);
		h_wr32(d->h, 4, FBNIC_IPC_MBX(ring, i) + 1, 0);
	}
}

void hdrv_mbx_init(struct hdrv *d, struct harness *h)
{
	memset(d, 0, sizeof(*d));
	d->h = h;
	for (unsigned i = 0; i < 16; i++) {
		d->tx_page[i] = h_alloc(h, 4096);
		d->rx_page[i] = h_alloc(h, 4096);
	}
	h_wr32(h, 0, FBNIC_INTR_SW_AC_MODE(0), ~(1u << FBNIC_FW_MSIX_ENTRY));
	h_wr32(h, 0, FBNIC_INTR_CLEAR(0), 1u << FBNIC_FW_MSIX_ENTRY);
	hdrv_reset_ring(d, FBNIC_IPC_MBX_RX_IDX);
	hdrv_reset_ring(d, FBNIC_IPC_MBX_TX_IDX);
}

static void post_rx(struct hdrv *d)
{
	unsigned t = d->rx_tail;
	d->rx_tail = (t + 1) % 16;
	h_wr32(d->h, 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, d->rx_tail), 0);
	wr_desc(d, FBNIC_IPC_MBX_RX_IDX, t,
		(uint64_t)4096 << FBNIC_IPC_MBX_DESC_LEN_SHIFT | d->rx_page[t] | FBNIC_IPC_MBX_DESC_HOST_CMPL);
}

void hdrv_enable(struct hdrv *d)
{
	h_wr32(d->h, 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG, FBNIC_PUL_OB_TLP_HDR_CFG_BME);
	for (unsigned i = 0; i < 15; i++)
		post_rx(d);
	h_wr32(d->h, 0, FBNIC_PUL_OB_TLP_HDR_AR_CFG, FBNIC_PUL_OB_TLP_HDR_CFG_BME);
}

bool hdrv_send(struct hdrv *d, const void *msg, uint16_t len)
{
	unsigned t = d->tx_tail;
	if (d->tx_head == (t + 1) % 16)
		return false;
	memcpy(h_gpa(d->h, d->tx_page[t]), msg, len);
	d->tx_tail = (t + 1) % 16;
	h_wr32(d->h, 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, d->tx_tail), 0);
	wr_desc(d, FBNIC_IPC_MBX_TX_IDX, t,
		(uint64_t)len << FBNIC_IPC_MBX_DESC_LEN_SHIFT | d->tx_page[t] | FBNIC_IPC_MBX_DESC_EOM |
			FBNIC_IPC_MBX_DESC_HOST_CMPL);
	return true;
}

bool hdrv_event(struct hdrv *d)
{
	if (!(h_rd32(d->h, 0, FBNIC_INTR_STATUS(0)) & 1))
		return false;
	h_wr32(d->h, 0, FBNIC_INTR_CLEAR(0), 1u << FBNIC_FW_MSIX_ENTRY);
	return true;
}

int hdrv_recv(struct hdrv *d, void *buf, unsigned cap)
{
	while (d->tx_head != d->tx_tail) {
		uint64_t v = rd_desc(d, FBNIC_IPC_MBX_TX_IDX, d->tx_head);
		if (!(v & FBNIC_IPC_MBX_DESC_FW_CMPL))
			break;
		if (v & FBNIC_IPC_MBX_DESC_FW_ERR)
			d->tx_errors++;
		d->tx_head = (d->tx_head + 1) % 16;
	}
	unsigned hd = d->rx_head;
	uint64_t v = rd_desc(d, FBNIC_IPC_MBX_RX_IDX, hd);
	if (!(v & FBNIC_IPC_MBX_DESC_FW_CMPL))
		return 0;
	int len = (int)(v >> FBNIC_IPC_MBX_DESC_LEN_SHIFT);
	if (v & FBNIC_IPC_MBX_DESC_FW_ERR) {
		d->rx_errors++;
		len = -1;
	} else if ((unsigned)len <= cap) {
		memcpy(buf, h_gpa(d->h, d->rx_page[hd]), (size_t)len);
	}
	/* recycle: zero the consumed descriptor, re-post at the tail */
	h_wr32(d->h, 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, hd), 0);
	d->rx_page[d->rx_tail] = d->rx_page[hd];
	d->rx_head = (hd + 1) % 16;
	post_rx(d);
	return len;
}

unsigned hdrv_tx_pending(struct hdrv *d)
{
	return (d->tx_tail + 16 - d->tx_head) % 16;
}
