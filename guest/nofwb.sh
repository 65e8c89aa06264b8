#!/bin/sh
# The guest half of 'scripts/boot.sh arm64 nofwb', in TAP: the arm64
# machine with a CPU without FEAT_S2FWB (cortex-a57), where KVM runs in
# nVHE mode and must refuse cacheable stage-2 mappings of the GPU memory.
# It checks that the machine is that one, with the GPU bound to the driver,
# and runs the KVM test there.
. /tests/lib.sh

check "$GPU binds to $DRIVER" bind $GPU $DRIVER
dmesg | grep -E 'kvm \[[0-9]+\]:|Stage-2 Force Write-Back' |
	sed 's/^\(\[[^]]*\] *\)*/# kernel: /'
nvhe_without_fwb() {
	dmesg | grep -q "Hyp mode initialized successfully" &&
		[ "$(cpu_fwb)" = 0 ]
}
check "KVM initialised in nVHE mode, without FEAT_S2FWB (no 'Stage-2 Force Write-Back')" \
	nvhe_without_fwb
# Without FWB: KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED reads 0 and a memory
# slot over BAR2 fails with EINVAL; the tests that need one skip
limit $LIMIT env NVGRACE_GPU_MEM_BASE=$GPU_MEM_BASE NVGRACE_KVM_FWB=0 \
	/tests/nvgrace_gpu_kvm_test $GPU

echo "1..$ntest"
