// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register, unregister and refilter several ftrace_ops on functions that
 * another CPU calls all along, and check each call: every ops that traces a
 * function throughout a call must see it, and no ops that does not trace it
 * throughout may.
 *
 * NR_OPS ops trace NR_HOT functions in overlapping sets, so that a callsite
 * goes from no ops, to one it calls directly, to sets of two and three that
 * other callsites share, and back.  One ops asks for ftrace's recursion
 * protection, so that some sets call it through the assist function.  Each
 * of the nr_changes changes, drawn from a seeded pseudo-random sequence,
 * registers an ops (on a random part of the functions), unregisters one, or
 * adds or removes one function from one's filter.
 *
 * The changes are numbered windows, as in ftrace-ops-stress.c: window 2n is
 * a stable one, where which ops traces which function is known; window
 * 2n + 1 is the n-th change, while it is made.  A worker thread, bound to
 * another CPU, calls the functions in turn and reads the window before and
 * after each call; the handlers tell it which ops saw the call.  For a call
 * made wholly inside one window, every ops whose tracing of that function
 * the window does not change must have seen it exactly when it traces it;
 * only the ops being changed may go either way during its change.  Each
 * window lasts until the worker has made a call of each function inside it.
 *
 * The module fails to load with -EINVAL if a call was lost or invented, and
 * has unregistered its ops by the time it has loaded.  As with
 * ftrace-ops-stress.c, run it under QEMU with one TCG thread.
 */

#define pr_fmt(fmt)       KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/ftrace.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>

#define NR_OPS	3
#define NR_HOT	4
/* A window's record, in a ring the worker reads while the next is made. */
#define NR_WINDOW_SLOTS	4

static unsigned int nr_changes = 1000;
module_param(nr_changes, uint, 0);
MODULE_PARM_DESC(nr_changes, "How many registrations, unregistrations and filter edits to make");

static unsigned int seed = 1;
module_param(seed, uint, 0);
MODULE_PARM_DESC(seed, "Seed of the changes' pseudo-random sequence");

static noinline void tracee_anchor(void)
{
	barrier();
}

static noinline void tracee_hot_0(void) { barrier(); }
static noinline void tracee_hot_1(void) { barrier(); }
static noinline void tracee_hot_2(void) { barrier(); }
static noinline void tracee_hot_3(void) { barrier(); }

static void (*const hot[NR_HOT])(void) = {
	tracee_hot_0, tracee_hot_1, tracee_hot_2, tracee_hot_3,
};

/* Which ops trace which function: bit (ops) of traced[function]. */
struct tracing {
	unsigned long traced[NR_HOT];
};

/*
 * Window w's tracing before and after it: the same in a stable window; in a
 * change, the bits that differ are the ones being changed.
 */
struct window_record {
	struct tracing before;
	struct tracing after;
};

static struct window_record windows[NR_WINDOW_SLOTS];
static unsigned long window;

static struct window_record *record_of(unsigned long w)
{
	return &windows[w % NR_WINDOW_SLOTS];
}

struct stress_ops {
	struct ftrace_ops ops;
	unsigned int index;
	bool registered;
};

/* Which ops saw the worker's current call; only the worker's CPU writes. */
static unsigned long seen_by;

static void saw_call(unsigned long ip, unsigned long parent_ip,
		     struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct stress_ops *self = container_of(op, struct stress_ops, ops);

	WRITE_ONCE(seen_by, READ_ONCE(seen_by) | BIT(self->index));
}

static struct stress_ops stress_ops[NR_OPS] = {
	{ .ops.func = saw_call, .index = 0 },
	{ .ops.func = saw_call, .index = 1 },
	/* Called through ftrace_ops_assist_func(), alone or in a set. */
	{ .ops.func = saw_call, .ops.flags = FTRACE_OPS_FL_RECURSION, .index = 2 },
};

/* What the worker found, read once it has stopped. */
static struct {
	unsigned long calls;
	unsigned long checked;	/* made wholly inside one window */
	unsigned long lost;
	unsigned long invented;
} worker_calls;

/* The last window the worker called every function wholly inside of. */
static unsigned long window_called = ULONG_MAX;

/* Checks one call of hot[@f] made wholly inside window @w. */
static void check_call(unsigned long w, unsigned int f, unsigned long seen)
{
	const struct window_record *rec = record_of(w);
	unsigned long before = rec->before.traced[f], after = rec->after.traced[f];
	unsigned long certain = ~(before ^ after);

	worker_calls.checked++;
	worker_calls.lost += hweight_long(before & certain & ~seen);
	worker_calls.invented += hweight_long(~before & certain & seen);
	if ((before ^ seen) & certain && worker_calls.lost + worker_calls.invented <= 10)
		pr_err("window %lu, tracee_hot_%u: traced by %#lx, seen by %#lx\n",
		       w, f, before, seen);
}

/* Calls each function once; returns whether all were inside one window. */
static bool call_each(void)
{
	unsigned long before, after, seen, first;
	bool inside = true;

	/* Pairs with next_window(), as below. */
	first = smp_load_acquire(&window);

	for (unsigned int f = 0; f < NR_HOT; f++) {
		WRITE_ONCE(seen_by, 0);
		/* Pairs with next_window(): the window's record is whole. */
		before = smp_load_acquire(&window);
		hot[f]();
		/* Reads the window only after the call and its handlers. */
		smp_rmb();
		after = READ_ONCE(window);
		seen = READ_ONCE(seen_by);

		worker_calls.calls++;
		if (before == after)
			check_call(before, f, seen);
		inside &= before == first && after == first;
	}
	if (inside)
		/* Pairs with wait_for_calls(): the checks above are done. */
		smp_store_release(&window_called, first);
	return inside;
}

static int worker_fn(void *unused)
{
	while (!kthread_should_stop()) {
		call_each();
		cond_resched();
	}
	return 0;
}

static void wait_for_calls(void)
{
	/* Pairs with call_each(). */
	while (smp_load_acquire(&window_called) != window)
		cond_resched();
}

/* Moves to the next window, whose record says @before and @after. */
static void next_window(const struct tracing *before, const struct tracing *after)
{
	struct window_record *rec = record_of(window + 1);

	wait_for_calls();
	rec->before = *before;
	rec->after = *after;
	/* Pairs with call_each(): the record is whole before the window starts. */
	smp_store_release(&window, window + 1);
}

static struct tracing now;

static void set_traced(struct tracing *t, unsigned int o, unsigned int f, bool traced)
{
	if (traced)
		t->traced[f] |= BIT(o);
	else
		t->traced[f] &= ~BIT(o);
}

static int set_hot_filter(struct stress_ops *o, unsigned int f, bool traced)
{
	return ftrace_set_filter_ip(&o->ops, (unsigned long)hot[f], !traced, 0);
}

/*
 * Registers @o on tracee_anchor, so that its filter is never empty (which
 * would trace every function), and on the functions of @mask: the filter it
 * had before is reset, not freed (ftrace_free_filter() is for an ops that
 * goes away).
 */
static int register_on(struct stress_ops *o, unsigned long mask)
{
	int ret = ftrace_set_filter_ip(&o->ops, (unsigned long)tracee_anchor, 0, 1);

	for (unsigned int f = 0; !ret && f < NR_HOT; f++)
		if (mask & BIT(f))
			ret = set_hot_filter(o, f, true);
	if (!ret)
		ret = register_ftrace_function(&o->ops);
	o->registered = !ret;
	return ret;
}

static int unregister(struct stress_ops *o)
{
	o->registered = false;
	return unregister_ftrace_function(&o->ops);
}

/* One change, in window 2n + 1, between two stable windows. */
static int make_change(struct rnd_state *rnd)
{
	struct stress_ops *o = &stress_ops[prandom_u32_state(rnd) % NR_OPS];
	unsigned int f = prandom_u32_state(rnd) % NR_HOT;
	struct tracing next = now;
	bool traced;
	int ret;

	/* Which bits change is known before the change is made. */
	if (!o->registered) {
		unsigned long mask = prandom_u32_state(rnd) % BIT(NR_HOT);

		for (unsigned int g = 0; g < NR_HOT; g++)
			set_traced(&next, o->index, g, mask & BIT(g));
		next_window(&now, &next);
		ret = register_on(o, mask);
	} else if (prandom_u32_state(rnd) % 4 == 0) {
		for (unsigned int g = 0; g < NR_HOT; g++)
			set_traced(&next, o->index, g, false);
		next_window(&now, &next);
		ret = unregister(o);
	} else {
		traced = !(now.traced[f] & BIT(o->index));
		set_traced(&next, o->index, f, traced);
		next_window(&now, &next);
		ret = set_hot_filter(o, f, traced);
	}
	if (ret)
		return ret;
	now = next;
	next_window(&now, &now);
	return 0;
}

static int make_changes(void)
{
	struct rnd_state rnd;
	int ret = 0;

	prandom_seed_state(&rnd, seed);
	for (unsigned int n = 0; !ret && n < nr_changes; n++)
		ret = make_change(&rnd);
	/* The last window, too, has each function called wholly inside it. */
	if (!ret)
		wait_for_calls();
	return ret;
}

static void unregister_all(void)
{
	for (unsigned int o = 0; o < NR_OPS; o++) {
		if (stress_ops[o].registered)
			unregister(&stress_ops[o]);
		ftrace_free_filter(&stress_ops[o].ops);
	}
}

static int __init ftrace_ops_sets_stress_init(void)
{
	struct task_struct *worker;
	unsigned int cpu;
	int ret;

	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu >= nr_cpu_ids) {
		pr_err("needs a second CPU\n");
		return -ENODEV;
	}

	worker = kthread_run_on_cpu(worker_fn, NULL, cpu, "ftrace_sets/%u");
	if (IS_ERR(worker))
		return PTR_ERR(worker);

	ret = make_changes();
	kthread_stop(worker);
	unregister_all();
	if (ret) {
		pr_err("change failed: %d\n", ret);
		return ret;
	}

	pr_info("%u changes, %lu windows: %lu calls, %lu checked, %lu lost, %lu invented\n",
		nr_changes, window + 1, worker_calls.calls, worker_calls.checked,
		worker_calls.lost, worker_calls.invented);
	/* Each window has a call of each function wholly inside it. */
	if (worker_calls.lost || worker_calls.invented ||
	    worker_calls.checked < NR_HOT * (window + 1))
		return -EINVAL;
	pr_info("every call seen by exactly the ops tracing it\n");
	return 0;
}
module_init(ftrace_ops_sets_stress_init);

static void __exit ftrace_ops_sets_stress_exit(void)
{
}
module_exit(ftrace_ops_sets_stress_exit);

MODULE_DESCRIPTION("Change which ftrace_ops trace running functions, checking every call");
MODULE_LICENSE("GPL");
