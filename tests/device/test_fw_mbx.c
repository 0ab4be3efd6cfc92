/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware behind the mailbox rings: the driver's probe and ifup
 * conversations (fbnic_mbx_poll_tx_ready, fbnic_fw_xmit_ownership_msg,
 * the heartbeat) replayed through the in-process device.
 */
#include <string.h>

#include "dev/fw.h"
#include "dev/intr.h"
#include "dev/tlv.h"
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
	h_run(h);
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

TEST_MAIN("device-fw-mbx", TEST_CASE(test_probe_capabilities),
	  TEST_CASE(test_ownership_irq_and_heartbeat),
	  TEST_CASE(test_malformed_message), TEST_CASE(test_link_config_reported))
