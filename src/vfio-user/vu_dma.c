/* SPDX-License-Identifier: Apache-2.0 */
#include "vu_dma.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "vfio_user.h"

struct vu_dma_file {
	struct vu_dma_file *next;
	dev_t dev;
	ino_t ino;
	uint8_t *base;
	uint64_t size;
	bool writable;
	unsigned refs;
};

/* ---- copies that survive a shrunk file ---------------------------------
 *
 * A map is checked against its file's size once, at DMA_MAP; the client
 * keeps the fd and may ftruncate() it smaller later, and the next access
 * to a page past the new end raises SIGBUS.  Copies into and out of guest
 * memory run under a SIGBUS handler that jumps back to the copy, which
 * then fails with -EFAULT: the access is refused and counted, the server
 * keeps serving.  A SIGBUS anywhere else is not ours: the default action.
 * SA_NODEFER keeps SIGBUS unblocked after the jump (sigsetjmp without the
 * mask, so a copy costs no system call). */
static _Thread_local sigjmp_buf *volatile copy_jump;

static void sigbus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	sigjmp_buf *j = copy_jump;
	if (j) {
		copy_jump = NULL;
		siglongjmp(*j, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void sigbus_install(void)
{
	struct sigaction sa = { .sa_sigaction = sigbus_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		log_err("dma", "SIGBUS handler: %s (a truncated guest memory "
			"file will stop the server)", strerror(errno));
}

static int guarded_copy(void *dst, const void *src, size_t n)
{
	sigjmp_buf j;
	if (sigsetjmp(j, 0))
		return -EFAULT;
	copy_jump = &j;
	/* The handler must see the jump buffer before the copy starts and
	 * until it ends: no compiler reordering across these fences. */
	atomic_signal_fence(memory_order_seq_cst);
	memcpy(dst, src, n);
	atomic_signal_fence(memory_order_seq_cst);
	copy_jump = NULL;
	return 0;
}

void vu_dma_init(struct vu_dma_table *t, size_t max_entries)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sigbus_install);
	memset(t, 0, sizeof(*t));
	pthread_rwlock_init(&t->lock, NULL);
	t->max_entries = max_entries;
}

static void file_put(struct vu_dma_table *t, struct vu_dma_file *f)
{
	if (!f || --f->refs)
		return;
	for (struct vu_dma_file **pp = &t->files; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	munmap(f->base, f->size);
	free(f);
}

/* Find or create the whole-file mapping that covers [offset, offset+size).
 * Consumes nothing: the caller closes fd. */
static int file_get(struct vu_dma_table *t, int fd, uint64_t offset,
		    uint64_t size, bool need_write, struct vu_dma_file **out)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || offset > (uint64_t)st.st_size ||
	    size > (uint64_t)st.st_size - offset)
		return -EINVAL;
	for (struct vu_dma_file *f = t->files; f; f = f->next) {
		if (f->dev == st.st_dev && f->ino == st.st_ino &&
		    offset + size <= f->size && (f->writable || !need_write)) {
			f->refs++;
			*out = f;
			return 0;
		}
	}
	/* Map RW when the fd allows it (RAM), else RO (a ROM file): one
	 * mapping then serves both kinds of map of the same RAM. */
	bool writable = true;
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	if (p == MAP_FAILED && errno == EACCES && !need_write) {
		writable = false;
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	}
	if (p == MAP_FAILED)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	struct vu_dma_file *f = calloc(1, sizeof(*f));
	if (!f) {
		munmap(p, (size_t)st.st_size);
		return -ENOMEM;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->base = p;
	f->size = (uint64_t)st.st_size;
	f->writable = writable;
	f->refs = 1;
	f->next = t->files;
	t->files = f;
	*out = f;
	return 0;
}

/* Index of the first entry whose end is above gpa (entries are sorted and
 * disjoint, so ends are sorted too). */
static size_t lower_bound(const struct vu_dma_table *t, uint64_t gpa)
{
	size_t lo = 0, hi = t->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vu_dma_entry *e = &t->entries[mid];
		if (e->iova + (e->size - 1) < gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vu_dma_map(struct vu_dma_table *t, uint64_t iova, uint64_t size,
	       uint32_t prot, int fd, uint64_t offset)
{
	int ret = 0;
	if (size == 0 || iova + (size - 1) < iova || prot == 0 ||
	    (prot & ~(uint32_t)(VU_DMA_READ | VU_DMA_WRITE)) ||
	    (fd < 0 && offset != 0) || (fd >= 0 && offset + size < offset)) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	pthread_rwlock_wrlock(&t->lock);
	size_t pos = lower_bound(t, iova);
	if (pos < t->count && t->entries[pos].iova <= iova + (size - 1)) {
		ret = -EEXIST;
		goto out;
	}
	if (t->count >= t->max_entries) {
		ret = -ENOSPC;
		goto out;
	}
	if (t->count == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct vu_dma_entry *n = realloc(t->entries, ncap * sizeof(*n));
		if (!n) {
			ret = -ENOMEM;
			goto out;
		}
		t->entries = n;
		t->cap = ncap;
	}
	struct vu_dma_entry e = { .iova = iova, .size = size, .prot = prot };
	if (fd >= 0) {
		ret = file_get(t, fd, offset, size, prot & VU_DMA_WRITE, &e.file);
		if (ret)
			goto out;
		e.file_offset = offset;
	}
	memmove(&t->entries[pos + 1], &t->entries[pos],
		(t->count - pos) * sizeof(e));
	t->entries[pos] = e;
	t->count++;
out:
	pthread_rwlock_unlock(&t->lock);
	if (fd >= 0)
		close(fd);
	return ret;
}

int vu_dma_unmap(struct vu_dma_table *t, uint64_t iova, uint64_t size)
{
	int ret = -ENOENT;
	pthread_rwlock_wrlock(&t->lock);
	size_t pos = lower_bound(t, iova);
	if (pos < t->count && t->entries[pos].iova == iova &&
	    t->entries[pos].size == size) {
		file_put(t, t->entries[pos].file);
		memmove(&t->entries[pos], &t->entries[pos + 1],
			(t->count - pos - 1) * sizeof(t->entries[0]));
		t->count--;
		ret = 0;
	}
	pthread_rwlock_unlock(&t->lock);
	return ret;
}

void vu_dma_unmap_all(struct vu_dma_table *t)
{
	pthread_rwlock_wrlock(&t->lock);
	for (size_t i = 0; i < t->count; i++)
		file_put(t, t->entries[i].file);
	t->count = 0;
	pthread_rwlock_unlock(&t->lock);
}

void vu_dma_fini(struct vu_dma_table *t)
{
	vu_dma_unmap_all(t);
	free(t->entries);
	pthread_rwlock_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
}

int vu_dma_rw(struct vu_dma_table *t, uint64_t gpa, void *buf, size_t len,
	      bool is_write)
{
	if (len == 0)
		return 0;
	if (gpa + (len - 1) < gpa)
		return -EFAULT;
	uint32_t need = is_write ? VU_DMA_WRITE : VU_DMA_READ;
	int ret = 0;
	pthread_rwlock_rdlock(&t->lock);
	size_t first = lower_bound(t, gpa);
	/* Pass 1: the whole range is covered, permitted and fd-backed. */
	uint64_t cur = gpa, last = gpa + (len - 1);
	size_t i = first;
	for (;;) {
		if (i >= t->count || t->entries[i].iova > cur) {
			ret = -EFAULT;
			goto out;
		}
		const struct vu_dma_entry *e = &t->entries[i];
		if (!(e->prot & need)) {
			ret = -EACCES;
			goto out;
		}
		if (!e->file)
			ret = VU_DMA_NEEDS_MESSAGE; /* keep checking coverage */
		uint64_t end = e->iova + (e->size - 1);
		if (end >= last)
			break;
		cur = end + 1;
		i++;
	}
	if (ret)
		goto out;
	/* Pass 2: copy, piece by piece. */
	uint8_t *p = buf;
	cur = gpa;
	for (i = first; cur <= last && cur >= gpa; i++) {
		const struct vu_dma_entry *e = &t->entries[i];
		uint64_t off = cur - e->iova;
		uint64_t n = e->size - off;
		if (n > last - cur + 1)
			n = last - cur + 1;
		uint8_t *host = e->file->base + e->file_offset + off;
		if (is_write ? guarded_copy(host, p, n) : guarded_copy(p, host, n)) {
			log_ratelimited(LOG_WARN, "dma",
					"client error: guest memory at 0x%llx is "
					"gone from its file (truncated under its "
					"map?): access refused",
					(unsigned long long)cur);
			ret = -EFAULT;
			goto out;
		}
		p += n;
		if (cur + n == 0)
			break; /* reached the top of the address space */
		cur += n;
	}
out:
	pthread_rwlock_unlock(&t->lock);
	return ret;
}

size_t vu_dma_file_count(struct vu_dma_table *t)
{
	size_t n = 0;
	pthread_rwlock_rdlock(&t->lock);
	for (struct vu_dma_file *f = t->files; f; f = f->next)
		n++;
	pthread_rwlock_unlock(&t->lock);
	return n;
}
