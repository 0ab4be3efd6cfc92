/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the capabilities reply
 * (FW_CAP_RESP).
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

/* Capabilities, as fbnic_fw_parse_cap_resp reads them: VERSION must be
 * >= MIN_FW_VER_CODE; strings <= 19 bytes with NUL (longer ones make the
 * driver fw_refuse the whole message); no BMC (BMC_PRESENT would require a
 * BMC_MAC_ARRAY); LINK_SPEED/FEC pick the phylink interface. */
void fw_send_caps(struct fw *fw)
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
	fw_emit(fw, &b);
}

