#!/bin/sh
# Create build/linux: the pinned base as a git repository (commit tagged
# "$BASE_TAG") with every patch of patches/series applied by git am.
. "$(dirname "$0")/common.sh"

installed=$(dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null || true)
if [ "$installed" != "$BASE_VERSION" ]; then
	[ "$(id -u)" = 0 ] || die "$BASE_PACKAGE $BASE_VERSION is needed (installed: '${installed:-none}'); run as root or install it"
	say "installing $BASE_PACKAGE=$BASE_VERSION"
	apt-get install -y --no-install-recommends --allow-downgrades \
		"$BASE_PACKAGE=$BASE_VERSION" >/dev/null ||
		die "cannot install $BASE_PACKAGE=$BASE_VERSION (apt-get update first?)"
fi

sum=$(sha256sum "$BASE_TARBALL" | cut -d' ' -f1)
[ "$sum" = "$BASE_SHA256" ] ||
	die "$BASE_TARBALL has sha256 $sum, BASE pins $BASE_SHA256"

if [ -d "$tree/.git" ]; then
	if "$top/scripts/export-check.sh" >/dev/null 2>&1; then
		say "$tree is up to date with patches/"
		exit 0
	fi
	die "$tree differs from patches/: run 'make export-check' to see how, then 'make export' to keep the work or 'make clean-tree' to drop it"
fi

mkdir -p "$build"
tmp=$build/linux.unpack
rm -rf "$tmp"
mkdir "$tmp"
say "unpacking $BASE_TARBALL"
# xz decompresses the tarball's blocks on every core (xz 5.4 uses one
# unless told)
tar --use-compress-program='xz -T0' -xf "$BASE_TARBALL" -C "$tmp"
[ -d "$tmp/$BASE_TOPDIR" ] || die "$BASE_TARBALL has no $BASE_TOPDIR/"
mv "$tmp/$BASE_TOPDIR" "$tree"
rmdir "$tmp"

say "creating the base commit"
tool_git init -q -b main
# No automatic gc: after the base commit's 80,000 loose objects, the first
# git am would start a repack that takes minutes of a core the builds need.
tool_git config gc.auto 0
tool_git add -f -A .
tool_git commit -q -m "Debian $BASE_PACKAGE $BASE_VERSION ($BASE_UPSTREAM)" \
	-m "Unpacked from $BASE_TARBALL, sha256 $BASE_SHA256."
tool_git tag "$BASE_TAG"

n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	tool_git am -q --committer-date-is-author-date "$top/patches/$p" ||
		die "patches/$p does not apply cleanly (git am left the tree mid-series)"
	n=$((n + 1))
done < "$top/patches/series"
say "applied $n patches on $BASE_TAG ($BASE_UPSTREAM)"
