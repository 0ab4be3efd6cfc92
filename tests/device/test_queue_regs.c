/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device tests of the per-queue register windows: the ethtool register
 * self-test (fbnic_csr.c fbnic_csr_regs_test) replayed exactly, the ring
 * programming of fbnic_enable/fbnic_disable, the pointer registers and the
 * per-queue counters.
 */
#include "dev/queue.h"
#include "dev/csr.h"
#include "harness.h"
#include "test.h"

#define QUEUE(n) FBNIC_QUEUE(n)

/* pattern_test[]: register, read mask, write mask; 64 queues each. */
static const struct {
	uint32_t reg, read, write;
} pattern_test[] = {
	{ FBNIC_QUEUE_TWQ0_CTL, 0x1, 0x1 },               /* TWQ0_CTL: RESET */
	{ FBNIC_QUEUE_TWQ0_PTRS, 0, ~0u },                 /* TWQ0_PTRS */
	{ FBNIC_QUEUE_TWQ0_SIZE, 0xf, ~0u },               /* TWQ0_SIZE */
	{ FBNIC_QUEUE_TWQ0_BAL, 0xffffff80u, ~0u },       /* TWQ0_BAL */
	{ FBNIC_QUEUE_TWQ0_BAH, ~0u, ~0u },               /* TWQ0_BAH */
	{ FBNIC_QUEUE_TWQ1_CTL, 0x1, 0x1 },               /* TWQ1_CTL */
	{ FBNIC_QUEUE_TWQ1_PTRS, 0, ~0u },                 /* TWQ1_PTRS */
	{ FBNIC_QUEUE_TWQ1_SIZE, 0xf, ~0u },               /* TWQ1_SIZE */
	{ FBNIC_QUEUE_TWQ1_BAL, 0xffffff80u, ~0u },       /* TWQ1_BAL */
	{ FBNIC_QUEUE_TWQ1_BAH, ~0u, ~0u },               /* TWQ1_BAH */
	{ FBNIC_QUEUE_TCQ_CTL, 0x1, 0x1 },               /* TCQ_CTL */
	{ FBNIC_QUEUE_TCQ_PTRS, 0, ~0u },                 /* TCQ_PTRS */
	{ FBNIC_QUEUE_TCQ_SIZE, 0xf, ~0u },               /* TCQ_SIZE */
	{ FBNIC_QUEUE_TCQ_BAL, 0xffffff80u, ~0u },       /* TCQ_BAL */
	{ FBNIC_QUEUE_TCQ_BAH, ~0u, ~0u },               /* TCQ_BAH */
	{ FBNIC_QUEUE_RCQ_CTL, 0x1, 0x1 },               /* RCQ_CTL */
	{ FBNIC_QUEUE_RCQ_PTRS, 0, ~0u },                 /* RCQ_PTRS */
	{ FBNIC_QUEUE_RCQ_SIZE, 0xf, ~0u },               /* RCQ_SIZE */
	{ FBNIC_QUEUE_RCQ_BAL, 0xffffff80u, ~0u },       /* RCQ_BAL */
	{ FBNIC_QUEUE_RCQ_BAH, ~0u, ~0u },               /* RCQ_BAH */
	{ FBNIC_QUEUE_BDQ_CTL, 0x1, 0x1 },               /* BDQ_CTL */
	{ FBNIC_QUEUE_BDQ_HPQ_PTRS, 0, ~0u },                 /* BDQ_HPQ_PTRS */
	{ FBNIC_QUEUE_BDQ_HPQ_SIZE, 0xf, ~0u },               /* BDQ_HPQ_SIZE */
	{ FBNIC_QUEUE_BDQ_HPQ_BAL, 0xffffff80u, ~0u },       /* BDQ_HPQ_BAL */
	{ FBNIC_QUEUE_BDQ_HPQ_BAH, ~0u, ~0u },               /* BDQ_HPQ_BAH */
	{ FBNIC_QUEUE_BDQ_PPQ_PTRS, 0, ~0u },                 /* BDQ_PPQ_PTRS */
	{ FBNIC_QUEUE_BDQ_PPQ_SIZE, 0xf, ~0u },               /* BDQ_PPQ_SIZE */
	{ FBNIC_QUEUE_BDQ_PPQ_BAL, 0xffffff80u, ~0u },       /* BDQ_PPQ_BAL */
	{ FBNIC_QUEUE_BDQ_PPQ_BAH, ~0u, ~0u },               /* BDQ_PPQ_BAH */
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
	h_set_ring_ptrs(h, 3, FBNIC_RING_TWQ0, 7, 0);
	h_wr32(h, 0, QUEUE(3) + FBNIC_QUEUE_TWQ0_CTL, 1); /* RESET */
	CHECK_EQ(regs_test(h, 0, 64), 0);
	h_destroy(h);
}

/* fbnic_enable's ring programming (fbnic_txrx.c) reads back as written. */
static void test_ring_programming(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint32_t q = QUEUE(5);
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_CTL, 0x1);          /* TWQ0_CTL RESET */
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_BAL, 0x12345680u);  /* BAL */
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_BAH, 0x00003fffu);  /* BAH */
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_SIZE, 10);           /* SIZE: 1024 entries */
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_CTL, 0x2);          /* ENABLE */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_CTL), 0x2);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_BAL), 0x12345680u);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_BAH), 0x3fffu);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_SIZE), 10);
	h_wr32(h, 0, q + FBNIC_QUEUE_BDQ_CTL, 0x40000002u);  /* BDQ ENABLE | PPQ_ENABLE */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_CTL), 0x40000002u);
	h_wr32(h, 0, q + FBNIC_QUEUE_BDQ_CTL, 0xffffffffu);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_CTL), 0x40000003u);
	h_wr32(h, 0, q + FBNIC_QUEUE_TIM_CTL, 7);            /* TIM_CTL vector */
	h_wr32(h, 0, q + FBNIC_QUEUE_TIM_THRESHOLD, 511);          /* TIM_THRESHOLD */
	h_wr32(h, 0, q + FBNIC_QUEUE_RDE_CTL0, 0x40000000u);  /* RDE_CTL0 drop never */
	h_wr32(h, 0, q + FBNIC_QUEUE_BDQ_HPQ_TAIL, 256);          /* HPQ_TAIL doorbell */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TIM_CTL), 7);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TIM_THRESHOLD), 511);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RDE_CTL0), 0x40000000u);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_HPQ_TAIL), 256);
	/* fbnic_disable: clear ENABLE by read-modify-write. */
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_CTL, h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_CTL) & ~0x2u);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_CTL), 0);
	/* Sub-dword writes merge into the masked register. */
	uint64_t v = 0;
	CHECK_INT(fbnic_bar_write(h->dev, 0, (uint64_t)(q + FBNIC_QUEUE_TWQ0_BAL) * 4 + 1, 1,
				  0xff), 0);
	CHECK_INT(fbnic_bar_read(h->dev, 0, (uint64_t)(q + FBNIC_QUEUE_TWQ0_BAL) * 4, 4, &v),
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
	uint32_t q = QUEUE(127);
	h_set_ring_ptrs(h, 127, FBNIC_RING_TWQ0, 0x11, 0x22);
	h_set_ring_ptrs(h, 127, FBNIC_RING_TWQ1, 0x33, 0x44);
	h_set_ring_ptrs(h, 127, FBNIC_RING_TCQ, 0x55, 0x66);
	h_set_ring_ptrs(h, 127, FBNIC_RING_RCQ, 0x77, 0x88);
	h_set_ring_ptrs(h, 127, FBNIC_RING_HPQ, 0x99, 0xaa);
	h_set_ring_ptrs(h, 127, FBNIC_RING_PPQ, 0xbb, 0xcc);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_PTRS), 0x00110022u); /* head 31:16 */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ1_PTRS), 0x00330044u);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TCQ_PTRS), 0x00660055u); /* tail 31:16 */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RCQ_PTRS), 0x00880077u);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_HPQ_PTRS), 0x009900aau);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_PPQ_PTRS), 0x00bb00ccu);
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ0_PTRS, 0);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_PTRS), 0x00110022u);
	h_wr32(h, 0, q + FBNIC_QUEUE_TWQ1_CTL, 0x1); /* TWQ1 RESET: only TWQ1 */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ1_PTRS), 0);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_PTRS), 0x00110022u);
	h_wr32(h, 0, q + FBNIC_QUEUE_BDQ_CTL, 0x1); /* BDQ RESET: both BDQs */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_HPQ_PTRS), 0);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_BDQ_PPQ_PTRS), 0);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RCQ_PTRS), 0x00880077u);
	h_wr32(h, 0, q + FBNIC_QUEUE_RCQ_CTL, 0x2); /* ENABLE without RESET keeps them */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RCQ_PTRS), 0x00880077u);
	fbnic_reset(h->dev);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_TWQ0_PTRS), 0);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RCQ_CTL), 0);
	h_destroy(h);
}

/* Per-queue counters: zero, read-only, counted by the data path and read
 * by the driver as free-running 32-bit values (fbnic_hw_stat_rd32). */
static void test_counters(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	uint32_t q = QUEUE(9);
	static const uint32_t cnt[] = {
		FBNIC_QUEUE_TWQ0_PKT_CNT, FBNIC_QUEUE_TWQ0_ERR_CNT,
		FBNIC_QUEUE_TWQ1_PKT_CNT, FBNIC_QUEUE_TWQ1_ERR_CNT,
		FBNIC_QUEUE_RDE_PKT_CNT, FBNIC_QUEUE_RDE_PKT_ERR_CNT,
		FBNIC_QUEUE_RDE_CQ_DROP_CNT, FBNIC_QUEUE_RDE_BDQ_DROP_CNT,
	};
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(h_rd32(h, 0, q + cnt[i]), 0);
	uint32_t old = h_rd32(h, 0, q + FBNIC_QUEUE_RDE_CQ_DROP_CNT);
	fbnic_queue_count(h->dev, 9, FBNIC_QUEUE_RDE_CQ_DROP_CNT, 3);
	fbnic_queue_count(h->dev, 9, FBNIC_QUEUE_RDE_CQ_DROP_CNT, 0xffffffffu); /* wraps */
	CHECK_EQ((uint32_t)(h_rd32(h, 0, q + FBNIC_QUEUE_RDE_CQ_DROP_CNT) - old), 2);
	fbnic_queue_count(h->dev, 9, FBNIC_QUEUE_RDE_CTL0, 1); /* not a counter */
	fbnic_queue_count(h->dev, 128, FBNIC_QUEUE_RDE_CQ_DROP_CNT, 1); /* no such queue */
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RDE_CTL0), 0);
	long long ro = h_dump_value(h, "counters.ro_writes");
	h_wr32(h, 0, q + FBNIC_QUEUE_RDE_CQ_DROP_CNT, 0);
	CHECK_EQ(h_rd32(h, 0, q + FBNIC_QUEUE_RDE_CQ_DROP_CNT), 2);
	CHECK_INT(h_dump_value(h, "counters.ro_writes"), ro + 1);
	/* Past the last queue window: unimplemented, reads 0. */
	h_wr32(h, 0, QUEUE(128), 0x1);
	CHECK_EQ(h_rd32(h, 0, QUEUE(128)), 0);
	h_destroy(h);
}

TEST_MAIN("queue_regs", TEST_CASE(test_ethtool_register_test),
	  TEST_CASE(test_ring_programming), TEST_CASE(test_pointers),
	  TEST_CASE(test_counters))
