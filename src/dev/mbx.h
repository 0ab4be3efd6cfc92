/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IPC mailbox (BAR4 FBNIC_IPC_MBX): two 16-descriptor rings between host
 * and firmware.  Ring 0 (RX) carries FW->host messages into pages the host
 * posts; ring 1 (TX) carries host->FW messages.  There is no doorbell: the
 * firmware notices descriptor writes (fbnic_fw.c: fbnic_mbx_map_msg).
 *
 * Descriptor (64-bit, low dword first): 63:48 LEN, 46 EOM, 45:3 address,
 * 2 FW_ERR, 1 FW_CMPL, 0 HOST_CMPL.  low&3: 0 stop, 1 ready (host posted),
 * 3 done/skip.
 *
 * Register writes only record state and kick; DMA happens in
 * fbnic_mbx_work() on the device thread.
 */
#ifndef FBNIC_EMU_DEV_MBX_H
#define FBNIC_EMU_DEV_MBX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"
#include "timer.h"
#include "util/counters.h"

/* The host's mailbox pages: FBNIC_RX_PAGE_SIZE = min(PAGE_SIZE, 0xffff). */
#define FBNIC_MBX_PAGE_SIZE 4096u
/* Outbound messages waiting for an RX page.  TX processing stops (the
 * host's TX ring backs up) rather than overflow this queue. */
#define FBNIC_MBX_OUTQ_LEN 64u

struct fbnic_mbx_msg {
	uint16_t len;
	uint8_t data[FBNIC_MBX_PAGE_SIZE];
};

/* The firmware side of the mailbox: receives every complete host->FW
 * message.  Returns 0, or -errno if the firmware refused it (the
 * descriptor then gets FW_ERR, as for a DMA error).  It answers with
 * fbnic_mbx_send().  Wired by fbnic.c (fbnic_mbx_set_peer). */
struct fbnic_mbx_peer {
	void *opaque;
	int (*receive)(void *opaque, const uint8_t *msg, size_t len);
};

/* Counters (dumped as mbx.NAME). */
#define FBNIC_MBX_COUNTERS(X)                                              \
	X(tx_msgs, "host messages handed to the firmware")                 \
	X(rx_msgs, "firmware messages delivered to the host")              \
	X(tx_errors, "host descriptors refused or unreadable: FW_ERR")     \
	X(rx_errors, "deliveries failed (DMA, page too small): FW_ERR")    \
	X(flushed, "outbound messages dropped by an RX ring flush")        \
	X(overflowed, "outbound messages refused: queue full")             \
	X(turnaround_waits, "TX ring walks that waited for the firmware")  \
	X(dma_races, "ring flushed or device reset during a DMA")

struct fbnic_mbx {
	struct fbnic_mbx_peer peer; /* kept across resets */
	unsigned fw_tx;  /* next TX descriptor the FW looks at */
	unsigned fw_rx;  /* next RX descriptor the FW fills */
	bool tx_written; /* a TX descriptor changed since the last work */
	bool rx_written; /* an RX descriptor changed */
	struct fbnic_mbx_msg *outq; /* ring of FBNIC_MBX_OUTQ_LEN */
	uint8_t tx_page[FBNIC_MBX_PAGE_SIZE]; /* the host message being read */
	unsigned out_head, out_count;
	/* When the host last wrote each TX descriptor's committing (low)
	 * dword: the firmware answers cfg.fw_turnaround_ns after it. */
	uint64_t tx_posted_ns[FBNIC_IPC_MBX_DESC_LEN];
	/* Bumped by every ring flush and device reset.  The device lock can
	 * drop inside a DMA (fbnic_host.dma_*), and the host may reset the
	 * rings meanwhile: a ring walk that sees its generation change after
	 * a DMA abandons what it held instead of completing it. */
	uint32_t tx_gen, rx_gen;
	/* The firmware's next look at the TX ring (turnaround). */
	struct fbnic_timer turnaround;
	/* Counters over the process's life: a device reset keeps them, so
	 * what a driver instance did can be read after it is gone. */
	struct fbnic_mbx_stats {
		FBNIC_MBX_COUNTERS(COUNTER_FIELD)
	} stats;
};

struct fbnic;

int fbnic_mbx_init(struct fbnic *dev);
void fbnic_mbx_fini(struct fbnic *dev);
void fbnic_mbx_work(struct fbnic *dev);
/* Queue a FW->host message (one TLV message, <= FBNIC_MBX_PAGE_SIZE).
 * 0, -EMSGSIZE or -ENOBUFS (queue full; counted by the caller). */
int fbnic_mbx_send(struct fbnic *dev, const void *msg, size_t len);
/* Called for every AW/AR_CFG write (PUL_USER block). */
void fbnic_mbx_pul_cfg_write(struct fbnic *dev, uint32_t idx, uint32_t val);

void fbnic_mbx_set_peer(struct fbnic *dev, const struct fbnic_mbx_peer *peer);

extern const struct reg_block fbnic_ipc_mbx_block;
extern const struct reg_block fbnic_pul_user_block;

#endif
