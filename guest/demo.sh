#!/bin/sh
# The guest half of 'make demo': bind the emulated GPU to
# nvgrace-gpu-vfio-pci and walk through what userspace gets.
. /tests/lib.sh

echo
echo "=== nvgrace-gpu-vfio-pci on an emulated Grace Hopper GPU ==="
echo
echo "The GPU stand-in: $GPU, $(cat $PCI/$GPU/vendor):$(cat $PCI/$GPU/device), firmware node $(fw_node $GPU)"
echo "Its firmware properties ($FIRMWARE) say nvidia,gpu-mem-base-pa = $GPU_MEM_BASE"
echo "and nvidia,gpu-mem-size = $GPU_MEM_SIZE ($((GPU_MEM_SIZE >> 20)) MiB). The guest kernel runs with"
echo "$(grep -o 'mem=[^ ]*' /proc/cmdline), so that range is RAM the kernel does not own: no struct page,"
echo "not in /proc/iomem's System RAM:"
grep -i "system ram" /proc/iomem | sed 's/^/  /'
echo
echo "Binding $GPU to $DRIVER through driver_override:"
if ! bind $GPU $DRIVER; then
	echo "demo: $GPU did not bind"
	exit 1
fi
dmesg | grep "$GPU: GPU memory" | sed 's/^\(\[[^]]*\] *\)*/  kernel: /'
echo "  IOMMU group $(iommu_group $GPU): /dev/vfio/$(iommu_group $GPU)"

# The real client: Debian's QEMU, under TCG on x86_64, with KVM on arm64
vmrc=0
. /tests/vm.sh
echo
echo "=== The real client: QEMU passes the GPU to a nested guest (L2) ==="
echo
echo "L1 binds a second GPU stand-in, $RGPU ($((RGPU_MEM_SIZE >> 20)) MiB of GPU memory), writes a"
echo "pattern into both through VFIO, then runs Debian's QEMU with"
echo "  -device vfio-pci,host=$GPU   -device vfio-pci,host=$RGPU,x-no-mmap=on"
echo "(every L2 access to the second one goes through the driver's read/write)."
echo "L2 finds BAR2, reads L1's pattern through sysfs resource2, writes its own"
echo "and reads the BAR padding; L1 reads L2's pattern back after QEMU exits."
if [ "$PLATFORM" = arm64 ]; then
	echo "QEMU runs with -accel kvm -cpu host, this kernel being the KVM host: while"
	echo "L2 waits, L1 reads the stage-2 entries KVM made for it (debugfs)."
else
	echo "Nested TCG: this takes a minute or two."
fi
echo
bind $RGPU $DRIVER || { echo "demo: $RGPU did not bind"; exit 1; }
vm_test $GPU $GPU_MEM_SIZE $RGPU $RGPU_MEM_SIZE | tee /tmp/vm-demo.tap |
	grep -v '^# \(L2\|QEMU stderr\): ' |
	sed -e 's/^ok [0-9]* - /  ok: /' -e 's/^not ok [0-9]* - /  FAILED: /' \
	    -e 's/^# /  /'
grep -q '^not ok' /tmp/vm-demo.tap && vmrc=1

# arm64: KVM maps the memory cacheable in stage-2 (FEAT_S2FWB)
if [ "$PLATFORM" = arm64 ]; then
	fwb=$(cpu_fwb)
	echo
	echo "=== KVM: a guest uses the GPU memory through a cacheable stage-2 mapping ==="
	echo
	echo "This kernel runs at EL2 and hosts a small KVM guest; nvgrace_gpu_kvm_test is"
	echo "its VMM. It maps BAR2 of $GPU and gives the mapping to the guest as memory."
	echo "The CPU has FEAT_S2FWB: $([ $fwb = 1 ] && echo yes || echo no); KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED"
	echo "(243) says a memory slot over such a mapping is accepted. The guest reads what"
	echo "the VMM wrote through VFIO and writes what the VMM reads back, with unaligned"
	echo "accesses, exclusives and LSE atomics; the stage-2 descriptor KVM installed is"
	echo "read back (MemAttr 0b0110: write-back, forced by FWB; XN without CTR_EL0.DIC)."
	echo
	NVGRACE_GPU_MEM_BASE=$GPU_MEM_BASE NVGRACE_KVM_FWB=$fwb \
		/tests/nvgrace_gpu_kvm_test $GPU 2>&1 | tee /tmp/kvm-demo.tap |
		grep -E '^(not )?ok |descriptor 0x' |
		sed -e 's/^ok [0-9]* kvm\./  ok: /' -e 's/^not ok [0-9]* kvm\./  FAILED: /' \
		    -e 's/^# [^:]*:[0-9]*:[a-z_0-9]*:/  /'
	grep -q '^not ok' /tmp/kvm-demo.tap && vmrc=1
	echo
	echo "What the guest's first touch of 64 MiB costs (one stage-2 fault per 4 KiB page):"
	/tests/nvgrace_gpu_kvm_test --bench $GPU | sed 's/^# bench kvm: /  /' || vmrc=1
fi

echo
echo "=== What the driver gives a VMM, step by step ==="
echo
/tests/nvgrace-demo $GPU $GPU_MEM_BASE
rc=$?

# nvgrace-demo poisons the page 8 MiB into the GPU memory
pfn=$(hex "($GPU_MEM_BASE + 0x800000) >> 12")
echo
echo "What the kernel said about the poisoned page (pfn $pfn):"
dmesg | grep -E "Memory failure: $pfn:" | sed 's/^\(\[[^]]*\] *\)*/  kernel: /'
[ $rc = 0 ] && [ $vmrc = 0 ]
