/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving the Rust sample tracer (samples/rust/rust_callops_tracer.rs)
 * through its tracefs files: what callops_tracer and callops_hostile share.
 * Include it after defining _GNU_SOURCE (for strchrnul() and memmem()).
 */
#ifndef CALLOPS_TRACER_H
#define CALLOPS_TRACER_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "../kselftest.h"
#include "check.h"
#include "files.h"
#include "kmemleak.h"
#include "modules.h"

#define MODULE		"rust_callops_tracer"
#define TRACEFS		"/sys/kernel/tracing/"
#define DIR		TRACEFS "rust_callops/"
#define INSTANCE	TRACEFS "instances/rust_callops/"
/* The show callback of enable, demangled. */
#define ENABLE_SHOW	"<kernel::tracefs::File<rust_callops_tracer::EnableFile>>::show"
#define BUF_SIZE	(256 * 1024)

static char buf[BUF_SIZE];

static inline int write_str(const char *path, const char *text)
{
	return file_write(path, text, strlen(text));
}

/* Reads @path into buf; returns buf, or NULL with errno set. */
static inline char *read_file(const char *path)
{
	return file_read(path, buf, BUF_SIZE);
}

/* A copy of @path's contents, to compare before and after; free() it. */
static inline char *file_copy(const char *path)
{
	char *text = read_file(path);

	return strdup(text ? text : "(unreadable)");
}

static inline bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static inline bool load(const char *params)
{
	return check(load_module(MODULE, params), "loading " MODULE);
}

static inline bool unload(void)
{
	return check(unload_module(MODULE), "removing " MODULE);
}

/* Whether writing @text to @file fails with @err and leaves @file as it was. */
static inline bool write_fails(const char *file, const char *text, size_t len, int err)
{
	char *before = file_copy(file), *after;
	int ret = file_write(file, text, len);
	bool ok;

	after = file_copy(file);
	ok = ret == -err && !strcmp(before, after);
	if (!ok)
		ksft_print_msg("%s: got %s (expected %s), contents %s\n", file,
			       strerror(-ret), strerror(err),
			       strcmp(before, after) ? "changed" : "kept");
	free(before);
	free(after);
	return ok;
}

/* The workloads of trace(): each says whether it did all it was asked to. */
static inline bool call_getppid(int n)
{
	while (n--)
		syscall(SYS_getppid);
	return true;
}

static inline bool read_enable(int n)
{
	while (n--)
		if (!check(read_file(DIR "enable") ? 0 : -errno, "reading enable"))
			return false;
	return true;
}

/*
 * Whether stats lists at least one function whose name contains @needle,
 * and all of them with exactly @hits hits.
 */
static inline bool stats_hits(const char *needle, unsigned long hits)
{
	char *text = read_file(DIR "stats"), *line, *save, *name;
	unsigned long count;
	int found = 0, wrong = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strstr(line, needle))
			continue;
		count = strtoul(line, &name, 10);
		found++;
		if (count != hits) {
			wrong++;
			ksft_print_msg("%s: %lu hits, expected %lu\n", name, count, hits);
		}
	}
	if (!found)
		ksft_print_msg("no function with '%s' in stats\n", needle);
	return found && !wrong;
}

/* Whether @text has @line as a whole line. */
static inline bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* Whether filter lists @names (separated by spaces) and nothing else. */
static inline bool filter_is(const char *names)
{
	char *text = read_file(DIR "filter"), *copy = strdup(names), *name, *save;
	int expected = 0, found = 0;

	for (name = strtok_r(copy, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		expected++;
		found += text && has_line(text, name);
	}
	free(copy);
	if (!text || found != expected || count_lines(text, "") != expected) {
		ksft_print_msg("filter is \"%s\", expected \"%s\"\n", text, names);
		return false;
	}
	return true;
}

/* Traces the functions @glob selects while @workload runs @n times. */
static inline bool trace(const char *glob, bool (*workload)(int n), int n)
{
	bool ok;

	if (!check(write_str(DIR "filter", glob), glob) ||
	    !check(write_str(DIR "enable", "1"), "enabling"))
		return false;
	ok = workload(n);
	return check(write_str(DIR "enable", "0"), "disabling") &&
	       check(write_str(DIR "filter", ""), "clearing") && ok;
}

/* The number of event lines of getppid() calls in the instance. */
static inline int getppid_events(void)
{
	return count_lines(read_file(INSTANCE "trace"), "sys_getppid: <- ");
}

#endif /* CALLOPS_TRACER_H */
