/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timers of the core: one deadline per user, multiplexed onto the single
 * deadline an adapter offers (fbnic_host.timer_arm).  A block arms its slot
 * with fbnic_timer_set(); fbnic_timer() (fbnic.c) runs the slots that have
 * expired.  Slots, not a heap: the set of users is fixed at build time.
 */
#ifndef FBNIC_EMU_DEV_TIMER_H
#define FBNIC_EMU_DEV_TIMER_H

#include <stdint.h>

enum fbnic_timer_id {
	FBNIC_TIMER_MBX, /* the firmware's next look at the mailbox TX ring */
	FBNIC_TIMER_COUNT
};

#define FBNIC_TIMER_NONE UINT64_MAX

struct fbnic_timers {
	uint64_t deadline[FBNIC_TIMER_COUNT]; /* FBNIC_TIMER_NONE: disarmed */
	uint64_t armed; /* the deadline last given to the adapter */
	uint64_t fired; /* expiries run */
};

struct fbnic;

void fbnic_timers_reset(struct fbnic *dev);
/* Arm slot id for deadline_ns (absolute, host->now_ns time), replacing an
 * earlier deadline of that slot; FBNIC_TIMER_NONE disarms it. */
void fbnic_timer_set(struct fbnic *dev, enum fbnic_timer_id id,
		     uint64_t deadline_ns);
/* Disarm and return the slots whose deadline is <= now_ns, as a bit mask
 * (bit id), then re-arm the adapter for the earliest remaining one. */
uint32_t fbnic_timers_expire(struct fbnic *dev, uint64_t now_ns);

#endif
