/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PTP hardware clock (FBNIC_CSR_START_PTP .. END_PTP), as fbnic_time.c
 * drives it (7.3; 6.12 has no PTP support and never touches the block).
 *
 * The clock is a 64-bit nanosecond counter with a 32-bit fraction.  Each
 * tick of the 600 MHz d_clock (FBNIC_CLOCK_FREQ) adds the addend, a Q16.32
 * ns value: ADD_VAL_NS (15:0) : ADD_VAL_SUBNS.  The nominal addend is the
 * d_clock period, 1.666.. ns; adjfine scales it by the requested ppb.
 * Here the counter is computed from host time at each read, so the rate is
 * exact and the high word stays stable between the driver's HI, LO, HI
 * reads unless the low word really wraps (the retry loop in
 * __fbnic_time_get_slow / fbnic_ptp_gettimex64 then reads again).
 *
 *  CTRL.EN          counter runs (power-on: stopped at 0)
 *  ADJUST.INIT      counter := INIT_HI:INIT_LO ns, and the ADD_VAL
 *                   registers take effect (fbnic_ptp_reset writes them
 *                   before INIT and never sets ADDEND_SET)
 *  ADJUST.ADDEND_SET  ADD_VAL_NS/SUBNS take effect (fbnic_ptp_adjfine)
 *  ADJUST.ADD_NUDGE / SUB_NUDGE  counter +/- NUDGE_NS:NUDGE_SUBNS
 * ADJUST bits are commands and read back 0.  adjtime and settime are pure
 * software offsets in the driver; they never reach the device.
 */
#ifndef FBNIC_EMU_DEV_PTP_H
#define FBNIC_EMU_DEV_PTP_H

#include <stdbool.h>
#include <stdint.h>

#include "regs.h"

#define FBNIC_CSR_START_PTP 0x04800u
#define FBNIC_CSR_END_PTP 0x0480du
#define FBNIC_PTP_CTRL 0x04800u
#define FBNIC_PTP_CTRL_EN (1u << 0)
#define FBNIC_PTP_CTRL_MONO_EN (1u << 4)
#define FBNIC_PTP_CTRL_TQS_OUT_EN (1u << 8)
#define FBNIC_PTP_ADJUST 0x04801u
#define FBNIC_PTP_ADJUST_INIT (1u << 0)
#define FBNIC_PTP_ADJUST_SUB_NUDGE (1u << 8)
#define FBNIC_PTP_ADJUST_ADD_NUDGE (1u << 16)
#define FBNIC_PTP_ADJUST_ADDEND_SET (1u << 24)
#define FBNIC_PTP_INIT_HI 0x04802u
#define FBNIC_PTP_INIT_LO 0x04803u
#define FBNIC_PTP_NUDGE_NS 0x04804u
#define FBNIC_PTP_NUDGE_SUBNS 0x04805u
#define FBNIC_PTP_ADD_VAL_NS 0x04806u
#define FBNIC_PTP_ADD_VAL_NS_MASK 0x0000ffffu
#define FBNIC_PTP_ADD_VAL_SUBNS 0x04807u
#define FBNIC_PTP_CTR_VAL_HI 0x04808u
#define FBNIC_PTP_CTR_VAL_LO 0x04809u
#define FBNIC_PTP_MONO_PTP_CTR_HI 0x0480au
#define FBNIC_PTP_MONO_PTP_CTR_LO 0x0480bu
#define FBNIC_PTP_CDC_FIFO_STATUS 0x0480cu
#define FBNIC_PTP_SPARE 0x0480du

#define FBNIC_CLOCK_FREQ 600000000ull /* d_clock, Hz */
/* The d_clock period in Q16.32 ns, (1e9 << 32) / FBNIC_CLOCK_FREQ. */
#define FBNIC_PTP_NOMINAL_ADDEND ((1000000000ull << 32) / FBNIC_CLOCK_FREQ)

struct fbnic_ptp {
	bool running;
	uint64_t base_host_ns; /* host time of the last checkpoint */
	uint64_t base_ns;      /* counter at the checkpoint: ns ... */
	uint32_t base_frac;    /* ... and fraction (2^-32 ns) */
	uint64_t addend;       /* active Q16.32 ns per d_clock tick */
	/* statistics */
	uint64_t inits, addend_sets, nudges;
};

struct fbnic;

void fbnic_ptp_reset(struct fbnic *dev);
/* The counter now, in ns (for timestamping frames). */
uint64_t fbnic_ptp_now(struct fbnic *dev);

extern const struct reg_block fbnic_ptp_block;

#endif
