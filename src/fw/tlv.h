/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLV codec of the fbnic host <-> firmware mailbox.
 *
 * Wire format (cross-check: drivers/net/ethernet/meta/fbnic/fbnic_tlv.h,
 * struct fbnic_tlv_hdr): every message and every attribute starts with a
 * 4-byte little-endian header made of two u16:
 *   u16 #0  bits 11:0 type (message id or attribute id), bits 13:12
 *           reserved, bit 14 "cannot ignore", bit 15 "is message";
 *   u16 #1  length: for a message, dwords including the header; for an
 *           attribute, bytes including the header and excluding padding.
 * Attributes are padded with zeroes to a dword boundary.  Integers are LE;
 * the driver sends a C integer as align4(sizeof(variable)) bytes (so u16 and
 * u32 travel as 4 bytes, u64 as 8) and reads 1..width bytes back.  Strings
 * carry their NUL.  A nested attribute or array is an attribute whose
 * payload is a list of attributes (an array repeats one id).
 *
 * Encoding: struct tlv_builder appends into a caller buffer (no allocation).
 * Errors are sticky, so a handler can put everything and check once.
 *
 * Decoding mirrors the driver's validation (fbnic_tlv_msg_parse,
 * fbnic_tlv_attr_parse, fbnic_tlv_attr_parse_array, fbnic_tlv_attr_validate)
 * error for error, so the same parser serves two purposes: the emulated
 * firmware validates host messages with it, and tests decode firmware
 * replies exactly as the driver would.  The one deliberate addition: the
 * driver trusts that a message lies in a whole 4 KiB page, we only trust the
 * bytes we were given (-EMSGSIZE when the header claims more), and we never
 * read past them.  Every function returns 0 or -errno and, when `why` is not
 * NULL, stores a static string saying which rule failed.
 */
#ifndef FBNIC_EMU_DEV_TLV_H
#define FBNIC_EMU_DEV_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLV_HDR_LEN 4u
/* One mailbox buffer: the driver posts PAGE_SIZE pages on x86
 * (FBNIC_RX_PAGE_SIZE) and sends one message per page. */
#define TLV_PAGE_SIZE 4096u
/* fbnic_tlv_msg_parse: header length above PAGE_SIZE / 4 is -E2BIG. */
#define TLV_MSG_MAX_DWORDS (TLV_PAGE_SIZE / 4u)
/* FBNIC_TLV_RESULTS_MAX: attribute ids 0..31; any id >= 32 kills a message. */
#define TLV_RESULTS_MAX 32u
/* TLV_MAX_DATA: largest raw binary attribute, (PAGE_SIZE - 512) & 0xffff. */
#define TLV_MAX_DATA 3584u

#define TLV_TYPE_MASK 0x0fffu
#define TLV_F_CANNOT_IGNORE 0x4000u
#define TLV_F_IS_MSG 0x8000u
/* Terminator of index and parser tables (FBNIC_TLV_ATTR_ID_UNKNOWN,
 * FBNIC_TLV_MSG_ID_UNKNOWN). */
#define TLV_ID_LAST 0xffffu

/* enum fbnic_tlv_type, same order. */
enum tlv_type {
	TLV_STRING,
	TLV_FLAG,
	TLV_UNSIGNED,
	TLV_SIGNED,
	TLV_BINARY,
	TLV_NESTED,
	TLV_ARRAY,
};

/* One expected attribute of a message (struct fbnic_tlv_index): len is the
 * maximum payload (string: including NUL; integer: width; binary: bytes). */
struct tlv_index {
	uint16_t id;
	uint16_t len;
	enum tlv_type type;
};

#define TLV_ATTR_STRING(id, max) { (id), (max), TLV_STRING }
#define TLV_ATTR_FLAG(id) { (id), 0, TLV_FLAG }
#define TLV_ATTR_U32(id) { (id), 4, TLV_UNSIGNED }
#define TLV_ATTR_U64(id) { (id), 8, TLV_UNSIGNED }
#define TLV_ATTR_S32(id) { (id), 4, TLV_SIGNED }
#define TLV_ATTR_S64(id) { (id), 8, TLV_SIGNED }
#define TLV_ATTR_MAC_ADDR(id) { (id), 6, TLV_BINARY }
#define TLV_ATTR_NESTED(id) { (id), 0, TLV_NESTED }
#define TLV_ATTR_ARRAY(id) { (id), 0, TLV_ARRAY }
#define TLV_ATTR_RAW_DATA(id) { (id), TLV_MAX_DATA, TLV_BINARY }
#define TLV_ATTR_LAST { TLV_ID_LAST, 0, TLV_FLAG }

/* ---- Encoding ---------------------------------------------------------- */

#define TLV_NEST_MAX 4

struct tlv_builder {
	uint8_t *buf;
	size_t cap;  /* bytes available in buf */
	size_t len;  /* bytes used, always a dword multiple */
	int err;     /* first error (sticky), 0 if none */
	unsigned depth;
	size_t nest[TLV_NEST_MAX]; /* offsets of open nest headers */
};

/* Start a message with id msg_id (may carry TLV_F_CANNOT_IGNORE; is_msg is
 * set here).  cap must hold at least the header; messages longer than
 * 0xffff dwords cannot be expressed and fail with -E2BIG. */
void tlv_msg_init(struct tlv_builder *b, void *buf, size_t cap,
		  uint16_t msg_id);

/* Append an attribute.  `id` is written verbatim into the type field, so a
 * caller may OR in TLV_F_CANNOT_IGNORE (or, to craft bad input in tests,
 * TLV_F_IS_MSG).  Return 0 or the sticky error (-ENOSPC: no room). */
int tlv_put_value(struct tlv_builder *b, uint16_t id, const void *val,
		  size_t len);
int tlv_put_flag(struct tlv_builder *b, uint16_t id);
/* Integer as `width` LE bytes (1..8); the driver's convention is 4 for
 * anything up to 32 bits and 8 for 64 bits (fbnic_tlv_attr_put_int). */
int tlv_put_int(struct tlv_builder *b, uint16_t id, uint64_t val,
		size_t width);
static inline int tlv_put_u32(struct tlv_builder *b, uint16_t id, uint32_t v)
{
	return tlv_put_int(b, id, v, 4);
}
static inline int tlv_put_u64(struct tlv_builder *b, uint16_t id, uint64_t v)
{
	return tlv_put_int(b, id, v, 8);
}
static inline int tlv_put_s32(struct tlv_builder *b, uint16_t id, int32_t v)
{
	return tlv_put_int(b, id, (uint64_t)(int64_t)v, 4);
}
static inline int tlv_put_s64(struct tlv_builder *b, uint16_t id, int64_t v)
{
	return tlv_put_int(b, id, (uint64_t)v, 8);
}
/* String with its terminating NUL (len = 4 + strlen + 1). */
int tlv_put_string(struct tlv_builder *b, uint16_t id, const char *s);
int tlv_put_mac(struct tlv_builder *b, uint16_t id, const uint8_t mac[6]);
/* Nested attribute or array: attributes put until tlv_nest_end() go inside.
 * Like fbnic_tlv_attr_nest_stop, an empty nest is dropped from the message. */
int tlv_nest_start(struct tlv_builder *b, uint16_t id);
int tlv_nest_end(struct tlv_builder *b);
/* Close the message (header length) and return its size in bytes, or the
 * sticky error.  Open nests are an error (-EINVAL). */
int tlv_msg_finish(struct tlv_builder *b);

/* ---- Decoding ---------------------------------------------------------- */

/* A parsed attribute, pointing into the message buffer (which must outlive
 * it and must not change underneath: parse a private copy, never live guest
 * memory).  val == NULL: absent. */
struct tlv_attr {
	const uint8_t *val; /* payload */
	uint16_t len;       /* payload bytes (header length - 4) */
	uint16_t off;       /* offset of the attribute header in the message */
};

/* A message whose header has been checked. */
struct tlv_msg {
	const uint8_t *buf; /* first byte of the header */
	uint32_t len;       /* header length in bytes (dwords * 4) */
	uint16_t id;        /* type bits 11:0 */
	uint16_t flags;     /* raw bits 15:12 of the type word */
};

/* One message kind a receiver understands (struct fbnic_tlv_parser without
 * the callback).  Tables end with { TLV_ID_LAST, NULL }. */
struct tlv_parser {
	uint16_t id;
	const struct tlv_index *idx;
};

/* Check the message header: at least 4 bytes, is_msg set (-EINVAL), length
 * <= 1024 dwords (-E2BIG), length <= buf_len (-EMSGSIZE).  A zero header
 * length is accepted here and rejected by tlv_parse (as the driver does,
 * after looking up the message id). */
int tlv_msg_open(struct tlv_msg *m, const void *buf, size_t buf_len,
		 const char **why);

/* Top-level attributes of m against idx into res[0..31] (fbnic_tlv_attr_
 * parse): res is cleared first; unknown ids are skipped unless marked
 * cannot-ignore; duplicates are -EADDRINUSE; the attributes must exactly
 * fill the message. */
int tlv_parse(const struct tlv_msg *m, const struct tlv_index *idx,
	      struct tlv_attr res[TLV_RESULTS_MAX], const char **why);

/* Attributes inside a nested attribute (same rules as tlv_parse). */
int tlv_parse_nested(const struct tlv_msg *m, const struct tlv_attr *nest,
		     const struct tlv_index *idx,
		     struct tlv_attr res[TLV_RESULTS_MAX], const char **why);

/* Elements of an array attribute (fbnic_tlv_attr_parse_array): every
 * element must have id elem_id (-EINVAL), at most n of them (-ENOSPC);
 * res[0..n) is cleared, then filled in order. */
int tlv_parse_array(const struct tlv_msg *m, const struct tlv_attr *nest,
		    const struct tlv_index *idx, uint16_t elem_id,
		    struct tlv_attr *res, size_t n, const char **why);

/* Whole message as fbnic_tlv_msg_parse does it: header, id lookup in table
 * (-ENOENT when unknown), then tlv_parse with that id's index.  *match (if
 * not NULL) gets the table entry or NULL. */
int tlv_msg_parse(struct tlv_msg *m, const void *buf, size_t buf_len,
		  const struct tlv_parser *table,
		  const struct tlv_parser **match,
		  struct tlv_attr res[TLV_RESULTS_MAX], const char **why);

/* Value accessors, with the driver's semantics (fbnic_tlv_attr_get_*). */
static inline bool tlv_present(const struct tlv_attr *a)
{
	return a->val != NULL;
}
/* Payload zero-extended from its width (1..8 bytes); def when absent. */
uint64_t tlv_get_uint(const struct tlv_attr *a, uint64_t def);
/* Payload sign-extended from its width; def when absent. */
int64_t tlv_get_sint(const struct tlv_attr *a, int64_t def);
/* Copy a string attribute into dst (always NUL-terminated and zero
 * padded): returns its length, -E2BIG if truncated, -EINVAL if absent. */
int tlv_get_string(const struct tlv_attr *a, char *dst, size_t dstsize);

/* Little-endian helpers, for building and checking raw bytes. */
static inline uint16_t tlv_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t tlv_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static inline void tlv_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void tlv_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
