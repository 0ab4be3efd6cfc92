/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the message dispatch and
 * the handler table, ownership, heartbeat, the mailbox self-test, the BMC
 * MAC sync, configuration and control.  Every
 * handler is written against the driver code that sends the request and
 * parses the reply (named in its comment), so that each reply carries
 * exactly what that parser needs, with the sizes its index accepts.
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

/* ---- Handlers ------------------------------------------------------------- */

/* The host is (re)starting its session: forget what belonged to the old
 * one.  A log stream or a flash left running would otherwise outlive the
 * driver that asked for it. */
static void session_reset(struct fw *fw)
{
	fw->owned = false;
	fw->log_stream = false;
	if (fw->flash.busy) {
		fw_log(fw, "flash of %s abandoned by the host",
		       fw_section_name[fw->flash.section]);
		fw->stats.flash_fail++;
	}
	fw_flash_abort(fw);
}

/* fbnic_mbx_poll_tx_ready -> fbnic_fw_parse_cap_resp. */
enum fw_status fw_h_host_cap_req(struct fw *fw, struct req *r)
{
	(void)r;
	fw->stats.cap_req++;
	session_reset(fw);
	fw_send_caps(fw);
	fw_log(fw, "host driver attached");
	return FW_OK;
}

/* fbnic_fw_xmit_ownership_msg -> fbnic_fw_parse_ownership_resp: the reply
 * counts as a heartbeat and TIME seeds the crash check. */
enum fw_status fw_h_ownership_req(struct fw *fw, struct req *r)
{
	uint8_t buf[64];
	struct tlv_builder b;
	bool take = tlv_present(&r->a[FW_OWNERSHIP_FLAG]);

	fw->stats.ownership_req++;
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_OWNERSHIP_RESP);
	tlv_put_u64(&b, FW_OWNERSHIP_TIME, fw_uptime_ms(fw));
	fw_emit(fw, &b);
	if (take != fw->owned)
		fw_log(fw, "host %s ownership of the port",
		       take ? "took" : "released");
	fw->owned = take;
	return FW_OK;
}

/* fbnic_fw_check_heartbeat: answered within 10 s, uptime non-decreasing. */
enum fw_status fw_h_heartbeat_req(struct fw *fw, struct req *r)
{
	uint8_t buf[64];
	struct tlv_builder b;

	(void)r;
	fw->stats.heartbeat_req++;
	if (!fw->hb_answer) {
		fw->stats.heartbeat_ignored++;
		return FW_OK;
	}
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_HEARTBEAT_RESP);
	tlv_put_u64(&b, FW_HEARTBEAT_UPTIME, fw_uptime_ms(fw));
	fw_emit(fw, &b);
	return FW_OK;
}

/* fbnic_fw_mbx_self_test: the driver sends a random message (top level and
 * a NESTED copy of it) and expects it back; the firmware checks that the
 * copy matches before echoing. */
enum fw_status fw_h_test(struct fw *fw, struct req *r)
{
	struct tlv_attr nested[TLV_RESULTS_MAX], arr[32];
	const struct tlv_attr *nest = &r->a[FW_TEST_NESTED];
	const char *why = NULL;
	int err;

	if (tlv_present(&r->a[FW_TEST_ARRAY])) {
		err = tlv_parse_array(r->m, &r->a[FW_TEST_ARRAY], fw_test_index,
				      FW_TEST_MAC_ADDR, arr, 32, &why);
		if (err)
			return fw_refuse(fw, r->v, FW_REJECTED, FW_REJ_PARSE, err,
				      why);
	}
	if (tlv_present(nest)) {
		err = tlv_parse_nested(r->m, nest, fw_test_index, nested, &why);
		if (err)
			return fw_refuse(fw, r->v, FW_REJECTED, FW_REJ_PARSE, err,
				      why);
		for (unsigned id = 0; id < TLV_RESULTS_MAX; id++) {
			const struct tlv_attr *x = &r->a[id], *y = &nested[id];
			if (id == FW_TEST_NESTED)
				continue;
			if (tlv_present(x) != tlv_present(y) ||
			    (tlv_present(x) &&
			     (x->len != y->len || memcmp(x->val, y->val, x->len))))
				return fw_refuse(fw, r->v, FW_REJECTED, FW_REJ_TEST,
					      -EINVAL,
					      "test message: nested copy differs");
		}
	}
	fw->stats.test_echo++;
	fw_emit_raw(fw, r->m->buf, r->m->len);
	return FW_OK;
}

static int mac_array(struct fw *fw, struct req *r, unsigned id,
		     uint8_t out[][6], unsigned *count, const char **why)
{
	struct tlv_attr el[FW_RPC_MAC_SYNC_ARRAY_SIZE];
	int err;

	(void)fw;
	*count = 0;
	if (!tlv_present(&r->a[id]))
		return 0;
	err = tlv_parse_array(r->m, &r->a[id], fw_idx_mac_sync_req,
			      FW_RPC_MAC_SYNC_MAC_ADDR, el,
			      FW_RPC_MAC_SYNC_ARRAY_SIZE, why);
	if (err)
		return err;
	for (unsigned i = 0; i < FW_RPC_MAC_SYNC_ARRAY_SIZE && el[i].val; i++) {
		if (el[i].len != 6) {
			*why = "MAC address element of the wrong size";
			return -EINVAL;
		}
		memcpy(out[i], el[i].val, 6);
		(*count)++;
	}
	return 0;
}

/* fbnic_fw_xmit_rpc_macda_sync (only with a BMC): record, no reply. */
enum fw_status fw_h_mac_sync_req(struct fw *fw, struct req *r)
{
	const char *why = NULL;
	unsigned uc, mc;
	uint8_t ucm[FW_RPC_MAC_SYNC_ARRAY_SIZE][6], mcm[FW_RPC_MAC_SYNC_ARRAY_SIZE][6];
	int err;

	err = mac_array(fw, r, FW_RPC_MAC_SYNC_UC_ARRAY, ucm, &uc, &why);
	if (!err)
		err = mac_array(fw, r, FW_RPC_MAC_SYNC_MC_ARRAY, mcm, &mc, &why);
	if (err)
		return fw_refuse(fw, r->v, FW_REJECTED, FW_REJ_PARSE, err, why);
	fw->stats.mac_sync++;
	fw->mac_rx_flags =
		(uint32_t)tlv_get_uint(&r->a[FW_RPC_MAC_SYNC_RX_FLAGS], 0);
	fw->mac_uc_count = uc;
	fw->mac_mc_count = mc;
	memcpy(fw->mac_uc, ucm, sizeof(ucm));
	memcpy(fw->mac_mc, mcm, sizeof(mcm));
	return FW_OK;
}

/* What answers each host message (the attributes: fw_msgs.c). */
static const struct fw_handler handlers[] = {
	{ FW_MSG_TEST, fw_test_index, fw_h_test },
	{ FW_MSG_HOST_CAP_REQ, fw_idx_none, fw_h_host_cap_req },
	{ FW_MSG_OWNERSHIP_REQ, fw_idx_ownership_req, fw_h_ownership_req },
	{ FW_MSG_HEARTBEAT_REQ, fw_idx_none, fw_h_heartbeat_req },
	{ FW_MSG_COREDUMP_GET_INFO_REQ, fw_idx_coredump_info_req,
	  fw_h_coredump_info_req },
	{ FW_MSG_COREDUMP_READ_REQ, fw_idx_coredump_read_req,
	  fw_h_coredump_read_req },
	{ FW_MSG_FW_START_UPGRADE_REQ, fw_idx_start_upgrade_req,
	  fw_h_start_upgrade_req },
	{ FW_MSG_FW_WRITE_CHUNK_RESP, fw_idx_write_chunk_resp,
	  fw_h_write_chunk_resp },
	{ FW_MSG_QSFP_READ_REQ, fw_idx_qsfp_read_req, fw_h_qsfp_read_req },
	{ FW_MSG_TSENE_READ_REQ, fw_idx_none, fw_h_tsene_read_req },
	{ FW_MSG_LOG_SEND_LOGS_REQ, fw_idx_send_logs_req, fw_h_send_logs_req },
	{ FW_MSG_RPC_MAC_SYNC_REQ, fw_idx_mac_sync_req, fw_h_mac_sync_req },
};

enum fw_status fw_handle(struct fw *fw, const void *msg, size_t len,
			 struct fw_verdict *vout)
{
	struct fw_verdict vlocal, *v = vout ? vout : &vlocal;
	struct tlv_attr attrs[TLV_RESULTS_MAX];
	const struct fw_handler *h = NULL;
	const char *why = NULL;
	struct tlv_msg m;
	int err;

	memset(v, 0, sizeof(*v));
	v->msg_id = 0xffff;
	fw->stats.rx_msgs++;
	if (!msg)
		len = 0;

	if (len > TLV_PAGE_SIZE)
		return fw_refuse(fw, v, FW_REJECTED, FW_REJ_LENGTH, -EMSGSIZE,
			      "descriptor longer than a page");
	if (len < TLV_HDR_LEN)
		return fw_refuse(fw, v, FW_REJECTED, FW_REJ_LENGTH, -EMSGSIZE,
			      "descriptor shorter than a message header");
	/* From here on only the private copy is read. */
	memcpy(fw->rx, msg, len);
	v->msg_id = tlv_le16(fw->rx) & TLV_TYPE_MASK;

	err = tlv_msg_open(&m, fw->rx, len, &why);
	if (err)
		return fw_refuse(fw, v, FW_REJECTED, FW_REJ_PARSE, err, why);
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].id == m.id)
			h = &handlers[i];
	if (!h) {
		v->err = -ENOENT;
		v->reason = "unknown message id";
		fw->stats.rx_unknown++;
		/* The caller logs it (with its own counters); say more only
		 * when debugging. */
		log_debug(SUB, "unknown message id 0x%02x (%u bytes)", m.id,
			  m.len);
		return FW_UNKNOWN;
	}
	err = tlv_parse(&m, h->idx, attrs, &why);
	if (err)
		return fw_refuse(fw, v, FW_REJECTED, FW_REJ_PARSE, err, why);
	log_debug(SUB, "message 0x%02x, %u bytes", m.id, m.len);

	struct req r = { .m = &m, .a = attrs, .v = v };
	return h->fn(fw, &r);
}

/* ---- Configuration and control ---------------------------------------------- */

void fw_config_default(struct fw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* 25.07.25-002: above MIN_FW_VER_CODE (probe), MIN_FW_VER_CODE_LOG
	 * (log stream) and MIN_FW_VER_CODE_HIST (log history), so every
	 * feature of the 7.3 driver is exercised; 6.12 only needs 0.10.0-006. */
	cfg->version = FW_VER(25, 7, 25, 2);
	cfg->stored_version = cfg->version;
	snprintf(cfg->commit, sizeof(cfg->commit), "fbnic-emu");
	snprintf(cfg->stored_commit, sizeof(cfg->stored_commit), "fbnic-emu");
	cfg->cmrt_version = FW_VER(25, 6, 3, 1);
	cfg->stored_cmrt_version = cfg->cmrt_version;
	snprintf(cfg->cmrt_commit, sizeof(cfg->cmrt_commit), "fbnic-emu-cmrt");
	snprintf(cfg->stored_cmrt_commit, sizeof(cfg->stored_cmrt_commit),
		 "fbnic-emu-cmrt");
	cfg->uefi_version = FW_VER(25, 4, 1, 0);
	snprintf(cfg->uefi_commit, sizeof(cfg->uefi_commit), "fbnic-emu-uefi");
	cfg->active_slot = 0;
	cfg->anti_rollback = 0;
	cfg->link_mode = LINK_MODE_100CR2;
	cfg->link_fec = LINK_FEC_RS;
	cfg->temp_mc = 45000;
	cfg->volt_mv = 750;
	cfg->qsfp_present = true;
	snprintf(cfg->qsfp_serial, sizeof(cfg->qsfp_serial), "FBEMU0000000001");
	cfg->coredump_size = 8192;
	cfg->flash_chunk = 2048;
	cfg->flash_require_seal = false;
}

static bool link_ok(unsigned mode, unsigned fec)
{
	return link_mode_valid(mode) && link_fec_valid(fec);
}

int fw_config_check(const struct fw_config *cfg, const char **why)
{
	const char *r = NULL;

	if (cfg->version < FW_MIN_VER)
		r = "version below the driver's minimum 00.10.06-000";
	else if (!fw_commit_ok(cfg->commit) || !fw_commit_ok(cfg->stored_commit) ||
		 !fw_commit_ok(cfg->cmrt_commit) ||
		 !fw_commit_ok(cfg->stored_cmrt_commit) ||
		 !fw_commit_ok(cfg->uefi_commit))
		r = "commit string longer than 18 characters";
	else if (!link_ok(cfg->link_mode, cfg->link_fec))
		r = "link mode must be 1..4 and FEC 1..3";
	else if (strnlen(cfg->qsfp_serial, sizeof(cfg->qsfp_serial)) >=
		 sizeof(cfg->qsfp_serial))
		r = "QSFP serial longer than 16 characters";
	else if (cfg->coredump_size < 64 || cfg->coredump_size > FW_COREDUMP_MAX)
		r = "core dump size must be 64..32768";
	else if (cfg->flash_chunk < 1 || cfg->flash_chunk > TLV_MAX_DATA)
		r = "flash chunk must be 1..3584";
	if (r && why)
		*why = r;
	return r ? -EINVAL : 0;
}

struct fw *fw_create(const struct fw_config *cfg, const struct fw_ops *ops)
{
	const char *why = NULL;
	char vs[24];
	struct fw *fw;

	if (fw_config_check(cfg, &why)) {
		log_err(SUB, "bad firmware configuration: %s", why);
		return NULL;
	}
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return NULL;
	fw->cfg = *cfg;
	if (ops)
		fw->ops = *ops;
	fw->boot_ns = fw_now_ns(fw);
	fw->hb_answer = true;
	fw->log_next_index = 1; /* the driver logs its own lines as index 0 */
	fw_qsfp_build(fw);
	fw_ver_str(cfg->version, vs, sizeof(vs));
	fw_log(fw, "fbnic-emu firmware %s_%s booted", vs, cfg->commit);
	return fw;
}

void fw_destroy(struct fw *fw)
{
	if (!fw)
		return;
	fw_flash_abort(fw);
	free(fw);
}

void fw_reset(struct fw *fw)
{
	session_reset(fw);
}

int fw_set_link(struct fw *fw, unsigned mode, unsigned fec)
{
	if (!link_ok(mode, fec))
		return -EINVAL;
	fw->cfg.link_mode = (uint8_t)mode;
	fw->cfg.link_fec = (uint8_t)fec;
	fw_log(fw, "link configured: %u Mb/s, mode %u, FEC %u",
	       link_speed_mbps(mode), mode, link_effective_fec(mode, fec));
	return 0;
}

void fw_get_link(const struct fw *fw, uint8_t *mode, uint8_t *fec)
{
	*mode = fw->cfg.link_mode;
	*fec = fw->cfg.link_fec;
}

void fw_set_sensors(struct fw *fw, int32_t temp_mc, int32_t volt_mv)
{
	fw->cfg.temp_mc = temp_mc;
	fw->cfg.volt_mv = volt_mv;
}

void fw_set_sensor_error(struct fw *fw, int err)
{
	fw->sensor_err = err;
}

void fw_set_heartbeat(struct fw *fw, bool answer)
{
	if (answer != fw->hb_answer)
		fw_log(fw, "heartbeat replies %s", answer ? "resumed" : "stopped");
	fw->hb_answer = answer;
}

void fw_set_qsfp_present(struct fw *fw, bool present)
{
	if (present != fw->cfg.qsfp_present)
		fw_log(fw, "QSFP module %s", present ? "inserted" : "removed");
	fw->cfg.qsfp_present = present;
}

void fw_reboot(struct fw *fw, const char *crash_reason)
{
	struct fw_config *c = &fw->cfg;
	char vs[24];

	if (crash_reason) {
		fw_coredump_create(fw, 1, crash_reason);
		fw_log(fw, "firmware crash: %s", crash_reason);
	}
	session_reset(fw);
	/* Boot from flash: the stored images become the running ones. */
	c->version = c->stored_version;
	memcpy(c->commit, c->stored_commit, sizeof(c->commit));
	c->cmrt_version = c->stored_cmrt_version;
	memcpy(c->cmrt_commit, c->stored_cmrt_commit, sizeof(c->cmrt_commit));
	fw->boot_ns = fw_now_ns(fw);
	fw->last_uptime = 0;
	fw->hb_answer = true;
	fw_ver_str(c->version, vs, sizeof(vs));
	fw_log(fw, "fbnic-emu firmware %s_%s booted%s", vs, c->commit,
	       crash_reason ? " after a crash" : "");
}

bool fw_host_owned(const struct fw *fw)
{
	return fw->owned;
}

bool fw_log_streaming(const struct fw *fw)
{
	return fw->log_stream;
}

bool fw_flash_busy(const struct fw *fw)
{
	return fw->flash.busy;
}

const struct fw_config *fw_get_config(const struct fw *fw)
{
	return &fw->cfg;
}

const struct fw_stats *fw_get_stats(const struct fw *fw)
{
	return &fw->stats;
}

