/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device tests of the PTP clock, replaying fbnic_time.c (7.3): the reset
 * at probe (fbnic_ptp_reset), the HI/LO/HI read loop of gettimex64 and
 * settime, adjfine's addend update, and the high-word refresh.
 */
#include "dev/csr.h"
#include "dev/ptp.h"
#include "harness.h"
#include "test.h"

#define PTP_CTRL FBNIC_PTP_CTRL
#define PTP_ADJUST FBNIC_PTP_ADJUST
#define PTP_INIT_HI FBNIC_PTP_INIT_HI
#define PTP_INIT_LO FBNIC_PTP_INIT_LO
#define PTP_NUDGE_NS FBNIC_PTP_NUDGE_NS
#define PTP_NUDGE_SUBNS FBNIC_PTP_NUDGE_SUBNS
#define PTP_ADD_VAL_NS FBNIC_PTP_ADD_VAL_NS
#define PTP_ADD_VAL_SUBNS FBNIC_PTP_ADD_VAL_SUBNS
#define PTP_CTR_VAL_HI FBNIC_PTP_CTR_VAL_HI
#define PTP_CTR_VAL_LO FBNIC_PTP_CTR_VAL_LO
#define PTP_MONO_HI FBNIC_PTP_MONO_PTP_CTR_HI
#define PTP_SPARE FBNIC_PTP_SPARE

#define NS_PER_S 1000000000ull
/* d_clock period in Q16.32 ns, as fbnic_ptp_reset computes it. */
#define DCLK_PERIOD ((1000000000ull << 32) / 600000000ull)

/* __fbnic_time_set_addend */
static void set_addend(struct harness *h, uint64_t addend)
{
	h_wr32(h, 0, PTP_ADD_VAL_NS, (uint32_t)(addend >> 32) & 0xffff);
	h_wr32(h, 0, PTP_ADD_VAL_SUBNS, (uint32_t)addend);
}

/* fbnic_ptp_reset */
static void drv_ptp_reset(struct harness *h)
{
	h_wr32(h, 0, PTP_CTRL, 1u | 1u << 20); /* EN | TICK_IVAL 1 */
	set_addend(h, DCLK_PERIOD);
	h_wr32(h, 0, PTP_INIT_HI, 0);
	h_wr32(h, 0, PTP_INIT_LO, 0);
	h_wr32(h, 0, PTP_ADJUST, 1u); /* INIT */
	h_wr32(h, 0, PTP_CTRL, 1u | 1u << 8 | 3u << 12 | 1u << 20);
	(void)h_rd32(h, 0, PTP_SPARE);
}

/* fbnic_ptp_gettimex64's loop; step_ns of time passes between reads. */
static uint64_t drv_gettime(struct harness *h, uint64_t step_ns,
			    unsigned *loops)
{
	uint32_t hi, lo;
	*loops = 0;
	do {
		hi = h_rd32(h, 0, PTP_CTR_VAL_HI);
		h_advance(h, step_ns);
		lo = h_rd32(h, 0, PTP_CTR_VAL_LO);
		h_advance(h, step_ns);
		++*loops;
	} while (hi != h_rd32(h, 0, PTP_CTR_VAL_HI) && *loops < 100);
	return (uint64_t)hi << 32 | lo;
}

/* adjust_by_scaled_ppm (include/linux/ptp_clock_kernel.h) */
static uint64_t scaled_ppm_addend(uint64_t base, long scaled_ppm)
{
	bool neg = scaled_ppm < 0;
	unsigned long long ppm = (unsigned long long)(neg ? -scaled_ppm
							  : scaled_ppm);
	__extension__ unsigned __int128 adj =
		(unsigned __int128)base * ppm / (1000000ull << 16);
	return neg ? base - (uint64_t)adj : base + (uint64_t)adj;
}

/* fbnic_ptp_adjfine */
static void drv_adjfine(struct harness *h, long scaled_ppm)
{
	set_addend(h, scaled_ppm_addend(DCLK_PERIOD, scaled_ppm));
	h_wr32(h, 0, PTP_ADJUST, 1u << 24); /* ADDEND_SET */
	(void)h_rd32(h, 0, PTP_SPARE);
}

static int64_t diff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

static void test_power_on(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	unsigned loops;
	CHECK_EQ(drv_gettime(h, 0, &loops), 0);
	h_advance(h, NS_PER_S);
	CHECK_EQ(drv_gettime(h, 0, &loops), 0); /* CTRL.EN = 0: stopped */
	CHECK_EQ(h_rd32(h, 0, PTP_CTRL), 0);
	h_destroy(h);
}

static void test_reset_and_run(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	h_advance(h, 12345);
	drv_ptp_reset(h);
	unsigned loops;
	CHECK_EQ(drv_gettime(h, 0, &loops), 0);
	CHECK_INT(loops, 1);
	h_advance(h, NS_PER_S);
	int64_t d = diff(drv_gettime(h, 0, &loops), NS_PER_S);
	CHECK(d >= -2 && d <= 2);
	h_advance(h, 3600 * NS_PER_S);
	d = diff(drv_gettime(h, 0, &loops), 3601 * NS_PER_S);
	CHECK(d >= -2000 && d <= 2000); /* 0.5 ppb truncation of the addend */
	CHECK_EQ(fbnic_ptp_now(h->dev),
		 (uint64_t)h_rd32(h, 0, PTP_CTR_VAL_HI) << 32 |
			 h_rd32(h, 0, PTP_CTR_VAL_LO));
	/* Registers read back, ADJUST is a command. */
	CHECK_EQ(h_rd32(h, 0, PTP_ADD_VAL_NS), 1);
	CHECK_EQ(h_rd32(h, 0, PTP_ADD_VAL_SUBNS), (uint32_t)DCLK_PERIOD);
	CHECK_EQ(h_rd32(h, 0, PTP_ADJUST), 0);
	CHECK_EQ(h_rd32(h, 0, PTP_CTRL), 0x00103101);
	h_destroy(h);
}

/* The high word only changes when the low word wraps; the driver's loop
 * retries exactly then and returns a consistent value. */
static void test_read_loop_across_wrap(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	drv_ptp_reset(h);
	h_wr32(h, 0, PTP_INIT_HI, 5);
	h_wr32(h, 0, PTP_INIT_LO, 0xffffff00u);
	h_wr32(h, 0, PTP_ADJUST, 1u);
	CHECK_EQ(h_rd32(h, 0, PTP_CTR_VAL_HI), 5);
	CHECK_EQ(h_rd32(h, 0, PTP_CTR_VAL_HI), 5); /* stable */
	uint64_t start = 0x5ffffff00ull;
	unsigned loops;
	/* 200 ns between reads: the first pass straddles the wrap. */
	uint64_t t = drv_gettime(h, 200, &loops);
	CHECK_INT(loops, 2);
	CHECK_EQ(t >> 32, 6);
	CHECK(t > start + 400 && t < start + 1000);
	/* Far from a wrap the loop runs once, and time is monotonic. */
	uint64_t prev = t;
	for (int i = 0; i < 100; i++) {
		t = drv_gettime(h, 1000, &loops);
		CHECK_INT(loops, 1);
		CHECK(t > prev);
		prev = t;
	}
	h_destroy(h);
}

static void test_adjfine(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	drv_ptp_reset(h);
	unsigned loops;
	drv_adjfine(h, 100l << 16); /* +100 ppm */
	uint64_t t0 = drv_gettime(h, 0, &loops);
	h_advance(h, NS_PER_S);
	int64_t d = diff(drv_gettime(h, 0, &loops) - t0, NS_PER_S + 100000);
	CHECK(d >= -2 && d <= 2);
	drv_adjfine(h, -(250l << 16)); /* -250 ppm */
	t0 = drv_gettime(h, 0, &loops);
	h_advance(h, NS_PER_S);
	d = diff(drv_gettime(h, 0, &loops) - t0, NS_PER_S - 250000);
	CHECK(d >= -2 && d <= 2);
	/* ADD_VAL without ADDEND_SET does not change the rate. */
	set_addend(h, DCLK_PERIOD * 2);
	t0 = drv_gettime(h, 0, &loops);
	h_advance(h, NS_PER_S);
	d = diff(drv_gettime(h, 0, &loops) - t0, NS_PER_S - 250000);
	CHECK(d >= -2 && d <= 2);
	/* The max_adj extreme (-999999999 ppb) keeps the clock moving. */
	drv_adjfine(h, -(long)(999999999ll * 65536 / 1000));
	t0 = drv_gettime(h, 0, &loops);
	h_advance(h, 10 * NS_PER_S);
	uint64_t t1 = drv_gettime(h, 0, &loops);
	CHECK(t1 > t0 && t1 - t0 < 20);
	h_destroy(h);
}

static void test_nudge_init_stop(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	drv_ptp_reset(h);
	unsigned loops;
	h_advance(h, 1000);
	/* INIT zeroes the fraction; no time passes until the reads. */
	h_wr32(h, 0, PTP_INIT_LO, 1000);
	h_wr32(h, 0, PTP_ADJUST, 1u);
	uint64_t t0 = drv_gettime(h, 0, &loops);
	CHECK_EQ(t0, 1000);
	h_wr32(h, 0, PTP_NUDGE_NS, 5000);
	h_wr32(h, 0, PTP_NUDGE_SUBNS, 0x80000000u); /* + half a ns */
	h_wr32(h, 0, PTP_ADJUST, 1u << 16);          /* ADD_NUDGE */
	CHECK_EQ(drv_gettime(h, 0, &loops), t0 + 5000);
	h_wr32(h, 0, PTP_ADJUST, 1u << 16);
	CHECK_EQ(drv_gettime(h, 0, &loops), t0 + 10001);
	h_wr32(h, 0, PTP_ADJUST, 1u << 8); /* SUB_NUDGE */
	CHECK_EQ(drv_gettime(h, 0, &loops), t0 + 5000);
	/* CTRL.EN off freezes the counter, on resumes from there. */
	h_wr32(h, 0, PTP_CTRL, 0);
	uint64_t frozen = drv_gettime(h, 0, &loops);
	h_advance(h, NS_PER_S);
	CHECK_EQ(drv_gettime(h, 0, &loops), frozen);
	h_wr32(h, 0, PTP_CTRL, 1);
	h_advance(h, 1000);
	int64_t d = diff(drv_gettime(h, 0, &loops), frozen + 1000);
	CHECK(d >= -1 && d <= 1);
	/* INIT also applies the staged addend (fbnic_ptp_reset relies on
	 * it: it never sets ADDEND_SET). */
	set_addend(h, DCLK_PERIOD * 2);
	h_wr32(h, 0, PTP_INIT_HI, 0);
	h_wr32(h, 0, PTP_INIT_LO, 0);
	h_wr32(h, 0, PTP_ADJUST, 1u);
	h_advance(h, 1000);
	d = diff(drv_gettime(h, 0, &loops), 2000);
	CHECK(d >= -1 && d <= 1);
	/* INIT loads an absolute value. */
	h_wr32(h, 0, PTP_INIT_HI, 0x12345678);
	h_wr32(h, 0, PTP_INIT_LO, 0x9abcdef0);
	h_wr32(h, 0, PTP_ADJUST, 1u);
	CHECK_EQ(drv_gettime(h, 0, &loops), 0x123456789abcdef0ull);
	/* Counters are read-only; the mono counter is not modelled. */
	long long ro = h_dump_value(h, "counters.ro_writes");
	h_wr32(h, 0, PTP_CTR_VAL_HI, 0);
	h_wr32(h, 0, PTP_CTR_VAL_LO, 0);
	CHECK_INT(h_dump_value(h, "counters.ro_writes"), ro + 2);
	CHECK_EQ(drv_gettime(h, 0, &loops), 0x123456789abcdef0ull);
	CHECK_EQ(h_rd32(h, 0, PTP_MONO_HI), 0);
	/* SPARE is storage (read as a flush). */
	h_wr32(h, 0, PTP_SPARE, 0xabc);
	CHECK_EQ(h_rd32(h, 0, PTP_SPARE), 0xabc);
	/* Function reset: stopped at 0 again. */
	fbnic_reset(h->dev);
	h_advance(h, 1000);
	CHECK_EQ(drv_gettime(h, 0, &loops), 0);
	h_destroy(h);
}

TEST_MAIN("ptp", TEST_CASE(test_power_on), TEST_CASE(test_reset_and_run),
	  TEST_CASE(test_read_loop_across_wrap), TEST_CASE(test_adjfine),
	  TEST_CASE(test_nudge_init_stop))
