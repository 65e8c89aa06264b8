#!/bin/sh
# Build the kernel C files the series adds or changes with W=1 and sparse
# (C=1), check the kernel-doc of the files it touches, and fail on any
# warning in a line the series adds: scripts/warnings.sh ARCH
#
# Needs a configured build in build/ARCH (scripts/kernel.sh). Files the
# config does not build are skipped.
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: warnings.sh ARCH"
arch=$1
out=$build/$arch
[ -f "$out/.config" ] || die "no configured kernel in $out (run scripts/kernel.sh $arch)"

case $arch in
x86_64) karch=x86_64 cross= ;;
arm64) karch=arm64 cross=aarch64-linux-gnu- ;;
*) die "unknown ARCH '$arch'" ;;
esac

objs=
for f in $(git -C "$tree" diff --name-only --diff-filter=AM "$BASE_TAG" -- '*.c' |
		grep -v '^tools/'); do
	o=${f%.c}.o
	# only what this config builds
	[ -f "$out/$o" ] && objs="$objs $o"
done
[ -n "$objs" ] || { say "no C files of the series are built for $arch"; exit 0; }

for o in $objs; do
	touch "$tree/${o%.o}.c"
done
log=$build/warnings-$arch.log
make -C "$tree" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" \
	CC="ccache ${cross}gcc" W=1 C=1 $objs > "$log" 2>&1 ||
	{ cat "$log"; die "W=1 build failed"; }
# kernel-doc comments of the C files and headers the series touches
for f in $(git -C "$tree" diff --name-only --diff-filter=AM "$BASE_TAG" -- \
		'*.c' '*.h' | grep -v '^tools/'); do
	"$tree/scripts/kernel-doc" -none "$tree/$f" >> "$log" 2>&1
done

# Only what the series added counts: a file it adds, or the lines it adds
# to a file of the base (whose old warnings are not the series' business).
git -C "$tree" diff -U0 "$BASE_TAG" |
awk -v tree="$tree/" '
FNR == NR {
	if ($0 ~ /^\+\+\+ b\//) { file = substr($0, 7); next }
	if ($0 ~ /^@@ /) {
		split($3, a, /[+,]/)
		n = (a[3] == "" ? 1 : a[3])
		for (i = 0; i < n; i++)
			added[file ":" a[2] + i] = 1
	}
	next
}
/warning:|error:/ {
	split($0, w, ":")
	f = w[1]
	sub("^" tree, "", f)
	if ((f ":" w[2]) in added) { print; bad = 1 }
}
END { exit bad }' - "$log" ||
	die "warnings (W=1, sparse, kernel-doc) for $arch in lines the series adds (log: $log)"

say "W=1, sparse and kernel-doc clean for $arch:$objs"
