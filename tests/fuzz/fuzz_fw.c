/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the firmware model (src/fw/) on arbitrary host->FW
 * mailbox messages, as fw_handle() gets them from the mailbox.  The input
 * is a sequence of records [clock step in ms: 1 byte][length: 2 bytes LE]
 * [message bytes]; the firmware is reset before each input.  Beyond
 * crashes (ASan, UBSan), two of the firmware's promises are checked: no
 * message gets more than FW_MAX_REPLIES replies, and every reply parses
 * with the 7.3 driver's parser table (a reply the driver would refuse is a
 * bug; 6.12's knows fewer messages, and gets replies only to what it
 * sends): either aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fwhost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fw *fw;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fw) {
		struct fw_config cfg;
		fw_config_default(&cfg);
		fw = fwh_create(&cfg);
		if (!fw)
			abort();
	}
	fw_reset(fw);
	size_t off = 0;
	while (size - off >= 3) {
		fwh_clk_ns += (uint64_t)data[off] * 1000000u;
		size_t len = (size_t)(data[off + 1] | data[off + 2] << 8);
		off += 3;
		if (len > size - off)
			len = size - off;
		fwh_clear();
		fw_handle(fw, data + off, len, NULL);
		off += len;
		if (fwh_cap.n > FW_MAX_REPLIES) {
			fprintf(stderr, "fuzz_fw: %d replies to one message\n",
				fwh_cap.n);
			abort();
		}
		for (int i = 0; i < fwh_cap.n; i++) {
			struct tlv_msg m;
			struct tlv_attr res[TLV_RESULTS_MAX];
			if (fwh_reply(i, FW_HOST_LINUX_7_3, &m, res)) {
				fprintf(stderr, "fuzz_fw: reply %d (0x%02x%02x%02x%02x) "
					"refused by the 7.3 driver's parser\n", i,
					fwh_cap.msg[i][3], fwh_cap.msg[i][2],
					fwh_cap.msg[i][1], fwh_cap.msg[i][0]);
				abort();
			}
		}
	}
	return 0;
}
