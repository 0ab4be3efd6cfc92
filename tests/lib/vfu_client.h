/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small vfio-user client for the protocol tests: it speaks to the real
 * fbnic-emu binary over its UNIX socket the way QEMU 11.1 does (one sendmsg
 * per message with its fds attached; replies read as header then body).
 *
 * Return convention of the request helpers (vfu_call and vfu_<command>):
 *   0          success reply
 *   > 0        the errno of an error reply (ERROR flag set)
 *   < 0        -errno: transport or protocol failure (timeout, EOF, a reply
 *              with the wrong id/command/type, a reply larger than QEMU's
 *              buffer for that command, ...).  A diagnostic is printed.
 * Every helper leaves the header of the reply it got in c->last, so a test
 * can assert the exact size and flags.
 *
 * The server side (vfu_server_*) forks/execs build/fbnic-emu, captures its
 * stderr in a file and checks at stop time that it exited 0 on SIGTERM.
 */
#ifndef FBNIC_EMU_VFU_CLIENT_H
#define FBNIC_EMU_VFU_CLIENT_H

#include "dev/csr.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "test.h"
#include "vfio-user/vfio_user.h"

#define VFU_TIMEOUT_MS 5000
#define VFU_RECV_MAX_FDS 32 /* more than the server may send: we detect extras */

/* One received message. */
struct vfu_msg {
	struct vu_hdr hdr;
	uint8_t *data; /* payload, hdr.size - 16 bytes (malloc'd, may be NULL) */
	size_t len;
	int fds[VFU_RECV_MAX_FDS];
	int nfds;
};
void vfu_msg_free(struct vfu_msg *m); /* frees data, closes fds */

struct vfu_client {
	int sock;
	uint16_t next_id;   /* id of the next request (QEMU starts at 0) */
	int timeout_ms;     /* per reply; VFU_TIMEOUT_MS by default */
	struct vu_hdr last; /* header of the last reply a helper received */
	/* Guest memory served to server->client DMA_READ/DMA_WRITE requests
	 * while waiting for a reply: iova [dma_iova, dma_iova + dma_len). */
	uint8_t *dma_mem;
	uint64_t dma_iova;
	uint64_t dma_len;
	unsigned dma_reads, dma_writes, other_requests;
	/* The next reply may carry one fd (taken into reply_fd, else -1). */
	bool accept_fd;
	int reply_fd;
};

/* --- transport ---------------------------------------------------------- */
/* A connected UNIX stream socket (the server's, or a control channel's):
 * its fd, or -errno. */
int vfu_unix_connect(const char *path);
/* The same, retried for at most 5 s while the socket is not there yet:
 * fbnic-emu opens its control socket after the vfio-user one, which is
 * what a started server was waited for. */
int vfu_unix_connect_wait(const char *path);
int vfu_connect(struct vfu_client *c, const char *path); /* 0 or -errno */
void vfu_disconnect(struct vfu_client *c);
/* Send bytes as one sendmsg (looping on short writes; fds go with the first
 * byte). 0 or -errno. */
int vfu_send_raw(struct vfu_client *c, const void *buf, size_t len,
		 const int *fds, int nfds);
/* Send header (size = 16 + len) + payload with the given id/flags. */
int vfu_send(struct vfu_client *c, uint16_t id, uint16_t cmd, uint32_t flags,
	     const void *payload, size_t len, const int *fds, int nfds);
/* Same with id = c->next_id++; returns the id used (>= 0) or -errno. */
int vfu_send_req(struct vfu_client *c, uint16_t cmd, uint32_t flags,
		 const void *payload, size_t len, const int *fds, int nfds);
/* Receive one message. 0, -ETIMEDOUT (nothing arrived), -ECONNRESET (EOF
 * or reset at a message boundary), -EPROTO (size < 16, EOF mid-message). */
int vfu_recv(struct vfu_client *c, struct vfu_msg *m, int timeout_ms);
/* Receive the next reply, answering server requests (DMA_READ/WRITE from
 * c->dma_mem, anything else ENOSYS) that arrive first. */
int vfu_next_reply(struct vfu_client *c, struct vfu_msg *m, int timeout_ms);
/* Serve server requests for timeout_ms (or until EOF). Returns how many. */
int vfu_serve_requests(struct vfu_client *c, int timeout_ms);
/* true if nothing at all arrives within timeout_ms (the socket stays
 * silent and open). */
bool vfu_silent(struct vfu_client *c, int timeout_ms);
/* Wait for the server to close the connection, discarding messages.
 * 0 when EOF came (*nmsgs = messages seen before it), -ETIMEDOUT if not. */
int vfu_wait_closed(struct vfu_client *c, int timeout_ms, int *nmsgs,
		    struct vu_hdr *first);

/* --- requests ----------------------------------------------------------- */
/* Send a request and wait for its reply.  Checks: reply type, id and
 * command match, no NO_REPLY flag, no fds, error replies header-only, and
 * reply size <= max_reply (QEMU's receive buffer for the command). */
int vfu_call(struct vfu_client *c, uint16_t cmd, const void *payload,
	     size_t len, const int *fds, int nfds, size_t max_reply,
	     struct vfu_msg *reply /* may be NULL */);

#define VFU_QEMU_JSON_SIZE 194 /* with its NUL: 16 + 4 + 194 = 214 */
extern const char vfu_qemu_version_json[VFU_QEMU_JSON_SIZE];
/* VERSION with QEMU's exact message; reply kept in *reply (may be NULL). */
int vfu_version(struct vfu_client *c, struct vfu_msg *reply);
int vfu_dma_map(struct vfu_client *c, uint32_t flags, uint64_t offset,
		uint64_t iova, uint64_t size, int fd /* -1: none */);
int vfu_dma_unmap(struct vfu_client *c, uint32_t flags, uint64_t iova,
		  uint64_t size);
int vfu_get_info(struct vfu_client *c, struct vu_device_info *out);
/* GET_REGION_INFO where the reply may carry capabilities and the fd of a
 * mappable region: up to buflen bytes of the reply's payload into buf
 * (the struct, then its caps; NULL: none); *fd gets the fd or -1 (fd
 * NULL: a reply with an fd fails).  0 or -errno. */
int vfu_region_info_fd(struct vfu_client *c, uint32_t index, uint32_t argsz,
		       void *buf, size_t buflen, int *fd);
int vfu_region_info(struct vfu_client *c, uint32_t index, uint32_t argsz,
		    struct vu_region_info *out);
int vfu_irq_info(struct vfu_client *c, uint32_t index, struct vu_irq_info *out);
int vfu_set_irqs(struct vfu_client *c, uint32_t flags, uint32_t index,
		 uint32_t start, uint32_t count, const int *fds, int nfds);
/* REGION_READ/WRITE; on success the reply must echo offset/region/count and
 * be exactly 32 + count (read) or 32 (write) bytes. */
int vfu_region_read(struct vfu_client *c, uint32_t region, uint64_t offset,
		    uint32_t count, void *buf);
int vfu_region_write(struct vfu_client *c, uint32_t region, uint64_t offset,
		     uint32_t count, const void *buf);
/* Posted write (NO_REPLY): only sent. 0 or -errno. */
int vfu_region_write_posted(struct vfu_client *c, uint32_t region,
			    uint64_t offset, uint32_t count, const void *buf);
int vfu_reset(struct vfu_client *c);
/* Config space (region 7) accesses of 1, 2 or 4 bytes. */
int vfu_cfg_read(struct vfu_client *c, uint32_t off, unsigned size,
		 uint32_t *val);
int vfu_cfg_write(struct vfu_client *c, uint32_t off, unsigned size,
		  uint32_t val);
/* BAR access of 1, 2, 4 or 8 bytes. */
int vfu_bar_read(struct vfu_client *c, uint32_t bar, uint64_t off,
		 unsigned size, uint64_t *val);

/* --- server process ----------------------------------------------------- */
struct vfu_server {
	pid_t pid;
	char dir[128];  /* private temp dir */
	char sock[192]; /* <dir>/s.sock */
	char log[192];  /* <dir>/stderr.log: the server's stdout+stderr */
	int status;     /* waitpid status once reaped */
	bool reaped;
};
/* The binary under test: $FBNIC_EMU or <test binary dir>/../../fbnic-emu.
 * 0 or -errno. */
int vfu_server_binary(char *out, size_t n);
/* fork/exec $FBNIC_EMU or <test binary dir>/../../fbnic-emu with
 * "--socket <dir>/s.sock" + extra (NULL-terminated, may be NULL), and wait
 * until the socket accepts a connection. 0 or -errno (diagnostic printed). */
int vfu_server_start(struct vfu_server *s, const char *const *extra);
/* As systemd's socket activation starts it: fds[0..nfds) become fds
 * 3.. of the server, with LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES
 * (names: "a:b", NULL for none); argv is extra alone (no --socket).
 * wait_sock: the path to wait on until it accepts a connection (NULL:
 * do not wait: a connection handed over).  The caller keeps its fds. */
int vfu_server_start_activated(struct vfu_server *s, const char *const *extra,
			       const int *fds, unsigned nfds, const char *names,
			       const char *wait_sock);
/* A client on an fd already connected (the other end of a socketpair). */
void vfu_client_from_fd(struct vfu_client *c, int fd);
/* SIGTERM, wait (10 s, then SIGKILL), remove the temp dir. 0 if the server
 * exited with status 0; -1 otherwise (exit code, signal and log tail are
 * printed). */
int vfu_server_stop(struct vfu_server *s);
bool vfu_server_alive(struct vfu_server *s); /* not exited */
/* Wait up to ms for the server to exit by itself (reaped, status in
 * s->status); true if it did. */
bool vfu_server_wait_exit(struct vfu_server *s, int ms);
/* A server that exited by itself (reaped by vfu_server_alive): forget
 * it and remove its temp dir. */
void vfu_server_forget(struct vfu_server *s);
int vfu_server_fd_count(const struct vfu_server *s); /* -1 if unreadable */
/* Number of open fds once it has not changed for 150 ms (max 3 s). */
int vfu_server_idle_fds(const struct vfu_server *s);
/* Poll until the fd count equals want (max timeout_ms); returns last count. */
int vfu_server_wait_fds(const struct vfu_server *s, int want, int timeout_ms);
/* Lines of /proc/<pid>/maps containing needle. */
int vfu_server_count_maps(const struct vfu_server *s, const char *needle);
/* After a disconnect: the count once it is 0, or after timeout_ms (the
 * server closes the connection's fd before it unmaps its memory). */
int vfu_server_wait_unmapped(const struct vfu_server *s, const char *needle,
			     int timeout_ms);
/* The captured log from byte `from` on (malloc'd, NUL-terminated). */
char *vfu_server_log(const struct vfu_server *s, size_t from);
size_t vfu_server_log_size(const struct vfu_server *s);
/* Connect to the server and do the VERSION handshake. */
int vfu_open(const struct vfu_server *s, struct vfu_client *c);

/* --- misc --------------------------------------------------------------- */
#define VFU_TEST_MEMFD_NAME "vfu-test-ram"
int vfu_memfd(uint64_t size); /* memfd_create(VFU_TEST_MEMFD_NAME) + ftruncate */
int vfu_eventfd(void);
/* A minimal strict JSON checker and object member lookup (for VERSION). */
bool vfu_json_valid(const char *s);
/* In the JSON object starting at obj (after whitespace), find member key and
 * return a pointer to its value (after whitespace), or NULL. */
const char *vfu_json_member(const char *obj, const char *key);
bool vfu_json_u64(const char *value, uint64_t *out);

/* --- test side: assertions through tests/lib/test.h at the caller's line -- */
/* What fbnic-emu is expected to expose (the contract under test). */
#define FBNIC_T_VENDOR 0x1d9bu
#define FBNIC_T_DEVICE 0x0013u
#define FBNIC_T_CLASS 0x020000u
#define FBNIC_T_BAR0_SIZE 0x200000u
#define FBNIC_T_BAR2_SIZE 0x2000u
#define FBNIC_T_BAR4_SIZE 0x20000u
#define FBNIC_T_CFG_SIZE 0x1000u
#define FBNIC_T_VECTORS 130u /* default: 2 + 128 queues */
#define FBNIC_T_DSN 0x02fb00fffe000001ull
#define FBNIC_T_PM_CAP 0x40u
#define FBNIC_T_MSIX_CAP 0x50u
#define FBNIC_T_PCIE_CAP 0x60u
#define FBNIC_T_DSN_CAP 0x100u
#define FBNIC_T_PBA_OFF 0x1000u
#define FBNIC_T_SPARE0 (FBNIC_MASTER_SPARE_0 * 4u) /* BAR0 byte offset */
/* BAR0's mappable areas (--bar0-mmap=on): INTR_CQ's page, the queue pages */
#define FBNIC_T_BAR0_MMAP0_OFF 0x1000u
#define FBNIC_T_BAR0_MMAP0_LEN 0x1000u
#define FBNIC_T_BAR0_MMAP1_OFF 0x100000u
#define FBNIC_T_BAR0_MMAP1_LEN 0x80000u
#define FBNIC_T_UNIMPL0 0x1ff000u /* BAR0: past the 128 queue blocks */
#define FBNIC_T_UNIMPL4 0x10000u  /* BAR4: between CRM and the IPC window */

uint32_t vfu_t_cfg_rd(struct vfu_client *c, uint32_t off, unsigned size,
		      const char *file, int line);
void vfu_t_cfg_wr(struct vfu_client *c, uint32_t off, unsigned size,
		  uint32_t val, const char *file, int line);
uint64_t vfu_t_bar_rd(struct vfu_client *c, uint32_t bar, uint64_t off,
		      unsigned size, const char *file, int line);
/* Server still running; a fresh connection does VERSION and GET_INFO. */
bool vfu_t_server_works(struct vfu_server *s, const char *file, int line);
/* Start a server or fail the test (returns false). */
bool vfu_t_start(struct vfu_server *s, const char *const *extra,
		 const char *file, int line);

/* Start a server and connect with the VERSION handshake, or fail the test
 * (stopping the server) and return false. */
bool vfu_t_session(struct vfu_server *s, struct vfu_client *c,
		   const char *const *extra, const char *file, int line);
#define OPEN_SESSION(s, c, extra) \
	vfu_t_session((s), (c), (extra), __FILE__, __LINE__)

#define CFG_RD(c, off, size) vfu_t_cfg_rd((c), (off), (size), __FILE__, __LINE__)
#define CFG_WR(c, off, size, val) \
	vfu_t_cfg_wr((c), (off), (size), (val), __FILE__, __LINE__)
#define BAR_RD(c, bar, off, size) \
	vfu_t_bar_rd((c), (bar), (off), (size), __FILE__, __LINE__)
#define CHECK_SERVER_WORKS(s) vfu_t_server_works((s), __FILE__, __LINE__)
#define START_SERVER(s, extra) vfu_t_start((s), (extra), __FILE__, __LINE__)
/* The last reply a helper got was a success of exactly `sz` bytes. */
#define CHECK_LAST_SIZE(c, sz) CHECK_INT((c)->last.size, (sz))

/* QEMU 11.1.3's attach sequence (as captured from it) plus the firmware/guest part, on a
 * fresh connection c (next_id 0), asserting every reply.  ram_fd backs
 * guest RAM [0, ram_size); err_fd and msix_fd[2] are eventfds.  mapped:
 * the server offers BAR0's hot pages (--bar0-mmap=on), so QEMU asks for
 * BAR0's region info again with room for its capability, takes the fd,
 * and DMA-maps the two areas without fd once the BAR is placed
 * (hw/vfio/device.c, hw/vfio/listener.c). */
void vfu_qemu_replay(struct vfu_client *c, int ram_fd, uint64_t ram_size,
		     int err_fd, const int msix_fd[2], unsigned vectors,
		     bool mapped);

#endif
