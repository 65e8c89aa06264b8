#!/bin/sh
# Fail, saying what differs, when build/linux holds work that patches/ does
# not: commits not exported, or changes not committed.
. "$(dirname "$0")/common.sh"

[ -d "$tree/.git" ] || die "no kernel tree at $tree (run 'make tree')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad=0
dirty=$(git -C "$tree" status --porcelain --ignored=matching -uall |
	grep -v '__pycache__/' || true)
if [ -n "$dirty" ]; then
	say "uncommitted changes in $tree (commit them; new files need 'git add -f'):"
	printf '%s\n' "$dirty"
	bad=1
fi

if ! "$top/scripts/export.sh" "$tmp/patches" >/dev/null 2>"$tmp/err"; then
	# export.sh refuses a dirty tree, already reported above
	[ $bad = 1 ] || { cat "$tmp/err" >&2; exit 1; }
elif ! diff -ru "$top/patches" "$tmp/patches" >"$tmp/diff"; then
	say "patches/ does not match the commits in $tree; 'make export' would change:"
	diffstat -p1 "$tmp/diff" 2>/dev/null || grep '^diff ' "$tmp/diff"
	bad=1
fi

[ $bad = 0 ] || exit 1
say "patches/ matches $tree"
