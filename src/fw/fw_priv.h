/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the firmware model: its state and the helpers its files share.
 * Not for users of the model (they include fw.h).
 */
#ifndef FBNIC_EMU_FW_FW_PRIV_H
#define FBNIC_EMU_FW_FW_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw.h"
#include "tlv.h"

/* ---- State ------------------------------------------------------------- */

struct fw_log_entry {
	uint64_t index;
	uint32_t msec;
	char msg[FW_LOG_MSG_MAX];
};

struct fw {
	struct fw_config cfg;
	struct fw_ops ops;
	struct fw_stats stats;

	uint64_t boot_ns;
	uint64_t last_uptime; /* uptime never goes back within one boot */

	bool owned;
	bool hb_answer;
	int sensor_err;

	/* Log: ring of the last FW_LOG_RING lines. */
	struct fw_log_entry log[FW_LOG_RING];
	unsigned log_head, log_count;
	uint64_t log_next_index;
	bool log_stream;

	/* Core dump (valid when coredump_len != 0). */
	uint8_t coredump[FW_COREDUMP_MAX];
	uint32_t coredump_len;

	/* QSFP memory map: lower page, upper page 00h, upper page 03h. */
	uint8_t qsfp_lower[128], qsfp_page0[128], qsfp_page3[128];

	/* Last RPC MAC sync from the host (only sent with a BMC). */
	uint32_t mac_rx_flags;
	unsigned mac_uc_count, mac_mc_count;
	uint8_t mac_uc[FW_RPC_MAC_SYNC_ARRAY_SIZE][6];
	uint8_t mac_mc[FW_RPC_MAC_SYNC_ARRAY_SIZE][6];

	/* Flash update in progress. */
	struct {
		bool busy;
		uint8_t section;
		uint32_t size, next_off, req_len;
		uint8_t *img;
	} flash;

	/* Private copy of the host message being handled. */
	uint8_t rx[TLV_PAGE_SIZE];
};


/* ---- Handlers ------------------------------------------------------------- */

struct req {
	const struct tlv_msg *m;
	struct tlv_attr *a; /* top-level attributes, by id */
	struct fw_verdict *v;
};


/* One host message: its attributes (fw_msgs.c) and its handler. */
struct fw_handler {
	uint16_t id;
	const struct tlv_index *idx;
	enum fw_status (*fn)(struct fw *fw, struct req *r);
};
extern const struct tlv_index fw_idx_none[], fw_idx_ownership_req[],
	fw_idx_coredump_info_req[], fw_idx_coredump_read_req[],
	fw_idx_start_upgrade_req[], fw_idx_write_chunk_resp[],
	fw_idx_qsfp_read_req[], fw_idx_send_logs_req[];
extern const struct tlv_parser fw_host73_parsers[];
extern const struct tlv_index fw_idx_mac_sync_req[];
extern const struct tlv_parser fw_host612_parsers[];
extern const uint32_t fw_section_cap[FW_SECTION_COUNT];
extern const char *const fw_section_name[FW_SECTION_COUNT];

/* Helpers (fw_util.c). */
uint64_t fw_now_ns(const struct fw *fw);
void fw_ver_str(uint32_t v, char *buf, size_t n);
void fw_put_be16(uint8_t *p, uint16_t v);
void fw_put_padded(uint8_t *dst, const char *s, size_t n);
bool fw_commit_ok(const char *s);
/* Hand a finished reply to the transport (checked with the 7.3 driver's
 * parsers first). */
void fw_emit_raw(struct fw *fw, const void *msg, size_t len);
void fw_emit(struct fw *fw, struct tlv_builder *b);
void fw_count_reason(struct fw_stats *st, const char *reason);
/* Refuse a message: count it by category and reason, log it once. */
enum fw_status fw_refuse(struct fw *fw, struct fw_verdict *v,
			 enum fw_status st, enum fw_reject cat, int err,
			 const char *reason);

/* Per concern. */
/* FW_CAP_RESP with the current versions and link (fw_caps.c). */
void fw_send_caps(struct fw *fw);
void fw_log_send_history(struct fw *fw);                       /* fw_log.c */
void fw_qsfp_build(struct fw *fw);                             /* fw_qsfp.c */
void fw_coredump_create(struct fw *fw, uint32_t code, const char *reason);
void fw_flash_abort(struct fw *fw);                            /* fw_flash.c */

/* Handlers, one per host message (the table in fw_msgs.c). */
enum fw_status fw_h_test(struct fw *fw, struct req *r);
enum fw_status fw_h_host_cap_req(struct fw *fw, struct req *r);
enum fw_status fw_h_ownership_req(struct fw *fw, struct req *r);
enum fw_status fw_h_heartbeat_req(struct fw *fw, struct req *r);
enum fw_status fw_h_mac_sync_req(struct fw *fw, struct req *r);
enum fw_status fw_h_coredump_info_req(struct fw *fw, struct req *r);
enum fw_status fw_h_coredump_read_req(struct fw *fw, struct req *r);
enum fw_status fw_h_start_upgrade_req(struct fw *fw, struct req *r);
enum fw_status fw_h_write_chunk_resp(struct fw *fw, struct req *r);
enum fw_status fw_h_qsfp_read_req(struct fw *fw, struct req *r);
enum fw_status fw_h_tsene_read_req(struct fw *fw, struct req *r);
enum fw_status fw_h_send_logs_req(struct fw *fw, struct req *r);

#endif
