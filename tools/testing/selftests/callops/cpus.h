/* SPDX-License-Identifier: GPL-2.0 */
/* Running on given CPUs, and starting work on several at once. */
#ifndef CALLOPS_CPUS_H
#define CALLOPS_CPUS_H

#include <sched.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "clock.h"

/* Whether the calling task now runs on @cpu only; errno says why not. */
static inline bool pin_to_cpu(int cpu)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	return !sched_setaffinity(0, sizeof(cpus), &cpus);
}

/*
 * A count of arrivals shared across fork(): rendezvous_new() before forking,
 * rendezvous() in each of @parties processes, rendezvous_free() after.
 */
static inline int *rendezvous_new(void)
{
	int *arrived = mmap(NULL, sizeof(*arrived), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (arrived == MAP_FAILED)
		return NULL;
	*arrived = 0;
	return arrived;
}

/*
 * Waits until @parties processes have arrived, so that what each does next
 * overlaps; false if they did not within 10 s.
 */
static inline bool rendezvous(int *arrived, int parties)
{
	long long deadline = now_ns() + 10000000000LL;

	__atomic_fetch_add(arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(arrived, __ATOMIC_SEQ_CST) < parties) {
		if (now_ns() > deadline)
			return false;
		sched_yield();
	}
	return true;
}

static inline void rendezvous_free(int *arrived)
{
	munmap(arrived, sizeof(*arrived));
}

#endif /* CALLOPS_CPUS_H */
