/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result of a call that returns 0 or a negative errno, as the
 * selftests' helpers do.
 */
#ifndef CALLOPS_CHECK_H
#define CALLOPS_CHECK_H

#include <stdbool.h>
#include <string.h>

#include "../kselftest.h"

/* Whether @ret is 0; if not, says what of @what failed, and how. */
static inline bool check(int ret, const char *what)
{
	if (ret)
		ksft_print_msg("%s: %s\n", what, strerror(-ret));
	return !ret;
}

#endif /* CALLOPS_CHECK_H */
