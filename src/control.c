/* SPDX-License-Identifier: Apache-2.0 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dev/csr.h" /* FBNIC_MAX_QUEUES */
#include "dev/fault.h"
#include "dev/fbnic.h"
#include "fw/fw.h"
#include "runner.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "util/version.h"

#define SUB "control"
#define MAX_CLIENTS 8
#define MAX_ARGS 12
/* How long an answer may wait for a client to read: a client that sends
 * commands and never reads its answers would otherwise stop the control
 * thread, and every other client with it, on a full socket buffer. */
#define SEND_WAIT_MS 1000

/* A client's partial line.  Socket clients answer on fd; the session of
 * control_feed has fd -1 and answers into out, set for the call.  An
 * answer is built in ans (made at the first line, rewound for each next
 * one: a stream and its buffer per line cost more than most commands). */
struct client {
	int fd;
	FILE *out;
	FILE *ans;
	char *ans_text;
	size_t ans_len;
	size_t used;
	bool stalled; /* an answer could not be sent: the client is closed */
	bool gone;    /* ... because it went away, not for not reading */
	char buf[CONTROL_LINE_MAX];
};

struct control {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int stop_fd;
	pthread_t thread;
	struct runner *runner;
	struct client clients[MAX_CLIENTS];
	struct client feed; /* control_feed's session */
	/* sensor alarm thresholds (command "sensor alarm") */
	long temp_alarm_mc, volt_alarm_lo_mv, volt_alarm_hi_mv;
	/* bounded resources (dump): connections refused beyond MAX_CLIENTS,
	 * clients closed for not reading their answers or for a line
	 * longer than CONTROL_LINE_MAX; only the control thread writes */
	unsigned long long clients_refused, clients_stalled, lines_too_long;
	struct timespec started; /* for status's uptime */
	bool own_path;           /* the socket file is ours to remove */
};

/* A command runs with the device lock held (runner_call) and writes its
 * output to out; it returns NULL for "ok" or an error text. */
typedef const char *(*cmd_fn)(struct control *c, struct fbnic *dev, int argc,
			       char **argv, FILE *out);

struct cmd {
	const char *name;
	const char *usage;
	cmd_fn fn;
};

static const char *cmd_dump(struct control *c, struct fbnic *dev, int argc,
			    char **argv, FILE *out)
{
	if (argc == 2 && !strcmp(argv[1], "trace")) {
		fbnic_trace_dump(dev, out);
		return NULL;
	}
	if (argc != 1)
		return "usage: dump [trace]";
	fbnic_dump(dev, out);
	runner_dump(c->runner, out);
	/* The pending counts of rate-limited logs go to the log now. */
	log_flush_suppressed();
	fprintf(out, "control.clients_refused %llu\n",
		__atomic_load_n(&c->clients_refused, __ATOMIC_RELAXED));
	fprintf(out, "control.clients_stalled %llu\n",
		__atomic_load_n(&c->clients_stalled, __ATOMIC_RELAXED));
	fprintf(out, "control.lines_too_long %llu\n",
		__atomic_load_n(&c->lines_too_long, __ATOMIC_RELAXED));
	fprintf(out, "log.lines %llu\n", log_lines_written());
	fprintf(out, "log.suppressed %llu\n", log_suppressed_total());
	return NULL;
}

static const char *cmd_help(struct control *c, struct fbnic *dev, int argc,
			    char **argv, FILE *out);
static void print_link(struct fbnic *dev, FILE *out);

/* status: what an operator looks at first, summarised from the counters
 * `dump` shows (one source): version, uptime, the vfio-user client, the
 * link, whether a driver runs the device, the queues in use, frames, and
 * the drops and errors with their counters' names. */
static const char *cmd_status(struct control *c, struct fbnic *dev, int argc,
			      char **argv, FILE *out)
{
	(void)argv;
	if (argc != 1)
		return "usage: status";
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return "out of memory";
	fbnic_dump(dev, m);
	runner_dump(c->runner, m);
	if (fclose(m)) {
		free(text);
		return "out of memory";
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double up = (double)(now.tv_sec - c->started.tv_sec) +
		    (double)(now.tv_nsec - c->started.tv_nsec) / 1e9;
	fprintf(out, "version %s\n", fbnic_emu_version());
	fprintf(out, "uptime %.1f s\n", up);
	/* "key value" lines: the values status uses, and the drop and error
	 * counters that are not 0 (a counter with parts, "x.y", stands for
	 * its parts: only the parts are listed and summed). */
	unsigned long long connected = 0, connections = 0, tx = 0, rx = 0,
			   pcicmd = 0, drops = 0, errors = 0;
	bool txq[FBNIC_MAX_QUEUES] = { false }, rxq[FBNIC_MAX_QUEUES] = { false };
	char *drop_list = NULL, *err_list = NULL;
	size_t dl = 0, el = 0;
	FILE *dm = open_memstream(&drop_list, &dl);
	FILE *em = open_memstream(&err_list, &el);
	char *whole = strdup(text), *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[96], ring[8];
		unsigned long long v;
		unsigned q;
		if (sscanf(line, "queue.%u.%7s on", &q, ring) == 2 &&
		    q < FBNIC_MAX_QUEUES) {
			txq[q] |= !strcmp(ring, "TWQ0");
			rxq[q] |= !strcmp(ring, "RCQ");
			continue;
		}
		if (sscanf(line, "%95s %lli", key, &v) != 2)
			continue;
		if (!strcmp(key, "vfio-user.connected"))
			connected = v;
		else if (!strcmp(key, "vfio-user.connections"))
			connections = v;
		else if (!strcmp(key, "port.tx_frames"))
			tx = v;
		else if (!strcmp(key, "port.rx_frames"))
			rx = v;
		else if (!strcmp(key, "pci.command"))
			pcicmd = v;
		bool is_drop = strstr(key, "drop") != NULL;
		bool is_err = !is_drop && (strstr(key, "error") ||
					  strstr(key, "bad_") ||
					  strstr(key, "fault"));
		if (!v || (!is_drop && !is_err))
			continue;
		/* a parent with parts: the parts count */
		char part[100];
		snprintf(part, sizeof(part), "\n%s.", key);
		if (whole && strstr(whole, part))
			continue;
		fprintf(is_drop ? dm : em, "%s%s %llu", is_drop ? (drops ? ", " : "")
							       : (errors ? ", " : ""),
			key, v);
		if (is_drop)
			drops += v;
		else
			errors += v;
	}
	if (dm)
		fclose(dm);
	if (em)
		fclose(em);
	unsigned ntx = 0, nrx = 0;
	for (unsigned q = 0; q < FBNIC_MAX_QUEUES; q++) {
		ntx += txq[q];
		nrx += rxq[q];
	}
	fprintf(out, "client %s (connections %llu)\n",
		connected ? "connected" : "none", connections);
	print_link(dev, out);
	fprintf(out, "driver %s, firmware %s\n",
		pcicmd & 0x4 ? "bus master on" : "bus master off",
		fw_host_owned(fbnic_fw(dev)) ? "owned by the host" : "not owned");
	fprintf(out, "queues tx %u rx %u\n", ntx, nrx);
	fprintf(out, "frames tx %llu rx %llu\n", tx, rx);
	fprintf(out, "drops %llu%s%s%s\n", drops, drops ? " (" : "",
		drops && drop_list ? drop_list : "", drops ? ")" : "");
	fprintf(out, "errors %llu%s%s%s\n", errors, errors ? " (" : "",
		errors && err_list ? err_list : "", errors ? ")" : "");
	free(drop_list);
	free(err_list);
	free(whole);
	free(text);
	return NULL;
}

/* Parse a whole decimal integer (sensor values are signed). */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void print_link(struct fbnic *dev, FILE *out)
{
	struct fbnic_link_config l;
	fbnic_link_get(dev, &l);
	unsigned fec = link_effective_fec(l.mode, l.fec);
	const char *mode = link_mode_name(l.mode), *fname = link_fec_name(fec);
	fprintf(out, "link %s mode %s fec %s speed %u\n", l.down ? "down" : "up",
		mode ? mode : "?", fname ? fname : "?", link_speed_mbps(l.mode));
}

/* link [up|down | mode MODE [fec FEC]] */
static const char *cmd_link(struct control *c, struct fbnic *dev, int argc,
			    char **argv, FILE *out)
{
	(void)c;
	if (argc == 2 && !strcmp(argv[1], "up")) {
		fbnic_link_set(dev, true);
	} else if (argc == 2 && !strcmp(argv[1], "down")) {
		fbnic_link_set(dev, false);
	} else if ((argc == 3 || argc == 5) && !strcmp(argv[1], "mode")) {
		int mode = link_mode_parse(argv[2]);
		int fec = LINK_FEC_RS;
		if (mode < 0)
			return "mode must be 25cr, 50cr2, 50cr or 100cr2";
		if (argc == 5 && (strcmp(argv[3], "fec") ||
				  (fec = link_fec_parse(argv[4])) < 0))
			return "fec must be none, rs or baser";
		/* The PCS runs the new mode now and the firmware reports it in
		 * its next capabilities (fbnic_link_set_speed tells both). */
		if (fbnic_link_set_speed(dev, (unsigned)mode, (unsigned)fec))
			return "invalid link mode";
	} else if (argc != 1) {
		return "usage: link [up|down|mode MODE [fec FEC]]";
	}
	print_link(dev, out);
	return NULL;
}

/* Sensor alarm thresholds (struct control): crossing one leaves a
 * firmware log line, as a management firmware reports it (the driver has
 * no hwmon alarm files). */
static void sensor_alarms(struct control *c, struct fw *fw)
{
	const struct fw_config *cfg = fw_get_config(fw);
	if (cfg->temp_mc >= c->temp_alarm_mc)
		fw_log(fw, "ALARM: temperature %d mC at or above %ld mC",
		       (int)cfg->temp_mc, c->temp_alarm_mc);
	if (cfg->volt_mv < c->volt_alarm_lo_mv || cfg->volt_mv > c->volt_alarm_hi_mv)
		fw_log(fw, "ALARM: voltage %d mV outside %ld..%ld mV",
		       (int)cfg->volt_mv, c->volt_alarm_lo_mv, c->volt_alarm_hi_mv);
}

/* sensor [temp MILLIDEGC | volt MILLIVOLT | fail ERRNO | ok |
 *         alarm temp MILLIDEGC | alarm volt LO HI] */
static const char *cmd_sensor(struct control *c, struct fbnic *dev, int argc,
			      char **argv, FILE *out)
{
	(void)c;
	struct fw *fw = fbnic_fw(dev);
	const struct fw_config *cfg = fw_get_config(fw);
	long v, w;
	if (argc == 3 && !strcmp(argv[1], "temp")) {
		if (!parse_long(argv[2], -273150, 300000, &v))
			return "temp wants milli-degrees C (-273150..300000)";
		fw_set_sensors(fw, (int32_t)v, cfg->volt_mv);
		sensor_alarms(c, fw);
	} else if (argc == 3 && !strcmp(argv[1], "volt")) {
		if (!parse_long(argv[2], 0, 100000, &v))
			return "volt wants millivolts (0..100000)";
		fw_set_sensors(fw, cfg->temp_mc, (int32_t)v);
		sensor_alarms(c, fw);
	} else if (argc == 3 && !strcmp(argv[1], "fail")) {
		if (!parse_long(argv[2], 1, 4095, &v))
			return "fail wants a positive errno";
		fw_set_sensor_error(fw, (int)-v);
	} else if (argc == 2 && !strcmp(argv[1], "ok")) {
		fw_set_sensor_error(fw, 0);
	} else if (argc == 4 && !strcmp(argv[1], "alarm") &&
		   !strcmp(argv[2], "temp")) {
		if (!parse_long(argv[3], -273150, 300000, &v))
			return "alarm temp wants milli-degrees C";
		c->temp_alarm_mc = v;
		sensor_alarms(c, fw);
	} else if (argc == 5 && !strcmp(argv[1], "alarm") &&
		   !strcmp(argv[2], "volt")) {
		if (!parse_long(argv[3], 0, 100000, &v) ||
		    !parse_long(argv[4], v, 100000, &w))
			return "alarm volt wants LO HI millivolts, LO <= HI";
		c->volt_alarm_lo_mv = v;
		c->volt_alarm_hi_mv = w;
		sensor_alarms(c, fw);
	} else if (argc != 1) {
		return "usage: sensor [temp MC|volt MV|fail ERRNO|ok|alarm ...]";
	}
	fprintf(out, "temp %d volt %d alarm_temp %ld alarm_volt %ld..%ld\n",
		(int)cfg->temp_mc, (int)cfg->volt_mv, c->temp_alarm_mc,
		c->volt_alarm_lo_mv, c->volt_alarm_hi_mv);
	return NULL;
}

/* The words of a command line back into one string, truncated to fit. */
static void join_args(char *dst, size_t cap, int argc, char **argv)
{
	size_t used = 0;
	dst[0] = '\0';
	for (int i = 0; i < argc && used + 1 < cap; i++) {
		int n = snprintf(dst + used, cap - used, "%s%s", i ? " " : "",
				 argv[i]);
		if (n < 0)
			break;
		used += (size_t)n < cap - used ? (size_t)n : cap - used - 1;
	}
}

/* fault list | fault clear [KIND] |
 * fault KIND [queue Q | vector V] [count N | prob P] [seed S]
 * KIND: rx drop, rx corrupt, rx fcs, tx drop, tx stall, irq drop,
 * dma fail, completion delay (with ms MS) (rx fcs: the port, before
 * any queue: scope all or queue 0) */
static const char *cmd_fault(struct control *c, struct fbnic *dev, int argc,
			     char **argv, FILE *out)
{
	(void)c;
	if (argc == 2 && !strcmp(argv[1], "list")) {
		fbnic_fault_list(dev, out);
		return NULL;
	}
	if (argc == 2 && !strcmp(argv[1], "clear")) {
		fbnic_fault_clear(dev, -1);
		fbnic_fault_list(dev, out);
		return NULL;
	}
	int k;
	if (argc == 4 && !strcmp(argv[1], "clear")) {
		if ((k = fbnic_fault_parse(argv[2], argv[3])) < 0)
			return "unknown fault (rx drop|rx corrupt|rx fcs|tx drop|tx stall|irq drop|dma fail|completion delay)";
		fbnic_fault_clear(dev, k);
		fbnic_fault_list(dev, out);
		return NULL;
	}
	if (argc < 3 || (k = fbnic_fault_parse(argv[1], argv[2])) < 0)
		return "usage: fault list | clear [KIND] | KIND [queue Q|vector V] "
		       "[count N|prob P] [seed S]; KIND: rx drop, rx corrupt, "
		       "rx fcs, tx drop, tx stall, irq drop, dma fail, "
		       "completion delay (with ms MS)";
	uint32_t scope = FBNIC_FAULT_ALL;
	unsigned long long count = 1, seed = 1;
	uint64_t delay_ns = 0;
	uint32_t ppm = 0;
	bool irq = k == FBNIC_FAULT_IRQ_DROP;
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			return "a value missing after the last word";
		const char *w = argv[i], *v = argv[i + 1];
		char *end;
		errno = 0;
		if (!strcmp(w, "queue") && k == FBNIC_FAULT_RX_FCS) {
			/* the MAC checks the FCS before the classifier has
			 * chosen a queue: there is none to name */
			return "rx fcs is the MAC's, before any queue: it takes "
			       "no queue";
		} else if (!strcmp(w, irq ? "vector" : "queue")) {
			unsigned long n = strtoul(v, &end, 0);
			unsigned max = irq ? FBNIC_MSIX_VECTORS_MAX : FBNIC_MAX_QUEUES;
			if (errno || *end || !*v || n >= max)
				return irq ? "vector wants 0..257" : "queue wants 0..127";
			scope = (uint32_t)n;
		} else if (!strcmp(w, "count")) {
			count = strtoull(v, &end, 0);
			if (errno || *end || !*v || !count)
				return "count wants a positive number";
			ppm = 0;
		} else if (!strcmp(w, "prob")) {
			double p = strtod(v, &end);
			if (errno || *end || end == v || !(p > 0 && p <= 1))
				return "prob wants a probability, 0 < P <= 1";
			ppm = (uint32_t)(p * 1e6 + 0.5);
			if (!ppm)
				ppm = 1;
		} else if (!strcmp(w, "ms") && k == FBNIC_FAULT_COMPLETION_DELAY) {
			double ms = strtod(v, &end);
			if (errno || *end || end == v || !(ms > 0 && ms <= 60000))
				return "ms wants milliseconds, 0 < MS <= 60000";
			delay_ns = (uint64_t)(ms * 1e6 + 0.5);
		} else if (!strcmp(w, "seed")) {
			seed = strtoull(v, &end, 0);
			if (errno || *end || !*v)
				return "seed wants a number";
		} else {
			return irq ? "want vector V, count N, prob P or seed S"
				   : "want queue Q, count N, prob P or seed S";
		}
	}
	if (k == FBNIC_FAULT_COMPLETION_DELAY && !delay_ns)
		return "completion delay wants ms MS (how long each hold lasts)";
	fbnic_fault_arm(dev, (enum fbnic_fault_kind)k, scope, count, ppm, seed,
			delay_ns);
	fbnic_fault_list(dev, out);
	return NULL;
}

/* fw [heartbeat stop|resume | reboot [CRASH REASON...] | log TEXT...] */
static const char *cmd_fw(struct control *c, struct fbnic *dev, int argc,
			  char **argv, FILE *out)
{
	(void)c;
	struct fw *fw = fbnic_fw(dev);
	if (argc == 3 && !strcmp(argv[1], "heartbeat") &&
	    (!strcmp(argv[2], "stop") || !strcmp(argv[2], "resume"))) {
		fw_set_heartbeat(fw, !strcmp(argv[2], "resume"));
	} else if (argc >= 2 && !strcmp(argv[1], "reboot")) {
		char reason[256];
		join_args(reason, sizeof(reason), argc - 2, argv + 2);
		fw_reboot(fw, argc > 2 ? reason : NULL);
	} else if (argc >= 3 && !strcmp(argv[1], "log")) {
		char text[256];
		join_args(text, sizeof(text), argc - 2, argv + 2);
		fw_log(fw, "%s", text);
	} else if (argc != 1) {
		return "usage: fw [heartbeat stop|resume|reboot [REASON]|log TEXT]";
	}
	fprintf(out, "uptime_ms %llu owned %d log_streaming %d flash_busy %d\n",
		(unsigned long long)fw_uptime_ms(fw), fw_host_owned(fw),
		fw_log_streaming(fw), fw_flash_busy(fw));
	return NULL;
}

/* trace on|off|clear: the device event trace `dump trace` prints. */
static const char *cmd_trace(struct control *c, struct fbnic *dev, int argc,
			     char **argv, FILE *out)
{
	(void)c;
	(void)out;
	if (argc != 2)
		return "usage: trace on|off|clear";
	if (!strcmp(argv[1], "on"))
		fbnic_trace_set(dev, true);
	else if (!strcmp(argv[1], "off"))
		fbnic_trace_set(dev, false);
	else if (!strcmp(argv[1], "clear"))
		fbnic_trace_clear(dev);
	else
		return "usage: trace on|off|clear";
	return NULL;
}

/* reg IDX|NAME...: where a register lives and what it reads. */
static const char *cmd_reg(struct control *c, struct fbnic *dev, int argc,
			   char **argv, FILE *out)
{
	(void)c;
	if (argc < 2)
		return "usage: reg IDX|NAME... (e.g. reg INTR_MASK[0] QUEUE[3].TWQ0_CTL 0x11002 bar4:0x6000)";
	for (int i = 1; i < argc; i++)
		if (fbnic_reg_describe(dev, argv[i], out))
			return "unknown register (a name as in fbnic_csr.h without FBNIC_, NAME[N], QUEUE[Q].NAME, PCS[P].NAME, or an index in the BAR)";
	return NULL;
}

static const struct cmd commands[] = {
	{ "help", "help", cmd_help },
	{ "status", "status                   version, uptime, client, link, queues, counters summary",
	  cmd_status },
	{ "dump", "dump [trace]             device state and counters, or the event trace",
	  cmd_dump },
	{ "trace", "trace on|off|clear        record recent device events (dump trace)",
	  cmd_trace },
	{ "reg", "reg IDX|NAME...          a register's block, name and value", cmd_reg },
	{ "link", "link [up|down|mode 25cr|50cr2|50cr|100cr2 [fec none|rs|baser]]",
	  cmd_link },
	{ "sensor", "sensor [temp MC|volt MV|fail ERRNO|ok|alarm temp MC|alarm volt LO HI]",
	  cmd_sensor },
	{ "fw", "fw [heartbeat stop|resume|reboot [CRASH REASON]|log TEXT]", cmd_fw },
	{ "fault", "fault list|clear [KIND]|KIND [queue Q|vector V] [count N|prob P] [seed S] [ms MS]",
	  cmd_fault },
	{ NULL, NULL, NULL },
};

static const char *cmd_help(struct control *c, struct fbnic *dev, int argc,
			    char **argv, FILE *out)
{
	(void)c;
	(void)dev;
	(void)argc;
	(void)argv;
	for (const struct cmd *k = commands; k->name; k++)
		fprintf(out, "%s\n", k->usage);
	return NULL;
}

struct call_ctx {
	struct control *c;
	const struct cmd *cmd;
	int argc;
	char **argv;
	FILE *out;
	const char *err;
};

static void call_locked(struct fbnic *dev, void *arg)
{
	struct call_ctx *x = arg;
	x->err = x->cmd->fn(x->c, dev, x->argc, x->argv, x->out);
}

static void client_drop_answer(struct client *cl)
{
	if (cl->ans)
		fclose(cl->ans);
	free(cl->ans_text);
	cl->ans = NULL;
	cl->ans_text = NULL;
	cl->ans_len = 0;
}

/* One answer, whole: a single write on a socket, so a client never sees
 * half of one. */
static void reply(struct client *cl, const char *text, size_t len)
{
	if (cl->out) {
		fwrite(text, 1, len, cl->out);
		return;
	}
	/* Client sockets are non-blocking: wait SEND_WAIT_MS at most for room,
	 * then give up on the client (its caller closes it). */
	while (len && !cl->stalled) {
		ssize_t n = send(cl->fd, text, len, MSG_NOSIGNAL);
		if (n > 0) {
			text += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = cl->fd, .events = POLLOUT };
			if (poll(&p, 1, SEND_WAIT_MS) <= 0)
				cl->stalled = true;
		} else {
			cl->stalled = cl->gone = true; /* EPIPE, ECONNRESET */
		}
	}
}

/* Run one line.  strtok_r: control_feed may run on another thread than
 * the control thread's, and strtok's state is the process's. */
static void run_line(struct control *c, struct client *cl, char *line)
{
	char *argv[MAX_ARGS + 1], *save = NULL;
	int argc = 0;
	for (char *tok = strtok_r(line, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (argc == MAX_ARGS) {
			static const char e[] = "error: too many arguments\n";
			reply(cl, e, sizeof(e) - 1);
			return;
		}
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	if (argc == 0)
		return;
	if (!cl->ans &&
	    !(cl->ans = open_memstream(&cl->ans_text, &cl->ans_len)))
		return;
	FILE *out = cl->ans;
	rewind(out);
	const struct cmd *cmd = commands;
	while (cmd->name && strcmp(cmd->name, argv[0]))
		cmd++;
	if (!cmd->name) {
		fprintf(out, "error: unknown command '%s' (try help)\n", argv[0]);
	} else {
		struct call_ctx x = { c, cmd, argc, argv, out, NULL };
		runner_call(c->runner, call_locked, &x);
		if (x.err)
			fprintf(out, "error: %s\n", x.err);
		else
			fprintf(out, "ok\n");
	}
	/* ans_len is now the position: this answer's length (POSIX) */
	if (fflush(out)) {
		client_drop_answer(cl);
		return;
	}
	reply(cl, cl->ans_text, cl->ans_len);
}

static void client_close(struct client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->used = 0;
	cl->stalled = cl->gone = false;
	client_drop_answer(cl);
}

/* Run the complete lines of cl->buf and keep the partial one.  True when
 * the buffer is full without a line end: the answer is an error and the
 * connection ends (the caller closes it). */
static bool client_lines(struct control *c, struct client *cl)
{
	char *nl;
	while (!cl->stalled && (nl = memchr(cl->buf, '\n', cl->used))) {
		*nl = '\0';
		run_line(c, cl, cl->buf);
		size_t rest = cl->used - (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, rest);
		cl->used = rest;
	}
	if (cl->stalled)
		return true;
	if (cl->used < sizeof(cl->buf))
		return false;
	__atomic_fetch_add(&c->lines_too_long, 1, __ATOMIC_RELAXED);
	char e[64];
	int n = snprintf(e, sizeof(e), "error: line longer than %d bytes\n",
			 CONTROL_LINE_MAX);
	reply(cl, e, (size_t)n);
	return true;
}

static void client_input(struct control *c, struct client *cl)
{
	ssize_t n = recv(cl->fd, cl->buf + cl->used, sizeof(cl->buf) - cl->used, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(cl);
		return;
	}
	cl->used += (size_t)n;
	if (!client_lines(c, cl))
		return;
	if (cl->stalled && !cl->gone) {
		__atomic_fetch_add(&c->clients_stalled, 1, __ATOMIC_RELAXED);
		log_ratelimited(LOG_WARN, SUB,
				"closing a control client that did not read its "
				"answers within %d ms", SEND_WAIT_MS);
	}
	client_close(cl);
}

/* As client_input with recv returning at most the buffer's free space each
 * time: the answers do not depend on where the bytes were cut. */
int control_feed(struct control *c, const void *data, size_t len, FILE *out)
{
	struct client *cl = &c->feed;
	const char *p = data;
	cl->out = out;
	while (len) {
		size_t n = sizeof(cl->buf) - cl->used;
		if (n > len)
			n = len;
		memcpy(cl->buf + cl->used, p, n);
		cl->used += n;
		p += n;
		len -= n;
		if (client_lines(c, cl)) {
			/* the rest is what a closed socket never reads */
			cl->out = NULL;
			cl->used = 0;
			return 1;
		}
	}
	cl->out = NULL;
	return 0;
}

void control_feed_end(struct control *c)
{
	c->feed.used = 0;
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	for (;;) {
		struct pollfd p[MAX_CLIENTS + 2];
		int map[MAX_CLIENTS + 2];
		int n = 0;
		p[n++] = (struct pollfd){ .fd = c->stop_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (c->clients[i].fd >= 0) {
				map[n] = i;
				p[n++] = (struct pollfd){ .fd = c->clients[i].fd,
							  .events = POLLIN };
			}
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents) {
			int fd = accept4(c->listen_fd, NULL, NULL,
					 SOCK_CLOEXEC | SOCK_NONBLOCK);
			int slot = -1;
			for (int i = 0; fd >= 0 && i < MAX_CLIENTS && slot < 0; i++)
				if (c->clients[i].fd < 0)
					slot = i;
			if (fd >= 0 && slot < 0) {
				__atomic_fetch_add(&c->clients_refused, 1,
						   __ATOMIC_RELAXED);
				log_ratelimited(LOG_WARN, SUB,
						"refused a control client: %d "
						"connected, the most served at once",
						MAX_CLIENTS);
				static const char e[] =
					"error: too many control clients\n";
				ssize_t w = send(fd, e, sizeof(e) - 1,
						 MSG_NOSIGNAL | MSG_DONTWAIT);
				(void)w;
				close(fd);
			} else if (fd >= 0) {
				c->clients[slot].fd = fd;
				c->clients[slot].used = 0;
			}
		}
		for (int k = 2; k < n; k++)
			if (p[k].revents)
				client_input(c, &c->clients[map[k]]);
	}
	return NULL;
}

struct control *control_create(const struct sock_spec *sock, struct runner *r)
{
	const char *path = sock ? sock->path : NULL;
	if (path && strlen(path) >= sizeof(((struct control *)0)->path)) {
		log_err(SUB, "control socket path too long: %s", path);
		return NULL;
	}
	if (sock && sock->connected) {
		log_err(SUB, "the control channel needs a listening socket, "
			"not a connection");
		return NULL;
	}
	struct control *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->runner = r;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->temp_alarm_mc = 105000;
	c->volt_alarm_lo_mv = 600;
	c->volt_alarm_hi_mv = 900;
	for (int i = 0; i < MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->feed.fd = -1;
	c->stop_fd = c->listen_fd = -1;
	if (!sock)
		return c; /* control_feed only */
	if (path)
		strcpy(c->path, path);
	else
		snprintf(c->path, sizeof(c->path), "fd %d", sock->fd);
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (sock->fd >= 0) {
		c->listen_fd = sock->fd; /* handed over: not ours to remove */
	} else {
		c->listen_fd = c->stop_fd >= 0 ? unix_listen(path, SUB) : -1;
		c->own_path = c->listen_fd >= 0;
	}
	if (c->listen_fd < 0 ||
	    pthread_create(&c->thread, NULL, control_thread, c)) {
		if (c->listen_fd >= 0 || c->stop_fd < 0)
			log_err(SUB, "cannot serve %s: %s", c->path, strerror(errno));
		if (c->listen_fd >= 0)
			close(c->listen_fd);
		if (c->stop_fd >= 0)
			close(c->stop_fd);
		free(c);
		return NULL;
	}
	log_info(SUB, "control channel on %s", c->path);
	return c;
}

void control_destroy(struct control *c)
{
	if (!c)
		return;
	client_drop_answer(&c->feed);
	if (c->listen_fd < 0) { /* made without a socket */
		free(c);
		return;
	}
	uint64_t one = 1;
	ssize_t n = write(c->stop_fd, &one, sizeof(one));
	(void)n;
	pthread_join(c->thread, NULL);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_close(&c->clients[i]);
	close(c->listen_fd);
	close(c->stop_fd);
	if (c->own_path)
		unlink(c->path);
	free(c);
}
