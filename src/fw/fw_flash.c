/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fbnic management firmware model (fw.h): flash updates (devlink dev
 * flash, PLDM components).
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

/* Largest image per section; a START_UPGRADE beyond it gets -EFBIG. */
const uint32_t fw_section_cap[FW_SECTION_COUNT] = {
	[FW_SECTION_CMRT] = 1u << 20,
	[FW_SECTION_CONTROL_FW] = 4u << 20,
	[FW_SECTION_UCODE] = 1u << 20,
	[FW_SECTION_OPTION_ROM] = 1u << 20,
	[FW_SECTION_USER] = 1u << 20,
};

const char *const fw_section_name[FW_SECTION_COUNT] = {
	[FW_SECTION_CMRT] = "cmrt",
	[FW_SECTION_CONTROL_FW] = "control-fw",
	[FW_SECTION_UCODE] = "ucode",
	[FW_SECTION_OPTION_ROM] = "option-rom",
	[FW_SECTION_USER] = "user",
};

/* ---- Flash ------------------------------------------------------------------ */

/* Seal layout: magic at len-36, version at len-28, commit at len-24 (20
 * bytes), crc at len-4. */
int fw_image_seal(uint8_t *img, size_t len, uint32_t version,
		  const char *commit)
{
	if (len < FW_IMG_SEAL_LEN || !commit || !fw_commit_ok(commit))
		return -EINVAL;
	uint8_t *s = img + len - FW_IMG_SEAL_LEN;
	memcpy(s, FW_IMG_MAGIC, 8);
	tlv_put_le32(s + 8, version);
	memset(s + 12, 0, 20);
	memcpy(s + 12, commit, strlen(commit));
	tlv_put_le32(s + 32, fw_crc32(0, img, len - 4));
	return 0;
}

void fw_flash_abort(struct fw *fw)
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

static void flash_request_chunk(struct fw *fw)
{
	uint8_t buf[64];
	struct tlv_builder b;
	uint32_t left = fw->flash.size - fw->flash.next_off;

	fw->flash.req_len = left < fw->cfg.flash_chunk ? left : fw->cfg.flash_chunk;
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_WRITE_CHUNK_REQ);
	tlv_put_u32(&b, FW_WRITE_CHUNK_OFFSET, fw->flash.next_off);
	tlv_put_u32(&b, FW_WRITE_CHUNK_LENGTH, fw->flash.req_len);
	fw_emit(fw, &b);
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
	fw_emit(fw, &b);
}

static void start_upgrade_resp(struct fw *fw, int err)
{
	uint8_t buf[64];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_FW_START_UPGRADE_RESP);
	if (err)
		tlv_put_s32(&b, FW_START_UPGRADE_ERROR, err);
	fw_emit(fw, &b);
}

/* devlink dev flash -> fbnic_flash_component: the host sends START and
 * waits for START_RESP; the firmware then pulls the component with
 * WRITE_CHUNK_REQs (strictly sequential from offset 0, <= 3584 bytes each)
 * and closes with FINISH. */
enum fw_status fw_h_start_upgrade_req(struct fw *fw, struct req *r)
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
	} else if (size > fw_section_cap[section]) {
		err = -EFBIG;
		why = "image larger than its flash section";
	} else if (!(fw->flash.img = malloc(size))) {
		err = -ENOMEM;
		cat = FW_REJ_STATE;
		why = "no memory to stage the image";
	}
	if (err) {
		start_upgrade_resp(fw, err);
		return fw_refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
	}
	fw->flash.busy = true;
	fw->flash.section = (uint8_t)section;
	fw->flash.size = (uint32_t)size;
	fw->flash.next_off = 0;
	fw_log(fw, "flash: updating %s, %u bytes", fw_section_name[section],
	       fw->flash.size);
	start_upgrade_resp(fw, 0);
	flash_request_chunk(fw);
	return FW_OK;
}

static enum fw_status flash_fail(struct fw *fw, struct req *r, int err,
				 enum fw_reject cat, const char *why)
{
	fw_log(fw, "flash of %s failed: %s", fw_section_name[fw->flash.section],
	       why);
	flash_send_finish(fw, err);
	fw_flash_abort(fw);
	fw->stats.flash_fail++;
	return fw_refuse(fw, r->v, FW_ERR_REPLIED, cat, err, why);
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

enum fw_status fw_h_write_chunk_resp(struct fw *fw, struct req *r)
{
	const struct tlv_attr *data = &r->a[FW_WRITE_CHUNK_DATA];
	int64_t cancel = tlv_get_sint(&r->a[FW_WRITE_CHUNK_ERROR], 0);

	if (cancel) {
		/* The host gave up (its error path always sends this, also
		 * after our own FINISH with an error, when we are idle). */
		if (fw->flash.busy) {
			fw_log(fw, "flash of %s cancelled by the host (%lld)",
			       fw_section_name[fw->flash.section], (long long)cancel);
			fw_flash_abort(fw);
			fw->stats.flash_fail++;
		}
		return FW_OK;
	}
	if (!fw->flash.busy)
		return fw_refuse(fw, r->v, FW_REJECTED, FW_REJ_STATE, -EINVAL,
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
		fw_ver_str(ver, vs, sizeof(vs));
	} else {
		snprintf(vs, sizeof(vs), "unsealed");
	}
	fw_log(fw, "flash of %s complete (%s)", fw_section_name[fw->flash.section],
	       vs);
	log_info(SUB, "flash of %s complete, %u bytes (%s)",
		 fw_section_name[fw->flash.section], fw->flash.size, vs);
	fw_flash_abort(fw);
	fw->stats.flash_ok++;
	/* New stored versions for devlink dev info, before the driver's
	 * flash call returns. */
	fw_send_caps(fw);
	flash_send_finish(fw, 0);
	return FW_OK;
}

