/* SPDX-License-Identifier: Apache-2.0 */
/* The control channel (--control PATH) of the real binary: every command,
 * and malformed input that must get an error, never a crash. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "vfu_client.h"

static char ctl_path[100];

static bool start(struct vfu_server *s)
{
	static char arg[256];
	snprintf(ctl_path, sizeof(ctl_path), "/tmp/fbnic-ctl-test.%d.sock", getpid());
	snprintf(arg, sizeof(arg), "%s", ctl_path);
	const char *const extra[] = { "--control", arg, NULL };
	return START_SERVER(s, extra);
}

static int ctl_connect(void)
{
	return vfu_unix_connect_wait(ctl_path);
}

/* Send one line, return the whole answer (up to and including the final
 * "ok" or "error: ..." line), malloc'd; NULL on timeout or EOF. */
static char *ask(int fd, const char *line)
{
	size_t n = strlen(line);
	if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n)
		return NULL;
	char *buf = calloc(1, 65536);
	size_t used = 0;
	while (used < 65535) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 30000) <= 0) /* a stall, not a speed */
			break;
		ssize_t r = recv(fd, buf + used, 65535 - used, 0);
		if (r <= 0)
			break;
		used += (size_t)r;
		buf[used] = '\0';
		char *last = used >= 2 ? buf + used - 2 : buf;
		while (last > buf && last[-1] != '\n')
			last--;
		if (buf[used - 1] == '\n' &&
		    (!strncmp(last, "ok\n", 3) || !strncmp(last, "error: ", 7)))
			return buf;
	}
	free(buf);
	return NULL;
}

#define ASK_HAS(fd, line, needle)                                            \
	do {                                                                 \
		char *a_ = ask((fd), (line));                                \
		CHECK(a_ != NULL);                                           \
		if (a_ && !strstr(a_, (needle)))                             \
			test_fail(__FILE__, __LINE__, "%s-> %s (want %s)",   \
				  (line), a_, (needle));                     \
		free(a_);                                                    \
	} while (0)

static void commands(void)
{
	struct vfu_server s;
	if (!start(&s))
		return;
	int fd = ctl_connect();
	REQUIRE(fd >= 0);
	ASK_HAS(fd, "help\n", "link [up|down");
	ASK_HAS(fd, "status\n", "version 0.1");
	ASK_HAS(fd, "status\n", "\nclient none (connections ");
	ASK_HAS(fd, "status\n", "\ndriver bus master off, firmware not owned\n");
	ASK_HAS(fd, "status extra\n", "error: usage: status");
	ASK_HAS(fd, "link\n", "link up mode 100cr2 fec rs speed 100000\nok\n");
	ASK_HAS(fd, "link down\n", "link down mode 100cr2");
	ASK_HAS(fd, "link mode 25cr fec baser\n", "mode 25cr fec baser speed 25000\nok\n");
	ASK_HAS(fd, "link up\n", "link up mode 25cr");
	ASK_HAS(fd, "link mode 50cr fec none\n", "fec rs"); /* PAM4 forces RS */
	ASK_HAS(fd, "sensor temp 61000\n", "temp 61000 volt 750");
	ASK_HAS(fd, "sensor volt 812\n", "temp 61000 volt 812");
	ASK_HAS(fd, "sensor alarm volt 700 800\n", "alarm_volt 700..800");
	ASK_HAS(fd, "fw heartbeat stop\n", "ok\n");
	ASK_HAS(fd, "fw heartbeat resume\n", "ok\n");
	ASK_HAS(fd, "fw log hello from the test\n", "ok\n");
	ASK_HAS(fd, "fw reboot watchdog\n", "uptime_ms 0");
	ASK_HAS(fd, "dump\n", "mac 02:fb:00:00:00:01\n");
	ASK_HAS(fd, "dump\n", "vfio-user.messages 0\n");
	ASK_HAS(fd, "dump\n", "\nlog.suppressed 0\nok\n");
	ASK_HAS(fd, "reg MAC_COMMAND_CONFIG QUEUE[2].RCQ_CTL\n",
		"bar0 0x11002 MAC_MAC MAC_COMMAND_CONFIG 0x00000000\n"
		"bar0 0x40a00 QUEUE QUEUE[2].RCQ_CTL 0x00000000\nok\n");
	ASK_HAS(fd, "reg bar4:0x6000\n", "IPC_MBX IPC_MBX_RX_DESC_LO[0]");
	ASK_HAS(fd, "dump trace\n", "trace off, 0 of 0 events\nok\n");
	ASK_HAS(fd, "trace on\n", "ok\n");
	ASK_HAS(fd, "link down\n", "link down");
	ASK_HAS(fd, "link up\n", "link up");
	ASK_HAS(fd, "dump trace\n", " link 0 0x0 0x0\n");
	ASK_HAS(fd, "dump trace\n", " link 1 0x0 0x0\nok\n");
	ASK_HAS(fd, "trace clear\n", "ok\n");
	ASK_HAS(fd, "dump trace\n", "trace on, 0 of 2 events\nok\n");
	ASK_HAS(fd, "trace off\n", "ok\n");
	ASK_HAS(fd, "trace sideways\n", "error: usage: trace");
	ASK_HAS(fd, "dump bogus\n", "error: usage: dump");
	close(fd);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void malformed(void)
{
	struct vfu_server s;
	if (!start(&s))
		return;
	int fd = ctl_connect();
	REQUIRE(fd >= 0);
	ASK_HAS(fd, "bogus\n", "error: unknown command");
	ASK_HAS(fd, "reg\n", "error: usage: reg");
	ASK_HAS(fd, "reg NOPE\n", "error: unknown register");
	ASK_HAS(fd, "reg 0x80000\n", "error: unknown register");
	ASK_HAS(fd, "link sideways\n", "error: usage");
	ASK_HAS(fd, "link mode 40g\n", "error: mode must be");
	ASK_HAS(fd, "link mode 25cr fec turbo\n", "error: fec must be");
	ASK_HAS(fd, "sensor temp hot\n", "error: temp wants");
	ASK_HAS(fd, "sensor temp 99999999999999999999\n", "error: temp wants");
	ASK_HAS(fd, "sensor volt -5\n", "error: volt wants");
	ASK_HAS(fd, "sensor alarm volt 900 800\n", "error: alarm volt");
	ASK_HAS(fd, "sensor fail 0\n", "error: fail wants");
	ASK_HAS(fd, "fw heartbeat maybe\n", "error: usage");
	ASK_HAS(fd, "a b c d e f g h i j k l m\n", "error: too many arguments");
	/* Long words: a reboot reason and a log line beyond their buffers
	 * are truncated (this once overflowed the joining code). */
	char line[512], word[71];
	memset(word, 'x', 70);
	word[70] = '\0';
	snprintf(line, sizeof(line), "fw log %s %s %s %s %s %s\n", word, word,
		 word, word, word, word);
	ASK_HAS(fd, line, "ok\n");
	snprintf(line, sizeof(line), "fw reboot %s %s %s %s %s %s\n", word, word,
		 word, word, word, word);
	ASK_HAS(fd, line, "ok\n");
	ASK_HAS(fd, "\n\n  \nlink\n", "link up"); /* blank lines are ignored */
	/* A line longer than the buffer: error, then the connection closes. */
	char *huge = malloc(2000);
	memset(huge, 'z', 1999);
	huge[1999] = '\0';
	ASK_HAS(fd, huge, "error: line longer than");
	free(huge);
	close(fd);
	/* Still serving: a new client works. */
	fd = ctl_connect();
	REQUIRE(fd >= 0);
	ASK_HAS(fd, "link\n", "ok\n");
	close(fd);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* A client repeating a bad BAR access: the log keeps a few lines per call
 * site, `dump` writes the pending "similar suppressed" summaries to the log
 * and reports the total, and every access is counted. */
static void dump_flushes_suppressed(void)
{
	struct vfu_server s;
	if (!start(&s))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		for (int i = 0; i < 50; i++) {
			uint64_t v;
			CHECK(vfu_bar_read(&c, 0, 2, 4, &v) != 0);
		}
		int fd = ctl_connect();
		CHECK(fd >= 0);
		char *a = fd >= 0 ? ask(fd, "dump\n") : NULL;
		CHECK(a && strstr(a, "\ncounters.bad_mmio 50\n"));
		/* Two sites (the device and the server) each log 5 of 50,
		 * and one line a second after that. */
		const char *p = a ? strstr(a, "\nlog.suppressed ") : NULL;
		unsigned long n = 0;
		CHECK(p && sscanf(p, "\nlog.suppressed %lu", &n) == 1);
		CHECK(n >= 80 && n <= 90);
		free(a);
		char *log = vfu_server_log(&s, 0);
		CHECK(log && strstr(log, "refused (rate limited from here on)\n"));
		CHECK(log && strstr(log, " similar suppressed since "));
		CHECK(log && strstr(log, "(src/dev/fbnic.c:"));
		if (test_failures || getenv("TEST_VERBOSE"))
			fprintf(stderr, "    server log:\n%s", log ? log : "");
		free(log);
		if (fd >= 0)
			close(fd);
		vfu_disconnect(&c);
	} else {
		test_fail(__FILE__, __LINE__, "vfu_open failed");
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* dump's value of counter NAME, or -1. */
static long long dump_counter(int fd, const char *name)
{
	char *a = ask(fd, "dump\n");
	char key[80];
	long long v = -1;
	snprintf(key, sizeof(key), "\n%s ", name);
	const char *p = a ? strstr(a, key) : NULL;
	if (p)
		v = strtoll(p + strlen(key), NULL, 10);
	free(a);
	return v;
}

/* Every served REGION_READ / REGION_WRITE is counted (config space and
 * BARs: what the guest traps on); a refused one is a region error. */
static void dump_counts_region_accesses(void)
{
	struct vfu_server s;
	if (!start(&s))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		int fd = ctl_connect();
		CHECK(fd >= 0);
		long long r0 = dump_counter(fd, "vfio-user.region_reads");
		long long w0 = dump_counter(fd, "vfio-user.region_writes");
		long long e0 = dump_counter(fd, "vfio-user.region_errors");
		CHECK_INT(r0, 0); /* vfu_open is the version handshake */
		CHECK_INT(w0, 0);
		CHECK_INT(e0, 0);
		const uint64_t mac_cmd_cfg = 0x11002 * 4;
		uint64_t v = 0;
		uint32_t id = 0;
		for (int i = 0; i < 7; i++)
			CHECK_INT(vfu_bar_read(&c, 0, mac_cmd_cfg, 4, &v), 0);
		for (int i = 0; i < 3; i++)
			CHECK_INT(vfu_cfg_read(&c, 0, 4, &id), 0);
		uint32_t v32 = (uint32_t)v;
		for (int i = 0; i < 5; i++)
			CHECK_INT(vfu_region_write(&c, 0, mac_cmd_cfg, 4, &v32), 0);
		CHECK(vfu_bar_read(&c, 0, 2, 4, &v) != 0); /* misaligned */
		CHECK_INT(dump_counter(fd, "vfio-user.region_reads") - r0, 10);
		CHECK_INT(dump_counter(fd, "vfio-user.region_writes") - w0, 5);
		CHECK_INT(dump_counter(fd, "vfio-user.region_errors") - e0, 1);
		/* status sums up the same counters */
		ASK_HAS(fd, "status\n", "\nclient connected (connections ");
		/* the misaligned read, as the device and the server count it */
		ASK_HAS(fd, "status\n", "\nerrors 2 (counters.bad_mmio 1, "
			"vfio-user.region_errors 1)\n");
		ASK_HAS(fd, "status\n", "\nqueues tx 0 rx 0\nframes tx 0 rx 0\ndrops 0\n");
		close(fd);
		vfu_disconnect(&c);
	} else {
		test_fail(__FILE__, __LINE__, "vfu_open failed");
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Bounded resources: at most 8 clients at once (the 9th is told why and
 * closed), and a client that sends commands but never reads its answers
 * is closed once an answer has waited a second for room, instead of
 * stopping the control thread for every other client.  Both counted. */
static void bounded_clients(void)
{
	struct vfu_server s;
	if (!start(&s))
		return;
	int fd[8];
	for (int i = 0; i < 8; i++) {
		fd[i] = ctl_connect();
		REQUIRE(fd[i] >= 0);
		ASK_HAS(fd[i], "link\n", "ok\n"); /* accepted and served */
	}
	int extra = ctl_connect();
	REQUIRE(extra >= 0);
	char buf[128] = "";
	size_t used = 0;
	for (;;) {
		struct pollfd p = { .fd = extra, .events = POLLIN };
		if (poll(&p, 1, 30000) <= 0)
			break;
		ssize_t r = recv(extra, buf + used, sizeof(buf) - 1 - used, 0);
		if (r <= 0)
			break; /* closed by the server */
		used += (size_t)r;
		buf[used] = '\0';
	}
	CHECK(strstr(buf, "error: too many control clients\n") != NULL);
	close(extra);
	CHECK_INT(dump_counter(fd[0], "control.clients_refused"), 1);

	/* fd[1] asks for 300 dumps (tens of kB each) and reads nothing. */
	for (int i = 0; i < 300; i++)
		CHECK_INT(send(fd[1], "dump\n", 5, MSG_NOSIGNAL), 5);
	/* The others are still served meanwhile. */
	ASK_HAS(fd[0], "link\n", "ok\n");
	/* The server gives up on fd[1] within about a second per answer
	 * that did not fit: poll until it is counted (bounded). */
	long long stalled = 0;
	for (int i = 0; i < 300 && stalled != 1; i++) {
		stalled = dump_counter(fd[0], "control.clients_stalled");
		if (stalled != 1)
			poll(NULL, 0, 100);
	}
	CHECK_INT(stalled, 1);
	/* fd[1] reads what was sent before the close, then the end: end of
	 * file, or ECONNRESET (the server closed with fd[1]'s unread lines
	 * still in its socket). */
	char *sink = malloc(65536);
	ssize_t r = 1;
	int err = 0;
	while (sink && r > 0) {
		struct pollfd p = { .fd = fd[1], .events = POLLIN };
		if (poll(&p, 1, 30000) <= 0)
			break;
		r = recv(fd[1], sink, 65536, 0);
		err = r < 0 ? errno : 0;
	}
	free(sink);
	CHECK(r == 0 || (r < 0 && err == ECONNRESET));
	close(fd[1]);
	/* Its slot is free again: a new client is served. */
	fd[1] = ctl_connect();
	REQUIRE(fd[1] >= 0);
	ASK_HAS(fd[1], "link\n", "ok\n");
	CHECK_INT(dump_counter(fd[1], "control.clients_refused"), 1);
	char *log = vfu_server_log(&s, 0);
	CHECK(log && strstr(log, "refused a control client: 8 connected"));
	CHECK(log && strstr(log, "did not read its answers within 1000 ms"));
	if (test_failures || getenv("TEST_VERBOSE"))
		fprintf(stderr, "    server log:\n%s", log ? log : "");
	free(log);
	for (int i = 0; i < 8; i++)
		close(fd[i]);
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol-control", TEST_CASE(commands), TEST_CASE(malformed),
	  TEST_CASE(dump_flushes_suppressed), TEST_CASE(dump_counts_region_accesses),
	  TEST_CASE(bounded_clients))
