/* SPDX-License-Identifier: Apache-2.0 */
#include "net.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net_priv.h"
#include "pcap.h"
#include "util/log.h"

#define SUB "net"

/* ---- URI ------------------------------------------------------------- */

/* "1".."65535", decimal digits only. */
static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* A name the kernel takes for an interface (dev_valid_name): 1..15
 * bytes, not "." or "..", no '/', ':' or white space. */
static bool valid_ifname(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || *p == ',' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* HOST:PORT, HOST possibly [IPv6]. */
static int parse_host_port(const char *s, size_t len, struct net_uri *u,
			   const char **why)
{
	const char *host = s, *colon;
	size_t hlen;
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close) {
			*why = "an IPv6 address needs its closing ']'";
			return -EINVAL;
		}
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
		if (colon == s + len || *colon != ':') {
			*why = "missing :PORT after the host";
			return -EINVAL;
		}
	} else {
		colon = memchr(s, ':', len);
		if (!colon) {
			*why = "missing :PORT after the host";
			return -EINVAL;
		}
		hlen = (size_t)(colon - s);
		if (memchr(colon + 1, ':', len - hlen - 1)) {
			*why = "an IPv6 address goes in brackets: [ADDR]:PORT";
			return -EINVAL;
		}
	}
	if (hlen == 0) {
		*why = "missing host";
		return -EINVAL;
	}
	if (hlen >= sizeof(u->addr)) {
		*why = "host name too long";
		return -EINVAL;
	}
	if (!parse_port(colon + 1, len - (size_t)(colon + 1 - s), &u->port)) {
		*why = "the port must be a number 1..65535";
		return -EINVAL;
	}
	memcpy(u->addr, host, hlen);
	u->addr[hlen] = '\0';
	return 0;
}

int net_uri_parse(const char *s, struct net_uri *u, const char **why)
{
	memset(u, 0, sizeof(*u));
	if (!strncmp(s, "tap:", 4)) {
		u->kind = NET_TAP;
		if (!s[4]) {
			*why = "tap: needs an interface name";
			return -EINVAL;
		}
		if (!valid_ifname(s + 4)) {
			*why = "an interface name has 1..15 characters, none of "
			       "'/', ':', ',' or white space (tap takes no options)";
			return -EINVAL;
		}
		strcpy(u->addr, s + 4);
		return 0;
	}
	const char *rest;
	if (!strncmp(s, "stream:unix:", 12)) {
		u->kind = NET_STREAM_UNIX;
		rest = s + 12;
	} else if (!strncmp(s, "stream:tcp:", 11)) {
		u->kind = NET_STREAM_TCP;
		rest = s + 11;
	} else if (!strncmp(s, "stream:", 7)) {
		*why = "a stream is stream:unix:... or stream:tcp:...";
		return -EINVAL;
	} else {
		*why = "unknown backend";
		return -EINVAL;
	}
	const char *comma = strrchr(rest, ',');
	if (!comma) {
		*why = "missing ,listen or ,connect";
		return -EINVAL;
	}
	if (!strcmp(comma + 1, "listen")) {
		u->listen = true;
	} else if (strcmp(comma + 1, "connect")) {
		*why = "the option after the last ',' must be listen or connect";
		return -EINVAL;
	}
	size_t len = (size_t)(comma - rest);
	if (u->kind == NET_STREAM_TCP)
		return parse_host_port(rest, len, u, why);
	if (len == 0) {
		*why = "missing socket path";
		return -EINVAL;
	}
	if (len >= sizeof(u->addr)) {
		*why = "socket path longer than 107 bytes";
		return -EINVAL;
	}
	memcpy(u->addr, rest, len);
	u->addr[len] = '\0';
	return 0;
}

/* ---- the object ------------------------------------------------------- */

struct net *net_open(const struct net_uri *u, const char *pcap_path)
{
	struct net *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->uri = *u;
	n->ops = u->kind == NET_TAP ? &net_tap_ops : &net_stream_ops;
	switch (u->kind) {
	case NET_TAP:
		snprintf(n->name, sizeof(n->name), "tap:%s", u->addr);
		break;
	case NET_STREAM_UNIX:
		snprintf(n->name, sizeof(n->name), "stream:unix:%s,%s", u->addr,
			 u->listen ? "listen" : "connect");
		break;
	case NET_STREAM_TCP:
		snprintf(n->name, sizeof(n->name), "stream:tcp:%s%s%s:%u,%s",
			 strchr(u->addr, ':') ? "[" : "", u->addr,
			 strchr(u->addr, ':') ? "]" : "", u->port,
			 u->listen ? "listen" : "connect");
		break;
	}
	pthread_mutex_init(&n->lock, NULL);
	n->pcap_fd = -1;
	n->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (n->epfd < 0) {
		log_err(SUB, "%s: epoll: %s", n->name, strerror(errno));
		goto fail;
	}
	if (pcap_path && (n->pcap_fd = pcap_create(pcap_path)) < 0)
		goto fail;
	if (n->ops->open(n))
		goto fail;
	return n;
fail:
	if (n->pcap_fd >= 0)
		close(n->pcap_fd);
	if (n->epfd >= 0)
		close(n->epfd);
	pthread_mutex_destroy(&n->lock);
	free(n);
	return NULL;
}

void net_close(struct net *n)
{
	if (!n)
		return;
	n->ops->close(n);
	if (n->pcap_fd >= 0)
		close(n->pcap_fd);
	close(n->epfd);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

int net_fd(struct net *n)
{
	return n->epfd;
}

void net_service(struct net *n)
{
	struct epoll_event ev[8];
	pthread_mutex_lock(&n->lock);
	int k = epoll_wait(n->epfd, ev, 8, 0);
	for (int i = 0; i < k; i++)
		n->ops->event(n, ev[i].data.u32, ev[i].events);
	if (n->tx_full && n->ops->tx_ready(n)) {
		n->tx_full = false;
		n->tx_room = true;
		n->stats.tx_rooms++;
		n->ops->rearm(n);
	}
	pthread_mutex_unlock(&n->lock);
}

bool net_tx_room(struct net *n)
{
	pthread_mutex_lock(&n->lock);
	bool room = n->tx_room;
	n->tx_room = false;
	pthread_mutex_unlock(&n->lock);
	return room;
}

static void record(struct net *n, const void *frame, size_t len)
{
	if (n->pcap_fd < 0)
		return;
	int r = pcap_record(n->pcap_fd, frame, len);
	if (r) {
		n->stats.pcap_errors++;
		log_ratelimited(LOG_ERR, SUB, "%s: pcap record lost: %s", n->name,
				strerror(-r));
	}
}

int net_recv_at(struct net *n, void *buf, size_t cap, uint64_t *at)
{
	pthread_mutex_lock(&n->lock);
	*at = 0;
	int r = n->ops->recv(n, buf, cap, at);
	if (r > 0) {
		n->stats.rx_frames++;
		n->stats.rx_bytes += (unsigned)r;
		if (n->wire_time && *at)
			n->stats.rx_wire_time++;
		else if (n->wire_time)
			n->stats.rx_no_wire_time++;
		record(n, buf, (size_t)r);
	} else {
		*at = 0;
	}
	pthread_mutex_unlock(&n->lock);
	return r;
}

int net_recv(struct net *n, void *buf, size_t cap)
{
	uint64_t at;
	return net_recv_at(n, buf, cap, &at);
}

int net_wire_time(struct net *n, bool on)
{
	if (n->uri.kind != NET_STREAM_UNIX && n->uri.kind != NET_STREAM_TCP)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&n->lock);
	n->wire_time = on;
	pthread_mutex_unlock(&n->lock);
	return 0;
}

/* Back-pressure: after a refusal, watch for room (rearm) until
 * net_service sees it; a frame taken ends it (the sender knows). */
static void tx_full(struct net *n, bool full)
{
	n->tx_room = false;
	if (n->tx_full == full)
		return;
	n->tx_full = full;
	n->ops->rearm(n);
}

bool net_can_gso(struct net *n)
{
	pthread_mutex_lock(&n->lock);
	bool ok = n->ops->send_gso && n->pcap_fd < 0;
	pthread_mutex_unlock(&n->lock);
	return ok;
}

static int send_common(struct net *n, const void *frame, size_t len,
		       const struct net_gso *g, uint64_t at)
{
	pthread_mutex_lock(&n->lock);
	int r;
	if (g && (!n->ops->send_gso || n->pcap_fd >= 0)) {
		pthread_mutex_unlock(&n->lock);
		return -EOPNOTSUPP;
	}
	if (len == 0 || len > NET_FRAME_MAX) {
		n->stats.tx_drop_size++;
		log_ratelimited(LOG_WARN, SUB, "%s: frame of %zu bytes not sent",
				n->name, len);
		r = -EMSGSIZE;
	} else {
		r = g ? n->ops->send_gso(n, frame, len, g)
		      : n->ops->send(n, frame, len, at);
	}
	if (r == 0) {
		n->stats.tx_frames++;
		n->stats.tx_bytes += len;
		n->stats.tx_gso += g != NULL;
		record(n, frame, len);
	}
	if (r == -EAGAIN) {
		n->stats.tx_full++;
		tx_full(n, true);
	} else if (r == 0) {
		tx_full(n, false);
	}
	pthread_mutex_unlock(&n->lock);
	return r;
}

int net_send(struct net *n, const void *frame, size_t len)
{
	return send_common(n, frame, len, NULL, 0);
}

int net_send_at(struct net *n, const void *frame, size_t len, uint64_t at)
{
	return send_common(n, frame, len, NULL, at);
}

int net_send_gso(struct net *n, const void *frame, size_t len,
		 const struct net_gso *g)
{
	return send_common(n, frame, len, g, 0);
}

void net_rx_pause(struct net *n, bool paused)
{
	pthread_mutex_lock(&n->lock);
	if (n->rx_paused != paused) {
		n->rx_paused = paused;
		n->stats.rx_pauses += paused;
		n->ops->rearm(n);
	}
	pthread_mutex_unlock(&n->lock);
}

bool net_link(struct net *n)
{
	pthread_mutex_lock(&n->lock);
	bool up = n->ops->link(n);
	pthread_mutex_unlock(&n->lock);
	return up;
}

static const struct counter_desc net_counters[] = {
#define D(n, h) COUNTER_DESC(struct net_stats, n, h)
	NET_COUNTERS(D)
#undef D
};

void net_dump(struct net *n, FILE *out)
{
	pthread_mutex_lock(&n->lock);
	fprintf(out, "net.backend %s\n", n->name);
	fprintf(out, "net.link %d\n", n->ops->link(n));
	fprintf(out, "net.rx_paused %d\n", n->rx_paused);
	counters_dump(out, "net", &n->stats, net_counters,
		      COUNTER_COUNT(net_counters));
	pthread_mutex_unlock(&n->lock);
}
