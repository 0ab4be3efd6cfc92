/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The net thread (net/pump.h) on a real stream backend, with a consumer
 * the test controls: a frame answered "no room" is kept and offered again
 * after a resume, nothing more is read meanwhile, frames come in order,
 * and the backend's link reaches the consumer.  Waits are bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "net/pump.h"
#include "test.h"

#define WAIT_S 5 /* a stall, not a speed */
#define MAX_OFFERS 64

/* The consumer: records what it is offered and answers `answer`. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int answer;
	unsigned offers;
	uint8_t seq[MAX_OFFERS]; /* the first byte of each offered frame */
	size_t len[MAX_OFFERS];
	uint64_t at[MAX_OFFERS]; /* when the net thread read it */
	unsigned links;
	bool link;
	unsigned tx_rooms; /* tx_room() calls */
} c = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static int deliver(void *opaque, const void *frame, size_t len, uint64_t at)
{
	(void)opaque;
	pthread_mutex_lock(&c.lock);
	if (c.offers < MAX_OFFERS) {
		c.seq[c.offers] = ((const uint8_t *)frame)[0];
		c.len[c.offers] = len;
		c.at[c.offers] = at;
	}
	c.offers++;
	int r = c.answer;
	pthread_cond_broadcast(&c.cond);
	pthread_mutex_unlock(&c.lock);
	return r;
}

static void link_cb(void *opaque, bool up)
{
	(void)opaque;
	pthread_mutex_lock(&c.lock);
	c.links++;
	c.link = up;
	pthread_cond_broadcast(&c.cond);
	pthread_mutex_unlock(&c.lock);
}

static void reset_consumer(int answer)
{
	pthread_mutex_lock(&c.lock);
	c.answer = answer;
	c.offers = 0;
	c.links = 0;
	c.link = true;
	c.tx_rooms = 0;
	pthread_mutex_unlock(&c.lock);
}

static void set_answer(int answer)
{
	pthread_mutex_lock(&c.lock);
	c.answer = answer;
	pthread_mutex_unlock(&c.lock);
}

/* Wait until *what >= want (under the consumer's lock); false on timeout. */
static bool wait_count(const unsigned *what, unsigned want)
{
	struct timespec end;
	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += WAIT_S;
	pthread_mutex_lock(&c.lock);
	int r = 0;
	while (*what < want && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&c.cond, &c.lock, &end);
	bool ok = *what >= want;
	pthread_mutex_unlock(&c.lock);
	return ok;
}

static long long dump_value(struct net *n, struct net_pump *p,
			    const char *key)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -1;
	fputc('\n', f);
	net_dump(n, f);
	net_pump_dump(p, f);
	fclose(f);
	char k[64];
	snprintf(k, sizeof(k), "\n%s ", key);
	char *at = strstr(text, k);
	long long v = at ? strtoll(at + strlen(k), NULL, 10) : -1;
	free(text);
	return v;
}

/* The pump counts an offer after the consumer answered it: wait for the
 * dump to show want (bounded), then return what it shows. */
static long long wait_value(struct net *n, struct net_pump *p,
			    const char *key, long long want)
{
	long long v = dump_value(n, p, key);
	for (int i = 0; v != want && i < WAIT_S * 1000; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
		v = dump_value(n, p, key);
	}
	return v;
}
#define CHECK_VALUE(key, want) CHECK_INT(wait_value(n, p, key, want), want)

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

/* A listening stream backend at DIR/s.sock, DIR made from its template;
 * the socket's path into path. */
static struct net *listen_in(char *dir, char *path, size_t cap)
{
	if (!mkdtemp(dir))
		return NULL;
	char uri[96];
	snprintf(path, cap, "%s/s.sock", dir);
	snprintf(uri, sizeof(uri), "stream:unix:%s,listen", path);
	struct net_uri u;
	const char *why;
	if (net_uri_parse(uri, &u, &why))
		return NULL;
	return net_open(&u, NULL);
}

static void tx_room_cb(void *opaque)
{
	(void)opaque;
	pthread_mutex_lock(&c.lock);
	c.tx_rooms++;
	pthread_cond_broadcast(&c.cond);
	pthread_mutex_unlock(&c.lock);
}

/* Frame k: 60 bytes starting with k, framed as QEMU's stream does; with
 * a wire-time trailer (net.h) saying t if timed. */
static bool send_framed(int fd, uint8_t k, bool timed, uint64_t t)
{
	uint8_t buf[4 + 60 + NET_WIRE_TRAILER] = { 0 };
	uint32_t len = 60 + (timed ? NET_WIRE_TRAILER : 0), be = htonl(len);
	memcpy(buf, &be, 4);
	buf[4] = k;
	if (timed) {
		for (unsigned i = 0; i < 8; i++)
			buf[4 + 60 + i] = (uint8_t)(t >> (56 - 8 * i));
		memcpy(buf + 4 + 60 + 8, NET_WIRE_MAGIC, 8);
	}
	return send(fd, buf, 4 + len, MSG_NOSIGNAL) == (ssize_t)(4 + len);
}

static bool send_frame(int fd, uint8_t k)
{
	return send_framed(fd, k, false, 0);
}

static void test_hold_resume_and_link(void)
{
	char dir[] = "/tmp/fbnic-pump-test.XXXXXX", path[64];
	struct net *n = listen_in(dir, path, sizeof(path));
	REQUIRE(n);
	reset_consumer(-EAGAIN);
	struct net_pump_ops ops = { .deliver = deliver, .link = link_cb };
	struct net_pump *p = net_pump_create(n, &ops);
	REQUIRE(p);
	REQUIRE(net_pump_start(p) == 0);

	/* No peer yet: the consumer hears "down" at once. */
	CHECK(wait_count(&c.links, 1));
	CHECK(!c.link);
	int peer = peer_connect(path);
	REQUIRE(peer >= 0);
	CHECK(wait_count(&c.links, 2));
	CHECK(c.link);

	/* A resume with nothing held offers nothing.  The net thread must
	 * have looked at it before frame 1 comes, or it would count as the
	 * resume below. */
	net_pump_resume(p);
	CHECK_VALUE("net.resume_pending", 0);
	CHECK_INT(c.offers, 0);

	/* Frame 1 finds no room: held, reading stops.  Frames 2 and 3
	 * are in the socket before the next wake-up. */
	CHECK(send_frame(peer, 1));
	CHECK(wait_count(&c.offers, 1));
	CHECK(send_frame(peer, 2));
	CHECK(send_frame(peer, 3));
	/* A resume while there is still no room: frame 1 is offered again,
	 * and only frame 1. */
	net_pump_resume(p);
	CHECK(wait_count(&c.offers, 2));
	CHECK_INT(c.seq[0], 1);
	CHECK_INT(c.seq[1], 1);
	/* the time it was read, not the time it is offered again (its RX
	 * timestamp) */
	CHECK_EQ(c.at[1], c.at[0]);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	CHECK(c.at[0] > 0 && c.at[0] <= now);
	CHECK_VALUE("net.holding", 1);
	CHECK_VALUE("net.rx_paused", 1);
	CHECK_VALUE("net.rx_frames", 1);
	CHECK_VALUE("net.rx_held", 2);

	/* Room: frame 1 is taken, then 2 and 3, in order. */
	set_answer(0);
	net_pump_resume(p);
	CHECK(wait_count(&c.offers, 5));
	CHECK_INT(c.seq[2], 1);
	CHECK_EQ(c.at[2], c.at[0]);
	CHECK_INT(c.seq[3], 2);
	CHECK_INT(c.seq[4], 3);
	CHECK(c.at[3] > c.at[0] && c.at[4] >= c.at[3]);
	CHECK_INT(c.len[4], 60);
	CHECK_VALUE("net.holding", 0);
	CHECK_VALUE("net.rx_paused", 0);
	CHECK_VALUE("net.rx_frames", 3);
	CHECK_VALUE("net.rx_pauses", 1);
	CHECK_VALUE("net.rx_resumes", 2);

	/* A frame the consumer drops: counted, reading goes on. */
	set_answer(-ENETDOWN);
	CHECK(send_frame(peer, 4));
	CHECK(wait_count(&c.offers, 6));
	set_answer(0);
	CHECK(send_frame(peer, 5));
	CHECK(wait_count(&c.offers, 7));
	CHECK_INT(c.seq[6], 5);
	CHECK_VALUE("net.rx_refused", 1);
	CHECK_VALUE("net.rx_offers", 7);

	/* Held when the peer goes: the link drops all the same (the frame
	 * stays held for the consumer). */
	set_answer(-EAGAIN);
	CHECK(send_frame(peer, 6));
	CHECK(wait_count(&c.offers, 8));
	close(peer);
	CHECK(wait_count(&c.links, 3));
	CHECK(!c.link);
	CHECK_VALUE("net.link_changes", 3);
	CHECK_VALUE("net.holding", 1);

	net_pump_stop(p);
	net_pump_destroy(p);
	net_close(n);
	rmdir(dir);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}


/* With wire time on, a frame's arrival is the time it left the peer's
 * MAC plus the cable's delay (NET_WIRE_DELAY_NS), when that is before
 * it was read; a time from the future, 0, or one too close to the read
 * to have crossed the cable, leaves the read time (a peer's time is
 * input); a frame without a trailer is read as it is. */
static void test_wire_time_arrival(void)
{
	char dir[] = "/tmp/fbnic-pump-test.XXXXXX", path[64];
	struct net *n = listen_in(dir, path, sizeof(path));
	REQUIRE(n);
	REQUIRE(net_wire_time(n, true) == 0);
	reset_consumer(0);
	struct net_pump_ops ops = { .deliver = deliver, .link = link_cb };
	struct net_pump *p = net_pump_create(n, &ops);
	REQUIRE(p);
	REQUIRE(net_pump_start(p) == 0);
	int peer = peer_connect(path);
	REQUIRE(peer >= 0);
	CHECK(wait_count(&c.links, 2));

	uint64_t t0 = mono_ns();
	uint64_t past = t0 - 5000000; /* 5 ms ago */
	CHECK(send_framed(peer, 1, true, past));
	CHECK(send_framed(peer, 2, true, t0 + 60000000000ull)); /* in a minute */
	CHECK(send_framed(peer, 3, true, 0));
	CHECK(send_frame(peer, 4));
	CHECK(wait_count(&c.offers, 4));
	uint64_t t1 = mono_ns();
	CHECK_EQ(c.at[0], past + NET_WIRE_DELAY_NS);
	for (unsigned i = 1; i < 4; i++)
		CHECK(c.at[i] >= t0 && c.at[i] <= t1);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_INT(c.seq[i], (int)i + 1);
		CHECK_INT(c.len[i], 60);
	}
	/* a time of 0 is none */
	CHECK_VALUE("net.rx_wire_time", 2);
	CHECK_VALUE("net.rx_no_wire_time", 2);
	close(peer);
	net_pump_stop(p);
	net_pump_destroy(p);
	net_close(n);
	rmdir(dir);
}

/* TX back-pressure: a send refused for room (the peer does not read) is
 * followed by tx_room() once the peer reads, from the pump's thread. */
static void test_tx_room_after_refusal(void)
{
	char dir[] = "/tmp/fbnic-pump-test.XXXXXX", path[64];
	struct net *n = listen_in(dir, path, sizeof(path));
	REQUIRE(n);
	reset_consumer(0);
	struct net_pump_ops ops = { .deliver = deliver, .link = link_cb,
				    .tx_room = tx_room_cb };
	struct net_pump *p = net_pump_create(n, &ops);
	REQUIRE(p);
	REQUIRE(net_pump_start(p) == 0);
	int peer = peer_connect(path);
	REQUIRE(peer >= 0);
	CHECK(wait_count(&c.links, 2));

	static uint8_t f[9000];
	int r = 0;
	for (unsigned i = 0; i < 20000 && r == 0; i++)
		r = net_send(n, f, sizeof(f));
	CHECK_INT(r, -EAGAIN);
	CHECK_INT(c.tx_rooms, 0);
	/* The peer reads everything it gets until the device hears. */
	static uint8_t sink[1 << 16];
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += WAIT_S;
	for (;;) {
		pthread_mutex_lock(&c.lock);
		unsigned rooms = c.tx_rooms;
		pthread_mutex_unlock(&c.lock);
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (rooms || now.tv_sec > end.tv_sec)
			break;
		if (recv(peer, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	CHECK_INT(c.tx_rooms, 1);
	CHECK_VALUE("net.tx_rooms", 1);
	CHECK_VALUE("net.tx_wakes", 1);
	CHECK_INT(net_send(n, f, sizeof(f)), 0);
	close(peer);
	net_pump_stop(p);
	net_pump_destroy(p);
	net_close(n);
	rmdir(dir);
}

TEST_MAIN("unit-net-pump", TEST_CASE(test_hold_resume_and_link),
	  TEST_CASE(test_tx_room_after_refusal),
	  TEST_CASE(test_wire_time_arrival))
