/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Segmentation offload (LSO): cut one TCP or UDP frame over IPv4 or IPv6 of
 * up to 64 KiB into frames of at most `mss` payload bytes each, the way the
 * device will serve a TWD with REQ_LSO (fbnic_tx_lso in fbnic_txrx.c
 * writes the L3/L4 types, L4_HLEN and MSS next to L2_HLEN and L3_IHLEN).
 * The role of QEMU's net_tx_pkt.c segmentation.  Pure code like all of
 * src/pkt/ (see parse.h).
 *
 * Segment n (0-based) of count is the input's headers followed by payload
 * bytes [n * mss, min((n + 1) * mss, payload_len)), with:
 *  - IPv4: total length for the segment, identification + n (mod 2^16),
 *    header checksum recomputed (RFC 791);
 *  - IPv6: payload length for the segment (extension headers included);
 *  - TCP: sequence number + n * mss (mod 2^32); FIN and PSH kept on the
 *    last segment only, CWR on the first only (RFC 3168 6.1.2: CWR goes
 *    out once); other flags and the options copied to every segment;
 *  - TCP checksum recomputed in full over the pseudo-header (csum.h);
 *  - UDP (NETIF_F_GSO_UDP_L4, fbnic_tx_lso's L4_TYPE UDP): each segment is
 *    a datagram of its own, its UDP length and checksum set (a zero
 *    checksum is sent as 0xffff, RFC 768).  The
 *    input's checksum field is ignored: fbnic_tx_lso leaves the
 *    pseudo-header sum without the length there, a frame's own checksum
 *    would do as well, and neither is trusted.
 * Ethernet padding after the input's IP packet is not copied, and short
 * segments are not padded (that is the MAC's business).  A payload that
 * fits one segment gives one segment: the input with its lengths and
 * checksums fixed up.  A frame without payload gives one segment too.
 *
 * Refused (negative errno): -EINVAL NULL pointers, MSS 0, pi not a fitting
 * successful parse of the frame; -EPROTO not TCP or UDP over IPv4/IPv6,
 * or a fragment; -E2BIG headers longer than a TWD can describe (L2 over
 * PKT_TSO_L2_MAX, L3 over PKT_TSO_L3_MAX: fbnic_features_check keeps the
 * driver within L2_HLEN's and L3_IHLEN's 2-byte units); -ERANGE n not
 * below the count; -ENOSPC the segment does not fit cap.
 */
#ifndef FBNIC_EMU_PKT_TSO_H
#define FBNIC_EMU_PKT_TSO_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define PKT_TSO_L2_MAX 126u	/* TWD L2_HLEN: 6 bits of 2-byte units */
#define PKT_TSO_L3_MAX 510u	/* TWD L3_IHLEN: 8 bits of 2-byte units */
/* Headers of a segment at most: L2 + L3 + the longest TCP header. */
#define PKT_TSO_HDR_MAX (PKT_TSO_L2_MAX + PKT_TSO_L3_MAX + PKT_TCP_HLEN_MAX)

/* How many segments pkt_tso_segment() makes of pi's frame: at least 1,
 * or a negative errno. */
int pkt_tso_count(const struct pkt_info *pi, unsigned int mss);

/* Write segment n of frame (len bytes, parsed into pi) into out (cap
 * bytes).  Returns its length, or a negative errno. */
int pkt_tso_segment(const uint8_t *frame, size_t len,
		    const struct pkt_info *pi, unsigned int mss,
		    unsigned int n, uint8_t *out, size_t cap);

#endif
