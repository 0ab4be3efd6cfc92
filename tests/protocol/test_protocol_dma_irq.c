/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfio-user protocol tests against the real fbnic-emu binary: DMA_MAP /
 * DMA_UNMAP, DEVICE_SET_IRQS and DEVICE_RESET, with fd-leak checks through
 * /proc/<server>/fd and /proc/<server>/maps.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "vfu_client.h"

#define MB (1ull << 20)
#define RAM (64 * MB)
#define RW (VU_DMA_READ | VU_DMA_WRITE)
#define EVT_TRIG (VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_TRIGGER)
#define NONE_TRIG (VU_IRQ_DATA_NONE | VU_IRQ_ACTION_TRIGGER)

/* Connect + VERSION; returns the server's fd count with the connection up
 * and nothing mapped (or -1 on failure, already reported). */
static int open_session(struct vfu_server *s, struct vfu_client *c)
{
	if (vfu_open(s, c) != 0) {
		test_fail(__FILE__, __LINE__, "connect + VERSION failed");
		return -1;
	}
	return vfu_server_idle_fds(s);
}

/* ------------------------------------------------------------------------ */
/* DMA_MAP / DMA_UNMAP                                                      */

static void dma_map_variants_body(struct vfu_server *s)
{
	int idle = vfu_server_idle_fds(s);
	struct vfu_client c;
	int base = open_session(s, &c);
	REQUIRE(base >= 0);
	int ram = vfu_memfd(RAM);
	REQUIRE(ram >= 0);

	/* RW with the fd, RO with the fd, no fd (BIOS-like), the same memfd
	 * several times, and a high map with offset != iova (QEMU with -m 4G). */
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0, 16 * MB, ram), 0);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_EQ(c.last.flags, VU_F_TYPE_REPLY);
	CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 16 * MB, 16 * MB, 4 * MB, ram), 0);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0xfffc0000, 0x40000, -1), 0);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0xfd000000, 0x1000000, -1), 0);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_map(&c, RW, 20 * MB, 20 * MB, 4 * MB, ram), 0);
	CHECK_INT(vfu_dma_map(&c, RW, 32 * MB, 0x100000000ull, 32 * MB, ram), 0);
	CHECK_LAST_SIZE(&c, 16);
	/* Sub-page 4K-granular pieces, as SeaBIOS's PAM changes produce. */
	for (uint64_t i = 0; i < 16; i++)
		CHECK_INT(vfu_dma_map(&c, i % 2 ? VU_DMA_READ : RW,
				      24 * MB + i * 0x1000, 24 * MB + i * 0x1000,
				      0x1000, ram),
			  0);
	CHECK(vfu_server_count_maps(s, VFU_TEST_MEMFD_NAME) >= 1);

	/* Unmap everything exactly. */
	CHECK_INT(vfu_dma_unmap(&c, 0, 0, 16 * MB), 0);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_unmap(&c, 0, 16 * MB, 4 * MB), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0xfffc0000, 0x40000), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0xfd000000, 0x1000000), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 20 * MB, 4 * MB), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x100000000ull, 32 * MB), 0);
	for (uint64_t i = 0; i < 16; i++)
		CHECK_INT(vfu_dma_unmap(&c, 0, 24 * MB + i * 0x1000, 0x1000), 0);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_server_wait_fds(s, base, 2000), base);
	CHECK_INT(vfu_server_count_maps(s, VFU_TEST_MEMFD_NAME), 0);

	/* Map again at the same places: nothing is left over. */
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0, RAM, ram), 0);
	CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0xfffc0000, 0x40000, -1), 0);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_wait_fds(s, idle, 3000), idle);
	CHECK_INT(vfu_server_wait_unmapped(s, VFU_TEST_MEMFD_NAME, 3000), 0);
	close(ram);
}

static void dma_map_variants(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	dma_map_variants_body(&s);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void dma_map_errors_body(struct vfu_server *s)
{
	struct vfu_client c;
	int base = open_session(s, &c);
	REQUIRE(base >= 0);
	int ram = vfu_memfd(RAM);
	REQUIRE(ram >= 0);

	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x100000, 0x100000, ram), 0);
	/* Overlaps: same range, head, tail, inside, around; with and
	 * without fd. */
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x100000, 0x100000, ram), EEXIST);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x0ff000, 0x2000, ram), EEXIST);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x1ff000, 0x2000, ram), EEXIST);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x180000, 0x1000, ram), EEXIST);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x000000, 0x400000, ram), EEXIST);
	CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0x100000, 0x1000, -1), EEXIST);
	/* Adjacent on both sides is fine. */
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x0ff000, 0x1000, ram), 0);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x200000, 0x1000, -1), 0);

	/* Invalid: size 0, unknown flags, iova + size wraps, offset + size
	 * beyond the file. */
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x1000000, 0, ram), EINVAL);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x1000000, 0, -1), EINVAL);
	CHECK_INT(vfu_dma_map(&c, RW | 0x4, 0, 0x1000000, 0x1000, ram), EINVAL);
	CHECK_INT(vfu_dma_map(&c, 0x80000000u | RW, 0, 0x1000000, 0x1000, -1),
		  EINVAL);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0xfffffffffffff000ull, 0x2000, ram),
		  EINVAL);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0xfffffffffffff000ull, 0x2000, -1),
		  EINVAL);
	CHECK_INT(vfu_dma_map(&c, RW, RAM - 0x1000, 0x1000000, 0x2000, ram),
		  EINVAL);
	CHECK_INT(vfu_dma_map(&c, RW, RAM, 0x1000000, 0x1000, ram), EINVAL);
	CHECK_INT(vfu_dma_map(&c, RW, 0xfffffffffffff000ull, 0x1000000, 0x2000,
			      ram),
		  EINVAL);
	/* None of the failures left a map behind. */
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x1000000, 0x1000), ENOENT);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x1000000, 0x2000), ENOENT);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x1000000, 0x1000, ram), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x1000000, 0x1000), 0);

	/* UNMAP errors: unknown ranges. */
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x40000000, 0x1000), ENOENT);
	CHECK_LAST_SIZE(&c, 16);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x300000, 0x100000), ENOENT);
	/* A piece of a map is not the map: it fails and the map stays. */
	CHECK(vfu_dma_unmap(&c, 0, 0x100000, 0x1000) != 0);
	CHECK(vfu_dma_unmap(&c, 0, 0x100000, 0x200000) != 0);
	CHECK_INT(vfu_dma_map(&c, RW, 0, 0x100000, 0x100000, ram), EEXIST);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x100000, 0x100000), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x100000, 0x100000), ENOENT);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x0ff000, 0x1000), 0);
	CHECK_INT(vfu_dma_unmap(&c, 0, 0x200000, 0x1000), 0);
	/* All the refused fds were closed. */
	CHECK_INT(vfu_server_wait_fds(s, base, 2000), base);
	CHECK_INT(vfu_server_count_maps(s, VFU_TEST_MEMFD_NAME), 0);
	vfu_disconnect(&c);
	close(ram);
}

static void dma_map_errors(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	dma_map_errors_body(&s);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void dma_unmap_all(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	int base = open_session(&s, &c);
	int ram = vfu_memfd(RAM);
	if (base >= 0 && ram >= 0) {
		for (uint64_t i = 0; i < 8; i++)
			CHECK_INT(vfu_dma_map(&c, RW, i * 4 * MB, i * 4 * MB,
					      4 * MB, ram),
				  0);
		CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0xfffc0000, 0x40000, -1),
			  0);
		CHECK_INT(vfu_dma_unmap(&c, VU_DMA_UNMAP_ALL, 0, 0), 0);
		CHECK_LAST_SIZE(&c, 16);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		CHECK_INT(vfu_server_count_maps(&s, VFU_TEST_MEMFD_NAME), 0);
		CHECK_INT(vfu_dma_unmap(&c, 0, 0, 4 * MB), ENOENT);
		CHECK_INT(vfu_dma_unmap(&c, 0, 0xfffc0000, 0x40000), ENOENT);
		/* Everything can be mapped again. */
		CHECK_INT(vfu_dma_map(&c, RW, 0, 0, RAM, ram), 0);
		CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0xfffc0000, 0x40000, -1),
			  0);
		CHECK_INT(vfu_dma_unmap(&c, VU_DMA_UNMAP_ALL, 0, 0), 0);
		/* ALL on an empty table is not an error. */
		CHECK_INT(vfu_dma_unmap(&c, VU_DMA_UNMAP_ALL, 0, 0), 0);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		vfu_disconnect(&c);
	}
	if (ram >= 0)
		close(ram);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* DMA_MAP's argsz must match the message. */
static void dma_argsz_mismatch(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	int base = open_session(&s, &c);
	int ram = vfu_memfd(RAM);
	if (base >= 0 && ram >= 0) {
		struct {
			struct vu_dma_map m;
			uint8_t extra[8];
		} p = { { 32, RW, 0, 0, MB }, { 0 } };
		/* argsz 32 but only 24 payload bytes. */
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_MAP, &p, 24, &ram, 1, 48, NULL),
			  EINVAL);
		/* argsz 24 in a full 32-byte payload. */
		p.m.argsz = 24;
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_MAP, &p, 32, &ram, 1, 48, NULL),
			  EINVAL);
		/* argsz 40 with 32 payload bytes. */
		p.m.argsz = 40;
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_MAP, &p, 32, &ram, 1, 48, NULL),
			  EINVAL);
		/* argsz 0. */
		p.m.argsz = 0;
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_MAP, &p, 32, &ram, 1, 48, NULL),
			  EINVAL);
		/* Nothing got mapped. */
		CHECK_INT(vfu_dma_unmap(&c, 0, 0, MB), ENOENT);
		/* DMA_UNMAP with argsz 32 in its 24-byte payload; and 16. */
		struct vu_dma_unmap u = { 32, 0, 0, MB };
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_UNMAP, &u, 24, NULL, 0, 40, NULL),
			  EINVAL);
		u.argsz = 16;
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_UNMAP, &u, 24, NULL, 0, 40, NULL),
			  EINVAL);
		/* A 16-byte DMA_UNMAP payload. */
		u.argsz = 24;
		CHECK_INT(vfu_call(&c, VU_CMD_DMA_UNMAP, &u, 16, NULL, 0, 40, NULL),
			  EINVAL);
		/* GET_INFO with argsz below its struct. */
		struct vu_device_info di = { 8, 0, 0, 0 };
		CHECK_INT(vfu_call(&c, VU_CMD_DEVICE_GET_INFO, &di, sizeof(di),
				   NULL, 0, 32, NULL),
			  EINVAL);
		CHECK_INT(vfu_call(&c, VU_CMD_DEVICE_GET_INFO, &di, 4, NULL, 0, 32,
				   NULL),
			  EINVAL);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		/* Still a working connection. */
		CHECK_INT(vfu_dma_map(&c, RW, 0, 0, MB, ram), 0);
		CHECK_INT(vfu_dma_unmap(&c, 0, 0, MB), 0);
		vfu_disconnect(&c);
	}
	if (ram >= 0)
		close(ram);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* SET_IRQS                                                                 */

static void set_irqs_sequences(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	int idle = vfu_server_idle_fds(&s);
	int base = open_session(&s, &c);
	int ev[17];
	for (int i = 0; i < 17; i++)
		ev[i] = vfu_eventfd();
	if (base >= 0) {
		/* ERR: assign, re-assign (a new fd copy), de-assign. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1, &ev[0], 1), 0);
		CHECK_LAST_SIZE(&c, 16);
		CHECK_EQ(c.last.flags, VU_F_TYPE_REPLY);
		int one = vfu_server_fd_count(&s);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1, &ev[0], 1), 0);
		CHECK_INT(vfu_server_wait_fds(&s, one, 2000), one);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1, NULL, 0), 0);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		/* REQ works the same. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_REQ, 0, 1, &ev[1], 1), 0);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_REQ, 0, 0, NULL, 0), 0);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		/* INTx and MSI have no vectors; disabling them is fine. */
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_INTX, 0, 0, NULL, 0), 0);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_MSI, 0, 0, NULL, 0), 0);

		/* MSI-X enable (no vector), vector 0, a later vector. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, NULL, 0), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, &ev[0], 1), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 5, 1, &ev[1], 1), 0);
		/* The last vector. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX,
				       FBNIC_T_VECTORS - 1, 1, &ev[2], 1),
			  0);
		/* 16 vectors in one message (max_msg_fds). */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 16, 16, &ev[1], 16),
			  0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 114, 16, &ev[0], 16),
			  0);
		/* De-assign a chunk ("-1" entries), then the whole index. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 16, 16, NULL, 0), 0);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_MSIX, 0, 0, NULL, 0), 0);
		CHECK_LAST_SIZE(&c, 16);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		/* Re-enable after disable. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 2, &ev[3], 2), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, &ev[3], 1), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1, &ev[4], 1), 0);
		/* Disconnecting drops them all. */
		vfu_disconnect(&c);
		CHECK_INT(vfu_server_wait_fds(&s, idle, 3000), idle);
	}
	for (int i = 0; i < 17; i++)
		close(ev[i]);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

static void set_irqs_errors(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	int base = open_session(&s, &c);
	int ev[20];
	for (int i = 0; i < 20; i++)
		ev[i] = vfu_eventfd();
	if (base >= 0) {
		/* Bad index, start, count. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, 5, 0, 1, &ev[0], 1), EINVAL);
		CHECK_LAST_SIZE(&c, 16);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, 5, 0, 0, NULL, 0), EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, FBNIC_T_VECTORS,
				       1, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX,
				       FBNIC_T_VECTORS - 1, 2, &ev[0], 2),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0xffffffff, 2,
				       &ev[0], 2),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, FBNIC_T_VECTORS,
				       1, NULL, 0),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 2, &ev[0], 2),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 1, 1, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_INTX, 0, 1, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSI, 0, 1, &ev[0], 1),
			  EINVAL);
		/* fd count != count. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 2, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, &ev[0], 2),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 3, &ev[0], 2),
			  EINVAL);
		/* fds where none belong. */
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_MSIX, 0, 0, &ev[0], 1),
			  EINVAL);
		/* DATA_BOOL, several data types, no action, several actions. */
		CHECK_INT(vfu_set_irqs(&c, VU_IRQ_DATA_BOOL | VU_IRQ_ACTION_TRIGGER,
				       VU_IRQ_MSIX, 0, 1, NULL, 0),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, VU_IRQ_DATA_BOOL | VU_IRQ_ACTION_TRIGGER,
				       VU_IRQ_MSIX, 0, 1, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, VU_IRQ_DATA_EVENTFD | VU_IRQ_DATA_NONE |
						   VU_IRQ_ACTION_TRIGGER,
				       VU_IRQ_MSIX, 0, 1, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, VU_IRQ_DATA_EVENTFD, VU_IRQ_MSIX, 0, 1,
				       &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, VU_IRQ_DATA_EVENTFD | VU_IRQ_ACTION_MASK |
						   VU_IRQ_ACTION_TRIGGER,
				       VU_IRQ_MSIX, 0, 1, &ev[0], 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, 0x40 | EVT_TRIG, VU_IRQ_MSIX, 0, 1,
				       &ev[0], 1),
			  EINVAL);
		/* Payload/argsz disagreements. */
		struct {
			struct vu_irq_set is;
			uint32_t extra[2];
		} p = { { 20, EVT_TRIG, VU_IRQ_MSIX, 0, 1 }, { 0, 0 } };
		CHECK_INT(vfu_call(&c, VU_CMD_DEVICE_SET_IRQS, &p, 16, &ev[0], 1,
				   36, NULL),
			  EINVAL);
		p.is.argsz = 24;
		CHECK_INT(vfu_call(&c, VU_CMD_DEVICE_SET_IRQS, &p, 20, &ev[0], 1,
				   36, NULL),
			  EINVAL);
		p.is.argsz = 16;
		CHECK_INT(vfu_call(&c, VU_CMD_DEVICE_SET_IRQS, &p, 20, &ev[0], 1,
				   36, NULL),
			  EINVAL);
		/* A non-eventfd fd is refused too (a memfd). */
		int mfd = vfu_memfd(4096);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, &mfd, 1),
			  EINVAL);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_MSIX, 0, 0, NULL, 0), 0);
		close(mfd);
		/* Every refused fd was closed by the server. */
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		/* A good one still works. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, &ev[0], 1), 0);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_MSIX, 0, 0, NULL, 0), 0);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		vfu_disconnect(&c);
	}
	for (int i = 0; i < 20; i++)
		close(ev[i]);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

/* ------------------------------------------------------------------------ */
/* DEVICE_RESET                                                             */

static void device_reset(void)
{
	struct vfu_server s;
	if (!START_SERVER(&s, NULL))
		return;
	struct vfu_client c;
	int base = open_session(&s, &c);
	int ram = vfu_memfd(RAM), ev = vfu_eventfd();
	if (base >= 0 && ram >= 0) {
		static uint8_t power_on[FBNIC_T_CFG_SIZE], now[FBNIC_T_CFG_SIZE];
		CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0, sizeof(power_on),
					  power_on),
			  0);
		CHECK_INT(vfu_dma_map(&c, RW, 0, 0, RAM, ram), 0);
		CHECK_INT(vfu_dma_map(&c, VU_DMA_READ, 0, 0xfffc0000, 0x40000, -1), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1, &ev, 1), 0);
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_MSIX, 0, 1, &ev, 1), 0);
		/* Change everything a guest changes. */
		CFG_WR(&c, 0x04, 2, 0x0406);
		CFG_WR(&c, 0x10, 4, 0xfe000000);
		CFG_WR(&c, 0x18, 4, 0xfe200000);
		CFG_WR(&c, 0x20, 4, 0xfe220000);
		CFG_WR(&c, 0x3c, 1, 0x0b);
		CFG_WR(&c, FBNIC_T_PM_CAP + 4, 2, 0x0003);
		CFG_WR(&c, FBNIC_T_PM_CAP + 4, 2, 0x0000);
		CFG_WR(&c, FBNIC_T_MSIX_CAP + 3, 1, 0xc0);
		CFG_WR(&c, FBNIC_T_PCIE_CAP + 8, 2, 0x2810);
		CHECK_EQ(CFG_RD(&c, 0x04, 2), 0x0406);
		CHECK_EQ(CFG_RD(&c, 0x10, 4), 0xfe000004);

		CHECK_INT(vfu_reset(&c), 0);
		CHECK_LAST_SIZE(&c, 16);
		CHECK_EQ(c.last.flags, VU_F_TYPE_REPLY);
		memset(now, 0xee, sizeof(now));
		CHECK_INT(vfu_region_read(&c, VU_PCI_CONFIG, 0, sizeof(now), now), 0);
		CHECK_EQ(now[4] | now[5] << 8, 0);
		for (uint32_t off = 0; off < FBNIC_T_CFG_SIZE; off++)
			if (power_on[off] != now[off])
				test_fail(__FILE__, __LINE__,
					  "after reset config byte 0x%x = 0x%02x, power-on 0x%02x",
					  off, now[off], power_on[off]);
		/* Reset twice in a row is fine. */
		CHECK_INT(vfu_reset(&c), 0);
		/* The DMA maps survived: their exact unmap succeeds. */
		CHECK_INT(vfu_dma_unmap(&c, 0, 0, RAM), 0);
		CHECK_INT(vfu_dma_unmap(&c, 0, 0xfffc0000, 0x40000), 0);
		/* QEMU re-sends the eventfds after reset. */
		CHECK_INT(vfu_set_irqs(&c, EVT_TRIG, VU_IRQ_ERR, 0, 1, &ev, 1), 0);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_ERR, 0, 0, NULL, 0), 0);
		CHECK_INT(vfu_set_irqs(&c, NONE_TRIG, VU_IRQ_MSIX, 0, 0, NULL, 0), 0);
		CHECK_INT(vfu_server_wait_fds(&s, base, 2000), base);
		vfu_disconnect(&c);
	}
	if (ram >= 0)
		close(ram);
	if (ev >= 0)
		close(ev);
	CHECK_SERVER_WORKS(&s);
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol_dma_irq",
	  TEST_CASE(dma_map_variants),
	  TEST_CASE(dma_map_errors),
	  TEST_CASE(dma_unmap_all),
	  TEST_CASE(dma_argsz_mismatch),
	  TEST_CASE(set_irqs_sequences),
	  TEST_CASE(set_irqs_errors),
	  TEST_CASE(device_reset))
