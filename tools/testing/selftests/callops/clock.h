/* SPDX-License-Identifier: GPL-2.0 */
/* Time on a clock that only goes forward, for time-outs and latencies. */
#ifndef CALLOPS_CLOCK_H
#define CALLOPS_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds; it cannot fail with these arguments. */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The same clock in seconds. */
static inline double now_s(void)
{
	return now_ns() / 1e9;
}

#endif /* CALLOPS_CLOCK_H */
