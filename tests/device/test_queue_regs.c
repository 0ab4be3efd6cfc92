/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device tests of the per-queue register windows: the ethtool register
 * self-test (fbnic_csr.c fbnic_csr_regs_test) replayed exactly, the ring
 * programming of fbnic_enable/fbnic_disable, the pointer registers and the
 * per-queue counters.
 */
#include "dev/dev.h"
#include "dev/csr.h"
#include "harness.h"
#include "test.h"

#define QUEUE(n) FBNIC_QUEUE(n)

/* pattern_test[]: register, read mask, write mask; 64 queues each. */
static const struct {
	uint32_t reg, read, write;
} pattern_test[] = {
	{ 0x000, 0x1, 0x1 },               /* TWQ0_CTL: RESET */
	{ 0x004, 0, ~0u },                 /* TWQ0_PTRS */
	{ 0x00a, 0xf, ~0u },               /* TWQ0_SIZE */
	{ 0x020, 0xffffff80u, ~0u },       /* TWQ0_BAL */
	{ 0x021, ~0u, ~0u },               /* TWQ0_BAH */
	{ 0x001, 0x1, 0x1 },               /* TWQ1_CTL */
	{ 0x005, 0, ~0u },                 /* TWQ1_PTRS */
	{ 0x00b, 0xf, ~0u },               /* TWQ1_SIZE */
	{ 0x022, 0xffffff80u, ~0u },       /* TWQ1_BAL */
	{ 0x023, ~0u, ~0u },               /* TWQ1_BAH */
	{ 0x080, 0x1, 0x1 },               /* TCQ_CTL */
	{ 0x082, 0, ~0u },                 /* TCQ_PTRS */
	{ 0x084, 0xf, ~0u },               /* TCQ_SIZE */
	{ 0x0a0, 0xffffff80u, ~0u },       /* TCQ_BAL */
	{ 0x0a1, ~0u, ~0u },               /* TCQ_BAH */
	{ 0x200, 0x1, 0x1 },               /* RCQ_CTL */
	{ 0x202, 0, ~0u },                 /* RCQ_PTRS */
	{ 0x204, 0xf, ~0u },               /* RCQ_SIZE */
	{ 0x220, 0xffffff80u, ~0u },       /* RCQ_BAL */
	{ 0x221, ~0u, ~0u },               /* RCQ_BAH */
	{ 0x240, 0x1, 0x1 },               /* BDQ_CTL */
	{ 0x243, 0, ~0u },                 /* BDQ_HPQ_PTRS */
	{ 0x247, 0xf, ~0u },               /* BDQ_HPQ_SIZE */
	{ 0x260, 0xffffff80u, ~0u },       /* BDQ_HPQ_BAL */
	{ 0x261, ~0u, ~0u },               /* BDQ_HPQ_BAH */
	{ 0x244, 0, ~0u },                 /* BDQ_PPQ_PTRS */
	{ 0x248, 0xf, ~0u },               /* BDQ_PPQ_SIZE */
	{ 0x262, 0xffffff80u, ~0u },       /* BDQ_PPQ_BAL */
	{ 0x263, ~0u, ~0u },               /* BDQ_PPQ_BAH */
};

/* fbnic_csr_reg_pattern_test over queues [first, first + n): 0 on
 * success, else the failing register (the driver's return value). */
static uint32_t regs_test(struct harness *h, unsigned first, unsigned n)
{
	static const uint32_t pattern[] = { ~0u, 0x5a5a5a5au, 0xa5a5a5a5u, 0 };
	for (unsigned t = 0; t < sizeof(pattern_test) / sizeof(pattern_test[0]);
	     t++)
		for (unsigned q = first; q < first + n; q++) {
			uint32_t reg = QUEUE(q) + pattern_test[t].reg;
			for (unsigned i = 0; i < 4; i++) {
				uint32_t val = pattern[i] & pattern_test[t].write;
				h_wr32(h, 0, reg, val);
				if (h_rd32(h, 0, reg) != (val & pattern_test[t].read))
					return reg;
			}
		}
	return 0;
}

static void test_ethtool_register_test(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	CHECK_EQ(regs_test(h, 0, 64), 0);
	/* The queues the test does not cover behave the same. */
	CHECK_EQ(regs_test(h, 64, 64), 0);
	/* Run it again after traffic-like state: still passes. */
	h->dev->queues.q[3].ring[FBNIC_RING_TWQ0].head = 7;
	h_wr32(h, 0, QUEUE(3) + 0x000, 1); /* RESET */
	CHECK_EQ(regs_test(h, 0, 64), 0);
	h_destroy(h);
}

/* fbnic_enable's ring programming (fbnic_txrx.c) reads back as written. */
static void test_ring_programming(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint32_t q = QUEUE(5);
	h_wr32(h, 0, q + 0x000, 0x1);          /* TWQ0_CTL RESET */
	h_wr32(h, 0, q + 0x020, 0x12345680u);  /* BAL */
	h_wr32(h, 0, q + 0x021, 0x00003fffu);  /* BAH */
	h_wr32(h, 0, q + 0x00a, 10);           /* SIZE: 1024 entries */
	h_wr32(h, 0, q + 0x000, 0x2);          /* ENABLE */
	CHECK_EQ(h_rd32(h, 0, q + 0x000), 0x2);
	CHECK_EQ(h_rd32(h, 0, q + 0x020), 0x12345680u);
	CHECK_EQ(h_rd32(h, 0, q + 0x021), 0x3fffu);
	CHECK_EQ(h_rd32(h, 0, q + 0x00a), 10);
	h_wr32(h, 0, q + 0x240, 0x40000002u);  /* BDQ ENABLE | PPQ_ENABLE */
	CHECK_EQ(h_rd32(h, 0, q + 0x240), 0x40000002u);
	h_wr32(h, 0, q + 0x240, 0xffffffffu);
	CHECK_EQ(h_rd32(h, 0, q + 0x240), 0x40000003u);
	h_wr32(h, 0, q + 0x0c0, 7);            /* TIM_CTL vector */
	h_wr32(h, 0, q + 0x0c1, 511);          /* TIM_THRESHOLD */
	h_wr32(h, 0, q + 0x2a0, 0x40000000u);  /* RDE_CTL0 drop never */
	h_wr32(h, 0, q + 0x241, 256);          /* HPQ_TAIL doorbell */
	CHECK_EQ(h_rd32(h, 0, q + 0x0c0), 7);
	CHECK_EQ(h_rd32(h, 0, q + 0x0c1), 511);
	CHECK_EQ(h_rd32(h, 0, q + 0x2a0), 0x40000000u);
	CHECK_EQ(h_rd32(h, 0, q + 0x241), 256);
	/* fbnic_disable: clear ENABLE by read-modify-write. */
	h_wr32(h, 0, q + 0x000, h_rd32(h, 0, q + 0x000) & ~0x2u);
	CHECK_EQ(h_rd32(h, 0, q + 0x000), 0);
	/* Sub-dword writes merge into the masked register. */
	uint64_t v;
	CHECK_INT(fbnic_bar_write(h->dev, 0, (uint64_t)(q + 0x020) * 4 + 1, 1,
				  0xff), 0);
	CHECK_INT(fbnic_bar_read(h->dev, 0, (uint64_t)(q + 0x020) * 4, 4, &v),
		  0);
	CHECK_EQ(v, 0x1234ff80u);
	h_destroy(h);
}

/* PTRS show the hardware pointers in the driver's layout (debugfs
 * fbnic_dbg_ring_show), read-only; RESET zeroes them. */
static void test_pointers(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	struct fbnic_queue *qs = &h->dev->queues.q[127];
	uint32_t q = QUEUE(127);
	qs->ring[FBNIC_RING_TWQ0] = (struct fbnic_ring_ptrs){ 0x11, 0x22 };
	qs->ring[FBNIC_RING_TWQ1] = (struct fbnic_ring_ptrs){ 0x33, 0x44 };
	qs->ring[FBNIC_RING_TCQ] = (struct fbnic_ring_ptrs){ 0x55, 0x66 };
	qs->ring[FBNIC_RING_RCQ] = (struct fbnic_ring_ptrs){ 0x77, 0x88 };
	qs->ring[FBNIC_RING_HPQ] = (struct fbnic_ring_ptrs){ 0x99, 0xaa };
	qs->ring[FBNIC_RING_PPQ] = (struct fbnic_ring_ptrs){ 0xbb, 0xcc };
	CHECK_EQ(h_rd32(h, 0, q + 0x004), 0x00110022u); /* head 31:16 */
	CHECK_EQ(h_rd32(h, 0, q + 0x005), 0x00330044u);
	CHECK_EQ(h_rd32(h, 0, q + 0x082), 0x00660055u); /* tail 31:16 */
	CHECK_EQ(h_rd32(h, 0, q + 0x202), 0x00880077u);
	CHECK_EQ(h_rd32(h, 0, q + 0x243), 0x009900aau);
	CHECK_EQ(h_rd32(h, 0, q + 0x244), 0x00bb00ccu);
	h_wr32(h, 0, q + 0x004, 0);
	CHECK_EQ(h_rd32(h, 0, q + 0x004), 0x00110022u);
	h_wr32(h, 0, q + 0x001, 0x1); /* TWQ1 RESET: only TWQ1 */
	CHECK_EQ(h_rd32(h, 0, q + 0x005), 0);
	CHECK_EQ(h_rd32(h, 0, q + 0x004), 0x00110022u);
	h_wr32(h, 0, q + 0x240, 0x1); /* BDQ RESET: both BDQs */
	CHECK_EQ(h_rd32(h, 0, q + 0x243), 0);
	CHECK_EQ(h_rd32(h, 0, q + 0x244), 0);
	CHECK_EQ(h_rd32(h, 0, q + 0x202), 0x00880077u);
	h_wr32(h, 0, q + 0x200, 0x2); /* ENABLE without RESET keeps them */
	CHECK_EQ(h_rd32(h, 0, q + 0x202), 0x00880077u);
	fbnic_reset(h->dev);
	CHECK_EQ(h_rd32(h, 0, q + 0x004), 0);
	CHECK_EQ(h_rd32(h, 0, q + 0x200), 0);
	h_destroy(h);
}

/* Per-queue counters: zero, read-only, counted by the data path and read
 * by the driver as free-running 32-bit values (fbnic_hw_stat_rd32). */
static void test_counters(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint32_t q = QUEUE(9);
	static const uint32_t cnt[] = { 0x062, 0x063, 0x072, 0x073,
					0x2a2, 0x2a3, 0x2a4, 0x2a5 };
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(h_rd32(h, 0, q + cnt[i]), 0);
	uint32_t old = h_rd32(h, 0, q + 0x2a4);
	fbnic_queue_count(h->dev, 9, 0x2a4, 3);
	fbnic_queue_count(h->dev, 9, 0x2a4, 0xffffffffu); /* wraps */
	CHECK_EQ((uint32_t)(h_rd32(h, 0, q + 0x2a4) - old), 2);
	fbnic_queue_count(h->dev, 9, 0x2a0, 1);   /* not a counter */
	fbnic_queue_count(h->dev, 128, 0x2a4, 1); /* no such queue */
	CHECK_EQ(h_rd32(h, 0, q + 0x2a0), 0);
	uint64_t ro = h->dev->cnt.ro_writes;
	h_wr32(h, 0, q + 0x2a4, 0);
	CHECK_EQ(h_rd32(h, 0, q + 0x2a4), 2);
	CHECK_INT(h->dev->cnt.ro_writes, ro + 1);
	/* Past the last queue window: unimplemented, reads 0. */
	h_wr32(h, 0, QUEUE(128), 0x1);
	CHECK_EQ(h_rd32(h, 0, QUEUE(128)), 0);
	h_destroy(h);
}

TEST_MAIN("queue_regs", TEST_CASE(test_ethtool_register_test),
	  TEST_CASE(test_ring_programming), TEST_CASE(test_pointers),
	  TEST_CASE(test_counters))
