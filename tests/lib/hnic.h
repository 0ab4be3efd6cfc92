/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A driver-side model of one fbnic queue pair for device tests: it programs
 * and uses the rings the way the upstream driver's fbnic_txrx.c does
 * (fbnic_enable_twq0/tcq/bdq/rcq, fbnic_fill_bdq, fbnic_tx_map +
 * fbnic_tx_doorbell, fbnic_clean_tcq, fbnic_clean_rcq), in the harness's
 * guest memory, so a test can send and receive frames through the model.
 */
#ifndef FBNIC_EMU_TEST_HNIC_H
#define FBNIC_EMU_TEST_HNIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

#define HNIC_MAX_PAY 8u

struct hnic_ring {
	uint64_t base;   /* guest-physical */
	unsigned size;   /* entries */
	unsigned head, tail; /* the driver's indices (free-running) */
};

struct hnic {
	struct harness *h;
	unsigned q, vector;
	struct hnic_ring twq, tcq, hpq, ppq, rcq;
	uint64_t hpq_buf, ppq_buf; /* one 4 KiB buffer per BDQ slot */
	unsigned twq_done;         /* TWQ0 head the completions reported */
	struct hnic_ring twq1;     /* XDP_TX's ring (hnic_twq1_up), size 0: off */
	unsigned twq1_done;        /* TWQ1 head the completions reported */
	unsigned tcd0, tcd1;       /* head completions seen for TWQ0, TWQ1 */
	bool tcd_backwards;        /* a reported head went back */
	unsigned tx_ts;            /* TYPE_1 completions seen */
	uint64_t tx_ts_last;       /* the last one's timestamp */
};

/* Bring queue q up as fbnic_up does: MAC on, rings reset, programmed and
 * enabled, the BDQs filled (all slots but one), vector v for both CQs,
 * RDE_CTL0/1 as the 7.3 driver writes them by default (no header split,
 * hds_thresh 1536).  Ring sizes are entries (powers of two). */
void hnic_up(struct hnic *n, struct harness *h, unsigned q, unsigned v,
	     unsigned twq_size, unsigned bdq_size, unsigned rcq_size);
/* hnic_up with the classifier's RSS table over rss_nq queues (hnic_up:
 * 1); rss_nq 0 leaves the classifier as it is (programmed before). */
void hnic_up_rss(struct hnic *n, struct harness *h, unsigned q, unsigned v,
		 unsigned twq_size, unsigned bdq_size, unsigned rcq_size,
		 unsigned rss_nq);
/* The classifier as the driver leaves it at ifup without a BMC
 * (fbnic_rss_reinit_hw, fbnic_write_rules, __fbnic_set_rx_mode): RMI on,
 * the device's MAC (02:fb:00:00:00:01) and broadcast in the MACDA TCAM,
 * the seven RSS rules (UDP6 .. Ether at 57..63), the default action drop,
 * and RSS table 0 spreading over nq queues (i % nq). */
void hnic_rpc_up(struct harness *h, unsigned nq);
/* The register part of fbnic_queue_stop for this queue pair (the queue
 * API, netdev_queue_mgmt_ops): its rings disabled as __fbnic_nv_disable
 * does, then the QM idle bits fbnic_wait_queue_idle polls; true if all of
 * them read idle. */
bool hnic_stop(struct hnic *n);
/* fbnic_queue_start after hnic_stop: the pair's rings enabled again on new
 * ring memory with new buffers (a new page pool or memory provider), the
 * vector unmasked.  Sizes as hnic_up. */
void hnic_restart(struct hnic *n, unsigned twq_size, unsigned bdq_size,
		  unsigned rcq_size);
/* TWQ1, the XDP_TX ring, as fbnic_enable_twq1 programs it (size
 * entries), with the QM's default metadata fbnic_mac.c writes for its
 * packets (REQ_COMPLETION, L2_HLEN 14). */
void hnic_twq1_up(struct hnic *n, unsigned size);
/* An XDP_TX packet as fbnic_pkt_tx posts it: address descriptors only,
 * the frame in nbuf pieces, the last LAST_AL; no doorbell
 * (fbnic_pkt_commit_tail rings it once per NAPI poll:
 * hnic_twq1_doorbell).  false if the ring has no room. */
bool hnic_post_xdp(struct hnic *n, const void *frame, size_t len,
		   unsigned nbuf);
void hnic_twq1_doorbell(struct hnic *n);
/* Post a frame as fbnic_tx_map does: META with meta_flags (REQ_COMPLETION
 * is added), then the frame cut into nbuf address descriptors, and ring
 * the tail doorbell.  false if the ring has no room. */
bool hnic_xmit(struct hnic *n, const void *frame, size_t len,
	       uint64_t meta, unsigned nbuf);
/* hnic_xmit with the address descriptors given: one per piece of guest
 * memory, in order (the linear part, then the skb's frags: for netmem TX,
 * pages of a dma-buf the driver never reads, fbnic_tx_map). */
#define HNIC_MAX_SEGS 24u
struct hnic_seg {
	uint64_t gpa;
	uint32_t len;
};
bool hnic_xmit_sg(struct hnic *n, const struct hnic_seg *seg, unsigned nseg,
		  uint64_t meta);
/* hnic_xmit_sg without the doorbell, as the driver posts a packet with
 * netdev_xmit_more() (fbnic_tx_doorbell waits for the batch's last);
 * hnic_tx_doorbell then writes the tail once for all of them. */
bool hnic_post_sg(struct hnic *n, const struct hnic_seg *seg, unsigned nseg,
		  uint64_t meta);
void hnic_tx_doorbell(struct hnic *n);
/* An LSO request for a plain TCP or UDP frame over IPv4 or IPv6 as
 * fbnic_tx_offloads + fbnic_tx_lso make it: the L4 checksum field set to
 * the pseudo-header's sum without the length, and the META bits (REQ_LSO,
 * L2_HLEN, L3_TYPE, L3_IHLEN, L4_TYPE, L4_HLEN, MSS, CSUM_OFFSET).  The
 * frame must parse (pkt_parse). */
uint64_t hnic_lso(uint8_t *frame, size_t len, unsigned mss);
/* Read completions as fbnic_clean_tcq does; returns how many TCDs it
 * consumed (and writes TCQ_HEAD if any). */
unsigned hnic_clean_tcq(struct hnic *n);

struct hnic_rx {
	uint8_t data[16384];
	size_t len;
	uint64_t hdr_al, pay_al[HNIC_MAX_PAY], opt_meta, meta;
	unsigned npay;
	bool has_opt;
};
/* Read one packet's RCDs as fbnic_clean_rcq does and rebuild the frame
 * from the buffers they name.  1 a packet, 0 none complete yet, -1 a
 * sequence the driver would reject (the test fails on it). */
int hnic_rx(struct hnic *n, struct hnic_rx *out);
/* hnic_rx without the copy: the packet's length in *len. */
int hnic_rx_len(struct hnic *n, size_t *len);
/* Give the consumed buffers back and write RCQ_HEAD (end of a poll). */
void hnic_rx_refill(struct hnic *n);

#endif
