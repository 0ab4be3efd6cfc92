/* SPDX-License-Identifier: Apache-2.0 */
/* fbnic-emu: command line, signals, and the runner. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "activation.h"
#include "control.h"
#include "dev/fbnic.h"
#include "fw/fw.h"
#include "net/net.h"
#include "runner.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "util/version.h"

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
		"       fbnic-emu [options]   (socket-activated: see fbnic-emu(1))\n"
		"\n"
		"Emulates a Meta fbnic NIC as a vfio-user device server.  Attach it to\n"
		"QEMU >= 10.1 with\n"
		"  -device '{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"PATH\"}}'\n"
		"and fd-backed shared guest RAM (memory-backend-memfd,share=on).\n"
		"\n"
		"  --socket PATH        UNIX socket to listen on (required unless\n"
		"                       systemd hands one over: socket activation)\n"
		"  --mac XX:XX:XX:XX:XX:XX  MAC address (default 02:fb:00:00:00:01); the\n"
		"                       driver reads it from the PCIe Device Serial Number\n"
		"  --dsn 0xHEX          set the Device Serial Number directly\n"
		"  --queues N           queue pairs the device offers: MSI-X vectors = N+2\n"
		"                       (1..256, default 128)\n"
		"  --control PATH       control channel socket (line protocol, see README)\n"
		"  --link-mode MODE     25cr, 50cr2, 50cr or 100cr2 (default 100cr2)\n"
		"  --fec FEC            none, rs or baser (default rs; PAM4 modes force rs)\n"
		"  --link-down          start with the link down (cable unplugged)\n"
		"  --fw-version V       firmware version MM.mm.pp-bbb (default 25.07.25-002)\n"
		"  --fw-commit S        firmware commit string (<= 18 chars)\n"
		"  --cmrt-version V, --cmrt-commit S   bootloader (CMRT) version, commit\n"
		"  --uefi-version V, --uefi-commit S   option ROM (UEFI) version, commit\n"
		"  --temp MC, --volt MV sensor readings (default 45000 mC, 750 mV)\n"
		"  --fw-latency MS      the firmware answers a host message MS ms after\n"
		"                       it was posted (default 20; 0 answers at once,\n"
		"                       which the 6.12 driver's ifup can lose)\n"
		"  --net URI            the network backend, the device's wire (default:\n"
		"                       none, frames sent are dropped):\n"
		"                         tap:IFNAME   a tap interface (created if missing)\n"
		"                         stream:unix:PATH,listen|connect\n"
		"                         stream:tcp:HOST:PORT,listen|connect\n"
		"                       a QEMU -netdev stream peer (4-byte big-endian\n"
		"                       length, then the frame); the link is up while\n"
		"                       the peer is connected; connect retries until it is\n"
		"  --pcap FILE          record every frame both ways in FILE (classic pcap,\n"
		"                       Ethernet); needs --net\n"
		"  --dma-timeout MS     how long a DMA to guest memory without an fd\n"
		"                       (a DMA_READ/DMA_WRITE message) waits for the\n"
		"                       client's reply before it fails (default 10000)\n"
		"  --bar0-mmap on|off   on (default): the driver's doorbells and\n"
		"                       interrupt re-arms (BAR0 page 1 and the queue\n"
		"                       pages) are shared memory that fbnic-emu polls,\n"
		"                       no message each; off: every register access is\n"
		"                       a message and reads back exactly (ethtool -t's\n"
		"                       register test needs off)\n"
		"  --clock host|virtual host (default): a frame is timestamped when\n"
		"                       fbnic-emu moves it; virtual: a frame's TX\n"
		"                       timestamp is when it left the MAC, and on a\n"
		"                       stream between two fbnic-emu on one host (both\n"
		"                       --clock virtual) that time goes with it, so the\n"
		"                       receiver stamps it 100 ns later: timestamps that\n"
		"                       do not depend on the host's scheduling (the\n"
		"                       stream is then not QEMU's framing: a 16-byte\n"
		"                       trailer follows each frame)\n"
		"  --log-level LEVEL    error, warn, info (default) or debug\n"
		"  --version            print the version and exit\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 after SIGTERM or SIGINT, 1 when it cannot start (a\n"
		"socket, the backend), 2 on a bad command line.\n");
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

static int bad_arg(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "fbnic-emu: %s %s: need %s\n", opt, val, want);
	return 2;
}

/* "25.07.25-002", as the driver prints it (fbnic_mk_fw_ver_str). */
static int parse_fw_version(const char *s, uint32_t *v)
{
	unsigned a, b, c, d;
	char tail;
	if (sscanf(s, "%u.%u.%u-%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 ||
	    b > 255 || c > 255 || d > 255)
		return -1;
	*v = FW_VER(a, b, c, d);
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
		{ "link-mode", required_argument, NULL, 'L' },
		{ "fec", required_argument, NULL, 'F' },
		{ "link-down", no_argument, NULL, 'D' },
		{ "fw-version", required_argument, NULL, 'V' },
		{ "fw-commit", required_argument, NULL, 'C' },
		{ "cmrt-version", required_argument, NULL, 'R' },
		{ "cmrt-commit", required_argument, NULL, 'r' },
		{ "uefi-version", required_argument, NULL, 'U' },
		{ "uefi-commit", required_argument, NULL, 'u' },
		{ "temp", required_argument, NULL, 'T' },
		{ "volt", required_argument, NULL, 'v' },
		{ "fw-latency", required_argument, NULL, 'W' },
		{ "net", required_argument, NULL, 'N' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "dma-timeout", required_argument, NULL, 't' },
		{ "bar0-mmap", required_argument, NULL, 'B' },
		{ "clock", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'X' },
		{ 0 },
	};
	const uint8_t default_mac[6] = { 0x02, 0xfb, 0x00, 0x00, 0x00, 0x01 };
	struct fbnic_config cfg = {
		.dsn = fbnic_dsn_from_mac(default_mac),
		.msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT,
		.fw_turnaround_ns = FBNIC_FW_TURNAROUND_DEFAULT_NS,
	};
	struct fw_config fw;
	fw_config_default(&fw);
	cfg.fw = &fw;
	const char *socket_path = NULL;
	const char *control_path = NULL;
	const char *pcap_path = NULL;
	unsigned dma_timeout_ms = VU_DMA_TIMEOUT_MS_DEFAULT;
	bool bar0_mmap = true;
	struct net_uri net_uri;
	bool have_net = false;
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
				log_threshold = LOG_DEBUG,
				cfg.trace_on = true; /* dump trace */
			else {
				fprintf(stderr, "fbnic-emu: bad --log-level %s\n", optarg);
				return 2;
			}
			break;
		case 'L': {
			int m = link_mode_parse(optarg);
			if (m < 0)
				return bad_arg("--link-mode", optarg, link_mode_names());
			cfg.link.mode = (uint8_t)m;
			break;
		}
		case 'F': {
			int f = link_fec_parse(optarg);
			if (f < 0)
				return bad_arg("--fec", optarg, link_fec_names());
			cfg.link.fec = (uint8_t)f;
			break;
		}
		case 'D':
			cfg.link.down = true;
			break;
		case 'V':
		case 'R':
		case 'U': {
			uint32_t v;
			if (parse_fw_version(optarg, &v))
				return bad_arg("version", optarg, "MM.mm.pp-bbb, each part 0..255");
			if (c == 'V')
				fw.version = fw.stored_version = v;
			else if (c == 'R')
				fw.cmrt_version = fw.stored_cmrt_version = v;
			else
				fw.uefi_version = v;
			break;
		}
		case 'C':
		case 'r':
		case 'u': {
			/* FBNIC_FW_CAP_RESP_COMMIT_MAX_SIZE with the NUL: longer
			 * strings make the driver drop the whole capability reply. */
			if (strlen(optarg) >= FW_COMMIT_MAX)
				return bad_arg("commit", optarg, "at most 18 characters");
			char *dst = c == 'C' ? fw.commit : c == 'r' ? fw.cmrt_commit : fw.uefi_commit;
			snprintf(dst, FW_COMMIT_MAX, "%s", optarg);
			if (c == 'C')
				snprintf(fw.stored_commit, FW_COMMIT_MAX, "%s", optarg);
			else if (c == 'r')
				snprintf(fw.stored_cmrt_commit, FW_COMMIT_MAX, "%s", optarg);
			break;
		}
		case 'T':
		case 'v': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || v < -273150 || v > 300000)
				return bad_arg(c == 'T' ? "--temp" : "--volt", optarg,
					       "an integer (milli-degC or mV)");
			if (c == 'T')
				fw.temp_mc = (int32_t)v;
			else
				fw.volt_mv = (int32_t)v;
			break;
		}
		case 'W': {
			char *end;
			errno = 0;
			double ms = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(ms >= 0 && ms <= 1000))
				return bad_arg("--fw-latency", optarg,
					       "milliseconds, 0..1000");
			cfg.fw_turnaround_ns = (uint64_t)(ms * 1e6 + 0.5);
			break;
		}
		case 'N': {
			const char *why;
			if (have_net) {
				fprintf(stderr, "fbnic-emu: one --net per fbnic-emu "
					"(several NICs: several fbnic-emu)\n");
				return 2;
			}
			if (net_uri_parse(optarg, &net_uri, &why)) {
				fprintf(stderr, "fbnic-emu: --net %s: %s\n"
					"  want %s\n", optarg, why, NET_URI_FORMS);
				return 2;
			}
			have_net = true;
			break;
		}
		case 'P':
			pcap_path = optarg;
			break;
		case 't': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 600000)
				return bad_arg("--dma-timeout", optarg,
					       "milliseconds, 1..600000");
			dma_timeout_ms = (unsigned)v;
			break;
		}
		case 'B':
			if (!strcmp(optarg, "on"))
				bar0_mmap = true;
			else if (!strcmp(optarg, "off"))
				bar0_mmap = false;
			else
				return bad_arg("--bar0-mmap", optarg, "on or off");
			break;
		case 'K':
			if (!strcmp(optarg, "virtual"))
				cfg.wire_time = true;
			else if (!strcmp(optarg, "host"))
				cfg.wire_time = false;
			else
				return bad_arg("--clock", optarg, "host or virtual");
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'X':
			printf("fbnic-emu %s\n", fbnic_emu_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* The systemd journal reads stderr: syslog priorities, its own
	 * timestamps (JOURNAL_STREAM names stderr's device and inode). */
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;
	unsigned long long jdev, jino;
	if (js && sscanf(js, "%llu:%llu", &jdev, &jino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 && st.st_dev == jdev &&
	    st.st_ino == jino)
		log_set_journal(true);
	/* Socket activation: the vfio-user socket is the one named
	 * "vfio-user", or bound at --socket, or the accepted connection of
	 * an Accept=yes unit ("connection"), or without --socket the first
	 * one left; the control channel's is named "control" or bound at
	 * --control.  One left over is closed. */
	struct activation act;
	if (activation_get(&act))
		return 1;
	struct activation_sock *vs = activation_take(&act, "vfio-user", socket_path);
	if (!vs)
		vs = activation_take(&act, "connection", NULL);
	struct activation_sock *cs = activation_take(&act, "control", control_path);
	if (!vs && !socket_path) {
		for (unsigned i = 0; i < act.n && !vs; i++)
			if (!act.s[i].taken)
				vs = activation_take(&act, act.s[i].name, NULL);
	}
	activation_close_rest(&act);
	if (!vs && !socket_path) {
		usage(stderr);
		return 2;
	}
	struct sock_spec vsock = { .path = socket_path, .fd = -1 };
	if (vs) {
		vsock = (struct sock_spec){ .path = vs->path[0] ? vs->path : NULL,
					    .fd = vs->fd,
					    .connected = !vs->listening };
	}
	struct sock_spec csock = { .path = control_path, .fd = -1 };
	if (cs) {
		if (!cs->listening) {
			fprintf(stderr, "fbnic-emu: the control socket handed "
				"over is a connection, not a listening socket\n");
			return 2;
		}
		csock = (struct sock_spec){ .path = cs->path[0] ? cs->path : NULL,
					    .fd = cs->fd };
	}
	if (pcap_path && !have_net) {
		fprintf(stderr, "fbnic-emu: --pcap needs --net (no frames cross "
			"without a backend)\n");
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	struct net *net = NULL;
	if (have_net && !(net = net_open(&net_uri, pcap_path)))
		return 1; /* net_open logged why */
	if (net && cfg.wire_time && net_wire_time(net, true))
		log_info("main", "--clock virtual: a tap's frames carry no wire "
			 "time; they are stamped when read");
	the_runner = runner_create(&vsock, &cfg, net);
	if (!the_runner)
		return 1;
	runner_set_dma_timeout(the_runner, dma_timeout_ms);
	if (bar0_mmap)
		(void)runner_map_bar0(the_runner); /* else trapped: logged */
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	uint8_t mac[6];
	fbnic_mac_from_dsn(cfg.dsn, mac);
	log_info("main", "fbnic-emu %s: fbnic 1d9b:0013, DSN 0x%016" PRIx64 " (MAC "
		 "%02x:%02x:%02x:%02x:%02x:%02x), %u MSI-X vectors",
		 fbnic_emu_version(), cfg.dsn,
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], cfg.msix_vectors);
	struct control *ctl = NULL;
	if ((control_path || cs) && !(ctl = control_create(&csock, the_runner))) {
		runner_destroy(the_runner);
		return 1;
	}
	int ret = runner_run(the_runner);
	struct runner *r = the_runner;
	the_runner = NULL;
	control_destroy(ctl);
	runner_destroy(r);
	log_flush_suppressed();
	log_info("main", "stopped");
	return ret ? 1 : 0;
}
