/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timers of the core, multiplexed onto the single deadline an adapter
 * offers (fbnic_host.timer_arm): a binary min-heap of timer objects, so
 * that every block, and later every queue (interrupt moderation,
 * completion timeouts), can own as many as it needs.  fbnic_timer()
 * (fbnic.c) runs the expired ones in deadline order.
 */
#ifndef FBNIC_EMU_DEV_TIMER_H
#define FBNIC_EMU_DEV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define FBNIC_TIMER_NONE UINT64_MAX
/* Timers the heap holds at once: 2 per queue pair and the blocks'. */
#define FBNIC_TIMERS_MAX 600u

struct fbnic;

struct fbnic_timer {
	uint64_t deadline;
	void (*fn)(struct fbnic *dev, struct fbnic_timer *t);
	unsigned slot; /* position in the heap + 1; 0: not armed */
};

struct fbnic_timers {
	struct fbnic_timer *heap[FBNIC_TIMERS_MAX];
	unsigned n;
	uint64_t armed; /* the deadline last given to the adapter */
	uint64_t fired; /* expiries run */
	uint64_t refused; /* arms refused: heap full (a bug: logged) */
};

void fbnic_timer_init(struct fbnic_timer *t,
		      void (*fn)(struct fbnic *dev, struct fbnic_timer *t));
/* Arm (or re-arm) t for deadline_ns, absolute host->now_ns time;
 * FBNIC_TIMER_NONE disarms it. */
void fbnic_timer_set(struct fbnic *dev, struct fbnic_timer *t,
		     uint64_t deadline_ns);
void fbnic_timer_cancel(struct fbnic *dev, struct fbnic_timer *t);
static inline bool fbnic_timer_armed(const struct fbnic_timer *t)
{
	return t->slot != 0;
}
/* Disarm every timer (function reset). */
void fbnic_timers_reset(struct fbnic *dev);
/* Run every timer whose deadline is <= now_ns, earliest first, then
 * re-arm the adapter for the next one. */
void fbnic_timers_run(struct fbnic *dev, uint64_t now_ns);

#endif
