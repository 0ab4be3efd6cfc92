/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Internet checksum; see csum.h for the conventions.
 */
#include "csum.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bytes.h"

/* End-around carry of a 64-bit accumulator down to 32 bits. */
static uint32_t fold64(uint64_t sum)
{
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return (uint32_t)sum;
}

/* ---- the bulk: vector sums of native 16-bit words -------------------- */

/* Whether the bulk may use SSE2 (pkt_csum_set_simd).  (AVX2 lanes were
 * tried: twice as fast alone, no faster in bench/pps, so not kept.) */
static unsigned simd_max = 1;

void pkt_csum_set_simd(unsigned max)
{
	simd_max = max;
}

#ifdef __SSE2__
/* A 16-bit word XOR 0x8000 read as signed is the word minus 32768, so
 * pmaddwd against ones adds two words' worth into a 32-bit lane without a
 * shuffle (the widening unpacks of the loop before needed one per 8
 * bytes); the bias comes back at the end.  16 bytes at p into acc. */
static inline __m128i add_words(__m128i acc, const uint8_t *p)
{
	const __m128i bias = _mm_set1_epi16((short)0x8000);
	const __m128i one = _mm_set1_epi16(1);
	__m128i x = _mm_loadu_si128((const __m128i *)p);
	return _mm_add_epi32(acc, _mm_madd_epi16(_mm_xor_si128(x, bias), one));
}

/* 64 bytes a turn, four sums in flight.  A lane changes by at most 2^16 a
 * turn and four lanes are added per block, so a block of at most 2^13
 * turns stays inside int32.  The exact sum of the native words over whole
 * turns; *len keeps the rest. */
static uint64_t bulk_sse2(const uint8_t **pp, size_t *len)
{
	const uint8_t *p = *pp;
	int64_t total = 0;
	while (*len >= 64) {
		size_t turns = *len / 64 < 8192 ? *len / 64 : 8192;
		__m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
		for (size_t t = 0; t < turns; t++, p += 64) {
			a0 = add_words(a0, p);
			a1 = add_words(a1, p + 16);
			a2 = add_words(a2, p + 32);
			a3 = add_words(a3, p + 48);
		}
		*len -= turns * 64;
		a0 = _mm_add_epi32(_mm_add_epi32(a0, a1), _mm_add_epi32(a2, a3));
		int32_t l[4];
		_mm_storeu_si128((__m128i *)l, a0);
		total += (int64_t)l[0] + l[1] + l[2] + l[3] +
			 (int64_t)turns * 32 * 32768;
	}
	*pp = p;
	return (uint64_t)total;
}
#endif

/* The sum of native 64-bit loads (each carry out of bit 63 is worth 2^64,
 * which is 1 modulo 0xffff), folded, is the sum of native 16-bit words,
 * and on a little-endian host that is the big-endian sum byte-swapped (RFC
 * 1071 2(B) and 2(C)); the vector bulk sums the same native words. */
uint32_t pkt_csum_partial(const void *buf, size_t len, uint32_t seed)
{
	const uint8_t *p = buf;
	uint64_t acc = 0;

	if (!p)
		return seed;
#ifdef __SSE2__
	if (len >= 64 && simd_max >= 1)
		acc = bulk_sse2(&p, &len);
#endif
	acc = fold64(acc);
	uint64_t carries = 0;
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		acc += w;
		carries += acc < w;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32) + carries;
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len)
		acc += p[0]; /* the high byte of a word padded with 0 */
	uint16_t s = pkt_csum_swab16(pkt_csum_fold(fold64(acc)));
#else
	if (len)
		acc += (uint32_t)p[0] << 8;
	uint16_t s = pkt_csum_fold(fold64(acc));
#endif
	return fold64((uint64_t)seed + s);
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t pkt_csum_finish(uint32_t sum)
{
	return (uint16_t)~pkt_csum_fold(sum);
}

uint32_t pkt_csum_add(uint32_t a, uint32_t b)
{
	return fold64((uint64_t)a + b);
}

uint32_t pkt_csum_sub(uint32_t a, uint32_t b)
{
	return pkt_csum_add(a, ~b);
}

uint16_t pkt_csum_swab16(uint16_t sum)
{
	return (uint16_t)(sum << 8 | sum >> 8);
}

uint32_t pkt_csum_block_add(uint32_t sum, uint32_t block, size_t offset)
{
	if (offset & 1)
		block = pkt_csum_swab16(pkt_csum_fold(block));
	return pkt_csum_add(sum, block);
}

uint32_t pkt_csum_block_sub(uint32_t sum, uint32_t block, size_t offset)
{
	if (offset & 1)
		block = pkt_csum_swab16(pkt_csum_fold(block));
	return pkt_csum_sub(sum, block);
}

int pkt_csum_range(const uint8_t *buf, size_t len, size_t start,
		   size_t end, uint16_t *sum)
{
	if (!buf || !sum || start > end || end > len)
		return -EINVAL;
	*sum = pkt_csum_fold(pkt_csum_partial(buf + start, end - start, 0));
	return 0;
}

int pkt_csum_complete(const uint8_t *frame, size_t len, size_t start,
		      uint16_t *sum)
{
	return pkt_csum_range(frame, len, start, len, sum);
}

int pkt_csum_pseudo_ipv4(const uint8_t src[4], const uint8_t dst[4],
			 uint8_t proto, size_t l4_len, uint32_t *sum)
{
	if (!src || !dst || !sum || l4_len > 0xffffu)
		return -EINVAL;
	uint32_t s = pkt_csum_partial(src, 4, 0);
	s = pkt_csum_partial(dst, 4, s);
	*sum = pkt_csum_add(s, (uint32_t)proto + (uint32_t)l4_len);
	return 0;
}

int pkt_csum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16],
			 uint8_t proto, size_t l4_len, uint32_t *sum)
{
	if (!src || !dst || !sum || l4_len > 0xffffffffu)
		return -EINVAL;
	uint32_t s = pkt_csum_partial(src, 16, 0);
	s = pkt_csum_partial(dst, 16, s);
	/* The 32-bit length as two words, then 0x0000, 0x00 next header. */
	s = pkt_csum_add(s, (uint32_t)(l4_len >> 16));
	s = pkt_csum_add(s, (uint32_t)(l4_len & 0xffffu));
	*sum = pkt_csum_add(s, proto);
	return 0;
}

int pkt_ipv4_hdr_csum(const uint8_t *hdr, size_t len, uint16_t *csum)
{
	if (!hdr || !csum || len < PKT_IPV4_HLEN)
		return -EINVAL;
	size_t hlen = (size_t)(hdr[0] & 0x0f) * 4u;
	if (hlen < PKT_IPV4_HLEN || hlen > len)
		return -EINVAL;
	/* Everything but the checksum field itself. */
	uint32_t s = pkt_csum_partial(hdr, PKT_IPV4_CSUM_OFF, 0);
	s = pkt_csum_partial(hdr + PKT_IPV4_CSUM_OFF + 2,
			     hlen - PKT_IPV4_CSUM_OFF - 2, s);
	*csum = pkt_csum_finish(s);
	return 0;
}

static bool fits_ipv4(const uint8_t *frame, size_t len,
		      const struct pkt_info *pi)
{
	return frame && pkt_info_fits(pi, len) && pi->l3 == PKT_L3_IPV4 &&
	       (size_t)(frame[pi->l3_off] & 0x0f) * 4u == pi->l3_len;
}

int pkt_ipv4_csum_fill(uint8_t *frame, size_t len, const struct pkt_info *pi)
{
	uint16_t csum;

	if (!fits_ipv4(frame, len, pi))
		return -EINVAL;
	int rc = pkt_ipv4_hdr_csum(frame + pi->l3_off, pi->l3_len, &csum);
	if (rc)
		return rc;
	pkt_put_be16(frame + pi->l3_off + PKT_IPV4_CSUM_OFF, csum);
	return 0;
}

int pkt_ipv4_csum_verify(const uint8_t *frame, size_t len,
			 const struct pkt_info *pi)
{
	if (!fits_ipv4(frame, len, pi))
		return -EINVAL;
	uint32_t s = pkt_csum_partial(frame + pi->l3_off, pi->l3_len, 0);
	return pkt_csum_fold(s) == 0xffffu ? 0 : -EBADMSG;
}

int pkt_ipv6_final_dst(const uint8_t *frame, size_t len,
		       const struct pkt_info *pi, const uint8_t **dst)
{
	if (!frame || !dst || !pkt_info_fits(pi, len) ||
	    pi->l3 != PKT_L3_IPV6)
		return -EINVAL;
	*dst = frame + pi->l3_off + 24;
	if (!pi->ip6_rt_off)
		return 0;

	/* pkt_info_fits put the header's start inside the IPv6 headers;
	 * its length must stay inside them too. */
	size_t l3_end = pi->l3_off + pi->l3_len, rt = pi->ip6_rt_off;
	if (l3_end - rt < 8)
		return -EINVAL;
	const uint8_t *r = frame + rt;
	size_t rlen = ((size_t)r[1] + 1u) * 8u;
	if (rlen > l3_end - rt)
		return -EINVAL;
	uint8_t type = r[2], segments_left = r[3];
	if (!segments_left)
		return 0; /* the destination field is the final one */
	if (type != 2 && type != 4)
		return -EOPNOTSUPP;
	/* Both put the address we want right after the 8 fixed bytes:
	 * type 2's Home Address, type 4's Segment List[0] (the last
	 * segment of the path). */
	if (rlen < 8 + 16)
		return -EBADMSG;
	*dst = r + 8;
	return 0;
}

/* The pseudo-header's sum for pi's L4 segment of l4_len bytes. */
static int pseudo_sum(const uint8_t *frame, size_t len,
		      const struct pkt_info *pi, size_t l4_len, uint32_t *sum)
{
	const uint8_t *ip = frame + pi->l3_off;
	uint8_t proto = pi->l4 == PKT_L4_TCP ? PKT_IPPROTO_TCP :
					       PKT_IPPROTO_UDP;

	if (pi->l3 == PKT_L3_IPV4)
		return pkt_csum_pseudo_ipv4(ip + 12, ip + 16, proto, l4_len,
					    sum);
	const uint8_t *dst;
	int rc = pkt_ipv6_final_dst(frame, len, pi, &dst);
	if (rc)
		return rc;
	return pkt_csum_pseudo_ipv6(ip + 8, dst, proto, l4_len, sum);
}

static size_t csum_field(const struct pkt_info *pi)
{
	return pi->l4_off +
	       (pi->l4 == PKT_L4_TCP ? PKT_TCP_CSUM_OFF : PKT_UDP_CSUM_OFF);
}

static int l4_check(const uint8_t *frame, size_t len,
		    const struct pkt_info *pi)
{
	if (!frame || !pkt_info_fits(pi, len) || pi->l3 == PKT_L3_NONE)
		return -EINVAL;
	if ((pi->l4 != PKT_L4_TCP && pi->l4 != PKT_L4_UDP) || pi->is_fragment)
		return -EPROTO;
	return 0;
}

int pkt_l4_csum(const uint8_t *frame, size_t len, const struct pkt_info *pi,
		uint16_t *csum)
{
	uint32_t s;

	if (!csum)
		return -EINVAL;
	int rc = l4_check(frame, len, pi);
	if (rc)
		return rc;
	size_t l4_len = pkt_l4_end(pi) - pi->l4_off;
	rc = pseudo_sum(frame, len, pi, l4_len, &s);
	if (rc)
		return rc;
	/* The segment with its checksum field taken as zero. */
	size_t f = csum_field(pi);
	s = pkt_csum_partial(frame + pi->l4_off, f - pi->l4_off, s);
	s = pkt_csum_partial(frame + f + 2, pkt_l4_end(pi) - f - 2, s);
	*csum = pkt_csum_finish(s);
	if (pi->l4 == PKT_L4_UDP && *csum == 0)
		*csum = 0xffffu;
	return 0;
}

int pkt_l4_csum_fill(uint8_t *frame, size_t len, const struct pkt_info *pi)
{
	uint16_t csum;

	int rc = pkt_l4_csum(frame, len, pi, &csum);
	if (rc)
		return rc;
	pkt_put_be16(frame + csum_field(pi), csum);
	return 0;
}

int pkt_l4_csum_verify(const uint8_t *frame, size_t len,
		       const struct pkt_info *pi)
{
	uint32_t s;

	int rc = l4_check(frame, len, pi);
	if (rc)
		return rc;
	if (pi->l4 == PKT_L4_UDP &&
	    pkt_get_be16(frame + csum_field(pi)) == 0)
		return pi->l3 == PKT_L3_IPV4 ? PKT_CSUM_ABSENT : -EBADMSG;
	size_t l4_len = pkt_l4_end(pi) - pi->l4_off;
	rc = pseudo_sum(frame, len, pi, l4_len, &s);
	if (rc)
		return rc;
	s = pkt_csum_partial(frame + pi->l4_off, l4_len, s);
	return pkt_csum_fold(s) == 0xffffu ? 0 : -EBADMSG;
}

int pkt_csum_offload(uint8_t *frame, size_t len, size_t start, size_t offset)
{
	if (!frame || start > len || offset > len - start ||
	    len - start - offset < 2)
		return -EINVAL;
	uint16_t csum = pkt_csum_finish(pkt_csum_partial(frame + start,
							 len - start, 0));
	pkt_put_be16(frame + start + offset, csum ? csum : 0xffffu);
	return 0;
}
