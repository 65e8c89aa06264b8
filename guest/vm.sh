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
VM_L2_RESULTS=9	# 4 per function (guest/nvgrace-vm.c) + 1 (guest/l2-init)

# vm_test BDF SIZE NOMMAP_BDF NOMMAP_SIZE: one TAP result per check. SIZE
# is the GPU memory size of BDF in bytes. L2 sees BDF at 00:04.0 and
# NOMMAP_BDF at 00:05.0.
vm_test() {
	if [ ! -e /vm/kernel ]; then
		skip "the real client" "no nested guest kit in this initramfs"
		return
	fi
	rm -f /tmp/l2.raw /tmp/l2.log /tmp/qemu.err
	for b in "$1" "$3"; do
		check "L1 writes the L1 pattern to $b through the VFIO region" \
			vm_prog fill "$b"
	done

	echo "# starting QEMU with L2 (nested TCG: a minute or two)"
	t0=$(date +%s)
	limit $VM_TIMEOUT qemu-system-x86_64 \
		-M pc -accel tcg -cpu qemu64 -m 128M -smp 1 \
		-nodefaults -display none -serial file:/tmp/l2.raw -no-reboot \
		-kernel /vm/kernel -initrd /vm/initramfs.cpio.gz \
		-append "console=ttyS0 quiet panic=-1 nvgrace.l2=0000:00:04.0,$2 nvgrace.l2=0000:00:05.0,$4" \
		-device "vfio-pci,host=$1,addr=4.0" \
		-device "vfio-pci,host=$3,addr=5.0,x-no-mmap=on" \
		</dev/null >/tmp/qemu.err 2>&1
	rc=$?
	tr -d '\r' </tmp/l2.raw >/tmp/l2.log 2>/dev/null
	echo "# QEMU ran for $(($(date +%s) - t0)) s"
	sed 's/^/# L2: /' /tmp/l2.log
	sed 's/^/# QEMU stderr: /' /tmp/qemu.err

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
	check "QEMU exits with status 0 once L2 is done (status $rc)" \
		sh -c "[ $rc = 0 ] && grep -q '^nvgrace-vm: L2 done' /tmp/l2.log"
	check "QEMU's stderr has no vfio error or warning" vm_stderr_clean "$1" "$3"

	for b in "$1" "$3"; do
		check "L1 reads the L2 pattern back from $b (pread)" \
			vm_prog verify "$b"
	done
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
