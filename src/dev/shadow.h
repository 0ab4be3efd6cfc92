/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mapped registers: BAR0's interrupt re-arm page (INTR_CQ, page 1) and
 * its 128 queue pages (QUEUE, 0x100000-0x17ffff) as plain memory shared
 * with the client, so that the driver's hot writes (fbnic_txrx.c: the
 * TWQ tails, TCQ/RCQ heads, BDQ tails and INTR_CQ_REARM, and nothing
 * else per packet) are guest stores that cost no message.
 *
 * The device learns of a store only by looking, so the shared page is a
 * shadow of the registers, with one owner per dword:
 *   - doorbells (TAIL, HEAD): polled; a new value is a register write;
 *   - INTR_CQ_REARM: an event, taken with an atomic exchange to 0 (two
 *     identical re-arms are two writes);
 *   - configuration (CTL, SIZE, BAL/BAH, TIM/RIM, RDE_CTL): applied when
 *     it changed, configuration before the CTL words that latch it; a
 *     ring found enabled without its RESET having been seen is reset
 *     first, and a ring found disabled gets its doorbell words zeroed, so
 *     that the next enable does not mistake a stale tail for a new one;
 *   - device-published (PTRS, packet counters, TIM/RIM status, and the
 *     RCQ/TCQ_TIMEOUT words the re-arm loads): written by the device at
 *     every sync and poll (a disabled queue's every 100 ms).
 * Every trapped access (any BAR, config space) first syncs the whole
 * shadow, which keeps the driver's write-then-flush order: a CTL store
 * followed by fbnic_wrfl, or a re-arm followed by INTR_SET, act in the
 * order the driver wrote them.  Each word is loaded once and the loaded
 * value goes through the register's usual write path, its checks
 * included: the guest may change the page at any time.
 *
 * Loads from a mapped page have no side effect, which fbnic's mapped
 * registers do not need (no clear-on-read, no latch, no pop); but a
 * read-back shows what the driver stored, not the register's masked
 * value, so register self-tests (ethtool -t) fail there: keep the pages
 * trapped for those.
 */
#ifndef FBNIC_EMU_DEV_SHADOW_H
#define FBNIC_EMU_DEV_SHADOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "queue.h"
#include "util/counters.h"

#define FBNIC_SHADOW_COUNTERS(X)                                           \
	X(syncs, "full syncs (before a trapped access)")                   \
	X(polls, "doorbell scans")                                         \
	X(doorbells, "doorbell stores taken from the shadow")              \
	X(rearms, "INTR_CQ_REARM stores taken from the shadow")            \
	X(config_writes, "configuration stores taken from the shadow")     \
	X(implied_resets, "rings found enabled without a RESET seen: reset") \
	X(doorbells_cleared, "rings found disabled: doorbell words zeroed") \
	X(publishes, "device-owned words written to the shadow")           \
	X(trapped_mapped, "trapped accesses to a mapped register")

struct fbnic_shadow {
	/* The shared BAR0 image (FBNIC_BAR0_SIZE bytes; only the mapped
	 * pages are used); NULL: every register is trapped. */
	uint32_t *bar;
	/* The last value taken from each driver-owned word of the mapped
	 * pages, indexed like bar (allocated with it). */
	uint32_t *seen;
	/* Queues with a ring enabled by the CTL words seen: the ones whose
	 * doorbells a poll looks at. */
	uint32_t active[FBNIC_MAX_QUEUES / 32];
	uint64_t published_ns;
	struct fbnic_shadow_stats {
		FBNIC_SHADOW_COUNTERS(COUNTER_FIELD)
	} stats;
};

struct fbnic;

/* BAR0 dword idx lies on a mapped page (and pages are shared). */
bool fbnic_shadow_mapped(const struct fbnic *dev, uint32_t idx);
/* Take every store the driver made to the mapped pages and publish the
 * device's words: before any trapped access. */
void fbnic_shadow_sync(struct fbnic *dev);
/* A trapped access to a mapped register (a client that writes what it
 * could store): as if the guest had stored it, then a sync. */
uint32_t fbnic_shadow_trapped_read(struct fbnic *dev, uint32_t idx);
void fbnic_shadow_trapped_write(struct fbnic *dev, uint32_t idx, uint32_t v);
/* Function reset: the pages read 0 again (what the registers hold). */
void fbnic_shadow_reset(struct fbnic *dev);
void fbnic_shadow_dump(struct fbnic *dev, FILE *out);
void fbnic_shadow_fini(struct fbnic *dev);

#endif
