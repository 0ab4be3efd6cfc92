/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the control channel's line protocol (src/control.c,
 * through control_feed) against a device served by a real runner, as a
 * client of --control could drive it.  The input is the byte stream the
 * client sends: any bytes, NULs, lines of any length, many commands.  A
 * line that fills the channel's buffer ends the session; the client then
 * reconnects and goes on after that line's end.  The stream goes in cut
 * at points drawn from the input's hash (as recv could return it), and
 * for one input in four (by that hash) first whole, from the same state.
 * Checked on each pass:
 *   - every complete line with a word gets exactly one answer (one line
 *     "ok" or "error: ..." closes it), blank ones none; a line reaching
 *     CONTROL_LINE_MAX bytes without its end gets the "line longer" error
 *     and control_feed returns 1 there, never elsewhere;
 *   - no body line looks like a closing line (fbnic-ctl would stop there),
 *     no NUL, no line or answer beyond its bound;
 * and the cut stream gets the same closing lines and as many lines as the
 * whole one.  (Both passes on every input would halve the rate: commands
 * cost most of the time, and a cutting bug shows on any input.)
 * The runner's device thread does not run (no deferred work: fuzz_dev
 * drives that).  The runner and channel persist; before each pass what
 * commands change (link, sensors, alarms, heartbeat, trace) is put back,
 * which is cheaper than a new runner.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "dev/fbnic.h"
#include "fw/fw.h"
#include "runner.h"
#include "util/unix_sock.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The one line echoing input is the unknown command's error: a word of
 * the line (under CONTROL_LINE_MAX bytes) inside 36 fixed ones. */
#define LINE_BOUND (CONTROL_LINE_MAX + 64)
/* The longest answer is `dump trace` with its ring full: 1024 events of
 * under 100 bytes a line (dev/trace.c's format); `dump` is a few KiB. */
#define ANSWER_BOUND (128u * 1024)

static const char too_long[] = "error: line longer than ";

static struct runner *r;
static struct control *ctl;
static struct fw_config fwc;

static void setup(void)
{
	/* Link and sensor changes log at info: keep stderr for findings. */
	log_threshold = LOG_ERR;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/fuzz-control.%d.sock", (int)getpid());
	/* As main() makes them, without a network backend.  The firmware
	 * checksums its whole core dump on each `fw reboot REASON`: 1 KiB
	 * instead of 8 keeps the fuzzer fast on that path. */
	fw_config_default(&fwc);
	fwc.coredump_size = 1024;
	struct fbnic_config cfg = {
		.dsn = 0x02fb00fffe000001ull,
		.msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT,
		.fw_turnaround_ns = FBNIC_FW_TURNAROUND_DEFAULT_NS,
		.fw = &fwc,
	};
	struct sock_spec sock = { .path = path, .fd = -1 };
	r = runner_create(&sock, &cfg, NULL);
	unlink(path);
	ctl = r ? control_create(NULL, r) : NULL;
	if (!ctl)
		abort();
}

/* What the link, sensor, fw and trace commands change, back as created,
 * directly: ten commands through the channel would cost more than the
 * input's own. */
static void reset_dev(struct fbnic *dev, void *arg)
{
	(void)arg;
	struct fw *fw = fbnic_fw(dev);
	fbnic_trace_set(dev, false);
	fbnic_link_set(dev, true);
	if (fbnic_link_set_speed(dev, LINK_MODE_100CR2, LINK_FEC_RS))
		abort();
	fw_set_sensor_error(fw, 0);
	fw_set_sensors(fw, fwc.temp_mc, fwc.volt_mv);
	fw_set_heartbeat(fw, true);
	fbnic_trace_clear(dev);
}

/* Set after a pass whose stream had "alarm" in it: only such a stream
 * can have changed the alarm thresholds. */
static bool alarms_dirty;

/* Before each pass.  The alarm thresholds are the channel's own: back
 * through it (control.c's values), when they may have changed. */
static void reset(void)
{
	runner_call(r, reset_dev, NULL);
	if (!alarms_dirty)
		return;
	alarms_dirty = false;
	static const char alarms[] = "sensor alarm temp 105000\n"
				     "sensor alarm volt 600 900\n";
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	int ret = control_feed(ctl, alarms, sizeof(alarms) - 1, f);
	fclose(f);
	control_feed_end(ctl);
	if (ret || !strstr(text, "alarm_temp 105000 alarm_volt 600..900\nok\n")) {
		fprintf(stderr, "fuzz_control: resetting the alarms failed:\n%s",
			text);
		abort();
	}
	free(text);
}

/* What a stream asks for: one answer per complete line with a word (a
 * byte other than the separators " \t\r" before any NUL).  A line
 * reaching CONTROL_LINE_MAX bytes without its '\n' gets one answer and
 * ends the session; the next starts after that line's '\n' (resume[],
 * *closes of them). */
static unsigned plan(const uint8_t *d, size_t n, size_t *resume,
		     unsigned *closes)
{
	unsigned answers = 0;
	size_t start = 0, i = 0;
	bool word = false, nul = false;
	*closes = 0;
	for (;;) {
		if (i - start == CONTROL_LINE_MAX) {
			answers++;
			const uint8_t *nl = i < n ? memchr(d + i, '\n', n - i) : NULL;
			i = nl ? (size_t)(nl - d) + 1 : n;
			resume[(*closes)++] = i;
			start = i;
			word = nul = false;
			continue;
		}
		if (i == n)
			return answers;
		if (d[i] == '\n') {
			answers += word;
			start = i + 1;
			word = nul = false;
		} else if (!d[i]) {
			nul = true;
		} else if (!nul && !strchr(" \t\r", d[i])) {
			word = true;
		}
		i++;
	}
}

static bool is_close(const char *line, size_t n)
{
	return (n == 2 && !memcmp(line, "ok", 2)) ||
	       (n >= 7 && !memcmp(line, "error: ", 7));
}

/* Check one pass's output (ends: control_feed's 1s) against the rules
 * above; its number of lines for the comparison of the two passes. */
static unsigned check(const char *text, size_t len, unsigned ends,
		      unsigned want, unsigned closes, const char *pass)
{
	const char *why = NULL;
	size_t answer = 0;
	unsigned lines = 0, answers = 0, long_errors = 0;
	const char *line = text;
	if (memchr(text, '\0', len))
		why = "a NUL in the output";
	else if (len && text[len - 1] != '\n')
		why = "the output ends inside a line";
	while (!why && line < text + len) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = (size_t)(nl - line);
		lines++;
		answer += n + 1;
		if (n >= LINE_BOUND)
			why = "a line beyond its bound";
		else if (answer > ANSWER_BOUND)
			why = "an answer beyond its bound";
		if (is_close(line, n)) {
			answers++;
			answer = 0;
			long_errors += !strncmp(line, too_long, sizeof(too_long) - 1);
		}
		line = nl + 1;
	}
	if (!why && answers != want)
		why = "not one answer per command line";
	if (!why && answer)
		why = "lines after the last answer";
	if (!why && ends != closes)
		why = "control_feed ended sessions elsewhere than at too long lines";
	if (!why && long_errors != closes)
		why = "not one \"line longer\" error per too long line";
	if (why) {
		fprintf(stderr, "fuzz_control (%s pass): %s: %u answers for %u "
			"command lines, control_feed ended %u sessions for %u "
			"too long lines; output:\n%.*s\n", pass, why, answers,
			want, ends, closes, (int)(len > 8192 ? 8192 : len), text);
		abort();
	}
	return lines;
}

/* The next closing line of an output (checked), from *p on. */
static const char *next_close(const char **p, size_t *n)
{
	for (;;) {
		const char *line = *p, *nl = strchr(line, '\n');
		*p = nl + 1;
		*n = (size_t)(nl - line);
		if (is_close(line, *n))
			return line;
	}
}

/* One pass: the stream in pieces of at most max bytes (SIZE_MAX: whole)
 * drawn from *x, reconnecting at each resume point; the output, with the
 * number of sessions control_feed ended. */
static char *pass(const uint8_t *d, size_t n, const size_t *resume,
		  unsigned closes, size_t max, uint32_t *x, size_t *len,
		  unsigned *ends)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	if (!f)
		abort();
	reset();
	*ends = 0;
	for (size_t off = 0; off < n;) {
		size_t k = n - off;
		if (max != SIZE_MAX) {
			*x ^= *x << 13;
			*x ^= *x >> 17;
			*x ^= *x << 5;
			k = *x % 8 ? 1 + (*x >> 8) % 16 : 1 + (*x >> 8) % max;
			if (k > n - off)
				k = n - off;
		}
		if (control_feed(ctl, d + off, k, f)) {
			if (*ends == closes) {
				fprintf(stderr, "fuzz_control: control_feed ended "
					"a session at byte %zu..%zu, no line is too "
					"long there\n", off, off + k);
				abort();
			}
			off = resume[(*ends)++];
			continue;
		}
		off += k;
	}
	control_feed_end(ctl);
	fclose(f);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctl)
		setup();
	/* a session that ends took CONTROL_LINE_MAX bytes at least */
	size_t *resume = malloc((size / CONTROL_LINE_MAX + 1) * sizeof(*resume));
	if (!resume)
		abort();
	unsigned closes;
	unsigned want = plan(data, size, resume, &closes);
	bool alarms = memmem(data, size, "alarm", 5) != NULL;

	uint32_t x = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < size; i++)
		x = (x ^ data[i]) * 16777619u;
	size_t len;
	unsigned ends, lines = 0;
	char *whole = NULL;
	if (x % 4 == 0) {
		whole = pass(data, size, resume, closes, SIZE_MAX, NULL, &len,
			     &ends);
		alarms_dirty |= alarms;
		lines = check(whole, len, ends, want, closes, "whole");
	}

	/* Pieces of 1..16 bytes, sometimes up to 1024: line ends and the
	 * buffer's end fall anywhere in them. */
	char *text = pass(data, size, resume, closes, 1024, &x, &len, &ends);
	alarms_dirty |= alarms;
	unsigned cut_lines = check(text, len, ends, want, closes, "cut");
	if (!whole) {
		free(text);
		free(resume);
		return 0;
	}
	if (cut_lines != lines) {
		fprintf(stderr, "fuzz_control: cut differently, the stream got "
			"%u lines instead of %u\n", cut_lines, lines);
		abort();
	}
	const char *p = whole, *q = text;
	for (unsigned i = 0; i < want; i++) {
		size_t m, n;
		const char *a = next_close(&p, &m), *b = next_close(&q, &n);
		if (m != n || memcmp(a, b, n)) {
			fprintf(stderr, "fuzz_control: cut differently, answer "
				"%u is \"%.*s\", whole \"%.*s\"\n", i, (int)n, b,
				(int)m, a);
			abort();
		}
	}
	free(whole);
	free(text);
	free(resume);
	return 0;
}
