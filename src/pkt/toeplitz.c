/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Toeplitz hash and RSS input; see toeplitz.h.
 */
#include "toeplitz.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"

int pkt_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in,
		 size_t in_len, uint32_t *hash)
{
	if (!key || !hash || (!in && in_len) || in_len > SIZE_MAX - 4 ||
	    key_len < in_len + 4)
		return -EINVAL;

	/* win: the 32 key bits from the current input bit on. */
	uint32_t win = pkt_get_be32(key), h = 0;
	for (size_t i = 0; i < in_len; i++) {
		/* Byte i + 4 of the key feeds the window while byte i of the
		 * input is consumed: i + 4 < key_len. */
		uint8_t next = key[i + 4];
		for (int b = 7; b >= 0; b--) {
			if (in[i] >> b & 1)
				h ^= win;
			win = win << 1 | (uint32_t)(next >> b & 1);
		}
	}
	*hash = h;
	return 0;
}

int pkt_toeplitz_table_init(struct pkt_toeplitz_table *t, const uint8_t *key,
			    size_t key_len)
{
	if (!t || !key || key_len < 5)
		return -EINVAL;
	size_t n = key_len - 4;
	if (n > PKT_RSS_FIELDS_MAX)
		n = PKT_RSS_FIELDS_MAX;
	t->max_in = n;
	for (size_t i = 0; i < n; i++) {
		/* the window of each of byte i's 8 bits, most significant
		 * first: key bits 8i + k .. 8i + k + 31 */
		uint64_t w = (uint64_t)pkt_get_be32(key + i) << 8 | key[i + 4];
		uint32_t bitwin[8];
		for (unsigned k = 0; k < 8; k++)
			bitwin[k] = (uint32_t)(w >> (8 - k));
		t->t[i][0] = 0;
		for (unsigned b = 1; b < 256; b++) {
			/* b's lowest set bit j is input bit 7 - j */
			unsigned j = (unsigned)__builtin_ctz(b);
			t->t[i][b] = t->t[i][b & (b - 1)] ^ bitwin[7 - j];
		}
	}
	return 0;
}

int pkt_toeplitz_lookup(const struct pkt_toeplitz_table *t, const uint8_t *in,
			size_t in_len, uint32_t *hash)
{
	/* (max_in is at most the table's rows; the second bound says so to
	 * the compiler, which otherwise warns once it inlines a caller) */
	if (!t || !hash || (!in && in_len) || in_len > t->max_in ||
	    in_len > PKT_RSS_FIELDS_MAX)
		return -EINVAL;
	uint32_t h = 0;
	for (size_t i = 0; i < in_len; i++)
		h ^= t->t[i][in[i]];
	*hash = h;
	return 0;
}

int pkt_rss_input_fields(const uint8_t *frame, size_t len,
			 const struct pkt_info *pi, unsigned fields,
			 uint8_t out[PKT_RSS_FIELDS_MAX])
{
	size_t alen = 0, aoff = 0, n = 0;

	if (!frame || !pi || !out || (fields & ~PKT_RSS_FIELDS_ALL))
		return -EINVAL;
	if (pi->l3 == PKT_L3_IPV4) {
		alen = 4;
		aoff = 12; /* source, then destination */
	} else if (pi->l3 == PKT_L3_IPV6) {
		alen = 16;
		aoff = 8;
	}
	if (alen && (pi->l3_off > len || aoff + 2 * alen > len - pi->l3_off))
		return -EINVAL;
	bool ports = alen && !pi->is_fragment &&
		     (pi->l4 == PKT_L4_TCP || pi->l4 == PKT_L4_UDP);
	/* Both headers start with source port, destination port. */
	if (ports && (fields & (PKT_RSS_L4_SRC | PKT_RSS_L4_DST)) &&
	    (pi->l4_off > len || len - pi->l4_off < 4))
		return -EINVAL;

	if ((fields & PKT_RSS_L2_DA) && len >= PKT_ETH_ALEN) {
		memcpy(out, frame, PKT_ETH_ALEN);
		n += PKT_ETH_ALEN;
	}
	const uint8_t *ip = alen ? frame + pi->l3_off : NULL;
	if (alen && (fields & PKT_RSS_IP_SRC)) {
		memcpy(out + n, ip + aoff, alen);
		n += alen;
	}
	if (alen && (fields & PKT_RSS_IP_DST)) {
		memcpy(out + n, ip + aoff + alen, alen);
		n += alen;
	}
	if (ports && (fields & PKT_RSS_L4_SRC)) {
		memcpy(out + n, frame + pi->l4_off, 2);
		n += 2;
	}
	if (ports && (fields & PKT_RSS_L4_DST)) {
		memcpy(out + n, frame + pi->l4_off + 2, 2);
		n += 2;
	}
	if (pi->l3 == PKT_L3_IPV6 && (fields & PKT_RSS_IP6_FL)) {
		/* RFC 8200 3: version 4 bits, traffic class 8, label 20. */
		out[n] = ip[1] & 0x0f;
		out[n + 1] = ip[2];
		out[n + 2] = ip[3];
		n += 3;
	}
	return (int)n;
}

int pkt_rss_input(const uint8_t *frame, size_t len, const struct pkt_info *pi,
		  bool ports, uint8_t out[PKT_RSS_INPUT_MAX])
{
	uint8_t in[PKT_RSS_FIELDS_MAX];

	if (!frame || !pi || !out)
		return -EINVAL;
	if (pi->l3 != PKT_L3_IPV4 && pi->l3 != PKT_L3_IPV6)
		return -ENOENT;
	unsigned fields = PKT_RSS_IP_SRC | PKT_RSS_IP_DST;
	if (ports)
		fields |= PKT_RSS_L4_SRC | PKT_RSS_L4_DST;
	int n = pkt_rss_input_fields(frame, len, pi, fields, in);
	if (n > 0)
		memcpy(out, in, (size_t)n);
	return n;
}

int pkt_rss_hash(const uint8_t *key, size_t key_len, const uint8_t *frame,
		 size_t len, const struct pkt_info *pi, bool ports,
		 uint32_t *hash)
{
	uint8_t in[PKT_RSS_INPUT_MAX];

	int n = pkt_rss_input(frame, len, pi, ports, in);
	if (n < 0)
		return n;
	int rc = pkt_toeplitz(key, key_len, in, (size_t)n, hash);
	return rc ? rc : n;
}
