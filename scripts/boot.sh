#!/bin/sh
# Boot a guest and check its log: scripts/boot.sh ARCH MODE KERNEL INITRAMFS LOG
#
# The machine is platform/ARCH.sh: QEMU and its options, console, kernel
# arguments, the firmware description of the GPU stand-ins. MODE is test
# or demo (guest/init runs /tests/MODE.sh), or nofwb (arm64 only: the
# machine of QEMU_MACHINE_NOFWB, with a CPU without FEAT_S2FWB;
# /tests/nofwb.sh). The serial console goes to LOG (and to stdout too in
# demo mode); scripts/results.sh LOG then decides, and its exit status is
# ours. BOOT_TIMEOUT (seconds, default 900) bounds the wall-clock time of
# the guest.
. "$(dirname "$0")/common.sh"

[ $# = 5 ] || die "usage: boot.sh ARCH MODE KERNEL INITRAMFS LOG"
arch=$1 mode=$2 kernel=$3 initrd=$4 log=$5

[ -f "$top/platform/$arch.sh" ] || die "ARCH '$arch' has no platform/$arch.sh"
# shellcheck source=platform/x86_64.sh
. "$top/platform/$arch.sh"

case $mode in
test|demo)
	machine=$QEMU_MACHINE
	;;
nofwb)
	machine=${QEMU_MACHINE_NOFWB:-}
	[ -n "$machine" ] || die "MODE nofwb is arm64 only (platform/$arch.sh has no QEMU_MACHINE_NOFWB)"
	;;
*)
	die "MODE must be test, demo or nofwb, not '$mode'"
	;;
esac
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "no initramfs $initrd"

timeout=${BOOT_TIMEOUT:-900}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The GPU stand-ins, the same on every platform (guest/lib.sh names them,
# firmware/ARCH-gpu.* describes them): edu functions at root-bus slots 3..8,
# a seventh behind a PCIe root port at slot 9 (alone on its bus, it can be
# reset), and two more at slots 0xa and 0xb, for probe failures that depend
# on the rest of the system: memory in System RAM, memory in use. At slot
# 0xc, GPU memory beyond the CPU's physical address size; at slot 0xd a
# pci-testdev, which unlike edu implements BAR2 (1 MiB, 64-bit).
# The machine is kept as words without spaces: it is also the cache key of
# the x86_64 DSDT.
for slot in 3 4 5 6 7 8; do
	machine="$machine -device edu,addr=$slot.0"
done
machine="$machine -device pcie-root-port,id=rp9,chassis=9,addr=9.0"
machine="$machine -device edu,bus=rp9,addr=0.0"
for slot in a b c; do
	machine="$machine -device edu,addr=$slot.0"
done
machine="$machine -device pci-testdev,membar=1M,addr=d.0"
append="console=$CONSOLE $KERNEL_ARGS quiet panic=-1 panic_print=0x20"

run() {		# run APPEND [QEMU ARGS...]: boot the machine once
	a=$1
	shift
	# shellcheck disable=SC2086 # the machine is a list of words
	timeout -k 10 "$timeout" $QEMU $machine "$@" -nographic -no-reboot \
		-kernel "$kernel" -append "$append $a" </dev/null 2>&1
}

# ACPI (x86_64): an SSDT with the _DSD properties, passed with -acpitable.
# QEMU's q35 DSDT has revision 1, and the DSDT revision sets the integer
# width of ALL tables to 32 bits: the SSDT's 64-bit constants would be
# truncated ("ACPI Warning: Truncated 64-bit constant"). So the DSDT is
# upgraded through the initrd (CONFIG_ACPI_TABLE_UPGRADE; no taint, lockdep
# stays on) with QEMU's own DSDT, changed only to revision 2 and its OEM
# revision + 1 (the kernel takes only a higher one). The platform's HEST,
# if any, goes with -acpitable too. A first boot with
# nvgrace.mode=dsdt dumps QEMU's DSDT, which depends on the machine options:
# the result is cached in build/firmware/ under a key of the QEMU version
# and options. Writes $tmp/gpu.aml, $tmp/hest.aml and $tmp/initrd.
acpi_firmware() {
	iasl -vs -p "$tmp/gpu" "$top/$FIRMWARE" >"$tmp/iasl.log" 2>&1 ||
		{ cat "$tmp/iasl.log" >&2; die "iasl failed"; }
	# The HEST, if the platform has one (a data table: iasl -vs as well)
	if [ -n "${HEST:-}" ]; then
		iasl -vs -p "$tmp/hest" "$top/$HEST" >"$tmp/iasl.log" 2>&1 ||
			{ cat "$tmp/iasl.log" >&2; die "iasl failed on $HEST"; }
	fi

	# shellcheck disable=SC2086 # one word per option
	key=$({ $QEMU --version; echo $machine; } | cksum | cut -d' ' -f1)
	dsdt=$build/firmware/$arch-dsdt-$key.aml
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
		# shellcheck disable=SC2059 # the octal escapes are the format
		printf "$(cat "$tmp/dsdt.oct")" >"$dsdt.$$"
		mv "$dsdt.$$" "$dsdt"
	fi

	# An uncompressed cpio with the table goes first in the initrd.
	mkdir -p "$tmp/up/kernel/firmware/acpi"
	cp "$dsdt" "$tmp/up/kernel/firmware/acpi/dsdt.aml"
	(cd "$tmp/up" && find kernel | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd"
	cat "$initrd" >>"$tmp/initrd"
}

# Device tree (arm64): QEMU's own tree for exactly this machine (dumpdtb
# exits at once; the tree depends on every option, CPU and devices
# included), decompiled, with the fragment that extends the PCIe host node
# included at its end, compiled again. Writes $tmp/gpu.dtb.
dt_firmware() {
	# shellcheck disable=SC2086 # the machine is a list of words
	$QEMU $machine -machine dumpdtb="$tmp/qemu.dtb" -nographic \
		</dev/null >"$tmp/dumpdtb.log" 2>&1 ||
		{ cat "$tmp/dumpdtb.log" >&2; die "QEMU did not dump its device tree"; }
	dtc -q -I dtb -O dts -o "$tmp/gpu.dts" "$tmp/qemu.dtb" ||
		die "dtc cannot decompile QEMU's device tree"
	echo "/include/ \"$top/$FIRMWARE\"" >>"$tmp/gpu.dts"
	# A decompiled tree has phandles as plain numbers, which dtc's
	# clocks and gpios checks mistake for errors.
	dtc -I dts -O dtb -W no-clocks_property -W no-gpios_property \
		-o "$tmp/gpu.dtb" "$tmp/gpu.dts" || die "dtc: $FIRMWARE does not compile"
}

case $FIRMWARE in
*.asl)
	acpi_firmware
	set -- -initrd "$tmp/initrd" -acpitable file="$tmp/gpu.aml"
	[ -z "${HEST:-}" ] || set -- "$@" -acpitable file="$tmp/hest.aml"
	;;
*.dtsi)
	dt_firmware
	set -- -dtb "$tmp/gpu.dtb" -initrd "$initrd"
	;;
*)
	die "platform/$arch.sh: FIRMWARE '$FIRMWARE' is neither .asl nor .dtsi"
	;;
esac

say "booting $arch ($mode), log in $log"
start=$(date +%s)
# Only the test boot runs the KUnit suites built into the kernel: their
# fake memory errors would fill the log of a demo. 'make check' runs them.
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
