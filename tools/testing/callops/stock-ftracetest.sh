#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run upstream's ftrace selftests (ftracetest) on stock 6.12 built as a
# callops build is (stock-kernel.sh), booted as make check boots that
# build's ftracetest guest, and write the result of every case: the
# baseline make check holds the callops kernel to (ftracetest.py).
#
# Usage: stock-ftracetest.sh NAME SOURCE_VERSION BUILD BUSYBOX FILE BOOT_ARG... -- KBUILD_VAR...
#
#   NAME               the callops build whose configuration stock takes
#                      (arm64-debug, riscv-uncompressed)
#   BUILD/NAME/guest   its guest programs (make guest-NAME), as callops's
#                      guest has them
#   BUSYBOX            the guest's busybox (build-busybox.sh)
#   BOOT_ARG...        boot.py's arguments for the ftracetest guest, as
#                      make check gives them
#   BUILD/stock-NAME   kbuild output, initramfs and the console log

set -euo pipefail

harness=$(dirname "$(readlink -f "$0")")
repo=$(readlink -f "$harness/../../..")
name=$1 version=$2 build=$(readlink -f "$3") busybox=$4 file=$5
shift 5
boot_args=()
while [ "$1" != -- ]; do
	boot_args+=("$1")
	shift
done
shift
kbuild=("$@")
guest=$build/$name/guest
# shellcheck source=stock-kernel.sh
. "$harness/stock-kernel.sh"

if [ ! -e "$guest/init" ]; then
	echo "stock: no guest programs in $guest: make guest-$name" >&2
	exit 1
fi

stock_kernel "$name"

# Stock's own copy of the selftests, from the pristine tree: the same
# pinned source as callops's.
"$harness/gen-initramfs.sh" "$out" "$guest/init" "$guest/bin" "$harness/suites" \
	"$busybox" "$src" > "$out/ftracetest-initramfs.list"
"$out/usr/gen_init_cpio" "$out/ftracetest-initramfs.list" > "$out/ftracetest-initramfs.cpio"

start=$SECONDS
"$harness/boot.py" --arch "$stock_arch" --kernel "$out/arch/$stock_arch/boot/Image" \
	--initrd "$out/ftracetest-initramfs.cpio" --name "stock-$name" \
	--kunit "$src/tools/testing/kunit/kunit.py" "${boot_args[@]}" \
	--log "$out/ftracetest.log"
booted=$((SECONDS - start))

toolchain=$(stock_toolchain)
qemu=$(stock_qemu)
"$harness/ftracetest.py" stock "$file" "$out/ftracetest.log" \
	--about "Written by=make ftracetest-stock" \
	--about "Linux source=Debian linux-source-6.12 $version, no patch (tree $tree)" \
	--about "Configuration=$config_text" \
	--about "Toolchain=$toolchain" --about "QEMU=$qemu"
echo "stock: $name built in $built s, ftracetest ran in $booted s"
