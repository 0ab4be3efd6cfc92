/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLV codec of the fbnic mailbox; see tlv.h for the format and the rules.
 */
#include "tlv.h"

#include <errno.h>
#include <string.h>

static int fail(const char **why, const char *reason, int err)
{
	if (why)
		*why = reason;
	return err;
}

static size_t align4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

/* ---- Encoding ---------------------------------------------------------- */

/* The message header counts dwords in a u16. */
#define TLV_MSG_MAX_BYTES ((size_t)0xffffu * 4u)

void tlv_msg_init(struct tlv_builder *b, void *buf, size_t cap,
		  uint16_t msg_id)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap > TLV_MSG_MAX_BYTES ? TLV_MSG_MAX_BYTES : cap;
	if (!buf || b->cap < TLV_HDR_LEN) {
		b->err = -ENOSPC;
		return;
	}
	tlv_put_le16(b->buf, (uint16_t)(msg_id | TLV_F_IS_MSG));
	tlv_put_le16(b->buf + 2, 1);
	b->len = TLV_HDR_LEN;
}

int tlv_put_value(struct tlv_builder *b, uint16_t id, const void *val,
		  size_t len)
{
	if (b->err)
		return b->err;
	if (len && !val)
		return b->err = -EINVAL;
	/* The attribute header counts bytes in a u16. */
	if (len > 0xffffu - TLV_HDR_LEN)
		return b->err = -E2BIG;
	size_t need = align4(TLV_HDR_LEN + len);
	if (need > b->cap - b->len)
		return b->err = -ENOSPC;
	uint8_t *p = b->buf + b->len;
	tlv_put_le16(p, id);
	tlv_put_le16(p + 2, (uint16_t)(TLV_HDR_LEN + len));
	if (len)
		memcpy(p + TLV_HDR_LEN, val, len);
	/* Zero the padding: the bytes are guest-visible. */
	memset(p + TLV_HDR_LEN + len, 0, need - TLV_HDR_LEN - len);
	b->len += need;
	return 0;
}

int tlv_put_flag(struct tlv_builder *b, uint16_t id)
{
	return tlv_put_value(b, id, NULL, 0);
}

int tlv_put_int(struct tlv_builder *b, uint16_t id, uint64_t val,
		size_t width)
{
	uint8_t le[8];

	if (b->err)
		return b->err;
	if (width < 1 || width > 8)
		return b->err = -EINVAL;
	for (size_t i = 0; i < width; i++)
		le[i] = (uint8_t)(val >> (8 * i));
	return tlv_put_value(b, id, le, width);
}

int tlv_put_string(struct tlv_builder *b, uint16_t id, const char *s)
{
	return tlv_put_value(b, id, s, strlen(s) + 1);
}

int tlv_put_mac(struct tlv_builder *b, uint16_t id, const uint8_t mac[6])
{
	return tlv_put_value(b, id, mac, 6);
}

int tlv_nest_start(struct tlv_builder *b, uint16_t id)
{
	if (b->err)
		return b->err;
	if (b->depth >= TLV_NEST_MAX)
		return b->err = -E2BIG;
	if (TLV_HDR_LEN > b->cap - b->len)
		return b->err = -ENOSPC;
	uint8_t *p = b->buf + b->len;
	tlv_put_le16(p, id);
	tlv_put_le16(p + 2, TLV_HDR_LEN);
	b->nest[b->depth++] = b->len;
	b->len += TLV_HDR_LEN;
	return 0;
}

int tlv_nest_end(struct tlv_builder *b)
{
	if (b->depth == 0)
		return b->err ? b->err : (b->err = -EINVAL);
	size_t off = b->nest[--b->depth];
	if (b->err)
		return b->err;
	size_t size = b->len - off;
	if (size == TLV_HDR_LEN) {
		/* Nothing inside: leave it out, as fbnic_tlv_attr_nest_stop. */
		b->len = off;
		return 0;
	}
	if (size > 0xffffu)
		return b->err = -E2BIG;
	/* On the wire a nest's length is in bytes like any attribute. */
	tlv_put_le16(b->buf + off + 2, (uint16_t)size);
	return 0;
}

int tlv_msg_finish(struct tlv_builder *b)
{
	if (!b->err && b->depth)
		b->err = -EINVAL;
	if (b->err)
		return b->err;
	tlv_put_le16(b->buf + 2, (uint16_t)(b->len / 4));
	return (int)b->len;
}

/* ---- Decoding ---------------------------------------------------------- */

static const struct tlv_index *index_find(const struct tlv_index *idx,
					  uint16_t id)
{
	for (; idx && idx->id != TLV_ID_LAST; idx++)
		if (idx->id == id)
			return idx;
	return NULL;
}

enum { ATTR_STORE = 0, ATTR_SKIP = 1, ATTR_ZERO_UNKNOWN = 2 };

/*
 * The header-only checks of fbnic_tlv_attr_validate, in its order.  The
 * string NUL check needs the payload and is done by the caller once it knows
 * the payload lies inside the container.
 */
static int attr_validate(const struct tlv_msg *m, size_t off,
			 const struct tlv_index *idx,
			 const struct tlv_index **entp, const char **why)
{
	const uint8_t *p = m->buf + off;
	uint16_t type = tlv_le16(p), hlen = tlv_le16(p + 2);
	uint16_t id = type & TLV_TYPE_MASK;
	const struct tlv_index *ent;

	*entp = NULL;
	if (type & TLV_F_IS_MSG)
		return fail(why, "attribute has the message bit set", -EINVAL);
	if (id >= TLV_RESULTS_MAX)
		return fail(why, "attribute id beyond the results table (>= 32)",
			    -EINVAL);
	ent = index_find(idx, id);
	if (!ent) {
		if (type & TLV_F_CANNOT_IGNORE)
			return fail(why, "unknown attribute marked cannot-ignore",
				    -ENOENT);
		/* The driver returns the header length as "skip"; a zero
		 * length reads as "valid" and is handled by the walker. */
		return hlen ? ATTR_SKIP : ATTR_ZERO_UNKNOWN;
	}
	/* The driver computes the payload length in a u16, so a header
	 * length below 4 wraps and fails the page bound. */
	if (hlen < TLV_HDR_LEN)
		return fail(why, "attribute length shorter than its header",
			    -E2BIG);
	size_t plen = hlen - TLV_HDR_LEN;
	if (off + plen > TLV_PAGE_SIZE - TLV_HDR_LEN)
		return fail(why, "attribute crosses the end of the page", -E2BIG);

	switch (ent->type) {
	case TLV_STRING:
		if (!plen || plen > ent->len)
			return fail(why, "string empty or longer than its maximum",
				    -EINVAL);
		break;
	case TLV_FLAG:
		if (plen)
			return fail(why, "flag attribute with a payload", -EINVAL);
		break;
	case TLV_UNSIGNED:
	case TLV_SIGNED:
		if (ent->len > 8)
			return fail(why, "index declares an integer wider than 64 bits",
				    -EINVAL);
		/* fall through */
	case TLV_BINARY:
		if (!plen || plen > ent->len)
			return fail(why, "integer or binary payload empty or too long",
				    -EINVAL);
		break;
	case TLV_NESTED:
	case TLV_ARRAY:
		if (plen % 4)
			return fail(why, "nested payload not a multiple of 4 bytes",
				    -EINVAL);
		break;
	default:
		return fail(why, "index entry of unknown type", -EINVAL);
	}
	*entp = ent;
	return ATTR_STORE;
}

/*
 * Walk len_dw dwords of attributes starting at byte off of the message:
 * fbnic_tlv_attr_parse (array == false) or fbnic_tlv_attr_parse_array.
 * The region lies inside the message, so every header read is in bounds;
 * an attribute whose length runs past the region is the last one walked and
 * makes the result -EINVAL (the driver's "len != 0" at the end), unless a
 * rule the driver applies before that fails first.
 */
static int walk(const struct tlv_msg *m, size_t off, long len_dw,
		const struct tlv_index *idx, bool array, uint16_t elem_id,
		struct tlv_attr *res, size_t n, const char **why)
{
	size_t count = 0;

	memset(res, 0, n * sizeof(*res));
	if (len_dw < 0)
		return fail(why, "message header length is zero", -EINVAL);

	while (len_dw > 0) {
		const uint8_t *p = m->buf + off;
		uint16_t type = tlv_le16(p), hlen = tlv_le16(p + 2);
		uint16_t id = type & TLV_TYPE_MASK;
		const struct tlv_index *ent;
		int ret;

		if (array && id != elem_id)
			return fail(why, "array element with an unexpected id",
				    -EINVAL);
		ret = attr_validate(m, off, idx, &ent, why);
		if (ret < 0)
			return ret;
		if (ret == ATTR_ZERO_UNKNOWN) {
			/* The driver records it, does not advance, and meets
			 * it again: a duplicate (or, in an array, overflow). */
			if (array)
				return fail(why, "zero-length array element",
					    -ENOSPC);
			return fail(why, "zero-length attribute", -EADDRINUSE);
		}

		size_t plen = hlen >= TLV_HDR_LEN ? hlen - TLV_HDR_LEN : 0;
		long adw = (long)((hlen + 3u) / 4u);
		bool overrun = adw > len_dw;

		if (!overrun && ent && ent->type == TLV_STRING &&
		    p[TLV_HDR_LEN + plen - 1] != '\0')
			return fail(why, "string not NUL-terminated", -EINVAL);

		struct tlv_attr a = {
			.val = p + TLV_HDR_LEN,
			.len = (uint16_t)plen,
			.off = (uint16_t)off,
		};
		if (array) {
			/* The driver stores every element, even one of an
			 * id its index does not know. */
			if (count >= n)
				return fail(why, "more array elements than expected",
					    -ENOSPC);
			if (!overrun)
				res[count] = a;
			count++;
		} else if (ret == ATTR_STORE) {
			if (res[id].val)
				return fail(why, "duplicate attribute",
					    -EADDRINUSE);
			if (!overrun)
				res[id] = a;
		}
		if (overrun)
			return fail(why, "attribute runs past the end of its container",
				    -EINVAL);
		len_dw -= adw;
		off += (size_t)adw * 4u;
	}
	return 0;
}

int tlv_msg_open(struct tlv_msg *m, const void *buf, size_t buf_len,
		 const char **why)
{
	const uint8_t *p = buf;

	memset(m, 0, sizeof(*m));
	if (!buf || buf_len < TLV_HDR_LEN)
		return fail(why, "shorter than a TLV header", -EMSGSIZE);
	uint16_t type = tlv_le16(p), hlen = tlv_le16(p + 2);
	if (!(type & TLV_F_IS_MSG))
		return fail(why, "message bit not set", -EINVAL);
	if (hlen > TLV_MSG_MAX_DWORDS)
		return fail(why, "message longer than a page", -E2BIG);
	if ((size_t)hlen * 4u > buf_len)
		return fail(why, "message header length exceeds the buffer",
			    -EMSGSIZE);
	m->buf = p;
	m->len = (uint32_t)hlen * 4u;
	m->id = type & TLV_TYPE_MASK;
	m->flags = type & (uint16_t)~TLV_TYPE_MASK;
	return 0;
}

int tlv_parse(const struct tlv_msg *m, const struct tlv_index *idx,
	      struct tlv_attr res[TLV_RESULTS_MAX], const char **why)
{
	long len_dw = (long)(m->len / 4u) - 1;

	return walk(m, TLV_HDR_LEN, len_dw, idx, false, 0, res,
		    TLV_RESULTS_MAX, why);
}

static int nest_region(const struct tlv_msg *m, const struct tlv_attr *nest,
		       const char **why)
{
	if (!nest->val)
		return fail(why, "nested attribute absent", -EINVAL);
	if (nest->len % 4u ||
	    (size_t)nest->off + TLV_HDR_LEN + nest->len > m->len ||
	    nest->val != m->buf + nest->off + TLV_HDR_LEN)
		return fail(why, "nested attribute outside its message", -EINVAL);
	return 0;
}

int tlv_parse_nested(const struct tlv_msg *m, const struct tlv_attr *nest,
		     const struct tlv_index *idx,
		     struct tlv_attr res[TLV_RESULTS_MAX], const char **why)
{
	int err = nest_region(m, nest, why);

	if (err) {
		memset(res, 0, TLV_RESULTS_MAX * sizeof(*res));
		return err;
	}
	return walk(m, (size_t)nest->off + TLV_HDR_LEN, (long)(nest->len / 4u),
		    idx, false, 0, res, TLV_RESULTS_MAX, why);
}

int tlv_parse_array(const struct tlv_msg *m, const struct tlv_attr *nest,
		    const struct tlv_index *idx, uint16_t elem_id,
		    struct tlv_attr *res, size_t n, const char **why)
{
	int err = nest_region(m, nest, why);

	if (err) {
		memset(res, 0, n * sizeof(*res));
		return err;
	}
	return walk(m, (size_t)nest->off + TLV_HDR_LEN, (long)(nest->len / 4u),
		    idx, true, elem_id, res, n, why);
}

int tlv_msg_parse(struct tlv_msg *m, const void *buf, size_t buf_len,
		  const struct tlv_parser *table,
		  const struct tlv_parser **match,
		  struct tlv_attr res[TLV_RESULTS_MAX], const char **why)
{
	int err;

	if (match)
		*match = NULL;
	memset(res, 0, TLV_RESULTS_MAX * sizeof(*res));
	err = tlv_msg_open(m, buf, buf_len, why);
	if (err)
		return err;
	for (; table && table->id != TLV_ID_LAST; table++)
		if (table->id == m->id)
			break;
	if (!table || table->id == TLV_ID_LAST)
		return fail(why, "unknown message id", -ENOENT);
	if (match)
		*match = table;
	return tlv_parse(m, table->idx, res, why);
}

uint64_t tlv_get_uint(const struct tlv_attr *a, uint64_t def)
{
	uint64_t v = 0;

	if (!a->val)
		return def;
	size_t n = a->len > 8 ? 8 : a->len;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)a->val[i] << (8 * i);
	return v;
}

int64_t tlv_get_sint(const struct tlv_attr *a, int64_t def)
{
	int64_t s;

	if (!a->val)
		return def;
	size_t n = a->len > 8 ? 8 : a->len;
	uint64_t v = tlv_get_uint(a, 0);
	if (n == 0)
		return 0;
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * n);
	memcpy(&s, &v, sizeof(s));
	return s;
}

int tlv_get_string(const struct tlv_attr *a, char *dst, size_t dstsize)
{
	size_t srclen, n;
	int ret;

	if (!a->val)
		return -EINVAL;
	if (dstsize == 0)
		return -E2BIG;
	srclen = a->len;
	if (srclen > 0 && a->val[srclen - 1] == '\0')
		srclen--;
	if (srclen >= dstsize) {
		n = dstsize - 1;
		ret = -E2BIG;
	} else {
		n = srclen;
		ret = (int)n;
	}
	memcpy(dst, a->val, n);
	memset(dst + n, 0, dstsize - n);
	return ret;
}
