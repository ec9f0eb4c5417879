/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load and remove the modules that the callops guests keep as
 * /lib/modules/NAME.ko (there is no modprobe in the guests).
 */
#ifndef CALLOPS_MODULES_H
#define CALLOPS_MODULES_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Returns 0 or a negative errno, like the kernel. */
static inline int load_module(const char *module, const char *params)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/lib/modules/%s.ko", module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* The kernel calls a module by its file name with '-' turned into '_'. */
static inline int unload_module(const char *module)
{
	char name[256], *c;

	snprintf(name, sizeof(name), "%s", module);
	for (c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

#endif /* CALLOPS_MODULES_H */
