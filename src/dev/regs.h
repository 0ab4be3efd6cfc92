/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Register file: BAR0 and BAR4 as arrays of dwords indexed like the
 * driver's fbnic_csr.h (byte offset / 4), and a dispatch table of register
 * blocks.  Each hardware block (interrupts, mailbox, MAC, PCS, ...) owns a
 * [first, last] index range, as delimited by FBNIC_CSR_START_* / _END_* in
 * the driver, and may give read and write handlers; a block without one is
 * plain storage.  Indexes outside every block read 0 and drop writes
 * (counted), like an unimplemented CSR.
 */
#ifndef FBNIC_EMU_DEV_REGS_H
#define FBNIC_EMU_DEV_REGS_H

#include <stdint.h>
#include <stdio.h>

#include "csr.h"
#include "util/compiler.h"

struct fbnic;

typedef uint32_t (*reg_read_fn)(struct fbnic *dev, uint32_t idx);
typedef void (*reg_write_fn)(struct fbnic *dev, uint32_t idx, uint32_t val);

struct reg_block {
	const char *name;
	uint32_t first, last; /* dword indexes, inclusive */
	reg_read_fn read;     /* NULL: return the stored value */
	reg_write_fn write;   /* NULL: store the value */
	/* A read without side effects (clear-on-read, latches), for the
	 * control channel's `reg`; NULL: `read` has none. */
	reg_read_fn peek;
	/* Function reset of the block's state beyond its storage (which
	 * fbnic_reset zeroes); run in table order, BAR0 then BAR4. */
	void (*reset)(struct fbnic *dev);
	/* The block's state and counters for `dump`, "key value" lines. */
	void (*dump)(struct fbnic *dev, FILE *out);
};

/* The one table of blocks per BAR (blocks.c), sorted by index: it drives
 * register dispatch, the reset order and the dump. */
extern const struct reg_block *const fbnic_bar0_blocks[];
extern const unsigned fbnic_bar0_nblocks;
extern const struct reg_block *const fbnic_bar4_blocks[];
extern const unsigned fbnic_bar4_nblocks;

/* A register's value as the guest would read it, without side effects;
 * *blk gets its block (NULL: none, and 0 is returned). */
uint32_t fbnic_reg_peek(struct fbnic *dev, int bar, uint32_t idx,
			const struct reg_block **blk);

/* BAR0: 2 MiB covers every CSR up to FBNIC_CSR_END_QUEUE (0x5ffff). */
#define FBNIC_BAR0_SIZE (2u * 1024 * 1024)
#define FBNIC_BAR0_DWORDS (FBNIC_BAR0_SIZE / 4)
/* The BAR0 ranges a client may map (fbnic_bar0_share, dev/shadow.h), in
 * bytes: INTR_CQ's page and the 128 queue pages. */
#define FBNIC_BAR0_PAGE_INTR_CQ (FBNIC_CSR_START_INTR_CQ * 4u)
#define FBNIC_BAR0_PAGE_INTR_CQ_LEN 4096u
#define FBNIC_BAR0_PAGE_QUEUE (FBNIC_CSR_START_QUEUE * 4u)
#define FBNIC_BAR0_PAGE_QUEUE_LEN (FBNIC_MAX_QUEUES * FBNIC_QUEUE_STRIDE * 4u)
/* BAR4: 128 KiB covers the IPC mailbox (0x6000..0x603f) and OTP status. */
#define FBNIC_BAR4_SIZE (128u * 1024)
#define FBNIC_BAR4_DWORDS (FBNIC_BAR4_SIZE / 4)
/* Registers per dirty-tracking chunk of a store (dev.h). */
#define FBNIC_DIRTY_CHUNK 256u

uint32_t fbnic_csr_read(struct fbnic *dev, uint32_t idx);
void fbnic_csr_write(struct fbnic *dev, uint32_t idx, uint32_t val);
uint32_t fbnic_fw_csr_read(struct fbnic *dev, uint32_t idx);
void fbnic_fw_csr_write(struct fbnic *dev, uint32_t idx, uint32_t val);

/* Look up the block holding idx in a sorted table; NULL if none. */
const struct reg_block *reg_block_find(const struct reg_block *const *tbl,
				       unsigned n, uint32_t idx);

/* Blocks with behaviour, exported by their files. */
extern const struct reg_block fbnic_qm_tx_block;
extern const struct reg_block fbnic_qm_rx_block;
extern const struct reg_block fbnic_pul_user_block;

#endif
