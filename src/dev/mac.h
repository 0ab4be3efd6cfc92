/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MAC: its own registers (MAC_MAC), the MAC/PCS signal block (SIG)
 * with the PCS link interrupt, and the MAC statistics (MAC_STAT).
 *
 * SIG is how both kernels see the link (fbnic_mac_get_link_status in 7.3,
 * fbnic_mac_get_pcs_link_status in 6.12):
 *  - SIG_PCS_OUT0/OUT1 carry the PCS lock status.  The bits latch low: a
 *    lock that drops reads 0 until the driver writes 1 to the bit ("flush
 *    status bits ... should reset themselves back to 1 if link is truly
 *    up", fbnic_mac_get_link), then they follow the link again.
 *  - SIG_PCS_INTR_STS records LINK_UP (bit 0) / LINK_DOWN (bit 1) events,
 *    write 1 to clear; SIG_PCS_INTR_MASK (1 = masked, power-on all ones)
 *    gates them into interrupt cause 34, which INTR_MSIX_CTRL(34) routes
 *    to MSI-X vector 1 (fbnic_mac_request_irq).  A cause is raised when a
 *    bit becomes pending and unmasked, by an event or by unmasking.
 *
 * MAC_STAT holds 48 64-bit counters, low word at an even index and high
 * word right after it; the driver reads high, low, high
 * (fbnic_stat_rd64).  They are read-only and count only what the data
 * path reports through fbnic_mac_stat_add / fbnic_mac_count_frame.
 */
#ifndef FBNIC_EMU_DEV_MAC_H
#define FBNIC_EMU_DEV_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"

struct fbnic_mac {
	uint32_t pcs_intr_sts;  /* SIG_PCS_INTR_STS */
	uint32_t pcs_intr_mask; /* SIG_PCS_INTR_MASK */
	uint32_t pcs_pending;   /* STS & ~MASK when last evaluated */
	/* SIG_PCS_OUT0/OUT1 bits latched low since the driver's last flush. */
	uint32_t out0_latched_low, out1_latched_low;
	uint64_t stat[FBNIC_MAC_STAT_CNT];
	/* statistics */
	uint64_t pcs_causes; /* PCS causes raised (routed or not) */
};

struct fbnic;


/* Called by the PCS when the link changes: latches the SIG lock bits low
 * on a loss, records the event in SIG_PCS_INTR_STS and raises the PCS
 * cause if it is unmasked. */
void fbnic_sig_link_event(struct fbnic *dev, bool up);

/* Data path gates: the MAC passes frames only with the link up, the
 * direction enabled in MAC_COMMAND_CONFIG and its clocks out of reset
 * (SIG_MAC_IN0), as fbnic_mac_link_up_asic leaves them. */
bool fbnic_mac_rx_ready(const struct fbnic *dev);
bool fbnic_mac_tx_ready(const struct fbnic *dev);
bool fbnic_mac_loopback(const struct fbnic *dev);

/* Counters.  reg_l is a FBNIC_MAC_STAT_*_L index; anything else is
 * ignored (returns 0). */
void fbnic_mac_stat_add(struct fbnic *dev, uint32_t reg_l, uint64_t delta);
uint64_t fbnic_mac_stat_get(const struct fbnic *dev, uint32_t reg_l);
/* A MAC Control frame (EtherType 0x8808: PAUSE, PFC): the MAC counts it
 * (MAC_STAT_*_CONTROL_FRAMES) and, received, consumes it, as the 802.3 MAC
 * Control sublayer does: it never reaches the host's queues. */
bool fbnic_mac_is_control(const uint8_t *frame, size_t len);
/* Count one good frame through the MAC: bytes, OK, control frames and
 * XOFFs, multicast/broadcast and the size histogram (with its part above
 * 1518 bytes in the TMI and RPC blocks).  len excludes the FCS, which the
 * MAC adds (the counters see frame + 4 bytes, as on the wire). */
void fbnic_mac_count_frame(struct fbnic *dev, bool tx, const uint8_t *frame,
			   size_t len);

extern const struct reg_block fbnic_mac_block;
extern const struct reg_block fbnic_sig_block;
extern const struct reg_block fbnic_mac_stat_block;

#endif
