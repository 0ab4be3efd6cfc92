/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the device core (src/dev, src/dp, src/fw behind the
 * mailbox) driven in-process through the test harness, as a hostile guest
 * and client could drive it.  The input is a sequence of operations:
 *   0 idx:4 val:4       BAR0 register write (idx modulo the BAR's dwords)
 *   1 idx:4             BAR0 register read
 *   2 idx:4 val:4       BAR4 (firmware mailbox) register write
 *   3                   run the device's deferred work
 *   4 us:2              advance time (timers fire)
 *   5 len:2 byte:1      a frame from the wire: the next len input bytes
 *                       (padded with byte), len modulo 9800
 *   6 off:3 len:1       guest memory at H_MEM_BASE + off: the next len
 *                       input bytes (descriptors, buffers, messages)
 *   7                   function reset
 *   8 n:1               the backend has room for n frames (255: any)
 *   9 idx:4 val:4       a BAR0 write run inside the next DMA (the runner
 *                       drops the device lock there)
 *  10                   a reset inside the next DMA
 *  11 q:1 sizes:1       bring queue q % 4 up as the driver does (hnic_up:
 *                       rings of 2^(4 + sizes%4) entries), classifier on
 *  12 len:2             transmit the next len input bytes (64 or more) on
 *                       the last queue brought up (hnic_xmit, 1..4 buffers)
 *  13                   the backend takes GSO packets, or no longer (a
 *                       tap's port_send_gso: LSO handed over whole)
 *  14 idx:4 val:4       a store to BAR0's mapped pages (idx modulo their
 *                       dwords) that the device has not looked at yet
 *  15                   the device looks at the mapped pages (fbnic_poll)
 *  16 idx:4 val:4       a trapped BAR0 write, on a mapped page too (a
 *                       client may send what it could store)
 * An input whose first byte has its top bit set runs on a device with
 * BAR0's hot pages mapped (dev/shadow.h): ops 0 and 1 on those pages are
 * stores and loads the device polls for, and a trapped access syncs
 * them first; the others on one with every register trapped (ops 14 and
 * 15 do nothing there).
 * An input costs about what its length says: ops 7, 10 and 11 work far
 * more than their few bytes, so each input gets at most OP_BUDGET of each
 * (more are skipped), and op 11 programs the classifier only on its first
 * bring-up after a reset.
 * The device is created once and reset before each input.  A crash, a
 * sanitizer report or a device that asks for work forever (the harness
 * fails the test) aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/regs.h"
#include "harness.h"
#include "hnic.h"
#include "test.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct harness *h;
static const uint8_t *in;
static size_t left;

static uint32_t take(unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n && left; i++, left--)
		v |= (uint32_t)*in++ << (8 * i);
	return v;
}

static uint32_t hook_idx, hook_val;
/* The classifier programmed since the last reset (op 11). */
static bool rpc_on;

enum { OP_BUDGET = 8 };

static void hook_write(struct harness *hh, void *arg)
{
	(void)arg;
	h_wr32(hh, 0, hook_idx, hook_val);
}

static void hook_reset(struct harness *hh, void *arg)
{
	(void)arg;
	fbnic_reset(hh->dev);
	h_enable_bus_master(hh);
	rpc_on = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[9800];
	static struct hnic n;
	bool have_q = false;
	unsigned resets = 0, dma_resets = 0, ups = 0;
	static struct harness *hs[2]; /* every register trapped; mapped */
	if (!hs[0]) {
		/* warnings only: the info lines (a PCS reset, say) would
		 * cost a write per input */
		log_threshold = LOG_WARN;
		hs[0] = h_create(NULL);
		setenv("FBNIC_HARNESS_BAR0_MMAP", "1", 1);
		hs[1] = h_create(NULL);
		unsetenv("FBNIC_HARNESS_BAR0_MMAP");
		if (!hs[0] || !hs[1])
			abort();
	}
	/* the first byte's top bit picks the device (its op is read from the
	 * same byte as usual) */
	h = hs[size && data[0] & 0x80];
	fbnic_reset(h->dev);
	h_enable_bus_master(h);
	for (unsigned i = 0; i < h->nframes; i++)
		free(h->frames[i]);
	h->nframes = 0;
	h->tx_room = -1;
	h->gso_ok = false;
	h->dma_hook = NULL;
	h->next_alloc = H_MEM_BASE;
	test_failures = 0;
	rpc_on = false;

	in = data;
	left = size;
	while (left && !test_failures) {
		uint8_t op = (uint8_t)take(1);
		switch (op % 17) {
		case 0: {
			uint32_t idx = take(4) % FBNIC_BAR0_DWORDS;
			h_wr32(h, 0, idx, take(4));
			break;
		}
		case 1:
			h_rd32(h, 0, take(4) % FBNIC_BAR0_DWORDS);
			break;
		case 2: {
			uint32_t idx = take(4) % FBNIC_BAR4_DWORDS;
			h_wr32(h, 4, idx, take(4));
			break;
		}
		case 3:
			h_run(h);
			break;
		case 4:
			h_advance(h, (uint64_t)take(2) * 1000u);
			break;
		case 5: {
			size_t len = take(2) % sizeof(frame);
			memset(frame, (int)take(1), len);
			size_t k = len < left ? len : left;
			memcpy(frame, in, k);
			in += k;
			left -= k;
			fbnic_port_rx(h->dev, frame, len);
			break;
		}
		case 6: {
			uint32_t off = take(3) % H_MEM_SIZE;
			size_t len = take(1);
			if (len > H_MEM_SIZE - off)
				len = H_MEM_SIZE - off;
			if (len > left)
				len = left;
			memcpy(h->mem + off, in, len);
			in += len;
			left -= len;
			break;
		}
		case 7:
			if (resets++ >= OP_BUDGET)
				break;
			fbnic_reset(h->dev);
			h_enable_bus_master(h);
			have_q = false;
			rpc_on = false;
			break;
		case 8: {
			uint8_t k = (uint8_t)take(1);
			h_tx_room(h, k == 255 ? -1 : k);
			break;
		}
		case 9:
			hook_idx = take(4) % FBNIC_BAR0_DWORDS;
			hook_val = take(4);
			h->dma_hook = hook_write;
			break;
		case 10:
			if (dma_resets++ < OP_BUDGET)
				h->dma_hook = hook_reset;
			break;
		case 11: {
			unsigned q = take(1) % 4, sz = 1u << (4 + take(1) % 4);
			if (ups++ >= OP_BUDGET)
				break;
			/* the harness's bump allocator: start over when full */
			if (h->next_alloc > H_MEM_BASE + H_MEM_SIZE / 2)
				h->next_alloc = H_MEM_BASE;
			hnic_up_rss(&n, h, q, 2 + q, sz, sz, sz,
				    rpc_on ? 0 : q + 1);
			have_q = true;
			rpc_on = true;
			break;
		}
		case 12: {
			size_t len = take(2) % 9000;
			if (len > left)
				len = left;
			if (have_q && len >= 64)
				hnic_xmit(&n, in, len, 0, 1 + (unsigned)(len % 4));
			in += len;
			left -= len;
			break;
		}
		case 13:
			h->gso_ok = !h->gso_ok;
			break;
		case 14: {
			if (!h->bar0) {
				take(4);
				take(4);
				break;
			}
			/* INTR_CQ's page, then the queue pages (dwords) */
			const uint32_t cq = FBNIC_BAR0_PAGE_INTR_CQ_LEN / 4;
			uint32_t i = take(4) % (cq + FBNIC_BAR0_PAGE_QUEUE_LEN / 4);
			uint32_t idx = i < cq ? FBNIC_BAR0_PAGE_INTR_CQ / 4 + i
					      : FBNIC_BAR0_PAGE_QUEUE / 4 + i - cq;
			__atomic_store_n(&h->bar0[idx], take(4), __ATOMIC_RELEASE);
			break;
		}
		case 15:
			if (fbnic_poll(h->dev))
				h_run(h);
			break;
		case 16: {
			uint32_t idx = take(4) % FBNIC_BAR0_DWORDS;
			fbnic_bar_write(h->dev, 0, 4ull * idx, 4, take(4));
			break;
		}
		}
		/* frames the port took: keep the capture bounded */
		if (h->nframes > H_MAX_FRAMES / 2) {
			for (unsigned i = 0; i < h->nframes; i++)
				free(h->frames[i]);
			h->nframes = 0;
		}
	}
	if (test_failures) {
		fprintf(stderr, "fuzz_dev: the harness reported a failure\n");
		abort();
	}
	return 0;
}
