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
 *
 * Frames are stamped with the counter at a host time: TX (dp/tx.c
 * tx_complete) when the device completes the packet, RX when the frame
 * reached the port (fbnic_port_rx_at).  With cfg.wire_time (--clock
 * virtual) TX is when the frame went to the port (port.tx_at), and a
 * backend that carries that time to another fbnic-emu (net.h
 * net_wire_time) has the far end stamp the frame's arrival a cable's
 * delay after it: both ends on the one host clock, so the timestamps two
 * guests exchange differ by exactly their clocks' offset plus the cable.
 */
#ifndef FBNIC_EMU_DEV_PTP_H
#define FBNIC_EMU_DEV_PTP_H

#include <stdbool.h>
#include <stdint.h>

#include "regs.h"

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

/* The counter now, in ns (for timestamping frames). */
uint64_t fbnic_ptp_now(struct fbnic *dev);
/* The counter at host time host_ns (the host's now_ns timebase), in ns:
 * a received frame's timestamp is the moment it reached the port, even
 * if it waited for buffers.  A time before the clock's last change
 * (settime, adjtime, a new rate) reads as the clock that change left. */
uint64_t fbnic_ptp_at(struct fbnic *dev, uint64_t host_ns);

extern const struct reg_block fbnic_ptp_block;

#endif
