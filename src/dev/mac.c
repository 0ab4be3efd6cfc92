/* SPDX-License-Identifier: Apache-2.0 */
#include "mac.h"

#include <string.h>

#include "dev.h"
#include "intr.h"
#include "pcs.h"
#include "pkt/parse.h"
#include "util/log.h"

#define SUB "mac"

/* Every lock bit the PCS drives; a link loss latches all of them low. */
#define OUT0_STATUS                                                      \
	(FBNIC_SIG_PCS_OUT0_LINK | FBNIC_SIG_PCS_OUT0_BLOCK_LOCK |       \
	 FBNIC_SIG_PCS_OUT0_AMPS_LOCK)
#define OUT1_STATUS FBNIC_SIG_PCS_OUT1_FCFEC_LOCK

static void mac_reset(struct fbnic *dev)
{
	struct fbnic_mac *m = &dev->mac;
	memset(m, 0, sizeof(*m));
	m->pcs_intr_mask = UINT32_MAX; /* all masked at power-on */
	/* A link that is down at reset has lost lock "since the last flush". */
	if (!fbnic_pcs_link_up(dev)) {
		m->out0_latched_low = OUT0_STATUS;
		m->out1_latched_low = OUT1_STATUS;
	}
}

/* ---- SIG: PCS signals and the link interrupt ----------------------------- */

/* Raise cause 34 for every bit that just became pending and unmasked. */
static void pcs_intr_eval(struct fbnic *dev)
{
	struct fbnic_mac *m = &dev->mac;
	uint32_t pending = m->pcs_intr_sts & ~m->pcs_intr_mask;
	uint32_t fresh = pending & ~m->pcs_pending;
	m->pcs_pending = pending;
	if (!fresh)
		return;
	m->pcs_causes++;
	fbnic_intr_cause(dev, FBNIC_INTR_CAUSE_PCS);
}

void fbnic_sig_link_event(struct fbnic *dev, bool up)
{
	struct fbnic_mac *m = &dev->mac;
	if (up) {
		m->pcs_intr_sts |= FBNIC_SIG_PCS_INTR_LINK_UP;
	} else {
		m->out0_latched_low |= OUT0_STATUS;
		m->out1_latched_low |= OUT1_STATUS;
		m->pcs_intr_sts |= FBNIC_SIG_PCS_INTR_LINK_DOWN;
	}
	pcs_intr_eval(dev);
}

static uint32_t sig_read(struct fbnic *dev, uint32_t idx)
{
	struct fbnic_mac *m = &dev->mac;
	uint32_t out0, out1;
	switch (idx) {
	case FBNIC_SIG_PCS_OUT0:
		fbnic_pcs_sig_out(dev, &out0, &out1);
		return out0 & ~m->out0_latched_low;
	case FBNIC_SIG_PCS_OUT1:
		fbnic_pcs_sig_out(dev, &out0, &out1);
		return out1 & ~m->out1_latched_low;
	case FBNIC_SIG_PCS_INTR_STS:
		return m->pcs_intr_sts;
	case FBNIC_SIG_PCS_INTR_MASK:
		return m->pcs_intr_mask;
	default:
		return dev->csr[idx];
	}
}

static void sig_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	struct fbnic_mac *m = &dev->mac;
	switch (idx) {
	case FBNIC_SIG_PCS_OUT0:
		/* Write 1 to re-arm a latched-low bit (fbnic_mac_get_link). */
		m->out0_latched_low &= ~val;
		return;
	case FBNIC_SIG_PCS_OUT1:
		m->out1_latched_low &= ~val;
		return;
	case FBNIC_SIG_PCS_INTR_STS:
		m->pcs_intr_sts &= ~val; /* W1C */
		pcs_intr_eval(dev);
		return;
	case FBNIC_SIG_PCS_INTR_MASK:
		m->pcs_intr_mask = val;
		pcs_intr_eval(dev); /* unmasking a pending event raises it */
		return;
	default:
		fbnic_csr_set(dev, idx, val); /* SIG_MAC_IN0 and the rest: RMW'd */
		return;
	}
}

static void sig_dump(struct fbnic *dev, FILE *out)
{
	const struct fbnic_mac *m = &dev->mac;
	fprintf(out, "sig.pcs_intr_sts 0x%08x\nsig.pcs_intr_mask 0x%08x\n",
		m->pcs_intr_sts, m->pcs_intr_mask);
	fprintf(out, "sig.pcs_causes %llu\n", (unsigned long long)m->pcs_causes);
}

const struct reg_block fbnic_sig_block = { "SIG", FBNIC_CSR_START_SIG,
					   FBNIC_CSR_END_SIG, sig_read,
					   sig_write, .dump = sig_dump };

/* ---- MAC_MAC ------------------------------------------------------------- */

/* MAC_COMMAND_CONFIG and the rest are plain storage: the driver writes the
 * whole COMMAND_CONFIG at link up/down (fbnic_mac_link_up_asic) and reads
 * it back for the pause checks (fbnic_mac_check_tx_pause). */
const struct reg_block fbnic_mac_block = { "MAC_MAC", FBNIC_CSR_START_MAC_MAC,
					   FBNIC_CSR_END_MAC_MAC, NULL, NULL,
					   .reset = mac_reset };

static bool mac_dir_ready(const struct fbnic *dev, uint32_t ena,
			  uint32_t resets)
{
	return fbnic_pcs_link_up(dev) && (dev->csr[FBNIC_MAC_COMMAND_CONFIG] & ena) &&
	       !(dev->csr[FBNIC_SIG_MAC_IN0] & resets);
}

bool fbnic_mac_rx_ready(const struct fbnic *dev)
{
	return mac_dir_ready(dev, FBNIC_MAC_COMMAND_CONFIG_RX_ENA,
			     FBNIC_SIG_MAC_IN0_RESET_FF_RX_CLK |
				     FBNIC_SIG_MAC_IN0_RESET_RX_CLK);
}

bool fbnic_mac_tx_ready(const struct fbnic *dev)
{
	return mac_dir_ready(dev, FBNIC_MAC_COMMAND_CONFIG_TX_ENA,
			     FBNIC_SIG_MAC_IN0_RESET_FF_TX_CLK |
				     FBNIC_SIG_MAC_IN0_RESET_TX_CLK);
}

bool fbnic_mac_loopback(const struct fbnic *dev)
{
	return dev->csr[FBNIC_MAC_COMMAND_CONFIG] &
	       FBNIC_MAC_COMMAND_CONFIG_LOOPBACK_EN;
}

/* ---- MAC_STAT ------------------------------------------------------------ */

static bool stat_index(uint32_t reg_l, unsigned *i)
{
	if (reg_l < FBNIC_CSR_START_MAC_STAT || reg_l > FBNIC_CSR_END_MAC_STAT ||
	    (reg_l & 1))
		return false;
	*i = (reg_l - FBNIC_CSR_START_MAC_STAT) / 2;
	return true;
}

void fbnic_mac_stat_add(struct fbnic *dev, uint32_t reg_l, uint64_t delta)
{
	unsigned i;
	if (stat_index(reg_l, &i))
		dev->mac.stat[i] += delta;
}

uint64_t fbnic_mac_stat_get(const struct fbnic *dev, uint32_t reg_l)
{
	unsigned i;
	return stat_index(reg_l, &i) ? dev->mac.stat[i] : 0;
}

/* The counters one direction updates per frame. */
struct frame_stats {
	uint32_t bytes, ok, bcast, mcast, ctrl, xoff;
	uint32_t hist[7]; /* 64, 65-127, ..., 1024-1518, 1519-max */
	/* Above 1518 bytes the histogram goes on outside MAC_STAT: in the
	 * TMI block for TX, the RPC block for RX (plain storage there),
	 * 1519-2047, 2048-4095, 4096-8191, 8192-9216, 9217-max
	 * (fbnic_mac.c fbnic_mac_get_rmon_stats). */
	uint32_t big[5];
};

static const struct frame_stats rx_stats = {
	FBNIC_MAC_STAT_RX_BYTE_COUNT_L,
	FBNIC_MAC_STAT_RX_RECEIVED_OK_L,
	FBNIC_MAC_STAT_RX_BROADCAST_L,
	FBNIC_MAC_STAT_RX_MULTICAST_L,
	FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L,
	FBNIC_MAC_STAT_RX_XOFF_STB_L,
	{ FBNIC_MAC_STAT_RX_PACKET_64_BYTES_L,
	  FBNIC_MAC_STAT_RX_PACKET_65_127_BYTES_L,
	  FBNIC_MAC_STAT_RX_PACKET_128_255_BYTES_L,
	  FBNIC_MAC_STAT_RX_PACKET_256_511_BYTES_L,
	  FBNIC_MAC_STAT_RX_PACKET_512_1023_BYTES_L,
	  FBNIC_MAC_STAT_RX_PACKET_1024_1518_BYTES_L,
	  FBNIC_MAC_STAT_RX_PACKET_1519_MAX_BYTES_L },
	{ FBNIC_RPC_STAT_RX_PACKET_1519_2047_BYTES_L,
	  FBNIC_RPC_STAT_RX_PACKET_2048_4095_BYTES_L,
	  FBNIC_RPC_STAT_RX_PACKET_4096_8191_BYTES_L,
	  FBNIC_RPC_STAT_RX_PACKET_8192_9216_BYTES_L,
	  FBNIC_RPC_STAT_RX_PACKET_9217_MAX_BYTES_L },
};

static const struct frame_stats tx_stats = {
	FBNIC_MAC_STAT_TX_BYTE_COUNT_L,
	FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L,
	FBNIC_MAC_STAT_TX_BROADCAST_L,
	FBNIC_MAC_STAT_TX_MULTICAST_L,
	FBNIC_MAC_STAT_TX_CONTROL_FRAMES_L,
	FBNIC_MAC_STAT_TX_XOFF_STB_L,
	{ FBNIC_MAC_STAT_TX_PACKET_64_BYTES_L,
	  FBNIC_MAC_STAT_TX_PACKET_65_127_BYTES_L,
	  FBNIC_MAC_STAT_TX_PACKET_128_255_BYTES_L,
	  FBNIC_MAC_STAT_TX_PACKET_256_511_BYTES_L,
	  FBNIC_MAC_STAT_TX_PACKET_512_1023_BYTES_L,
	  FBNIC_MAC_STAT_TX_PACKET_1024_1518_BYTES_L,
	  FBNIC_MAC_STAT_TX_PACKET_1519_MAX_BYTES_L },
	{ FBNIC_TMI_STAT_TX_PACKET_1519_2047_BYTES_L,
	  FBNIC_TMI_STAT_TX_PACKET_2048_4095_BYTES_L,
	  FBNIC_TMI_STAT_TX_PACKET_4096_8191_BYTES_L,
	  FBNIC_TMI_STAT_TX_PACKET_8192_9216_BYTES_L,
	  FBNIC_TMI_STAT_TX_PACKET_9217_MAX_BYTES_L },
};

bool fbnic_mac_is_control(const uint8_t *frame, size_t len)
{
	return frame && len >= 14 &&
	       ((unsigned)frame[12] << 8 | frame[13]) == PKT_ETH_P_MAC_CTRL;
}

/* One more on a 64-bit counter of a storage block (low word at reg_l). */
static void storage_stat_inc(struct fbnic *dev, uint32_t reg_l)
{
	uint64_t v = dev->csr[reg_l] | (uint64_t)dev->csr[reg_l + 1] << 32;
	v++;
	dev->csr[reg_l] = (uint32_t)v;
	dev->csr[reg_l + 1] = (uint32_t)(v >> 32);
}

void fbnic_mac_count_frame(struct fbnic *dev, bool tx, const uint8_t *frame,
			   size_t len)
{
	const struct frame_stats *st = tx ? &tx_stats : &rx_stats;
	/* + FCS; TX_PAD_EN pads short frames to the 64-byte minimum. */
	size_t wire = (tx && len < 60 ? 60 : len) + 4;
	unsigned b = wire <= 64 ? 0 : wire <= 127 ? 1 : wire <= 255 ? 2
		   : wire <= 511 ? 3 : wire <= 1023 ? 4 : wire <= 1518 ? 5 : 6;
	bool mc = frame && len >= 6 && (frame[0] & 1);
	bool bc = mc && !memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6);
	fbnic_mac_stat_add(dev, st->bytes, wire);
	fbnic_mac_stat_add(dev, st->ok, 1);
	if (fbnic_mac_is_control(frame, len)) {
		fbnic_mac_stat_add(dev, st->ctrl, 1);
		/* PAUSE (opcode 1) with a non-zero time: an XOFF, which the
		 * driver reports as pause frames (fbnic_mac_get_pause_stats).
		 * Counted only: the model's TX does not stop for it. */
		if (len >= 18 && frame[14] == 0 && frame[15] == 1 &&
		    (frame[16] | frame[17]))
			fbnic_mac_stat_add(dev, st->xoff, 1);
	}
	if (bc)
		fbnic_mac_stat_add(dev, st->bcast, 1);
	else if (mc)
		fbnic_mac_stat_add(dev, st->mcast, 1);
	fbnic_mac_stat_add(dev, st->hist[b], 1);
	if (b == 6)
		storage_stat_inc(dev, st->big[wire <= 2047   ? 0
					      : wire <= 4095 ? 1
					      : wire <= 8191 ? 2
					      : wire <= 9216 ? 3
							     : 4]);
}

static uint32_t mac_stat_read(struct fbnic *dev, uint32_t idx)
{
	uint64_t v = dev->mac.stat[(idx - FBNIC_CSR_START_MAC_STAT) / 2];
	return (idx & 1) ? (uint32_t)(v >> 32) : (uint32_t)v;
}

static void mac_stat_write(struct fbnic *dev, uint32_t idx, uint32_t val)
{
	/* The driver never writes the counters. */
	dev->cnt.ro_writes++;
	log_guest(SUB, "write 0x%08x to read-only MAC_STAT index 0x%05x", val,
		  idx);
}

const struct reg_block fbnic_mac_stat_block = { "MAC_STAT",
						FBNIC_CSR_START_MAC_STAT,
						FBNIC_CSR_END_MAC_STAT,
						mac_stat_read, mac_stat_write };
