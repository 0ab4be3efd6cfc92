/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ethernet / IPv4 / IPv6 / TCP / UDP header parser; see parse.h for what
 * is recognised and the error rules.
 *
 * Every read is preceded by a check that the bytes lie below `end`, and
 * `end` never exceeds the buffer: the L2 walk is bounded by len, the IP
 * headers by the smaller of len and the declared IP packet end (the parse
 * stops when the declared end is beyond len), the L4 header by the IP end.
 */
#include "parse.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"

/* Everything about the L3 and L4 layers, cleared when L3 is at fault. */
static void clear_l3(struct pkt_info *pi)
{
	pi->l3 = PKT_L3_NONE;
	pi->l3_off = 0;
	pi->l3_len = 0;
	pi->ip_len = 0;
	pi->l4_proto = 0;
	pi->is_fragment = false;
	pi->frag_off = 0;
	pi->ip6_rt_off = 0;
}

/* TCP or UDP header at off, inside an IP packet ending at end; or the
 * start of an "other" payload.  pi->l4_proto says which. */
static int parse_l4(const uint8_t *frame, size_t off, size_t end,
		    struct pkt_info *pi)
{
	size_t avail = end - off;

	if (pi->is_fragment) {
		pi->payload_off = off;
		pi->payload_len = avail;
		return 0;
	}
	switch (pi->l4_proto) {
	case PKT_IPPROTO_TCP: {
		if (avail < PKT_TCP_HLEN)
			return -EBADMSG;
		/* RFC 9293 3.1: data offset in 32-bit words, at least 5. */
		size_t doff = (size_t)(frame[off + 12] >> 4) * 4u;
		if (doff < PKT_TCP_HLEN || doff > avail)
			return -EBADMSG;
		pi->l4 = PKT_L4_TCP;
		pi->l4_off = off;
		pi->l4_len = doff;
		pi->tcp_flags = frame[off + PKT_TCP_FLAGS_OFF];
		pi->payload_off = off + doff;
		pi->payload_len = avail - doff;
		return 0;
	}
	case PKT_IPPROTO_UDP: {
		if (avail < PKT_UDP_HLEN)
			return -EBADMSG;
		/* RFC 768: the length counts header and data.  Bytes of the
		 * IP packet after it are not part of the datagram. */
		size_t ulen = pkt_get_be16(frame + off + PKT_UDP_LEN_OFF);
		if (ulen < PKT_UDP_HLEN || ulen > avail)
			return -EBADMSG;
		pi->l4 = PKT_L4_UDP;
		pi->l4_off = off;
		pi->l4_len = PKT_UDP_HLEN;
		pi->payload_off = off + PKT_UDP_HLEN;
		pi->payload_len = ulen - PKT_UDP_HLEN;
		return 0;
	}
	default:
		pi->l4 = PKT_L4_OTHER;
		pi->l4_off = off;
		pi->l4_len = 0;
		pi->payload_off = off;
		pi->payload_len = avail;
		return 0;
	}
}

/* RFC 791 3.1. */
static int parse_ipv4(const uint8_t *frame, size_t len, struct pkt_info *pi)
{
	size_t off = pi->l2_len, avail = len - off;
	const uint8_t *ip = frame + off;

	if (avail < PKT_IPV4_HLEN)
		return -EMSGSIZE;
	if (ip[0] >> 4 != 4)
		return -EBADMSG;
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4u;
	if (hlen < PKT_IPV4_HLEN)
		return -EBADMSG;
	if (hlen > avail)
		return -EMSGSIZE;
	size_t tot = pkt_get_be16(ip + PKT_IPV4_TOT_LEN_OFF);
	if (tot < hlen)
		return -EBADMSG;

	/* The header is whole and sane: L3 is known from here on. */
	uint16_t frag = pkt_get_be16(ip + 6);
	pi->l3 = PKT_L3_IPV4;
	pi->l3_off = off;
	pi->l3_len = hlen;
	pi->ip_len = tot;
	pi->l4_proto = ip[9];
	/* MF (0x2000) or a fragment offset (8-byte units). */
	pi->frag_off = (uint32_t)(frag & 0x1fffu) * 8u;
	pi->is_fragment = (frag & 0x3fffu) != 0;
	if (tot > avail)
		return -EMSGSIZE;
	pi->pad_len = avail - tot;
	return parse_l4(frame, off + hlen, off + tot, pi);
}

/* RFC 8200 4: walk the extension headers this parser knows, in the IPv6
 * payload [off + 40, end). */
static int parse_ipv6(const uint8_t *frame, size_t len, struct pkt_info *pi)
{
	size_t off = pi->l2_len, avail = len - off;
	const uint8_t *ip = frame + off;

	if (avail < PKT_IPV6_HLEN)
		return -EMSGSIZE;
	if (ip[0] >> 4 != 6)
		return -EBADMSG;
	size_t tot = PKT_IPV6_HLEN + pkt_get_be16(ip + PKT_IPV6_PLEN_OFF);
	pi->l3 = PKT_L3_IPV6;
	pi->l3_off = off;
	pi->l3_len = PKT_IPV6_HLEN;
	pi->ip_len = tot;
	pi->l4_proto = ip[6];
	if (tot > avail)
		return -EMSGSIZE;

	size_t end = off + tot, p = off + PKT_IPV6_HLEN;
	uint8_t nh = ip[6];
	/* Each header is at least 8 bytes, so the walk ends. */
	for (bool first = true;; first = false) {
		size_t hlen;

		if (nh == PKT_IPPROTO_HOPOPTS && !first)
			goto bad; /* 4.3: only right after the header */
		if (nh == PKT_IPPROTO_HOPOPTS || nh == PKT_IPPROTO_ROUTING ||
		    nh == PKT_IPPROTO_DSTOPTS) {
			/* 4.3-4.6: Hdr Ext Len in 8-octet units, not
			 * counting the first 8. */
			if (end - p < 2)
				goto bad;
			hlen = ((size_t)frame[p + 1] + 1u) * 8u;
			if (hlen > end - p)
				goto bad;
			if (nh == PKT_IPPROTO_ROUTING)
				pi->ip6_rt_off = p;
			nh = frame[p];
			p += hlen;
			continue;
		}
		if (nh == PKT_IPPROTO_FRAGMENT) {
			/* 4.5: 8 bytes; offset in 8-byte units in the top 13
			 * bits of bytes 2-3, M in bit 0. */
			if (end - p < 8)
				goto bad;
			uint16_t fo = pkt_get_be16(frame + p + 2);
			nh = frame[p];
			p += 8;
			if (fo & 0xfff9u) {
				pi->is_fragment = true;
				pi->frag_off = fo & 0xfff8u;
				break;
			}
			continue; /* an atomic fragment: RFC 6946 */
		}
		break;
	}
	pi->l3_len = p - off;
	pi->l4_proto = nh;
	pi->pad_len = avail - tot;
	return parse_l4(frame, p, end, pi);
bad:
	/* An extension header at fault: the L3 layer is. */
	clear_l3(pi);
	return -EBADMSG;
}

int pkt_parse(const uint8_t *frame, size_t len, struct pkt_info *out)
{
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!frame)
		return out->err = -EINVAL;
	if (len < PKT_ETH_HLEN)
		return out->err = -EMSGSIZE;

	size_t off = PKT_ETH_HLEN;
	uint16_t type = pkt_get_be16(frame + 12);
	unsigned int n = 0;
	while ((type == PKT_ETH_P_8021Q || type == PKT_ETH_P_8021AD) &&
	       n < PKT_VLAN_MAX) {
		if (len - off < PKT_VLAN_HLEN) {
			memset(out, 0, sizeof(*out));
			return out->err = -EMSGSIZE;
		}
		out->vlan_tpid[n] = type;
		out->vlan_tci[n] = pkt_get_be16(frame + off);
		type = pkt_get_be16(frame + off + 2);
		off += PKT_VLAN_HLEN;
		n++;
	}
	out->vlan_count = n;
	out->l2_len = off;
	out->ethertype = type;

	if (type == PKT_ETH_P_IPV4) {
		rc = parse_ipv4(frame, len, out);
	} else if (type == PKT_ETH_P_IPV6) {
		rc = parse_ipv6(frame, len, out);
	} else {
		/* Not IP: no L3, no L4, the payload is all after L2. */
		out->payload_off = off;
		out->payload_len = len - off;
		return 0;
	}
	if (rc) {
		/* parse_l4 sets nothing when it fails, the IP parsers clear
		 * L3 unless it is the truncated packet's usable header. */
		out->payload_off = 0;
		out->payload_len = 0;
		out->pad_len = 0;
		out->err = rc;
	}
	return rc;
}

bool pkt_info_fits(const struct pkt_info *pi, size_t len)
{
	if (!pi || pi->err || pi->l2_len > len || pi->payload_off > len ||
	    pi->payload_len > len - pi->payload_off)
		return false;
	if (pi->l3 == PKT_L3_NONE)
		return pi->l4 == PKT_L4_NONE;

	size_t min = pi->l3 == PKT_L3_IPV4 ? PKT_IPV4_HLEN : PKT_IPV6_HLEN;
	if (pi->l3_off != pi->l2_len || pi->l3_len < min ||
	    pi->ip_len < pi->l3_len || pi->ip_len > len - pi->l3_off)
		return false;
	size_t l3_end = pi->l3_off + pi->l3_len;
	size_t ip_end = pi->l3_off + pi->ip_len;
	if (pi->ip6_rt_off &&
	    (pi->l3 != PKT_L3_IPV6 ||
	     pi->ip6_rt_off < pi->l3_off + PKT_IPV6_HLEN ||
	     pi->ip6_rt_off >= l3_end))
		return false;
	if (pi->payload_off < l3_end || pkt_l4_end(pi) > ip_end)
		return false;
	switch (pi->l4) {
	case PKT_L4_TCP:
	case PKT_L4_UDP:
		if (pi->is_fragment || pi->l4_off != l3_end ||
		    pi->l4_len < (pi->l4 == PKT_L4_TCP ? PKT_TCP_HLEN :
							 PKT_UDP_HLEN) ||
		    pi->l4_off + pi->l4_len != pi->payload_off)
			return false;
		return pi->l4 == PKT_L4_UDP || pkt_l4_end(pi) == ip_end;
	case PKT_L4_OTHER:
	case PKT_L4_NONE:
		return pi->payload_off == l3_end && pkt_l4_end(pi) == ip_end;
	}
	return false;
}
