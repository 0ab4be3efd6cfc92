/* SPDX-License-Identifier: Apache-2.0 */
#include "unix_sock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

int unix_listen(const char *path, const char *what)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err(what, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(fd, 4) == 0)
			return fd;
	}
	int err = errno;
	log_err(what, "cannot listen on %s: %s", path, strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}
