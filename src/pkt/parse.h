/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Header parser for the data path: where the L2, L3 and L4 headers and the
 * payload of an Ethernet frame lie, read from the bytes alone (the role of
 * QEMU's eth_get_protocols() for net_tx_pkt.c / net_rx_pkt.c).
 *
 * src/pkt/ is pure packet code: functions over byte buffers, no device, no
 * DMA, no logging, no allocation, no global state.  It depends on nothing
 * outside src/pkt/ (tools/check-deps holds it to that).  The frames come
 * from an untrusted guest: every length is checked against the buffer
 * before a byte is read, and a malformed frame gets an error, never an
 * access outside [frame, frame + len).
 *
 * Recognised: Ethernet II (RFC 894) with up to two VLAN tags (TPID 0x8100
 * or 0x88a8, IEEE 802.1Q / 802.1ad); IPv4 (RFC 791) with options; IPv6
 * (RFC 8200) with the hop-by-hop, routing, destination options and
 * fragment extension headers; TCP (RFC 9293) with options; UDP (RFC 768).
 * Anything else after an IP header is L4 "other"; a non-IP ethertype (or
 * an 802.3 length, or a third VLAN tag) is L3 "none", and neither is an
 * error.  The result feeds the RCD metadata the driver reads
 * (FBNIC_RCD_META_L3_TYPE / L4_TYPE in fbnic_txrx.c) and the header
 * lengths it writes in a TWD (fbnic_tx_offloads: L2_HLEN, L3_IHLEN,
 * L4_HLEN).
 *
 * Lengths come from the headers, not from the frame: bytes after the IP
 * packet's declared end are Ethernet padding (pad_len; a 60-byte minimum
 * frame carrying a 40-byte TCP/IPv4 packet has 6), and the payload ends
 * where IP (for UDP: the UDP length) says.
 *
 * Fragments (IPv4 MF or a non-zero offset; an IPv6 fragment header other
 * than an atomic one, RFC 6946) set is_fragment and have no L4: l4 is
 * NONE, l4_proto names the upper protocol, the payload is everything after
 * the IP header(s).  A first fragment does carry an L4 header, but its
 * checksum covers the whole datagram and its ports are not hashed (RSS
 * uses the 2-tuple), so it is not parsed.
 *
 * Errors:
 *   -EINVAL   NULL frame or out.
 *   -EMSGSIZE the buffer ends before what the headers declare: the
 *             Ethernet header, a VLAN tag or the fixed IPv4 / IPv6 header
 *             cut short, or an IP total length (IPv6: 40 + payload
 *             length) beyond the buffer.
 *   -EBADMSG  the headers contradict themselves: IP version not that of
 *             the ethertype, IHL < 5, IPv4 total length < IHL * 4, an IPv6
 *             extension header running past the IPv6 payload, a hop-by-hop
 *             header that is not first, a TCP header that does not fit the
 *             IP packet or data offset < 5, a UDP length < 8 or beyond the
 *             IP packet.  (Jumbograms, RFC 2675, are not supported: an
 *             IPv6 payload length of 0 is an empty payload.)
 *
 * What the caller may use after an error (out->err holds it too): every
 * layer whose type is not NONE lies whole in the buffer and passed its
 * checks; the layer at fault and all after it read NONE (l2_len 0 when
 * the Ethernet header or a VLAN tag is cut short).  One exception, the
 * truncated IP packet (-EMSGSIZE with l3 set): the IPv4 header (options
 * included) or the 40-byte IPv6 header is whole, so l3, l3_off, l3_len
 * (IPv6: 40, the extension headers are not walked), ip_len,
 * l4_proto, is_fragment and the addresses are usable, enough for the RCD
 * L3 type and a 2-tuple hash; l4 is NONE.  payload_off, payload_len and
 * pad_len are 0 after any error.  The checksum and segmentation functions
 * refuse an info whose err is not 0.
 */
#ifndef FBNIC_EMU_PKT_PARSE_H
#define FBNIC_EMU_PKT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_ETH_HLEN 14u	/* destination, source, ethertype */
#define PKT_ETH_ALEN 6u
#define PKT_VLAN_HLEN 4u	/* TCI + the next ethertype */
#define PKT_VLAN_MAX 2u
#define PKT_ETH_MIN_LEN 60u	/* without FCS; shorter frames are padded */

#define PKT_ETH_P_IPV4 0x0800u
#define PKT_ETH_P_IPV6 0x86ddu
#define PKT_ETH_P_8021Q 0x8100u
#define PKT_ETH_P_8021AD 0x88a8u
#define PKT_ETH_P_MAC_CTRL 0x8808u	/* IEEE 802.3 Clause 31 MAC Control */
#define PKT_ETH_P_MIN 0x0600u	/* below: an IEEE 802.3 length field */

#define PKT_IPV4_HLEN 20u	/* without options */
#define PKT_IPV4_HLEN_MAX 60u
#define PKT_IPV6_HLEN 40u
#define PKT_TCP_HLEN 20u	/* without options */
#define PKT_TCP_HLEN_MAX 60u
#define PKT_UDP_HLEN 8u

/* IP protocol numbers / IPv6 next header values (IANA). */
#define PKT_IPPROTO_HOPOPTS 0u
#define PKT_IPPROTO_TCP 6u
#define PKT_IPPROTO_UDP 17u
#define PKT_IPPROTO_ROUTING 43u
#define PKT_IPPROTO_FRAGMENT 44u
#define PKT_IPPROTO_DSTOPTS 60u

/* TCP flags: byte 13 of the header (RFC 9293 3.1, RFC 3168 for ECE/CWR). */
#define PKT_TCP_FIN 0x01u
#define PKT_TCP_SYN 0x02u
#define PKT_TCP_RST 0x04u
#define PKT_TCP_PSH 0x08u
#define PKT_TCP_ACK 0x10u
#define PKT_TCP_URG 0x20u
#define PKT_TCP_ECE 0x40u
#define PKT_TCP_CWR 0x80u

/* Offsets of the fields the checksum and segmentation code rewrites. */
#define PKT_IPV4_TOT_LEN_OFF 2u
#define PKT_IPV4_ID_OFF 4u
#define PKT_IPV4_CSUM_OFF 10u
#define PKT_IPV6_PLEN_OFF 4u
#define PKT_TCP_SEQ_OFF 4u
#define PKT_TCP_FLAGS_OFF 13u
#define PKT_TCP_CSUM_OFF 16u
#define PKT_UDP_LEN_OFF 4u
#define PKT_UDP_CSUM_OFF 6u

enum pkt_l3 {
	PKT_L3_NONE = 0,
	PKT_L3_IPV4,
	PKT_L3_IPV6,
};

enum pkt_l4 {
	PKT_L4_NONE = 0,	/* no IP, or a fragment */
	PKT_L4_TCP,
	PKT_L4_UDP,
	PKT_L4_OTHER,		/* any other protocol / next header */
};

struct pkt_info {
	int err;		/* what pkt_parse returned */

	/* L2 */
	size_t l2_len;		/* Ethernet header + VLAN tags */
	uint16_t ethertype;	/* the one after the tags */
	unsigned int vlan_count;
	uint16_t vlan_tpid[PKT_VLAN_MAX];
	uint16_t vlan_tci[PKT_VLAN_MAX];

	/* L3 */
	enum pkt_l3 l3;
	size_t l3_off;		/* == l2_len */
	size_t l3_len;		/* IPv4: IHL * 4; IPv6: 40 + extension hdrs */
	size_t ip_len;		/* declared: IPv4 total length; IPv6: 40 +
				 * payload length */
	uint8_t l4_proto;	/* IPv4 protocol; IPv6: the last next header */
	bool is_fragment;
	uint32_t frag_off;	/* fragment offset in bytes */
	size_t ip6_rt_off;	/* the (last) IPv6 routing header; 0: none */

	/* L4 */
	enum pkt_l4 l4;
	size_t l4_off;		/* OTHER: the end of the IP headers */
	size_t l4_len;		/* TCP: data offset * 4; UDP: 8; OTHER: 0 */
	uint8_t tcp_flags;	/* PKT_TCP_* */

	/* payload: after the last parsed header, to the end IP (for UDP:
	 * the UDP length) declares; for a non-IP frame, all after L2 */
	size_t payload_off;
	size_t payload_len;
	size_t pad_len;		/* bytes after the IP packet */
};

/* Parse one Ethernet frame (no FCS) of len bytes.  0 or a negative errno
 * as above; out is always filled (see "What the caller may use"). */
int pkt_parse(const uint8_t *frame, size_t len, struct pkt_info *out);

/* True when pi is a successful parse whose offsets all lie within len
 * bytes: the check the checksum and segmentation code makes before it
 * trusts an info it was handed. */
bool pkt_info_fits(const struct pkt_info *pi, size_t len);

/* The end of the L4 segment (TCP: the IP packet's end; UDP: l4_off + the
 * UDP length), i.e. payload_off + payload_len. */
static inline size_t pkt_l4_end(const struct pkt_info *pi)
{
	return pi->payload_off + pi->payload_len;
}

#endif
