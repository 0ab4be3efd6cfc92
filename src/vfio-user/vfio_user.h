/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfio-user wire protocol: message header, commands and payload layouts.
 *
 * Written from QEMU's docs/interop/vfio-user.rst and hw/vfio-user/protocol.h,
 * as QEMU 11.1.3 really sends them.  All integers are
 * little-endian host order; every struct here is the exact wire layout,
 * packed with no implicit padding (checked by the static asserts below).
 */
#ifndef FBNIC_EMU_VFIO_USER_H
#define FBNIC_EMU_VFIO_USER_H

#include <assert.h>
#include <stdint.h>

/* Header, 16 bytes, on every request and reply ("Header" in the spec). */
struct vu_hdr {
	uint16_t msg_id;  /* echoed in the reply; QEMU matches replies by id only */
	uint16_t command; /* enum vu_cmd */
	uint32_t size;    /* whole message, header included */
	uint32_t flags;   /* VU_F_* */
	uint32_t error;   /* positive errno, meaningful with VU_F_ERROR */
};

#define VU_F_TYPE_MASK 0xfu
#define VU_F_TYPE_REQUEST 0x0u
#define VU_F_TYPE_REPLY 0x1u
#define VU_F_NO_REPLY 0x10u
#define VU_F_ERROR 0x20u

enum vu_cmd {
	VU_CMD_VERSION = 1,
	VU_CMD_DMA_MAP = 2,
	VU_CMD_DMA_UNMAP = 3,
	VU_CMD_DEVICE_GET_INFO = 4,
	VU_CMD_DEVICE_GET_REGION_INFO = 5,
	VU_CMD_DEVICE_GET_REGION_IO_FDS = 6,
	VU_CMD_DEVICE_GET_IRQ_INFO = 7,
	VU_CMD_DEVICE_SET_IRQS = 8,
	VU_CMD_REGION_READ = 9,
	VU_CMD_REGION_WRITE = 10,
	VU_CMD_DMA_READ = 11,
	VU_CMD_DMA_WRITE = 12,
	VU_CMD_DEVICE_RESET = 13,
	VU_CMD_DIRTY_PAGES = 14,
	VU_CMD_REGION_WRITE_MULTI = 15,
	VU_CMD_DEVICE_FEATURE = 16,
	VU_CMD_MIG_DATA_READ = 17,
	VU_CMD_MIG_DATA_WRITE = 18,
	VU_CMD_MAX = 19,
};

/* VERSION payload: major, minor, then a NUL-terminated JSON object. */
struct vu_version {
	uint16_t major;
	uint16_t minor;
	/* char json[] follows */
};

/* DMA_MAP, 32 bytes; 0 or 1 fd rides along (the RAM block, e.g. a memfd). */
struct vu_dma_map {
	uint32_t argsz;
	uint32_t flags; /* VU_DMA_* */
	uint64_t offset; /* offset of iova in the fd; 0 without fd */
	uint64_t iova;   /* guest-physical address (no vIOMMU) */
	uint64_t size;
};
#define VU_DMA_READ 0x1u
#define VU_DMA_WRITE 0x2u

/* DMA_UNMAP, 24 bytes. */
struct vu_dma_unmap {
	uint32_t argsz;
	uint32_t flags; /* VU_DMA_UNMAP_ALL */
	uint64_t iova;
	uint64_t size;
};
#define VU_DMA_UNMAP_ALL 0x2u

/* DEVICE_GET_INFO, request and reply, 16 bytes. */
struct vu_device_info {
	uint32_t argsz;
	uint32_t flags; /* VU_DEV_* */
	uint32_t num_regions;
	uint32_t num_irqs;
};
#define VU_DEV_RESET 0x1u
#define VU_DEV_PCI 0x2u

/* DEVICE_GET_REGION_INFO, request and reply, 32 bytes (+ caps). */
struct vu_region_info {
	uint32_t argsz;
	uint32_t flags; /* VU_REGION_* */
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size;
	uint64_t offset;
};
#define VU_REGION_READ 0x1u
#define VU_REGION_WRITE 0x2u
#define VU_REGION_MMAP 0x4u
#define VU_REGION_CAPS 0x8u

/* A region info capability's header (struct vfio_info_cap_header), and
 * the sparse-mmap capability (VFIO_REGION_INFO_CAP_SPARSE_MMAP, id 1,
 * version 1): the parts of the region the client may map, from the fd
 * sent with the reply, at region offset + area offset. */
struct vu_cap_header {
	uint16_t id;
	uint16_t version;
	uint32_t next;
};
#define VU_REGION_INFO_CAP_SPARSE_MMAP 1u
struct vu_sparse_mmap_area {
	uint64_t offset;
	uint64_t size;
};
struct vu_cap_sparse_mmap {
	struct vu_cap_header header;
	uint32_t nr_areas;
	uint32_t reserved;
	/* struct vu_sparse_mmap_area areas[nr_areas] */
};

/* PCI region indexes (VFIO_PCI_*_REGION_INDEX). */
enum vu_pci_region {
	VU_PCI_BAR0 = 0,
	VU_PCI_BAR5 = 5,
	VU_PCI_ROM = 6,
	VU_PCI_CONFIG = 7,
	VU_PCI_VGA = 8,
	VU_PCI_NUM_REGIONS = 9,
};

/* DEVICE_GET_IRQ_INFO, request and reply, 16 bytes. */
struct vu_irq_info {
	uint32_t argsz;
	uint32_t flags; /* VU_IRQ_INFO_* */
	uint32_t index;
	uint32_t count;
};
#define VU_IRQ_INFO_EVENTFD 0x1u
#define VU_IRQ_INFO_MASKABLE 0x2u
#define VU_IRQ_INFO_AUTOMASKED 0x4u
#define VU_IRQ_INFO_NORESIZE 0x8u

/* PCI interrupt indexes (VFIO_PCI_*_IRQ_INDEX). */
enum vu_pci_irq {
	VU_IRQ_INTX = 0,
	VU_IRQ_MSI = 1,
	VU_IRQ_MSIX = 2,
	VU_IRQ_ERR = 3,
	VU_IRQ_REQ = 4,
	VU_IRQ_NUM = 5,
};

/* DEVICE_SET_IRQS, 20 bytes; eventfds only ever come as SCM_RIGHTS. */
struct vu_irq_set {
	uint32_t argsz;
	uint32_t flags; /* one VU_IRQ_DATA_* | one VU_IRQ_ACTION_* */
	uint32_t index;
	uint32_t start;
	uint32_t count;
};
#define VU_IRQ_DATA_NONE 0x1u
#define VU_IRQ_DATA_BOOL 0x2u
#define VU_IRQ_DATA_EVENTFD 0x4u
#define VU_IRQ_DATA_MASK 0x7u
#define VU_IRQ_ACTION_MASK 0x8u
#define VU_IRQ_ACTION_UNMASK 0x10u
#define VU_IRQ_ACTION_TRIGGER 0x20u
#define VU_IRQ_ACTION_MASK_ALL 0x38u

/* REGION_READ / REGION_WRITE, 16 bytes then data. */
struct vu_region_access {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	/* uint8_t data[] follows (write request, read reply) */
};

/* DMA_READ / DMA_WRITE (server to client): u64 count, data at payload+16
 * (QEMU 11.1.3 uses this spec layout, hw/vfio-user/protocol.h). */
struct vu_dma_access {
	uint64_t addr;
	uint64_t count;
	/* uint8_t data[] follows (write request, read reply) */
};

static_assert(sizeof(struct vu_hdr) == 16, "vu_hdr");
static_assert(sizeof(struct vu_dma_map) == 32, "vu_dma_map");
static_assert(sizeof(struct vu_dma_unmap) == 24, "vu_dma_unmap");
static_assert(sizeof(struct vu_device_info) == 16, "vu_device_info");
static_assert(sizeof(struct vu_region_info) == 32, "vu_region_info");
static_assert(sizeof(struct vu_cap_sparse_mmap) == 16, "vu_cap_sparse_mmap");
static_assert(sizeof(struct vu_irq_info) == 16, "vu_irq_info");
static_assert(sizeof(struct vu_irq_set) == 20, "vu_irq_set");
static_assert(sizeof(struct vu_region_access) == 16, "vu_region_access");
static_assert(sizeof(struct vu_dma_access) == 16, "vu_dma_access");

/* Limits we advertise in the VERSION reply and enforce on input. */
#define VU_MAX_MSG_FDS 16u
#define VU_MAX_DATA_XFER (1024u * 1024u)
#define VU_MAX_DMA_MAPS 65535u
#define VU_PGSIZE 4096u
/* Largest message we accept: a REGION_WRITE of max_data_xfer bytes. */
#define VU_MAX_MSG_SIZE (VU_MAX_DATA_XFER + sizeof(struct vu_hdr) + 64u)

#endif
