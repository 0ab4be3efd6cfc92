/* SPDX-License-Identifier: Apache-2.0 */
#include "pcs.h"

#include <errno.h>
#include <string.h>

#include "dev.h"
#include "util/log.h"

#define SUB "pcs"

/* ---- link modes ---------------------------------------------------------- */

/* Speeds and the FEC the driver runs for a mode come from the link table
 * (link/link.h), which the firmware's capability reply uses too. */

static bool link_valid(unsigned mode, unsigned fec)
{
	return link_mode_valid(mode) && link_fec_valid(fec);
}

/* The lanes fbnic_mac_get_link_status XORs away, by AUI and FEC: which
 * lock field they live in (OUT0 BLOCK_LOCK for no FEC, OUT0 AMPS_LOCK for
 * RS, OUT1 FCFEC_LOCK for BASE-R) is chosen by the FEC. */
static uint32_t lane_mask(unsigned mode, unsigned eff_fec)
{
	switch (mode) {
	case LINK_MODE_100CR2:
		return 0xf;
	case LINK_MODE_50CR:
		return 0x3;
	case LINK_MODE_50CR2:
		return eff_fec == LINK_FEC_NONE ? 0x63
		       : eff_fec == LINK_FEC_RS ? 0x5
						      : 0xf;
	case LINK_MODE_25CR:
		return 0x1;
	default:
		return 0;
	}
}

/* PCS CTRL1 speed selection the firmware programs for the mode; XPCS
 * decodes it in xpcs_c45_read_pcs_speed. */
static uint16_t ctrl1_speed(unsigned mode)
{
	switch (mode) {
	case LINK_MODE_25CR:
		return FBNIC_PCS_CTRL1_SPEED25G;
	case LINK_MODE_50CR2:
	case LINK_MODE_50CR:
		return FBNIC_PCS_CTRL1_SPEED50G;
	default:
		return FBNIC_PCS_CTRL1_SPEED100G;
	}
}

void fbnic_pcs_sig_out(const struct fbnic *dev, uint32_t *out0,
		       uint32_t *out1)
{
	const struct fbnic_pcs *p = &dev->pcs;
	*out0 = 0;
	*out1 = 0;
	if (!p->up)
		return;
	uint32_t lanes = lane_mask(p->mode, p->eff_fec);
	*out0 = FBNIC_SIG_PCS_OUT0_LINK;
	switch (p->eff_fec) {
	case LINK_FEC_NONE:
		*out0 |= (lanes << FBNIC_SIG_PCS_OUT0_BLOCK_LOCK_SHIFT) &
			 FBNIC_SIG_PCS_OUT0_BLOCK_LOCK;
		break;
	case LINK_FEC_RS:
		*out0 |= (lanes << FBNIC_SIG_PCS_OUT0_AMPS_LOCK_SHIFT) &
			 FBNIC_SIG_PCS_OUT0_AMPS_LOCK;
		break;
	default:
		*out1 = (lanes << FBNIC_SIG_PCS_OUT1_FCFEC_LOCK_SHIFT) &
			FBNIC_SIG_PCS_OUT1_FCFEC_LOCK;
		break;
	}
}

/* ---- lifecycle and control ----------------------------------------------- */

static void set_mode(struct fbnic_pcs *p, unsigned mode, unsigned fec)
{
	p->mode = (uint8_t)mode;
	p->fec = (uint8_t)fec;
	p->eff_fec = link_effective_fec(mode, fec);
}

int fbnic_pcs_init(struct fbnic *dev)
{
	struct fbnic_link_config *l = &dev->cfg.link;
	if (!l->mode)
		l->mode = LINK_MODE_100CR2;
	if (!l->fec)
		l->fec = LINK_FEC_RS;
	if (!link_valid(l->mode, l->fec)) {
		log_err(SUB, "link mode %u FEC %u: mode must be 1..4, FEC 1..3",
			l->mode, l->fec);
		return -EINVAL;
	}
	memset(&dev->pcs, 0, sizeof(dev->pcs));
	set_mode(&dev->pcs, l->mode, l->fec);
	dev->pcs.up = !l->down;
	return 0;
}

static void pcs_reset(struct fbnic *dev)
{
	struct fbnic_pcs *p = &dev->pcs;
	/* A link that is down at reset has been down "since the last read". */
	for (unsigned i = 0; i < FBNIC_PCS_PAGES; i++)
		p->lstatus_latched_low[i] = !p->up;
	memset(p->cor, 0, sizeof(p->cor));
	memset(p->cor_hi, 0, sizeof(p->cor_hi));
}

bool fbnic_pcs_link_set(struct fbnic *dev, bool up)
{
	struct fbnic_pcs *p = &dev->pcs;
	if (p->up == up)
		return false;
	p->up = up;
	p->stats.link_changes++;
	if (!up)
		for (unsigned i = 0; i < FBNIC_PCS_PAGES; i++)
			p->lstatus_latched_low[i] = true;
	log_info(SUB, "link %s (%u Mb/s, FEC %u)", up ? "up" : "down",
		 link_speed_mbps(p->mode), p->eff_fec);
	return true;
}

int fbnic_pcs_set_mode(struct fbnic *dev, unsigned mode, unsigned fec)
{
	if (!link_valid(mode, fec))
		return -EINVAL;
	set_mode(&dev->pcs, mode, fec);
	return 0;
}

bool fbnic_pcs_link_up(const struct fbnic *dev)
{
	return dev->pcs.up;
}

/* ---- PCS pages ----------------------------------------------------------- */

/* consume: a read by the guest (STAT1's latch clears); else a peek. */
static uint32_t pcs_value(struct fbnic *dev, uint32_t idx, bool consume)
{
	struct fbnic_pcs *p = &dev->pcs;
	unsigned page = (idx - FBNIC_PCS_PAGE(0)) / FBNIC_PCS_PAGE_STRIDE;
	uint32_t r = (idx - FBNIC_PCS_PAGE(0)) % FBNIC_PCS_PAGE_STRIDE;
	if (page >= FBNIC_PCS_PAGES)
		return 0;
	switch (r) {
	case FBNIC_PCS_CTRL1:
		return (dev->csr[idx] & ~FBNIC_PCS_CTRL1_SPEEDSEL & 0xffffu) |
		       ctrl1_speed(p->mode);
	case FBNIC_PCS_STAT1: {
		/* LSTATUS latches low (IEEE 802.3 45.2.3.2); XPCS reads it
		 * once per get_state and phylink re-reads after a loss.  No
		 * fault is ever reported: XPCS would soft-reset the PCS. */
		bool link = p->up && !p->lstatus_latched_low[page];
		if (consume)
			p->lstatus_latched_low[page] = false;
		return link ? FBNIC_PCS_STAT1_LSTATUS : 0;
	}
	case FBNIC_PCS_DEVID1:
		return FBNIC_PCS_DW_XPCS_ID >> 16;
	case FBNIC_PCS_DEVID2:
		return FBNIC_PCS_DW_XPCS_ID & 0xffffu;
	case FBNIC_PCS_STAT2:
		return FBNIC_PCS_STAT2_DEVPRST_VAL; /* no RX/TX fault */
	case FBNIC_PCS_BASER_STAT1:
		return p->up ? FBNIC_PCS_BASER_STAT1_BLKLK |
				       FBNIC_PCS_BASER_STAT1_RLINK
			     : 0;
	case FBNIC_PCS_BASER_STAT2:
		return 0; /* no errored blocks: nonzero means a fault to XPCS */
	case FBNIC_PCS_VR_DIG_STS:
		/* RXFIFO_ERR (6:5) stays 0: it is a hard fault to XPCS. */
		return p->up ? FBNIC_PCS_VR_DIG_STS_PSEQ_GOOD : 0;
	default:
		return dev->csr[idx] & 0xffffu;
	}
}

static uint32_t pcs_read(struct fbnic *dev, uint32_t idx)
{
	return pcs_value(dev, idx, true);
}

static uint32_t pcs_peek(struct fbnic *dev, uint32_t idx)
{
	return pcs_value(dev, idx, false);
}

static void pcs_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	unsigned page = (idx - FBNIC_PCS_PAGE(0)) / FBNIC_PCS_PAGE_STRIDE;
	uint32_t r = (idx - FBNIC_PCS_PAGE(0)) % FBNIC_PCS_PAGE_STRIDE;
	if (page >= FBNIC_PCS_PAGES)
		return;
	switch (r) {
	case FBNIC_PCS_CTRL1:
		if (val & FBNIC_PCS_CTRL1_RESET) {
			/* Soft reset (xpcs_soft_reset): the page's registers
			 * return to their defaults and the bit self-clears
			 * before XPCS's first poll.  The firmware-set speed and
			 * the link are unaffected. */
			uint32_t first = FBNIC_PCS_PAGE(page);
			uint32_t last = page + 1 < FBNIC_PCS_PAGES
						? FBNIC_PCS_PAGE(page + 1) - 1
						: FBNIC_CSR_END_PCS;
			memset(&dev->csr[first], 0,
			       (last - first + 1) * sizeof(uint32_t));
			dev->pcs.stats.soft_resets++;
			log_info(SUB, "PCS %u soft reset", page);
			return;
		}
		fbnic_csr_set(dev, idx, val & 0xffffu & ~FBNIC_PCS_CTRL1_SPEEDSEL);
		return;
	case FBNIC_PCS_STAT1:
	case FBNIC_PCS_DEVID1:
	case FBNIC_PCS_DEVID2:
	case FBNIC_PCS_STAT2:
	case FBNIC_PCS_BASER_STAT1:
	case FBNIC_PCS_BASER_STAT2:
	case FBNIC_PCS_VR_DIG_STS:
		return; /* status, read-only */
	default:
		/* Clause 45 registers are 16 bits: the driver hands them to
		 * XPCS as an int, bits 31:16 must read 0 (fbnic_mdio.c). */
		fbnic_csr_set(dev, idx, val & 0xffffu);
		return;
	}
}

static const struct counter_desc pcs_counters[] = {
#define D(n, h) COUNTER_DESC(struct fbnic_pcs_stats, n, h)
	FBNIC_PCS_COUNTERS(D)
#undef D
};

static void pcs_dump(struct fbnic *dev, FILE *out)
{
	const struct fbnic_pcs *p = &dev->pcs;
	fprintf(out, "link.up %d\nlink.mode %u\nlink.fec %u\nlink.speed %u\n",
		p->up, p->mode, p->eff_fec, link_speed_mbps(p->mode));
	counters_dump(out, "pcs", &p->stats, pcs_counters,
		      COUNTER_COUNT(pcs_counters));
}

const struct reg_block fbnic_pcs_block = { "PCS", FBNIC_CSR_START_PCS,
					   FBNIC_CSR_END_PCS, pcs_read,
					   pcs_write, .peek = pcs_peek,
					   .reset = pcs_reset,
					   .dump = pcs_dump };

/* ---- RS-FEC and PCS error counters --------------------------------------- */

static void cor_add(uint32_t *c, uint32_t n)
{
	/* IEEE RS-FEC counters do not roll over. */
	*c = n > UINT32_MAX - *c ? UINT32_MAX : *c + n;
}

void fbnic_pcs_add_fec_errors(struct fbnic *dev, uint32_t corrected,
			      uint32_t uncorrectable)
{
	cor_add(&dev->pcs.cor[FBNIC_PCS_COR_CCW + 0], corrected);
	cor_add(&dev->pcs.cor[FBNIC_PCS_COR_NCCW + 0], uncorrectable);
}

void fbnic_pcs_add_symbol_errors(struct fbnic *dev, unsigned lane, uint32_t n)
{
	if (lane < FBNIC_PCS_MAX_LANES)
		cor_add(&dev->pcs.cor[FBNIC_PCS_COR_SYMBLERR + lane], n);
}

/* Which clear-on-read counter idx is, and whether it is the low half;
 * -1 if none. */
static int cor_index(uint32_t idx, bool *lo)
{
	if (idx >= FBNIC_PCS_SYMBLERR_LO(0) &&
	    idx <= FBNIC_PCS_SYMBLERR_HI(FBNIC_PCS_MAX_LANES - 1)) {
		*lo = !((idx - FBNIC_PCS_SYMBLERR_LO(0)) & 1);
		return (int)(FBNIC_PCS_COR_SYMBLERR +
			     (idx - FBNIC_PCS_SYMBLERR_LO(0)) / 2);
	}
	if (idx >= FBNIC_RSFEC_CONTROL(FBNIC_RSFEC_ENGINES))
		return -1;
	unsigned n = (idx - FBNIC_RSFEC_CONTROL(0)) / 8;
	switch ((idx - FBNIC_RSFEC_CONTROL(0)) % 8) {
	case 2:
		*lo = true;
		return (int)(FBNIC_PCS_COR_CCW + n);
	case 3:
		*lo = false;
		return (int)(FBNIC_PCS_COR_CCW + n);
	case 4:
		*lo = true;
		return (int)(FBNIC_PCS_COR_NCCW + n);
	case 5:
		*lo = false;
		return (int)(FBNIC_PCS_COR_NCCW + n);
	default:
		return -1;
	}
}

static uint32_t rsfec_value(struct fbnic *dev, uint32_t idx, bool consume)
{
	struct fbnic_pcs *p = &dev->pcs;
	bool lo;
	int c = cor_index(idx, &lo);
	if (c >= 0) {
		/* Low half first: it returns bits 15:0, latches 31:16 for the
		 * high half and clears the counter (fbnic_pcs_rsfec_stat_rd32
		 * accumulates without keeping an old value). */
		if (!lo)
			return p->cor_hi[c];
		uint32_t v = p->cor[c];
		if (consume) {
			p->cor[c] = 0;
			p->cor_hi[c] = (uint16_t)(v >> 16);
		}
		return v & 0xffffu;
	}
	if (idx == FBNIC_RSFEC_STATUS(0)) {
		/* Engine 0 aligned with its AM lanes locked while an RS link
		 * is up (informational: ethtool -d, MMD 8 reg 201). */
		if (!p->up || p->eff_fec != LINK_FEC_RS)
			return 0;
		return FBNIC_RSFEC_STATUS_FEC_ALIGN |
		       lane_mask(p->mode, p->eff_fec)
			       << FBNIC_RSFEC_STATUS_AM_LOCK_SHIFT;
	}
	if (idx < FBNIC_RSFEC_CONTROL(FBNIC_RSFEC_ENGINES) &&
	    (idx - FBNIC_RSFEC_CONTROL(0)) % 8 == 1)
		return 0; /* engines 1..3 are unused */
	return dev->csr[idx];
}

static uint32_t rsfec_read(struct fbnic *dev, uint32_t idx)
{
	return rsfec_value(dev, idx, true);
}

static uint32_t rsfec_peek(struct fbnic *dev, uint32_t idx)
{
	return rsfec_value(dev, idx, false);
}

static void rsfec_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	bool lo;
	if (cor_index(idx, &lo) >= 0 ||
	    (idx < FBNIC_RSFEC_CONTROL(FBNIC_RSFEC_ENGINES) &&
	     (idx - FBNIC_RSFEC_CONTROL(0)) % 8 == 1))
		return; /* counters and status are read-only */
	/* The engines' registers are Clause 45 ones (MMD 8 200..206 in
	 * fbnic_mdio.c): 16 bits. */
	fbnic_csr_set(dev, idx,
		      idx < FBNIC_RSFEC_CONTROL(FBNIC_RSFEC_ENGINES) ? val & 0xffffu
								      : val);
}

const struct reg_block fbnic_rsfec_block = { "RSFEC", FBNIC_CSR_START_RSFEC,
					     FBNIC_CSR_END_RSFEC, rsfec_read,
					     rsfec_write, .peek = rsfec_peek };
