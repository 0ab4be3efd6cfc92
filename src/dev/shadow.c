/* SPDX-License-Identifier: Apache-2.0 */
#include "shadow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "shadow"

/* The mapped pages, in dwords: INTR_CQ's page and the queue pages. */
#define CQ_FIRST (FBNIC_BAR0_PAGE_INTR_CQ / 4)
#define CQ_WORDS (FBNIC_BAR0_PAGE_INTR_CQ_LEN / 4)
#define Q_FIRST (FBNIC_BAR0_PAGE_QUEUE / 4)
#define Q_WORDS (FBNIC_BAR0_PAGE_QUEUE_LEN / 4)
/* Every queue's device words are published this often (an enabled
 * queue's at every poll and sync): what a mapped read of a disabled
 * queue's counters may lag behind. */
#define PUBLISH_NS 100000000ull

_Static_assert(CQ_FIRST == FBNIC_CSR_START_INTR_CQ, "INTR_CQ page");
_Static_assert(FBNIC_CSR_END_INTR_CQ < CQ_FIRST + CQ_WORDS, "INTR_CQ page");
_Static_assert(Q_FIRST == FBNIC_CSR_START_QUEUE, "queue pages");

/* Driver-owned level words of a queue page, other than CTL and the
 * doorbells, applied before the CTL words (which latch them on ENABLE,
 * queue.c ring_enable). */
static const uint16_t q_config[] = {
	FBNIC_QUEUE_TWQ0_SIZE,	   FBNIC_QUEUE_TWQ1_SIZE,
	FBNIC_QUEUE_TWQ0_BAL,	   FBNIC_QUEUE_TWQ0_BAH,
	FBNIC_QUEUE_TWQ1_BAL,	   FBNIC_QUEUE_TWQ1_BAH,
	FBNIC_QUEUE_TCQ_SIZE,	   FBNIC_QUEUE_TCQ_BAL,
	FBNIC_QUEUE_TCQ_BAH,	   FBNIC_QUEUE_TIM_CTL,
	FBNIC_QUEUE_TIM_THRESHOLD, FBNIC_QUEUE_TIM_CLEAR,
	FBNIC_QUEUE_TIM_SET,	   FBNIC_QUEUE_TIM_MASK,
	FBNIC_QUEUE_RCQ_SIZE,	   FBNIC_QUEUE_RCQ_BAL,
	FBNIC_QUEUE_RCQ_BAH,	   FBNIC_QUEUE_BDQ_HPQ_SIZE,
	FBNIC_QUEUE_BDQ_PPQ_SIZE,  FBNIC_QUEUE_BDQ_HPQ_BAL,
	FBNIC_QUEUE_BDQ_HPQ_BAH,   FBNIC_QUEUE_BDQ_PPQ_BAL,
	FBNIC_QUEUE_BDQ_PPQ_BAH,   FBNIC_QUEUE_RDE_CTL0,
	FBNIC_QUEUE_RDE_CTL1,	   FBNIC_QUEUE_RIM_CTL,
	FBNIC_QUEUE_RIM_THRESHOLD, FBNIC_QUEUE_RIM_CLEAR,
	FBNIC_QUEUE_RIM_SET,	   FBNIC_QUEUE_RIM_MASK,
};

/* Each CTL word, its bits, and the doorbells of its rings. */
static const struct {
	uint16_t ctl;
	uint32_t reset, enable;
	uint16_t db[2];
	unsigned ndb;
} q_ctl[] = {
	{ FBNIC_QUEUE_TWQ0_CTL, FBNIC_QUEUE_TWQ_CTL_RESET,
	  FBNIC_QUEUE_TWQ_CTL_ENABLE, { FBNIC_QUEUE_TWQ0_TAIL }, 1 },
	{ FBNIC_QUEUE_TWQ1_CTL, FBNIC_QUEUE_TWQ_CTL_RESET,
	  FBNIC_QUEUE_TWQ_CTL_ENABLE, { FBNIC_QUEUE_TWQ1_TAIL }, 1 },
	{ FBNIC_QUEUE_TCQ_CTL, FBNIC_QUEUE_TCQ_CTL_RESET,
	  FBNIC_QUEUE_TCQ_CTL_ENABLE, { FBNIC_QUEUE_TCQ_HEAD }, 1 },
	{ FBNIC_QUEUE_RCQ_CTL, FBNIC_QUEUE_RCQ_CTL_RESET,
	  FBNIC_QUEUE_RCQ_CTL_ENABLE, { FBNIC_QUEUE_RCQ_HEAD }, 1 },
	{ FBNIC_QUEUE_BDQ_CTL, FBNIC_QUEUE_BDQ_CTL_RESET,
	  FBNIC_QUEUE_BDQ_CTL_ENABLE,
	  { FBNIC_QUEUE_BDQ_HPQ_TAIL, FBNIC_QUEUE_BDQ_PPQ_TAIL }, 2 },
};
#define N_CTL (sizeof(q_ctl) / sizeof(q_ctl[0]))

/* Doorbells in the order the driver's NAPI poll writes them
 * (fbnic_txrx.c fbnic_poll: TX clean, RX refill, RX clean). */
static const uint16_t q_doorbell[] = {
	FBNIC_QUEUE_TWQ0_TAIL,	  FBNIC_QUEUE_TWQ1_TAIL,
	FBNIC_QUEUE_TCQ_HEAD,	  FBNIC_QUEUE_BDQ_HPQ_TAIL,
	FBNIC_QUEUE_BDQ_PPQ_TAIL, FBNIC_QUEUE_RCQ_HEAD,
};

/* Words the device owns: written to the page, never taken from it. */
static const uint16_t q_published[] = {
	FBNIC_QUEUE_TWQ0_PTRS,	     FBNIC_QUEUE_TWQ1_PTRS,
	FBNIC_QUEUE_TCQ_PTRS,	     FBNIC_QUEUE_RCQ_PTRS,
	FBNIC_QUEUE_BDQ_HPQ_PTRS,    FBNIC_QUEUE_BDQ_PPQ_PTRS,
	FBNIC_QUEUE_TWQ0_PKT_CNT,    FBNIC_QUEUE_TWQ0_ERR_CNT,
	FBNIC_QUEUE_TWQ1_PKT_CNT,    FBNIC_QUEUE_TWQ1_ERR_CNT,
	FBNIC_QUEUE_RDE_PKT_CNT,     FBNIC_QUEUE_RDE_PKT_ERR_CNT,
	FBNIC_QUEUE_RDE_CQ_DROP_CNT, FBNIC_QUEUE_RDE_BDQ_DROP_CNT,
	FBNIC_QUEUE_TIM_TIMER,	     FBNIC_QUEUE_TIM_COUNTS,
	FBNIC_QUEUE_RIM_COAL_STATUS,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

bool fbnic_shadow_mapped(const struct fbnic *dev, uint32_t idx)
{
	return dev->shadow.bar &&
	       ((idx >= CQ_FIRST && idx < CQ_FIRST + CQ_WORDS) ||
		(idx >= Q_FIRST && idx < Q_FIRST + Q_WORDS));
}

static bool ctl_on(unsigned i, uint32_t v)
{
	return (v & q_ctl[i].enable) && !(v & q_ctl[i].reset);
}

static void set_active(struct fbnic *dev, unsigned q)
{
	const uint32_t *seen = dev->shadow.seen + FBNIC_QUEUE(q);
	bool on = false;
	for (unsigned i = 0; i < N_CTL; i++)
		on |= ctl_on(i, seen[q_ctl[i].ctl]);
	uint32_t bit = 1u << (q % 32);
	if (on)
		dev->shadow.active[q / 32] |= bit;
	else
		dev->shadow.active[q / 32] &= ~bit;
}

/* One level word: taken if it changed since last seen. */
static bool take(struct fbnic *dev, uint32_t idx)
{
	struct fbnic_shadow *s = &dev->shadow;
	uint32_t v = load(&s->bar[idx]);
	if (v == s->seen[idx])
		return false;
	s->seen[idx] = v;
	fbnic_queue_block.write(dev, idx, v);
	return true;
}

/* A CTL word that changed: as the register sequence the driver wrote
 * (fbnic_txrx.c fbnic_enable_*: RESET, configuration, ENABLE; and
 * fbnic_disable_*: ENABLE cleared) would have acted. */
static void take_ctl(struct fbnic *dev, unsigned q, unsigned i)
{
	struct fbnic_shadow *s = &dev->shadow;
	uint32_t blk = FBNIC_QUEUE(q);
	uint32_t idx = blk + q_ctl[i].ctl;
	uint32_t v = load(&s->bar[idx]), old = s->seen[idx];
	if (v == old)
		return;
	s->seen[idx] = v;
	bool reset = v & q_ctl[i].reset;
	if (!ctl_on(i, old) && ctl_on(i, v) && !(old & q_ctl[i].reset)) {
		/* enabled, its RESET never seen (stored over) */
		fbnic_queue_block.write(dev, idx, q_ctl[i].reset);
		s->stats.implied_resets++;
		reset = true;
	}
	if (reset) /* the ring restarts at 0: any tail stored is new */
		for (unsigned d = 0; d < q_ctl[i].ndb; d++)
			s->seen[blk + q_ctl[i].db[d]] = 0;
	fbnic_queue_block.write(dev, idx, v);
	s->stats.config_writes++;
	if (ctl_on(i, old) && !ctl_on(i, v)) {
		/* Disabled: the driver rings nothing more until it enabled
		 * the ring again, and then from 0 (fbnic_txrx.c resets its
		 * indices); a tail left here would look new then. */
		for (unsigned d = 0; d < q_ctl[i].ndb; d++) {
			store(&s->bar[blk + q_ctl[i].db[d]], 0);
			s->seen[blk + q_ctl[i].db[d]] = 0;
		}
		s->stats.doorbells_cleared++;
	}
}

FBNIC_NO_COVERAGE
static void publish_queue(struct fbnic *dev, unsigned q)
{
	struct fbnic_shadow *s = &dev->shadow;
	uint32_t blk = FBNIC_QUEUE(q);
	for (unsigned i = 0; i < N(q_published); i++) {
		uint32_t idx = blk + q_published[i];
		uint32_t v = fbnic_queue_block.read(dev, idx);
		if (load(&s->bar[idx]) != v)
			store(&s->bar[idx], v);
	}
}

/* What changed among a queue page's CTL (or configuration) words since
 * last seen: 0 if nothing.  Fixed loops run for every queue at every
 * sync: the fuzz build's coverage skips them (util/compiler.h). */
FBNIC_NO_COVERAGE
static uint32_t ctl_diff(const struct fbnic_shadow *s, uint32_t blk)
{
	uint32_t diff = 0;
	for (unsigned i = 0; i < N_CTL; i++)
		diff |= load(&s->bar[blk + q_ctl[i].ctl]) ^ s->seen[blk + q_ctl[i].ctl];
	return diff;
}

FBNIC_NO_COVERAGE
static uint32_t config_diff(const struct fbnic_shadow *s, uint32_t blk)
{
	uint32_t diff = 0;
	for (unsigned i = 0; i < N(q_config); i++)
		diff |= load(&s->bar[blk + q_config[i]]) ^ s->seen[blk + q_config[i]];
	return diff;
}

/* Anything stored in vectors [v0, end)'s re-arm words? */
FBNIC_NO_COVERAGE
static uint32_t rearm_any(const struct fbnic_shadow *s, unsigned v0,
			  unsigned end)
{
	uint32_t any = 0;
	for (unsigned v = v0; v < end; v++)
		any |= load(&s->bar[FBNIC_INTR_CQ_REARM(v)]);
	return any;
}

static bool active(const struct fbnic *dev, unsigned q)
{
	return dev->shadow.active[q / 32] >> (q % 32) & 1;
}

/* Queue q's page: its CTL words; configuration if one changed (before it)
 * or a ring is on; then, with a ring on, the doorbells.  A queue with
 * every ring off costs its five CTL loads: its configuration counts only
 * once it is enabled, and the enable is a CTL change, followed by a
 * flush (fbnic_enable: fbnic_wrfl).  Returns the doorbells taken. */
static unsigned sync_queue(struct fbnic *dev, unsigned q)
{
	struct fbnic_shadow *s = &dev->shadow;
	uint32_t blk = FBNIC_QUEUE(q);
	bool ctl_changed = ctl_diff(s, blk) != 0;
	if (!ctl_changed && !active(dev, q))
		return 0;
	if (config_diff(s, blk))
		for (unsigned i = 0; i < N(q_config); i++)
			if (take(dev, blk + q_config[i]))
				s->stats.config_writes++;
	if (ctl_changed) {
		bool was = active(dev, q);
		for (unsigned i = 0; i < N_CTL; i++)
			take_ctl(dev, q, i);
		set_active(dev, q);
		if (was && !active(dev, q))
			publish_queue(dev, q); /* its last pointers */
	}
	unsigned n = 0;
	if (active(dev, q))
		for (unsigned i = 0; i < N(q_doorbell); i++)
			n += take(dev, blk + q_doorbell[i]);
	s->stats.doorbells += n;
	return n;
}

/* Vector v's re-arm word (idx): RCQ/TCQ_TIMEOUT beside it are the
 * device's words here, loaded through the re-arm's update-enable bits
 * (the only way the driver sets them, fbnic_txrx.c) and published; a
 * store to them directly is overwritten. */
static unsigned take_rearm(struct fbnic *dev, uint32_t idx)
{
	struct fbnic_shadow *s = &dev->shadow;
	if (!load(&s->bar[idx]))
		return 0;
	uint32_t w = __atomic_exchange_n(&s->bar[idx], 0, __ATOMIC_ACQ_REL);
	if (!w)
		return 0;
	fbnic_intr_cq_block.write(dev, idx, w);
	for (uint32_t t = idx + 1; t <= idx + 2; t++)
		store(&s->bar[t], dev->csr[t]);
	return 1;
}

/* INTR_CQ_REARM(v): an event each non-zero store.  A poll looks at the
 * function's vectors; a sync at all 256 (a store beyond them acts on
 * interrupt state as a trapped write would, intr.c). */
static unsigned take_rearms(struct fbnic *dev, bool full)
{
	struct fbnic_shadow *s = &dev->shadow;
	unsigned n = 0;
	unsigned nv = full || dev->layout.msix_vectors > CQ_WORDS / 4
			      ? CQ_WORDS / 4
			      : dev->layout.msix_vectors;
	for (unsigned v0 = 0; v0 < nv; v0 += 16) {
		unsigned end = v0 + 16 < nv ? v0 + 16 : nv;
		/* 16 vectors at a time: mostly nothing, one test for it */
		if (!rearm_any(s, v0, end))
			continue;
		for (unsigned v = v0; v < end; v++)
			n += take_rearm(dev, FBNIC_INTR_CQ_REARM(v));
	}
	s->stats.rearms += n;
	return n;
}

/* The enabled queues' words, and every 100 ms (PUBLISH_NS) every queue's
 * (a queue the driver never enabled may still count drops; its
 * counters are free-running, read as deltas). */
static void publish(struct fbnic *dev)
{
	struct fbnic_shadow *s = &dev->shadow;
	uint64_t now = dev->host.now_ns(dev->host.opaque);
	if (now - s->published_ns >= PUBLISH_NS || !s->published_ns) {
		for (unsigned q = 0; q < FBNIC_MAX_QUEUES; q++)
			publish_queue(dev, q);
		s->published_ns = now ? now : 1;
		s->stats.publishes++;
		return;
	}
	/* (and the queues that had a TWQ on: one stopped with packets
	 * handed over still sends them, queue.c stop_after_work) */
	for (unsigned w = 0; w < FBNIC_MAX_QUEUES / 32; w++)
		for (uint32_t m = s->active[w] | dev->queues.tx_used[w]; m;
		     m &= m - 1)
			publish_queue(dev, w * 32 + (unsigned)__builtin_ctz(m));
}

/* The queues a sync looks into: the enabled ones, and those whose CTL
 * words changed. */
FBNIC_NO_COVERAGE
static void queues_to_sync(const struct fbnic_shadow *s,
			   uint32_t todo[FBNIC_MAX_QUEUES / 32])
{
	for (unsigned w = 0; w < FBNIC_MAX_QUEUES / 32; w++) {
		todo[w] = s->active[w];
		for (unsigned b = 0; b < 32; b++)
			if (ctl_diff(s, FBNIC_QUEUE(w * 32 + b)))
				todo[w] |= 1u << b;
	}
}

void fbnic_shadow_sync(struct fbnic *dev)
{
	struct fbnic_shadow *s = &dev->shadow;
	if (!s->bar)
		return;
	s->stats.syncs++;
	uint32_t todo[FBNIC_MAX_QUEUES / 32];
	queues_to_sync(s, todo);
	for (unsigned w = 0; w < FBNIC_MAX_QUEUES / 32; w++)
		for (uint32_t m = todo[w]; m; m &= m - 1)
			sync_queue(dev, w * 32 + (unsigned)__builtin_ctz(m));
	take_rearms(dev, true);
	publish(dev);
}

unsigned fbnic_poll(struct fbnic *dev)
{
	struct fbnic_shadow *s = &dev->shadow;
	if (!s->bar)
		return 0;
	s->stats.polls++;
	unsigned n = 0;
	/* the enabled queues: configuration too (a coalescing or RDE change
	 * needs no flush to take effect) */
	for (unsigned w = 0; w < FBNIC_MAX_QUEUES / 32; w++)
		for (uint32_t m = s->active[w]; m; m &= m - 1)
			n += sync_queue(dev, w * 32 + (unsigned)__builtin_ctz(m));
	n += take_rearms(dev, false);
	publish(dev);
	return n;
}

uint32_t fbnic_shadow_trapped_read(struct fbnic *dev, uint32_t idx)
{
	dev->shadow.stats.trapped_mapped++;
	return load(&dev->shadow.bar[idx]);
}

void fbnic_shadow_trapped_write(struct fbnic *dev, uint32_t idx, uint32_t v)
{
	dev->shadow.stats.trapped_mapped++;
	store(&dev->shadow.bar[idx], v);
	fbnic_shadow_sync(dev);
}

void fbnic_shadow_reset(struct fbnic *dev)
{
	struct fbnic_shadow *s = &dev->shadow;
	memset(s->active, 0, sizeof(s->active));
	if (!s->bar)
		return;
	memset(s->bar + CQ_FIRST, 0, CQ_WORDS * 4);
	memset(s->bar + Q_FIRST, 0, Q_WORDS * 4);
	memset(s->seen + CQ_FIRST, 0, CQ_WORDS * 4);
	memset(s->seen + Q_FIRST, 0, Q_WORDS * 4);
	s->published_ns = 0;
}

int fbnic_bar0_share(struct fbnic *dev, void *mem)
{
	struct fbnic_shadow *s = &dev->shadow;
	if (s->bar || !mem || ((uintptr_t)mem & 3))
		return -EINVAL;
	s->seen = calloc(FBNIC_BAR0_DWORDS, sizeof(uint32_t));
	if (!s->seen)
		return -ENOMEM;
	s->bar = mem;
	/* the registers as they stand, in the shared pages */
	for (uint32_t i = 0; i < CQ_WORDS; i++)
		s->seen[CQ_FIRST + i] = s->bar[CQ_FIRST + i] =
			i % 4 ? dev->csr[CQ_FIRST + i] : 0;
	for (uint32_t i = 0; i < Q_WORDS; i++)
		s->seen[Q_FIRST + i] = s->bar[Q_FIRST + i] = dev->csr[Q_FIRST + i];
	for (unsigned q = 0; q < FBNIC_MAX_QUEUES; q++)
		set_active(dev, q);
	publish(dev);
	log_info(SUB, "BAR0 pages 0x%x-0x%x and 0x%x-0x%x shared", CQ_FIRST * 4,
		 (CQ_FIRST + CQ_WORDS) * 4 - 1, Q_FIRST * 4,
		 (Q_FIRST + Q_WORDS) * 4 - 1);
	return 0;
}

void fbnic_shadow_fini(struct fbnic *dev)
{
	free(dev->shadow.seen);
	dev->shadow.seen = NULL;
	dev->shadow.bar = NULL;
}

static const struct counter_desc shadow_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_shadow_stats, n, h)
	FBNIC_SHADOW_COUNTERS(D)
#undef D
};

void fbnic_shadow_dump(struct fbnic *dev, FILE *out)
{
	fprintf(out, "shadow.mapped %d\n", dev->shadow.bar != NULL);
	counters_dump(out, "shadow", &dev->shadow.stats, shadow_counters,
		      N(shadow_counters));
}
