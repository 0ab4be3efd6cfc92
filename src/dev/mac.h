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

/* MAC_MAC */
#define FBNIC_CSR_START_MAC_MAC 0x11000u
#define FBNIC_CSR_END_MAC_MAC 0x11028u
#define FBNIC_MAC_COMMAND_CONFIG 0x11002u
#define FBNIC_MAC_COMMAND_CONFIG_RX_PAUSE_DIS (1u << 29)
#define FBNIC_MAC_COMMAND_CONFIG_TX_PAUSE_DIS (1u << 28)
#define FBNIC_MAC_COMMAND_CONFIG_FLT_HDL_DIS (1u << 27)
#define FBNIC_MAC_COMMAND_CONFIG_TX_PAD_EN (1u << 11)
#define FBNIC_MAC_COMMAND_CONFIG_LOOPBACK_EN (1u << 10)
#define FBNIC_MAC_COMMAND_CONFIG_PROMISC_EN (1u << 4)
#define FBNIC_MAC_COMMAND_CONFIG_RX_ENA (1u << 1)
#define FBNIC_MAC_COMMAND_CONFIG_TX_ENA (1u << 0)

/* SIG */
#define FBNIC_CSR_START_SIG 0x11800u
#define FBNIC_CSR_END_SIG 0x1184eu
#define FBNIC_SIG_MAC_IN0 0x11800u
#define FBNIC_SIG_MAC_IN0_RESET_FF_TX_CLK (1u << 14)
#define FBNIC_SIG_MAC_IN0_RESET_FF_RX_CLK (1u << 13)
#define FBNIC_SIG_MAC_IN0_RESET_TX_CLK (1u << 12)
#define FBNIC_SIG_MAC_IN0_RESET_RX_CLK (1u << 11)
#define FBNIC_SIG_PCS_OUT0 0x11808u
#define FBNIC_SIG_PCS_OUT1 0x11809u
#define FBNIC_SIG_PCS_INTR_STS 0x11814u
#define FBNIC_SIG_PCS_INTR_LINK_DOWN (1u << 1)
#define FBNIC_SIG_PCS_INTR_LINK_UP (1u << 0)
#define FBNIC_SIG_PCS_INTR_MASK 0x11816u

/* MAC_STAT: the low word of each counter (the high word is +1). */
#define FBNIC_CSR_START_MAC_STAT 0x11a00u
#define FBNIC_CSR_END_MAC_STAT 0x11a5fu
#define FBNIC_MAC_STAT_CNT 48u
#define FBNIC_MAC_STAT_RX_XOFF_STB_L 0x11a00u
#define FBNIC_MAC_STAT_TX_XOFF_STB_L 0x11a04u
#define FBNIC_MAC_STAT_RX_BYTE_COUNT_L 0x11a08u
#define FBNIC_MAC_STAT_RX_ALIGN_ERROR_L 0x11a0au
#define FBNIC_MAC_STAT_RX_TOOLONG_L 0x11a0eu
#define FBNIC_MAC_STAT_RX_RECEIVED_OK_L 0x11a12u
#define FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L 0x11a14u
#define FBNIC_MAC_STAT_RX_IFINERRORS_L 0x11a18u
#define FBNIC_MAC_STAT_RX_MULTICAST_L 0x11a1cu
#define FBNIC_MAC_STAT_RX_BROADCAST_L 0x11a1eu
#define FBNIC_MAC_STAT_RX_UNDERSIZE_L 0x11a24u
#define FBNIC_MAC_STAT_RX_PACKET_64_BYTES_L 0x11a26u
#define FBNIC_MAC_STAT_RX_PACKET_65_127_BYTES_L 0x11a28u
#define FBNIC_MAC_STAT_RX_PACKET_128_255_BYTES_L 0x11a2au
#define FBNIC_MAC_STAT_RX_PACKET_256_511_BYTES_L 0x11a2cu
#define FBNIC_MAC_STAT_RX_PACKET_512_1023_BYTES_L 0x11a2eu
#define FBNIC_MAC_STAT_RX_PACKET_1024_1518_BYTES_L 0x11a30u
#define FBNIC_MAC_STAT_RX_PACKET_1519_MAX_BYTES_L 0x11a32u
#define FBNIC_MAC_STAT_RX_OVERSIZE_L 0x11a34u
#define FBNIC_MAC_STAT_RX_JABBER_L 0x11a36u
#define FBNIC_MAC_STAT_RX_FRAGMENT_L 0x11a38u
#define FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L 0x11a3cu
#define FBNIC_MAC_STAT_TX_BYTE_COUNT_L 0x11a3eu
#define FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L 0x11a42u
#define FBNIC_MAC_STAT_TX_IFOUTERRORS_L 0x11a46u
#define FBNIC_MAC_STAT_TX_MULTICAST_L 0x11a4au
#define FBNIC_MAC_STAT_TX_BROADCAST_L 0x11a4cu
#define FBNIC_MAC_STAT_TX_PACKET_64_BYTES_L 0x11a4eu
#define FBNIC_MAC_STAT_TX_PACKET_65_127_BYTES_L 0x11a50u
#define FBNIC_MAC_STAT_TX_PACKET_128_255_BYTES_L 0x11a52u
#define FBNIC_MAC_STAT_TX_PACKET_256_511_BYTES_L 0x11a54u
#define FBNIC_MAC_STAT_TX_PACKET_512_1023_BYTES_L 0x11a56u
#define FBNIC_MAC_STAT_TX_PACKET_1024_1518_BYTES_L 0x11a58u
#define FBNIC_MAC_STAT_TX_PACKET_1519_MAX_BYTES_L 0x11a5au
#define FBNIC_MAC_STAT_TX_CONTROL_FRAMES_L 0x11a5eu

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

void fbnic_mac_reset(struct fbnic *dev);

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
/* Count one good frame through the MAC: bytes, OK, multicast/broadcast
 * and the size histogram.  len excludes the FCS, which the MAC adds (the
 * counters see frame + 4 bytes, as on the wire). */
void fbnic_mac_count_frame(struct fbnic *dev, bool tx, const uint8_t *frame,
			   size_t len);

extern const struct reg_block fbnic_mac_block;
extern const struct reg_block fbnic_sig_block;
extern const struct reg_block fbnic_mac_stat_block;

#endif
