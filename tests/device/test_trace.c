/* SPDX-License-Identifier: Apache-2.0 */
/* The device event trace (dump trace): what it records, that it stays
 * silent when off, and that the ring keeps the newest events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/csr.h"
#include "dev/trace.h"
#include "fw/fw.h"
#include "fw/tlv.h"
#include "harness.h"
#include "hdrv.h"
#include "test.h"

static char *trace_text(struct harness *h)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	fbnic_trace_dump(h->dev, f);
	fclose(f);
	return text;
}

static void test_records_mailbox_irq_queue_link(void)
{
	struct harness *h = h_create(NULL);
	struct hdrv d;
	REQUIRE(h);
	hdrv_mbx_init(&d, h);
	h_run(h);
	char *t = trace_text(h);
	CHECK(t && !strcmp(t, "trace off, 0 of 0 events\n"));
	free(t);
	fbnic_trace_set(h->dev, true);
	hdrv_enable(&d);
	h_wr32(h, 0, FBNIC_INTR_MASK_CLEAR(0), 1u << FBNIC_FW_MSIX_ENTRY);
	uint8_t buf[64];
	struct tlv_builder b;
	tlv_msg_init(&b, buf, sizeof(buf), FW_MSG_HOST_CAP_REQ);
	int len = tlv_msg_finish(&b);
	REQUIRE(len > 0);
	CHECK(hdrv_send(&d, buf, (uint16_t)len));
	h_run(h);
	h_wr32(h, 0, FBNIC_QUEUE(3) + FBNIC_QUEUE_TWQ0_TAIL, 7);
	fbnic_link_set(h->dev, false);
	t = trace_text(h);
	REQUIRE(t);
	/* HOST_CAP_REQ: TLV header type 0x10, message bit, 1 dword */
	CHECK(strstr(t, " mbx-tx 0 0x4 0x18010\n") != NULL);
	CHECK(strstr(t, " mbx-rx 0 0x") != NULL);                 /* FW_CAP_RESP */
	CHECK(strstr(t, " irq 0 0x0 0x0\n") != NULL);
	CHECK(strstr(t, " queue-write 3 0x2 0x7\n") != NULL);
	CHECK(strstr(t, " link 0 0x0 0x0\n") != NULL);
	free(t);
	/* off: nothing more */
	fbnic_trace_set(h->dev, false);
	fbnic_link_set(h->dev, true);
	t = trace_text(h);
	CHECK(t && strstr(t, "trace off, ") && !strstr(t, " link 1 "));
	free(t);
	h_destroy(h);
}

static void test_ring_keeps_the_newest(void)
{
	struct harness *h = h_create(NULL);
	REQUIRE(h);
	fbnic_trace_set(h->dev, true);
	for (uint32_t i = 0; i < FBNIC_TRACE_LEN + 10; i++)
		h_wr32(h, 0, FBNIC_QUEUE(0) + FBNIC_QUEUE_TWQ0_TAIL, i);
	char *t = trace_text(h);
	REQUIRE(t);
	char want[64];
	snprintf(want, sizeof(want), "trace on, %u of %u events\n", FBNIC_TRACE_LEN,
		 FBNIC_TRACE_LEN + 10);
	CHECK(!strncmp(t, want, strlen(want)));
	CHECK(strstr(t, " 0x2 0x9\n") == NULL);  /* overwritten */
	CHECK(strstr(t, " 0x2 0xa\n") != NULL);  /* the oldest kept */
	snprintf(want, sizeof(want), " 0x2 0x%x\n", FBNIC_TRACE_LEN + 9);
	CHECK(strstr(t, want) != NULL);
	free(t);
	fbnic_trace_clear(h->dev);
	t = trace_text(h);
	CHECK(t && !strncmp(t, "trace on, 0 of ", 15));
	free(t);
	h_destroy(h);
}

TEST_MAIN("device-trace", TEST_CASE(test_records_mailbox_irq_queue_link),
	  TEST_CASE(test_ring_keeps_the_newest))
