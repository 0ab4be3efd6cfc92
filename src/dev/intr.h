/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupt block (FBNIC_CSR_START_INTR .. END_INTR_CQ): per-vector status,
 * mask, set/clear, auto-clear mode, cause routing and CQ re-arm.
 *
 * Semantics are those fbnic_msix_test() asserts and the handlers rely on
 * (fbnic_ethtool.c / fbnic_csr.c: fbnic_msix_test; fbnic_irq.c):
 *  - a vector fires when its status bit is 1 and its mask bit 0;
 *  - firing sets the mask bit (auto-mask) and, when the vector's
 *    SW_AC_MODE bit is 1, clears the status bit (auto-clear);
 *  - a cause raised while masked stays latched and fires on unmask;
 *  - INTR_CQ_REARM(v).INTR_UNMASK clears the mask bit of vector v.
 * Moderation (what `ethtool -C` programs: fbnic_set_coalesce,
 * fbnic_config_txrx_usecs and fbnic_config_rim_threshold in fbnic_txrx.c):
 * a completion queue's new descriptors (RCDs written; for a TCQ, the work
 * descriptors its completions retire) raise its vector once their count
 * since the vector last fired for that kind of queue reaches the queue's
 * RIM/TIM_THRESHOLD, or when the vector's RCQ/TCQ timeout (microseconds,
 * loaded through CQ_REARM's update-enable bits) has run since the first of
 * them; a timeout of 0 raises at once.  One count per vector and kind
 * (fbnic_alloc_napi_vector gives a vector one TCQ and one RCQ unless
 * there are more queues than vectors).
 * Power-on: status 0, mask all ones, SW_AC_MODE all ones, MSIX_CTRL 0.
 */
#ifndef FBNIC_EMU_DEV_INTR_H
#define FBNIC_EMU_DEV_INTR_H

#include <stdint.h>

#include "regs.h"
#include "timer.h"
#include "util/counters.h"

/* Counters (dumped as intr.NAME). */
#define FBNIC_INTR_COUNTERS(X)                                             \
	X(fired, "MSI-X messages sent")                                    \
	X(dropped, "vectors fired beyond the function's MSI-X table")     \
	X(moderated, "completion batches held back by a CQ timeout")     \
	X(by_threshold, "vectors raised by a CQ threshold")             \
	X(by_timeout, "vectors raised by a CQ timeout")

#define FBNIC_INTR_VECTORS (FBNIC_INTR_BANKS * 32u)

/* Which completion queue a moderated cause comes from. */
enum fbnic_cq_kind { FBNIC_CQ_TX, FBNIC_CQ_RX, FBNIC_CQ_KINDS };

/* One vector's moderation state for one kind of completion queue. */
struct fbnic_intr_coal {
	struct fbnic_timer timer; /* first: fbnic_intr_coal from its timer */
	uint32_t count;           /* descriptors since the vector last fired */
	uint16_t vector;
	uint8_t kind;
};

struct fbnic_intr {
	uint32_t status[FBNIC_INTR_BANKS];
	uint32_t mask[FBNIC_INTR_BANKS];
	uint32_t ac_mode[FBNIC_INTR_BANKS];
	uint32_t sw_status[FBNIC_INTR_BANKS];
	uint32_t msix_ctrl[FBNIC_INTR_MSIX_CTRL_CNT];
	struct fbnic_intr_coal coal[FBNIC_CQ_KINDS][FBNIC_INTR_VECTORS];
	struct fbnic_intr_stats {
		FBNIC_INTR_COUNTERS(COUNTER_FIELD)
	} stats;
};

struct fbnic;

/* Latch vector v's status bit (a cause wired straight to a vector, like
 * the FW mailbox on vector 0), and fire it if unmasked. */
void fbnic_intr_raise(struct fbnic *dev, unsigned vector);
/* Raise a routed cause: fires INTR_MSIX_CTRL(cause)'s vector if enabled.
 * Returns 1 if routed, 0 if the route is disabled. */
int fbnic_intr_cause(struct fbnic *dev, unsigned cause);

/* A completion queue of the given kind, routed to vector v, wrote n
 * descriptors; threshold is its TIM/RIM_THRESHOLD.  Raises v now or when
 * its moderation timeout runs out (see above). */
void fbnic_intr_cq(struct fbnic *dev, unsigned vector, enum fbnic_cq_kind kind,
		   unsigned n, uint32_t threshold);

extern const struct reg_block fbnic_intr_block;
extern const struct reg_block fbnic_intr_cq_block;

#endif
