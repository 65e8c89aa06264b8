#!/bin/sh
# Build the series' kselftests and guest/*.c statically for the guest:
# scripts/selftests.sh ARCH  ->  build/selftests-ARCH/
#
# Uses the UAPI headers that scripts/kernel.sh installed in build/ARCH.
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: selftests.sh ARCH"
arch=$1
case $arch in
x86_64) cross= ;;
arm64) cross=aarch64-linux-gnu- ;;
*) die "unknown ARCH '$arch'" ;;
esac

hdr=$build/$arch/usr/include
[ -d "$hdr/linux" ] || die "no UAPI headers in $hdr (run scripts/kernel.sh $arch)"
out=$build/selftests-$arch
mkdir -p "$out"

make -s -C "$tree/tools/testing/selftests/vfio" OUTPUT="$out" \
	CC="${cross}gcc" KHDR_INCLUDES="-isystem $hdr" LDFLAGS=-static ||
	die "selftests do not build for $arch"
# The guest-side helper programs of the harness
for c in "$top"/guest/*.c; do
	[ -f "$c" ] || continue
	b=${c##*/}
	"${cross}gcc" -static -O2 -Wall -Wextra -Werror -isystem "$hdr" \
		-o "$out/${b%.c}" "$c" || die "cannot build $c"
done
say "built $(cd "$out" && echo *) in $out"
