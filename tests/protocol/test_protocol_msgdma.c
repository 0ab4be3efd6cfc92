/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server->client DMA through the real binary: guest memory the client
 * mapped without an fd is reachable only by DMA_READ/DMA_WRITE messages
 * (hw/vfio-user/container.c, proxy.c).  The firmware mailbox makes the device
 * DMA: a host->FW descriptor pointing into such memory.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw/tlv.h"
#include "dev/csr.h"
#include "test.h"
#include "vfu_client.h"

#define GUEST_IOVA 0x100000ull
#define GUEST_LEN 0x10000u
#define AR_CFG_BYTE (FBNIC_PUL_OB_TLP_HDR_AR_CFG * 4)
#define TX_DESC0_BYTE (FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0) * 4) /* BAR4 */
#define TX_DESC1_BYTE (FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 1) * 4)
#define INTR_STATUS0_BYTE 0x0u

static uint8_t guest[GUEST_LEN];

static bool session_with(struct vfu_server *s, struct vfu_client *c,
			 const char *const *extra)
{
	if (!OPEN_SESSION(s, c, extra))
		return false;
	memset(guest, 0, sizeof(guest));
	c->dma_mem = guest;
	c->dma_iova = GUEST_IOVA;
	c->dma_len = GUEST_LEN;
	CHECK_INT(vfu_dma_map(c, VU_DMA_READ | VU_DMA_WRITE, 0, GUEST_IOVA,
			      GUEST_LEN, -1), 0);
	CFG_WR(c, 0x04, 2, 0x0006); /* memory space + bus master */
	return true;
}

static bool session(struct vfu_server *s, struct vfu_client *c)
{
	return session_with(s, c, NULL);
}

static int bar_write32(struct vfu_client *c, uint32_t bar, uint64_t off,
		       uint32_t v)
{
	return vfu_region_write(c, bar, off, 4, &v);
}

/* Post a host message at guest offset 0 on TX descriptor 0.  The
 * committing write is posted (NO_REPLY), as QEMU sends BAR writes, so the
 * server's DMA_READ is the next message and the test decides how to
 * answer it. */
static void post_tx(struct vfu_client *c, uint16_t len)
{
	/* A well-formed message of an id the firmware does not know: it is
	 * completed without error (a malformed one would get FW_ERR). */
	static const uint8_t pad[4096];
	struct tlv_builder b;
	tlv_msg_init(&b, guest, sizeof(guest), 0x7f);
	tlv_put_value(&b, 1, pad, (size_t)len - 8);
	CHECK_INT(tlv_msg_finish(&b), len);
	uint64_t addr = GUEST_IOVA;
	uint32_t hi = (uint32_t)len << 16 | 1u << 14 | (uint32_t)(addr >> 32);
	CHECK_INT(bar_write32(c, 4, TX_DESC1_BYTE, 0), 0);
	CHECK_INT(bar_write32(c, 4, TX_DESC0_BYTE + 4, hi), 0);
	uint32_t lo = (uint32_t)addr | 1;
	CHECK_INT(vfu_region_write_posted(c, 4, TX_DESC0_BYTE, 4, &lo), 0);
}

/* The descriptor is consumed through a DMA_READ message that the client
 * answers, then completed (FW_CMPL, no FW_ERR). */
static void dma_read_message(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!session(&s, &c))
		return;
	CHECK_INT(bar_write32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);
	post_tx(&c, 64);
	vfu_serve_requests(&c, 500);
	CHECK(c.dma_reads >= 1);
	uint64_t d = BAR_RD(&c, 4, TX_DESC0_BYTE, 4);
	CHECK_EQ(d & 7, 3); /* HOST_CMPL | FW_CMPL */
	/* the completion raised the mailbox cause (vector 0, bit 0) */
	CHECK_EQ(BAR_RD(&c, 0, INTR_STATUS0_BYTE, 4) & 1, 1);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* A reply never waits on a server->client request (the QEMU BQL deadlock,
 * hw/vfio-user/proxy.c): with the server's DMA_READ left unanswered, a register
 * read is still answered promptly; the late DMA reply then completes. */
static void reply_not_blocked_by_dma(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!session(&s, &c))
		return;
	CHECK_INT(bar_write32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);
	post_tx(&c, 64);
	/* wait for the DMA_READ request, without answering it */
	struct vfu_msg req = { 0 };
	REQUIRE(vfu_recv(&c, &req, 2000) == 0);
	CHECK_EQ(req.hdr.command, VU_CMD_DMA_READ);
	CHECK_EQ(req.hdr.flags & VU_F_TYPE_MASK, VU_F_TYPE_REQUEST);
	/* now a synchronous read: its reply must come within 1 s */
	struct vu_region_access a = { .offset = INTR_STATUS0_BYTE, .region = 0,
				      .count = 4 };
	int id = vfu_send_req(&c, VU_CMD_REGION_READ, 0, &a, sizeof(a), NULL, 0);
	REQUIRE(id >= 0);
	struct vfu_msg rep = { 0 };
	REQUIRE(vfu_recv(&c, &rep, 1000) == 0);
	CHECK_EQ(rep.hdr.msg_id, (uint16_t)id);
	CHECK_EQ(rep.hdr.flags & VU_F_TYPE_MASK, VU_F_TYPE_REPLY);
	vfu_msg_free(&rep);
	/* answer the DMA_READ late: the descriptor then completes */
	struct vu_dma_access da;
	REQUIRE(req.len >= sizeof(da));
	memcpy(&da, req.data, sizeof(da));
	CHECK_EQ(da.addr, GUEST_IOVA);
	CHECK_EQ(da.count, 64);
	size_t n = sizeof(da) + da.count;
	uint8_t *out = malloc(n);
	memcpy(out, &da, sizeof(da));
	memcpy(out + sizeof(da), guest, da.count);
	CHECK_INT(vfu_send(&c, req.hdr.msg_id, VU_CMD_DMA_READ, VU_F_TYPE_REPLY,
			   out, n, NULL, 0), 0);
	free(out);
	vfu_msg_free(&req);
	vfu_serve_requests(&c, 300);
	CHECK_EQ(BAR_RD(&c, 4, TX_DESC0_BYTE, 4) & 7, 3);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* An error reply to DMA_READ is a device DMA error: FW_ERR, counted. */
static void dma_read_error_reply(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!session(&s, &c))
		return;
	CHECK_INT(bar_write32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);
	post_tx(&c, 32);
	struct vfu_msg req = { 0 };
	REQUIRE(vfu_recv(&c, &req, 2000) == 0);
	CHECK_EQ(req.hdr.command, VU_CMD_DMA_READ);
	CHECK_INT(vfu_send(&c, req.hdr.msg_id, VU_CMD_DMA_READ,
			   VU_F_TYPE_REPLY | VU_F_ERROR, NULL, 0, NULL, 0), 0);
	vfu_msg_free(&req);
	vfu_serve_requests(&c, 300);
	CHECK_EQ(BAR_RD(&c, 4, TX_DESC0_BYTE, 4) & 7, 7); /* FW_ERR */
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Malformed replies (wrong length, wrong address, unknown id) are refused
 * without crashing; the connection stays usable. */
static void dma_read_malformed_reply(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!session(&s, &c))
		return;
	size_t log0 = vfu_server_log_size(&s);
	CHECK_INT(bar_write32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);
	post_tx(&c, 32);
	struct vfu_msg req = { 0 };
	REQUIRE(vfu_recv(&c, &req, 2000) == 0);
	/* an unrelated id first: ignored */
	struct vu_dma_access da = { .addr = GUEST_IOVA, .count = 32 };
	CHECK_INT(vfu_send(&c, (uint16_t)(req.hdr.msg_id + 100), VU_CMD_DMA_READ,
			   VU_F_TYPE_REPLY, &da, sizeof(da), NULL, 0), 0);
	/* then the right id with the data missing */
	CHECK_INT(vfu_send(&c, req.hdr.msg_id, VU_CMD_DMA_READ, VU_F_TYPE_REPLY,
			   &da, sizeof(da), NULL, 0), 0);
	vfu_msg_free(&req);
	vfu_serve_requests(&c, 300);
	CHECK_EQ(BAR_RD(&c, 4, TX_DESC0_BYTE, 4) & 7, 7);
	char *log = vfu_server_log(&s, log0);
	CHECK(log && strstr(log, "matches no request"));
	CHECK(log && strstr(log, "malformed reply"));
	free(log);
	vfu_disconnect(&c);
	CHECK(CHECK_SERVER_WORKS(&s));
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* The client vanishes while the server waits for its DMA reply: the
 * waiter is released, everything freed, the next client served. */
static void disconnect_during_dma(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!session(&s, &c))
		return;
	int base = -1;
	CHECK_INT(bar_write32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);
	post_tx(&c, 32);
	struct vfu_msg req = { 0 };
	REQUIRE(vfu_recv(&c, &req, 2000) == 0);
	vfu_msg_free(&req);
	vfu_disconnect(&c);
	CHECK(CHECK_SERVER_WORKS(&s));
	base = vfu_server_idle_fds(&s);
	CHECK(base > 0);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* A client that never answers a DMA_READ: the device's DMA fails after
 * --dma-timeout (FW_ERR on the descriptor), the timeout is logged, the
 * reply arriving later matches no request, and the server keeps serving:
 * a pending request lives no longer than the timeout. */
static void dma_read_timeout(void)
{
	static const char *const extra[] = { "--dma-timeout", "300", NULL };
	struct vfu_server s;
	struct vfu_client c;
	if (!session_with(&s, &c, extra))
		return;
	size_t log0 = vfu_server_log_size(&s);
	CHECK_INT(bar_write32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);
	post_tx(&c, 32);
	struct vfu_msg req = { 0 };
	REQUIRE(vfu_recv(&c, &req, 2000) == 0);
	CHECK_EQ(req.hdr.command, VU_CMD_DMA_READ);
	/* unanswered: the descriptor completes with FW_ERR after 300 ms
	 * (polled for 10 s at most: a stall, not a speed) */
	uint64_t d = 0;
	for (int i = 0; i < 200 && (d & 7) != 7; i++) {
		poll(NULL, 0, 50);
		d = BAR_RD(&c, 4, TX_DESC0_BYTE, 4);
	}
	CHECK_EQ(d & 7, 7);
	/* the late reply is refused, and the connection stays usable */
	size_t n = sizeof(struct vu_dma_access) + 32;
	uint8_t *out = calloc(1, n);
	memcpy(out, req.data, sizeof(struct vu_dma_access));
	CHECK_INT(vfu_send(&c, req.hdr.msg_id, VU_CMD_DMA_READ, VU_F_TYPE_REPLY,
			   out, n, NULL, 0), 0);
	free(out);
	vfu_msg_free(&req);
	CHECK_EQ(BAR_RD(&c, 4, TX_DESC0_BYTE, 4) & 7, 7);
	char *log = vfu_server_log(&s, log0);
	CHECK(log && strstr(log, "DMA_READ gpa 0x100000: no reply within 300 ms"));
	CHECK(log && strstr(log, "matches no request"));
	if (test_failures || getenv("TEST_VERBOSE"))
		fprintf(stderr, "    server log:\n%s", log ? log : "");
	free(log);
	vfu_disconnect(&c);
	CHECK(CHECK_SERVER_WORKS(&s));
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol-msgdma", TEST_CASE(dma_read_message),
	  TEST_CASE(reply_not_blocked_by_dma), TEST_CASE(dma_read_error_reply),
	  TEST_CASE(dma_read_malformed_reply), TEST_CASE(disconnect_during_dma),
	  TEST_CASE(dma_read_timeout))
