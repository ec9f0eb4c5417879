// SPDX-License-Identifier: GPL-2.0
/*
 * Drive an ftrace_ops benchmark module (samples/ftrace/ftrace-ops.c or a
 * module with the same parameters) through a list of configurations.
 *
 * Usage: ftrace_ops_bench [-c CALLS] [-r RUNS] [-k] [-a] [-v] [-p PARAMS] -m MODULE... R+I...
 *
 *   -m MODULE  load /lib/modules/MODULE.ko (repeatable)
 *   -c CALLS   nr_function_calls (default 100000)
 *   -r RUNS    load each configuration RUNS times, report the fastest (default 1)
 *   -k         check_count: the module checks how often each ops ran; the
 *              counting costs time, so nothing is reported as measured
 *   -a         assert the overhead invariants (see below); only meaningful
 *              when guest time counts instructions (QEMU -icount); not with -k
 *   -v         echo the module's kernel messages
 *   -p PARAMS  further module parameters, e.g. "assist_recursion=1"
 *   R+I        nr_ops_relevant and nr_ops_irrelevant of one configuration
 *
 * Each module and configuration is one test: the module is loaded with
 * "persist" so that its exit path runs too, its result line is read back
 * from /dev/kmsg and the module is removed again.  A test fails when the
 * module cannot be loaded or removed, prints no result, or the kernel logs
 * a warning meanwhile.  Tests are named "MODULE R+I", or "MODULE R+I counted"
 * with -k, followed by PARAMS with -p.  Passing tests without -k print their
 * (fastest) measurement as
 *
 *   # bench module=M relevant=R irrelevant=I calls=C ns=T call_ops=0|1[ ops_set_bytes=B]
 *
 * for the host to tabulate, with "call_ops=1" when ftrace's
 * enabled_functions showed the relevant callsite calling its single ops
 * directly (DYNAMIC_FTRACE_WITH_CALL_OPS), "ops_set_bytes=B" when it showed
 * it calling a set of ops instead, which takes B bytes, and " params=PARAMS"
 * at the end with -p.
 *
 * With -a, further tests compare the measurements, the overhead of a
 * configuration being its time per call minus that of 0+0 in the same module:
 *
 *   - each module's overhead is at most 5% above the first module's, in every
 *     configuration with 1, 2 or 10 relevant ops;
 *   - where the callsite of 1+0 calls its ops directly (call ops), in each
 *     module: N+100 costs at most 2% more per call than N+0, for N = 1, 2,
 *     10 and 100 (with N >= 2 the callsite calls the set of the N ops); and
 *     2+0, 10+0 and 100+0 cost at most 1.5, 4 and 25 times 1+0 per call.
 *     Both are skipped without call ops.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "../kselftest.h"
#include "clock.h"
#include "enabled_functions.h"
#include "modules.h"

#define MAX_MODULES	8
#define MAX_POINTS	32
#define KMSG_RECORD_MAX	8192
#define TRACEE		"tracee_relevant"
/* Overhead tolerances of -a, in percent. */
#define MAX_RATIO_PCT	105
#define MAX_FLAT_PCT	102

struct point {
	unsigned int relevant;
	unsigned int irrelevant;
};

struct options {
	const char *modules[MAX_MODULES];
	int nr_modules;
	struct point points[MAX_POINTS];
	int nr_points;
	unsigned int calls;
	bool check_count;
	unsigned int repeat;
	bool assert_overhead;
	bool verbose;
	const char *params;
};

struct result {
	unsigned long long calls;
	unsigned long long total_ns;
	bool measured;
	bool warned;
	bool call_ops;
	long ops_set_bytes;	/* -1: the callsite calls no set of ops */
};

/* The fastest run of one module in one configuration. */
struct measurement {
	bool ok;
	bool call_ops;
	long ops_set_bytes;
	double ns_per_call;
};

static struct measurement measurements[MAX_MODULES][MAX_POINTS];

static void exit_usage(const char *prog)
{
	ksft_exit_fail_msg("usage: %s [OPTION...] -m MODULE... R+I... (see the source)\n",
			   prog);
}

static void parse_options(int argc, char **argv, struct options *opts)
{
	int opt;

	opts->calls = 100000;
	opts->repeat = 1;
	opts->params = "";
	while ((opt = getopt(argc, argv, "ac:kr:m:p:v")) != -1) {
		switch (opt) {
		case 'a':
			opts->assert_overhead = true;
			break;
		case 'c':
			opts->calls = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			opts->check_count = true;
			break;
		case 'm':
			if (opts->nr_modules == MAX_MODULES)
				exit_usage(argv[0]);
			opts->modules[opts->nr_modules++] = optarg;
			break;
		case 'p':
			opts->params = optarg;
			break;
		case 'r':
			opts->repeat = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			opts->verbose = true;
			break;
		default:
			exit_usage(argv[0]);
		}
	}

	for (; optind < argc; optind++) {
		struct point *p = &opts->points[opts->nr_points];

		if (opts->nr_points == MAX_POINTS ||
		    sscanf(argv[optind], "%u+%u", &p->relevant, &p->irrelevant) != 2)
			exit_usage(argv[0]);
		opts->nr_points++;
	}

	/* -a compares measurements, which -k does not take. */
	if (!opts->nr_modules || !opts->nr_points || !opts->calls || !opts->repeat ||
	    (opts->assert_overhead && opts->check_count))
		exit_usage(argv[0]);
}

/* Open /dev/kmsg positioned after the last record logged so far. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		ksft_exit_fail_perror("/dev/kmsg");
	if (lseek(fd, 0, SEEK_END) < 0)
		ksft_exit_fail_perror("seek /dev/kmsg");
	return fd;
}

/* "Attempted <calls> calls to <tracee> in <total>ns (<avg>ns / call)" */
static bool parse_result(const char *msg, struct result *res)
{
	const char *calls = strstr(msg, "Attempted "), *total;

	if (!calls)
		return false;
	total = strstr(calls, "] in ") ?: strstr(calls, " in ");
	return total &&
	       sscanf(calls, "Attempted %llu calls to ", &res->calls) == 1 &&
	       sscanf(strstr(total, " in "), " in %lluns", &res->total_ns) == 1;
}

/* /dev/kmsg escapes a multi-line message's newlines as "\x0a". */
static void print_record(const char *msg)
{
	const char *end;

	while ((end = strstr(msg, "\\x0a"))) {
		ksft_print_msg("kmsg: %.*s\n", (int)(end - msg), msg);
		msg = end + 4;
	}
	ksft_print_msg("kmsg: %s\n", msg);
}

/* Scan the records logged since kmsg_open() for the module's result. */
static void kmsg_scan(int fd, bool verbose, struct result *res)
{
	static char record[KMSG_RECORD_MAX];
	ssize_t len;

	for (;;) {
		const char *msg;

		len = read(fd, record, sizeof(record) - 1);
		/* EPIPE: records were overwritten before we read them. */
		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			break;
		record[len] = '\0';
		msg = strchr(record, ';');
		msg = msg ? msg + 1 : record;
		record[strcspn(record, "\n")] = '\0';

		if (verbose)
			print_record(msg);
		/* ftrace-ops's "... called N times (expected M)", for an ops or its trampoline */
		if (strstr(msg, "WARNING:") || strstr(msg, " times (expected "))
			res->warned = true;
		if (parse_result(msg, res))
			res->measured = true;
	}
}

/*
 * Whether ftrace shows the relevant tracee's callsite calling its ops
 * directly, an ops of @module, the benchmark loaded.
 */
static bool tracee_calls_ops(const char *module)
{
	char name[64], *c;

	snprintf(name, sizeof(name), "%s", module);
	/* kallsyms names modules as the kernel does, with '_' for '-'. */
	for (c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	return calls_ops_of(TRACEE, name);
}

/* The size of the set of ops the relevant tracee's callsite calls, or -1. */
static long tracee_ops_set_bytes(void)
{
	static struct ops_set set;

	return calls_ops_set(TRACEE, &set) ? set.bytes : -1;
}

/* Load and remove the module once; fill in its result. */
static bool run_once(const struct options *opts, const char *module,
		     const struct point *p, struct result *res)
{
	char params[256];
	int kmsg, ret;

	snprintf(params, sizeof(params),
		 "nr_function_calls=%u nr_ops_relevant=%u nr_ops_irrelevant=%u check_count=%d persist=1 %s",
		 opts->calls, p->relevant, p->irrelevant, opts->check_count, opts->params);

	kmsg = kmsg_open();
	ret = load_module(module, params);
	if (ret) {
		kmsg_scan(kmsg, true, res);
		close(kmsg);
		ksft_print_msg("loading %s %s: %s\n", module, params, strerror(-ret));
		return false;
	}
	res->call_ops = tracee_calls_ops(module);
	res->ops_set_bytes = tracee_ops_set_bytes();
	ret = unload_module(module);
	kmsg_scan(kmsg, opts->verbose, res);
	close(kmsg);

	if (ret) {
		ksft_print_msg("removing %s: %s\n", module, strerror(-ret));
		return false;
	}
	if (res->warned) {
		ksft_print_msg("%s logged a warning\n", module);
		return false;
	}
	if (!res->measured || res->calls != opts->calls) {
		ksft_print_msg("%s printed no result for %u calls\n",
			       module, opts->calls);
		return false;
	}
	return true;
}

/* The line bench.py tabulates (see the top of this file). */
static void print_measurement(const char *module, const struct point *p, unsigned int calls,
			      unsigned long long ns, const struct measurement *m,
			      const char *params)
{
	char suffix[320] = "";
	int len = 0;

	if (m->ops_set_bytes >= 0)
		len = snprintf(suffix, sizeof(suffix), " ops_set_bytes=%ld", m->ops_set_bytes);
	if (*params)
		snprintf(suffix + len, sizeof(suffix) - len, " params=%s", params);
	ksft_print_msg("bench module=%s relevant=%u irrelevant=%u calls=%u ns=%llu call_ops=%d%s\n",
		       module, p->relevant, p->irrelevant, calls, ns, m->call_ops, suffix);
}

/*
 * Interrupts that hit the measured loop only ever add to it: keep the
 * fastest of the repeated runs.
 */
static bool run_point(const struct options *opts, const char *module,
		      const struct point *p, struct measurement *m)
{
	unsigned long long best = ~0ULL;
	unsigned int run;
	double start = now_s();

	m->call_ops = true;
	for (run = 0; run < opts->repeat; run++) {
		struct result res = { 0 };

		if (!run_once(opts, module, p, &res))
			return false;
		if (res.total_ns < best)
			best = res.total_ns;
		m->call_ops &= res.call_ops;
		/* Each load makes the same set: keep the last one's size. */
		m->ops_set_bytes = res.ops_set_bytes;
	}

	if (!opts->check_count)
		print_measurement(module, p, opts->calls, best, m, opts->params);
	ksft_print_msg("%u+%u took %.2f s\n", p->relevant, p->irrelevant, now_s() - start);
	m->ok = true;
	m->ns_per_call = (double)best / opts->calls;
	return true;
}

static const struct measurement *find(const struct options *opts, int module,
				      unsigned int relevant, unsigned int irrelevant)
{
	for (int i = 0; i < opts->nr_points; i++) {
		const struct point *p = &opts->points[i];

		if (p->relevant == relevant && p->irrelevant == irrelevant)
			return measurements[module][i].ok ? &measurements[module][i] : NULL;
	}
	return NULL;
}

static bool is_ratio_point(const struct point *p)
{
	return p->relevant == 1 || p->relevant == 2 || p->relevant == 10;
}

/* Module m's overhead in configuration p is within 5% of module 0's. */
static void assert_ratio(const struct options *opts, int m, const struct point *p)
{
	const struct measurement *ref0 = find(opts, 0, 0, 0), *mod0 = find(opts, m, 0, 0);
	const struct measurement *ref = find(opts, 0, p->relevant, p->irrelevant);
	const struct measurement *mod = find(opts, m, p->relevant, p->irrelevant);
	double ratio;

	if (!ref0 || !mod0 || !ref || !mod) {
		ksft_test_result_fail("overhead %s/%s %u+%u: not measured\n",
				      opts->modules[m], opts->modules[0],
				      p->relevant, p->irrelevant);
		return;
	}
	ratio = (mod->ns_per_call - mod0->ns_per_call) /
		(ref->ns_per_call - ref0->ns_per_call);
	ksft_print_msg("overhead %s %.1f, %s %.1f: ratio %.3f\n",
		       opts->modules[m], mod->ns_per_call - mod0->ns_per_call,
		       opts->modules[0], ref->ns_per_call - ref0->ns_per_call, ratio);
	ksft_test_result(ratio * 100 <= MAX_RATIO_PCT, "overhead %s/%s %u+%u <= %d%%\n",
			 opts->modules[m], opts->modules[0], p->relevant, p->irrelevant,
			 MAX_RATIO_PCT);
}

/* What -a requires of the relevant callsite where it has call ops. */
static const unsigned int flat_relevant[] = { 1, 2, 10, 100 };
static const struct {
	unsigned int relevant;
	unsigned int max_pct;	/* of 1+0 */
} scaling[] = {
	{ 2, 150 }, { 10, 400 }, { 100, 2500 },
};

/*
 * Records @name as skipped when module @m's callsite does not call its one
 * relevant ops directly: without call ops, neither comparison applies.
 */
static bool skipped_without_call_ops(const struct options *opts, int m, const char *name)
{
	const struct measurement *one = find(opts, m, 1, 0);

	if (!one || one->call_ops)
		return false;
	/* KTAP (and kunit.py) want the test's name before "# SKIP". */
	ksft_test_result_code(KSFT_SKIP, name, "the callsite does not call its ops directly");
	return true;
}

/* With call ops, 100 irrelevant ops do not slow the relevant callsite down. */
static void assert_flat(const struct options *opts, int m, unsigned int relevant)
{
	const struct measurement *few = find(opts, m, relevant, 0);
	const struct measurement *many = find(opts, m, relevant, 100);
	char name[128];

	snprintf(name, sizeof(name), "flat %s %u+100", opts->modules[m], relevant);
	if (!few || !many) {
		ksft_test_result_fail("%s: not measured\n", name);
		return;
	}
	if (skipped_without_call_ops(opts, m, name))
		return;
	ksft_print_msg("%s %u+0 %.1f, %u+100 %.1f per call\n", opts->modules[m],
		       relevant, few->ns_per_call, relevant, many->ns_per_call);
	ksft_test_result(many->ns_per_call * 100 <= few->ns_per_call * MAX_FLAT_PCT,
			 "%s <= %d%% of %u+0\n", name, MAX_FLAT_PCT, relevant);
}

/* With call ops, each further relevant ops costs about a call of its own. */
static void assert_scaling(const struct options *opts, int m, unsigned int relevant,
			   unsigned int max_pct)
{
	const struct measurement *one = find(opts, m, 1, 0);
	const struct measurement *many = find(opts, m, relevant, 0);
	char name[128];

	snprintf(name, sizeof(name), "scaling %s %u+0", opts->modules[m], relevant);
	if (!one || !many) {
		ksft_test_result_fail("%s: not measured\n", name);
		return;
	}
	if (skipped_without_call_ops(opts, m, name))
		return;
	ksft_print_msg("%s 1+0 %.1f, %u+0 %.1f per call: %.2f times\n", opts->modules[m],
		       one->ns_per_call, relevant, many->ns_per_call,
		       many->ns_per_call / one->ns_per_call);
	ksft_test_result(many->ns_per_call * 100 <= one->ns_per_call * max_pct,
			 "%s <= %u%% of 1+0\n", name, max_pct);
}

static int nr_assertions(const struct options *opts)
{
	int nr = opts->nr_modules * (ARRAY_SIZE(flat_relevant) + ARRAY_SIZE(scaling)), i;

	for (i = 0; i < opts->nr_points; i++)
		if (is_ratio_point(&opts->points[i]))
			nr += opts->nr_modules - 1;
	return nr;
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	int m, i;

	/* init relays our output through a pipe: keep lines in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv, &opts);

	ksft_print_header();
	ksft_set_plan(opts.nr_modules * opts.nr_points +
		      (opts.assert_overhead ? nr_assertions(&opts) : 0));

	for (m = 0; m < opts.nr_modules; m++) {
		for (i = 0; i < opts.nr_points; i++) {
			const struct point *p = &opts.points[i];

			ksft_test_result(run_point(&opts, opts.modules[m], p,
						   &measurements[m][i]),
					 "%s %u+%u%s%s%s\n", opts.modules[m],
					 p->relevant, p->irrelevant,
					 opts.check_count ? " counted" : "",
					 *opts.params ? " " : "", opts.params);
		}
	}

	if (opts.assert_overhead) {
		for (m = 1; m < opts.nr_modules; m++)
			for (i = 0; i < opts.nr_points; i++)
				if (is_ratio_point(&opts.points[i]))
					assert_ratio(&opts, m, &opts.points[i]);
		for (m = 0; m < opts.nr_modules; m++) {
			for (i = 0; i < (int)ARRAY_SIZE(flat_relevant); i++)
				assert_flat(&opts, m, flat_relevant[i]);
			for (i = 0; i < (int)ARRAY_SIZE(scaling); i++)
				assert_scaling(&opts, m, scaling[i].relevant,
					       scaling[i].max_pct);
		}
	}

	ksft_finished();
}
