/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PLDM firmware packages from tools/mkpldm, end to end without a guest:
 *
 *   tools/mkpldm  ->  the package bytes
 *   pk_parse      ->  the checks of the kernel's lib/pldmfw/pldmfw.c
 *                     (pldm_parse_header, pldm_parse_records,
 *                     pldm_parse_one_record, pldm_parse_desc_tlvs,
 *                     pldm_check_desc_tlv_len, pldm_parse_components,
 *                     pldm_verify_header_crc), same order, same errnos
 *   fbnic_match   ->  pldmfw_op_pci_match_record + fbnic_pldm_match_record
 *                     (AntiRollbackVer against FW_CAP_RESP's value)
 *   fwh_flash     ->  fbnic_flash_component / fbnic_flash_start and the
 *                     fbnic_fw.c message builders and parsers
 *                     (tests/lib/fwhost.c), against the firmware model
 *                     in-process
 *
 * so a package that passes here is one `devlink dev flash` on the 7.3
 * kernel takes, and the corrupt one fails in the firmware (FINISH with
 * -EBADMSG), not in the parser.  The tool is found from this binary's path
 * (build/tests/unit/test_pldm or build/san/tests/unit/test_pldm): the
 * nearest ancestor directory holding tools/mkpldm, or $FBNIC_EMU_ROOT.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fw/fw.h"
#include "fw/tlv.h"
#include "fwhost.h"
#include "test.h"

/* ---- Running the tool ------------------------------------------------------- */

static char root[PATH_MAX];
static char tmpdir[] = "/tmp/test_pldm.XXXXXX";
static int npkgs;

static bool is_root(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/tools/mkpldm", dir);
	return access(p, X_OK) == 0;
}

static bool find_root(const char *argv0)
{
	const char *env = getenv("FBNIC_EMU_ROOT");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(root, sizeof(root), "%s", env);
		return is_root(root);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	else if (!realpath(argv0, exe))
		return false;
	snprintf(root, sizeof(root), "%s", exe);
	for (;;) {
		char *slash = strrchr(root, '/');
		if (!slash || slash == root)
			return false;
		*slash = '\0';
		if (is_root(root))
			return true;
	}
}

/* Run a shell command (from the repo root); its exit status, -1 if it did
 * not exit normally. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	int len = snprintf(cmd, sizeof(cmd), "cd '%s' && ", root);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd + len, sizeof(cmd) - (size_t)len, fmt, ap);
	va_end(ap);
	fflush(NULL);
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Packages built so far, by arguments (each python start costs ~0.1 s). */
#define CACHE_MAX 64
static struct cached {
	const char *args;
	int n;
} cache[CACHE_MAX];
static int ncache;

/* tools/mkpldm ARGS -o <tmp file>; the package bytes (caller frees), NULL
 * when the tool failed.  path (if not NULL) gets the file name.  fresh:
 * run the tool even if these arguments were seen before. */
static uint8_t *mkpldm_run(const char *args, bool fresh, size_t *len,
			   char *path, size_t cap)
{
	char out[PATH_MAX];
	int n = -1;

	for (int i = 0; i < ncache && !fresh; i++)
		if (strcmp(cache[i].args, args) == 0)
			n = cache[i].n;
	if (n < 0) {
		n = npkgs++;
		snprintf(out, sizeof(out), "%s/pkg%d.pldm", tmpdir, n);
		int rc = run("tools/mkpldm %s -o '%s'", args, out);
		if (rc != 0) {
			test_fail(__FILE__, __LINE__, "tools/mkpldm %s: exit %d",
				  args, rc);
			return NULL;
		}
		if (ncache < CACHE_MAX)
			cache[ncache++] = (struct cached){ args, n };
	}
	snprintf(out, sizeof(out), "%s/pkg%d.pldm", tmpdir, n);
	if (path)
		snprintf(path, cap, "%s", out);
	uint8_t *buf = read_all(out, len);
	if (!buf)
		test_fail(__FILE__, __LINE__, "cannot read %s", out);
	return buf;
}

static uint8_t *mkpldm(const char *args, size_t *len, char *path, size_t cap)
{
	return mkpldm_run(args, false, len, path, cap);
}

/* ---- The kernel's PLDM parser (lib/pldmfw/pldmfw.c), check for check ---- */

#define PLDM_HDR_LEN 36u       /* struct __pldm_header */
#define PLDM_RECORD_LEN 11u    /* struct __pldmfw_record_info */
#define PLDM_DESC_HDR_LEN 4u   /* struct __pldmfw_desc_tlv */
#define PLDM_COMP_INFO_LEN 22u /* struct __pldmfw_component_info */

enum {
	DESC_PCI_VENDOR = 0x0000,
	DESC_IANA = 0x0001,
	DESC_UUID = 0x0002,
	DESC_PNP_VENDOR = 0x0003,
	DESC_ACPI_VENDOR = 0x0004,
	DESC_PCI_DEVICE = 0x0100,
	DESC_PCI_SUBVENDOR = 0x0101,
	DESC_PCI_SUBDEVICE = 0x0102,
	DESC_PCI_REVISION = 0x0103,
	DESC_PNP_PRODUCT = 0x0104,
	DESC_ACPI_PRODUCT = 0x0105,
	DESC_VENDOR_DEFINED = 0xffff,
};

/* f018878c-cb7d-4943-9800-a02f059aca02 as uuid_t (big-endian fields). */
static const uint8_t pldm_uuid[16] = {
	0xf0, 0x18, 0x87, 0x8c, 0xcb, 0x7d, 0x49, 0x43,
	0x98, 0x00, 0xa0, 0x2f, 0x05, 0x9a, 0xca, 0x02,
};

struct pk_desc {
	uint16_t type, size;
	const uint8_t *data;
};

struct pk_record {
	uint16_t len;
	uint8_t ndesc;
	uint32_t flags;
	uint8_t ver_type, ver_len;
	const uint8_t *ver;
	uint16_t pkg_len;
	const uint8_t *pkg;
	const uint8_t *bitmap; /* bitmap_size bytes */
	struct pk_desc *desc;  /* ndesc of them */
};

struct pk_comp {
	uint8_t index; /* the kernel's u8 loop counter */
	uint16_t classification, identifier, options, activation;
	uint32_t stamp, offset, size;
	uint8_t ver_type, ver_len;
	const uint8_t *ver, *data;
};

struct pkg {
	const uint8_t *buf;
	size_t len, off;
	uint16_t header_size, bitmap_bits, bitmap_size;
	uint8_t nrec;
	struct pk_record *rec;
	uint16_t comp_count; /* the header's */
	unsigned ncomp;      /* parsed */
	struct pk_comp *comp;
	uint32_t crc;
	const char *why;
};

/* pldm_check_fw_space: the sum is size_t, as in the kernel. */
static int pk_space(struct pkg *p, size_t off, size_t n, const char *what)
{
	if (p->len < off + n) {
		p->why = what;
		return -EFAULT;
	}
	return 0;
}

/* pldm_move_fw_offset */
static int pk_move(struct pkg *p, size_t n, const char *what)
{
	int err = pk_space(p, p->off, n, what);

	if (!err)
		p->off += n;
	return err;
}

static int pk_parse_header(struct pkg *p)
{
	const uint8_t *h = p->buf;
	int err;

	if ((err = pk_move(p, PLDM_HDR_LEN, "header shorter than 36 bytes")))
		return err;
	if (memcmp(h, pldm_uuid, 16) != 0) {
		p->why = "package header identifier";
		return -EINVAL;
	}
	if (h[16] != 0x01) {
		p->why = "package header revision";
		return -EOPNOTSUPP;
	}
	p->header_size = tlv_le16(h + 17);
	/* header_size - sizeof(header) in size_t: below 36 it wraps, offset +
	 * that wraps back, and only the final size comparison catches it. */
	if ((err = pk_space(p, p->off, (size_t)p->header_size - PLDM_HDR_LEN,
			    "file shorter than the header size")))
		return err;
	p->bitmap_bits = tlv_le16(h + 32);
	if (p->bitmap_bits % 8) {
		p->why = "component bitmap length not a multiple of 8";
		return -EINVAL;
	}
	p->bitmap_size = p->bitmap_bits / 8;
	if ((err = pk_move(p, h[35], "package version string")))
		return err;
	if ((err = pk_move(p, 1, "record area")))
		return err;
	p->nrec = p->buf[p->off - 1];
	return 0;
}

/* pldm_check_desc_tlv_len */
static int pk_desc_len(uint16_t type, uint16_t size)
{
	uint16_t want;

	switch (type) {
	case DESC_PCI_VENDOR:
	case DESC_PCI_DEVICE:
	case DESC_PCI_SUBVENDOR:
	case DESC_PCI_SUBDEVICE:
		want = 2;
		break;
	case DESC_PCI_REVISION:
		want = 1;
		break;
	case DESC_PNP_VENDOR:
		want = 3;
		break;
	case DESC_IANA:
	case DESC_ACPI_VENDOR:
	case DESC_PNP_PRODUCT:
	case DESC_ACPI_PRODUCT:
		want = 4;
		break;
	case DESC_UUID:
		want = 16;
		break;
	default: /* vendor defined and unknown types: any size */
		return 0;
	}
	return size == want ? 0 : -EINVAL;
}

/* pldm_parse_one_record + pldm_parse_desc_tlvs */
static int pk_parse_record(struct pkg *p, struct pk_record *r)
{
	size_t start = p->off;
	const uint8_t *h = p->buf + start;
	int err;

	if ((err = pk_move(p, PLDM_RECORD_LEN, "record")))
		return err;
	r->len = tlv_le16(h);
	r->ndesc = h[2];
	r->flags = tlv_le32(h + 3);
	r->ver_type = h[7];
	r->ver_len = h[8];
	r->pkg_len = tlv_le16(h + 9);
	r->bitmap = p->buf + p->off;
	if ((err = pk_move(p, p->bitmap_size, "record bitmap")))
		return err;
	r->ver = p->buf + p->off;
	if ((err = pk_move(p, r->ver_len, "record version string")))
		return err;
	r->desc = calloc(r->ndesc ? r->ndesc : 1, sizeof(*r->desc));
	if (!r->desc)
		return -ENOMEM;
	for (unsigned i = 0; i < r->ndesc; i++) {
		const uint8_t *d = p->buf + p->off;
		if ((err = pk_move(p, PLDM_DESC_HDR_LEN, "descriptor")))
			return err;
		r->desc[i].type = tlv_le16(d);
		r->desc[i].size = tlv_le16(d + 2);
		if ((err = pk_desc_len(r->desc[i].type, r->desc[i].size))) {
			p->why = "standard descriptor of the wrong size";
			return err;
		}
		if ((err = pk_move(p, r->desc[i].size, "descriptor data")))
			return err;
		r->desc[i].data = d + PLDM_DESC_HDR_LEN;
	}
	r->pkg = p->buf + p->off;
	if ((err = pk_move(p, r->pkg_len, "package data")))
		return err;
	if (p->off - start != r->len) {
		p->why = "record length differs from the measured one";
		return -EFAULT;
	}
	return 0;
}

/* pldm_parse_records */
static int pk_parse_records(struct pkg *p)
{
	int err;

	p->rec = calloc(p->nrec ? p->nrec : 1, sizeof(*p->rec));
	if (!p->rec)
		return -ENOMEM;
	for (unsigned i = 0; i < p->nrec; i++)
		if ((err = pk_parse_record(p, &p->rec[i])))
			return err;
	if ((err = pk_move(p, 2, "component area")))
		return err;
	p->comp_count = tlv_le16(p->buf + p->off - 2);
	return 0;
}

/* pldm_parse_components, in full-update mode (fbnic never sets
 * context.mode; see the note in test_flash_valid). */
static int pk_parse_components(struct pkg *p)
{
	unsigned cap = 0;
	int err;

	/* The kernel counts with a u8 against a u16: with more than 255
	 * components it never stops by itself and runs off the end (-EFAULT);
	 * every round consumes at least 22 bytes, so this ends too. */
	for (uint8_t i = 0; i < p->comp_count; i++) {
		const uint8_t *c = p->buf + p->off;
		if ((err = pk_move(p, PLDM_COMP_INFO_LEN, "component info")))
			return err;
		if ((err = pk_move(p, c[21], "component version string")))
			return err;
		uint32_t off = tlv_le32(c + 12), size = tlv_le32(c + 16);
		if ((err = pk_space(p, off, size,
				    "component image outside the file")))
			return err;
		if (p->ncomp == cap) {
			cap = cap ? cap * 2 : 8;
			struct pk_comp *n = realloc(p->comp, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			p->comp = n;
		}
		struct pk_comp *k = &p->comp[p->ncomp++];
		k->index = i;
		k->classification = tlv_le16(c);
		k->identifier = tlv_le16(c + 2);
		k->stamp = tlv_le32(c + 4);
		k->options = tlv_le16(c + 8);
		k->activation = tlv_le16(c + 10);
		k->offset = off;
		k->size = size;
		k->ver_type = c[20];
		k->ver_len = c[21];
		k->ver = c + PLDM_COMP_INFO_LEN;
		k->data = p->buf + off;
	}
	const uint8_t *crc = p->buf + p->off;
	if ((err = pk_move(p, 4, "header checksum")))
		return err;
	if (p->off != p->header_size) {
		p->why = "header size differs from the parsed header";
		return -EFAULT;
	}
	p->crc = tlv_le32(crc);
	return 0;
}

static void pk_free(struct pkg *p)
{
	if (p->rec)
		for (unsigned i = 0; i < p->nrec; i++)
			free(p->rec[i].desc);
	free(p->rec);
	free(p->comp);
	memset(p, 0, sizeof(*p));
}

/* pldm_parse_image: 0 or the kernel's errno; p must be pk_free()d. */
static int pk_parse(struct pkg *p, const uint8_t *buf, size_t len)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->len = len;
	if (!len)
		return -EINVAL; /* the WARN_ON */
	if ((err = pk_parse_header(p)) || (err = pk_parse_records(p)) ||
	    (err = pk_parse_components(p)))
		return err;
	/* pldm_verify_header_crc: crc32_le(~0, ...) ^ ~0 is zlib's CRC-32. */
	if (fw_crc32(0, p->buf, p->off - 4) != p->crc) {
		p->why = "header checksum";
		return -EBADMSG;
	}
	return 0;
}

/* test_bit(index, record->component_bitmap): bits past the bitmap's
 * length read as clear. */
static bool pk_applicable(const struct pkg *p, const struct pk_record *r,
			  unsigned index)
{
	if (index >= p->bitmap_bits)
		return false;
	return r->bitmap[index / 8] >> (index % 8) & 1;
}

/* ---- The driver's side: matching, flashing -------------------------------- */

struct pci_ids {
	uint16_t vendor, device, subvendor, subdevice;
};
/* What fbnic-emu presents (src/dev/pcie_cfg.c). */
static const struct pci_ids emu_ids = { 0x1d9b, 0x0013, 0x1d9b, 0x0013 };

/* pldmfw_op_pci_match_record: a zero or absent descriptor matches any. */
static bool pci_match(const struct pk_record *r, const struct pci_ids *dev)
{
	int want[4] = { -1, -1, -1, -1 };
	const uint16_t have[4] = { dev->vendor, dev->device, dev->subvendor,
				   dev->subdevice };

	for (unsigned i = 0; i < r->ndesc; i++) {
		int slot;
		switch (r->desc[i].type) {
		case DESC_PCI_VENDOR: slot = 0; break;
		case DESC_PCI_DEVICE: slot = 1; break;
		case DESC_PCI_SUBVENDOR: slot = 2; break;
		case DESC_PCI_SUBDEVICE: slot = 3; break;
		default: continue;
		}
		uint16_t v = tlv_le16(r->desc[i].data);
		want[slot] = v ? v : -1;
	}
	for (int i = 0; i < 4; i++)
		if (want[i] != -1 && want[i] != have[i])
			return false;
	return true;
}

/* fbnic_pldm_match_record */
static bool fbnic_match(const struct pk_record *r, const struct pci_ids *dev,
			uint32_t device_arv)
{
	uint32_t arv = 0;

	if (!pci_match(r, dev))
		return false;
	for (unsigned i = 0; i < r->ndesc; i++) {
		const struct pk_desc *d = &r->desc[i];
		if (d->type != DESC_VENDOR_DEFINED)
			continue;
		if (d->size < 21 || d->data[0] != 1 || d->data[1] != 15)
			continue;
		if (memcmp(d->data + 2, "AntiRollbackVer", 15) != 0)
			continue;
		arv = tlv_le32(d->data + 17);
		break;
	}
	return arv >= device_arv;
}

static struct fw *mkfw(uint32_t anti_rollback)
{
	struct fw_config cfg;

	fw_config_default(&cfg);
	cfg.anti_rollback = anti_rollback;
	return fwh_create(&cfg);
}

static void done(struct fw *fw)
{
	CHECK_EQ(fw_get_stats(fw)->tx_selfcheck, 0);
	CHECK(!fw_flash_busy(fw));
	fw_destroy(fw);
}

/* Driver state fed by FW_CAP_RESP (fbnic_fw_parse_cap_resp). */
static struct fwh_caps caps;

/* Probe's HOST_CAP_REQ -> FW_CAP_RESP: where the driver learns the
 * anti-rollback version that fbnic_pldm_match_record compares against. */
static void drv_get_caps(struct fw *fw)
{
	struct tlv_attr r[TLV_RESULTS_MAX];
	struct tlv_msg m;

	fwh_clear();
	memset(&caps, 0, sizeof(caps));
	fwh_send_simple(fw, FW_MSG_HOST_CAP_REQ);
	while (fwh_next(&m, r) == 0)
		if (m.id == FW_MSG_FW_CAP_RESP)
			fwh_take_caps(&caps, r);
	CHECK_INT(caps.seen, 1);
	caps.seen = 0;
}

struct flash_result {
	int flashed;  /* components whose flash_component returned 0 */
	int attempts; /* flash_component calls */
	const char *why;
};

/* pldmfw_flash_image with fbnic's ops (no send_package_data,
 * send_component_table or finalize_update). */
static int drv_devlink_flash(struct fw *fw, const uint8_t *buf, size_t len,
			     const struct pci_ids *dev, struct flash_result *res)
{
	struct pkg p;
	const struct pk_record *match = NULL;
	int err;

	memset(res, 0, sizeof(*res));
	drv_get_caps(fw);
	err = pk_parse(&p, buf, len);
	res->why = p.why;
	if (err)
		goto out;
	for (unsigned i = 0; i < p.nrec && !match; i++)
		if (fbnic_match(&p.rec[i], dev, caps.anti_rollback))
			match = &p.rec[i];
	if (!match) {
		err = -ENOENT;
		goto out;
	}
	for (unsigned i = 0; i < p.ncomp; i++) {
		if (!pk_applicable(&p, match, p.comp[i].index))
			continue;
		res->attempts++;
		/* fbnic_flash_component */
		if ((err = fwh_flash(fw, p.comp[i].identifier, p.comp[i].data,
				     p.comp[i].size, NULL, &caps)))
			goto out;
		res->flashed++;
	}
out:
	pk_free(&p);
	return err;
}

/* ---- Tests --------------------------------------------------------------------- */

#define IMG_SIZE 65536u
#define DEFAULT_VER FW_VER(25, 8, 1, 3) /* mkpldm's default 25.08.01-003 */
#define BOOT_VER FW_VER(25, 7, 25, 2)   /* fw_config_default's */

static const struct pk_desc *find_desc(const struct pk_record *r,
				       uint16_t type)
{
	for (unsigned i = 0; i < r->ndesc; i++)
		if (r->desc[i].type == type)
			return &r->desc[i];
	return NULL;
}

/* The default package, byte by byte against DSP0267 and the seal. */
static void test_layout(void)
{
	size_t len = 0, len2 = 0;
	char path[PATH_MAX];
	uint8_t *pk = mkpldm("", &len, path, sizeof(path));
	uint8_t *pk2 = mkpldm_run("", true, &len2, NULL, 0);
	struct pkg p;

	REQUIRE(pk && pk2);
	/* Reproducible. */
	CHECK(len == len2 && memcmp(pk, pk2, len) == 0);
	free(pk2);
	REQUIRE(pk_parse(&p, pk, len) == 0);
	CHECK_MEM(pk, pldm_uuid, 16);
	CHECK_EQ(pk[16], 1);
	CHECK_EQ(p.bitmap_bits, 8);
	CHECK_EQ(tlv_le32(pk + p.header_size - 4),
		 fw_crc32(0, pk, p.header_size - 4u));
	REQUIRE(p.nrec == 1);
	const struct pk_record *r = &p.rec[0];
	CHECK_EQ(r->bitmap[0], 0x01);
	CHECK_EQ(r->pkg_len, 0);
	CHECK(r->ver_len == 12 && memcmp(r->ver, "25.08.01-003", 12) == 0);
	/* Descriptors: PCI vendor first (DSP0267's initial descriptor). */
	REQUIRE(r->ndesc == 6);
	CHECK_EQ(r->desc[0].type, DESC_PCI_VENDOR);
	static const struct {
		uint16_t type, size;
		uint32_t val;
	} want[] = {
		{ DESC_PCI_VENDOR, 2, 0x1d9b },
		{ DESC_IANA, 4, 0xa015 },
		{ DESC_PCI_DEVICE, 2, 0x0013 },
		{ DESC_PCI_SUBVENDOR, 2, 0x1d9b },
		{ DESC_PCI_SUBDEVICE, 2, 0x0013 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct pk_desc *d = find_desc(r, want[i].type);
		REQUIRE(d);
		CHECK_EQ(d->size, want[i].size);
		CHECK_EQ(d->size == 2 ? tlv_le16(d->data) : tlv_le32(d->data),
			 want[i].val);
	}
	const struct pk_desc *arv = find_desc(r, DESC_VENDOR_DEFINED);
	REQUIRE(arv && arv->size == 21);
	CHECK(arv->data[0] == 1 && arv->data[1] == 15);
	CHECK_MEM(arv->data + 2, "AntiRollbackVer", 15);
	CHECK_EQ(tlv_le32(arv->data + 17), 0);
	CHECK(pci_match(r, &emu_ids));

	/* One component: CONTROL_FW, right after the header, to the end. */
	REQUIRE(p.ncomp == 1);
	const struct pk_comp *c = &p.comp[0];
	CHECK_EQ(c->identifier, FW_SECTION_CONTROL_FW);
	CHECK_EQ(c->classification, 0x000a);
	CHECK_EQ(c->stamp, DEFAULT_VER);
	CHECK_EQ(c->offset, p.header_size);
	CHECK_EQ(c->size, IMG_SIZE);
	CHECK_EQ(len, (size_t)p.header_size + IMG_SIZE);
	CHECK(c->ver_len == 12 && memcmp(c->ver, "25.08.01-003", 12) == 0);

	/* The seal is fw_image_seal's, bit for bit. */
	uint8_t *img = malloc(IMG_SIZE);
	REQUIRE(img);
	memcpy(img, c->data, IMG_SIZE);
	memset(img + IMG_SIZE - FW_IMG_SEAL_LEN, 0xa5, FW_IMG_SEAL_LEN);
	CHECK_INT(fw_image_seal(img, IMG_SIZE, DEFAULT_VER, "mkpldm"), 0);
	CHECK_MEM(img, c->data, IMG_SIZE);
	free(img);

	/* The Python validator agrees. */
	CHECK_INT(run("tools/pldm-check -q '%s' >/dev/null", path), 0);
	pk_free(&p);
	free(pk);
}

/* devlink dev flash with the default package: boot2 takes the new image.
 * (The 7.3 driver leaves context.mode and context.component_identifier
 * uninitialised in fbnic_devlink_flash_update; this models the full-update
 * mode, which is what it gets unless the stack garbage happens to be 1.) */
static void test_flash_valid(void)
{
	struct fw *fw = mkfw(0);
	struct flash_result res;
	size_t len = 0;
	uint8_t *pk = mkpldm("--version 26.01.02-007 --commit pldm-ok", &len,
			     NULL, 0);

	REQUIRE(fw && pk);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), 0);
	CHECK_INT(res.flashed, 1);
	const struct fw_config *c = fw_get_config(fw);
	CHECK_EQ(c->stored_version, FW_VER(26, 1, 2, 7));
	CHECK(strcmp(c->stored_commit, "pldm-ok") == 0);
	CHECK_EQ(c->version, BOOT_VER); /* running one until a reboot */
	/* The firmware re-sent its capabilities before FINISH. */
	CHECK_INT(caps.seen, 1);
	CHECK_EQ(caps.stored_version, FW_VER(26, 1, 2, 7));
	/* 64 KiB in the default 2 KiB pulls. */
	CHECK_EQ(fw_get_stats(fw)->flash_chunks, IMG_SIZE / 2048);
	CHECK_EQ(fw_get_stats(fw)->flash_ok, 1);
	CHECK_EQ(fw_get_stats(fw)->flash_fail, 0);
	fw_reboot(fw, NULL);
	CHECK_EQ(c->version, FW_VER(26, 1, 2, 7));
	CHECK(strcmp(c->commit, "pldm-ok") == 0);
	free(pk);
	done(fw);
}

/* All three sections, each its own version, an odd size (partial last
 * chunk). */
static void test_flash_all_components(void)
{
	struct fw *fw = mkfw(0);
	struct flash_result res;
	struct pkg p;
	size_t len = 0;
	uint8_t *pk = mkpldm("--component fw=26.01.00-001 "
			     "--component bootloader=26.02.00-002 "
			     "--component undi=1.2.3-4 --size 5001",
			     &len, NULL, 0);

	REQUIRE(fw && pk);
	REQUIRE(pk_parse(&p, pk, len) == 0);
	CHECK_EQ(p.ncomp, 3);
	CHECK_EQ(p.rec[0].bitmap[0], 0x07);
	if (p.ncomp == 3) {
		CHECK_EQ(p.comp[0].identifier, FW_SECTION_CONTROL_FW);
		CHECK_EQ(p.comp[1].identifier, FW_SECTION_CMRT);
		CHECK_EQ(p.comp[2].identifier, FW_SECTION_OPTION_ROM);
		CHECK_EQ(p.comp[1].offset, p.comp[0].offset + 5001);
		CHECK_EQ(p.comp[2].offset, p.comp[1].offset + 5001);
	}
	pk_free(&p);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), 0);
	CHECK_INT(res.flashed, 3);
	const struct fw_config *c = fw_get_config(fw);
	CHECK_EQ(c->stored_version, FW_VER(26, 1, 0, 1));
	CHECK_EQ(c->stored_cmrt_version, FW_VER(26, 2, 0, 2));
	CHECK_EQ(c->uefi_version, FW_VER(1, 2, 3, 4));
	CHECK(strcmp(c->stored_cmrt_commit, "mkpldm") == 0);
	CHECK(strcmp(c->uefi_commit, "mkpldm") == 0);
	CHECK_EQ(fw_get_stats(fw)->flash_ok, 3);
	CHECK_EQ(fw_get_stats(fw)->flash_chunks, 3 * 3); /* 2048+2048+905 */
	free(pk);
	done(fw);
}

/* --corrupt: valid PLDM, the firmware refuses the image. */
static void test_flash_corrupt(void)
{
	struct fw *fw = mkfw(0);
	struct flash_result res;
	struct pkg p;
	size_t len = 0;
	char path[PATH_MAX];
	uint8_t *pk = mkpldm("--corrupt --version 27.0.0-1", &len, path,
			     sizeof(path));

	REQUIRE(fw && pk);
	/* The parser is happy: the header checksum does not cover images. */
	CHECK_INT(pk_parse(&p, pk, len), 0);
	if (p.ncomp == 1)
		CHECK(fw_crc32(0, p.comp[0].data, IMG_SIZE - 4) !=
		      tlv_le32(p.comp[0].data + IMG_SIZE - 4));
	pk_free(&p);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), -EBADMSG);
	CHECK_INT(res.attempts, 1);
	CHECK_INT(res.flashed, 0);
	/* All of it went over before the firmware judged it. */
	CHECK_EQ(fw_get_stats(fw)->flash_chunks, IMG_SIZE / 2048);
	CHECK_EQ(fw_get_stats(fw)->flash_fail, 1);
	CHECK_EQ(fw_get_stats(fw)->flash_ok, 0);
	CHECK_EQ(fw_get_config(fw)->stored_version, BOOT_VER);
	CHECK_INT(caps.seen, 0);
	/* The driver's cancel after FINISH(-EBADMSG) was taken quietly. */
	CHECK_EQ(fw_get_stats(fw)->rejected[FW_REJ_STATE], 0);
	CHECK_INT(run("tools/pldm-check -q '%s' >/dev/null", path), 1);
	free(pk);

	/* The firmware is fine afterwards: a good package still flashes. */
	pk = mkpldm("--version 27.0.0-2", &len, NULL, 0);
	REQUIRE(pk);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), 0);
	CHECK_EQ(fw_get_config(fw)->stored_version, FW_VER(27, 0, 0, 2));
	free(pk);

	/* Only the second of three corrupt: the first lands, the update stops
	 * at the second, the third is never tried. */
	pk = mkpldm("--component fw=28.0.0-1 --component bootloader=28.0.0-2 "
		    "--component undi=28.0.0-3 --corrupt bootloader --size 8192",
		    &len, NULL, 0);
	REQUIRE(pk);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), -EBADMSG);
	CHECK_INT(res.attempts, 2);
	CHECK_INT(res.flashed, 1);
	const struct fw_config *c = fw_get_config(fw);
	CHECK_EQ(c->stored_version, FW_VER(28, 0, 0, 1));
	CHECK(c->stored_cmrt_version != FW_VER(28, 0, 0, 2));
	CHECK(c->uefi_version != FW_VER(28, 0, 0, 3));
	free(pk);
	done(fw);
}

/* --bad-pldm: the kernel's parser refuses it, the device sees nothing. */
static void test_bad_pldm(void)
{
	static const struct {
		const char *args;
		int err;
	} cases[] = {
		{ "--bad-pldm", -EBADMSG },
		{ "--bad-pldm uuid", -EINVAL },
		{ "--bad-pldm size", -EFAULT },
		{ "--bad-pldm crc", -EBADMSG },
		{ "--bad-pldm revision", -EOPNOTSUPP },
		{ "--bad-pldm --corrupt", -EBADMSG },
	};
	struct fw *fw = mkfw(0);
	struct flash_result res;

	REQUIRE(fw);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = 0;
		char path[PATH_MAX];
		uint8_t *pk = mkpldm(cases[i].args, &len, path, sizeof(path));
		if (!pk)
			continue;
		int err = drv_devlink_flash(fw, pk, len, &emu_ids, &res);
		if (err != cases[i].err)
			test_fail(__FILE__, __LINE__, "%s: %d (%s), want %d",
				  cases[i].args, err, res.why ? res.why : "-",
				  cases[i].err);
		CHECK_INT(res.attempts, 0);
		if (i < 3) /* the validator says no too */
			CHECK_INT(run("tools/pldm-check -q '%s' >/dev/null",
				      path), 1);
		free(pk);
	}
	CHECK_EQ(fw_get_stats(fw)->flash_start, 0);
	done(fw);
}

/* Record matching: PCI ids and the anti-rollback version. */
static void test_match(void)
{
	static const struct {
		const char *args;
		uint32_t device_arv;
		int err;
	} cases[] = {
		{ "", 0, 0 },
		{ "", 1, -ENOENT },
		{ "--anti-rollback 5", 5, 0 },
		{ "--anti-rollback 5", 4, 0 },
		{ "--anti-rollback 5", 6, -ENOENT },
		{ "--no-anti-rollback", 0, 0 },
		{ "--no-anti-rollback", 1, -ENOENT },
		{ "--pci-ids 1d9b:0014", 0, -ENOENT },
		{ "--pci-ids 8086:0013", 0, -ENOENT },
		{ "--pci-ids 1d9b:0013:1d9b:0014", 0, -ENOENT },
		{ "--pci-ids 0:0:0:0", 0, 0 },
		{ "--pci-ids 1d9b:0013:none:none", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fw *fw = mkfw(cases[i].device_arv);
		struct flash_result res;
		size_t len = 0;
		uint8_t *pk = mkpldm(cases[i].args, &len, NULL, 0);
		if (!fw || !pk) {
			test_fail(__FILE__, __LINE__, "setup");
			free(pk);
			if (fw)
				fw_destroy(fw);
			continue;
		}
		int err = drv_devlink_flash(fw, pk, len, &emu_ids, &res);
		if (err != cases[i].err)
			test_fail(__FILE__, __LINE__, "'%s' vs device arv %u: "
				  "%d, want %d", cases[i].args,
				  cases[i].device_arv, err, cases[i].err);
		CHECK_EQ(fw_get_stats(fw)->flash_start, err ? 0 : 1);
		free(pk);
		done(fw);
	}
}

/* Sections the driver does not flash: -EINVAL before any message. */
static void test_unknown_component(void)
{
	struct fw *fw = mkfw(0);
	struct flash_result res;
	size_t len = 0;
	uint8_t *pk = mkpldm("--component 2", &len, NULL, 0);

	REQUIRE(fw && pk);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), -EINVAL);
	CHECK_EQ(fw_get_stats(fw)->flash_start, 0);
	free(pk);
	pk = mkpldm("--component fw --component 4", &len, NULL, 0);
	REQUIRE(pk);
	CHECK_INT(drv_devlink_flash(fw, pk, len, &emu_ids, &res), -EINVAL);
	CHECK_INT(res.flashed, 1);
	CHECK_EQ(fw_get_stats(fw)->flash_start, 1);
	free(pk);
	done(fw);
}

static void fix_crc(uint8_t *pk, uint16_t header_size)
{
	tlv_put_le32(pk + header_size - 4, fw_crc32(0, pk, header_size - 4u));
}

/* The parser port refuses what the kernel refuses (and so is a fair judge
 * of mkpldm's output). */
static void test_parser_checks(void)
{
	size_t len = 0;
	uint8_t *pk = mkpldm("--size 4096", &len, NULL, 0);
	struct pkg p;

	REQUIRE(pk);
	REQUIRE(pk_parse(&p, pk, len) == 0);
	const uint16_t hs = p.header_size;
	/* Offsets of the record and the component entry in this layout. */
	const size_t rec = PLDM_HDR_LEN + pk[35] + 1;
	const size_t desc0 = rec + PLDM_RECORD_LEN + p.bitmap_size +
			     p.rec[0].ver_len;
	const size_t comp_area = rec + p.rec[0].len;
	const size_t comp0 = comp_area + 2;
	pk_free(&p);
	uint8_t *b = malloc(len);
	REQUIRE(b);

#define MUTATE(expr, fix, want)                                              \
	do {                                                                 \
		size_t n_ = len;                                             \
		memcpy(b, pk, len);                                          \
		expr;                                                        \
		if (fix)                                                     \
			fix_crc(b, hs);                                      \
		int e_ = pk_parse(&p, b, n_);                                \
		if (e_ != (want))                                            \
			test_fail(__FILE__, __LINE__, "%s: %d (%s), want %d", \
				  #expr, e_, p.why ? p.why : "-", (want));   \
		pk_free(&p);                                                 \
	} while (0)

	MUTATE((void)0, false, 0);
	MUTATE(n_ = 0, false, -EINVAL);
	MUTATE(n_ = 35, false, -EFAULT);
	MUTATE(n_ = hs - 1u, false, -EFAULT);
	/* The images must lie inside the file (pldm_parse_components). */
	MUTATE(n_ = hs, false, -EFAULT);
	MUTATE(n_ = len - 1, false, -EFAULT);
	MUTATE(b[3] ^= 1, false, -EINVAL);
	MUTATE(b[16] = 0, false, -EOPNOTSUPP);
	MUTATE(tlv_put_le16(b + 32, 12), true, -EINVAL);
	MUTATE(tlv_put_le16(b + 17, (uint16_t)(hs + 1)), true, -EFAULT);
	MUTATE(tlv_put_le16(b + 17, 20), false, -EFAULT);
	MUTATE(b[hs - 1] ^= 0x80, false, -EBADMSG);
	MUTATE(b[desc0 - 1] ^= 1, false, -EBADMSG); /* record version */
	MUTATE(tlv_put_le16(b + rec, (uint16_t)(tlv_le16(b + rec) + 1)), true,
	       -EFAULT);
	/* PCI vendor descriptor claiming 3 bytes. */
	MUTATE(tlv_put_le16(b + desc0 + 2, 3), true, -EINVAL);
	/* An unknown descriptor type of any size is fine (the vendor id,
	 * retyped). */
	MUTATE(tlv_put_le16(b + desc0, 0x0200), true, 0);
	/* Two records where there is one: the component area read as a
	 * record has 10 descriptors (the classification's low byte), the
	 * first of them a standard type of the wrong size. */
	MUTATE(b[rec - 1] = 2, true, -EINVAL);
	/* Component image past the end of the file. */
	MUTATE(tlv_put_le32(b + comp0 + 12, (uint32_t)len - 4095), true,
	       -EFAULT);
	MUTATE(tlv_put_le32(b + comp0 + 16, 4097), true, -EFAULT);
	/* More components than the header holds; > 255 never ends well. */
	MUTATE(tlv_put_le16(b + comp_area, 2), true, -EFAULT);
	MUTATE(tlv_put_le16(b + comp_area, 300), true, -EFAULT);
	MUTATE(tlv_put_le16(b + comp_area, 0), true, -EFAULT);
#undef MUTATE
	free(b);
	free(pk);
}

/* What the tool refuses to build. */
static void test_cli_errors(void)
{
	static const char *const bad[] = {
		"--component nosuch",
		"--commit 0123456789abcdefghij",
		"--size 36",
		"--version 1.2.3.256",
		"--corrupt undi",
		"--pci-ids 1d9b",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = run("tools/mkpldm %s -o '%s/never.pldm' 2>/dev/null",
			     bad[i], tmpdir);
		if (rc != 2)
			test_fail(__FILE__, __LINE__, "mkpldm %s: exit %d, want 2",
				  bad[i], rc);
	}
	struct stat st;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/never.pldm", tmpdir);
	CHECK(stat(path, &st) != 0);
}

static const struct test_case tests[] = {
	TEST_CASE(test_layout),
	TEST_CASE(test_flash_valid),
	TEST_CASE(test_flash_all_components),
	TEST_CASE(test_flash_corrupt),
	TEST_CASE(test_bad_pldm),
	TEST_CASE(test_match),
	TEST_CASE(test_unknown_component),
	TEST_CASE(test_parser_checks),
	TEST_CASE(test_cli_errors),
};

int main(int argc, char **argv)
{
	int rc;

	if (!find_root(argv[0])) {
		fprintf(stderr, "test_pldm: cannot find tools/mkpldm above %s "
			"(set FBNIC_EMU_ROOT)\n", argv[0]);
		printf("pldm: 0 passed, 1 failed\n");
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		printf("pldm: 0 passed, 1 failed\n");
		return 1;
	}
	rc = test_run_all("pldm", tests, (int)(sizeof(tests) / sizeof(tests[0])),
			  argc, argv);
	run("rm -rf '%s'", tmpdir);
	return rc;
}
