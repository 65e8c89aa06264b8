#!/bin/sh
# The guest half of 'make check', in TAP: the emulated platform, probe of
# nvgrace-gpu-vfio-pci with good and bogus firmware values, the series'
# kselftests on the emulated GPU, and proof that those tests fail where the
# driver is not in charge of the device.
. /tests/lib.sh

# The emulated platform: each GPU function has the firmware node that
# $FIRMWARE gives its properties to
case $FIRMWARE in
*.asl)
	# ACPI (x86_64): QEMU's DSDT names each function Sxx, xx = devfn
	for slot in 3 4 5 6 7 8 a b c d; do
		want=$(printf '\\_SB_.PCI0.S%02X_' $((0x$slot * 8)))
		check "slot $slot has ACPI companion $want" \
			[ "$(fw_node 0000:00:0$slot.0)" = "$want" ]
	done
	check "$RGPU has ACPI companion \\_SB_.PCI0.S48_.S00_" \
		[ "$(fw_node $RGPU)" = '\_SB_.PCI0.S48_.S00_' ]
	check "the SSDT with the GPU memory properties is loaded" \
		sh -c 'dmesg | grep -q "SSDT.*NVGRAC GPUMEM"'
	check "no ACPI errors or warnings (no truncated 64-bit integers)" \
		sh -c '! dmesg | grep -iE "ACPI (BIOS )?(Error|Exception|Warning)|AE_[A-Z_]+"'
	;;
*.dtsi)
	# Device tree (arm64): the nodes the fragment adds to the PCIe host
	for slot in 3 4 5 6 7 8 a b c d; do
		want=/pcie@10000000/gpu@$slot,0
		check "slot $slot has device-tree node $want" \
			[ "$(fw_node 0000:00:0$slot.0)" = "$want" ]
	done
	check "$RGPU has device-tree node /pcie@10000000/pci@9,0/gpu@0,0" \
		[ "$(fw_node $RGPU)" = /pcie@10000000/pci@9,0/gpu@0,0 ]
	dt_u64() {	# dt_u64 BDF PROPERTY: a 64-bit property of its node
		hex "0x$(od -An -v -tx1 "$PCI/$1/of_node/$2" | tr -d ' \n')"
	}
	dt_gpu_mem() {	# dt_gpu_mem BDF BASE SIZE: its node has these values
		[ "$(dt_u64 $1 nvidia,gpu-mem-base-pa)" = "$(hex $2)" ] &&
			[ "$(dt_u64 $1 nvidia,gpu-mem-size)" = "$(hex $3)" ]
	}
	check "the device tree gives $GPU $GPU_MEM_SIZE bytes of GPU memory at $GPU_MEM_BASE" \
		dt_gpu_mem $GPU $GPU_MEM_BASE $GPU_MEM_SIZE
	check "the device tree gives $RGPU $RGPU_MEM_SIZE bytes of GPU memory at $RGPU_MEM_BASE" \
		dt_gpu_mem $RGPU $RGPU_MEM_BASE $RGPU_MEM_SIZE
	;;
esac
# The emulator itself: every CPU's timer keeps firing while another CPU
# changes the memory map, as each memory-decode toggle, BAR update and
# reset of the tests below does (guest/timer-stress.c; platform/x86_64.sh
# says why the x86_64 machine runs single-threaded TCG). On a function no
# driver has yet.
check "timed sleeps on CPU 1 keep ending while CPU 0 toggles memory decoding of 0000:00:05.0" \
	guest_prog /tests/timer-stress -t 15 0000:00:05.0
check "$RGPU can be reset (bus reset)" \
	grep -qw bus $PCI/$RGPU/reset_method
# The GPU memory lies outside the RAM the kernel owns; $RAMGPU's does not
is_ram() {	# is_ram BASE SIZE: System RAM of /proc/iomem overlaps the range
	grep 'System RAM' /proc/iomem | {
		while IFS='- ' read -r start end _; do
			[ $((0x$start)) -lt $(($1 + $2)) ] &&
				[ $((0x$end)) -ge $(($1)) ] && exit 0
		done
		exit 1
	}
}
not_ram() { ! is_ram "$@"; }
check "the GPU memory of $GPU is not System RAM (mem= ends the RAM below it)" \
	not_ram $GPU_MEM_BASE $GPU_MEM_SIZE
check "the GPU memory of $RGPU is not System RAM" \
	not_ram $RGPU_MEM_BASE $RGPU_MEM_SIZE
check "the memory of $RAMGPU is System RAM" \
	is_ram $RAMGPU_MEM_BASE $RAMGPU_MEM_SIZE

# Probe with good firmware values, and without any
check "$GPU binds to $DRIVER" bind $GPU $DRIVER
gpu_mem="$(hex $GPU_MEM_BASE)-$(hex "$GPU_MEM_BASE + $GPU_MEM_SIZE - 1")"
check "$DRIVER reports the GPU memory and BAR size" \
	sh -c "dmesg | grep -q '$GPU: GPU memory $gpu_mem exposed as a $(bar_size $GPU_MEM_SIZE) byte BAR2'"
check "$NOFW (no firmware properties) binds to $DRIVER" bind $NOFW $DRIVER
check "$RGPU binds to $DRIVER" bind $RGPU $DRIVER
# The driver claims the GPU memory from probe to remove
claimed() {	# claimed BASE SIZE: /proc/iomem has the range, owned by the driver
	r=$(printf '%08x-%08x' $(($1)) $(($1 + $2 - 1)))
	grep -E "^ *$r : " /proc/iomem | sed 's/^ */# /'
	grep -Eq "^ *$r : .*nvgrace[-_]gpu" /proc/iomem
}
check "/proc/iomem shows the GPU memory of $GPU claimed by the driver" \
	claimed $GPU_MEM_BASE $GPU_MEM_SIZE
check "/proc/iomem shows the GPU memory of $RGPU claimed by the driver" \
	claimed $RGPU_MEM_BASE $RGPU_MEM_SIZE
# The claim is exclusive: /dev/mem (STRICT_DEVMEM without IO_STRICT_DEVMEM,
# configs/common.config) maps memory that nobody claimed, not the GPU's
devmem_maps() {	# devmem_maps ADDRESS: busybox devmem can mmap and read it
	devmem "$1" 32 2>&1 | sed 's/^/# /'
	devmem "$1" 32 > /dev/null 2>&1
}
devmem_refused() {	# devmem_refused ADDRESS: mmap of /dev/mem there fails with EPERM
	err=$(devmem "$1" 32 2>&1)
	echo "# devmem $1: $err"
	case $err in *"mmap: Operation not permitted"*) ;; *) return 1 ;; esac
}
check "/dev/mem maps $GPU_HOLE, which no driver claimed" devmem_maps $GPU_HOLE
check "/dev/mem cannot map the GPU memory of $GPU" devmem_refused $GPU_MEM_BASE
check "/dev/mem cannot map the last page of the GPU memory of $RGPU" \
	devmem_refused $(hex "$RGPU_MEM_BASE + $RGPU_MEM_SIZE - 4096")

# Probe with bogus firmware values: refused with an error code and a message
probe_fails() {	# probe_fails BDF ERRNO-TEXT DMESG-TEXT
	err=$(bind "$1" $DRIVER)
	rc=$?
	echo "# bind $1: ${err:-bound}"
	[ $rc != 0 ] && [ "$err" = "$2" ] &&
		dmesg | grep -q "$1: $3"
}
check "0000:00:05.0 (size 0) fails probe with EINVAL" \
	probe_fails 0000:00:05.0 "Invalid argument" "GPU memory size is 0"
check "0000:00:06.0 (unaligned base) fails probe with EINVAL" \
	probe_fails 0000:00:06.0 "Invalid argument" "GPU memory base $(hex "$GPU_MEM_BASE + 0x800") or size $(hex $GPU_MEM_SIZE) is not page aligned"
check "0000:00:07.0 (base + size overflows) fails probe with EOVERFLOW" \
	probe_fails 0000:00:07.0 "Value too large for defined data type" "GPU memory base 0xfffffffffffff000 + size 0x2000 does not fit the physical address space"
check "0000:00:08.0 (no size property) fails probe with EINVAL" \
	probe_fails 0000:00:08.0 "Invalid argument" "cannot read nvidia,gpu-mem-size: -22"
check "$RAMGPU (memory in System RAM) fails probe with EINVAL" \
	probe_fails $RAMGPU "Invalid argument" "GPU memory $(hex $RAMGPU_MEM_BASE)-$(hex "$RAMGPU_MEM_BASE + $RAMGPU_MEM_SIZE - 1") intersects System RAM"
# $GPU, bound above, holds the same range
check "$DUPGPU (memory of $GPU) fails probe with EBUSY" \
	probe_fails $DUPGPU "Device or resource busy" "cannot claim GPU memory $gpu_mem"
check "$FARGPU (memory beyond the CPU's physical address size) fails probe with EINVAL" \
	probe_fails $FARGPU "Invalid argument" "GPU memory $(hex $FARGPU_MEM_BASE)-$(hex "$FARGPU_MEM_BASE + 0x1fffff") is beyond the physical address space of the CPUs"
check "$BARGPU (the function implements BAR2) fails probe with EINVAL" \
	probe_fails $BARGPU "Invalid argument" "BAR2/BAR3 are implemented: the GPU memory cannot be exposed as BAR2"
bar2_size() {	# bar2_size BDF: the size of the function's own BAR2
	set -- $(sed -n 3p "$PCI/$1/resource")
	echo $(($2 - $1 + 1))
}
check "$BARGPU has a BAR2 of its own, 1 MiB (the test is real)" \
	[ "$(bar2_size $BARGPU)" = 1048576 ]

# After a probe of each: with a device tree (arm64) a function joins its
# IOMMU group only when a driver probes it (of_iommu_configure)
groups=
for bdf in 0000:00:03.0 0000:00:04.0 0000:00:05.0 0000:00:06.0 \
	0000:00:07.0 0000:00:08.0 $RGPU $RAMGPU $DUPGPU $FARGPU $BARGPU; do
	groups="$groups $(iommu_group $bdf)"
done
check "each emulated GPU has its own IOMMU group:$groups" \
	[ "$(echo $groups | tr ' ' '\n' | sort -u | wc -l)" = 11 ]

# The KUnit suites of the series ran at boot: one result per test case
# (per parameter for parameterised cases), read back from the kernel log
kunit() {	# kunit SUITE
	dmesg | awk -v suite="$1" '
	$0 ~ "# Subtest: " suite "$" { on = 1; next }
	!on { next }
	/# Subtest: / { parent[$NF] = 1; next }
	/^ *(not )?ok [0-9]+ / {
		line = $0
		sub(/^ */, "", line)
		indent = length($0) - length(line)
		if (indent == 0) { on = 0; found = 1; next }
		name = line
		sub(/^(not )?ok [0-9]+ /, "", name)
		if (indent == 4 && (name in parent))
			next
		res = line ~ /^not ok/ ? "not ok" : "ok"
		skip = ""
		if (name ~ /# SKIP/) {
			skip = substr(name, index(name, "# SKIP"))
			name = substr(name, 1, index(name, "# SKIP") - 2)
		}
		printf "%s - kunit %s: %s%s\n", res, suite, name, skip ? " " skip : ""
	}
	END { if (!found) print "not ok - kunit " suite ": suite did not run" }'
}
suites="nvgrace-gpu-vfio-pci memory-failure-pfn memory-failure-pfn-benchmark"
# arm64: the stage-2 memory type KVM gives memory without struct page
[ "$PLATFORM" != arm64 ] || suites="$suites kvm-arm64-stage2-pfnmap"
for suite in $suites; do
	kunit $suite > /tmp/kunit.tap
	while read -r line; do
		case $line in
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) ok "${line#ok - }" ;;
		esac
	done < /tmp/kunit.tap
done

# The kselftests of the series, on the emulated GPU
timed "the selftests on $GPU" limit $LIMIT env NVGRACE_GPU_MEM_SIZE=$GPU_MEM_SIZE NVGRACE_GPU_OTHER_BDF=$RGPU \
	NVGRACE_GPU_MEM_BASE=$GPU_MEM_BASE /tests/nvgrace_gpu_test $GPU
# and on the one that supports VFIO_DEVICE_RESET (and a bus reset)
timed "the selftests on $RGPU" limit $LIMIT env NVGRACE_GPU_MEM_SIZE=$RGPU_MEM_SIZE NVGRACE_GPU_OTHER_BDF=$GPU \
	NVGRACE_GPU_MEM_BASE=$RGPU_MEM_BASE /tests/nvgrace_gpu_test $RGPU

# The uAPI fuzzer, before any page is poisoned; a failure prints the seed
# that replays it: /tests/nvgrace-fuzz -s SEED BDF. Most operations on the
# device that can reset, some more on the larger one (the platform says how
# many, and for how long at most). The time bound caps a run on a busy
# host: the fuzzer then stops early and its checks still count, if at least
# a quarter of the operations ran.
check "uAPI fuzzer: up to $FUZZ_OPS_RGPU random operations in $FUZZ_SECS_RGPU s on $RGPU (with reset) follow the driver's rules" \
	guest_prog /tests/nvgrace-fuzz -n $FUZZ_OPS_RGPU -t $FUZZ_SECS_RGPU $RGPU
check "uAPI fuzzer: up to $FUZZ_OPS_GPU random operations in $FUZZ_SECS_GPU s on $GPU follow the driver's rules" \
	guest_prog /tests/nvgrace-fuzz -n $FUZZ_OPS_GPU -t $FUZZ_SECS_GPU $GPU

# What a VMM pays to use the memory: figures for the log, not pass/fail
# (P1-P3 and the DMA map; guest/nvgrace-bench.c says what each one is)
check "the benchmark ran (figures on the '# bench' lines)" \
	guest_prog /tests/nvgrace-bench $GPU

# The real client: Debian's QEMU passes $GPU, and $RGPU with x-no-mmap=on,
# to a nested guest with -device vfio-pci (guest/vm.sh): under TCG on
# x86_64, with KVM on arm64. Before any page is poisoned: L2 reads samples
# across the whole memory.
. /tests/vm.sh
timed "the real client" vm_test $GPU $GPU_MEM_SIZE $RGPU $RGPU_MEM_SIZE
# arm64: a page that L2 has mapped is poisoned, then L2 reads it: with a
# guest firmware without hardware error source (QEMU reports the error and
# exits), then with one (ras=on, UEFI: L2's kernel gets the error)
if [ "$PLATFORM" = arm64 ]; then
	timed "the real client and a poisoned page" \
		vm_poison_test $GPU $GPU_MEM_SIZE $GPU_MEM_BASE
	timed "the real client and a poisoned page, ras=on" \
		vm_ras_test $RGPU $RGPU_MEM_SIZE $RGPU_MEM_BASE
fi

# arm64: the GPU memory as the memory of a KVM guest, with this kernel at
# EL2 as the host and nvgrace_gpu_kvm_test as the VMM: cacheable stage-2
# (FEAT_S2FWB), the installed descriptors, instruction fetch, MTE, poison.
# It poisons one page, 160 MiB into BAR2. Then figures, not pass/fail:
# the guest's first touch of 64 MiB, GPU memory against anonymous memory.
if [ "$PLATFORM" = arm64 ]; then
	fwb=$(cpu_fwb)
	check "the CPU has FEAT_S2FWB (the kernel logs 'Stage-2 Force Write-Back')" \
		[ $fwb = 1 ]
	timed "the KVM selftests" limit $LIMIT env NVGRACE_GPU_MEM_BASE=$GPU_MEM_BASE NVGRACE_KVM_FWB=$fwb \
		NVGRACE_KVM_STAGE2_DEBUGFS=1 /tests/nvgrace_gpu_kvm_test $GPU
	check "the KVM benchmark ran (figures on the '# bench kvm' lines)" \
		guest_prog /tests/nvgrace_gpu_kvm_test --bench $GPU
fi

# The demo walk-through; it poisons the page 8 MiB into $GPU. On x86 it
# also checks the PAT memory type of the GPU memory.
out=$(limit $LIMIT /tests/nvgrace-demo $GPU $GPU_MEM_BASE 2>&1)
rc=$?
echo "$out" | grep -E "FAILED|PAT" | sed 's/^/# /'
pat=
[ -e /sys/kernel/debug/x86/pat_memtype_list ] && pat=" (write-back PAT memory type)"
check "the demo walk-through succeeds$pat" [ $rc = 0 ]

# The same tests must fail where the driver does not expose the memory
fails_without_driver() {	# fails_without_driver BDF DRIVER
	bind "$1" "$2" >/dev/null || return 1
	out=$(limit $LIMIT env NVGRACE_GPU_MEM_SIZE=$GPU_MEM_SIZE /tests/nvgrace_gpu_test "$1" 2>&1)
	rc=$?
	n=$(echo "$out" | grep -c '^not ok')
	echo "# $1 on $2: the selftest exits $rc with $n failed tests"
	[ $rc != 0 ] && [ "$n" -gt 0 ] && ! echo "$out" | grep -q '^ok .*region_info$'
}
check "the selftests fail on $GPU bound to plain vfio-pci" \
	fails_without_driver $GPU vfio-pci
check "the selftests fail on $NOFW ($DRIVER without firmware properties)" \
	fails_without_driver $NOFW $DRIVER
check "$GPU rebinds to $DRIVER after vfio-pci" bind $GPU $DRIVER

# Firmware-first memory errors (x86_64, whose firmware has a HEST with a
# polled GHES source: platform/x86_64.sh): guest/nvgrace-ghes.c writes CPER
# records where GHES polls for them, and checks what the early-kill task
# that maps the pages sees. A corrected error (threshold exceeded) at
# GHES_OFF + 4 KiB, an uncorrected one at $GPU_HOLE (no owner), then one
# at GHES_OFF. Before the machine check test below, so that lockdep
# watches the registry's lock in GHES's timer context.
if [ -n "${GHES_ADDR:-}" ]; then
	GHES_OFF=0x2800000	# 40 MiB: clear of the demo's and the poison tests' pages
	ghes_pfn=$(hex "($GPU_MEM_BASE + $GHES_OFF) >> 12")
	ce_pfn=$(hex "($GPU_MEM_BASE + $GHES_OFF + 4096) >> 12")
	hole_pfn=$(hex "$GPU_HOLE >> 12")
	check "GHES has a device for the HEST's polled error source (GHES.0)" \
		[ -e /sys/bus/platform/devices/GHES.0 ]
	check "GHES: an uncorrected error at a page of $GPU reaches the early-kill task that maps it (BUS_MCEERR_AO, then EIO)" \
		guest_prog /tests/nvgrace-ghes $GPU $GPU_MEM_BASE $GHES_ADDR $GHES_OFF $GPU_HOLE
	recovered() {	# recovered PFN: the number of "recovery action" lines for PFN
		dmesg | grep -c "Memory failure: $1: recovery action"
	}
	check "GHES: exactly one recovery action for pfn $ghes_pfn" \
		[ "$(recovered $ghes_pfn)" = 1 ]
	check "GHES: the error at $GPU_HOLE, which no driver owns, is dropped (Invalid address in generic error data)" \
		sh -c "dmesg | grep -q 'Invalid address in generic error data: $GPU_HOLE\$' &&
			! dmesg | grep -q 'Memory failure: $hole_pfn:'"
	check "GHES: a corrected error over the threshold (soft offline) records nothing for pfn $ce_pfn" \
		sh -c "! dmesg | grep -q 'Memory failure: $ce_pfn:'"
	dmesg | grep -E "GHES|Hardware Error|Memory failure: ($ghes_pfn|$ce_pfn|$hole_pfn)" |
		tail -n 30 | sed 's/^/# /'
fi

# Poison injected while other threads map, touch, read, write, reopen and
# reset the same device: on $RGPU, the one that can reset, so that
# VFIO_DEVICE_RESET races with memory failure too. 32 pages from 36 MiB on,
# clear of the pages the poison tests below use. Before them, so that
# lockdep still watches (the machine check test taints the kernel).
check "memory failure races with mmap, faults, read/write, reopen and reset on $RGPU" \
	guest_prog /tests/nvgrace-race -t 20 -p 32 $RGPU $RGPU_MEM_BASE

# Memory failure on the GPU memory: poisons pages of it for as long as the
# driver is bound. Last, as the machine check test taints the kernel, which
# turns lockdep off. With an anonymous page of RAM too (opt-in).
timed "the poison selftests on $GPU" limit $LIMIT env NVGRACE_GPU_MEM_BASE=$GPU_MEM_BASE NVGRACE_GPU_HOLE=$GPU_HOLE \
	NVGRACE_GPU_POISON_ANON=1 NVGRACE_GPU_OTHER_BDF=$RGPU \
	/tests/nvgrace_gpu_poison_test $GPU
# and on the one that supports VFIO_DEVICE_RESET
timed "the poison selftests on $RGPU" limit $LIMIT env NVGRACE_GPU_MEM_BASE=$RGPU_MEM_BASE /tests/nvgrace_gpu_poison_test $RGPU
# A second run in the same boot picks pages that are not poisoned yet
timed "the second poison run on $GPU" limit $LIMIT env NVGRACE_GPU_MEM_BASE=$GPU_MEM_BASE NVGRACE_GPU_HOLE=$GPU_HOLE \
	NVGRACE_GPU_POISON_ANON=1 /tests/nvgrace_gpu_poison_test $GPU

# kmemleak (where the guest kernel has it: x86_64): no leak after all of
# the above.
# An object must be 5 s old to be reported, so wait, and scan twice.
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	sed -n '1,40s/^/# /p' /sys/kernel/debug/kmemleak
	check "kmemleak reports no leak" \
		sh -c '! grep -q unreferenced /sys/kernel/debug/kmemleak'
fi

echo "1..$ntest"
