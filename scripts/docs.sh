#!/bin/sh
# Build the documentation the series adds or changes with the kernel's own
# 'make htmldocs' (Sphinx, Debian's python3-sphinx), limited to the
# directories that hold it (SPHINXDIRS), into build/htmldocs, and fail on
# a warning about a page the series adds, a source file its kernel-doc
# directives read, or a line the series adds to a page of the base; and
# unless every page the series adds was built (it is in an index).
#
# Other warnings are not the series' business: a SPHINXDIRS build cannot
# resolve references into the directories it leaves out.
. "$(dirname "$0")/common.sh"

[ -f "$tree/Makefile" ] || die "no kernel tree at $tree (run 'make tree')"
command -v sphinx-build >/dev/null || die "no sphinx-build (Debian: python3-sphinx)"

files=$(git -C "$tree" diff --name-only "$BASE_TAG" -- 'Documentation/*.rst')
[ -n "$files" ] || { say "the series changes no documentation"; exit 0; }
dirs=$(echo "$files" | cut -d/ -f2 | sort -u | tr '\n' ' ' | sed 's/ $//')
# what the pages include: the C files and headers of kernel-doc directives
sources=$(cd "$tree" && sed -n 's/^\.\. kernel-doc:: *//p' $files | sort -u)

out=$build/htmldocs
log=$build/htmldocs.log
mkdir -p "$out"
# kernel-doc for the files the series' pages read; the other directives of
# these directories render empty, which saves most of the time (what they
# pull in is not the series' business)
{
	echo '#!/bin/sh'
	echo 'for last; do :; done'
	echo "case \"\${last#$tree/}\" in"
	echo "$(echo $sources | tr ' ' '|')) exec \"$tree/scripts/kernel-doc\" \"\$@\" ;;"
	echo 'esac'
} > "$out/kernel-doc"
chmod +x "$out/kernel-doc"
make -C "$tree" O="$out" SPHINXDIRS="$dirs" KERNELDOC="$out/kernel-doc" \
	htmldocs > "$log" 2>&1 ||
	{ tail -n 30 "$log"; die "make htmldocs failed (log: $log)"; }

added=$(git -C "$tree" diff --name-only --diff-filter=A "$BASE_TAG" -- 'Documentation/*.rst')
# The lines the series adds to the base's pages, as FILE:LINE
git -C "$tree" diff -U0 --diff-filter=M "$BASE_TAG" -- 'Documentation/*.rst' |
awk '/^\+\+\+ b\// { file = substr($0, 7); next }
/^@@ / {
	split($3, a, /[+,]/)
	n = (a[3] == "" ? 1 : a[3])
	for (i = 0; i < n; i++)
		print file ":" a[2] + i
}' > "$out/added-lines"

bad=0
grep -E '(WARNING|ERROR|warning|error):' "$log" | sed "s|^$tree/||" > "$out/warnings"
for f in $added $sources; do
	grep -E "^$f(:[0-9]+)?: " "$out/warnings" && bad=1
done
while IFS=: read -r f line rest; do
	grep -qx "$f:$line" "$out/added-lines" && { echo "$f:$line:$rest"; bad=1; }
done < "$out/warnings"
[ $bad = 0 ] || die "documentation warnings in the series' files (log: $log)"
for f in $added; do
	html=$out/Documentation/output/${f#Documentation/}
	html=${html%.rst}.html
	[ -f "$html" ] || die "make htmldocs did not build $f (is it in an index?)"
done
say "htmldocs ($dirs): $(echo "$added" | wc -w) new pages built; no warning in them, in the lines added to $(($(echo "$files" | wc -w) - $(echo "$added" | wc -w))) others or in $(echo "$sources" | wc -w) kernel-doc sources"
