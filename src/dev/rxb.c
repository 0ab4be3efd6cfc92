/* SPDX-License-Identifier: Apache-2.0 */
#include "rxb.h"

#include "dev.h"

void fbnic_rxb_err_event(struct fbnic *dev, uint32_t bits)
{
	/* The RXB cause (INTR_MSIX_CTRL(7)) is never routed by the driver
	 * (fbnic_mac_request_irq writes 0), so this is status only. */
	fbnic_csr_set(dev, FBNIC_RXB_ERR_INTR_STS,
		      dev->csr[FBNIC_RXB_ERR_INTR_STS] | bits);
}

static void rxb_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	if (idx == FBNIC_RXB_ERR_INTR_STS)
		fbnic_csr_set(dev, idx, dev->csr[idx] & ~val); /* W1C */
	else
		fbnic_csr_set(dev, idx, val);
}

const struct reg_block fbnic_rxb_block = { "RXB", FBNIC_CSR_START_RXB,
					   FBNIC_CSR_END_RXB, NULL, rxb_write };
