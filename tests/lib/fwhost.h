/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host driver's side of the firmware mailbox, for tests that run the
 * firmware model (src/dev/fw.h) in-process: what fbnic_fw.c builds and
 * parses, and the flash loop of fbnic_devlink.c.
 *
 *   fwh_create    the model with fw_ops that capture every FW->host message
 *                 (fwh_cap) and a test-driven clock (fwh_clk_ns)
 *   fwh_send      a request built with the TLV codec, as the mailbox hands
 *                 it over (at most FW_MAX_REPLIES replies)
 *   fwh_reply     captured message i, decoded with a driver's parser table
 *   fwh_next      the next unread one, decoded as the 7.3 driver does
 *   fwh_flash     fbnic_flash_component + fbnic_flash_start
 *
 * Whatever the driver would refuse is recorded as a test failure
 * (test_fail/CHECK, test.h, at fwhost.c's lines); nothing here aborts the
 * running test.  One model at a time: the capture and clock are global.
 */
#ifndef FBNIC_EMU_TEST_FWHOST_H
#define FBNIC_EMU_TEST_FWHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/fw.h"
#include "fw/tlv.h"

/* ---- Capture and clock --------------------------------------------------- */

#define FWH_CAP_MAX 256

/* FW->host messages in the order fw_ops.send delivered them. */
struct fwh_capture {
	int n;         /* captured so far */
	int cursor;    /* the next one fwh_next() reads */
	int fail_send; /* set: send() refuses with -ENOSPC, captures nothing */
	size_t len[FWH_CAP_MAX];
	uint8_t msg[FWH_CAP_MAX][TLV_PAGE_SIZE];
};

extern struct fwh_capture fwh_cap;
/* fw_ops.now_ns of every fwh_create()d model; tests move it. */
extern uint64_t fwh_clk_ns;

/* Forget the captured messages (n, cursor) and clear fail_send. */
void fwh_clear(void);

/* fw_create with the capturing ops; the clock restarts at 1 s, the log
 * drops below LOG_ERR unless $TEST_VERBOSE is set, and the capture is
 * cleared (the boot banner is only cached, never sent).  NULL if cfg is
 * refused. */
struct fw *fwh_create(const struct fw_config *cfg);

/* ---- Requests and replies ------------------------------------------------ */

/* Finish the request in b and hand it to fw_handle; v (may be NULL) gets
 * the verdict.  A build failure is a test failure (FW_REJECTED), and so
 * are more than FW_MAX_REPLIES replies. */
enum fw_status fwh_send(struct fw *fw, struct tlv_builder *b,
			struct fw_verdict *v);
/* A request without attributes (HOST_CAP_REQ, HEARTBEAT_REQ, ...). */
enum fw_status fwh_send_simple(struct fw *fw, uint16_t id);

/* Decode captured message i with driver k's parser table, as
 * fbnic_mbx_process_rx_msgs does with fbnic_tlv_msg_parse: 0, the
 * parser's errno (its reason on stderr), or -ENODATA when there is no
 * message i. */
int fwh_reply(int i, enum fw_host_kernel k, struct tlv_msg *m,
	      struct tlv_attr *res);
/* The next unread message, decoded as the 7.3 driver does: 0, -ENODATA
 * when none is left (where the driver would time out), or the parser's
 * errno, which is also a test failure: the firmware must never send what
 * the driver refuses. */
int fwh_next(struct tlv_msg *m, struct tlv_attr *res);

/* ---- Flash (devlink dev flash) ------------------------------------------- */

/* Driver state fed by FW_CAP_RESP. */
struct fwh_caps {
	int seen; /* FW_CAP_RESPs taken */
	uint32_t anti_rollback, stored_version;
};

/* fbnic_fw_parse_cap_resp, the two fields the flash tests look at. */
void fwh_take_caps(struct fwh_caps *caps, const struct tlv_attr *res);

/* fbnic_fw_xmit_fw_start_upgrade's message (without its zero-length
 * check, which fwh_flash makes). */
enum fw_status fwh_start_upgrade(struct fw *fw, uint32_t section,
				 uint32_t len);
/* fbnic_fw_xmit_fw_write_chunk: a nonzero cancel goes out as the ERROR
 * attribute; with data, the chunk data[off, off + len) with its offset and
 * length (data NULL: a bare cancel). */
enum fw_status fwh_write_chunk(struct fw *fw, const uint8_t *data,
			       uint32_t off, uint16_t len, int cancel);

/* Where a test wants fwh_flash to differ from the driver. */
struct fwh_flash_opts {
	/* Send FW_START_UPGRADE_REQ for any section and size, so the
	 * firmware's own checks are exercised (the driver refuses an
	 * unknown section, and a zero size, with -EINVAL before sending). */
	bool raw_start;
	/* What a message other than WRITE_CHUNK_REQ / FINISH_UPGRADE_REQ /
	 * FW_CAP_RESP in the chunk loop returns (besides the test failure it
	 * is); 0: -ETIMEDOUT, the driver's view (nothing completes its
	 * cmpl). */
	int unexpected_err;
};

/* fbnic_flash_component with fbnic_flash_start: flash data[0..size) into
 * section.  Clears the capture, sends START_UPGRADE_REQ, then consumes the
 * firmware's messages in arrival order: START_UPGRADE_RESP, then the
 * WRITE_CHUNK_REQ pulls, each answered with its chunk (the status of which
 * must be FW_OK or FW_ERR_REPLIED), until FINISH_UPGRADE_REQ.  FW_CAP_RESPs
 * met on the way go to fwh_take_caps(caps, ...); caps is not reset here.
 * "No message left" stands for the driver's timeouts (-ETIMEDOUT).  An
 * error after a successful start is sent to the firmware as a cancel
 * (fbnic_fw_xmit_fw_write_chunk with cancel_error); one before it
 * (err_no_msg) is not.  opt NULL: exactly the driver.  0 or -errno. */
int fwh_flash(struct fw *fw, uint32_t section, const uint8_t *data,
	      uint32_t size, const struct fwh_flash_opts *opt,
	      struct fwh_caps *caps);

#endif
