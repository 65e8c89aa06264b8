#!/bin/sh
# Build the kit of the real-client test: scripts/vmkit.sh ARCH OUT.cpio
#
# An uncompressed cpio archive that scripts/initramfs.sh appends to the test
# guest's initramfs (the kernel unpacks concatenated archives), holding:
#  - Debian's own QEMU for ARCH, unmodified: on x86_64 the host's
#    qemu-system-x86_64, its TCG module, the shared libraries 'ldd' lists
#    and the firmware files a '-M pc' machine loads; on arm64 the
#    qemu-system-aarch64 of Debian's arm64 package qemu-system-arm and
#    the libraries it needs, from the arm64 packages of the archive
#    (below). Each file at its Debian path;
#  - the nested (L2) guest: on x86_64 a small kernel built from the same
#    tree with configs/x86_64-l2.config (in build/l2-x86_64), on arm64 the
#    arm64 test guest's own kernel (build/arm64: no second build), as
#    /vm/kernel, and a busybox initramfs whose /init is guest/l2-init,
#    with nvgrace-vm, as /vm/initramfs.cpio.gz.
# guest/vm.sh, in the test guest, runs it.
. "$(dirname "$0")/common.sh"

[ $# = 2 ] || die "usage: vmkit.sh ARCH OUT.cpio"
arch=$1 out=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# $tmp/files: one "GUEST-PATH HOST-FILE" line per file of the kit
: > "$tmp/files"
# add GUEST-PATH HOST-FILE [ROOT]: HOST-FILE with its symlinks resolved,
# absolute ones inside ROOT (an unpacked package tree) if given
add() {
	f=$2
	while [ -L "$f" ]; do
		t=$(readlink "$f")
		case $t in
		/*) f=${3:-}$t ;;
		*) f=${f%/*}/$t ;;
		esac
	done
	[ -f "$f" ] || die "missing $2"
	echo "$1 $(readlink -f "$f")" >> "$tmp/files"
}

case $arch in
x86_64)
	qemu=/usr/bin/qemu-system-x86_64
	image=$build/l2-$arch/arch/x86/boot/bzImage
	# What QEMU opens for '-M pc -accel tcg -nodefaults -kernel' (strace
	# -e openat): Debian builds the TCG accelerator as a module.
	modules=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
	firmware="/usr/share/seabios/bios-256k.bin
		/usr/share/qemu/linuxboot_dma.bin
		/usr/share/qemu/kvmvapic.bin"
	[ -x "$qemu" ] || die "$qemu is missing (scripts/deps.sh installs it)"
	l2=$build/l2-$arch
	"$top/scripts/kernel.sh" "$arch" "$l2" "$top/configs/$arch-l2.config" \
		> "$build/kernel-l2-$arch.log" 2>&1 ||
		{ tail -n 30 "$build/kernel-l2-$arch.log"; die "the L2 kernel does not build"; }
	# shellcheck disable=SC2086 # one word per module
	ldd "$qemu" $modules > "$tmp/ldd" || die "ldd $qemu $modules failed"
	! grep 'not found' "$tmp/ldd" || die "libraries of $qemu are missing"
	libs=$(sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' \
		"$tmp/ldd" | sort -u)
	[ -n "$libs" ] || die "ldd found no libraries for $qemu"
	for f in $qemu $modules $libs $firmware; do
		add "$f" "$f"
	done
	;;
arm64)
	image=$build/arm64/arch/arm64/boot/Image
	l2=$build/l2-$arch
	mkdir -p "$l2"
	# Debian's arm64 packages, unpacked once into build/qemu-arm64: the
	# QEMU package and every arm64 package it depends on, directly or
	# not (apt resolves the dependencies; what QEMU does not load is left
	# out below).
	root=$build/qemu-arm64
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		die "arm64 packages are not enabled (scripts/deps.sh enables them, as root)"
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		qemu-system-arm:arm64 | grep -E '^[^ <]+:arm64$' | sort -u)
	[ -n "$pkgs" ] || die "apt-cache knows no qemu-system-arm:arm64"
	# and the UEFI firmware for an ACPI guest (L2 with ras=on: guest/vm.sh)
	pkgs="$pkgs
qemu-efi-aarch64"
	# Unpacked again when the list changes (another Debian point release)
	if [ "$(cat "$root/.packages" 2>/dev/null)" != "$pkgs" ]; then
		dl=$build/qemu-arm64.dl
		rm -rf "$dl" "$root"
		mkdir -p "$dl"
		# shellcheck disable=SC2086 # one word per package
		(cd "$dl" && apt-get -q -o APT::Sandbox::User=root download $pkgs \
			>/dev/null) || die "apt-get download of the arm64 QEMU failed"
		for deb in "$dl"/*.deb; do
			dpkg -x "$deb" "$dl/root" || die "dpkg -x $deb failed"
		done
		echo "$pkgs" > "$dl/root/.packages"
		mv "$dl/root" "$root"
		say "unpacked $(echo "$pkgs" | wc -l) arm64 packages into $root"
		rm -rf "$dl"
	fi
	qemu=/usr/bin/qemu-system-aarch64
	add $qemu "$root$qemu" "$root"
	# ldd cannot run an arm64 binary here: follow the NEEDED entries of
	# each ELF file (readelf -d) to the unpacked libraries, recursively,
	# and the program interpreter; a library not found is an error.
	interp=$(readelf -l "$root$qemu" |
		sed -n 's/.*Requesting program interpreter: \([^]]*\)\]/\1/p')
	[ -n "$interp" ] || die "no program interpreter in $qemu"
	add "$interp" "$root$interp" "$root"
	echo "$root$qemu" > "$tmp/todo"
	: > "$tmp/seen"
	while [ -s "$tmp/todo" ]; do
		f=$(head -n 1 "$tmp/todo")
		sed -i 1d "$tmp/todo"
		for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			grep -qx "$lib" "$tmp/seen" && continue
			echo "$lib" >> "$tmp/seen"
			found=
			for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
				if [ -e "$root$d/$lib" ]; then
					found=$d/$lib
					break
				fi
			done
			[ -n "$found" ] || die "$lib (needed by ${f#"$root"}) is in no unpacked arm64 package"
			add "$found" "$root$found" "$root"
			tail -n 1 "$tmp/files" | cut -d' ' -f2 >> "$tmp/todo"
		done
	done
	say "$qemu needs $(wc -l < "$tmp/seen") libraries"
	add /usr/share/qemu-efi-aarch64/QEMU_EFI.fd \
		"$root/usr/share/qemu-efi-aarch64/QEMU_EFI.fd" "$root"
	;;
*)
	die "no nested guest kit for '$arch' (x86_64 or arm64)"
	;;
esac
[ -f "$image" ] || die "no L2 kernel $image"
prog=$build/selftests-$arch/nvgrace-vm
[ -x "$prog" ] || die "no $prog (run scripts/selftests.sh $arch)"
INIT=$top/guest/l2-init "$top/scripts/initramfs.sh" "$arch" \
	"$l2/initramfs.cpio.gz" "$prog" >/dev/null
add /vm/kernel "$image"
add /vm/initramfs.cpio.gz "$l2/initramfs.cpio.gz"

cc -O2 -o "$tmp/gen_init_cpio" "$tree/usr/gen_init_cpio.c" ||
	die "cannot compile $tree/usr/gen_init_cpio.c"

# Directories first (sorted, so parents come before children), then files
# at their guest paths, symlinks resolved.
{
	while read -r path _; do
		d=${path%/*}
		while [ -n "$d" ]; do
			echo "$d"
			d=${d%/*}
		done
	done < "$tmp/files" | sort -u | sed 's/.*/dir & 0755 0 0/'
	sort -u "$tmp/files" | while read -r path file; do
		echo "file $path $file 0755 0 0"
	done
} > "$tmp/list"

"$tmp/gen_init_cpio" -t 0 "$tmp/list" > "$out.tmp" || die "cannot write $out"
mv "$out.tmp" "$out"
say "wrote $out ($(($(wc -c < "$out") / 1048576)) MiB: $(grep -c '^file' "$tmp/list") files)"
