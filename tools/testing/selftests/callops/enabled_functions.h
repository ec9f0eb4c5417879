/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ftrace's enabled_functions says of a callsite.  Each line is
 *
 *   FUNCTION (COUNT) FLAGS[\ttramp: ...][\tops: OPS (CALLBACK)]
 *   FUNCTION (COUNT) FLAGS[\ttramp: ...]\tops set: ID (N ops, B bytes): CALLBACK...
 *
 * with module functions as "NAME [MODULE]", and "\tops: ERROR!" when the
 * callsite calls an ops that ftrace cannot name.  The second form is a
 * callsite that calls a set of ops (several, or one that needs ftrace's
 * assist function): ID is the same for callsites that share the set, and a
 * CALLBACK called through the assist function is followed by "(assisted)".
 */
#ifndef CALLOPS_ENABLED_FUNCTIONS_H
#define CALLOPS_ENABLED_FUNCTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ENABLED_FUNCTIONS "/sys/kernel/tracing/enabled_functions"

/*
 * Whether @field, the FUNCTION of a line, is @function: by its name, with
 * or without " [MODULE]", or as an identifier of a Rust (v0) symbol, where
 * it follows its length.
 */
static inline bool names_function(const char *field, size_t len, const char *function)
{
	size_t name_len = strlen(function);
	char ident[256];

	if (len >= name_len && !strncmp(field, function, name_len) &&
	    (len == name_len || field[name_len] == ' '))
		return true;
	snprintf(ident, sizeof(ident), "%zu%s", name_len, function);
	return !strncmp(field, "_R", 2) && memmem(field, len, ident, strlen(ident));
}

/*
 * Whether @line shows @function's callsite calling an ops directly whose
 * callback is a function of @module (its kallsyms name, '_' for '-').
 */
static inline bool line_calls_ops_of(const char *line, const char *function, const char *module)
{
	const char *count = strstr(line, " ("), *ops = strstr(line, "\tops: ");
	const char *callback, *end;
	char suffix[128];
	size_t len;

	if (!count || !ops || !names_function(line, count - line, function))
		return false;
	callback = strrchr(ops, '(');
	end = callback ? strchr(callback, ')') : NULL;
	if (!end)
		return false;
	len = snprintf(suffix, sizeof(suffix), " [%s]", module);
	callback++;
	return end - callback > (long)len && !strncmp(end - len, suffix, len);
}

/*
 * Whether enabled_functions shows @function's callsite calling, directly,
 * an ops whose callback is a function of @module.
 */
static inline bool calls_ops_of(const char *function, const char *module)
{
	FILE *f = fopen(ENABLED_FUNCTIONS, "r");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = line_calls_ops_of(line, function, module);
	fclose(f);
	return found;
}

/*
 * Whether enabled_functions shows @function's callsite calling, directly,
 * an ops whose callback is the kernel function @callback.
 */
static inline bool calls_callback(const char *function, const char *callback)
{
	FILE *f = fopen(ENABLED_FUNCTIONS, "r");
	char line[1024], wanted[128];
	const char *count, *ops;
	bool found = false;

	if (!f)
		return false;
	/* The callback as %pS prints it: "NAME+0x0/SIZE". */
	snprintf(wanted, sizeof(wanted), "(%s+0x0/", callback);
	while (!found && fgets(line, sizeof(line), f)) {
		count = strstr(line, " (");
		ops = strstr(line, "\tops: ");
		found = count && ops && names_function(line, count - line, function) &&
			strstr(ops, wanted);
	}
	fclose(f);
	return found;
}

#define OPS_SET_LINE_MAX	4096
#define OPS_SET_ID_MAX		64	/* with its NUL: sscanf's %63s below */

/* What enabled_functions says of the set of ops a callsite calls. */
struct ops_set {
	char id[OPS_SET_ID_MAX];
	int nr;
	long bytes;
	/* What follows "bytes):", without the newline. */
	char callbacks[OPS_SET_LINE_MAX];
};

/*
 * Whether enabled_functions shows @function's callsite calling a set of ops
 * (the second form above); if so, what it says of the set goes into @set.
 */
static inline bool calls_ops_set(const char *function, struct ops_set *set)
{
	FILE *f = fopen(ENABLED_FUNCTIONS, "r");
	char line[OPS_SET_LINE_MAX];
	const char *count, *found = NULL, *callbacks;
	int end = 0;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		count = strstr(line, " (");
		if (count && names_function(line, count - line, function))
			found = strstr(line, "\tops set: ") ?: "";
	}
	fclose(f);
	if (!found || !*found ||
	    sscanf(found, "\tops set: %63s (%d ops, %ld bytes):%n", set->id, &set->nr,
		   &set->bytes, &end) != 3 || !end)
		return false;
	callbacks = found + end;
	snprintf(set->callbacks, sizeof(set->callbacks), "%.*s",
		 (int)strcspn(callbacks, "\n"), callbacks);
	return true;
}

/*
 * The number of ops enabled_functions says trace @function, or -1 when it
 * does not list it.
 */
static inline int traced_by(const char *function)
{
	FILE *f = fopen(ENABLED_FUNCTIONS, "r");
	char line[1024];
	const char *count;
	int ops = -1;

	if (!f)
		return -1;
	while (ops < 0 && fgets(line, sizeof(line), f)) {
		count = strstr(line, " (");
		if (count && names_function(line, count - line, function) &&
		    sscanf(count, " (%d)", &ops) != 1)
			ops = -1;
	}
	fclose(f);
	return ops;
}

#endif /* CALLOPS_ENABLED_FUNCTIONS_H */
