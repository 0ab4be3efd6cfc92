/* SPDX-License-Identifier: Apache-2.0 */
#include "pump.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "net.h"
#include "util/clock.h"
#include "util/log.h"

#define SUB "net"
/* Frames read in a row before the backend is serviced again. */
#define BATCH 64

struct net_pump_stats {
	NET_PUMP_COUNTERS(COUNTER_FIELD)
};

struct net_pump {
	struct net *net;
	struct net_pump_ops ops;
	int wake_fd;
	pthread_t thread;
	bool started;
	atomic_bool stopping;
	atomic_bool resume; /* net_pump_resume() since the last look */
	/* The pump thread's own: */
	bool link;         /* last reported */
	bool holding;      /* buf holds a frame the consumer had no room for */
	size_t held_len;
	uint64_t held_at;  /* when it was read */
	uint8_t *buf;      /* NET_FRAME_MAX */
	pthread_mutex_t stats_lock; /* stats and `holding` for the dump */
	struct net_pump_stats stats;
};

static void wake(struct net_pump *p)
{
	uint64_t one = 1;
	ssize_t n = write(p->wake_fd, &one, sizeof(one));
	(void)n;
}

/* Offer buf[0, len), read at time at: taken or dropped (false), or held
 * (true). */
static bool offer(struct net_pump *p, size_t len, uint64_t at)
{
	int r = p->ops.deliver(p->ops.opaque, p->buf, len, at);
	pthread_mutex_lock(&p->stats_lock);
	p->stats.rx_offers++;
	if (r == -EAGAIN)
		p->stats.rx_held++;
	else if (r)
		p->stats.rx_refused++;
	p->holding = r == -EAGAIN;
	pthread_mutex_unlock(&p->stats_lock);
	return r == -EAGAIN;
}

static void check_link(struct net_pump *p)
{
	bool up = net_link(p->net);
	if (up == p->link)
		return;
	p->link = up;
	pthread_mutex_lock(&p->stats_lock);
	p->stats.link_changes++;
	pthread_mutex_unlock(&p->stats_lock);
	p->ops.link(p->ops.opaque, up);
}

/* net_tx_room releases the backend's lock before tx_room() runs. */
static void check_tx_room(struct net_pump *p)
{
	if (!net_tx_room(p->net) || !p->ops.tx_room)
		return;
	pthread_mutex_lock(&p->stats_lock);
	p->stats.tx_wakes++;
	pthread_mutex_unlock(&p->stats_lock);
	p->ops.tx_room(p->ops.opaque);
}

static void *pump_thread(void *arg)
{
	struct net_pump *p = arg;
	bool more = false; /* the last batch stopped short: read on */
	check_link(p); /* a stream starts without its peer */
	while (!atomic_load(&p->stopping)) {
		struct pollfd pf[2] = {
			{ .fd = p->wake_fd, .events = POLLIN },
			{ .fd = net_fd(p->net), .events = POLLIN },
		};
		if (poll(pf, 2, more ? 0 : -1) < 0 && errno != EINTR) {
			log_err(SUB, "poll: %s: the net thread stops",
				strerror(errno));
			break;
		}
		if (pf[0].revents) {
			uint64_t v;
			ssize_t n = read(p->wake_fd, &v, sizeof(v));
			(void)n;
		}
		if (atomic_exchange(&p->resume, false) && p->holding) {
			pthread_mutex_lock(&p->stats_lock);
			p->stats.rx_resumes++;
			pthread_mutex_unlock(&p->stats_lock);
			if (!offer(p, p->held_len, p->held_at))
				net_rx_pause(p->net, false);
		}
		net_service(p->net);
		check_link(p);
		check_tx_room(p);
		more = false;
		for (unsigned i = 0; !p->holding; i++) {
			if (i == BATCH) {
				more = true;
				break;
			}
			uint64_t wire;
			int len = net_recv_at(p->net, p->buf, NET_FRAME_MAX,
					      &wire);
			if (len == -EAGAIN)
				break;
			if (len <= 0)
				continue; /* dropped, counted by the backend */
			uint64_t at = util_mono_ns();
			/* A frame that says when it left the peer's MAC
			 * arrived a cable's delay later (net_wire_time);
			 * never later than it was read (nor before a time the
			 * peer could not have sent it: a peer's time is
			 * input). */
			if (wire && wire <= at && at - wire > NET_WIRE_DELAY_NS)
				at = wire + NET_WIRE_DELAY_NS;
			if (offer(p, (size_t)len, at)) {
				p->held_len = (size_t)len;
				p->held_at = at;
				net_rx_pause(p->net, true);
			}
		}
		check_link(p); /* reading may have found the peer gone */
	}
	return NULL;
}

struct net_pump *net_pump_create(struct net *n, const struct net_pump_ops *ops)
{
	struct net_pump *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->net = n;
	p->ops = *ops;
	p->link = true;
	pthread_mutex_init(&p->stats_lock, NULL);
	p->buf = malloc(NET_FRAME_MAX);
	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!p->buf || p->wake_fd < 0) {
		log_err(SUB, "cannot create the net thread's state: %s",
			strerror(errno));
		net_pump_destroy(p);
		return NULL;
	}
	return p;
}

int net_pump_start(struct net_pump *p)
{
	atomic_store(&p->stopping, false);
	int r = pthread_create(&p->thread, NULL, pump_thread, p);
	if (r) {
		log_err(SUB, "cannot start the net thread: %s", strerror(r));
		return -r;
	}
	p->started = true;
	return 0;
}

void net_pump_stop(struct net_pump *p)
{
	if (!p->started)
		return;
	atomic_store(&p->stopping, true);
	wake(p);
	pthread_join(p->thread, NULL);
	p->started = false;
}

void net_pump_destroy(struct net_pump *p)
{
	if (!p)
		return;
	net_pump_stop(p);
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	free(p->buf);
	pthread_mutex_destroy(&p->stats_lock);
	free(p);
}

void net_pump_resume(struct net_pump *p)
{
	atomic_store(&p->resume, true);
	wake(p);
}

static const struct counter_desc pump_counters[] = {
#define D(n, h) COUNTER_DESC(struct net_pump_stats, n, h)
	NET_PUMP_COUNTERS(D)
#undef D
};

void net_pump_dump(struct net_pump *p, FILE *out)
{
	pthread_mutex_lock(&p->stats_lock);
	struct net_pump_stats st = p->stats;
	bool holding = p->holding;
	pthread_mutex_unlock(&p->stats_lock);
	fprintf(out, "net.holding %d\n", holding);
	/* 1 from net_pump_resume() until the net thread has looked */
	fprintf(out, "net.resume_pending %d\n", (int)atomic_load(&p->resume));
	counters_dump(out, "net", &st, pump_counters,
		      COUNTER_COUNT(pump_counters));
}
