/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Segmentation from a TWD's layout, fed the checksum seed fbnic_tx_lso
 * leaves: TCP/IPv4 with IP and TCP options and TCP/IPv6 with extension
 * headers cut at several MSS; every segment parses, its checksums verify
 * with the library and with the independent reference, the payloads
 * concatenate back, sequence numbers and IPv4 ids step, FIN/PSH/CWR land
 * where they belong; one-segment and empty frames; UDP datagrams
 * (GSO_UDP_L4) over both; IPv6 in IPv6 (V6V6) and a GRE tunnel as
 * GSO_PARTIAL sends it (OTHER); every refusal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/bytes.h"
#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt/tso.h"
#include "pktref.h"
#include "test.h"

#define PAYLOAD 3000u
#define BIG (70 * 1024)

static const uint8_t ip_opts[12] = { 0x01, 0x01, 0x01, 0x44, 0x08, 0x05,
				     0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t tcp_opts[12] = { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03,
				      0x03, 0x07, 0x04, 0x02, 0x00, 0x00 };
/* hop-by-hop (PadN), destination options (PadN, 16 bytes). */
static const uint8_t ext[24] = {
	PKT_IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0,
	0, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static uint8_t payload[BIG];

/* The TWD's layout of a frame pkt_parse() understood (fbnic_tx_lso). */
static struct pkt_tso_layout layout_of(const struct pkt_info *pi)
{
	return (struct pkt_tso_layout){
		.l3 = pi->l3 == PKT_L3_IPV4 ? PKT_TSO_L3_IPV4 : PKT_TSO_L3_IPV6,
		.l3_off = pi->l3_off, .inner_l3_off = pi->l3_off,
		.l4_off = pi->l4_off, .l4_len = pi->l4_len,
		.udp = pi->l4 == PKT_L4_UDP,
	};
}

/* What fbnic_tx_lso leaves in the L4 checksum field: the pseudo-header's
 * sum without the length (the IP header at l3_off: its addresses, proto),
 * folded, not complemented; computed with the reference sum. */
static void put_seed(uint8_t *f, size_t l3_off, size_t l4_off, uint8_t proto)
{
	bool v4 = f[l3_off] >> 4 == 4;
	uint32_t sum = pr_sum(f + l3_off + (v4 ? 12 : 8), v4 ? 8 : 32);
	sum += proto;
	sum = (sum & 0xffff) + (sum >> 16);
	pkt_put_be16(f + l4_off + (proto == 6 ? 16 : 6), (uint16_t)sum);
}

static const uint8_t *random_payload(void)
{
	static bool filled;
	unsigned int seed = 4242;

	if (!filled) {
		for (size_t i = 0; i < sizeof(payload); i++)
			payload[i] = (uint8_t)rand_r(&seed);
		filled = true;
	}
	return payload;
}

/* A TCP frame with FIN, PSH, CWR and ACK set, a sequence number and an
 * IPv4 id about to wrap; returned in a malloc of its exact length. */
static uint8_t *build(int ip, size_t n, size_t pad_to, size_t *len)
{
	struct pr_spec s = {
		.ip = ip, .proto = 6, .vlans = 1,
		.ip_opts = ip_opts, .ip_opts_len = ip == 4 ? 12 : 0,
		.ext = ext, .ext_len = ip == 6 ? sizeof(ext) : 0,
		.ext_first = PKT_IPPROTO_HOPOPTS, .ext_last = 8,
		.ip_id = 0xfffe,
		.tcp_opts = tcp_opts, .tcp_opts_len = 12,
		.tcp_flags = PKT_TCP_FIN | PKT_TCP_PSH | PKT_TCP_CWR |
			     PKT_TCP_ACK | PKT_TCP_ECE,
		.seq = 0xfffff000u,
		.payload = random_payload(), .payload_len = n,
		.pad_to = pad_to,
	};
	uint8_t *buf = malloc(BIG);
	if (!buf)
		abort();
	*len = pr_build(buf, BIG, &s, NULL, NULL, NULL);
	uint8_t *f = pr_dup(buf, *len);
	free(buf);
	return f;
}

/* Segment frame (its checksum field as the driver leaves it) at mss and
 * check everything about every segment. */
static void check_segments(const uint8_t *input, size_t len, unsigned mss)
{
	struct pkt_info pi;
	REQUIRE(pkt_parse(input, len, &pi) == 0);
	REQUIRE(pi.pad_len == 0);
	uint8_t *frame = pr_dup(input, len);
	put_seed(frame, pi.l3_off, pi.l4_off, 6);
	struct pkt_tso_layout lo = layout_of(&pi);
	int count = pkt_tso_count(len, &lo, mss);
	size_t want = pi.payload_len ? (pi.payload_len + mss - 1) / mss : 1;
	CHECK_INT(count, want);
	REQUIRE(count > 0);

	const uint8_t *ip = frame + pi.l3_off, *tcp = frame + pi.l4_off;
	uint8_t *out = malloc(BIG);
	uint8_t *joined = malloc(BIG);
	size_t joined_len = 0;
	REQUIRE(out && joined);
	for (int n = 0; n < count; n++) {
		int slen = pkt_tso_segment(frame, len, &lo, mss, (unsigned)n,
					   out, BIG);
		REQUIRE(slen > 0);
		uint8_t *seg = pr_dup(out, (size_t)slen);
		struct pkt_info si;
		size_t pay = n + 1 < count ? mss : pi.payload_len - n * mss;

		CHECK_INT(slen, pi.payload_off + pay);
		CHECK_INT(pkt_parse(seg, (size_t)slen, &si), 0);
		CHECK_INT(si.l2_len, pi.l2_len);
		CHECK_INT(si.l3, pi.l3);
		CHECK_INT(si.l3_len, pi.l3_len);
		CHECK_INT(si.l4, PKT_L4_TCP);
		CHECK_INT(si.l4_off, pi.l4_off);
		CHECK_INT(si.l4_len, pi.l4_len);
		CHECK_INT(si.payload_off, pi.payload_off);
		CHECK_INT(si.payload_len, pay);
		CHECK_INT(si.pad_len, 0);
		CHECK_INT(si.ip_len, pi.l3_len + pi.l4_len + pay);

		/* Checksums: the library and the reference. */
		CHECK_INT(pkt_l4_csum_verify(seg, (size_t)slen, &si), 0);
		CHECK_EQ(pr_l4_csum(seg, si.l3_off, si.l4_off,
				    si.l4_len + pay, 6, NULL),
			 pkt_get_be16(seg + si.l4_off + 16));
		const uint8_t *sip = seg + si.l3_off;
		const uint8_t *stcp = seg + si.l4_off;
		if (si.l3 == PKT_L3_IPV4) {
			CHECK_INT(pkt_ipv4_csum_verify(seg, (size_t)slen, &si),
				  0);
			CHECK_EQ(pr_sum(sip, si.l3_len), 0xffff);
			CHECK_EQ(pkt_get_be16(sip + 4),
				 (uint16_t)(pkt_get_be16(ip + 4) + n));
		}

		/* Sequence, flags; everything else of the headers as is. */
		CHECK_EQ(pkt_get_be32(stcp + 4),
			 (uint32_t)(pkt_get_be32(tcp + 4) + n * mss));
		uint8_t want_flags = tcp[13];
		if (n + 1 < count)
			want_flags &= (uint8_t)~(PKT_TCP_FIN | PKT_TCP_PSH);
		if (n > 0)
			want_flags &= (uint8_t)~PKT_TCP_CWR;
		CHECK_EQ(stcp[13], want_flags);
		CHECK_EQ(si.tcp_flags, want_flags);
		CHECK_MEM(seg, frame, si.l3_off);
		if (si.l3 == PKT_L3_IPV4) {
			CHECK_MEM(sip, ip, 2);
			CHECK_MEM(sip + 6, ip + 6, 4);
			CHECK_MEM(sip + 12, ip + 12, si.l3_len - 12);
		} else {
			CHECK_MEM(sip, ip, 4);
			CHECK_MEM(sip + 6, ip + 6, si.l3_len - 6);
			CHECK_EQ(pkt_get_be16(sip + 4), si.ip_len - 40);
		}
		CHECK_MEM(stcp, tcp, 4);
		CHECK_MEM(stcp + 8, tcp + 8, 5);
		CHECK_MEM(stcp + 14, tcp + 14, 2);
		CHECK_MEM(stcp + 18, tcp + 18, si.l4_len - 18);

		memcpy(joined + joined_len, seg + si.payload_off, pay);
		joined_len += pay;
		free(seg);
		if (test_failures)
			break;
	}
	CHECK_INT(joined_len, pi.payload_len);
	CHECK_MEM(joined, frame + pi.payload_off, pi.payload_len);
	/* One past the last segment. */
	CHECK_INT(pkt_tso_segment(frame, len, &lo, mss, (unsigned)count, out,
				  BIG), -ERANGE);
	free(out);
	free(joined);
	free(frame);
}

static void test_ipv4_options(void)
{
	size_t len;
	uint8_t *f = build(4, PAYLOAD, 0, &len);
	struct pkt_info pi;

	REQUIRE(pkt_parse(f, len, &pi) == 0);
	CHECK_INT(pi.l3_len, 32);
	CHECK_INT(pi.l4_len, 32);
	CHECK_EQ(pi.tcp_flags, PKT_TCP_FIN | PKT_TCP_PSH | PKT_TCP_CWR |
				       PKT_TCP_ACK | PKT_TCP_ECE);
	struct pkt_tso_layout lo = layout_of(&pi);
	CHECK_INT(pkt_tso_count(len, &lo, 1000), 3);
	CHECK_INT(pkt_tso_count(len, &lo, 1448), 3);
	check_segments(f, len, 1000);
	check_segments(f, len, 1448);
	check_segments(f, len, 7); /* odd segment lengths */
	free(f);
}

static void test_ipv6_extension_headers(void)
{
	size_t len;
	uint8_t *f = build(6, PAYLOAD, 0, &len);
	struct pkt_info pi;

	REQUIRE(pkt_parse(f, len, &pi) == 0);
	CHECK_INT(pi.l3_len, 40 + 24);
	struct pkt_tso_layout lo = layout_of(&pi);
	CHECK_INT(pkt_tso_count(len, &lo, 1000), 3);
	check_segments(f, len, 1000);
	check_segments(f, len, 1448);
	check_segments(f, len, 999);
	free(f);
}

/* The largest IPv4 packet: 65535 bytes, 46 segments at 1448. */
static void test_64k(void)
{
	size_t len;
	uint8_t *f = build(4, 65535 - 32 - 32, 0, &len);
	struct pkt_info pi;

	REQUIRE(pkt_parse(f, len, &pi) == 0);
	CHECK_INT(pi.ip_len, 65535);
	struct pkt_tso_layout lo = layout_of(&pi);
	CHECK_INT(pkt_tso_count(len, &lo, 1448), 46);
	check_segments(f, len, 1448);
	free(f);
	f = build(6, 65535 - 24 - 32, 0, &len);
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	CHECK_INT(pi.ip_len, 40 + 65535);
	check_segments(f, len, 9000);
	free(f);
}

/* MSS >= payload: one segment, the input itself with its checksum
 * completed from the seed; without payload, the headers alone. */
static void test_one_segment(void)
{
	for (int ip = 4; ip <= 6; ip += 2) {
		size_t len;
		uint8_t *f = build(ip, 100, 0, &len);
		uint8_t *out = malloc(BIG);
		struct pkt_info pi;

		REQUIRE(out);
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		struct pkt_tso_layout lo = layout_of(&pi);
		uint8_t *seeded = pr_dup(f, len);
		put_seed(seeded, pi.l3_off, pi.l4_off, 6);
		/* A wrong IPv4 header checksum comes out right too. */
		if (ip == 4)
			seeded[pi.l3_off + 10] ^= 0xff;
		for (unsigned mss = 100; mss <= 101; mss++) {
			CHECK_INT(pkt_tso_count(len, &lo, mss), 1);
			CHECK_INT(pkt_tso_segment(seeded, len, &lo, mss, 0, out,
						  BIG), len);
			CHECK_MEM(out, f, len);
		}
		CHECK_INT(pkt_tso_segment(seeded, len, &lo, 16383, 0, out, len),
			  len);
		CHECK_MEM(out, f, len);
		check_segments(f, len, 99);

		/* The device trusts the seed: any other value in the field
		 * gives a checksum that does not verify (as on hardware). */
		CHECK_INT(pkt_tso_segment(f, len, &lo, 1000, 0, out, BIG), len);
		CHECK(pkt_l4_csum_verify(out, len, &pi) != 0);

		/* No payload at all: one segment, the headers. */
		uint8_t *empty = build(ip, 0, 0, &len);
		REQUIRE(pkt_parse(empty, len, &pi) == 0);
		lo = layout_of(&pi);
		free(seeded);
		seeded = pr_dup(empty, len);
		put_seed(seeded, pi.l3_off, pi.l4_off, 6);
		CHECK_INT(pkt_tso_count(len, &lo, 1448), 1);
		CHECK_INT(pkt_tso_segment(seeded, len, &lo, 1448, 0, out, BIG),
			  len);
		CHECK_MEM(out, empty, len);
		free(seeded);
		free(empty);
		free(out);
		free(f);
	}
}

/* UDP segmentation (GSO_UDP_L4): datagrams of MSS payload bytes, each
 * with its UDP length, IP length and id, and checksums that verify. */
static void test_udp(void)
{
	for (int ip = 4; ip <= 6; ip += 2) {
		struct pr_spec s = { .ip = ip, .proto = 17, .ip_id = 0xffff,
				     .payload = random_payload(),
				     .payload_len = 2500 };
		static uint8_t f[4096];
		size_t len = pr_build(f, sizeof(f), &s, NULL, NULL, NULL);
		struct pkt_info pi;
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		struct pkt_tso_layout lo = layout_of(&pi);
		put_seed(f, pi.l3_off, pi.l4_off, 17);
		CHECK_INT(pkt_tso_count(len, &lo, 1000), 3);
		for (unsigned n = 0; n < 3; n++) {
			static uint8_t out[2048];
			int sl = pkt_tso_segment(f, len, &lo, 1000, n, out,
						 sizeof(out));
			REQUIRE(sl > 0);
			struct pkt_info so;
			REQUIRE(pkt_parse(out, (size_t)sl, &so) == 0);
			CHECK_INT(so.l4, PKT_L4_UDP);
			CHECK_INT(so.payload_len, n < 2 ? 1000 : 500);
			CHECK_INT(pkt_get_be16(out + so.l4_off + PKT_UDP_LEN_OFF),
				  8 + so.payload_len);
			CHECK_INT(pkt_l4_csum_verify(out, (size_t)sl, &so), 0);
			CHECK_EQ(pr_l4_csum(out, so.l3_off, so.l4_off,
					    8 + so.payload_len, 17, NULL),
				 pkt_get_be16(out + so.l4_off + 6));
			CHECK_MEM(out + so.payload_off,
				  f + pi.payload_off + 1000 * n, so.payload_len);
			if (ip == 4) {
				CHECK_INT(pkt_ipv4_csum_verify(out, (size_t)sl, &so), 0);
				CHECK_INT(pkt_get_be16(out + so.l3_off + PKT_IPV4_ID_OFF),
					  (uint16_t)(0xffff + n));
			}
		}
	}
}

/* A segment whose L4 sum comes to zero: TCP sends 0x0000 (RFC 1624 3:
 * what a full computation gives; Wireshark flags 0xffff), UDP 0xffff
 * (RFC 768: 0 would mean "no checksum"). */
static void test_zero_checksum(void)
{
	for (uint8_t proto = 6; proto <= 17; proto += 11) {
		struct pr_spec s = { .ip = 4, .proto = proto, .seq = 9,
				     .payload = random_payload(),
				     .payload_len = 100 };
		uint8_t f[256], out[256];
		size_t len = pr_build(f, sizeof(f), &s, NULL, NULL, NULL);
		struct pkt_info pi;
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		size_t co = pi.l4_off + (proto == 6 ? 16 : 6);
		/* Add the checksum to a payload word: the sum becomes -0. */
		uint32_t w = pkt_get_be16(f + pi.payload_off) +
			     pkt_get_be16(f + co);
		pkt_put_be16(f + pi.payload_off, (uint16_t)(w + (w >> 16)));
		struct pkt_tso_layout lo = layout_of(&pi);
		put_seed(f, pi.l3_off, pi.l4_off, proto);
		REQUIRE(pkt_tso_segment(f, len, &lo, 1000, 0, out, sizeof(out)) ==
			(int)len);
		CHECK_EQ(pkt_get_be16(out + co), proto == 6 ? 0x0000 : 0xffff);
		CHECK_INT(pkt_l4_csum_verify(out, len, &pi), 0);
	}
}

/* ---- tunnels ----------------------------------------------------------- */

static const uint8_t outer6[40] = {
	0x60, 0, 0, 0, 0, 0, 41, 64, /* plen set below; next: IPv6 */
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
};

/* Put `outer` (olen bytes of tunnel headers) between inner's Ethernet
 * header (14 bytes) and its IP packet, with the given ethertype. */
static size_t wrap(uint8_t *out, const uint8_t *inner, size_t ilen,
		   const uint8_t *outer, size_t olen, uint16_t ethertype)
{
	memcpy(out, inner, 12);
	pkt_put_be16(out + 12, ethertype);
	memcpy(out + 14, outer, olen);
	memcpy(out + 14 + olen, inner + 14, ilen - 14);
	return ilen + olen;
}

/* IPv6 in IPv6 (V6V6: L3_OHLEN the outer header, L3_IHLEN the inner):
 * both payload lengths per segment, the TCP checksum over the inner
 * pseudo-header, nothing else of the outer header changed. */
static void test_ipv6_in_ipv6(void)
{
	struct pr_spec s = { .ip = 6, .proto = 6, .tcp_flags = PKT_TCP_ACK,
			     .seq = 77, .payload = random_payload(),
			     .payload_len = PAYLOAD };
	uint8_t *inner = malloc(BIG), *f = malloc(BIG), *out = malloc(BIG);
	REQUIRE(inner && f && out);
	size_t ilen = pr_build(inner, BIG, &s, NULL, NULL, NULL);
	size_t len = wrap(f, inner, ilen, outer6, 40, 0x86dd);
	pkt_put_be16(f + 14 + 4, (uint16_t)(len - 14 - 40));
	const size_t in3 = 14 + 40, l4 = in3 + 40;
	put_seed(f, in3, l4, 6);
	struct pkt_tso_layout lo = { .l3 = PKT_TSO_L3_V6V6, .l3_off = 14,
				     .inner_l3_off = in3, .l4_off = l4,
				     .l4_len = 20 };
	CHECK_INT(pkt_tso_count(len, &lo, 1400), 3);
	size_t joined = 0;
	for (unsigned n = 0; n < 3; n++) {
		int sl = pkt_tso_segment(f, len, &lo, 1400, n, out, BIG);
		REQUIRE(sl > 0);
		size_t pay = n < 2 ? 1400 : PAYLOAD - 2800;
		CHECK_INT(sl, l4 + 20 + pay);
		CHECK_INT(pkt_get_be16(out + 14 + 4), 40 + 20 + pay);
		CHECK_INT(pkt_get_be16(out + in3 + 4), 20 + pay);
		CHECK_MEM(out, f, 14 + 4);
		CHECK_MEM(out + 14 + 6, f + 14 + 6, 34 + 4);
		CHECK_MEM(out + in3 + 6, f + in3 + 6, 34);
		CHECK_EQ(pkt_get_be32(out + l4 + 4), 77 + 1400 * n);
		CHECK_EQ(pr_l4_csum(out, in3, l4, 20 + pay, 6, NULL),
			 pkt_get_be16(out + l4 + 16));
		CHECK_MEM(out + l4 + 20, f + l4 + 20 + joined, pay);
		joined += pay;
	}
	CHECK_INT(joined, PAYLOAD);
	free(inner);
	free(f);
	free(out);
}

/* GRE as GSO_PARTIAL sends it (L3_TYPE OTHER, L3_IHLEN from the outer IP
 * header to the inner TCP): the stack wrote every header for an mss-byte
 * segment (outer IPv4 length and checksum, inner IPv6 length); the device
 * copies them untouched and does the TCP part. */
static void test_gre_partial(void)
{
	const unsigned mss = 1000;
	struct pr_spec s = { .ip = 6, .proto = 6, .tcp_flags = PKT_TCP_ACK |
							    PKT_TCP_PSH,
			     .seq = 5, .payload = random_payload(),
			     .payload_len = 3 * mss };
	uint8_t *inner = malloc(BIG), *f = malloc(BIG), *out = malloc(BIG);
	REQUIRE(inner && f && out);
	size_t ilen = pr_build(inner, BIG, &s, NULL, NULL, NULL);
	uint8_t outer[24] = { 0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 47, 0, 0,
			      10, 0, 0, 1, 10, 0, 0, 2, /* IPv4, DF, GRE */
			      0, 0, 0x86, 0xdd };     /* GRE: IPv6 */
	size_t len = wrap(f, inner, ilen, outer, sizeof(outer), 0x0800);
	const size_t in3 = 14 + 24, l4 = in3 + 40;
	/* what the stack writes for one segment */
	pkt_put_be16(f + 14 + 2, (uint16_t)(24 + 40 + 20 + mss));
	pkt_put_be16(f + 14 + 10, 0);
	pkt_put_be16(f + 14 + 10, (uint16_t)~pr_sum(f + 14, 20));
	pkt_put_be16(f + in3 + 4, (uint16_t)(20 + mss));
	put_seed(f, in3, l4, 6);
	struct pkt_tso_layout lo = { .l3 = PKT_TSO_L3_OTHER, .l3_off = 14,
				     .inner_l3_off = 14, .l4_off = l4,
				     .l4_len = 20 };
	CHECK_INT(pkt_tso_count(len, &lo, mss), 3);
	for (unsigned n = 0; n < 3; n++) {
		int sl = pkt_tso_segment(f, len, &lo, mss, n, out, BIG);
		REQUIRE(sl > 0);
		CHECK_INT(sl, l4 + 20 + mss);
		CHECK_MEM(out, f, l4 + 4); /* every header before TCP's seq */
		CHECK_EQ(pr_sum(out + 14, 20), 0xffff);
		CHECK_EQ(pkt_get_be32(out + l4 + 4), 5 + mss * n);
		CHECK_EQ(out[l4 + 13], n < 2 ? PKT_TCP_ACK
					     : PKT_TCP_ACK | PKT_TCP_PSH);
		CHECK_EQ(pr_l4_csum(out, in3, l4, 20 + mss, 6, NULL),
			 pkt_get_be16(out + l4 + 16));
		CHECK_MEM(out + l4 + 20, f + l4 + 20 + mss * n, mss);
	}
	free(inner);
	free(f);
	free(out);
}

static void test_refusals(void)
{
	size_t len;
	uint8_t *f = build(4, PAYLOAD, 0, &len);
	uint8_t *out = malloc(BIG);
	struct pkt_info pi;

	REQUIRE(out);
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	struct pkt_tso_layout lo = layout_of(&pi), bad;
	/* MSS 0. */
	CHECK_INT(pkt_tso_count(len, &lo, 0), -EINVAL);
	CHECK_INT(pkt_tso_segment(f, len, &lo, 0, 0, out, BIG), -EINVAL);
	/* NULLs. */
	CHECK_INT(pkt_tso_count(len, NULL, 1000), -EINVAL);
	CHECK_INT(pkt_tso_segment(NULL, len, &lo, 1000, 0, out, BIG),
		  -EINVAL);
	CHECK_INT(pkt_tso_segment(f, len, &lo, 1000, 0, NULL, BIG), -EINVAL);
	/* Headers past the frame's end; L4 before L3. */
	CHECK_INT(pkt_tso_count(pi.payload_off - 1, &lo, 1000), -EINVAL);
	bad = lo;
	bad.l4_off = bad.l3_off - 2;
	CHECK_INT(pkt_tso_count(len, &bad, 1000), -EINVAL);
	/* An L3 shorter than its header; an unknown L3 type. */
	bad = lo;
	bad.l4_off = bad.l3_off + 18;
	CHECK_INT(pkt_tso_count(len, &bad, 1000), -EINVAL);
	bad = lo;
	bad.l3 = (enum pkt_tso_l3)4;
	CHECK_INT(pkt_tso_count(len, &bad, 1000), -EINVAL);
	/* Segment n out of range; a buffer one byte short, exactly right. */
	CHECK_INT(pkt_tso_segment(f, len, &lo, 1000, 3, out, BIG), -ERANGE);
	CHECK_INT(pkt_tso_segment(f, len, &lo, 1000, 0, out,
				  pi.payload_off + 999), -ENOSPC);
	CHECK_INT(pkt_tso_segment(f, len, &lo, 1000, 0, out, 10), -ENOSPC);
	uint8_t *exact = malloc(pi.payload_off + 1000);
	REQUIRE(exact);
	CHECK_INT(pkt_tso_segment(f, len, &lo, 1000, 0, exact,
				  pi.payload_off + 1000),
		  pi.payload_off + 1000);
	free(exact);

	/* The frame's bytes contradict the layout: IPv4 said, IPv6 there;
	 * IPv4 header length other than the TWD's; a TCP header length
	 * other than its data offset; UDP said, 32 header bytes given. */
	bad = lo;
	bad.l3 = PKT_TSO_L3_IPV6;
	bad.l4_off = lo.l4_off + 8; /* a 40-byte "IPv6" header */
	CHECK_INT(pkt_tso_segment(f, len, &bad, 1000, 0, out, BIG), -EPROTO);
	bad = lo;
	bad.l4_off -= 4;
	CHECK_INT(pkt_tso_segment(f, len, &bad, 1000, 0, out, BIG), -EPROTO);
	bad = lo;
	bad.l4_len = 20;
	CHECK_INT(pkt_tso_segment(f, len, &bad, 1000, 0, out, BIG), -EPROTO);
	bad = lo;
	bad.udp = true;
	CHECK_INT(pkt_tso_segment(f, len, &bad, 1000, 0, out, BIG), -EPROTO);
	/* V6V6 on an IPv4 frame; an inner header outside the L3 span. */
	bad = lo;
	bad.l3 = PKT_TSO_L3_V6V6;
	CHECK_INT(pkt_tso_count(len, &bad, 1000), -EINVAL);
	free(f);

	/* A fragment. */
	static const uint8_t pay[64];
	uint8_t buf[256];
	struct pr_spec s = { .ip = 4, .proto = 6, .payload = pay,
			     .payload_len = sizeof(pay), .ip_frag = 0x2000 };
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	lo = (struct pkt_tso_layout){ .l3 = PKT_TSO_L3_IPV4, .l3_off = 14,
				      .l4_off = 34, .l4_len = 20 };
	CHECK_INT(pkt_tso_count(len, &lo, 16), 4);
	CHECK_INT(pkt_tso_segment(buf, len, &lo, 16, 0, out, BIG), -EPROTO);

	/* Headers longer than a TWD describes: L2 past 126 bytes, an L4
	 * header past 60; 464 bytes of IPv6 extension headers still fit. */
	bad = lo;
	bad.l3_off = 128;
	bad.l4_off = 148;
	CHECK_INT(pkt_tso_count(len + 200, &bad, 16), -E2BIG);
	bad = lo;
	bad.l4_len = 64;
	CHECK_INT(pkt_tso_count(len, &bad, 16), -E2BIG);
	uint8_t *big = calloc(1, 600);
	REQUIRE(big);
	big[1] = 52; /* destination options of 424 bytes */
	s = (struct pr_spec){ .ip = 6, .proto = 6, .ext = big,
			      .ext_len = 424,
			      .ext_first = PKT_IPPROTO_DSTOPTS,
			      .payload = pay, .payload_len = sizeof(pay) };
	uint8_t *fb = malloc(BIG);
	REQUIRE(fb);
	len = pr_build(fb, BIG, &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(fb, len, &pi) == 0);
	CHECK_INT(pi.l3_len, 464);
	lo = layout_of(&pi);
	CHECK_INT(pkt_tso_count(len, &lo, 16), 4);
	check_segments(fb, len, 16);
	free(fb);
	free(big);
	free(out);
}

/* pkt_tso_gso_prepare: the packet as a segmenting receiver (a tap's
 * kernel, from a virtio-net header) gets it.  Checked the receiver's way:
 * cutting the prepared packet as tcp_gso_segment does (net/ipv4/
 * tcp_offload.c: per segment the IP length and IPv4 id, the sequence,
 * FIN and PSH on the last only, CWR on the first only, and the checksum
 * field moved by delta = segment's TCP length - whole TCP length, then
 * completed over the segment as CHECKSUM_PARTIAL) gives exactly the
 * segments pkt_tso_segment makes of the original.  UDP, a tunnel, a
 * packet over 64 KiB and bytes that disagree with the layout are
 * refused, the frame left as it was. */
static void test_gso_prepare(void)
{
	for (int ip = 4; ip <= 6; ip += 2) {
		size_t len;
		uint8_t *f = build(ip, PAYLOAD, 0, &len);
		struct pkt_info pi;
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		put_seed(f, pi.l3_off, pi.l4_off, 6);
		struct pkt_tso_layout lo = layout_of(&pi);
		const unsigned mss = 1000;
		uint8_t *g = pr_dup(f, len);
		REQUIRE(pkt_tso_gso_prepare(g, len, &lo, mss) == 0);
		CHECK_MEM(g + pi.payload_off, f + pi.payload_off,
			  len - pi.payload_off);
		int count = pkt_tso_count(len, &lo, mss);
		REQUIRE(count > 1);
		uint8_t *want = malloc(BIG), *seg = malloc(BIG);
		REQUIRE(want && seg);
		size_t hdr = pi.payload_off, L = len - pi.l4_off;
		for (int n = 0; n < count; n++) {
			int wl = pkt_tso_segment(f, len, &lo, mss, (unsigned)n,
						 want, BIG);
			REQUIRE(wl > 0);
			size_t pay = (size_t)wl - hdr;
			memcpy(seg, g, hdr);
			memcpy(seg + hdr, g + hdr + (size_t)n * mss, pay);
			uint8_t *sip = seg + pi.l3_off, *tcp = seg + pi.l4_off;
			if (ip == 4) {
				pkt_put_be16(sip + 2, (uint16_t)(wl - (int)pi.l3_off));
				pkt_put_be16(sip + 4, (uint16_t)(pkt_get_be16(sip + 4) + n));
				uint16_t c;
				REQUIRE(pkt_ipv4_hdr_csum(sip, pi.l3_len, &c) == 0);
				pkt_put_be16(sip + 10, c);
			} else {
				pkt_put_be16(sip + 4,
					     (uint16_t)(wl - (int)pi.l3_off - 40));
			}
			pkt_put_be32(tcp + 4, pkt_get_be32(tcp + 4) + (uint32_t)n * mss);
			if (n + 1 < count)
				tcp[13] &= (uint8_t)~(PKT_TCP_FIN | PKT_TCP_PSH);
			if (n)
				tcp[13] &= (uint8_t)~PKT_TCP_CWR;
			size_t seg_l4 = (size_t)wl - pi.l4_off;
			uint32_t field = pkt_csum_add(pkt_get_be16(tcp + 16),
						      (uint32_t)seg_l4);
			field = pkt_csum_sub(field, (uint32_t)L);
			pkt_put_be16(tcp + 16, pkt_csum_fold(field));
			uint16_t c = pkt_csum_finish(pkt_csum_partial(tcp, seg_l4, 0));
			pkt_put_be16(tcp + 16, c);
			CHECK_MEM(seg, want, (size_t)wl);
		}
		free(want);
		free(seg);
		/* refusals: the frame unchanged */
		memcpy(g, f, len);
		struct pkt_tso_layout udp = lo;
		udp.udp = true;
		CHECK_INT(pkt_tso_gso_prepare(g, len, &udp, mss), -EOPNOTSUPP);
		CHECK_MEM(g, f, len);
		CHECK_INT(pkt_tso_gso_prepare(g, 65536, &lo, mss), -EOPNOTSUPP);
		struct pkt_tso_layout v6v6 = lo;
		v6v6.l3 = PKT_TSO_L3_V6V6;
		CHECK(pkt_tso_gso_prepare(g, len, &v6v6, mss) < 0);
		g[pi.l3_off] ^= 0x20; /* the IP version disagrees */
		CHECK_INT(pkt_tso_gso_prepare(g, len, &lo, mss), -EPROTO);
		g[pi.l3_off] ^= 0x20;
		CHECK_MEM(g, f, len);
		free(g);
		free(f);
	}
}

/* pkt_tso_from_gso: a packet as a tap hands it over with a virtio-net GSO
 * header (Linux's seed in the checksum field: the pseudo-header's sum with
 * the whole L4 length; or anything) comes out byte for byte the frame the
 * TWD path segments (the seed without the length), with the layout
 * layout_of() gives; TCP and UDP over IPv4 with options and a VLAN tag and
 * over IPv6 with extension headers.  Every refusal leaves the frame
 * unchanged. */
static void test_from_gso(void)
{
	for (int ip = 4; ip <= 6; ip += 2) {
		for (int proto = 6; proto <= 17; proto += 11) {
			struct pr_spec sp = {
				.ip = ip, .proto = (uint8_t)proto, .vlans = 1,
				.ip_opts = ip_opts,
				.ip_opts_len = ip == 4 ? 12 : 0,
				.ext = ext, .ext_len = ip == 6 ? sizeof(ext) : 0,
				.ext_first = PKT_IPPROTO_HOPOPTS, .ext_last = 8,
				.ip_id = 7, .tcp_flags = PKT_TCP_ACK,
				.payload = random_payload(), .payload_len = 5000,
			};
			static uint8_t buf[BIG];
			size_t len = pr_build(buf, sizeof(buf), &sp, NULL, NULL,
					      NULL);
			uint8_t *ref = pr_dup(buf, len);
			struct pkt_info pi;
			REQUIRE(pkt_parse(ref, len, &pi) == 0);
			put_seed(ref, pi.l3_off, pi.l4_off, (uint8_t)proto);
			struct pkt_tso_layout want = layout_of(&pi), lo;
			size_t csum_at = pi.l4_off + (proto == 6 ? 16 : 6);
			bool v6 = ip == 6, udp = proto == 17;

			/* Linux's seed; then garbage: the same result */
			uint8_t *g = pr_dup(ref, len);
			uint32_t whole = pkt_csum_add(pkt_get_be16(g + csum_at),
						      (uint32_t)(len - pi.l4_off));
			pkt_put_be16(g + csum_at, pkt_csum_fold(whole));
			for (int k = 0; k < 2; k++) {
				memset(&lo, 0xa5, sizeof(lo));
				CHECK_INT(pkt_tso_from_gso(g, len, v6, udp,
							   pi.l4_off, &lo), 0);
				CHECK_MEM(g, ref, len);
				CHECK_INT(lo.l3, want.l3);
				CHECK_INT(lo.l3_off, want.l3_off);
				CHECK_INT(lo.l4_off, want.l4_off);
				CHECK_INT(lo.l4_len, want.l4_len);
				CHECK_INT(lo.udp, want.udp);
				pkt_put_be16(g + csum_at, 0x1234);
			}
			if (!udp)
				check_segments(ref, len, 1448);

			/* refusals */
			memcpy(g, ref, len);
			CHECK_INT(pkt_tso_from_gso(NULL, len, v6, udp, pi.l4_off,
						   &lo), -EINVAL);
			CHECK_INT(pkt_tso_from_gso(g, len, v6, udp, pi.l4_off,
						   NULL), -EINVAL);
			CHECK_INT(pkt_tso_from_gso(g, len, !v6, udp, pi.l4_off,
						   &lo), -EPROTO);
			CHECK_INT(pkt_tso_from_gso(g, len, v6, !udp, pi.l4_off,
						   &lo), -EPROTO);
			CHECK_INT(pkt_tso_from_gso(g, len, v6, udp,
						   pi.l4_off - 4, &lo), -EPROTO);
			/* a frame cut short, or with bytes after the packet */
			CHECK_INT(pkt_tso_from_gso(g, len - 1, v6, udp,
						   pi.l4_off, &lo), -EPROTO);
			free(g);
			g = malloc(len + 4);
			REQUIRE(g);
			memcpy(g, ref, len);
			memset(g + len, 0, 4);
			CHECK_INT(pkt_tso_from_gso(g, len + 4, v6, udp,
						   pi.l4_off, &lo), -EPROTO);
			CHECK_MEM(g, ref, len);
			free(g);
			free(ref);
		}
	}
	/* an IPv4 fragment */
	struct pr_spec sp = { .ip = 4, .proto = 6, .ip_frag = 0x2000,
			      .payload = random_payload(), .payload_len = 3000 };
	static uint8_t f[4000];
	size_t len = pr_build(f, sizeof(f), &sp, NULL, NULL, NULL);
	struct pkt_tso_layout lo;
	CHECK_INT(pkt_tso_from_gso(f, len, false, false, 34, &lo), -EPROTO);
}

TEST_MAIN("tso",
	  TEST_CASE(test_ipv4_options),
	  TEST_CASE(test_ipv6_extension_headers),
	  TEST_CASE(test_64k),
	  TEST_CASE(test_one_segment),
	  TEST_CASE(test_udp),
	  TEST_CASE(test_zero_checksum),
	  TEST_CASE(test_ipv6_in_ipv6),
	  TEST_CASE(test_gre_partial),
	  TEST_CASE(test_refusals),
	  TEST_CASE(test_gso_prepare),
	  TEST_CASE(test_from_gso))
