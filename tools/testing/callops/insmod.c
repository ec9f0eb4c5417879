// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal insmod for the callops guests, which have no kmod:
 *
 *   insmod MODULE [PARAM=VALUE...]
 *
 * loads /lib/modules/MODULE.ko with the given parameters.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	char path[256], params[1024] = "";
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODULE [PARAM=VALUE...]\n", argv[0]);
		return 2;
	}

	for (i = 2; i < argc; i++) {
		strncat(params, argv[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}

	snprintf(path, sizeof(path), "/lib/modules/%s.ko", argv[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, params, 0)) {
		printf("# insmod %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}
