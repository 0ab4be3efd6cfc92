/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware model, in-process: each request is built the way the driver
 * builds it (same ids, types, widths, omissions), each reply is decoded with
 * the driver's own indexes and checked the way the driver's parse function
 * checks it.  Multi-message flows (flash, core dump, log history) are driven
 * by small re-creations of the driver loops.
 */
#include <errno.h>
#include <stdlib.h>

#include "fw/fw.h"
#include "fw/tlv.h"
#include "fwhost.h"
#include "test.h"

/* ---- Harness ----------------------------------------------------------------- */

static struct fw *mkfw(void)
{
	struct fw_config cfg;

	fw_config_default(&cfg);
	return fwh_create(&cfg);
}

/* Every test ends here: no reply the driver would refuse, ever. */
static void done(struct fw *fw)
{
	CHECK_EQ(fw_get_stats(fw)->tx_selfcheck, 0);
	fw_destroy(fw);
}

static const struct tlv_index *host_idx(enum fw_host_kernel k, uint16_t id)
{
	for (const struct tlv_parser *p = fw_host_parsers(k); p->id != TLV_ID_LAST;
	     p++)
		if (p->id == id)
			return p->idx;
	return NULL;
}

/* Next unread reply, which must be of id `id`, parsed by 7.3. */
static int next(uint16_t id, struct tlv_msg *m, struct tlv_attr *res)
{
	int err = fwh_next(m, res);

	if (err)
		return err;
	return m->id == id ? 0 : -EPROTO;
}

/* ---- Capabilities --------------------------------------------------------------- */

static void test_caps(void)
{
	struct fw *fw = mkfw();
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;
	char s[FW_COMMIT_MAX], full[48];

	REQUIRE(fw);
	CHECK_INT(fwh_send_simple(fw, FW_MSG_HOST_CAP_REQ), FW_OK);
	REQUIRE(fwh_cap.n == 1);
	REQUIRE(fwh_reply(0, FW_HOST_LINUX_7_3, &m, r) == 0);
	CHECK_EQ(m.id, FW_MSG_FW_CAP_RESP);
	uint32_t ver = (uint32_t)tlv_get_uint(&r[FW_CAP_RESP_VERSION], 0);
	CHECK_EQ(ver, FW_VER(25, 7, 25, 2));
	CHECK(ver >= FW_MIN_VER && ver >= FW_MIN_VER_612);
	CHECK(ver >= FW_MIN_VER_LOG && ver >= FW_MIN_VER_HIST);
	CHECK_INT(tlv_get_string(&r[FW_CAP_RESP_VERSION_COMMIT_STR], s,
				 sizeof(s)), 9);
	CHECK(strcmp(s, "fbnic-emu") == 0);
	/* ethtool -i: "%02lu.%02lu.%02lu-%03lu_commit" within 31 chars. */
	snprintf(full, sizeof(full), "%02u.%02u.%02u-%03u_%s", ver >> 24,
		 (ver >> 16) & 0xff, (ver >> 8) & 0xff, ver & 0xff, s);
	CHECK(strcmp(full, "25.07.25-002_fbnic-emu") == 0);
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_FW_LINK_SPEED], 0),
		 LINK_MODE_100CR2);
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_FW_LINK_FEC], 0), LINK_FEC_RS);
	CHECK(!tlv_present(&r[FW_CAP_RESP_BMC_PRESENT]));
	CHECK(!tlv_present(&r[FW_CAP_RESP_BMC_MAC_ARRAY]));
	CHECK(!tlv_present(&r[FW_CAP_RESP_BMC_ALL_MULTI]));
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_STORED_VERSION], 0), ver);
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_CMRT_VERSION], 0),
		 FW_VER(25, 6, 3, 1));
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_UEFI_VERSION], 0),
		 FW_VER(25, 4, 1, 0));
	CHECK_INT(tlv_get_string(&r[FW_CAP_RESP_CMRT_COMMIT_STR], s, sizeof(s)),
		  14);
	CHECK(tlv_present(&r[FW_CAP_RESP_STORED_COMMIT_STR]));
	CHECK(tlv_present(&r[FW_CAP_RESP_STORED_CMRT_COMMIT_STR]));
	CHECK(tlv_present(&r[FW_CAP_RESP_UEFI_COMMIT_STR]));
	CHECK(tlv_present(&r[FW_CAP_RESP_ACTIVE_FW_SLOT]));
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_ANTI_ROLLBACK_VERSION], 99), 0);
	/* Every integer 4 bytes wide (the index allows no more). */
	CHECK_EQ(r[FW_CAP_RESP_VERSION].len, 4);

	/* 6.12 accepts the same bytes and skips the anti-rollback id. */
	REQUIRE(fwh_reply(0, FW_HOST_LINUX_6_12, &m, r) == 0);
	CHECK(!tlv_present(&r[FW_CAP_RESP_ANTI_ROLLBACK_VERSION]));
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_FW_LINK_SPEED], 0), 4);
	CHECK_EQ(fw_get_stats(fw)->cap_req, 1);
	done(fw);
}

static void test_link_config(void)
{
	struct fw *fw = mkfw();
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;
	uint8_t mode, fec;

	REQUIRE(fw);
	CHECK_INT(fw_set_link(fw, LINK_MODE_25CR, LINK_FEC_BASER), 0);
	fw_get_link(fw, &mode, &fec);
	CHECK_EQ(mode, 1);
	CHECK_EQ(fec, 3);
	fwh_send_simple(fw, FW_MSG_HOST_CAP_REQ);
	REQUIRE(fwh_reply(0, FW_HOST_LINUX_7_3, &m, r) == 0);
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_FW_LINK_SPEED], 0), 1);
	CHECK_EQ(tlv_get_uint(&r[FW_CAP_RESP_FW_LINK_FEC], 0), 3);

	CHECK_INT(fw_set_link(fw, 0, LINK_FEC_RS), -EINVAL);
	CHECK_INT(fw_set_link(fw, 5, LINK_FEC_RS), -EINVAL);
	CHECK_INT(fw_set_link(fw, LINK_MODE_50CR2, 0), -EINVAL);
	CHECK_INT(fw_set_link(fw, LINK_MODE_50CR2, 4), -EINVAL);
	fw_get_link(fw, &mode, &fec);
	CHECK_EQ(mode, 1); /* unchanged */

	/* What the driver will run (fbnic_mac_get_fw_settings). */
	CHECK_EQ(link_effective_fec(LINK_MODE_100CR2, LINK_FEC_NONE),
		 LINK_FEC_RS);
	CHECK_EQ(link_effective_fec(LINK_MODE_50CR, LINK_FEC_BASER),
		 LINK_FEC_RS);
	CHECK_EQ(link_effective_fec(LINK_MODE_50CR2, LINK_FEC_NONE),
		 LINK_FEC_NONE);
	CHECK_EQ(link_effective_fec(LINK_MODE_25CR, 0), LINK_FEC_RS);
	CHECK_EQ(link_speed_mbps(LINK_MODE_25CR), 25000);
	CHECK_EQ(link_speed_mbps(LINK_MODE_50CR), 50000);
	CHECK_EQ(link_speed_mbps(LINK_MODE_100CR2), 100000);
	CHECK_EQ(link_speed_mbps(9), 0);
	done(fw);
}

static void test_config_check(void)
{
	struct fw_config cfg;
	const char *why = NULL;

	fw_config_default(&cfg);
	CHECK_INT(fw_config_check(&cfg, &why), 0);

	/* 18 characters is the most a commit can have (19 with NUL). */
	snprintf(cfg.commit, sizeof(cfg.commit), "%s", "123456789012345678");
	CHECK_INT(fw_config_check(&cfg, &why), 0);
	memset(cfg.commit, 'x', sizeof(cfg.commit)); /* unterminated */
	CHECK_INT(fw_config_check(&cfg, &why), -EINVAL);
	CHECK(why != NULL);
	CHECK(fwh_create(&cfg) == NULL);

	fw_config_default(&cfg);
	cfg.version = FW_VER(0, 10, 5, 255);
	CHECK_INT(fw_config_check(&cfg, NULL), -EINVAL);
	fw_config_default(&cfg);
	cfg.link_fec = 7;
	CHECK_INT(fw_config_check(&cfg, NULL), -EINVAL);
	fw_config_default(&cfg);
	cfg.coredump_size = FW_COREDUMP_MAX + 1;
	CHECK_INT(fw_config_check(&cfg, NULL), -EINVAL);
	fw_config_default(&cfg);
	cfg.flash_chunk = TLV_MAX_DATA + 1;
	CHECK_INT(fw_config_check(&cfg, NULL), -EINVAL);
}

/* ---- Ownership and heartbeat ------------------------------------------------------ */

static enum fw_status ownership(struct fw *fw, bool take)
{
	uint8_t buf[16];
	struct tlv_builder b;

	/* fbnic_fw_xmit_ownership_msg: the flag only when taking. */
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_OWNERSHIP_REQ);
	if (take)
		tlv_put_flag(&b, FW_OWNERSHIP_FLAG);
	return fwh_send(fw, &b, NULL);
}

static void test_ownership(void)
{
	struct fw *fw = mkfw();
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;

	REQUIRE(fw);
	CHECK(!fw_host_owned(fw));
	fwh_clk_ns += 4500000000ull; /* uptime 4.5 s */
	CHECK_INT(ownership(fw, true), FW_OK);
	CHECK(fw_host_owned(fw));
	REQUIRE(fwh_cap.n == 1);
	REQUIRE(fwh_reply(0, FW_HOST_LINUX_7_3, &m, r) == 0);
	CHECK_EQ(m.id, FW_MSG_OWNERSHIP_RESP);
	CHECK_EQ(tlv_get_uint(&r[FW_OWNERSHIP_TIME], 0), 4500);
	CHECK_EQ(r[FW_OWNERSHIP_TIME].len, 8);
	/* 6.12: no attributes expected, the time is skipped. */
	REQUIRE(fwh_reply(0, FW_HOST_LINUX_6_12, &m, r) == 0);
	CHECK(!tlv_present(&r[FW_OWNERSHIP_TIME]));

	CHECK_INT(ownership(fw, false), FW_OK);
	CHECK(!fw_host_owned(fw));
	REQUIRE(fwh_cap.n == 2);
	REQUIRE(fwh_reply(1, FW_HOST_LINUX_7_3, &m, r) == 0);
	CHECK_EQ(m.id, FW_MSG_OWNERSHIP_RESP);
	CHECK_EQ(fw_get_stats(fw)->ownership_req, 2);
	done(fw);
}

static uint64_t heartbeat(struct fw *fw, bool *answered)
{
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;
	int before = fwh_cap.n;

	CHECK_INT(fwh_send_simple(fw, FW_MSG_HEARTBEAT_REQ), FW_OK);
	*answered = fwh_cap.n == before + 1;
	if (!*answered)
		return 0;
	CHECK_INT(fwh_reply(before, FW_HOST_LINUX_7_3, &m, r), 0);
	CHECK_EQ(m.id, FW_MSG_HEARTBEAT_RESP);
	CHECK_INT(fwh_reply(before, FW_HOST_LINUX_6_12, &m, r), 0);
	CHECK_INT(fwh_reply(before, FW_HOST_LINUX_7_3, &m, r), 0);
	return tlv_get_uint(&r[FW_HEARTBEAT_UPTIME], 0);
}

static void test_heartbeat(void)
{
	struct fw *fw = mkfw();
	uint64_t prev = 0, up;
	bool ans;

	REQUIRE(fw);
	for (int i = 0; i < 5; i++) {
		fwh_clk_ns += 10000000000ull; /* the driver's 10 s period */
		up = heartbeat(fw, &ans);
		CHECK(ans);
		CHECK(up > prev);
		CHECK_EQ(up, (fwh_clk_ns - 1000000000ull) / 1000000);
		prev = up;
	}
	/* A clock step back never shows as an uptime regression. */
	fwh_clk_ns -= 5000000000ull;
	up = heartbeat(fw, &ans);
	CHECK(ans && up == prev);

	/* Hung firmware: no reply, counted. */
	fw_set_heartbeat(fw, false);
	fwh_clk_ns += 10000000000ull;
	heartbeat(fw, &ans);
	CHECK(!ans);
	CHECK_EQ(fw_get_stats(fw)->heartbeat_ignored, 1);
	/* Ownership is still answered (and re-arms the driver's check). */
	int n = fwh_cap.n;
	ownership(fw, true);
	CHECK_INT(fwh_cap.n, n + 1);
	fw_set_heartbeat(fw, true);
	up = heartbeat(fw, &ans);
	CHECK(ans && up >= prev);

	/* A reboot restarts the uptime: the driver sees a regression. */
	prev = up;
	fwh_clk_ns += 1000000000ull;
	fw_reboot(fw, NULL);
	fwh_clk_ns += 2000000000ull;
	up = heartbeat(fw, &ans);
	CHECK(ans);
	CHECK_EQ(up, 2000);
	CHECK(up < prev);
	CHECK(!fw_host_owned(fw));
	done(fw);
}

/* ---- Mailbox self-test (ethtool -t) ---------------------------------------------- */

struct test_vals {
	uint64_t u64;
	int64_t s64;
	uint32_t u32;
	int32_t s32;
	uint16_t u16;
	int16_t s16;
	uint8_t mac[6];
	uint8_t macs[4][6];
	bool t, f;
	char str[FW_TEST_STRING_LEN];
};

/* fbnic_tlv_test_attr_data. */
static void put_test_attrs(struct tlv_builder *b, const struct test_vals *t)
{
	tlv_put_u64(b, FW_TEST_U64, t->u64);
	tlv_put_s64(b, FW_TEST_S64, t->s64);
	tlv_put_u32(b, FW_TEST_U32, t->u32);
	tlv_put_s32(b, FW_TEST_S32, t->s32);
	tlv_put_int(b, FW_TEST_U16, t->u16, 4);
	tlv_put_int(b, FW_TEST_S16, (uint64_t)(int64_t)t->s16, 4);
	tlv_put_mac(b, FW_TEST_MAC_ADDR, t->mac);
	tlv_nest_start(b, FW_TEST_ARRAY);
	for (int i = 0; i < 4; i++)
		tlv_put_mac(b, FW_TEST_MAC_ADDR, t->macs[i]);
	tlv_nest_end(b);
	tlv_put_flag(b, FW_TEST_FLAG_TRUE);
	tlv_put_string(b, FW_TEST_STRING, t->str);
}

static void random_test_vals(struct test_vals *t, uint32_t seed)
{
	uint8_t *p = (uint8_t *)t;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < offsetof(struct test_vals, t); i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
	t->t = true;
	for (int i = 0; i < FW_TEST_STRING_LEN - 1; i++)
		t->str[i] = (char)(64 + (p[i] % 32));
}

/* fbnic_tlv_parser_test_attr. */
static void decode_test(const struct tlv_msg *m, const struct tlv_attr *r,
			struct test_vals *t)
{
	struct tlv_attr el[4];

	memset(t, 0, sizeof(*t));
	t->u64 = tlv_get_uint(&r[FW_TEST_U64], 0);
	t->s64 = tlv_get_sint(&r[FW_TEST_S64], 0);
	t->u32 = (uint32_t)tlv_get_uint(&r[FW_TEST_U32], 0);
	t->s32 = (int32_t)tlv_get_sint(&r[FW_TEST_S32], 0);
	t->u16 = (uint16_t)tlv_get_uint(&r[FW_TEST_U16], 0);
	t->s16 = (int16_t)tlv_get_sint(&r[FW_TEST_S16], 0);
	if (tlv_present(&r[FW_TEST_MAC_ADDR]))
		memcpy(t->mac, r[FW_TEST_MAC_ADDR].val, 6);
	if (tlv_present(&r[FW_TEST_ARRAY]) &&
	    tlv_parse_array(m, &r[FW_TEST_ARRAY], fw_test_index,
			    FW_TEST_MAC_ADDR, el, 4, NULL) == 0)
		for (int i = 0; i < 4 && el[i].val; i++)
			memcpy(t->macs[i], el[i].val, 6);
	t->t = tlv_present(&r[FW_TEST_FLAG_TRUE]);
	t->f = tlv_present(&r[FW_TEST_FLAG_FALSE]);
	tlv_get_string(&r[FW_TEST_STRING], t->str, sizeof(t->str));
}

static int build_test_msg(uint8_t *buf, const struct test_vals *t,
			  const struct test_vals *nested)
{
	struct tlv_builder b;

	tlv_msg_init(&b, buf, TLV_PAGE_SIZE, FW_MSG_TEST);
	put_test_attrs(&b, t);
	tlv_nest_start(&b, FW_TEST_NESTED);
	put_test_attrs(&b, nested);
	tlv_nest_end(&b);
	return tlv_msg_finish(&b);
}

static void test_selftest_echo(void)
{
	struct fw *fw = mkfw();
	uint8_t buf[TLV_PAGE_SIZE];
	struct tlv_attr r[TLV_RESULTS_MAX], n[TLV_RESULTS_MAX];
	struct test_vals t, got, other;
	struct fw_verdict v;
	struct tlv_msg m;

	REQUIRE(fw);
	for (uint32_t seed = 1; seed < 20; seed++) {
		fwh_clear();
		random_test_vals(&t, seed);
		int len = build_test_msg(buf, &t, &t);
		REQUIRE(len > 300);
		CHECK_INT(fw_handle(fw, buf, (size_t)len, &v), FW_OK);
		REQUIRE(fwh_cap.n == 1);
		CHECK_EQ(fwh_cap.len[0], (size_t)len);
		CHECK_MEM(fwh_cap.msg[0], buf, (size_t)len);
		/* fbnic_fw_parser_test: top level and nested both match. */
		REQUIRE(fwh_reply(0, FW_HOST_LINUX_7_3, &m, r) == 0);
		CHECK_EQ(m.id, FW_MSG_TEST);
		decode_test(&m, r, &got);
		CHECK_MEM(&got, &t, sizeof(t));
		REQUIRE(tlv_parse_nested(&m, &r[FW_TEST_NESTED], fw_test_index, n,
					 NULL) == 0);
		decode_test(&m, n, &got);
		CHECK_MEM(&got, &t, sizeof(t));
	}
	/* The firmware checks the nested copy before echoing. */
	fwh_clear();
	random_test_vals(&t, 100);
	random_test_vals(&other, 101);
	int len = build_test_msg(buf, &t, &other);
	CHECK_INT(fw_handle(fw, buf, (size_t)len, &v), FW_REJECTED);
	CHECK_INT(fwh_cap.n, 0);
	CHECK_EQ(fw_get_stats(fw)->rejected[FW_REJ_TEST], 1);
	CHECK_INT(v.err, -EINVAL);
	CHECK(v.reason != NULL);
	CHECK_EQ(fw_get_stats(fw)->test_echo, 19);
	done(fw);
}

/* ---- Sensors (hwmon) ----------------------------------------------------------------- */

/* fbnic_fw_parse_tsene_read_resp + fbnic_mac_get_sensor_asic. */
static int drv_tsene(struct fw *fw, int32_t *temp, int32_t *volt)
{
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;

	fwh_clear();
	CHECK_INT(fwh_send_simple(fw, FW_MSG_TSENE_READ_REQ), FW_OK);
	if (next(FW_MSG_TSENE_READ_RESP, &m, r))
		return -ETIMEDOUT;
	int err = (int)tlv_get_sint(&r[FW_TSENE_ERROR], 0);
	if (err)
		return err;
	if (!tlv_present(&r[FW_TSENE_THERM]) || !tlv_present(&r[FW_TSENE_VOLT]))
		return -EINVAL;
	*temp = (int32_t)tlv_get_sint(&r[FW_TSENE_THERM], 0);
	*volt = (int32_t)tlv_get_sint(&r[FW_TSENE_VOLT], 0);
	return 0;
}

static void test_sensors(void)
{
	struct fw *fw = mkfw();
	int32_t t = 0, v = 0;

	REQUIRE(fw);
	CHECK_INT(drv_tsene(fw, &t, &v), 0);
	CHECK_INT(t, 45000);
	CHECK_INT(v, 750);
	fw_set_sensors(fw, -12500, 910);
	CHECK_INT(drv_tsene(fw, &t, &v), 0);
	CHECK_INT(t, -12500);
	CHECK_INT(v, 910);
	fw_set_sensor_error(fw, -EIO);
	CHECK_INT(drv_tsene(fw, &t, &v), -EIO);
	fw_set_sensor_error(fw, 0);
	CHECK_INT(drv_tsene(fw, &t, &v), 0);
	CHECK_EQ(fw_get_stats(fw)->tsene_req, 4);
	done(fw);
}

/* ---- QSFP (ethtool -m) -------------------------------------------------------------- */

/* fbnic_fw_xmit_qsfp_read_msg + fbnic_fw_parse_qsfp_read_resp, with the
 * completion's narrow fields (u8 offset/page/bank, u16 length). */
static int drv_qsfp(struct fw *fw, uint32_t bank, uint32_t page,
		    uint32_t offset, uint32_t length, uint8_t *out)
{
	uint8_t buf[64];
	struct tlv_builder b;
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;

	fwh_clear();
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_QSFP_READ_REQ);
	tlv_put_u32(&b, FW_QSFP_BANK, bank);
	tlv_put_u32(&b, FW_QSFP_PAGE, page);
	tlv_put_u32(&b, FW_QSFP_OFFSET, offset);
	tlv_put_u32(&b, FW_QSFP_LENGTH, length);
	fwh_send(fw, &b, NULL);
	CHECK_INT(fwh_cap.n, 1);
	if (next(FW_MSG_QSFP_READ_RESP, &m, r))
		return -ETIMEDOUT;
	if (tlv_get_uint(&r[FW_QSFP_BANK], 0) != (uint8_t)bank ||
	    tlv_get_uint(&r[FW_QSFP_PAGE], 0) != (uint8_t)page ||
	    tlv_get_uint(&r[FW_QSFP_OFFSET], 0) != (uint8_t)offset ||
	    tlv_get_uint(&r[FW_QSFP_LENGTH], 0) != (uint16_t)length)
		return -EPROTO; /* the driver's -EINVAL for a bad echo */
	int err = (int)tlv_get_sint(&r[FW_QSFP_ERROR], 0);
	if (err)
		return err;
	if (!tlv_present(&r[FW_QSFP_DATA]))
		return -ENODATA;
	/* The driver copies LENGTH bytes without checking: must be there. */
	CHECK(r[FW_QSFP_DATA].len >= length);
	memcpy(out, r[FW_QSFP_DATA].val, length);
	return 0;
}

static unsigned sum8(const uint8_t *p, size_t n)
{
	unsigned s = 0;

	while (n--)
		s += *p++;
	return s & 0xff;
}

static void test_qsfp(void)
{
	struct fw *fw = mkfw();
	uint8_t lo[128], up[128], p3[128], all[256];

	REQUIRE(fw);
	/* ethtool's SFF-8636 reads: lower page, upper page 0, page 3. */
	CHECK_INT(drv_qsfp(fw, 0, 0, 0, 128, lo), 0);
	CHECK_INT(drv_qsfp(fw, 0, 0, 128, 128, up), 0);
	CHECK_INT(drv_qsfp(fw, 0, 3, 128, 128, p3), 0);
	CHECK_EQ(lo[0], 0x11);        /* QSFP28 */
	CHECK_EQ(lo[2] & 0x04, 0);    /* paged: page 3 exists */
	CHECK_EQ(lo[127], 0);         /* page select */
	CHECK_EQ(up[0], 0x11);
	CHECK_MEM(up + 148 - 128, "FBNIC-EMU       ", 16);
	CHECK_MEM(up + 196 - 128, "FBEMU0000000001 ", 16);
	CHECK_EQ(up[191 - 128], sum8(up, 63));          /* CC_BASE */
	CHECK_EQ(up[223 - 128], sum8(up + 64, 31));     /* CC_EXT */
	CHECK_EQ(up[192 - 128], 0x02);                  /* 100GBASE-SR4 */
	CHECK_EQ(up[195 - 128] & 0xc0, 0);              /* no pages 1, 2 */
	CHECK_EQ(p3[0], 0x4b);                          /* temp high alarm */
	/* The whole window in one read; byte 127 shows the page. */
	CHECK_INT(drv_qsfp(fw, 0, 3, 0, 256, all), 0);
	CHECK_EQ(all[127], 3);
	CHECK_MEM(all + 128, p3, 128);
	CHECK_MEM(all, lo, 127);
	CHECK_INT(drv_qsfp(fw, 0, 0, 20, 10, all), 0);
	CHECK_MEM(all, lo + 20, 10);

	/* Refused like a module would, with the fields echoed. */
	CHECK_INT(drv_qsfp(fw, 1, 0, 0, 128, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 1, 128, 128, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 2, 128, 128, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 0, 200, 100, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 0, 255, 2, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 0, 0, 0, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 0, 0, 3584, all), -EINVAL);
	CHECK_INT(drv_qsfp(fw, 0, 0xffffffffu, 0, 128, all), -EPROTO);
	CHECK_EQ(fw_get_stats(fw)->rejected[FW_REJ_VALUE], 8);
	fw_set_qsfp_present(fw, false);
	CHECK_INT(drv_qsfp(fw, 0, 0, 0, 128, all), -ENODEV);
	fw_set_qsfp_present(fw, true);
	CHECK_INT(drv_qsfp(fw, 0, 0, 0, 128, all), 0);

	/* A request missing its length is answered, not left waiting. */
	uint8_t buf[64];
	struct tlv_builder b;
	struct fw_verdict v;
	fwh_clear();
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_QSFP_READ_REQ);
	tlv_put_u32(&b, FW_QSFP_BANK, 0);
	CHECK_INT(fwh_send(fw, &b, &v), FW_ERR_REPLIED);
	CHECK_INT(fwh_cap.n, 1);
	CHECK_INT(v.err, -EINVAL);
	done(fw);
}

/* ---- Core dump ---------------------------------------------------------------------- */

static enum fw_status coredump_info(struct fw *fw, bool create)
{
	uint8_t buf[16];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_COREDUMP_GET_INFO_REQ);
	if (create)
		tlv_put_flag(&b, FW_COREDUMP_REQ_INFO_CREATE);
	return fwh_send(fw, &b, NULL);
}

/* fbnic_fw_xmit_coredump_read_msg: zero offset or length left out. */
static enum fw_status coredump_read(struct fw *fw, uint32_t off, uint32_t len)
{
	uint8_t buf[32];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_COREDUMP_READ_REQ);
	if (off)
		tlv_put_u32(&b, FW_COREDUMP_READ_OFFSET, off);
	if (len)
		tlv_put_u32(&b, FW_COREDUMP_READ_LENGTH, len);
	return fwh_send(fw, &b, NULL);
}

/* fbnic_fw_reporter_dump with fbnic_fw_parse_coredump_info_resp and
 * fbnic_fw_parse_coredump_resp. */
static int drv_coredump(struct fw *fw, bool create, uint8_t *out,
			uint32_t *size_out)
{
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;
	const uint32_t stride = TLV_MAX_DATA;

	fwh_clear();
	coredump_info(fw, create);
	if (next(FW_MSG_COREDUMP_GET_INFO_RESP, &m, r))
		return -ETIMEDOUT;
	int err = (int)tlv_get_sint(&r[FW_COREDUMP_INFO_ERROR], 0);
	if (err)
		return err;
	if (!tlv_present(&r[FW_COREDUMP_INFO_AVAILABLE]))
		return -ENOENT;
	uint32_t size = (uint32_t)tlv_get_uint(&r[FW_COREDUMP_INFO_SIZE], 0);
	if (!size)
		return -EIO;
	uint32_t count = (size + stride - 1) / stride;
	uint32_t last_len = size % stride ? size % stride : stride;
	uint32_t last_off = size - last_len;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t off = i * stride;
		uint32_t len = size - off < stride ? size - off : stride;
		coredump_read(fw, off, len);
		if (next(FW_MSG_COREDUMP_READ_RESP, &m, r))
			return -ETIMEDOUT;
		if (tlv_get_sint(&r[FW_COREDUMP_READ_ERROR], 0) ||
		    !tlv_present(&r[FW_COREDUMP_READ_DATA]))
			return -EIO;
		uint32_t roff = (uint32_t)tlv_get_uint(&r[FW_COREDUMP_READ_OFFSET], 0);
		uint32_t rlen = (uint32_t)tlv_get_uint(&r[FW_COREDUMP_READ_LENGTH], 0);
		if (rlen > r[FW_COREDUMP_READ_DATA].len || roff % stride ||
		    roff > last_off ||
		    rlen != (roff == last_off ? last_len : stride))
			return -EIO;
		memcpy(out + roff, r[FW_COREDUMP_READ_DATA].val, rlen);
	}
	*size_out = size;
	return 0;
}

static void test_coredump(void)
{
	static uint8_t dump[FW_COREDUMP_MAX], again[FW_COREDUMP_MAX];
	struct fw *fw = mkfw();
	uint32_t size = 0, size2 = 0;

	REQUIRE(fw);
	/* Nothing to collect before one is made. */
	CHECK_INT(drv_coredump(fw, false, dump, &size), -ENOENT);

	fwh_clk_ns += 3000000000ull;
	CHECK_INT(drv_coredump(fw, true, dump, &size), 0);
	CHECK_EQ(size, 8192); /* 3584 + 3584 + 1024 */
	CHECK_EQ(fwh_cap.n, 4);
	CHECK_MEM(dump, "FBNICEMU", 8);
	CHECK_EQ(tlv_le32(dump + 8), 1);
	CHECK_EQ(tlv_le32(dump + 12), size);
	CHECK_EQ(tlv_le32(dump + 16), FW_VER(25, 7, 25, 2));
	CHECK_EQ(tlv_le32(dump + 24), 3000); /* uptime at capture */
	CHECK_EQ(tlv_le32(dump + 32), 0);    /* host request */
	CHECK_EQ(tlv_le32(dump + 36), fw_crc32(0, dump + 64, size - 64));
	CHECK(strstr((const char *)dump + 64, "reason=host request") != NULL);

	/* Without CREATE, the existing dump again; same bytes. */
	CHECK_INT(drv_coredump(fw, false, again, &size2), 0);
	CHECK_EQ(size2, size);
	CHECK_MEM(again, dump, size);

	/* Bad reads are answered with ERROR. */
	fwh_clear();
	CHECK_INT(coredump_read(fw, 8000, 1000), FW_ERR_REPLIED);
	CHECK_INT(coredump_read(fw, 0, 4000), FW_ERR_REPLIED);
	CHECK_INT(coredump_read(fw, 16384, 16), FW_ERR_REPLIED);
	CHECK_INT(coredump_read(fw, 100, 0), FW_ERR_REPLIED); /* no length */
	CHECK_INT(fwh_cap.n, 4);
	for (int i = 0; i < 4; i++) {
		struct tlv_attr r[TLV_RESULTS_MAX];
		struct tlv_msg m;
		REQUIRE(next(FW_MSG_COREDUMP_READ_RESP, &m, r) == 0);
		CHECK_INT(tlv_get_sint(&r[FW_COREDUMP_READ_ERROR], 0), -EINVAL);
		CHECK(!tlv_present(&r[FW_COREDUMP_READ_DATA]));
	}
	/* A read of any chunk in range is fine, even unaligned. */
	fwh_clear();
	CHECK_INT(coredump_read(fw, 10, 20), FW_OK);
	done(fw);

	/* A size that is a whole number of strides, and a crash dump. */
	struct fw_config cfg;
	fw_config_default(&cfg);
	cfg.coredump_size = 2 * TLV_MAX_DATA;
	fw = fwh_create(&cfg);
	REQUIRE(fw);
	fwh_clear();
	CHECK_INT(coredump_read(fw, 0, 16), FW_ERR_REPLIED); /* no dump yet */
	fw_reboot(fw, "watchdog timeout");
	CHECK_INT(drv_coredump(fw, false, dump, &size), 0);
	CHECK_EQ(size, 2 * TLV_MAX_DATA);
	CHECK_EQ(tlv_le32(dump + 32), 1);
	CHECK(memcmp(dump + 40, "watchdog timeout", 17) == 0);
	done(fw);
}

/* ---- Flash (devlink dev flash) -------------------------------------------------------- */

static struct fwh_caps caps; /* the FW_CAP_RESPs drv_flash met */

/* fbnic_flash_start + fbnic_flash_component, messages in arrival order;
 * "no message left" stands for the driver's 10 s timeout.  START goes out
 * for any section, so the firmware's own refusal is what is tested. */
static int drv_flash(struct fw *fw, uint32_t section, const uint8_t *data,
		     uint32_t size)
{
	static const struct fwh_flash_opts raw = { .raw_start = true,
						   .unexpected_err = -EPROTO };

	caps.seen = 0;
	return fwh_flash(fw, section, data, size, &raw, &caps);
}

static uint8_t *make_image(size_t len, uint32_t seed)
{
	uint8_t *img = malloc(len);

	for (size_t i = 0; i < len; i++) {
		seed = seed * 1664525u + 1013904223u;
		img[i] = (uint8_t)(seed >> 24);
	}
	return img;
}

static void test_flash_ok(void)
{
	struct fw *fw = mkfw();
	const struct fw_config *c;
	uint8_t *img = make_image(8224, 1);

	REQUIRE(fw && img);
	REQUIRE(fw_image_seal(img, 8224, FW_VER(25, 8, 1, 3), "new-build") == 0);
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 8224), 0);
	CHECK(!fw_flash_busy(fw));
	c = fw_get_config(fw);
	CHECK_EQ(c->stored_version, FW_VER(25, 8, 1, 3));
	CHECK(strcmp(c->stored_commit, "new-build") == 0);
	CHECK_EQ(c->version, FW_VER(25, 7, 25, 2)); /* still running old */
	/* Capabilities re-sent before FINISH, with the new stored version. */
	CHECK_INT(caps.seen, 1);
	CHECK_EQ(caps.stored_version, FW_VER(25, 8, 1, 3));
	/* 8224 bytes in 2048-byte pulls: 5 chunks. */
	CHECK_EQ(fw_get_stats(fw)->flash_chunks, 5);
	CHECK_EQ(fw_get_stats(fw)->flash_ok, 1);

	/* A reboot runs the new image. */
	fw_reboot(fw, NULL);
	CHECK_EQ(c->version, FW_VER(25, 8, 1, 3));
	CHECK(strcmp(c->commit, "new-build") == 0);

	/* Boot loader and option ROM update their own versions. */
	REQUIRE(fw_image_seal(img, 4128, FW_VER(25, 9, 0, 1), "cmrt-2") == 0);
	CHECK_INT(drv_flash(fw, FW_SECTION_CMRT, img, 4128), 0);
	CHECK_EQ(c->stored_cmrt_version, FW_VER(25, 9, 0, 1));
	CHECK(strcmp(c->stored_cmrt_commit, "cmrt-2") == 0);
	REQUIRE(fw_image_seal(img, 2080, FW_VER(1, 2, 3, 4), "rom-7") == 0);
	CHECK_INT(drv_flash(fw, FW_SECTION_OPTION_ROM, img, 2080), 0);
	CHECK_EQ(c->uefi_version, FW_VER(1, 2, 3, 4));

	/* Unsealed images are accepted as opaque, versions unchanged. */
	free(img);
	img = make_image(5000, 2);
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 5000), 0);
	CHECK_EQ(c->stored_version, FW_VER(25, 8, 1, 3));
	/* Tiny image: one pull, then FINISH. */
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 1), 0);
	/* The largest chunk the driver accepts. */
	struct fw_config cfg = *c;
	cfg.flash_chunk = TLV_MAX_DATA;
	done(fw);
	fw = fwh_create(&cfg);
	REQUIRE(fw);
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 5000), 0);
	CHECK_EQ(fw_get_stats(fw)->flash_chunks, 2);
	free(img);
	done(fw);
}

static void test_flash_corrupt(void)
{
	struct fw *fw = mkfw();
	uint8_t *img = make_image(8224, 3);

	REQUIRE(fw && img);
	REQUIRE(fw_image_seal(img, 8224, FW_VER(26, 0, 0, 0), "bad") == 0);
	img[5000] ^= 0x40;
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 8224), -EBADMSG);
	CHECK(!fw_flash_busy(fw));
	CHECK_EQ(fw_get_config(fw)->stored_version, FW_VER(25, 7, 25, 2));
	CHECK_INT(caps.seen, 0);
	CHECK_EQ(fw_get_stats(fw)->flash_fail, 1);
	/* The driver's cancel after our error was taken quietly. */
	CHECK_EQ(fw_get_stats(fw)->rejected[FW_REJ_STATE], 0);

	/* Seal with an unterminated commit. */
	REQUIRE(fw_image_seal(img, 8224, 1, "x") == 0);
	memset(img + 8224 - 24, 'c', 20);
	tlv_put_le32(img + 8224 - 4, fw_crc32(0, img, 8224 - 4));
	CHECK_INT(drv_flash(fw, FW_SECTION_CMRT, img, 8224), -EBADMSG);

	/* Seal required, image unsealed. */
	struct fw_config cfg = *fw_get_config(fw);
	cfg.flash_require_seal = true;
	done(fw);
	fw = fwh_create(&cfg);
	REQUIRE(fw);
	memset(img + 8224 - FW_IMG_SEAL_LEN, 0, FW_IMG_SEAL_LEN);
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 8224), -EBADMSG);
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 10), -EBADMSG);
	REQUIRE(fw_image_seal(img, 8224, FW_VER(26, 0, 0, 0), "good") == 0);
	CHECK_INT(drv_flash(fw, FW_SECTION_CONTROL_FW, img, 8224), 0);
	CHECK_EQ(fw_get_config(fw)->stored_version, FW_VER(26, 0, 0, 0));
	CHECK_INT(fw_image_seal(img, 35, 1, "x"), -EINVAL);
	CHECK_INT(fw_image_seal(img, 100, 1, "0123456789012345678"), -EINVAL);
	free(img);
	done(fw);
}

static void test_flash_errors(void)
{
	struct fw *fw = mkfw();
	uint8_t *img = make_image(10000, 4);
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;
	struct fw_verdict v;

	REQUIRE(fw && img);
	CHECK_INT(drv_flash(fw, 7, img, 100), -EINVAL);
	CHECK_INT(drv_flash(fw, FW_SECTION_CMRT, img, (1u << 20) + 1), -EFBIG);
	CHECK(!fw_flash_busy(fw));

	/* Busy: a second start is refused; the first goes on. */
	fwh_clear();
	CHECK_INT(fwh_start_upgrade(fw, FW_SECTION_CONTROL_FW, 10000), FW_OK);
	CHECK(fw_flash_busy(fw));
	REQUIRE(next(FW_MSG_FW_START_UPGRADE_RESP, &m, r) == 0);
	CHECK(!tlv_present(&r[FW_START_UPGRADE_ERROR]));
	REQUIRE(next(FW_MSG_FW_WRITE_CHUNK_REQ, &m, r) == 0);
	CHECK_EQ(tlv_get_uint(&r[FW_WRITE_CHUNK_OFFSET], 99), 0);
	CHECK_EQ(tlv_get_uint(&r[FW_WRITE_CHUNK_LENGTH], 0), 2048);
	CHECK_INT(fwh_start_upgrade(fw, FW_SECTION_CMRT, 100), FW_ERR_REPLIED);
	REQUIRE(next(FW_MSG_FW_START_UPGRADE_RESP, &m, r) == 0);
	CHECK_INT(tlv_get_sint(&r[FW_START_UPGRADE_ERROR], 0), -EBUSY);
	CHECK(fw_flash_busy(fw));

	/* Host cancel mid-way (e.g. its 10 s timeout). */
	CHECK_INT(fwh_write_chunk(fw, img, 0, 2048, 0), FW_OK);
	REQUIRE(next(FW_MSG_FW_WRITE_CHUNK_REQ, &m, r) == 0);
	CHECK_EQ(tlv_get_uint(&r[FW_WRITE_CHUNK_OFFSET], 0), 2048);
	CHECK_INT(fwh_write_chunk(fw, NULL, 0, 0, -ETIMEDOUT), FW_OK);
	CHECK(!fw_flash_busy(fw));
	CHECK_INT(fwh_cap.cursor, fwh_cap.n); /* no reply to a cancel */

	/* A chunk with no upgrade running: malformed, FW_ERR. */
	CHECK_INT(fwh_write_chunk(fw, img, 0, 2048, 0), FW_REJECTED);
	CHECK_EQ(fw_get_stats(fw)->rejected[FW_REJ_STATE], 2); /* + EBUSY */

	/* A chunk that is not the one asked for ends the update. */
	fwh_clear();
	fwh_start_upgrade(fw, FW_SECTION_CONTROL_FW, 10000);
	CHECK_INT(fwh_write_chunk(fw, img, 2048, 2048, 0), FW_ERR_REPLIED);
	CHECK(!fw_flash_busy(fw));
	fwh_cap.cursor = fwh_cap.n - 1;
	REQUIRE(next(FW_MSG_FW_FINISH_UPGRADE_REQ, &m, r) == 0);
	CHECK_INT(tlv_get_sint(&r[FW_FINISH_UPGRADE_ERROR], 0), -EINVAL);
	/* Short data for the length it claims. */
	fwh_clear();
	fwh_start_upgrade(fw, FW_SECTION_CONTROL_FW, 10000);
	{
		uint8_t buf[TLV_PAGE_SIZE];
		struct tlv_builder b;
		tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_WRITE_CHUNK_RESP);
		tlv_put_u32(&b, FW_WRITE_CHUNK_OFFSET, 0);
		tlv_put_u32(&b, FW_WRITE_CHUNK_LENGTH, 2048);
		tlv_put_value(&b, FW_WRITE_CHUNK_DATA, img, 2000);
		CHECK_INT(fwh_send(fw, &b, &v), FW_ERR_REPLIED);
		CHECK_INT(v.err, -EINVAL);
	}
	CHECK(!fw_flash_busy(fw));

	/* A new host session (HOST_CAP_REQ) abandons an update. */
	fwh_start_upgrade(fw, FW_SECTION_CONTROL_FW, 10000);
	CHECK(fw_flash_busy(fw));
	fwh_send_simple(fw, FW_MSG_HOST_CAP_REQ);
	CHECK(!fw_flash_busy(fw));
	/* And so does a device reset. */
	fwh_start_upgrade(fw, FW_SECTION_CONTROL_FW, 10000);
	fw_reset(fw);
	CHECK(!fw_flash_busy(fw));
	/* Start without its attributes. */
	fwh_clear();
	fwh_send_simple(fw, FW_MSG_FW_START_UPGRADE_REQ);
	REQUIRE(next(FW_MSG_FW_START_UPGRADE_RESP, &m, r) == 0);
	CHECK_INT(tlv_get_sint(&r[FW_START_UPGRADE_ERROR], 0), -EINVAL);
	free(img);
	done(fw);
}

/* ---- Firmware log ----------------------------------------------------------------------- */

static enum fw_status send_logs(struct fw *fw, bool enable, bool history,
				uint32_t version)
{
	uint8_t buf[32];
	struct tlv_builder b;

	/* fbnic_fw_xmit_send_logs. */
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_LOG_SEND_LOGS_REQ);
	if (enable) {
		tlv_put_flag(&b, FW_SEND_LOGS);
		tlv_put_u32(&b, FW_SEND_LOGS_VERSION, version);
		if (history)
			tlv_put_flag(&b, FW_SEND_LOGS_HISTORY);
	}
	return fwh_send(fw, &b, NULL);
}

struct drv_log {
	int n;
	uint64_t index[512];
	uint32_t msec[512];
	char msg[512][FW_LOG_MSG_MAX];
};

static int drv_log_one(struct drv_log *L, const struct tlv_attr *ms,
		       const struct tlv_attr *ix, const struct tlv_attr *lg)
{
	if (!ms->val || !ix->val || !lg->val)
		return -EINVAL;
	if (L->n >= 512)
		return -ENOSPC;
	L->index[L->n] = (uint64_t)tlv_get_sint(ix, 0);
	L->msec[L->n] = (uint32_t)tlv_get_sint(ms, 0);
	int len = tlv_get_string(lg, L->msg[L->n], FW_LOG_MSG_MAX);
	if (len < 0)
		return len;
	L->n++;
	return 0;
}

/* fbnic_fw_parse_log_req + fbnic_fw_process_log_array + parse_logs. */
static int drv_log_parse(int i, struct drv_log *L)
{
	const struct tlv_index *idx = host_idx(FW_HOST_LINUX_7_3,
					       FW_MSG_LOG_MSG_REQ);
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_attr ms[FW_LOG_MAX_PER_MSG], ix[FW_LOG_MAX_PER_MSG],
		lg[FW_LOG_MAX_PER_MSG];
	struct tlv_msg m;
	int err = fwh_reply(i, FW_HOST_LINUX_7_3, &m, r);

	if (err)
		return err;
	if (m.id != FW_MSG_LOG_MSG_REQ)
		return -EPROTO;
	uint16_t length = (uint16_t)tlv_get_uint(&r[FW_LOG_LENGTH], 0);
	if (length >= FW_LOG_MAX_PER_MSG)
		return -E2BIG;
	static const unsigned arr[3] = { FW_LOG_MSEC_ARRAY, FW_LOG_INDEX_ARRAY,
					 FW_LOG_MSG_ARRAY };
	static const unsigned att[3] = { FW_LOG_MSEC, FW_LOG_INDEX, FW_LOG_MSG };
	struct tlv_attr *out[3] = { ms, ix, lg };
	for (int k = 0; k < 3; k++) {
		if (!r[att[k]].val)
			return -EINVAL;
		out[k][0] = r[att[k]];
		if (!length)
			continue;
		if (!r[arr[k]].val)
			return -EINVAL;
		err = tlv_parse_array(&m, &r[arr[k]], idx, (uint16_t)att[k],
				      &out[k][1], length, NULL);
		if (err)
			return err;
	}
	for (int k = 0; k <= length; k++) {
		err = drv_log_one(L, &ms[k], &ix[k], &lg[k]);
		if (err)
			return err;
	}
	return 0;
}

static void test_fw_log(void)
{
	struct fw *fw = mkfw();
	static struct drv_log L;

	REQUIRE(fw);
	/* The boot line is cached; nothing is sent unasked. */
	fw_log(fw, "before enable %d", 1);
	/* Caches "host driver attached". */
	fwh_send_simple(fw, FW_MSG_HOST_CAP_REQ);
	CHECK_INT(fwh_cap.n, 1); /* only FW_CAP_RESP */
	CHECK(!fw_log_streaming(fw));

	/* Enable with history (what 7.3 probe sends to 25.5.7+). */
	fwh_clear();
	fwh_clk_ns += 1234000000ull;
	CHECK_INT(send_logs(fw, true, true, FW_LOG_VERSION), FW_OK);
	CHECK(fw_log_streaming(fw));
	REQUIRE(fwh_cap.n == 1);
	L.n = 0;
	CHECK_INT(drv_log_parse(0, &L), 0);
	REQUIRE(L.n == 3);
	CHECK(strstr(L.msg[0], "booted") != NULL);
	CHECK(strcmp(L.msg[1], "before enable 1") == 0);
	CHECK(strcmp(L.msg[2], "host driver attached") == 0);
	CHECK_EQ(L.index[0], 1);
	CHECK_EQ(L.index[2], 3);

	/* Live lines, one message each, with the uptime. */
	fwh_clear();
	fw_log(fw, "live %s", "line");
	REQUIRE(fwh_cap.n == 1);
	L.n = 0;
	CHECK_INT(drv_log_parse(0, &L), 0);
	CHECK_INT(L.n, 1);
	CHECK(strcmp(L.msg[0], "live line") == 0);
	CHECK_EQ(L.msec[0], 1234);
	CHECK_EQ(L.index[0], 4);
	/* Ownership changes are logged. */
	fwh_clear();
	ownership(fw, true);
	CHECK_INT(fwh_cap.n, 2);
	CHECK_EQ(tlv_le16(fwh_cap.msg[1]) & TLV_TYPE_MASK, FW_MSG_LOG_MSG_REQ);

	/* Long lines are cut to 255 characters; control chars masked. */
	char longl[400];
	memset(longl, 'L', sizeof(longl));
	longl[399] = 0;
	longl[3] = '\n';
	fwh_clear();
	fw_log(fw, "%s", longl);
	L.n = 0;
	CHECK_INT(drv_log_parse(0, &L), 0);
	CHECK_EQ(strlen(L.msg[0]), 255);
	CHECK_EQ(L.msg[0][3], '?');

	/* Disable: nothing goes out any more. */
	fwh_clear();
	CHECK_INT(send_logs(fw, false, false, 0), FW_OK);
	CHECK(!fw_log_streaming(fw));
	fw_log(fw, "quiet");
	CHECK_INT(fwh_cap.n, 0);

	/* Unknown log format: refused, stream stays off. */
	CHECK_INT(send_logs(fw, true, false, 2), FW_REJECTED);
	CHECK(!fw_log_streaming(fw));
	/* Enable without history: nothing until the next line. */
	CHECK_INT(send_logs(fw, true, false, FW_LOG_VERSION), FW_OK);
	CHECK_INT(fwh_cap.n, 0);
	done(fw);
}

static void test_fw_log_history_batches(void)
{
	struct fw *fw = mkfw();
	static struct drv_log L;
	char line[300];

	REQUIRE(fw);
	/* Fill the ring with maximum-length lines: 56 cached (the boot line
	 * and the first 44 fall out). */
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "%03d", i);
		memset(line + 3, 'a' + i % 26, 252);
		line[255] = 0;
		fw_log(fw, "%s", line);
	}
	fwh_clear();
	send_logs(fw, true, true, FW_LOG_VERSION);
	/* 56 entries: 4 x 14, within FW_MAX_REPLIES. */
	REQUIRE(fwh_cap.n == FW_MAX_REPLIES);
	L.n = 0;
	for (int i = 0; i < fwh_cap.n; i++) {
		CHECK(fwh_cap.len[i] <= TLV_PAGE_SIZE);
		CHECK_INT(drv_log_parse(i, &L), 0);
	}
	REQUIRE(L.n == FW_LOG_RING);
	for (int i = 0; i < FW_LOG_RING; i++) {
		CHECK_EQ(strlen(L.msg[i]), 255);
		CHECK_EQ(L.index[i], 46u + (unsigned)i); /* oldest first */
		if (i)
			CHECK(L.index[i] > L.index[i - 1]);
	}
	CHECK(strncmp(L.msg[0], "044", 3) == 0);
	CHECK(strncmp(L.msg[FW_LOG_RING - 1], "099", 3) == 0);
	CHECK_EQ(fw_get_stats(fw)->log_entries, FW_LOG_RING);
	done(fw);
}

/* ---- Unknown, malformed, and the rest ------------------------------------------------- */

static void test_unknown_and_malformed(void)
{
	struct fw *fw = mkfw();
	uint8_t buf[TLV_PAGE_SIZE + 16];
	struct tlv_builder b;
	struct fw_verdict v;
	const struct fw_stats *st;

	REQUIRE(fw);
	st = fw_get_stats(fw);
	/* Ids this firmware does not implement, including replies. */
	tlv_msg_init(&b, buf, 64, 0x7a);
	CHECK_INT(fwh_send(fw, &b, &v), FW_UNKNOWN);
	CHECK_EQ(v.msg_id, 0x7a);
	CHECK_INT(v.err, -ENOENT);
	CHECK(v.reason != NULL);
	CHECK_INT(fwh_send_simple(fw, FW_MSG_FW_CAP_RESP), FW_UNKNOWN);
	CHECK_INT(fwh_send_simple(fw, FW_MSG_FW_FINISH_UPGRADE_RESP),
		  FW_UNKNOWN);
	CHECK_INT(fwh_send_simple(fw, FW_MSG_LOG_MSG_RESP), FW_UNKNOWN);
	CHECK_EQ(st->rx_unknown, 4);
	CHECK_INT(fwh_cap.n, 0);

	/* Descriptor length. */
	memset(buf, 0, sizeof(buf));
	CHECK_INT(fw_handle(fw, buf, 3, &v), FW_REJECTED);
	CHECK_INT(fw_handle(fw, buf, 0, &v), FW_REJECTED);
	CHECK_INT(fw_handle(fw, buf, TLV_PAGE_SIZE + 1, &v), FW_REJECTED);
	CHECK_INT(v.err, -EMSGSIZE);
	CHECK_EQ(st->rejected[FW_REJ_LENGTH], 3);

	/* Codec rejections, with the driver's errnos. */
	tlv_msg_init(&b, buf, 64, FW_MSG_OWNERSHIP_REQ);
	tlv_put_flag(&b, 40); /* id >= 32 */
	CHECK_INT(fwh_send(fw, &b, &v), FW_REJECTED);
	CHECK_INT(v.err, -EINVAL);
	CHECK_EQ(v.msg_id, FW_MSG_OWNERSHIP_REQ);
	tlv_msg_init(&b, buf, 64, FW_MSG_OWNERSHIP_REQ);
	tlv_put_flag(&b, 5 | TLV_F_CANNOT_IGNORE);
	CHECK_INT(fwh_send(fw, &b, &v), FW_REJECTED);
	CHECK_INT(v.err, -ENOENT);
	tlv_msg_init(&b, buf, 64, FW_MSG_OWNERSHIP_REQ);
	tlv_put_u32(&b, FW_OWNERSHIP_FLAG, 1); /* flag with payload */
	CHECK_INT(fwh_send(fw, &b, &v), FW_REJECTED);
	tlv_msg_init(&b, buf, 64, FW_MSG_QSFP_READ_REQ);
	tlv_put_u64(&b, FW_QSFP_PAGE, 1); /* u32 sent as 8 bytes */
	CHECK_INT(fwh_send(fw, &b, &v), FW_REJECTED);
	tlv_msg_init(&b, buf, 64, FW_MSG_HEARTBEAT_REQ);
	tlv_put_flag(&b, 1);
	tlv_put_flag(&b, 1); /* unknown ids are skipped, even twice */
	CHECK_INT(fwh_send(fw, &b, &v), FW_OK);
	tlv_put_le16(buf, FW_MSG_HEARTBEAT_REQ); /* no is_msg bit */
	tlv_put_le16(buf + 2, 1);
	CHECK_INT(fw_handle(fw, buf, 4, &v), FW_REJECTED);
	CHECK_INT(v.err, -EINVAL);
	tlv_put_le16(buf, FW_MSG_HEARTBEAT_REQ | TLV_F_IS_MSG);
	tlv_put_le16(buf + 2, 3); /* longer than the descriptor */
	CHECK_INT(fw_handle(fw, buf, 8, &v), FW_REJECTED);
	CHECK_INT(v.err, -EMSGSIZE);
	tlv_put_le16(buf + 2, 0);
	CHECK_INT(fw_handle(fw, buf, 4, &v), FW_REJECTED);
	CHECK_INT(v.err, -EINVAL);
	CHECK_EQ(st->rejected[FW_REJ_PARSE], 7);
	CHECK_EQ(st->last_reject.err, -EINVAL);
	CHECK(st->last_reject.reason != NULL);
	/* The descriptor may be longer than the message. */
	tlv_put_le16(buf + 2, 1);
	CHECK_INT(fw_handle(fw, buf, 4096, &v), FW_OK);
	CHECK_INT(fwh_cap.n, 2); /* two heartbeat replies */

	/* send() refusing is counted, not fatal. */
	fwh_cap.fail_send = 1;
	CHECK_INT(fwh_send_simple(fw, FW_MSG_HEARTBEAT_REQ), FW_OK);
	CHECK_EQ(st->tx_dropped, 1);
	fwh_cap.fail_send = 0;
	CHECK_EQ(st->rx_rejected, st->rejected[FW_REJ_LENGTH] +
				       st->rejected[FW_REJ_PARSE]);
	/* Per-reason counts add up to the total. */
	uint64_t sum = 0;
	for (int i = 0; i < FW_REASONS_MAX && st->by_reason[i].reason; i++) {
		CHECK(st->by_reason[i].count > 0);
		sum += st->by_reason[i].count;
	}
	CHECK_EQ(sum, st->rx_rejected);
	CHECK_EQ(st->by_reason[0].count, 2); /* "descriptor shorter..." */
	CHECK(strstr(st->by_reason[0].reason, "shorter") != NULL);
	done(fw);
}

static void test_mac_sync(void)
{
	struct fw *fw = mkfw();
	uint8_t buf[256], mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	struct tlv_builder b;
	struct fw_verdict v;

	REQUIRE(fw);
	/* fbnic_fw_xmit_rpc_macda_sync: arrays first, flags last. */
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_RPC_MAC_SYNC_REQ);
	tlv_nest_start(&b, FW_RPC_MAC_SYNC_UC_ARRAY);
	tlv_put_mac(&b, FW_RPC_MAC_SYNC_MAC_ADDR, mac);
	mac[5] = 2;
	tlv_put_mac(&b, FW_RPC_MAC_SYNC_MAC_ADDR, mac);
	tlv_nest_end(&b);
	tlv_nest_start(&b, FW_RPC_MAC_SYNC_MC_ARRAY);
	tlv_nest_end(&b); /* empty: left out */
	tlv_put_u32(&b, FW_RPC_MAC_SYNC_RX_FLAGS, 4);
	CHECK_INT(fwh_send(fw, &b, &v), FW_OK);
	CHECK_INT(fwh_cap.n, 0);
	CHECK_EQ(fw_get_stats(fw)->mac_sync, 1);

	/* Nine unicast addresses: more than the array holds. */
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_RPC_MAC_SYNC_REQ);
	tlv_nest_start(&b, FW_RPC_MAC_SYNC_UC_ARRAY);
	for (int i = 0; i < 9; i++)
		tlv_put_mac(&b, FW_RPC_MAC_SYNC_MAC_ADDR, mac);
	tlv_nest_end(&b);
	CHECK_INT(fwh_send(fw, &b, &v), FW_REJECTED);
	CHECK_INT(v.err, -ENOSPC);
	done(fw);
}

static void test_reset(void)
{
	struct fw *fw = mkfw();

	REQUIRE(fw);
	fwh_clk_ns += 7000000000ull;
	ownership(fw, true);
	send_logs(fw, true, false, FW_LOG_VERSION);
	fwh_start_upgrade(fw, FW_SECTION_CONTROL_FW, 4096);
	CHECK(fw_host_owned(fw) && fw_log_streaming(fw) && fw_flash_busy(fw));
	fw_reset(fw);
	CHECK(!fw_host_owned(fw));
	CHECK(!fw_log_streaming(fw));
	CHECK(!fw_flash_busy(fw));
	/* The firmware kept running. */
	CHECK_EQ(fw_uptime_ms(fw), 7000);
	done(fw);
}

/* The 6.12 driver's whole conversation: probe, ifup, heartbeats, ifdown.
 * Everything it receives must be in its three-message table. */
static void test_linux_612_flow(void)
{
	struct fw *fw = mkfw();
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;

	REQUIRE(fw);
	fwh_send_simple(fw, FW_MSG_HOST_CAP_REQ);
	fwh_clk_ns += 500000000ull;
	ownership(fw, true);
	for (int i = 0; i < 3; i++) {
		fwh_clk_ns += 10000000000ull;
		fwh_send_simple(fw, FW_MSG_HEARTBEAT_REQ);
		fw_log(fw, "something happened %d", i); /* never sent */
	}
	ownership(fw, false);
	CHECK_INT(fwh_cap.n, 6);
	for (int i = 0; i < fwh_cap.n; i++)
		CHECK_INT(fwh_reply(i, FW_HOST_LINUX_6_12, &m, r), 0);
	/* 6.12's minimum is the build field (0x000a0006). */
	CHECK_INT(fwh_reply(0, FW_HOST_LINUX_6_12, &m, r), 0);
	CHECK(tlv_get_uint(&r[FW_CAP_RESP_VERSION], 0) >= FW_MIN_VER_612);
	done(fw);
}

/* ---- Fuzz ------------------------------------------------------------------------------ */

static uint32_t rs = 0xc0ffee;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

static void test_fuzz(void)
{
	static const uint16_t ids[] = {
		FW_MSG_TEST, FW_MSG_HOST_CAP_REQ, FW_MSG_OWNERSHIP_REQ,
		FW_MSG_HEARTBEAT_REQ, FW_MSG_COREDUMP_GET_INFO_REQ,
		FW_MSG_COREDUMP_READ_REQ, FW_MSG_FW_START_UPGRADE_REQ,
		FW_MSG_FW_WRITE_CHUNK_RESP, FW_MSG_QSFP_READ_REQ,
		FW_MSG_TSENE_READ_REQ, FW_MSG_LOG_SEND_LOGS_REQ,
		FW_MSG_RPC_MAC_SYNC_REQ, 0x55,
	};
	struct fw *fw = mkfw();
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;

	REQUIRE(fw);
	for (int iter = 0; iter < 30000; iter++) {
		size_t len = 4 + rnd() % 96;
		if (iter % 100 == 0)
			len = rnd() % (TLV_PAGE_SIZE + 4);
		uint8_t *buf = malloc(len ? len : 1);
		REQUIRE(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		if (len >= 4 && rnd() % 8) {
			uint16_t id = ids[rnd() % (sizeof(ids) / sizeof(ids[0]))];
			tlv_put_le16(buf, id | TLV_F_IS_MSG);
			tlv_put_le16(buf + 2, (uint16_t)(len / 4));
			/* Plausible attribute headers with small ids. */
			for (size_t off = 4; off + 8 <= len; off += 4 * (1 + rnd() % 3)) {
				if (rnd() % 3 == 0)
					continue;
				uint16_t al = (uint16_t)(rnd() % 3 ? 8 : rnd() % 16);
				tlv_put_le16(buf + off, (uint16_t)(rnd() % 8));
				tlv_put_le16(buf + off + 2, al);
				if (al == 8)
					tlv_put_le32(buf + off + 4, rnd() % 300);
			}
		}
		fwh_clear();
		fwh_clk_ns += rnd() % 100000000u;
		enum fw_status st = fw_handle(fw, buf, len, NULL);
		CHECK(st <= FW_REJECTED);
		CHECK(fwh_cap.n <= FW_MAX_REPLIES);
		for (int i = 0; i < fwh_cap.n; i++) {
			CHECK(fwh_cap.len[i] <= TLV_PAGE_SIZE);
			CHECK_INT(fwh_reply(i, FW_HOST_LINUX_7_3, &m, r), 0);
		}
		free(buf);
		if (iter % 5000 == 0)
			fw_reset(fw);
	}
	done(fw);
}

TEST_MAIN("fw",
	  TEST_CASE(test_caps),
	  TEST_CASE(test_link_config),
	  TEST_CASE(test_config_check),
	  TEST_CASE(test_ownership),
	  TEST_CASE(test_heartbeat),
	  TEST_CASE(test_selftest_echo),
	  TEST_CASE(test_sensors),
	  TEST_CASE(test_qsfp),
	  TEST_CASE(test_coredump),
	  TEST_CASE(test_flash_ok),
	  TEST_CASE(test_flash_corrupt),
	  TEST_CASE(test_flash_errors),
	  TEST_CASE(test_fw_log),
	  TEST_CASE(test_fw_log_history_batches),
	  TEST_CASE(test_unknown_and_malformed),
	  TEST_CASE(test_mac_sync),
	  TEST_CASE(test_reset),
	  TEST_CASE(test_linux_612_flow),
	  TEST_CASE(test_fuzz))
