// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turn tracing of functions on and off while another CPU calls them, and
 * check every call the ftrace_ops handlers see, or do not.
 *
 * Two ops, one per tracee, also trace "tracee_anchor", which is never
 * called, so that their filters are never empty (an empty filter would trace
 * every function). Each of the nr_cycles cycles adds "tracee_counted" and
 * "tracee_hot" to the filters, has the worker thread call tracee_counted
 * nr_calls times, removes both again and has it call tracee_counted nr_calls
 * times more: the handler must have seen exactly the traced half.
 *
 * Throughout, the worker, bound to another CPU, calls tracee_hot as fast as
 * it can, so that its callsite is patched while it runs. The cycles are
 * numbered windows: traced (both filters hold the tracees, the update done),
 * untraced (both removed, the update done), and the updates between them.
 * The worker reads the window before and after each call of tracee_hot, and
 * learns from the handler whether it saw that call: a call made wholly
 * inside a traced window that the handler missed is lost, one made wholly
 * inside an untraced window that it saw is invented. Each window lasts
 * until the worker has made at least one call wholly inside it.
 *
 * The module fails to load with -EINVAL if a call is lost or invented, or a
 * count is off. It has unregistered its ops by the time it has loaded.
 *
 * Under QEMU, run it with one TCG thread: with several, a vCPU can go on
 * running a callsite's old instructions for a while after ftrace patched
 * it (arm64 and riscv both lost the first calls of a traced window, even
 * after an IPI to every CPU; with one thread, none in 12 million).
 */

#define pr_fmt(fmt)       KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/ftrace.h>
#include <linux/kthread.h>
#include <linux/module.h>

static unsigned int nr_cycles = 1000;
module_param(nr_cycles, uint, 0);
MODULE_PARM_DESC(nr_cycles, "How many times to trace and untrace the tracees");

static unsigned int nr_calls = 100;
module_param(nr_calls, uint, 0);
MODULE_PARM_DESC(nr_calls, "How many counted calls to make per half cycle");

static noinline void tracee_anchor(void)
{
	barrier();
}

static noinline void tracee_counted(void)
{
	barrier();
}

static noinline void tracee_hot(void)
{
	barrier();
}

/*
 * The windows, numbered from 0 on: window % 4 is one of these. The
 * controller moves to the next window; the worker only reads it.
 */
enum window_kind {
	WINDOW_UNTRACED,
	WINDOW_TRACING,		/* the tracees are being added */
	WINDOW_TRACED,
	WINDOW_UNTRACING,	/* the tracees are being removed */
};

static unsigned long window;

static enum window_kind kind_of(unsigned long w)
{
	return w % 4;
}

static void count_call(unsigned long ip, unsigned long parent_ip,
		       struct ftrace_ops *op, struct ftrace_regs *fregs);

struct counting_ops {
	struct ftrace_ops ops;
	atomic_long_t seen;
};

/* One ops per tracee, so that each callsite has one ops to call directly. */
static struct counting_ops counted_ops = { .ops.func = count_call };
static struct counting_ops hot_ops = { .ops.func = count_call };

/*
 * Set by hot_ops' handler, on the worker's CPU, in the call of tracee_hot
 * that the worker cleared it for.
 */
static bool hot_call_seen;

static void count_call(unsigned long ip, unsigned long parent_ip,
		       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct counting_ops *counting = container_of(op, struct counting_ops, ops);

	atomic_long_inc(&counting->seen);
	if (counting == &hot_ops)
		WRITE_ONCE(hot_call_seen, true);
}

/* What the worker saw of tracee_hot's calls; read once it has stopped. */
static struct {
	unsigned long calls;
	unsigned long traced;	/* made wholly inside a traced window */
	unsigned long untraced;	/* wholly inside an untraced one */
	unsigned long lost;
	unsigned long invented;
} hot;

/* The last window the worker made a call wholly inside of. */
static unsigned long window_called = ULONG_MAX;

/* The worker makes nr_calls counted calls when asked to, hot ones meanwhile. */
static DECLARE_COMPLETION(calls_requested);
static DECLARE_COMPLETION(calls_made);

static void call_hot(void)
{
	unsigned long before, after;
	bool seen;

	WRITE_ONCE(hot_call_seen, false);
	/* Pairs with enter_window(): the window's update is done before. */
	before = smp_load_acquire(&window);
	tracee_hot();
	/* Reads the window only after the call (and its handler) returned. */
	smp_rmb();
	after = READ_ONCE(window);
	seen = READ_ONCE(hot_call_seen);

	hot.calls++;
	if (before != after)
		return;
	if (kind_of(before) == WINDOW_TRACED) {
		hot.traced++;
		hot.lost += !seen;
	} else if (kind_of(before) == WINDOW_UNTRACED) {
		hot.untraced++;
		hot.invented += seen;
	}
	/* Pairs with enter_window(): the counts above are done before. */
	smp_store_release(&window_called, before);
}

static int worker_fn(void *unused)
{
	while (!kthread_should_stop()) {
		if (try_wait_for_completion(&calls_requested)) {
			for (unsigned int i = 0; i < nr_calls; i++)
				tracee_counted();
			complete(&calls_made);
		}
		call_hot();
		cond_resched();
	}
	return 0;
}

static void make_counted_calls(void)
{
	complete(&calls_requested);
	wait_for_completion(&calls_made);
}

/* Waits until the worker has made a call wholly inside the current window. */
static void wait_for_call_in_window(void)
{
	/* Pairs with call_hot(): the counts of that call are done before. */
	while (smp_load_acquire(&window_called) != window)
		cond_resched();
}

/* Moves to the next window, once the worker has made a call inside this one. */
static void enter_window(void)
{
	wait_for_call_in_window();
	/* Pairs with call_hot(): what the controller did comes before. */
	smp_store_release(&window, window + 1);
}

static int set_tracees(bool traced)
{
	int ret;

	ret = ftrace_set_filter_ip(&counted_ops.ops, (unsigned long)tracee_counted, !traced, 0);
	if (ret)
		return ret;
	return ftrace_set_filter_ip(&hot_ops.ops, (unsigned long)tracee_hot, !traced, 0);
}

/*
 * Two windows: the update that adds (@traced) or removes the tracees, then
 * the traced or untraced window after it, where the counted calls are made.
 */
static int switch_tracees(bool traced)
{
	int ret;

	enter_window();
	ret = set_tracees(traced);
	if (ret)
		return ret;
	enter_window();
	make_counted_calls();
	return 0;
}

/* One window of each kind, from an untraced one to the next. */
static int run_cycle(void)
{
	return switch_tracees(true) ?: switch_tracees(false);
}

static int run_cycles(void)
{
	long expected = 0;
	int ret;

	for (unsigned int cycle = 0; cycle < nr_cycles; cycle++) {
		ret = run_cycle();
		if (ret)
			return ret;

		expected += nr_calls;
		if (atomic_long_read(&counted_ops.seen) != expected) {
			pr_err("cycle %u: handler saw %ld counted calls, expected %ld\n",
			       cycle, atomic_long_read(&counted_ops.seen), expected);
			return -EINVAL;
		}
	}
	/* The last window, too, has a call made wholly inside it. */
	wait_for_call_in_window();
	return 0;
}

/*
 * What the worker saw of tracee_hot, now that it has stopped: no call lost
 * or invented, and the handler's count within what the windows allow.
 */
static int check_hot_calls(void)
{
	long seen = atomic_long_read(&hot_ops.seen);

	pr_info("tracee_hot: %lu calls, %lu in traced windows, %lu in untraced ones, %ld seen\n",
		hot.calls, hot.traced, hot.untraced, seen);
	if (hot.lost || hot.invented) {
		pr_err("tracee_hot: %lu calls lost, %lu invented\n", hot.lost, hot.invented);
		return -EINVAL;
	}
	if (hot.traced < nr_cycles || hot.untraced < nr_cycles ||
	    seen < hot.traced || seen > hot.calls - hot.untraced) {
		pr_err("tracee_hot: %ld calls seen, not between %lu and %lu\n", seen, hot.traced,
		       hot.calls - hot.untraced);
		return -EINVAL;
	}
	return 0;
}

static int register_counting_ops(struct counting_ops *ops)
{
	int ret = ftrace_set_filter_ip(&ops->ops, (unsigned long)tracee_anchor, 0, 0);

	if (!ret)
		ret = register_ftrace_function(&ops->ops);
	if (ret)
		ftrace_free_filter(&ops->ops);
	return ret;
}

static void unregister_counting_ops(struct counting_ops *ops)
{
	unregister_ftrace_function(&ops->ops);
	ftrace_free_filter(&ops->ops);
}

static int __init ftrace_ops_stress_init(void)
{
	struct task_struct *worker;
	unsigned int cpu;
	int ret;

	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu >= nr_cpu_ids) {
		pr_err("needs a second CPU\n");
		return -ENODEV;
	}

	ret = register_counting_ops(&counted_ops);
	if (ret)
		return ret;
	ret = register_counting_ops(&hot_ops);
	if (ret)
		goto unregister_counted;

	worker = kthread_run_on_cpu(worker_fn, NULL, cpu, "ftrace_stress/%u");
	if (IS_ERR(worker)) {
		ret = PTR_ERR(worker);
		goto unregister_hot;
	}

	ret = run_cycles();
	kthread_stop(worker);

	pr_info("%u cycles: %ld counted calls\n", nr_cycles, atomic_long_read(&counted_ops.seen));
	if (!ret)
		ret = check_hot_calls();
	if (!ret)
		pr_info("all calls counted\n");

unregister_hot:
	unregister_counting_ops(&hot_ops);
unregister_counted:
	unregister_counting_ops(&counted_ops);
	return ret;
}
module_init(ftrace_ops_stress_init);

static void __exit ftrace_ops_stress_exit(void)
{
}
module_exit(ftrace_ops_stress_exit);

MODULE_DESCRIPTION("Patch ftrace callsites while they run, checking every call");
MODULE_LICENSE("GPL");
