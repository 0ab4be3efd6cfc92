/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The receive classifier; see rpc.h for the steps and what is left out.
 * Register layouts are those fbnic_rpc.c writes: fbnic_write_macda_entry,
 * fbnic_write_ip_src_entry / fbnic_write_ip_dst_entry,
 * fbnic_update_act_tcam, fbnic_rss_reinit_hw.
 */
#include "rpc.h"

#include <string.h>

#include "dev/csr.h"
#include "pkt/bytes.h"
#include "pkt/toeplitz.h"

static unsigned field_get(uint32_t v, uint32_t mask)
{
	return (v & mask) >> __builtin_ctz(mask);
}

static uint16_t field_prep(uint32_t mask, unsigned v)
{
	return (uint16_t)(v << __builtin_ctz(mask) & mask);
}

/* One 16-bit TCAM word: value 15:0, mask 31:16, mask bit 1 = don't
 * care. */
static bool tcam_word_match(uint32_t reg, uint16_t key)
{
	uint16_t value = (uint16_t)(reg & FBNIC_RPC_TCAM_ACT_VALUE);
	uint16_t mask = (uint16_t)(reg >> 16);

	return ((key ^ value) & (uint16_t)~mask) == 0;
}

/* The lowest valid MACDA entry matching da, or -1.  Word 0 holds
 * address bytes 4-5, word 1 bytes 2-3, word 2 bytes 0-1. */
static int macda_lookup(const uint32_t *csr, const struct fbnic_rpc_cache *c,
			const uint8_t *da)
{
	const unsigned last = FBNIC_RPC_TCAM_MACDA_WORD_LEN;
	uint16_t key[FBNIC_RPC_TCAM_MACDA_WORD_LEN];

	for (unsigned w = 0; w < last; w++)
		key[w] = pkt_get_be16(da + 2 * (last - 1 - w));
	for (uint32_t m = c->macda_valid; m; m &= m - 1) {
		unsigned e = (unsigned)__builtin_ctz(m);
		unsigned w = 0;
		while (w < last &&
		       tcam_word_match(csr[FBNIC_RPC_TCAM_MACDA(e, w)], key[w]))
			w++;
		if (w == last)
			return (int)e;
	}
	return -1;
}

/* The lowest valid entry of the inner source (dst false) or destination
 * IP TCAM matching addr (16 bytes; IPv4 as ::a.b.c.d), or -1.  Word w
 * holds 16-bit group 7 - w; word 8 VALIDATE and the IPv6 flag, which
 * must equal the frame's unless its mask bit (16) is set. */
static int ip_lookup(const uint32_t *csr, const struct fbnic_rpc_cache *c,
		     bool dst, const uint8_t *addr, bool v6)
{
	const unsigned last = FBNIC_RPC_TCAM_IP_ADDR_WORD_LEN;

	for (unsigned m = dst ? c->ipdst_valid : c->ipsrc_valid; m; m &= m - 1) {
		unsigned e = (unsigned)__builtin_ctz(m);
		uint32_t ctl = csr[dst ? FBNIC_RPC_TCAM_IPDST(e, last) :
				   FBNIC_RPC_TCAM_IPSRC(e, last)];
		if (!tcam_word_match(ctl & ~FBNIC_RPC_TCAM_VALIDATE,
				     v6 ? FBNIC_RPC_TCAM_IP_ADDR_IS_V6 : 0))
			continue;
		unsigned w = 0;
		while (w < last) {
			uint32_t reg = csr[dst ? FBNIC_RPC_TCAM_IPDST(e, w) :
					   FBNIC_RPC_TCAM_IPSRC(e, w)];
			if (!tcam_word_match(reg,
					     pkt_get_be16(addr + 14 - 2 * w)))
				break;
			w++;
		}
		if (w == last)
			return (int)e;
	}
	return -1;
}

/* The lowest valid action entry whose unmasked bits equal the key, or
 * -1. */
static int act_lookup(const uint32_t *csr, const struct fbnic_rpc_cache *c,
		      const uint16_t key[FBNIC_RPC_TCAM_ACT_WORD_LEN])
{
	const unsigned last = FBNIC_RPC_TCAM_ACT_WORD_LEN;

	for (uint64_t m = c->act_valid; m; m &= m - 1) {
		unsigned e = (unsigned)__builtin_ctzll(m);
		unsigned w = 0;
		while (w < last &&
		       tcam_word_match(csr[FBNIC_RPC_TCAM_ACT(e, w)], key[w]))
			w++;
		if (w == last)
			return (int)e;
	}
	return -1;
}

/* ACT_TBL1 RSS_ENA bits -> pkt_rss_input_fields selection. */
static unsigned rss_fields(uint32_t act1)
{
	unsigned f = 0;

	if (act1 & FBNIC_RPC_ACT_TBL1_RSS_ENA_L2_DA)
		f |= PKT_RSS_L2_DA;
	if (act1 & FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC)
		f |= PKT_RSS_IP_SRC;
	if (act1 & FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST)
		f |= PKT_RSS_IP_DST;
	if (act1 & FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_SRC)
		f |= PKT_RSS_L4_SRC;
	if (act1 & FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_DST)
		f |= PKT_RSS_L4_DST;
	if (act1 & (FBNIC_RPC_ACT_TBL1_RSS_ENA_IV6_FL_LBL |
		    FBNIC_RPC_ACT_TBL1_RSS_ENA_OV6_FL_LBL))
		f |= PKT_RSS_IP6_FL;
	return f;
}

/* The RSS key of RSS_KEY(0..13): key byte 4k + j is bits 31 - 8j ..
 * 24 - 8j of dword k (fbnic_ethtool.c fbnic_get_rxfh), the last dword's
 * bits below 23 are not key bits (fbnic_rpc.c fbnic_rss_key_fill). */
static void rss_key(const uint32_t *csr, uint8_t key[FBNIC_RPC_RSS_KEY_BYTE_LEN])
{
	for (unsigned i = 0; i < FBNIC_RPC_RSS_KEY_BYTE_LEN; i++) {
		uint32_t d = csr[FBNIC_RPC_RSS_KEY(i / 4)];
		if (i / 4 == FBNIC_RPC_RSS_KEY_LAST_IDX)
			d &= FBNIC_RPC_RSS_KEY_LAST_MASK;
		key[i] = (uint8_t)(d >> (24 - 8 * (i % 4)));
	}
}

void fbnic_rpc_cache_build(struct fbnic_rpc_cache *c, const uint32_t *csr)
{
	c->act_valid = 0;
	for (unsigned e = 0; e < FBNIC_RPC_TCAM_ACT_NUM_ENTRIES; e++)
		if (csr[FBNIC_RPC_TCAM_ACT(e, FBNIC_RPC_TCAM_ACT_WORD_LEN)] &
		    FBNIC_RPC_TCAM_VALIDATE)
			c->act_valid |= 1ull << e;
	c->macda_valid = 0;
	for (unsigned e = 0; e < FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES; e++)
		if (csr[FBNIC_RPC_TCAM_MACDA(e, FBNIC_RPC_TCAM_MACDA_WORD_LEN)] &
		    FBNIC_RPC_TCAM_VALIDATE)
			c->macda_valid |= 1u << e;
	c->ipsrc_valid = c->ipdst_valid = 0;
	for (unsigned e = 0; e < FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES; e++) {
		const unsigned last = FBNIC_RPC_TCAM_IP_ADDR_WORD_LEN;
		if (csr[FBNIC_RPC_TCAM_IPSRC(e, last)] & FBNIC_RPC_TCAM_VALIDATE)
			c->ipsrc_valid |= (uint8_t)(1u << e);
		if (csr[FBNIC_RPC_TCAM_IPDST(e, last)] & FBNIC_RPC_TCAM_VALIDATE)
			c->ipdst_valid |= (uint8_t)(1u << e);
	}
	for (unsigned i = 0; i < FBNIC_RPC_FLOWS; i++)
		c->flows[i].valid = false;
	uint8_t key[FBNIC_RPC_RSS_KEY_BYTE_LEN];
	rss_key(csr, key);
	/* 54 bytes: inputs up to 50, more than PKT_RSS_FIELDS_MAX */
	pkt_toeplitz_table_init(&c->rss, key, sizeof(key));
}

/* The Toeplitz hash of the frame's fields act1 enables, with the key
 * the cache holds. */
static uint32_t rss_hash(const struct fbnic_rpc_cache *c, uint32_t act1,
			 const uint8_t *frame, size_t len,
			 const struct pkt_info *pi)
{
	uint8_t in[PKT_RSS_FIELDS_MAX];
	uint32_t hash = 0;
	int n = pkt_rss_input_fields(frame, len, pi, rss_fields(act1), in);
	if (n <= 0)
		return 0;
	if (pkt_toeplitz_lookup(&c->rss, in, (size_t)n, &hash))
		return 0;
	return hash;
}

/* Where the frame's IP source and destination addresses are: at l3_off +
 * *aoff, *alen bytes each, one after the other; false for a frame that
 * is not IP or too short for them (pi is trusted for nothing it would
 * take to read out of bounds). */
static bool ip_addrs(const struct pkt_info *pi, size_t len, size_t *aoff,
		     size_t *alen)
{
	if (pi->l3 == PKT_L3_IPV4) {
		*alen = 4;
		*aoff = 12;
	} else if (pi->l3 == PKT_L3_IPV6) {
		*alen = 16;
		*aoff = 8;
	} else {
		return false;
	}
	return pi->l3_off <= len && *aoff + 2 * *alen <= len - pi->l3_off;
}

/* The action key of fbnic_rpc.h: words 0 (IP TCAM entries), 1 (MACDA
 * entry, layers), 3 and 4 (ports); the rest 0. */
static void build_key(const uint32_t *csr, const struct fbnic_rpc_cache *c,
		      const uint8_t *frame, size_t len,
		      const struct pkt_info *pi, int macda,
		      uint16_t key[FBNIC_RPC_TCAM_ACT_WORD_LEN])
{
	memset(key, 0, FBNIC_RPC_TCAM_ACT_WORD_LEN * sizeof(key[0]));
	if (macda >= 0)
		key[1] |= FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID |
			  field_prep(FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX,
				     (unsigned)macda);

	size_t alen, aoff;
	bool v6 = pi->l3 == PKT_L3_IPV6;
	if (!ip_addrs(pi, len, &aoff, &alen))
		return;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	memcpy(src + 16 - alen, frame + pi->l3_off + aoff, alen);
	memcpy(dst + 16 - alen, frame + pi->l3_off + aoff + alen, alen);

	key[1] |= FBNIC_RPC_TCAM_ACT1_IP_VALID;
	if (v6)
		key[1] |= FBNIC_RPC_TCAM_ACT1_IP_IS_V6;
	int e = ip_lookup(csr, c, false, src, v6);
	if (e >= 0)
		key[0] |= FBNIC_RPC_TCAM_ACT0_IPSRC_VALID |
			  field_prep(FBNIC_RPC_TCAM_ACT0_IPSRC_IDX, (unsigned)e);
	e = ip_lookup(csr, c, true, dst, v6);
	if (e >= 0)
		key[0] |= FBNIC_RPC_TCAM_ACT0_IPDST_VALID |
			  field_prep(FBNIC_RPC_TCAM_ACT0_IPDST_IDX, (unsigned)e);

	if (pi->is_fragment ||
	    (pi->l4 != PKT_L4_TCP && pi->l4 != PKT_L4_UDP) ||
	    pi->l4_off > len || len - pi->l4_off < 4)
		return;
	key[1] |= FBNIC_RPC_TCAM_ACT1_L4_VALID;
	if (pi->l4 == PKT_L4_UDP)
		key[1] |= FBNIC_RPC_TCAM_ACT1_L4_IS_UDP;
	key[FBNIC_RPC_TCAM_ACT_L4_SPORT_WORD] =
		pkt_get_be16(frame + pi->l4_off);
	key[FBNIC_RPC_TCAM_ACT_L4_DPORT_WORD] =
		pkt_get_be16(frame + pi->l4_off + 2);
}

static void classify(const uint32_t *csr, const struct fbnic_rpc_cache *c,
		     const uint8_t *frame, size_t len,
		     const struct pkt_info *pi, struct fbnic_rpc_result *out);

/* The frame's flow into *f, and its slot in the cache, for a TCP or UDP
 * frame, not a fragment, whose fields lie within len; else
 * FBNIC_RPC_FLOWS (not remembered). */
static unsigned flow_of(const uint8_t *frame, size_t len,
			const struct pkt_info *pi, struct fbnic_rpc_flow *f)
{
	bool v6 = pi->l3 == PKT_L3_IPV6;
	size_t alen, aoff;
	if (!ip_addrs(pi, len, &aoff, &alen) || pi->is_fragment ||
	    (pi->l4 != PKT_L4_TCP && pi->l4 != PKT_L4_UDP) ||
	    pi->l4_off > len || len - pi->l4_off < 4)
		return FBNIC_RPC_FLOWS;
	memset(f, 0, sizeof(*f));
	f->v6 = v6;
	f->udp = pi->l4 == PKT_L4_UDP;
	memcpy(f->da, frame, PKT_ETH_ALEN);
	memcpy(f->addr, frame + pi->l3_off + aoff, 2 * alen);
	memcpy(f->ports, frame + pi->l4_off, 4);
	if (v6) {
		f->fl[1] = frame[pi->l3_off + 1] & 0x0f;
		f->fl[2] = frame[pi->l3_off + 2];
		f->fl[3] = frame[pi->l3_off + 3];
	}
	return (f->ports[1] ^ f->ports[3] ^ f->addr[2 * alen - 1] ^
		f->addr[alen - 1] ^ f->fl[3]) % FBNIC_RPC_FLOWS;
}

void fbnic_rpc_classify(const uint32_t *csr, struct fbnic_rpc_cache *c,
			const uint8_t *frame, size_t len,
			const struct pkt_info *pi, struct fbnic_rpc_result *out)
{
	memset(out, 0, sizeof(*out));
	out->act_idx = -1;
	out->macda_idx = -1;
	out->l3_type = pi->l3 == PKT_L3_IPV4 ? FBNIC_RCD_META_L3_TYPE_IPV4 :
		       pi->l3 == PKT_L3_IPV6 ? FBNIC_RCD_META_L3_TYPE_IPV6 :
					       FBNIC_RCD_META_L3_TYPE_OTHER;
	out->l4_type = pi->is_fragment ? FBNIC_RCD_META_L4_TYPE_OTHER :
		       pi->l4 == PKT_L4_TCP ? FBNIC_RCD_META_L4_TYPE_TCP :
		       pi->l4 == PKT_L4_UDP ? FBNIC_RCD_META_L4_TYPE_UDP :
					      FBNIC_RCD_META_L4_TYPE_OTHER;

	uint32_t rmi = csr[FBNIC_RPC_RMI_CONFIG];
	if (!(rmi & FBNIC_RPC_RMI_CONFIG_ENABLE)) {
		out->drop = FBNIC_RPC_DROP_RMI_DISABLED;
		return;
	}
	if (len > field_get(rmi, FBNIC_RPC_RMI_CONFIG_MTU)) {
		out->drop = FBNIC_RPC_DROP_TOO_LONG;
		return;
	}

	struct fbnic_rpc_flow flow;
	unsigned slot = flow_of(frame, len, pi, &flow);
	if (slot < FBNIC_RPC_FLOWS && c->flows[slot].valid &&
	    !memcmp(&c->flows[slot].flow, &flow, sizeof(flow))) {
		*out = c->flows[slot].res;
		return;
	}
	classify(csr, c, frame, len, pi, out);
	if (slot < FBNIC_RPC_FLOWS) {
		c->flows[slot].flow = flow;
		c->flows[slot].res = *out;
		c->flows[slot].valid = true;
	}
}

/* The rest of fbnic_rpc_classify, after RMI_CONFIG let the frame in. */
static void classify(const uint32_t *csr, const struct fbnic_rpc_cache *c,
		     const uint8_t *frame, size_t len,
		     const struct pkt_info *pi, struct fbnic_rpc_result *out)
{
	uint16_t key[FBNIC_RPC_TCAM_ACT_WORD_LEN];
	if (len >= PKT_ETH_ALEN)
		out->macda_idx = macda_lookup(csr, c, frame);
	build_key(csr, c, frame, len, pi, out->macda_idx, key);
	out->act_idx = act_lookup(csr, c, key);

	uint32_t act0, act1;
	if (out->act_idx >= 0) {
		act0 = csr[FBNIC_RPC_ACT_TBL0((unsigned)out->act_idx)];
		act1 = csr[FBNIC_RPC_ACT_TBL1((unsigned)out->act_idx)];
	} else {
		act0 = csr[FBNIC_RPC_ACT_TBL0_DEFAULT];
		act1 = csr[FBNIC_RPC_ACT_TBL1_DEFAULT];
	}
	out->dma_hint = field_get(act0, FBNIC_RPC_ACT_TBL0_DMA_HINT);
	out->ts = (act0 & FBNIC_RPC_ACT_TBL0_TS_ENA) != 0;
	out->hash = rss_hash(c, act1, frame, len, pi);

	if (act0 & FBNIC_RPC_ACT_TBL0_DROP) {
		out->drop = out->act_idx < 0 ? FBNIC_RPC_DROP_MISS :
					       FBNIC_RPC_DROP_ACTION;
		return;
	}
	if (!(field_get(act0, FBNIC_RPC_ACT_TBL0_DEST_MASK) &
	      FBNIC_RPC_ACT_TBL0_DEST_HOST)) {
		out->drop = out->act_idx < 0 ? FBNIC_RPC_DROP_MISS :
					       FBNIC_RPC_DROP_NOT_HOST;
		return;
	}
	out->host = true;
	if (act0 & FBNIC_RPC_ACT_TBL0_Q_SEL) {
		out->queue = field_get(act0, FBNIC_RPC_ACT_TBL0_Q_ID);
	} else {
		unsigned t = (act0 & FBNIC_RPC_ACT_TBL0_RSS_CTXT_ID) ? 1 : 0;
		out->queue = csr[FBNIC_RPC_RSS_TBL(t, out->hash & 0xffu)];
	}
}

const char *fbnic_rpc_drop_name(enum fbnic_rpc_drop drop)
{
	switch (drop) {
	case FBNIC_RPC_DROP_NONE:
		return "none";
	case FBNIC_RPC_DROP_RMI_DISABLED:
		return "rmi_disabled";
	case FBNIC_RPC_DROP_TOO_LONG:
		return "too_long";
	case FBNIC_RPC_DROP_MISS:
		return "miss";
	case FBNIC_RPC_DROP_ACTION:
		return "drop_action";
	case FBNIC_RPC_DROP_NOT_HOST:
		return "not_host";
	case FBNIC_RPC_DROP_COUNT:
		break;
	}
	return "unknown";
}
