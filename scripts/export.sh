#!/bin/sh
# Regenerate patches/ from the commits on top of the base tag in build/linux:
# one format-patch file per commit, the quilt series file and the cover
# letter, whose subject and text come from cover-letter.txt. The output only
# depends on the commits, so re-exporting an unchanged tree changes nothing.
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
date=$(git -C "$tree" log -1 --format=%aD HEAD)
GIT_COMMITTER_DATE=$date git -C "$tree" -c core.abbrev=12 format-patch -q \
	--zero-commit --no-signature --abbrev=12 --cover-letter --base="$BASE_TAG" \
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

for p in "$out"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] && continue
	printf '%s\n' "${p##*/}" >> "$out/series"
done

say "exported $count patches to $out"
