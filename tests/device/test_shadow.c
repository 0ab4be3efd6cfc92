/* SPDX-License-Identifier: Apache-2.0 */
/* Device tests of the mapped BAR0 pages (dev/shadow.h): the driver's
 * stores land in shared memory, and the device takes them when it polls
 * or before a trapped access.  Stores here go straight to the page, with
 * no poll in between, so that the device sees whole sequences at once as
 * it does when the guest is faster than the poll. */
#include <stdlib.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/queue.h"
#include "harness.h"
#include "test.h"

static struct harness *mapped(void)
{
	setenv("FBNIC_HARNESS_BAR0_MMAP", "1", 1);
	struct harness *h = h_create(NULL);
	unsetenv("FBNIC_HARNESS_BAR0_MMAP");
	return h;
}

/* A store to the page, which the device does not see yet. */
static void st(struct harness *h, uint32_t idx, uint32_t v)
{
	__atomic_store_n(&h->bar0[idx], v, __ATOMIC_RELEASE);
}

static uint32_t ld(struct harness *h, uint32_t idx)
{
	return __atomic_load_n(&h->bar0[idx], __ATOMIC_ACQUIRE);
}

/* fbnic_wrfl: a trapped read, which syncs first. */
static void wrfl(struct harness *h)
{
	(void)h_rd32(h, 0, FBNIC_MASTER_SPARE_0);
}

#define Q(q, r) (FBNIC_QUEUE(q) + FBNIC_QUEUE_##r)

/* fbnic_enable_twq0 without the flush; reset: write RESET first. */
static void twq0_program(struct harness *h, unsigned q, uint64_t base,
			 bool reset)
{
	if (reset)
		st(h, Q(q, TWQ0_CTL), FBNIC_QUEUE_TWQ_CTL_RESET);
	st(h, Q(q, TWQ0_BAL), (uint32_t)base);
	st(h, Q(q, TWQ0_BAH), (uint32_t)(base >> 32));
	st(h, Q(q, TWQ0_SIZE), 6); /* 64 entries */
	st(h, Q(q, TWQ0_CTL), FBNIC_QUEUE_TWQ_CTL_ENABLE);
}

static unsigned twq0_tail(struct harness *h, unsigned q)
{
	return h_rd32(h, 0, Q(q, TWQ0_PTRS)) & 0xffff;
}

/* RESET, configuration and ENABLE all stored before the device looked
 * (ENABLE over RESET in the CTL word): the ring is reset as the RESET it
 * missed would have, then the base and size are latched. */
static void test_enable_sequence_seen_at_once(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	uint64_t base = h_alloc(h, 4096);
	twq0_program(h, 5, base, true);
	wrfl(h);
	CHECK_INT(h_dump_value(h, "queue.enables"), 1);
	CHECK_INT(h_dump_value(h, "shadow.implied_resets"), 1);
	CHECK_INT(h_dump_value(h, "queue.ring_resets"), 1);
	/* the doorbell after the flush: the ring is polled from now on */
	st(h, Q(5, TWQ0_TAIL), 3);
	CHECK_INT(fbnic_poll(h->dev), 1);
	CHECK_INT(twq0_tail(h, 5), 3);
	CHECK_INT(h_dump_value(h, "shadow.doorbells"), 1);
	h_destroy(h);
}

/* A RESET the device saw, then ENABLE: no reset of its own; the ring
 * was at its old tail until the RESET. */
static void test_enable_after_seen_reset(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	uint64_t base = h_alloc(h, 4096);
	twq0_program(h, 0, base, true);
	wrfl(h);
	st(h, Q(0, TWQ0_TAIL), 9);
	fbnic_poll(h->dev);
	CHECK_INT(twq0_tail(h, 0), 9);
	st(h, Q(0, TWQ0_CTL), FBNIC_QUEUE_TWQ_CTL_RESET);
	wrfl(h);
	CHECK_INT(twq0_tail(h, 0), 0);
	twq0_program(h, 0, base, false);
	wrfl(h);
	CHECK_INT(h_dump_value(h, "shadow.implied_resets"), 1); /* the first */
	CHECK_INT(h_dump_value(h, "queue.enables"), 2);
	h_destroy(h);
}

/* A disabled ring's doorbell words are zeroed: after the next enable the
 * driver's first tail is new even if it equals the last one. */
static void test_disable_clears_doorbells(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	uint64_t base = h_alloc(h, 4096);
	twq0_program(h, 2, base, true);
	wrfl(h);
	st(h, Q(2, TWQ0_TAIL), 4);
	CHECK_INT(fbnic_poll(h->dev), 1);
	st(h, Q(2, TWQ0_CTL), 0);
	wrfl(h);
	CHECK_INT(ld(h, Q(2, TWQ0_TAIL)), 0);
	CHECK_INT(h_dump_value(h, "shadow.doorbells_cleared"), 1);
	twq0_program(h, 2, base, true);
	wrfl(h);
	CHECK_INT(twq0_tail(h, 2), 0);
	st(h, Q(2, TWQ0_TAIL), 4);
	CHECK_INT(fbnic_poll(h->dev), 1);
	CHECK_INT(twq0_tail(h, 2), 4);
	/* the same value again is no new store */
	st(h, Q(2, TWQ0_TAIL), 4);
	CHECK_INT(fbnic_poll(h->dev), 0);
	h_destroy(h);
}

/* Each re-arm store is an event, the same value twice included; the
 * timeouts it loads read back from the page. */
static void test_rearm_is_an_event(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	unsigned v = 7;
	/* the vector's cause pending while masked: the re-arm fires it */
	h_wr32(h, 0, FBNIC_INTR_MASK_SET(0), 1u << v);
	h_wr32(h, 0, FBNIC_INTR_SET(0), 1u << v);
	CHECK_INT(h->msix[v], 0);
	uint32_t rearm = FBNIC_INTR_CQ_REARM_INTR_UNMASK |
			 FBNIC_INTR_CQ_REARM_RCQ_TIMEOUT_UPD_EN | 30;
	st(h, FBNIC_INTR_CQ_REARM(v), rearm);
	CHECK_INT(fbnic_poll(h->dev), 1);
	CHECK_INT(h->msix[v], 1);
	CHECK_INT(ld(h, FBNIC_INTR_CQ_REARM(v)), 0); /* taken */
	CHECK_INT(ld(h, FBNIC_INTR_RCQ_TIMEOUT(v)), 30);
	/* fired: auto-masked; pending again, the same re-arm fires again */
	h_wr32(h, 0, FBNIC_INTR_SET(0), 1u << v);
	CHECK_INT(h->msix[v], 1);
	st(h, FBNIC_INTR_CQ_REARM(v), rearm);
	CHECK_INT(fbnic_poll(h->dev), 1);
	CHECK_INT(h->msix[v], 2);
	CHECK_INT(h_dump_value(h, "shadow.rearms"), 2);
	/* a re-arm then a trapped INTR_SET: the re-arm acts first */
	h_wr32(h, 0, FBNIC_INTR_MASK_SET(0), 1u << v);
	st(h, FBNIC_INTR_CQ_REARM(v), FBNIC_INTR_CQ_REARM_INTR_UNMASK);
	h_wr32(h, 0, FBNIC_INTR_SET(0), 1u << v);
	CHECK_INT(h->msix[v], 3);
	h_destroy(h);
}

/* The device's words (pointers, counters) are written to the page; a
 * guest store over one changes nothing and is overwritten. */
static void test_published_words(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	uint64_t base = h_alloc(h, 4096);
	twq0_program(h, 1, base, true);
	wrfl(h);
	st(h, Q(1, TWQ0_TAIL), 5);
	st(h, Q(1, TWQ0_PTRS), 0xffffffff);
	wrfl(h);
	CHECK_INT(ld(h, Q(1, TWQ0_PTRS)), 5); /* head 0, tail 5 */
	CHECK_INT(h_dump_value(h, "queue.bad_doorbell"), 0);
	h_destroy(h);
}

/* Hostile stores: a doorbell beyond the ring stops it (counted), and a
 * page full of garbage is taken word by word through the registers'
 * checks. */
static void test_hostile_stores(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	uint64_t base = h_alloc(h, 4096);
	twq0_program(h, 3, base, true);
	wrfl(h);
	st(h, Q(3, TWQ0_TAIL), 64);
	fbnic_poll(h->dev);
	CHECK_INT(h_dump_value(h, "queue.bad_doorbell"), 1);
	CHECK_INT(h_dump_value(h, "queue.ring_errors"), 1);
	uint32_t x = 12345;
	for (uint32_t i = FBNIC_CSR_START_INTR_CQ; i < FBNIC_CSR_START_INTR_CQ + 1024; i++)
		st(h, i, x = x * 1103515245u + 12345u);
	for (uint32_t i = FBNIC_QUEUE(0); i < FBNIC_QUEUE(FBNIC_MAX_QUEUES); i++)
		st(h, i, x = x * 1103515245u + 12345u);
	for (int i = 0; i < 3; i++) {
		wrfl(h);
		fbnic_poll(h->dev);
		h_run(h);
	}
	CHECK(h_dump_value(h, "shadow.syncs") >= 3);
	fbnic_reset(h->dev);
	for (uint32_t i = FBNIC_QUEUE(0); i < FBNIC_QUEUE(FBNIC_MAX_QUEUES); i++)
		if (ld(h, i)) {
			CHECK_INT(ld(h, i), 0); /* a reset zeroes the pages */
			break;
		}
	h_destroy(h);
}

/* A trapped write to a mapped register (a client may send one) acts as
 * the store would. */
static void test_trapped_access_to_mapped_page(void)
{
	struct harness *h = mapped();
	REQUIRE(h);
	uint64_t base = h_alloc(h, 4096);
	twq0_program(h, 4, base, true);
	wrfl(h);
	CHECK_INT(fbnic_bar_write(h->dev, 0, 4ull * Q(4, TWQ0_TAIL), 4, 6), 0);
	CHECK_INT(twq0_tail(h, 4), 6);
	uint64_t v = 0;
	CHECK_INT(fbnic_bar_read(h->dev, 0, 4ull * Q(4, TWQ0_TAIL), 4, &v), 0);
	CHECK_INT(v, 6);
	CHECK_INT(h_dump_value(h, "shadow.trapped_mapped"), 2);
	h_destroy(h);
}

TEST_MAIN("device-shadow", TEST_CASE(test_enable_sequence_seen_at_once),
	  TEST_CASE(test_enable_after_seen_reset),
	  TEST_CASE(test_disable_clears_doorbells),
	  TEST_CASE(test_rearm_is_an_event), TEST_CASE(test_published_words),
	  TEST_CASE(test_hostile_stores),
	  TEST_CASE(test_trapped_access_to_mapped_page))
