/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Register names (csr_names.c): find the name of any index of the map,
 * or the index of a name, so that a newcomer can find a register's home
 * in one step (the control channel's `reg`).
 *
 * Names are the driver's without the FBNIC_ prefix.  Arrays take an
 * element, per-queue and per-PCS-page registers a window:
 *   INTR_MASK[3]  QUEUE[5].TWQ0_CTL  PCS[1].STAT1  MAC_COMMAND_CONFIG
 * An index is accepted too: 0x11002 (BAR0) or bar4:0x6000.
 */
#ifndef FBNIC_EMU_DEV_CSR_NAMES_H
#define FBNIC_EMU_DEV_CSR_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct csr_name {
	const char *name;
	int bar;         /* 0 or 4 */
	uint32_t first;  /* index of element 0 */
	uint32_t count;  /* elements (1: a single register) */
	uint32_t stride; /* indexes between elements */
};

extern const struct csr_name fbnic_csr_names[];
extern const unsigned fbnic_csr_nnames;
extern const struct csr_name fbnic_csr_queue_names[];
extern const unsigned fbnic_csr_nqueue_names;
extern const struct csr_name fbnic_csr_pcs_names[];
extern const unsigned fbnic_csr_npcs_names;

/* Write the name of (bar, idx) into buf; 0, or -ENOENT if unnamed. */
int fbnic_csr_name(int bar, uint32_t idx, char *buf, size_t n);
/* Parse a name or an index; 0, or -EINVAL. */
int fbnic_csr_parse(const char *s, int *bar, uint32_t *idx);

#endif
