/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the vfio-user server's message handling
 * (src/vfio-user/vu_server.c dispatch, through vu_server_feed) in front of
 * a device core, as a hostile client would drive it.  The input is a
 * sequence of records [length: 2 bytes LE][message bytes]; a DMA_MAP
 * carries (a dup of) one 1 MiB memfd and DEVICE_SET_IRQS an eventfd (the
 * server takes them).  Region accesses reach the device as the runner's do (config
 * space, BAR reads and writes), DMA_MAP'd memory is what the device's DMA
 * would use.  Replies go to a socketpair drained after each message.  The
 * server and device persist; each input starts with the state a
 * disconnect leaves (maps and eventfds released, VERSION needed again).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "runner.h"
#include "util/unix_sock.h"
#include "test.h"
#include "util/log.h"
#include "vfio-user/vfio_user.h"
#include "vfio-user/vu_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct harness *h;
static struct vu_server *srv;
static int sp[2] = { -1, -1 };

/* The runner's region ops (runner.c), without its lock. */
static int op_read(void *o, unsigned region, uint64_t off, void *buf,
		   uint32_t count)
{
	(void)o;
	return runner_region_read(h->dev, region, off, buf, count);
}

static int op_write(void *o, unsigned region, uint64_t off, const void *buf,
		    uint32_t count)
{
	(void)o;
	return runner_region_write(h->dev, region, off, buf, count);
}

static void op_reset(void *o)
{
	(void)o;
	fbnic_reset(h->dev);
}

static void drain(void)
{
	static uint8_t buf[65536];
	while (recv(sp[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void setup(void)
{
	/* warnings only: each input's disconnect logs an info line */
	log_threshold = LOG_WARN;
	h = h_create(NULL);
	if (!h || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		abort();
	struct vu_device_desc desc;
	runner_device_desc(h->dev, &desc);
	static const struct vu_device_ops ops = { .region_read = op_read,
						  .region_write = op_write,
						  .reset = op_reset,
						  .disconnected = op_reset };
	char path[64];
	snprintf(path, sizeof(path), "/tmp/fuzz-vfio-user.%d.sock", (int)getpid());
	struct sock_spec sock = { .path = path, .fd = -1 };
	srv = vu_server_create(&sock, &desc, &ops, NULL);
	unlink(path);
	if (!srv)
		abort();
	/* BAR0's hot pages mappable, as fbnic-emu offers them by default:
	 * the region info carries its capability and an fd (runner.c) */
	const struct fbnic_pci_layout *l = fbnic_layout(h->dev);
	struct vu_sparse_mmap_area areas[2];
	for (unsigned i = 0; i < 2; i++)
		areas[i] = (struct vu_sparse_mmap_area){ l->bar0_mmap[i].off,
							 l->bar0_mmap[i].len };
	int bar0 = memfd_create("fuzz-bar0", MFD_CLOEXEC);
	if (bar0 < 0 || vu_server_set_mmap(srv, VU_PCI_BAR0, bar0, areas, 2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!h)
		setup();
	/* Start from what a disconnect leaves: a message that cannot parse
	 * closes the "connection". */
	static const uint8_t bad[4];
	vu_server_feed(srv, sp[0], bad, sizeof(bad), NULL, 0);
	drain();
	size_t off = 0;
	while (size - off >= 2) {
		size_t len = (size_t)(data[off] | data[off + 1] << 8);
		off += 2;
		if (len > size - off)
			len = size - off;
		const uint8_t *m = data + off;
		off += len;
		int fds[1];
		unsigned nfds = 0;
		if (len >= sizeof(struct vu_hdr)) {
			struct vu_hdr hd;
			memcpy(&hd, m, sizeof(hd));
			if (hd.command == VU_CMD_DMA_MAP) {
				/* one 1 MiB file for every map (the server
				 * takes the fd: a dup each time) */
				static int ram = -1;
				if (ram < 0) {
					ram = memfd_create("fuzz-ram", MFD_CLOEXEC);
					if (ram < 0 || ftruncate(ram, 1 << 20))
						abort();
				}
				fds[0] = dup(ram);
				nfds = fds[0] >= 0;
			} else if (hd.command == VU_CMD_DEVICE_SET_IRQS) {
				fds[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
				nfds = fds[0] >= 0;
			}
		}
		vu_server_feed(srv, sp[0], m, len, fds, nfds);
		drain();
		h_run(h);
		if (test_failures) {
			fprintf(stderr, "fuzz_vfio_user: the device asks for "
				"work forever\n");
			abort();
		}
	}
	return 0;
}
