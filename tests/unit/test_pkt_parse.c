/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet parser: every layout it recognises (VLAN tags, IPv4 options,
 * IPv6 extension headers, fragments, padding), every malformed input it
 * must refuse with the layers it may still report, every prefix of every
 * sample frame, and mutated frames, each parsed from a malloc of exactly
 * its length so ASan catches any read past the end.
 */
#include <errno.h>
#include <stdlib.h>

#include "pkt/parse.h"
#include "pkt_frames.h"
#include "pktref.h"
#include "test.h"

/* Parse a copy of exactly len bytes. */
static int parse_exact(const uint8_t *src, size_t len, struct pkt_info *pi)
{
	uint8_t *p = pr_dup(src, len);
	int rc = pkt_parse(p, len, pi);
	free(p);
	return rc;
}

static void check_failed_clean(const struct pkt_info *pi)
{
	CHECK_INT(pi->l4, PKT_L4_NONE);
	CHECK_INT(pi->payload_off, 0);
	CHECK_INT(pi->payload_len, 0);
	CHECK_INT(pi->pad_len, 0);
	CHECK(!pkt_info_fits(pi, 1u << 16));
}

/* ---- Layouts ------------------------------------------------------------- */

static void test_ipv4_tcp_options(void)
{
	struct pkt_info pi;

	CHECK_INT(parse_exact(f_v4_tcp, sizeof(f_v4_tcp), &pi), 0);
	CHECK_INT(pi.err, 0);
	CHECK_INT(pi.l2_len, 14);
	CHECK_INT(pi.vlan_count, 0);
	CHECK_EQ(pi.ethertype, 0x0800);
	CHECK_INT(pi.l3, PKT_L3_IPV4);
	CHECK_INT(pi.l3_off, 14);
	CHECK_INT(pi.l3_len, 28); /* IHL 7: 8 bytes of options */
	CHECK_INT(pi.ip_len, 81);
	CHECK_INT(pi.l4_proto, PKT_IPPROTO_TCP);
	CHECK(!pi.is_fragment);
	CHECK_INT(pi.l4, PKT_L4_TCP);
	CHECK_INT(pi.l4_off, 42);
	CHECK_INT(pi.l4_len, 40); /* data offset 10 */
	CHECK_EQ(pi.tcp_flags, PKT_TCP_PSH | PKT_TCP_ACK);
	CHECK_INT(pi.payload_off, 82);
	CHECK_INT(pi.payload_len, 13);
	CHECK_INT(pi.pad_len, 0);
	CHECK(pkt_info_fits(&pi, sizeof(f_v4_tcp)));
	CHECK(!pkt_info_fits(&pi, sizeof(f_v4_tcp) - 1));
}

/* Padding after the IP packet is padding, not payload. */
static void test_vlan_udp_padding(void)
{
	struct pkt_info pi;

	CHECK_INT(parse_exact(f_v4_udp_pad, sizeof(f_v4_udp_pad), &pi), 0);
	CHECK_INT(pi.l2_len, 18);
	CHECK_INT(pi.vlan_count, 1);
	CHECK_EQ(pi.vlan_tpid[0], PKT_ETH_P_8021Q);
	CHECK_EQ(pi.vlan_tci[0], 100);
	CHECK_EQ(pi.ethertype, PKT_ETH_P_IPV4);
	CHECK_INT(pi.l3, PKT_L3_IPV4);
	CHECK_INT(pi.l3_off, 18);
	CHECK_INT(pi.ip_len, 33);
	CHECK_INT(pi.l4, PKT_L4_UDP);
	CHECK_INT(pi.l4_off, 38);
	CHECK_INT(pi.l4_len, 8);
	CHECK_INT(pi.payload_off, 46);
	CHECK_INT(pi.payload_len, 5);
	CHECK_INT(pi.pad_len, 9);

	/* A minimum frame of a bare TCP/IPv4 packet: 6 bytes of padding,
	 * no payload. */
	uint8_t buf[128];
	struct pr_spec s = { .ip = 4, .proto = 6, .tcp_flags = PKT_TCP_ACK,
			     .pad_to = 60 };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(len, 60);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK_INT(pi.ip_len, 40);
	CHECK_INT(pi.payload_off, 54);
	CHECK_INT(pi.payload_len, 0);
	CHECK_INT(pi.pad_len, 6);
}

static void test_qinq(void)
{
	uint8_t buf[256];
	struct pkt_info pi;
	size_t l3, l4, pay;
	struct pr_spec s = { .vlans = 2, .ip = 6, .proto = 17,
			     .payload = (const uint8_t *)"abc",
			     .payload_len = 3 };
	size_t len = pr_build(buf, sizeof(buf), &s, &l3, &l4, &pay);

	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK_INT(pi.vlan_count, 2);
	CHECK_EQ(pi.vlan_tpid[0], PKT_ETH_P_8021AD);
	CHECK_EQ(pi.vlan_tpid[1], PKT_ETH_P_8021Q);
	CHECK_EQ(pi.vlan_tci[0], 100);
	CHECK_EQ(pi.vlan_tci[1], 101);
	CHECK_INT(pi.l2_len, 22);
	CHECK_INT(pi.l3_off, l3);
	CHECK_INT(pi.l3, PKT_L3_IPV6);
	CHECK_INT(pi.l4, PKT_L4_UDP);
	CHECK_INT(pi.l4_off, l4);
	CHECK_INT(pi.payload_off, pay);
	CHECK_INT(pi.payload_len, 3);

	/* A third tag is not parsed: the frame is not IP, not an error. */
	uint8_t three[64] = { 0 };
	memcpy(three + 12, "\x88\xa8\x00\x01\x81\x00\x00\x02\x81\x00\x00\x03"
			   "\x08\x00", 14);
	CHECK_INT(parse_exact(three, sizeof(three), &pi), 0);
	CHECK_INT(pi.vlan_count, 2);
	CHECK_INT(pi.l2_len, 22);
	CHECK_EQ(pi.ethertype, PKT_ETH_P_8021Q);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	CHECK_INT(pi.payload_off, 22);
	CHECK_INT(pi.payload_len, sizeof(three) - 22);
}

static void test_not_ip(void)
{
	uint8_t arp[42] = { 0 };
	struct pkt_info pi;

	arp[12] = 0x08;
	arp[13] = 0x06;
	CHECK_INT(parse_exact(arp, sizeof(arp), &pi), 0);
	CHECK_INT(pi.l2_len, 14);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	CHECK_INT(pi.l4, PKT_L4_NONE);
	CHECK_INT(pi.payload_off, 14);
	CHECK_INT(pi.payload_len, 28);
	CHECK(pkt_info_fits(&pi, sizeof(arp)));

	/* IEEE 802.3 length field: not Ethernet II, not IP. */
	arp[12] = 0x00;
	arp[13] = 0x1c;
	CHECK_INT(parse_exact(arp, sizeof(arp), &pi), 0);
	CHECK_INT(pi.l3, PKT_L3_NONE);

	/* A bare header is a frame with nothing after L2. */
	CHECK_INT(parse_exact(arp, 14, &pi), 0);
	CHECK_INT(pi.payload_len, 0);
}

static void test_ipv6_extension_headers(void)
{
	struct pkt_info pi;

	CHECK_INT(parse_exact(f_v6_tcp_ext, sizeof(f_v6_tcp_ext), &pi), 0);
	CHECK_INT(pi.l3, PKT_L3_IPV6);
	CHECK_INT(pi.l3_off, 14);
	CHECK_INT(pi.l3_len, 40 + 8 + 16);
	CHECK_INT(pi.ip_len, 40 + 157);
	CHECK_INT(pi.l4_proto, PKT_IPPROTO_TCP);
	CHECK_INT(pi.ip6_rt_off, 0);
	CHECK_INT(pi.l4, PKT_L4_TCP);
	CHECK_INT(pi.l4_off, 78);
	CHECK_INT(pi.l4_len, 32);
	CHECK_EQ(pi.tcp_flags, PKT_TCP_ACK);
	CHECK_INT(pi.payload_off, 110);
	CHECK_INT(pi.payload_len, 101);
	CHECK_INT(pi.pad_len, 0);

	CHECK_INT(parse_exact(f_v6_udp_rt2, sizeof(f_v6_udp_rt2), &pi), 0);
	CHECK_INT(pi.l3_len, 40 + 24);
	CHECK_INT(pi.ip6_rt_off, 54);
	CHECK_INT(pi.l4, PKT_L4_UDP);
	CHECK_INT(pi.payload_len, 14);

	/* An extension this parser does not walk (AH, 51) makes L4
	 * "other", after the headers it did walk. */
	static const uint8_t dstopts[8] = { 0, 0, 1, 4 }; /* PadN */
	static const uint8_t ah[16] = { 6, 2 };
	uint8_t buf[256];
	struct pr_spec s = { .ip = 6, .proto = 51, .ext = dstopts,
			     .ext_len = 8, .ext_first = PKT_IPPROTO_DSTOPTS,
			     .payload = ah, .payload_len = 16 };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK_INT(pi.l4, PKT_L4_OTHER);
	CHECK_INT(pi.l4_proto, 51);
	CHECK_INT(pi.l3_len, 48);
	CHECK_INT(pi.l4_off, 14 + 48);
	CHECK_INT(pi.l4_len, 0);
	CHECK_INT(pi.payload_off, 14 + 48);
	CHECK_INT(pi.payload_len, 16);
	CHECK(pkt_info_fits(&pi, len));

	/* ICMP over IPv4 is "other" too. */
	s = (struct pr_spec){ .ip = 4, .proto = 1, .payload = ah,
			      .payload_len = 8 };
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK_INT(pi.l4, PKT_L4_OTHER);
	CHECK_INT(pi.l4_proto, 1);
	CHECK_INT(pi.payload_len, 8);
}

static void test_ipv4_fragments(void)
{
	static const uint8_t pay[24] = { 1, 2, 3 };
	uint8_t buf[128];
	struct pkt_info pi;
	/* First fragment: MF, offset 0. */
	struct pr_spec s = { .ip = 4, .proto = 6, .ip_frag = 0x2000,
			     .payload = pay, .payload_len = sizeof(pay) };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);

	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK(pi.is_fragment);
	CHECK_INT(pi.frag_off, 0);
	CHECK_INT(pi.l4, PKT_L4_NONE);
	CHECK_INT(pi.l4_proto, PKT_IPPROTO_TCP);
	CHECK_INT(pi.payload_off, 34);
	CHECK_INT(pi.payload_len, 20 + sizeof(pay));
	CHECK(pkt_info_fits(&pi, len));

	/* Last fragment: offset 185 * 8, no MF. */
	s.ip_frag = 185;
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK(pi.is_fragment);
	CHECK_INT(pi.frag_off, 1480);
	CHECK_INT(pi.l4, PKT_L4_NONE);

	/* DF alone is no fragment. */
	s.ip_frag = 0x4000;
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK(!pi.is_fragment);
	CHECK_INT(pi.l4, PKT_L4_TCP);
}

static void test_ipv6_fragments(void)
{
	static const uint8_t pay[24] = { 1, 2, 3 };
	/* Fragment header: next header (set by pr_build), reserved,
	 * offset << 3 | M, identification. */
	uint8_t frag[8] = { 0, 0, 0x00, 0x01, 0, 0, 0, 42 };
	uint8_t buf[128];
	struct pkt_info pi;
	struct pr_spec s = { .ip = 6, .proto = 17, .ext = frag,
			     .ext_len = 8, .ext_first = PKT_IPPROTO_FRAGMENT,
			     .payload = pay, .payload_len = sizeof(pay) };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);

	/* First fragment (M set): no L4. */
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK(pi.is_fragment);
	CHECK_INT(pi.frag_off, 0);
	CHECK_INT(pi.l4, PKT_L4_NONE);
	CHECK_INT(pi.l4_proto, PKT_IPPROTO_UDP);
	CHECK_INT(pi.l3_len, 48);
	CHECK_INT(pi.payload_off, 14 + 48);
	CHECK_INT(pi.payload_len, 8 + sizeof(pay));

	/* A later fragment (offset 2, 16 bytes): no L4 either. */
	frag[3] = 0x10;
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK(pi.is_fragment);
	CHECK_INT(pi.frag_off, 16);
	CHECK_INT(pi.l4, PKT_L4_NONE);

	/* An atomic fragment (offset 0, no M; RFC 6946) is a whole
	 * packet: its UDP header is parsed. */
	frag[3] = 0x00;
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK(!pi.is_fragment);
	CHECK_INT(pi.l4, PKT_L4_UDP);
	CHECK_INT(pi.l4_off, 14 + 48);
	CHECK_INT(pi.payload_len, sizeof(pay));
}

/* UDP's own length bounds the datagram inside the IP packet. */
static void test_udp_length(void)
{
	uint8_t buf[128];
	struct pkt_info pi;
	static const uint8_t pay[10] = { 9 };
	struct pr_spec s = { .ip = 4, .proto = 17, .payload = pay,
			     .payload_len = sizeof(pay) };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);

	buf[14 + 20 + 5] = 8 + 4; /* UDP length 12 of 18 IP payload bytes */
	CHECK_INT(parse_exact(buf, len, &pi), 0);
	CHECK_INT(pi.payload_len, 4);
	CHECK_INT(pi.pad_len, 0);
	CHECK(pkt_info_fits(&pi, len));
}

/* ---- Malformed input ----------------------------------------------------- */

static void test_null_and_short(void)
{
	struct pkt_info pi;

	CHECK_INT(pkt_parse(f_v4_tcp, sizeof(f_v4_tcp), NULL), -EINVAL);
	CHECK_INT(pkt_parse(NULL, 60, &pi), -EINVAL);
	CHECK_INT(pi.err, -EINVAL);
	for (size_t len = 0; len < PKT_ETH_HLEN; len++) {
		CHECK_INT(parse_exact(f_v4_tcp, len, &pi), -EMSGSIZE);
		CHECK_INT(pi.l2_len, 0);
		CHECK_INT(pi.l3, PKT_L3_NONE);
		check_failed_clean(&pi);
	}
}

static void test_vlan_truncated(void)
{
	struct pkt_info pi;

	/* The tag's 4 bytes cut after 0, 1, 2, 3 of them. */
	for (size_t len = 14; len < 18; len++) {
		CHECK_INT(parse_exact(f_v4_udp_pad, len, &pi), -EMSGSIZE);
		CHECK_INT(pi.err, -EMSGSIZE);
		CHECK_INT(pi.l2_len, 0);
		CHECK_INT(pi.vlan_count, 0);
		CHECK_INT(pi.l3, PKT_L3_NONE);
		check_failed_clean(&pi);
	}
	/* The tag whole, nothing after it: an IPv4 header cut short. */
	CHECK_INT(parse_exact(f_v4_udp_pad, 18, &pi), -EMSGSIZE);
	CHECK_INT(pi.l2_len, 18);
	CHECK_INT(pi.l3, PKT_L3_NONE);
}

static void test_ipv4_malformed(void)
{
	uint8_t *f = pr_dup(f_v4_tcp, sizeof(f_v4_tcp));
	struct pkt_info pi;

	/* IHL < 5. */
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		f[14] = (uint8_t)(0x40 | ihl);
		CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
		CHECK_INT(pi.l2_len, 14);
		CHECK_INT(pi.l3, PKT_L3_NONE);
		check_failed_clean(&pi);
	}
	/* IHL 15 (60 bytes) in a 34-byte frame. */
	f[14] = 0x4f;
	CHECK_INT(parse_exact(f, 34, &pi), -EMSGSIZE);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	/* Version 6 behind ethertype 0x0800. */
	f[14] = 0x67;
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	f[14] = 0x47;

	/* Total length beyond the buffer: L3 usable, nothing after it. */
	f[16] = 0x00;
	f[17] = 0x52; /* 82, one more than there is */
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EMSGSIZE);
	CHECK_INT(pi.err, -EMSGSIZE);
	CHECK_INT(pi.l3, PKT_L3_IPV4);
	CHECK_INT(pi.l3_off, 14);
	CHECK_INT(pi.l3_len, 28);
	CHECK_INT(pi.ip_len, 82);
	CHECK_INT(pi.l4_proto, PKT_IPPROTO_TCP);
	check_failed_clean(&pi);
	f[16] = 0xff;
	f[17] = 0xff;
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EMSGSIZE);

	/* Total length below the header's. */
	f[16] = 0x00;
	f[17] = 27;
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	/* Exactly the header: no room for TCP. */
	f[17] = 28;
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_IPV4);
	check_failed_clean(&pi);
	f[17] = 0x51;

	/* TCP data offset < 5, and one past the IP packet. */
	for (uint8_t doff = 0; doff < 5; doff++) {
		f[42 + 12] = (uint8_t)(doff << 4);
		CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
		CHECK_INT(pi.l3, PKT_L3_IPV4);
		check_failed_clean(&pi);
	}
	f[16] = 0x00;
	f[17] = 28 + 20 + 3; /* IP ends 3 bytes into the TCP options... */
	f[42 + 12] = 0xa0;
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	f[17] = 28 + 19;     /* ...or inside the fixed TCP header */
	CHECK_INT(parse_exact(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_IPV4);
	check_failed_clean(&pi);
	free(f);
}

static void test_udp_malformed(void)
{
	uint8_t *f = pr_dup(f_v4_udp_pad, sizeof(f_v4_udp_pad));
	struct pkt_info pi;

	for (unsigned ulen = 0; ulen < 8; ulen++) {
		f[42] = 0;
		f[43] = (uint8_t)ulen;
		CHECK_INT(parse_exact(f, sizeof(f_v4_udp_pad), &pi),
			  -EBADMSG);
		check_failed_clean(&pi);
	}
	/* One past the IP packet (the padding does not count). */
	f[43] = 14;
	CHECK_INT(parse_exact(f, sizeof(f_v4_udp_pad), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_IPV4);
	check_failed_clean(&pi);
	f[43] = 13;
	CHECK_INT(parse_exact(f, sizeof(f_v4_udp_pad), &pi), 0);
	/* IP packet too short for the UDP header. */
	f[20] = 0;
	f[21] = 20 + 7;
	CHECK_INT(parse_exact(f, sizeof(f_v4_udp_pad), &pi), -EBADMSG);
	free(f);
}

static void test_ipv6_malformed(void)
{
	uint8_t *f = pr_dup(f_v6_tcp_ext, sizeof(f_v6_tcp_ext));
	struct pkt_info pi;

	/* The 40-byte header cut short. */
	CHECK_INT(parse_exact(f, 14 + 39, &pi), -EMSGSIZE);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	/* Version 4 behind 0x86dd. */
	f[14] = 0x41;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	f[14] = 0x61;

	/* Payload length one beyond the buffer: the fixed header usable. */
	f[19] = 0x9e;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EMSGSIZE);
	CHECK_INT(pi.l3, PKT_L3_IPV6);
	CHECK_INT(pi.l3_len, 40);
	CHECK_INT(pi.ip_len, 40 + 0x9e);
	check_failed_clean(&pi);
	f[19] = 0x9d;

	/* The destination options header's length runs past the IPv6
	 * payload (and the buffer): the chain runs off the end. */
	f[63] = 0xff;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	CHECK_INT(pi.l2_len, 14);
	check_failed_clean(&pi);
	f[63] = 0x01;

	/* The payload length ends the packet inside the 16-byte
	 * destination options header: 12, 8, 4, 0 bytes of it, then 1. */
	for (unsigned plen = 8 + 12; plen >= 8; plen -= 4) {
		f[18] = 0;
		f[19] = (uint8_t)plen;
		CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi),
			  -EBADMSG);
		CHECK_INT(pi.l3, PKT_L3_NONE);
		check_failed_clean(&pi);
	}
	f[19] = 9;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	/* Ending exactly after the extension headers: no room for TCP. */
	f[19] = 24;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_IPV6);
	check_failed_clean(&pi);
	/* Payload length 0 and a hop-by-hop header: nothing fits. */
	f[19] = 0;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	f[18] = 0x00;
	f[19] = 0x9d;

	/* Hop-by-hop anywhere but first (RFC 8200 4.1). */
	f[54] = PKT_IPPROTO_HOPOPTS;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	CHECK_INT(pi.l3, PKT_L3_NONE);
	f[54] = PKT_IPPROTO_DSTOPTS;

	/* A fragment header cut by the payload length. */
	f[20] = PKT_IPPROTO_FRAGMENT;
	f[19] = 7;
	CHECK_INT(parse_exact(f, sizeof(f_v6_tcp_ext), &pi), -EBADMSG);
	free(f);
}

/* Set the IP length fields of frame (IP header at l3) to say the packet
 * ends at len. */
static void declare_end(uint8_t *f, size_t l3, size_t len)
{
	size_t n = len - l3;

	if (f[l3] >> 4 == 4) {
		f[l3 + 2] = (uint8_t)(n >> 8);
		f[l3 + 3] = (uint8_t)n;
	} else {
		n -= 40;
		f[l3 + 4] = (uint8_t)(n >> 8);
		f[l3 + 5] = (uint8_t)n;
	}
}

/* Headers cut at every byte with the IP length agreeing with the cut, so
 * the IP packet ends exactly at the buffer's end: the IPv6 extension
 * chain and the TCP / UDP header must be refused from the lengths alone,
 * never read past the end (ASan). */
static void test_cut_headers_consistent(void)
{
	static const struct {
		const uint8_t *bytes;
		size_t l3, l4, l4_hlen;
		size_t first_cut; /* IPv4: after the options; IPv6: after
				   * the fixed header */
		enum pkt_l3 l3_type;
	} cuts[] = {
		{ f_v4_tcp, 14, 42, 40, 42, PKT_L3_IPV4 },
		{ f_v4_udp_pad, 18, 38, 8, 38, PKT_L3_IPV4 },
		{ f_v6_tcp_ext, 14, 78, 32, 54, PKT_L3_IPV6 },
		{ f_v6_udp_rt2, 14, 78, 8, 54, PKT_L3_IPV6 },
	};
	struct pkt_info pi;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t full = cuts[i].l4 + cuts[i].l4_hlen;
		for (size_t len = cuts[i].first_cut; len < full; len++) {
			uint8_t *f = pr_dup(cuts[i].bytes, len);
			declare_end(f, cuts[i].l3, len);
			CHECK_INT(pkt_parse(f, len, &pi), -EBADMSG);
			check_failed_clean(&pi);
			/* Within the extension chain L3 is at fault; after
			 * it, L4 is. */
			CHECK_INT(pi.l3, len < cuts[i].l4 ? PKT_L3_NONE :
							    cuts[i].l3_type);
			free(f);
		}
		/* The whole header and no payload is a packet (UDP: with
		 * its length saying so). */
		uint8_t *f = pr_dup(cuts[i].bytes, full);
		declare_end(f, cuts[i].l3, full);
		if (cuts[i].l4_hlen == 8) {
			f[cuts[i].l4 + 4] = 0;
			f[cuts[i].l4 + 5] = 8;
		}
		CHECK_INT(pkt_parse(f, full, &pi), 0);
		CHECK_INT(pi.payload_len, 0);
		free(f);
	}
}

/* ---- Every prefix, every mutation ---------------------------------------- */

struct sample {
	const uint8_t *bytes;
	size_t len;
	size_t ip_end; /* where the IP packet ends */
};

static const struct sample samples[] = {
	{ f_v4_tcp, sizeof(f_v4_tcp), sizeof(f_v4_tcp) },
	{ f_v4_udp_pad, sizeof(f_v4_udp_pad), 18 + 33 },
	{ f_v6_tcp_ext, sizeof(f_v6_tcp_ext), sizeof(f_v6_tcp_ext) },
	{ f_v6_udp_rt2, sizeof(f_v6_udp_rt2), sizeof(f_v6_udp_rt2) },
	{ f_v4_udp_zero, sizeof(f_v4_udp_zero), sizeof(f_v4_udp_zero) },
	{ f_v6_udp_zero, sizeof(f_v6_udp_zero), sizeof(f_v6_udp_zero) },
};

/* A frame cut anywhere before its IP packet ends is refused; cut in the
 * padding it parses. */
static void test_every_prefix(void)
{
	struct pkt_info pi;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		for (size_t len = 0; len <= s->len; len++) {
			int rc = parse_exact(s->bytes, len, &pi);
			CHECK_INT(rc, pi.err);
			if (len < s->ip_end) {
				CHECK_INT(rc, -EMSGSIZE);
				check_failed_clean(&pi);
			} else {
				CHECK_INT(rc, 0);
				CHECK_INT(pi.pad_len, len - s->ip_end);
				CHECK(pkt_info_fits(&pi, len));
			}
		}
	}
}

/* Random byte changes: the parser must never read out of bounds (ASan),
 * and whatever it accepts must fit the buffer. */
static void test_mutations(void)
{
	uint8_t buf[256];
	struct pkt_info pi;
	unsigned int seed = 12345;
	int accepted = 0, refused = 0;

	for (int round = 0; round < 20000; round++) {
		const struct sample *s =
			&samples[round % (sizeof(samples) / sizeof(samples[0]))];
		memcpy(buf, s->bytes, s->len);
		int flips = 1 + rand_r(&seed) % 4;
		for (int k = 0; k < flips; k++) {
			/* Bias towards the headers, where the lengths are. */
			size_t at = (size_t)rand_r(&seed) % (s->len < 80 ?
							     s->len : 80);
			buf[at] = (uint8_t)rand_r(&seed);
		}
		size_t len = (size_t)rand_r(&seed) % (s->len + 1);
		int rc = parse_exact(buf, len, &pi);
		CHECK_INT(rc, pi.err);
		if (rc == 0) {
			accepted++;
			CHECK(pkt_info_fits(&pi, len));
		} else {
			refused++;
			CHECK(rc == -EMSGSIZE || rc == -EBADMSG);
			check_failed_clean(&pi);
		}
	}
	CHECK(accepted > 100);
	CHECK(refused > 100);
}

TEST_MAIN("pkt_parse",
	  TEST_CASE(test_ipv4_tcp_options),
	  TEST_CASE(test_vlan_udp_padding),
	  TEST_CASE(test_qinq),
	  TEST_CASE(test_not_ip),
	  TEST_CASE(test_ipv6_extension_headers),
	  TEST_CASE(test_ipv4_fragments),
	  TEST_CASE(test_ipv6_fragments),
	  TEST_CASE(test_udp_length),
	  TEST_CASE(test_null_and_short),
	  TEST_CASE(test_vlan_truncated),
	  TEST_CASE(test_ipv4_malformed),
	  TEST_CASE(test_udp_malformed),
	  TEST_CASE(test_ipv6_malformed),
	  TEST_CASE(test_cut_headers_consistent),
	  TEST_CASE(test_every_prefix),
	  TEST_CASE(test_mutations))
