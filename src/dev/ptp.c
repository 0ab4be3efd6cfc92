/* SPDX-License-Identifier: Apache-2.0 */
#include "ptp.h"

#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "ptp"

__extension__ typedef unsigned __int128 u128;

static uint64_t host_now(struct fbnic *dev)
{
	return dev->host.now_ns(dev->host.opaque);
}

static void ptp_reset(struct fbnic *dev)
{
	struct fbnic_ptp *p = &dev->ptp;
	memset(p, 0, sizeof(*p));
	p->addend = FBNIC_PTP_NOMINAL_ADDEND;
	p->base_host_ns = host_now(dev);
}

/* The counter at host time now, as a Q64.32 ns value:
 * base + ticks * addend, ticks = elapsed_ns * 600 MHz / 1 GHz. */
static u128 counter_at(const struct fbnic_ptp *p, uint64_t now)
{
	u128 base = (u128)p->base_ns << 32 | p->base_frac;
	if (!p->running || now <= p->base_host_ns)
		return base;
	u128 elapsed = now - p->base_host_ns;
	return base + elapsed * p->addend * 3u / 5u;
}

/* Fold the time elapsed so far into the base, so that a change of rate,
 * value or run state applies from now on. */
static void checkpoint(struct fbnic *dev)
{
	struct fbnic_ptp *p = &dev->ptp;
	uint64_t now = host_now(dev);
	u128 c = counter_at(p, now);
	p->base_ns = (uint64_t)(c >> 32);
	p->base_frac = (uint32_t)c;
	p->base_host_ns = now;
}

uint64_t fbnic_ptp_now(struct fbnic *dev)
{
	return (uint64_t)(counter_at(&dev->ptp, host_now(dev)) >> 32);
}

uint64_t fbnic_ptp_at(struct fbnic *dev, uint64_t host_ns)
{
	return (uint64_t)(counter_at(&dev->ptp, host_ns) >> 32);
}

static uint64_t staged_addend(const struct fbnic *dev)
{
	return (uint64_t)(dev->csr[FBNIC_PTP_ADD_VAL_NS] &
			  FBNIC_PTP_ADD_VAL_NS_MASK)
		       << 32 |
	       dev->csr[FBNIC_PTP_ADD_VAL_SUBNS];
}

static void adjust(struct fbnic *dev, uint32_t cmd)
{
	struct fbnic_ptp *p = &dev->ptp;
	checkpoint(dev);
	if (cmd & FBNIC_PTP_ADJUST_INIT) {
		p->base_ns = (uint64_t)dev->csr[FBNIC_PTP_INIT_HI] << 32 |
			     dev->csr[FBNIC_PTP_INIT_LO];
		p->base_frac = 0;
		p->addend = staged_addend(dev);
		p->inits++;
	}
	u128 nudge = (u128)dev->csr[FBNIC_PTP_NUDGE_NS] << 32 |
		     dev->csr[FBNIC_PTP_NUDGE_SUBNS];
	u128 c = (u128)p->base_ns << 32 | p->base_frac;
	if (cmd & FBNIC_PTP_ADJUST_ADD_NUDGE) {
		c += nudge;
		p->nudges++;
	}
	if (cmd & FBNIC_PTP_ADJUST_SUB_NUDGE) {
		c -= nudge;
		p->nudges++;
	}
	p->base_ns = (uint64_t)(c >> 32);
	p->base_frac = (uint32_t)c;
	if (cmd & FBNIC_PTP_ADJUST_ADDEND_SET) {
		p->addend = staged_addend(dev);
		p->addend_sets++;
	}
	if (!p->addend)
		log_guest(SUB, "PTP addend 0: the clock stands still");
}

static uint32_t ptp_read(struct fbnic *dev, uint32_t idx)
{
	switch (idx) {
	case FBNIC_PTP_CTR_VAL_HI:
		return (uint32_t)(fbnic_ptp_now(dev) >> 32);
	case FBNIC_PTP_CTR_VAL_LO:
		return (uint32_t)fbnic_ptp_now(dev);
	case FBNIC_PTP_ADJUST:          /* commands, self-clearing */
	case FBNIC_PTP_MONO_PTP_CTR_HI: /* the mono counter is not modelled */
	case FBNIC_PTP_MONO_PTP_CTR_LO:
	case FBNIC_PTP_CDC_FIFO_STATUS:
		return 0;
	default:
		return dev->csr[idx];
	}
}

static void ptp_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	switch (idx) {
	case FBNIC_PTP_CTRL:
		checkpoint(dev);
		dev->ptp.running = val & FBNIC_PTP_CTRL_EN;
		fbnic_csr_set(dev, idx, val);
		return;
	case FBNIC_PTP_ADJUST:
		adjust(dev, val);
		return;
	case FBNIC_PTP_ADD_VAL_NS:
		fbnic_csr_set(dev, idx, val & FBNIC_PTP_ADD_VAL_NS_MASK);
		return;
	case FBNIC_PTP_CTR_VAL_HI:
	case FBNIC_PTP_CTR_VAL_LO:
	case FBNIC_PTP_MONO_PTP_CTR_HI:
	case FBNIC_PTP_MONO_PTP_CTR_LO:
	case FBNIC_PTP_CDC_FIFO_STATUS:
		dev->cnt.ro_writes++;
		log_guest(SUB, "write 0x%08x to read-only PTP index 0x%05x",
			  val, idx);
		return;
	default:
		fbnic_csr_set(dev, idx, val); /* INIT, NUDGE, ADD_VAL_SUBNS, SPARE */
		return;
	}
}

static void ptp_dump(struct fbnic *dev, FILE *out)
{
	fprintf(out, "ptp.running %d\nptp.time_ns %llu\nptp.addend 0x%llx\n",
		dev->ptp.running, (unsigned long long)fbnic_ptp_now(dev),
		(unsigned long long)dev->ptp.addend);
}

const struct reg_block fbnic_ptp_block = { "PTP", FBNIC_CSR_START_PTP,
					   FBNIC_CSR_END_PTP, ptp_read,
					   ptp_write, .reset = ptp_reset,
					   .dump = ptp_dump };
