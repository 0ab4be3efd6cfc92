/* SPDX-License-Identifier: Apache-2.0 */
/* The device state shared by the block files of the core (not public). */
#ifndef FBNIC_EMU_DEV_DEV_H
#define FBNIC_EMU_DEV_DEV_H

#include "bus.h"
#include "dp/dp.h"
#include "fault.h"
#include "fbnic.h"
#include "fw/fw.h"
#include "intr.h"
#include "mac.h"
#include "mbx.h"
#include "pcie_cfg.h"
#include "pcs.h"
#include "port.h"
#include "ptp.h"
#include "queue.h"
#include "regs.h"
#include "rxb.h"
#include "shadow.h"
#include "timer.h"
#include "trace.h"
#include "util/counters.h"

/* Guest-caused anomalies, by cause (dumped on the control channel as
 * counters.NAME). */
#define FBNIC_DEV_COUNTERS(X)                                              \
	X(bad_mmio, "bad BAR, size, alignment or range")                   \
	X(unmapped_writes, "writes to indexes outside every block")        \
	X(dma_blocked, "DMA attempted with bus mastering off")             \
	X(dma_errors, "DMA refused by the adapter")                        \
	X(ro_writes, "writes to read-only counters and status")
struct fbnic_counters {
	FBNIC_DEV_COUNTERS(COUNTER_FIELD)
};

struct fbnic {
	struct fbnic_config cfg;
	struct fbnic_host host;
	struct fbnic_pci_layout layout;
	struct pcie_cfg pci;
	/* The register stores.  Written only through fbnic_csr_set() and
	 * fbnic_fw_csr_set(), which mark the 1 KiB chunk dirty, so that a
	 * reset clears what was written, not the whole 2 MiB. */
	uint32_t *csr;    /* BAR0, FBNIC_BAR0_DWORDS */
	uint32_t *fw_csr; /* BAR4, FBNIC_BAR4_DWORDS */
	uint64_t csr_dirty[FBNIC_BAR0_DWORDS / FBNIC_DIRTY_CHUNK / 64];
	uint64_t fw_csr_dirty[(FBNIC_BAR4_DWORDS / FBNIC_DIRTY_CHUNK + 63) / 64];
	struct fbnic_counters cnt;
	struct fbnic_timers timers;
	struct fbnic_intr intr;
	struct fbnic_mbx mbx;
	struct fw *fw; /* the firmware behind the mailbox */
	struct fbnic_pcs pcs;
	struct fbnic_mac mac;
	struct fbnic_port port; /* kept across resets: it is the wire */
	struct fbnic_trace trace; /* kept across resets */
	struct fbnic_ptp ptp;
	struct fbnic_queues queues;
	struct fbnic_shadow shadow; /* mapped pages: shared for the device's life */
	struct fbnic_dp dp; /* the data path's counters, kept across resets */
	struct fbnic_faults faults; /* armed by the operator: kept across resets */
};

/* A chance for injected fault k at queue or vector `where` (fault.h):
 * true if it fires now.  Nothing armed: one test of a mask. */
#ifdef FBNIC_NO_FAULT_HOOKS
/* bench/fault_cost's baseline: the hooks compiled out. */
static inline bool fbnic_fault_fire(struct fbnic *dev, enum fbnic_fault_kind k,
				    uint32_t where)
{
	(void)dev, (void)k, (void)where;
	return false;
}
#else
static inline bool fbnic_fault_fire(struct fbnic *dev, enum fbnic_fault_kind k,
				    uint32_t where)
{
	return __builtin_expect((dev->faults.armed >> k) & 1, 0) &&
	       fbnic_fault_fire_slow(dev, k, where);
}
#endif

/* An injected completion delay holds queue q's completions now (fault.h). */
static inline bool fbnic_fault_hold(struct fbnic *dev, unsigned q)
{
#ifdef FBNIC_NO_FAULT_HOOKS
	(void)dev, (void)q;
	return false;
#else
	return __builtin_expect(((dev->faults.armed >>
				  FBNIC_FAULT_COMPLETION_DELAY) & 1) |
					(dev->faults.holding != 0),
				0) &&
	       fbnic_fault_hold_slow(dev, q);
#endif
}

static inline void fbnic_dirty_mark(uint64_t *map, uint32_t idx)
{
	uint32_t chunk = idx / FBNIC_DIRTY_CHUNK;
	map[chunk / 64] |= 1ull << (chunk % 64);
}
/* Store a BAR0 register's value (idx < FBNIC_BAR0_DWORDS). */
static inline void fbnic_csr_set(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	dev->csr[idx] = val;
	fbnic_dirty_mark(dev->csr_dirty, idx);
}
/* Store a BAR4 (mailbox window) register's value. */
static inline void fbnic_fw_csr_set(struct fbnic *dev, uint32_t idx,
				    uint32_t val)
{
	dev->fw_csr[idx] = val;
	fbnic_dirty_mark(dev->fw_csr_dirty, idx);
}


#endif
