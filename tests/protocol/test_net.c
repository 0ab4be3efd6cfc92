/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The real binary with --net and --pcap: the runner's wiring of a stream
 * backend.  The backend's link is the device's cable; a frame from the
 * peer reaches the device (dropped at a MAC that is not receiving, taken
 * by one that is); the control channel's dump shows the backend's
 * counters; the pcap holds what came in.  And bad --net
 * values stop fbnic-emu with exit code 2.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "vfu_client.h"

static char dir[64], net_path[96], ctl_path[96], pcap_path[96];

/* The whole "dump" answer, malloc'd; NULL on a stall or EOF. */
static char *dump(int ctl)
{
	if (send(ctl, "dump\n", 5, MSG_NOSIGNAL) != 5)
		return NULL;
	size_t cap = 1 << 20, used = 0;
	char *buf = calloc(1, cap);
	while (buf && used < cap - 1) {
		struct pollfd p = { .fd = ctl, .events = POLLIN };
		if (poll(&p, 1, 30000) <= 0) /* a stall, not a speed */
			break;
		ssize_t r = recv(ctl, buf + used, cap - 1 - used, 0);
		if (r <= 0)
			break;
		used += (size_t)r;
		buf[used] = '\0';
		if (used >= 4 && !strcmp(buf + used - 4, "\nok\n"))
			return buf;
	}
	free(buf);
	return NULL;
}

static long long dump_value(int ctl, const char *key)
{
	char *text = dump(ctl);
	char k[64];
	snprintf(k, sizeof(k), "\n%s ", key);
	char *at = text ? strstr(text, k) : NULL;
	long long v = at ? strtoll(at + strlen(k), NULL, 10) : -1;
	free(text);
	return v;
}

/* Ask until key shows want (the net thread works on its own time):
 * bounded, then whatever it shows. */
static long long wait_value(int ctl, const char *key, long long want)
{
	long long v = dump_value(ctl, key);
	for (int i = 0; v != want && i < 500; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
		v = dump_value(ctl, key);
	}
	return v;
}

#define CHECK_VALUE(ctl, key, want) CHECK_INT(wait_value((ctl), (key), (want)), (want))

static bool send_frame(int fd, uint8_t tag, uint32_t len)
{
	uint8_t buf[4 + 1514];
	if (len > 1514)
		return false;
	uint32_t be = htonl(len);
	memcpy(buf, &be, 4);
	for (uint32_t i = 0; i < len; i++)
		buf[4 + i] = (uint8_t)(tag + i);
	return send(fd, buf, 4 + len, MSG_NOSIGNAL) == (ssize_t)(4 + len);
}

static void mac_rx_on(struct vfu_client *c)
{
	/* fbnic_mac_link_up_asic: clocks out of reset, RX and TX on. */
	uint32_t zero = 0, cfg = FBNIC_MAC_COMMAND_CONFIG_RX_ENA |
				 FBNIC_MAC_COMMAND_CONFIG_TX_ENA;
	CHECK_INT(vfu_region_write(c, 0, FBNIC_SIG_MAC_IN0 * 4, 4, &zero), 0);
	CHECK_INT(vfu_region_write(c, 0, FBNIC_MAC_COMMAND_CONFIG * 4, 4, &cfg),
		  0);
}

static void check_pcap(const uint32_t *lens, const uint8_t *tags, int n)
{
	FILE *f = fopen(pcap_path, "rb");
	REQUIRE(f);
	uint8_t buf[8192];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	REQUIRE(len >= 24);
	uint32_t w[6];
	memcpy(w, buf, sizeof(w));
	CHECK_EQ(w[0], 0xa1b2c3d4u);
	CHECK_EQ(w[1], 2u | 4u << 16); /* version 2.4, little-endian host */
	CHECK_INT(w[4], 65535);
	CHECK_INT(w[5], 1);
	size_t at = 24;
	for (int i = 0; i < n; i++) {
		REQUIRE(at + 16 + lens[i] <= len);
		uint32_t rec[4];
		memcpy(rec, buf + at, sizeof(rec));
		CHECK_INT(rec[2], lens[i]);
		CHECK_INT(rec[3], lens[i]);
		CHECK_INT(buf[at + 16], tags[i]);
		CHECK_INT(buf[at + 16 + lens[i] - 1], (uint8_t)(tags[i] + lens[i] - 1));
		at += 16 + lens[i];
	}
	CHECK_INT(at, len);
}

static void test_stream_backend_feeds_the_device(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fbnic-net-proto.XXXXXX");
	REQUIRE(mkdtemp(dir));
	snprintf(net_path, sizeof(net_path), "%s/net.sock", dir);
	snprintf(ctl_path, sizeof(ctl_path), "%s/ctl.sock", dir);
	snprintf(pcap_path, sizeof(pcap_path), "%s/x.pcap", dir);
	char uri[128];
	snprintf(uri, sizeof(uri), "stream:unix:%s,listen", net_path);
	const char *const extra[] = { "--net",     uri,       "--control",
				      ctl_path,    "--pcap",  pcap_path,
				      NULL };
	struct vfu_server s;
	if (!START_SERVER(&s, extra))
		return;
	int ctl = vfu_unix_connect_wait(ctl_path);
	REQUIRE(ctl >= 0);

	/* No peer yet: the cable is out. */
	CHECK_VALUE(ctl, "link.up", 0);
	CHECK_VALUE(ctl, "net.link", 0);
	int peer = vfu_unix_connect(net_path);
	REQUIRE(peer >= 0);
	CHECK_VALUE(ctl, "link.up", 1);
	CHECK_VALUE(ctl, "net.connects", 1);

	/* The MAC is not receiving (no driver): dropped at the wire. */
	CHECK(send_frame(peer, 0x10, 60));
	CHECK_VALUE(ctl, "port.rx_drop_mac", 1);
	CHECK_VALUE(ctl, "net.rx_frames", 1);
	CHECK_VALUE(ctl, "net.rx_refused", 1);
	CHECK_VALUE(ctl, "net.holding", 0);

	/* A receiving MAC: the device takes the frames (its classifier,
	 * not programmed, drops them: counted by the data path); the
	 * backend goes on reading. */
	struct vfu_client c;
	REQUIRE(vfu_open(&s, &c) == 0);
	mac_rx_on(&c);
	CHECK(send_frame(peer, 0x20, 1514));
	CHECK(send_frame(peer, 0x30, 100));
	CHECK_VALUE(ctl, "port.rx_frames", 2);
	CHECK_VALUE(ctl, "dp.rx_drop_rpc", 2);
	CHECK_VALUE(ctl, "net.rx_frames", 3);
	CHECK_VALUE(ctl, "net.rx_offers", 3);
	CHECK_VALUE(ctl, "net.rx_refused", 1);
	CHECK_VALUE(ctl, "net.holding", 0);
	CHECK_VALUE(ctl, "port.rx_drop_mac", 1);

	/* The peer goes: the cable is pulled. */
	close(peer);
	CHECK_VALUE(ctl, "link.up", 0);
	CHECK_VALUE(ctl, "net.disconnects", 1);
	/* and comes back */
	peer = vfu_unix_connect(net_path);
	REQUIRE(peer >= 0);
	CHECK_VALUE(ctl, "link.up", 1);
	close(peer);
	CHECK_VALUE(ctl, "link.up", 0);
	vfu_disconnect(&c);
	close(ctl);
	CHECK_INT(vfu_server_stop(&s), 0);
	/* What the backend read, in order. */
	const uint32_t lens[] = { 60, 1514, 100 };
	const uint8_t tags[] = { 0x10, 0x20, 0x30 };
	check_pcap(lens, tags, 3);
	unlink(pcap_path);
	rmdir(dir);
}

/* Run fbnic-emu with args; its exit status, and stderr in err. */
static int run_emu(const char *const *args, char *err, size_t cap)
{
	char bin[512];
	if (vfu_server_binary(bin, sizeof(bin)))
		return -1;
	int pfd[2];
	if (pipe(pfd))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		const char *argv[16] = { bin, "--socket", "/tmp/fbnic-net-never.sock" };
		int k = 3;
		for (int i = 0; args[i] && k < 15; i++)
			argv[k++] = args[i];
		argv[k] = NULL;
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	size_t used = 0;
	ssize_t r;
	while (used < cap - 1 && (r = read(pfd[0], err + used, cap - 1 - used)) > 0)
		used += (size_t)r;
	err[used] = '\0';
	close(pfd[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_bad_net_options_exit_2(void)
{
	const char *cases[][4] = {
		{ "--net", "tcp:1.2.3.4:5", NULL, "unknown backend" },
		{ "--net", "stream:tcp:h:0,connect", NULL, "port" },
		{ "--net", "stream:unix:/tmp/x", NULL, "listen or ,connect" },
		{ "--net", "tap:", NULL, "interface name" },
		{ "--pcap", "/tmp/fbnic-net-never.pcap", NULL, "--pcap needs --net" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[2048];
		const char *args[3] = { cases[i][0], cases[i][1], NULL };
		int rc = run_emu(args, err, sizeof(err));
		CHECK_INT(rc, 2);
		if (!strstr(err, cases[i][3]))
			test_fail(__FILE__, __LINE__, "%s %s: stderr '%s' lacks '%s'",
				  cases[i][0], cases[i][1], err, cases[i][3]);
	}
	/* two backends in one process: no */
	char err[2048];
	const char *two[] = { "--net", "tap:a", "--net", "tap:b", NULL };
	CHECK_INT(run_emu(two, err, sizeof(err)), 2);
	CHECK(strstr(err, "one --net") != NULL);
	/* valid, but cannot be opened: exit 1 with the reason */
	const char *unopenable[] = { "--net", "stream:unix:/nonexistent/dir/x.sock,listen",
				     NULL };
	CHECK_INT(run_emu(unopenable, err, sizeof(err)), 1);
	CHECK(strstr(err, "cannot listen on /nonexistent/dir/x.sock") != NULL);
}

TEST_MAIN("protocol-net", TEST_CASE(test_stream_backend_feeds_the_device),
	  TEST_CASE(test_bad_net_options_exit_2))
