/* SPDX-License-Identifier: Apache-2.0 */
#include "timer.h"

#include "dev.h"

/* Give the adapter the earliest deadline, when it changed. */
static void rearm(struct fbnic *dev)
{
	struct fbnic_timers *t = &dev->timers;
	uint64_t next = FBNIC_TIMER_NONE;
	for (unsigned i = 0; i < FBNIC_TIMER_COUNT; i++)
		if (t->deadline[i] < next)
			next = t->deadline[i];
	if (next == t->armed)
		return;
	t->armed = next;
	if (dev->host.timer_arm)
		dev->host.timer_arm(dev->host.opaque, next);
}

void fbnic_timers_reset(struct fbnic *dev)
{
	struct fbnic_timers *t = &dev->timers;
	for (unsigned i = 0; i < FBNIC_TIMER_COUNT; i++)
		t->deadline[i] = FBNIC_TIMER_NONE;
	rearm(dev);
}

void fbnic_timer_set(struct fbnic *dev, enum fbnic_timer_id id,
		     uint64_t deadline_ns)
{
	if ((unsigned)id >= FBNIC_TIMER_COUNT)
		return;
	dev->timers.deadline[id] = deadline_ns;
	rearm(dev);
}

uint32_t fbnic_timers_expire(struct fbnic *dev, uint64_t now_ns)
{
	struct fbnic_timers *t = &dev->timers;
	uint32_t due = 0;
	/* The adapter fired (or was asked to forget) its deadline: what it
	 * holds now is unknown, so the next rearm always tells it. */
	t->armed = 0;
	for (unsigned i = 0; i < FBNIC_TIMER_COUNT; i++) {
		if (t->deadline[i] <= now_ns) {
			t->deadline[i] = FBNIC_TIMER_NONE;
			due |= 1u << i;
			t->fired++;
		}
	}
	rearm(dev);
	return due;
}
