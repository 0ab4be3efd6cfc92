/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A client that shrinks the memory file it mapped (DMA_MAP with an fd,
 * then ftruncate): the server checked the size at DMA_MAP, and the next
 * device DMA into the range touches pages past the file's end.  The access
 * must fail (counted, logged), not kill the server with SIGBUS.  The
 * firmware mailbox makes the device DMA: a host->FW descriptor pointing
 * into the map.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev/csr.h"
#include "fw/tlv.h"
#include "test.h"
#include "vfu_client.h"

#define RAM (1u << 20)
#define IOVA 0x100000ull
#define AR_CFG_BYTE (FBNIC_PUL_OB_TLP_HDR_AR_CFG * 4)
#define TX_DESC0_BYTE (FBNIC_IPC_MBX(FBNIC_IPC_MBX_TX_IDX, 0) * 4) /* BAR4 */

static int wr32(struct vfu_client *c, uint32_t bar, uint64_t off, uint32_t v)
{
	return vfu_region_write(c, bar, off, 4, &v);
}

/* A 64-byte host message at guest offset off on TX descriptor d (of an id
 * the firmware does not know: completed without error). */
static void post(struct vfu_client *c, uint8_t *ram, unsigned d, uint32_t off)
{
	struct tlv_builder b;
	static const uint8_t pad[56];
	if (ram) {
		tlv_msg_init(&b, ram + off, 64, 0x7f);
		tlv_put_value(&b, 1, pad, sizeof(pad));
		CHECK_INT(tlv_msg_finish(&b), 64);
	}
	uint64_t addr = IOVA + off;
	uint32_t hi = 64u << 16 | 1u << 14 | (uint32_t)(addr >> 32);
	CHECK_INT(wr32(c, 4, TX_DESC0_BYTE + 8 * (d + 1), 0), 0);
	CHECK_INT(wr32(c, 4, TX_DESC0_BYTE + 8 * d + 4, hi), 0);
	CHECK_INT(wr32(c, 4, TX_DESC0_BYTE + 8 * d, (uint32_t)addr | 1), 0);
}

/* The descriptor's low bits once the firmware is done with it (or what
 * they are after 2 s). */
static uint64_t wait_done(struct vfu_client *c, unsigned d)
{
	uint64_t v = 0;
	for (int i = 0; i < 200; i++) {
		v = BAR_RD(c, 4, TX_DESC0_BYTE + 8 * d, 4);
		if ((v & 3) == 3)
			break;
		usleep(10000);
	}
	return v;
}

static void shrunk_file(void)
{
	struct vfu_server s;
	struct vfu_client c;
	if (!OPEN_SESSION(&s, &c, NULL))
		return;
	int fd = vfu_memfd(RAM);
	REQUIRE(fd >= 0);
	uint8_t *ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(ram != MAP_FAILED);
	CHECK_INT(vfu_dma_map(&c, VU_DMA_READ | VU_DMA_WRITE, 0, IOVA, RAM, fd), 0);
	CFG_WR(&c, 0x04, 2, 0x0006); /* memory space + bus master */
	CHECK_INT(wr32(&c, 0, AR_CFG_BYTE, FBNIC_PUL_OB_TLP_HDR_CFG_BME), 0);

	/* Before: the message is read from the file and completed. */
	post(&c, ram, 0, RAM / 2);
	CHECK_EQ(wait_done(&c, 0) & 7, 3); /* HOST_CMPL | FW_CMPL */

	/* The client cuts the file to one page: the second message lies past
	 * its end.  The server refuses the read and keeps serving. */
	post(&c, ram, 1, RAM / 2 + 4096);
	munmap(ram, RAM);
	REQUIRE(ftruncate(fd, 4096) == 0);
	/* completed with FW_ERR: the read failed */
	CHECK_EQ(wait_done(&c, 1) & 7, 7);
	CHECK(vfu_server_alive(&s));
	char *log = vfu_server_log(&s, 0);
	CHECK(log && strstr(log, "gone from its file"));
	free(log);

	/* What is left of the file still works. */
	CHECK_INT(vfu_dma_unmap(&c, 0, IOVA, RAM), 0);
	CHECK_INT(vfu_dma_map(&c, VU_DMA_READ | VU_DMA_WRITE, 0, IOVA, 4096, fd), 0);
	ram = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(ram != MAP_FAILED);
	post(&c, ram, 2, 0);
	CHECK_EQ(wait_done(&c, 2) & 7, 3);
	munmap(ram, 4096);
	close(fd);
	vfu_disconnect(&c);
	CHECK_INT(vfu_server_stop(&s), 0);
}

TEST_MAIN("protocol_dma_shrink", TEST_CASE(shrunk_file))
