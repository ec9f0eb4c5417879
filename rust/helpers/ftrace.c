// SPDX-License-Identifier: GPL-2.0

#include <linux/ftrace.h>

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS

unsigned long rust_helper_ftrace_regs_get_argument(struct ftrace_regs *fregs,
						   unsigned int n)
{
	return ftrace_regs_get_argument(fregs, n);
}

unsigned long
rust_helper_ftrace_regs_get_instruction_pointer(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_instruction_pointer(fregs);
}

unsigned long
rust_helper_ftrace_regs_get_stack_pointer(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_stack_pointer(fregs);
}

unsigned long
rust_helper_ftrace_regs_get_return_address(const struct ftrace_regs *fregs)
{
	return ftrace_regs_get_return_address(fregs);
}

#endif /* CONFIG_DYNAMIC_FTRACE_WITH_ARGS */
