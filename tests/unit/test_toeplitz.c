/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Toeplitz RSS hash against Microsoft's RSS verification table (its
 * key and every IPv4 and IPv6 row, with and without ports), against a
 * bit-by-bit reference written here, and the hash input built from parsed
 * frames: 4-tuple, 2-tuple, the fallbacks, and fields chosen one by one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "pkt/parse.h"
#include "pkt/toeplitz.h"
#include "msrss.h"
#include "pktref.h"
#include "test.h"

#define N4 msrss_nrows4
#define N6 msrss_nrows6

/* The input as the table hashes it: src, dst, [sport, dport]. */
static size_t row_input(const struct msrss_row *r, int af, bool ports,
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

static void check_rows(const struct msrss_row *rows, size_t n, int af,
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
	check_rows(msrss_rows4, N4, AF_INET, msrss_key, sizeof(msrss_key));
}

static void test_ms_ipv6(void)
{
	check_rows(msrss_rows6, N6, AF_INET6, msrss_key, sizeof(msrss_key));
}

/* fbnic's key is longer (425 bits, 54 bytes); bytes past what the input
 * needs change nothing.  The key must cover input + 4 bytes. */
static void test_key_length(void)
{
	uint8_t key54[54];
	uint8_t in[PKT_RSS_INPUT_MAX];
	uint32_t h;

	memcpy(key54, msrss_key, sizeof(msrss_key));
	memset(key54 + 40, 0xa5, 14);
	check_rows(msrss_rows4, N4, AF_INET, key54, sizeof(key54));
	check_rows(msrss_rows6, N6, AF_INET6, key54, sizeof(key54));

	/* Exactly long enough: 12 + 4 bytes for the IPv4 4-tuple, in a
	 * malloc of that size (ASan checks the last byte read). */
	uint8_t *k16 = pr_dup(msrss_key, 16);
	size_t len = row_input(&msrss_rows4[0], AF_INET, true, in);
	CHECK_INT(pkt_toeplitz(k16, 16, in, len, &h), 0);
	CHECK_EQ(h, msrss_rows4[0].with_ports);
	CHECK_INT(pkt_toeplitz(k16, 15, in, len, &h), -EINVAL);
	free(k16);
	len = row_input(&msrss_rows6[0], AF_INET6, true, in);
	CHECK_INT(pkt_toeplitz(msrss_key, 39, in, len, &h), -EINVAL);
	CHECK_INT(pkt_toeplitz(NULL, 40, in, len, &h), -EINVAL);
	CHECK_INT(pkt_toeplitz(msrss_key, 40, NULL, len, &h), -EINVAL);
	CHECK_INT(pkt_toeplitz(msrss_key, 40, in, len, NULL), -EINVAL);
	CHECK_INT(pkt_toeplitz(msrss_key, 40, NULL, 0, &h), 0);
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

/* The table: Microsoft's rows with its key and fbnic's 54-byte length,
 * random keys and inputs of every length against the definition, and
 * inputs longer than the table refused. */
static void test_table(void)
{
	static struct pkt_toeplitz_table t;
	uint8_t in[PKT_RSS_FIELDS_MAX + 1];
	uint32_t h = 0;
	CHECK_INT(pkt_toeplitz_table_init(&t, msrss_key, sizeof(msrss_key)), 0);
	CHECK_INT(t.max_in, 36);
	for (size_t i = 0; i < N6; i++) {
		size_t len = row_input(&msrss_rows6[i], AF_INET6, true, in);
		CHECK_INT(pkt_toeplitz_lookup(&t, in, len, &h), 0);
		CHECK_EQ(h, msrss_rows6[i].with_ports);
	}
	for (size_t i = 0; i < N4; i++) {
		size_t len = row_input(&msrss_rows4[i], AF_INET, false, in);
		CHECK_INT(pkt_toeplitz_lookup(&t, in, len, &h), 0);
		CHECK_EQ(h, msrss_rows4[i].without_ports);
	}
	CHECK_INT(pkt_toeplitz_lookup(&t, in, 37, &h), -EINVAL);
	unsigned int seed = 99;
	uint8_t key[54];
	unsigned bad = 0;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)rand_r(&seed);
		CHECK_INT(pkt_toeplitz_table_init(&t, key, sizeof(key)), 0);
		CHECK_INT(t.max_in, PKT_RSS_FIELDS_MAX);
		for (size_t n = 0; n <= PKT_RSS_FIELDS_MAX; n++) {
			for (size_t i = 0; i < n; i++)
				in[i] = (uint8_t)rand_r(&seed);
			if (pkt_toeplitz_lookup(&t, in, n, &h) ||
			    h != ref_toeplitz(key, in, n))
				bad++;
		}
		CHECK_INT(pkt_toeplitz_lookup(&t, in, PKT_RSS_FIELDS_MAX + 1, &h),
			  -EINVAL);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(pkt_toeplitz_table_init(&t, key, 4), -EINVAL);
	CHECK_INT(pkt_toeplitz_table_init(NULL, key, 40), -EINVAL);
}

/* A frame carrying the row's addresses and ports. */
static size_t row_frame(const struct msrss_row *r, int af, uint8_t proto,
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
		const struct msrss_row *r = i < N4 ? &msrss_rows4[i] : &msrss_rows6[i - N4];
		size_t alen = af == AF_INET ? 4 : 16;
		for (int udp = 0; udp < 2; udp++) {
			size_t len = row_frame(r, af, udp ? 17 : 6, buf,
					       sizeof(buf));
			uint8_t *f = pr_dup(buf, len);
			REQUIRE(pkt_parse(f, len, &pi) == 0);
			CHECK_INT(pkt_rss_hash(msrss_key, 40, f, len, &pi, true,
					       &h), 2 * alen + 4);
			CHECK_EQ(h, r->with_ports);
			CHECK_INT(pkt_rss_hash(msrss_key, 40, f, len, &pi, false,
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
	size_t len = row_frame(&msrss_rows4[0], AF_INET, 6, buf, sizeof(buf));

	buf[14 + 6] = 0x20; /* MF: a first fragment */
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_hash(msrss_key, 40, buf, len, &pi, true, &h), 8);
	CHECK_EQ(h, msrss_rows4[0].without_ports);
	buf[14 + 6] = 0x00;
	buf[14 + 9] = 1; /* ICMP */
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_hash(msrss_key, 40, buf, len, &pi, true, &h), 8);
	CHECK_EQ(h, msrss_rows4[0].without_ports);
	buf[14 + 9] = 6;

	/* Cut inside the TCP header: -EMSGSIZE, L3 usable. */
	uint8_t *f = pr_dup(buf, 14 + 20 + 2);
	CHECK_INT(pkt_parse(f, 14 + 20 + 2, &pi), -EMSGSIZE);
	CHECK_INT(pkt_rss_hash(msrss_key, 40, f, 14 + 20 + 2, &pi, true, &h), 8);
	CHECK_EQ(h, msrss_rows4[0].without_ports);
	free(f);

	len = row_frame(&msrss_rows6[1], AF_INET6, 17, buf, sizeof(buf));
	f = pr_dup(buf, 14 + 40);
	CHECK_INT(pkt_parse(f, 14 + 40, &pi), -EMSGSIZE);
	CHECK_INT(pkt_rss_hash(msrss_key, 40, f, 14 + 40, &pi, true, &h), 32);
	CHECK_EQ(h, msrss_rows6[1].without_ports);
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
	CHECK_INT(pkt_rss_hash(msrss_key, 39, buf, len, &pi, true, &h), -EINVAL);
	CHECK_INT(pkt_rss_hash(msrss_key, 39, buf, len, &pi, false, &h), 32);
}

/* Fields chosen one by one, in their order: DA, source, destination,
 * ports, IPv6 flow label; a field the frame lacks is left out. */
static void test_input_fields(void)
{
	uint8_t buf[128], in[PKT_RSS_FIELDS_MAX], want[PKT_RSS_FIELDS_MAX];
	struct pkt_info pi;
	const struct msrss_row *r = &msrss_rows6[0];
	size_t len = row_frame(r, AF_INET6, 6, buf, sizeof(buf));

	buf[14 + 1] = 0xab; /* traffic class low nibble, flow label 0xbcdef */
	buf[14 + 2] = 0xcd;
	buf[14 + 3] = 0xef;
	uint8_t *f = pr_dup(buf, len);
	REQUIRE(pkt_parse(f, len, &pi) == 0);

	/* All of them, against the concatenation. */
	size_t n = 0;
	memcpy(want, f, 6);
	n = 6 + row_input(r, AF_INET6, true, want + 6);
	want[n++] = 0x0b;
	want[n++] = 0xcd;
	want[n++] = 0xef;
	CHECK_INT(n, PKT_RSS_FIELDS_MAX);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_FIELDS_ALL, in),
		  (int)n);
	CHECK_MEM(in, want, n);

	/* One at a time. */
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_L2_DA, in), 6);
	CHECK_MEM(in, f, 6);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_IP_SRC, in), 16);
	CHECK_MEM(in, f + 14 + 8, 16);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_IP_DST, in), 16);
	CHECK_MEM(in, f + 14 + 24, 16);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_L4_SRC, in), 2);
	CHECK_MEM(in, f + pi.l4_off, 2);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_L4_DST, in), 2);
	CHECK_MEM(in, f + pi.l4_off + 2, 2);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_IP6_FL, in), 3);
	CHECK_MEM(in, want + n - 3, 3);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, 0, in), 0);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, 0x40, in), -EINVAL);
	CHECK_INT(pkt_rss_input_fields(NULL, len, &pi, 1, in), -EINVAL);
	CHECK_INT(pkt_rss_input_fields(f, len, NULL, 1, in), -EINVAL);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, 1, NULL), -EINVAL);
	/* The info does not fit the buffer. */
	CHECK_INT(pkt_rss_input_fields(f, pi.l4_off + 3, &pi,
				       PKT_RSS_L4_DST, in), -EINVAL);
	CHECK_INT(pkt_rss_input_fields(f, 14 + 39, &pi, PKT_RSS_L2_DA, in),
		  -EINVAL);
	free(f);

	/* IPv4: no flow label; the 4-tuple is Microsoft's. */
	r = &msrss_rows4[2];
	len = row_frame(r, AF_INET, 17, buf, sizeof(buf));
	f = pr_dup(buf, len);
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	n = row_input(r, AF_INET, true, want);
	CHECK_INT(pkt_rss_input_fields(f, len, &pi, PKT_RSS_FIELDS_ALL &
				       ~PKT_RSS_L2_DA, in), (int)n);
	CHECK_MEM(in, want, n);
	free(f);

	/* A fragment: no ports.  No IP: the DA alone. */
	buf[14 + 6] = 0x20;
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_input_fields(buf, len, &pi, PKT_RSS_FIELDS_ALL, in),
		  6 + 8);
	buf[12] = 0x08;
	buf[13] = 0x06;
	REQUIRE(pkt_parse(buf, len, &pi) == 0);
	CHECK_INT(pkt_rss_input_fields(buf, len, &pi, PKT_RSS_FIELDS_ALL, in),
		  6);
	/* Fewer than 6 bytes: nothing at all. */
	f = pr_dup(buf, 5);
	CHECK(pkt_parse(f, 5, &pi) < 0);
	CHECK_INT(pkt_rss_input_fields(f, 5, &pi, PKT_RSS_FIELDS_ALL, in), 0);
	free(f);
}

TEST_MAIN("toeplitz",
	  TEST_CASE(test_ms_ipv4),
	  TEST_CASE(test_ms_ipv6),
	  TEST_CASE(test_key_length),
	  TEST_CASE(test_random_vs_reference),
	  TEST_CASE(test_table),
	  TEST_CASE(test_hash_from_frames),
	  TEST_CASE(test_fallbacks),
	  TEST_CASE(test_input_fields))
