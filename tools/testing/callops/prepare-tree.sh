#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn Debian's linux-source-6.12 tarball into the callops source tree:
#
#   extract  once, into SRC, and record the pristine tree as commit "base"
#            in a git directory kept outside SRC (so that setlocalversion
#            does not see it and the kernel release stays stable);
#   patch    commit every patch listed in patches/series on top of "base",
#            whenever the series changed, and check the result out;
#   overlay  hard-link every new file of the repository into SRC.
#
# Only files whose content changes get a new mtime, so kbuild rebuilds
# incrementally after an edit in the repository.
#
# Usage: prepare-tree.sh REPO SRC GITDIR TARBALL

set -euo pipefail

repo=$1
src=$2
gitdir=$3
tarball=$4

git_src() {
	GIT_DIR=$gitdir GIT_WORK_TREE=$src \
	GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-callops} \
	GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-callops@localhost} \
	GIT_COMMITTER_NAME=callops GIT_COMMITTER_EMAIL=callops@localhost \
		git -c core.autocrlf=false -c gc.auto=0 "$@"
}

extract() {
	[ -f "$src/.callops-extracted" ] && return
	echo "prepare-tree: extracting $(basename "$tarball")"
	rm -rf "$src" "$gitdir"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	git_src init -q
	git_src add -A -f .
	git_src commit -q -m "linux-source-6.12 as shipped by Debian"
	git_src tag base
	touch "$src/.callops-extracted"
}

# Commit one patch on top of commit $1, in the index $index only; print the
# new commit.  The work tree is not touched.
commit_patch() {
	local parent=$1 patch=$2 info tree

	GIT_INDEX_FILE=$index git_src apply --cached --whitespace=nowarn "$patch"
	tree=$(GIT_INDEX_FILE=$index git_src write-tree)
	info=$(git_src mailinfo "$index.msg" "$index.patch" < "$patch")
	GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' <<< "$info") \
	GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' <<< "$info") \
	GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' <<< "$info") \
		git_src commit-tree "$tree" -p "$parent" \
		-m "$(sed -n 's/^Subject: //p' <<< "$info")" -F "$index.msg"
}

# Build the series on "base" aside, then check it out: only the files that
# differ from what is checked out are written (and get a new mtime), and
# uncommitted changes to them make the checkout fail rather than vanish.
patch_series() {
	local stamp=$src/.callops-series sum patch commit=base index

	sum=$(cd "$repo/patches" && cat series $(grep -v '^#' series) | sha256sum)
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return
	rm -f "$stamp"
	index=$(mktemp)
	GIT_INDEX_FILE=$index git_src read-tree base
	for patch in $(grep -v '^#' "$repo/patches/series"); do
		echo "prepare-tree: applying $patch"
		commit=$(commit_patch "$commit" "$repo/patches/$patch")
	done
	rm -f "$index" "$index.msg" "$index.patch"
	git_src checkout -q "$commit"
	echo "$sum" > "$stamp"
}

# Every file of the repository that belongs in the kernel tree: tracked or
# new, under a top-level directory that the kernel tree has too.
overlay_files() {
	(cd "$repo" && git ls-files --cached --others --exclude-standard) |
	while read -r file; do
		if [ -d "$src/${file%%/*}" ] && [ "$file" != "${file%%/*}" ] &&
		   [ -f "$repo/$file" ]; then
			echo "$file"
		fi
	done
}

# Hard links rather than symlinks: kbuild and "make rustfmtcheck" only look
# at regular files, and a link shares the file's mtime.  The manifest lists
# what is ours, so that files removed from the repository go away and an
# editor that replaced a file (new inode) gets it linked again.
overlay() {
	local manifest=$src/.callops-overlay file

	touch "$manifest"
	overlay_files | sort > "$manifest.new"
	comm -23 "$manifest" "$manifest.new" | while read -r file; do
		rm -f "$src/$file"
	done
	while read -r file; do
		[ "$src/$file" -ef "$repo/$file" ] && continue
		if [ -e "$src/$file" ] && ! grep -qxF "$file" "$manifest"; then
			echo "prepare-tree: $file exists in the kernel tree;" \
			     "change it with a patch in patches/" >&2
			exit 1
		fi
		mkdir -p "$(dirname "$src/$file")"
		ln -f "$repo/$file" "$src/$file"
	done < "$manifest.new"
	mv "$manifest.new" "$manifest"
}

extract
patch_series
overlay
