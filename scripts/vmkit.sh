#!/bin/sh
# Build the kit of the real-client test: scripts/vmkit.sh ARCH OUT.cpio
#
# An uncompressed cpio archive that scripts/initramfs.sh appends to the test
# guest's initramfs (the kernel unpacks concatenated archives), holding:
#  - Debian's own QEMU, exactly as the host has it: the qemu-system binary,
#    its TCG module, the shared libraries 'ldd' lists for them and the
#    firmware files a '-M pc' machine loads, at their host paths;
#  - the nested (L2) guest: a small kernel built from the same tree with
#    configs/ARCH-l2.config (in build/l2-ARCH), as /vm/kernel, and a busybox
#    initramfs whose /init is guest/l2-init, with nvgrace-vm, as
#    /vm/initramfs.cpio.gz.
# guest/vm.sh, in the test guest, runs it. x86_64 only for now.
. "$(dirname "$0")/common.sh"

[ $# = 2 ] || die "usage: vmkit.sh ARCH OUT.cpio"
arch=$1 out=$2

case $arch in
x86_64)
	qemu=/usr/bin/qemu-system-x86_64
	image=arch/x86/boot/bzImage
	# What QEMU opens for '-M pc -accel tcg -nodefaults -kernel' (strace
	# -e openat): Debian builds the TCG accelerator as a module.
	modules=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
	firmware="/usr/share/seabios/bios-256k.bin
		/usr/share/qemu/linuxboot_dma.bin
		/usr/share/qemu/kvmvapic.bin"
	;;
*)
	die "the nested guest kit is x86_64 only for now, not '$arch'"
	;;
esac
[ -x "$qemu" ] || die "$qemu is missing (scripts/deps.sh installs it)"
prog=$build/selftests-$arch/nvgrace-vm
[ -x "$prog" ] || die "no $prog (run scripts/selftests.sh $arch)"

l2=$build/l2-$arch
"$top/scripts/kernel.sh" "$arch" "$l2" "$top/configs/$arch-l2.config" \
	> "$build/kernel-l2-$arch.log" 2>&1 ||
	{ tail -n 30 "$build/kernel-l2-$arch.log"; die "the L2 kernel does not build"; }
INIT=$top/guest/l2-init "$top/scripts/initramfs.sh" "$arch" \
	"$l2/initramfs.cpio.gz" "$prog" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/gen_init_cpio" "$tree/usr/gen_init_cpio.c" ||
	die "cannot compile $tree/usr/gen_init_cpio.c"

# shellcheck disable=SC2086 # one word per module
ldd "$qemu" $modules > "$tmp/ldd" || die "ldd $qemu $modules failed"
! grep 'not found' "$tmp/ldd" || die "libraries of $qemu are missing"
libs=$(sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' \
	"$tmp/ldd" | sort -u)
[ -n "$libs" ] || die "ldd found no libraries for $qemu"
for f in $modules $libs $firmware; do
	[ -f "$f" ] || die "missing $f"
done
# Directories first (sorted, so parents come before children), then files
# at their host paths, symlinks resolved.
{
	for f in $qemu $modules $libs $firmware /vm/kernel; do
		d=${f%/*}
		while [ -n "$d" ]; do
			echo "$d"
			d=${d%/*}
		done
	done | sort -u | sed 's/.*/dir & 0755 0 0/'
	for f in $qemu $modules $libs $firmware; do
		echo "file $f $(readlink -f "$f") 0755 0 0"
	done
	echo "file /vm/kernel $l2/$image 0644 0 0"
	echo "file /vm/initramfs.cpio.gz $l2/initramfs.cpio.gz 0644 0 0"
} > "$tmp/list"

"$tmp/gen_init_cpio" -t 0 "$tmp/list" > "$out.tmp" || die "cannot write $out"
mv "$out.tmp" "$out"
say "wrote $out ($(($(wc -c < "$out") / 1048576)) MiB: $(grep -c '^file' "$tmp/list") files)"
