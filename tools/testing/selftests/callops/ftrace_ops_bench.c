// SPDX-License-Identifier: GPL-2.0
/*
 * Drive an ftrace_ops benchmark module (samples/ftrace/ftrace-ops.c or a
 * module with the same parameters) through a list of configurations.
 *
 * Usage: ftrace_ops_bench [-c CALLS] [-r RUNS] [-k] [-v] -m MODULE... R+I...
 *
 *   -m MODULE  load /lib/modules/MODULE.ko (repeatable)
 *   -c CALLS   nr_function_calls (default 100000)
 *   -r RUNS    load each configuration RUNS times, report the fastest (default 1)
 *   -k         check_count: the module checks how often each ops ran
 *   -v         echo the module's kernel messages
 *   R+I        nr_ops_relevant and nr_ops_irrelevant of one configuration
 *
 * Each module and configuration is one test: the module is loaded with
 * "persist" so that its exit path runs too, its result line is read back
 * from /dev/kmsg and the module is removed again.  A test fails when the
 * module cannot be loaded or removed, prints no result, or the kernel logs
 * a warning meanwhile.  Passing tests print their (fastest) measurement as
 *
 *   # bench module=M relevant=R irrelevant=I calls=C total_ns=T
 *
 * for the host to tabulate.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "../kselftest.h"

#define MAX_MODULES	8
#define MAX_POINTS	32
#define KMSG_RECORD_MAX	8192

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
	bool verbose;
};

struct result {
	unsigned long long calls;
	unsigned long long total_ns;
	bool measured;
	bool warned;
};

static void exit_usage(const char *prog)
{
	ksft_exit_fail_msg("usage: %s [-c CALLS] [-r RUNS] [-k] [-v] -m MODULE... R+I...\n",
			   prog);
}

static void parse_options(int argc, char **argv, struct options *opts)
{
	int opt;

	opts->calls = 100000;
	opts->repeat = 1;
	while ((opt = getopt(argc, argv, "c:kr:m:v")) != -1) {
		switch (opt) {
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

	if (!opts->nr_modules || !opts->nr_points || !opts->calls || !opts->repeat)
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
		if (strstr(msg, "WARNING:") || strstr(msg, "Counter called"))
			res->warned = true;
		if (parse_result(msg, res))
			res->measured = true;
	}
}

static char *module_name(const char *file)
{
	char *name = strdup(file), *c;

	for (c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	return name;
}

static int load_module(const char *module, const char *params)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/lib/modules/%s.ko", module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int unload_module(const char *module)
{
	char *name = module_name(module);
	int ret = syscall(SYS_delete_module, name, O_NONBLOCK);

	free(name);
	return ret ? -errno : 0;
}

/* Load and remove the module once; fill in its result. */
static bool run_once(const struct options *opts, const char *module,
		     const struct point *p, struct result *res)
{
	char params[256];
	int kmsg, ret;

	snprintf(params, sizeof(params),
		 "nr_function_calls=%u nr_ops_relevant=%u nr_ops_irrelevant=%u check_count=%d persist=1",
		 opts->calls, p->relevant, p->irrelevant, opts->check_count);

	kmsg = kmsg_open();
	ret = load_module(module, params);
	if (ret) {
		kmsg_scan(kmsg, true, res);
		close(kmsg);
		ksft_print_msg("loading %s %s: %s\n", module, params, strerror(-ret));
		return false;
	}
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

/*
 * Interrupts that hit the measured loop only ever add to it: keep the
 * fastest of the repeated runs.
 */
static bool run_point(const struct options *opts, const char *module,
		      const struct point *p)
{
	unsigned long long best = ~0ULL;
	unsigned int run;

	for (run = 0; run < opts->repeat; run++) {
		struct result res = { 0 };

		if (!run_once(opts, module, p, &res))
			return false;
		if (res.total_ns < best)
			best = res.total_ns;
	}

	ksft_print_msg("bench module=%s relevant=%u irrelevant=%u calls=%u total_ns=%llu\n",
		       module, p->relevant, p->irrelevant, opts->calls, best);
	return true;
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	int m, i;

	/* init relays our output through a pipe: keep lines in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv, &opts);

	ksft_print_header();
	ksft_set_plan(opts.nr_modules * opts.nr_points);

	for (m = 0; m < opts.nr_modules; m++) {
		for (i = 0; i < opts.nr_points; i++) {
			const struct point *p = &opts.points[i];

			ksft_test_result(run_point(&opts, opts.modules[m], p),
					 "%s %u+%u\n", opts.modules[m],
					 p->relevant, p->irrelevant);
		}
	}

	ksft_finished();
}
