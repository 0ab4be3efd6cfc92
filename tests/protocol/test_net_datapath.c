/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end through the runner's wiring: the real binary with a stream
 * backend, a vfio-user client in the driver's place (queue 0's rings in
 * fd-backed guest memory, programmed as fbnic_txrx.c does; the
 * classifier's default action sends every frame to queue 0), and a test
 * peer on the stream.
 *
 *  - RX with no buffers posted: the frame is held (the net thread stops
 *    reading); posting buffers rings the doorbell, the device thread
 *    calls port_resume, the net thread offers the held frame again and
 *    reads on: both frames land in the RX buffers, intact, in order.
 *  - TX: a frame posted on TWQ0 reaches the peer through port_send.
 *  - The pcap has all three.
 *
 * Twice: with fd-backed guest RAM (the device reaches it directly), and
 * with RAM reached only by DMA_READ/WRITE messages, which the net thread
 * (RX) and the device thread (TX) wait for with the device lock dropped,
 * while this client serves them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "vfu_client.h"

#define RAM_IOVA 0x100000ull
#define RAM_SIZE (4u << 20)
#define RING 64u /* entries of every ring */
#define RCQ_RING 256u
/* Offsets in guest RAM. */
#define OFF_TWQ 0x0000u
#define OFF_TCQ 0x1000u
#define OFF_HPQ 0x2000u
#define OFF_PPQ 0x3000u
#define OFF_RCQ 0x4000u
#define OFF_HPQ_BUF 0x10000u  /* 4 KiB per slot */
#define OFF_PPQ_BUF 0x50000u
#define OFF_TX_BUF 0x100000u

static char dir[64], net_path[96], ctl_path[96], pcap_path[96];
static uint8_t *ram;
/* Message DMA: the client that serves the device's requests while the
 * test waits; NULL with fd-backed RAM. */
static struct vfu_client *serving;

/* Let time pass for the device's threads: ~10 ms, serving its DMA
 * requests if RAM is reached by messages. */
static void pause_10ms(void)
{
	if (serving)
		vfu_serve_requests(serving, 10);
	else
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
}

static long long dump_value(int ctl, const char *key)
{
	if (send(ctl, "dump\n", 5, MSG_NOSIGNAL) != 5)
		return -1;
	size_t cap = 1 << 20, used = 0;
	char *buf = calloc(1, cap);
	long long v = -1;
	while (buf && used < cap - 1) {
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		if (poll(&p, 1, 30000) <= 0) /* a stall, not a speed */
			break;
		ssize_t r = recv(ctl, buf + used, cap - 1 - used, 0);
		if (r <= 0)
			break;
		used += (size_t)r;
		buf[used] = '\0';
		if (used >= 4 && !strcmp(buf + used - 4, "\nok\n")) {
			char k[64];
			snprintf(k, sizeof(k), "\n%s ", key);
			char *at = strstr(buf, k);
			v = at ? strtoll(at + strlen(k), NULL, 10) : -1;
			break;
		}
	}
	free(buf);
	return v;
}

/* Bounded: the threads work on their own time. */
static long long wait_value(int ctl, const char *key, long long want)
{
	long long v = dump_value(ctl, key);
	for (int i = 0; v != want && i < 500; i++) {
		pause_10ms();
		v = dump_value(ctl, key);
	}
	return v;
}

#define CHECK_VALUE(ctl, key, want) CHECK_INT(wait_value((ctl), (key), (want)), (want))

static void wr(struct vfu_client *c, uint32_t idx, uint32_t val)
{
	CHECK_INT(vfu_region_write(c, 0, (uint64_t)idx * 4, 4, &val), 0);
}

static void qwr(struct vfu_client *c, uint32_t reg, uint32_t val)
{
	wr(c, FBNIC_QUEUE(0) + reg, val);
}

static uint64_t *desc(uint32_t ring_off, unsigned i, unsigned size)
{
	return (uint64_t *)(ram + ring_off + 8u * (i & (size - 1)));
}

static unsigned log2u(unsigned v)
{
	unsigned l = 0;
	while ((1u << l) < v)
		l++;
	return l;
}

static void ring(struct vfu_client *c, uint32_t off, unsigned size,
		 uint32_t bal, uint32_t bah, uint32_t sz)
{
	qwr(c, bal, (uint32_t)(RAM_IOVA + off));
	qwr(c, bah, (uint32_t)((RAM_IOVA + off) >> 32));
	qwr(c, sz, log2u(size) & 0xf);
}

/* fbnic_mac_link_up_asic, then queue 0 as fbnic_enable_twq0 / tcq / bdq
 * / rcq leave it, with empty buffer queues; the classifier on, its
 * default action "host, queue 0". */
static void queue0_up(struct vfu_client *c)
{
	wr(c, FBNIC_SIG_MAC_IN0, 0);
	wr(c, FBNIC_MAC_COMMAND_CONFIG,
	   FBNIC_MAC_COMMAND_CONFIG_RX_ENA | FBNIC_MAC_COMMAND_CONFIG_TX_ENA |
		   FBNIC_MAC_COMMAND_CONFIG_TX_PAD_EN);
	qwr(c, FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_RESET);
	ring(c, OFF_TWQ, RING, FBNIC_QUEUE_TWQ0_BAL, FBNIC_QUEUE_TWQ0_BAH,
	     FBNIC_QUEUE_TWQ0_SIZE);
	qwr(c, FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_ENABLE);
	qwr(c, FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_RESET);
	ring(c, OFF_TCQ, RING, FBNIC_QUEUE_TCQ_BAL, FBNIC_QUEUE_TCQ_BAH,
	     FBNIC_QUEUE_TCQ_SIZE);
	qwr(c, FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_ENABLE);
	qwr(c, FBNIC_QUEUE_BDQ_CTL, FBNIC_QUEUE_BDQ_CTL_RESET);
	ring(c, OFF_HPQ, RING, FBNIC_QUEUE_BDQ_HPQ_BAL, FBNIC_QUEUE_BDQ_HPQ_BAH,
	     FBNIC_QUEUE_BDQ_HPQ_SIZE);
	ring(c, OFF_PPQ, RING, FBNIC_QUEUE_BDQ_PPQ_BAL, FBNIC_QUEUE_BDQ_PPQ_BAH,
	     FBNIC_QUEUE_BDQ_PPQ_SIZE);
	qwr(c, FBNIC_QUEUE_BDQ_CTL,
	    FBNIC_QUEUE_BDQ_CTL_ENABLE | FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE);
	/* HROOM 192, TROOM 320, MAX_HDR 1536: no header split */
	qwr(c, FBNIC_QUEUE_RDE_CTL0,
	    (uint32_t)(FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL0_MIN_HROOM_MASK, 192) |
		       FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL0_MIN_TROOM_MASK, 320)));
	qwr(c, FBNIC_QUEUE_RDE_CTL1,
	    (uint32_t)FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK, 1536));
	qwr(c, FBNIC_QUEUE_RCQ_CTL, FBNIC_QUEUE_RCQ_CTL_RESET);
	ring(c, OFF_RCQ, RCQ_RING, FBNIC_QUEUE_RCQ_BAL, FBNIC_QUEUE_RCQ_BAH,
	     FBNIC_QUEUE_RCQ_SIZE);
	qwr(c, FBNIC_QUEUE_RCQ_CTL, FBNIC_QUEUE_RCQ_CTL_ENABLE);
	wr(c, FBNIC_RPC_ACT_TBL0_DEFAULT,
	   (uint32_t)(FBNIC_FIELD_PREP(FBNIC_RPC_ACT_TBL0_DEST_MASK,
				       FBNIC_RPC_ACT_TBL0_DEST_HOST) |
		      FBNIC_RPC_ACT_TBL0_Q_SEL));
	wr(c, FBNIC_RPC_RMI_CONFIG,
	   (uint32_t)FBNIC_FIELD_PREP(FBNIC_RPC_RMI_CONFIG_MTU, 9742) |
		   FBNIC_RPC_RMI_CONFIG_ENABLE);
}

/* fbnic_fill_bdq: every slot but one, then the tail doorbell. */
static void bdq_fill(struct vfu_client *c, uint32_t ring_off, uint32_t bufs,
		     uint32_t tail_reg)
{
	for (unsigned i = 0; i < RING - 1; i++)
		*desc(ring_off, i, RING) =
			FBNIC_FIELD_PREP(FBNIC_BD_DESC_ID_MASK, i) |
			((RAM_IOVA + bufs + 4096ull * i) & FBNIC_BD_DESC_ADDR_MASK);
	qwr(c, tail_reg, RING - 1);
}

/* The packet at RCQ entry *at, rebuilt from its buffers as
 * fbnic_clean_rcq does: its length, or -1 (none, or malformed). */
static long rx_packet(unsigned *at, uint8_t *out, size_t cap)
{
	size_t len = 0;
	bool started = false;
	for (unsigned i = *at; i < *at + 16; i++) {
		uint64_t d = *desc(OFF_RCQ, i, RCQ_RING);
		if (!(d & FBNIC_RCD_DONE)) /* first lap: DONE set when new */
			return -1;
		unsigned type = FBNIC_FIELD_GET(FBNIC_RCD_TYPE_MASK, d);
		unsigned id = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_ID_MASK, d);
		size_t n = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_LEN_MASK, d);
		size_t off = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_OFF_MASK, d);
		if (type == FBNIC_RCD_TYPE_HDR_AL || type == FBNIC_RCD_TYPE_PAY_AL) {
			if (started == (type == FBNIC_RCD_TYPE_HDR_AL) ||
			    id >= RING || off + n > 4096 || len + n > cap)
				return -1;
			started = true;
			uint32_t bufs = type == FBNIC_RCD_TYPE_HDR_AL ? OFF_HPQ_BUF
								      : OFF_PPQ_BUF;
			memcpy(out + len, ram + bufs + 4096u * id + off, n);
			len += n;
		} else if (type != FBNIC_RCD_TYPE_OPT_META) {
			if (!started) /* META closes the packet */
				return -1;
			*at = i + 1;
			return (long)len;
		}
	}
	return -1;
}

static void test_frame(uint8_t *f, size_t len, uint8_t tag)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\xfb\x00\x00\x00\x09", 6);
	f[12] = 0x88; /* IEEE 802 local experimental */
	f[13] = 0xb5;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(tag + i);
}

static bool peer_send(int fd, const uint8_t *f, uint32_t len)
{
	uint8_t buf[4 + 2048];
	uint32_t be = htonl(len);
	memcpy(buf, &be, 4);
	memcpy(buf + 4, f, len);
	return send(fd, buf, 4 + len, MSG_NOSIGNAL) == (ssize_t)(4 + len);
}

static bool peer_read(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	int waited = 0;
	while (len) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, 0) != 1) {
			if (waited++ == 500) /* a stall, not a speed */
				return false;
			pause_10ms();
			continue;
		}
		ssize_t r = recv(fd, p, len, 0);
		if (r <= 0)
			return false;
		p += r;
		len -= (size_t)r;
	}
	return true;
}

/* The real binary with a listening stream backend, its control channel
 * and a pcap in a fresh dir; a session whose guest RAM (RAM_SIZE at
 * RAM_IOVA, *memfd, mapped at ram) is fd-backed, or with by_messages
 * reached only by DMA messages this client serves; bus mastering on. */
static bool dp_session(struct vfu_server *s, struct vfu_client *c,
		       bool by_messages, int *memfd)
{
	serving = NULL;
	snprintf(dir, sizeof(dir), "/tmp/fbnic-net-dp.XXXXXX");
	if (!mkdtemp(dir)) {
		test_fail(__FILE__, __LINE__, "mkdtemp %s", dir);
		return false;
	}
	snprintf(net_path, sizeof(net_path), "%s/net.sock", dir);
	snprintf(ctl_path, sizeof(ctl_path), "%s/ctl.sock", dir);
	snprintf(pcap_path, sizeof(pcap_path), "%s/x.pcap", dir);
	char uri[128];
	snprintf(uri, sizeof(uri), "stream:unix:%s,listen", net_path);
	const char *const extra[] = { "--net", uri,    "--control", ctl_path,
				      "--pcap", pcap_path, NULL };
	if (!OPEN_SESSION(s, c, extra))
		return false;
	*memfd = vfu_memfd(RAM_SIZE);
	CHECK(*memfd >= 0);
	if (*memfd < 0)
		return false;
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
	CHECK(ram != MAP_FAILED);
	if (ram == MAP_FAILED)
		return false;
	CHECK_INT(vfu_dma_map(c, VU_DMA_READ | VU_DMA_WRITE, 0, RAM_IOVA,
			      RAM_SIZE, by_messages ? -1 : *memfd),
		  0);
	if (by_messages) {
		c->dma_mem = ram;
		c->dma_iova = RAM_IOVA;
		c->dma_len = RAM_SIZE;
		serving = c;
	}
	CFG_WR(c, 0x04, 2, 0x0006); /* PCI_COMMAND: memory, bus master */
	return true;
}

/* A packet as fbnic_tx_map posts it: META at TWQ slot `at`, then the one
 * buffer at OFF_TX_BUF (len bytes) at the next slot. */
static void tx_post(unsigned at, size_t len)
{
	*desc(OFF_TWQ, at, RING) =
		FBNIC_TWD_FLAG_REQ_COMPLETION | FBNIC_TWD_FLAG_DEST_MAC |
		FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK, FBNIC_TWD_TYPE_META);
	*desc(OFF_TWQ, at + 1, RING) =
		FBNIC_FIELD_PREP(FBNIC_TWD_ADDR_MASK, RAM_IOVA + OFF_TX_BUF) |
		FBNIC_FIELD_PREP(FBNIC_TWD_LEN_MASK, len) |
		FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK, FBNIC_TWD_TYPE_LAST_AL);
}

static void rx_hold_resume_and_tx(bool by_messages)
{
	struct vfu_server s;
	struct vfu_client c;
	int memfd = -1;
	if (!dp_session(&s, &c, by_messages, &memfd))
		return;
	int ctl = vfu_unix_connect_wait(ctl_path);
	REQUIRE(ctl >= 0);
	int peer = vfu_unix_connect(net_path);
	REQUIRE(peer >= 0);
	CHECK_VALUE(ctl, "link.up", 1);
	queue0_up(&c);

	/* No buffers yet: the first frame is held, the second waits. */
	uint8_t f1[200], f2[1514], f3[300], got[4096];
	test_frame(f1, sizeof(f1), 1);
	test_frame(f2, sizeof(f2), 2);
	test_frame(f3, sizeof(f3), 3);
	CHECK(peer_send(peer, f1, sizeof(f1)));
	CHECK_VALUE(ctl, "net.holding", 1);
	CHECK_VALUE(ctl, "port.rx_held", 1);
	CHECK(peer_send(peer, f2, sizeof(f2)));
	CHECK_VALUE(ctl, "net.rx_frames", 1);
	CHECK_VALUE(ctl, "dp.rx_frames", 0);

	/* Buffers: the doorbells resume the port, both frames land. */
	bdq_fill(&c, OFF_HPQ, OFF_HPQ_BUF, FBNIC_QUEUE_BDQ_HPQ_TAIL);
	bdq_fill(&c, OFF_PPQ, OFF_PPQ_BUF, FBNIC_QUEUE_BDQ_PPQ_TAIL);
	CHECK_VALUE(ctl, "dp.rx_frames", 2);
	CHECK_VALUE(ctl, "net.holding", 0);
	CHECK_VALUE(ctl, "net.rx_frames", 2);
	CHECK(dump_value(ctl, "port.resumes") >= 1);
	CHECK(dump_value(ctl, "net.rx_resumes") >= 1);
	CHECK_VALUE(ctl, "port.rx_frames", 2);
	/* the device lock's users, counted by thread: the net thread
	 * delivered, the device thread worked, the protocol and control
	 * threads took it for registers and these dumps */
	CHECK(dump_value(ctl, "runner.lock.net.taken") >= 2);
	CHECK(dump_value(ctl, "runner.lock.device.taken") >= 1);
	CHECK(dump_value(ctl, "runner.lock.other.taken") >= 1);
	CHECK(dump_value(ctl, "runner.lock.other.wait_us") >= 0);
	CHECK(dump_value(ctl, "runner.wakeups") >= 1);
	unsigned at = 0;
	CHECK_INT(rx_packet(&at, got, sizeof(got)), sizeof(f1));
	CHECK_MEM(got, f1, sizeof(f1));
	CHECK_INT(rx_packet(&at, got, sizeof(got)), sizeof(f2));
	CHECK_MEM(got, f2, sizeof(f2));

	/* TX: META then one buffer (fbnic_tx_map), the tail doorbell. */
	memcpy(ram + OFF_TX_BUF, f3, sizeof(f3));
	tx_post(0, sizeof(f3));
	qwr(&c, FBNIC_QUEUE_TWQ0_TAIL, 2);
	uint32_t be = 0;
	CHECK(peer_read(peer, &be, 4));
	CHECK_INT(ntohl(be), sizeof(f3));
	memset(got, 0, sizeof(got));
	CHECK(peer_read(peer, got, sizeof(f3)));
	CHECK_MEM(got, f3, sizeof(f3));
	CHECK_VALUE(ctl, "net.tx_frames", 1);
	CHECK_VALUE(ctl, "port.tx_frames", 1);
	CHECK_VALUE(ctl, "port.tx_drop_backend", 0);
	CHECK_VALUE(ctl, "dp.rx_dma_errors", 0);
	CHECK_VALUE(ctl, "dp.tx_dma_errors", 0);
	if (by_messages)
		CHECK(c.dma_reads > 0 && c.dma_writes > 0);
	serving = NULL;

	close(peer);
	close(ctl);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
	munmap(ram, RAM_SIZE);
	close(memfd);

	/* The pcap: header, then f1, f2 (received), f3 (sent). */
	FILE *f = fopen(pcap_path, "rb");
	REQUIRE(f);
	static uint8_t file[8192];
	size_t len = fread(file, 1, sizeof(file), f);
	fclose(f);
	const uint8_t *want[] = { f1, f2, f3 };
	const size_t lens[] = { sizeof(f1), sizeof(f2), sizeof(f3) };
	size_t off = 24;
	for (int i = 0; i < 3; i++) {
		REQUIRE(off + 16 + lens[i] <= len);
		uint32_t incl;
		memcpy(&incl, file + off + 8, 4);
		CHECK_INT(incl, lens[i]);
		CHECK_MEM(file + off + 16, want[i], lens[i]);
		off += 16 + lens[i];
	}
	CHECK_INT(off, len);
	unlink(pcap_path);
	rmdir(dir);
}

static void test_rx_hold_resume_and_tx_fd_memory(void)
{
	rx_hold_resume_and_tx(false);
}

static void test_rx_hold_resume_and_tx_message_dma(void)
{
	rx_hold_resume_and_tx(true);
}

/* The peer floods the device until its socket fails. */
static void *flood(void *arg)
{
	int fd = *(int *)arg;
	uint8_t f[1514];
	test_frame(f, sizeof(f), 7);
	while (peer_send(fd, f, sizeof(f)))
		;
	return NULL;
}

/* SIGTERM in the middle of traffic both ways (what systemctl stop
 * sends): frames pour in from the peer, more than the posted buffers
 * take (the net thread holds one), TX packets wait on a peer that does
 * not read (the stream's send queue full, the ring held).  fbnic-emu
 * exits 0 within seconds, leaves none of its sockets behind (vfio-user,
 * control, the stream's listening socket), and its pcap ends on a whole
 * record. */
static void test_sigterm_mid_traffic(void)
{
	struct vfu_server s;
	struct vfu_client c;
	int memfd = -1;
	if (!dp_session(&s, &c, false, &memfd))
		return;
	int ctl = vfu_unix_connect_wait(ctl_path);
	REQUIRE(ctl >= 0);
	int peer = vfu_unix_connect(net_path);
	REQUIRE(peer >= 0);
	CHECK_VALUE(ctl, "link.up", 1);
	queue0_up(&c);
	bdq_fill(&c, OFF_HPQ, OFF_HPQ_BUF, FBNIC_QUEUE_BDQ_HPQ_TAIL);
	bdq_fill(&c, OFF_PPQ, OFF_PPQ_BUF, FBNIC_QUEUE_BDQ_PPQ_TAIL);
	pthread_t th;
	REQUIRE(pthread_create(&th, NULL, flood, &peer) == 0);
	/* 31 TX packets of 1514 bytes to a peer that reads nothing */
	uint8_t f[1514];
	test_frame(f, sizeof(f), 9);
	memcpy(ram + OFF_TX_BUF, f, sizeof(f));
	for (unsigned i = 0; i < 31; i++)
		tx_post(2 * i, sizeof(f));
	qwr(&c, FBNIC_QUEUE_TWQ0_TAIL, 62);
	/* traffic in flight: the RX buffers used up and a frame held */
	CHECK_VALUE(ctl, "net.holding", 1);
	CHECK(dump_value(ctl, "port.tx_frames") > 0);
	close(ctl);

	kill(s.pid, SIGTERM);
	bool gone = vfu_server_wait_exit(&s, 10000);
	CHECK(gone);
	CHECK(gone && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	CHECK(access(s.sock, F_OK) != 0 && errno == ENOENT);
	CHECK(access(ctl_path, F_OK) != 0 && errno == ENOENT);
	CHECK(access(net_path, F_OK) != 0 && errno == ENOENT);
	shutdown(peer, SHUT_RDWR);
	pthread_join(th, NULL);
	close(peer);
	vfu_disconnect(&c);
	if (gone)
		vfu_server_forget(&s);
	else
		vfu_server_stop(&s);
	munmap(ram, RAM_SIZE);
	close(memfd);

	/* The pcap: whole records up to its end. */
	FILE *pf = fopen(pcap_path, "rb");
	REQUIRE(pf);
	uint8_t hdr[24], rec[16];
	CHECK_INT(fread(hdr, 1, 24, pf), 24);
	unsigned records = 0;
	size_t n;
	while ((n = fread(rec, 1, 16, pf)) == 16) {
		uint32_t incl;
		memcpy(&incl, rec + 8, 4);
		REQUIRE(incl <= 65535);
		static uint8_t body[65536];
		if (fread(body, 1, incl, pf) != incl) {
			n = 1; /* a cut record */
			break;
		}
		records++;
	}
	CHECK_INT(n, 0);
	CHECK(records > 31);
	fclose(pf);
	unlink(pcap_path);
	rmdir(dir);
}

TEST_MAIN("protocol-net-datapath",
	  TEST_CASE(test_rx_hold_resume_and_tx_fd_memory),
	  TEST_CASE(test_rx_hold_resume_and_tx_message_dma),
	  TEST_CASE(test_sigterm_mid_traffic))
