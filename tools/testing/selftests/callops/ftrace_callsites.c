// SPDX-License-Identifier: GPL-2.0
/*
 * What ftrace does at callsites, beyond the ftrace_ops benchmark:
 *
 *   stress          load samples/ftrace/ftrace-ops-stress.c, which traces and
 *                   untraces two functions a thousand times while another
 *                   CPU calls them and fails unless every call is counted
 *   module-tracing  the function tracer, filtered on a module that is not
 *                   loaded yet, traces its functions when it is loaded, in
 *                   ten load/unload cycles, with the module's own ops on one
 *                   of them as well (unloading drops the filter: it is set
 *                   again each time)
 *   direct-call     samples/ftrace/ftrace-direct.c's trampoline runs on
 *                   wake_up_process()
 *
 * Usage: ftrace_callsites (needs tracefs at /sys/kernel/tracing)
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest.h"
#include "check.h"
#include "files.h"
#include "modules.h"

#define TRACEFS		"/sys/kernel/tracing/"
#define TRACE_MAX	(1024 * 1024)
#define MODULE_CYCLES	10

static int write_tracefs(const char *file, const char *text)
{
	return file_write(file, text, strlen(text));
}

/* Whether the trace buffer holds a line containing @text. */
static bool trace_has(const char *text)
{
	static char buf[TRACE_MAX];

	return file_read(TRACEFS "trace", buf, TRACE_MAX) && strstr(buf, text);
}

static bool test_stress(void)
{
	return check(load_module("ftrace-ops-stress", "nr_cycles=1000"), "ftrace-ops-stress") &&
	       check(unload_module("ftrace-ops-stress"), "removing ftrace-ops-stress");
}

static bool module_cycle(int cycle)
{
	bool traced;

	if (!check(write_tracefs(TRACEFS "trace", ""), "clearing trace") ||
	    !check(write_tracefs(TRACEFS "set_ftrace_filter", "*:mod:ftrace_ops"),
		   "filter on the module") ||
	    !check(load_module("ftrace-ops", "nr_function_calls=10 persist=1"), "ftrace-ops"))
		return false;
	traced = trace_has("tracee_relevant");
	if (!traced)
		ksft_print_msg("cycle %d: no tracee_relevant in the trace\n", cycle);
	return check(unload_module("ftrace-ops"), "removing ftrace-ops") && traced;
}

static bool test_module_tracing(void)
{
	bool ok = check(write_tracefs(TRACEFS "set_ftrace_filter", "*:mod:ftrace_ops"),
			"filter on the module") &&
		  check(write_tracefs(TRACEFS "current_tracer", "function"), "function tracer");

	for (int cycle = 0; ok && cycle < MODULE_CYCLES; cycle++)
		ok = module_cycle(cycle);

	ok &= check(write_tracefs(TRACEFS "current_tracer", "nop"), "nop tracer");
	ok &= check(write_tracefs(TRACEFS "set_ftrace_filter", ""), "clearing the filter");
	return ok;
}

static bool test_direct_call(void)
{
	bool called;

	if (!check(write_tracefs(TRACEFS "trace", ""), "clearing trace") ||
	    !check(load_module("ftrace-direct", ""), "ftrace-direct"))
		return false;
	/* Sleeping has a timer wake this task up, through wake_up_process(). */
	usleep(10000);
	called = trace_has("waking up");
	if (!called)
		ksft_print_msg("the direct trampoline left no trace\n");
	return check(unload_module("ftrace-direct"), "removing ftrace-direct") && called;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(3);
	ksft_test_result(test_stress(), "stress\n");
	ksft_test_result(test_module_tracing(), "module-tracing\n");
	ksft_test_result(test_direct_call(), "direct-call\n");
	ksft_finished();
}
