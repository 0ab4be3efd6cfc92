/* SPDX-License-Identifier: Apache-2.0 */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include "test.h"

static int hm_dma(struct harness *h, uint64_t gpa, size_t len, uint8_t **p)
{
	if (h->dma_hook) {
		void (*fn)(struct harness *, void *) = h->dma_hook;
		h->dma_hook = NULL;
		fn(h, h->dma_hook_arg);
	}
	if (gpa < H_MEM_BASE || len > H_MEM_SIZE ||
	    gpa - H_MEM_BASE > H_MEM_SIZE - len) {
		h->dma_faults++;
		return -EFAULT;
	}
	*p = h->mem + (gpa - H_MEM_BASE);
	return 0;
}

static int h_dma_read(void *o, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *p;
	int r = hm_dma(o, gpa, len, &p);
	if (!r)
		memcpy(buf, p, len);
	return r;
}

static int h_dma_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *p;
	int r = hm_dma(o, gpa, len, &p);
	if (!r)
		memcpy(p, buf, len);
	return r;
}

static void h_msix(void *o, unsigned v)
{
	struct harness *h = o;
	if (v < H_MAX_VECTORS)
		h->msix[v]++;
}

static void h_kick(void *o)
{
	((struct harness *)o)->kicked = true;
}

static uint64_t h_now(void *o)
{
	return ((struct harness *)o)->now;
}

static void h_timer(void *o, uint64_t deadline)
{
	((struct harness *)o)->deadline = deadline;
}

static int h_send(void *o, const void *frame, size_t len, uint64_t at)
{
	struct harness *h = o;
	h->last_send_at = at;
	if (h->tx_room == 0) {
		h->tx_refused++;
		return -EAGAIN;
	}
	if (h->send_hook)
		return h->send_hook(h, frame, len);
	if (h->nframes == H_MAX_FRAMES)
		return -ENOBUFS;
	h->frames[h->nframes] = malloc(len ? len : 1);
	if (!h->frames[h->nframes])
		return -ENOMEM;
	memcpy(h->frames[h->nframes], frame, len);
	h->is_gso[h->nframes] = false;
	h->frame_len[h->nframes++] = len;
	if (h->tx_room > 0)
		h->tx_room--;
	return 0;
}

static int h_send_gso(void *o, const void *frame, size_t len,
		      const struct fbnic_gso *g)
{
	struct harness *h = o;
	if (!h->gso_ok)
		return -EOPNOTSUPP;
	unsigned i = h->nframes;
	int r = h_send(o, frame, len, 0);
	if (r == 0 && i < H_MAX_FRAMES) {
		h->gso[i] = *g;
		h->is_gso[i] = true;
	}
	return r;
}

static void h_resume(void *o)
{
	((struct harness *)o)->resumes++;
}

struct harness *h_create(const struct fbnic_config *cfg)
{
	struct harness *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->mem = calloc(1, H_MEM_SIZE);
	if (!h->mem) {
		free(h);
		return NULL;
	}
	h->now = 1000000000ull; /* 1 s: uptime counters start non-zero */
	h->deadline = UINT64_MAX;
	h->next_alloc = H_MEM_BASE;
	h->tx_room = -1;
	struct fbnic_config def = { .dsn = 0x02fb00fffe000001ull,
				    .msix_vectors = FBNIC_MSIX_VECTORS_DEFAULT };
	struct fbnic_host host = { .opaque = h,
				   .dma_read = h_dma_read,
				   .dma_write = h_dma_write,
				   .msix_raise = h_msix,
				   .kick = h_kick,
				   .now_ns = h_now,
				   .timer_arm = h_timer,
				   .port_send = h_send,
				   .port_send_gso = h_send_gso,
				   .port_resume = h_resume };
	h->dev = fbnic_create(cfg ? cfg : &def, &host);
	if (!h->dev) {
		h_destroy(h);
		return NULL;
	}
	const char *mm = getenv("FBNIC_HARNESS_BAR0_MMAP");
	if (mm && !strcmp(mm, "1")) {
		h->bar0 = calloc(1, fbnic_layout(h->dev)->bar_size[0]);
		if (!h->bar0 || fbnic_bar0_share(h->dev, h->bar0)) {
			h_destroy(h);
			return NULL;
		}
	}
	h_enable_bus_master(h);
	return h;
}

/* BAR0 dword idx is on a page the client maps (the device's own test). */
static bool h_mapped(struct harness *h, int bar, uint32_t idx)
{
	return bar == 0 && fbnic_shadow_mapped(h->dev, idx);
}

void h_enable_bus_master(struct harness *h)
{
	uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	fbnic_cfg_write(h->dev, PCI_COMMAND, &cmd, sizeof(cmd));
}

void h_frames_clear(struct harness *h)
{
	for (unsigned i = 0; i < h->nframes; i++)
		free(h->frames[i]);
	h->nframes = 0;
}

void h_destroy(struct harness *h)
{
	if (!h)
		return;
	fbnic_destroy(h->dev);
	free(h->bar0);
	h_frames_clear(h);
	free(h->mem);
	free(h);
}

uint32_t h_rd32(struct harness *h, int bar, uint32_t idx)
{
	if (h_mapped(h, bar, idx)) {
		fbnic_poll(h->dev); /* pointers and counters published */
		return __atomic_load_n(&h->bar0[idx], __ATOMIC_ACQUIRE);
	}
	uint64_t v = 0;
	fbnic_bar_read(h->dev, bar, (uint64_t)idx * 4, 4, &v);
	return (uint32_t)v;
}

void h_wr32(struct harness *h, int bar, uint32_t idx, uint32_t val)
{
	if (h_mapped(h, bar, idx)) {
		__atomic_store_n(&h->bar0[idx], val, __ATOMIC_RELEASE);
		fbnic_poll(h->dev); /* a device that polls at once */
		return;
	}
	fbnic_bar_write(h->dev, bar, (uint64_t)idx * 4, 4, val);
}

void h_run(struct harness *h)
{
	if (h->bar0 && fbnic_poll(h->dev))
		h->kicked = true;
	for (int i = 0; h->kicked; i++) {
		if (i == 1000) {
			test_fail(__FILE__, __LINE__, "the device kept asking "
				  "for work after 1000 rounds");
			h->kicked = false;
			return;
		}
		h->kicked = false;
		fbnic_work(h->dev);
	}
}

void h_tx_room(struct harness *h, int frames)
{
	h->tx_room = frames;
	fbnic_port_tx_room(h->dev);
	h_run(h);
}

long long h_dump_value(struct harness *h, const char *key)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f)
		return -1;
	fbnic_dump(h->dev, f);
	fclose(f);
	long long v = -1;
	size_t kl = strlen(key);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			v = strtoll(line + kl + 1, NULL, 0);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return v;
}

void h_set_ring_ptrs(struct harness *h, unsigned q, unsigned ring,
		     uint16_t head, uint16_t tail)
{
	if (q < FBNIC_MAX_QUEUES && ring < FBNIC_RINGS_PER_QUEUE) {
		struct fbnic_ring *r = &h->dev->queues.q[q].ring[ring];
		r->head = head;
		r->tail = tail;
		r->pf_n = 0; /* what was read ahead was for the old head */
	}
}

void h_advance(struct harness *h, uint64_t ns)
{
	uint64_t end = h->now + ns;
	h_run(h);
	while (h->deadline <= end) {
		h->now = h->deadline > h->now ? h->deadline : h->now;
		h->deadline = UINT64_MAX;
		fbnic_timer(h->dev);
		h_run(h);
	}
	h->now = end;
}

void *h_gpa(struct harness *h, uint64_t gpa)
{
	return h->mem + (gpa - H_MEM_BASE);
}

uint64_t h_alloc(struct harness *h, size_t len)
{
	uint64_t a = h->next_alloc;
	h->next_alloc += (len + 4095) & ~(size_t)4095;
	return a;
}
