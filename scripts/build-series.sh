#!/bin/sh
# Build every patch of the series in order (bisectability), then check the C
# files the series touches with W=1 and sparse: scripts/build-series.sh ARCH
#
# Each commit on top of the base tag is checked out in build/linux in turn
# and built incrementally in build/ARCH, so the tree must hold no work that
# patches/ does not (scripts/export-check.sh). The tree is left at its
# branch again, and build/ARCH holds the kernel of the whole series.
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: build-series.sh ARCH"
arch=$1

"$top/scripts/export-check.sh" >/dev/null ||
	die "build/linux holds work that patches/ does not: see 'make export-check'"

branch=$(git -C "$tree" symbolic-ref --short HEAD) ||
	die "build/linux is not on a branch"
trap 'git -C "$tree" checkout -q "$branch"' EXIT

commits=$(git -C "$tree" rev-list --reverse "$BASE_TAG..$branch")
total=$(echo "$commits" | wc -l)
i=0
for c in $commits; do
	i=$((i + 1))
	say "[$i/$total] $(git -C "$tree" log -1 --format='%h %s' "$c")"
	git -C "$tree" checkout -q --detach "$c"
	"$top/scripts/kernel.sh" "$arch" > "$build/build-$arch.log" 2>&1 || {
		tail -n 30 "$build/build-$arch.log"
		die "patch $i/$total does not build for $arch (log: $build/build-$arch.log)"
	}
done
git -C "$tree" checkout -q "$branch"

"$top/scripts/warnings.sh" "$arch"
