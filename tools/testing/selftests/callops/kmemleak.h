/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmemleak, where the kernel has it (the debug kernels): whether what a
 * test did left allocations that nothing points to.
 */
#ifndef CALLOPS_KMEMLEAK_H
#define CALLOPS_KMEMLEAK_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include "../kselftest.h"
#include "check.h"
#include "files.h"

#define DEBUGFS		"/sys/kernel/debug"
#define KMEMLEAK	DEBUGFS "/kmemleak"
#define KMEMLEAK_REPORT_MAX	(256 * 1024)

/* Whether debugfs is mounted, mounting it if it was not. */
static inline bool debugfs_mounted(void)
{
	return !mount("debugfs", DEBUGFS, "debugfs", 0, NULL) || errno == EBUSY;
}

/*
 * Whether kmemleak is available, and forgets the allocations made so far:
 * only those made after are reported.
 */
static inline bool kmemleak_clear(void)
{
	return debugfs_mounted() && !file_write(KMEMLEAK, "clear", strlen("clear"));
}

/* Whether a kmemleak scan finds no allocation that nothing points to. */
static inline bool kmemleak_clean(void)
{
	static char report[KMEMLEAK_REPORT_MAX];

	/* kmemleak only reports allocations older than five seconds. */
	sleep(6);
	if (!check(file_write(KMEMLEAK, "scan", strlen("scan")), "kmemleak scan"))
		return false;
	if (!file_read(KMEMLEAK, report, sizeof(report))) {
		ksft_perror("reading kmemleak");
		return false;
	}
	if (*report)
		ksft_print_msg("kmemleak:\n%.4000s\n", report);
	else
		ksft_print_msg("kmemleak: nothing unreferenced\n");
	return !*report;
}

#endif /* CALLOPS_KMEMLEAK_H */
