/* SPDX-License-Identifier: Apache-2.0 */
#include "fault.h"

#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "fault"

static const char *const names[FBNIC_FAULT_KINDS] = {
	[FBNIC_FAULT_RX_DROP] = "rx drop",
	[FBNIC_FAULT_RX_CORRUPT] = "rx corrupt",
	[FBNIC_FAULT_RX_FCS] = "rx fcs",
	[FBNIC_FAULT_TX_DROP] = "tx drop",
	[FBNIC_FAULT_TX_STALL] = "tx stall",
	[FBNIC_FAULT_IRQ_DROP] = "irq drop",
	[FBNIC_FAULT_DMA_FAIL] = "dma fail",
	[FBNIC_FAULT_COMPLETION_DELAY] = "completion delay",
};

const char *fbnic_fault_name(enum fbnic_fault_kind k)
{
	return (unsigned)k < FBNIC_FAULT_KINDS ? names[k] : "?";
}

int fbnic_fault_parse(const char *what, const char *how)
{
	char both[32];
	if (strlen(what) + strlen(how) + 2 > sizeof(both))
		return -1;
	strcpy(both, what);
	strcat(both, " ");
	strcat(both, how);
	for (int k = 0; k < FBNIC_FAULT_KINDS; k++)
		if (!strcmp(both, names[k]))
			return k;
	return -1;
}

/* splitmix64: small, and the same sequence everywhere for a seed */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fbnic_fault_random(struct fbnic *dev, enum fbnic_fault_kind k)
{
	return next(&dev->faults.k[k].rng);
}

void fbnic_fault_arm(struct fbnic *dev, enum fbnic_fault_kind k, uint32_t scope,
		     uint64_t count, uint32_t ppm, uint64_t seed,
		     uint64_t delay_ns)
{
	struct fbnic_fault *f = &dev->faults.k[k];
	*f = (struct fbnic_fault){ .scope = scope,
				   .left = ppm ? 0 : count,
				   .ppm = ppm > 1000000 ? 1000000 : ppm,
				   .seed = seed,
				   .rng = seed,
				   .delay_ns = delay_ns };
	dev->faults.armed |= 1u << k;
	log_info(SUB, "%s armed", names[k]);
	if (k == FBNIC_FAULT_TX_STALL)
		return;
	/* count 0 arms nothing that could fire */
	if (!ppm && !count)
		dev->faults.armed &= ~(1u << k);
}

bool fbnic_fault_disarm(struct fbnic *dev, int k)
{
	uint32_t was = dev->faults.armed;
	if (k < 0)
		dev->faults.armed = 0;
	else if (k < FBNIC_FAULT_KINDS)
		dev->faults.armed &= ~(1u << k);
	return (was & ~dev->faults.armed) & (1u << FBNIC_FAULT_TX_STALL);
}

static uint64_t now(struct fbnic *dev)
{
	return dev->host.now_ns(dev->host.opaque);
}

/* The earliest hold's end: the timer's next deadline. */
static void hold_rearm(struct fbnic *dev)
{
	struct fbnic_faults *fs = &dev->faults;
	uint64_t first = FBNIC_TIMER_NONE;
	for (unsigned q = 0; fs->holding && q < FBNIC_MAX_QUEUES; q++)
		if (fs->hold_until[q] && fs->hold_until[q] < first)
			first = fs->hold_until[q];
	if (first == FBNIC_TIMER_NONE)
		fbnic_timer_cancel(dev, &fs->hold_timer);
	else
		fbnic_timer_set(dev, &fs->hold_timer, first);
}

void fbnic_fault_holds_expire(struct fbnic *dev)
{
	struct fbnic_faults *fs = &dev->faults;
	uint64_t t_now = now(dev);
	for (unsigned q = 0; fs->holding && q < FBNIC_MAX_QUEUES; q++)
		if (fs->hold_until[q] && fs->hold_until[q] <= t_now) {
			fs->hold_until[q] = 0;
			fs->holding--;
		}
	hold_rearm(dev);
}

void fbnic_fault_reset(struct fbnic *dev,
		       void (*hold_over)(struct fbnic *dev,
					 struct fbnic_timer *t))
{
	struct fbnic_faults *fs = &dev->faults;
	memset(fs->hold_until, 0, sizeof(fs->hold_until));
	fs->holding = 0;
	fbnic_timer_init(&fs->hold_timer, hold_over);
}

bool fbnic_fault_hold_slow(struct fbnic *dev, unsigned q)
{
	struct fbnic_faults *fs = &dev->faults;
	if (q >= FBNIC_MAX_QUEUES)
		return false;
	uint64_t t_now = now(dev);
	if (fs->hold_until[q] > t_now)
		return true; /* the timer is armed for it */
	if (fs->hold_until[q]) {
		fs->hold_until[q] = 0;
		fs->holding--;
	}
	if (!fbnic_fault_fire(dev, FBNIC_FAULT_COMPLETION_DELAY, q))
		return false;
	uint64_t d = fs->k[FBNIC_FAULT_COMPLETION_DELAY].delay_ns;
	fs->hold_until[q] = t_now + (d ? d : 1);
	fs->holding++;
	hold_rearm(dev);
	return true;
}

bool fbnic_fault_fire_slow(struct fbnic *dev, enum fbnic_fault_kind k,
			   uint32_t where)
{
	struct fbnic_fault *f = &dev->faults.k[k];
	if (f->scope != FBNIC_FAULT_ALL && f->scope != where)
		return false;
	if (k != FBNIC_FAULT_TX_STALL) {
		if (f->ppm) {
			if (next(&f->rng) % 1000000u >= f->ppm)
				return false;
		} else if (!f->left) {
			dev->faults.armed &= ~(1u << k);
			return false;
		} else if (--f->left == 0) {
			dev->faults.armed &= ~(1u << k); /* the last one */
		}
	}
	f->fired++;
	dev->faults.fired_total[k]++;
	if (k != FBNIC_FAULT_TX_STALL || f->fired == 1)
		log_ratelimited(LOG_INFO, SUB, "%s injected at %s %u",
				names[k],
				k == FBNIC_FAULT_IRQ_DROP ? "vector"
				: k == FBNIC_FAULT_RX_FCS ? "port"
							  : "queue",
				where);
	return true;
}

void fbnic_fault_list(const struct fbnic *dev, FILE *out)
{
	for (int k = 0; k < FBNIC_FAULT_KINDS; k++) {
		const struct fbnic_fault *f = &dev->faults.k[k];
		bool on = (dev->faults.armed >> k) & 1;
		fprintf(out, "%s: %s", names[k], on ? "armed" : "off");
		if (on) {
			/* (rx fcs is always "all": the MAC's one port) */
			const char *unit = k == FBNIC_FAULT_IRQ_DROP ? "vector" : "queue";
			if (f->scope == FBNIC_FAULT_ALL)
				fprintf(out, " all");
			else
				fprintf(out, " %s %u", unit, f->scope);
			if (k == FBNIC_FAULT_COMPLETION_DELAY)
				fprintf(out, " ms %.3f",
					(double)f->delay_ns / 1e6);
			if (k == FBNIC_FAULT_TX_STALL)
				fprintf(out, " until cleared");
			else if (f->ppm)
				fprintf(out, " prob %.6f seed %llu",
					f->ppm / 1e6, (unsigned long long)f->seed);
			else
				fprintf(out, " count %llu left",
					(unsigned long long)f->left);
		}
		fprintf(out, ", fired %llu\n",
			(unsigned long long)dev->faults.fired_total[k]);
	}
}

void fbnic_fault_dump(const struct fbnic *dev, FILE *out)
{
	for (int k = 0; k < FBNIC_FAULT_KINDS; k++) {
		char n[24];
		strcpy(n, names[k]);
		n[strcspn(n, " ")] = '_';
		fprintf(out, "fault.%s.fired %llu\n", n,
			(unsigned long long)dev->faults.fired_total[k]);
	}
}
