/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network edge (dev/port.h): frames out through the MAC to the
 * backend, frames in answered taken / no room now / dropped by reason,
 * the resume after back-pressure, and the backend's link.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/port.h"
#include "harness.h"
#include "hnic.h"
#include "test.h"

/* fbnic_mac_link_up_asic: clocks out of reset, both directions on. */
static void mac_up(struct harness *h)
{
	h_wr32(h, 0, FBNIC_SIG_MAC_IN0, 0);
	h_wr32(h, 0, FBNIC_MAC_COMMAND_CONFIG,
	       FBNIC_MAC_COMMAND_CONFIG_RX_ENA | FBNIC_MAC_COMMAND_CONFIG_TX_ENA |
		       FBNIC_MAC_COMMAND_CONFIG_TX_PAD_EN);
}

static void test_rx_refusals_are_counted_by_reason(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint8_t frame[64] = { 0x02, 0xfb, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0 };
	static uint8_t big[FBNIC_PORT_MAX_FRAME + 1];
	CHECK_INT(fbnic_port_rx(h->dev, frame, 13), -EMSGSIZE);
	CHECK_INT(fbnic_port_rx(h->dev, big, sizeof(big)), -EMSGSIZE);
	CHECK_INT(fbnic_port_rx(h->dev, NULL, 60), -EMSGSIZE);
	CHECK_INT(h_dump_value(h, "port.rx_drop_size"), 3);
	/* the MAC is not receiving yet (the driver has not brought it up) */
	CHECK_INT(fbnic_port_rx(h->dev, frame, sizeof(frame)), -ENETDOWN);
	CHECK_INT(h_dump_value(h, "port.rx_drop_mac"), 1);
	mac_up(h);
	/* the longest frame passes the port (no queue is up to take it:
	 * the data path counts it) */
	CHECK_INT(fbnic_port_rx(h->dev, big, FBNIC_PORT_MAX_FRAME), 0);
	CHECK_INT(h_dump_value(h, "port.rx_frames"), 1);
	/* the cable, pulled by the backend: dropped at the wire again */
	fbnic_port_link(h->dev, false);
	CHECK_INT(fbnic_port_rx(h->dev, frame, sizeof(frame)), -ENETDOWN);
	CHECK_INT(h_dump_value(h, "port.rx_drop_mac"), 2);
	fbnic_port_link(h->dev, true);
	CHECK_INT(h_dump_value(h, "link.up"), 1);
	h_destroy(h);
}

/* No room (every posted buffer used): the backend holds the frame and is
 * told once when there is room again. */
static void test_back_pressure_and_resume(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct hnic n;
	hnic_up(&n, h, 0, 2, 64, 64, 256);
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	h_run(h); /* the BDQ doorbells: nothing held, no resume */
	CHECK_INT(h->resumes, 0);
	unsigned taken = 0;
	while (taken < 100 && fbnic_port_rx(h->dev, frame, sizeof(frame)) == 0)
		taken++;
	CHECK_INT(taken, 63);
	CHECK_INT(fbnic_port_rx(h->dev, frame, sizeof(frame)), -EAGAIN);
	CHECK_INT(h_dump_value(h, "port.rx_held"), 2);
	CHECK_INT(h_dump_value(h, "port.held"), 1);
	fbnic_port_room(h->dev);
	fbnic_port_room(h->dev);
	CHECK_INT(h->resumes, 1);
	CHECK_INT(h_dump_value(h, "port.resumes"), 1);
	/* nothing was dropped on the way */
	CHECK_INT(h_dump_value(h, "port.rx_drop_mac"), 0);
	CHECK_INT(h_dump_value(h, "port.rx_drop_size"), 0);
	h_destroy(h);
}

static void test_tx_through_the_mac(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint8_t frame[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfb };
	CHECK_INT(fbnic_port_tx(h->dev, frame, sizeof(frame)), -ENETDOWN);
	CHECK_INT(h->nframes, 0);
	mac_up(h);
	CHECK_INT(fbnic_port_tx(h->dev, frame, sizeof(frame)), 0);
	REQUIRE(h->nframes == 1);
	CHECK_INT(h->frame_len[0], sizeof(frame));
	CHECK_MEM(h->frames[0], frame, sizeof(frame));
	CHECK_INT(h_dump_value(h, "port.tx_frames"), 1);
	CHECK_INT(h_dump_value(h, "port.tx_drop_mac"), 1);
	/* MAC statistics: one broadcast frame, padded to 64 bytes with FCS */
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_BROADCAST_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_BYTE_COUNT_L), 64);
	h_destroy(h);
}

/* The size histogram the driver reports (fbnic_mac_get_rmon_stats): up
 * to 1518 bytes with FCS in MAC_STAT, above that both in MAC_STAT's
 * 1519-max and in the finer buckets of the TMI (TX) and RPC (RX). */
static void test_size_histogram_above_1518(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	mac_up(h);
	static uint8_t f[9214];
	memset(f, 0, sizeof(f));
	memcpy(f, "\x02\xfb\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
	/* lengths without FCS: the MAC adds 4 */
	static const size_t rx_len[] = { 1514, 1515, 2043, 2044, 9212, 9213 };
	for (unsigned i = 0; i < sizeof(rx_len) / sizeof(rx_len[0]); i++)
		CHECK_INT(fbnic_port_rx(h->dev, f, rx_len[i]), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_PACKET_1024_1518_BYTES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_PACKET_1519_MAX_BYTES_L), 5);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_1519_2047_BYTES_L), 2);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_2048_4095_BYTES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_4096_8191_BYTES_L), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_8192_9216_BYTES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_9217_MAX_BYTES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_9217_MAX_BYTES_L + 1), 0);
	/* TX goes to the TMI's buckets, not the RPC's */
	CHECK_INT(fbnic_port_tx(h->dev, f, 4092), 0);
	CHECK_INT(fbnic_port_tx(h->dev, f, 4091), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_PACKET_1519_MAX_BYTES_L), 2);
	CHECK_EQ(h_rd32(h, 0, FBNIC_TMI_STAT_TX_PACKET_4096_8191_BYTES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_TMI_STAT_TX_PACKET_2048_4095_BYTES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_RPC_STAT_RX_PACKET_2048_4095_BYTES_L), 1);
	h_destroy(h);
}

/* MAC Control frames (EtherType 0x8808) are counted both ways, PAUSE
 * frames with a time as XOFF too; received ones end in the MAC, the data
 * path never sees them. */
static void test_mac_control_frames(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	mac_up(h);
	uint8_t pause[60] = { 0x01, 0x80, 0xc2, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 2,
			      0x88, 0x08, 0x00, 0x01, 0xff, 0xff };
	uint8_t data[60] = { 0x01, 0x80, 0xc2, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 2,
			     0x88, 0x09 };
	CHECK_INT(fbnic_port_rx(h->dev, pause, sizeof(pause)), 0);
	CHECK_INT(fbnic_port_rx(h->dev, pause, sizeof(pause)), 0);
	CHECK_INT(fbnic_port_rx(h->dev, data, sizeof(data)), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L), 2);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_XOFF_STB_L), 2);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_RECEIVED_OK_L), 3);
	CHECK_INT(h_dump_value(h, "port.rx_mac_control"), 2);
	CHECK_INT(h_dump_value(h, "port.rx_frames"), 3);
	/* only the slow-protocols frame reached the classifier */
	CHECK_INT(h_dump_value(h, "dp.rx_drop_rpc"), 1);
	CHECK_INT(fbnic_port_tx(h->dev, pause, sizeof(pause)), 0);
	CHECK_INT(fbnic_port_tx(h->dev, data, sizeof(data)), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_CONTROL_FRAMES_L), 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_XOFF_STB_L), 1);
	/* an XON (PAUSE with time 0) is a control frame, not an XOFF */
	pause[16] = pause[17] = 0;
	CHECK_INT(fbnic_port_rx(h->dev, pause, sizeof(pause)), 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L), 3);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_RX_XOFF_STB_L), 2);
	CHECK_EQ(h_rd32(h, 0, FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L), 2);
	h_destroy(h);
}

TEST_MAIN("device-port", TEST_CASE(test_rx_refusals_are_counted_by_reason),
	  TEST_CASE(test_back_pressure_and_resume),
	  TEST_CASE(test_tx_through_the_mac),
	  TEST_CASE(test_size_histogram_above_1518),
	  TEST_CASE(test_mac_control_frames))
