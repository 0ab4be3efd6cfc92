/* SPDX-License-Identifier: Apache-2.0 */
#include "hnic.h"

#include <string.h>

#include "dev/csr.h"
#include "pkt/bytes.h"
#include "pkt/csum.h"
#include "pkt/parse.h"

static void wr(struct hnic *n, uint32_t reg, uint32_t val)
{
	h_wr32(n->h, 0, FBNIC_QUEUE(n->q) + reg, val);
}

static unsigned log2u(unsigned v)
{
	unsigned l = 0;
	while ((1u << l) < v)
		l++;
	return l;
}

static void ring_alloc(struct hnic *n, struct hnic_ring *r, unsigned size)
{
	r->size = size;
	r->base = h_alloc(n->h, 8u * size);
	r->head = r->tail = 0;
	memset(h_gpa(n->h, r->base), 0, 8u * size);
}

/* CTL=RESET, BAL/BAH, SIZE (fls(size_mask) & 0xf), then ENABLE. */
static void ring_program(struct hnic *n, const struct hnic_ring *r,
			 uint32_t bal, uint32_t bah, uint32_t size)
{
	wr(n, bal, (uint32_t)r->base);
	wr(n, bah, (uint32_t)(r->base >> 32));
	wr(n, size, log2u(r->size) & 0xf);
}

static uint64_t *desc(struct hnic *n, const struct hnic_ring *r, unsigned i)
{
	return h_gpa(n->h, r->base + 8ull * (i & (r->size - 1)));
}

static void bdq_fill(struct hnic *n, struct hnic_ring *r, uint64_t bufs,
		     uint32_t tail_reg)
{
	/* fbnic_fill_bdq: keep one slot empty. */
	while (r->tail - r->head < r->size - 1) {
		unsigned i = r->tail & (r->size - 1);
		*desc(n, r, r->tail) =
			FBNIC_FIELD_PREP(FBNIC_BD_DESC_ID_MASK, i) |
			((bufs + 4096ull * i) & FBNIC_BD_DESC_ADDR_MASK);
		r->tail++;
	}
	wr(n, tail_reg, r->tail & (r->size - 1));
}

/* The rings of one queue pair from scratch, as __fbnic_nv_enable and
 * fbnic_nv_fill program them: new ring memory and new buffers. */
static void rings_up(struct hnic *n, unsigned twq_size, unsigned bdq_size,
		     unsigned rcq_size)
{
	ring_alloc(n, &n->twq, twq_size);
	ring_alloc(n, &n->tcq, twq_size);
	ring_alloc(n, &n->hpq, bdq_size);
	ring_alloc(n, &n->ppq, bdq_size);
	ring_alloc(n, &n->rcq, rcq_size);
	n->hpq_buf = h_alloc(n->h, 4096u * bdq_size);
	n->ppq_buf = h_alloc(n->h, 4096u * bdq_size);

	/* fbnic_enable_twq0 */
	wr(n, FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_RESET);
	ring_program(n, &n->twq, FBNIC_QUEUE_TWQ0_BAL, FBNIC_QUEUE_TWQ0_BAH,
		     FBNIC_QUEUE_TWQ0_SIZE);
	wr(n, FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_ENABLE);
	/* fbnic_enable_tcq */
	wr(n, FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_RESET);
	ring_program(n, &n->tcq, FBNIC_QUEUE_TCQ_BAL, FBNIC_QUEUE_TCQ_BAH,
		     FBNIC_QUEUE_TCQ_SIZE);
	wr(n, FBNIC_QUEUE_TIM_CTL, n->vector);
	wr(n, FBNIC_QUEUE_TIM_THRESHOLD, (twq_size - 1) / 2);
	wr(n, FBNIC_QUEUE_TIM_MASK, 0);
	wr(n, FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_ENABLE);
	/* fbnic_enable_bdq */
	wr(n, FBNIC_QUEUE_BDQ_CTL, FBNIC_QUEUE_BDQ_CTL_RESET);
	ring_program(n, &n->hpq, FBNIC_QUEUE_BDQ_HPQ_BAL,
		     FBNIC_QUEUE_BDQ_HPQ_BAH, FBNIC_QUEUE_BDQ_HPQ_SIZE);
	ring_program(n, &n->ppq, FBNIC_QUEUE_BDQ_PPQ_BAL,
		     FBNIC_QUEUE_BDQ_PPQ_BAH, FBNIC_QUEUE_BDQ_PPQ_SIZE);
	wr(n, FBNIC_QUEUE_BDQ_CTL,
	   FBNIC_QUEUE_BDQ_CTL_ENABLE | FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE);
	/* fbnic_config_drop_mode_rcq + fbnic_enable_rcq (HROOM 192, TROOM
	 * 320, hds_thresh 1536: MAX_HDR 1536, no split) */
	wr(n, FBNIC_QUEUE_RDE_CTL0,
	   FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL0_MIN_HROOM_MASK, 192) |
		   FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL0_MIN_TROOM_MASK, 320));
	wr(n, FBNIC_QUEUE_RDE_CTL1,
	   FBNIC_FIELD_PREP(FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK, 1536));
	wr(n, FBNIC_QUEUE_RCQ_CTL, FBNIC_QUEUE_RCQ_CTL_RESET);
	ring_program(n, &n->rcq, FBNIC_QUEUE_RCQ_BAL, FBNIC_QUEUE_RCQ_BAH,
		     FBNIC_QUEUE_RCQ_SIZE);
	wr(n, FBNIC_QUEUE_RIM_CTL, n->vector);
	wr(n, FBNIC_QUEUE_RIM_THRESHOLD, (rcq_size - 1) / 2);
	wr(n, FBNIC_QUEUE_RIM_MASK, 0);
	wr(n, FBNIC_QUEUE_RCQ_CTL, FBNIC_QUEUE_RCQ_CTL_ENABLE);
	/* fbnic_enable ends with fbnic_wrfl, before fbnic_up fills */
	(void)h_rd32(n->h, 0, FBNIC_MASTER_SPARE_0);
	/* fbnic_fill */
	bdq_fill(n, &n->hpq, n->hpq_buf, FBNIC_QUEUE_BDQ_HPQ_TAIL);
	bdq_fill(n, &n->ppq, n->ppq_buf, FBNIC_QUEUE_BDQ_PPQ_TAIL);
}

void hnic_up(struct hnic *n, struct harness *h, unsigned q, unsigned v,
	     unsigned twq_size, unsigned bdq_size, unsigned rcq_size)
{
	hnic_up_rss(n, h, q, v, twq_size, bdq_size, rcq_size, 1);
}

void hnic_up_rss(struct hnic *n, struct harness *h, unsigned q, unsigned v,
		 unsigned twq_size, unsigned bdq_size, unsigned rcq_size,
		 unsigned rss_nq)
{
	memset(n, 0, sizeof(*n));
	n->h = h;
	n->q = q;
	n->vector = v;
	/* fbnic_mac_link_up_asic */
	h_wr32(h, 0, FBNIC_SIG_MAC_IN0, 0);
	h_wr32(h, 0, FBNIC_MAC_COMMAND_CONFIG,
	       FBNIC_MAC_COMMAND_CONFIG_RX_ENA | FBNIC_MAC_COMMAND_CONFIG_TX_ENA |
		       FBNIC_MAC_COMMAND_CONFIG_TX_PAD_EN);
	rings_up(n, twq_size, bdq_size, rcq_size);
	if (rss_nq)
		hnic_rpc_up(h, rss_nq);
	/* the vector unmasked (fbnic_nv_irq_rearm) */
	h_wr32(h, 0, FBNIC_INTR_CQ_REARM(v), FBNIC_INTR_CQ_REARM_INTR_UNMASK);
}

/* fbnic_write_macda_entry: words 2..0 hold the address big-endian by
 * 16-bit pieces, mask 0 (every bit compared), then VALIDATE. */
static void macda_entry(struct harness *h, unsigned e, const uint8_t a[6])
{
	for (unsigned w = 0; w < FBNIC_RPC_TCAM_MACDA_WORD_LEN; w++) {
		unsigned b = 2 * (FBNIC_RPC_TCAM_MACDA_WORD_LEN - 1 - w);
		h_wr32(h, 0, FBNIC_RPC_TCAM_MACDA(e, w),
		       (uint32_t)a[b] << 8 | a[b + 1]);
	}
	h_wr32(h, 0, FBNIC_RPC_TCAM_MACDA(e, FBNIC_RPC_TCAM_MACDA_WORD_LEN),
	       FBNIC_RPC_TCAM_VALIDATE);
}

void hnic_rpc_up(struct harness *h, unsigned nq)
{
	static const uint8_t dev[6] = { 0x02, 0xfb, 0, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	/* fbnic_rpc.c: entries 57..63 in the order UDP6, UDP4, TCP6, TCP4,
	 * IP6, IP4, Ether; word 1's value the bits the frame must have. */
	static const struct {
		uint16_t act1;
		uint32_t rss;
	} rules[] = {
		{ FBNIC_RPC_TCAM_ACT1_L4_VALID | FBNIC_RPC_TCAM_ACT1_L4_IS_UDP |
			  FBNIC_RPC_TCAM_ACT1_IP_VALID | FBNIC_RPC_TCAM_ACT1_IP_IS_V6,
		  FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC | FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST },
		{ FBNIC_RPC_TCAM_ACT1_L4_VALID | FBNIC_RPC_TCAM_ACT1_L4_IS_UDP |
			  FBNIC_RPC_TCAM_ACT1_IP_VALID,
		  FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC | FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST },
		{ FBNIC_RPC_TCAM_ACT1_L4_VALID | FBNIC_RPC_TCAM_ACT1_IP_VALID |
			  FBNIC_RPC_TCAM_ACT1_IP_IS_V6,
		  0xf },
		{ FBNIC_RPC_TCAM_ACT1_L4_VALID | FBNIC_RPC_TCAM_ACT1_IP_VALID, 0xf },
		{ FBNIC_RPC_TCAM_ACT1_IP_VALID | FBNIC_RPC_TCAM_ACT1_IP_IS_V6,
		  FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC | FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST },
		{ FBNIC_RPC_TCAM_ACT1_IP_VALID,
		  FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC | FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST },
		{ 0, FBNIC_RPC_ACT_TBL1_RSS_ENA_L2_DA },
	};
	for (unsigned i = 0; i < FBNIC_RPC_RSS_TBL_SIZE; i++)
		h_wr32(h, 0, FBNIC_RPC_RSS_TBL(0, i), i % (nq ? nq : 1));
	for (unsigned i = 0; i < FBNIC_RPC_RSS_KEY_DWORD_LEN; i++)
		h_wr32(h, 0, FBNIC_RPC_RSS_KEY(i), 0x6d5a56da * (i + 1));
	h_wr32(h, 0, FBNIC_RPC_ACT_TBL0_DEFAULT, FBNIC_RPC_ACT_TBL0_DROP);
	h_wr32(h, 0, FBNIC_RPC_ACT_TBL1_DEFAULT, 0);
	h_wr32(h, 0, FBNIC_RPC_RMI_CONFIG,
	       FBNIC_FIELD_PREP(FBNIC_RPC_RMI_CONFIG_MTU, 9742) |
		       FBNIC_FIELD_PREP(FBNIC_RPC_RMI_CONFIG_OH_BYTES, 20) |
		       FBNIC_RPC_RMI_CONFIG_ENABLE);
	macda_entry(h, 4, bcast);
	macda_entry(h, 30, dev);
	for (unsigned r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		unsigned e = 57 + r;
		uint16_t v1 = rules[r].act1 | FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID;
		h_wr32(h, 0, FBNIC_RPC_ACT_TBL0(e),
		       (uint32_t)FBNIC_FIELD_PREP(FBNIC_RPC_ACT_TBL0_DEST_MASK,
						  FBNIC_RPC_ACT_TBL0_DEST_HOST) |
			       (uint32_t)FBNIC_FIELD_PREP(FBNIC_RPC_ACT_TBL0_DMA_HINT,
							  FBNIC_RCD_HDR_AL_DMA_HINT_L4));
		h_wr32(h, 0, FBNIC_RPC_ACT_TBL1(e), rules[r].rss);
		for (unsigned w = 0; w < FBNIC_RPC_TCAM_ACT_WORD_LEN; w++)
			h_wr32(h, 0, FBNIC_RPC_TCAM_ACT(e, w),
			       w == 1 ? (uint32_t)(uint16_t)~v1 << 16 | v1
				      : 0xffff0000u);
		h_wr32(h, 0, FBNIC_RPC_TCAM_ACT(e, FBNIC_RPC_TCAM_ACT_WORD_LEN),
		       FBNIC_RPC_TCAM_VALIDATE);
	}
}

void hnic_twq1_up(struct hnic *n, unsigned size)
{
	ring_alloc(n, &n->twq1, size);
	n->twq1_done = 0;
	/* ETH_HLEN as the driver writes it, in the 2-byte-unit field */
	uint64_t meta = FBNIC_FIELD_PREP(FBNIC_TWD_L2_HLEN_MASK, 14) |
			FBNIC_TWD_FLAG_REQ_COMPLETION;
	h_wr32(n->h, 0, FBNIC_QM_TWQ_DEFAULT_META_L, (uint32_t)meta);
	h_wr32(n->h, 0, FBNIC_QM_TWQ_DEFAULT_META_H, (uint32_t)(meta >> 32));
	wr(n, FBNIC_QUEUE_TWQ1_CTL, FBNIC_QUEUE_TWQ_CTL_RESET);
	ring_program(n, &n->twq1, FBNIC_QUEUE_TWQ1_BAL, FBNIC_QUEUE_TWQ1_BAH,
		     FBNIC_QUEUE_TWQ1_SIZE);
	wr(n, FBNIC_QUEUE_TWQ1_CTL, FBNIC_QUEUE_TWQ_CTL_ENABLE);
}

/* The frame copied into guest memory, cut into nbuf pieces of len / nbuf
 * bytes, the last taking the rest. */
static void frame_segs(struct hnic *n, const void *frame, size_t len,
		       unsigned nbuf, struct hnic_seg *seg)
{
	uint64_t buf = h_alloc(n->h, len ? len : 1);
	memcpy(h_gpa(n->h, buf), frame, len);
	size_t off = 0;
	for (unsigned i = 0; i < nbuf; i++) {
		size_t chunk = i + 1 == nbuf ? len - off : len / nbuf;
		seg[i] = (struct hnic_seg){ buf + off, (uint32_t)chunk };
		off += chunk;
	}
}

/* One address descriptor per piece on ring r, the last LAST_AL. */
static void post_al(struct hnic *n, struct hnic_ring *r,
		    const struct hnic_seg *seg, unsigned nseg)
{
	for (unsigned i = 0; i < nseg; i++)
		*desc(n, r, r->tail++) =
			FBNIC_FIELD_PREP(FBNIC_TWD_ADDR_MASK, seg[i].gpa) |
			FBNIC_FIELD_PREP(FBNIC_TWD_LEN_MASK, seg[i].len) |
			FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK,
					 i + 1 == nseg ? FBNIC_TWD_TYPE_LAST_AL
						       : FBNIC_TWD_TYPE_AL);
}

bool hnic_post_xdp(struct hnic *n, const void *frame, size_t len,
		   unsigned nbuf)
{
	struct hnic_ring *r = &n->twq1;
	struct hnic_seg seg[HNIC_MAX_SEGS];
	if (!nbuf || nbuf > HNIC_MAX_SEGS || !r->size ||
	    r->tail - r->head + nbuf > r->size - 1)
		return false;
	frame_segs(n, frame, len, nbuf, seg);
	post_al(n, r, seg, nbuf);
	return true;
}

void hnic_twq1_doorbell(struct hnic *n)
{
	wr(n, FBNIC_QUEUE_TWQ1_TAIL, n->twq1.tail & (n->twq1.size - 1));
}

bool hnic_post_sg(struct hnic *n, const struct hnic_seg *seg, unsigned nseg,
		  uint64_t meta)
{
	struct hnic_ring *r = &n->twq;
	if (!nseg || r->tail - r->head + 1 + nseg > r->size - 1)
		return false;
	*desc(n, r, r->tail++) = meta | FBNIC_TWD_FLAG_REQ_COMPLETION |
				 FBNIC_TWD_FLAG_DEST_MAC |
				 FBNIC_FIELD_PREP(FBNIC_TWD_TYPE_MASK,
						  FBNIC_TWD_TYPE_META);
	post_al(n, r, seg, nseg);
	return true;
}

void hnic_tx_doorbell(struct hnic *n)
{
	wr(n, FBNIC_QUEUE_TWQ0_TAIL, n->twq.tail & (n->twq.size - 1));
}

bool hnic_xmit_sg(struct hnic *n, const struct hnic_seg *seg, unsigned nseg,
		  uint64_t meta)
{
	if (!hnic_post_sg(n, seg, nseg, meta))
		return false;
	hnic_tx_doorbell(n);
	return true;
}

bool hnic_xmit(struct hnic *n, const void *frame, size_t len, uint64_t meta,
	       unsigned nbuf)
{
	struct hnic_seg seg[HNIC_MAX_SEGS];
	if (!nbuf)
		nbuf = 1;
	if (nbuf > HNIC_MAX_SEGS)
		return false;
	frame_segs(n, frame, len, nbuf, seg);
	return hnic_xmit_sg(n, seg, nbuf, meta);
}

/* The phase rule of fbnic_clean_tcq / fbnic_clean_rcq: on even laps an
 * entry is new when DONE is 1, on odd laps when it is 0. */
static bool done(const struct hnic_ring *r, uint64_t d)
{
	bool lap_odd = (r->head / r->size) & 1;
	return !!(d & (1ull << 63)) != lap_odd;
}

/* A head completion for ring r: the new head, counted; a head that
 * does not move forward within what was posted (as the driver's clean
 * loops would take it) is noted. */
static void advance_done(struct hnic *n, unsigned *done_at,
			 const struct hnic_ring *r, unsigned head,
			 unsigned *count)
{
	unsigned mask = r->size ? r->size - 1 : 0;
	unsigned outstanding = (r->tail - r->head) & mask;
	unsigned moved = (head - *done_at) & mask;
	unsigned freed = (*done_at - r->head) & mask;
	if (!r->size || moved + freed > outstanding)
		n->tcd_backwards = true;
	*done_at = head;
	(*count)++;
}

unsigned hnic_clean_tcq(struct hnic *n)
{
	struct hnic_ring *r = &n->tcq;
	unsigned count = 0;
	for (;;) {
		uint64_t d = *desc(n, r, r->head);
		if (!done(r, d))
			break;
		if (FBNIC_FIELD_GET(FBNIC_TCD_TYPE_MASK, d) == FBNIC_TCD_TYPE_1) {
			n->tx_ts++;
			n->tx_ts_last =
				FBNIC_FIELD_GET(FBNIC_TCD_TYPE1_TS_MASK, d);
		}
		else if (!(d & FBNIC_TCD_TWQ1))
			advance_done(n, &n->twq_done, &n->twq,
				     FBNIC_FIELD_GET(FBNIC_TCD_TYPE0_HEAD0_MASK, d),
				     &n->tcd0);
		else
			advance_done(n, &n->twq1_done, &n->twq1,
				     FBNIC_FIELD_GET(FBNIC_TCD_TYPE0_HEAD1_MASK, d),
				     &n->tcd1);
		r->head++;
		count++;
	}
	if (count) {
		wr(n, FBNIC_QUEUE_TCQ_HEAD, r->head & (r->size - 1));
		/* free the TWQs up to the reported heads */
		while ((n->twq.head & (n->twq.size - 1)) != n->twq_done)
			n->twq.head++;
		while (n->twq1.size &&
		       (n->twq1.head & (n->twq1.size - 1)) != n->twq1_done)
			n->twq1.head++;
	}
	return count;
}

/* One packet's RCDs as fbnic_clean_rcq reads them; out NULL: only its
 * length (*len), nothing copied, as a driver that builds the skb from the
 * buffers in place. */
static int rx_walk(struct hnic *n, struct hnic_rx *out, size_t *len_out)
{
	struct hnic_ring *r = &n->rcq;
	unsigned i = r->head, npay = 0;
	size_t total = 0;
	if (out) {
		out->len = 0;
		out->hdr_al = out->opt_meta = out->meta = 0;
		out->npay = 0;
		out->has_opt = false;
	}
	bool started = false;
	for (;; i++) {
		uint64_t d = *desc(n, r, i);
		if (!done(&(struct hnic_ring){ .size = r->size, .head = i }, d))
			return 0; /* packet not complete yet */
		unsigned type = FBNIC_FIELD_GET(FBNIC_RCD_TYPE_MASK, d);
		unsigned id = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_ID_MASK, d);
		size_t len = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_LEN_MASK, d);
		size_t off = FBNIC_FIELD_GET(FBNIC_RCD_AL_BUFF_OFF_MASK, d);
		switch (type) {
		case FBNIC_RCD_TYPE_HDR_AL:
			if (started || id >= n->hpq.size || off + len > 4096)
				return -1;
			started = true;
			if (out) {
				out->hdr_al = d;
				memcpy(out->data,
				       h_gpa(n->h, n->hpq_buf + 4096ull * id + off),
				       len);
			}
			total = len;
			break;
		case FBNIC_RCD_TYPE_PAY_AL:
			if (!started || npay == HNIC_MAX_PAY ||
			    id >= n->ppq.size || off + len > 4096 ||
			    total + len > sizeof(out->data))
				return -1;
			if (out) {
				out->pay_al[npay] = d;
				memcpy(out->data + total,
				       h_gpa(n->h, n->ppq_buf + 4096ull * id + off),
				       len);
			}
			npay++;
			total += len;
			break;
		case FBNIC_RCD_TYPE_OPT_META:
			if (!started)
				return -1;
			if (out) {
				out->opt_meta = d;
				out->has_opt = true;
			}
			break;
		default: /* META closes the packet */
			if (!started)
				return -1;
			if (out) {
				out->meta = d;
				out->npay = npay;
				out->len = total;
			}
			*len_out = total;
			r->head = i + 1;
			return 1;
		}
	}
}

int hnic_rx(struct hnic *n, struct hnic_rx *out)
{
	size_t len;
	return rx_walk(n, out, &len);
}

int hnic_rx_len(struct hnic *n, size_t *len)
{
	return rx_walk(n, NULL, len);
}

void hnic_rx_refill(struct hnic *n)
{
	/* Buffers are consumed in ring order: what the device took is what
	 * it reported; the test refills every slot it can. */
	uint32_t hp = h_rd32(n->h, 0, FBNIC_QUEUE(n->q) + FBNIC_QUEUE_BDQ_HPQ_PTRS);
	uint32_t pp = h_rd32(n->h, 0, FBNIC_QUEUE(n->q) + FBNIC_QUEUE_BDQ_PPQ_PTRS);
	while ((n->hpq.head & (n->hpq.size - 1)) != hp >> 16)
		n->hpq.head++;
	while ((n->ppq.head & (n->ppq.size - 1)) != pp >> 16)
		n->ppq.head++;
	bdq_fill(n, &n->hpq, n->hpq_buf, FBNIC_QUEUE_BDQ_HPQ_TAIL);
	bdq_fill(n, &n->ppq, n->ppq_buf, FBNIC_QUEUE_BDQ_PPQ_TAIL);
	wr(n, FBNIC_QUEUE_RCQ_HEAD, n->rcq.head & (n->rcq.size - 1));
	h_run(n->h);
}

uint64_t hnic_lso(uint8_t *frame, size_t len, unsigned mss)
{
	struct pkt_info pi;
	uint32_t sum = 0;
	if (pkt_parse(frame, len, &pi) ||
	    (pi.l4 != PKT_L4_TCP && pi.l4 != PKT_L4_UDP))
		return 0;
	bool udp = pi.l4 == PKT_L4_UDP;
	uint8_t proto = udp ? PKT_IPPROTO_UDP : PKT_IPPROTO_TCP;
	const uint8_t *ip = frame + pi.l3_off;
	if (pi.l3 == PKT_L3_IPV4)
		pkt_csum_pseudo_ipv4(ip + 12, ip + 16, proto, 0, &sum);
	else
		pkt_csum_pseudo_ipv6(ip + 8, ip + 24, proto, 0, &sum);
	size_t csum_off = udp ? PKT_UDP_CSUM_OFF : PKT_TCP_CSUM_OFF;
	pkt_put_be16(frame + pi.l4_off + csum_off, pkt_csum_fold(sum));
	return FBNIC_TWD_FLAG_REQ_LSO |
	       FBNIC_FIELD_PREP(FBNIC_TWD_MSS_MASK, mss) |
	       FBNIC_FIELD_PREP(FBNIC_TWD_CSUM_OFFSET_MASK, csum_off / 2) |
	       FBNIC_FIELD_PREP(FBNIC_TWD_L2_HLEN_MASK, pi.l3_off / 2) |
	       FBNIC_FIELD_PREP(FBNIC_TWD_L3_IHLEN_MASK, pi.l3_len / 2) |
	       FBNIC_FIELD_PREP(FBNIC_TWD_L4_HLEN_MASK, pi.l4_len / 4) |
	       FBNIC_FIELD_PREP(FBNIC_TWD_L3_TYPE_MASK,
				pi.l3 == PKT_L3_IPV4 ? FBNIC_TWD_L3_TYPE_IPV4
						     : FBNIC_TWD_L3_TYPE_IPV6) |
	       FBNIC_FIELD_PREP(FBNIC_TWD_L4_TYPE_MASK,
				udp ? FBNIC_TWD_L4_TYPE_UDP
				    : FBNIC_TWD_L4_TYPE_TCP);
}

bool hnic_stop(struct hnic *n)
{
	/* __fbnic_nv_disable: fbnic_disable_twq0/twq1 clear ENABLE,
	 * fbnic_disable_tcq and fbnic_disable_rcq write CTL 0 and mask the
	 * CQ, fbnic_disable_bdq clears ENABLE; then fbnic_wrfl. */
	uint32_t blk = FBNIC_QUEUE(n->q);
	wr(n, FBNIC_QUEUE_TWQ0_CTL,
	   h_rd32(n->h, 0, blk + FBNIC_QUEUE_TWQ0_CTL) &
		   ~FBNIC_QUEUE_TWQ_CTL_ENABLE);
	wr(n, FBNIC_QUEUE_TWQ1_CTL,
	   h_rd32(n->h, 0, blk + FBNIC_QUEUE_TWQ1_CTL) &
		   ~FBNIC_QUEUE_TWQ_CTL_ENABLE);
	wr(n, FBNIC_QUEUE_TCQ_CTL, 0);
	wr(n, FBNIC_QUEUE_TIM_MASK, FBNIC_QUEUE_TIM_MASK_MASK);
	wr(n, FBNIC_QUEUE_BDQ_CTL,
	   h_rd32(n->h, 0, blk + FBNIC_QUEUE_BDQ_CTL) &
		   ~FBNIC_QUEUE_BDQ_CTL_ENABLE);
	wr(n, FBNIC_QUEUE_RCQ_CTL, 0);
	wr(n, FBNIC_QUEUE_RIM_MASK, FBNIC_QUEUE_RIM_MASK_MASK);
	(void)h_rd32(n->h, 0, FBNIC_MASTER_SPARE_0);
	/* fbnic_wait_queue_idle, TX then RX: bit q % 32 of word q / 32. */
	static const uint32_t idle[] = {
		FBNIC_QM_TWQ_IDLE(0), FBNIC_QM_TQS_IDLE(0), FBNIC_QM_TDE_IDLE(0),
		FBNIC_QM_TCQ_IDLE(0), FBNIC_QM_HPQ_IDLE(0), FBNIC_QM_PPQ_IDLE(0),
		FBNIC_QM_RCQ_IDLE(0),
	};
	for (unsigned i = 0; i < sizeof(idle) / sizeof(idle[0]); i++)
		if (!(h_rd32(n->h, 0, idle[i] + n->q / 32) & (1u << (n->q % 32))))
			return false;
	return true;
}

void hnic_restart(struct hnic *n, unsigned twq_size, unsigned bdq_size,
		  unsigned rcq_size)
{
	n->twq_done = 0;
	rings_up(n, twq_size, bdq_size, rcq_size);
	/* fbnic_nv_irq_enable: the vector unmasked */
	h_wr32(n->h, 0, FBNIC_INTR_CQ_REARM(n->vector),
	       FBNIC_INTR_CQ_REARM_INTR_UNMASK);
}
