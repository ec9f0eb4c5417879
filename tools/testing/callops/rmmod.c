// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal rmmod for the callops guests, which have no kmod:
 *
 *   rmmod MODULE
 *
 * removes MODULE, without waiting for its users.
 */

#include <stdio.h>
#include <string.h>

#include "../selftests/callops/modules.h"

int main(int argc, char **argv)
{
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODULE\n", argv[0]);
		return 2;
	}

	ret = unload_module(argv[1]);
	if (ret) {
		printf("# rmmod %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	return 0;
}
