/* SPDX-License-Identifier: Apache-2.0 */
#include "bus.h"

#include <errno.h>

#include "dev.h"

bool fbnic_bus_master(const struct fbnic *dev)
{
	return pcie_cfg_get16(&dev->pci, PCI_COMMAND) & PCI_COMMAND_MASTER;
}

int fbnic_dma_read(struct fbnic *dev, uint64_t gpa, void *buf, size_t len)
{
	if (!fbnic_bus_master(dev)) {
		dev->cnt.dma_blocked++;
		return -EPERM;
	}
	int r = dev->host.dma_read(dev->host.opaque, gpa, buf, len);
	if (r)
		dev->cnt.dma_errors++;
	return r;
}

int fbnic_dma_write(struct fbnic *dev, uint64_t gpa, const void *buf,
		    size_t len)
{
	if (!fbnic_bus_master(dev)) {
		dev->cnt.dma_blocked++;
		return -EPERM;
	}
	int r = dev->host.dma_write(dev->host.opaque, gpa, buf, len);
	if (r)
		dev->cnt.dma_errors++;
	return r;
}

int fbnic_dma_read_q(struct fbnic *dev, unsigned q, uint64_t gpa, void *buf,
		     size_t len)
{
	if (fbnic_fault_fire(dev, FBNIC_FAULT_DMA_FAIL, q))
		return -EIO;
	return fbnic_dma_read(dev, gpa, buf, len);
}

int fbnic_dma_write_q(struct fbnic *dev, unsigned q, uint64_t gpa,
		      const void *buf, size_t len)
{
	if (fbnic_fault_fire(dev, FBNIC_FAULT_DMA_FAIL, q))
		return -EIO;
	return fbnic_dma_write(dev, gpa, buf, len);
}

void fbnic_bus_msix(struct fbnic *dev, unsigned vector)
{
	/* an injected "irq drop": the message never reaches the host */
	if (fbnic_fault_fire(dev, FBNIC_FAULT_IRQ_DROP, vector))
		return;
	fbnic_trace(dev, FBNIC_TR_IRQ, vector, 0, 0);
	dev->host.msix_raise(dev->host.opaque, vector);
}
