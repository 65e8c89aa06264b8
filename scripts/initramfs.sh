#!/bin/sh
# Build a guest initramfs: scripts/initramfs.sh ARCH OUT.cpio.gz [FILES...]
#
# A static busybox with its applet links, /init = guest/init,
# platform/ARCH.sh as /tests/platform.sh (the guest scripts read the
# platform's addresses there), and each FILE copied into /tests/ under its
# base name (test binaries, guest scripts).
# The archive is written by the kernel's own usr/gen_init_cpio (compiled on
# the fly), so /dev/console can be created without root and the result does
# not depend on file owners or dates. INIT=FILE takes another /init (the
# nested guest's, guest/l2-init). A FILE whose name ends in .cpio is an
# archive appended whole, uncompressed, after the gzip'ed one (the kernel
# unpacks both): the nested guest's kit, scripts/vmkit.sh.
. "$(dirname "$0")/common.sh"

[ $# -ge 2 ] || die "usage: initramfs.sh ARCH OUT.cpio.gz [FILES...]"
arch=$1
out=$2
shift 2

case $arch in
x86_64)
	bb=/bin/busybox
	[ -x $bb ] || die "$bb is missing: apt-get install busybox-static"
	;;
arm64)
	# Debian's arm64 busybox-static, unpacked once into build/.
	bbdir=$build/busybox-arm64
	bb=$bbdir/bin/busybox
	if [ ! -x "$bb" ]; then
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			[ "$(id -u)" = 0 ] ||
				die "arm64 packages are not enabled: run 'dpkg --add-architecture arm64 && apt-get update' as root"
			say "enabling arm64 packages (dpkg --add-architecture arm64)"
			dpkg --add-architecture arm64
			apt-get update -q >/dev/null ||
				die "apt-get update failed"
		fi
		dl=$build/busybox-arm64.dl
		rm -rf "$dl" "$bbdir"
		mkdir -p "$dl"
		(cd "$dl" && apt-get -q -o APT::Sandbox::User=root download busybox-static:arm64) ||
			die "apt-get download busybox-static:arm64 failed"
		dpkg -x "$dl"/busybox-static_*_arm64.deb "$dl/root"
		mkdir -p "$bbdir/bin"
		for f in "$dl/root/bin/busybox" "$dl/root/usr/bin/busybox"; do
			[ -f "$f" ] && cp "$f" "$bb" && break
		done
		rm -rf "$dl"
		[ -x "$bb" ] || die "no busybox in the busybox-static:arm64 package"
	fi
	;;
*)
	die "unknown ARCH '$arch' (x86_64 or arm64)"
	;;
esac

platform=$top/platform/$arch.sh
for f in "$platform" "$@"; do
	[ -f "$f" ] || die "no such file: $f"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -o "$tmp/gen_init_cpio" "$tree/usr/gen_init_cpio.c" ||
	die "cannot compile $tree/usr/gen_init_cpio.c"

# Applet links. A busybox that does not run on this host (another arch) gets
# only /bin/sh here: guest/init then runs 'busybox --install -s' itself.
if "$bb" true 2>/dev/null; then
	applets=$("$bb" --list-full)
else
	applets=bin/sh
fi

list=$tmp/list
{
	for d in /bin /sbin /usr /usr/bin /usr/sbin /dev /proc /sys /tmp \
		/root /etc /tests; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $bb 0755 0 0"
	for a in $applets; do
		[ "$a" = bin/busybox ] || echo "slink /$a /bin/busybox 0777 0 0"
	done
	echo "file /init ${INIT:-$top/guest/init} 0755 0 0"
	echo "file /tests/platform.sh $platform 0644 0 0"
	for f in "$@"; do
		case $f in *.cpio) continue ;; esac
		mode=0644
		[ -x "$f" ] && mode=0755
		echo "file /tests/${f##*/} $(cd "$(dirname "$f")" && pwd)/${f##*/} $mode 0 0"
	done
} > "$list"

"$tmp/gen_init_cpio" -t 0 "$list" | gzip -9 -n > "$out.tmp" ||
	die "cannot write $out"
# An uncompressed archive must start at a multiple of 4 bytes
# (init/initramfs.c); zeros between archives are skipped.
for f in "$@"; do
	case $f in
	*.cpio)
		head -c $(((4 - $(wc -c < "$out.tmp") % 4) % 4)) /dev/zero >> "$out.tmp"
		cat "$f" >> "$out.tmp"
		;;
	esac
done
mv "$out.tmp" "$out"
say "wrote $out ($(wc -c < "$out") bytes, $# test files)"
