/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runner: serves the fbnic core over vfio-user.  It owns the device
 * lock that serialises every call into the core, the device thread that
 * runs deferred work and timers, and the host services the core uses.
 */
#ifndef FBNIC_EMU_RUNNER_H
#define FBNIC_EMU_RUNNER_H

#include <stdio.h>

#include "dev/fbnic.h"

struct runner;

struct runner *runner_create(const char *socket_path,
			     const struct fbnic_config *cfg);
/* Serve until runner_stop(); returns 0. */
int runner_run(struct runner *r);
/* Async-signal-safe. */
void runner_stop(struct runner *r);
void runner_destroy(struct runner *r);
/* Write the vfio-user server's counters (call with the lock held is fine). */
void runner_dump(struct runner *r, FILE *out);
/* Run fn(dev, arg) with the device lock held (control channel). */
void runner_call(struct runner *r, void (*fn)(struct fbnic *dev, void *arg),
		 void *arg);

#endif
