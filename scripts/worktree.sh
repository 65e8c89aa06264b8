#!/bin/sh
# Create or update build/linux-arm64, a second checkout of build/linux
# (a git worktree, detached at the tip of build/linux's branch), for the
# arm64 per-patch builds of scripts/build-series.sh: they check out patch
# after patch there while the x86_64 ones do so in build/linux, so that
# 'make check' can run the two at once.
#
# build/linux must be on its branch and match patches/ (scripts/export-check.sh).
# An existing checkout is moved with 'git checkout', which rewrites only
# the files that differ: a build made from it stays incremental.
. "$(dirname "$0")/common.sh"

wt=$build/linux-arm64
"$top/scripts/export-check.sh" >/dev/null ||
	die "build/linux holds work that patches/ does not: see 'make export-check'"
head=$(git -C "$tree" symbolic-ref -q HEAD) ||
	die "build/linux is not on a branch"
if [ -e "$wt" ] && ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	# left from a build/linux that was removed and created again
	say "$wt is no checkout of build/linux: creating it again"
	rm -rf "$wt"
	git -C "$tree" worktree prune
fi
if [ ! -e "$wt" ]; then
	say "creating $wt"
	git -C "$tree" worktree add -q --detach "$wt" "$head"
else
	[ -z "$(git -C "$wt" status --porcelain -uno)" ] ||
		die "$wt has changes of its own: work in build/linux"
	git -C "$wt" checkout -q --detach "$head"
fi
say "$wt is at $(git -C "$wt" log -1 --format='%h %s')"
