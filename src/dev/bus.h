/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's side of the PCIe bus: DMA and MSI-X messages on behalf of
 * the blocks.  A leaf: every block that moves data or raises a vector goes
 * through here, never to the adapter directly, so the bus-master gate and
 * the counters hold for all of them.
 */
#ifndef FBNIC_EMU_DEV_BUS_H
#define FBNIC_EMU_DEV_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fbnic;

/* Bus master enable (PCI COMMAND bit 2): gates every DMA. */
bool fbnic_bus_master(const struct fbnic *dev);
/* DMA to or from guest-physical memory: -EPERM without bus mastering,
 * else the adapter's answer (0 or -errno), counted.  The adapter may drop
 * the device lock inside: callers re-validate what the host can change. */
int fbnic_dma_read(struct fbnic *dev, uint64_t gpa, void *buf, size_t len);
int fbnic_dma_write(struct fbnic *dev, uint64_t gpa, const void *buf,
		    size_t len);
/* A data-path DMA for queue q: as above, or -EIO when an injected
 * "dma fail" fires for q (fault.h). */
int fbnic_dma_read_q(struct fbnic *dev, unsigned q, uint64_t gpa, void *buf,
		     size_t len);
int fbnic_dma_write_q(struct fbnic *dev, unsigned q, uint64_t gpa,
		      const void *buf, size_t len);
/* Send the MSI-X message of a vector (after the interrupt block's own
 * masking, intr.c). */
void fbnic_bus_msix(struct fbnic *dev, unsigned vector);

#endif
