#!/bin/sh
# Regenerate patches/ from the commits on top of the base tag in build/linux:
# one format-patch file per commit, the quilt series file and the cover
# letter, whose subject and text come from cover-letter.txt. The output only
# depends on the commits, so re-exporting an unchanged tree changes nothing.
#
# Subjects read "[PATCH vN M/15]", N being the newest "Changes in vN:" of the
# cover letter's changelog. Each patch gets To: (maintainers) and Cc:
# (reviewers, lists) from scripts/get_maintainer.pl run on it, and the cover
# letter the union of them all, so that 'git send-email patches/*.patch'
# mails each to the people who look after what it changes (see 'make
# send-dry-run').
#
# scripts/export.sh [OUTDIR]  (default: patches/)
. "$(dirname "$0")/common.sh"

out=${1:-$top/patches}
[ -d "$tree/.git" ] || die "no kernel tree at $tree (run 'make tree')"

dirty=$(git -C "$tree" status --porcelain --ignored=matching -uall |
	grep -v '__pycache__/' || true)
[ -z "$dirty" ] || die "uncommitted changes in $tree (commit them, new files with 'git add -f'):
$dirty"

count=$(git -C "$tree" rev-list --count "$BASE_TAG..HEAD")
[ "$count" -gt 0 ] || die "no commits on top of $BASE_TAG"

mkdir -p "$out"
rm -f "$out"/*.patch "$out/series"

# The cover letter takes its date from the newest commit, not from the
# clock. The base commit made by scripts/tree.sh has a fixed identity and
# date, so its id, given as base-commit, is the same on every machine.
# Blob ids are abbreviated to a fixed length, not one that depends on the
# number of objects in the repository.
version=$(sed -n 's/^Changes in v\([0-9]*\):$/\1/p' "$top/cover-letter.txt" | sort -n | tail -n 1)
date=$(git -C "$tree" log -1 --format=%aD HEAD)
GIT_COMMITTER_DATE=$date git -C "$tree" -c core.abbrev=12 format-patch -q \
	--zero-commit --no-signature --abbrev=12 --cover-letter --base="$BASE_TAG" \
	${version:+--subject-prefix="PATCH v$version"} \
	-o "$out" "$BASE_TAG..HEAD" >/dev/null

subject=$(sed -n 1p "$top/cover-letter.txt")
sed -n '3,$p' "$top/cover-letter.txt" > "$out/.blurb"
sed -e "s|\*\*\* SUBJECT HERE \*\*\*|$subject|" \
    -e "/\*\*\* BLURB HERE \*\*\*/{
r $out/.blurb
d
}" \
    "$out/0000-cover-letter.patch" > "$out/.cover"
mv "$out/.cover" "$out/0000-cover-letter.patch"
rm -f "$out/.blurb"

# recipients ROLE-OPTIONS PATCH...: get_maintainer.pl's addresses for
# PATCHes as a folded header value ("a,\n b")
recipients() {
	opts=$1
	shift
	# shellcheck disable=SC2086 # one word per option
	(cd "$tree" && scripts/get_maintainer.pl --no-git --no-git-fallback \
		--norolestats --no-tree $opts "$@") | awk '
		NR > 1 { printf ",\n " } { printf "%s", $0 } END { if (NR) print "" }'
}

# addressed FILE TO CC: FILE with the To: and Cc: lines after its Date:
addressed() {
	awk -v to="$2" -v cc="$3" '
		!done && /^Date: / {
			print
			if (to != "") print "To: " to
			if (cc != "") print "Cc: " cc
			done = 1
			next
		}
		{ print }' "$1" > "$1.tmp"
	mv "$1.tmp" "$1"
}

to_opts='--m --nor --nol'
cc_opts='--nom --r --l'
for p in "$out"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] && continue
	printf '%s\n' "${p##*/}" >> "$out/series"
	addressed "$p" "$(recipients "$to_opts" "$p")" "$(recipients "$cc_opts" "$p")"
done
# shellcheck disable=SC2046 # one word per patch
set -- $(sed "s|^|$out/|" "$out/series")
addressed "$out/0000-cover-letter.patch" "$(recipients "$to_opts" "$@")" \
	"$(recipients "$cc_opts" "$@")"

say "exported $count patches to $out"
