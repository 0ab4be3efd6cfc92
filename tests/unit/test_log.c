/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The log: its line format, and the per-call-site rate limit of
 * log_guest() and log_ratelimited() (util/log.h), on a clock the test
 * sets, so nothing sleeps.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "test.h"
#include "util/log.h"

#define SEC 1000000000ull

static atomic_ullong fake_now;

static uint64_t fake_clock(void)
{
	return atomic_load(&fake_now);
}

/* The log written into memory while a test runs. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static bool capture_start(struct capture *c, uint64_t now)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		return false;
	atomic_store(&fake_now, now);
	log_set_clock(fake_clock);
	log_set_sink(c->f);
	log_ratelimit_reset();
	return true;
}

/* The text so far (stays valid until the next call or capture_end). */
static const char *capture_text(struct capture *c)
{
	fflush(c->f);
	return c->buf ? c->buf : "";
}

static unsigned capture_lines(struct capture *c)
{
	unsigned n = 0;
	for (const char *p = capture_text(c); *p; p++)
		n += *p == '\n';
	return n;
}

/* The text of line i (0-based), without its newline, in buf. */
static const char *capture_line(struct capture *c, unsigned i, char *buf,
				size_t size)
{
	const char *p = capture_text(c);
	while (i-- && (p = strchr(p, '\n')))
		p++;
	if (!p || !*p)
		return "";
	size_t n = strcspn(p, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

static void capture_end(struct capture *c)
{
	log_set_sink(NULL);
	log_set_clock(NULL);
	log_ratelimit_reset();
	fclose(c->f);
	free(c->buf);
}

/* One call site each. */
static void site_a(int i)
{
	log_guest("unit", "bad thing %d", i);
}
enum { SITE_A_LINE = __LINE__ - 2 };

static void site_b(int i)
{
	log_guest("unit", "other thing %d", i);
}

static void site_info(int i)
{
	log_ratelimited(LOG_INFO, "unit", "packet %d", i);
}

static void site_debug(int i)
{
	log_ratelimited(LOG_DEBUG, "unit", "debug %d", i);
}

/* The format test scripts grep: "  485.397 fbnic-emu warn fw: ...". */
static void test_line_format(void)
{
	struct capture c;
	REQUIRE(capture_start(&c, 485 * SEC + 397654321));
	unsigned long long before = log_lines_written();
	log_warn("fw", "plain %s", "line");
	site_a(1);
	log_info("main", "at %d", 7);
	CHECK_INT(log_lines_written() - before, 3);
	CHECK(!strcmp(capture_text(&c),
		      "  485.397 fbnic-emu warn fw: plain line\n"
		      "  485.397 fbnic-emu warn unit: guest error: bad thing 1\n"
		      "  485.397 fbnic-emu info main: at 7\n"));
	capture_end(&c);
}

/* Under systemd (stderr is the journal's stream): the syslog priority
 * of each level first, no timestamp (the journal has its own). */
static void test_journal_format(void)
{
	struct capture c;
	REQUIRE(capture_start(&c, 485 * SEC + 397654321));
	log_set_journal(true);
	log_err("main", "e");
	log_warn("fw", "plain %s", "line");
	site_a(2);
	log_info("main", "at %d", 7);
	log_set_journal(false);
	CHECK(!strcmp(capture_text(&c),
		      "<3>main: e\n"
		      "<4>fw: plain line\n"
		      "<4>unit: guest error: bad thing 2\n"
		      "<6>main: at 7\n"));
	capture_end(&c);
}

/* The first LOG_RL_BURST occurrences in full, then nothing until the
 * interval has passed; then one line with the count of the dropped. */
static void test_burst_then_summary(void)
{
	struct capture c;
	char l[256];
	REQUIRE(capture_start(&c, 10 * SEC));
	for (int i = 0; i < 1000; i++)
		site_a(i);
	CHECK_INT(capture_lines(&c), LOG_RL_BURST);
	CHECK(!strcmp(capture_line(&c, 0, l, sizeof(l)),
		      "   10.000 fbnic-emu warn unit: guest error: bad thing 0"));
	CHECK(!strcmp(capture_line(&c, 3, l, sizeof(l)),
		      "   10.000 fbnic-emu warn unit: guest error: bad thing 3"));
	CHECK(!strcmp(capture_line(&c, 4, l, sizeof(l)),
		      "   10.000 fbnic-emu warn unit: guest error: bad thing 4 "
		      "(rate limited from here on)"));
	CHECK_INT(log_suppressed_total(), 1000 - LOG_RL_BURST);
	/* Just before the interval: still dropped. */
	atomic_store(&fake_now, 11 * SEC - 1);
	site_a(1000);
	CHECK_INT(capture_lines(&c), LOG_RL_BURST);
	/* The interval has passed: this one, with the count. */
	atomic_store(&fake_now, 11 * SEC);
	site_a(1001);
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 1);
	CHECK(!strcmp(capture_line(&c, 5, l, sizeof(l)),
		      "   11.000 fbnic-emu warn unit: guest error: bad thing 1001 "
		      "(996 similar suppressed)"));
	/* And the interval starts again from that line. */
	atomic_store(&fake_now, 11 * SEC + SEC / 2);
	for (int i = 0; i < 10; i++)
		site_a(2000 + i);
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 1);
	/* The flush reports those 10; an occurrence long after with nothing
	 * dropped has no count. */
	log_flush_suppressed();
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 2);
	CHECK(strstr(capture_line(&c, 6, l, sizeof(l)),
		     "warn unit: guest error: 10 similar suppressed since 11.000 "));
	atomic_store(&fake_now, 20 * SEC);
	site_a(3000);
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 3);
	CHECK(!strcmp(capture_line(&c, 7, l, sizeof(l)),
		      "   20.000 fbnic-emu warn unit: guest error: bad thing 3000"));
	CHECK_INT(log_suppressed_total(), 1000 - LOG_RL_BURST + 1 + 10);
	capture_end(&c);
}

/* log_flush_suppressed() reports what is pending, once. */
static void test_flush(void)
{
	struct capture c;
	char l[256], want[256];
	REQUIRE(capture_start(&c, 3 * SEC + 250 * 1000000ull));
	for (int i = 0; i < 12; i++)
		site_a(i);
	atomic_store(&fake_now, 3 * SEC + 500 * 1000000ull);
	log_flush_suppressed();
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 1);
	snprintf(want, sizeof(want),
		 "    3.500 fbnic-emu warn unit: guest error: 7 similar "
		 "suppressed since 3.250 (tests/unit/test_log.c:%d)",
		 SITE_A_LINE);
	CHECK(!strcmp(capture_line(&c, LOG_RL_BURST, l, sizeof(l)), want));
	if (strcmp(l, want))
		fprintf(stderr, "    got  %s\n    want %s\n", l, want);
	log_flush_suppressed();
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 1);
	/* The flush line was the site's last line: the interval counts from
	 * it, and the next summary counts only what came after it. */
	atomic_store(&fake_now, 4 * SEC + 400 * 1000000ull);
	site_a(12);
	site_a(13);
	CHECK_INT(capture_lines(&c), LOG_RL_BURST + 1);
	atomic_store(&fake_now, 4 * SEC + 500 * 1000000ull);
	site_a(14);
	CHECK(!strcmp(capture_line(&c, LOG_RL_BURST + 1, l, sizeof(l)),
		      "    4.500 fbnic-emu warn unit: guest error: bad thing 14 "
		      "(2 similar suppressed)"));
	capture_end(&c);
}

/* Every call site has its own budget; log_msg() is not limited. */
static void test_sites_independent(void)
{
	struct capture c;
	REQUIRE(capture_start(&c, SEC));
	for (int i = 0; i < 100; i++) {
		site_a(i);
		site_b(i);
		site_info(i);
		log_warn("unit", "unlimited %d", i);
	}
	CHECK_INT(capture_lines(&c), 3 * LOG_RL_BURST + 100);
	const char *t = capture_text(&c);
	CHECK(strstr(t, "warn unit: guest error: other thing 4 (rate limited"));
	CHECK(strstr(t, "info unit: packet 4 (rate limited from here on)\n"));
	CHECK(!strstr(t, "packet 5"));
	CHECK(strstr(t, "warn unit: unlimited 99\n"));
	CHECK_INT(log_suppressed_total(), 3 * (100 - LOG_RL_BURST));
	log_flush_suppressed();
	CHECK_INT(capture_lines(&c), 3 * LOG_RL_BURST + 100 + 3);
	t = capture_text(&c);
	CHECK(strstr(t, "info unit: 95 similar suppressed since 1.000 "));
	capture_end(&c);
}

/* Below the threshold nothing is written, counted or suppressed. */
static void test_threshold(void)
{
	struct capture c;
	REQUIRE(capture_start(&c, SEC));
	for (int i = 0; i < 100; i++)
		site_debug(i);
	log_flush_suppressed();
	CHECK_INT(capture_lines(&c), 0);
	CHECK_INT(log_suppressed_total(), 0);
	capture_end(&c);
}

#define THREADS 4
#define PER_THREAD 20000

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < PER_THREAD; i++) {
		site_a(i);
		/* a few intervals pass while the threads run */
		if (i % 5000 == 4999)
			atomic_fetch_add(&fake_now, SEC);
	}
	return NULL;
}

/* Concurrent call sites: every occurrence is either a line or counted in
 * exactly one summary. */
static void test_threads_add_up(void)
{
	struct capture c;
	REQUIRE(capture_start(&c, SEC));
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, hammer, NULL) == 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	log_flush_suppressed();
	unsigned long long full = 0, counted = 0;
	unsigned lines = capture_lines(&c);
	char l[256];
	for (unsigned i = 0; i < lines; i++) {
		capture_line(&c, i, l, sizeof(l));
		const char *p;
		unsigned long long n;
		if ((p = strstr(l, "guest error: bad thing "))) {
			full++;
			if ((p = strchr(p, '(')) &&
			    sscanf(p, "(%llu similar suppressed)", &n) == 1)
				counted += n;
		} else if ((p = strstr(l, "guest error: ")) &&
			   sscanf(p, "guest error: %llu similar suppressed", &n) == 1) {
			counted += n;
		} else {
			test_fail(__FILE__, __LINE__, "line %s", l);
		}
	}
	CHECK_INT(full + counted, THREADS * PER_THREAD);
	CHECK_INT(counted, log_suppressed_total());
	/* 5, at most one per interval (16 intervals pass), the flush */
	CHECK(lines >= LOG_RL_BURST + 1 && lines <= LOG_RL_BURST + 16 + 1);
	capture_end(&c);
}

TEST_MAIN("unit-log", TEST_CASE(test_line_format), TEST_CASE(test_journal_format),
	  TEST_CASE(test_burst_then_summary), TEST_CASE(test_flush),
	  TEST_CASE(test_sites_independent), TEST_CASE(test_threshold),
	  TEST_CASE(test_threads_add_up))
