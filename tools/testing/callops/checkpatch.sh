#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/checkpatch.pl --strict over every patch of patches/series and
# every new C and Rust source file; one recorded test each.
#
# Usage: checkpatch.sh REPO SRC RESULTS

set -uo pipefail

repo=$1
src=$2
results=$3
report=$repo/tools/testing/callops/report.py

check() {
	local name=$1 log

	shift
	if log=$(cd "$src" && scripts/checkpatch.pl --strict --quiet "$@" 2>&1); then
		"$report" record "$results" "checkpatch.$name" PASS
	else
		echo "$log"
		"$report" record "$results" "checkpatch.$name" FAIL
	fi
}

for patch in $(grep -v '^#' "$repo/patches/series"); do
	check "patches/$patch" "$repo/patches/$patch"
done

for file in $(grep -E '\.(c|h|rs)$' "$src/.callops-overlay"); do
	check "$file" --file "$file"
done
