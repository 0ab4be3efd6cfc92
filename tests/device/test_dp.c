/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data path driven the way the upstream driver drives it (hnic.c:
 * fbnic_txrx.c's ring programming, TX map and doorbell, TCQ and RCQ
 * cleaning): frames out with gather, CSO, LSO and timestamps; frames in
 * with the driver's buffer layout, header-data split, checksum metadata,
 * ring wrap and phase; back-pressure when buffers run out; malformed
 * descriptors and doorbells stop their ring, counted, without a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/ptp.h"
#include "dev/queue.h"
#include "harness.h"
#include "hnic.h"
#include "pkt/bytes.h"
#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt/toeplitz.h"
#include "pktref.h"
#include "test.h"

#define VEC 2u /* the first NAPI vector (fbnic.h FBNIC_NON_NAPI_VECTORS) */

static const uint8_t dev_mac[6] = { 0x02, 0xfb, 0x00, 0x00, 0x00, 0x01 };

/* A TCP or UDP frame for the device (destination: its MAC). */
static size_t build(uint8_t *out, size_t cap, int ip, uint8_t proto,
		    size_t payload_len)
{
	static uint8_t payload[65536];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	struct pr_spec s = { .ip = ip, .proto = proto, .seq = 1000,
			     .tcp_flags = 0x18, .payload = payload,
			     .payload_len = payload_len, .ip_id = 77 };
	size_t l3, l4, pay;
	size_t len = pr_build(out, cap, &s, &l3, &l4, &pay);
	memcpy(out, dev_mac, 6);
	return len;
}

static struct harness *up(struct hnic *n, unsigned bdq, unsigned rcq)
{
	struct harness *h = h_create(NULL);
	if (h)
		hnic_up(n, h, 0, VEC, 256, bdq, rcq);
	return h;
}

static void coalesce(struct harness *h, unsigned rx_us, unsigned tx_us,
		     unsigned rcd_threshold);
static void rearm(struct harness *h);

/* ---- TX --------------------------------------------------------------- */

static void test_tx_gathers_completes_and_interrupts(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	unsigned before = h->msix[VEC];
	REQUIRE(hnic_xmit(&n, f, len, 0, 3));
	h_run(h);
	REQUIRE(h->nframes == 1);
	CHECK_INT(h->frame_len[0], len);
	CHECK_MEM(h->frames[0], f, len);
	CHECK_INT(hnic_clean_tcq(&n), 1);
	CHECK_INT(n.twq_done, 4); /* META + 3 AL */
	CHECK(h->msix[VEC] > before);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), 1);
	h_destroy(h);
}

/* The device reads descriptors ahead (dp/ring.c), and what it read ahead
 * must never stand in for what the driver wrote later: a 16-entry ring
 * turned over many times in bursts of every size up to the ring's room,
 * each frame different; a doorbell in the middle of a packet (its META
 * read ahead alone, nothing past the tail, the rest fetched when the tail
 * moves on); and a
 * restart with a packet half posted. */
static void test_tx_descriptors_read_ahead(void)
{
	struct hnic n;
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	hnic_up(&n, h, 0, VEC, 16, 64, 256);
	uint64_t buf = h_alloc(h, 8 * 256);
	uint8_t *mem = h_gpa(h, buf);
	unsigned sent = 0, bad = 0;
	for (unsigned burst = 1; burst <= 7; burst++)
		for (unsigned round = 0; round < 6; round++) {
			h_frames_clear(h);
			for (unsigned k = 0; k < burst; k++) {
				/* 2 TWDs a packet: 7 fit the 15 usable slots */
				uint8_t *f = mem + 256 * (sent % 8);
				build(f, 256, 4, 17, 100);
				f[60] = (uint8_t)sent;
				f[61] = (uint8_t)(sent >> 8);
				struct hnic_seg seg = { buf + 256 * (sent % 8), 142 };
				REQUIRE(hnic_post_sg(&n, &seg, 1, 0));
				sent++;
			}
			hnic_tx_doorbell(&n);
			h_run(h);
			if (h->nframes != burst) {
				bad++;
				continue;
			}
			for (unsigned k = 0; k < burst; k++) {
				unsigned id = sent - burst + k;
				if (h->frame_len[k] != 142 ||
				    h->frames[k][60] != (uint8_t)id ||
				    h->frames[k][61] != (uint8_t)(id >> 8))
					bad++;
			}
			hnic_clean_tcq(&n);
		}
	CHECK_INT(bad, 0);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), (long long)sent);

	/* A doorbell after the META alone: nothing goes until the rest. */
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	memcpy(mem, f, len);
	struct hnic_seg seg = { buf, (uint32_t)len };
	h_frames_clear(h);
	REQUIRE(hnic_post_sg(&n, &seg, 1, 0));
	/* (the AL slot beyond the tail holds garbage until the second
	 * doorbell: a device that read past the tail would keep it) */
	uint64_t *al = h_gpa(h, n.twq.base + 8 * ((n.twq.tail - 1) & 15));
	uint64_t al_twd = *al;
	*al = 0;
	uint32_t q0 = FBNIC_QUEUE(0);
	h_wr32(h, 0, q0 + FBNIC_QUEUE_TWQ0_TAIL, (n.twq.tail - 1) & 15);
	h_run(h);
	CHECK_INT(h->nframes, 0);
	*al = al_twd;
	hnic_tx_doorbell(&n);
	h_run(h);
	REQUIRE(h->nframes == 1);
	CHECK_MEM(h->frames[0], f, len);
	hnic_clean_tcq(&n);

	/* Half a packet read ahead, then the queue restarted (its rings
	 * reset, on new memory): the new packet goes out, nothing of the
	 * old one. */
	h_frames_clear(h);
	REQUIRE(hnic_post_sg(&n, &seg, 1, 0));
	h_wr32(h, 0, q0 + FBNIC_QUEUE_TWQ0_TAIL, (n.twq.tail - 1) & 15);
	h_run(h);
	CHECK_INT(h->nframes, 0);
	CHECK(!hnic_stop(&n)); /* the half packet keeps TWQ0 busy */
	hnic_restart(&n, 16, 64, 256);
	mem[len - 1] ^= 0xff;
	f[len - 1] ^= 0xff;
	seg.len = (uint32_t)len;
	REQUIRE(hnic_xmit_sg(&n, &seg, 1, 0));
	h_run(h);
	REQUIRE(h->nframes == 1);
	CHECK_MEM(h->frames[0], f, len);
	h_destroy(h);
}

static void test_tx_pads_short_frames(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0xfb, 0, 0, 0, 1,
			  0x08, 0x06 };
	REQUIRE(hnic_xmit(&n, f, sizeof(f), 0, 1));
	h_run(h);
	REQUIRE(h->nframes == 1);
	CHECK_INT(h->frame_len[0], 60);
	CHECK_MEM(h->frames[0], f, sizeof(f));
	h_destroy(h);
}

/* CHECKSUM_PARTIAL as the stack leaves it: the pseudo-header sum in the
 * field, start and offset in the META (fbnic_tx_offloads). */
static void test_tx_checksum_offload(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[600];
	size_t len = build(f, sizeof(f), 6, 6, 500);
	struct pkt_info pi;
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	uint32_t ph;
	REQUIRE(pkt_csum_pseudo_ipv6(f + pi.l3_off + 8, f + pi.l3_off + 24, 6,
				     len - pi.l4_off, &ph) == 0);
	uint16_t seed = pkt_csum_fold(ph);
	f[pi.l4_off + 16] = (uint8_t)(seed >> 8);
	f[pi.l4_off + 17] = (uint8_t)seed;
	uint64_t meta = FBNIC_TWD_FLAG_REQ_CSO |
			FBNIC_FIELD_PREP(FBNIC_TWD_L2_HLEN_MASK, pi.l3_off / 2) |
			FBNIC_FIELD_PREP(FBNIC_TWD_L3_IHLEN_MASK,
					 (pi.l4_off - pi.l3_off) / 2) |
			FBNIC_FIELD_PREP(FBNIC_TWD_CSUM_OFFSET_MASK, 16 / 2);
	REQUIRE(hnic_xmit(&n, f, len, meta, 2));
	h_run(h);
	REQUIRE(h->nframes == 1);
	struct pkt_info po;
	REQUIRE(pkt_parse(h->frames[0], h->frame_len[0], &po) == 0);
	CHECK_INT(pkt_l4_csum_verify(h->frames[0], h->frame_len[0], &po), 0);
	CHECK_INT(h_dump_value(h, "dp.tx_cso"), 1);
	h_destroy(h);
}

static void test_tx_segmentation(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	static uint8_t f[8000];
	size_t len = build(f, sizeof(f), 4, 6, 3500);
	struct pkt_info pi;
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	uint64_t meta = hnic_lso(f, len, 1000);
	REQUIRE(hnic_xmit(&n, f, len, meta, 4));
	h_run(h);
	REQUIRE(h->nframes == 4);
	size_t total = 0;
	for (unsigned i = 0; i < 4; i++) {
		struct pkt_info po;
		REQUIRE(pkt_parse(h->frames[i], h->frame_len[i], &po) == 0);
		CHECK_INT(pkt_ipv4_csum_verify(h->frames[i], h->frame_len[i], &po), 0);
		CHECK_INT(pkt_l4_csum_verify(h->frames[i], h->frame_len[i], &po), 0);
		CHECK_INT(po.payload_len, i < 3 ? 1000 : 500);
		CHECK_MEM(h->frames[i] + po.payload_off,
			  f + pi.payload_off + 1000 * i, po.payload_len);
		total += po.payload_len;
	}
	CHECK_INT(total, 3500);
	CHECK_INT(hnic_clean_tcq(&n), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_lso"), 1);
	h_destroy(h);
}

/* Netmem TX (devmem TCP, ncdevmem's TX mode): the driver maps only the
 * headers it built (the linear part); the payload is frags in the pages of
 * a dma-buf it never reads and cannot checksum, so the device does it all
 * from what it reads by DMA (fbnic_tx_map, netmem_tx = NETMEM_TX_DMA).
 * The pages sit apart from everything else, the frags start at odd
 * offsets and cross page boundaries.  Checked: the frames on the wire
 * carry exactly the dma-buf's bytes with good checksums, for one CSO
 * packet and one LSO packet over 15 frags; the dma-buf is left as it was;
 * the completion is in the TCQ as soon as the frames are out (no device
 * time has passed), and the vector fires when the driver's default TX
 * timeout (35 us, FBNIC_TX_USECS_DEFAULT) runs out.  ncdevmem waits 500 ms
 * for its zerocopy completion. */
static void test_tx_netmem_payload_from_dmabuf(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	coalesce(h, 30, 35, 0);
	enum { DMABUF = 16 * 4096 };
	uint64_t dmabuf = h_alloc(h, DMABUF);
	uint8_t *pages = h_gpa(h, dmabuf);
	for (unsigned i = 0; i < DMABUF; i++)
		pages[i] = (uint8_t)(i * 13 + i / 4096);
	static uint8_t copy[DMABUF];
	memcpy(copy, pages, DMABUF);
	static const struct {
		int ip;
		size_t payload;
		unsigned mss; /* 0: CSO only */
		unsigned nfrags;
	} cases[] = { { 6, 1400, 0, 3 }, { 4, 15 * 4000 + 37, 1448, 15 } };
	for (unsigned c = 0; c < 2; c++) {
		/* the reference frame: headers, then the payload the frags
		 * hold, one after the other from dma-buf offset 4093 */
		static uint8_t f[DMABUF + 256];
		size_t len = build(f, sizeof(f), cases[c].ip, 6, cases[c].payload);
		struct pkt_info pi;
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		size_t hdrs = pi.payload_off, at = 4093;
		REQUIRE(at + cases[c].payload <= DMABUF);
		memcpy(f + hdrs, pages + at, cases[c].payload);
		uint64_t meta;
		if (cases[c].mss) {
			meta = hnic_lso(f, len, cases[c].mss);
		} else {
			uint32_t ph;
			REQUIRE(pkt_csum_pseudo_ipv6(f + pi.l3_off + 8,
						     f + pi.l3_off + 24, 6,
						     len - pi.l4_off, &ph) == 0);
			pkt_put_be16(f + pi.l4_off + 16, pkt_csum_fold(ph));
			meta = FBNIC_TWD_FLAG_REQ_CSO |
			       FBNIC_FIELD_PREP(FBNIC_TWD_L2_HLEN_MASK,
						pi.l3_off / 2) |
			       FBNIC_FIELD_PREP(FBNIC_TWD_L3_IHLEN_MASK,
						(pi.l4_off - pi.l3_off) / 2) |
			       FBNIC_FIELD_PREP(FBNIC_TWD_CSUM_OFFSET_MASK, 16 / 2);
		}
		REQUIRE(meta);
		struct hnic_seg seg[HNIC_MAX_SEGS];
		uint64_t lin = h_alloc(h, hdrs);
		memcpy(h_gpa(h, lin), f, hdrs);
		seg[0] = (struct hnic_seg){ lin, (uint32_t)hdrs };
		size_t left = cases[c].payload, per = left / cases[c].nfrags;
		for (unsigned i = 1; i <= cases[c].nfrags; i++) {
			size_t k = i == cases[c].nfrags ? left : per;
			seg[i] = (struct hnic_seg){ dmabuf + at, (uint32_t)k };
			at += k;
			left -= k;
		}
		h_frames_clear(h);
		unsigned before = h->msix[VEC];
		uint64_t t0 = h->now;
		REQUIRE(hnic_xmit_sg(&n, seg, cases[c].nfrags + 1, meta));
		h_run(h);
		unsigned nseg = cases[c].mss ? (unsigned)((cases[c].payload +
				cases[c].mss - 1) / cases[c].mss) : 1;
		REQUIRE(h->nframes == nseg);
		size_t off = 0;
		for (unsigned i = 0; i < nseg; i++) {
			struct pkt_info po;
			REQUIRE(pkt_parse(h->frames[i], h->frame_len[i], &po) == 0);
			CHECK_INT(pkt_l4_csum_verify(h->frames[i], h->frame_len[i], &po), 0);
			if (po.l3 == PKT_L3_IPV4)
				CHECK_INT(pkt_ipv4_csum_verify(h->frames[i], h->frame_len[i], &po), 0);
			CHECK_MEM(h->frames[i] + po.payload_off, f + hdrs + off,
				  po.payload_len);
			off += po.payload_len;
		}
		CHECK_INT(off, cases[c].payload);
		/* completed with no device time gone by */
		CHECK(h->now == t0);
		CHECK_INT(hnic_clean_tcq(&n), 1);
		CHECK_INT(n.twq_done, n.twq.tail & (n.twq.size - 1));
		CHECK_INT(h->msix[VEC], before);
		h_advance(h, 35000);
		CHECK_INT(h->msix[VEC], before + 1);
		rearm(h);
	}
	CHECK_MEM(pages, copy, DMABUF);
	h_destroy(h);
}

/* A backend that segments (a tap: port_send_gso) gets a TCP LSO packet
 * whole, as virtio-net hands one over: the IP length the whole packet's,
 * the TCP checksum field the pseudo-header's sum with the whole TCP
 * length, the payload untouched, the request saying where the headers
 * end and the MSS; the MAC and the port count the segments it makes.  A
 * backend with no room holds it and takes it whole later.  UDP LSO and
 * tunnels are still cut by the device. */
static void test_tx_gso_to_backend(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	h->gso_ok = true;
	static uint8_t f[8000], orig[8000];
	for (int ip = 4; ip <= 6; ip += 2) {
		h_frames_clear(h);
		size_t len = build(f, sizeof(f), ip, 6, 3500);
		struct pkt_info pi;
		REQUIRE(pkt_parse(f, len, &pi) == 0);
		uint64_t meta = hnic_lso(f, len, 1000);
		memcpy(orig, f, len);
		if (ip == 4)
			h_tx_room(h, 0); /* no room: held, then taken whole */
		REQUIRE(hnic_xmit(&n, f, len, meta, 3));
		h_run(h);
		if (ip == 4) {
			CHECK_INT(h->nframes, 0);
			h_tx_room(h, -1);
		}
		REQUIRE(h->nframes == 1);
		CHECK(h->is_gso[0]);
		CHECK_INT(h->frame_len[0], len);
		const struct fbnic_gso *g = &h->gso[0];
		CHECK_INT(g->v6, ip == 6);
		CHECK_INT(g->mss, 1000);
		CHECK_INT(g->hdr_len, pi.payload_off);
		CHECK_INT(g->csum_start, pi.l4_off);
		CHECK_INT(g->csum_offset, 16);
		const uint8_t *o = h->frames[0];
		CHECK_MEM(o + pi.payload_off, orig + pi.payload_off, 3500);
		uint32_t ph;
		if (ip == 4) {
			CHECK_INT(pkt_get_be16(o + pi.l3_off + 2), len - pi.l3_off);
			struct pkt_info po;
			REQUIRE(pkt_parse(o, len, &po) == 0);
			CHECK_INT(pkt_ipv4_csum_verify(o, len, &po), 0);
			REQUIRE(pkt_csum_pseudo_ipv4(o + pi.l3_off + 12,
						     o + pi.l3_off + 16, 6,
						     len - pi.l4_off, &ph) == 0);
		} else {
			CHECK_INT(pkt_get_be16(o + pi.l3_off + 4),
				  len - pi.l3_off - 40);
			REQUIRE(pkt_csum_pseudo_ipv6(o + pi.l3_off + 8,
						     o + pi.l3_off + 24, 6,
						     len - pi.l4_off, &ph) == 0);
		}
		CHECK_INT(pkt_get_be16(o + pi.l4_off + 16), pkt_csum_fold(ph));
		CHECK_INT(hnic_clean_tcq(&n), 1);
	}
	CHECK_INT(h_dump_value(h, "port.tx_gso"), 2);
	CHECK_INT(h_dump_value(h, "port.tx_frames"), 8);
	CHECK_INT(h_dump_value(h, "dp.tx_frames"), 8);
	CHECK_INT(h_dump_value(h, "dp.tx_lso"), 2);
	/* UDP segmentation: cut by the device */
	h_frames_clear(h);
	size_t len = build(f, sizeof(f), 4, 17, 2500);
	uint64_t meta = hnic_lso(f, len, 1000);
	REQUIRE(hnic_xmit(&n, f, len, meta, 2));
	h_run(h);
	CHECK_INT(h->nframes, 3);
	CHECK(!h->is_gso[0]);
	CHECK_INT(h_dump_value(h, "port.tx_gso"), 2);
	h_destroy(h);
}

/* IPv6 in IPv6 (L3_TYPE V6V6, L3_OHLEN the outer header, L3_IHLEN the
 * inner: fbnic_tx_lso for an encapsulated skb): both payload lengths per
 * segment, the TCP checksum over the inner pseudo-header.  An L4 type the
 * device cannot segment is refused, counted. */
static void test_tx_segmentation_ipv6_in_ipv6(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	static uint8_t in[4000], f[4100];
	size_t ilen = build(in, sizeof(in), 6, 6, 3000);
	uint64_t meta = hnic_lso(in, ilen, 1400); /* the inner's seed */
	static const uint8_t outer[40] = { 0x60, 0, 0, 0, 0, 0, 41, 64 };
	memcpy(f, in, 14);
	memcpy(f + 14, outer, 40);
	memcpy(f + 54, in + 14, ilen - 14);
	size_t len = ilen + 40;
	meta |= FBNIC_FIELD_PREP(FBNIC_TWD_L3_TYPE_MASK, FBNIC_TWD_L3_TYPE_V6V6) |
		FBNIC_FIELD_PREP(FBNIC_TWD_L3_OHLEN_MASK, 20);
	REQUIRE(hnic_xmit(&n, f, len, meta, 3));
	h_run(h);
	REQUIRE(h->nframes == 3);
	for (unsigned i = 0; i < 3; i++) {
		size_t pay = i < 2 ? 1400 : 200;
		uint8_t *seg = h->frames[i];
		CHECK_INT(h->frame_len[i], 14 + 40 + 40 + 20 + pay);
		CHECK_INT(pkt_get_be16(seg + 14 + 4), 40 + 20 + pay);
		/* the inner packet alone, behind the Ethernet header */
		static uint8_t inner[2000];
		memcpy(inner, seg, 14);
		memcpy(inner + 14, seg + 54, h->frame_len[i] - 54);
		struct pkt_info po;
		REQUIRE(pkt_parse(inner, h->frame_len[i] - 40, &po) == 0);
		CHECK_INT(po.payload_len, pay);
		CHECK_INT(pkt_l4_csum_verify(inner, h->frame_len[i] - 40, &po), 0);
	}
	CHECK_INT(hnic_clean_tcq(&n), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_lso_tunnel"), 1);
	meta &= ~FBNIC_TWD_L4_TYPE_MASK;
	REQUIRE(hnic_xmit(&n, f, len, meta, 3));
	h_run(h);
	CHECK_INT(h->nframes, 3);
	CHECK_INT(h_dump_value(h, "dp.tx_bad_offload"), 1);
	CHECK_INT(hnic_clean_tcq(&n), 1);
	h_destroy(h);
}

/* UDP segmentation (GSO_UDP_L4): datagrams of MSS bytes. */
static void test_tx_udp_segmentation(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	static uint8_t f[4000];
	size_t len = build(f, sizeof(f), 6, 17, 3000);
	uint64_t meta = hnic_lso(f, len, 1400);
	REQUIRE(hnic_xmit(&n, f, len, meta, 2));
	h_run(h);
	REQUIRE(h->nframes == 3);
	for (unsigned i = 0; i < 3; i++) {
		struct pkt_info po;
		REQUIRE(pkt_parse(h->frames[i], h->frame_len[i], &po) == 0);
		CHECK_INT(pkt_l4_csum_verify(h->frames[i], h->frame_len[i], &po), 0);
		CHECK_INT(po.payload_len, i < 2 ? 1400 : 200);
	}
	h_destroy(h);
}

/* XDP_TX (fbnic_pkt_tx): packets on TWQ1, address descriptors only, the
 * QM's default metadata supplying REQ_COMPLETION, interleaved with stack
 * packets on TWQ0 of the same queue pair, both completing on the one TCQ
 * (fbnic_clean_twq: a TCD reports head0 or, with TWQ1 set, head1).  Every
 * frame reaches the wire whole; each ring's reported head only moves
 * forward and ends at its tail; the TCQ wraps (its 16 entries fewer than
 * the completions) without losing one. */
static void test_xdp_tx_twq1_shares_the_tcq(void)
{
	struct hnic n;
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	hnic_up(&n, h, 0, VEC, 16, 64, 256); /* TWQ0 and TCQ of 16 */
	hnic_twq1_up(&n, 64);
	uint8_t f[300];
	unsigned sent0 = 0, sent1 = 0;
	for (unsigned round = 0; round < 12; round++) {
		for (unsigned k = 0; k < 3; k++) {
			size_t len = build(f, sizeof(f), 4, 17, 100 + k);
			f[len - 1] = (uint8_t)(round * 8 + k); /* the frame's tag */
			REQUIRE(hnic_post_xdp(&n, f, len, 1 + k % 2));
			sent1++;
		}
		hnic_twq1_doorbell(&n);
		size_t len = build(f, sizeof(f), 6, 17, 150);
		f[len - 1] = (uint8_t)(round * 8 + 7);
		REQUIRE(hnic_xmit(&n, f, len, 0, 1));
		sent0++;
		h_run(h);
		hnic_clean_tcq(&n);
	}
	h_run(h);
	hnic_clean_tcq(&n);
	CHECK_INT(h->nframes, sent0 + sent1);
	/* in doorbell order per ring: every tag once, lengths intact */
	unsigned seen = 0;
	for (unsigned i = 0; i < h->nframes; i++) {
		uint8_t tag = h->frames[i][h->frame_len[i] - 1];
		unsigned k = tag % 8;
		size_t want = k == 7 ? 14 + 40 + 8 + 150 : 14 + 20 + 8 + 100 + k;
		CHECK_INT(h->frame_len[i], want);
		seen++;
	}
	CHECK_INT(seen, 48);
	CHECK(!n.tcd_backwards);
	CHECK_INT(n.twq1_done, n.twq1.tail % 64);
	CHECK_INT(n.twq_done, n.twq.tail % 16);
	CHECK(n.tcd1 >= 1 && n.tcd0 >= 1);
	CHECK_INT(n.twq1.head, n.twq1.tail);
	CHECK_INT(n.twq.head, n.twq.tail);
	CHECK(n.tcq.head > n.tcq.size); /* wrapped */
	h_destroy(h);
}

/* A timestamp request gets its TYPE_1 completion (fbnic_clean_twq0 would
 * hold the packet forever without it). */
static void test_tx_timestamp_completion(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[100];
	size_t len = build(f, sizeof(f), 4, 17, 20);
	REQUIRE(hnic_xmit(&n, f, len, FBNIC_TWD_FLAG_REQ_TS, 1));
	h_run(h);
	CHECK_INT(hnic_clean_tcq(&n), 2);
	CHECK_INT(n.tx_ts, 1);
	CHECK_INT(n.twq_done, 2);
	h_destroy(h);
}

/* The device clock running from 0 at the nominal rate, as
 * fbnic_ptp_reset starts it. */
static void ptp_from_zero(struct harness *h)
{
	h_wr32(h, 0, FBNIC_PTP_CTRL, FBNIC_PTP_CTRL_EN);
	h_wr32(h, 0, FBNIC_PTP_INIT_HI, 0);
	h_wr32(h, 0, FBNIC_PTP_INIT_LO, 0);
	h_wr32(h, 0, FBNIC_PTP_ADD_VAL_NS,
	       (uint32_t)(FBNIC_PTP_NOMINAL_ADDEND >> 32));
	h_wr32(h, 0, FBNIC_PTP_ADD_VAL_SUBNS, (uint32_t)FBNIC_PTP_NOMINAL_ADDEND);
	h_wr32(h, 0, FBNIC_PTP_ADJUST, FBNIC_PTP_ADJUST_INIT);
}

static bool near(uint64_t got, uint64_t want)
{
	return got + 2 >= want && got <= want + 2;
}

/* A backend that takes 3 us to take each frame. */
static int slow_send(struct harness *h, const void *frame, size_t len)
{
	(void)frame;
	(void)len;
	h->now += 3000;
	return 0;
}

/* --clock virtual (cfg.wire_time): each frame goes to the port with the
 * time it left the MAC, and the TX timestamp is that time, not the time
 * its completion is written (the backend here takes 3 us per frame);
 * without it the port is given no time (0) and the timestamp is taken at
 * completion.  An LSO packet's timestamp is its last segment's. */
static void test_tx_timestamp_wire_time(void)
{
	for (int wire = 0; wire < 2; wire++) {
		struct fbnic_config cfg = {
			.dsn = 0x02fb00fffe000001ull,
			.msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT,
			.wire_time = wire,
		};
		struct harness *h = h_create(&cfg);
		REQUIRE(h);
		struct hnic n;
		hnic_up(&n, h, 0, VEC, 256, 64, 256);
		ptp_from_zero(h);
		h->send_hook = slow_send;
		uint8_t f[100];
		size_t len = build(f, sizeof(f), 4, 17, 20);
		h_advance(h, 1000000);
		uint64_t t0 = h->now;
		REQUIRE(hnic_xmit(&n, f, len, FBNIC_TWD_FLAG_REQ_TS, 1));
		h_run(h);
		CHECK_INT(hnic_clean_tcq(&n), 2);
		CHECK_INT(n.tx_ts, 1);
		CHECK_EQ(h->last_send_at, wire ? t0 : 0);
		/* 1 ms in; the completion 3 us after the frame left (the
		 * nominal addend is 1.666.. ns cut short: within 2 ns) */
		CHECK(near(n.tx_ts_last, wire ? 1000000u : 1003000u));
		/* three segments: stamped when the last one left */
		static uint8_t big[4000];
		len = build(big, sizeof(big), 6, 17, 3000);
		uint64_t meta = hnic_lso(big, len, 1400);
		t0 = h->now;
		REQUIRE(hnic_xmit(&n, big, len, meta | FBNIC_TWD_FLAG_REQ_TS, 2));
		h_run(h);
		CHECK_INT(hnic_clean_tcq(&n), 2);
		CHECK_INT(n.tx_ts, 2);
		CHECK_EQ(h->last_send_at, wire ? t0 + 6000 : 0);
		CHECK_INT(h_dump_value(h, "port.tx_frames"), 4);
		CHECK(near(n.tx_ts_last, wire ? 1009000u : 1012000u));
		h_destroy(h);
	}
}

/* Many packets through a TCQ of 4 entries: it wraps (the phase flips) and
 * fills; the device waits for TCQ_HEAD rather than overwrite completions
 * the driver has not read, and loses nothing. */
static void test_tx_waits_for_completion_room(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint32_t blk = FBNIC_QUEUE(0);
	h_wr32(h, 0, blk + FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_RESET);
	h_wr32(h, 0, blk + FBNIC_QUEUE_TCQ_SIZE, 2);
	h_wr32(h, 0, blk + FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_ENABLE);
	n.tcq.size = 4;
	uint8_t f[60];
	size_t len = build(f, sizeof(f), 4, 17, 10);
	unsigned sent = 0, done = 0;
	for (unsigned round = 0; round < 40; round++) {
		while (hnic_xmit(&n, f, len, 0, 1))
			sent++;
		h_run(h);
		done += hnic_clean_tcq(&n);
		h_run(h);
	}
	/* two packets per round trip: a TCD each, two slots of room */
	for (unsigned i = 0; i < 1000 && done < sent; i++) {
		done += hnic_clean_tcq(&n);
		h_run(h);
	}
	CHECK(sent > 64);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), sent);
	CHECK_INT(h->nframes, H_MAX_FRAMES); /* the harness keeps 64 */
	CHECK_INT(done, sent);
	CHECK(h_dump_value(h, "dp.tx_wait_tcq") > 0);
	h_destroy(h);
}

/* ---- TX back-pressure: the port has no room (dev/port.h) ------------- */

static uint32_t twq0_ptrs(struct harness *h)
{
	return h_rd32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_PTRS);
}

/* A refused frame stays at the ring's head, uncompleted and not dropped;
 * with room it goes out once and completes. */
static void test_tx_back_pressure_holds_the_packet(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	h->tx_room = 0;
	REQUIRE(hnic_xmit(&n, f, len, 0, 3));
	h_run(h);
	CHECK_INT(h->nframes, 0);
	CHECK_INT(h->tx_refused, 1);
	CHECK_INT(hnic_clean_tcq(&n), 0);
	CHECK_INT(twq0_ptrs(h), 4); /* head 0 (31:16), tail 4 */
	CHECK_INT(h_dump_value(h, "port.tx_blocked"), 1);
	CHECK_INT(h_dump_value(h, "port.tx_held"), 1);
	CHECK_INT(h_dump_value(h, "port.tx_drop_backend"), 0);
	CHECK_INT(h_dump_value(h, "dp.tx_frames"), 0);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), 0);
	CHECK_INT(h_dump_value(h, "dp.tx_wait_port"), 1);
	/* a doorbell while held tries again and is refused again (a mapped
	 * doorbell of the same value is no store the device can see) */
	unsigned refused = 1;
	if (!h->bar0) {
		h_wr32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_TAIL, 4);
		h_run(h);
		CHECK_INT(h->tx_refused, 2);
		CHECK_INT(h->nframes, 0);
		refused = 2;
	}

	h_tx_room(h, -1);
	REQUIRE(h->nframes == 1);
	CHECK_INT(h->frame_len[0], len);
	CHECK_MEM(h->frames[0], f, len);
	CHECK_INT(hnic_clean_tcq(&n), 1);
	CHECK_INT(n.twq_done, 4);
	CHECK_INT(twq0_ptrs(h), 4 << 16 | 4);
	CHECK_INT(h_dump_value(h, "port.tx_blocked"), 0);
	CHECK_INT(h_dump_value(h, "port.tx_held"), refused);
	CHECK_INT(h_dump_value(h, "port.tx_rooms"), 1);
	CHECK_INT(h_dump_value(h, "port.tx_frames"), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_frames"), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), 1);
	/* room again with nothing held sends nothing more */
	h_tx_room(h, -1);
	CHECK_INT(h->nframes, 1);
	h_destroy(h);
}

/* The driver stops a queue (ifdown, the queue API) while its TWQ holds
 * packets the device has not fetched yet (the device works after the
 * doorbell, the driver does not wait): the device sends and completes
 * them first, the QM idle bits the driver polls read busy until then
 * (fbnic_wait_queue_idle; fbnic_nv_flush discards what is left after
 * it), and the ring then stops. */
static void test_tx_stop_finishes_handed_over_packets(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	for (unsigned i = 0; i < 3; i++)
		REQUIRE(hnic_xmit(&n, f, len, 0, 2));
	CHECK(!hnic_stop(&n)); /* TX not idle: 3 packets handed over */
	CHECK_INT(h->nframes, 0);
	h_run(h);
	CHECK_INT(h->nframes, 3);
	for (unsigned i = 0; i < h->nframes; i++)
		CHECK_MEM(h->frames[i], f, len);
	CHECK_INT(hnic_clean_tcq(&n), 3);
	CHECK_INT(h_dump_value(h, "queue.stops_after_work"), 2); /* TWQ0, TCQ */
	CHECK_INT(h_dump_value(h, "queue.stop_dropped_work"), 0);
	CHECK(hnic_stop(&n)); /* idle, and stopped: */
	CHECK_INT(twq0_ptrs(h), 9 << 16 | 9);
	REQUIRE(hnic_xmit(&n, f, len, 0, 2));
	h_run(h);
	CHECK_INT(h->nframes, 3); /* a doorbell now is ignored */

	/* The backend has no room when the driver stops the queue: the
	 * ring waits for it, busy, then finishes. */
	struct hnic m;
	struct harness *h2 = up(&m, 64, 256);
	REQUIRE(h2);
	h2->tx_room = 0;
	REQUIRE(hnic_xmit(&m, f, len, 0, 2));
	h_run(h2);
	CHECK(!hnic_stop(&m));
	h_run(h2);
	CHECK(!hnic_stop(&m));
	h_tx_room(h2, -1);
	CHECK_INT(h2->nframes, 1);
	CHECK(hnic_stop(&m));
	/* A RESET of the TWQ while stopping forgets the work (the driver's
	 * fbnic_enable_twq0 after an idle timeout), and the TCQ that waited
	 * for it stops too: the queue reads idle. */
	struct hnic k;
	struct harness *h3 = up(&k, 64, 256);
	REQUIRE(h3);
	REQUIRE(hnic_xmit(&k, f, len, 0, 2));
	CHECK(!hnic_stop(&k));
	CHECK(!(h_rd32(h3, 0, FBNIC_QM_TCQ_IDLE(0)) & 1));
	h_wr32(h3, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_CTL,
	       FBNIC_QUEUE_TWQ_CTL_RESET);
	CHECK(h_rd32(h3, 0, FBNIC_QM_TCQ_IDLE(0)) & 1);
	CHECK(h_rd32(h3, 0, FBNIC_QM_TWQ_IDLE(0)) & 1);
	h_run(h3);
	CHECK_INT(h3->nframes, 0);
	h_destroy(h3);
	h_destroy(h2);
	h_destroy(h);
}

/* A TCP packet of 3500 payload bytes, MSS 1000: four segments. */
static const uint64_t lso_meta =
	FBNIC_TWD_FLAG_REQ_LSO | FBNIC_FIELD_PREP(FBNIC_TWD_MSS_MASK, 1000) |
	FBNIC_FIELD_PREP(FBNIC_TWD_L2_HLEN_MASK, 7) |
	FBNIC_FIELD_PREP(FBNIC_TWD_L3_IHLEN_MASK, 10) |
	FBNIC_FIELD_PREP(FBNIC_TWD_L4_HLEN_MASK, 5) |
	FBNIC_FIELD_PREP(FBNIC_TWD_L3_TYPE_MASK, FBNIC_TWD_L3_TYPE_IPV4) |
	FBNIC_FIELD_PREP(FBNIC_TWD_L4_TYPE_MASK, FBNIC_TWD_L4_TYPE_TCP);

/* The four segments as a device with room sends them. */
static bool lso_reference(const uint8_t *f, size_t len, uint8_t *seg[4],
			  size_t seg_len[4])
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	if (!h || !hnic_xmit(&n, f, len, lso_meta, 4)) {
		h_destroy(h);
		return false;
	}
	h_run(h);
	bool ok = h->nframes == 4;
	for (unsigned i = 0; ok && i < 4; i++) {
		seg[i] = malloc(h->frame_len[i]);
		ok = seg[i] != NULL;
		if (ok) {
			memcpy(seg[i], h->frames[i], h->frame_len[i]);
			seg_len[i] = h->frame_len[i];
		}
	}
	h_destroy(h);
	return ok;
}

/* Room for two of four segments: the first two go out, the packet waits
 * uncompleted; room for one more sends segment 3 only; then segment 4
 * and one completion.  Every segment once, byte for byte as without
 * back-pressure. */
static void test_tx_back_pressure_lso_resumes_mid_packet(void)
{
	static uint8_t f[8000];
	size_t len = build(f, sizeof(f), 4, 6, 3500);
	uint8_t *ref[4] = { NULL };
	size_t ref_len[4];
	REQUIRE(lso_reference(f, len, ref, ref_len));
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	h->tx_room = 2;
	REQUIRE(hnic_xmit(&n, f, len, lso_meta, 4));
	h_run(h);
	CHECK_INT(h->nframes, 2);
	CHECK_INT(hnic_clean_tcq(&n), 0);
	CHECK_INT(twq0_ptrs(h) >> 16, 0);
	CHECK_INT(h_dump_value(h, "dp.tx_lso"), 0);
	h_tx_room(h, 1);
	CHECK_INT(h->nframes, 3);
	CHECK_INT(hnic_clean_tcq(&n), 0);
	h_tx_room(h, -1);
	REQUIRE(h->nframes == 4);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_INT(h->frame_len[i], ref_len[i]);
		if (h->frame_len[i] == ref_len[i])
			CHECK_MEM(h->frames[i], ref[i], ref_len[i]);
	}
	CHECK_INT(hnic_clean_tcq(&n), 1);
	CHECK_INT(n.twq_done, 5); /* META + 4 AL */
	CHECK_INT(h_dump_value(h, "dp.tx_lso"), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_frames"), 4);
	CHECK_INT(h_dump_value(h, "port.tx_frames"), 4);
	CHECK_INT(h_dump_value(h, "port.tx_held"), 2);
	CHECK_INT(h_dump_value(h, "port.tx_blocked"), 0);
	for (unsigned i = 0; i < 4; i++)
		free(ref[i]);
	h_destroy(h);
}

/* The driver resets the ring while a packet is held half sent (ifdown,
 * fbnic_disable_twq0 + RESET): nothing more of it goes out, and the ring
 * brought up again starts afresh (a packet's segments from the first). */
static void test_tx_back_pressure_reset_forgets_the_packet(void)
{
	static uint8_t f[8000];
	size_t len = build(f, sizeof(f), 4, 6, 3500);
	uint8_t *ref[4] = { NULL };
	size_t ref_len[4];
	REQUIRE(lso_reference(f, len, ref, ref_len));
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	h->tx_room = 2;
	REQUIRE(hnic_xmit(&n, f, len, lso_meta, 4));
	h_run(h);
	CHECK_INT(h->nframes, 2);
	uint32_t blk = FBNIC_QUEUE(0);
	h_wr32(h, 0, blk + FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_RESET);
	h_tx_room(h, -1);
	CHECK_INT(h->nframes, 2);
	CHECK_INT(hnic_clean_tcq(&n), 0);
	/* fbnic_enable_twq0: the ring again, the driver's indices at 0 */
	h_wr32(h, 0, blk + FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_ENABLE);
	n.twq.head = n.twq.tail = 0;
	REQUIRE(hnic_xmit(&n, f, len, lso_meta, 4));
	h_run(h);
	REQUIRE(h->nframes == 6);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_INT(h->frame_len[2 + i], ref_len[i]);
		if (h->frame_len[2 + i] == ref_len[i])
			CHECK_MEM(h->frames[2 + i], ref[i], ref_len[i]);
	}
	CHECK_INT(hnic_clean_tcq(&n), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), 1);
	for (unsigned i = 0; i < 4; i++)
		free(ref[i]);
	h_destroy(h);
}

static void test_tx_malformed_rings_stop_counted(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint64_t *twq = h_gpa(h, n.twq.base);
	/* an address descriptor where META must be */
	twq[0] = FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK, FBNIC_TWD_TYPE_LAST_AL) |
		 FBNIC_FIELD_PREP(FBNIC_TWD_LEN_MASK, 60) | H_MEM_BASE;
	h_wr32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_TAIL, 1);
	h_run(h);
	CHECK_INT(h->nframes, 0);
	CHECK_INT(h_dump_value(h, "dp.tx_bad_desc"), 1);
	CHECK_INT(h_dump_value(h, "queue.ring_errors"), 1);
	/* the ring stays stopped: doorbells are ignored until RESET */
	h_wr32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_TAIL, 1);
	h_run(h);
	CHECK_INT(h_dump_value(h, "dp.tx_bad_desc"), 1);

	/* a buffer outside guest memory */
	struct hnic m;
	struct harness *h2 = up(&m, 64, 256);
	REQUIRE(h2);
	uint64_t *t2 = h_gpa(h2, m.twq.base);
	t2[0] = FBNIC_TWD_FLAG_REQ_COMPLETION | FBNIC_TWD_FLAG_DEST_MAC;
	t2[1] = FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK, FBNIC_TWD_TYPE_LAST_AL) |
		FBNIC_FIELD_PREP(FBNIC_TWD_LEN_MASK, 60) | 0x3fff00000000ull;
	h_wr32(h2, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_TAIL, 2);
	h_run(h2);
	CHECK_INT(h2->nframes, 0);
	CHECK_INT(h_dump_value(h2, "dp.tx_dma_errors"), 1);
	/* a doorbell beyond the ring */
	h_wr32(h2, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TCQ_HEAD, 4096);
	CHECK_INT(h_dump_value(h2, "queue.bad_doorbell"), 1);
	/* a packet that never ends (no LAST_AL within 64 descriptors) */
	struct hnic k;
	struct harness *h3 = up(&k, 64, 256);
	REQUIRE(h3);
	uint64_t *t3 = h_gpa(h3, k.twq.base);
	t3[0] = FBNIC_TWD_FLAG_DEST_MAC;
	for (unsigned i = 1; i < 100; i++)
		t3[i] = FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK, FBNIC_TWD_TYPE_AL) |
			FBNIC_FIELD_PREP(FBNIC_TWD_LEN_MASK, 1) | H_MEM_BASE;
	h_wr32(h3, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_TAIL, 100);
	h_run(h3);
	CHECK_INT(h_dump_value(h3, "dp.tx_bad_desc"), 1);
	CHECK_INT(h3->nframes, 0);
	h_destroy(h3);
	h_destroy(h2);
	h_destroy(h);
}

/* ---- RX --------------------------------------------------------------- */

static void test_rx_whole_frame_in_header_buffer(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[1514];
	size_t len = build(f, sizeof(f), 4, 6, 1460);
	unsigned before = h->msix[VEC];
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	struct hnic_rx r;
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(r.len, len);
	CHECK_MEM(r.data, f, len);
	CHECK_INT(r.npay, 0);
	/* the first header of a buffer at ALIGN(HROOM 192, 128) = 256,
	 * the buffer abandoned after it */
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_OFF_MASK, r.hdr_al), 256);
	CHECK(r.hdr_al & FBNIC_RCD_AL_PAGE_FIN);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_L3_TYPE_MASK, r.meta),
		  FBNIC_RCD_META_L3_TYPE_IPV4);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_L4_TYPE_MASK, r.meta),
		  FBNIC_RCD_META_L4_TYPE_TCP);
	CHECK(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY);
	CHECK(h->msix[VEC] > before);
	CHECK_INT(h_dump_value(h, "dp.rx_frames"), 1);
	h_destroy(h);
}

/* A frame whose L4 checksum is wrong (or that has none) gets the
 * CHECKSUM_COMPLETE sum instead, as a little-endian csum_partial of
 * everything after the Ethernet header. */
static void test_rx_checksum_complete(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[300];
	size_t len = build(f, sizeof(f), 6, 17, 200);
	f[len - 1] ^= 0x55; /* the UDP checksum no longer matches */
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	struct hnic_rx r;
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK(!(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY));
	uint16_t sum = pr_sum(f + 14, len - 14);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_L2_CSUM_MASK, r.meta),
		  (uint16_t)(sum >> 8 | sum << 8));
	h_destroy(h);
}

/* Longer than MAX_HDR without split: headers to the header buffer, the
 * payload in 4 KiB payload buffers from offset 0. */
static void test_rx_jumbo_uses_payload_buffers(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	static uint8_t f[9800];
	size_t len = build(f, sizeof(f), 4, 6, 9000);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	static struct hnic_rx r;
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(r.len, len);
	CHECK_MEM(r.data, f, len);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_LEN_MASK, r.hdr_al), 54);
	CHECK_INT(r.npay, 3);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_OFF_MASK, r.pay_al[0]), 0);
	CHECK(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY);
	h_destroy(h);
}

/* tcp-data-split on, hds-thresh 0 (MAX_HDR 256): TCP headers alone in the
 * header buffer, a frame without L4 payload kept whole there. */
static void test_rx_header_data_split(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint32_t blk = FBNIC_QUEUE(0);
	h_wr32(h, 0, blk + FBNIC_QUEUE_RDE_CTL0,
	       h_rd32(h, 0, blk + FBNIC_QUEUE_RDE_CTL0) |
		       FBNIC_QUEUE_RDE_CTL0_EN_HDR_SPLIT);
	h_wr32(h, 0, blk + FBNIC_QUEUE_RDE_CTL1,
	       FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK, 256));
	uint8_t f[1514];
	size_t len = build(f, sizeof(f), 6, 6, 1000);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	struct hnic_rx r;
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_LEN_MASK, r.hdr_al), 74);
	CHECK_INT(r.npay, 1);
	CHECK_MEM(r.data, f, len);
	/* a pure ACK: header only */
	size_t alen = build(f, sizeof(f), 6, 6, 0);
	CHECK_INT(fbnic_port_rx(h->dev, f, alen), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(r.npay, 0);
	CHECK_INT(r.len, alen);
	h_destroy(h);
}

/* RDE_CTL1.PADLEN: that many zero bytes before the frame in the header
 * buffer, counted in HDR_AL's length.  PADLEN 0 is the driver's
 * (FBNIC_RX_PAD), placed straight from the frame; 5, 10 and 15 go
 * through rx_place's padded copy. */
static void test_rx_padlen(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint32_t blk = FBNIC_QUEUE(0);
	uint8_t f[1514], want[1514 + 15];
	struct hnic_rx r;
	static const unsigned max_hdrs[2] = { 1536, 128 };
	for (unsigned pad = 0; pad <= 15; pad += 5) {
		/* a frame whole in the header buffer, then one with a
		 * payload buffer (MAX_HDR 128: split at the L4 payload) */
		for (unsigned k = 0; k < 2; k++) {
			unsigned max_hdr = max_hdrs[k];
			h_wr32(h, 0, blk + FBNIC_QUEUE_RDE_CTL1,
			       FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK,
						max_hdr) |
				       FBNIC_FIELD_PREP(
					       FBNIC_QUEUE_RDE_CTL1_PADLEN_MASK,
					       pad));
			size_t len = build(f, sizeof(f), 4, 17, 1000 + pad);
			memset(want, 0, pad);
			memcpy(want + pad, f, len);
			CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
			REQUIRE(hnic_rx(&n, &r) == 1);
			size_t hl = max_hdr == 1536 ? len : 42;
			CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_LEN_MASK,
						  r.hdr_al),
				  pad + hl);
			CHECK_INT(r.npay, max_hdr == 1536 ? 0 : 1);
			CHECK_INT(r.len, pad + len);
			CHECK_MEM(r.data, want, pad + len);
			CHECK(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY);
			hnic_rx_refill(&n);
		}
	}
	h_destroy(h);
}

/* hds-thresh as fbnic_enable_rcq and fbnic_config_drop_mode_rcq program
 * it: below FBNIC_HDR_BYTES_MIN (256) header-data split on with MAX_HDR
 * 256, else no split and MAX_HDR = the threshold. */
static void set_hds_thresh(struct harness *h, unsigned q, unsigned thresh)
{
	uint32_t blk = FBNIC_QUEUE(q);
	uint32_t ctl0 = h_rd32(h, 0, blk + FBNIC_QUEUE_RDE_CTL0) &
			~FBNIC_QUEUE_RDE_CTL0_EN_HDR_SPLIT;
	if (thresh < 256)
		ctl0 |= FBNIC_QUEUE_RDE_CTL0_EN_HDR_SPLIT;
	h_wr32(h, 0, blk + FBNIC_QUEUE_RDE_CTL0, ctl0);
	h_wr32(h, 0, blk + FBNIC_QUEUE_RDE_CTL1,
	       FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK,
				thresh < 256 ? 256 : thresh));
}

/* IPv4 options, an IPv6 hop-by-hop + destination options chain, TCP NOP,
 * NOP, timestamp: headers longer than the plain ones. */
static const uint8_t ip4_opts[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
static const uint8_t ip6_ext[24] = { 60, 0, 1, 4, 0, 0, 0, 0,
				     0, 1, 1, 12 };
static const uint8_t tcp_opts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };

struct hds_frame {
	int ip;
	uint8_t proto;     /* 6, 17, or 1 (ICMP: not split at L4) */
	bool opts;         /* IP options / extension headers, TCP options */
	bool frag;         /* an IPv4 first fragment (MF set) */
	size_t payload;
};

/* Build f and return its length; *hdrs = where the L4 payload starts
 * (TCP/UDP) or where the L3 headers end (ICMP, fragments). */
static size_t hds_build(uint8_t *out, size_t cap, const struct hds_frame *t,
			size_t *hdrs)
{
	static uint8_t payload[16384];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	struct pr_spec s = { .ip = t->ip, .proto = t->proto, .seq = 7,
			     .tcp_flags = 0x10, .payload = payload,
			     .payload_len = t->payload, .ip_id = 9 };
	if (t->opts && t->ip == 4) {
		s.ip_opts = ip4_opts;
		s.ip_opts_len = sizeof(ip4_opts);
	}
	if (t->opts && t->ip == 6) {
		s.ext = ip6_ext;
		s.ext_len = sizeof(ip6_ext);
		s.ext_first = 0;
		s.ext_last = 8;
	}
	if (t->opts && t->proto == 6) {
		s.tcp_opts = tcp_opts;
		s.tcp_opts_len = sizeof(tcp_opts);
	}
	if (t->frag)
		s.ip_frag = 0x2000;
	size_t l3, l4, pay;
	size_t len = pr_build(out, cap, &s, &l3, &l4, &pay);
	memcpy(out, dev_mac, 6);
	*hdrs = t->frag ? l4 : pay;
	return len;
}

/* Where the header buffer should end for this frame and threshold (the
 * split rules of fbnic_enable_rcq's comment: at L4 when the headers fit
 * MAX_HDR, whole frames without L4 payload while they fit, the rest at the
 * end of L3). */
static size_t hds_expect(const struct hds_frame *t, size_t len, size_t hdrs,
			 unsigned thresh)
{
	bool split = thresh < 256;
	size_t max_hdr = split ? 256 : thresh;
	bool l4 = (t->proto == 6 || t->proto == 17) && !t->frag;
	if (len <= max_hdr && (!split || !l4 || t->payload == 0))
		return len;
	return hdrs; /* L4 payload start, or L3 end */
}

/* One frame through queue 0 at hds-thresh thresh, its last payload byte
 * flipped if corrupt: true if it comes back whole, its header buffer
 * ending where hds_expect says (with split: every payload byte in payload
 * buffers), with L4_CSUM_UNNECESSARY exactly for good TCP and UDP; else a
 * line on stderr. */
static bool hds_one(struct harness *h, struct hnic *n,
		    const struct hds_frame *t, unsigned thresh, bool corrupt)
{
	static uint8_t f[9800];
	static struct hnic_rx r;
	size_t hdrs, len = hds_build(f, sizeof(f), t, &hdrs);
	if (corrupt)
		f[len - 1] ^= 0x40;
	if (fbnic_port_rx(h->dev, f, len) != 0 || hnic_rx(n, &r) != 1) {
		fprintf(stderr, "  thresh %u: a frame not received\n", thresh);
		return false;
	}
	hnic_rx_refill(n);
	size_t hlen = hds_expect(t, len, hdrs, thresh);
	size_t got = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_LEN_MASK, r.hdr_al);
	bool l4 = (t->proto == 6 || t->proto == 17) && !t->frag;
	bool csum_ok = r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY;
	if (r.len == len && !memcmp(r.data, f, len) && got == hlen &&
	    r.npay == (len - hlen + 4095) / 4096 && csum_ok == (l4 && !corrupt))
		return true;
	fprintf(stderr,
		"  thresh %u IPv%d proto %u opts %d frag %d payload %zu%s: len "
		"%zu/%zu hdr %zu (want %zu) npay %u meta %#llx\n",
		thresh, t->ip, t->proto, t->opts, t->frag, t->payload,
		corrupt ? " corrupt" : "", r.len, len, got, hlen, r.npay,
		(unsigned long long)r.meta);
	return false;
}

/* ethtool -G tcp-data-split on/off hds-thresh N: every threshold the
 * driver can program against IPv4/IPv6, TCP/UDP, with and without
 * options and extension headers, 1-byte, MTU-size and 9000-byte payloads
 * (multi-buffer), good and bad checksums; then frames the split does not
 * apply to (ICMP, an IPv4 first fragment: its L4 header unparsed). */
static void test_rx_hds_thresholds(void)
{
	static const unsigned thresh[] = { 0, 1, 128, 255, 256, 1536, 1514,
					   3584 };
	static const size_t sizes[] = { 1, 1400, 9000 };
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	unsigned frames = 0, bad = 0;
	for (unsigned ti = 0; ti < sizeof(thresh) / sizeof(thresh[0]); ti++) {
		set_hds_thresh(h, 0, thresh[ti]);
		for (unsigned k = 0; k < 2 * 2 * 2 * 3 * 2; k++, frames++) {
			struct hds_frame t = {
				.ip = k & 1 ? 6 : 4,
				.proto = k & 2 ? 17 : 6,
				.opts = k & 4,
				.payload = sizes[(k >> 3) % 3],
			};
			bad += !hds_one(h, &n, &t, thresh[ti],
					k >= 2 * 2 * 2 * 3);
		}
		for (unsigned k = 0; k < 4; k++, frames++) {
			struct hds_frame t = { .ip = 4,
					       .proto = k & 1 ? 17 : 1,
					       .frag = k & 1,
					       .payload = k & 2 ? 1400 : 40 };
			bad += !hds_one(h, &n, &t, thresh[ti], false);
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(h_dump_value(h, "dp.rx_frames"), frames);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_layout"), 0);
	h_destroy(h);
}

/* No buffers: the frame is held (the backend keeps it), nothing dropped;
 * posting buffers resumes the backend and the frame goes in. */
static void test_rx_back_pressure_is_lossless(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	unsigned taken = 0;
	while (fbnic_port_rx(h->dev, f, len) == 0)
		taken++;
	CHECK_INT(taken, 63); /* the driver posts all slots but one */
	CHECK_INT(h->resumes, 0);
	struct hnic_rx r;
	unsigned got = 0;
	while (hnic_rx(&n, &r) == 1)
		got++;
	CHECK_INT(got, 63);
	hnic_rx_refill(&n);
	CHECK_INT(h->resumes, 1);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_frames"), 64);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_layout"), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_queue_off"), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_fault"), 0);
	h_destroy(h);
}

/* RX timestamps (ACT_TBL0 TS_ENA, as fbnic_set_rxfh's hwtstamp rules
 * program it): the OPT_META RCD carries the device clock when the frame
 * reached the port (fbnic_port_rx_at), not when it was placed: a frame
 * held 5 ms for want of buffers keeps its arrival's time. */
static void test_rx_timestamp_is_arrival(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	for (unsigned e = 57; e < 64; e++)
		h_wr32(h, 0, FBNIC_RPC_ACT_TBL0(e),
		       h_rd32(h, 0, FBNIC_RPC_ACT_TBL0(e)) |
			       FBNIC_RPC_ACT_TBL0_TS_ENA);
	ptp_from_zero(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	struct hnic_rx r;
	h_advance(h, 1000000);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK(r.has_opt);
	CHECK(r.opt_meta & FBNIC_RCD_OPT_META_TS);
	uint64_t t1 = FBNIC_FIELD_GET(FBNIC_RCD_OPT_META_TS_MASK, r.opt_meta);
	CHECK(t1 >= 999000 && t1 <= 1001000); /* 1 ms in */
	CHECK_INT(h_dump_value(h, "dp.rx_ts"), 1);
	/* the ring filled; the next frame arrives 1 ms later, is held, and
	 * goes in 5 ms after that */
	unsigned taken = 1;
	while (fbnic_port_rx(h->dev, f, len) == 0)
		taken++;
	CHECK_INT(taken, 63);
	h_advance(h, 1000000);
	uint64_t arrival = h->now;
	CHECK_INT(fbnic_port_rx_at(h->dev, f, len, arrival), -EAGAIN);
	for (unsigned i = 1; i < taken; i++)
		REQUIRE(hnic_rx(&n, &r) == 1);
	hnic_rx_refill(&n);
	h_advance(h, 5000000);
	CHECK_INT(fbnic_port_rx_at(h->dev, f, len, arrival), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	uint64_t t2 = FBNIC_FIELD_GET(FBNIC_RCD_OPT_META_TS_MASK, r.opt_meta);
	CHECK(t2 >= 1999000 && t2 <= 2001000);
	CHECK_INT(h_dump_value(h, "dp.rx_ts"), 64);
	h_destroy(h);
}

/* Ring wrap: more frames than the RCQ and BDQs hold, in order, with the
 * driver polling in between. */
static void test_rx_rings_wrap_in_order(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 64);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	unsigned got = 0;
	for (unsigned i = 0; i < 500; i++) {
		f[len - 1] = (uint8_t)i;
		int rc = fbnic_port_rx(h->dev, f, len);
		if (rc == -EAGAIN) {
			hnic_rx_refill(&n);
			rc = fbnic_port_rx(h->dev, f, len);
		}
		CHECK_INT(rc, 0);
		struct hnic_rx r;
		while (hnic_rx(&n, &r) == 1) {
			CHECK_INT(r.data[len - 1], (uint8_t)got);
			got++;
		}
		if (i % 7 == 0)
			hnic_rx_refill(&n);
	}
	CHECK_INT(got, 500);
	h_destroy(h);
}

/* The driver resets the RCQ while the device is placing a frame (the DMA
 * dropped the device lock): the frame is lost, counted, nothing written
 * into the ring after the reset. */
static void reset_rcq(struct harness *h, void *arg)
{
	(void)arg;
	h_wr32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_RCQ_CTL,
	       FBNIC_QUEUE_RCQ_CTL_RESET);
}

static void test_rx_reset_during_dma(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	h->dma_hook = reset_rcq;
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_fault"), 1);
	const uint64_t *rcq = h_gpa(h, n.rcq.base);
	CHECK_INT(rcq[0], 0);
	/* the queue is off now: a frame for it waits for a restart a
	 * bounded time, then is dropped, counted */
	h->dma_hook = NULL;
	h_run(h);
	unsigned resumes = h->resumes;
	CHECK_INT(fbnic_port_rx(h->dev, f, len), -EAGAIN);
	CHECK_INT(h_dump_value(h, "dp.rx_held_restart"), 1);
	h_advance(h, FBNIC_RX_RESTART_HOLD_NS - 1000);
	CHECK_INT(h->resumes, resumes);
	h_advance(h, 2000);
	CHECK_INT(h->resumes, resumes + 1);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_queue_off"), 1);
	h_destroy(h);
}

/* A BDQ descriptor pointing outside guest memory stops that ring. */
static void test_rx_bad_buffer_address(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint64_t *hpq = h_gpa(h, n.hpq.base);
	hpq[0] = 0x3ffff0000000ull & FBNIC_BD_DESC_ADDR_MASK;
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_dma_errors"), 1);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_fault"), 1);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_queue_off"), 1);
	h_destroy(h);
}

/* The classifier decides: unknown unicast is not for this host (counted
 * by reason), and RSS spreads flows over every queue of the table. */
static void test_rx_classifier_drop_and_rss_spread(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct hnic n[4];
	for (unsigned q = 0; q < 4; q++)
		hnic_up(&n[q], h, q, VEC + q, 64, 64, 256);
	hnic_rpc_up(h, 4);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 6, 100);
	f[5] = 0x99; /* not the device's address */
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_rpc"), 1);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_rpc.miss"), 1);
	f[5] = 0x01;
	/* 64 flows (source ports): each lands whole on some queue, and more
	 * than one queue gets some */
	unsigned per_q[4] = { 0 }, busy = 0;
	struct pkt_info pi;
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	for (unsigned i = 0; i < 64; i++) {
		f[pi.l4_off] = (uint8_t)(i >> 8);
		f[pi.l4_off + 1] = (uint8_t)(i * 37);
		REQUIRE(pkt_l4_csum_fill(f, len, &pi) == 0);
		CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
		for (unsigned q = 0; q < 4; q++) {
			struct hnic_rx r;
			while (hnic_rx(&n[q], &r) == 1) {
				CHECK_MEM(r.data, f, len);
				CHECK(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY);
				per_q[q]++;
			}
			hnic_rx_refill(&n[q]);
		}
	}
	for (unsigned q = 0; q < 4; q++)
		busy += per_q[q] > 0;
	CHECK_INT(per_q[0] + per_q[1] + per_q[2] + per_q[3], 64);
	CHECK(busy >= 3);
	h_destroy(h);
}

/* The classifier keeps what it derives from its registers (valid TCAM
 * entries, the RSS key's table) between frames: every register change
 * after traffic takes effect on the next frame.  A MACDA entry
 * invalidated drops the device's unicast, validated again delivers it; a
 * new RSS key changes the hash to the one the key gives; an action entry
 * retargeted to drop drops; after a reset and ifup the key is the
 * driver's again. */
static void test_rx_classifier_follows_register_changes(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 6, 100);
	static struct hnic_rx r;
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	uint32_t hash0 = (uint32_t)FBNIC_FIELD_GET(FBNIC_RCD_META_RSS_HASH_MASK, r.meta);
	hnic_rx_refill(&n);
	/* hnic_rpc_up put the device's MAC in MACDA entry 30 */
	uint32_t v = FBNIC_RPC_TCAM_MACDA(30, FBNIC_RPC_TCAM_MACDA_WORD_LEN);
	h_wr32(h, 0, v, 0);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(hnic_rx(&n, &r), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_rpc.miss"), 1);
	h_wr32(h, 0, v, FBNIC_RPC_TCAM_VALIDATE);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_RSS_HASH_MASK, r.meta), hash0);
	hnic_rx_refill(&n);
	/* a new key: the hash is Toeplitz of the TCP 4-tuple with it */
	uint8_t key[FBNIC_RPC_RSS_KEY_BYTE_LEN];
	for (unsigned i = 0; i < FBNIC_RPC_RSS_KEY_DWORD_LEN; i++) {
		uint32_t d = 0x13579bdfu * (i + 7);
		h_wr32(h, 0, FBNIC_RPC_RSS_KEY(i), d);
		if (i == FBNIC_RPC_RSS_KEY_LAST_IDX)
			d &= FBNIC_RPC_RSS_KEY_LAST_MASK;
		for (unsigned j = 0; j < 4 && 4 * i + j < sizeof(key); j++)
			key[4 * i + j] = (uint8_t)(d >> (24 - 8 * j));
	}
	struct pkt_info pi;
	REQUIRE(pkt_parse(f, len, &pi) == 0);
	uint32_t want;
	REQUIRE(pkt_rss_hash(key, sizeof(key), f, len, &pi, true, &want) > 0);
	CHECK(want != hash0);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_RSS_HASH_MASK, r.meta), want);
	hnic_rx_refill(&n);
	/* the TCP4 rule (entry 60) now drops */
	h_wr32(h, 0, FBNIC_RPC_ACT_TBL0(60), FBNIC_RPC_ACT_TBL0_DROP);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(hnic_rx(&n, &r), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_rpc.drop_action"), 1);
	/* after a reset, programmed again as at ifup: the old key's hash */
	fbnic_reset(h->dev);
	h_enable_bus_master(h);
	hnic_up(&n, h, 0, VEC, 256, 64, 256);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_RSS_HASH_MASK, r.meta), hash0);
	h_destroy(h);
}

/* A TCP frame from source port sport (hashed on 4 tuple: the driver's
 * default for TCP), its first payload byte tag. */
static size_t flow_frame(uint8_t *f, size_t cap, unsigned sport, uint8_t tag)
{
	size_t len = build(f, cap, 4, 6, 100);
	struct pkt_info pi;
	if (pkt_parse(f, len, &pi))
		return 0;
	f[pi.l4_off] = (uint8_t)(sport >> 8);
	f[pi.l4_off + 1] = (uint8_t)sport;
	f[pi.payload_off] = tag;
	if (pkt_l4_csum_fill(f, len, &pi))
		return 0;
	return len;
}

/* The queue API (netdev_queue_mgmt_ops: fbnic_queue_stop, then
 * fbnic_queue_start with new rings and buffers, as a memory provider's
 * bind and unbind do), 40 times on queue 1 while queue 0 receives and
 * sends: queue 1 reads idle once disabled; a frame RSS sends it while it
 * is stopped waits (the backend holds it, and what comes behind it), and
 * goes in when the queue is back, into the new buffers; queue 0 loses
 * nothing.  Nothing is dropped. */
static void test_queue_restart_under_traffic(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct hnic n[2];
	hnic_up_rss(&n[0], h, 0, VEC, 64, 16, 64, 2);
	hnic_up_rss(&n[1], h, 1, VEC + 1, 64, 16, 64, 2);
	uint8_t f[200];
	struct hnic_rx r;
	/* a flow for each queue */
	unsigned sport[2] = { 0, 0 };
	for (unsigned p = 1000; p < 1064 && !(sport[0] && sport[1]); p++) {
		size_t len = flow_frame(f, sizeof(f), p, 0);
		REQUIRE(len);
		CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
		for (unsigned q = 0; q < 2; q++) {
			if (hnic_rx(&n[q], &r) == 1 && !sport[q])
				sport[q] = p;
			hnic_rx_refill(&n[q]);
		}
	}
	REQUIRE(sport[0] && sport[1]);
	uint64_t rx0 = h_dump_value(h, "dp.rx_frames");
	unsigned got0 = 0, got1 = 0, sent = 0, bad = 0;
	for (unsigned c = 0; c < 40; c++) {
		CHECK(hnic_stop(&n[1]));
		size_t len = flow_frame(f, sizeof(f), sport[0], (uint8_t)c);
		CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
		if (hnic_rx(&n[0], &r) == 1 && r.data[54] == (uint8_t)c)
			got0++;
		hnic_rx_refill(&n[0]);
		/* for the stopped queue: held */
		len = flow_frame(f, sizeof(f), sport[1], (uint8_t)(c + 100));
		CHECK_INT(fbnic_port_rx(h->dev, f, len), -EAGAIN);
		/* queue 0 sends while queue 1 is down */
		len = flow_frame(f, sizeof(f), 7, (uint8_t)c);
		h_frames_clear(h);
		REQUIRE(hnic_xmit(&n[0], f, len, 0, 2));
		h_run(h);
		if (h->nframes == 1 && h->frame_len[0] == len &&
		    !memcmp(h->frames[0], f, len))
			sent++;
		CHECK_INT(hnic_clean_tcq(&n[0]), 1);
		unsigned resumes = h->resumes;
		hnic_restart(&n[1], 64, 16, 64);
		h_run(h);
		CHECK_INT(h->resumes, resumes + 1); /* the backend offers again */
		len = flow_frame(f, sizeof(f), sport[1], (uint8_t)(c + 100));
		CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
		if (hnic_rx(&n[1], &r) == 1 && r.len == len &&
		    !memcmp(r.data, f, len))
			got1++;
		else
			bad++;
		hnic_rx_refill(&n[1]);
	}
	CHECK_INT(got0, 40);
	CHECK_INT(got1, 40);
	CHECK_INT(sent, 40);
	CHECK_INT(bad, 0);
	CHECK_INT(h_dump_value(h, "dp.rx_frames") - rx0, 80);
	CHECK_INT(h_dump_value(h, "dp.rx_held_restart"), 40);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_queue_off"), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_fault"), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_dma_errors"), 0);
	h_destroy(h);
}

/* TX to RX through a loopback cable: what one device sends, another
 * receives intact. */
static void test_frame_crosses_two_devices(void)
{
	struct hnic a, b;
	struct harness *ha = up(&a, 64, 256), *hb = up(&b, 64, 256);
	REQUIRE(ha && hb);
	static uint8_t f[4000];
	size_t len = build(f, sizeof(f), 6, 6, 3000);
	REQUIRE(hnic_xmit(&a, f, len, 0, 5));
	h_run(ha);
	REQUIRE(ha->nframes == 1);
	CHECK_INT(fbnic_port_rx(hb->dev, ha->frames[0], ha->frame_len[0]), 0);
	static struct hnic_rx r;
	REQUIRE(hnic_rx(&b, &r) == 1);
	CHECK_INT(r.len, len);
	CHECK_MEM(r.data, f, len);
	h_destroy(ha);
	h_destroy(hb);
}


/* ---- interrupt moderation --------------------------------------------- */

/* What `ethtool -C` programs: the vector's CQ timeouts through CQ_REARM's
 * update-enable bits (fbnic_config_rim_threshold / fbnic_set_coalesce ->
 * fbnic_config_txrx_usecs), the RCQ's RCD threshold (rx-frames * 2). */
static void coalesce(struct harness *h, unsigned rx_us, unsigned tx_us,
		     unsigned rcd_threshold)
{
	h_wr32(h, 0, FBNIC_INTR_CQ_REARM(VEC),
	       rx_us | FBNIC_INTR_CQ_REARM_RCQ_TIMEOUT_UPD_EN |
		       tx_us << FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_SHIFT |
		       FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_UPD_EN);
	h_wr32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_RIM_THRESHOLD, rcd_threshold);
}

static void rearm(struct harness *h)
{
	h_wr32(h, 0, FBNIC_INTR_CQ_REARM(VEC), FBNIC_INTR_CQ_REARM_INTR_UNMASK);
}

/* A frame in starts the RCQ timeout; the vector fires when it runs out,
 * not before, and once. */
static void test_rx_interrupt_waits_for_the_timeout(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	coalesce(h, 50, 0, 100);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	unsigned before = h->msix[VEC];
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	h_advance(h, 30000);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0); /* no new deadline */
	h_advance(h, 19999);
	CHECK_INT(h->msix[VEC], before);
	h_advance(h, 1);
	CHECK_INT(h->msix[VEC], before + 1);
	struct hnic_rx r;
	CHECK_INT(hnic_rx(&n, &r), 1);
	CHECK_INT(hnic_rx(&n, &r), 1);
	hnic_rx_refill(&n);
	rearm(h);
	h_advance(h, 1000000);
	CHECK_INT(h->msix[VEC], before + 1);
	CHECK_INT(h_dump_value(h, "intr.by_timeout"), 1);
	h_destroy(h);
}

/* rx-frames: the RCD threshold raises the vector without waiting. */
static void test_rx_interrupt_threshold_fires_early(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	coalesce(h, 1000, 0, 6); /* 3 frames of 2 RCDs (header, meta) */
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	unsigned before = h->msix[VEC];
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h->msix[VEC], before);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(h->msix[VEC], before + 1);
	CHECK_INT(h_dump_value(h, "intr.by_threshold"), 1);
	/* the count and the timer start again after it fired */
	rearm(h);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	h_advance(h, 999999);
	CHECK_INT(h->msix[VEC], before + 1);
	h_advance(h, 1);
	CHECK_INT(h->msix[VEC], before + 2);
	h_destroy(h);
}

/* The TCQ has its own timeout; 0 (the RCQ's here) raises at once, and a
 * timeout that expires while the vector is masked (NAPI polling) stays
 * latched until the re-arm: no wake-up is lost. */
static void test_tx_interrupt_timeout_and_latch(void)
{
	struct hnic n;
	struct harness *h = up(&n, 64, 256);
	REQUIRE(h);
	coalesce(h, 0, 20, 100);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 4, 17, 100);
	unsigned before = h->msix[VEC];
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	REQUIRE(h->nframes == 1);
	CHECK_INT(h->msix[VEC], before);
	h_advance(h, 20000);
	CHECK_INT(h->msix[VEC], before + 1); /* and now masked */
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0); /* RCQ: timeout 0 */
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	h_advance(h, 20000);
	CHECK_INT(h->msix[VEC], before + 1);
	rearm(h);
	CHECK_INT(h->msix[VEC], before + 2);
	CHECK_INT(hnic_clean_tcq(&n), 2);
	h_destroy(h);
}

TEST_MAIN("dp",
	  TEST_CASE(test_tx_gathers_completes_and_interrupts),
	  TEST_CASE(test_tx_descriptors_read_ahead),
	  TEST_CASE(test_tx_pads_short_frames),
	  TEST_CASE(test_tx_checksum_offload),
	  TEST_CASE(test_tx_segmentation),
	  TEST_CASE(test_tx_udp_segmentation),
	  TEST_CASE(test_tx_segmentation_ipv6_in_ipv6),
	  TEST_CASE(test_tx_netmem_payload_from_dmabuf),
	  TEST_CASE(test_tx_gso_to_backend),
	  TEST_CASE(test_tx_timestamp_completion),
	  TEST_CASE(test_rx_timestamp_is_arrival),
	  TEST_CASE(test_tx_timestamp_wire_time),
	  TEST_CASE(test_xdp_tx_twq1_shares_the_tcq),
	  TEST_CASE(test_tx_waits_for_completion_room),
	  TEST_CASE(test_tx_back_pressure_holds_the_packet),
	  TEST_CASE(test_tx_back_pressure_lso_resumes_mid_packet),
	  TEST_CASE(test_tx_back_pressure_reset_forgets_the_packet),
	  TEST_CASE(test_tx_stop_finishes_handed_over_packets),
	  TEST_CASE(test_tx_malformed_rings_stop_counted),
	  TEST_CASE(test_rx_whole_frame_in_header_buffer),
	  TEST_CASE(test_rx_checksum_complete),
	  TEST_CASE(test_rx_jumbo_uses_payload_buffers),
	  TEST_CASE(test_rx_header_data_split),
	  TEST_CASE(test_rx_padlen),
	  TEST_CASE(test_rx_hds_thresholds),
	  TEST_CASE(test_rx_back_pressure_is_lossless),
	  TEST_CASE(test_rx_rings_wrap_in_order),
	  TEST_CASE(test_rx_reset_during_dma),
	  TEST_CASE(test_rx_bad_buffer_address),
	  TEST_CASE(test_rx_classifier_drop_and_rss_spread),
	  TEST_CASE(test_rx_classifier_follows_register_changes),
	  TEST_CASE(test_queue_restart_under_traffic),
	  TEST_CASE(test_frame_crosses_two_devices),
	  TEST_CASE(test_rx_interrupt_waits_for_the_timeout),
	  TEST_CASE(test_rx_interrupt_threshold_fires_early),
	  TEST_CASE(test_tx_interrupt_timeout_and_latch))
