/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A selftest's tests by name: all of them, or those named on the command
 * line, so that one can be run where another would crash the kernel or
 * take too long.
 */
#ifndef CALLOPS_NAMED_TESTS_H
#define CALLOPS_NAMED_TESTS_H

#include <stdbool.h>
#include <string.h>

#include "../kselftest.h"

struct named_test {
	const char *name;
	bool (*run)(void);
};

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

/* Runs the tests of @tests asked for, each followed by @after, if any. */
static inline void run_named_tests(const struct named_test *tests, unsigned int count,
				   int argc, char **argv, void (*after)(void))
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (!asked_for(tests[i].name, argc, argv))
			continue;
		ksft_test_result(tests[i].run(), "%s\n", tests[i].name);
		if (after)
			after();
	}
}

#endif /* CALLOPS_NAMED_TESTS_H */
