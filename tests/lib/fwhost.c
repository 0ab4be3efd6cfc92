/* SPDX-License-Identifier: Apache-2.0 */
#include "fwhost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "util/log.h"

struct fwh_capture fwh_cap;
uint64_t fwh_clk_ns;

/* ---- Capture and clock --------------------------------------------------- */

static int cap_send(void *opaque, const void *msg, size_t len)
{
	(void)opaque;
	if (fwh_cap.fail_send)
		return -ENOSPC;
	if (fwh_cap.n >= FWH_CAP_MAX || len > TLV_PAGE_SIZE) {
		test_fail(__FILE__, __LINE__, "capture overflow (%zu bytes)", len);
		return -ENOSPC;
	}
	memcpy(fwh_cap.msg[fwh_cap.n], msg, len);
	fwh_cap.len[fwh_cap.n++] = len;
	return 0;
}

static uint64_t cap_now(void *opaque)
{
	(void)opaque;
	return fwh_clk_ns;
}

void fwh_clear(void)
{
	fwh_cap.n = 0;
	fwh_cap.cursor = 0;
	fwh_cap.fail_send = 0;
}

struct fw *fwh_create(const struct fw_config *cfg)
{
	static const struct fw_ops ops = { NULL, cap_send, cap_now };

	if (!getenv("TEST_VERBOSE"))
		log_threshold = LOG_ERR;
	fwh_clk_ns = 1000000000ull; /* boot at t = 1 s */
	struct fw *fw = fw_create(cfg, &ops);
	fwh_clear(); /* the boot banner is only cached, never sent */
	return fw;
}

/* ---- Requests and replies ------------------------------------------------ */

/* With FBNIC_FUZZ_SEEDS, every request a test sends is also an input of
 * tests/fuzz/fuzz_fw.c, a file of its own (one record: clock step 0,
 * length, bytes). */
static void seed_write(const uint8_t *msg, size_t len)
{
	static unsigned n;
	if (len > 0xffff)
		return;
	uint8_t rec[3] = { 0, (uint8_t)len, (uint8_t)(len >> 8) };
	test_seed_append(rec, sizeof(rec), msg, len, "fw-%d-%u", (int)getpid(),
			 n++);
}

enum fw_status fwh_send(struct fw *fw, struct tlv_builder *b,
			struct fw_verdict *v)
{
	int len = tlv_msg_finish(b);

	if (len < 0) {
		test_fail(__FILE__, __LINE__, "request build failed %d", len);
		return FW_REJECTED;
	}
	seed_write(b->buf, (size_t)len);
	int before = fwh_cap.n;
	enum fw_status st = fw_handle(fw, b->buf, (size_t)len, v);
	CHECK(fwh_cap.n - before <= FW_MAX_REPLIES);
	return st;
}

enum fw_status fwh_send_simple(struct fw *fw, uint16_t id)
{
	uint8_t buf[4];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), id);
	return fwh_send(fw, &b, NULL);
}

int fwh_reply(int i, enum fw_host_kernel k, struct tlv_msg *m,
	      struct tlv_attr *res)
{
	const char *why = NULL;

	if (i >= fwh_cap.n)
		return -ENODATA;
	int err = tlv_msg_parse(m, fwh_cap.msg[i], fwh_cap.len[i],
				fw_host_parsers(k), NULL, res, &why);
	if (err)
		fprintf(stderr, "  reply %d: %s\n", i, why);
	return err;
}

int fwh_next(struct tlv_msg *m, struct tlv_attr *res)
{
	if (fwh_cap.cursor >= fwh_cap.n)
		return -ENODATA;
	int i = fwh_cap.cursor++;
	int err = fwh_reply(i, FW_HOST_LINUX_7_3, m, res);
	if (err)
		test_fail(__FILE__, __LINE__, "driver refuses message %d "
			  "(0x%x): %d", i, m->id, err);
	return err;
}

/* ---- Flash (devlink dev flash) ------------------------------------------- */

void fwh_take_caps(struct fwh_caps *caps, const struct tlv_attr *res)
{
	caps->seen++;
	caps->anti_rollback = (uint32_t)tlv_get_uint(
		&res[FW_CAP_RESP_ANTI_ROLLBACK_VERSION], 0);
	caps->stored_version =
		(uint32_t)tlv_get_uint(&res[FW_CAP_RESP_STORED_VERSION], 0);
}

enum fw_status fwh_start_upgrade(struct fw *fw, uint32_t section,
				 uint32_t len)
{
	uint8_t buf[32];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_START_UPGRADE_REQ);
	tlv_put_u32(&b, FW_START_UPGRADE_SECTION, section);
	tlv_put_u32(&b, FW_START_UPGRADE_IMAGE_LENGTH, len);
	return fwh_send(fw, &b, NULL);
}

enum fw_status fwh_write_chunk(struct fw *fw, const uint8_t *data,
			       uint32_t off, uint16_t len, int cancel)
{
	static uint8_t buf[TLV_PAGE_SIZE];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_WRITE_CHUNK_RESP);
	if (cancel)
		tlv_put_s32(&b, FW_WRITE_CHUNK_ERROR, cancel);
	if (data) {
		tlv_put_u32(&b, FW_WRITE_CHUNK_OFFSET, off);
		tlv_put_u32(&b, FW_WRITE_CHUNK_LENGTH, len);
		tlv_put_value(&b, FW_WRITE_CHUNK_DATA, data + off, len);
	}
	return fwh_send(fw, &b, NULL);
}

/* fbnic_flash_component's fbnic_fw_xmit_fw_write_chunk calls: the last
 * chunk may be answered with a failed FINISH, a cancel after the firmware
 * gave up is taken quietly. */
static void flash_xmit(struct fw *fw, const uint8_t *data, uint32_t off,
		       uint16_t len, int cancel)
{
	enum fw_status st = fwh_write_chunk(fw, data, off, len, cancel);

	CHECK(st == FW_OK || st == FW_ERR_REPLIED);
}

int fwh_flash(struct fw *fw, uint32_t section, const uint8_t *data,
	      uint32_t size, const struct fwh_flash_opts *opt,
	      struct fwh_caps *caps)
{
	static const struct fwh_flash_opts driver = { false, 0 };
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;
	uint32_t offset = 0, length = 0, c_off = 0, c_len = 0;
	int err = 0, result = 0;

	if (!opt)
		opt = &driver;
	if (!opt->raw_start) {
		switch (section) {
		case FW_SECTION_CMRT:       /* QSPI_SECTION_CMRT, "boot1" */
		case FW_SECTION_CONTROL_FW: /* QSPI_SECTION_CONTROL_FW, "boot2" */
		case FW_SECTION_OPTION_ROM: /* QSPI_SECTION_OPTION_ROM */
			break;
		default:
			return -EINVAL; /* "Unknown component ID %u!", no message */
		}
	}
	fwh_clear();
	/* fbnic_fw_xmit_fw_start_upgrade */
	if (!opt->raw_start && !size)
		return -EINVAL;
	fwh_start_upgrade(fw, section, size);
	/* fbnic_flash_start: fbnic_fw_parse_fw_start_upgrade_resp completes
	 * the START cmpl. */
	for (;;) {
		if (fwh_next(&m, r))
			return -ETIMEDOUT; /* err_no_msg: no cancel sent */
		if (m.id == FW_MSG_FW_START_UPGRADE_RESP)
			break;
		if (m.id == FW_MSG_FW_CAP_RESP)
			fwh_take_caps(caps, r);
		else
			test_fail(__FILE__, __LINE__, "0x%x before START_RESP",
				  m.id);
	}
	err = (int)tlv_get_sint(&r[FW_START_UPGRADE_ERROR], 0);
	if (err)
		return err; /* err_no_msg */

	while (offset < size) {
		for (;;) {
			if (fwh_next(&m, r)) {
				err = -ETIMEDOUT;
				goto out;
			}
			if (m.id == FW_MSG_FW_CAP_RESP) {
				fwh_take_caps(caps, r);
				continue;
			}
			break;
		}
		if (m.id == FW_MSG_FW_WRITE_CHUNK_REQ) {
			/* fbnic_fw_parse_fw_write_chunk_req */
			c_off = (uint32_t)tlv_get_uint(&r[FW_WRITE_CHUNK_OFFSET], 0);
			c_len = (uint32_t)tlv_get_uint(&r[FW_WRITE_CHUNK_LENGTH], 0);
		} else if (m.id == FW_MSG_FW_FINISH_UPGRADE_REQ) {
			/* fbnic_fw_parse_fw_finish_upgrade_req */
			c_off += c_len;
			c_len = 0;
			result = (int)tlv_get_sint(&r[FW_FINISH_UPGRADE_ERROR], 0);
		} else {
			test_fail(__FILE__, __LINE__, "unexpected 0x%x", m.id);
			err = opt->unexpected_err ? opt->unexpected_err
						  : -ETIMEDOUT;
			goto out;
		}
		err = result;
		if (err)
			break;
		/* Verify firmware is requesting the next chunk in the seq. */
		if (c_off != offset + length) {
			err = -EFAULT;
			break;
		}
		offset = c_off;
		length = c_len;
		if (length > TLV_MAX_DATA || offset + length > size) {
			err = -EFAULT;
			break;
		}
		/* FINISH sets length to 0. */
		if (!length)
			continue;
		flash_xmit(fw, data, offset, (uint16_t)length, 0);
	}
out:
	if (err)
		flash_xmit(fw, NULL, 0, 0, err);
	return err;
}
