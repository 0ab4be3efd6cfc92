/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptor fetch with read-ahead.  The driver hands descriptors over by
 * moving the tail (fbnic_txrx.c: fbnic_tx_doorbell, fbnic_fill_bdq); what
 * lies between head and tail is the device's until the head passes it, so
 * entries read ahead stay valid until then (dev/queue.c drops them as the
 * head advances; RESET and every CTL write, through the queue's gen, drop
 * them all).  One DMA then serves a burst's descriptors, not one each.
 */
#include "ring.h"

#include <string.h>

/* The miss: fbnic_dp_desc (ring.h) serves a hit itself. */
int fbnic_dp_desc_fetch(struct fbnic *dev, unsigned q, enum fbnic_ring_idx r,
			unsigned i, uint64_t *d)
{
	struct fbnic_ring *ring = &dev->queues.q[q].ring[r];
	uint32_t gen = dev->queues.q[q].gen;
	/* Refill from the head: what is posted, up to the ring's end (one
	 * contiguous read) and the window. */
	unsigned n = ring->size - ring->head;
	unsigned avail = fbnic_ring_avail(ring);
	if (n > avail)
		n = avail;
	if (n > FBNIC_RING_PREFETCH)
		n = FBNIC_RING_PREFETCH;
	if (i >= n) /* past the window or the ring's end: this one alone */
		return fbnic_dma_read_q(dev, q,
					fbnic_ring_entry(ring, ring->head + i),
					d, sizeof(*d));
	uint64_t buf[FBNIC_RING_PREFETCH];
	int err = fbnic_dma_read_q(dev, q, fbnic_ring_entry(ring, ring->head),
				   buf, n * sizeof(buf[0]));
	if (err)
		return err;
	*d = buf[i];
	if (dev->queues.q[q].gen == gen) {
		memcpy(ring->pf, buf, n * sizeof(buf[0]));
		ring->pf_first = 0;
		ring->pf_n = (uint8_t)n;
		ring->pf_gen = gen;
	}
	return 0;
}
