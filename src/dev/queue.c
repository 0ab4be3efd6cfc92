/* SPDX-License-Identifier: Apache-2.0 */
#include "queue.h"

#include <stdbool.h>
#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "queue"

static void rx_room(struct fbnic *dev);

/* The wait for a restarting queue is over: the frame held for it is
 * offered again (and delivered, or dropped if the queue is still off). */
static void rx_hold_expired(struct fbnic *dev, struct fbnic_timer *t)
{
	(void)t;
	rx_room(dev);
}

FBNIC_NO_COVERAGE
static void queue_reset(struct fbnic *dev)
{
	/* (fbnic_timers_reset has emptied the heap: rx_hold can go.) */
	memset(&dev->queues, 0, sizeof(dev->queues));
	for (unsigned q = 0; q < FBNIC_MAX_QUEUES; q++)
		for (unsigned i = 0; i < FBNIC_RINGS_PER_QUEUE; i++)
			dev->queues.q[q].ring[i].phase = true;
	fbnic_timer_init(&dev->queues.rx_hold, rx_hold_expired);
}

static bool rx_on(const struct fbnic_queue *q)
{
	return q->ring[FBNIC_RING_RCQ].enabled && q->ring[FBNIC_RING_HPQ].enabled;
}

bool fbnic_queue_rx_restarting(struct fbnic *dev, unsigned q)
{
	uint64_t off = dev->queues.q[q].rx_off_ns;
	if (!off)
		return false;
	uint64_t end = off + FBNIC_RX_RESTART_HOLD_NS;
	if (dev->host.now_ns(dev->host.opaque) >= end)
		return false;
	struct fbnic_timer *t = &dev->queues.rx_hold;
	if (!fbnic_timer_armed(t) || t->deadline > end)
		fbnic_timer_set(dev, t, end);
	return true;
}

static bool is_counter(uint32_t r)
{
	switch (r) {
	case FBNIC_QUEUE_TWQ0_PKT_CNT:
	case FBNIC_QUEUE_TWQ0_ERR_CNT:
	case FBNIC_QUEUE_TWQ1_PKT_CNT:
	case FBNIC_QUEUE_TWQ1_ERR_CNT:
	case FBNIC_QUEUE_RDE_PKT_CNT:
	case FBNIC_QUEUE_RDE_PKT_ERR_CNT:
	case FBNIC_QUEUE_RDE_CQ_DROP_CNT:
	case FBNIC_QUEUE_RDE_BDQ_DROP_CNT:
		return true;
	default:
		return false;
	}
}

void fbnic_queue_count(struct fbnic *dev, unsigned q, uint32_t reg,
		       uint32_t delta)
{
	if (q < FBNIC_MAX_QUEUES && is_counter(reg))
		fbnic_csr_set(dev, FBNIC_QUEUE(q) + reg,
			      dev->csr[FBNIC_QUEUE(q) + reg] + delta); /* wraps like 32-bit hw */
}

/* ---- ring cursor ------------------------------------------------------ */

unsigned fbnic_ring_avail(const struct fbnic_ring *r)
{
	return r->size ? (uint16_t)(r->tail - r->head) & (r->size - 1) : 0;
}

unsigned fbnic_ring_room(const struct fbnic_ring *r)
{
	return r->size ? r->size - 1 - fbnic_ring_avail(r) : 0;
}

uint64_t fbnic_ring_entry(const struct fbnic_ring *r, unsigned i)
{
	return r->base + 8ull * (i & (r->size - 1));
}

void fbnic_ring_advance_head(struct fbnic_ring *r)
{
	r->head = (uint16_t)((r->head + 1u) & (r->size - 1));
	if (r->pf_n) {
		r->pf_n--;
		r->pf_first++;
	}
}

void fbnic_ring_advance_tail(struct fbnic_ring *r)
{
	r->tail = (uint16_t)((r->tail + 1u) & (r->size - 1));
	if (r->tail == 0)
		r->phase = !r->phase;
}

/* ---- registers -------------------------------------------------------- */

/* PTRS register -> ring and layout (true: head in 31:16). */
static int ptrs_ring(uint32_t r, bool *head_high)
{
	switch (r) {
	case FBNIC_QUEUE_TWQ0_PTRS:
		*head_high = true;
		return FBNIC_RING_TWQ0;
	case FBNIC_QUEUE_TWQ1_PTRS:
		*head_high = true;
		return FBNIC_RING_TWQ1;
	case FBNIC_QUEUE_TCQ_PTRS:
		*head_high = false;
		return FBNIC_RING_TCQ;
	case FBNIC_QUEUE_RCQ_PTRS:
		*head_high = false;
		return FBNIC_RING_RCQ;
	case FBNIC_QUEUE_BDQ_HPQ_PTRS:
		*head_high = true;
		return FBNIC_RING_HPQ;
	case FBNIC_QUEUE_BDQ_PPQ_PTRS:
		*head_high = true;
		return FBNIC_RING_PPQ;
	default:
		return -1;
	}
}

/* Each ring's SIZE, BAL and BAH registers. */
static const struct {
	uint32_t size, bal, bah;
} ring_regs[FBNIC_RINGS_PER_QUEUE] = {
	[FBNIC_RING_TWQ0] = { FBNIC_QUEUE_TWQ0_SIZE, FBNIC_QUEUE_TWQ0_BAL,
			      FBNIC_QUEUE_TWQ0_BAH },
	[FBNIC_RING_TWQ1] = { FBNIC_QUEUE_TWQ1_SIZE, FBNIC_QUEUE_TWQ1_BAL,
			      FBNIC_QUEUE_TWQ1_BAH },
	[FBNIC_RING_TCQ] = { FBNIC_QUEUE_TCQ_SIZE, FBNIC_QUEUE_TCQ_BAL,
			     FBNIC_QUEUE_TCQ_BAH },
	[FBNIC_RING_RCQ] = { FBNIC_QUEUE_RCQ_SIZE, FBNIC_QUEUE_RCQ_BAL,
			     FBNIC_QUEUE_RCQ_BAH },
	[FBNIC_RING_HPQ] = { FBNIC_QUEUE_BDQ_HPQ_SIZE, FBNIC_QUEUE_BDQ_HPQ_BAL,
			     FBNIC_QUEUE_BDQ_HPQ_BAH },
	[FBNIC_RING_PPQ] = { FBNIC_QUEUE_BDQ_PPQ_SIZE, FBNIC_QUEUE_BDQ_PPQ_BAL,
			     FBNIC_QUEUE_BDQ_PPQ_BAH },
};

static const char *const ring_names[FBNIC_RINGS_PER_QUEUE] = {
	"TWQ0", "TWQ1", "TCQ", "RCQ", "HPQ", "PPQ",
};

static uint32_t queue_read(struct fbnic *dev, uint32_t idx)
{
	unsigned q = (idx - FBNIC_CSR_START_QUEUE) / FBNIC_QUEUE_STRIDE;
	uint32_t r = (idx - FBNIC_CSR_START_QUEUE) % FBNIC_QUEUE_STRIDE;
	bool head_high;
	int ring = ptrs_ring(r, &head_high);
	if (ring >= 0 && q < FBNIC_MAX_QUEUES) {
		const struct fbnic_ring *p = &dev->queues.q[q].ring[ring];
		return head_high ? (uint32_t)p->head << 16 | p->tail
				 : (uint32_t)p->tail << 16 | p->head;
	}
	return dev->csr[idx];
}

/* RESET: pointers to 0 and a completion ring's first lap writes DONE=1
 * (fbnic_txrx.c restarts its own indices at 0 and its phase at lap 0). */
static void ring_reset(struct fbnic *dev, unsigned q, enum fbnic_ring_idx ring)
{
	dev->queues.q[q].ring[ring] =
		(struct fbnic_ring){ .phase = true };
	dev->queues.stats.ring_resets++;
}

/* ENABLE: latch base and size as programmed while in reset.  SIZE holds
 * log2 of the entries in bits 3:0, 0 meaning 64K (fbnic_txrx.c
 * fbnic_config_*: fls(size_mask) & 0xf), so every size is a power of two;
 * a base of 0 is a ring the driver never set up. */
static void ring_enable(struct fbnic *dev, unsigned q, enum fbnic_ring_idx ring)
{
	struct fbnic_ring *p = &dev->queues.q[q].ring[ring];
	uint32_t blk = FBNIC_QUEUE(q);
	uint32_t log2 = dev->csr[blk + ring_regs[ring].size] &
			FBNIC_QUEUE_SIZE_MASK;
	if (p->enabled)
		return; /* a second ENABLE write changes nothing */
	p->base = (uint64_t)dev->csr[blk + ring_regs[ring].bah] << 32 |
		  dev->csr[blk + ring_regs[ring].bal];
	p->size = log2 ? 1u << log2 : 65536u;
	if (!p->base) {
		dev->queues.stats.bad_enable++;
		log_guest(SUB, "queue %u %s enabled without a base address",
			  q, ring_names[ring]);
		return;
	}
	if (p->err)
		return; /* stays stopped until RESET */
	p->enabled = true;
	if (ring == FBNIC_RING_TWQ0 || ring == FBNIC_RING_TWQ1)
		dev->queues.tx_used[q / 32] |= 1u << (q % 32);
	dev->queues.stats.enables++;
}

void fbnic_queue_ring_error(struct fbnic *dev, unsigned q,
			    enum fbnic_ring_idx ring, const char *why)
{
	struct fbnic_ring *p = &dev->queues.q[q].ring[ring];
	if (p->err)
		return;
	p->err = true;
	p->enabled = false;
	dev->queues.stats.ring_errors++;
	log_guest(SUB, "queue %u %s stopped: %s", q, ring_names[ring], why);
}

void fbnic_queue_tx_kick(struct fbnic *dev, unsigned q)
{
	dev->queues.tx_pending[q / 32] |= 1u << (q % 32);
	dev->host.kick(dev->host.opaque);
}

void fbnic_queue_tx_kick_busy(struct fbnic *dev)
{
	for (unsigned w = 0; w < FBNIC_MAX_QUEUES / 32; w++)
		for (uint32_t m = dev->queues.tx_used[w]; m; m &= m - 1) {
			unsigned q = w * 32 + (unsigned)__builtin_ctz(m);
			const struct fbnic_ring *ring = dev->queues.q[q].ring;
			if ((ring[FBNIC_RING_TWQ0].enabled &&
			     fbnic_ring_avail(&ring[FBNIC_RING_TWQ0])) ||
			    (ring[FBNIC_RING_TWQ1].enabled &&
			     fbnic_ring_avail(&ring[FBNIC_RING_TWQ1])))
				fbnic_queue_tx_kick(dev, q);
		}
}

/* The driver posted buffers or consumed completions: a frame the backend
 * holds may fit now.  fbnic_work tells the port (dev/port.h). */
static void rx_room(struct fbnic *dev)
{
	dev->queues.rx_room = true;
	dev->host.kick(dev->host.opaque);
}

/* A ring the driver disables with work still in it: a TWQ holding
 * doorbelled packets, or the TCQ their completions need.  The driver's
 * queue stop (fbnic_queue_stop, fbnic_disable) clears ENABLE, then polls
 * the QM idle bits (fbnic_wait_queue_idle) before it discards what the
 * device did not complete (fbnic_nv_flush); the device finishes first, so
 * that no packet the driver had handed over before the stop is lost to
 * the model being slower than the driver. */
static bool stop_after_work(struct fbnic *dev, unsigned q,
			    enum fbnic_ring_idx ring)
{
	const struct fbnic_ring *r = dev->queues.q[q].ring;
	switch (ring) {
	case FBNIC_RING_TWQ0:
	case FBNIC_RING_TWQ1:
		return r[ring].enabled && fbnic_ring_avail(&r[ring]);
	case FBNIC_RING_TCQ:
		return r[ring].enabled && (r[FBNIC_RING_TWQ0].stopping ||
					   r[FBNIC_RING_TWQ1].stopping);
	default:
		return false;
	}
}

/* A CTL write of a ring: RESET wins, then ENABLE latches, no ENABLE
 * stops the ring (fbnic_disable_*: the device must not touch the ring
 * after this write), but for TX work already handed over, which is done
 * first (stop_after_work). */
static void ring_ctl(struct fbnic *dev, unsigned q, enum fbnic_ring_idx ring,
		     bool reset, bool enable)
{
	struct fbnic_ring *p = &dev->queues.q[q].ring[ring];
	if (reset) {
		ring_reset(dev, q, ring);
		/* a TCQ that waited for this TWQ's work waits no more */
		if (ring == FBNIC_RING_TWQ0 || ring == FBNIC_RING_TWQ1)
			fbnic_queue_tx_settle(dev, q);
	} else if (enable) {
		p->stopping = false;
		ring_enable(dev, q, ring);
	} else if (stop_after_work(dev, q, ring)) {
		if (!p->stopping)
			dev->queues.stats.stops_after_work++;
		p->stopping = true;
		fbnic_queue_tx_kick(dev, q);
	} else {
		p->enabled = false;
		p->stopping = false;
	}
}

bool fbnic_queue_tx_busy(const struct fbnic *dev, unsigned q)
{
	const struct fbnic_ring *r = dev->queues.q[q].ring;
	return r[FBNIC_RING_TWQ0].stopping || r[FBNIC_RING_TWQ1].stopping ||
	       r[FBNIC_RING_TCQ].stopping;
}

void fbnic_queue_tx_settle(struct fbnic *dev, unsigned q)
{
	struct fbnic_ring *r = dev->queues.q[q].ring;
	struct fbnic_ring *tcq = &r[FBNIC_RING_TCQ];
	bool tcq_usable = tcq->enabled && fbnic_ring_room(tcq) >= 2;
	for (unsigned i = FBNIC_RING_TWQ0; i <= FBNIC_RING_TWQ1; i++) {
		struct fbnic_ring *twq = &r[i];
		if (!twq->stopping)
			continue;
		bool left = twq->enabled && fbnic_ring_avail(twq);
		if (left && tcq_usable)
			continue; /* more to send: served again */
		if (left)
			dev->queues.stats.stop_dropped_work++;
		twq->stopping = false;
		twq->enabled = false;
	}
	if (tcq->stopping && !r[FBNIC_RING_TWQ0].stopping &&
	    !r[FBNIC_RING_TWQ1].stopping) {
		tcq->stopping = false;
		tcq->enabled = false;
	}
}

/* A doorbell: the host's new tail (TWQ, BDQ) or head (TCQ, RCQ), an index
 * below the ring size.  Anything else stops the ring. */
static bool doorbell(struct fbnic *dev, unsigned q, enum fbnic_ring_idx ring,
		     uint32_t val, bool is_tail)
{
	struct fbnic_ring *p = &dev->queues.q[q].ring[ring];
	if (!p->enabled) {
		/* A ring off or in error ignores its doorbell (a driver
		 * that rings one after disabling the ring raced its own
		 * stop: counted, for the post-mortem). */
		dev->queues.stats.doorbell_ring_off++;
		log_ratelimited(LOG_INFO, SUB,
				"queue %u %s: doorbell 0x%x while the ring is off "
				"(ignored)", q, ring_names[ring], val);
		return false;
	}
	if (val >= p->size) {
		dev->queues.stats.bad_doorbell++;
		fbnic_queue_ring_error(dev, q, ring, "doorbell beyond the ring");
		return false;
	}
	if (is_tail)
		p->tail = (uint16_t)val;
	else
		p->head = (uint16_t)val;
	return true;
}

/* After a CTL write: note when the RX side went off (rx_off_ns). */
static void rx_track(struct fbnic *dev, unsigned q, bool was_on)
{
	struct fbnic_queue *p = &dev->queues.q[q];
	if (rx_on(p))
		p->rx_off_ns = 0;
	else if (was_on)
		p->rx_off_ns = dev->host.now_ns(dev->host.opaque) | 1;
}

static void queue_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	unsigned q = (idx - FBNIC_CSR_START_QUEUE) / FBNIC_QUEUE_STRIDE;
	uint32_t r = (idx - FBNIC_CSR_START_QUEUE) % FBNIC_QUEUE_STRIDE;
	bool head_high, reset, enable, was_rx_on;
	if (q >= FBNIC_MAX_QUEUES)
		return;
	fbnic_trace(dev, FBNIC_TR_QUEUE_WRITE, q, r, val);
	switch (r) {
	case FBNIC_QUEUE_TWQ0_CTL:
	case FBNIC_QUEUE_TWQ1_CTL:
	case FBNIC_QUEUE_TCQ_CTL:
	case FBNIC_QUEUE_RCQ_CTL:
		was_rx_on = rx_on(&dev->queues.q[q]);
		/* RESET (0) and ENABLE (1) are the only bits. */
		val &= FBNIC_QUEUE_TWQ_CTL_RESET | FBNIC_QUEUE_TWQ_CTL_ENABLE;
		reset = val & FBNIC_QUEUE_TWQ_CTL_RESET;
		enable = val & FBNIC_QUEUE_TWQ_CTL_ENABLE;
		ring_ctl(dev, q,
			 r == FBNIC_QUEUE_TWQ0_CTL   ? FBNIC_RING_TWQ0
			 : r == FBNIC_QUEUE_TWQ1_CTL ? FBNIC_RING_TWQ1
			 : r == FBNIC_QUEUE_TCQ_CTL  ? FBNIC_RING_TCQ
						     : FBNIC_RING_RCQ,
			 reset, enable);
		dev->queues.q[q].gen++;
		rx_track(dev, q, was_rx_on);
		break;
	case FBNIC_QUEUE_BDQ_CTL:
		/* ENABLE covers the whole BDQ; PPQ_ENABLE adds the payload
		 * ring (fbnic_enable_bdq writes both, fbnic_disable_bdq
		 * clears ENABLE only). */
		was_rx_on = rx_on(&dev->queues.q[q]);
		val &= FBNIC_QUEUE_BDQ_CTL_RESET | FBNIC_QUEUE_BDQ_CTL_ENABLE |
		       FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE;
		reset = val & FBNIC_QUEUE_BDQ_CTL_RESET;
		enable = val & FBNIC_QUEUE_BDQ_CTL_ENABLE;
		ring_ctl(dev, q, FBNIC_RING_HPQ, reset, enable);
		ring_ctl(dev, q, FBNIC_RING_PPQ, reset,
			 enable && (val & FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE));
		dev->queues.q[q].gen++;
		rx_track(dev, q, was_rx_on);
		break;
	case FBNIC_QUEUE_TWQ0_TAIL:
	case FBNIC_QUEUE_TWQ1_TAIL:
		if (doorbell(dev, q,
			     r == FBNIC_QUEUE_TWQ0_TAIL ? FBNIC_RING_TWQ0
							: FBNIC_RING_TWQ1,
			     val, true))
			fbnic_queue_tx_kick(dev, q);
		break;
	case FBNIC_QUEUE_TCQ_HEAD:
		/* Room in the TCQ: a TX ring that waited for it goes on. */
		if (doorbell(dev, q, FBNIC_RING_TCQ, val, false))
			fbnic_queue_tx_kick(dev, q);
		break;
	case FBNIC_QUEUE_RCQ_HEAD:
		if (doorbell(dev, q, FBNIC_RING_RCQ, val, false))
			rx_room(dev);
		break;
	case FBNIC_QUEUE_BDQ_HPQ_TAIL:
	case FBNIC_QUEUE_BDQ_PPQ_TAIL:
		/* New receive buffers: a frame the backend holds may fit. */
		if (doorbell(dev, q,
			     r == FBNIC_QUEUE_BDQ_HPQ_TAIL ? FBNIC_RING_HPQ
							   : FBNIC_RING_PPQ,
			     val, true))
			rx_room(dev);
		break;
	case FBNIC_QUEUE_TWQ0_SIZE:
	case FBNIC_QUEUE_TWQ1_SIZE:
	case FBNIC_QUEUE_TCQ_SIZE:
	case FBNIC_QUEUE_RCQ_SIZE:
	case FBNIC_QUEUE_BDQ_HPQ_SIZE:
	case FBNIC_QUEUE_BDQ_PPQ_SIZE:
		val &= FBNIC_QUEUE_SIZE_MASK;
		break;
	case FBNIC_QUEUE_TWQ0_BAL:
	case FBNIC_QUEUE_TWQ1_BAL:
	case FBNIC_QUEUE_TCQ_BAL:
	case FBNIC_QUEUE_RCQ_BAL:
	case FBNIC_QUEUE_BDQ_HPQ_BAL:
	case FBNIC_QUEUE_BDQ_PPQ_BAL:
		val &= FBNIC_QUEUE_BAL_MASK;
		break;
	default:
		if (ptrs_ring(r, &head_high) >= 0)
			return; /* hardware pointers: the self-test writes
				   them and expects 0 back */
		if (is_counter(r)) {
			dev->cnt.ro_writes++;
			log_guest(SUB, "write 0x%08x to read-only counter "
				  "0x%03x of queue %u", val, r, q);
			return;
		}
		break; /* BAH, interrupt managers, RDE_CTL */
	}
	fbnic_csr_set(dev, idx, val);
}

static const struct counter_desc queue_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_queue_stats, n, h)
	FBNIC_QUEUE_COUNTERS(D)
#undef D
};

static void queue_dump(struct fbnic *dev, FILE *out)
{
	counters_dump(out, "queue", &dev->queues.stats, queue_counters,
		      COUNTER_COUNT(queue_counters));
	for (unsigned q = 0; q < FBNIC_MAX_QUEUES; q++)
		for (unsigned i = 0; i < FBNIC_RINGS_PER_QUEUE; i++) {
			const struct fbnic_ring *p = &dev->queues.q[q].ring[i];
			if (!p->enabled && !p->err)
				continue;
			fprintf(out,
				"queue.%u.%s %s size %u head %u tail %u "
				"phase %d\n",
				q, ring_names[i], p->err ? "error" : "on",
				p->size, p->head, p->tail, p->phase);
		}
}

const struct reg_block fbnic_queue_block = { "QUEUE", FBNIC_CSR_START_QUEUE,
					     FBNIC_CSR_END_QUEUE, queue_read,
					     queue_write, .reset = queue_reset,
					     .dump = queue_dump };
