/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the firmware log
 * (fbnic_fw_log.c, fbnic_fw_parse_log_req).
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

/* ---- Firmware log (fbnic_fw_parse_log_req) -------------------------------- */

/* One LOG_MSG_REQ holding entries e[0..n): e[0] in the top-level MSEC /
 * INDEX / MSG attributes, the rest in the three arrays with LENGTH = n - 1
 * (the driver stores top-level first, then the arrays in order, so oldest
 * first).  Worst case, 14 lines of 255 chars, is 3944 bytes. */
static void log_send(struct fw *fw, const struct fw_log_entry *const *e,
		     unsigned n)
{
	uint8_t buf[TLV_PAGE_SIZE];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_LOG_MSG_REQ);
	tlv_put_u32(&b, FW_LOG_MSEC, e[0]->msec);
	tlv_put_u64(&b, FW_LOG_INDEX, e[0]->index);
	tlv_put_string(&b, FW_LOG_MSG, e[0]->msg);
	if (n > 1) {
		tlv_put_u32(&b, FW_LOG_LENGTH, n - 1);
		tlv_nest_start(&b, FW_LOG_MSEC_ARRAY);
		for (unsigned i = 1; i < n; i++)
			tlv_put_u32(&b, FW_LOG_MSEC, e[i]->msec);
		tlv_nest_end(&b);
		tlv_nest_start(&b, FW_LOG_INDEX_ARRAY);
		for (unsigned i = 1; i < n; i++)
			tlv_put_u64(&b, FW_LOG_INDEX, e[i]->index);
		tlv_nest_end(&b);
		tlv_nest_start(&b, FW_LOG_MSG_ARRAY);
		for (unsigned i = 1; i < n; i++)
			tlv_put_string(&b, FW_LOG_MSG, e[i]->msg);
		tlv_nest_end(&b);
	}
	fw_emit(fw, &b);
	fw->stats.log_msgs++;
	fw->stats.log_entries += n;
}

static const struct fw_log_entry *log_at(const struct fw *fw, unsigned age)
{
	/* age 0 = oldest cached entry. */
	unsigned first = (fw->log_head + FW_LOG_RING - fw->log_count) % FW_LOG_RING;

	return &fw->log[(first + age) % FW_LOG_RING];
}

void fw_log_send_history(struct fw *fw)
{
	const struct fw_log_entry *batch[FW_LOG_MAX_PER_MSG];
	unsigned n = 0;

	for (unsigned i = 0; i < fw->log_count; i++) {
		batch[n++] = log_at(fw, i);
		if (n == FW_LOG_MAX_PER_MSG) {
			log_send(fw, batch, n);
			n = 0;
		}
	}
	if (n)
		log_send(fw, batch, n);
}

static void fw_vlog(struct fw *fw, const char *fmt, va_list ap)
{
	struct fw_log_entry *e = &fw->log[fw->log_head];

	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	/* The host prints it with %s into debugfs: keep it printable. */
	for (char *c = e->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	e->index = fw->log_next_index++;
	e->msec = (uint32_t)fw_uptime_ms(fw);
	fw->log_head = (fw->log_head + 1) % FW_LOG_RING;
	if (fw->log_count < FW_LOG_RING)
		fw->log_count++;
	log_debug(SUB, "log: %s", e->msg);
	/* Only once asked (LOG_SEND_LOGS_REQ): the driver frees its buffer
	 * at remove and 6.12 does not know the message at all. */
	if (fw->log_stream) {
		const struct fw_log_entry *one = e;
		log_send(fw, &one, 1);
	}
}

void fw_log(struct fw *fw, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fw_vlog(fw, fmt, ap);
	va_end(ap);
}

/* fbnic_fw_xmit_send_logs: enable = SEND_LOGS + VERSION 1 (+ HISTORY);
 * no attributes = disable.  There is no reply. */
enum fw_status fw_h_send_logs_req(struct fw *fw, struct req *r)
{
	if (!tlv_present(&r->a[FW_SEND_LOGS])) {
		fw->log_stream = false;
		return FW_OK;
	}
	uint64_t ver = tlv_get_uint(&r->a[FW_SEND_LOGS_VERSION], 0);
	if (ver != FW_LOG_VERSION)
		return fw_refuse(fw, r->v, FW_REJECTED, FW_REJ_VALUE, -EINVAL,
			      "log stream of an unsupported format version");
	fw->log_stream = true;
	if (tlv_present(&r->a[FW_SEND_LOGS_HISTORY]))
		fw_log_send_history(fw);
	return FW_OK;
}

