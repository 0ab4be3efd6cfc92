/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCP and UDP segmentation from a TWD's header layout; see tso.h.
 */
#include "tso.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "csum.h"
#include "parse.h"

#define IPV4_FRAG_MASK 0x3fffu /* MF and the fragment offset */

/* The layout fits a len-byte frame and the TWD's fields. */
static int layout_check(size_t len, const struct pkt_tso_layout *lo,
			unsigned int mss)
{
	if (!lo || !mss)
		return -EINVAL;
	if (lo->l3_off > PKT_TSO_L2_MAX || lo->l4_len > PKT_TSO_L4_MAX ||
	    lo->l4_off > PKT_TSO_HDR_MAX - PKT_TSO_L4_MAX)
		return -E2BIG;
	if (lo->l4_off < lo->l3_off || lo->l4_len > len ||
	    lo->l4_off > len - lo->l4_len)
		return -EINVAL;
	switch (lo->l3) {
	case PKT_TSO_L3_OTHER:
		break;
	case PKT_TSO_L3_IPV4:
		if (lo->l4_off - lo->l3_off < PKT_IPV4_HLEN)
			return -EINVAL;
		break;
	case PKT_TSO_L3_IPV6:
		if (lo->l4_off - lo->l3_off < PKT_IPV6_HLEN)
			return -EINVAL;
		break;
	case PKT_TSO_L3_V6V6:
		if (lo->inner_l3_off < lo->l3_off + PKT_IPV6_HLEN ||
		    lo->inner_l3_off > lo->l4_off ||
		    lo->l4_off - lo->inner_l3_off < PKT_IPV6_HLEN)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* What the frame's bytes must say for the layout to be believed. */
static int frame_check(const uint8_t *frame, const struct pkt_tso_layout *lo)
{
	const uint8_t *ip = frame + lo->l3_off;
	const uint8_t *l4 = frame + lo->l4_off;
	switch (lo->l3) {
	case PKT_TSO_L3_IPV4:
		if (ip[0] >> 4 != 4 ||
		    (size_t)(ip[0] & 0xf) * 4 != lo->l4_off - lo->l3_off ||
		    (pkt_get_be16(ip + 6) & IPV4_FRAG_MASK))
			return -EPROTO;
		break;
	case PKT_TSO_L3_V6V6:
		if (frame[lo->inner_l3_off] >> 4 != 6)
			return -EPROTO;
		/* fall through */
	case PKT_TSO_L3_IPV6:
		if (ip[0] >> 4 != 6)
			return -EPROTO;
		break;
	default:
		break;
	}
	if (lo->udp)
		return lo->l4_len == PKT_UDP_HLEN ? 0 : -EPROTO;
	if (lo->l4_len < PKT_TCP_HLEN || (size_t)(l4[12] >> 4) * 4 != lo->l4_len)
		return -EPROTO;
	return 0;
}

int pkt_tso_count(size_t len, const struct pkt_tso_layout *lo,
		  unsigned int mss)
{
	int rc = layout_check(len, lo, mss);
	if (rc)
		return rc;
	size_t payload = len - lo->l4_off - lo->l4_len;
	if (!payload)
		return 1;
	/* A TWD's frame is at most 64 KiB and some headers: this fits. */
	return (int)((payload - 1) / mss + 1);
}

int pkt_tso_segment(const uint8_t *frame, size_t len,
		    const struct pkt_tso_layout *lo, unsigned int mss,
		    unsigned int n, uint8_t *out, size_t cap)
{
	if (!frame || !out)
		return -EINVAL;
	int count = pkt_tso_count(len, lo, mss);
	if (count < 0)
		return count;
	int rc = frame_check(frame, lo);
	if (rc)
		return rc;
	if (n >= (unsigned int)count)
		return -ERANGE;

	size_t hdr = lo->l4_off + lo->l4_len;
	size_t start = (size_t)n * mss; /* < payload, or 0 */
	size_t seg = len - hdr - start;
	if (seg > mss)
		seg = mss;
	if (cap < hdr || seg > cap - hdr)
		return -ENOSPC;
	memcpy(out, frame, hdr);
	memcpy(out + hdr, frame + hdr + start, seg);
	size_t slen = hdr + seg;

	/* L3: the lengths (and IPv4's id and header checksum). */
	uint8_t *ip = out + lo->l3_off;
	switch (lo->l3) {
	case PKT_TSO_L3_IPV4: {
		pkt_put_be16(ip + PKT_IPV4_TOT_LEN_OFF,
			     (uint16_t)(slen - lo->l3_off));
		uint16_t id = pkt_get_be16(ip + PKT_IPV4_ID_OFF);
		pkt_put_be16(ip + PKT_IPV4_ID_OFF, (uint16_t)(id + n));
		uint16_t csum;
		if (pkt_ipv4_hdr_csum(ip, lo->l4_off - lo->l3_off, &csum))
			return -EPROTO;
		pkt_put_be16(ip + PKT_IPV4_CSUM_OFF, csum);
		break;
	}
	case PKT_TSO_L3_V6V6:
		pkt_put_be16(out + lo->inner_l3_off + PKT_IPV6_PLEN_OFF,
			     (uint16_t)(slen - lo->inner_l3_off -
					PKT_IPV6_HLEN));
		/* fall through */
	case PKT_TSO_L3_IPV6:
		pkt_put_be16(ip + PKT_IPV6_PLEN_OFF,
			     (uint16_t)(slen - lo->l3_off - PKT_IPV6_HLEN));
		break;
	default:
		break;
	}

	/* L4: its own fields, then the checksum from the seed. */
	uint8_t *l4 = out + lo->l4_off;
	size_t l4len = slen - lo->l4_off;
	size_t csum_off;
	if (lo->udp) {
		pkt_put_be16(l4 + PKT_UDP_LEN_OFF, (uint16_t)l4len);
		csum_off = PKT_UDP_CSUM_OFF;
	} else {
		uint32_t seq = pkt_get_be32(l4 + PKT_TCP_SEQ_OFF);
		pkt_put_be32(l4 + PKT_TCP_SEQ_OFF, seq + (uint32_t)start);
		uint8_t flags = l4[PKT_TCP_FLAGS_OFF];
		if (n + 1 < (unsigned int)count)
			flags &= (uint8_t)~(PKT_TCP_FIN | PKT_TCP_PSH);
		if (n)
			flags &= (uint8_t)~PKT_TCP_CWR;
		l4[PKT_TCP_FLAGS_OFF] = flags;
		csum_off = PKT_TCP_CSUM_OFF;
	}
	uint32_t sum = pkt_csum_add(pkt_get_be16(l4 + csum_off),
				    (uint32_t)l4len);
	pkt_put_be16(l4 + csum_off, 0);
	uint16_t csum = pkt_csum_finish(pkt_csum_partial(l4, l4len, sum));
	/* UDP: 0 means "no checksum", send its other form (RFC 768); TCP
	 * keeps 0x0000, the form a full computation gives (RFC 1624 3). */
	if (lo->udp && !csum)
		csum = 0xffff;
	pkt_put_be16(l4 + csum_off, csum);
	return (int)slen;
}

int pkt_tso_gso_prepare(uint8_t *frame, size_t len,
			const struct pkt_tso_layout *lo, unsigned int mss)
{
	if (!frame)
		return -EINVAL;
	int count = pkt_tso_count(len, lo, mss);
	if (count < 0)
		return count;
	if (lo->udp || (lo->l3 != PKT_TSO_L3_IPV4 && lo->l3 != PKT_TSO_L3_IPV6) ||
	    len > 65535)
		return -EOPNOTSUPP;
	int rc = frame_check(frame, lo);
	if (rc)
		return rc;
	uint8_t *ip = frame + lo->l3_off;
	if (lo->l3 == PKT_TSO_L3_IPV4) {
		uint16_t csum;
		if (pkt_ipv4_hdr_csum(ip, lo->l4_off - lo->l3_off, &csum))
			return -EPROTO;
		pkt_put_be16(ip + PKT_IPV4_TOT_LEN_OFF, (uint16_t)(len - lo->l3_off));
		pkt_ipv4_hdr_csum(ip, lo->l4_off - lo->l3_off, &csum);
		pkt_put_be16(ip + PKT_IPV4_CSUM_OFF, csum);
	} else {
		pkt_put_be16(ip + PKT_IPV6_PLEN_OFF,
			     (uint16_t)(len - lo->l3_off - PKT_IPV6_HLEN));
	}
	uint8_t *l4 = frame + lo->l4_off;
	uint32_t seed = pkt_csum_add(pkt_get_be16(l4 + PKT_TCP_CSUM_OFF),
				     (uint32_t)(len - lo->l4_off));
	pkt_put_be16(l4 + PKT_TCP_CSUM_OFF, pkt_csum_fold(seed));
	return 0;
}

int pkt_tso_from_gso(uint8_t *frame, size_t len, bool v6, bool udp,
		     size_t csum_start, struct pkt_tso_layout *lo)
{
	if (!frame || !lo)
		return -EINVAL;
	struct pkt_info pi;
	if (pkt_parse(frame, len, &pi) || pi.is_fragment ||
	    pi.l3 != (v6 ? PKT_L3_IPV6 : PKT_L3_IPV4) ||
	    pi.l4 != (udp ? PKT_L4_UDP : PKT_L4_TCP) ||
	    pi.l4_off != csum_start || pkt_l4_end(&pi) != len ||
	    pi.l3_off + pi.ip_len != len)
		return -EPROTO;
	*lo = (struct pkt_tso_layout){
		.l3 = v6 ? PKT_TSO_L3_IPV6 : PKT_TSO_L3_IPV4,
		.l3_off = pi.l3_off,
		.l4_off = pi.l4_off,
		.l4_len = pi.l4_len,
		.udp = udp,
	};
	int rc = layout_check(len, lo, 1);
	if (rc)
		return rc;
	uint32_t seed;
	const uint8_t *ip = frame + pi.l3_off;
	if (v6) {
		const uint8_t *dst;
		rc = pkt_ipv6_final_dst(frame, len, &pi, &dst);
		if (!rc)
			rc = pkt_csum_pseudo_ipv6(ip + 8, dst, pi.l4_proto, 0,
						  &seed);
	} else {
		rc = pkt_csum_pseudo_ipv4(ip + 12, ip + 16, pi.l4_proto, 0,
					  &seed);
	}
	if (rc)
		return rc;
	pkt_put_be16(frame + pi.l4_off +
			     (udp ? PKT_UDP_CSUM_OFF : PKT_TCP_CSUM_OFF),
		     pkt_csum_fold(seed));
	return 0;
}
