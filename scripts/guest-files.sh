#!/bin/sh
# Print the files of the ARCH guest's initramfs, one path a line, as
# guest/files lists them: scripts/guest-files.sh ARCH
# (the Makefile and scripts/check.sh pass them to scripts/initramfs.sh)
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: guest-files.sh ARCH"
arch=$1

grep -v '^#' "$top/guest/files" | while read -r name arches; do
	[ -n "$name" ] || continue
	# Words after the name: the only arches the file is for
	case " ${arches:-$arch} " in
	*" $arch "*) ;;
	*) continue ;;
	esac
	case $name in
	*/*) echo "$top/$name" ;;
	*) echo "$build/selftests-$arch/$name" ;;
	esac
done
