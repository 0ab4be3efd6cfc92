/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny test framework.  Each test is a function; CHECK* record a failure
 * (file:line and the expression) and let the test go on, so one run shows
 * every broken assertion.  test_run_all() prints one line per failing test
 * and a closing "SUITE: N passed, N failed" line, which tests/run-suites
 * adds up for `make check`.
 */
#ifndef FBNIC_EMU_TEST_H
#define FBNIC_EMU_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

extern int test_failures; /* failures in the running test */

/* Monotonic time in seconds (the benchmarks' clock). */
double test_now_s(void);

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int test_run_all(const char *suite, const struct test_case *tests, int n,
		 int argc, char **argv);
/* FBNIC_FUZZ_SEEDS=DIR: append a record (hlen header bytes, then len
 * message bytes) to the file DIR/NAME (printf format), an input for a
 * tests/fuzz/ target, so the fuzzers start from the traffic the tests
 * really send.  Nothing without the variable. */
void test_seed_append(const void *hdr, size_t hlen, const void *msg,
		      size_t len, const char *name_fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

#define CHECK_EQ(a, b)                                                      \
	do {                                                                \
		unsigned long long a_ = (unsigned long long)(a);            \
		unsigned long long b_ = (unsigned long long)(b);            \
		if (a_ != b_)                                               \
			test_fail(__FILE__, __LINE__,                       \
				  "%s == %s: 0x%llx != 0x%llx", #a, #b, a_, \
				  b_);                                      \
	} while (0)

#define CHECK_INT(a, b)                                                    \
	do {                                                               \
		long long a_ = (long long)(a), b_ = (long long)(b);        \
		if (a_ != b_)                                              \
			test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
				  #a, #b, a_, b_);                         \
	} while (0)

#define CHECK_MEM(a, b, n)                                                    \
	do {                                                                  \
		if (memcmp((a), (b), (n)) != 0)                               \
			test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0", \
				  #a, #b, #n);                                \
	} while (0)

/* Abort the current test (after recording the failure) when a later step
 * would only crash or cascade. */
#define REQUIRE(cond)                                                        \
	do {                                                                 \
		if (!(cond)) {                                               \
			test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond); \
			return;                                              \
		}                                                            \
	} while (0)

#define TEST_CASE(fn) { #fn, fn }
#define TEST_MAIN(suite, ...)                                                \
	int main(int argc, char **argv)                                      \
	{                                                                    \
		static const struct test_case tests_[] = { __VA_ARGS__ };    \
		return test_run_all(suite, tests_,                           \
				    (int)(sizeof(tests_) / sizeof(tests_[0])), \
				    argc, argv);                             \
	}

#endif
