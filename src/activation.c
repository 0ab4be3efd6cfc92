/* SPDX-License-Identifier: Apache-2.0 */
#include "activation.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "util/log.h"

#define SUB "activation"

#ifdef HAVE_LIBSYSTEMD
/* What the fd is: an AF_UNIX stream socket, listening or connected, and
 * the path it is bound to ("" for a connection's or an abstract one). */
static int describe(struct activation_sock *s)
{
	if (sd_is_socket_unix(s->fd, SOCK_STREAM, -1, NULL, 0) <= 0) {
		log_err(SUB, "fd %d (%s) is not a UNIX stream socket", s->fd,
			s->name);
		return -EINVAL;
	}
	s->listening = sd_is_socket_unix(s->fd, SOCK_STREAM, 1, NULL, 0) > 0;
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	if (getsockname(s->fd, (struct sockaddr *)&sa, &len) == 0 &&
	    len > offsetof(struct sockaddr_un, sun_path) && sa.sun_path[0])
		memcpy(s->path, sa.sun_path, sizeof(s->path) - 1);
	return 0;
}
#endif

int activation_get(struct activation *a)
{
	memset(a, 0, sizeof(*a));
#ifdef HAVE_LIBSYSTEMD
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names);
	if (n < 0) {
		log_err(SUB, "sd_listen_fds: %s", strerror(-n));
		return n;
	}
	int ret = 0;
	if (n > ACTIVATION_MAX) {
		log_err(SUB, "%d sockets handed over, at most %d taken", n,
			ACTIVATION_MAX);
		ret = -E2BIG;
	}
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		if (ret || i >= ACTIVATION_MAX) {
			close(fd);
			continue;
		}
		struct activation_sock *s = &a->s[a->n++];
		s->fd = fd;
		snprintf(s->name, sizeof(s->name), "%s",
			 names && names[i] ? names[i] : "unknown");
		ret = describe(s);
	}
	if (names) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (ret) {
		for (unsigned i = 0; i < a->n; i++)
			close(a->s[i].fd);
		a->n = 0;
		return ret;
	}
	for (unsigned i = 0; i < a->n; i++)
		log_info(SUB, "socket %s on fd %d: %s%s%s", a->s[i].name,
			 a->s[i].fd,
			 a->s[i].listening ? "listening" : "a connection",
			 a->s[i].path[0] ? " at " : "", a->s[i].path);
	return 0;
#else
	if (getenv("LISTEN_FDS")) {
		log_err(SUB, "started with sockets (LISTEN_FDS), but this "
			"fbnic-emu was built without libsystemd: no socket "
			"activation");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDNAMES");
		return -ENOTSUP;
	}
	return 0;
#endif
}

struct activation_sock *activation_take(struct activation *a, const char *name,
					const char *path)
{
	for (unsigned i = 0; i < a->n; i++)
		if (!a->s[i].taken && !strcmp(a->s[i].name, name)) {
			a->s[i].taken = true;
			return &a->s[i];
		}
	for (unsigned i = 0; path && i < a->n; i++)
		if (!a->s[i].taken && !strcmp(a->s[i].path, path)) {
			a->s[i].taken = true;
			return &a->s[i];
		}
	return NULL;
}

void activation_close_rest(struct activation *a)
{
	for (unsigned i = 0; i < a->n; i++)
		if (!a->s[i].taken) {
			log_warn(SUB, "socket %s on fd %d%s%s: no use for it; "
				 "closed", a->s[i].name, a->s[i].fd,
				 a->s[i].path[0] ? " at " : "", a->s[i].path);
			close(a->s[i].fd);
			a->s[i].taken = true;
		}
}
