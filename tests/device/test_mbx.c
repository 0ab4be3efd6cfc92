/* SPDX-License-Identifier: Apache-2.0 */
/* Device tests of the IPC mailbox rings, driven by the driver model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/intr.h"
#include "dev/mbx.h"
#include "dev/pcie_cfg.h"
#include "fw/tlv.h"
#include "harness.h"
#include "hdrv.h"
#include "test.h"

/* fbnic_mbx_poll_tx_ready phase 1: after the host resets the TX ring, the
 * FW answers with INTR_STATUS(0) bit 0, by polling (IRQ not yet enabled). */
/* A well-formed message the firmware does not know: completed without
 * error and without reply, so these tests see only the ring mechanics.
 * A binary attribute pads it to len bytes (a multiple of 4, >= 8). */
static uint16_t unknown_msg(uint8_t *buf, uint16_t len)
{
	static const uint8_t pad[4096];
	struct tlv_builder b;
	tlv_msg_init(&b, buf, 4096, 0x7f);
	tlv_put_value(&b, 1, pad, (size_t)len - 8);
	return (uint16_t)tlv_msg_finish(&b);
}

static void test_sign_of_life(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	h_run(h);
	CHECK(hdrv_event(&d));
	CHECK(!hdrv_event(&d)); /* cleared by INTR_CLEAR */
	hdrv_reset_ring(&d, FBNIC_IPC_MBX_TX_IDX);
	h_run(h);
	CHECK(hdrv_event(&d));
	CHECK_INT(h->msix[0], 0); /* masked: polled, not delivered */
	h_destroy(h);
}

static void test_message_round_trip(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	hdrv_enable(&d);
	h_run(h);
	hdrv_event(&d);
	uint8_t msg[4096];
	uint16_t mlen = unknown_msg(msg, 64);
	CHECK_INT(mlen, 64);
	CHECK(hdrv_send(&d, msg, mlen));
	h_run(h);
	CHECK(hdrv_event(&d));
	uint8_t buf[4096];
	CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 0); /* nothing back yet */
	CHECK_INT(hdrv_tx_pending(&d), 0);              /* but completed */
	CHECK_INT(d.tx_errors, 0);
	CHECK_EQ(h->dev ? 1 : 0, 1);
	/* FW->host: 20 messages through 15 posted pages, recycled */
	for (int i = 0; i < 20; i++) {
		uint8_t out[100];
		memset(out, i, sizeof(out));
		CHECK_INT(fbnic_mbx_send(h->dev, out, (size_t)(10 + i)), 0);
	}
	h_run(h);
	int got = 0;
	for (int round = 0; round < 3; round++) {
		int len;
		while ((len = hdrv_recv(&d, buf, sizeof(buf))) > 0) {
			CHECK_INT(len, 10 + got);
			CHECK_EQ(buf[0], got);
			got++;
		}
		h_run(h); /* recycled pages let the rest through */
	}
	CHECK_INT(got, 20);
	CHECK_INT(d.rx_errors, 0);
	h_destroy(h);
}

/* With no RX pages posted the outbound queue fills; the one message too
 * many is refused and counted, never silently lost. */
static void test_outbound_overflow_counted(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint8_t out[16] = { 0 };
	for (unsigned i = 0; i < FBNIC_MBX_OUTQ_LEN; i++)
		CHECK_INT(fbnic_mbx_send(h->dev, out, sizeof(out)), 0);
	CHECK_INT(fbnic_mbx_send(h->dev, out, sizeof(out)), -ENOBUFS);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fbnic_dump(h->dev, f);
	fclose(f);
	CHECK(text && strstr(text, "mbx.overflowed 1\n"));
	free(text);
	CHECK_INT(fbnic_mbx_send(h->dev, out, 0), -EMSGSIZE);
	CHECK_INT(fbnic_mbx_send(h->dev, out, 4097), -EMSGSIZE);
	h_destroy(h);
}

/* A delivery waits for a page, and for AW_CFG.BME; nothing is dropped. */
static void test_no_page_waits(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	h_run(h);
	uint8_t out[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	CHECK_INT(fbnic_mbx_send(h->dev, out, sizeof(out)), 0);
	h_run(h);
	uint8_t buf[4096];
	CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 0);
	hdrv_enable(&d);
	h_run(h);
	CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 8);
	CHECK_MEM(buf, out, 8);
	h_destroy(h);
}

/* A second driver instance (rmmod/modprobe): the reset pattern walks the
 * FW's RX pointer back to desc 0 and flushes stale replies. */
static void test_reinit_after_use(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	hdrv_enable(&d);
	uint8_t buf[4096], out[16] = { 9 };
	for (int i = 0; i < 7; i++) {
		fbnic_mbx_send(h->dev, out, sizeof(out));
		h_run(h);
		CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 16);
	}
	fbnic_mbx_send(h->dev, out, sizeof(out)); /* stale, never read */
	fbnic_mbx_send(h->dev, out, sizeof(out));
	hdrv_mbx_init(&d, h); /* new driver: fresh host state */
	h_run(h);
	CHECK(hdrv_event(&d));
	hdrv_enable(&d);
	h_run(h);
	CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 0); /* stale ones flushed */
	out[0] = 42;
	fbnic_mbx_send(h->dev, out, sizeof(out));
	h_run(h);
	CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 16); /* lands on desc 0 */
	CHECK_EQ(buf[0], 42);
	CHECK_INT(d.rx_head, 1);
	h_destroy(h);
}

/* The reset pattern alone (no PUL flush) still steers the FW's RX pointer
 * back to desc 0: it walks over "skip" descriptors to the stop. */
static void test_skip_walk_without_flush(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	hdrv_enable(&d);
	uint8_t buf[4096], out[16] = { 1 };
	for (int i = 0; i < 7; i++) {
		fbnic_mbx_send(h->dev, out, sizeof(out));
		h_run(h);
		CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 16);
	}
	/* descriptor pattern of fbnic_mbx_reset_desc_ring, minus AW_CFG */
	h_wr32(h, 4, FBNIC_IPC_MBX(0, 0), 0);
	for (unsigned i = 15; i; i--)
		h_wr32(h, 4, FBNIC_IPC_MBX(0, i), 3);
	d.rx_head = d.rx_tail = 0;
	h_run(h);
	hdrv_enable(&d);
	out[0] = 77;
	fbnic_mbx_send(h->dev, out, sizeof(out));
	h_run(h);
	CHECK_INT(hdrv_recv(&d, buf, sizeof(buf)), 16);
	CHECK_EQ(buf[0], 77);
	h_destroy(h);
}

/* Hostile descriptors: completed with FW_ERR, counted, never a crash. */
static void test_bad_tx_descriptors(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	hdrv_enable(&d);
	h_run(h);
	const uint32_t tx0 = FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0);
	/* length 0 */
	h_wr32(h, 4, tx0 + 1, (uint32_t)(FBNIC_IPC_MBX_DESC_EOM >> 32));
	h_wr32(h, 4, FBNIC_IPC_MBX(1, 1), 0);
	h_wr32(h, 4, tx0, 0x1000 | 1);
	h_run(h);
	CHECK_EQ(h_rd32(h, 4, tx0) & 7, 7); /* HOST|FW_CMPL|FW_ERR */
	/* length beyond a page, address outside guest memory, no EOM */
	struct { uint32_t hi, lo; } bad[] = {
		{ (4097u << 16) | 0x4000, 0x1000 | 1 },
		{ (64u << 16) | 0x4000 | 0x3fff, 0xfffff000 | 1 },
		{ 64u << 16, (uint32_t)H_MEM_BASE | 1 },
	};
	for (unsigned i = 0; i < 3; i++) {
		uint32_t slot = FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, i + 1);
		h_wr32(h, 4, FBNIC_IPC_MBX(1, i + 2), 0);
		h_wr32(h, 4, slot + 1, bad[i].hi);
		h_wr32(h, 4, slot, bad[i].lo);
		h_run(h);
		CHECK_EQ(h_rd32(h, 4, slot) & 7, 7);
	}
	CHECK_INT(h->dma_faults, 1);
	/* the ring still works afterwards */
	d.tx_head = d.tx_tail = 4;
	uint8_t msg[4096];
	CHECK(hdrv_send(&d, msg, unknown_msg(msg, 8)));
	h_run(h);
	CHECK_EQ(h_rd32(h, 4, FBNIC_IPC_MBX(1, 4)) & 7, 3);
	h_destroy(h);
}

/* TX is not consumed without AR_CFG.BME, nor without PCI bus mastering. */
static void test_dma_gating(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	h_run(h);
	uint8_t msg[4096];
	CHECK(hdrv_send(&d, msg, unknown_msg(msg, 8)));
	h_run(h);
	CHECK_INT(hdrv_tx_pending(&d), 1);
	uint16_t cmd = PCI_COMMAND_MEMORY; /* no bus master */
	fbnic_cfg_write(h->dev, PCI_COMMAND, &cmd, sizeof(cmd));
	h_wr32(h, 0, FBNIC_PUL_OB_TLP_HDR_AR_CFG, FBNIC_PUL_OB_TLP_HDR_CFG_BME);
	h_run(h);
	uint8_t buf[16];
	hdrv_recv(&d, buf, sizeof(buf));
	/* the DMA was refused: completed with FW_ERR, no memory touched */
	CHECK_EQ(h_rd32(h, 4, FBNIC_IPC_MBX(1, 0)) & 7, 7);
	CHECK_INT(d.tx_errors, 1);
	h_destroy(h);
}

/* The liveness registers never read all-ones. */
static void test_liveness_rule(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	h_wr32(h, 4, FBNIC_IPC_MBX(0, 0), 0xffffffff);
	CHECK(h_rd32(h, 4, FBNIC_IPC_MBX(0, 0)) != 0xffffffff);
	h_wr32(h, 0, FBNIC_MASTER_SPARE_0, 0xffffffff);
	CHECK(h_rd32(h, 0, FBNIC_MASTER_SPARE_0) != 0xffffffff);
	CHECK_EQ(h_rd32(h, 4, FBNIC_NS_OTP_STATUS), 0);
	h_destroy(h);
}

TEST_MAIN("device-mbx", TEST_CASE(test_sign_of_life),
	  TEST_CASE(test_message_round_trip), TEST_CASE(test_no_page_waits),
	  TEST_CASE(test_outbound_overflow_counted),
	  TEST_CASE(test_reinit_after_use),
	  TEST_CASE(test_skip_walk_without_flush),
	  TEST_CASE(test_bad_tx_descriptors),
	  TEST_CASE(test_dma_gating), TEST_CASE(test_liveness_rule))
