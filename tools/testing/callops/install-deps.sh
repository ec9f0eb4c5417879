#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and booting the callops kernels needs, on Debian
# bookworm as root.  Quick and silent when everything is already there.
#
# Usage: install-deps.sh LINUX_SOURCE_VERSION TOOLS_DIR

set -euo pipefail

linux_source_version=$1
tools_dir=$2
bindgen_version=0.69.5

packages=(
	"linux-source-6.12=$linux_source_version"
	rustc-web rust-web-src rust-web-clippy rustfmt-web
	clang lld llvm libclang-dev
	qemu-system-arm qemu-system-misc opensbi
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
	bc flex bison libelf-dev libssl-dev cpio python3 gnuplot-nox
	# dpkg-source, which unpacks busybox's source (build-busybox.sh)
	dpkg-dev
)

missing() {
	local pkg name want have

	for pkg in "${packages[@]}"; do
		name=${pkg%%=*}
		want=${pkg#*=}
		have=$(dpkg-query -W -f '${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
		if [ "$name" = "$want" ]; then
			[ "${have%% *}" = installed ] || echo "$pkg"
		else
			[ "$have" = "installed $want" ] || echo "$pkg"
		fi
	done
}

todo=$(missing)
if [ -n "$todo" ]; then
	echo "install-deps: installing:" $todo
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# The image's newer qemu-utils conflicts with bookworm's qemu-system:
	# the trailing '-' removes it in the same transaction.
	apt-get install -y -q "${packages[@]}" qemu-utils-
fi

if ! "$tools_dir/bin/bindgen" --version 2>/dev/null | grep -qF " $bindgen_version"; then
	# Debian's bindgen is older than what the 6.12 Rust build supports.
	echo "install-deps: installing bindgen-cli $bindgen_version"
	cargo install --quiet --locked bindgen-cli --version "$bindgen_version" \
		--root "$tools_dir"
fi
