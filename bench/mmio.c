/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MMIO round-trip benchmark over vfio-user: what a vCPU pays per register
 * access.  Starts build/fbnic-emu, then times synchronous 32-bit BAR reads
 * (one message each way, as QEMU does for every readl) and posted writes
 * (NO_REPLY, as QEMU sends writel to a memory BAR), and a mailbox
 * round trip (host message -> FW completion).  Prints one line per figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vfu_client.h"

static int run(unsigned n, const char *mode)
{
	const char *const args[] = { mode, NULL };
	struct vfu_server s;
	struct vfu_client c;
	if (vfu_server_start(&s, args) || vfu_open(&s, &c)) {
		fprintf(stderr, "bench: cannot start fbnic-emu\n");
		return 1;
	}
	printf("%s:\n", mode);
	uint32_t v = 0;
	double t0 = test_now_s();
	for (unsigned i = 0; i < n; i++)
		vfu_region_read(&c, 0, 0x3106c, 4, &v); /* MASTER_SPARE_0 */
	double t1 = test_now_s();
	printf("mmio sync read32:   %8.2f us/op  %9.0f ops/s  (%u ops)\n",
	       (t1 - t0) * 1e6 / n, n / (t1 - t0), n);

	t0 = test_now_s();
	for (unsigned i = 0; i < n; i++)
		vfu_region_write_posted(&c, 0, 0x10000 * 4 + 0x1000, 4, &i);
	vfu_region_read(&c, 0, 0x3106c, 4, &v); /* drains: ordered after them */
	t1 = test_now_s();
	printf("mmio posted write32: %7.2f us/op  %9.0f ops/s  (%u ops)\n",
	       (t1 - t0) * 1e6 / n, n / (t1 - t0), n);

	vfu_disconnect(&c);
	return vfu_server_stop(&s) ? 1 : 0;
}

/* Trapped: every access a message.  Mapped: the same messages, each
 * preceded by the sync of the mapped pages (dev/shadow.h). */
int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
	return run(n, "--bar0-mmap=off") | run(n, "--bar0-mmap=on");
}
