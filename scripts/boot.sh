#!/bin/sh
# Boot a guest and check its log: scripts/boot.sh ARCH MODE KERNEL INITRAMFS LOG
#
# MODE is test or demo (guest/init runs /tests/MODE.sh). The serial console
# goes to LOG (and to stdout too in demo mode); scripts/results.sh LOG then
# decides, and its exit status is ours. BOOT_TIMEOUT (seconds, default 900)
# bounds the wall-clock time of the guest.
#
# x86_64: q35 under TCG with an emulated VT-d and six edu devices standing
# in for GPUs at root-bus slots 3..8, a seventh behind a PCIe root port at
# slot 9, and two more at slots 0xa and 0xb whose GPU memory is System RAM
# or already claimed; firmware/x86_64-gpu.asl gives them their firmware
# properties. Guest RAM above mem=1536M (0x60000000 up to the 2G top) has
# no struct page: that is the "GPU memory". The CPU says GenuineIntel so
# that an injected machine check is graded as on Intel (action required,
# local to one CPU: MCG_STATUS.LMCES is only honoured on Intel).
. "$(dirname "$0")/common.sh"

[ $# = 5 ] || die "usage: boot.sh ARCH MODE KERNEL INITRAMFS LOG"
arch=$1 mode=$2 kernel=$3 initrd=$4 log=$5

case $mode in
test|demo) ;;
*) die "MODE must be test or demo, not '$mode'" ;;
esac
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "no initramfs $initrd"

timeout=${BOOT_TIMEOUT:-900}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The machine, as words without spaces. Also the cache key of the DSDT.
case $arch in
x86_64)
	qemu=qemu-system-x86_64
	machine="-M q35 -accel tcg -cpu qemu64,vendor=GenuineIntel -m 2G"
	machine="$machine -smp 2 -nic none"
	machine="$machine -device intel-iommu,intremap=on"
	for slot in 3 4 5 6 7 8; do
		machine="$machine -device edu,addr=$slot.0"
	done
	# One more behind a PCIe root port: alone on its bus, it can be reset
	machine="$machine -device pcie-root-port,id=rp9,chassis=9,addr=9.0"
	machine="$machine -device edu,bus=rp9,addr=0.0"
	# Two more on the root bus, for probe failures that depend on
	# the rest of the system: memory in System RAM, memory in use
	for slot in a b; do
		machine="$machine -device edu,addr=$slot.0"
	done
	console=ttyS0
	;;
*)
	die "ARCH '$arch' is not supported yet"
	;;
esac
append="mem=1536M quiet panic=-1 panic_print=0x20"

run() {		# run APPEND [QEMU ARGS...]: boot the machine once
	a=$1
	shift
	timeout -k 10 "$timeout" $qemu $machine "$@" -nographic -no-reboot \
		-kernel "$kernel" -append "console=$console $append $a" \
		</dev/null 2>&1
}

# x86_64 firmware tables. QEMU's q35 DSDT has revision 1, and the DSDT
# revision sets the integer width of ALL tables to 32 bits: the SSDT's 64-bit
# constants would be truncated ("ACPI Warning: Truncated 64-bit constant").
# So the DSDT is upgraded through the initrd (CONFIG_ACPI_TABLE_UPGRADE; no
# taint, lockdep stays on) with QEMU's own DSDT, changed only to revision 2
# and its OEM revision + 1 (the kernel takes only a higher one). A first
# boot with nvgrace.mode=dsdt dumps QEMU's DSDT, which depends on the
# machine options: the result is cached in build/firmware/ under a key of
# the QEMU version and options.
case $arch in
x86_64)
	iasl -vs -p "$tmp/gpu" "$top/firmware/x86_64-gpu.asl" >"$tmp/iasl.log" 2>&1 ||
		{ cat "$tmp/iasl.log" >&2; die "iasl failed"; }

	key=$({ $qemu --version; echo $machine; } | cksum | cut -d' ' -f1)
	dsdt=$build/firmware/x86_64-dsdt-$key.aml
	if [ ! -f "$dsdt" ]; then
		say "dumping QEMU's DSDT (once per QEMU version and options)"
		run nvgrace.mode=dsdt -initrd "$initrd" >"$tmp/dsdt.log" ||
			{ tail -20 "$tmp/dsdt.log" >&2; die "the DSDT dump boot failed"; }
		mkdir -p "$build/firmware"
		# Hex bytes -> revision 2, OEM revision + 1, checksum -> octal
		# escapes for printf.
		tr -d '\r' <"$tmp/dsdt.log" |
		sed -n '/^----- dsdt begin -----$/,/^----- dsdt end -----$/p' |
		grep -v '^-----' |
		awk '
		{ for (i = 1; i <= NF; i++) b[n++] = $i }
		function hex(s,	v, i) {
			v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		END {
			for (i = 0; i < n; i++)
				v[i] = hex(b[i])
			if (n < 36 || v[4] + 256 * (v[5] + 256 * (v[6] + 256 * v[7])) != n)
				exit 1
			v[8] = 2
			for (i = 24; i < 28 && ++v[i] == 256; i++)
				v[i] = 0
			v[9] = 0
			for (i = 0; i < n; i++)
				sum += v[i]
			v[9] = (256 - sum % 256) % 256
			for (i = 0; i < n; i++)
				printf "\\%03o", v[i]
		}' >"$tmp/dsdt.oct" || die "no DSDT in the dump boot's output"
		printf "$(cat "$tmp/dsdt.oct")" >"$dsdt.$$"
		mv "$dsdt.$$" "$dsdt"
	fi

	# An uncompressed cpio with the table goes first in the initrd.
	mkdir -p "$tmp/up/kernel/firmware/acpi"
	cp "$dsdt" "$tmp/up/kernel/firmware/acpi/dsdt.aml"
	(cd "$tmp/up" && find kernel | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd"
	cat "$initrd" >>"$tmp/initrd"
	set -- -initrd "$tmp/initrd" -acpitable file="$tmp/gpu.aml"
	append="$append intel_iommu=on"
	;;
esac

say "booting $arch ($mode), log in $log"
start=$(date +%s)
# The demo boot does not run the KUnit suites built into the kernel: their
# fake memory errors would fill its log. 'make check' runs them.
kunit=
[ "$mode" = test ] || kunit=kunit.enable=0
boot() {
	run "nvgrace.mode=$mode $kunit" "$@" && return
	rc=$?
	echo "boot.sh: qemu exit status $rc"
	[ $rc != 124 ] || echo "boot.sh: timed out after $timeout s"
}
if [ "$mode" = demo ]; then
	boot "$@" | tee "$log"
else
	boot "$@" >"$log"
fi
say "guest ran for $(($(date +%s) - start)) s"

"$top/scripts/results.sh" "$log"
