/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A selftest's tests by name: all of them, or those named on the command
 * line, so that one can be run where another would crash the kernel or
 * take too long.
 */
#ifndef CALLOPS_NAMED_TESTS_H
#define CALLOPS_NAMED_TESTS_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../kselftest.h"

/*
 * @unavailable, if set, says why the kernel cannot run the test (the test
 * is then skipped with that reason), or returns NULL.
 */
struct named_test {
	const char *name;
	bool (*run)(void);
	const char *(*unavailable)(void);
};

/*
 * Drops the @count arguments after the program's name from the command
 * line, so that the ones after them come first.
 */
static inline void drop_arguments(int *argc, char ***argv, int count)
{
	(*argv)[count] = (*argv)[0];
	*argc -= count;
	*argv += count;
}

/*
 * Takes "@option" off the front of the command line, if it is there, and
 * says whether it was.
 */
static inline bool take_flag_option(int *argc, char ***argv, const char *option)
{
	if (*argc < 2 || strcmp((*argv)[1], option))
		return false;
	drop_arguments(argc, argv, 1);
	return true;
}

/*
 * Takes "@option N" off the front of the command line, if it is there,
 * into *@value: N must be a number from 1 to @max, or the test exits,
 * failing. The test names follow, as if they were the first arguments.
 */
static inline void take_count_option(int *argc, char ***argv, const char *option, long max,
				     long *value)
{
	char *end;
	long n;

	if (*argc < 3 || strcmp((*argv)[1], option))
		return;
	errno = 0;
	n = strtol((*argv)[2], &end, 10);
	if (errno || end == (*argv)[2] || *end || n <= 0 || n > max)
		ksft_exit_fail_msg("%s: %s is not a number from 1 to %ld\n", option, (*argv)[2],
				   max);
	*value = n;
	drop_arguments(argc, argv, 2);
}

/* Whether @name is one of the tests asked for (all, if none is). */
static inline bool asked_for(const char *name, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return argc == 1;
}

/*
 * Prints the header and the plan for the tests of @tests asked for; exits,
 * failing, if a name on the command line is not one of them.
 */
static inline void plan_named_tests(const struct named_test *tests, unsigned int count,
				    int argc, char **argv)
{
	unsigned int i, asked = 0;

	for (i = 0; i < count; i++)
		asked += asked_for(tests[i].name, argc, argv);
	if (asked != (argc == 1 ? count : (unsigned int)argc - 1))
		ksft_exit_fail_msg("usage: %s [TEST...], with the tests listed in the source\n",
				   argv[0]);
	ksft_print_header();
	ksft_set_plan(asked);
}

/*
 * Runs the tests of @tests asked for, or skips those the kernel cannot run,
 * each followed by @after, if any.
 */
static inline void run_named_tests(const struct named_test *tests, unsigned int count,
				   int argc, char **argv, void (*after)(void))
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		const char *reason = NULL;

		if (!asked_for(tests[i].name, argc, argv))
			continue;
		if (tests[i].unavailable)
			reason = tests[i].unavailable();
		if (reason)
			ksft_test_result_code(KSFT_SKIP, tests[i].name, "%s", reason);
		else
			ksft_test_result(tests[i].run(), "%s\n", tests[i].name);
		if (after)
			after();
	}
}

#endif /* CALLOPS_NAMED_TESTS_H */
