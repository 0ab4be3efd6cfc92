/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mailbox TLV codec: every attribute type round trip, the exact bytes
 * the driver produces, every rejection rule of the driver's parser (with
 * its errno), and random input that must never crash.
 */
#include <errno.h>
#include <stdlib.h>

#include "fw/tlv.h"
#include "test.h"

/* An index with one attribute of every kind. */
enum {
	A_U32 = 0, A_U64, A_S32, A_S64, A_STR, A_FLAG, A_MAC, A_RAW, A_NEST,
	A_ARR, A_HIGH = 31,
};
static const struct tlv_index idx_all[] = {
	TLV_ATTR_U32(A_U32),        TLV_ATTR_U64(A_U64),
	TLV_ATTR_S32(A_S32),        TLV_ATTR_S64(A_S64),
	TLV_ATTR_STRING(A_STR, 16), TLV_ATTR_FLAG(A_FLAG),
	TLV_ATTR_MAC_ADDR(A_MAC),   TLV_ATTR_RAW_DATA(A_RAW),
	TLV_ATTR_NESTED(A_NEST),    TLV_ATTR_ARRAY(A_ARR),
	TLV_ATTR_U32(A_HIGH),       TLV_ATTR_LAST
};
static const struct tlv_parser table[] = {
	{ 0x21, idx_all },
	{ 0x10, NULL }, /* a message with no attributes expected */
	{ TLV_ID_LAST, NULL }
};

static void put_hdr(uint8_t *p, uint16_t type, uint16_t len)
{
	tlv_put_le16(p, type);
	tlv_put_le16(p + 2, len);
}

/* Parse buf as one message of `table`; return the errno. */
static int parse(const void *buf, size_t len, struct tlv_attr *res)
{
	struct tlv_attr local[TLV_RESULTS_MAX];
	struct tlv_msg m;
	const char *why = NULL;

	return tlv_msg_parse(&m, buf, len, table, NULL, res ? res : local, &why);
}

/* ---- Encoding ------------------------------------------------------------- */

static void test_header_bytes(void)
{
	uint8_t buf[64];
	struct tlv_builder b;

	/* HOST_CAP_REQ as the driver sends it. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x10);
	CHECK_INT(tlv_msg_finish(&b), 4);
	CHECK_MEM(buf, "\x10\x80\x01\x00", 4);

	/* OWNERSHIP_REQ, take: a flag attribute, id 0, length 4. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x12);
	tlv_put_flag(&b, 0);
	CHECK_INT(tlv_msg_finish(&b), 8);
	CHECK_MEM(buf, "\x12\x80\x02\x00\x00\x00\x04\x00", 8);

	/* cannot-ignore bit on an attribute. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x12);
	tlv_put_flag(&b, 3 | TLV_F_CANNOT_IGNORE);
	CHECK_INT(tlv_msg_finish(&b), 8);
	CHECK_MEM(buf + 4, "\x03\x40\x04\x00", 4);
}

/* Worked encodings of the driver's messages (fbnic_tlv.c layout). */
static void test_worked_examples(void)
{
	static const uint8_t caps[40] = {
		0x11, 0x80, 0x0a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x19,
		0x07, 0x19, 0x06, 0x00, 0x0c, 0x00, 'e',  'm',  'u',  '0',
		'0',  '0',  '1',  0x00, 0x0a, 0x00, 0x08, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x0b, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
	};
	static const uint8_t own[16] = { 0x13, 0x80, 0x04, 0x00, 0x01, 0x00,
					 0x0c, 0x00, 0x40, 0xe2, 0x01, 0x00,
					 0x00, 0x00, 0x00, 0x00 };
	uint8_t buf[128];
	struct tlv_builder b;

	tlv_msg_init(&b, buf, sizeof(buf), 0x11);
	tlv_put_u32(&b, 0, 0x19071902);
	tlv_put_string(&b, 6, "emu0001");
	tlv_put_u32(&b, 0x0a, 4);
	tlv_put_u32(&b, 0x0b, 2);
	REQUIRE(tlv_msg_finish(&b) == 40);
	CHECK_MEM(buf, caps, 40);

	tlv_msg_init(&b, buf, sizeof(buf), 0x13);
	tlv_put_u64(&b, 1, 123456);
	REQUIRE(tlv_msg_finish(&b) == 16);
	CHECK_MEM(buf, own, 16);
}

static void test_roundtrip_all_types(void)
{
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t raw[TLV_MAX_DATA], buf[TLV_PAGE_SIZE];
	struct tlv_attr r[TLV_RESULTS_MAX], n[TLV_RESULTS_MAX], el[4];
	struct tlv_builder b;
	struct tlv_msg m;
	char s[16];
	int len;

	for (size_t i = 0; i < 100; i++)
		raw[i] = (uint8_t)(i * 7);
	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_put_u32(&b, A_U32, 0xdeadbeef);
	tlv_put_u64(&b, A_U64, 0x0123456789abcdefull);
	tlv_put_s32(&b, A_S32, -5);
	tlv_put_s64(&b, A_S64, -0x123456789ll);
	tlv_put_string(&b, A_STR, "hello");
	tlv_put_flag(&b, A_FLAG);
	tlv_put_mac(&b, A_MAC, mac);
	tlv_put_value(&b, A_RAW, raw, 100);
	tlv_nest_start(&b, A_NEST);
	tlv_put_u32(&b, A_U32, 7);
	tlv_put_string(&b, A_STR, "in");
	tlv_nest_end(&b);
	tlv_nest_start(&b, A_ARR);
	for (int i = 0; i < 3; i++)
		tlv_put_u32(&b, A_U32, (uint32_t)(100 + i));
	tlv_nest_end(&b);
	tlv_put_u32(&b, A_HIGH, 31);
	len = tlv_msg_finish(&b);
	REQUIRE(len > 0);
	CHECK_EQ(tlv_le16(buf + 2) * 4u, (unsigned)len);

	REQUIRE(parse(buf, (size_t)len, r) == 0);
	CHECK_EQ(tlv_get_uint(&r[A_U32], 0), 0xdeadbeef);
	CHECK_EQ(r[A_U32].len, 4);
	CHECK_EQ(tlv_get_uint(&r[A_U64], 0), 0x0123456789abcdefull);
	CHECK_EQ(r[A_U64].len, 8);
	CHECK_INT(tlv_get_sint(&r[A_S32], 0), -5);
	CHECK_INT(tlv_get_sint(&r[A_S64], 0), -0x123456789ll);
	CHECK_INT(tlv_get_string(&r[A_STR], s, sizeof(s)), 5);
	CHECK(strcmp(s, "hello") == 0);
	CHECK_EQ(r[A_STR].len, 6); /* NUL travels */
	CHECK(tlv_present(&r[A_FLAG]));
	CHECK_EQ(r[A_FLAG].len, 0);
	CHECK_EQ(r[A_MAC].len, 6);
	CHECK_MEM(r[A_MAC].val, mac, 6);
	CHECK_EQ(r[A_RAW].len, 100);
	CHECK_MEM(r[A_RAW].val, raw, 100);
	CHECK_EQ(tlv_get_uint(&r[A_HIGH], 0), 31);
	/* Padding after the MAC (6 bytes -> 8) is zero. */
	CHECK_EQ(r[A_MAC].val[6], 0);
	CHECK_EQ(r[A_MAC].val[7], 0);

	REQUIRE(tlv_msg_open(&m, buf, (size_t)len, NULL) == 0);
	REQUIRE(tlv_parse_nested(&m, &r[A_NEST], idx_all, n, NULL) == 0);
	CHECK_EQ(tlv_get_uint(&n[A_U32], 0), 7);
	CHECK_INT(tlv_get_string(&n[A_STR], s, sizeof(s)), 2);
	CHECK(!tlv_present(&n[A_U64]));

	REQUIRE(tlv_parse_array(&m, &r[A_ARR], idx_all, A_U32, el, 4, NULL) == 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tlv_get_uint(&el[i], 0), 100u + (unsigned)i);
	CHECK(!tlv_present(&el[3]));
	/* Exactly as many elements as slots is fine, one more is not. */
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, A_U32, el, 3, NULL), 0);
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, A_U32, el, 2, NULL),
		  -ENOSPC);
	/* Elements of another id. */
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, A_U64, el, 4, NULL),
		  -EINVAL);
	/* Absent nest. */
	CHECK_INT(tlv_parse_nested(&m, &r[A_U64 + 20], idx_all, n, NULL),
		  -EINVAL);
}

static void test_empty_nest_dropped(void)
{
	uint8_t buf[64];
	struct tlv_builder b;
	struct tlv_attr r[TLV_RESULTS_MAX];

	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_put_u32(&b, A_U32, 1);
	tlv_nest_start(&b, A_ARR);
	tlv_nest_end(&b);
	CHECK_INT(tlv_msg_finish(&b), 12);
	REQUIRE(parse(buf, 12, r) == 0);
	CHECK(!tlv_present(&r[A_ARR]));

	/* Nested nest, with the inner one empty: only the outer stays. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_nest_start(&b, A_NEST);
	tlv_put_u32(&b, A_U32, 1);
	tlv_nest_start(&b, A_ARR);
	tlv_nest_end(&b);
	tlv_nest_end(&b);
	CHECK_INT(tlv_msg_finish(&b), 16);
	CHECK_EQ(tlv_le16(buf + 6), 12); /* nest length in bytes */
}

static void test_builder_limits(void)
{
	uint8_t buf[16];
	struct tlv_builder b;

	/* 4 header + 8 (u32 attr) = 12; a second u32 does not fit in 16. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	CHECK_INT(tlv_put_u32(&b, 0, 1), 0);
	CHECK_INT(tlv_put_u32(&b, 1, 1), -ENOSPC);
	CHECK_INT(tlv_put_flag(&b, 2), -ENOSPC); /* sticky */
	CHECK_INT(tlv_msg_finish(&b), -ENOSPC);

	tlv_msg_init(&b, buf, 3, 0x21);
	CHECK_INT(tlv_msg_finish(&b), -ENOSPC);

	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	CHECK_INT(tlv_put_int(&b, 0, 1, 9), -EINVAL);

	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_nest_start(&b, A_NEST);
	CHECK_INT(tlv_msg_finish(&b), -EINVAL); /* open nest */

	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	CHECK_INT(tlv_nest_end(&b), -EINVAL); /* none open */

	uint8_t big[256];
	tlv_msg_init(&b, big, sizeof(big), 0x21);
	for (int i = 0; i < TLV_NEST_MAX; i++)
		CHECK_INT(tlv_nest_start(&b, A_NEST), 0);
	CHECK_INT(tlv_nest_start(&b, A_NEST), -E2BIG);
}

static void test_short_integers(void)
{
	uint8_t buf[64];
	struct tlv_builder b;
	struct tlv_attr r[TLV_RESULTS_MAX];
	int len;

	/* The reader accepts 1..width bytes and extends them. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_put_int(&b, A_U32, 0xab, 1);
	tlv_put_int(&b, A_S32, 0xfffe, 2);
	tlv_put_int(&b, A_U64, 0x80000000u, 4);
	tlv_put_int(&b, A_S64, 0x800000, 3);
	len = tlv_msg_finish(&b);
	REQUIRE(parse(buf, (size_t)len, r) == 0);
	CHECK_EQ(tlv_get_uint(&r[A_U32], 0), 0xab);
	CHECK_INT(tlv_get_sint(&r[A_S32], 0), -2);
	CHECK_EQ(tlv_get_uint(&r[A_U64], 0), 0x80000000u);
	CHECK_INT(tlv_get_sint(&r[A_S64], 0), -0x800000);
	/* Absent: the default. */
	CHECK_EQ(tlv_get_uint(&r[A_HIGH], 77), 77);
	CHECK_INT(tlv_get_sint(&r[A_HIGH], -9), -9);
	/* A u16 goes out 4 bytes wide, like the driver's put_int. */
	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_put_u32(&b, A_U32, (uint16_t)0xbeef);
	CHECK_INT(tlv_msg_finish(&b), 12);
	CHECK_EQ(tlv_le16(buf + 6), 8);
}

static void test_get_string(void)
{
	uint8_t buf[64];
	struct tlv_builder b;
	struct tlv_attr r[TLV_RESULTS_MAX];
	char s[8];

	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_put_string(&b, A_STR, "0123456789");
	REQUIRE(parse(buf, (size_t)tlv_msg_finish(&b), r) == 0);
	/* Truncated to dst - 1 and NUL-terminated, -E2BIG. */
	CHECK_INT(tlv_get_string(&r[A_STR], s, sizeof(s)), -E2BIG);
	CHECK(strcmp(s, "0123456") == 0);
	CHECK_INT(tlv_get_string(&r[A_STR], s, 0), -E2BIG);
	CHECK_INT(tlv_get_string(&r[A_U32], s, sizeof(s)), -EINVAL);

	tlv_msg_init(&b, buf, sizeof(buf), 0x21);
	tlv_put_string(&b, A_STR, "");
	REQUIRE(parse(buf, (size_t)tlv_msg_finish(&b), r) == 0);
	CHECK_INT(tlv_get_string(&r[A_STR], s, sizeof(s)), 0);
	CHECK_EQ(s[0], 0);
}

/* ---- Rejections: message level --------------------------------------------- */

static void test_reject_message_header(void)
{
	static uint8_t buf[TLV_PAGE_SIZE + 64];
	const char *why = NULL;
	struct tlv_msg m;
	struct tlv_attr r[TLV_RESULTS_MAX];

	memset(buf, 0, sizeof(buf));
	CHECK_INT(tlv_msg_open(&m, buf, 3, &why), -EMSGSIZE);
	CHECK(why != NULL);

	/* is_msg clear. */
	put_hdr(buf, 0x21, 1);
	CHECK_INT(parse(buf, 4, NULL), -EINVAL);

	/* More than a page of dwords. */
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 1025);
	CHECK_INT(parse(buf, sizeof(buf), NULL), -E2BIG);
	/* Exactly a page is allowed by the header check (zero dwords
	 * then read as zero-length attributes: id 0 known -> -E2BIG). */
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 1024);
	CHECK_INT(parse(buf, TLV_PAGE_SIZE, NULL), -E2BIG);

	/* Header claims more than the descriptor carried. */
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 3);
	CHECK_INT(parse(buf, 8, NULL), -EMSGSIZE);

	/* Unknown message id; checked before the zero length. */
	put_hdr(buf, 0x7ff | TLV_F_IS_MSG, 0);
	CHECK_INT(parse(buf, 4, NULL), -ENOENT);
	/* Known id, zero length: -EINVAL (the attribute walk gets -1). */
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 0);
	CHECK_INT(parse(buf, 4, NULL), -EINVAL);

	/* Trailing bytes after the message are not looked at. */
	put_hdr(buf, 0x10 | TLV_F_IS_MSG, 1);
	memset(buf + 4, 0xff, 8);
	CHECK_INT(parse(buf, 12, r), 0);
}

/* ---- Rejections: attributes ------------------------------------------------- */

/* A message 0x21 holding the given raw attribute bytes. */
static int parse_attrs(const void *attrs, size_t n)
{
	static uint8_t buf[TLV_PAGE_SIZE];

	memset(buf, 0, sizeof(buf));
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, (uint16_t)((4 + n) / 4));
	memcpy(buf + 4, attrs, n);
	return parse(buf, 4 + n, NULL);
}

static void test_reject_attributes(void)
{
	uint8_t a[64];

	/* Baseline: one good u32. */
	put_hdr(a, A_U32, 8);
	tlv_put_le32(a + 4, 1);
	CHECK_INT(parse_attrs(a, 8), 0);

	/* Attribute with the message bit. */
	put_hdr(a, A_U32 | TLV_F_IS_MSG, 8);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);

	/* Id 32 and up kill the message even when ignorable. */
	put_hdr(a, 32, 8);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);
	put_hdr(a, 0xfff, 8);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);

	/* Unknown id < 32: skipped, unless cannot-ignore. */
	put_hdr(a, 30, 8);
	CHECK_INT(parse_attrs(a, 8), 0);
	put_hdr(a, 30 | TLV_F_CANNOT_IGNORE, 8);
	CHECK_INT(parse_attrs(a, 8), -ENOENT);
	/* A known id marked cannot-ignore is simply parsed. */
	put_hdr(a, A_U32 | TLV_F_CANNOT_IGNORE, 8);
	CHECK_INT(parse_attrs(a, 8), 0);

	/* Unknown, zero length: the driver records it and meets it again. */
	put_hdr(a, 30, 0);
	CHECK_INT(parse_attrs(a, 4), -EADDRINUSE);
	/* Unknown, length 1..3: skipped as one dword. */
	put_hdr(a, 30, 2);
	put_hdr(a + 4, A_FLAG, 4);
	CHECK_INT(parse_attrs(a, 8), 0);
	/* Known, length below the header: -E2BIG (u16 wrap in the driver). */
	put_hdr(a, A_U32, 3);
	CHECK_INT(parse_attrs(a, 4), -E2BIG);
	put_hdr(a, A_FLAG, 0);
	CHECK_INT(parse_attrs(a, 4), -E2BIG);

	/* Strings: NUL-terminated, 1..max bytes. */
	put_hdr(a, A_STR, 4 + 3);
	memcpy(a + 4, "ab\0", 4);
	CHECK_INT(parse_attrs(a, 8), 0);
	memcpy(a + 4, "abc", 4);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);
	put_hdr(a, A_STR, 4);
	CHECK_INT(parse_attrs(a, 4), -EINVAL);
	put_hdr(a, A_STR, 4 + 17); /* max is 16 */
	memset(a + 4, 'x', 16);
	a[4 + 16] = 0;
	CHECK_INT(parse_attrs(a, 24), -EINVAL);
	put_hdr(a, A_STR, 4 + 16);
	a[4 + 15] = 0;
	CHECK_INT(parse_attrs(a, 20), 0);

	/* Flag with a payload. */
	put_hdr(a, A_FLAG, 8);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);

	/* Integers: 1..width bytes. */
	put_hdr(a, A_U32, 4 + 5);
	CHECK_INT(parse_attrs(a, 12), -EINVAL);
	put_hdr(a, A_U32, 4);
	CHECK_INT(parse_attrs(a, 4), -EINVAL);
	put_hdr(a, A_S32, 4 + 8);
	CHECK_INT(parse_attrs(a, 12), -EINVAL);
	put_hdr(a, A_U64, 4 + 9);
	CHECK_INT(parse_attrs(a, 16), -EINVAL);
	put_hdr(a, A_U64, 4 + 1);
	CHECK_INT(parse_attrs(a, 8), 0);

	/* Binary: 1..max. */
	put_hdr(a, A_MAC, 4 + 7);
	CHECK_INT(parse_attrs(a, 12), -EINVAL);
	put_hdr(a, A_MAC, 4 + 5);
	CHECK_INT(parse_attrs(a, 12), 0);
	put_hdr(a, A_MAC, 4);
	CHECK_INT(parse_attrs(a, 4), -EINVAL);

	/* Nested payload must be a dword multiple; empty is fine. */
	put_hdr(a, A_NEST, 4 + 6);
	CHECK_INT(parse_attrs(a, 12), -EINVAL);
	put_hdr(a, A_NEST, 4);
	CHECK_INT(parse_attrs(a, 4), 0);
	put_hdr(a, A_ARR, 4 + 2);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);

	/* Duplicates. */
	put_hdr(a, A_FLAG, 4);
	put_hdr(a + 4, A_FLAG, 4);
	CHECK_INT(parse_attrs(a, 8), -EADDRINUSE);

	/* Attribute running past the end of the message. */
	put_hdr(a, A_U64, 12);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);
	put_hdr(a, A_STR, 4 + 10); /* string not checked past the end */
	memset(a + 4, 'x', 4);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);
	put_hdr(a, 30, 40); /* skipped unknown, still too long */
	CHECK_INT(parse_attrs(a, 8), -EINVAL);
	/* ... and a duplicate is reported first, as the driver does. */
	put_hdr(a, A_U32, 8);
	put_hdr(a + 8, A_U32, 8);
	CHECK_INT(parse_attrs(a, 12), -EADDRINUSE);
	/* ... but a validation failure comes before the duplicate check. */
	put_hdr(a, A_FLAG, 4);
	put_hdr(a + 4, A_FLAG, 8);
	CHECK_INT(parse_attrs(a, 8), -EINVAL);
}

/* The driver bounds attributes by the page: offset + payload <= 4092. */
static void test_reject_page_bound(void)
{
	static uint8_t buf[TLV_PAGE_SIZE];

	memset(buf, 0, sizeof(buf));
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 1024);
	put_hdr(buf + 4, 30, 3996); /* unknown filler up to offset 4000 */
	put_hdr(buf + 4000, A_RAW, 96);
	CHECK_INT(parse(buf, sizeof(buf), NULL), 0);
	/* 4 bytes more: crosses the page (checked before the overrun). */
	put_hdr(buf + 4000, A_RAW, 100);
	CHECK_INT(parse(buf, sizeof(buf), NULL), -E2BIG);
	/* A raw attribute above 3584 bytes is too long for its index. */
	put_hdr(buf + 4, A_RAW, 4 + 3585);
	CHECK_INT(parse(buf, sizeof(buf), NULL), -EINVAL);
}

static void test_reject_nested(void)
{
	uint8_t buf[128];
	struct tlv_attr r[TLV_RESULTS_MAX], n[TLV_RESULTS_MAX], el[4];
	struct tlv_msg m;

	/* Duplicate inside a nest: the nest parse fails, the message not. */
	memset(buf, 0, sizeof(buf));
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 4);
	put_hdr(buf + 4, A_NEST, 12);
	put_hdr(buf + 8, A_FLAG, 4);
	put_hdr(buf + 12, A_FLAG, 4);
	REQUIRE(parse(buf, 16, r) == 0);
	REQUIRE(tlv_msg_open(&m, buf, 16, NULL) == 0);
	CHECK_INT(tlv_parse_nested(&m, &r[A_NEST], idx_all, n, NULL),
		  -EADDRINUSE);

	/* Element running past the end of its array (still inside the
	 * message): -EINVAL. */
	memset(buf, 0, sizeof(buf));
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 4);
	put_hdr(buf + 4, A_ARR, 8);
	put_hdr(buf + 8, A_U32, 8);
	put_hdr(buf + 12, A_FLAG, 4);
	REQUIRE(parse(buf, 16, r) == 0);
	REQUIRE(tlv_msg_open(&m, buf, 16, NULL) == 0);
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, A_U32, el, 4, NULL),
		  -EINVAL);

	/* Zero-length element: the driver fills every slot with it. */
	put_hdr(buf + 8, A_U32 | 0, 0);
	put_hdr(buf + 4, A_ARR, 8);
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, A_U32, el, 4, NULL),
		  -E2BIG); /* known id, header length 0 */
	memset(buf, 0, sizeof(buf));
	put_hdr(buf, 0x21 | TLV_F_IS_MSG, 3);
	put_hdr(buf + 4, A_ARR, 8);
	put_hdr(buf + 8, 29, 0); /* unknown id */
	REQUIRE(parse(buf, 12, r) == 0);
	REQUIRE(tlv_msg_open(&m, buf, 12, NULL) == 0);
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, 29, el, 4, NULL),
		  -ENOSPC);
	/* Unknown-but-ignorable element ids are stored like known ones. */
	put_hdr(buf + 8, 29, 4);
	CHECK_INT(tlv_parse_array(&m, &r[A_ARR], idx_all, 29, el, 4, NULL), 0);
	CHECK(tlv_present(&el[0]));

	/* A forged nest descriptor pointing outside the message. */
	struct tlv_attr bad = { .val = buf + 8, .len = 64, .off = 4 };
	CHECK_INT(tlv_parse_nested(&m, &bad, idx_all, n, NULL), -EINVAL);
}

/* ---- Fuzz ---------------------------------------------------------------------- */

static uint32_t rng_state = 0x12345678;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Parse everything reachable in buf; every result must lie inside it. */
static void fuzz_one(const uint8_t *buf, size_t len)
{
	struct tlv_attr r[TLV_RESULTS_MAX], n[TLV_RESULTS_MAX], el[8];
	const struct tlv_parser *match;
	struct tlv_msg m;
	const char *why = NULL;
	int err = tlv_msg_parse(&m, buf, len, table, &match, r, &why);

	if (err) {
		CHECK(why != NULL);
		CHECK(err == -EINVAL || err == -E2BIG || err == -EMSGSIZE ||
		      err == -ENOENT || err == -EADDRINUSE);
		return;
	}
	CHECK(m.len <= len);
	for (unsigned i = 0; i < TLV_RESULTS_MAX; i++) {
		if (!r[i].val)
			continue;
		CHECK(r[i].val >= buf + 8 && r[i].val + r[i].len <= buf + m.len);
		(void)tlv_get_uint(&r[i], 0);
		(void)tlv_get_sint(&r[i], 0);
	}
	if (r[A_NEST].val &&
	    tlv_parse_nested(&m, &r[A_NEST], idx_all, n, &why) == 0)
		for (unsigned i = 0; i < TLV_RESULTS_MAX; i++)
			if (n[i].val)
				CHECK(n[i].val + n[i].len <= buf + m.len);
	if (r[A_ARR].val &&
	    tlv_parse_array(&m, &r[A_ARR], idx_all, A_U32, el, 8, &why) == 0)
		for (unsigned i = 0; i < 8; i++)
			if (el[i].val)
				CHECK(el[i].val + el[i].len <= buf + m.len);
}

static void test_fuzz_random(void)
{
	/* Heap buffers of the exact length so ASan sees any overread. */
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = rnd() % 160;
		if (iter % 50 == 0)
			len = rnd() % (TLV_PAGE_SIZE + 8);
		uint8_t *buf = malloc(len ? len : 1);
		REQUIRE(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		/* Bias towards plausible headers so the walk gets exercised. */
		if (len >= 4 && (rnd() & 3)) {
			put_hdr(buf, (uint16_t)((rnd() & 1 ? 0x21 : 0x10) |
						TLV_F_IS_MSG),
				(uint16_t)(len / 4 - (rnd() % 2 ? 0 : rnd() % 3)));
			for (size_t off = 4; off + 4 <= len; off += 4 * (1 + rnd() % 3))
				if (rnd() & 1)
					put_hdr(buf + off,
						(uint16_t)(rnd() % 12 |
							   (rnd() % 8 ? 0 : rnd() & 0xf000)),
						(uint16_t)(rnd() % 24));
		}
		fuzz_one(buf, len);
		free(buf);
	}
}

static void test_fuzz_mutations(void)
{
	uint8_t base[TLV_PAGE_SIZE];
	struct tlv_builder b;
	int len;

	tlv_msg_init(&b, base, sizeof(base), 0x21);
	tlv_put_u32(&b, A_U32, 1);
	tlv_put_u64(&b, A_U64, 2);
	tlv_put_string(&b, A_STR, "mutate");
	tlv_nest_start(&b, A_NEST);
	tlv_put_s32(&b, A_S32, -1);
	tlv_nest_start(&b, A_ARR);
	tlv_put_u32(&b, A_U32, 3);
	tlv_put_u32(&b, A_U32, 4);
	tlv_nest_end(&b);
	tlv_nest_end(&b);
	tlv_nest_start(&b, A_ARR);
	tlv_put_u32(&b, A_U32, 5);
	tlv_nest_end(&b);
	tlv_put_flag(&b, A_FLAG);
	len = tlv_msg_finish(&b);
	REQUIRE(len > 0);
	REQUIRE(parse(base, (size_t)len, NULL) == 0);

	for (int iter = 0; iter < 20000; iter++) {
		size_t l = (size_t)len;
		if (rnd() % 4 == 0)
			l = rnd() % ((size_t)len + 1);
		uint8_t *buf = malloc(l ? l : 1);
		REQUIRE(buf);
		memcpy(buf, base, l);
		for (int k = 1 + rnd() % 4; k > 0 && l; k--) {
			size_t at = rnd() % l;
			if (rnd() & 1)
				buf[at] ^= (uint8_t)(1u << (rnd() % 8));
			else
				buf[at] = (uint8_t)rnd();
		}
		fuzz_one(buf, l);
		free(buf);
	}
}

TEST_MAIN("tlv",
	  TEST_CASE(test_header_bytes),
	  TEST_CASE(test_worked_examples),
	  TEST_CASE(test_roundtrip_all_types),
	  TEST_CASE(test_empty_nest_dropped),
	  TEST_CASE(test_builder_limits),
	  TEST_CASE(test_short_integers),
	  TEST_CASE(test_get_string),
	  TEST_CASE(test_reject_message_header),
	  TEST_CASE(test_reject_attributes),
	  TEST_CASE(test_reject_page_bound),
	  TEST_CASE(test_reject_nested),
	  TEST_CASE(test_fuzz_random),
	  TEST_CASE(test_fuzz_mutations))
