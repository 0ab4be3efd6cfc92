/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Segmentation offload (LSO): cut one TCP or UDP frame of up to 64 KiB into
 * frames of at most `mss` payload bytes each, the way the device serves a
 * TWD with REQ_LSO.  The role of QEMU's net_tx_pkt.c segmentation.  Pure
 * code like all of src/pkt/ (see parse.h).
 *
 * The device does not parse the frame: the TWD says where the headers are
 * (fbnic_tx_lso and fbnic_tx_offloads in fbnic_txrx.c write L2_HLEN,
 * L3_OHLEN, L3_IHLEN, L3_TYPE, L4_TYPE, L4_HLEN and MSS), and that is what
 * struct pkt_tso_layout carries.  Everything before the L4 header is copied
 * to every segment; which of it changes depends on the L3 type:
 *  - IPV4: total length for the segment, identification + n (mod 2^16),
 *    header checksum recomputed (RFC 791);
 *  - IPV6: payload length for the segment (extension headers included);
 *  - V6V6 (IPv6 in IPv6, fbnic_features_check_encap_gso): the payload
 *    lengths of both IPv6 headers;
 *  - OTHER (SKB_GSO_PARTIAL: GRE, IPIP, UDP tunnels): nothing; the stack
 *    wrote every header before the L4 one as it must be in each segment,
 *    all of which but the last carry exactly mss bytes
 *    (Documentation/networking/segmentation-offloads.rst, "Partial
 *    Generic Segmentation Offload").
 * Then segment n (0-based) of count is those headers followed by payload
 * bytes [n * mss, min((n + 1) * mss, payload_len)), with:
 *  - TCP: sequence number + n * mss (mod 2^32); FIN and PSH kept on the
 *    last segment only, CWR on the first only (RFC 3168 6.1.2: CWR goes
 *    out once); other flags and the options copied to every segment;
 *  - UDP (NETIF_F_GSO_UDP_L4): each segment a datagram of its own, its UDP
 *    length set;
 *  - the L4 checksum completed from the seed in the input's checksum field:
 *    fbnic_tx_lso leaves there the pseudo-header's sum without the length
 *    (csum_replace_by_diff), the only pseudo-header the device can know
 *    when it cannot find the inner IP header; the segment's L4 length is
 *    added to it and the L4 header and payload summed; a UDP checksum of
 *    0 is sent as 0xffff (RFC 768), a TCP one as 0x0000 (RFC 1624 3).
 * The payload is everything after the L4 header to the end of the frame
 * (a TWD's frame has no Ethernet padding); short segments are not padded
 * (that is the MAC's business).  A payload that fits one segment gives one
 * segment; a frame without payload gives one segment too.
 *
 * Refused (negative errno): -EINVAL NULL pointers, MSS 0, a layout that
 * does not fit the frame; -EPROTO a layout the frame's bytes contradict
 * (an IPv4 header whose version or header length disagrees, an IPv6 header
 * that is not version 6, a TCP header length under 20 or one that differs
 * from its data offset, a UDP header length other than 8); -E2BIG headers
 * longer than a TWD can describe (over PKT_TSO_HDR_MAX); -ERANGE n not
 * below the count; -ENOSPC the segment does not fit cap.
 */
#ifndef FBNIC_EMU_PKT_TSO_H
#define FBNIC_EMU_PKT_TSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_TSO_L2_MAX 126u	/* TWD L2_HLEN: 6 bits of 2-byte units */
#define PKT_TSO_L3_MAX 510u	/* TWD L3_IHLEN: 8 bits of 2-byte units */
#define PKT_TSO_L3O_MAX 510u	/* TWD L3_OHLEN: 8 bits of 2-byte units */
#define PKT_TSO_L4_MAX 60u	/* TWD L4_HLEN: 4 bits of 4-byte units */
/* Headers of a segment at most. */
#define PKT_TSO_HDR_MAX \
	(PKT_TSO_L2_MAX + PKT_TSO_L3O_MAX + PKT_TSO_L3_MAX + PKT_TSO_L4_MAX)

/* The TWD's L3_TYPE values (fbnic_csr.h FBNIC_TWD_L3_TYPE_*). */
enum pkt_tso_l3 {
	PKT_TSO_L3_OTHER = 0,
	PKT_TSO_L3_IPV4 = 1,
	PKT_TSO_L3_IPV6 = 2,
	PKT_TSO_L3_V6V6 = 3,
};

/* Where a TWD says the headers are, in bytes from the frame's start. */
struct pkt_tso_layout {
	enum pkt_tso_l3 l3;
	size_t l3_off;       /* the (outer) IP header: L2_HLEN * 2 */
	size_t inner_l3_off; /* V6V6: the inner IPv6 header, + L3_OHLEN * 2 */
	size_t l4_off;       /* TCP or UDP header: + L3_IHLEN * 2 */
	size_t l4_len;       /* L4_HLEN * 4 */
	bool udp;            /* L4_TYPE UDP, else TCP */
};

/* How many segments pkt_tso_segment() makes of a len-byte frame laid out
 * as lo says: at least 1, or a negative errno (the frame's bytes are not
 * looked at). */
int pkt_tso_count(size_t len, const struct pkt_tso_layout *lo,
		  unsigned int mss);

/* Write segment n of frame (len bytes, laid out as lo says) into out (cap
 * bytes).  Returns its length, or a negative errno. */
int pkt_tso_segment(const uint8_t *frame, size_t len,
		    const struct pkt_tso_layout *lo, unsigned int mss,
		    unsigned int n, uint8_t *out, size_t cap);

/* Make frame (len bytes, laid out as lo says, TCP over IPv4 or IPv6) one
 * packet for a receiver that segments it (a virtio-net GSO header,
 * NEEDS_CSUM): the IP length field the whole packet's (and IPv4's header
 * checksum), the TCP checksum field the pseudo-header's sum with the
 * whole TCP length, not complemented, from the seed the TWD leaves there
 * (the sum without the length, fbnic_tx_lso).  The bytes are checked as
 * for pkt_tso_segment.  0, or a negative errno with frame unchanged
 * (-EOPNOTSUPP: UDP, tunnels, or a packet over 65535 bytes). */
int pkt_tso_gso_prepare(uint8_t *frame, size_t len,
			const struct pkt_tso_layout *lo, unsigned int mss);

/* The other way: frame (len bytes) is one TCP or UDP packet its sender
 * left to be segmented, as a virtio-net GSO header hands it over (a tap
 * with TUNSETOFFLOAD TSO: gso_type TCPV4, TCPV6 or UDP_L4, NEEDS_CSUM
 * from csum_start, the L4 header).  The frame is parsed and must be one
 * unfragmented IPv4 or IPv6 (v6) packet of that protocol (udp) with no
 * bytes after it, its L4 header at csum_start; *lo then says where its
 * headers are, and its checksum field is set to the seed pkt_tso_segment
 * completes: the pseudo-header's sum without the length, computed from
 * the addresses (IPv6: the final destination), whatever the sender left
 * there (Linux leaves the sum with the whole packet's length).  0, or a
 * negative errno with frame unchanged: -EINVAL NULL pointers; -EPROTO the
 * bytes are not such a packet; -E2BIG headers longer than PKT_TSO_HDR_MAX;
 * errors of pkt_ipv6_final_dst. */
int pkt_tso_from_gso(uint8_t *frame, size_t len, bool v6, bool udp,
		     size_t csum_start, struct pkt_tso_layout *lo);

#endif
