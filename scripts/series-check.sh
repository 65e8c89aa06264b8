#!/bin/sh
# The checks a maintainer's tooling and the kernel's CI bots make of a
# series before anything is built, on patches/ as it would be mailed:
#
#  - at most 15 patches, and a cover letter with a subject, a text, the
#    base-commit: of the pinned base, and To:/Cc: lines;
#  - each patch: Signed-off-by: of its author, a subject of at most 75
#    characters (without "[PATCH ...] ") that starts with a prefix of the
#    subsystem it changes (the table below) and a capital letter, and no
#    non-inline static function added to a header.
#
# scripts/checkpatch.sh checks the code and spelling. Each problem is
# printed with its patch; the exit status is non-zero if there is one.
. "$(dirname "$0")/common.sh"

p=$top/patches
[ -f "$p/series" ] || die "no $p/series (run 'make export')"
bad=0
problem() {
	printf '%s: %s\n' "$1" "$2"
	bad=1
}

# The subject prefixes, each with the paths a patch of it must touch
# (one of them at least, the first match wins).
prefixes='KVM: arm64:|arch/arm64/kvm/
KVM:|virt/kvm/
ACPI: APEI: GHES:|drivers/acpi/apei/ghes.c
mm/memory-failure:|mm/memory-failure.c mm/memory_failure_kunit.c
mm/gup:|mm/gup.c
x86/mm:|arch/x86/mm/
vfio/nvgrace-gpu:|drivers/vfio/pci/nvgrace-gpu/
vfio/type1:|drivers/vfio/vfio_iommu_type1.c
vfio:|drivers/vfio/
selftests/vfio:|tools/testing/selftests/vfio/'

n=$(grep -c . "$p/series")
[ "$n" -le 15 ] || problem series "$n patches: at most 15 in one posting"

cover=$p/0000-cover-letter.patch
if [ ! -f "$cover" ]; then
	problem cover-letter "missing (a series of $n patches needs one)"
else
	! grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$cover" ||
		problem cover-letter "still has format-patch's placeholders"
	base=$(git -C "$tree" rev-parse "$BASE_TAG^{commit}")
	grep -qx "base-commit: $base" "$cover" ||
		problem cover-letter "no 'base-commit: $base' (the pinned base)"
	grep -q '^To: .' "$cover" || problem cover-letter "no To: line"
	grep -q '^Cc: .' "$cover" || problem cover-letter "no Cc: line"
fi

while read -r f; do
	case $f in ''|'#'*) continue ;; esac
	file=$p/$f
	[ -f "$file" ] || { problem "$f" "listed in series, missing"; continue; }
	# The header fields, unfolded
	hdr=$(sed '/^$/q' "$file" | awk '/^[ \t]/ { line = line $0; next }
		{ if (line != "") print line; line = $0 } END { print line }')
	from=$(echo "$hdr" | sed -n 's/^From: //p')
	subject=$(echo "$hdr" | sed -n 's/^Subject: \(\[[^]]*\] \)\{0,1\}//p')
	grep -qxF "Signed-off-by: $from" "$file" ||
		problem "$f" "no Signed-off-by: of its author ($from)"
	len=$(printf '%s' "$subject" | wc -m)
	[ "$len" -le 75 ] || problem "$f" "subject is $len characters (at most 75): $subject"
	files=$(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$file")
	ok=
	while IFS='|' read -r prefix paths; do
		case $subject in "$prefix "[A-Z]*) ;; *) continue ;; esac
		for want in $paths; do
			echo "$files" | grep -q "^$want" && ok=1
		done
		[ -n "$ok" ] || problem "$f" "'$prefix' patch that changes none of: $paths"
		ok=1
		break
	done <<EOF
$prefixes
EOF
	[ -n "$ok" ] || problem "$f" "subject without a known subsystem prefix and a capital letter: $subject"
	# Non-inline static functions added to headers
	awk '/^\+\+\+ b\// { h = ($2 ~ /\.h$/); name = $2; next }
		h && /^\+static / && !/inline/ && /\(/ { print name ": " substr($0, 2) }' \
		"$file" | while read -r line; do
		echo "$f: non-inline static function in a header: $line"
	done | grep . && bad=1
done < "$p/series"

[ $bad = 0 ] || die "the series has problems (see above)"
say "$n patches and a cover letter: sizes, subjects, sign-offs and headers are fine"
