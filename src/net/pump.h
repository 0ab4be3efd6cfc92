/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The net thread: moves received frames from a backend (net.h) to their
 * consumer, with back-pressure, and reports the backend's link.  It knows
 * the consumer only through callbacks (the runner's take the device lock
 * around fbnic_port_rx and fbnic_port_link), so src/net stays free of the
 * device.
 *
 * Back-pressure, the contract of dev/port.h: a frame the consumer answers
 * -EAGAIN is kept and the backend is no longer read (net_rx_pause) until
 * net_pump_resume(); then the kept frame is offered again, and reading
 * goes on once it is taken (or dropped).  Nothing is lost on the way.
 *
 * Back-pressure the other way: once a net_send was answered -EAGAIN and
 * the backend can take frames again (net_tx_room), the thread calls
 * tx_room(), with no lock of the backend held (the runner's takes the
 * device lock around fbnic_port_tx_room: device lock, then net lock,
 * never the reverse).
 *
 * Meanwhile the thread keeps servicing the backend (peers come and go,
 * queued frames go out), and calls link() whenever net_link() changes;
 * the link starts "up" as far as the pump is concerned, so a backend
 * without a peer at start is reported down at once.
 */
#ifndef FBNIC_EMU_NET_PUMP_H
#define FBNIC_EMU_NET_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/counters.h"

struct net;

struct net_pump_ops {
	void *opaque;
	/* One received frame, read from the backend at CLOCK_MONOTONIC
	 * time at (ns; a kept frame keeps it), or, for a frame that carried
	 * the time it left the peer's MAC (net.h net_wire_time), that time
	 * plus NET_WIRE_DELAY_NS if earlier: 0 taken; -EAGAIN no room now
	 * (kept, offered again after net_pump_resume); another -errno
	 * dropped (the consumer counts it). */
	int (*deliver)(void *opaque, const void *frame, size_t len,
		       uint64_t at);
	void (*link)(void *opaque, bool up);
	/* The backend has room again after a net_send answered -EAGAIN.
	 * NULL: nobody sends through a pump's backend. */
	void (*tx_room)(void *opaque);
};

#define NET_PUMP_COUNTERS(X)                                                  \
	X(rx_offers, "frames offered to the device (a held one again too)")  \
	X(rx_held, "offers answered 'no room now': kept, reading paused")  \
	X(rx_refused, "frames the device dropped (it counts why)")         \
	X(rx_resumes, "times the device said there is room again")         \
	X(tx_wakes, "times the device was told the backend has room")      \
	X(link_changes, "backend link changes passed to the device")

struct net_pump;

/* The pump of n (which it does not own); ops are copied.  NULL on error
 * (logged). */
struct net_pump *net_pump_create(struct net *n, const struct net_pump_ops *ops);
/* Start and stop the thread; 0 or -errno.  Stop joins it. */
int net_pump_start(struct net_pump *p);
void net_pump_stop(struct net_pump *p);
void net_pump_destroy(struct net_pump *p);
/* The consumer has room again (host->port_resume).  Any thread, any
 * lock held: it only sets a flag and wakes the pump. */
void net_pump_resume(struct net_pump *p);
/* "net.holding 0|1", "net.resume_pending 0|1" and the counters as
 * "net.NAME value" lines. */
void net_pump_dump(struct net_pump *p, FILE *out);

#endif
