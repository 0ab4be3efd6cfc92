/* SPDX-License-Identifier: Apache-2.0 */
#include "timer.h"

#include "dev.h"
#include "util/log.h"

static void place(struct fbnic_timers *h, unsigned i, struct fbnic_timer *t)
{
	h->heap[i] = t;
	t->slot = i + 1;
}

static void sift_up(struct fbnic_timers *h, unsigned i)
{
	struct fbnic_timer *t = h->heap[i];
	while (i) {
		unsigned p = (i - 1) / 2;
		if (h->heap[p]->deadline <= t->deadline)
			break;
		place(h, i, h->heap[p]);
		i = p;
	}
	place(h, i, t);
}

static void sift_down(struct fbnic_timers *h, unsigned i)
{
	struct fbnic_timer *t = h->heap[i];
	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->heap[c + 1]->deadline < h->heap[c]->deadline)
			c++;
		if (t->deadline <= h->heap[c]->deadline)
			break;
		place(h, i, h->heap[c]);
		i = c;
	}
	place(h, i, t);
}

static void remove_at(struct fbnic_timers *h, unsigned i)
{
	h->heap[i]->slot = 0;
	h->n--;
	if (i == h->n)
		return;
	place(h, i, h->heap[h->n]);
	sift_down(h, i);
	sift_up(h, h->heap[i]->slot - 1);
}

/* Give the adapter the earliest deadline, when it changed. */
static void rearm(struct fbnic *dev)
{
	struct fbnic_timers *h = &dev->timers;
	uint64_t next = h->n ? h->heap[0]->deadline : FBNIC_TIMER_NONE;
	if (next == h->armed)
		return;
	h->armed = next;
	if (dev->host.timer_arm)
		dev->host.timer_arm(dev->host.opaque, next);
}

FBNIC_NO_COVERAGE
void fbnic_timer_init(struct fbnic_timer *t,
		      void (*fn)(struct fbnic *dev, struct fbnic_timer *t))
{
	t->deadline = FBNIC_TIMER_NONE;
	t->fn = fn;
	t->slot = 0;
}

void fbnic_timer_cancel(struct fbnic *dev, struct fbnic_timer *t)
{
	if (t->slot)
		remove_at(&dev->timers, t->slot - 1);
	t->deadline = FBNIC_TIMER_NONE;
	rearm(dev);
}

void fbnic_timer_set(struct fbnic *dev, struct fbnic_timer *t,
		     uint64_t deadline_ns)
{
	struct fbnic_timers *h = &dev->timers;
	if (deadline_ns == FBNIC_TIMER_NONE) {
		fbnic_timer_cancel(dev, t);
		return;
	}
	if (t->slot) {
		unsigned i = t->slot - 1;
		t->deadline = deadline_ns;
		sift_up(h, i);
		sift_down(h, t->slot - 1);
	} else {
		if (h->n == FBNIC_TIMERS_MAX) {
			h->refused++;
			log_err("timer", "timer heap full (%u): a timer was lost",
				FBNIC_TIMERS_MAX);
			return;
		}
		t->deadline = deadline_ns;
		place(h, h->n++, t);
		sift_up(h, h->n - 1);
	}
	rearm(dev);
}

void fbnic_timers_reset(struct fbnic *dev)
{
	struct fbnic_timers *h = &dev->timers;
	while (h->n)
		remove_at(h, h->n - 1);
	/* What the adapter holds is unknown after a reset: tell it. */
	h->armed = 0;
	rearm(dev);
}

void fbnic_timers_run(struct fbnic *dev, uint64_t now_ns)
{
	struct fbnic_timers *h = &dev->timers;
	/* The adapter fired (or forgot) its deadline: tell it the next. */
	h->armed = 0;
	while (h->n && h->heap[0]->deadline <= now_ns) {
		struct fbnic_timer *t = h->heap[0];
		remove_at(h, 0);
		t->deadline = FBNIC_TIMER_NONE;
		h->fired++;
		t->fn(dev, t); /* may re-arm itself or others */
	}
	rearm(dev);
}
