/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tap:IFNAME — a Linux tap interface (Documentation/networking/tuntap.rst):
 * /dev/net/tun with TUNSETIFF IFF_TAP | IFF_NO_PI, so one read or write
 * is one Ethernet frame without FCS and nothing else.  TUNSETIFF creates
 * the interface (CAP_NET_ADMIN) or attaches to a persistent one; the
 * interface goes away with the fd unless it was made persistent.
 *
 * IFF_VNET_HDR: every read and write starts with a struct virtio_net_hdr
 * (10 bytes, TUNSETVNETHDRSZ).  Writes use it for one thing: a TCP packet
 * the kernel segments (net_send_gso: GSO TCPV4/TCPV6 with NEEDS_CSUM), so
 * a guest's TSO packet reaches the host as one packet, as from
 * virtio-net.  Reads ask for no offload (TUNSETOFFLOAD 0): the kernel
 * segments and checksums its own frames before the tap, as for any
 * interface without those offloads, and the header says nothing; a
 * frame whose header asks for work anyway is dropped and counted.
 *
 * Never blocking: a write the kernel cannot take now (EAGAIN, ENOBUFS)
 * is refused with -EAGAIN, nothing taken (back-pressure), and the fd is
 * watched for EPOLLOUT (tun_chr_poll: the socket writable) until it can
 * take frames again; a write to an interface that is down fails with EIO
 * (tun_get_user), a counted drop.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net_priv.h"
#include "util/log.h"

#define SUB "net"

struct tap {
	int fd;
	bool gone; /* the interface was deleted under us */
};

static int tap_open(struct net *n)
{
	struct tap *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		int err = errno;
		log_err(SUB, "%s: cannot open /dev/net/tun: %s", n->name,
			strerror(err));
		free(t);
		return -err;
	}
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	memcpy(ifr.ifr_name, n->uri.addr, strlen(n->uri.addr)); /* < IFNAMSIZ */
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;
		log_err(SUB, "%s: TUNSETIFF: %s%s", n->name, strerror(err),
			err == EBUSY ? " (another process has it open)"
			: err == EPERM ? " (creating a tap needs CAP_NET_ADMIN)"
				       : "");
		close(t->fd);
		free(t);
		return -err;
	}
	int hsz = (int)sizeof(struct virtio_net_hdr);
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hsz) < 0 ||
	    ioctl(t->fd, TUNSETOFFLOAD, 0UL) < 0) {
		int err = errno;
		log_err(SUB, "%s: virtio-net header setup: %s", n->name,
			strerror(err));
		close(t->fd);
		free(t);
		return -err;
	}
	n->priv = t;
	int r = net_watch(n, t->fd, 0, EPOLLIN);
	if (r) {
		close(t->fd);
		free(t);
		n->priv = NULL;
		return r;
	}
	log_info(SUB, "%s: attached", n->name);
	return 0;
}

static int tap_recv(struct net *n, void *buf, size_t cap)
{
	struct tap *t = n->priv;
	if (t->gone)
		return -EAGAIN;
	/* A frame longer than buf spills into `over`, so it is seen and
	 * dropped rather than passed on cut. */
	char over[64];
	struct virtio_net_hdr h;
	struct iovec iov[3] = { { &h, sizeof(h) }, { buf, cap },
				{ over, sizeof(over) } };
	ssize_t r = readv(t->fd, iov, 3);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return -EAGAIN;
		int err = errno;
		n->stats.rx_errors++;
		log_ratelimited(LOG_ERR, SUB, "%s: read: %s", n->name,
				strerror(err));
		return -err;
	}
	if (r <= (ssize_t)sizeof(h))
		return -EAGAIN;
	r -= (ssize_t)sizeof(h);
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE ||
	    (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		n->stats.rx_drop_offload++;
		log_ratelimited(LOG_WARN, SUB, "%s: dropped a frame the kernel "
				"handed over with an offload (gso type %u, flags "
				"0x%x) although none was enabled", n->name,
				h.gso_type, h.flags);
		return -EPROTO;
	}
	if ((size_t)r > cap || (size_t)r > NET_FRAME_MAX) {
		n->stats.rx_drop_size++;
		log_ratelimited(LOG_WARN, SUB, "%s: dropped a frame of %zd bytes "
				"or more", n->name, r);
		return -EMSGSIZE;
	}
	return (int)r;
}

static int tap_write(struct net *n, const struct virtio_net_hdr *h,
		     const void *frame, size_t len)
{
	struct tap *t = n->priv;
	struct iovec iov[2] = { { (void *)h, sizeof(*h) },
				{ (void *)frame, len } };
	ssize_t r = writev(t->fd, iov, 2);
	if (r == (ssize_t)(sizeof(*h) + len))
		return 0;
	int err = r < 0 ? errno : EIO;
	if (r < 0 && (err == EAGAIN || err == ENOBUFS))
		return -EAGAIN;
	if (err == EIO && r < 0) {
		n->stats.tx_drop_down++;
		log_ratelimited(LOG_WARN, SUB, "%s: interface down, frame "
				"dropped", n->name);
	} else {
		n->stats.tx_drop_error++;
		log_ratelimited(LOG_ERR, SUB, "%s: write: %s", n->name,
				r < 0 ? strerror(err) : "short write");
	}
	return -err;
}

static int tap_send(struct net *n, const void *frame, size_t len)
{
	static const struct virtio_net_hdr none = { 0 };
	return tap_write(n, &none, frame, len);
}

static int tap_send_gso(struct net *n, const void *frame, size_t len,
			const struct net_gso *g)
{
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6
				  : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = g->hdr_len,
		.gso_size = g->mss,
		.csum_start = g->csum_start,
		.csum_offset = g->csum_offset,
	};
	return tap_write(n, &h, frame, len);
}

static void tap_event(struct net *n, uint32_t tag, uint32_t events)
{
	struct tap *t = n->priv;
	(void)tag;
	/* tun_chr_poll answers EPOLLERR once the interface is gone;
	 * EPOLLOUT (watched while a send was refused) is for net_service,
	 * which asks tap_tx_ready. */
	if ((events & (EPOLLERR | EPOLLHUP)) && !t->gone) {
		t->gone = true;
		net_unwatch(n, t->fd);
		log_err(SUB, "%s: the interface is gone: link down", n->name);
	}
}

static void tap_rearm(struct net *n)
{
	struct tap *t = n->priv;
	if (!t->gone)
		net_watch(n, t->fd, 0,
			  (n->rx_paused ? 0 : EPOLLIN) |
				  (n->tx_full ? EPOLLOUT : 0));
}

/* Writable again, or gone (writes fail then, counted drops). */
static bool tap_tx_ready(struct net *n)
{
	struct tap *t = n->priv;
	struct pollfd pf = { .fd = t->fd, .events = POLLOUT };
	return t->gone || (poll(&pf, 1, 0) == 1 && (pf.revents & POLLOUT));
}

static bool tap_link(struct net *n)
{
	struct tap *t = n->priv;
	return !t->gone;
}

static void tap_close(struct net *n)
{
	struct tap *t = n->priv;
	close(t->fd);
	free(t);
}

const struct net_ops net_tap_ops = {
	.open = tap_open,
	.recv = tap_recv,
	.send = tap_send,
	.send_gso = tap_send_gso,
	.event = tap_event,
	.rearm = tap_rearm,
	.tx_ready = tap_tx_ready,
	.link = tap_link,
	.close = tap_close,
};
