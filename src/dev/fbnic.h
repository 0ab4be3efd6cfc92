/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fbnic device core: the public face of the model.
 *
 * The core is transport-free (the SimBricks "nicbm" split): it knows nothing
 * of sockets, eventfds or vfio-user.  An adapter drives it through the
 * callbacks below and gives it services (struct fbnic_host).  Two adapters
 * exist: the vfio-user server (src/runner.c) and the in-process test harness
 * (tests/lib/harness.c).
 *
 * Threading contract: the core is single-threaded.  The adapter serialises
 * every fbnic_* call (the runner holds its device lock).  Register handlers
 * never block and never do DMA; work that needs DMA is deferred with
 * host->kick() and done in fbnic_work(), which the adapter calls from its
 * device thread.
 */
#ifndef FBNIC_EMU_DEV_FBNIC_H
#define FBNIC_EMU_DEV_FBNIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "link/link.h"

struct fbnic;
struct fw;        /* the firmware model (fw/fw.h) */
struct fw_config;

/* A TCP packet handed to the backend whole, for its receiver to cut into
 * segments (port_send_gso): the virtio-net header's GSO TCPV4/TCPV6 with
 * NEEDS_CSUM.  The frame's TCP checksum field holds the pseudo-header's
 * sum, length included, not complemented; its IP header is the whole
 * packet's. */
struct fbnic_gso {
	bool v6;
	uint16_t mss;         /* payload bytes per segment */
	uint16_t hdr_len;     /* Ethernet to the end of the TCP header */
	uint16_t csum_start;  /* the TCP header */
	uint16_t csum_offset; /* of its checksum field */
};

/* Services an adapter provides to the core. */
struct fbnic_host {
	void *opaque;
	/* Bus-master DMA to/from guest-physical memory.  0, or -errno
	 * (-EFAULT: no such memory, -EACCES: read-only, -EWOULDBLOCK: would
	 * need a round trip the current thread cannot make). */
	int (*dma_read)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*dma_write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
	/* Send MSI-X message for this vector (the core already applied its own
	 * interrupt-block masking).  Must be cheap and non-blocking. */
	void (*msix_raise)(void *opaque, unsigned vector);
	/* Ask the adapter to call fbnic_work() soon, outside register context. */
	void (*kick)(void *opaque);
	/* Monotonic device time in nanoseconds. */
	uint64_t (*now_ns)(void *opaque);
	/* Call fbnic_timer() once now_ns() >= deadline (UINT64_MAX: none). */
	void (*timer_arm)(void *opaque, uint64_t deadline_ns);
	/* The network edge (dev/port.h).  One Ethernet frame out, without
	 * FCS: 0 taken; -EAGAIN no room now, nothing taken: the device
	 * keeps the frame (its TX ring stops where it is) and the adapter
	 * must call fbnic_port_tx_room() once the backend can take frames
	 * again; another -errno dropped (counted as a TX drop).  Called
	 * under the device lock: never blocks.  NULL: no backend.  at: the
	 * now_ns() time it left the MAC with cfg.wire_time, else 0. */
	int (*port_send)(void *opaque, const void *frame, size_t len,
			 uint64_t at);
	/* Optional (NULL: none): port_send for a TCP packet the backend's
	 * receiver segments (struct fbnic_gso), as a tap does for
	 * virtio-net; the same answers, and -EOPNOTSUPP: not taken, the
	 * device segments it itself. */
	int (*port_send_gso)(void *opaque, const void *frame, size_t len,
			     const struct fbnic_gso *g);
	/* After fbnic_port_rx answered -EAGAIN, the device has room again:
	 * offer the held frame (and the ones after it). */
	void (*port_resume)(void *opaque);
};

/* The Ethernet link: modes and FEC of the link table (link/link.h), the
 * numbers the firmware model reports in FW_CAP_RESP. */
struct fbnic_link_config {
	uint8_t mode; /* enum link_mode; 0: 100CR2 */
	uint8_t fec;  /* enum link_fec; 0: RS */
	bool down;    /* start without link (cable unplugged) */
};

/* Configuration fixed at creation (command-line flags). */
struct fbnic_config {
	uint64_t dsn;           /* PCIe Device Serial Number; the driver derives
	                           the MAC from it (fbnic_netdev_register) */
	unsigned msix_vectors;  /* 2 non-NAPI vectors + one per queue pair */
	struct fbnic_link_config link; /* the link at power-on */
	/* How long the firmware takes to pick up a host message: a mailbox TX
	 * descriptor is read and answered no sooner than this after the host
	 * posted it.  Real firmware polls the ring from its own processor; the
	 * 6.12 driver depends on that delay (fbnic_fw_xmit_ownership_msg posts
	 * the request, then stamps last_heartbeat_response, so a reply handled
	 * in between is forgotten and ifup fails with -ETIMEDOUT).  0: at
	 * once (device tests that drive time themselves). */
	uint64_t fw_turnaround_ns;
	bool trace_on; /* record the event trace from the start */
	/* --clock virtual (dev/ptp.h): a frame's TX timestamp is the time it
	 * went to the port, and that time goes with it (host.port_send's
	 * at), so that the device at the other end of the cable can stamp
	 * its arrival a fixed delay later whatever the host's scheduling. */
	bool wire_time;
	/* Firmware versions, sensors, module...; NULL: fw_config_default().
	 * Its link fields are overridden by `link` (one source of truth). */
	const struct fw_config *fw;
};

#define FBNIC_MSIX_VECTORS_MIN 3u   /* fbnic_alloc_irqs: FBNIC_NON_NAPI_VECTORS+1 */
#define FBNIC_MSIX_VECTORS_MAX 258u /* 2 + 256: INTR_CQ_REARM covers 256 vectors */
#define FBNIC_MSIX_VECTORS_DEFAULT 130u /* 2 + 128 queues (FBNIC_MAX_QUEUES) */
/* fbnic-emu's default firmware turnaround (--fw-latency), 20 ms: far above
 * any pause of a vCPU between two of the driver's statements, far below
 * the 200 ms the driver sleeps before it looks (fbnic_fw_init_heartbeat). */
#define FBNIC_FW_TURNAROUND_DEFAULT_NS 20000000ull

/* Build a DSN from a MAC the way the driver reverses it:
 * MAC = DSN[63:40]:DSN[23:0], bits 39:24 = 0xfffe (EUI-64 style). */
uint64_t fbnic_dsn_from_mac(const uint8_t mac[6]);
void fbnic_mac_from_dsn(uint64_t dsn, uint8_t mac[6]);

/* Layout of the PCI function, for the adapter's region and IRQ tables. */
#define FBNIC_NUM_BARS 6
struct fbnic_pci_layout {
	uint64_t bar_size[FBNIC_NUM_BARS]; /* 0: not implemented */
	bool bar_is_64[FBNIC_NUM_BARS];
	unsigned msix_vectors;
	int msix_bar;        /* BAR holding the MSI-X table and PBA */
	uint64_t msix_table_offset;
	uint64_t msix_pba_offset;
	uint32_t config_size; /* 4096: PCIe extended config space */
	/* BAR0 ranges an adapter may offer its client as shared memory
	 * (fbnic_bar0_share): the interrupt re-arm page and the queue
	 * pages, where every store the driver makes per packet lands. */
	struct {
		uint64_t off, len;
	} bar0_mmap[2];
};

struct fbnic *fbnic_create(const struct fbnic_config *cfg,
			   const struct fbnic_host *host);
void fbnic_destroy(struct fbnic *dev);
const struct fbnic_pci_layout *fbnic_layout(const struct fbnic *dev);

/* PCI config space; accesses of 1..4096 bytes, any alignment, within
 * config_size.  Returns 0 or -EINVAL (out of range). */
int fbnic_cfg_read(struct fbnic *dev, uint32_t off, void *buf, uint32_t len);
int fbnic_cfg_write(struct fbnic *dev, uint32_t off, const void *buf,
		    uint32_t len);

/* BAR memory accesses of 1, 2, 4 or 8 bytes, naturally aligned.  The driver
 * only ever does 32-bit accesses; others are composed from dwords.  Returns
 * 0 or -EINVAL (bad BAR, size, alignment or range). */
int fbnic_bar_read(struct fbnic *dev, int bar, uint64_t off, unsigned size,
		   uint64_t *val);
int fbnic_bar_write(struct fbnic *dev, int bar, uint64_t off, unsigned size,
		    uint64_t val);

/* Map bar0_mmap (fbnic_pci_layout): mem is the BAR0 image the client
 * maps (the layout's bar_size[0] bytes, zeroed, 4-byte aligned), of which
 * the device uses the bar0_mmap ranges.  From then on the driver's
 * stores there reach the device when it looks: the adapter calls
 * fbnic_poll() often (and every BAR or config access syncs first).  Once
 * per device; -EINVAL or -ENOMEM. */
int fbnic_bar0_share(struct fbnic *dev, void *mem);
/* Look at the shared pages' doorbells and re-arms: the number of stores
 * taken (0: nothing new).  Work they cause comes through host->kick as
 * for a trapped write.  Cheap (the enabled queues' words and one re-arm
 * word per MSI-X vector); 0 without fbnic_bar0_share. */
unsigned fbnic_poll(struct fbnic *dev);

/* Function-level reset to power-on state (vfio-user DEVICE_RESET, or the
 * adapter losing its client).  Config space returns to its power-on image. */
void fbnic_reset(struct fbnic *dev);

/* Deferred work (see host->kick) and timers (see host->timer_arm). */
void fbnic_work(struct fbnic *dev);
void fbnic_timer(struct fbnic *dev);

/* The link at run time (control channel).  A change reaches the guest as
 * the hardware shows it: PCS and SIG status change, SIG_PCS_INTR_STS gets
 * LINK_UP/LINK_DOWN and the PCS cause fires (MSI-X vector 1 once the
 * driver routed INTR_MSIX_CTRL(34)).  A speed/FEC change drops the link,
 * reconfigures the PCS and brings it back, and the firmware model reports
 * the new mode from then on; the driver keeps the AUI it read from
 * FW_CAP_RESP at netdev creation, so it sees link again only once it is
 * reloaded and reads the new capabilities. */
void fbnic_link_set(struct fbnic *dev, bool up);
/* -EINVAL for a mode or FEC outside the enums. */
int fbnic_link_set_speed(struct fbnic *dev, unsigned mode, unsigned fec);
void fbnic_link_get(const struct fbnic *dev, struct fbnic_link_config *out);

/* The network edge, for backends (dev/port.h).  One received frame,
 * without FCS: 0 taken; -EAGAIN no room now: keep it and stop reading
 * until host->port_resume; another -errno: dropped and counted (too short
 * or long, MAC not receiving). */
int fbnic_port_rx(struct fbnic *dev, const void *frame, size_t len);
/* fbnic_port_rx for a frame that reached the port at host time at (the
 * host's now_ns timebase: a backend's read, kept while the frame was
 * held), which is its RX timestamp. */
int fbnic_port_rx_at(struct fbnic *dev, const void *frame, size_t len,
		     uint64_t at);
/* After host->port_send answered -EAGAIN, the backend can take frames
 * again: every TX ring with work goes on, a held packet from where it
 * stopped (the segments of an LSO packet already sent are not sent
 * again).  Under the device lock like every fbnic_* call; a call without
 * a refusal before it is harmless. */
void fbnic_port_tx_room(struct fbnic *dev);
/* The backend's link (a tap's carrier, a stream peer): the cable. */
void fbnic_port_link(struct fbnic *dev, bool up);

/* The firmware model, for the control channel (sensors, heartbeat...).
 * Call under the adapter's device lock like every other fbnic_* call. */
struct fw *fbnic_fw(struct fbnic *dev);

/* Write the device state and every counter, one "key value" per line. */
void fbnic_dump(struct fbnic *dev, FILE *out);

/* One register, by name or index (dev/csr_names.h: "INTR_MASK[3]",
 * "QUEUE[5].TWQ0_CTL", "0x11002", "bar4:0x6000"): one line
 *   bar0 0x11002 MAC_MAC MAC_COMMAND_CONFIG 0x00000813
 * with its block and the value the guest would read, read without side
 * effects (clear-on-read counters and latches keep their state).
 * -EINVAL for an unknown name or an index outside the BAR. */
int fbnic_reg_describe(struct fbnic *dev, const char *what, FILE *out);

/* The trace of recent device events (dev/trace.h): on or off (on at
 * creation when trace_on is set), forget, print oldest first. */
void fbnic_trace_set(struct fbnic *dev, bool on);
void fbnic_trace_clear(struct fbnic *dev);
void fbnic_trace_dump(struct fbnic *dev, FILE *out);


#endif
