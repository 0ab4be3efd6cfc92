/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfio-user protocol robustness tests against the real fbnic-emu binary:
 * unknown commands, NO_REPLY, malformed framing, too many fds, truncated
 * messages and disconnects at any point.  After each abuse the server must
 * still run, have released everything (fd count and memfd mappings back to
 * the idle baseline) and serve QEMU's full attach sequence on a new
 * connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "vfu_client.h"

#define MB (1ull << 20)
#define RAM (64 * MB)
#define RW (VU_DMA_READ | VU_DMA_WRITE)
#define EVT_TRIG (VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER)

/* The server released everything from closed connections and still runs
 * QEMU's whole attach sequence. */
static void check_clean_and_replay(struct vfu_server *s, int idle)
{
	CHECK_INT(vfu_server_wait_fds(s, idle, 3000), idle);
	CHECK_INT(vfu_server_wait_unmapped(s, VFU_TEST_MEMFD_NAME, 3000), 0);
	if (!vfu_server_alive(s)) {
		test_fail(__FILE__, __LINE__, "server died (status 0x%x)",
			  s->status);
		return;
	}
	struct vfu_client c;
	if (vfu_connect(&c, s->sock) != 0) {
		test_fail(__FILE__, __LINE__, "server does not accept");
		return;
	}
	int ram = vfu_memfd(RAM), err = vfu_eventfd();
	int msix[2] = { vfu_eventfd(), vfu_eventfd() };
	vfu_qemu_replay(&c, ram, RAM, err, msix, FBNIC_T_VECTORS, true);
	vfu_disconnect(&c);
	close(ram);
	close(err);
	close(msix[0]);
	close(msix[1]);
	CHECK_INT(vfu_server_wait_fds(s, idle, 3000), idle);
	CHECK_INT(vfu_server_wait_unmapped(s, VFU_TEST_MEMFD_NAME, 3000), 0);
}

/* The log gained text since `from` that mentions one of the words. */
static bool log_mentions(struct vfu_server *s, size_t from, const char *w1,
			 const char *w2)
{
	char *log = NULL;
	bool hit = false;
	/* The line may come just after the close: give it a moment. */
	for (int i = 0; i < 100 && !hit; i++) {
		free(log);
		log = vfu_server_log(s, from);
		hit = log && (strcasestr(log, w1) || (w2 && strcasestr(log, w2)));
		if (!hit)
			usleep(10000);
	}
	if (getenv("TEST_VERBOSE") || !hit)
		fprintf(stderr, "    server log since the message:\n%s",
			log && *log ? log : "    (nothing)\n");
	free(log);
	return hit;
}

/* ------------------------------------------------------------------------ */
/* commands                                                                 */

static void unknown_commands(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		static const uint16_t unknown[] = { 0,  6,  14, 15,  17,
						    18, 19, 99, 255, 0xffff };
		uint8_t payload[16] = { 16 };
		for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
			int rc = vfu_call(&c, unknown[i], payload, sizeof(payload),
					  NULL, 0, 4096, NULL);
			if (rc != ENOSYS || c.last.size != 16)
				test_fail(__FILE__, __LINE__,
					  "command %u: rc %d size %u, want ENOSYS error reply",
					  unknown[i], rc, c.last.size);
			rc = vfu_call(&c, unknown[i], NULL, 0, NULL, 0, 4096, NULL);
			if (rc != ENOSYS)
				test_fail(__FILE__, __LINE__,
					  "command %u without payload: rc %d, want ENOSYS",
					  unknown[i], rc);
		}
		/* DEVICE_FEATURE (16): an error reply (QEMU: unsupported). */
		struct {
			uint32_t argsz, flags;
		} feat = { 8, 0x20000 | 0x10000 | 1 };
		int rc = vfu_call(&c, VU_CMD_DEVICE_FEATURE, &feat, sizeof(feat),
				  NULL, 0, 4096, NULL);
		CHECK(rc > 0);
		CHECK_LAST_SIZE(&c, 16);
		/* Server->client commands sent by the client. */
		struct vu_dma_access a = { 0, 4 };
		rc = vfu_call(&c, VU_CMD_DMA_READ, &a, sizeof(a), NULL, 0, 4096,
			      NULL);
		CHECK(rc > 0);
		rc = vfu_call(&c, VU_CMD_DMA_WRITE, &a, sizeof(a), NULL, 0, 4096,
			      NULL);
		CHECK(rc > 0);
		/* Still working. */
		struct vu_device_info di;
		CHECK_INT(vfu_get_info(&c, &di), 0);
		CHECK(vfu_silent(&c, 100));
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* NO_REPLY is honoured for every command, failing or not: the next reply
 * is the one for the next request. */
static void no_reply_honoured(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		uint8_t payload[16] = { 16 };
		static const uint16_t cmds[] = { 99, 6, 14, 15, 16, 17, 18 };
		for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			CHECK(vfu_send_req(&c, cmds[i], VU_F_NO_REPLY, payload,
					   sizeof(payload), NULL, 0) >= 0);
		/* A failing known request and a good one, both NO_REPLY. */
		struct vu_dma_unmap u = { 24, 0, 0x40000000, 0x1000 };
		CHECK(vfu_send_req(&c, VU_CMD_DMA_UNMAP, VU_F_NO_REPLY, &u,
				   sizeof(u), NULL, 0) >= 0);
		struct vu_device_info di = { 16, 0, 0, 0 };
		CHECK(vfu_send_req(&c, VU_CMD_DEVICE_GET_INFO, VU_F_NO_REPLY, &di,
				   sizeof(di), NULL, 0) >= 0);
		struct vu_region_access r = { 0, VU_PCI_CONFIG, 4 };
		CHECK(vfu_send_req(&c, VU_CMD_REGION_READ, VU_F_NO_REPLY, &r,
				   sizeof(r), NULL, 0) >= 0);
		/* vfu_get_info checks the next reply has its own id. */
		int id = c.next_id;
		CHECK_INT(vfu_get_info(&c, &di), 0);
		CHECK_EQ(c.last.msg_id, (uint16_t)id);
		CHECK_EQ(c.last.command, VU_CMD_DEVICE_GET_INFO);
		CHECK_EQ(di.num_regions, 9);
		CHECK(vfu_silent(&c, 100));
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* framing                                                                  */

/* Send raw bytes on a fresh (optionally negotiated) connection and expect
 * the server to close it, logging a line about the size. */
static void expect_framing_close(struct vfu_server *s, bool negotiate,
				 const void *bytes, size_t len, const char *what)
{
	int idle = vfu_server_idle_fds(s);
	struct vfu_client c;
	int rc = negotiate ? vfu_open(s, &c) : vfu_connect(&c, s->sock);
	if (rc != 0) {
		test_fail(__FILE__, __LINE__, "%s: connect failed", what);
		return;
	}
	size_t from = vfu_server_log_size(s);
	CHECK_INT(vfu_send_raw(&c, bytes, len, NULL, 0), 0);
	int n = -1;
	struct vu_hdr first;
	rc = vfu_wait_closed(&c, 5000, &n, &first);
	if (rc != 0)
		test_fail(__FILE__, __LINE__, "%s: connection not closed", what);
	/* At most an error reply before the close. */
	if (n > 1 || (n == 1 && !(first.flags & VU_F_ERROR)))
		test_fail(__FILE__, __LINE__,
			  "%s: %d message(s) before the close (first flags 0x%x)",
			  what, n, first.flags);
	if (!log_mentions(s, from, "size", "length"))
		test_fail(__FILE__, __LINE__, "%s: no log line about the size",
			  what);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_wait_fds(s, idle, 3000), idle);
	CHECK_SERVER_WORKS(s);
}

static void framing_size_too_small(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	int idle = vfu_server_idle_fds(&s);
	static const uint32_t sizes[] = { 0, 8, 15 };
	for (unsigned i = 0; i < 3; i++) {
		struct vu_hdr h = { 5, VU_CMD_DEVICE_GET_INFO, sizes[i], 0, 0 };
		uint8_t buf[32] = { 0 };
		memcpy(buf, &h, sizeof(h));
		/* Trailing bytes as if the body followed. */
		expect_framing_close(&s, true, buf, sizeof(buf), "size < 16");
	}
	struct vu_hdr h = { 0, VU_CMD_VERSION, 4, 0, 0 };
	expect_framing_close(&s, false, &h, sizeof(h), "size 4 before VERSION");
	check_clean_and_replay(&s, idle);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void framing_size_too_large(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	int idle = vfu_server_idle_fds(&s);
	static const uint32_t sizes[] = { (uint32_t)VU_MAX_MSG_SIZE + 1,
					  64u << 20, 0xffffffffu };
	for (unsigned i = 0; i < 3; i++) {
		struct {
			struct vu_hdr h;
			struct vu_region_access a;
			uint8_t data[64];
		} m = { { 9, VU_CMD_REGION_WRITE, sizes[i], 0, 0 },
			{ 0, VU_PCI_CONFIG, sizes[i] - 32 },
			{ 0 } };
		expect_framing_close(&s, true, &m, sizeof(m), "size too large");
	}
	struct vu_hdr h = { 0, VU_CMD_VERSION, 0x7fffffff, 0, 0 };
	expect_framing_close(&s, false, &h, sizeof(h),
			     "size too large before VERSION");
	check_clean_and_replay(&s, idle);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* The largest legal message is read in full and answered (EINVAL, as its
 * count is too big for any region), keeping the connection. */
static void framing_largest_message(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		size_t len = VU_MAX_MSG_SIZE - sizeof(struct vu_hdr);
		uint8_t *p = calloc(1, len);
		struct vu_region_access a = { 0, VU_PCI_CONFIG,
					      (uint32_t)(len - sizeof(a)) };
		memcpy(p, &a, sizeof(a));
		CHECK_INT(vfu_call(&c, VU_CMD_REGION_WRITE, p, len, NULL, 0, 48,
				   NULL),
			  EINVAL);
		/* Exactly max_data_xfer_size bytes: framing fine, BAR count
		 * bad; config beyond 4096. */
		a.count = 1u << 20;
		memcpy(p, &a, sizeof(a));
		CHECK_INT(vfu_call(&c, VU_CMD_REGION_WRITE, p, sizeof(a) + a.count,
				   NULL, 0, 48, NULL),
			  EINVAL);
		a.region = 0;
		memcpy(p, &a, sizeof(a));
		CHECK_INT(vfu_call(&c, VU_CMD_REGION_WRITE, p, sizeof(a) + a.count,
				   NULL, 0, 48, NULL),
			  EINVAL);
		/* An unknown command with a big body is drained, not
		 * misparsed. */
		CHECK_INT(vfu_call(&c, 99, p, 512 * 1024, NULL, 0, 4096, NULL),
			  ENOSYS);
		free(p);
		CHECK_EQ(CFG_RD(&c, 0, 2), FBNIC_T_VENDOR);
		CHECK(vfu_silent(&c, 100));
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Part of a message, then EOF: the server drops the connection (and any
 * fd that came with the part) and carries on. */
static void framing_truncated_eof(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	int idle = vfu_server_idle_fds(&s);
	int ram = vfu_memfd(RAM);
	struct {
		struct vu_hdr h;
		struct vu_dma_map m;
	} map = { { 1, VU_CMD_DMA_MAP, 48, 0, 0 }, { 32, RW, 0, 0, MB } };
	for (int k = 0; k < 5; k++) {
		struct vfu_client c;
		if ((k == 0 ? vfu_connect(&c, s.sock) : vfu_open(&s, &c)) != 0) {
			CHECK(0);
			continue;
		}
		switch (k) {
		case 0: /* half a VERSION header */
		case 1: /* half a header */
			CHECK_INT(vfu_send_raw(&c, &map, 8, NULL, 0), 0);
			break;
		case 2: /* header, no body */
			CHECK_INT(vfu_send_raw(&c, &map, 16, NULL, 0), 0);
			break;
		case 3: /* header + part of the body, with the fd */
			CHECK_INT(vfu_send_raw(&c, &map, 30, &ram, 1), 0);
			break;
		case 4: { /* a big body cut short */
			struct vu_hdr h = { 3, VU_CMD_REGION_WRITE, 16 + 16 + 4096,
					    0, 0 };
			uint8_t buf[16 + 16 + 1000] = { 0 };
			memcpy(buf, &h, sizeof(h));
			struct vu_region_access a = { 0, VU_PCI_CONFIG, 4096 };
			memcpy(buf + 16, &a, sizeof(a));
			CHECK_INT(vfu_send_raw(&c, buf, sizeof(buf), NULL, 0), 0);
			break;
		}
		}
		shutdown(c.sock, SHUT_WR);
		int n = -1;
		CHECK_INT(vfu_wait_closed(&c, 5000, &n, NULL), 0);
		CHECK_INT(n, 0);
		vfu_disconnect(&c);
		CHECK_INT(vfu_server_wait_fds(&s, idle, 3000), idle);
	}
	close(ram);
	check_clean_and_replay(&s, idle);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* More fds than max_msg_fds on one message: an error reply or a close;
 * either way no fd stays behind and the server keeps serving. */
static void too_many_fds(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	int idle = vfu_server_idle_fds(&s);
	int ram = vfu_memfd(RAM), ev[20];
	for (int i = 0; i < 20; i++)
		ev[i] = vfu_eventfd();
	int rams[20];
	for (int i = 0; i < 20; i++)
		rams[i] = ram;
	for (int k = 0; k < 3; k++) {
		struct vfu_client c;
		int base = -1;
		if (vfu_open(&s, &c) != 0) {
			CHECK(0);
			continue;
		}
		base = vfu_server_idle_fds(&s);
		int id;
		if (k == 0) {
			struct vu_dma_map m = { 32, RW, 0, 0, MB };
			id = vfu_send_req(&c, VU_CMD_DMA_MAP, 0, &m, sizeof(m), rams, 20);
		} else {
			uint32_t n = k == 1 ? 20 : 17;
			struct vu_irq_set is = { 20, EVT_TRIG, VU_IRQ_MSIX, 0, n };
			id = vfu_send_req(&c, VU_CMD_DEVICE_SET_IRQS, 0, &is,
					  sizeof(is), ev, (int)n);
		}
		CHECK(id >= 0);
		struct vfu_msg m;
		int rc = vfu_recv(&c, &m, 5000);
		if (rc == 0) {
			/* An error reply to that very request; then either
			 * the connection stays usable or it is closed. */
			CHECK_EQ(m.hdr.msg_id, (uint16_t)id);
			CHECK(m.hdr.flags & VU_F_ERROR);
			CHECK_INT(m.hdr.size, 16);
			vfu_msg_free(&m);
			struct vu_device_info di;
			rc = vfu_get_info(&c, &di);
			if (rc == 0) {
				CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
				if (k == 0)
					CHECK_INT(vfu_dma_unmap(&c, 0, 0, MB), ENOENT);
			}
		} else {
			vfu_msg_free(&m);
			CHECK_INT(rc, -ECONNRESET); /* closed */
		}
		vfu_disconnect(&c);
		CHECK_INT(vfu_server_wait_fds(&s, idle, 3000), idle);
	}
	close(ram);
	for (int i = 0; i < 20; i++)
		close(ev[i]);
	check_clean_and_replay(&s, idle);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* disconnects                                                              */

static void disconnect_anywhere(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	int idle = vfu_server_idle_fds(&s);
	int ram = vfu_memfd(RAM), ev[4];
	for (int i = 0; i < 4; i++)
		ev[i] = vfu_eventfd();
	for (int k = 0; k < 6; k++) {
		struct vfu_client c;
		if (k == 0) { /* before anything */
			CHECK_INT(vfu_connect(&c, s.sock), 0);
			vfu_disconnect(&c);
			CHECK_INT(vfu_server_wait_fds(&s, idle, 3000), idle);
			continue;
		}
		if (vfu_open(&s, &c) != 0) {
			CHECK(0);
			continue;
		}
		if (k >= 2) { /* with maps */
			CHECK_INT(vfu_dma_map(&c, RW, 0, 0, 32 * MB, ram), 0);
			CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 32 * MB, 32 * MB,
					      16 * MB, ram),
				  0);
			CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0xfffc0000,
					      0x40000, -1),
				  0);
		}
		if (k >= 3) { /* with eventfds */
			CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1,
					       &ev[0], 1),
				  0);
			CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 3, ev + 1,
					       3),
				  0);
			CFG_WR(&c, 0x04, 2, 0x0006);
		}
		if (k == 4) { /* with replies in flight that nobody reads */
			struct vu_region_access r = { 0, VU_PCI_CONFIG, 4096 };
			for (int i = 0; i < 300; i++)
				vfu_send_req(&c, VU_CMD_REGION_READ, 0, &r,
					     sizeof(r), NULL, 0);
		}
		if (k == 5) { /* in the middle of a message with an fd */
			struct {
				struct vu_hdr h;
				struct vu_irq_set is;
			} m = { { c.next_id, VU_CMD_DEVICE_SET_IRQS, 36, 0, 0 },
				{ 20, EVT_TRIG, VU_IRQ_MSIX, 5, 1 } };
			CHECK_INT(vfu_send_raw(&c, &m, 24, &ev[3], 1), 0);
		}
		vfu_disconnect(&c);
		CHECK_INT(vfu_server_wait_fds(&s, idle, 5000), idle);
		CHECK_INT(vfu_server_wait_unmapped(&s, VFU_TEST_MEMFD_NAME, 3000), 0);
		/* The device is back to power-on for the next client. */
		if (vfu_open(&s, &c) == 0) {
			CHECK_EQ(CFG_RD(&c, 0x04, 2), 0);
			CHECK_INT(vfu_dma_unmap(&c, 0, 0, 32 * MB), ENOENT);
			CHECK_INT(vfu_dma_map(&c, RW, 0, 0, 32 * MB, ram), 0);
			vfu_disconnect(&c);
			CHECK_INT(vfu_server_wait_fds(&s, idle, 3000), idle);
		}
	}
	close(ram);
	for (int i = 0; i < 4; i++)
		close(ev[i]);
	check_clean_and_replay(&s, idle);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Many short connections in a row: nothing accumulates. */
static void reconnect_loop(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	int idle = vfu_server_idle_fds(&s);
	int ram = vfu_memfd(RAM), ev = vfu_eventfd();
	for (int i = 0; i < 50; i++) {
		struct vfu_client c;
		if (vfu_open(&s, &c) != 0) {
			test_fail(__FILE__, __LINE__, "connection %d failed", i);
			break;
		}
		CHECK_INT(vfu_dma_map(&c, RW, 0, 0, RAM, ram), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, (unsigned)i, 1,
				       &ev, 1),
			  0);
		vfu_disconnect(&c);
	}
	CHECK_INT(vfu_server_wait_fds(&s, idle, 5000), idle);
	CHECK_INT(vfu_server_wait_unmapped(&s, VFU_TEST_MEMFD_NAME, 3000), 0);
	close(ram);
	close(ev);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol_robust",
	  TEST_CASE(unknown_commands),
	  TEST_CASE(no_reply_honoured),
	  TEST_CASE(framing_size_too_small),
	  TEST_CASE(framing_size_too_large),
	  TEST_CASE(framing_largest_message),
	  TEST_CASE(framing_truncated_eof),
	  TEST_CASE(too_many_fds),
	  TEST_CASE(disconnect_anywhere),
	  TEST_CASE(reconnect_loop))
