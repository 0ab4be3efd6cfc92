/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Ethernet port below the MAC: PMD/PMA, the PCS register pages
 * (FBNIC_CSR_START_PCS .. END_PCS) and the RS-FEC block with the PCS
 * symbol-error counters (FBNIC_CSR_START_RSFEC .. END_RSFEC).
 *
 * The port's link (up/down, link mode, FEC) is the physical state: it
 * survives a function reset and is changed only by the configuration and
 * the control API (fbnic_link_* in fbnic.h).  The firmware configures the
 * PCS for the link mode it reports in FW_CAP_RESP, so the PCS speed bits
 * follow the link mode and the guest cannot change them.
 *
 * Who reads what:
 *  - 7.3 reaches PCS page 0 through its software MDIO bus (fbnic_mdio.c):
 *    MMD 3 register r -> BAR0 index FBNIC_PCS_PAGE(addr) + r, the DW vendor
 *    space (r & 0x8000) remapped to r ^ 0x8200.  XPCS's C73 get_state
 *    (pcs-xpcs.c xpcs_get_state_c73) reads STAT1 (link, latching low),
 *    STAT2, DIG_STS, BASE-R STAT1/STAT2 (faults) and CTRL1 (speed); a
 *    fault makes it soft-reset through CTRL1 bit 15 and poll it clear.
 *  - Both kernels read the link itself from SIG_PCS_OUT0/OUT1 (the SIG
 *    block, mac.c), which takes the lane lock status from here.
 *  - The FEC and PCS error counters are 16-bit halves that clear on read,
 *    low half first (fbnic_pcs_rsfec_stat_rd32).
 */
#ifndef FBNIC_EMU_DEV_PCS_H
#define FBNIC_EMU_DEV_PCS_H

#include <stdbool.h>
#include <stdint.h>

#include "regs.h"
#include "util/counters.h"

/* Clear-on-read counters: CCW(0..3), NCCW(0..3), SYMBLERR(0..3). */
#define FBNIC_PCS_COR_CCW 0u
#define FBNIC_PCS_COR_NCCW 4u
#define FBNIC_PCS_COR_SYMBLERR 8u
#define FBNIC_PCS_COR_COUNT 12u

/* Counters (dumped as pcs.NAME). */
#define FBNIC_PCS_COUNTERS(X)                                              \
	X(link_changes, "link up/down transitions")                        \
	X(soft_resets, "CTRL1.RESET writes (XPCS recovering a fault)")

struct fbnic_pcs {
	/* The physical link (kept across fbnic_reset). */
	uint8_t mode;    /* enum fbnic_link_mode */
	uint8_t fec;     /* enum fbnic_link_fec, as configured */
	uint8_t eff_fec; /* the FEC the link runs: RS forced for PAM4 modes */
	bool up;
	/* STAT1.LSTATUS latched low since the last read, per page. */
	bool lstatus_latched_low[FBNIC_PCS_PAGES];
	/* Clear-on-read counters and the high half latched by the low read. */
	uint32_t cor[FBNIC_PCS_COR_COUNT];
	uint16_t cor_hi[FBNIC_PCS_COR_COUNT];
	struct fbnic_pcs_stats {
		FBNIC_PCS_COUNTERS(COUNTER_FIELD)
	} stats;
};

struct fbnic;

/* Validate and normalise dev->cfg.link (0 fields take the defaults) and set
 * the physical link from it.  -EINVAL on an unknown mode or FEC. */
int fbnic_pcs_init(struct fbnic *dev);

/* Plug or unplug the cable: true if the link changed (the caller tells the
 * SIG block, fbnic_sig_link_event).  A lost link latches STAT1.LSTATUS low. */
bool fbnic_pcs_link_set(struct fbnic *dev, bool up);
/* Run another mode / FEC (the firmware retrained the port); -EINVAL for
 * values outside the link table. */
int fbnic_pcs_set_mode(struct fbnic *dev, unsigned mode, unsigned fec);
bool fbnic_pcs_link_up(const struct fbnic *dev);

/* The current (unlatched) lock status the PCS drives into SIG_PCS_OUT0/1:
 * LINK plus exactly the lanes fbnic_mac_get_link_status expects for the
 * link mode and FEC, or 0 when the link is down. */
void fbnic_pcs_sig_out(const struct fbnic *dev, uint32_t *out0,
		       uint32_t *out1);

/* Error injection (link quality): add to the clear-on-read counters of
 * RS-FEC engine 0 and the PCS lanes.  Counters saturate at 2^32-1. */
void fbnic_pcs_add_fec_errors(struct fbnic *dev, uint32_t corrected,
			      uint32_t uncorrectable);
void fbnic_pcs_add_symbol_errors(struct fbnic *dev, unsigned lane,
				 uint32_t n);

extern const struct reg_block fbnic_pcs_block;
extern const struct reg_block fbnic_rsfec_block;

#endif
