/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The receive classifier against a register file the 7.3 driver's own
 * sequences programmed: the helpers below (drv_*) keep the driver's
 * software tables (MACDA, IP and action TCAM entries with their states)
 * and write the registers as fbnic_rpc.c, fbnic_netdev.c and
 * fbnic_ethtool.c do at ifup, on rx-mode changes, on ethtool -N / -X /
 * rx-flow-hash and at ifdown.  Then frames go through
 * fbnic_rpc_classify: unicast, broadcast, multicast, promiscuous, RSS
 * hashes against Microsoft's verification table, flow rules, the BMC
 * layout, RMI_CONFIG, and every prefix and mutation of sample frames
 * from a malloc of exactly their length (ASan catches a read past it).
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "dev/csr.h"
#include "dev/regs.h"
#include "dp/rpc.h"
#include "msrss.h"
#include "pkt/parse.h"
#include "pkt/toeplitz.h"
#include "pkt_frames.h"
#include "pktref.h"
#include "test.h"

static uint32_t csr[FBNIC_BAR0_DWORDS];

/* ==== The driver's side ================================================= */

/* The driver's choices, not register facts. */
#define DRV_MAX_JUMBO_FRAME_SIZE 9742u /* fbnic_mac.h */
#define DRV_RMI_OH_BYTES 20u           /* fbnic_rpc.c fbnic_rss_reinit_hw */
/* MACDA TCAM layout (fbnic_rpc.h FBNIC_RPC_TCAM_MACDA_*) */
#define DRV_MACDA_BROADCAST_IDX 4u
#define DRV_MACDA_BOUNDARY 24u         /* _DEFAULT_BOUNDARY */
#define DRV_MACDA_HOST_ADDR_IDX 30u
#define DRV_MACDA_PROMISC_IDX 31u
/* Flow types, in fbnic_rpc.h FBNIC_*_HASH_OPT order. */
enum { H_UDP6, H_UDP4, H_TCP6, H_TCP4, H_IP6, H_IP4, H_ETHER, H_NUM };
/* Action TCAM layout (fbnic_rpc.h FBNIC_RPC_ACT_TBL_*) */
#define DRV_ACT_BMC_OFFSET 0u
#define DRV_ACT_NFC_OFFSET 2u
#define DRV_RSS_EN_NUM_UNICAST ((unsigned)H_NUM)
#define DRV_RSS_EN_NUM_ENTRIES (2u * H_NUM)
#define DRV_ACT_RSS_OFFSET \
	(FBNIC_RPC_ACT_TBL_NUM_ENTRIES - DRV_RSS_EN_NUM_ENTRIES)
#define DRV_ACT_NFC_ENTRIES (DRV_ACT_RSS_OFFSET - DRV_ACT_NFC_OFFSET)
/* Owners of a MACDA entry (fbnic_rpc.h FBNIC_MAC_ADDR_T_*): bits of its
 * act_tcam bitmap. */
#define T_BMC 0u
#define T_BROADCAST DRV_ACT_RSS_OFFSET
#define T_MULTICAST (T_BROADCAST + 1)
#define T_UNICAST (T_BROADCAST + 2)
#define T_ALLMULTI (T_BROADCAST + 3)
#define T_PROMISC (T_BROADCAST + 4)
/* include/uapi/linux/ethtool.h */
#define RXH_L2DA (1u << 1)
#define RXH_IP_SRC (1u << 4)
#define RXH_IP_DST (1u << 5)
#define RXH_L4_B_0_1 (1u << 6)
#define RXH_L4_B_2_3 (1u << 7)
#define RXH_IP6_FL (1u << 9)
#define RXH_DISCARD (1u << 31)
#define RX_HASH_OPT_L4 (RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3)
#define RX_HASH_OPT_L3 (RXH_IP_SRC | RXH_IP_DST)

/* TCAM entry states (fbnic_rpc.h FBNIC_TCAM_S_*). */
enum { S_DISABLED = 0, S_VALID = 1, S_ADD = 2, S_UPDATE = 2, S_DELETE = 3 };

struct drv_mac {
	uint8_t value[6], mask[6];
	int state;
	uint64_t act; /* owners, T_* and NFC action entries */
};

struct drv_ip {
	uint8_t value[16], mask[16]; /* mask bit 1: don't care */
	int version;
	int state;
	uint64_t act;
};

struct drv_act {
	uint16_t value[FBNIC_RPC_TCAM_ACT_WORD_LEN];
	uint16_t mask[FBNIC_RPC_TCAM_ACT_WORD_LEN];
	int state;
	uint16_t rss_en_mask;
	uint32_t dest;
};

#define DRV_MAX_MC 24u

static struct {
	bool bmc;           /* a BMC shares the port (fbnic_bmc_present) */
	uint8_t bmc_addr[6];
	uint8_t dev_addr[6];
	unsigned nq;
	uint32_t rss_key[FBNIC_RPC_RSS_KEY_DWORD_LEN];
	uint32_t indir[FBNIC_RPC_RSS_TBL_COUNT][FBNIC_RPC_RSS_TBL_SIZE];
	uint32_t flow_hash[H_NUM];
	uint32_t tstamp_mask;  /* 1 bit per flow type (fbnic_rss_reinit) */
	struct drv_mac mac[FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES];
	struct drv_ip ip_src[FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES];
	struct drv_ip ip_dst[FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES];
	struct drv_act act[FBNIC_RPC_TCAM_ACT_NUM_ENTRIES];
	/* the netdev's multicast list and which entries are synced */
	uint8_t mc[DRV_MAX_MC][6];
	bool mc_synced[DRV_MAX_MC];
	unsigned nmc;
	bool promisc, allmulti;  /* IFF_PROMISC, IFF_ALLMULTI */
} d;

static uint32_t prep(uint32_t mask, uint32_t v)
{
	return v << __builtin_ctz(mask) & mask;
}

static bool is_zero_mac(const uint8_t *a)
{
	static const uint8_t z[6];
	return !memcmp(a, z, 6);
}

static bool is_bcast_mac(const uint8_t *a)
{
	static const uint8_t b[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	return !memcmp(a, b, 6);
}

/* fbnic_ethtool.c fbnic_set_rxfh: the key bytes into dwords. */
static void drv_set_key(const uint8_t key[FBNIC_RPC_RSS_KEY_BYTE_LEN])
{
	uint32_t k = 0;

	for (unsigned i = FBNIC_RPC_RSS_KEY_BYTE_LEN; i--;) {
		k >>= 8;
		k |= (uint32_t)key[i] << 24;
		if (i % 4)
			continue;
		d.rss_key[i / 4] = k;
	}
}

/* Microsoft's 40-byte key, zeros after it. */
static uint8_t key54[FBNIC_RPC_RSS_KEY_BYTE_LEN];

/* Probe: fbnic_reset_indir_tbl, the key (here Microsoft's, as ethtool -X
 * hkey would set it), fbnic_rss_init_en_mask. */
static void drv_probe(unsigned nq, bool bmc)
{
	memset(csr, 0, sizeof(csr));
	memset(&d, 0, sizeof(d));
	d.bmc = bmc;
	memcpy(d.bmc_addr, "\x02\xbb\x00\x00\x00\x07", 6);
	memcpy(d.dev_addr, "\x02\xfb\x00\x00\x00\x01", 6);
	d.nq = nq;
	for (unsigned i = 0; i < FBNIC_RPC_RSS_TBL_SIZE; i++)
		d.indir[0][i] = i % nq; /* ethtool_rxfh_indir_default */
	memset(key54, 0, sizeof(key54));
	memcpy(key54, msrss_key, sizeof(msrss_key));
	drv_set_key(key54);
	d.flow_hash[H_TCP4] = RX_HASH_OPT_L4;
	d.flow_hash[H_TCP6] = RX_HASH_OPT_L4;
	d.flow_hash[H_UDP4] = RX_HASH_OPT_L3;
	d.flow_hash[H_UDP6] = RX_HASH_OPT_L3;
	d.flow_hash[H_IP4] = RX_HASH_OPT_L3;
	d.flow_hash[H_IP6] = RX_HASH_OPT_L3;
	d.flow_hash[H_ETHER] = RXH_L2DA;
}

/* fbnic_rpc.c fbnic_rss_reinit_hw */
static void drv_rss_reinit_hw(void)
{
	for (unsigned i = 0; i < FBNIC_RPC_RSS_TBL_SIZE; i++) {
		csr[FBNIC_RPC_RSS_TBL(0, i)] = d.indir[0][i];
		csr[FBNIC_RPC_RSS_TBL(1, i)] = d.indir[1][i];
	}
	for (unsigned i = 0; i < FBNIC_RPC_RSS_KEY_DWORD_LEN; i++)
		csr[FBNIC_RPC_RSS_KEY(i)] = d.rss_key[i];
	csr[FBNIC_RPC_ACT_TBL0_DEFAULT] = FBNIC_RPC_ACT_TBL0_DROP;
	csr[FBNIC_RPC_ACT_TBL1_DEFAULT] = 0;
	csr[FBNIC_RPC_RMI_CONFIG] =
		prep(FBNIC_RPC_RMI_CONFIG_MTU, DRV_MAX_JUMBO_FRAME_SIZE) |
		prep(FBNIC_RPC_RMI_CONFIG_OH_BYTES, DRV_RMI_OH_BYTES) |
		FBNIC_RPC_RMI_CONFIG_ENABLE;
}

/* fbnic_rpc.c fbnic_rss_disable_hw */
static void drv_rss_disable_hw(void)
{
	if (!d.bmc)
		csr[FBNIC_RPC_RMI_CONFIG] =
			prep(FBNIC_RPC_RMI_CONFIG_OH_BYTES, DRV_RMI_OH_BYTES);
}

/* fbnic_rpc.c fbnic_flow_hash_2_rss_en_mask */
static uint16_t drv_rss_en_mask(unsigned flow_type)
{
	uint32_t fh = d.flow_hash[flow_type], m = 0;

	if (fh & RXH_L2DA)
		m |= FBNIC_RPC_ACT_TBL1_RSS_ENA_L2_DA;
	if (fh & RXH_IP_SRC)
		m |= FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC;
	if (fh & RXH_IP_DST)
		m |= FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST;
	if (fh & RXH_L4_B_0_1)
		m |= FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_SRC;
	if (fh & RXH_L4_B_2_3)
		m |= FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_DST;
	if (fh & RXH_IP6_FL)
		m |= FBNIC_RPC_ACT_TBL1_RSS_ENA_OV6_FL_LBL |
		     FBNIC_RPC_ACT_TBL1_RSS_ENA_IV6_FL_LBL;
	return (uint16_t)m;
}

/* fbnic_rpc.c FBNIC_ACT1_INIT */
static uint16_t act1_init(bool l4, bool udp, bool ip, bool v6)
{
	return (uint16_t)((l4 ? FBNIC_RPC_TCAM_ACT1_L4_VALID : 0) |
			  (udp ? FBNIC_RPC_TCAM_ACT1_L4_IS_UDP : 0) |
			  (ip ? FBNIC_RPC_TCAM_ACT1_IP_VALID : 0) |
			  (v6 ? FBNIC_RPC_TCAM_ACT1_IP_IS_V6 : 0));
}

/* fbnic_rpc.c fbnic_rss_reinit: the RSS rules (software state). */
static void drv_rss_reinit(void)
{
	const uint16_t act1_value[H_NUM] = {
		act1_init(1, 1, 1, 1), act1_init(1, 1, 1, 0),
		act1_init(1, 0, 1, 1), act1_init(1, 0, 1, 0),
		act1_init(0, 0, 1, 1), act1_init(0, 0, 1, 0), 0,
	};

	for (unsigned i = d.bmc ? 0 : DRV_RSS_EN_NUM_UNICAST;
	     i < DRV_RSS_EN_NUM_ENTRIES; i++) {
		struct drv_act *a = &d.act[i + DRV_ACT_RSS_OFFSET];
		unsigned flow_type = i % DRV_RSS_EN_NUM_UNICAST;
		uint32_t fh = d.flow_hash[flow_type];
		uint32_t dest = prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
				     !(fh & RXH_DISCARD) ?
				     FBNIC_RPC_ACT_TBL0_DEST_HOST : 0);
		uint16_t value = 0;

		if (i >= DRV_RSS_EN_NUM_UNICAST && d.bmc)
			dest |= prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
				     FBNIC_RPC_ACT_TBL0_DEST_BMC);
		if (!dest)
			dest = FBNIC_RPC_ACT_TBL0_DROP;
		else if (d.tstamp_mask & (1u << flow_type))
			dest |= FBNIC_RPC_ACT_TBL0_TS_ENA;
		dest |= prep(FBNIC_RPC_ACT_TBL0_DMA_HINT,
			     FBNIC_RCD_HDR_AL_DMA_HINT_L4);
		a->dest = dest;
		a->rss_en_mask = drv_rss_en_mask(flow_type);
		a->mask[0] = 0xffff;
		if (i < DRV_RSS_EN_NUM_UNICAST)
			value = (uint16_t)prep(FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX,
					       DRV_MACDA_BOUNDARY);
		value |= FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID;
		value |= act1_value[flow_type];
		a->value[1] = value;
		a->mask[1] = (uint16_t)~value;
		for (unsigned j = 2; j < FBNIC_RPC_TCAM_ACT_WORD_LEN; j++)
			a->mask[j] = 0xffff;
		a->state = S_UPDATE;
	}
}

/* fbnic_rpc.c fbnic_clear_act_tcam */
static void drv_clear_act_tcam(unsigned idx)
{
	for (unsigned i = 0; i <= FBNIC_RPC_TCAM_ACT_WORD_LEN; i++)
		csr[FBNIC_RPC_TCAM_ACT(idx, i)] = 0;
}

/* fbnic_rpc.c fbnic_write_rules (fbnic_update_act_tcam,
 * fbnic_delete_act_tcam) */
static void drv_write_rules(void)
{
	for (unsigned idx = 0; idx < FBNIC_RPC_ACT_TBL_NUM_ENTRIES; idx++) {
		struct drv_act *a = &d.act[idx];

		if (!(a->state & S_UPDATE))
			continue;
		if (a->state == S_DELETE) {
			drv_clear_act_tcam(idx);
			memset(a, 0, sizeof(*a));
			continue;
		}
		csr[FBNIC_RPC_ACT_TBL0(idx)] = a->dest;
		csr[FBNIC_RPC_ACT_TBL1(idx)] = a->rss_en_mask;
		unsigned i;
		for (i = 0; i < FBNIC_RPC_TCAM_ACT_WORD_LEN; i++)
			csr[FBNIC_RPC_TCAM_ACT(idx, i)] =
				prep(FBNIC_RPC_TCAM_ACT_MASK, a->mask[i]) |
				prep(FBNIC_RPC_TCAM_ACT_VALUE, a->value[i]);
		csr[FBNIC_RPC_TCAM_ACT(idx, i)] = FBNIC_RPC_TCAM_VALIDATE;
		a->state = S_VALID;
	}
}

/* fbnic_rpc.c fbnic_clear_macda_entry */
static void drv_clear_macda_entry(unsigned idx)
{
	for (unsigned i = 0; i <= FBNIC_RPC_TCAM_MACDA_WORD_LEN; i++)
		csr[FBNIC_RPC_TCAM_MACDA(idx, i)] = 0;
}

/* fbnic_rpc.c fbnic_write_macda (fbnic_write_macda_entry: word i holds
 * the address's 16-bit group 2 - i, as a big-endian number) */
static void drv_write_macda(void)
{
	for (unsigned idx = FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES; idx--;) {
		struct drv_mac *m = &d.mac[idx];

		if (!(m->state & S_UPDATE))
			continue;
		if (m->state == S_DELETE) {
			drv_clear_macda_entry(idx);
			memset(m, 0, sizeof(*m));
			continue;
		}
		unsigned i;
		for (i = 0; i < FBNIC_RPC_TCAM_MACDA_WORD_LEN; i++) {
			unsigned g = 2 * (FBNIC_RPC_TCAM_MACDA_WORD_LEN - 1 - i);
			uint32_t mask = (uint32_t)m->mask[g] << 8 | m->mask[g + 1];
			uint32_t val = (uint32_t)m->value[g] << 8 |
				       m->value[g + 1];
			csr[FBNIC_RPC_TCAM_MACDA(idx, i)] =
				prep(FBNIC_RPC_TCAM_MACDA_MASK, mask) |
				prep(FBNIC_RPC_TCAM_MACDA_VALUE, val);
		}
		csr[FBNIC_RPC_TCAM_MACDA(idx, i)] = FBNIC_RPC_TCAM_VALIDATE;
		m->state = S_VALID;
	}
}

/* fbnic_rpc.c fbnic_write_ip_addr for one of the inner tables
 * (fbnic_write_ip_src_entry / fbnic_write_ip_dst_entry /
 * fbnic_clear_ip_*_entry) */
static void drv_write_ip_table(struct drv_ip *t, bool dst)
{
	for (unsigned idx = FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES; idx--;) {
		struct drv_ip *ip = &t[idx];
		unsigned i;

		if (!(ip->state & S_UPDATE))
			continue;
		if (ip->state == S_DELETE) {
			for (i = 0; i <= FBNIC_RPC_TCAM_IP_ADDR_WORD_LEN; i++)
				csr[dst ? FBNIC_RPC_TCAM_IPDST(idx, i) :
				    FBNIC_RPC_TCAM_IPSRC(idx, i)] = 0;
			memset(ip, 0, sizeof(*ip));
			continue;
		}
		for (i = 0; i < FBNIC_RPC_TCAM_IP_ADDR_WORD_LEN; i++) {
			unsigned g = 2 * (FBNIC_RPC_TCAM_IP_ADDR_WORD_LEN - 1 - i);
			uint32_t mask = (uint32_t)ip->mask[g] << 8 |
					ip->mask[g + 1];
			uint32_t val = (uint32_t)ip->value[g] << 8 |
				       ip->value[g + 1];
			csr[dst ? FBNIC_RPC_TCAM_IPDST(idx, i) :
			    FBNIC_RPC_TCAM_IPSRC(idx, i)] =
				prep(FBNIC_RPC_TCAM_IP_ADDR_MASK, mask) |
				prep(FBNIC_RPC_TCAM_IP_ADDR_VALUE, val);
		}
		csr[dst ? FBNIC_RPC_TCAM_IPDST(idx, i) :
		    FBNIC_RPC_TCAM_IPSRC(idx, i)] =
			(ip->version == 6 ? FBNIC_RPC_TCAM_IP_ADDR_IS_V6 : 0) |
			FBNIC_RPC_TCAM_VALIDATE;
		ip->state = S_VALID;
	}
}

static void drv_write_ip_addr(void)
{
	drv_write_ip_table(d.ip_src, false);
	drv_write_ip_table(d.ip_dst, true);
}

/* fbnic_rpc.c __fbnic_xc_unsync */
static int drv_xc_unsync(struct drv_mac *m, unsigned bit)
{
	if (!(m->act & (1ull << bit)))
		return -1;
	m->act &= ~(1ull << bit);
	if (!m->act)
		m->state = S_DELETE;
	return 0;
}

/* fbnic_rpc.c __fbnic_mc_sync (without its pull of a BMC multicast
 * address into the shared area: the BMC here has a unicast one). */
static struct drv_mac *drv_mc_sync(const uint8_t *addr)
{
	struct drv_mac *avail = NULL;

	for (unsigned i = DRV_MACDA_BOUNDARY; --i > DRV_MACDA_BROADCAST_IDX;) {
		struct drv_mac *m = &d.mac[i];

		if (m->state == S_DISABLED) {
			avail = m;
		} else if (!memcmp(m->value, addr, 6)) {
			avail = m;
			break;
		}
	}
	if (avail && avail->state == S_DISABLED) {
		memcpy(avail->value, addr, 6);
		memset(avail->mask, 0, 6);
		avail->state = S_ADD;
	}
	return avail;
}

/* fbnic_rpc.c __fbnic_uc_sync */
static struct drv_mac *drv_uc_sync(const uint8_t *addr)
{
	struct drv_mac *avail = NULL;

	for (unsigned i = DRV_MACDA_BOUNDARY - 1; i < DRV_MACDA_HOST_ADDR_IDX;
	     i++) {
		struct drv_mac *m = &d.mac[i];

		if (m->state == S_DISABLED) {
			avail = m;
		} else if (!memcmp(m->value, addr, 6)) {
			avail = m;
			break;
		}
	}
	if (avail && avail->state == S_DISABLED) {
		memcpy(avail->value, addr, 6);
		memset(avail->mask, 0, 6);
		avail->state = S_ADD;
	}
	return avail;
}

/* fbnic_rpc.c fbnic_promisc_sync (no firmware all-multi capability) */
static void drv_promisc_sync(bool uc_promisc, bool mc_promisc)
{
	struct drv_mac *m = &d.mac[DRV_MACDA_PROMISC_IDX];

	if (uc_promisc) {
		if (!is_zero_mac(m->value) || m->state != S_VALID) {
			memset(m->value, 0, 6);
			memset(m->mask, 0xff, 6);
			m->act &= ~(1ull << T_ALLMULTI);
			m->act |= 1ull << T_PROMISC;
			m->state = S_ADD;
		}
	} else if (mc_promisc) {
		if (!(m->value[0] & 1) || m->state != S_VALID) {
			memset(m->value, 0, 6);
			memset(m->mask, 0xff, 6);
			m->value[0] ^= 1;
			m->mask[0] ^= 1;
			m->act |= 1ull << T_ALLMULTI;
			m->act &= ~(1ull << T_PROMISC);
			m->state = S_ADD;
		}
	} else if (m->state == S_VALID) {
		drv_xc_unsync(m, T_ALLMULTI);
		drv_xc_unsync(m, T_PROMISC);
	}
}

/* fbnic_netdev.c fbnic_mc_unsync */
static void drv_mc_unsync(const uint8_t *addr)
{
	for (unsigned i = DRV_MACDA_BOUNDARY; --i > DRV_MACDA_BROADCAST_IDX;)
		if (!memcmp(d.mac[i].value, addr, 6) &&
		    !drv_xc_unsync(&d.mac[i], T_MULTICAST))
			return;
}

/* fbnic_netdev.c __fbnic_set_rx_mode.  fbnic_bmc_rpc_all_multi_config
 * and fbnic_sift_macda change nothing without the firmware's all-multi
 * capability and with the BMC's unicast address only. */
static void drv_set_rx_mode(void)
{
	struct drv_mac *m = &d.mac[DRV_MACDA_HOST_ADDR_IDX];
	bool uc_promisc = false, mc_promisc = false;

	if (memcmp(m->value, d.dev_addr, 6) || m->state != S_VALID) {
		memcpy(m->value, d.dev_addr, 6);
		m->state = S_UPDATE;
		m->act |= 1ull << T_UNICAST;
	}
	m = &d.mac[DRV_MACDA_BROADCAST_IDX]; /* IFF_BROADCAST */
	if (!is_bcast_mac(m->value) || m->state != S_VALID) {
		memset(m->value, 0xff, 6);
		m->state = S_ADD;
	}
	m->act |= 1ull << T_BROADCAST;

	/* __hw_addr_sync_dev: drop the addresses gone, add the new ones,
	 * stop at the first that finds no room. */
	for (unsigned i = 0; i < d.nmc; i++) {
		if (d.mc_synced[i])
			continue;
		struct drv_mac *a = drv_mc_sync(d.mc[i]);
		if (!a) {
			mc_promisc = true;
			break;
		}
		a->act |= 1ull << T_MULTICAST;
		d.mc_synced[i] = true;
	}
	uc_promisc |= d.promisc;
	mc_promisc |= d.allmulti || uc_promisc;
	drv_promisc_sync(uc_promisc, mc_promisc);
	drv_write_rules();
	drv_write_macda();
}

static void drv_mc_add(const uint8_t *addr)
{
	memcpy(d.mc[d.nmc], addr, 6);
	d.mc_synced[d.nmc++] = false;
	drv_set_rx_mode();
}

static void drv_mc_del(const uint8_t *addr)
{
	for (unsigned i = 0; i < d.nmc; i++) {
		if (memcmp(d.mc[i], addr, 6))
			continue;
		if (d.mc_synced[i])
			drv_mc_unsync(addr);
		memmove(&d.mc[i], &d.mc[i + 1], (d.nmc - i - 1) * 6);
		memmove(&d.mc_synced[i], &d.mc_synced[i + 1],
			(d.nmc - i - 1) * sizeof(bool));
		d.nmc--;
		break;
	}
	drv_set_rx_mode();
}

/* fbnic_rpc.c fbnic_bmc_rpc_init, one unicast BMC address */
static void drv_bmc_rpc_init(void)
{
	if (!d.bmc)
		return;
	struct drv_mac *m = &d.mac[0];
	memcpy(m->value, d.bmc_addr, 6);
	memset(m->mask, 0, 6);
	m->act |= 1ull << T_BMC;
	m->state = S_ADD;
	m = &d.mac[DRV_MACDA_BROADCAST_IDX];
	memset(m->value, 0xff, 6);
	m->act |= 1ull << T_BMC;
	m->state = S_ADD;

	struct drv_act *a = &d.act[DRV_ACT_BMC_OFFSET];
	a->dest = prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
		       FBNIC_RPC_ACT_TBL0_DEST_BMC);
	a->mask[0] = 0xffff;
	a->value[1] = FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID;
	a->mask[1] = (uint16_t)(0xffff &
				~prep(FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX, 0x1c) &
				~FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID);
	for (unsigned j = 2; j < FBNIC_RPC_TCAM_ACT_WORD_LEN; j++)
		a->mask[j] = 0xffff;
	a->state = S_UPDATE;
}

/* ip link set up: fbnic_netdev.c __fbnic_open (fbnic_bmc_rpc_init,
 * fbnic_rss_reinit), fbnic_pci.c fbnic_up (fbnic_rss_reinit_hw,
 * __fbnic_set_rx_mode). */
static void drv_ifup(void)
{
	drv_bmc_rpc_init();
	drv_rss_reinit();
	drv_rss_reinit_hw();
	drv_set_rx_mode();
}

/* ip link set down: fbnic_pci.c fbnic_down_noidle (fbnic_clear_rx_mode,
 * fbnic_clear_rules, fbnic_rss_disable_hw). */
static void drv_ifdown(void)
{
	for (unsigned idx = FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES; idx--;) {
		struct drv_mac *m = &d.mac[idx];
		if (m->state != S_VALID)
			continue;
		for (unsigned b = T_BROADCAST; b <= T_PROMISC; b++)
			m->act &= ~(1ull << b);
		if (!m->act)
			m->state = S_DELETE;
	}
	drv_write_macda();
	memset(d.mc_synced, 0, sizeof(d.mc_synced));

	/* fbnic_clear_rules: fbnic_clear_macda, then the action TCAM. */
	for (unsigned idx = FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES; idx--;) {
		struct drv_mac *m = &d.mac[idx];
		if (m->state == S_DISABLED)
			continue;
		if ((m->act & (1ull << T_BMC)) && d.bmc)
			continue;
		drv_clear_macda_entry(idx);
		if (m->state == S_DELETE) {
			memset(m, 0, sizeof(*m));
			continue;
		}
		m->state = S_UPDATE;
	}
	if (d.bmc) {
		unsigned i = FBNIC_RPC_TCAM_ACT_NUM_ENTRIES - 1;
		uint32_t dest = prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
				     FBNIC_RPC_ACT_TBL0_DEST_BMC);
		if (d.act[i].state == S_VALID && (d.act[i].dest & dest)) {
			csr[FBNIC_RPC_ACT_TBL0(i)] = dest;
			csr[FBNIC_RPC_ACT_TBL1(i)] = 0;
			d.act[i].state = S_UPDATE;
		}
	}
	for (unsigned i = FBNIC_RPC_TCAM_ACT_NUM_ENTRIES; i--;) {
		if (d.act[i].state != S_VALID)
			continue;
		drv_clear_act_tcam(i);
		d.act[i].state = S_UPDATE;
	}
	drv_rss_disable_hw();
}

/* ethtool -N rx-flow-hash / hwtstamp rx_filter: fbnic_set_rss_hash_opts
 * and fbnic_hwtstamp_set rewrite the RSS rules. */
static void drv_rss_rules_changed(void)
{
	drv_rss_reinit();
	drv_write_rules();
}

/* ethtool -X: fbnic_set_rxfh / fbnic_modify_rxfh_context */
static void drv_set_indir(unsigned t, unsigned (*f)(unsigned i))
{
	for (unsigned i = 0; i < FBNIC_RPC_RSS_TBL_SIZE; i++)
		d.indir[t][i] = f(i);
	drv_rss_reinit_hw();
}

/* ---- ethtool -N flow-type ... (fbnic_ethtool.c) ------------------------ */

enum nfc_flow { F_TCP4, F_UDP4, F_IP4, F_TCP6, F_UDP6, F_IP6, F_ETHER };

struct nfc {
	enum nfc_flow flow;
	long ring;              /* a queue; -1: action -1 (drop) */
	unsigned context;       /* with rss: context N */
	bool rss;
	const char *src, *dst;  /* whole addresses (/32, /128), or NULL */
	uint16_t sport, sport_mask, dport, dport_mask;
	const uint8_t *mac;     /* ether dst, or NULL */
};

/* fbnic_rpc.c __fbnic_ip4_sync / __fbnic_ip6_sync for whole addresses
 * (no prefixes, so the prefix-ordering rules never come into play): an
 * equal entry, else IPv4 takes the highest free entry, IPv6 the
 * lowest. */
static struct drv_ip *drv_ip_sync(struct drv_ip *t, int version,
				  const uint8_t *addr)
{
	struct drv_ip *avail = NULL;
	size_t alen = version == 4 ? 4 : 16;

	for (unsigned n = 0; n < FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES; n++) {
		unsigned i = version == 4 ?
			     n : FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES - 1 - n;
		struct drv_ip *ip = &t[i];
		if (ip->state == S_DISABLED) {
			avail = ip;
			continue;
		}
		if (ip->version == version &&
		    !memcmp(ip->value + 16 - alen, addr, alen)) {
			avail = ip;
			break;
		}
	}
	if (avail && avail->state == S_DISABLED) {
		memset(avail->value, 0, 16);
		memcpy(avail->value + 16 - alen, addr, alen);
		memset(avail->mask, 0, 16);
		if (version == 4)
			memset(avail->mask, 0xff, 12);
		avail->version = version;
		avail->state = S_ADD;
	}
	return avail;
}

/* fbnic_ethtool.c fbnic_set_cls_rule_ins: the action entry used, or -1. */
static int drv_nfc_insert(const struct nfc *r)
{
	uint16_t flow_value = 0, flow_mask = 0xffff;
	uint16_t ip_value = 0, ip_mask = 0xffff;
	uint32_t dest = prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
			     FBNIC_RPC_ACT_TBL0_DEST_HOST);
	bool v6 = r->flow == F_TCP6 || r->flow == F_UDP6 || r->flow == F_IP6;
	int version = v6 ? 6 : 4;
	struct drv_ip *src = NULL, *dst = NULL;
	struct drv_mac *mac = NULL;
	uint8_t addr[16];
	int loc = -1;

	/* fbnic_cls_rule_any_loc: the highest free location */
	for (unsigned i = DRV_ACT_NFC_ENTRIES; i--;)
		if (d.act[i + DRV_ACT_NFC_OFFSET].state != S_VALID) {
			loc = (int)i;
			break;
		}
	if (loc < 0)
		return -1;
	if (r->ring < 0)
		dest = FBNIC_RPC_ACT_TBL0_DROP;
	else if (r->rss)
		dest |= r->context == 1 ? FBNIC_RPC_ACT_TBL0_RSS_CTXT_ID : 0;
	else
		dest |= FBNIC_RPC_ACT_TBL0_Q_SEL |
			prep(FBNIC_RPC_ACT_TBL0_Q_ID, (uint32_t)r->ring);
	unsigned idx = (unsigned)loc + DRV_ACT_NFC_OFFSET;
	struct drv_act *a = &d.act[idx];
	unsigned hash_idx;

	switch (r->flow) {
	case F_UDP4:
	case F_UDP6:
		flow_value |= FBNIC_RPC_TCAM_ACT1_L4_IS_UDP;
		/* fall through */
	case F_TCP4:
	case F_TCP6:
		flow_value |= FBNIC_RPC_TCAM_ACT1_L4_VALID;
		flow_mask &= (uint16_t)~(FBNIC_RPC_TCAM_ACT1_L4_IS_UDP |
					 FBNIC_RPC_TCAM_ACT1_L4_VALID);
		/* fall through */
	case F_IP4:
	case F_IP6:
		if (r->src) {
			if (inet_pton(v6 ? AF_INET6 : AF_INET, r->src, addr) != 1)
				abort();
			src = drv_ip_sync(d.ip_src, version, addr);
			src->act |= 1ull << idx;
			ip_value |= (uint16_t)(FBNIC_RPC_TCAM_ACT0_IPSRC_VALID |
				    prep(FBNIC_RPC_TCAM_ACT0_IPSRC_IDX,
					 (uint32_t)(src - d.ip_src)));
			ip_mask &= (uint16_t)~(FBNIC_RPC_TCAM_ACT0_IPSRC_VALID |
					       FBNIC_RPC_TCAM_ACT0_IPSRC_IDX);
		}
		if (r->dst) {
			if (inet_pton(v6 ? AF_INET6 : AF_INET, r->dst, addr) != 1)
				abort();
			dst = drv_ip_sync(d.ip_dst, version, addr);
			dst->act |= 1ull << idx;
			ip_value |= (uint16_t)(FBNIC_RPC_TCAM_ACT0_IPDST_VALID |
				    prep(FBNIC_RPC_TCAM_ACT0_IPDST_IDX,
					 (uint32_t)(dst - d.ip_dst)));
			ip_mask &= (uint16_t)~(FBNIC_RPC_TCAM_ACT0_IPDST_VALID |
					       FBNIC_RPC_TCAM_ACT0_IPDST_IDX);
		}
		flow_value |= FBNIC_RPC_TCAM_ACT1_IP_VALID |
			      FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID |
			      (v6 ? FBNIC_RPC_TCAM_ACT1_IP_IS_V6 : 0);
		flow_mask &= (uint16_t)~(FBNIC_RPC_TCAM_ACT1_IP_IS_V6 |
					 FBNIC_RPC_TCAM_ACT1_IP_VALID |
					 FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID);
		break;
	case F_ETHER:
		if (r->mac) {
			mac = (r->mac[0] & 1) ? drv_mc_sync(r->mac) :
						drv_uc_sync(r->mac);
			mac->act |= 1ull << idx;
			flow_value |= (uint16_t)prep(
				FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX,
				(uint32_t)(mac - d.mac));
			flow_mask &= (uint16_t)~FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX;
		}
		flow_value |= FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID;
		flow_mask &= (uint16_t)~FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID;
		break;
	}
	/* fbnic_get_rss_hash_idx */
	static const unsigned hash_of[] = {
		[F_TCP4] = H_TCP4, [F_UDP4] = H_UDP4, [F_IP4] = H_IP4,
		[F_TCP6] = H_TCP6, [F_UDP6] = H_UDP6, [F_IP6] = H_IP6,
		[F_ETHER] = H_ETHER,
	};
	hash_idx = hash_of[r->flow];
	bool ports = r->flow == F_TCP4 || r->flow == F_UDP4 ||
		     r->flow == F_TCP6 || r->flow == F_UDP6;

	dest |= prep(FBNIC_RPC_ACT_TBL0_DMA_HINT, FBNIC_RCD_HDR_AL_DMA_HINT_L4);
	a->dest = dest;
	a->rss_en_mask = drv_rss_en_mask(hash_idx);
	a->value[0] = ip_value;
	a->mask[0] = ip_mask;
	a->value[1] = flow_value;
	a->mask[1] = flow_mask;
	a->value[2] = 0;
	a->mask[2] = 0xffff;
	a->value[3] = ports ? r->sport : 0;
	a->mask[3] = ports ? (uint16_t)~r->sport_mask : 0xffff;
	a->value[4] = ports ? r->dport : 0;
	a->mask[4] = ports ? (uint16_t)~r->dport_mask : 0xffff;
	for (unsigned j = 5; j < FBNIC_RPC_TCAM_ACT_WORD_LEN; j++)
		a->mask[j] = 0xffff;
	a->state = S_UPDATE;

	drv_write_rules();
	if (src || dst)
		drv_write_ip_addr();
	if (mac)
		drv_write_macda();
	return (int)idx;
}

/* fbnic_ethtool.c fbnic_set_cls_rule_del */
static void drv_nfc_delete(unsigned idx)
{
	struct drv_act *a = &d.act[idx];

	a->state = S_DELETE;
	if ((a->value[1] & FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID) &&
	    (~a->mask[1] & FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX)) {
		for (unsigned i = FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES; i--;)
			drv_xc_unsync(&d.mac[i], idx);
		drv_write_macda();
	}
	if (~a->mask[0] & (FBNIC_RPC_TCAM_ACT0_IPSRC_IDX |
			   FBNIC_RPC_TCAM_ACT0_IPDST_IDX)) {
		for (unsigned i = 0; i < FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES;
		     i++) {
			struct drv_ip *t[2] = { &d.ip_src[i], &d.ip_dst[i] };
			for (unsigned k = 0; k < 2; k++) {
				if (!(t[k]->act & (1ull << idx)))
					continue;
				t[k]->act &= ~(1ull << idx);
				if (!t[k]->act)
					t[k]->state = S_DELETE;
			}
		}
		drv_write_ip_addr();
	}
	drv_write_rules();
}

/* ==== Frames ============================================================= */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t other_uc[6] = { 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a };

/* TCP (6), UDP (17) or another protocol over IPv4 or IPv6 (af), src:sport
 * -> dst:dport, to da.  Checksums are left stale: nothing here reads
 * them. */
static size_t ip_frame(uint8_t *buf, size_t cap, const uint8_t *da, int af,
		       uint8_t proto, const char *src, const char *dst,
		       uint16_t sport, uint16_t dport, size_t payload_len)
{
	static uint8_t pay[DRV_MAX_JUMBO_FRAME_SIZE];
	struct pr_spec s = { .ip = af == AF_INET ? 4 : 6, .proto = proto,
			     .payload = pay, .payload_len = payload_len };
	size_t l3, l4;
	size_t len = pr_build(buf, cap, &s, &l3, &l4, NULL);
	size_t aoff = af == AF_INET ? 12 : 8, alen = af == AF_INET ? 4 : 16;

	memcpy(buf, da, 6);
	if (inet_pton(af, src, buf + l3 + aoff) != 1 ||
	    inet_pton(af, dst, buf + l3 + aoff + alen) != 1)
		abort();
	if (proto == 6 || proto == 17) {
		buf[l4] = (uint8_t)(sport >> 8);
		buf[l4 + 1] = (uint8_t)sport;
		buf[l4 + 2] = (uint8_t)(dport >> 8);
		buf[l4 + 3] = (uint8_t)dport;
	}
	return len;
}

/* A frame of a Microsoft table row, to da. */
static size_t row_frame(uint8_t *buf, size_t cap, const uint8_t *da, int af,
			uint8_t proto, const struct msrss_row *r)
{
	return ip_frame(buf, cap, da, af, proto, r->src, r->dst, r->sport,
			r->dport, 4);
}

/* An ARP request (60 bytes, padded) to da. */
static size_t arp_frame(uint8_t *buf, const uint8_t *da)
{
	static const uint8_t arp[28] = {
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x99, 192, 0, 2, 9,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 1,
	};
	memset(buf, 0, 60);
	memcpy(buf, da, 6);
	memcpy(buf + 6, "\x02\x00\x00\x00\x00\x99\x08\x06", 8);
	memcpy(buf + 14, arp, sizeof(arp));
	return 60;
}

/* Classify a copy of exactly len bytes as the data path does: with a
 * cache kept across frames, rebuilt when the RPC registers changed
 * (dev/blocks.c counts their writes; here, the blocks differ from a copy
 * taken at the last build).  Each frame goes through it twice (the second
 * time its flow is remembered) and once through a cache built for it
 * alone: the three results are the same. */
static void classify(const uint8_t *frame, size_t len,
		     struct fbnic_rpc_result *r)
{
	enum { RPC = FBNIC_CSR_START_RPC, RPC_N = FBNIC_CSR_END_RPC - RPC + 1,
	       RAM = FBNIC_CSR_START_RPC_RAM,
	       RAM_N = FBNIC_CSR_END_RPC_RAM - RAM + 1 };
	static uint32_t seen_rpc[RPC_N], seen_ram[RAM_N];
	static struct fbnic_rpc_cache kept, fresh;
	static bool built;
	struct pkt_info pi;
	uint8_t *f = pr_dup(frame, len);

	pkt_parse(f, len, &pi);
	if (!built || memcmp(seen_rpc, csr + RPC, sizeof(seen_rpc)) ||
	    memcmp(seen_ram, csr + RAM, sizeof(seen_ram))) {
		memcpy(seen_rpc, csr + RPC, sizeof(seen_rpc));
		memcpy(seen_ram, csr + RAM, sizeof(seen_ram));
		fbnic_rpc_cache_build(&kept, csr);
		built = true;
	}
	struct fbnic_rpc_result again, alone;
	fbnic_rpc_classify(csr, &kept, f, len, &pi, r);
	fbnic_rpc_classify(csr, &kept, f, len, &pi, &again);
	fbnic_rpc_cache_build(&fresh, csr);
	fbnic_rpc_classify(csr, &fresh, f, len, &pi, &alone);
	CHECK(!memcmp(r, &again, sizeof(*r)));
	CHECK(!memcmp(r, &alone, sizeof(*r)));
	free(f);
}

static uint32_t toeplitz54(const uint8_t *in, size_t n)
{
	uint32_t h = 0;
	if (pkt_toeplitz(key54, sizeof(key54), in, n, &h))
		abort();
	return h;
}

/* The action entry of an RSS rule (fbnic_rss_reinit's layout): the
 * unicast ones exist only with a BMC. */
static int rss_entry(unsigned flow_type, bool unicast)
{
	return (int)(DRV_ACT_RSS_OFFSET + flow_type +
		     (unicast ? 0 : DRV_RSS_EN_NUM_UNICAST));
}

static void check_rss(const struct fbnic_rpc_result *r, uint32_t hash,
		      int act_idx)
{
	CHECK(r->host);
	CHECK_INT(r->drop, FBNIC_RPC_DROP_NONE);
	CHECK_EQ(r->hash, hash);
	CHECK_INT(r->act_idx, act_idx);
	CHECK_INT(r->queue, d.indir[0][hash & 0xff]);
	CHECK_INT(r->dma_hint, FBNIC_RCD_HDR_AL_DMA_HINT_L4);
	CHECK(!r->ts);
}

static void check_drop(const struct fbnic_rpc_result *r,
		       enum fbnic_rpc_drop why)
{
	CHECK(!r->host);
	CHECK_INT(r->drop, why);
}

static unsigned indir_spread(unsigned i)
{
	return (i * 7 + 3) % 16;
}

static unsigned indir_ctx1(unsigned i)
{
	return 100 + i % 3;
}

/* ==== Tests ============================================================== */

/* The RPC_RAM arrays tile their block in fbnic_csr.h's order; the RSS
 * key is 425 bits. */
static void test_register_map(void)
{
	CHECK_EQ(FBNIC_RPC_ACT_TBL0(0), FBNIC_CSR_START_RPC_RAM);
	CHECK_EQ(FBNIC_RPC_ACT_TBL0(63) + 1, FBNIC_RPC_ACT_TBL1(0));
	CHECK_EQ(FBNIC_RPC_ACT_TBL1(63) + 1, FBNIC_RPC_TCAM_ACT(0, 0));
	CHECK_EQ(FBNIC_RPC_TCAM_ACT(63, 11) + 1, FBNIC_RPC_TCAM_MACDA(0, 0));
	CHECK_EQ(FBNIC_RPC_TCAM_MACDA(31, 3) + 1,
		 FBNIC_RPC_TCAM_OUTER_IPSRC(0, 0));
	CHECK_EQ(FBNIC_RPC_TCAM_OUTER_IPSRC(7, 8) + 1,
		 FBNIC_RPC_TCAM_OUTER_IPDST(0, 0));
	CHECK_EQ(FBNIC_RPC_TCAM_OUTER_IPDST(7, 8) + 1,
		 FBNIC_RPC_TCAM_IPSRC(0, 0));
	CHECK_EQ(FBNIC_RPC_TCAM_IPSRC(7, 8) + 1, FBNIC_RPC_TCAM_IPDST(0, 0));
	CHECK_EQ(FBNIC_RPC_TCAM_IPDST(7, 8) + 1, FBNIC_RPC_RSS_TBL(0, 0));
	CHECK_EQ(FBNIC_RPC_RSS_TBL(1, 255), FBNIC_CSR_END_RPC_RAM);
	CHECK_EQ(FBNIC_RPC_RMI_CONFIG, FBNIC_CSR_START_RPC);
	CHECK(FBNIC_RPC_RSS_KEY(FBNIC_RPC_RSS_KEY_LAST_IDX) <
	      FBNIC_CSR_END_RPC);
	CHECK_INT(32 * FBNIC_RPC_RSS_KEY_LAST_IDX +
		  __builtin_popcount(FBNIC_RPC_RSS_KEY_LAST_MASK),
		  FBNIC_RPC_RSS_KEY_BIT_LEN);
	CHECK_INT(FBNIC_RPC_RSS_KEY_BYTE_LEN,
		  (FBNIC_RPC_RSS_KEY_BIT_LEN + 7) / 8);
	CHECK(FBNIC_RPC_RSS_KEY_BYTE_LEN >= PKT_RSS_FIELDS_MAX + 4);

	for (int i = 0; i < FBNIC_RPC_DROP_COUNT; i++) {
		const char *n = fbnic_rpc_drop_name((enum fbnic_rpc_drop)i);
		CHECK(strcmp(n, "unknown") != 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(n, fbnic_rpc_drop_name(
					 (enum fbnic_rpc_drop)j)) != 0);
	}
	CHECK(!strcmp(fbnic_rpc_drop_name(FBNIC_RPC_DROP_COUNT), "unknown"));
}

/* ifup with 16 queues and a spread indirection table: TCP to dev_addr
 * takes the TCP4 / TCP6 rule and Microsoft's 4-tuple hash; the queue is
 * the table's entry for the hash's low byte. */
static void test_unicast_tcp_rss(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;

	drv_probe(16, false);
	drv_ifup();
	drv_set_indir(0, indir_spread);
	for (size_t i = 0; i < msrss_nrows4; i++) {
		size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET,
				       6, &msrss_rows4[i]);
		classify(buf, len, &r);
		check_rss(&r, msrss_rows4[i].with_ports, rss_entry(H_TCP4, 0));
		CHECK_INT(r.queue, indir_spread(msrss_rows4[i].with_ports &
						0xff));
		CHECK_INT(r.macda_idx, DRV_MACDA_HOST_ADDR_IDX);
		CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_IPV4);
		CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_TCP);
	}
	for (size_t i = 0; i < msrss_nrows6; i++) {
		size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET6,
				       6, &msrss_rows6[i]);
		classify(buf, len, &r);
		check_rss(&r, msrss_rows6[i].with_ports, rss_entry(H_TCP6, 0));
		CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_IPV6);
		CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_TCP);
	}
}

/* UDP hashes the 2-tuple by default (fbnic_rss_init_en_mask: UDP is
 * RX_HASH_OPT_L3); ethtool -N rx-flow-hash udp4 sdfn makes it the
 * 4-tuple. */
static void test_udp_two_tuple(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;

	drv_probe(8, false);
	drv_ifup();
	for (size_t i = 0; i < msrss_nrows4; i++) {
		size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET,
				       17, &msrss_rows4[i]);
		classify(buf, len, &r);
		check_rss(&r, msrss_rows4[i].without_ports,
			  rss_entry(H_UDP4, 0));
		CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_UDP);
	}
	for (size_t i = 0; i < msrss_nrows6; i++) {
		size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET6,
				       17, &msrss_rows6[i]);
		classify(buf, len, &r);
		check_rss(&r, msrss_rows6[i].without_ports,
			  rss_entry(H_UDP6, 0));
	}

	d.flow_hash[H_UDP4] = RX_HASH_OPT_L4;
	drv_rss_rules_changed();
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17,
			       &msrss_rows4[1]);
	classify(buf, len, &r);
	check_rss(&r, msrss_rows4[1].with_ports, rss_entry(H_UDP4, 0));
	/* UDP6 keeps its own rule and the 2-tuple. */
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET6, 17,
			&msrss_rows6[1]);
	classify(buf, len, &r);
	check_rss(&r, msrss_rows6[1].without_ports, rss_entry(H_UDP6, 0));

	/* rx-flow-hash tcp6 sdfnl: the flow label goes in after the
	 * ports. */
	d.flow_hash[H_TCP6] = RX_HASH_OPT_L4 | RXH_IP6_FL;
	drv_rss_rules_changed();
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET6, 6,
			&msrss_rows6[2]);
	buf[14 + 1] = 0x0a; /* flow label 0xa1234 */
	buf[14 + 2] = 0x12;
	buf[14 + 3] = 0x34;
	uint8_t in[PKT_RSS_FIELDS_MAX];
	memcpy(in, buf + 14 + 8, 32);
	memcpy(in + 32, buf + 14 + 40, 4);
	memcpy(in + 36, "\x0a\x12\x34", 3);
	classify(buf, len, &r);
	check_rss(&r, toeplitz54(in, 39), rss_entry(H_TCP6, 0));
	CHECK(r.hash != msrss_rows6[2].with_ports);
}

/* Other IP protocols and fragments take the IP rules and the 2-tuple;
 * a VLAN tag changes nothing. */
static void test_ip_other_fragment_vlan(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[3];

	drv_probe(8, false);
	drv_ifup();
	size_t len = ip_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 1,
			      row->src, row->dst, 0, 0, 16); /* ICMP */
	classify(buf, len, &r);
	check_rss(&r, row->without_ports, rss_entry(H_IP4, 0));
	CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_OTHER);

	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	buf[14 + 6] = 0x20; /* MF: the first fragment, with the TCP header */
	classify(buf, len, &r);
	check_rss(&r, row->without_ports, rss_entry(H_IP4, 0));
	CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_IPV4);
	CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_OTHER);

	/* 802.1Q, VID 100 */
	len = row_frame(buf + 4, sizeof(buf) - 4, d.dev_addr, AF_INET, 6, row);
	memmove(buf, buf + 4, 12);
	memcpy(buf + 12, "\x81\x00\x00\x64", 4);
	classify(buf, len + 4, &r);
	check_rss(&r, row->with_ports, rss_entry(H_TCP4, 0));
}

/* Broadcast ARP reaches the host through MACDA entry 4 and the Ether
 * rule, hashed on the destination MAC; ARP to another unicast MAC does
 * not. */
static void test_broadcast_arp(void)
{
	uint8_t buf[64];
	struct fbnic_rpc_result r;

	drv_probe(8, false);
	drv_ifup();
	size_t len = arp_frame(buf, bcast);
	classify(buf, len, &r);
	check_rss(&r, toeplitz54(bcast, 6), rss_entry(H_ETHER, 0));
	CHECK_INT(r.macda_idx, DRV_MACDA_BROADCAST_IDX);
	CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_OTHER);
	CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_OTHER);

	arp_frame(buf, d.dev_addr);
	classify(buf, len, &r);
	check_rss(&r, toeplitz54(d.dev_addr, 6), rss_entry(H_ETHER, 0));
	CHECK_INT(r.macda_idx, DRV_MACDA_HOST_ADDR_IDX);

	arp_frame(buf, other_uc);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
	CHECK_INT(r.macda_idx, -1);
	CHECK_INT(r.act_idx, -1);
}

/* IPv6 multicast (33:33:..) reaches the host only when its address is in
 * the multicast list, or with allmulti / promisc. */
static void test_ipv6_multicast(void)
{
	static const uint8_t snm[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x02 };
	static const uint8_t all[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	uint8_t buf[256];
	struct fbnic_rpc_result r;

	drv_probe(8, false);
	drv_ifup();
	size_t len = ip_frame(buf, sizeof(buf), snm, AF_INET6, 58, "fe80::1",
			      "ff02::1:ff00:2", 0, 0, 24); /* ICMPv6 */
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);

	drv_mc_add(all);
	drv_mc_add(snm);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.act_idx, rss_entry(H_IP6, 0));
	CHECK_INT(r.macda_idx, 6); /* the second one, after 33:33:00:00:00:01 */
	CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_IPV6);
	memcpy(buf, all, 6);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.macda_idx, 5);

	drv_mc_del(snm);
	memcpy(buf, snm, 6);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);

	d.allmulti = true;
	drv_set_rx_mode();
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.macda_idx, DRV_MACDA_PROMISC_IDX);
	/* allmulti is not promisc */
	len = arp_frame(buf, other_uc);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);

	d.allmulti = false;
	drv_set_rx_mode();
	len = ip_frame(buf, sizeof(buf), snm, AF_INET6, 58, "fe80::1",
		       "ff02::1:ff00:2", 0, 0, 24);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
}

/* Unknown unicast is dropped unless promiscuous. */
static void test_unknown_unicast_promisc(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[0];

	drv_probe(8, false);
	drv_ifup();
	size_t len = row_frame(buf, sizeof(buf), other_uc, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
	CHECK_EQ(r.hash, 0); /* the default action hashes nothing */

	d.promisc = true;
	drv_set_rx_mode();
	classify(buf, len, &r);
	check_rss(&r, row->with_ports, rss_entry(H_TCP4, 0));
	CHECK_INT(r.macda_idx, DRV_MACDA_PROMISC_IDX);
	/* dev_addr still matches its own, lower, entry */
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	CHECK_INT(r.macda_idx, DRV_MACDA_HOST_ADDR_IDX);

	d.promisc = false;
	drv_set_rx_mode();
	len = row_frame(buf, sizeof(buf), other_uc, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
}

/* ethtool -N flow rules override RSS: the first takes location 47
 * (action entry 49), the next 46, ... */
static void test_ethtool_rules(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[0];

	drv_probe(16, false);
	drv_ifup();

	/* flow-type tcp4 dst-port 1766 action 3 */
	struct nfc tcp = { .flow = F_TCP4, .ring = 3, .dport = 1766,
			   .dport_mask = 0xffff };
	int e_tcp = drv_nfc_insert(&tcp);
	CHECK_INT(e_tcp, DRV_ACT_NFC_OFFSET + DRV_ACT_NFC_ENTRIES - 1);
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.act_idx, e_tcp);
	CHECK_INT(r.queue, 3);
	CHECK_EQ(r.hash, row->with_ports); /* the TCP4 fields, still hashed */
	CHECK_INT(r.dma_hint, FBNIC_RCD_HDR_AL_DMA_HINT_L4);
	/* another port, UDP, TCP over IPv6, unknown unicast: not this rule */
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6,
			&msrss_rows4[1]);
	classify(buf, len, &r);
	check_rss(&r, msrss_rows4[1].with_ports, rss_entry(H_TCP4, 0));
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17, row);
	classify(buf, len, &r);
	check_rss(&r, row->without_ports, rss_entry(H_UDP4, 0));
	len = ip_frame(buf, sizeof(buf), d.dev_addr, AF_INET6, 6,
		       "2001:db8::1", "2001:db8::2", 2794, 1766, 4);
	classify(buf, len, &r);
	CHECK_INT(r.act_idx, rss_entry(H_TCP6, 0));
	len = row_frame(buf, sizeof(buf), other_uc, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);

	/* flow-type udp4 dst-ip 161.142.100.80 action -1: an IPv4
	 * destination entry (the highest free one, 7) */
	struct nfc udp = { .flow = F_UDP4, .ring = -1,
			   .dst = "161.142.100.80" };
	int e_udp = drv_nfc_insert(&udp);
	CHECK_INT(e_udp, e_tcp - 1);
	CHECK(csr[FBNIC_RPC_TCAM_IPDST(7, 8)] & FBNIC_RPC_TCAM_VALIDATE);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_ACTION);
	CHECK_INT(r.act_idx, e_udp);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17,
			&msrss_rows4[2]);
	classify(buf, len, &r);
	check_rss(&r, msrss_rows4[2].without_ports, rss_entry(H_UDP4, 0));

	/* flow-type tcp6 src-ip 3ffe:2501:200:1fff::7 action 5: an IPv6
	 * source entry (the lowest free one, 0); its IPv4 twin does not
	 * match it */
	struct nfc tcp6 = { .flow = F_TCP6, .ring = 5,
			    .src = "3ffe:2501:200:1fff::7" };
	int e_tcp6 = drv_nfc_insert(&tcp6);
	CHECK_EQ(csr[FBNIC_RPC_TCAM_IPSRC(0, 8)],
		 FBNIC_RPC_TCAM_VALIDATE | FBNIC_RPC_TCAM_IP_ADDR_IS_V6);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET6, 6,
			&msrss_rows6[0]);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.act_idx, e_tcp6);
	CHECK_INT(r.queue, 5);
	CHECK_EQ(r.hash, msrss_rows6[0].with_ports);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET6, 6,
			&msrss_rows6[1]);
	classify(buf, len, &r);
	check_rss(&r, msrss_rows6[1].with_ports, rss_entry(H_TCP6, 0));

	/* flow-type ether dst 02:12:34:56:78:9a action 2: a MACDA entry of
	 * its own (29), so that unicast now reaches the host */
	struct nfc eth = { .flow = F_ETHER, .ring = 2, .mac = other_uc };
	int e_eth = drv_nfc_insert(&eth);
	len = arp_frame(buf, other_uc);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.act_idx, e_eth);
	CHECK_INT(r.macda_idx, DRV_MACDA_HOST_ADDR_IDX - 1);
	CHECK_INT(r.queue, 2);

	/* flow-type tcp4 dst-port 80 context 1: RSS over table 1 */
	drv_set_indir(1, indir_ctx1);
	struct nfc ctx = { .flow = F_TCP4, .rss = true, .context = 1,
			   .dport = 80, .dport_mask = 0xffff };
	int e_ctx = drv_nfc_insert(&ctx);
	len = ip_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row->src,
		       row->dst, row->sport, 80, 4);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.act_idx, e_ctx);
	CHECK_INT(r.queue, indir_ctx1(r.hash & 0xff));

	/* Deleting rules brings RSS back and frees their TCAM entries. */
	drv_nfc_delete((unsigned)e_tcp);
	drv_nfc_delete((unsigned)e_udp);
	drv_nfc_delete((unsigned)e_eth);
	CHECK_EQ(csr[FBNIC_RPC_TCAM_IPDST(7, 8)], 0);
	CHECK_EQ(csr[FBNIC_RPC_TCAM_MACDA(DRV_MACDA_HOST_ADDR_IDX - 1, 3)], 0);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_rss(&r, row->with_ports, rss_entry(H_TCP4, 0));
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17, row);
	classify(buf, len, &r);
	check_rss(&r, row->without_ports, rss_entry(H_UDP4, 0));
	len = arp_frame(buf, other_uc);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
}

/* The lowest valid entry wins: invalidating the TCP4 rule lets TCP4
 * frames fall to the IP4 one; a default action for the host delivers
 * what no entry matches. */
static void test_priority_and_default(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[4];

	drv_probe(8, false);
	drv_ifup();
	csr[FBNIC_RPC_TCAM_ACT(rss_entry(H_TCP4, 0), 11)] = 0;
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_rss(&r, row->without_ports, rss_entry(H_IP4, 0));

	csr[FBNIC_RPC_ACT_TBL0_DEFAULT] =
		prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
		     FBNIC_RPC_ACT_TBL0_DEST_HOST) |
		FBNIC_RPC_ACT_TBL0_Q_SEL | prep(FBNIC_RPC_ACT_TBL0_Q_ID, 7);
	csr[FBNIC_RPC_ACT_TBL1_DEFAULT] = FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC |
					  FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST;
	len = row_frame(buf, sizeof(buf), other_uc, AF_INET, 6, row);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK_INT(r.act_idx, -1);
	CHECK_INT(r.queue, 7);
	CHECK_EQ(r.hash, row->without_ports);
	/* a default without HOST */
	csr[FBNIC_RPC_ACT_TBL0_DEFAULT] = prep(FBNIC_RPC_ACT_TBL0_DEST_MASK,
					       FBNIC_RPC_ACT_TBL0_DEST_BMC);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
}

/* ethtool -N rx-flow-hash udp4 ... with RXH_DISCARD: the UDP4 rule
 * drops. */
/* The flows the cache remembers (fbnic_rpc_cache.flows): frames that
 * differ only in a port, the flow label or TCP against UDP, in more flows
 * than the cache has slots, each get their own result (classify() holds
 * every result to one from a cache built for that frame alone), and an
 * indirection table written by ethtool -X is seen at once. */
static void test_flow_memory(void)
{
	uint8_t buf[256], in[PKT_RSS_FIELDS_MAX];
	struct fbnic_rpc_result r;

	drv_probe(8, false);
	drv_ifup();
	const struct msrss_row *row = &msrss_rows4[0];
	for (unsigned round = 0; round < 4; round++) {
		/* TCP (the 4-tuple), then the same ports over UDP (the
		 * 2-tuple); after two rounds, a new indirection table */
		bool udp = round & 1;
		for (unsigned i = 0; i < 3 * FBNIC_RPC_FLOWS; i++) {
			size_t len = ip_frame(buf, sizeof(buf), d.dev_addr,
					      AF_INET, udp ? 17 : 6, row->src,
					      row->dst, (uint16_t)(1000 + i), 80,
					      4);
			memcpy(in, buf + 14 + 12, 12);
			classify(buf, len, &r);
			check_rss(&r, toeplitz54(in, udp ? 8 : 12),
				  rss_entry(udp ? H_UDP4 : H_TCP4, 0));
			CHECK_INT(r.l4_type, udp ? FBNIC_RCD_META_L4_TYPE_UDP
						 : FBNIC_RCD_META_L4_TYPE_TCP);
		}
		if (round == 1)
			drv_set_indir(0, indir_ctx1);
	}

	d.flow_hash[H_TCP6] = RX_HASH_OPT_L4 | RXH_IP6_FL;
	drv_rss_rules_changed();
	row = &msrss_rows6[0];
	for (unsigned i = 0; i < 3 * FBNIC_RPC_FLOWS; i++) {
		size_t len = ip_frame(buf, sizeof(buf), d.dev_addr, AF_INET6, 6,
				      row->src, row->dst, 1000, 80, 4);
		buf[14 + 1] = (uint8_t)(i >> 8);
		buf[14 + 3] = (uint8_t)i;
		memcpy(in, buf + 14 + 8, 32);
		memcpy(in + 32, buf + 14 + 40, 4);
		memcpy(in + 36, buf + 14 + 1, 3);
		classify(buf, len, &r);
		check_rss(&r, toeplitz54(in, 39), rss_entry(H_TCP6, 0));
	}
}

static void test_rxh_discard(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;

	drv_probe(8, false);
	drv_ifup();
	d.flow_hash[H_UDP4] = RXH_DISCARD;
	drv_rss_rules_changed();
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17,
			       &msrss_rows4[0]);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_ACTION);
	CHECK_INT(r.act_idx, rss_entry(H_UDP4, 0));
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6,
			&msrss_rows4[0]);
	classify(buf, len, &r);
	check_rss(&r, msrss_rows4[0].with_ports, rss_entry(H_TCP4, 0));
}

/* hwtstamp rx_filter: ALL stamps every flow type, PTP_V2_L4_EVENT the
 * UDP ones (fbnic_rss_reinit FBNIC_TSTAMP_MASK). */
static void test_timestamps(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;

	drv_probe(8, false);
	drv_ifup();
	d.tstamp_mask = (1u << H_NUM) - 1;
	drv_rss_rules_changed();
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6,
			       &msrss_rows4[0]);
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK(r.ts);
	len = arp_frame(buf, bcast);
	classify(buf, len, &r);
	CHECK(r.ts);

	d.tstamp_mask = 1u << H_UDP6 | 1u << H_UDP4;
	drv_rss_rules_changed();
	classify(buf, len, &r);
	CHECK(r.host);
	CHECK(!r.ts);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 17,
			&msrss_rows4[0]);
	classify(buf, len, &r);
	CHECK(r.ts);
}

/* With a BMC: its address reaches the BMC rule only (not the host), the
 * host's unicast rules need MACDA entries 24..31, broadcast goes to both
 * (fbnic_bmc_rpc_init, fbnic_rss_reinit). */
static void test_bmc_layout(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[2];

	drv_probe(8, true);
	drv_ifup();
	size_t len = row_frame(buf, sizeof(buf), d.bmc_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_NOT_HOST);
	CHECK_INT(r.act_idx, DRV_ACT_BMC_OFFSET);
	CHECK_INT(r.macda_idx, 0);

	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_rss(&r, row->with_ports, rss_entry(H_TCP4, 1));

	len = arp_frame(buf, bcast);
	classify(buf, len, &r);
	check_rss(&r, toeplitz54(bcast, 6), rss_entry(H_ETHER, 0));

	/* ifdown keeps RMI enabled and the BMC's entries */
	drv_ifdown();
	CHECK(csr[FBNIC_RPC_RMI_CONFIG] & FBNIC_RPC_RMI_CONFIG_ENABLE);
	len = row_frame(buf, sizeof(buf), d.bmc_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_NOT_HOST);
	len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_MISS);
}

/* RMI_CONFIG: nothing before ifup or after ifdown; frames up to the MTU
 * (FBNIC_MAX_JUMBO_FRAME_SIZE) pass, longer ones are dropped. */
static void test_rmi_config(void)
{
	static uint8_t big[DRV_MAX_JUMBO_FRAME_SIZE + 64];
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[0];

	drv_probe(8, false);
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_RMI_DISABLED);
	CHECK_INT(r.act_idx, -1);
	CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_IPV4);

	drv_ifup();
	classify(buf, len, &r);
	CHECK(r.host);

	size_t hdrs = 14 + 20 + 20;
	len = ip_frame(big, sizeof(big), d.dev_addr, AF_INET, 6, row->src,
		       row->dst, row->sport, row->dport,
		       DRV_MAX_JUMBO_FRAME_SIZE - hdrs);
	CHECK_INT(len, DRV_MAX_JUMBO_FRAME_SIZE);
	classify(big, len, &r);
	check_rss(&r, row->with_ports, rss_entry(H_TCP4, 0));
	len = ip_frame(big, sizeof(big), d.dev_addr, AF_INET, 6, row->src,
		       row->dst, row->sport, row->dport,
		       DRV_MAX_JUMBO_FRAME_SIZE - hdrs + 1);
	classify(big, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_TOO_LONG);

	drv_ifdown();
	CHECK_EQ(csr[FBNIC_RPC_RMI_CONFIG],
		 prep(FBNIC_RPC_RMI_CONFIG_OH_BYTES, DRV_RMI_OH_BYTES));
	len = arp_frame(buf, bcast);
	classify(buf, len, &r);
	check_drop(&r, FBNIC_RPC_DROP_RMI_DISABLED);
	/* and up again */
	drv_ifup();
	classify(buf, len, &r);
	check_rss(&r, toeplitz54(bcast, 6), rss_entry(H_ETHER, 0));
}

/* A register file with rules on every path (promiscuous, flow rules on
 * ports and addresses, ether), then every prefix of sample frames and
 * random mutations of them, each from a malloc of exactly its length:
 * ASan flags any read past the end.  A truncated frame classifies on
 * what parsed. */
static void program_everything(void)
{
	drv_probe(16, false);
	d.flow_hash[H_TCP6] |= RXH_IP6_FL | RXH_L2DA;
	d.flow_hash[H_UDP4] |= RXH_L4_B_0_1 | RXH_L4_B_2_3 | RXH_L2DA;
	drv_ifup();
	d.promisc = true;
	drv_set_rx_mode();
	struct nfc rules[] = {
		{ .flow = F_TCP4, .ring = 1, .dport = 443, .dport_mask = 0xffff },
		{ .flow = F_UDP4, .ring = 2, .src = "192.0.2.1" },
		{ .flow = F_TCP6, .ring = 3, .dst = "2001:db8:0:1::2" },
		{ .flow = F_UDP6, .ring = -1, .sport = 5353,
		  .sport_mask = 0xffff },
		{ .flow = F_IP4, .ring = 4, .dst = "198.51.100.7" },
		{ .flow = F_ETHER, .ring = 5, .mac = other_uc },
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		drv_nfc_insert(&rules[i]);
}

static void check_result_sane(const struct fbnic_rpc_result *r)
{
	CHECK(r->host == (r->drop == FBNIC_RPC_DROP_NONE));
	CHECK(r->act_idx >= -1 && r->act_idx < 64);
	CHECK(r->macda_idx >= -1 && r->macda_idx < 32);
	if (r->host)
		CHECK(r->queue < 16);
}

static void test_truncated_and_mutated(void)
{
	static const struct {
		const uint8_t *f;
		size_t len;
	} frames[] = {
		{ f_v4_tcp, sizeof(f_v4_tcp) },
		{ f_v4_udp_pad, sizeof(f_v4_udp_pad) },
		{ f_v6_tcp_ext, sizeof(f_v6_tcp_ext) },
		{ f_v6_udp_rt2, sizeof(f_v6_udp_rt2) },
		{ f_v4_udp_zero, sizeof(f_v4_udp_zero) },
		{ f_v6_udp_zero, sizeof(f_v6_udp_zero) },
	};
	struct fbnic_rpc_result r, whole;
	struct pkt_info pi;

	program_everything();
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		classify(frames[i].f, frames[i].len, &whole);
		CHECK(whole.host || whole.drop == FBNIC_RPC_DROP_ACTION);
		CHECK(whole.act_idx >= 0);
		for (size_t n = 0; n <= frames[i].len; n++) {
			classify(frames[i].f, n, &r);
			check_result_sane(&r);
		}
	}

	/* Mutations: random bytes at random places, in the headers mostly. */
	unsigned seed = 4242;
	uint8_t buf[256];
	for (int round = 0; round < 4000; round++) {
		size_t i = (size_t)rand_r(&seed) %
			   (sizeof(frames) / sizeof(frames[0]));
		size_t len = frames[i].len;
		memcpy(buf, frames[i].f, len);
		int nmut = 1 + rand_r(&seed) % 4;
		for (int m = 0; m < nmut; m++)
			buf[(size_t)rand_r(&seed) % (len < 80 ? len : 80)] =
				(uint8_t)rand_r(&seed);
		len = (size_t)rand_r(&seed) % (len + 1);
		classify(buf, len, &r);
		check_result_sane(&r);
	}

	/* An info that does not describe the buffer is not trusted. */
	uint8_t *f = pr_dup(f_v6_tcp_ext, 60);
	REQUIRE(pkt_parse(f_v6_tcp_ext, sizeof(f_v6_tcp_ext), &pi) == 0);
	static struct fbnic_rpc_cache c;
	fbnic_rpc_cache_build(&c, csr);
	fbnic_rpc_classify(csr, &c, f, 60, &pi, &r);
	check_result_sane(&r);
	pi.l3_off = 1000;
	fbnic_rpc_classify(csr, &c, f, 60, &pi, &r);
	check_result_sane(&r);
	free(f);
	f = pr_dup(f_v4_tcp, 3);
	REQUIRE(pkt_parse(f_v4_tcp, sizeof(f_v4_tcp), &pi) == 0);
	fbnic_rpc_classify(csr, &c, f, 3, &pi, &r);
	check_result_sane(&r);
	CHECK_INT(r.macda_idx, -1);
	free(f);
}

/* What a cut frame keeps: the addresses of a truncated IP packet still
 * select the IP rule and the 2-tuple (pkt/parse.h), an Ethernet header
 * alone the Ether rule. */
static void test_truncated_classification(void)
{
	uint8_t buf[256];
	struct fbnic_rpc_result r;
	const struct msrss_row *row = &msrss_rows4[1];

	drv_probe(8, false);
	drv_ifup();
	size_t len = row_frame(buf, sizeof(buf), d.dev_addr, AF_INET, 6, row);
	classify(buf, 14 + 20 + 2, &r); /* cut inside the TCP header */
	check_rss(&r, row->without_ports, rss_entry(H_IP4, 0));
	CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_IPV4);
	CHECK_INT(r.l4_type, FBNIC_RCD_META_L4_TYPE_OTHER);
	classify(buf, 14 + 10, &r); /* cut inside the IPv4 header */
	check_rss(&r, toeplitz54(d.dev_addr, 6), rss_entry(H_ETHER, 0));
	CHECK_INT(r.l3_type, FBNIC_RCD_META_L3_TYPE_OTHER);
	classify(buf, 5, &r); /* not even a MAC address */
	check_drop(&r, FBNIC_RPC_DROP_MISS);
	classify(buf, len, &r);
	check_rss(&r, row->with_ports, rss_entry(H_TCP4, 0));
}

TEST_MAIN("unit-rpc",
	  TEST_CASE(test_register_map),
	  TEST_CASE(test_unicast_tcp_rss),
	  TEST_CASE(test_udp_two_tuple),
	  TEST_CASE(test_ip_other_fragment_vlan),
	  TEST_CASE(test_broadcast_arp),
	  TEST_CASE(test_ipv6_multicast),
	  TEST_CASE(test_unknown_unicast_promisc),
	  TEST_CASE(test_ethtool_rules),
	  TEST_CASE(test_priority_and_default),
	  TEST_CASE(test_rxh_discard),
	  TEST_CASE(test_flow_memory),
	  TEST_CASE(test_timestamps),
	  TEST_CASE(test_bmc_layout),
	  TEST_CASE(test_rmi_config),
	  TEST_CASE(test_truncated_and_mutated),
	  TEST_CASE(test_truncated_classification))
