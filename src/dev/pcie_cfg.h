/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCIe configuration space of the fbnic function: the power-on image, the
 * per-bit write rules (read-only, read-write, write-1-to-clear) and BAR
 * sizing.  QEMU forwards every guest config write and reads most fields
 * live (hw/vfio-user/pci.c), so the rules must hold here.
 */
#ifndef FBNIC_EMU_DEV_PCIE_CFG_H
#define FBNIC_EMU_DEV_PCIE_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "fbnic.h"

#define PCIE_CFG_SIZE 4096u

/* Standard header offsets and bits we use. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u
#define PCI_COMMAND_PARITY 0x0040u
#define PCI_COMMAND_SERR 0x0100u
#define PCI_COMMAND_INTX_DISABLE 0x0400u
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x0010u
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_EXT_CAP_ID_DSN 0x0003

/* Where our capabilities live. */
#define FBNIC_CFG_PM 0x40
#define FBNIC_CFG_MSIX 0x50
#define FBNIC_CFG_EXP 0x60
#define FBNIC_CFG_DSN 0x100

#define FBNIC_PCI_VENDOR_META 0x1d9b     /* PCI_VENDOR_ID_META */
#define FBNIC_PCI_DEVICE_ASIC 0x0013     /* PCI_DEVICE_ID_META_FBNIC_ASIC */

struct pcie_cfg {
	uint8_t data[PCIE_CFG_SIZE];
	uint8_t power_on[PCIE_CFG_SIZE];
	uint8_t wmask[PCIE_CFG_SIZE];   /* bits software may write */
	uint8_t w1cmask[PCIE_CFG_SIZE]; /* bits a 1 clears */
};

/* Build the power-on image for this layout and serial number. */
void pcie_cfg_init(struct pcie_cfg *c, const struct fbnic_pci_layout *l,
		   uint64_t dsn);
void pcie_cfg_reset(struct pcie_cfg *c);
/* 0, or -EINVAL when [off, off+len) leaves the 4 KiB space. */
int pcie_cfg_read(const struct pcie_cfg *c, uint32_t off, void *buf,
		  uint32_t len);
int pcie_cfg_write(struct pcie_cfg *c, uint32_t off, const void *buf,
		   uint32_t len);

uint16_t pcie_cfg_get16(const struct pcie_cfg *c, uint32_t off);
uint32_t pcie_cfg_get32(const struct pcie_cfg *c, uint32_t off);

#endif
