/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic register map: every CSR index and field the model implements,
 * and the descriptor formats of the data path, in the order of the
 * driver's fbnic_csr.h (drivers/net/ethernet/meta/fbnic/), block by block
 * between its FBNIC_CSR_START_* / FBNIC_CSR_END_* delimiters.
 *
 * Indexes are dword indexes (byte offset / 4), as the driver's rd32/wr32
 * take them: BAR0 for the CSRs, BAR4 for the firmware mailbox.  Written
 * here from the facts (offsets, bit positions); no register index or
 * field is spelled anywhere else in the tree, tests included.
 */
#ifndef FBNIC_EMU_DEV_CSR_H
#define FBNIC_EMU_DEV_CSR_H

/* ==== Descriptor formats (64-bit little-endian words) ==================== */

/* A field of a register or descriptor by its mask (the driver's
 * FIELD_GET / FIELD_PREP). */
#define FBNIC_FIELD_GET(mask, v) (((v) & (mask)) / ((mask) & ~((mask) << 1)))
#define FBNIC_FIELD_PREP(mask, v) (((uint64_t)(v) * ((mask) & ~((mask) << 1))) & (mask))

/* TWD: transmit work descriptor (TWQ0/TWQ1), fbnic_txrx.c fbnic_tx_*.
 * The first word of a frame is metadata; address words follow. */
#define FBNIC_TWD_L2_HLEN_MASK 0x000000000000003full    /* 5:0, 2-byte units */
#define FBNIC_TWD_L3_TYPE_MASK 0x00000000000000c0ull    /* 7:6 */
#define FBNIC_TWD_L3_TYPE_OTHER 0u
#define FBNIC_TWD_L3_TYPE_IPV4 1u
#define FBNIC_TWD_L3_TYPE_IPV6 2u
#define FBNIC_TWD_L3_TYPE_V6V6 3u
#define FBNIC_TWD_L3_OHLEN_MASK 0x000000000000ff00ull   /* 15:8 */
#define FBNIC_TWD_L3_IHLEN_MASK 0x0000000000ff0000ull   /* 23:16, 2-byte units */
#define FBNIC_TWD_CSUM_OFFSET_MASK 0x000000000f000000ull /* 27:24, 2-byte units */
#define FBNIC_TWD_L4_HLEN_MASK 0x00000000f0000000ull    /* 31:28, 4-byte units */
#define FBNIC_TWD_L4_TYPE_MASK 0x0000000300000000ull    /* 33:32 */
#define FBNIC_TWD_L4_TYPE_OTHER 0u
#define FBNIC_TWD_L4_TYPE_TCP 1u
#define FBNIC_TWD_L4_TYPE_UDP 2u
#define FBNIC_TWD_FLAG_REQ_TS (1ull << 34)
#define FBNIC_TWD_FLAG_REQ_LSO (1ull << 35)
#define FBNIC_TWD_FLAG_REQ_CSO (1ull << 36)
#define FBNIC_TWD_FLAG_REQ_COMPLETION (1ull << 37)
#define FBNIC_TWD_FLAG_DEST_MAC (1ull << 43)
#define FBNIC_TWD_FLAG_DEST_BMC (1ull << 44)
#define FBNIC_TWD_FLAG_DEST_FW (1ull << 45)
#define FBNIC_TWD_TYPE_MASK 0x0000c00000000000ull       /* 47:46 */
#define FBNIC_TWD_TYPE_META 0u
#define FBNIC_TWD_TYPE_OPT_META 1u
#define FBNIC_TWD_TYPE_AL 2u
#define FBNIC_TWD_TYPE_LAST_AL 3u
#define FBNIC_TWD_MSS_MASK 0x3fff000000000000ull        /* 61:48 */
#define FBNIC_TWD_TS_MASK 0x000000ffffffffffull         /* 39:0 (opt meta) */
#define FBNIC_TWD_ADDR_MASK 0x00003fffffffffffull       /* 45:0 (address) */
#define FBNIC_TWD_LEN_MASK 0xffff000000000000ull        /* 63:48 (address) */

/* TCD: transmit completion descriptor (TCQ). */
#define FBNIC_TCD_TYPE0_HEAD0_MASK 0x000000000000ffffull /* 15:0, TWQ0 head */
#define FBNIC_TCD_TYPE0_HEAD1_MASK 0x00000000ffff0000ull /* 31:16, TWQ1 head */
#define FBNIC_TCD_TYPE1_TS_MASK 0x000000ffffffffffull    /* 39:0 */
#define FBNIC_TCD_STATUS_MASK 0x0fff000000000000ull      /* 59:48 */
#define FBNIC_TCD_STATUS_TS_INVALID (1ull << 48)
#define FBNIC_TCD_STATUS_ILLEGAL_TS_REQ (1ull << 49)
#define FBNIC_TCD_TWQ1 (1ull << 60)
#define FBNIC_TCD_TYPE_MASK 0x6000000000000000ull        /* 62:61 */
#define FBNIC_TCD_TYPE_0 0u
#define FBNIC_TCD_TYPE_1 1u
#define FBNIC_TCD_DONE (1ull << 63)                      /* the phase bit */

/* BD: buffer descriptor (HPQ/PPQ).  One descriptor covers a 4 KiB page
 * split into fragments (FBNIC_BD_FRAG_SIZE each); the id's low bits name
 * the fragment. */
#define FBNIC_BD_DESC_ADDR_MASK 0x00003ffffffff000ull    /* 45:12 */
#define FBNIC_BD_DESC_ID_MASK 0xffff000000000000ull      /* 63:48 */
#define FBNIC_BD_FRAG_SIZE 4096u
#define FBNIC_BD_PAGE_SIZE 4096u /* the host page a BD describes (x86) */

/* RCD: receive completion descriptor (RCQ). */
#define FBNIC_RCD_TYPE_MASK 0x6000000000000000ull        /* 62:61 */
#define FBNIC_RCD_TYPE_HDR_AL 0u
#define FBNIC_RCD_TYPE_PAY_AL 1u
#define FBNIC_RCD_TYPE_OPT_META 2u
#define FBNIC_RCD_TYPE_META 3u
#define FBNIC_RCD_DONE (1ull << 63)                      /* the phase bit */
/* address lists (HDR_AL, PAY_AL) */
#define FBNIC_RCD_AL_BUFF_ID_MASK 0x000000000000ffffull  /* 15:0 */
#define FBNIC_RCD_AL_BUFF_LEN_MASK 0x000000001fff0000ull /* 28:16 */
#define FBNIC_RCD_AL_BUFF_OFF_MASK 0x00000fff00000000ull /* 43:32 */
#define FBNIC_RCD_AL_PAGE_FIN (1ull << 60)
#define FBNIC_RCD_HDR_AL_OVERFLOW (1ull << 53)
#define FBNIC_RCD_HDR_AL_DMA_HINT_MASK 0x0fc0000000000000ull /* 59:54 */
#define FBNIC_RCD_HDR_AL_DMA_HINT_NONE 0u
#define FBNIC_RCD_HDR_AL_DMA_HINT_L2 1u
#define FBNIC_RCD_HDR_AL_DMA_HINT_L3 2u
#define FBNIC_RCD_HDR_AL_DMA_HINT_L4 4u
/* optional metadata */
#define FBNIC_RCD_OPT_META_TS_MASK 0x000000ffffffffffull     /* 39:0 */
#define FBNIC_RCD_OPT_META_ACTION_MASK 0x00003f0000000000ull /* 45:40 */
#define FBNIC_RCD_OPT_META_ACTION (1ull << 57)
#define FBNIC_RCD_OPT_META_TS (1ull << 58)
#define FBNIC_RCD_OPT_META_TYPE_MASK 0x1800000000000000ull   /* 60:59 */
/* metadata */
#define FBNIC_RCD_META_RSS_HASH_MASK 0x00000000ffffffffull   /* 31:0 */
#define FBNIC_RCD_META_L2_CSUM_MASK 0x0000ffff00000000ull    /* 47:32 */
#define FBNIC_RCD_META_L3_TYPE_MASK 0x0003000000000000ull    /* 49:48 */
#define FBNIC_RCD_META_L3_TYPE_OTHER 0u
#define FBNIC_RCD_META_L3_TYPE_IPV4 1u
#define FBNIC_RCD_META_L3_TYPE_IPV6 2u
#define FBNIC_RCD_META_L3_TYPE_V6V6 3u
#define FBNIC_RCD_META_L4_TYPE_MASK 0x000c000000000000ull    /* 51:50 */
#define FBNIC_RCD_META_L4_TYPE_OTHER 0u
#define FBNIC_RCD_META_L4_TYPE_TCP 1u
#define FBNIC_RCD_META_L4_TYPE_UDP 2u
#define FBNIC_RCD_META_L4_CSUM_UNNECESSARY (1ull << 52)
#define FBNIC_RCD_META_ERR_MAC_EOP (1ull << 53)
#define FBNIC_RCD_META_ERR_TRUNCATED_FRAME (1ull << 54)
#define FBNIC_RCD_META_ERR_PARSER (1ull << 55)
#define FBNIC_RCD_META_ECN (1ull << 60)

/* ==== BAR0 ============================================================== */

/* ---- Interrupts (FBNIC_CSR_START_INTR 0x00000 .. END_INTR_CQ 0x007fe) -- */
#define FBNIC_CSR_START_INTR 0x00000u
#define FBNIC_CSR_END_INTR 0x0005fu /* the model decodes MSIX_CTRL to 0xff */
#define FBNIC_INTR_BANKS 8u           /* 8 x 32 = 256 vectors */
#define FBNIC_INTR_STATUS(n) (0x000u + (n))
#define FBNIC_INTR_MASK(n) (0x008u + (n))
#define FBNIC_INTR_SET(n) (0x010u + (n))
#define FBNIC_INTR_CLEAR(n) (0x018u + (n))
#define FBNIC_INTR_SW_STATUS(n) (0x020u + (n))
#define FBNIC_INTR_SW_AC_MODE(n) (0x028u + (n))
#define FBNIC_INTR_MASK_SET(n) (0x030u + (n))
#define FBNIC_INTR_MASK_CLEAR(n) (0x038u + (n))
#define FBNIC_INTR_MSIX_CTRL(c) (0x040u + (c))
#define FBNIC_INTR_MSIX_CTRL_CNT 0xc0u /* 0x040..0x0ff */
#define FBNIC_INTR_MSIX_CTRL_VECTOR 0x000000ffu
#define FBNIC_INTR_MSIX_CTRL_ENABLE 0x80000000u
#define FBNIC_INTR_CQ_REARM(v) (0x400u + 4u * (v))
#define FBNIC_INTR_CQ_REARM_INTR_UNMASK 0x80000000u

/* Hardware causes routed through INTR_MSIX_CTRL (fbnic_csr.h enum). */
#define FBNIC_INTR_CAUSE_RXB 7u
#define FBNIC_INTR_CAUSE_PCS 34u

/* Fixed vectors (fbnic.h: FBNIC_FW_MSIX_ENTRY, FBNIC_PCS_MSIX_ENTRY). */
#define FBNIC_FW_MSIX_ENTRY 0u
#define FBNIC_PCS_MSIX_ENTRY 1u
#define FBNIC_INTR_RCQ_TIMEOUT(v) (0x401u + 4u * (v))
#define FBNIC_INTR_TCQ_TIMEOUT(v) (0x402u + 4u * (v))
#define FBNIC_INTR_CQ_REARM_RCQ_TIMEOUT_MASK 0x00003fffu       /* 13:0 */
#define FBNIC_INTR_CQ_REARM_RCQ_TIMEOUT_UPD_EN (1u << 14)
#define FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_MASK 0x1fff8000u       /* 28:15 */
#define FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_SHIFT 15
#define FBNIC_INTR_CQ_REARM_TCQ_TIMEOUT_UPD_EN (1u << 29)
#define FBNIC_CSR_START_INTR_CQ 0x00400u
#define FBNIC_CSR_END_INTR_CQ 0x007feu

/* ---- Queue manager (FBNIC_CSR_START_QM_TX 0x00800 .. END_QM_RX 0x00c34) */
#define FBNIC_CSR_START_QM_TX 0x00800u
#define FBNIC_CSR_END_QM_TX 0x00873u
#define FBNIC_CSR_START_QM_RX 0x00c00u
#define FBNIC_CSR_END_QM_RX 0x00c34u
#define FBNIC_QM_TWQ_IDLE(n) (0x00800u + (n))
#define FBNIC_QM_TWQ_IDLE_CNT 8u
#define FBNIC_QM_TCQ_IDLE(n) (0x00821u + (n))
#define FBNIC_QM_TCQ_IDLE_CNT 4u
#define FBNIC_QM_TQS_IDLE(n) (0x00830u + (n))
#define FBNIC_QM_TQS_IDLE_CNT 8u
#define FBNIC_QM_TDE_IDLE(n) (0x00853u + (n))
#define FBNIC_QM_TDE_IDLE_CNT 8u
/* The metadata TWQ1 packets get (they carry only address descriptors:
 * fbnic_mac_init_qm programs L2_HLEN 14 and REQ_COMPLETION). */
#define FBNIC_QM_TWQ_DEFAULT_META_L 0x00818u
#define FBNIC_QM_TWQ_DEFAULT_META_H 0x00819u
#define FBNIC_QM_RCQ_IDLE(n) (0x00c00u + (n))
#define FBNIC_QM_RCQ_IDLE_CNT 4u
#define FBNIC_QM_HPQ_IDLE(n) (0x00c0fu + (n))
#define FBNIC_QM_HPQ_IDLE_CNT 4u
#define FBNIC_QM_PPQ_IDLE(n) (0x00c13u + (n))
#define FBNIC_QM_PPQ_IDLE_CNT 4u

/* ---- TX engines and TX MAC interface ----------------------------------- */
#define FBNIC_CSR_START_TCE 0x04000u
#define FBNIC_CSR_END_TCE 0x04050u
#define FBNIC_CSR_START_TCE_RAM 0x04200u
#define FBNIC_CSR_END_TCE_RAM 0x0421fu
#define FBNIC_CSR_START_TMI 0x04400u
/* The TX size histogram above 1518 bytes (the MAC's own stops at
 * 1519-max): 64-bit counters, low word first (fbnic_mac.c
 * fbnic_mac_get_rmon_stats). */
#define FBNIC_TMI_STAT_TX_PACKET_1519_2047_BYTES_L 0x04433u
#define FBNIC_TMI_STAT_TX_PACKET_2048_4095_BYTES_L 0x04435u
#define FBNIC_TMI_STAT_TX_PACKET_4096_8191_BYTES_L 0x04437u
#define FBNIC_TMI_STAT_TX_PACKET_8192_9216_BYTES_L 0x04439u
#define FBNIC_TMI_STAT_TX_PACKET_9217_MAX_BYTES_L 0x0443bu
#define FBNIC_CSR_END_TMI 0x0443fu

/* ---- PTP clock (FBNIC_CSR_START_PTP) ----------------------------------- */
#define FBNIC_CSR_START_PTP 0x04800u
#define FBNIC_CSR_END_PTP 0x0480du
#define FBNIC_PTP_CTRL 0x04800u
#define FBNIC_PTP_CTRL_EN (1u << 0)
#define FBNIC_PTP_CTRL_MONO_EN (1u << 4)
#define FBNIC_PTP_CTRL_TQS_OUT_EN (1u << 8)
#define FBNIC_PTP_ADJUST 0x04801u
#define FBNIC_PTP_ADJUST_INIT (1u << 0)
#define FBNIC_PTP_ADJUST_SUB_NUDGE (1u << 8)
#define FBNIC_PTP_ADJUST_ADD_NUDGE (1u << 16)
#define FBNIC_PTP_ADJUST_ADDEND_SET (1u << 24)
#define FBNIC_PTP_INIT_HI 0x04802u
#define FBNIC_PTP_INIT_LO 0x04803u
#define FBNIC_PTP_NUDGE_NS 0x04804u
#define FBNIC_PTP_NUDGE_SUBNS 0x04805u
#define FBNIC_PTP_ADD_VAL_NS 0x04806u
#define FBNIC_PTP_ADD_VAL_NS_MASK 0x0000ffffu
#define FBNIC_PTP_ADD_VAL_SUBNS 0x04807u
#define FBNIC_PTP_CTR_VAL_HI 0x04808u
#define FBNIC_PTP_CTR_VAL_LO 0x04809u
#define FBNIC_PTP_MONO_PTP_CTR_HI 0x0480au
#define FBNIC_PTP_MONO_PTP_CTR_LO 0x0480bu
#define FBNIC_PTP_CDC_FIFO_STATUS 0x0480cu
#define FBNIC_PTP_SPARE 0x0480du

/* ---- RX buffer (FBNIC_CSR_START_RXB) ----------------------------------- */
#define FBNIC_CSR_START_RXB 0x08000u
#define FBNIC_CSR_END_RXB 0x081b1u
#define FBNIC_RXB_PAUSE_DROP_CTRL 0x08008u
#define FBNIC_RXB_ERR_INTR_STS 0x08050u
#define FBNIC_RXB_ERR_INTR_STS_PS 0x0000f000u /* pause storm, per interface */
#define FBNIC_RXB_ERR_INTR_MASK 0x08052u

/* ---- RX parser and classifier (FBNIC_CSR_START_RPC, START_RPC_RAM) ---- */
#define FBNIC_CSR_START_RPC 0x08400u
#define FBNIC_RPC_RMI_CONFIG 0x08400u
#define FBNIC_RPC_RMI_CONFIG_OH_BYTES 0x0000001fu   /* 4:0 */
#define FBNIC_RPC_RMI_CONFIG_FCS_PRESENT (1u << 8)
#define FBNIC_RPC_RMI_CONFIG_ENABLE (1u << 12)
#define FBNIC_RPC_RMI_CONFIG_MTU 0xffff0000u        /* 31:16, bytes */

/* The action of a frame no action-TCAM entry matches; the same layout as
 * ACT_TBL0(n) / ACT_TBL1(n) below. */
#define FBNIC_RPC_ACT_TBL0_DEFAULT 0x0840au
#define FBNIC_RPC_ACT_TBL0_DROP (1u << 0)
#define FBNIC_RPC_ACT_TBL0_DEST_MASK 0x0000000eu    /* 3:1 */
#define FBNIC_RPC_ACT_TBL0_DEST_HOST 1u             /* DEST_MASK values */
#define FBNIC_RPC_ACT_TBL0_DEST_BMC 2u
#define FBNIC_RPC_ACT_TBL0_DEST_EI 4u
#define FBNIC_RPC_ACT_TBL0_Q_SEL (1u << 4)
#define FBNIC_RPC_ACT_TBL0_Q_ID 0x0000ff00u         /* 15:8 */
#define FBNIC_RPC_ACT_TBL0_DMA_HINT 0x01ff0000u     /* 24:16 */
#define FBNIC_RPC_ACT_TBL0_TS_ENA (1u << 28)
#define FBNIC_RPC_ACT_TBL0_ACT_TBL_IDX (1u << 29)
#define FBNIC_RPC_ACT_TBL0_RSS_CTXT_ID (1u << 30)   /* RSS_TBL 1, not 0 */
#define FBNIC_RPC_ACT_TBL1_DEFAULT 0x0840bu
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_MASK 0x0000ffffu /* 15:0, fields hashed */
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_SRC (1u << 0)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_IP_DST (1u << 1)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_SRC (1u << 2)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_DST (1u << 3)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_L2_DA (1u << 4)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_RSS_BYTE (1u << 5)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_IV6_FL_LBL (1u << 6)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_OV6_FL_LBL (1u << 7)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_DSCP (1u << 8)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_L3_PROT (1u << 9)
#define FBNIC_RPC_ACT_TBL1_RSS_ENA_L4_PROT (1u << 10)

/* The Toeplitz key: 425 bits in 14 dwords, key byte 4k + j in bits
 * 31 - 8j .. 24 - 8j of dword k (fbnic_ethtool.c fbnic_get_rxfh /
 * fbnic_set_rxfh); only bits 31:23 of the last dword are key bits
 * (fbnic_rpc.c fbnic_rss_key_fill). */
#define FBNIC_RPC_RSS_KEY(n) (0x0840cu + (n))
#define FBNIC_RPC_RSS_KEY_BIT_LEN 425u
#define FBNIC_RPC_RSS_KEY_BYTE_LEN 54u
#define FBNIC_RPC_RSS_KEY_DWORD_LEN 14u
#define FBNIC_RPC_RSS_KEY_LAST_IDX 13u
#define FBNIC_RPC_RSS_KEY_LAST_MASK 0xff800000u     /* 31:23 */
/* The RX size histogram above 1518 bytes, as the TMI's for TX. */
#define FBNIC_RPC_STAT_RX_PACKET_1519_2047_BYTES_L 0x0855fu
#define FBNIC_RPC_STAT_RX_PACKET_2048_4095_BYTES_L 0x08561u
#define FBNIC_RPC_STAT_RX_PACKET_4096_8191_BYTES_L 0x08563u
#define FBNIC_RPC_STAT_RX_PACKET_8192_9216_BYTES_L 0x08565u
#define FBNIC_RPC_STAT_RX_PACKET_9217_MAX_BYTES_L 0x08567u
#define FBNIC_CSR_END_RPC 0x0856bu

#define FBNIC_CSR_START_RPC_RAM 0x08800u
/* Actions of the action-TCAM entries. */
#define FBNIC_RPC_ACT_TBL0(n) (0x08800u + (n))
#define FBNIC_RPC_ACT_TBL1(n) (0x08840u + (n))
#define FBNIC_RPC_ACT_TBL_NUM_ENTRIES 64u

/* TCAMs: entry e, word w.  Words hold a 16-bit value (15:0) and mask
 * (31:16), a mask bit 1 meaning "don't care"; the word after the last
 * holds VALIDATE (fbnic_rpc.c writes the words, then VALIDATE; clearing
 * writes 0 to all of them).  Word counts, entry counts and the key
 * layouts are fbnic_rpc.h's FBNIC_RPC_TCAM_*. */
#define FBNIC_RPC_TCAM_VALIDATE (1u << 31)

/* Action TCAM: 11 key words + VALIDATE (word 11). */
#define FBNIC_RPC_TCAM_ACT(e, w) (0x08880u + 0x40u * (w) + (e))
#define FBNIC_RPC_TCAM_ACT_WORD_LEN 11u
#define FBNIC_RPC_TCAM_ACT_NUM_ENTRIES 64u
#define FBNIC_RPC_TCAM_ACT_VALUE 0x0000ffffu        /* 15:0 */
#define FBNIC_RPC_TCAM_ACT_MASK 0xffff0000u         /* 31:16 */
/* key word 0: the IP TCAM entries the frame's addresses matched */
#define FBNIC_RPC_TCAM_ACT0_IPSRC_IDX 0x0007u        /* 2:0 */
#define FBNIC_RPC_TCAM_ACT0_IPSRC_VALID (1u << 3)
#define FBNIC_RPC_TCAM_ACT0_IPDST_IDX 0x0070u        /* 6:4 */
#define FBNIC_RPC_TCAM_ACT0_IPDST_VALID (1u << 7)
#define FBNIC_RPC_TCAM_ACT0_OUTER_IPSRC_IDX 0x0700u  /* 10:8 */
#define FBNIC_RPC_TCAM_ACT0_OUTER_IPSRC_VALID (1u << 11)
#define FBNIC_RPC_TCAM_ACT0_OUTER_IPDST_IDX 0x7000u  /* 14:12 */
#define FBNIC_RPC_TCAM_ACT0_OUTER_IPDST_VALID (1u << 15)
/* key word 1: MACDA TCAM entry and the frame's layers */
#define FBNIC_RPC_TCAM_ACT1_L2_MACDA_IDX 0x03e0u     /* 9:5 */
#define FBNIC_RPC_TCAM_ACT1_L2_MACDA_VALID (1u << 10)
#define FBNIC_RPC_TCAM_ACT1_IP_IS_V6 (1u << 11)
#define FBNIC_RPC_TCAM_ACT1_IP_VALID (1u << 12)
#define FBNIC_RPC_TCAM_ACT1_OUTER_IP_VALID (1u << 13)
#define FBNIC_RPC_TCAM_ACT1_L4_IS_UDP (1u << 14)
#define FBNIC_RPC_TCAM_ACT1_L4_VALID (1u << 15)
/* key word 2: error / DSCP matches (always masked by the driver); words
 * 3 and 4: L4 source and destination port; 5..10: always masked */
#define FBNIC_RPC_TCAM_ACT_L4_SPORT_WORD 3u
#define FBNIC_RPC_TCAM_ACT_L4_DPORT_WORD 4u

/* MACDA TCAM: word 0 = address bytes 4-5, 1 = bytes 2-3, 2 = bytes 0-1
 * (each a big-endian 16-bit number, fbnic_rpc.c fbnic_write_macda_entry),
 * VALIDATE in word 3. */
#define FBNIC_RPC_TCAM_MACDA(e, w) (0x08b80u + 0x20u * (w) + (e))
#define FBNIC_RPC_TCAM_MACDA_WORD_LEN 3u
#define FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES 32u
#define FBNIC_RPC_TCAM_MACDA_VALUE 0x0000ffffu      /* 15:0 */
#define FBNIC_RPC_TCAM_MACDA_MASK 0xffff0000u       /* 31:16 */

/* IP address TCAMs: word w = 16-bit group 7 - w of the IPv6 address
 * (an IPv4 address as ::a.b.c.d, groups 0-5 masked), word 8 = VALIDATE
 * and, for the inner ones, bit 0 "is IPv6" (fbnic_rpc.c
 * fbnic_write_ip_src_entry; the outer ones get VALIDATE alone). */
#define FBNIC_RPC_TCAM_OUTER_IPSRC(e, w) (0x08c00u + 0x08u * (w) + (e))
#define FBNIC_RPC_TCAM_OUTER_IPDST(e, w) (0x08c48u + 0x08u * (w) + (e))
#define FBNIC_RPC_TCAM_IPSRC(e, w) (0x08c90u + 0x08u * (w) + (e))
#define FBNIC_RPC_TCAM_IPDST(e, w) (0x08cd8u + 0x08u * (w) + (e))
#define FBNIC_RPC_TCAM_IP_ADDR_WORD_LEN 8u
#define FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES 8u
#define FBNIC_RPC_TCAM_IP_ADDR_VALUE 0x0000ffffu    /* 15:0 */
#define FBNIC_RPC_TCAM_IP_ADDR_MASK 0xffff0000u     /* 31:16 */
#define FBNIC_RPC_TCAM_IP_ADDR_IS_V6 (1u << 0)      /* word 8 */

/* RSS indirection: table t (ACT_TBL0 RSS_CTXT_ID), index i. */
#define FBNIC_RPC_RSS_TBL(t, i) (0x08d20u + 0x100u * (t) + (i))
#define FBNIC_RPC_RSS_TBL_COUNT 2u
#define FBNIC_RPC_RSS_TBL_SIZE 256u
#define FBNIC_CSR_END_RPC_RAM 0x08f1fu

/* ---- Fabric and master ------------------------------------------------- */
#define FBNIC_CSR_START_FAB 0x0c000u
#define FBNIC_CSR_END_FAB 0x0c020u
#define FBNIC_CSR_START_MASTER 0x0c400u
#define FBNIC_CSR_END_MASTER 0x0c452u
/* The driver's "is the device still there" probe (fbnic_rd32 re-reads it
 * after an all-ones read, fbnic_pci.c). */
#define FBNIC_MASTER_SPARE_0 0x0c41bu

/* ---- PCS and RS-FEC (FBNIC_CSR_START_PCS, START_RSFEC) ----------------- */
/* PCS pages: two PCS instances of 0x400 registers, the second one cut
 * short at FBNIC_CSR_END_PCS. */
#define FBNIC_CSR_START_PCS 0x10000u
#define FBNIC_CSR_END_PCS 0x10668u
#define FBNIC_PCS_PAGE_STRIDE 0x400u
#define FBNIC_PCS_PAGE(n) (0x10000u + FBNIC_PCS_PAGE_STRIDE * (n))
#define FBNIC_PCS_PAGES 2u

/* Clause 45 MMD 3 registers inside a page (include/uapi/linux/mdio.h). */
#define FBNIC_PCS_CTRL1 0x000u
#define FBNIC_PCS_CTRL1_RESET 0x8000u
#define FBNIC_PCS_CTRL1_LOOPBACK 0x4000u
#define FBNIC_PCS_CTRL1_SPEEDSEL 0x207cu /* bits 13, 6, 5:2 */
#define FBNIC_PCS_CTRL1_SPEED100G 0x2050u
#define FBNIC_PCS_CTRL1_SPEED25G 0x2054u
#define FBNIC_PCS_CTRL1_SPEED50G 0x2058u
#define FBNIC_PCS_STAT1 0x001u
#define FBNIC_PCS_STAT1_LSTATUS 0x0004u /* latching low */
#define FBNIC_PCS_STAT1_FAULT 0x0080u
#define FBNIC_PCS_DEVID1 0x002u
#define FBNIC_PCS_DEVID2 0x003u
#define FBNIC_PCS_STAT2 0x008u
#define FBNIC_PCS_STAT2_DEVPRST_VAL 0x8000u
#define FBNIC_PCS_BASER_STAT1 0x020u /* MDIO_PCS_10GBRT_STAT1 */
#define FBNIC_PCS_BASER_STAT1_BLKLK 0x0001u
#define FBNIC_PCS_BASER_STAT1_RLINK 0x1000u
#define FBNIC_PCS_BASER_STAT2 0x021u /* MDIO_PCS_10GBRT_STAT2 */

/* DW vendor DIG_STS, MMD3 0x8010 as remapped by fbnic_mdio.c. */
#define FBNIC_PCS_VR_DIG_STS 0x210u
#define FBNIC_PCS_VR_DIG_STS_PSEQ_GOOD 0x0010u /* PSEQ_ST = 4 */

/* DW_XPCS_ID as the DW IP reports it in DEVID1/2. */
#define FBNIC_PCS_DW_XPCS_ID 0x7996ced0u

/* RS-FEC engines (4, the driver uses engine 0) and PCS lane counters. */
#define FBNIC_CSR_START_RSFEC 0x10800u
#define FBNIC_CSR_END_RSFEC 0x108c8u
#define FBNIC_RSFEC_ENGINES 4u
#define FBNIC_RSFEC_CONTROL(n) (0x10800u + 8u * (n))
#define FBNIC_RSFEC_STATUS(n) (0x10801u + 8u * (n))
#define FBNIC_RSFEC_STATUS_FEC_ALIGN 0x4000u
#define FBNIC_RSFEC_STATUS_AM_LOCK_SHIFT 8
#define FBNIC_RSFEC_CCW_LO(n) (0x10802u + 8u * (n))
#define FBNIC_RSFEC_CCW_HI(n) (0x10803u + 8u * (n))
#define FBNIC_RSFEC_NCCW_LO(n) (0x10804u + 8u * (n))
#define FBNIC_RSFEC_NCCW_HI(n) (0x10805u + 8u * (n))
#define FBNIC_PCS_MAX_LANES 4u
#define FBNIC_PCS_SYMBLERR_LO(n) (0x10880u + 2u * (n))
#define FBNIC_PCS_SYMBLERR_HI(n) (0x10881u + 2u * (n))

/* SIG_PCS_OUT0/OUT1 lock fields (fbnic_csr.h), see fbnic_pcs_sig_out. */
#define FBNIC_SIG_PCS_OUT0_LINK 0x08000000u         /* bit 27 */
#define FBNIC_SIG_PCS_OUT0_BLOCK_LOCK 0x01ffffe0u   /* bits 24:5 */
#define FBNIC_SIG_PCS_OUT0_BLOCK_LOCK_SHIFT 5
#define FBNIC_SIG_PCS_OUT0_AMPS_LOCK 0x0000001eu    /* bits 4:1 */
#define FBNIC_SIG_PCS_OUT0_AMPS_LOCK_SHIFT 1
#define FBNIC_SIG_PCS_OUT1_FCFEC_LOCK 0x00000f00u   /* bits 11:8 */
#define FBNIC_SIG_PCS_OUT1_FCFEC_LOCK_SHIFT 8

/* ---- MAC, SIG, MAC statistics ------------------------------------------ */
/* MAC_MAC */
#define FBNIC_CSR_START_MAC_MAC 0x11000u
#define FBNIC_CSR_END_MAC_MAC 0x11028u
#define FBNIC_MAC_COMMAND_CONFIG 0x11002u
#define FBNIC_MAC_COMMAND_CONFIG_RX_PAUSE_DIS (1u << 29)
#define FBNIC_MAC_COMMAND_CONFIG_TX_PAUSE_DIS (1u << 28)
#define FBNIC_MAC_COMMAND_CONFIG_FLT_HDL_DIS (1u << 27)
#define FBNIC_MAC_COMMAND_CONFIG_TX_PAD_EN (1u << 11)
#define FBNIC_MAC_COMMAND_CONFIG_LOOPBACK_EN (1u << 10)
#define FBNIC_MAC_COMMAND_CONFIG_PROMISC_EN (1u << 4)
#define FBNIC_MAC_COMMAND_CONFIG_RX_ENA (1u << 1)
#define FBNIC_MAC_COMMAND_CONFIG_TX_ENA (1u << 0)

/* SIG */
#define FBNIC_CSR_START_SIG 0x11800u
#define FBNIC_CSR_END_SIG 0x1184eu
#define FBNIC_SIG_MAC_IN0 0x11800u
#define FBNIC_SIG_MAC_IN0_RESET_FF_TX_CLK (1u << 14)
#define FBNIC_SIG_MAC_IN0_RESET_FF_RX_CLK (1u << 13)
#define FBNIC_SIG_MAC_IN0_RESET_TX_CLK (1u << 12)
#define FBNIC_SIG_MAC_IN0_RESET_RX_CLK (1u << 11)
#define FBNIC_SIG_PCS_OUT0 0x11808u
#define FBNIC_SIG_PCS_OUT1 0x11809u
#define FBNIC_SIG_PCS_INTR_STS 0x11814u
#define FBNIC_SIG_PCS_INTR_LINK_DOWN (1u << 1)
#define FBNIC_SIG_PCS_INTR_LINK_UP (1u << 0)
#define FBNIC_SIG_PCS_INTR_MASK 0x11816u

/* MAC_STAT: the low word of each counter (the high word is +1). */
#define FBNIC_CSR_START_MAC_STAT 0x11a00u
#define FBNIC_CSR_END_MAC_STAT 0x11a5fu
#define FBNIC_MAC_STAT_CNT 48u
#define FBNIC_MAC_STAT_RX_XOFF_STB_L 0x11a00u
#define FBNIC_MAC_STAT_TX_XOFF_STB_L 0x11a04u
#define FBNIC_MAC_STAT_RX_BYTE_COUNT_L 0x11a08u
#define FBNIC_MAC_STAT_RX_ALIGN_ERROR_L 0x11a0au
#define FBNIC_MAC_STAT_RX_TOOLONG_L 0x11a0eu
#define FBNIC_MAC_STAT_RX_RECEIVED_OK_L 0x11a12u
#define FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L 0x11a14u
#define FBNIC_MAC_STAT_RX_IFINERRORS_L 0x11a18u
#define FBNIC_MAC_STAT_RX_MULTICAST_L 0x11a1cu
#define FBNIC_MAC_STAT_RX_BROADCAST_L 0x11a1eu
#define FBNIC_MAC_STAT_RX_UNDERSIZE_L 0x11a24u
#define FBNIC_MAC_STAT_RX_PACKET_64_BYTES_L 0x11a26u
#define FBNIC_MAC_STAT_RX_PACKET_65_127_BYTES_L 0x11a28u
#define FBNIC_MAC_STAT_RX_PACKET_128_255_BYTES_L 0x11a2au
#define FBNIC_MAC_STAT_RX_PACKET_256_511_BYTES_L 0x11a2cu
#define FBNIC_MAC_STAT_RX_PACKET_512_1023_BYTES_L 0x11a2eu
#define FBNIC_MAC_STAT_RX_PACKET_1024_1518_BYTES_L 0x11a30u
#define FBNIC_MAC_STAT_RX_PACKET_1519_MAX_BYTES_L 0x11a32u
#define FBNIC_MAC_STAT_RX_OVERSIZE_L 0x11a34u
#define FBNIC_MAC_STAT_RX_JABBER_L 0x11a36u
#define FBNIC_MAC_STAT_RX_FRAGMENT_L 0x11a38u
#define FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L 0x11a3cu
#define FBNIC_MAC_STAT_TX_BYTE_COUNT_L 0x11a3eu
#define FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L 0x11a42u
#define FBNIC_MAC_STAT_TX_IFOUTERRORS_L 0x11a46u
#define FBNIC_MAC_STAT_TX_MULTICAST_L 0x11a4au
#define FBNIC_MAC_STAT_TX_BROADCAST_L 0x11a4cu
#define FBNIC_MAC_STAT_TX_PACKET_64_BYTES_L 0x11a4eu
#define FBNIC_MAC_STAT_TX_PACKET_65_127_BYTES_L 0x11a50u
#define FBNIC_MAC_STAT_TX_PACKET_128_255_BYTES_L 0x11a52u
#define FBNIC_MAC_STAT_TX_PACKET_256_511_BYTES_L 0x11a54u
#define FBNIC_MAC_STAT_TX_PACKET_512_1023_BYTES_L 0x11a56u
#define FBNIC_MAC_STAT_TX_PACKET_1024_1518_BYTES_L 0x11a58u
#define FBNIC_MAC_STAT_TX_PACKET_1519_MAX_BYTES_L 0x11a5au
#define FBNIC_MAC_STAT_TX_CONTROL_FRAMES_L 0x11a5eu

/* ---- PCIe SerDes ------------------------------------------------------- */
#define FBNIC_CSR_START_PCIE_SS_COMPHY 0x2442eu
#define FBNIC_CSR_END_PCIE_SS_COMPHY 0x279d7u

/* ---- PCIe user logic (FBNIC_CSR_START_PUL_USER) ------------------------ */
#define FBNIC_CSR_START_PUL_USER 0x31000u
#define FBNIC_CSR_END_PUL_USER 0x310eau
/* PUL outbound TLP config: BME gates device DMA (fbnic_mbx_init_desc_ring). */
#define FBNIC_PUL_OB_TLP_HDR_AW_CFG 0x3103du
#define FBNIC_PUL_OB_TLP_HDR_AR_CFG 0x3103eu
#define FBNIC_PUL_OB_TLP_HDR_CFG_BME (1u << 18)
#define FBNIC_PUL_OB_TLP_HDR_CFG_FLUSH (1u << 19)
#define FBNIC_PUL_OB_TLP_HDR_AW_CFG_FLUSH_MODE (1u << 20)

/* ---- Queues (FBNIC_CSR_START_QUEUE) ------------------------------------ */
#define FBNIC_CSR_START_QUEUE 0x40000u
#define FBNIC_MAX_QUEUES 128u
#define FBNIC_QUEUE_STRIDE 0x400u
#define FBNIC_QUEUE(n) (0x40000u + FBNIC_QUEUE_STRIDE * (n))
#define FBNIC_CSR_END_QUEUE (FBNIC_QUEUE(FBNIC_MAX_QUEUES) - 1u)

/* Offsets inside a queue window (fbnic_csr.h FBNIC_QUEUE_*). */
#define FBNIC_QUEUE_TWQ0_CTL 0x000u
#define FBNIC_QUEUE_TWQ1_CTL 0x001u
#define FBNIC_QUEUE_TWQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_TWQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_TWQ0_TAIL 0x002u
#define FBNIC_QUEUE_TWQ1_TAIL 0x003u
#define FBNIC_QUEUE_TWQ0_PTRS 0x004u /* head 31:16, tail 15:0 */
#define FBNIC_QUEUE_TWQ1_PTRS 0x005u
#define FBNIC_QUEUE_TWQ0_SIZE 0x00au
#define FBNIC_QUEUE_TWQ1_SIZE 0x00bu
#define FBNIC_QUEUE_TWQ0_BAL 0x020u
#define FBNIC_QUEUE_TWQ0_BAH 0x021u
#define FBNIC_QUEUE_TWQ1_BAL 0x022u
#define FBNIC_QUEUE_TWQ1_BAH 0x023u
#define FBNIC_QUEUE_TWQ0_PKT_CNT 0x062u
#define FBNIC_QUEUE_TWQ0_ERR_CNT 0x063u
#define FBNIC_QUEUE_TWQ1_PKT_CNT 0x072u
#define FBNIC_QUEUE_TWQ1_ERR_CNT 0x073u
#define FBNIC_QUEUE_TCQ_CTL 0x080u
#define FBNIC_QUEUE_TCQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_TCQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_TCQ_HEAD 0x081u
#define FBNIC_QUEUE_TCQ_PTRS 0x082u /* tail 31:16, head 15:0 */
#define FBNIC_QUEUE_TCQ_SIZE 0x084u
#define FBNIC_QUEUE_TCQ_BAL 0x0a0u
#define FBNIC_QUEUE_TCQ_BAH 0x0a1u
#define FBNIC_QUEUE_TIM_CTL 0x0c0u
#define FBNIC_QUEUE_TIM_CTL_MSIX_MASK 0x000000ffu
#define FBNIC_QUEUE_TIM_THRESHOLD 0x0c1u
#define FBNIC_QUEUE_TIM_THRESHOLD_TWD_MASK 0x00007fffu /* 14:0 */
#define FBNIC_QUEUE_TIM_CLEAR 0x0c2u
#define FBNIC_QUEUE_TIM_SET 0x0c3u
#define FBNIC_QUEUE_TIM_MASK 0x0c4u
#define FBNIC_QUEUE_TIM_MASK_MASK 0x00000001u /* 1: the TCQ raises nothing */
#define FBNIC_QUEUE_TIM_TIMER 0x0c5u
#define FBNIC_QUEUE_TIM_COUNTS 0x0c6u
#define FBNIC_QUEUE_RCQ_CTL 0x200u
#define FBNIC_QUEUE_RCQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_RCQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_RCQ_HEAD 0x201u
#define FBNIC_QUEUE_RCQ_PTRS 0x202u /* tail 31:16, head 15:0 */
#define FBNIC_QUEUE_RCQ_SIZE 0x204u
#define FBNIC_QUEUE_RCQ_BAL 0x220u
#define FBNIC_QUEUE_RCQ_BAH 0x221u
#define FBNIC_QUEUE_BDQ_CTL 0x240u
#define FBNIC_QUEUE_BDQ_CTL_RESET (1u << 0)
#define FBNIC_QUEUE_BDQ_CTL_ENABLE (1u << 1)
#define FBNIC_QUEUE_BDQ_CTL_PPQ_ENABLE (1u << 30)
#define FBNIC_QUEUE_BDQ_HPQ_TAIL 0x241u
#define FBNIC_QUEUE_BDQ_PPQ_TAIL 0x242u
#define FBNIC_QUEUE_BDQ_HPQ_PTRS 0x243u /* head 31:16, tail 15:0 */
#define FBNIC_QUEUE_BDQ_PPQ_PTRS 0x244u
#define FBNIC_QUEUE_BDQ_HPQ_SIZE 0x247u
#define FBNIC_QUEUE_BDQ_PPQ_SIZE 0x248u
#define FBNIC_QUEUE_BDQ_HPQ_BAL 0x260u
#define FBNIC_QUEUE_BDQ_HPQ_BAH 0x261u
#define FBNIC_QUEUE_BDQ_PPQ_BAL 0x262u
#define FBNIC_QUEUE_BDQ_PPQ_BAH 0x263u
#define FBNIC_QUEUE_RDE_CTL0 0x2a0u
#define FBNIC_QUEUE_RDE_CTL0_EN_HDR_SPLIT (1u << 31)
#define FBNIC_QUEUE_RDE_CTL0_DROP_MODE_MASK 0x60000000u /* 30:29 */
#define FBNIC_QUEUE_RDE_CTL0_MIN_HROOM_MASK 0x1ff00000u /* 28:20 */
#define FBNIC_QUEUE_RDE_CTL0_MIN_TROOM_MASK 0x000ff800u /* 19:11 */
#define FBNIC_QUEUE_RDE_CTL1 0x2a1u
#define FBNIC_QUEUE_RDE_CTL1_MAX_HDR_MASK 0x01fff000u   /* 24:12 */
#define FBNIC_QUEUE_RDE_CTL1_PADLEN_MASK 0x0000003cu    /* 5:2 */
#define FBNIC_QUEUE_RDE_PKT_CNT 0x2a2u
#define FBNIC_QUEUE_RDE_PKT_ERR_CNT 0x2a3u
#define FBNIC_QUEUE_RDE_CQ_DROP_CNT 0x2a4u
#define FBNIC_QUEUE_RDE_BDQ_DROP_CNT 0x2a5u
#define FBNIC_QUEUE_RIM_CTL 0x2c0u
#define FBNIC_QUEUE_RIM_CTL_MSIX_MASK 0x000000ffu
#define FBNIC_QUEUE_RIM_THRESHOLD 0x2c1u
#define FBNIC_QUEUE_RIM_THRESHOLD_RCD_MASK 0x00007fffu /* 14:0 */
#define FBNIC_QUEUE_RIM_CLEAR 0x2c2u
#define FBNIC_QUEUE_RIM_SET 0x2c3u
#define FBNIC_QUEUE_RIM_MASK 0x2c4u
#define FBNIC_QUEUE_RIM_MASK_MASK 0x00000001u /* 1: the RCQ raises nothing */
#define FBNIC_QUEUE_RIM_COAL_STATUS 0x2c5u

#define FBNIC_QUEUE_SIZE_MASK 0x0000000fu
#define FBNIC_QUEUE_BAL_MASK 0xffffff80u

/* ==== BAR4 ============================================================== */

/* ---- OTP status (read by fbnic_devlink.c) ------------------------------ */
#define FBNIC_CSR_START_NS_OTP 0x0021du
#define FBNIC_NS_OTP_STATUS 0x0021du
#define FBNIC_NS_OTP_WRITE_STATUS 0x0021eu
#define FBNIC_CSR_END_NS_OTP 0x0021eu

/* ---- Firmware mailbox (FBNIC_CSR_START_IPC_MBX) ------------------------ */
#define FBNIC_CSR_START_IPC_MBX 0x06000u
#define FBNIC_CSR_END_IPC_MBX 0x0603fu
#define FBNIC_IPC_MBX_DESC_LEN 16u
#define FBNIC_IPC_MBX_RX_IDX 0u
#define FBNIC_IPC_MBX_TX_IDX 1u
#define FBNIC_IPC_MBX(m, d) (0x6000u + ((m) * FBNIC_IPC_MBX_DESC_LEN + (d)) * 2u)
#define FBNIC_IPC_MBX_DESC_HOST_CMPL 0x1ull
#define FBNIC_IPC_MBX_DESC_FW_CMPL 0x2ull
#define FBNIC_IPC_MBX_DESC_FW_ERR 0x4ull
#define FBNIC_IPC_MBX_DESC_ADDR_MASK 0x00003ffffffffff8ull
#define FBNIC_IPC_MBX_DESC_EOM (1ull << 46)
#define FBNIC_IPC_MBX_DESC_LEN_SHIFT 48

#endif
