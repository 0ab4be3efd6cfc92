/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control channel: a UNIX socket with a line protocol for what the guest
 * cannot change (link state, sensors, firmware heartbeat) and for dumping
 * device state.  One command per line; the answer is zero or more lines
 * of output, then "ok" or "error: <reason>".  See README.md.
 */
#ifndef FBNIC_EMU_CONTROL_H
#define FBNIC_EMU_CONTROL_H

struct runner;
struct control;

struct control *control_create(const char *path, struct runner *r);
void control_destroy(struct control *c);

#endif
