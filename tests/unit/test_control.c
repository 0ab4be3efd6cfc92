/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control channel without its socket (control_feed, the fuzz target's
 * way in), in front of a runner's device: the answers do not depend on
 * where the client's bytes were cut, an answer after a longer one is only
 * its own bytes (the answer stream is reused), a too long line ends the
 * session and control_feed_end forgets a partial line.  The socket side
 * is tests/protocol/test_control.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "runner.h"
#include "util/unix_sock.h"
#include "test.h"
#include "util/log.h"

static struct runner *r;
static struct control *ctl;

static bool start(void)
{
	log_threshold = LOG_ERR; /* link changes log at info */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/fbnic-unit-control.%d.sock",
		 (int)getpid());
	struct fbnic_config cfg = { .dsn = 0x02fb00fffe000001ull,
				    .msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT };
	struct sock_spec sock = { .path = path, .fd = -1 };
	r = runner_create(&sock, &cfg, NULL);
	unlink(path);
	ctl = r ? control_create(NULL, r) : NULL;
	return ctl != NULL;
}

static void stop(void)
{
	control_destroy(ctl);
	runner_destroy(r);
	ctl = NULL;
	r = NULL;
}

/* Feed s in pieces of `piece` bytes (0: whole); the answers, malloc'd.
 * *ret: control_feed's last verdict. */
static char *feed(const char *s, size_t n, size_t piece, int *ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	*ret = 0;
	for (size_t off = 0; off < n && !*ret;) {
		size_t k = piece && piece < n - off ? piece : n - off;
		*ret = control_feed(ctl, s + off, k, f);
		off += k;
	}
	fclose(f);
	return text;
}

static void test_cut_anywhere(void)
{
	REQUIRE(start());
	static const char session[] =
		"link mode 100cr2 fec rs\nlink\nreg MAC_COMMAND_CONFIG 0x11002\n"
		"\n  \r\nbogus\nsensor temp 61000\nlink mode 25cr fec baser\n"
		"a b c d e f g h i j k l m\nlink\0ignored\nhelp\n";
	int ret;
	char *whole = feed(session, sizeof(session) - 1, 0, &ret);
	REQUIRE(whole != NULL);
	CHECK_INT(ret, 0);
	CHECK(strstr(whole, "error: unknown command 'bogus'"));
	CHECK(strstr(whole, "error: too many arguments\n"));
	CHECK(strstr(whole, "link up mode 25cr fec baser speed 25000\nok\nhelp\n"));
	static const size_t pieces[] = { 1, 2, 3, 7, 64 };
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		char *cut = feed(session, sizeof(session) - 1, pieces[i], &ret);
		CHECK_INT(ret, 0);
		if (!cut || strcmp(cut, whole))
			test_fail(__FILE__, __LINE__, "in pieces of %zu: %s",
				  pieces[i], cut ? cut : "(null)");
		free(cut);
	}
	free(whole);
	stop();
}

/* A long answer, then a short one: the reused stream must give the
 * short one's bytes only. */
static void test_answer_after_longer(void)
{
	REQUIRE(start());
	int ret;
	char *a = feed("trace on\n", 9, 0, &ret);
	free(a);
	for (int i = 0; i < 300; i++) {
		a = feed("link down\nlink up\n", 18, 0, &ret);
		free(a);
	}
	a = feed("dump trace\nlink\n", 16, 0, &ret);
	REQUIRE(a != NULL);
	CHECK(strlen(a) > 10000);
	CHECK(!strncmp(a, "trace on, 600 of 600 events\n", 28));
	const char *last = strstr(a, "\nok\n");
	CHECK(last && !strcmp(last + 4,
			      "link up mode 100cr2 fec rs speed 100000\nok\n"));
	free(a);
	stop();
}

static void test_too_long_and_end(void)
{
	REQUIRE(start());
	char line[CONTROL_LINE_MAX + 8];
	int ret;
	/* the longest line: CONTROL_LINE_MAX bytes with its '\n' */
	memset(line, 'x', sizeof(line));
	memcpy(line, "fw log ", 7);
	line[CONTROL_LINE_MAX - 1] = '\n';
	char *a = feed(line, CONTROL_LINE_MAX, 0, &ret);
	CHECK_INT(ret, 0);
	CHECK(a && !strncmp(a, "uptime_ms ", 10) && strstr(a, "\nok\n"));
	free(a);
	/* one byte more without it: the error, the session ends, the rest
	 * of the bytes are dropped */
	memcpy(line + CONTROL_LINE_MAX, "\nlink\n", 6);
	line[CONTROL_LINE_MAX - 1] = 'x';
	a = feed(line, CONTROL_LINE_MAX + 6, 0, &ret);
	CHECK_INT(ret, 1);
	CHECK(a && !strcmp(a, "error: line longer than 512 bytes\n"));
	free(a);
	a = feed(line, CONTROL_LINE_MAX + 6, 100, &ret);
	CHECK_INT(ret, 1);
	CHECK(a && !strcmp(a, "error: line longer than 512 bytes\n"));
	free(a);
	/* a new session; its partial line goes with control_feed_end */
	a = feed("bogus", 5, 0, &ret);
	CHECK(a && !*a);
	free(a);
	control_feed_end(ctl);
	a = feed("link\n", 5, 0, &ret);
	CHECK_INT(ret, 0);
	CHECK(a && !strcmp(a, "link up mode 100cr2 fec rs speed 100000\nok\n"));
	free(a);
	stop();
}

/* The fault commands: arm, list, clear; malformed ones refused with
 * the reason, nothing armed by them. */
static void test_fault_commands(void)
{
	REQUIRE(start());
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "fault list\n", "rx drop: off, fired 0\n" },
		{ "fault rx drop queue 3 count 5\n", "rx drop: armed queue 3 count 5 left" },
		{ "fault rx corrupt prob 0.01 seed 7\n",
		  "rx corrupt: armed all prob 0.010000 seed 7" },
		{ "fault tx stall queue 0\n", "tx stall: armed queue 0 until cleared" },
		{ "fault rx fcs count 2\n", "rx fcs: armed all count 2 left" },
		{ "fault rx fcs queue 0\n", "error: rx fcs is the MAC's, before any queue" },
		{ "fault completion delay queue 1 ms 20 count 3\n",
		  "completion delay: armed queue 1 ms 20.000 count 3 left" },
		{ "fault completion delay\n", "error: completion delay wants ms MS" },
		{ "fault tx drop ms 5\n", "error: want queue Q" },
		{ "fault irq drop vector 2 count 1\n", "irq drop: armed vector 2 count 1" },
		{ "fault dma fail queue 127\n", "dma fail: armed queue 127 count 1 left" },
		{ "fault clear tx stall\n", "tx stall: off" },
		{ "fault list\n", "rx drop: armed queue 3" },
		{ "fault clear\n", "rx drop: off, fired 0\nrx corrupt: off" },
		{ "fault\n", "error: usage: fault list" },
		{ "fault rx sideways\n", "error: usage: fault list" },
		{ "fault rx drop queue 128\n", "error: queue wants 0..127" },
		{ "fault irq drop queue 1\n", "error: want vector V" },
		{ "fault irq drop vector 999\n", "error: vector wants 0..257" },
		{ "fault tx drop count 0\n", "error: count wants a positive number" },
		{ "fault tx drop prob 1.5\n", "error: prob wants a probability" },
		{ "fault tx drop count\n", "error: a value missing" },
		{ "fault clear rx bogus\n", "error: unknown fault" },
		{ "fault list\n", "dma fail: off" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;
		char *a = feed(cases[i].in, strlen(cases[i].in), 0, &ret);
		if (!a || !strstr(a, cases[i].want))
			test_fail(__FILE__, __LINE__, "%s-> %s (want %s)",
				  cases[i].in, a ? a : "(null)", cases[i].want);
		free(a);
	}
	int ret;
	char *a = feed("fault list\n", 11, 0, &ret);
	CHECK(a && !strstr(a, "armed"));
	free(a);
	stop();
}

TEST_MAIN("unit-control", TEST_CASE(test_fault_commands), TEST_CASE(test_cut_anywhere),
	  TEST_CASE(test_answer_after_longer), TEST_CASE(test_too_long_and_end))
