/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the message tables: the
 * attributes each host message may carry, the driver's parsers for our
 * replies (7.3 and 6.12), and which handler answers which message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fw_priv.h"
#include "util/log.h"

#define SUB "fw"

/* ---- Attribute indexes ------------------------------------------------- */

/* Host -> firmware, as the driver builds them (fbnic_fw_xmit_*). */
const struct tlv_index fw_idx_none[] = { TLV_ATTR_LAST };

const struct tlv_index fw_idx_ownership_req[] = {
	TLV_ATTR_FLAG(FW_OWNERSHIP_FLAG),
	TLV_ATTR_LAST
};

const struct tlv_index fw_idx_coredump_info_req[] = {
	TLV_ATTR_FLAG(FW_COREDUMP_REQ_INFO_CREATE),
	TLV_ATTR_LAST
};

const struct tlv_index fw_idx_coredump_read_req[] = {
	TLV_ATTR_U32(FW_COREDUMP_READ_OFFSET),
	TLV_ATTR_U32(FW_COREDUMP_READ_LENGTH),
	TLV_ATTR_LAST
};

const struct tlv_index fw_idx_start_upgrade_req[] = {
	TLV_ATTR_U32(FW_START_UPGRADE_SECTION),
	TLV_ATTR_U32(FW_START_UPGRADE_IMAGE_LENGTH),
	TLV_ATTR_LAST
};

/* fbnic_fw_xmit_fw_write_chunk: a chunk, or only ERROR (an int) to cancel. */
const struct tlv_index fw_idx_write_chunk_resp[] = {
	TLV_ATTR_U32(FW_WRITE_CHUNK_OFFSET),
	TLV_ATTR_U32(FW_WRITE_CHUNK_LENGTH),
	TLV_ATTR_RAW_DATA(FW_WRITE_CHUNK_DATA),
	TLV_ATTR_S32(FW_WRITE_CHUNK_ERROR),
	TLV_ATTR_LAST
};

const struct tlv_index fw_idx_qsfp_read_req[] = {
	TLV_ATTR_U32(FW_QSFP_BANK),
	TLV_ATTR_U32(FW_QSFP_PAGE),
	TLV_ATTR_U32(FW_QSFP_OFFSET),
	TLV_ATTR_U32(FW_QSFP_LENGTH),
	TLV_ATTR_LAST
};

const struct tlv_index fw_idx_send_logs_req[] = {
	TLV_ATTR_FLAG(FW_SEND_LOGS),
	TLV_ATTR_U32(FW_SEND_LOGS_VERSION),
	TLV_ATTR_FLAG(FW_SEND_LOGS_HISTORY),
	TLV_ATTR_LAST
};

const struct tlv_index fw_idx_mac_sync_req[] = {
	TLV_ATTR_U32(FW_RPC_MAC_SYNC_RX_FLAGS),
	TLV_ATTR_ARRAY(FW_RPC_MAC_SYNC_UC_ARRAY),
	TLV_ATTR_ARRAY(FW_RPC_MAC_SYNC_MC_ARRAY),
	TLV_ATTR_MAC_ADDR(FW_RPC_MAC_SYNC_MAC_ADDR),
	TLV_ATTR_LAST
};

/* fbnic_tlv_test_index. */
const struct tlv_index fw_test_index[] = {
	TLV_ATTR_U64(FW_TEST_U64),
	TLV_ATTR_S64(FW_TEST_S64),
	TLV_ATTR_U32(FW_TEST_U32),
	TLV_ATTR_S32(FW_TEST_S32),
	TLV_ATTR_U32(FW_TEST_U16),
	TLV_ATTR_S32(FW_TEST_S16),
	TLV_ATTR_MAC_ADDR(FW_TEST_MAC_ADDR),
	TLV_ATTR_FLAG(FW_TEST_FLAG_TRUE),
	TLV_ATTR_FLAG(FW_TEST_FLAG_FALSE),
	TLV_ATTR_STRING(FW_TEST_STRING, FW_TEST_STRING_LEN),
	TLV_ATTR_ARRAY(FW_TEST_ARRAY),
	TLV_ATTR_NESTED(FW_TEST_NESTED),
	TLV_ATTR_LAST
};

/* Firmware -> host, as the drivers accept them. */
#define CAP_RESP_COMMON                                                      \
	TLV_ATTR_U32(FW_CAP_RESP_VERSION),                                   \
	TLV_ATTR_FLAG(FW_CAP_RESP_BMC_PRESENT),                              \
	TLV_ATTR_MAC_ADDR(FW_CAP_RESP_BMC_MAC_ADDR),                         \
	TLV_ATTR_ARRAY(FW_CAP_RESP_BMC_MAC_ARRAY),                           \
	TLV_ATTR_U32(FW_CAP_RESP_STORED_VERSION),                            \
	TLV_ATTR_U32(FW_CAP_RESP_ACTIVE_FW_SLOT),                            \
	TLV_ATTR_STRING(FW_CAP_RESP_VERSION_COMMIT_STR, FW_COMMIT_MAX),      \
	TLV_ATTR_U32(FW_CAP_RESP_BMC_ALL_MULTI),                             \
	TLV_ATTR_U32(FW_CAP_RESP_FW_LINK_SPEED),                             \
	TLV_ATTR_U32(FW_CAP_RESP_FW_LINK_FEC),                               \
	TLV_ATTR_STRING(FW_CAP_RESP_STORED_COMMIT_STR, FW_COMMIT_MAX),       \
	TLV_ATTR_U32(FW_CAP_RESP_CMRT_VERSION),                              \
	TLV_ATTR_U32(FW_CAP_RESP_STORED_CMRT_VERSION),                       \
	TLV_ATTR_STRING(FW_CAP_RESP_CMRT_COMMIT_STR, FW_COMMIT_MAX),         \
	TLV_ATTR_STRING(FW_CAP_RESP_STORED_CMRT_COMMIT_STR, FW_COMMIT_MAX),  \
	TLV_ATTR_U32(FW_CAP_RESP_UEFI_VERSION),                              \
	TLV_ATTR_STRING(FW_CAP_RESP_UEFI_COMMIT_STR, FW_COMMIT_MAX)

/* fbnic_fw_cap_resp_index, 7.3 (adds the anti-rollback version). */
static const struct tlv_index idx73_cap_resp[] = {
	CAP_RESP_COMMON,
	TLV_ATTR_U32(FW_CAP_RESP_ANTI_ROLLBACK_VERSION),
	TLV_ATTR_LAST
};
static const struct tlv_index idx612_cap_resp[] = {
	CAP_RESP_COMMON,
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_ownership_resp[] = {
	TLV_ATTR_U64(FW_OWNERSHIP_TIME),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_heartbeat_resp[] = {
	TLV_ATTR_U64(FW_HEARTBEAT_UPTIME),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_coredump_info_resp[] = {
	TLV_ATTR_FLAG(FW_COREDUMP_INFO_AVAILABLE),
	TLV_ATTR_U32(FW_COREDUMP_INFO_SIZE),
	TLV_ATTR_S32(FW_COREDUMP_INFO_ERROR),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_coredump_read_resp[] = {
	TLV_ATTR_U32(FW_COREDUMP_READ_OFFSET),
	TLV_ATTR_U32(FW_COREDUMP_READ_LENGTH),
	TLV_ATTR_RAW_DATA(FW_COREDUMP_READ_DATA),
	TLV_ATTR_S32(FW_COREDUMP_READ_ERROR),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_start_upgrade_resp[] = {
	TLV_ATTR_S32(FW_START_UPGRADE_ERROR),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_write_chunk_req[] = {
	TLV_ATTR_U32(FW_WRITE_CHUNK_OFFSET),
	TLV_ATTR_U32(FW_WRITE_CHUNK_LENGTH),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_finish_upgrade_req[] = {
	TLV_ATTR_S32(FW_FINISH_UPGRADE_ERROR),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_qsfp_read_resp[] = {
	TLV_ATTR_U32(FW_QSFP_BANK),
	TLV_ATTR_U32(FW_QSFP_PAGE),
	TLV_ATTR_U32(FW_QSFP_OFFSET),
	TLV_ATTR_U32(FW_QSFP_LENGTH),
	TLV_ATTR_RAW_DATA(FW_QSFP_DATA),
	TLV_ATTR_S32(FW_QSFP_ERROR),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_tsene_read_resp[] = {
	TLV_ATTR_S32(FW_TSENE_THERM),
	TLV_ATTR_S32(FW_TSENE_VOLT),
	TLV_ATTR_S32(FW_TSENE_ERROR),
	TLV_ATTR_LAST
};
static const struct tlv_index idx73_log_req[] = {
	TLV_ATTR_U32(FW_LOG_MSEC),
	TLV_ATTR_U64(FW_LOG_INDEX),
	TLV_ATTR_STRING(FW_LOG_MSG, FW_LOG_MSG_MAX),
	TLV_ATTR_U32(FW_LOG_LENGTH),
	TLV_ATTR_ARRAY(FW_LOG_MSEC_ARRAY),
	TLV_ATTR_ARRAY(FW_LOG_INDEX_ARRAY),
	TLV_ATTR_ARRAY(FW_LOG_MSG_ARRAY),
	TLV_ATTR_LAST
};

/* fbnic_fw_tlv_parser, 7.3. */
const struct tlv_parser fw_host73_parsers[] = {
	{ FW_MSG_TEST, fw_test_index },
	{ FW_MSG_FW_CAP_RESP, idx73_cap_resp },
	{ FW_MSG_OWNERSHIP_RESP, idx73_ownership_resp },
	{ FW_MSG_HEARTBEAT_RESP, idx73_heartbeat_resp },
	{ FW_MSG_COREDUMP_GET_INFO_RESP, idx73_coredump_info_resp },
	{ FW_MSG_COREDUMP_READ_RESP, idx73_coredump_read_resp },
	{ FW_MSG_FW_START_UPGRADE_RESP, idx73_start_upgrade_resp },
	{ FW_MSG_FW_WRITE_CHUNK_REQ, idx73_write_chunk_req },
	{ FW_MSG_FW_FINISH_UPGRADE_REQ, idx73_finish_upgrade_req },
	{ FW_MSG_QSFP_READ_RESP, idx73_qsfp_read_resp },
	{ FW_MSG_TSENE_READ_RESP, idx73_tsene_read_resp },
	{ FW_MSG_LOG_MSG_REQ, idx73_log_req },
	{ TLV_ID_LAST, NULL }
};

/* fbnic_fw_tlv_parser, 6.12: no attributes expected in the ownership and
 * heartbeat replies (ours are skipped as ignorable), no other messages. */
const struct tlv_parser fw_host612_parsers[] = {
	{ FW_MSG_FW_CAP_RESP, idx612_cap_resp },
	{ FW_MSG_OWNERSHIP_RESP, fw_idx_none },
	{ FW_MSG_HEARTBEAT_RESP, fw_idx_none },
	{ TLV_ID_LAST, NULL }
};

const struct tlv_parser *fw_host_parsers(enum fw_host_kernel k)
{
	return k == FW_HOST_LINUX_6_12 ? fw_host612_parsers : fw_host73_parsers;
}
