/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the TSENE sensors behind
 * hwmon.
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

/* hwmon -> fbnic_mac_get_sensor_asic -> fbnic_fw_parse_tsene_read_resp:
 * ERROR non-zero is returned as is; else THERM and VOLT are both needed. */
enum fw_status fw_h_tsene_read_req(struct fw *fw, struct req *r)
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
	fw_emit(fw, &b);
	return FW_OK;
}

