/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault-injection framework (Documentation/fault-injection/), where the
 * kernel has it: the Nth allocation the calling thread makes from now on
 * fails (/proc/thread-self/fail-nth), sleeping ones and single pages too,
 * quietly.
 */
#ifndef CALLOPS_FAULT_INJECTION_H
#define CALLOPS_FAULT_INJECTION_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "kmemleak.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAILSLAB	DEBUGFS "/failslab/"
#define FAIL_PAGE_ALLOC	DEBUGFS "/fail_page_alloc/"
/* Fails the allocation after so many: never, for counting them. */
#define NTH_NEVER	1000000

static inline bool fault_knob(const char *path, const char *value)
{
	return check(file_write(path, value, strlen(value)), path);
}

/* Makes fail-nth reach every allocation: sleeping ones and single pages too. */
static inline bool fail_nth_setup(void)
{
	return debugfs_mounted() &&
	       fault_knob(FAILSLAB "ignore-gfp-wait", "N") &&
	       fault_knob(FAILSLAB "verbose", "0") &&
	       fault_knob(FAIL_PAGE_ALLOC "ignore-gfp-wait", "N") &&
	       fault_knob(FAIL_PAGE_ALLOC "ignore-gfp-highmem", "N") &&
	       fault_knob(FAIL_PAGE_ALLOC "min-order", "0") &&
	       fault_knob(FAIL_PAGE_ALLOC "verbose", "0");
}

/*
 * Makes the @nth allocation of the calling thread from now on fail, through
 * @fd, FAIL_NTH opened for reading and writing; 0 makes none fail.
 */
static inline bool set_fail_nth(int fd, int nth)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", nth);

	return pwrite(fd, text, len, 0) == len;
}

/* How many allocations are left before the one to fail: 0 once it failed. */
static inline int fail_nth_left(int fd)
{
	char text[16] = "";

	if (pread(fd, text, sizeof(text) - 1, 0) <= 0)
		return -1;
	return atoi(text);
}

#endif /* CALLOPS_FAULT_INJECTION_H */
