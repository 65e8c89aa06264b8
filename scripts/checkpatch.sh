#!/bin/sh
# checkpatch --strict --codespell on every patch of the series, from inside
# the kernel tree as upstream runs it. Any error, warning or check fails, except the
# message types that checkpatch.ignore lists, with a written reason, for
# that patch.
. "$(dirname "$0")/common.sh"

[ -x "$tree/scripts/checkpatch.pl" ] || die "no kernel tree at $tree (run 'make tree')"

# ignored_types PATCH: the types checkpatch.ignore lists for PATCH, comma
# separated
ignored_types() {
	while read -r type glob reason; do
		case $type in ''|'#'*) continue ;; esac
		[ -n "$reason" ] || die "checkpatch.ignore: no reason given for $type $glob"
		# shellcheck disable=SC2254
		case $1 in $glob) printf '%s,' "$type" ;; esac
	done < "$top/checkpatch.ignore"
}

# spdxcheck.py needs Debian's python3 (with python3-ply and python3-git).
PATH=/usr/bin:$PATH
export PATH

# codespell's dictionary (Debian's codespell), less the words that are
# kernel identifiers the series uses: iput() (the VFS, not "input") and
# struct to_kill's list node "nd" in mm/memory-failure.c (not "and").
dict=$(python3 -c 'import codespell_lib, os.path as p
print(p.join(p.dirname(codespell_lib.__file__), "data", "dictionary.txt"))') ||
	die "no codespell (Debian package codespell)"
mkdir -p "$build"
grep -vE '^(iput|nd)->' "$dict" > "$build/codespell-dictionary.txt"

fail=0
n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	n=$((n + 1))
	ignore=$(ignored_types "$p")
	[ -z "$ignore" ] || say "$p: ignoring ${ignore%,} (see checkpatch.ignore)"
	if ! out=$(cd "$tree" && scripts/checkpatch.pl --strict --color=never \
			--codespell --codespellfile "$build/codespell-dictionary.txt" \
			${ignore:+--ignore "${ignore%,}"} "$top/patches/$p" 2>&1); then
		printf '%s\n' "$out"
		fail=1
	fi
done < "$top/patches/series"
# checkpatch caches the CamelCase names of include/ in the tree: not ours
rm -f "$tree"/.checkpatch-camelcase.git.*

[ $fail = 0 ] || die "checkpatch --strict found problems"
say "checkpatch --strict --codespell: $n patches clean"
