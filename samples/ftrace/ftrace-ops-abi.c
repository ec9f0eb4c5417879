// SPDX-License-Identifier: GPL-2.0-only
/*
 * Check that tracing a function never changes the arguments it receives.
 *
 * The ftrace trampolines save only some registers around the handlers: the
 * ones the C calling convention passes arguments in. A compiler may pass
 * more in others when it sees every call of a function: clang (LLVM's
 * fastcc) passes the arguments after the eighth of a static function whose
 * address is never taken in t2-t6 on riscv. The tracees below are such
 * functions, with 9 to 16 arguments, and one more that is called through a
 * pointer, with the C convention. Each returns a checksum in which every
 * argument counts at its own position.
 *
 * The module calls each tracee untraced, then traced by one ftrace_ops and
 * by two (the list function), then untraced again, with the same random
 * arguments; a handler clobbers every register a C function may. Every
 * call must return the first one's result, and each ops must have seen
 * every traced call: the module fails to load with -EINVAL otherwise.
 * Whether the compiler did use fastcc is for the build to check
 * (tools/testing/callops/fastcc-args.py), by disassembling this module.
 */

#define pr_fmt(fmt)       KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/random.h>

#define NR_ARGS_MAX	16

static u64 args[NR_ARGS_MAX];

/* Every argument changes the result, and none the same way as another. */
static __always_inline u64 checksum(const u64 *values, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum = ror64(sum, 7) ^ (values[i] * (2 * i + 1));
	return sum;
}

#define TRACEE(n, ...)							\
static noinline u64 ftrace_ops_abi_tracee_##n(__VA_ARGS__)

#define ARGS9	u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9
#define ARGS12	ARGS9, u64 a10, u64 a11, u64 a12
#define ARGS16	ARGS12, u64 a13, u64 a14, u64 a15, u64 a16

TRACEE(9, ARGS9)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(10, ARGS9, u64 a10)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(11, ARGS9, u64 a10, u64 a11)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(12, ARGS12)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(13, ARGS12, u64 a13)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(14, ARGS12, u64 a13, u64 a14)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(15, ARGS12, u64 a13, u64 a14, u64 a15)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15 };

	return checksum(v, ARRAY_SIZE(v));
}

TRACEE(16, ARGS16)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16 };

	return checksum(v, ARRAY_SIZE(v));
}

/* The C convention, for the call through a pointer. */
static noinline u64 ftrace_ops_abi_tracee_indirect(ARGS16)
{
	u64 v[] = { a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16 };

	return checksum(v, ARRAY_SIZE(v));
}

#define ARG(i)	READ_ONCE(args[(i) - 1])
#define NR_TRACEES	9

/* Calls every tracee once, with the arguments of the moment. */
static void call_tracees(u64 *results)
{
	/* Called through a pointer, which keeps it to the C convention. */
	u64 (*indirect)(ARGS16) = ftrace_ops_abi_tracee_indirect;

	OPTIMIZER_HIDE_VAR(indirect);
	results[0] = ftrace_ops_abi_tracee_9(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6), ARG(7),
					     ARG(8), ARG(9));
	results[1] = ftrace_ops_abi_tracee_10(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10));
	results[2] = ftrace_ops_abi_tracee_11(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10), ARG(11));
	results[3] = ftrace_ops_abi_tracee_12(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10), ARG(11), ARG(12));
	results[4] = ftrace_ops_abi_tracee_13(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10), ARG(11), ARG(12),
					      ARG(13));
	results[5] = ftrace_ops_abi_tracee_14(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10), ARG(11), ARG(12),
					      ARG(13), ARG(14));
	results[6] = ftrace_ops_abi_tracee_15(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10), ARG(11), ARG(12),
					      ARG(13), ARG(14), ARG(15));
	results[7] = ftrace_ops_abi_tracee_16(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6),
					      ARG(7), ARG(8), ARG(9), ARG(10), ARG(11), ARG(12),
					      ARG(13), ARG(14), ARG(15), ARG(16));
	results[8] = indirect(ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), ARG(6), ARG(7), ARG(8),
			      ARG(9), ARG(10), ARG(11), ARG(12), ARG(13), ARG(14), ARG(15),
			      ARG(16));
}

struct counting_ops {
	struct ftrace_ops ops;
	atomic_long_t seen;
};

/*
 * Counts the call, then overwrites every register a C function may leave
 * changed (arm64: x0-x17, not x18, the shadow call stack's pointer; riscv:
 * t0-t6 and a0-a7).
 */
static void notrace count_and_clobber(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	atomic_long_inc(&container_of(op, struct counting_ops, ops)->seen);
#if defined(CONFIG_ARM64)
	asm volatile("mov x0, #-1\n\tmov x1, #-1\n\tmov x2, #-1\n\tmov x3, #-1\n\t"
		     "mov x4, #-1\n\tmov x5, #-1\n\tmov x6, #-1\n\tmov x7, #-1\n\t"
		     "mov x8, #-1\n\tmov x9, #-1\n\tmov x10, #-1\n\tmov x11, #-1\n\t"
		     "mov x12, #-1\n\tmov x13, #-1\n\tmov x14, #-1\n\tmov x15, #-1\n\t"
		     "mov x16, #-1\n\tmov x17, #-1"
		     ::: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
		     "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
#elif defined(CONFIG_RISCV)
	asm volatile("li t0, -1\n\tli t1, -1\n\tli t2, -1\n\tli t3, -1\n\t"
		     "li t4, -1\n\tli t5, -1\n\tli t6, -1\n\t"
		     "li a0, -1\n\tli a1, -1\n\tli a2, -1\n\tli a3, -1\n\t"
		     "li a4, -1\n\tli a5, -1\n\tli a6, -1\n\tli a7, -1"
		     ::: "t0", "t1", "t2", "t3", "t4", "t5", "t6",
		     "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "memory");
#endif
}

static struct counting_ops tracers[2];

static int tracers_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(tracers); i++) {
		/* ftrace_set_filter() cuts the '*' off: a fresh copy each time. */
		char glob[] = "ftrace_ops_abi_tracee_*";

		tracers[i].ops.func = count_and_clobber;
		ret = ftrace_set_filter(&tracers[i].ops, glob, strlen(glob), 1);
		if (ret) {
			pr_err("filtering ops %d failed: %d\n", i, ret);
			return ret;
		}
	}
	return 0;
}

static bool results_match(const u64 *expected, const char *when)
{
	u64 results[NR_TRACEES];
	bool match = true;
	int i;

	call_tracees(results);
	for (i = 0; i < NR_TRACEES; i++) {
		if (results[i] == expected[i])
			continue;
		pr_err("tracee %d returned %llx %s, %llx untraced\n",
		       i, results[i], when, expected[i]);
		match = false;
	}
	return match;
}

/* Calls the tracees with nr_ops tracers registered; false if any goes wrong. */
static bool traced_calls_match(const u64 *expected, int nr_ops)
{
	bool ok;
	int i, ret;

	for (i = 0; i < nr_ops; i++) {
		atomic_long_set(&tracers[i].seen, 0);
		ret = register_ftrace_function(&tracers[i].ops);
		if (ret) {
			pr_err("registering ops %d failed: %d\n", i, ret);
			while (i--)
				unregister_ftrace_function(&tracers[i].ops);
			return false;
		}
	}
	ok = results_match(expected, nr_ops == 1 ? "traced by one ops" : "traced by two ops");
	for (i = 0; i < nr_ops; i++) {
		unregister_ftrace_function(&tracers[i].ops);
		if (atomic_long_read(&tracers[i].seen) != NR_TRACEES) {
			pr_err("ops %d of %d saw %ld calls of %d\n", i, nr_ops,
			       atomic_long_read(&tracers[i].seen), NR_TRACEES);
			ok = false;
		}
	}
	return ok;
}

static int __init ftrace_ops_abi_init(void)
{
	u64 expected[NR_TRACEES];
	bool ok;
	int ret;

	get_random_bytes(args, sizeof(args));
	ret = tracers_init();
	if (ret)
		goto out;

	call_tracees(expected);
	ok = traced_calls_match(expected, 1);
	ok &= traced_calls_match(expected, 2);
	ok &= results_match(expected, "untraced again");
	ret = ok ? 0 : -EINVAL;
out:
	ftrace_free_filter(&tracers[0].ops);
	ftrace_free_filter(&tracers[1].ops);
	return ret;
}

static void __exit ftrace_ops_abi_exit(void)
{
}

module_init(ftrace_ops_abi_init);
module_exit(ftrace_ops_abi_exit);

MODULE_AUTHOR("callops developers");
MODULE_DESCRIPTION("Check that ftrace_ops handlers leave every argument as it was");
MODULE_LICENSE("GPL");
