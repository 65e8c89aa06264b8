#!/bin/sh
# Build the kernel C files the series adds or changes with W=1 and sparse
# (C=1), check their kernel-doc, and fail on any warning:
# scripts/warnings.sh ARCH
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
if grep -E 'warning:|error:' "$log"; then
	die "warnings with W=1 / sparse for $arch (log: $log)"
fi
# kernel-doc comments of the same files
: > "$log.kdoc"
for o in $objs; do
	"$tree/scripts/kernel-doc" -none "$tree/${o%.o}.c" 2>>"$log.kdoc"
done
if [ -s "$log.kdoc" ]; then
	cat "$log.kdoc"
	rm -f "$log.kdoc"
	die "kernel-doc warnings"
fi
rm -f "$log.kdoc"
say "W=1, sparse and kernel-doc clean for $arch:$objs"
