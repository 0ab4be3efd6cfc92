/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the fault-injection hooks (dev/fault.h) cost the data path: the
 * in-process device (tests/lib/hnic.c drives it as fbnic_txrx.c does)
 * receives 64- and 1500-byte frames and sends 64-byte ones, timed per
 * frame, with nothing armed, and with a fault of every kind armed for a
 * queue the traffic does not use (the hooks then test their scope and
 * never fire).  Built a second time with FBNIC_NO_FAULT_HOOKS (the hooks
 * compiled out), it gives the baseline: `make bench-faults` runs both.
 * Prints one line per figure, then
 *   faults: rx60 N ns, rx1514 N ns, tx60 N ns (armed elsewhere: ...), BUILD
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/fault.h"
#include "harness.h"
#include "hnic.h"
#include "pktref.h"
#include "test.h"
#include "util/log.h"

#define VEC 2u

static size_t frame(uint8_t *out, size_t cap, size_t payload)
{
	static uint8_t pay[1500];
	struct pr_spec s = { .ip = 4, .proto = 17, .payload = pay,
			     .payload_len = payload };
	size_t l3, l4, p;
	size_t len = pr_build(out, cap, &s, &l3, &l4, &p);
	static const uint8_t mac[6] = { 0x02, 0xfb, 0x00, 0x00, 0x00, 0x01 };
	memcpy(out, mac, 6);
	return len;
}

/* ns per received frame over n frames (best of 5 rounds). */
static double rx_ns(struct hnic *n, const uint8_t *f, size_t len, unsigned count)
{
	static struct hnic_rx r;
	double best = 1e9;
	for (int round = 0; round < 5; round++) {
		double t0 = test_now_s();
		for (unsigned i = 0; i < count; i++) {
			if (fbnic_port_rx(n->h->dev, f, len) ||
			    hnic_rx(n, &r) != 1) {
				fprintf(stderr, "fault_cost: frame %u not received\n", i);
				exit(1);
			}
			if ((i & 15) == 15)
				hnic_rx_refill(n);
		}
		hnic_rx_refill(n);
		double ns = (test_now_s() - t0) * 1e9 / count;
		if (ns < best)
			best = ns;
	}
	return best;
}

/* ns per sent packet (posted, sent, completion read), best of 3. */
static double tx_ns(struct hnic *n, const uint8_t *f, size_t len, unsigned count)
{
	struct harness *h = n->h;
	uint64_t alloc0 = h->next_alloc;
	double best = 1e9;
	for (int round = 0; round < 3; round++) {
		double t0 = test_now_s();
		for (unsigned i = 0; i < count; i++) {
			if (!hnic_xmit(n, f, len, 0, 1)) {
				fprintf(stderr, "fault_cost: TX ring full\n");
				exit(1);
			}
			h_run(h);
			if (hnic_clean_tcq(n) != 1) {
				fprintf(stderr, "fault_cost: no completion\n");
				exit(1);
			}
			h->next_alloc = alloc0; /* the buffer is free again */
			if (h->nframes >= H_MAX_FRAMES / 2)
				h_frames_clear(h);
		}
		h_frames_clear(h);
		double ns = (test_now_s() - t0) * 1e9 / count;
		if (ns < best)
			best = ns;
	}
	return best;
}

static __attribute__((unused)) void arm_elsewhere(struct harness *h)
{
	for (int k = 0; k < FBNIC_FAULT_KINDS; k++)
		fbnic_fault_arm(h->dev, (enum fbnic_fault_kind)k,
				k == FBNIC_FAULT_IRQ_DROP ? 100 : 99, 1000000000ull,
				0, 1, 1000000);
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
	log_threshold = LOG_WARN;
	struct hnic n;
	struct harness *h = h_create(NULL);
	if (!h)
		return 1;
	hnic_up(&n, h, 0, VEC, 256, 256, 1024);
	uint8_t small[128], big[1600];
	size_t ls = frame(small, sizeof(small), 18), lb = frame(big, sizeof(big), 1472);
#ifdef FBNIC_NO_FAULT_HOOKS
	const char *build = "hooks compiled out";
#else
	const char *build = "hooks built in";
#endif
	double r64 = rx_ns(&n, small, ls, count), r1500 = rx_ns(&n, big, lb, count);
	double t64 = tx_ns(&n, small, ls, count / 4);
	printf("fault hooks (%s), nothing armed: rx %zu B %.0f ns, rx %zu B %.0f ns, tx %zu B %.0f ns per frame\n",
	       build, ls, r64, lb, r1500, ls, t64);
	char elsewhere[160] = "";
#ifndef FBNIC_NO_FAULT_HOOKS
	arm_elsewhere(h);
	double a64 = rx_ns(&n, small, ls, count), a1500 = rx_ns(&n, big, lb, count);
	double at64 = tx_ns(&n, small, ls, count / 4);
	printf("fault hooks (%s), every kind armed for another queue: rx %zu B %.0f ns, rx %zu B %.0f ns, tx %zu B %.0f ns per frame\n",
	       build, ls, a64, lb, a1500, ls, at64);
	snprintf(elsewhere, sizeof(elsewhere), " (armed elsewhere: %.0f, %.0f, %.0f ns)",
		 a64, a1500, at64);
#endif
	printf("faults: rx%zu %.0f ns, rx%zu %.0f ns, tx%zu %.0f ns%s, %s\n", ls,
	       r64, lb, r1500, ls, t64, elsewhere, build);
	h_destroy(h);
	return 0;
}
