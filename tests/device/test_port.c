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

TEST_MAIN("device-port", TEST_CASE(test_rx_refusals_are_counted_by_reason),
	  TEST_CASE(test_back_pressure_and_resume),
	  TEST_CASE(test_tx_through_the_mac))
