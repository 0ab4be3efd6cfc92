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

/* PCS pages: two PCS instances of 0x400 registers, the second one cut
 * short at FBNIC_CSR_END_PCS. */
#define FBNIC_CSR_START_PCS 0x10000u
#define FBNIC_CSR_END_PCS 0x10668u
#define FBNIC_PCS_PAGE(n) (0x10000u + 0x400u * (n))
#define FBNIC_PCS_PAGES 2u

/* Clause 45 MMD 3 registers inside a page (include/uapi/linux/mdio.h). */
#define FBNIC_PCS_CTRL1 0x000u
#define FBNIC_PCS_CTRL1_RESET 0x8000u
#define FBNIC_PCS_CTRL1_LOOPBACK 0x4000u
#define FBNIC_PCS_CTRL1_SPEEDSEL 0x207cu /* bits 13, 6, 5:2 */
#define FBNIC_PCS_CTRL1_SPEED100G 0x2050u
#define FBNIC_PCS_CTRL1_SPEED25G 0x2054u
#define FBNIC_PCS_CTRL1_SPEED50G 0x2058u
#define FBNIC_PCS_STAT1 0x001u
#define FBNIC_PCS_STAT1_LSTATUS 0x0004u /* latching low */
#define FBNIC_PCS_STAT1_FAULT 0x0080u
#define FBNIC_PCS_DEVID1 0x002u
#define FBNIC_PCS_DEVID2 0x003u
#define FBNIC_PCS_STAT2 0x008u
#define FBNIC_PCS_STAT2_DEVPRST_VAL 0x8000u
#define FBNIC_PCS_BASER_STAT1 0x020u /* MDIO_PCS_10GBRT_STAT1 */
#define FBNIC_PCS_BASER_STAT1_BLKLK 0x0001u
#define FBNIC_PCS_BASER_STAT1_RLINK 0x1000u
#define FBNIC_PCS_BASER_STAT2 0x021u /* MDIO_PCS_10GBRT_STAT2 */
/* DW vendor DIG_STS, MMD3 0x8010 as remapped by fbnic_mdio.c. */
#define FBNIC_PCS_VR_DIG_STS 0x210u
#define FBNIC_PCS_VR_DIG_STS_PSEQ_GOOD 0x0010u /* PSEQ_ST = 4 */
/* DW_XPCS_ID as the DW IP reports it in DEVID1/2. */
#define FBNIC_PCS_DW_XPCS_ID 0x7996ced0u

/* RS-FEC engines (4, the driver uses engine 0) and PCS lane counters. */
#define FBNIC_CSR_START_RSFEC 0x10800u
#define FBNIC_CSR_END_RSFEC 0x108c8u
#define FBNIC_RSFEC_ENGINES 4u
#define FBNIC_RSFEC_CONTROL(n) (0x10800u + 8u * (n))
#define FBNIC_RSFEC_STATUS(n) (0x10801u + 8u * (n))
#define FBNIC_RSFEC_STATUS_FEC_ALIGN 0x4000u
#define FBNIC_RSFEC_STATUS_AM_LOCK_SHIFT 8
#define FBNIC_RSFEC_CCW_LO(n) (0x10802u + 8u * (n))
#define FBNIC_RSFEC_CCW_HI(n) (0x10803u + 8u * (n))
#define FBNIC_RSFEC_NCCW_LO(n) (0x10804u + 8u * (n))
#define FBNIC_RSFEC_NCCW_HI(n) (0x10805u + 8u * (n))
#define FBNIC_PCS_MAX_LANES 4u
#define FBNIC_PCS_SYMBLERR_LO(n) (0x10880u + 2u * (n))
#define FBNIC_PCS_SYMBLERR_HI(n) (0x10881u + 2u * (n))

/* SIG_PCS_OUT0/OUT1 lock fields (fbnic_csr.h), see fbnic_pcs_sig_out. */
#define FBNIC_SIG_PCS_OUT0_LINK 0x08000000u         /* bit 27 */
#define FBNIC_SIG_PCS_OUT0_BLOCK_LOCK 0x01ffffe0u   /* bits 24:5 */
#define FBNIC_SIG_PCS_OUT0_BLOCK_LOCK_SHIFT 5
#define FBNIC_SIG_PCS_OUT0_AMPS_LOCK 0x0000001eu    /* bits 4:1 */
#define FBNIC_SIG_PCS_OUT0_AMPS_LOCK_SHIFT 1
#define FBNIC_SIG_PCS_OUT1_FCFEC_LOCK 0x00000f00u   /* bits 11:8 */
#define FBNIC_SIG_PCS_OUT1_FCFEC_LOCK_SHIFT 8

/* Clear-on-read counters: CCW(0..3), NCCW(0..3), SYMBLERR(0..3). */
#define FBNIC_PCS_COR_CCW 0u
#define FBNIC_PCS_COR_NCCW 4u
#define FBNIC_PCS_COR_SYMBLERR 8u
#define FBNIC_PCS_COR_COUNT 12u

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
	/* statistics */
	uint64_t link_changes; /* up/down transitions */
	uint64_t soft_resets;  /* CTRL1.RESET writes */
};

struct fbnic;

/* Validate and normalise dev->cfg.link (0 fields take the defaults) and set
 * the physical link from it.  -EINVAL on an unknown mode or FEC. */
int fbnic_pcs_init(struct fbnic *dev);
/* Function reset: registers to power-on values; the link stays. */
void fbnic_pcs_reset(struct fbnic *dev);

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
