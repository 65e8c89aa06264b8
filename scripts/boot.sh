#!/bin/sh
# Boot a guest and check its log: scripts/boot.sh ARCH MODE KERNEL INITRAMFS LOG
#
# MODE is test or demo (guest/init runs /tests/MODE.sh). The serial console
# goes to LOG (and to stdout too in demo mode); scripts/results.sh LOG then
# decides, and its exit status is ours. BOOT_TIMEOUT (seconds, default 300)
# bounds the wall-clock time of the guest.
#
# x86_64: q35 under TCG with an emulated VT-d and six edu devices standing
# in for GPUs at root-bus slots 3..8; firmware/x86_64-gpu.asl gives them
# their firmware properties. Guest RAM above mem=1536M (0x60000000 up to
# the 2G top) has no struct page: that is the "GPU memory".
. "$(dirname "$0")/common.sh"

[ $# = 5 ] || die "usage: boot.sh ARCH MODE KERNEL INITRAMFS LOG"
arch=$1 mode=$2 kernel=$3 initrd=$4 log=$5

case $mode in
test|demo) ;;
*) die "MODE must be test or demo, not '$mode'" ;;
esac
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "no initramfs $initrd"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

append="mem=1536M nvgrace.mode=$mode quiet panic=-1 panic_print=0x20"

case $arch in
x86_64)
	iasl -vs -p "$tmp/gpu" "$top/firmware/x86_64-gpu.asl" >"$tmp/iasl.log" 2>&1 ||
		{ cat "$tmp/iasl.log" >&2; die "iasl failed"; }
	set -- qemu-system-x86_64 -M q35 -accel tcg -m 2G -smp 2 \
		-device intel-iommu,intremap=on \
		-acpitable file="$tmp/gpu.aml"
	for slot in 3 4 5 6 7 8; do
		set -- "$@" -device edu,addr=$slot.0
	done
	append="console=ttyS0 intel_iommu=on $append"
	;;
*)
	die "boot.sh: ARCH '$arch' is not supported yet"
	;;
esac

set -- timeout -k 10 "${BOOT_TIMEOUT:-300}" "$@" -nic none \
	-nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
	-append "$append"

say "booting $arch ($mode), log in $log"
start=$(date +%s)
rc=0
if [ "$mode" = demo ]; then
	{ "$@" </dev/null 2>&1 || echo "boot.sh: qemu exit status $?"; } | tee "$log"
else
	"$@" </dev/null >"$log" 2>&1 || rc=$?
	[ $rc = 0 ] || echo "boot.sh: qemu exit status $rc" >>"$log"
fi
say "guest ran for $(($(date +%s) - start)) s"
[ $rc != 124 ] || say "timed out after ${BOOT_TIMEOUT:-300} s"

exec "$top/scripts/results.sh" "$log"
