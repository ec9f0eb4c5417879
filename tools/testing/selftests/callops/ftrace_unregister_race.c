// SPDX-License-Identifier: GPL-2.0
/*
 * The promise of kernel::ftrace, that no handler call runs once
 * FtraceOps::unregister() has returned, tested while handlers are called:
 *
 *   unregister-race  every CPU calls getppid() and getuid() in a loop while
 *                    samples/rust/rust_ftrace_unregister_race.rs registers
 *                    1000 ftrace_ops on getppid, one after the other,
 *                    unregisters and frees each, and fails to load if a
 *                    handler counted a call after unregister() returned
 *
 * Usage: ftrace_unregister_race [ROUNDS]   (the module's default: 1000)
 *
 * Run it with one QEMU TCG thread: see the module for why.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "check.h"
#include "cpus.h"
#include "modules.h"

#define MODULE		"rust_ftrace_unregister_race"
#define MAX_CPUS	64

/*
 * Calls getppid() and getuid() for ever, on @cpu only, counting the rounds
 * in @rounds (shared with the parent).  At nice 19: the caller sharing a
 * CPU with the module's loader runs while the loader waits, and takes
 * little from it otherwise (at nice 0 it took half, and the 1000 rounds
 * twice as long).
 */
static pid_t start_caller(int cpu, unsigned long *rounds)
{
	pid_t child = fork();

	if (child)
		return child;
	if (!pin_to_cpu(cpu))
		_exit(1);
	if (setpriority(PRIO_PROCESS, 0, 19))
		_exit(1);
	/* The system calls themselves, as in the tracer's tests. */
	for (;;) {
		syscall(SYS_getppid);
		syscall(SYS_getuid);
		__atomic_fetch_add(rounds, 1, __ATOMIC_RELAXED);
	}
}

/* Waits up to 10 s for every caller to have made a round of calls. */
static bool callers_calling(unsigned long *rounds, long cpus)
{
	long cpu, waited;

	for (waited = 0; waited < 10000; waited++) {
		for (cpu = 0; cpu < cpus; cpu++)
			if (!__atomic_load_n(&rounds[cpu], __ATOMIC_RELAXED))
				break;
		if (cpu == cpus)
			return true;
		usleep(1000);
	}
	ksft_print_msg("the caller on CPU %ld did not start\n", cpu);
	return false;
}

static bool test_unregister_race(const char *params)
{
	long cpu, cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long *rounds;
	pid_t callers[MAX_CPUS];
	bool ok = true;
	int status;

	if (cpus < 2 || cpus > MAX_CPUS) {
		ksft_print_msg("needs 2 to %d CPUs, not %ld\n", MAX_CPUS, cpus);
		return false;
	}
	rounds = mmap(NULL, cpus * sizeof(*rounds), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rounds == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", strerror(errno));
		return false;
	}
	for (cpu = 0; cpu < cpus; cpu++) {
		callers[cpu] = start_caller(cpu, &rounds[cpu]);
		ok &= callers[cpu] > 0;
	}
	ok = ok && callers_calling(rounds, cpus);
	if (ok)
		ok = check(load_module(MODULE, params), MODULE) &&
		     check(unload_module(MODULE), "removing " MODULE);
	for (cpu = 0; cpu < cpus; cpu++) {
		if (callers[cpu] <= 0)
			continue;
		kill(callers[cpu], SIGKILL);
		waitpid(callers[cpu], &status, 0);
		/* Killed, not exited: a caller that could not pin itself. */
		ok &= WIFSIGNALED(status);
		ksft_print_msg("CPU %ld: %lu rounds of calls\n", cpu, rounds[cpu]);
	}
	munmap(rounds, cpus * sizeof(*rounds));
	return ok;
}

int main(int argc, char **argv)
{
	char params[64] = "";

	if (argc > 1)
		snprintf(params, sizeof(params), "rounds=%s", argv[1]);
	ksft_print_header();
	ksft_set_plan(1);
	ksft_test_result(test_unregister_race(params), "unregister-race\n");
	ksft_finished();
}
