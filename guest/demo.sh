#!/bin/sh
# The guest half of 'make demo': bind the emulated GPU to
# nvgrace-gpu-vfio-pci and walk through what userspace gets.
. /tests/lib.sh

GPU=0000:00:03.0

echo
echo "=== nvgrace-gpu-vfio-pci on an emulated Grace Hopper GPU ==="
echo
echo "The GPU stand-in: $GPU, $(cat $PCI/$GPU/vendor):$(cat $PCI/$GPU/device), ACPI companion $(cat $PCI/$GPU/firmware_node/path)"
echo "Its _DSD (firmware/x86_64-gpu.asl) says nvidia,gpu-mem-base-pa = 0x60000000"
echo "and nvidia,gpu-mem-size = 0x18000000 (384 MiB). The guest kernel runs with"
echo "mem=1536M, so that range is RAM the kernel does not own: no struct page,"
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
echo
/tests/nvgrace-demo $GPU 0x60000000
rc=$?

echo
echo "What the kernel said about the poisoned page:"
dmesg | grep -E "Memory failure|MCE" | sed 's/^\(\[[^]]*\] *\)*/  kernel: /'
exit $rc
