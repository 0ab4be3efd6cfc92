/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NIC firmware, modelled in-process and transport-free.
 *
 * Real fbnic hardware runs a management firmware behind a mailbox; the host
 * driver talks to it in TLV messages (tlv.h).  This module is that firmware:
 * fw_handle() consumes one host->FW message and emits zero or more FW->host
 * messages through fw_ops.send.  It knows nothing of descriptors, DMA or
 * interrupts: the mailbox ring model reads each TX buffer, calls fw_handle,
 * completes the descriptor according to the returned status, and queues
 * what send() hands it for delivery into the host's RX pages.
 *
 * Protocol constants are named after the driver's
 * (drivers/net/ethernet/meta/fbnic/fbnic_fw.h, fbnic_tlv.h, fbnic_csr.h) so
 * that a reader can cross-check: FBNIC_TLV_MSG_ID_X -> FW_MSG_X,
 * FBNIC_FW_CAP_RESP_X -> FW_CAP_RESP_X, and so on.
 *
 * Threading: none.  The caller serialises every call (the device lock).
 */
#ifndef FBNIC_EMU_DEV_FW_H
#define FBNIC_EMU_DEV_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/link.h"
#include "tlv.h"

/* ---- Protocol ---------------------------------------------------------- */

/* Message ids (FBNIC_TLV_MSG_ID_*).  Direction in the comment. */
enum fw_msg_id {
	FW_MSG_TEST = 0x00,                   /* both: mailbox self-test echo */
	FW_MSG_HOST_CAP_REQ = 0x10,           /* H->F */
	FW_MSG_FW_CAP_RESP = 0x11,            /* F->H */
	FW_MSG_OWNERSHIP_REQ = 0x12,          /* H->F */
	FW_MSG_OWNERSHIP_RESP = 0x13,         /* F->H */
	FW_MSG_HEARTBEAT_REQ = 0x14,          /* H->F */
	FW_MSG_HEARTBEAT_RESP = 0x15,         /* F->H */
	FW_MSG_COREDUMP_GET_INFO_REQ = 0x18,  /* H->F */
	FW_MSG_COREDUMP_GET_INFO_RESP = 0x19, /* F->H */
	FW_MSG_COREDUMP_READ_REQ = 0x20,      /* H->F */
	FW_MSG_COREDUMP_READ_RESP = 0x21,     /* F->H */
	FW_MSG_FW_START_UPGRADE_REQ = 0x22,   /* H->F */
	FW_MSG_FW_START_UPGRADE_RESP = 0x23,  /* F->H */
	FW_MSG_FW_WRITE_CHUNK_REQ = 0x24,     /* F->H: firmware pulls a chunk */
	FW_MSG_FW_WRITE_CHUNK_RESP = 0x25,    /* H->F: the chunk, or a cancel */
	FW_MSG_FW_FINISH_UPGRADE_REQ = 0x28,  /* F->H */
	FW_MSG_FW_FINISH_UPGRADE_RESP = 0x29, /* defined, never used */
	FW_MSG_QSFP_READ_REQ = 0x38,          /* H->F */
	FW_MSG_QSFP_READ_RESP = 0x39,         /* F->H */
	FW_MSG_TSENE_READ_REQ = 0x3c,         /* H->F */
	FW_MSG_TSENE_READ_RESP = 0x3d,        /* F->H */
	FW_MSG_LOG_SEND_LOGS_REQ = 0x43,      /* H->F, no reply */
	FW_MSG_LOG_MSG_REQ = 0x44,            /* F->H, unsolicited */
	FW_MSG_LOG_MSG_RESP = 0x45,           /* defined, never used */
	FW_MSG_RPC_MAC_SYNC_REQ = 0x46,       /* H->F, no reply */
};

/* TEST message attributes (enum fbnic_tlv_test_attr_id). */
enum {
	FW_TEST_U64 = 0,
	FW_TEST_S64 = 1,
	FW_TEST_U32 = 2,
	FW_TEST_S32 = 3,
	FW_TEST_U16 = 4, /* sent as 4 bytes */
	FW_TEST_S16 = 5, /* sent as 4 bytes */
	FW_TEST_MAC_ADDR = 6,
	FW_TEST_FLAG_TRUE = 7,
	FW_TEST_FLAG_FALSE = 8,
	FW_TEST_STRING = 9,
	FW_TEST_NESTED = 10,
	FW_TEST_ARRAY = 11, /* of FW_TEST_MAC_ADDR */
};
#define FW_TEST_STRING_LEN 32 /* FBNIC_TLV_TEST_STRING_LEN, with NUL */

/* FW_CAP_RESP attributes. */
enum {
	FW_CAP_RESP_VERSION = 0x00,
	FW_CAP_RESP_BMC_PRESENT = 0x01,
	FW_CAP_RESP_BMC_MAC_ADDR = 0x02,
	FW_CAP_RESP_BMC_MAC_ARRAY = 0x03,
	FW_CAP_RESP_STORED_VERSION = 0x04,
	FW_CAP_RESP_ACTIVE_FW_SLOT = 0x05,
	FW_CAP_RESP_VERSION_COMMIT_STR = 0x06,
	FW_CAP_RESP_BMC_ALL_MULTI = 0x08,
	FW_CAP_RESP_FW_STATE = 0x09,
	FW_CAP_RESP_FW_LINK_SPEED = 0x0a,
	FW_CAP_RESP_FW_LINK_FEC = 0x0b,
	FW_CAP_RESP_STORED_COMMIT_STR = 0x0c,
	FW_CAP_RESP_CMRT_VERSION = 0x0d,
	FW_CAP_RESP_STORED_CMRT_VERSION = 0x0e,
	FW_CAP_RESP_CMRT_COMMIT_STR = 0x0f,
	FW_CAP_RESP_STORED_CMRT_COMMIT_STR = 0x10,
	FW_CAP_RESP_UEFI_VERSION = 0x11,
	FW_CAP_RESP_UEFI_COMMIT_STR = 0x12,
	FW_CAP_RESP_ANTI_ROLLBACK_VERSION = 0x15, /* 7.3 only */
};

/* FW_LINK_SPEED / FW_LINK_FEC values: enum link_mode / enum link_fec
 * (link/link.h, the same numbers as 7.3 FBNIC_FW_LINK_MODE_* and
 * FBNIC_FW_LINK_FEC_*, 6.12 FBNIC_FW_LINK_SPEED_*). */

enum { FW_OWNERSHIP_FLAG = 0x0, FW_OWNERSHIP_TIME = 0x1 };
enum { FW_HEARTBEAT_UPTIME = 0x0, FW_HEARTBEAT_NUMBER_OF_MESSAGES = 0x1 };
enum { FW_COREDUMP_REQ_INFO_CREATE = 0x0 };
enum {
	FW_COREDUMP_INFO_AVAILABLE = 0x0,
	FW_COREDUMP_INFO_SIZE = 0x1,
	FW_COREDUMP_INFO_ERROR = 0x2,
};
enum {
	FW_COREDUMP_READ_OFFSET = 0x0,
	FW_COREDUMP_READ_LENGTH = 0x1,
	FW_COREDUMP_READ_DATA = 0x2,
	FW_COREDUMP_READ_ERROR = 0x3,
};
enum {
	FW_START_UPGRADE_ERROR = 0x0,
	FW_START_UPGRADE_SECTION = 0x1,
	FW_START_UPGRADE_IMAGE_LENGTH = 0x2,
};
enum {
	FW_WRITE_CHUNK_OFFSET = 0x0,
	FW_WRITE_CHUNK_LENGTH = 0x1,
	FW_WRITE_CHUNK_DATA = 0x2,
	FW_WRITE_CHUNK_ERROR = 0x3,
};
enum { FW_FINISH_UPGRADE_ERROR = 0x0 };
enum {
	FW_QSFP_BANK = 0x0,
	FW_QSFP_PAGE = 0x1,
	FW_QSFP_OFFSET = 0x2,
	FW_QSFP_LENGTH = 0x3,
	FW_QSFP_ERROR = 0x4,
	FW_QSFP_DATA = 0x5,
};
enum { FW_TSENE_THERM = 0x0, FW_TSENE_VOLT = 0x1, FW_TSENE_ERROR = 0x2 };
enum {
	FW_SEND_LOGS = 0x0,
	FW_SEND_LOGS_VERSION = 0x1,
	FW_SEND_LOGS_HISTORY = 0x2,
};
enum {
	FW_LOG_MSEC = 0x0,
	FW_LOG_INDEX = 0x1,
	FW_LOG_MSG = 0x2,
	FW_LOG_LENGTH = 0x3,
	FW_LOG_MSEC_ARRAY = 0x4,
	FW_LOG_INDEX_ARRAY = 0x5,
	FW_LOG_MSG_ARRAY = 0x6,
};
enum {
	FW_RPC_MAC_SYNC_RX_FLAGS = 0x0,
	FW_RPC_MAC_SYNC_UC_ARRAY = 0x1,
	FW_RPC_MAC_SYNC_MC_ARRAY = 0x2,
	FW_RPC_MAC_SYNC_MAC_ADDR = 0x3,
};
#define FW_RPC_MAC_SYNC_ARRAY_SIZE 8

/* QSPI flash sections = PLDM component identifiers.  The 7.3 driver only
 * flashes CMRT ("boot1"), CONTROL_FW ("boot2") and OPTION_ROM. */
enum fw_section {
	FW_SECTION_CMRT = 0,
	FW_SECTION_CONTROL_FW = 1,
	FW_SECTION_UCODE = 2,
	FW_SECTION_OPTION_ROM = 3,
	FW_SECTION_USER = 4,
	FW_SECTION_COUNT
};

/* Version word: major 31:24, minor 23:16, patch 15:8, build 7:0; shown by
 * the driver as "%02u.%02u.%02u-%03u". */
#define FW_VER(maj, min, patch, build)                                      \
	((uint32_t)(maj) << 24 | (uint32_t)(min) << 16 |                    \
	 (uint32_t)(patch) << 8 | (uint32_t)(build))
/* 7.3 MIN_FW_VER_CODE; 6.12 wants 0x000a0006 (build field), lower still. */
#define FW_MIN_VER FW_VER(0, 10, 6, 0)
#define FW_MIN_VER_612 0x000a0006u
/* MIN_FW_VER_CODE_LOG: the driver enables the log stream from here. */
#define FW_MIN_VER_LOG FW_VER(0, 12, 9, 0)
/* MIN_FW_VER_CODE_HIST: and asks for the cached history from here. */
#define FW_MIN_VER_HIST FW_VER(25, 5, 7, 0)

/* Commit strings: FBNIC_FW_CAP_RESP_COMMIT_MAX_SIZE, including the NUL;
 * one byte more and the driver rejects the whole capabilities message. */
#define FW_COMMIT_MAX 19
#define FW_LOG_MSG_MAX 256     /* FBNIC_FW_LOG_MAX_SIZE, with NUL */
#define FW_LOG_VERSION 1       /* FBNIC_FW_LOG_VERSION */
#define FW_LOG_MAX_PER_MSG 14  /* FBNIC_FW_MAX_LOG_HISTORY: 1 + 13 */
#define FW_COREDUMP_MAX 32768u /* largest configurable dump */
#define FW_QSFP_SIZE 256u      /* lower page + one upper page */

/* ---- Configuration ----------------------------------------------------- */

struct fw_config {
	/* Running and stored (flash) images; devlink dev info shows all. */
	uint32_t version, stored_version;
	char commit[FW_COMMIT_MAX], stored_commit[FW_COMMIT_MAX];
	uint32_t cmrt_version, stored_cmrt_version;
	char cmrt_commit[FW_COMMIT_MAX], stored_cmrt_commit[FW_COMMIT_MAX];
	uint32_t uefi_version; /* option ROM: only a stored version exists */
	char uefi_commit[FW_COMMIT_MAX];
	uint32_t active_slot;
	uint32_t anti_rollback; /* PLDM records below this are refused */
	/* Link the host should bring up (enum link_mode / link_fec). */
	uint8_t link_mode, link_fec;
	/* TSENE sensors, in the driver's units: milli-degC and mV. */
	int32_t temp_mc, volt_mv;
	/* QSFP module. */
	bool qsfp_present;
	char qsfp_serial[17]; /* vendor SN, up to 16 chars */
	/* Core dump size in bytes (64..FW_COREDUMP_MAX). */
	uint32_t coredump_size;
	/* Bytes pulled per FW_WRITE_CHUNK_REQ (1..TLV_MAX_DATA). */
	uint32_t flash_chunk;
	/* Refuse flash images without a valid fbnic-emu seal (see
	 * fw_image_seal); by default unsealed images are taken as opaque. */
	bool flash_require_seal;
};

/* Defaults: version 25.07.25-002, commit "fbnic-emu", 100G CR2 + RS,
 * 45 degC / 750 mV, QSFP28 module present, 8 KiB dump, 2 KiB chunks. */
void fw_config_default(struct fw_config *cfg);
/* 0, or -EINVAL with a reason (commit too long, bad link values, ...). */
int fw_config_check(const struct fw_config *cfg, const char **why);

/* ---- Lifecycle and message handling ------------------------------------ */

struct fw_ops {
	void *opaque;
	/* Deliver one complete FW->host message (<= TLV_PAGE_SIZE bytes; the
	 * callee copies it).  0, or -errno if it had to drop it (counted). */
	int (*send)(void *opaque, const void *msg, size_t len);
	/* Monotonic time in nanoseconds; NULL: CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *opaque);
};

struct fw;

/* NULL if the configuration is invalid or memory is short. */
struct fw *fw_create(const struct fw_config *cfg, const struct fw_ops *ops);
void fw_destroy(struct fw *fw);

/* Device reset (FLR, vfio-user reset, client lost): the host session ends.
 * Ownership is released, the log stream stops, a flash in progress is
 * abandoned.  The firmware itself keeps running: uptime, logs, the core
 * dump and flashed images survive (use fw_reboot for a firmware restart). */
void fw_reset(struct fw *fw);

/* What the mailbox layer should do with the TX descriptor. */
enum fw_status {
	/* Handled; replies, if the message has any, were sent. */
	FW_OK = 0,
	/* A well-formed request the firmware refused; it answered in-protocol
	 * with an ERROR attribute, so complete normally. */
	FW_ERR_REPLIED,
	/* A message id this firmware does not implement: nothing sent; the
	 * caller logs and counts it and completes normally (no reply is ever
	 * awaited for an id the firmware does not know). */
	FW_UNKNOWN,
	/* Malformed (the codec or a handler refused it): nothing sent;
	 * complete with FW_ERR so the driver counts a response error. */
	FW_REJECTED,
};

/* The most messages one fw_handle call sends: a log history is at most
 * four LOG_MSG_REQs (the ring holds 4 x 14 lines), a flash step three.
 * The mailbox layer reserves this much queue room before it takes a host
 * message. */
#define FW_MAX_REPLIES 4
#define FW_LOG_RING (FW_MAX_REPLIES * FW_LOG_MAX_PER_MSG)

struct fw_verdict {
	uint16_t msg_id;    /* 0xffff when the header was unreadable */
	int err;            /* 0 or -errno */
	const char *reason; /* static string, NULL when FW_OK */
};

/* Consume one host->FW message: `len` is the TX descriptor length.  The
 * bytes are copied first, so msg may be live guest memory.  v may be NULL. */
enum fw_status fw_handle(struct fw *fw, const void *msg, size_t len,
			 struct fw_verdict *v);

/* ---- Control (for the control channel and tests) ----------------------- */

/* Link advertised in the next FW_CAP_RESP (the driver reads it at netdev
 * creation).  -EINVAL for values outside the enums. */
int fw_set_link(struct fw *fw, unsigned mode, unsigned fec);
void fw_get_link(const struct fw *fw, uint8_t *mode, uint8_t *fec);

void fw_set_sensors(struct fw *fw, int32_t temp_mc, int32_t volt_mv);
/* Make TSENE reads fail with this negative errno (0: succeed again). */
void fw_set_sensor_error(struct fw *fw, int err);
/* false: HEARTBEAT_REQ goes unanswered (a hung firmware, as the driver's
 * "Firmware did not respond to heartbeat message" path sees it). */
void fw_set_heartbeat(struct fw *fw, bool answer);
void fw_set_qsfp_present(struct fw *fw, bool present);
/* Restart the firmware: uptime starts again from 0 (the driver reads the
 * regression as a crash), stored images become the running ones, the host
 * session ends as in fw_reset.  crash_reason != NULL: it crashed, and a
 * core dump recording the reason is left for the host to collect. */
void fw_reboot(struct fw *fw, const char *crash_reason);

/* Append a line to the firmware log (truncated to 255 chars); sent at once
 * as a LOG_MSG_REQ if the host enabled the stream, else only cached for a
 * later history request. */
void fw_log(struct fw *fw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool fw_host_owned(const struct fw *fw);
bool fw_log_streaming(const struct fw *fw);
bool fw_flash_busy(const struct fw *fw);
uint64_t fw_uptime_ms(struct fw *fw);
/* Current versions, link and sensors (stored_* change after a flash,
 * running ones after fw_reboot). */
const struct fw_config *fw_get_config(const struct fw *fw);

/* Why a message was refused; counters in struct fw_stats.rejected[]. */
enum fw_reject {
	FW_REJ_LENGTH,  /* descriptor shorter than a header / longer than a page */
	FW_REJ_PARSE,   /* the TLV codec refused it (tlv.h rules) */
	FW_REJ_MISSING, /* a required attribute is absent */
	FW_REJ_VALUE,   /* an attribute value is out of range */
	FW_REJ_STATE,   /* not valid in the current state (e.g. no flash) */
	FW_REJ_TEST,    /* self-test message whose nested copy differs */
	FW_REJ_COUNT
};

/* Distinct refusal reasons, first seen first; when the table is full the
 * last slot counts the rest under "other reasons". */
#define FW_REASONS_MAX 32
struct fw_reason_count {
	const char *reason;
	uint64_t count;
};

struct fw_stats {
	uint64_t rx_msgs;      /* every fw_handle call */
	uint64_t rx_unknown;   /* FW_UNKNOWN */
	uint64_t rx_rejected;  /* FW_REJECTED + FW_ERR_REPLIED */
	uint64_t rejected[FW_REJ_COUNT];
	uint64_t tx_msgs;      /* messages handed to send() */
	uint64_t tx_dropped;   /* send() refused */
	uint64_t tx_selfcheck; /* replies the 7.3 driver's parser would refuse
	                          (a bug here; logged, still sent) */
	uint64_t cap_req, ownership_req, heartbeat_req, heartbeat_ignored;
	uint64_t test_echo, tsene_req, qsfp_req, coredump_info, coredump_read;
	uint64_t flash_start, flash_chunks, flash_ok, flash_fail;
	uint64_t log_msgs, log_entries, mac_sync;
	struct fw_verdict last_reject;
	struct fw_reason_count by_reason[FW_REASONS_MAX];
};
const struct fw_stats *fw_get_stats(const struct fw *fw);

/* ---- Flash images -------------------------------------------------------- */

/*
 * What "corrupt" means to this firmware.  A component may end in a seal:
 *   [payload][magic "FBEMUIMG" (8)][version le32][commit, 20 bytes, NUL
 *   padded, at most 18 chars][crc32 le32 of every preceding byte]
 * A sealed image whose CRC or commit does not check out is refused after
 * the last chunk with FW_FINISH_UPGRADE_REQ{ERROR = -EBADMSG}, which the
 * driver reports as a failed flash.  A good seal's version and commit become
 * the section's stored version (CONTROL_FW -> fw, CMRT -> fw.bootloader,
 * OPTION_ROM -> fw.undi).  Unsealed images are accepted as opaque (versions
 * unchanged) unless cfg.flash_require_seal.
 */
#define FW_IMG_MAGIC "FBEMUIMG"
#define FW_IMG_SEAL_LEN 36u
uint32_t fw_crc32(uint32_t crc, const void *buf, size_t len);
/* Write a seal into the last FW_IMG_SEAL_LEN bytes of img (the payload is
 * img[0 .. len - 36)).  -EINVAL if len is too small or commit too long. */
int fw_image_seal(uint8_t *img, size_t len, uint32_t version,
		  const char *commit);

/* ---- The host's side of the protocol ------------------------------------- */

/* Which messages, with which attribute indexes, a driver version accepts
 * from the firmware (its fbnic_fw_tlv_parser table).  The firmware checks
 * its own output against the 7.3 table; tests decode replies with both. */
enum fw_host_kernel { FW_HOST_LINUX_6_12, FW_HOST_LINUX_7_3 };
const struct tlv_parser *fw_host_parsers(enum fw_host_kernel k);
/* The TEST message index (fbnic_tlv_test_index), used both ways. */
extern const struct tlv_index fw_test_index[];

#endif
