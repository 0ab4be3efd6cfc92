/* SPDX-License-Identifier: Apache-2.0 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dev/fbnic.h"
#include "runner.h"
#include "util/log.h"

#define SUB "control"
#define MAX_CLIENTS 8
#define LINE_MAX_LEN 512
#define MAX_ARGS 8

struct client {
	int fd;
	size_t used;
	char buf[LINE_MAX_LEN];
};

struct control {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int stop_fd;
	pthread_t thread;
	struct runner *runner;
	struct client clients[MAX_CLIENTS];
};

/* A command runs with the device lock held (runner_call) and writes its
 * output to out; it returns NULL for "ok" or an error text. */
typedef const char *(*cmd_fn)(struct runner *r, struct fbnic *dev, int argc,
			       char **argv, FILE *out);

struct cmd {
	const char *name;
	const char *usage;
	cmd_fn fn;
};

static const char *cmd_dump(struct runner *r, struct fbnic *dev, int argc,
			    char **argv, FILE *out)
{
	(void)argc;
	(void)argv;
	fbnic_dump(dev, out);
	runner_dump(r, out);
	return NULL;
}

static const char *cmd_help(struct runner *r, struct fbnic *dev, int argc,
			    char **argv, FILE *out);

static const struct cmd commands[] = {
	{ "help", "help", cmd_help },
	{ "dump", "dump                      device state and counters", cmd_dump },
	{ NULL, NULL, NULL },
};

static const char *cmd_help(struct runner *r, struct fbnic *dev, int argc,
			    char **argv, FILE *out)
{
	(void)r;
	(void)dev;
	(void)argc;
	(void)argv;
	for (const struct cmd *c = commands; c->name; c++)
		fprintf(out, "%s\n", c->usage);
	return NULL;
}

struct call_ctx {
	struct runner *r;
	const struct cmd *cmd;
	int argc;
	char **argv;
	FILE *out;
	const char *err;
};

static void call_locked(struct fbnic *dev, void *arg)
{
	struct call_ctx *x = arg;
	x->err = x->cmd->fn(x->r, dev, x->argc, x->argv, x->out);
}

/* Run one line; the whole answer goes out in one write. */
static void run_line(struct control *c, struct client *cl, char *line)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
		if (argc == MAX_ARGS) {
			dprintf(cl->fd, "error: too many arguments\n");
			return;
		}
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	if (argc == 0)
		return;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return;
	const struct cmd *cmd = commands;
	while (cmd->name && strcmp(cmd->name, argv[0]))
		cmd++;
	if (!cmd->name) {
		fprintf(out, "error: unknown command '%s' (try help)\n", argv[0]);
	} else {
		struct call_ctx x = { c->runner, cmd, argc, argv, out, NULL };
		runner_call(c->runner, call_locked, &x);
		if (x.err)
			fprintf(out, "error: %s\n", x.err);
		else
			fprintf(out, "ok\n");
	}
	fclose(out);
	ssize_t n = send(cl->fd, text, len, MSG_NOSIGNAL);
	(void)n;
	free(text);
}

static void client_close(struct client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->used = 0;
}

static void client_input(struct control *c, struct client *cl)
{
	ssize_t n = recv(cl->fd, cl->buf + cl->used, sizeof(cl->buf) - cl->used, 0);
	if (n <= 0) {
		client_close(cl);
		return;
	}
	cl->used += (size_t)n;
	char *nl;
	while ((nl = memchr(cl->buf, '\n', cl->used))) {
		*nl = '\0';
		run_line(c, cl, cl->buf);
		size_t rest = cl->used - (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, rest);
		cl->used = rest;
	}
	if (cl->used == sizeof(cl->buf)) {
		dprintf(cl->fd, "error: line longer than %d bytes\n", LINE_MAX_LEN);
		client_close(cl);
	}
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	for (;;) {
		struct pollfd p[MAX_CLIENTS + 2];
		int map[MAX_CLIENTS + 2];
		int n = 0;
		p[n++] = (struct pollfd){ .fd = c->stop_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (c->clients[i].fd >= 0) {
				map[n] = i;
				p[n++] = (struct pollfd){ .fd = c->clients[i].fd,
							  .events = POLLIN };
			}
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents) {
			int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			int slot = -1;
			for (int i = 0; fd >= 0 && i < MAX_CLIENTS && slot < 0; i++)
				if (c->clients[i].fd < 0)
					slot = i;
			if (fd >= 0 && slot < 0) {
				dprintf(fd, "error: too many control clients\n");
				close(fd);
			} else if (fd >= 0) {
				c->clients[slot].fd = fd;
				c->clients[slot].used = 0;
			}
		}
		for (int k = 2; k < n; k++)
			if (p[k].revents)
				client_input(c, &c->clients[map[k]]);
	}
	return NULL;
}

struct control *control_create(const char *path, struct runner *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err(SUB, "control socket path too long: %s", path);
		return NULL;
	}
	struct control *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	c->runner = r;
	for (int i = 0; i < MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (c->stop_fd < 0 || c->listen_fd < 0 ||
	    bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(c->listen_fd, 4) < 0 ||
	    pthread_create(&c->thread, NULL, control_thread, c)) {
		log_err(SUB, "cannot serve %s: %s", path, strerror(errno));
		if (c->listen_fd >= 0)
			close(c->listen_fd);
		if (c->stop_fd >= 0)
			close(c->stop_fd);
		free(c);
		return NULL;
	}
	log_info(SUB, "control channel on %s", path);
	return c;
}

void control_destroy(struct control *c)
{
	if (!c)
		return;
	uint64_t one = 1;
	ssize_t n = write(c->stop_fd, &one, sizeof(one));
	(void)n;
	pthread_join(c->thread, NULL);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			close(c->clients[i].fd);
	close(c->listen_fd);
	close(c->stop_fd);
	unlink(c->path);
	free(c);
}
