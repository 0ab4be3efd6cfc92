/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network edge: the MAC's port to the outside (a backend in src/net/,
 * or the test harness).  Defined before any descriptor logic, so that the
 * data path only ever talks to these entry points:
 *
 *  - frames out: fbnic_port_tx() -> the MAC (gates, statistics) ->
 *    host->port_send(), which answers 0 (taken), -EAGAIN (no room now,
 *    nothing taken: the data path keeps the packet at its ring's head and
 *    stops that ring, back-pressure instead of a drop), or another -errno
 *    (dropped, counted);
 *  - room out again: after a -EAGAIN, the adapter calls
 *    fbnic_port_tx_room() once the backend can take frames (a frame
 *    port_send takes meanwhile counts as room too); every ring with TX
 *    work is kicked and a held packet goes on where it stopped;
 *  - frames in: the backend calls fbnic_port_rx(); the device answers 0
 *    (taken), -EAGAIN (no room now: the backend keeps the frame and stops
 *    reading, back-pressure instead of a drop), or another -errno (the
 *    frame is dropped, counted by reason);
 *  - room again: after an -EAGAIN, host->port_resume() is called once the
 *    guest posts buffers (fbnic_port_room), and the backend offers again;
 *  - link state from the backend: fbnic_port_link() (a tap's carrier, a
 *    stream peer connected or gone) pulls or plugs the cable.
 */
#ifndef FBNIC_EMU_DEV_PORT_H
#define FBNIC_EMU_DEV_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/counters.h"

/* Ethernet frame sizes the port accepts, FCS excluded: 14-byte header, up
 * to the driver's largest MTU (FBNIC_MAX_JUMBO_FRAME_SIZE 9742 with FCS
 * and VLAN tags, fbnic_netdev.h). */
#define FBNIC_PORT_MIN_FRAME 14u
#define FBNIC_PORT_MAX_FRAME 9738u

#define FBNIC_PORT_COUNTERS(X)                                             \
	X(tx_frames, "frames handed to the backend")                       \
	X(tx_gso, "of them, TCP packets handed whole (each counted above " \
		  "as the segments it makes)")                             \
	X(tx_drop_mac, "TX frames dropped: MAC TX off or link down")       \
	X(tx_drop_backend, "TX frames the backend dropped (or none)")      \
	X(tx_held, "TX frames answered 'no room now' (back-pressure)")     \
	X(tx_rooms, "times the backend said it has room again")            \
	X(rx_frames, "frames taken from the backend")                      \
	X(rx_held, "offers answered 'no room now' (back-pressure)")        \
	X(rx_drop_mac, "RX frames dropped: MAC RX off or link down")       \
	X(rx_drop_size, "RX frames dropped: runt or longer than the MTU")  \
	X(rx_drop_fcs, "RX frames dropped: bad FCS (injected, rx fcs)")   \
	X(rx_mac_control, "MAC Control frames received and consumed")    \
	X(resumes, "times the backend was told there is room again")

struct fbnic_port {
	bool held; /* an offer was refused for room: resume owed */
	bool tx_blocked; /* a send was refused for room: tx_room owed */
	/* cfg.wire_time: when the last frame was offered to the backend
	 * (its TX timestamp); the data path clears it per packet. */
	uint64_t tx_at;
	struct fbnic_port_stats {
		FBNIC_PORT_COUNTERS(COUNTER_FIELD)
	} stats;
};

struct fbnic;
struct fbnic_gso;

/* A frame the data path transmits (len without FCS).  0 sent; -EAGAIN
 * the backend has no room now (not sent, not counted by the MAC: send it
 * again after fbnic_port_tx_room); another -errno dropped (counted). */
int fbnic_port_tx(struct fbnic *dev, const void *frame, size_t len);
/* fbnic_port_tx for a TCP packet the backend segments (host
 * port_send_gso): the MAC counts the nseg segments it makes.
 * -EOPNOTSUPP: the backend cannot, nothing done (segment it and use
 * fbnic_port_tx). */
int fbnic_port_tx_gso(struct fbnic *dev, const void *frame, size_t len,
		      const struct fbnic_gso *g, unsigned nseg);
/* The guest posted receive buffers: if the backend was held, resume it. */
void fbnic_port_room(struct fbnic *dev);
void fbnic_port_dump(struct fbnic *dev, FILE *out);

#endif
