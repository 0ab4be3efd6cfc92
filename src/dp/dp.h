/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data path: what moves frames between the guest's rings and the port.
 *
 *   TX (tx.c): doorbell -> fetch -> gather -> offload -> MAC/port ->
 *              completion -> interrupt
 *   RX (rx.c): port -> parse -> classify (rpc.c) -> resources -> place ->
 *              completion -> interrupt
 *
 * The queue block (dev/queue.c) owns the ring registers and latches each
 * ring's base and size at its ENABLE write; it marks a queue's TX side
 * pending on a TWQ tail or TCQ head doorbell and asks for fbnic_work, which
 * calls fbnic_dp_tx_work.  Frames from the backend reach fbnic_dp_rx
 * through the port (dev/port.c).  Both run under the adapter's device lock;
 * a DMA may drop it (dev/bus.h), so after each DMA the data path checks
 * that the queue was not reconfigured (struct fbnic_queue.gen) before it
 * touches the ring again.
 *
 * Everything the guest supplies (descriptors, addresses, lengths, buffer
 * ids, doorbells) is checked: a bad one stops that ring (its error state,
 * until the driver resets it), is counted below and logged, rate-limited.
 */
#ifndef FBNIC_EMU_DP_DP_H
#define FBNIC_EMU_DP_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpc.h"
#include "util/counters.h"

#define FBNIC_DP_COUNTERS(X)                                               \
	X(tx_frames, "frames handed to the MAC (LSO: each segment)")       \
	X(tx_packets, "TWQ packets completed")                             \
	X(tx_lso, "packets segmented (LSO)")                               \
	X(tx_lso_tunnel, "of them with tunnel headers (L3_TYPE OTHER, V6V6)") \
	X(tx_cso, "packets checksummed (CSO)")                             \
	X(tx_ts, "TX timestamps reported")                                 \
	X(rx_ts, "RX timestamps reported (an OPT_META RCD)")              \
	X(tx_wait_tcq, "TX stopped for room in the TCQ")                   \
	X(tx_wait_port, "TX stopped for room in the backend")              \
	X(tx_bad_desc, "TWQ packets with a bad descriptor sequence")       \
	X(tx_too_long, "TWQ packets longer than the device takes")         \
	X(tx_bad_offload, "packets whose CSO/LSO request did not fit them") \
	X(tx_not_wire, "packets for a destination other than the MAC")     \
	X(tx_dma_errors, "TX DMA failures (ring stopped)")                 \
	X(rx_frames, "frames delivered to an RX queue")                    \
	X(rx_held, "frames held for buffers or completion room")           \
	X(rx_held_restart, "frames held for a queue restarting")           \
	X(rx_drop_rpc, "frames the classifier did not send to the host")   \
	X(rx_drop_queue_off, "frames for a queue whose rings are off")     \
	X(rx_drop_layout, "frames that cannot be placed (RDE config)")     \
	X(rx_drop_fault, "frames lost to a DMA fault or a queue reset")    \
	X(rx_dma_errors, "RX DMA failures (the ring stopped)")

/* Every frame the port hands in ends in exactly one of rx_frames,
 * rx_drop_rpc, rx_drop_queue_off, rx_drop_layout, rx_drop_fault (or is
 * held and offered again). */
struct fbnic_dp {
	struct fbnic_dp_stats {
		FBNIC_DP_COUNTERS(COUNTER_FIELD)
	} stats;
	/* classifier drops by reason (enum fbnic_rpc_drop, dp/rpc.h) */
	uint64_t rx_drop_reason[16];
	/* Bumped by every write to the RPC blocks and by the reset
	 * (dev/blocks.c); the classifier's cache is rebuilt when it moved
	 * since rpc_built_gen. */
	uint32_t rpc_gen, rpc_built_gen;
	bool rpc_built;
	struct fbnic_rpc_cache rpc;
};

struct fbnic;

/* Serve every queue whose TX side is pending (fbnic_work). */
void fbnic_dp_tx_work(struct fbnic *dev);
/* One frame from the wire, that reached the port at host time at: 0
 * taken (delivered, or dropped and counted), -EAGAIN no room now (the
 * backend holds it until fbnic_port_room). */
int fbnic_dp_rx(struct fbnic *dev, const uint8_t *frame, size_t len,
		uint64_t at);
void fbnic_dp_dump(struct fbnic *dev, FILE *out);

#endif
