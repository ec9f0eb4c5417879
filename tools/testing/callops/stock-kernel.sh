# SPDX-License-Identifier: GPL-2.0
#
# Stock 6.12, the baseline callops is compared with: Debian's
# linux-source-6.12 with no patch at all, the tree prepare-tree.sh tagged
# "base" before applying patches/series, configured from the fragments of a
# callops build and built by the same toolchain.  Sourced by stock.sh (the
# benchmark) and stock-ftracetest.sh (upstream's ftrace selftests), which
# set before calling stock_kernel:
#
#   harness, repo       tools/testing/callops and the repository
#   build               the Makefile's build/: build/linux.git is the git
#                       directory prepare-tree.sh keeps, with "base"
#   kbuild              the Makefile's kbuild variables (an array)
#
# stock_kernel NAME builds NAME (ARCH or ARCH-FLAVOUR, as the callops
# builds are named) into build/stock-NAME, extracting the pristine tree
# into build/stock/linux once, and sets:
#
#   src, out            the tree and the kbuild output
#   tree                the git tree of "base"
#   config_text         how it was configured, in words
#   built               the seconds the build took

stock_kmake() {
	make -C "$src" O="$out" ARCH="$stock_arch" "${kbuild[@]}" "$@"
}

stock_extract() {
	[ "$(cat "$src.tree" 2>/dev/null)" = "$tree" ] && return
	echo "stock: extracting base (tree $tree) into $src"
	rm -rf "$src" "$src.tree"
	mkdir -p "$src"
	git --git-dir="$build/linux.git" archive base | tar -x -C "$src"
	echo "$tree" > "$src.tree"
}

stock_kernel() {
	local name=$1 flavour fragment fragments=() names last option start

	stock_arch=${name%%-*}
	flavour=${name#"$stock_arch"}
	flavour=${flavour#-}
	src=$build/stock/linux
	out=$build/stock-$name
	# The tree, not the commit: prepare-tree.sh commits "base" again
	# whenever it extracts the tarball again, but the same source is
	# always the same tree.
	tree=$(git --git-dir="$build/linux.git" rev-parse 'base^{tree}')
	# Once per tree; under a lock, for two stock builds side by side.
	mkdir -p "$build/stock"
	(flock 9; stock_extract) 9> "$build/stock/lock"

	# As make tinyconfig callops.config [callops-FLAVOUR.config] does for
	# the callops kernels, but with the fragments of this repository,
	# which the pristine tree does not have.  Options stock does not know
	# drop out; what the callers need must not (they check).  Rust is left
	# out: stock has no Rust ftrace_ops, and Rust would only add build
	# time.  CONFIG_WERROR keeps this repository's code clean; a warning in
	# stock's is no reason to have no baseline.
	for fragment in kernel/configs/callops.config "arch/$stock_arch/configs/callops.config" \
			${flavour:+kernel/configs/callops-$flavour.config} \
			${flavour:+arch/$stock_arch/configs/callops-$flavour.config}; do
		if [ -f "$repo/$fragment" ]; then
			fragments+=("$repo/$fragment")
		fi
	done
	names=("${fragments[@]#"$repo/"}")
	last=${names[-1]}
	unset 'names[-1]'
	config_text="tinyconfig, $(IFS=,; echo "${names[*]}" | sed 's/,/, /g') and $last"
	config_text+=" (options stock does not have dropped), CONFIG_RUST and CONFIG_WERROR off"
	mkdir -p "$out"
	stock_kmake -s tinyconfig
	KCONFIG_CONFIG='' "$src/scripts/kconfig/merge_config.sh" -m -Q -O "$out" \
		"$out/.config" "${fragments[@]}" > /dev/null
	"$src/scripts/config" --file "$out/.config" --disable RUST --disable WERROR
	stock_kmake -s olddefconfig
	for option in CONFIG_FUNCTION_TRACER=y CONFIG_DYNAMIC_FTRACE=y CONFIG_BLK_DEV_INITRD=y; do
		stock_require "$option"
	done

	start=$SECONDS
	stock_kmake -j"${JOBS:-$(nproc)}" -s Image modules
	built=$((SECONDS - start))
}

# stock_require CONFIG_X=VALUE: fail unless the stock build has it.
stock_require() {
	if ! grep -qxF "$1" "$out/.config"; then
		echo "stock: $out/.config: not $1" >&2
		exit 1
	fi
}

# What built it, as the kernel itself records it ("clang version X, LLD X").
stock_toolchain() {
	local toolchain

	toolchain=$(sed -n 's/^#define LINUX_COMPILER[[:space:]]*"\(.*\)"$/\1/p' \
		"$out/include/generated/compile.h")
	if [ -z "$toolchain" ]; then
		echo "stock: no LINUX_COMPILER in $out/include/generated/compile.h" >&2
		exit 1
	fi
	echo "$toolchain"
}

# What ran it.
stock_qemu() {
	case $stock_arch in
	arm64)	qemu-system-aarch64 --version | head -n 1 ;;
	riscv)	qemu-system-riscv64 --version | head -n 1 ;;
	*)	echo "stock: no QEMU for $stock_arch" >&2; exit 1 ;;
	esac
}
