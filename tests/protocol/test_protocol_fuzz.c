/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A hostile client, deterministically random: thousands of messages with
 * random commands, flags, argsz, sizes and payloads — including region
 * writes that drive the device (mailbox descriptors, interrupt registers,
 * config space), so the device thread DMAs and raises interrupts while
 * the protocol thread parses garbage.  The server must never crash (the
 * sanitizer build turns any memory error into a failed exit), must keep
 * serving a clean client afterwards, and must leak no fds.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/csr.h"
#include "test.h"
#include "vfu_client.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	/* xorshift64*: reproducible across runs and machines */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

/* The server's DMA requests (mailbox DMA into memory mapped without fd):
 * answered with random bytes, an error or a wrong length.  (Requests left
 * unanswered are the msgdma suite's business: each stalls the device
 * thread for its timeout, which would starve this test.) */
static void answer_dma(struct vfu_client *c, const struct vfu_msg *m)
{
	struct vu_dma_access a;
	if ((m->hdr.flags & VU_F_TYPE_MASK) != VU_F_TYPE_REQUEST ||
	    (m->hdr.command != VU_CMD_DMA_READ &&
	     m->hdr.command != VU_CMD_DMA_WRITE) || m->len < sizeof(a))
		return;
	memcpy(&a, m->data, sizeof(a));
	static uint8_t out[16 + 65536];
	unsigned how = pick(8);
	if (how == 1) {
		vfu_send(c, m->hdr.msg_id, m->hdr.command,
			 VU_F_TYPE_REPLY | VU_F_ERROR, NULL, 0, NULL, 0);
		return;
	}
	size_t data = m->hdr.command == VU_CMD_DMA_READ && a.count <= 65536
			      ? (size_t)a.count : 0;
	if (how == 2 && data)
		data--; /* short */
	memcpy(out, &a, sizeof(a));
	for (size_t i = 0; i < data; i++)
		out[sizeof(a) + i] = (uint8_t)next();
	/* sometimes a plausible TLV header, so the firmware parses deeper */
	if (data >= 4 && pick(2)) {
		uint16_t id = (uint16_t)(pick(0x50) | 0x8000);
		uint16_t dw = (uint16_t)(data / 4);
		memcpy(out + sizeof(a), &id, 2);
		memcpy(out + sizeof(a) + 2, &dw, 2);
	}
	vfu_send(c, m->hdr.msg_id, m->hdr.command, VU_F_TYPE_REPLY, out,
		 sizeof(a) + data, NULL, 0);
}

/* Post the register writes that make the device DMA: bus mastering, the
 * mailbox BME bits, a TX descriptor at a random length and address. */
static void provoke_dma(struct vfu_client *c)
{
	uint32_t v = 0x6;
	vfu_region_write_posted(c, 7, 0x04, 2, &v);
	v = FBNIC_PUL_OB_TLP_HDR_CFG_BME;
	vfu_region_write_posted(c, 0, FBNIC_PUL_OB_TLP_HDR_AR_CFG * 4, 4, &v);
	vfu_region_write_posted(c, 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG * 4, 4, &v);
	static unsigned tail;
	unsigned d = tail++ % 16; /* the firmware walks the ring in order */
	uint64_t addr = 0x100000 + ((next() % 0xff000) & ~7ull);
	uint32_t len = pick(4) ? 4 * (1 + pick(64)) : (uint32_t)pick(0x10000);
	uint64_t desc = (uint64_t)len << FBNIC_IPC_MBX_DESC_LEN_SHIFT |
			FBNIC_IPC_MBX_DESC_EOM | addr | FBNIC_IPC_MBX_DESC_HOST_CMPL;
	uint32_t hi = (uint32_t)(desc >> 32), lo = (uint32_t)desc;
	uint32_t tx = FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0) * 4;
	vfu_region_write_posted(c, 4, tx + 8 * ((d + 1) % 16), 4, &(uint32_t){ 0 });
	vfu_region_write_posted(c, 4, tx + 8 * d + 4, 4, &hi);
	vfu_region_write_posted(c, 4, tx + 8 * d, 4, &lo);
	/* and an RX page for the firmware's answers */
	uint32_t rhi = 4096u << (FBNIC_IPC_MBX_DESC_LEN_SHIFT - 32);
	uint32_t rlo = 0x180000 + 4096 * pick(16) + (uint32_t)FBNIC_IPC_MBX_DESC_HOST_CMPL;
	unsigned r = pick(16);
	uint32_t rx = FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, 0) * 4;
	vfu_region_write_posted(c, 4, rx + 8 * r + 4, 4, &rhi);
	vfu_region_write_posted(c, 4, rx + 8 * r, 4, &rlo);
}

/* Read whatever the server sent, without waiting, answering its DMA
 * requests (or not); false if the server closed the connection. */
static bool drain(struct vfu_client *c)
{
	for (;;) {
		struct pollfd p = { .fd = c->sock, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			return true;
		struct vfu_msg m;
		int r = vfu_recv(c, &m, 100);
		if (r == 0) {
			answer_dma(c, &m);
			vfu_msg_free(&m);
			continue;
		}
		return r == -ETIMEDOUT; /* EOF or garbage: the server closed */
	}
}

/* A payload that is sometimes well-formed for its command. */
static size_t make_payload(uint16_t cmd, uint8_t *p, size_t cap)
{
	size_t len = pick(4) ? pick(64) : pick((unsigned)cap);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)next();
	if (cmd == VU_CMD_REGION_WRITE || cmd == VU_CMD_REGION_READ) {
		/* Aim at the interesting places most of the time. */
		static const struct { uint32_t region; uint64_t off; } hot[] = {
			{ 7, 0x04 },      /* COMMAND: bus master on/off */
			{ 7, 0x52 },      /* MSI-X control */
			{ 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, 0) * 4 },
			{ 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0) * 4 },
			{ 0, FBNIC_CSR_START_INTR * 4 }, /* .. MSIX_CTRL */
			{ 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG * 4 }, /* mailbox DMA */
			{ 0, FBNIC_PCS_PAGE(0) * 4 },
			{ 0, FBNIC_QUEUE(0) * 4 },
			{ 2, 0x1000 },    /* PBA */
		};
		struct vu_region_access a;
		unsigned h = pick(10);
		a.region = h < 9 ? hot[h].region : pick(12);
		a.offset = h < 9 ? hot[h].off + 4 * pick(64) : next() % 0x300000;
		a.count = pick(3) ? 4 : pick(20);
		size_t data = cmd == VU_CMD_REGION_WRITE ? a.count : 0;
		if (data > cap - sizeof(a))
			data = 0;
		memcpy(p, &a, sizeof(a));
		for (size_t i = 0; i < data; i++)
			p[sizeof(a) + i] = (uint8_t)next();
		len = pick(8) ? sizeof(a) + data : len;
	} else if (cmd == VU_CMD_DMA_MAP && pick(2)) {
		struct vu_dma_map m = { .argsz = 32, .flags = 1 + pick(3),
					.iova = (next() % 64) << 20,
					.size = (1 + pick(16)) << 12 };
		memcpy(p, &m, sizeof(m));
		len = sizeof(m);
	}
	return len < cap ? len : cap;
}

static void random_messages(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	/* The baseline: the server with no client at all. */
	vfu_disconnect(&c);
	int base = vfu_server_idle_fds(&s);
	REQUIRE(vfu_open(&s, &c) == 0);
	/* Guest memory without fd: mailbox DMA goes through messages. */
	CHECK_INT(vfu_dma_map(&c, 3, 0, 0x100000, 0x100000, -1), 0);
	provoke_dma(&c);
	static uint8_t buf[70000];
	unsigned reconnects = 0;
	for (int i = 0; i < 4000; i++) {
		uint16_t cmd = pick(5) ? (uint16_t)(2 + pick(15)) : (uint16_t)next();
		size_t len = make_payload(cmd, buf + 16, sizeof(buf) - 16);
		struct vu_hdr h = { .msg_id = (uint16_t)i, .command = cmd,
				    .size = (uint32_t)(16 + len),
				    .flags = pick(4) ? 0 : (uint32_t)next() & 0x3f };
		if (!pick(200)) /* rarely: a lying size field */
			h.size = (uint32_t)next();
		memcpy(buf, &h, sizeof(h));
		if (i % 16 == 0) {
			provoke_dma(&c);
			/* let the device thread ask for the descriptor's data */
			struct pollfd p = { .fd = c.sock, .events = POLLIN };
			poll(&p, 1, 20);
		}
		bool alive = vfu_send_raw(&c, buf, 16 + len, NULL, 0) == 0 &&
			     drain(&c);
		if (!alive) {
			/* the server dropped us (bad framing): a new client */
			vfu_disconnect(&c);
			REQUIRE(vfu_open(&s, &c) == 0);
			vfu_dma_map(&c, 3, 0, 0x100000, 0x100000, -1);
			reconnects++;
		}
	}
	vfu_disconnect(&c);
	CHECK(vfu_server_alive(&s));
	if (getenv("FUZZ_SHOW_LOG")) {
		char *log = vfu_server_log(&s, 0);
		fputs(log ? log : "", stdout);
		free(log);
	}
	/* A clean client gets full service, and nothing leaked. */
	CHECK(CHECK_SERVER_WORKS(&s));
	CHECK_INT(vfu_server_wait_fds(&s, base, 5000), base);
	if (getenv("TEST_VERBOSE"))
		printf("# %u reconnects\n", reconnects);
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol-fuzz", TEST_CASE(random_messages))
