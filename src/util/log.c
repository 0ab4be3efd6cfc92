/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"
#include "clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

enum log_level log_threshold = LOG_INFO;

static const char *const level_name[] = { "error", "warn", "info", "debug" };

static _Atomic(FILE *) sink;
static atomic_bool journal;
static _Atomic(log_clock_fn *) clock_fn;
static atomic_ullong lines_written;

/* The state of every rate-limited call site, the list of the sites seen
 * and the total of drops. */
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_site *rl_sites;
static unsigned long long rl_suppressed;

#define LINE_LEN 1024

static uint64_t now_ns(void)
{
	log_clock_fn *fn = atomic_load(&clock_fn);
	if (fn)
		return fn();
	return util_mono_ns();
}

static void emit(enum log_level lvl, const char *sub, uint64_t ns,
		 const char *text)
{
	FILE *f = atomic_load(&sink);
	/* One fprintf per line so lines from different threads never mix. */
	if (atomic_load(&journal)) {
		/* syslog priorities: err 3, warning 4, info 6, debug 7
		 * (sd-daemon.h's SD_ERR...); the journal stamps the time */
		static const int prio[] = { 3, 4, 6, 7 };
		fprintf(f ? f : stderr, "<%d>%s: %s\n", prio[lvl], sub, text);
		atomic_fetch_add(&lines_written, 1);
		return;
	}
	fprintf(f ? f : stderr, "%5llu.%03llu fbnic-emu %s %s: %s\n",
		(unsigned long long)(ns / 1000000000ull),
		(unsigned long long)(ns % 1000000000ull / 1000000ull),
		level_name[lvl], sub, text);
	atomic_fetch_add(&lines_written, 1);
}

void log_msg(enum log_level lvl, const char *sub, const char *fmt, ...)
{
	if (lvl > log_threshold)
		return;
	uint64_t ns = now_ns();
	char line[LINE_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(lvl, sub, ns, line);
}

/* Append to the formatted text in line[LINE_LEN] (truncating). */
static void append(char *line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void append(char *line, const char *fmt, ...)
{
	size_t used = strnlen(line, LINE_LEN - 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + used, LINE_LEN - used, fmt, ap);
	va_end(ap);
}

void log_site_msg(struct log_site *site, enum log_level lvl, const char *sub,
		  const char *fmt, ...)
{
	if (lvl > log_threshold)
		return;
	pthread_mutex_lock(&rl_lock);
	/* Read under the lock, so a site's times never go backwards. */
	uint64_t ns = now_ns();
	if (!site->listed) {
		site->listed = true;
		site->sub = sub;
		site->lvl = lvl;
		site->next = rl_sites;
		rl_sites = site;
	}
	unsigned long long n = ++site->hits;
	if (n > LOG_RL_BURST && ns < site->last_ns + LOG_RL_INTERVAL_NS) {
		site->dropped++;
		rl_suppressed++;
		pthread_mutex_unlock(&rl_lock);
		return;
	}
	char line[LINE_LEN];
	snprintf(line, sizeof(line), "%s", site->prefix);
	va_list ap;
	va_start(ap, fmt);
	size_t used = strnlen(line, LINE_LEN - 1);
	vsnprintf(line + used, LINE_LEN - used, fmt, ap);
	va_end(ap);
	if (n == LOG_RL_BURST)
		append(line, " (rate limited from here on)");
	else if (site->dropped)
		append(line, " (%llu similar suppressed)", site->dropped);
	site->dropped = 0;
	site->last_ns = ns;
	/* Under the lock: a summary never precedes the lines it counts. */
	emit(lvl, sub, ns, line);
	pthread_mutex_unlock(&rl_lock);
}

void log_flush_suppressed(void)
{
	pthread_mutex_lock(&rl_lock);
	uint64_t ns = now_ns();
	for (struct log_site *s = rl_sites; s; s = s->next) {
		if (!s->dropped)
			continue;
		char line[LINE_LEN];
		snprintf(line, sizeof(line),
			 "%s%llu similar suppressed since %llu.%03llu (%s:%d)",
			 s->prefix, s->dropped,
			 (unsigned long long)(s->last_ns / 1000000000ull),
			 (unsigned long long)(s->last_ns % 1000000000ull /
					      1000000ull),
			 s->file, s->line);
		s->dropped = 0;
		s->last_ns = ns;
		emit(s->lvl, s->sub, ns, line);
	}
	pthread_mutex_unlock(&rl_lock);
}

unsigned long long log_suppressed_total(void)
{
	pthread_mutex_lock(&rl_lock);
	unsigned long long n = rl_suppressed;
	pthread_mutex_unlock(&rl_lock);
	return n;
}

unsigned long long log_lines_written(void)
{
	return atomic_load(&lines_written);
}

void log_set_journal(bool on)
{
	atomic_store(&journal, on);
}

void log_set_sink(FILE *f)
{
	atomic_store(&sink, f);
}

void log_set_clock(log_clock_fn *fn)
{
	atomic_store(&clock_fn, fn);
}

void log_ratelimit_reset(void)
{
	pthread_mutex_lock(&rl_lock);
	while (rl_sites) {
		struct log_site *s = rl_sites;
		rl_sites = s->next;
		s->listed = false;
		s->hits = 0;
		s->dropped = 0;
		s->last_ns = 0;
		s->next = NULL;
	}
	rl_suppressed = 0;
	pthread_mutex_unlock(&rl_lock);
}
