/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware behind the mailbox rings: the driver's probe and ifup
 * conversations (fbnic_mbx_poll_tx_ready, fbnic_fw_xmit_ownership_msg,
 * the heartbeat) replayed through the in-process device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/fw.h"
#include "dev/intr.h"
#include "dev/mbx.h"
#include "fw/tlv.h"
#include "harness.h"
#include "hdrv.h"
#include "test.h"

static void send_msg(struct hdrv *d, uint16_t id, int (*fill)(struct tlv_builder *))
{
	uint8_t buf[4096];
	struct tlv_builder b;
	tlv_msg_init(&b, buf, sizeof(buf), id);
	if (fill)
		fill(&b);
	int len = tlv_msg_finish(&b);
	REQUIRE(len > 0);
	CHECK(hdrv_send(d, buf, (uint16_t)len));
}

/* Next FW->host message, with its id; 0 when none. */
static int recv_msg(struct hdrv *d, uint8_t *buf, uint16_t *id)
{
	int len = hdrv_recv(d, buf, 4096);
	if (len > 0) {
		struct tlv_msg m;
		if (tlv_msg_open(&m, buf, (size_t)len, NULL) == 0)
			*id = m.id;
	}
	return len;
}

/* Probe up to the capabilities, as fbnic_mbx_poll_tx_ready does it. */
static void probe(struct harness *h, struct hdrv *d, uint8_t *cap, int *caplen)
{
	hdrv_mbx_init(d, h);
	h_run(h);
	CHECK(hdrv_event(d)); /* sign of life */
	hdrv_enable(d);
	send_msg(d, FW_MSG_HOST_CAP_REQ, NULL);
	h_advance(h, FBNIC_FW_TURNAROUND_DEFAULT_NS); /* the driver polls 10 s */
	CHECK(hdrv_event(d));
	uint16_t id = 0;
	*caplen = recv_msg(d, cap, &id);
	CHECK(*caplen > 0);
	CHECK_EQ(id, FW_MSG_FW_CAP_RESP);
}

static void test_probe_capabilities(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	uint8_t cap[4096];
	int len = 0;
	probe(h, &d, cap, &len);
	REQUIRE(len > 0);
	struct tlv_msg m;
	struct tlv_attr res[TLV_RESULTS_MAX];
	const struct tlv_parser *match = NULL;
	REQUIRE(tlv_msg_parse(&m, cap, (size_t)len,
			      fw_host_parsers(FW_HOST_LINUX_7_3), &match, res,
			      NULL) == 0);
	/* MIN_FW_VER_CODE 0.10.6.0, or probe fails with -ENODEV */
	CHECK(tlv_get_uint(&res[FW_CAP_RESP_VERSION], 0) >= 0x000a0600);
	CHECK_EQ(tlv_get_uint(&res[FW_CAP_RESP_FW_LINK_SPEED], 0), 4); /* 100CR2 */
	CHECK_EQ(tlv_get_uint(&res[FW_CAP_RESP_FW_LINK_FEC], 0), 2);   /* RS */
	CHECK(!tlv_present(&res[FW_CAP_RESP_BMC_PRESENT]));
	CHECK_INT(d.tx_errors, 0);
	/* the same reply parses with 6.12's table */
	CHECK_INT(tlv_msg_parse(&m, cap, (size_t)len,
				fw_host_parsers(FW_HOST_LINUX_6_12), &match, res,
				NULL), 0);
	h_destroy(h);
}

static int fill_take(struct tlv_builder *b)
{
	return tlv_put_flag(b, FW_OWNERSHIP_FLAG);
}

/* ifup: ownership answered through an MSI-X on vector 0 (the driver only
 * processes it from fbnic_fw_msix_intr), then heartbeats. */
static void test_ownership_irq_and_heartbeat(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	uint8_t buf[4096];
	int len = 0;
	probe(h, &d, buf, &len);
	/* enable_irq + INTR_MASK_CLEAR(0) after a successful handshake */
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1);
	unsigned irqs = h->msix[0];
	send_msg(&d, FW_MSG_OWNERSHIP_REQ, fill_take);
	h_run(h);
	CHECK(h->msix[0] > irqs);
	uint16_t id = 0;
	CHECK(hdrv_event(&d));
	CHECK(recv_msg(&d, buf, &id) > 0);
	CHECK_EQ(id, FW_MSG_OWNERSHIP_RESP);
	CHECK(fw_host_owned(fbnic_fw(h->dev)));
	/* heartbeats: uptime never goes backwards */
	uint64_t last = 0;
	for (int i = 0; i < 3; i++) {
		h_advance(h, 10ull * 1000 * 1000 * 1000);
		send_msg(&d, FW_MSG_HEARTBEAT_REQ, NULL);
		h_run(h);
		CHECK(recv_msg(&d, buf, &id) > 0);
		CHECK_EQ(id, FW_MSG_HEARTBEAT_RESP);
		struct tlv_msg m;
		struct tlv_attr res[TLV_RESULTS_MAX];
		REQUIRE(tlv_msg_parse(&m, buf, 4096, fw_host_parsers(FW_HOST_LINUX_7_3),
				      NULL, res, NULL) == 0);
		uint64_t up = tlv_get_uint(&res[FW_HEARTBEAT_UPTIME], 0);
		CHECK(up > last);
		last = up;
	}
	/* a stopped heartbeat is answered no more (control channel) */
	fw_set_heartbeat(fbnic_fw(h->dev), false);
	send_msg(&d, FW_MSG_HEARTBEAT_REQ, NULL);
	h_run(h);
	CHECK_INT(recv_msg(&d, buf, &id), 0);
	CHECK_INT(hdrv_tx_pending(&d), 0); /* but the descriptor completed */
	h_destroy(h);
}

/* Malformed host messages: FW_ERR on the descriptor, nothing sent back,
 * the ring keeps working. */
static void test_malformed_message(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	uint8_t buf[4096];
	int len = 0;
	probe(h, &d, buf, &len);
	uint8_t junk[12] = { 0x03, 0x00, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff };
	CHECK(hdrv_send(&d, junk, sizeof(junk)));
	h_run(h);
	uint16_t id = 0;
	CHECK_INT(recv_msg(&d, buf, &id), 0);
	CHECK_INT(d.tx_errors, 1);
	/* an unknown id is completed without error or reply */
	send_msg(&d, 0x7f, NULL);
	h_run(h);
	CHECK_INT(recv_msg(&d, buf, &id), 0);
	CHECK_INT(d.tx_errors, 1);
	send_msg(&d, FW_MSG_HOST_CAP_REQ, NULL);
	h_run(h);
	CHECK(recv_msg(&d, buf, &id) > 0);
	CHECK_EQ(id, FW_MSG_FW_CAP_RESP);
	h_destroy(h);
}

/* The configured link is what the firmware reports. */
static void test_link_config_reported(void)
{
	struct fbnic_config cfg = { .dsn = 0x02fb00fffe000001ull,
				    .msix_vectors = 130,
				    .link = { .mode = 1, .fec = 3 } };
	struct harness *h = h_create(&cfg);
	struct hdrv d;
	REQUIRE(h);
	uint8_t cap[4096];
	int len = 0;
	probe(h, &d, cap, &len);
	struct tlv_msg m;
	struct tlv_attr res[TLV_RESULTS_MAX];
	REQUIRE(tlv_msg_parse(&m, cap, (size_t)len,
			      fw_host_parsers(FW_HOST_LINUX_7_3), NULL, res,
			      NULL) == 0);
	CHECK_EQ(tlv_get_uint(&res[FW_CAP_RESP_FW_LINK_SPEED], 0), 1);
	CHECK_EQ(tlv_get_uint(&res[FW_CAP_RESP_FW_LINK_FEC], 0), 3);
	h_destroy(h);
}

#define MS 1000000ull

/* The driver's IRQ thread (fbnic_fw_msix_intr -> fbnic_mbx_poll): if vector
 * 0 fired, take every message; an OWNERSHIP_RESP or HEARTBEAT_RESP counts
 * as a heartbeat reply at time now (fbnic_fw_parse_ownership_resp). */
static void irq_thread(struct harness *h, struct hdrv *d, unsigned *irqs,
		       uint64_t *last_response)
{
	if (h->msix[0] == *irqs)
		return;
	*irqs = h->msix[0];
	hdrv_event(d);
	uint8_t buf[4096];
	uint16_t id = 0;
	while (recv_msg(d, buf, &id) > 0)
		if (id == FW_MSG_OWNERSHIP_RESP || id == FW_MSG_HEARTBEAT_RESP)
			*last_response = h->now;
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1);
}

/* The 6.12 driver's ifup, __fbnic_open: fbnic_fw_xmit_ownership_msg posts
 * OWNERSHIP_REQ and only then stamps last_heartbeat_response = now - 1 s,
 * last_heartbeat_request = now; fbnic_fw_init_heartbeat then looks every
 * 200 ms, up to 50 times, for response >= request.  The sending vCPU pauses
 * `pause` ns between the post and the stamps (a host under load
 * deschedules it) while the IRQ thread runs on another vCPU.  Returns true
 * if ifup succeeds, false for its -ETIMEDOUT. */
static bool ifup_612(uint64_t turnaround, uint64_t pause)
{
	struct fbnic_config cfg = { .dsn = 0x02fb00fffe000001ull,
				    .msix_vectors = 130,
				    .fw_turnaround_ns = turnaround };
	struct harness *h = h_create(&cfg);
	struct hdrv d;
	if (!h)
		return false;
	uint8_t buf[4096];
	int len = 0;
	probe(h, &d, buf, &len);
	unsigned irqs = h->msix[0];
	uint64_t last_response = 0;
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1);
	irq_thread(h, &d, &irqs, &last_response);

	uint64_t req_time = h->now;
	send_msg(&d, FW_MSG_OWNERSHIP_REQ, fill_take);
	/* the pause: device, timers and the IRQ thread run, in 100 us steps */
	for (uint64_t t = 0; t < pause; t += 100000) {
		h_advance(h, 100000);
		irq_thread(h, &d, &irqs, &last_response);
	}
	last_response = req_time - 1000 * MS;
	uint64_t last_request = req_time;
	bool ok = false;
	for (int attempt = 0; attempt < 50 && !ok; attempt++) {
		for (int step = 0; step < 200; step++) { /* msleep(200) */
			h_advance(h, MS);
			irq_thread(h, &d, &irqs, &last_response);
		}
		ok = last_response >= last_request;
	}
	h_destroy(h);
	return ok;
}

/* Regression (guest scenario C's 'RTNETLINK answers: Connection timed out'
 * after a reload on 6.12): a reply that beats the driver's own stamps is
 * forgotten, and no other reply comes before the 10 s timeout.  The
 * firmware's turnaround keeps its answer behind any such pause. */
static void test_612_ifup_survives_a_paused_vcpu(void)
{
	static const uint64_t pauses[] = { 0, 100000, 1 * MS, 5 * MS, 19 * MS };
	for (unsigned i = 0; i < sizeof(pauses) / sizeof(pauses[0]); i++) {
		bool ok = ifup_612(FBNIC_FW_TURNAROUND_DEFAULT_NS, pauses[i]);
		if (!ok)
			test_fail(__FILE__, __LINE__, "6.12 ifup timed out with "
				  "a %llu us pause", (unsigned long long)pauses[i] / 1000);
	}
	/* The race is real: a firmware that answers at once loses the
	 * ownership reply whenever the sending vCPU pauses. */
	CHECK(!ifup_612(0, 1 * MS));
	CHECK(!ifup_612(0, 5 * MS));
}

/* The turnaround: nothing is read, completed or answered before it ends;
 * everything posted together is answered together once it does. */
static void test_turnaround(void)
{
	struct fbnic_config cfg = { .dsn = 0x02fb00fffe000001ull,
				    .msix_vectors = 130,
				    .fw_turnaround_ns = 20 * MS };
	struct harness *h = h_create(&cfg);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	h_run(h);
	CHECK(hdrv_event(&d)); /* a ring reset is seen at once */
	hdrv_enable(&d);
	send_msg(&d, FW_MSG_HOST_CAP_REQ, NULL);
	h_advance(h, 5 * MS);
	send_msg(&d, FW_MSG_HEARTBEAT_REQ, NULL);
	uint8_t buf[4096];
	uint16_t id = 0;
	h_advance(h, 15 * MS - 1);
	CHECK_INT(recv_msg(&d, buf, &id), 0);
	CHECK_INT(hdrv_tx_pending(&d), 2);
	h_advance(h, 1);
	CHECK(recv_msg(&d, buf, &id) > 0);
	CHECK_EQ(id, FW_MSG_FW_CAP_RESP);
	CHECK_INT(hdrv_tx_pending(&d), 1); /* the heartbeat waits 5 ms more */
	CHECK_INT(recv_msg(&d, buf, &id), 0);
	h_advance(h, 5 * MS);
	CHECK(recv_msg(&d, buf, &id) > 0);
	CHECK_EQ(id, FW_MSG_HEARTBEAT_RESP);
	CHECK_INT(hdrv_tx_pending(&d), 0);
	CHECK(h_dump_value(h, "mbx.turnaround_waits") >= 2);
	/* a reset forgets a pending turnaround: no timer, no late work */
	send_msg(&d, FW_MSG_HEARTBEAT_REQ, NULL);
	h_run(h);
	fbnic_reset(h->dev);
	CHECK_EQ(h->deadline, UINT64_MAX);
	h_destroy(h);
}

static void flush_rx(struct harness *h, void *arg)
{
	(void)arg;
	h_wr32(h, 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG,
	       FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH | FBNIC_PUL_OB_TLP_HDR_AW_CFG_FLUSH_MODE);
}

static void flush_tx(struct harness *h, void *arg)
{
	(void)arg;
	h_wr32(h, 0, FBNIC_PUL_OB_TLP_HDR_AR_CFG, FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH);
}

static void reset_dev(struct harness *h, void *arg)
{
	(void)arg;
	fbnic_reset(h->dev);
	h_enable_bus_master(h);
}

/* The host resets a ring (or the device) while the device is inside a DMA
 * of that ring (the runner drops its lock there): the device abandons what
 * it held, and the next driver instance gets a working mailbox. */
static void dma_window(void (*hook)(struct harness *, void *), bool on_read)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	uint8_t buf[4096];
	int len = 0;
	probe(h, &d, buf, &len);
	const struct fw_stats *st = fw_get_stats(fbnic_fw(h->dev));
	uint64_t caps = st->cap_req;
	/* the DMA read of the request, or the DMA write of the reply */
	send_msg(&d, FW_MSG_HOST_CAP_REQ, NULL);
	if (on_read) {
		h->dma_hook = hook;
		h_run(h);
		CHECK_EQ(st->cap_req, caps); /* a message of a dead ring */
	} else {
		/* the TX read happens first: hook the next access after it */
		h_wr32(h, 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG, 0); /* hold RX */
		h_run(h);
		CHECK_EQ(st->cap_req, caps + 1);
		CHECK_INT(h_dump_value(h, "mbx.queued"), 1);
		h->dma_hook = hook;
		h_wr32(h, 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG, FBNIC_PUL_OB_TLP_HDR_CFG_BME);
		h_run(h);
	}
	CHECK_INT(h_dump_value(h, "mbx.dma_races"), 1);
	long long q = h_dump_value(h, "mbx.queued");
	CHECK(q >= 0 && q <= 1);
	CHECK(h_dump_value(h, "mbx.fw_rx") < 16);
	CHECK(h_dump_value(h, "mbx.fw_tx") < 16);
	/* a new driver instance: probe again, the conversation works */
	uint8_t cap[4096];
	probe(h, &d, cap, &len);
	CHECK_INT(h_dump_value(h, "mbx.queued"), 0);
	h_destroy(h);
}

static void test_rx_flush_during_dma(void)
{
	dma_window(flush_rx, false);
}

static void test_tx_flush_during_dma(void)
{
	dma_window(flush_tx, true);
}

static void test_reset_during_dma(void)
{
	dma_window(reset_dev, false);
	dma_window(reset_dev, true);
}

TEST_MAIN("device-fw-mbx",
	  TEST_CASE(test_612_ifup_survives_a_paused_vcpu),
	  TEST_CASE(test_turnaround), TEST_CASE(test_rx_flush_during_dma),
	  TEST_CASE(test_tx_flush_during_dma), TEST_CASE(test_reset_during_dma), TEST_CASE(test_probe_capabilities),
	  TEST_CASE(test_ownership_irq_and_heartbeat),
	  TEST_CASE(test_malformed_message), TEST_CASE(test_link_config_reported))
