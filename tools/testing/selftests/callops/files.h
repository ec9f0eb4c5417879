/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole-file reads and single writes, as tracefs and procfs files want
 * them, and counting the lines read.  Include it after defining
 * _GNU_SOURCE (for strchrnul() and memmem()).
 */
#ifndef CALLOPS_FILES_H
#define CALLOPS_FILES_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/*
 * Opens @path for writing with @flags (O_TRUNC or O_APPEND), writes @len
 * bytes in one write(2) and closes the file; returns 0 or the negative
 * errno of the write or, if that worked, of the close: a file may finish
 * at close what a write left unfinished.
 */
static inline int file_write_flags(const char *path, int flags, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | flags | O_CLOEXEC);
	ssize_t ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, data, len);
	ret = ret < 0 ? -errno : 0;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* file_write_flags() replacing what @path holds. */
static inline int file_write(const char *path, const void *data, size_t len)
{
	return file_write_flags(path, O_TRUNC, data, len);
}

/*
 * Reads @path, up to @size - 1 bytes, into @buf and terminates it; returns
 * @buf, or NULL with errno set if @path cannot be opened.
 */
static inline char *file_read(const char *path, char *buf, size_t size)
{
	ssize_t len;
	size_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (total < size - 1 && (len = read(fd, buf + total, size - 1 - total)) > 0)
		total += len;
	close(fd);
	buf[total] = '\0';
	return buf;
}

/* The number of lines of @text that contain @needle. */
static inline int count_lines(const char *text, const char *needle)
{
	const char *line, *end;
	int count = 0;

	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (memmem(line, end - line, needle, strlen(needle)))
			count++;
	}
	return count;
}

#endif /* CALLOPS_FILES_H */
