/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A ring of the device's recent events (doorbells, descriptors,
 * completions, interrupts, mailbox messages, link, resets, frames), for
 * debugging: `dump trace` on the control channel prints it, oldest first.
 * Off unless --log-level debug or the control channel's `trace on`; when
 * off, recording costs one branch.
 */
#ifndef FBNIC_EMU_DEV_TRACE_H
#define FBNIC_EMU_DEV_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FBNIC_TRACE_LEN 1024u

enum fbnic_trace_kind {
	FBNIC_TR_RESET,      /* function reset */
	FBNIC_TR_QUEUE_WRITE, /* a = queue, b = register offset, c = value */
	FBNIC_TR_DOORBELL,   /* a = queue, b = ring, c = tail */
	FBNIC_TR_DESC,       /* a = queue, b = ring, c = descriptor */
	FBNIC_TR_COMPLETION, /* a = queue, b = ring, c = descriptor */
	FBNIC_TR_IRQ,        /* a = MSI-X vector */
	FBNIC_TR_MBX_TX,     /* host->FW: a = descriptor, b = length, c = id */
	FBNIC_TR_MBX_RX,     /* FW->host: a = descriptor, b = length, c = id */
	FBNIC_TR_LINK,       /* a = up */
	FBNIC_TR_PORT_TX,    /* b = length, c = result */
	FBNIC_TR_PORT_RX,    /* b = length, c = result */
	FBNIC_TR_KINDS
};

struct fbnic_trace_ev {
	uint64_t ns;
	uint16_t kind;
	uint16_t a;
	uint32_t b;
	uint64_t c;
};

struct fbnic_trace {
	bool on;
	unsigned head, count;
	uint64_t recorded; /* events since the start, overwritten ones too */
	struct fbnic_trace_ev ev[FBNIC_TRACE_LEN];
};

struct fbnic;

void fbnic_trace_record(struct fbnic *dev, enum fbnic_trace_kind kind,
			uint16_t a, uint32_t b, uint64_t c);
#define fbnic_trace(dev, kind, a, b, c)                                   \
	do {                                                              \
		if ((dev)->trace.on)                                      \
			fbnic_trace_record(dev, kind, (uint16_t)(a),      \
					   (uint32_t)(b), (uint64_t)(c)); \
	} while (0)

/* One line per event, oldest first, after a header line. */
void fbnic_trace_print(struct fbnic *dev, FILE *out);

#endif
