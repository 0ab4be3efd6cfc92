/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault injection: failures the model produces when told to (the control
 * channel's `fault` commands), so a driver's error and recovery paths can
 * be run on demand, reproducibly.  Each kind has at most one armed entry:
 * a scope (a queue, a vector, or all), and either a count (the next N
 * chances fire) or a probability with a seed (the same seed fires on the
 * same chances).  An injected fault is counted as fault.KIND.fired, never
 * as a model or guest error; the device's own reaction to it (a ring
 * stopped after a failed DMA, say) is counted where it always is.  With
 * nothing armed, a hook costs one test of a mask.
 */
#ifndef FBNIC_EMU_DEV_FAULT_H
#define FBNIC_EMU_DEV_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "csr.h"   /* FBNIC_MAX_QUEUES */
#include "timer.h"

struct fbnic;

/* Where each fires (see the hooks): */
enum fbnic_fault_kind {
	FBNIC_FAULT_RX_DROP,    /* a frame from the wire lost before the
				   device takes it (per queue it is for) */
	FBNIC_FAULT_RX_CORRUPT, /* a frame from the wire with one payload
				   bit flipped: the device's checksum
				   verdict then reports it bad */
	FBNIC_FAULT_RX_FCS,     /* a frame from the wire with a bad FCS: the
				   MAC drops and counts it (the port: scope
				   0 or all) */
	FBNIC_FAULT_TX_DROP,    /* a packet completed but lost on the wire */
	FBNIC_FAULT_TX_STALL,   /* a queue's TX stops fetching descriptors
				   until cleared (count: ignored) */
	FBNIC_FAULT_IRQ_DROP,   /* an MSI-X message swallowed (per vector) */
	FBNIC_FAULT_DMA_FAIL,   /* a data-path DMA of a queue fails: the ring
				   stops as on a bus error */
	FBNIC_FAULT_COMPLETION_DELAY, /* a queue's completions (TCQ and RCQ
				   write-back) held for delay_ns: TX waits,
				   frames from the wire wait (held, not lost) */
	FBNIC_FAULT_KINDS
};

#define FBNIC_FAULT_ALL 0xffffffffu /* scope: every queue or vector */

struct fbnic_fault {
	uint32_t scope;    /* queue, vector, or FBNIC_FAULT_ALL */
	uint64_t left;     /* count mode: chances still to fire */
	uint32_t ppm;      /* probability mode (parts per million); 0: count */
	uint64_t seed;
	uint64_t rng;      /* splitmix64 state, from the seed */
	uint64_t fired;    /* since armed */
	uint64_t delay_ns; /* completion delay: how long each hold lasts */
};

struct fbnic_faults {
	uint32_t armed; /* bit per kind */
	struct fbnic_fault k[FBNIC_FAULT_KINDS];
	uint64_t fired_total[FBNIC_FAULT_KINDS]; /* since the process began */
	/* completion delay: per queue, the end of its hold (0: none) */
	uint64_t hold_until[FBNIC_MAX_QUEUES];
	unsigned holding; /* queues with a hold_until */
	struct fbnic_timer hold_timer;
};

/* "rx drop", "tx stall", ... */
const char *fbnic_fault_name(enum fbnic_fault_kind k);
/* Kind from its two words ("rx", "drop"); -1 if none. */
int fbnic_fault_parse(const char *what, const char *how);

/* Arm kind k (replacing what was armed): ppm 0 fires on the next count
 * chances, else each chance with probability ppm/1e6 from seed; delay_ns
 * is a completion delay's hold. */
void fbnic_fault_arm(struct fbnic *dev, enum fbnic_fault_kind k, uint32_t scope,
		     uint64_t count, uint32_t ppm, uint64_t seed,
		     uint64_t delay_ns);
/* After a function reset (the timers emptied): holds end; hold_over is
 * the hold timer's expiry (fbnic.c: fbnic_fault_holds_expire, then the
 * held queues kicked and the port resumed). */
void fbnic_fault_reset(struct fbnic *dev,
		       void (*hold_over)(struct fbnic *dev,
					 struct fbnic_timer *t));
/* Forget the holds that are over and re-arm the timer for the next. */
void fbnic_fault_holds_expire(struct fbnic *dev);
/* completion delay (the hook calls fbnic_fault_hold, dev.h): true while
 * queue q's completions are held, starting a hold when the fault fires;
 * the hold's end kicks TX and resumes the port. */
bool fbnic_fault_hold_slow(struct fbnic *dev, unsigned q);
/* Disarm kind k, or every kind (k < 0); a TX stall cleared lets the
 * held queues go on (fbnic.c: it kicks them). */
void fbnic_fault_clear(struct fbnic *dev, int k);
/* The part of fbnic_fault_clear in here: true if a TX stall was disarmed.
 * (This file calls no block: the blocks call it.) */
bool fbnic_fault_disarm(struct fbnic *dev, int k);
/* One line per kind: armed (scope, count or probability, seed) or not,
 * and how often it fired. */
void fbnic_fault_list(const struct fbnic *dev, FILE *out);
/* fault.KIND.fired counters for dump. */
void fbnic_fault_dump(const struct fbnic *dev, FILE *out);

/* The hooks call fbnic_fault_fire (dev.h): a chance for kind k at queue
 * or vector `where`, true if it fires now (counted). */
bool fbnic_fault_fire_slow(struct fbnic *dev, enum fbnic_fault_kind k,
			   uint32_t where);
/* The random number of the kind's stream (which bit a corruption flips). */
uint64_t fbnic_fault_random(struct fbnic *dev, enum fbnic_fault_kind k);

#endif
