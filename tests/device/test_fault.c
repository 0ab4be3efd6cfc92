/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Injected faults (dev/fault.h) on the in-process device, driven as the
 * driver drives it (hnic.c): each kind fires where and as often as armed,
 * is counted as fault.KIND.fired and not as a model error, and the
 * device's reaction is the one the hardware would have; the same seed
 * fires on the same frames.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/fault.h"
#include "harness.h"
#include "hnic.h"
#include "pktref.h"
#include "test.h"

#define VEC 2u

static const uint8_t dev_mac[6] = { 0x02, 0xfb, 0x00, 0x00, 0x00, 0x01 };

/* A TCP frame for the device, payload bytes tagged with `tag`. */
static size_t build(uint8_t *out, size_t cap, size_t payload_len, uint8_t tag)
{
	static uint8_t payload[2048];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + tag);
	struct pr_spec s = { .ip = 4, .proto = 6, .seq = 1000 + tag,
			     .tcp_flags = 0x18, .payload = payload,
			     .payload_len = payload_len, .ip_id = tag };
	size_t l3, l4, pay;
	size_t len = pr_build(out, cap, &s, &l3, &l4, &pay);
	memcpy(out, dev_mac, 6);
	return len;
}

static struct harness *up(struct hnic *n)
{
	struct harness *h = h_create(NULL);
	if (h)
		hnic_up(n, h, 0, VEC, 256, 64, 256);
	return h;
}

/* Frames in, each taken and given back at once; returns how many the
 * driver side received, and marks which in got[] (by tag). */
static unsigned rx_frames(struct hnic *n, unsigned count, bool *got)
{
	unsigned rcvd = 0;
	for (unsigned i = 0; i < count; i++) {
		uint8_t f[200];
		size_t len = build(f, sizeof(f), 100, (uint8_t)i);
		CHECK_INT(fbnic_port_rx(n->h->dev, f, len), 0);
		struct hnic_rx r;
		if (hnic_rx(n, &r) == 1) {
			rcvd++;
			if (got && r.len == len)
				got[(uint8_t)r.data[14 + 4 + 1]] = true; /* IP id low byte */
			hnic_rx_refill(n);
		}
	}
	return rcvd;
}

/* rx drop, count 3 on queue 0: three frames lost before the device, the
 * rest delivered; no device counter takes the loss, fault.rx_drop does;
 * after the count it disarms itself. */
static void test_rx_drop_count(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_RX_DROP, 0, 3, 0, 1, 0);
	CHECK_INT(rx_frames(&n, 5, NULL), 2);
	CHECK_INT(h_dump_value(h, "fault.rx_drop.fired"), 3);
	CHECK_INT(h_dump_value(h, "dp.rx_frames"), 2);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_fault"), 0);
	CHECK_INT(h_dump_value(h, "dp.rx_drop_rpc"), 0);
	CHECK_INT(rx_frames(&n, 3, NULL), 3); /* disarmed */
	/* scoped to another queue: queue 0 is untouched */
	fbnic_fault_arm(h->dev, FBNIC_FAULT_RX_DROP, 5, 10, 0, 1, 0);
	CHECK_INT(rx_frames(&n, 3, NULL), 3);
	CHECK_INT(h_dump_value(h, "fault.rx_drop.fired"), 3);
	h_destroy(h);
}

/* rx corrupt: the frame arrives with one bit flipped inside its TCP
 * segment, and the device's verdict says so: no L4_CSUM_UNNECESSARY,
 * and the CHECKSUM_COMPLETE sum is the damaged frame's (so the stack
 * finds the TCP checksum bad: TcpInCsumErrors, not a "hw csum failure"). */
static void test_rx_corrupt_flips_a_bit_the_checksum_sees(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_RX_CORRUPT, FBNIC_FAULT_ALL, 1, 0, 7, 0);
	uint8_t f[300];
	size_t len = build(f, sizeof(f), 200, 3);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	struct hnic_rx r;
	REQUIRE(hnic_rx(&n, &r) == 1);
	REQUIRE(r.len == len);
	unsigned bits = 0, at = 0;
	for (size_t i = 0; i < len; i++)
		if (r.data[i] != f[i]) {
			bits += (unsigned)__builtin_popcount(r.data[i] ^ f[i]);
			at = (unsigned)i;
		}
	CHECK_INT(bits, 1);
	CHECK(at >= 14 + 20); /* in the TCP segment: after Ethernet and IPv4 */
	CHECK(!(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY));
	uint16_t sum = pr_sum(r.data + 14, len - 14);
	CHECK_INT(FBNIC_FIELD_GET(FBNIC_RCD_META_L2_CSUM_MASK, r.meta),
		  (uint16_t)(sum >> 8 | sum << 8));
	CHECK_INT(h_dump_value(h, "fault.rx_corrupt.fired"), 1);
	/* the next frame is whole again */
	hnic_rx_refill(&n);
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	REQUIRE(hnic_rx(&n, &r) == 1);
	CHECK_MEM(r.data, f, len);
	CHECK(r.meta & FBNIC_RCD_META_L4_CSUM_UNNECESSARY);
	h_destroy(h);
}

/* rx fcs, count 2: the MAC drops the frames and counts them where the
 * driver reads FCS errors (MAC_STAT_RX_PACKET_BAD_FCS, fbnic_mac.c's
 * FrameCheckSequenceErrors), and the port counts why. */
static void test_rx_fcs_counted_by_the_mac(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_RX_FCS, FBNIC_FAULT_ALL, 2, 0, 1, 0);
	CHECK_INT(rx_frames(&n, 5, NULL), 3);
	CHECK_INT(h_rd32(h, 0, FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L), 2);
	CHECK_INT(h_dump_value(h, "port.rx_drop_fcs"), 2);
	CHECK_INT(h_dump_value(h, "fault.rx_fcs.fired"), 2);
	h_destroy(h);
}

/* tx drop, count 2: three packets sent and completed, one on the wire. */
static void test_tx_drop_completes_but_loses(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_TX_DROP, 0, 2, 0, 1, 0);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 100, 1);
	for (int i = 0; i < 3; i++)
		REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	CHECK_INT(h->nframes, 1);
	CHECK_INT(hnic_clean_tcq(&n), 3);
	CHECK_INT(h_dump_value(h, "dp.tx_packets"), 3);
	CHECK_INT(h_dump_value(h, "fault.tx_drop.fired"), 2);
	h_destroy(h);
}

/* tx stall: nothing is fetched (no frame, no completion, the queue manager
 * reads busy) until the fault is cleared; then the queue goes on. */
static void test_tx_stall_until_cleared(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_TX_STALL, 0, 1, 0, 1, 0);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 100, 1);
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	h_advance(h, 1000000000ull);
	CHECK_INT(h->nframes, 0);
	CHECK_INT(hnic_clean_tcq(&n), 0);
	CHECK(h_dump_value(h, "fault.tx_stall.fired") >= 1);
	/* another queue's stall leaves queue 0 alone: re-arm there */
	fbnic_fault_clear(h->dev, FBNIC_FAULT_TX_STALL);
	h_run(h);
	CHECK_INT(h->nframes, 2);
	CHECK_INT(hnic_clean_tcq(&n), 2);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_TX_STALL, 9, 1, 0, 1, 0);
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	CHECK_INT(h->nframes, 3);
	h_destroy(h);
}

/* irq drop, vector VEC, count 1: the first MSI-X message is swallowed,
 * the next one goes out. */
static void test_irq_drop_swallows_one_message(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_IRQ_DROP, VEC, 1, 0, 1, 0);
	unsigned before = h->msix[VEC];
	CHECK_INT(rx_frames(&n, 1, NULL), 1);
	CHECK_INT(h->msix[VEC], before);
	CHECK_INT(h_dump_value(h, "fault.irq_drop.fired"), 1);
	/* The vector stays masked as after any message (auto-mask): a lost
	 * interrupt stalls the queue until the driver re-arms it, as its
	 * NAPI poll does (fbnic_nv_irq_rearm) once something polls it. */
	CHECK_INT(rx_frames(&n, 1, NULL), 1);
	CHECK_INT(h->msix[VEC], before);
	h_wr32(h, 0, FBNIC_INTR_CQ_REARM(VEC), FBNIC_INTR_CQ_REARM_INTR_UNMASK);
	CHECK_INT(rx_frames(&n, 1, NULL), 1);
	CHECK(h->msix[VEC] > before);
	h_destroy(h);
}

/* dma fail on queue 0: the TX descriptor read fails, the ring stops as on
 * a bus error (the device's own counters say so), the fault counter says
 * why. */
static void test_dma_fail_stops_the_ring(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_DMA_FAIL, 0, 1, 0, 1, 0);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 100, 1);
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	CHECK_INT(h->nframes, 0);
	CHECK_INT(h_dump_value(h, "fault.dma_fail.fired"), 1);
	CHECK_INT(h_dump_value(h, "dp.tx_dma_errors"), 1);
	CHECK_INT(h_dump_value(h, "queue.ring_errors"), 1);
	h_destroy(h);
}

/* completion delay, 5 ms, count 1 per arm: a TX packet goes out and
 * completes only when the hold ends; a frame from the wire is held (the
 * backend told to wait, nothing lost) and taken when it ends. */
static void test_completion_delay_holds_both_ways(void)
{
	struct hnic n;
	struct harness *h = up(&n);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_COMPLETION_DELAY, 0, 1, 0, 1,
			5000000);
	uint8_t f[200];
	size_t len = build(f, sizeof(f), 100, 1);
	REQUIRE(hnic_xmit(&n, f, len, 0, 1));
	h_run(h);
	h_advance(h, 4000000);
	CHECK_INT(h->nframes, 0);
	CHECK_INT(hnic_clean_tcq(&n), 0);
	h_advance(h, 2000000);
	CHECK_INT(h->nframes, 1);
	CHECK_INT(hnic_clean_tcq(&n), 1);
	/* RX */
	fbnic_fault_arm(h->dev, FBNIC_FAULT_COMPLETION_DELAY, 0, 1, 0, 1,
			5000000);
	unsigned resumes = h->resumes;
	CHECK_INT(fbnic_port_rx(h->dev, f, len), -EAGAIN);
	h_advance(h, 4000000);
	CHECK_INT(h->resumes, resumes);
	struct hnic_rx r;
	CHECK_INT(hnic_rx(&n, &r), 0);
	h_advance(h, 2000000);
	CHECK_INT(h->resumes, resumes + 1); /* the port: offer it again */
	CHECK_INT(fbnic_port_rx(h->dev, f, len), 0);
	CHECK_INT(hnic_rx(&n, &r), 1);
	CHECK_INT(h_dump_value(h, "fault.completion_delay.fired"), 2);
	CHECK_INT(h_dump_value(h, "dp.rx_frames"), 1);
	h_destroy(h);
}

/* Probability mode: the same seed drops the same frames, another seed
 * other frames, and about the share asked for. */
static unsigned drop_pattern(uint64_t seed, bool *got)
{
	struct hnic n;
	struct harness *h = up(&n);
	if (!h)
		return 0;
	memset(got, 0, 200 * sizeof(*got));
	fbnic_fault_arm(h->dev, FBNIC_FAULT_RX_DROP, FBNIC_FAULT_ALL, 0, 300000,
			seed, 0);
	unsigned rcvd = rx_frames(&n, 200, got);
	CHECK_INT(h_dump_value(h, "fault.rx_drop.fired"), 200 - rcvd);
	h_destroy(h);
	return rcvd;
}

static void test_same_seed_same_faults(void)
{
	bool a[200], b[200], c[200];
	unsigned ra = drop_pattern(42, a), rb = drop_pattern(42, b);
	unsigned rc = drop_pattern(43, c);
	CHECK_INT(ra, rb);
	CHECK(!memcmp(a, b, sizeof(a)));
	CHECK(memcmp(a, c, sizeof(a)) != 0);
	/* 30 % of 200: 60 expected; a seed would have to be very unlucky
	 * to leave this band (binomial, sd 6.5) */
	CHECK(200 - ra > 30 && 200 - ra < 90);
	CHECK(200 - rc > 30 && 200 - rc < 90);
}

/* fault list names every kind and what is armed. */
static void test_list(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_IRQ_DROP, 5, 2, 0, 1, 0);
	fbnic_fault_arm(h->dev, FBNIC_FAULT_RX_CORRUPT, 1, 0, 2500, 9, 0);
	char buf[1024] = "";
	FILE *m = fmemopen(buf, sizeof(buf) - 1, "w");
	REQUIRE(m);
	fbnic_fault_list(h->dev, m);
	fclose(m);
	CHECK(strstr(buf, "rx drop: off, fired 0\n"));
	CHECK(strstr(buf, "rx corrupt: armed queue 1 prob 0.002500 seed 9, fired 0\n"));
	CHECK(strstr(buf, "irq drop: armed vector 5 count 2 left, fired 0\n"));
	CHECK(strstr(buf, "dma fail: off"));
	fbnic_fault_clear(h->dev, -1);
	m = fmemopen(buf, sizeof(buf) - 1, "w");
	fbnic_fault_list(h->dev, m);
	fclose(m);
	CHECK(!strstr(buf, "armed"));
	h_destroy(h);
}

TEST_MAIN("fault", TEST_CASE(test_rx_drop_count),
	  TEST_CASE(test_rx_corrupt_flips_a_bit_the_checksum_sees),
	  TEST_CASE(test_rx_fcs_counted_by_the_mac),
	  TEST_CASE(test_tx_drop_completes_but_loses),
	  TEST_CASE(test_tx_stall_until_cleared),
	  TEST_CASE(test_irq_drop_swallows_one_message),
	  TEST_CASE(test_dma_fail_stops_the_ring),
	  TEST_CASE(test_completion_delay_holds_both_ways),
	  TEST_CASE(test_same_seed_same_faults), TEST_CASE(test_list))
