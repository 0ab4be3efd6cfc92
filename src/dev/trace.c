/* SPDX-License-Identifier: Apache-2.0 */
#include "trace.h"

#include "dev.h"

static const char *const kind_name[FBNIC_TR_KINDS] = {
	[FBNIC_TR_RESET] = "reset",
	[FBNIC_TR_QUEUE_WRITE] = "queue-write",
	[FBNIC_TR_DOORBELL] = "doorbell",
	[FBNIC_TR_DESC] = "desc",
	[FBNIC_TR_COMPLETION] = "completion",
	[FBNIC_TR_IRQ] = "irq",
	[FBNIC_TR_MBX_TX] = "mbx-tx",
	[FBNIC_TR_MBX_RX] = "mbx-rx",
	[FBNIC_TR_LINK] = "link",
	[FBNIC_TR_PORT_TX] = "port-tx",
	[FBNIC_TR_PORT_RX] = "port-rx",
};

void fbnic_trace_record(struct fbnic *dev, enum fbnic_trace_kind kind,
			uint16_t a, uint32_t b, uint64_t c)
{
	struct fbnic_trace *t = &dev->trace;
	struct fbnic_trace_ev *e = &t->ev[t->head];
	e->ns = dev->host.now_ns(dev->host.opaque);
	e->kind = (uint16_t)kind;
	e->a = a;
	e->b = b;
	e->c = c;
	t->head = (t->head + 1) % FBNIC_TRACE_LEN;
	if (t->count < FBNIC_TRACE_LEN)
		t->count++;
	t->recorded++;
}

void fbnic_trace_print(struct fbnic *dev, FILE *out)
{
	const struct fbnic_trace *t = &dev->trace;
	fprintf(out, "trace %s, %u of %llu events\n", t->on ? "on" : "off",
		t->count, (unsigned long long)t->recorded);
	unsigned first = (t->head + FBNIC_TRACE_LEN - t->count) % FBNIC_TRACE_LEN;
	for (unsigned i = 0; i < t->count; i++) {
		const struct fbnic_trace_ev *e = &t->ev[(first + i) % FBNIC_TRACE_LEN];
		const char *k = e->kind < FBNIC_TR_KINDS ? kind_name[e->kind] : "?";
		fprintf(out, "%llu.%09llu %s %u 0x%x 0x%llx\n",
			(unsigned long long)(e->ns / 1000000000u),
			(unsigned long long)(e->ns % 1000000000u), k, e->a, e->b,
			(unsigned long long)e->c);
	}
}
