/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): helpers every part of the
 * firmware uses: time, formatting, the CRC, and sending or refusing a
 * message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_priv.h"
#include "util/clock.h"
#include "util/log.h"

#define SUB "fw"

/* ---- Helpers ------------------------------------------------------------- */

uint64_t fw_now_ns(const struct fw *fw)
{
	if (fw->ops.now_ns)
		return fw->ops.now_ns(fw->ops.opaque);
	return util_mono_ns();
}

uint64_t fw_uptime_ms(struct fw *fw)
{
	uint64_t n = fw_now_ns(fw);
	uint64_t up = n > fw->boot_ns ? (n - fw->boot_ns) / 1000000u : 0;

	/* The driver takes a smaller uptime for a firmware reboot
	 * (fbnic_fw_check_heartbeat); never fake one from a clock glitch. */
	if (up < fw->last_uptime)
		up = fw->last_uptime;
	fw->last_uptime = up;
	return up;
}

void fw_ver_str(uint32_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%02u.%02u.%02u-%03u", v >> 24, (v >> 16) & 0xff,
		 (v >> 8) & 0xff, v & 0xff);
}

void fw_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void fw_put_padded(uint8_t *dst, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	memcpy(dst, s, l);
	memset(dst + l, ' ', n - l);
}

bool fw_commit_ok(const char *s)
{
	return strnlen(s, FW_COMMIT_MAX) < FW_COMMIT_MAX;
}

/* Hand a finished message to the transport.  Each reply is first decoded
 * with the 7.3 driver's own rules: a failure there is a bug in this file,
 * logged loudly (the message still goes, so the guest shows it too). */
void fw_emit_raw(struct fw *fw, const void *msg, size_t len)
{
	struct tlv_attr res[TLV_RESULTS_MAX];
	struct tlv_msg m;
	const char *why = NULL;
	int err;

	err = tlv_msg_parse(&m, msg, len, fw_host73_parsers, NULL, res, &why);
	if (err) {
		fw->stats.tx_selfcheck++;
		log_err(SUB, "reply 0x%02x would be refused by the driver: %s (%d)",
			len >= 2 ? tlv_le16(msg) & TLV_TYPE_MASK : 0xffff, why,
			err);
	}
	if (fw->ops.send && fw->ops.send(fw->ops.opaque, msg, len) == 0) {
		fw->stats.tx_msgs++;
	} else {
		fw->stats.tx_dropped++;
		log_warn(SUB, "reply 0x%02x dropped by the mailbox",
			 tlv_le16(msg) & TLV_TYPE_MASK);
	}
}

void fw_emit(struct fw *fw, struct tlv_builder *b)
{
	int len = tlv_msg_finish(b);

	if (len < 0) {
		/* Every reply is sized to fit a page; this is a bug. */
		log_err(SUB, "building reply 0x%02x failed: %d",
			tlv_le16(b->buf) & TLV_TYPE_MASK, len);
		return;
	}
	fw_emit_raw(fw, b->buf, (size_t)len);
}

void fw_count_reason(struct fw_stats *st, const char *reason)
{
	struct fw_reason_count *rc = st->by_reason;
	unsigned i;

	for (i = 0; i < FW_REASONS_MAX - 1 && rc[i].reason; i++)
		if (strcmp(rc[i].reason, reason) == 0)
			break;
	if (i == FW_REASONS_MAX - 1)
		reason = "other reasons";
	rc[i].reason = reason;
	rc[i].count++;
}

enum fw_status fw_refuse(struct fw *fw, struct fw_verdict *v,
			     enum fw_status st, enum fw_reject cat, int err,
			     const char *reason)
{
	v->err = err;
	v->reason = reason;
	fw->stats.rx_rejected++;
	fw->stats.rejected[cat]++;
	fw->stats.last_reject = *v;
	fw_count_reason(&fw->stats, reason);
	log_guest(SUB, "message 0x%02x %s: %s (%d)", v->msg_id,
		  st == FW_ERR_REPLIED ? "answered with an error" : "rejected",
		  reason, err);
	return st;
}

static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

/* CRC-32 (IEEE 802.3, as zlib's crc32: fw_crc32(0, "123456789", 9) ==
 * 0xcbf43926); chain by passing the previous result. */
uint32_t fw_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
		crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
	}
	return ~crc;
}

