// SPDX-License-Identifier: GPL-2.0
/*
 * What tracing getppid() costs, with each tool a user could trace it with:
 *
 *   untraced              nothing attached
 *   function-tracer       current_tracer=function, set_ftrace_filter on it
 *   kprobe-event          a kprobe event on its first instruction, enabled
 *   rust-tracer-counting  samples/rust/rust_callops_tracer.rs, events off
 *   rust-tracer-events    the same with an event line per call
 *
 * Each is the fastest of RUNS runs of CALLS calls on CPU 0, printed as
 *
 *   # cost tool=T calls=C ns=N
 *
 * Under QEMU's "-icount shift=0,sleep=off" a guest nanosecond is a guest
 * instruction, so N / C is instructions per call (bench.py turns the lines
 * into a table).  Each tool must have seen every call: the trace buffer's
 * entries and overruns, or the tracer's stats, are checked.  Where the
 * kernel cannot place the kprobe (riscv keeps kprobes off the bytes ftrace
 * patches at a function's entry), its line says why instead.
 *
 * Usage: tracing_cost [-c CALLS] [-r RUNS]
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest.h"
#include "clock.h"
#include "cpus.h"
#include "tracer.h"

#define DEFAULT_CALLS	10000
#define DEFAULT_RUNS	3
#define CPU		0
#define CPU_STATS	"per_cpu/cpu0/stats"
#define KPROBE_GROUP	"callops_cost"
#define KPROBE_EVENT	KPROBE_GROUP "/getppid"
#define MAX_NAME	128

static int calls = DEFAULT_CALLS, runs = DEFAULT_RUNS;
/* getppid()'s entry point, as available_filter_functions names it. */
static char getppid_symbol[MAX_NAME];

/*
 * Finds getppid()'s entry point: the one function "*sys_getppid" selects
 * in set_ftrace_filter, which ftrace matches against every function
 * (available_filter_functions may not fit in buf).
 */
static bool find_getppid(void)
{
	char *text, *end;
	bool ok;

	ok = check(write_str(TRACEFS "set_ftrace_filter", "*sys_getppid"), "set_ftrace_filter");
	text = ok ? read_file(TRACEFS "set_ftrace_filter") : NULL;
	end = text ? strchr(text, '\n') : NULL;
	if (!end || end[1] || end - text >= MAX_NAME) {
		ksft_print_msg("*sys_getppid selects \"%s\", expected one function\n",
			       text ? text : "");
		ok = false;
	} else {
		*end = '\0';
		snprintf(getppid_symbol, sizeof(getppid_symbol), "%s", text);
	}
	return check(write_str(TRACEFS "set_ftrace_filter", ""), "set_ftrace_filter") && ok;
}

/* Prints for @tool how long the fastest of the runs of getppid() calls took. */
static void measure(const char *tool)
{
	long long best = 0, start, took;
	int run;

	for (run = 0; run < runs; run++) {
		start = now_ns();
		call_getppid(calls);
		took = now_ns() - start;
		if (!run || took < best)
			best = took;
	}
	ksft_print_msg("cost tool=%s calls=%d ns=%lld\n", tool, calls, best);
}

/* A number that follows @label in the file @path, or -1. */
static long long number_after(const char *path, const char *label)
{
	char *text = read_file(path), *at = text ? strstr(text, label) : NULL;

	return at ? strtoll(at + strlen(label), NULL, 10) : -1;
}

/*
 * Whether the buffer of the instance at @dir, emptied before the
 * measurement, took an event of every call: kept, or overwritten since.
 */
static bool buffer_took_every_call(const char *dir, const char *tool)
{
	char path[256];
	long long entries, overrun;

	snprintf(path, sizeof(path), "%s%s", dir, CPU_STATS);
	entries = number_after(path, "entries: ");
	overrun = number_after(path, "overrun: ");
	if (entries < 0 || overrun < 0 || entries + overrun < (long long)calls * runs) {
		ksft_print_msg("%s: %lld events kept and %lld overwritten for %d calls\n", tool,
			       entries, overrun, calls * runs);
		return false;
	}
	return true;
}

/*
 * Measures @tool, which writes an event of each call into the buffer of
 * the instance at @dir, and checks that it did.
 */
static bool measure_events(const char *dir, const char *tool)
{
	char path[256];

	snprintf(path, sizeof(path), "%strace", dir);
	if (!check(write_str(path, ""), "emptying trace"))
		return false;
	measure(tool);
	return buffer_took_every_call(dir, tool);
}

static bool function_tracer(void)
{
	bool ok;

	ok = check(write_str(TRACEFS "set_ftrace_filter", getppid_symbol), "set_ftrace_filter") &&
	     check(write_str(TRACEFS "current_tracer", "function"), "current_tracer") &&
	     measure_events(TRACEFS, "function-tracer");
	return check(write_str(TRACEFS "current_tracer", "nop"), "current_tracer") &&
	       check(write_str(TRACEFS "set_ftrace_filter", ""), "set_ftrace_filter") && ok;
}

static bool kprobe_event(void)
{
	char probe[MAX_NAME + 64];
	int ret;
	bool ok;

	snprintf(probe, sizeof(probe), "p:%s %s", KPROBE_EVENT, getppid_symbol);
	ret = file_write_flags(TRACEFS "kprobe_events", O_APPEND, probe, strlen(probe));
	if (ret) {
		/* Not a failure: the missing row fails bench.py's comparison. */
		ksft_print_msg("cost tool=kprobe-event unavailable: %s: %s\n", probe,
			       strerror(-ret));
		return true;
	}
	ok = check(write_str(TRACEFS "events/" KPROBE_EVENT "/enable", "1"), "enabling") &&
	     measure_events(TRACEFS, "kprobe-event");
	return check(write_str(TRACEFS "events/" KPROBE_EVENT "/enable", "0"), "disabling") &&
	       check(file_write_flags(TRACEFS "kprobe_events", O_APPEND, "-:" KPROBE_EVENT,
				      strlen("-:" KPROBE_EVENT)), "removing the kprobe") && ok;
}

/* The Rust sample tracer, counting only, then with events. */
static bool rust_tracer(void)
{
	bool ok;

	if (!load(""))
		return false;
	ok = check(write_str(DIR "filter", getppid_symbol), "filter") &&
	     check(write_str(DIR "events", "0"), "events off") &&
	     check(write_str(DIR "enable", "1"), "enabling");
	if (ok) {
		measure("rust-tracer-counting");
		ok = check(write_str(DIR "events", "1"), "events on") &&
		     measure_events(INSTANCE, "rust-tracer-events");
	}
	ok = check(write_str(DIR "enable", "0"), "disabling") && ok;
	/* Both measurements counted, and nothing else. */
	ok = ok && stats_hits("sys_getppid", 2L * calls * runs);
	return unload() && ok;
}

static void bad_arguments(const char *prog)
{
	ksft_exit_fail_msg("usage: %s [-c CALLS] [-r RUNS]\n", prog);
}

int main(int argc, char **argv)
{
	bool ok;
	int opt;

	while ((opt = getopt(argc, argv, "c:r:")) != -1) {
		if (opt == 'c')
			calls = atoi(optarg);
		else if (opt == 'r')
			runs = atoi(optarg);
		else
			bad_arguments(argv[0]);
	}
	if (optind != argc || calls <= 0 || runs <= 0 || calls > 1000000 || runs > 100)
		bad_arguments(argv[0]);

	ksft_print_header();
	ksft_set_plan(1);
	if (!pin_to_cpu(CPU))
		ksft_exit_fail_msg("pinning to CPU %d: %s\n", CPU, strerror(errno));
	if (!find_getppid())
		ksft_exit_fail_msg("cannot find getppid()\n");
	measure("untraced");
	/* Each tool, whether or not the one before failed. */
	ok = function_tracer();
	ok = kprobe_event() && ok;
	ok = rust_tracer() && ok;
	ksft_test_result(ok, "each-tool-saw-every-call\n");
	ksft_finished();
}
