// SPDX-License-Identifier: GPL-2.0
/*
 * What ftrace does at callsites, beyond the ftrace_ops benchmark:
 *
 *   stress          load samples/ftrace/ftrace-ops-stress.c, which traces and
 *                   untraces two functions a thousand times while another
 *                   CPU calls them, and fails if a call made while traced
 *                   is not seen or one made while untraced is
 *   sets-stress     load samples/ftrace/ftrace-ops-sets-stress.c, which
 *                   registers, unregisters and refilters three ops on four
 *                   functions while another CPU calls them, and fails if a
 *                   call is not seen by exactly the ops tracing it; then
 *                   kmemleak, where the kernel has it, must find nothing
 *   sets-without-memory
 *                   two instances' function tracers on vfs_read, the second
 *                   turned on with each of the allocations this makes
 *                   failing in turn (fail-nth): it fails with ENOMEM, or
 *                   vfs_read calls the set of both ops, or, when the set is
 *                   what could not be allocated, the list of all ops, which
 *                   must still reach both tracers (needs the fault-injection
 *                   framework)
 *   ops-sets        two trace instances' function tracers on the same two
 *                   functions: both callsites call one shared set of the
 *                   two ops, and one ops directly once the other instance
 *                   leaves one of them; an ops that needs ftrace's
 *                   recursion protection, alone on a function, is called
 *                   through a set that says so
 *   module-tracing  the function tracer, filtered on a module that is not
 *                   loaded yet, traces each of the 10 calls of one of its
 *                   functions when it is loaded, in ten load/unload cycles,
 *                   with the module's own ops on that function as well
 *                   (unloading drops the filter: it is set again each time)
 *   module-call-ops a module loaded while the function tracer traces every
 *                   function: its functions call the tracer's ops directly
 *                   (6.12 gave them the list function)
 *   direct-call     samples/ftrace/ftrace-direct.c's trampoline runs on
 *                   each wake_up_process() of this task, ten of them,
 *                   alone, with the function tracer on the same function,
 *                   and alone again
 *   arguments-c     load samples/ftrace/ftrace-ops-abi.c, which fails unless
 *                   its tracees, with 9 to 16 arguments (in registers the C
 *                   convention does not use, where the compiler may), get
 *                   every argument intact while handlers that clobber every
 *                   caller-saved register trace them
 *   arguments-rust  the same for Rust functions, with samples/rust/
 *                   rust_ftrace_ops_abi.rs (u128s, structs by value and
 *                   through memory, returns in two registers and in memory);
 *                   skipped, saying why, where Rust functions cannot be
 *                   traced
 *   kprobe-on-callsite
 *                   a kprobe must not go where ftrace writes: on the ops
 *                   pointer before a callsite, nor inside the callsite
 *                   (riscv's jalr at rec->ip + 4); one just after it may
 *   patching-yields switching the function tracer on and off patches every
 *                   callsite; a task on the same CPU, waking every
 *                   millisecond, must not wait for all of it (the kernels
 *                   here do not preempt: ftrace must reschedule between
 *                   callsites, FTRACE_MAY_SLEEP)
 *
 * Usage: ftrace_callsites [--stress-cycles N] [--require-kmemleak] [TEST...]
 *   --stress-cycles N  stress's cycles (1000 by default; fewer on the debug
 *                      kernels, where each takes a third of a second)
 *   --require-kmemleak sets-stress fails where the kernel has no kmemleak
 *   TEST...            the tests to run (all of them by default)
 * It needs tracefs at /sys/kernel/tracing.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "check.h"
#include "clock.h"
#include "cpus.h"
#include "enabled_functions.h"
#include "fault_injection.h"
#include "files.h"
#include "kmemleak.h"
#include "modules.h"
#include "named_tests.h"
#include "rust_traceable.h"

#define TRACEFS		"/sys/kernel/tracing/"
#define TRACE_MAX	(1024 * 1024)
#define STRESS_CYCLES	1000
#define MODULE_CYCLES	10
#define MODULE_CALLS	10
#define SETS_STRESS	"ftrace-ops-sets-stress"
/* The trace instances of ops-sets and sets-without-memory. */
#define SET_A		TRACEFS "instances/callops_set_a/"
#define SET_B		TRACEFS "instances/callops_set_b/"
#define DIRECT_SLEEPS	10
#define DIRECT_COMM	"callops-direct"
#define STR_(x)		#x
#define STR(x)		STR_(x)
/* The sleeper's period, and how long it sleeps before and after patching. */
#define SLEEP_NS	1000000L
#define SETTLE_US	100000
/* Patching must take this long for a wait shorter than it to mean anything. */
#define MIN_PATCH_MS	50

static int write_tracefs(const char *file, const char *text)
{
	return file_write(file, text, strlen(text));
}

/* The number of lines of the trace buffer that contain @text, or -1. */
static int trace_lines_with(const char *text)
{
	static char buf[TRACE_MAX];

	return file_read(TRACEFS "trace", buf, TRACE_MAX) ? count_lines(buf, text) : -1;
}

/* Loads and removes a module that fails to load if its test fails. */
static bool test_module(const char *name, const char *params)
{
	return check(load_module(name, params), name) &&
	       check(unload_module(name), "removing the module");
}

/*
 * One load of ftrace-ops, which calls tracee_relevant() MODULE_CALLS times:
 * the function tracer must have a line for each call, no more, no less.
 */
static bool module_cycle(int cycle)
{
	int traced;

	if (!check(write_tracefs(TRACEFS "trace", ""), "clearing trace") ||
	    !check(write_tracefs(TRACEFS "set_ftrace_filter", "*:mod:ftrace_ops"),
		   "filter on the module") ||
	    !check(load_module("ftrace-ops", "nr_function_calls=" STR(MODULE_CALLS) " persist=1"),
		   "ftrace-ops"))
		return false;
	/* The function tracer's lines read "FUNCTION <-PARENT". */
	traced = trace_lines_with(": tracee_relevant <-");
	if (traced != MODULE_CALLS)
		ksft_print_msg("cycle %d: %d calls of tracee_relevant traced, not %d\n",
			       cycle, traced, MODULE_CALLS);
	return check(unload_module("ftrace-ops"), "removing ftrace-ops") &&
	       traced == MODULE_CALLS;
}

static bool test_module_tracing(void)
{
	bool ok = check(write_tracefs(TRACEFS "set_ftrace_filter", "*:mod:ftrace_ops"),
			"filter on the module") &&
		  check(write_tracefs(TRACEFS "current_tracer", "function"), "function tracer");

	for (int cycle = 0; ok && cycle < MODULE_CYCLES; cycle++)
		ok = module_cycle(cycle);

	ok &= check(write_tracefs(TRACEFS "current_tracer", "nop"), "nop tracer");
	ok &= check(write_tracefs(TRACEFS "set_ftrace_filter", ""), "clearing the filter");
	return ok;
}

/*
 * The function tracer, on every function, is the one ops tracing a module's
 * functions as the module loads, and may be called directly (no recursion
 * or RCU protection asked for): enabled_functions must show ftrace-ops's
 * relevant tracee calling it.
 */
static bool test_module_call_ops(void)
{
	bool ok = check(write_tracefs(TRACEFS "set_ftrace_filter", ""), "clearing the filter") &&
		  check(write_tracefs(TRACEFS "current_tracer", "function"), "function tracer");
	static const char params[] = "nr_function_calls=1 nr_ops_relevant=0 persist=1";
	bool loaded = ok && check(load_module("ftrace-ops", params), "ftrace-ops");
	int ops = loaded ? traced_by("tracee_relevant") : -1;
	bool direct = loaded && calls_callback("tracee_relevant", "function_trace_call");

	if (loaded && (ops != 1 || !direct))
		ksft_print_msg("tracee_relevant: %d ops, %s the function tracer directly\n", ops,
			       direct ? "calls" : "does not call");
	if (loaded)
		ok &= check(unload_module("ftrace-ops"), "removing ftrace-ops");
	ok &= check(write_tracefs(TRACEFS "current_tracer", "nop"), "nop tracer");
	return ok && loaded && ops == 1 && direct;
}

/*
 * Sleeps DIRECT_SLEEPS times, each ended by one wake_up_process() of this
 * task from its timer; returns how many of those ftrace-direct's
 * trampoline logged ("waking up COMM-PID"), or -1.
 */
static int direct_wakeups_traced(void)
{
	if (!check(write_tracefs(TRACEFS "trace", ""), "clearing trace"))
		return -1;
	for (int i = 0; i < DIRECT_SLEEPS; i++)
		usleep(10000);
	return trace_lines_with("waking up " DIRECT_COMM "-");
}

static bool direct_phase(const char *phase)
{
	int traced = direct_wakeups_traced();

	if (traced != DIRECT_SLEEPS)
		ksft_print_msg("%s: %d wake-ups of this task traced, not %d\n", phase, traced,
			       DIRECT_SLEEPS);
	return traced == DIRECT_SLEEPS;
}

/*
 * ftrace-direct's trampoline on wake_up_process(), alone, then with the
 * function tracer on the same function, then alone again: every wake-up of
 * this task reaches the trampoline each time, while the callsite goes from
 * the direct call to ftrace's list of ops and back (on riscv, from
 * ftrace_caller_direct to ftrace_caller and back), and the function tracer
 * sees the wake-ups too while it is on.
 */
static bool test_direct_call(void)
{
	char comm[16];
	bool ok;

	if (!check(prctl(PR_GET_NAME, comm) ? -errno : 0, "reading the task's name") ||
	    !check(prctl(PR_SET_NAME, DIRECT_COMM) ? -errno : 0, "naming the task") ||
	    !check(load_module("ftrace-direct", ""), "ftrace-direct"))
		return false;
	ok = direct_phase("direct call alone") &&
	     check(write_tracefs(TRACEFS "set_ftrace_filter", "wake_up_process"),
		   "filter on wake_up_process") &&
	     check(write_tracefs(TRACEFS "current_tracer", "function"), "function tracer") &&
	     direct_phase("with the function tracer");
	if (ok && trace_lines_with(": wake_up_process <-") < DIRECT_SLEEPS) {
		ksft_print_msg("the function tracer saw fewer than %d calls of wake_up_process\n",
			       DIRECT_SLEEPS);
		ok = false;
	}
	ok &= check(write_tracefs(TRACEFS "current_tracer", "nop"), "nop tracer");
	ok &= check(write_tracefs(TRACEFS "set_ftrace_filter", ""), "clearing the filter");
	ok = ok && direct_phase("direct call alone again");
	ok = check(unload_module("ftrace-direct"), "removing ftrace-direct") && ok;
	prctl(PR_SET_NAME, comm);
	return ok;
}

/* The callsite address (rec->ip) of a function whose name ends in @suffix, or 0. */
static unsigned long long callsite_of(const char *suffix)
{
	static char buf[TRACE_MAX];
	char *line, *save;

	if (!file_read(TRACEFS "available_filter_functions_addrs", buf, TRACE_MAX))
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name = strchr(line, ' ');
		size_t len = name ? strlen(name + 1) : 0;

		if (len >= strlen(suffix) && !strcmp(name + 1 + len - strlen(suffix), suffix))
			return strtoull(line, NULL, 16);
	}
	return 0;
}

/* Appends @cmd to kprobe_events (truncating it would remove every probe). */
static int kprobe_events_add(const char *cmd)
{
	return file_write_flags(TRACEFS "kprobe_events", O_APPEND, cmd, strlen(cmd));
}

/* Places a kprobe at @addr, and removes it; 0 or the negative errno. */
static int probe_at(unsigned long long addr)
{
	char cmd[64];
	int ret;

	snprintf(cmd, sizeof(cmd), "p:callops/at 0x%llx", addr);
	ret = kprobe_events_add(cmd);
	if (!ret)
		check(kprobe_events_add("-:callops/at"), "removing the kprobe");
	return ret;
}

/*
 * The bytes ftrace writes at a callsite, other than rec->ip (which kprobes
 * leave to ftrace): the ops pointer, and on riscv the rest of the callsite,
 * from @ip - 8 to @ip + 8 (see Documentation/arch/riscv/ftrace-call-ops.rst).
 * arm64's ops pointer is the 8-byte aligned doubleword that starts 12 bytes
 * (16 with BTI) before the BL.
 */
#if defined(__aarch64__)
#define RESERVED_START(ip)	(((ip) - 12) & ~7ULL)
#define RESERVED_END(ip)	(RESERVED_START(ip) + 8)
#define INSN_ALIGN		4
#define AFTER_CALLSITE(ip)	((ip) + 4)
#elif defined(__riscv)
#define RESERVED_START(ip)	((ip) - 8)
#define RESERVED_END(ip)	((ip) + 8)
#define INSN_ALIGN		2
#define AFTER_CALLSITE(ip)	((ip) + 8)
#endif

static bool test_kprobe_on_callsite(void)
{
	unsigned long long ip = callsite_of("sys_getppid"), addr;
	bool ok = true;
	int ret;

	if (!ip) {
		ksft_print_msg("no callsite of *sys_getppid in available_filter_functions_addrs\n");
		return false;
	}
	/*
	 * kallsyms gives the bytes before the function to the one before it:
	 * if that one is notrace, kprobe events refuse them with EINVAL
	 * before the arch can. Either way the probe must not be placed.
	 */
	for (addr = RESERVED_START(ip); addr < RESERVED_END(ip); addr += INSN_ALIGN) {
		if (addr == ip)
			continue;
		ret = probe_at(addr);
		if (ret != -EILSEQ && !(addr < ip && ret == -EINVAL)) {
			ksft_print_msg("kprobe at callsite %+d: %s, expected EILSEQ\n",
				       (int)(addr - ip), ret ? strerror(-ret) : "placed");
			ok = false;
		}
	}
	return check(probe_at(AFTER_CALLSITE(ip)), "kprobe just after the callsite") && ok;
}

/*
 * Sleeps SLEEP_NS at a time on CPU 0 until *stop, keeping in *latest_ns the
 * longest it woke late; exits with 1 if it could not be pinned.
 */
static void sleeper(int *stop, long long *latest_ns)
{
	struct timespec period = { .tv_nsec = SLEEP_NS };

	if (!pin_to_cpu(0))
		_exit(1);
	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		long long start = now_ns(), late;

		nanosleep(&period, NULL);
		late = now_ns() - start - SLEEP_NS;
		if (late > *latest_ns)
			__atomic_store_n(latest_ns, late, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/* How long writing @tracer to current_tracer took, in ns, or -1. */
static long long switch_tracer(const char *tracer)
{
	long long start = now_ns();

	if (!check(write_tracefs(TRACEFS "current_tracer", tracer), tracer))
		return -1;
	return now_ns() - start;
}

/* Whether the running kernel preempts tasks in the kernel. */
static bool kernel_preempts(void)
{
	struct utsname uts;

	return uname(&uts) || strstr(uts.version, "PREEMPT");
}

static bool test_patching_yields(void)
{
	struct shared { int stop; long long latest_ns; } *shared;
	long long on_ns, off_ns, patch_ms, latest_ms;
	int status = 0;
	pid_t child;
	bool ok;

	if (kernel_preempts()) {
		ksft_print_msg("the kernel preempts: waking the sleeper needs no help\n");
		return false;
	}
	/* The last test: this process stays on CPU 0. */
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return check(-errno, "mmap");
	ok = check(pin_to_cpu(0) ? 0 : -errno, "pinning to CPU 0");
	child = ok ? fork() : -1;
	if (!child)
		sleeper(&shared->stop, &shared->latest_ns);
	if (child < 0) {
		ok = ok && check(-errno, "fork");
		goto out;
	}
	usleep(SETTLE_US);
	on_ns = switch_tracer("function");
	off_ns = on_ns < 0 ? -1 : switch_tracer("nop");
	usleep(SETTLE_US);
	__atomic_store_n(&shared->stop, 1, __ATOMIC_RELAXED);
	ok = waitpid(child, &status, 0) == child && WIFEXITED(status) && !WEXITSTATUS(status);
	if (!ok)
		ksft_print_msg("the sleeper failed (status %#x)\n", status);
	if (on_ns < 0 || off_ns < 0) {
		ok = false;
		goto out;
	}

	patch_ms = (on_ns > off_ns ? on_ns : off_ns) / 1000000;
	latest_ms = __atomic_load_n(&shared->latest_ns, __ATOMIC_RELAXED) / 1000000;
	ksft_print_msg("patching took %lld ms on and %lld ms off\n",
		       on_ns / 1000000, off_ns / 1000000);
	ksft_print_msg("the sleeper woke at most %lld ms late\n", latest_ms);
	if (patch_ms < MIN_PATCH_MS) {
		ksft_print_msg("patching took under %d ms: too short to tell\n", MIN_PATCH_MS);
		ok = false;
	}
	if (latest_ms * 2 > patch_ms) {
		ksft_print_msg("the sleeper waited for most of the patching\n");
		ok = false;
	}
out:
	munmap(shared, sizeof(*shared));
	return ok;
}

static long stress_cycles = STRESS_CYCLES;

static bool test_stress(void)
{
	char params[32];

	snprintf(params, sizeof(params), "nr_cycles=%ld", stress_cycles);
	return test_module("ftrace-ops-stress", params);
}

static bool require_kmemleak;

static bool test_sets_stress(void)
{
	bool kmemleak = kmemleak_clear();

	if (!kmemleak && require_kmemleak) {
		ksft_print_msg("kmemleak: not available\n");
		return false;
	}
	if (!test_module(SETS_STRESS, ""))
		return false;
	return !kmemleak || kmemleak_clean();
}

/* The number of times @needle occurs in @text. */
static int occurrences(const char *text, const char *needle)
{
	int count = 0;

	for (; (text = strstr(text, needle)); text += strlen(needle))
		count++;
	return count;
}

/*
 * Whether @function's callsite calls a set of @nr ops, all of whose
 * callbacks are @callback, @assisted ones through the assist function; the
 * set's ID goes into @id (OPS_SET_ID_MAX bytes).
 */
static bool calls_set_of(const char *function, int nr, const char *callback, int assisted,
			 char *id)
{
	static struct ops_set set;
	char wanted[128];

	if (!calls_ops_set(function, &set)) {
		ksft_print_msg("%s: calls no set of ops\n", function);
		return false;
	}
	/* Each callback as %pS prints it: " NAME+0x0/SIZE". */
	snprintf(wanted, sizeof(wanted), " %s+0x0/", callback);
	if (set.nr != nr || occurrences(set.callbacks, wanted) != nr ||
	    occurrences(set.callbacks, " (assisted)") != assisted) {
		ksft_print_msg("%s: calls the set %s of %d:%s, not one of %d %s (%d assisted)\n",
			       function, set.id, set.nr, set.callbacks, nr, callback, assisted);
		return false;
	}
	snprintf(id, OPS_SET_ID_MAX, "%s", set.id);
	return true;
}

static bool set_instance_file(const char *instance, const char *file, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s", instance, file);
	return check(write_tracefs(path, text), path);
}

/* A write takes one glob: vfs_read, then vfs_write appended. */
static bool filter_read_and_write(const char *instance)
{
	char path[128];

	snprintf(path, sizeof(path), "%sset_ftrace_filter", instance);
	return check(write_tracefs(path, "vfs_read"), path) &&
	       check(file_write_flags(path, O_APPEND, "vfs_write", strlen("vfs_write")), path);
}

/*
 * Two instances' function tracers on vfs_read and vfs_write share one set;
 * once instance B leaves vfs_write, A's ops is called directly there.
 */
static bool instances_share_a_set(void)
{
	char read_set[OPS_SET_ID_MAX], write_set[OPS_SET_ID_MAX];
	int ops;

	if (!filter_read_and_write(SET_A) || !filter_read_and_write(SET_B) ||
	    !set_instance_file(SET_A, "current_tracer", "function") ||
	    !set_instance_file(SET_B, "current_tracer", "function") ||
	    !calls_set_of("vfs_read", 2, "function_trace_call", 0, read_set) ||
	    !calls_set_of("vfs_write", 2, "function_trace_call", 0, write_set))
		return false;
	if (strcmp(read_set, write_set)) {
		ksft_print_msg("vfs_read calls the set %s, vfs_write %s\n", read_set, write_set);
		return false;
	}
	if (!set_instance_file(SET_B, "set_ftrace_filter", "vfs_read") ||
	    !calls_set_of("vfs_read", 2, "function_trace_call", 0, read_set))
		return false;
	ops = traced_by("vfs_write");
	if (ops != 1 || !calls_callback("vfs_write", "function_trace_call")) {
		ksft_print_msg("vfs_write: %d ops, not the function tracer called directly\n", ops);
		return false;
	}
	return true;
}

/* ftrace-ops's one relevant ops, which asks for recursion protection. */
static bool assisted_ops_in_a_set(void)
{
	static const char params[] =
		"nr_function_calls=1 nr_ops_relevant=1 assist_recursion=1 persist=1";
	char set[OPS_SET_ID_MAX];
	bool ok;

	if (!check(load_module("ftrace-ops", params), "ftrace-ops"))
		return false;
	ok = calls_set_of("tracee_relevant", 1, "ops_func_nop", 1, set);
	return check(unload_module("ftrace-ops"), "removing ftrace-ops") && ok;
}

static bool test_ops_sets(void)
{
	bool ok = check(mkdir(SET_A, 0755) ? -errno : 0, "making instance a") &&
		  check(mkdir(SET_B, 0755) ? -errno : 0, "making instance b") &&
		  instances_share_a_set();

	ok &= set_instance_file(SET_A, "current_tracer", "nop");
	ok &= set_instance_file(SET_B, "current_tracer", "nop");
	ok &= check(rmdir(SET_A) ? -errno : 0, "removing instance a");
	ok &= check(rmdir(SET_B) ? -errno : 0, "removing instance b");
	return ok && assisted_ops_in_a_set();
}

/* Whether @instance's function tracer has a line of a call of vfs_read. */
static bool instance_traced_read(const char *instance)
{
	static char text[TRACE_MAX];
	char path[128];

	snprintf(path, sizeof(path), "%strace", instance);
	return file_read(path, text, sizeof(text)) && count_lines(text, ": vfs_read <-") > 0;
}

/*
 * Both instances' tracers see a read. (Reading an instance's trace pauses
 * its tracer: the read before is the one both must see.)
 */
static bool both_trace_a_read(void)
{
	char comm[32];

	if (!set_instance_file(SET_A, "trace", "") || !set_instance_file(SET_B, "trace", "") ||
	    !check(file_read("/proc/self/comm", comm, sizeof(comm)) ? 0 : -errno, "a read"))
		return false;
	if (instance_traced_read(SET_A) && instance_traced_read(SET_B))
		return true;
	ksft_print_msg("on the list of all ops, a tracer missed a call of vfs_read\n");
	return false;
}

/*
 * Turns instance B's function tracer on with the @nth allocation of the
 * write failing: ENOMEM, tracing as before; or vfs_read traced by both,
 * through their set or, if that is what could not be allocated, through
 * the list of all ops, counted in *@listed.  B is turned off after.
 */
static bool second_tracer_without(int fd, int nth, int *listed)
{
	static struct ops_set set;
	int ret, ops;
	bool ok;

	if (!set_fail_nth(fd, nth))
		return check(-errno, "writing fail-nth");
	ret = write_tracefs(SET_B "current_tracer", "function");
	set_fail_nth(fd, 0);
	ops = traced_by("vfs_read");
	if (ret) {
		if (ret == -ENOMEM && ops == 1)
			return true;
		ksft_print_msg("allocation %d failed the tracer with %s, %d ops on vfs_read\n",
			       nth, strerror(-ret), ops);
		return false;
	}
	ok = ops == 2;
	if (!ok) {
		ksft_print_msg("allocation %d: %d ops on vfs_read, not 2\n", nth, ops);
	} else if (!calls_ops_set("vfs_read", &set)) {
		(*listed)++;
		ok = both_trace_a_read();
	}
	return set_instance_file(SET_B, "current_tracer", "nop") && ok;
}

static bool test_sets_without_memory(void)
{
	int fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC), left = 0, total, nth, listed = 0;
	bool ok = fd >= 0 && fail_nth_setup();

	if (!ok)
		ksft_print_msg("no fault injection (%s)\n", FAIL_NTH);
	/*
	 * On vfs_read alone: the set is then made for one callsite, and is
	 * not made for another when the first attempt fails.
	 */
	ok = ok && check(mkdir(SET_A, 0755) ? -errno : 0, "making instance a") &&
	     check(mkdir(SET_B, 0755) ? -errno : 0, "making instance b") &&
	     set_instance_file(SET_A, "set_ftrace_filter", "vfs_read") &&
	     set_instance_file(SET_B, "set_ftrace_filter", "vfs_read") &&
	     set_instance_file(SET_A, "current_tracer", "function");
	/* How many allocations turning B's tracer on makes, none failing. */
	if (ok) {
		ok = set_fail_nth(fd, NTH_NEVER) &&
		     check(write_tracefs(SET_B "current_tracer", "function"), "B's tracer");
		left = fail_nth_left(fd);
		set_fail_nth(fd, 0);
		ok = set_instance_file(SET_B, "current_tracer", "nop") && ok && left > 0;
	}
	total = NTH_NEVER - left;
	for (nth = 1; ok && nth <= total; nth++)
		ok = second_tracer_without(fd, nth, &listed);
	if (fd >= 0)
		close(fd);
	ksft_print_msg("%d allocations, each failed in turn: %d left vfs_read on the list %s\n",
		       ok ? total : 0, listed, "of all ops");
	set_instance_file(SET_A, "current_tracer", "nop");
	set_instance_file(SET_B, "current_tracer", "nop");
	ok &= check(rmdir(SET_A) ? -errno : 0, "removing instance a");
	ok &= check(rmdir(SET_B) ? -errno : 0, "removing instance b");
	return ok && listed;
}

static bool test_arguments_c(void)
{
	return test_module("ftrace-ops-abi", "");
}

static bool test_arguments_rust(void)
{
	return test_module("rust_ftrace_ops_abi", "");
}

int main(int argc, char **argv)
{
	static const struct named_test tests[] = {
		{ "stress", test_stress, NULL },
		{ "sets-stress", test_sets_stress, NULL },
		{ "sets-without-memory", test_sets_without_memory, NULL },
		{ "ops-sets", test_ops_sets, NULL },
		{ "module-tracing", test_module_tracing, NULL },
		{ "module-call-ops", test_module_call_ops, NULL },
		{ "direct-call", test_direct_call, NULL },
		{ "arguments-c", test_arguments_c, NULL },
		{ "arguments-rust", test_arguments_rust, rust_untraceable },
		{ "kprobe-on-callsite", test_kprobe_on_callsite, NULL },
		{ "patching-yields", test_patching_yields, NULL },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	take_count_option(&argc, &argv, "--stress-cycles", STRESS_CYCLES, &stress_cycles);
	require_kmemleak = take_flag_option(&argc, &argv, "--require-kmemleak");
	plan_named_tests(tests, ARRAY_SIZE(tests), argc, argv);
	run_named_tests(tests, ARRAY_SIZE(tests), argc, argv, NULL);
	ksft_finished();
}
