/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Internet checksum (RFC 1071, RFC 1624 for updates): the
 * one's-complement sum of 16-bit words, and the checksums built on it, the
 * IPv4 header's (RFC 791) and TCP's and UDP's with their pseudo-headers
 * (RFC 9293 3.1, RFC 768; IPv6: RFC 8200 8.1).  The role of QEMU's
 * net/checksum.c.  Pure code like all of src/pkt/ (see parse.h).
 *
 * Conventions.  A "sum" is the one's-complement sum of the bytes taken as
 * big-endian 16-bit words, an odd last byte padded with a zero byte (RFC
 * 1071 4.1): bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2, whatever the
 * host.  A uint32_t sum is a partial sum (up to 32 bits, only its value
 * modulo 0xffff matters); pkt_csum_fold() folds it to 16 bits WITHOUT
 * complementing it (unlike Linux's csum_fold(), which returns the
 * complement); the checksum a header field holds is ~fold, which is what
 * pkt_csum_finish() returns.  A field over correct data sums to 0xffff.
 *
 * Where the device will use it:
 *  - RX: the RCD metadata carries either L4_CSUM_UNNECESSARY or, in its
 *    L2_CSUM field, the sum of the frame after the 14-byte Ethernet header,
 *    which fbnic_rx_csum (fbnic_txrx.c) stores as skb->csum for
 *    CHECKSUM_COMPLETE: pkt_csum_complete() and pkt_l4_csum_verify().
 *  - TX: fbnic_tx_offloads writes the TWD CSUM_OFFSET (csum_offset / 2)
 *    next to L2_HLEN and L3_IHLEN (checksum start = their sum), and REQ_CSO;
 *    the stack has left the pseudo-header sum in the checksum field
 *    (CHECKSUM_PARTIAL): pkt_csum_offload().
 *  - TSO (tso.h): the IPv4 header checksum and the L4 checksum of every
 *    segment, pkt_ipv4_csum_fill() and pkt_l4_csum_fill().
 */
#ifndef FBNIC_EMU_PKT_CSUM_H
#define FBNIC_EMU_PKT_CSUM_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* pkt_l4_csum_verify: a UDP/IPv4 datagram sent without a checksum. */
#define PKT_CSUM_ABSENT 1

/* Sum len bytes at buf into seed (RFC 1071).  buf may be NULL when len is
 * 0.  The bytes are a stream of their own: the first is a high byte, even
 * when buf sits at an odd offset of a frame (see pkt_csum_block_add). */
uint32_t pkt_csum_partial(const void *buf, size_t len, uint32_t seed);
/* For tests and benchmarks: 0 keeps pkt_csum_partial off vector
 * instructions, 1 (the default) lets it use SSE2 where the build has it.
 * Both give the same sums. */
void pkt_csum_set_simd(unsigned max);
/* Fold a partial sum to 16 bits with end-around carry; not complemented. */
uint16_t pkt_csum_fold(uint32_t sum);
/* The value for a checksum field: ~fold(sum). */
uint16_t pkt_csum_finish(uint32_t sum);
/* One's-complement addition and subtraction of partial sums. */
uint32_t pkt_csum_add(uint32_t a, uint32_t b);
uint32_t pkt_csum_sub(uint32_t a, uint32_t b);
/* Combine a block's own sum into the sum of a stream it sits in at byte
 * offset `offset` from the stream's start: at an odd offset its bytes pair
 * the other way round, which is the sum byte-swapped (RFC 1071 2(B)).  As
 * Linux's csum_block_add / csum_block_sub. */
uint32_t pkt_csum_block_add(uint32_t sum, uint32_t block, size_t offset);
uint32_t pkt_csum_block_sub(uint32_t sum, uint32_t block, size_t offset);
/* Swap the bytes of a 16-bit sum: the same sum as a little-endian host's
 * native 16-bit loads would give (RFC 1071 2(B), byte order
 * independence).  Linux's csum_partial() adds native words, so on x86 its
 * skb->csum holds pkt_csum_swab16() of the sums here. */
uint16_t pkt_csum_swab16(uint16_t sum);

/* Folded sum (not complemented) of buf[start, end); -EINVAL unless
 * start <= end <= len and buf is not NULL. */
int pkt_csum_range(const uint8_t *buf, size_t len, size_t start,
		   size_t end, uint16_t *sum);
/* CHECKSUM_COMPLETE: the folded sum of frame[start, len), every byte after
 * the L2 header to the end of the frame, Ethernet padding included (the
 * stack subtracts it when it trims, pskb_trim_rcsum).  For the RCD L2_CSUM
 * field start is PKT_ETH_HLEN whatever the VLAN tags: fbnic_build_skb's
 * eth_type_trans() pulls 14 bytes without touching skb->csum, and the
 * stack's VLAN untagging pulls a tag with skb_pull_rcsum(), which
 * subtracts it.  The
 * result is in this file's byte order: swab it for a little-endian host's
 * skb->csum (pkt_csum_swab16). */
int pkt_csum_complete(const uint8_t *frame, size_t len, size_t start,
		      uint16_t *sum);

/* The pseudo-header's sum.  IPv4 (RFC 9293 3.1, RFC 768): source,
 * destination, zero, protocol, 16-bit L4 length.  IPv6 (RFC 8200 8.1):
 * source, final destination, 32-bit upper-layer length, three zero bytes,
 * next header.  -EINVAL for NULL addresses or an IPv4 length over 0xffff;
 * else 0 and *sum. */
int pkt_csum_pseudo_ipv4(const uint8_t src[4], const uint8_t dst[4],
			 uint8_t proto, size_t l4_len, uint32_t *sum);
int pkt_csum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16],
			 uint8_t proto, size_t l4_len, uint32_t *sum);

/* The IPv4 header checksum for the header at hdr (len bytes available):
 * the complement of the sum of IHL * 4 bytes with the checksum field taken
 * as zero.  -EINVAL when len < 20, IHL < 5 or IHL * 4 > len. */
int pkt_ipv4_hdr_csum(const uint8_t *hdr, size_t len, uint16_t *csum);
/* Fill / verify the IPv4 header checksum of a parsed frame.  -EINVAL when
 * pi is not a fitting IPv4 parse of frame; verify: 0 when correct,
 * -EBADMSG when not. */
int pkt_ipv4_csum_fill(uint8_t *frame, size_t len, const struct pkt_info *pi);
int pkt_ipv4_csum_verify(const uint8_t *frame, size_t len,
			 const struct pkt_info *pi);

/* The IPv6 destination the pseudo-header uses (RFC 8200 8.1): the final
 * one, from a routing header whose Segments Left is not 0 (type 2, RFC
 * 6275: its one address; type 4, RFC 8754: Segment List[0]).  -EINVAL
 * when pi is not a fitting IPv6 parse; -EOPNOTSUPP for another routing
 * type with segments left (type 0 is deprecated, RFC 5095), -EBADMSG for
 * a routing header too short for its address. */
int pkt_ipv6_final_dst(const uint8_t *frame, size_t len,
		       const struct pkt_info *pi, const uint8_t **dst);

/* The L4 checksum of a parsed TCP or UDP frame: the value its checksum
 * field must hold, computed with the field taken as zero over the
 * pseudo-header and the L4 segment (TCP: to the IP end; UDP: the UDP
 * length).  UDP's 0 is sent as 0xffff (RFC 768; RFC 8200 8.1).  -EINVAL
 * when pi is not a fitting parse of frame (pkt_info_fits), -EPROTO when it
 * is not TCP or UDP or is a fragment, errors of pkt_ipv6_final_dst. */
int pkt_l4_csum(const uint8_t *frame, size_t len, const struct pkt_info *pi,
		uint16_t *csum);
/* Store pkt_l4_csum() in the frame's checksum field. */
int pkt_l4_csum_fill(uint8_t *frame, size_t len, const struct pkt_info *pi);
/* 0: the checksum is correct (the device may report
 * L4_CSUM_UNNECESSARY); PKT_CSUM_ABSENT: UDP over IPv4 with a zero field,
 * no checksum was sent (RFC 768); -EBADMSG: wrong, or a zero UDP checksum
 * over IPv6 (RFC 8200 8.1 says discard); other errors as pkt_l4_csum. */
int pkt_l4_csum_verify(const uint8_t *frame, size_t len,
		       const struct pkt_info *pi);

/* Checksum offload as a CHECKSUM_PARTIAL frame asks for it: sum
 * frame[start, len) as it stands (the field at start + offset holds the
 * pseudo-header's sum), and store the complement at start + offset, 0 as
 * 0xffff (as Linux's skb_checksum_help(): the two are the same number in
 * one's complement, and for UDP 0 would mean "none").  From a TWD:
 * start = (L2_HLEN + L3_IHLEN) * 2, offset = CSUM_OFFSET * 2.  The sum
 * runs to the frame's end: zero padding does not change it.  -EINVAL
 * unless start + offset + 2 <= len. */
int pkt_csum_offload(uint8_t *frame, size_t len, size_t start, size_t offset);

#endif
