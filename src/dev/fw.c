/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model; see fw.h.
 *
 * Every handler is written against the driver code that sends the request
 * and parses the reply (named in its comment), so that each reply carries
 * exactly what that parser needs, with the sizes its index accepts.
 */
#include "fw.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

#define SUB "fw"

/* ---- Attribute indexes ------------------------------------------------- */

/* Host -> firmware, as the driver builds them (fbnic_fw_xmit_*). */
static const struct tlv_index idx_none[] = { TLV_ATTR_LAST };

static const struct tlv_index idx_ownership_req[] = {
	TLV_ATTR_FLAG(FW_OWNERSHIP_FLAG),
	TLV_ATTR_LAST
};

static const struct tlv_index idx_coredump_info_req[] = {
	TLV_ATTR_FLAG(FW_COREDUMP_REQ_INFO_CREATE),
	TLV_ATTR_LAST
};

static const struct tlv_index idx_coredump_read_req[] = {
	TLV_ATTR_U32(FW_COREDUMP_READ_OFFSET),
	TLV_ATTR_U32(FW_COREDUMP_READ_LENGTH),
	TLV_ATTR_LAST
};

static const struct tlv_index idx_start_upgrade_req[] = {
	TLV_ATTR_U32(FW_START_UPGRADE_SECTION),
	TLV_ATTR_U32(FW_START_UPGRADE_IMAGE_LENGTH),
	TLV_ATTR_LAST
};

/* fbnic_fw_xmit_fw_write_chunk: a chunk, or only ERROR (an int) to cancel. */
static const struct tlv_index idx_write_chunk_resp[] = {
	TLV_ATTR_U32(FW_WRITE_CHUNK_OFFSET),
	TLV_ATTR_U32(FW_WRITE_CHUNK_LENGTH),
	TLV_ATTR_RAW_DATA(FW_WRITE_CHUNK_DATA),
	TLV_ATTR_S32(FW_WRITE_CHUNK_ERROR),
	TLV_ATTR_LAST
};

static const struct tlv_index idx_qsfp_read_req[] = {
	TLV_ATTR_U32(FW_QSFP_BANK),
	TLV_ATTR_U32(FW_QSFP_PAGE),
	TLV_ATTR_U32(FW_QSFP_OFFSET),
	TLV_ATTR_U32(FW_QSFP_LENGTH),
	TLV_ATTR_LAST
};

static const struct tlv_index idx_send_logs_req[] = {
	TLV_ATTR_FLAG(FW_SEND_LOGS),
	TLV_ATTR_U32(FW_SEND_LOGS_VERSION),
	TLV_ATTR_FLAG(FW_SEND_LOGS_HISTORY),
	TLV_ATTR_LAST
};

static const struct tlv_index idx_mac_sync_req[] = {
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
static const struct tlv_parser host73_parsers[] = {
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
static const struct tlv_parser host612_parsers[] = {
	{ FW_MSG_FW_CAP_RESP, idx612_cap_resp },
	{ FW_MSG_OWNERSHIP_RESP, idx_none },
	{ FW_MSG_HEARTBEAT_RESP, idx_none },
	{ TLV_ID_LAST, NULL }
};

const struct tlv_parser *fw_host_parsers(enum fw_host_kernel k)
{
	return k == FW_HOST_LINUX_6_12 ? host612_parsers : host73_parsers;
}

/* ---- State ------------------------------------------------------------- */

struct fw_log_entry {
	uint64_t index;
	uint32_t msec;
	char msg[FW_LOG_MSG_MAX];
};

/* Largest image per section; a START_UPGRADE beyond it gets -EFBIG. */
static const uint32_t section_cap[FW_SECTION_COUNT] = {
	[FW_SECTION_CMRT] = 1u << 20,
	[FW_SECTION_CONTROL_FW] = 4u << 20,
	[FW_SECTION_UCODE] = 1u << 20,
	[FW_SECTION_OPTION_ROM] = 1u << 20,
	[FW_SECTION_USER] = 1u << 20,
};

static const char *const section_name[FW_SECTION_COUNT] = {
	[FW_SECTION_CMRT] = "cmrt",
	[FW_SECTION_CONTROL_FW] = "control-fw",
	[FW_SECTION_UCODE] = "ucode",
	[FW_SECTION_OPTION_ROM] = "option-rom",
	[FW_SECTION_USER] = "user",
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

/* ---- Helpers ------------------------------------------------------------- */

static uint64_t now_ns(const struct fw *fw)
{
	struct timespec ts;

	if (fw->ops.now_ns)
		return fw->ops.now_ns(fw->ops.opaque);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t fw_uptime_ms(struct fw *fw)
{
	uint64_t n = now_ns(fw);
	uint64_t up = n > fw->boot_ns ? (n - fw->boot_ns) / 1000000u : 0;

	/* The driver takes a smaller uptime for a firmware reboot
	 * (fbnic_fw_check_heartbeat); never fake one from a clock glitch. */
	if (up < fw->last_uptime)
		up = fw->last_uptime;
	fw->last_uptime = up;
	return up;
}

static void ver_str(uint32_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%02u.%02u.%02u-%03u", v >> 24, (v >> 16) & 0xff,
		 (v >> 8) & 0xff, v & 0xff);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_padded(uint8_t *dst, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	memcpy(dst, s, l);
	memset(dst + l, ' ', n - l);
}

static bool commit_ok(const char *s)
{
	return strnlen(s, FW_COMMIT_MAX) < FW_COMMIT_MAX;
}

/* Hand a finished message to the transport.  Each reply is first decoded
 * with the 7.3 driver's own rules: a failure there is a bug in this file,
 * logged loudly (the message still goes, so the guest shows it too). */
static void emit_raw(struct fw *fw, const void *msg, size_t len)
{
	struct tlv_attr res[TLV_RESULTS_MAX];
	struct tlv_msg m;
	const char *why = NULL;
	int err;

	err = tlv_msg_parse(&m, msg, len, host73_parsers, NULL, res, &why);
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

static void emit(struct fw *fw, struct tlv_builder *b)
{
	int len = tlv_msg_finish(b);

	if (len < 0) {
		/* Every reply is sized to fit a page; this is a bug. */
		log_err(SUB, "building reply 0x%02x failed: %d",
			tlv_le16(b->buf) & TLV_TYPE_MASK, len);
		return;
	}
	emit_raw(fw, b->buf, (size_t)len);
}

static void count_reason(struct fw_stats *st, const char *reason)
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

static enum fw_status refuse(struct fw *fw, struct fw_verdict *v,
			     enum fw_status st, enum fw_reject cat, int err,
			     const char *reason)
{
	v->err = err;
	v->reason = reason;
	fw->stats.rx_rejected++;
	fw->stats.rejected[cat]++;
	fw->stats.last_reject = *v;
	count_reason(&fw->stats, reason);
	log_guest(SUB, "message 0x%02x %s: %s (%d)", v->msg_id,
		  st == FW_ERR_REPLIED ? "answered with an error" : "rejected",
		  reason, err);
	return st;
}

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
	emit(fw, &b);
	fw->stats.log_msgs++;
	fw->stats.log_entries += n;
}

static const struct fw_log_entry *log_at(const struct fw *fw, unsigned age)
{
	/* age 0 = oldest cached entry. */
	unsigned first = (fw->log_head + FW_LOG_RING - fw->log_count) % FW_LOG_RING;

	return &fw->log[(first + age) % FW_LOG_RING];
}

static void log_send_history(struct fw *fw)
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

/* ---- QSFP module (SFF-8636 QSFP28, 100GBASE-SR4) ------------------------- */

static uint8_t sum8(const uint8_t *p, size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return (uint8_t)s;
}

/* Offsets below are SFF-8636 byte addresses; upper pages are stored from
 * index 0 = address 128.  Multi-byte fields are big-endian. */
static void qsfp_build(struct fw *fw)
{
	uint8_t *lo = fw->qsfp_lower, *p0 = fw->qsfp_page0, *p3 = fw->qsfp_page3;

	memset(lo, 0, 128);
	memset(p0, 0, 128);
	memset(p3, 0, 128);

	/* Lower page: identity, status, live monitors. */
	lo[0] = 0x11;          /* identifier: QSFP28 */
	lo[1] = 0x08;          /* SFF-8636 rev 2.8-2.10 */
	lo[2] = 0x00;          /* data ready, paged memory (page 03h exists) */
	put_be16(lo + 22, 0x2380); /* temperature 35.5 degC (1/256 degC) */
	put_be16(lo + 26, 33000);  /* Vcc 3.3 V (100 uV) */
	for (int ch = 0; ch < 4; ch++) {
		put_be16(lo + 34 + 2 * ch, 8000); /* Rx power 0.8 mW (0.1 uW) */
		put_be16(lo + 42 + 2 * ch, 3250); /* Tx bias 6.5 mA (2 uA) */
		put_be16(lo + 50 + 2 * ch, 9000); /* Tx power 0.9 mW */
	}

	/* Upper page 00h: serial ID. */
	p0[128 - 128] = 0x11;  /* identifier */
	p0[129 - 128] = 0xcc;  /* power class 4, Tx and Rx CDR */
	p0[130 - 128] = 0x0c;  /* connector: MPO 1x12 */
	p0[131 - 128] = 0x80;  /* compliance: see extended code (192) */
	p0[139 - 128] = 0x05;  /* encoding: 64B/66B */
	p0[140 - 128] = 0xff;  /* nominal rate: see byte 222 */
	p0[143 - 128] = 35;    /* OM3: 70 m (2 m units) */
	p0[146 - 128] = 50;    /* OM4: 100 m (2 m units) */
	p0[147 - 128] = 0x00;  /* 850 nm VCSEL */
	put_padded(p0 + 148 - 128, "FBNIC-EMU", 16);
	p0[165 - 128] = 0x00;  /* vendor OUI */
	p0[166 - 128] = 0x1d;
	p0[167 - 128] = 0x9b;
	put_padded(p0 + 168 - 128, "FBNIC-QSFP28-SR4", 16);
	put_padded(p0 + 184 - 128, "A0", 2);
	put_be16(p0 + 186 - 128, 850 * 20);  /* wavelength (0.05 nm) */
	put_be16(p0 + 188 - 128, 10 * 200);  /* tolerance (0.005 nm) */
	p0[190 - 128] = 70;    /* max case temperature, degC */
	p0[191 - 128] = sum8(p0, 191 - 128);  /* CC_BASE: sum of 128..190 */
	p0[192 - 128] = 0x02;  /* SFF-8024: 100GBASE-SR4 or 25GBASE-SR */
	put_padded(p0 + 196 - 128, fw->cfg.qsfp_serial, 16);
	put_padded(p0 + 212 - 128, "250725", 8); /* date code YYMMDD */
	p0[220 - 128] = 0x3c;  /* temp + Vcc monitors, avg Rx power, Tx power */
	p0[222 - 128] = 103;   /* 25.78 Gb/s per lane (250 Mb/s units) */
	p0[223 - 128] = sum8(p0 + 192 - 128, 223 - 192); /* CC_EXT: 192..222 */

	/* Upper page 03h: alarm and warning thresholds. */
	put_be16(p3 + 128 - 128, 0x4b00); /* temp high alarm 75 degC */
	put_be16(p3 + 130 - 128, 0xfb00); /* temp low alarm -5 degC */
	put_be16(p3 + 132 - 128, 0x4600); /* temp high warning 70 degC */
	put_be16(p3 + 134 - 128, 0x0000); /* temp low warning 0 degC */
	put_be16(p3 + 144 - 128, 36300);  /* Vcc high alarm 3.63 V */
	put_be16(p3 + 146 - 128, 29700);  /* Vcc low alarm 2.97 V */
	put_be16(p3 + 148 - 128, 34650);  /* Vcc high warning 3.465 V */
	put_be16(p3 + 150 - 128, 31350);  /* Vcc low warning 3.135 V */
	put_be16(p3 + 176 - 128, 34000);  /* Rx power high alarm 3.4 mW */
	put_be16(p3 + 178 - 128, 500);    /* Rx power low alarm 0.05 mW */
	put_be16(p3 + 180 - 128, 22000);  /* Rx power high warning 2.2 mW */
	put_be16(p3 + 182 - 128, 1000);   /* Rx power low warning 0.1 mW */
	put_be16(p3 + 184 - 128, 6000);   /* Tx bias high alarm 12 mA */
	put_be16(p3 + 186 - 128, 1000);   /* Tx bias low alarm 2 mA */
	put_be16(p3 + 188 - 128, 5000);   /* Tx bias high warning 10 mA */
	put_be16(p3 + 190 - 128, 1500);   /* Tx bias low warning 3 mA */
	put_be16(p3 + 192 - 128, 34000);  /* Tx power high alarm 3.4 mW */
	put_be16(p3 + 194 - 128, 1000);   /* Tx power low alarm 0.1 mW */
	put_be16(p3 + 196 - 128, 22000);  /* Tx power high warning 2.2 mW */
	put_be16(p3 + 198 - 128, 2000);   /* Tx power low warning 0.2 mW */
}

/* ---- Core dump ------------------------------------------------------------ */

/*
 * Layout (all LE): "FBNICEMU", u32 format 1, u32 size, u32 fw version,
 * u32 cmrt version, u64 uptime ms, u32 reason code (0 host request,
 * 1 crash), u32 crc32 of bytes 64..size, reason text (24 bytes); then a
 * text snapshot of the firmware state; then a fixed pseudo-random pattern.
 * Same state and time in, same bytes out.
 */
static void coredump_create(struct fw *fw, uint32_t code, const char *reason)
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

/* ---- Flash ------------------------------------------------------------------ */

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

/* Seal layout: magic at len-36, version at len-28, commit at len-24 (20
 * bytes), crc at len-4. */
int fw_image_seal(uint8_t *img, size_t len, uint32_t version,
		  const char *commit)
{
	if (len < FW_IMG_SEAL_LEN || !commit || !commit_ok(commit))
		return -EINVAL;
	uint8_t *s = img + len - FW_IMG_SEAL_LEN;
	memcpy(s, FW_IMG_MAGIC, 8);
	tlv_put_le32(s + 8, version);
	memset(s + 12, 0, 20);
	memcpy(s + 12, commit, strlen(commit));
	tlv_put_le32(s + 32, fw_crc32(0, img, len - 4));
	return 0;
}

static void flash_abort(struct fw *fw)
{
	free(fw->flash.img);
	memset(&fw->flash, 0, sizeof(fw->flash));
}

/* Verify the received image; a good seal yields its version and commit. */
static int flash_verify(const struct fw *fw, bool *sealed, uint32_t *ver,
			char commit[FW_COMMIT_MAX], const char **why)
{
	const uint8_t *img = fw->flash.img;
	size_t len = fw->flash.size;

	*sealed = false;
	if (len < FW_IMG_SEAL_LEN ||
	    memcmp(img + len - FW_IMG_SEAL_LEN, FW_IMG_MAGIC, 8) != 0) {
		if (fw->cfg.flash_require_seal) {
			*why = "image is not sealed";
			return -EBADMSG;
		}
		return 0;
	}
	const uint8_t *s = img + len - FW_IMG_SEAL_LEN;
	if (fw_crc32(0, img, len - 4) != tlv_le32(s + 32)) {
		*why = "image CRC mismatch";
		return -EBADMSG;
	}
	if (strnlen((const char *)s + 12, 20) >= FW_COMMIT_MAX) {
		*why = "image commit string too long";
		return -EBADMSG;
	}
	*sealed = true;
	*ver = tlv_le32(s + 8);
	memset(commit, 0, FW_COMMIT_MAX);
	memcpy(commit, s + 12, strnlen((const char *)s + 12, 20));
	return 0;
}

/* ---- Handlers ------------------------------------------------------------- */

struct req {
	const struct tlv_msg *m;
	struct tlv_attr *a; /* top-level attributes, by id */
	struct fw_verdict *v;
};

/* Capabilities, as fbnic_fw_parse_cap_resp reads them: VERSION must be
 * >= MIN_FW_VER_CODE; strings <= 19 bytes with NUL (longer ones make the
 * driver refuse the whole message); no BMC (BMC_PRESENT would require a
 * BMC_MAC_ARRAY); LINK_SPEED/FEC pick the phylink interface. */
static void send_caps(struct fw *fw)
{
	const struct fw_config *c = &fw->cfg;
	uint8_t buf[TLV_PAGE_SIZE];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_CAP_RESP);
	tlv_put_u32(&b, FW_CAP_RESP_VERSION, c->version);
	tlv_put_u32(&b, FW_CAP_RESP_STORED_VERSION, c->stored_version);
	tlv_put_u32(&b, FW_CAP_RESP_ACTIVE_FW_SLOT, c->active_slot);
	tlv_put_string(&b, FW_CAP_RESP_VERSION_COMMIT_STR, c->commit);
	tlv_put_u32(&b, FW_CAP_RESP_FW_LINK_SPEED, c->link_mode);
	tlv_put_u32(&b, FW_CAP_RESP_FW_LINK_FEC, c->link_fec);
	/* Strings go even when empty: the driver keeps a stale string when
	 * the attribute is absent. */
	tlv_put_string(&b, FW_CAP_RESP_STORED_COMMIT_STR, c->stored_commit);
	tlv_put_u32(&b, FW_CAP_RESP_CMRT_VERSION, c->cmrt_version);
	tlv_put_u32(&b, FW_CAP_RESP_STORED_CMRT_VERSION,
		    c->stored_cmrt_version);
	tlv_put_string(&b, FW_CAP_RESP_CMRT_COMMIT_STR, c->cmrt_commit);
	tlv_put_string(&b, FW_CAP_RESP_STORED_CMRT_COMMIT_STR,
		       c->stored_cmrt_commit);
	tlv_put_u32(&b, FW_CAP_RESP_UEFI_VERSION, c->uefi_version);
	tlv_put_string(&b, FW_CAP_RESP_UEFI_COMMIT_STR, c->uefi_commit);
	/* Unknown to 6.12, which skips it (not marked cannot-ignore). */
	tlv_put_u32(&b, FW_CAP_RESP_ANTI_ROLLBACK_VERSION, c->anti_rollback);
	emit(fw, &b);
}

/* The host is (re)starting its session: forget what belonged to the old
 * one.  A log stream or a flash left running would otherwise outlive the
 * driver that asked for it. */
static void session_reset(struct fw *fw)
{
	fw->owned = false;
	fw->log_stream = false;
	if (fw->flash.busy) {
		fw_log(fw, "flash of %s abandoned by the host",
		       section_name[fw->flash.section]);
		fw->stats.flash_fail++;
	}
	flash_abort(fw);
}

/* fbnic_mbx_poll_tx_ready -> fbnic_fw_parse_cap_resp. */
static enum fw_status h_host_cap_req(struct fw *fw, struct req *r)
{
	(void)r;
	fw->stats.cap_req++;
	session_reset(fw);
	send_caps(fw);
	fw_log(fw, "host driver attached");
	return FW_OK;
}

/* fbnic_fw_xmit_ownership_msg -> fbnic_fw_parse_ownership_resp: the reply
 * counts as a heartbeat and TIME seeds the crash check. */
static enum fw_status h_ownership_req(struct fw *fw, struct req *r)
{
	uint8_t buf[64];
	struct tlv_builder b;
	bool take = tlv_present(&r->a[FW_OWNERSHIP_FLAG]);

	fw->stats.ownership_req++;
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_OWNERSHIP_RESP);
	tlv_put_u64(&b, FW_OWNERSHIP_TIME, fw_uptime_ms(fw));
	emit(fw, &b);
	if (take != fw->owned)
		fw_log(fw, "host %s ownership of the port",
		       take ? "took" : "released");
	fw->owned = take;
	return FW_OK;
}

/* fbnic_fw_check_heartbeat: answered within 10 s, uptime non-decreasing. */
static enum fw_status h_heartbeat_req(struct fw *fw, struct req *r)
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
	emit(fw, &b);
	return FW_OK;
}

/* fbnic_fw_mbx_self_test: the driver sends a random message (top level and
 * a NESTED copy of it) and expects it back; the firmware checks that the
 * copy matches before echoing. */
static enum fw_status h_test(struct fw *fw, struct req *r)
{
	struct tlv_attr nested[TLV_RESULTS_MAX], arr[32];
	const struct tlv_attr *nest = &r->a[FW_TEST_NESTED];
	const char *why = NULL;
	int err;

	if (tlv_present(&r->a[FW_TEST_ARRAY])) {
		err = tlv_parse_array(r->m, &r->a[FW_TEST_ARRAY], fw_test_index,
				      FW_TEST_MAC_ADDR, arr, 32, &why);
		if (err)
			return refuse(fw, r->v, FW_REJECTED, FW_REJ_PARSE, err,
				      why);
	}
	if (tlv_present(nest)) {
		err = tlv_parse_nested(r->m, nest, fw_test_index, nested, &why);
		if (err)
			return refuse(fw, r->v, FW_REJECTED, FW_REJ_PARSE, err,
				      why);
		for (unsigned id = 0; id < TLV_RESULTS_MAX; id++) {
			const struct tlv_attr *x = &r->a[id], *y = &nested[id];
			if (id == FW_TEST_NESTED)
				continue;
			if (tlv_present(x) != tlv_present(y) ||
			    (tlv_present(x) &&
			     (x->len != y->len || memcmp(x->val, y->val, x->len))))
				return refuse(fw, r->v, FW_REJECTED, FW_REJ_TEST,
					      -EINVAL,
					      "test message: nested copy differs");
		}
	}
	fw->stats.test_echo++;
	emit_raw(fw, r->m->buf, r->m->len);
	return FW_OK;
}

/* hwmon -> fbnic_mac_get_sensor_asic -> fbnic_fw_parse_tsene_read_resp:
 * ERROR non-zero is returned as is; else THERM and VOLT are both needed. */
static enum fw_status h_tsene_read_req(struct fw *fw, struct req *r)
{
	uint8_t buf[64];
	struct tlv_builder b;

	(void)r;
	fw->stats.tsene_req++;
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_TSENE_READ_RESP);
	if (fw->sensor_err) {
		tlv_put_s32(&b, FW_TSENE_ERROR, fw->sensor_err);
	} else {
		tlv_put_s32(&b, FW_TSENE_THERM, fw->cfg.temp_mc);
		tlv_put_s32(&b, FW_TSENE_VOLT, fw->cfg.volt_mv);
	}
	emit(fw, &b);
	return FW_OK;
}

/* ethtool -m -> fbnic_get_module_eeprom_by_page ->
 * fbnic_fw_parse_qsfp_read_resp: BANK/PAGE/OFFSET/LENGTH must echo the
 * request (checked before ERROR), then DATA must hold LENGTH bytes. */
static enum fw_status h_qsfp_read_req(struct fw *fw, struct req *r)
{
	uint32_t bank = (uint32_t)tlv_get_uint(&r->a[FW_QSFP_BANK], 0);
	uint32_t page = (uint32_t)tlv_get_uint(&r->a[FW_QSFP_PAGE], 0);
	uint32_t off = (uint32_t)tlv_get_uint(&r->a[FW_QSFP_OFFSET], 0);
	uint32_t len = (uint32_t)tlv_get_uint(&r->a[FW_QSFP_LENGTH], 0);
	uint8_t buf[TLV_PAGE_SIZE];
	struct tlv_builder b;
	const char *why = NULL;
	enum fw_reject cat = FW_REJ_VALUE;
	int err = 0;

	fw->stats.qsfp_req++;
	if (!tlv_present(&r->a[FW_QSFP_LENGTH])) {
		err = -EINVAL;
		cat = FW_REJ_MISSING;
		why = "QSFP read without a length";
	} else if (!fw->cfg.qsfp_present) {
		err = -ENODEV;
		cat = FW_REJ_STATE;
		why = "QSFP read with no module plugged";
	} else if (bank != 0) {
		/* SFF-8636 modules have no banks. */
		err = -EINVAL;
		why = "QSFP read of a bank other than 0";
	} else if (page != 0 && page != 3) {
		/* Byte 195 advertises neither page 01h nor 02h. */
		err = -EINVAL;
		why = "QSFP read of a page the module does not have";
	} else if (len == 0 || off >= FW_QSFP_SIZE ||
		   len > FW_QSFP_SIZE - off) {
		err = -EINVAL;
		why = "QSFP read beyond the 256-byte page window";
	}

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_QSFP_READ_RESP);
	tlv_put_u32(&b, FW_QSFP_BANK, bank);
	tlv_put_u32(&b, FW_QSFP_PAGE, page);
	tlv_put_u32(&b, FW_QSFP_OFFSET, off);
	tlv_put_u32(&b, FW_QSFP_LENGTH, len);
	if (err) {
		tlv_put_s32(&b, FW_QSFP_ERROR, err);
		emit(fw, &b);
		return refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
	}
	/* The lower page is visible whatever page is selected; byte 127
	 * reads back the page select. */
	uint8_t data[FW_QSFP_SIZE];
	memcpy(data, fw->qsfp_lower, 128);
	data[127] = (uint8_t)page;
	memcpy(data + 128, page == 3 ? fw->qsfp_page3 : fw->qsfp_page0, 128);
	tlv_put_value(&b, FW_QSFP_DATA, data + off, len);
	emit(fw, &b);
	return FW_OK;
}

/* devlink health dump -> fbnic_fw_reporter_dump ->
 * fbnic_fw_parse_coredump_info_resp: no AVAILABLE is -ENOENT, SIZE 0 -EIO. */
static enum fw_status h_coredump_info_req(struct fw *fw, struct req *r)
{
	uint8_t buf[64];
	struct tlv_builder b;

	fw->stats.coredump_info++;
	if (tlv_present(&r->a[FW_COREDUMP_REQ_INFO_CREATE])) {
		coredump_create(fw, 0, "host request");
		fw_log(fw, "core dump created on host request (%u bytes)",
		       fw->coredump_len);
	}
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_COREDUMP_GET_INFO_RESP);
	if (fw->coredump_len) {
		tlv_put_flag(&b, FW_COREDUMP_INFO_AVAILABLE);
		tlv_put_u32(&b, FW_COREDUMP_INFO_SIZE, fw->coredump_len);
	}
	emit(fw, &b);
	return FW_OK;
}

/* fbnic_fw_parse_coredump_resp: the driver reads stride-sized (3584)
 * chunks in order and checks OFFSET/LENGTH against its own layout. */
static enum fw_status h_coredump_read_req(struct fw *fw, struct req *r)
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
		emit(fw, &b);
		return refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
	}
	tlv_put_value(&b, FW_COREDUMP_READ_DATA, fw->coredump + off, len);
	emit(fw, &b);
	return FW_OK;
}

static void flash_request_chunk(struct fw *fw)
{
	uint8_t buf[64];
	struct tlv_builder b;
	uint32_t left = fw->flash.size - fw->flash.next_off;

	fw->flash.req_len = left < fw->cfg.flash_chunk ? left : fw->cfg.flash_chunk;
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_WRITE_CHUNK_REQ);
	tlv_put_u32(&b, FW_WRITE_CHUNK_OFFSET, fw->flash.next_off);
	tlv_put_u32(&b, FW_WRITE_CHUNK_LENGTH, fw->flash.req_len);
	emit(fw, &b);
}

/* FINISH ends the driver's chunk loop: it adds the last length to the
 * offset (reaching the component size) and takes ERROR as the result. */
static void flash_send_finish(struct fw *fw, int err)
{
	uint8_t buf[64];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_FINISH_UPGRADE_REQ);
	if (err)
		tlv_put_s32(&b, FW_FINISH_UPGRADE_ERROR, err);
	emit(fw, &b);
}

static void start_upgrade_resp(struct fw *fw, int err)
{
	uint8_t buf[64];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_START_UPGRADE_RESP);
	if (err)
		tlv_put_s32(&b, FW_START_UPGRADE_ERROR, err);
	emit(fw, &b);
}

/* devlink dev flash -> fbnic_flash_component: the host sends START and
 * waits for START_RESP; the firmware then pulls the component with
 * WRITE_CHUNK_REQs (strictly sequential from offset 0, <= 3584 bytes each)
 * and closes with FINISH. */
static enum fw_status h_start_upgrade_req(struct fw *fw, struct req *r)
{
	const struct tlv_attr *sec = &r->a[FW_START_UPGRADE_SECTION];
	const struct tlv_attr *len = &r->a[FW_START_UPGRADE_IMAGE_LENGTH];
	const char *why = NULL;
	enum fw_reject cat = FW_REJ_VALUE;
	uint64_t section = 0, size = 0;
	int err = 0;

	fw->stats.flash_start++;
	if (tlv_present(sec))
		section = tlv_get_uint(sec, 0);
	if (tlv_present(len))
		size = tlv_get_uint(len, 0);
	if (!tlv_present(sec) || !tlv_present(len)) {
		err = -EINVAL;
		cat = FW_REJ_MISSING;
		why = "upgrade start without section or length";
	} else if (fw->flash.busy) {
		err = -EBUSY;
		cat = FW_REJ_STATE;
		why = "upgrade start while another is in progress";
	} else if (section >= FW_SECTION_COUNT) {
		err = -EINVAL;
		why = "upgrade of an unknown flash section";
	} else if (size == 0) {
		err = -EINVAL;
		why = "upgrade of an empty image";
	} else if (size > section_cap[section]) {
		err = -EFBIG;
		why = "image larger than its flash section";
	} else if (!(fw->flash.img = malloc(size))) {
		err = -ENOMEM;
		cat = FW_REJ_STATE;
		why = "no memory to stage the image";
	}
	if (err) {
		start_upgrade_resp(fw, err);
		return refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
	}
	fw->flash.busy = true;
	fw->flash.section = (uint8_t)section;
	fw->flash.size = (uint32_t)size;
	fw->flash.next_off = 0;
	fw_log(fw, "flash: updating %s, %u bytes", section_name[section],
	       fw->flash.size);
	start_upgrade_resp(fw, 0);
	flash_request_chunk(fw);
	return FW_OK;
}

static enum fw_status flash_fail(struct fw *fw, struct req *r, int err,
				 enum fw_reject cat, const char *why)
{
	fw_log(fw, "flash of %s failed: %s", section_name[fw->flash.section],
	       why);
	flash_send_finish(fw, err);
	flash_abort(fw);
	fw->stats.flash_fail++;
	return refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
}

static void flash_commit(struct fw *fw, uint32_t ver, const char *commit)
{
	struct fw_config *c = &fw->cfg;

	switch (fw->flash.section) {
	case FW_SECTION_CONTROL_FW:
		c->stored_version = ver;
		snprintf(c->stored_commit, sizeof(c->stored_commit), "%s", commit);
		break;
	case FW_SECTION_CMRT:
		c->stored_cmrt_version = ver;
		snprintf(c->stored_cmrt_commit, sizeof(c->stored_cmrt_commit),
			 "%s", commit);
		break;
	case FW_SECTION_OPTION_ROM:
		c->uefi_version = ver;
		snprintf(c->uefi_commit, sizeof(c->uefi_commit), "%s", commit);
		break;
	default:
		break;
	}
}

static enum fw_status h_write_chunk_resp(struct fw *fw, struct req *r)
{
	const struct tlv_attr *data = &r->a[FW_WRITE_CHUNK_DATA];
	int64_t cancel = tlv_get_sint(&r->a[FW_WRITE_CHUNK_ERROR], 0);

	if (cancel) {
		/* The host gave up (its error path always sends this, also
		 * after our own FINISH with an error, when we are idle). */
		if (fw->flash.busy) {
			fw_log(fw, "flash of %s cancelled by the host (%lld)",
			       section_name[fw->flash.section], (long long)cancel);
			flash_abort(fw);
			fw->stats.flash_fail++;
		}
		return FW_OK;
	}
	if (!fw->flash.busy)
		return refuse(fw, r->v, FW_REJECTED, FW_REJ_STATE, -EINVAL,
			      "flash chunk without an upgrade in progress");
	if (!tlv_present(&r->a[FW_WRITE_CHUNK_LENGTH]) || !tlv_present(data))
		return flash_fail(fw, r, -EINVAL, FW_REJ_MISSING,
				  "flash chunk without length or data");

	uint64_t off = tlv_get_uint(&r->a[FW_WRITE_CHUNK_OFFSET], 0);
	uint64_t len = tlv_get_uint(&r->a[FW_WRITE_CHUNK_LENGTH], 0);
	if (off != fw->flash.next_off || len != fw->flash.req_len ||
	    data->len != len)
		return flash_fail(fw, r, -EINVAL, FW_REJ_VALUE,
				  "flash chunk does not match the request");

	memcpy(fw->flash.img + off, data->val, (size_t)len);
	fw->flash.next_off += (uint32_t)len;
	fw->stats.flash_chunks++;
	if (fw->flash.next_off < fw->flash.size) {
		flash_request_chunk(fw);
		return FW_OK;
	}

	char commit[FW_COMMIT_MAX] = "", vs[24];
	const char *why = NULL;
	uint32_t ver = 0;
	bool sealed;
	int err = flash_verify(fw, &sealed, &ver, commit, &why);
	if (err)
		return flash_fail(fw, r, err, FW_REJ_VALUE, why);
	if (sealed) {
		flash_commit(fw, ver, commit);
		ver_str(ver, vs, sizeof(vs));
	} else {
		snprintf(vs, sizeof(vs), "unsealed");
	}
	fw_log(fw, "flash of %s complete (%s)", section_name[fw->flash.section],
	       vs);
	log_info(SUB, "flash of %s complete, %u bytes (%s)",
		 section_name[fw->flash.section], fw->flash.size, vs);
	flash_abort(fw);
	fw->stats.flash_ok++;
	/* New stored versions for devlink dev info, before the driver's
	 * flash call returns. */
	send_caps(fw);
	flash_send_finish(fw, 0);
	return FW_OK;
}

/* fbnic_fw_xmit_send_logs: enable = SEND_LOGS + VERSION 1 (+ HISTORY);
 * no attributes = disable.  There is no reply. */
static enum fw_status h_send_logs_req(struct fw *fw, struct req *r)
{
	if (!tlv_present(&r->a[FW_SEND_LOGS])) {
		fw->log_stream = false;
		return FW_OK;
	}
	uint64_t ver = tlv_get_uint(&r->a[FW_SEND_LOGS_VERSION], 0);
	if (ver != FW_LOG_VERSION)
		return refuse(fw, r->v, FW_REJECTED, FW_REJ_VALUE, -EINVAL,
			      "log stream of an unsupported format version");
	fw->log_stream = true;
	if (tlv_present(&r->a[FW_SEND_LOGS_HISTORY]))
		log_send_history(fw);
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
	err = tlv_parse_array(r->m, &r->a[id], idx_mac_sync_req,
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
static enum fw_status h_mac_sync_req(struct fw *fw, struct req *r)
{
	const char *why = NULL;
	unsigned uc, mc;
	uint8_t ucm[FW_RPC_MAC_SYNC_ARRAY_SIZE][6], mcm[FW_RPC_MAC_SYNC_ARRAY_SIZE][6];
	int err;

	err = mac_array(fw, r, FW_RPC_MAC_SYNC_UC_ARRAY, ucm, &uc, &why);
	if (!err)
		err = mac_array(fw, r, FW_RPC_MAC_SYNC_MC_ARRAY, mcm, &mc, &why);
	if (err)
		return refuse(fw, r->v, FW_REJECTED, FW_REJ_PARSE, err, why);
	fw->stats.mac_sync++;
	fw->mac_rx_flags =
		(uint32_t)tlv_get_uint(&r->a[FW_RPC_MAC_SYNC_RX_FLAGS], 0);
	fw->mac_uc_count = uc;
	fw->mac_mc_count = mc;
	memcpy(fw->mac_uc, ucm, sizeof(ucm));
	memcpy(fw->mac_mc, mcm, sizeof(mcm));
	return FW_OK;
}

struct handler {
	uint16_t id;
	const struct tlv_index *idx;
	enum fw_status (*fn)(struct fw *fw, struct req *r);
};

static const struct handler handlers[] = {
	{ FW_MSG_TEST, fw_test_index, h_test },
	{ FW_MSG_HOST_CAP_REQ, idx_none, h_host_cap_req },
	{ FW_MSG_OWNERSHIP_REQ, idx_ownership_req, h_ownership_req },
	{ FW_MSG_HEARTBEAT_REQ, idx_none, h_heartbeat_req },
	{ FW_MSG_COREDUMP_GET_INFO_REQ, idx_coredump_info_req,
	  h_coredump_info_req },
	{ FW_MSG_COREDUMP_READ_REQ, idx_coredump_read_req,
	  h_coredump_read_req },
	{ FW_MSG_FW_START_UPGRADE_REQ, idx_start_upgrade_req,
	  h_start_upgrade_req },
	{ FW_MSG_FW_WRITE_CHUNK_RESP, idx_write_chunk_resp,
	  h_write_chunk_resp },
	{ FW_MSG_QSFP_READ_REQ, idx_qsfp_read_req, h_qsfp_read_req },
	{ FW_MSG_TSENE_READ_REQ, idx_none, h_tsene_read_req },
	{ FW_MSG_LOG_SEND_LOGS_REQ, idx_send_logs_req, h_send_logs_req },
	{ FW_MSG_RPC_MAC_SYNC_REQ, idx_mac_sync_req, h_mac_sync_req },
};

enum fw_status fw_handle(struct fw *fw, const void *msg, size_t len,
			 struct fw_verdict *vout)
{
	struct fw_verdict vlocal, *v = vout ? vout : &vlocal;
	struct tlv_attr attrs[TLV_RESULTS_MAX];
	const struct handler *h = NULL;
	const char *why = NULL;
	struct tlv_msg m;
	int err;

	memset(v, 0, sizeof(*v));
	v->msg_id = 0xffff;
	fw->stats.rx_msgs++;
	if (!msg)
		len = 0;

	if (len > TLV_PAGE_SIZE)
		return refuse(fw, v, FW_REJECTED, FW_REJ_LENGTH, -EMSGSIZE,
			      "descriptor longer than a page");
	if (len < TLV_HDR_LEN)
		return refuse(fw, v, FW_REJECTED, FW_REJ_LENGTH, -EMSGSIZE,
			      "descriptor shorter than a message header");
	/* From here on only the private copy is read. */
	memcpy(fw->rx, msg, len);
	v->msg_id = tlv_le16(fw->rx) & TLV_TYPE_MASK;

	err = tlv_msg_open(&m, fw->rx, len, &why);
	if (err)
		return refuse(fw, v, FW_REJECTED, FW_REJ_PARSE, err, why);
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
		return refuse(fw, v, FW_REJECTED, FW_REJ_PARSE, err, why);
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
	else if (!commit_ok(cfg->commit) || !commit_ok(cfg->stored_commit) ||
		 !commit_ok(cfg->cmrt_commit) ||
		 !commit_ok(cfg->stored_cmrt_commit) ||
		 !commit_ok(cfg->uefi_commit))
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
	fw->boot_ns = now_ns(fw);
	fw->hb_answer = true;
	fw->log_next_index = 1; /* the driver logs its own lines as index 0 */
	qsfp_build(fw);
	ver_str(cfg->version, vs, sizeof(vs));
	fw_log(fw, "fbnic-emu firmware %s_%s booted", vs, cfg->commit);
	return fw;
}

void fw_destroy(struct fw *fw)
{
	if (!fw)
		return;
	flash_abort(fw);
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
		coredump_create(fw, 1, crash_reason);
		fw_log(fw, "firmware crash: %s", crash_reason);
	}
	session_reset(fw);
	/* Boot from flash: the stored images become the running ones. */
	c->version = c->stored_version;
	memcpy(c->commit, c->stored_commit, sizeof(c->commit));
	c->cmrt_version = c->stored_cmrt_version;
	memcpy(c->cmrt_commit, c->stored_cmrt_commit, sizeof(c->cmrt_commit));
	fw->boot_ns = now_ns(fw);
	fw->last_uptime = 0;
	fw->hb_answer = true;
	ver_str(c->version, vs, sizeof(vs));
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
