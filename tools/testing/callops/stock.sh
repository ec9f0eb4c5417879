#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Measure stock 6.12 on one arch: the baseline the benchmark page shows
# and make check compares with.  Stock (stock-kernel.sh) is configured
# from the fragments of the callops kernel of the arch, and booted under
# icount as make bench boots its guests.  Writes JSONL: first where the
# numbers came from, then one line per measurement (bench.py stock).
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
guest=$build/$arch/guest
callops_sample=$build/linux/samples/ftrace/ftrace-ops.c
# shellcheck source=stock-kernel.sh
. "$harness/stock-kernel.sh"

if [ ! -e "$guest/init" ]; then
	echo "stock: no guest programs in $guest: make guest-$arch" >&2
	exit 1
fi
if ! grep -q 'module_param(direct,' "$callops_sample"; then
	echo "stock: $callops_sample cannot time a direct trampoline: make tree" >&2
	exit 1
fi

# The benchmark needs stock's C sample.
stock_kernel "$arch"
stock_require CONFIG_SAMPLE_FTRACE_OPS=m

# Stock's ftrace-ops sample has no direct trampoline: the direct-call rows
# time callops's sample, built against stock as an external module under
# another name, so that the matrix above is stock's own sample.
direct_sample=$out/direct-sample
mkdir -p "$direct_sample"
cp "$callops_sample" "$direct_sample/ftrace-ops-direct.c"
echo 'obj-m := ftrace-ops-direct.o' > "$direct_sample/Kbuild"
stock_kmake -s M="$direct_sample" modules

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

toolchain=$(stock_toolchain)
qemu=$(stock_qemu)
"$harness/bench.py" stock --json "$jsonl" --target "make stock" \
	--linux-source "$version" --base-tree "$tree" --config "$config_text" \
	--toolchain "$toolchain" --qemu "$qemu" \
	"$arch=$out/bench.log"
echo "stock: $arch built in $built s, measured in $booted s"
