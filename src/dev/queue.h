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

#include <stdbool.h>
#include <stdint.h>

#include "regs.h"
#include "timer.h"
#include "util/counters.h"

/* The rings of a queue, as the pointer state is indexed. */
enum fbnic_ring_idx {
	FBNIC_RING_TWQ0,
	FBNIC_RING_TWQ1,
	FBNIC_RING_TCQ,
	FBNIC_RING_RCQ,
	FBNIC_RING_HPQ,
	FBNIC_RING_PPQ,
	FBNIC_RINGS_PER_QUEUE
};

/* Descriptors a host-produced ring's fetch reads ahead at most. */
#define FBNIC_RING_PREFETCH 16

/* One hardware ring: the pointers the PTRS registers show and the
 * configuration latched when the ring was enabled (fbnic_txrx.c programs
 * BAL, BAH and SIZE while the ring is in reset, then writes ENABLE: the
 * data path must not see a half-written base).  Host-produced rings (TWQ,
 * BDQ): head is the device's consumer index, tail the host's last
 * doorbell.  Device-produced rings (TCQ, RCQ): tail is the device's
 * producer index, head the host's consumer index (its HEAD doorbell).
 * Indices are in entries (BDQ: 4 KiB buffer descriptors), below size. */
struct fbnic_ring {
	uint16_t head, tail;
	bool enabled;   /* latched ENABLE: the data path may use the ring */
	bool err;       /* a guest error stopped the ring until its RESET */
	bool phase;     /* device-produced: the DONE value of this lap */
	/* TWQ: frames of the packet at head already handed to the port (an
	 * LSO packet's segments) when the port had no room for the next;
	 * the packet goes on from there.  0 again with the head's advance
	 * and at RESET. */
	uint32_t tx_sent;
	/* TWQ, TCQ: ENABLE cleared while a TWQ still held doorbelled packets.
	 * The device finishes them first (the data path stops the ring once
	 * they are sent and completed), as hardware that had fetched them
	 * before the write would; the QM idle bits read busy meanwhile. */
	bool stopping;
	uint64_t base;  /* guest-physical, latched at enable */
	uint32_t size;  /* entries, latched at enable (power of two) */
	/* Host-produced rings: descriptors the data path fetched ahead in
	 * one DMA (dp/ring.c), as hardware does: the pf_n entries from head
	 * on, at pf[pf_first...], while the queue's gen is pf_gen.  The
	 * head's advance drops them one by one; RESET drops them all. */
	uint64_t pf[FBNIC_RING_PREFETCH];
	uint32_t pf_gen;
	uint8_t pf_first, pf_n;
};

struct fbnic_queue {
	struct fbnic_ring ring[FBNIC_RINGS_PER_QUEUE];
	/* Bumped by every CTL write: a data-path step that dropped the
	 * device lock (DMA) re-checks it before it trusts the ring again. */
	uint32_t gen;
	/* Host time its RX side (RCQ and HPQ enabled) last went off by a CTL
	 * write; 0 while on, and when never on since the function reset. */
	uint64_t rx_off_ns;
};

/* How long frames for a queue whose RX side just went off wait for it to
 * come back (the queue API restarts a queue in a few milliseconds:
 * fbnic_queue_stop, fbnic_queue_start) before they are dropped. */
#define FBNIC_RX_RESTART_HOLD_NS 200000000ull

#define FBNIC_QUEUE_COUNTERS(X)                                            \
	X(ring_resets, "CTL.RESET writes")                                 \
	X(enables, "rings enabled (configuration latched)")                \
	X(bad_enable, "ENABLE with a base of 0: the ring stays off")       \
	X(bad_doorbell, "doorbells (tail/head) at or beyond the ring size") \
	X(doorbell_ring_off, "doorbells of a ring that is off (ignored)")  \
	X(ring_errors, "rings stopped by a guest error")                   \
	X(stops_after_work, "TX rings disabled with work in them, stopped " \
			    "once it was done")                             \
	X(stop_dropped_work, "of them stopped with packets left, lost "  \
			     "(no room in the TCQ)")

struct fbnic_queues {
	struct fbnic_queue q[FBNIC_MAX_QUEUES];
	/* Queues whose TX rings have work (a TWQ doorbell, room in the TCQ):
	 * the data path serves them in fbnic_work. */
	uint32_t tx_pending[FBNIC_MAX_QUEUES / 32];
	/* Queues with a TWQ enabled since the function reset: the ones
	 * fbnic_queue_tx_kick_busy looks at, rather than all 128. */
	uint32_t tx_used[FBNIC_MAX_QUEUES / 32];
	/* RX resources were posted since fbnic_work last looked. */
	bool rx_room;
	/* Ends the wait of frames held for a restarting queue
	 * (fbnic_queue_rx_restarting). */
	struct fbnic_timer rx_hold;
	struct fbnic_queue_stats {
		FBNIC_QUEUE_COUNTERS(COUNTER_FIELD)
	} stats;
};

struct fbnic;

/* Add to a per-queue statistics counter (FBNIC_QUEUE_TWQ*_CNT,
 * FBNIC_QUEUE_RDE_*_CNT); other offsets and q >= 128 are ignored. */
void fbnic_queue_count(struct fbnic *dev, unsigned q, uint32_t reg,
		       uint32_t delta);

/* Put a ring in its error state: the data path stops using it until the
 * driver resets it.  Counted and logged once per call site's rate. */
void fbnic_queue_ring_error(struct fbnic *dev, unsigned q,
			    enum fbnic_ring_idx ring, const char *why);
/* Entries a host-produced ring holds for the device (tail - head), and
 * room a device-produced ring has (size - 1 - outstanding: one slot stays
 * empty so that full and empty differ). */
unsigned fbnic_ring_avail(const struct fbnic_ring *r);
unsigned fbnic_ring_room(const struct fbnic_ring *r);
/* Guest-physical address of entry i (8-byte descriptors). */
uint64_t fbnic_ring_entry(const struct fbnic_ring *r, unsigned i);
/* Advance a ring index by one; a device-produced ring flips its phase
 * when the tail wraps. */
void fbnic_ring_advance_head(struct fbnic_ring *r);
void fbnic_ring_advance_tail(struct fbnic_ring *r);
/* Queue q's RX side is off, but went off by a CTL write less than
 * FBNIC_RX_RESTART_HOLD_NS ago (a restart, likely): a frame for it should
 * wait rather than be dropped.  Arms a timer that offers the held frame
 * again when the wait is over. */
bool fbnic_queue_rx_restarting(struct fbnic *dev, unsigned q);
/* Queue q's TX side still finishing work the driver disabled it with
 * (a ring stopping): its QM_TWQ/TQS/TDE/TCQ_IDLE bits read 0. */
bool fbnic_queue_tx_busy(const struct fbnic *dev, unsigned q);
/* Stop queue q's TX rings whose stop waited for work (ring.stopping)
 * once that work is done, or can no longer be done (the TCQ has no room
 * the driver will free: its interrupts are masked and NAPI off).  The
 * data path calls it after serving q. */
void fbnic_queue_tx_settle(struct fbnic *dev, unsigned q);
/* Mark queue q's TX side as having work and ask for fbnic_work. */
void fbnic_queue_tx_kick(struct fbnic *dev, unsigned q);
/* Kick every queue whose TWQ0 or TWQ1 holds descriptors the device has
 * not consumed (the port has room again, fbnic_port_tx_room). */
void fbnic_queue_tx_kick_busy(struct fbnic *dev);

extern const struct reg_block fbnic_queue_block;

#endif
