/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest that does the same bad thing at MMIO rate must not flood the
 * log: every log_guest() call site writes its first few lines, then
 * summaries, while the device still counts every occurrence.
 */
#include <errno.h>
#include <stdlib.h>

#include "dev/csr.h"
#include "harness.h"
#include "test.h"
#include "util/log.h"

#define FLOOD 100000
#define MAX_LINES 20
#define PTP_CTR_VAL_LO FBNIC_PTP_CTR_VAL_LO /* read-only */

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static bool capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		return false;
	log_set_sink(c->f);
	return true;
}

/* Stop capturing; the text stays in c->buf until capture_free(). */
static void capture_stop(struct capture *c)
{
	log_set_sink(NULL);
	fclose(c->f);
	c->f = NULL;
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "%s", c->buf ? c->buf : "");
}

static void capture_free(struct capture *c)
{
	free(c->buf);
}

static unsigned count_lines(const char *t)
{
	unsigned n = 0;
	for (; t && *t; t++)
		n += *t == '\n';
	return n;
}

/* The occurrences one call site accounts for in the log: its full lines
 * (those containing `msg`), plus N of their "(N similar suppressed)",
 * plus N of the flushed "N similar suppressed since T (FILE:LINE)" lines
 * of the site's source file.  *full gets the full lines. */
static unsigned long long site_total(const char *log, const char *sub,
				     const char *msg, const char *file,
				     unsigned long long *full)
{
	unsigned long long total = 0;
	char head[64];
	snprintf(head, sizeof(head), " fbnic-emu warn %s: guest error: ", sub);
	*full = 0;
	for (const char *l = log; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		l += n + (end ? 1 : 0);
		const char *p = strstr(line, head);
		unsigned long long k;
		if (!p)
			continue;
		p += strlen(head);
		if (strstr(p, msg)) {
			++*full;
			++total;
			const char *s = strrchr(p, '(');
			if (s && sscanf(s, "(%llu similar suppressed)", &k) == 1)
				total += k;
		} else if (strstr(p, file) &&
			   sscanf(p, "%llu similar suppressed since", &k) == 1) {
			total += k;
		}
	}
	return total;
}

/* The value of `key` in fbnic_dump's output. */
static long long dump_value(struct fbnic *dev, const char *key)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	fbnic_dump(dev, f);
	fclose(f);
	long long v = -1;
	size_t klen = strlen(key);
	for (const char *l = buf; l && *l;) {
		if (!strncmp(l, key, klen) && l[klen] == ' ') {
			v = strtoll(l + klen + 1, NULL, 10);
			break;
		}
		const char *nl = strchr(l, '\n');
		l = nl ? nl + 1 : NULL;
	}
	free(buf);
	return v;
}

/* 100000 misaligned 4-byte reads: each refused and counted, a handful of
 * lines logged, and the numbers in the log add up to all of them. */
static void test_bad_mmio_flood(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct capture c;
	REQUIRE(capture_start(&c));
	log_ratelimit_reset();
	unsigned long long lines0 = log_lines_written();
	unsigned refused = 0;
	for (unsigned i = 0; i < FLOOD; i++) {
		uint64_t v = 0;
		refused += fbnic_bar_read(h->dev, 0, 2, 4, &v) == -EINVAL;
	}
	log_flush_suppressed();
	capture_stop(&c);
	CHECK_INT(refused, FLOOD);
	CHECK_INT(dump_value(h->dev, "counters.bad_mmio"), FLOOD);

	unsigned lines = count_lines(c.buf);
	CHECK(lines <= MAX_LINES);
	CHECK_INT(log_lines_written() - lines0, lines);
	unsigned long long full;
	unsigned long long total = site_total(
		c.buf, "fbnic", "BAR0 access of 4 bytes at 0x2 refused",
		"src/dev/fbnic.c:", &full);
	CHECK_INT(total, FLOOD);
	CHECK(full >= LOG_RL_BURST && full < lines);
	CHECK(strstr(c.buf, "refused (rate limited from here on)\n"));
	CHECK_INT(log_suppressed_total(), FLOOD - full);
	/* Nothing left to report. */
	log_flush_suppressed();
	CHECK_INT(log_lines_written() - lines0, lines);
	if (test_failures)
		fprintf(stderr, "    log:\n%s", c.buf ? c.buf : "");
	capture_free(&c);
	h_destroy(h);
}

/* Two bad things interleaved: each call site has its own budget, and
 * each adds up on its own. */
static void test_two_sites_interleaved(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct capture c;
	REQUIRE(capture_start(&c));
	log_ratelimit_reset();
	for (unsigned i = 0; i < FLOOD; i++) {
		uint64_t v = 0;
		fbnic_bar_read(h->dev, 0, 2, 4, &v);
		h_wr32(h, 0, PTP_CTR_VAL_LO, i);
	}
	log_flush_suppressed();
	capture_stop(&c);
	CHECK_INT(dump_value(h->dev, "counters.bad_mmio"), FLOOD);
	CHECK_INT(dump_value(h->dev, "counters.ro_writes"), FLOOD);
	CHECK(count_lines(c.buf) <= 2 * MAX_LINES);
	unsigned long long full_mmio, full_ptp;
	CHECK_INT(site_total(c.buf, "fbnic",
			     "BAR0 access of 4 bytes at 0x2 refused",
			     "src/dev/fbnic.c:", &full_mmio),
		  FLOOD);
	CHECK_INT(site_total(c.buf, "ptp", "to read-only PTP index 0x04809",
			     "src/dev/ptp.c:", &full_ptp),
		  FLOOD);
	CHECK(full_mmio >= LOG_RL_BURST && full_ptp >= LOG_RL_BURST);
	CHECK_INT(log_suppressed_total(), 2ull * FLOOD - full_mmio - full_ptp);
	if (test_failures)
		fprintf(stderr, "    log:\n%s", c.buf ? c.buf : "");
	capture_free(&c);
	h_destroy(h);
}

TEST_MAIN("device-log-flood", TEST_CASE(test_bad_mmio_flood),
	  TEST_CASE(test_two_sites_interleaved))
