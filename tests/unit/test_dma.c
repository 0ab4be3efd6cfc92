/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the DMA map table (src/vfio-user/vu_dma.c). */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"
#include "vfio-user/vfio_user.h"
#include "vfio-user/vu_dma.h"

#define RW (VU_DMA_READ | VU_DMA_WRITE)

static int memfd(size_t size)
{
	int fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_map_read_write(void)
{
	struct vu_dma_table t;
	vu_dma_init(&t, 16);
	int fd = memfd(1 << 20);
	REQUIRE(fd >= 0);
	uint8_t *view = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(view != MAP_FAILED);
	/* iova 0x10000 maps file offset 0x1000 */
	CHECK_INT(vu_dma_map(&t, 0x10000, 0x8000, RW, dup(fd), 0x1000), 0);
	uint32_t v = 0x11223344;
	CHECK_INT(vu_dma_rw(&t, 0x10010, &v, 4, true), 0);
	CHECK_EQ(*(uint32_t *)(view + 0x1010), 0x11223344);
	view[0x1020] = 0xab;
	uint8_t b = 0;
	CHECK_INT(vu_dma_rw(&t, 0x10020, &b, 1, false), 0);
	CHECK_EQ(b, 0xab);
	/* one byte past the map, and a range straddling its end */
	CHECK_INT(vu_dma_rw(&t, 0x18000, &b, 1, false), -EFAULT);
	CHECK_INT(vu_dma_rw(&t, 0x17fff, &v, 4, false), -EFAULT);
	CHECK_INT(vu_dma_rw(&t, 0xffff, &b, 1, false), -EFAULT);
	munmap(view, 1 << 20);
	close(fd);
	vu_dma_fini(&t);
}

static void test_split_across_maps(void)
{
	struct vu_dma_table t;
	vu_dma_init(&t, 16);
	int fd = memfd(1 << 20);
	REQUIRE(fd >= 0);
	uint8_t *view = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(view != MAP_FAILED);
	/* Two adjacent maps of the same memfd at unrelated file offsets, as
	 * QEMU sends around holes: a buffer crossing them is split. */
	CHECK_INT(vu_dma_map(&t, 0x2000, 0x1000, RW, dup(fd), 0x5000), 0);
	CHECK_INT(vu_dma_map(&t, 0x3000, 0x1000, RW, dup(fd), 0x9000), 0);
	CHECK_EQ(vu_dma_file_count(&t), 1); /* one mapping per file */
	uint8_t buf[32];
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	CHECK_INT(vu_dma_rw(&t, 0x2ff0, buf, 32, true), 0);
	CHECK_MEM(view + 0x5ff0, buf, 16);
	CHECK_MEM(view + 0x9000, buf + 16, 16);
	uint8_t back[32] = { 0 };
	CHECK_INT(vu_dma_rw(&t, 0x2ff0, back, 32, false), 0);
	CHECK_MEM(back, buf, 32);
	/* a gap between maps faults, and has no partial effect */
	CHECK_INT(vu_dma_map(&t, 0x5000, 0x1000, RW, dup(fd), 0), 0);
	memset(view + 0xa000 - 16, 0, 16);
	CHECK_INT(vu_dma_rw(&t, 0x3ff0, buf, 32, true), -EFAULT);
	uint8_t zero[16] = { 0 };
	CHECK_MEM(view + 0xa000 - 16, zero, 16);
	munmap(view, 1 << 20);
	close(fd);
	vu_dma_fini(&t);
}

static void test_permissions_and_nofd(void)
{
	struct vu_dma_table t;
	vu_dma_init(&t, 16);
	int fd = memfd(1 << 16);
	REQUIRE(fd >= 0);
	CHECK_INT(vu_dma_map(&t, 0x0, 0x1000, VU_DMA_READ, dup(fd), 0), 0);
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, -1, 0), 0); /* no fd */
	uint8_t b = 1;
	CHECK_INT(vu_dma_rw(&t, 0x10, &b, 1, false), 0);
	CHECK_INT(vu_dma_rw(&t, 0x10, &b, 1, true), -EACCES);
	CHECK_INT(vu_dma_rw(&t, 0x1010, &b, 1, false), VU_DMA_NEEDS_MESSAGE);
	/* a range over fd and no-fd parts needs messages as a whole */
	uint8_t buf[32];
	CHECK_INT(vu_dma_rw(&t, 0xff0, buf, 32, false), VU_DMA_NEEDS_MESSAGE);
	close(fd);
	vu_dma_fini(&t);
}

static void test_map_errors(void)
{
	struct vu_dma_table t;
	vu_dma_init(&t, 3);
	int fd = memfd(1 << 16);
	REQUIRE(fd >= 0);
	CHECK_INT(vu_dma_map(&t, 0x1000, 0, RW, -1, 0), -EINVAL);       /* size 0 */
	CHECK_INT(vu_dma_map(&t, UINT64_MAX - 10, 0x100, RW, -1, 0), -EINVAL);
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, 0, -1, 0), -EINVAL);   /* no prot */
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, 0x8, -1, 0), -EINVAL); /* bad prot */
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, -1, 0x10), -EINVAL);
	/* beyond the file, and an offset overflow */
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x20000, RW, dup(fd), 0), -EINVAL);
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, dup(fd), UINT64_MAX - 8), -EINVAL);
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, dup(fd), 0), 0);
	/* overlaps: same, inside, straddling both ends */
	CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, -1, 0), -EEXIST);
	CHECK_INT(vu_dma_map(&t, 0x1800, 0x10, RW, -1, 0), -EEXIST);
	CHECK_INT(vu_dma_map(&t, 0x800, 0x1000, RW, -1, 0), -EEXIST);
	CHECK_INT(vu_dma_map(&t, 0x1fff, 0x10, RW, -1, 0), -EEXIST);
	CHECK_INT(vu_dma_map(&t, 0x2000, 0x10, RW, -1, 0), 0);  /* adjacent ok */
	CHECK_INT(vu_dma_map(&t, 0x0, 0x1000, RW, -1, 0), 0);
	CHECK_INT(vu_dma_map(&t, 0x9000, 0x10, RW, -1, 0), -ENOSPC);
	/* unmap needs the exact range */
	CHECK_INT(vu_dma_unmap(&t, 0x1000, 0x800), -ENOENT);
	CHECK_INT(vu_dma_unmap(&t, 0x1800, 0x800), -ENOENT);
	CHECK_INT(vu_dma_unmap(&t, 0x1000, 0x1000), 0);
	CHECK_INT(vu_dma_unmap(&t, 0x1000, 0x1000), -ENOENT);
	CHECK_EQ(vu_dma_file_count(&t), 0); /* last user gone: unmapped */
	close(fd);
	vu_dma_fini(&t);
}

/* The table closes every fd it is given, on success and on error. */
static void test_no_fd_leak(void)
{
	struct vu_dma_table t;
	vu_dma_init(&t, 4);
	int fd = memfd(1 << 16);
	REQUIRE(fd >= 0);
	int probe = dup(fd);
	close(probe); /* the next fd number handed out */
	for (int i = 0; i < 100; i++) {
		CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, dup(fd), 0), 0);
		CHECK_INT(vu_dma_map(&t, 0x1000, 0x1000, RW, dup(fd), 0), -EEXIST);
		CHECK_INT(vu_dma_map(&t, 0x4000, 0x100000, RW, dup(fd), 0), -EINVAL);
		CHECK_INT(vu_dma_unmap(&t, 0x1000, 0x1000), 0);
	}
	int again = dup(fd);
	CHECK_INT(again, probe); /* nothing left open */
	close(again);
	close(fd);
	vu_dma_fini(&t);
}

static void test_unmap_all_and_top_of_space(void)
{
	struct vu_dma_table t;
	vu_dma_init(&t, 8);
	int fd = memfd(1 << 16);
	REQUIRE(fd >= 0);
	/* a map ending exactly at the top of the 64-bit space */
	CHECK_INT(vu_dma_map(&t, UINT64_MAX - 0xfff, 0x1000, RW, dup(fd), 0), 0);
	uint8_t b = 7;
	CHECK_INT(vu_dma_rw(&t, UINT64_MAX, &b, 1, true), 0);
	CHECK_INT(vu_dma_rw(&t, UINT64_MAX, &b, 2, true), -EFAULT);
	CHECK_INT(vu_dma_map(&t, 0, 0x1000, RW, dup(fd), 0), 0);
	vu_dma_unmap_all(&t);
	CHECK_INT(vu_dma_rw(&t, 0, &b, 1, false), -EFAULT);
	CHECK_EQ(vu_dma_file_count(&t), 0);
	close(fd);
	vu_dma_fini(&t);
}

TEST_MAIN("unit-dma", TEST_CASE(test_map_read_write),
	  TEST_CASE(test_split_across_maps), TEST_CASE(test_permissions_and_nofd),
	  TEST_CASE(test_map_errors), TEST_CASE(test_no_fd_leak),
	  TEST_CASE(test_unmap_all_and_top_of_space))
