/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's own packet rate, with no VM and no socket: two in-process
 * devices cabled port to port, each driven by the driver model
 * (tests/lib/hnic.c posts TWDs and BDQ buffers, reads TCDs and RCDs as
 * fbnic_txrx.c does).  One thread sends frames from device A's TWQ0 and
 * receives them on device B's RCQ: TX fetch, gather and completion on A,
 * the cable, classifier, placement and completion on B.  Bursts of up to
 * 64 frames per doorbell, as the driver's xmit_more batches them; B's
 * buffers are given back after each burst.  Every frame is checked to
 * arrive with its length.
 *
 * For each size it prints Mpps and Gbit/s (Ethernet frame bytes, no FCS),
 * and the share of the run's memcpy bandwidth (1500-byte copies between
 * pages of 1 MiB buffers, as the device copies between TX buffers and
 * BDQ pages: cache-warm, the strictest measure); each figure is the best
 * of several rounds (a busy machine only lowers them).  Then one line:
 *   pps: 64B 6.10 Mpps, 1500B 57% of memcpy
 * Usage: pps [SECONDS-PER-SIZE [SIZE]] (default 1 s, every size; with
 * SIZE only that one, for a profiler).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hnic.h"
#include "pktref.h"
#include "test.h"
#include "util/log.h"

#define VEC 2u
#define BURST 64u

/* The cable: A's port into B's. */
static int cable(struct harness *a, const void *frame, size_t len)
{
	struct harness *b = a->send_hook_arg;
	return fbnic_port_rx(b->dev, frame, len);
}

/* A UDP/IPv4 frame of len bytes for B's MAC. */
static size_t frame(uint8_t *out, size_t len)
{
	static uint8_t pay[9000];
	struct pr_spec s = { .ip = 4, .proto = 17, .payload = pay,
			     .payload_len = len - 42 };
	size_t l3, l4, p;
	size_t n = pr_build(out, len, &s, &l3, &l4, &p);
	static const uint8_t mac[6] = { 0x02, 0xfb, 0x00, 0x00, 0x00, 0x01 };
	memcpy(out, mac, 6);
	return n;
}

static void die(const char *what)
{
	fprintf(stderr, "pps: %s\n", what);
	exit(1);
}

/* B's completed frames, each checked for its length; B's buffers given
 * back. */
static unsigned drain(struct hnic *b, size_t len)
{
	unsigned got = 0;
	size_t l;
	int r;
	while ((r = hnic_rx_len(b, &l)) == 1) {
		if (l != len)
			die("a frame arrived with the wrong length");
		got++;
	}
	if (r < 0)
		die("bad RCD sequence");
	hnic_rx_refill(b);
	return got;
}

/* One doorbell's burst from A to B: posted, sent, received, completed. */
static unsigned burst(struct hnic *a, struct hnic *b,
		      const struct hnic_seg *seg, unsigned nseg, size_t len)
{
	unsigned posted = 0;
	while (posted < BURST && hnic_post_sg(a, seg, nseg, 0))
		posted++;
	if (!posted)
		die("TX ring full");
	hnic_tx_doorbell(a);
	h_run(a->h);
	unsigned got = drain(b, len);
	if (got < posted) {
		/* what B had no buffers for waits in A: room again */
		h_tx_room(a->h, -1);
		got += drain(b, len);
	}
	if (got != posted || hnic_clean_tcq(a) == 0)
		die("frames lost or not completed");
	return got;
}

/* Frames per second at this size: the best of 5 rounds in secs. */
static double run(struct hnic *a, struct hnic *b, size_t len, double secs)
{
	static uint8_t f[9100];
	if (frame(f, len) != len)
		die("cannot build the frame");
	struct harness *ha = a->h;
	uint64_t mark = ha->next_alloc;
	uint64_t buf = h_alloc(ha, len);
	memcpy(h_gpa(ha, buf), f, len);
	/* pieces of at most 4 KiB, as pages of the skb */
	struct hnic_seg seg[4];
	unsigned nseg = 0;
	for (size_t off = 0; off < len; off += 4096, nseg++)
		seg[nseg] = (struct hnic_seg){
			buf + off, (uint32_t)(len - off < 4096 ? len - off : 4096)
		};
	double best = 0;
	for (int round = 0; round < 5; round++) {
		unsigned long long frames = 0;
		double t0 = test_now_s(), t = t0;
		while (t - t0 < secs / 5) {
			for (unsigned k = 0; k < 64; k++)
				frames += burst(a, b, seg, nseg, len);
			t = test_now_s();
		}
		double pps = (double)frames / (t - t0);
		if (pps > best)
			best = pps;
	}
	ha->next_alloc = mark;
	return best;
}

/* Bytes per second memcpy moves in 1500-byte copies from one 4 KiB
 * page to another over 1 MiB each way, as the device copies frames
 * between the TX buffers and the BDQ's pages: the best of 10 rounds. */
static double memcpy_bw(double secs)
{
	enum { SET = 1 << 20, CHUNK = 1500, PAGES = SET / 4096 };
	uint8_t *src = malloc(SET), *dst = malloc(SET);
	if (!src || !dst)
		die("no memory");
	memset(src, 0x5a, SET);
	memset(dst, 0, SET);
	double best = 0;
	unsigned page = 0;
	for (int round = 0; round < 10; round++) {
		unsigned long long bytes = 0;
		double t0 = test_now_s(), t = t0;
		while (t - t0 < secs / 10) {
			for (unsigned i = 0; i < 4096; i++, page++)
				memcpy(dst + 4096 * ((page * 7) % PAGES),
				       src + 4096 * (page % PAGES), CHUNK);
			bytes += 4096ull * CHUNK;
			t = test_now_s();
		}
		double bw = (double)bytes / (t - t0);
		if (bw > best)
			best = bw;
	}
	volatile uint8_t sink = dst[12345];
	(void)sink;
	free(src);
	free(dst);
	return best;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	if (secs <= 0)
		secs = 1.0;
	log_threshold = LOG_WARN;
	struct hnic a, b;
	struct harness *ha = h_create(NULL), *hb = h_create(NULL);
	if (!ha || !hb)
		die("cannot create the devices");
	hnic_up(&a, ha, 0, VEC, 1024, 256, 1024);
	hnic_up(&b, hb, 0, VEC, 1024, 256, 1024);
	ha->send_hook = cable;
	ha->send_hook_arg = hb;
	static const size_t sizes[] = { 64, 128, 256, 512, 1024, 1500, 4000, 9000 };
	double bw = memcpy_bw(secs);
	printf("memcpy (1500 B copies, page to page over 1 MiB): %.2f GB/s\n",
	       bw / 1e9);
	double pps64 = 0, frac1500 = 0;
	size_t only[1] = { argc > 2 ? (size_t)atol(argv[2]) : 0 };
	if (argc > 2 && (only[0] < 60 || only[0] > 9000))
		die("SIZE wants 60..9000");
	const size_t *list = argc > 2 ? only : sizes;
	unsigned n = argc > 2 ? 1 : sizeof(sizes) / sizeof(sizes[0]);
	for (unsigned i = 0; i < n; i++) {
		double pps = run(&a, &b, list[i], secs);
		double gbit = pps * (double)list[i] * 8 / 1e9;
		printf("%5zu B: %6.2f Mpps %7.2f Gbit/s  %5.1f%% of memcpy\n",
		       list[i], pps / 1e6, gbit, 100 * gbit * 1e9 / 8 / bw);
		if (list[i] == 64)
			pps64 = pps;
		if (list[i] == 1500)
			frac1500 = pps * 1500 / bw;
	}
	printf("pps: 64B %.2f Mpps, 1500B %.0f%% of memcpy\n", pps64 / 1e6,
	       100 * frac1500);
	h_destroy(ha);
	h_destroy(hb);
	return 0;
}
