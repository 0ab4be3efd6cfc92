/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Register names, for the control channel's `reg` and for logs: every
 * register of the map (csr.h) by name, arrays with their element count
 * and stride, the per-queue and per-PCS-page registers by offset.
 */
#include "csr_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csr.h"

/* The RPC TCAMs are two-dimensional, (entry, word): one array of entries
 * per word, named after the word, RPC_TCAM_ACT0[e] .. RPC_TCAM_ACT11[e]
 * (the word of VALIDATE last).  RPC_RSS_TBL0/1 are the two tables. */
#define TCAM_ACT(w) { "RPC_TCAM_ACT" #w, 0, FBNIC_RPC_TCAM_ACT(0, w), \
		      FBNIC_RPC_TCAM_ACT_NUM_ENTRIES, 1 }
#define TCAM_MACDA(w) { "RPC_TCAM_MACDA" #w, 0, FBNIC_RPC_TCAM_MACDA(0, w), \
			FBNIC_RPC_TCAM_MACDA_NUM_ENTRIES, 1 }
#define TCAM_IP_W(t, w) { "RPC_TCAM_" #t #w, 0, FBNIC_RPC_TCAM_##t(0, w), \
			  FBNIC_RPC_TCAM_IP_ADDR_NUM_ENTRIES, 1 }
#define TCAM_IP(t) TCAM_IP_W(t, 0), TCAM_IP_W(t, 1), TCAM_IP_W(t, 2), \
	TCAM_IP_W(t, 3), TCAM_IP_W(t, 4), TCAM_IP_W(t, 5), TCAM_IP_W(t, 6), \
	TCAM_IP_W(t, 7), TCAM_IP_W(t, 8)

const struct csr_name fbnic_csr_names[] = {
	{ "INTR_STATUS", 0, FBNIC_INTR_STATUS(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_MASK", 0, FBNIC_INTR_MASK(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_SET", 0, FBNIC_INTR_SET(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_CLEAR", 0, FBNIC_INTR_CLEAR(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_SW_STATUS", 0, FBNIC_INTR_SW_STATUS(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_SW_AC_MODE", 0, FBNIC_INTR_SW_AC_MODE(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_MASK_SET", 0, FBNIC_INTR_MASK_SET(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_MASK_CLEAR", 0, FBNIC_INTR_MASK_CLEAR(0), FBNIC_INTR_BANKS, 1 },
	{ "INTR_MSIX_CTRL", 0, FBNIC_INTR_MSIX_CTRL(0), FBNIC_INTR_MSIX_CTRL_CNT, 1 },
	{ "INTR_CQ_REARM", 0, FBNIC_INTR_CQ_REARM(0), 256, 4 },
	{ "INTR_RCQ_TIMEOUT", 0, FBNIC_INTR_RCQ_TIMEOUT(0), 256, 4 },
	{ "INTR_TCQ_TIMEOUT", 0, FBNIC_INTR_TCQ_TIMEOUT(0), 256, 4 },
	{ "QM_TWQ_IDLE", 0, FBNIC_QM_TWQ_IDLE(0), FBNIC_QM_TWQ_IDLE_CNT, 1 },
	{ "QM_TCQ_IDLE", 0, FBNIC_QM_TCQ_IDLE(0), FBNIC_QM_TCQ_IDLE_CNT, 1 },
	{ "QM_TQS_IDLE", 0, FBNIC_QM_TQS_IDLE(0), FBNIC_QM_TQS_IDLE_CNT, 1 },
	{ "QM_TDE_IDLE", 0, FBNIC_QM_TDE_IDLE(0), FBNIC_QM_TDE_IDLE_CNT, 1 },
	{ "QM_RCQ_IDLE", 0, FBNIC_QM_RCQ_IDLE(0), FBNIC_QM_RCQ_IDLE_CNT, 1 },
	{ "QM_HPQ_IDLE", 0, FBNIC_QM_HPQ_IDLE(0), FBNIC_QM_HPQ_IDLE_CNT, 1 },
	{ "QM_PPQ_IDLE", 0, FBNIC_QM_PPQ_IDLE(0), FBNIC_QM_PPQ_IDLE_CNT, 1 },
	{ "TMI_STAT_TX_PACKET_1519_2047_BYTES_L", 0, FBNIC_TMI_STAT_TX_PACKET_1519_2047_BYTES_L, 1, 1 },
	{ "TMI_STAT_TX_PACKET_1519_2047_BYTES_H", 0, (FBNIC_TMI_STAT_TX_PACKET_1519_2047_BYTES_L + 1), 1, 1 },
	{ "TMI_STAT_TX_PACKET_2048_4095_BYTES_L", 0, FBNIC_TMI_STAT_TX_PACKET_2048_4095_BYTES_L, 1, 1 },
	{ "TMI_STAT_TX_PACKET_2048_4095_BYTES_H", 0, (FBNIC_TMI_STAT_TX_PACKET_2048_4095_BYTES_L + 1), 1, 1 },
	{ "TMI_STAT_TX_PACKET_4096_8191_BYTES_L", 0, FBNIC_TMI_STAT_TX_PACKET_4096_8191_BYTES_L, 1, 1 },
	{ "TMI_STAT_TX_PACKET_4096_8191_BYTES_H", 0, (FBNIC_TMI_STAT_TX_PACKET_4096_8191_BYTES_L + 1), 1, 1 },
	{ "TMI_STAT_TX_PACKET_8192_9216_BYTES_L", 0, FBNIC_TMI_STAT_TX_PACKET_8192_9216_BYTES_L, 1, 1 },
	{ "TMI_STAT_TX_PACKET_8192_9216_BYTES_H", 0, (FBNIC_TMI_STAT_TX_PACKET_8192_9216_BYTES_L + 1), 1, 1 },
	{ "TMI_STAT_TX_PACKET_9217_MAX_BYTES_L", 0, FBNIC_TMI_STAT_TX_PACKET_9217_MAX_BYTES_L, 1, 1 },
	{ "TMI_STAT_TX_PACKET_9217_MAX_BYTES_H", 0, (FBNIC_TMI_STAT_TX_PACKET_9217_MAX_BYTES_L + 1), 1, 1 },
	{ "PTP_CTRL", 0, FBNIC_PTP_CTRL, 1, 1 },
	{ "PTP_ADJUST", 0, FBNIC_PTP_ADJUST, 1, 1 },
	{ "PTP_INIT_HI", 0, FBNIC_PTP_INIT_HI, 1, 1 },
	{ "PTP_INIT_LO", 0, FBNIC_PTP_INIT_LO, 1, 1 },
	{ "PTP_NUDGE_NS", 0, FBNIC_PTP_NUDGE_NS, 1, 1 },
	{ "PTP_NUDGE_SUBNS", 0, FBNIC_PTP_NUDGE_SUBNS, 1, 1 },
	{ "PTP_ADD_VAL_NS", 0, FBNIC_PTP_ADD_VAL_NS, 1, 1 },
	{ "PTP_ADD_VAL_SUBNS", 0, FBNIC_PTP_ADD_VAL_SUBNS, 1, 1 },
	{ "PTP_CTR_VAL_HI", 0, FBNIC_PTP_CTR_VAL_HI, 1, 1 },
	{ "PTP_CTR_VAL_LO", 0, FBNIC_PTP_CTR_VAL_LO, 1, 1 },
	{ "PTP_MONO_PTP_CTR_HI", 0, FBNIC_PTP_MONO_PTP_CTR_HI, 1, 1 },
	{ "PTP_MONO_PTP_CTR_LO", 0, FBNIC_PTP_MONO_PTP_CTR_LO, 1, 1 },
	{ "PTP_CDC_FIFO_STATUS", 0, FBNIC_PTP_CDC_FIFO_STATUS, 1, 1 },
	{ "PTP_SPARE", 0, FBNIC_PTP_SPARE, 1, 1 },
	{ "RXB_PAUSE_DROP_CTRL", 0, FBNIC_RXB_PAUSE_DROP_CTRL, 1, 1 },
	{ "RXB_ERR_INTR_STS", 0, FBNIC_RXB_ERR_INTR_STS, 1, 1 },
	{ "RXB_ERR_INTR_MASK", 0, FBNIC_RXB_ERR_INTR_MASK, 1, 1 },
	{ "RPC_RMI_CONFIG", 0, FBNIC_RPC_RMI_CONFIG, 1, 1 },
	{ "RPC_ACT_TBL0_DEFAULT", 0, FBNIC_RPC_ACT_TBL0_DEFAULT, 1, 1 },
	{ "RPC_ACT_TBL1_DEFAULT", 0, FBNIC_RPC_ACT_TBL1_DEFAULT, 1, 1 },
	{ "RPC_RSS_KEY", 0, FBNIC_RPC_RSS_KEY(0), FBNIC_RPC_RSS_KEY_DWORD_LEN, 1 },
	{ "RPC_STAT_RX_PACKET_1519_2047_BYTES_L", 0, FBNIC_RPC_STAT_RX_PACKET_1519_2047_BYTES_L, 1, 1 },
	{ "RPC_STAT_RX_PACKET_1519_2047_BYTES_H", 0, (FBNIC_RPC_STAT_RX_PACKET_1519_2047_BYTES_L + 1), 1, 1 },
	{ "RPC_STAT_RX_PACKET_2048_4095_BYTES_L", 0, FBNIC_RPC_STAT_RX_PACKET_2048_4095_BYTES_L, 1, 1 },
	{ "RPC_STAT_RX_PACKET_2048_4095_BYTES_H", 0, (FBNIC_RPC_STAT_RX_PACKET_2048_4095_BYTES_L + 1), 1, 1 },
	{ "RPC_STAT_RX_PACKET_4096_8191_BYTES_L", 0, FBNIC_RPC_STAT_RX_PACKET_4096_8191_BYTES_L, 1, 1 },
	{ "RPC_STAT_RX_PACKET_4096_8191_BYTES_H", 0, (FBNIC_RPC_STAT_RX_PACKET_4096_8191_BYTES_L + 1), 1, 1 },
	{ "RPC_STAT_RX_PACKET_8192_9216_BYTES_L", 0, FBNIC_RPC_STAT_RX_PACKET_8192_9216_BYTES_L, 1, 1 },
	{ "RPC_STAT_RX_PACKET_8192_9216_BYTES_H", 0, (FBNIC_RPC_STAT_RX_PACKET_8192_9216_BYTES_L + 1), 1, 1 },
	{ "RPC_STAT_RX_PACKET_9217_MAX_BYTES_L", 0, FBNIC_RPC_STAT_RX_PACKET_9217_MAX_BYTES_L, 1, 1 },
	{ "RPC_STAT_RX_PACKET_9217_MAX_BYTES_H", 0, (FBNIC_RPC_STAT_RX_PACKET_9217_MAX_BYTES_L + 1), 1, 1 },
	{ "RPC_ACT_TBL0", 0, FBNIC_RPC_ACT_TBL0(0), FBNIC_RPC_ACT_TBL_NUM_ENTRIES, 1 },
	{ "RPC_ACT_TBL1", 0, FBNIC_RPC_ACT_TBL1(0), FBNIC_RPC_ACT_TBL_NUM_ENTRIES, 1 },
	TCAM_ACT(0), TCAM_ACT(1), TCAM_ACT(2), TCAM_ACT(3), TCAM_ACT(4),
	TCAM_ACT(5), TCAM_ACT(6), TCAM_ACT(7), TCAM_ACT(8), TCAM_ACT(9),
	TCAM_ACT(10), TCAM_ACT(11),
	TCAM_MACDA(0), TCAM_MACDA(1), TCAM_MACDA(2), TCAM_MACDA(3),
	TCAM_IP(OUTER_IPSRC), TCAM_IP(OUTER_IPDST), TCAM_IP(IPSRC),
	TCAM_IP(IPDST),
	{ "RPC_RSS_TBL0", 0, FBNIC_RPC_RSS_TBL(0, 0), FBNIC_RPC_RSS_TBL_SIZE, 1 },
	{ "RPC_RSS_TBL1", 0, FBNIC_RPC_RSS_TBL(1, 0), FBNIC_RPC_RSS_TBL_SIZE, 1 },
	{ "MASTER_SPARE_0", 0, FBNIC_MASTER_SPARE_0, 1, 1 },
	{ "RSFEC_CONTROL", 0, FBNIC_RSFEC_CONTROL(0), FBNIC_RSFEC_ENGINES, 8 },
	{ "RSFEC_STATUS", 0, FBNIC_RSFEC_STATUS(0), FBNIC_RSFEC_ENGINES, 8 },
	{ "RSFEC_CCW_LO", 0, FBNIC_RSFEC_CCW_LO(0), FBNIC_RSFEC_ENGINES, 8 },
	{ "RSFEC_CCW_HI", 0, FBNIC_RSFEC_CCW_HI(0), FBNIC_RSFEC_ENGINES, 8 },
	{ "RSFEC_NCCW_LO", 0, FBNIC_RSFEC_NCCW_LO(0), FBNIC_RSFEC_ENGINES, 8 },
	{ "RSFEC_NCCW_HI", 0, FBNIC_RSFEC_NCCW_HI(0), FBNIC_RSFEC_ENGINES, 8 },
	{ "PCS_SYMBLERR_LO", 0, FBNIC_PCS_SYMBLERR_LO(0), FBNIC_PCS_MAX_LANES, 2 },
	{ "PCS_SYMBLERR_HI", 0, FBNIC_PCS_SYMBLERR_HI(0), FBNIC_PCS_MAX_LANES, 2 },
	{ "MAC_COMMAND_CONFIG", 0, FBNIC_MAC_COMMAND_CONFIG, 1, 1 },
	{ "SIG_MAC_IN0", 0, FBNIC_SIG_MAC_IN0, 1, 1 },
	{ "SIG_PCS_OUT0", 0, FBNIC_SIG_PCS_OUT0, 1, 1 },
	{ "SIG_PCS_OUT1", 0, FBNIC_SIG_PCS_OUT1, 1, 1 },
	{ "SIG_PCS_INTR_STS", 0, FBNIC_SIG_PCS_INTR_STS, 1, 1 },
	{ "SIG_PCS_INTR_MASK", 0, FBNIC_SIG_PCS_INTR_MASK, 1, 1 },
	{ "MAC_STAT_RX_XOFF_STB_L", 0, FBNIC_MAC_STAT_RX_XOFF_STB_L, 1, 1 },
	{ "MAC_STAT_RX_XOFF_STB_H", 0, (FBNIC_MAC_STAT_RX_XOFF_STB_L + 1), 1, 1 },
	{ "MAC_STAT_TX_XOFF_STB_L", 0, FBNIC_MAC_STAT_TX_XOFF_STB_L, 1, 1 },
	{ "MAC_STAT_TX_XOFF_STB_H", 0, (FBNIC_MAC_STAT_TX_XOFF_STB_L + 1), 1, 1 },
	{ "MAC_STAT_RX_BYTE_COUNT_L", 0, FBNIC_MAC_STAT_RX_BYTE_COUNT_L, 1, 1 },
	{ "MAC_STAT_RX_BYTE_COUNT_H", 0, (FBNIC_MAC_STAT_RX_BYTE_COUNT_L + 1), 1, 1 },
	{ "MAC_STAT_RX_ALIGN_ERROR_L", 0, FBNIC_MAC_STAT_RX_ALIGN_ERROR_L, 1, 1 },
	{ "MAC_STAT_RX_ALIGN_ERROR_H", 0, (FBNIC_MAC_STAT_RX_ALIGN_ERROR_L + 1), 1, 1 },
	{ "MAC_STAT_RX_TOOLONG_L", 0, FBNIC_MAC_STAT_RX_TOOLONG_L, 1, 1 },
	{ "MAC_STAT_RX_TOOLONG_H", 0, (FBNIC_MAC_STAT_RX_TOOLONG_L + 1), 1, 1 },
	{ "MAC_STAT_RX_RECEIVED_OK_L", 0, FBNIC_MAC_STAT_RX_RECEIVED_OK_L, 1, 1 },
	{ "MAC_STAT_RX_RECEIVED_OK_H", 0, (FBNIC_MAC_STAT_RX_RECEIVED_OK_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_BAD_FCS_L", 0, FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_BAD_FCS_H", 0, (FBNIC_MAC_STAT_RX_PACKET_BAD_FCS_L + 1), 1, 1 },
	{ "MAC_STAT_RX_IFINERRORS_L", 0, FBNIC_MAC_STAT_RX_IFINERRORS_L, 1, 1 },
	{ "MAC_STAT_RX_IFINERRORS_H", 0, (FBNIC_MAC_STAT_RX_IFINERRORS_L + 1), 1, 1 },
	{ "MAC_STAT_RX_MULTICAST_L", 0, FBNIC_MAC_STAT_RX_MULTICAST_L, 1, 1 },
	{ "MAC_STAT_RX_MULTICAST_H", 0, (FBNIC_MAC_STAT_RX_MULTICAST_L + 1), 1, 1 },
	{ "MAC_STAT_RX_BROADCAST_L", 0, FBNIC_MAC_STAT_RX_BROADCAST_L, 1, 1 },
	{ "MAC_STAT_RX_BROADCAST_H", 0, (FBNIC_MAC_STAT_RX_BROADCAST_L + 1), 1, 1 },
	{ "MAC_STAT_RX_UNDERSIZE_L", 0, FBNIC_MAC_STAT_RX_UNDERSIZE_L, 1, 1 },
	{ "MAC_STAT_RX_UNDERSIZE_H", 0, (FBNIC_MAC_STAT_RX_UNDERSIZE_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_64_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_64_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_64_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_64_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_65_127_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_65_127_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_65_127_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_65_127_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_128_255_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_128_255_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_128_255_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_128_255_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_256_511_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_256_511_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_256_511_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_256_511_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_512_1023_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_512_1023_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_512_1023_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_512_1023_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_1024_1518_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_1024_1518_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_1024_1518_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_1024_1518_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_PACKET_1519_MAX_BYTES_L", 0, FBNIC_MAC_STAT_RX_PACKET_1519_MAX_BYTES_L, 1, 1 },
	{ "MAC_STAT_RX_PACKET_1519_MAX_BYTES_H", 0, (FBNIC_MAC_STAT_RX_PACKET_1519_MAX_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_RX_OVERSIZE_L", 0, FBNIC_MAC_STAT_RX_OVERSIZE_L, 1, 1 },
	{ "MAC_STAT_RX_OVERSIZE_H", 0, (FBNIC_MAC_STAT_RX_OVERSIZE_L + 1), 1, 1 },
	{ "MAC_STAT_RX_JABBER_L", 0, FBNIC_MAC_STAT_RX_JABBER_L, 1, 1 },
	{ "MAC_STAT_RX_JABBER_H", 0, (FBNIC_MAC_STAT_RX_JABBER_L + 1), 1, 1 },
	{ "MAC_STAT_RX_FRAGMENT_L", 0, FBNIC_MAC_STAT_RX_FRAGMENT_L, 1, 1 },
	{ "MAC_STAT_RX_FRAGMENT_H", 0, (FBNIC_MAC_STAT_RX_FRAGMENT_L + 1), 1, 1 },
	{ "MAC_STAT_RX_CONTROL_FRAMES_L", 0, FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L, 1, 1 },
	{ "MAC_STAT_RX_CONTROL_FRAMES_H", 0, (FBNIC_MAC_STAT_RX_CONTROL_FRAMES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_BYTE_COUNT_L", 0, FBNIC_MAC_STAT_TX_BYTE_COUNT_L, 1, 1 },
	{ "MAC_STAT_TX_BYTE_COUNT_H", 0, (FBNIC_MAC_STAT_TX_BYTE_COUNT_L + 1), 1, 1 },
	{ "MAC_STAT_TX_TRANSMITTED_OK_L", 0, FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L, 1, 1 },
	{ "MAC_STAT_TX_TRANSMITTED_OK_H", 0, (FBNIC_MAC_STAT_TX_TRANSMITTED_OK_L + 1), 1, 1 },
	{ "MAC_STAT_TX_IFOUTERRORS_L", 0, FBNIC_MAC_STAT_TX_IFOUTERRORS_L, 1, 1 },
	{ "MAC_STAT_TX_IFOUTERRORS_H", 0, (FBNIC_MAC_STAT_TX_IFOUTERRORS_L + 1), 1, 1 },
	{ "MAC_STAT_TX_MULTICAST_L", 0, FBNIC_MAC_STAT_TX_MULTICAST_L, 1, 1 },
	{ "MAC_STAT_TX_MULTICAST_H", 0, (FBNIC_MAC_STAT_TX_MULTICAST_L + 1), 1, 1 },
	{ "MAC_STAT_TX_BROADCAST_L", 0, FBNIC_MAC_STAT_TX_BROADCAST_L, 1, 1 },
	{ "MAC_STAT_TX_BROADCAST_H", 0, (FBNIC_MAC_STAT_TX_BROADCAST_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_64_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_64_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_64_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_64_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_65_127_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_65_127_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_65_127_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_65_127_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_128_255_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_128_255_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_128_255_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_128_255_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_256_511_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_256_511_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_256_511_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_256_511_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_512_1023_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_512_1023_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_512_1023_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_512_1023_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_1024_1518_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_1024_1518_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_1024_1518_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_1024_1518_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_PACKET_1519_MAX_BYTES_L", 0, FBNIC_MAC_STAT_TX_PACKET_1519_MAX_BYTES_L, 1, 1 },
	{ "MAC_STAT_TX_PACKET_1519_MAX_BYTES_H", 0, (FBNIC_MAC_STAT_TX_PACKET_1519_MAX_BYTES_L + 1), 1, 1 },
	{ "MAC_STAT_TX_CONTROL_FRAMES_L", 0, FBNIC_MAC_STAT_TX_CONTROL_FRAMES_L, 1, 1 },
	{ "MAC_STAT_TX_CONTROL_FRAMES_H", 0, (FBNIC_MAC_STAT_TX_CONTROL_FRAMES_L + 1), 1, 1 },
	{ "PUL_OB_TLP_HDR_AW_CFG", 0, FBNIC_PUL_OB_TLP_HDR_AW_CFG, 1, 1 },
	{ "PUL_OB_TLP_HDR_AR_CFG", 0, FBNIC_PUL_OB_TLP_HDR_AR_CFG, 1, 1 },
	{ "NS_OTP_STATUS", 4, FBNIC_NS_OTP_STATUS, 1, 1 },
	{ "NS_OTP_WRITE_STATUS", 4, FBNIC_NS_OTP_WRITE_STATUS, 1, 1 },
	{ "IPC_MBX_RX_DESC_LO", 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, 0), FBNIC_IPC_MBX_DESC_LEN, 2 },
	{ "IPC_MBX_RX_DESC_HI", 4, (FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, 0) + 1), FBNIC_IPC_MBX_DESC_LEN, 2 },
	{ "IPC_MBX_TX_DESC_LO", 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0), FBNIC_IPC_MBX_DESC_LEN, 2 },
	{ "IPC_MBX_TX_DESC_HI", 4, (FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0) + 1), FBNIC_IPC_MBX_DESC_LEN, 2 },
};
const unsigned fbnic_csr_nnames = sizeof(fbnic_csr_names) / sizeof(fbnic_csr_names[0]);

/* Offsets inside a queue window, FBNIC_QUEUE(q) + offset. */
const struct csr_name fbnic_csr_queue_names[] = {
	{ "TWQ0_CTL", 0, FBNIC_QUEUE_TWQ0_CTL, 1, 1 },
	{ "TWQ1_CTL", 0, FBNIC_QUEUE_TWQ1_CTL, 1, 1 },
	{ "TWQ0_TAIL", 0, FBNIC_QUEUE_TWQ0_TAIL, 1, 1 },
	{ "TWQ1_TAIL", 0, FBNIC_QUEUE_TWQ1_TAIL, 1, 1 },
	{ "TWQ0_PTRS", 0, FBNIC_QUEUE_TWQ0_PTRS, 1, 1 },
	{ "TWQ1_PTRS", 0, FBNIC_QUEUE_TWQ1_PTRS, 1, 1 },
	{ "TWQ0_SIZE", 0, FBNIC_QUEUE_TWQ0_SIZE, 1, 1 },
	{ "TWQ1_SIZE", 0, FBNIC_QUEUE_TWQ1_SIZE, 1, 1 },
	{ "TWQ0_BAL", 0, FBNIC_QUEUE_TWQ0_BAL, 1, 1 },
	{ "TWQ0_BAH", 0, FBNIC_QUEUE_TWQ0_BAH, 1, 1 },
	{ "TWQ1_BAL", 0, FBNIC_QUEUE_TWQ1_BAL, 1, 1 },
	{ "TWQ1_BAH", 0, FBNIC_QUEUE_TWQ1_BAH, 1, 1 },
	{ "TWQ0_PKT_CNT", 0, FBNIC_QUEUE_TWQ0_PKT_CNT, 1, 1 },
	{ "TWQ0_ERR_CNT", 0, FBNIC_QUEUE_TWQ0_ERR_CNT, 1, 1 },
	{ "TWQ1_PKT_CNT", 0, FBNIC_QUEUE_TWQ1_PKT_CNT, 1, 1 },
	{ "TWQ1_ERR_CNT", 0, FBNIC_QUEUE_TWQ1_ERR_CNT, 1, 1 },
	{ "TCQ_CTL", 0, FBNIC_QUEUE_TCQ_CTL, 1, 1 },
	{ "TCQ_HEAD", 0, FBNIC_QUEUE_TCQ_HEAD, 1, 1 },
	{ "TCQ_PTRS", 0, FBNIC_QUEUE_TCQ_PTRS, 1, 1 },
	{ "TCQ_SIZE", 0, FBNIC_QUEUE_TCQ_SIZE, 1, 1 },
	{ "TCQ_BAL", 0, FBNIC_QUEUE_TCQ_BAL, 1, 1 },
	{ "TCQ_BAH", 0, FBNIC_QUEUE_TCQ_BAH, 1, 1 },
	{ "TIM_CTL", 0, FBNIC_QUEUE_TIM_CTL, 1, 1 },
	{ "TIM_THRESHOLD", 0, FBNIC_QUEUE_TIM_THRESHOLD, 1, 1 },
	{ "TIM_CLEAR", 0, FBNIC_QUEUE_TIM_CLEAR, 1, 1 },
	{ "TIM_SET", 0, FBNIC_QUEUE_TIM_SET, 1, 1 },
	{ "TIM_TIMER", 0, FBNIC_QUEUE_TIM_TIMER, 1, 1 },
	{ "TIM_COUNTS", 0, FBNIC_QUEUE_TIM_COUNTS, 1, 1 },
	{ "RCQ_CTL", 0, FBNIC_QUEUE_RCQ_CTL, 1, 1 },
	{ "RCQ_HEAD", 0, FBNIC_QUEUE_RCQ_HEAD, 1, 1 },
	{ "RCQ_PTRS", 0, FBNIC_QUEUE_RCQ_PTRS, 1, 1 },
	{ "RCQ_SIZE", 0, FBNIC_QUEUE_RCQ_SIZE, 1, 1 },
	{ "RCQ_BAL", 0, FBNIC_QUEUE_RCQ_BAL, 1, 1 },
	{ "RCQ_BAH", 0, FBNIC_QUEUE_RCQ_BAH, 1, 1 },
	{ "BDQ_CTL", 0, FBNIC_QUEUE_BDQ_CTL, 1, 1 },
	{ "BDQ_HPQ_TAIL", 0, FBNIC_QUEUE_BDQ_HPQ_TAIL, 1, 1 },
	{ "BDQ_PPQ_TAIL", 0, FBNIC_QUEUE_BDQ_PPQ_TAIL, 1, 1 },
	{ "BDQ_HPQ_PTRS", 0, FBNIC_QUEUE_BDQ_HPQ_PTRS, 1, 1 },
	{ "BDQ_PPQ_PTRS", 0, FBNIC_QUEUE_BDQ_PPQ_PTRS, 1, 1 },
	{ "BDQ_HPQ_SIZE", 0, FBNIC_QUEUE_BDQ_HPQ_SIZE, 1, 1 },
	{ "BDQ_PPQ_SIZE", 0, FBNIC_QUEUE_BDQ_PPQ_SIZE, 1, 1 },
	{ "BDQ_HPQ_BAL", 0, FBNIC_QUEUE_BDQ_HPQ_BAL, 1, 1 },
	{ "BDQ_HPQ_BAH", 0, FBNIC_QUEUE_BDQ_HPQ_BAH, 1, 1 },
	{ "BDQ_PPQ_BAL", 0, FBNIC_QUEUE_BDQ_PPQ_BAL, 1, 1 },
	{ "BDQ_PPQ_BAH", 0, FBNIC_QUEUE_BDQ_PPQ_BAH, 1, 1 },
	{ "RDE_CTL0", 0, FBNIC_QUEUE_RDE_CTL0, 1, 1 },
	{ "RDE_CTL1", 0, FBNIC_QUEUE_RDE_CTL1, 1, 1 },
	{ "RDE_PKT_CNT", 0, FBNIC_QUEUE_RDE_PKT_CNT, 1, 1 },
	{ "RDE_PKT_ERR_CNT", 0, FBNIC_QUEUE_RDE_PKT_ERR_CNT, 1, 1 },
	{ "RDE_CQ_DROP_CNT", 0, FBNIC_QUEUE_RDE_CQ_DROP_CNT, 1, 1 },
	{ "RDE_BDQ_DROP_CNT", 0, FBNIC_QUEUE_RDE_BDQ_DROP_CNT, 1, 1 },
	{ "RIM_CTL", 0, FBNIC_QUEUE_RIM_CTL, 1, 1 },
	{ "RIM_THRESHOLD", 0, FBNIC_QUEUE_RIM_THRESHOLD, 1, 1 },
	{ "RIM_CLEAR", 0, FBNIC_QUEUE_RIM_CLEAR, 1, 1 },
	{ "RIM_SET", 0, FBNIC_QUEUE_RIM_SET, 1, 1 },
	{ "RIM_COAL_STATUS", 0, FBNIC_QUEUE_RIM_COAL_STATUS, 1, 1 },
};
const unsigned fbnic_csr_nqueue_names =
	sizeof(fbnic_csr_queue_names) / sizeof(fbnic_csr_queue_names[0]);

/* Offsets inside a PCS page, FBNIC_PCS_PAGE(p) + offset. */
const struct csr_name fbnic_csr_pcs_names[] = {
	{ "CTRL1", 0, FBNIC_PCS_CTRL1, 1, 1 },
	{ "STAT1", 0, FBNIC_PCS_STAT1, 1, 1 },
	{ "DEVID1", 0, FBNIC_PCS_DEVID1, 1, 1 },
	{ "DEVID2", 0, FBNIC_PCS_DEVID2, 1, 1 },
	{ "STAT2", 0, FBNIC_PCS_STAT2, 1, 1 },
	{ "BASER_STAT1", 0, FBNIC_PCS_BASER_STAT1, 1, 1 },
	{ "BASER_STAT2", 0, FBNIC_PCS_BASER_STAT2, 1, 1 },
	{ "VR_DIG_STS", 0, FBNIC_PCS_VR_DIG_STS, 1, 1 },
};
const unsigned fbnic_csr_npcs_names =
	sizeof(fbnic_csr_pcs_names) / sizeof(fbnic_csr_pcs_names[0]);

/* Element of an entry holding idx, or -1. */
static long element(const struct csr_name *e, uint32_t idx)
{
	if (idx < e->first)
		return -1;
	uint32_t d = idx - e->first;
	if (d % e->stride || d / e->stride >= e->count)
		return -1;
	return (long)(d / e->stride);
}

static const struct csr_name *in_table(const struct csr_name *t, unsigned n,
				       int bar, uint32_t idx, long *elem)
{
	for (unsigned i = 0; i < n; i++) {
		if (t[i].bar != bar)
			continue;
		long e = element(&t[i], idx);
		if (e >= 0) {
			*elem = e;
			return &t[i];
		}
	}
	return NULL;
}

int fbnic_csr_name(int bar, uint32_t idx, char *buf, size_t n)
{
	long e;
	const struct csr_name *c = in_table(fbnic_csr_names, fbnic_csr_nnames,
					    bar, idx, &e);
	if (c) {
		if (c->count > 1)
			snprintf(buf, n, "%s[%ld]", c->name, e);
		else
			snprintf(buf, n, "%s", c->name);
		return 0;
	}
	if (bar == 0 && idx >= FBNIC_CSR_START_QUEUE &&
	    idx <= FBNIC_CSR_END_QUEUE) {
		uint32_t q = (idx - FBNIC_CSR_START_QUEUE) / FBNIC_QUEUE_STRIDE;
		uint32_t r = (idx - FBNIC_CSR_START_QUEUE) % FBNIC_QUEUE_STRIDE;
		c = in_table(fbnic_csr_queue_names, fbnic_csr_nqueue_names, 0, r,
			     &e);
		if (c) {
			snprintf(buf, n, "QUEUE[%u].%s", q, c->name);
			return 0;
		}
	}
	if (bar == 0 && idx >= FBNIC_PCS_PAGE(0) &&
	    idx < FBNIC_PCS_PAGE(FBNIC_PCS_PAGES)) {
		uint32_t p = (idx - FBNIC_PCS_PAGE(0)) / FBNIC_PCS_PAGE_STRIDE;
		uint32_t r = (idx - FBNIC_PCS_PAGE(0)) % FBNIC_PCS_PAGE_STRIDE;
		c = in_table(fbnic_csr_pcs_names, fbnic_csr_npcs_names, 0, r, &e);
		if (c) {
			snprintf(buf, n, "PCS[%u].%s", p, c->name);
			return 0;
		}
	}
	return -ENOENT;
}

/* "NAME" or "NAME[N]": the name's length and N (0 if absent); -1 bad. */
static int split(const char *s, size_t *len, unsigned long *n)
{
	const char *b = strchr(s, '[');
	*n = 0;
	if (!b) {
		*len = strlen(s);
		return 0;
	}
	char *end;
	*len = (size_t)(b - s);
	*n = strtoul(b + 1, &end, 0);
	return end != b + 1 && end[0] == ']' && end[1] == '\0' ? 0 : -1;
}

static const struct csr_name *by_name(const struct csr_name *t, unsigned cnt,
				      const char *s, size_t len)
{
	for (unsigned i = 0; i < cnt; i++)
		if (strlen(t[i].name) == len && !strncasecmp(t[i].name, s, len))
			return &t[i];
	return NULL;
}

/* QUEUE[q].REG or PCS[p].REG. */
static int parse_window(const char *s, int *bar, uint32_t *idx)
{
	const char *dot = strchr(s, '.');
	if (!dot)
		return -EINVAL;
	size_t len;
	unsigned long w;
	char head[16];
	if ((size_t)(dot - s) >= sizeof(head))
		return -EINVAL;
	memcpy(head, s, (size_t)(dot - s));
	head[dot - s] = '\0';
	if (split(head, &len, &w) || !strchr(head, '['))
		return -EINVAL;
	const struct csr_name *c;
	if (len == 5 && !strncasecmp(head, "QUEUE", 5)) {
		c = by_name(fbnic_csr_queue_names, fbnic_csr_nqueue_names,
			    dot + 1, strlen(dot + 1));
		if (!c || w >= FBNIC_MAX_QUEUES)
			return -EINVAL;
		*idx = FBNIC_QUEUE((uint32_t)w) + c->first;
	} else if (len == 3 && !strncasecmp(head, "PCS", 3)) {
		c = by_name(fbnic_csr_pcs_names, fbnic_csr_npcs_names, dot + 1,
			    strlen(dot + 1));
		if (!c || w >= FBNIC_PCS_PAGES)
			return -EINVAL;
		*idx = FBNIC_PCS_PAGE((uint32_t)w) + c->first;
	} else {
		return -EINVAL;
	}
	*bar = 0;
	return 0;
}

int fbnic_csr_parse(const char *s, int *bar, uint32_t *idx)
{
	char *end;
	int b = 0;
	if (!s || !*s)
		return -EINVAL;
	if (!strncasecmp(s, "bar4:", 5) || !strncasecmp(s, "bar0:", 5)) {
		b = s[3] == '4' ? 4 : 0;
		s += 5;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		unsigned long v = strtoul(s, &end, 0);
		if (*end || v > UINT32_MAX)
			return -EINVAL;
		*bar = b;
		*idx = (uint32_t)v;
		return 0;
	}
	if (strchr(s, '.'))
		return parse_window(s, bar, idx);
	size_t len;
	unsigned long n;
	if (split(s, &len, &n))
		return -EINVAL;
	const struct csr_name *c = by_name(fbnic_csr_names, fbnic_csr_nnames, s,
					   len);
	if (!c || n >= c->count)
		return -EINVAL;
	*bar = c->bar;
	*idx = c->first + (uint32_t)n * c->stride;
	return 0;
}
