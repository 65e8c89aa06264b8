#!/bin/sh
# The guest half of 'scripts/boot.sh arm64 nofwb', in TAP: the arm64
# machine with a CPU without FEAT_S2FWB (cortex-a57), where KVM runs in
# nVHE mode and must refuse cacheable stage-2 mappings of the GPU memory.
# For now it only checks that the machine is that one, with the GPU bound
# to the driver; the KVM tests of the refusal paths go here.
. /tests/lib.sh

check "$GPU binds to $DRIVER" bind $GPU $DRIVER
dmesg | grep -E 'kvm \[[0-9]+\]:|Stage-2 Force Write-Back' |
	sed 's/^\(\[[^]]*\] *\)*/# kernel: /'
check "KVM initialised in nVHE mode, without FEAT_S2FWB (no 'Stage-2 Force Write-Back')" \
	sh -c 'dmesg | grep -q "Hyp mode initialized successfully" &&
		! dmesg | grep -q "Stage-2 Force Write-Back"'

echo "1..$ntest"
