/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A model of the driver's mailbox side, for device tests: the register
 * sequences of fbnic_mbx_init, fbnic_mbx_init_desc_ring, fbnic_mbx_map_msg
 * and fbnic_mbx_poll, acting on the in-process harness.
 */
#ifndef FBNIC_EMU_TEST_HDRV_H
#define FBNIC_EMU_TEST_HDRV_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

struct hdrv {
	struct harness *h;
	unsigned tx_head, tx_tail;
	unsigned rx_head, rx_tail;
	uint64_t tx_page[16], rx_page[16];
	unsigned tx_errors, rx_errors;
};

/* fbnic_mbx_init: AC mode, clear cause, reset both rings. */
void hdrv_mbx_init(struct hdrv *d, struct harness *h);
/* Ring-reset pattern of one ring (0 RX, 1 TX), with the PUL flush. */
void hdrv_reset_ring(struct hdrv *d, unsigned ring);
/* fbnic_mbx_init_desc_ring for both rings: BME and 15 RX pages. */
void hdrv_enable(struct hdrv *d);
/* Post one message on the TX ring; false if the ring is full. */
bool hdrv_send(struct hdrv *d, const void *msg, uint16_t len);
/* Test-and-clear INTR_STATUS(0) bit 0 (fbnic_mbx_event). */
bool hdrv_event(struct hdrv *d);
/* Reap TX completions; then take the next RX message into buf (returns
 * its length, 0 if none, -1 on FW_ERR) and recycle its page. */
int hdrv_recv(struct hdrv *d, void *buf, unsigned cap);
/* Number of TX descriptors the FW has not completed. */
unsigned hdrv_tx_pending(struct hdrv *d);

#endif
