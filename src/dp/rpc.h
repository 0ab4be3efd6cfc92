/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The receive classifier (RPC, "RX parser and classifier"): what the
 * device does with a frame from the wire before the RX queues see it,
 * as the driver programs it (fbnic_rpc.c, fbnic_netdev.c
 * __fbnic_set_rx_mode, fbnic_ethtool.c fbnic_set_cls_rule_ins).
 *
 *  1. RPC_RMI_CONFIG: nothing passes while ENABLE is clear; a frame longer
 *     than MTU bytes (as received, without FCS) is dropped.
 *  2. MACDA TCAM: the lowest valid entry matching the destination MAC.
 *  3. IP TCAMs: the lowest valid source / destination entry matching the
 *     frame's addresses (IPv4 as ::a.b.c.d, the entry's IPv6 flag equal).
 *  4. The 11-word action key (fbnic_rpc.h FBNIC_RPC_TCAM_ACT0/1_*): IP
 *     entries and valid bits, MACDA entry and valid bit, IS_V6, IP_VALID,
 *     L4_IS_UDP, L4_VALID (a TCP or UDP header; never for a fragment), the
 *     ports in words 3 and 4, everything else 0.
 *  5. Action TCAM: the lowest valid entry whose unmasked bits equal the
 *     key (the driver's RSS rules rely on it: its UDP4 rule also matches
 *     UDP6 frames and comes after the UDP6 one); none: the default action
 *     (ACT_TBL0/1_DEFAULT, the driver's is DROP).
 *  6. The action: DROP, or a DEST without HOST, keeps the frame from the
 *     host.  Otherwise the queue is Q_ID when Q_SEL is set, else
 *     RSS_TBL[RSS_CTXT_ID][hash & 0xff].  The Toeplitz hash covers the
 *     fields ACT_TBL1 enables with the 425-bit RSS_KEY, whatever the
 *     action (the RCD carries it).
 *
 * Not modelled (the driver never programs them): the RSS fields
 * L4_RSS_BYTE, DSCP, L3_PROT and L4_PROT (ignored); the IPv6 flow label
 * is hashed when either flow-label bit is set (after the ports, see
 * pkt/toeplitz.h).  IPv6-in-IPv6 is not looked into: the outer header is
 * the frame's only IP header for the IP TCAMs and the key, so
 * OUTER_IP_VALID is never set and the OUTER_IPSRC / OUTER_IPDST TCAMs
 * never match (the driver uses them only for ethtool ip6 rules with
 * l4_proto 41).  No statistics (RPC_CNTR_*).
 *
 * Frames are guest / wire supplied: nothing outside [frame, frame + len)
 * is read, whatever pi says; a truncated or malformed frame classifies on
 * what parsed (pkt/parse.h: each layer pi reports is whole).
 */
#ifndef FBNIC_EMU_DP_RPC_H
#define FBNIC_EMU_DP_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt/parse.h"
#include "pkt/toeplitz.h"

enum fbnic_rpc_drop {
	FBNIC_RPC_DROP_NONE = 0,	/* delivered to the host */
	FBNIC_RPC_DROP_RMI_DISABLED,	/* RMI_CONFIG ENABLE clear */
	FBNIC_RPC_DROP_TOO_LONG,	/* longer than RMI_CONFIG MTU */
	FBNIC_RPC_DROP_MISS,		/* no action entry matched (e.g. no
					 * MACDA entry) and the default action
					 * drops or is not for the host */
	FBNIC_RPC_DROP_ACTION,		/* the matched entry's DROP bit */
	FBNIC_RPC_DROP_NOT_HOST,	/* the matched entry's DEST lacks HOST */
	FBNIC_RPC_DROP_COUNT
};

struct fbnic_rpc_result {
	bool host;          /* deliver to the host (else dropped here) */
	enum fbnic_rpc_drop drop; /* why not, when !host */
	unsigned queue;     /* hw queue: Q_SEL ? Q_ID :
			     * RSS_TBL[ctx][hash & 0xff], as programmed (the
			     * caller checks it against its queues) */
	uint32_t hash;      /* Toeplitz over the fields ACT_TBL1 enables (0
			     * if none of them is in the frame) */
	unsigned dma_hint;  /* ACT_TBL0 DMA_HINT as programmed (driver: 4 =
			     * FBNIC_RCD_HDR_AL_DMA_HINT_L4) */
	bool ts;            /* ACT_TBL0 TS_ENA */
	int act_idx;        /* matched action TCAM entry, -1: the default */
	int macda_idx;      /* matched MACDA TCAM entry, -1: none */
	unsigned l3_type, l4_type; /* FBNIC_RCD_META_L3_TYPE_* / L4_TYPE_* */
};

/* A TCP or UDP frame's flow: all of the frame a classification reads
 * (the MACDA lookup, the action key, the RSS fields) but its length. */
struct fbnic_rpc_flow {
	uint8_t v6, udp;
	uint8_t da[6];
	uint8_t addr[32]; /* source, then destination (IPv4: 8 bytes) */
	uint8_t ports[4]; /* source, destination */
	uint8_t fl[4];    /* IPv6: the flow label's 20 bits */
};
#define FBNIC_RPC_FLOWS 16u

/* What the classifier derives from its registers once rather than per
 * frame: which TCAM entries are valid (VALIDATE), and the RSS key as a
 * Toeplitz table; and the results of the TCP and UDP flows seen since,
 * direct-mapped (a frame of a remembered flow is classified by a compare,
 * the same result as in full: the result is a function of the registers,
 * the flow and the length, and the length's check is made each time).
 * Built from the register file by fbnic_rpc_cache_build, again after any
 * RPC register changes (the caller tracks that); that forgets the
 * flows. */
struct fbnic_rpc_cache {
	uint64_t act_valid;   /* bit e: action TCAM entry e */
	uint32_t macda_valid; /* bit e: MACDA TCAM entry e */
	uint8_t ipsrc_valid, ipdst_valid;
	struct pkt_toeplitz_table rss;
	struct {
		bool valid;
		struct fbnic_rpc_flow flow;
		struct fbnic_rpc_result res;
	} flows[FBNIC_RPC_FLOWS];
};
void fbnic_rpc_cache_build(struct fbnic_rpc_cache *c, const uint32_t *csr);

/* Classify one frame (no FCS) of len bytes.
 * csr: BAR0 as dwords, indexed by the FBNIC_* register indexes of
 * dev/csr.h (the device's register file, read live); c: built from the
 * same registers (it remembers the frame's flow).  pi: pkt_parse() of
 * the frame.  No logging, no allocation, no device state: out is a
 * function of the registers and the frame.  out is always filled; hash,
 * dma_hint, ts, act_idx and macda_idx stay 0 / -1 when RMI_CONFIG stopped
 * the frame, l3_type and l4_type are always those of pi. */
void fbnic_rpc_classify(const uint32_t *csr, struct fbnic_rpc_cache *c,
			const uint8_t *frame, size_t len,
			const struct pkt_info *pi, struct fbnic_rpc_result *out);

/* A short name for counters and logs ("none", "rmi_disabled", ...). */
const char *fbnic_rpc_drop_name(enum fbnic_rpc_drop drop);

#endif
