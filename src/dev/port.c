/* SPDX-License-Identifier: Apache-2.0 */
#include "port.h"

#include <errno.h>

#include "dev.h"
#include "mac.h"

/* A frame, or a GSO packet (g), to the backend; the MAC counts nseg
 * frames: the segments of a GSO packet. */
static int port_send(struct fbnic *dev, const void *frame, size_t len,
		     const struct fbnic_gso *g, unsigned nseg)
{
	struct fbnic_port *p = &dev->port;
	if (g && !dev->host.port_send_gso)
		return -EOPNOTSUPP;
	if (!fbnic_mac_tx_ready(dev)) {
		p->stats.tx_drop_mac += nseg;
		return -ENETDOWN;
	}
	if (dev->cfg.wire_time)
		p->tx_at = dev->host.now_ns(dev->host.opaque);
	int r = g ? dev->host.port_send_gso(dev->host.opaque, frame, len, g)
	      : dev->host.port_send
		      ? dev->host.port_send(dev->host.opaque, frame, len,
					    p->tx_at)
		      : -ENOTCONN;
	if (g && r == -EOPNOTSUPP)
		return r;
	fbnic_trace(dev, FBNIC_TR_PORT_TX, 0, len, (uint32_t)r);
	if (r == -EAGAIN) {
		/* Not on the wire yet: the MAC counts it when it goes. */
		p->stats.tx_held++;
		p->tx_blocked = true;
		return r;
	}
	if (!g) {
		fbnic_mac_count_frame(dev, true, frame, len);
	} else {
		/* the segments: headers plus mss bytes, the last the rest */
		size_t pay = len - g->hdr_len;
		for (unsigned i = 0; i < nseg; i++, pay -= g->mss)
			fbnic_mac_count_frame(dev, true, frame,
					      g->hdr_len + (pay < g->mss ? pay
									 : g->mss));
	}
	/* A frame taken (or dropped for a reason other than room) after a
	 * refusal: the backend has room again, whether or not the adapter
	 * says so (a stream queue the device's own sends drained). */
	if (p->tx_blocked)
		fbnic_port_tx_room(dev);
	if (r) {
		p->stats.tx_drop_backend += nseg;
		return r;
	}
	p->stats.tx_frames += nseg;
	p->stats.tx_gso += g != NULL;
	return 0;
}

int fbnic_port_tx(struct fbnic *dev, const void *frame, size_t len)
{
	return port_send(dev, frame, len, NULL, 1);
}

int fbnic_port_tx_gso(struct fbnic *dev, const void *frame, size_t len,
		      const struct fbnic_gso *g, unsigned nseg)
{
	if (!g || !nseg || len < g->hdr_len || g->hdr_len < 14)
		return -EINVAL;
	return port_send(dev, frame, len, g, nseg);
}

int fbnic_port_rx(struct fbnic *dev, const void *frame, size_t len)
{
	return fbnic_port_rx_at(dev, frame, len,
				dev->host.now_ns(dev->host.opaque));
}

int fbnic_port_rx_at(struct fbnic *dev, const void *frame, size_t len,
		     uint64_t at)
{
	struct fbnic_port *p = &dev->port;
	if (!frame || len < FBNIC_PORT_MIN_FRAME || len > FBNIC_PORT_MAX_FRAME) {
		p->stats.rx_drop_size++;
		return -EMSGSIZE;
	}
	/* A MAC that is not receiving drops at the wire, as the hardware
	 * does (the driver has the interface down). */
	if (!fbnic_mac_rx_ready(dev)) {
		p->stats.rx_drop_mac++;
		return -ENETDOWN;
	}
	/* An injected "rx fcs" (dev/fault.h): the frame arrived with a bad
	 * FCS; the MAC drops it and counts it where the driver reads it
	 * (MAC_STAT_RX_PACKET_BAD_FCS: FrameCheckSequenceErrors). */
	if (fbnic_fault_fire(dev, FBNIC_FAULT_RX_FCS, 0)) {
		fbnic_mac_stat_add(dev, FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L, 1);
		p->stats.rx_drop_fcs++;
		return 0;
	}
	if (fbnic_mac_is_control(frame, len)) {
		fbnic_mac_count_frame(dev, false, frame, len);
		p->stats.rx_frames++;
		p->stats.rx_mac_control++;
		return 0;
	}
	int r = fbnic_dp_rx(dev, frame, len, at);
	fbnic_trace(dev, FBNIC_TR_PORT_RX, 0, len, (uint32_t)r);
	if (r == -EAGAIN) {
		p->stats.rx_held++;
		p->held = true;
		return r;
	}
	if (r == 0) {
		fbnic_mac_count_frame(dev, false, frame, len);
		p->stats.rx_frames++;
	}
	return r;
}

void fbnic_port_room(struct fbnic *dev)
{
	struct fbnic_port *p = &dev->port;
	if (!p->held)
		return;
	p->held = false;
	p->stats.resumes++;
	if (dev->host.port_resume)
		dev->host.port_resume(dev->host.opaque);
}

void fbnic_port_tx_room(struct fbnic *dev)
{
	struct fbnic_port *p = &dev->port;
	p->tx_blocked = false;
	p->stats.tx_rooms++;
	fbnic_queue_tx_kick_busy(dev);
}

static const struct counter_desc port_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_port_stats, n, h)
	FBNIC_PORT_COUNTERS(D)
#undef D
};

void fbnic_port_dump(struct fbnic *dev, FILE *out)
{
	fprintf(out, "port.held %d\n", dev->port.held);
	fprintf(out, "port.tx_blocked %d\n", dev->port.tx_blocked);
	counters_dump(out, "port", &dev->port.stats, port_counters,
		      COUNTER_COUNT(port_counters));
}
