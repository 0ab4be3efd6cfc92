/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Internet checksum: RFC 1071's worked example, sums of pieces at odd
 * offsets, the IPv4 header checksum, TCP and UDP over IPv4 (with options)
 * and IPv6 (with extension headers, a routing header's final destination)
 * against known-good frames and against the independent reference in
 * tests/lib/pktref.c, UDP's 0 -> 0xffff rule, CHECKSUM_COMPLETE as the
 * stack consumes it, and checksum offload as a TWD asks for it.
 */
#include <errno.h>
#include <stdlib.h>

#include "pkt/bytes.h"
#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt_frames.h"
#include "pktref.h"
#include "test.h"

/* ---- The sum ------------------------------------------------------------- */

/* RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (and its checksum is
 * 220d), in any grouping of the words. */
static void test_rfc1071_example(void)
{
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ(pkt_csum_fold(pkt_csum_partial(b, 8, 0)), 0xddf2);
	CHECK_EQ(pkt_csum_finish(pkt_csum_partial(b, 8, 0)), 0x220d);
	CHECK_EQ(pr_sum(b, 8), 0xddf2);
	/* Unfolded: 0001 + f203 + f4f5 + f6f7 = 2ddf0, the same modulo
	 * 0xffff. */
	CHECK_EQ(pkt_csum_fold(0x2ddf0), 0xddf2);
	/* In two halves, the second seeded with the first. */
	CHECK_EQ(pkt_csum_fold(pkt_csum_partial(b + 4, 4,
						pkt_csum_partial(b, 4, 0))),
		 0xddf2);
	CHECK_EQ(pkt_csum_fold(pkt_csum_add(pkt_csum_partial(b, 2, 0),
					    pkt_csum_partial(b + 2, 6, 0))),
		 0xddf2);
	/* The sum with its checksum appended sums to ffff. */
	uint8_t c[10];
	memcpy(c, b, 8);
	pkt_put_be16(c + 8, 0x220d);
	CHECK_EQ(pkt_csum_fold(pkt_csum_partial(c, 10, 0)), 0xffff);
	/* Empty, NULL, one odd byte (padded on the right, RFC 1071 4.1). */
	CHECK_EQ(pkt_csum_partial(NULL, 0, 7), 7);
	CHECK_EQ(pkt_csum_partial(b, 0, 0), 0);
	CHECK_EQ(pkt_csum_partial("\xab", 1, 0), 0xab00);
	CHECK_EQ(pkt_csum_fold(pkt_csum_partial(b, 7, 0)), pr_sum(b, 7));
}

static void test_fold_add_sub(void)
{
	CHECK_EQ(pkt_csum_fold(0), 0);
	CHECK_EQ(pkt_csum_fold(0xffff), 0xffff);
	CHECK_EQ(pkt_csum_fold(0x10000), 1);
	CHECK_EQ(pkt_csum_fold(0xffffffffu), 0xffff);
	CHECK_EQ(pkt_csum_fold(0x1fffeu), 0xffff);
	CHECK_EQ(pkt_csum_finish(0xffff), 0);
	CHECK_EQ(pkt_csum_fold(pkt_csum_add(0xffffffffu, 1)), 1);
	CHECK_EQ(pkt_csum_fold(pkt_csum_add(0x1234, 0xedcb)), 0xffff);
	/* a + b - b == a, modulo 0xffff. */
	unsigned int seed = 7;
	for (int i = 0; i < 1000; i++) {
		uint32_t a = (uint32_t)rand_r(&seed) * 2654435761u;
		uint32_t b = (uint32_t)rand_r(&seed) * 40503u;
		uint32_t r = pkt_csum_sub(pkt_csum_add(a, b), b);
		CHECK_EQ(pkt_csum_fold(r) % 0xffffu, pkt_csum_fold(a) % 0xffffu);
	}
	CHECK_EQ(pkt_csum_swab16(0xddf2), 0xf2dd);
}

/* A buffer summed in two pieces, the second at any offset, odd ones
 * included, equals the whole; a piece subtracted leaves the rest. */
static void test_block_offsets(void)
{
	uint8_t *b = malloc(257);
	unsigned int seed = 99;

	REQUIRE(b);
	for (int i = 0; i < 257; i++)
		b[i] = (uint8_t)rand_r(&seed);
	for (size_t a = 0; a < 6; a++) {
		for (size_t c = a; c <= 257; c += 1 + (c > 20) * 17) {
			uint16_t whole = pr_sum(b + a, c - a);
			for (size_t m = a; m <= c; m++) {
				uint32_t s1 = pkt_csum_partial(b + a, m - a, 0);
				uint32_t s2 = pkt_csum_partial(b + m, c - m, 0);
				uint32_t s = pkt_csum_block_add(s1, s2, m - a);
				CHECK_EQ(pkt_csum_fold(s) % 0xffffu,
					 whole % 0xffffu);
				uint32_t t = pkt_csum_partial(b + a, c - a, 0);
				t = pkt_csum_block_sub(t, s2, m - a);
				CHECK_EQ(pkt_csum_fold(t) % 0xffffu,
					 pkt_csum_fold(s1) % 0xffffu);
			}
		}
	}
	free(b);
}

/* RFC 1071 2(B): adding little-endian words gives the byte-swapped sum,
 * which is what Linux's csum_partial() returns on x86. */
static void test_byte_order(void)
{
	uint8_t b[101];
	unsigned int seed = 3;

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rand_r(&seed);
	for (size_t n = 0; n <= sizeof(b); n++) {
		unsigned long long le = 0;
		for (size_t i = 0; i < n; i++)
			le += (i % 2) ? (unsigned long long)b[i] << 8 : b[i];
		le %= 0xffffu;
		uint16_t be = pkt_csum_fold(pkt_csum_partial(b, n, 0));
		CHECK_EQ(pkt_csum_swab16(be) % 0xffffu, le);
	}
}

static void test_range_errors(void)
{
	uint16_t s;

	CHECK_INT(pkt_csum_range(f_v4_tcp, 10, 0, 10, &s), 0);
	CHECK_EQ(s, pr_sum(f_v4_tcp, 10));
	CHECK_INT(pkt_csum_range(f_v4_tcp, 10, 3, 10, &s), 0);
	CHECK_EQ(s, pr_sum(f_v4_tcp + 3, 7));
	CHECK_INT(pkt_csum_range(f_v4_tcp, 10, 10, 10, &s), 0);
	CHECK_EQ(s, 0);
	CHECK_INT(pkt_csum_range(f_v4_tcp, 10, 0, 11, &s), -EINVAL);
	CHECK_INT(pkt_csum_range(f_v4_tcp, 10, 6, 5, &s), -EINVAL);
	CHECK_INT(pkt_csum_range(NULL, 10, 0, 1, &s), -EINVAL);
	CHECK_INT(pkt_csum_range(f_v4_tcp, 10, 0, 1, NULL), -EINVAL);
	CHECK_INT(pkt_csum_complete(f_v4_tcp, 10, 11, &s), -EINVAL);
	CHECK_INT(pkt_csum_pseudo_ipv4(NULL, f_v4_tcp, 6, 1, NULL),
		  -EINVAL);
	uint32_t p;
	CHECK_INT(pkt_csum_pseudo_ipv4(f_v4_tcp, f_v4_tcp, 6, 0x10000, &p),
		  -EINVAL);
	CHECK_INT(pkt_csum_pseudo_ipv6(f_v4_tcp, NULL, 6, 1, &p), -EINVAL);
}

/* ---- IPv4 header --------------------------------------------------------- */

static void test_ipv4_header(void)
{
	/* A UDP/IPv4 header as a real stack sent it: 192.168.0.1 ->
	 * 192.168.0.199, checksum b861. */
	static const uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00,
				       0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
				       0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
				       0x00, 0xc7 };
	uint16_t c;

	CHECK_INT(pkt_ipv4_hdr_csum(h, sizeof(h), &c), 0);
	CHECK_EQ(c, 0xb861);
	CHECK_EQ(pr_sum(h, sizeof(h)), 0xffff);
	/* With options (IHL 7). */
	CHECK_INT(pkt_ipv4_hdr_csum(f_v4_tcp + 14, 28, &c), 0);
	CHECK_EQ(c, F_V4_TCP_IPCSUM);
	/* Refused: IHL < 5, IHL beyond the bytes given, too short. */
	uint8_t *bad = pr_dup(h, sizeof(h));
	bad[0] = 0x44;
	CHECK_INT(pkt_ipv4_hdr_csum(bad, sizeof(h), &c), -EINVAL);
	bad[0] = 0x46;
	CHECK_INT(pkt_ipv4_hdr_csum(bad, sizeof(h), &c), -EINVAL);
	CHECK_INT(pkt_ipv4_hdr_csum(h, 19, &c), -EINVAL);
	CHECK_INT(pkt_ipv4_hdr_csum(NULL, 20, &c), -EINVAL);
	free(bad);

	/* Fill and verify through a parse. */
	struct pkt_info pi;
	uint8_t *f = pr_dup(f_v4_tcp, sizeof(f_v4_tcp));
	REQUIRE(pkt_parse(f, sizeof(f_v4_tcp), &pi) == 0);
	CHECK_INT(pkt_ipv4_csum_verify(f, sizeof(f_v4_tcp), &pi), 0);
	f[24] = f[25] = 0;
	CHECK_INT(pkt_ipv4_csum_verify(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	CHECK_INT(pkt_ipv4_csum_fill(f, sizeof(f_v4_tcp), &pi), 0);
	CHECK_MEM(f, f_v4_tcp, sizeof(f_v4_tcp));
	f[14 + 8]--; /* TTL */
	CHECK_INT(pkt_ipv4_csum_verify(f, sizeof(f_v4_tcp), &pi), -EBADMSG);
	/* Not IPv4, or an info that does not fit. */
	CHECK_INT(pkt_ipv4_csum_fill(f, sizeof(f_v4_tcp) - 1, &pi), -EINVAL);
	struct pkt_info p6;
	REQUIRE(pkt_parse(f_v6_tcp_ext, sizeof(f_v6_tcp_ext), &p6) == 0);
	CHECK_INT(pkt_ipv4_csum_verify(f_v6_tcp_ext, sizeof(f_v6_tcp_ext),
				       &p6), -EINVAL);
	free(f);
}

/* ---- TCP / UDP ----------------------------------------------------------- */

struct known {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	uint16_t csum;
	size_t field;		/* offset of the checksum field */
	uint8_t proto;
	const uint8_t *dst6;	/* final destination for the reference */
};

static const struct known knowns[] = {
	{ "v4 tcp", f_v4_tcp, sizeof(f_v4_tcp), F_V4_TCP_CSUM, 42 + 16, 6,
	  NULL },
	{ "v4 udp pad", f_v4_udp_pad, sizeof(f_v4_udp_pad), F_V4_UDP_CSUM,
	  38 + 6, 17, NULL },
	{ "v6 tcp ext", f_v6_tcp_ext, sizeof(f_v6_tcp_ext), F_V6_TCP_CSUM,
	  78 + 16, 6, NULL },
	{ "v6 udp rt2", f_v6_udp_rt2, sizeof(f_v6_udp_rt2), F_V6_UDP_RT2_CSUM,
	  78 + 6, 17, f_v6_udp_rt2 + 62 },
	{ "v4 udp zero", f_v4_udp_zero, sizeof(f_v4_udp_zero), 0xffff, 40, 17,
	  NULL },
	{ "v6 udp zero", f_v6_udp_zero, sizeof(f_v6_udp_zero), 0xffff, 60, 17,
	  NULL },
};
#define NKNOWN (sizeof(knowns) / sizeof(knowns[0]))

static void test_known_frames(void)
{
	for (size_t i = 0; i < NKNOWN; i++) {
		const struct known *k = &knowns[i];
		uint8_t *f = pr_dup(k->bytes, k->len);
		struct pkt_info pi;
		uint16_t c = 0;

		REQUIRE(pkt_parse(f, k->len, &pi) == 0);
		CHECK_INT(pi.l4_off + (k->proto == 6 ? 16 : 6), k->field);
		CHECK_EQ(pkt_get_be16(f + k->field), k->csum);
		/* the library */
		CHECK_INT(pkt_l4_csum(f, k->len, &pi, &c), 0);
		CHECK_EQ(c, k->csum);
		CHECK_INT(pkt_l4_csum_verify(f, k->len, &pi), 0);
		/* the reference, on the library's parse */
		CHECK_EQ(pr_l4_csum(f, pi.l3_off, pi.l4_off,
				    pkt_l4_end(&pi) - pi.l4_off, k->proto,
				    k->dst6),
			 k->csum);
		/* fill recreates the field from nothing */
		f[k->field] = 0x12;
		f[k->field + 1] = 0x34;
		CHECK_INT(pkt_l4_csum_verify(f, k->len, &pi), -EBADMSG);
		CHECK_INT(pkt_l4_csum_fill(f, k->len, &pi), 0);
		CHECK_MEM(f, k->bytes, k->len);
		if (test_failures)
			fprintf(stderr, "  (frame %s)\n", k->name);
		free(f);
	}
}

/* Any one byte changed in the pseudo-header's addresses, the L4 header
 * (but its length field) or the payload is caught. */
static void test_single_byte_errors(void)
{
	for (size_t i = 0; i < 4; i++) {
		const struct known *k = &knowns[i];
		uint8_t *f = pr_dup(k->bytes, k->len);
		struct pkt_info pi;

		REQUIRE(pkt_parse(f, k->len, &pi) == 0);
		size_t a0 = pi.l3_off + (pi.l3 == PKT_L3_IPV4 ? 12 : 8);
		size_t a1 = pi.l3_off + (pi.l3 == PKT_L3_IPV4 ? 20 : 40);
		for (size_t at = a0; at < pkt_l4_end(&pi); at++) {
			if (at >= a1 && at < pi.l4_off)
				continue; /* extension headers */
			if (pi.l4 == PKT_L4_UDP && (at == pi.l4_off + 4 ||
						    at == pi.l4_off + 5))
				continue;
			if (k->dst6 && at >= a0 + 16 && at < a1)
				continue; /* not the final destination */
			f[at] ^= 0x5a;
			CHECK_INT(pkt_l4_csum_verify(f, k->len, &pi),
				  -EBADMSG);
			f[at] ^= 0x5a;
		}
		/* The padding is not covered. */
		for (size_t at = pkt_l4_end(&pi); at < k->len; at++) {
			f[at] ^= 0x5a;
			CHECK_INT(pkt_l4_csum_verify(f, k->len, &pi), 0);
		}
		free(f);
	}
}

/* RFC 768: UDP computes 0 -> sends ffff; receives 0 -> no checksum over
 * IPv4; over IPv6 a zero checksum is an error (RFC 8200 8.1). */
static void test_udp_zero(void)
{
	struct pkt_info pi;
	uint8_t *f4 = pr_dup(f_v4_udp_zero, sizeof(f_v4_udp_zero));
	uint8_t *f6 = pr_dup(f_v6_udp_zero, sizeof(f_v6_udp_zero));

	REQUIRE(pkt_parse(f4, sizeof(f_v4_udp_zero), &pi) == 0);
	f4[40] = f4[41] = 0;
	CHECK_INT(pkt_l4_csum_verify(f4, sizeof(f_v4_udp_zero), &pi),
		  PKT_CSUM_ABSENT);
	CHECK_INT(pkt_l4_csum_fill(f4, sizeof(f_v4_udp_zero), &pi), 0);
	CHECK_EQ(pkt_get_be16(f4 + 40), 0xffff);
	/* 0xffff and 0 are the same one's-complement number: with the
	 * data summing to ffff, a TCP checksum of 0 verifies. */

	REQUIRE(pkt_parse(f6, sizeof(f_v6_udp_zero), &pi) == 0);
	f6[60] = f6[61] = 0;
	CHECK_INT(pkt_l4_csum_verify(f6, sizeof(f_v6_udp_zero), &pi),
		  -EBADMSG);
	CHECK_INT(pkt_l4_csum_fill(f6, sizeof(f_v6_udp_zero), &pi), 0);
	CHECK_EQ(pkt_get_be16(f6 + 60), 0xffff);
	CHECK_INT(pkt_l4_csum_verify(f6, sizeof(f_v6_udp_zero), &pi), 0);
	free(f4);
	free(f6);
}

/* Built frames of every shape and payload length against the reference:
 * pr_build fills the checksums with it, the library must agree. */
static void test_built_frames(void)
{
	static const uint8_t ip_opts[12] = { 0x01, 0x01, 0x01, 0x44, 0x08,
					     0x05, 0x00, 0x00, 0x00, 0x00,
					     0x00, 0x00 }; /* NOPs, timestamp */
	static const uint8_t tcp_opts[12] = { 0x02, 0x04, 0x05, 0xb4, 0x01,
					      0x03, 0x03, 0x07, 0x04, 0x02,
					      0x00, 0x00 };
	/* hop-by-hop (PadN) -> routing type 4 with segments left 0 ->
	 * destination options (PadN). */
	static const uint8_t ext[48] = {
		PKT_IPPROTO_ROUTING, 0, 1, 4, 0, 0, 0, 0,
		PKT_IPPROTO_DSTOPTS, 2, 4, 0, 0, 0, 0, 0,
		0xfd, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
		0, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t pay[700];
	uint8_t *buf = malloc(1024);
	unsigned int seed = 2024;

	REQUIRE(buf);
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)rand_r(&seed);
	for (int ip = 4; ip <= 6; ip += 2) {
		for (int tcp = 0; tcp < 2; tcp++) {
			for (size_t n = 0; n < sizeof(pay); n += 1 + n / 8) {
				struct pr_spec s = {
					.ip = ip, .proto = tcp ? 6 : 17,
					.vlans = (unsigned)(n % 3),
					.ip_opts = ip_opts,
					.ip_opts_len = ip == 4 ? 12 : 0,
					.ext = ext,
					.ext_len = ip == 6 ? sizeof(ext) : 0,
					.ext_first = PKT_IPPROTO_HOPOPTS,
					.ext_last = 32,
					.tcp_opts = tcp_opts,
					.tcp_opts_len = tcp ? 12 : 0,
					.payload = pay, .payload_len = n,
					.pad_to = 64,
				};
				size_t len = pr_build(buf, 1024, &s, NULL,
						      NULL, NULL);
				uint8_t *f = pr_dup(buf, len);
				struct pkt_info pi;
				uint16_t c;

				REQUIRE(pkt_parse(f, len, &pi) == 0);
				CHECK_INT(pi.payload_len, n);
				CHECK_INT(pkt_l4_csum_verify(f, len, &pi), 0);
				CHECK_INT(pkt_l4_csum(f, len, &pi, &c), 0);
				size_t field = pi.l4_off + (tcp ? 16 : 6);
				CHECK_EQ(c, pkt_get_be16(f + field));
				free(f);
			}
		}
	}
	free(buf);
}

/* RFC 8200 8.1: behind a routing header with segments left, the
 * pseudo-header takes the final destination: type 2's home address,
 * type 4's Segment List[0]; other types are not computed. */
static void test_routing_final_destination(void)
{
	struct pkt_info pi;
	const uint8_t *dst;
	uint8_t *f = pr_dup(f_v6_udp_rt2, sizeof(f_v6_udp_rt2));

	REQUIRE(pkt_parse(f, sizeof(f_v6_udp_rt2), &pi) == 0);
	CHECK_INT(pkt_ipv6_final_dst(f, sizeof(f_v6_udp_rt2), &pi, &dst), 0);
	CHECK(dst == f + 62);
	/* Segments left 0: the header's destination is the final one, and
	 * the frame's checksum (computed for the home address) is wrong. */
	f[57] = 0;
	CHECK_INT(pkt_ipv6_final_dst(f, sizeof(f_v6_udp_rt2), &pi, &dst), 0);
	CHECK(dst == f + 38);
	CHECK_INT(pkt_l4_csum_verify(f, sizeof(f_v6_udp_rt2), &pi),
		  -EBADMSG);
	/* Type 4 (SRH) with segments left: Segment List[0], same place. */
	f[56] = 4;
	f[57] = 1;
	CHECK_INT(pkt_l4_csum_verify(f, sizeof(f_v6_udp_rt2), &pi), 0);
	/* Type 0 (deprecated) or 3 with segments left: not computed. */
	f[56] = 0;
	CHECK_INT(pkt_l4_csum_verify(f, sizeof(f_v6_udp_rt2), &pi),
		  -EOPNOTSUPP);
	f[56] = 3;
	uint16_t c;
	CHECK_INT(pkt_l4_csum(f, sizeof(f_v6_udp_rt2), &pi, &c), -EOPNOTSUPP);
	free(f);

	/* A type 2 header too short for an address. */
	static const uint8_t rt[8] = { 0, 0, 2, 1 };
	uint8_t buf[128];
	struct pr_spec s = { .ip = 6, .proto = 17, .ext = rt, .ext_len = 8,
			     .ext_first = PKT_IPPROTO_ROUTING };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	f = pr_dup(buf, len);
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	CHECK_INT(pkt_l4_csum_verify(f, len, &pi), -EBADMSG);
	CHECK_INT(pkt_ipv6_final_dst(f, len, &pi, &dst), -EBADMSG);
	free(f);
}

static void test_l4_refusals(void)
{
	struct pkt_info pi;
	uint16_t c;
	uint8_t buf[128];
	static const uint8_t pay[16];

	/* A fragment's checksum covers the datagram: not computed. */
	struct pr_spec s = { .ip = 4, .proto = 17, .ip_frag = 0x2000,
			     .payload = pay, .payload_len = sizeof(pay) };
	size_t len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_l4_csum(buf, len, &pi, &c), -EPROTO);
	CHECK_INT(pkt_l4_csum_verify(buf, len, &pi), -EPROTO);
	CHECK_INT(pkt_l4_csum_fill(buf, len, &pi), -EPROTO);
	/* Other L4, no L3. */
	s = (struct pr_spec){ .ip = 4, .proto = 1, .payload = pay,
			      .payload_len = 8 };
	len = pr_build(buf, sizeof(buf), &s, NULL, NULL, NULL);
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_l4_csum_verify(buf, len, &pi), -EPROTO);
	buf[12] = 0x08;
	buf[13] = 0x06;
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_l4_csum_verify(buf, len, &pi), -EINVAL);
	/* A failed parse, an info for a longer frame, a doctored info. */
	CHECK(pkt_parse(f_v4_tcp, 60, &pi) < 0);
	CHECK_INT(pkt_l4_csum_verify(f_v4_tcp, 60, &pi), -EINVAL);
	REQUIRE(pkt_parse(f_v4_tcp, sizeof(f_v4_tcp), &pi) == 0);
	CHECK_INT(pkt_l4_csum_verify(f_v4_tcp, sizeof(f_v4_tcp) - 1, &pi),
		  -EINVAL);
	pi.payload_len += 100;
	CHECK_INT(pkt_l4_csum_verify(f_v4_tcp, sizeof(f_v4_tcp), &pi),
		  -EINVAL);
	pi.payload_len -= 100;
	pi.l4_len = 8;
	CHECK_INT(pkt_l4_csum(f_v4_tcp, sizeof(f_v4_tcp), &pi, &c), -EINVAL);
	pi.l4_len = 40;
	CHECK_INT(pkt_l4_csum(f_v4_tcp, sizeof(f_v4_tcp), &pi, NULL),
		  -EINVAL);
	CHECK_INT(pkt_l4_csum(NULL, sizeof(f_v4_tcp), &pi, &c), -EINVAL);
	CHECK_INT(pkt_l4_csum(f_v4_tcp, sizeof(f_v4_tcp), NULL, &c), -EINVAL);
	CHECK_INT(pkt_l4_csum(f_v4_tcp, sizeof(f_v4_tcp), &pi, &c), 0);
}

/* ---- RX: CHECKSUM_COMPLETE ----------------------------------------------- */

/* The RCD L2_CSUM value and what the stack does with it: untag the VLAN
 * (skb_pull_rcsum), trim the padding at an odd offset (pskb_trim_rcsum),
 * pull the IP header, add the pseudo-header: the UDP datagram verifies. */
static void test_checksum_complete(void)
{
	uint8_t *f = pr_dup(f_v4_udp_pad, sizeof(f_v4_udp_pad));
	size_t len = sizeof(f_v4_udp_pad);
	uint16_t sum;

	CHECK_INT(pkt_csum_complete(f, len, PKT_ETH_HLEN, &sum), 0);
	CHECK_EQ(sum, F_V4_UDP_COMPLETE);
	CHECK_EQ(sum, pr_sum(f + 14, len - 14));
	uint16_t s6;
	CHECK_INT(pkt_csum_complete(f_v6_tcp_ext, sizeof(f_v6_tcp_ext),
				    PKT_ETH_HLEN, &s6), 0);
	CHECK_EQ(s6, F_V6_TCP_COMPLETE);

	uint32_t csum = sum; /* skb->data at the VLAN tag (byte 14) */
	csum = pkt_csum_sub(csum, pkt_csum_partial(f + 14, 4, 0));
	/* skb->data at the IP header (18); the packet is 33 bytes, so the
	 * padding starts at an odd offset. */
	size_t ip_len = 33;
	csum = pkt_csum_block_sub(csum,
				  pkt_csum_partial(f + 18 + ip_len,
						   len - 18 - ip_len, 0),
				  ip_len);
	CHECK_EQ(pkt_csum_fold(csum), pr_sum(f + 18, ip_len));
	csum = pkt_csum_sub(csum, pkt_csum_partial(f + 18, 20, 0));
	uint32_t ph;
	CHECK_INT(pkt_csum_pseudo_ipv4(f + 30, f + 34, 17, 13, &ph), 0);
	CHECK_EQ(pkt_csum_fold(pkt_csum_add(csum, ph)), 0xffff);

	/* With a different padding the RCD value changes, the result of
	 * the stack's arithmetic does not. */
	f[len - 1] = 0x01;
	CHECK_INT(pkt_csum_complete(f, len, PKT_ETH_HLEN, &sum), 0);
	CHECK(sum != F_V4_UDP_COMPLETE);
	csum = pkt_csum_sub(sum, pkt_csum_partial(f + 14, 4, 0));
	csum = pkt_csum_block_sub(csum,
				  pkt_csum_partial(f + 18 + ip_len,
						   len - 18 - ip_len, 0),
				  ip_len);
	csum = pkt_csum_sub(csum, pkt_csum_partial(f + 18, 20, 0));
	CHECK_EQ(pkt_csum_fold(pkt_csum_add(csum, ph)), 0xffff);
	free(f);
}

/* ---- TX: checksum offload ------------------------------------------------ */

/* CHECKSUM_PARTIAL leaves the pseudo-header's folded sum in the field;
 * the device sums from the checksum start and stores the complement. */
static void test_offload(void)
{
	for (size_t i = 0; i < NKNOWN; i++) {
		const struct known *k = &knowns[i];
		struct pkt_info pi;
		uint32_t ph;
		const uint8_t *dst;
		uint8_t *f = pr_dup(k->bytes, k->len);

		REQUIRE(pkt_parse(f, k->len, &pi) == 0);
		size_t l4_len = pkt_l4_end(&pi) - pi.l4_off;
		if (pi.l3 == PKT_L3_IPV4) {
			CHECK_INT(pkt_csum_pseudo_ipv4(f + pi.l3_off + 12,
						       f + pi.l3_off + 16,
						       k->proto, l4_len, &ph),
				  0);
		} else {
			REQUIRE(pkt_ipv6_final_dst(f, k->len, &pi, &dst) == 0);
			CHECK_INT(pkt_csum_pseudo_ipv6(f + pi.l3_off + 8, dst,
						       k->proto, l4_len, &ph),
				  0);
		}
		pkt_put_be16(f + k->field, pkt_csum_fold(ph));
		/* The sum runs to the frame's end: cut the padding first,
		 * as the driver's frame has none but zeroes. */
		size_t end = pkt_l4_end(&pi);
		CHECK_INT(pkt_csum_offload(f, end, pi.l4_off,
					   k->field - pi.l4_off), 0);
		CHECK_EQ(pkt_get_be16(f + k->field), k->csum);
		free(f);
	}
	uint8_t z[8] = { 0 };
	/* All zero: the complement is ffff, never 0. */
	CHECK_INT(pkt_csum_offload(z, 8, 0, 6), 0);
	CHECK_EQ(pkt_get_be16(z + 6), 0xffff);
	CHECK_INT(pkt_csum_offload(z, 8, 0, 7), -EINVAL);
	CHECK_INT(pkt_csum_offload(z, 8, 9, 0), -EINVAL);
	CHECK_INT(pkt_csum_offload(z, 8, 6, 0), 0);
	CHECK_INT(pkt_csum_offload(z, 8, 6, 1), -EINVAL);
	CHECK_INT(pkt_csum_offload(z, 8, 2, SIZE_MAX), -EINVAL);
	CHECK_INT(pkt_csum_offload(NULL, 8, 0, 0), -EINVAL);
}

/* Against the byte-by-byte reference (pktref.c pr_sum: RFC 1071's loop
 * over big-endian words): every length 0..300 at every start offset 0..7,
 * data that carries often (bytes near 0xff), and with a seed.  Run once
 * for each vector unit pkt_csum_partial may use. */
static void sum_matches_reference(void)
{
	static uint8_t b[320];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(b); i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(i % 3 ? 0xff - (x >> 28) : x >> 24);
	}
	unsigned bad = 0;
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 300; len++) {
			uint16_t want = pr_sum(b + off, len);
			if (pkt_csum_fold(pkt_csum_partial(b + off, len, 0)) != want)
				bad++;
			uint32_t seeded = pkt_csum_partial(b + off, len, 0x1fffe);
			if (pkt_csum_fold(seeded) !=
			    pkt_csum_fold(pkt_csum_add(0x1fffe, want)))
				bad++;
		}
	CHECK_INT(bad, 0);
	/* 64 KiB of 0xff: the most carries a frame can hold */
	static uint8_t ff[65536];
	memset(ff, 0xff, sizeof(ff));
	CHECK_EQ(pkt_csum_fold(pkt_csum_partial(ff, sizeof(ff), 0)), 0xffff);
	CHECK_EQ(pkt_csum_fold(pkt_csum_partial(ff, 3, 0)), 0xff00); /* ffff + ff00 */
	/* longer than any frame, at odd lengths and offsets: 200 KiB and
	 * more (the bulk is summed in 64 KiB chunks) */
	size_t big = 200 * 1024 + 77;
	uint8_t *r = malloc(big + 8);
	REQUIRE(r);
	for (size_t i = 0; i < big + 8; i++) {
		x = x * 1103515245u + 12345u;
		r[i] = (uint8_t)(i % 5 ? 0xff : x >> 24);
	}
	for (size_t off = 0; off < 3; off++)
		for (size_t len = big - 40; len <= big; len += 13)
			CHECK_EQ(pkt_csum_fold(pkt_csum_partial(r + off, len, 0)),
				 pr_sum(r + off, len));
	free(r);
}

/* Past the vector loop's blocks (the 32-bit lanes are emptied every 512
 * KiB): 1.5 MiB of the words that push the lanes furthest either way
 * (0x0000 is the most negative once biased, 0xffff the most positive),
 * and of mixed bytes, at lengths around the block's end. */
static void sum_across_blocks(void)
{
	size_t big = 3u << 19;
	uint8_t *r = malloc(big + 1);
	REQUIRE(r);
	uint32_t x = 777;
	for (unsigned fill = 0; fill < 3; fill++) {
		for (size_t i = 0; i < big + 1; i++) {
			x = x * 1103515245u + 12345u;
			r[i] = fill == 0 ? 0 : fill == 1 ? 0xff : (uint8_t)(x >> 24);
		}
		static const size_t lens[] = { (1u << 19) - 1, 1u << 19,
					       (1u << 19) + 64, (1u << 19) + 129,
					       3u << 19 };
		for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			CHECK_EQ(pkt_csum_fold(pkt_csum_partial(r + 1, lens[i], 0)),
				 pr_sum(r + 1, lens[i]));
	}
	free(r);
}

static void test_sum_matches_reference(void)
{
	for (int simd = 1; simd >= 0; simd--) {
		pkt_csum_set_simd((unsigned)simd);
		sum_matches_reference();
		sum_across_blocks();
	}
	pkt_csum_set_simd(1);
}

TEST_MAIN("pkt_csum",
	  TEST_CASE(test_rfc1071_example),
	  TEST_CASE(test_sum_matches_reference),
	  TEST_CASE(test_fold_add_sub),
	  TEST_CASE(test_block_offsets),
	  TEST_CASE(test_byte_order),
	  TEST_CASE(test_range_errors),
	  TEST_CASE(test_ipv4_header),
	  TEST_CASE(test_known_frames),
	  TEST_CASE(test_single_byte_errors),
	  TEST_CASE(test_udp_zero),
	  TEST_CASE(test_built_frames),
	  TEST_CASE(test_routing_final_destination),
	  TEST_CASE(test_l4_refusals),
	  TEST_CASE(test_checksum_complete),
	  TEST_CASE(test_offload))
