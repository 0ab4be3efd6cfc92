/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-process adapter for the fbnic core: the second adapter beside the
 * vfio-user runner.  Deterministic: guest memory is a heap buffer, time is
 * a counter the test advances, deferred work runs when the test says so,
 * interrupts and transmitted frames are recorded.
 */
#ifndef FBNIC_EMU_TEST_HARNESS_H
#define FBNIC_EMU_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/fbnic.h"

#define H_MEM_BASE 0x100000ull        /* guest-physical base of h->mem */
#define H_MEM_SIZE (16u * 1024 * 1024) /* 16 MiB of guest RAM */
#define H_MAX_VECTORS 258u
#define H_MAX_FRAMES 64u

struct harness {
	struct fbnic *dev;
	uint8_t *mem;
	uint64_t now;
	uint64_t deadline;
	uint64_t next_alloc;
	bool kicked;
	unsigned msix[H_MAX_VECTORS]; /* MSI-X messages per vector */
	unsigned dma_faults;
	unsigned nframes;
	size_t frame_len[H_MAX_FRAMES];
	uint8_t *frames[H_MAX_FRAMES];
	unsigned resumes; /* host->port_resume calls */
	/* Frames port_send takes before it answers -EAGAIN (no room now, a
	 * backend's full send queue); -1: no limit (as created). */
	int tx_room;
	unsigned tx_refused; /* port_send calls answered -EAGAIN */
	/* Called once (then cleared) at the start of the next DMA access: what
	 * the host can do while the runner drops the device lock for a DMA
	 * round trip (register writes, a reset). */
	void (*dma_hook)(struct harness *h, void *arg);
	void *dma_hook_arg;
	/* Set: port_send hands each frame to it (a cable to another device,
	 * say) instead of recording it; its answer is port_send's. */
	int (*send_hook)(struct harness *h, const void *frame, size_t len);
	uint64_t last_send_at; /* port_send's at for the last frame offered */
	void *send_hook_arg;
	/* The backend takes GSO packets (port_send_gso), as a tap does: each
	 * recorded as one frame with its request in gso[]; false (as
	 * created): -EOPNOTSUPP, the device segments. */
	bool gso_ok;
	struct fbnic_gso gso[H_MAX_FRAMES];
	bool is_gso[H_MAX_FRAMES];
	/* Mapped mode (h_create with FBNIC_HARNESS_BAR0_MMAP=1 in the
	 * environment): BAR0's mapped pages are this shared image; h_rd32
	 * and h_wr32 load and store there as a guest does, and the device
	 * looks (fbnic_poll) after each store and before each h_run. */
	uint32_t *bar0;
};

/* A device with the default config (DSN 0x02fb00fffe000001, 130 vectors)
 * or the given one, PCI memory and bus mastering enabled. */
struct harness *h_create(const struct fbnic_config *cfg);
void h_destroy(struct harness *h);
/* PCI COMMAND: memory space and bus mastering on (as after h_create). */
void h_enable_bus_master(struct harness *h);

/* A register access as the driver's readl/writel: trapped (through
 * fbnic_bar_read/write), or a plain load or store on a mapped page. */
uint32_t h_rd32(struct harness *h, int bar, uint32_t idx);
void h_wr32(struct harness *h, int bar, uint32_t idx, uint32_t val);
/* Run deferred work until the device stops asking for it.  A device that
 * keeps asking (1000 rounds) fails the running test: it would spin the
 * runner's device thread forever. */
void h_run(struct harness *h);
/* The backend has room again for `frames` frames (-1: no limit): tell
 * the device (fbnic_port_tx_room) and run the work it asks for. */
void h_tx_room(struct harness *h, int frames);
/* Forget the frames the device sent so far (h->frames). */
void h_frames_clear(struct harness *h);
/* Advance time by ns, firing timers (and running work) on the way. */
void h_advance(struct harness *h, uint64_t ns);

/* Test-only views of device state, instead of the core's internals: a
 * "key value" of the device's dump (fbnic_dump), -1 if absent. */
long long h_dump_value(struct harness *h, const char *key);
/* Move a ring's hardware pointers (enum fbnic_ring_idx, dev/queue.h) as the
 * data path would. */
void h_set_ring_ptrs(struct harness *h, unsigned q, unsigned ring,
		     uint16_t head, uint16_t tail);

/* Guest memory helpers: gpa in [H_MEM_BASE, H_MEM_BASE + H_MEM_SIZE). */
void *h_gpa(struct harness *h, uint64_t gpa);
uint64_t h_alloc(struct harness *h, size_t len); /* bump allocator, 4K aligned */

#endif
