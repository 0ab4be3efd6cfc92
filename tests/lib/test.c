/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

int test_failures;
static const char *current;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "  FAIL %s (%s:%d): ", current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test_failures++;
}

/* Usage: SUITE [NAME...]: run all tests, or only those named. */
int test_run_all(const char *suite, const struct test_case *tests, int n,
		 int argc, char **argv)
{
	int passed = 0, failed = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n; i++) {
		if (argc > 1) {
			int wanted = 0;
			for (int a = 1; a < argc; a++)
				wanted |= strcmp(argv[a], tests[i].name) == 0;
			if (!wanted)
				continue;
		}
		current = tests[i].name;
		test_failures = 0;
		tests[i].fn();
		if (test_failures) {
			failed++;
			printf("not ok %s\n", tests[i].name);
		} else {
			passed++;
			if (getenv("TEST_VERBOSE"))
				printf("ok %s\n", tests[i].name);
		}
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}

void test_seed_append(const void *hdr, size_t hlen, const void *msg,
		      size_t len, const char *name_fmt, ...)
{
	const char *dir = getenv("FBNIC_FUZZ_SEEDS");
	if (!dir || !*dir)
		return;
	char name[256], path[4096];
	va_list ap;
	va_start(ap, name_fmt);
	vsnprintf(name, sizeof(name), name_fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "ab");
	if (!f)
		return;
	fwrite(hdr, 1, hlen, f);
	fwrite(msg, 1, len, f);
	fclose(f);
}

double test_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
