/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfio-user protocol tests against the real fbnic-emu binary: QEMU 11.1's
 * attach sequence, VERSION negotiation, discovery (GET_INFO, REGION_INFO,
 * IRQ_INFO), config space and BAR accesses.  Every test starts its own
 * server.  See tests/lib/vfu_client.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev/csr.h"
#include "test.h"
#include "vfu_client.h"

#define RAM_SIZE (512ull << 20)

/* ------------------------------------------------------------------------ */
/* QEMU replay                                                              */

static void replay_body(struct vfu_server *s, bool mapped)
{
	int idle = vfu_server_idle_fds(s);
	int ram = vfu_memfd(RAM_SIZE);
	int errfd = vfu_eventfd(), msix[2] = { vfu_eventfd(), vfu_eventfd() };
	REQUIRE(ram >= 0 && errfd >= 0 && msix[0] >= 0 && msix[1] >= 0);
	struct vfu_client c;
	REQUIRE(vfu_connect(&c, s->sock) == 0);
	vfu_qemu_replay(&c, ram, RAM_SIZE, errfd, msix, FBNIC_T_VECTORS, mapped);
	CHECK_INT(c.dma_reads + c.dma_writes + c.other_requests, 0);
	/* QEMU exits by closing the socket: everything must be released. */
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_wait_fds(s, idle, 3000), idle);
	CHECK_INT(vfu_server_wait_unmapped(s, VFU_TEST_MEMFD_NAME, 3000), 0);
	close(ram);
	close(errfd);
	close(msix[0]);
	close(msix[1]);
	CHECK_SERVER_WORKS(s);
}

static void qemu_attach_replay(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	replay_body(&s, true);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* As QEMU 11.1.3 attaches with every register trapped (the sequence as
 * captured). */
static void qemu_attach_replay_trapped(void)
{
	static const char *const off[] = { "--bar0-mmap=off", NULL };
	struct vfu_server s;
	if (!START_SERVER(&s, off))
		return;
	replay_body(&s, false);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* The same sequence twice on one server: a second QEMU after the first
 * one exits. */
static void qemu_attach_replay_twice(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	replay_body(&s, true);
	replay_body(&s, true);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* VERSION                                                                  */

static void version_body(struct vfu_server *s)
{
	struct vfu_client c;
	struct vfu_msg m;
	REQUIRE(vfu_connect(&c, s->sock) == 0);
	c.next_id = 0x1234;
	int rc = vfu_version(&c, &m);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_EQ(m.hdr.msg_id, 0x1234);
		CHECK_EQ(m.hdr.command, VU_CMD_VERSION);
		CHECK_EQ(m.hdr.flags, VU_F_TYPE_REPLY);
		CHECK(m.hdr.size <= 214);
		CHECK(m.len > 4);
	}
	if (rc == 0 && m.len > 4) {
		struct vu_version v;
		memcpy(&v, m.data, sizeof(v));
		CHECK_EQ(v.major, 0);
		CHECK_EQ(v.minor, 0);
		CHECK_EQ(m.data[m.len - 1], 0);
		m.data[m.len - 1] = 0;
		const char *json = (const char *)m.data + 4;
		CHECK_INT(strlen(json), m.len - 5); /* exactly one NUL, at the end */
		CHECK(vfu_json_valid(json));
		const char *caps = vfu_json_member(json, "capabilities");
		CHECK(caps && *caps == '{');
		uint64_t val = 0;
		CHECK(vfu_json_u64(vfu_json_member(caps, "max_msg_fds"), &val));
		CHECK_INT(val, 16);
		val = 0;
		CHECK(vfu_json_u64(vfu_json_member(caps, "max_data_xfer_size"), &val));
		CHECK_INT(val, 1048576);
		val = 0;
		CHECK(vfu_json_u64(vfu_json_member(caps, "pgsizes"), &val));
		CHECK_INT(val, 4096);
		val = 0;
		CHECK(vfu_json_u64(vfu_json_member(caps, "max_dma_maps"), &val));
		CHECK_INT(val, 65535);
		CHECK(caps && vfu_json_member(caps, "write_multiple") == NULL);
		CHECK(caps && vfu_json_member(caps, "twin_socket") == NULL);
		if (getenv("TEST_VERBOSE"))
			printf("  VERSION reply (%u bytes): %s\n", m.hdr.size, json);
	}
	vfu_msg_free(&m);
	/* The connection is usable afterwards. */
	struct vu_device_info di;
	CHECK_INT(vfu_get_info(&c, &di), 0);
	vfu_disconnect(&c);
}

static void version_reply(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	version_body(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* A client minor version above ours: the reply stays 0.0 (the minimum). */
static void version_minor_higher(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	struct vfu_msg m;
	if (vfu_connect(&c, s.sock) == 0) {
		uint8_t p[4 + sizeof(vfu_qemu_version_json)];
		struct vu_version v = { 0, 5 };
		memcpy(p, &v, 4);
		memcpy(p + 4, vfu_qemu_version_json, sizeof(vfu_qemu_version_json));
		int rc = vfu_call(&c, VU_CMD_VERSION, p, sizeof(p), NULL, 0,
				  16 + sizeof(p), &m);
		CHECK_INT(rc, 0);
		if (rc == 0 && m.len >= 4) {
			memcpy(&v, m.data, 4);
			CHECK_EQ(v.major, 0);
			CHECK_EQ(v.minor, 0);
		}
		vfu_msg_free(&m);
		vfu_disconnect(&c);
	}
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Send one request on a fresh connection and expect an error reply with
 * its id (errno want_err, or any if 0), then the server closing the
 * connection. */
static void expect_rejected_then_closed(struct vfu_server *s, uint16_t cmd,
					const void *payload, size_t len,
					const int *fds, int nfds, int want_err,
					const char *what)
{
	int idle = vfu_server_idle_fds(s);
	struct vfu_client c;
	if (vfu_connect(&c, s->sock) != 0) {
		test_fail(__FILE__, __LINE__, "%s: connect failed", what);
		return;
	}
	c.next_id = 77;
	int rc = vfu_call(&c, cmd, payload, len, fds, nfds, 4096, NULL);
	if (want_err ? rc != want_err : rc <= 0)
		test_fail(__FILE__, __LINE__,
			  "%s: want error reply %d, got %d (size %u flags 0x%x)",
			  what, want_err, rc, c.last.size, c.last.flags);
	int n = -1;
	rc = vfu_wait_closed(&c, 3000, &n, NULL);
	if (rc != 0 || n != 0)
		test_fail(__FILE__, __LINE__,
			  "%s: want connection closed after the error, got rc %d, %d more message(s)",
			  what, rc, n);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_wait_fds(s, idle, 3000), idle);
	CHECK_SERVER_WORKS(s);
}

static void version_required_first(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vu_device_info di = { 16, 0, 0, 0 };
	expect_rejected_then_closed(&s, VU_CMD_DEVICE_GET_INFO, &di, sizeof(di),
				    NULL, 0, EINVAL, "GET_INFO before VERSION");
	/* A DMA_MAP with an fd first: rejected, and the fd is not kept. */
	int ram = vfu_memfd(1 << 20);
	struct vu_dma_map map = { 32, 3, 0, 0, 1 << 20 };
	expect_rejected_then_closed(&s, VU_CMD_DMA_MAP, &map, sizeof(map), &ram,
				    1, EINVAL, "DMA_MAP before VERSION");
	close(ram);
	struct vu_region_access ra = { 0, VU_PCI_CONFIG, 4 };
	expect_rejected_then_closed(&s, VU_CMD_REGION_READ, &ra, sizeof(ra),
				    NULL, 0, EINVAL, "REGION_READ before VERSION");
	expect_rejected_then_closed(&s, VU_CMD_DEVICE_RESET, NULL, 0, NULL, 0,
				    EINVAL, "DEVICE_RESET before VERSION");
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void version_bad(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	uint8_t p[4 + sizeof(vfu_qemu_version_json)];
	memcpy(p + 4, vfu_qemu_version_json, sizeof(vfu_qemu_version_json));

	struct vu_version v = { 1, 0 };
	memcpy(p, &v, 4);
	expect_rejected_then_closed(&s, VU_CMD_VERSION, p, sizeof(p), NULL, 0,
				    0, "VERSION major 1");
	v.major = 0xffff;
	memcpy(p, &v, 4);
	expect_rejected_then_closed(&s, VU_CMD_VERSION, p, sizeof(p), NULL, 0,
				    0, "VERSION major 0xffff");
	/* JSON without its NUL terminator. */
	v.major = 0;
	memcpy(p, &v, 4);
	expect_rejected_then_closed(&s, VU_CMD_VERSION, p, sizeof(p) - 1, NULL,
				    0, 0, "VERSION JSON not NUL-terminated");
	/* Too short: no payload, major only, major+minor without JSON. */
	expect_rejected_then_closed(&s, VU_CMD_VERSION, NULL, 0, NULL, 0, 0,
				    "VERSION header only");
	expect_rejected_then_closed(&s, VU_CMD_VERSION, p, 2, NULL, 0, 0,
				    "VERSION 2-byte payload");
	expect_rejected_then_closed(&s, VU_CMD_VERSION, p, 4, NULL, 0, 0,
				    "VERSION without JSON");
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* discovery                                                                */

static void device_get_info(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		struct vu_device_info di;
		memset(&di, 0xa5, sizeof(di));
		CHECK_INT(vfu_get_info(&c, &di), 0);
		CHECK_LAST_SIZE(&c, 32);
		CHECK_EQ(c.last.flags, VU_F_TYPE_REPLY);
		CHECK_EQ(di.argsz, 16);
		CHECK_EQ(di.flags, VU_DEV_PCI | VU_DEV_RESET);
		CHECK_EQ(di.num_regions, 9);
		CHECK_EQ(di.num_irqs, 5);
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void region_info_body(struct vfu_client *c)
{
	static const struct {
		uint64_t size;
		uint32_t flags;
	} want[9] = {
		{ FBNIC_T_BAR0_SIZE, 3 }, { 0, 0 }, { FBNIC_T_BAR2_SIZE, 3 },
		{ 0, 0 }, { FBNIC_T_BAR4_SIZE, 3 }, { 0, 0 }, { 0, 0 },
		{ FBNIC_T_CFG_SIZE, 3 }, { 0, 0 },
	};
	for (uint32_t i = 0; i < 9; i++) {
		struct vu_region_info ri;
		memset(&ri, 0xa5, sizeof(ri));
		int rc = vfu_region_info(c, i, 32, &ri);
		CHECK_INT(rc, 0);
		if (rc) {
			fprintf(stderr, "    (region %u)\n", i);
			continue;
		}
		CHECK_LAST_SIZE(c, 48);
		CHECK_EQ(ri.argsz, 32);
		CHECK_EQ(ri.index, i);
		CHECK_EQ(ri.cap_offset, 0);
		CHECK_EQ(ri.size, want[i].size);
		CHECK_EQ(ri.flags, want[i].flags);
		CHECK_EQ(ri.offset, 0);
		/* No MMAP: no fd may come with the reply (vfu_call checks). */
		CHECK(!(ri.flags & (VU_REGION_MMAP | VU_REGION_CAPS)));
		/* Power-of-two sizes (QEMU asserts it). */
		CHECK((ri.size & (ri.size - 1)) == 0);
	}
	/* A bigger buffer: the reply still fits it and reports 32. */
	uint32_t big[] = { 33, 64, 4096 };
	for (unsigned k = 0; k < 3; k++) {
		struct vu_region_info ri;
		CHECK_INT(vfu_region_info(c, 0, big[k], &ri), 0);
		CHECK(c->last.size >= 48 && c->last.size <= 16 + big[k]);
		CHECK_EQ(ri.argsz, 32);
		CHECK_EQ(ri.size, FBNIC_T_BAR0_SIZE);
	}
	/* argsz below the struct, bad index. */
	CHECK_INT(vfu_region_info(c, 0, 31, NULL), EINVAL);
	CHECK_INT(vfu_region_info(c, 0, 16, NULL), EINVAL);
	CHECK_INT(vfu_region_info(c, 0, 0, NULL), EINVAL);
	CHECK_INT(vfu_region_info(c, 9, 32, NULL), EINVAL);
	CHECK_INT(vfu_region_info(c, 0xffffffff, 32, NULL), EINVAL);
	/* Still fine afterwards. */
	CHECK_INT(vfu_region_info(c, 7, 32, NULL), 0);
}

static void region_info(void)
{
	static const char *const off[] = { "--bar0-mmap=off", NULL };
	struct vfu_server s;
	if (!START_SERVER(&s, off))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		region_info_body(&c);
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* --bar0-mmap=on (the default): BAR0's reply says MMAP with a sparse-mmap
 * capability once the client's buffer holds it, and carries the memfd of
 * BAR0's image; the driver's stores there reach the device, which shows
 * them through the registers it publishes. */
static void region_info_mmap(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	static const uint32_t small[] = { 32, 33, 79 };
	for (unsigned k = 0; k < 3; k++) {
		struct vu_region_info ri;
		memset(&ri, 0xa5, sizeof(ri));
		CHECK_INT(vfu_region_info(&c, VU_PCI_BAR0, small[k], &ri), 0);
		CHECK_LAST_SIZE(&c, 48); /* no fd (vfu_region_info checks) */
		CHECK_EQ(ri.argsz, 80);
		CHECK_EQ(ri.flags, VU_REGION_READ | VU_REGION_WRITE |
					   VU_REGION_MMAP | VU_REGION_CAPS);
		/* where the cap will be: QEMU checks it even here */
		CHECK_EQ(ri.cap_offset, 32);
		CHECK_EQ(ri.size, FBNIC_T_BAR0_SIZE);
	}
	/* the other BARs stay trapped */
	struct vu_region_info ri;
	CHECK_INT(vfu_region_info(&c, 2, 32, &ri), 0);
	CHECK_EQ(ri.flags, VU_REGION_READ | VU_REGION_WRITE);
	CHECK_INT(vfu_region_info(&c, 4, 32, &ri), 0);
	CHECK_EQ(ri.flags, VU_REGION_READ | VU_REGION_WRITE);

	int fd = -1;
	static const uint32_t full[] = { 80, 4096 };
	for (unsigned k = 0; k < 2; k++) {
		uint8_t buf[128];
		memset(buf, 0xa5, sizeof(buf));
		if (fd >= 0)
			close(fd);
		CHECK_INT(vfu_region_info_fd(&c, VU_PCI_BAR0, full[k], buf,
					     sizeof(buf), &fd), 0);
		CHECK_LAST_SIZE(&c, 16 + 80);
		memcpy(&ri, buf, sizeof(ri));
		CHECK_EQ(ri.argsz, 80);
		CHECK_EQ(ri.cap_offset, 32);
		struct vu_cap_sparse_mmap cap;
		struct vu_sparse_mmap_area area[2];
		memcpy(&cap, buf + 32, sizeof(cap));
		memcpy(area, buf + 32 + sizeof(cap), sizeof(area));
		CHECK_EQ(cap.header.id, VU_REGION_INFO_CAP_SPARSE_MMAP);
		CHECK_EQ(cap.header.version, 1);
		CHECK_EQ(cap.header.next, 0);
		CHECK_EQ(cap.nr_areas, 2);
		CHECK_EQ(area[0].offset, FBNIC_T_BAR0_MMAP0_OFF);
		CHECK_EQ(area[0].size, FBNIC_T_BAR0_MMAP0_LEN);
		CHECK_EQ(area[1].offset, FBNIC_T_BAR0_MMAP1_OFF);
		CHECK_EQ(area[1].size, FBNIC_T_BAR0_MMAP1_LEN);
		CHECK(fd >= 0);
	}
	REQUIRE(fd >= 0);
	struct stat st;
	CHECK_INT(fstat(fd, &st), 0);
	CHECK_EQ((uint64_t)st.st_size, FBNIC_T_BAR0_SIZE);
	/* sealed at its size: no one can make the other's mapping fault */
	CHECK(ftruncate(fd, 4096) != 0);
	volatile uint32_t *bar = mmap(NULL, FBNIC_T_BAR0_SIZE,
				      PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	REQUIRE(bar != MAP_FAILED);

	/* The driver's TWQ0 enable of queue 3 as stores, the flush, then a
	 * doorbell store: the trapped read of TWQ0_PTRS syncs first and
	 * shows the tail (15:0) the device took. */
	const uint32_t q = FBNIC_QUEUE(3);
	bar[q + FBNIC_QUEUE_TWQ0_CTL] = FBNIC_QUEUE_TWQ_CTL_RESET;
	bar[q + FBNIC_QUEUE_TWQ0_BAL] = 0x10000;
	bar[q + FBNIC_QUEUE_TWQ0_BAH] = 0;
	bar[q + FBNIC_QUEUE_TWQ0_SIZE] = 6;
	bar[q + FBNIC_QUEUE_TWQ0_CTL] = FBNIC_QUEUE_TWQ_CTL_ENABLE;
	(void)BAR_RD(&c, 0, FBNIC_T_SPARE0, 4);
	CHECK_EQ(BAR_RD(&c, 0, 4ull * (q + FBNIC_QUEUE_TWQ0_PTRS), 4), 0);
	bar[q + FBNIC_QUEUE_TWQ0_TAIL] = 3;
	CHECK_EQ(BAR_RD(&c, 0, 4ull * (q + FBNIC_QUEUE_TWQ0_PTRS), 4) & 0xffff, 3);
	/* and the image holds it too, as the guest's next load sees it */
	CHECK_EQ(bar[q + FBNIC_QUEUE_TWQ0_PTRS] & 0xffff, 3);
	munmap((void *)bar, FBNIC_T_BAR0_SIZE);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void irq_info_body(struct vfu_client *c, unsigned vectors)
{
	static const struct {
		uint32_t flags, count;
	} fixed[5] = { { 0, 0 }, { 0, 0 }, { 1, 0 }, { 1, 1 }, { 1, 1 } };
	for (uint32_t i = 0; i < 5; i++) {
		struct vu_irq_info ii;
		memset(&ii, 0xa5, sizeof(ii));
		int rc = vfu_irq_info(c, i, &ii);
		CHECK_INT(rc, 0);
		if (rc)
			continue;
		CHECK_LAST_SIZE(c, 32);
		CHECK_EQ(ii.argsz, 16);
		CHECK_EQ(ii.index, i);
		CHECK_EQ(ii.count, i == VU_IRQ_MSIX ? vectors : fixed[i].count);
		if (i >= VU_IRQ_MSIX)
			CHECK_EQ(ii.flags, fixed[i].flags);
		/* Never NORESIZE (QEMU would tear down every vector on use). */
		CHECK(!(ii.flags & VU_IRQ_INFO_NORESIZE));
	}
	CHECK_INT(vfu_irq_info(c, 5, NULL), EINVAL);
	CHECK_INT(vfu_irq_info(c, 0xffffffff, NULL), EINVAL);
}

static void irq_info(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		irq_info_body(&c, FBNIC_T_VECTORS);
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* config space                                                             */

static uint32_t le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* Check the power-on image; vectors and dsn vary with the options. */
static void check_image(const uint8_t *cfg, unsigned vectors, uint64_t dsn)
{
	CHECK_EQ(le(cfg + 0x00, 2), FBNIC_T_VENDOR);
	CHECK_EQ(le(cfg + 0x02, 2), FBNIC_T_DEVICE);
	CHECK_EQ(le(cfg + 0x04, 2), 0); /* COMMAND */
	CHECK_EQ(le(cfg + 0x06, 2) & 0x10, 0x10);
	CHECK_EQ(le(cfg + 0x09, 3), FBNIC_T_CLASS);
	CHECK_EQ(cfg[0x0e], 0); /* header type 0, single function */
	CHECK_EQ(le(cfg + 0x10, 4), 0x4);
	CHECK_EQ(le(cfg + 0x14, 4), 0);
	CHECK_EQ(le(cfg + 0x18, 4), 0x4);
	CHECK_EQ(le(cfg + 0x1c, 4), 0);
	CHECK_EQ(le(cfg + 0x20, 4), 0x4);
	CHECK_EQ(le(cfg + 0x24, 4), 0);
	CHECK_EQ(le(cfg + 0x30, 4), 0);
	CHECK_EQ(cfg[0x34], FBNIC_T_PM_CAP);
	CHECK_EQ(cfg[0x3d], 0); /* no INTx pin */

	/* Capability chain PM -> MSI-X -> PCIe. */
	CHECK_EQ(cfg[FBNIC_T_PM_CAP], 0x01);
	CHECK_EQ(cfg[FBNIC_T_PM_CAP + 1], FBNIC_T_MSIX_CAP);
	CHECK_EQ(le(cfg + FBNIC_T_PM_CAP + 4, 2) & 3, 0); /* D0 */
	CHECK_EQ(cfg[FBNIC_T_MSIX_CAP], 0x11);
	CHECK_EQ(cfg[FBNIC_T_MSIX_CAP + 1], FBNIC_T_PCIE_CAP);
	CHECK_EQ(le(cfg + FBNIC_T_MSIX_CAP + 2, 2), vectors - 1);
	uint32_t table = le(cfg + FBNIC_T_MSIX_CAP + 4, 4);
	uint32_t pba = le(cfg + FBNIC_T_MSIX_CAP + 8, 4);
	CHECK_EQ(table, 0x2); /* BIR 2, offset 0 */
	CHECK_EQ(pba, FBNIC_T_PBA_OFF | 0x2);
	/* Table and PBA inside BAR2, not overlapping. */
	CHECK((table & ~7u) + 16u * vectors <= (pba & ~7u));
	CHECK((pba & ~7u) + 8u * ((vectors + 63) / 64) <= FBNIC_T_BAR2_SIZE);
	CHECK_EQ(cfg[FBNIC_T_PCIE_CAP], 0x10);
	CHECK_EQ(cfg[FBNIC_T_PCIE_CAP + 1], 0);
	uint32_t pcie_flags = le(cfg + FBNIC_T_PCIE_CAP + 2, 2);
	CHECK_EQ(pcie_flags & 0xf, 2);         /* version 2 */
	CHECK_EQ((pcie_flags >> 4) & 0xf, 0);  /* PCI Express Endpoint */
	/* No FLR advertised (QEMU would not turn it into DEVICE_RESET). */
	CHECK_EQ(le(cfg + FBNIC_T_PCIE_CAP + 4, 4) & (1u << 28), 0);

	/* Walk the standard chain: no loops, ends after three caps. */
	unsigned n = 0;
	for (uint8_t p = cfg[0x34]; p && n < 48; p = cfg[p + 1]) {
		CHECK(p >= 0x40 && (p & 3) == 0);
		n++;
	}
	CHECK_INT(n, 3);

	/* Extended capability at 0x100: DSN, version 1, last. */
	CHECK_EQ(le(cfg + FBNIC_T_DSN_CAP, 4), 0x00010003u);
	CHECK_EQ(le(cfg + FBNIC_T_DSN_CAP + 4, 4), (uint32_t)dsn);
	CHECK_EQ(le(cfg + FBNIC_T_DSN_CAP + 8, 4), (uint32_t)(dsn >> 32));
}

static void read_image(struct vfu_client *c, uint8_t *cfg)
{
	memset(cfg, 0xee, FBNIC_T_CFG_SIZE);
	CHECK_INT(vfu_region_read(c, VU_PCI_CONFIG, 0, FBNIC_T_CFG_SIZE, cfg), 0);
	CHECK_LAST_SIZE(c, 32 + FBNIC_T_CFG_SIZE);
}

static void config_image(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		static uint8_t cfg[FBNIC_T_CFG_SIZE];
		read_image(&c, cfg);
		check_image(cfg, FBNIC_T_VECTORS, FBNIC_T_DSN);
		/* Small accesses agree with the big one. */
		for (uint32_t off = 0; off < 0x200; off += 4)
			CHECK_EQ(CFG_RD(&c, off, 4), le(cfg + off, 4));
		for (uint32_t off = 0xe00; off < 0x1000; off += 4)
			CHECK_EQ(CFG_RD(&c, off, 4), le(cfg + off, 4));
		for (uint32_t off = 0; off < 0x70; off += 1)
			CHECK_EQ(CFG_RD(&c, off, 1), cfg[off]);
		for (uint32_t off = 0; off < 0x70; off += 2)
			CHECK_EQ(CFG_RD(&c, off, 2), le(cfg + off, 2));
		/* Unaligned ranges straddling dwords. */
		uint8_t buf[64];
		CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0x3e, 37, buf), 0);
		CHECK_MEM(buf, cfg + 0x3e, 37);
		CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0xffc, 4, buf), 0);
		CHECK_MEM(buf, cfg + 0xffc, 4);
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void options_case(const char *const *args, unsigned vectors,
			 uint64_t dsn)
{
	struct vfu_server s;
	if (!START_SERVER(&s, args))
		return;
	struct vfu_client c;
	if (vfu_open(&s, &c) == 0) {
		static uint8_t cfg[FBNIC_T_CFG_SIZE];
		read_image(&c, cfg);
		check_image(cfg, vectors, dsn);
		irq_info_body(&c, vectors);
		vfu_disconnect(&c);
	} else {
		CHECK(0);
	}
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void config_options(void)
{
	static const char *const mac[] = { "--mac", "02:11:22:33:44:55", NULL };
	options_case(mac, FBNIC_T_VECTORS, 0x021122fffe334455ull);
	static const char *const dsn[] = { "--dsn", "0x0123456789abcdef", NULL };
	options_case(dsn, FBNIC_T_VECTORS, 0x0123456789abcdefull);
	static const char *const q4[] = { "--queues", "4", NULL };
	options_case(q4, 6, FBNIC_T_DSN);
	static const char *const q1[] = { "--queues", "1", NULL };
	options_case(q1, 3, FBNIC_T_DSN);
}

static void config_bars(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	static const uint32_t mask[6] = {
		0xffe00004u, 0xffffffffu, 0xffffe004u,
		0xffffffffu, 0xfffe0004u, 0xffffffffu,
	};
	for (int i = 0; i < 6; i++) {
		uint32_t off = 0x10 + 4 * (uint32_t)i;
		uint32_t orig = i % 2 ? 0 : 0x4;
		CHECK_EQ(CFG_RD(&c, off, 4), orig);
		CFG_WR(&c, off, 4, 0xffffffff);
		CHECK_EQ(CFG_RD(&c, off, 4), mask[i]);
		CFG_WR(&c, off, 4, 0);
		CHECK_EQ(CFG_RD(&c, off, 4), orig);
	}
	/* Addresses are masked to the BAR size; type bits stay. */
	CFG_WR(&c, 0x10, 4, 0xfe012345);
	CHECK_EQ(CFG_RD(&c, 0x10, 4), 0xfe000004);
	CFG_WR(&c, 0x14, 4, 0x00000012);
	CHECK_EQ(CFG_RD(&c, 0x14, 4), 0x00000012);
	CFG_WR(&c, 0x18, 4, 0xfe203fff);
	CHECK_EQ(CFG_RD(&c, 0x18, 4), 0xfe202004);
	/* ROM BAR is hard-wired to 0. */
	CFG_WR(&c, 0x30, 4, 0xfffff800);
	CHECK_EQ(CFG_RD(&c, 0x30, 4), 0);
	CFG_WR(&c, 0x30, 4, 0xffffffff);
	CHECK_EQ(CFG_RD(&c, 0x30, 4), 0);
	CFG_WR(&c, 0x30, 4, 0xfeb00001);
	CHECK_EQ(CFG_RD(&c, 0x30, 4), 0);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void config_ro_rw(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	static uint8_t before[FBNIC_T_CFG_SIZE], after[FBNIC_T_CFG_SIZE];
	read_image(&c, before);

	/* Read-only fields ignore writes. */
	static const struct {
		uint32_t off;
		unsigned size;
	} ro[] = {
		{ 0x00, 4 },                    /* vendor/device */
		{ 0x08, 4 },                    /* revision/class */
		{ 0x0e, 1 },                    /* header type */
		{ 0x2c, 4 },                    /* subsystem */
		{ 0x34, 1 },                    /* cap pointer */
		{ 0x3d, 1 },                    /* interrupt pin */
		{ FBNIC_T_PM_CAP, 2 },          /* PM id/next */
		{ FBNIC_T_PM_CAP + 2, 2 },      /* PMC */
		{ FBNIC_T_MSIX_CAP, 2 },        /* MSI-X id/next */
		{ FBNIC_T_MSIX_CAP + 4, 4 },    /* table offset/BIR */
		{ FBNIC_T_MSIX_CAP + 8, 4 },    /* PBA offset/BIR */
		{ FBNIC_T_PCIE_CAP, 4 },        /* PCIe id/next/flags */
		{ FBNIC_T_PCIE_CAP + 4, 4 },    /* DevCap */
		{ FBNIC_T_DSN_CAP, 4 },         /* DSN header */
		{ FBNIC_T_DSN_CAP + 4, 4 },     /* DSN low */
		{ FBNIC_T_DSN_CAP + 8, 4 },     /* DSN high */
	};
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		CFG_WR(&c, ro[i].off, ro[i].size, 0xffffffff);
		CFG_WR(&c, ro[i].off, ro[i].size, 0);
		uint32_t v = CFG_RD(&c, ro[i].off, ro[i].size);
		if (v != le(before + ro[i].off, ro[i].size))
			test_fail(__FILE__, __LINE__,
				  "RO config 0x%x/%u changed: 0x%x -> 0x%x",
				  ro[i].off, ro[i].size,
				  le(before + ro[i].off, ro[i].size), v);
	}
	/* MSI-X table size field is RO; enable/function-mask are stored. */
	CFG_WR(&c, FBNIC_T_MSIX_CAP + 2, 2, 0x07ff);
	CHECK_EQ(CFG_RD(&c, FBNIC_T_MSIX_CAP + 2, 2), FBNIC_T_VECTORS - 1);
	CFG_WR(&c, FBNIC_T_MSIX_CAP + 2, 2, 0xc000);
	CHECK_EQ(CFG_RD(&c, FBNIC_T_MSIX_CAP + 2, 2), 0xc000 | (FBNIC_T_VECTORS - 1));
	CFG_WR(&c, FBNIC_T_MSIX_CAP + 2, 2, 0);
	CHECK_EQ(CFG_RD(&c, FBNIC_T_MSIX_CAP + 2, 2), FBNIC_T_VECTORS - 1);
	/* STATUS: the cap-list bit survives a write of all-ones (RW1C). */
	CFG_WR(&c, 0x06, 2, 0xffff);
	CHECK_EQ(CFG_RD(&c, 0x06, 2) & 0x10, 0x10);

	/* COMMAND round trips: MEM, MASTER, INTX_DISABLE. */
	CFG_WR(&c, 0x04, 2, 0x0406);
	CHECK_EQ(CFG_RD(&c, 0x04, 2), 0x0406);
	CFG_WR(&c, 0x04, 2, 0x0002);
	CHECK_EQ(CFG_RD(&c, 0x04, 2), 0x0002);
	CFG_WR(&c, 0x04, 1, 0x04);
	CHECK_EQ(CFG_RD(&c, 0x04, 2), 0x0004);
	CFG_WR(&c, 0x05, 1, 0x04);
	CHECK_EQ(CFG_RD(&c, 0x04, 2), 0x0404);
	CFG_WR(&c, 0x04, 2, 0x0100); /* SERR enable (RW) */
	CHECK_EQ(CFG_RD(&c, 0x04, 2), 0x0100);
	CFG_WR(&c, 0x04, 2, 0);
	CHECK_EQ(CFG_RD(&c, 0x04, 2), 0);
	/* Interrupt line round trips; pin stays 0. */
	CFG_WR(&c, 0x3c, 1, 0x0a);
	CHECK_EQ(CFG_RD(&c, 0x3c, 1), 0x0a);
	CFG_WR(&c, 0x3c, 2, 0xff0b);
	CHECK_EQ(CFG_RD(&c, 0x3c, 2), 0x000b);
	/* PMCSR power state. */
	CFG_WR(&c, FBNIC_T_PM_CAP + 4, 2, 0x0003);
	CHECK_EQ(CFG_RD(&c, FBNIC_T_PM_CAP + 4, 2) & 3, 3);
	CFG_WR(&c, FBNIC_T_PM_CAP + 4, 2, 0x0000);
	CHECK_EQ(CFG_RD(&c, FBNIC_T_PM_CAP + 4, 2) & 3, 0);
	/* PCIe DevCtl (Linux writes it): RO enable, no-snoop, MRRS 512. */
	uint32_t devctl = FBNIC_T_PCIE_CAP + 8;
	CFG_WR(&c, devctl, 2, 0x2810);
	CHECK_EQ(CFG_RD(&c, devctl, 2), 0x2810);
	CFG_WR(&c, devctl, 2, 0x000f);
	CHECK_EQ(CFG_RD(&c, devctl, 2), 0x000f);
	CFG_WR(&c, devctl, 2, le(before + devctl, 2));
	CHECK_EQ(CFG_RD(&c, devctl, 2), le(before + devctl, 2));

	/* Put everything back: nothing else moved. */
	CFG_WR(&c, 0x3c, 1, before[0x3c]);
	CFG_WR(&c, 0x06, 2, 0xffff); /* clear any RW1C status we set (none) */
	read_image(&c, after);
	for (uint32_t off = 0; off < FBNIC_T_CFG_SIZE; off++)
		if (before[off] != after[off])
			test_fail(__FILE__, __LINE__,
				  "config byte 0x%x: 0x%02x -> 0x%02x", off,
				  before[off], after[off]);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void config_out_of_range(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	uint8_t buf[8] = { 0 };
	static uint8_t big[FBNIC_T_CFG_SIZE + 8];
	CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0x1000, 4, buf), EINVAL);
	CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0x1000, 1, buf), EINVAL);
	CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0xffe, 4, buf), EINVAL);
	CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0, FBNIC_T_CFG_SIZE + 1, big),
		  EINVAL);
	CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0xfffffffffffffffeull, 4, buf),
		  EINVAL);
	CHECK_INT(vfu_region_write(&c, VU_PCI_CONFIG, 0x1000, 4, buf), EINVAL);
	CHECK_INT(vfu_region_write(&c, VU_PCI_CONFIG, 0xffd, 4, buf), EINVAL);
	CHECK_INT(vfu_region_write(&c, VU_PCI_CONFIG, 0xfffffffffffffffcull, 8, buf),
		  EINVAL);
	/* More than max_data_xfer_size in one read. */
	CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0, (1u << 20) + 1, NULL),
		  EINVAL);
	/* The connection survives all that. */
	CHECK_EQ(CFG_RD(&c, 0, 2), FBNIC_T_VENDOR);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* BARs                                                                     */

static void bar_access(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	/* Unimplemented registers read 0, at every size. */
	for (unsigned sz = 1; sz <= 8; sz *= 2) {
		for (uint64_t off = FBNIC_T_UNIMPL0; off < FBNIC_T_UNIMPL0 + 16;
		     off += sz)
			CHECK_EQ(BAR_RD(&c, 0, off, sz), 0);
		CHECK_EQ(BAR_RD(&c, 0, FBNIC_T_BAR0_SIZE - sz, sz), 0);
		CHECK_EQ(BAR_RD(&c, 4, FBNIC_T_UNIMPL4, sz), 0);
		CHECK_EQ(BAR_RD(&c, 4, FBNIC_T_BAR4_SIZE - sz, sz), 0);
	}
	/* The "device alive" register never reads all-ones. */
	CHECK(BAR_RD(&c, 0, FBNIC_T_SPARE0, 4) != 0xffffffffu);
	/* PBA: nothing pending (130 vectors: 3 qwords). */
	CHECK_EQ(BAR_RD(&c, 2, FBNIC_T_PBA_OFF, 8), 0);
	CHECK_EQ(BAR_RD(&c, 2, FBNIC_T_PBA_OFF + 8, 8), 0);
	CHECK_EQ(BAR_RD(&c, 2, FBNIC_T_PBA_OFF + 16, 4), 0);
	CHECK_EQ(BAR_RD(&c, 2, FBNIC_T_PBA_OFF + 20, 4), 0);
	/* Synchronous writes are acknowledged with the 32-byte echo. */
	uint64_t zero = 0;
	CHECK_INT(vfu_region_write(&c, 0, FBNIC_T_UNIMPL0, 4, &zero), 0);
	CHECK_LAST_SIZE(&c, 32);
	CHECK_INT(vfu_region_write(&c, 4, FBNIC_T_UNIMPL4, 8, &zero), 0);
	CHECK_LAST_SIZE(&c, 32);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void bar_bad_access(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	uint8_t buf[16] = { 0 };
	static const struct {
		uint32_t region;
		uint64_t off;
		uint32_t count;
	} bad[] = {
		{ 1, 0, 4 }, { 3, 0, 4 }, { 5, 0, 4 },           /* size-0 BARs */
		{ 6, 0, 4 }, { 8, 0, 4 },                        /* ROM, VGA */
		{ 9, 0, 4 }, { 100, 0, 4 }, { 0xffffffff, 0, 4 }, /* no region */
		{ 0, FBNIC_T_BAR0_SIZE, 4 },                     /* past the end */
		{ 0, FBNIC_T_BAR0_SIZE - 4, 8 },
		{ 2, FBNIC_T_BAR2_SIZE, 1 },
		{ 4, FBNIC_T_BAR4_SIZE, 4 },
		{ 0, 0xfffffffffffffff8ull, 8 },                 /* wraps */
		{ 0, 0, 0 }, { 0, 0, 3 }, { 0, 0, 16 },          /* bad counts */
		{ 4, 0, 0 }, { 4, 0, 5 }, { 4, 0, 6 }, { 4, 0, 7 },
		{ 0, 0x2, 4 }, { 0, 0x4, 8 }, { 0, 0x1, 2 },     /* misaligned */
		{ 4, FBNIC_IPC_MBX(FBNIC_IPC_MBX_RX_IDX, 0) * 4 + 2, 4 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rr = vfu_region_read(&c, bad[i].region, bad[i].off,
					 bad[i].count, buf);
		int rs = c.last.size;
		int rw = vfu_region_write(&c, bad[i].region, bad[i].off,
					  bad[i].count, buf);
		int ws = c.last.size;
		if (rr != EINVAL || rw != EINVAL || rs != 16 || ws != 16)
			test_fail(__FILE__, __LINE__,
				  "region %u off 0x%llx count %u: read -> %d (size %d), write -> %d (size %d); want EINVAL, 16",
				  bad[i].region, (unsigned long long)bad[i].off,
				  bad[i].count, rr, rs, rw, ws);
	}
	/* A write whose data length disagrees with count. */
	struct {
		struct vu_region_access a;
		uint8_t data[8];
	} w = { { FBNIC_T_UNIMPL0, 0, 4 }, { 0 } };
	CHECK_INT(vfu_call(&c, VU_CMD_REGION_WRITE, &w, sizeof(w), NULL, 0, 48,
			   NULL),
		  EINVAL);
	w.a.count = 8;
	CHECK_INT(vfu_call(&c, VU_CMD_REGION_WRITE, &w, sizeof(w.a) + 4, NULL,
			   0, 48, NULL),
		  EINVAL);
	/* A read request shorter than its header. */
	CHECK_INT(vfu_call(&c, VU_CMD_REGION_READ, &w, 12, NULL, 0, 48, NULL),
		  EINVAL);
	/* A bad posted write gets no reply at all (not even an error). */
	uint32_t v = 0;
	CHECK_INT(vfu_region_write_posted(&c, 9, 0, 4, &v), 0);
	CHECK_INT(vfu_region_write_posted(&c, 0, 2, 4, &v), 0);
	CHECK_INT(vfu_region_write_posted(&c, 0, FBNIC_T_BAR0_SIZE, 4, &v), 0);
	CHECK_EQ(CFG_RD(&c, 0, 2), FBNIC_T_VENDOR); /* the next reply is this */
	CHECK(vfu_silent(&c, 100));
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Posted writes are never answered and are processed in order: the read
 * after them sees the last one and its reply is all that comes back. */
static void posted_writes_ordering(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	for (unsigned i = 0; i < 500; i++) {
		uint64_t v = i * 0x0101010101010101ull;
		CHECK_INT(vfu_region_write_posted(&c, 0,
						  FBNIC_T_UNIMPL0 + 8 * (i % 32),
						  8, &v),
			  0);
		CHECK_INT(vfu_region_write_posted(&c, 4, FBNIC_T_UNIMPL4, 4, &v), 0);
		/* Interrupt line: plain storage in config space. */
		uint8_t line = (uint8_t)i;
		CHECK_INT(vfu_region_write_posted(&c, VU_PCI_CONFIG, 0x3c, 1, &line),
			  0);
	}
	int id = c.next_id;
	struct vu_region_access r = { 0x3c, VU_PCI_CONFIG, 1 };
	CHECK_INT(vfu_send_req(&c, VU_CMD_REGION_READ, 0, &r, sizeof(r), NULL, 0),
		  id);
	struct vfu_msg m;
	int rc = vfu_recv(&c, &m, 5000);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_EQ(m.hdr.msg_id, (uint16_t)id);
		CHECK_EQ(m.hdr.command, VU_CMD_REGION_READ);
		CHECK_EQ(m.hdr.flags, VU_F_TYPE_REPLY);
		CHECK_INT(m.hdr.size, 33);
		if (m.len == 17)
			CHECK_EQ(m.data[16], (uint8_t)499);
	}
	vfu_msg_free(&m);
	CHECK(vfu_silent(&c, 200));
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* Requests pipelined in one write are answered in order, each seeing the
 * effect of the previous ones; message ids wrap from 0xffff to 0. */
static void pipelined_in_order(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	enum { N = 100 };
	static uint8_t buf[N * 2 * 40];
	size_t len = 0;
	uint16_t id0 = 0xffd0;
	for (unsigned i = 0; i < N; i++) {
		struct vu_hdr h = { (uint16_t)(id0 + 2 * i), VU_CMD_REGION_WRITE,
				    16 + 16 + 1, 0, 0 };
		struct vu_region_access a = { 0x3c, VU_PCI_CONFIG, 1 };
		memcpy(buf + len, &h, 16);
		memcpy(buf + len + 16, &a, 16);
		buf[len + 32] = (uint8_t)(i + 1);
		len += 33;
		h.msg_id = (uint16_t)(id0 + 2 * i + 1);
		h.command = VU_CMD_REGION_READ;
		h.size = 32;
		memcpy(buf + len, &h, 16);
		memcpy(buf + len + 16, &a, 16);
		len += 32;
	}
	CHECK_INT(vfu_send_raw(&c, buf, len, NULL, 0), 0);
	for (unsigned i = 0; i < 2 * N; i++) {
		struct vfu_msg m;
		int rc = vfu_recv(&c, &m, 5000);
		if (rc != 0) {
			test_fail(__FILE__, __LINE__, "reply %u: rc %d", i, rc);
			break;
		}
		bool rd = i % 2;
		if (m.hdr.msg_id != (uint16_t)(id0 + i) ||
		    m.hdr.command != (rd ? VU_CMD_REGION_READ : VU_CMD_REGION_WRITE) ||
		    m.hdr.flags != VU_F_TYPE_REPLY ||
		    m.hdr.size != (rd ? 33u : 32u) ||
		    (rd && m.data[16] != (uint8_t)(i / 2 + 1))) {
			test_fail(__FILE__, __LINE__,
				  "reply %u: id 0x%x cmd %u flags 0x%x size %u",
				  i, m.hdr.msg_id, m.hdr.command, m.hdr.flags,
				  m.hdr.size);
			vfu_msg_free(&m);
			break;
		}
		vfu_msg_free(&m);
	}
	CHECK(vfu_silent(&c, 100));
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol",
	  TEST_CASE(qemu_attach_replay),
	  TEST_CASE(qemu_attach_replay_twice),
	  TEST_CASE(qemu_attach_replay_trapped),
	  TEST_CASE(version_reply),
	  TEST_CASE(version_minor_higher),
	  TEST_CASE(version_required_first),
	  TEST_CASE(version_bad),
	  TEST_CASE(device_get_info),
	  TEST_CASE(region_info),
	  TEST_CASE(region_info_mmap),
	  TEST_CASE(irq_info),
	  TEST_CASE(config_image),
	  TEST_CASE(config_options),
	  TEST_CASE(config_bars),
	  TEST_CASE(config_ro_rw),
	  TEST_CASE(config_out_of_range),
	  TEST_CASE(bar_access),
	  TEST_CASE(bar_bad_access),
	  TEST_CASE(posted_writes_ordering),
	  TEST_CASE(pipelined_in_order))
