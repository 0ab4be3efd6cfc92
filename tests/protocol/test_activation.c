/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd socket activation of the real binary (sd_listen_fds(3)): the
 * test plays systemd, binding the sockets itself and starting fbnic-emu
 * with them as fds 3.. and LISTEN_PID / LISTEN_FDS / LISTEN_FDNAMES, as
 * fbnic-emu@.socket (listening sockets) and an Accept=yes unit (one
 * accepted connection per process) do.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "vfu_client.h"

static char dir[64], vsock[128], csock[128];

static int bound(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The two sockets a fbnic-emu@.socket unit would make, bound in a
 * directory of the test's own. */
static bool make_sockets(int *v, int *c)
{
	snprintf(dir, sizeof(dir), "/tmp/fbnic-act.XXXXXX");
	if (!mkdtemp(dir))
		return false;
	snprintf(vsock, sizeof(vsock), "%s/nic.sock", dir);
	snprintf(csock, sizeof(csock), "%s/nic.ctl", dir);
	*v = bound(vsock);
	*c = bound(csock);
	return *v >= 0 && *c >= 0;
}

static void remove_sockets(int v, int c)
{
	if (v >= 0)
		close(v);
	if (c >= 0)
		close(c);
	unlink(vsock);
	unlink(csock);
	rmdir(dir);
}

/* One command on the control socket; its answer (malloc'd) or NULL. */
static char *ctl_ask(const char *path, const char *line)
{
	int fd = vfu_unix_connect(path);
	if (fd < 0)
		return NULL;
	char *buf = calloc(1, 8192);
	size_t used = 0;
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) == (ssize_t)strlen(line)) {
		while (used < 8191) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 30000) <= 0)
				break;
			ssize_t r = recv(fd, buf + used, 8191 - used, 0);
			if (r <= 0)
				break;
			used += (size_t)r;
			if (strstr(buf, "ok\n") || strstr(buf, "error: "))
				break;
		}
	}
	close(fd);
	return buf;
}

/* Named sockets (FileDescriptorName=vfio-user / control), no --socket:
 * fbnic-emu serves both; at SIGTERM it exits 0 and leaves the socket
 * files to their owner (systemd removes them when the socket unit
 * stops). */
static void named_listening_sockets(void)
{
	int v = -1, c = -1;
	REQUIRE(make_sockets(&v, &c));
	int fds[2] = { v, c };
	struct vfu_server s;
	REQUIRE(vfu_server_start_activated(&s, NULL, fds, 2, "vfio-user:control",
					   vsock) == 0);
	struct vfu_client cl;
	CHECK_INT(vfu_open(&s, &cl), 0);
	uint64_t val = 0;
	CHECK_INT(vfu_bar_read(&cl, 0, 0x11002 * 4, 4, &val), 0);
	char *a = ctl_ask(csock, "status\n");
	CHECK(a && strstr(a, "\nclient connected (connections "));
	free(a);
	vfu_disconnect(&cl);
	char *log = vfu_server_log(&s, 0);
	CHECK(log && strstr(log, "socket vfio-user on fd 3: listening at "));
	CHECK(log && strstr(log, "socket control on fd 4: listening at "));
	free(log);
	CHECK_INT(vfu_server_stop(&s), 0);
	CHECK_INT(access(vsock, F_OK), 0);
	CHECK_INT(access(csock, F_OK), 0);
	remove_sockets(v, c);
}

/* Unnamed sockets (systemd's default name, "unknown") in the other
 * order: told apart by the paths --socket and --control name. */
static void sockets_matched_by_path(void)
{
	int v = -1, c = -1;
	REQUIRE(make_sockets(&v, &c));
	int fds[2] = { c, v };
	const char *const extra[] = { "--socket", vsock, "--control", csock, NULL };
	struct vfu_server s;
	REQUIRE(vfu_server_start_activated(&s, extra, fds, 2, NULL, vsock) == 0);
	struct vfu_client cl;
	CHECK_INT(vfu_open(&s, &cl), 0);
	vfu_disconnect(&cl);
	char *a = ctl_ask(csock, "link\n");
	CHECK(a && strstr(a, "link up"));
	free(a);
	char *log = vfu_server_log(&s, 0);
	CHECK(log && strstr(log, "socket unknown on fd 4: listening at "));
	CHECK(log && !strstr(log, "no use for it"));
	free(log);
	CHECK_INT(vfu_server_stop(&s), 0);
	remove_sockets(v, c);
}

/* Accept=yes: one accepted connection per process.  fbnic-emu serves it
 * and exits 0 when the client goes. */
static void accepted_connection(void)
{
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	struct vfu_server s;
	REQUIRE(vfu_server_start_activated(&s, NULL, &sv[1], 1, "connection",
					   NULL) == 0);
	close(sv[1]);
	struct vfu_client cl;
	vfu_client_from_fd(&cl, sv[0]);
	CHECK_INT(vfu_version(&cl, NULL), 0);
	uint64_t val = 0;
	CHECK_INT(vfu_bar_read(&cl, 0, 0x11002 * 4, 4, &val), 0);
	vfu_disconnect(&cl);
	bool gone = vfu_server_wait_exit(&s, 10000);
	CHECK(gone);
	CHECK(gone && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	char *log = vfu_server_log(&s, 0);
	CHECK(log && strstr(log, "serving the connection handed over on fd 3"));
	if (test_failures || getenv("TEST_VERBOSE"))
		fprintf(stderr, "    server log:\n%s", log ? log : "");
	free(log);
	if (!gone)
		vfu_server_stop(&s);
	else
		vfu_server_forget(&s);
}

/* Something that is not a UNIX stream socket handed over (a pipe): a
 * clear error and exit status 1, not a server on a wrong fd. */
static void not_a_socket(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0);
	struct vfu_server s;
	REQUIRE(vfu_server_start_activated(&s, NULL, &p[0], 1, "vfio-user",
					   NULL) == 0);
	bool gone = vfu_server_wait_exit(&s, 10000);
	CHECK(gone && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 1);
	char *log = vfu_server_log(&s, 0);
	CHECK(log && strstr(log, "fd 3 (vfio-user) is not a UNIX stream socket"));
	free(log);
	close(p[0]);
	close(p[1]);
	if (!gone)
		vfu_server_stop(&s);
	else
		vfu_server_forget(&s);
}

TEST_MAIN("protocol-activation", TEST_CASE(named_listening_sockets),
	  TEST_CASE(sockets_matched_by_path), TEST_CASE(accepted_connection),
	  TEST_CASE(not_a_socket))
