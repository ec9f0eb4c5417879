#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run upstream's ftrace selftests (tools/testing/selftests/ftrace, in the
# guest at /ftrace) in a callops guest, with busybox as the shell and tools.
# Installed as /bin/run-ftracetest by gen-initramfs.sh.
#
# Every line ftracetest prints is prefixed with "ftracetest: ", so that no
# line of a case's log reads as a KTAP result of the suite: which cases must
# pass is for ftracetest.py to decide on the host, against stock 6.12's
# results with the same configuration.  Then each case's result, from
# ftracetest's own log file, where no kernel message can split the line,
# as "ftracetest-result: [N] DESCRIPTION<TAB>[RESULT]".  This command
# itself passes when ftracetest ran to its end and printed its totals,
# whatever they are.

set -eu

logs=/tmp/ftracetest-logs
/bin/busybox --install -s /bin
mkdir -p /tmp
# The cases that load modules (the trace_printk and trace events samples,
# ftrace-direct) use modprobe, which looks in /lib/modules/RELEASE.
release=$(uname -r)
mkdir -p "/lib/modules/$release"
ln -s /lib/modules/*.ko "/lib/modules/$release/"
depmod
cd /ftrace
# -v: the log of each case that did not pass, for whoever reads the console;
# read line by line, so that the console shows a case as it runs.
sh ./ftracetest -v --logdir $logs 2>&1 | while IFS= read -r line; do
	echo "ftracetest: $line"
done
grep -E '^\[[0-9]+\].*	\[[A-Z]+\]$' $logs/ftracetest.log | sed 's/^/ftracetest-result: /'
grep -q '^# of passed: ' $logs/ftracetest.log
