/* SPDX-License-Identifier: Apache-2.0 */
#include "pktref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *pr_dup(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p) {
		fprintf(stderr, "pr_dup: out of memory\n");
		abort();
	}
	if (len)
		memcpy(p, src, len);
	return p;
}

uint16_t pr_sum(const uint8_t *b, size_t n)
{
	unsigned long long s = 0;

	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (unsigned long long)b[i] * 256u : b[i];
	if (s == 0)
		return 0;
	s %= 0xffffu;
	return (uint16_t)(s ? s : 0xffffu);
}

uint16_t pr_l4_csum(const uint8_t *frame, size_t l3_off, size_t l4_off,
		    size_t l4_len, uint8_t proto, const uint8_t *dst6)
{
	const uint8_t *ip = frame + l3_off;
	size_t ph_len = (ip[0] >> 4) == 4 ? 12 : 40;
	uint8_t *buf = calloc(1, ph_len + l4_len + 1);

	if (!buf)
		abort();
	if (ph_len == 12) {
		memcpy(buf, ip + 12, 8);
		buf[9] = proto;
		buf[10] = (uint8_t)(l4_len >> 8);
		buf[11] = (uint8_t)l4_len;
	} else {
		memcpy(buf, ip + 8, 16);
		memcpy(buf + 16, dst6 ? dst6 : ip + 24, 16);
		buf[32] = (uint8_t)(l4_len >> 24);
		buf[33] = (uint8_t)(l4_len >> 16);
		buf[34] = (uint8_t)(l4_len >> 8);
		buf[35] = (uint8_t)l4_len;
		buf[39] = proto;
	}
	memcpy(buf + ph_len, frame + l4_off, l4_len);
	size_t f = ph_len + (proto == 6 ? 16 : 6);
	buf[f] = buf[f + 1] = 0;
	uint16_t c = (uint16_t)~pr_sum(buf, ph_len + l4_len);
	free(buf);
	if (proto == 17 && c == 0)
		c = 0xffff;
	return c;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffffu);
}

size_t pr_build(uint8_t *out, size_t cap, const struct pr_spec *s,
		size_t *l3_off_out, size_t *l4_off_out, size_t *pay_off_out)
{
	static const uint8_t src4[4] = { 10, 0, 0, 1 };
	static const uint8_t dst4[4] = { 10, 0, 0, 2 };
	static const uint8_t src6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t dst6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 2 };
	size_t l4_hlen = s->proto == 6 ? 20 + s->tcp_opts_len :
			 s->proto == 17 ? 8 : 0;
	size_t l3_hlen = s->ip == 4 ? 20 + s->ip_opts_len : 40 + s->ext_len;
	size_t l3_off = 14 + 4 * s->vlans;
	size_t l4_off = l3_off + l3_hlen;
	size_t pay_off = l4_off + l4_hlen;
	size_t len = pay_off + s->payload_len;
	size_t l4_len = len - l4_off;

	if (len > cap || (s->pad_to > len && s->pad_to > cap)) {
		fprintf(stderr, "pr_build: %zu bytes do not fit %zu\n", len,
			cap);
		abort();
	}
	memset(out, 0, len);
	memcpy(out, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	size_t p = 12;
	for (unsigned int v = 0; v < s->vlans; v++) {
		put16(out + p, v + 1 < s->vlans ? 0x88a8 : 0x8100);
		put16(out + p + 2, 100 + v);
		p += 4;
	}
	put16(out + p, s->ip == 4 ? 0x0800 : 0x86dd);

	uint8_t *ip = out + l3_off;
	if (s->ip == 4) {
		ip[0] = (uint8_t)(0x40 | l3_hlen / 4);
		put16(ip + 2, (unsigned)(len - l3_off));
		put16(ip + 4, s->ip_id);
		put16(ip + 6, s->ip_frag);
		ip[8] = 64;
		ip[9] = s->proto;
		memcpy(ip + 12, src4, 4);
		memcpy(ip + 16, dst4, 4);
		if (s->ip_opts_len)
			memcpy(ip + 20, s->ip_opts, s->ip_opts_len);
		put16(ip + 10, (uint16_t)~pr_sum(ip, l3_hlen));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)(len - l3_off - 40));
		ip[6] = s->ext_len ? s->ext_first : s->proto;
		ip[7] = 64;
		memcpy(ip + 8, src6, 16);
		memcpy(ip + 24, dst6, 16);
		if (s->ext_len) {
			memcpy(ip + 40, s->ext, s->ext_len);
			ip[40 + s->ext_last] = s->proto;
		}
	}

	uint8_t *l4 = out + l4_off;
	if (s->proto == 6) {
		put16(l4, 40000);
		put16(l4 + 2, 443);
		put32(l4 + 4, s->seq);
		put32(l4 + 8, 0xa0b0c0d0u);
		l4[12] = (uint8_t)((l4_hlen / 4) << 4);
		l4[13] = s->tcp_flags;
		put16(l4 + 14, 0xffff);
		if (s->tcp_opts_len)
			memcpy(l4 + 20, s->tcp_opts, s->tcp_opts_len);
	} else if (s->proto == 17) {
		put16(l4, 5353);
		put16(l4 + 2, 53);
		put16(l4 + 4, (unsigned)l4_len);
	}
	if (s->payload_len)
		memcpy(out + pay_off, s->payload, s->payload_len);
	if (s->proto == 6)
		put16(l4 + 16, pr_l4_csum(out, l3_off, l4_off, l4_len, 6,
					  NULL));
	else if (s->proto == 17)
		put16(l4 + 6, pr_l4_csum(out, l3_off, l4_off, l4_len, 17,
					 NULL));
	if (s->pad_to > len) {
		memset(out + len, 0xee, s->pad_to - len);
		len = s->pad_to;
	}
	if (l3_off_out)
		*l3_off_out = l3_off;
	if (l4_off_out)
		*l4_off_out = l4_off;
	if (pay_off_out)
		*pay_off_out = pay_off;
	return len;
}
