# The real client, for guest/test.sh and guest/demo.sh (source it after
# lib.sh): Debian's QEMU, from the kit that scripts/vmkit.sh appends to the
# initramfs, passes two GPU functions bound to nvgrace-gpu-vfio-pci to a
# nested guest (L2) with -device vfio-pci, one of them with x-no-mmap=on so
# that every L2 access to it goes through the driver's read/write. Nested
# TCG is slow: L2 is a minimal kernel and busybox, and the data checks are
# sampled (guest/nvgrace-vm.c).

# Seconds for the whole L2 run: about 80 s on the faster machine, 290 s
# on the slower one with another guest beside it (2026-12-07).
VM_TIMEOUT=900
VM_L2_RESULTS=11	# 5 per function (guest/nvgrace-vm.c) + 1 (guest/l2-init)

# vm_test BDF SIZE NOMMAP_BDF NOMMAP_SIZE: one TAP result per check. SIZE
# is the GPU memory size of BDF in bytes. L2 sees BDF at 00:04.0 and
# NOMMAP_BDF at 00:05.0.
#
# x86_64: L2 runs under TCG (the x86_64 test guest has no KVM). arm64: this
# kernel runs at EL2, so QEMU uses KVM (-accel kvm -cpu host) as on a real
# Grace host, and L2 holds before it ends (nvgrace.hold, guest/l2-init)
# while vm_stage2 looks at the stage-2 entries KVM made for it.
vm_test() {
	gpu=$1 gpu_size=$2 nommap=$3 nommap_size=$4
	if [ ! -e /vm/kernel ]; then
		skip "the real client" "no nested guest kit in this initramfs"
		return
	fi
	for b in "$gpu" "$nommap"; do
		check "L1 writes the L1 pattern to $b through the VFIO region" \
			vm_prog fill "$b"
	done

	vm_start "nvgrace.l2=0000:00:04.0,$gpu_size nvgrace.l2=0000:00:05.0,$nommap_size" \
		-device "vfio-pci,host=$gpu,addr=4.0" \
		-device "vfio-pci,host=$nommap,addr=5.0,x-no-mmap=on"
	if [ -n "$vm_hold" ]; then
		vm_holding && vm_stage2
		vm_say end
	fi
	vm_end

	grep -E '^nvgrace-vm: (not )?ok - ' /tmp/l2.log > /tmp/l2.tap
	n=0
	while read -r line; do
		n=$((n + 1))
		case $line in
		"nvgrace-vm: ok - "*) ok "${line#nvgrace-vm: ok - }" ;;
		*) not_ok "${line#nvgrace-vm: not ok - }" ;;
		esac
	done < /tmp/l2.tap
	check "L2 reported the $VM_L2_RESULTS results of its checks ($n)" \
		[ "$n" = $VM_L2_RESULTS ]
	check "QEMU exits with status 0 once L2 is done (status $vm_rc)" \
		sh -c "[ $vm_rc = 0 ] && grep -q '^nvgrace-vm: L2 done' /tmp/l2.log"
	check "QEMU's stderr has no vfio error or warning" vm_stderr_clean "$gpu" "$nommap"

	for b in "$gpu" "$nommap"; do
		check "L1 reads the L2 pattern back from $b (pread)" \
			vm_prog verify "$b"
	done
}

# The page vm_poison_test poisons: 48 MiB into the GPU memory, clear of the
# pages of the other tests (the demo's, the poison and KVM selftests')
VM_POISON_OFF=0x3000000

# vm_poison_test BDF SIZE BASE (arm64): L1 poisons a page of BDF's GPU
# memory (at physical BASE) that L2 has read, while L2 runs, then L2
# reads it again. KVM sends QEMU's vCPU thread SIGBUS BUS_MCEERR_AR; a
# QEMU 7.2 guest without ras=on (no GHES in its firmware) cannot be told,
# so QEMU reports the error and exits. L1 must stay healthy.
vm_poison_test() {
	gpu=$1 gpu_size=$2 base=$3
	check "L1 writes the L1 pattern to $gpu through the VFIO region" \
		vm_prog fill "$gpu"
	vm_start "nvgrace.l2=0000:00:04.0,$gpu_size" -device "vfio-pci,host=$gpu,addr=4.0"
	if vm_holding; then
		echo "# L1 poisons the page at $VM_POISON_OFF, which L2 read (a sample)"
		echo $((base + VM_POISON_OFF)) > /sys/devices/system/memory/hard_offline_page
		check "QEMU keeps running once L1 poisons a page that L2 has mapped" \
			kill -0 "$vm_pid"
		vm_say "read 0000:00:04.0 $VM_POISON_OFF"
		# QEMU should end here; if L2 holds again, let it end
		! vm_holding quiet || vm_say end
	fi
	vm_end
	grep '^nvgrace-vm: read' /tmp/l2.log | sed 's/^/# L2: /'
	check "L2 reads the poisoned page: QEMU says 'Hardware memory error!' and exits 1 (status $vm_rc)" \
		sh -c "[ $vm_rc = 1 ] && grep -q 'Hardware memory error' /tmp/qemu.err"
	check "after QEMU, $gpu opens again and refuses the poisoned page (EIO)" \
		vm_prog refused "$gpu" $VM_POISON_OFF
}

# The page vm_ras_test poisons, 44 MiB into the memory of the GPU it is
# given ($RGPU in guest/test.sh, as $GPU has a page poisoned already):
# clear of the race test's window (36 MiB + 32 pages) and of the poison
# selftests' pages (4 to 34 MiB)
VM_RAS_OFF=0x2c00000

# vm_ras_test BDF SIZE BASE (arm64): as vm_poison_test, with QEMU's
# hardware error source (-M virt,ras=on: a HEST with a GHES of SEA
# notification in L2's ACPI tables, so L2 boots through UEFI). On
# BUS_MCEERR_AR, QEMU writes a CPER record for the guest physical address
# into L2's error status block and injects a synchronous external abort;
# L2's kernel reports the error through GHES, and the reading task gets
# SIGBUS. L2 and QEMU keep running.
vm_ras_test() {
	gpu=$1 gpu_size=$2 base=$3
	check "L1 writes the L1 pattern to $gpu through the VFIO region" \
		vm_prog fill "$gpu"
	VM_RAS=1 vm_start "nvgrace.l2=0000:00:04.0,$gpu_size" -device "vfio-pci,host=$gpu,addr=4.0"
	if vm_holding; then
		echo "# L2 is up through UEFI, $(($(date +%s) - vm_t0)) s after QEMU started"
		echo "# L1 poisons the page at $VM_RAS_OFF, which L2 read (a sample)"
		echo $((base + VM_RAS_OFF)) > /sys/devices/system/memory/hard_offline_page
		vm_say "read 0000:00:04.0 $VM_RAS_OFF"
		if vm_holding; then
			vm_say "read 0000:00:04.0 $(hex "$VM_RAS_OFF + 0x100000")"
			vm_holding && vm_say end
		fi
	fi
	vm_end
	# shellcheck disable=SC2046 # one word
	set -- $(sed -n 's/^nvgrace-vm: ipa 0000:00:04.0 BAR0 0x[0-9a-f]* BAR2 \(0x[0-9a-f]*\)$/\1/p' /tmp/l2.log)
	gpa=$(printf '0x%016x' $((${1:-0} + VM_RAS_OFF)))
	check "L2's read of the poisoned page gets SIGBUS" \
		grep -q "^nvgrace-vm: read 0000:00:04.0 $VM_RAS_OFF: SIGBUS" /tmp/l2.log
	check "L2's kernel reports the hardware error through GHES at guest physical address $gpa (BAR2 + $VM_RAS_OFF)" \
		grep -q "L2 kernel: .*physical_address: $gpa" /tmp/l2.log
	check "L2 keeps running: the next MiB reads the L1 pattern after the error" \
		grep -q "^nvgrace-vm: read 0000:00:04.0 $(hex "$VM_RAS_OFF + 0x100000"): .*the L1 pattern" /tmp/l2.log
	check "QEMU keeps running and exits 0 once L2 is done (status $vm_rc)" \
		sh -c "[ $vm_rc = 0 ] && grep -q '^nvgrace-vm: L2 done' /tmp/l2.log"
	check "after QEMU, $gpu opens again and refuses the poisoned page (EIO)" \
		vm_prog refused "$gpu" $VM_RAS_OFF
}

# vm_start KERNEL-ARGS QEMU-ARGS...: start QEMU with L2 in the background
# (vm_pid), its console copied to /tmp/l2.raw. On arm64 with KVM and with
# nvgrace.hold (vm_hold set): the console is a pair of FIFOs (QEMU's
# pipe: chardev), and vm_say writes to it.
vm_start() {
	l2args="quiet panic=-1 $1"
	shift
	rm -f /tmp/l2.raw /tmp/l2.log /tmp/qemu.err /tmp/l2.in /tmp/l2.out
	case $PLATFORM in
	x86_64)
		set -- qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 -m 128M \
			-serial file:/tmp/l2.raw -append "console=ttyS0 $l2args" "$@"
		vm_hold=
		;;
	arm64)
		mkfifo /tmp/l2.in /tmp/l2.out
		cat /tmp/l2.out > /tmp/l2.raw &
		vm_cat=$!
		# L2's kernel is this one: no KUnit suites at its boot (no
		# suite is named "none"). VM_RAS=1: QEMU's hardware error
		# source (-M virt,ras=on), which L2 only finds in ACPI tables,
		# so through UEFI
		machine=virt,gic-version=3
		[ -z "${VM_RAS:-}" ] ||
			set -- -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd "$@"
		[ -z "${VM_RAS:-}" ] || machine=$machine,ras=on
		set -- qemu-system-aarch64 -M $machine -accel kvm -cpu host \
			-m 256M -serial pipe:/tmp/l2 \
			-append "console=ttyAMA0 nvgrace.hold kunit.filter_glob=none $l2args" "$@"
		vm_hold=1
		;;
	esac
	echo "# starting QEMU with L2 ($1)"
	vm_t0=$(date +%s)
	vm_said=0
	limit $VM_TIMEOUT "$@" -smp 1 -nodefaults -display none -no-reboot \
		-kernel /vm/kernel -initrd /vm/initramfs.cpio.gz \
		</dev/null >/tmp/qemu.err 2>&1 &
	vm_pid=$!
}

# vm_end: wait for QEMU (vm_rc: its exit status); L2's console in /tmp/l2.log
vm_end() {
	wait "$vm_pid"
	vm_rc=$?
	if [ -n "$vm_hold" ]; then
		: 1<>/tmp/l2.out	# a cat still waiting for QEMU to open it
		wait "$vm_cat"
	fi
	tr -d '\r' </tmp/l2.raw >/tmp/l2.log 2>/dev/null
	echo "# QEMU ran for $(($(date +%s) - vm_t0)) s"
	sed 's/^/# L2: /' /tmp/l2.log
	sed 's/^/# QEMU stderr: /' /tmp/qemu.err
}

# vm_holding [quiet]: wait until L2 holds (again); 1, and a TAP failure
# unless quiet, if QEMU ends or the time runs out first
vm_holding() {
	held=$(grep -c '^nvgrace-vm: holding' /tmp/l2.raw 2>/dev/null)
	want=$((vm_said + 1))
	until [ "${held:-0}" -ge $want ]; do
		if ! kill -0 "$vm_pid" 2>/dev/null ||
			[ $(($(date +%s) - vm_t0)) -gt $VM_TIMEOUT ]; then
			[ -n "${1:-}" ] ||
				not_ok "L2 holds for L1 (QEMU ended or timed out)"
			return 1
		fi
		sleep 1
		held=$(grep -c '^nvgrace-vm: holding' /tmp/l2.raw 2>/dev/null)
	done
	echo "# L2 holds, $(($(date +%s) - vm_t0)) s after QEMU started"
}

# vm_say LINE: a command to L2 while it holds (guest/l2-init)
vm_say() {
	echo "$1" 1<>/tmp/l2.in
	vm_said=$((vm_said + 1))
}

# vm_stage2: while L2 holds, the stage-2 entries KVM made for L2's accesses
# to 00:04.0 (the function QEMU mmaps), read through the test-only debugfs
# view (CONFIG_KVM_ARM64_STAGE2_DEBUGFS): the GPU memory behind BAR2 Normal
# write-back (MemAttr 6, forced by FEAT_S2FWB), BAR0 Device (MemAttr 1).
vm_stage2() {
	# shellcheck disable=SC2046 # two words
	set -- $(tr -d '\r' < /tmp/l2.raw |
		sed -n 's/^nvgrace-vm: ipa 0000:00:04.0 BAR0 \(0x[0-9a-f]*\) BAR2 \(0x[0-9a-f]*\)$/\1 \2/p')
	s2=$(ls /sys/kernel/debug/kvm/*/stage2_pte 2>/dev/null)
	check "QEMU's VM is the one VM with a stage-2 view in debugfs ($s2)" \
		test "$(echo "$s2" | wc -w)" = 1
	check "the GPU memory at L2's BAR2 (${2:-?}) is Normal write-back in QEMU's stage-2 (MemAttr 6: FWB)" \
		s2_memattr "$s2" "${2:-}" 6
	check "BAR0 of 0000:00:04.0 at ${1:-?} stays Device in QEMU's stage-2 (MemAttr 1)" \
		s2_memattr "$s2" "${1:-}" 1
}

# s2_memattr FILE IPA MEMATTR: the stage-2 entry of IPA in FILE (the VM's
# stage2_pte view) is valid and has MEMATTR
s2_memattr() {
	[ -n "$1" ] && [ -n "$2" ] || return 1
	exec 3<>"$1"
	echo "$2" >&3
	read -r _ s2level s2desc <&3
	exec 3>&-
	echo "# stage-2 entry of $2: level $s2level, descriptor $s2desc"
	[ -n "$s2desc" ] && [ $((s2desc & 1)) = 1 ] &&
		[ $(((s2desc >> 2) & 0xf)) = "$3" ]
}

# vm_prog ARGS...: nvgrace-vm ARGS, its output as TAP comments
vm_prog() {
	out=$(limit $LIMIT /tests/nvgrace-vm "$@")
	rc=$?
	echo "$out" | sed 's/^/# /'
	return $rc
}

# Nothing on QEMU's stderr but the one warning a function without any reset
# method earns (a root-bus edu function: no FLR, no PM, no bus reset; sysfs
# has no reset_method file for it).
vm_stderr_clean() {
	for b in "$@"; do
		[ -e "$PCI/$b/reset_method" ] && continue
		sed -i "/vfio: Cannot reset device $b, no available reset mechanism/d" \
			/tmp/qemu.err
	done
	[ ! -s /tmp/qemu.err ]
}
