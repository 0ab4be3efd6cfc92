/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: src/pkt/ on arbitrary frames.  The input is a frame
 * (parse, checksums, RSS input and hash, checksum offload at offsets the
 * frame's first bytes pick) and, read from its first 8 bytes, a TWD-like
 * header layout and MSS for segmentation (pkt_tso_count / _segment, every
 * segment).  Nothing may crash, read or write outside the buffers (ASan),
 * or hit undefined behaviour (UBSan); a segment's length must be what was
 * returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt/toeplitz.h"
#include "pkt/tso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void segment(const uint8_t *frame, size_t len,
		    const struct pkt_tso_layout *lo, unsigned mss)
{
	static uint8_t out[PKT_TSO_HDR_MAX + 16384];
	int n = pkt_tso_count(len, lo, mss);
	for (int i = 0; i < n && i < 64; i++) {
		int sl = pkt_tso_segment(frame, len, lo, mss, (unsigned)i, out,
					 sizeof(out));
		if (sl > (int)sizeof(out))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-length copy: ASan sees a read one byte past the end. */
	uint8_t *f = malloc(size ? size : 1);
	if (!f)
		return 0;
	memcpy(f, data, size);

	struct pkt_info pi;
	int prc = pkt_parse(f, size, &pi);
	uint16_t s16;
	uint32_t h;
	uint8_t in[PKT_RSS_FIELDS_MAX > PKT_RSS_INPUT_MAX ? PKT_RSS_FIELDS_MAX
							   : PKT_RSS_INPUT_MAX];
	pkt_csum_complete(f, size, PKT_ETH_HLEN, &s16);
	if (pkt_info_fits(&pi, size)) {
		pkt_ipv4_csum_verify(f, size, &pi);
		pkt_l4_csum_verify(f, size, &pi);
		pkt_rss_input(f, size, &pi, true, in);
		pkt_rss_input_fields(f, size, &pi, PKT_RSS_FIELDS_ALL, in);
		pkt_rss_hash(key, sizeof(key), f, size, &pi, true, &h);
		if (prc == 0) {
			pkt_l4_csum_fill(f, size, &pi);
			pkt_ipv4_csum_fill(f, size, &pi);
		}
	}
	if (size >= 2)
		pkt_csum_offload(f, size, f[0], f[1]);

	if (size >= 8) {
		/* A layout from the first bytes; the frame is the rest. */
		struct pkt_tso_layout lo = {
			.l3 = (enum pkt_tso_l3)(data[0] & 3),
			.l3_off = 2u * (data[1] & 0x3f),
			.l4_len = 4u * (data[3] >> 4),
			.udp = data[3] & 1,
		};
		lo.inner_l3_off = lo.l3_off + 2u * data[2];
		lo.l4_off = lo.inner_l3_off + 2u * data[4];
		unsigned mss = (unsigned)(data[5] | data[6] << 8) & 0x3fff;
		segment(f + 8, size - 8, &lo, mss);
		if (prc == 0 && (pi.l3 == PKT_L3_IPV4 || pi.l3 == PKT_L3_IPV6) &&
		    (pi.l4 == PKT_L4_TCP || pi.l4 == PKT_L4_UDP)) {
			struct pkt_tso_layout p = {
				.l3 = pi.l3 == PKT_L3_IPV4 ? PKT_TSO_L3_IPV4
							   : PKT_TSO_L3_IPV6,
				.l3_off = pi.l3_off, .inner_l3_off = pi.l3_off,
				.l4_off = pi.l4_off, .l4_len = pi.l4_len,
				.udp = pi.l4 == PKT_L4_UDP,
			};
			segment(f, size, &p, mss ? mss : 1);
		}
	}
	free(f);
	return 0;
}
