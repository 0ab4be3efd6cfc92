/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control channel: a UNIX socket with a line protocol for what the guest
 * cannot change (link state, sensors, firmware heartbeat) and for dumping
 * device state.  One command per line; the answer is zero or more lines
 * of output, then "ok" or "error: <reason>".  See README.md.
 */
#ifndef FBNIC_EMU_CONTROL_H
#define FBNIC_EMU_CONTROL_H

#include <stddef.h>
#include <stdio.h>

struct runner;
struct control;

/* A line's bytes with its '\n' at most: a client that sends more without
 * one gets "error: line longer than 512 bytes" and is disconnected. */
#define CONTROL_LINE_MAX 512

/* Serve the channel on sock (a path to bind or a listening socket handed
 * over, util/unix_sock.h), commands reaching r's device under its lock;
 * sock NULL: no socket, no thread, only control_feed. */
struct sock_spec;
struct control *control_create(const struct sock_spec *sock, struct runner *r);
void control_destroy(struct control *c);

/* One more client without a socket (the fuzz target's way in): data is
 * what it sent, cut anywhere, as recv returns it; every complete line
 * runs and its answer goes to out, byte for byte what the socket would
 * write.  Returns 0, or 1 when the socket would have closed the
 * connection (a line longer than the buffer, after its error answer): the
 * rest of data is dropped and the next call starts a new session.  One
 * caller at a time. */
int control_feed(struct control *c, const void *data, size_t len, FILE *out);
/* The feed's client disconnects: its partial line is forgotten. */
void control_feed_end(struct control *c);

#endif
