// SPDX-License-Identifier: GPL-2.0

#include <linux/ftrace.h>

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS

/*
 * These run inside ftrace handlers, before or without their recursion
 * protection: traced, they would recurse without bound.
 */

notrace int rust_helper_ftrace_test_recursion_trylock(unsigned long ip,
						      unsigned long parent_ip)
{
	return ftrace_test_recursion_trylock(ip, parent_ip);
}

notrace void rust_helper_ftrace_test_recursion_unlock(int bit)
{
	ftrace_test_recursion_unlock(bit);
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

notrace unsigned long
rust_helper_ftrace_regs_get_return_address(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_return_address(fregs);
}

#endif /* CONFIG_DYNAMIC_FTRACE_WITH_ARGS */
