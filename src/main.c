/* SPDX-License-Identifier: Apache-2.0 */
/* fbnic-emu: command line, signals, and the runner. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "dev/fbnic.h"
#include "runner.h"
#include "util/log.h"

static struct runner *the_runner;

static void on_signal(int sig)
{
	(void)sig;
	if (the_runner)
		runner_stop(the_runner);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fbnic-emu --socket PATH [options]\n"
		"\n"
		"Emulates a Meta fbnic NIC as a vfio-user device server.  Attach it to\n"
		"QEMU >= 10.1 with\n"
		"  -device '{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"PATH\"}}'\n"
		"and fd-backed shared guest RAM (memory-backend-memfd,share=on).\n"
		"\n"
		"  --socket PATH        UNIX socket to listen on (required)\n"
		"  --mac XX:XX:XX:XX:XX:XX  MAC address (default 02:fb:00:00:00:01); the\n"
		"                       driver reads it from the PCIe Device Serial Number\n"
		"  --dsn 0xHEX          set the Device Serial Number directly\n"
		"  --queues N           queue pairs the device offers: MSI-X vectors = N+2\n"
		"                       (1..256, default 128)\n"
		"  --control PATH       control channel socket (line protocol, see README)\n"
		"  --log-level LEVEL    error, warn, info (default) or debug\n"
		"  -h, --help           this text\n");
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static bool valid_unicast(const uint8_t mac[6])
{
	/* The driver refuses multicast and all-zero MACs
	 * (is_valid_ether_addr in fbnic_netdev_register). */
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "mac", required_argument, NULL, 'm' },
		{ "dsn", required_argument, NULL, 'd' },
		{ "queues", required_argument, NULL, 'q' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const uint8_t default_mac[6] = { 0x02, 0xfb, 0x00, 0x00, 0x00, 0x01 };
	struct fbnic_config cfg = {
		.dsn = fbnic_dsn_from_mac(default_mac),
		.msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT,
	};
	const char *socket_path = NULL;
	const char *control_path = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'c':
			control_path = optarg;
			break;
		case 'm': {
			uint8_t mac[6];
			if (parse_mac(optarg, mac) || !valid_unicast(mac)) {
				fprintf(stderr, "fbnic-emu: --mac %s: need a unicast "
					"address XX:XX:XX:XX:XX:XX\n", optarg);
				return 2;
			}
			cfg.dsn = fbnic_dsn_from_mac(mac);
			break;
		}
		case 'd': {
			char *end;
			errno = 0;
			cfg.dsn = strtoull(optarg, &end, 0);
			if (errno || *end || cfg.dsn == 0) {
				fprintf(stderr, "fbnic-emu: --dsn %s: need a non-zero "
					"64-bit number\n", optarg);
				return 2;
			}
			break;
		}
		case 'q': {
			char *end;
			long q = strtol(optarg, &end, 0);
			if (*end || q < 1 || q > 256) {
				fprintf(stderr, "fbnic-emu: --queues %s: need 1..256\n",
					optarg);
				return 2;
			}
			cfg.msix_vectors = (unsigned)q + 2;
			break;
		}
		case 'l':
			if (!strcmp(optarg, "error"))
				log_threshold = LOG_ERR;
			else if (!strcmp(optarg, "warn"))
				log_threshold = LOG_WARN;
			else if (!strcmp(optarg, "info"))
				log_threshold = LOG_INFO;
			else if (!strcmp(optarg, "debug"))
				log_threshold = LOG_DEBUG;
			else {
				fprintf(stderr, "fbnic-emu: bad --log-level %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!socket_path || optind != argc) {
		usage(stderr);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	the_runner = runner_create(socket_path, &cfg);
	if (!the_runner)
		return 1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	uint8_t mac[6];
	fbnic_mac_from_dsn(cfg.dsn, mac);
	log_info("main", "fbnic 1d9b:0013, DSN 0x%016" PRIx64 " (MAC "
		 "%02x:%02x:%02x:%02x:%02x:%02x), %u MSI-X vectors", cfg.dsn,
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], cfg.msix_vectors);
	struct control *ctl = NULL;
	if (control_path && !(ctl = control_create(control_path, the_runner))) {
		runner_destroy(the_runner);
		return 1;
	}
	int ret = runner_run(the_runner);
	struct runner *r = the_runner;
	the_runner = NULL;
	control_destroy(ctl);
	runner_destroy(r);
	log_info("main", "stopped");
	return ret ? 1 : 0;
}
