/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RX pipeline, one stage per function, in the order a frame meets
 * them:
 *
 *   fbnic_dp_rx      a frame from the port (the MAC let it in)
 *   rx_classify      parse, then the RPC's verdict: host or not, queue,
 *                    hash, L3/L4 types (rpc.c)
 *   rx_layout        how much goes to the header buffer (HPQ) and how
 *                    much to payload buffers (PPQ): header-data split
 *   rx_resources     completions and buffers for all of it, or hold the
 *                    frame (back-pressure: nothing is dropped for want of
 *                    buffers)
 *   rx_place         DMA into the buffers, in ring order
 *   rx_complete      RCDs: HDR_AL, PAY_AL..., OPT_META (timestamp), META
 *   rcq_interrupt    the RCQ's vector
 *
 * The layout rules are the driver's, which rebuilds each buffer's extent
 * from the RCD alone (fbnic_txrx.c fbnic_pkt_prepare, fbnic_hdr_pg_start,
 * fbnic_hdr_pg_end, fbnic_add_rx_frag, fbnic_clean_rcq; RDE_CTL0/1 from
 * fbnic_config_drop_mode_rcq and fbnic_enable_rcq).
 */
#include <errno.h>
#include <string.h>

#include "dev/dev.h"
#include "dp.h"
#include "pkt/csum.h"
#include "pkt/parse.h"
#include "ring.h"
#include "rpc.h"
#include "util/log.h"

#define SUB "rx"

/* Payload buffers per frame at most (fbnic_txrx.h: FBNIC_MAX_RX_PKT_DESC
 * budgets 4 PAY_AL between HDR_AL and META). */
#define RX_MAX_PAY 4u
#define RX_ALIGN(x, a) (((x) + (a) - 1) / (a) * (a))

struct rx_layout {
	size_t hdr_off;  /* where the frame starts in the header buffer */
	size_t pad;      /* RDE_CTL1.PADLEN bytes before it */
	size_t hlen;     /* frame bytes in the header buffer */
	unsigned npay;   /* payload buffers */
	unsigned rcds;   /* completions the frame needs */
};

static struct fbnic_ring *ring_of(struct fbnic *dev, unsigned q,
				  enum fbnic_ring_idx r)
{
	return &dev->queues.q[q].ring[r];
}

/* ---- layout ----------------------------------------------------------- */

/* The split point the action's DMA hint allows (fbnic_enable_rcq: with
 * EN_HDR_SPLIT the headers up to L4 go to the header buffer, falling back
 * to the L3 or L2 boundary when they do not fit MAX_HDR).  0: none fits. */
static size_t split_point(const struct pkt_info *pi, unsigned hint,
			  size_t lim)
{
	bool l4 = pi->l4 == PKT_L4_TCP || pi->l4 == PKT_L4_UDP;
	if (l4 && (hint & FBNIC_RCD_HDR_AL_DMA_HINT_L4) && pi->payload_off <= lim)
		return pi->payload_off;
	/* The end of the IP header and its extension headers: where L4
	 * starts, or for a fragment (no L4 parsed) where its payload does;
	 * 0 when the parse stopped before it. */
	size_t l3_end = pi->l4_off ? pi->l4_off : pi->payload_off;
	if (pi->l3 != PKT_L3_NONE && l3_end > pi->l2_len && l3_end <= lim &&
	    (hint & (FBNIC_RCD_HDR_AL_DMA_HINT_L4 | FBNIC_RCD_HDR_AL_DMA_HINT_L3)))
		return l3_end;
	if (pi->l2_len && pi->l2_len <= lim)
		return pi->l2_len;
	return 0;
}

/* 0, or -1 when the queue's RDE configuration cannot hold this frame. */
static int rx_layout(struct fbnic *dev, unsigned q, const struct pkt_info *pi,
		     size_t len, const struct fbnic_rpc_result *res,
		     struct rx_layout *lo)
{
	uint32_t ctl0 = dev->csr[FBNIC_QUEUE(q) + FBNIC_QUEUE_RDE_CTL0];
	uint32_t ctl1 = dev->csr[FBNIC_QUEUE(q) + FBNIC_QUEUE_RDE_CTL1];
	size_t hroom = FBNIC_FIELD_GET(FBNIC_QUEUE_RDE_CTL0_MIN_HROOM_MASK, ctl0);
	size_t troom = FBNIC_FIELD_GET(FBNIC_QUEUE_RDE_CTL0_MIN_TROOM_MASK, ctl0);
	size_t max_hdr = FBNIC_FIELD_GET(FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK, ctl1);
	bool hds = ctl0 & FBNIC_QUEUE_RDE_CTL0_EN_HDR_SPLIT;

	memset(lo, 0, sizeof(*lo));
	lo->pad = FBNIC_FIELD_GET(FBNIC_QUEUE_RDE_CTL1_PADLEN_MASK, ctl1);
	/* The first header of a buffer sits at ALIGN(HROOM, 128): the
	 * driver then counts the buffer from offset 0 (fbnic_hdr_pg_start),
	 * and the CPU writes skb_shared_info in the TROOM after the data. */
	lo->hdr_off = RX_ALIGN(hroom, 128);
	if (lo->hdr_off + lo->pad + troom >= FBNIC_BD_FRAG_SIZE)
		return -1;
	size_t cap = FBNIC_BD_FRAG_SIZE - lo->hdr_off - lo->pad - troom;
	size_t lim = max_hdr && max_hdr < cap ? max_hdr : cap;

	bool l4 = pi->l4 == PKT_L4_TCP || pi->l4 == PKT_L4_UDP;
	bool no_payload = !l4 || pi->payload_len == 0;
	if (len <= lim && (!hds || no_payload)) {
		/* Whole frame in the header buffer: every frame up to
		 * MAX_HDR without split, and with split the frames that
		 * have no L4 payload (ARP, ICMP, pure ACKs) so that no
		 * header lands in a payload buffer the stack may not read
		 * (devmem, io_uring zero-copy). */
		lo->hlen = len;
	} else {
		lo->hlen = split_point(pi, res->dma_hint, lim);
		if (!lo->hlen)
			return -1;
	}
	size_t rest = len - lo->hlen;
	lo->npay = (unsigned)((rest + FBNIC_BD_FRAG_SIZE - 1) / FBNIC_BD_FRAG_SIZE);
	if (lo->npay > RX_MAX_PAY)
		return -1;
	lo->rcds = 2 + lo->npay + (res->ts ? 1 : 0);
	return 0;
}

/* ---- resources -------------------------------------------------------- */

/* Room for every completion and a buffer for every piece, now.  Lossless:
 * when not, the frame waits (the backend holds it) whatever RDE_CTL0's
 * DROP_MODE says, until the driver posts buffers or consumes completions
 * (its doorbells lead to fbnic_port_room through fbnic_work). */
static bool rx_resources(struct fbnic *dev, unsigned q,
			 const struct rx_layout *lo)
{
	return fbnic_ring_room(ring_of(dev, q, FBNIC_RING_RCQ)) >= lo->rcds &&
	       fbnic_ring_avail(ring_of(dev, q, FBNIC_RING_HPQ)) >= 1 &&
	       fbnic_ring_avail(ring_of(dev, q, FBNIC_RING_PPQ)) >= lo->npay;
}

/* ---- placement -------------------------------------------------------- */

/* Take the next buffer of a BDQ and write data at off in it.  Returns the
 * buffer's id, or -1 (ring stopped, or reconfigured under the DMA). */
static int bdq_put(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
		   uint32_t gen, size_t off, const uint8_t *data, size_t n)
{
	struct fbnic_ring *bdq = ring_of(dev, q, r);
	uint64_t bd;
	if (fbnic_dp_desc(dev, q, r, 0, &bd))
		goto fault;
	if (dev->queues.q[q].gen != gen)
		return -1;
	uint64_t addr = bd & FBNIC_BD_DESC_ADDR_MASK;
	if (n && fbnic_dma_write_q(dev, q, addr + off, data, n))
		goto fault;
	if (dev->queues.q[q].gen != gen)
		return -1;
	fbnic_ring_advance_head(bdq);
	return (int)FBNIC_FIELD_GET(FBNIC_BD_DESC_ID_MASK, bd);
fault:
	if (dev->queues.q[q].gen == gen) {
		dev->dp.stats.rx_dma_errors++;
		fbnic_queue_ring_error(dev, q, r, "buffer DMA failed");
	}
	return -1;
}

/* Write a frame's n RCDs, each with its lap's DONE bit, after the data
 * they describe: one DMA for the run up to the ring's end and one for
 * the rest (the driver reads them one by one, fbnic_clean_rcq, and each
 * 8-byte RCD lands whole: a run is 8-byte aligned and a multiple of 8). */
static int rcq_put(struct fbnic *dev, unsigned q, uint32_t gen, uint64_t *rcd,
		   unsigned n)
{
	struct fbnic_ring *rcq = ring_of(dev, q, FBNIC_RING_RCQ);
	for (unsigned done = 0; done < n;) {
		if (rcq->tail >= rcq->size)
			return -1; /* (rx_resources saw it enabled) */
		unsigned run = rcq->size - rcq->tail;
		if (run > n - done)
			run = n - done;
		for (unsigned i = 0; i < run; i++)
			if (rcq->phase)
				rcd[done + i] |= FBNIC_RCD_DONE;
		if (fbnic_dma_write_q(dev, q, fbnic_ring_entry(rcq, rcq->tail),
				      &rcd[done], run * sizeof(*rcd))) {
			if (dev->queues.q[q].gen == gen) {
				dev->dp.stats.rx_dma_errors++;
				fbnic_queue_ring_error(dev, q, FBNIC_RING_RCQ,
						       "completion write failed");
			}
			return -1;
		}
		if (dev->queues.q[q].gen != gen)
			return -1;
		for (unsigned i = 0; i < run; i++) {
			fbnic_trace(dev, FBNIC_TR_COMPLETION, q, FBNIC_RING_RCQ,
				    (uint32_t)(rcd[done + i] >> 32));
			fbnic_ring_advance_tail(rcq);
		}
		done += run;
	}
	return 0;
}

static uint64_t al_rcd(unsigned type, int id, size_t len, size_t off)
{
	return FBNIC_FIELD_PREP(FBNIC_RCD_TYPE_MASK, type) |
	       FBNIC_FIELD_PREP(FBNIC_RCD_AL_BUFF_ID_MASK, (unsigned)id) |
	       FBNIC_FIELD_PREP(FBNIC_RCD_AL_BUFF_LEN_MASK, len) |
	       FBNIC_FIELD_PREP(FBNIC_RCD_AL_BUFF_OFF_MASK, off) |
	       FBNIC_RCD_AL_PAGE_FIN;
}

/* The META word: hash, checksum and types (fbnic_rx_csum: with
 * L4_CSUM_UNNECESSARY the stack trusts the L4 checksum, else it takes
 * L2_CSUM as CHECKSUM_COMPLETE, the sum of everything after the 14-byte
 * Ethernet header as a little-endian CPU's csum_partial gives it). */
static uint64_t meta_rcd(const uint8_t *frame, size_t len,
			 const struct pkt_info *pi,
			 const struct fbnic_rpc_result *res)
{
	uint64_t m = FBNIC_FIELD_PREP(FBNIC_RCD_TYPE_MASK, FBNIC_RCD_TYPE_META) |
		     FBNIC_FIELD_PREP(FBNIC_RCD_META_RSS_HASH_MASK, res->hash) |
		     FBNIC_FIELD_PREP(FBNIC_RCD_META_L3_TYPE_MASK, res->l3_type) |
		     FBNIC_FIELD_PREP(FBNIC_RCD_META_L4_TYPE_MASK, res->l4_type);
	uint16_t sum = 0;
	if ((pi->l4 == PKT_L4_TCP || pi->l4 == PKT_L4_UDP) && !pi->err &&
	    pkt_l4_csum_verify(frame, len, pi) == 0)
		return m | FBNIC_RCD_META_L4_CSUM_UNNECESSARY;
	if (pkt_csum_complete(frame, len, PKT_ETH_HLEN, &sum) == 0)
		m |= FBNIC_FIELD_PREP(FBNIC_RCD_META_L2_CSUM_MASK,
				      pkt_csum_swab16(sum));
	return m;
}

/* Place the frame and write its completions (a timestamp: the device
 * clock when the frame reached the port, host time at).  The number of
 * RCDs written if delivered, -1 if lost to a fault or a reconfiguration
 * (counted). */
static int rx_place(struct fbnic *dev, unsigned q, const uint8_t *frame,
		    size_t len, const struct pkt_info *pi,
		    const struct fbnic_rpc_result *res,
		    const struct rx_layout *lo, uint64_t at)
{
	uint32_t gen = dev->queues.q[q].gen;
	uint64_t rcd[2 + RX_MAX_PAY + 1];
	unsigned n = 0;
	uint8_t hdr[FBNIC_BD_FRAG_SIZE];
	const uint8_t *head = frame;

	/* Header buffer: PADLEN zero bytes, then the frame's head, in one
	 * DMA; without padding (the driver's FBNIC_RX_PAD is 0) straight
	 * from the frame, with no copy between. */
	if (lo->pad) {
		memset(hdr, 0, lo->pad);
		memcpy(hdr + lo->pad, frame, lo->hlen);
		head = hdr;
	}
	int id = bdq_put(dev, q, FBNIC_RING_HPQ, gen, lo->hdr_off, head,
			 lo->pad + lo->hlen);
	if (id < 0)
		return -1;
	rcd[n++] = al_rcd(FBNIC_RCD_TYPE_HDR_AL, id, lo->pad + lo->hlen,
			  lo->hdr_off);
	/* Payload buffers from offset 0, each abandoned after its packet
	 * (PAGE_FIN: fbnic_add_rx_frag's truesize is the rest of it). */
	for (size_t off = lo->hlen; off < len; off += FBNIC_BD_FRAG_SIZE) {
		size_t chunk = len - off < FBNIC_BD_FRAG_SIZE ? len - off
							      : FBNIC_BD_FRAG_SIZE;
		id = bdq_put(dev, q, FBNIC_RING_PPQ, gen, 0, frame + off, chunk);
		if (id < 0)
			return -1;
		rcd[n++] = al_rcd(FBNIC_RCD_TYPE_PAY_AL, id, chunk, 0);
	}
	if (res->ts)
		rcd[n++] = FBNIC_FIELD_PREP(FBNIC_RCD_TYPE_MASK,
					    FBNIC_RCD_TYPE_OPT_META) |
			   FBNIC_FIELD_PREP(FBNIC_RCD_OPT_META_TS_MASK,
					    fbnic_ptp_at(dev, at)) |
			   FBNIC_RCD_OPT_META_TS;
	rcd[n++] = meta_rcd(frame, len, pi, res);
	if (rcq_put(dev, q, gen, rcd, n))
		return -1;
	return (int)n;
}

/* RIM_CTL routes the RCQ to a vector; RIM_MASK keeps it quiet. */
static void rcq_interrupt(struct fbnic *dev, unsigned q, unsigned nrcd)
{
	uint32_t blk = FBNIC_QUEUE(q);
	if (dev->csr[blk + FBNIC_QUEUE_RIM_MASK] & FBNIC_QUEUE_RIM_MASK_MASK)
		return;
	fbnic_intr_cq(dev, dev->csr[blk + FBNIC_QUEUE_RIM_CTL] &
				   FBNIC_QUEUE_RIM_CTL_MSIX_MASK,
		      FBNIC_CQ_RX, nrcd,
		      dev->csr[blk + FBNIC_QUEUE_RIM_THRESHOLD] &
			      FBNIC_QUEUE_RIM_THRESHOLD_RCD_MASK);
}

/* ---- the frame -------------------------------------------------------- */

/* An injected "rx corrupt": a copy of the frame with one bit flipped in
 * its TCP or UDP segment (header or payload: what the L4 checksum
 * covers), else anywhere after the Ethernet header, as a wire error the
 * FCS missed.  Classification and layout keep the original's parse; the
 * checksum verdict the device computes from the copy reports the damage
 * (but a UDP datagram without a checksum carries it silently, as on a
 * wire). */
static const uint8_t *rx_corrupt(struct fbnic *dev, const uint8_t *frame,
				 size_t len, const struct pkt_info *pi)
{
	static _Thread_local uint8_t copy[FBNIC_PORT_MAX_FRAME];
	if (len <= 14 || len > sizeof(copy))
		return frame;
	memcpy(copy, frame, len);
	size_t from = 14, to = len;
	if ((pi->l4 == PKT_L4_TCP || pi->l4 == PKT_L4_UDP) &&
	    pi->l4_off < pkt_l4_end(pi) && pkt_l4_end(pi) <= len) {
		from = pi->l4_off;
		to = pkt_l4_end(pi);
	}
	uint64_t r = fbnic_fault_random(dev, FBNIC_FAULT_RX_CORRUPT);
	size_t at = from + (size_t)(r % (to - from));
	copy[at] ^= (uint8_t)(1u << ((r >> 32) % 8));
	return copy;
}

static void count_drop(struct fbnic *dev, uint64_t *counter, unsigned q,
		       uint32_t reg)
{
	(*counter)++;
	if (reg)
		fbnic_queue_count(dev, q, reg, 1);
}

/* The classifier's cache, rebuilt after the RPC registers changed. */
static struct fbnic_rpc_cache *rpc_cache(struct fbnic *dev)
{
	struct fbnic_dp *dp = &dev->dp;
	if (!dp->rpc_built || dp->rpc_built_gen != dp->rpc_gen) {
		fbnic_rpc_cache_build(&dp->rpc, dev->csr);
		dp->rpc_built_gen = dp->rpc_gen;
		dp->rpc_built = true;
	}
	return &dp->rpc;
}

int fbnic_dp_rx(struct fbnic *dev, const uint8_t *frame, size_t len,
		uint64_t at)
{
	struct fbnic_rpc_result res;
	struct pkt_info pi;
	struct rx_layout lo;

	/* A malformed frame still classifies with what parsed (parse.h). */
	pkt_parse(frame, len, &pi);
	fbnic_rpc_classify(dev->csr, rpc_cache(dev), frame, len, &pi, &res);
	if (!res.host) {
		dev->dp.stats.rx_drop_rpc++;
		if ((unsigned)res.drop < COUNTER_COUNT(dev->dp.rx_drop_reason))
			dev->dp.rx_drop_reason[res.drop]++;
		/* A NIC's filter at work, not an error: which frame, for
		 * --log-level debug. */
		if (log_threshold >= LOG_DEBUG && len >= 14)
			log_ratelimited(LOG_DEBUG, SUB,
					"classifier %s: dst %02x:%02x:%02x:%02x:%02x:%02x "
					"type 0x%04x proto %u, %zu bytes",
					fbnic_rpc_drop_name(res.drop), frame[0],
					frame[1], frame[2], frame[3], frame[4],
					frame[5], pi.ethertype, pi.l4_proto, len);
		return 0;
	}
	unsigned q = res.queue;
	if (q >= FBNIC_MAX_QUEUES ||
	    !ring_of(dev, q, FBNIC_RING_RCQ)->enabled ||
	    !ring_of(dev, q, FBNIC_RING_HPQ)->enabled) {
		/* Lossless across a restart (the queue API, a ring
		 * change): the frame waits for the queue to come back, a
		 * bounded time; a queue that stays off drops it. */
		if (q < FBNIC_MAX_QUEUES && fbnic_queue_rx_restarting(dev, q)) {
			dev->dp.stats.rx_held_restart++;
			return -EAGAIN;
		}
		count_drop(dev, &dev->dp.stats.rx_drop_queue_off, q, 0);
		return 0;
	}
	/* An injected "completion delay" (dev/fault.h): the frame waits for
	 * the hold to end, held as when buffers run out. */
	if (fbnic_fault_hold(dev, q)) {
		dev->dp.stats.rx_held++;
		return -EAGAIN;
	}
	/* Injected faults (dev/fault.h): the frame lost on the wire, or one
	 * bit of its payload flipped there, before the device sees it. */
	if (fbnic_fault_fire(dev, FBNIC_FAULT_RX_DROP, q))
		return 0;
	if (fbnic_fault_fire(dev, FBNIC_FAULT_RX_CORRUPT, q))
		frame = rx_corrupt(dev, frame, len, &pi);
	if (rx_layout(dev, q, &pi, len, &res, &lo) ||
	    (lo.npay && !ring_of(dev, q, FBNIC_RING_PPQ)->enabled)) {
		count_drop(dev, &dev->dp.stats.rx_drop_layout, q,
			   FBNIC_QUEUE_RDE_PKT_ERR_CNT);
		log_guest(SUB, "queue %u cannot place a %zu-byte frame "
			  "(RDE_CTL0 0x%08x RDE_CTL1 0x%08x)", q, len,
			  dev->csr[FBNIC_QUEUE(q) + FBNIC_QUEUE_RDE_CTL0],
			  dev->csr[FBNIC_QUEUE(q) + FBNIC_QUEUE_RDE_CTL1]);
		return 0;
	}
	if (!rx_resources(dev, q, &lo)) {
		dev->dp.stats.rx_held++;
		return -EAGAIN;
	}
	int nrcd = rx_place(dev, q, frame, len, &pi, &res, &lo, at);
	if (nrcd < 0) {
		/* A DMA fault (counted where it failed) or the queue
		 * reconfigured under the DMA: the frame is lost, as on
		 * hardware. */
		count_drop(dev, &dev->dp.stats.rx_drop_fault, q, 0);
		return 0;
	}
	dev->dp.stats.rx_frames++;
	if (res.ts)
		dev->dp.stats.rx_ts++;
	fbnic_queue_count(dev, q, FBNIC_QUEUE_RDE_PKT_CNT, 1);
	rcq_interrupt(dev, q, (unsigned)nrcd);
	return 0;
}

/* ---- state ------------------------------------------------------------ */

static const struct counter_desc dp_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_dp_stats, n, h)
	FBNIC_DP_COUNTERS(D)
#undef D
};

void fbnic_dp_dump(struct fbnic *dev, FILE *out)
{
	counters_dump(out, "dp", &dev->dp.stats, dp_counters,
		      COUNTER_COUNT(dp_counters));
	for (unsigned i = 0; i < COUNTER_COUNT(dev->dp.rx_drop_reason); i++)
		if (dev->dp.rx_drop_reason[i])
			fprintf(out, "dp.rx_drop_rpc.%s %llu\n",
				fbnic_rpc_drop_name((enum fbnic_rpc_drop)i),
				(unsigned long long)dev->dp.rx_drop_reason[i]);
}
