#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a static busybox for a guest arch from Debian's source package, the
# shell and tools upstream's ftrace selftests (ftracetest) run with in the
# guests.  Debian ships busybox-static for arm64 but has no riscv64 port, so
# both arches build the same source the same way.  The source comes through
# apt, from the deb-src twin of the machine's own package sources, into a
# private apt state: the machine's apt configuration is not touched.  Quick
# and silent when the binary is already there.
#
# Usage: build-busybox.sh SOURCE_VERSION CROSS_COMPILE OUTPUT_DIR SOURCE_DIR
#
#   SOURCE_DIR/src      the unpacked source, once for every arch
#   OUTPUT_DIR/busybox  the binary

set -euo pipefail

version=$1 cross_compile=$2 out=$3 srcdir=$4

if [ -x "$out/busybox" ]; then
	exit 0
fi

fetch_source() {
	local apt_dir=$srcdir/apt list
	local apt_options=(-o Dir::Etc::SourceList=/dev/null
			   -o Dir::Etc::SourceParts="$apt_dir/sources.list.d"
			   -o Dir::State::Lists="$apt_dir/lists")

	[ "$(cat "$srcdir/src.version" 2>/dev/null)" = "$version" ] && return
	rm -rf "$srcdir"
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial"
	# deb822 files (Types: deb) and one-line ones (deb URI ...) alike.
	for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		    /etc/apt/sources.list.d/*.sources; do
		[ -f "$list" ] || continue
		sed -e 's/^Types:[[:space:]]*deb$/Types: deb-src/' -e 's/^deb[[:space:]]/deb-src /' \
			"$list" > "$apt_dir/sources.list.d/$(basename "$list")"
	done
	echo "build-busybox: fetching Debian's busybox $version source"
	apt-get "${apt_options[@]}" -q update > /dev/null
	(cd "$srcdir" && apt-get "${apt_options[@]}" -q source --download-only \
		"busybox=$version" > /dev/null)
	dpkg-source -x "$srcdir"/busybox_*.dsc "$srcdir/src" > /dev/null
	echo "$version" > "$srcdir/src.version"
}

# Once for every arch; under a lock, for the arches' builds side by side.
mkdir -p "$srcdir"
(flock 9; fetch_source) 9> "$srcdir.lock"

# Out of tree (O=), so that the arches share the source.
echo "build-busybox: building a static busybox with ${cross_compile}gcc"
mkdir -p "$out"
make -s -C "$srcdir/src" O="$out" defconfig > /dev/null
sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$out/.config"
grep -qx 'CONFIG_STATIC=y' "$out/.config"
# Its warnings are busybox's, not this project's: kept in a log, shown if
# the build fails.
if ! make -C "$out" -j"${JOBS:-$(nproc)}" CROSS_COMPILE="$cross_compile" busybox \
	> "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "build-busybox: the build failed; the whole log is $out/build.log" >&2
	exit 1
fi
