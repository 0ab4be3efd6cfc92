/* SPDX-License-Identifier: Apache-2.0 */
/* The core's timer heap (dev/timer.h) over the adapter's one deadline:
 * many timers fire in deadline order, never early, each once; re-arming
 * and cancelling move them; a reset disarms all. */
#include <stdlib.h>

#include "dev/timer.h"
#include "harness.h"
#include "test.h"

#define N 300

static struct {
	struct fbnic_timer t[N];
	uint64_t due[N];
	uint64_t fired_at[N];
	unsigned fired[N];
	unsigned order[N];
	unsigned nfired;
	struct harness *h;
} T;

static void on_fire(struct fbnic *dev, struct fbnic_timer *t)
{
	(void)dev;
	unsigned i = (unsigned)(t - T.t);
	T.fired[i]++;
	T.fired_at[i] = T.h->now;
	T.order[T.nfired++] = i;
}

static void test_many_in_order(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	T.h = h;
	T.nfired = 0;
	srand(7);
	uint64_t base = h->now;
	for (unsigned i = 0; i < N; i++) {
		fbnic_timer_init(&T.t[i], on_fire);
		T.fired[i] = 0;
		T.due[i] = base + 1000 + (uint64_t)(rand() % 100000);
		fbnic_timer_set(h->dev, &T.t[i], T.due[i]);
	}
	/* move some: later, earlier; cancel a few */
	for (unsigned i = 0; i < N; i += 10) {
		T.due[i] = base + 500 + (uint64_t)(rand() % 200000);
		fbnic_timer_set(h->dev, &T.t[i], T.due[i]);
	}
	for (unsigned i = 5; i < N; i += 50) {
		fbnic_timer_cancel(h->dev, &T.t[i]);
		T.due[i] = UINT64_MAX;
	}
	h_advance(h, 300000);
	for (unsigned i = 0; i < N; i++) {
		if (T.due[i] == UINT64_MAX) {
			CHECK_INT(T.fired[i], 0);
			continue;
		}
		CHECK_INT(T.fired[i], 1);
		CHECK(T.fired_at[i] >= T.due[i]);
		CHECK(!fbnic_timer_armed(&T.t[i]));
	}
	unsigned out_of_order = 0;
	for (unsigned k = 1; k < T.nfired; k++)
		out_of_order += T.due[T.order[k - 1]] > T.due[T.order[k]];
	CHECK_INT(out_of_order, 0);
	CHECK_EQ(h->deadline, UINT64_MAX); /* nothing left for the adapter */
	h_destroy(h);
}

static void test_reset_disarms(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	T.h = h;
	T.nfired = 0;
	fbnic_timer_init(&T.t[0], on_fire);
	T.fired[0] = 0;
	fbnic_timer_set(h->dev, &T.t[0], h->now + 100);
	CHECK_EQ(h->deadline, h->now + 100);
	fbnic_reset(h->dev);
	CHECK(!fbnic_timer_armed(&T.t[0]));
	CHECK_EQ(h->deadline, UINT64_MAX);
	h_advance(h, 1000);
	CHECK_INT(T.fired[0], 0);
	h_destroy(h);
}

TEST_MAIN("device-timer", TEST_CASE(test_many_in_order),
	  TEST_CASE(test_reset_disarms))
