/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network backends: the other end of the device's port (dev/port.h), the
 * wire.  One backend object per fbnic-emu process, chosen by a URI:
 *
 *	tap:IFNAME                             a Linux tap interface
 *	stream:unix:PATH,listen|connect        QEMU's -netdev stream framing
 *	stream:tcp:HOST:PORT,listen|connect    over a UNIX or TCP socket
 *
 * (HOST: a name, an IPv4 address, or an IPv6 address in brackets; the
 * option is split at the last comma, so a PATH may hold commas.)
 *
 * The object is thread safe (one internal lock) and never waits for the
 * network: the device thread sends (net_send, under the device lock)
 * while the net thread (net/pump.h) services the backend and receives.
 * With a pcap file, each frame is also one write(2) to that file, under
 * the object's lock (a local file: no waiting on a peer).  src/net knows
 * nothing of the device: it depends on src/util and libc only.
 *
 * Every frame refused, dropped or lost is counted with its reason
 * (NET_COUNTERS); an error logs one rate-limited line.
 */
#ifndef FBNIC_EMU_NET_NET_H
#define FBNIC_EMU_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/counters.h"

/* The largest frame a backend carries: what a 16-bit IP length allows
 * and a tap's largest MTU; a stream length prefix above it is refused.
 * Frames are Ethernet frames without FCS, 1 byte at least. */
#define NET_FRAME_MAX 65535u

/* The options' help text (fbnic-emu --help, error messages). */
#define NET_URI_FORMS                                                    \
	"tap:IFNAME, stream:unix:PATH,listen|connect or "               \
	"stream:tcp:HOST:PORT,listen|connect"

enum net_kind { NET_TAP = 1, NET_STREAM_UNIX, NET_STREAM_TCP };

struct net_uri {
	enum net_kind kind;
	bool listen;   /* stream: listen for the peer (else connect to it) */
	char addr[108]; /* tap: IFNAME; unix: PATH; tcp: HOST (no brackets) */
	uint16_t port; /* tcp */
};

/* Parse a backend URI (above).  0, or -EINVAL with *why a static text
 * saying what is wrong.  Nothing is opened or resolved. */
int net_uri_parse(const char *s, struct net_uri *u, const char **why);

#define NET_COUNTERS(X)                                                    \
	X(rx_frames, "frames received from the backend")                   \
	X(rx_bytes, "bytes of those frames")                               \
	X(rx_drop_size, "received frames longer than NET_FRAME_MAX (tap)") \
	X(rx_bad_length, "stream length prefixes of 0 or > 65535: the "    \
			 "connection was dropped")                         \
	X(rx_drop_disconnect, "received frames (whole or partial) still "  \
			      "buffered when the peer went")               \
	X(rx_errors, "reads that failed (the stream is dropped)")          \
	X(rx_pauses, "times reading stopped: the device had no room")      \
	X(tx_frames, "frames sent, or queued to be")                       \
	X(tx_bytes, "bytes of those frames")                               \
	X(tx_queued, "frames that waited in the stream queue")             \
	X(tx_full, "sends answered 'no room now': nothing taken")          \
	X(tx_rooms, "times room came back after that answer")              \
	X(tx_drop_size, "frames to send of 0 or > 65535 bytes")            \
	X(tx_drop_no_peer, "frames to send with no stream peer")           \
	X(tx_drop_down, "frames the tap refused: interface down (EIO)")    \
	X(tx_drop_error, "frames whose write failed otherwise")            \
	X(tx_drop_disconnect, "queued frames lost when the peer went")     \
	X(connects, "stream peers connected")                              \
	X(disconnects, "stream peers gone (or dropped)")                   \
	X(connect_failures, "connection attempts that failed (retried)")   \
	X(pcap_errors, "frames the pcap file could not record")             \
	X(tx_gso, "of the frames sent, TCP packets the receiver segments " \
		  "(net_send_gso)")                                        \
	X(rx_drop_offload, "received frames (whole or cut) whose offload " \
			   "header could not be honoured (tap)")           \
	X(rx_gso, "packets a tap handed over whole (GSO), cut here into "  \
		  "wire frames")                                           \
	X(rx_gso_frames, "of rx_frames, the wire frames cut from them")    \
	X(rx_csum, "frames a tap handed over with the checksum left "      \
		   "undone (NEEDS_CSUM), completed here")                  \
	X(rx_wire_time, "frames that carried the time they left the "      \
			"peer's MAC (net_wire_time)")                      \
	X(rx_no_wire_time, "frames without it while wire time is on: a "  \
			   "peer without --clock virtual (or a frame too " \
			   "big to carry it)")

struct net_stats {
	NET_COUNTERS(COUNTER_FIELD)
};

struct net;

/* Open the backend (create or attach the tap, listen, or start
 * connecting: a connect backend retries with a backoff until its peer
 * appears).  pcap_path: also record every frame both ways (net/pcap.h);
 * NULL: none.  NULL on error, after one log line saying why. */
struct net *net_open(const struct net_uri *u, const char *pcap_path);
void net_close(struct net *n);

/* The fd to poll for POLLIN: readable when net_service() or net_recv()
 * has something to do.  Fixed for the object's life. */
int net_fd(struct net *n);
/* Housekeeping after net_fd() was readable: accept a peer, finish or
 * retry a connection, flush the send queue, notice a peer gone. */
void net_service(struct net *n);
/* One received frame into buf (cap >= NET_FRAME_MAX): its length; or
 * -EAGAIN, none now (poll net_fd); or another -errno, something was
 * dropped (counted): call again. */
int net_recv(struct net *n, void *buf, size_t cap);
/* One frame out, never blocking: 0 sent or queued; -EAGAIN no room now
 * (the stream's send queue is full, the tap's kernel queue refused it):
 * nothing taken, the caller keeps the frame and sends it again once
 * net_tx_room() says so; another -errno dropped (counted by reason: no
 * peer, too big, an error). */
int net_send(struct net *n, const void *frame, size_t len);
/* TCP segmentation offload to the backend: one TCP packet of up to
 * NET_FRAME_MAX bytes, cut into segments of mss payload bytes by the
 * receiver, as a virtio-net header says it (the tap's IFF_VNET_HDR:
 * gso_type TCPV4 or TCPV6, gso_size, hdr_len, and NEEDS_CSUM with
 * csum_start and csum_offset: the frame's TCP checksum field holds the
 * pseudo-header's sum, length included, not complemented).  The headers
 * are those of the whole packet (IPv4 total length, IPv6 payload
 * length). */
struct net_gso {
	bool v6;
	uint16_t mss;
	uint16_t hdr_len;     /* Ethernet to the end of the TCP header */
	uint16_t csum_start;  /* the TCP header */
	uint16_t csum_offset; /* of its checksum field from csum_start */
};
/* The backend takes net_send_gso: a tap, and no pcap (which records the
 * frames as on a wire). */
bool net_can_gso(struct net *n);
/* net_send for a packet the receiver segments (above); -EOPNOTSUPP
 * (nothing taken, nothing counted) when !net_can_gso. */
int net_send_gso(struct net *n, const void *frame, size_t len,
		 const struct net_gso *g);
/* After a net_send answered -EAGAIN: true, once, when net_service() found
 * the backend able to take frames again (net_fd() turns readable for it);
 * false if a net_send was taken meanwhile (its caller knows).  Takes and
 * releases the object's lock: the caller may call into the device after
 * it (never with this object's lock held: the device lock comes first). */
bool net_tx_room(struct net *n);
/* Stop (or restart) watching for received frames: back-pressure.  Peers
 * still come and go and queued frames still go out meanwhile. */
void net_rx_pause(struct net *n, bool paused);
/* The backend's link: a tap is up while open, a stream while a peer is
 * connected. */
bool net_link(struct net *n);

/* Wire time (fbnic-emu --clock virtual): between two fbnic-emu on one
 * host, each frame on the stream carries the CLOCK_MONOTONIC time it
 * left the sender's MAC, so that the receiver can timestamp it at that
 * time plus the cable's delay, NET_WIRE_DELAY_NS, rather than when its
 * net thread happened to read it.  On the stream the frame is followed
 * by a 16-byte trailer inside the length QEMU's framing gives it: the
 * time, 8 bytes big-endian, then the 8 bytes of NET_WIRE_MAGIC.  Both
 * ends must have it on: a QEMU peer would take the trailer as part of the
 * frame, and frames from a peer without it are counted (rx_no_wire_time)
 * and passed on without a time.  0, or -EOPNOTSUPP for a tap (the host's
 * frames have no such time). */
#define NET_WIRE_DELAY_NS 100u /* about 20 m of cable */
#define NET_WIRE_MAGIC "fbnic-wt"
#define NET_WIRE_TRAILER 16u
int net_wire_time(struct net *n, bool on);
/* net_send for a frame that left the MAC at CLOCK_MONOTONIC time at
 * (util/clock.h); the time goes with it if wire time is on. */
int net_send_at(struct net *n, const void *frame, size_t len, uint64_t at);
/* net_recv, and *at the time the frame left the peer's MAC (the peer's
 * net_send_at), or 0 if it carried none (a time of 0 is none). */
int net_recv_at(struct net *n, void *buf, size_t cap, uint64_t *at);

/* Counters and state as "net.NAME value" lines. */
void net_dump(struct net *n, FILE *out);

#endif
