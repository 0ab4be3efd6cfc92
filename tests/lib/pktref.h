/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers for src/pkt/: frames built field by field and a reference
 * Internet checksum written independently of src/pkt/csum.c (bytes summed
 * as plain integers and reduced modulo 0xffff, the pseudo-header laid out
 * as bytes), so a test can check the library against something that does
 * not share its code.
 */
#ifndef FBNIC_EMU_TESTS_PKTREF_H
#define FBNIC_EMU_TESTS_PKTREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A copy in a malloc of exactly len bytes, so ASan flags any read past
 * the end (aborts on allocation failure; free() it). */
uint8_t *pr_dup(const void *src, size_t len);

/* One's-complement sum of n bytes, folded, not complemented (RFC 1071):
 * the sum of big-endian words modulo 0xffff, 0xffff for a non-zero
 * multiple of it. */
uint16_t pr_sum(const uint8_t *b, size_t n);

/* The checksum field value of the L4 segment frame[l4_off, l4_off +
 * l4_len) (TCP when proto is 6, UDP when 17) over IPv4 or IPv6 (the
 * version nibble at l3_off), field taken as zero; dst6 overrides the IPv6
 * destination (a routing header's final one) when not NULL. */
uint16_t pr_l4_csum(const uint8_t *frame, size_t l3_off, size_t l4_off,
		    size_t l4_len, uint8_t proto, const uint8_t *dst6);

/* A frame to build.  Zeroed fields mean: no VLAN tag, no options, no
 * extension headers, no payload, no padding. */
struct pr_spec {
	unsigned int vlans;	/* 0..2 tags: 0x88a8 outer, 0x8100 inner */
	int ip;			/* 4 or 6 */
	uint8_t proto;		/* 6 TCP, 17 UDP, else raw payload */
	const uint8_t *ip_opts;	/* IPv4 options, a multiple of 4 bytes */
	size_t ip_opts_len;
	const uint8_t *ext;	/* IPv6 extension headers, chained; the last
				 * one's next header byte is set to proto */
	size_t ext_len;
	uint8_t ext_first;	/* type of the first one */
	size_t ext_last;	/* offset of the last one inside ext */
	uint16_t ip_id;
	uint16_t ip_frag;	/* IPv4 flags + fragment offset field */
	const uint8_t *tcp_opts; /* a multiple of 4 bytes */
	size_t tcp_opts_len;
	uint8_t tcp_flags;
	uint32_t seq;
	const uint8_t *payload;
	size_t payload_len;
	size_t pad_to;		/* pad the frame with 0xee up to this */
};

/* Build into out (cap bytes); checksums filled with the reference.
 * Returns the frame's length; aborts if it does not fit.  Offsets of the
 * layers are reported through the optional pointers. */
size_t pr_build(uint8_t *out, size_t cap, const struct pr_spec *s,
		size_t *l3_off, size_t *l4_off, size_t *pay_off);

#endif
