/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether the kernel traces Rust functions: only with
 * CONFIG_RUST_FTRACE_CALLSITES, which the architecture and rustc decide.
 * A test that needs it is skipped, with this reason, where it is not set.
 */
#ifndef CALLOPS_RUST_TRACEABLE_H
#define CALLOPS_RUST_TRACEABLE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * NULL if available_filter_functions lists a Rust function (a v0 mangled
 * name, "_R..."), or if it cannot be read: the test runs and says why it
 * fails. Otherwise the reason the test cannot run.
 */
static inline const char *rust_untraceable(void)
{
	FILE *functions = fopen("/sys/kernel/tracing/available_filter_functions", "r");
	char line[4096];
	bool rust = false;

	if (!functions)
		return NULL;
	while (!rust && fgets(line, sizeof(line), functions))
		rust = !strncmp(line, "_R", 2);
	fclose(functions);
	return rust ? NULL : "no Rust function can be traced (no CONFIG_RUST_FTRACE_CALLSITES)";
}

#endif /* CALLOPS_RUST_TRACEABLE_H */
