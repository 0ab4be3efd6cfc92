/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FBNIC_EMU_UNIX_SOCK_H
#define FBNIC_EMU_UNIX_SOCK_H

#include <stdbool.h>

/* A listening AF_UNIX stream socket at path (a stale socket left by a
 * killed run is replaced).  Returns the fd, or -errno after one log line
 * naming `what` (-ENAMETOOLONG if path does not fit sun_path). */
int unix_listen(const char *path, const char *what);

/* Where a server takes its clients: a path it binds itself (fd -1; the
 * socket file is removed at exit), or a socket it was handed (systemd
 * socket activation, see activation.h; the file, if any, is not its to
 * remove): a listening one, or one connection already accepted
 * (connected: served, then the server is done). */
struct sock_spec {
	const char *path; /* bound or to bind; NULL: unknown (logs say fd N) */
	int fd;
	bool connected;
};

#endif
