/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd socket activation: the sockets fbnic-emu was started with
 * (sd_listen_fds(3), through Debian's libsystemd).  A socket unit hands
 * over listening sockets (fbnic-emu@.socket: the vfio-user one and the
 * control channel's, told apart by FileDescriptorName= or by the path
 * they are bound to), or with Accept=yes one accepted vfio-user
 * connection per process.
 */
#ifndef FBNIC_EMU_ACTIVATION_H
#define FBNIC_EMU_ACTIVATION_H

#include <stdbool.h>
#include <sys/un.h>

#define ACTIVATION_MAX 8

struct activation_sock {
	int fd;
	char name[64];  /* FileDescriptorName=; "connection" with Accept=yes */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* bound to */
	bool listening; /* else one accepted connection */
	bool taken;
};

struct activation {
	unsigned n;
	struct activation_sock s[ACTIVATION_MAX];
};

/* The sockets handed over (a->n = 0: not socket-activated; the LISTEN_*
 * variables are removed either way).  0, or -errno after a log line:
 * more than ACTIVATION_MAX sockets, one that is not an AF_UNIX stream
 * socket, or activation asked of a build without libsystemd. */
int activation_get(struct activation *a);
/* The socket for a role: the one named name, else the one bound at path
 * (path may be NULL); marked taken.  NULL if none. */
struct activation_sock *activation_take(struct activation *a, const char *name,
					const char *path);
/* Close the sockets no role took, one log line each. */
void activation_close_rest(struct activation *a);

#endif
