#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the usr/gen_init_cpio file list of a callops guest to stdout:
# init, the guest programs, every module the kernel build made and the
# suite files; with a busybox and a kernel tree, also upstream's ftrace
# selftests at /ftrace, busybox as /bin/sh and the command that runs them,
# /bin/run-ftracetest (ftracetest-guest.sh).
#
# Usage: gen-initramfs.sh KBUILD_OUTPUT INIT PROGRAM_DIR SUITE_DIR [BUSYBOX LINUX_TREE]

set -euo pipefail

kbuild_output=$1
init=$2
program_dir=$3
suite_dir=$4
busybox=${5:-}
linux_tree=${6:-}

cat <<EOT
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /bin 0755 0 0
dir /lib 0755 0 0
dir /lib/modules 0755 0 0
dir /suites 0755 0 0
file /init $init 0755 0 0
EOT

for program in "$program_dir"/*; do
	if [ -x "$program" ]; then
		echo "file /bin/$(basename "$program") $program 0755 0 0"
	fi
done
for object in $(cat "$kbuild_output/modules.order"); do
	module=$kbuild_output/${object%.o}.ko
	echo "file /lib/modules/$(basename "$module") $module 0644 0 0"
done
for suite in "$suite_dir"/*; do
	echo "file /suites/$(basename "$suite") $suite 0644 0 0"
done

if [ -n "$busybox" ]; then
	ftrace_tests=$linux_tree/tools/testing/selftests/ftrace
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /bin/run-ftracetest $(dirname "$0")/ftracetest-guest.sh 0755 0 0"
	echo "dir /ftrace 0755 0 0"
	(cd "$ftrace_tests" && find . -mindepth 1 | LC_ALL=C sort) | while read -r path; do
		path=${path#./}
		if [ -d "$ftrace_tests/$path" ]; then
			echo "dir /ftrace/$path 0755 0 0"
		else
			echo "file /ftrace/$path $ftrace_tests/$path $(stat -c %a "$ftrace_tests/$path") 0 0"
		fi
	done
fi
