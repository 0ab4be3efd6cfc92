/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counters declared once.  A block lists its counters in an X-macro,
 *
 *	#define MBX_COUNTERS(X)                        \
 *		X(tx_msgs, "host messages taken")      \
 *		X(tx_errors, "host messages refused")
 *
 * and gets from it both the struct fields (COUNTER_FIELD) and the table
 * (COUNTER_DESC) that the control channel's dump, the tests and anything
 * else read them through, so no counter is printed by hand.
 */
#ifndef FBNIC_EMU_UTIL_COUNTERS_H
#define FBNIC_EMU_UTIL_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct counter_desc {
	const char *name;
	const char *help;
	size_t offset; /* of a uint64_t inside the counters' struct */
};

#define COUNTER_FIELD(name, help) uint64_t name;
/* Wrap it for the X-macro: #define D(n, h) COUNTER_DESC(struct s, n, h) */
#define COUNTER_DESC(type, name, help) { #name, help, offsetof(type, name) },
#define COUNTER_COUNT(t) (sizeof(t) / sizeof((t)[0]))

static inline uint64_t counter_get(const void *base,
				   const struct counter_desc *d)
{
	return *(const uint64_t *)((const char *)base + d->offset);
}

/* One "PREFIX.NAME VALUE" line per counter. */
void counters_dump(FILE *out, const char *prefix, const void *base,
		   const struct counter_desc *tbl, size_t n);
/* The value of counter NAME; -1 if there is none. */
long long counters_find(const void *base, const struct counter_desc *tbl,
			size_t n, const char *name);

#endif
