/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfio-user device server (written here: libvfio-user is not packaged in
 * Debian).  Generic: it serves any PCI device described by a
 * struct vu_device_desc and reached through struct vu_device_ops.
 *
 * One protocol thread (vu_server_run) accepts one client at a time, reads
 * messages strictly in order and replies in order.  Device threads may:
 *   - raise interrupts (vu_irq_raise), from any thread, never blocking;
 *   - access guest memory (vu_dma_access for fd-backed maps, lock-free of
 *     the protocol thread; vu_dma_message for maps without fd, which sends
 *     DMA_READ/WRITE to the client and waits for the reply that the
 *     protocol thread demultiplexes by message id).
 * A reply never waits on a server->client request (QEMU would deadlock on
 * its BQL, hw/vfio-user/proxy.c): vu_dma_message() refuses to run on
 * the protocol thread.
 *
 * On disconnect everything the client gave us (maps, fds, eventfds) is
 * released, the device is told (ops->disconnected) and the next client is
 * accepted: a guest reboot or a new QEMU works without restarting us.
 */
#ifndef FBNIC_EMU_VU_SERVER_H
#define FBNIC_EMU_VU_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio_user.h"
#include "vu_dma.h"

struct vu_server;

struct vu_device_ops {
	/* Region access: region < VU_PCI_NUM_REGIONS, [off, off+count)
	 * already checked to lie inside the region's size, count >= 1.
	 * Return 0 or -errno (sent to the client as the error). */
	int (*region_read)(void *opaque, unsigned region, uint64_t off,
			   void *buf, uint32_t count);
	int (*region_write)(void *opaque, unsigned region, uint64_t off,
			    const void *buf, uint32_t count);
	/* DEVICE_RESET: back to power-on state; DMA maps stay. */
	void (*reset)(void *opaque);
	/* The client is gone (its maps and eventfds are already released). */
	void (*disconnected)(void *opaque);
};

struct vu_device_desc {
	uint64_t region_size[VU_PCI_NUM_REGIONS];
	uint32_t region_flags[VU_PCI_NUM_REGIONS];
	uint32_t irq_count[VU_IRQ_NUM];
	uint32_t irq_flags[VU_IRQ_NUM];
	/* The MSI-X PBA is served by the server itself from its pending
	 * bits (QEMU forwards PBA reads, hw/vfio-user/pci.c). */
	int msix_region; /* -1: none */
	uint64_t msix_pba_offset;
};

/* Counters of the traffic, and of everything that went wrong, by cause. */
struct vu_stats {
	uint64_t connections;
	uint64_t messages;
	uint64_t region_reads;  /* REGION_READ served (config space, BARs) */
	uint64_t region_writes; /* REGION_WRITE served: each one a trapped access */
	uint64_t bad_framing;   /* size < 16, too big, truncated: connection closed */
	uint64_t bad_request;   /* malformed payload/argsz: EINVAL reply */
	uint64_t unsupported;   /* unknown or unsupported command */
	uint64_t bad_fds;       /* fds where none allowed, or too many */
	uint64_t dma_map_errors;
	uint64_t region_errors; /* out-of-range or refused region accesses */
	uint64_t irq_errors;
	uint64_t dma_faults;    /* device DMA outside maps / not permitted */
	uint64_t dma_messages;  /* DMA_READ/WRITE round trips */
	uint64_t dma_message_errors;
	uint64_t dma_message_timeouts; /* no reply within the timeout */
	uint64_t unexpected_replies;
	uint64_t irqs_raised;
	uint64_t irqs_pending;  /* raised while no eventfd: latched */
};

/* Create the listening socket (unlinking a stale one), or take the one
 * sock names (util/unix_sock.h).  NULL on error. */
struct sock_spec;
struct vu_server *vu_server_create(const struct sock_spec *sock,
				   const struct vu_device_desc *desc,
				   const struct vu_device_ops *ops,
				   void *opaque);
/* Serve clients until vu_server_stop() (a connection handed over
 * already accepted: until it ends).  Returns 0. */
/* One message from a buffer instead of the socket (fuzzing, tests): run
 * msg (len bytes, header included; fds attached, taken by the server) as
 * if it arrived on a connection whose other end is conn_fd, where the
 * reply goes (the caller owns conn_fd and drains it).  Not while
 * vu_server_run serves a client.  Returns 0, 1 if the server would have
 * closed the connection (its state is released as at a disconnect), or
 * -errno if a reply could not be sent. */
int vu_server_feed(struct vu_server *s, int conn_fd, const void *msg,
		   size_t len, int *fds, unsigned nfds);
int vu_server_run(struct vu_server *s);
/* Make vu_server_run return; async-signal-safe. */
void vu_server_stop(struct vu_server *s);
void vu_server_destroy(struct vu_server *s);
/* Let the client map parts of one region (before vu_server_run): its
 * GET_REGION_INFO reply says MMAP with a sparse-mmap capability of these
 * areas (page-aligned, sorted, inside the region) and carries fd, which
 * must hold the region from offset 0 and nothing else (a client can map
 * any of it).  QEMU then stores to the areas with no message, and sends
 * every remaining write to the device as a request that waits for its
 * reply (posted writes off: hw/vfio-user/device.c).  The caller keeps fd
 * open while the server lives.  0 or -EINVAL. */
#define VU_MAX_MMAP_AREAS 4u
int vu_server_set_mmap(struct vu_server *s, unsigned region, int fd,
		       const struct vu_sparse_mmap_area *areas, unsigned n);

/* Raise interrupt `vector` of irq index `index` (VU_IRQ_MSIX, VU_IRQ_ERR):
 * signals its eventfd, or latches it pending (PBA) until one is assigned. */
void vu_irq_raise(struct vu_server *s, unsigned index, unsigned vector);

/* Guest memory through fd-backed maps.  0, -EFAULT, -EACCES, or
 * VU_DMA_NEEDS_MESSAGE (the range has a map without fd). */
int vu_dma_access(struct vu_server *s, uint64_t gpa, void *buf, size_t len,
		  bool is_write);
/* Guest memory through DMA_READ/DMA_WRITE messages: blocks until the
 * client answered (or the connection dropped, or a timeout).  0 or -errno;
 * -EDEADLK if called on the protocol thread, -ENOTCONN without client. */
int vu_dma_message(struct vu_server *s, uint64_t gpa, void *buf, size_t len,
		   bool is_write);

void vu_server_get_stats(struct vu_server *s, struct vu_stats *out);
/* A client is connected now. */
bool vu_server_connected(struct vu_server *s);
/* How long vu_dma_message waits for the client's reply before it fails
 * with -ETIMEDOUT (default VU_DMA_TIMEOUT_MS_DEFAULT).  At most two
 * requests wait at once, one per thread that may DMA (the device thread
 * and the net thread), so this bounds the pending server->client
 * requests in time as well as in number.  Before vu_server_run. */
#define VU_DMA_TIMEOUT_MS_DEFAULT 10000u
void vu_server_set_dma_timeout(struct vu_server *s, unsigned ms);
/* The DMA table, for tests and state dumps. */
struct vu_dma_table *vu_server_dma(struct vu_server *s);

#endif
