/* SPDX-License-Identifier: Apache-2.0 */
/* The backends' fds in the object's epoll set (net_priv.h); apart from
 * net.c, which holds the ops tables, so that no cycle joins the files. */
#include <errno.h>
#include <string.h>

#include "net_priv.h"
#include "util/log.h"

int net_watch(struct net *n, int fd, uint32_t tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };
	if (epoll_ctl(n->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	if (errno == ENOENT && epoll_ctl(n->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return 0;
	int err = errno;
	log_ratelimited(LOG_ERR, "net", "%s: cannot watch fd %d: %s", n->name, fd,
			strerror(err));
	return -err;
}

void net_unwatch(struct net *n, int fd)
{
	epoll_ctl(n->epfd, EPOLL_CTL_DEL, fd, NULL);
}
