/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfio-user server: socket, framing, per-command handlers, interrupts and
 * server->client DMA.  The rules follow QEMU's docs/interop/vfio-user.rst
 * and QEMU's client, hw/vfio-user/ (proxy.c: framing, replies, the
 * server-to-client requests; device.c and pci.c: regions, IRQs, reset;
 * container.c: DMA maps), cited by file.
 */
#include "vu_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/compiler.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "vu_dma.h"

#define SUB "vfio-user"
/* A client that stalls in the middle of a message, or stops reading our
 * replies, for this long is dropped (QEMU itself gives up after 5 s). */
#define IO_TIMEOUT_MS 5000
/* Server->client DMA requests are split into chunks well below QEMU's
 * request limit (max_data_xfer_size + 32, hw/vfio-user/proxy.c). */
#define DMA_MSG_CHUNK (64u * 1024u)

#define STAT_INC(s, f) __atomic_fetch_add(&(s)->stats.f, 1, __ATOMIC_RELAXED)

struct irq_vec {
	int fd;       /* eventfd, -1: none assigned */
	bool pending; /* raised while no fd or masked: PBA bit */
	bool masked;  /* SET_IRQS MASK/UNMASK (QEMU does MSI-X masking itself) */
};

struct irq_index {
	uint32_t count;
	struct irq_vec *vec;
};

/* A server->client DMA request waiting for its reply. */
struct dma_req {
	struct dma_req *next;
	uint16_t id;
	uint16_t command;
	uint64_t addr;
	void *buf;  /* DMA_READ: where the reply's data goes */
	size_t len;
	bool done;
	int err;
};

struct vu_server {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool own_path;  /* bound here: removed at the end */
	int handed_fd;  /* a connection accepted before us (-1: none) */
	int listen_fd;
	int conn_fd;
	int stop_fd;
	struct vu_device_desc desc;
	struct vu_device_ops ops;
	void *opaque;
	/* The region the client may partly map (vu_server_set_mmap; 0
	 * areas: none), and the fd its region info carries. */
	struct {
		unsigned region, nareas;
		int fd;
		struct vu_sparse_mmap_area areas[VU_MAX_MMAP_AREAS];
	} mmap;

	pthread_t proto_thread;
	bool running;
	bool negotiated;

	pthread_mutex_t send_lock; /* replies and requests share the socket */

	pthread_mutex_t irq_lock;
	struct irq_index irq[VU_IRQ_NUM];

	pthread_mutex_t req_lock;
	pthread_cond_t req_cond;
	struct dma_req *reqs;
	uint16_t next_req_id;
	unsigned dma_timeout_ms;
	bool connected;

	struct vu_dma_table dma;
	struct vu_stats stats;

	uint8_t *msg;   /* incoming message (header + payload) */
	uint8_t *reply; /* outgoing reply */
};

static const char *const cmd_names[VU_CMD_MAX] = {
	[VU_CMD_VERSION] = "VERSION",
	[VU_CMD_DMA_MAP] = "DMA_MAP",
	[VU_CMD_DMA_UNMAP] = "DMA_UNMAP",
	[VU_CMD_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
	[VU_CMD_DEVICE_GET_REGION_INFO] = "DEVICE_GET_REGION_INFO",
	[VU_CMD_DEVICE_GET_REGION_IO_FDS] = "DEVICE_GET_REGION_IO_FDS",
	[VU_CMD_DEVICE_GET_IRQ_INFO] = "DEVICE_GET_IRQ_INFO",
	[VU_CMD_DEVICE_SET_IRQS] = "DEVICE_SET_IRQS",
	[VU_CMD_REGION_READ] = "REGION_READ",
	[VU_CMD_REGION_WRITE] = "REGION_WRITE",
	[VU_CMD_DMA_READ] = "DMA_READ",
	[VU_CMD_DMA_WRITE] = "DMA_WRITE",
	[VU_CMD_DEVICE_RESET] = "DEVICE_RESET",
	[VU_CMD_DIRTY_PAGES] = "DIRTY_PAGES",
	[VU_CMD_REGION_WRITE_MULTI] = "REGION_WRITE_MULTI",
	[VU_CMD_DEVICE_FEATURE] = "DEVICE_FEATURE",
	[VU_CMD_MIG_DATA_READ] = "MIG_DATA_READ",
	[VU_CMD_MIG_DATA_WRITE] = "MIG_DATA_WRITE",
};

static const char *cmd_name(unsigned cmd)
{
	return cmd < VU_CMD_MAX && cmd_names[cmd] ? cmd_names[cmd] : "unknown";
}

/* ---- socket I/O ---------------------------------------------------- */

static int wait_fd(struct vu_server *s, int fd, short events, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = fd, .events = events },
			       { .fd = s->stop_fd, .events = POLLIN } };
	for (;;) {
		int n = poll(p, 2, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (p[1].revents)
			return -ECANCELED;
		return 0;
	}
}

/* Read exactly len bytes (fds only ever come with the first bytes). */
static int read_full(struct vu_server *s, int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = read(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		int r = wait_fd(s, fd, POLLIN, IO_TIMEOUT_MS);
		if (r)
			return r;
	}
	return 0;
}

/* Send it all, fd (>= 0: one SCM_RIGHTS fd) with the first byte. */
static int send_locked(struct vu_server *s, const void *buf, size_t len,
		       int fd)
{
	const uint8_t *p = buf;
	while (len) {
		struct iovec iov = { (void *)p, len };
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (fd >= 0) {
			memset(&ctl, 0, sizeof(ctl));
			m.msg_control = ctl.buf;
			m.msg_controllen = sizeof(ctl.buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		ssize_t n = sendmsg(s->conn_fd, &m, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			fd = -1; /* it went with the first byte */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = { .fd = s->conn_fd, .events = POLLOUT };
			if (poll(&pf, 1, IO_TIMEOUT_MS) > 0)
				continue;
			return -ETIMEDOUT;
		}
		return n < 0 ? -errno : -EPIPE;
	}
	return 0;
}

static int send_msg_fd(struct vu_server *s, const void *buf, size_t len,
		       int fd)
{
	pthread_mutex_lock(&s->send_lock);
	int r = s->conn_fd >= 0 ? send_locked(s, buf, len, fd) : -ENOTCONN;
	pthread_mutex_unlock(&s->send_lock);
	return r;
}

static int send_msg(struct vu_server *s, const void *buf, size_t len)
{
	return send_msg_fd(s, buf, len, -1);
}

static void close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* ---- interrupts ---------------------------------------------------- */

static void signal_fd(int fd)
{
	uint64_t one = 1;
	/* Non-blocking (set at assignment): a full counter already means
	 * "pending" to the reader, so EAGAIN loses nothing. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn(SUB, "eventfd write failed: %s", strerror(errno));
}

void vu_irq_raise(struct vu_server *s, unsigned index, unsigned vector)
{
	if (index >= VU_IRQ_NUM)
		return;
	pthread_mutex_lock(&s->irq_lock);
	struct irq_index *ix = &s->irq[index];
	if (vector < ix->count) {
		struct irq_vec *v = &ix->vec[vector];
		STAT_INC(s, irqs_raised);
		if (v->fd >= 0 && !v->masked) {
			signal_fd(v->fd);
		} else {
			v->pending = true;
			STAT_INC(s, irqs_pending);
		}
	}
	pthread_mutex_unlock(&s->irq_lock);
}

static void irq_vec_assign(struct irq_vec *v, int fd)
{
	if (v->fd >= 0)
		close(v->fd); /* every SCM_RIGHTS copy is a new fd */
	v->fd = fd;
	if (fd >= 0 && v->pending && !v->masked) {
		v->pending = false;
		signal_fd(fd);
	}
}

/* Drop every eventfd; with clear_pending also the PBA bits. */
FBNIC_NO_COVERAGE
static void irq_release_all(struct vu_server *s, bool clear_pending)
{
	pthread_mutex_lock(&s->irq_lock);
	for (unsigned i = 0; i < VU_IRQ_NUM; i++) {
		for (uint32_t v = 0; v < s->irq[i].count; v++) {
			struct irq_vec *iv = &s->irq[i].vec[v];
			if (iv->fd >= 0)
				close(iv->fd);
			iv->fd = -1;
			iv->masked = false;
			if (clear_pending)
				iv->pending = false;
		}
	}
	pthread_mutex_unlock(&s->irq_lock);
}

/* ---- replies --------------------------------------------------------- */

/* A reply, with one fd (>= 0: SCM_RIGHTS, e.g. a region's memory). */
static int reply_fd(struct vu_server *s, const struct vu_hdr *req,
		    const void *payload, size_t len, int fd)
{
	if (req->flags & VU_F_NO_REPLY)
		return 0; /* a reply to a posted message desyncs QEMU (proxy.c) */
	struct vu_hdr *h = (struct vu_hdr *)s->reply;
	*h = (struct vu_hdr){ .msg_id = req->msg_id,
			      .command = req->command,
			      .size = (uint32_t)(sizeof(*h) + len),
			      .flags = VU_F_TYPE_REPLY };
	if (len && payload != s->reply + sizeof(*h))
		memcpy(s->reply + sizeof(*h), payload, len);
	return send_msg_fd(s, s->reply, sizeof(*h) + len, fd);
}

static int reply(struct vu_server *s, const struct vu_hdr *req,
		 const void *payload, size_t len)
{
	return reply_fd(s, req, payload, len, -1);
}

/* An error reply is the header alone (vfio-user.rst, proxy.c). */
static int reply_err(struct vu_server *s, const struct vu_hdr *req, int err)
{
	if (req->flags & VU_F_NO_REPLY)
		return 0;
	struct vu_hdr h = { .msg_id = req->msg_id,
			    .command = req->command,
			    .size = sizeof(h),
			    .flags = VU_F_TYPE_REPLY | VU_F_ERROR,
			    .error = (uint32_t)err };
	return send_msg(s, &h, sizeof(h));
}

/* ---- command handlers ------------------------------------------------ */

/* Loose check that a NUL-terminated string is one JSON object: balanced
 * braces and brackets outside strings.  We need none of the client's
 * capabilities (our limits are below QEMU's defaults), only to refuse
 * garbage. */
static bool json_object_ok(const char *j, size_t len)
{
	int depth = 0;
	bool in_str = false, seen = false;
	for (size_t i = 0; i < len; i++) {
		char c = j[i];
		if (in_str) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (depth == 0 && (c != '{' || seen))
				return false;
			seen = true;
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth < 0)
				return false;
		} else if (depth == 0 && c != ' ' && c != '\n' && c != '\t' &&
			   c != '\r') {
			return false;
		}
	}
	return seen && depth == 0 && !in_str;
}

static int handle_version(struct vu_server *s, const struct vu_hdr *h,
			  const uint8_t *p, size_t plen)
{
	/* QEMU reads the reply into its request buffer, so the reply must
	 * not be larger than the request (hw/vfio-user/proxy.c, version
	 * negotiation). */
	static const char full[] =
		"{\"capabilities\":{\"max_msg_fds\":16,"
		"\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
		"\"max_dma_maps\":65535}}";
	static const char minimal[] = "{\"capabilities\":{}}";
	struct vu_version v;
	if (plen < sizeof(v) + 1) {
		log_guest(SUB, "VERSION payload too short (%zu bytes)", plen);
		return -EINVAL;
	}
	memcpy(&v, p, sizeof(v));
	const char *json = (const char *)p + sizeof(v);
	size_t jlen = plen - sizeof(v);
	if (v.major != 0) {
		log_guest(SUB, "VERSION %u.%u unsupported (need 0.x)", v.major,
			  v.minor);
		return -ENOTSUP;
	}
	if (json[jlen - 1] != '\0' || !json_object_ok(json, strlen(json))) {
		log_guest(SUB, "VERSION capabilities are not a JSON object");
		return -EINVAL;
	}
	const char *caps = full;
	if (sizeof(struct vu_hdr) + sizeof(v) + sizeof(full) > h->size &&
	    sizeof(struct vu_hdr) + sizeof(v) + sizeof(minimal) <= h->size)
		caps = minimal;
	size_t clen = strlen(caps) + 1;
	uint8_t *out = s->reply + sizeof(struct vu_hdr);
	struct vu_version rv = { .major = 0, .minor = 0 };
	memcpy(out, &rv, sizeof(rv));
	memcpy(out + sizeof(rv), caps, clen);
	s->negotiated = true;
	log_info(SUB, "client negotiated protocol 0.0");
	return reply(s, h, out, sizeof(rv) + clen);
}

static int handle_dma_map(struct vu_server *s, const struct vu_hdr *h,
			  const uint8_t *p, size_t plen, int *fds,
			  unsigned nfds)
{
	struct vu_dma_map m;
	if (plen != sizeof(m) || nfds > 1) {
		log_guest(SUB, "DMA_MAP: payload %zu bytes, %u fds", plen, nfds);
		STAT_INC(s, bad_request);
		return reply_err(s, h, EINVAL);
	}
	memcpy(&m, p, sizeof(m));
	if (m.argsz != sizeof(m)) {
		log_guest(SUB, "DMA_MAP: argsz %u", m.argsz);
		STAT_INC(s, bad_request);
		return reply_err(s, h, EINVAL);
	}
	int fd = nfds ? fds[0] : -1;
	fds[0] = -1; /* the table owns it now */
	int r = vu_dma_map(&s->dma, m.iova, m.size, m.flags, fd, m.offset);
	if (r) {
		STAT_INC(s, dma_map_errors);
		log_guest(SUB,
			  "DMA_MAP iova 0x%llx size 0x%llx flags 0x%x fd %s "
			  "offset 0x%llx refused: %s",
			  (unsigned long long)m.iova, (unsigned long long)m.size,
			  m.flags, fd >= 0 ? "yes" : "no",
			  (unsigned long long)m.offset, strerror(-r));
		return reply_err(s, h, -r);
	}
	log_debug(SUB, "DMA_MAP iova 0x%llx size 0x%llx flags 0x%x%s",
		  (unsigned long long)m.iova, (unsigned long long)m.size,
		  m.flags, fd >= 0 ? " fd" : "");
	return reply(s, h, NULL, 0);
}

static int handle_dma_unmap(struct vu_server *s, const struct vu_hdr *h,
			    const uint8_t *p, size_t plen)
{
	struct vu_dma_unmap u;
	if (plen != sizeof(u)) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "DMA_UNMAP: payload %zu bytes", plen);
		return reply_err(s, h, EINVAL);
	}
	memcpy(&u, p, sizeof(u));
	if (u.argsz != sizeof(u) || (u.flags & ~VU_DMA_UNMAP_ALL)) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "DMA_UNMAP: argsz %u flags 0x%x", u.argsz,
			  u.flags);
		return reply_err(s, h, EINVAL);
	}
	if (u.flags & VU_DMA_UNMAP_ALL) {
		vu_dma_unmap_all(&s->dma);
		return reply(s, h, NULL, 0);
	}
	int r = vu_dma_unmap(&s->dma, u.iova, u.size);
	if (r) {
		STAT_INC(s, dma_map_errors);
		log_guest(SUB, "DMA_UNMAP of unknown range iova 0x%llx size 0x%llx",
			  (unsigned long long)u.iova,
			  (unsigned long long)u.size);
		return reply_err(s, h, -r);
	}
	return reply(s, h, NULL, 0);
}

static int handle_get_info(struct vu_server *s, const struct vu_hdr *h,
			   const uint8_t *p, size_t plen)
{
	struct vu_device_info in;
	if (plen < sizeof(in) || (memcpy(&in, p, sizeof(in)), in.argsz < sizeof(in))) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "DEVICE_GET_INFO: payload %zu bytes", plen);
		return reply_err(s, h, EINVAL);
	}
	/* QEMU accepts exactly 16 bytes back (hw/vfio-user/device.c). */
	struct vu_device_info out = { .argsz = sizeof(out),
				      .flags = VU_DEV_PCI | VU_DEV_RESET,
				      .num_regions = VU_PCI_NUM_REGIONS,
				      .num_irqs = VU_IRQ_NUM };
	return reply(s, h, &out, sizeof(out));
}

static int handle_region_info(struct vu_server *s, const struct vu_hdr *h,
			      const uint8_t *p, size_t plen)
{
	struct vu_region_info in;
	if (plen < sizeof(in)) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "GET_REGION_INFO: payload %zu bytes", plen);
		return reply_err(s, h, EINVAL);
	}
	memcpy(&in, p, sizeof(in));
	if (in.argsz < sizeof(in) || in.index >= VU_PCI_NUM_REGIONS) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "GET_REGION_INFO: argsz %u index %u", in.argsz,
			  in.index);
		return reply_err(s, h, EINVAL);
	}
	struct vu_region_info out = { .argsz = sizeof(out),
				      .flags = s->desc.region_flags[in.index],
				      .index = in.index,
				      .size = s->desc.region_size[in.index] };
	if (!s->mmap.nareas || in.index != s->mmap.region)
		/* No caps, no mmap: every access is trapped, posted writes
		 * stay on and the MSI-X table needs no carve-out
		 * (hw/vfio-user/device.c). */
		return reply(s, h, &out, sizeof(out));
	/* The sparse-mmap capability after the struct; the fd with the reply
	 * that holds it all (a client asking with a short argsz learns the
	 * size it needs and asks again: hw/vfio/device.c). */
	struct vu_cap_sparse_mmap cap = {
		.header = { .id = VU_REGION_INFO_CAP_SPARSE_MMAP, .version = 1 },
		.nr_areas = s->mmap.nareas,
	};
	size_t areas = s->mmap.nareas * sizeof(s->mmap.areas[0]);
	out.argsz = (uint32_t)(sizeof(out) + sizeof(cap) + areas);
	out.flags |= VU_REGION_MMAP | VU_REGION_CAPS;
	/* (in the short reply too: QEMU refuses CAPS with a cap_offset
	 * outside [32, argsz], hw/vfio-user/device.c) */
	out.cap_offset = sizeof(out);
	if (in.argsz < out.argsz)
		return reply(s, h, &out, sizeof(out));
	uint8_t buf[sizeof(out) + sizeof(cap) +
		    VU_MAX_MMAP_AREAS * sizeof(struct vu_sparse_mmap_area)];
	memcpy(buf, &out, sizeof(out));
	memcpy(buf + sizeof(out), &cap, sizeof(cap));
	memcpy(buf + sizeof(out) + sizeof(cap), s->mmap.areas, areas);
	return reply_fd(s, h, buf, out.argsz, s->mmap.fd);
}

static int handle_irq_info(struct vu_server *s, const struct vu_hdr *h,
			   const uint8_t *p, size_t plen)
{
	struct vu_irq_info in;
	if (plen < sizeof(in)) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "GET_IRQ_INFO: payload %zu bytes", plen);
		return reply_err(s, h, EINVAL);
	}
	memcpy(&in, p, sizeof(in));
	if (in.argsz < sizeof(in) || in.index >= VU_IRQ_NUM) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "GET_IRQ_INFO: argsz %u index %u", in.argsz,
			  in.index);
		return reply_err(s, h, EINVAL);
	}
	struct vu_irq_info out = { .argsz = sizeof(out),
				   .flags = s->desc.irq_flags[in.index],
				   .index = in.index,
				   .count = s->desc.irq_count[in.index] };
	return reply(s, h, &out, sizeof(out));
}

/* Interrupts are signalled by writing 8 bytes to the fd: only an eventfd
 * makes that meaningful (a file would be written to, a pipe could fill). */
static bool is_eventfd(int fd)
{
	char path[64], target[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

static int handle_set_irqs(struct vu_server *s, const struct vu_hdr *h,
			   const uint8_t *p, size_t plen, int *fds,
			   unsigned nfds)
{
	struct vu_irq_set r;
	const char *why = NULL;
	if (plen != sizeof(r)) {
		why = "payload size";
		goto bad;
	}
	memcpy(&r, p, sizeof(r));
	uint32_t data = r.flags & VU_IRQ_DATA_MASK;
	uint32_t action = r.flags & VU_IRQ_ACTION_MASK_ALL;
	if (r.argsz != sizeof(r))
		why = "argsz";
	else if (r.flags & ~(VU_IRQ_DATA_MASK | VU_IRQ_ACTION_MASK_ALL))
		why = "unknown flags";
	else if (__builtin_popcount(data) != 1 || __builtin_popcount(action) != 1)
		why = "need exactly one DATA_ and one ACTION_ flag";
	else if (r.index >= VU_IRQ_NUM)
		why = "index";
	else if (r.count && (r.start >= s->irq[r.index].count ||
			     r.count > s->irq[r.index].count - r.start))
		why = "start/count beyond the index";
	else if (data == VU_IRQ_DATA_BOOL)
		why = "DATA_BOOL unsupported";
	else if (data == VU_IRQ_DATA_EVENTFD && action != VU_IRQ_ACTION_TRIGGER)
		why = "resample eventfds unsupported";
	else if (data == VU_IRQ_DATA_EVENTFD && nfds && nfds != r.count)
		why = "fd count differs from count";
	else if (data != VU_IRQ_DATA_EVENTFD && nfds)
		why = "fds without DATA_EVENTFD";
	else if (r.count == 0 && !(data == VU_IRQ_DATA_NONE &&
				   action == VU_IRQ_ACTION_TRIGGER))
		why = "count 0";
	for (unsigned i = 0; !why && i < nfds; i++)
		if (!is_eventfd(fds[i]))
			why = "an fd that is not an eventfd";
	if (why)
		goto bad;

	pthread_mutex_lock(&s->irq_lock);
	struct irq_index *ix = &s->irq[r.index];
	if (r.count == 0) {
		/* DATA_NONE|TRIGGER, count 0: disable the whole index. */
		for (uint32_t v = 0; v < ix->count; v++) {
			irq_vec_assign(&ix->vec[v], -1);
			ix->vec[v].pending = false;
			ix->vec[v].masked = false;
		}
	} else {
		for (uint32_t i = 0; i < r.count; i++) {
			struct irq_vec *v = &ix->vec[r.start + i];
			if (data == VU_IRQ_DATA_EVENTFD) {
				int fd = nfds ? fds[i] : -1;
				if (fd >= 0)
					fcntl(fd, F_SETFL,
					      fcntl(fd, F_GETFL) | O_NONBLOCK);
				fds[i] = -1;
				irq_vec_assign(v, fd);
			} else if (action == VU_IRQ_ACTION_TRIGGER) {
				if (v->fd >= 0 && !v->masked)
					signal_fd(v->fd);
				else
					v->pending = true;
			} else if (action == VU_IRQ_ACTION_MASK) {
				v->masked = true;
			} else {
				v->masked = false;
				if (v->pending && v->fd >= 0) {
					v->pending = false;
					signal_fd(v->fd);
				}
			}
		}
	}
	pthread_mutex_unlock(&s->irq_lock);
	log_debug(SUB, "SET_IRQS index %u flags 0x%x start %u count %u fds %u",
		  r.index, r.flags, r.start, r.count, nfds);
	return reply(s, h, NULL, 0);
bad:
	STAT_INC(s, irq_errors);
	log_guest(SUB, "SET_IRQS refused (%s)", why);
	return reply_err(s, h, EINVAL);
}

/* Serve reads of the MSI-X PBA from our pending bits. */
static bool pba_access(struct vu_server *s, unsigned region, uint64_t off,
		       uint32_t count, uint8_t *buf, bool is_write)
{
	if (s->desc.msix_region < 0 || region != (unsigned)s->desc.msix_region ||
	    off < s->desc.msix_pba_offset)
		return false;
	if (is_write)
		return true; /* the PBA is read-only; QEMU drops writes too */
	pthread_mutex_lock(&s->irq_lock);
	const struct irq_index *ix = &s->irq[VU_IRQ_MSIX];
	for (uint32_t i = 0; i < count; i++) {
		uint64_t bit0 = (off - s->desc.msix_pba_offset + i) * 8;
		uint8_t b = 0;
		for (unsigned k = 0; k < 8; k++)
			if (bit0 + k < ix->count && ix->vec[bit0 + k].pending)
				b |= (uint8_t)(1u << k);
		buf[i] = b;
	}
	pthread_mutex_unlock(&s->irq_lock);
	return true;
}

static int handle_region(struct vu_server *s, const struct vu_hdr *h,
			 const uint8_t *p, size_t plen, bool is_write)
{
	struct vu_region_access a;
	const char *why = NULL;
	if (plen < sizeof(a)) {
		why = "payload too short";
		memset(&a, 0, sizeof(a));
	} else {
		memcpy(&a, p, sizeof(a));
		if (a.region >= VU_PCI_NUM_REGIONS)
			why = "no such region";
		else if (a.count == 0 || a.count > VU_MAX_DATA_XFER)
			why = "count";
		else if (is_write ? plen != sizeof(a) + a.count : plen != sizeof(a))
			why = "payload size does not match count";
		else if (a.offset >= s->desc.region_size[a.region] ||
			 a.count > s->desc.region_size[a.region] - a.offset)
			why = "outside the region";
	}
	if (why) {
		STAT_INC(s, region_errors);
		log_guest(SUB, "%s region %u offset 0x%llx count %u: %s",
			  is_write ? "REGION_WRITE" : "REGION_READ", a.region,
			  (unsigned long long)a.offset, a.count, why);
		return reply_err(s, h, EINVAL);
	}
	uint8_t *out = s->reply + sizeof(struct vu_hdr);
	memcpy(out, &a, sizeof(a));
	uint8_t *data = is_write ? (uint8_t *)p + sizeof(a) : out + sizeof(a);
	int r = 0;
	if (!pba_access(s, a.region, a.offset, a.count, data, is_write)) {
		r = is_write ? s->ops.region_write(s->opaque, a.region, a.offset,
						  data, a.count)
			     : s->ops.region_read(s->opaque, a.region, a.offset,
						 data, a.count);
	}
	if (r) {
		STAT_INC(s, region_errors);
		log_guest(SUB, "%s region %u offset 0x%llx count %u refused: %s",
			  is_write ? "REGION_WRITE" : "REGION_READ", a.region,
			  (unsigned long long)a.offset, a.count, strerror(-r));
		return reply_err(s, h, -r);
	}
	if (is_write)
		STAT_INC(s, region_writes);
	else
		STAT_INC(s, region_reads);
	return reply(s, h, out, sizeof(a) + (is_write ? 0 : a.count));
}

static int handle_reset(struct vu_server *s, const struct vu_hdr *h,
			size_t plen)
{
	if (plen) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "DEVICE_RESET with a %zu-byte payload", plen);
		return reply_err(s, h, EINVAL);
	}
	log_info(SUB, "device reset");
	/* Pending bits die with the function state; eventfds are the
	 * client's to re-send (hw/vfio-user/pci.c). */
	pthread_mutex_lock(&s->irq_lock);
	for (unsigned i = 0; i < VU_IRQ_NUM; i++)
		for (uint32_t v = 0; v < s->irq[i].count; v++)
			s->irq[i].vec[v].pending = false;
	pthread_mutex_unlock(&s->irq_lock);
	s->ops.reset(s->opaque);
	return reply(s, h, NULL, 0);
}

/* A reply from the client to one of our DMA_READ/WRITE requests. */
static void handle_client_reply(struct vu_server *s, const struct vu_hdr *h,
				const uint8_t *p, size_t plen)
{
	pthread_mutex_lock(&s->req_lock);
	struct dma_req *q = s->reqs;
	while (q && (q->id != h->msg_id || q->done))
		q = q->next;
	if (!q || q->command != h->command) {
		pthread_mutex_unlock(&s->req_lock);
		STAT_INC(s, unexpected_replies);
		log_guest(SUB, "reply id %u command %u matches no request",
			  h->msg_id, h->command);
		return;
	}
	struct vu_dma_access a;
	if (h->flags & VU_F_ERROR) {
		q->err = h->error > 0 && h->error < 4096 ? -(int)h->error : -EIO;
	} else if (plen < sizeof(a)) {
		q->err = -EPROTO;
	} else {
		memcpy(&a, p, sizeof(a));
		if (a.addr != q->addr || a.count != q->len)
			q->err = -EPROTO;
		else if (q->command == VU_CMD_DMA_READ) {
			if (plen != sizeof(a) + q->len)
				q->err = -EPROTO;
			else
				memcpy(q->buf, p + sizeof(a), q->len);
		}
	}
	if (q->err == -EPROTO) {
		STAT_INC(s, dma_message_errors);
		log_guest(SUB, "malformed reply to %s id %u", cmd_name(q->command),
			  q->id);
	}
	q->done = true;
	pthread_cond_broadcast(&s->req_cond);
	pthread_mutex_unlock(&s->req_lock);
}

/* ---- message loop ---------------------------------------------------- */

enum { MSG_OK = 0, MSG_CLOSE = -1 };

/* A header's size field is one the server can hold a message of. */
static bool msg_size_ok(const struct vu_hdr *h)
{
	return h->size >= sizeof(*h) && h->size <= VU_MAX_MSG_SIZE;
}

/* Receive one message; fds[] get the SCM_RIGHTS fds.  MSG_CLOSE on EOF or
 * a framing error we cannot resynchronise from. */
static int recv_msg(struct vu_server *s, int *fds, unsigned *nfds,
		    bool *fds_truncated)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_MSG_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = s->msg, .iov_len = sizeof(struct vu_hdr) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	*nfds = 0;
	*fds_truncated = false;
	ssize_t n;
	do {
		n = recvmsg(s->conn_fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1; /* spurious wakeup */
		log_info(SUB, "client closed the connection");
		return MSG_CLOSE;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (unsigned i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (*nfds < VU_MAX_MSG_FDS)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		*fds_truncated = true;
	int r = 0;
	if ((size_t)n < sizeof(struct vu_hdr))
		r = read_full(s, s->conn_fd, s->msg + n,
			      sizeof(struct vu_hdr) - (size_t)n);
	if (r) {
		log_guest(SUB, "truncated message header (%s); closing",
			  strerror(-r));
		STAT_INC(s, bad_framing);
		close_fds(fds, *nfds);
		return MSG_CLOSE;
	}
	struct vu_hdr h;
	memcpy(&h, s->msg, sizeof(h));
	if (!msg_size_ok(&h)) {
		log_guest(SUB, "message id %u command %u has size %u (must be "
			  "16..%u); closing the connection",
			  h.msg_id, h.command, h.size, (unsigned)VU_MAX_MSG_SIZE);
		STAT_INC(s, bad_framing);
		close_fds(fds, *nfds);
		return MSG_CLOSE;
	}
	r = read_full(s, s->conn_fd, s->msg + sizeof(h), h.size - sizeof(h));
	if (r) {
		log_guest(SUB, "truncated message id %u command %u (%s); closing",
			  h.msg_id, h.command, strerror(-r));
		STAT_INC(s, bad_framing);
		close_fds(fds, *nfds);
		return MSG_CLOSE;
	}
	return MSG_OK;
}

static int dispatch(struct vu_server *s, int *fds, unsigned nfds,
		    bool fds_truncated)
{
	struct vu_hdr h;
	memcpy(&h, s->msg, sizeof(h));
	const uint8_t *p = s->msg + sizeof(h);
	size_t plen = h.size - sizeof(h);
	unsigned type = h.flags & VU_F_TYPE_MASK;
	STAT_INC(s, messages);

	if (type == VU_F_TYPE_REPLY) {
		if (nfds) {
			STAT_INC(s, bad_fds);
			log_guest(SUB, "fds attached to a reply; dropped");
		}
		handle_client_reply(s, &h, p, plen);
		return 0;
	}
	if (type != VU_F_TYPE_REQUEST) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "message id %u has type %u", h.msg_id, type);
		return reply_err(s, &h, EINVAL);
	}
	bool takes_fds = h.command == VU_CMD_DMA_MAP ||
			 h.command == VU_CMD_DEVICE_SET_IRQS;
	if (fds_truncated || (nfds && !takes_fds)) {
		STAT_INC(s, bad_fds);
		log_guest(SUB, "%s with %s fds; refused", cmd_name(h.command),
			  fds_truncated ? "more than 16" : "unexpected");
		return reply_err(s, &h, EINVAL);
	}
	if (!s->negotiated && h.command != VU_CMD_VERSION) {
		STAT_INC(s, bad_request);
		log_guest(SUB, "%s before VERSION; closing the connection",
			  cmd_name(h.command));
		reply_err(s, &h, EINVAL);
		return MSG_CLOSE;
	}
	log_debug(SUB, "<- %s id %u size %u flags 0x%x fds %u",
		  cmd_name(h.command), h.msg_id, h.size, h.flags, nfds);

	switch (h.command) {
	case VU_CMD_VERSION: {
		if (s->negotiated) {
			STAT_INC(s, bad_request);
			log_guest(SUB, "second VERSION refused");
			return reply_err(s, &h, EINVAL);
		}
		int r = handle_version(s, &h, p, plen);
		if (r < 0 && !s->negotiated) {
			STAT_INC(s, bad_request);
			reply_err(s, &h, -r);
			return MSG_CLOSE;
		}
		return r;
	}
	case VU_CMD_DMA_MAP:
		return handle_dma_map(s, &h, p, plen, fds, nfds);
	case VU_CMD_DMA_UNMAP:
		return handle_dma_unmap(s, &h, p, plen);
	case VU_CMD_DEVICE_GET_INFO:
		return handle_get_info(s, &h, p, plen);
	case VU_CMD_DEVICE_GET_REGION_INFO:
		return handle_region_info(s, &h, p, plen);
	case VU_CMD_DEVICE_GET_IRQ_INFO:
		return handle_irq_info(s, &h, p, plen);
	case VU_CMD_DEVICE_SET_IRQS:
		return handle_set_irqs(s, &h, p, plen, fds, nfds);
	case VU_CMD_REGION_READ:
		return handle_region(s, &h, p, plen, false);
	case VU_CMD_REGION_WRITE:
		return handle_region(s, &h, p, plen, true);
	case VU_CMD_DEVICE_RESET:
		return handle_reset(s, &h, plen);
	default:
		STAT_INC(s, unsupported);
		log_guest(SUB, "unsupported command %u (%s)", h.command,
			  cmd_name(h.command));
		return reply_err(s, &h, ENOSYS);
	}
}

static void disconnect(struct vu_server *s)
{
	pthread_mutex_lock(&s->send_lock);
	close(s->conn_fd);
	s->conn_fd = -1;
	pthread_mutex_unlock(&s->send_lock);

	/* Fail every DMA request in flight; its thread wakes up. */
	pthread_mutex_lock(&s->req_lock);
	s->connected = false;
	for (struct dma_req *q = s->reqs; q; q = q->next) {
		if (!q->done) {
			q->done = true;
			q->err = -ECONNRESET;
		}
	}
	pthread_cond_broadcast(&s->req_cond);
	pthread_mutex_unlock(&s->req_lock);

	/* The device first (a reset: its rings off), then the memory: a
	 * frame arriving from the wire in between would otherwise be DMA'd
	 * to memory no longer mapped, and its ring stopped as a guest error,
	 * by a guest that is gone. */
	s->ops.disconnected(s->opaque);
	vu_dma_unmap_all(&s->dma);
	irq_release_all(s, true);
	s->negotiated = false;
	log_info(SUB, "client gone; state released, waiting for the next one");
}

static void serve(struct vu_server *s)
{
	int fds[VU_MAX_MSG_FDS];
	for (;;) {
		int r = wait_fd(s, s->conn_fd, POLLIN, -1);
		if (r)
			return; /* stop requested */
		unsigned nfds;
		bool trunc;
		r = recv_msg(s, fds, &nfds, &trunc);
		if (r == 1)
			continue;
		if (r == MSG_CLOSE)
			return;
		r = dispatch(s, fds, nfds, trunc);
		close_fds(fds, nfds); /* those the handler did not keep */
		if (r == MSG_CLOSE)
			return;
		if (r < 0) {
			log_warn(SUB, "sending a reply failed (%s); closing",
				 strerror(-r));
			return;
		}
	}
}

int vu_server_feed(struct vu_server *s, int conn_fd, const void *msg,
		   size_t len, int *fds, unsigned nfds)
{
	if (nfds > VU_MAX_MSG_FDS) {
		close_fds(fds, nfds);
		return -EINVAL;
	}
	s->conn_fd = conn_fd;
	pthread_mutex_lock(&s->req_lock);
	s->connected = true;
	pthread_mutex_unlock(&s->req_lock);
	/* recv_msg's header check, then the same dispatch. */
	struct vu_hdr h;
	int r = MSG_CLOSE;
	if (len >= sizeof(h)) {
		memcpy(&h, msg, sizeof(h));
		if (msg_size_ok(&h) && h.size <= len) {
			memcpy(s->msg, msg, h.size);
			r = dispatch(s, fds, nfds, false);
		} else {
			STAT_INC(s, bad_framing);
		}
	}
	close_fds(fds, nfds); /* those the handler did not keep */
	if (r != MSG_CLOSE)
		return r < 0 ? r : 0;
	/* As at a disconnect, but the fd stays the caller's. */
	s->conn_fd = -1;
	disconnect(s);
	return 1;
}

int vu_server_run(struct vu_server *s)
{
	s->proto_thread = pthread_self();
	__atomic_store_n(&s->running, true, __ATOMIC_RELEASE);
	if (s->handed_fd >= 0)
		log_info(SUB, "serving the connection handed over on fd %d",
			 s->handed_fd);
	else
		log_info(SUB, "listening on %s", s->path);
	while (s->handed_fd >= 0 || wait_fd(s, s->listen_fd, POLLIN, -1) == 0) {
		int fd = s->handed_fd;
		bool last = fd >= 0;
		s->handed_fd = -1;
		if (!last)
			fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != EAGAIN)
				log_warn(SUB, "accept: %s", strerror(errno));
			continue;
		}
		/* Non-blocking so a stalled client never hangs us: every
		 * wait goes through poll() with a timeout. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		STAT_INC(s, connections);
		log_info(SUB, "client connected");
		pthread_mutex_lock(&s->send_lock);
		s->conn_fd = fd;
		pthread_mutex_unlock(&s->send_lock);
		pthread_mutex_lock(&s->req_lock);
		s->connected = true;
		pthread_mutex_unlock(&s->req_lock);
		serve(s);
		disconnect(s);
		if (last)
			break; /* socket activation, one process per connection */
	}
	__atomic_store_n(&s->running, false, __ATOMIC_RELEASE);
	return 0;
}

void vu_server_stop(struct vu_server *s)
{
	uint64_t one = 1;
	ssize_t n = write(s->stop_fd, &one, sizeof(one));
	(void)n;
}

/* ---- server->client DMA --------------------------------------------- */

int vu_dma_access(struct vu_server *s, uint64_t gpa, void *buf, size_t len,
		  bool is_write)
{
	int r = vu_dma_rw(&s->dma, gpa, buf, len, is_write);
	if (r < 0)
		STAT_INC(s, dma_faults);
	return r;
}

static int dma_message_chunk(struct vu_server *s, uint64_t gpa, uint8_t *buf,
			     size_t len, bool is_write)
{
	size_t size = sizeof(struct vu_hdr) + sizeof(struct vu_dma_access) +
		      (is_write ? len : 0);
	uint8_t *m = malloc(size);
	if (!m)
		return -ENOMEM;
	struct dma_req q = { .command = is_write ? VU_CMD_DMA_WRITE : VU_CMD_DMA_READ,
			     .addr = gpa,
			     .buf = buf,
			     .len = len };
	pthread_mutex_lock(&s->req_lock);
	if (!s->connected) {
		pthread_mutex_unlock(&s->req_lock);
		free(m);
		return -ENOTCONN;
	}
	q.id = s->next_req_id++;
	q.next = s->reqs;
	s->reqs = &q;
	pthread_mutex_unlock(&s->req_lock);

	struct vu_hdr h = { .msg_id = q.id,
			    .command = q.command,
			    .size = (uint32_t)size,
			    .flags = VU_F_TYPE_REQUEST };
	struct vu_dma_access a = { .addr = gpa, .count = len };
	memcpy(m, &h, sizeof(h));
	memcpy(m + sizeof(h), &a, sizeof(a));
	if (is_write)
		memcpy(m + sizeof(h) + sizeof(a), buf, len);
	int r = send_msg(s, m, size);
	free(m);

	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	uint64_t ns = (uint64_t)dl.tv_nsec + (uint64_t)s->dma_timeout_ms * 1000000u;
	dl.tv_sec += (time_t)(ns / 1000000000u);
	dl.tv_nsec = (long)(ns % 1000000000u);
	pthread_mutex_lock(&s->req_lock);
	while (!r && !q.done) {
		if (pthread_cond_timedwait(&s->req_cond, &s->req_lock, &dl) ==
		    ETIMEDOUT && !q.done) {
			r = -ETIMEDOUT;
			STAT_INC(s, dma_message_timeouts);
			log_ratelimited(LOG_WARN, SUB,
					"%s gpa 0x%llx: no reply within %u ms",
					is_write ? "DMA_WRITE" : "DMA_READ",
					(unsigned long long)gpa,
					s->dma_timeout_ms);
		}
	}
	if (!r)
		r = q.err;
	for (struct dma_req **pp = &s->reqs; *pp; pp = &(*pp)->next) {
		if (*pp == &q) {
			*pp = q.next;
			break;
		}
	}
	pthread_mutex_unlock(&s->req_lock);
	return r;
}

int vu_dma_message(struct vu_server *s, uint64_t gpa, void *buf, size_t len,
		   bool is_write)
{
	/* The protocol thread must stay free to read the reply (and QEMU's
	 * main loop may be waiting on us under its BQL): never block it
	 * (hw/vfio-user/proxy.c). */
	if (__atomic_load_n(&s->running, __ATOMIC_ACQUIRE) &&
	    pthread_equal(pthread_self(), s->proto_thread))
		return -EDEADLK;
	uint8_t *p = buf;
	while (len) {
		size_t n = len < DMA_MSG_CHUNK ? len : DMA_MSG_CHUNK;
		STAT_INC(s, dma_messages);
		int r = dma_message_chunk(s, gpa, p, n, is_write);
		if (r) {
			/* Counted here; the device logs what it meant to it,
			 * a malformed reply was logged on arrival. */
			STAT_INC(s, dma_message_errors);
			log_debug(SUB, "%s gpa 0x%llx len %zu failed: %s",
				 is_write ? "DMA_WRITE" : "DMA_READ",
				 (unsigned long long)gpa, n, strerror(-r));
			return r;
		}
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

/* ---- lifecycle ------------------------------------------------------- */

struct vu_server *vu_server_create(const struct sock_spec *sock,
				   const struct vu_device_desc *desc,
				   const struct vu_device_ops *ops, void *opaque)
{
	if (sock->path && strlen(sock->path) >= sizeof(((struct vu_server *)0)->path)) {
		log_err(SUB, "socket path too long: %s", sock->path);
		return NULL;
	}
	struct vu_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (sock->path)
		strcpy(s->path, sock->path);
	else
		snprintf(s->path, sizeof(s->path), "fd %d", sock->fd);
	s->handed_fd = -1;
	s->desc = *desc;
	s->ops = *ops;
	s->opaque = opaque;
	s->conn_fd = -1;
	s->listen_fd = -1;
	s->dma_timeout_ms = VU_DMA_TIMEOUT_MS_DEFAULT;
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->msg = malloc(VU_MAX_MSG_SIZE);
	s->reply = malloc(VU_MAX_MSG_SIZE);
	pthread_mutex_init(&s->send_lock, NULL);
	pthread_mutex_init(&s->irq_lock, NULL);
	pthread_mutex_init(&s->req_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->req_cond, &ca);
	pthread_condattr_destroy(&ca);
	vu_dma_init(&s->dma, VU_MAX_DMA_MAPS);
	bool ok = s->stop_fd >= 0 && s->msg && s->reply;
	for (unsigned i = 0; ok && i < VU_IRQ_NUM; i++) {
		s->irq[i].vec = calloc(desc->irq_count[i] + 1, sizeof(struct irq_vec));
		ok = s->irq[i].vec != NULL;
		if (ok)
			s->irq[i].count = desc->irq_count[i];
		for (uint32_t v = 0; ok && v < desc->irq_count[i]; v++)
			s->irq[i].vec[v].fd = -1;
	}
	if (ok && sock->fd >= 0 && sock->connected) {
		s->handed_fd = sock->fd;
	} else if (ok && sock->fd >= 0) {
		s->listen_fd = sock->fd;
	} else if (ok) {
		s->listen_fd = unix_listen(sock->path, SUB);
		s->own_path = s->listen_fd >= 0;
		ok = s->listen_fd >= 0;
	}
	if (!ok) {
		vu_server_destroy(s);
		return NULL;
	}
	return s;
}

int vu_server_set_mmap(struct vu_server *s, unsigned region, int fd,
		       const struct vu_sparse_mmap_area *areas, unsigned n)
{
	/* areas within the region, page-aligned, sorted without overlap
	 * (QEMU refuses overlaps: hw/vfio/region.c) */
	bool bad = !n || n > VU_MAX_MMAP_AREAS || region >= VU_PCI_NUM_REGIONS ||
		   fd < 0;
	uint64_t end = 0;
	for (unsigned i = 0; !bad && i < n; i++) {
		bad = (areas[i].offset | areas[i].size) & 4095 || !areas[i].size ||
		      areas[i].offset < end ||
		      areas[i].size > s->desc.region_size[region] ||
		      areas[i].offset > s->desc.region_size[region] - areas[i].size;
		end = areas[i].offset + areas[i].size;
	}
	if (bad) {
		log_err(SUB, "mappable areas of region %u: not page-aligned, "
			"sorted areas inside it", region);
		return -EINVAL;
	}
	s->mmap.region = region;
	s->mmap.fd = fd;
	s->mmap.nareas = n;
	memcpy(s->mmap.areas, areas, n * sizeof(*areas));
	return 0;
}

void vu_server_destroy(struct vu_server *s)
{
	if (!s)
		return;
	if (s->conn_fd >= 0)
		close(s->conn_fd);
	if (s->handed_fd >= 0)
		close(s->handed_fd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->own_path)
		unlink(s->path);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	irq_release_all(s, true);
	for (unsigned i = 0; i < VU_IRQ_NUM; i++)
		free(s->irq[i].vec);
	vu_dma_fini(&s->dma);
	pthread_cond_destroy(&s->req_cond);
	pthread_mutex_destroy(&s->req_lock);
	pthread_mutex_destroy(&s->irq_lock);
	pthread_mutex_destroy(&s->send_lock);
	free(s->msg);
	free(s->reply);
	free(s);
}

void vu_server_set_dma_timeout(struct vu_server *s, unsigned ms)
{
	s->dma_timeout_ms = ms ? ms : 1;
}

void vu_server_get_stats(struct vu_server *s, struct vu_stats *out)
{
	const uint64_t *src = (const uint64_t *)&s->stats;
	uint64_t *dst = (uint64_t *)out;
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

bool vu_server_connected(struct vu_server *s)
{
	pthread_mutex_lock(&s->req_lock);
	bool c = s->connected;
	pthread_mutex_unlock(&s->req_lock);
	return c;
}

struct vu_dma_table *vu_server_dma(struct vu_server *s)
{
	return &s->dma;
}
