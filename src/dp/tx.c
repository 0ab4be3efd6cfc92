/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TX pipeline, one stage per function, in the order a packet meets
 * them:
 *
 *   fbnic_dp_tx_work   the queues a doorbell marked pending
 *   tx_ring            one work queue (TWQ0, or TWQ1 for XDP_TX)
 *   tx_fetch           the packet's descriptors: META (TWQ1: the default
 *                      metadata), then AL ... LAST_AL
 *   tx_gather          the buffers, DMA-read into one frame
 *   tx_offload_send    CSO or LSO, then the MAC and the port; a port
 *                      without room (-EAGAIN) stops the ring with the
 *                      packet at its head, and fbnic_port_tx_room starts
 *                      it again: fetch and gather anew (DMA reads change
 *                      nothing), then only the frames not sent yet
 *                      (ring->tx_sent)
 *   tx_complete        TCDs: the timestamp (TYPE_1), the new head (TYPE_0)
 *   tcq_interrupt      the TCQ's vector
 *
 * The descriptor formats and the rules are the driver's (fbnic_txrx.c
 * fbnic_tx_map, fbnic_tx_offloads, fbnic_tx_lso, fbnic_clean_twq0,
 * fbnic_clean_tcq; fbnic_csr.h FBNIC_TWD_*, FBNIC_TCD_*).
 */
#include <errno.h>
#include <string.h>

#include "dev/dev.h"
#include "dp.h"
#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt/tso.h"
#include "ring.h"
#include "util/log.h"

#define SUB "tx"

/* Descriptors of one packet at most: META + the skb head + MAX_SKB_FRAGS
 * (fbnic_txrx.h FBNIC_MAX_SKB_DESC is 27 with 17 frags); more is a
 * malformed ring. */
#define TX_MAX_DESC 64u
/* A packet at most: a 64 KiB GSO packet (tso_max_size) plus its headers. */
#define TX_MAX_LEN (65536u + PKT_TSO_HDR_MAX)
/* Packets served per ring and pass before other work gets its turn. */
#define TX_BUDGET 256u

struct tx_pkt {
	uint64_t meta;
	unsigned ndesc;                /* descriptors, META included */
	uint64_t al[TX_MAX_DESC];      /* the address descriptors */
	unsigned nal;
	size_t len;
};

/* The frame being sent and one LSO segment.  Per thread: a device's TX
 * work runs on one thread at a time (dev/fbnic.h), and never nests. */
static _Thread_local uint8_t frame_buf[TX_MAX_LEN];
static _Thread_local uint8_t seg_buf[PKT_TSO_HDR_MAX + 16384u];

static struct fbnic_ring *ring_of(struct fbnic *dev, unsigned q,
				  enum fbnic_ring_idx r)
{
	return &dev->queues.q[q].ring[r];
}

/* Still the ring we started on: enabled and not reconfigured while a DMA
 * had the device lock dropped. */
static bool still(struct fbnic *dev, unsigned q, uint32_t gen)
{
	return dev->queues.q[q].gen == gen;
}

static void ring_fault(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
		       uint64_t *counter, const char *why)
{
	(*counter)++;
	fbnic_queue_ring_error(dev, q, r, why);
}

/* ---- fetch ------------------------------------------------------------ */

/* 1 a whole packet, 0 not all of it posted yet (the driver rings at packet
 * boundaries, so this only waits on a doorbell still to come), -1 a
 * malformed ring (stopped) or the ring changed under a DMA. */
static int tx_fetch(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
		    uint32_t gen, struct tx_pkt *p)
{
	struct fbnic_ring *ring = ring_of(dev, q, r);
	unsigned avail = fbnic_ring_avail(ring);
	unsigned i = 0;
	uint64_t d;

	p->meta = 0;
	p->ndesc = p->nal = 0;
	p->len = 0;
	if (r == FBNIC_RING_TWQ1) {
		/* XDP_TX: no META, the queue manager's default applies
		 * (fbnic_mac_init_qm; fbnic_xmit_xdp_frame). */
		p->meta = (uint64_t)dev->csr[FBNIC_QM_TWQ_DEFAULT_META_H] << 32 |
			  dev->csr[FBNIC_QM_TWQ_DEFAULT_META_L];
	}
	while (i < avail) {
		if (fbnic_dp_desc(dev, q, r, i, &d)) {
			if (still(dev, q, gen))
				ring_fault(dev, q, r,
					   &dev->dp.stats.tx_dma_errors,
					   "descriptor read failed");
			return -1;
		}
		if (!still(dev, q, gen))
			return -1;
		i++;
		unsigned type = FBNIC_FIELD_GET(FBNIC_TWD_TYPE_MASK, d);
		fbnic_trace(dev, FBNIC_TR_DESC, q, r, (uint32_t)(d >> 32));
		if (i == 1 && r == FBNIC_RING_TWQ0) {
			if (type != FBNIC_TWD_TYPE_META) {
				ring_fault(dev, q, r, &dev->dp.stats.tx_bad_desc,
					   "packet does not start with META");
				return -1;
			}
			p->meta = d;
			continue;
		}
		if (type == FBNIC_TWD_TYPE_OPT_META && p->nal == 0)
			continue; /* optional metadata: nothing the model uses */
		if (type != FBNIC_TWD_TYPE_AL && type != FBNIC_TWD_TYPE_LAST_AL) {
			ring_fault(dev, q, r, &dev->dp.stats.tx_bad_desc,
				   "META inside a packet");
			return -1;
		}
		if (p->nal == TX_MAX_DESC) {
			ring_fault(dev, q, r, &dev->dp.stats.tx_bad_desc,
				   "packet of too many descriptors");
			return -1;
		}
		p->al[p->nal++] = d;
		p->len += FBNIC_FIELD_GET(FBNIC_TWD_LEN_MASK, d);
		if (type == FBNIC_TWD_TYPE_LAST_AL) {
			p->ndesc = i;
			return 1;
		}
	}
	return 0;
}

/* ---- gather ----------------------------------------------------------- */

/* 0, or -1 (ring stopped or changed). */
static int tx_gather(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
		     uint32_t gen, const struct tx_pkt *p)
{
	size_t off = 0;
	for (unsigned i = 0; i < p->nal; i++) {
		uint64_t addr = FBNIC_FIELD_GET(FBNIC_TWD_ADDR_MASK, p->al[i]);
		size_t n = FBNIC_FIELD_GET(FBNIC_TWD_LEN_MASK, p->al[i]);
		if (!n)
			continue; /* an empty skb head (fbnic_tx_map) */
		if (fbnic_dma_read_q(dev, q, addr, frame_buf + off, n)) {
			if (still(dev, q, gen))
				ring_fault(dev, q, r,
					   &dev->dp.stats.tx_dma_errors,
					   "buffer read failed");
			return -1;
		}
		if (!still(dev, q, gen))
			return -1;
		off += n;
	}
	return 0;
}

/* ---- offload, MAC, port ----------------------------------------------- */

/* The MAC pads short frames (MAC_COMMAND_CONFIG.TX_PAD_EN, fbnic_mac.c);
 * XDP_TX frames may be shorter than the 60 bytes the stack pads to.
 * 0 handed over (sent, or dropped and counted by the port), -EAGAIN the
 * port has no room now. */
static int wire_send(struct fbnic *dev, uint8_t *frame, size_t len)
{
	if (len < PKT_ETH_MIN_LEN) {
		memset(frame + len, 0, PKT_ETH_MIN_LEN - len);
		len = PKT_ETH_MIN_LEN;
	}
	if (fbnic_port_tx(dev, frame, len) == -EAGAIN)
		return -EAGAIN;
	dev->dp.stats.tx_frames++;
	return 0;
}

/* A TCP LSO packet handed to the backend whole when it can take it
 * (host port_send_gso: a tap, whose kernel segments it as it does
 * virtio-net's): the headers made the whole packet's (pkt/tso.h
 * pkt_tso_gso_prepare), the MAC counting the n segments it makes.
 * -EOPNOTSUPP: not handed over (UDP, a tunnel, or the backend cannot),
 * frame_buf as it was: the caller segments it. */
static int tx_gso(struct fbnic *dev, size_t len,
		  const struct pkt_tso_layout *lo, unsigned mss, unsigned n)
{
	uint8_t hdr[PKT_TSO_HDR_MAX];
	size_t hlen = lo->l4_off + lo->l4_len;
	if (hlen > sizeof(hdr))
		return -EOPNOTSUPP;
	memcpy(hdr, frame_buf, hlen);
	if (pkt_tso_gso_prepare(frame_buf, len, lo, mss))
		return -EOPNOTSUPP;
	struct fbnic_gso g = {
		.v6 = lo->l3 == PKT_TSO_L3_IPV6,
		.mss = (uint16_t)mss,
		.hdr_len = (uint16_t)hlen,
		.csum_start = (uint16_t)lo->l4_off,
		.csum_offset = PKT_TCP_CSUM_OFF,
	};
	int r = fbnic_port_tx_gso(dev, frame_buf, len, &g, n);
	if (r == -EOPNOTSUPP) {
		memcpy(frame_buf, hdr, hlen);
		return r;
	}
	if (r == -EAGAIN)
		return r;
	dev->dp.stats.tx_frames += n;
	dev->dp.stats.tx_lso++;
	return 0;
}

/* LSO (fbnic_tx_lso): TCP, or UDP (GSO_UDP_L4), in segments of MSS payload
 * bytes, where the TWD says the headers are (L2_HLEN, L3_TYPE, L3_OHLEN,
 * L3_IHLEN, L4_TYPE, L4_HLEN), tunnels included; pkt/tso.h says what
 * changes per segment and checks the headers' bytes agree with the TWD.
 * Segments from *sent on (the ones before went out on an earlier try);
 * -EAGAIN with *sent the first segment the port had no room for. */
static int tx_lso(struct fbnic *dev, size_t len, uint64_t meta, uint32_t *sent)
{
	unsigned mss = FBNIC_FIELD_GET(FBNIC_TWD_MSS_MASK, meta);
	unsigned l4_type = FBNIC_FIELD_GET(FBNIC_TWD_L4_TYPE_MASK, meta);
	struct pkt_tso_layout lo = {
		.l3 = (enum pkt_tso_l3)FBNIC_FIELD_GET(FBNIC_TWD_L3_TYPE_MASK,
						       meta),
		.l3_off = 2 * FBNIC_FIELD_GET(FBNIC_TWD_L2_HLEN_MASK, meta),
		.l4_len = 4 * FBNIC_FIELD_GET(FBNIC_TWD_L4_HLEN_MASK, meta),
		.udp = l4_type == FBNIC_TWD_L4_TYPE_UDP,
	};
	/* fbnic_tx_lso: L3_OHLEN only for V6V6, where L3_IHLEN is the inner
	 * header's; otherwise L3_IHLEN runs from L2 to the L4 header. */
	size_t oh = lo.l3 == PKT_TSO_L3_V6V6
			    ? 2 * FBNIC_FIELD_GET(FBNIC_TWD_L3_OHLEN_MASK, meta)
			    : 0;
	lo.inner_l3_off = lo.l3_off + oh;
	lo.l4_off = lo.inner_l3_off +
		    2 * FBNIC_FIELD_GET(FBNIC_TWD_L3_IHLEN_MASK, meta);
	if (l4_type != FBNIC_TWD_L4_TYPE_TCP && l4_type != FBNIC_TWD_L4_TYPE_UDP)
		return -EPROTO;
	int n = pkt_tso_count(len, &lo, mss);
	if (n < 0)
		return n;
	if (*sent == 0 && n > 1 && dev->host.port_send_gso) {
		int r = tx_gso(dev, len, &lo, mss, (unsigned)n);
		if (r != -EOPNOTSUPP)
			return r;
	}
	for (unsigned i = *sent; i < (unsigned)n; i++) {
		int sl = pkt_tso_segment(frame_buf, len, &lo, mss, i, seg_buf,
					 sizeof(seg_buf));
		if (sl < 0)
			return sl;
		if (wire_send(dev, seg_buf, (size_t)sl)) {
			*sent = i;
			return -EAGAIN;
		}
	}
	dev->dp.stats.tx_lso++;
	if (lo.l3 == PKT_TSO_L3_OTHER || lo.l3 == PKT_TSO_L3_V6V6)
		dev->dp.stats.tx_lso_tunnel++;
	return 0;
}

/* 0 the packet is done with (sent, or dropped and counted); -EAGAIN the
 * port had no room: *sent frames of it are out, the rest goes on the
 * next try. */
static int tx_offload_send(struct fbnic *dev, size_t len, uint64_t meta,
			   uint32_t *sent)
{
	/* DEST_MAC, or no destination at all (TWQ1's default), goes to the
	 * wire; the BMC and firmware are not modelled. */
	if ((meta & (FBNIC_TWD_FLAG_DEST_BMC | FBNIC_TWD_FLAG_DEST_FW)) &&
	    !(meta & FBNIC_TWD_FLAG_DEST_MAC)) {
		dev->dp.stats.tx_not_wire++;
		return 0;
	}
	if (meta & FBNIC_TWD_FLAG_REQ_LSO) {
		int err = tx_lso(dev, len, meta, sent);
		if (err == -EAGAIN)
			return err;
		if (err) {
			dev->dp.stats.tx_bad_offload++;
			log_guest(SUB, "LSO request (TWD 0x%016llx) on a %zu-byte "
				  "frame it does not fit: %s",
				  (unsigned long long)meta, len, strerror(-err));
		}
		return 0;
	}
	if (meta & FBNIC_TWD_FLAG_REQ_CSO) {
		/* fbnic_tx_offloads: start = (L2_HLEN + L3_IHLEN) * 2, the
		 * field at start + CSUM_OFFSET * 2 (NETIF_F_HW_CSUM). */
		size_t start = 2 * (FBNIC_FIELD_GET(FBNIC_TWD_L2_HLEN_MASK, meta) +
				    FBNIC_FIELD_GET(FBNIC_TWD_L3_IHLEN_MASK, meta));
		size_t off = 2 * FBNIC_FIELD_GET(FBNIC_TWD_CSUM_OFFSET_MASK, meta);
		if (pkt_csum_offload(frame_buf, len, start, off)) {
			dev->dp.stats.tx_bad_offload++;
			log_guest(SUB, "CSO request (start %zu, offset %zu) "
				  "outside a %zu-byte frame", start, off, len);
			return 0;
		}
		if (wire_send(dev, frame_buf, len))
			return -EAGAIN;
		dev->dp.stats.tx_cso++;
		return 0;
	}
	return wire_send(dev, frame_buf, len);
}

/* ---- completion ------------------------------------------------------- */

/* Write one TCD with this lap's DONE bit (fbnic_clean_tcq reads DONE
 * against its own lap).  0, or -1 (TCQ stopped or changed). */
static int tcq_put(struct fbnic *dev, unsigned q, uint32_t gen, uint64_t tcd)
{
	struct fbnic_ring *tcq = ring_of(dev, q, FBNIC_RING_TCQ);
	if (tcq->phase)
		tcd |= FBNIC_TCD_DONE;
	if (fbnic_dma_write_q(dev, q, fbnic_ring_entry(tcq, tcq->tail), &tcd,
			      sizeof(tcd))) {
		if (still(dev, q, gen))
			ring_fault(dev, q, FBNIC_RING_TCQ,
				   &dev->dp.stats.tx_dma_errors,
				   "completion write failed");
		return -1;
	}
	if (!still(dev, q, gen))
		return -1;
	fbnic_trace(dev, FBNIC_TR_COMPLETION, q, FBNIC_RING_TCQ,
		    (uint32_t)(tcd >> 32));
	fbnic_ring_advance_tail(tcq);
	return 0;
}

/* The timestamp first (fbnic_clean_twq0 holds a TS packet until its
 * TYPE_1 arrives, in packet order), then the new head if the META asked
 * for a completion (fbnic_tx_doorbell sets REQ_COMPLETION on the last
 * packet of a burst).  One TCD reports one work queue. */
static int tx_complete(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
		       uint32_t gen, uint64_t meta, unsigned *wrote)
{
	const struct fbnic_ring *twq = ring_of(dev, q, r);
	if (meta & FBNIC_TWD_FLAG_REQ_TS) {
		/* with wire time, when the packet's (last) frame left */
		uint64_t at = dev->port.tx_at;
		uint64_t ts = at ? fbnic_ptp_at(dev, at) : fbnic_ptp_now(dev);
		if (tcq_put(dev, q, gen,
			    FBNIC_FIELD_PREP(FBNIC_TCD_TYPE_MASK, FBNIC_TCD_TYPE_1) |
				    FBNIC_FIELD_PREP(FBNIC_TCD_TYPE1_TS_MASK, ts)))
			return -1;
		dev->dp.stats.tx_ts++;
		(*wrote)++;
	}
	if (meta & FBNIC_TWD_FLAG_REQ_COMPLETION) {
		uint64_t tcd = FBNIC_FIELD_PREP(FBNIC_TCD_TYPE_MASK,
						FBNIC_TCD_TYPE_0);
		if (r == FBNIC_RING_TWQ1)
			tcd |= FBNIC_TCD_TWQ1 |
			       FBNIC_FIELD_PREP(FBNIC_TCD_TYPE0_HEAD1_MASK,
						twq->head);
		else
			tcd |= FBNIC_FIELD_PREP(FBNIC_TCD_TYPE0_HEAD0_MASK,
						twq->head);
		if (tcq_put(dev, q, gen, tcd))
			return -1;
		(*wrote)++;
	}
	return 0;
}

/* TIM_CTL routes the TCQ to a vector; TIM_MASK keeps it quiet (set while
 * the queue is down, fbnic_disable_tcq); TIM_THRESHOLD counts the work
 * descriptors completed (its field is TWD_MASK in fbnic_csr.h). */
static void tcq_interrupt(struct fbnic *dev, unsigned q, unsigned ntwd)
{
	uint32_t blk = FBNIC_QUEUE(q);
	if (dev->csr[blk + FBNIC_QUEUE_TIM_MASK] & FBNIC_QUEUE_TIM_MASK_MASK)
		return;
	fbnic_intr_cq(dev, dev->csr[blk + FBNIC_QUEUE_TIM_CTL] &
				   FBNIC_QUEUE_TIM_CTL_MSIX_MASK,
		      FBNIC_CQ_TX, ntwd,
		      dev->csr[blk + FBNIC_QUEUE_TIM_THRESHOLD] &
			      FBNIC_QUEUE_TIM_THRESHOLD_TWD_MASK);
}

/* ---- one work queue --------------------------------------------------- */

/* Serve up to TX_BUDGET packets; true if the ring still has work.  Adds
 * the TCDs written to *wrote and the TWDs completed to *twds. */
static bool tx_ring(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
		    unsigned *wrote, unsigned *twds)
{
	struct fbnic_ring *twq = ring_of(dev, q, r);
	const struct fbnic_ring *tcq = ring_of(dev, q, FBNIC_RING_TCQ);
	uint32_t gen = dev->queues.q[q].gen;
	struct tx_pkt p;

	for (unsigned n = 0; n < TX_BUDGET; n++) {
		if (!twq->enabled || !fbnic_ring_avail(twq))
			return false;
		/* An injected "tx stall" (dev/fault.h): no fetch until it is
		 * cleared, which kicks the queue again. */
		if (fbnic_fault_fire(dev, FBNIC_FAULT_TX_STALL, q))
			return false;
		/* An injected "completion delay": nothing completes until
		 * the hold ends, which kicks the queue again. */
		if (fbnic_fault_hold(dev, q))
			return false;
		/* A packet may need two TCDs (timestamp and head): wait for
		 * the driver to consume (TCQ_HEAD kicks us again). */
		if (!tcq->enabled || fbnic_ring_room(tcq) < 2) {
			dev->dp.stats.tx_wait_tcq++;
			return false;
		}
		if (tx_fetch(dev, q, r, gen, &p) <= 0)
			return false;
		if (p.len > TX_MAX_LEN) {
			ring_fault(dev, q, r, &dev->dp.stats.tx_too_long,
				   "packet longer than 64 KiB + headers");
			return false;
		}
		if (tx_gather(dev, q, r, gen, &p))
			return false;
		dev->port.tx_at = 0;
		/* No room in the port: the packet stays at the head, no
		 * completion; fbnic_port_tx_room kicks the ring again. */
		/* An injected "tx drop": sent, completed, lost on the wire. */
		if (!twq->tx_sent &&
		    fbnic_fault_fire(dev, FBNIC_FAULT_TX_DROP, q)) {
			/* not sent */
		} else if (tx_offload_send(dev, p.len, p.meta, &twq->tx_sent)) {
			dev->dp.stats.tx_wait_port++;
			return false;
		}
		if (!still(dev, q, gen))
			return false;
		twq->tx_sent = 0;
		for (unsigned i = 0; i < p.ndesc; i++)
			fbnic_ring_advance_head(twq);
		*twds += p.ndesc;
		dev->dp.stats.tx_packets++;
		fbnic_queue_count(dev, q,
				  r == FBNIC_RING_TWQ0 ? FBNIC_QUEUE_TWQ0_PKT_CNT
						       : FBNIC_QUEUE_TWQ1_PKT_CNT,
				  1);
		if (tx_complete(dev, q, r, gen, p.meta, wrote))
			return false;
	}
	return twq->enabled && fbnic_ring_avail(twq);
}

void fbnic_dp_tx_work(struct fbnic *dev)
{
	for (unsigned w = 0; w < FBNIC_MAX_QUEUES / 32; w++) {
		uint32_t pending = dev->queues.tx_pending[w];
		dev->queues.tx_pending[w] = 0;
		while (pending) {
			unsigned q = w * 32 + (unsigned)__builtin_ctz(pending);
			unsigned wrote = 0, twds = 0;
			bool more;
			pending &= pending - 1;
			more = tx_ring(dev, q, FBNIC_RING_TWQ0, &wrote, &twds);
			more |= tx_ring(dev, q, FBNIC_RING_TWQ1, &wrote, &twds);
			if (wrote)
				tcq_interrupt(dev, q, twds);
			fbnic_queue_tx_settle(dev, q);
			if (more)
				fbnic_queue_tx_kick(dev, q);
		}
	}
}
