// SPDX-License-Identifier: GPL-2.0
/*
 * failfn_shim: the kernel's function error injection interface
 * (/sys/kernel/debug/fail_function, Documentation/fault-injection/
 * fault-injection.rst) for a kernel built without it, as Debian's is
 * (CONFIG_FUNCTION_ERROR_INJECTION and CONFIG_FAULT_INJECTION unset), so
 * that the selftests that use it run unchanged: drivers/net/hw/
 * pp_alloc_fail.py fails one page pool allocation in 512 while traffic
 * runs and checks the driver recovers.  tools/fbnic-selftests builds it
 * against the guest kernel's headers and tools/vm/ksft-guest loads it
 * when the kernel has no fail_function of its own.
 *
 * What it keeps of the kernel's interface: one function at a time
 * ("inject": write a name to add it, "!NAME" or an empty line to remove
 * it; reading lists it; while injected, a folder of its name holds its
 * "retval", 0 unless set: the kernel's default for these, a NULL pointer
 * or a zero netmem).  Whether a call fails is decided as the kernel's
 * should_fail decides it from four knobs: "times" (-1 without end, else
 * how many failures are left), "interval" (only every Nth call may fail),
 * "probability" (percent), "verbose" (0: quiet, else a line per failure,
 * rate-limited).  Not kept: the space, task and stack filters, and the
 * error-injection whitelist (only functions named in ALLOWED may be
 * injected).
 *
 * The failure: a kprobe at the function's entry sets the return value,
 * then makes the function return at once (its IP to a function that
 * returns, the caller's return address still on the stack), as the
 * kernel's fei_kprobe_handler and override_function_with_return do on
 * x86.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#ifndef CONFIG_X86_64
#error "failfn_shim overrides a function's return the x86-64 way"
#endif

/* the functions a test may inject: those returning a pointer or a
 * netmem, for which 0 is the failure */
static const char *const ALLOWED[] = {
	"page_pool_alloc_netmems",
	"page_pool_alloc_pages",
	"page_pool_alloc_frag_netmem",
};

static struct dentry *dir, *fn_dir;
static u64 retval; /* the injected function's fail_function/NAME/retval */
static DEFINE_MUTEX(lock);
static struct kprobe kp;
static bool armed;
static char name[KSYM_NAME_LEN];

static int times = 1;
static unsigned long interval = 1;
static unsigned long probability;
static u32 verbose = 2;
static atomic_long_t calls = ATOMIC_LONG_INIT(0);
static atomic_t left = ATOMIC_INIT(1);
static atomic_t failed = ATOMIC_INIT(0);

/* where a failed call goes instead of its body: a return, nothing else
 * (the return value already in the registers, the caller's return
 * address on top of the stack), as the kernel's just_return_func */
void failfn_return(void);
asm(".text\n"
    ".type failfn_return, @function\n"
    ASM_FUNC_ALIGN
    "failfn_return:\n"
    ANNOTATE_NOENDBR "\n"
    ASM_RET
    ".size failfn_return, .-failfn_return\n");

static bool should_fail(void)
{
	if (!probability || !atomic_read(&left))
		return false;
	if (interval > 1 && atomic_long_inc_return(&calls) % interval)
		return false;
	if (probability < 100 && get_random_u32_below(100) >= probability)
		return false;
	if (times != -1 && atomic_dec_if_positive(&left) < 0)
		return false;
	return true;
}

static int failfn_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (!should_fail())
		return 0;
	atomic_inc(&failed);
	if (verbose)
		pr_info_ratelimited("failfn_shim: %s fails (%d so far)\n",
				    p->symbol_name, atomic_read(&failed));
	regs_set_return_value(regs, (unsigned long)READ_ONCE(retval));
	instruction_pointer_set(regs, (unsigned long)failfn_return);
	return 1; /* the IP changed: no single-step of the probed insn */
}

static void disarm(void)
{
	if (armed) {
		unregister_kprobe(&kp);
		debugfs_remove(fn_dir);
		fn_dir = NULL;
	}
	armed = false;
	name[0] = '\0';
}

static ssize_t inject_write(struct file *f, const char __user *buf,
			    size_t count, loff_t *pos)
{
	char line[KSYM_NAME_LEN], *want;
	size_t n = min(count, sizeof(line) - 1);
	int err;

	if (copy_from_user(line, buf, n))
		return -EFAULT;
	line[n] = '\0';
	want = strim(line);
	mutex_lock(&lock);
	/* an empty line: no function injected; "!NAME": not NAME */
	if (!want[0] || (want[0] == '!' && armed && !strcmp(want + 1, name))) {
		disarm();
		mutex_unlock(&lock);
		return count;
	}
	err = -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(ALLOWED); i++)
		if (!strcmp(want, ALLOWED[i]))
			err = 0;
	if (!err && armed)
		err = -EBUSY; /* one function at a time */
	if (!err) {
		strscpy(name, want, sizeof(name));
		memset(&kp, 0, sizeof(kp));
		kp.symbol_name = name;
		kp.pre_handler = failfn_pre;
		retval = 0;
		err = register_kprobe(&kp);
		armed = !err;
		if (err) {
			name[0] = '\0';
		} else {
			/* as the kernel's: a folder named after the function
			 * (pp_alloc_fail.py looks for it), with its retval */
			fn_dir = debugfs_create_dir(name, dir);
			debugfs_create_x64("retval", 0600, fn_dir, &retval);
		}
	}
	mutex_unlock(&lock);
	return err ? err : count;
}

static ssize_t inject_read(struct file *f, char __user *buf, size_t count,
			   loff_t *pos)
{
	char line[KSYM_NAME_LEN + 2];
	int n;

	mutex_lock(&lock);
	n = armed ? scnprintf(line, sizeof(line), "%s\n", name) : 0;
	mutex_unlock(&lock);
	return simple_read_from_buffer(buf, count, pos, line, n);
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.read = inject_read,
	.write = inject_write,
	.llseek = default_llseek,
};

/* "times": also resets what is left to fail */
static int times_set(void *data, u64 v)
{
	times = (int)(s64)v;
	atomic_set(&left, times < 0 ? INT_MAX : times);
	return 0;
}

static int times_get(void *data, u64 *v)
{
	*v = (u64)(s64)times;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(times_fops, times_get, times_set, "%lld\n");

static int interval_set(void *data, u64 v)
{
	if (!v)
		return -EINVAL;
	interval = v;
	return 0;
}

static int interval_get(void *data, u64 *v)
{
	*v = interval;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(interval_fops, interval_get, interval_set, "%llu\n");

static int probability_set(void *data, u64 v)
{
	if (v > 100)
		return -EINVAL;
	probability = v;
	return 0;
}

static int probability_get(void *data, u64 *v)
{
	*v = probability;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(probability_fops, probability_get, probability_set,
			 "%llu\n");

static int __init failfn_init(void)
{
	struct dentry *own = debugfs_lookup("fail_function", NULL);

	if (own) {
		dput(own);
		pr_err("failfn_shim: the kernel has a fail_function of its own\n");
		return -EEXIST;
	}
	dir = debugfs_create_dir("fail_function", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	debugfs_create_file("inject", 0600, dir, NULL, &inject_fops);
	debugfs_create_file_unsafe("times", 0600, dir, NULL, &times_fops);
	debugfs_create_file_unsafe("interval", 0600, dir, NULL, &interval_fops);
	debugfs_create_file_unsafe("probability", 0600, dir, NULL,
				   &probability_fops);
	debugfs_create_u32("verbose", 0600, dir, &verbose);
	debugfs_create_atomic_t("failed", 0400, dir, &failed);
	pr_info("failfn_shim: /sys/kernel/debug/fail_function (shim)\n");
	return 0;
}

static void __exit failfn_exit(void)
{
	mutex_lock(&lock);
	disarm();
	mutex_unlock(&lock);
	debugfs_remove(dir);
	pr_info("failfn_shim: %d calls failed\n", atomic_read(&failed));
}

module_init(failfn_init);
module_exit(failfn_exit);
MODULE_DESCRIPTION("fail_function for kernels built without it (fbnic-emu rig)");
MODULE_LICENSE("GPL");
