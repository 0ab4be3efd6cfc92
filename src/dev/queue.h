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

#define FBNIC_CSR_START_QUEUE 0x40000u
#define FBNIC_MAX_QUEUES 128u
#define FBNIC_QUEUE_STRIDE 0x400u
#define FBNIC_QUEUE(n) (0x40000u + FBNIC_QUEUE_STRIDE * (n))
#define FBNIC_CSR_END_QUEUE (FBNIC_QUEUE(FBNIC_MAX_QUEUES) - 1u)

/* Offsets inside a queue window (fbnic_csr.h FBNIC_QUEUE_*). */
#define FBNIC_QUEUE_TWQ0_CTL 0x000u
#define FBNIC_QUEUE_TWQ1_CTL 0x001u
#define FBNIC_QUEUE_TWQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_TWQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_TWQ0_TAIL 0x002u
#define FBNIC_QUEUE_TWQ1_TAIL 0x003u
#define FBNIC_QUEUE_TWQ0_PTRS 0x004u /* head 31:16, tail 15:0 */
#define FBNIC_QUEUE_TWQ1_PTRS 0x005u
#define FBNIC_QUEUE_TWQ0_SIZE 0x00au
#define FBNIC_QUEUE_TWQ1_SIZE 0x00bu
#define FBNIC_QUEUE_TWQ0_BAL 0x020u
#define FBNIC_QUEUE_TWQ0_BAH 0x021u
#define FBNIC_QUEUE_TWQ1_BAL 0x022u
#define FBNIC_QUEUE_TWQ1_BAH 0x023u
#define FBNIC_QUEUE_TWQ0_PKT_CNT 0x062u
#define FBNIC_QUEUE_TWQ0_ERR_CNT 0x063u
#define FBNIC_QUEUE_TWQ1_PKT_CNT 0x072u
#define FBNIC_QUEUE_TWQ1_ERR_CNT 0x073u
#define FBNIC_QUEUE_TCQ_CTL 0x080u
#define FBNIC_QUEUE_TCQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_TCQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_TCQ_HEAD 0x081u
#define FBNIC_QUEUE_TCQ_PTRS 0x082u /* tail 31:16, head 15:0 */
#define FBNIC_QUEUE_TCQ_SIZE 0x084u
#define FBNIC_QUEUE_TCQ_BAL 0x0a0u
#define FBNIC_QUEUE_TCQ_BAH 0x0a1u
#define FBNIC_QUEUE_TIM_CTL 0x0c0u
#define FBNIC_QUEUE_TIM_THRESHOLD 0x0c1u
#define FBNIC_QUEUE_TIM_CLEAR 0x0c2u
#define FBNIC_QUEUE_TIM_SET 0x0c3u
#define FBNIC_QUEUE_TIM_MASK 0x0c4u
#define FBNIC_QUEUE_TIM_TIMER 0x0c5u
#define FBNIC_QUEUE_TIM_COUNTS 0x0c6u
#define FBNIC_QUEUE_RCQ_CTL 0x200u
#define FBNIC_QUEUE_RCQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_RCQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_RCQ_HEAD 0x201u
#define FBNIC_QUEUE_RCQ_PTRS 0x202u /* tail 31:16, head 15:0 */
#define FBNIC_QUEUE_RCQ_SIZE 0x204u
#define FBNIC_QUEUE_RCQ_BAL 0x220u
#define FBNIC_QUEUE_RCQ_BAH 0x221u
#define FBNIC_QUEUE_BDQ_CTL 0x240u
#define FBNIC_QUEUE_BDQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_BDQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE (1u << 30)
#define FBNIC_QUEUE_BDQ_HPQ_TAIL 0x241u
#define FBNIC_QUEUE_BDQ_PPQ_TAIL 0x242u
#define FBNIC_QUEUE_BDQ_HPQ_PTRS 0x243u /* head 31:16, tail 15:0 */
#define FBNIC_QUEUE_BDQ_PPQ_PTRS 0x244u
#define FBNIC_QUEUE_BDQ_HPQ_SIZE 0x247u
#define FBNIC_QUEUE_BDQ_PPQ_SIZE 0x248u
#define FBNIC_QUEUE_BDQ_HPQ_BAL 0x260u
#define FBNIC_QUEUE_BDQ_HPQ_BAH 0x261u
#define FBNIC_QUEUE_BDQ_PPQ_BAL 0x262u
#define FBNIC_QUEUE_BDQ_PPQ_BAH 0x263u
#define FBNIC_QUEUE_RDE_CTL0 0x2a0u
#define FBNIC_QUEUE_RDE_CTL1 0x2a1u
#define FBNIC_QUEUE_RDE_PKT_CNT 0x2a2u
#define FBNIC_QUEUE_RDE_PKT_ERR_CNT 0x2a3u
#define FBNIC_QUEUE_RDE_CQ_DROP_CNT 0x2a4u
#define FBNIC_QUEUE_RDE_BDQ_DROP_CNT 0x2a5u
#define FBNIC_QUEUE_RIM_CTL 0x2c0u
#define FBNIC_QUEUE_RIM_THRESHOLD 0x2c1u
#define FBNIC_QUEUE_RIM_CLEAR 0x2c2u
#define FBNIC_QUEUE_RIM_SET 0x2c3u
#define FBNIC_QUEUE_RIM_MASK 0x2c4u
#define FBNIC_QUEUE_RIM_COAL_STATUS 0x2c5u

#define FBNIC_QUEUE_SIZE_MASK 0x0000000fu
#define FBNIC_QUEUE_BAL_MASK 0xffffff80u

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

void fbnic_queue_reset(struct fbnic *dev);
/* Add to a per-queue statistics counter (FBNIC_QUEUE_TWQ*_CNT,
 * FBNIC_QUEUE_RDE_*_CNT); other offsets and q >= 128 are ignored. */
void fbnic_queue_count(struct fbnic *dev, unsigned q, uint32_t reg,
		       uint32_t delta);

extern const struct reg_block fbnic_queue_block;

#endif
