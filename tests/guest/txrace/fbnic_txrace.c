// SPDX-License-Identifier: GPL-2.0
/*
 * fbnic_txrace: widens, in the guest, the window of a race between the
 * fbnic driver's queue API and its transmit path, so that it shows in a
 * few bind/unbind cycles instead of one run in several thousand.
 *
 * fbnic_queue_stop (drivers/net/ethernet/meta/fbnic/fbnic_txrx.c) stops a
 * vector's TX subqueue with netif_stop_subqueue, which does not wait for a
 * transmit already under way; fbnic_down uses netif_tx_disable, which
 * takes each queue's TX lock and so does.  A transmit that has read
 * ring->tail before the stop and stores its new tail after the restart's
 * fbnic_enable_twq0 has reset the ring (head = tail = 0) rings a doorbell
 * that names the descriptors of the ring's previous use: the NIC sends
 * them and completes them, and fbnic_clean_twq0 reaps slots with no skb.
 *
 * The window lies between fbnic_tx_map's read of ring->tail and its store
 * of the new tail; its first call out of the module there is the
 * dma_map_single of the skb's head, dma_map_page_attrs.  A kprobe there
 * busy-waits DELAY_MS in one of EVERY transmits of the fbnic device (those
 * called from fbnic_xmit_frame, not the page pools' mappings).  The delay
 * holds the queue's TX lock, as a slow transmit does: a driver that waits
 * for that lock before it stops the queue is not affected.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

static unsigned int delay_ms = 20;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "busy-wait this long in a delayed transmit");
static unsigned int every = 20;
module_param(every, uint, 0644);
MODULE_PARM_DESC(every, "delay one fbnic transmit in this many");

static atomic_t seen = ATOMIC_INIT(0);
static atomic_t delayed = ATOMIC_INIT(0);
module_param_named(seen, seen.counter, int, 0444);
module_param_named(delayed, delayed.counter, int, 0444);

static bool from_xmit(unsigned long ret)
{
	static const char want[] = "fbnic_xmit_frame";
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol_no_offset(sym, ret);
	return !strncmp(sym, want, sizeof(want) - 1) &&
	       (sym[sizeof(want) - 1] == ' ' || sym[sizeof(want) - 1] == '\0' ||
		sym[sizeof(want) - 1] == '.');
}

static int pre(struct kprobe *p, struct pt_regs *regs)
{
	struct device *dev = (struct device *)regs->di;

	if (!dev || !dev->driver || strcmp(dev->driver->name, "fbnic"))
		return 0;
	/* at the probed function's first instruction, the return address */
	if (!from_xmit(*(unsigned long *)kernel_stack_pointer(regs)))
		return 0;
	if (every && atomic_inc_return(&seen) % every == 0) {
		atomic_inc(&delayed);
		mdelay(delay_ms);
	}
	return 0;
}

static struct kprobe kp = {
	.symbol_name = "dma_map_page_attrs",
	.pre_handler = pre,
};

static int __init txrace_init(void)
{
	int err = register_kprobe(&kp);

	if (err)
		pr_err("fbnic_txrace: kprobe on %s: %d\n", kp.symbol_name, err);
	else
		pr_info("fbnic_txrace: delaying 1 in %u fbnic transmits by %u ms\n",
			every, delay_ms);
	return err;
}

static void __exit txrace_exit(void)
{
	unregister_kprobe(&kp);
	pr_info("fbnic_txrace: %d transmits seen, %d delayed\n",
		atomic_read(&seen), atomic_read(&delayed));
}

module_init(txrace_init);
module_exit(txrace_exit);
MODULE_DESCRIPTION("Widen the fbnic queue-stop/transmit race (fbnic-emu)");
MODULE_LICENSE("GPL");
