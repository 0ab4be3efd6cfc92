/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside src/net: what a backend implements (struct net_ops) and what
 * net.c gives it.  net.c takes the object's lock around every op, keeps
 * the counters common to all backends and records the pcap; a backend
 * does its I/O and counts its own drops by reason.
 *
 * Every fd a backend watches goes into the object's epoll set (net_fd()
 * is that epoll fd), with a tag of the backend's choosing that
 * net_service() hands back to ops->event().
 */
#ifndef FBNIC_EMU_NET_PRIV_H
#define FBNIC_EMU_NET_PRIV_H

#include <pthread.h>
#include <sys/epoll.h>

#include "net.h"

struct net_ops {
	/* 0, or -errno after one log line. */
	int (*open)(struct net *n);
	/* As net_recv / net_send (net.h), without the common counting. */
	int (*recv)(struct net *n, void *buf, size_t cap, uint64_t *at);
	int (*send)(struct net *n, const void *frame, size_t len,
		    uint64_t at);
	/* As net_send_gso; NULL: the backend cannot (a stream: frames go
	 * as on a wire). */
	int (*send_gso)(struct net *n, const void *frame, size_t len,
			const struct net_gso *g);
	/* A watched fd is ready (epoll events). */
	void (*event)(struct net *n, uint32_t tag, uint32_t events);
	/* n->rx_paused or n->tx_full changed: watch for received frames or
	 * stop; watch for room to send while tx_full. */
	void (*rearm)(struct net *n);
	/* While tx_full: a send would not be answered -EAGAIN now. */
	bool (*tx_ready)(struct net *n);
	bool (*link)(struct net *n);
	void (*close)(struct net *n);
};

struct net {
	const struct net_ops *ops;
	struct net_uri uri;
	char name[160];      /* the URI, for log lines */
	pthread_mutex_t lock; /* every op runs under it */
	int epfd;
	bool rx_paused;
	bool tx_full;        /* a send was answered -EAGAIN, room not seen */
	bool tx_room;        /* room seen since, not taken by net_tx_room */
	bool wire_time;      /* frames carry their wire time (net_wire_time) */
	int pcap_fd;         /* -1: none */
	struct net_stats stats;
	void *priv;          /* the backend's */
};

extern const struct net_ops net_tap_ops;
extern const struct net_ops net_stream_ops;

/* Watch fd for events (0: only errors and hang-ups) under tag; 0 or
 * -errno.  net_unwatch before closing a watched fd. */
int net_watch(struct net *n, int fd, uint32_t tag, uint32_t events);
void net_unwatch(struct net *n, int fd);

#endif
