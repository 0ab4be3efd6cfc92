/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DMA map table: guest-physical ranges the client (QEMU) mapped with
 * DMA_MAP, sorted by iova, and the host mappings of their files.
 *
 * QEMU sends the same memfd many times, each time as a new fd number, for
 * many sub-ranges (hw/vfio-user/container.c).  We map each file once, whole,
 * keyed by (st_dev, st_ino), and refcount it; every table entry points into
 * that mapping.  Entries without an fd (BIOS, ROMs, anonymous RAM) are kept
 * for bounds checking; reaching them needs DMA_READ/WRITE messages.
 *
 * Thread-safety: map/unmap run on the protocol thread, accesses on device
 * threads.  An rwlock orders them: vu_dma_rw() holds it shared for the whole
 * copy, so an unmap (exclusive) waits for in-flight accesses before it
 * munmaps (the spec's "release every reference before replying").
 */
#ifndef FBNIC_EMU_VU_DMA_H
#define FBNIC_EMU_VU_DMA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vu_dma_file; /* one host mapping of one file, refcounted */

struct vu_dma_entry {
	uint64_t iova;
	uint64_t size;
	uint32_t prot; /* VU_DMA_READ | VU_DMA_WRITE */
	struct vu_dma_file *file; /* NULL: no fd, message DMA only */
	uint64_t file_offset;
};

struct vu_dma_table {
	pthread_rwlock_t lock;
	struct vu_dma_entry *entries; /* sorted by iova, non-overlapping */
	size_t count, cap;
	size_t max_entries;
	struct vu_dma_file *files; /* singly linked */
};

void vu_dma_init(struct vu_dma_table *t, size_t max_entries);
void vu_dma_fini(struct vu_dma_table *t); /* unmaps everything */

/* Add a map.  fd < 0: no fd.  The table takes ownership of fd in every
 * case (closed after mapping, or on error).  Returns 0 or -errno:
 * -EINVAL (size 0, overflow, bad prot, offset/size beyond the file, mmap
 * failure), -EEXIST (overlap), -ENOSPC (too many maps). */
int vu_dma_map(struct vu_dma_table *t, uint64_t iova, uint64_t size,
	       uint32_t prot, int fd, uint64_t offset);
/* Remove the map that is exactly (iova, size): 0 or -ENOENT. */
int vu_dma_unmap(struct vu_dma_table *t, uint64_t iova, uint64_t size);
void vu_dma_unmap_all(struct vu_dma_table *t);

/* Result of an access, beyond plain success. */
enum {
	VU_DMA_NEEDS_MESSAGE = 1, /* part of the range has no fd */
};

/* Copy between guest memory and buf, split across entries.  Returns 0,
 * VU_DMA_NEEDS_MESSAGE (nothing copied: some part of the range lies in a
 * map without fd; use DMA_READ/WRITE messages), -EFAULT (a byte outside
 * any map, or inside one whose file the client has since shrunk: the copy
 * stops there) or -EACCES (prot forbids the access).  Checks the whole
 * range against the maps before copying anything, so a refused access has
 * no partial effect (a shrunk file's may). */
int vu_dma_rw(struct vu_dma_table *t, uint64_t gpa, void *buf, size_t len,
	      bool is_write);

/* Number of host files currently mapped (for tests and state dumps). */
size_t vu_dma_file_count(struct vu_dma_table *t);

#endif
