// SPDX-License-Identifier: GPL-2.0
/*
 * The Rust sample tracer (samples/rust/rust_callops_tracer.rs) used as no
 * user should, and what it must do all the same:
 *
 *   opath-after-rmmod  files opened with O_PATH, or bind-mounted elsewhere,
 *                      before the module goes cannot be opened after it
 *                      went: ENODEV
 *   open-racing-rmmod  opening enable while the module comes and goes
 *                      either works and reads 0 or 1, or fails with
 *                      ENOENT or ENODEV
 *   slots-reclaimed    600 new functions at a time, 4 times over, taken
 *                      away again in between (while tracing, or by
 *                      clearing the filter), never run out of call
 *                      counters
 *   recursion          the calls the handler makes to a traced function
 *                      are not counted
 *   lost-events        events the instance drops (its trace_printk option
 *                      off) are counted in stats
 *   mod-filter         globs with :mod:, and a module that has none of the
 *                      functions or does not exist (ENOENT)
 *   bad-globs          "!!glob" and numbers (ftrace's function indexes)
 *                      fail with EINVAL
 *   module-removal     a module whose function is selected cannot be removed
 *                      (EAGAIN) until it leaves the filter
 *   long-write         reading enable while a write of many globs goes on
 *                      is not held up until the write is done
 *   user-instance      a user's own instance called rust_callops stops the
 *                      load (EEXIST) and is left to the user
 *   round-trip-large   a filter of more than a page written back the way
 *                      cat does, in page-sized writes that split names
 *
 * recursion and round-trip-large trace Rust functions: they are skipped,
 * saying why, where the kernel cannot.
 *
 * Each test starts and ends with the module loaded, its filter empty. The
 * two rmmod races run with RCU's grace periods expedited, which makes
 * their 1000 rounds take one to two minutes each (see expedite_rcu()).
 *
 * Usage: callops_hostile [--rounds N] [TEST...]
 *   --rounds N  the rmmod races' rounds (1000 by default)
 *   TEST...     the tests to run (all of them by default)
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "clock.h"
#include "named_tests.h"
#include "rust_traceable.h"
#include "tracer.h"

#define ROUNDS		1000
#define RACE_BUDGET_S	300
#define MIN_RACE_ROUNDS	20
/* How long a test may loop before it gives up and fails. */
#define TIMEOUT_S	400
#define BIND_TARGET	"/tmp/callops_hostile_enable"
#define RCU_EXPEDITED	"/sys/kernel/rcu_expedited"
/* How often to retry removing the module while another process has it. */
#define UNLOAD_TRIES	100000
/* Bounds what the racing child does, should SIGTERM never come. */
#define CHILD_ROUNDS	100000000L
/* 4 x 600 functions: more than the tracer's 2048 call counters. */
#define SLOT_ROUNDS	4
#define ROUND_FUNCTIONS	600
/* Functions are selected in groups named alike, by "prefix*" globs. */
#define PREFIX_LEN	6
#define GROUP_MIN	5
#define GROUP_MAX	60
#define MAX_GROUPS	1000
/* Each write of the function names is shorter than this. */
#define WRITE_LIMIT	3500
/* The most available_filter_functions may hold, and reads to get it. */
#define MAX_LIST_SIZE	(64 << 20)
#define MAX_READS	(1024 * 1024)
#define PAGE		4096
/* A module of functions to select: the C ftrace_ops sample, left loaded. */
#define OTHER_MODULE	"ftrace-ops"
#define OTHER_NAME	"ftrace_ops"
#define OTHER_PARAMS	"nr_function_calls=1 persist=1"
#define OTHER_FUNCTION	"tracee_relevant"
/* A write of globs that takes seconds to match, one at a time. */
#define LONG_WRITE_GLOBS	100
#define LONG_WRITE_MIN_S	0.5
#define PRINTK_OPTION	TRACEFS "options/trace_printk"
#define STATS_HEADER	"#       hits  function"
#define DROPPED		"# events dropped: "

/* Whether TIMEOUT_S went by since @start, saying so for @what. */
static bool timed_out(double start, const char *what)
{
	if (now_s() - start < TIMEOUT_S)
		return false;
	ksft_print_msg("%s: gave up after %d s\n", what, TIMEOUT_S);
	return true;
}

/*
 * How many rounds each rmmod race runs: ROUNDS, or fewer (--rounds, for the
 * debug kernels); or as many as RACE_BUDGET_S allows where modules load
 * slowly (a host busier than make check's, where a round can take more
 * than a third of a second).
 * Fewer than MIN_RACE_ROUNDS fails, unless no more were asked for.
 */
static long race_rounds = ROUNDS;

/*
 * Whether a race started at @start, @rounds rounds in, goes on; when it
 * stops, whether it ran enough rounds, saying how many.
 */
static bool race_goes_on(const char *what, int rounds, double start, bool *enough)
{
	if (rounds < race_rounds && now_s() - start < RACE_BUDGET_S)
		return true;
	*enough = rounds == race_rounds || rounds >= MIN_RACE_ROUNDS;
	ksft_print_msg("%s: %d rounds in %.0f s%s\n", what, rounds, now_s() - start,
		       *enough ? "" : ", too few");
	return false;
}

/*
 * Makes RCU grace periods expedited, as rcupdate.rcu_expedited=1 does, or
 * normal again. Each round of the rmmod races waits for several (removing
 * the module, tearing down its instance): normal ones took most of a
 * round: in two minutes, beside make check's other guests, arm64 ran 641
 * rounds of open-racing-rmmod and riscv 269; alone, with expedited grace
 * periods, each runs 1000 in 100 s.
 */
static bool expedite_rcu(bool on)
{
	return check(write_str(RCU_EXPEDITED, on ? "1" : "0"), RCU_EXPEDITED);
}

/* Runs the rounds of an rmmod race with expedited grace periods. */
static bool expedited(bool (*run_rounds)(void))
{
	bool ok;

	if (!expedite_rcu(true))
		return false;
	ok = run_rounds();
	return expedite_rcu(false) && ok;
}

/* Loads the module unless it is loaded. */
static bool ensure_loaded(void)
{
	return exists(DIR) || load("");
}

/*
 * Whether opening the file behind @fd, an O_PATH descriptor, with @flags
 * fails with ENODEV.
 */
static bool reopen_fails(int fd, int flags, const char *name, int round)
{
	char path[64];
	int reopened;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	reopened = open(path, flags | O_CLOEXEC);
	if (reopened >= 0) {
		ksft_print_msg("round %d: %s reopened after rmmod\n", round, name);
		close(reopened);
		return false;
	}
	if (errno != ENODEV) {
		ksft_print_msg("round %d: reopening %s after rmmod: %s (expected %s)\n", round,
			       name, strerror(errno), strerror(ENODEV));
		return false;
	}
	return true;
}

/* One round of opath-after-rmmod: the module is loaded before and after. */
static bool opath_round(int round)
{
	int filter, stats;
	bool ok = true;

	filter = open(DIR "filter", O_PATH | O_CLOEXEC);
	if (filter < 0) {
		ksft_print_msg("round %d: O_PATH open of filter: %s\n", round, strerror(errno));
		return false;
	}
	stats = open(DIR "stats", O_PATH | O_CLOEXEC);
	if (stats < 0) {
		ksft_print_msg("round %d: O_PATH open of stats: %s\n", round, strerror(errno));
		close(filter);
		return false;
	}
	if (unload()) {
		ok &= reopen_fails(filter, O_RDWR, "filter", round);
		ok &= reopen_fails(stats, O_RDONLY, "stats", round);
	} else {
		ok = false;
	}
	close(filter);
	close(stats);
	return load("") && ok;
}

/* enable, bind-mounted onto a file, cannot be opened there after rmmod. */
static bool bind_mount_after_rmmod(void)
{
	bool ok = true;
	int fd;

	if (mkdir("/tmp", 0755) && errno != EEXIST) {
		ksft_print_msg("mkdir /tmp: %s\n", strerror(errno));
		return false;
	}
	fd = open(BIND_TARGET, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ksft_print_msg("creating " BIND_TARGET ": %s\n", strerror(errno));
		return false;
	}
	close(fd);
	if (mount(DIR "enable", BIND_TARGET, NULL, MS_BIND, NULL)) {
		ksft_print_msg("bind-mounting enable: %s\n", strerror(errno));
		unlink(BIND_TARGET);
		return false;
	}
	if (unload()) {
		fd = open(BIND_TARGET, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ksft_print_msg("bind-mounted enable opened after rmmod\n");
			close(fd);
			ok = false;
		} else if (errno != ENODEV) {
			ksft_print_msg("opening bind-mounted enable: %s (expected %s)\n",
				       strerror(errno), strerror(ENODEV));
			ok = false;
		}
	} else {
		ok = false;
	}
	if (umount2(BIND_TARGET, 0)) {
		ksft_print_msg("umount " BIND_TARGET ": %s\n", strerror(errno));
		umount2(BIND_TARGET, MNT_DETACH);
		ok = false;
	}
	if (unlink(BIND_TARGET)) {
		ksft_print_msg("removing " BIND_TARGET ": %s\n", strerror(errno));
		ok = false;
	}
	return ensure_loaded() && ok;
}

static bool opath_rounds(void)
{
	bool enough = false;
	double start = now_s();
	int i;

	for (i = 0; race_goes_on("opath-after-rmmod", i, start, &enough); i++) {
		if (!opath_round(i)) {
			ensure_loaded();
			return false;
		}
	}
	return enough;
}

static bool test_opath_after_rmmod(void)
{
	return expedited(opath_rounds) && bind_mount_after_rmmod();
}

/* What the child of open-racing-rmmod saw, in memory shared with it. */
struct race {
	long opened;
	long failed;
	/* Why it gave up, if it did. */
	char why[128];
};

/* What stops the child: a clean exit, with the file it had open closed. */
static void on_sigterm(int sig)
{
	(void)sig;
	_exit(0);
}

/* Opens and reads enable until SIGTERM (blocked in @mask) or TIMEOUT_S. */
static __noreturn void open_enable_loop(struct race *race, const sigset_t *mask)
{
	struct sigaction action = { .sa_handler = on_sigterm };
	double start = now_s();
	char text[16];
	ssize_t len;
	long i;
	int fd;

	if (sigemptyset(&action.sa_mask) || sigaction(SIGTERM, &action, NULL) ||
	    sigprocmask(SIG_SETMASK, mask, NULL)) {
		snprintf(race->why, sizeof(race->why), "SIGTERM handler: %s", strerror(errno));
		_exit(1);
	}
	for (i = 0; i < CHILD_ROUNDS && now_s() - start < TIMEOUT_S; i++) {
		fd = open(DIR "enable", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT && errno != ENODEV) {
				snprintf(race->why, sizeof(race->why),
					 "opening enable: %s (expected %s or %s)",
					 strerror(errno), strerror(ENOENT), strerror(ENODEV));
				_exit(1);
			}
			race->failed++;
			continue;
		}
		len = read(fd, text, sizeof(text) - 1);
		if (len < 0) {
			snprintf(race->why, sizeof(race->why), "reading enable: %s",
				 strerror(errno));
			_exit(1);
		}
		text[len] = '\0';
		if (strcmp(text, "0\n") && strcmp(text, "1\n")) {
			snprintf(race->why, sizeof(race->why), "enable read \"%s\"", text);
			_exit(1);
		}
		if (close(fd)) {
			snprintf(race->why, sizeof(race->why), "closing enable: %s",
				 strerror(errno));
			_exit(1);
		}
		race->opened++;
	}
	_exit(0);
}

/* Removes the module, retrying while another process has a file open. */
static bool unload_retrying(int round, double start)
{
	int tries, ret = -EAGAIN;

	/* EWOULDBLOCK is EAGAIN. */
	for (tries = 0; tries < UNLOAD_TRIES && ret == -EAGAIN && now_s() - start < TIMEOUT_S;
	     tries++) {
		ret = unload_module(MODULE);
		if (ret == -EAGAIN)
			sched_yield();
	}
	if (ret)
		ksft_print_msg("round %d: removing " MODULE " (%d tries): %s\n", round, tries,
			       strerror(-ret));
	return !ret;
}

static bool open_racing_rounds(void)
{
	bool enough = false;
	double start = now_s();
	sigset_t term, old;
	struct race *race;
	bool ok = true;
	int i, status;
	pid_t child;

	race = mmap(NULL, sizeof(*race), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		    -1, 0);
	if (race == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", strerror(errno));
		return false;
	}
	/* SIGTERM waits until the child has its handler. */
	if (sigemptyset(&term) || sigaddset(&term, SIGTERM) ||
	    sigprocmask(SIG_BLOCK, &term, &old)) {
		ksft_print_msg("blocking SIGTERM: %s\n", strerror(errno));
		munmap(race, sizeof(*race));
		return false;
	}
	fflush(stdout);
	child = fork();
	if (!child)
		open_enable_loop(race, &old);
	if (child < 0)
		ksft_print_msg("fork: %s\n", strerror(errno));
	if (sigprocmask(SIG_SETMASK, &old, NULL)) {
		ksft_print_msg("unblocking SIGTERM: %s\n", strerror(errno));
		ok = false;
	}
	for (i = 0; child > 0 && ok && race_goes_on("open-racing-rmmod", i, start, &enough);
	     i++) {
		if (!unload_retrying(i, start)) {
			ok = false;
			break;
		}
		/* Let the child try while the module is away. */
		sched_yield();
		ok = load("");
	}
	if (child < 0) {
		munmap(race, sizeof(*race));
		return false;
	}
	if (kill(child, SIGTERM)) {
		ksft_print_msg("kill: %s\n", strerror(errno));
		ok = false;
	}
	if (waitpid(child, &status, 0) != child) {
		ksft_print_msg("waitpid: %s\n", strerror(errno));
		ok = false;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) || race->why[0]) {
		ksft_print_msg("the opening process failed (status %#x): %s\n", status,
			       race->why);
		ok = false;
	}
	if (!enough)
		ok = false;
	if (!race->opened || !race->failed) {
		ksft_print_msg("%ld opens of enable worked and %ld failed: no race\n",
			       race->opened, race->failed);
		ok = false;
	}
	munmap(race, sizeof(*race));
	return ensure_loaded() && ok;
}

static bool test_open_racing_rmmod(void)
{
	return expedited(open_racing_rounds);
}

/* All of @path, in a terminated buffer to free(), or NULL. */
static char *read_all(const char *path)
{
	size_t size = 1 << 20, len = 0;
	char *text = malloc(size), *bigger;
	double start = now_s();
	int fd, reads;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !text) {
		ksft_print_msg("%s: %s\n", path, strerror(fd < 0 ? errno : ENOMEM));
		goto fail;
	}
	for (reads = 0; reads < MAX_READS && !timed_out(start, path); reads++) {
		if (len == size - 1) {
			bigger = size < MAX_LIST_SIZE ? realloc(text, 2 * size) : NULL;
			if (!bigger) {
				ksft_print_msg("%s: more than %zu bytes\n", path, size);
				goto fail;
			}
			text = bigger;
			size *= 2;
		}
		n = read(fd, text + len, size - 1 - len);
		if (n < 0) {
			ksft_print_msg("reading %s: %s\n", path, strerror(errno));
			goto fail;
		}
		if (!n) {
			close(fd);
			text[len] = '\0';
			return text;
		}
		len += n;
	}
	ksft_print_msg("%s: not read in %d reads\n", path, reads);
fail:
	if (fd >= 0)
		close(fd);
	free(text);
	return NULL;
}

/* Whether slots-reclaimed may select @name: none of the tracer's or tests'. */
static bool usable(const char *name)
{
	return strncmp(name, "rust_", 5) && !strstr(name, "callops") &&
	       !strstr(name, "sys_getppid") && strcmp(name, "vfs_read") &&
	       strncmp(name, "__ftrace_invalid_address__", 26);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

/* A glob "prefix*" and how many functions it selects. */
struct group {
	char glob[PREFIX_LEN + 2];
	int functions;
};

/*
 * Splits @list, the contents of available_filter_functions, into groups
 * of functions whose names start alike, each selected by a glob of their
 * common prefix: writes up to @max groups of usable functions to @groups
 * and returns how many.
 */
static int function_groups(char *list, struct group *groups, int max)
{
	char **names, *line, *save;
	int lines = 1, n = 0, count = 0, i, j, k;
	bool ok;

	for (line = list; (line = strchr(line, '\n')); line++)
		lines++;
	names = calloc(lines, sizeof(*names));
	if (!names)
		return 0;
	for (line = strtok_r(list, "\n", &save); line && n < lines;
	     line = strtok_r(NULL, "\n", &save)) {
		*strchrnul(line, ' ') = '\0';
		names[n++] = line;
	}
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n && count < max; i = j) {
		for (j = i + 1; j < n && strlen(names[i]) >= PREFIX_LEN &&
		     !strncmp(names[i], names[j], PREFIX_LEN); j++)
			;
		for (ok = strlen(names[i]) >= PREFIX_LEN, k = i; ok && k < j; k++)
			ok = usable(names[k]);
		if (!ok || j - i < GROUP_MIN || j - i > GROUP_MAX)
			continue;
		snprintf(groups[count].glob, sizeof(groups[count].glob), "%.*s*", PREFIX_LEN,
			 names[i]);
		groups[count++].functions = j - i;
	}
	free(names);
	return count;
}

/* Writes the globs of @groups, each preceded by @prefix, in one write. */
static bool write_globs(const struct group *groups, int n, const char *prefix, int round)
{
	static char text[WRITE_LIMIT];
	size_t len = 0;
	int i, ret;

	for (i = 0; i < n; i++)
		len += snprintf(text + len, sizeof(text) - len, "%s%s ", prefix,
				groups[i].glob);
	if (len >= sizeof(text)) {
		ksft_print_msg("round %d: %d globs do not fit a write\n", round, n);
		return false;
	}
	ret = file_write(DIR "filter", text, len);
	if (ret)
		ksft_print_msg("round %d: writing \"%s...\" globs: %s\n", round, prefix,
			       strerror(-ret));
	return !ret;
}

/* Whether the filter selects @n functions. */
static bool filter_count(int n, int round)
{
	char *text = read_file(DIR "filter");
	int lines = text ? count_lines(text, "") : -1;

	if (lines != n)
		ksft_print_msg("round %d: the filter has %d functions, expected %d\n", round,
			       lines, n);
	return lines == n;
}

/*
 * Each round adds functions no earlier round selected, at least
 * ROUND_FUNCTIONS of them, to vfs_read, then takes them away again: with
 * "!glob" while tracing goes on (even rounds), or by clearing the filter,
 * which stops tracing, before selecting vfs_read again (odd rounds).
 */
static bool slots_rounds(const struct group *groups, int n)
{
	int round, first = 0, last, functions;
	bool ok;

	for (round = 0; round < SLOT_ROUNDS; round++) {
		for (functions = 0, last = first; last < n && functions < ROUND_FUNCTIONS; last++)
			functions += groups[last].functions;
		if (functions < ROUND_FUNCTIONS) {
			ksft_print_msg("round %d: only %d more functions to select\n", round,
				       functions);
			return false;
		}
		if (!write_globs(groups + first, last - first, "", round) ||
		    !filter_count(functions + 1, round))
			return false;
		if (round % 2)
			ok = check(write_str(DIR "filter", ""), "clearing") &&
			     check(write_str(DIR "filter", "vfs_read"), "vfs_read");
		else
			ok = write_globs(groups + first, last - first, "!", round);
		if (!ok || !filter_count(1, round))
			return false;
		first = last;
	}
	return true;
}

/*
 * The tracer has 2048 call counters for at most 1024 functions: those of
 * functions no longer selected must be reused.
 */
static bool test_slots_reclaimed(void)
{
	char *list = read_all(TRACEFS "available_filter_functions");
	struct group *groups = calloc(MAX_GROUPS, sizeof(*groups));
	int n = 0;
	bool ok;

	if (list && groups)
		n = function_groups(list, groups, MAX_GROUPS);
	ok = n && check(write_str(DIR "events", "0"), "events off") &&
	     check(write_str(DIR "filter", "vfs_read"), "filter vfs_read") &&
	     check(write_str(DIR "enable", "1"), "enabling") && slots_rounds(groups, n);
	if (!n)
		ksft_print_msg("no groups of functions to select\n");
	ok = check(write_str(DIR "enable", "0"), "disabling") && ok;
	ok = check(write_str(DIR "filter", ""), "clearing") && ok;
	ok = check(write_str(DIR "events", "1"), "events on") && ok;
	free(groups);
	free(list);
	return ok;
}

/*
 * The handler names the caller of each call with Symbol::lookup(): those
 * calls of a traced function are the tracer's own, and not counted.
 */
static bool test_recursion(void)
{
	char *stats = NULL;
	bool ok;

	ok = check(write_str(DIR "events", "1"), "events on") &&
	     check(write_str(DIR "filter", "*sys_getppid *Symbol6lookup*"), "filter") &&
	     check(write_str(DIR "enable", "1"), "enabling");
	if (ok)
		call_getppid(10);
	ok = check(write_str(DIR "enable", "0"), "disabling") && ok;
	if (ok) {
		stats = file_copy(DIR "stats");
		ok = stats_hits("sys_getppid", 10);
		if (count_lines(stats, "kallsyms::Symbol")) {
			ksft_print_msg("the handler's own calls were counted:\n%s", stats);
			ok = false;
		}
	}
	free(stats);
	return check(write_str(DIR "filter", ""), "clearing") && ok;
}

/*
 * getppid() 10 times, traced with events on. Returns a copy of stats, to
 * free(), or NULL.
 */
static char *traced_getppid(void)
{
	if (!check(write_str(DIR "filter", "*sys_getppid"), "filter") ||
	    !check(write_str(DIR "events", "1"), "events on") ||
	    !check(write_str(DIR "enable", "1"), "enabling"))
		return NULL;
	call_getppid(10);
	if (!check(write_str(DIR "enable", "0"), "disabling"))
		return NULL;
	return file_copy(DIR "stats");
}

/*
 * Parses @stats: the hits of the getppid functions, summed, their number,
 * and the events dropped (-1 without a line for them). Whether it parsed.
 */
static bool parse_stats(const char *stats, unsigned long *hits, int *functions, long *dropped)
{
	char *copy = strdup(stats), *line, *save, *end;
	bool header = false, ok = !!copy;

	*hits = 0;
	*functions = 0;
	*dropped = -1;
	for (line = strtok_r(copy, "\n", &save); ok && line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, DROPPED, strlen(DROPPED))) {
			*dropped = strtol(line + strlen(DROPPED), &end, 10);
			ok = !header && !*end && *dropped >= 0;
		} else if (!strcmp(line, STATS_HEADER)) {
			ok = !header;
			header = true;
		} else if (line[0] != '#' && strstr(line, "sys_getppid")) {
			*hits += strtoul(line, NULL, 10);
			(*functions)++;
		}
	}
	ok = ok && header;
	if (!ok)
		ksft_print_msg("stats unlike expected:\n%s", stats);
	free(copy);
	return ok;
}

/*
 * Whether getppid() traced with events on left an event line per call and
 * no events dropped in stats or, if @dropped_expected, no event line and
 * every call counted as dropped.
 */
static bool events_checked(bool dropped_expected)
{
	char *stats = traced_getppid();
	unsigned long hits;
	int functions, lines;
	bool ok, expected;
	long dropped;

	if (!stats)
		return false;
	ok = parse_stats(stats, &hits, &functions, &dropped) && stats_hits("sys_getppid", 10);
	lines = getppid_events();
	if (dropped_expected)
		expected = hits && dropped >= 0 && (unsigned long)dropped == hits && !lines;
	else
		expected = dropped < 0 && lines == 10 * functions;
	if (ok && !expected) {
		ksft_print_msg("trace_printk %s: %lu hits, %ld dropped, %d lines\n",
			       dropped_expected ? "off" : "on", hits, dropped, lines);
		ok = false;
	}
	free(stats);
	return ok;
}

static bool test_lost_events(void)
{
	bool ok;

	/* The instance takes the option when it is created, at load. */
	ok = check(write_str(PRINTK_OPTION, "0"), "trace_printk off") && unload() && load("");
	ok = check(write_str(PRINTK_OPTION, "1"), "trace_printk on") && ok;
	ok = ok && events_checked(true);
	ok = check(write_str(DIR "filter", ""), "clearing") && ok;
	ok = ok && unload() && load("") && events_checked(false);
	ok = check(write_str(PRINTK_OPTION, "1"), "trace_printk on") && ok;
	return ensure_loaded() && check(write_str(DIR "filter", ""), "clearing") && ok;
}

/* ":mod:" selects the functions of a module, as in set_ftrace_filter. */
static bool test_mod_filter(void)
{
	const char *bad_module = "*:mod:no_such_module_callops";
	const char *not_in_module = "vfs_read:mod:" MODULE;
	char *with_mod = NULL, *without = NULL;
	bool ok;

	ok = check(write_str(DIR "filter", "*EnableFile*show*:mod:" MODULE), ":mod:");
	if (ok) {
		with_mod = file_copy(DIR "filter");
		ok = check(write_str(DIR "filter", ""), "clearing") &&
		     check(write_str(DIR "filter", "*EnableFile*show*"), "without :mod:");
	}
	if (ok) {
		without = file_copy(DIR "filter");
		if (!*without || strcmp(with_mod, without)) {
			ksft_print_msg("with :mod: the filter is\n%s\nwithout it\n%s\n", with_mod,
				       without);
			ok = false;
		}
		ok &= write_fails(DIR "filter", not_in_module, strlen(not_in_module), ENOENT);
		ok &= write_fails(DIR "filter", bad_module, strlen(bad_module), ENOENT);
	}
	free(with_mod);
	free(without);
	return check(write_str(DIR "filter", ""), "clearing") && ok;
}

/* A doubled ! and function indexes are not globs. */
static bool test_bad_globs(void)
{
	static const char * const globs[] = { "!!vfs_read", "1", "12", "1\n" };
	unsigned int i;
	bool ok;

	ok = check(write_str(DIR "filter", "vfs_read"), "filter");
	for (i = 0; ok && i < ARRAY_SIZE(globs); i++)
		if (!write_fails(DIR "filter", globs[i], strlen(globs[i]), EINVAL)) {
			ksft_print_msg("glob \"%s\" was not refused\n", globs[i]);
			ok = false;
		}
	return check(write_str(DIR "filter", ""), "clearing") && ok;
}

/*
 * Writes LONG_WRITE_GLOBS globs to filter in one write, in a child; returns
 * its pid, once it is about to write, or -1. It exits 0 if the write worked.
 */
static pid_t long_write(void)
{
	static char text[LONG_WRITE_GLOBS * sizeof("vfs_read ")];
	int ready[2], i;
	size_t len = 0;
	pid_t child;
	char c;

	for (i = 0; i < LONG_WRITE_GLOBS; i++)
		len += snprintf(text + len, sizeof(text) - len, "vfs_read%c",
				i + 1 < LONG_WRITE_GLOBS ? ' ' : '\n');
	if (pipe(ready))
		return -1;
	child = fork();
	if (!child) {
		close(ready[0]);
		if (write(ready[1], "", 1) != 1)
			_exit(2);
		_exit(file_write(DIR "filter", text, len) ? 1 : 0);
	}
	close(ready[1]);
	if (child > 0 && read(ready[0], &c, 1) != 1)
		child = -1;
	close(ready[0]);
	return child;
}

/*
 * A long filter write matches its globs before it takes the tracer's lock:
 * reading enable meanwhile is not held up for the whole write.
 */
static bool test_long_write(void)
{
	double start = now_s(), read_start, longest = 0, took;
	int status, reads = 0;
	pid_t child = long_write();
	bool ok = child > 0;

	while (ok && waitpid(child, &status, WNOHANG) == 0) {
		read_start = now_s();
		if (!read_file(DIR "enable")) {
			ksft_print_msg("reading enable: %s\n", strerror(errno));
			ok = false;
		}
		if (now_s() - read_start > longest)
			longest = now_s() - read_start;
		reads++;
		if (timed_out(start, "long-write"))
			ok = false;
	}
	took = now_s() - start;
	if (!ok) {
		if (child > 0)
			waitpid(child, &status, 0);
		return false;
	}
	ksft_print_msg("%d globs written in %.2f s; %d reads of enable, the longest %.3f s\n",
		       LONG_WRITE_GLOBS, took, reads, longest);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ksft_print_msg("the long write failed\n");
		return false;
	}
	if (took < LONG_WRITE_MIN_S) {
		ksft_print_msg("the write was too quick to tell\n");
		return false;
	}
	return longest < took / 4 && check(write_str(DIR "filter", ""), "clearing");
}

/*
 * A module whose function the filter selects cannot be removed (EAGAIN),
 * traced or not: were it removed, another module loaded at the same
 * address would be traced without being selected. Once the function is out
 * of the filter it can, and loaded again it is not in the filter.
 */
static bool module_kept(const char *enable)
{
	bool ok;
	int ret;

	if (!check(load_module(OTHER_MODULE, OTHER_PARAMS), "loading " OTHER_MODULE))
		return false;
	ok = check(write_str(DIR "enable", enable), "enable") &&
	     check(write_str(DIR "filter", OTHER_FUNCTION ":mod:" OTHER_NAME), "filter") &&
	     filter_is(OTHER_FUNCTION);
	ret = unload_module(OTHER_MODULE);
	if (ok && ret != -EAGAIN) {
		ksft_print_msg("removing %s with %s selected (enable %s): %s\n", OTHER_MODULE,
			       OTHER_FUNCTION, enable, ret ? strerror(-ret) : "it went");
		ok = false;
	}
	if (!ret)
		return false;
	ok = check(write_str(DIR "filter", "!" OTHER_FUNCTION), "!" OTHER_FUNCTION) && ok;
	ok = check(unload_module(OTHER_MODULE), "removing " OTHER_MODULE) && ok;
	ok = check(load_module(OTHER_MODULE, OTHER_PARAMS), "loading " OTHER_MODULE) &&
	     filter_is("") && ok;
	ok = check(unload_module(OTHER_MODULE), "removing " OTHER_MODULE) && ok;
	return check(write_str(DIR "enable", "0"), "disabling") && ok;
}

static bool test_module_removal(void)
{
	return module_kept("0") && module_kept("1");
}

/* An instance the user made is the user's: the module does not take it. */
static bool test_user_instance(void)
{
	bool ok = true;
	int ret;

	if (!unload())
		return false;
	if (mkdir(INSTANCE, 0755)) {
		ksft_print_msg("mkdir " INSTANCE ": %s\n", strerror(errno));
		ensure_loaded();
		return false;
	}
	ret = load_module(MODULE, "");
	if (!ret) {
		ksft_print_msg("loaded with the user's instance there (expected %s)\n",
			       strerror(EEXIST));
		return false;
	}
	if (ret != -EEXIST) {
		ksft_print_msg("loading with the user's instance there: %s (expected %s)\n",
			       strerror(-ret), strerror(EEXIST));
		ok = false;
	}
	if (!exists(INSTANCE)) {
		ksft_print_msg("the failed load removed the user's instance\n");
		ok = false;
	} else if (rmdir(INSTANCE)) {
		ksft_print_msg("rmdir " INSTANCE ": %s\n", strerror(errno));
		ok = false;
	}
	return load("") && ok;
}

/*
 * Writes @text to @path as cat does: one open, then write(2)s of at most a
 * page, wherever that splits the text.
 */
static bool write_like_cat(const char *path, const char *text)
{
	size_t len = strlen(text), done = 0, chunk;
	double start = now_s();
	bool ok = true;
	int fd, writes;
	ssize_t n;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		ksft_print_msg("opening %s: %s\n", path, strerror(errno));
		return false;
	}
	for (writes = 0; ok && done < len; writes++) {
		if (writes == ROUNDS || timed_out(start, "round-trip-large")) {
			ksft_print_msg("%zu of %zu bytes written in %d writes\n", done, len,
				       writes);
			ok = false;
			break;
		}
		chunk = len - done < PAGE ? len - done : PAGE;
		n = write(fd, text + done, chunk);
		if (n <= 0) {
			ksft_print_msg("write %d, of bytes %zu to %zu: %s\n", writes, done,
				       done + chunk, n ? strerror(errno) : "nothing written");
			ok = false;
		} else {
			done += n;
		}
	}
	if (close(fd)) {
		ksft_print_msg("closing %s: %s\n", path, strerror(errno));
		ok = false;
	}
	return ok;
}

static bool test_round_trip_large(void)
{
	char *copy = NULL, *text;
	size_t len = 0, same;
	bool ok;

	ok = check(write_str(DIR "filter", "*rust_callops_tracer*"), "filter");
	if (ok) {
		copy = file_copy(DIR "filter");
		len = strlen(copy);
		if (len <= PAGE) {
			ksft_print_msg("the filter reads as %zu bytes, not more than a page\n",
				       len);
			ok = false;
		}
	}
	ok = ok && check(write_str(DIR "filter", ""), "clearing") &&
	     write_like_cat(DIR "filter", copy);
	if (ok) {
		text = read_file(DIR "filter");
		if (!text || strcmp(text, copy)) {
			for (same = 0; text && same < len && text[same] == copy[same]; same++)
				;
			ksft_print_msg("%zu bytes written back read as %zu, from %zu \"%.80s\"\n",
				       len, text ? strlen(text) : 0, same,
				       text ? text + same : "(unreadable)");
			ok = false;
		}
	}
	free(copy);
	return check(write_str(DIR "filter", ""), "clearing") && ok;
}

/* Puts the tracer back as loading leaves it, whatever a test left. */
static void restore(void)
{
	if (!ensure_loaded())
		return;
	check(write_str(DIR "enable", "0"), "disabling");
	check(write_str(DIR "events", "1"), "events on");
	check(write_str(DIR "filter", ""), "clearing");
}

int main(int argc, char **argv)
{
	static const struct named_test tests[] = {
		{ "opath-after-rmmod", test_opath_after_rmmod, NULL },
		{ "open-racing-rmmod", test_open_racing_rmmod, NULL },
		{ "slots-reclaimed", test_slots_reclaimed, NULL },
		{ "recursion", test_recursion, rust_untraceable },
		{ "lost-events", test_lost_events, NULL },
		{ "mod-filter", test_mod_filter, NULL },
		{ "bad-globs", test_bad_globs, NULL },
		{ "long-write", test_long_write, NULL },
		{ "module-removal", test_module_removal, NULL },
		{ "user-instance", test_user_instance, NULL },
		{ "round-trip-large", test_round_trip_large, rust_untraceable },
	};
	take_count_option(&argc, &argv, "--rounds", ROUNDS, &race_rounds);
	plan_named_tests(tests, ARRAY_SIZE(tests), argc, argv);
	if (!load(""))
		ksft_exit_fail_msg("cannot load " MODULE "\n");
	run_named_tests(tests, ARRAY_SIZE(tests), argc, argv, restore);
	unload_module(MODULE);
	ksft_finished();
}
