/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging.  One line per event, to stderr, with a monotonic timestamp and
 * the subsystem.  Guest-caused errors use log_guest(): they are expected
 * under a hostile guest, so they are counted by the caller and logged at
 * warning level, never fatal.
 */
#ifndef FBNIC_EMU_LOG_H
#define FBNIC_EMU_LOG_H

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
/* A malformed or out-of-range request from the guest or the client. */
#define log_guest(sub, ...) log_msg(LOG_WARN, sub, "guest error: " __VA_ARGS__)

#endif
