/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): the QSFP28 module memory
 * behind ethtool -m.
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
void fw_qsfp_build(struct fw *fw)
{
	uint8_t *lo = fw->qsfp_lower, *p0 = fw->qsfp_page0, *p3 = fw->qsfp_page3;

	memset(lo, 0, 128);
	memset(p0, 0, 128);
	memset(p3, 0, 128);

	/* Lower page: identity, status, live monitors. */
	lo[0] = 0x11;          /* identifier: QSFP28 */
	lo[1] = 0x08;          /* SFF-8636 rev 2.8-2.10 */
	lo[2] = 0x00;          /* data ready, paged memory (page 03h exists) */
	fw_put_be16(lo + 22, 0x2380); /* temperature 35.5 degC (1/256 degC) */
	fw_put_be16(lo + 26, 33000);  /* Vcc 3.3 V (100 uV) */
	for (int ch = 0; ch < 4; ch++) {
		fw_put_be16(lo + 34 + 2 * ch, 8000); /* Rx power 0.8 mW (0.1 uW) */
		fw_put_be16(lo + 42 + 2 * ch, 3250); /* Tx bias 6.5 mA (2 uA) */
		fw_put_be16(lo + 50 + 2 * ch, 9000); /* Tx power 0.9 mW */
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
	fw_put_padded(p0 + 148 - 128, "FBNIC-EMU", 16);
	p0[165 - 128] = 0x00;  /* vendor OUI */
	p0[166 - 128] = 0x1d;
	p0[167 - 128] = 0x9b;
	fw_put_padded(p0 + 168 - 128, "FBNIC-QSFP28-SR4", 16);
	fw_put_padded(p0 + 184 - 128, "A0", 2);
	fw_put_be16(p0 + 186 - 128, 850 * 20);  /* wavelength (0.05 nm) */
	fw_put_be16(p0 + 188 - 128, 10 * 200);  /* tolerance (0.005 nm) */
	p0[190 - 128] = 70;    /* max case temperature, degC */
	p0[191 - 128] = sum8(p0, 191 - 128);  /* CC_BASE: sum of 128..190 */
	p0[192 - 128] = 0x02;  /* SFF-8024: 100GBASE-SR4 or 25GBASE-SR */
	fw_put_padded(p0 + 196 - 128, fw->cfg.qsfp_serial, 16);
	fw_put_padded(p0 + 212 - 128, "250725", 8); /* date code YYMMDD */
	p0[220 - 128] = 0x3c;  /* temp + Vcc monitors, avg Rx power, Tx power */
	p0[222 - 128] = 103;   /* 25.78 Gb/s per lane (250 Mb/s units) */
	p0[223 - 128] = sum8(p0 + 192 - 128, 223 - 192); /* CC_EXT: 192..222 */

	/* Upper page 03h: alarm and warning thresholds. */
	fw_put_be16(p3 + 128 - 128, 0x4b00); /* temp high alarm 75 degC */
	fw_put_be16(p3 + 130 - 128, 0xfb00); /* temp low alarm -5 degC */
	fw_put_be16(p3 + 132 - 128, 0x4600); /* temp high warning 70 degC */
	fw_put_be16(p3 + 134 - 128, 0x0000); /* temp low warning 0 degC */
	fw_put_be16(p3 + 144 - 128, 36300);  /* Vcc high alarm 3.63 V */
	fw_put_be16(p3 + 146 - 128, 29700);  /* Vcc low alarm 2.97 V */
	fw_put_be16(p3 + 148 - 128, 34650);  /* Vcc high warning 3.465 V */
	fw_put_be16(p3 + 150 - 128, 31350);  /* Vcc low warning 3.135 V */
	fw_put_be16(p3 + 176 - 128, 34000);  /* Rx power high alarm 3.4 mW */
	fw_put_be16(p3 + 178 - 128, 500);    /* Rx power low alarm 0.05 mW */
	fw_put_be16(p3 + 180 - 128, 22000);  /* Rx power high warning 2.2 mW */
	fw_put_be16(p3 + 182 - 128, 1000);   /* Rx power low warning 0.1 mW */
	fw_put_be16(p3 + 184 - 128, 6000);   /* Tx bias high alarm 12 mA */
	fw_put_be16(p3 + 186 - 128, 1000);   /* Tx bias low alarm 2 mA */
	fw_put_be16(p3 + 188 - 128, 5000);   /* Tx bias high warning 10 mA */
	fw_put_be16(p3 + 190 - 128, 1500);   /* Tx bias low warning 3 mA */
	fw_put_be16(p3 + 192 - 128, 34000);  /* Tx power high alarm 3.4 mW */
	fw_put_be16(p3 + 194 - 128, 1000);   /* Tx power low alarm 0.1 mW */
	fw_put_be16(p3 + 196 - 128, 22000);  /* Tx power high warning 2.2 mW */
	fw_put_be16(p3 + 198 - 128, 2000);   /* Tx power low warning 0.2 mW */
}

/* ethtool -m -> fbnic_get_module_eeprom_by_page ->
 * fbnic_fw_parse_qsfp_read_resp: BANK/PAGE/OFFSET/LENGTH must echo the
 * request (checked before ERROR), then DATA must hold LENGTH bytes. */
enum fw_status fw_h_qsfp_read_req(struct fw *fw, struct req *r)
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
		fw_emit(fw, &b);
		return fw_refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
	}
	/* The lower page is visible whatever page is selected; byte 127
	 * reads back the page select. */
	uint8_t data[FW_QSFP_SIZE];
	memcpy(data, fw->qsfp_lower, 128);
	data[127] = (uint8_t)page;
	memcpy(data + 128, page == 3 ? fw->qsfp_page3 : fw->qsfp_page0, 128);
	tlv_put_value(&b, FW_QSFP_DATA, data + off, len);
	fw_emit(fw, &b);
	return FW_OK;
}

