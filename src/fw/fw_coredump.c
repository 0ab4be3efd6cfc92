/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the core dump behind the
 * devlink fw reporter.
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

/* ---- Core dump ------------------------------------------------------------ */

/*
 * Layout (all LE): "FBNICEMU", u32 format 1, u32 size, u32 fw version,
 * u32 cmrt version, u64 uptime ms, u32 reason code (0 host request,
 * 1 crash), u32 crc32 of bytes 64..size, reason text (24 bytes); then a
 * text snapshot of the firmware state; then a fixed pseudo-random pattern.
 * Same state and time in, same bytes out.
 */
void fw_coredump_create(struct fw *fw, uint32_t code, const char *reason)
{
	uint8_t *d = fw->coredump;
	uint32_t size = fw->cfg.coredump_size;
	uint64_t up = fw_uptime_ms(fw);
	char text[512];
	int tl;

	memset(d, 0, size);
	tl = snprintf(text, sizeof(text),
		      "fbnic-emu firmware core dump\n"
		      "reason=%s\nuptime_ms=%llu\nowner=%d\nlog_stream=%d\n"
		      "rx_msgs=%llu\ntx_msgs=%llu\nrejected=%llu\n"
		      "heartbeats=%llu\nlink_mode=%u\nlink_fec=%u\n",
		      reason, (unsigned long long)up, fw->owned, fw->log_stream,
		      (unsigned long long)fw->stats.rx_msgs,
		      (unsigned long long)fw->stats.tx_msgs,
		      (unsigned long long)fw->stats.rx_rejected,
		      (unsigned long long)fw->stats.heartbeat_req,
		      fw->cfg.link_mode, fw->cfg.link_fec);
	if (tl < 0)
		tl = 0;
	if ((size_t)tl >= sizeof(text))
		tl = sizeof(text) - 1;

	size_t pos = 64;
	size_t n = (size_t)tl < size - pos ? (size_t)tl : size - pos;
	memcpy(d + pos, text, n);
	pos += n;
	uint32_t x = 0xfb1c0de5u; /* xorshift32, fixed seed */
	for (; pos < size; pos++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		d[pos] = (uint8_t)x;
	}

	memcpy(d, "FBNICEMU", 8);
	tlv_put_le32(d + 8, 1);
	tlv_put_le32(d + 12, size);
	tlv_put_le32(d + 16, fw->cfg.version);
	tlv_put_le32(d + 20, fw->cfg.cmrt_version);
	tlv_put_le32(d + 24, (uint32_t)up);
	tlv_put_le32(d + 28, (uint32_t)(up >> 32));
	tlv_put_le32(d + 32, code);
	memcpy(d + 40, reason, strnlen(reason, 23));
	tlv_put_le32(d + 36, fw_crc32(0, d + 64, size - 64));
	fw->coredump_len = size;
}

/* devlink health dump -> fbnic_fw_reporter_dump ->
 * fbnic_fw_parse_coredump_info_resp: no AVAILABLE is -ENOENT, SIZE 0 -EIO. */
enum fw_status fw_h_coredump_info_req(struct fw *fw, struct req *r)
{
	uint8_t buf[64];
	struct tlv_builder b;

	fw->stats.coredump_info++;
	if (tlv_present(&r->a[FW_COREDUMP_REQ_INFO_CREATE])) {
		fw_coredump_create(fw, 0, "host request");
		fw_log(fw, "core dump created on host request (%u bytes)",
		       fw->coredump_len);
	}
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_COREDUMP_GET_INFO_RESP);
	if (fw->coredump_len) {
		tlv_put_flag(&b, FW_COREDUMP_INFO_AVAILABLE);
		tlv_put_u32(&b, FW_COREDUMP_INFO_SIZE, fw->coredump_len);
	}
	fw_emit(fw, &b);
	return FW_OK;
}

/* fbnic_fw_parse_coredump_resp: the driver reads stride-sized (3584)
 * chunks in order and checks OFFSET/LENGTH against its own layout. */
enum fw_status fw_h_coredump_read_req(struct fw *fw, struct req *r)
{
	uint32_t off = (uint32_t)tlv_get_uint(&r->a[FW_COREDUMP_READ_OFFSET], 0);
	uint32_t len = (uint32_t)tlv_get_uint(&r->a[FW_COREDUMP_READ_LENGTH], 0);
	uint8_t buf[TLV_PAGE_SIZE];
	struct tlv_builder b;
	const char *why = NULL;
	enum fw_reject cat = FW_REJ_VALUE;
	int err = 0;

	fw->stats.coredump_read++;
	if (!fw->coredump_len) {
		err = -ENOENT;
		cat = FW_REJ_STATE;
		why = "core dump read with no dump";
	} else if (len == 0 || len > TLV_MAX_DATA) {
		err = -EINVAL;
		why = "core dump read length 0 or above 3584";
	} else if (off >= fw->coredump_len || len > fw->coredump_len - off) {
		err = -EINVAL;
		why = "core dump read beyond the dump";
	}

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_COREDUMP_READ_RESP);
	tlv_put_u32(&b, FW_COREDUMP_READ_OFFSET, off);
	tlv_put_u32(&b, FW_COREDUMP_READ_LENGTH, len);
	if (err) {
		tlv_put_s32(&b, FW_COREDUMP_READ_ERROR, err);
		fw_emit(fw, &b);
		return fw_refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
	}
	tlv_put_value(&b, FW_COREDUMP_READ_DATA, fw->coredump + off, len);
	fw_emit(fw, &b);
	return FW_OK;
}

