/* SPDX-License-Identifier: Apache-2.0 */
#include "intr.h"

#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "intr"

static void coal_expired(struct fbnic *dev, struct fbnic_timer *t);

FBNIC_NO_COVERAGE
static void intr_reset(struct fbnic *dev)
{
	struct fbnic_intr *in = &dev->intr;
	/* fbnic_timers_reset has emptied the heap: the timers can go. */
	memset(in, 0, sizeof(*in));
	for (unsigned k = 0; k < FBNIC_CQ_KINDS; k++)
		for (unsigned v = 0; v < FBNIC_INTR_VECTORS; v++) {
			struct fbnic_intr_coal *c = &in->coal[k][v];
			fbnic_timer_init(&c->timer, coal_expired);
			c->vector = (uint16_t)v;
			c->kind = (uint8_t)k;
		}
	memset(in->mask, 0xff, sizeof(in->mask));
	/* NAPI and PCS vectors must auto-clear: the driver only rewrites
	 * bank 0 to make the mailbox vector sticky (fbnic_mbx_init). */
	memset(in->ac_mode, 0xff, sizeof(in->ac_mode));
}

/* Fire every vector of a bank that is pending and unmasked. */
static void evaluate(struct fbnic *dev, unsigned bank)
{
	struct fbnic_intr *in = &dev->intr;
	uint32_t fire = in->status[bank] & ~in->mask[bank];
	if (!fire)
		return;
	in->mask[bank] |= fire;                    /* auto-mask */
	in->status[bank] &= ~(fire & in->ac_mode[bank]); /* auto-clear */
	while (fire) {
		unsigned bit = (unsigned)__builtin_ctz(fire);
		unsigned v = bank * 32 + bit;
		fire &= fire - 1;
		if (v >= dev->layout.msix_vectors) {
			/* The function's MSI-X table has no such entry. */
			in->stats.dropped++;
			log_guest(SUB, "vector %u fired beyond the %u MSI-X vectors",
				  v, dev->layout.msix_vectors);
			continue;
		}
		in->stats.fired++;
		fbnic_bus_msix(dev, v);
	}
}

void fbnic_intr_raise(struct fbnic *dev, unsigned vector)
{
	if (vector >= FBNIC_INTR_BANKS * 32)
		return;
	dev->intr.status[vector / 32] |= 1u << (vector % 32);
	evaluate(dev, vector / 32);
}

/* ---- moderation -------------------------------------------------------- */

static uint32_t coal_timeout_us(const struct fbnic *dev, unsigned v,
				enum fbnic_cq_kind kind)
{
	return dev->csr[kind == FBNIC_CQ_RX ? FBNIC_INTR_RCQ_TIMEOUT(v)
					    : FBNIC_INTR_TCQ_TIMEOUT(v)];
}

static void coal_fire(struct fbnic *dev, struct fbnic_intr_coal *c)
{
	fbnic_timer_cancel(dev, &c->timer);
	c->count = 0;
	fbnic_intr_raise(dev, c->vector);
}

static void coal_expired(struct fbnic *dev, struct fbnic_timer *t)
{
	struct fbnic_intr_coal *c = (struct fbnic_intr_coal *)t;
	dev->intr.stats.by_timeout++;
	coal_fire(dev, c);
}

void fbnic_intr_cq(struct fbnic *dev, unsigned vector, enum fbnic_cq_kind kind,
		   unsigned n, uint32_t threshold)
{
	if (vector >= FBNIC_INTR_VECTORS || kind >= FBNIC_CQ_KINDS || !n)
		return;
	struct fbnic_intr_coal *c = &dev->intr.coal[kind][vector];
	uint32_t timeout = coal_timeout_us(dev, vector, kind);
	c->count = c->count + n < c->count ? UINT32_MAX : c->count + n;
	if (!timeout) {
		coal_fire(dev, c);
		return;
	}
	if (c->count >= threshold) {
		dev->intr.stats.by_threshold++;
		coal_fire(dev, c);
		return;
	}
	if (!fbnic_timer_armed(&c->timer)) {
		dev->intr.stats.moderated++;
		fbnic_timer_set(dev, &c->timer,
				dev->host.now_ns(dev->host.opaque) +
					(uint64_t)timeout * 1000u);
	}
}

int fbnic_intr_cause(struct fbnic *dev, unsigned cause)
{
	if (cause >= FBNIC_INTR_MSIX_CTRL_CNT)
		return 0;
	uint32_t ctrl = dev->intr.msix_ctrl[cause];
	if (!(ctrl & FBNIC_INTR_MSIX_CTRL_ENABLE))
		return 0;
	fbnic_intr_raise(dev, ctrl & FBNIC_INTR_MSIX_CTRL_VECTOR);
	return 1;
}

static uint32_t intr_read(struct fbnic *dev, uint32_t idx)
{
	struct fbnic_intr *in = &dev->intr;
	unsigned n = idx & 7;
	switch (idx & ~7u) {
	case FBNIC_INTR_STATUS(0):
		return in->status[n];
	case FBNIC_INTR_MASK(0):
		return in->mask[n];
	case FBNIC_INTR_SW_STATUS(0):
		return in->sw_status[n];
	case FBNIC_INTR_SW_AC_MODE(0):
		return in->ac_mode[n];
	case FBNIC_INTR_SET(0):
	case FBNIC_INTR_CLEAR(0):
	case FBNIC_INTR_MASK_SET(0):
	case FBNIC_INTR_MASK_CLEAR(0):
		return 0; /* write-only triggers */
	default:
		return in->msix_ctrl[idx - FBNIC_INTR_MSIX_CTRL(0)];
	}
}

static void intr_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	struct fbnic_intr *in = &dev->intr;
	unsigned n = idx & 7;
	switch (idx & ~7u) {
	case FBNIC_INTR_STATUS(0):
		return; /* read-only: causes set it, INTR_CLEAR clears it */
	case FBNIC_INTR_MASK(0):
		in->mask[n] = val;
		break;
	case FBNIC_INTR_SET(0):
		in->status[n] |= val; /* sets status even while masked */
		break;
	case FBNIC_INTR_CLEAR(0):
		in->status[n] &= ~val;
		return;
	case FBNIC_INTR_SW_STATUS(0):
		in->sw_status[n] = val;
		return;
	case FBNIC_INTR_SW_AC_MODE(0):
		in->ac_mode[n] = val;
		return;
	case FBNIC_INTR_MASK_SET(0):
		in->mask[n] |= val;
		return;
	case FBNIC_INTR_MASK_CLEAR(0):
		in->mask[n] &= ~val; /* a latched cause fires now */
		break;
	default:
		in->msix_ctrl[idx - FBNIC_INTR_MSIX_CTRL(0)] = val;
		return;
	}
	evaluate(dev, n);
}

static const struct counter_desc intr_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_intr_stats, n, h)
	FBNIC_INTR_COUNTERS(D)
#undef D
};

static void intr_dump(struct fbnic *dev, FILE *out)
{
	const struct fbnic_intr *in = &dev->intr;
	counters_dump(out, "intr", &in->stats, intr_counters,
		      COUNTER_COUNT(intr_counters));
	for (unsigned n = 0; n < FBNIC_INTR_BANKS; n++)
		fprintf(out, "intr.bank%u status 0x%08x mask 0x%08x\n", n,
			in->status[n], in->mask[n]);
}

const struct reg_block fbnic_intr_block = {
	.name = "INTR",
	.first = FBNIC_CSR_START_INTR,
	.last = FBNIC_INTR_MSIX_CTRL(FBNIC_INTR_MSIX_CTRL_CNT - 1),
	.read = intr_read,
	.write = intr_write,
	.reset = intr_reset,
	.dump = intr_dump,
};

/* INTR_CQ_REARM(v), with RCQ/TCQ_TIMEOUT(v) beside it, loaded
 * through the re-arm register's update-enable bits (fbnic_txrx.c). */
static void intr_cq_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	unsigned v = (idx - FBNIC_INTR_CQ_REARM(0)) / 4;
	unsigned reg = (idx - FBNIC_INTR_CQ_REARM(0)) % 4;
	if (reg != 0) {
		fbnic_csr_set(dev, idx, val);
		return;
	}
	if (val & FBNIC_INTR_CQ_REARM_RCQ_TIMEOUT_UPD_EN)
		dev->csr[FBNIC_INTR_RCQ_TIMEOUT(v)] =
			val & FBNIC_INTR_CQ_REARM_RCQ_TIMEOUT_MASK;
	if (val & FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_UPD_EN)
		dev->csr[FBNIC_INTR_TCQ_TIMEOUT(v)] =
			(val & FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_MASK) >>
			FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_SHIFT;
	if (val & FBNIC_INTR_CQ_REARM_INTR_UNMASK) {
		dev->intr.mask[v / 32] &= ~(1u << (v % 32));
		evaluate(dev, v / 32);
	}
}

const struct reg_block fbnic_intr_cq_block = { "INTR_CQ", FBNIC_CSR_START_INTR_CQ,
					       FBNIC_CSR_END_INTR_CQ,
					       NULL, intr_cq_write };
