/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-queue register windows (FBNIC_CSR_START_QUEUE .. END_QUEUE): queue q
 * owns FBNIC_QUEUE(q) .. +0x3ff with its TX work queues (TWQ0/TWQ1), TX
 * completion queue (TCQ), RX completion queue (RCQ), buffer descriptor
 * queues (BDQ: HPQ, PPQ), RX DMA engine and interrupt managers.
 *
 * Register semantics here are the ones the ethtool register self-test
 * asserts (fbnic_csr.c pattern_test: queues 0..63, patterns ~0, 0x5a5a5a5a,
 * 0xa5a5a5a5, 0) and the ring programming in fbnic_txrx.c relies on:
 *  - *_CTL keep only their defined bits (RESET, ENABLE, BDQ PPQ_ENABLE);
 *  - *_PTRS are the hardware's ring pointers: read-only, built from the
 *    ring state below (0 while no data path runs), writes dropped;
 *  - *_SIZE keep bits 3:0 (log2 of the ring size, 0 = 64K);
 *  - *_BAL keep bits 31:7 (rings are 128-byte aligned), *_BAH all bits;
 *  - the RX/TX statistics counters are read-only (the data path counts
 *    with fbnic_queue_count);
 *  - everything else (doorbells, interrupt manager, RDE_CTL) is storage.
 * Writing RESET to a CTL register zeroes that ring's pointers.
 *
 * The data path extends this block: it reads the ring configuration from
 * dev->csr (already masked as the hardware keeps it), owns the pointers in
 * struct fbnic_queue, and hooks doorbell writes in queue.c's write handler.
 */
#ifndef FBNIC_EMU_DEV_QUEUE_H
#define FBNIC_EMU_DEV_QUEUE_H

#include <stdint.h>

#include "regs.h"

/* The rings of a queue, as the pointer state is indexed. */
enum fbnic_ring {
	FBNIC_RING_TWQ0,
	FBNIC_RING_TWQ1,
	FBNIC_RING_TCQ,
	FBNIC_RING_RCQ,
	FBNIC_RING_HPQ,
	FBNIC_RING_PPQ,
	FBNIC_RINGS_PER_QUEUE
};

/* Hardware ring pointers.  Host-produced rings (TWQ, BDQ): head is the
 * device's consumer index, tail the host's last doorbell.  Device-produced
 * rings (TCQ, RCQ): tail is the device's producer index, head the host's. */
struct fbnic_ring_ptrs {
	uint16_t head, tail;
};

struct fbnic_queue {
	struct fbnic_ring_ptrs ring[FBNIC_RINGS_PER_QUEUE];
};

struct fbnic_queues {
	struct fbnic_queue q[FBNIC_MAX_QUEUES];
	uint64_t ring_resets; /* CTL.RESET writes */
};

struct fbnic;

/* Add to a per-queue statistics counter (FBNIC_QUEUE_TWQ*_CNT,
 * FBNIC_QUEUE_RDE_*_CNT); other offsets and q >= 128 are ignored. */
void fbnic_queue_count(struct fbnic *dev, unsigned q, uint32_t reg,
		       uint32_t delta);

extern const struct reg_block fbnic_queue_block;

#endif
