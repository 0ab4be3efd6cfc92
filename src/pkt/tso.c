/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCP and UDP segmentation; see tso.h.
 */
#include "tso.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "csum.h"

/* What pkt_tso_count() and pkt_tso_segment() both refuse. */
static int tso_check(const struct pkt_info *pi, unsigned int mss)
{
	if (!pi || !mss || pi->err)
		return -EINVAL;
	if ((pi->l3 != PKT_L3_IPV4 && pi->l3 != PKT_L3_IPV6) ||
	    (pi->l4 != PKT_L4_TCP && pi->l4 != PKT_L4_UDP) || pi->is_fragment)
		return -EPROTO;
	if (pi->l2_len > PKT_TSO_L2_MAX || pi->l3_len > PKT_TSO_L3_MAX)
		return -E2BIG;
	return 0;
}

/* A segment's IPv4 header checksum and its L4 checksum, in full. */
static int tso_csums(uint8_t *out, size_t slen, const struct pkt_info *spi)
{
	int rc = 0;
	if (spi->l3 == PKT_L3_IPV4)
		rc = pkt_ipv4_csum_fill(out, slen, spi);
	if (!rc)
		rc = pkt_l4_csum_fill(out, slen, spi);
	return rc ? rc : (int)slen;
}

int pkt_tso_count(const struct pkt_info *pi, unsigned int mss)
{
	int rc = tso_check(pi, mss);
	if (rc)
		return rc;
	if (!pi->payload_len)
		return 1;
	/* payload_len < 64 KiB (an IP length field), so this fits. */
	return (int)((pi->payload_len - 1) / mss + 1);
}

int pkt_tso_segment(const uint8_t *frame, size_t len,
		    const struct pkt_info *pi, unsigned int mss,
		    unsigned int n, uint8_t *out, size_t cap)
{
	if (!frame || !out)
		return -EINVAL;
	int count = pkt_tso_count(pi, mss);
	if (count < 0)
		return count;
	if (!pkt_info_fits(pi, len))
		return -EINVAL;
	if (n >= (unsigned int)count)
		return -ERANGE;

	size_t hdr = pi->payload_off;
	size_t start = (size_t)n * mss; /* < payload_len, or 0 */
	size_t seg = pi->payload_len - start;
	if (seg > mss)
		seg = mss;
	if (cap < hdr || seg > cap - hdr)
		return -ENOSPC;
	memcpy(out, frame, hdr);
	memcpy(out + hdr, frame + pi->payload_off + start, seg);

	/* The segment's own layout: same headers, shorter payload. */
	struct pkt_info spi = *pi;
	spi.ip_len = pi->l3_len + pi->l4_len + seg;
	spi.payload_len = seg;
	spi.pad_len = 0;

	uint8_t *ip = out + pi->l3_off;
	if (pi->l3 == PKT_L3_IPV4) {
		pkt_put_be16(ip + PKT_IPV4_TOT_LEN_OFF, (uint16_t)spi.ip_len);
		uint16_t id = pkt_get_be16(ip + PKT_IPV4_ID_OFF);
		pkt_put_be16(ip + PKT_IPV4_ID_OFF, (uint16_t)(id + n));
	} else {
		pkt_put_be16(ip + PKT_IPV6_PLEN_OFF,
			     (uint16_t)(spi.ip_len - PKT_IPV6_HLEN));
	}

	if (pi->l4 == PKT_L4_UDP) {
		pkt_put_be16(out + pi->l4_off + PKT_UDP_LEN_OFF,
			     (uint16_t)(PKT_UDP_HLEN + seg));
		return tso_csums(out, hdr + seg, &spi);
	}

	uint8_t *tcp = out + pi->l4_off;
	uint32_t seq = pkt_get_be32(tcp + PKT_TCP_SEQ_OFF);
	pkt_put_be32(tcp + PKT_TCP_SEQ_OFF, seq + (uint32_t)start);
	uint8_t flags = tcp[PKT_TCP_FLAGS_OFF];
	if (n + 1 < (unsigned int)count)
		flags &= (uint8_t)~(PKT_TCP_FIN | PKT_TCP_PSH);
	if (n)
		flags &= (uint8_t)~PKT_TCP_CWR;
	tcp[PKT_TCP_FLAGS_OFF] = flags;
	spi.tcp_flags = flags;

	return tso_csums(out, hdr + seg, &spi);
}
