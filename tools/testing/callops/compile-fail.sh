#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds each module of compile-fail/ as an out-of-tree module against a
# built kernel, and records a test per module: a probe (a module whose doc
# comment has a "compile-fail: CODE SOURCE" line) passes when rustc refuses
# it with error CODE pointing at a line that holds SOURCE, the control
# when it builds.
# The kernel's doctest generator skips compile_fail doctests, hence modules.
#
#   compile-fail.sh SRC BUILD_DIR ARCH RESULTS KBUILD_VAR...

set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
src=$(readlink -f "$1") build=$(readlink -f "$2") arch=$3 results=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for probe in "$here"/compile-fail/*.rs; do
	name=$(basename "$probe" .rs)
	mkdir -p "$work/$name"
	cp "$probe" "$work/$name/"
	echo "obj-m := $name.o" > "$work/$name/Kbuild"
	make -s -C "$src" O="$build" ARCH="$arch" "$@" M="$work/$name" modules \
		> "$work/$name.log" 2>&1
	built=$?
	expected=$(sed -n 's|^//! compile-fail: ||p' "$probe")
	if [ -z "$expected" ]; then
		[ $built -eq 0 ] && status=PASS || status=FAIL
	else
		read -r code source <<< "$expected"
		# rustc's header line, then the source line it points at.
		if [ $built -ne 0 ] &&
		   grep -A6 "^error\[$code\]" "$work/$name.log" | grep -qF "$source"; then
			status=PASS
		else
			status=FAIL
		fi
	fi
	if [ $status = FAIL ] && [ $built -eq 0 ]; then
		echo "compile-fail: $name: expected error $expected, but it built"
	elif [ $status = FAIL ]; then
		echo "compile-fail: $name: expected ${expected:+error }${expected:-a build}, got:"
		tail -40 "$work/$name.log"
	fi
	"$here/report.py" record "$results" "compile-fail.$name" $status
done
