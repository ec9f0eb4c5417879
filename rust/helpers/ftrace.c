// SPDX-License-Identifier: GPL-2.0

#include <linux/bits.h>
#include <linux/context_tracking.h>
#include <linux/ftrace.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/trace_recursion.h>

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS

/*
 * These run inside ftrace handlers, before or without their recursion
 * protection: traced, they would recurse without bound.
 */

/* With preemption disabled, as in a handler. */
static __always_inline bool ftrace_handler_rcu_watching(void)
{
#ifdef CONFIG_CONTEXT_TRACKING_IDLE
	return rcu_is_watching_curr_cpu();
#else
	return rcu_is_watching();
#endif
}

/*
 * Enters the handler of an ftrace_ops made by FtraceOps::new(): returns
 * the recursion bit to leave with, preemption disabled, or a negative value
 * if the handler must not run. It must not when it already runs in this
 * context (including the one call ftrace lets through in case it is an
 * interrupt that has not entered its own context yet: it is as likely to be
 * the handler calling a traced function), nor where RCU is not watching.
 */
notrace int rust_helper_ftrace_handler_enter(unsigned long ip,
					     unsigned long parent_ip)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return bit;
	if (bit == TRACE_FTRACE_TRANSITION_BIT || !ftrace_handler_rcu_watching()) {
		ftrace_test_recursion_unlock(bit);
		return -1;
	}
	return bit;
}

notrace void rust_helper_ftrace_handler_exit(int bit)
{
	ftrace_test_recursion_unlock(bit);
}

notrace void rust_helper_ftrace_handler_preempt_disable(void)
{
	preempt_disable_notrace();
}

notrace void rust_helper_ftrace_handler_preempt_enable(void)
{
	preempt_enable_notrace();
}

/*
 * Whether the current task runs an ftrace handler that took a recursion
 * bit, in any context: a handler may not sleep.
 */
notrace bool rust_helper_ftrace_in_handler(void)
{
	return current->trace_recursion &
	       GENMASK(TRACE_FTRACE_TRANSITION_BIT, TRACE_FTRACE_BIT);
}

notrace unsigned long
rust_helper_ftrace_regs_get_argument(struct ftrace_regs *fregs, unsigned int n)
{
	return ftrace_regs_get_argument(fregs, n);
}

notrace unsigned long
rust_helper_ftrace_regs_get_instruction_pointer(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_instruction_pointer(fregs);
}

notrace unsigned long
rust_helper_ftrace_regs_get_stack_pointer(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_stack_pointer(fregs);
}

/* Only the architectures below define ftrace_regs_get_return_address(). */
#if defined(CONFIG_ARM64) || defined(CONFIG_RISCV)
notrace unsigned long
rust_helper_ftrace_regs_get_return_address(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_return_address(fregs);
}
#endif

#endif /* CONFIG_DYNAMIC_FTRACE_WITH_ARGS */
