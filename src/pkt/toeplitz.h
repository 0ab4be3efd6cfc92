/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Toeplitz hash of receive side scaling: the hash the driver selects
 * (fbnic_get_rxfh: ETH_RSS_HASH_TOP) and reads back from the RCD
 * (FBNIC_RCD_META_RSS_HASH, fbnic_txrx.c).  Pure code like all of src/pkt/
 * (see parse.h).
 *
 * For every bit of the input, most significant bit of the first byte
 * first, that is set, the result is XORed with the 32 key bits starting at
 * that bit's position.  An input of n bytes reads key bits 0 .. 8n + 30,
 * so the key must hold at least n + 4 bytes; any longer key is fine (the
 * classic key is 40 bytes, enough for the 36-byte IPv6 4-tuple; fbnic's
 * is FBNIC_RPC_RSS_KEY_BYTE_LEN, 425 bits in 54 bytes).
 *
 * Input order, the one Microsoft's RSS verification table hashes (its
 * values are the tests'; the table lists each row's destination before
 * its source, but the source goes first into the hash):
 *   2-tuple  source address, destination address            (8 / 32 bytes)
 *   4-tuple  source address, destination address, source port,
 *            destination port                               (12 / 36 bytes)
 * all in network byte order as they sit in the headers.
 *
 * A device may hash other fields too, chosen field by field (fbnic's
 * ACT_TBL1 RSS_ENA bits): pkt_rss_input_fields.  They go in the order of
 * the PKT_RSS_* bits below, the destination MAC first, the IPv6 flow
 * label last; a field the frame lacks is left out.  Where the extra
 * fields go is a choice (no driver can see it); the 2- and 4-tuples stay
 * Microsoft's.
 */
#ifndef FBNIC_EMU_PKT_TOEPLITZ_H
#define FBNIC_EMU_PKT_TOEPLITZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define PKT_RSS_INPUT_MAX 36u	/* IPv6 4-tuple */

/* Fields for pkt_rss_input_fields, in input order. */
#define PKT_RSS_L2_DA 0x01u	/* destination MAC, 6 bytes */
#define PKT_RSS_IP_SRC 0x02u	/* 4 / 16 bytes */
#define PKT_RSS_IP_DST 0x04u	/* 4 / 16 bytes */
#define PKT_RSS_L4_SRC 0x08u	/* TCP / UDP source port, 2 bytes */
#define PKT_RSS_L4_DST 0x10u	/* TCP / UDP destination port, 2 bytes */
#define PKT_RSS_IP6_FL 0x20u	/* IPv6 flow label: 20 bits in 3 bytes */
#define PKT_RSS_FIELDS_ALL 0x3fu
#define PKT_RSS_FIELDS_MAX 45u	/* 6 + 16 + 16 + 2 + 2 + 3 */

/* *hash = Toeplitz(key, input).  -EINVAL for NULL pointers or a key
 * shorter than in_len + 4 bytes.  in_len 0 hashes to 0. */
int pkt_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in,
		 size_t in_len, uint32_t *hash);

/* The same hash by table lookup, one per input byte: for a key fixed
 * while many inputs are hashed (a device's RSS key).  t[i][b] is the
 * hash of byte value b at input position i.  Inputs up to max_in bytes
 * (the key's length - 4, at most PKT_RSS_FIELDS_MAX). */
struct pkt_toeplitz_table {
	size_t max_in;
	uint32_t t[PKT_RSS_FIELDS_MAX][256];
};
/* Fill t for key; -EINVAL for NULL pointers or a key under 5 bytes. */
int pkt_toeplitz_table_init(struct pkt_toeplitz_table *t, const uint8_t *key,
			    size_t key_len);
/* *hash = Toeplitz(key, input) for the table's key; -EINVAL for NULL
 * pointers or in_len above t->max_in. */
int pkt_toeplitz_lookup(const struct pkt_toeplitz_table *t, const uint8_t *in,
			size_t in_len, uint32_t *hash);

/* Build the hash input of a parsed frame into out: the 4-tuple when
 * `ports` is set and the frame has a TCP or UDP header (never for a
 * fragment: its ports are not in every fragment), else the 2-tuple.
 * Returns the input's length (8 or 12 for IPv4, 32 or 36 for IPv6) or
 * -EINVAL (NULL pointers, or offsets of pi outside len), -ENOENT when
 * the frame has no IP header.  pi may come from a parse that failed after
 * the layers used (parse.h): a truncated IP packet still has its
 * addresses. */
int pkt_rss_input(const uint8_t *frame, size_t len, const struct pkt_info *pi,
		  bool ports, uint8_t out[PKT_RSS_INPUT_MAX]);

/* Build the hash input of the fields selected (PKT_RSS_*) that the frame
 * has: the destination MAC when the frame holds 6 bytes; addresses when
 * pi has an IP header (a truncated IP packet has them, parse.h); ports
 * of a TCP or UDP header (never of a fragment); the flow label of an
 * IPv6 header.  Returns the input's length (0: none of the fields is
 * there) or -EINVAL (NULL pointers, bits outside PKT_RSS_FIELDS_ALL, or
 * offsets of pi outside len). */
int pkt_rss_input_fields(const uint8_t *frame, size_t len,
			 const struct pkt_info *pi, unsigned fields,
			 uint8_t out[PKT_RSS_FIELDS_MAX]);

/* pkt_rss_input, then pkt_toeplitz: returns the input length used, or a
 * negative errno.  The length says whether the ports went in, which the
 * RCD must agree with: fbnic_skb_hash_type calls the hash an L4 one when
 * the RCD's L4 type is set. */
int pkt_rss_hash(const uint8_t *key, size_t key_len, const uint8_t *frame,
		 size_t len, const struct pkt_info *pi, bool ports,
		 uint32_t *hash);

#endif
