// SPDX-License-Identifier: GPL-2.0
/*
 * The Rust sample tracer (samples/rust/rust_callops_tracer.rs), driven
 * through its tracefs files as a user would:
 *
 *   files         loading creates filter, enable, events and stats
 *   filter        globs add, !glob removes, an empty write clears
 *   filter-round-trip
 *                 what reading gives can be written back, Rust functions
 *                 (with their demangled names) included
 *   bad-writes    unknown functions, over-long writes, binary junk, too
 *                 many functions and enable values other than 0 and 1
 *                 fail and change nothing
 *   counts-c      a C function called N times on each of two CPUs at once
 *                 has 2N hits in stats
 *   counts-rust   a Rust function too, under its demangled name
 *   self-tracing  the tracer tracing all of its own functions
 *   call-ops      a function it alone traces calls it directly
 *   call-ops-survivor
 *                 when it stops tracing a function that an ops needing
 *                 ftrace's recursion protection traces too, the callsite
 *                 does not call that ops directly
 *   events        every call leaves a line in instances/rust_callops/trace,
 *                 none with events off
 *   concurrent-writes
 *                 enable toggled while the filter is edited and stats
 *                 read, by two processes, leaves a working tracer
 *   params        filter= and enable= at load; a bad filter= fails it
 *   rmmod-enabled removing the module while it traces
 *   rmmod-open    removing it while its files are open
 *   leaks         100 load/enable/remove cycles leave nothing behind: for
 *                 kmemleak where the kernel has it, else in the kernel's
 *                 memory counters
 *
 * Usage: callops_tracer [TEST...]            run the tests (all by default)
 *        callops_tracer --require-kmemleak [TEST...]
 *                                           the same, failing leaks where
 *                                           the kernel has no kmemleak
 *        callops_tracer --demo               show a session, for make run
 *
 * Tests of Rust functions are skipped, saying why, where the kernel cannot
 * trace them.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "cpus.h"
#include "enabled_functions.h"
#include "named_tests.h"
#include "rust_traceable.h"
#include "tracer.h"

#define CALLS		1000
#define LEAK_CYCLES	100
/* What 100 cycles may grow the kernel's memory use by: 4 kB a cycle. */
#define LEAK_LIMIT_KB	400

/* Whether leaks fails where the kernel has no kmemleak. */
static bool require_kmemleak;

static bool test_files(void)
{
	char *text;

	if (!load(""))
		return false;
	text = read_file(DIR "enable");
	if (!text || strcmp(text, "0\n"))
		return false;
	text = read_file(DIR "events");
	if (!text || strcmp(text, "1\n"))
		return false;
	text = read_file(DIR "filter");
	if (!text || *text)
		return false;
	/* Only the header line. */
	text = read_file(DIR "stats");
	return text && text[0] == '#' && count_lines(text, "") == 1;
}

/*
 * What reading filter gives can be written back: Rust functions come with
 * their demangled names in a comment.
 */
static bool test_filter_round_trip(void)
{
	char *listed;
	bool ok;

	if (!check(write_str(DIR "filter", "vfs_read *EnableFile*show*"), "filter"))
		return false;
	listed = file_copy(DIR "filter");
	ok = count_lines(listed, "  # " ENABLE_SHOW) == 1 &&
	     check(write_str(DIR "filter", ""), "clearing") &&
	     check(write_str(DIR "filter", listed), "writing back") &&
	     !strcmp(read_file(DIR "filter"), listed);
	if (!ok)
		ksft_print_msg("filter was \"%s\", then \"%s\"\n", listed, buf);
	free(listed);
	return ok && check(write_str(DIR "filter", ""), "clearing");
}

static bool test_filter(void)
{
	return check(write_str(DIR "filter", "vfs_read vfs_write\n"), "filter") &&
	       filter_is("vfs_read vfs_write") &&
	       check(write_str(DIR "filter", "!vfs_write"), "!vfs_write") &&
	       filter_is("vfs_read") &&
	       check(write_str(DIR "filter", "vfs_writ?,vfs_rea?"), "globs") &&
	       filter_is("vfs_read vfs_write") &&
	       check(write_str(DIR "filter", "\n"), "clearing") &&
	       filter_is("");
}

static bool test_bad_writes(void)
{
	static char long_write[8192];
	bool ok;

	memset(long_write, 'a', sizeof(long_write));
	ok = check(write_str(DIR "filter", "vfs_read"), "filter");
	ok &= write_fails(DIR "filter", "no_such_function_callops", 24, ENOENT);
	ok &= write_fails(DIR "filter", "vfs_write no_such_function_callops", 34, ENOENT);
	ok &= write_fails(DIR "filter", long_write, sizeof(long_write), EINVAL);
	ok &= write_fails(DIR "filter", "vfs_\x01\xff\xfe\n", 8, EINVAL);
	ok &= write_fails(DIR "filter", "!", 1, EINVAL);
	ok &= write_fails(DIR "filter", "*", 1, E2BIG);
	ok &= write_fails(DIR "enable", "2\n", 2, EINVAL);
	ok &= write_fails(DIR "enable", "", 0, EINVAL);
	ok &= write_fails(DIR "enable", "1 1", 3, EINVAL);
	ok &= write_fails(DIR "events", "2", 1, EINVAL);
	ok &= write_fails(DIR "stats", "0", 1, EINVAL);
	return ok && check(write_str(DIR "filter", ""), "clearing");
}

/* getppid() @n times on each of CPUs 0 and 1, at once. */
static bool call_getppid_on_two_cpus(int n)
{
	int *arrived = rendezvous_new(), status;
	pid_t child;
	bool ok;

	if (!check(arrived ? 0 : -errno, "sharing memory"))
		return false;
	child = fork();
	if (!child) {
		ok = pin_to_cpu(1) && rendezvous(arrived, 2);
		if (ok)
			call_getppid(n);
		_exit(!ok);
	}
	ok = check(child > 0 ? 0 : -errno, "fork") &&
	     check(pin_to_cpu(0) ? 0 : -errno, "pinning to CPU 0");
	ok = ok && rendezvous(arrived, 2) && call_getppid(n);
	if (child > 0) {
		if (!ok)
			kill(child, SIGKILL);
		ok &= waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		      !WEXITSTATUS(status);
	}
	if (!ok)
		ksft_print_msg("the calls did not run on both CPUs at once\n");
	rendezvous_free(arrived);
	return ok;
}

static bool test_counts_c(void)
{
	return trace("*sys_getppid", call_getppid_on_two_cpus, CALLS) &&
	       stats_hits("sys_getppid", 2 * CALLS);
}

/* EnableFile's show callback runs once per read of enable from offset 0. */
static bool test_counts_rust(void)
{
	return trace("*EnableFile*show*", read_enable, CALLS / 10) &&
	       stats_hits("rust_callops_tracer::EnableFile", CALLS / 10);
}

/*
 * The tracer traces its own functions, its handler's included: the calls
 * the handler makes are dropped, the file callbacks counted exactly.
 */
static bool test_self_tracing(void)
{
	return trace("*rust_callops_tracer*", read_enable, CALLS / 10) &&
	       stats_hits(ENABLE_SHOW, CALLS / 10);
}

/*
 * A function only the tracer traces calls it directly from its callsite:
 * enabled_functions names, after "ops:", a callback of the tracer.
 */
static bool test_call_ops(void)
{
	bool direct;

	if (!check(write_str(DIR "filter", "vfs_read"), "filter") ||
	    !check(write_str(DIR "enable", "1"), "enabling"))
		return false;
	direct = calls_ops_of("vfs_read", MODULE);
	if (!direct)
		ksft_print_msg("vfs_read does not call the tracer directly\n");
	return check(write_str(DIR "enable", "0"), "disabling") &&
	       check(write_str(DIR "filter", ""), "clearing") && direct;
}

/*
 * ftrace-ops's relevant ops, with FTRACE_OPS_FL_RECURSION, must be called
 * through ftrace's assist function, which keeps it from recursing.  The
 * tracer's ops may be called directly.  With both on ftrace-ops's relevant
 * tracee, the tracer stopping leaves ftrace-ops's ops alone there: the
 * callsite must still not call it directly (6.12 decided that from the
 * ops removed, the tracer's).
 */
static bool test_call_ops_survivor(void)
{
	static const char tracee[] = "tracee_relevant";
	static const char params[] =
		"nr_function_calls=1 nr_ops_relevant=1 assist_recursion=1 persist=1";
	bool ok, both, survivor, direct;

	if (!check(load_module("ftrace-ops", params), "loading ftrace-ops"))
		return false;
	ok = check(write_str(DIR "filter", tracee), "filter") &&
	     check(write_str(DIR "enable", "1"), "enabling");
	both = traced_by(tracee) == 2;
	ok = check(write_str(DIR "enable", "0"), "disabling") && ok;
	survivor = traced_by(tracee) == 1;
	direct = calls_ops_of(tracee, "ftrace_ops");
	if (!both || !survivor)
		ksft_print_msg("%s: not traced by 2 ops, then 1\n", tracee);
	if (direct)
		ksft_print_msg("%s calls ftrace-ops's ops directly, unprotected\n", tracee);
	ok = check(write_str(DIR "filter", ""), "clearing") && ok;
	ok = check(unload_module("ftrace-ops"), "removing ftrace-ops") && ok;
	return ok && both && survivor && !direct;
}

/*
 * Every call leaves one line, with its caller and arguments; with events
 * off, calls are counted and leave none.
 */
static bool test_events(void)
{
	int functions, lines;

	if (!check(write_str(INSTANCE "trace", ""), "clearing the instance") ||
	    !trace("*sys_getppid", call_getppid, 10))
		return false;
	functions = count_lines(read_file(DIR "stats"), "sys_getppid");
	lines = getppid_events();
	if (lines != 10 * functions || !functions ||
	    count_lines(read_file(INSTANCE "trace"), ", 0x") < lines) {
		ksft_print_msg("%d event lines for %d functions called 10 times\n",
			       lines, functions);
		return false;
	}
	if (!check(write_str(DIR "events", "0"), "events off") ||
	    !trace("*sys_getppid", call_getppid, 10))
		return false;
	lines = getppid_events();
	if (!check(write_str(DIR "events", "1"), "events on"))
		return false;
	if (lines != 10 * functions)
		ksft_print_msg("%d event lines after calls with events off\n", lines);
	return lines == 10 * functions && stats_hits("sys_getppid", 10);
}

/*
 * One process switches tracing on and off while another edits the filter
 * and reads stats, both starting at once, and every write and read works:
 * afterwards the tracer still does exactly what its files say.
 */
static bool test_concurrent_writes(void)
{
	int *arrived = rendezvous_new(), i, status;
	bool ok = true;
	pid_t child;

	if (!check(arrived ? 0 : -errno, "sharing memory"))
		return false;
	child = fork();
	if (!child) {
		ok = rendezvous(arrived, 2);
		for (i = 0; ok && i < 200; i++)
			ok = check(write_str(DIR "enable", i % 2 ? "0" : "1"), "toggling enable");
		_exit(!ok);
	}
	ok = check(child > 0 ? 0 : -errno, "fork") && rendezvous(arrived, 2);
	for (i = 0; ok && i < 200; i++)
		ok = check(write_str(DIR "filter", i % 2 ? "!vfs_read" : "vfs_read *sys_getppid"),
			   "editing the filter") &&
		     check(read_file(DIR "stats") ? 0 : -errno, "reading stats");
	if (child > 0) {
		if (!ok)
			kill(child, SIGKILL);
		ok &= waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		      !WEXITSTATUS(status);
	}
	rendezvous_free(arrived);
	if (!check(write_str(DIR "enable", "0"), "disabling") ||
	    !check(write_str(DIR "filter", "\n"), "clearing") || !ok)
		return false;
	return trace("*sys_getppid", call_getppid, CALLS) && stats_hits("sys_getppid", CALLS);
}

static bool test_params(void)
{
	char *text;

	if (!unload() || !load("filter=vfs_read,vfs_write enable=1"))
		return false;
	text = read_file(DIR "filter");
	if (count_lines(text, "vfs_read") != 1 || count_lines(text, "vfs_write") != 1)
		return false;
	if (strcmp(read_file(DIR "enable"), "1\n") || !unload())
		return false;
	if (load_module(MODULE, "filter=no_such_function_callops") != -ENOENT) {
		ksft_print_msg("a bad filter= did not fail the load with ENOENT\n");
		return false;
	}
	return !exists(DIR) && !exists(INSTANCE) && load("");
}

static bool test_rmmod_enabled(void)
{
	return check(write_str(DIR "filter", "vfs_read"), "filter") &&
	       check(write_str(DIR "enable", "1"), "enabling") &&
	       read_file(DIR "stats") && unload() && !exists(DIR) && !exists(INSTANCE) &&
	       load("");
}

/*
 * An open file of the tracer keeps the module: removing it fails, cleanly.
 * An open file of the instance does not: the module goes, leaving the
 * instance for the user to remove.
 */
static bool test_rmmod_open(void)
{
	int fd = open(DIR "stats", O_RDONLY | O_CLOEXEC), ret;
	bool ok;

	if (fd < 0)
		return false;
	ret = unload_module(MODULE);
	ok = ret == -EWOULDBLOCK && exists(DIR) && read(fd, buf, BUF_SIZE) > 0;
	if (!ok)
		ksft_print_msg("removing with stats open: %s\n", strerror(-ret));
	close(fd);
	if (!ok || !unload() || !load(""))
		return false;

	fd = open(INSTANCE "trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = unload() && !exists(DIR) && exists(INSTANCE);
	close(fd);
	return ok && !rmdir(INSTANCE) && load("");
}

/*
 * What the kernel holds for its own objects, in kB: slab it cannot reclaim,
 * vmalloc (where module text and data live), per-CPU areas, stacks and page
 * tables.  @available gets MemAvailable, for the log only: the free pages
 * the allocator keeps on its per-CPU lists count as used there, and those
 * lists grow and shrink by hundreds of kB with nothing leaked.  Returns -1
 * when /proc/meminfo lacks one of them.
 */
static long kernel_kb(long *available)
{
	static const char *const counters[] = {
		"SUnreclaim:", "VmallocUsed:", "Percpu:", "KernelStack:", "PageTables:",
	};
	unsigned int i, found = 0;
	char *line, *save;
	long sum = 0, kb;

	for (line = strtok_r(read_file("/proc/meminfo"), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			*available = kb;
		for (i = 0; i < ARRAY_SIZE(counters); i++) {
			if (strncmp(line, counters[i], strlen(counters[i])) ||
			    sscanf(line + strlen(counters[i]), "%ld kB", &kb) != 1)
				continue;
			sum += kb;
			found++;
		}
	}
	if (found == ARRAY_SIZE(counters))
		return sum;
	ksft_print_msg("/proc/meminfo: %u of %zu counters\n", found, ARRAY_SIZE(counters));
	return -1;
}

static bool cycle(void)
{
	return load("filter=vfs_read,*sys_getppid enable=1") && read_file(DIR "stats") &&
	       unload();
}

static bool test_leaks(void)
{
	long before, after, available_before = 0, available_after = 0;
	bool kmemleak = false;
	int i;

	if (!unload())
		return false;
	for (i = 0; i < 10; i++)
		if (!cycle())
			return false;
	kmemleak = kmemleak_clear();
	if (!kmemleak && require_kmemleak) {
		ksft_print_msg("kmemleak: not available\n");
		return false;
	}
	before = kernel_kb(&available_before);
	for (i = 0; i < LEAK_CYCLES; i++)
		if (!cycle())
			return false;
	after = kernel_kb(&available_after);
	ksft_print_msg("%d cycles: kernel objects %ld kB before, %ld kB after\n", LEAK_CYCLES,
		       before, after);
	ksft_print_msg("MemAvailable: %ld kB before, %ld kB after\n", available_before,
		       available_after);
	/*
	 * Where kmemleak runs (the debug kernels), it judges: KASAN's
	 * quarantine there keeps freed objects counted as slab for a while.
	 */
	if (kmemleak)
		return kmemleak_clean();
	return before >= 0 && after >= 0 && after - before <= LEAK_LIMIT_KB;
}

static void show(const char *command, const char *file)
{
	printf("# %s\n%s", command, read_file(file));
}

static void run(const char *command, const char *file, const char *text)
{
	int ret = write_str(file, text);

	printf("# %s%s\n", command, ret ? strerror(-ret) : "");
}

/* A session with the tracer, printed as a user would type it. */
static int demo(void)
{
	char *text, *line, *save;
	int lines = 0;

	printf("# insmod rust_callops_tracer.ko\n");
	if (load_module(MODULE, ""))
		return 1;
	printf("# cd /sys/kernel/tracing/rust_callops\n");
	run("echo 'vfs_read vfs_write *sys_getppid *EnableFile*show*' > filter", DIR "filter",
	    "vfs_read vfs_write *sys_getppid *EnableFile*show*");
	show("cat filter", DIR "filter");
	run("echo 1 > enable", DIR "enable", "1");
	printf("# (getppid() 100 times, cat enable 10 times)\n");
	call_getppid(100);
	read_enable(10);
	run("echo 0 > enable", DIR "enable", "0");
	show("cat stats", DIR "stats");
	printf("# grep -v '^#' ../instances/rust_callops/trace | head -5\n");
	text = read_file(INSTANCE "trace");
	for (line = strtok_r(text, "\n", &save); line && lines < 5;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		printf("%s\n", line);
		lines++;
	}
	printf("# rmmod rust_callops_tracer\n");
	return unload_module(MODULE) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct named_test tests[] = {
		{ "files", test_files, NULL },
		{ "filter", test_filter, NULL },
		{ "filter-round-trip", test_filter_round_trip, rust_untraceable },
		{ "bad-writes", test_bad_writes, NULL },
		{ "counts-c", test_counts_c, NULL },
		{ "counts-rust", test_counts_rust, rust_untraceable },
		{ "self-tracing", test_self_tracing, rust_untraceable },
		{ "call-ops", test_call_ops, NULL },
		{ "call-ops-survivor", test_call_ops_survivor, NULL },
		{ "events", test_events, NULL },
		{ "concurrent-writes", test_concurrent_writes, NULL },
		{ "params", test_params, NULL },
		{ "rmmod-enabled", test_rmmod_enabled, NULL },
		{ "rmmod-open", test_rmmod_open, NULL },
		{ "leaks", test_leaks, NULL },
	};

	if (argc > 1 && !strcmp(argv[1], "--demo"))
		return demo();
	require_kmemleak = take_flag_option(&argc, &argv, "--require-kmemleak");

	plan_named_tests(tests, ARRAY_SIZE(tests), argc, argv);
	/* The tests after "files" start from the module as it loads it. */
	if (!asked_for("files", argc, argv) && !load(""))
		ksft_exit_fail_msg("cannot load " MODULE " for the tests asked for\n");
	run_named_tests(tests, ARRAY_SIZE(tests), argc, argv, NULL);
	unload_module(MODULE);
	ksft_finished();
}
