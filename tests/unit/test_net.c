/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network backends (net/net.h): URIs, QEMU's stream framing against a
 * peer the test drives byte by byte, two backends talking to each other,
 * the bounded send queue and its back-pressure, the pcap file, and a tap in a private network
 * namespace (root only).  Waits are bounded polls, never timings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "net/pcap.h"
#include <linux/virtio_net.h>
#include "pkt/csum.h"
#include "pkt/bytes.h"
#include "pkt/parse.h"
#include "pktref.h"
#include "test.h"

#define WAIT_MS 5000 /* a stall, not a speed */

/* ---- helpers ----------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fbnic-net-test.XXXXXX");
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (dir[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static struct net *open_uri(const char *uri, const char *pcap)
{
	struct net_uri u;
	const char *why = NULL;
	if (net_uri_parse(uri, &u, &why)) {
		fprintf(stderr, "bad uri %s: %s\n", uri, why);
		return NULL;
	}
	return net_open(&u, pcap);
}

/* A "net.NAME value" of the dump; -1 if absent. */
static long long counter(struct net *n, const char *name)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -1;
	net_dump(n, f);
	fclose(f);
	char key[64];
	snprintf(key, sizeof(key), "\nnet.%s ", name);
	char *all = NULL;
	if (asprintf(&all, "\n%s", text) < 0)
		all = NULL;
	char *p = all ? strstr(all, key) : NULL;
	long long v = p ? strtoll(p + strlen(key), NULL, 10) : -1;
	free(all);
	free(text);
	return v;
}

/* Service the backends until one frame arrives on n: its length, or
 * -ETIMEDOUT; its wire time (net_recv_at) into *at. */
static int wait_frame_at(struct net *n, void *buf, struct net *other,
			 uint64_t *at)
{
	uint64_t end = now_ms() + WAIT_MS;
	for (;;) {
		net_service(n);
		if (other)
			net_service(other);
		int r = net_recv_at(n, buf, NET_FRAME_MAX, at);
		if (r > 0)
			return r;
		if (r != -EAGAIN)
			continue;
		uint64_t t = now_ms();
		if (t >= end)
			return -ETIMEDOUT;
		struct pollfd p[2] = { { net_fd(n), POLLIN, 0 },
				       { other ? net_fd(other) : -1, POLLIN, 0 } };
		poll(p, 2, (int)(end - t > 50 ? 50 : end - t));
	}
}

/* wait_frame_at without the frame's wire time. */
static int wait_frame(struct net *n, void *buf, struct net *other)
{
	uint64_t at;
	return wait_frame_at(n, buf, other, &at);
}

static uint8_t scratch[NET_FRAME_MAX];

/* Service n (and other) until net_link(n) == want; false on timeout.  A
 * peer's end shows when reading, so this reads (and drops) frames. */
static bool wait_link(struct net *n, bool want, struct net *other)
{
	uint64_t end = now_ms() + WAIT_MS;
	for (;;) {
		net_service(n);
		if (other)
			net_service(other);
		while (net_recv(n, scratch, sizeof(scratch)) != -EAGAIN)
			;
		if (net_link(n) == want)
			return true;
		uint64_t t = now_ms();
		if (t >= end)
			return false;
		struct pollfd p[2] = { { net_fd(n), POLLIN, 0 },
				       { other ? net_fd(other) : -1, POLLIN, 0 } };
		poll(p, 2, (int)(end - t > 50 ? 50 : end - t));
	}
}

/* ---- the test's own end of a stream ------------------------------------ */

static int peer_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool peer_write(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

static bool peer_send_frame(int fd, const void *frame, uint32_t len)
{
	uint32_t be = htonl(len);
	return peer_write(fd, &be, 4) && peer_write(fd, frame, len);
}

/* Read exactly len bytes, servicing n meanwhile (it may have queued what
 * we wait for).  false on timeout or EOF. */
static bool peer_read(int fd, void *buf, size_t len, struct net *n)
{
	uint8_t *p = buf;
	uint64_t end = now_ms() + WAIT_MS;
	while (len) {
		if (n)
			net_service(n);
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, 20) == 1) {
			ssize_t r = recv(fd, p, len, 0);
			if (r <= 0)
				return false;
			p += r;
			len -= (size_t)r;
		} else if (now_ms() >= end) {
			return false;
		}
	}
	return true;
}

/* One frame from the stream: its length, or -1. */
static long peer_recv_frame(int fd, void *buf, size_t cap, struct net *n)
{
	uint32_t be;
	if (!peer_read(fd, &be, 4, n))
		return -1;
	uint32_t len = ntohl(be);
	if (len > cap || !peer_read(fd, buf, len, n))
		return -1;
	return (long)len;
}

/* The peer's end: EOF (the backend dropped it) within the wait. */
static bool peer_sees_eof(int fd, struct net *n)
{
	uint64_t end = now_ms() + WAIT_MS;
	while (now_ms() < end) {
		net_service(n);
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, 20) == 1) {
			char c;
			ssize_t r = recv(fd, &c, 1, 0);
			if (r == 0 || (r < 0 && errno == ECONNRESET))
				return true;
		}
	}
	return false;
}

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* A listen backend at dir/n.sock and a test peer connected to it. */
static struct net *listen_with_peer(int *peer, const char *pcap)
{
	char uri[128], path[96];
	snprintf(path, sizeof(path), "%s/n.sock", dir);
	snprintf(uri, sizeof(uri), "stream:unix:%s,listen", path);
	struct net *n = open_uri(uri, pcap);
	*peer = n ? peer_connect(path) : -1;
	if (n && (*peer < 0 || !wait_link(n, true, NULL))) {
		if (*peer >= 0)
			close(*peer);
		net_close(n);
		return NULL;
	}
	return n;
}

/* ---- URIs -------------------------------------------------------------- */

static void test_uri_good(void)
{
	struct net_uri u;
	const char *why = NULL;
	CHECK_INT(net_uri_parse("tap:tap0", &u, &why), 0);
	CHECK_INT(u.kind, NET_TAP);
	CHECK(!strcmp(u.addr, "tap0"));
	CHECK_INT(net_uri_parse("tap:abcdefghijklmno", &u, &why), 0);
	CHECK_INT(net_uri_parse("stream:unix:/tmp/a.sock,listen", &u, &why), 0);
	CHECK_INT(u.kind, NET_STREAM_UNIX);
	CHECK(u.listen);
	CHECK(!strcmp(u.addr, "/tmp/a.sock"));
	/* the option is after the last comma: a path may hold commas */
	CHECK_INT(net_uri_parse("stream:unix:/tmp/a,b,connect", &u, &why), 0);
	CHECK(!u.listen);
	CHECK(!strcmp(u.addr, "/tmp/a,b"));
	CHECK_INT(net_uri_parse("stream:tcp:127.0.0.1:5555,connect", &u, &why), 0);
	CHECK_INT(u.kind, NET_STREAM_TCP);
	CHECK(!strcmp(u.addr, "127.0.0.1"));
	CHECK_INT(u.port, 5555);
	CHECK_INT(net_uri_parse("stream:tcp:[::1]:1,listen", &u, &why), 0);
	CHECK(!strcmp(u.addr, "::1"));
	CHECK_INT(u.port, 1);
	CHECK(u.listen);
	CHECK_INT(net_uri_parse("stream:tcp:localhost:65535,connect", &u, &why), 0);
	CHECK_INT(u.port, 65535);
}

static void test_uri_bad(void)
{
	char longpath[160];
	snprintf(longpath, sizeof(longpath), "stream:unix:/%0120d,listen", 0);
	const char *bad[] = {
		"", "tap", "tap:", "tap:abcdefghijklmnop", "tap:a/b", "tap:a b",
		"tap:..", "tap:tap0,listen", "udp:1.2.3.4:5", "TAP:tap0",
		"stream:", "stream:udp:x:1,listen", "stream:unix:,listen",
		"stream:unix:/x", "stream:unix:/x,server", "stream:unix:/x,listen,",
		"stream:unix:/x,", "stream:tcp:host,connect",
		"stream:tcp:host:0,connect", "stream:tcp:host:65536,connect",
		"stream:tcp:host:80x,connect", "stream:tcp:host:+80,connect",
		"stream:tcp:host:-1,connect", "stream:tcp:host:,connect",
		"stream:tcp::80,connect", "stream:tcp:::1:80,connect",
		"stream:tcp:[::1:80,connect", "stream:tcp:[::1]80,connect",
		"stream:tcp:[]:80,connect", "stream:tcp:h:80", "stream:tcp:h:80,",
		"stream:tcp:h:80,listen,x", "stream:tcp:h:000080000,connect",
		longpath,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct net_uri u;
		const char *why = NULL;
		int r = net_uri_parse(bad[i], &u, &why);
		if (r != -EINVAL || !why || !*why)
			test_fail(__FILE__, __LINE__, "'%s' -> %d (%s)", bad[i],
				  r, why ? why : "no reason");
	}
}

/* ---- stream framing ------------------------------------------------------ */

static const uint32_t sizes[] = { 1, 60, 1514, 9000, 65535 };

static void test_stream_sizes_both_ways(void)
{
	mkdir_tmp();
	int peer;
	struct net *n = listen_with_peer(&peer, NULL);
	REQUIRE(n);
	static uint8_t want[NET_FRAME_MAX], got[NET_FRAME_MAX];
	size_t bytes = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t len = sizes[i];
		bytes += len;
		fill(want, len, (unsigned)i);
		/* peer -> backend */
		CHECK(peer_send_frame(peer, want, len));
		CHECK_INT(wait_frame(n, got, NULL), len);
		CHECK_MEM(got, want, len);
		/* backend -> peer */
		fill(want, len, (unsigned)i + 100);
		CHECK_INT(net_send(n, want, len), 0);
		memset(got, 0, len);
		CHECK_INT(peer_recv_frame(peer, got, sizeof(got), n), len);
		CHECK_MEM(got, want, len);
	}
	CHECK_INT(counter(n, "rx_frames"), 5);
	CHECK_INT(counter(n, "rx_bytes"), bytes);
	CHECK_INT(counter(n, "tx_frames"), 5);
	CHECK_INT(counter(n, "tx_bytes"), bytes);
	/* the backend refuses what it cannot frame */
	CHECK_INT(net_send(n, want, 0), -EMSGSIZE);
	CHECK_INT(net_send(n, want, NET_FRAME_MAX + 1), -EMSGSIZE);
	CHECK_INT(counter(n, "tx_drop_size"), 2);
	CHECK_INT(counter(n, "tx_frames"), 5);
	close(peer);
	net_close(n);
	rm_tmp();
}

/* Whatever the reads cut: a length prefix in pieces, a frame byte by
 * byte, several frames in one write. */
static void test_stream_reassembly(void)
{
	mkdir_tmp();
	int peer;
	struct net *n = listen_with_peer(&peer, NULL);
	REQUIRE(n);
	uint8_t f[300], got[NET_FRAME_MAX];
	fill(f, sizeof(f), 7);
	uint32_t be = htonl(sizeof(f));
	const uint8_t *h = (const uint8_t *)&be;
	/* A UNIX socket's write is in the reader's queue when send returns:
	 * each net_recv below has read what was written before it. */
	CHECK(peer_write(peer, h, 2)); /* 2 bytes of the prefix: no frame */
	CHECK_INT(net_recv(n, got, sizeof(got)), -EAGAIN);
	CHECK(peer_write(peer, h + 2, 1));
	CHECK_INT(net_recv(n, got, sizeof(got)), -EAGAIN);
	CHECK(peer_write(peer, h + 3, 1));
	for (size_t i = 0; i + 1 < sizeof(f); i++) {
		CHECK(peer_write(peer, f + i, 1));
		CHECK_INT(net_recv(n, got, sizeof(got)), -EAGAIN);
	}
	CHECK(peer_write(peer, f + sizeof(f) - 1, 1));
	CHECK_INT(wait_frame(n, got, NULL), sizeof(f));
	CHECK_MEM(got, f, sizeof(f));
	/* three frames and the start of a fourth in one write */
	uint8_t batch[3 * (4 + 100) + 3];
	size_t at = 0;
	for (int k = 0; k < 3; k++) {
		uint32_t l = htonl(100);
		memcpy(batch + at, &l, 4);
		memset(batch + at + 4, 'a' + k, 100);
		at += 104;
	}
	uint32_t l4 = htonl(5);
	memcpy(batch + at, &l4, 3);
	CHECK(peer_write(peer, batch, sizeof(batch)));
	for (int k = 0; k < 3; k++) {
		CHECK_INT(wait_frame(n, got, NULL), 100);
		CHECK(got[0] == 'a' + k && got[99] == 'a' + k);
	}
	CHECK_INT(net_recv(n, got, sizeof(got)), -EAGAIN);
	CHECK(peer_write(peer, (const uint8_t *)&l4 + 3, 1));
	CHECK(peer_write(peer, "hello", 5));
	CHECK_INT(wait_frame(n, got, NULL), 5);
	CHECK_MEM(got, "hello", 5);
	CHECK_INT(counter(n, "rx_frames"), 5);
	close(peer);
	net_close(n);
	rm_tmp();
}

/* A length of 0 or above 65535 cannot be resynchronised: the backend
 * drops the peer (counted), which may come back. */
static void test_stream_bad_length_drops_peer(void)
{
	mkdir_tmp();
	int peer;
	struct net *n = listen_with_peer(&peer, NULL);
	REQUIRE(n);
	char path[96];
	snprintf(path, sizeof(path), "%s/n.sock", dir);
	uint8_t got[NET_FRAME_MAX];
	const uint32_t lens[] = { 0, NET_FRAME_MAX + 1, 0xffffffffu };
	for (int k = 0; k < 3; k++) {
		uint8_t good[64];
		fill(good, sizeof(good), (unsigned)k);
		/* a good frame, then the bad prefix and some junk */
		CHECK(peer_send_frame(peer, good, sizeof(good)));
		uint32_t be = htonl(lens[k]);
		CHECK(peer_write(peer, &be, 4));
		CHECK(peer_write(peer, "junkjunk", 8));
		CHECK_INT(wait_frame(n, got, NULL), sizeof(good));
		CHECK_MEM(got, good, sizeof(good));
		CHECK_INT(net_recv(n, got, sizeof(got)), -EPROTO);
		CHECK(!net_link(n));
		CHECK(peer_sees_eof(peer, n));
		close(peer);
		CHECK_INT(counter(n, "rx_bad_length"), k + 1);
		CHECK_INT(counter(n, "disconnects"), k + 1);
		/* nothing that followed was taken for a frame */
		CHECK_INT(counter(n, "rx_frames"), k + 1);
		peer = peer_connect(path);
		REQUIRE(peer >= 0);
		CHECK(wait_link(n, true, NULL));
	}
	CHECK(peer_send_frame(peer, "after", 5));
	CHECK_INT(wait_frame(n, got, NULL), 5);
	CHECK_INT(counter(n, "connects"), 4);
	close(peer);
	net_close(n);
	rm_tmp();
}

/* Peer gone: link down, nothing sent into the void; back: link up.  A
 * partial frame the peer left is counted. */
static void test_stream_disconnect_reconnect(void)
{
	mkdir_tmp();
	int peer;
	struct net *n = listen_with_peer(&peer, NULL);
	REQUIRE(n);
	char path[96];
	snprintf(path, sizeof(path), "%s/n.sock", dir);
	CHECK_INT(counter(n, "link"), 1);
	uint32_t be = htonl(1000);
	CHECK(peer_write(peer, &be, 4));
	CHECK(peer_write(peer, "half", 4));
	close(peer);
	CHECK(wait_link(n, false, NULL));
	CHECK_INT(counter(n, "disconnects"), 1);
	CHECK_INT(counter(n, "rx_drop_disconnect"), 1);
	CHECK_INT(counter(n, "rx_frames"), 0);
	CHECK_INT(net_send(n, "0123456789abcdef", 16), -ENOTCONN);
	CHECK_INT(counter(n, "tx_drop_no_peer"), 1);
	peer = peer_connect(path);
	REQUIRE(peer >= 0);
	CHECK(wait_link(n, true, NULL));
	CHECK_INT(counter(n, "connects"), 2);
	/* the new peer starts on a frame boundary */
	uint8_t got[64];
	CHECK_INT(net_send(n, "0123456789abcdef", 16), 0);
	CHECK_INT(peer_recv_frame(peer, got, sizeof(got), n), 16);
	CHECK_MEM(got, "0123456789abcdef", 16);
	close(peer);
	net_close(n);
	/* the listening socket's path goes with the backend */
	struct stat st;
	CHECK(stat(path, &st) != 0);
	rm_tmp();
}

/* Two backends of one process, listen and connect, over UNIX and TCP;
 * the connect side retries until its peer (re)appears. */
/* The two ends of a stream at dir/NAME.sock: listen and connect URIs. */
static void pair_uris(char *luri, char *curi, size_t cap, const char *name)
{
	snprintf(luri, cap, "stream:unix:%s/%s.sock,listen", dir, name);
	snprintf(curi, cap, "stream:unix:%s/%s.sock,connect", dir, name);
}

static void exchange(struct net *a, struct net *b)
{
	static uint8_t want[NET_FRAME_MAX], got[NET_FRAME_MAX];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(want, sizes[i], (unsigned)i + 3);
		CHECK_INT(net_send(a, want, sizes[i]), 0);
		CHECK_INT(wait_frame(b, got, a), sizes[i]);
		CHECK_MEM(got, want, sizes[i]);
		fill(want, sizes[i], (unsigned)i + 9);
		CHECK_INT(net_send(b, want, sizes[i]), 0);
		CHECK_INT(wait_frame(a, got, b), sizes[i]);
		CHECK_MEM(got, want, sizes[i]);
	}
}

static void test_stream_pair_unix(void)
{
	mkdir_tmp();
	char luri[128], curi[128];
	pair_uris(luri, curi, sizeof(luri), "p");
	/* the connect side first: it waits for the listener */
	struct net *b = open_uri(curi, NULL);
	REQUIRE(b);
	CHECK(!net_link(b));
	struct net *a = open_uri(luri, NULL);
	REQUIRE(a);
	CHECK(wait_link(b, true, a));
	CHECK(wait_link(a, true, b));
	CHECK(counter(b, "connect_failures") >= 1);
	exchange(a, b);
	/* the listener goes: the connect side's link drops, it retries */
	net_close(a);
	CHECK(wait_link(b, false, NULL));
	long long fails = counter(b, "connect_failures");
	a = open_uri(luri, NULL);
	REQUIRE(a);
	CHECK(wait_link(b, true, a));
	CHECK(wait_link(a, true, b));
	CHECK_INT(counter(b, "connects"), 2);
	CHECK(counter(b, "connect_failures") >= fails);
	exchange(a, b);
	/* and the other way: the connect side goes, the listener takes the
	 * next peer */
	net_close(b);
	CHECK(wait_link(a, false, NULL));
	b = open_uri(curi, NULL);
	REQUIRE(b);
	CHECK(wait_link(a, true, b));
	CHECK(wait_link(b, true, a));
	exchange(a, b);
	net_close(a);
	net_close(b);
	rm_tmp();
}

/* Wire time (net_wire_time, --clock virtual): between two backends that
 * both have it, a frame's time goes with it and comes out of
 * net_recv_at, the frame unchanged; a peer without it (a QEMU, here the
 * test's own end) sends plain frames, passed on with no time and counted;
 * and what a wire-time sender puts on the stream is QEMU's framing with a
 * 16-byte trailer inside the length: the time, big-endian, then the
 * magic.  A tap has no such time to give. */
static void test_stream_wire_time(void)
{
	mkdir_tmp();
	char luri[128], curi[128];
	pair_uris(luri, curi, sizeof(luri), "w");
	struct net *a = open_uri(luri, NULL);
	REQUIRE(a);
	struct net *b = open_uri(curi, NULL);
	REQUIRE(b);
	CHECK(wait_link(b, true, a));
	CHECK(wait_link(a, true, b));
	CHECK_INT(net_wire_time(a, true), 0);
	CHECK_INT(net_wire_time(b, true), 0);
	static uint8_t want[NET_FRAME_MAX], got[NET_FRAME_MAX];
	static const uint32_t wsizes[] = { 1, 16, 17, 60, 1514, 9000 };
	for (size_t i = 0; i < sizeof(wsizes) / sizeof(wsizes[0]); i++) {
		uint64_t t = 0x0123456789abcdefull + i * 1000003u, at = 7;
		fill(want, wsizes[i], (unsigned)i + 5);
		CHECK_INT(net_send_at(a, want, wsizes[i], t), 0);
		CHECK_INT(wait_frame_at(b, got, a, &at), (int)wsizes[i]);
		CHECK_MEM(got, want, wsizes[i]);
		CHECK_EQ(at, t);
	}
	CHECK_INT(counter(b, "rx_wire_time"), 6);
	CHECK_INT(counter(b, "rx_no_wire_time"), 0);
	/* counted as the frames they are, without the trailer */
	CHECK_INT(counter(a, "tx_bytes"), 1 + 16 + 17 + 60 + 1514 + 9000);
	CHECK_INT(counter(b, "rx_bytes"), 1 + 16 + 17 + 60 + 1514 + 9000);
	net_close(b);
	CHECK(wait_link(a, false, NULL));

	/* the test's own end: what goes on the stream, and a plain peer */
	char path[96];
	snprintf(path, sizeof(path), "%s/w.sock", dir);
	int peer = peer_connect(path);
	REQUIRE(peer >= 0);
	CHECK(wait_link(a, true, NULL));
	fill(want, 60, 1);
	CHECK_INT(net_send_at(a, want, 60, 0x1122334455667788ull), 0);
	CHECK_INT(peer_recv_frame(peer, got, sizeof(got), a), 60 + 16);
	CHECK_MEM(got, want, 60);
	static const uint8_t trailer[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					     0x77, 0x88, 'f', 'b', 'n', 'i',
					     'c', '-', 'w', 't' };
	CHECK_MEM(got + 60, trailer, 16);
	CHECK(peer_send_frame(peer, want, 60));
	uint64_t at = 7;
	CHECK_INT(wait_frame_at(a, got, NULL, &at), 60);
	CHECK_EQ(at, 0);
	CHECK_INT(counter(a, "rx_no_wire_time"), 1);
	/* off again: QEMU's framing as it is */
	CHECK_INT(net_wire_time(a, false), 0);
	CHECK_INT(net_send_at(a, want, 60, 5), 0);
	CHECK_INT(peer_recv_frame(peer, got, sizeof(got), a), 60);
	close(peer);
	net_close(a);
	rm_tmp();
}

/* A free TCP port on 127.0.0.1 (v6: ::1), bound by nobody once this
 * returns; -1 if there is none (no IPv6). */
static int free_port_on(bool v6)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6,
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sa4 = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *sa = v6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa4;
	socklen_t len = v6 ? sizeof(sa6) : sizeof(sa4);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port = -1;
	if (fd >= 0 && bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0)
		port = ntohs(v6 ? sa6.sin6_port : sa4.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int free_port(void)
{
	return free_port_on(false);
}

static void pair_tcp(const char *host, int port)
{
	char luri[128], curi[128];
	snprintf(luri, sizeof(luri), "stream:tcp:%s:%d,listen", host, port);
	snprintf(curi, sizeof(curi), "stream:tcp:%s:%d,connect", host, port);
	struct net *a = open_uri(luri, NULL);
	REQUIRE(a);
	struct net *b = open_uri(curi, NULL);
	REQUIRE(b);
	CHECK(wait_link(b, true, a));
	CHECK(wait_link(a, true, b));
	exchange(a, b);
	net_close(b);
	CHECK(wait_link(a, false, NULL));
	net_close(a);
}

static void test_stream_pair_tcp(void)
{
	int port = free_port();
	REQUIRE(port > 0);
	pair_tcp("127.0.0.1", port);
	port = free_port_on(true);
	if (port > 0)
		pair_tcp("[::1]", port);
	else
		printf("  (no IPv6 loopback: [::1] not tried)\n");
}

/* A peer that does not read: frames wait in the queue (in order, split
 * wherever the socket cut them) until it is full; then a frame is refused
 * for now (-EAGAIN, nothing taken, nothing dropped) and room is reported
 * only once the peer has read; the peer gets every frame that was
 * accepted, intact. */
static void send_queue(struct net *n, int peer)
{
	static uint8_t f[9000], got[NET_FRAME_MAX];
	/* Until the first refusal (the socket's buffer and the queue are
	 * full); bounded, in case the kernel buffers without end. */
	unsigned accepted = 0;
	int r = 0;
	for (unsigned i = 0; i < 20000 && r == 0; i++) {
		fill(f, sizeof(f), i);
		memcpy(f, &i, sizeof(i));
		r = net_send(n, f, sizeof(f));
		accepted += r == 0;
	}
	CHECK_INT(r, -EAGAIN);
	CHECK(accepted > 0);
	CHECK(counter(n, "tx_queued") > 0);
	CHECK_INT(counter(n, "tx_full"), 1);
	CHECK_INT(counter(n, "tx_frames"), accepted);
	CHECK_INT(counter(n, "tx_drop_no_peer"), 0);
	CHECK_INT(counter(n, "tx_drop_error"), 0);
	/* Refused again while full; no room while the peer does not read.
	 * (A TCP socket may have made room since, moving data to the peer's
	 * receive queue after the call returned: what it takes now is
	 * taken in order, until it refuses again.) */
	for (unsigned i = 0; i < 20000; i++) {
		r = net_send(n, f, sizeof(f));
		if (r != 0)
			break;
		accepted++;
		fill(f, sizeof(f), accepted);
		memcpy(f, &accepted, sizeof(accepted));
	}
	CHECK_INT(r, -EAGAIN);
	CHECK_INT(counter(n, "tx_full"), 2);
	CHECK_INT(counter(n, "tx_frames"), accepted);
	net_service(n);
	CHECK(!net_tx_room(n));
	CHECK_INT(counter(n, "tx_rooms"), 0);
	for (unsigned i = 0; i < accepted; i++) {
		long len = peer_recv_frame(peer, got, sizeof(got), n);
		CHECK_INT(len, sizeof(f));
		if (len != sizeof(f))
			break;
		fill(f, sizeof(f), i);
		memcpy(f, &i, sizeof(i));
		if (memcmp(got, f, sizeof(f))) {
			test_fail(__FILE__, __LINE__, "frame %u differs", i);
			break;
		}
	}
	/* The peer read the queue down: room, reported once. */
	net_service(n);
	CHECK(net_tx_room(n));
	CHECK(!net_tx_room(n));
	CHECK_INT(counter(n, "tx_rooms"), 1);
	CHECK_INT(net_send(n, f, sizeof(f)), 0);
	/* Fill it again, then the peer goes: the queued frames are lost,
	 * counted, and the refused sender hears of room (frames are dropped
	 * without a peer, not held). */
	for (unsigned i = 0; i < 20000 && net_send(n, f, sizeof(f)) == 0; i++)
		;
	CHECK_INT(counter(n, "tx_full"), 3);
	close(peer);
	CHECK(wait_link(n, false, NULL));
	CHECK(counter(n, "tx_drop_disconnect") > 0);
	CHECK(net_tx_room(n));
	CHECK_INT(net_send(n, f, sizeof(f)), -ENOTCONN);
	CHECK_INT(counter(n, "tx_drop_no_peer"), 1);
}

static void test_stream_send_queue_unix(void)
{
	mkdir_tmp();
	int peer;
	struct net *n = listen_with_peer(&peer, NULL);
	REQUIRE(n);
	send_queue(n, peer);
	net_close(n);
	rm_tmp();
}

/* TCP writes stop anywhere, mid-prefix or mid-frame: the queue carries
 * the rest of a frame the socket took in part. */
static void test_stream_send_queue_tcp(void)
{
	int port = free_port();
	REQUIRE(port > 0);
	char uri[128];
	snprintf(uri, sizeof(uri), "stream:tcp:127.0.0.1:%d,listen", port);
	struct net *n = open_uri(uri, NULL);
	REQUIRE(n);
	int peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int small = 4096;
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK(connect(peer, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	if (wait_link(n, true, NULL))
		send_queue(n, peer);
	else
		close(peer);
	net_close(n);
}

/* ---- pcap ---------------------------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(1 << 20);
	*len = buf ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	return buf;
}

/* Every frame both ways, in order, in a file a reader takes (classic
 * pcap: the header and each record checked field by field). */
static time_t realtime_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static void test_pcap_records_both_ways(void)
{
	mkdir_tmp();
	char pcap[96];
	snprintf(pcap, sizeof(pcap), "%s/x.pcap", dir);
	/* CLOCK_REALTIME, as the records are stamped: glibc's time() reads
	 * the coarse clock, which can still say the last second after the
	 * records' clock has turned (all ten records failed once) */
	time_t t0 = realtime_s();
	int peer;
	struct net *n = listen_with_peer(&peer, pcap);
	REQUIRE(n);
	static uint8_t frames[10][1600], got[NET_FRAME_MAX];
	size_t lens[10];
	for (int i = 0; i < 10; i++) {
		lens[i] = 14 + (size_t)i * 150;
		fill(frames[i], lens[i], (unsigned)i);
		if (i % 2) { /* odd: received */
			CHECK(peer_send_frame(peer, frames[i], (uint32_t)lens[i]));
			CHECK_INT(wait_frame(n, got, NULL), lens[i]);
		} else {
			CHECK_INT(net_send(n, frames[i], lens[i]), 0);
			CHECK_INT(peer_recv_frame(peer, got, sizeof(got), n), lens[i]);
		}
	}
	/* refused frames are not recorded */
	CHECK_INT(net_send(n, got, 0), -EMSGSIZE);
	close(peer);
	CHECK(wait_link(n, false, NULL));
	CHECK_INT(net_send(n, frames[0], lens[0]), -ENOTCONN);
	/* the file is complete before close (a killed process leaves it) */
	size_t len;
	uint8_t *buf = slurp(pcap, &len);
	net_close(n);
	time_t t1 = realtime_s();
	REQUIRE(buf);
	size_t want = 24;
	for (int i = 0; i < 10; i++)
		want += 16 + lens[i];
	CHECK_INT(len, want);
	REQUIRE(len >= 24);
	CHECK_EQ(rd32(buf), 0xa1b2c3d4u);
	CHECK_INT(rd16(buf + 4), 2);
	CHECK_INT(rd16(buf + 6), 4);
	CHECK_INT(rd32(buf + 8), 0);  /* thiszone */
	CHECK_INT(rd32(buf + 12), 0); /* sigfigs */
	CHECK_INT(rd32(buf + 16), 65535);
	CHECK_INT(rd32(buf + 20), 1); /* LINKTYPE_ETHERNET */
	size_t at = 24;
	uint64_t last_us = 0;
	for (int i = 0; i < 10 && at + 16 <= len; i++) {
		uint32_t sec = rd32(buf + at), usec = rd32(buf + at + 4);
		CHECK(sec >= (uint32_t)t0 && sec <= (uint32_t)t1);
		CHECK(usec < 1000000);
		uint64_t us = (uint64_t)sec * 1000000 + usec;
		CHECK(us >= last_us);
		last_us = us;
		CHECK_INT(rd32(buf + at + 8), lens[i]);
		CHECK_INT(rd32(buf + at + 12), lens[i]);
		REQUIRE(at + 16 + lens[i] <= len);
		CHECK_MEM(buf + at + 16, frames[i], lens[i]);
		at += 16 + lens[i];
	}
	CHECK_INT(at, len);
	free(buf);
	rm_tmp();
}

/* A frame beyond the snaplen is cut, its length kept. */
static void test_pcap_snaplen(void)
{
	mkdir_tmp();
	char path[96];
	snprintf(path, sizeof(path), "%s/big.pcap", dir);
	int fd = pcap_create(path);
	REQUIRE(fd >= 0);
	static uint8_t big[70000];
	fill(big, sizeof(big), 1);
	CHECK_INT(pcap_record(fd, big, sizeof(big)), 0);
	close(fd);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	REQUIRE(buf);
	CHECK_INT(len, 24 + 16 + 65535);
	CHECK_INT(rd32(buf + 24 + 8), 65535);
	CHECK_INT(rd32(buf + 24 + 12), 70000);
	CHECK(len < 24 + 16 + 65535 || !memcmp(buf + 40, big, 65535));
	free(buf);
	/* an unwritable path: an error, not a crash */
	snprintf(path, sizeof(path), "%s/no/such/dir.pcap", dir);
	CHECK(pcap_create(path) < 0);
	rm_tmp();
}

/* ---- tap ----------------------------------------------------------------- */

#define TAP_NAME "fbnt0"
#define TEST_ETHERTYPE 0x88b5 /* IEEE 802 local experimental */

static int if_up(const char *name)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	int r = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 ? 0 : -1;
	ifr.ifr_flags |= IFF_UP;
	if (r == 0 && ioctl(s, SIOCSIFFLAGS, &ifr))
		r = -1;
	if (s >= 0)
		close(s);
	return r;
}

/* A packet socket on the interface: what the kernel sends out of it and
 * how we send into it. */
static int packet_socket(const char *name)
{
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex(name) };
	if (s >= 0 && bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		close(s);
		return -1;
	}
	return s;
}

/* Wait (up to WAIT_MS) on packet socket ps for a packet of exactly want
 * bytes into buf, equal to match unless that is NULL (the kernel's own
 * frames, IPv6 solicitations and such, are skipped): true if one came. */
static bool packet_wait(int ps, uint8_t *buf, size_t cap, size_t want,
			const uint8_t *match)
{
	for (uint64_t end = now_ms() + WAIT_MS; now_ms() < end;) {
		struct pollfd pf = { ps, POLLIN, 0 };
		if (poll(&pf, 1, 50) != 1)
			continue;
		if (recv(ps, buf, cap, 0) == (ssize_t)want &&
		    (!match || !memcmp(buf, match, want)))
			return true;
	}
	return false;
}

static void test_frame(uint8_t *f, size_t len, uint8_t tag)
{
	memset(f, 0xff, 6);                      /* broadcast */
	memcpy(f + 6, "\x02\xfb\x00\x00\x00\x09", 6);
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(tag + i);
}

/* A TCP/IPv4 packet (PSH ACK) of n payload bytes with sequence number
 * seq and IPv4 id into f, as Linux hands one to be segmented: its TCP
 * checksum field the pseudo-header's sum, length included.  Its length
 * (0 if it could not be built); the offsets of its IP and TCP headers
 * and payload in *l3, *l4, *po. */
static size_t gso_tcp4(uint8_t *f, size_t cap, const uint8_t *pay, size_t n,
		       uint32_t seq, uint16_t id, size_t *l3, size_t *l4,
		       size_t *po)
{
	struct pr_spec sp = { .ip = 4, .proto = 6, .seq = seq,
			      .tcp_flags = 0x18, .payload = pay,
			      .payload_len = n, .ip_id = id };
	size_t len = pr_build(f, cap, &sp, l3, l4, po);
	uint32_t ph;
	if (len != 14 + 20 + 20 + n ||
	    pkt_csum_pseudo_ipv4(f + *l3 + 12, f + *l3 + 16, 6, len - *l4, &ph))
		return 0;
	pkt_put_be16(f + *l4 + 16, pkt_csum_fold(ph));
	return len;
}

/* A packet socket on the tap that reads and writes a virtio-net header
 * before each frame (PACKET_VNET_HDR), or -1. */
static int vnet_packet_socket(void)
{
	int ps = packet_socket(TAP_NAME), one = 1;
	if (ps >= 0 && setsockopt(ps, SOL_PACKET, PACKET_VNET_HDR, &one,
				  sizeof(one))) {
		close(ps);
		return -1;
	}
	return ps;
}

/* net_send_gso: a TCP packet for the kernel to segment goes in whole
 * with its virtio-net header; a packet socket asking for the header
 * (PACKET_VNET_HDR) sees what the kernel made of it: GSO TCPV4 with the
 * MSS, a partial checksum from the TCP header, the bytes as sent.  The
 * tap stays up; its own frames (IPv6 solicitations) are skipped. */
static void tap_gso(struct net *n)
{
	CHECK(net_can_gso(n));
	static uint8_t f[3200], got[NET_FRAME_MAX + 64];
	static uint8_t pay[3000];
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 5);
	size_t l3, l4, po;
	size_t len = gso_tcp4(f, sizeof(f), pay, sizeof(pay), 7, 3, &l3, &l4,
			      &po);
	REQUIRE(len);
	int ps = vnet_packet_socket();
	REQUIRE(ps >= 0);
	struct net_gso g = { .v6 = false, .mss = 1000, .hdr_len = (uint16_t)po,
			     .csum_start = (uint16_t)l4, .csum_offset = 16 };
	CHECK_INT(net_send_gso(n, f, len, &g), 0);
	CHECK_INT(counter(n, "tx_gso"), 1);
	struct virtio_net_hdr h;
	bool seen = packet_wait(ps, got, sizeof(got), sizeof(h) + len, NULL);
	CHECK(seen);
	if (seen) {
		memcpy(&h, got, sizeof(h));
		CHECK_INT(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
		CHECK_INT(h.gso_size, 1000);
		CHECK(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
		CHECK_INT(h.csum_start, l4);
		CHECK_INT(h.csum_offset, 16);
		CHECK_MEM(got + sizeof(h), f, len);
	}
	close(ps);
}

/* The next IPv4 or IPv6 frame the backend reads from the tap (the
 * kernel's own IPv6 solicitations skipped): its length, or -ETIMEDOUT. */
static int wait_ip_frame(struct net *n, uint8_t *buf, uint8_t l4_proto)
{
	for (int k = 0; k < 20; k++) {
		int r = wait_frame(n, buf, NULL);
		struct pkt_info pi;
		if (r < 0)
			return r;
		pkt_parse(buf, (size_t)r, &pi);
		if (pi.l3 != PKT_L3_NONE && pi.l4_proto == l4_proto)
			return r;
	}
	return -ETIMEDOUT;
}

/* The host's offloads: a packet socket with PACKET_VNET_HDR sends out of
 * the tap a TCP/IPv4 packet of 3000 payload bytes left to be segmented
 * (GSO TCPV4, MSS 1000, its checksum field holding Linux's seed) and a
 * UDP/IPv6 datagram with its checksum left undone (NEEDS_CSUM).  The
 * backend hands over 3 wire frames, each with correct checksums, the
 * sequence and IPv4 id stepping, the payload whole; then the datagram
 * with its checksum completed. */
static void tap_offloads_in(struct net *n)
{
	static uint8_t f[3200], got[NET_FRAME_MAX], joined[3000];
	static uint8_t pkt[sizeof(struct virtio_net_hdr) + sizeof(f)];
	static uint8_t pay[3000];
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 7 + 1);
	size_t l3, l4, po;
	size_t len = gso_tcp4(f, sizeof(f), pay, sizeof(pay), 0xfffffc00u,
			      0xffff, &l3, &l4, &po);
	REQUIRE(len);
	int ps = vnet_packet_socket();
	REQUIRE(ps >= 0);
	uint32_t ph;
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = (uint16_t)po,
		.gso_size = 1000, .csum_start = (uint16_t)l4,
		.csum_offset = 16,
	};
	memcpy(pkt, &h, sizeof(h));
	memcpy(pkt + sizeof(h), f, len);
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = (int)if_nametoindex(TAP_NAME),
				  .sll_halen = 6 };
	memcpy(to.sll_addr, f, 6);
	CHECK(sendto(ps, pkt, sizeof(h) + len, 0, (struct sockaddr *)&to,
		     sizeof(to)) == (ssize_t)(sizeof(h) + len));
	size_t joined_len = 0;
	for (unsigned k = 0; k < 3; k++) {
		int r = wait_ip_frame(n, got, 6);
		CHECK_INT(r, po + 1000);
		if (r != (int)(po + 1000))
			break;
		struct pkt_info pi;
		CHECK_INT(pkt_parse(got, (size_t)r, &pi), 0);
		CHECK_INT(pkt_l4_csum_verify(got, (size_t)r, &pi), 0);
		CHECK_INT(pkt_ipv4_csum_verify(got, (size_t)r, &pi), 0);
		CHECK_EQ(pkt_get_be16(got + l3 + 4), (uint16_t)(0xffff + k));
		CHECK_EQ(pkt_get_be32(got + l4 + 4), 0xfffffc00u + k * 1000);
		CHECK_EQ(got[l4 + 13], k == 2 ? 0x18 : 0x10); /* PSH last */
		memcpy(joined + joined_len, got + po, 1000);
		joined_len += 1000;
	}
	CHECK_MEM(joined, pay, sizeof(pay));
	CHECK_INT(counter(n, "rx_gso"), 1);
	CHECK_INT(counter(n, "rx_gso_frames"), 3);

	/* a datagram with its checksum left to be completed */
	struct pr_spec su = { .ip = 6, .proto = 17, .payload = pay,
			      .payload_len = 333 };
	len = pr_build(f, sizeof(f), &su, &l3, &l4, &po);
	uint8_t want[400];
	REQUIRE(len <= sizeof(want));
	memcpy(want, f, len);
	REQUIRE(pkt_csum_pseudo_ipv6(f + l3 + 8, f + l3 + 24, 17, len - l4,
				     &ph) == 0);
	pkt_put_be16(f + l4 + 6, pkt_csum_fold(ph));
	h = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = (uint16_t)l4,
				     .csum_offset = 6 };
	memcpy(pkt, &h, sizeof(h));
	memcpy(pkt + sizeof(h), f, len);
	CHECK(sendto(ps, pkt, sizeof(h) + len, 0, (struct sockaddr *)&to,
		     sizeof(to)) == (ssize_t)(sizeof(h) + len));
	int r = wait_ip_frame(n, got, 17);
	CHECK_INT(r, len);
	if (r == (int)len)
		CHECK_MEM(got, want, len);
	CHECK_INT(counter(n, "rx_csum"), 1);
	CHECK_INT(counter(n, "rx_drop_offload"), 0);
	close(ps);
}

/* In the child, inside its own network namespace. */
static void tap_in_netns(void)
{
	struct net *n = open_uri("tap:" TAP_NAME, NULL);
	REQUIRE(n);
	CHECK(net_link(n));
	/* the host's frames carry no wire time (--clock virtual) */
	CHECK_INT(net_wire_time(n, true), -EOPNOTSUPP);
	/* a tap has one owner: the second open fails cleanly (EBUSY) */
	CHECK(open_uri("tap:" TAP_NAME, NULL) == NULL);
	uint8_t f[200], got[NET_FRAME_MAX];
	test_frame(f, sizeof(f), 1);
	/* down: the kernel refuses the frame (EIO), counted */
	CHECK_INT(net_send(n, f, sizeof(f)), -EIO);
	CHECK_INT(counter(n, "tx_drop_down"), 1);
	REQUIRE(if_up(TAP_NAME) == 0);
	int ps = packet_socket(TAP_NAME);
	REQUIRE(ps >= 0);
	/* backend -> the interface's receive path: the packet socket sees it */
	CHECK_INT(net_send(n, f, sizeof(f)), 0);
	bool seen = packet_wait(ps, got, sizeof(got), sizeof(f), f);
	CHECK(seen);
	/* the interface transmits -> the backend receives (the kernel's own
	 * frames, IPv6 router solicitations and such, are skipped) */
	test_frame(f, sizeof(f), 2);
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = (int)if_nametoindex(TAP_NAME),
				  .sll_halen = 6 };
	memset(to.sll_addr, 0xff, 6);
	CHECK(sendto(ps, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) ==
	      (ssize_t)sizeof(f));
	seen = false;
	for (int k = 0; k < 20 && !seen; k++) {
		int r = wait_frame(n, got, NULL);
		if (r < 0)
			break;
		seen = r == (int)sizeof(f) && !memcmp(got, f, sizeof(f));
	}
	CHECK(seen);
	close(ps);
	tap_gso(n);
	tap_offloads_in(n);
	/* The interface deleted under the backend: the kernel says so on
	 * the fd (EPOLLERR), the link goes down, sends fail, counted. */
	if (system("ip link del " TAP_NAME " 2>/dev/null") == 0) {
		CHECK(wait_link(n, false, NULL));
		CHECK(net_send(n, f, sizeof(f)) < 0);
		CHECK_INT(counter(n, "tx_drop_error"), 1);
	} else {
		printf("  (ip link del unavailable: interface loss not tried)\n");
	}
	net_close(n);
	/* closed: the non-persistent tap is gone */
	CHECK_INT(if_nametoindex(TAP_NAME), 0);
}

static void test_tap_in_private_netns(void)
{
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
		printf("  skip test_tap_in_private_netns: needs root and "
		       "/dev/net/tun\n");
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		/* Nothing leaves this namespace: it has only the tap (and a
		 * loopback that stays down). */
		if (unshare(CLONE_NEWNET)) {
			printf("  skip test_tap_in_private_netns: unshare: %s\n",
			       strerror(errno));
			fflush(NULL);
			_exit(0);
		}
		tap_in_netns();
		fflush(NULL);
		_exit(test_failures ? 1 : 0);
	}
	int st;
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST_MAIN("unit-net", TEST_CASE(test_uri_good), TEST_CASE(test_uri_bad),
	  TEST_CASE(test_stream_sizes_both_ways),
	  TEST_CASE(test_stream_reassembly),
	  TEST_CASE(test_stream_bad_length_drops_peer),
	  TEST_CASE(test_stream_disconnect_reconnect),
	  TEST_CASE(test_stream_pair_unix), TEST_CASE(test_stream_pair_tcp),
	  TEST_CASE(test_stream_wire_time),
	  TEST_CASE(test_stream_send_queue_unix),
	  TEST_CASE(test_stream_send_queue_tcp),
	  TEST_CASE(test_pcap_records_both_ways), TEST_CASE(test_pcap_snaplen),
	  TEST_CASE(test_tap_in_private_netns))
