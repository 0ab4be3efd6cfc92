/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging.  One line per event, to stderr, with a monotonic timestamp and
 * the subsystem:
 *
 *	  485.397 fbnic-emu warn fw: guest error: ...
 *
 * Guest-caused errors use log_guest(): they are expected under a hostile
 * guest, so they are counted by the caller and logged at warning level,
 * never fatal.
 *
 * A guest can cause them at MMIO or packet rate, so log_guest() (and
 * log_ratelimited(), for any other message that can come once per packet)
 * is rate limited per call site, each site with its own static state:
 *
 *  - its first LOG_RL_BURST (5) occurrences are logged in full, the last
 *    of them with " (rate limited from here on)" appended;
 *  - after that, an occurrence is logged only if LOG_RL_INTERVAL_NS (1 s)
 *    has passed since the site's previous line, in full, with " (N similar
 *    suppressed)" appended when N occurrences were dropped since that
 *    line.  This is decided when an occurrence comes (there is no timer),
 *    so the drops at the end of a burst stay pending until the site's
 *    next line or a flush;
 *  - log_flush_suppressed() writes, for every site with pending drops, one
 *    line "<sub>: guest error: N similar suppressed since T (file.c:LINE)"
 *    (no "guest error: " for log_ratelimited()), T being the time of the
 *    site's previous line.  main() calls it at exit, the control
 *    channel's `dump` too.
 *
 * So a site writes at most LOG_RL_BURST lines plus one per interval, and
 * its occurrences are its full lines plus the N of its summaries.  A site
 * counts nothing while its level is above log_threshold.  Thread safe:
 * the state of every site is under one mutex in log.c.
 */
#ifndef FBNIC_EMU_LOG_H
#define FBNIC_EMU_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;

void log_msg(enum log_level lvl, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(sub, ...) log_msg(LOG_ERR, sub, __VA_ARGS__)
#define log_warn(sub, ...) log_msg(LOG_WARN, sub, __VA_ARGS__)
#define log_info(sub, ...) log_msg(LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...)                                   \
	do {                                                  \
		if (log_threshold >= LOG_DEBUG)               \
			log_msg(LOG_DEBUG, sub, __VA_ARGS__); \
	} while (0)

#define LOG_RL_BURST 5u
#define LOG_RL_INTERVAL_NS 1000000000ull

/* One call site of a rate-limited log.  Only the macros below make them;
 * every field but the first three belongs to log.c (under its lock). */
struct log_site {
	const char *file;
	int line;
	const char *prefix; /* "guest error: " or "" */
	const char *sub;
	enum log_level lvl;
	bool listed;              /* on the list log_flush_suppressed() walks */
	unsigned long long hits;  /* occurrences */
	unsigned long long dropped; /* suppressed since the site's last line */
	uint64_t last_ns;         /* time of the site's last line */
	struct log_site *next;
};

void log_site_msg(struct log_site *site, enum log_level lvl, const char *sub,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_site_(lvl, sub, pfx, ...)                                       \
	do {                                                                \
		static struct log_site log_site_state_ = {                  \
			.file = __FILE__, .line = __LINE__, .prefix = pfx   \
		};                                                          \
		log_site_msg(&log_site_state_, lvl, sub, __VA_ARGS__);      \
	} while (0)

/* A message that can come once per packet or access: rate limited. */
#define log_ratelimited(lvl, sub, ...) log_site_(lvl, sub, "", __VA_ARGS__)
/* A malformed or out-of-range request from the guest or the client. */
#define log_guest(sub, ...) log_site_(LOG_WARN, sub, "guest error: ", __VA_ARGS__)

/* Write the summary line of every site with unreported drops. */
void log_flush_suppressed(void);
/* Occurrences suppressed so far, over all sites (reported or not). */
unsigned long long log_suppressed_total(void);
/* Lines for the systemd journal (stderr is its stream, JOURNAL_STREAM):
 * "<PRIORITY>subsystem: text", the syslog priority of the level first
 * and no timestamp (the journal has one), instead of
 * "SEC.MSEC fbnic-emu LEVEL subsystem: text". */
void log_set_journal(bool on);

/* Lines written so far (every level, summaries included). */
unsigned long long log_lines_written(void);

/* For tests.  Where lines go (NULL: stderr); the clock, in nanoseconds,
 * that stamps lines and paces summaries (NULL: CLOCK_MONOTONIC); and
 * forgetting the history of every site seen so far (drops unreported). */
void log_set_sink(FILE *f);
typedef uint64_t log_clock_fn(void);
void log_set_clock(log_clock_fn *fn);
void log_ratelimit_reset(void);

#endif
