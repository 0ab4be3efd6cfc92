/* SPDX-License-Identifier: Apache-2.0 */
#include "queue.h"

#include <stdbool.h>
#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "queue"

static void queue_reset(struct fbnic *dev)
{
	memset(&dev->queues, 0, sizeof(dev->queues));
}

static bool is_counter(uint32_t r)
{
	switch (r) {
	case FBNIC_QUEUE_TWQ0_PKT_CNT:
	case FBNIC_QUEUE_TWQ0_ERR_CNT:
	case FBNIC_QUEUE_TWQ1_PKT_CNT:
	case FBNIC_QUEUE_TWQ1_ERR_CNT:
	case FBNIC_QUEUE_RDE_PKT_CNT:
	case FBNIC_QUEUE_RDE_PKT_ERR_CNT:
	case FBNIC_QUEUE_RDE_CQ_DROP_CNT:
	case FBNIC_QUEUE_RDE_BDQ_DROP_CNT:
		return true;
	default:
		return false;
	}
}

void fbnic_queue_count(struct fbnic *dev, unsigned q, uint32_t reg,
		       uint32_t delta)
{
	if (q < FBNIC_MAX_QUEUES && is_counter(reg))
		dev->csr[FBNIC_QUEUE(q) + reg] += delta; /* wraps like 32-bit hw */
}

/* PTRS register -> ring and layout (true: head in 31:16). */
static int ptrs_ring(uint32_t r, bool *head_high)
{
	switch (r) {
	case FBNIC_QUEUE_TWQ0_PTRS:
		*head_high = true;
		return FBNIC_RING_TWQ0;
	case FBNIC_QUEUE_TWQ1_PTRS:
		*head_high = true;
		return FBNIC_RING_TWQ1;
	case FBNIC_QUEUE_TCQ_PTRS:
		*head_high = false;
		return FBNIC_RING_TCQ;
	case FBNIC_QUEUE_RCQ_PTRS:
		*head_high = false;
		return FBNIC_RING_RCQ;
	case FBNIC_QUEUE_BDQ_HPQ_PTRS:
		*head_high = true;
		return FBNIC_RING_HPQ;
	case FBNIC_QUEUE_BDQ_PPQ_PTRS:
		*head_high = true;
		return FBNIC_RING_PPQ;
	default:
		return -1;
	}
}

static uint32_t queue_read(struct fbnic *dev, uint32_t idx)
{
	unsigned q = (idx - FBNIC_CSR_START_QUEUE) / FBNIC_QUEUE_STRIDE;
	uint32_t r = (idx - FBNIC_CSR_START_QUEUE) % FBNIC_QUEUE_STRIDE;
	bool head_high;
	int ring = ptrs_ring(r, &head_high);
	if (ring >= 0 && q < FBNIC_MAX_QUEUES) {
		const struct fbnic_ring_ptrs *p = &dev->queues.q[q].ring[ring];
		return head_high ? (uint32_t)p->head << 16 | p->tail
				 : (uint32_t)p->tail << 16 | p->head;
	}
	return dev->csr[idx];
}

static void ring_reset(struct fbnic *dev, unsigned q, enum fbnic_ring ring)
{
	dev->queues.q[q].ring[ring] = (struct fbnic_ring_ptrs){ 0, 0 };
	dev->queues.ring_resets++;
}

static void queue_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	unsigned q = (idx - FBNIC_CSR_START_QUEUE) / FBNIC_QUEUE_STRIDE;
	uint32_t r = (idx - FBNIC_CSR_START_QUEUE) % FBNIC_QUEUE_STRIDE;
	bool head_high;
	if (q >= FBNIC_MAX_QUEUES)
		return;
	switch (r) {
	case FBNIC_QUEUE_TWQ0_CTL:
	case FBNIC_QUEUE_TWQ1_CTL:
	case FBNIC_QUEUE_TCQ_CTL:
	case FBNIC_QUEUE_RCQ_CTL:
		/* RESET (0) and ENABLE (1) are the only bits. */
		val &= FBNIC_QUEUE_TWQ_CTL_RESET | FBNIC_QUEUE_TWQ_CTL_ENABLE;
		if (val & FBNIC_QUEUE_TWQ_CTL_RESET)
			ring_reset(dev, q,
				   r == FBNIC_QUEUE_TWQ0_CTL   ? FBNIC_RING_TWQ0
				   : r == FBNIC_QUEUE_TWQ1_CTL ? FBNIC_RING_TWQ1
				   : r == FBNIC_QUEUE_TCQ_CTL  ? FBNIC_RING_TCQ
							       : FBNIC_RING_RCQ);
		break;
	case FBNIC_QUEUE_BDQ_CTL:
		val &= FBNIC_QUEUE_BDQ_CTL_RESET | FBNIC_QUEUE_BDQ_CTL_ENABLE |
		       FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE;
		if (val & FBNIC_QUEUE_BDQ_CTL_RESET) {
			ring_reset(dev, q, FBNIC_RING_HPQ);
			ring_reset(dev, q, FBNIC_RING_PPQ);
		}
		break;
	case FBNIC_QUEUE_TWQ0_SIZE:
	case FBNIC_QUEUE_TWQ1_SIZE:
	case FBNIC_QUEUE_TCQ_SIZE:
	case FBNIC_QUEUE_RCQ_SIZE:
	case FBNIC_QUEUE_BDQ_HPQ_SIZE:
	case FBNIC_QUEUE_BDQ_PPQ_SIZE:
		val &= FBNIC_QUEUE_SIZE_MASK;
		break;
	case FBNIC_QUEUE_TWQ0_BAL:
	case FBNIC_QUEUE_TWQ1_BAL:
	case FBNIC_QUEUE_TCQ_BAL:
	case FBNIC_QUEUE_RCQ_BAL:
	case FBNIC_QUEUE_BDQ_HPQ_BAL:
	case FBNIC_QUEUE_BDQ_PPQ_BAL:
		val &= FBNIC_QUEUE_BAL_MASK;
		break;
	default:
		if (ptrs_ring(r, &head_high) >= 0)
			return; /* hardware pointers: the self-test writes
				   them and expects 0 back */
		if (is_counter(r)) {
			dev->cnt.ro_writes++;
			log_guest(SUB, "write 0x%08x to read-only counter "
				  "0x%03x of queue %u", val, r, q);
			return;
		}
		break; /* BAH, doorbells, interrupt managers, RDE_CTL */
	}
	fbnic_trace(dev, FBNIC_TR_QUEUE_WRITE, q, r, val);
	dev->csr[idx] = val;
}

static void queue_dump(struct fbnic *dev, FILE *out)
{
	fprintf(out, "queue.ring_resets %llu\n",
		(unsigned long long)dev->queues.ring_resets);
}

const struct reg_block fbnic_queue_block = { "QUEUE", FBNIC_CSR_START_QUEUE,
					     FBNIC_CSR_END_QUEUE, queue_read,
					     queue_write, .reset = queue_reset,
					     .dump = queue_dump };
