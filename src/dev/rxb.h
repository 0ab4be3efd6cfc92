/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RX buffer (FBNIC_CSR_START_RXB .. END_RXB): FIFO configuration, pause and
 * drop thresholds, pause-storm protection, and statistics.
 *
 * Only RXB_ERR_INTR_STS has behaviour: it is a write-1-to-clear status.
 * The driver clears its pause-storm bits when it arms the protection
 * (fbnic_mac_ps_protect_config) and the 1 Hz service task re-arms the
 * pause-storm timers whenever a PS bit reads set
 * (fbnic_mac_ps_protect_handler), so a plain-storage register would keep
 * the bits the driver wrote to clear them and make that happen every
 * second.  Nothing raises an RXB error yet (no pause frames are modelled);
 * fbnic_rxb_err_event is the hook for it.  The rest is storage: the
 * statistics read 0 until a data path counts into dev->csr.
 */
#ifndef FBNIC_EMU_DEV_RXB_H
#define FBNIC_EMU_DEV_RXB_H

#include <stdint.h>

#include "regs.h"

struct fbnic;

/* Latch error status bits (hardware side of RXB_ERR_INTR_STS). */
void fbnic_rxb_err_event(struct fbnic *dev, uint32_t bits);

extern const struct reg_block fbnic_rxb_block;

#endif
