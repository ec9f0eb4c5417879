#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Measure stock 6.12 on one arch: the baseline the benchmark page shows
# and make check compares with.  Stock is Debian's linux-source-6.12 with
# no patch at all, the tree prepare-tree.sh tagged "base" before applying
# patches/series, configured from the fragments of the callops kernels,
# built by the same toolchain and booted under icount as make bench boots
# its guests.  Writes JSONL: first where the numbers came from, then one
# line per measurement (bench.py stock).
#
# Usage: stock.sh ARCH SMP SOURCE_VERSION BUILD JSONL KBUILD_VAR...
#
#   BUILD/linux.git    the git directory prepare-tree.sh keeps, with "base"
#   BUILD/stock/linux  the pristine tree, extracted from it once
#   BUILD/stock-ARCH   kbuild output, initramfs and the console log
#   BUILD/ARCH/guest   the guest programs (make guest-ARCH)
#   BUILD/linux        the callops tree, whose samples/ftrace/ftrace-ops.c
#                      times a direct trampoline (direct=1); stock's cannot

set -euo pipefail

harness=$(dirname "$(readlink -f "$0")")
repo=$(readlink -f "$harness/../../..")
arch=$1 smp=$2 version=$3 build=$(readlink -f "$4") jsonl=$5
shift 5
kbuild=("$@")
gitdir=$build/linux.git
src=$build/stock/linux
out=$build/stock-$arch
guest=$build/$arch/guest
callops_sample=$build/linux/samples/ftrace/ftrace-ops.c
config_text="tinyconfig, kernel/configs/callops.config and arch/$arch/configs/callops.config"
config_text+=" (options stock does not have dropped), CONFIG_RUST and CONFIG_WERROR off"

# The tree, not the commit: prepare-tree.sh commits "base" again whenever it
# extracts the tarball again, but the same source is always the same tree.
tree=$(git --git-dir="$gitdir" rev-parse 'base^{tree}')

# Once per tree; under a lock, for make stock-arm64 beside make stock-riscv.
extract() {
	[ "$(cat "$src.tree" 2>/dev/null)" = "$tree" ] && return
	echo "stock: extracting base (tree $tree) into $src"
	rm -rf "$src" "$src.tree"
	mkdir -p "$src"
	git --git-dir="$gitdir" archive base | tar -x -C "$src"
	echo "$tree" > "$src.tree"
}
mkdir -p "$build/stock"
(flock 9; extract) 9> "$build/stock/lock"

if [ ! -e "$guest/init" ]; then
	echo "stock: no guest programs in $guest: make guest-$arch" >&2
	exit 1
fi
if ! grep -q 'module_param(direct,' "$callops_sample"; then
	echo "stock: $callops_sample cannot time a direct trampoline: make tree" >&2
	exit 1
fi

kmake() {
	make -C "$src" O="$out" ARCH="$arch" "${kbuild[@]}" "$@"
}

# As make tinyconfig callops.config does for the callops kernels, but with
# the fragments of this repository, which the pristine tree does not have.
# Options stock does not know drop out; what the benchmark needs must not.
# Rust is left out: stock has no Rust ftrace_ops, so the stock suite runs
# the C sample only, and Rust would only add build time.  CONFIG_WERROR
# keeps this repository's code clean; a warning in stock's is no reason to
# have no baseline.
mkdir -p "$out"
kmake -s tinyconfig
fragments=("$repo/kernel/configs/callops.config")
if [ -f "$repo/arch/$arch/configs/callops.config" ]; then
	fragments+=("$repo/arch/$arch/configs/callops.config")
fi
KCONFIG_CONFIG='' "$src/scripts/kconfig/merge_config.sh" -m -Q -O "$out" \
	"$out/.config" "${fragments[@]}" > /dev/null
"$src/scripts/config" --file "$out/.config" --disable RUST --disable WERROR
kmake -s olddefconfig
for option in CONFIG_FUNCTION_TRACER=y CONFIG_DYNAMIC_FTRACE=y \
	      CONFIG_SAMPLE_FTRACE_OPS=m CONFIG_BLK_DEV_INITRD=y; do
	if ! grep -qxF "$option" "$out/.config"; then
		echo "stock: $out/.config: not $option" >&2
		exit 1
	fi
done

start=$SECONDS
kmake -j"${JOBS:-$(nproc)}" -s Image modules
built=$((SECONDS - start))

# Stock's ftrace-ops sample has no direct trampoline: the direct-call rows
# time callops's sample, built against stock as an external module under
# another name, so that the matrix above is stock's own sample.
direct_sample=$out/direct-sample
mkdir -p "$direct_sample"
cp "$callops_sample" "$direct_sample/ftrace-ops-direct.c"
echo 'obj-m := ftrace-ops-direct.o' > "$direct_sample/Kbuild"
kmake -s M="$direct_sample" modules

{
	"$harness/gen-initramfs.sh" "$out" "$guest/init" "$guest/bin" "$harness/stock-suites"
	echo "file /lib/modules/ftrace-ops-direct.ko $direct_sample/ftrace-ops-direct.ko 0644 0 0"
} > "$out/callops-initramfs.list"
"$out/usr/gen_init_cpio" "$out/callops-initramfs.list" > "$out/callops-initramfs.cpio"

# As the Makefile's bench_boot: icount, the arch's benchmark CPUs, no KUnit.
start=$SECONDS
"$harness/boot.py" --arch "$arch" --kernel "$out/arch/$arch/boot/Image" \
	--initrd "$out/callops-initramfs.cpio" --name "stock-$arch" \
	--kunit "$src/tools/testing/kunit/kunit.py" --icount --smp "$smp" --no-kunit \
	--suite stock-bench --command-timeout 3600 --timeout 1200 --log "$out/bench.log"
booted=$((SECONDS - start))

# What built it, as the kernel itself records it ("clang version X, LLD X"),
# and what ran it.
toolchain=$(sed -n 's/^#define LINUX_COMPILER[[:space:]]*"\(.*\)"$/\1/p' \
	"$out/include/generated/compile.h")
if [ -z "$toolchain" ]; then
	echo "stock: no LINUX_COMPILER in $out/include/generated/compile.h" >&2
	exit 1
fi
case $arch in
arm64)	qemu="qemu-system-aarch64" ;;
riscv)	qemu="qemu-system-riscv64" ;;
*)	echo "stock: no QEMU for $arch" >&2; exit 1 ;;
esac
"$harness/bench.py" stock --json "$jsonl" --target "make stock" \
	--linux-source "$version" --base-tree "$tree" --config "$config_text" \
	--toolchain "$toolchain" --qemu "$($qemu --version | head -n 1)" \
	"$arch=$out/bench.log"
echo "stock: $arch built in $built s, measured in $booted s"
