/* SPDX-License-Identifier: Apache-2.0 */
/* Device tests of the interrupt block, driven like the driver drives it. */
#include "dev/intr.h"
#include "harness.h"
#include "test.h"

/* fbnic_msix_test, step by step, for every NAPI vector the function has:
 * each step's expectation is the failure code the driver would report. */
static void test_driver_msix_selftest(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	for (unsigned i = 2; i < 130; i++) {
		unsigned n = i / 32;
		uint32_t mask = 1u << (i % 32);
		h_wr32(h, 0, FBNIC_INTR_MASK_SET(n), mask);
		h_wr32(h, 0, FBNIC_INTR_CLEAR(n), mask);
		unsigned before = h->msix[i];
		/* FBNIC_TEST_MSIX_MASK: masked set must not fire */
		h_wr32(h, 0, FBNIC_INTR_SET(n), mask);
		CHECK_INT(h->msix[i], before);
		/* _UNMASK: unmask with status set fires */
		h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(n), mask);
		CHECK_INT(h->msix[i], before + 1);
		/* _IRQ_CLEAR: auto-cleared, so a second unmask is silent */
		h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(n), mask);
		CHECK_INT(h->msix[i], before + 1);
		/* _NO_INTERRUPT: set while unmasked fires */
		h_wr32(h, 0, FBNIC_INTR_SET(n), mask);
		CHECK_INT(h->msix[i], before + 2);
		/* _NO_CLEAR_OR_MASK: status cleared, mask set */
		CHECK(!(h_rd32(h, 0, FBNIC_INTR_STATUS(n)) & mask));
		CHECK(h_rd32(h, 0, FBNIC_INTR_MASK(n)) & mask);
	}
	CHECK_INT(h->msix[0], 0);
	CHECK_INT(h->msix[1], 0);
	h_destroy(h);
}

static void test_power_on_defaults(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	for (unsigned n = 0; n < 8; n++) {
		CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_STATUS(n)), 0);
		CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_MASK(n)), 0xffffffff);
		CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_SW_AC_MODE(n)), 0xffffffff);
	}
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_MSIX_CTRL(FBNIC_INTR_CAUSE_PCS)), 0);
	h_destroy(h);
}

/* The mailbox vector is sticky (AC mode bit cleared by fbnic_mbx_init):
 * status stays until INTR_CLEAR, and a latched cause fires on unmask. */
static void test_sticky_vector0(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	h_wr32(h, 0, FBNIC_INTR_SW_AC_MODE(0), ~1u);
	fbnic_intr_raise(h->dev, 0); /* masked: latched only */
	CHECK_INT(h->msix[0], 0);
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_STATUS(0)) & 1, 1);
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1);
	CHECK_INT(h->msix[0], 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_STATUS(0)) & 1, 1); /* sticky */
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_MASK(0)) & 1, 1);   /* auto-masked */
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1); /* still pending: fires again */
	CHECK_INT(h->msix[0], 2);
	h_wr32(h, 0, FBNIC_INTR_CLEAR(0), 1);
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1);
	CHECK_INT(h->msix[0], 2);
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_STATUS(0)) & 1, 0);
	h_destroy(h);
}

/* Cause 34 (PCS) is routed through INTR_MSIX_CTRL to vector 1, as
 * fbnic_pcs_request_irq programs it; disabled routes raise nothing. */
static void test_cause_routing_and_rearm(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	CHECK_INT(fbnic_intr_cause(h->dev, FBNIC_INTR_CAUSE_PCS), 0);
	h_wr32(h, 0, FBNIC_INTR_MSIX_CTRL(FBNIC_INTR_CAUSE_PCS), 0x80000001);
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1u << 1);
	CHECK_INT(fbnic_intr_cause(h->dev, FBNIC_INTR_CAUSE_PCS), 1);
	CHECK_INT(h->msix[1], 1);
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_STATUS(0)) & 2, 0); /* auto-cleared */
	/* NAPI-style re-arm via INTR_CQ_REARM.INTR_UNMASK */
	fbnic_intr_raise(h->dev, 40); /* masked at power-on: latched */
	CHECK_INT(h->msix[40], 0);
	h_wr32(h, 0, FBNIC_INTR_CQ_REARM(40), FBNIC_INTR_CQ_REARM_INTR_UNMASK);
	CHECK_INT(h->msix[40], 1);
	/* timeouts are loaded only with their update-enable bits */
	h_wr32(h, 0, FBNIC_INTR_CQ_REARM(40), (1u << 14) | 0x123);
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_CQ_REARM(40) + 1), 0x123);
	CHECK_EQ(h_rd32(h, 0, FBNIC_INTR_CQ_REARM(40) + 2), 0);
	h_destroy(h);
}

/* A vector beyond the function's MSI-X table is dropped and counted,
 * never delivered (a guest can route causes anywhere). */
static void test_vector_beyond_table(void)
{
	struct fbnic_config cfg = { .dsn = 1ull << 57, .msix_vectors = 4 };
	struct harness *h = h_create(&cfg);
	REQUIRE(h);
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(7), 0xffffffff);
	h_wr32(h, 0, FBNIC_INTR_SET(7), 0x1);
	h_wr32(h, 0, FBNIC_INTR_MSIX_CTRL(FBNIC_INTR_CAUSE_PCS), 0x800000ff);
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 0xffffffff);
	fbnic_intr_cause(h->dev, FBNIC_INTR_CAUSE_PCS);
	unsigned total = 0;
	for (unsigned v = 0; v < H_MAX_VECTORS; v++)
		total += h->msix[v];
	CHECK_INT(total, 0);
	h_destroy(h);
}

TEST_MAIN("device-intr", TEST_CASE(test_driver_msix_selftest),
	  TEST_CASE(test_power_on_defaults), TEST_CASE(test_sticky_vector0),
	  TEST_CASE(test_cause_routing_and_rearm),
	  TEST_CASE(test_vector_beyond_table))
