/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Segmentation: TCP/IPv4 with IP and TCP options and TCP/IPv6 with
 * extension headers cut at several MSS; every segment parses, its
 * checksums verify with the library and with the independent reference,
 * the payloads concatenate back, sequence numbers and IPv4 ids step,
 * FIN/PSH/CWR land where they belong; one-segment and empty frames; and
 * UDP datagrams (GSO_UDP_L4) over both; every refusal.
 */
#include <errno.h>
#include <stdlib.h>

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

/* Segment frame at mss and check everything about every segment. */
static void check_segments(const uint8_t *frame, size_t len, unsigned mss)
{
	struct pkt_info pi;
	REQUIRE(pkt_parse(frame, len, &pi) == 0);
	int count = pkt_tso_count(&pi, mss);
	size_t want = pi.payload_len ? (pi.payload_len + mss - 1) / mss : 1;
	CHECK_INT(count, want);
	REQUIRE(count > 0);

	const uint8_t *ip = frame + pi.l3_off, *tcp = frame + pi.l4_off;
	uint8_t *out = malloc(BIG);
	uint8_t *joined = malloc(BIG);
	size_t joined_len = 0;
	REQUIRE(out && joined);
	for (int n = 0; n < count; n++) {
		int slen = pkt_tso_segment(frame, len, &pi, mss, (unsigned)n,
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
	CHECK_INT(pkt_tso_segment(frame, len, &pi, mss, (unsigned)count, out,
				  BIG), -ERANGE);
	free(out);
	free(joined);
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
	CHECK_INT(pkt_tso_count(&pi, 1000), 3);
	CHECK_INT(pkt_tso_count(&pi, 1448), 3);
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
	CHECK_INT(pkt_tso_count(&pi, 1000), 3);
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
	CHECK_INT(pkt_tso_count(&pi, 1448), 46);
	check_segments(f, len, 1448);
	free(f);
	f = build(6, 65535 - 24 - 32, 0, &len);
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	CHECK_INT(pi.ip_len, 40 + 65535);
	check_segments(f, len, 9000);
	free(f);
}

/* MSS >= payload: one segment, the input itself (its lengths and
 * checksums were right); padding is dropped, wrong checksums fixed. */
static void test_one_segment(void)
{
	for (int ip = 4; ip <= 6; ip += 2) {
		size_t len, plen;
		uint8_t *f = build(ip, 100, 0, &len);
		uint8_t *padded = build(ip, 1, 200, &plen);
		uint8_t *out = malloc(BIG);
		struct pkt_info pi;

		REQUIRE(out);
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		for (unsigned mss = 100; mss <= 101; mss++) {
			CHECK_INT(pkt_tso_count(&pi, mss), 1);
			CHECK_INT(pkt_tso_segment(f, len, &pi, mss, 0, out,
						  BIG), len);
			CHECK_MEM(out, f, len);
		}
		CHECK_INT(pkt_tso_segment(f, len, &pi, 65535, 0, out, len),
			  len);
		CHECK_MEM(out, f, len);
		check_segments(f, len, 99);

		/* A wrong TCP checksum in the input (fbnic_tx_lso leaves the
		 * pseudo-header sum there) comes out right. */
		f[pi.l4_off + 16] ^= 0xff;
		if (ip == 4)
			f[pi.l3_off + 10] ^= 0xff;
		CHECK_INT(pkt_tso_segment(f, len, &pi, 1000, 0, out, BIG),
			  len);
		f[pi.l4_off + 16] ^= 0xff;
		if (ip == 4)
			f[pi.l3_off + 10] ^= 0xff;
		CHECK_MEM(out, f, len);

		/* Padding after the IP packet is not part of a segment. */
		REQUIRE(pkt_parse(padded, plen, &pi) == 0);
		CHECK_INT(plen, 200);
		CHECK(pi.pad_len > 0);
		int slen = pkt_tso_segment(padded, plen, &pi, 1448, 0, out,
					   BIG);
		CHECK_INT(slen, plen - pi.pad_len);
		CHECK_MEM(out, padded, (size_t)slen);

		/* No payload at all: one segment, the headers. */
		uint8_t *empty = build(ip, 0, 0, &len);
		REQUIRE(pkt_parse(empty, len, &pi) == 0);
		CHECK_INT(pkt_tso_count(&pi, 1448), 1);
		CHECK_INT(pkt_tso_segment(empty, len, &pi, 1448, 0, out, BIG),
			  len);
		CHECK_MEM(out, empty, len);
		free(empty);
		free(padded);
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
		CHECK_INT(pkt_tso_count(&pi, 1000), 3);
		for (unsigned n = 0; n < 3; n++) {
			static uint8_t out[2048];
			int sl = pkt_tso_segment(f, len, &pi, 1000, n, out,
						 sizeof(out));
			REQUIRE(sl > 0);
			struct pkt_info so;
			REQUIRE(pkt_parse(out, (size_t)sl, &so) == 0);
			CHECK_INT(so.l4, PKT_L4_UDP);
			CHECK_INT(so.payload_len, n < 2 ? 1000 : 500);
			CHECK_INT(pkt_get_be16(out + so.l4_off + PKT_UDP_LEN_OFF),
				  8 + so.payload_len);
			CHECK_INT(pkt_l4_csum_verify(out, (size_t)sl, &so), 0);
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

static void test_refusals(void)
{
	size_t len;
	uint8_t *f = build(4, PAYLOAD, 0, &len);
	uint8_t *out = malloc(BIG);
	struct pkt_info pi;

	REQUIRE(out);
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	/* MSS 0. */
	CHECK_INT(pkt_tso_count(&pi, 0), -EINVAL);
	CHECK_INT(pkt_tso_segment(f, len, &pi, 0, 0, out, BIG), -EINVAL);
	/* NULLs; an info for another length. */
	CHECK_INT(pkt_tso_count(NULL, 1000), -EINVAL);
	CHECK_INT(pkt_tso_segment(NULL, len, &pi, 1000, 0, out, BIG),
		  -EINVAL);
	CHECK_INT(pkt_tso_segment(f, len, &pi, 1000, 0, NULL, BIG), -EINVAL);
	CHECK_INT(pkt_tso_segment(f, len - 1, &pi, 1000, 0, out, BIG),
		  -EINVAL);
	/* Segment n out of range; a buffer one byte short, exactly right. */
	CHECK_INT(pkt_tso_segment(f, len, &pi, 1000, 3, out, BIG), -ERANGE);
	CHECK_INT(pkt_tso_segment(f, len, &pi, 1000, 0, out,
				  pi.payload_off + 999), -ENOSPC);
	CHECK_INT(pkt_tso_segment(f, len, &pi, 1000, 0, out, 10), -ENOSPC);
	uint8_t *exact = malloc(pi.payload_off + 1000);
	REQUIRE(exact);
	CHECK_INT(pkt_tso_segment(f, len, &pi, 1000, 0, exact,
				  pi.payload_off + 1000),
		  pi.payload_off + 1000);
	free(exact);
	/* A failed parse. */
	struct pkt_info bad;
	CHECK(pkt_parse(f, len - 1, &bad) < 0);
	CHECK_INT(pkt_tso_count(&bad, 1000), -EINVAL);
	CHECK_INT(pkt_tso_segment(f, len - 1, &bad, 1000, 0, out, BIG),
		  -EINVAL);
	free(f);

	/* A fragment, an L4 other than TCP and UDP. */
	static const uint8_t pay[64];
	uint8_t buf[256];
	struct pr_spec s = { .ip = 4, .proto = 47, .payload = pay,
			     .payload_len = sizeof(pay) };
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_tso_count(&pi, 16), -EPROTO);
	CHECK_INT(pkt_tso_segment(buf, len, &pi, 16, 0, out, BIG), -EPROTO);
	s.proto = 6;
	s.ip_frag = 0x2000;
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_tso_count(&pi, 16), -EPROTO);
	/* Not IP. */
	buf[12] = 0x08;
	buf[13] = 0x06;
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_tso_count(&pi, 16), -EPROTO);

	/* Headers longer than a TWD describes: IPv6 extension headers past
	 * 510 bytes, L2 past 126. */
	uint8_t *big = calloc(1, 600);
	REQUIRE(big);
	big[1] = 63; /* destination options of 512 bytes */
	s = (struct pr_spec){ .ip = 6, .proto = 6, .ext = big,
			      .ext_len = 512,
			      .ext_first = PKT_IPPROTO_DSTOPTS,
			      .payload = pay, .payload_len = sizeof(pay) };
	uint8_t *fb = malloc(BIG);
	REQUIRE(fb);
	len = pr_build(fb, BIG, &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(fb, len, &pi) == 0);
	CHECK_INT(pi.l3_len, 552);
	CHECK_INT(pkt_tso_count(&pi, 16), -E2BIG);
	CHECK_INT(pkt_tso_segment(fb, len, &pi, 16, 0, out, BIG), -E2BIG);
	/* 464 bytes of them still fit. */
	big[1] = 52;
	s.ext_len = 424;
	len = pr_build(fb, BIG, &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(fb, len, &pi) == 0);
	CHECK_INT(pi.l3_len, 464);
	CHECK_INT(pkt_tso_count(&pi, 16), 4);
	check_segments(fb, len, 16);
	/* An info claiming a longer L2 (the parser never makes one). */
	struct pkt_info doctored = pi;
	doctored.l2_len = doctored.l3_off = 128;
	CHECK_INT(pkt_tso_count(&doctored, 16), -E2BIG);
	free(fb);
	free(big);
	free(out);
}

TEST_MAIN("tso",
	  TEST_CASE(test_ipv4_options),
	  TEST_CASE(test_ipv6_extension_headers),
	  TEST_CASE(test_64k),
	  TEST_CASE(test_one_segment),
	  TEST_CASE(test_udp), TEST_CASE(test_refusals))
