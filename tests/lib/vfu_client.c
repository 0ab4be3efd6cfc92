/* SPDX-License-Identifier: Apache-2.0 */
#include "vfu_client.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIAG(...)                                          \
	do {                                               \
		fprintf(stderr, "    vfu_client: " __VA_ARGS__); \
		fputc('\n', stderr);                       \
	} while (0)

static const char *cmd_name(unsigned cmd)
{
	static const char *const names[] = {
		"0?", "VERSION", "DMA_MAP", "DMA_UNMAP", "DEVICE_GET_INFO",
		"GET_REGION_INFO", "GET_REGION_IO_FDS", "GET_IRQ_INFO",
		"SET_IRQS", "REGION_READ", "REGION_WRITE", "DMA_READ",
		"DMA_WRITE", "DEVICE_RESET", "DIRTY_PAGES",
		"REGION_WRITE_MULTI", "DEVICE_FEATURE", "MIG_DATA_READ",
		"MIG_DATA_WRITE",
	};
	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------------ */
/* transport                                                                */

void vfu_msg_free(struct vfu_msg *m)
{
	free(m->data);
	m->data = NULL;
	m->len = 0;
	for (int i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = 0;
}

int vfu_unix_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int vfu_unix_connect_wait(const char *path)
{
	for (int tries = 0; tries < 500; tries++) {
		int fd = vfu_unix_connect(path);
		if (fd >= 0 || (fd != -ENOENT && fd != -ECONNREFUSED))
			return fd;
		poll(NULL, 0, 10);
	}
	return -ETIMEDOUT;
}

int vfu_connect(struct vfu_client *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->sock = -1;
	c->timeout_ms = VFU_TIMEOUT_MS;
	int fd = vfu_unix_connect(path);
	if (fd < 0)
		return fd;
	c->sock = fd;
	return 0;
}

void vfu_disconnect(struct vfu_client *c)
{
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

/* With FBNIC_FUZZ_SEEDS, what each connection sends is also one input of
 * tests/fuzz/fuzz_vfio_user.c (records: 2-byte length, message).  A
 * socket number reused by the next connection, or a VERSION request,
 * starts a new file. */
static void seed_append(const struct vfu_client *c, const void *buf, size_t len)
{
	static int last_sock = -1;
	static unsigned conn;
	if (len > 0xffff)
		return;
	const uint8_t *p = buf;
	if (c->sock != last_sock ||
	    (len >= 4 && (p[2] | p[3] << 8) == VU_CMD_VERSION))
		conn++;
	last_sock = c->sock;
	uint8_t rec[2] = { (uint8_t)len, (uint8_t)(len >> 8) };
	test_seed_append(rec, sizeof(rec), buf, len, "vu-%d-%u", (int)getpid(),
			 conn);
}

int vfu_send_raw(struct vfu_client *c, const void *buf, size_t len,
		 const int *fds, int nfds)
{
	seed_append(c, buf, len);
	const uint8_t *p = buf;
	size_t done = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int) * 256)];
		struct cmsghdr align;
	} ctl;
	if (nfds < 0 || nfds > 253)
		return -EINVAL;
	do {
		struct iovec iov = { (void *)(p + done), len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (done == 0 && nfds > 0) {
			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
		}
		ssize_t n = sendmsg(c->sock, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	} while (done < len);
	return 0;
}

int vfu_send(struct vfu_client *c, uint16_t id, uint16_t cmd, uint32_t flags,
	     const void *payload, size_t len, const int *fds, int nfds)
{
	uint8_t *buf = malloc(sizeof(struct vu_hdr) + len);
	if (!buf)
		return -ENOMEM;
	struct vu_hdr h = {
		.msg_id = id,
		.command = cmd,
		.size = (uint32_t)(sizeof(h) + len),
		.flags = flags,
	};
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	int rc = vfu_send_raw(c, buf, sizeof(h) + len, fds, nfds);
	free(buf);
	return rc;
}

int vfu_send_req(struct vfu_client *c, uint16_t cmd, uint32_t flags,
		 const void *payload, size_t len, const int *fds, int nfds)
{
	uint16_t id = c->next_id++;
	int rc = vfu_send(c, id, cmd, flags, payload, len, fds, nfds);
	return rc < 0 ? rc : id;
}

/* Wait until readable or the deadline: 1 readable, 0 timeout, -errno. */
static int wait_readable(int fd, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		return n > 0;
	}
}

/* Read exactly len bytes into buf, collecting fds into m.
 * 0, -ETIMEDOUT, -ECONNRESET (EOF before any byte), -EPROTO (EOF after
 * some bytes), -errno. */
static int read_full(struct vfu_client *c, void *buf, size_t len,
		     struct vfu_msg *m, int64_t deadline)
{
	size_t got = 0;
	while (got < len) {
		int r = wait_readable(c->sock, deadline);
		if (r < 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
		union {
			char b[CMSG_SPACE(sizeof(int) * VFU_RECV_MAX_FDS)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { (uint8_t *)buf + got, len - got };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctl.b,
			.msg_controllen = sizeof(ctl.b),
		};
		ssize_t n = recvmsg(c->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET)
				return got ? -EPROTO : -ECONNRESET;
			return -errno;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(fd));
				if (m->nfds < VFU_RECV_MAX_FDS)
					m->fds[m->nfds++] = fd;
				else
					close(fd);
			}
		}
		if (n == 0)
			return got ? -EPROTO : -ECONNRESET;
		got += (size_t)n;
	}
	return 0;
}

int vfu_recv(struct vfu_client *c, struct vfu_msg *m, int timeout_ms)
{
	memset(m, 0, sizeof(*m));
	int64_t deadline = now_ms() + timeout_ms;
	int rc = read_full(c, &m->hdr, sizeof(m->hdr), m, deadline);
	if (rc < 0)
		return rc;
	if (m->hdr.size < sizeof(struct vu_hdr)) {
		DIAG("received header with size %u < 16 (id %u cmd %u)",
		     m->hdr.size, m->hdr.msg_id, m->hdr.command);
		return -EPROTO;
	}
	if (m->hdr.size > sizeof(struct vu_hdr) + 64u * 1024 * 1024) {
		DIAG("received header with absurd size %u", m->hdr.size);
		return -EPROTO;
	}
	m->len = m->hdr.size - sizeof(struct vu_hdr);
	if (m->len) {
		m->data = malloc(m->len);
		if (!m->data)
			return -ENOMEM;
		/* The body is in flight: give it the full timeout again. */
		rc = read_full(c, m->data, m->len, m, now_ms() + c->timeout_ms);
		if (rc < 0) {
			DIAG("message id %u cmd %u size %u: body incomplete (%s)",
			     m->hdr.msg_id, m->hdr.command, m->hdr.size,
			     strerror(-rc));
			return rc == -ECONNRESET ? -EPROTO : rc;
		}
	}
	return 0;
}

static int send_reply(struct vfu_client *c, const struct vu_hdr *req,
		      uint32_t error, const void *p1, size_t l1, const void *p2,
		      size_t l2)
{
	size_t len = sizeof(struct vu_hdr) + l1 + l2;
	uint8_t *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	struct vu_hdr h = {
		.msg_id = req->msg_id,
		.command = req->command,
		.size = (uint32_t)len,
		.flags = VU_F_TYPE_REPLY | (error ? VU_F_ERROR : 0),
		.error = error,
	};
	memcpy(buf, &h, sizeof(h));
	if (l1)
		memcpy(buf + sizeof(h), p1, l1);
	if (l2)
		memcpy(buf + sizeof(h) + l1, p2, l2);
	int rc = vfu_send_raw(c, buf, len, NULL, 0);
	free(buf);
	return rc;
}

/* Answer one server->client request the way QEMU 11.1.3 does. */
static void serve_request(struct vfu_client *c, struct vfu_msg *m)
{
	bool noreply = m->hdr.flags & VU_F_NO_REPLY;
	struct vu_dma_access a;
	if (m->hdr.command != VU_CMD_DMA_READ &&
	    m->hdr.command != VU_CMD_DMA_WRITE) {
		c->other_requests++;
		DIAG("server sent request command %u (%s), answering ENOSYS",
		     m->hdr.command, cmd_name(m->hdr.command));
		if (!noreply)
			send_reply(c, &m->hdr, ENOSYS, NULL, 0, NULL, 0);
		return;
	}
	if (m->len < sizeof(a)) {
		DIAG("server DMA request id %u too short (%zu)", m->hdr.msg_id,
		     m->len);
		if (!noreply)
			send_reply(c, &m->hdr, EINVAL, NULL, 0, NULL, 0);
		return;
	}
	memcpy(&a, m->data, sizeof(a));
	bool inside = c->dma_mem && a.addr >= c->dma_iova &&
		      a.count <= c->dma_len &&
		      a.addr - c->dma_iova <= c->dma_len - a.count;
	if (m->hdr.command == VU_CMD_DMA_READ) {
		c->dma_reads++;
		if (!inside) {
			if (!noreply)
				send_reply(c, &m->hdr, EFAULT, NULL, 0, NULL, 0);
			return;
		}
		if (!noreply)
			send_reply(c, &m->hdr, 0, &a, sizeof(a),
				   c->dma_mem + (a.addr - c->dma_iova),
				   (size_t)a.count);
	} else {
		c->dma_writes++;
		if (!inside || m->len - sizeof(a) != a.count) {
			if (!noreply)
				send_reply(c, &m->hdr, inside ? EINVAL : EFAULT,
					   NULL, 0, NULL, 0);
			return;
		}
		memcpy(c->dma_mem + (a.addr - c->dma_iova),
		       m->data + sizeof(a), (size_t)a.count);
		if (!noreply)
			send_reply(c, &m->hdr, 0, &a, sizeof(a), NULL, 0);
	}
}

int vfu_next_reply(struct vfu_client *c, struct vfu_msg *m, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		int rc = vfu_recv(c, m, left > 0 ? (int)left : 0);
		if (rc < 0)
			return rc;
		if ((m->hdr.flags & VU_F_TYPE_MASK) == VU_F_TYPE_REQUEST) {
			serve_request(c, m);
			vfu_msg_free(m);
			continue;
		}
		return 0;
	}
}

int vfu_serve_requests(struct vfu_client *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int n = 0;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return n;
		struct vfu_msg m;
		int rc = vfu_recv(c, &m, (int)left);
		if (rc < 0) {
			vfu_msg_free(&m);
			return n;
		}
		if ((m.hdr.flags & VU_F_TYPE_MASK) == VU_F_TYPE_REQUEST) {
			serve_request(c, &m);
			n++;
		} else {
			DIAG("unexpected reply id %u cmd %u while serving",
			     m.hdr.msg_id, m.hdr.command);
		}
		vfu_msg_free(&m);
	}
}

bool vfu_silent(struct vfu_client *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN };
	int n;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return true;
	uint8_t b[64];
	ssize_t k = recv(c->sock, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT);
	if (k == 0)
		DIAG("expected silence, got EOF");
	else if (k > 0)
		DIAG("expected silence, got %zd byte(s) (first header: id %u cmd %u)",
		     k, k >= 4 ? (unsigned)(b[0] | b[1] << 8) : 0,
		     k >= 4 ? (unsigned)(b[2] | b[3] << 8) : 0);
	else
		DIAG("expected silence, got %s", strerror(errno));
	return false;
}

int vfu_wait_closed(struct vfu_client *c, int timeout_ms, int *nmsgs,
		    struct vu_hdr *first)
{
	int64_t deadline = now_ms() + timeout_ms;
	int n = 0;
	if (first)
		memset(first, 0, sizeof(*first));
	for (;;) {
		int64_t left = deadline - now_ms();
		struct vfu_msg m;
		int rc = vfu_recv(c, &m, left > 0 ? (int)left : 0);
		if (rc == 0) {
			if (n == 0 && first)
				*first = m.hdr;
			n++;
			vfu_msg_free(&m);
			continue;
		}
		vfu_msg_free(&m);
		if (nmsgs)
			*nmsgs = n;
		if (rc == -ETIMEDOUT)
			return -ETIMEDOUT;
		return 0; /* EOF, reset or a broken message: closed */
	}
}

/* ------------------------------------------------------------------------ */
/* requests                                                                 */

int vfu_call(struct vfu_client *c, uint16_t cmd, const void *payload,
	     size_t len, const int *fds, int nfds, size_t max_reply,
	     struct vfu_msg *reply)
{
	struct vfu_msg local;
	struct vfu_msg *m = reply ? reply : &local;
	memset(m, 0, sizeof(*m));
	memset(&c->last, 0, sizeof(c->last));
	int id = vfu_send_req(c, cmd, 0, payload, len, fds, nfds);
	if (id < 0) {
		DIAG("send %s: %s", cmd_name(cmd), strerror(-id));
		return id;
	}
	int rc = vfu_next_reply(c, m, c->timeout_ms);
	if (rc < 0) {
		DIAG("%s id %d: no reply (%s)", cmd_name(cmd), id,
		     rc == -ECONNRESET ? "connection closed" : strerror(-rc));
		vfu_msg_free(m);
		return rc;
	}
	c->last = m->hdr;
	const struct vu_hdr *h = &m->hdr;
	rc = 0;
	if ((h->flags & VU_F_TYPE_MASK) != VU_F_TYPE_REPLY) {
		DIAG("%s id %d: reply type %u", cmd_name(cmd), id,
		     h->flags & VU_F_TYPE_MASK);
		rc = -EPROTO;
	} else if (h->msg_id != (uint16_t)id) {
		DIAG("%s id %d: reply has id %u (cmd %u)", cmd_name(cmd), id,
		     h->msg_id, h->command);
		rc = -EPROTO;
	} else if (h->command != cmd) {
		DIAG("%s id %d: reply has command %u", cmd_name(cmd), id,
		     h->command);
		rc = -EPROTO;
	} else if (h->flags & ~(uint32_t)(VU_F_TYPE_MASK | VU_F_ERROR)) {
		DIAG("%s id %d: reply flags 0x%x", cmd_name(cmd), id, h->flags);
		rc = -EPROTO;
	} else if (m->nfds && !(c->accept_fd && m->nfds == 1)) {
		DIAG("%s id %d: reply carries %d fd(s)", cmd_name(cmd), id,
		     m->nfds);
		rc = -EPROTO;
	} else if (h->flags & VU_F_ERROR) {
		if (h->size != sizeof(struct vu_hdr)) {
			DIAG("%s id %d: error reply of size %u (must be 16)",
			     cmd_name(cmd), id, h->size);
			rc = -EPROTO;
		} else if (h->error == 0) {
			DIAG("%s id %d: ERROR flag with error 0", cmd_name(cmd),
			     id);
			rc = -EPROTO;
		} else {
			rc = (int)h->error;
		}
	} else if (h->size > max_reply) {
		DIAG("%s id %d: reply size %u > QEMU's buffer %zu",
		     cmd_name(cmd), id, h->size, max_reply);
		rc = -EPROTO;
	} else if (h->error != 0) {
		DIAG("%s id %d: success reply with error field %u",
		     cmd_name(cmd), id, h->error);
		rc = -EPROTO;
	}
	if (!reply)
		vfu_msg_free(m);
	return rc;
}

/* QEMU 11.1.3's VERSION JSON, as captured: 214-byte message with the NUL. */
const char vfu_qemu_version_json[VFU_QEMU_JSON_SIZE] =
	"{\"capabilities\": {\"pgsizes\": 4096, \"max_msg_fds\": 16, "
	"\"max_dma_maps\": 65535, \"max_data_xfer_size\": 1048576, "
	"\"migration\": {\"max_bitmap_size\": 268435456, \"pgsize\": 4096}, "
	"\"write_multiple\": true}}";
static_assert(sizeof(struct vu_hdr) + sizeof(struct vu_version) +
			      sizeof(vfu_qemu_version_json) ==
		      214,
	      "QEMU's VERSION message is 214 bytes");

int vfu_version(struct vfu_client *c, struct vfu_msg *reply)
{
	uint8_t p[sizeof(struct vu_version) + sizeof(vfu_qemu_version_json)];
	struct vu_version v = { 0, 0 };
	memcpy(p, &v, sizeof(v));
	memcpy(p + sizeof(v), vfu_qemu_version_json,
	       sizeof(vfu_qemu_version_json));
	return vfu_call(c, VU_CMD_VERSION, p, sizeof(p), NULL, 0,
			sizeof(struct vu_hdr) + sizeof(p), reply);
}

int vfu_dma_map(struct vfu_client *c, uint32_t flags, uint64_t offset,
		uint64_t iova, uint64_t size, int fd)
{
	struct vu_dma_map r = { sizeof(r), flags, offset, iova, size };
	return vfu_call(c, VU_CMD_DMA_MAP, &r, sizeof(r), &fd, fd >= 0 ? 1 : 0,
			sizeof(struct vu_hdr) + sizeof(r), NULL);
}

int vfu_dma_unmap(struct vfu_client *c, uint32_t flags, uint64_t iova,
		  uint64_t size)
{
	struct vu_dma_unmap r = { sizeof(r), flags, iova, size };
	return vfu_call(c, VU_CMD_DMA_UNMAP, &r, sizeof(r), NULL, 0,
			sizeof(struct vu_hdr) + sizeof(r), NULL);
}

int vfu_get_info(struct vfu_client *c, struct vu_device_info *out)
{
	struct vu_device_info r = { sizeof(r), 0, 0, 0 };
	struct vfu_msg m;
	int rc = vfu_call(c, VU_CMD_DEVICE_GET_INFO, &r, sizeof(r), NULL, 0,
			  sizeof(struct vu_hdr) + sizeof(r), &m);
	if (rc == 0) {
		if (m.len < sizeof(*out)) {
			DIAG("DEVICE_GET_INFO reply payload %zu < 16", m.len);
			rc = -EPROTO;
		} else {
			memcpy(out, m.data, sizeof(*out));
		}
	}
	vfu_msg_free(&m);
	return rc;
}

int vfu_region_info_fd(struct vfu_client *c, uint32_t index, uint32_t argsz,
		       void *buf, size_t buflen, int *fd)
{
	struct vu_region_info r = { .argsz = argsz, .index = index };
	struct vfu_msg m;
	if (fd)
		*fd = -1;
	/* QEMU's request is always the 32-byte struct; argsz is the size of
	 * its reply buffer (hw/vfio-user/device.c). */
	c->accept_fd = fd != NULL;
	int rc = vfu_call(c, VU_CMD_DEVICE_GET_REGION_INFO, &r, sizeof(r),
			  NULL, 0, sizeof(struct vu_hdr) + (size_t)argsz, &m);
	c->accept_fd = false;
	if (rc == 0) {
		if (m.len < sizeof(r)) {
			DIAG("GET_REGION_INFO reply payload %zu < 32", m.len);
			rc = -EPROTO;
		} else {
			if (buf)
				memcpy(buf, m.data, m.len < buflen ? m.len : buflen);
			if (m.nfds == 1) {
				*fd = m.fds[0];
				m.nfds = 0; /* ours now */
			}
		}
	}
	vfu_msg_free(&m);
	return rc;
}

int vfu_region_info(struct vfu_client *c, uint32_t index, uint32_t argsz,
		    struct vu_region_info *out)
{
	/* no fd accepted: one with the reply fails it (vfu_call) */
	return vfu_region_info_fd(c, index, argsz, out, sizeof(*out), NULL);
}

int vfu_irq_info(struct vfu_client *c, uint32_t index, struct vu_irq_info *out)
{
	struct vu_irq_info r = { sizeof(r), 0, index, 0 };
	struct vfu_msg m;
	int rc = vfu_call(c, VU_CMD_DEVICE_GET_IRQ_INFO, &r, sizeof(r), NULL, 0,
			  sizeof(struct vu_hdr) + sizeof(r), &m);
	if (rc == 0) {
		if (m.len < sizeof(*out)) {
			DIAG("GET_IRQ_INFO reply payload %zu < 16", m.len);
			rc = -EPROTO;
		} else if (out) {
			memcpy(out, m.data, sizeof(*out));
		}
	}
	vfu_msg_free(&m);
	return rc;
}

int vfu_set_irqs(struct vfu_client *c, uint32_t flags, uint32_t index,
		 uint32_t start, uint32_t count, const int *fds, int nfds)
{
	struct vu_irq_set r = { sizeof(r), flags, index, start, count };
	return vfu_call(c, VU_CMD_DEVICE_SET_IRQS, &r, sizeof(r), fds, nfds,
			sizeof(struct vu_hdr) + sizeof(r), NULL);
}

static int check_access_echo(const char *what, const struct vfu_msg *m,
			     uint32_t region, uint64_t offset, uint32_t count,
			     size_t want_len)
{
	struct vu_region_access a;
	if (m->len != want_len) {
		DIAG("%s region %u off 0x%llx count %u: reply payload %zu, want %zu",
		     what, region, (unsigned long long)offset, count, m->len,
		     want_len);
		return -EPROTO;
	}
	memcpy(&a, m->data, sizeof(a));
	if (a.offset != offset || a.region != region || a.count != count) {
		DIAG("%s: reply echoes region %u off 0x%llx count %u, sent region %u off 0x%llx count %u",
		     what, a.region, (unsigned long long)a.offset, a.count,
		     region, (unsigned long long)offset, count);
		return -EPROTO;
	}
	return 0;
}

int vfu_region_read(struct vfu_client *c, uint32_t region, uint64_t offset,
		    uint32_t count, void *buf)
{
	struct vu_region_access r = { offset, region, count };
	struct vfu_msg m;
	int rc = vfu_call(c, VU_CMD_REGION_READ, &r, sizeof(r), NULL, 0,
			  sizeof(struct vu_hdr) + sizeof(r) + count, &m);
	if (rc == 0) {
		rc = check_access_echo("REGION_READ", &m, region, offset, count,
				       sizeof(r) + count);
		if (rc == 0 && buf)
			memcpy(buf, m.data + sizeof(r), count);
	}
	vfu_msg_free(&m);
	return rc;
}

int vfu_region_write(struct vfu_client *c, uint32_t region, uint64_t offset,
		     uint32_t count, const void *buf)
{
	struct vu_region_access r = { offset, region, count };
	uint8_t *p = malloc(sizeof(r) + count);
	if (!p)
		return -ENOMEM;
	memcpy(p, &r, sizeof(r));
	if (count)
		memcpy(p + sizeof(r), buf, count);
	struct vfu_msg m;
	int rc = vfu_call(c, VU_CMD_REGION_WRITE, p, sizeof(r) + count, NULL, 0,
			  sizeof(struct vu_hdr) + sizeof(r), &m);
	free(p);
	if (rc == 0)
		rc = check_access_echo("REGION_WRITE", &m, region, offset,
				       count, sizeof(r));
	vfu_msg_free(&m);
	return rc;
}

int vfu_region_write_posted(struct vfu_client *c, uint32_t region,
			    uint64_t offset, uint32_t count, const void *buf)
{
	struct vu_region_access r = { offset, region, count };
	uint8_t p[sizeof(r) + 8];
	if (count > 8)
		return -EINVAL;
	memcpy(p, &r, sizeof(r));
	memcpy(p + sizeof(r), buf, count);
	int rc = vfu_send_req(c, VU_CMD_REGION_WRITE, VU_F_NO_REPLY, p,
			      sizeof(r) + count, NULL, 0);
	return rc < 0 ? rc : 0;
}

int vfu_reset(struct vfu_client *c)
{
	return vfu_call(c, VU_CMD_DEVICE_RESET, NULL, 0, NULL, 0,
			sizeof(struct vu_hdr), NULL);
}

int vfu_cfg_read(struct vfu_client *c, uint32_t off, unsigned size,
		 uint32_t *val)
{
	uint32_t v = 0;
	int rc = vfu_region_read(c, VU_PCI_CONFIG, off, size, &v);
	*val = rc == 0 ? v : 0xdeadbeefu;
	return rc;
}

int vfu_cfg_write(struct vfu_client *c, uint32_t off, unsigned size,
		  uint32_t val)
{
	return vfu_region_write(c, VU_PCI_CONFIG, off, size, &val);
}

int vfu_bar_read(struct vfu_client *c, uint32_t bar, uint64_t off,
		 unsigned size, uint64_t *val)
{
	uint64_t v = 0;
	int rc = vfu_region_read(c, bar, off, size, &v);
	*val = rc == 0 ? v : 0xdeadbeefdeadbeefull;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* server process                                                           */

#define MAX_SERVERS 16
static struct vfu_server *live_servers[MAX_SERVERS];

static void kill_leftovers(void)
{
	for (int i = 0; i < MAX_SERVERS; i++) {
		struct vfu_server *s = live_servers[i];
		if (s && s->pid > 0 && !s->reaped) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, NULL, 0);
		}
	}
}

static void track(struct vfu_server *s, bool add)
{
	static bool registered;
	if (!registered) {
		atexit(kill_leftovers);
		registered = true;
	}
	for (int i = 0; i < MAX_SERVERS; i++) {
		if (add && !live_servers[i]) {
			live_servers[i] = s;
			return;
		}
		if (!add && live_servers[i] == s) {
			live_servers[i] = NULL;
			return;
		}
	}
}

int vfu_server_binary(char *out, size_t n)
{
	const char *env = getenv("FBNIC_EMU");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	char self[PATH_MAX / 2];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (k < 0)
		return -errno;
	self[k] = 0;
	char *slash = strrchr(self, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0; /* <O>/tests/protocol */
	snprintf(out, n, "%s/../../fbnic-emu", self);
	return 0;
}

static void remove_dir(const char *dir);

static void print_log_tail(const struct vfu_server *s)
{
	char *log = vfu_server_log(s, 0);
	if (!log)
		return;
	size_t len = strlen(log);
	const char *p = len > 3000 ? log + len - 3000 : log;
	fprintf(stderr, "    --- server log (%s) tail ---\n%s    ---\n", s->log,
		p);
	free(log);
}

void vfu_client_from_fd(struct vfu_client *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->timeout_ms = VFU_TIMEOUT_MS;
	c->sock = fd;
}

static int server_start(struct vfu_server *s, const char *const *extra,
			const int *fds, unsigned nfds, const char *names,
			const char *wait_sock);

int vfu_server_start(struct vfu_server *s, const char *const *extra)
{
	return server_start(s, extra, NULL, 0, NULL, "");
}

int vfu_server_start_activated(struct vfu_server *s, const char *const *extra,
			       const int *fds, unsigned nfds, const char *names,
			       const char *wait_sock)
{
	return server_start(s, extra, fds, nfds, names,
			    wait_sock ? wait_sock : NULL);
}

/* wait_sock "": the server's own <dir>/s.sock, given with --socket. */
static int server_start(struct vfu_server *s, const char *const *extra,
			const int *fds, unsigned nfds, const char *names,
			const char *wait_sock)
{
	memset(s, 0, sizeof(*s));
	s->pid = -1;
	char bin[PATH_MAX];
	int rc = vfu_server_binary(bin, sizeof(bin));
	if (rc < 0)
		return rc;
	if (access(bin, X_OK) != 0) {
		DIAG("server binary %s: %s (set FBNIC_EMU)", bin,
		     strerror(errno));
		return -ENOENT;
	}
	snprintf(s->dir, sizeof(s->dir), "/tmp/fbnic-emu-test.XXXXXX");
	if (!mkdtemp(s->dir))
		return -errno;
	snprintf(s->sock, sizeof(s->sock), "%s/s.sock", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/stderr.log", s->dir);

	bool own_sock = wait_sock && !*wait_sock;
	if (wait_sock && *wait_sock)
		snprintf(s->sock, sizeof(s->sock), "%s", wait_sock);
	const char *argv[64];
	int argc = 0;
	argv[argc++] = bin;
	if (own_sock) {
		argv[argc++] = "--socket";
		argv[argc++] = s->sock;
	}
	for (int i = 0; extra && extra[i] && argc < 62; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;

	int logfd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		rc = -errno;
		remove_dir(s->dir);
		return rc;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(logfd);
		remove_dir(s->dir);
		return rc;
	}
	if (pid == 0) {
		/* Die with the test if it crashes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		/* Socket activation: the fds to 3.. (via copies above any
		 * target, so no dup2 overwrites a source not yet moved). */
		int tmp[16];
		for (unsigned i = 0; i < nfds && i < 16; i++)
			tmp[i] = fcntl(fds[i], F_DUPFD, 100);
		for (unsigned i = 0; i < nfds && i < 16; i++)
			dup2(tmp[i], 3 + (int)i);
		/* Hand over no other fds: the fd-leak checks count them. */
		for (int fd = 3 + (int)nfds; fd < 4096; fd++)
			close(fd);
		if (nfds) {
			char v[32];
			snprintf(v, sizeof(v), "%d", (int)getpid());
			setenv("LISTEN_PID", v, 1);
			snprintf(v, sizeof(v), "%u", nfds);
			setenv("LISTEN_FDS", v, 1);
			if (names)
				setenv("LISTEN_FDNAMES", names, 1);
		}
		signal(SIGPIPE, SIG_DFL);
		execv(bin, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(logfd);
	s->pid = pid;
	track(s, true);

	if (!wait_sock)
		return 0; /* a connection handed over: nothing to wait on */
	/* Wait until the socket accepts a connection (ASan start-up is slow). */
	int64_t deadline = now_ms() + 20000;
	for (;;) {
		struct vfu_client probe;
		if (vfu_connect(&probe, s->sock) == 0) {
			vfu_disconnect(&probe);
			return 0;
		}
		if (!vfu_server_alive(s)) {
			DIAG("server exited during start-up (status 0x%x)",
			     s->status);
			print_log_tail(s);
			track(s, false);
			remove_dir(s->dir);
			return -ECHILD;
		}
		if (now_ms() > deadline) {
			DIAG("server socket %s never accepted a connection",
			     s->sock);
			print_log_tail(s);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &s->status, 0);
			s->reaped = true;
			track(s, false);
			remove_dir(s->dir);
			return -ETIMEDOUT;
		}
		sleep_ms(10);
	}
}

bool vfu_server_alive(struct vfu_server *s)
{
	if (s->pid <= 0 || s->reaped)
		return false;
	int st;
	pid_t r = waitpid(s->pid, &st, WNOHANG);
	if (r == s->pid) {
		s->status = st;
		s->reaped = true;
		return false;
	}
	return true;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

bool vfu_server_wait_exit(struct vfu_server *s, int ms)
{
	int64_t deadline = now_ms() + ms;
	while (vfu_server_alive(s)) {
		if (now_ms() > deadline)
			return false;
		sleep_ms(10);
	}
	return true;
}

void vfu_server_forget(struct vfu_server *s)
{
	track(s, false);
	if (!getenv("VFU_KEEP"))
		remove_dir(s->dir);
}

int vfu_server_stop(struct vfu_server *s)
{
	if (s->pid <= 0)
		return -1;
	bool was_alive = vfu_server_alive(s);
	if (was_alive) {
		kill(s->pid, SIGTERM);
		int64_t deadline = now_ms() + 10000;
		while (vfu_server_alive(s) && now_ms() < deadline)
			sleep_ms(5);
		if (!s->reaped) {
			DIAG("server pid %d ignored SIGTERM for 10 s: SIGKILL",
			     (int)s->pid);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &s->status, 0);
			s->reaped = true;
			print_log_tail(s);
			track(s, false);
			if (!getenv("VFU_KEEP"))
				remove_dir(s->dir);
			return -1;
		}
	}
	track(s, false);
	int rc = 0;
	if (!was_alive) {
		DIAG("server had already exited before SIGTERM");
		rc = -1;
	}
	if (WIFSIGNALED(s->status)) {
		DIAG("server died from signal %d", WTERMSIG(s->status));
		rc = -1;
	} else if (WIFEXITED(s->status) && WEXITSTATUS(s->status) != 0) {
		DIAG("server exited with status %d", WEXITSTATUS(s->status));
		rc = -1;
	}
	if (rc != 0 || getenv("VFU_KEEP"))
		print_log_tail(s);
	if (getenv("VFU_KEEP"))
		fprintf(stderr, "    (kept %s)\n", s->dir);
	else
		remove_dir(s->dir);
	return rc;
}

int vfu_server_fd_count(const struct vfu_server *s)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/fd", (int)s->pid);
	DIR *d = opendir(p);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int vfu_server_idle_fds(const struct vfu_server *s)
{
	int64_t deadline = now_ms() + 3000;
	int last = vfu_server_fd_count(s);
	int64_t since = now_ms();
	while (now_ms() < deadline) {
		sleep_ms(10);
		int n = vfu_server_fd_count(s);
		if (n != last) {
			last = n;
			since = now_ms();
		} else if (now_ms() - since >= 150) {
			break;
		}
	}
	return last;
}

int vfu_server_wait_fds(const struct vfu_server *s, int want, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int n;
	while ((n = vfu_server_fd_count(s)) != want && now_ms() < deadline)
		sleep_ms(10);
	if (n != want) {
		char p[64], l[256];
		snprintf(p, sizeof(p), "/proc/%d/fd", (int)s->pid);
		DIAG("server has %d fds, want %d:", n, want);
		DIR *d = opendir(p);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char link[512];
			snprintf(link, sizeof(link), "%s/%s", p, e->d_name);
			ssize_t k = readlink(link, l, sizeof(l) - 1);
			l[k < 0 ? 0 : k] = 0;
			fprintf(stderr, "      fd %s -> %s\n", e->d_name, l);
		}
		if (d)
			closedir(d);
	}
	return n;
}

int vfu_server_count_maps(const struct vfu_server *s, const char *needle)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/maps", (int)s->pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

int vfu_server_wait_unmapped(const struct vfu_server *s, const char *needle,
			     int timeout_ms)
{
	int n = vfu_server_count_maps(s, needle);
	for (int waited = 0; n > 0 && waited < timeout_ms; waited += 10) {
		poll(NULL, 0, 10);
		n = vfu_server_count_maps(s, needle);
	}
	return n;
}

size_t vfu_server_log_size(const struct vfu_server *s)
{
	struct stat st;
	return stat(s->log, &st) == 0 ? (size_t)st.st_size : 0;
}

char *vfu_server_log(const struct vfu_server *s, size_t from)
{
	FILE *f = fopen(s->log, "r");
	if (!f)
		return NULL;
	if (fseek(f, (long)from, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += k;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

int vfu_open(const struct vfu_server *s, struct vfu_client *c)
{
	int rc = vfu_connect(c, s->sock);
	if (rc < 0) {
		DIAG("connect %s: %s", s->sock, strerror(-rc));
		return rc;
	}
	rc = vfu_version(c, NULL);
	if (rc != 0) {
		DIAG("VERSION handshake failed (%d)", rc);
		vfu_disconnect(c);
		return rc < 0 ? rc : -rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* misc                                                                     */

int vfu_memfd(uint64_t size)
{
	int fd = memfd_create(VFU_TEST_MEMFD_NAME, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int vfu_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

static const char *json_value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = skip_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = skip_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = json_string(skip_ws(p));
				if (!p)
					return NULL;
				p = skip_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = json_value(p, depth + 1);
			if (!p)
				return NULL;
			p = skip_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	if (*p == '"')
		return json_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return json_number(p);
}

bool vfu_json_valid(const char *s)
{
	const char *p = json_value(s, 0);
	return p && *skip_ws(p) == 0;
}

const char *vfu_json_member(const char *obj, const char *key)
{
	const char *p = skip_ws(obj);
	if (*p != '{')
		return NULL;
	p = skip_ws(p + 1);
	if (*p == '}')
		return NULL;
	size_t klen = strlen(key);
	for (;;) {
		const char *ks = skip_ws(p);
		const char *ke = json_string(ks);
		if (!ke)
			return NULL;
		p = skip_ws(ke);
		if (*p++ != ':')
			return NULL;
		p = skip_ws(p);
		if ((size_t)(ke - ks) == klen + 2 && !strncmp(ks + 1, key, klen))
			return p;
		p = json_value(p, 1);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p != ',')
			return NULL;
		p++;
	}
}

bool vfu_json_u64(const char *value, uint64_t *out)
{
	if (!value || !isdigit((unsigned char)*value))
		return false;
	const char *end = json_number(value);
	if (!end)
		return false;
	for (const char *q = value; q < end; q++)
		if (!isdigit((unsigned char)*q))
			return false; /* fractions and exponents: not an integer */
	errno = 0;
	unsigned long long v = strtoull(value, NULL, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

/* ------------------------------------------------------------------------ */
/* test side                                                                */

uint32_t vfu_t_cfg_rd(struct vfu_client *c, uint32_t off, unsigned size,
		      const char *file, int line)
{
	uint32_t v;
	int rc = vfu_cfg_read(c, off, size, &v);
	if (rc != 0)
		test_fail(file, line, "config read 0x%x/%u failed: %d", off,
			  size, rc);
	return v;
}

void vfu_t_cfg_wr(struct vfu_client *c, uint32_t off, unsigned size,
		  uint32_t val, const char *file, int line)
{
	int rc = vfu_cfg_write(c, off, size, val);
	if (rc != 0)
		test_fail(file, line, "config write 0x%x/%u = 0x%x failed: %d",
			  off, size, val, rc);
}

uint64_t vfu_t_bar_rd(struct vfu_client *c, uint32_t bar, uint64_t off,
		      unsigned size, const char *file, int line)
{
	uint64_t v;
	int rc = vfu_bar_read(c, bar, off, size, &v);
	if (rc != 0)
		test_fail(file, line, "BAR%u read 0x%llx/%u failed: %d", bar,
			  (unsigned long long)off, size, rc);
	return v;
}

bool vfu_t_server_works(struct vfu_server *s, const char *file, int line)
{
	if (!vfu_server_alive(s)) {
		test_fail(file, line, "server is not running (status 0x%x)",
			  s->status);
		return false;
	}
	struct vfu_client c;
	int rc = vfu_open(s, &c);
	if (rc != 0) {
		test_fail(file, line, "new connection + VERSION failed: %d", rc);
		return false;
	}
	struct vu_device_info di;
	rc = vfu_get_info(&c, &di);
	vfu_disconnect(&c);
	if (rc != 0 || di.num_regions != 9) {
		test_fail(file, line, "GET_INFO on a new connection: rc %d", rc);
		return false;
	}
	return true;
}

bool vfu_t_start(struct vfu_server *s, const char *const *extra,
		 const char *file, int line)
{
	int rc = vfu_server_start(s, extra);
	if (rc != 0) {
		test_fail(file, line, "server start failed: %d", rc);
		return false;
	}
	return true;
}

bool vfu_t_session(struct vfu_server *s, struct vfu_client *c,
		   const char *const *extra, const char *file, int line)
{
	if (!vfu_t_start(s, extra, file, line))
		return false;
	if (vfu_open(s, c) != 0) {
		test_fail(file, line, "connect + VERSION failed");
		vfu_server_stop(s);
		return false;
	}
	return true;
}

/* Receive the reply to a pipelined request and check its framing. */
static void expect_reply(struct vfu_client *c, int id, uint16_t cmd,
			 uint32_t size)
{
	struct vfu_msg m;
	int rc = vfu_next_reply(c, &m, c->timeout_ms);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_EQ(m.hdr.msg_id, (uint16_t)id);
		CHECK_EQ(m.hdr.command, cmd);
		CHECK_EQ(m.hdr.flags, VU_F_TYPE_REPLY);
		CHECK_EQ(m.hdr.error, 0);
		CHECK_INT(m.hdr.size, size);
		CHECK_INT(m.nfds, 0);
	}
	vfu_msg_free(&m);
}

static int send_map(struct vfu_client *c, uint32_t flags, uint64_t offset,
		    uint64_t iova, uint64_t size, int fd)
{
	struct vu_dma_map r = { sizeof(r), flags, offset, iova, size };
	return vfu_send_req(c, VU_CMD_DMA_MAP, 0, &r, sizeof(r), &fd,
			    fd >= 0 ? 1 : 0);
}

static int send_unmap(struct vfu_client *c, uint64_t iova, uint64_t size)
{
	struct vu_dma_unmap r = { sizeof(r), 0, iova, size };
	return vfu_send_req(c, VU_CMD_DMA_UNMAP, 0, &r, sizeof(r), NULL, 0);
}

static uint32_t bar_mask(uint32_t size)
{
	return ~(size - 1u) | 0x4u;
}

void vfu_qemu_replay(struct vfu_client *c, int ram_fd, uint64_t ram_size,
		     int err_fd, const int msix_fd[2], unsigned vectors,
		     bool mapped)
{
	struct vfu_msg m;
	int rc, ids[8];

	/* 1. VERSION, id 0. */
	CHECK_EQ(c->next_id, 0);
	rc = vfu_version(c, &m);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_EQ(m.hdr.msg_id, 0);
		CHECK(m.hdr.size <= 214);
		CHECK(m.len >= 6);
		if (m.len >= 6) {
			struct vu_version v;
			memcpy(&v, m.data, sizeof(v));
			CHECK_EQ(v.major, 0);
			CHECK_EQ(v.minor, 0);
			CHECK_EQ(m.data[m.len - 1], 0);
			if (m.data[m.len - 1] == 0)
				CHECK(vfu_json_valid((char *)m.data + 4));
		}
	}
	vfu_msg_free(&m);

	/* 2. DMA_MAP x2, sent "nowait" inside one memory transaction. */
	ids[0] = send_map(c, VU_DMA_READ | VU_DMA_WRITE, 0, 0, ram_size, ram_fd);
	ids[1] = send_map(c, VU_DMA_READ, 0, 0xfffc0000, 0x40000, -1);
	CHECK_INT(ids[0], 1);
	CHECK_INT(ids[1], 2);
	expect_reply(c, 1, VU_CMD_DMA_MAP, 16);
	expect_reply(c, 2, VU_CMD_DMA_MAP, 16);

	/* 3. DEVICE_GET_INFO. */
	struct vu_device_info di = { 0 };
	CHECK_INT(vfu_get_info(c, &di), 0);
	CHECK_LAST_SIZE(c, 32);
	CHECK_EQ(di.argsz, 16);
	CHECK_EQ(di.flags, VU_DEV_PCI | VU_DEV_RESET);
	CHECK_EQ(di.num_regions, 9);
	CHECK_EQ(di.num_irqs, 5);

	/* 4. GET_REGION_INFO 0..5, 7. */
	static const uint64_t sizes[8] = { FBNIC_T_BAR0_SIZE, 0,
					   FBNIC_T_BAR2_SIZE, 0,
					   FBNIC_T_BAR4_SIZE, 0, 0,
					   FBNIC_T_CFG_SIZE };
	for (uint32_t i = 0; i < 8; i++) {
		if (i == VU_PCI_ROM)
			continue;
		struct vu_region_info ri;
		memset(&ri, 0xa5, sizeof(ri));
		rc = vfu_region_info(c, i, 32, &ri);
		CHECK_INT(rc, 0);
		if (rc)
			continue;
		bool mmap = mapped && i == VU_PCI_BAR0;
		CHECK_LAST_SIZE(c, 48);
		CHECK_EQ(ri.argsz, mmap ? 80 : 32);
		CHECK_EQ(ri.index, i);
		CHECK_EQ(ri.cap_offset, mmap ? 32 : 0);
		CHECK_EQ(ri.size, sizes[i]);
		CHECK_EQ(ri.flags,
			 (sizes[i] ? VU_REGION_READ | VU_REGION_WRITE : 0) |
				 (mmap ? VU_REGION_MMAP | VU_REGION_CAPS : 0));
		CHECK_EQ(ri.offset, 0);
		if (mmap) {
			/* again, with room for the sparse-mmap cap: the fd */
			uint8_t buf[80];
			int fd;
			CHECK_INT(vfu_region_info_fd(c, i, 80, buf, sizeof(buf), &fd), 0);
			CHECK_LAST_SIZE(c, 16 + 80);
			CHECK(fd >= 0);
			if (fd >= 0)
				close(fd); /* (QEMU maps it) */
		}
	}

	/* 5. GET_IRQ_INFO 3 (ERR). */
	struct vu_irq_info ii;
	CHECK_INT(vfu_irq_info(c, VU_IRQ_ERR, &ii), 0);
	CHECK_LAST_SIZE(c, 32);
	CHECK_EQ(ii.argsz, 16);
	CHECK_EQ(ii.index, VU_IRQ_ERR);
	CHECK_EQ(ii.flags, VU_IRQ_INFO_EVENTFD);
	CHECK_EQ(ii.count, 1);

	/* 6. The whole config space in one read. */
	static uint8_t cfg[FBNIC_T_CFG_SIZE];
	memset(cfg, 0xee, sizeof(cfg));
	CHECK_INT(vfu_region_read(c, VU_PCI_CONFIG, 0, sizeof(cfg), cfg), 0);
	CHECK_LAST_SIZE(c, 32 + FBNIC_T_CFG_SIZE);
	CHECK_EQ(cfg[0] | cfg[1] << 8, FBNIC_T_VENDOR);
	CHECK_EQ(cfg[2] | cfg[3] << 8, FBNIC_T_DEVICE);
	CHECK_EQ(cfg[0x34], FBNIC_T_PM_CAP);
	CHECK_EQ(cfg[FBNIC_T_PM_CAP], 0x01);
	CHECK_EQ(cfg[FBNIC_T_MSIX_CAP], 0x11);
	CHECK_EQ(cfg[FBNIC_T_PCIE_CAP], 0x10);

	/* 7. ROM sizing (vfio_pci_size_rom). */
	CHECK_EQ(CFG_RD(c, 0x30, 4), 0);
	CFG_WR(c, 0x30, 4, 0xfffff800);
	CHECK_LAST_SIZE(c, 32);
	CHECK_EQ(CFG_RD(c, 0x30, 4), 0);
	CFG_WR(c, 0x30, 4, 0);

	/* 8. BAR type reads for every BAR with a size. */
	CHECK_EQ(CFG_RD(c, 0x10, 4), 0x4);
	CHECK_EQ(CFG_RD(c, 0x18, 4), 0x4);
	CHECK_EQ(CFG_RD(c, 0x20, 4), 0x4);

	/* 9. MSI-X cap: control, table, PBA; then GET_IRQ_INFO 2. */
	CHECK_EQ(CFG_RD(c, FBNIC_T_MSIX_CAP + 2, 2), vectors - 1);
	CHECK_EQ(CFG_RD(c, FBNIC_T_MSIX_CAP + 4, 4), 0x2);
	CHECK_EQ(CFG_RD(c, FBNIC_T_MSIX_CAP + 8, 4), FBNIC_T_PBA_OFF | 0x2);
	CHECK_INT(vfu_irq_info(c, VU_IRQ_MSIX, &ii), 0);
	CHECK_LAST_SIZE(c, 32);
	CHECK_EQ(ii.index, VU_IRQ_MSIX);
	CHECK_EQ(ii.flags, VU_IRQ_INFO_EVENTFD);
	CHECK_EQ(ii.count, vectors);

	/* 10. Interrupt pin, twice: 0, so no INTx SET_IRQS. */
	CHECK_EQ(CFG_RD(c, 0x3d, 1), 0);
	CHECK_EQ(CFG_RD(c, 0x3d, 1), 0);

	/* 11. ERR notifier. */
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_ERR, 0, 1, &err_fd, 1),
		  0);
	CHECK_LAST_SIZE(c, 16);

	/* 12-17. First system reset (vfio_user_pci_reset). */
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_NONE | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_INTX, 0, 0, NULL, 0),
		  0);
	CHECK_LAST_SIZE(c, 16);
	CHECK_EQ(CFG_RD(c, 0x04, 2), 0);
	CFG_WR(c, 0x04, 2, 0);
	CHECK_EQ(CFG_RD(c, FBNIC_T_PM_CAP + 4, 2) & 0x3, 0); /* D0 */
	CHECK_INT(vfu_reset(c), 0);
	CHECK_LAST_SIZE(c, 16);
	CHECK_EQ(CFG_RD(c, 0x3d, 1), 0);
	for (uint32_t off = 0x10; off <= 0x24; off += 4)
		CFG_WR(c, off, 4, 0);

	/* DMA churn while SeaBIOS sets up PAM (as QEMU 11.1.3 sends it): the same
	 * memfd again and again, each time as a fresh SCM_RIGHTS fd. */
	ids[0] = send_unmap(c, 0, ram_size);
	ids[1] = send_map(c, 3, 0, 0, 0xc0000, ram_fd);
	ids[2] = send_map(c, 1, 0, 0xc0000, 0x20000, -1);
	ids[3] = send_map(c, 1, 0, 0xe0000, 0x20000, -1);
	ids[4] = send_map(c, 3, 0x100000, 0x100000, ram_size - 0x100000,
			  ram_fd);
	expect_reply(c, ids[0], VU_CMD_DMA_UNMAP, 16);
	for (int i = 1; i <= 4; i++)
		expect_reply(c, ids[i], VU_CMD_DMA_MAP, 16);
	ids[0] = send_unmap(c, 0, 0xc0000);
	ids[1] = send_unmap(c, 0xc0000, 0x20000);
	ids[2] = send_unmap(c, 0xe0000, 0x20000);
	ids[3] = send_unmap(c, 0x100000, ram_size - 0x100000);
	ids[4] = send_map(c, 3, 0, 0, 0xd8000, ram_fd);
	ids[5] = send_map(c, 1, 0xd8000, 0xd8000, 0x8000, ram_fd);
	ids[6] = send_map(c, 3, 0xe0000, 0xe0000, ram_size - 0xe0000, ram_fd);
	for (int i = 0; i <= 3; i++)
		expect_reply(c, ids[i], VU_CMD_DMA_UNMAP, 16);
	for (int i = 4; i <= 6; i++)
		expect_reply(c, ids[i], VU_CMD_DMA_MAP, 16);

	/* 18. SeaBIOS enumeration. */
	CHECK_EQ(CFG_RD(c, 0x00, 2), FBNIC_T_VENDOR);
	CHECK_EQ(CFG_RD(c, 0x0a, 2), FBNIC_T_CLASS >> 8);
	CHECK_EQ(CFG_RD(c, 0x0e, 1), 0);
	CHECK_EQ(CFG_RD(c, 0x00, 4), FBNIC_T_DEVICE << 16 | FBNIC_T_VENDOR);
	CHECK_EQ(CFG_RD(c, 0x08, 4) >> 8, FBNIC_T_CLASS);
	/* BAR sizing: write all-ones, read the mask, restore. */
	static const uint32_t mask[6] = {
		0xffe00004u, 0xffffffffu, 0xffffe004u,
		0xffffffffu, 0xfffe0004u, 0xffffffffu,
	};
	static_assert(0xffe00004u == (~(FBNIC_T_BAR0_SIZE - 1u) | 4u), "b0");
	for (int i = 0; i < 6; i++) {
		uint32_t off = 0x10 + 4 * (uint32_t)i;
		uint32_t orig = i % 2 ? 0 : 0x4;
		CFG_WR(c, off, 4, 0xffffffff);
		CHECK_EQ(CFG_RD(c, off, 4), mask[i]);
		CFG_WR(c, off, 4, orig);
		CHECK_EQ(CFG_RD(c, off, 4), orig);
	}
	CHECK_EQ(mask[2], bar_mask(FBNIC_T_BAR2_SIZE));
	CHECK_EQ(mask[4], bar_mask(FBNIC_T_BAR4_SIZE));
	CFG_WR(c, 0x30, 4, 0xfffff800);
	CHECK_EQ(CFG_RD(c, 0x30, 4), 0);
	CFG_WR(c, 0x30, 4, 0);
	/* BAR programming. */
	CFG_WR(c, 0x10, 4, 0xfe000000);
	CFG_WR(c, 0x14, 4, 0);
	CFG_WR(c, 0x18, 4, 0xfe200000);
	CFG_WR(c, 0x1c, 4, 0);
	CFG_WR(c, 0x20, 4, 0xfe220000);
	CFG_WR(c, 0x24, 4, 0);
	CHECK_EQ(CFG_RD(c, 0x10, 4), 0xfe000004);
	CHECK_EQ(CFG_RD(c, 0x18, 4), 0xfe200004);
	CHECK_EQ(CFG_RD(c, 0x20, 4), 0xfe220004);
	CHECK_EQ(CFG_RD(c, 0x3d, 1), 0);
	CFG_WR(c, 0x3c, 1, 0x0a);
	CHECK_EQ(CFG_RD(c, 0x3c, 1), 0x0a);
	CHECK_EQ(CFG_RD(c, 0x04, 2), 0);
	CFG_WR(c, 0x04, 2, 0x0006); /* MEM | MASTER */
	CHECK_EQ(CFG_RD(c, 0x04, 2), 0x0006);
	CHECK_EQ(CFG_RD(c, 0x06, 2) & 0x10, 0x10); /* cap list */
	if (mapped) {
		/* the mapped areas are RAM to QEMU's listener: DMA-mapped
		 * without fd, which the server accepts */
		ids[0] = send_map(c, 3, 0, 0xfe000000 + FBNIC_T_BAR0_MMAP0_OFF,
				  FBNIC_T_BAR0_MMAP0_LEN, -1);
		ids[1] = send_map(c, 3, 0, 0xfe000000 + FBNIC_T_BAR0_MMAP1_OFF,
				  FBNIC_T_BAR0_MMAP1_LEN, -1);
		expect_reply(c, ids[0], VU_CMD_DMA_MAP, 16);
		expect_reply(c, ids[1], VU_CMD_DMA_MAP, 16);
	}

	/* 19. Guest: posted BAR writes, synchronous reads. */
	uint32_t v32 = 0xdeadbeef;
	CHECK_EQ(BAR_RD(c, 0, FBNIC_T_UNIMPL0, 4), 0);
	CHECK_INT(vfu_region_write_posted(c, 0, FBNIC_T_UNIMPL0 + 4, 4, &v32), 0);
	CHECK_EQ(BAR_RD(c, 0, FBNIC_T_UNIMPL0 + 4, 4), 0);
	CHECK(BAR_RD(c, 0, FBNIC_T_SPARE0, 4) != 0xffffffffu);
	CHECK_EQ(BAR_RD(c, 4, FBNIC_T_UNIMPL4, 4), 0);

	/* MSI-X enable through sysfs (as captured): control bytes forwarded,
	 * INTx off, MSI-X on with no vectors, then vector 0 with an fd. */
	CFG_WR(c, FBNIC_T_MSIX_CAP + 2, 1, (vectors - 1) & 0xff);
	CFG_WR(c, FBNIC_T_MSIX_CAP + 3, 1, 0x80 | (vectors - 1) >> 8);
	CHECK_EQ(CFG_RD(c, FBNIC_T_MSIX_CAP + 2, 2), 0x8000 | (vectors - 1));
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_NONE | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_INTX, 0, 0, NULL, 0),
		  0);
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_MSIX, 0, 1, NULL, 0),
		  0);
	CHECK_LAST_SIZE(c, 16);
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_MSIX, 0, 1, &msix_fd[0], 1),
		  0);
	CHECK_LAST_SIZE(c, 16);
	/* A later vector: de-assign 1, assign 2 (as QEMU 11.1.3 does). */
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_MSIX, 1, 1, NULL, 0),
		  0);
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_MSIX, 2, 1, &msix_fd[1], 1),
		  0);
	/* Guest PBA read (reaches the server). */
	CHECK_EQ(BAR_RD(c, 2, FBNIC_T_PBA_OFF, 4), 0);
	/* Unmask of vector 0: the same eventfd again, as a new fd. */
	CHECK_INT(vfu_set_irqs(c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER,
			       VU_IRQ_MSIX, 0, 1, &msix_fd[0], 1),
		  0);

	/* A burst of posted writes, then one read: that read's reply must be
	 * the only thing that comes back. */
	for (unsigned i = 0; i < 64; i++) {
		uint64_t v64 = i;
		CHECK_INT(vfu_region_write_posted(c, 0, FBNIC_T_UNIMPL0 + 8 * (i % 16),
						  (i % 2) ? 8 : 4, &v64),
			  0);
	}
	uint64_t v = 0;
	CHECK_INT(vfu_bar_read(c, 0, FBNIC_T_UNIMPL0, 8, &v), 0);
	CHECK_EQ(v, 0);
	CHECK(vfu_silent(c, 100));
}
