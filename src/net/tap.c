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
 * virtio-net.  Reads take the offloads a virtio-net device would
 * (TUNSETOFFLOAD TUN_F_CSUM | TSO4 | TSO6 | TSO_ECN): the host's TCP
 * sends reach the tap as packets of up to 64 KiB and checksums are left
 * undone, which spares the host's stack the segmentation and this
 * process a read per wire frame.  The wire is kept here: a packet with
 * NEEDS_CSUM gets its checksum completed (pkt_csum_offload); a GSO packet
 * is cut into the frames the host would have sent (pkt_tso_from_gso,
 * pkt_tso_segment: the headers copied, lengths, IPv4 ids, sequence
 * numbers and FIN/PSH/CWR as Linux's GSO sets them, every checksum
 * computed), handed out one per call; so the device, the pcap and the
 * counters see only wire frames.  A header that asks for anything else
 * (UDP segmentation, which is not offered; a packet that is not what its
 * header says) drops the frame, counted.
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
#include "pkt/csum.h"
#include "pkt/tso.h"
#include "util/log.h"

#define SUB "net"

/* The offloads taken from the host: what virtio-net offers it. */
#define TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

struct tap {
	int fd;
	bool gone; /* the interface was deleted under us */
	/* A GSO packet being handed out as wire frames: segment `next` of
	 * `count` comes next (none while next == count). */
	uint8_t *gso; /* NET_FRAME_MAX */
	size_t gso_len;
	struct pkt_tso_layout lo;
	unsigned mss, next, count;
};

static int tap_open(struct net *n)
{
	struct tap *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->gso = malloc(NET_FRAME_MAX);
	t->fd = t->gso ? open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
		       : -1;
	if (t->fd < 0) {
		int err = t->gso ? errno : ENOMEM;
		log_err(SUB, "%s: cannot open /dev/net/tun: %s", n->name,
			strerror(err));
		free(t->gso);
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
		free(t->gso);
		free(t);
		return -err;
	}
	int hsz = (int)sizeof(struct virtio_net_hdr);
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hsz) < 0 ||
	    ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)TAP_OFFLOADS) < 0) {
		int err = errno;
		log_err(SUB, "%s: virtio-net header setup: %s", n->name,
			strerror(err));
		close(t->fd);
		free(t->gso);
		free(t);
		return -err;
	}
	n->priv = t;
	int r = net_watch(n, t->fd, 0, EPOLLIN);
	if (r) {
		close(t->fd);
		free(t->gso);
		free(t);
		n->priv = NULL;
		return r;
	}
	log_info(SUB, "%s: attached", n->name);
	return 0;
}

/* The next wire frame of the GSO packet being handed out, into buf. */
static int next_segment(struct net *n, struct tap *t, void *buf, size_t cap)
{
	int r = pkt_tso_segment(t->gso, t->gso_len, &t->lo, t->mss, t->next++,
				buf, cap);
	if (r < 0) { /* cannot be: the packet was checked whole */
		n->stats.rx_drop_offload += t->count - t->next + 1;
		t->next = t->count;
		log_ratelimited(LOG_ERR, SUB, "%s: cannot cut a GSO packet: %s",
				n->name, strerror(-r));
	} else {
		n->stats.rx_gso_frames++;
	}
	return r;
}

/* A packet of len bytes in buf that the host left to be segmented (h):
 * kept in t->gso, handed out from its first wire frame. */
static int take_gso(struct net *n, struct tap *t,
		    const struct virtio_net_hdr *h, void *buf, size_t cap,
		    size_t len)
{
	unsigned type = h->gso_type & (unsigned)~VIRTIO_NET_HDR_GSO_ECN;
	int r = -EPROTONOSUPPORT, count = 0;
	if ((type == VIRTIO_NET_HDR_GSO_TCPV4 ||
	     type == VIRTIO_NET_HDR_GSO_TCPV6) &&
	    (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && h->gso_size) {
		memcpy(t->gso, buf, len);
		r = pkt_tso_from_gso(t->gso, len,
				     type == VIRTIO_NET_HDR_GSO_TCPV6, false,
				     h->csum_start, &t->lo);
		if (!r) {
			count = pkt_tso_count(len, &t->lo, h->gso_size);
			r = count < 0 ? count : 0;
		}
	}
	if (r) {
		n->stats.rx_drop_offload++;
		log_ratelimited(LOG_WARN, SUB, "%s: dropped a GSO packet of %zu "
				"bytes (type %u, size %u, flags 0x%x, start %u): "
				"%s", n->name, len, h->gso_type, h->gso_size,
				h->flags, h->csum_start, strerror(-r));
		return r;
	}
	n->stats.rx_gso++;
	t->gso_len = len;
	t->mss = h->gso_size;
	t->next = 0;
	t->count = (unsigned)count;
	return next_segment(n, t, buf, cap);
}

static int tap_recv(struct net *n, void *buf, size_t cap, uint64_t *at)
{
	struct tap *t = n->priv;
	(void)at; /* the host's frames carry no wire time */
	if (t->gone) {
		n->stats.rx_drop_disconnect += t->count - t->next;
		t->next = t->count;
		return -EAGAIN;
	}
	if (t->next < t->count)
		return next_segment(n, t, buf, cap);
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
	if ((size_t)r > cap || (size_t)r > NET_FRAME_MAX) {
		n->stats.rx_drop_size++;
		log_ratelimited(LOG_WARN, SUB, "%s: dropped a frame of %zd bytes "
				"or more", n->name, r);
		return -EMSGSIZE;
	}
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return take_gso(n, t, &h, buf, cap, (size_t)r);
	if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		int c = pkt_csum_offload(buf, (size_t)r, h.csum_start,
					 h.csum_offset);
		if (c) {
			n->stats.rx_drop_offload++;
			log_ratelimited(LOG_WARN, SUB, "%s: dropped a frame of "
					"%zd bytes whose checksum (from %u, at "
					"+%u) cannot be completed", n->name, r,
					h.csum_start, h.csum_offset);
			return c;
		}
		n->stats.rx_csum++;
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

static int tap_send(struct net *n, const void *frame, size_t len,
		    uint64_t at)
{
	(void)at;
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
	free(t->gso);
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
