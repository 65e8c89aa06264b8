#!/bin/sh
# Boot the guest's full test set N times in a row while a parallel kernel
# build loads the host: scripts/soak.sh ARCH N
#
# The proof asked of a hang fix (README, "What make check runs", step 10):
# the guests of 'make check' run beside builds, so they must not stop
# making progress when the host is busy. The load is a 'make -j2' of the
# ARCH guest kernel's config without the compiler cache, in build/soak-load,
# started again whenever it ends. Needs what 'make check' or 'make test'
# built: the kernel image and the initramfs of ARCH. Prints each run's time
# and result; the logs are build/soak/ARCH-I.log. The exit status is
# non-zero if any run failed.
. "$(dirname "$0")/common.sh"

[ $# = 2 ] && [ "$2" -gt 0 ] 2>/dev/null || die "usage: soak.sh ARCH N (N > 0)"
arch=$1 n=$2
case $arch in
x86_64) image=$build/x86_64/arch/x86/boot/bzImage ;;
arm64) image=$build/arm64/arch/arm64/boot/Image ;;
*) die "unknown ARCH '$arch'" ;;
esac
initrd=$build/initramfs-$arch.cpio.gz
[ -f "$image" ] && [ -f "$initrd" ] ||
	die "no $image or $initrd: run 'make check' or 'make test' first"

logs=$build/soak
mkdir -p "$logs"
cp "$image" "$logs/image-$arch"

# The load: rebuild the guest kernel from scratch, again and again, in a
# session of its own, so that all of it can be stopped at the end
setsid sh -c 'while :; do
	rm -rf "$2/soak-load"
	CCACHE_DISABLE=1 "$1/scripts/kernel.sh" "$3" "$2/soak-load" || sleep 5
done' soak-load "$top" "$build" "$arch" > "$logs/load.log" 2>&1 &
load=$!
boot=
# by session: timeout(1) in boot.sh puts QEMU in a process group of its own
trap 'pkill -s $load; [ -z "$boot" ] || pkill -s $boot; wait' EXIT
trap 'exit 1' INT TERM
sleep 30	# let the build reach full speed

bad=0
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	t0=$(date +%s)
	rc=0
	# in a session of its own too, so that an interrupt stops its QEMU
	BOOT_TIMEOUT=${BOOT_TIMEOUT:-2400} setsid "$top/scripts/boot.sh" \
		"$arch" test "$logs/image-$arch" "$initrd" "$logs/$arch-$i.log" \
		> "$logs/$arch-$i.result" 2>&1 &
	boot=$!
	wait $boot || rc=$?
	boot=
	load1=$(cut -d' ' -f1 /proc/loadavg)
	say "run $i of $n: $(tail -n 1 "$logs/$arch-$i.result"); exit $rc;" \
		"$(($(date +%s) - t0)) s; load average $load1"
	[ $rc = 0 ] || bad=1
done
exit $bad
