// SPDX-License-Identifier: GPL-2.0
/*
 * The Rust sample tracer (samples/rust/rust_callops_tracer.rs) when the
 * kernel runs out of memory under it: each allocation an operation makes
 * is failed in turn, one per run of the operation
 * (/proc/thread-self/fail-nth, with failslab and fail_page_alloc set to
 * fail sleeping allocations and pages of any order;
 * Documentation/fault-injection/): all of them, or, for an operation that
 * makes more than MAX_TRIED, its last MAX_TRIED / 2 (the tracer's own code
 * runs last) and MAX_TRIED / 2 spread over the others. Each failed
 * operation must fail with ENOMEM and leave the tracer exactly as it was,
 * tracing or not as before; once all are done, kmemleak must find nothing
 * unreferenced.
 *
 *   load            loading the module with filter= and enable=1
 *   open            opening and reading stats
 *   filter-add      adding functions to the filter while tracing
 *   filter-remove   removing one while tracing
 *   enable          starting to trace (registering the ftrace_ops)
 *   disable         stopping
 *   leaks           kmemleak after all of the above
 *
 * Each test prints a "# fault-table:" line for the table in
 * Documentation/trace/rust-callops-tracer-faults.rst (make faults).
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

#include "../kselftest.h"
#include "clock.h"
#include "fault_injection.h"
#include "tracer.h"

/* The most allocations of an operation made to fail, one run each. */
#define MAX_TRIED	100
#define TIMEOUT_S	600
#define LOAD_PARAMS	"filter=vfs_read,*sys_getppid enable=1"

/* Makes the allocation failures reach every allocation, and kmemleak judge. */
static bool setup_injection(void)
{
	return kmemleak_clear() && fail_nth_setup();
}

/* The hits stats has for vfs_read, 0 if none. */
static unsigned long vfs_read_hits(void)
{
	char *text = read_file(DIR "stats"), *line, *save, *name;
	unsigned long hits;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		hits = strtoul(line, &name, 10);
		if (line[0] != '#' && !strcmp(name, "  vfs_read"))
			return hits;
	}
	return 0;
}

/* Whether the tracer traces vfs_read: reading enable three times counts. */
static bool traces_vfs_read(void)
{
	unsigned long before = vfs_read_hits();

	read_enable(3);
	return vfs_read_hits() >= before + 3;
}

static bool enabled_is(const char *value)
{
	char *text = read_file(DIR "enable");

	return text && !strcmp(text, value);
}

static bool loaded_with(const char *filter, const char *enable)
{
	return check(write_str(DIR "enable", "0"), "disabling") &&
	       check(write_str(DIR "events", "0"), "events off") &&
	       check(write_str(DIR "filter", ""), "clearing") &&
	       check(write_str(DIR "filter", filter), filter) &&
	       check(write_str(DIR "enable", enable), "enable");
}

/* What one test does: get ready, the operation, and what a failure leaves. */
struct point {
	const char *name;
	bool (*prepare)(void);
	int (*operation)(void);
	bool (*unchanged)(void);
};

static bool unloaded(void)
{
	unload_module(MODULE);
	return !exists("/sys/module/" MODULE);
}

static int load_traced(void)
{
	return load_module(MODULE, LOAD_PARAMS);
}

static bool not_loaded(void)
{
	return !exists("/sys/module/" MODULE) && !exists(DIR) && !exists(INSTANCE);
}

static bool tracing_vfs_read(void)
{
	return loaded_with("vfs_read", "1");
}

static int open_stats(void)
{
	char text[256];
	int fd = open(DIR "stats", O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (read(fd, text, sizeof(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static bool still_tracing_vfs_read(void)
{
	return filter_is("vfs_read") && enabled_is("1\n") && traces_vfs_read();
}

static int add_functions(void)
{
	return write_str(DIR "filter", "vfs_write *sys_getppid\n");
}

static bool tracing_two(void)
{
	return loaded_with("vfs_read vfs_write", "1");
}

static int remove_function(void)
{
	return write_str(DIR "filter", "!vfs_write\n");
}

static bool still_tracing_two(void)
{
	return filter_is("vfs_read vfs_write") && enabled_is("1\n") && traces_vfs_read();
}

static bool selected_not_tracing(void)
{
	return loaded_with("vfs_read", "0");
}

static int enable(void)
{
	return write_str(DIR "enable", "1");
}

/* Not tracing: enable is 0, and ftrace has no callsite of vfs_read on. */
static bool still_not_tracing(void)
{
	char *text = read_file(TRACEFS "enabled_functions");

	return filter_is("vfs_read") && enabled_is("0\n") && text &&
	       !count_lines(text, "vfs_read ");
}

static int disable(void)
{
	return write_str(DIR "enable", "0");
}

static const struct point points[] = {
	{ "load", unloaded, load_traced, not_loaded },
	{ "open", tracing_vfs_read, open_stats, still_tracing_vfs_read },
	{ "filter-add", tracing_vfs_read, add_functions, still_tracing_vfs_read },
	{ "filter-remove", tracing_two, remove_function, still_tracing_two },
	{ "enable", selected_not_tracing, enable, still_not_tracing },
	{ "disable", tracing_vfs_read, disable, still_tracing_vfs_read },
};

/*
 * How many allocations @point's operation makes, once ready: it works with
 * none failing. Returns -1 if it does not.
 */
static int allocations(const struct point *point, int fd)
{
	int ret, left;

	if (!point->prepare() || !set_fail_nth(fd, NTH_NEVER))
		return -1;
	ret = point->operation();
	left = fail_nth_left(fd);
	set_fail_nth(fd, 0);
	if (ret || left <= 0) {
		ksft_print_msg("%s: fails with no allocation failing: %s\n", point->name,
			       ret ? strerror(-ret) : "none left");
		return -1;
	}
	return NTH_NEVER - left;
}

/*
 * Which allocations of @total to fail, the @i-th of at most MAX_TRIED:
 * all of them if there are few; else the last MAX_TRIED / 2 (those of the
 * tracer's own code, which runs last, as a module's init does) and
 * MAX_TRIED / 2 spread evenly over the others.
 */
static int nth_to_fail(int i, int total)
{
	int spread = MAX_TRIED / 2, before = total - MAX_TRIED / 2;

	if (total <= MAX_TRIED)
		return i + 1;
	if (i < spread)
		return 1 + i * before / spread;
	return before + (i - spread) + 1;
}

/*
 * Runs @point's operation with one of its allocations failing, each in
 * turn (or a sample, if it makes many): each failure of the operation must
 * be ENOMEM, leaving the tracer as it was.
 */
static bool run_point(const struct point *point, int fd)
{
	int total = allocations(point, fd), tried, i, nth, ret, left;
	int failed = 0, survived = 0, missed = 0, wrong = 0;
	double start = now_s();

	if (total < 0)
		return false;
	tried = total < MAX_TRIED ? total : MAX_TRIED;
	for (i = 0; i < tried; i++) {
		nth = nth_to_fail(i, total);
		if (now_s() - start > TIMEOUT_S) {
			ksft_print_msg("%s: gave up after %d s, at allocation %d\n", point->name,
				       TIMEOUT_S, nth);
			return false;
		}
		if (!point->prepare() || !set_fail_nth(fd, nth)) {
			ksft_print_msg("%s: cannot get ready to fail allocation %d\n",
				       point->name, nth);
			return false;
		}
		ret = point->operation();
		left = fail_nth_left(fd);
		set_fail_nth(fd, 0);
		if (left > 0) {
			/* This time the operation made fewer allocations. */
			missed++;
			if (!ret)
				continue;
		}
		if (!ret) {
			survived++;
			continue;
		}
		failed++;
		if (ret != -ENOMEM) {
			ksft_print_msg("%s: allocation %d failed it with %s, not ENOMEM\n",
				       point->name, nth, strerror(-ret));
			wrong++;
		}
		if (!point->unchanged()) {
			ksft_print_msg("%s: allocation %d failed it, and changed the tracer\n",
				       point->name, nth);
			wrong++;
		}
	}
	ksft_print_msg("fault-table: %s | %d | %d | %d | %d | %s\n", point->name, total, tried,
		       failed, survived + missed, wrong ? "no" : "yes");
	return !wrong && failed;
}

int main(void)
{
	unsigned int i;
	int fd;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(points) + 1);
	fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ksft_exit_skip("%s: %s (no CONFIG_FAULT_INJECTION)\n", FAIL_NTH, strerror(errno));
	if (!setup_injection())
		ksft_exit_fail_msg("cannot set up failslab, fail_page_alloc and kmemleak\n");
	for (i = 0; i < ARRAY_SIZE(points); i++) {
		if (!exists(DIR) && !load(""))
			ksft_exit_fail_msg("cannot load " MODULE "\n");
		ksft_test_result(run_point(&points[i], fd), "%s\n", points[i].name);
	}
	unload_module(MODULE);
	ksft_test_result(kmemleak_clean(), "leaks\n");
	ksft_finished();
}
