// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turn tracing of functions on and off while another CPU calls them, and
 * count every call the ftrace_ops handlers see.
 *
 * Two ops, one per tracee, also trace "tracee_anchor", which is never
 * called, so that their filters are never empty (an empty filter would trace
 * every function). Each of the nr_cycles cycles adds "tracee_counted" and
 * "tracee_hot" to the filters,
 * has the worker thread call tracee_counted nr_calls times, removes both
 * again and has it call tracee_counted nr_calls times more. Throughout, the
 * worker, bound to another CPU, calls tracee_hot as fast as it can: its
 * callsite is patched while it runs.
 *
 * The handlers must see every call made while the function is traced and
 * no other: the module fails to load with -EINVAL if a count is off. It has
 * unregistered its ops by the time it has loaded.
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

struct counting_ops {
	struct ftrace_ops ops;
	atomic_long_t seen;
};

static void count_call(unsigned long ip, unsigned long parent_ip,
		       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	atomic_long_inc(&container_of(op, struct counting_ops, ops)->seen);
}

/* One ops per tracee, so that each callsite has one ops to call directly. */
static struct counting_ops counted_ops = { .ops.func = count_call };
static struct counting_ops hot_ops = { .ops.func = count_call };
static unsigned long calls_hot;

/* The worker makes nr_calls counted calls when asked to, hot ones meanwhile. */
static DECLARE_COMPLETION(calls_requested);
static DECLARE_COMPLETION(calls_made);

static int worker_fn(void *unused)
{
	while (!kthread_should_stop()) {
		if (try_wait_for_completion(&calls_requested)) {
			for (unsigned int i = 0; i < nr_calls; i++)
				tracee_counted();
			complete(&calls_made);
		}
		tracee_hot();
		calls_hot++;
		cond_resched();
	}
	return 0;
}

static void make_counted_calls(void)
{
	complete(&calls_requested);
	wait_for_completion(&calls_made);
}

static int set_tracees(bool traced)
{
	int ret;

	ret = ftrace_set_filter_ip(&counted_ops.ops, (unsigned long)tracee_counted, !traced, 0);
	if (ret)
		return ret;
	return ftrace_set_filter_ip(&hot_ops.ops, (unsigned long)tracee_hot, !traced, 0);
}

static int run_cycles(void)
{
	long expected = 0;
	int ret;

	for (unsigned int cycle = 0; cycle < nr_cycles; cycle++) {
		ret = set_tracees(true);
		if (ret)
			return ret;
		make_counted_calls();
		expected += nr_calls;

		ret = set_tracees(false);
		if (ret)
			return ret;
		make_counted_calls();

		if (atomic_long_read(&counted_ops.seen) != expected) {
			pr_err("cycle %u: handler saw %ld counted calls, expected %ld\n",
			       cycle, atomic_long_read(&counted_ops.seen), expected);
			return -EINVAL;
		}
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

	pr_info("%u cycles: %ld counted calls, %ld of %lu hot calls seen\n", nr_cycles,
		atomic_long_read(&counted_ops.seen), atomic_long_read(&hot_ops.seen), calls_hot);
	if (!ret && (!atomic_long_read(&hot_ops.seen) ||
		     atomic_long_read(&hot_ops.seen) > calls_hot)) {
		pr_err("handler saw %ld hot calls of %lu\n",
		       atomic_long_read(&hot_ops.seen), calls_hot);
		ret = -EINVAL;
	}
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

MODULE_DESCRIPTION("Patch ftrace callsites while they run, counting every call");
MODULE_LICENSE("GPL");
