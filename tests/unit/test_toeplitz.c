/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Toeplitz RSS hash against Microsoft's RSS verification table (its
 * key and every IPv4 and IPv6 row, with and without ports), against a
 * bit-by-bit reference written here, and the hash input built from parsed
 * frames: 4-tuple, 2-tuple, and the fallbacks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "pkt/parse.h"
#include "pkt/toeplitz.h"
#include "pktref.h"
#include "test.h"

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* The table lists each row's destination first, then its source; the
 * hash takes the source first.  Here each row is written source ->
 * destination.  (Pairing an address with the other side's port, e.g.
 * ff02::1 with port 14230, gives other values: in the table ff02::1 is the
 * destination of the second IPv6 row, port 4739, and fe80::200:f8ff:
 * fe21:67cf that of the third, port 38024.) */
struct row {
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t with_ports, without_ports;
};

static const struct row rows4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766,
	  0x51ccc178, 0x323e8fc2 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739,
	  0xc626b0ea, 0xd718262a },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024,
	  0x5c2b394a, 0xd2d0a5de },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217,
	  0xafc7327f, 0x82989176 },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303,
	  0x10e828a2, 0x5d1809c5 },
};

static const struct row rows6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
	  0x40207d3d, 0x2cc18cd5 },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
	  0xdde51bbf, 0x0f0c461c },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf",
	  44251, 38024, 0x02d1feef, 0x4b61e985 },
};

#define N4 (sizeof(rows4) / sizeof(rows4[0]))
#define N6 (sizeof(rows6) / sizeof(rows6[0]))

/* The input as the table hashes it: src, dst, [sport, dport]. */
static size_t row_input(const struct row *r, int af, bool ports,
			uint8_t *in)
{
	size_t alen = af == AF_INET ? 4 : 16;

	if (inet_pton(af, r->src, in) != 1 ||
	    inet_pton(af, r->dst, in + alen) != 1)
		abort();
	if (!ports)
		return 2 * alen;
	in[2 * alen] = (uint8_t)(r->sport >> 8);
	in[2 * alen + 1] = (uint8_t)r->sport;
	in[2 * alen + 2] = (uint8_t)(r->dport >> 8);
	in[2 * alen + 3] = (uint8_t)r->dport;
	return 2 * alen + 4;
}

/* Key bit i, most significant bit of byte 0 first. */
static unsigned key_bit(const uint8_t *key, size_t i)
{
	return key[i / 8] >> (7 - i % 8) & 1u;
}

/* The definition, one bit at a time. */
static uint32_t ref_toeplitz(const uint8_t *key, const uint8_t *in,
			     size_t n)
{
	uint32_t h = 0;

	for (size_t i = 0; i < 8 * n; i++) {
		if (!(in[i / 8] >> (7 - i % 8) & 1u))
			continue;
		uint32_t w = 0;
		for (size_t j = 0; j < 32; j++)
			w = w << 1 | key_bit(key, i + j);
		h ^= w;
	}
	return h;
}

static void check_rows(const struct row *rows, size_t n, int af,
		       const uint8_t *key, size_t key_len)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t in[PKT_RSS_INPUT_MAX];
		uint32_t h = 0;
		size_t len = row_input(&rows[i], af, true, in);

		CHECK_INT(pkt_toeplitz(key, key_len, in, len, &h), 0);
		CHECK_EQ(h, rows[i].with_ports);
		CHECK_EQ(ref_toeplitz(key, in, len), rows[i].with_ports);
		len = row_input(&rows[i], af, false, in);
		CHECK_INT(pkt_toeplitz(key, key_len, in, len, &h), 0);
		CHECK_EQ(h, rows[i].without_ports);
		CHECK_EQ(ref_toeplitz(key, in, len), rows[i].without_ports);
	}
}

static void test_ms_ipv4(void)
{
	check_rows(rows4, N4, AF_INET, ms_key, sizeof(ms_key));
}

static void test_ms_ipv6(void)
{
	check_rows(rows6, N6, AF_INET6, ms_key, sizeof(ms_key));
}

/* fbnic's key is longer (425 bits, 54 bytes); bytes past what the input
 * needs change nothing.  The key must cover input + 4 bytes. */
static void test_key_length(void)
{
	uint8_t key54[54];
	uint8_t in[PKT_RSS_INPUT_MAX];
	uint32_t h;

	memcpy(key54, ms_key, sizeof(ms_key));
	memset(key54 + 40, 0xa5, 14);
	check_rows(rows4, N4, AF_INET, key54, sizeof(key54));
	check_rows(rows6, N6, AF_INET6, key54, sizeof(key54));

	/* Exactly long enough: 12 + 4 bytes for the IPv4 4-tuple, in a
	 * malloc of that size (ASan checks the last byte read). */
	uint8_t *k16 = pr_dup(ms_key, 16);
	size_t len = row_input(&rows4[0], AF_INET, true, in);
	CHECK_INT(pkt_toeplitz(k16, 16, in, len, &h), 0);
	CHECK_EQ(h, rows4[0].with_ports);
	CHECK_INT(pkt_toeplitz(k16, 15, in, len, &h), -EINVAL);
	free(k16);
	len = row_input(&rows6[0], AF_INET6, true, in);
	CHECK_INT(pkt_toeplitz(ms_key, 39, in, len, &h), -EINVAL);
	CHECK_INT(pkt_toeplitz(NULL, 40, in, len, &h), -EINVAL);
	CHECK_INT(pkt_toeplitz(ms_key, 40, NULL, len, &h), -EINVAL);
	CHECK_INT(pkt_toeplitz(ms_key, 40, in, len, NULL), -EINVAL);
	CHECK_INT(pkt_toeplitz(ms_key, 40, NULL, 0, &h), 0);
	CHECK_EQ(h, 0);
}

/* Random keys and inputs against the bit-by-bit definition. */
static void test_random_vs_reference(void)
{
	unsigned int seed = 77;
	uint8_t key[64], in[60];

	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)rand_r(&seed);
		size_t n = (size_t)rand_r(&seed) % (sizeof(in) + 1);
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)rand_r(&seed);
		uint32_t h = 0;
		CHECK_INT(pkt_toeplitz(key, n + 4, in, n, &h), 0);
		CHECK_EQ(h, ref_toeplitz(key, in, n));
	}
}

/* A frame carrying the row's addresses and ports. */
static size_t row_frame(const struct row *r, int af, uint8_t proto,
			uint8_t *buf, size_t cap)
{
	static const uint8_t pay[4] = { 1, 2, 3, 4 };
	struct pr_spec s = { .ip = af == AF_INET ? 4 : 6, .proto = proto,
			     .payload = pay, .payload_len = sizeof(pay) };
	size_t l3, l4;
	size_t len = pr_build(buf, cap, &s, &l3, &l4, NULL);
	size_t aoff = af == AF_INET ? 12 : 8, alen = af == AF_INET ? 4 : 16;

	if (inet_pton(af, r->src, buf + l3 + aoff) != 1 ||
	    inet_pton(af, r->dst, buf + l3 + aoff + alen) != 1)
		abort();
	buf[l4] = (uint8_t)(r->sport >> 8);
	buf[l4 + 1] = (uint8_t)r->sport;
	buf[l4 + 2] = (uint8_t)(r->dport >> 8);
	buf[l4 + 3] = (uint8_t)r->dport;
	return len;
}

static void test_hash_from_frames(void)
{
	uint8_t buf[128];
	struct pkt_info pi;
	uint32_t h;

	for (size_t i = 0; i < N4 + N6; i++) {
		int af = i < N4 ? AF_INET : AF_INET6;
		const struct row *r = i < N4 ? &rows4[i] : &rows6[i - N4];
		size_t alen = af == AF_INET ? 4 : 16;
		for (int udp = 0; udp < 2; udp++) {
			size_t len = row_frame(r, af, udp ? 17 : 6, buf,
					       sizeof(buf));
			uint8_t *f = pr_dup(buf, len);
			REQUIRE(pkt_parse(f, len, &pi) == 0);
			CHECK_INT(pkt_rss_hash(ms_key, 40, f, len, &pi, true,
					       &h), 2 * alen + 4);
			CHECK_EQ(h, r->with_ports);
			CHECK_INT(pkt_rss_hash(ms_key, 40, f, len, &pi, false,
					       &h), 2 * alen);
			CHECK_EQ(h, r->without_ports);
			free(f);
		}
	}
}

/* No ports for a fragment or another protocol: the 2-tuple.  No IP: no
 * hash.  A truncated IP packet still has its addresses. */
static void test_fallbacks(void)
{
	uint8_t buf[128];
	uint8_t in[PKT_RSS_INPUT_MAX];
	struct pkt_info pi;
	uint32_t h;
	size_t len = row_frame(&rows4[0], AF_INET, 6, buf, sizeof(buf));

	buf[14 + 6] = 0x20; /* MF: a first fragment */
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_hash(ms_key, 40, buf, len, &pi, true, &h), 8);
	CHECK_EQ(h, rows4[0].without_ports);
	buf[14 + 6] = 0x00;
	buf[14 + 9] = 1; /* ICMP */
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_hash(ms_key, 40, buf, len, &pi, true, &h), 8);
	CHECK_EQ(h, rows4[0].without_ports);
	buf[14 + 9] = 6;

	/* Cut inside the TCP header: -EMSGSIZE, L3 usable. */
	uint8_t *f = pr_dup(buf, 14 + 20 + 2);
	CHECK_INT(pkt_parse(f, 14 + 20 + 2, &pi), -EMSGSIZE);
	CHECK_INT(pkt_rss_hash(ms_key, 40, f, 14 + 20 + 2, &pi, true, &h), 8);
	CHECK_EQ(h, rows4[0].without_ports);
	free(f);

	len = row_frame(&rows6[1], AF_INET6, 17, buf, sizeof(buf));
	f = pr_dup(buf, 14 + 40);
	CHECK_INT(pkt_parse(f, 14 + 40, &pi), -EMSGSIZE);
	CHECK_INT(pkt_rss_hash(ms_key, 40, f, 14 + 40, &pi, true, &h), 32);
	CHECK_EQ(h, rows6[1].without_ports);
	free(f);

	/* Not IP; no Ethernet header. */
	buf[12] = 0x08;
	buf[13] = 0x06;
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_input(buf, len, &pi, true, in), -ENOENT);
	CHECK(pkt_parse(buf, 10, &pi) < 0);
	CHECK_INT(pkt_rss_input(buf, 10, &pi, true, in), -ENOENT);

	/* An info that does not match the buffer. */
	buf[12] = 0x86;
	buf[13] = 0xdd;
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_input(buf, 14 + 39, &pi, false, in), -EINVAL);
	CHECK_INT(pkt_rss_input(buf, pi.l4_off + 3, &pi, true, in), -EINVAL);
	CHECK_INT(pkt_rss_input(buf, len, NULL, true, in), -EINVAL);
	CHECK_INT(pkt_rss_input(buf, len, &pi, true, NULL), -EINVAL);
	/* Key too short for the input actually built. */
	CHECK_INT(pkt_rss_hash(ms_key, 39, buf, len, &pi, true, &h), -EINVAL);
	CHECK_INT(pkt_rss_hash(ms_key, 39, buf, len, &pi, false, &h), 32);
}

TEST_MAIN("toeplitz",
	  TEST_CASE(test_ms_ipv4),
	  TEST_CASE(test_ms_ipv6),
	  TEST_CASE(test_key_length),
	  TEST_CASE(test_random_vs_reference),
	  TEST_CASE(test_hash_from_frames),
	  TEST_CASE(test_fallbacks))
