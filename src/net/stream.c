/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream:unix:PATH,listen|connect and stream:tcp:HOST:PORT,listen|connect:
 * QEMU's -netdev stream (net/stream.c, net/stream_data.c), so either end
 * can be a QEMU, a socat or another fbnic-emu.  On the byte stream each
 * frame is a 4-byte big-endian length, then the frame: what
 * net_stream_data_receive writes (htonl(size) + the packet) and
 * net_fill_rstate reassembles.  With wire time on (net.h net_wire_time,
 * fbnic-emu --clock virtual at both ends) the length also covers a 16-byte
 * trailer after the frame, added on send (through wbuf) and taken off on
 * receipt.
 *
 * Receiving: the bytes read are reassembled in rbuf; one frame at a time
 * is handed out, whatever the reads cut (a length prefix split across
 * reads included).  A length of 0 or above NET_FRAME_MAX cannot come from
 * a sane peer and leaves no way to find the next frame boundary, so the
 * connection is dropped (QEMU's net_fill_rstate error path does the same:
 * its caller closes the channel); the peer may connect again.
 *
 * Sending never blocks: a frame the socket cannot take now, whole or in
 * part, waits in a bounded queue (TXQ_FRAMES frames, TXQ_BYTES bytes)
 * that goes out in order when the socket is writable; with the queue
 * full, a frame is refused (-EAGAIN, nothing taken: back-pressure), and
 * room is reported (tx_ready) once the queue is down to half, so that a
 * sender goes on in bursts rather than frame by frame.  Nothing is sent
 * without a peer (dropped, counted).
 *
 * Peers: the listen side accepts one at a time (others wait in the
 * backlog, as QEMU's listener does while it has a client) and listens
 * again once it goes; the connect side retries with a backoff from
 * BACKOFF_MIN_MS doubling to BACKOFF_MAX_MS until the peer appears, and
 * again after it goes.  The link is up while a peer is connected.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "net_priv.h"
#include "util/log.h"
#include "util/unix_sock.h"

#define SUB "net"

#define HDR 4u /* the length prefix */
/* Room for the unread part of one frame and a whole next one. */
#define RBUF_SIZE (2u * (HDR + NET_FRAME_MAX))
/* More than a TCP receive window (tcp_rmem's 6 MiB at most): a peer that
 * reads slowly because its guest has no buffers (it holds its socket back)
 * slows a TCP sender down through that window, not through drops here. */
#define TXQ_FRAMES 16384u
#define TXQ_BYTES (16u << 20) /* > HDR + NET_FRAME_MAX: a frame always fits
				 an empty queue */
#define BACKOFF_MIN_MS 50u
#define BACKOFF_MAX_MS 1000u

enum { TAG_LISTEN = 1, TAG_CONN, TAG_TIMER };

struct stream {
	int lfd;        /* listen: the listening socket; connect: -1 */
	int fd;         /* the peer (or a connect in progress); -1: none */
	bool connecting; /* fd is a connect() still in progress */
	int tfd;        /* connect: the retry timer; listen: -1 */
	unsigned backoff_ms;
	bool waiting;   /* "no peer yet" logged since the last connection */
	struct sockaddr_storage sa; /* the peer's (connect) or ours (listen) */
	socklen_t salen;
	/* received bytes not handed out yet: rbuf[rhead, rtail) */
	uint8_t *rbuf;
	size_t rhead, rtail;
	uint8_t *wbuf;  /* a frame and its wire-time trailer (net_wire_time) */
	/* the send queue: framed bytes qbuf[qhead, qtail); the framed size
	 * of each queued frame, oldest at qlen[qfirst]; qfront_done bytes of
	 * the oldest are out already */
	uint8_t *qbuf;
	size_t qhead, qtail;
	uint32_t qlen[TXQ_FRAMES];
	unsigned qfirst, qcount;
	size_t qfront_done;
};

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void rearm(struct net *n)
{
	struct stream *s = n->priv;
	if (s->fd < 0 || s->connecting)
		return;
	/* EPOLLRDHUP even while paused: a peer that goes is noticed (and
	 * the link dropped) without reading what it sent. */
	net_watch(n, s->fd, TAG_CONN,
		  EPOLLRDHUP | (n->rx_paused ? 0 : EPOLLIN) |
			  (s->qcount ? EPOLLOUT : 0));
}

static void arm_retry(struct net *n, unsigned ms)
{
	struct stream *s = n->priv;
	struct itimerspec it = {
		.it_value = { .tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000 },
	};
	if (timerfd_settime(s->tfd, 0, &it, NULL))
		log_ratelimited(LOG_ERR, SUB, "%s: retry timer: %s", n->name,
				strerror(errno));
}

/* Frames, whole or partial, still in rbuf. */
static unsigned buffered_frames(const struct stream *s)
{
	unsigned k = 0;
	size_t at = s->rhead;
	while (at < s->rtail) {
		k++;
		if (s->rtail - at < HDR)
			break;
		uint32_t len = get_be32(s->rbuf + at);
		if (len == 0 || len > NET_FRAME_MAX || s->rtail - at - HDR < len)
			break;
		at += HDR + len;
	}
	return k;
}

/* The peer is gone (or we dropped it): forget what was in flight, and
 * listen or reconnect. */
static void drop_peer(struct net *n, const char *why)
{
	struct stream *s = n->priv;
	n->stats.rx_drop_disconnect += buffered_frames(s);
	n->stats.tx_drop_disconnect += s->qcount;
	s->rhead = s->rtail = 0;
	s->qhead = s->qtail = 0;
	s->qfirst = s->qcount = 0;
	s->qfront_done = 0;
	net_unwatch(n, s->fd);
	close(s->fd);
	s->fd = -1;
	n->stats.disconnects++;
	log_ratelimited(LOG_INFO, SUB, "%s: peer gone (%s): link down", n->name,
			why);
	if (s->lfd >= 0)
		net_watch(n, s->lfd, TAG_LISTEN, EPOLLIN);
	else
		arm_retry(n, BACKOFF_MIN_MS);
}

static void established(struct net *n, int fd)
{
	struct stream *s = n->priv;
	s->fd = fd;
	s->connecting = false;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->waiting = false;
	/* As QEMU does (net_stream_data_client_connected): no Nagle, a
	 * frame goes out when written. */
	if (n->uri.kind == NET_STREAM_TCP) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	n->stats.connects++;
	log_ratelimited(LOG_INFO, SUB, "%s: peer connected: link up", n->name);
	if (s->lfd >= 0)
		net_unwatch(n, s->lfd); /* one peer at a time */
	rearm(n);
}

static void connect_failed(struct net *n, int err)
{
	struct stream *s = n->priv;
	n->stats.connect_failures++;
	if (!s->waiting) {
		s->waiting = true;
		log_info(SUB, "%s: no peer yet (%s): retrying", n->name,
			 strerror(err));
	}
	arm_retry(n, s->backoff_ms);
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							   : s->backoff_ms * 2;
}

static void try_connect(struct net *n)
{
	struct stream *s = n->priv;
	int fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (fd < 0) {
		connect_failed(n, errno);
		return;
	}
	if (connect(fd, (struct sockaddr *)&s->sa, s->salen) == 0) {
		established(n, fd);
		return;
	}
	if (errno == EINPROGRESS) {
		s->fd = fd;
		s->connecting = true;
		if (net_watch(n, fd, TAG_CONN, EPOLLOUT) == 0)
			return;
		s->fd = -1;
		s->connecting = false;
	}
	int err = errno;
	close(fd);
	connect_failed(n, err);
}

/* A connect in progress finished (EPOLLOUT, or an error). */
static void connect_done(struct net *n)
{
	struct stream *s = n->priv;
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (!err) {
		established(n, s->fd);
		return;
	}
	net_unwatch(n, s->fd);
	close(s->fd);
	s->fd = -1;
	s->connecting = false;
	connect_failed(n, err);
}

/* Bytes of the queue went out: retire the frames they complete. */
static void consume(struct stream *s, size_t w)
{
	s->qhead += w;
	while (w) {
		size_t left = s->qlen[s->qfirst] - s->qfront_done;
		size_t take = w < left ? w : left;
		s->qfront_done += take;
		w -= take;
		if (s->qfront_done == s->qlen[s->qfirst]) {
			s->qfirst = (s->qfirst + 1) % TXQ_FRAMES;
			s->qcount--;
			s->qfront_done = 0;
		}
	}
	if (!s->qcount)
		s->qhead = s->qtail = 0;
}

/* Write what the socket takes of the queue.  0, or -errno when the
 * connection failed (and was dropped). */
static int flush(struct net *n)
{
	struct stream *s = n->priv;
	bool had = s->qcount;
	while (s->qcount) {
		ssize_t w = send(s->fd, s->qbuf + s->qhead, s->qtail - s->qhead,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			int err = errno;
			drop_peer(n, strerror(err));
			return -err;
		}
		consume(s, (size_t)w);
	}
	if (had && !s->qcount)
		rearm(n); /* nothing more to write: no EPOLLOUT */
	return 0;
}

/* The rest of a frame (bytes [done, HDR + len) of prefix + frame) joins
 * the queue.  0, or -ENOBUFS with the queue full. */
static int enqueue(struct net *n, const uint8_t *hdr, const void *frame,
		   size_t len, size_t done)
{
	struct stream *s = n->priv;
	size_t total = HDR + len, need = total - done;
	if (s->qcount == TXQ_FRAMES || s->qtail - s->qhead + need > TXQ_BYTES)
		return -ENOBUFS;
	if (s->qtail + need > TXQ_BYTES) {
		memmove(s->qbuf, s->qbuf + s->qhead, s->qtail - s->qhead);
		s->qtail -= s->qhead;
		s->qhead = 0;
	}
	if (done < HDR) {
		memcpy(s->qbuf + s->qtail, hdr + done, HDR - done);
		s->qtail += HDR - done;
		done = HDR;
	}
	memcpy(s->qbuf + s->qtail, (const uint8_t *)frame + (done - HDR),
	       total - done);
	s->qtail += total - done;
	if (!s->qcount)
		s->qfront_done = total - need;
	s->qlen[(s->qfirst + s->qcount) % TXQ_FRAMES] = (uint32_t)total;
	s->qcount++;
	n->stats.tx_queued++;
	if (s->qcount == 1)
		rearm(n); /* EPOLLOUT */
	return 0;
}

static int stream_send(struct net *n, const void *frame, size_t len,
		       uint64_t at)
{
	struct stream *s = n->priv;
	if (s->qcount)
		flush(n); /* in order: the queue first */
	if (s->fd < 0 || s->connecting) {
		n->stats.tx_drop_no_peer++;
		log_ratelimited(LOG_INFO, SUB, "%s: no peer, frame dropped",
				n->name);
		return -ENOTCONN;
	}
	if (n->wire_time && len + NET_WIRE_TRAILER <= NET_FRAME_MAX) {
		/* net.h: the frame, the time, the magic */
		memcpy(s->wbuf, frame, len);
		for (unsigned i = 0; i < 8; i++)
			s->wbuf[len + i] = (uint8_t)(at >> (56 - 8 * i));
		memcpy(s->wbuf + len + 8, NET_WIRE_MAGIC, 8);
		frame = s->wbuf;
		len += NET_WIRE_TRAILER;
	}
	uint8_t hdr[HDR] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			     (uint8_t)(len >> 8), (uint8_t)len };
	size_t done = 0;
	if (!s->qcount) {
		struct iovec iov[2] = { { hdr, HDR }, { (void *)frame, len } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t w;
		do
			w = sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);
		if (w == (ssize_t)(HDR + len))
			return 0;
		if (w < 0 && errno != EAGAIN) {
			int err = errno;
			n->stats.tx_drop_error++;
			log_ratelimited(LOG_WARN, SUB, "%s: write: %s", n->name,
					strerror(err));
			drop_peer(n, strerror(err));
			return -err;
		}
		done = w < 0 ? 0 : (size_t)w;
	}
	/* Only a non-empty queue can be full, and then nothing was written:
	 * the frame is not taken. */
	if (enqueue(n, hdr, frame, len, done))
		return -EAGAIN;
	return 0;
}

/* Room again: the queue down to half (EPOLLOUT flushes it), or no peer
 * (frames are dropped then, not held). */
static bool stream_tx_ready(struct net *n)
{
	struct stream *s = n->priv;
	return s->fd < 0 || s->connecting ||
	       (s->qcount <= TXQ_FRAMES / 2 &&
		s->qtail - s->qhead <= TXQ_BYTES / 2);
}

/* A received frame's wire-time trailer (net.h), taken off: the time
 * into *at and the frame's length without it; len as it was if none. */
static uint32_t take_wire_time(const uint8_t *f, uint32_t len, uint64_t *at)
{
	if (len <= NET_WIRE_TRAILER ||
	    memcmp(f + len - 8, NET_WIRE_MAGIC, 8) != 0)
		return len;
	const uint8_t *t = f + len - NET_WIRE_TRAILER;
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | t[i];
	*at = v;
	return len - NET_WIRE_TRAILER;
}

static int stream_recv(struct net *n, void *buf, size_t cap, uint64_t *at)
{
	struct stream *s = n->priv;
	for (;;) {
		if (s->fd < 0 || s->connecting)
			return -EAGAIN;
		size_t avail = s->rtail - s->rhead;
		if (avail >= HDR) {
			uint32_t len = get_be32(s->rbuf + s->rhead);
			if (len == 0 || len > NET_FRAME_MAX) {
				n->stats.rx_bad_length++;
				log_ratelimited(LOG_WARN, SUB, "%s: frame length "
						"%u (want 1..%u): dropping the "
						"peer", n->name, len,
						NET_FRAME_MAX);
				s->rhead = s->rtail; /* not frames */
				drop_peer(n, "bad frame length");
				return -EPROTO;
			}
			if (avail >= HDR + len) {
				const uint8_t *f = s->rbuf + s->rhead + HDR;
				s->rhead += HDR + len;
				if (s->rhead == s->rtail)
					s->rhead = s->rtail = 0;
				if (n->wire_time)
					len = take_wire_time(f, len, at);
				if (len > cap) {
					n->stats.rx_drop_size++;
					return -EMSGSIZE;
				}
				memcpy(buf, f, len);
				return (int)len;
			}
		}
		/* Keep room for a whole frame behind the unread part. */
		if (s->rtail > RBUF_SIZE / 2) {
			memmove(s->rbuf, s->rbuf + s->rhead, avail);
			s->rhead = 0;
			s->rtail = avail;
		}
		ssize_t r = recv(s->fd, s->rbuf + s->rtail, RBUF_SIZE - s->rtail,
				 MSG_DONTWAIT);
		if (r > 0) {
			s->rtail += (size_t)r;
			continue;
		}
		if (r == 0) {
			drop_peer(n, "closed");
			return -ENOTCONN;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return -EAGAIN;
		int err = errno;
		n->stats.rx_errors++;
		drop_peer(n, strerror(err));
		return -err;
	}
}

static void stream_event(struct net *n, uint32_t tag, uint32_t events)
{
	struct stream *s = n->priv;
	switch (tag) {
	case TAG_LISTEN:
		if (s->fd < 0) {
			int fd = accept4(s->lfd, NULL, NULL,
					 SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0)
				established(n, fd);
			else if (errno != EAGAIN && errno != EINTR &&
				 errno != ECONNABORTED)
				log_ratelimited(LOG_ERR, SUB, "%s: accept: %s",
						n->name, strerror(errno));
		}
		break;
	case TAG_TIMER: {
		uint64_t expirations;
		ssize_t r = read(s->tfd, &expirations, sizeof(expirations));
		if (r == (ssize_t)sizeof(expirations) && s->fd < 0)
			try_connect(n);
		break;
	}
	case TAG_CONN:
		if (s->fd < 0)
			break;
		if (s->connecting) {
			connect_done(n);
		} else if (events & EPOLLERR) {
			int err = 0;
			socklen_t len = sizeof(err);
			getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			drop_peer(n, err ? strerror(err) : "socket error");
		} else if ((events & (EPOLLHUP | EPOLLRDHUP)) && n->rx_paused) {
			/* While reading, net_recv reads what the peer sent
			 * before it went, then its end. */
			drop_peer(n, "hung up");
		} else if (events & EPOLLOUT) {
			flush(n);
		}
		break;
	}
}

static int resolve(struct net *n)
{
	struct stream *s = n->priv;
	if (n->uri.kind == NET_STREAM_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&s->sa;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, n->uri.addr); /* < 108: net_uri_parse */
		s->salen = sizeof(*sun);
		return 0;
	}
	char port[8];
	snprintf(port, sizeof(port), "%u", n->uri.port);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV |
					      (n->uri.listen ? AI_PASSIVE : 0) };
	struct addrinfo *ai;
	int r = getaddrinfo(n->uri.addr, port, &hints, &ai);
	if (r) {
		log_err(SUB, "%s: cannot resolve %s: %s", n->name, n->uri.addr,
			gai_strerror(r));
		return -EHOSTUNREACH;
	}
	memcpy(&s->sa, ai->ai_addr, ai->ai_addrlen);
	s->salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int tcp_listen(struct net *n)
{
	struct stream *s = n->priv;
	int fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	int one = 1;
	if (fd >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	    bind(fd, (struct sockaddr *)&s->sa, s->salen) == 0 &&
	    listen(fd, 1) == 0)
		return fd;
	int err = errno;
	log_err(SUB, "%s: cannot listen: %s", n->name, strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}

static void stream_close(struct net *n)
{
	struct stream *s = n->priv;
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->lfd >= 0) {
		close(s->lfd);
		if (n->uri.kind == NET_STREAM_UNIX)
			unlink(n->uri.addr);
	}
	if (s->tfd >= 0)
		close(s->tfd);
	free(s->rbuf);
	free(s->qbuf);
	free(s->wbuf);
	free(s);
	n->priv = NULL;
}

static int stream_open(struct net *n)
{
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	n->priv = s;
	s->lfd = s->fd = s->tfd = -1;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->rbuf = malloc(RBUF_SIZE);
	s->qbuf = malloc(TXQ_BYTES);
	s->wbuf = malloc(NET_FRAME_MAX);
	int r = !s->rbuf || !s->qbuf || !s->wbuf ? -ENOMEM : resolve(n);
	if (r)
		goto fail;
	if (n->uri.listen) {
		r = n->uri.kind == NET_STREAM_UNIX ? unix_listen(n->uri.addr, SUB)
						   : tcp_listen(n);
		if (r < 0)
			goto fail;
		s->lfd = r;
		if (fcntl(s->lfd, F_SETFL, O_NONBLOCK) ||
		    (r = net_watch(n, s->lfd, TAG_LISTEN, EPOLLIN)) < 0) {
			r = r < 0 ? r : -errno;
			goto fail;
		}
		log_info(SUB, "%s: waiting for a peer", n->name);
		return 0;
	}
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->tfd < 0 || (r = net_watch(n, s->tfd, TAG_TIMER, EPOLLIN)) < 0) {
		r = s->tfd < 0 ? -errno : r;
		log_err(SUB, "%s: retry timer: %s", n->name, strerror(-r));
		goto fail;
	}
	try_connect(n);
	return 0;
fail:
	stream_close(n);
	return r;
}

static bool stream_link(struct net *n)
{
	struct stream *s = n->priv;
	return s->fd >= 0 && !s->connecting;
}

const struct net_ops net_stream_ops = {
	.open = stream_open,
	.recv = stream_recv,
	.send = stream_send,
	.event = stream_event,
	.rearm = rearm,
	.tx_ready = stream_tx_ready,
	.link = stream_link,
	.close = stream_close,
};
