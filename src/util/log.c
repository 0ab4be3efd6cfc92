/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

enum log_level log_threshold = LOG_INFO;

static const char *const level_name[] = { "error", "warn", "info", "debug" };

void log_msg(enum log_level lvl, const char *sub, const char *fmt, ...)
{
	if (lvl > log_threshold)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so lines from different threads never mix. */
	fprintf(stderr, "%5lld.%03ld fbnic-emu %s %s: %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, level_name[lvl], sub, line);
}
