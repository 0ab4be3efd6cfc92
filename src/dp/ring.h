/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ring access shared by TX and RX: descriptor fetch with read-ahead.
 */
#ifndef FBNIC_EMU_DP_RING_H
#define FBNIC_EMU_DP_RING_H

#include <stdint.h>

#include "dev/dev.h"

/* The descriptor i entries after the head of host-produced ring r of
 * queue q (i below the ring's avail).  A miss reads ahead from the head in
 * one DMA, up to FBNIC_RING_PREFETCH entries, the tail and the ring's end.
 * 0, or the DMA's error.  The DMA may drop the device lock: the caller
 * checks the queue's gen afterwards, as after any DMA. */
int fbnic_dp_desc_fetch(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
			unsigned i, uint64_t *d);
static inline int fbnic_dp_desc(struct fbnic *dev, unsigned q,
				enum fbnic_ring_idx r, unsigned i, uint64_t *d)
{
	const struct fbnic_ring *ring = &dev->queues.q[q].ring[r];
	if (__builtin_expect(ring->pf_gen == dev->queues.q[q].gen &&
				     i < ring->pf_n,
			     1)) {
		*d = ring->pf[ring->pf_first + i];
		return 0;
	}
	return fbnic_dp_desc_fetch(dev, q, r, i, d);
}

#endif
