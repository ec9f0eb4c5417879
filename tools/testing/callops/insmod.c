// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal insmod for the callops guests, which have no kmod:
 *
 *   insmod MODULE [PARAM=VALUE...]
 *
 * loads /lib/modules/MODULE.ko with the given parameters.
 */

#include <stdio.h>
#include <string.h>

#include "../selftests/callops/modules.h"

int main(int argc, char **argv)
{
	char params[1024] = "";
	int i, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODULE [PARAM=VALUE...]\n", argv[0]);
		return 2;
	}

	for (i = 2; i < argc; i++) {
		strncat(params, argv[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}

	ret = load_module(argv[1], params);
	if (ret) {
		printf("# insmod /lib/modules/%s.ko: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	return 0;
}
