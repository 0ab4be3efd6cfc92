/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process's one timebase: CLOCK_MONOTONIC in nanoseconds.  The device
 * host's now_ns (runner.c), the net thread's read times (a frame's RX
 * timestamp, net/pump.h), the log's stamps and the firmware's clock all
 * read it, so their times compare.
 */
#ifndef FBNIC_EMU_UTIL_CLOCK_H
#define FBNIC_EMU_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t util_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
